//! `alliance-sim validate [PATH...]`: run every scenario that records a
//! historical outcome (`[expected]`), score how well the model gives it, print
//! a table and write `validation.csv` and `manifest.json` to
//! `OUT/validation/`. It reports and does not judge: the exit code is 0
//! whatever the fit, unless `--require-modal` is given.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use serde_json::json;

use alliance_sim::analysis::validate::{self, CaseScore, Row};
use alliance_sim::model::{DecisionRule, Model};
use alliance_sim::output::atomic::{self, AtomicFile};
use alliance_sim::output::charts;
use alliance_sim::output::manifest;
use alliance_sim::output::report::{self, Section};
use alliance_sim::output::table::thousands;
use alliance_sim::runner::{self, Observers};
use alliance_sim::scenario::{self, limits::MAX_RUNS, Scenario};

use super::{BadInput, Interrupted};

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files, or folders: every `*.toml` directly inside a folder
    /// (not in its subfolders) that has an `[expected]` table.
    #[arg(value_name = "PATH", default_value = "scenarios")]
    pub paths: Vec<PathBuf>,
    /// Number of runs per case (default: each scenario's `[montecarlo] runs`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_RUNS))]
    pub runs: Option<u64>,
    /// Master seed (default: each scenario's `[montecarlo] seed`).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores, or SLURM_CPUS_PER_TASK in a Slurm job). Results do not depend on it.
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Decision rule instead of each scenario's: unanimity, unanimity:abstention_blocks,
    /// majority, qualified_majority:THRESHOLD, weighted:ATTRIBUTE:QUOTA, hegemon_majority.
    #[arg(long, value_name = "RULE", value_parser = super::parse_rule)]
    pub rule: Option<DecisionRule>,
    /// Folder for results; writes OUT/validation/validation.csv and manifest.json.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// Exit with code 1 (after writing the results) if any case's historical
    /// outcome is not the most likely one.
    #[arg(long)]
    pub require_modal: bool,
    /// No progress display on the terminal.
    #[arg(long, short)]
    pub quiet: bool,
}

/// One historical case, checked and ready to run.
struct Case {
    file: PathBuf,
    label: String,
    scenario: Scenario,
    level: usize,
    rule: DecisionRule,
    runs: u64,
    seed: u64,
}

/// The cases to run and how many folder files had no `[expected]` table.
struct Plan {
    cases: Vec<Case>,
    skipped: usize,
}

/// The `*.toml` files directly inside `dir`, sorted by file name.
fn folder_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| BadInput(format!("cannot read the folder `{}`: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(files)
}

/// Loads and checks every file and setting before any run starts.
fn prepare(args: &ValidateArgs) -> anyhow::Result<Plan> {
    let mut plan = Plan {
        cases: Vec::new(),
        skipped: 0,
    };
    let mut errors = Vec::new();
    for path in &args.paths {
        let (files, from_folder) = if path.is_dir() {
            (folder_files(path)?, true)
        } else {
            (vec![path.clone()], false)
        };
        for file in files {
            let s = match scenario::load(&file) {
                Ok(s) => s,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let Some(expected) = &s.expected else {
                if from_folder {
                    plan.skipped += 1;
                    continue;
                }
                return Err(BadInput(format!(
                    "{}: no `[expected]` table, so there is no historical outcome to validate against",
                    file.display()
                ))
                .into());
            };
            let rule = args.rule.unwrap_or(s.rule);
            if matches!(rule, DecisionRule::HegemonMajority) && s.alliance.hegemon.is_none() {
                return Err(BadInput(format!(
                    "{}: the hegemon_majority rule needs `alliance.hegemon`, which this scenario does not name",
                    file.display()
                ))
                .into());
            }
            let (label, _) = super::result_dir(&args.out, &file);
            plan.cases.push(Case {
                level: expected.level,
                label,
                runs: args.runs.unwrap_or(s.montecarlo.runs),
                seed: args.seed.unwrap_or(s.montecarlo.seed),
                rule,
                file,
                scenario: s,
            });
        }
    }
    match errors.len() {
        0 => Ok(plan),
        1 => Err(errors.remove(0).into()),
        n => {
            for e in &errors[..n - 1] {
                eprintln!("error: {e}");
            }
            Err(errors.remove(n - 1).into())
        }
    }
}

/// Runs and scores every historical case.
pub fn execute(args: &ValidateArgs) -> anyhow::Result<()> {
    let plan = prepare(args)?;
    if plan.cases.is_empty() {
        return Err(BadInput(format!(
            "no scenario with an `[expected]` table in {} (skipped {} file{} without [expected])",
            args.paths
                .iter()
                .map(|p| format!("`{}`", p.display()))
                .collect::<Vec<_>>()
                .join(", "),
            plan.skipped,
            if plan.skipped == 1 { "" } else { "s" }
        ))
        .into());
    }
    super::catch_signals();
    let (pool, threads) = super::worker_pool(args.threads)?;

    let scores = pool.install(|| simulate_all(&plan, args.quiet))?;

    let dir = args.out.join("validation");
    write_results(&dir, &plan, &scores, threads)?;
    print_table(&plan, &scores, &dir)?;

    if args.require_modal {
        let missed: Vec<String> = plan
            .cases
            .iter()
            .zip(&scores)
            .filter(|(_, s)| !s.modal)
            .map(|(c, s)| {
                format!(
                    "{} (historical {}, most likely {})",
                    c.label, c.scenario.options[c.level].id, c.scenario.options[s.modal_level].id
                )
            })
            .collect();
        if !missed.is_empty() {
            anyhow::bail!(
                "--require-modal: the historical outcome is not the most likely in {} of {} case{}: {}",
                missed.len(),
                scores.len(),
                if scores.len() == 1 { "" } else { "s" },
                missed.join("; ")
            );
        }
    }
    Ok(())
}

/// Runs every case in turn on the current pool and scores it.
fn simulate_all(plan: &Plan, quiet: bool) -> anyhow::Result<Vec<CaseScore>> {
    let total: u64 = plan.cases.iter().map(|c| c.runs).sum();
    let started = Instant::now();
    let bar = super::progress::bar(total, 0, "runs", quiet || total < 1_000_000);
    let mut scores = Vec::with_capacity(plan.cases.len());
    let mut before = 0;
    for case in &plan.cases {
        let model = Model::new(&case.scenario, case.rule);
        let progress = |done: u64| super::progress::update(&bar, before + done, 0, 1, started);
        let observers = Observers {
            records: None,
            progress: Some(&progress),
            cancel: Some(&super::STOP),
        };
        let result = runner::simulate(&model, case.seed, 0..case.runs, observers);
        let tally = match result {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                bar.finish_and_clear();
                return Err(Interrupted(format!(
                    "interrupted during {}; nothing was written",
                    case.file.display()
                ))
                .into());
            }
            Err(e) => return Err(e).context("simulation failed"),
        };
        before += case.runs;
        scores.push(validate::score(case.level, &tally));
    }
    bar.finish_and_clear();

    Ok(scores)
}

/// Writes `validation.csv`, then `manifest.json`, each atomically.
fn write_results(
    dir: &Path,
    plan: &Plan,
    scores: &[CaseScore],
    threads: usize,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the output folder `{}`", dir.display()))?;
    atomic::remove_stale_temps(dir);
    let cannot_write = |name: &str| format!("cannot write `{}`", dir.join(name).display());

    let rules: Vec<String> = plan.cases.iter().map(|c| c.rule.to_string()).collect();
    let rows: Vec<Row> = plan
        .cases
        .iter()
        .zip(scores)
        .zip(&rules)
        .map(|((c, s), rule)| Row {
            scenario: &c.label,
            rule,
            expected: &c.scenario.options[c.level].id,
            score: *s,
        })
        .collect();
    let mut csv_bytes = Vec::new();
    validate::write_csv(&mut csv_bytes, &rows).with_context(|| cannot_write("validation.csv"))?;
    let mut csv_file = AtomicFile::create(&dir.join("validation.csv"))
        .with_context(|| cannot_write("validation.csv"))?;
    csv_file
        .write_all(&csv_bytes)
        .with_context(|| cannot_write("validation.csv"))?;

    let cases: Vec<serde_json::Value> = plan
        .cases
        .iter()
        .zip(&rules)
        .map(|(c, rule)| {
            let (sha, files_read) = manifest::scenario_digest(&c.scenario);
            json!({
                "scenario": c.label,
                "scenario_name": c.scenario.name,
                "scenario_sha256": sha,
                "scenario_files": files_read,
                "expected": c.scenario.options[c.level].id,
                "expected_source": c.scenario.expected.as_ref().map(|e| e.source.clone()),
                "rule": rule,
                "seed": c.seed,
                "runs": c.runs,
                "noise": c.scenario.montecarlo.noise,
                "abstention_band": c.scenario.abstention_band,
            })
        })
        .collect();
    let m = json!({
        "tool": "alliance-sim",
        "version": env!("CARGO_PKG_VERSION"),
        "command": std::env::args().collect::<Vec<_>>(),
        "cases": cases,
        "skipped_without_expected": plan.skipped,
        "log_score": "-ln(max(p, 0.5/runs)); log_score_floored = true when p = 0",
        "brier": "sum over all levels k of (p_k - o_k)^2, o_k = 1 for the historical level",
        "threads": threads,
        "generator": "ChaCha8Rng::seed_from_u64(seed), stream = run index",
        "files": ["validation.csv", "validation.svg", "report.html"],
    });
    let manifest_json = format!("{m:#}\n");
    let labels: Vec<String> = rows
        .iter()
        .map(|r| format!("{} ({})", r.scenario, r.expected))
        .collect();
    let svg = charts::outcome_bars(
        "Probability of the historical outcome",
        &labels,
        &scores
            .iter()
            .map(|s| s.share.probability)
            .collect::<Vec<_>>(),
        &scores.iter().map(|s| s.share.ci_low).collect::<Vec<_>>(),
        &scores.iter().map(|s| s.share.ci_high).collect::<Vec<_>>(),
    );
    let mut sections = vec![Section {
        heading: "Validation against history".into(),
        body_html: report::svg_html(&svg)
            + &report::csv_table_html(&String::from_utf8_lossy(&csv_bytes)),
    }];
    for c in &plan.cases {
        sections.push(Section {
            heading: format!("Scenario {}", c.label),
            body_html: report::sources_html(&c.scenario.sources),
        });
    }
    sections.push(Section {
        heading: "Manifest".into(),
        body_html: report::pre_html(&manifest_json),
    });
    let html = report::report_html("Validation against history", &sections);
    let mut extra = Vec::new();
    for (name, body) in [("validation.svg", svg), ("report.html", html)] {
        let mut f = AtomicFile::create(&dir.join(name)).with_context(|| cannot_write(name))?;
        f.write_all(body.as_bytes())
            .with_context(|| cannot_write(name))?;
        extra.push((name, f));
    }
    let mut manifest_file = AtomicFile::create(&dir.join("manifest.json"))
        .with_context(|| cannot_write("manifest.json"))?;
    manifest_file
        .write_all(manifest_json.as_bytes())
        .with_context(|| cannot_write("manifest.json"))?;

    csv_file
        .commit()
        .with_context(|| cannot_write("validation.csv"))?;
    for (name, f) in extra {
        f.commit().with_context(|| cannot_write(name))?;
    }
    manifest_file
        .commit()
        .with_context(|| cannot_write("manifest.json"))?;
    Ok(())
}

/// A setting that is the same for every case, or "per scenario".
fn common<T: PartialEq + ToString>(values: impl Iterator<Item = T>) -> String {
    let values: Vec<T> = values.collect();
    match values.first() {
        Some(v) if values.iter().all(|x| x == v) => v.to_string(),
        _ => "per scenario".into(),
    }
}

fn print_table(plan: &Plan, scores: &[CaseScore], dir: &Path) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let n = plan.cases.len();
    writeln!(
        out,
        "Validation against history: {n} case{}; skipped {} file{} without [expected]",
        if n == 1 { "" } else { "s" },
        plan.skipped,
        if plan.skipped == 1 { "" } else { "s" }
    )?;
    writeln!(
        out,
        "rule {}, runs {}, seed {}",
        common(plan.cases.iter().map(|c| c.rule.to_string())),
        common(plan.cases.iter().map(|c| thousands(c.runs))),
        common(plan.cases.iter().map(|c| c.seed)),
    )?;
    writeln!(out)?;
    let case_w = plan
        .cases
        .iter()
        .map(|c| c.label.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let hist_w = plan
        .cases
        .iter()
        .map(|c| c.scenario.options[c.level].id.chars().count())
        .max()
        .unwrap_or(0)
        .max(10);
    writeln!(
        out,
        "  {:case_w$}  {:hist_w$}  {:>5}  {:14}  {:5}  {:>9}  {:>5}",
        "case", "historical", "p", "95% interval", "modal", "log score", "Brier"
    )?;
    for (c, s) in plan.cases.iter().zip(scores) {
        let log = format!(
            "{:.3}{}",
            s.log_score,
            if s.log_score_floored { "*" } else { "" }
        );
        writeln!(
            out,
            "  {:case_w$}  {:hist_w$}  {:>5.3}  [{:.3}, {:.3}]  {:5}  {:>9}  {:>5.3}",
            c.label,
            c.scenario.options[c.level].id,
            s.share.probability,
            s.share.ci_low,
            s.share.ci_high,
            if s.modal { "yes" } else { "no" },
            log,
            s.brier
        )?;
    }
    let o = validate::overall(scores);
    writeln!(out)?;
    writeln!(
        out,
        "overall: historical outcome most likely in {} of {} case{}; mean log score {:.3}; mean Brier {:.3}",
        o.modal,
        o.cases,
        if o.cases == 1 { "" } else { "s" },
        o.mean_log_score,
        o.mean_brier
    )?;
    writeln!(
        out,
        "log score: −ln p, 0 is perfect, lower is better; Brier: Σ(p_k − o_k)², 0 is perfect, 2 is worst"
    )?;
    if scores.iter().any(|s| s.log_score_floored) {
        writeln!(
            out,
            "* no run gave the historical outcome: log score at the floor p = 0.5/runs (truly infinite)"
        )?;
    }
    writeln!(out, "results in {}/", dir.display())?;
    Ok(())
}
