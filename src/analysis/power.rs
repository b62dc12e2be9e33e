//! Voting power: a-priori indices by coalition enumeration, and how often each
//! member was decisive in simulated runs.
//!
//! A-priori power treats the decision rule as a simple game: a coalition S
//! (a set of members, as a bit mask) wins when the rule passes with the
//! members of S voting yes and every other member voting no. Abstention plays
//! no part. Member i is a swing in S (i not in S) when S loses and S ∪ {i}
//! wins. From the swings:
//!
//! - absolute Banzhaf index: swings_i / 2^(n−1), the chance that i's vote
//!   decides when every other member votes yes or no with probability ½;
//! - normalized Banzhaf index: swings_i / Σ_j swings_j;
//! - Shapley-Shubik index: Σ over swing coalitions S of |S|!(n−|S|−1)!/n!, the
//!   share of orderings of the members in which i turns a losing coalition
//!   into a winning one.
//!
//! The simulated counterpart counts, run by run, whether a member's vote on
//! the requested option decided whether it passed: with that one vote flipped
//! (yes to no; no or abstain to yes), would the outcome have been different?

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::model::{DecisionRule, Model, Vote};
use crate::output::summary::Share;
use crate::runner::{self, CHUNK_RUNS};
use crate::scenario::Scenario;

/// Most players whose coalitions are enumerated (2^25 coalitions).
pub const MAX_PLAYERS: usize = 25;

/// Why a game cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PowerError {
    /// More players than can be enumerated.
    #[error(
        "voting power is computed by enumerating all 2^n coalitions, which is limited to {MAX_PLAYERS} members; this alliance has {0}"
    )]
    TooManyPlayers(usize),
    /// No players.
    #[error("voting power needs at least one member")]
    NoPlayers,
    /// The weights do not match the players, or are not finite and non-negative.
    #[error("{0}")]
    BadWeights(String),
    /// Stopped through the cancel flag before the enumeration was done.
    #[error("the enumeration of coalitions was stopped")]
    Cancelled,
}

/// Coalitions enumerated between two looks at the cancel flag.
const COALITIONS_PER_LOOK: u64 = 1 << 16;

fn is_set(cancel: Option<&AtomicBool>) -> bool {
    cancel.is_some_and(|c| c.load(Ordering::Relaxed))
}

/// A simple game: `n` players and, for every coalition, whether it wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleGame {
    n: usize,
    /// Bit `s` is set when coalition `s` wins.
    winning: Vec<u64>,
}

impl SimpleGame {
    /// The game whose winning coalitions are those for which `wins(mask)` is
    /// true; bit i of `mask` is player i.
    pub fn from_fn(n: usize, wins: impl FnMut(u64) -> bool) -> Result<SimpleGame, PowerError> {
        SimpleGame::from_fn_watched(n, wins, None)
    }

    /// [`SimpleGame::from_fn`], stopping with [`PowerError::Cancelled`] soon
    /// after `cancel` is set.
    pub fn from_fn_watched(
        n: usize,
        mut wins: impl FnMut(u64) -> bool,
        cancel: Option<&AtomicBool>,
    ) -> Result<SimpleGame, PowerError> {
        if n == 0 {
            return Err(PowerError::NoPlayers);
        }
        if n > MAX_PLAYERS {
            return Err(PowerError::TooManyPlayers(n));
        }
        let size = 1u64 << n;
        let mut winning = vec![0u64; size.div_ceil(64) as usize];
        for s in 0..size {
            if s % COALITIONS_PER_LOOK == 0 && is_set(cancel) {
                return Err(PowerError::Cancelled);
            }
            if wins(s) {
                winning[(s / 64) as usize] |= 1 << (s % 64);
            }
        }
        Ok(SimpleGame { n, winning })
    }

    /// The game a decision rule defines: a coalition wins when the rule
    /// passes with its members voting yes and the others no. `weights` are
    /// the rule weights (used by weighted rules; one per member) and
    /// `hegemon` the hegemon's index (used by `hegemon_majority`).
    pub fn from_rule(
        rule: &DecisionRule,
        weights: &[f64],
        hegemon: Option<usize>,
    ) -> Result<SimpleGame, PowerError> {
        SimpleGame::from_rule_watched(rule, weights, hegemon, None)
    }

    /// [`SimpleGame::from_rule`], stopping with [`PowerError::Cancelled`]
    /// soon after `cancel` is set.
    pub fn from_rule_watched(
        rule: &DecisionRule,
        weights: &[f64],
        hegemon: Option<usize>,
        cancel: Option<&AtomicBool>,
    ) -> Result<SimpleGame, PowerError> {
        check_weights(weights)?;
        let n = weights.len();
        let mut votes = vec![Vote::No; n];
        let wins = |s: u64| {
            for (i, v) in votes.iter_mut().enumerate() {
                *v = if s >> i & 1 == 1 { Vote::Yes } else { Vote::No };
            }
            rule.passes(&votes, weights, hegemon)
        };
        SimpleGame::from_fn_watched(n, wins, cancel)
    }

    /// The weighted game [quota; weights]: a coalition wins when its weights
    /// add up to at least `quota` (an absolute amount, not a share). With
    /// integer weights the sums are exact.
    pub fn weighted(weights: &[f64], quota: f64) -> Result<SimpleGame, PowerError> {
        check_weights(weights)?;
        if !quota.is_finite() {
            return Err(PowerError::BadWeights(format!(
                "the quota must be a finite number, found {}",
                crate::text::num(quota)
            )));
        }
        SimpleGame::from_fn(weights.len(), |s| {
            let sum: f64 = weights
                .iter()
                .enumerate()
                .filter(|(i, _)| s >> i & 1 == 1)
                .map(|(_, w)| *w)
                .sum();
            sum >= quota
        })
    }

    /// The weighted game in which a coalition wins when it holds at least
    /// `share` of the total weight, as the `weighted` rule counts.
    pub fn weighted_share(weights: &[f64], share: f64) -> Result<SimpleGame, PowerError> {
        let share = crate::model::Ratio::from_f64(share)
            .filter(|r| r.is_share())
            .ok_or_else(|| PowerError::BadWeights(format!("the share {share} is not in (0, 1]")))?;
        let rule = DecisionRule::weighted(crate::model::Attribute::Equal, share);
        SimpleGame::from_rule(&rule, weights, None)
    }

    /// Number of players.
    pub fn players(&self) -> usize {
        self.n
    }

    /// Whether coalition `s` (bit i = player i) wins.
    pub fn wins(&self, s: u64) -> bool {
        self.winning[(s / 64) as usize] >> (s % 64) & 1 == 1
    }

    /// The exact power indices of every player.
    pub fn indices(&self) -> PowerIndices {
        self.indices_watched(None).expect("nothing cancels it")
    }

    /// [`SimpleGame::indices`], or `None` soon after `cancel` is set.
    pub fn indices_watched(&self, cancel: Option<&AtomicBool>) -> Option<PowerIndices> {
        let n = self.n;
        // swings_by_size[i][k]: coalitions of size k, without i, for which i swings.
        let mut by_size = vec![vec![0u64; n]; n];
        for s in 0..(1u64 << n) {
            if s % COALITIONS_PER_LOOK == 0 && is_set(cancel) {
                return None;
            }
            if !self.wins(s) {
                continue;
            }
            let k = s.count_ones() as usize;
            for (i, counts) in by_size.iter_mut().enumerate() {
                let bit = 1u64 << i;
                if s & bit != 0 && !self.wins(s & !bit) {
                    counts[k - 1] += 1;
                }
            }
        }
        let swings: Vec<u64> = by_size.iter().map(|c| c.iter().sum()).collect();
        let total: u64 = swings.iter().sum();
        let half = (1u64 << (n - 1)) as f64;
        // Shapley-Shubik as an exact fraction over n!: k!(n−k−1)! per swing of size k.
        let fact = |m: usize| (1..=m as u128).product::<u128>();
        let denominator = fact(n);
        let shapley_shubik_numerators: Vec<u128> = by_size
            .iter()
            .map(|counts| {
                counts
                    .iter()
                    .enumerate()
                    .map(|(k, c)| u128::from(*c) * fact(k) * fact(n - k - 1))
                    .sum()
            })
            .collect();
        Some(PowerIndices {
            banzhaf_absolute: swings.iter().map(|s| *s as f64 / half).collect(),
            banzhaf_normalized: swings
                .iter()
                .map(|s| {
                    if total == 0 {
                        0.0
                    } else {
                        *s as f64 / total as f64
                    }
                })
                .collect(),
            shapley_shubik: shapley_shubik_numerators
                .iter()
                .map(|x| *x as f64 / denominator as f64)
                .collect(),
            swings,
            shapley_shubik_numerators,
            shapley_shubik_denominator: denominator,
        })
    }
}

fn check_weights(weights: &[f64]) -> Result<(), PowerError> {
    if weights.is_empty() {
        return Err(PowerError::NoPlayers);
    }
    if weights.len() > MAX_PLAYERS {
        return Err(PowerError::TooManyPlayers(weights.len()));
    }
    if let Some(w) = weights.iter().find(|w| !w.is_finite() || **w < 0.0) {
        return Err(PowerError::BadWeights(format!(
            "weights must be finite and non-negative, found {}",
            crate::text::num(*w)
        )));
    }
    Ok(())
}

/// The a-priori power of every player in a simple game.
#[derive(Debug, Clone, PartialEq)]
pub struct PowerIndices {
    /// Coalitions (without the player) the player turns from losing to winning.
    pub swings: Vec<u64>,
    /// swings / 2^(n−1).
    pub banzhaf_absolute: Vec<f64>,
    /// swings / total swings (0 when nobody ever swings).
    pub banzhaf_normalized: Vec<f64>,
    /// The Shapley-Shubik index.
    pub shapley_shubik: Vec<f64>,
    /// The Shapley-Shubik index exactly: numerator over `shapley_shubik_denominator` (n!).
    pub shapley_shubik_numerators: Vec<u128>,
    /// n!.
    pub shapley_shubik_denominator: u128,
}

/// The a-priori indices of the members of `scenario` under `rule`, with the
/// rule weights at every parameter's central value (military or economic
/// shares for weighted rules, 1 each otherwise).
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
    if n > MAX_PLAYERS {
        return Err(PowerError::TooManyPlayers(n));
    }
    let model = Model::new(scenario, rule);
    let weights = model.central().rule_weights;
    SimpleGame::from_rule_watched(&rule, &weights, model.hegemon(), cancel)?
        .indices_watched(cancel)
        .ok_or(PowerError::Cancelled)
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
mod tests {
    use super::*;
    use crate::model::Attribute;

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
        assert_eq!(p.swings, vec![10, 10, 10, 6, 6, 0]);
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
        // Exactly: 7/30 = 168/720, 3/20 = 108/720.
        assert_eq!(p.shapley_shubik_denominator, 720);
        assert_eq!(
            p.shapley_shubik_numerators,
            vec![168, 168, 168, 108, 108, 0]
        );
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
        assert_eq!(p.swings[2], 0);
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
