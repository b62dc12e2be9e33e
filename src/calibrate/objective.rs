//! The objective of a calibration: the log-likelihood of the historical
//! outcomes of a set of cases as a function of a parameter vector.
//!
//! For a vector θ, each case's scenario gets every parameter it has set to
//! θ's value (paths a case lacks, such as a member of another alliance, are
//! left alone), is simulated with its own seed and run count, and scored as
//! `validate` scores it. The log-likelihood is Σ ln max(p_c, 0.5 / runs_c)
//! over the cases, p_c the share of runs that gave case c's historical
//! outcome: minus the sum of `validate`'s log scores. Every evaluation
//! uses the same generators (common random numbers), so the objective is a
//! deterministic function of θ, the same at any thread count.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use rayon::prelude::*;

use crate::analysis::cases::{self, Case};
use crate::analysis::validate::CaseScore;
use crate::model::Model;
use crate::runner::Models;
use crate::scenario::paths::ParamPath;
use crate::scenario::Scenario;

use super::{CalibrateError, ParamSpec};

/// The cases, the parameters and where each parameter lands in each case.
#[derive(Debug)]
pub struct Objective<'a> {
    cases: Vec<Case>,
    params: Vec<ParamSpec>,
    /// `paths[c][j]`: parameter j in case c, if case c has it.
    paths: Vec<Vec<Option<ParamPath>>>,
    /// Each case's scenario without its source texts, which every
    /// evaluation copies and changes.
    bare: Vec<Scenario>,
    cancel: Option<&'a AtomicBool>,
    runs_done: AtomicU64,
    evaluations: AtomicU64,
}

impl<'a> Objective<'a> {
    /// Checks every parameter against every case: each must name a
    /// parameter of at least one case, and its bounds must lie in that
    /// parameter's valid range.
    pub fn new(cases: Vec<Case>, params: Vec<ParamSpec>) -> Result<Objective<'a>, CalibrateError> {
        if cases.is_empty() {
            return Err(CalibrateError::Input("no case to calibrate on".into()));
        }
        if params.is_empty() {
            return Err(CalibrateError::Input(
                "no parameter to fit: give at least one --param PATH=LO:HI".into(),
            ));
        }
        let mut paths = vec![Vec::with_capacity(params.len()); cases.len()];
        for (j, spec) in params.iter().enumerate() {
            if params[..j].iter().any(|p| p.path == spec.path) {
                return Err(CalibrateError::Input(format!(
                    "--param `{}` is given twice",
                    spec.path
                )));
            }
            let mut first_error = None;
            for (c, case) in cases.iter().enumerate() {
                match ParamPath::parse(&case.scenario, &spec.path) {
                    Ok(path) => {
                        let range = path.range();
                        if !(range.contains(spec.lo) && range.contains(spec.hi)) {
                            return Err(CalibrateError::Input(format!(
                                "--param `{}={}:{}`: the bounds must lie in the parameter's range {range}",
                                crate::text::excerpt(&spec.path),
                                crate::text::num(spec.lo),
                                crate::text::num(spec.hi)
                            )));
                        }
                        paths[c].push(Some(path));
                    }
                    Err(e) => {
                        first_error.get_or_insert(e);
                        paths[c].push(None);
                    }
                }
            }
            if paths.iter().all(|p| p[j].is_none()) {
                let e = first_error.expect("at least one case");
                let help = e.help.map(|h| format!("\n  help: {h}")).unwrap_or_default();
                return Err(CalibrateError::Input(format!(
                    "--param `{}` names a parameter no case has: {}{help}",
                    spec.path, e.message
                )));
            }
        }
        let bare = cases
            .iter()
            .map(|c| Scenario {
                sources: Vec::new(),
                ..c.scenario.clone()
            })
            .collect();
        Ok(Objective {
            cases,
            params,
            paths,
            bare,
            cancel: None,
            runs_done: AtomicU64::new(0),
            evaluations: AtomicU64::new(0),
        })
    }

    /// Stops evaluations with [`CalibrateError::Interrupted`] once `flag` is set.
    pub fn with_cancel(mut self, flag: &'a AtomicBool) -> Objective<'a> {
        self.cancel = Some(flag);
        self
    }

    /// The cases.
    pub fn cases(&self) -> &[Case] {
        &self.cases
    }

    /// The parameters, in the order of θ.
    pub fn params(&self) -> &[ParamSpec] {
        &self.params
    }

    /// How many cases have parameter `j`.
    pub fn cases_with(&self, j: usize) -> usize {
        self.paths.iter().filter(|p| p[j].is_some()).count()
    }

    /// Whether case `c` has parameter `j`.
    pub fn case_has(&self, c: usize, j: usize) -> bool {
        self.paths[c][j].is_some()
    }

    /// Each parameter's value in the scenarios as written (in the first case
    /// that has it; for a pattern, its first member's), which is where a fit
    /// starts. Not necessarily inside the bounds.
    pub fn written_values(&self) -> Vec<f64> {
        (0..self.params.len())
            .map(|j| {
                let c = (0..self.cases.len())
                    .find(|c| self.paths[*c][j].is_some())
                    .expect("checked in new: some case has every parameter");
                let path = self.paths[c][j].as_ref().expect("found above");
                path.central(&self.cases[c].scenario)
            })
            .collect()
    }

    /// Case `c`'s scenario with θ applied (without its source texts).
    pub fn scenario_at(&self, c: usize, theta: &[f64]) -> Result<Scenario, CalibrateError> {
        let mut s = self.bare[c].clone();
        for (path, x) in self.paths[c].iter().zip(theta) {
            if let Some(path) = path {
                path.set(&mut s, *x)
                    .map_err(|e| CalibrateError::Input(e.message))?;
            }
        }
        Ok(s)
    }

    /// Simulates and scores case `c` at θ, or as written with `theta = None`.
    pub fn score(&self, c: usize, theta: Option<&[f64]>) -> Result<CaseScore, CalibrateError> {
        let case = &self.cases[c];
        let scenario = match theta {
            Some(t) => self.scenario_at(c, t)?,
            None => self.bare[c].clone(),
        };
        let models = Models::One(Box::new(Model::new(&scenario, case.rule)));
        let score = cases::score_case(case, &models, false, None, self.cancel).map_err(|e| {
            if e.kind() == std::io::ErrorKind::Interrupted {
                CalibrateError::Interrupted
            } else {
                CalibrateError::Input(format!("simulation of {} failed: {e}", case.label))
            }
        })?;
        self.runs_done.fetch_add(case.runs, Ordering::Relaxed);
        Ok(score)
    }

    /// Scores the cases `subset` at θ (or as written), in parallel on the
    /// current rayon pool; the result is in `subset`'s order.
    pub fn scores(
        &self,
        theta: Option<&[f64]>,
        subset: &[usize],
    ) -> Result<Vec<CaseScore>, CalibrateError> {
        if self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(CalibrateError::Interrupted);
        }
        subset.par_iter().map(|c| self.score(*c, theta)).collect()
    }

    /// Σ ln max(p_c, 0.5 / runs_c) over `subset` at θ: one evaluation of the
    /// objective.
    pub fn log_likelihood(&self, theta: &[f64], subset: &[usize]) -> Result<f64, CalibrateError> {
        let scores = self.scores(Some(theta), subset)?;
        self.evaluations.fetch_add(1, Ordering::Relaxed);
        // Summed in case order, so the result does not depend on threads.
        Ok(-scores.iter().map(|s| s.log_score).sum::<f64>())
    }

    /// Evaluations of the objective so far.
    pub fn evaluations(&self) -> u64 {
        self.evaluations.load(Ordering::Relaxed)
    }

    /// Runs simulated so far, by every evaluation and score.
    pub fn runs_done(&self) -> u64 {
        self.runs_done.load(Ordering::Relaxed)
    }
}
