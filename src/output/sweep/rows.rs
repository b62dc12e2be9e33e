//! A sweep point's rows as bytes, formatted without a `String` per cell: the
//! cells that do not change from point to point (option and member ids,
//! levels) are made once, and for a fixed number of runs the cells of a
//! count (the count, its probability and its 95% interval) depend on the
//! count alone, so they are made once per count and copied. The bytes are
//! those of [`SweepWriter::write_point`](super::SweepWriter::write_point),
//! which builds the same rows from
//! [`outcome_cells`](super::super::csv::outcome_cells) and
//! [`member_cells`](super::super::csv::member_cells).

use std::io::Write;

use super::super::csv::text_cell;
use super::super::summary::Share;
use crate::runner::Tally;
use crate::scenario::Scenario;

/// Runs per point up to which the cells of every count are made in advance
/// (one chunk of the runner: a point of a few runs, where formatting would
/// cost as much as simulating).
pub const CACHED_RUNS: u64 = 4096;

/// Appends `n` in decimal, as `n.to_string()` writes it.
pub fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// A cell as a sweep file writes it: quoted if it holds a comma, a quote
/// or a line break (none of the numbers, ids and paths do).
pub fn quoted(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

/// Where the cells of one count lie in [`Counts::bytes`]: `count,p,lo,hi`
/// from `start`, the count ending at `count_end`, the probability at
/// `p_end`, the whole at `end`.
#[derive(Debug, Clone, Copy)]
struct Entry {
    start: u32,
    count_end: u32,
    p_end: u32,
    end: u32,
}

/// Appends `count,probability,ci_low,ci_high` for `count` of `runs` and
/// says where each part ends.
fn push_count(out: &mut Vec<u8>, count: u64, runs: u64) -> Entry {
    let share = Share::of(count, runs);
    let start = out.len() as u32;
    push_u64(out, count);
    let count_end = out.len() as u32;
    // Writing to a Vec cannot fail.
    let _ = write!(out, ",{:.6}", share.probability);
    let p_end = out.len() as u32;
    let _ = write!(out, ",{:.6},{:.6}", share.ci_low, share.ci_high);
    Entry {
        start,
        count_end,
        p_end,
        end: out.len() as u32,
    }
}

/// The cells of every count from 0 to `runs`.
#[derive(Debug, Clone)]
struct Counts {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
}

impl Counts {
    fn new(runs: u64) -> Counts {
        let mut bytes = Vec::with_capacity(32 * (runs as usize + 1));
        let entries = (0..=runs)
            .map(|c| push_count(&mut bytes, c, runs))
            .collect();
        Counts { bytes, entries }
    }
}

/// Formats the rows of the points of one sweep (one scenario, a fixed
/// number of runs).
#[derive(Debug, Clone)]
pub struct RowFormat {
    runs: u64,
    /// `option,level,` per level.
    options: Vec<Vec<u8>>,
    /// `member,` per member.
    members: Vec<Vec<u8>>,
    /// The cells of each count, for points of `runs` runs (up to
    /// [`CACHED_RUNS`]).
    counts: Option<Counts>,
}

impl RowFormat {
    /// The rows of `scenario`'s points of `runs` runs each.
    pub fn new(scenario: &Scenario, runs: u64) -> RowFormat {
        let options = scenario
            .options
            .iter()
            .enumerate()
            .map(|(level, o)| {
                let mut b = quoted(&text_cell(&o.id)).into_bytes();
                b.push(b',');
                push_u64(&mut b, level as u64);
                b.push(b',');
                b
            })
            .collect();
        let members = scenario
            .members
            .iter()
            .map(|m| {
                let mut b = quoted(&text_cell(&m.id)).into_bytes();
                b.push(b',');
                b
            })
            .collect();
        RowFormat {
            runs,
            options,
            members,
            counts: (runs <= CACHED_RUNS).then(|| Counts::new(runs)),
        }
    }

    /// Appends the outcome rows of a point: `lead` (the point's cells up to
    /// and including the rule and its comma), then per level the option,
    /// level, runs, count, probability and interval.
    pub fn outcome_rows(&self, lead: &[u8], tally: &Tally, out: &mut Vec<u8>) {
        let mut scratch = Vec::new();
        let counts = self.counts_for(tally.runs);
        for (prefix, &count) in self.options.iter().zip(&tally.levels) {
            out.extend_from_slice(lead);
            out.extend_from_slice(prefix);
            push_u64(out, tally.runs);
            out.push(b',');
            let (bytes, e) = entry(counts, &mut scratch, count, tally.runs);
            out.extend_from_slice(&bytes[e.start as usize..e.end as usize]);
            out.push(b'\n');
        }
    }

    /// Appends the member rows of a point: `lead`, then per member its id,
    /// runs, the counts of yes, no, abstain and sole blocker, and their
    /// shares.
    pub fn member_rows(&self, lead: &[u8], tally: &Tally, out: &mut Vec<u8>) {
        let mut scratch = Vec::new();
        let counts = self.counts_for(tally.runs);
        let rows = self
            .members
            .iter()
            .zip(&tally.votes)
            .zip(&tally.sole_blocker);
        for ((prefix, votes), &sole) in rows {
            out.extend_from_slice(lead);
            out.extend_from_slice(prefix);
            push_u64(out, tally.runs);
            let cells = [votes[0], votes[1], votes[2], sole];
            match counts.filter(|t| cells.iter().all(|&c| (c as usize) < t.entries.len())) {
                Some(t) => member_tail(&t.bytes, &cells.map(|c| t.entries[c as usize]), out),
                None => {
                    scratch.clear();
                    let entries = cells.map(|c| push_count(&mut scratch, c, tally.runs));
                    member_tail(&scratch, &entries, out);
                }
            }
        }
    }

    /// The cached cells, if they are those of `runs` runs.
    fn counts_for(&self, runs: u64) -> Option<&Counts> {
        self.counts.as_ref().filter(|_| runs == self.runs)
    }
}

/// The cells of `count`: from the cache, or made in `scratch`.
fn entry<'a>(
    counts: Option<&'a Counts>,
    scratch: &'a mut Vec<u8>,
    count: u64,
    runs: u64,
) -> (&'a [u8], Entry) {
    match counts {
        Some(t) if (count as usize) < t.entries.len() => (&t.bytes, t.entries[count as usize]),
        _ => {
            scratch.clear();
            let e = push_count(scratch, count, runs);
            (scratch, e)
        }
    }
}

/// Appends `,yes,no,abstain,sole_blocker,p_yes,p_no,p_abstain,p_sole_blocker`
/// and the line break, from the cells of the four counts in `bytes`.
fn member_tail(bytes: &[u8], entries: &[Entry; 4], out: &mut Vec<u8>) {
    for e in entries {
        out.push(b',');
        out.extend_from_slice(&bytes[e.start as usize..e.count_end as usize]);
    }
    for e in entries {
        out.extend_from_slice(&bytes[e.count_end as usize..e.p_end as usize]);
    }
    out.push(b'\n');
}
