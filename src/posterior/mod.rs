//! Posterior samples of parameter vectors, as `calibrate` writes them: a CSV
//! file with one row per draw, read and checked here, then applied to a
//! scenario ([`Applied`]) to give one model per draw for the runner's
//! [`Mixture`](crate::runner::Mixture).
//!
//! # Format
//! ```text
//! draw,noise,members.*.weights.cost,abstention_band,log_likelihood
//! 0,0.12,1.5,0.05,-12.25
//! 1,0.11,1.45,0.06,-12.5
//! ```
//! The header names `draw` first and `log_likelihood` last, and between them
//! at least one parameter path, in the syntax of sweep paths
//! ([`ParamPath`](crate::scenario::paths::ParamPath); `members.*.FIELD` sets
//! every member's), each once. Every row has one value per column: `draw`
//! is the row's index from 0, the others are decimal numbers. A file has at
//! least one row, at most [`MAX_DRAWS`] rows and [`MAX_POSTERIOR_BYTES`]
//! bytes. Fields may be padded with spaces; lines may end in CRLF.
//!
//! A file in the spreadsheet dialect of comma-decimal locales (what
//! `calibrate --decimal-comma` writes: semicolons between fields, a comma
//! before decimals) reads the same: a header with semicolons and no comma
//! marks it.

// Errors carry a file, position, field and hint; they are rare and returned
// once, so their size on the error path does not matter.
#![allow(clippy::result_large_err)]

mod apply;
mod error;

pub use apply::{models, Applied, PosteriorRecord, Skipped, SAMPLING};
pub use error::PosteriorError;

use std::path::{Path, PathBuf};

use crate::output::manifest::sha256_hex;

/// Largest posterior file read, in bytes.
pub const MAX_POSTERIOR_BYTES: u64 = 64 * 1024 * 1024;
/// Most draws a posterior may hold: each becomes a model in memory.
pub const MAX_DRAWS: usize = 10_000;

/// The first column's name.
pub const DRAW: &str = "draw";
/// The last column's name.
pub const LOG_LIKELIHOOD: &str = "log_likelihood";

/// A parameter column of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The parameter path as written in the header.
    pub path: String,
    /// Its 1-based character column in the header line.
    pub at: usize,
}

/// A checked posterior sample: K draws of the same parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Posterior {
    file: PathBuf,
    sha256: String,
    columns: Vec<Column>,
    /// Row-major: draw d's value of column c is `values[d * columns + c]`.
    values: Vec<f64>,
    /// 1-based character column of each value, in the same order.
    value_at: Vec<u32>,
    /// 1-based line of each draw.
    lines: Vec<usize>,
    log_likelihood: Vec<f64>,
}

impl Posterior {
    /// Reads and checks the posterior file at `path`.
    pub fn read(path: &Path) -> Result<Posterior, PosteriorError> {
        let class = crate::input::Class {
            noun: "posterior file",
            links: crate::input::Links::Follow,
            max_bytes: MAX_POSTERIOR_BYTES,
        };
        let bytes = crate::input::read(path, class)
            .map_err(|e| PosteriorError::whole(path, e.to_string()))?;
        Posterior::parse(path, &bytes)
    }

    /// Checks the bytes of a posterior file; `file` names it in errors.
    pub fn parse(file: &Path, bytes: &[u8]) -> Result<Posterior, PosteriorError> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let (line, column) = crate::text::position(bytes, e.valid_up_to());
            PosteriorError::at(
                file,
                line,
                column,
                "",
                "the file is not UTF-8 text; save it as UTF-8".into(),
            )
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines: Vec<&str> = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect();
        while lines.last().is_some_and(|l| l.trim().is_empty()) {
            lines.pop();
        }
        let Some(header) = lines.first() else {
            return Err(PosteriorError::whole(
                file,
                format!("the file is empty; expected a header `{DRAW},<parameter paths>,{LOG_LIKELIHOOD}` and a row per draw"),
            ));
        };
        let sep = separator(header);
        let columns = parse_header(file, header, sep)?;
        let width = columns.len() + 2;
        let rows = lines.len() - 1;
        if rows == 0 {
            return Err(PosteriorError::whole(
                file,
                "no draws: expected at least one row after the header".into(),
            ));
        }
        if rows > MAX_DRAWS {
            return Err(PosteriorError::at(
                file,
                MAX_DRAWS + 2,
                1,
                "",
                format!("more than the {MAX_DRAWS} draws a posterior may hold; thin the sample"),
            ));
        }
        let mut p = Posterior {
            file: file.to_path_buf(),
            sha256: sha256_hex(bytes),
            values: Vec::with_capacity(rows * columns.len()),
            value_at: Vec::with_capacity(rows * columns.len()),
            lines: Vec::with_capacity(rows),
            log_likelihood: Vec::with_capacity(rows),
            columns,
        };
        for (d, line) in lines[1..].iter().enumerate() {
            let n = d + 2;
            let cells = fields(line, sep);
            if cells.len() != width {
                let at = cells.get(width).map_or(line.chars().count() + 1, |c| c.1);
                return Err(PosteriorError::at(
                    file,
                    n,
                    at,
                    "",
                    format!(
                        "{} field{}; expected {width}: {DRAW}, {} parameter{}, {LOG_LIKELIHOOD}",
                        cells.len(),
                        if cells.len() == 1 { "" } else { "s" },
                        width - 2,
                        if width == 3 { "" } else { "s" }
                    ),
                ));
            }
            let (draw, at) = cells[0];
            if draw.parse::<u64>().ok() != Some(d as u64) {
                return Err(PosteriorError::at(
                    file,
                    n,
                    at,
                    DRAW,
                    format!("`{draw}`: expected {d}: draws are numbered 0, 1, 2, … in row order"),
                ));
            }
            for (c, &(cell, at)) in cells[1..width - 1].iter().enumerate() {
                let x = number(cell, sep).filter(|x| x.is_finite()).ok_or_else(|| {
                    PosteriorError::at(
                        file,
                        n,
                        at,
                        &p.columns[c].path,
                        format!("`{cell}` is not a number; expected a decimal number such as 0.12"),
                    )
                })?;
                p.values.push(x);
                p.value_at.push(at as u32);
            }
            let (cell, at) = cells[width - 1];
            let ll = number(cell, sep).filter(|x| !x.is_nan()).ok_or_else(|| {
                PosteriorError::at(
                    file,
                    n,
                    at,
                    LOG_LIKELIHOOD,
                    format!("`{cell}` is not a number; expected a decimal number such as -12.25"),
                )
            })?;
            p.log_likelihood.push(ll);
            p.lines.push(n);
        }
        Ok(p)
    }

    /// The file as named.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// SHA-256 of the file's bytes, hex.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Number of draws K.
    pub fn draws(&self) -> usize {
        self.lines.len()
    }

    /// The parameter columns, in file order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Draw `d`'s value of parameter column `c`.
    pub fn value(&self, d: usize, c: usize) -> f64 {
        self.values[d * self.columns.len() + c]
    }

    /// Draw `d`'s log-likelihood.
    pub fn log_likelihood(&self, d: usize) -> f64 {
        self.log_likelihood[d]
    }

    /// An error about draw `d`'s value of column `c`, placed at its cell.
    fn cell_error(&self, d: usize, c: usize, message: String) -> PosteriorError {
        PosteriorError::at(
            &self.file,
            self.lines[d],
            self.value_at[d * self.columns.len() + c] as usize,
            &self.columns[c].path,
            message,
        )
    }
}

/// The field separator of a file with this header line: `;` when it has
/// semicolons and no comma (the decimal-comma dialect), else `,`.
fn separator(header: &str) -> char {
    if header.contains(';') && !header.contains(',') {
        ';'
    } else {
        ','
    }
}

/// The fields of a line with their 1-based character columns, trimmed.
fn fields(line: &str, sep: char) -> Vec<(&str, usize)> {
    let mut out = Vec::new();
    let mut column = 1;
    for raw in line.split(sep) {
        let lead = raw.chars().take_while(|c| c.is_whitespace()).count();
        out.push((raw.trim(), column + lead));
        column += raw.chars().count() + 1;
    }
    out
}

/// A decimal number, optionally in double quotes; in a file separated by
/// semicolons, with a comma or a point before its decimals.
fn number(cell: &str, sep: char) -> Option<f64> {
    let cell = cell
        .strip_prefix('"')
        .and_then(|c| c.strip_suffix('"'))
        .unwrap_or(cell)
        .trim();
    if sep == ';' && cell.matches(',').count() == 1 && !cell.contains('.') {
        return cell.replacen(',', ".", 1).parse::<f64>().ok();
    }
    cell.parse::<f64>().ok()
}

fn parse_header(file: &Path, line: &str, sep: char) -> Result<Vec<Column>, PosteriorError> {
    let names: Vec<(String, usize)> = fields(line, sep)
        .into_iter()
        .map(|(name, at)| {
            let unquoted = name
                .strip_prefix('"')
                .and_then(|n| n.strip_suffix('"'))
                .unwrap_or(name);
            (unquoted.trim().to_string(), at)
        })
        .collect();
    let expected = format!("expected `{DRAW},<parameter paths>,{LOG_LIKELIHOOD}`");
    let (first, first_at) = &names[0];
    if first != DRAW {
        return Err(PosteriorError::at(
            file,
            1,
            *first_at,
            "",
            format!("the first column is `{first}`, not `{DRAW}`; {expected}"),
        ));
    }
    let (last, last_at) = &names[names.len() - 1];
    if names.len() < 2 || last != LOG_LIKELIHOOD {
        let at = if names.len() < 2 {
            line.chars().count() + 1
        } else {
            *last_at
        };
        return Err(PosteriorError::at(
            file,
            1,
            at,
            "",
            format!("the last column must be `{LOG_LIKELIHOOD}`; {expected}"),
        ));
    }
    if names.len() < 3 {
        return Err(PosteriorError::at(
            file,
            1,
            *last_at,
            "",
            format!("no parameter column between `{DRAW}` and `{LOG_LIKELIHOOD}`; {expected}"),
        )
        .with_help("name at least one parameter path; `alliance-sim params FILE` lists them"));
    }
    let mut columns: Vec<Column> = Vec::with_capacity(names.len() - 2);
    for (name, at) in &names[1..names.len() - 1] {
        if name.is_empty() {
            return Err(PosteriorError::at(
                file,
                1,
                *at,
                "",
                format!("an empty column name; {expected}"),
            ));
        }
        if name == DRAW || name == LOG_LIKELIHOOD {
            return Err(PosteriorError::at(
                file,
                1,
                *at,
                name,
                format!(
                    "`{name}` appears twice; it belongs only at the {} of the header",
                    if name == DRAW { "start" } else { "end" }
                ),
            ));
        }
        if let Some(earlier) = columns.iter().find(|c| &c.path == name) {
            return Err(PosteriorError::at(
                file,
                1,
                *at,
                name,
                format!(
                    "the path appears twice (also at column {}); each parameter may have one column",
                    earlier.at
                ),
            ));
        }
        columns.push(Column {
            path: name.clone(),
            at: *at,
        });
    }
    Ok(columns)
}

#[cfg(test)]
mod tests;
