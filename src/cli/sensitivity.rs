//! `alliance-sim sensitivity FILE`: Morris elementary effects of the
//! scenario's parameters on the probability of an outcome; the library writes
//! `sensitivity.csv`, `manifest.json` and (unless `--no-report`)
//! `tornado.svg` and `report.html` to `OUT/<stem>-sensitivity/`, and this
//! prints the top of the ranking.

use std::fmt::Write;
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use alliance_sim::analysis::sensitivity::{Band, DEFAULT_RELATIVE, DEFAULT_SCALE_SHARE};
use alliance_sim::job::sensitivity::{SensitivityJob, SensitivitySettings, TOP};
use alliance_sim::job::Watch;
use alliance_sim::output::table::thousands;
use alliance_sim::scenario::limits::MAX_RUNS;

use super::args::{RuleArg, SimArgs};
use super::{job_error, progress};

/// Arguments of `sensitivity`.
#[derive(Debug, Args)]
#[command(
    after_help = "Results: OUT/<file stem>-sensitivity/. The seed also draws the design, and every evaluation uses the same random numbers (common random numbers)."
)]
pub struct SensitivityArgs {
    /// Scenario file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// A parameter to vary (repeatable): a path from `alliance-sim params FILE`,
    /// `members.*.FIELD` (every member at once), or a pattern with `*` such as
    /// `members.RUS.weights.*`. Default: every fixed numeric parameter except
    /// noise and abstention_band.
    #[arg(long = "param", value_name = "PATH")]
    pub params: Vec<String>,
    /// Share of its value by which a measured amount (military spending, GDP,
    /// population), an interest weight or the noise moves: 0.25 moves GDP
    /// 100 over 75 to 125 (clipped to its valid range).
    #[arg(long, value_name = "R", conflicts_with_all = ["full_range", "band"])]
    pub relative: Option<f64>,
    /// Share of its scale's width by which a judgement moves: 0.1 moves a
    /// 0-1 judgement by ±0.1 and a -1..1 affinity by ±0.2; a reservation level
    /// moves by twice this (the -1..1 scale of the utility terms).
    #[arg(long, value_name = "S", conflicts_with_all = ["full_range", "band"])]
    pub scale_share: Option<f64>,
    /// Move every parameter over its whole valid range (GDP 0 to 100,000,
    /// weights 0 to 100), as before bands by kind: fixed numbers only.
    #[arg(long)]
    pub full_range: bool,
    /// Move every parameter by ± B times its valid range's width around its
    /// value (clipped to the range), whatever its kind: fixed numbers only.
    #[arg(long, value_name = "B", conflicts_with = "full_range")]
    pub band: Option<f64>,
    /// Number of Morris trajectories r.
    #[arg(long, value_name = "R", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub trajectories: u64,
    /// Number of grid levels p (even).
    #[arg(long, value_name = "P", default_value_t = 4, value_parser = clap::value_parser!(u64).range(2..=1000))]
    pub levels: u64,
    /// Outcome whose probability is the response: an option id (default: the requested option).
    #[arg(long, value_name = "OPTION")]
    pub response: Option<String>,
    /// Use the probability of that option or a stronger one, P(level >= option).
    #[arg(long)]
    pub at_least: bool,
    /// Runs per evaluation.
    #[arg(long, value_name = "N", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=MAX_RUNS))]
    pub runs: u64,
    #[command(flatten)]
    pub sim: SimArgs,
    #[command(flatten)]
    pub rule: RuleArg,
    /// Do not write tornado.svg and report.html.
    #[arg(long)]
    pub no_report: bool,
}

/// Runs the analysis.
pub fn execute(args: &SensitivityArgs) -> anyhow::Result<()> {
    let job = SensitivityJob::prepare(&SensitivitySettings {
        file: args.file.clone(),
        params: args.params.clone(),
        band: if args.full_range {
            Band::Full
        } else if let Some(b) = args.band {
            Band::Width(b)
        } else {
            Band::ByKind {
                relative: args.relative.unwrap_or(DEFAULT_RELATIVE),
                share: args.scale_share.unwrap_or(DEFAULT_SCALE_SHARE),
            }
        },
        trajectories: args.trajectories,
        levels: args.levels,
        response: args.response.clone(),
        at_least: args.at_least,
        runs: args.runs,
        seed: args.sim.seed,
        rule: args.rule.rule,
        out: args.sim.out.clone(),
        replace: args.sim.replace(),
        dialect: args.sim.dialect(),
    })
    .map_err(job_error)?;
    let settings = job.settings;

    super::catch_signals();
    let (pool, threads) = super::worker_pool(args.sim.threads)?;
    let total = job.design.evaluations();
    let bar = progress::bar(total as u64, 0, "evaluations", args.sim.quiet);
    let started = Instant::now();
    let update = |done: u64| progress::update(&bar, done, 0, settings.runs, started);
    let result = pool.install(|| {
        job.execute(
            threads,
            args.no_report,
            Watch {
                progress: Some(&update),
                cancel: Some(&super::STOP),
            },
        )
    });
    bar.finish_and_clear();
    let done = result.map_err(job_error)?;
    let secs = started.elapsed().as_secs_f64();
    let (analysis, ranking, label) = (&done.analysis, &done.ranking, &done.response);
    let rows = job.rows(&done);
    let stem = &job.label;

    let mut out = String::new();
    writeln!(
        out,
        "{stem}: sensitivity of {label} to {} parameters ({} trajectories, {} levels, {} evaluations x {} runs, seed {})",
        analysis.factors.len(),
        settings.trajectories,
        settings.levels,
        thousands(total as u64),
        thousands(settings.runs),
        settings.seed
    )?;
    writeln!(out)?;
    let width = rows
        .iter()
        .take(TOP)
        .map(|r| r[1].len())
        .max()
        .unwrap_or(9)
        .max(9);
    writeln!(
        out,
        "  {:>4}  {:<width$}  {:>9}  {:>18}  {:>9}  {:>9}",
        "rank", "parameter", "mu*", "95% interval", "mu", "sigma"
    )?;
    for (rank, &i) in ranking.iter().enumerate().take(TOP) {
        let e = analysis.effects_of(i, job.response);
        let interval = format!("[{:.4}, {:.4}]", e.mu_star_lo, e.mu_star_hi);
        writeln!(
            out,
            "  {:>4}  {:<width$}  {:>9.4}  {interval:>18}  {:>9.4}  {:>9.4}",
            rank + 1,
            analysis.factors[i].path.as_str(),
            e.mu_star,
            e.mu,
            e.sigma
        )?;
    }
    if ranking.len() > TOP {
        writeln!(out, "  ... {} more in sensitivity.csv", ranking.len() - TOP)?;
    }
    writeln!(out)?;
    for line in job.summary(&done) {
        writeln!(out, "  {line}")?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "  How to read it: each effect is the change in {label} when one parameter moves, \
all others held, scaled to a move across its whole band (low to high). The 95% interval \
of mu* comes from resampling the trajectories: where two intervals overlap, the order of the \
two parameters is not settled. mu* is the \
average size of that change, whichever its direction: the ranking. mu is its average with \
the sign: close to mu* when raising the parameter always pushes the same way, near 0 when \
it pushes both ways. sigma is how much the change differs from one starting point to \
another: large when the parameter interacts with others or acts non-linearly (a threshold)."
    )?;
    writeln!(
        out,
        "  {} evaluations in {secs:.1} s; results in {}/",
        thousands(total as u64),
        job.dir.display()
    )?;
    Ok(super::console::out(&out)?)
}
