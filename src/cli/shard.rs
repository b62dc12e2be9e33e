//! `--shard K/N` of `run` and `sweep`: do one shard of the work and write its
//! counts to `OUT/<folder>.shard-K-of-N/` for `alliance-sim merge`.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use serde_json::json;

use alliance_sim::output::atomic::AtomicFile;
use alliance_sim::output::manifest;
use alliance_sim::output::table::thousands;
use alliance_sim::scenario::Scenario;
use alliance_sim::shard::files::{
    self, CountsWriter, Digesting, FileSummary, Kind, ShardManifest, StoredSource,
};
use alliance_sim::shard::Shard;
use alliance_sim::sweep::{self, Finish};

use super::run::{Job, RunArgs};
use super::sweep::{Prepared, SweepArgs};
use super::{BadInput, Interrupted};

fn stored_sources(scenario: &Scenario) -> Vec<StoredSource> {
    let (_, digests) = manifest::scenario_digest(scenario);
    digests
        .into_iter()
        .zip(&scenario.sources)
        .map(|(d, s)| StoredSource {
            path: d.path,
            sha256: d.sha256,
            text: s.text.clone(),
        })
        .collect()
}

/// What `write_shard` needs besides the files.
struct Finished<'a> {
    kind: Kind,
    label: &'a str,
    scenario: &'a Scenario,
    shard: Shard,
    points: u64,
    runs: u64,
    identity: serde_json::Value,
    threads: usize,
}

fn write_shard(
    dir: &Path,
    f: Finished,
    counts: CountsWriter,
    runs_csv: Option<(AtomicFile, FileSummary)>,
) -> anyhow::Result<()> {
    let (counts_file, counts_summary) = counts.finish();
    let work = f.shard.work(f.points.saturating_mul(f.runs));
    let mut pending = vec![counts_file];
    let runs_summary = runs_csv.map(|(file, summary)| {
        pending.push(file);
        summary
    });
    let m = ShardManifest {
        format: files::FORMAT.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: std::env::args().collect(),
        kind: f.kind,
        label: f.label.to_string(),
        shard: f.shard.index(),
        shards: f.shard.count(),
        points: f.points,
        runs: f.runs,
        work: [work.start, work.end],
        identity_sha256: files::identity_sha256(&f.identity),
        identity: f.identity,
        counts: counts_summary,
        runs_csv: runs_summary,
        scenario_files: stored_sources(f.scenario),
        threads: f.threads,
    };
    files::commit(dir, pending, &m).with_context(|| format!("cannot write in `{}`", dir.display()))
}

fn prepare(
    out: &Path,
    kind: Kind,
    label: &str,
    shard: Shard,
) -> anyhow::Result<std::path::PathBuf> {
    let dir = out.join(files::folder_name(kind, label, shard));
    files::prepare_dir(&dir)
        .with_context(|| format!("cannot prepare the shard folder `{}`", dir.display()))?;
    Ok(dir)
}

fn report(
    label: &str,
    shard: Shard,
    what: String,
    secs: f64,
    out: &Path,
    dir: &Path,
    kind: Kind,
) -> anyhow::Result<()> {
    let pattern = files::folder_pattern(kind, label, shard.count());
    let mut o = std::io::stdout().lock();
    writeln!(
        o,
        "{label}: shard {} of {}: {what} in {secs:.2} s; counts in {}/",
        shard.index(),
        shard.count(),
        dir.display()
    )?;
    let when = match shard.count() {
        1 => "to write the results".to_string(),
        n => format!("when all {n} shards are done"),
    };
    writeln!(
        o,
        "  {when}: alliance-sim merge {}",
        out.join(pattern).display()
    )?;
    Ok(())
}

/// `run --shard`: simulates this shard's runs of `job`.
pub(super) fn run_shard(
    job: &Job,
    args: &RunArgs,
    shard: Shard,
    threads: usize,
) -> anyhow::Result<()> {
    let dir = prepare(&args.sim.out, Kind::Run, &job.label, shard)?;
    let pieces = shard.pieces(1, job.runs);
    let runs = pieces.first().map_or(0..0, |p| p.runs.clone());
    let runs_file = if args.per_run {
        let path = dir.join(files::RUNS);
        let f = AtomicFile::create(&path)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        Some(Digesting::new(f))
    } else {
        None
    };
    let started = Instant::now();
    let (tally, runs_file) = super::run::simulate(job, runs.clone(), runs_file, args.sim.quiet)?;
    let mut counts = CountsWriter::create(&dir)
        .with_context(|| format!("cannot write in `{}`", dir.display()))?;
    for p in &pieces {
        counts
            .write(p, &tally)
            .with_context(|| format!("cannot write in `{}`", dir.display()))?;
    }
    let runs_csv = runs_file.map(|d| {
        let (file, sha256, lines) = d.finish();
        (
            file,
            FileSummary {
                file: files::RUNS.into(),
                lines,
                sha256,
            },
        )
    });
    let (sha, _) = manifest::scenario_digest(&job.scenario);
    let identity = json!({
        "kind": "run",
        "label": job.label,
        "tool_version": env!("CARGO_PKG_VERSION"),
        "scenario_sha256": sha,
        "rule": job.rule.to_string(),
        "runs": job.runs,
        "seed": job.seed,
        "per_run": args.per_run,
    });
    let finished = Finished {
        kind: Kind::Run,
        label: &job.label,
        scenario: &job.scenario,
        shard,
        points: 1,
        runs: job.runs,
        identity,
        threads,
    };
    write_shard(&dir, finished, counts, runs_csv)?;
    let what = if runs.is_empty() {
        format!(
            "no runs (more shards than the {} runs)",
            thousands(job.runs)
        )
    } else {
        format!(
            "runs {} to {} of {}",
            thousands(runs.start),
            thousands(runs.end - 1),
            thousands(job.runs)
        )
    };
    report(
        &job.label,
        shard,
        what,
        started.elapsed().as_secs_f64(),
        &args.sim.out,
        &dir,
        Kind::Run,
    )
}

/// `sweep --shard`: simulates this shard's pieces of the sweep.
pub(super) fn sweep_shard(
    p: &Prepared,
    args: &SweepArgs,
    shard: Shard,
    pool: &rayon::ThreadPool,
    threads: usize,
) -> anyhow::Result<()> {
    if args.resume {
        return Err(BadInput(
            "--resume does not apply to a shard: run the shard again; it starts afresh".into(),
        )
        .into());
    }
    super::catch_signals();
    let dir = prepare(&args.sim.out, Kind::Sweep, &p.label, shard)?;
    let points = p.plan.len() as u64;
    let pieces = shard.pieces(points, p.plan.runs);
    let mut counts = CountsWriter::create(&dir)
        .with_context(|| format!("cannot write in `{}`", dir.display()))?;
    let bar = super::progress::bar(pieces.len() as u64, 0, "points", args.sim.quiet);
    let started = Instant::now();
    let mut runs_done = 0u64;
    let mut sink = |j: usize, tally: &alliance_sim::runner::Tally| -> std::io::Result<()> {
        runs_done += tally.runs;
        counts.write(&pieces[j], tally)
    };
    let runs_per_piece = pieces
        .iter()
        .map(|q| q.runs.end - q.runs.start)
        .max()
        .unwrap_or(0);
    let progress =
        |done: usize| super::progress::update(&bar, done as u64, 0, runs_per_piece, started);
    let finish = pool
        .install(|| {
            sweep::run_pieces(
                &p.plan,
                &p.scenario,
                &pieces,
                &mut sink,
                Some(&progress),
                Some(&super::STOP),
            )
        })
        .with_context(|| format!("cannot write in `{}`", dir.display()))?;
    bar.finish_and_clear();
    if let Finish::Interrupted { .. } = finish {
        // Dropping the counts writer removes its temporary file.
        return Err(Interrupted(format!(
            "interrupted; nothing was written for shard {shard}: run it again"
        ))
        .into());
    }
    let mut identity = super::sweep::identity(p);
    identity["kind"] = json!("sweep");
    identity["label"] = json!(p.label);
    let finished = Finished {
        kind: Kind::Sweep,
        label: &p.label,
        scenario: &p.scenario,
        shard,
        points,
        runs: p.plan.runs,
        identity,
        threads,
    };
    write_shard(&dir, finished, counts, None)?;
    let what = match (pieces.first(), pieces.last()) {
        (Some(a), Some(b)) => format!(
            "{} runs of points {} to {} of {} ({} runs each)",
            thousands(runs_done),
            a.point,
            b.point,
            thousands(points),
            thousands(p.plan.runs)
        ),
        _ => format!(
            "nothing (more shards than the {} points × {} runs)",
            thousands(points),
            thousands(p.plan.runs)
        ),
    };
    report(
        &p.label,
        shard,
        what,
        started.elapsed().as_secs_f64(),
        &args.sim.out,
        &dir,
        Kind::Sweep,
    )
}
