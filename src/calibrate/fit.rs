//! Maximum likelihood: Nelder-Mead (the `argmin` crate) on the objective,
//! kept inside the bounds by a change of variables, from several starts.
//!
//! Each parameter x in [lo, hi] is searched as u in ℝ with
//! x = lo + (hi − lo) / (1 + e^(−u)), so the simplex can move freely and
//! every point it tries is inside the bounds. The first start is the
//! scenarios' own values (clamped 1% of the width inside the bounds);
//! further starts are drawn uniformly inside the bounds from the master
//! seed. The best point over all starts wins (the first on ties), so a fit
//! is a deterministic function of the cases, the bounds and the seed.

use argmin::core::{CostFunction, Executor, State};
use argmin::solver::neldermead::NelderMead;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::objective::Objective;
use super::{CalibrateError, ParamSpec};

/// Generator stream of the random starts, away from the runs' streams.
const STARTS_STREAM: u64 = u64::MAX - 1;
/// Step of the first simplex around a start, in the searched variable u.
const SIMPLEX_STEP: f64 = 1.0;
/// Iterations of one Nelder-Mead search per parameter, and at least.
const ITERS_PER_PARAM: u64 = 60;
const MIN_ITERS: u64 = 80;
/// The search stops when the log-likelihoods at the simplex's corners
/// differ by less than this (sample standard deviation).
const SD_TOLERANCE: f64 = 1e-6;

/// The best point a fit found.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// The parameter values.
    pub theta: Vec<f64>,
    /// The log-likelihood there.
    pub log_likelihood: f64,
    /// Evaluations of the objective the fit used.
    pub evaluations: u64,
}

/// x in [lo, hi] from the searched variable u.
pub fn to_bounded(spec: &ParamSpec, u: f64) -> f64 {
    let x = spec.lo + (spec.hi - spec.lo) / (1.0 + (-u).exp());
    x.clamp(spec.lo, spec.hi)
}

/// The searched variable u for x, with x kept 1% of the width inside the bounds.
pub fn to_free(spec: &ParamSpec, x: f64) -> f64 {
    let w = spec.hi - spec.lo;
    let t = ((x - spec.lo) / w).clamp(0.01, 0.99);
    (t / (1.0 - t)).ln()
}

/// The starting points: the written values, then `extra` points drawn
/// uniformly inside the bounds from `seed`.
pub fn starts(params: &[ParamSpec], written: &[f64], extra: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(STARTS_STREAM);
    let mut out = vec![written
        .iter()
        .zip(params)
        .map(|(x, p)| x.clamp(p.lo, p.hi))
        .collect::<Vec<f64>>()];
    for _ in 0..extra {
        out.push(
            params
                .iter()
                .map(|p| p.lo + (p.hi - p.lo) * rng.random::<f64>())
                .collect(),
        );
    }
    out
}

/// The negative log-likelihood over some cases, in the searched variables.
struct Problem<'o, 'a> {
    objective: &'o Objective<'a>,
    subset: &'o [usize],
}

impl CostFunction for Problem<'_, '_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, u: &Vec<f64>) -> Result<f64, argmin::core::Error> {
        let theta: Vec<f64> = u
            .iter()
            .zip(self.objective.params())
            .map(|(u, p)| to_bounded(p, *u))
            .collect();
        Ok(-self.objective.log_likelihood(&theta, self.subset)?)
    }
}

/// Maximizes the log-likelihood of the cases `subset` from each of `starts`
/// and returns the best point found.
pub fn maximize(
    objective: &Objective,
    subset: &[usize],
    starts: &[Vec<f64>],
) -> Result<Fit, CalibrateError> {
    let params = objective.params();
    let before = objective.evaluations();
    let mut best: Option<Fit> = None;
    for start in starts {
        let u0: Vec<f64> = start
            .iter()
            .zip(params)
            .map(|(x, p)| to_free(p, *x))
            .collect();
        let mut simplex = vec![u0.clone()];
        for j in 0..u0.len() {
            let mut v = u0.clone();
            // Step toward the middle of the range, where there is room.
            v[j] += if u0[j] > 0.0 {
                -SIMPLEX_STEP
            } else {
                SIMPLEX_STEP
            };
            simplex.push(v);
        }
        let solver = NelderMead::new(simplex)
            .with_sd_tolerance(SD_TOLERANCE)
            .map_err(|e| CalibrateError::Input(format!("optimizer set-up: {e}")))?;
        let iters = MIN_ITERS.max(ITERS_PER_PARAM * params.len() as u64);
        let problem = Problem { objective, subset };
        let result = Executor::new(problem, solver)
            .configure(|state| state.max_iters(iters))
            .run()
            .map_err(|e| match e.downcast::<CalibrateError>() {
                Ok(e) => e,
                Err(e) => CalibrateError::Input(format!("optimizer: {e}")),
            })?;
        let state = result.state();
        let u = state
            .get_best_param()
            .cloned()
            .unwrap_or_else(|| u0.clone());
        let theta: Vec<f64> = u
            .iter()
            .zip(params)
            .map(|(u, p)| to_bounded(p, *u))
            .collect();
        let log_likelihood = -state.get_best_cost();
        if best
            .as_ref()
            .is_none_or(|b| log_likelihood > b.log_likelihood)
        {
            best = Some(Fit {
                theta,
                log_likelihood,
                evaluations: 0,
            });
        }
    }
    let mut best = best.ok_or_else(|| CalibrateError::Input("no starting point".into()))?;
    best.evaluations = objective.evaluations() - before;
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(lo: f64, hi: f64) -> ParamSpec {
        ParamSpec {
            path: "noise".into(),
            lo,
            hi,
        }
    }

    #[test]
    fn the_change_of_variables_stays_in_bounds_and_inverts() {
        let p = spec(0.02, 0.5);
        for u in [-800.0, -5.0, 0.0, 3.0, 800.0] {
            let x = to_bounded(&p, u);
            assert!((0.02..=0.5).contains(&x), "{u} -> {x}");
        }
        for x in [0.05, 0.26, 0.4] {
            let back = to_bounded(&p, to_free(&p, x));
            assert!((back - x).abs() < 1e-12, "{x} -> {back}");
        }
    }

    #[test]
    fn starts_begin_with_the_written_values_and_repeat_for_a_seed() {
        let params = [spec(0.0, 1.0), spec(2.0, 3.0)];
        let a = starts(&params, &[0.5, 7.0], 3, 9);
        assert_eq!(a[0], vec![0.5, 3.0]);
        assert_eq!(a.len(), 4);
        assert_eq!(a, starts(&params, &[0.5, 7.0], 3, 9));
        assert_ne!(a, starts(&params, &[0.5, 7.0], 3, 10));
        assert!(a[1..]
            .iter()
            .all(|s| (0.0..1.0).contains(&s[0]) && (2.0..3.0).contains(&s[1])));
    }
}
