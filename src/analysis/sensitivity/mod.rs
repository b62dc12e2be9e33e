//! Global sensitivity analysis by Morris elementary effects: which parameters
//! move the probability of each outcome most.
//!
//! # Bands
//! Each factor moves over a band around its value, set by its [`Kind`]
//! ([`Band::ByKind`], the default): a measured amount (military spending,
//! GDP, population) and an interest weight by a share of the value (±25%);
//! a judgement on a bounded scale (0–1, −1–1) by a share of the scale's
//! width (±0.1 of it); a reservation level by that share of the −1..1 scale
//! the utility terms span (±0.2); the perception noise by a share of its
//! value. A parameter given as a distribution moves over its mean ± one
//! standard deviation. Every band is clipped to the valid range.
//! [`Band::Full`] moves every factor over its whole valid range.
//!
//! # Design
//! Each of the k factors is scaled to the unit interval over its band
//! `[low, high]` and cut into a grid of p levels, 0, 1/(p−1), …, 1 (p even). The
//! step is Δ = p / (2(p−1)), that is p/2 grid steps. A trajectory is a base
//! point and k moves: for each factor in turn (a random order), the factor
//! moves by +Δ if its level is in the lower half of the grid and by −Δ if it
//! is in the upper half (exactly one of the two stays on the grid), the other
//! factors keeping their current values. A trajectory therefore has k + 1
//! points and moves every factor exactly once.
//!
//! All draws come from `ChaCha8Rng::seed_from_u64(seed)` on stream
//! [`MORRIS_STREAM`] (2^64 − 2), which no run and no Latin hypercube uses: for
//! each trajectory in turn, k base levels (`random_range(0..p)`, factor by
//! factor), then a Fisher-Yates shuffle of the factor order (for i from k−1
//! down to 1, swap i with `random_range(0..=i)`). The same seed gives the same
//! design.
//!
//! # Effects
//! The elementary effect of the move of factor i from point a to point b is
//! EE = (y(b) − y(a)) / (u_b − u_a), where u is the unit-scale value of the
//! factor (u_b − u_a = ±Δ): the change of the response per full range of the
//! factor. Over the r trajectories: μ* = mean |EE|, μ = mean EE, σ = sample
//! standard deviation of EE (denominator r − 1; 0 when r = 1).
//!
//! # How sure a rank is
//! A percentile bootstrap over trajectories gives a 95% interval for μ*:
//! [`BOOTSTRAP_RESAMPLES`] resamples, each r trajectories drawn with
//! replacement (the same draws for every factor), from
//! `ChaCha8Rng::seed_from_u64(seed)` on stream [`BOOTSTRAP_STREAM`]. The
//! interval lies within [0, max |EE|], so within [0, 1/Δ] for a probability.
//! Factors are ranked by μ* as written (six decimals), ties by path name.
//!
//! Every point is one simulation with the same master seed, so all points
//! share their random numbers (common random numbers): a parameter the model
//! never reads gives exactly the same counts at every point, and μ* = 0.
//!
//! The kinds of value, their bands and the selection of factors are in
//! `factors`.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::model::{DecisionRule, Model};
use crate::runner::{self, Observers};
use crate::scenario::param::{normal_cdf, Param, Range};
use crate::scenario::paths::{self, ParamPath};
use crate::scenario::{suggest, Scenario};

mod factors;
#[cfg(test)]
mod tests;

pub use factors::*;

/// Stream of the master seed's generator that the Morris design draws from;
/// runs use streams 0, 1, 2, … and Latin hypercubes 2^64 − 1.
pub const MORRIS_STREAM: u64 = u64::MAX - 1;

/// Stream of the master seed's generator that the bootstrap over
/// trajectories draws from.
pub const BOOTSTRAP_STREAM: u64 = u64::MAX - 3;

/// Resamples of the bootstrap interval for μ*.
pub const BOOTSTRAP_RESAMPLES: usize = 1000;

/// Confidence of the bootstrap interval for μ*.
pub const BOOTSTRAP_LEVEL: f64 = 0.95;

/// Most model evaluations (r · (k + 1)) one analysis may ask for.
pub const MAX_EVALUATIONS: usize = 200_000;

/// Parameters left out of the default factors unless named: they are
/// settings of the method rather than facts of the case.
pub const EXCLUDED_BY_DEFAULT: [&str; 2] = ["noise", "abstention_band"];

/// Why an analysis could not be done.
#[derive(Debug, thiserror::Error)]
pub enum SensitivityError {
    /// Bad input: a path, a setting, a design too large.
    #[error("{}", match help { Some(h) => format!("{message}\n  help: {h}"), None => message.clone() })]
    Input {
        /// What was wrong.
        message: String,
        /// A suggestion, if one is close.
        help: Option<String>,
    },
    /// Stopped by the cancel flag.
    #[error("interrupted")]
    Interrupted,
    /// Any other failure of a simulation.
    #[error(transparent)]
    Io(#[from] io::Error),
}

fn input(message: impl Into<String>) -> SensitivityError {
    SensitivityError::Input {
        message: message.into(),
        help: None,
    }
}

/// A Morris design in unit scale.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisDesign {
    /// Number of factors k.
    pub factors: usize,
    /// Grid levels p.
    pub levels: usize,
    /// The trajectories: each k + 1 points of k unit-scale coordinates.
    pub trajectories: Vec<Vec<Vec<f64>>>,
    /// For each trajectory, the factor moved at each of its k steps.
    pub moved: Vec<Vec<usize>>,
    /// The seed the design was drawn from; the bootstrap draws from it too.
    pub seed: u64,
}

impl MorrisDesign {
    /// Draws `r` trajectories over `k` factors on a grid of `p` levels from
    /// `seed`'s generator on [`MORRIS_STREAM`]. `p` must be even and at least
    /// 2; at most [`MAX_EVALUATIONS`] points in all.
    pub fn new(k: usize, r: usize, p: usize, seed: u64) -> Result<MorrisDesign, SensitivityError> {
        if k == 0 {
            return Err(input("no parameter to vary"));
        }
        if r == 0 {
            return Err(input("--trajectories must be at least 1"));
        }
        if p < 2 || !p.is_multiple_of(2) || p > 1000 {
            return Err(input(format!(
                "--levels {p}: the number of levels must be even, from 2 to 1000 (4 is usual)"
            )));
        }
        let evaluations = r.saturating_mul(k.saturating_add(1));
        if evaluations > MAX_EVALUATIONS {
            return Err(input(format!(
                "{r} trajectories over {k} parameters need {} evaluations; at most {} are supported (use fewer --trajectories, or name the parameters with --param)",
                crate::output::table::thousands(evaluations as u64),
                crate::output::table::thousands(MAX_EVALUATIONS as u64)
            )));
        }
        let half = p / 2;
        let unit = |level: usize| level as f64 / (p - 1) as f64;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(MORRIS_STREAM);
        let mut trajectories = Vec::with_capacity(r);
        let mut moved = Vec::with_capacity(r);
        for _ in 0..r {
            let mut level: Vec<usize> = (0..k).map(|_| rng.random_range(0..p)).collect();
            let mut order: Vec<usize> = (0..k).collect();
            for i in (1..k).rev() {
                let j = rng.random_range(0..=i);
                order.swap(i, j);
            }
            let mut points = Vec::with_capacity(k + 1);
            points.push(level.iter().map(|&l| unit(l)).collect::<Vec<f64>>());
            for &i in &order {
                level[i] = if level[i] < half {
                    level[i] + half
                } else {
                    level[i] - half
                };
                points.push(level.iter().map(|&l| unit(l)).collect());
            }
            trajectories.push(points);
            moved.push(order);
        }
        Ok(MorrisDesign {
            factors: k,
            levels: p,
            trajectories,
            moved,
            seed,
        })
    }

    /// Δ = p / (2(p − 1)).
    pub fn delta(&self) -> f64 {
        self.levels as f64 / (2.0 * (self.levels - 1) as f64)
    }

    /// Number of points, r · (k + 1).
    pub fn evaluations(&self) -> usize {
        self.trajectories.len() * (self.factors + 1)
    }
}

/// μ*, its bootstrap interval, μ and σ of one factor for one response.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effects {
    /// Mean absolute elementary effect.
    pub mu_star: f64,
    /// Low end of the 95% bootstrap interval for μ* (see [`bootstrap`]).
    pub mu_star_lo: f64,
    /// High end of the 95% bootstrap interval for μ*.
    pub mu_star_hi: f64,
    /// Mean elementary effect.
    pub mu: f64,
    /// Standard deviation of the elementary effects (n − 1; 0 for one).
    pub sigma: f64,
}

fn effects(ee: &[f64]) -> Effects {
    let n = ee.len() as f64;
    let mu = ee.iter().sum::<f64>() / n;
    let mu_star = ee.iter().map(|e| e.abs()).sum::<f64>() / n;
    let sigma = if ee.len() < 2 {
        0.0
    } else {
        (ee.iter().map(|e| (e - mu) * (e - mu)).sum::<f64>() / (n - 1.0)).sqrt()
    };
    Effects {
        mu_star,
        mu_star_lo: mu_star,
        mu_star_hi: mu_star,
        mu,
        sigma,
    }
}

/// The trajectories of each bootstrap resample: [`BOOTSTRAP_RESAMPLES`]
/// lists of `r` indices drawn with replacement (`random_range(0..r)`, in
/// order) from `ChaCha8Rng::seed_from_u64(seed)` on [`BOOTSTRAP_STREAM`].
pub fn resamples(r: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(BOOTSTRAP_STREAM);
    (0..BOOTSTRAP_RESAMPLES)
        .map(|_| (0..r).map(|_| rng.random_range(0..r)).collect())
        .collect()
}

/// The percentile bootstrap interval of mean |EE| over `resamples`: the
/// resampled means sorted, the ⌊0.025·B⌋-th and the (⌈0.975·B⌉ − 1)-th
/// (from 0) of the B. Each end is a mean of some |EE|, so the interval lies
/// within [0, max |EE|].
pub fn bootstrap(ee: &[f64], resamples: &[Vec<usize>]) -> (f64, f64) {
    if ee.is_empty() || resamples.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mut means: Vec<f64> = resamples
        .iter()
        .map(|idx| idx.iter().map(|&t| ee[t].abs()).sum::<f64>() / idx.len() as f64)
        .collect();
    means.sort_by(f64::total_cmp);
    let b = means.len() as f64;
    let tail = (1.0 - BOOTSTRAP_LEVEL) / 2.0;
    let lo = ((tail * b).floor() as usize).min(means.len() - 1);
    let hi = (((1.0 - tail) * b).ceil() as usize)
        .saturating_sub(1)
        .min(means.len() - 1);
    (means[lo], means[hi])
}

/// Evaluates `f` at every point of `design`, the unit coordinates mapped to
/// `ranges` (value = lo + u·(hi − lo)), in parallel on the current rayon pool,
/// and returns `[factor][response]` effects, with bootstrap intervals for μ*
/// from the design's seed. `f` must return the same number
/// of responses at every point; `done` is called with each finished count.
pub fn morris<F, E>(
    design: &MorrisDesign,
    ranges: &[(f64, f64)],
    f: F,
    done: Option<&(dyn Fn(usize) + Sync)>,
) -> Result<Vec<Vec<Effects>>, E>
where
    F: Fn(&[f64]) -> Result<Vec<f64>, E> + Sync,
    E: Send,
{
    assert_eq!(ranges.len(), design.factors, "one range per factor");
    let points: Vec<&Vec<f64>> = design.trajectories.iter().flatten().collect();
    let count = AtomicUsize::new(0);
    let ys: Vec<Vec<f64>> = points
        .par_iter()
        .map(|u| {
            let x: Vec<f64> = u
                .iter()
                .zip(ranges)
                .map(|(u, (lo, hi))| (lo + u * (hi - lo)).clamp(*lo, *hi))
                .collect();
            let y = f(&x);
            let n = count.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(d) = done {
                d(n);
            }
            y
        })
        .collect::<Result<_, E>>()?;
    let responses = ys.first().map_or(0, Vec::len);
    let k = design.factors;
    // ee[factor][response] = effects over trajectories, in trajectory order.
    let mut ee = vec![vec![Vec::with_capacity(design.trajectories.len()); responses]; k];
    let delta = design.delta();
    for (t, (points, order)) in design.trajectories.iter().zip(&design.moved).enumerate() {
        let y = &ys[t * (k + 1)..(t + 1) * (k + 1)];
        for (step, &i) in order.iter().enumerate() {
            // Exactly ±Δ, so that equal changes give equal effects (the
            // difference of two grid values can miss Δ in the last bit).
            let du = if points[step + 1][i] > points[step][i] {
                delta
            } else {
                -delta
            };
            for (j, e) in ee[i].iter_mut().enumerate() {
                e.push((y[step + 1][j] - y[step][j]) / du);
            }
        }
    }
    let resamples = resamples(design.trajectories.len(), design.seed);
    Ok(ee
        .par_iter()
        .map(|per| {
            per.iter()
                .map(|e| {
                    let (lo, hi) = bootstrap(e, &resamples);
                    Effects {
                        mu_star_lo: lo,
                        mu_star_hi: hi,
                        ..effects(e)
                    }
                })
                .collect()
        })
        .collect())
}

/// A response: the probability of one outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    /// P(adopted level = l).
    Exactly(usize),
    /// P(adopted level ≥ l), l ≥ 1.
    AtLeast(usize),
}

impl Response {
    /// Every response of a scenario with `levels` levels (no action
    /// included): P(= l) for l = 0..levels, then P(≥ l) for l = 1..levels.
    pub fn all(levels: usize) -> Vec<Response> {
        (0..levels)
            .map(Response::Exactly)
            .chain((1..levels).map(Response::AtLeast))
            .collect()
    }

    /// `P(option)` or `P(>= option)` with the option's id from `scenario`.
    pub fn label(&self, scenario: &Scenario) -> String {
        match *self {
            Response::Exactly(l) => format!("P({})", scenario.options[l].id),
            Response::AtLeast(l) => format!("P(>= {})", scenario.options[l].id),
        }
    }
}

/// Settings of an analysis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Trajectories r.
    pub trajectories: usize,
    /// Grid levels p.
    pub levels: usize,
    /// Runs per point.
    pub runs: u64,
    /// Master seed: design stream and runs.
    pub seed: u64,
    /// The decision rule.
    pub rule: DecisionRule,
}

/// The results of an analysis.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The factors, in the order given.
    pub factors: Vec<Factor>,
    /// The design.
    pub design: MorrisDesign,
    /// The responses, as [`Response::all`].
    pub responses: Vec<Response>,
    /// `effects[factor][response]`.
    pub effects: Vec<Vec<Effects>>,
}

impl Analysis {
    /// Factor indices ranked by μ* of `response` as written (six decimals),
    /// descending; equal values by path name. Without the rounding, effects
    /// that are equal but summed in another order (0.15 and
    /// 0.15000000000000002) would be ordered by their last bit.
    pub fn ranking(&self, response: Response) -> Vec<usize> {
        let j = self
            .responses
            .iter()
            .position(|r| *r == response)
            .expect("a response of this analysis");
        let key: Vec<f64> = self
            .effects
            .iter()
            .map(|e| as_written(e[j].mu_star))
            .collect();
        let mut order: Vec<usize> = (0..self.factors.len()).collect();
        order.sort_by(|&a, &b| {
            key[b].total_cmp(&key[a]).then_with(|| {
                self.factors[a]
                    .path
                    .as_str()
                    .cmp(self.factors[b].path.as_str())
            })
        });
        order
    }

    /// The effects of factor `i` on `response`.
    pub fn effects_of(&self, i: usize, response: Response) -> Effects {
        let j = self
            .responses
            .iter()
            .position(|r| *r == response)
            .expect("a response of this analysis");
        self.effects[i][j]
    }
}

/// `x` rounded as `sensitivity.csv` writes it, to six decimals.
pub fn as_written(x: f64) -> f64 {
    crate::output::csv::number_cell(x).parse().unwrap_or(x)
}

/// Plans the design (checking its size) without running anything.
pub fn plan(factors: &[Factor], settings: &Settings) -> Result<MorrisDesign, SensitivityError> {
    MorrisDesign::new(
        factors.len(),
        settings.trajectories,
        settings.levels,
        settings.seed,
    )
}

/// Runs the Morris analysis of `factors` on `scenario` on the current rayon
/// pool. Every point is `settings.runs` runs with `settings.seed` (common
/// random numbers). `progress` receives the number of points done; `cancel`
/// stops the analysis promptly with [`SensitivityError::Interrupted`].
pub fn analyse(
    scenario: &Scenario,
    factors: Vec<Factor>,
    settings: &Settings,
    progress: Option<&(dyn Fn(usize) + Sync)>,
    cancel: Option<&AtomicBool>,
) -> Result<Analysis, SensitivityError> {
    if matches!(settings.rule, DecisionRule::HegemonMajority) && scenario.alliance.hegemon.is_none()
    {
        return Err(input(
            "the hegemon_majority rule needs `alliance.hegemon`, which this scenario does not name",
        ));
    }
    if let Some(e) = scenario.rule_problem(&settings.rule) {
        return Err(input(e.to_string()));
    }
    if settings.runs == 0 {
        return Err(input("--runs must be at least 1"));
    }
    let design = plan(&factors, settings)?;
    let ranges: Vec<(f64, f64)> = factors.iter().map(|f| (f.low, f.high)).collect();
    let levels = scenario.options.len();
    let responses = Response::all(levels);
    let evaluate = |x: &[f64]| -> Result<Vec<f64>, SensitivityError> {
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(SensitivityError::Interrupted);
        }
        let mut s = scenario.clone();
        for (f, &v) in factors.iter().zip(x) {
            f.path.set(&mut s, v).map_err(|e| input(e.message))?;
        }
        let model = Model::new(&s, settings.rule);
        let tally = runner::simulate(
            &model,
            settings.seed,
            0..settings.runs,
            Observers {
                cancel,
                ..Observers::default()
            },
        )
        .map_err(|e| match e.kind() {
            io::ErrorKind::Interrupted => SensitivityError::Interrupted,
            _ => SensitivityError::Io(e),
        })?;
        let n = tally.runs as f64;
        Ok(responses
            .iter()
            .map(|r| match *r {
                Response::Exactly(l) => tally.levels[l] as f64 / n,
                Response::AtLeast(l) => tally.levels[l..].iter().sum::<u64>() as f64 / n,
            })
            .collect())
    };
    let effects = morris(&design, &ranges, evaluate, progress)?;
    Ok(Analysis {
        factors,
        design,
        responses,
        effects,
    })
}
