//! What a rule means in words, for everywhere results are shown (the
//! terminal, report pages): when it adopts an option and what an abstention
//! does. Users read "unanimity" as the strictest rule; consensus, where an
//! abstention does not block, adopts options that a majority of all members
//! would not, and the sentence says so.

use super::{DecisionRule, Quota};

impl DecisionRule {
    /// One sentence: when the rule adopts an option and how it counts an
    /// abstention. Members excluded from a vote (the parties to a dispute)
    /// count in no total.
    pub fn meaning(&self) -> String {
        match *self {
            DecisionRule::Unanimity {
                abstention_blocks: false,
            } => "Consensus: an option is adopted when at least one member votes yes and no \
                  member votes no; an abstention does not block, so consensus can adopt what \
                  a majority of all members would not."
                .to_string(),
            DecisionRule::Unanimity {
                abstention_blocks: true,
            } => "Strict unanimity: every member taking part must vote yes; an abstention \
                  blocks like a no."
                .to_string(),
            DecisionRule::Majority => "Majority: more than half of the members taking part must \
                                       vote yes; an abstention counts as not voting yes."
                .to_string(),
            DecisionRule::QualifiedMajority {
                threshold: Quota::Share(t),
            } => format!(
                "Qualified majority: at least {t} of the members taking part must vote yes; an \
                 abstention counts as not voting yes."
            ),
            DecisionRule::QualifiedMajority {
                threshold: Quota::Absolute(v),
            } => format!(
                "Qualified majority: at least {v} members must vote yes; an abstention counts \
                 as not voting yes."
            ),
            DecisionRule::Weighted {
                attribute,
                quota: Quota::Share(q),
            } => format!(
                "Weighted vote: the members voting yes must hold at least {q} of the {} of \
                 the members taking part; an abstention counts as not voting yes.",
                attribute.noun()
            ),
            DecisionRule::Weighted {
                attribute,
                quota: Quota::Absolute(a),
            } => format!(
                "Weighted vote: the members voting yes must together hold {} of at least {a}; \
                 an abstention counts as not voting yes.",
                attribute.noun()
            ),
            DecisionRule::HegemonMajority => "Hegemon majority: the hegemon must vote yes (or \
                                              be excluded) and more than half of the members \
                                              taking part must vote yes."
                .to_string(),
            DecisionRule::DoubleMajority {
                members,
                population,
                blocking,
            } => format!(
                "Double majority: at least {members} of the members taking part must vote yes \
                 and hold at least {population} of their population, unless fewer than \
                 {blocking} members fail to vote yes; an abstention counts as a no."
            ),
        }
    }
}

impl DecisionRule {
    /// The rule's label and what it means, for a page: "Decision rule
    /// `consensus`: an option is adopted when ...".
    pub fn described(&self) -> String {
        let meaning = self.meaning();
        let clause = meaning
            .split_once(": ")
            .map_or(meaning.as_str(), |(_, c)| c);
        format!("Decision rule {self}: {clause}")
    }
}

#[cfg(test)]
mod tests {
    use crate::model::DecisionRule;

    #[test]
    fn every_rule_says_what_an_abstention_does() {
        for label in [
            "unanimity",
            "unanimity:abstention_blocks",
            "majority",
            "qualified_majority:2/3",
            "qualified_majority:votes:15",
            "weighted:military:0.5",
            "weighted:economic:amount:39",
            "hegemon_majority",
            "double_majority",
        ] {
            let rule: DecisionRule = label.parse().unwrap();
            let m = rule.meaning();
            assert!(m.ends_with('.'), "{label}: {m}");
            assert!(
                m.contains("abstention") || rule == DecisionRule::HegemonMajority,
                "{label}: {m}"
            );
        }
    }

    #[test]
    fn consensus_and_strict_unanimity_are_told_apart() {
        let consensus: DecisionRule = "unanimity".parse().unwrap();
        let strict: DecisionRule = "unanimity:abstention_blocks".parse().unwrap();
        assert!(consensus.meaning().starts_with("Consensus:"));
        assert!(consensus.meaning().contains("does not block"));
        assert!(strict.meaning().starts_with("Strict unanimity:"));
        assert!(strict.meaning().contains("blocks like a no"));
    }

    #[test]
    fn described_names_the_label_once() {
        let rule: DecisionRule = "qualified_majority:2/3".parse().unwrap();
        let d = rule.described();
        assert!(
            d.starts_with(&format!(
                "Decision rule {rule}: at least 2/3 of the members"
            )),
            "{d}"
        );
        assert!(!d.contains("Qualified majority:"), "{d}");
    }

    #[test]
    fn quotas_are_written_as_given() {
        let rule: DecisionRule = "qualified_majority:2/3".parse().unwrap();
        assert!(rule.meaning().contains("at least 2/3 of the members"));
        let rule: DecisionRule = "double_majority".parse().unwrap();
        let m = rule.meaning();
        assert!(
            m.contains("0.55") && m.contains("0.65") && m.contains("fewer than 4"),
            "{m}"
        );
    }
}
