//! Voting power: a-priori indices of simple games, and how often each member
//! was decisive in simulated runs.
//!
//! A-priori power treats the decision rule as a simple game: a coalition S
//! wins when the rule passes with the members of S voting yes and every other
//! member voting no. Abstention plays no part. Member i is a swing for S
//! (i not in S) when S loses and S ∪ {i} wins. From the swings:
//!
//! - absolute Banzhaf index: swings_i / 2^(n−1), the chance that i's vote
//!   decides when every other member votes yes or no with probability ½;
//! - normalized Banzhaf index: swings_i / Σ_j swings_j;
//! - Shapley-Shubik index: Σ over swing coalitions S of |S|!(n−|S|−1)!/n!, the
//!   share of orderings of the members in which i turns a losing coalition
//!   into a winning one.
//!
//! When nobody ever swings (no coalition wins, not even all members together,
//! or even the empty coalition wins) every index of every member is 0, the
//! normalized Banzhaf index included (not 0/0).
//!
//! Two engines compute them, exactly (big integers and [`Fraction`]s), with
//! the same [`PowerIndices`] as result:
//!
//! - [`counting`]: [`CountedGame`], a game of integer weights with conditions
//!   on size and weight (weighted games, unanimity, majorities, the EU's double
//!   majority), counted by dynamic programming over (members, weight), up to
//!   [`counting::MAX_COUNTED_PLAYERS`] members;
//! - [`enumerate`]: [`SimpleGame`], any rule, by listing all 2^n coalitions
//!   (at most [`MAX_PLAYERS`] members); kept as the cross-check.
//!
//! The simulated counterpart counts, run by run, whether a member's vote on
//! the requested option decided whether it passed: with that one vote flipped
//! (yes to no; no or abstain to yes), would the outcome have been different?

pub mod counting;
pub mod enumerate;
pub mod fraction;
pub mod reference;
pub mod rules;
pub mod wide;

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use num_bigint::BigUint;
use num_traits::{One, Zero};
use rayon::prelude::*;

pub use counting::CountedGame;
pub use enumerate::{SimpleGame, MAX_PLAYERS};
pub use fraction::Fraction;

use crate::model::{DecisionRule, Model, Vote};
use crate::output::summary::Share;
use crate::runner::{self, CHUNK_RUNS};
use crate::scenario::Scenario;

/// Why a game's power cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PowerError {
    /// More players than can be enumerated.
    #[error(
        "voting power is computed by enumerating all 2^n coalitions, which is limited to {MAX_PLAYERS} members; this alliance has {0}"
    )]
    TooManyPlayers(usize),
    /// More players than the enumeration of a counted game handles.
    #[error(
        "enumerating all 2^n coalitions of a counted game is limited to {max} members; this game has {0}",
        max = enumerate::MAX_ENUMERATED_PLAYERS
    )]
    TooManyToEnumerate(usize),
    /// More players than the counting engine handles.
    #[error(
        "voting power is counted for at most {max} members; this game has {0}",
        max = counting::MAX_COUNTED_PLAYERS
    )]
    TooManyToCount(usize),
    /// The counting tables would be too large: the weights are too fine.
    #[error(
        "counting the coalitions of these {players} members by weight needs a table as wide as the quota ({quota}, of a total weight of {total_weight}), too large to count; write the weights in coarser units so that the total is smaller (for example populations in thousands rather than persons)"
    )]
    TableTooLarge {
        /// Number of players.
        players: usize,
        /// Sum of all weights.
        total_weight: u128,
        /// The quota (minimum weight) of the game.
        quota: u128,
    },
    /// No players.
    #[error("voting power needs at least one member")]
    NoPlayers,
    /// The weights do not match the players, or are not finite and non-negative.
    #[error("{0}")]
    BadWeights(String),
    /// Stopped through the cancel flag before the computation was done.
    #[error("the computation of voting power was stopped")]
    Cancelled,
}

fn is_set(cancel: Option<&AtomicBool>) -> bool {
    cancel.is_some_and(|c| c.load(Ordering::Relaxed))
}

/// The a-priori power of every player in a simple game, exactly and as the
/// nearest `f64`s. Both engines build it the same way from the same counts,
/// so equal games give `==` results.
#[derive(Debug, Clone, PartialEq)]
pub struct PowerIndices {
    /// Coalitions (without the player) the player turns from losing to winning.
    pub swings: Vec<BigUint>,
    /// swings / 2^(n−1).
    pub banzhaf_absolute: Vec<f64>,
    /// swings / total swings (0 when nobody ever swings).
    pub banzhaf_normalized: Vec<f64>,
    /// The Shapley-Shubik index.
    pub shapley_shubik: Vec<f64>,
    /// [`PowerIndices::banzhaf_absolute`] exactly.
    pub banzhaf_absolute_exact: Vec<Fraction>,
    /// [`PowerIndices::banzhaf_normalized`] exactly.
    pub banzhaf_normalized_exact: Vec<Fraction>,
    /// [`PowerIndices::shapley_shubik`] exactly.
    pub shapley_shubik_exact: Vec<Fraction>,
}

/// The Banzhaf indices alone ([`CountedGame::banzhaf`]).
#[derive(Debug, Clone, PartialEq)]
pub struct BanzhafIndices {
    /// Coalitions (without the player) the player turns from losing to winning.
    pub swings: Vec<BigUint>,
    /// swings / 2^(n−1).
    pub absolute: Vec<f64>,
    /// swings / total swings (0 when nobody ever swings).
    pub normalized: Vec<f64>,
    /// [`BanzhafIndices::absolute`] exactly.
    pub absolute_exact: Vec<Fraction>,
    /// [`BanzhafIndices::normalized`] exactly.
    pub normalized_exact: Vec<Fraction>,
}

impl BanzhafIndices {
    /// The Banzhaf indices of `n` players from their swings.
    pub fn from_swings(n: usize, swings: Vec<BigUint>) -> BanzhafIndices {
        let half = BigUint::one() << (n.max(1) - 1);
        let total: BigUint = swings.iter().sum();
        let absolute_exact: Vec<Fraction> = swings
            .iter()
            .map(|s| Fraction::new(s.clone(), half.clone()).expect("2^(n-1) > 0"))
            .collect();
        let normalized_exact: Vec<Fraction> = swings
            .iter()
            .map(|s| Fraction::new(s.clone(), total.clone()).unwrap_or_else(Fraction::zero))
            .collect();
        BanzhafIndices {
            absolute: absolute_exact.iter().map(Fraction::to_f64).collect(),
            normalized: normalized_exact.iter().map(Fraction::to_f64).collect(),
            swings,
            absolute_exact,
            normalized_exact,
        }
    }
}

impl PowerIndices {
    /// The indices of `n` players in classes of equal power: `by_size[c][k]`
    /// is the number of coalitions of size k, without the player, for which a
    /// player of class c swings; `class_of[i]` is player i's class.
    pub fn from_classes(n: usize, by_size: &[Vec<BigUint>], class_of: &[usize]) -> PowerIndices {
        // k!(n−k−1)! for k = 0 .. n−1, and n!.
        let mut fact = vec![BigUint::one()];
        for m in 1..=n {
            let next = &fact[m - 1] * m;
            fact.push(next);
        }
        let shapley: Vec<Fraction> = by_size
            .iter()
            .map(|row| {
                let num: BigUint = row
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| !c.is_zero())
                    .map(|(k, c)| c * &fact[k] * &fact[n - k - 1])
                    .sum();
                Fraction::new(num, fact[n].clone()).expect("n! > 0")
            })
            .collect();
        let class_swings: Vec<BigUint> = by_size.iter().map(|row| row.iter().sum()).collect();
        let swings = class_of.iter().map(|c| class_swings[*c].clone()).collect();
        let b = BanzhafIndices::from_swings(n, swings);
        let shapley_shubik_exact: Vec<Fraction> =
            class_of.iter().map(|c| shapley[*c].clone()).collect();
        PowerIndices {
            swings: b.swings,
            banzhaf_absolute: b.absolute,
            banzhaf_normalized: b.normalized,
            shapley_shubik: shapley_shubik_exact.iter().map(Fraction::to_f64).collect(),
            banzhaf_absolute_exact: b.absolute_exact,
            banzhaf_normalized_exact: b.normalized_exact,
            shapley_shubik_exact,
        }
    }

    /// The Banzhaf part.
    pub fn banzhaf(&self) -> BanzhafIndices {
        BanzhafIndices {
            swings: self.swings.clone(),
            absolute: self.banzhaf_absolute.clone(),
            normalized: self.banzhaf_normalized.clone(),
            absolute_exact: self.banzhaf_absolute_exact.clone(),
            normalized_exact: self.banzhaf_normalized_exact.clone(),
        }
    }
}

/// The a-priori indices of the members of `scenario` under `rule`, with the
/// members' amounts of the rule's attribute (spending, GDP or population) at
/// every parameter's central value, counted exactly by [`CountedGame`] (up to
/// [`counting::MAX_COUNTED_PLAYERS`] members).
pub fn a_priori(scenario: &Scenario, rule: DecisionRule) -> Result<PowerIndices, PowerError> {
    a_priori_watched(scenario, rule, None)
}

/// [`a_priori`], stopping with [`PowerError::Cancelled`] soon after `cancel`
/// is set: with many members the enumeration takes seconds.
pub fn a_priori_watched(
    scenario: &Scenario,
    rule: DecisionRule,
    cancel: Option<&AtomicBool>,
) -> Result<PowerIndices, PowerError> {
    let n = scenario.members.len();
    let model = Model::new(scenario, rule);
    let central = model.central();
    match rules::counted_game(&rule, n, central.weighing(), model.hegemon())? {
        Some(game) => game.indices(cancel),
        None => {
            // Amounts with no exact form: list the coalitions instead.
            if n > MAX_PLAYERS {
                return Err(PowerError::TooManyPlayers(n));
            }
            SimpleGame::from_rule_watched(&rule, &central.rule_weights, model.hegemon(), cancel)?
                .indices_watched(cancel)
                .ok_or(PowerError::Cancelled)
        }
    }
}

/// How often each member was decisive on the requested option in simulated runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decisiveness {
    /// Runs simulated.
    pub runs: u64,
    /// Per member: runs in which flipping its vote changed whether the
    /// requested option passed.
    pub decisive: Vec<u64>,
}

impl Decisiveness {
    /// Member `i`'s share of decisive runs with its 95% Wilson interval.
    pub fn share(&self, i: usize) -> Share {
        Share::of(self.decisive[i], self.runs)
    }
}

/// Whether each member's vote decided whether the proposal passed: bit i is
/// set when flipping member i's vote (yes to no; no or abstain to yes)
/// changes the result of `rule.passes`. `votes` is restored before returning.
pub fn decisive_members(
    rule: &DecisionRule,
    votes: &mut [Vote],
    weights: &[f64],
    hegemon: Option<usize>,
) -> u64 {
    let passed = rule.passes(votes, weights, hegemon);
    let mut set = 0u64;
    for i in 0..votes.len() {
        let was = votes[i];
        // A party excluded from the vote has no vote to flip.
        if was == Vote::Absent {
            continue;
        }
        votes[i] = if was == Vote::Yes {
            Vote::No
        } else {
            Vote::Yes
        };
        if rule.passes(votes, weights, hegemon) != passed {
            set |= 1 << i;
        }
        votes[i] = was;
    }
    set
}

/// Work units handed to the pool between progress reports.
const CHUNKS_PER_BATCH: u64 = 64;

/// Simulates runs `0..runs` of `model` with master seed `seed`, with the same
/// generators as [`runner::simulate`], and counts for every member the runs in
/// which it was decisive on the requested option. The counts do not depend on
/// the number of threads. `progress` receives the runs finished so far;
/// returns `None` if `cancel` was set before the end.
pub fn simulated(
    model: &Model,
    seed: u64,
    runs: u64,
    progress: Option<&dyn Fn(u64)>,
    cancel: Option<&AtomicBool>,
) -> Option<Decisiveness> {
    let n = model.members();
    let mut total = vec![0u64; n];
    let chunks = runs.div_ceil(CHUNK_RUNS);
    let stopped = || cancel.is_some_and(|c| c.load(Ordering::Relaxed));
    let mut next = 0;
    while next < chunks {
        if stopped() {
            return None;
        }
        let batch = next..(next + CHUNKS_PER_BATCH).min(chunks);
        let counts: Vec<Vec<u64>> = batch
            .clone()
            .into_par_iter()
            .map(|c| {
                let lo = c * CHUNK_RUNS;
                decisive_chunk(model, seed, lo..(lo + CHUNK_RUNS).min(runs))
            })
            .collect();
        for c in &counts {
            for (t, x) in total.iter_mut().zip(c) {
                *t += x;
            }
        }
        next = batch.end;
        if let Some(p) = progress {
            p((next * CHUNK_RUNS).min(runs));
        }
    }
    if stopped() {
        return None;
    }
    Some(Decisiveness {
        runs,
        decisive: total,
    })
}

fn decisive_chunk(model: &Model, seed: u64, runs: Range<u64>) -> Vec<u64> {
    let rule = model.rule();
    let hegemon = model.hegemon();
    let mut counts = vec![0u64; model.members()];
    let mut scratch = model.scratch();
    let mut votes = vec![Vote::Abstain; model.members()];
    for run in runs {
        let mut rng = runner::run_rng(seed, run);
        model.simulate(&mut rng, &mut scratch);
        votes.copy_from_slice(&scratch.requested_votes);
        let set = decisive_members(&rule, &mut votes, model.rule_weights(&scratch), hegemon);
        for (i, c) in counts.iter_mut().enumerate() {
            *c += set >> i & 1;
        }
    }
    counts
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::model::Attribute;

    pub(super) fn big(xs: &[u64]) -> Vec<BigUint> {
        xs.iter().map(|x| BigUint::from(*x)).collect()
    }

    pub(super) fn fracs(xs: &[&str]) -> Vec<Fraction> {
        xs.iter().map(|x| x.parse().unwrap()).collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    fn all_close(xs: &[f64], ys: &[f64]) {
        assert_eq!(xs.len(), ys.len());
        for (x, y) in xs.iter().zip(ys) {
            assert!(close(*x, *y), "{xs:?} != {ys:?}");
        }
    }

    /// A set flag stops both the enumeration of winning coalitions and that
    /// of swings; an unset one changes nothing.
    #[test]
    fn a_set_flag_stops_the_enumeration() {
        let stop = AtomicBool::new(true);
        let majority = |s: u64| s.count_ones() >= 11;
        assert_eq!(
            SimpleGame::from_fn_watched(20, majority, Some(&stop)),
            Err(PowerError::Cancelled)
        );
        let game = SimpleGame::from_fn(20, majority).unwrap();
        assert!(game.indices_watched(Some(&stop)).is_none());
        let go = AtomicBool::new(false);
        assert_eq!(
            SimpleGame::from_fn_watched(20, majority, Some(&go)).unwrap(),
            game
        );
        assert_eq!(game.indices_watched(Some(&go)), Some(game.indices()));
    }

    #[test]
    fn an_absent_member_is_never_decisive() {
        // Majority of the two taking part: one yes and one no fails; the no
        // voter decides it, and the absent party, which a flip would bring
        // in as a third voter, decides nothing.
        let mut votes = [Vote::Yes, Vote::No, Vote::Absent];
        let set = decisive_members(&DecisionRule::Majority, &mut votes, &[1.0; 3], None);
        assert_eq!(set, 0b010);
        assert_eq!(votes, [Vote::Yes, Vote::No, Vote::Absent]);
    }

    #[test]
    fn eec_council_1958() {
        // France, Germany, Italy 4; Belgium, the Netherlands 2; Luxembourg 1; quota 12 of 17.
        let w = [4.0, 4.0, 4.0, 2.0, 2.0, 1.0];
        let p = SimpleGame::weighted(&w, 12.0).unwrap().indices();
        assert_eq!(p.swings, big(&[10, 10, 10, 6, 6, 0]));
        let (big, small) = (5.0 / 21.0, 1.0 / 7.0);
        all_close(&p.banzhaf_normalized, &[big, big, big, small, small, 0.0]);
        all_close(
            &p.shapley_shubik,
            &[
                7.0 / 30.0,
                7.0 / 30.0,
                7.0 / 30.0,
                3.0 / 20.0,
                3.0 / 20.0,
                0.0,
            ],
        );
        assert_eq!(
            p.shapley_shubik_exact,
            fracs(&["7/30", "7/30", "7/30", "3/20", "3/20", "0"])
        );
        assert_eq!(
            p.banzhaf_normalized_exact,
            fracs(&["5/21", "5/21", "5/21", "1/7", "1/7", "0"])
        );
        // Counted instead of enumerated: the same indices, to the last bit.
        assert_eq!(reference::eec_1958().indices(None).unwrap(), p);
        all_close(
            &p.banzhaf_absolute,
            &[
                10.0 / 32.0,
                10.0 / 32.0,
                10.0 / 32.0,
                6.0 / 32.0,
                6.0 / 32.0,
                0.0,
            ],
        );
        // The same game as a share of the total, as the `weighted` rule counts.
        let q = SimpleGame::weighted_share(&w, 12.0 / 17.0).unwrap();
        assert_eq!(q, SimpleGame::weighted(&w, 12.0).unwrap());
    }

    #[test]
    fn unanimity_is_formal_equality() {
        for abstention_blocks in [false, true] {
            let rule = DecisionRule::Unanimity { abstention_blocks };
            for n in 1..=7usize {
                let p = SimpleGame::from_rule(&rule, &vec![1.0; n], None)
                    .unwrap()
                    .indices();
                let half = (1u64 << (n - 1)) as f64;
                all_close(&p.banzhaf_normalized, &vec![1.0 / n as f64; n]);
                all_close(&p.banzhaf_absolute, &vec![1.0 / half; n]);
                all_close(&p.shapley_shubik, &vec![1.0 / n as f64; n]);
            }
        }
    }

    #[test]
    fn simple_majority_of_three() {
        let p = SimpleGame::from_rule(&DecisionRule::Majority, &[1.0; 3], None)
            .unwrap()
            .indices();
        all_close(&p.banzhaf_normalized, &[1.0 / 3.0; 3]);
        all_close(&p.shapley_shubik, &[1.0 / 3.0; 3]);
        all_close(&p.banzhaf_absolute, &[0.5; 3]);
    }

    #[test]
    fn dictator_and_dummy() {
        // Player 0 holds 60% of the weight against a 0.5 quota: a dictator.
        let rule = DecisionRule::Weighted {
            attribute: Attribute::Military,
            quota: crate::model::Quota::Share("0.5".parse().unwrap()),
        };
        let p = SimpleGame::from_rule(&rule, &[0.6, 0.3, 0.1], None)
            .unwrap()
            .indices();
        all_close(&p.banzhaf_normalized, &[1.0, 0.0, 0.0]);
        all_close(&p.banzhaf_absolute, &[1.0, 0.0, 0.0]);
        all_close(&p.shapley_shubik, &[1.0, 0.0, 0.0]);
        // Quota 5 of weights 3, 2, 1: player 2 is a dummy, it never swings.
        let p = SimpleGame::weighted(&[3.0, 2.0, 1.0], 5.0)
            .unwrap()
            .indices();
        assert_eq!(p.swings[2], BigUint::zero());
        assert!(close(p.shapley_shubik[2], 0.0));
        all_close(&p.banzhaf_normalized, &[0.5, 0.5, 0.0]);
        all_close(&p.shapley_shubik, &[0.5, 0.5, 0.0]);
    }

    #[test]
    fn hegemon_majority_favours_the_hegemon() {
        let p = SimpleGame::from_rule(&DecisionRule::HegemonMajority, &[1.0; 6], Some(2))
            .unwrap()
            .indices();
        for i in [0, 1, 3, 4, 5] {
            assert!(p.banzhaf_normalized[2] > p.banzhaf_normalized[i]);
            assert!(p.shapley_shubik[2] > p.shapley_shubik[i]);
            assert!(close(p.shapley_shubik[i], p.shapley_shubik[0]));
        }
        let total: f64 = p.shapley_shubik.iter().sum();
        assert!(close(total, 1.0));
    }

    #[test]
    fn too_many_players_is_refused() {
        let e = SimpleGame::from_rule(&DecisionRule::Majority, &[1.0; 26], None).unwrap_err();
        assert_eq!(e, PowerError::TooManyPlayers(26));
        assert!(e.to_string().contains("25"));
        assert_eq!(
            SimpleGame::weighted(&[], 1.0).unwrap_err(),
            PowerError::NoPlayers
        );
    }

    #[test]
    fn decisive_votes() {
        use Vote::*;
        let un = DecisionRule::Unanimity {
            abstention_blocks: false,
        };
        let w = [1.0; 3];
        // Everyone yes under unanimity: each could have blocked.
        assert_eq!(decisive_members(&un, &mut [Yes, Yes, Yes], &w, None), 0b111);
        // One no: only that member could have let it through.
        assert_eq!(decisive_members(&un, &mut [Yes, No, Yes], &w, None), 0b010);
        // Two noes: nobody alone changes it.
        assert_eq!(decisive_members(&un, &mut [No, No, Yes], &w, None), 0);
        let maj = DecisionRule::Majority;
        assert_eq!(decisive_members(&maj, &mut [Yes, Yes, No], &w, None), 0b011);
        assert_eq!(
            decisive_members(&maj, &mut [Yes, Abstain, No], &w, None),
            0b110
        );
    }
}
