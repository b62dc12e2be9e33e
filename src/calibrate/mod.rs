//! Calibration: fitting parameters to the case library by maximum
//! likelihood, scoring the fit out of sample by cross-validation, and
//! sampling the parameters' posterior so that their uncertainty can be
//! carried into every probability (`--posterior`).
//!
//! [`objective`] owns the likelihood, [`fit`] the optimizer, [`mcmc`] the
//! sampler and [`synthetic`] libraries simulated from known parameters, on
//! which a calibration can be checked. [`calibrate`] puts them together
//! for one noise model, [`job`] for the command (comparing noise models
//! when asked); [`files`] writes the results.
//!
//! # Reproducibility
//! Every case is simulated with its own seed at every evaluation (common
//! random numbers); the random starts of the optimizer and the sampler draw
//! from ChaCha8 seeded with the master seed on streams of their own
//! (`u64::MAX − 1`, `u64::MAX − 2`), which no run uses. A calibration is
//! therefore the same at any thread count.

pub mod files;
pub mod fit;
pub mod job;
pub mod mcmc;
pub mod objective;
pub mod synthetic;

use std::fmt;
use std::str::FromStr;

use crate::analysis::baseline::{self, History};
use crate::analysis::cases::Case;
use crate::analysis::validate::{self, CaseScore, ForecastScore, Overall};
use crate::scenario::NoiseModel;

pub use fit::Fit;
pub use mcmc::Chain;
pub use objective::Objective;

/// A parameter to fit and its bounds: `PATH=LO:HI` on the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSpec {
    /// A parameter path or pattern, as `sweep` takes them.
    pub path: String,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound (above `lo`).
    pub hi: f64,
}

impl FromStr for ParamSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<ParamSpec, String> {
        let (path, range) = s
            .split_once('=')
            .ok_or_else(|| format!("`{s}`: expected PATH=LO:HI, for example noise=0.02:0.5"))?;
        let path = path.trim();
        if path.is_empty() {
            return Err(format!("`{s}`: the parameter path before `=` is empty"));
        }
        let (lo, hi) = range
            .split_once(':')
            .ok_or_else(|| format!("`{s}`: expected LO:HI after `=`, for example 0.02:0.5"))?;
        let number = |t: &str, what: &str| {
            t.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| format!("`{s}`: the {what} bound `{t}` is not a finite number"))
        };
        let (lo, hi) = (number(lo, "lower")?, number(hi, "upper")?);
        if lo >= hi {
            return Err(format!(
                "`{s}`: the lower bound must be below the upper bound"
            ));
        }
        Ok(ParamSpec {
            path: path.to_string(),
            lo,
            hi,
        })
    }
}

impl fmt::Display for ParamSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}:{}", self.path, self.lo, self.hi)
    }
}

/// How the fit is scored out of sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrossValidation {
    /// No refits: in-sample scores only.
    None,
    /// Leave one case out: refit without each case, score that case.
    LeaveOneOut,
    /// Leave one alliance out: refit without each alliance's cases, score them.
    LeaveAllianceOut,
}

impl FromStr for CrossValidation {
    type Err = String;

    fn from_str(s: &str) -> Result<CrossValidation, String> {
        match s {
            "none" => Ok(CrossValidation::None),
            "loo" => Ok(CrossValidation::LeaveOneOut),
            "alliance" => Ok(CrossValidation::LeaveAllianceOut),
            other => Err(format!(
                "unknown cross-validation `{other}`: expected loo, alliance or none"
            )),
        }
    }
}

impl fmt::Display for CrossValidation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CrossValidation::None => "none",
            CrossValidation::LeaveOneOut => "loo",
            CrossValidation::LeaveAllianceOut => "alliance",
        })
    }
}

/// How a calibration searches and samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Cross-validation.
    pub cv: CrossValidation,
    /// Random starts of the optimizer besides the written values.
    pub extra_starts: usize,
    /// Adapting steps of the sampler, not kept.
    pub burn_in: usize,
    /// Posterior draws kept (0: no posterior).
    pub draws: usize,
    /// Master seed of the starts and the sampler.
    pub seed: u64,
}

/// Why a calibration could not be done.
#[derive(Debug, thiserror::Error)]
pub enum CalibrateError {
    /// Something the user asked for that cannot be done.
    #[error("{0}")]
    Input(String),
    /// Stopped by Ctrl-C or SIGTERM.
    #[error("interrupted")]
    Interrupted,
}

/// One refit of a cross-validation.
#[derive(Debug, Clone)]
pub struct Fold {
    /// What was left out: a case label or an alliance name.
    pub name: String,
    /// The cases left out and scored.
    pub held_out: Vec<usize>,
    /// The fit without them.
    pub fit: Fit,
}

/// What happened, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Scoring the scenarios as written.
    Written,
    /// The fit on every case.
    Fit,
    /// Refit `k` (0-based) of `n`.
    Fold(usize, usize),
    /// Posterior step `done` of `total`.
    Posterior(usize, usize),
    /// Starting the calibration under this noise model (when comparing).
    NoiseModel(NoiseModel),
    /// This noise model scored best out of sample and is kept.
    Chosen(NoiseModel),
}

/// Everything a calibration found.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// The settings it ran with.
    pub settings: Settings,
    /// The parameters' values as written in the scenarios (where the fit started).
    pub written: Vec<f64>,
    /// The maximum-likelihood fit on every case.
    pub fit: Fit,
    /// Posterior draws, if asked for.
    pub chain: Option<Chain>,
    /// Each case as written.
    pub before: Vec<CaseScore>,
    /// Each case at the fit (in sample).
    pub after: Vec<CaseScore>,
    /// Each case at the fit that left it out (with cross-validation).
    pub out_of_sample: Option<Vec<CaseScore>>,
    /// The refits.
    pub folds: Vec<Fold>,
    /// The base rate of each case, computed without the cases its fold leaves
    /// out (without the case itself under `loo` and `none`).
    pub base_rate: Vec<ForecastScore>,
}

/// Means over the cases of one forecaster.
#[derive(Debug, Clone)]
pub struct ScoreRow {
    /// The forecaster.
    pub forecaster: &'static str,
    /// Its scores.
    pub overall: Overall,
}

impl Calibration {
    /// Mean scores of the written model, the fit in and out of sample, and
    /// the base rate, in that order (out of sample only with cross-validation).
    pub fn score_rows(&self) -> Vec<ScoreRow> {
        let means = |s: &[CaseScore]| {
            let f: Vec<ForecastScore> = s.iter().map(CaseScore::forecast).collect();
            validate::overall(&f)
        };
        let mut rows = vec![
            ScoreRow {
                forecaster: "as written",
                overall: means(&self.before),
            },
            ScoreRow {
                forecaster: "calibrated, in sample",
                overall: means(&self.after),
            },
        ];
        if let Some(out) = &self.out_of_sample {
            rows.push(ScoreRow {
                forecaster: "calibrated, out of sample",
                overall: means(out),
            });
        }
        rows.push(ScoreRow {
            forecaster: "base rate",
            overall: validate::overall(&self.base_rate),
        });
        rows
    }

    /// The fit's 95% posterior interval of parameter `j`, if sampled.
    pub fn interval(&self, j: usize) -> Option<(f64, f64)> {
        self.chain
            .as_ref()
            .map(|c| (c.quantile(j, 0.025), c.quantile(j, 0.975)))
    }
}

/// The folds of a cross-validation: (name, cases left out).
pub fn folds(
    objective: &Objective,
    cv: CrossValidation,
) -> Result<Vec<(String, Vec<usize>)>, CalibrateError> {
    let cases = objective.cases();
    match cv {
        CrossValidation::None => Ok(Vec::new()),
        CrossValidation::LeaveOneOut => {
            if cases.len() < 2 {
                return Err(CalibrateError::Input(
                    "--cv loo needs at least two cases".into(),
                ));
            }
            Ok(cases
                .iter()
                .enumerate()
                .map(|(i, c)| (c.label.clone(), vec![i]))
                .collect())
        }
        CrossValidation::LeaveAllianceOut => {
            let mut names: Vec<&str> = Vec::new();
            for c in cases {
                if !names.contains(&c.alliance.as_str()) {
                    names.push(&c.alliance);
                }
            }
            if names.len() < 2 {
                return Err(CalibrateError::Input(format!(
                    "--cv alliance needs cases of at least two alliances; these are all of {}",
                    names.first().copied().unwrap_or("one alliance")
                )));
            }
            Ok(names
                .iter()
                .map(|n| {
                    let held: Vec<usize> = (0..cases.len())
                        .filter(|i| cases[*i].alliance == *n)
                        .collect();
                    (n.to_string(), held)
                })
                .collect())
        }
    }
}

/// The base rate of each case from the cases its fold keeps (all others
/// under `loo` and `none`; the other alliances' under `alliance`).
fn base_rates(objective: &Objective, folds: &[(String, Vec<usize>)]) -> Vec<ForecastScore> {
    let cases = objective.cases();
    let history = |i: usize| History {
        levels: cases[i].levels.clone(),
        requested: cases[i].scenario.crisis.requested,
    };
    (0..cases.len())
        .map(|i| {
            let left_out: Vec<usize> = folds
                .iter()
                .find(|(_, held)| held.contains(&i))
                .map(|(_, held)| held.clone())
                .unwrap_or_else(|| vec![i]);
            let mut library: Vec<History> = (0..cases.len())
                .filter(|k| !left_out.contains(k))
                .map(history)
                .collect();
            library.push(history(i));
            let levels = cases[i].scenario.options.len();
            let p = baseline::base_rate(&library, library.len() - 1, levels);
            validate::score_forecast(&cases[i].levels, &p, validate::log_floor(cases[i].runs))
        })
        .collect()
}

/// Fits the objective's parameters to all its cases, cross-validates the
/// fit and samples the posterior, reporting each stage to `progress`.
pub fn calibrate(
    objective: &Objective,
    settings: &Settings,
    progress: &dyn Fn(Stage),
) -> Result<Calibration, CalibrateError> {
    let all: Vec<usize> = (0..objective.cases().len()).collect();
    let written = objective.written_values();
    let starts = fit::starts(
        objective.params(),
        &written,
        settings.extra_starts,
        settings.seed,
    );
    let folds_wanted = folds(objective, settings.cv)?;

    progress(Stage::Written);
    let before = objective.scores(None, &all)?;
    progress(Stage::Fit);
    let fit = fit::maximize(objective, &all, &starts)?;
    let after = objective.scores(Some(&fit.theta), &all)?;

    let mut folds = Vec::with_capacity(folds_wanted.len());
    let mut out: Vec<Option<CaseScore>> = vec![None; all.len()];
    for (k, (name, held)) in folds_wanted.iter().enumerate() {
        progress(Stage::Fold(k, folds_wanted.len()));
        let train: Vec<usize> = all.iter().copied().filter(|i| !held.contains(i)).collect();
        let f = fit::maximize(objective, &train, &starts)?;
        for (i, s) in held.iter().zip(objective.scores(Some(&f.theta), held)?) {
            out[*i] = Some(s);
        }
        folds.push(Fold {
            name: name.clone(),
            held_out: held.clone(),
            fit: f,
        });
    }
    let out_of_sample = (!folds_wanted.is_empty()).then(|| {
        out.into_iter()
            .map(|s| s.expect("every case is in a fold"))
            .collect()
    });

    let chain = sample_posterior(objective, &fit, settings, progress)?;
    let base_rate = base_rates(objective, &folds_wanted);
    Ok(Calibration {
        settings: settings.clone(),
        written,
        fit,
        chain,
        before,
        after,
        out_of_sample,
        folds,
        base_rate,
    })
}

/// Samples the posterior around `fit` on every case, if `settings.draws > 0`.
pub fn sample_posterior(
    objective: &Objective,
    fit: &Fit,
    settings: &Settings,
    progress: &dyn Fn(Stage),
) -> Result<Option<Chain>, CalibrateError> {
    if settings.draws == 0 {
        return Ok(None);
    }
    let all: Vec<usize> = (0..objective.cases().len()).collect();
    let total = settings.burn_in + settings.draws;
    mcmc::metropolis(
        |theta| objective.log_likelihood(theta, &all),
        objective.params(),
        &fit.theta,
        fit.log_likelihood,
        settings.burn_in,
        settings.draws,
        settings.seed,
        &|done| progress(Stage::Posterior(done, total)),
    )
    .map(Some)
}

/// The cases with every scenario's perception noise model set to `model`.
pub fn with_noise_model(cases: &[Case], model: NoiseModel) -> Vec<Case> {
    cases
        .iter()
        .cloned()
        .map(|mut c| {
            c.scenario.montecarlo.noise_model = model;
            c
        })
        .collect()
}

/// The noise model whose calibration scores best out of sample (lowest
/// mean log score, then lowest mean Brier; the first listed on ties).
///
/// # Panics
/// If a calibration has no out-of-sample scores (cross-validation is needed).
pub fn best_out_of_sample(results: &[(NoiseModel, Calibration)]) -> usize {
    let key = |c: &Calibration| {
        let rows = c.score_rows();
        let out = rows
            .iter()
            .find(|r| r.forecaster == "calibrated, out of sample")
            .expect("cross-validated");
        (out.overall.mean_log_score, out.overall.mean_brier)
    };
    let mut best = 0;
    for (i, (_, c)) in results.iter().enumerate().skip(1) {
        let (a, b) = (key(c), key(&results[best].1));
        if a.0 < b.0 || (a.0 == b.0 && a.1 < b.1) {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn param_specs_parse_and_refuse_with_reasons() {
        let p: ParamSpec = "members.*.weights.cost=0.5:4".parse().unwrap();
        assert_eq!(
            p,
            ParamSpec {
                path: "members.*.weights.cost".into(),
                lo: 0.5,
                hi: 4.0
            }
        );
        assert_eq!(p.to_string(), "members.*.weights.cost=0.5:4");
        for (bad, says) in [
            ("noise", "PATH=LO:HI"),
            ("noise=0.5", "LO:HI"),
            ("noise=a:1", "lower bound `a`"),
            ("noise=0:inf", "upper bound"),
            ("noise=0.5:0.5", "below the upper"),
            ("=0:1", "empty"),
        ] {
            let e = bad.parse::<ParamSpec>().unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn cross_validation_names_round_trip() {
        for cv in [
            CrossValidation::None,
            CrossValidation::LeaveOneOut,
            CrossValidation::LeaveAllianceOut,
        ] {
            assert_eq!(cv.to_string().parse::<CrossValidation>(), Ok(cv));
        }
        assert!("lo".parse::<CrossValidation>().unwrap_err().contains("loo"));
    }
}
