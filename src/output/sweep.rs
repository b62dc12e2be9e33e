//! Sweep results: `sweep_outcomes.csv` and `sweep_members.csv` in long
//! ("tidy") form, one block of rows per point, appended in point order.
//!
//! While a sweep runs, both files carry a `.partial` suffix, beside
//! `manifest.json.partial`. They take their final names only when every point
//! is done, so an interrupted sweep never looks complete, and `--resume`
//! continues from its last complete point (a point half written when the
//! process died is cut off first), giving the same bytes as an uninterrupted run.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::csv::{member_cells, outcome_cells, text_cell, MEMBERS_HEADER, OUTCOMES_HEADER};
use super::summary::Summary;
use crate::scenario::Scenario;

/// Final name of the outcome rows.
pub const OUTCOMES: &str = "sweep_outcomes.csv";
/// Final name of the member rows.
pub const MEMBERS: &str = "sweep_members.csv";
/// Final name of the manifest.
pub const MANIFEST: &str = "manifest.json";
/// Suffix of files of a sweep in progress.
pub const PARTIAL: &str = ".partial";

/// The path of `name` while the sweep is in progress.
pub fn partial(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}{PARTIAL}"))
}

/// Header of `sweep_outcomes.csv` for the given varied paths.
pub fn outcomes_header(paths: &[String]) -> Vec<String> {
    header(paths, &OUTCOMES_HEADER[2..])
}

/// Header of `sweep_members.csv` for the given varied paths.
pub fn members_header(paths: &[String]) -> Vec<String> {
    header(paths, &MEMBERS_HEADER[2..])
}

fn header(paths: &[String], tail: &[&str]) -> Vec<String> {
    let mut h = vec!["point".to_string()];
    h.extend(paths.iter().map(|p| text_cell(p)));
    h.push("rule".into());
    h.extend(tail.iter().map(|s| s.to_string()));
    h
}

fn line(cells: &[String]) -> String {
    // Every cell is a number, an id or a path: none holds a comma, quote or
    // line break, so no quoting is needed; check rather than assume.
    let mut s = String::new();
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        if c.contains([',', '"', '\n', '\r']) {
            s.push('"');
            s.push_str(&c.replace('"', "\"\""));
            s.push('"');
        } else {
            s.push_str(c);
        }
    }
    s.push('\n');
    s
}

/// The two CSV files of a sweep in progress.
pub struct SweepWriter {
    outcomes: BufWriter<File>,
    members: BufWriter<File>,
    dir: PathBuf,
}

impl SweepWriter {
    /// Starts new files (replacing any earlier partial ones) with their headers.
    pub fn create(dir: &Path, paths: &[String]) -> io::Result<SweepWriter> {
        let mut outcomes = BufWriter::new(File::create(partial(dir, OUTCOMES))?);
        let mut members = BufWriter::new(File::create(partial(dir, MEMBERS))?);
        outcomes.write_all(line(&outcomes_header(paths)).as_bytes())?;
        members.write_all(line(&members_header(paths)).as_bytes())?;
        let mut w = SweepWriter {
            outcomes,
            members,
            dir: dir.to_path_buf(),
        };
        // On disk at once, so that a sweep stopped before its first point can resume.
        w.flush()?;
        Ok(w)
    }

    /// Reopens the partial files of an interrupted sweep, keeping the points
    /// complete in both, and returns the writer and how many points are done.
    /// `outcome_rows` and `member_rows` are the rows one point writes.
    pub fn resume(
        dir: &Path,
        paths: &[String],
        outcome_rows: usize,
        member_rows: usize,
    ) -> io::Result<(SweepWriter, usize)> {
        let (o_lines, o_header) = complete_lines(&partial(dir, OUTCOMES))?;
        let (m_lines, m_header) = complete_lines(&partial(dir, MEMBERS))?;
        if o_header.is_none() || m_header.is_none() {
            // Stopped before even a header reached the disk: nothing is done yet.
            return Ok((SweepWriter::create(dir, paths)?, 0));
        }
        let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
        if o_header.as_deref() != Some(line(&outcomes_header(paths)).as_str())
            || m_header.as_deref() != Some(line(&members_header(paths)).as_str())
        {
            return Err(bad(
                "the partial result files do not have this sweep's columns",
            ));
        }
        let done = ((o_lines.len() - 1) / outcome_rows).min((m_lines.len() - 1) / member_rows);
        let outcomes = truncate_to(&partial(dir, OUTCOMES), o_lines[done * outcome_rows])?;
        let members = truncate_to(&partial(dir, MEMBERS), m_lines[done * member_rows])?;
        Ok((
            SweepWriter {
                outcomes: BufWriter::new(outcomes),
                members: BufWriter::new(members),
                dir: dir.to_path_buf(),
            },
            done,
        ))
    }

    /// Appends point `point`'s rows.
    pub fn write_point(
        &mut self,
        point: usize,
        values: &[String],
        rule: &str,
        scenario: &Scenario,
        summary: &Summary,
    ) -> io::Result<()> {
        let lead = |cells: &mut Vec<String>| {
            cells.push(point.to_string());
            cells.extend(values.iter().cloned());
            cells.push(text_cell(rule));
        };
        for (level, (o, sh)) in scenario.options.iter().zip(&summary.outcomes).enumerate() {
            let mut cells = Vec::with_capacity(values.len() + 9);
            lead(&mut cells);
            cells.extend(outcome_cells(&o.id, level, summary.runs, sh));
            self.outcomes.write_all(line(&cells).as_bytes())?;
        }
        for (m, sh) in scenario.members.iter().zip(&summary.members) {
            let mut cells = Vec::with_capacity(values.len() + 12);
            lead(&mut cells);
            cells.extend(member_cells(&m.id, summary.runs, sh));
            self.members.write_all(line(&cells).as_bytes())?;
        }
        Ok(())
    }

    /// Pushes written rows to disk, so that they survive an interruption.
    pub fn flush(&mut self) -> io::Result<()> {
        self.outcomes.flush()?;
        self.members.flush()?;
        self.outcomes.get_ref().sync_data()?;
        self.members.get_ref().sync_data()
    }

    /// Gives up: closes and removes both partial files.
    pub fn discard(self) {
        let dir = self.dir.clone();
        drop(self);
        for name in [OUTCOMES, MEMBERS] {
            let _ = std::fs::remove_file(partial(&dir, name));
        }
    }

    /// Flushes both files and gives them their final names.
    pub fn finish(mut self) -> io::Result<()> {
        self.flush()?;
        for name in [OUTCOMES, MEMBERS] {
            std::fs::rename(partial(&self.dir, name), self.dir.join(name))?;
        }
        Ok(())
    }
}

/// The header line, and the offsets at which data lines start: entry k is
/// where line k starts, and the last entry is just past the last complete
/// line, so a file with L complete data lines gives L + 1 entries.
fn complete_lines(path: &Path) -> io::Result<(Vec<u64>, Option<String>)> {
    let bytes = std::fs::read(path)?;
    let Some(header_end) = bytes.iter().position(|b| *b == b'\n') else {
        return Ok((vec![0], None));
    };
    let header = String::from_utf8_lossy(&bytes[..=header_end]).into_owned();
    let mut starts = vec![header_end as u64 + 1];
    for (i, b) in bytes.iter().enumerate().skip(header_end + 1) {
        if *b == b'\n' {
            starts.push(i as u64 + 1);
        }
    }
    Ok((starts, Some(header)))
}

/// Cuts `path` to `len` bytes and opens it for appending.
fn truncate_to(path: &Path, len: u64) -> io::Result<File> {
    let f = OpenOptions::new().write(true).open(path)?;
    f.set_len(len)?;
    drop(f);
    OpenOptions::new().append(true).open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_plain_csv() {
        assert_eq!(line(&["a".into(), "1".into()]), "a,1\n");
        assert_eq!(line(&["x,y".into(), "q\"".into()]), "\"x,y\",\"q\"\"\"\n");
        let h = outcomes_header(&["crisis.severity".into()]);
        assert_eq!(
            h.join(","),
            "point,crisis.severity,rule,option,level,runs,count,probability,ci_low,ci_high"
        );
        let h = members_header(&[]);
        assert_eq!(
            h.join(","),
            "point,rule,member,runs,yes,no,abstain,sole_blocker,p_yes,p_no,p_abstain,p_sole_blocker"
        );
    }

    #[test]
    fn resume_cuts_a_half_written_point() {
        let dir = tempfile::tempdir().unwrap();
        let paths = vec!["noise".to_string()];
        let o_head = line(&outcomes_header(&paths));
        let m_head = line(&members_header(&paths));
        // Two outcome rows and one member row per point; point 1 is half written.
        std::fs::write(
            partial(dir.path(), OUTCOMES),
            format!("{o_head}p0a\np0b\np1a\np1"),
        )
        .unwrap();
        std::fs::write(partial(dir.path(), MEMBERS), format!("{m_head}m0\nm1\n")).unwrap();
        let (w, done) = SweepWriter::resume(dir.path(), &paths, 2, 1).unwrap();
        drop(w);
        assert_eq!(done, 1);
        assert_eq!(
            std::fs::read_to_string(partial(dir.path(), OUTCOMES)).unwrap(),
            format!("{o_head}p0a\np0b\n")
        );
        assert_eq!(
            std::fs::read_to_string(partial(dir.path(), MEMBERS)).unwrap(),
            format!("{m_head}m0\n")
        );
        let wrong = vec!["crisis.severity".to_string()];
        assert!(SweepWriter::resume(dir.path(), &wrong, 2, 1).is_err());
    }

    #[test]
    fn resume_of_files_without_a_header_starts_over() {
        let dir = tempfile::tempdir().unwrap();
        let paths = vec!["noise".to_string()];
        std::fs::write(partial(dir.path(), OUTCOMES), "").unwrap();
        std::fs::write(partial(dir.path(), MEMBERS), "point,noi").unwrap();
        let (w, done) = SweepWriter::resume(dir.path(), &paths, 2, 1).unwrap();
        drop(w);
        assert_eq!(done, 0);
        assert_eq!(
            std::fs::read_to_string(partial(dir.path(), MEMBERS)).unwrap(),
            line(&members_header(&paths))
        );
    }
}

/// The charts of a finished sweep, read back from `sweep_outcomes.csv`, as
/// (file name, title, SVG). A grid over one parameter gives, per rule, one
/// line per option against the parameter; a grid over two gives, per rule, a
/// heat map of the probability of `focus` (an option id). Other designs, and
/// grids over more parameters, give no chart: the reason is returned instead.
pub fn charts(
    outcomes_csv: &str,
    paths: &[String],
    grid: bool,
    rules: &[String],
    options: &[String],
    focus: &str,
) -> Charts {
    charts_watched(outcomes_csv, paths, grid, rules, options, focus, None)
        .expect("nothing cancels it")
}

/// A sweep's charts as (file name, title, SVG), or why there are none.
pub type Charts = Result<Vec<(String, String, String)>, String>;

/// Rows read between two looks at the cancel flag.
const ROWS_PER_LOOK: usize = 4096;

/// [`charts`], stopping with `None` soon after `cancel` is set. The work
/// grows in proportion to the rows (each row is placed through hash maps, not
/// searched for), and the charts thin what they draw when there are more
/// points than pixels, saying so.
pub fn charts_watched(
    outcomes_csv: &str,
    paths: &[String],
    grid: bool,
    rules: &[String],
    options: &[String],
    focus: &str,
    cancel: Option<&AtomicBool>,
) -> Option<Charts> {
    let cancelled = || cancel.is_some_and(|c| c.load(Ordering::Relaxed));
    if !grid {
        return Some(Err(
            "charts are drawn for grid designs only; pivot the CSV for other designs".into(),
        ));
    }
    if paths.is_empty() || paths.len() > 2 {
        return Some(Err(format!(
            "charts are drawn for grids over one or two parameters; this one has {}",
            paths.len()
        )));
    }
    // A rule or option listed twice is found at its first position.
    let first_of = |names: &[String]| -> HashMap<String, usize> {
        let mut at = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            at.entry(n.clone()).or_insert(i);
        }
        at
    };
    let (rule_at, option_at) = (first_of(rules), first_of(options));
    let table = match Table::read(outcomes_csv, paths.len(), &rule_at, &option_at, &cancelled)? {
        Ok(t) => t,
        Err(e) => return Some(Err(e)),
    };
    let focus_at = option_at.get(focus).copied();
    let mut out = Vec::new();
    for (k, rule) in rules.iter().enumerate() {
        if cancelled() {
            return None;
        }
        let r = rule_at[rule];
        let file = format!("sweep_{}.svg", k + 1);
        let xs = &table.values[0];
        if paths.len() == 1 {
            let series: Vec<(String, Vec<f64>)> = options
                .iter()
                .enumerate()
                .map(|(o, name)| {
                    let o = option_at[name].min(o);
                    let ys = (0..xs.len()).map(|xi| table.cell(xi, 0, r, Some(o)));
                    (name.clone(), ys.collect())
                })
                .collect();
            let title = format!("Outcome probabilities against {} ({rule})", paths[0]);
            let svg = super::charts::lines(&title, &paths[0], xs, &series, "probability");
            out.push((file, title, svg));
        } else {
            let ys = &table.values[1];
            let values: Vec<Vec<f64>> = (0..ys.len())
                .map(|yi| {
                    (0..xs.len())
                        .map(|xi| table.cell(xi, yi, r, focus_at))
                        .collect()
                })
                .collect();
            let title = format!("Probability of {focus} ({rule})");
            let svg = super::charts::heatmap(&title, &paths[0], xs, &paths[1], ys, &values);
            out.push((file, title, svg));
        }
    }
    Some(Ok(out))
}

/// The probabilities of `sweep_outcomes.csv`, placed on the grid.
struct Table {
    /// Per varied path, its distinct values in the order they first appear.
    values: Vec<Vec<f64>>,
    /// Probability by (x position, y position, rule, option); the first row
    /// of a cell counts.
    cells: HashMap<(usize, usize, usize, usize), f64>,
}

impl Table {
    /// Reads the rows of the rules and options in `rule_at` and `option_at`
    /// (positions by name); `None` if `cancelled` said so on the way.
    fn read(
        outcomes_csv: &str,
        n_paths: usize,
        rule_at: &HashMap<String, usize>,
        option_at: &HashMap<String, usize>,
        cancelled: &dyn Fn() -> bool,
    ) -> Option<Result<Table, String>> {
        let mut values: Vec<Vec<f64>> = vec![Vec::new(); n_paths];
        let mut seen: Vec<HashMap<u64, usize>> = vec![HashMap::new(); n_paths];
        let mut cells = HashMap::new();
        let mut reader = ::csv::Reader::from_reader(outcomes_csv.as_bytes());
        for (n, record) in reader.records().enumerate() {
            if n % ROWS_PER_LOOK == 0 && cancelled() {
                return None;
            }
            let row = match record {
                Ok(r) => r,
                Err(e) => return Some(Err(format!("cannot read the results back: {e}"))),
            };
            let num = |i: usize| {
                row.get(i)
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(f64::NAN)
            };
            // Columns: point, the paths, rule, option, level, runs, count, probability, ...
            let mut at = [0usize; 2];
            let mut placed = true;
            for j in 0..n_paths {
                let v = num(1 + j);
                if v.is_nan() {
                    // Equal to nothing, as `==` has it: a value of its own, with no cells.
                    values[j].push(v);
                    placed = false;
                    continue;
                }
                // 0 and -0 are one value.
                let key = (v + 0.0).to_bits();
                let next = values[j].len();
                let i = *seen[j].entry(key).or_insert(next);
                if i == next {
                    values[j].push(v);
                }
                at[j] = i;
            }
            let rule = rule_at.get(row.get(1 + n_paths).unwrap_or(""));
            let option = option_at.get(row.get(2 + n_paths).unwrap_or(""));
            if let (true, Some(&r), Some(&o)) = (placed, rule, option) {
                cells
                    .entry((at[0], at[1], r, o))
                    .or_insert(num(6 + n_paths));
            }
        }
        Some(Ok(Table { values, cells }))
    }

    /// The probability at (x, y) under rule `rule` of option `option`; NaN
    /// where no row gives it.
    fn cell(&self, x: usize, y: usize, rule: usize, option: Option<usize>) -> f64 {
        option
            .and_then(|o| self.cells.get(&(x, y, rule, o)))
            .copied()
            .unwrap_or(f64::NAN)
    }
}

#[cfg(test)]
mod chart_tests {
    use super::*;

    const ONE: &str = "point,noise,rule,option,level,runs,count,probability,ci_low,ci_high\n\
        0,0.1,unanimity,no_action,0,10,2,0.200000,0,1\n0,0.1,unanimity,act,1,10,8,0.800000,0,1\n\
        1,0.2,unanimity,no_action,0,10,5,0.500000,0,1\n1,0.2,unanimity,act,1,10,5,0.500000,0,1\n";

    #[test]
    fn rows_are_placed_on_the_grid_with_their_probability() {
        let names = |v: &[&str]| -> HashMap<String, usize> {
            v.iter()
                .enumerate()
                .map(|(i, n)| (n.to_string(), i))
                .collect()
        };
        let t = Table::read(
            ONE,
            1,
            &names(&["unanimity"]),
            &names(&["no_action", "act"]),
            &|| false,
        )
        .unwrap()
        .unwrap();
        assert_eq!(t.values, vec![vec![0.1, 0.2]]);
        assert_eq!(t.cell(0, 0, 0, Some(1)), 0.8);
        assert_eq!(t.cell(1, 0, 0, Some(0)), 0.5);
        assert!(t.cell(2, 0, 0, Some(0)).is_nan());
        assert!(Table::read(ONE, 1, &names(&[]), &names(&[]), &|| true).is_none());
    }

    /// Thousands of points are placed in one pass, each cell where its row
    /// says, and a set cancel flag stops the drawing.
    #[test]
    fn many_points_are_placed_in_one_pass_and_cancel_stops_them() {
        let mut csv =
            String::from("point,a,b,rule,option,level,runs,count,probability,ci_low,ci_high\n");
        let (nx, ny) = (300, 200);
        for x in 0..nx {
            for y in 0..ny {
                let p = (x * ny + y) as f64 / (nx * ny) as f64;
                csv.push_str(&format!("0,{x},{y},majority,act,1,10,1,{p},0,1\n"));
            }
        }
        let paths = ["a".to_string(), "b".to_string()];
        let (rules, options) = (["majority".to_string()], ["act".to_string()]);
        let c = charts(&csv, &paths, true, &rules, &options, "act").unwrap();
        assert_eq!(c.len(), 1);
        let flag = AtomicBool::new(true);
        let cancelled = charts_watched(&csv, &paths, true, &rules, &options, "act", Some(&flag));
        assert!(cancelled.is_none(), "a set flag stops the charts");
    }

    #[test]
    fn one_parameter_gives_lines_per_rule() {
        let opts = vec!["no_action".to_string(), "act".to_string()];
        let c = charts(
            ONE,
            &["noise".into()],
            true,
            &["unanimity".into()],
            &opts,
            "act",
        )
        .unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].0, "sweep_1.svg");
        assert!(c[0].2.starts_with("<svg") && c[0].2.contains("act"));
    }

    #[test]
    fn two_parameters_give_a_heat_map_and_other_designs_none() {
        let two = "point,a,b,rule,option,level,runs,count,probability,ci_low,ci_high\n\
            0,0,0,majority,act,1,10,1,0.100000,0,1\n1,0,1,majority,act,1,10,3,0.300000,0,1\n";
        let c = charts(
            two,
            &["a".into(), "b".into()],
            true,
            &["majority".into()],
            &["act".into()],
            "act",
        )
        .unwrap();
        assert!(c[0].1.contains("Probability of act"));
        assert!(charts(ONE, &["noise".into()], false, &[], &[], "act").is_err());
        let three: Vec<String> = vec!["a".into(), "b".into(), "c".into()];
        assert!(charts(ONE, &three, true, &[], &[], "act").is_err());
    }
}
