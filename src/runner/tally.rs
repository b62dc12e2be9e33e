//! Tallies: integer counts of what the runs decided, small, mergeable and
//! exact, so results never depend on how runs were split between workers.

use serde::{Deserialize, Serialize};

use crate::model::{Decision, Vote};

/// Counts over a set of runs. Two tallies of disjoint runs of the same model
/// merge into the tally of their union, whatever the order of merging.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tally {
    /// Runs counted.
    pub runs: u64,
    /// Runs that adopted each level (index = level, 0 = no action).
    pub levels: Vec<u64>,
    /// Sum of rounds over all runs.
    pub rounds: u64,
    /// Per member: [yes, no, abstain] on the requested option.
    pub votes: Vec<[u64; 3]>,
    /// Per member: runs in which it blocked the requested option.
    pub blocked: Vec<u64>,
    /// Per member: runs in which it was the only member to block it.
    pub sole_blocker: Vec<u64>,
}

impl Tally {
    /// An empty tally for `members` members and `levels` levels.
    pub fn new(members: usize, levels: usize) -> Tally {
        Tally {
            runs: 0,
            levels: vec![0; levels],
            rounds: 0,
            votes: vec![[0; 3]; members],
            blocked: vec![0; members],
            sole_blocker: vec![0; members],
        }
    }

    /// Counts one run.
    pub fn record(&mut self, decision: &Decision, requested_votes: &[Vote]) {
        self.runs += 1;
        self.levels[decision.level] += 1;
        self.rounds += u64::from(decision.rounds);
        for (counts, vote) in self.votes.iter_mut().zip(requested_votes) {
            // A party excluded from the vote (`Absent`, past the three
            // columns) is counted under none of them.
            if let Some(c) = counts.get_mut(*vote as usize) {
                *c += 1;
            }
        }
        let mut set = decision.blockers;
        while set != 0 {
            let i = set.trailing_zeros() as usize;
            self.blocked[i] += 1;
            set &= set - 1;
        }
        if let Some(i) = decision.sole_blocker() {
            self.sole_blocker[i] += 1;
        }
    }

    /// Adds `other`'s counts to this tally.
    ///
    /// # Panics
    /// If the tallies are of differently shaped models (a programming error).
    pub fn merge(&mut self, other: &Tally) {
        assert_eq!(
            self.levels.len(),
            other.levels.len(),
            "tallies of different option sets"
        );
        assert_eq!(
            self.votes.len(),
            other.votes.len(),
            "tallies of different member sets"
        );
        self.runs += other.runs;
        self.rounds += other.rounds;
        add(&mut self.levels, &other.levels);
        add(&mut self.blocked, &other.blocked);
        add(&mut self.sole_blocker, &other.sole_blocker);
        for (a, b) in self.votes.iter_mut().zip(&other.votes) {
            for k in 0..3 {
                a[k] += b[k];
            }
        }
    }
}

fn add(a: &mut [u64], b: &[u64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Vote::*;

    fn decision(level: usize, rounds: u32, blockers: u64) -> Decision {
        Decision {
            level,
            rounds,
            blockers,
        }
    }

    #[test]
    fn records_levels_votes_and_blockers() {
        let mut t = Tally::new(3, 3);
        t.record(&decision(2, 1, 0), &[Yes, Yes, Abstain]);
        t.record(&decision(1, 2, 0b100), &[Yes, Yes, No]);
        t.record(&decision(0, 2, 0b101), &[No, Yes, No]);
        assert_eq!(t.runs, 3);
        assert_eq!(t.levels, vec![1, 1, 1]);
        assert_eq!(t.rounds, 5);
        assert_eq!(t.votes, vec![[2, 1, 0], [3, 0, 0], [0, 2, 1]]);
        assert_eq!(t.blocked, vec![1, 0, 2]);
        assert_eq!(t.sole_blocker, vec![0, 0, 1]);
    }

    #[test]
    fn merge_is_the_tally_of_the_union() {
        let runs = [
            (decision(2, 1, 0), [Yes, Yes]),
            (decision(0, 3, 0b10), [Yes, No]),
            (decision(1, 2, 0b11), [No, No]),
        ];
        let mut whole = Tally::new(2, 3);
        for (d, v) in &runs {
            whole.record(d, v);
        }
        for split in 0..=runs.len() {
            let (mut a, mut b) = (Tally::new(2, 3), Tally::new(2, 3));
            for (d, v) in &runs[..split] {
                a.record(d, v);
            }
            for (d, v) in &runs[split..] {
                b.record(d, v);
            }
            let mut ab = a.clone();
            ab.merge(&b);
            b.merge(&a);
            assert_eq!(ab, whole);
            assert_eq!(b, whole);
        }
    }
}
