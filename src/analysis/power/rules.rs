//! The decision rules as counted games: which coalitions win when their
//! members vote yes and every other member votes no, in the form the counting
//! engine takes (conditions on the number of members and on integer weight).

use super::{CountedGame, PowerError};
use crate::model::rule::{Quota, RuleWeights};
use crate::model::DecisionRule;

/// The counted game `rule` defines among `n` members. `weights` are the
/// members' exact amounts of the rule's attribute (needed by `weighted` and
/// `double_majority` only) and `hegemon` the hegemon's index (needed by
/// `hegemon_majority`). Returns `None` when the rule counts an attribute whose
/// amounts have no exact form ([`RuleWeights::Float`]): the caller then
/// enumerates the coalitions instead.
///
/// The game wins exactly when [`DecisionRule::passes`] passes with the
/// coalition voting yes and the others no, which the tests check coalition
/// by coalition.
pub fn counted_game(
    rule: &DecisionRule,
    n: usize,
    weights: RuleWeights<'_>,
    hegemon: Option<usize>,
) -> Result<Option<CountedGame>, PowerError> {
    if n == 0 {
        return Err(PowerError::NoPlayers);
    }
    let nobody = vec![0u64; n];
    // A size condition alone: weights 0 and no weight needed.
    let by_size = |min_members: usize| CountedGame::new(nobody.clone(), min_members, 0, n + 1);
    let game = match *rule {
        // With yes and no only, both forms of unanimity need every member.
        DecisionRule::Unanimity { .. } => by_size(n)?,
        DecisionRule::Majority => by_size(n / 2 + 1)?,
        DecisionRule::QualifiedMajority { threshold } => {
            let least = match threshold {
                Quota::Share(share) => share.ceil_of(n as u128),
                Quota::Absolute(votes) => votes.ceil_of(1),
            };
            // Beyond the members: no coalition reaches it.
            let least = least.map_or(n + 1, |m| m.min(n as u128 + 1) as usize);
            by_size(least)?
        }
        DecisionRule::HegemonMajority => {
            let mut marks = nobody.clone();
            if let Some(h) = hegemon.filter(|h| *h < n) {
                marks[h] = 1;
            }
            // Without a hegemon no coalition holds the weight of 1.
            CountedGame::new(marks, n / 2 + 1, 1, n + 1)?
        }
        DecisionRule::Weighted { quota, .. } => {
            let Some((units, per_unit)) = exact(weights) else {
                return Ok(None);
            };
            let least = least_weight(&units, per_unit, &quota);
            CountedGame::weighted(units, least)?
        }
        DecisionRule::DoubleMajority {
            members,
            population,
            blocking,
        } => {
            let Some((units, per_unit)) = exact(weights) else {
                return Ok(None);
            };
            let least_members = members
                .ceil_of(n as u128)
                .map_or(n + 1, |m| m.min(n as u128 + 1) as usize);
            let least_population = least_weight(&units, per_unit, &Quota::Share(population));
            // Fewer than `blocking` members outside: k > n − blocking.
            let too_few_to_block = (n + 1).saturating_sub(blocking as usize);
            CountedGame::new(
                units,
                least_members,
                least_population,
                least_members.max(too_few_to_block),
            )?
        }
    };
    Ok(Some(game))
}

fn exact(weights: RuleWeights<'_>) -> Option<(Vec<u64>, u64)> {
    match weights {
        RuleWeights::Exact { units, per_unit } => Some((units.to_vec(), per_unit)),
        RuleWeights::Float(_) => None,
    }
}

/// The least whole number of units that reaches `quota`; beyond every
/// coalition's reach (total + 1) when the quota cannot be met.
fn least_weight(units: &[u64], per_unit: u64, quota: &Quota) -> u128 {
    let total: u128 = units.iter().map(|u| u128::from(*u)).sum();
    let least = match quota {
        // A share of nothing is never reached (as the rule counts it).
        Quota::Share(_) if total == 0 => None,
        Quota::Share(share) => share.ceil_of(total),
        Quota::Absolute(amount) => amount.ceil_of(u128::from(per_unit)),
    };
    least.map_or(total + 1, |m| m.min(total + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::power::SimpleGame;
    use crate::model::{Attribute, Vote};

    fn rules() -> Vec<DecisionRule> {
        [
            "unanimity",
            "unanimity:abstention_blocks",
            "majority",
            "qualified_majority:2/3",
            "qualified_majority:0.28",
            "qualified_majority:votes:4",
            "qualified_majority:votes:40",
            "hegemon_majority",
            "weighted:military:1/2",
            "weighted:military:39/45",
            "weighted:military:0.8666666666666667",
            "weighted:military:amount:7.5",
            "weighted:military:amount:1000",
            "double_majority",
            "double_majority:0.55:0.65:4",
            "double_majority:1/2:3/5:2",
            "double_majority:2/3:0.5:9",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect()
    }

    /// Every rule, on weights that put many coalitions exactly on a quota,
    /// wins exactly where `passes` passes, coalition by coalition.
    #[test]
    fn counted_games_win_where_the_rule_passes() {
        let weight_sets: [&[u64]; 4] = [
            &[7, 7, 7, 7, 7, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
            &[3, 5, 8, 8, 12],
            &[10, 10, 20, 30],
            &[0, 0, 0, 0, 0, 0, 0],
        ];
        for w in weight_sets {
            let n = w.len();
            for per_unit in [1u64, 10] {
                let weights = RuleWeights::Exact { units: w, per_unit };
                for rule in rules() {
                    for hegemon in [None, Some(n - 1)] {
                        let game = counted_game(&rule, n, weights, hegemon).unwrap().unwrap();
                        let mut votes = vec![Vote::No; n];
                        for mask in 0..(1u64 << n) {
                            for (i, v) in votes.iter_mut().enumerate() {
                                *v = if mask >> i & 1 == 1 {
                                    Vote::Yes
                                } else {
                                    Vote::No
                                };
                            }
                            assert_eq!(
                                game.wins_mask(mask),
                                rule.passes(&votes, weights, hegemon),
                                "{rule} on {w:?} (per unit {per_unit}), hegemon {hegemon:?}, coalition {mask:b}"
                            );
                        }
                    }
                }
            }
        }
    }

    /// Counting and enumeration give the same exact indices for every rule.
    #[test]
    fn counted_rules_agree_with_enumeration() {
        let w: &[u64] = &[84, 68, 59, 48, 37, 19, 18, 12, 11, 10];
        let weights = RuleWeights::Exact {
            units: w,
            per_unit: 1,
        };
        let floats: Vec<f64> = w.iter().map(|x| *x as f64).collect();
        for rule in rules() {
            let counted = counted_game(&rule, w.len(), weights, Some(2))
                .unwrap()
                .unwrap()
                .indices(None)
                .unwrap();
            let listed = SimpleGame::from_rule(&rule, &floats, Some(2))
                .unwrap()
                .indices();
            assert_eq!(counted, listed, "{rule}");
        }
    }

    #[test]
    fn amounts_without_an_exact_form_are_left_to_enumeration() {
        let rule = DecisionRule::weighted(Attribute::Military, "1/2".parse().unwrap());
        let floats = [0.1, 0.2];
        assert_eq!(
            counted_game(&rule, 2, RuleWeights::Float(&floats), None).unwrap(),
            None
        );
        // Rules that count no attribute need no amounts.
        assert!(counted_game(
            &DecisionRule::Majority,
            2,
            RuleWeights::Float(&floats),
            None
        )
        .unwrap()
        .is_some());
        assert_eq!(
            counted_game(&DecisionRule::Majority, 0, RuleWeights::Float(&[]), None),
            Err(PowerError::NoPlayers)
        );
    }
}
