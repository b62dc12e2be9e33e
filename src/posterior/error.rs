//! The error every problem with a posterior file becomes: which file, where
//! in it, which column, what was wrong, and what to try instead.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem with a posterior file. Displayed as
/// `file:line:column: field: message`, with a hint on the next line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosteriorError {
    /// The posterior file.
    pub file: PathBuf,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// 1-based column (in characters), where known.
    pub column: Option<usize>,
    /// The column's name (a parameter path, `draw`, `log_likelihood`), if any.
    pub field: String,
    /// What was wrong and what was expected.
    pub message: String,
    /// A suggestion, if any.
    pub help: Option<String>,
}

impl PosteriorError {
    pub(super) fn at(
        file: &Path,
        line: usize,
        column: usize,
        field: &str,
        message: String,
    ) -> Self {
        PosteriorError {
            file: file.to_path_buf(),
            line: Some(line),
            column: Some(column),
            field: field.to_string(),
            message,
            help: None,
        }
    }

    pub(super) fn whole(file: &Path, message: String) -> Self {
        PosteriorError {
            file: file.to_path_buf(),
            line: None,
            column: None,
            field: String::new(),
            message,
            help: None,
        }
    }

    pub(super) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for PosteriorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
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

impl std::error::Error for PosteriorError {}
