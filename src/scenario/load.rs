//! Reading scenario files: size limits, TOML parsing with positions, includes
//! (relative to the including file, cycle-checked), and layering of overrides.
//!
//! A file is applied once, where it is first included: a later include of the
//! same file, by the same path or another (a symbolic or hard link), is
//! skipped, so it is read once and appears once among the scenario's sources.
//! What one scenario reads is bounded as a whole, not only file by file: at
//! most [`MAX_INCLUDES`] include entries and [`MAX_SCENARIO_BYTES`] bytes of
//! text, so that includes cannot fan out into endless reading.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::check::check;
use super::error::ScenarioError;
use super::keys;
use super::limits::{
    MAX_FILE_BYTES, MAX_INCLUDES, MAX_INCLUDE_DEPTH, MAX_RUNS, MAX_SCENARIO_BYTES,
};
use super::raw::{self, Located, RawFile};
use super::suggest;
use super::Scenario;

/// One file that went into a scenario, kept for error positions and hashing.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path as given or as resolved from an include.
    pub path: PathBuf,
    /// Full text.
    pub text: String,
}

impl SourceFile {
    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text.as_bytes()[..offset];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        (line, column)
    }
}

/// Reads, layers and checks the scenario at `path`.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = read(path, None)?;
    load_str(&text, path)
}

/// Checks a scenario given as text; `path` names it in messages and anchors
/// its includes.
pub fn load_str(text: &str, path: &Path) -> Result<Scenario, ScenarioError> {
    let mut loader = Loader::new(None);
    let raw = loader.parse(path.to_path_buf(), text.to_string())?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    check(raw, loader.sources, &stem)
}

/// Checks a scenario from stored copies of its files (main file first), as
/// [`Scenario::sources`] holds them: includes are taken from the copies, never
/// from the disk, so the result is the scenario those texts made.
pub fn load_stored(files: &[SourceFile]) -> Result<Scenario, ScenarioError> {
    let Some(main) = files.first() else {
        return Err(ScenarioError::file(
            Path::new(""),
            "",
            "no scenario file was stored",
        ));
    };
    let mut loader = Loader::new(Some(files));
    let raw = loader.parse(main.path.clone(), main.text.clone())?;
    let stem = main
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    check(raw, loader.sources, &stem)
}

struct Loader<'a> {
    sources: Vec<SourceFile>,
    /// The files being read, outermost first, for cycle detection: each
    /// file's identity and canonical path (which names it in messages).
    stack: Vec<(FileId, PathBuf)>,
    /// Stored copies to take includes from instead of the disk, by path.
    stored: Option<HashMap<&'a Path, &'a SourceFile>>,
    /// Every file read so far: each file is applied once.
    seen: HashSet<FileId>,
    /// Include entries met so far, in every file (repeats counted).
    includes: usize,
    /// Bytes of text read so far, every file counted once.
    bytes: u64,
}

/// What makes two paths one file: its device and inode where the platform
/// has them (so that a hard link is the file it links to), otherwise its
/// canonical path; for stored copies, the path they were stored under.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FileId {
    /// Device and inode numbers.
    Inode(u64, u64),
    /// A path: canonical on disk, as stored otherwise.
    Path(PathBuf),
}

/// Where an include was written, for messages about the included file.
struct IncludeSite<'a> {
    file: &'a SourceFile,
    at: &'a Located<String>,
}

impl IncludeSite<'_> {
    fn error(&self, message: String) -> ScenarioError {
        let (line, column) = self.file.line_col(self.at.span.start);
        ScenarioError {
            file: self.file.path.clone(),
            line: Some(line),
            column: Some(column),
            field: "include".into(),
            message,
            help: None,
        }
    }
}

fn read(path: &Path, site: Option<&IncludeSite>) -> Result<String, ScenarioError> {
    let fail = |message: String, help: Option<String>| match site {
        Some(s) => s.error(message).with_help(help),
        None => ScenarioError::file(path, "", message).with_help(help),
    };
    let class = crate::input::Class {
        noun: "scenario file",
        links: crate::input::Links::Follow,
        max_bytes: MAX_FILE_BYTES,
    };
    let bytes = crate::input::read(path, class).map_err(|e| {
        let help = if e.is_not_found() {
            nearby_file_hint(path)
        } else {
            None
        };
        fail(e.to_string(), help)
    })?;
    // A NUL byte is never in TOML text: such a file (a binary, or a special
    // file such as /proc/self/environ) is refused without quoting any of it.
    if let Some(nul) = bytes.iter().position(|b| *b == 0) {
        return Err(error_at_byte(
            path,
            &bytes,
            nul,
            "the file holds a NUL byte, so it is not text; a scenario file is TOML text",
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        error_at_byte(
            path,
            e.as_bytes(),
            e.utf8_error().valid_up_to(),
            "the file is not UTF-8 text; save it as UTF-8",
        )
    })
}

/// A problem at byte `offset` of the file `path` with contents `bytes`,
/// reported at its line and character column.
fn error_at_byte(path: &Path, bytes: &[u8], offset: usize, message: &str) -> ScenarioError {
    let (line, column) = crate::text::position(bytes, offset);
    ScenarioError {
        file: path.to_path_buf(),
        line: Some(line),
        column: Some(column),
        field: String::new(),
        message: message.into(),
        help: None,
    }
}

fn nearby_file_hint(path: &Path) -> Option<String> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let stem = |n: &str| n.strip_suffix(".toml").unwrap_or(n).to_string();
    let wanted = stem(&path.file_name()?.to_string_lossy());
    let entries: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    let stems: Vec<String> = entries.iter().map(|n| stem(n)).collect();
    suggest::closest(&wanted, stems.iter().map(String::as_str))
        .map(|c| format!("did you mean `{c}.toml`?"))
}

impl<'a> Loader<'a> {
    fn new(stored: Option<&'a [SourceFile]>) -> Loader<'a> {
        Loader {
            sources: Vec::new(),
            stack: Vec::new(),
            // The first copy stored under a path is the one used, as before.
            stored: stored.map(|files| {
                let mut by_path = HashMap::new();
                for f in files {
                    by_path.entry(f.path.as_path()).or_insert(f);
                }
                by_path
            }),
            seen: HashSet::new(),
            includes: 0,
            bytes: 0,
        }
    }

    fn canonical(&self, path: &Path) -> PathBuf {
        match &self.stored {
            Some(_) => path.to_path_buf(),
            None => std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        }
    }

    /// The identity of the file at `path`, whose canonical path is `canonical`.
    fn identity(&self, path: &Path, canonical: &Path) -> FileId {
        #[cfg(unix)]
        if self.stored.is_none() {
            use std::os::unix::fs::MetadataExt;
            if let Ok(meta) = std::fs::metadata(path) {
                return FileId::Inode(meta.dev(), meta.ino());
            }
        }
        let _ = path;
        FileId::Path(canonical.to_path_buf())
    }

    /// The text of the file `target` that `site` includes, counted against
    /// the scenario's total.
    fn read_included(
        &mut self,
        target: &Path,
        site: &IncludeSite,
    ) -> Result<String, ScenarioError> {
        let over = |total: u64| {
            site.error(format!(
                "including `{}` would bring the scenario to {total} bytes of text; a scenario and the files it includes may hold at most {MAX_SCENARIO_BYTES} bytes in total",
                target.display()
            ))
        };
        let text = match &self.stored {
            None => {
                // Refuse before reading when the size already says so.
                if let Ok(meta) = std::fs::metadata(target) {
                    let total = self.bytes.saturating_add(meta.len());
                    if meta.is_file() && meta.len() <= MAX_FILE_BYTES && total > MAX_SCENARIO_BYTES
                    {
                        return Err(over(total));
                    }
                }
                read(target, Some(site))?
            }
            Some(files) => match files.get(target) {
                Some(f) => f.text.clone(),
                None => {
                    return Err(site.error(format!(
                        "`{}` was not stored with the scenario",
                        target.display()
                    )))
                }
            },
        };
        let total = self.bytes.saturating_add(text.len() as u64);
        if total > MAX_SCENARIO_BYTES {
            return Err(over(total));
        }
        Ok(text)
    }

    fn parse(&mut self, path: PathBuf, text: String) -> Result<RawFile, ScenarioError> {
        let canonical = self.canonical(&path);
        let id = self.identity(&path, &canonical);
        self.seen.insert(id.clone());
        self.bytes = self.bytes.saturating_add(text.len() as u64);
        if self.bytes > MAX_SCENARIO_BYTES {
            // Only a file given whole (not read from disk) can get here first.
            return Err(ScenarioError::file(
                &path,
                "",
                format!(
                    "the scenario holds {} bytes of text; a scenario and the files it includes may hold at most {MAX_SCENARIO_BYTES} bytes in total",
                    self.bytes
                ),
            ));
        }
        let index = self.sources.len();
        self.sources.push(SourceFile { path, text });
        let source = &self.sources[index];
        let mut file: RawFile = raw::with_file(index, || toml::from_str(&source.text))
            .map_err(|e| toml_error(source, &e))?;
        let includes = file.include.take().unwrap_or_default();
        let mut merged = RawFile::default();
        self.stack.push((id, canonical));
        // The including file's own path and text, for messages about its includes.
        let source = if includes.is_empty() {
            None
        } else {
            Some(self.sources[index].clone())
        };
        for inc in includes {
            let source = source.as_ref().expect("a file with includes");
            let site = IncludeSite {
                file: source,
                at: &inc,
            };
            self.includes += 1;
            if self.includes > MAX_INCLUDES {
                return Err(site.error(format!(
                    "more than {MAX_INCLUDES} includes in one scenario, counting every entry of every `include` list in the files it reads"
                )));
            }
            if self.stack.len() >= MAX_INCLUDE_DEPTH {
                return Err(site.error(format!(
                    "includes nest more than {MAX_INCLUDE_DEPTH} files deep (is there a chain of includes that never ends?)"
                )));
            }
            let base = source.path.parent().unwrap_or(Path::new(""));
            let target = base.join(&inc.value);
            let target_canonical = self.canonical(&target);
            let target_id = self.identity(&target, &target_canonical);
            if self.stack.iter().any(|(id, _)| *id == target_id) {
                let chain: Vec<String> = self
                    .stack
                    .iter()
                    .map(|(_, p)| p)
                    .chain(std::iter::once(&target_canonical))
                    .map(|p| {
                        p.file_name()
                            .unwrap_or_default()
                            .to_string_lossy()
                            .into_owned()
                    })
                    .collect();
                return Err(site.error(format!("include cycle: {}", chain.join(" -> "))));
            }
            // A file reached again, through the same path or another, was
            // applied where it was first included; applying it again would
            // undo the overrides made since.
            if self.seen.contains(&target_id) {
                continue;
            }
            let text = self.read_included(&target, &site)?;
            let sub = self.parse(target, text)?;
            merged.merge(sub);
        }
        self.stack.pop();
        // An included case's historical outcome does not carry over to a file
        // that includes it (a what-if is not history), unless that file's own
        // `[expected]` says `inherit = true`.
        let inherit = file
            .expected
            .as_ref()
            .and_then(|e| e.inherit.as_ref())
            .is_some_and(|i| i.value);
        if !inherit {
            merged.expected = None;
        } else if merged.expected.is_none() {
            let at = file
                .expected
                .as_ref()
                .and_then(|e| e.inherit.as_ref())
                .expect("inherit is set");
            let (line, column) = self.sources[index].line_col(at.span.start);
            return Err(ScenarioError {
                file: self.sources[index].path.clone(),
                line: Some(line),
                column: Some(column),
                field: "expected.inherit".into(),
                message: "`inherit = true`, but no included file records an [expected] outcome"
                    .into(),
                help: Some(
                    "remove `inherit`, or include the case whose outcome this file should carry"
                        .into(),
                ),
            });
        }
        merged.merge(file);
        Ok(merged)
    }
}

/// Turns a TOML or serde error into a positioned message, adding a
/// "did you mean" for unknown keys and the table path of the offending key.
fn toml_error(source: &SourceFile, e: &toml::de::Error) -> ScenarioError {
    toml_problem(&source.path, &source.text, e)
}

/// A TOML or serde error in the file `path` with contents `text`, as a
/// positioned message in the tool's words: the field, a "did you mean" for
/// unknown keys, and plain wording for what was expected. Keys and values
/// quoted from the file are escaped, so the message stays on one line.
pub fn toml_problem(path: &Path, text: &str, e: &toml::de::Error) -> ScenarioError {
    let source = SourceFile {
        path: path.to_path_buf(),
        text: text.to_string(),
    };
    let message = plain_words(e.message().trim());
    let message = message
        .strip_suffix(", expected nothing")
        .unwrap_or(&message)
        .to_string();
    let Some(span) = e.span() else {
        if message.contains("recursion limit") {
            // The parser stops before it can say where.
            return ScenarioError::file(
                &source.path,
                "",
                "keys, tables or lists nest too deeply (a dotted key of thousands of parts?); a scenario file needs a few levels",
            );
        }
        return ScenarioError::file(&source.path, "", keys::one_line(&message));
    };
    // Where the message points, and where the field is read from.
    let mut at = span.start;
    let mut field_from = span.start;
    let mut shown = message.clone();
    let mut help = None;
    if message.starts_with("duplicate key") {
        if let Some((place, words)) = duplicate_key(text, span.start) {
            at = place;
            field_from = place;
            shown = words;
        }
    } else if message.starts_with("missing comma between array elements")
        || message.starts_with("unclosed array,")
    {
        if let Some(opened) = unclosed_list(text, span.start) {
            field_from = opened;
            let (opened_on, _) = source.line_col(opened);
            let (here, _) = source.line_col(span.start);
            shown = if opened_on == here && message.starts_with("missing comma") {
                "missing comma between list elements, expected `,`".into()
            } else {
                format!(
                    "the list opened on line {opened_on} is not closed: expected `]` after its last element, or `,` between elements"
                )
            };
        }
    }
    let field = field_at(text, field_from);
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some(end) = rest.find('`') {
            let word = &rest[..end];
            let expected: Vec<&str> = rest[end + 1..].split('`').skip(1).step_by(2).collect();
            let in_layer = field.starts_with("defaults") || field.starts_with("groups.");
            if word == "include" {
                shown = "unknown key `include`: `include` must come first in the file, before any [table] heading".into();
            } else if in_layer && matches!(word, "military_spending" | "gdp" | "population") {
                shown = format!(
                    "unknown key `{word}`: `{word}` is a fact about each state, given per member in [members.ID], not as a default or for a group"
                );
            } else {
                help = suggest::hint(word, expected.iter().copied());
                shown = format!("unknown key `{}`", keys::quote(word));
            }
        }
    } else if let Some(rest) = message.strip_prefix("unknown variant `") {
        if let Some(end) = rest.find('`') {
            let word = &rest[..end];
            let expected: Vec<&str> = rest[end + 1..].split('`').skip(1).step_by(2).collect();
            help = suggest::hint(word, expected.iter().copied());
            shown = format!("unknown distribution `{}`", keys::one_line(word));
        }
    } else if message.contains("invalid basic string") || message.contains("invalid literal string")
    {
        shown = format!("{message}: is the closing quote missing?");
    } else if let Some(expected) = message.strip_prefix("missing escaped value") {
        shown = format!("invalid escape sequence{expected}");
    } else if message.starts_with("string values must be quoted") {
        let rest = text[span.start.min(text.len())..]
            .lines()
            .next()
            .unwrap_or("")
            .trim();
        shown = if rest.is_empty() || rest.starts_with('#') {
            "missing value after `=`".into()
        } else {
            "not a value: text must be in quotes (\"like this\"); numbers, true and false are written plainly".into()
        };
    } else if let Some(fix) = decimal_comma(text, span.start) {
        help = Some(format!("write decimals with a point: {fix}"));
    } else if let Some(rest) = message.strip_prefix("invalid type: decimal number `") {
        // serde shows the number as it reads it (`20000.0` for `2e4`): quote
        // the file instead, and offer the whole number when there is one.
        let written = as_written(text, span.start, span.end);
        let read = rest.split('`').next().and_then(|v| v.parse::<f64>().ok());
        if message.ends_with("expected a whole number") {
            shown = format!(
                "expected a whole number, found `{}`",
                keys::one_line(written.unwrap_or_else(|| rest.split('`').next().unwrap_or("")))
            );
            help = read
                .filter(|x| x.fract() == 0.0 && x.abs() < 9.0e15)
                .map(|x| format!("write it as a whole number: {}", x as i64));
        }
    } else if too_large(&message) {
        shown = match field.as_str() {
            "montecarlo.runs" => {
                format!("number too large: runs must be a whole number from 1 to {MAX_RUNS}")
            }
            "montecarlo.seed" => format!(
                "number too large: a seed in a file must be a whole number from 0 to {}",
                i64::MAX
            ),
            _ => "number too large".into(),
        };
    }
    let (line, column) = source.line_col(at);
    ScenarioError {
        file: source.path,
        line: Some(line),
        column: Some(column),
        field,
        message: keys::one_line(&shown),
        help,
    }
}

/// For a parse error at a comma between digits (`gdp = 38,5`, a decimal
/// comma), the number written with a point (`38.5`).
fn decimal_comma(text: &str, offset: usize) -> Option<String> {
    let bytes = text.as_bytes();
    if bytes.get(offset) != Some(&b',') {
        return None;
    }
    let before = text[..offset]
        .bytes()
        .rev()
        .take_while(u8::is_ascii_digit)
        .count();
    let after = text[offset + 1..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    if before == 0 || after == 0 || before > 40 || after > 40 {
        return None;
    }
    Some(format!(
        "{}.{}",
        &text[offset - before..offset],
        &text[offset + 1..offset + 1 + after]
    ))
}

/// The value as written in the file between `start` and `end`, if it is a
/// short single-line token (a number such as `2e4`).
fn as_written(text: &str, start: usize, end: usize) -> Option<&str> {
    let v = text.get(start..end)?.trim();
    (!v.is_empty() && v.len() <= 40 && !v.contains(['\n', '\r', '`'])).then_some(v)
}

/// Whether the parser's message says a number does not fit: TOML integers
/// are 64-bit, and the parser reports a larger one as not fitting the type
/// it was read as (a 128-bit integer, or a positive one beyond `i64`).
fn too_large(message: &str) -> bool {
    message.contains("number too large")
        || message.contains("number overflowed")
        || (message.starts_with("invalid type: integer") && message.contains(" as i128"))
        || message.starts_with("invalid value: integer `") && !message.contains("integer `-")
}

/// For a duplicate key at `offset`: where to point (the start of the table
/// heading or key line it is written on, or the key itself inside an inline
/// table) and the message, naming the key and the table it is repeated in.
fn duplicate_key(text: &str, offset: usize) -> Option<(usize, String)> {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |p| p + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |p| offset + p);
    let line = &text[line_start..line_end];
    let within = offset - line_start;
    let blanks = line.len() - line.trim_start().len();
    let place = |path: &[String], key: &str| match path.is_empty() {
        true => format!(
            "duplicate key `{}` at the top level of the file",
            keys::quote(key)
        ),
        false => format!(
            "duplicate key `{}` in table `{}`",
            keys::quote(key),
            keys::join(path.iter().map(String::as_str))
        ),
    };
    if let Some(heading) = keys::heading(line) {
        let i = heading.iter().position(|k| k.span.contains(&within))?;
        let parent: Vec<String> = heading[..i].iter().map(|k| k.name.clone()).collect();
        return Some((line_start + blanks, place(&parent, &heading[i].name)));
    }
    if let Some((path, _)) = keys::read_path(&line[blanks..]) {
        let i = within
            .checked_sub(blanks)
            .and_then(|w| path.iter().position(|k| k.span.contains(&w)));
        if let Some(i) = i {
            let mut table = table_above(text, line_start);
            table.extend(path[..i].iter().map(|k| k.name.clone()));
            return Some((line_start + blanks, place(&table, &path[i].name)));
        }
    }
    // Inside an inline table: point at the key itself.
    let (key, _) = keys::read_path(&text[offset..line_end])?;
    Some((
        offset,
        format!("duplicate key `{}`", keys::quote(&key.first()?.name)),
    ))
}

/// The key path of the nearest table heading above the line starting at
/// `line_start`, empty at the top level.
fn table_above(text: &str, line_start: usize) -> Vec<String> {
    text[..line_start]
        .lines()
        .rev()
        .find_map(keys::heading)
        .map(|keys| keys.into_iter().map(|k| k.name).collect())
        .unwrap_or_default()
}

/// For an error inside an unclosed list: the offset of the `key = [` line the
/// list was opened on, searching back from `offset`.
fn unclosed_list(text: &str, offset: usize) -> Option<usize> {
    let before = &text[..offset.min(text.len())];
    let starts: Vec<usize> = std::iter::once(0)
        .chain(before.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut depth: i64 = 0;
    let mut end = before.len();
    for &start in starts.iter().rev() {
        let line = &before[start..end];
        end = start.saturating_sub(1);
        depth += line.matches('[').count() as i64 - line.matches(']').count() as i64;
        if line.contains('=') && depth > 0 {
            return Some(start);
        }
        if line.trim_start().starts_with('[') && !line.contains('=') {
            return None; // a table heading: the list did not start above it
        }
    }
    None
}

/// Rewords serde's type names for readers who are not programmers.
fn plain_words(message: &str) -> String {
    let mut m = message.to_string();
    for (from, to) in [
        ("expected i64", "expected a whole number"),
        ("expected u64", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected a boolean", "expected true or false"),
        ("invalid type: map", "invalid type: a table"),
        ("invalid type: sequence", "invalid type: a list"),
        ("floating point", "decimal number"),
        ("missing field", "missing key"),
        ("expected a sequence", "expected a list"),
        (
            "expected variant identifier",
            "expected a distribution name: `normal`, `uniform`, `beta` or `triangular`",
        ),
    ] {
        m = m.replace(from, to);
    }
    no_type_names(&m)
}

/// Replaces the program's own type names in serde's "expected ..." with the
/// word the docs use: `expected struct RawMonteCarlo`, `expected internally
/// tagged enum RawDist` and `expected a map` all become `expected a table`.
/// Text quoted from the file (between backticks) is left alone.
fn no_type_names(message: &str) -> String {
    const NAMED: [&str; 3] = [
        "expected struct ",
        "expected internally tagged enum ",
        "expected enum ",
    ];
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    let mut quoted = false;
    while !rest.is_empty() {
        if !quoted {
            if let Some(prefix) = NAMED.iter().find(|p| rest.starts_with(**p)) {
                let name = rest[prefix.len()..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .map(char::len_utf8)
                    .sum::<usize>();
                out.push_str("expected a table");
                rest = &rest[prefix.len() + name..];
                continue;
            }
            if rest.starts_with("expected a map") {
                out.push_str("expected a table");
                rest = &rest["expected a map".len()..];
                continue;
            }
        }
        let c = rest.chars().next().expect("not empty");
        quoted ^= c == '`';
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Best-effort dotted path of the key at `offset`: the nearest table header
/// above it plus the key written on its line, each key spelt as in a file
/// (quoted where it needs quotes).
fn field_at(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |p| p + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |p| offset + p);
    let line = &text[line_start..line_end];
    let names = |keys: Vec<keys::Key>| keys.into_iter().map(|k| k.name).collect::<Vec<_>>();
    if let Some(heading) = keys::heading(line) {
        return keys::join(names(heading).iter().map(String::as_str));
    }
    let mut path = table_above(text, line_start);
    // The key before `=`, or the first word of a line whose `=` is missing.
    let trimmed = line.trim_start();
    if let Some((key, len)) = keys::read_path(trimmed) {
        let after = trimmed[len..].trim_start();
        if after.starts_with('=') || !line.contains('=') {
            path.extend(names(key));
        }
    }
    keys::join(path.iter().map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let s = SourceFile {
            path: "x".into(),
            text: "a = 1\nbé = 2\n".into(),
        };
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(6), (2, 1));
        assert_eq!(s.line_col(10), (2, 4));
    }

    #[test]
    fn an_unclosed_list_is_found_where_it_was_opened() {
        let text = "[alliance]\nregions = [\"a\",\n  \"b\"\ncrisis_types = [\"x\"]\n";
        let at = text.find("crisis_types").unwrap();
        let key = unclosed_list(text, at).unwrap();
        assert_eq!(field_at(text, key), "alliance.regions");
        assert_eq!(unclosed_list("[a]\nx = 1\n", 8), None);
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_refused_without_reading_them() {
        for dev in ["/dev/zero", "/dev/null"] {
            let e = load(Path::new(dev)).unwrap_err();
            assert!(e.message.contains("not a regular file"), "{e}");
        }
    }

    /// Stored copies (as a shard keeps them) are held to the same totals as
    /// files on disk: bytes over every file, and include entries with repeats.
    #[test]
    fn stored_copies_are_bounded_in_total() {
        let part = |k: usize| SourceFile {
            path: format!("p{k}.toml").into(),
            text: format!("# part {k}\n{}\n", "#".repeat(3_500_000)),
        };
        let names: Vec<String> = (0..5).map(|k| format!("\"p{k}.toml\"")).collect();
        let mut files = vec![SourceFile {
            path: "main.toml".into(),
            text: format!("include = [{}]\n", names.join(", ")),
        }];
        files.extend((0..5).map(part));
        let e = load_stored(&files).unwrap_err();
        assert!(
            e.message.contains("p4.toml")
                && e.message
                    .contains(&format!("at most {MAX_SCENARIO_BYTES} bytes in total")),
            "{e}"
        );

        let again = vec!["\"p0.toml\""; MAX_INCLUDES + 1].join(", ");
        let files = vec![
            SourceFile {
                path: "main.toml".into(),
                text: format!("include = [{again}]\n"),
            },
            part(0),
        ];
        let e = load_stored(&files).unwrap_err();
        assert!(
            e.message
                .contains(&format!("more than {MAX_INCLUDES} includes")),
            "{e}"
        );
    }

    #[test]
    fn field_paths() {
        let text = "[members.KAZ]\nsovreignty = 0.5\n";
        assert_eq!(field_at(text, 16), "members.KAZ.sovreignty");
        assert_eq!(field_at("x = 1\n", 4), "x");
        // Keys are read as the parser reads them and spelt as a file would.
        let text = "[ members . \"KAZ\" ]\n\"sov.x\" = 1\n";
        assert_eq!(field_at(text, 20), "members.KAZ.\"sov.x\"");
        let text = "[members.\"A\\\"B\"]\n\"a\\nb\" = 1\n";
        assert_eq!(field_at(text, 18), "members.\"A\\\"B\".\"a\\nb\"");
    }

    /// The message for the first TOML error in `text`.
    fn problem(text: &str) -> ScenarioError {
        let e = toml::from_str::<RawFile>(text).unwrap_err();
        toml_problem(Path::new("t.toml"), text, &e)
    }

    #[test]
    fn duplicates_name_the_key_and_its_table() {
        let e = problem("[crisis]\nseverity = 0.8\nseverity = 0.9\n");
        assert_eq!(
            e.to_string(),
            "t.toml:3:1: crisis.severity: duplicate key `severity` in table `crisis`"
        );
        let e = problem("[crisis]\nseverity = 0.8\n[crisis]\n");
        assert_eq!(
            e.to_string(),
            "t.toml:3:1: crisis: duplicate key `crisis` at the top level of the file"
        );
        let e = problem("[members.\"K Z\"]\nsovereignty = 0.5\n  [members.\"K Z\"]\n");
        assert_eq!(
            e.to_string(),
            "t.toml:3:3: members.\"K Z\": duplicate key `\"K Z\"` in table `members`"
        );
        let e = problem("crisis.severity = 0.8\ncrisis.severity = 0.9\n");
        assert_eq!(
            e.to_string(),
            "t.toml:2:1: crisis.severity: duplicate key `severity` in table `crisis`"
        );
        let e = problem("[members.A]\nconcern = { x = 1.0, x = 0.5 }\n");
        assert_eq!(
            e.to_string(),
            "t.toml:2:22: members.A.concern: duplicate key `x`"
        );
    }

    #[test]
    fn parser_messages_in_plain_words() {
        let e = problem("[montecarlo]\nruns = 99999999999999999999\n");
        assert!(
            e.message.starts_with("number too large: runs must be"),
            "{e}"
        );
        let e = problem("[montecarlo]\nseed = 9223372036854775808\n");
        assert!(e.message.starts_with("number too large: a seed"), "{e}");
        assert_eq!(
            problem("[crisis]\nseverity =\n").message,
            "missing value after `=`"
        );
        assert!(problem("[crisis]\nseverity = high\n")
            .message
            .contains("in quotes"));
        assert_eq!(
            problem("[crisis]\nseverity = 01\n").message,
            "unexpected leading zero"
        );
        assert!(problem("[scenario]\nname = \"a\\qb\"\n")
            .message
            .starts_with("invalid escape sequence, expected `b`"));
        let e = problem("[alliance]\nregions = [\"a\",\n  \"b\"\ncrisis_types = [\"x\"]\n");
        assert_eq!(e.field, "alliance.regions");
        assert!(
            e.message
                .starts_with("the list opened on line 2 is not closed: expected `]`"),
            "{e}"
        );
        let e = problem("[alliance]\nregions = [\"a\" \"b\"]\n");
        assert_eq!(
            e.message,
            "missing comma between list elements, expected `,`"
        );
    }

    #[test]
    fn a_key_with_a_newline_stays_on_one_line() {
        let e = problem("[crisis]\n\"a\\nb\" = 1\n");
        let shown = e.to_string();
        assert_eq!(shown.lines().count(), 2, "{shown}");
        assert!(
            shown.starts_with("t.toml:2:1: crisis.\"a\\nb\": unknown key `\"a\\nb\"`\n  help: "),
            "{shown}"
        );
    }

    #[test]
    fn a_decimal_comma_is_answered_with_a_point() {
        let e = problem("[members.KAZ]\ngdp = 38,5\n");
        assert_eq!(e.field, "members.KAZ.gdp");
        assert_eq!(e.help.as_deref(), Some("write decimals with a point: 38.5"));
        // Only a comma with digits on both sides reads as a decimal comma.
        assert_eq!(decimal_comma("x = 1, 2", 5), None);
        assert_eq!(decimal_comma("x = \"a\",5", 7), None);
        assert_eq!(decimal_comma("x = 1", 4), None);
    }

    #[test]
    fn a_number_is_quoted_as_written() {
        let e = problem("[montecarlo]\nruns = 2e4\n");
        assert_eq!(e.message, "expected a whole number, found `2e4`");
        assert_eq!(e.help.as_deref(), Some("write it as a whole number: 20000"));
        let e = problem("[montecarlo]\nruns = 1.5\n");
        assert_eq!(e.message, "expected a whole number, found `1.5`");
        assert_eq!(e.help, None);
    }

    #[test]
    fn tables_are_called_tables() {
        for text in ["montecarlo = 5\n", "crisis = 5\n", "[members]\nKAZ = 5\n"] {
            let e = problem(text);
            assert!(e.message.ends_with("expected a table"), "{text}: {e}");
            assert!(!e.message.contains("Raw"), "{text}: {e}");
        }
        assert_eq!(
            no_type_names("invalid type: integer `5`, expected struct RawMonteCarlo"),
            "invalid type: integer `5`, expected a table"
        );
        assert_eq!(
            no_type_names("x `expected struct Kept` expected a map"),
            "x `expected struct Kept` expected a table"
        );
    }
}
