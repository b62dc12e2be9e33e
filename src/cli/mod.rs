//! The command line: argument types and one module per subcommand. Each
//! subcommand checks its arguments into values the library trusts before it
//! does any work.

pub mod args;
pub mod check;
pub mod explain;
pub mod merge;
pub mod params;
pub mod power;
pub mod progress;
pub mod run;
pub mod sensitivity;
pub mod shard;
pub mod sweep;
pub mod validate;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, Subcommand};

use alliance_sim::model::DecisionRule;

/// Agent-based Monte Carlo simulation of alliance decisions: member states
/// weigh a crisis, vote under a decision rule, and the runs add up to a
/// probability for each outcome.
#[derive(Debug, Parser)]
#[command(name = "alliance-sim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenarios and write outcome probabilities to CSV.
    Run(run::RunArgs),
    /// Check scenario files for errors without running them.
    Check(check::CheckArgs),
    /// Explain one evaluation: each member's utility terms, votes, and the procedure round by round.
    Explain(explain::ExplainArgs),
    /// List every parameter path of a scenario with its value and valid range.
    Params(params::ParamsArgs),
    /// Run a scenario over a grid or sample of parameter values and rules.
    Sweep(sweep::SweepArgs),
    /// Combine the shards of a run or sweep (--shard K/N) into the files one process writes.
    Merge(merge::MergeArgs),
    /// Voting power of each member under the rule: Banzhaf and Shapley-Shubik indices, and how often each was decisive in simulated runs.
    Power(power::PowerArgs),
    /// Run every scenario with an `[expected]` outcome and score how well the model gives it.
    Validate(validate::ValidateArgs),
    /// Which parameters move the outcome most: Morris elementary effects (mu*, mu, sigma) with common random numbers.
    Sensitivity(sensitivity::SensitivityArgs),
}

/// A problem with what the user asked for: reported with exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

/// Set by Ctrl-C or SIGTERM once `catch_signals` has been called.
pub static STOP: AtomicBool = AtomicBool::new(false);

/// From now on Ctrl-C and SIGTERM set `STOP` instead of killing the process,
/// so that work can stop cleanly: no partial file is left, and a sweep keeps
/// its finished points.
pub fn catch_signals() {
    // Fails only if a handler is already installed, which is then this one.
    let _ = ctrlc::set_handler(|| STOP.store(true, Ordering::SeqCst));
}

/// Work stopped by Ctrl-C or SIGTERM: reported with exit code 130.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Interrupted(pub String);

/// Who made a result: one process with some threads, or merged shards.
#[derive(Debug, Clone, Copy)]
pub enum Origin {
    /// One process.
    Threads(usize),
    /// `merge` of this many shards.
    Shards(u64),
}

/// Parses `--rule`, with a suggestion for misspelt rule names.
pub fn parse_rule(s: &str) -> Result<DecisionRule, String> {
    s.parse::<DecisionRule>().map_err(|e| match e.help {
        Some(h) => format!("{}\n  help: {h}", e.message),
        None => e.message,
    })
}

/// A pool of `threads` workers, and its size. By default: inside a Slurm job
/// that asked for `--cpus-per-task`, that many (`SLURM_CPUS_PER_TASK`), so
/// that tasks sharing a node do not crowd each other; otherwise one per core
/// this process may use.
pub fn worker_pool(threads: Option<u16>) -> anyhow::Result<(rayon::ThreadPool, usize)> {
    let slurm = std::env::var("SLURM_CPUS_PER_TASK")
        .ok()
        .and_then(|t| t.trim().parse::<usize>().ok())
        .filter(|n| (1..=1024).contains(n));
    let n = threads
        .map(usize::from)
        .or(slurm)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start {n} worker threads: {e}"))?;
    Ok((pool, n))
}

/// Where results for a scenario file go: `<out>/<file stem>/`.
pub fn result_dir(out: &std::path::Path, file: &std::path::Path) -> (String, PathBuf) {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());
    (stem.clone(), out.join(stem))
}
