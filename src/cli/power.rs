//! `alliance-sim power FILE`: a-priori voting power of each member under the
//! scenario's rule (Banzhaf and Shapley-Shubik, by enumerating coalitions)
//! beside how often each member was decisive in simulated runs. Prints a
//! table; the library writes `power.csv` and `manifest.json` to
//! `OUT/<stem>-power/`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use alliance_sim::analysis::power::{Decisiveness, PowerIndices};
use alliance_sim::job::power::{PowerJob, PowerSettings};
use alliance_sim::job::Watch;
use alliance_sim::output::table;
use alliance_sim::scenario::Scenario;

use super::args::{RuleArg, RunsArg, SimArgs};
use super::{job_error, progress};

/// Arguments of `power`.
#[derive(Debug, Args)]
#[command(
    after_help = "Results: OUT/<file stem>-power/. The runs simulate how often each member is decisive."
)]
pub struct PowerArgs {
    /// Scenario file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub runs: RunsArg,
    #[command(flatten)]
    pub sim: SimArgs,
    #[command(flatten)]
    pub rule: RuleArg,
}

/// Computes and reports the voting power of the scenario's members.
pub fn execute(args: &PowerArgs) -> anyhow::Result<()> {
    // Before the enumeration, which can take seconds and watches the flag.
    super::catch_signals();
    let job = PowerJob::prepare_watched(
        &PowerSettings {
            file: args.file.clone(),
            runs: args.runs.runs,
            seed: args.sim.seed,
            rule: args.rule.rule,
            out: args.sim.out.clone(),
            replace: args.sim.replace(),
        },
        Some(&super::STOP),
    )
    .map_err(job_error)?;
    let (pool, threads) = super::worker_pool(args.sim.threads)?;
    let started = Instant::now();
    let bar = progress::bar(job.runs, 0, "runs", args.sim.quiet || job.runs < 1_000_000);
    let update = |done: u64| progress::update(&bar, done, 0, 1, started);
    let sim = pool.install(|| {
        job.execute(
            threads,
            Watch {
                progress: Some(&update),
                cancel: Some(&super::STOP),
            },
        )
    });
    bar.finish_and_clear();
    let (sim, folder) = sim.map_err(job_error)?;
    let mut out = render(
        &job.scenario,
        &job.label,
        &job.rule.to_string(),
        job.seed,
        &job.indices,
        &sim,
    );
    writeln!(out, "  results in {}/", folder.dir.display())?;
    super::console::out(&out)?;
    super::note_folder(&folder);
    Ok(())
}

/// The table printed on the terminal.
fn render(
    s: &Scenario,
    stem: &str,
    rule: &str,
    seed: u64,
    p: &PowerIndices,
    sim: &Decisiveness,
) -> String {
    let mut t = table::header(s, stem, rule, sim.runs, seed);
    let width = s
        .members
        .iter()
        .map(|m| m.id.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let _ = writeln!(
        t,
        "  {:width$}  banzhaf_abs  banzhaf_norm  shapley_shubik  decisive  95% interval",
        "member"
    );
    for (i, m) in s.members.iter().enumerate() {
        let d = sim.share(i);
        let _ = writeln!(
            t,
            "  {:width$}  {:>11.3}  {:>12.3}  {:>14.3}  {:>8.3}  [{:.3}, {:.3}]",
            m.id,
            p.banzhaf_absolute[i],
            p.banzhaf_normalized[i],
            p.shapley_shubik[i],
            d.probability,
            d.ci_low,
            d.ci_high
        );
    }
    let _ = writeln!(t);
    for line in [
        "banzhaf_abs: share of the other members' yes/no splits in which this member's vote decides (a priori, every split equally likely)",
        "banzhaf_norm: the same, as a share of all members' decisive positions (sums to 1)",
        "shapley_shubik: share of orders of joining in which this member's vote turns a losing coalition into a winning one",
        "decisive: share of simulated runs in which flipping this member's vote on the requested option would have changed whether it passed",
    ] {
        let _ = writeln!(t, "  {line}");
    }
    t
}
