//! Argument groups that several subcommands share, declared once and
//! flattened into each command's arguments: the options of every command
//! that simulates, `--runs`, `--rule`, and the shard options of `run` and
//! `sweep`.

use std::path::PathBuf;

use clap::Args;

use alliance_sim::model::DecisionRule;
use alliance_sim::output::dialect::{self, Dialect};
use alliance_sim::output::folder::Replace;
use alliance_sim::scenario::limits::MAX_RUNS;
use alliance_sim::shard::{self, Shard};

use super::BadInput;

/// Options of every command that simulates (`run`, `sweep`, `validate`,
/// `power`, `sensitivity`).
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Master seed (default: the scenario's `[montecarlo] seed`).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores, or SLURM_CPUS_PER_TASK in a Slurm job). Results do not depend on it.
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Folder for results; the command writes to a folder of its own inside it (see the end of this help).
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// No progress display on the terminal.
    #[arg(long, short)]
    pub quiet: bool,
    /// Replace the results folder of the same name. Without it, a folder
    /// holding other results is kept and the new results go to NAME-2,
    /// NAME-3, ... (a folder holding the same results is replaced).
    #[arg(long)]
    pub replace: bool,
    #[command(flatten)]
    pub dialect: DialectArg,
}

impl SimArgs {
    /// When an existing results folder is replaced.
    pub fn replace(&self) -> Replace {
        if self.replace {
            Replace::Always
        } else {
            Replace::IfSame
        }
    }

    /// The spreadsheet dialect of the CSV files.
    pub fn dialect(&self) -> Dialect {
        self.dialect.dialect()
    }
}

/// `--decimal-comma` of every command that writes CSV files.
#[derive(Debug, Args)]
pub struct DialectArg {
    /// Write the CSV files for spreadsheets in comma-decimal locales (German,
    /// French, Russian, ...): a semicolon between fields and a comma before
    /// decimals. Set ALLIANCE_SIM_DECIMAL_COMMA=1 to make it the default.
    #[arg(long, env = dialect::ENV, action = clap::ArgAction::SetTrue,
          value_parser = switch)]
    pub decimal_comma: bool,
}

/// The value of a switch set in the environment: `1`, `yes`, `true`, `on`
/// or `0`, `no`, `false`, `off` (any case).
fn switch(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "yes" | "true" | "on" => Ok(true),
        "0" | "no" | "false" | "off" => Ok(false),
        _ => Err(format!(
            "expected 1 (semicolons and decimal commas in CSV files) or 0 (commas and decimal points); {} may hold 1 or 0",
            dialect::ENV
        )),
    }
}

impl DialectArg {
    /// The dialect asked for.
    pub fn dialect(&self) -> Dialect {
        if self.decimal_comma {
            Dialect::DecimalComma
        } else {
            Dialect::Standard
        }
    }
}

/// `--runs` with the scenario's `[montecarlo] runs` as the default.
#[derive(Debug, Args)]
pub struct RunsArg {
    /// Number of Monte Carlo runs of each simulation (default: the scenario's `[montecarlo] runs`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_RUNS))]
    pub runs: Option<u64>,
}

/// `--rule`: one decision rule instead of the scenario's.
#[derive(Debug, Args)]
pub struct RuleArg {
    /// Decision rule instead of the scenario's: consensus (an abstention does not block),
    /// strict_unanimity (an abstention blocks), majority, qualified_majority:SHARE (0.67 or 2/3), qualified_majority:votes:N,
    /// weighted:ATTRIBUTE:SHARE, weighted:ATTRIBUTE:amount:AMOUNT, hegemon_majority,
    /// double_majority[:MEMBERS:POPULATION:BLOCKING].
    #[arg(long, value_name = "RULE", value_parser = super::parse_rule)]
    pub rule: Option<DecisionRule>,
}

/// `--posterior FILE` of `run`, `sweep` and `validate`.
#[derive(Debug, Args)]
pub struct PosteriorArg {
    /// A posterior sample of parameter vectors (CSV: draw, parameter paths,
    /// log_likelihood), as `calibrate` writes it. Each run simulates one draw
    /// chosen at random, so probabilities include the parameters'
    /// uncertainty. Columns a scenario has no parameter for are skipped for it.
    #[arg(long, value_name = "FILE")]
    pub posterior: Option<PathBuf>,
}

/// The shard options of `run` and `sweep`.
#[derive(Debug, Args)]
pub struct ShardArgs {
    /// Do only shard K of N (K from 0) of the work, and write its counts to
    /// OUT/<stem>.shard-K-of-N/ for `alliance-sim merge`. `auto` takes K and N
    /// from a Slurm job array (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT) or
    /// a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with --shards N).
    #[arg(long, value_name = "K/N|auto")]
    pub shard: Option<String>,
    /// The number of shards, for --shard auto under a Kubernetes Indexed Job.
    #[arg(long, value_name = "N", requires = "shard")]
    pub shards: Option<u64>,
}

impl ShardArgs {
    /// The shard to do, if any.
    pub fn resolve(&self) -> anyhow::Result<Option<Shard>> {
        let Some(text) = &self.shard else {
            return Ok(None);
        };
        let shard = if text.trim() == "auto" {
            shard::from_env(|name| std::env::var(name).ok(), self.shards)
        } else {
            let given: Shard = text
                .parse()
                .map_err(|e: shard::ShardError| BadInput(format!("--shard {text}: {e}")))?;
            match self.shards {
                Some(n) if n != given.count() => Err(shard::ShardError(format!(
                    "--shard {text} and --shards {n} disagree; --shards is for --shard auto"
                ))),
                _ => Ok(given),
            }
        };
        shard.map(Some).map_err(|e| BadInput(e.0).into())
    }
}
