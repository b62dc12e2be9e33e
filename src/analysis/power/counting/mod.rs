//! Power indices by counting coalitions, not listing them: generating
//! functions evaluated by dynamic programming over (members, weight), exact in
//! fixed-width integers, for games of hundreds of members.
//!
//! A [`CountedGame`] gives each player an integer weight; coalition S, with k
//! members of total weight w, wins when
//!
//! ```text
//! (k >= min_members && w >= min_weight) || k >= enough_members
//! ```
//!
//! which covers weighted games [q; w₁, …, wₙ], unanimity, (qualified)
//! majorities, the hegemon's majority and the EU Council's double majority with
//! its blocking-minority clause.
//!
//! # The count
//!
//! Let C(k, w) be the number of coalitions of all n players with k members and
//! weight w, and F_i(k, w) the same among the players other than i. Only
//! weights below the quota q = min_weight are ever needed exactly (how many
//! coalitions of size k reach q is C(n−1, k) less those that do not), so the
//! tables stop at w = q − 1. C is built once, player by player
//! (C(k, w) += C(k−1, w − w_j), k descending); then for each distinct weight
//! w_i, F_i follows by deconvolution, F_i(k, w) = C(k, w) − F_i(k−1, w − w_i),
//! k ascending: the count with i is the count without i plus i added to the
//! coalitions one smaller.
//!
//! Player i is a swing for S (i ∉ S, |S| = k, weight w) when S loses and S ∪ {i}
//! wins. With m = min_members and e = enough_members, by cases on k:
//!
//! - k ≥ e: S wins already: none;
//! - k = e − 1: S ∪ {i} wins by its size, so every losing S counts: all
//!   C(n−1, k) when k < m, else those with w < q;
//! - k + 1 < m: S ∪ {i} is too small: none;
//! - k + 1 = m: S is too small and loses; S ∪ {i} wins when w ≥ q − w_i:
//!   C(n−1, k) less those with w < q − w_i;
//! - k ≥ m: those with q − w_i ≤ w < q.
//!
//! The swings by size give the Banzhaf indices (their sum) and the
//! Shapley-Shubik index (Σ_k swings_k · k!(n−k−1)!/n!). In a plain weighted game
//! (m = 0, e > n) the Banzhaf indices need no sizes: the same count over w
//! alone takes n times less work.
//!
//! Counts reach 2^n. The tables hold them in [`Wide`] integers of as many 64-bit
//! limbs as n needs (one up to 63 players, eight up to 511), added and
//! subtracted modulo 2^(64·limbs), which is exact since every true value
//! fits; the sums leave as big integers. Players of equal weight have equal
//! indices and are counted once.

use std::sync::atomic::AtomicBool;

use num_bigint::BigUint;
use num_traits::Zero;
use rayon::prelude::*;

use super::wide::{limbs_for, Wide};
use super::{is_set, BanzhafIndices, PowerError, PowerIndices};

/// Most players a counted game may have: their counts fit in eight limbs.
pub const MAX_COUNTED_PLAYERS: usize = 511;

/// Most 64-bit words the counting tables may take (1 GiB).
pub const MAX_TABLE_WORDS: u128 = 1 << 27;

/// Most limb operations a count may take (about a minute on one core).
pub const MAX_WORK: u128 = 1 << 37;

/// A game of integer weights whose coalitions are counted, not listed.
///
/// Coalition S, with k members of total weight w, wins when
/// `(k >= min_members && w >= min_weight) || k >= enough_members`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountedGame {
    weights: Vec<u64>,
    min_members: usize,
    min_weight: u128,
    enough_members: usize,
}

impl CountedGame {
    /// The weighted game [quota; weights]: a coalition wins when its weight
    /// reaches `quota`.
    pub fn weighted(weights: Vec<u64>, quota: u128) -> Result<CountedGame, PowerError> {
        let n = weights.len();
        CountedGame::new(weights, 0, quota, n.saturating_add(1))
    }

    /// The game in which a coalition of k members and weight w wins when
    /// `(k >= min_members && w >= min_weight) || k >= enough_members`. Any
    /// values are accepted: `min_members` above the number of players means
    /// the weight test is never met, `enough_members` above it that size
    /// alone never wins.
    pub fn new(
        weights: Vec<u64>,
        min_members: usize,
        min_weight: u128,
        enough_members: usize,
    ) -> Result<CountedGame, PowerError> {
        if weights.is_empty() {
            return Err(PowerError::NoPlayers);
        }
        if weights.len() > MAX_COUNTED_PLAYERS {
            return Err(PowerError::TooManyToCount(weights.len()));
        }
        Ok(CountedGame {
            weights,
            min_members,
            min_weight,
            enough_members,
        })
    }

    /// Number of players.
    pub fn players(&self) -> usize {
        self.weights.len()
    }

    /// The players' weights.
    pub fn weights(&self) -> &[u64] {
        &self.weights
    }

    /// Members a coalition needs for its weight to count.
    pub fn min_members(&self) -> usize {
        self.min_members
    }

    /// Weight a coalition of at least `min_members` needs to win (the quota).
    pub fn min_weight(&self) -> u128 {
        self.min_weight
    }

    /// Members with which a coalition wins whatever its weight.
    pub fn enough_members(&self) -> usize {
        self.enough_members
    }

    /// The sum of all weights.
    pub fn total_weight(&self) -> u128 {
        self.weights.iter().map(|w| u128::from(*w)).sum()
    }

    /// Whether a coalition of `members` members and total weight `weight` wins.
    pub fn wins_with(&self, members: usize, weight: u128) -> bool {
        (members >= self.min_members && weight >= self.min_weight) || members >= self.enough_members
    }

    /// Whether the coalition of the given players (indices from 0, each
    /// named once) wins. Panics on an index that is not a player.
    pub fn wins(&self, members: impl IntoIterator<Item = usize>) -> bool {
        let mut seen = vec![false; self.players()];
        let (mut k, mut w) = (0, 0u128);
        for i in members {
            if !std::mem::replace(&mut seen[i], true) {
                k += 1;
                w += u128::from(self.weights[i]);
            }
        }
        self.wins_with(k, w)
    }

    /// Whether the coalition whose players are the set bits of `mask` (bit i
    /// for player i; bits from `players()` on are ignored) wins.
    pub fn wins_mask(&self, mask: u64) -> bool {
        let (mut k, mut w) = (0, 0u128);
        for (i, x) in self.weights.iter().enumerate().take(64) {
            if mask >> i & 1 == 1 {
                k += 1;
                w += u128::from(*x);
            }
        }
        self.wins_with(k, w)
    }

    /// Whether this is a plain weighted game [q; w]: no condition on sizes.
    pub fn is_plain_weighted(&self) -> bool {
        self.min_members == 0 && self.enough_members > self.players()
    }

    /// The exact Banzhaf and Shapley-Shubik indices of every player. Stops
    /// with [`PowerError::Cancelled`] soon after `cancel` is set; refuses with
    /// [`PowerError::TableTooLarge`] a game whose tables would not fit.
    pub fn indices(&self, cancel: Option<&AtomicBool>) -> Result<PowerIndices, PowerError> {
        let plan = self.plan(true)?;
        let by_size = dispatch_by_size(self, &plan, cancel)?;
        Ok(PowerIndices::from_classes(
            self.players(),
            &by_size,
            &plan.class_of,
        ))
    }

    /// The exact Banzhaf indices alone: in a plain weighted game without the
    /// table by size, so about n times faster than [`CountedGame::indices`].
    pub fn banzhaf(&self, cancel: Option<&AtomicBool>) -> Result<BanzhafIndices, PowerError> {
        let plan = self.plan(!self.is_plain_weighted())?;
        let swings: Vec<BigUint> = if plan.sizes {
            dispatch_by_size(self, &plan, cancel)?
                .into_iter()
                .map(|row| row.into_iter().sum())
                .collect()
        } else {
            dispatch_plain(self, &plan, cancel)?
        };
        let per_player = plan.class_of.iter().map(|c| swings[*c].clone()).collect();
        Ok(BanzhafIndices::from_swings(self.players(), per_player))
    }

    /// Sizes the work and checks it against the limits.
    fn plan(&self, sizes: bool) -> Result<Plan, PowerError> {
        let n = self.players();
        let total = self.total_weight();
        // The weight test can hold only when min_members <= n and
        // min_weight <= total; otherwise the game is about sizes alone.
        let weight_test = self.min_members <= n && self.min_weight <= total;
        let quota = if weight_test { self.min_weight } else { 0 };
        let enough = self.enough_members.min(n + 1);
        // Rows k = 0 ..= min(n, e) − 1: larger coalitions of the others win anyway.
        let rows = if sizes { n.min(enough) } else { 1 };
        // Weights below the quota that some coalition of each size can have;
        // the tables need no column beyond the last.
        let bands = if sizes {
            bands(&self.weights, rows, quota)
        } else {
            std::iter::once(0..quota).collect()
        };
        let width = bands.iter().map(|b| b.end).max().unwrap_or(0);
        let mut weights: Vec<u64> = Vec::new();
        let class_of = self
            .weights
            .iter()
            .map(|w| match weights.iter().position(|x| x == w) {
                Some(c) => c,
                None => {
                    weights.push(*w);
                    weights.len() - 1
                }
            })
            .collect();
        let limbs = limbs_for(n + 1);
        let rows_u = rows as u128;
        let words = (rows_u + 2) * width * limbs as u128;
        let work = (n as u128 * rows_u / 2 + 1 + weights.len() as u128 * rows_u)
            * width.max(1)
            * limbs as u128;
        if words > MAX_TABLE_WORDS || work > MAX_WORK {
            return Err(PowerError::TableTooLarge {
                players: n,
                total_weight: total,
                quota: self.min_weight,
            });
        }
        Ok(Plan {
            quota,
            width: width as usize,
            bands: bands
                .into_iter()
                .map(|b| b.start as usize..b.end as usize)
                .collect(),
            rows,
            limbs,
            sizes,
            min_members: if weight_test { self.min_members } else { n + 1 },
            enough,
            weights,
            class_of,
        })
    }
}

/// What a count needs, fixed before it starts.
#[derive(Debug)]
struct Plan {
    /// The quota when the weight test can be met, else 0.
    quota: u128,
    /// Weights counted exactly: 0 .. width (at most the quota).
    width: usize,
    /// For each size k (or just one when not by size), the weights below
    /// `width` that a coalition of k can have; zero everywhere else.
    bands: Vec<std::ops::Range<usize>>,
    /// Coalition sizes counted: 0 .. rows.
    rows: usize,
    /// 64-bit limbs per count.
    limbs: usize,
    /// Whether coalitions are counted by size.
    sizes: bool,
    /// min_members, or n + 1 when the weight test can never hold.
    min_members: usize,
    /// enough_members, at most n + 1.
    enough: usize,
    /// The distinct weights, in order of first appearance.
    weights: Vec<u64>,
    /// Each player's index in `weights`.
    class_of: Vec<usize>,
}

macro_rules! by_limbs {
    ($plan:expr, $f:ident, $($args:expr),*) => {
        match $plan.limbs {
            1 => $f::<1>($($args),*),
            2 => $f::<2>($($args),*),
            3 => $f::<3>($($args),*),
            4 => $f::<4>($($args),*),
            5 => $f::<5>($($args),*),
            6 => $f::<6>($($args),*),
            7 => $f::<7>($($args),*),
            8 => $f::<8>($($args),*),
            l => unreachable!("{l} limbs: at most {MAX_COUNTED_PLAYERS} players"),
        }
    };
}

fn dispatch_by_size(
    game: &CountedGame,
    plan: &Plan,
    cancel: Option<&AtomicBool>,
) -> Result<Vec<Vec<BigUint>>, PowerError> {
    by_limbs!(plan, swings_by_size, game, plan, cancel)
}

fn dispatch_plain(
    game: &CountedGame,
    plan: &Plan,
    cancel: Option<&AtomicBool>,
) -> Result<Vec<BigUint>, PowerError> {
    by_limbs!(plan, swings_plain, game, plan, cancel)
}

fn check(cancel: Option<&AtomicBool>) -> Result<(), PowerError> {
    if is_set(cancel) {
        Err(PowerError::Cancelled)
    } else {
        Ok(())
    }
}

fn sum<const L: usize>(cells: &[Wide<L>]) -> Wide<L> {
    let mut s = Wide::ZERO;
    for c in cells {
        s.add_assign(c);
    }
    s
}

/// For each distinct weight, the swings of a player of that weight among the
/// coalitions of the others of each size k (index k).
fn swings_by_size<const L: usize>(
    game: &CountedGame,
    plan: &Plan,
    cancel: Option<&AtomicBool>,
) -> Result<Vec<Vec<BigUint>>, PowerError> {
    let n = game.players();
    let (q, rows) = (plan.width, plan.rows);
    let (m, e) = (plan.min_members, plan.enough);
    // Coalitions of k members weigh at least the k lightest weights and at
    // most the k heaviest: only w in band[k] can count anything, for all the
    // players and for the others of any one player alike. Columns run up to
    // q = the width, at most the quota.
    let band = &plan.bands;
    // table[k * q + w] = C(k, w): coalitions of all players, k members, weight w < q.
    let mut table = vec![Wide::<L>::ZERO; rows * q];
    if q > 0 && rows > 0 {
        table[0] = Wide::from_u64(1);
    }
    for (j, &wj) in game.weights.iter().enumerate() {
        check(cancel)?;
        if u128::from(wj) >= q as u128 {
            continue; // adds nothing below the quota
        }
        let wj = wj as usize;
        for k in (1..=(j + 1).min(rows.saturating_sub(1))).rev() {
            let (lo, hi) = (band[k].start.max(wj), band[k].end);
            if lo >= hi {
                continue;
            }
            let (lower, upper) = table.split_at_mut(k * q);
            let prev = &lower[(k - 1) * q..];
            for (c, p) in upper[lo..hi].iter_mut().zip(&prev[lo - wj..hi - wj]) {
                c.add_assign(p);
            }
        }
    }
    // binomial[k] = C(n − 1, k), by Pascal's rule.
    let mut binomial = vec![Wide::<L>::ZERO; n];
    binomial[0] = Wide::from_u64(1);
    for row in 1..n {
        for k in (1..=row).rev() {
            let below = binomial[k - 1];
            binomial[k].add_assign(&below);
        }
    }
    // One weight class after another, on as many threads as the pool has.
    plan.weights
        .par_iter()
        .map(|&wi| {
            let mut by_size = vec![BigUint::zero(); n];
            // F_i(k − 1, ·) and F_i(k, ·), zero outside their bands.
            let mut prev = vec![Wide::<L>::ZERO; q];
            let mut cur = vec![Wide::<L>::ZERO; q];
            let mut stale = 0..0;
            // Weights from `lo` on, up to the quota, let i's joining reach it
            // (none of the weights beyond the width is possible).
            let lo = plan.quota.saturating_sub(u128::from(wi)).min(q as u128) as usize;
            let shift = u128::from(wi).min(q as u128) as usize;
            for (k, slot) in by_size.iter_mut().enumerate().take(rows) {
                check(cancel)?;
                // cur = F_i(k, ·) = C(k, ·) − F_i(k − 1, · − w_i).
                cur[stale.clone()].fill(Wide::ZERO);
                let b = band[k].clone();
                let c = &table[k * q..(k + 1) * q];
                let copied = b.start..b.end.min(shift).max(b.start);
                cur[copied.clone()].copy_from_slice(&c[copied]);
                let from = b.start.max(shift);
                if from < b.end {
                    for ((f, c), p) in cur[from..b.end]
                        .iter_mut()
                        .zip(&c[from..b.end])
                        .zip(&prev[from - shift..b.end - shift])
                    {
                        *f = Wide::difference(c, p);
                    }
                }
                let within = |r: std::ops::Range<usize>| {
                    let start = r.start.max(b.start);
                    start..r.end.min(b.end).max(start)
                };
                let swings = if k >= e {
                    Wide::ZERO
                } else if k + 1 == e {
                    if k < m {
                        binomial[k]
                    } else {
                        sum(&cur[within(0..q)])
                    }
                } else if k + 1 < m {
                    Wide::ZERO
                } else if k + 1 == m {
                    Wide::difference(&binomial[k], &sum(&cur[within(0..lo)]))
                } else {
                    sum(&cur[within(lo..q)])
                };
                *slot = swings.to_biguint();
                std::mem::swap(&mut prev, &mut cur);
                // What is now `cur` holds row k − 1, within its band.
                stale = if k == 0 { 0..0 } else { band[k - 1].clone() };
            }
            Ok(by_size)
        })
        .collect()
}

/// For k = 0 .. rows, the weights below `q` that a coalition of k of the
/// players can have: from the sum of the k lightest to that of the k
/// heaviest (empty when the lightest k reach `q`).
fn bands(weights: &[u64], rows: usize, q: u128) -> Vec<std::ops::Range<u128>> {
    let mut sorted = weights.to_vec();
    sorted.sort_unstable();
    let (mut light, mut heavy) = (0u128, 0u128);
    let cap = |x: u128| x.min(q);
    (0..rows)
        .map(|k| {
            if k > 0 {
                light += u128::from(sorted[k - 1]);
                heavy += u128::from(sorted[sorted.len() - k]);
            }
            let (lo, hi) = (cap(light), cap(heavy + 1));
            lo..hi.max(lo)
        })
        .collect()
}

/// For each distinct weight, the swings of a player of that weight in a
/// plain weighted game, counted over weights alone.
fn swings_plain<const L: usize>(
    game: &CountedGame,
    plan: &Plan,
    cancel: Option<&AtomicBool>,
) -> Result<Vec<BigUint>, PowerError> {
    let q = plan.width;
    // table[w] = C(w): coalitions of all players of weight w < q.
    let mut table = vec![Wide::<L>::ZERO; q];
    if q > 0 {
        table[0] = Wide::from_u64(1);
    }
    for &wj in &game.weights {
        check(cancel)?;
        if u128::from(wj) >= q as u128 {
            continue;
        }
        let wj = wj as usize;
        // Descending, so that C(w − w_j) is still the count without j.
        for w in (wj..q).rev() {
            let add = table[w - wj];
            table[w].add_assign(&add);
        }
    }
    let mut f = vec![Wide::<L>::ZERO; q];
    let mut out = Vec::with_capacity(plan.weights.len());
    for &wi in &plan.weights {
        check(cancel)?;
        if wi == 0 || q == 0 {
            // Weight 0 never turns a coalition's weight; quota 0 (or one
            // out of reach) leaves nothing to turn.
            out.push(BigUint::zero());
            continue;
        }
        let shift = u128::from(wi).min(q as u128) as usize;
        f[..shift].copy_from_slice(&table[..shift]);
        for w in shift..q {
            f[w] = Wide::difference(&table[w], &f[w - shift]);
        }
        let lo = q.saturating_sub(shift);
        out.push(sum(&f[lo..]).to_biguint());
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
