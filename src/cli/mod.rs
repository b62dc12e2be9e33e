//! The command line: argument types and one module per subcommand. Each
//! subcommand parses its arguments into settings the library checks, calls
//! the library, and prints what it returns; helpers they share (errors,
//! signals, the worker pool, the printed summary) live here. Nothing here
//! prints directly: all output goes through [`console`].

pub mod args;
pub mod calibrate;
pub mod check;
pub mod console;
pub mod explain;
pub mod merge;
pub mod params;
pub mod power;
pub mod progress;
pub mod run;
pub mod sensitivity;
pub mod sweep;
pub mod validate;

use std::fmt::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, Subcommand};

use alliance_sim::job::run::RunJob;
use alliance_sim::job::shard::ShardDone;
use alliance_sim::job::JobError;
use alliance_sim::model::DecisionRule;
use alliance_sim::output::folder::Committed;
use alliance_sim::output::{table, Summary};
use alliance_sim::posterior::Applied;

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
    /// Fit parameters to the historical cases by maximum likelihood, cross-validate the fit and sample its posterior.
    Calibrate(calibrate::CalibrateArgs),
    /// Which parameters move the outcome most: Morris elementary effects (mu*, mu, sigma) with common random numbers.
    Sensitivity(sensitivity::SensitivityArgs),
}

/// A problem with what the user asked for: reported with exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

/// Set by Ctrl-C or SIGTERM.
pub static STOP: AtomicBool = AtomicBool::new(false);

/// Whether the command has begun work that watches `STOP`.
static WATCHED: AtomicBool = AtomicBool::new(false);

/// Installs the handler of Ctrl-C and SIGTERM, before any work, so that no
/// signal finds the process without it (which would end it with the signal's
/// own status, 143 for SIGTERM). Until [`catch_signals`] is called a signal
/// ends the process at once with exit code 130: nothing has been written yet,
/// and commands that never call it (check, params, explain, merge) have
/// nothing to stop cleanly. After it, a signal sets `STOP` instead.
pub fn install_signal_handler() {
    // Fails only if a handler is already installed, which is then this one.
    let _ = ctrlc::set_handler(|| {
        STOP.store(true, Ordering::SeqCst);
        if !WATCHED.load(Ordering::SeqCst) {
            console::note_line("interrupted");
            std::process::exit(130);
        }
    });
}

/// From now on Ctrl-C and SIGTERM set `STOP` instead of ending the process,
/// so that work can stop cleanly: no partial file is left, and a sweep keeps
/// its finished points. The work must watch `STOP` from here to its end.
pub fn catch_signals() {
    WATCHED.store(true, Ordering::SeqCst);
}

/// Work stopped by Ctrl-C or SIGTERM: reported with exit code 130.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Interrupted(pub String);

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

/// A results folder that could not be put in place, as the binary reports
/// it (a `--replace` of a folder not ours is bad input, exit code 2).
pub fn folder_error(e: alliance_sim::output::folder::FolderError) -> anyhow::Error {
    job_error(e.into())
}

/// Says on stderr when results did not go to the folder of their name
/// because it holds other results (kept).
pub fn note_folder(folder: &Committed) {
    if let Some(note) = folder.note() {
        console::note_line(&format!("note: {note}"));
    }
}

/// A library error as the binary reports it: bad input (exit code 2) as
/// [`BadInput`] or the scenario or posterior error itself, a cancelled job as
/// [`Interrupted`] (130), a failed read or write with what was being done.
/// Of several bad scenario files, all but the last are printed here.
pub fn job_error(e: JobError) -> anyhow::Error {
    match e {
        JobError::Input(message) => BadInput(message).into(),
        JobError::Scenario(e) => (*e).into(),
        JobError::Posterior(e) => (*e).into(),
        JobError::Scenarios(mut errors) => {
            let last = errors.pop().expect("several errors");
            for e in &errors {
                console::error(&e.to_string());
            }
            last.into()
        }
        JobError::Interrupted(message) => Interrupted(message).into(),
        JobError::Unavailable(message) => anyhow::anyhow!(message),
        JobError::Io { context, source } => anyhow::Error::new(source).context(context),
    }
}

/// Prints a run's summary table and a last line `how` ... `; results in DIR/`.
pub fn print_results(
    job: &RunJob,
    summary: &Summary,
    how: &str,
    folder: &Committed,
) -> anyhow::Result<()> {
    let mut out = String::new();
    write!(
        out,
        "{}",
        table::render(&job.scenario, &job.label, &job.rule, job.seed, summary)
    )?;
    if let Some(p) = &job.posterior {
        writeln!(out, "  {}", p.sentence())?;
    }
    writeln!(out, "  {how}; results in {}/", folder.dir.display())?;
    console::out(&out)?;
    note_folder(folder);
    Ok(())
}

/// Says on stderr which of the posterior's columns `scenario_file` has no
/// parameter for, and so are skipped for it.
pub fn note_skipped(scenario_file: &std::path::Path, draws: &Applied) {
    let skipped = draws.skipped();
    if skipped.is_empty() {
        return;
    }
    let list: Vec<String> = skipped
        .iter()
        .map(|s| format!("`{}` ({})", s.path, s.reason))
        .collect();
    console::note_line(&format!(
        "note: {}: skipped for {}, which has no such parameter: {}",
        draws.posterior().file().display(),
        scenario_file.display(),
        list.join("; ")
    ));
}

/// The lines a finished shard prints: what it did, and the merge to run.
pub fn print_shard(done: &ShardDone, what: &str) -> anyhow::Result<()> {
    let mut o = String::new();
    writeln!(
        o,
        "{}: shard {} of {}: {what} in {:.2} s; counts in {}/",
        done.label,
        done.shard.index(),
        done.shard.count(),
        done.seconds,
        done.dir.display()
    )?;
    note_folder(&done.folder);
    let when = match done.shard.count() {
        1 => "to write the results".to_string(),
        n => format!("when all {n} shards are done"),
    };
    writeln!(
        o,
        "  {when}: alliance-sim merge {}",
        done.merge_pattern.display()
    )?;
    Ok(console::out(&o)?)
}

/// Loads the historical cases under `paths`, printing every scenario error
/// but the last, which is returned (exit code 2), as `check` reports them.
pub fn load_cases(
    paths: &[std::path::PathBuf],
    overrides: alliance_sim::analysis::cases::Overrides,
) -> anyhow::Result<alliance_sim::analysis::cases::CaseSet> {
    use alliance_sim::analysis::cases::{self, CasesError};
    match cases::load(paths, overrides) {
        Ok(set) => Ok(set),
        Err(CasesError::Scenarios(mut errors)) => {
            let last = errors.pop().expect("at least one error");
            for e in &errors {
                console::error(&e.to_string());
            }
            Err(last.into())
        }
        Err(CasesError::Input(message)) => Err(BadInput(message).into()),
    }
}
