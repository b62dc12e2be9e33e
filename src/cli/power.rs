//! `alliance-sim power FILE`: a-priori voting power of each member under the
//! scenario's rule (Banzhaf and Shapley-Shubik, by enumerating coalitions)
//! beside how often each member was decisive in simulated runs. Prints a
//! table and writes `power.csv` and `manifest.json` to `OUT/<stem>-power/`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use alliance_sim::analysis::power::{self, Decisiveness, PowerIndices};
use alliance_sim::model::{DecisionRule, Model};
use alliance_sim::output::atomic::{self, AtomicFile};
use alliance_sim::output::charts;
use alliance_sim::output::csv::{number_cell, text_cell};
use alliance_sim::output::report::{self, Section};
use alliance_sim::output::table;
use alliance_sim::output::{manifest, Manifest};
use alliance_sim::scenario::{self, Scenario};

use super::args::{RuleArg, RunsArg, SimArgs};
use super::{BadInput, Interrupted};

/// Columns of `power.csv`.
pub const POWER_HEADER: [&str; 11] = [
    "scenario",
    "rule",
    "member",
    "banzhaf_absolute",
    "banzhaf_normalized",
    "shapley_shubik",
    "runs",
    "decisive",
    "p_decisive",
    "ci_low",
    "ci_high",
];

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
    let s = scenario::load(&args.file)?;
    let rule = args.rule.rule.unwrap_or(s.rule);
    if matches!(rule, DecisionRule::HegemonMajority) && s.alliance.hegemon.is_none() {
        return Err(BadInput(format!(
            "{}: the hegemon_majority rule needs `alliance.hegemon`, which this scenario does not name",
            args.file.display()
        ))
        .into());
    }
    let indices =
        power::a_priori(&s, rule).map_err(|e| BadInput(format!("{}: {e}", args.file.display())))?;
    let runs = args.runs.runs.unwrap_or(s.montecarlo.runs);
    let seed = args.sim.seed.unwrap_or(s.montecarlo.seed);
    let (stem, _) = super::result_dir(&args.sim.out, &args.file);
    let dir = args.sim.out.join(format!("{stem}-power"));

    super::catch_signals();
    let (pool, threads) = super::worker_pool(args.sim.threads)?;
    let model = Model::new(&s, rule);
    let started = Instant::now();
    let bar = super::progress::bar(runs, 0, "runs", args.sim.quiet || runs < 1_000_000);
    let progress = |done: u64| super::progress::update(&bar, done, 0, 1, started);
    let sim =
        pool.install(|| power::simulated(&model, seed, runs, Some(&progress), Some(&super::STOP)));
    bar.finish_and_clear();
    let Some(sim) = sim else {
        return Err(Interrupted(format!(
            "interrupted during {}; nothing was written",
            args.file.display()
        ))
        .into());
    };

    let rule_label = rule.to_string();
    write_files(&s, &stem, &dir, &rule_label, seed, threads, &indices, &sim)?;
    let mut out = std::io::stdout().lock();
    write!(
        out,
        "{}",
        render(&s, &stem, &rule_label, seed, &indices, &sim)
    )?;
    writeln!(out, "  results in {}/", dir.display())?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn write_files(
    s: &Scenario,
    stem: &str,
    dir: &std::path::Path,
    rule: &str,
    seed: u64,
    threads: usize,
    p: &PowerIndices,
    sim: &Decisiveness,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the output folder `{}`", dir.display()))?;
    atomic::remove_stale_temps(dir);
    let cannot_write = |name: &str| format!("cannot write `{}`", dir.join(name).display());

    let mut text = POWER_HEADER.join(",");
    text.push('\n');
    for (i, m) in s.members.iter().enumerate() {
        let share = sim.share(i);
        let cells = [
            text_cell(stem),
            text_cell(rule),
            text_cell(&m.id),
            number_cell(p.banzhaf_absolute[i]),
            number_cell(p.banzhaf_normalized[i]),
            number_cell(p.shapley_shubik[i]),
            sim.runs.to_string(),
            share.count.to_string(),
            number_cell(share.probability),
            number_cell(share.ci_low),
            number_cell(share.ci_high),
        ];
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    let mut csv =
        AtomicFile::create(&dir.join("power.csv")).with_context(|| cannot_write("power.csv"))?;
    csv.write_all(text.as_bytes())
        .with_context(|| cannot_write("power.csv"))?;

    let (scenario_sha256, scenario_files) = manifest::scenario_digest(s);
    let m = Manifest {
        tool: "alliance-sim".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: std::env::args().collect(),
        scenario: stem.to_string(),
        scenario_name: s.name.clone(),
        scenario_sha256,
        scenario_files,
        rule: rule.to_string(),
        seed,
        runs: sim.runs,
        noise: s.montecarlo.noise,
        abstention_band: s.abstention_band,
        threads: Some(threads),
        shards: None,
        generator: "ChaCha8Rng::seed_from_u64(seed), stream = run index".into(),
        files: vec!["power.csv".into(), "power.svg".into(), "report.html".into()],
    };
    let mut man = AtomicFile::create(&dir.join("manifest.json"))
        .with_context(|| cannot_write("manifest.json"))?;
    man.write_all(m.to_json().as_bytes())
        .with_context(|| cannot_write("manifest.json"))?;
    let points: Vec<(String, f64, f64)> = s
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            (
                m.id.clone(),
                p.banzhaf_normalized[i],
                sim.share(i).probability,
            )
        })
        .collect();
    let svg = charts::scatter(
        &format!("{}: voting power ({rule})", s.name),
        "normalized Banzhaf index",
        "simulated decisive share",
        &points,
    );
    let html = report::report_html(
        &format!("{} ({stem}): voting power", s.name),
        &[
            Section {
                heading: "Power against decisiveness".into(),
                body_html: report::svg_html(&svg) + &report::csv_table_html(&text),
            },
            Section {
                heading: "Scenario".into(),
                body_html: report::sources_html(&s.sources),
            },
            Section {
                heading: "Manifest".into(),
                body_html: report::pre_html(&m.to_json()),
            },
        ],
    );
    let mut extra = Vec::new();
    for (name, body) in [("power.svg", svg), ("report.html", html)] {
        let mut f = AtomicFile::create(&dir.join(name)).with_context(|| cannot_write(name))?;
        f.write_all(body.as_bytes())
            .with_context(|| cannot_write(name))?;
        extra.push((name, f));
    }
    // The manifest last, so that it never describes a file that is not there.
    csv.commit().with_context(|| cannot_write("power.csv"))?;
    for (name, f) in extra {
        f.commit().with_context(|| cannot_write(name))?;
    }
    man.commit()
        .with_context(|| cannot_write("manifest.json"))?;
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
