//! Reading scenario files: size limits, TOML parsing with positions, includes
//! (relative to the including file, cycle-checked), and layering of overrides.

use std::path::{Path, PathBuf};

use super::check::check;
use super::error::ScenarioError;
use super::limits::{MAX_FILE_BYTES, MAX_INCLUDE_DEPTH};
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
    };
    let raw = loader.parse(path.to_path_buf(), text.to_string())?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    check(raw, loader.sources, &stem)
}

struct Loader {
    sources: Vec<SourceFile>,
    /// Canonical paths of the files being read, for cycle detection.
    stack: Vec<PathBuf>,
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
    if meta.len() > MAX_FILE_BYTES {
        return Err(fail(
            format!(
                "`{}` is {} bytes; scenario files are limited to {} bytes",
                path.display(),
                meta.len(),
                MAX_FILE_BYTES
            ),
            None,
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        fail(
            format!("cannot read `{}`: {}", path.display(), plain_io(&e)),
            None,
        )
    })?;
    String::from_utf8(bytes).map_err(|e| {
        fail(
            format!(
                "`{}` is not UTF-8 text (invalid byte at offset {})",
                path.display(),
                e.utf8_error().valid_up_to()
            ),
            None,
        )
    })
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
    fn parse(&mut self, path: PathBuf, text: String) -> Result<RawFile, ScenarioError> {
        let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
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
            let target_canonical =
                std::fs::canonicalize(&target).unwrap_or_else(|_| target.clone());
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
            let text = read(&target, Some(&site))?;
            let sub = self.parse(target, text)?;
            merged.merge(sub);
        }
        self.stack.pop();
        merged.merge(file);
        Ok(merged)
    }
}

/// Turns a TOML or serde error into a positioned message, adding a
/// "did you mean" for unknown keys and the table path of the offending key.
fn toml_error(source: &SourceFile, e: &toml::de::Error) -> ScenarioError {
    let (line, column, field) = match e.span() {
        Some(span) => {
            let (l, c) = source.line_col(span.start);
            (Some(l), Some(c), field_at(&source.text, span.start))
        }
        None => (None, None, String::new()),
    };
    let message = plain_words(e.message().trim());
    let mut help = None;
    let mut shown = message.clone();
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some(end) = rest.find('`') {
            let word = &rest[..end];
            let expected: Vec<&str> = rest[end + 1..].split('`').skip(1).step_by(2).collect();
            help = suggest::hint(word, expected.iter().copied());
            shown = format!("unknown key `{word}`");
        }
    } else if let Some(rest) = message.strip_prefix("unknown variant `") {
        if let Some(end) = rest.find('`') {
            let word = &rest[..end];
            let expected: Vec<&str> = rest[end + 1..].split('`').skip(1).step_by(2).collect();
            help = suggest::hint(word, expected.iter().copied());
            shown = format!("unknown distribution `{word}`");
        }
    }
    ScenarioError {
        file: source.path.clone(),
        line,
        column,
        field,
        message: shown,
        help,
    }
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
    let key = match trimmed.find('=') {
        Some(eq) => trimmed[..eq].trim(),
        None => "",
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
    fn field_paths() {
        let text = "[members.KAZ]\nsovreignty = 0.5\n";
        assert_eq!(field_at(text, 16), "members.KAZ.sovreignty");
        assert_eq!(field_at("x = 1\n", 4), "x");
    }
}
