//! Decision rules: given every member's vote on a proposal, does it pass, and
//! who counts as having blocked it.

use std::fmt;
use std::str::FromStr;

/// One member's vote on one proposal. The discriminants are the columns of
/// the tally's vote counts (yes, no, abstain); `Absent` has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Vote {
    /// In favour.
    Yes = 0,
    /// Against.
    No,
    /// Neither: inside the abstention band.
    Abstain,
    /// Not taking part: a party to the dispute excluded from the vote. It
    /// counts neither toward the members nor toward a weighted total.
    Absent,
}

/// How a member that is a party to the dispute takes part in the vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PartyVote {
    /// It votes like any member (the default).
    #[default]
    Vote,
    /// It abstains on every proposal.
    Abstain,
    /// It does not take part: it counts neither toward the number of members
    /// nor toward a weighted total.
    Excluded,
}

impl PartyVote {
    /// The names used in files.
    pub const NAMES: [&'static str; 3] = ["vote", "abstain", "excluded"];

    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            PartyVote::Vote => "vote",
            PartyVote::Abstain => "abstain",
            PartyVote::Excluded => "excluded",
        }
    }

    /// Parses a file name.
    pub fn from_name(name: &str) -> Option<PartyVote> {
        match name {
            "vote" => Some(PartyVote::Vote),
            "abstain" => Some(PartyVote::Abstain),
            "excluded" => Some(PartyVote::Excluded),
            _ => None,
        }
    }
}

/// The member attribute a weighted rule counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribute {
    /// Share of the alliance's military spending.
    Military,
    /// Share of the alliance's GDP.
    Economic,
    /// One unit per member (a weighted rule then equals a qualified majority).
    Equal,
}

impl Attribute {
    /// The name used in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Attribute::Military => "military",
            Attribute::Economic => "economic",
            Attribute::Equal => "equal",
        }
    }

    /// All attributes, for messages.
    pub const ALL: [Attribute; 3] = [Attribute::Military, Attribute::Economic, Attribute::Equal];
}

/// How the alliance turns votes into a decision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DecisionRule {
    /// No member votes no and at least one votes yes. With
    /// `abstention_blocks`, every member must vote yes.
    Unanimity {
        /// Whether an abstention counts as a veto.
        abstention_blocks: bool,
    },
    /// More than half of all members vote yes.
    Majority,
    /// At least `threshold` of all members vote yes.
    QualifiedMajority {
        /// Share of members needed, in (0, 1].
        threshold: f64,
    },
    /// The members voting yes hold at least `quota` of the attribute.
    Weighted {
        /// What is counted.
        attribute: Attribute,
        /// Share needed, in (0, 1].
        quota: f64,
    },
    /// The hegemon votes yes and more than half of all members vote yes.
    HegemonMajority,
}

/// The rule names accepted in files and by `--rule`.
pub const RULE_NAMES: [&str; 5] = [
    "unanimity",
    "majority",
    "qualified_majority",
    "weighted",
    "hegemon_majority",
];

impl DecisionRule {
    /// Whether a proposal passes. `weights[i]` is member i's attribute share
    /// (used by the weighted rule only) and `hegemon` the hegemon's index.
    /// Members whose vote is `Absent` count for nothing: `n` is the number of
    /// members taking part, and an absent hegemon's yes is not required.
    pub fn passes(&self, votes: &[Vote], weights: &[f64], hegemon: Option<usize>) -> bool {
        let absent = votes.iter().filter(|v| **v == Vote::Absent).count();
        self.passes_with_absent(votes, weights, hegemon, absent)
    }

    /// [`DecisionRule::passes`] for a caller that knows how many votes are
    /// `Absent` (the model does: the excluded parties), sparing a count on
    /// every proposal of every run.
    pub fn passes_with_absent(
        &self,
        votes: &[Vote],
        weights: &[f64],
        hegemon: Option<usize>,
        absent: usize,
    ) -> bool {
        debug_assert_eq!(absent, votes.iter().filter(|v| **v == Vote::Absent).count());
        let n = votes.len() - absent;
        let yes = votes.iter().filter(|v| **v == Vote::Yes).count();
        match *self {
            DecisionRule::Unanimity { abstention_blocks } => {
                if abstention_blocks {
                    n > 0 && yes == n
                } else {
                    yes > 0 && !votes.contains(&Vote::No)
                }
            }
            DecisionRule::Majority => 2 * yes > n,
            DecisionRule::QualifiedMajority { threshold } => {
                n > 0 && (yes as f64) >= threshold * (n as f64)
            }
            DecisionRule::Weighted { quota, .. } => {
                let total: f64 = if absent == 0 {
                    weights.iter().sum()
                } else {
                    votes
                        .iter()
                        .zip(weights)
                        .filter(|(v, _)| **v != Vote::Absent)
                        .map(|(_, w)| *w)
                        .sum()
                };
                let for_: f64 = votes
                    .iter()
                    .zip(weights)
                    .filter(|(v, _)| **v == Vote::Yes)
                    .map(|(_, w)| *w)
                    .sum();
                total > 0.0 && for_ >= quota * total
            }
            DecisionRule::HegemonMajority => {
                let hegemon_agrees = hegemon
                    .is_some_and(|h| matches!(votes.get(h), Some(Vote::Yes) | Some(Vote::Absent)));
                hegemon_agrees && 2 * yes > n
            }
        }
    }

    /// Whether a vote counts as blocking a proposal that failed: a "no", or
    /// an abstention under unanimity with `abstention_blocks`.
    pub fn counts_as_block(&self, vote: Vote) -> bool {
        match vote {
            Vote::No => true,
            Vote::Abstain => matches!(
                self,
                DecisionRule::Unanimity {
                    abstention_blocks: true
                }
            ),
            Vote::Yes | Vote::Absent => false,
        }
    }

    /// The member attribute the rule weighs votes by, if any.
    pub fn attribute(&self) -> Option<Attribute> {
        match self {
            DecisionRule::Weighted { attribute, .. } => Some(*attribute),
            _ => None,
        }
    }
}

/// The rule's label in CSV files and on the command line, e.g. `unanimity`,
/// `unanimity:abstention_blocks`, `qualified_majority:0.67`, `weighted:military:0.5`.
impl fmt::Display for DecisionRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecisionRule::Unanimity {
                abstention_blocks: false,
            } => write!(f, "unanimity"),
            DecisionRule::Unanimity {
                abstention_blocks: true,
            } => write!(f, "unanimity:abstention_blocks"),
            DecisionRule::Majority => write!(f, "majority"),
            DecisionRule::QualifiedMajority { threshold } => {
                write!(f, "qualified_majority:{threshold}")
            }
            DecisionRule::Weighted { attribute, quota } => {
                write!(f, "weighted:{}:{quota}", attribute.name())
            }
            DecisionRule::HegemonMajority => write!(f, "hegemon_majority"),
        }
    }
}

/// Why a rule could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RuleError {
    /// What was wrong.
    pub message: String,
    /// A suggestion, if one is close.
    pub help: Option<String>,
}

fn share(text: &str, what: &str, rule: &str) -> Result<f64, RuleError> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 && x <= 1.0 => Ok(x),
        _ => Err(RuleError {
            message: format!("{rule}: the {what} must be a number in (0, 1], found `{text}`"),
            help: None,
        }),
    }
}

impl DecisionRule {
    /// Builds a rule from its name and parameters as written in a scenario's
    /// `[rule]` table; `None` means the parameter was not given.
    pub fn from_parts(
        kind: &str,
        abstention_blocks: Option<bool>,
        threshold: Option<f64>,
        attribute: Option<&str>,
        quota: Option<f64>,
    ) -> Result<DecisionRule, RuleError> {
        let fail = |message: String| RuleError {
            message,
            help: None,
        };
        let unexpected = |field: &str| {
            fail(format!(
                "`{field}` does not apply to the `{kind}` rule; remove it"
            ))
        };
        let rule = match kind {
            "unanimity" => DecisionRule::Unanimity {
                abstention_blocks: abstention_blocks.unwrap_or(false),
            },
            "majority" => DecisionRule::Majority,
            "hegemon_majority" => DecisionRule::HegemonMajority,
            "qualified_majority" => {
                let t = threshold.ok_or_else(|| {
                    fail("the `qualified_majority` rule needs a `threshold`, the share of members that must vote yes, e.g. 0.67".into())
                })?;
                DecisionRule::QualifiedMajority {
                    threshold: share(&t.to_string(), "threshold", kind)?,
                }
            }
            "weighted" => {
                let a = attribute.ok_or_else(|| {
                    fail("the `weighted` rule needs an `attribute`: `military`, `economic` or `equal`".into())
                })?;
                let attribute = Attribute::ALL
                    .into_iter()
                    .find(|x| x.name() == a)
                    .ok_or_else(|| RuleError {
                        message: format!("unknown attribute `{a}` for the weighted rule"),
                        help: crate::scenario::suggest::hint(a, Attribute::ALL.map(|x| x.name())),
                    })?;
                let q = quota.ok_or_else(|| {
                    fail("the `weighted` rule needs a `quota`, the share of the attribute that must vote yes, e.g. 0.5".into())
                })?;
                DecisionRule::Weighted {
                    attribute,
                    quota: share(&q.to_string(), "quota", kind)?,
                }
            }
            other => {
                return Err(RuleError {
                    message: format!("unknown decision rule `{other}`"),
                    help: crate::scenario::suggest::hint(other, RULE_NAMES),
                })
            }
        };
        if abstention_blocks.is_some() && !matches!(rule, DecisionRule::Unanimity { .. }) {
            return Err(unexpected("abstention_blocks"));
        }
        if threshold.is_some() && !matches!(rule, DecisionRule::QualifiedMajority { .. }) {
            return Err(unexpected("threshold"));
        }
        if attribute.is_some() && !matches!(rule, DecisionRule::Weighted { .. }) {
            return Err(unexpected("attribute"));
        }
        if quota.is_some() && !matches!(rule, DecisionRule::Weighted { .. }) {
            return Err(unexpected("quota"));
        }
        Ok(rule)
    }
}

/// Parses the command-line form (the same as the CSV label).
impl FromStr for DecisionRule {
    type Err = RuleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split(':');
        let kind = parts.next().unwrap_or("");
        let rest: Vec<&str> = parts.collect();
        let wrong_arity = |form: &str| RuleError {
            message: format!("`{s}` is not a valid rule; write it as `{form}`"),
            help: None,
        };
        match (kind, rest.as_slice()) {
            ("unanimity", []) => Ok(DecisionRule::Unanimity {
                abstention_blocks: false,
            }),
            ("unanimity", ["abstention_blocks"]) => Ok(DecisionRule::Unanimity {
                abstention_blocks: true,
            }),
            ("unanimity", _) => Err(wrong_arity("unanimity or unanimity:abstention_blocks")),
            ("majority", []) => Ok(DecisionRule::Majority),
            ("hegemon_majority", []) => Ok(DecisionRule::HegemonMajority),
            ("qualified_majority", [t]) => Ok(DecisionRule::QualifiedMajority {
                threshold: share(t, "threshold", kind)?,
            }),
            ("qualified_majority", _) => Err(wrong_arity(
                "qualified_majority:THRESHOLD, e.g. qualified_majority:0.67",
            )),
            ("weighted", [a, q]) => {
                DecisionRule::from_parts(kind, None, None, Some(a), Some(share(q, "quota", kind)?))
            }
            ("weighted", _) => Err(wrong_arity(
                "weighted:ATTRIBUTE:QUOTA, e.g. weighted:military:0.5",
            )),
            ("majority" | "hegemon_majority", _) => Err(wrong_arity(kind)),
            (other, _) => Err(RuleError {
                message: format!("unknown decision rule `{other}`"),
                help: crate::scenario::suggest::hint(other, RULE_NAMES),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Vote::*;

    const UN: DecisionRule = DecisionRule::Unanimity {
        abstention_blocks: false,
    };
    const UN_STRICT: DecisionRule = DecisionRule::Unanimity {
        abstention_blocks: true,
    };

    #[test]
    fn unanimity_lets_abstention_through_unless_told_otherwise() {
        let w = [1.0; 3];
        assert!(UN.passes(&[Yes, Yes, Yes], &w, None));
        assert!(UN.passes(&[Yes, Abstain, Abstain], &w, None));
        assert!(!UN.passes(&[Abstain, Abstain, Abstain], &w, None));
        assert!(!UN.passes(&[Yes, Yes, No], &w, None));
        assert!(!UN_STRICT.passes(&[Yes, Abstain, Yes], &w, None));
        assert!(UN_STRICT.passes(&[Yes, Yes, Yes], &w, None));
        assert!(UN_STRICT.counts_as_block(Abstain));
        assert!(!UN.counts_as_block(Abstain));
        assert!(UN.counts_as_block(No));
    }

    #[test]
    fn majorities() {
        let w = [1.0; 4];
        assert!(!DecisionRule::Majority.passes(&[Yes, Yes, No, No], &w, None));
        assert!(DecisionRule::Majority.passes(&[Yes, Yes, Yes, No], &w, None));
        let q = DecisionRule::QualifiedMajority { threshold: 0.75 };
        assert!(q.passes(&[Yes, Yes, Yes, Abstain], &w, None));
        assert!(!q.passes(&[Yes, Yes, No, Abstain], &w, None));
        let q67 = DecisionRule::QualifiedMajority { threshold: 0.67 };
        // 4 of 6 is 0.666..., short of 0.67.
        assert!(!q67.passes(&[Yes, Yes, Yes, Yes, No, No], &[1.0; 6], None));
    }

    #[test]
    fn weighted_and_hegemon() {
        let w = [0.95, 0.03, 0.02];
        let r = DecisionRule::Weighted {
            attribute: Attribute::Military,
            quota: 0.9,
        };
        assert!(r.passes(&[Yes, No, No], &w, Some(0)));
        assert!(!r.passes(&[No, Yes, Yes], &w, Some(0)));
        let h = DecisionRule::HegemonMajority;
        assert!(h.passes(&[Yes, Yes, No], &w, Some(0)));
        assert!(!h.passes(&[No, Yes, Yes], &w, Some(0)));
        assert!(!h.passes(&[Yes, No, No], &w, Some(0)));
        assert!(!h.passes(&[Yes, Yes, Yes], &w, None));
    }

    #[test]
    fn labels_round_trip() {
        for s in [
            "unanimity",
            "unanimity:abstention_blocks",
            "majority",
            "qualified_majority:0.67",
            "weighted:military:0.5",
            "weighted:equal:1",
            "hegemon_majority",
        ] {
            let r: DecisionRule = s.parse().unwrap();
            assert_eq!(r.to_string(), s);
        }
    }

    #[test]
    fn bad_rules_explain_themselves() {
        let e = "unanimty".parse::<DecisionRule>().unwrap_err();
        assert_eq!(e.help.as_deref(), Some("did you mean `unanimity`?"));
        assert!("qualified_majority".parse::<DecisionRule>().is_err());
        assert!("qualified_majority:1.5".parse::<DecisionRule>().is_err());
        assert!("weighted:militery:0.5"
            .parse::<DecisionRule>()
            .unwrap_err()
            .help
            .unwrap()
            .contains("military"));
        assert!(DecisionRule::from_parts("majority", None, Some(0.5), None, None).is_err());
    }
}
