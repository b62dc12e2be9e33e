//! `alliance-sim sensitivity FILE`: Morris elementary effects of the
//! scenario's parameters on the probability of an outcome; writes
//! `sensitivity.csv`, `manifest.json` and (unless `--no-report`)
//! `tornado.svg` and `report.html` to `OUT/<stem>-sensitivity/`.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use serde_json::json;

use alliance_sim::analysis::sensitivity::{
    self, Analysis, Response, SensitivityError, Settings, MORRIS_STREAM,
};
use alliance_sim::output::atomic::{self, AtomicFile};
use alliance_sim::output::csv::{number_cell, text_cell};
use alliance_sim::output::table::thousands;
use alliance_sim::output::{charts, manifest, report};
use alliance_sim::scenario::{self, limits::MAX_RUNS, Scenario};

use super::args::{RuleArg, SimArgs};
use super::{BadInput, Interrupted};

/// Columns of `sensitivity.csv`.
pub const HEADER: &str = "rank,parameter,low,high,response,mu_star,mu,sigma,trajectories";

/// Rows shown on the terminal and in the chart.
const TOP: usize = 20;

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
    /// Vary each parameter over [x - B*width, x + B*width] (clipped to its range)
    /// around its value x, width being its range's width, instead of over the whole range.
    #[arg(long, value_name = "B")]
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

fn bad(message: impl Into<String>) -> anyhow::Error {
    BadInput(message.into()).into()
}

fn library_error(e: SensitivityError, file: &std::path::Path) -> anyhow::Error {
    match e {
        SensitivityError::Input { .. } => bad(format!("{}: {e}", file.display())),
        SensitivityError::Interrupted => Interrupted(format!(
            "interrupted during {}; nothing was written",
            file.display()
        ))
        .into(),
        SensitivityError::Io(e) => anyhow::Error::new(e).context("the simulation failed"),
    }
}

fn response(args: &SensitivityArgs, s: &Scenario) -> anyhow::Result<Response> {
    let level = match &args.response {
        None => s.crisis.requested,
        Some(id) => s
            .options
            .iter()
            .position(|o| o.id == id.trim())
            .ok_or_else(|| {
                let mut m = format!("--response: unknown option `{id}`");
                if let Some(h) =
                    scenario::suggest::hint(id, s.options.iter().map(|o| o.id.as_str()))
                {
                    m.push_str(&format!("\n  help: {h}"));
                }
                bad(m)
            })?,
    };
    if args.at_least {
        if level == 0 {
            return Err(bad(format!(
                "--at-least: P(level >= {}) is always 1; choose a stronger option with --response",
                s.options[0].id
            )));
        }
        Ok(Response::AtLeast(level))
    } else {
        Ok(Response::Exactly(level))
    }
}

/// Runs the analysis.
pub fn execute(args: &SensitivityArgs) -> anyhow::Result<()> {
    let scenario = scenario::load(&args.file)?;
    let response = response(args, &scenario)?;
    let factors = sensitivity::select_factors(&scenario, &args.params, args.band)
        .map_err(|e| library_error(e, &args.file))?;
    let settings = Settings {
        trajectories: args.trajectories as usize,
        levels: args.levels as usize,
        runs: args.runs,
        seed: args.sim.seed.unwrap_or(scenario.montecarlo.seed),
        rule: args.rule.rule.unwrap_or(scenario.rule),
    };
    let design =
        sensitivity::plan(&factors, &settings).map_err(|e| library_error(e, &args.file))?;
    let (stem, _) = super::result_dir(&args.sim.out, &args.file);
    let dir = args.sim.out.join(format!("{stem}-sensitivity"));

    super::catch_signals();
    let (pool, threads) = super::worker_pool(args.sim.threads)?;
    let total = design.evaluations();
    let bar = super::progress::bar(total as u64, 0, "evaluations", args.sim.quiet);
    let started = Instant::now();
    let progress = |done: usize| {
        super::progress::update(&bar, done as u64, 0, settings.runs, started);
    };
    let result = pool.install(|| {
        sensitivity::analyse(
            &scenario,
            factors,
            &settings,
            Some(&progress),
            Some(&super::STOP),
        )
    });
    bar.finish_and_clear();
    let analysis = result.map_err(|e| library_error(e, &args.file))?;
    let secs = started.elapsed().as_secs_f64();

    let label = response.label(&scenario);
    let ranking = analysis.ranking(response);
    let rows: Vec<Vec<String>> = ranking
        .iter()
        .enumerate()
        .map(|(rank, &i)| {
            let f = &analysis.factors[i];
            let e = analysis.effects_of(i, response);
            vec![
                (rank + 1).to_string(),
                text_cell(f.path.as_str()),
                number_cell(f.low),
                number_cell(f.high),
                text_cell(&label),
                number_cell(e.mu_star),
                number_cell(e.mu),
                number_cell(e.sigma),
                settings.trajectories.to_string(),
            ]
        })
        .collect();
    let mut csv_text = format!("{HEADER}\n");
    for r in &rows {
        csv_text.push_str(&r.join(","));
        csv_text.push('\n');
    }
    let m = manifest_json(
        args, &scenario, &stem, &analysis, &settings, &label, threads,
    );
    let manifest_text = format!("{m:#}\n");

    // Everything goes to temporary files first, renamed one after another,
    // the manifest last.
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the output folder `{}`", dir.display()))?;
    atomic::remove_stale_temps(&dir);
    let mut files: Vec<(String, String)> = vec![("sensitivity.csv".into(), csv_text)];
    if !args.no_report {
        let top: Vec<usize> = ranking.iter().copied().take(TOP).collect();
        let names: Vec<String> = top
            .iter()
            .map(|&i| analysis.factors[i].path.as_str().to_string())
            .collect();
        let mu_star: Vec<f64> = top
            .iter()
            .map(|&i| analysis.effects_of(i, response).mu_star)
            .collect();
        let sigma: Vec<f64> = top
            .iter()
            .map(|&i| analysis.effects_of(i, response).sigma)
            .collect();
        let title = format!("{stem}: sensitivity of {label} (Morris mu*, bars +/- sigma)");
        let svg = charts::tornado(
            &title,
            &names,
            &mu_star,
            &sigma,
            "mu* (change per full range)",
        );
        let html = report_html(&stem, &scenario, &label, &rows, &svg, &manifest_text);
        files.push(("tornado.svg".into(), svg));
        files.push(("report.html".into(), html));
    }
    files.push(("manifest.json".into(), manifest_text));
    let mut pending = Vec::new();
    for (name, text) in &files {
        let path = dir.join(name);
        let cannot = || format!("cannot write `{}`", path.display());
        let mut f = AtomicFile::create(&path).with_context(cannot)?;
        f.write_all(text.as_bytes()).with_context(cannot)?;
        pending.push((path, f));
    }
    for (path, f) in pending {
        f.commit()
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    if args.no_report {
        for name in ["tornado.svg", "report.html"] {
            let p = dir.join(name);
            if p.exists() {
                // Left from an earlier analysis, it would not match.
                std::fs::remove_file(&p)
                    .with_context(|| format!("cannot remove the outdated `{}`", p.display()))?;
            }
        }
    }

    let mut out = std::io::stdout().lock();
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
        "  {:>4}  {:<width$}  {:>9}  {:>9}  {:>9}",
        "rank", "parameter", "mu*", "mu", "sigma"
    )?;
    for &i in ranking.iter().take(TOP) {
        let e = analysis.effects_of(i, response);
        let rank = ranking.iter().position(|&j| j == i).unwrap_or(0) + 1;
        writeln!(
            out,
            "  {rank:>4}  {:<width$}  {:>9.4}  {:>9.4}  {:>9.4}",
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
    writeln!(
        out,
        "  How to read it: each effect is the change in {label} when one parameter moves, \
all others held, scaled to a move across its whole interval (low to high). mu* is the \
average size of that change, whichever its direction: the ranking. mu is its average with \
the sign: close to mu* when raising the parameter always pushes the same way, near 0 when \
it pushes both ways. sigma is how much the change differs from one starting point to \
another: large when the parameter interacts with others or acts non-linearly (a threshold)."
    )?;
    writeln!(
        out,
        "  {} evaluations in {secs:.1} s; results in {}/",
        thousands(total as u64),
        dir.display()
    )?;
    Ok(())
}

fn manifest_json(
    args: &SensitivityArgs,
    scenario: &Scenario,
    stem: &str,
    analysis: &Analysis,
    settings: &Settings,
    label: &str,
    threads: usize,
) -> serde_json::Value {
    let (sha, files_read) = manifest::scenario_digest(scenario);
    let mut files = vec!["sensitivity.csv"];
    if !args.no_report {
        files.extend(["tornado.svg", "report.html"]);
    }
    json!({
        "tool": "alliance-sim",
        "version": env!("CARGO_PKG_VERSION"),
        "command": std::env::args().collect::<Vec<_>>(),
        "scenario": stem,
        "scenario_name": scenario.name,
        "scenario_sha256": sha,
        "scenario_files": files_read,
        "method": "Morris elementary effects",
        "design": {
            "trajectories": settings.trajectories,
            "levels": settings.levels,
            "delta": analysis.design.delta(),
            "band": args.band,
            "evaluations": analysis.design.evaluations(),
            "design_stream": format!("ChaCha8Rng::seed_from_u64(seed), stream {MORRIS_STREAM} (2^64-2)"),
        },
        "seed": settings.seed,
        "runs": settings.runs,
        "rule": settings.rule.to_string(),
        "common_random_numbers": "run r at every evaluation draws from ChaCha8Rng::seed_from_u64(seed), stream r",
        "response": label,
        "factors": analysis.factors.iter().map(|f| json!({
            "path": f.path.as_str(),
            "low": f.low,
            "high": f.high,
        })).collect::<Vec<_>>(),
        "threads": threads,
        "files": files,
    })
}

fn report_html(
    stem: &str,
    scenario: &Scenario,
    label: &str,
    rows: &[Vec<String>],
    svg: &str,
    manifest_text: &str,
) -> String {
    let header = [
        "rank",
        "parameter",
        "low",
        "high",
        "response",
        "mu*",
        "mu",
        "sigma",
        "trajectories",
    ];
    let mut sections = vec![
        report::Section {
            heading: "Which parameters matter".into(),
            body_html: format!(
                "{}{}",
                report::p_html(&format!(
                    "Morris elementary effects on {label}. mu* is the average size of the change in {label} when one parameter moves across its interval, the others held; mu is the same with the sign; sigma shows how much that change depends on the other parameters (interactions, thresholds)."
                )),
                report::svg_html(svg)
            ),
        },
        report::Section {
            heading: "Ranking".into(),
            body_html: report::table_html(&header, rows),
        },
    ];
    for src in &scenario.sources {
        sections.push(report::Section {
            heading: format!("Scenario: {}", src.path.display()),
            body_html: report::pre_html(&src.text),
        });
    }
    sections.push(report::Section {
        heading: "Manifest".into(),
        body_html: report::pre_html(manifest_text),
    });
    report::report_html(&format!("{stem}: sensitivity of {label}"), &sections)
}
