//! Plain voting games for `power --weights`: members with exact weights and
//! a quota, read from a CSV file or from a list of numbers on the command
//! line, with no scenario behind them.
//!
//! # The game file
//! ```text
//! # Council of the EEC, 1958 (Treaty of Rome, Art. 148(2)); use --quota 12
//! member,weight,name
//! FR,4,France
//! LU,1,Luxembourg
//! ```
//! One header line names the columns `member` and `weight` and, optionally,
//! `name`, in any order, each once. Lines starting with `#` (sources, the
//! quota to use) and blank lines are skipped anywhere. Every other line is a
//! member: an id (unique, at most [`MAX_ID_CHARS`] characters, no control
//! characters), an exact non-negative decimal weight (`7`, `2.5`; no
//! exponents, no fractions), and a free-text name. Fields may be padded
//! with spaces and quoted with `"` (a `""` inside stands for one `"`); lines
//! may end in CRLF and the file may start with a byte-order mark.
//!
//! # Exactness
//! Weights are kept as written ([`Ratio`]) and turned into whole numbers by
//! one common power of ten (the largest number of decimals written), and the
//! quota is scaled the same way and rounded up: a coalition wins when its
//! scaled weight reaches the scaled quota, which is exactly when its weight
//! as written reaches the quota as written. No floating-point sum is ever
//! compared.

// Errors carry a file, position, field and hint; they are rare and returned
// once, so their size on the error path does not matter.
#![allow(clippy::result_large_err)]

use std::fmt;
use std::path::{Path, PathBuf};

use crate::input::{Class, Links};
use crate::model::Ratio;
use crate::scenario::suggest;

/// Largest game file read, in bytes.
pub const MAX_GAME_BYTES: u64 = 16 * 1024 * 1024;
/// Most members a game may have.
pub const MAX_GAME_MEMBERS: usize = 100_000;
/// Longest member id, in characters.
pub const MAX_ID_CHARS: usize = 64;

/// The columns a game file may have, required ones first.
pub const GAME_COLUMNS: [&str; 3] = ["member", "weight", "name"];

/// The label of a game given as numbers on the command line: its results go
/// to `OUT/game-power/`.
pub const INLINE_LABEL: &str = "game";

/// Where a game came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GameSource {
    /// A CSV file, with the SHA-256 of its bytes.
    File {
        /// The file as named.
        path: PathBuf,
        /// Hex SHA-256 of its bytes.
        sha256: String,
    },
    /// A comma-separated list of weights on the command line.
    Inline(String),
}

/// One member of a plain game.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GameMember {
    /// Its id (`1`, `2`, ... for weights given on the command line).
    pub id: String,
    /// Its name, if the file gives one.
    pub name: Option<String>,
    /// Its weight, exactly as written.
    pub weight: Ratio,
}

/// How much weight a coalition needs to win.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quota {
    /// At least this much weight (`--quota 39`).
    Absolute(Ratio),
    /// At least this share of the total weight (`--share 2/3`).
    Share(Ratio),
}

impl fmt::Display for Quota {
    /// `quota:39` or `share:2/3`, the `rule` column of `power.csv`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Quota::Absolute(q) => write!(f, "quota:{q}"),
            Quota::Share(s) => write!(f, "share:{s}"),
        }
    }
}

/// A checked weighted voting game.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainGame {
    /// Where it came from.
    pub source: GameSource,
    /// The members, in the order given.
    pub members: Vec<GameMember>,
    /// The quota as asked for.
    pub quota: Quota,
    /// The weights as whole numbers: each weight times `scale`.
    pub scaled_weights: Vec<u64>,
    /// The power of ten the weights were multiplied by.
    pub scale: u64,
    /// The least scaled weight that wins.
    pub scaled_quota: u128,
    /// The sum of the scaled weights.
    pub scaled_total: u128,
}

/// A problem with a game: the file or option, where in it, the field, what
/// was wrong and what was expected. Displayed as
/// `file:line:column: field: message`, with a hint on the next line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct GameError {
    /// The game file, or `--weights`, `--quota`, `--share` for options.
    pub origin: String,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// 1-based column (in characters), where known.
    pub column: Option<usize>,
    /// The column or item concerned, if any.
    pub field: String,
    /// What was wrong and what was expected.
    pub message: String,
    /// A suggestion, if any.
    pub help: Option<String>,
}

impl GameError {
    fn at(origin: &str, line: usize, column: usize, field: &str, message: String) -> GameError {
        GameError {
            origin: origin.to_string(),
            line: Some(line),
            column: Some(column),
            field: field.to_string(),
            message,
            help: None,
        }
    }

    fn whole(origin: &str, message: String) -> GameError {
        GameError {
            origin: origin.to_string(),
            line: None,
            column: None,
            field: String::new(),
            message,
            help: None,
        }
    }

    fn with_help(mut self, help: Option<String>) -> GameError {
        self.help = help;
        self
    }
}

impl fmt::Display for GameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.origin)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if self.field.is_empty() {
            write!(f, ": {}", self.message)?;
        } else {
            write!(f, ": {}: {}", self.field, self.message)?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Whether `text` is a list of weights rather than a file name: digits,
/// decimal points, commas and spaces only, with at least one digit.
pub fn is_inline(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_digit())
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b',' | b' '))
}

/// The label of a game (the CSV `scenario` column and the results folder
/// `OUT/<label>-power/`): the file's stem, or [`INLINE_LABEL`].
pub fn label(source: &GameSource) -> String {
    match source {
        GameSource::File { path, .. } => crate::job::label_of(path),
        GameSource::Inline(_) => INLINE_LABEL.to_string(),
    }
}

impl PlainGame {
    /// The game of `weights` (a list of numbers, or a CSV file: see
    /// [`is_inline`]) under `quota`.
    pub fn load(weights: &str, quota: Quota) -> Result<PlainGame, GameError> {
        if is_inline(weights) {
            PlainGame::inline(weights, quota)
        } else {
            PlainGame::read(Path::new(weights), quota)
        }
    }

    /// Reads the game file at `path`.
    pub fn read(path: &Path, quota: Quota) -> Result<PlainGame, GameError> {
        let class = Class {
            noun: "game file",
            links: Links::Follow,
            max_bytes: MAX_GAME_BYTES,
        };
        let origin = path.display().to_string();
        let bytes = crate::input::read(path, class)
            .map_err(|e| GameError::whole(&origin, e.to_string()))?;
        let members = parse_file(&origin, &bytes)?;
        let source = GameSource::File {
            path: path.to_path_buf(),
            sha256: crate::output::manifest::sha256_hex(&bytes),
        };
        PlainGame::new(source, members, quota)
    }

    /// The game of a comma-separated list of weights; members are named
    /// `1`, `2`, ... in order.
    pub fn inline(list: &str, quota: Quota) -> Result<PlainGame, GameError> {
        let mut members = Vec::new();
        let mut column = 1;
        for (i, item) in list.split(',').enumerate() {
            let lead = item.chars().take_while(|c| *c == ' ').count();
            let weight = weight(item.trim()).map_err(|why| {
                GameError::at(
                    "--weights",
                    1,
                    column + lead,
                    &format!("weight {}", i + 1),
                    why,
                )
            })?;
            members.push(GameMember {
                id: (i + 1).to_string(),
                name: None,
                weight,
            });
            column += item.chars().count() + 1;
            if members.len() > MAX_GAME_MEMBERS {
                return Err(GameError::whole(
                    "--weights",
                    format!("more than {MAX_GAME_MEMBERS} weights"),
                ));
            }
        }
        PlainGame::new(GameSource::Inline(list.to_string()), members, quota)
    }

    /// Checks the quota against the weights and scales both to whole numbers.
    pub fn new(
        source: GameSource,
        members: Vec<GameMember>,
        quota: Quota,
    ) -> Result<PlainGame, GameError> {
        let origin = match &source {
            GameSource::File { path, .. } => path.display().to_string(),
            GameSource::Inline(_) => "--weights".to_string(),
        };
        if members.is_empty() {
            return Err(GameError::whole(
                &origin,
                "no members: expected a header `member,weight` and a line per member".into(),
            ));
        }
        let scale = members.iter().map(|m| m.weight.denom()).max().unwrap_or(1);
        let too_fine = || {
            GameError::whole(
                &origin,
                "the weights are too large or have too many decimals to be counted exactly (each weight times 10^decimals must stay below 2^64)".into(),
            )
        };
        let mut scaled_weights = Vec::with_capacity(members.len());
        for m in &members {
            // Decimal denominators are powers of ten, so each divides the largest.
            let factor = scale / m.weight.denom();
            scaled_weights.push(m.weight.numer().checked_mul(factor).ok_or_else(too_fine)?);
        }
        let scaled_total: u128 = scaled_weights.iter().map(|w| u128::from(*w)).sum();
        let total = scaled_ratio(scaled_total, scale);
        let scaled_quota = match quota {
            Quota::Absolute(q) => {
                // The least whole m with m / scale >= q.
                let m = q.ceil_of(u128::from(scale)).ok_or_else(too_fine)?;
                if m == 0 {
                    return Err(GameError::whole(
                        "--quota",
                        format!("`{q}`: the quota must be more than 0, or every coalition, the empty one included, would win"),
                    ));
                }
                if m > scaled_total {
                    return Err(GameError::whole(
                        "--quota",
                        format!(
                            "`{q}` is more than the total weight, {total}: no coalition could win"
                        ),
                    ));
                }
                m
            }
            Quota::Share(s) => {
                if !s.is_share() {
                    return Err(GameError::whole(
                        "--share",
                        format!("`{s}`: a share must be more than 0 and at most 1, such as `2/3` or `0.55`"),
                    ));
                }
                if scaled_total == 0 {
                    return Err(GameError::whole(
                        &origin,
                        "every weight is 0, so no share of the total can be reached".into(),
                    ));
                }
                s.ceil_of(scaled_total).ok_or_else(too_fine)?
            }
        };
        Ok(PlainGame {
            source,
            members,
            quota,
            scaled_weights,
            scale,
            scaled_quota,
            scaled_total,
        })
    }

    /// The label (see [`label`]).
    pub fn label(&self) -> String {
        label(&self.source)
    }

    /// The total weight, as a decimal.
    pub fn total_weight(&self) -> String {
        scaled_ratio(self.scaled_total, self.scale)
    }

    /// The least weight that wins, as a decimal (the quota itself, or the
    /// share of the total rounded up to the weights' precision).
    pub fn winning_weight(&self) -> String {
        scaled_ratio(self.scaled_quota, self.scale)
    }

    /// Whether the coalition of the members whose bits are set in `mask`
    /// wins (bit i = member i; at most 64 members).
    pub fn wins(&self, mask: u64) -> bool {
        let sum: u128 = self
            .scaled_weights
            .iter()
            .enumerate()
            .filter(|(i, _)| mask >> i & 1 == 1)
            .map(|(_, w)| u128::from(*w))
            .sum();
        sum >= self.scaled_quota
    }
}

/// `x / scale` (scale a power of ten) as a decimal without trailing zeros.
fn scaled_ratio(x: u128, scale: u64) -> String {
    let scale = u128::from(scale);
    let (int, rest) = (x / scale, x % scale);
    if rest == 0 {
        return int.to_string();
    }
    let places = scale.ilog10() as usize;
    let digits = format!("{rest:0places$}");
    format!("{int}.{}", digits.trim_end_matches('0'))
}

/// An exact non-negative decimal weight, or why not.
fn weight(text: &str) -> Result<Ratio, String> {
    if text.is_empty() {
        return Err("empty; expected a non-negative decimal number such as 7 or 2.5".into());
    }
    if text.contains('/') {
        return Err(format!(
            "`{}`: a weight is a decimal number such as 7 or 2.5, not a fraction",
            crate::text::excerpt(text)
        ));
    }
    text.parse::<Ratio>().map_err(|e| {
        format!(
            "`{}` is not an exact non-negative decimal number: {}; write a weight such as 7 or 2.5",
            crate::text::excerpt(text),
            e.why
        )
    })
}

/// The fields of one CSV line with the 1-based character column each starts
/// at (after padding): quoted fields unquoted, or the column of an
/// unterminated quote.
fn fields(line: &str) -> Result<Vec<(String, usize)>, usize> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < chars.len() && chars[i] == ' ' {
            i += 1;
        }
        let start = i + 1;
        let mut value = String::new();
        if i < chars.len() && chars[i] == '"' {
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(start),
                    Some('"') if chars.get(i + 1) == Some(&'"') => {
                        value.push('"');
                        i += 2;
                    }
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some(c) => {
                        value.push(*c);
                        i += 1;
                    }
                }
            }
            // Padding after the closing quote; anything else joins the field.
            while i < chars.len() && chars[i] != ',' {
                if chars[i] != ' ' {
                    value.push(chars[i]);
                }
                i += 1;
            }
        } else {
            while i < chars.len() && chars[i] != ',' {
                value.push(chars[i]);
                i += 1;
            }
            value = value.trim_end().to_string();
        }
        out.push((value, start));
        if i >= chars.len() {
            return Ok(out);
        }
        i += 1; // the comma
    }
}

/// Where each column is in the file's header.
struct Header {
    member: usize,
    weight: usize,
    name: Option<usize>,
    width: usize,
}

fn parse_header(origin: &str, line_no: usize, line: &str) -> Result<Header, GameError> {
    let cells = fields(line).map_err(|at| {
        GameError::at(origin, line_no, at, "", "a quote `\"` is not closed".into())
    })?;
    let mut found: [Option<usize>; 3] = [None; 3];
    for (c, (name, at)) in cells.iter().enumerate() {
        let key = name.trim();
        let Some(k) = GAME_COLUMNS.iter().position(|g| *g == key) else {
            let shown = crate::text::excerpt(key);
            return Err(GameError::at(
                origin,
                line_no,
                *at,
                "",
                format!("unknown column `{shown}` in the header; expected `member`, `weight` and optionally `name`"),
            )
            .with_help(suggest::closest(key, GAME_COLUMNS).map(|s| format!("did you mean `{s}`?"))));
        };
        if found[k].is_some() {
            return Err(GameError::at(
                origin,
                line_no,
                *at,
                "",
                format!("the column `{key}` is named twice in the header"),
            ));
        }
        found[k] = Some(c);
    }
    for (k, f) in found.iter().enumerate().take(2) {
        if f.is_none() {
            return Err(GameError::at(
                origin,
                line_no,
                1,
                "",
                format!(
                    "the header has no `{}` column; expected a header such as `member,weight,name`",
                    GAME_COLUMNS[k]
                ),
            ));
        }
    }
    Ok(Header {
        member: found[0].unwrap_or(0),
        weight: found[1].unwrap_or(0),
        name: found[2],
        width: cells.len(),
    })
}

/// The members of a game file's bytes; `origin` names the file in errors.
fn parse_file(origin: &str, bytes: &[u8]) -> Result<Vec<GameMember>, GameError> {
    if bytes.contains(&0) {
        return Err(GameError::whole(
            origin,
            "the file holds NUL bytes: it is not text; expected a CSV file with a header `member,weight`".into(),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = crate::text::position(bytes, e.valid_up_to());
        GameError::at(
            origin,
            line,
            column,
            "",
            "the file is not UTF-8 text; save it as UTF-8".into(),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut header: Option<Header> = None;
    let mut members: Vec<GameMember> = Vec::new();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, raw) in text.split('\n').enumerate() {
        let n = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let content = line.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let Some(h) = &header else {
            header = Some(parse_header(origin, n, line)?);
            continue;
        };
        let cells = fields(line)
            .map_err(|at| GameError::at(origin, n, at, "", "a quote `\"` is not closed".into()))?;
        if cells.len() != h.width {
            let at = cells.get(h.width).map_or(line.chars().count() + 1, |c| c.1);
            return Err(GameError::at(
                origin,
                n,
                at,
                "",
                format!(
                    "{} field{}; expected {} as the header names them",
                    cells.len(),
                    if cells.len() == 1 { "" } else { "s" },
                    h.width
                ),
            ));
        }
        let (id, id_at) = &cells[h.member];
        let id = id.trim();
        if id.is_empty() {
            return Err(GameError::at(
                origin,
                n,
                *id_at,
                "member",
                "empty; expected the member's id, such as FR".into(),
            ));
        }
        if id.chars().count() > MAX_ID_CHARS || id.chars().any(char::is_control) {
            return Err(GameError::at(
                origin,
                n,
                *id_at,
                "member",
                format!(
                    "`{}`: an id is at most {MAX_ID_CHARS} characters without control characters",
                    crate::text::excerpt(id)
                ),
            ));
        }
        if let Some(first) = seen.get(id) {
            return Err(GameError::at(
                origin,
                n,
                *id_at,
                "member",
                format!(
                    "`{}` is already a member (line {first}); each member appears once",
                    crate::text::excerpt(id)
                ),
            ));
        }
        let (w, w_at) = &cells[h.weight];
        let weight =
            weight(w.trim()).map_err(|why| GameError::at(origin, n, *w_at, "weight", why))?;
        let name = h
            .name
            .map(|c| cells[c].0.trim().to_string())
            .filter(|s| !s.is_empty());
        seen.insert(id.to_string(), n);
        members.push(GameMember {
            id: id.to_string(),
            name,
            weight,
        });
        if members.len() > MAX_GAME_MEMBERS {
            return Err(GameError::at(
                origin,
                n,
                1,
                "",
                format!("more than {MAX_GAME_MEMBERS} members"),
            ));
        }
    }
    if header.is_none() {
        return Err(GameError::whole(
            origin,
            "the file is empty; expected a header `member,weight` (and optionally `name`) and a line per member".into(),
        ));
    }
    Ok(members)
}

#[cfg(test)]
mod tests;
