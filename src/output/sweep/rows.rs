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

#[cfg(test)]
mod tests {
    use super::super::SweepWriter;
    use super::*;
    use crate::output::Summary;
    use rand::{Rng, SeedableRng};

    fn scenario(name: &str) -> Scenario {
        let p =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.toml"));
        crate::scenario::load(&p).expect("shipped scenario loads")
    }

    /// A tally of `runs` runs with counts drawn at random (each count from
    /// 0 to `runs`, the extremes often).
    fn tally(s: &Scenario, runs: u64, rng: &mut rand_chacha::ChaCha8Rng) -> Tally {
        let mut count = || match rng.random_range(0..6) {
            0 => 0,
            1 => runs,
            _ => rng.random_range(0..=runs),
        };
        let mut t = Tally::new(s.members.len(), s.options.len());
        t.runs = runs;
        for c in t.levels.iter_mut() {
            *c = count();
        }
        for v in t.votes.iter_mut() {
            *v = [count(), count(), count()];
        }
        for c in t.sole_blocker.iter_mut() {
            *c = count();
        }
        t
    }

    /// The rows [`SweepWriter::write_point`] writes, one `String` per cell.
    fn reference(
        s: &Scenario,
        point: usize,
        values: &[String],
        rule: &str,
        t: &Tally,
    ) -> (Vec<u8>, Vec<u8>) {
        let dir = tempfile::tempdir().unwrap();
        let mut w = SweepWriter::create(dir.path(), &vec!["x".to_string(); values.len()]).unwrap();
        let o_head =
            std::fs::read(super::super::partial(dir.path(), super::super::OUTCOMES)).unwrap();
        let m_head =
            std::fs::read(super::super::partial(dir.path(), super::super::MEMBERS)).unwrap();
        w.write_point(point, values, rule, s, &Summary::new(t))
            .unwrap();
        w.flush().unwrap();
        let o = std::fs::read(super::super::partial(dir.path(), super::super::OUTCOMES)).unwrap();
        let m = std::fs::read(super::super::partial(dir.path(), super::super::MEMBERS)).unwrap();
        (o[o_head.len()..].to_vec(), m[m_head.len()..].to_vec())
    }

    #[test]
    fn rows_are_the_bytes_of_the_cell_by_cell_writer() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
        for name in ["kyrgyzstan_2010", "kazakhstan_2022"] {
            let s = scenario(name);
            for runs in [
                0,
                1,
                2,
                7,
                100,
                CACHED_RUNS - 1,
                CACHED_RUNS,
                CACHED_RUNS + 1,
                1_000_003,
            ] {
                let format = RowFormat::new(&s, runs);
                let values = vec!["0.25".to_string(), "1".to_string()];
                for (point, rule) in [
                    (0, "consensus"),
                    (17, "qualified_majority:0.67"),
                    (999_999, "-odd,rule"),
                ] {
                    for _ in 0..20 {
                        let t = tally(&s, runs, &mut rng);
                        let mut lead = Vec::new();
                        push_u64(&mut lead, point as u64);
                        for v in &values {
                            lead.push(b',');
                            lead.extend_from_slice(quoted(v).as_bytes());
                        }
                        lead.push(b',');
                        lead.extend_from_slice(quoted(&text_cell(rule)).as_bytes());
                        lead.push(b',');
                        let (mut o, mut m) = (Vec::new(), Vec::new());
                        format.outcome_rows(&lead, &t, &mut o);
                        format.member_rows(&lead, &t, &mut m);
                        let (want_o, want_m) = reference(&s, point, &values, rule, &t);
                        assert_eq!(
                            String::from_utf8(o).unwrap(),
                            String::from_utf8(want_o).unwrap(),
                            "{name}, {runs} runs"
                        );
                        assert_eq!(
                            String::from_utf8(m).unwrap(),
                            String::from_utf8(want_m).unwrap(),
                            "{name}, {runs} runs"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_tally_of_other_runs_is_formatted_without_the_cache() {
        // The cache holds the cells of 100 runs; a tally of 50 or 5000 runs
        // (never the case in a sweep, whose points all have the same runs)
        // still gets its own numbers.
        let s = scenario("kyrgyzstan_2010");
        let format = RowFormat::new(&s, 100);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for runs in [50, 5000] {
            let t = tally(&s, runs, &mut rng);
            let (mut o, mut m) = (Vec::new(), Vec::new());
            format.outcome_rows(b"3,consensus,", &t, &mut o);
            format.member_rows(b"3,consensus,", &t, &mut m);
            let (want_o, want_m) = reference(&s, 3, &[], "consensus", &t);
            assert_eq!(o, want_o);
            assert_eq!(m, want_m);
        }
    }

    #[test]
    fn integers_are_written_as_to_string_writes_them() {
        for n in [0, 1, 9, 10, 99, 100, 4096, 123_456_789, u64::MAX] {
            let mut b = Vec::new();
            push_u64(&mut b, n);
            assert_eq!(String::from_utf8(b).unwrap(), n.to_string());
        }
        assert_eq!(quoted("a,b"), "\"a,b\"");
        assert_eq!(quoted("q\""), "\"q\"\"\"");
        assert_eq!(quoted("plain"), "plain");
    }
}
