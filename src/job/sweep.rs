//! A sweep of one scenario: its settings (from the command line and a sweep
//! file) checked into a [`SweepJob`], its identity (what makes two sweeps the
//! same, for resuming and for shards), and the one-process run that writes
//! `sweep_outcomes.csv`, `sweep_members.csv` and `manifest.json` to
//! `OUT/<stem>-sweep/`, point by point, resumable after an interruption.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::json;

use super::sweep_files::{self, OpenSweep};
use super::{IoContext, JobError, Origin, Watch};
use crate::model::DecisionRule;
use crate::output::dialect::Dialect;
use crate::output::folder::{Committed, Replace};
use crate::output::manifest;
use crate::posterior::{Applied, PosteriorRecord};
use crate::runner::Tally;
use crate::scenario::paths::ParamPath;
use crate::scenario::{self, limits::MAX_RUNS, Scenario};
use crate::sweep::spec::SweepFile;
use crate::sweep::{self, Design, Dimension, Finish, Plan, ValueSpec};
use crate::text;

/// How the points of a sweep are chosen, before the design is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DesignKind {
    /// Every combination of the values.
    Grid,
    /// A Latin hypercube sample (needs a number of samples).
    Lhs,
    /// One parameter at a time.
    Oat,
}

impl DesignKind {
    /// `grid`, `lhs` or `oat`, as a sweep file names it.
    pub fn parse(text: &str) -> Option<DesignKind> {
        match text {
            "grid" => Some(DesignKind::Grid),
            "lhs" => Some(DesignKind::Lhs),
            "oat" => Some(DesignKind::Oat),
            _ => None,
        }
    }
}

/// What `sweep` was asked to do; the command line's values come before the
/// sweep file's, which come before the scenario's.
#[derive(Debug, Clone, Default)]
pub struct SweepSettings {
    /// The scenario file.
    pub file: PathBuf,
    /// A sweep file (TOML), if any.
    pub sweep_file: Option<PathBuf>,
    /// `PATH=VALUES` texts, in order.
    pub vary: Vec<String>,
    /// Rule labels.
    pub rules: Vec<String>,
    /// The design.
    pub design: Option<DesignKind>,
    /// Points of a Latin hypercube.
    pub samples: Option<u64>,
    /// Runs per point.
    pub runs: Option<u64>,
    /// Master seed.
    pub seed: Option<u64>,
    /// Folder for results.
    pub out: PathBuf,
    /// A posterior sample every point draws its parameters from.
    pub posterior: Option<PathBuf>,
    /// When an existing results folder is replaced.
    pub replace: Replace,
    /// The spreadsheet dialect of the CSV files.
    pub dialect: Dialect,
}

/// A checked sweep, ready to run.
#[derive(Debug, Clone)]
pub struct SweepJob {
    /// The scenario as the file gives it.
    pub scenario: Scenario,
    /// The points.
    pub plan: Plan,
    /// The scenario's label (file stem).
    pub label: String,
    /// Where the results go.
    pub dir: PathBuf,
    /// The posterior the points draw from, as results record it (the draws
    /// themselves are in the plan, except in a merge).
    pub posterior: Option<PosteriorRecord>,
    /// When an existing results folder is replaced.
    pub replace: Replace,
    /// The spreadsheet dialect of the CSV files.
    pub dialect: Dialect,
}

/// A finished one-process sweep.
#[derive(Debug, Clone)]
pub struct SweepDone {
    /// Points of the sweep.
    pub points: usize,
    /// Points evaluated by this process (fewer after a resume).
    pub evaluated: usize,
    /// Seconds spent.
    pub seconds: f64,
    /// Where the results went.
    pub folder: Committed,
}

fn bad(message: impl Into<String>) -> JobError {
    JobError::input(message)
}

fn with_help(message: String, help: Option<String>) -> String {
    match help {
        Some(h) => format!("{message}\n  help: {h}"),
        None => message,
    }
}

/// One dimension of the sweep, checked: the path, the values as written,
/// and every value (or a range's ends) inside the parameter's range.
/// `origin` names where it was given, `--vary` or a sweep file's
/// `[vary]`, and starts every message about it.
fn dimension(
    scenario: &Scenario,
    path: &str,
    spec: Result<ValueSpec, String>,
    origin: &str,
) -> Result<Dimension, JobError> {
    let path = ParamPath::parse(scenario, path.trim())
        .map_err(|e| bad(with_help(format!("{origin}: {}", e.message), e.help)))?;
    let spec = spec.map_err(|e| bad(format!("{origin}: `{path}`: {e}")))?;
    let values = match spec {
        ValueSpec::Range { lo, hi } => vec![lo, hi],
        ref written => written
            .values()
            .map_err(|e| bad(format!("{origin}: `{path}`: {e}")))?,
    };
    let range = path.range();
    if let Some(v) = values.iter().find(|v| !range.contains(**v)) {
        return Err(bad(format!(
            "{origin}: {} is outside the range {range} of `{path}`",
            text::num(*v)
        )));
    }
    Ok(Dimension { path, spec })
}

fn parse_rules(texts: &[String]) -> Result<Vec<DecisionRule>, JobError> {
    texts
        .iter()
        .map(|t| {
            t.trim()
                .parse::<DecisionRule>()
                .map_err(|e| bad(with_help(e.message, e.help)))
        })
        .collect()
}

impl SweepJob {
    /// Loads the scenario and the sweep file and checks the design, rules,
    /// runs and seed.
    pub fn prepare(settings: &SweepSettings) -> Result<SweepJob, JobError> {
        let posterior = super::run::read_posterior(settings.posterior.as_deref())?;
        let scenario = scenario::load(&settings.file)?;
        let file = match &settings.sweep_file {
            Some(p) => SweepFile::read(p).map_err(bad)?,
            None => SweepFile::default(),
        };
        let sweep = file.sweep.unwrap_or_default();

        let mut dimensions = Vec::new();
        for (path, v) in file.vary.iter().flatten() {
            let origin = format!(
                "{}: [vary]",
                settings
                    .sweep_file
                    .as_deref()
                    .unwrap_or(Path::new(""))
                    .display()
            );
            dimensions.push(dimension(&scenario, path, v.spec(), &origin)?);
        }
        for vary in &settings.vary {
            let Some((path, values)) = vary.split_once('=') else {
                return Err(bad(format!(
                    "--vary `{}`: write PATH=VALUES, e.g. crisis.severity=0:1:11",
                    text::excerpt(vary)
                )));
            };
            dimensions.push(dimension(
                &scenario,
                path,
                ValueSpec::parse(values),
                "--vary",
            )?);
        }

        let kind = match (settings.design, sweep.design.as_deref()) {
            (Some(d), _) => d,
            (None, Some(text)) => DesignKind::parse(text).ok_or_else(|| {
                bad(with_help(
                    format!("unknown design `{text}` in the sweep file"),
                    scenario::suggest::hint(text, ["grid", "lhs", "oat"]),
                ))
            })?,
            (None, None) => DesignKind::Grid,
        };
        let samples = settings.samples.or(sweep.samples);
        let design = match (kind, samples) {
            (DesignKind::Lhs, Some(n)) if n >= 1 && n as usize <= sweep::MAX_POINTS => {
                Design::LatinHypercube {
                    samples: n as usize,
                }
            }
            (DesignKind::Lhs, Some(n)) => {
                return Err(bad(format!(
                    "--samples {n}: a Latin hypercube takes from 1 to {} samples",
                    sweep::MAX_POINTS
                )))
            }
            (DesignKind::Lhs, None) => {
                return Err(bad("--design lhs needs --samples N, the number of points"))
            }
            (_, Some(_)) => return Err(bad("--samples applies only to --design lhs")),
            (DesignKind::Grid, None) => Design::Grid,
            (DesignKind::Oat, None) => Design::OneAtATime,
        };

        let rules = if !settings.rules.is_empty() {
            parse_rules(&settings.rules)?
        } else if let Some(r) = &sweep.rules {
            parse_rules(r)?
        } else {
            vec![scenario.rule]
        };
        if dimensions.is_empty() && rules.len() < 2 {
            return Err(bad(
                "nothing to sweep: give --vary PATH=VALUES (see `alliance-sim params FILE` for the paths), or --rules with two or more rules",
            ));
        }
        let runs = settings
            .runs
            .or(sweep.runs)
            .unwrap_or(scenario.montecarlo.runs);
        if runs == 0 || runs > MAX_RUNS {
            return Err(bad(format!("runs must be from 1 to {MAX_RUNS}")));
        }
        let seed = settings
            .seed
            .or(sweep.seed)
            .unwrap_or(scenario.montecarlo.seed);
        let mut plan = Plan::new(&scenario, dimensions, design, rules, runs, seed)
            .map_err(|e| bad(format!("{}: {}", settings.file.display(), e.0)))?;
        let mut record = None;
        if let Some(p) = &posterior {
            let applied = Applied::new(p, &scenario, &settings.file)?;
            record = Some(applied.record());
            plan = plan
                .with_posterior(applied)
                .map_err(|e| bad(format!("{}: {}", settings.file.display(), e.0)))?;
        }
        let (label, _) = super::result_dir(&settings.out, &settings.file)?;
        let dir = settings.out.join(format!("{label}-sweep"));
        Ok(SweepJob {
            scenario,
            plan,
            label,
            dir,
            posterior: record,
            replace: settings.replace,
            dialect: settings.dialect,
        })
    }

    /// What makes two sweeps the same: a resumed sweep, and every shard of
    /// one sweep, must match it exactly.
    pub fn identity(&self) -> serde_json::Value {
        let (sha, _) = manifest::scenario_digest(&self.scenario);
        let plan = &self.plan;
        let mut id = json!({
            "tool_version": env!("CARGO_PKG_VERSION"),
            "scenario_sha256": sha,
            "design": plan.design.name(),
            "samples": match plan.design { Design::LatinHypercube { samples } => Some(samples), _ => None },
            "dimensions": plan.dimensions.iter().map(|d| json!({
                "path": d.path.as_str(),
                "values": d.spec.to_string(),
            })).collect::<Vec<_>>(),
            "rules": plan.rules.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
            "runs": plan.runs,
            "seed": plan.seed,
            "points": plan.len(),
        });
        if let Some(p) = &self.posterior {
            id["posterior"] = p.identity();
        }
        id
    }

    /// The sweep an identity describes (the inverse of [`SweepJob::identity`]),
    /// for merging the shards of a sweep into `dir`; `posterior` is the record
    /// of the posterior the shards drew from (there are no draws to simulate).
    pub fn from_identity(
        scenario: Scenario,
        label: String,
        dir: PathBuf,
        id: &serde_json::Value,
        posterior: Option<PosteriorRecord>,
    ) -> Result<SweepJob, JobError> {
        let damaged = |what: &str| bad(format!("the shard manifests' sweep {what} cannot be read"));
        let design = match (id["design"].as_str(), id["samples"].as_u64()) {
            (Some("grid"), None) => Design::Grid,
            (Some("oat"), None) => Design::OneAtATime,
            (Some("lhs"), Some(n)) => Design::LatinHypercube {
                samples: n as usize,
            },
            _ => return Err(damaged("design")),
        };
        let mut dimensions = Vec::new();
        for d in id["dimensions"]
            .as_array()
            .ok_or_else(|| damaged("dimensions"))?
        {
            let (Some(path), Some(values)) = (d["path"].as_str(), d["values"].as_str()) else {
                return Err(damaged("dimensions"));
            };
            dimensions.push(dimension(
                &scenario,
                path,
                ValueSpec::parse(values),
                "the shard manifests' sweep",
            )?);
        }
        let rules: Vec<String> = id["rules"]
            .as_array()
            .ok_or_else(|| damaged("rules"))?
            .iter()
            .map(|r| {
                r.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| damaged("rules"))
            })
            .collect::<Result<_, _>>()?;
        let rules = parse_rules(&rules)?;
        let (Some(runs), Some(seed)) = (id["runs"].as_u64(), id["seed"].as_u64()) else {
            return Err(damaged("runs and seed"));
        };
        let plan =
            Plan::new(&scenario, dimensions, design, rules, runs, seed).map_err(|e| bad(e.0))?;
        Ok(SweepJob {
            scenario,
            plan,
            label,
            dir,
            posterior,
            replace: Replace::IfSame,
            dialect: Dialect::Standard,
        })
    }

    /// The varied paths, in column order.
    pub fn paths(&self) -> Vec<String> {
        self.plan
            .dimensions
            .iter()
            .map(|d| d.path.as_str().to_string())
            .collect()
    }

    /// Starts the sweep's files afresh, or with `resume`, reopens those of an
    /// interrupted sweep with the same identity; says which point is next.
    pub fn open(&self, resume: bool) -> Result<OpenSweep, JobError> {
        sweep_files::open(self, resume)
    }

    /// Evaluates the points from `open.start` on the current pool, writing
    /// each as it finishes, then the charts, report and manifest. `watch`
    /// hears the points done (counted from the start of the sweep); a
    /// cancelled sweep keeps its finished points for a resume.
    pub fn run(
        &self,
        open: OpenSweep,
        origin: Origin,
        no_report: bool,
        watch: Watch,
    ) -> Result<SweepDone, JobError> {
        let OpenSweep {
            mut writer,
            start,
            identity,
            work,
        } = open;
        let started = Instant::now();
        let rows = sweep_files::PointRows::new(self);
        // Each point's rows are made on the worker that evaluated it; this
        // thread only writes them, in point order.
        let fill = |i: usize, tally: Tally, bytes: &mut sweep_files::RowBytes| {
            rows.fill(self, i, &tally, bytes);
            Ok(())
        };
        let mut sink = |_: usize, bytes: &sweep_files::RowBytes| {
            writer.write_rows(&bytes.outcomes, &bytes.members)
        };
        let progress = watch.progress.map(|p| move |done: usize| p(done as u64));
        let finish = sweep::run_into(
            &self.plan,
            &self.scenario,
            start,
            &fill,
            &mut sink,
            progress.as_ref().map(|p| p as &dyn Fn(usize)),
            watch.cancel,
        )
        .context_io(|| format!("cannot write the results in `{}`", work.path().display()))?;
        let total = self.plan.len();
        match finish {
            Finish::Interrupted { done } => {
                writer
                    .flush()
                    .context_io(|| "cannot save the finished points".into())?;
                Err(JobError::Interrupted(format!(
                    "interrupted after {done} of {total} points; the finished points are kept in {}; run the same command with --resume to continue",
                    work.path().display()
                )))
            }
            Finish::Complete => {
                let seconds = started.elapsed().as_secs_f64();
                let folder = sweep_files::finish_outputs(
                    self, writer, work, &identity, origin, no_report, watch,
                )?;
                Ok(SweepDone {
                    points: total,
                    evaluated: total - start,
                    seconds,
                    folder,
                })
            }
        }
    }
}
