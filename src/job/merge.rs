//! Merging the shards of a run or a sweep into the files one process writes,
//! byte for byte: `OUT/<stem>/` for a run, `OUT/<stem>-sweep/` for a sweep.
//! The scenario is rebuilt from the copies of its files stored in the shards,
//! so the merge needs neither the scenario files nor the folder the shards
//! ran in. A refused merge leaves nothing behind.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::run::RunJob;
use super::sweep::SweepJob;
use super::{sweep_files, IoContext, JobError, Origin};
use crate::model::DecisionRule;
use crate::output::dialect::Dialect;
use crate::output::folder::{Committed, Replace};
use crate::output::sweep::SweepWriter;
use crate::output::{manifest, Summary};
use crate::posterior::PosteriorRecord;
use crate::runner::Tally;
use crate::scenario::{self, Scenario, SourceFile};
use crate::shard::files::{self, Kind};
use crate::shard::merge::ShardSet;

/// What a merge wrote.
#[derive(Debug)]
pub enum Merged {
    /// The results of a run.
    Run {
        /// The run as the shards did it, with the folder written.
        job: Box<RunJob>,
        /// Its summary.
        summary: Summary,
        /// Shards merged.
        shards: u64,
        /// Where the results went.
        folder: Committed,
    },
    /// The results of a sweep.
    Sweep {
        /// The scenario's label.
        label: String,
        /// The folder written.
        dir: PathBuf,
        /// Points.
        points: u64,
        /// Runs per point.
        runs: u64,
        /// Shards merged.
        shards: u64,
        /// The posterior the shards drew from, if any.
        posterior: Option<PosteriorRecord>,
        /// Where the results went.
        folder: Committed,
    },
}

fn bad(message: impl Into<String>) -> JobError {
    JobError::input(message)
}

/// A field of the shards' identity, or a message that they are damaged.
fn field<'a>(set: &'a ShardSet, key: &str) -> Result<&'a Value, JobError> {
    set.first().identity.get(key).ok_or_else(|| {
        bad(format!(
            "the shard manifests lack `{key}`; they were not written by this version of alliance-sim"
        ))
    })
}

fn number(set: &ShardSet, key: &str) -> Result<u64, JobError> {
    field(set, key)?.as_u64().ok_or_else(|| {
        bad(format!(
            "the shard manifests' `{key}` is not a whole number"
        ))
    })
}

/// The posterior the shards drew from, as their identity records it, named
/// as shard 0 named it.
fn posterior_of(set: &ShardSet) -> Result<Option<PosteriorRecord>, JobError> {
    let first = set.first();
    let Some(id) = first.identity.get("posterior") else {
        return Ok(None);
    };
    let file = first.posterior_file.as_deref().unwrap_or("(unnamed)");
    PosteriorRecord::from_identity(id, file)
        .map(Some)
        .ok_or_else(|| bad("the shard manifests' posterior cannot be read; run the shards again"))
}

/// The scenario exactly as the shards simulated it.
fn scenario_of(set: &ShardSet) -> Result<Scenario, JobError> {
    let first = set.first();
    let mut sources = Vec::new();
    for f in &first.scenario_files {
        if files::sha256_hex(f.text.as_bytes()) != f.sha256 {
            return Err(bad(format!(
                "the copy of `{}` stored in the shards is damaged; run the shards again",
                f.path
            )));
        }
        sources.push(SourceFile {
            path: f.path.clone().into(),
            text: f.text.clone(),
        });
    }
    let s = scenario::load_stored(&sources)?;
    let (sha, _) = manifest::scenario_digest(&s);
    if Some(sha.as_str()) != field(set, "scenario_sha256")?.as_str() {
        return Err(bad(
            "the scenario stored in the shards does not match their scenario hash; run the shards again",
        ));
    }
    Ok(s)
}

/// Merges the shards at `dirs` (shard folders, or folders holding them) into
/// `out`, its CSV files in `dialect` (the shards' own are always in the
/// standard dialect); with `no_report`, without the charts and report.
pub fn merge(
    dirs: &[PathBuf],
    out: &Path,
    no_report: bool,
    replace: Replace,
    dialect: Dialect,
) -> Result<Merged, JobError> {
    let set = ShardSet::open(dirs).map_err(|e| bad(e.0))?;
    let first = set.first();
    if first.version != env!("CARGO_PKG_VERSION") {
        return Err(bad(format!(
            "the shards were written by alliance-sim {}, this is {}; merge with the version that wrote them",
            first.version,
            env!("CARGO_PKG_VERSION")
        )));
    }
    let scenario = scenario_of(&set)?;
    match first.kind {
        Kind::Run => merge_run(&set, scenario, out, no_report, replace, dialect),
        Kind::Sweep => merge_sweep(&set, scenario, out, no_report, replace, dialect),
    }
}

fn merge_run(
    set: &ShardSet,
    mut scenario: Scenario,
    out: &Path,
    no_report: bool,
    replace: Replace,
    dialect: Dialect,
) -> Result<Merged, JobError> {
    let first = set.first();
    let rule_text = field(set, "rule")?.as_str().unwrap_or_default();
    let rule: DecisionRule = rule_text
        .parse()
        .map_err(|_| bad(format!("the shards' rule `{rule_text}` is not a rule")))?;
    scenario.name = super::title_under(&scenario, &rule);
    let label = first.label.clone();
    let job = RunJob {
        file: first.scenario_files[0].path.clone().into(),
        dir: out.join(&label),
        label,
        rule,
        runs: number(set, "runs")?,
        seed: number(set, "seed")?,
        scenario,
        posterior: posterior_of(set)?,
        draws: None,
        replace,
        dialect,
    };
    if first.points != 1 || first.runs != job.runs {
        return Err(bad(
            "the shard manifests disagree with themselves (points or runs); run the shards again",
        ));
    }
    let per_run = field(set, "per_run")?.as_bool() == Some(true);
    let mut tally = Tally::new(job.scenario.members.len(), job.scenario.options.len());
    set.merge(
        job.scenario.members.len(),
        job.scenario.options.len(),
        &mut |_, t| {
            tally.merge(t);
            Ok(())
        },
    )
    .map_err(|e| bad(e.0))?;
    if tally.runs != job.runs {
        return Err(bad(format!(
            "the shards hold {} runs, not the {} they were split from; run them again",
            tally.runs, job.runs
        )));
    }
    // A refusal from here on drops the staging folder: nothing is left.
    let staged = super::stage(&job.dir)?;
    let runs_csv = if per_run {
        let mut f = staged
            .create("runs.csv")
            .context_io(|| job.cannot_write("runs.csv"))?;
        set.copy_runs_csv(&mut f).map_err(|e| bad(e.0))?;
        Some(f)
    } else {
        None
    };
    let summary = Summary::new(&tally);
    let shards = set.len() as u64;
    let folder = super::run_files::write_results(
        &job,
        &summary,
        staged,
        runs_csv,
        Origin::Shards(shards),
        no_report,
    )?;
    Ok(Merged::Run {
        job: Box::new(job),
        summary,
        shards,
        folder,
    })
}

fn merge_sweep(
    set: &ShardSet,
    scenario: Scenario,
    out: &Path,
    no_report: bool,
    replace: Replace,
    dialect: Dialect,
) -> Result<Merged, JobError> {
    let first = set.first();
    let label = first.label.clone();
    let identity = &first.identity;
    let dir = out.join(format!("{label}-sweep"));
    let mut p = SweepJob::from_identity(scenario, label, dir, identity, posterior_of(set)?)?;
    p.replace = replace;
    p.dialect = dialect;
    // The rebuilt plan must be the one the shards ran (rules compared as
    // rules: an older label such as `unanimity` is today's `consensus`).
    if p.shard_identity() != crate::shard::files::with_current_rule_labels(identity) {
        return Err(bad(
            "the sweep described in the shards cannot be rebuilt exactly; merge with the version of alliance-sim that wrote them",
        ));
    }
    if first.points != p.plan.len() as u64 || first.runs != p.plan.runs {
        return Err(bad(
            "the shard manifests disagree with themselves (points or runs); run the shards again",
        ));
    }
    // A refusal from here on drops the staging folder: nothing is left.
    let staged = super::stage(&p.dir)?;
    let mut writer = SweepWriter::create(staged.path(), &p.paths())
        .context_io(|| format!("cannot write in `{}`", p.dir.display()))?;
    let rows = sweep_files::PointRows::new(&p);
    let mut points = 0u64;
    let merged = set.merge(
        p.scenario.members.len(),
        p.scenario.options.len(),
        &mut |point, tally| {
            points += 1;
            sweep_files::write_point(&p, &rows, &mut writer, point as usize, tally)
        },
    );
    if let Err(e) = merged {
        return Err(bad(e.0));
    }
    if points != p.plan.len() as u64 {
        return Err(bad(format!(
            "the shards hold {points} points, not the {} of the sweep; run them again",
            p.plan.len()
        )));
    }
    let shards = set.len() as u64;
    let folder = sweep_files::finish_outputs(
        &p,
        writer,
        staged,
        identity,
        Origin::Shards(shards),
        no_report,
        super::Watch::default(),
    )?;
    Ok(Merged::Sweep {
        label: p.label,
        dir: folder.dir.clone(),
        points,
        runs: p.plan.runs,
        shards,
        posterior: p.posterior,
        folder,
    })
}
