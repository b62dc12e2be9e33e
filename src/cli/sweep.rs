//! `alliance-sim sweep FILE`: run a scenario over a design of parameter values
//! and decision rules; write `sweep_outcomes.csv`, `sweep_members.csv` and
//! `manifest.json` to `OUT/<stem>-sweep/`. Ctrl-C keeps the finished points;
//! `--resume` continues.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::{Args, ValueEnum};
use serde_json::json;

use alliance_sim::model::DecisionRule;
use alliance_sim::output::atomic::{self, AtomicFile};
use alliance_sim::output::report::{self, Section};
use alliance_sim::output::sweep::{self as files, SweepWriter};
use alliance_sim::output::table::thousands;
use alliance_sim::output::{manifest, Summary};
use alliance_sim::scenario::paths::ParamPath;
use alliance_sim::scenario::{self, limits::MAX_RUNS, Scenario};
use alliance_sim::sweep::spec::SweepFile;
use alliance_sim::sweep::{self, Design, Dimension, Finish, Plan, ValueSpec};

use super::args::{RunsArg, ShardArgs, SimArgs};
use super::{BadInput, Interrupted, Origin};

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

/// Arguments of `sweep`.
#[derive(Debug, Args)]
#[command(
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
    /// Decision rules to compare, comma-separated, e.g. unanimity,qualified_majority:0.67.
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
    /// Continue an interrupted sweep (same command, same files) from its last finished point.
    #[arg(long)]
    pub resume: bool,
    /// Do not write the charts (sweep_N.svg) and report.html.
    #[arg(long)]
    pub no_report: bool,
    #[command(flatten)]
    pub shard: ShardArgs,
}

/// A checked sweep, ready to run.
pub(super) struct Prepared {
    /// The scenario as the file gives it.
    pub scenario: Scenario,
    /// The points.
    pub plan: Plan,
    /// The scenario's label (file stem).
    pub label: String,
    /// Where the results go.
    pub dir: PathBuf,
}

fn bad(message: impl Into<String>) -> anyhow::Error {
    BadInput(message.into()).into()
}

fn with_help(message: String, help: Option<String>) -> String {
    match help {
        Some(h) => format!("{message}\n  help: {h}"),
        None => message,
    }
}

fn dimension(
    scenario: &Scenario,
    path: &str,
    spec: Result<ValueSpec, String>,
) -> anyhow::Result<Dimension> {
    let path =
        ParamPath::parse(scenario, path.trim()).map_err(|e| bad(with_help(e.message, e.help)))?;
    let spec = spec.map_err(|e| bad(format!("`{path}`: {e}")))?;
    Ok(Dimension { path, spec })
}

fn parse_rules(texts: &[String]) -> anyhow::Result<Vec<DecisionRule>> {
    texts
        .iter()
        .map(|t| {
            t.trim()
                .parse::<DecisionRule>()
                .map_err(|e| bad(with_help(e.message, e.help)))
        })
        .collect()
}

fn prepare(args: &SweepArgs) -> anyhow::Result<Prepared> {
    let scenario = scenario::load(&args.file)?;
    let file = match &args.sweep_file {
        Some(p) => SweepFile::read(p).map_err(bad)?,
        None => SweepFile::default(),
    };
    let settings = file.sweep.unwrap_or_default();

    let mut dimensions = Vec::new();
    for (path, v) in file.vary.iter().flatten() {
        dimensions.push(dimension(&scenario, path, v.spec())?);
    }
    for text in &args.vary {
        let Some((path, values)) = text.split_once('=') else {
            return Err(bad(format!(
                "--vary `{text}`: write PATH=VALUES, e.g. crisis.severity=0:1:11"
            )));
        };
        dimensions.push(dimension(&scenario, path, ValueSpec::parse(values))?);
    }

    let design_name = match (args.design, settings.design.as_deref()) {
        (Some(d), _) => d,
        (None, Some(text)) => DesignName::from_str(text, false).map_err(|_| {
            bad(with_help(
                format!("unknown design `{text}` in the sweep file"),
                scenario::suggest::hint(text, ["grid", "lhs", "oat"]),
            ))
        })?,
        (None, None) => DesignName::Grid,
    };
    let samples = args.samples.or(settings.samples);
    let design = match (design_name, samples) {
        (DesignName::Lhs, Some(n)) if n >= 1 && n as usize <= sweep::MAX_POINTS => {
            Design::LatinHypercube {
                samples: n as usize,
            }
        }
        (DesignName::Lhs, Some(n)) => {
            return Err(bad(format!(
                "--samples {n}: a Latin hypercube takes from 1 to {} samples",
                sweep::MAX_POINTS
            )))
        }
        (DesignName::Lhs, None) => {
            return Err(bad("--design lhs needs --samples N, the number of points"))
        }
        (_, Some(_)) => return Err(bad("--samples applies only to --design lhs")),
        (DesignName::Grid, None) => Design::Grid,
        (DesignName::Oat, None) => Design::OneAtATime,
    };

    let rules = if !args.rules.is_empty() {
        parse_rules(&args.rules)?
    } else if let Some(r) = &settings.rules {
        parse_rules(r)?
    } else {
        vec![scenario.rule]
    };
    if dimensions.is_empty() && rules.len() < 2 {
        return Err(bad(
            "nothing to sweep: give --vary PATH=VALUES (see `alliance-sim params FILE` for the paths), or --rules with two or more rules",
        ));
    }
    let runs = args
        .runs
        .runs
        .or(settings.runs)
        .unwrap_or(scenario.montecarlo.runs);
    if runs == 0 || runs > MAX_RUNS {
        return Err(bad(format!("runs must be from 1 to {MAX_RUNS}")));
    }
    let seed = args
        .sim
        .seed
        .or(settings.seed)
        .unwrap_or(scenario.montecarlo.seed);
    let plan = Plan::new(&scenario, dimensions, design, rules, runs, seed)
        .map_err(|e| bad(format!("{}: {}", args.file.display(), e.0)))?;
    let (stem, _) = super::result_dir(&args.sim.out, &args.file);
    let label = stem.clone();
    let dir = args.sim.out.join(format!("{stem}-sweep"));
    Ok(Prepared {
        scenario,
        plan,
        label,
        dir,
    })
}

/// What makes two sweeps the same: a resumed sweep, and every shard of one
/// sweep, must match it exactly.
pub(super) fn identity(p: &Prepared) -> serde_json::Value {
    let (sha, _) = manifest::scenario_digest(&p.scenario);
    let plan = &p.plan;
    json!({
        "tool_version": env!("CARGO_PKG_VERSION"),
        "scenario_sha256": sha,
        "design": plan.design.name(),
        "samples": match plan.design { Design::LatinHypercube { samples } => Some(samples), _ => None },
        "dimensions": plan.dimensions.iter().map(|d| json!({
            "path": d.path.as_str(),
            "values": d.spec.to_string(),
        })).collect::<Vec<_>>(),
        "rules": plan.rules.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
        "runs": plan.runs,
        "seed": plan.seed,
        "points": plan.len(),
    })
}

/// The plan an identity describes (the inverse of [`identity`]), for merging
/// the shards of a sweep.
pub(super) fn plan_from_identity(
    scenario: &Scenario,
    id: &serde_json::Value,
) -> anyhow::Result<Plan> {
    let damaged = |what: &str| bad(format!("the shard manifests' sweep {what} cannot be read"));
    let design = match (id["design"].as_str(), id["samples"].as_u64()) {
        (Some("grid"), None) => Design::Grid,
        (Some("oat"), None) => Design::OneAtATime,
        (Some("lhs"), Some(n)) => Design::LatinHypercube {
            samples: n as usize,
        },
        _ => return Err(damaged("design")),
    };
    let mut dimensions = Vec::new();
    for d in id["dimensions"]
        .as_array()
        .ok_or_else(|| damaged("dimensions"))?
    {
        let (Some(path), Some(values)) = (d["path"].as_str(), d["values"].as_str()) else {
            return Err(damaged("dimensions"));
        };
        dimensions.push(dimension(scenario, path, ValueSpec::parse(values))?);
    }
    let rules: Vec<String> = id["rules"]
        .as_array()
        .ok_or_else(|| damaged("rules"))?
        .iter()
        .map(|r| {
            r.as_str()
                .map(str::to_string)
                .ok_or_else(|| damaged("rules"))
        })
        .collect::<anyhow::Result<_>>()?;
    let rules = parse_rules(&rules)?;
    let (Some(runs), Some(seed)) = (id["runs"].as_u64(), id["seed"].as_u64()) else {
        return Err(damaged("runs and seed"));
    };
    Plan::new(scenario, dimensions, design, rules, runs, seed).map_err(|e| bad(e.0))
}

/// Runs the sweep.
pub fn execute(args: &SweepArgs) -> anyhow::Result<()> {
    let shard = args.shard.resolve()?;
    let p = prepare(args)?;
    let (pool, threads) = super::worker_pool(args.sim.threads)?;
    if let Some(shard) = shard {
        return super::shard::sweep_shard(&p, args, shard, &pool, threads);
    }

    let paths: Vec<String> = p
        .plan
        .dimensions
        .iter()
        .map(|d| d.path.as_str().to_string())
        .collect();
    let id = identity(&p);
    let manifest_partial = files::partial(&p.dir, files::MANIFEST);
    let outcome_rows = p.scenario.options.len();
    let member_rows = p.scenario.members.len();
    let (mut writer, start) = if args.resume {
        resume(
            &p.dir,
            &manifest_partial,
            &id,
            &paths,
            outcome_rows,
            member_rows,
        )?
    } else {
        std::fs::create_dir_all(&p.dir)
            .with_context(|| format!("cannot create the output folder `{}`", p.dir.display()))?;
        atomic::remove_stale_temps(&p.dir);
        let w = SweepWriter::create(&p.dir, &paths)
            .with_context(|| format!("cannot write in `{}`", p.dir.display()))?;
        let partial = json!({ "status": "in progress", "identity": id });
        atomic::write(&manifest_partial, format!("{partial:#}\n").as_bytes())
            .with_context(|| format!("cannot write `{}`", manifest_partial.display()))?;
        (w, 0)
    };

    super::catch_signals();
    let total = p.plan.len();
    let bar = super::progress::bar(total as u64, start as u64, "points", args.sim.quiet);
    let started = Instant::now();
    let runs = p.plan.runs;
    let baseline = baseline(&p);
    let mut sink = |i: usize, tally: &alliance_sim::runner::Tally| {
        write_point(&p, &baseline, &mut writer, i, tally)
    };
    let report =
        |done: usize| super::progress::update(&bar, done as u64, start as u64, runs, started);
    let finish = pool
        .install(|| {
            sweep::run(
                &p.plan,
                &p.scenario,
                start,
                &mut sink,
                Some(&report),
                Some(&super::STOP),
            )
        })
        .with_context(|| format!("cannot write the results in `{}`", p.dir.display()))?;
    bar.finish_and_clear();
    match finish {
        Finish::Interrupted { done } => {
            writer.flush().context("cannot save the finished points")?;
            Err(Interrupted(format!(
                "interrupted after {done} of {total} points; the finished points are kept in {}; run the same command with --resume to continue",
                p.dir.display()
            ))
            .into())
        }
        Finish::Complete => {
            finish_outputs(&p, writer, &id, Origin::Threads(threads), args.no_report)?;
            let secs = started.elapsed().as_secs_f64();
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{}: {} points x {} runs in {:.2} s ({} runs/s); results in {}/",
                p.label,
                thousands(total as u64),
                thousands(runs),
                secs,
                thousands(((total - start) as f64 * runs as f64 / secs.max(1e-9)) as u64),
                p.dir.display()
            )?;
            Ok(())
        }
    }
}

fn resume(
    dir: &Path,
    manifest_partial: &Path,
    id: &serde_json::Value,
    paths: &[String],
    outcome_rows: usize,
    member_rows: usize,
) -> anyhow::Result<(SweepWriter, usize)> {
    let text = std::fs::read_to_string(manifest_partial).map_err(|_| {
        bad(format!(
            "nothing to resume in `{}`: there is no interrupted sweep there (run without --resume to start one)",
            dir.display()
        ))
    })?;
    let saved: serde_json::Value = serde_json::from_str(&text).map_err(|_| {
        bad(format!(
            "`{}` is damaged; run without --resume to start over",
            manifest_partial.display()
        ))
    })?;
    let saved_id = &saved["identity"];
    if saved_id != id {
        let differs: Vec<String> = id
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, v)| saved_id.get(k.as_str()) != Some(v))
            .map(|(k, _)| k.clone())
            .collect();
        return Err(bad(format!(
            "the interrupted sweep in `{}` was started with a different {}; resume it with the same scenario and options, or run without --resume to start over",
            dir.display(),
            differs.join(", ")
        )));
    }
    SweepWriter::resume(dir, paths, outcome_rows, member_rows).map_err(|e| {
        bad(format!(
            "cannot resume the sweep in `{}`: {e}; run without --resume to start over",
            dir.display()
        ))
    })
}

/// The scenario's own value of each varied parameter, as point cells show it.
pub(super) fn baseline(p: &Prepared) -> Vec<String> {
    p.plan
        .dimensions
        .iter()
        .map(|d| d.path.central(&p.scenario).to_string())
        .collect()
}

/// Appends point `i`'s rows.
pub(super) fn write_point(
    p: &Prepared,
    baseline: &[String],
    writer: &mut SweepWriter,
    i: usize,
    tally: &alliance_sim::runner::Tally,
) -> std::io::Result<()> {
    let (values, rule) = p.plan.point(i);
    let cells: Vec<String> = values
        .iter()
        .zip(baseline)
        .map(|(v, base)| v.map_or_else(|| base.clone(), |x| x.to_string()))
        .collect();
    writer.write_point(
        i,
        &cells,
        &rule.to_string(),
        &p.scenario,
        &Summary::new(tally),
    )
}

/// Gives the finished CSV files their names, writes the charts, report and
/// manifest, and removes the in-progress manifest.
pub(super) fn finish_outputs(
    p: &Prepared,
    writer: SweepWriter,
    id: &serde_json::Value,
    origin: Origin,
    no_report: bool,
) -> anyhow::Result<()> {
    writer
        .finish()
        .with_context(|| format!("cannot write the results in `{}`", p.dir.display()))?;
    let m = manifest_json(p, id, origin);
    let extra = write_report(p, &m, no_report)?;
    write_manifest(p, m, extra)?;
    let _ = std::fs::remove_file(files::partial(&p.dir, files::MANIFEST));
    Ok(())
}

fn manifest_json(p: &Prepared, id: &serde_json::Value, origin: Origin) -> serde_json::Value {
    let (sha, files_read) = manifest::scenario_digest(&p.scenario);
    let mut m = json!({
        "tool": "alliance-sim",
        "version": env!("CARGO_PKG_VERSION"),
        "command": std::env::args().collect::<Vec<_>>(),
        "scenario": p.label,
        "scenario_name": p.scenario.name,
        "scenario_sha256": sha,
        "scenario_files": files_read,
        "design": id["design"],
        "samples": id["samples"],
        "dimensions": id["dimensions"],
        "rules": id["rules"],
        "points": p.plan.len(),
        "runs": p.plan.runs,
        "seed": p.plan.seed,
        "common_random_numbers": "run r at every point draws from ChaCha8Rng::seed_from_u64(seed), stream r",
        "design_stream": "Latin hypercube points draw from ChaCha8Rng::seed_from_u64(seed), stream 2^64-1",
        "files": [files::OUTCOMES, files::MEMBERS],
    });
    match origin {
        Origin::Threads(t) => m["threads"] = json!(t),
        Origin::Shards(n) => m["shards"] = json!(n),
    }
    m
}

/// Writes the manifest, listing `extra` files besides the two CSV files.
fn write_manifest(
    p: &Prepared,
    mut m: serde_json::Value,
    extra: Vec<String>,
) -> anyhow::Result<()> {
    if let Some(list) = m["files"].as_array_mut() {
        list.extend(extra.into_iter().map(serde_json::Value::from));
    }
    let path = p.dir.join(files::MANIFEST);
    atomic::write(&path, format!("{m:#}\n").as_bytes())
        .with_context(|| format!("cannot write `{}`", path.display()))
}

/// Results files larger than this are not read back for charts.
const MAX_CHART_INPUT: u64 = 20 * 1024 * 1024;

/// Writes the charts and report.html of a finished sweep (or, with
/// `no_report`, removes old ones) and returns the names written.
fn write_report(
    p: &Prepared,
    manifest: &serde_json::Value,
    no_report: bool,
) -> anyhow::Result<Vec<String>> {
    // Charts of an earlier sweep in this folder would not match the new results.
    if let Ok(entries) = std::fs::read_dir(&p.dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if (name.starts_with("sweep_") && name.ends_with(".svg")) || name == "report.html" {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    if no_report {
        return Ok(Vec::new());
    }
    let csv_path = p.dir.join(files::OUTCOMES);
    let paths: Vec<String> = p
        .plan
        .dimensions
        .iter()
        .map(|d| d.path.as_str().to_string())
        .collect();
    let rules: Vec<String> = p.plan.rules.iter().map(|r| r.to_string()).collect();
    let options: Vec<String> = p.scenario.options.iter().map(|o| o.id.clone()).collect();
    let focus = &p.scenario.options[p.scenario.crisis.requested].id;
    let size = std::fs::metadata(&csv_path).map(|m| m.len()).unwrap_or(0);
    let charts = if size > MAX_CHART_INPUT {
        Err(format!(
            "{} is larger than {} MB; pivot it instead",
            files::OUTCOMES,
            MAX_CHART_INPUT >> 20
        ))
    } else {
        let text = std::fs::read_to_string(&csv_path)
            .with_context(|| format!("cannot read `{}`", csv_path.display()))?;
        files::charts(
            &text,
            &paths,
            p.plan.design == Design::Grid,
            &rules,
            &options,
            focus,
        )
    };
    let summary = format!(
        "{} points ({} design over {}; rules {}), {} runs each, seed {}. Every point uses the same random numbers (common random numbers). The full results are in {} and {}.",
        p.plan.len(),
        p.plan.design.name(),
        if paths.is_empty() { "no parameter".to_string() } else { paths.join(", ") },
        rules.join(", "),
        p.plan.runs,
        p.plan.seed,
        files::OUTCOMES,
        files::MEMBERS,
    );
    let mut written = Vec::new();
    let mut pending = Vec::new();
    let mut chart_html = String::new();
    match &charts {
        Ok(list) => {
            for (name, _title, svg) in list {
                chart_html.push_str(&report::svg_html(svg));
                pending.push((name.clone(), svg.clone()));
            }
        }
        Err(reason) => chart_html.push_str(&report::p_html(&format!("No chart: {reason}."))),
    }
    let html = report::report_html(
        &format!("{} ({}): sweep", p.scenario.name, p.label),
        &[
            Section {
                heading: "Sweep".into(),
                body_html: report::p_html(&summary),
            },
            Section {
                heading: "Charts".into(),
                body_html: chart_html,
            },
            Section {
                heading: "Scenario".into(),
                body_html: report::sources_html(&p.scenario.sources),
            },
            Section {
                heading: "Manifest".into(),
                body_html: report::pre_html(&format!("{manifest:#}")),
            },
        ],
    );
    pending.push(("report.html".into(), html));
    let mut files_out = Vec::new();
    for (name, body) in pending {
        let path = p.dir.join(&name);
        let mut f = AtomicFile::create(&path)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        f.write_all(body.as_bytes())
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        files_out.push((name, f));
    }
    for (name, f) in files_out {
        f.commit()
            .with_context(|| format!("cannot write `{}`", p.dir.join(&name).display()))?;
        written.push(name);
    }
    Ok(written)
}
