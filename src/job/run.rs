//! A run of one scenario: prepared from the files and settings (and a
//! posterior, if given), simulated on the current pool, and written to
//! `OUT/<stem>/` by [`super::run_files`].

use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::{cannot_write, IoContext, JobError, Origin, Watch};
use crate::model::DecisionRule;
use crate::output::dialect::Dialect;
use crate::output::folder::{Committed, Replace};
use crate::output::table::thousands;
use crate::output::{csv, Summary};
use crate::posterior::{self, Applied, Posterior, PosteriorRecord};
use crate::runner::{Observers, RunRecord, Tally};
use crate::scenario::{self, Scenario};

/// Most runs `--per-run` will write, one line each.
pub const MAX_PER_RUN_ROWS: u64 = 10_000_000;

/// What `run` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct RunSettings {
    /// Scenario files, in order.
    pub files: Vec<PathBuf>,
    /// Runs instead of each scenario's.
    pub runs: Option<u64>,
    /// Master seed instead of each scenario's.
    pub seed: Option<u64>,
    /// Decision rule instead of each scenario's.
    pub rule: Option<DecisionRule>,
    /// Folder for results.
    pub out: PathBuf,
    /// Whether `runs.csv` is written.
    pub per_run: bool,
    /// A posterior sample to draw each run's parameters from.
    pub posterior: Option<PathBuf>,
    /// When an existing results folder is replaced.
    pub replace: Replace,
    /// The spreadsheet dialect of the CSV files.
    pub dialect: Dialect,
}

/// One scenario, checked and ready to run.
#[derive(Debug, Clone)]
pub struct RunJob {
    /// The scenario file as named.
    pub file: PathBuf,
    /// Its label (file stem): the CSV `scenario` column and the folder name.
    pub label: String,
    /// Where its results go.
    pub dir: PathBuf,
    /// The checked scenario.
    pub scenario: Scenario,
    /// The decision rule.
    pub rule: DecisionRule,
    /// Runs.
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
    /// The posterior the runs draw their parameters from, as results record
    /// it (also for a merge, which has no draws to simulate).
    pub posterior: Option<PosteriorRecord>,
    /// The posterior's draws applied to the scenario, when this process
    /// simulates it.
    pub draws: Option<Applied>,
    /// When an existing results folder is replaced.
    pub replace: Replace,
    /// The spreadsheet dialect of the CSV files.
    pub dialect: Dialect,
}

/// A finished run: its summary and how long the simulation took.
#[derive(Debug, Clone)]
pub struct RunDone {
    /// What the runs decided.
    pub summary: Summary,
    /// Seconds spent simulating (writing the files not included).
    pub seconds: f64,
    /// Where the results went.
    pub folder: Committed,
}

impl RunJob {
    /// Context for a failed write of `name` in the job's folder.
    pub fn cannot_write(&self, name: &str) -> String {
        cannot_write(&self.dir, name)
    }
}

/// Loads and checks every file and setting before any run starts. Scenario
/// files that cannot be used are all reported, in order.
pub fn prepare(settings: &RunSettings) -> Result<Vec<RunJob>, JobError> {
    let posterior = read_posterior(settings.posterior.as_deref())?;
    let mut jobs: Vec<RunJob> = Vec::new();
    let mut errors = Vec::new();
    for file in &settings.files {
        match scenario::load(file) {
            Ok(mut s) => {
                let (label, dir) = super::result_dir(&settings.out, file)?;
                if let Some(other) = jobs.iter().find(|j| j.label == label) {
                    return Err(JobError::input(format!(
                        "`{}` and `{}` would both write to `{}`; run them separately with different --out folders",
                        other.file.display(),
                        file.display(),
                        dir.display()
                    )));
                }
                let runs = settings.runs.unwrap_or(s.montecarlo.runs);
                if settings.per_run && runs > MAX_PER_RUN_ROWS {
                    return Err(JobError::input(format!(
                        "{}: --per-run writes one row per run; {} runs is more than the {} allowed",
                        file.display(),
                        thousands(runs),
                        thousands(MAX_PER_RUN_ROWS)
                    )));
                }
                let rule = settings.rule.unwrap_or(s.rule);
                check_rule(file, &s, rule)?;
                s.name = super::title_under(&s, &rule);
                let draws = match &posterior {
                    Some(p) => Some(Applied::new(p, &s, file)?),
                    None => None,
                };
                jobs.push(RunJob {
                    posterior: draws.as_ref().map(Applied::record),
                    draws,
                    file: file.clone(),
                    label,
                    dir,
                    runs,
                    seed: settings.seed.unwrap_or(s.montecarlo.seed),
                    rule,
                    scenario: s,
                    replace: settings.replace,
                    dialect: settings.dialect,
                });
            }
            Err(e) => errors.push(e),
        }
    }
    super::scenario_errors(errors)?;
    Ok(jobs)
}

/// Reads the posterior file, if one is named.
pub fn read_posterior(file: Option<&Path>) -> Result<Option<Arc<Posterior>>, JobError> {
    Ok(match file {
        Some(f) => Some(Arc::new(Posterior::read(f)?)),
        None => None,
    })
}

/// Refuses a rule the scenario cannot be run under.
pub fn check_rule(file: &Path, s: &Scenario, rule: DecisionRule) -> Result<(), JobError> {
    if matches!(rule, DecisionRule::HegemonMajority) && s.alliance.hegemon.is_none() {
        return Err(JobError::input(format!(
            "{}: the hegemon_majority rule needs `alliance.hegemon`, which this scenario does not name",
            file.display()
        )));
    }
    if let Some(e) = s.rule_problem(&rule) {
        return Err(JobError::input(e.to_string()));
    }
    Ok(())
}

/// Runs `job` whole on the current pool and writes its results; `watch`
/// hears the runs done.
pub fn execute(
    job: &RunJob,
    per_run: bool,
    no_report: bool,
    origin: Origin,
    watch: Watch,
) -> Result<RunDone, JobError> {
    let staged = super::stage(&job.dir)?;
    let runs_file = if per_run {
        Some(
            staged
                .create("runs.csv")
                .context_io(|| job.cannot_write("runs.csv"))?,
        )
    } else {
        None
    };
    let started = Instant::now();
    let (tally, runs_file) = simulate(job, 0..job.runs, runs_file, watch)?;
    let seconds = started.elapsed().as_secs_f64();
    let summary = Summary::new(&tally);
    let folder =
        super::run_files::write_results(job, &summary, staged, runs_file, origin, no_report)?;
    Ok(RunDone {
        summary,
        seconds,
        folder,
    })
}

/// Simulates runs `runs` of `job` on the current pool, writing their rows to
/// `runs_file` (header included) when given; returns the tally and the
/// unfinished file. A cancelled run drops the file and reports
/// [`JobError::Interrupted`].
pub fn simulate<W: Write>(
    job: &RunJob,
    runs: Range<u64>,
    runs_file: Option<W>,
    watch: Watch,
) -> Result<(Tally, Option<W>), JobError> {
    let models = posterior::models(&job.scenario, job.rule, job.draws.as_ref())?;
    let mut writer = match runs_file {
        Some(f) => Some(
            csv::RunsWriter::new(f, &job.scenario).context_io(|| job.cannot_write("runs.csv"))?,
        ),
        None => None,
    };
    let keep = writer.is_some();
    let mut sink = |records: &[RunRecord]| -> std::io::Result<()> {
        match writer.as_mut() {
            Some(w) => w.write(records),
            None => Ok(()),
        }
    };
    let observers = Observers {
        records: keep.then_some(&mut sink as &mut dyn FnMut(&[RunRecord]) -> std::io::Result<()>),
        progress: watch.progress.map(|p| p as &dyn Fn(u64)),
        cancel: watch.cancel,
    };
    let result = models.simulate(job.seed, runs, observers);
    match result {
        Ok(tally) => {
            let file = writer
                .map(|w| w.finish())
                .transpose()
                .context_io(|| job.cannot_write("runs.csv"))?;
            Ok((tally, file))
        }
        // Dropping the unfinished runs.csv removes its temporary file.
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
            Err(JobError::Interrupted(format!(
                "interrupted during {}; nothing was written for it",
                job.file.display()
            )))
        }
        Err(e) => Err(e).context_io(|| job.cannot_write("runs.csv")),
    }
}
