//! `alliance-sim power FILE`: a-priori voting power of each member under the
//! scenario's rule (Banzhaf and Shapley-Shubik, counted exactly)
//! beside how often each member was decisive in simulated runs; `alliance-sim
//! power --weights GAME --quota Q` (or `--share S`): the a-priori power of
//! the members of a plain weighted game, with no scenario. Prints a table;
//! the library writes `power.csv`, `power.svg`, `report.html` and
//! `manifest.json` to `OUT/<stem>-power/`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use alliance_sim::analysis::power::{Decisiveness, PowerIndices};
use alliance_sim::job::game::Quota;
use alliance_sim::job::power::{GamePowerJob, GamePowerSettings, PowerJob, PowerSettings};
use alliance_sim::job::Watch;
use alliance_sim::model::{DecisionRule, Ratio};
use alliance_sim::output::table;
use alliance_sim::scenario::Scenario;
use alliance_sim::text::terminal;

use super::args::{RuleArg, RunsArg, SimArgs};
use super::{job_error, progress};

/// Arguments of `power`.
#[derive(Debug, Args)]
#[command(
    after_help = "Results: OUT/<file stem>-power/ (OUT/game-power/ for weights on the command line). \
The runs simulate how often each member is decisive; a plain game (--weights) has no runs.\n\
Examples:\n  alliance-sim power scenarios/kazakhstan_2022.toml --rule majority\n  \
alliance-sim power --weights games/unsc_1965.csv --quota 39\n  \
alliance-sim power --weights 4,4,4,2,2,1 --share 12/17"
)]
#[command(group(clap::ArgGroup::new("quota_or_share").args(["quota", "share"])))]
pub struct PowerArgs {
    /// Scenario file.
    #[arg(
        value_name = "FILE",
        required_unless_present = "weights",
        conflicts_with = "weights"
    )]
    pub file: Option<PathBuf>,
    /// A plain weighted game instead of a scenario: a CSV file with columns
    /// member,weight (and optionally name; `#` lines are comments), or the
    /// weights themselves, comma-separated (members 1, 2, ...). Needs --quota or --share.
    #[arg(
        long,
        value_name = "GAME.csv|W1,W2,...",
        requires = "quota_or_share",
        conflicts_with_all = ["runs", "seed", "rule"]
    )]
    pub weights: Option<String>,
    /// With --weights: the least total weight that wins, exactly (39, 38.5, 77/2).
    #[arg(long, value_name = "Q", requires = "weights")]
    pub quota: Option<Ratio>,
    /// With --weights: the least share of the total weight that wins, exactly (2/3, 0.55).
    #[arg(long, value_name = "S", requires = "weights")]
    pub share: Option<Ratio>,
    #[command(flatten)]
    pub runs: RunsArg,
    #[command(flatten)]
    pub sim: SimArgs,
    #[command(flatten)]
    pub rule: RuleArg,
}

/// Computes and reports the voting power of the scenario's members.
pub fn execute(args: &PowerArgs) -> anyhow::Result<()> {
    // Before the count, which can take seconds and watches the flag.
    super::catch_signals();
    let Some(file) = &args.file else {
        return execute_game(args);
    };
    let job = PowerJob::prepare_watched(
        &PowerSettings {
            file: file.clone(),
            runs: args.runs.runs,
            seed: args.sim.seed,
            rule: args.rule.rule,
            out: args.sim.out.clone(),
            replace: args.sim.replace(),
            dialect: args.sim.dialect(),
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
        &job.rule,
        job.seed,
        &job.indices,
        &sim,
    );
    writeln!(out, "  results in {}/", folder.dir.display())?;
    super::console::out(&out)?;
    super::note_folder(&folder);
    Ok(())
}

/// `power --weights`: the a-priori power of a plain game's members.
fn execute_game(args: &PowerArgs) -> anyhow::Result<()> {
    let weights = args.weights.clone().unwrap_or_default();
    let quota = match (args.quota, args.share) {
        (Some(q), None) => Quota::Absolute(q),
        (None, Some(s)) => Quota::Share(s),
        // clap lets exactly one through.
        _ => return Err(super::BadInput("give exactly one of --quota and --share".into()).into()),
    };
    let job = GamePowerJob::prepare_watched(
        &GamePowerSettings {
            weights,
            quota,
            out: args.sim.out.clone(),
            replace: args.sim.replace(),
            dialect: args.sim.dialect(),
        },
        Some(&super::STOP),
    )
    .map_err(job_error)?;
    let folder = job.execute().map_err(job_error)?;
    let mut out = render_game(&job);
    writeln!(out, "  results in {}/", folder.dir.display())?;
    super::console::out(&out)?;
    super::note_folder(&folder);
    Ok(())
}

/// The table printed for a plain game: the decimals and the exact fractions.
fn render_game(job: &GamePowerJob) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "{} ({})", terminal(&job.label), job.game.quota);
    let _ = writeln!(t, "{}", terminal(&job.summary()));
    let _ = writeln!(t);
    let ids: Vec<String> = job.ids().iter().map(|i| terminal(i).into_owned()).collect();
    let weights: Vec<String> = job
        .game
        .members
        .iter()
        .map(|m| m.weight.to_string())
        .collect();
    let width = |items: &[String], header: &str| {
        items
            .iter()
            .map(|s| s.chars().count())
            .max()
            .unwrap_or(0)
            .max(header.len())
    };
    let p = &job.indices;
    let strings = |xs: &[alliance_sim::analysis::power::Fraction]| -> Vec<String> {
        xs.iter().map(|x| x.to_string()).collect()
    };
    let (norm, ss) = (
        strings(&p.banzhaf_normalized_exact),
        strings(&p.shapley_shubik_exact),
    );
    // Fractions of large games run to hundreds of digits: those stay in power.csv.
    let exact = norm
        .iter()
        .chain(&ss)
        .all(|f| f.len() <= MAX_EXACT_ON_TERMINAL);
    let (wi, ww) = (width(&ids, "member"), width(&weights, "weight"));
    let (wn, ws) = (
        width(&norm, "banzhaf_norm_exact"),
        width(&ss, "shapley_shubik_exact"),
    );
    let _ = write!(
        t,
        "  {:wi$}  {:>ww$}  banzhaf_abs  banzhaf_norm  shapley_shubik",
        "member", "weight"
    );
    if exact {
        let _ = write!(
            t,
            "  {:>wn$}  {:>ws$}",
            "banzhaf_norm_exact", "shapley_shubik_exact"
        );
    }
    let _ = writeln!(t);
    for i in 0..ids.len() {
        let pad = wi.saturating_sub(ids[i].chars().count());
        let _ = write!(
            t,
            "  {}{:pad$}  {:>ww$}  {:>11.3}  {:>12.3}  {:>14.3}",
            ids[i],
            "",
            weights[i],
            p.banzhaf_absolute[i],
            p.banzhaf_normalized[i],
            p.shapley_shubik[i],
        );
        if exact {
            let _ = write!(t, "  {:>wn$}  {:>ws$}", norm[i], ss[i]);
        }
        let _ = writeln!(t);
    }
    let _ = writeln!(t);
    for line in [
        "banzhaf_abs: share of the other members' yes/no splits in which this member's vote decides (every split equally likely)",
        "banzhaf_norm: the same, as a share of all members' decisive positions (sums to 1)",
        "shapley_shubik: share of orders of joining in which this member's vote turns a losing coalition into a winning one",
        if exact {
            "*_exact: the same as exact fractions in lowest terms; power.csv has all three"
        } else {
            "exact fractions in lowest terms: the *_exact columns of power.csv (too long to print here)"
        },
    ] {
        let _ = writeln!(t, "  {line}");
    }
    t
}

/// Longest exact fraction shown on the terminal.
const MAX_EXACT_ON_TERMINAL: usize = 24;

/// The table printed on the terminal.
fn render(
    s: &Scenario,
    stem: &str,
    rule: &DecisionRule,
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
