//! Global sensitivity analysis by Morris elementary effects: which parameters
//! move the probability of each outcome most.
//!
//! # Design
//! Each of the k factors is scaled to the unit interval over its range
//! `[low, high]` (the parameter's valid range, or a band around its central
//! value) and cut into a grid of p levels, 0, 1/(p−1), …, 1 (p even). The
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
//! Every point is one simulation with the same master seed, so all points
//! share their random numbers (common random numbers): a parameter the model
//! never reads gives exactly the same counts at every point, and μ* = 0.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::model::{DecisionRule, Model};
use crate::runner::{self, Observers};
use crate::scenario::paths::{self, ParamPath};
use crate::scenario::{suggest, Scenario};

/// Stream of the master seed's generator that the Morris design draws from;
/// runs use streams 0, 1, 2, … and Latin hypercubes 2^64 − 1.
pub const MORRIS_STREAM: u64 = u64::MAX - 1;

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

/// One varied parameter and the interval it varies over.
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    /// The parameter.
    pub path: ParamPath,
    /// Value at unit level 0.
    pub low: f64,
    /// Value at unit level 1.
    pub high: f64,
}

impl Factor {
    /// The factor of `path`: over its whole range, or with `band = Some(b)`
    /// over [x − b·(hi − lo), x + b·(hi − lo)] ∩ [lo, hi] around its central value x.
    pub fn new(
        scenario: &Scenario,
        path: ParamPath,
        band: Option<f64>,
    ) -> Result<Factor, SensitivityError> {
        let r = path.range();
        let (low, high) = match band {
            None => (r.lo, r.hi),
            Some(b) => {
                let x = path.central(scenario);
                let w = b * (r.hi - r.lo);
                ((x - w).max(r.lo), (x + w).min(r.hi))
            }
        };
        if low >= high || low.is_nan() || high.is_nan() {
            return Err(input(format!(
                "`{path}` cannot vary: its interval [{}, {}] is a single point",
                crate::text::num(low),
                crate::text::num(high)
            )));
        }
        Ok(Factor { path, low, high })
    }
}

/// Whether `text` matches `pattern`, where `*` stands for any characters.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for p in &parts[1..parts.len() - 1] {
        match rest.find(p) {
            Some(i) => rest = &rest[i + p.len()..],
            None => return false,
        }
    }
    true
}

/// The factors: with no `names`, every parameter of `paths::list` that is a
/// fixed number with a non-degenerate range, except [`EXCLUDED_BY_DEFAULT`];
/// otherwise the named paths in order. A name that is a valid path (including
/// `members.*.FIELD`, one factor setting every member) is that path; a name
/// with `*` that is not a path is a pattern over the listed paths (`*` any
/// characters; fixed numbers only), e.g. `members.RUS.weights.*`. Repeated
/// paths count once.
pub fn select_factors(
    scenario: &Scenario,
    names: &[String],
    band: Option<f64>,
) -> Result<Vec<Factor>, SensitivityError> {
    if let Some(b) = band {
        if !(b.is_finite() && b > 0.0) {
            return Err(input(format!(
                "--band {}: the band must be a number above 0 (a share of each range, e.g. 0.2)",
                crate::text::num(b)
            )));
        }
    }
    let entries = paths::list(scenario);
    let usable = |e: &paths::ParamEntry| e.value.is_fixed() && e.range.lo < e.range.hi;
    let mut chosen: Vec<ParamPath> = Vec::new();
    if names.is_empty() {
        for e in &entries {
            if usable(e) && !EXCLUDED_BY_DEFAULT.contains(&e.path.as_str()) {
                chosen.push(ParamPath::parse(scenario, &e.path).expect("listed paths parse"));
            }
        }
    } else {
        for name in names {
            let name = name.trim();
            match ParamPath::parse(scenario, name) {
                Ok(p) => chosen.push(p),
                Err(e) if !name.contains('*') => {
                    return Err(SensitivityError::Input {
                        message: e.message,
                        help: e.help,
                    })
                }
                Err(_) => {
                    let before = chosen.len();
                    for e in entries.iter().filter(|e| usable(e) && glob(name, &e.path)) {
                        chosen
                            .push(ParamPath::parse(scenario, &e.path).expect("listed paths parse"));
                    }
                    if chosen.len() == before {
                        return Err(SensitivityError::Input {
                            message: format!("`{name}` matches no fixed numeric parameter"),
                            help: suggest::hint(name, entries.iter().map(|e| e.path.as_str())),
                        });
                    }
                }
            }
        }
    }
    let mut factors: Vec<Factor> = Vec::new();
    for p in chosen {
        if factors.iter().any(|f| f.path.as_str() == p.as_str()) {
            continue;
        }
        factors.push(Factor::new(scenario, p, band)?);
    }
    if factors.is_empty() {
        return Err(input("no parameter to vary"));
    }
    Ok(factors)
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

/// μ*, μ and σ of one factor for one response.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effects {
    /// Mean absolute elementary effect.
    pub mu_star: f64,
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
    Effects { mu_star, mu, sigma }
}

/// Evaluates `f` at every point of `design`, the unit coordinates mapped to
/// `ranges` (value = lo + u·(hi − lo)), in parallel on the current rayon pool,
/// and returns `[factor][response]` effects. `f` must return the same number
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
    for (t, (points, order)) in design.trajectories.iter().zip(&design.moved).enumerate() {
        let y = &ys[t * (k + 1)..(t + 1) * (k + 1)];
        for (step, &i) in order.iter().enumerate() {
            let du = points[step + 1][i] - points[step][i];
            for (j, e) in ee[i].iter_mut().enumerate() {
                e.push((y[step + 1][j] - y[step][j]) / du);
            }
        }
    }
    Ok(ee
        .iter()
        .map(|per| per.iter().map(|e| effects(e)).collect())
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
    /// Factor indices ranked by μ* of `response` (descending), ties by path.
    pub fn ranking(&self, response: Response) -> Vec<usize> {
        let j = self
            .responses
            .iter()
            .position(|r| *r == response)
            .expect("a response of this analysis");
        let mut order: Vec<usize> = (0..self.factors.len()).collect();
        order.sort_by(|&a, &b| {
            self.effects[b][j]
                .mu_star
                .total_cmp(&self.effects[a][j].mu_star)
                .then_with(|| {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn design(k: usize, r: usize, p: usize, seed: u64) -> MorrisDesign {
        MorrisDesign::new(k, r, p, seed).unwrap()
    }

    fn ok(y: Vec<f64>) -> Result<Vec<f64>, ()> {
        Ok(y)
    }

    #[test]
    fn linear_function_gives_its_slope_times_the_range() {
        let d = design(2, 8, 4, 7);
        let ranges = [(1.0, 3.0), (0.0, 10.0)];
        let e = morris(&d, &ranges, |x| ok(vec![3.0 * x[0] + 0.0 * x[1]]), None).unwrap();
        assert!((e[0][0].mu_star - 6.0).abs() < 1e-12, "{:?}", e[0][0]);
        assert!((e[0][0].mu - 6.0).abs() < 1e-12);
        assert!(e[0][0].sigma.abs() < 1e-9);
        assert_eq!(e[1][0].mu_star, 0.0);
        assert_eq!(e[1][0].sigma, 0.0);
        // A negative slope: μ* = |μ|.
        let e = morris(&d, &ranges, |x| ok(vec![-2.0 * x[1]]), None).unwrap();
        assert!((e[1][0].mu_star - 20.0).abs() < 1e-9);
        assert!((e[1][0].mu + 20.0).abs() < 1e-9);
    }

    #[test]
    fn interaction_shows_in_sigma() {
        let d = design(2, 10, 4, 3);
        let e = morris(
            &d,
            &[(0.0, 1.0), (0.0, 1.0)],
            |x| ok(vec![x[0] * x[1]]),
            None,
        )
        .unwrap();
        for f in &e {
            assert!(f[0].sigma > 0.0, "{f:?}");
            assert!(f[0].mu_star > 0.0);
        }
    }

    #[test]
    fn sigma_is_zero_for_one_trajectory() {
        let d = design(2, 1, 4, 3);
        let e = morris(
            &d,
            &[(0.0, 1.0), (0.0, 1.0)],
            |x| ok(vec![x[0] * x[1]]),
            None,
        )
        .unwrap();
        assert_eq!(e[0][0].sigma, 0.0);
    }

    #[test]
    fn design_is_reproducible_from_the_seed() {
        assert_eq!(design(5, 6, 4, 11), design(5, 6, 4, 11));
        assert_ne!(design(5, 6, 4, 11), design(5, 6, 4, 12));
    }

    #[test]
    fn trajectories_stay_in_range_and_move_each_factor_once() {
        for p in [2, 4, 6] {
            let d = design(7, 20, p, 5);
            let delta = d.delta();
            for (points, order) in d.trajectories.iter().zip(&d.moved) {
                assert_eq!(points.len(), 8);
                let mut sorted = order.clone();
                sorted.sort_unstable();
                assert_eq!(sorted, (0..7).collect::<Vec<_>>());
                for pt in points {
                    assert!(pt.iter().all(|u| (0.0..=1.0).contains(u)));
                }
                for (s, &i) in order.iter().enumerate() {
                    for (j, (after, before)) in points[s + 1].iter().zip(&points[s]).enumerate() {
                        let du = after - before;
                        if j == i {
                            assert!((du.abs() - delta).abs() < 1e-12);
                        } else {
                            assert_eq!(du, 0.0);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn bad_settings_are_refused() {
        assert!(MorrisDesign::new(3, 10, 3, 1).is_err(), "odd levels");
        assert!(MorrisDesign::new(3, 0, 4, 1).is_err());
        let e = MorrisDesign::new(1000, 1000, 4, 1).unwrap_err();
        assert!(e.to_string().contains("at most 200,000"), "{e}");
    }

    #[test]
    fn globs() {
        assert!(glob("members.RUS.weights.*", "members.RUS.weights.cost"));
        assert!(glob("*.gdp", "members.KAZ.gdp"));
        assert!(glob("members.*.weights.*", "members.KAZ.weights.cost"));
        assert!(!glob("members.*.gdp", "members.KAZ.weights.cost"));
        assert!(!glob("a*a", "a"));
    }

    fn kyrgyzstan() -> Scenario {
        let p =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/kyrgyzstan_2010.toml");
        crate::scenario::load(&p).expect("shipped scenario loads")
    }

    #[test]
    fn default_factors_are_fixed_numbers_without_the_settings() {
        let s = kyrgyzstan();
        let f = select_factors(&s, &[], None).unwrap();
        assert!(f.len() > 100);
        assert!(f.iter().all(|f| f.path.as_str() != "noise"));
        let named =
            select_factors(&s, &["noise".into(), "members.RUS.weights.*".into()], None).unwrap();
        assert_eq!(named.len(), 8);
        let e = select_factors(&s, &["crisis.severty".into()], None).unwrap_err();
        assert!(e.to_string().contains("severity"), "{e}");
    }

    #[test]
    fn band_is_clipped_to_the_range() {
        let s = kyrgyzstan();
        let f = select_factors(&s, &["crisis.severity".into()], Some(0.2)).unwrap();
        assert!((f[0].low - 0.5).abs() < 1e-12 && (f[0].high - 0.9).abs() < 1e-12);
        let f = select_factors(&s, &["crisis.domestic".into()], Some(0.2)).unwrap();
        assert!((f[0].low - 0.8).abs() < 1e-12 && f[0].high == 1.0);
    }

    #[test]
    fn an_unread_parameter_has_no_effect() {
        let s = kyrgyzstan();
        let names = ["crisis.framing", "members.RUS.threat.interstate_war"]
            .map(String::from)
            .to_vec();
        let factors = select_factors(&s, &names, None).unwrap();
        let settings = Settings {
            trajectories: 3,
            levels: 4,
            runs: 200,
            seed: 1,
            rule: s.rule,
        };
        let a = analyse(&s, factors, &settings, None, None).unwrap();
        for r in &a.responses {
            assert_eq!(a.effects_of(1, *r).mu_star, 0.0);
        }
    }
}
