//! Shards: a deterministic split of the work of a run or a sweep into `n`
//! pieces that separate processes (the tasks of a Slurm job array, say) do
//! on their own, and the exact merge of what they counted.
//!
//! # Partition
//! The work is the sequence of (point, run) pairs in point-major order: every
//! run of point 0, then every run of point 1, and so on; a run of one scenario
//! is a sweep of one point. With `T = points × runs` pairs, shard `k` of `n`
//! takes pairs `⌊k·T/n⌋ .. ⌊(k+1)·T/n⌋`: contiguous, disjoint, together all of
//! them, sizes differing by at most one pair. When `n > T` some shards are empty.
//!
//! # Exactness
//! Run `r` draws from its own stream (master seed, run index) wherever it is
//! run, and a shard records integer counts per point, so the counts of all
//! shards add up to exactly the counts one process makes, and the merged
//! files are byte for byte the files that process writes.

pub mod files;
pub mod merge;

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// Most shards a piece of work may be split into.
pub const MAX_SHARDS: u64 = 1_000_000;

/// Shard `index` of `count` (indices from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Shard {
    index: u64,
    count: u64,
}

/// Why a shard could not be named.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ShardError(pub String);

impl Shard {
    /// Shard `index` of `count`; `index < count <= MAX_SHARDS`.
    pub fn new(index: u64, count: u64) -> Result<Shard, ShardError> {
        if count == 0 || count > MAX_SHARDS {
            return Err(ShardError(format!(
                "the number of shards must be from 1 to {MAX_SHARDS}, not {count}"
            )));
        }
        if index >= count {
            return Err(ShardError(format!(
                "shard {index} of {count} does not exist: shards count from 0, so the last one is {}/{count}",
                count - 1
            )));
        }
        Ok(Shard { index, count })
    }

    /// This shard's index, from 0.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The number of shards.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The flat (point, run) pairs this shard takes out of `total`.
    pub fn work(&self, total: u64) -> Range<u64> {
        let at = |k: u64| (u128::from(k) * u128::from(total) / u128::from(self.count)) as u64;
        at(self.index)..at(self.index + 1)
    }

    /// The pieces of a sweep of `points` points × `runs` runs that this shard
    /// takes, in order: each a point and a range of its runs.
    pub fn pieces(&self, points: u64, runs: u64) -> Vec<Piece> {
        pieces(self.work(points.saturating_mul(runs)), runs)
    }
}

/// Part of one point's runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// The point (0 for a run).
    pub point: u64,
    /// The runs of that point.
    pub runs: Range<u64>,
}

/// Cuts the flat pairs `work` at point boundaries, `runs` runs per point.
pub fn pieces(work: Range<u64>, runs: u64) -> Vec<Piece> {
    if work.is_empty() || runs == 0 {
        return Vec::new();
    }
    let (first, last) = (work.start / runs, (work.end - 1) / runs);
    (first..=last)
        .map(|point| {
            let base = point * runs;
            Piece {
                point,
                runs: work.start.max(base) - base..work.end.min(base + runs) - base,
            }
        })
        .collect()
}

impl fmt::Display for Shard {
    /// `K/N`, as `--shard` takes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = ShardError;

    /// `K/N`, with K from 0 to N − 1.
    fn from_str(s: &str) -> Result<Shard, ShardError> {
        let usage = || {
            ShardError(format!(
                "`{s}` is not a shard: write K/N for shard K (from 0) of N, e.g. 0/4, or `auto`"
            ))
        };
        let (k, n) = s.trim().split_once('/').ok_or_else(usage)?;
        let number = |t: &str| t.trim().parse::<u64>().map_err(|_| usage());
        Shard::new(number(k)?, number(n)?)
    }
}

/// The shard a batch scheduler assigned to this process, read through `var`
/// (the environment): a Slurm job array task (`SLURM_ARRAY_TASK_ID`, counted
/// from `SLURM_ARRAY_TASK_MIN` in steps of `SLURM_ARRAY_TASK_STEP`, of
/// `SLURM_ARRAY_TASK_COUNT`), or a Kubernetes Indexed Job
/// (`JOB_COMPLETION_INDEX`, with `shards` giving the count). `shards`, when
/// given, must agree with Slurm's count.
pub fn from_env(
    var: impl Fn(&str) -> Option<String>,
    shards: Option<u64>,
) -> Result<Shard, ShardError> {
    let number = |name: &str| -> Result<Option<u64>, ShardError> {
        match var(name) {
            None => Ok(None),
            Some(t) => t.trim().parse::<u64>().map(Some).map_err(|_| {
                ShardError(format!(
                    "--shard auto: {name}={t:?} in the environment is not a whole number"
                ))
            }),
        }
    };
    if let Some(id) = number("SLURM_ARRAY_TASK_ID")? {
        let Some(count) = number("SLURM_ARRAY_TASK_COUNT")? else {
            return Err(ShardError(
                "--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; give --shard K/N instead".into(),
            ));
        };
        let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let step = number("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1).max(1);
        if id < min || (id - min) % step != 0 {
            return Err(ShardError(format!(
                "--shard auto: array task {id} is not on the array's steps (first {min}, step {step}); submit with --array=0-{}",
                count.saturating_sub(1)
            )));
        }
        let index = (id - min) / step;
        if let Some(n) = shards {
            if n != count {
                return Err(ShardError(format!(
                    "--shards {n} disagrees with the job array's {count} tasks (SLURM_ARRAY_TASK_COUNT); drop --shards or submit --array=0-{}",
                    n.saturating_sub(1)
                )));
            }
        }
        return Shard::new(index, count).map_err(|e| ShardError(format!("--shard auto: {e}")));
    }
    if let Some(index) = number("JOB_COMPLETION_INDEX")? {
        let Some(count) = shards else {
            return Err(ShardError(
                "--shard auto: JOB_COMPLETION_INDEX is set; give the job's completions as --shards N".into(),
            ));
        };
        return Shard::new(index, count).map_err(|e| ShardError(format!("--shard auto: {e}")));
    }
    Err(ShardError(
        "--shard auto: neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set; give --shard K/N instead".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_work_exactly() {
        for total in [0u64, 1, 2, 7, 100, 4096, 1_000_003] {
            for n in [1u64, 2, 3, 4, 7, 16, 150] {
                let mut next = 0;
                for k in 0..n {
                    let w = Shard::new(k, n).unwrap().work(total);
                    assert_eq!(w.start, next, "shard {k}/{n} of {total}");
                    assert!(w.end - w.start <= total / n + 1);
                    assert!(w.end - w.start >= total / n);
                    next = w.end;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn the_largest_work_does_not_overflow() {
        let total = 1_000_000u64 * 1_000_000_000_000;
        let s = Shard::new(MAX_SHARDS - 1, MAX_SHARDS).unwrap();
        assert_eq!(s.work(total).end, total);
    }

    #[test]
    fn pieces_cut_at_point_boundaries() {
        let s = Shard::new(1, 3).unwrap(); // 4 points x 6 runs: pairs 8..16
        assert_eq!(
            s.pieces(4, 6),
            vec![
                Piece {
                    point: 1,
                    runs: 2..6
                },
                Piece {
                    point: 2,
                    runs: 0..4
                }
            ]
        );
        let all: Vec<Piece> = (0..5)
            .flat_map(|k| Shard::new(k, 5).unwrap().pieces(3, 1))
            .collect();
        assert_eq!(all.len(), 3);
        assert!(all
            .iter()
            .enumerate()
            .all(|(i, p)| p.point == i as u64 && p.runs == (0..1)));
        assert!(Shard::new(0, 2).unwrap().pieces(0, 10).is_empty());
    }

    #[test]
    fn shard_text() {
        assert_eq!("2/4".parse::<Shard>().unwrap(), Shard::new(2, 4).unwrap());
        assert_eq!(Shard::new(2, 4).unwrap().to_string(), "2/4");
        let e = "4/4".parse::<Shard>().unwrap_err().0;
        assert!(e.contains("the last one is 3/4"), "{e}");
        assert!("0/0".parse::<Shard>().unwrap_err().0.contains("from 1"));
        assert!("2".parse::<Shard>().unwrap_err().0.contains("write K/N"));
        assert!("a/4".parse::<Shard>().is_err());
    }

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn slurm_and_kubernetes_name_the_shard() {
        let slurm = [
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ];
        assert_eq!(
            from_env(env(&slurm), None).unwrap(),
            Shard::new(3, 4).unwrap()
        );
        assert_eq!(
            from_env(env(&slurm), Some(4)).unwrap(),
            Shard::new(3, 4).unwrap()
        );
        assert!(from_env(env(&slurm), Some(8))
            .unwrap_err()
            .0
            .contains("disagrees"));
        let stepped = [
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_STEP", "2"),
        ];
        assert_eq!(
            from_env(env(&stepped), None).unwrap(),
            Shard::new(2, 3).unwrap()
        );
        let k8s = [("JOB_COMPLETION_INDEX", "2")];
        assert_eq!(
            from_env(env(&k8s), Some(5)).unwrap(),
            Shard::new(2, 5).unwrap()
        );
        assert!(from_env(env(&k8s), None)
            .unwrap_err()
            .0
            .contains("--shards N"));
        assert!(from_env(env(&[]), None).unwrap_err().0.contains("neither"));
        let bad = [
            ("SLURM_ARRAY_TASK_ID", "x"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ];
        assert!(from_env(env(&bad), None)
            .unwrap_err()
            .0
            .contains("SLURM_ARRAY_TASK_ID"));
    }
}
