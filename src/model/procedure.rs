//! The procedure: the chair proposes the requested option, then each milder
//! one in turn, until one passes the rule; if none does, nothing is done.

use super::rule::{DecisionRule, RuleWeights, Vote};

/// What one run of the procedure decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Adopted option level (0 = no action).
    pub level: usize,
    /// Proposals put to a vote.
    pub rounds: u32,
    /// Members who blocked the requested option (bit i = member i); empty if it passed.
    pub blockers: u64,
}

impl Decision {
    /// The only member who blocked the requested option, if exactly one did.
    pub fn sole_blocker(&self) -> Option<usize> {
        (self.blockers.count_ones() == 1).then(|| self.blockers.trailing_zeros() as usize)
    }
}

/// What the rule needs besides the votes: each member's weight, the
/// hegemon, and how many members are absent from every vote (the excluded
/// parties to the dispute).
#[derive(Debug, Clone, Copy)]
pub struct Counting<'a> {
    /// Each member's weight under the rule.
    pub weights: RuleWeights<'a>,
    /// The hegemon's index, if any.
    pub hegemon: Option<usize>,
    /// Members whose vote is `Absent` on every proposal.
    pub absent: usize,
}

impl Counting<'_> {
    fn passes(&self, rule: &DecisionRule, votes: &[Vote]) -> bool {
        rule.passes_with_absent(votes, self.weights, self.hegemon, self.absent)
    }
}

/// Runs the procedure. `vote(level, out)` fills `out` with every member's
/// vote on `level`; the votes on the requested option are left in `requested_votes`.
pub fn decide(
    rule: &DecisionRule,
    requested: usize,
    counting: Counting,
    requested_votes: &mut [Vote],
    scratch: &mut [Vote],
    mut vote: impl FnMut(usize, &mut [Vote]),
) -> Decision {
    vote(requested, requested_votes);
    if counting.passes(rule, requested_votes) {
        return Decision {
            level: requested,
            rounds: 1,
            blockers: 0,
        };
    }
    let blockers = requested_votes
        .iter()
        .enumerate()
        .filter(|(_, v)| rule.counts_as_block(**v))
        .fold(0u64, |set, (i, _)| set | (1u64 << i));
    let mut rounds = 1;
    for level in (1..requested).rev() {
        rounds += 1;
        vote(level, scratch);
        if counting.passes(rule, scratch) {
            return Decision {
                level,
                rounds,
                blockers,
            };
        }
    }
    Decision {
        level: 0,
        rounds,
        blockers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Vote::*;

    const UN: DecisionRule = DecisionRule::Unanimity {
        abstention_blocks: false,
    };

    /// Each member supports options up to its own ceiling.
    fn run(ceilings: &[usize], requested: usize, rule: DecisionRule) -> Decision {
        let n = ceilings.len();
        let (mut req, mut scratch) = (vec![Abstain; n], vec![Abstain; n]);
        decide(
            &rule,
            requested,
            Counting {
                weights: RuleWeights::Float(&vec![1.0; n]),
                hegemon: Some(0),
                absent: 0,
            },
            &mut req,
            &mut scratch,
            |k, out| {
                for (i, c) in ceilings.iter().enumerate() {
                    out[i] = if k <= *c { Yes } else { No };
                }
            },
        )
    }

    #[test]
    fn settles_on_most_ambitious_option_nobody_blocks() {
        let d = run(&[3, 2, 3], 3, UN);
        assert_eq!(d.level, 2);
        assert_eq!(d.rounds, 2);
        assert_eq!(d.blockers, 0b010);
        assert_eq!(d.sole_blocker(), Some(1));
    }

    #[test]
    fn requested_passes_first_round() {
        let d = run(&[3, 3], 2, UN);
        assert_eq!((d.level, d.rounds, d.blockers), (2, 1, 0));
        assert_eq!(d.sole_blocker(), None);
    }

    #[test]
    fn nothing_passes() {
        let d = run(&[0, 3, 0], 3, UN);
        assert_eq!((d.level, d.rounds), (0, 3));
        assert_eq!(d.blockers, 0b101);
        assert_eq!(d.sole_blocker(), None);
    }

    #[test]
    fn majority_overrides_a_lone_no() {
        let d = run(&[3, 3, 0], 3, DecisionRule::Majority);
        assert_eq!(d.level, 3);
    }
}
