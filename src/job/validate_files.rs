//! The files of `validate`'s results folder: `validation.csv` (one row per
//! case), `validation_summary.csv` (each alliance, then all cases), the chart
//! `validation.svg`, the page `report.html` (its answer first, then the
//! chart, the cases, the groups beside the baselines, the CSV files, each
//! scenario's text and the manifest) and `manifest.json`, staged and put in
//! place whole.

use serde_json::json;

use super::validate::{
    common, overall_lines, Scored, ValidateJob, BASELINES_NOTE, FLOORED_NOTE, SCORES_NOTE,
};
use super::{cannot_write, IoContext, JobError};
use crate::analysis::cases::CaseSet;
use crate::analysis::validate::{self, GroupRow, Row};
use crate::output::charts;
use crate::output::folder::Committed;
use crate::output::manifest;
use crate::output::report::{self, Section};
use crate::output::table::thousands;

/// Writes `validation.csv`, `validation_summary.csv`, the chart and the
/// report and `manifest.json` into a staging folder put in place whole.
pub(crate) fn write_results(
    job: &ValidateJob,
    scored: &Scored,
    threads: usize,
) -> Result<Committed, JobError> {
    let plan = &job.set;
    let draws = &job.draws;
    let dir = job.dir.as_path();
    let staged = super::stage(dir)?;

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
    validate::write_csv(&mut csv_bytes, &rows)
        .context_io(|| cannot_write(dir, "validation.csv"))?;
    let mut summary_bytes = Vec::new();
    validate::write_summary_csv(&mut summary_bytes, &scored.groups)
        .context_io(|| cannot_write(dir, "validation_summary.csv"))?;

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
        &page_lead(job, scored),
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
            .context_io(|| cannot_write(dir, name))?;
    }
    super::commit(staged, job.replace, job.dialect)
}

/// Fill of a case's bar when its historical outcome was the most likely.
const MODAL_FILL: &str = "#1f77b4";
/// Fill of a case's bar when another outcome was more likely.
const MISSED_FILL: &str = "#ff7f0e";

/// The page's answer first: the overall line, the baselines and the rule.
fn page_lead(job: &ValidateJob, scored: &Scored) -> Vec<String> {
    let plan = &job.set;
    let (overall, baselines) = overall_lines(scored.overall());
    let n = plan.cases.len();
    let mut first = format!(
        "Overall, of {n} historical case{}: {overall}. Baselines on the same cases: {baselines}.",
        if n == 1 { "" } else { "s" }
    );
    let missed = job.missed(scored);
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
        html.push_str(&report::note_html(FLOORED_NOTE));
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
