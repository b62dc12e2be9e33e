//! `alliance-sim run FILE...`: simulate scenarios, print a summary, and write
//! `outcomes.csv`, `members.csv`, `manifest.json` (and `runs.csv`) per scenario,
//! with `outcomes.svg` and `report.html` unless `--no-report`; with `--shard`,
//! one shard's counts for `merge`.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use alliance_sim::job::run::{self, RunJob, RunSettings};
use alliance_sim::job::shard;
use alliance_sim::job::{Origin, Watch};
use alliance_sim::output::table::thousands;
use alliance_sim::shard::Shard;

use super::args::{PosteriorArg, RuleArg, RunsArg, ShardArgs, SimArgs};
use super::{job_error, progress};

/// Arguments of `run`.
#[derive(Debug, Args)]
#[command(after_help = "Results: OUT/<file stem>/ for each scenario.")]
pub struct RunArgs {
    /// Scenario files to run.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub runs: RunsArg,
    #[command(flatten)]
    pub sim: SimArgs,
    #[command(flatten)]
    pub rule: RuleArg,
    #[command(flatten)]
    pub posterior: PosteriorArg,
    /// Also write runs.csv, one row per run.
    #[arg(long)]
    pub per_run: bool,
    /// Do not write outcomes.svg and report.html.
    #[arg(long)]
    pub no_report: bool,
    #[command(flatten)]
    pub shard: ShardArgs,
}

impl RunArgs {
    fn settings(&self) -> RunSettings {
        RunSettings {
            files: self.files.clone(),
            runs: self.runs.runs,
            seed: self.sim.seed,
            rule: self.rule.rule,
            out: self.sim.out.clone(),
            per_run: self.per_run,
            posterior: self.posterior.posterior.clone(),
            replace: self.sim.replace(),
            dialect: self.sim.dialect(),
        }
    }
}

/// Runs every scenario named on the command line.
pub fn execute(args: &RunArgs) -> anyhow::Result<()> {
    let shard = args.shard.resolve()?;
    let jobs = run::prepare(&args.settings()).map_err(job_error)?;
    for job in &jobs {
        if let Some(draws) = &job.draws {
            super::note_skipped(&job.file, draws);
        }
    }
    super::catch_signals();
    let (pool, threads) = super::worker_pool(args.sim.threads)?;
    for (i, job) in jobs.iter().enumerate() {
        if i > 0 && shard.is_none() {
            super::console::out("\n")?;
        }
        match shard {
            Some(shard) => pool.install(|| run_shard(job, args, shard, threads))?,
            None => pool.install(|| run_one(job, args, threads))?,
        }
    }
    Ok(())
}

/// A progress bar over `count` runs, hidden for short jobs, which finish
/// before a bar would say anything useful.
fn runs_bar(count: u64, quiet: bool) -> indicatif::ProgressBar {
    progress::bar(count, 0, "runs", quiet || count < 1_000_000)
}

fn run_one(job: &RunJob, args: &RunArgs, threads: usize) -> anyhow::Result<()> {
    let bar = runs_bar(job.runs, args.sim.quiet);
    let started = Instant::now();
    let update = |done: u64| progress::update(&bar, done, 0, 1, started);
    let watch = Watch {
        progress: Some(&update),
        cancel: Some(&super::STOP),
    };
    let done = run::execute(
        job,
        args.per_run,
        args.no_report,
        Origin::Threads(threads),
        watch,
    );
    bar.finish_and_clear();
    let done = done.map_err(job_error)?;
    let rate = if done.seconds > 0.0 {
        job.runs as f64 / done.seconds
    } else {
        f64::INFINITY
    };
    super::print_results(
        job,
        &done.summary,
        &format!(
            "{} runs in {:.3} s ({} runs/s, {threads} thread{})",
            thousands(job.runs),
            done.seconds,
            if rate.is_finite() {
                thousands(rate as u64)
            } else {
                "-".into()
            },
            if threads == 1 { "" } else { "s" },
        ),
        &done.folder,
    )
}

fn run_shard(job: &RunJob, args: &RunArgs, shard: Shard, threads: usize) -> anyhow::Result<()> {
    let runs = job.shard_runs(shard);
    let bar = runs_bar(runs.end - runs.start, args.sim.quiet);
    let started = Instant::now();
    let update = |done: u64| progress::update(&bar, done, 0, 1, started);
    let watch = Watch {
        progress: Some(&update),
        cancel: Some(&super::STOP),
    };
    let done = shard::run_shard(job, &args.sim.out, args.per_run, shard, threads, watch);
    bar.finish_and_clear();
    let done = done.map_err(job_error)?;
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
    super::print_shard(&done, &what)
}
