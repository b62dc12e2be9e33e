//! The files of a calibration, in `OUT/calibration/`: `fit.csv`,
//! `cases.csv`, `scores.csv`, `folds.csv`, `posterior.csv` (with draws),
//! `noise_models.csv` (when noise models are compared), `calibrated.toml`,
//! `report.html` and `manifest.json` (written last).
//!
//! Probabilities and scores have six decimals; parameter values in
//! `posterior.csv`, `fit.csv` and `calibrated.toml` are written in full
//! (the shortest text that reads back as the same number), so that a
//! posterior replays exactly.

use std::io::{self, Write};
use std::path::Path;

use serde_json::json;

use crate::analysis::validate::CaseScore;
use crate::output::charts::{self, ReliabilitySeries};
use crate::output::csv::{number_cell, text_cell};
use crate::output::dialect::Dialect;
use crate::output::folder::{Committed, FolderError, Replace, Staged};
use crate::output::manifest;
use crate::output::report::{self, Section};
use crate::output::table::thousands;

use crate::scenario::NoiseModel;

use super::job::Outcome;
use super::{Calibration, Objective};

/// Columns of `fit.csv`.
pub const FIT_HEADER: [&str; 10] = [
    "parameter",
    "lower_bound",
    "upper_bound",
    "written",
    "estimate",
    "posterior_mean",
    "ci_low",
    "ci_high",
    "draws",
    "cases",
];

/// Columns of `cases.csv`.
pub const CASES_HEADER: [&str; 17] = [
    "case",
    "alliance",
    "expected",
    "runs",
    "p_written",
    "p_calibrated",
    "p_out_of_sample",
    "modal_written",
    "modal_calibrated",
    "modal_out_of_sample",
    "log_score_written",
    "log_score_calibrated",
    "log_score_out_of_sample",
    "brier_written",
    "brier_calibrated",
    "brier_out_of_sample",
    "base_rate_probability",
];

/// Columns of `scores.csv`.
pub const SCORES_HEADER: [&str; 5] = [
    "forecaster",
    "cases",
    "modal",
    "mean_log_score",
    "mean_brier",
];

/// What the run of the calibration took, for the manifest and the terminal.
#[derive(Debug, Clone, Copy)]
pub struct Effort {
    /// Worker threads.
    pub threads: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
}

fn csv_bytes(header: &[&str], rows: &[Vec<String>]) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| io::Error::other(e.to_string());
    w.write_record(header).map_err(err)?;
    for r in rows {
        w.write_record(r).map_err(err)?;
    }
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

/// A parameter value in full: the shortest decimal that reads back exactly.
fn full(x: f64) -> String {
    format!("{x}")
}

fn opt_cell(x: Option<f64>) -> String {
    x.map_or_else(String::new, number_cell)
}

/// `fit.csv`: one row per parameter.
pub fn fit_csv(o: &Objective, c: &Calibration) -> io::Result<Vec<u8>> {
    let rows: Vec<Vec<String>> = o
        .params()
        .iter()
        .enumerate()
        .map(|(j, p)| {
            let interval = c.interval(j);
            vec![
                text_cell(&p.path),
                full(p.lo),
                full(p.hi),
                full(c.written[j]),
                full(c.fit.theta[j]),
                c.chain
                    .as_ref()
                    .map_or_else(String::new, |ch| full(ch.mean(j))),
                interval.map_or_else(String::new, |i| full(i.0)),
                interval.map_or_else(String::new, |i| full(i.1)),
                c.chain.as_ref().map_or(0, |ch| ch.draws.len()).to_string(),
                o.cases_with(j).to_string(),
            ]
        })
        .collect();
    csv_bytes(&FIT_HEADER, &rows)
}

/// `cases.csv`: one row per case.
pub fn cases_csv(o: &Objective, c: &Calibration) -> io::Result<Vec<u8>> {
    let rows: Vec<Vec<String>> = o
        .cases()
        .iter()
        .enumerate()
        .map(|(i, case)| {
            let out = c.out_of_sample.as_ref().map(|v| &v[i]);
            let (b, a) = (&c.before[i], &c.after[i]);
            vec![
                text_cell(&case.label),
                text_cell(&case.alliance),
                text_cell(&case.expected_ids().join(";")),
                case.runs.to_string(),
                number_cell(b.share.probability),
                number_cell(a.share.probability),
                opt_cell(out.map(|s| s.share.probability)),
                b.modal.to_string(),
                a.modal.to_string(),
                out.map_or_else(String::new, |s| s.modal.to_string()),
                number_cell(b.log_score),
                number_cell(a.log_score),
                opt_cell(out.map(|s| s.log_score)),
                number_cell(b.brier),
                number_cell(a.brier),
                opt_cell(out.map(|s| s.brier)),
                number_cell(c.base_rate[i].probability),
            ]
        })
        .collect();
    csv_bytes(&CASES_HEADER, &rows)
}

/// `scores.csv`: the mean scores of each forecaster.
pub fn scores_csv(c: &Calibration) -> io::Result<Vec<u8>> {
    let rows: Vec<Vec<String>> = c
        .score_rows()
        .iter()
        .map(|r| {
            vec![
                text_cell(r.forecaster),
                r.overall.cases.to_string(),
                r.overall.modal.to_string(),
                number_cell(r.overall.mean_log_score),
                number_cell(r.overall.mean_brier),
            ]
        })
        .collect();
    csv_bytes(&SCORES_HEADER, &rows)
}

/// `folds.csv`: each refit of the cross-validation, what it left out and
/// where it landed.
pub fn folds_csv(o: &Objective, c: &Calibration) -> io::Result<Vec<u8>> {
    let mut header = vec!["fold", "held_out", "log_likelihood", "evaluations"];
    header.extend(o.params().iter().map(|p| p.path.as_str()));
    let rows: Vec<Vec<String>> = c
        .folds
        .iter()
        .map(|f| {
            let held: Vec<&str> = f
                .held_out
                .iter()
                .map(|i| o.cases()[*i].label.as_str())
                .collect();
            let mut row = vec![
                text_cell(&f.name),
                text_cell(&held.join(";")),
                number_cell(f.fit.log_likelihood),
                f.fit.evaluations.to_string(),
            ];
            row.extend(f.fit.theta.iter().map(|x| full(*x)));
            row
        })
        .collect();
    csv_bytes(&header, &rows)
}

/// `posterior.csv`: `draw`, one column per parameter path, `log_likelihood`.
/// This is the file `--posterior` reads.
pub fn posterior_csv(o: &Objective, c: &Calibration) -> io::Result<Vec<u8>> {
    let mut header = vec!["draw"];
    header.extend(o.params().iter().map(|p| p.path.as_str()));
    header.push("log_likelihood");
    let rows: Vec<Vec<String>> = c
        .chain
        .iter()
        .flat_map(|ch| ch.draws.iter().zip(&ch.log_likelihood).enumerate())
        .map(|(i, (d, ll))| {
            let mut row = vec![i.to_string()];
            row.extend(d.iter().map(|x| full(*x)));
            row.push(full(*ll));
            row
        })
        .collect();
    csv_bytes(&header, &rows)
}

/// `calibrated.toml`: a `[set]` table with the fitted values, which a
/// scenario can include to use the fit.
pub fn overlay_toml(o: &Objective, c: &Calibration) -> String {
    let mut s = String::new();
    s.push_str("# The maximum-likelihood fit of `alliance-sim calibrate`.\n");
    s.push_str(
        "# Include this file last in a scenario (include = [..., \"calibrated.toml\"]) to run\n",
    );
    s.push_str("# it with the fitted values; `[set]` is applied after every other table.\n");
    s.push_str(&format!(
        "# Fitted on {} case{} ({} runs each), seed {}, cross-validation {}.\n",
        o.cases().len(),
        if o.cases().len() == 1 { "" } else { "s" },
        common_runs(o),
        c.settings.seed,
        c.settings.cv
    ));
    // The fit holds only under the noise model it was made with.
    let models: Vec<NoiseModel> = o
        .cases()
        .iter()
        .map(|c| c.scenario.montecarlo.noise_model)
        .collect();
    if let Some(first) = models.first().filter(|m| models.iter().all(|x| x == *m)) {
        s.push_str(&format!(
            "\n# The fit was made under this perception-noise model; runs with --posterior need it too.\n[montecarlo]\nnoise_model = \"{first}\"\n"
        ));
    }
    s.push_str("\n[set]\n");
    for (j, p) in o.params().iter().enumerate() {
        let note = match c.interval(j) {
            Some((lo, hi)) => format!("  # 95% posterior interval [{lo:.4}, {hi:.4}]"),
            None => String::new(),
        };
        s.push_str(&format!(
            "\"{}\" = {}{note}\n",
            p.path,
            full(c.fit.theta[j])
        ));
    }
    s
}

fn common_runs(o: &Objective) -> String {
    let runs: Vec<u64> = o.cases().iter().map(|c| c.runs).collect();
    if runs.iter().all(|r| *r == runs[0]) {
        thousands(runs[0])
    } else {
        "various".into()
    }
}

/// Forecast pairs (probability, happened) of every case and level, the
/// historical levels of a case taken together as one outcome.
fn pairs(o: &Objective, scores: &[CaseScore]) -> Vec<(f64, bool)> {
    let mut out = Vec::new();
    for (case, s) in o.cases().iter().zip(scores) {
        out.push((s.share.probability, true));
        for (k, p) in s.distribution.iter().enumerate() {
            if !case.levels.contains(&k) {
                out.push((*p, false));
            }
        }
    }
    out
}

/// The report page: the answer in words, the scores, the reliability
/// diagram, the cases before and after, the fit and its intervals.
pub fn report_page(o: &Objective, c: &Calibration, files: &[(&str, Vec<u8>)]) -> String {
    let rows = c.score_rows();
    let get = |name: &str| {
        rows.iter()
            .find(|r| r.forecaster == name)
            .map(|r| r.overall)
    };
    let mut summary = String::new();
    let params: Vec<String> = o
        .params()
        .iter()
        .enumerate()
        .map(|(j, p)| match c.interval(j) {
            Some((lo, hi)) => format!(
                "{} = {:.4} (95% interval {:.4} to {:.4})",
                p.path, c.fit.theta[j], lo, hi
            ),
            None => format!("{} = {:.4}", p.path, c.fit.theta[j]),
        })
        .collect();
    let noise_models: Vec<String> = o
        .cases()
        .iter()
        .map(|c| c.scenario.montecarlo.noise_model.to_string())
        .collect();
    let noise = if noise_models.iter().all(|m| *m == noise_models[0]) {
        format!(", {} perception noise", noise_models[0])
    } else {
        String::new()
    };
    // The answer first: how the fit scored, then what was fitted.
    let mut scored = String::new();
    let best = get("calibrated, out of sample")
        .map(|x| (x, "out of sample"))
        .or_else(|| get("calibrated, in sample").map(|x| (x, "in sample")));
    if let Some((fit, how)) = best {
        scored.push_str(&format!(
            "Calibrated, the model gives the historical outcome the highest probability in {} of {} case{} {how}, with a mean log score of {:.3}",
            fit.modal,
            fit.cases,
            if fit.cases == 1 { "" } else { "s" },
            fit.mean_log_score
        ));
        if how == "out of sample" {
            scored.push_str(match c.settings.cv {
                super::CrossValidation::LeaveOneOut => " (each case left out of its own fit)",
                super::CrossValidation::LeaveAllianceOut => {
                    " (each alliance left out of its own fit)"
                }
                super::CrossValidation::None => "",
            });
        }
        let mut beside = Vec::new();
        if how == "out of sample" {
            if let Some(a) = get("calibrated, in sample") {
                beside.push(format!("{:.3} in sample", a.mean_log_score));
            }
        }
        if let Some(w) = get("as written") {
            beside.push(format!("{:.3} as written", w.mean_log_score));
        }
        if let Some(b) = get("base rate") {
            beside.push(format!("{:.3} for the base rate", b.mean_log_score));
        }
        if !beside.is_empty() {
            scored.push_str(&format!(", against {}", beside.join(", ")));
        }
        scored.push_str(". Lower is better; 0 is perfect.");
    }
    summary.push_str(&format!(
        "Fitted on {} cases{noise}: {}.",
        o.cases().len(),
        params.join("; ")
    ));
    let file = |name: &str| {
        files
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    };
    let mut series = vec![
        ReliabilitySeries {
            name: "as written".into(),
            bins: charts::reliability_bins(&pairs(o, &c.before), 5),
        },
        ReliabilitySeries {
            name: "calibrated, in sample".into(),
            bins: charts::reliability_bins(&pairs(o, &c.after), 5),
        },
    ];
    if let Some(out) = &c.out_of_sample {
        series.push(ReliabilitySeries {
            name: "calibrated, out of sample".into(),
            bins: charts::reliability_bins(&pairs(o, out), 5),
        });
    }
    let labels: Vec<String> = o.cases().iter().map(|c| c.label.clone()).collect();
    let mut bars = vec![
        (
            "as written".to_string(),
            c.before.iter().map(|s| s.share.probability).collect(),
        ),
        (
            "calibrated, in sample".to_string(),
            c.after.iter().map(|s| s.share.probability).collect(),
        ),
    ];
    if let Some(out) = &c.out_of_sample {
        bars.push((
            "calibrated, out of sample".to_string(),
            out.iter().map(|s| s.share.probability).collect(),
        ));
    }
    let sections = vec![
        Section {
            heading: "Scores".into(),
            body_html: report::csv_table_html(&file("scores.csv"))
                + &report::p_html("Log score: −ln p of the historical outcome, floored at half a run; Brier: (p − 1)² + Σ other p_k². Both: 0 is perfect, lower is better. The base rate is how often the other cases (under --cv alliance, the other alliances' cases) ended in none, part or all of their request."),
        },
        Section {
            heading: "Reliability".into(),
            body_html: report::svg_html(&charts::reliability("Reliability of the forecasts", &series)),
        },
        Section {
            heading: "Each case before and after".into(),
            body_html: report::svg_html(&charts::grouped_bars(
                "Probability of the historical outcome",
                &labels,
                &bars,
            )) + &report::csv_table_html(&file("cases.csv")),
        },
        Section {
            heading: "The fit".into(),
            body_html: report::csv_table_html(&file("fit.csv"))
                + &report::p_html("estimate: maximum likelihood; ci_low, ci_high: 2.5% and 97.5% quantiles of the posterior sample (flat priors over the bounds)."),
        },
        Section {
            heading: "Cross-validation refits".into(),
            body_html: report::csv_table_html(&file("folds.csv")),
        },
    ];
    let mut sections = sections;
    let comparison = file("noise_models.csv");
    if !comparison.is_empty() {
        sections.insert(
            1,
            Section {
                heading: "Perception noise: absolute or relative".into(),
                body_html: report::csv_table_html(&comparison)
                    + &report::p_html("Each noise model fitted and cross-validated on the same cases; the one with the lower out-of-sample mean log score is used for every other table on this page."),
            },
        );
    }
    let lead: Vec<String> = [scored, summary]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    report::report_with_lead("Calibration against history", &lead, &sections)
}

/// The manifest: inputs, settings, the fit and what it took.
pub fn manifest_json(o: &Objective, c: &Calibration, effort: Effort, files: &[&str]) -> String {
    let cases: Vec<serde_json::Value> = o
        .cases()
        .iter()
        .map(|case| {
            let (sha, read) = manifest::scenario_digest(&case.scenario);
            json!({
                "scenario": case.label,
                "file": case.file.display().to_string(),
                "alliance": case.alliance,
                "scenario_sha256": sha,
                "scenario_files": read,
                "expected": case.expected_ids(),
                "rule": case.rule.to_string(),
                "noise_model": case.scenario.montecarlo.noise_model.to_string(),
                "seed": case.seed,
                "runs": case.runs,
            })
        })
        .collect();
    let params: Vec<serde_json::Value> = o
        .params()
        .iter()
        .enumerate()
        .map(|(j, p)| {
            json!({
                "path": p.path,
                "lower_bound": p.lo,
                "upper_bound": p.hi,
                "written": c.written[j],
                "estimate": c.fit.theta[j],
                "interval_95": c.interval(j).map(|(a, b)| vec![a, b]),
                "cases": o.cases_with(j),
            })
        })
        .collect();
    let runs = o.runs_done();
    let m = json!({
        "tool": "alliance-sim",
        "version": env!("CARGO_PKG_VERSION"),
        "command": crate::output::manifest::command_line(),
        "cases": cases,
        "parameters": params,
        "cross_validation": c.settings.cv.to_string(),
        "extra_starts": c.settings.extra_starts,
        "burn_in": c.settings.burn_in,
        "draws": c.settings.draws,
        "seed": c.settings.seed,
        "log_likelihood": c.fit.log_likelihood,
        "acceptance": c.chain.as_ref().map(|ch| ch.acceptance),
        "step": c.chain.as_ref().map(|ch| ch.step),
        "objective": "sum over cases of ln max(p, 0.5/runs), p the share of runs giving the historical outcome; every evaluation uses each case's own seed (common random numbers)",
        "optimizer": "argmin Nelder-Mead on x = lo + (hi - lo) / (1 + exp(-u)), from the written values and extra_starts uniform starts",
        "sampler": "random-walk Metropolis, flat priors over the bounds, step adapted during burn-in only",
        "evaluations": o.evaluations(),
        "runs_simulated": runs,
        "threads": effort.threads,
        "seconds": effort.seconds,
        "runs_per_second": if effort.seconds > 0.0 { runs as f64 / effort.seconds } else { 0.0 },
        "files": files,
    });
    format!("{m:#}\n")
}

/// Columns of `noise_models.csv`.
pub const NOISE_MODELS_HEADER: [&str; 9] = [
    "noise_model",
    "chosen",
    "log_likelihood",
    "modal_in_sample",
    "mean_log_score_in_sample",
    "mean_brier_in_sample",
    "modal_out_of_sample",
    "mean_log_score_out_of_sample",
    "mean_brier_out_of_sample",
];

/// `noise_models.csv`: the calibration under each perception-noise model,
/// in sample and out of sample, and which was chosen.
pub fn noise_models_csv(
    results: &[(NoiseModel, &Calibration)],
    chosen: usize,
) -> io::Result<Vec<u8>> {
    let rows: Vec<Vec<String>> = results
        .iter()
        .enumerate()
        .map(|(i, (m, c))| {
            let rows = c.score_rows();
            let get = |name: &str| {
                rows.iter()
                    .find(|r| r.forecaster == name)
                    .map(|r| r.overall)
            };
            let mut row = vec![
                m.to_string(),
                (i == chosen).to_string(),
                number_cell(c.fit.log_likelihood),
            ];
            for o in [
                get("calibrated, in sample"),
                get("calibrated, out of sample"),
            ] {
                match o {
                    Some(o) => row.extend([
                        o.modal.to_string(),
                        number_cell(o.mean_log_score),
                        number_cell(o.mean_brier),
                    ]),
                    None => row.extend([String::new(), String::new(), String::new()]),
                }
            }
            row
        })
        .collect();
    csv_bytes(&NOISE_MODELS_HEADER, &rows)
}

/// Writes the files of a calibration job: the kept calibration's, with
/// `noise_models.csv` when noise models were compared; the folder is put in
/// place whole (see [`crate::output::folder`]), its CSV files in `dialect`.
pub fn write_outcome(
    dir: &Path,
    outcome: &Outcome,
    effort: Effort,
    replace: Replace,
    dialect: Dialect,
) -> Result<Committed, FolderError> {
    let comparison = if outcome.results.len() > 1 {
        let named: Vec<(NoiseModel, &Calibration)> = outcome
            .models
            .iter()
            .map(|m| m.unwrap_or_default())
            .zip(&outcome.results)
            .collect();
        Some(noise_models_csv(&named, outcome.best).map_err(|e| cannot(dir, e))?)
    } else {
        None
    };
    let (o, c) = outcome.kept();
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty());
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let staged = Staged::begin(parent.unwrap_or(Path::new(".")), &name)?;
    write(staged.path(), o, c, effort, comparison).map_err(|e| cannot(dir, e))?;
    staged.commit_in(replace, dialect)
}

fn cannot(dir: &Path, source: io::Error) -> FolderError {
    FolderError::Io {
        context: format!("cannot write the results in `{}`", dir.display()),
        source,
    }
}

/// Writes every file into `dir` (a staging folder); with a comparison of
/// noise models, `noise_models.csv` too.
pub fn write(
    dir: &Path,
    o: &Objective,
    c: &Calibration,
    effort: Effort,
    noise_models: Option<Vec<u8>>,
) -> io::Result<()> {
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("fit.csv", fit_csv(o, c)?),
        ("cases.csv", cases_csv(o, c)?),
        ("scores.csv", scores_csv(c)?),
        ("folds.csv", folds_csv(o, c)?),
        ("posterior.csv", posterior_csv(o, c)?),
        ("calibrated.toml", overlay_toml(o, c).into_bytes()),
    ];
    if let Some(bytes) = noise_models {
        files.push(("noise_models.csv", bytes));
    }
    if c.chain.is_none() {
        files.retain(|(n, _)| *n != "posterior.csv");
    }
    let html = report_page(o, c, &files);
    files.push(("report.html", html.into_bytes()));
    let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    let manifest = manifest_json(o, c, effort, &names);
    files.push(("manifest.json", manifest.into_bytes()));
    for (name, body) in &files {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(dir.join(name))?;
        f.write_all(body)?;
    }
    Ok(())
}
