//! Decision rules: given every member's vote on a proposal, does it pass, and
//! who counts as having blocked it.
//!
//! Quotas are exact: a share is a [`Ratio`] as written (`0.67`, `2/3`), an
//! absolute quota a number of votes or an amount of an attribute, and the
//! weights a rule counts are whole numbers of a common unit when the values
//! allow it ([`RuleWeights::Exact`]), so that a coalition sitting exactly on
//! the quota passes. How the rules are written is in `parse`.

mod meaning;
pub(crate) mod parse;
#[cfg(test)]
mod tests;

pub use parse::{RuleError, RuleParts, RULE_ALIASES, RULE_NAMES};

use super::quota::Ratio;

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
    /// Military spending (billions of USD).
    Military,
    /// GDP (billions of USD).
    Economic,
    /// One unit per member (a weighted rule then equals a qualified majority).
    Equal,
    /// Population (thousands), which members give only where a rule needs it.
    Population,
}

impl Attribute {
    /// The name used in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Attribute::Military => "military",
            Attribute::Economic => "economic",
            Attribute::Equal => "equal",
            Attribute::Population => "population",
        }
    }

    /// What the attribute is, in words ("military spending (billions of
    /// USD)"), for sentences about a rule.
    pub fn noun(self) -> &'static str {
        match self {
            Attribute::Military => "military spending (billions of USD)",
            Attribute::Economic => "GDP (billions of USD)",
            Attribute::Equal => "votes (one per member)",
            Attribute::Population => "population (thousands)",
        }
    }

    /// All attributes, for messages.
    pub const ALL: [Attribute; 4] = [
        Attribute::Military,
        Attribute::Economic,
        Attribute::Equal,
        Attribute::Population,
    ];

    /// The attribute of this name.
    pub fn from_name(name: &str) -> Option<Attribute> {
        Attribute::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// What a quota asks for: a share of the whole, or an absolute number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quota {
    /// A share of all members (or of the attribute's total among the members
    /// taking part), in (0, 1].
    Share(Ratio),
    /// An absolute number: yes votes (a whole number) for a qualified
    /// majority, an amount of the attribute (in its own unit) for a weighted
    /// rule. Above 0.
    Absolute(Ratio),
}

impl Quota {
    /// Whether `part` of `whole` meets the quota, `per_unit` of the counted
    /// units making one unit of the absolute quota. Exact.
    #[inline]
    pub fn reached_by(&self, part: u128, whole: u128, per_unit: u128) -> bool {
        match self {
            Quota::Share(r) => r.reached_by(part, whole),
            Quota::Absolute(a) => a.reached_by(part, per_unit),
        }
    }

    /// [`Quota::reached_by`] in floating point, for weights with no exact
    /// form: `part * den >= num * whole`, exact whenever the weights are
    /// whole numbers below 2^53 / den.
    #[inline]
    pub fn reached_by_f64(&self, part: f64, whole: f64) -> bool {
        match self {
            Quota::Share(r) => whole > 0.0 && part * r.denom() as f64 >= r.numer() as f64 * whole,
            Quota::Absolute(a) => part * a.denom() as f64 >= a.numer() as f64,
        }
    }
}

/// The default share of members under `double_majority` (TEU Art. 16(4)).
pub const DOUBLE_MAJORITY_MEMBERS: &str = "0.55";
/// The default share of population under `double_majority` (TEU Art. 16(4)).
pub const DOUBLE_MAJORITY_POPULATION: &str = "0.65";
/// The default least number of members of a blocking minority (TEU Art. 16(4)).
pub const DOUBLE_MAJORITY_BLOCKING: u32 = 4;

/// How the alliance turns votes into a decision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DecisionRule {
    /// Consensus (label `consensus`): no member votes no and at least one
    /// votes yes, so an abstention does not block. With `abstention_blocks`,
    /// strict unanimity (label `strict_unanimity`): every member taking part
    /// must vote yes. Both were once labelled `unanimity`
    /// (`unanimity:abstention_blocks`), which still parse.
    Unanimity {
        /// Whether an abstention counts as a veto.
        abstention_blocks: bool,
    },
    /// More than half of all members vote yes.
    Majority,
    /// At least `threshold` of all members vote yes: a share of the members
    /// taking part, or a number of yes votes.
    QualifiedMajority {
        /// Share of members, or number of yes votes, needed.
        threshold: Quota,
    },
    /// The members voting yes hold at least `quota` of the attribute: a
    /// share of the total of the members taking part, or an amount.
    Weighted {
        /// What is counted.
        attribute: Attribute,
        /// Share or amount needed.
        quota: Quota,
    },
    /// The hegemon votes yes and more than half of all members vote yes.
    HegemonMajority,
    /// The Council of the EU's qualified majority (TEU Art. 16(4), TFEU Art.
    /// 238(3)): at least `members` of the members taking part vote yes, and
    /// they hold at least `population` of those members' population; when
    /// fewer than `blocking` members do not vote yes, the population test is
    /// deemed met.
    DoubleMajority {
        /// Share of members needed, in (0, 1].
        members: Ratio,
        /// Share of population needed, in (0, 1].
        population: Ratio,
        /// Least number of members a blocking minority must have.
        blocking: u32,
    },
}

/// Each member's weight under a rule that counts an attribute, in the form
/// the comparison takes.
#[derive(Debug, Clone, Copy)]
pub enum RuleWeights<'a> {
    /// Whole numbers of a common unit, `per_unit` of them making one unit of
    /// the attribute (see [`super::quota::exact_units`]): compared exactly.
    Exact {
        /// Each member's amount in units.
        units: &'a [u64],
        /// Units in one unit of the attribute (a power of ten).
        per_unit: u64,
    },
    /// Floating-point amounts, for values with no exact form (see
    /// [`Quota::reached_by_f64`]).
    Float(&'a [f64]),
}

impl<'a> From<&'a [f64]> for RuleWeights<'a> {
    fn from(w: &'a [f64]) -> RuleWeights<'a> {
        RuleWeights::Float(w)
    }
}

impl<'a> From<&'a Vec<f64>> for RuleWeights<'a> {
    fn from(w: &'a Vec<f64>) -> RuleWeights<'a> {
        RuleWeights::Float(w)
    }
}

impl<'a, const N: usize> From<&'a [f64; N]> for RuleWeights<'a> {
    fn from(w: &'a [f64; N]) -> RuleWeights<'a> {
        RuleWeights::Float(w)
    }
}

impl RuleWeights<'_> {
    /// The weight of the members voting yes and of all members taking part.
    #[inline]
    fn tally(&self, votes: &[Vote]) -> Tally {
        match *self {
            RuleWeights::Exact { units, per_unit } => {
                let (mut yes, mut total) = (0u128, 0u128);
                for (v, &u) in votes.iter().zip(units) {
                    let u = u128::from(u);
                    match v {
                        Vote::Yes => {
                            yes += u;
                            total += u;
                        }
                        Vote::No | Vote::Abstain => total += u,
                        Vote::Absent => {}
                    }
                }
                Tally::Exact {
                    yes,
                    total,
                    per_unit: u128::from(per_unit),
                }
            }
            RuleWeights::Float(weights) => {
                let (mut yes, mut total) = (0.0, 0.0);
                for (v, &w) in votes.iter().zip(weights) {
                    match v {
                        Vote::Yes => {
                            yes += w;
                            total += w;
                        }
                        Vote::No | Vote::Abstain => total += w,
                        Vote::Absent => {}
                    }
                }
                Tally::Float { yes, total }
            }
        }
    }
}

/// Weight for and in total.
enum Tally {
    Exact {
        yes: u128,
        total: u128,
        per_unit: u128,
    },
    Float {
        yes: f64,
        total: f64,
    },
}

impl Tally {
    #[inline]
    fn reaches(&self, quota: &Quota) -> bool {
        match *self {
            Tally::Exact {
                yes,
                total,
                per_unit,
            } => quota.reached_by(yes, total, per_unit),
            Tally::Float { yes, total } => quota.reached_by_f64(yes, total),
        }
    }
}

impl DecisionRule {
    /// `qualified_majority` with a share of members.
    pub fn qualified_majority(share: Ratio) -> DecisionRule {
        DecisionRule::QualifiedMajority {
            threshold: Quota::Share(share),
        }
    }

    /// `weighted` with a share of the attribute.
    pub fn weighted(attribute: Attribute, share: Ratio) -> DecisionRule {
        DecisionRule::Weighted {
            attribute,
            quota: Quota::Share(share),
        }
    }

    /// `double_majority` with the Treaty's thresholds: 55% of members, 65%
    /// of population, a blocking minority of at least 4 members.
    pub fn double_majority() -> DecisionRule {
        DecisionRule::DoubleMajority {
            members: DOUBLE_MAJORITY_MEMBERS.parse().expect("a valid share"),
            population: DOUBLE_MAJORITY_POPULATION.parse().expect("a valid share"),
            blocking: DOUBLE_MAJORITY_BLOCKING,
        }
    }

    /// Whether a proposal passes. `weights` are the members' amounts of the
    /// rule's attribute (used by the weighted and double-majority rules
    /// only; a plain `&[f64]` converts) and `hegemon` the hegemon's index.
    /// Members whose vote is `Absent` count for nothing: `n` is the number of
    /// members taking part, and an absent hegemon's yes is not required.
    pub fn passes<'w>(
        &self,
        votes: &[Vote],
        weights: impl Into<RuleWeights<'w>>,
        hegemon: Option<usize>,
    ) -> bool {
        let absent = votes.iter().filter(|v| **v == Vote::Absent).count();
        self.passes_with_absent(votes, weights.into(), hegemon, absent)
    }

    /// [`DecisionRule::passes`] for a caller that knows how many votes are
    /// `Absent` (the model does: the excluded parties), sparing a count on
    /// every proposal of every run.
    pub fn passes_with_absent(
        &self,
        votes: &[Vote],
        weights: RuleWeights,
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
                n > 0 && threshold.reached_by(yes as u128, n as u128, 1)
            }
            DecisionRule::Weighted { quota, .. } => weights.tally(votes).reaches(&quota),
            DecisionRule::HegemonMajority => {
                let hegemon_agrees = hegemon
                    .is_some_and(|h| matches!(votes.get(h), Some(Vote::Yes) | Some(Vote::Absent)));
                hegemon_agrees && 2 * yes > n
            }
            DecisionRule::DoubleMajority {
                members,
                population,
                blocking,
            } => {
                if !members.reached_by(yes as u128, n as u128) {
                    return false;
                }
                // Too few members outside the coalition to block it.
                if ((n - yes) as u64) < u64::from(blocking) {
                    return true;
                }
                weights.tally(votes).reaches(&Quota::Share(population))
            }
        }
    }

    /// Whether a vote counts as blocking a proposal that failed: a "no"; an
    /// abstention under strict unanimity, and under the
    /// double majority, where (as in the Council) not voting yes has the
    /// effect of a no and counts toward a blocking minority.
    pub fn counts_as_block(&self, vote: Vote) -> bool {
        match vote {
            Vote::No => true,
            Vote::Abstain => matches!(
                self,
                DecisionRule::Unanimity {
                    abstention_blocks: true
                } | DecisionRule::DoubleMajority { .. }
            ),
            Vote::Yes | Vote::Absent => false,
        }
    }

    /// The member attribute the rule weighs votes by, if any: the weighted
    /// rule's, and population for the double majority.
    pub fn attribute(&self) -> Option<Attribute> {
        match self {
            DecisionRule::Weighted { attribute, .. } => Some(*attribute),
            DecisionRule::DoubleMajority { .. } => Some(Attribute::Population),
            _ => None,
        }
    }
}
