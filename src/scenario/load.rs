//! Reading scenario files: size limits, TOML parsing with positions, includes
//! (relative to the including file, cycle-checked), and layering of overrides.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::check::check;
use super::error::ScenarioError;
use super::limits::{MAX_FILE_BYTES, MAX_INCLUDE_DEPTH, MAX_RUNS};
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
    let mut loader = Loader {
        sources: Vec::new(),
        stack: Vec::new(),
        stored: None,
        seen: Vec::new(),
    };
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
    let mut loader = Loader {
        sources: Vec::new(),
        stack: Vec::new(),
        stored: Some(files.to_vec()),
        seen: Vec::new(),
    };
    let raw = loader.parse(main.path.clone(), main.text.clone())?;
    let stem = main
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    check(raw, loader.sources, &stem)
}

struct Loader {
    sources: Vec<SourceFile>,
    /// Canonical paths of the files being read, for cycle detection.
    stack: Vec<PathBuf>,
    /// Stored copies to take includes from instead of the disk.
    stored: Option<Vec<SourceFile>>,
    /// Canonical paths of every file read so far: each file is applied once.
    seen: Vec<PathBuf>,
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
    let meta = std::fs::metadata(path).map_err(|e| {
        let help = if e.kind() == std::io::ErrorKind::NotFound {
            nearby_file_hint(path)
        } else {
            None
        };
        fail(
            format!("cannot read `{}`: {}", path.display(), plain_io(&e)),
            help,
        )
    })?;
    if meta.is_dir() {
        return Err(fail(
            format!("`{}` is a folder, not a scenario file", path.display()),
            None,
        ));
    }
    if !meta.is_file() {
        // Devices and pipes report no size and may never end.
        return Err(fail(
            format!("`{}` is not a regular file", path.display()),
            None,
        ));
    }
    let too_big = |len: u64| {
        fail(
            format!(
                "`{}` is {len} bytes; scenario files are limited to {MAX_FILE_BYTES} bytes",
                path.display(),
            ),
            None,
        )
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big(meta.len()));
    }
    let cannot_read = |e: std::io::Error| {
        fail(
            format!("cannot read `{}`: {}", path.display(), plain_io(&e)),
            None,
        )
    };
    // Read at most one byte past the limit, in case the file grew meanwhile.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
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
    let good = &bytes[..offset.min(bytes.len())];
    let line = good.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = good.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
    ScenarioError {
        file: path.to_path_buf(),
        line: Some(line),
        column: Some(column),
        field: String::new(),
        message: message.into(),
        help: None,
    }
}

/// An I/O error without the "(os error 2)" suffix.
fn plain_io(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
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

impl Loader {
    fn canonical(&self, path: &Path) -> PathBuf {
        match self.stored {
            Some(_) => path.to_path_buf(),
            None => std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        }
    }

    fn parse(&mut self, path: PathBuf, text: String) -> Result<RawFile, ScenarioError> {
        let canonical = self.canonical(&path);
        self.seen.push(canonical.clone());
        let index = self.sources.len();
        self.sources.push(SourceFile { path, text });
        let source = &self.sources[index];
        let mut file: RawFile = raw::with_file(index, || toml::from_str(&source.text))
            .map_err(|e| toml_error(source, &e))?;
        let includes = file.include.take().unwrap_or_default();
        let mut merged = RawFile::default();
        self.stack.push(canonical);
        for inc in includes {
            let source = self.sources[index].clone();
            let site = IncludeSite {
                file: &source,
                at: &inc,
            };
            if self.stack.len() >= MAX_INCLUDE_DEPTH {
                return Err(site.error(format!(
                    "includes nest more than {MAX_INCLUDE_DEPTH} files deep (is there a chain of includes that never ends?)"
                )));
            }
            let base = source.path.parent().unwrap_or(Path::new(""));
            let target = base.join(&inc.value);
            let target_canonical = self.canonical(&target);
            if self.stack.contains(&target_canonical) {
                let chain: Vec<String> = self
                    .stack
                    .iter()
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
            // A file reached again through another path was applied where it
            // was first included; applying it again would undo the overrides
            // made since.
            if self.seen.contains(&target_canonical) {
                continue;
            }
            let text = match &self.stored {
                None => read(&target, Some(&site))?,
                Some(files) => match files.iter().find(|f| f.path == target) {
                    Some(f) => f.text.clone(),
                    None => {
                        return Err(site.error(format!(
                            "`{}` was not stored with the scenario",
                            target.display()
                        )))
                    }
                },
            };
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
/// unknown keys, and plain wording for what was expected.
pub fn toml_problem(path: &Path, text: &str, e: &toml::de::Error) -> ScenarioError {
    let source = SourceFile {
        path: path.to_path_buf(),
        text: text.to_string(),
    };
    let message = plain_words(e.message().trim());
    let (line, column, field) = match e.span() {
        Some(span) => {
            let (l, c) = source.line_col(span.start);
            let at = if message.contains("invalid array") {
                unclosed_list(text, span.start).unwrap_or(span.start)
            } else {
                span.start
            };
            (Some(l), Some(c), field_at(text, at))
        }
        None => (None, None, String::new()),
    };
    let mut help = None;
    let mut shown = message.clone();
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some(end) = rest.find('`') {
            let word = &rest[..end];
            let expected: Vec<&str> = rest[end + 1..].split('`').skip(1).step_by(2).collect();
            let in_layer = field.starts_with("defaults") || field.starts_with("groups.");
            if word == "include" {
                shown = "unknown key `include`: `include` must come first in the file, before any [table] heading".into();
            } else if in_layer && matches!(word, "military_spending" | "gdp") {
                shown = format!(
                    "unknown key `{word}`: `{word}` is a fact about each state, given per member in [members.ID], not as a default or for a group"
                );
            } else {
                help = suggest::hint(word, expected.iter().copied());
                shown = format!("unknown key `{word}`");
            }
        }
    } else if let Some(rest) = message.strip_prefix("unknown variant `") {
        if let Some(end) = rest.find('`') {
            let word = &rest[..end];
            let expected: Vec<&str> = rest[end + 1..].split('`').skip(1).step_by(2).collect();
            help = suggest::hint(word, expected.iter().copied());
            shown = format!("unknown distribution `{word}`");
        }
    } else if message.contains("invalid basic string") || message.contains("invalid literal string")
    {
        shown = format!("{message}: is the closing quote missing?");
    } else if message.contains("number too large") {
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
    ScenarioError {
        file: source.path,
        line,
        column,
        field,
        // Continuation lines are indented under the first.
        message: shown.replace('\n', "\n  "),
        help,
    }
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
    m
}

/// Best-effort dotted path of the key at `offset`: the nearest table header
/// above it plus the key written on its line.
fn field_at(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |p| p + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |p| offset + p);
    let line = &text[line_start..line_end];
    let trimmed = line.trim_start();
    let mut header = String::new();
    for l in text[..line_start].lines().rev() {
        let l = l.trim();
        if l.starts_with('[') {
            header = l.trim_matches(|c| c == '[' || c == ']').trim().to_string();
            break;
        }
    }
    if trimmed.starts_with('[') {
        return trimmed
            .trim_matches(|c| c == '[' || c == ']')
            .split(']')
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
    }
    // The key before `=`, or the first word of a line whose `=` is missing.
    let key = match trimmed.find('=') {
        Some(eq) => trimmed[..eq].trim(),
        None => trimmed.split_whitespace().next().unwrap_or(""),
    };
    let valid_key = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '"'));
    match (header.is_empty(), valid_key) {
        (_, false) => header,
        (true, true) => key.to_string(),
        (false, true) => format!("{header}.{key}"),
    }
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

    #[test]
    fn field_paths() {
        let text = "[members.KAZ]\nsovreignty = 0.5\n";
        assert_eq!(field_at(text, 16), "members.KAZ.sovreignty");
        assert_eq!(field_at("x = 1\n", 4), "x");
    }
}
