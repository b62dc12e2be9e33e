//! A whole calibration as the command runs it: the objective under the
//! noise model(s) asked for, the fit and cross-validation of each, the
//! choice between noise models, the posterior of the one kept, and the
//! scores of the scenarios as written.

use std::sync::atomic::AtomicBool;

use crate::analysis::cases::Case;
use crate::scenario::NoiseModel;

use super::{
    best_out_of_sample, calibrate, folds, sample_posterior, with_noise_model, CalibrateError,
    Calibration, CrossValidation, Objective, ParamSpec, Settings, Stage,
};

/// Which perception-noise model the cases are fitted under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoiseChoice {
    /// Each scenario's own.
    Written,
    /// This one for every case.
    Use(NoiseModel),
    /// Every model, each fitted and cross-validated; the best out of sample is kept.
    Compare,
}

/// What a calibration job found.
#[derive(Debug)]
pub struct Outcome<'a> {
    /// One objective per noise model tried (one unless comparing).
    pub objectives: Vec<Objective<'a>>,
    /// The noise model of each objective (`None`: each scenario's own).
    pub models: Vec<Option<NoiseModel>>,
    /// The calibration under each; only the kept one has a posterior.
    pub results: Vec<Calibration>,
    /// Index of the kept calibration.
    pub best: usize,
}

impl Outcome<'_> {
    /// The kept objective and calibration.
    pub fn kept(&self) -> (&Objective<'_>, &Calibration) {
        (&self.objectives[self.best], &self.results[self.best])
    }

    /// Runs simulated by every objective.
    pub fn runs_done(&self) -> u64 {
        self.objectives.iter().map(|o| o.runs_done()).sum()
    }
}

/// A calibration job checked and ready to run.
#[derive(Debug)]
pub struct Prepared<'a> {
    /// The noise model of each objective (`None`: each scenario's own).
    pub models: Vec<Option<NoiseModel>>,
    /// One objective per noise model to try.
    pub objectives: Vec<Objective<'a>>,
    /// The cases as written, when the objectives change their noise model.
    written: Option<Objective<'a>>,
}

/// Checks everything that can be checked before any run: the parameters
/// against the cases, the folds, and that a comparison is cross-validated.
pub fn prepare<'a>(
    cases: &[Case],
    params: &[ParamSpec],
    settings: &Settings,
    noise: NoiseChoice,
    cancel: Option<&'a AtomicBool>,
) -> Result<Prepared<'a>, CalibrateError> {
    if noise == NoiseChoice::Compare && settings.cv == CrossValidation::None {
        return Err(CalibrateError::Input(
            "--noise-model compare chooses by the out-of-sample log score, so it needs --cv loo or --cv alliance"
                .into(),
        ));
    }
    let models: Vec<Option<NoiseModel>> = match noise {
        NoiseChoice::Written => vec![None],
        NoiseChoice::Use(m) => vec![Some(m)],
        NoiseChoice::Compare => NoiseModel::ALL.iter().copied().map(Some).collect(),
    };
    let objective = |cases: Vec<Case>| -> Result<Objective<'a>, CalibrateError> {
        let o = Objective::new(cases, params.to_vec())?;
        Ok(match cancel {
            Some(flag) => o.with_cancel(flag),
            None => o,
        })
    };
    let mut objectives = Vec::new();
    for m in &models {
        let o = objective(match m {
            Some(m) => with_noise_model(cases, *m),
            None => cases.to_vec(),
        })?;
        folds(&o, settings.cv)?;
        objectives.push(o);
    }
    // "As written" means the files as they are, with their own noise model,
    // whatever model the fit uses.
    let written = match noise {
        NoiseChoice::Written => None,
        _ => Some(objective(cases.to_vec())?),
    };
    Ok(Prepared {
        models,
        objectives,
        written,
    })
}

/// Runs a prepared calibration job on the current rayon pool.
pub fn run<'a>(
    prepared: Prepared<'a>,
    settings: &Settings,
    progress: &dyn Fn(Stage),
) -> Result<Outcome<'a>, CalibrateError> {
    let Prepared {
        models,
        objectives,
        written,
    } = prepared;
    let mut results = Vec::new();
    let best = if models.len() == 1 {
        results.push(calibrate(&objectives[0], settings, progress)?);
        0
    } else {
        let no_posterior = Settings {
            draws: 0,
            ..settings.clone()
        };
        let mut named = Vec::new();
        for (m, objective) in models.iter().zip(&objectives) {
            let m = m.expect("compared models are named");
            progress(Stage::NoiseModel(m));
            let c = calibrate(objective, &no_posterior, progress)?;
            named.push((m, c));
        }
        let best = best_out_of_sample(&named);
        progress(Stage::Chosen(named[best].0));
        results = named.into_iter().map(|(_, c)| c).collect();
        results[best].chain =
            sample_posterior(&objectives[best], &results[best].fit, settings, progress)?;
        results[best].settings = settings.clone();
        best
    };
    if let Some(written) = written {
        let all: Vec<usize> = (0..written.cases().len()).collect();
        let before = written.scores(None, &all)?;
        for r in &mut results {
            r.before = before.clone();
        }
    }
    Ok(Outcome {
        objectives,
        models,
        results,
        best,
    })
}
