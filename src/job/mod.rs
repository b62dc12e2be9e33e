//! Jobs: the work of the simulating commands from checked settings to result
//! files. A job is prepared (every file read and every setting checked before
//! anything runs), run on the current rayon pool, and its results written
//! atomically; a shard of a run or sweep writes its counts instead, and a
//! merge turns the shards' counts into the files one process writes.
//!
//! The command line only parses arguments into settings, calls these
//! functions, and prints what they return. Progress and cancellation come in
//! through [`Watch`]; problems go out as a [`JobError`], which says whether
//! the input was at fault.

pub mod game;
pub mod merge;
pub mod power;
pub mod run;
pub mod run_files;
pub mod sensitivity;
pub mod shard;
pub mod sweep;
mod sweep_files;
pub mod validate;
mod validate_files;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use crate::output::dialect::Dialect;
use crate::output::folder::{self, Committed, FolderError, Replace, Staged};
use crate::posterior::PosteriorError;
use crate::scenario::ScenarioError;

/// Why a job could not be done.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// A problem with what was asked for (a setting, a combination of
    /// options, shards that do not belong together): the user can fix it.
    #[error("{0}")]
    Input(String),
    /// A scenario file that cannot be used (boxed: errors are rare, results
    /// are passed around often).
    #[error(transparent)]
    Scenario(Box<ScenarioError>),
    /// A posterior file that cannot be used with the scenario.
    #[error(transparent)]
    Posterior(Box<PosteriorError>),
    /// Several scenario files that cannot be used, in the order named.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Scenarios(Vec<ScenarioError>),
    /// A results folder that cannot be used now, or not safely (another
    /// process is writing it; a link or another user's folder in its place):
    /// not a fault of the input.
    #[error("{0}")]
    Unavailable(String),
    /// Stopped through the cancel flag; the message says what was kept.
    #[error("{0}")]
    Interrupted(String),
    /// A file or folder could not be read or written.
    #[error("{context}")]
    Io {
        /// What was being done, e.g. "cannot write `output/x/outcomes.csv`".
        context: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

impl JobError {
    /// A problem with the input.
    pub fn input(message: impl Into<String>) -> JobError {
        JobError::Input(message.into())
    }
}

impl From<ScenarioError> for JobError {
    fn from(e: ScenarioError) -> JobError {
        JobError::Scenario(Box::new(e))
    }
}

impl From<PosteriorError> for JobError {
    fn from(e: PosteriorError) -> JobError {
        JobError::Posterior(Box::new(e))
    }
}

impl From<FolderError> for JobError {
    fn from(e: FolderError) -> JobError {
        match e {
            FolderError::Io { context, source } => JobError::Io { context, source },
            e @ (FolderError::Busy(_) | FolderError::NotOwn(_)) => {
                JobError::Unavailable(e.to_string())
            }
            other => JobError::Input(other.to_string()),
        }
    }
}

/// Adds what was being done to an I/O error.
pub trait IoContext<T> {
    /// The error as a [`JobError::Io`] with `context`.
    fn context_io(self, context: impl FnOnce() -> String) -> Result<T, JobError>;
}

impl<T> IoContext<T> for io::Result<T> {
    fn context_io(self, context: impl FnOnce() -> String) -> Result<T, JobError> {
        self.map_err(|source| JobError::Io {
            context: context(),
            source,
        })
    }
}

/// What a caller watches a job with: a callback told how far it has got
/// (runs or points, as the function says) and a flag that stops it.
#[derive(Clone, Copy, Default)]
pub struct Watch<'a> {
    /// Receives the number of units done so far (from any worker thread).
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
    /// When set, the job stops promptly with [`JobError::Interrupted`].
    pub cancel: Option<&'a AtomicBool>,
}

/// Who made a result: one process with some threads, or merged shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// One process.
    Threads(usize),
    /// `merge` of this many shards.
    Shards(u64),
}

/// A scenario file's label: its stem (shown lossily if not UTF-8), the CSV
/// `scenario` column and the name of its results folder.
pub fn label_of(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into())
}

/// The scenario's name as results show it when run under `rule`: its own
/// name when `rule` is the scenario's, and otherwise the name followed by
/// the rule used, `Kazakhstan 2022, qualified majority [run under --rule
/// consensus]`, so that a what-if named after its rule does not claim a rule
/// it was not run under.
pub fn title_under(
    scenario: &crate::scenario::Scenario,
    rule: &crate::model::DecisionRule,
) -> String {
    if *rule == scenario.rule {
        scenario.name.clone()
    } else {
        format!("{} [run under --rule {rule}]", scenario.name)
    }
}

/// Where results for a scenario file go: its label (the file stem) and
/// `<out>/<file stem>/`. A stem that cannot name a folder (`..` from
/// `...toml`, say) is refused.
pub fn result_dir(out: &Path, file: &Path) -> Result<(String, PathBuf), JobError> {
    let stem = label_of(file);
    folder::check_name(&stem).map_err(|_| {
        JobError::input(format!(
            "`{}`: the results folder is named after the file, and `{stem}` cannot name a folder; rename the file",
            file.display()
        ))
    })?;
    Ok((stem.clone(), out.join(stem)))
}

/// Starts building the results folder `dir` (see [`folder`]): files go to a
/// private staging folder beside it until [`commit`].
pub(crate) fn stage(dir: &Path) -> Result<Staged, JobError> {
    let (parent, name) = split_dir(dir)?;
    Ok(Staged::begin(parent, &name)?)
}

/// Puts a staged folder in place, its CSV files in `dialect`; see
/// [`Replace`] and [`Dialect`].
pub(crate) fn commit(
    staged: Staged,
    replace: Replace,
    dialect: Dialect,
) -> Result<Committed, JobError> {
    Ok(staged.commit_in(replace, dialect)?)
}

pub(crate) fn split_dir(dir: &Path) -> Result<(&Path, String), JobError> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            JobError::input(format!("`{}` cannot name a results folder", dir.display()))
        })?;
    let parent = dir.parent().unwrap_or(Path::new(""));
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    Ok((parent, name))
}

/// "cannot write `DIR/NAME`", the context of a failed write.
pub(crate) fn cannot_write(dir: &Path, name: &str) -> String {
    format!("cannot write `{}`", dir.join(name).display())
}

/// The first error of several scenario files, or all of them.
pub(crate) fn scenario_errors(mut errors: Vec<ScenarioError>) -> Result<(), JobError> {
    match errors.len() {
        0 => Ok(()),
        1 => Err(errors.remove(0).into()),
        _ => Err(JobError::Scenarios(errors)),
    }
}
