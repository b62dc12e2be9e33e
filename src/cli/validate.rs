//! `alliance-sim validate [PATH...]`: run every scenario that records a
//! historical outcome (`[expected]`), score how well the model and two
//! baselines give it, print a table per alliance and write
//! `validation.csv`, `validation_summary.csv` and `manifest.json` to
//! `OUT/validation/`. It reports and does not judge: the exit code is 0
//! whatever the fit, unless `--require-modal` is given.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use serde_json::json;

use alliance_sim::analysis::cases::{self, CaseSet, Overrides};
use alliance_sim::analysis::validate::{
    self, CaseScore, ForecastScore, GroupRow, LibraryCase, Overall, Row,
};
use alliance_sim::output::charts;
use alliance_sim::output::dialect::Dialect;
use alliance_sim::output::folder::{Committed, Replace, Staged};
use alliance_sim::output::manifest;
use alliance_sim::output::report::{self, Section};
use alliance_sim::output::table::thousands;
use alliance_sim::posterior::{self, Applied, Posterior};

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

/// The cases, and with `--posterior` the draws that apply to each.
struct Plan {
    set: CaseSet,
    posterior: Vec<Option<Applied>>,
}

/// Loads every case, reporting all scenario errors before failing, and
/// applies the posterior to each.
fn prepare(args: &ValidateArgs) -> anyhow::Result<Plan> {
    let overrides = Overrides {
        runs: args.runs.runs,
        seed: args.sim.seed,
        rule: args.rule.rule,
    };
    let set = super::load_cases(&args.paths, overrides)?;
    let mut posterior = Vec::with_capacity(set.cases.len());
    match &args.posterior.posterior {
        Some(f) => {
            let p = std::sync::Arc::new(Posterior::read(f)?);
            for c in &set.cases {
                posterior.push(Some(Applied::new(&p, &c.scenario, &c.file)?));
            }
        }
        None => posterior.resize_with(set.cases.len(), || None),
    }
    Ok(Plan { set, posterior })
}

/// Runs and scores every historical case.
pub fn execute(args: &ValidateArgs) -> anyhow::Result<()> {
    let Plan {
        set: plan,
        posterior: draws,
    } = prepare(args)?;
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
    let (pool, threads) = super::worker_pool(args.sim.threads)?;

    for (c, d) in plan.cases.iter().zip(&draws) {
        if let Some(d) = d {
            super::note_skipped(&c.file, d);
        }
    }
    let scores = pool.install(|| simulate_all(&plan, &draws, args.sim.quiet))?;
    let scored = Scored::new(&plan, scores);

    let dir = args.sim.out.join("validation");
    let folder = write_results(
        &dir,
        &plan,
        &draws,
        &scored,
        threads,
        args.sim.replace(),
        args.sim.dialect(),
    )?;
    print_table(&plan, &draws, &scored, &folder.dir)?;
    super::note_folder(&folder);

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
                    c.expected_ids().join(" or "),
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

/// The model's and the baselines' scores of every case, and their means by
/// alliance and over all cases.
struct Scored {
    model: Vec<CaseScore>,
    base_rate: Vec<ForecastScore>,
    granted: Vec<ForecastScore>,
    groups: Vec<GroupRow>,
}

impl Scored {
    fn new(plan: &CaseSet, model: Vec<CaseScore>) -> Scored {
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
fn simulate_all(
    plan: &CaseSet,
    draws: &[Option<Applied>],
    quiet: bool,
) -> anyhow::Result<Vec<CaseScore>> {
    let total: u64 = plan.cases.iter().map(|c| c.runs).sum();
    let started = Instant::now();
    let bar = super::progress::bar(total, 0, "runs", quiet || total < 1_000_000);
    let mut scores = Vec::with_capacity(plan.cases.len());
    let mut before = 0;
    for (case, applied) in plan.cases.iter().zip(draws) {
        let models = posterior::models(&case.scenario, case.rule, applied.as_ref())?;
        let progress = |done: u64| super::progress::update(&bar, before + done, 0, 1, started);
        let result = cases::score_case(case, &models, true, Some(&progress), Some(&super::STOP));
        let score = match result {
            Ok(s) => s,
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
        scores.push(score);
    }
    bar.finish_and_clear();

    Ok(scores)
}

/// Writes `validation.csv`, `validation_summary.csv`, the chart and the
/// report and `manifest.json` into a staging folder put in place whole.
fn write_results(
    dir: &Path,
    plan: &CaseSet,
    draws: &[Option<Applied>],
    scored: &Scored,
    threads: usize,
    replace: Replace,
    dialect: Dialect,
) -> anyhow::Result<Committed> {
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty());
    let staged = Staged::begin(parent.unwrap_or(Path::new(".")), "validation")
        .map_err(super::folder_error)?;
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
            expected: c.expected_ids(),
            modal_option: &c.scenario.options[scored.model[i].modal_level].id,
            expected_blockers: c.blocker_ids(),
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
        .zip(draws)
        .map(|((c, rule), applied)| {
            let (sha, files_read) = manifest::scenario_digest(&c.scenario);
            let mut case = json!({
                "scenario": c.label,
                "scenario_name": c.scenario.name,
                "alliance": c.alliance,
                "scenario_sha256": sha,
                "scenario_files": files_read,
                "expected": c.expected_ids(),
                "expected_blockers": c.blockers.map(|_| c.blocker_ids()),
                "expected_source": c.scenario.expected.as_ref().map(|e| e.source.clone()),
                "rule": rule,
                "seed": c.seed,
                "runs": c.runs,
                "noise": c.scenario.montecarlo.noise,
                "noise_model": c.scenario.montecarlo.noise_model.name(),
                "abstention_band": c.scenario.abstention_band,
            });
            if let Some(p) = applied {
                case["posterior"] = p.record().to_json();
            }
            case
        })
        .collect();
    let m = json!({
        "tool": "alliance-sim",
        "version": env!("CARGO_PKG_VERSION"),
        "command": manifest::command_line(),
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
    let fills: Vec<&str> = scored
        .model
        .iter()
        .map(|s| if s.modal { MODAL_FILL } else { MISSED_FILL })
        .collect();
    let svg = charts::probability_bars(
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
        &charts::BarLegend {
            fills: &fills,
            keys: &[
                (
                    MODAL_FILL,
                    "the historical outcome was the model's most likely",
                ),
                (MISSED_FILL, "another outcome was more likely"),
            ],
            note: "bar: share of runs giving the historical outcome; whisker: 95% interval",
        },
    );
    let posterior_note = draws
        .iter()
        .find_map(|d| d.as_ref())
        .map_or(String::new(), |p| report::p_html(&p.record().sentence()));
    let mut sections = vec![
        Section {
            heading: "Validation against history".into(),
            body_html: posterior_note
                + &report::svg_html(&svg)
                + &report::note_html(
                    "Each bar is a case, labelled with its historical outcome in brackets: \
                     the model's probability of that outcome, blue where it was the most \
                     likely outcome, orange where another was more likely.",
                )
                + &cases_table(plan, scored),
        },
        Section {
            heading: "By alliance, beside the baselines".into(),
            body_html: groups_table(&scored.groups)
                + &report::note_html(SCORES_NOTE)
                + &report::note_html(BASELINES_NOTE),
        },
        Section {
            heading: "Files: validation.csv and validation_summary.csv".into(),
            body_html: report::csv_table_html(&String::from_utf8_lossy(&csv_bytes))
                + &report::csv_table_html(&String::from_utf8_lossy(&summary_bytes)),
        },
    ];
    // Cases share rosters and options: each file's text is shown once.
    let mut shown = std::collections::HashSet::new();
    for c in &plan.cases {
        sections.push(Section {
            heading: format!("Scenario {}", c.label),
            body_html: report::sources_html_once(&c.scenario.sources, &mut shown),
        });
    }
    sections.push(Section {
        heading: "Manifest".into(),
        body_html: report::pre_html(&manifest_json),
    });
    let html = report::report_with_lead(
        "Validation against history",
        &page_lead(plan, scored),
        &sections,
    );
    for (name, body) in [
        ("validation.csv", csv_bytes),
        ("validation_summary.csv", summary_bytes),
        ("validation.svg", svg.into_bytes()),
        ("report.html", html.into_bytes()),
        ("manifest.json", manifest_json.into_bytes()),
    ] {
        staged
            .write(name, &body)
            .with_context(|| cannot_write(name))?;
    }
    staged
        .commit_in(replace, dialect)
        .map_err(super::folder_error)
}

/// Fill of a case's bar when its historical outcome was the most likely.
const MODAL_FILL: &str = "#1f77b4";
/// Fill of a case's bar when another outcome was more likely.
const MISSED_FILL: &str = "#ff7f0e";

/// What the scores mean, as the terminal says it.
const SCORES_NOTE: &str = "log score: −ln p, 0 is perfect, lower is better; Brier: (p − 1)² + Σ other p_k², 0 is perfect, 2 is worst";
/// What the baselines are, as the terminal says it.
const BASELINES_NOTE: &str = "base: the base rate's p (how often the other cases ended in none / part / all of the request); req.: p if the request were always granted";

/// The overall line and the baselines' line, as the terminal prints them
/// (without the leading "overall: " and "baselines on the same cases: ").
fn overall_lines(all: &GroupRow) -> (String, String) {
    (
        format!(
            "historical outcome most likely in {} of {} case{}; mean log score {:.3}; mean Brier {:.3}",
            all.model.modal,
            all.model.cases,
            if all.model.cases == 1 { "" } else { "s" },
            all.model.mean_log_score,
            all.model.mean_brier
        ),
        format!(
            "base rate {}; request granted {}",
            overall_words(&all.base_rate),
            overall_words(&all.granted)
        ),
    )
}

/// The page's answer first: the overall line, the baselines and the rule.
fn page_lead(plan: &CaseSet, scored: &Scored) -> Vec<String> {
    let all = scored.groups.last().expect("the overall group");
    let (overall, baselines) = overall_lines(all);
    let n = plan.cases.len();
    let mut first = format!(
        "Overall, of {n} historical case{}: {overall}. Baselines on the same cases: {baselines}.",
        if n == 1 { "" } else { "s" }
    );
    let missed: Vec<String> = plan
        .cases
        .iter()
        .zip(&scored.model)
        .filter(|(_, s)| !s.modal)
        .map(|(c, s)| {
            format!(
                "{} (historical {}, most likely {})",
                c.label,
                c.expected_ids().join(" or "),
                c.scenario.options[s.modal_level].id
            )
        })
        .collect();
    if !missed.is_empty() {
        first.push_str(&format!(" Missed: {}.", missed.join("; ")));
    }
    let mut lead = vec![first];
    let runs = common(plan.cases.iter().map(|c| thousands(c.runs)));
    match plan.cases.first() {
        Some(c) if plan.cases.iter().all(|d| d.rule == c.rule) => {
            lead.push(format!("{} {runs} runs per case.", c.rule.described()))
        }
        _ => lead.push(format!(
            "Each case under its own scenario's decision rule, {runs} runs per case."
        )),
    }
    lead
}

/// The cases, one row each: historical outcome, the model's probability of
/// it, whether it was the most likely, scores and the baselines'.
fn cases_table(plan: &CaseSet, scored: &Scored) -> String {
    let rows: Vec<Vec<String>> = plan
        .cases
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let s = &scored.model[i];
            vec![
                c.alliance.clone(),
                format!("{} ({})", c.scenario.name, c.label),
                c.expected_ids().join(" or "),
                format!("{:.3}", s.share.probability),
                format!("[{:.3}, {:.3}]", s.share.ci_low, s.share.ci_high),
                if s.modal {
                    "yes".into()
                } else {
                    format!("no: {}", c.scenario.options[s.modal_level].id)
                },
                format!(
                    "{:.3}{}",
                    s.log_score,
                    if s.log_score_floored { "*" } else { "" }
                ),
                format!("{:.3}", s.brier),
                format!("{:.3}", scored.base_rate[i].probability),
                format!("{:.3}", scored.granted[i].probability),
            ]
        })
        .collect();
    let mut html = report::table_html(
        &[
            "alliance",
            "case",
            "historical",
            "p",
            "95% interval",
            "most likely?",
            "log score",
            "Brier",
            "base",
            "req.",
        ],
        &rows,
    );
    if scored.model.iter().any(|s| s.log_score_floored) {
        html.push_str(&report::note_html(
            "* no run gave the historical outcome: log score at the floor p = 0.5/runs (truly infinite)",
        ));
    }
    html
}

/// The groups (each alliance, then all cases) under the model and the two
/// baselines, in words a reader can scan.
fn groups_table(groups: &[GroupRow]) -> String {
    let rows: Vec<Vec<String>> = groups
        .iter()
        .map(|g| {
            let mut row = vec![
                if g.alliance == "all" {
                    "all cases".to_string()
                } else {
                    g.alliance.clone()
                },
                g.model.cases.to_string(),
            ];
            for o in [&g.model, &g.base_rate, &g.granted] {
                row.push(format!("{} of {}", o.modal, o.cases));
                row.push(format!("{:.3}", o.mean_log_score));
                row.push(format!("{:.3}", o.mean_brier));
            }
            row
        })
        .collect();
    report::table_html(
        &[
            "alliance",
            "cases",
            "model: most likely",
            "model: log",
            "model: Brier",
            "base rate: most likely",
            "base rate: log",
            "base rate: Brier",
            "granted: most likely",
            "granted: log",
            "granted: Brier",
        ],
        &rows,
    )
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

fn print_table(
    plan: &CaseSet,
    draws: &[Option<Applied>],
    scored: &Scored,
    dir: &Path,
) -> anyhow::Result<()> {
    let mut out = String::new();
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
    out.push_str(&alliance_sim::output::table::meanings(
        plan.cases.iter().map(|c| &c.rule),
    ));
    if let Some(p) = draws.iter().find_map(|d| d.as_ref()) {
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
        .map(|c| c.expected_ids().join("|").chars().count())
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
                    c.blocker_ids().join(", "),
                    b.probability
                ),
                None => String::new(),
            };
            writeln!(
                out,
                "  {:case_w$}  {:hist_w$}  {:>5.3}  [{:.3}, {:.3}]  {:5}  {:>9}  {:>5.3}  {:>5.3}  {:>5.3}{blockers}",
                c.label,
                c.expected_ids().join("|"),
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
    let (overall, baselines) = overall_lines(all);
    writeln!(out, "overall: {overall}")?;
    writeln!(out, "baselines on the same cases: {baselines}")?;
    writeln!(out, "{SCORES_NOTE}")?;
    writeln!(out, "{BASELINES_NOTE}")?;
    if scored.model.iter().any(|s| s.log_score_floored) {
        writeln!(
            out,
            "* no run gave the historical outcome: log score at the floor p = 0.5/runs (truly infinite)"
        )?;
    }
    writeln!(out, "results in {}/", dir.display())?;
    Ok(super::console::out(&out)?)
}
