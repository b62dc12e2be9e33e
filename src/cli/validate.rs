//! `alliance-sim validate [PATH...]`: run every scenario that records a
//! historical outcome (`[expected]`), score how well the model and two
//! baselines give it, print a table per alliance and write
//! `validation.csv`, `validation_summary.csv` and `manifest.json` to
//! `OUT/validation/`. It reports and does not judge: the exit code is 0
//! whatever the fit, unless `--require-modal` is given.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use serde_json::json;

use alliance_sim::analysis::validate::{
    self, CaseScore, ForecastScore, GroupRow, LibraryCase, Overall, Row,
};
use alliance_sim::model::DecisionRule;
use alliance_sim::output::atomic::{self, AtomicFile};
use alliance_sim::output::charts;
use alliance_sim::output::manifest;
use alliance_sim::output::report::{self, Section};
use alliance_sim::output::table::thousands;
use alliance_sim::posterior::{self, Applied, Posterior};
use alliance_sim::runner::{Observers, RunRecord};
use alliance_sim::scenario::limits::MAX_FILE_BYTES;
use alliance_sim::scenario::{self, Scenario};

use super::args::{PosteriorArg, RuleArg, RunsArg, SimArgs};
use super::{BadInput, Interrupted};

/// Arguments of `validate`.
#[derive(Debug, Args)]
#[command(
    after_help = "Results: OUT/validation/. Each case is one simulation of --runs runs, with its scenario's seed unless --seed is given."
)]
pub struct ValidateArgs {
    /// Scenario files, or folders: every `*.toml` in a folder and its
    /// subfolders whose own text has an `[expected]` table (rosters and
    /// options files are skipped).
    #[arg(value_name = "PATH", default_value = "scenarios")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub runs: RunsArg,
    #[command(flatten)]
    pub sim: SimArgs,
    #[command(flatten)]
    pub rule: RuleArg,
    #[command(flatten)]
    pub posterior: PosteriorArg,
    /// Exit with code 1 (after writing the results) if any case's historical
    /// outcome is not the most likely one.
    #[arg(long)]
    pub require_modal: bool,
}

/// One historical case, checked and ready to run.
struct Case {
    file: PathBuf,
    label: String,
    scenario: Scenario,
    /// The acceptable historical levels, ascending.
    levels: Vec<usize>,
    /// The recorded blockers of the requested option, if any.
    blockers: Option<u64>,
    /// The alliance's name, which groups the cases.
    alliance: String,
    rule: DecisionRule,
    runs: u64,
    seed: u64,
    /// The posterior's draws applied to this case, with `--posterior`.
    posterior: Option<Applied>,
}

/// The cases to run and how many folder files had no `[expected]` table.
struct Plan {
    cases: Vec<Case>,
    skipped: usize,
}

/// The `*.toml` files in `dir` and its subfolders: each folder's files by
/// name, then its subfolders by name.
fn folder_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| BadInput(format!("cannot read the folder `{}`: {e}", dir.display())))?;
    let mut files = Vec::new();
    let mut folders = Vec::new();
    for entry in entries.filter_map(|e| e.ok()) {
        let path = entry.path();
        // Symbolic links to folders are not followed, so a loop cannot recur.
        let kind = entry.file_type();
        if kind.as_ref().is_ok_and(|k| k.is_dir()) {
            folders.push(path);
        } else if path.is_file() && path.extension().is_some_and(|x| x == "toml") {
            files.push(path);
        }
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    folders.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    for folder in folders {
        files.extend(folder_files(&folder)?);
    }
    Ok(files)
}

/// Whether a file's own text has an `[expected]` table; `None` if it is not
/// readable TOML (loading it then gives the error in full).
fn has_own_expected(file: &Path) -> Option<bool> {
    let meta = std::fs::metadata(file).ok()?;
    if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
        return None;
    }
    let text = std::fs::read_to_string(file).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    Some(table.contains_key("expected"))
}

/// Loads and checks every file and setting before any run starts.
fn prepare(args: &ValidateArgs) -> anyhow::Result<Plan> {
    let mut plan = Plan {
        cases: Vec::new(),
        skipped: 0,
    };
    let mut errors = Vec::new();
    let posterior = match &args.posterior.posterior {
        Some(f) => Some(Arc::new(Posterior::read(f)?)),
        None => None,
    };
    for path in &args.paths {
        let (files, from_folder) = if path.is_dir() {
            (folder_files(path)?, true)
        } else {
            (vec![path.clone()], false)
        };
        for file in files {
            if from_folder && has_own_expected(&file) == Some(false) {
                plan.skipped += 1;
                continue;
            }
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
            let rule = args.rule.rule.unwrap_or(s.rule);
            if matches!(rule, DecisionRule::HegemonMajority) && s.alliance.hegemon.is_none() {
                return Err(BadInput(format!(
                    "{}: the hegemon_majority rule needs `alliance.hegemon`, which this scenario does not name",
                    file.display()
                ))
                .into());
            }
            let (label, _) = super::result_dir(&args.sim.out, &file);
            let alliance = if s.alliance.name.is_empty() {
                "(alliance without a name)".to_string()
            } else {
                s.alliance.name.clone()
            };
            let draws = match &posterior {
                Some(p) => Some(Applied::new(p, &s, &file)?),
                None => None,
            };
            plan.cases.push(Case {
                posterior: draws,
                levels: expected.levels.clone(),
                blockers: expected.blockers,
                alliance,
                label,
                runs: args.runs.runs.unwrap_or(s.montecarlo.runs),
                seed: args.sim.seed.unwrap_or(s.montecarlo.seed),
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
    for c in &plan.cases {
        if let Some(draws) = &c.posterior {
            super::note_skipped(&c.file, draws);
        }
    }
    super::catch_signals();
    let (pool, threads) = super::worker_pool(args.sim.threads)?;

    let scores = pool.install(|| simulate_all(&plan, args.sim.quiet))?;
    let scored = Scored::new(&plan, scores);

    let dir = args.sim.out.join("validation");
    write_results(&dir, &plan, &scored, threads)?;
    print_table(&plan, &scored, &dir)?;

    if args.require_modal {
        let missed: Vec<String> = plan
            .cases
            .iter()
            .zip(&scored.model)
            .filter(|(_, s)| !s.modal)
            .map(|(c, s)| {
                format!(
                    "{} (historical {}, most likely {})",
                    c.label,
                    expected_ids(c).join(" or "),
                    c.scenario.options[s.modal_level].id
                )
            })
            .collect();
        if !missed.is_empty() {
            anyhow::bail!(
                "--require-modal: the historical outcome is not the most likely in {} of {} case{}: {}",
                missed.len(),
                scored.model.len(),
                if scored.model.len() == 1 { "" } else { "s" },
                missed.join("; ")
            );
        }
    }
    Ok(())
}

/// The ids of a case's acceptable historical options.
fn expected_ids(c: &Case) -> Vec<&str> {
    c.levels
        .iter()
        .map(|l| c.scenario.options[*l].id.as_str())
        .collect()
}

/// The ids of a case's recorded blockers, in file order.
fn blocker_ids(c: &Case) -> Vec<&str> {
    let set = c.blockers.unwrap_or(0);
    c.scenario
        .members
        .iter()
        .enumerate()
        .filter(|(i, _)| set >> i & 1 == 1)
        .map(|(_, m)| m.id.as_str())
        .collect()
}

/// The model's and the baselines' scores of every case, and their means by
/// alliance and over all cases.
struct Scored {
    model: Vec<CaseScore>,
    base_rate: Vec<ForecastScore>,
    granted: Vec<ForecastScore>,
    groups: Vec<GroupRow>,
}

impl Scored {
    fn new(plan: &Plan, model: Vec<CaseScore>) -> Scored {
        let cases: Vec<LibraryCase> = plan
            .cases
            .iter()
            .zip(&model)
            .map(|(c, score)| LibraryCase {
                alliance: &c.alliance,
                requested: c.scenario.crisis.requested,
                levels: c.scenario.options.len(),
                score,
            })
            .collect();
        let lib = validate::score_library(&cases);
        Scored {
            base_rate: lib.base_rate,
            granted: lib.granted,
            groups: lib.groups,
            model,
        }
    }
}

/// Runs every case in turn on the current pool and scores it.
fn simulate_all(plan: &Plan, quiet: bool) -> anyhow::Result<Vec<CaseScore>> {
    let total: u64 = plan.cases.iter().map(|c| c.runs).sum();
    let started = Instant::now();
    let bar = super::progress::bar(total, 0, "runs", quiet || total < 1_000_000);
    let mut scores = Vec::with_capacity(plan.cases.len());
    let mut before = 0;
    for case in &plan.cases {
        let models = posterior::models(&case.scenario, case.rule, case.posterior.as_ref())?;
        let progress = |done: u64| super::progress::update(&bar, before + done, 0, 1, started);
        // With recorded blockers, count the runs in which exactly they blocked.
        let mut matches = 0u64;
        let mut count = |records: &[RunRecord]| -> std::io::Result<()> {
            if let Some(set) = case.blockers {
                matches += records.iter().filter(|r| r.blockers == set).count() as u64;
            }
            Ok(())
        };
        let observers = Observers {
            records: case.blockers.is_some().then_some(&mut count as _),
            progress: Some(&progress),
            cancel: Some(&super::STOP),
        };
        let result = models.simulate(case.seed, 0..case.runs, observers);
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
        let matches = case.blockers.map(|_| matches);
        scores.push(validate::score(&case.levels, &tally, matches));
    }
    bar.finish_and_clear();

    Ok(scores)
}

/// Writes `validation.csv`, `validation_summary.csv`, the chart and the
/// report, then `manifest.json`, each atomically.
fn write_results(dir: &Path, plan: &Plan, scored: &Scored, threads: usize) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the output folder `{}`", dir.display()))?;
    atomic::remove_stale_temps(dir);
    let cannot_write = |name: &str| format!("cannot write `{}`", dir.join(name).display());

    let rules: Vec<String> = plan.cases.iter().map(|c| c.rule.to_string()).collect();
    let rows: Vec<Row> = plan
        .cases
        .iter()
        .enumerate()
        .map(|(i, c)| Row {
            scenario: &c.label,
            rule: &rules[i],
            alliance: &c.alliance,
            expected: expected_ids(c),
            modal_option: &c.scenario.options[scored.model[i].modal_level].id,
            expected_blockers: blocker_ids(c),
            score: &scored.model[i],
            base_rate: scored.base_rate[i],
            granted: scored.granted[i],
        })
        .collect();
    let mut csv_bytes = Vec::new();
    validate::write_csv(&mut csv_bytes, &rows).with_context(|| cannot_write("validation.csv"))?;
    let mut summary_bytes = Vec::new();
    validate::write_summary_csv(&mut summary_bytes, &scored.groups)
        .with_context(|| cannot_write("validation_summary.csv"))?;

    let cases: Vec<serde_json::Value> = plan
        .cases
        .iter()
        .zip(&rules)
        .map(|(c, rule)| {
            let (sha, files_read) = manifest::scenario_digest(&c.scenario);
            let mut case = json!({
                "scenario": c.label,
                "scenario_name": c.scenario.name,
                "alliance": c.alliance,
                "scenario_sha256": sha,
                "scenario_files": files_read,
                "expected": expected_ids(c),
                "expected_blockers": c.blockers.map(|_| blocker_ids(c)),
                "expected_source": c.scenario.expected.as_ref().map(|e| e.source.clone()),
                "rule": rule,
                "seed": c.seed,
                "runs": c.runs,
                "noise": c.scenario.montecarlo.noise,
                "abstention_band": c.scenario.abstention_band,
            });
            if let Some(p) = &c.posterior {
                case["posterior"] = p.record().to_json();
            }
            case
        })
        .collect();
    let m = json!({
        "tool": "alliance-sim",
        "version": env!("CARGO_PKG_VERSION"),
        "command": std::env::args().collect::<Vec<_>>(),
        "cases": cases,
        "skipped_without_expected": plan.skipped,
        "probability": "sum of p_k over the acceptable historical levels",
        "log_score": "-ln(max(p, 0.5/runs)); log_score_floored = true when p = 0",
        "brier": "(p - 1)^2 + sum over the other levels k of p_k^2",
        "base_rate": "leave-one-out frequency of none / part / granted among the other cases, plus one each; part shared among levels 1..r-1",
        "granted": "probability 1 on the requested level",
        "threads": threads,
        "generator": "ChaCha8Rng::seed_from_u64(seed), stream = run index",
        "files": ["validation.csv", "validation_summary.csv", "validation.svg", "report.html"],
    });
    let manifest_json = format!("{m:#}\n");
    let labels: Vec<String> = rows
        .iter()
        .map(|r| format!("{} ({})", r.scenario, r.expected.join(" or ")))
        .collect();
    let svg = charts::outcome_bars(
        "Probability of the historical outcome",
        &labels,
        &scored
            .model
            .iter()
            .map(|s| s.share.probability)
            .collect::<Vec<_>>(),
        &scored
            .model
            .iter()
            .map(|s| s.share.ci_low)
            .collect::<Vec<_>>(),
        &scored
            .model
            .iter()
            .map(|s| s.share.ci_high)
            .collect::<Vec<_>>(),
    );
    let posterior_note = plan
        .cases
        .iter()
        .find_map(|c| c.posterior.as_ref())
        .map_or(String::new(), |p| report::p_html(&p.record().sentence()));
    let mut sections = vec![
        Section {
            heading: "Validation against history".into(),
            body_html: posterior_note
                + &report::svg_html(&svg)
                + &report::csv_table_html(&String::from_utf8_lossy(&csv_bytes)),
        },
        Section {
            heading: "By alliance, beside the baselines".into(),
            body_html: report::csv_table_html(&String::from_utf8_lossy(&summary_bytes)),
        },
    ];
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
    let mut files = Vec::new();
    for (name, body) in [
        ("validation.csv", csv_bytes),
        ("validation_summary.csv", summary_bytes),
        ("validation.svg", svg.into_bytes()),
        ("report.html", html.into_bytes()),
        ("manifest.json", manifest_json.into_bytes()),
    ] {
        let mut f = AtomicFile::create(&dir.join(name)).with_context(|| cannot_write(name))?;
        f.write_all(&body).with_context(|| cannot_write(name))?;
        files.push((name, f));
    }
    // The manifest is last, so it is written only when the rest is in place.
    for (name, f) in files {
        f.commit().with_context(|| cannot_write(name))?;
    }
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

/// "modal 3 of 5, log 0.412, Brier 0.231" for one forecaster over a group.
fn overall_words(o: &Overall) -> String {
    format!(
        "modal {} of {}, log {:.3}, Brier {:.3}",
        o.modal, o.cases, o.mean_log_score, o.mean_brier
    )
}

fn print_table(plan: &Plan, scored: &Scored, dir: &Path) -> anyhow::Result<()> {
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
    if let Some(p) = plan.cases.iter().find_map(|c| c.posterior.as_ref()) {
        writeln!(out, "{}", p.record().sentence())?;
    }
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
        .map(|c| expected_ids(c).join("|").chars().count())
        .max()
        .unwrap_or(0)
        .max(10);
    for group in &scored.groups[..scored.groups.len() - 1] {
        writeln!(out)?;
        writeln!(out, "{}", group.alliance)?;
        writeln!(
            out,
            "  {:case_w$}  {:hist_w$}  {:>5}  {:14}  {:5}  {:>9}  {:>5}  {:>5}  {:>5}",
            "case",
            "historical",
            "p",
            "95% interval",
            "modal",
            "log score",
            "Brier",
            "base",
            "req."
        )?;
        for (i, c) in plan.cases.iter().enumerate() {
            if c.alliance != group.alliance {
                continue;
            }
            let s = &scored.model[i];
            let log = format!(
                "{:.3}{}",
                s.log_score,
                if s.log_score_floored { "*" } else { "" }
            );
            let blockers = match s.blockers {
                Some(b) => format!(
                    "  exactly {} blocked: {:.3}",
                    blocker_ids(c).join(", "),
                    b.probability
                ),
                None => String::new(),
            };
            writeln!(
                out,
                "  {:case_w$}  {:hist_w$}  {:>5.3}  [{:.3}, {:.3}]  {:5}  {:>9}  {:>5.3}  {:>5.3}  {:>5.3}{blockers}",
                c.label,
                expected_ids(c).join("|"),
                s.share.probability,
                s.share.ci_low,
                s.share.ci_high,
                if s.modal { "yes" } else { "no" },
                log,
                s.brier,
                scored.base_rate[i].probability,
                scored.granted[i].probability,
            )?;
        }
        writeln!(
            out,
            "  model: {}; base rate: {}; request granted: {}",
            overall_words(&group.model),
            overall_words(&group.base_rate),
            overall_words(&group.granted)
        )?;
    }
    let all = scored.groups.last().expect("the overall group");
    writeln!(out)?;
    writeln!(
        out,
        "overall: historical outcome most likely in {} of {} case{}; mean log score {:.3}; mean Brier {:.3}",
        all.model.modal,
        all.model.cases,
        if all.model.cases == 1 { "" } else { "s" },
        all.model.mean_log_score,
        all.model.mean_brier
    )?;
    writeln!(
        out,
        "baselines on the same cases: base rate {}; request granted {}",
        overall_words(&all.base_rate),
        overall_words(&all.granted)
    )?;
    writeln!(
        out,
        "log score: −ln p, 0 is perfect, lower is better; Brier: (p − 1)² + Σ other p_k², 0 is perfect, 2 is worst"
    )?;
    writeln!(
        out,
        "base: the base rate's p (how often the other cases ended in none / part / all of the request); req.: p if the request were always granted"
    )?;
    if scored.model.iter().any(|s| s.log_score_floored) {
        writeln!(
            out,
            "* no run gave the historical outcome: log score at the floor p = 0.5/runs (truly infinite)"
        )?;
    }
    writeln!(out, "results in {}/", dir.display())?;
    Ok(())
}
