//! Sweep results: `sweep_outcomes.csv` and `sweep_members.csv` in long
//! ("tidy") form, one block of rows per point, appended in point order.
//!
//! While a sweep runs, both files carry a `.partial` suffix, beside
//! `manifest.json.partial`. They take their final names only when every point
//! is done, so an interrupted sweep never looks complete, and `--resume`
//! continues from its last complete point (a point half written when the
//! process died is cut off first), giving the same bytes as an uninterrupted run.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

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
) -> Result<Vec<(String, String, String)>, String> {
    if !grid {
        return Err(
            "charts are drawn for grid designs only; pivot the CSV for other designs".into(),
        );
    }
    if paths.is_empty() || paths.len() > 2 {
        return Err(format!(
            "charts are drawn for grids over one or two parameters; this one has {}",
            paths.len()
        ));
    }
    let rows = read_rows(outcomes_csv, paths.len())?;
    let distinct = |j: usize| {
        let mut v: Vec<f64> = Vec::new();
        for (values, ..) in &rows {
            if !v.contains(&values[j]) {
                v.push(values[j]);
            }
        }
        v
    };
    let mut out = Vec::new();
    for (k, rule) in rules.iter().enumerate() {
        let cell = |x: &[f64], option: &str| {
            rows.iter()
                .find(|(v, r, o, _)| v == x && r == rule && o == option)
                .map_or(f64::NAN, |row| row.3)
        };
        let file = format!("sweep_{}.svg", k + 1);
        if paths.len() == 1 {
            let xs = distinct(0);
            let series: Vec<(String, Vec<f64>)> = options
                .iter()
                .map(|o| (o.clone(), xs.iter().map(|x| cell(&[*x], o)).collect()))
                .collect();
            let title = format!("Outcome probabilities against {} ({rule})", paths[0]);
            let svg = super::charts::lines(&title, &paths[0], &xs, &series, "probability");
            out.push((file, title, svg));
        } else {
            let (xs, ys) = (distinct(0), distinct(1));
            let values: Vec<Vec<f64>> = ys
                .iter()
                .map(|y| xs.iter().map(|x| cell(&[*x, *y], focus)).collect())
                .collect();
            let title = format!("Probability of {focus} ({rule})");
            let svg = super::charts::heatmap(&title, &paths[0], &xs, &paths[1], &ys, &values);
            out.push((file, title, svg));
        }
    }
    Ok(out)
}

/// One row of `sweep_outcomes.csv`: the path values, rule, option and probability.
type Row = (Vec<f64>, String, String, f64);

fn read_rows(outcomes_csv: &str, n_paths: usize) -> Result<Vec<Row>, String> {
    let mut reader = ::csv::Reader::from_reader(outcomes_csv.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let r = record.map_err(|e| format!("cannot read the results back: {e}"))?;
        let num = |i: usize| {
            r.get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        };
        // Columns: point, the paths, rule, option, level, runs, count, probability, ...
        let values: Vec<f64> = (0..n_paths).map(|j| num(1 + j)).collect();
        let rule = r.get(1 + n_paths).unwrap_or("").to_string();
        let option = r.get(2 + n_paths).unwrap_or("").to_string();
        rows.push((values, rule, option, num(6 + n_paths)));
    }
    Ok(rows)
}

#[cfg(test)]
mod chart_tests {
    use super::*;

    const ONE: &str = "point,noise,rule,option,level,runs,count,probability,ci_low,ci_high\n\
        0,0.1,unanimity,no_action,0,10,2,0.200000,0,1\n0,0.1,unanimity,act,1,10,8,0.800000,0,1\n\
        1,0.2,unanimity,no_action,0,10,5,0.500000,0,1\n1,0.2,unanimity,act,1,10,5,0.500000,0,1\n";

    #[test]
    fn rows_are_read_back_with_their_probability() {
        let rows = read_rows(ONE, 1).unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(
            rows[1],
            (vec![0.1], "unanimity".to_string(), "act".to_string(), 0.8)
        );
        assert_eq!(rows[2].3, 0.5);
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
        crate::output::markup::svg(&c[0].2, "sweep_1.svg");
        assert!(c[0].2.contains("act"));
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
