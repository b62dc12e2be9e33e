//! `alliance-sim sweep FILE`: run a scenario over a design of parameter values
//! and decision rules; write `sweep_outcomes.csv`, `sweep_members.csv` and
//! `manifest.json` to `OUT/<stem>-sweep/`. Ctrl-C keeps the finished points;
//! `--resume` continues; `--shard` does one shard for `merge`.

use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, ValueEnum};

use alliance_sim::job::shard;
use alliance_sim::job::sweep::{DesignKind, SweepJob, SweepSettings};
use alliance_sim::job::{Origin, Watch};
use alliance_sim::output::table::thousands;
use alliance_sim::shard::Shard;

use super::args::{PosteriorArg, RunsArg, ShardArgs, SimArgs};
use super::{console, job_error, progress, BadInput};

/// The sweep designs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DesignName {
    /// Every combination of the values (Cartesian product).
    Grid,
    /// Latin hypercube sample over lo:hi ranges (needs --samples).
    Lhs,
    /// One parameter at a time around the scenario's values.
    Oat,
}

/// `--shard` as a sweep has it: its shard folders carry `-sweep` as its
/// results folder does (the shared text names a run's).
const SHARD_HELP: &str = "Do only shard K of N (K from 0) of the points x runs, and write its counts to OUT/<stem>-sweep.shard-K-of-N/ (K padded with zeros to the width of N-1) for `alliance-sim merge`. `auto` takes K and N from a Slurm job array (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with --shards N).";

/// Arguments of `sweep`.
#[derive(Debug, Args)]
#[command(
    mut_arg("shard", |a| a.help(SHARD_HELP)),
    after_help = "Results: OUT/<file stem>-sweep/. Each point is one simulation of --runs runs. Every point uses the same random numbers: run r at every point draws from the same stream of the seed (common random numbers). Without --runs or --seed, a sweep file's [sweep] runs and seed come before the scenario's."
)]
pub struct SweepArgs {
    /// Scenario file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// A parameter and its values: PATH=0.1,0.5,0.9 (a list), PATH=0:1:11
    /// (start:end:count) or, for --design lhs, PATH=0:1 (a range). Repeatable.
    /// `alliance-sim params FILE` lists the paths.
    #[arg(long, value_name = "PATH=VALUES")]
    pub vary: Vec<String>,
    /// Decision rules to compare, comma-separated, e.g. consensus,strict_unanimity,qualified_majority:0.67.
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub rules: Vec<String>,
    /// A sweep file (TOML) with [sweep] design, samples, rules, runs, seed and [vary] PATH = VALUES.
    #[arg(long, value_name = "FILE")]
    pub sweep_file: Option<PathBuf>,
    /// How points are chosen (default: grid).
    #[arg(long, value_enum)]
    pub design: Option<DesignName>,
    /// Number of points of a Latin hypercube.
    #[arg(long, value_name = "N")]
    pub samples: Option<u64>,
    #[command(flatten)]
    pub runs: RunsArg,
    #[command(flatten)]
    pub sim: SimArgs,
    #[command(flatten)]
    pub posterior: PosteriorArg,
    /// Continue an interrupted sweep (same command, same files) from its last finished point.
    #[arg(long)]
    pub resume: bool,
    /// Do not write the charts (sweep_N.svg) and report.html.
    #[arg(long)]
    pub no_report: bool,
    #[command(flatten)]
    pub shard: ShardArgs,
}

impl SweepArgs {
    fn settings(&self) -> SweepSettings {
        SweepSettings {
            replace: self.sim.replace(),
            dialect: self.sim.dialect(),
            file: self.file.clone(),
            sweep_file: self.sweep_file.clone(),
            vary: self.vary.clone(),
            rules: self.rules.clone(),
            design: self.design.map(|d| match d {
                DesignName::Grid => DesignKind::Grid,
                DesignName::Lhs => DesignKind::Lhs,
                DesignName::Oat => DesignKind::Oat,
            }),
            samples: self.samples,
            runs: self.runs.runs,
            seed: self.sim.seed,
            out: self.sim.out.clone(),
            posterior: self.posterior.posterior.clone(),
        }
    }
}

/// Runs the sweep.
pub fn execute(args: &SweepArgs) -> anyhow::Result<()> {
    let shard = args.shard.resolve()?;
    let p = SweepJob::prepare(&args.settings()).map_err(job_error)?;
    if let Some(draws) = p.plan.posterior() {
        super::note_skipped(&args.file, draws);
    }
    let (pool, threads) = super::worker_pool(args.sim.threads)?;
    if let Some(shard) = shard {
        return sweep_shard(&p, args, shard, &pool, threads);
    }
    let open = p.open(args.resume).map_err(job_error)?;
    super::catch_signals();
    let total = p.plan.len();
    let start = open.start;
    let runs = p.plan.runs;
    let bar = progress::bar(total as u64, start as u64, "points", args.sim.quiet);
    let started = Instant::now();
    let update = |done: u64| progress::update(&bar, done, start as u64, runs, started);
    let done = pool.install(|| {
        let watch = Watch {
            progress: Some(&update),
            cancel: Some(&super::STOP),
        };
        p.run(open, Origin::Threads(threads), args.no_report, watch)
    });
    bar.finish_and_clear();
    let done = done.map_err(job_error)?;
    console::out(&format!(
        "{}: {} points x {} runs in {:.2} s ({} runs/s); results in {}/\n",
        p.label,
        thousands(done.points as u64),
        thousands(runs),
        done.seconds,
        thousands((done.evaluated as f64 * runs as f64 / done.seconds.max(1e-9)) as u64),
        done.folder.dir.display()
    ))?;
    console::out(&alliance_sim::output::table::meanings(&p.plan.rules))?;
    if let Some(post) = &p.posterior {
        console::out(&format!("  {}\n", post.sentence()))?;
    }
    super::note_folder(&done.folder);
    Ok(())
}

/// `sweep --shard`: this shard's pieces of the sweep.
fn sweep_shard(
    p: &SweepJob,
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
    let pieces = p.shard_pieces(shard);
    let runs_per_piece = pieces
        .iter()
        .map(|q| q.runs.end - q.runs.start)
        .max()
        .unwrap_or(0);
    let bar = progress::bar(pieces.len() as u64, 0, "points", args.sim.quiet);
    let started = Instant::now();
    let update = |done: u64| progress::update(&bar, done, 0, runs_per_piece, started);
    let done = pool.install(|| {
        let watch = Watch {
            progress: Some(&update),
            cancel: Some(&super::STOP),
        };
        shard::sweep_shard(p, &args.sim.out, shard, threads, watch)
    });
    bar.finish_and_clear();
    let done = done.map_err(job_error)?;
    let points = p.plan.len() as u64;
    let what = match (done.pieces.first(), done.pieces.last()) {
        (Some(a), Some(b)) => format!(
            "{} runs of points {} to {} of {} ({} runs each)",
            thousands(done.runs_done()),
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
    super::print_shard(&done, &what)
}
