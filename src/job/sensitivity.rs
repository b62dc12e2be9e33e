//! `sensitivity`: the Morris elementary effects of a scenario's parameters on
//! the probability of an outcome, written as `sensitivity.csv`,
//! `manifest.json` and (unless the report is turned off) `tornado.svg` and
//! `report.html` to `OUT/<stem>-sensitivity/`.

use std::path::PathBuf;

use serde_json::json;

use super::{IoContext, JobError, Watch};
use crate::analysis::sensitivity::{
    self, Analysis, Factor, MorrisDesign, Response, SensitivityError, Settings, MORRIS_STREAM,
};
use crate::model::DecisionRule;
use crate::output::csv::{number_cell, text_cell};
use crate::output::dialect::Dialect;
use crate::output::folder::{Committed, Replace};
use crate::output::{charts, manifest, report};
use crate::scenario::{self, Scenario};

/// Columns of `sensitivity.csv`.
pub const HEADER: &str = "rank,parameter,low,high,response,mu_star,mu,sigma,trajectories";

/// Parameters shown in the chart (and on the terminal).
pub const TOP: usize = 20;

/// What `sensitivity` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct SensitivitySettings {
    /// The scenario file.
    pub file: PathBuf,
    /// Paths or patterns to vary; empty for every fixed parameter.
    pub params: Vec<String>,
    /// Vary each parameter over its value ± this share of its range's width.
    pub band: Option<f64>,
    /// Morris trajectories.
    pub trajectories: u64,
    /// Grid levels.
    pub levels: u64,
    /// The option whose probability is the response (default: the requested one).
    pub response: Option<String>,
    /// Whether the response is P(level >= option).
    pub at_least: bool,
    /// Runs per evaluation.
    pub runs: u64,
    /// Master seed instead of the scenario's.
    pub seed: Option<u64>,
    /// Decision rule instead of the scenario's.
    pub rule: Option<DecisionRule>,
    /// Folder for results.
    pub out: PathBuf,
    /// When an existing results folder is replaced.
    pub replace: Replace,
    /// The spreadsheet dialect of the CSV files.
    pub dialect: Dialect,
}

/// A checked analysis, its design planned.
#[derive(Debug, Clone)]
pub struct SensitivityJob {
    /// The scenario file as named.
    pub file: PathBuf,
    /// The scenario's label (file stem).
    pub label: String,
    /// Where the results go.
    pub dir: PathBuf,
    /// The scenario.
    pub scenario: Scenario,
    /// The response.
    pub response: Response,
    /// The factors.
    pub factors: Vec<Factor>,
    /// Trajectories, levels, runs, seed and rule.
    pub settings: Settings,
    /// The design.
    pub design: MorrisDesign,
    /// The band, if given.
    pub band: Option<f64>,
    /// When an existing results folder is replaced.
    pub replace: Replace,
    /// The spreadsheet dialect of the CSV files.
    pub dialect: Dialect,
}

/// A finished analysis.
#[derive(Debug, Clone)]
pub struct SensitivityDone {
    /// The effects.
    pub analysis: Analysis,
    /// Factor indices, most influential first.
    pub ranking: Vec<usize>,
    /// The response's label, e.g. `P(limited_deployment)`.
    pub response: String,
    /// Where the results went (set once written).
    pub folder: Option<Committed>,
}

fn bad(message: impl Into<String>) -> JobError {
    JobError::input(message)
}

fn library_error(e: SensitivityError, file: &std::path::Path) -> JobError {
    match e {
        SensitivityError::Input { .. } => bad(format!("{}: {e}", file.display())),
        SensitivityError::Interrupted => JobError::Interrupted(format!(
            "interrupted during {}; nothing was written",
            file.display()
        )),
        SensitivityError::Io(source) => JobError::Io {
            context: "the simulation failed".into(),
            source,
        },
    }
}

fn response(settings: &SensitivitySettings, s: &Scenario) -> Result<Response, JobError> {
    let level = match &settings.response {
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
    if settings.at_least {
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

impl SensitivityJob {
    /// Loads the scenario, chooses the factors and plans the design.
    pub fn prepare(settings: &SensitivitySettings) -> Result<SensitivityJob, JobError> {
        let file = &settings.file;
        let scenario = scenario::load(file)?;
        let response = response(settings, &scenario)?;
        let factors = sensitivity::select_factors(&scenario, &settings.params, settings.band)
            .map_err(|e| library_error(e, file))?;
        let morris = Settings {
            trajectories: settings.trajectories as usize,
            levels: settings.levels as usize,
            runs: settings.runs,
            seed: settings.seed.unwrap_or(scenario.montecarlo.seed),
            rule: settings.rule.unwrap_or(scenario.rule),
        };
        let design = sensitivity::plan(&factors, &morris).map_err(|e| library_error(e, file))?;
        let (label, _) = super::result_dir(&settings.out, file)?;
        Ok(SensitivityJob {
            file: file.clone(),
            dir: settings.out.join(format!("{label}-sensitivity")),
            label,
            scenario,
            response,
            factors,
            settings: morris,
            design,
            band: settings.band,
            replace: settings.replace,
            dialect: settings.dialect,
        })
    }

    /// Runs the analysis on the current pool (`watch` hears the evaluations
    /// done) and writes the results; `threads` is recorded in the manifest.
    pub fn execute(
        &self,
        threads: usize,
        no_report: bool,
        watch: Watch,
    ) -> Result<SensitivityDone, JobError> {
        let progress = watch.progress.map(|p| move |done: usize| p(done as u64));
        let analysis = sensitivity::analyse(
            &self.scenario,
            self.factors.clone(),
            &self.settings,
            progress.as_ref().map(|p| p as &(dyn Fn(usize) + Sync)),
            watch.cancel,
        )
        .map_err(|e| library_error(e, &self.file))?;
        let label = self.response.label(&self.scenario);
        let ranking = analysis.ranking(self.response);
        let mut done = SensitivityDone {
            analysis,
            ranking,
            response: label,
            folder: None,
        };
        done.folder = Some(self.write_files(&done, threads, no_report)?);
        Ok(done)
    }

    /// One row of `sensitivity.csv` per factor, ranked.
    pub fn rows(&self, done: &SensitivityDone) -> Vec<Vec<String>> {
        let analysis = &done.analysis;
        done.ranking
            .iter()
            .enumerate()
            .map(|(rank, &i)| {
                let f = &analysis.factors[i];
                let e = analysis.effects_of(i, self.response);
                vec![
                    (rank + 1).to_string(),
                    text_cell(f.path.as_str()),
                    number_cell(f.low),
                    number_cell(f.high),
                    text_cell(&done.response),
                    number_cell(e.mu_star),
                    number_cell(e.mu),
                    number_cell(e.sigma),
                    self.settings.trajectories.to_string(),
                ]
            })
            .collect()
    }

    fn write_files(
        &self,
        done: &SensitivityDone,
        threads: usize,
        no_report: bool,
    ) -> Result<Committed, JobError> {
        let (dir, analysis, label) = (&self.dir, &done.analysis, &done.response);
        let rows = self.rows(done);
        let mut csv_text = format!("{HEADER}\n");
        for r in &rows {
            csv_text.push_str(&r.join(","));
            csv_text.push('\n');
        }
        let m = self.manifest_json(analysis, label, threads, no_report);
        let manifest_text = format!("{m:#}\n");

        // Everything goes to a staging folder put in place whole.
        let staged = super::stage(dir)?;
        let mut files: Vec<(String, String)> = vec![("sensitivity.csv".into(), csv_text)];
        if !no_report {
            let top: Vec<usize> = done.ranking.iter().copied().take(TOP).collect();
            let names: Vec<String> = top
                .iter()
                .map(|&i| analysis.factors[i].path.as_str().to_string())
                .collect();
            let mu_star: Vec<f64> = top
                .iter()
                .map(|&i| analysis.effects_of(i, self.response).mu_star)
                .collect();
            let sigma: Vec<f64> = top
                .iter()
                .map(|&i| analysis.effects_of(i, self.response).sigma)
                .collect();
            let title = format!(
                "{}: sensitivity of {label} (Morris mu*, bars +/- sigma)",
                self.label
            );
            let svg = charts::tornado(
                &title,
                &names,
                &mu_star,
                &sigma,
                "mu* (change per full range)",
            );
            let html = self.report_html(label, &rows, &svg, &manifest_text);
            files.push(("tornado.svg".into(), svg));
            files.push(("report.html".into(), html));
        }
        files.push(("manifest.json".into(), manifest_text));
        for (name, text) in &files {
            staged
                .write(name, text.as_bytes())
                .context_io(|| format!("cannot write `{}`", dir.join(name).display()))?;
        }
        super::commit(staged, self.replace, self.dialect)
    }

    fn manifest_json(
        &self,
        analysis: &Analysis,
        label: &str,
        threads: usize,
        no_report: bool,
    ) -> serde_json::Value {
        let settings = &self.settings;
        let (sha, files_read) = manifest::scenario_digest(&self.scenario);
        let mut files = vec!["sensitivity.csv"];
        if !no_report {
            files.extend(["tornado.svg", "report.html"]);
        }
        json!({
            "tool": "alliance-sim",
            "version": env!("CARGO_PKG_VERSION"),
            "command": crate::output::manifest::command_line(),
            "scenario": self.label,
            "scenario_name": self.scenario.name,
            "scenario_sha256": sha,
            "scenario_files": files_read,
            "method": "Morris elementary effects",
            "design": {
                "trajectories": settings.trajectories,
                "levels": settings.levels,
                "delta": analysis.design.delta(),
                "band": self.band,
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
        &self,
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
        for src in &self.scenario.sources {
            sections.push(report::Section {
                heading: format!("Scenario: {}", src.path.display()),
                body_html: report::pre_html(&src.text),
            });
        }
        sections.push(report::Section {
            heading: "Manifest".into(),
            body_html: report::pre_html(manifest_text),
        });
        report::report_html(
            &format!("{}: sensitivity of {label}", self.label),
            &sections,
        )
    }
}
