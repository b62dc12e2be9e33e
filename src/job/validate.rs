//! `validate`: every scenario that records a historical outcome
//! (`[expected]`) run as a case, scored against history beside two baselines
//! (the base rate and "the request is granted"), and written as
//! `validation.csv`, `validation_summary.csv`, `validation.svg`,
//! `report.html` and `manifest.json` to `OUT/validation/`.
//!
//! This module owns the settings, the preparation (every case loaded and the
//! posterior applied to each before anything runs), the simulation and the
//! scores, and the words the terminal and the page share; the files and the
//! page are written by `validate_files`. It reports and does not judge:
//! whether a missed case is a failure is the caller's to say.

use std::path::PathBuf;

use super::{JobError, Watch};
use crate::analysis::cases::{self, CaseSet, CasesError, Overrides};
use crate::analysis::validate::{self, CaseScore, ForecastScore, GroupRow, LibraryCase, Overall};
use crate::model::DecisionRule;
use crate::output::dialect::Dialect;
use crate::output::folder::{Committed, Replace};
use crate::posterior::{self, Applied};

/// What `validate` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct ValidateSettings {
    /// Scenario files, or folders searched for scenarios with `[expected]`.
    pub paths: Vec<PathBuf>,
    /// Runs per case instead of each scenario's.
    pub runs: Option<u64>,
    /// Master seed instead of each scenario's.
    pub seed: Option<u64>,
    /// Decision rule instead of each scenario's.
    pub rule: Option<DecisionRule>,
    /// A posterior file whose draws apply to every case.
    pub posterior: Option<PathBuf>,
    /// Folder for results: they go to `OUT/validation/`.
    pub out: PathBuf,
    /// When an existing results folder is replaced.
    pub replace: Replace,
    /// The spreadsheet dialect of the CSV files.
    pub dialect: Dialect,
}

/// A checked validation: the cases, and with a posterior the draws that
/// apply to each.
pub struct ValidateJob {
    /// The cases found, and how many folder files had no `[expected]`.
    pub set: CaseSet,
    /// The posterior's draws applied to each case, in the order of the
    /// cases (all `None` without a posterior).
    pub draws: Vec<Option<Applied>>,
    /// Where the results go: `OUT/validation/`.
    pub dir: PathBuf,
    /// When an existing results folder is replaced.
    pub replace: Replace,
    /// The spreadsheet dialect of the CSV files.
    pub dialect: Dialect,
}

/// The model's and the baselines' scores of every case, and their means by
/// alliance and over all cases.
pub struct Scored {
    /// The model's score of each case, in the order of the cases.
    pub model: Vec<CaseScore>,
    /// The base rate's forecast of each case.
    pub base_rate: Vec<ForecastScore>,
    /// The forecast "the request is granted" of each case.
    pub granted: Vec<ForecastScore>,
    /// Each alliance, then all cases (`alliance == "all"`, always last).
    pub groups: Vec<GroupRow>,
}

impl ValidateJob {
    /// Loads every case (reporting all scenario errors together) and applies
    /// the posterior to each; refuses paths that hold no case.
    pub fn prepare(settings: &ValidateSettings) -> Result<ValidateJob, JobError> {
        let overrides = Overrides {
            runs: settings.runs,
            seed: settings.seed,
            rule: settings.rule,
        };
        let set = cases::load(&settings.paths, overrides).map_err(|e| match e {
            CasesError::Scenarios(errors) => JobError::Scenarios(errors),
            CasesError::Input(message) => JobError::Input(message),
        })?;
        let mut draws = Vec::with_capacity(set.cases.len());
        match super::run::read_posterior(settings.posterior.as_deref())? {
            Some(p) => {
                for c in &set.cases {
                    draws.push(Some(Applied::new(&p, &c.scenario, &c.file)?));
                }
            }
            None => draws.resize_with(set.cases.len(), || None),
        }
        if set.cases.is_empty() {
            return Err(JobError::input(format!(
                "no scenario with an `[expected]` table in {} (skipped {} file{} without [expected])",
                settings
                    .paths
                    .iter()
                    .map(|p| format!("`{}`", p.display()))
                    .collect::<Vec<_>>()
                    .join(", "),
                set.skipped,
                if set.skipped == 1 { "" } else { "s" }
            )));
        }
        Ok(ValidateJob {
            set,
            draws,
            dir: settings.out.join("validation"),
            replace: settings.replace,
            dialect: settings.dialect,
        })
    }

    /// The runs of all cases together.
    pub fn total_runs(&self) -> u64 {
        self.set.cases.iter().map(|c| c.runs).sum()
    }

    /// Simulates and scores every case on the current pool (`watch` hears
    /// the runs done over all cases), then writes the results folder;
    /// `threads` is recorded in the manifest.
    pub fn execute(&self, threads: usize, watch: Watch) -> Result<(Scored, Committed), JobError> {
        let scored = self.simulate(watch)?;
        let folder = super::validate_files::write_results(self, &scored, threads)?;
        Ok((scored, folder))
    }

    /// Runs every case in turn on the current pool and scores it, with the
    /// baselines. Stopped through `watch.cancel`, nothing is kept.
    pub fn simulate(&self, watch: Watch) -> Result<Scored, JobError> {
        let mut scores = Vec::with_capacity(self.set.cases.len());
        let mut before = 0;
        for (case, applied) in self.set.cases.iter().zip(&self.draws) {
            let models = posterior::models(&case.scenario, case.rule, applied.as_ref())?;
            let progress = |done: u64| {
                if let Some(p) = watch.progress {
                    p(before + done);
                }
            };
            let result = cases::score_case(case, &models, true, Some(&progress), watch.cancel);
            let score = match result {
                Ok(s) => s,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                    return Err(JobError::Interrupted(format!(
                        "interrupted during {}; nothing was written",
                        case.file.display()
                    )));
                }
                Err(source) => {
                    return Err(JobError::Io {
                        context: "simulation failed".into(),
                        source,
                    })
                }
            };
            before += case.runs;
            scores.push(score);
        }
        Ok(Scored::new(&self.set, scores))
    }

    /// The cases whose historical outcome was not the model's most likely,
    /// each as "LABEL (historical A or B, most likely C)".
    pub fn missed(&self, scored: &Scored) -> Vec<String> {
        self.set
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
            .collect()
    }
}

impl Scored {
    /// Scores the baselines on the same cases and groups all by alliance.
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

    /// The group of all cases.
    pub fn overall(&self) -> &GroupRow {
        self.groups.last().expect("the overall group")
    }
}

/// What the scores mean, as the terminal and the page say it.
pub const SCORES_NOTE: &str = "log score: −ln p, 0 is perfect, lower is better; Brier: (p − 1)² + Σ other p_k², 0 is perfect, 2 is worst";
/// What the baselines are, as the terminal and the page say it.
pub const BASELINES_NOTE: &str = "base: the base rate's p (how often the other cases ended in none / part / all of the request); req.: p if the request were always granted";
/// The footnote of a case whose log score is at the floor.
pub const FLOORED_NOTE: &str =
    "* no run gave the historical outcome: log score at the floor p = 0.5/runs (truly infinite)";

/// The overall line and the baselines' line, as the terminal prints them
/// (without the leading "overall: " and "baselines on the same cases: ").
pub fn overall_lines(all: &GroupRow) -> (String, String) {
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

/// "modal 3 of 5, log 0.412, Brier 0.231" for one forecaster over a group.
pub fn overall_words(o: &Overall) -> String {
    format!(
        "modal {} of {}, log {:.3}, Brier {:.3}",
        o.modal, o.cases, o.mean_log_score, o.mean_brier
    )
}

/// A setting that is the same for every case, or "per scenario".
pub fn common<T: PartialEq + ToString>(values: impl Iterator<Item = T>) -> String {
    let values: Vec<T> = values.collect();
    match values.first() {
        Some(v) if values.iter().all(|x| x == v) => v.to_string(),
        _ => "per scenario".into(),
    }
}
