//! Sweep results: `sweep_outcomes.csv` and `sweep_members.csv` in long
//! ("tidy") form, one block of rows per point, appended in point order.
//!
//! While a sweep runs, both files carry a `.partial` suffix, beside
//! `manifest.json.partial`. They take their final names only when every point
//! is done, so an interrupted sweep never looks complete, and `--resume`
//! continues from its last complete point (a point half written when the
//! process died is cut off first), giving the same bytes as an uninterrupted run.
//! What a resume keeps is checked row by row first: damage in the middle of
//! a partial file is refused rather than carried into the results. What the
//! sweep's page shows (charts, answer, table) is in `look`.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::csv::{member_cells, outcome_cells, text_cell, MEMBERS_HEADER, OUTCOMES_HEADER};
use super::summary::Summary;
use crate::input::{Class, InputError, Line, LineReader, Links};
use crate::scenario::Scenario;

mod look;
mod rows;

pub use rows::{push_u64, quoted, RowFormat, CACHED_RUNS};

pub use look::{
    charts, charts_watched, look_watched, Charts, Layout, Look, MAX_PARAMETER_CHARTS,
    MAX_TABLE_ROWS,
};

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
        s.push_str(&quoted(c));
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

    /// Appends a point's rows, made by a [`RowFormat`].
    pub fn write_rows(&mut self, outcomes: &[u8], members: &[u8]) -> io::Result<()> {
        self.outcomes.write_all(outcomes)?;
        self.members.write_all(members)
    }

    /// Appends point `point`'s rows, a `String` per cell: the reference the
    /// rows of a [`RowFormat`] are checked against.
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
