//! `sensitivity`: the Morris elementary effects of a scenario's parameters on
//! the probability of an outcome, written as `sensitivity.csv`,
//! `manifest.json` and (unless the report is turned off) `tornado.svg` and
//! `report.html` to `OUT/<stem>-sensitivity/`.

use std::path::PathBuf;

use serde_json::json;

use super::{IoContext, JobError, Watch};
use crate::analysis::sensitivity::{
    self, Analysis, Band, Factor, MorrisDesign, Response, SensitivityError, Settings,
    BOOTSTRAP_RESAMPLES, BOOTSTRAP_STREAM, MORRIS_STREAM,
};
use crate::model::DecisionRule;
use crate::output::csv::{number_cell, text_cell};
use crate::output::dialect::Dialect;
use crate::output::folder::{Committed, Replace};
use crate::output::table::thousands;
use crate::output::{charts, manifest, report};
use crate::scenario::{self, Scenario};

/// Columns of `sensitivity.csv`.
pub const HEADER: &str =
    "rank,parameter,kind,value,low,high,response,mu_star,mu_star_lo,mu_star_hi,mu,sigma,trajectories";

/// Parameters shown in the chart (and on the terminal).
pub const TOP: usize = 20;

/// What `sensitivity` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct SensitivitySettings {
    /// The scenario file.
    pub file: PathBuf,
    /// Paths or patterns to vary; empty for every fixed parameter.
    pub params: Vec<String>,
    /// The interval each parameter moves over (default: a band by kind).
    pub band: Band,
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
    /// The interval each parameter moves over.
    pub band: Band,
    /// Parameters of the default set left out: their band is a single point.
    pub left_out: Vec<String>,
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
        let selection = sensitivity::select_factors(&scenario, &settings.params, settings.band)
            .map_err(|e| library_error(e, file))?;
        let (factors, left_out) = (selection.factors, selection.left_out);
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
            left_out,
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
                    f.kind.name().to_string(),
                    number_cell(f.value),
                    number_cell(f.low),
                    number_cell(f.high),
                    text_cell(&done.response),
                    number_cell(e.mu_star),
                    number_cell(e.mu_star_lo),
                    number_cell(e.mu_star_hi),
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
            let effects: Vec<_> = top
                .iter()
                .map(|&i| analysis.effects_of(i, self.response))
                .collect();
            let mu_star: Vec<f64> = effects.iter().map(|e| e.mu_star).collect();
            let lo: Vec<f64> = effects.iter().map(|e| e.mu_star_lo).collect();
            let hi: Vec<f64> = effects.iter().map(|e| e.mu_star_hi).collect();
            let title = format!("{label}: mu* with its 95% interval");
            let svg = charts::tornado(
                &title,
                &names,
                &mu_star,
                &lo,
                &hi,
                "mu* (change of the probability per move across the band)",
            );
            let html = self.report_html(done, &rows, &svg, &manifest_text);
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
                "band": self.band.to_json(),
                "evaluations": analysis.design.evaluations(),
                "design_stream": format!("ChaCha8Rng::seed_from_u64(seed), stream {MORRIS_STREAM} (2^64-2)"),
            },
            "bootstrap": {
                "what": "95% percentile interval of mu* over trajectories resampled with replacement, the same resamples for every parameter",
                "resamples": BOOTSTRAP_RESAMPLES,
                "stream": format!("ChaCha8Rng::seed_from_u64(seed), stream {BOOTSTRAP_STREAM} (2^64-4)"),
            },
            "left_out": self.left_out,
            "seed": settings.seed,
            "runs": settings.runs,
            "rule": settings.rule.to_string(),
            "common_random_numbers": "run r at every evaluation draws from ChaCha8Rng::seed_from_u64(seed), stream r",
            "response": label,
            "factors": analysis.factors.iter().map(|f| json!({
                "path": f.path.as_str(),
                "kind": f.kind.name(),
                "value": f.value,
                "low": f.low,
                "high": f.high,
            })).collect::<Vec<_>>(),
            "threads": threads,
            "files": files,
        })
    }

    /// The sentences that open the page: the answer, how sure each rank
    /// is, the band and the size of the analysis.
    pub fn summary(&self, done: &SensitivityDone) -> Vec<String> {
        let analysis = &done.analysis;
        let label = &done.response;
        let name = |i: usize| analysis.factors[i].path.as_str().to_string();
        let ranked: Vec<_> = done
            .ranking
            .iter()
            .map(|&i| analysis.effects_of(i, self.response))
            .collect();
        let moving: Vec<usize> = done
            .ranking
            .iter()
            .copied()
            .filter(|&i| {
                sensitivity::as_written(analysis.effects_of(i, self.response).mu_star) > 0.0
            })
            .collect();
        let mut out = Vec::new();
        let case = if self.scenario.name.is_empty() {
            self.label.clone()
        } else {
            self.scenario.name.clone()
        };
        let groups = overlap_groups(
            &ranked
                .iter()
                .map(|e| (e.mu_star_lo, e.mu_star_hi))
                .collect::<Vec<_>>(),
        );
        if moving.is_empty() {
            out.push(format!(
                "For {case}, no parameter moves {label} within its band: every mu* is 0."
            ));
        } else {
            let top: Vec<String> = moving.iter().take(3).map(|&i| name(i)).collect();
            let then = match top.len() {
                1 => String::new(),
                2 => format!(", then {}", top[1]),
                _ => format!(", then {} and {}", top[1], top[2]),
            };
            let sure = match groups.first() {
                Some(&(0, 0)) => format!("; {} stands clear of every parameter below it", top[0]),
                Some(&(0, b)) if b + 1 == ranked.len() => {
                    "; but no rank stands clear of the ranks below it, so the order is not settled"
                        .to_string()
                }
                Some(&(0, b)) => format!(
                    "; the intervals of ranks 1 to {} overlap, so their order is not settled",
                    b + 1
                ),
                _ => String::new(),
            };
            out.push(format!(
                "For {case}, {label} moves most with {}{then}{sure}.",
                top[0]
            ));
            let e = analysis.effects_of(moving[0], self.response);
            out.push(format!(
                "Moving {} across its whole band changes {label} by {:.4} on average (mu*; 95% interval {:.4} to {:.4}).",
                top[0], e.mu_star, e.mu_star_lo, e.mu_star_hi
            ));
        }
        let shown = ranked.len().min(TOP);
        let mut words: Vec<String> = Vec::new();
        // Ranks from `zero` on have mu* = 0 as written.
        let zero = ranked
            .iter()
            .position(|e| sensitivity::as_written(e.mu_star) == 0.0)
            .unwrap_or(ranked.len());
        for &(a, b) in groups.iter().filter(|(a, _)| *a < shown) {
            let none = if zero <= b && zero < ranked.len() {
                format!(
                    " (ranks {} to {}: mu* = 0, no effect at all)",
                    thousands(zero as u64 + 1),
                    thousands(ranked.len() as u64)
                )
            } else {
                String::new()
            };
            if a == b {
                words.push(format!(
                    "rank {} stands clear of the ranks below it{none}",
                    a + 1
                ));
            } else if a >= zero {
                words.push(format!(
                    "ranks {} to {} have no effect at all (mu* = 0)",
                    thousands(a as u64 + 1),
                    thousands(b as u64 + 1)
                ));
            } else {
                words.push(format!(
                    "ranks {} to {} overlap, so their order is not settled{none}",
                    thousands(a as u64 + 1),
                    thousands(b as u64 + 1)
                ));
            }
        }
        // How far down each of the first few ranks is clearly ahead.
        let intervals: Vec<(f64, f64)> = ranked
            .iter()
            .map(|e| (e.mu_star_lo, e.mu_star_hi))
            .collect();
        let mut ahead: Vec<String> = Vec::new();
        for i in 0..moving.len().min(3) {
            let what = name(done.ranking[i]);
            match clear_from(&intervals, i) {
                Some(j) if j == i + 1 => ahead.push(format!(
                    "{what} (rank {}) is above every rank below it",
                    i + 1
                )),
                Some(j) => ahead.push(format!(
                    "{what} (rank {}) is clearly above ranks {} to {}",
                    i + 1,
                    thousands(j as u64 + 1),
                    thousands(ranked.len() as u64)
                )),
                None => ahead.push(format!(
                    "{what} (rank {}) is not clearly above any other",
                    i + 1
                )),
            }
        }
        if !words.is_empty() {
            if !ahead.is_empty() {
                words.push(ahead.join("; "));
            }
            out.push(format!(
                "How sure each rank is, from a 95% bootstrap interval of mu* over the {} trajectories (rank i is clear when its interval lies above that of every rank below it): {}.",
                thousands(self.settings.trajectories as u64),
                words.join("; ")
            ));
        }
        let mut band = format!("The band: {}.", self.band.describe());
        if !self.left_out.is_empty() {
            band.push_str(&format!(
                " Left out, as a band in proportion to a value of 0 is a single point: {}.",
                self.left_out.join(", ")
            ));
        }
        out.push(band);
        out.push(format!(
            "{} parameters, {} trajectories on {} levels: {} evaluations of {} runs each, seed {}.",
            thousands(analysis.factors.len() as u64),
            thousands(self.settings.trajectories as u64),
            self.settings.levels,
            thousands(analysis.design.evaluations() as u64),
            thousands(self.settings.runs),
            self.settings.seed
        ));
        out.push(self.settings.rule.described());
        out
    }

    fn report_html(
        &self,
        done: &SensitivityDone,
        rows: &[Vec<String>],
        svg: &str,
        manifest_text: &str,
    ) -> String {
        let label = &done.response;
        let header = [
            "rank",
            "parameter",
            "kind",
            "value",
            "band low",
            "band high",
            "mu*",
            "mu* 95% low",
            "mu* 95% high",
            "mu",
            "sigma",
        ];
        // The CSV's rows without the response and the trajectories, which
        // the page states once.
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                r.iter()
                    .enumerate()
                    .filter(|(k, _)| *k != 6 && *k != 12)
                    .map(|(_, c)| c.clone())
                    .collect()
            })
            .collect();
        let answer: String = self
            .summary(done)
            .iter()
            .map(|p| report::p_html(p))
            .collect();
        let shown = rows.len().min(TOP);
        let mut sections = vec![
            report::Section {
                heading: "Which parameters matter".into(),
                body_html: answer,
            },
            report::Section {
                heading: format!("The {shown} that move {label} most"),
                body_html: format!(
                    "{}{}",
                    report::svg_html(svg),
                    report::p_html(&format!(
                        "Bars: mu*, the average size of the change in {label} when one parameter moves across its band, the others held. Whiskers: its 95% bootstrap interval over the trajectories; where two whiskers overlap, the order of the two parameters is not settled. mu is the same average with the sign; sigma shows how much the change depends on the other parameters (interactions, thresholds)."
                    ))
                ),
            },
            report::Section {
                heading: "Ranking".into(),
                body_html: report::table_html(&header, &rows),
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

/// The first rank below `i` from which every interval lies below the low end
/// of `i`'s (`intervals` in rank order), if any.
pub fn clear_from(intervals: &[(f64, f64)], i: usize) -> Option<usize> {
    let mut from = None;
    let mut highest = f64::NEG_INFINITY;
    for j in (i + 1..intervals.len()).rev() {
        highest = highest.max(intervals[j].1);
        if intervals[i].0 > highest {
            from = Some(j);
        } else {
            break;
        }
    }
    from
}

/// Groups of ranks whose order is not settled, as (first, last) indices:
/// `intervals` in rank order, a group ending at rank i when the low end of
/// i's interval lies above the high end of every interval below it.
pub fn overlap_groups(intervals: &[(f64, f64)]) -> Vec<(usize, usize)> {
    let n = intervals.len();
    // The highest high end from each rank down.
    let mut below = vec![f64::NEG_INFINITY; n + 1];
    for i in (0..n).rev() {
        below[i] = below[i + 1].max(intervals[i].1);
    }
    let mut groups = Vec::new();
    let mut start = 0;
    for i in 0..n {
        if i + 1 == n || intervals[i].0 > below[i + 1] {
            groups.push((start, i));
            start = i + 1;
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::overlap_groups;

    #[test]
    fn groups_end_where_an_interval_clears_everything_below() {
        let iv = [(0.5, 0.9), (0.2, 0.45), (0.3, 0.4), (0.0, 0.1), (0.0, 0.0)];
        assert_eq!(overlap_groups(&iv), [(0, 0), (1, 2), (3, 4)]);
        // An interval that reaches past a rank further down joins it.
        let iv = [(0.5, 0.9), (0.2, 0.3), (0.1, 0.6)];
        assert_eq!(overlap_groups(&iv), [(0, 2)]);
        assert_eq!(overlap_groups(&[]), []);
    }

    #[test]
    fn a_rank_is_clearly_above_those_whose_intervals_all_lie_below_it() {
        use super::clear_from;
        let iv = [(0.3, 0.9), (0.2, 0.5), (0.1, 0.25), (0.0, 0.1), (0.0, 0.0)];
        assert_eq!(clear_from(&iv, 0), Some(2));
        assert_eq!(clear_from(&iv, 1), Some(3));
        assert_eq!(clear_from(&iv, 3), None);
        assert_eq!(clear_from(&iv, 4), None);
    }
}
