//! `alliance-sim merge DIR... --out OUT`: combine the shards of a run or a
//! sweep into the files one process writes, byte for byte: `OUT/<stem>/` for
//! a run, `OUT/<stem>-sweep/` for a sweep, as `run --out OUT` and
//! `sweep --out OUT` would. The scenario is rebuilt from the copies of its
//! files stored in the shards, so the merge needs neither the scenario files
//! nor the folder the shards ran in.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use serde_json::Value;

use alliance_sim::model::DecisionRule;
use alliance_sim::output::atomic::{self, AtomicFile};
use alliance_sim::output::sweep::SweepWriter;
use alliance_sim::output::table::thousands;
use alliance_sim::output::{manifest, Summary};
use alliance_sim::runner::Tally;
use alliance_sim::scenario::{self, Scenario, SourceFile};
use alliance_sim::shard::files::{self, Kind};
use alliance_sim::shard::merge::ShardSet;

use super::run::Job;
use super::sweep::Prepared;
use super::{BadInput, Origin};

/// Arguments of `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders written by `run --shard` or `sweep --shard`, or folders
    /// holding them.
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Folder for results, as `--out` of run and sweep: a run's files go to
    /// OUT/<stem>/, a sweep's to OUT/<stem>-sweep/.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// No summary table.
    #[arg(long, short)]
    pub quiet: bool,
    /// Do not write the charts and report.html.
    #[arg(long)]
    pub no_report: bool,
}

fn bad(message: impl Into<String>) -> anyhow::Error {
    BadInput(message.into()).into()
}

/// A field of the shards' identity, or a message that they are damaged.
fn field<'a>(set: &'a ShardSet, key: &str) -> anyhow::Result<&'a Value> {
    set.first().identity.get(key).ok_or_else(|| {
        bad(format!(
            "the shard manifests lack `{key}`; they were not written by this version of alliance-sim"
        ))
    })
}

fn number(set: &ShardSet, key: &str) -> anyhow::Result<u64> {
    field(set, key)?.as_u64().ok_or_else(|| {
        bad(format!(
            "the shard manifests' `{key}` is not a whole number"
        ))
    })
}

/// The scenario exactly as the shards simulated it.
fn scenario_of(set: &ShardSet) -> anyhow::Result<Scenario> {
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

/// Merges the shards named on the command line.
pub fn execute(args: &MergeArgs) -> anyhow::Result<()> {
    let set = ShardSet::open(&args.dirs).map_err(|e| bad(e.0))?;
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
        Kind::Run => merge_run(&set, scenario, args),
        Kind::Sweep => merge_sweep(&set, scenario, args),
    }
}

fn merge_run(set: &ShardSet, scenario: Scenario, args: &MergeArgs) -> anyhow::Result<()> {
    let first = set.first();
    let rule_text = field(set, "rule")?.as_str().unwrap_or_default();
    let rule: DecisionRule = rule_text
        .parse()
        .map_err(|_| bad(format!("the shards' rule `{rule_text}` is not a rule")))?;
    let label = first.label.clone();
    let job = Job {
        file: first.scenario_files[0].path.clone().into(),
        dir: args.out.join(&label),
        label,
        rule,
        runs: number(set, "runs")?,
        seed: number(set, "seed")?,
        scenario,
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
    let created = make_dir(&job.dir)?;
    let runs_csv = if per_run {
        let mut f = AtomicFile::create(&job.dir.join("runs.csv"))
            .with_context(|| job.cannot_write("runs.csv"))?;
        if let Err(e) = set.copy_runs_csv(&mut f) {
            drop(f);
            undo_dir(&created);
            return Err(bad(e.0));
        }
        Some(f)
    } else {
        None
    };
    let summary = Summary::new(&tally);
    let shards = set.len() as u64;
    super::run::write_results(
        &job,
        &summary,
        runs_csv,
        Origin::Shards(shards),
        args.no_report,
    )?;
    let how = format!(
        "merged {shards} shard{} of {} runs",
        if shards == 1 { "" } else { "s" },
        thousands(job.runs)
    );
    if args.quiet {
        writeln!(
            std::io::stdout(),
            "{}: {how}; results in {}/",
            job.label,
            job.dir.display()
        )?;
        Ok(())
    } else {
        super::run::print_results(&job, &summary, &how)
    }
}

fn merge_sweep(set: &ShardSet, scenario: Scenario, args: &MergeArgs) -> anyhow::Result<()> {
    let first = set.first();
    let label = first.label.clone();
    let identity = &first.identity;
    let plan = super::sweep::plan_from_identity(&scenario, identity)?;
    let p = Prepared {
        dir: args.out.join(format!("{label}-sweep")),
        label,
        scenario,
        plan,
    };
    // The rebuilt plan must be the one the shards ran.
    let mut rebuilt = super::sweep::identity(&p);
    rebuilt["kind"] = Value::from("sweep");
    rebuilt["label"] = Value::from(p.label.clone());
    if &rebuilt != identity {
        return Err(bad(
            "the sweep described in the shards cannot be rebuilt exactly; merge with the version of alliance-sim that wrote them",
        ));
    }
    if first.points != p.plan.len() as u64 || first.runs != p.plan.runs {
        return Err(bad(
            "the shard manifests disagree with themselves (points or runs); run the shards again",
        ));
    }
    let created = make_dir(&p.dir)?;
    let paths: Vec<String> = p
        .plan
        .dimensions
        .iter()
        .map(|d| d.path.as_str().to_string())
        .collect();
    let mut writer = SweepWriter::create(&p.dir, &paths)
        .with_context(|| format!("cannot write in `{}`", p.dir.display()))?;
    let baseline = super::sweep::baseline(&p);
    let mut points = 0u64;
    let merged = set.merge(
        p.scenario.members.len(),
        p.scenario.options.len(),
        &mut |point, tally| {
            points += 1;
            super::sweep::write_point(&p, &baseline, &mut writer, point as usize, tally)
        },
    );
    if let Err(e) = merged {
        writer.discard();
        undo_dir(&created);
        return Err(bad(e.0));
    }
    if points != p.plan.len() as u64 {
        writer.discard();
        undo_dir(&created);
        return Err(bad(format!(
            "the shards hold {points} points, not the {} of the sweep; run them again",
            p.plan.len()
        )));
    }
    let shards = set.len() as u64;
    super::sweep::finish_outputs(&p, writer, identity, Origin::Shards(shards), args.no_report)?;
    writeln!(
        std::io::stdout(),
        "{}: merged {shards} shard{} of {} points x {} runs; results in {}/",
        p.label,
        if shards == 1 { "" } else { "s" },
        thousands(points),
        thousands(p.plan.runs),
        p.dir.display()
    )?;
    Ok(())
}

/// Creates `dir` (and clears temporary files of a killed writer); returns
/// the folders this created, deepest first.
fn make_dir(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let created: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
        .map(Path::to_path_buf)
        .collect();
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the output folder `{}`", dir.display()))?;
    atomic::remove_stale_temps(dir);
    Ok(created)
}

/// After a refused merge: removes the folders this merge created, so that a
/// refusal leaves nothing behind.
fn undo_dir(created: &[PathBuf]) {
    for d in created {
        // Only an empty folder is removed; anything else stays.
        let _ = std::fs::remove_dir(d);
    }
}
