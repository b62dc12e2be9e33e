//! The error every scenario problem becomes: which file, where in it, which
//! field, what was wrong, and what to try instead.

use std::fmt;
use std::path::PathBuf;

use crate::text::{bound_quotes, excerpt, excerpt_to};

/// The most characters of a field path a message shows: a path names up to
/// two ids of up to 64 characters each, and a few keys.
const FIELD_CHARS: usize = 200;

/// A problem with a scenario file that the user can fix. Displayed as
/// `file:line:column: field: message` followed by an optional hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file the problem is in.
    pub file: PathBuf,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// 1-based column, where known.
    pub column: Option<usize>,
    /// Dotted path of the field, e.g. `members.KAZ.sovereignty` (may be empty).
    pub field: String,
    /// What was wrong and what was expected.
    pub message: String,
    /// A suggestion, such as "did you mean `sovereignty`?".
    pub help: Option<String>,
}

impl ScenarioError {
    /// A problem with the file as a whole (no line).
    pub fn file(
        file: impl Into<PathBuf>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ScenarioError {
            file: file.into(),
            line: None,
            column: None,
            field: field.into(),
            message: message.into(),
            help: None,
        }
    }

    /// Attaches a hint.
    pub fn with_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
}

/// What the message quotes of the file is cut to a bounded excerpt (the
/// path, the field, and every quoted piece of the message and the hint; see
/// [`crate::text::excerpt`]), so that a very long key or value is not echoed
/// whole.
impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", excerpt(&self.file.display().to_string()))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        let message = bound_quotes(&self.message);
        if self.field.is_empty() {
            write!(f, ": {message}")?;
        } else {
            write!(f, ": {}: {message}", excerpt_to(&self.field, FIELD_CHARS))?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {}", bound_quotes(help))?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}
