//! Sweep results: `sweep_outcomes.csv` and `sweep_members.csv` in long
//! ("tidy") form, one block of rows per point, appended in point order.
//!
//! While a sweep runs, both files carry a `.partial` suffix, beside
//! `manifest.json.partial`. They take their final names only when every point
//! is done, so an interrupted sweep never looks complete, and `--resume`
//! continues from its last complete point (a point half written when the
//! process died is cut off first), giving the same bytes as an uninterrupted run.
//! What a resume keeps is checked row by row first: damage in the middle of
//! a partial file is refused rather than carried into the results.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::csv::{member_cells, outcome_cells, text_cell, MEMBERS_HEADER, OUTCOMES_HEADER};
use super::summary::Summary;
use super::table::thousands;
use crate::input::{Class, InputError, Line, LineReader, Links};
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
    ///
    /// What is kept is checked first (see [`scan_partial`]): a damaged tail
    /// after the last complete point is cut off with the half-written point,
    /// but damage before it is an error, and nothing is changed.
    pub fn resume(
        dir: &Path,
        paths: &[String],
        outcome_rows: usize,
        member_rows: usize,
    ) -> io::Result<(SweepWriter, usize)> {
        let o_ends = scan_partial(
            &partial(dir, OUTCOMES),
            &line(&outcomes_header(paths)),
            outcome_rows,
        )?;
        let m_ends = scan_partial(
            &partial(dir, MEMBERS),
            &line(&members_header(paths)),
            member_rows,
        )?;
        let (Some(o_ends), Some(m_ends)) = (o_ends, m_ends) else {
            // Stopped before even a header reached the disk: nothing is done yet.
            return Ok((SweepWriter::create(dir, paths)?, 0));
        };
        let done = (o_ends.len() - 1).min(m_ends.len() - 1);
        let outcomes = truncate_to(&partial(dir, OUTCOMES), o_ends[done])?;
        let members = truncate_to(&partial(dir, MEMBERS), m_ends[done])?;
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

/// How the partial files of an interrupted sweep are read back: written by
/// the program itself, they are regular files, never links; they are
/// streamed line by line, however large.
const PARTIAL_FILE: Class = Class {
    noun: "partial result file",
    links: Links::Refuse,
    max_bytes: u64::MAX,
};

/// Longest line of a partial file read back, in bytes.
const MAX_ROW_BYTES: usize = crate::input::MAX_LINE_BYTES;

fn damaged(path: &Path, line: u64, why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("`{}` is damaged at line {line} ({why})", path.display()),
    )
}

/// The fields of a CSV line (a quoted field may hold commas); `None` if a
/// quote is left open.
fn field_count(text: &str) -> Option<usize> {
    let mut quoted = false;
    let mut count = 1;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => count += 1,
            _ => {}
        }
    }
    (!quoted).then_some(count)
}

/// Checks one line of a partial file (line break included) against the
/// shape of a row: UTF-8 text without NUL or other control characters, with
/// `fields` comma-separated fields (a quoted field may hold commas), the
/// first a point number. Returns the point, or what is wrong.
fn row_point(bytes: &[u8], fields: usize) -> Result<u64, String> {
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())?;
    if text.contains('\0') {
        return Err("it holds NUL bytes".into());
    }
    if text.chars().any(char::is_control) {
        return Err("it holds a control character".into());
    }
    match field_count(text) {
        Some(n) if n == fields => {}
        Some(n) => return Err(format!("it has {n} fields where a row has {fields}")),
        None => return Err("it has a quote that is never closed".into()),
    }
    let first = text.split(',').next().unwrap_or("");
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
        return Err("its first field is not a point number".into());
    }
    first
        .parse::<u64>()
        .map_err(|_| "its first field is not a point number".into())
}

/// Reads the partial file at `path`, which must start with the line
/// `header` and hold `rows` rows per point, in point order, and returns the
/// offsets at which it may be cut: entry 0 is just past the header, entry k
/// just past point k − 1's last row. `None` if not even the header is
/// complete (the sweep stopped before it reached the disk).
///
/// Every row kept must be a complete row of the right shape (see
/// [`row_point`]) for the point its place says. A file that ends in damage
/// (garbage, NUL bytes or a half-written line after the last good row, as a
/// crash may leave) is cut before it; damage followed by good rows is not
/// what an interruption leaves and is an error naming the line.
pub fn scan_partial(path: &Path, header: &str, rows: usize) -> io::Result<Option<Vec<u64>>> {
    let mut reader = LineReader::open(path, PARTIAL_FILE, MAX_ROW_BYTES).map_err(|e| match e {
        InputError::Unreadable { source, .. } => io::Error::new(
            source.kind(),
            format!(
                "cannot read `{}`: {}",
                path.display(),
                crate::input::plain_io(&source)
            ),
        ),
        other => io::Error::new(io::ErrorKind::InvalidData, other.to_string()),
    })?;
    let fail = |e: InputError| io::Error::new(io::ErrorKind::InvalidData, e.to_string());
    let mut buf = Vec::new();
    match reader.next_line(&mut buf).map_err(fail)? {
        Line::End | Line::Unterminated => return Ok(None),
        Line::TooLong => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the partial result files do not have this sweep's columns",
            ))
        }
        Line::Complete => {}
    }
    if buf != header.as_bytes() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the partial result files do not have this sweep's columns",
        ));
    }
    let fields = field_count(header.trim_end_matches('\n')).unwrap_or(0);
    let rows = rows.max(1) as u64;
    let mut end = buf.len() as u64;
    let mut ends = vec![end];
    let mut kept_rows = 0u64;
    // The first damaged line, if any: kept only if nothing good follows.
    let mut first_bad: Option<(u64, String)> = None;
    loop {
        let line = match reader.next_line(&mut buf).map_err(fail)? {
            // A last line without its line break was being written: cut.
            Line::End | Line::Unterminated => break,
            Line::TooLong => Err(format!("it is longer than {MAX_ROW_BYTES} bytes")),
            Line::Complete => row_point(&buf, fields),
        };
        let at = reader.lines();
        match line {
            Ok(point) => {
                if let Some((n, why)) = &first_bad {
                    return Err(damaged(path, *n, why));
                }
                let expected = kept_rows / rows;
                if point != expected {
                    return Err(damaged(
                        path,
                        at,
                        &format!("it is a row of point {point} where point {expected} belongs"),
                    ));
                }
                kept_rows += 1;
                end += buf.len() as u64;
                if kept_rows.is_multiple_of(rows) {
                    ends.push(end);
                }
            }
            Err(why) => {
                if first_bad.is_none() {
                    first_bad = Some((at, why));
                }
            }
        }
    }
    Ok(Some(ends))
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

    /// A row of `point` with as many fields as `header`.
    fn row(header: &str, point: usize, tag: &str) -> String {
        let n = header.trim_end().split(',').count();
        let mut cells = vec![point.to_string(), tag.to_string()];
        cells.resize(n, "0.5".into());
        format!("{}\n", cells.join(","))
    }

    /// Writes the two partial files: `points` points of two outcome rows and
    /// one member row, then `o_tail` and `m_tail`.
    fn partials(dir: &Path, paths: &[String], points: usize, o_tail: &[u8], m_tail: &[u8]) {
        let o_head = line(&outcomes_header(paths));
        let m_head = line(&members_header(paths));
        let mut o = o_head.clone().into_bytes();
        let mut m = m_head.clone().into_bytes();
        for p in 0..points {
            o.extend(row(&o_head, p, "a").bytes());
            o.extend(row(&o_head, p, "b").bytes());
            m.extend(row(&m_head, p, "m").bytes());
        }
        o.extend(o_tail);
        m.extend(m_tail);
        std::fs::write(partial(dir, OUTCOMES), o).unwrap();
        std::fs::write(partial(dir, MEMBERS), m).unwrap();
    }

    fn contents(dir: &Path) -> (Vec<u8>, Vec<u8>) {
        (
            std::fs::read(partial(dir, OUTCOMES)).unwrap(),
            std::fs::read(partial(dir, MEMBERS)).unwrap(),
        )
    }

    #[test]
    fn resume_cuts_a_half_written_point() {
        let dir = tempfile::tempdir().unwrap();
        let paths = vec!["noise".to_string()];
        let o_head = line(&outcomes_header(&paths));
        let m_head = line(&members_header(&paths));
        // Point 1 is half written: one of its two outcome rows, then part of a line.
        let tail = format!("{}1,a", row(&o_head, 1, "a"));
        partials(
            dir.path(),
            &paths,
            1,
            tail.as_bytes(),
            row(&m_head, 1, "m").as_bytes(),
        );
        let (w, done) = SweepWriter::resume(dir.path(), &paths, 2, 1).unwrap();
        drop(w);
        assert_eq!(done, 1);
        assert_eq!(
            std::fs::read_to_string(partial(dir.path(), OUTCOMES)).unwrap(),
            format!("{o_head}{}{}", row(&o_head, 0, "a"), row(&o_head, 0, "b"))
        );
        assert_eq!(
            std::fs::read_to_string(partial(dir.path(), MEMBERS)).unwrap(),
            format!("{m_head}{}", row(&m_head, 0, "m"))
        );
        let wrong = vec!["crisis.severity".to_string()];
        assert!(SweepWriter::resume(dir.path(), &wrong, 2, 1).is_err());
    }

    #[test]
    fn resume_cuts_a_damaged_tail() {
        let dir = tempfile::tempdir().unwrap();
        let paths = vec!["noise".to_string()];
        let o_head = line(&outcomes_header(&paths));
        let m_head = line(&members_header(&paths));
        // After three good points: a page of NUL bytes broken into lines (as
        // many as a point's rows), a ragged line, and an overlong one.
        let mut tail = vec![0u8; 4096];
        tail[100] = b'\n';
        tail[4095] = b'\n';
        tail.extend(b"3,a,b\n");
        tail.extend(vec![b'7'; MAX_ROW_BYTES + 10]);
        tail.push(b'\n');
        partials(dir.path(), &paths, 3, &tail, b"\0\0\0\n");
        let (w, done) = SweepWriter::resume(dir.path(), &paths, 2, 1).unwrap();
        drop(w);
        assert_eq!(done, 3);
        let (o, m) = contents(dir.path());
        let mut want_o = o_head.clone();
        let mut want_m = m_head.clone();
        for p in 0..3 {
            want_o.push_str(&row(&o_head, p, "a"));
            want_o.push_str(&row(&o_head, p, "b"));
            want_m.push_str(&row(&m_head, p, "m"));
        }
        assert_eq!(String::from_utf8(o).unwrap(), want_o);
        assert_eq!(String::from_utf8(m).unwrap(), want_m);
    }

    #[test]
    fn resume_refuses_damage_before_good_rows_and_changes_nothing() {
        let paths = vec!["noise".to_string()];
        let o_head = line(&outcomes_header(&paths));
        let m_head = line(&members_header(&paths));
        let good = |p: usize| format!("{}{}", row(&o_head, p, "a"), row(&o_head, p, "b"));
        let mut nul_page = good(0).into_bytes();
        let at = nul_page.len() - 5;
        nul_page[at] = 0;
        let cases: Vec<(Vec<u8>, &str)> = vec![
            // Header is line 1; point 0's rows are lines 2 and 3.
            (nul_page, "line 3 (it holds NUL bytes)"),
            (
                format!("{}0,a,b\n", row(&o_head, 0, "a")).into_bytes(),
                "line 3 (it has 3 fields where a row has 10)",
            ),
            (
                format!("{}{}", row(&o_head, 0, "a"), row(&o_head, 1, "b")).into_bytes(),
                "line 3 (it is a row of point 1 where point 0 belongs)",
            ),
            (
                [good(0).as_bytes(), b"\xff\xfe,x\n"].concat(),
                "line 4 (it is not UTF-8 text)",
            ),
            (
                format!("{}x{}", row(&o_head, 0, "a"), row(&o_head, 0, "b")).into_bytes(),
                "line 3 (its first field is not a point number)",
            ),
        ];
        for (damaged, message) in cases {
            let dir = tempfile::tempdir().unwrap();
            let mut o = o_head.clone().into_bytes();
            o.extend(&damaged);
            // Good rows after the damage: this is not what a crash leaves.
            o.extend(good(1).bytes());
            o.extend(good(2).bytes());
            let m = format!(
                "{m_head}{}{}{}",
                row(&m_head, 0, "m"),
                row(&m_head, 1, "m"),
                row(&m_head, 2, "m")
            );
            std::fs::write(partial(dir.path(), OUTCOMES), &o).unwrap();
            std::fs::write(partial(dir.path(), MEMBERS), &m).unwrap();
            let e = SweepWriter::resume(dir.path(), &paths, 2, 1)
                .err()
                .expect("damage inside is refused");
            let text = e.to_string();
            assert!(
                text.contains("sweep_outcomes.csv.partial` is damaged at "),
                "{text}"
            );
            assert!(text.contains(message), "{message}: {text}");
            assert_eq!(contents(dir.path()), (o, m.into_bytes()), "{message}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn resume_refuses_partial_files_that_are_links() {
        let dir = tempfile::tempdir().unwrap();
        let paths = vec!["noise".to_string()];
        partials(dir.path(), &paths, 1, b"", b"");
        let elsewhere = dir.path().join("elsewhere.csv");
        std::fs::rename(partial(dir.path(), OUTCOMES), &elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, partial(dir.path(), OUTCOMES)).unwrap();
        let e = SweepWriter::resume(dir.path(), &paths, 2, 1).err().unwrap();
        assert!(e.to_string().contains("symbolic link"), "{e}");
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

/// How a sweep's points were chosen, as its charts and answer need to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Every combination of the values: lines over one parameter, heat maps
    /// over two, scatters per parameter over more.
    Grid,
    /// A sample (Latin hypercube): a scatter per parameter.
    Sample,
    /// One parameter at a time from the scenario's values: a line chart per
    /// parameter.
    OneAtATime,
}

/// What a finished sweep's page shows: its answer in sentences, its charts
/// and a table of its points.
#[derive(Debug, Clone)]
pub struct Look {
    /// The charts as (file name, title, SVG).
    pub charts: Vec<(String, String, String)>,
    /// Why some or all charts are left out, if they are.
    pub chart_note: Option<String>,
    /// The answer: one sentence per finding.
    pub answer: Vec<String>,
    /// The table's header: point, the paths, rule, then one column per option.
    pub header: Vec<String>,
    /// The table's rows (at most [`MAX_TABLE_ROWS`]).
    pub rows: Vec<Vec<String>>,
    /// How many points the results hold.
    pub points: usize,
}

/// Most rows of the page's table of results; past it every k-th point is
/// shown, and the page says so.
pub const MAX_TABLE_ROWS: usize = 200;

/// Most charts drawn, one per parameter, for a sample or a grid over more
/// than two parameters.
pub const MAX_PARAMETER_CHARTS: usize = 12;

/// The charts of a finished sweep, read back from `sweep_outcomes.csv`, as
/// (file name, title, SVG); see [`look_watched`]. `grid` false is a sample
/// (Latin hypercube).
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

/// [`charts`], stopping with `None` soon after `cancel` is set.
pub fn charts_watched(
    outcomes_csv: &str,
    paths: &[String],
    grid: bool,
    rules: &[String],
    options: &[String],
    focus: &str,
    cancel: Option<&AtomicBool>,
) -> Option<Charts> {
    let layout = if grid { Layout::Grid } else { Layout::Sample };
    let look = look_watched(outcomes_csv, paths, layout, rules, options, focus, cancel)?;
    Some(
        look.and_then(|l| match (l.charts.is_empty(), l.chart_note) {
            (true, Some(why)) => Err(why),
            _ => Ok(l.charts),
        }),
    )
}

/// A finished sweep's page content from `sweep_outcomes.csv`: the charts,
/// the answer and the table of points; `None` soon after `cancel` is set.
///
/// The charts by layout: a grid over one parameter gives lines against it
/// (one per option under a single rule; under several rules, one chart per
/// option with a line per rule, the requested option `focus` first); a grid
/// over two gives heat maps of the probability of `focus`, one per rule side
/// by side under one colour scale; a sample, or a grid over more
/// parameters, gives a scatter per parameter of the probability of `focus`
/// (a series per rule); one at a time gives a line chart per parameter over
/// the points that vary it (every option under one rule, `focus` per rule
/// under several). The work grows in proportion to the rows (each row is
/// placed through hash maps, not searched for), and the charts thin what
/// they draw when there are more points than pixels, saying so.
pub fn look_watched(
    outcomes_csv: &str,
    paths: &[String],
    layout: Layout,
    rules: &[String],
    options: &[String],
    focus: &str,
    cancel: Option<&AtomicBool>,
) -> Option<Result<Look, String>> {
    let cancelled = || cancel.is_some_and(|c| c.load(Ordering::Relaxed));
    // A rule or option listed twice is found at its first position.
    let first_of = |names: &[String]| -> HashMap<String, usize> {
        let mut at = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            at.entry(n.clone()).or_insert(i);
        }
        at
    };
    let (rule_at, option_at) = (first_of(rules), first_of(options));
    let points = match Points::read(
        outcomes_csv,
        paths.len(),
        &rule_at,
        &option_at,
        options.len(),
        &cancelled,
    )? {
        Ok(p) => p,
        Err(e) => return Some(Err(e)),
    };
    let focus_at = option_at.get(focus).copied();
    let mut look = Look {
        charts: Vec::new(),
        chart_note: None,
        answer: Vec::new(),
        header: Vec::new(),
        rows: Vec::new(),
        points: points.list.len(),
    };
    look.header.push("point".into());
    look.header.extend(paths.iter().cloned());
    look.header.push("rule".into());
    look.header.extend(options.iter().cloned());
    let shown = table_rows(points.list.len(), rules.len().max(1));
    for i in shown {
        let p = &points.list[i];
        let mut row = vec![p.number.clone()];
        row.extend(p.texts.iter().cloned());
        row.push(rules[p.rule].clone());
        row.extend(p.probs.iter().map(|v| {
            if v.is_finite() {
                format!("{v:.3}")
            } else {
                String::new()
            }
        }));
        look.rows.push(row);
    }
    if cancelled() {
        return None;
    }
    let names = Names {
        paths,
        rules,
        options,
        focus,
        focus_at,
    };
    let drawn = match (layout, paths.len()) {
        (_, 0) => Err("no parameter is varied".to_string()),
        (Layout::Grid, 1 | 2) => {
            let table =
                match Table::read(outcomes_csv, paths.len(), &rule_at, &option_at, &cancelled)? {
                    Ok(t) => t,
                    Err(e) => return Some(Err(e)),
                };
            if paths.len() == 1 {
                look.answer = answer_line(&table, &names);
                Ok(grid_lines(&table, &names, &rule_at, &option_at))
            } else {
                look.answer = answer_map(&table, &names, &rule_at);
                Ok(grid_maps(&table, &names, &rule_at))
            }
        }
        (Layout::OneAtATime, _) => {
            look.answer = answer_oat(&points, &names);
            Ok(oat_lines(&points, &names))
        }
        _ => {
            look.answer = answer_sample(&points, &names);
            Ok(scatters(&points, &names))
        }
    };
    match drawn {
        Ok((charts, note)) => {
            look.charts = charts;
            look.chart_note = note;
        }
        Err(why) => look.chart_note = Some(why),
    }
    if cancelled() {
        return None;
    }
    Some(Ok(look))
}

/// The points the page's table shows of `n`, taken in groups of `group`
/// (the rules of one design point): every group when they fit in
/// [`MAX_TABLE_ROWS`] rows, otherwise every k-th group and the last.
fn table_rows(n: usize, group: usize) -> Vec<usize> {
    let groups = n.div_ceil(group);
    let fit = (MAX_TABLE_ROWS / group).max(1);
    let keep: Vec<usize> = if groups <= fit {
        (0..groups).collect()
    } else {
        let k = groups.div_ceil(fit.max(2) - 1);
        let mut v: Vec<usize> = (0..groups).step_by(k).collect();
        if v.last() != Some(&(groups - 1)) {
            v.push(groups - 1);
        }
        v
    };
    keep.iter()
        .flat_map(|g| g * group..((g + 1) * group).min(n))
        .collect()
}

/// Clauses joined, those with the same text after their rule named once:
/// "under a and b, X; under c, Y".
fn joined(clauses: &[(String, String)]) -> String {
    let mut groups: Vec<(Vec<&str>, &str)> = Vec::new();
    for (rule, what) in clauses {
        match groups.iter_mut().find(|(_, w)| *w == what.as_str()) {
            Some((rules, _)) => rules.push(rule),
            None => groups.push((vec![rule], what)),
        }
    }
    groups
        .iter()
        .map(|(rules, what)| {
            let names = match rules.as_slice() {
                [one] => one.to_string(),
                [init @ .., last] => format!("{} and {last}", init.join(", ")),
                [] => String::new(),
            };
            format!("under {names}, {what}")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The names a sweep's charts and sentences use.
struct Names<'a> {
    paths: &'a [String],
    rules: &'a [String],
    options: &'a [String],
    focus: &'a str,
    focus_at: Option<usize>,
}

type Drawn = (Vec<(String, String, String)>, Option<String>);

fn file(k: usize) -> String {
    format!("sweep_{}.svg", k + 1)
}

/// A value as a sentence writes it.
fn shown(v: f64) -> String {
    crate::text::num(v)
}

/// A probability as a sentence writes it.
fn prob(v: f64) -> String {
    format!("{v:.3}")
}

/// Lines over one parameter of a grid.
fn grid_lines(
    table: &Table,
    n: &Names,
    rule_at: &HashMap<String, usize>,
    option_at: &HashMap<String, usize>,
) -> Drawn {
    let xs = &table.values[0];
    let path = &n.paths[0];
    let line_of = |r: usize, o: Option<usize>| -> Vec<f64> {
        (0..xs.len()).map(|xi| table.cell(xi, 0, r, o)).collect()
    };
    let mut out = Vec::new();
    if n.rules.len() == 1 {
        let r = rule_at[&n.rules[0]];
        let series: Vec<(String, Vec<f64>)> = n
            .options
            .iter()
            .enumerate()
            .map(|(o, name)| (name.clone(), line_of(r, Some(option_at[name].min(o)))))
            .collect();
        let title = format!("Outcome probabilities against {path} ({})", n.rules[0]);
        let svg = super::charts::lines(&title, path, xs, &series, "probability");
        out.push((file(0), title, svg));
        return (out, None);
    }
    // Several rules: one chart per option, the requested one first, a line per rule.
    let mut order: Vec<usize> = n.focus_at.into_iter().collect();
    order.extend((0..n.options.len()).filter(|o| Some(*o) != n.focus_at));
    for (k, o) in order.into_iter().enumerate() {
        let name = &n.options[o];
        let series: Vec<(String, Vec<f64>)> = n
            .rules
            .iter()
            .map(|rule| {
                (
                    rule.clone(),
                    line_of(rule_at[rule], option_at.get(name).copied()),
                )
            })
            .collect();
        let title = format!("Probability of {name} against {path}, by rule");
        let svg = super::charts::lines(&title, path, xs, &series, "probability");
        out.push((file(k), title, svg));
    }
    (out, None)
}

/// One chart of heat maps over two parameters of a grid, a panel per rule.
fn grid_maps(table: &Table, n: &Names, rule_at: &HashMap<String, usize>) -> Drawn {
    let (xs, ys) = (&table.values[0], &table.values[1]);
    let panels: Vec<(String, Vec<Vec<f64>>)> = n
        .rules
        .iter()
        .map(|rule| {
            let r = rule_at[rule];
            let values = (0..ys.len())
                .map(|yi| {
                    (0..xs.len())
                        .map(|xi| table.cell(xi, yi, r, n.focus_at))
                        .collect()
                })
                .collect();
            (rule.clone(), values)
        })
        .collect();
    let title = if n.rules.len() == 1 {
        format!("Probability of {} ({})", n.focus, n.rules[0])
    } else {
        format!("Probability of {}, by rule", n.focus)
    };
    let panels = if n.rules.len() == 1 {
        vec![(
            String::new(),
            panels.into_iter().next().map(|p| p.1).unwrap_or_default(),
        )]
    } else {
        panels
    };
    let svg = super::charts::heatmaps(&title, &n.paths[0], xs, &n.paths[1], ys, &panels);
    (vec![(file(0), title, svg)], None)
}

/// The probability of `focus` at point `p`.
fn focus_of(p: &Point, n: &Names) -> f64 {
    n.focus_at
        .and_then(|o| p.probs.get(o).copied())
        .unwrap_or(f64::NAN)
}

/// A scatter per parameter (up to [`MAX_PARAMETER_CHARTS`]).
fn scatters(points: &Points, n: &Names) -> Drawn {
    let mut out = Vec::new();
    for (j, path) in n.paths.iter().enumerate().take(MAX_PARAMETER_CHARTS) {
        let series: Vec<(String, Vec<(f64, f64)>)> = n
            .rules
            .iter()
            .enumerate()
            .map(|(r, rule)| {
                let pts = points
                    .list
                    .iter()
                    .filter(|p| p.rule == r)
                    .map(|p| (p.values[j], focus_of(p, n)))
                    .collect();
                (rule.clone(), pts)
            })
            .collect();
        let title = format!("Probability of {} against {path}", n.focus);
        let svg = super::charts::scatter(
            &title,
            path,
            &series,
            &format!("probability of {}", n.focus),
        );
        out.push((file(j), title, svg));
    }
    let note = (n.paths.len() > MAX_PARAMETER_CHARTS).then(|| {
        format!(
            "charts are drawn for the first {MAX_PARAMETER_CHARTS} of the {} parameters",
            n.paths.len()
        )
    });
    (out, note)
}

/// The points of a one-at-a-time sweep that vary parameter `j`: those whose
/// other values are the first point's (the scenario's own), by rule; with
/// their values of `j` in increasing order.
fn oat_points(points: &Points, j: usize) -> (Vec<f64>, Vec<&Point>) {
    let Some(base) = points.list.first() else {
        return (Vec::new(), Vec::new());
    };
    let along: Vec<&Point> = points
        .list
        .iter()
        .filter(|p| {
            p.texts
                .iter()
                .zip(&base.texts)
                .enumerate()
                .all(|(i, (a, b))| i == j || a == b)
        })
        .collect();
    let mut xs: Vec<f64> = along
        .iter()
        .map(|p| p.values[j])
        .filter(|x| x.is_finite())
        .collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    (xs, along)
}

/// A line chart per parameter of a one-at-a-time sweep (up to
/// [`MAX_PARAMETER_CHARTS`]).
fn oat_lines(points: &Points, n: &Names) -> Drawn {
    let mut out = Vec::new();
    for (j, path) in n.paths.iter().enumerate().take(MAX_PARAMETER_CHARTS) {
        let (xs, along) = oat_points(points, j);
        let at = |r: usize, o: Option<usize>| -> Vec<f64> {
            xs.iter()
                .map(|&x| {
                    along
                        .iter()
                        .find(|p| p.rule == r && p.values[j] == x)
                        .and_then(|p| o.and_then(|o| p.probs.get(o).copied()))
                        .unwrap_or(f64::NAN)
                })
                .collect()
        };
        let (title, series): (String, Vec<(String, Vec<f64>)>) = if n.rules.len() == 1 {
            (
                format!(
                    "Outcome probabilities against {path}, others as in the scenario ({})",
                    n.rules[0]
                ),
                n.options
                    .iter()
                    .enumerate()
                    .map(|(o, name)| (name.clone(), at(0, Some(o))))
                    .collect(),
            )
        } else {
            (
                format!(
                    "Probability of {} against {path}, others as in the scenario",
                    n.focus
                ),
                n.rules
                    .iter()
                    .enumerate()
                    .map(|(r, rule)| (rule.clone(), at(r, n.focus_at)))
                    .collect(),
            )
        };
        let svg = super::charts::lines(&title, path, &xs, &series, "probability");
        out.push((file(j), title, svg));
    }
    let note = (n.paths.len() > MAX_PARAMETER_CHARTS).then(|| {
        format!(
            "charts are drawn for the first {MAX_PARAMETER_CHARTS} of the {} parameters",
            n.paths.len()
        )
    });
    (out, note)
}

/// Whether `focus` is the most likely outcome given a point's probabilities
/// (a tie for the top counts).
fn modal(probs: &[f64], focus: usize) -> bool {
    let f = probs.get(focus).copied().unwrap_or(f64::NAN);
    f.is_finite() && f > 0.0 && probs.iter().all(|p| !(p.is_finite() && *p > f))
}

/// The answer of a grid over one parameter: per rule, where the requested
/// option is the most likely outcome.
fn answer_line(table: &Table, n: &Names) -> Vec<String> {
    let Some(f) = n.focus_at else {
        return Vec::new();
    };
    let xs = &table.values[0];
    let mut order: Vec<usize> = (0..xs.len()).filter(|&i| xs[i].is_finite()).collect();
    order.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let (Some(&lo), Some(&hi)) = (order.first(), order.last()) else {
        return Vec::new();
    };
    let path = &n.paths[0];
    let mut clauses = Vec::new();
    for (r, rule) in n.rules.iter().enumerate() {
        let probs_at = |i: usize| -> Vec<f64> {
            (0..n.options.len())
                .map(|o| table.cell(i, 0, r, Some(o)))
                .collect()
        };
        let flags: Vec<bool> = order.iter().map(|&i| modal(&probs_at(i), f)).collect();
        let ps: Vec<f64> = order
            .iter()
            .map(|&i| table.cell(i, 0, r, Some(f)))
            .collect();
        let (pmin, pmax) = min_max(&ps);
        let count = flags.iter().filter(|b| **b).count();
        let first = flags.iter().position(|b| *b);
        let last = flags.iter().rposition(|b| *b);
        let x = |k: usize| shown(xs[order[k]]);
        let what = match (first, last) {
            (None, _) | (_, None) => {
                // Which outcome is, at the most values.
                let mut tops = vec![0usize; n.options.len()];
                for &i in &order {
                    let probs = probs_at(i);
                    if let Some(o) = (0..probs.len()).find(|&o| modal(&probs, o)) {
                        tops[o] += 1;
                    }
                }
                let (o, most) =
                    tops.iter().enumerate().fold(
                        (0, 0),
                        |best, (o, &k)| if k > best.1 { (o, k) } else { best },
                    );
                let instead = match most {
                    0 => String::new(),
                    k if k == flags.len() => {
                        format!(", and {} is the most likely at every value", n.options[o])
                    }
                    k => format!(
                        ", and {} the most likely at {k} of {} values",
                        n.options[o],
                        flags.len()
                    ),
                };
                format!(
                    "never the most likely outcome (its probability at most {}{instead})",
                    prob(pmax)
                )
            }
            _ if count == flags.len() => format!(
                "the most likely outcome at every value (probability {} to {})",
                prob(pmin),
                prob(pmax)
            ),
            (Some(a), Some(_)) if count == 1 => {
                format!("the most likely outcome only at {path} = {}", x(a))
            }
            (Some(a), Some(b)) if b - a + 1 == count && b == flags.len() - 1 => {
                format!("the most likely outcome from {path} = {} up", x(a))
            }
            (Some(a), Some(b)) if b - a + 1 == count && a == 0 => {
                format!("the most likely outcome up to {path} = {}", x(b))
            }
            (Some(a), Some(b)) if b - a + 1 == count => {
                format!("the most likely outcome from {path} = {} to {}", x(a), x(b))
            }
            (Some(a), Some(b)) => format!(
                "the most likely outcome at {count} of {} values, between {} and {}",
                flags.len(),
                x(a),
                x(b)
            ),
        };
        let range = if count > 0 && count < flags.len() {
            format!(" (its probability {} to {})", prob(pmin), prob(pmax))
        } else {
            String::new()
        };
        clauses.push((rule.clone(), format!("{} is {what}{range}", n.focus)));
    }
    vec![format!(
        "Over {path} from {} to {}: {}.",
        shown(xs[lo]),
        shown(xs[hi]),
        joined(&clauses)
    )]
}

fn min_max(v: &[f64]) -> (f64, f64) {
    v.iter()
        .filter(|x| x.is_finite())
        .fold((f64::NAN, f64::NAN), |(a, b), &x| (a.min(x), b.max(x)))
}

/// The answer of a grid over two parameters: per rule, at how many points
/// the requested option is the most likely outcome.
fn answer_map(table: &Table, n: &Names, rule_at: &HashMap<String, usize>) -> Vec<String> {
    let Some(f) = n.focus_at else {
        return Vec::new();
    };
    let (xs, ys) = (&table.values[0], &table.values[1]);
    let total = xs.len() * ys.len();
    let clauses: Vec<(String, String)> = n
        .rules
        .iter()
        .map(|rule| {
            let r = rule_at[rule];
            let mut count = 0;
            let mut ps = Vec::new();
            for xi in 0..xs.len() {
                for yi in 0..ys.len() {
                    let probs: Vec<f64> = (0..n.options.len())
                        .map(|o| table.cell(xi, yi, r, Some(o)))
                        .collect();
                    count += usize::from(modal(&probs, f));
                    ps.push(table.cell(xi, yi, r, Some(f)));
                }
            }
            let (lo, hi) = min_max(&ps);
            let what = format!(
                "{} is the most likely outcome at {} of {} grid points (its probability {} to {})",
                n.focus,
                thousands(count as u64),
                thousands(total as u64),
                prob(lo),
                prob(hi)
            );
            (rule.clone(), what)
        })
        .collect();
    vec![format!(
        "Over {} and {}: {}.",
        n.paths[0],
        n.paths[1],
        joined(&clauses)
    )]
}

/// Pearson's correlation of two equally long series (NaN pairs left out);
/// 0 when either does not vary.
fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(x, y)| (*x, *y))
        .collect();
    let k = pairs.len() as f64;
    if pairs.len() < 2 {
        return 0.0;
    }
    let (mx, my) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / k,
        pairs.iter().map(|p| p.1).sum::<f64>() / k,
    );
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        0.0
    } else {
        sxy / (sxx * syy).sqrt()
    }
}

/// The answer of a sample: per rule, the range of the requested option's
/// probability and the parameter it moves with most.
fn answer_sample(points: &Points, n: &Names) -> Vec<String> {
    let mut out = Vec::new();
    for (r, rule) in n.rules.iter().enumerate() {
        let mine: Vec<&Point> = points.list.iter().filter(|p| p.rule == r).collect();
        let ps: Vec<f64> = mine.iter().map(|p| focus_of(p, n)).collect();
        if ps.iter().all(|p| !p.is_finite()) {
            continue;
        }
        let (lo, hi) = min_max(&ps);
        let mut s = format!(
            "Under {rule}, over {} points, the probability of {} ranges from {} to {}",
            thousands(mine.len() as u64),
            n.focus,
            prob(lo),
            prob(hi)
        );
        let mut best: Option<(usize, f64)> = None;
        for j in 0..n.paths.len() {
            let xs: Vec<f64> = mine.iter().map(|p| p.values[j]).collect();
            let c = correlation(&xs, &ps);
            if best.is_none_or(|(_, b)| c.abs() > b.abs()) {
                best = Some((j, c));
            }
        }
        match best {
            Some((j, c)) if c.abs() >= 0.1 => s.push_str(&format!(
                "; it moves most with {} (correlation {:+.2}: {} as it rises)",
                n.paths[j],
                c,
                if c > 0.0 { "up" } else { "down" }
            )),
            _ => s.push_str("; it follows none of the varied parameters closely"),
        }
        s.push('.');
        out.push(s);
    }
    out
}

/// The answer of a one-at-a-time sweep: per rule, the probability of the
/// requested option at the scenario's own values and the parameter that
/// moves it most.
fn answer_oat(points: &Points, n: &Names) -> Vec<String> {
    let mut out = Vec::new();
    for (r, rule) in n.rules.iter().enumerate() {
        let Some(base) = points.list.iter().find(|p| p.rule == r) else {
            continue;
        };
        let mut s = format!(
            "Under {rule}, at the scenario's own values the probability of {} is {}",
            n.focus,
            prob(focus_of(base, n))
        );
        // (parameter, spread, (value, probability) at the lowest and at the highest).
        type Spread = (usize, f64, (f64, f64), (f64, f64));
        let mut best: Option<Spread> = None;
        for j in 0..n.paths.len() {
            let (_, along) = oat_points(points, j);
            let line: Vec<(f64, f64)> = along
                .iter()
                .filter(|p| p.rule == r)
                .map(|p| (p.values[j], focus_of(p, n)))
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .collect();
            let (Some(low), Some(high)) = (
                line.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1)),
                line.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1)),
            ) else {
                continue;
            };
            let spread = high.1 - low.1;
            if best.is_none_or(|b| spread > b.1) {
                best = Some((j, spread, low, high));
            }
        }
        match best {
            Some((j, spread, low, high)) if spread > 0.0 => s.push_str(&format!(
                "; it moves most with {}: from {} at {} to {} at {}",
                n.paths[j],
                prob(low.1),
                shown(low.0),
                prob(high.1),
                shown(high.0)
            )),
            _ => s.push_str("; none of the varied parameters moves it"),
        }
        s.push('.');
        out.push(s);
    }
    out
}

/// One point of the results: its values, rule and the probability of each
/// option.
struct Point {
    /// The point's number, as written.
    number: String,
    /// The varied values, as written.
    texts: Vec<String>,
    /// The varied values (NaN where a cell is not a number).
    values: Vec<f64>,
    /// The rule's position.
    rule: usize,
    /// Probability per option (NaN where no row gives it).
    probs: Vec<f64>,
}

/// Every point of `sweep_outcomes.csv`, in file order.
struct Points {
    list: Vec<Point>,
}

impl Points {
    /// Reads the rows, a point being a run of rows with the same number,
    /// values and rule (a row of an option already seen starts another);
    /// rows of rules not in `rule_at` are skipped. `None` if `cancelled`
    /// said so on the way.
    fn read(
        outcomes_csv: &str,
        n_paths: usize,
        rule_at: &HashMap<String, usize>,
        option_at: &HashMap<String, usize>,
        n_options: usize,
        cancelled: &dyn Fn() -> bool,
    ) -> Option<Result<Points, String>> {
        let mut list: Vec<Point> = Vec::new();
        let mut reader = ::csv::Reader::from_reader(outcomes_csv.as_bytes());
        for (k, record) in reader.records().enumerate() {
            if k % ROWS_PER_LOOK == 0 && cancelled() {
                return None;
            }
            let row = match record {
                Ok(r) => r,
                Err(e) => return Some(Err(format!("cannot read the results back: {e}"))),
            };
            let Some(&rule) = rule_at.get(row.get(1 + n_paths).unwrap_or("")) else {
                continue;
            };
            let option = option_at.get(row.get(2 + n_paths).unwrap_or("")).copied();
            let number = row.get(0).unwrap_or("");
            let texts: Vec<&str> = (0..n_paths).map(|j| row.get(1 + j).unwrap_or("")).collect();
            let same = list.last().is_some_and(|p: &Point| {
                p.number == number
                    && p.rule == rule
                    && p.texts.iter().zip(&texts).all(|(a, b)| a == b)
                    && option.is_none_or(|o| !p.probs[o].is_finite())
            });
            if !same {
                list.push(Point {
                    number: number.to_string(),
                    texts: texts.iter().map(|t| t.to_string()).collect(),
                    values: texts
                        .iter()
                        .map(|t| t.parse::<f64>().unwrap_or(f64::NAN))
                        .collect(),
                    rule,
                    probs: vec![f64::NAN; n_options],
                });
            }
            if let (Some(o), Some(p)) = (option, list.last_mut()) {
                p.probs[o] = row
                    .get(6 + n_paths)
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(f64::NAN);
            }
        }
        Some(Ok(Points { list }))
    }
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
        crate::output::markup::svg(&c[0].2, "sweep_1.svg");
        assert!(c[0].2.contains("act"));
    }

    #[test]
    fn two_parameters_give_a_heat_map_and_samples_a_scatter_per_parameter() {
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
        let opts = vec!["no_action".to_string(), "act".to_string()];
        let sample = charts(
            ONE,
            &["noise".into()],
            false,
            &["unanimity".into()],
            &opts,
            "act",
        )
        .unwrap();
        assert_eq!(sample.len(), 1);
        assert_eq!(
            sample[0].2.matches("<circle").count(),
            2 + 1,
            "two points, one legend"
        );
        // No rule listed: no point is read, and the charts are empty.
        assert!(charts(ONE, &["noise".into()], false, &[], &[], "act")
            .unwrap()
            .iter()
            .all(|(_, _, svg)| !svg.contains("<circle")));
        let none: &[String] = &[];
        assert!(charts(ONE, none, true, &[], &[], "act").is_err());
    }

    /// Groups of rules stay whole in the table, which keeps the first and
    /// last design points within its bound.
    #[test]
    fn table_rows_keep_whole_groups_within_the_bound() {
        assert_eq!(table_rows(5, 1), vec![0, 1, 2, 3, 4]);
        let rows = table_rows(8442, 2);
        assert!(rows.len() <= MAX_TABLE_ROWS, "{}", rows.len());
        assert_eq!(&rows[..2], &[0, 1]);
        assert_eq!(&rows[rows.len() - 2..], &[8440, 8441]);
        assert!(rows.chunks(2).all(|g| g[0] % 2 == 0 && g[1] == g[0] + 1));
    }

    #[test]
    fn rules_with_the_same_finding_are_named_together() {
        let c = |r: &str, w: &str| (r.to_string(), w.to_string());
        assert_eq!(
            joined(&[c("a", "x"), c("b", "y"), c("c", "x")]),
            "under a and c, x; under b, y"
        );
        assert_eq!(
            joined(&[c("a", "x"), c("b", "x"), c("c", "x")]),
            "under a, b and c, x"
        );
    }
}
