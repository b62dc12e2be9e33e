//! Summaries: probabilities with Wilson intervals and vote shares, computed
//! from a tally's integer counts.

use crate::runner::Tally;

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval for `count` successes in `n` trials at the given
/// z. Returns (0, 0) when n = 0. The bounds always lie in [0, 1].
pub fn wilson(count: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 0.0);
    }
    let n_f = n as f64;
    let p = count as f64 / n_f;
    let z2 = z * z;
    let denom = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denom;
    let half = z * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / denom;
    let lo = if count == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let hi = if count == n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (lo, hi)
}

/// A share of runs with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Share {
    /// Runs counted.
    pub count: u64,
    /// count / runs.
    pub probability: f64,
    /// Lower bound of the 95% Wilson interval.
    pub ci_low: f64,
    /// Upper bound of the 95% Wilson interval.
    pub ci_high: f64,
}

impl Share {
    /// The share of `count` in `runs`.
    pub fn of(count: u64, runs: u64) -> Share {
        let (ci_low, ci_high) = wilson(count, runs, Z95);
        Share {
            count,
            probability: if runs == 0 {
                0.0
            } else {
                count as f64 / runs as f64
            },
            ci_low,
            ci_high,
        }
    }
}

/// One member's behaviour on the requested option.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemberShares {
    /// Voted yes.
    pub yes: Share,
    /// Voted no.
    pub no: Share,
    /// Abstained.
    pub abstain: Share,
    /// Was the only member to block it.
    pub sole_blocker: Share,
}

/// What a tally says, as shares.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Runs.
    pub runs: u64,
    /// Per level, the share of runs adopting it.
    pub outcomes: Vec<Share>,
    /// Per member, its votes on the requested option.
    pub members: Vec<MemberShares>,
    /// Mean number of proposals voted on per run.
    pub mean_rounds: f64,
}

impl Summary {
    /// Summarizes a tally.
    pub fn new(t: &Tally) -> Summary {
        Summary {
            runs: t.runs,
            outcomes: t.levels.iter().map(|c| Share::of(*c, t.runs)).collect(),
            members: t
                .votes
                .iter()
                .zip(&t.sole_blocker)
                .map(|(v, s)| MemberShares {
                    yes: Share::of(v[0], t.runs),
                    no: Share::of(v[1], t.runs),
                    abstain: Share::of(v[2], t.runs),
                    sole_blocker: Share::of(*s, t.runs),
                })
                .collect(),
            mean_rounds: if t.runs == 0 {
                0.0
            } else {
                t.rounds as f64 / t.runs as f64
            },
        }
    }

    /// The most likely level (the lowest on ties).
    pub fn modal_level(&self) -> usize {
        let mut best = 0;
        for (i, s) in self.outcomes.iter().enumerate() {
            if s.count > self.outcomes[best].count {
                best = i;
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_published_values() {
        // 81 successes in 263 trials: 95% Wilson interval [0.2553, 0.3662]
        // (Newcombe 1998, Statistics in Medicine 17, example values).
        let (lo, hi) = wilson(81, 263, Z95);
        assert!((lo - 0.2553).abs() < 5e-5, "{lo}");
        assert!((hi - 0.3662).abs() < 5e-5, "{hi}");
        // Boundaries are exact.
        let (lo, hi) = wilson(0, 10, Z95);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.2775).abs() < 5e-5, "{hi}");
        let (lo, hi) = wilson(10, 10, Z95);
        assert_eq!(hi, 1.0);
        assert!((lo - 0.7225).abs() < 5e-5, "{lo}");
        assert_eq!(wilson(0, 0, Z95), (0.0, 0.0));
    }

    #[test]
    fn summary_of_a_tally() {
        let mut t = Tally::new(2, 3);
        t.runs = 4;
        t.levels = vec![1, 0, 3];
        t.rounds = 6;
        t.votes = vec![[4, 0, 0], [3, 1, 0]];
        t.sole_blocker = vec![0, 1];
        let s = Summary::new(&t);
        assert_eq!(s.outcomes[2].probability, 0.75);
        assert_eq!(s.members[1].no.count, 1);
        assert_eq!(s.members[1].sole_blocker.probability, 0.25);
        assert_eq!(s.mean_rounds, 1.5);
        assert_eq!(s.modal_level(), 2);
    }
}
