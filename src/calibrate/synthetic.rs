//! Synthetic case libraries: cases whose "historical" outcomes the model
//! itself simulated from known parameter values, so that a calibration can
//! be checked against the truth (does the posterior interval cover the value
//! the outcomes were made with, as often as it says?).
//!
//! Case k of n is the template with one case characteristic (a parameter
//! path, typically `crisis.severity`) set to the k-th of n evenly spaced
//! points of a range, so that the cases differ the way historical crises do.
//! Its outcome is one run of that scenario with the true values applied,
//! drawn from ChaCha8 seeded with the outcome seed on stream k; the case
//! itself is simulated during calibration with its own seed, derived from
//! the template's seed and k, so outcomes and simulations share no draws.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::analysis::cases::Case;
use crate::model::Model;
use crate::scenario::paths::ParamPath;

use super::{calibrate, CalibrateError, Objective, ParamSpec, Settings};

/// How to make a synthetic library.
#[derive(Debug, Clone)]
pub struct Design {
    /// The scenario every case is made from (its `[expected]` is replaced).
    pub template: Case,
    /// The case characteristic that varies between cases.
    pub vary: ParamSpec,
    /// Number of cases.
    pub cases: usize,
    /// Cases per alliance label (`synthetic 0`, `synthetic 1`, ...), for
    /// leave-one-alliance-out cross-validation.
    pub per_alliance: usize,
    /// The parameters the outcomes are made with, and their true values.
    pub truth: Vec<(ParamSpec, f64)>,
    /// Runs per case during calibration.
    pub runs: u64,
}

fn path(design: &Design, text: &str) -> Result<ParamPath, CalibrateError> {
    ParamPath::parse(&design.template.scenario, text)
        .map_err(|e| CalibrateError::Input(format!("`{text}`: {}", e.message)))
}

/// The library for one outcome seed.
pub fn library(design: &Design, outcome_seed: u64) -> Result<Vec<Case>, CalibrateError> {
    let vary = path(design, &design.vary.path)?;
    let truth: Vec<(ParamPath, f64)> = design
        .truth
        .iter()
        .map(|(spec, x)| Ok((path(design, &spec.path)?, *x)))
        .collect::<Result<_, CalibrateError>>()?;
    let base = ChaCha8Rng::seed_from_u64(outcome_seed);
    let n = design.cases.max(1);
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let x = design.vary.lo + (design.vary.hi - design.vary.lo) * (k as f64 + 0.5) / n as f64;
        let mut case = design.template.clone();
        vary.set(&mut case.scenario, x)
            .map_err(|e| CalibrateError::Input(e.message))?;
        let mut true_scenario = case.scenario.clone();
        for (p, v) in &truth {
            p.set(&mut true_scenario, *v)
                .map_err(|e| CalibrateError::Input(e.message))?;
        }
        let model = Model::new(&true_scenario, case.rule);
        let mut rng = base.clone();
        rng.set_stream(k as u64);
        let mut scratch = model.scratch();
        let level = model.simulate(&mut rng, &mut scratch).level;
        case.levels = vec![level];
        case.blockers = None;
        case.label = format!("synthetic_{k:03}");
        case.alliance = format!("synthetic {}", k / design.per_alliance.max(1));
        case.runs = design.runs;
        case.seed = design
            .template
            .seed
            .wrapping_add((k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        out.push(case);
    }
    Ok(out)
}

/// One replication of a recovery study: the true values, the fit and the
/// 95% posterior interval of each parameter.
#[derive(Debug, Clone)]
pub struct Replication {
    /// The outcome seed.
    pub outcome_seed: u64,
    /// Maximum-likelihood estimates.
    pub estimate: Vec<f64>,
    /// 95% posterior intervals.
    pub interval: Vec<(f64, f64)>,
    /// Whether each interval covers the truth.
    pub covered: Vec<bool>,
}

/// Calibrates the library of each outcome seed in turn (no
/// cross-validation) and reports whether each posterior interval covers
/// the truth.
pub fn recovery(
    design: &Design,
    outcome_seeds: impl IntoIterator<Item = u64>,
    settings: &Settings,
    progress: &dyn Fn(usize),
) -> Result<Vec<Replication>, CalibrateError> {
    let params: Vec<ParamSpec> = design.truth.iter().map(|(s, _)| s.clone()).collect();
    let settings = Settings {
        cv: super::CrossValidation::None,
        draws: settings.draws.max(1),
        ..settings.clone()
    };
    let mut out = Vec::new();
    for (r, seed) in outcome_seeds.into_iter().enumerate() {
        let cases = library(design, seed)?;
        let objective = Objective::new(cases, params.clone())?;
        let c = calibrate(&objective, &settings, &|_| {})?;
        let interval: Vec<(f64, f64)> = (0..params.len())
            .map(|j| c.interval(j).expect("draws > 0"))
            .collect();
        let covered = interval
            .iter()
            .zip(&design.truth)
            .map(|((lo, hi), (_, x))| lo <= x && x <= hi)
            .collect();
        out.push(Replication {
            outcome_seed: seed,
            estimate: c.fit.theta.clone(),
            interval,
            covered,
        });
        progress(r + 1);
    }
    Ok(out)
}
