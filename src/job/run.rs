//! A run of one scenario: prepared from the files and settings, simulated,
//! and written to `OUT/<stem>/` as `outcomes.csv`, `members.csv`,
//! `manifest.json`, with `runs.csv` (per run) and `outcomes.svg` and
//! `report.html` (unless the report is turned off). Every file is written
//! under a temporary name and renamed into place when all are ready.

use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::{cannot_write, create_dir, IoContext, JobError, Origin, Watch};
use crate::model::DecisionRule;
use crate::output::atomic::{self, AtomicFile};
use crate::output::charts;
use crate::output::report::{self, Section};
use crate::output::table::thousands;
use crate::output::{csv, manifest, Manifest, Summary};
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
}

/// A finished run: its summary and how long the simulation took.
#[derive(Debug, Clone)]
pub struct RunDone {
    /// What the runs decided.
    pub summary: Summary,
    /// Seconds spent simulating (writing the files not included).
    pub seconds: f64,
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
            Ok(s) => {
                let (label, dir) = super::result_dir(&settings.out, file);
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
    create_dir(&job.dir)?;
    atomic::remove_stale_temps(&job.dir);
    let runs_file = if per_run {
        let path = job.dir.join("runs.csv");
        Some(AtomicFile::create(&path).context_io(|| job.cannot_write("runs.csv"))?)
    } else {
        None
    };
    let started = Instant::now();
    let (tally, runs_file) = simulate(job, 0..job.runs, runs_file, watch)?;
    let seconds = started.elapsed().as_secs_f64();
    let summary = Summary::new(&tally);
    write_results(job, &summary, runs_file, origin, no_report)?;
    Ok(RunDone { summary, seconds })
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

/// Writes a job's result files from its summary: outcomes.csv, members.csv,
/// `runs_csv` as runs.csv if given, the chart and report unless `no_report`,
/// and manifest.json. Everything is written under temporary names first and
/// renamed one after another, the manifest last: the folder never mixes old
/// and new results.
pub fn write_results(
    job: &RunJob,
    summary: &Summary,
    runs_csv: Option<AtomicFile>,
    origin: Origin,
    no_report: bool,
) -> Result<(), JobError> {
    create_dir(&job.dir)?;
    let rule = job.rule.to_string();
    let per_run = runs_csv.is_some();
    let mut files = vec!["outcomes.csv".to_string(), "members.csv".to_string()];
    let mut finished = Vec::new();
    if let Some(f) = runs_csv {
        finished.push(("runs.csv", f));
        files.push("runs.csv".into());
    }
    let mut outcomes_csv = Vec::new();
    csv::outcomes(&mut outcomes_csv, &job.label, &rule, &job.scenario, summary)
        .context_io(|| job.cannot_write("outcomes.csv"))?;
    let mut members_csv = Vec::new();
    csv::members(&mut members_csv, &job.label, &rule, &job.scenario, summary)
        .context_io(|| job.cannot_write("members.csv"))?;
    let mut pending = vec![
        ("outcomes.csv", outcomes_csv.clone()),
        ("members.csv", members_csv.clone()),
    ];
    if !no_report {
        files.push("outcomes.svg".into());
        files.push("report.html".into());
    }
    let m = manifest(job, origin, files);
    let manifest_json = m.to_json();
    if !no_report {
        let svg = outcomes_chart(job, &rule, summary);
        let html = run_report(
            job,
            &rule,
            &svg,
            &outcomes_csv,
            &members_csv,
            &manifest_json,
        );
        pending.push(("outcomes.svg", svg.into_bytes()));
        pending.push(("report.html", html.into_bytes()));
    }
    pending.push(("manifest.json", manifest_json.into_bytes()));
    for (name, bytes) in pending {
        let mut f =
            AtomicFile::create(&job.dir.join(name)).context_io(|| job.cannot_write(name))?;
        f.write_all(&bytes).context_io(|| job.cannot_write(name))?;
        finished.push((name, f));
    }
    for (name, f) in finished {
        f.commit().context_io(|| job.cannot_write(name))?;
    }
    // Files of an earlier run that would not match the new results.
    let mut outdated = Vec::new();
    if no_report {
        outdated.extend(["outcomes.svg", "report.html"]);
    }
    if !per_run {
        outdated.push("runs.csv");
    }
    for name in outdated {
        let path = job.dir.join(name);
        if path.exists() {
            std::fs::remove_file(&path)
                .context_io(|| format!("cannot remove the outdated `{}`", path.display()))?;
        }
    }
    Ok(())
}

/// The manifest of a run's results.
fn manifest(job: &RunJob, origin: Origin, files: Vec<String>) -> Manifest {
    let (scenario_sha256, scenario_files) = manifest::scenario_digest(&job.scenario);
    let (threads, shards) = match origin {
        Origin::Threads(t) => (Some(t), None),
        Origin::Shards(n) => (None, Some(n)),
    };
    Manifest {
        tool: "alliance-sim".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: std::env::args().collect(),
        scenario: job.label.clone(),
        scenario_name: job.scenario.name.clone(),
        scenario_sha256,
        scenario_files,
        rule: job.rule.to_string(),
        seed: job.seed,
        runs: job.runs,
        noise: job.scenario.montecarlo.noise,
        abstention_band: job.scenario.abstention_band,
        posterior: job.posterior.as_ref().map(PosteriorRecord::to_json),
        threads,
        shards,
        generator: "ChaCha8Rng::seed_from_u64(seed), stream = run index".into(),
        files,
    }
}

/// The outcome distribution with its intervals.
fn outcomes_chart(job: &RunJob, rule: &str, summary: &Summary) -> String {
    let options: Vec<String> = job.scenario.options.iter().map(|o| o.id.clone()).collect();
    let get = |f: fn(&crate::output::summary::Share) -> f64| -> Vec<f64> {
        summary.outcomes.iter().map(f).collect()
    };
    charts::outcome_bars(
        &format!(
            "{}: outcomes ({rule}, {} runs)",
            job.scenario.name,
            thousands(job.runs)
        ),
        &options,
        &get(|s| s.probability),
        &get(|s| s.ci_low),
        &get(|s| s.ci_high),
    )
}

/// `report.html` of a run.
fn run_report(
    job: &RunJob,
    rule: &str,
    svg: &str,
    outcomes_csv: &[u8],
    members_csv: &[u8],
    manifest_json: &str,
) -> String {
    let requested = job
        .scenario
        .options
        .get(job.scenario.crisis.requested)
        .map(|o| o.id.as_str())
        .unwrap_or("");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let sections = [
        Section {
            heading: "Summary".into(),
            body_html: report::p_html(&format!(
                "Scenario {} ({}), rule {rule}, {} runs, seed {}; requested: {requested}.{}",
                job.scenario.name,
                job.label,
                thousands(job.runs),
                job.seed,
                job.posterior
                    .as_ref()
                    .map_or(String::new(), |p| format!(" {}", p.sentence()))
            )),
        },
        Section {
            heading: "Outcomes".into(),
            body_html: report::svg_html(svg) + &report::csv_table_html(&text(outcomes_csv)),
        },
        Section {
            heading: format!("Votes on the requested option ({requested})"),
            body_html: report::csv_table_html(&text(members_csv)),
        },
        Section {
            heading: "Scenario".into(),
            body_html: report::sources_html(&job.scenario.sources),
        },
        Section {
            heading: "Manifest".into(),
            body_html: report::pre_html(manifest_json),
        },
    ];
    report::report_html(
        &format!("{} ({}): results", job.scenario.name, job.label),
        &sections,
    )
}
