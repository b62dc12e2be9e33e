//! Power indices by enumerating every coalition: [`SimpleGame`], for any
//! rule (at most [`MAX_PLAYERS`] players), and
//! [`CountedGame::indices_by_enumeration`], for counted games of up to
//! [`MAX_ENUMERATED_PLAYERS`] players. Both serve as cross-checks of the
//! counting engine ([`super::counting`]): they share nothing with it but the
//! definition of a winning coalition and the final arithmetic of
//! [`PowerIndices`].

use std::sync::atomic::AtomicBool;

use num_bigint::BigUint;
use rayon::prelude::*;

use super::{is_set, CountedGame, PowerError, PowerIndices};
use crate::model::{DecisionRule, Vote};

/// Most players whose coalitions [`SimpleGame`] enumerates (2^25 coalitions).
pub const MAX_PLAYERS: usize = 25;

/// Most players of a counted game whose coalitions are enumerated (2^32).
pub const MAX_ENUMERATED_PLAYERS: usize = 32;

/// Coalitions enumerated between two looks at the cancel flag.
const COALITIONS_PER_LOOK: u64 = 1 << 16;

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
        // by_size[i][k]: coalitions of size k, without i, for which i swings.
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
        Some(from_counts(&by_size))
    }
}

/// The indices from swings by size as machine integers.
fn from_counts(by_size: &[Vec<u64>]) -> PowerIndices {
    let big: Vec<Vec<BigUint>> = by_size
        .iter()
        .map(|row| row.iter().map(|c| BigUint::from(*c)).collect())
        .collect();
    let n = by_size.len();
    PowerIndices::from_classes(n, &big, &(0..n).collect::<Vec<_>>())
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

impl CountedGame {
    /// The indices by enumerating all 2^n coalitions (at most
    /// [`MAX_ENUMERATED_PLAYERS`] players), a cross-check of
    /// [`CountedGame::indices`] that shares none of its counting. Each
    /// coalition's size and weight are tested against the game's definition
    /// ([`CountedGame::wins_with`]); in a winning one, its members are taken
    /// heaviest first and each whose leaving makes it lose is a swing, up to
    /// the first whose leaving does not (the lighter ones cannot then either,
    /// as winning never needs less weight). Runs on the current rayon pool;
    /// stops with [`PowerError::Cancelled`] soon after `cancel` is set.
    pub fn indices_by_enumeration(
        &self,
        cancel: Option<&AtomicBool>,
    ) -> Result<PowerIndices, PowerError> {
        let n = self.players();
        if n > MAX_ENUMERATED_PLAYERS {
            return Err(PowerError::TooManyToEnumerate(n));
        }
        // Heaviest first: order[j] is the player at bit j.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(self.weights()[i]));
        let w: Vec<u128> = order
            .iter()
            .map(|&i| u128::from(self.weights()[i]))
            .collect();
        // Coalitions split into a low and a high half of the bits; each half's
        // subsets listed with their weights and sizes.
        let low_bits = n / 2;
        let half = |bits: std::ops::Range<usize>| -> Vec<(u128, usize)> {
            (0..1u64 << bits.len())
                .map(|s| {
                    let members = bits.clone().filter(|&j| s >> (j - bits.start) & 1 == 1);
                    members.fold((0, 0), |(x, k), j| (x + w[j], k + 1))
                })
                .collect()
        };
        let low = half(0..low_bits);
        let high = half(low_bits..n);
        let counts = (0..high.len())
            .into_par_iter()
            .try_fold(
                || vec![0u64; n * n],
                |mut by_size, h| {
                    if is_set(cancel) {
                        return Err(PowerError::Cancelled);
                    }
                    let (xh, kh) = high[h];
                    for (l, &(xl, kl)) in low.iter().enumerate() {
                        let (x, k) = (xh + xl, kh + kl);
                        if !self.wins_with(k, x) {
                            continue;
                        }
                        let mut rest = (h as u64) << low_bits | l as u64;
                        while rest != 0 {
                            let j = rest.trailing_zeros() as usize;
                            if self.wins_with(k - 1, x - w[j]) {
                                break;
                            }
                            by_size[j * n + k - 1] += 1;
                            rest &= rest - 1;
                        }
                    }
                    Ok(by_size)
                },
            )
            .try_reduce(
                || vec![0u64; n * n],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(b) {
                        *x += y;
                    }
                    Ok(a)
                },
            )?;
        let mut by_size = vec![Vec::new(); n];
        for (j, &i) in order.iter().enumerate() {
            by_size[i] = counts[j * n..(j + 1) * n].to_vec();
        }
        Ok(from_counts(&by_size))
    }
}
