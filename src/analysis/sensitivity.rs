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

/// Default share of its value by which a measured amount, an interest
/// weight or the noise moves (`--relative`).
pub const DEFAULT_RELATIVE: f64 = 0.25;

/// Default share of its scale's width by which a judgement moves
/// (`--scale-share`).
pub const DEFAULT_SCALE_SHARE: f64 = 0.1;

/// Width of the scale a reservation level's band is measured on: the −1..1
/// of the utility terms, each of which lies in [−1, 1] at weight 1.
pub const UTILITY_SCALE: f64 = 2.0;

/// What kind of value a parameter is, which sets its default band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A measured amount (military spending, GDP, population): moves by a
    /// share of its value.
    Data,
    /// A judgement on a bounded scale (0–1 or −1–1: dependence, sovereignty,
    /// threat, affinity, severity, an option's effect, the abstention band):
    /// moves by a share of the scale's width.
    Judgement,
    /// An interest weight (0–100, 1 by default): a ratio, moves by a share of
    /// its value.
    Weight,
    /// A reservation level, in utility units: moves by the scale share times
    /// [`UTILITY_SCALE`].
    Reservation,
    /// The perception noise, a standard deviation: moves by a share of its
    /// value.
    Noise,
}

impl Kind {
    /// The kind of the parameter at `path`, from the quantity its range
    /// stands for.
    pub fn of(path: &ParamPath) -> Kind {
        let r = path.range();
        if r == Range::MONEY || r == Range::POPULATION {
            Kind::Data
        } else if r == Range::WEIGHT {
            Kind::Weight
        } else if r == Range::RESERVATION {
            Kind::Reservation
        } else if r == paths::NOISE_RANGE && path.as_str().ends_with("noise") {
            Kind::Noise
        } else {
            Kind::Judgement
        }
    }

    /// The name written in `sensitivity.csv`: `data`, `judgement`,
    /// `weight`, `reservation` or `noise`.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Data => "data",
            Kind::Judgement => "judgement",
            Kind::Weight => "weight",
            Kind::Reservation => "reservation",
            Kind::Noise => "noise",
        }
    }
}

/// Over what interval each factor moves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Band {
    /// Its whole valid range (`--full-range`).
    Full,
    /// ± this share of its valid range's width around its value, for every
    /// factor (`--band B`).
    Width(f64),
    /// A band around its value set by its [`Kind`]: ± `relative` × |value|
    /// for data, weights and the noise; ± `share` × the scale's width for
    /// judgements; ± `share` × [`UTILITY_SCALE`] for a reservation level. A
    /// distribution moves over its mean ± one standard deviation.
    ByKind {
        /// Share of the value (`--relative`).
        relative: f64,
        /// Share of the scale's width (`--scale-share`).
        share: f64,
    },
}

impl Default for Band {
    /// ±25% of the value, ±0.1 of the scale's width.
    fn default() -> Band {
        Band::ByKind {
            relative: DEFAULT_RELATIVE,
            share: DEFAULT_SCALE_SHARE,
        }
    }
}

impl Band {
    /// Checks the shares: finite and above 0.
    pub fn check(&self) -> Result<(), SensitivityError> {
        let positive = |x: f64| x.is_finite() && x > 0.0;
        match *self {
            Band::Full => Ok(()),
            Band::Width(b) if positive(b) => Ok(()),
            Band::Width(b) => Err(input(format!(
                "--band {}: the band must be a number above 0 (a share of each range, e.g. 0.2)",
                crate::text::num(b)
            ))),
            Band::ByKind { relative, share } => {
                if !positive(relative) {
                    return Err(input(format!(
                        "--relative {}: expected a number above 0, the share of its value by which a measured amount moves (0.25 for ±25%)",
                        crate::text::num(relative)
                    )));
                }
                if !positive(share) {
                    return Err(input(format!(
                        "--scale-share {}: expected a number above 0, the share of its scale's width by which a judgement moves (0.1 for ±0.1 on 0-1)",
                        crate::text::num(share)
                    )));
                }
                Ok(())
            }
        }
    }

    /// The band in words, for pages and the terminal.
    pub fn describe(&self) -> String {
        let pct = |x: f64| crate::text::num(x * 100.0);
        match *self {
            Band::Full => "each parameter moved over its whole valid range (--full-range)".into(),
            Band::Width(b) => format!(
                "each parameter moved by ±{} of its valid range's width around its value, clipped to the range",
                crate::text::num(b)
            ),
            Band::ByKind { relative, share } => format!(
                "each parameter moved over a band around its value: measured amounts (military spending, GDP, population), interest weights and the noise by ±{}% of the value; judgements on a 0-1 scale by ±{} and on a -1..1 scale by ±{} ({} of the scale's width); reservation levels by ±{}; a value given as a distribution over its mean ± one standard deviation; every band clipped to the valid range",
                pct(relative),
                crate::text::num(share),
                crate::text::num(2.0 * share),
                crate::text::num(share),
                crate::text::num(share * UTILITY_SCALE),
            ),
        }
    }

    /// The band as JSON for the manifest.
    pub fn to_json(&self) -> serde_json::Value {
        match *self {
            Band::Full => serde_json::json!({ "kind": "full_range" }),
            Band::Width(b) => serde_json::json!({ "kind": "share_of_range_width", "band": b }),
            Band::ByKind { relative, share } => serde_json::json!({
                "kind": "by_kind",
                "relative": relative,
                "scale_share": share,
                "data": format!("value ± {relative} × |value|"),
                "weight": format!("value ± {relative} × |value|"),
                "noise": format!("value ± {relative} × |value|"),
                "judgement": format!("value ± {share} × (range width)"),
                "reservation": format!("value ± {}", share * UTILITY_SCALE),
                "distribution": "mean ± one standard deviation, within its support",
            }),
        }
    }
}

/// The standard deviation of a parameter's distribution (0 for a fixed
/// value).
fn spread(p: &Param) -> f64 {
    match *p {
        Param::Fixed(_) => 0.0,
        Param::Uniform { lo, hi } => (hi - lo) / 12f64.sqrt(),
        Param::Triangular { lo, mode, hi } => {
            ((lo * lo + mode * mode + hi * hi - lo * mode - lo * hi - mode * hi) / 18.0)
                .max(0.0)
                .sqrt()
        }
        Param::Beta { a, b, lo, hi } => {
            (hi - lo) * (a * b / ((a + b) * (a + b) * (a + b + 1.0))).sqrt()
        }
        Param::Normal { mean, sd, lo, hi } => {
            // The normal truncated to [lo, hi].
            let phi = |z: f64| (-z * z / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
            let (a, b) = ((lo - mean) / sd, (hi - mean) / sd);
            let z = normal_cdf(b) - normal_cdf(a);
            if z.is_nan() || z <= 0.0 {
                return 0.0;
            }
            let pa = if a.is_finite() { a * phi(a) } else { 0.0 };
            let pb = if b.is_finite() { b * phi(b) } else { 0.0 };
            let shift = (phi(a) - phi(b)) / z;
            sd * (1.0 + (pa - pb) / z - shift * shift).max(0.0).sqrt()
        }
    }
}

/// One varied parameter and the interval it varies over.
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    /// The parameter.
    pub path: ParamPath,
    /// What kind of value it is.
    pub kind: Kind,
    /// Its central value (the first member's, for a wildcard).
    pub value: f64,
    /// Value at unit level 0.
    pub low: f64,
    /// Value at unit level 1.
    pub high: f64,
}

impl Factor {
    /// The factor of `path` over the interval `band` gives it (see [`Band`]),
    /// clipped to its valid range; an error when that is a single point.
    pub fn new(
        scenario: &Scenario,
        path: ParamPath,
        band: Band,
    ) -> Result<Factor, SensitivityError> {
        let entries = paths::list(scenario);
        let value = written_as(scenario, &entries, &path);
        Factor::with_value(scenario, path, value, band)
    }

    fn with_value(
        scenario: &Scenario,
        path: ParamPath,
        value: Option<&Param>,
        band: Band,
    ) -> Result<Factor, SensitivityError> {
        let r = path.range();
        let kind = Kind::of(&path);
        let x = path.central(scenario);
        let (low, high) = match band {
            Band::Full => (r.lo, r.hi),
            Band::Width(b) => {
                let w = b * (r.hi - r.lo);
                ((x - w).max(r.lo), (x + w).min(r.hi))
            }
            Band::ByKind { relative, share } => {
                let (lo, hi) = match value.filter(|p| !p.is_fixed()) {
                    Some(p) => {
                        let (slo, shi) = p.support();
                        let sd = spread(p);
                        ((x - sd).max(slo), (x + sd).min(shi))
                    }
                    None => {
                        let w = match kind {
                            Kind::Data | Kind::Weight | Kind::Noise => relative * x.abs(),
                            Kind::Judgement => share * (r.hi - r.lo),
                            Kind::Reservation => share * UTILITY_SCALE,
                        };
                        (x - w, x + w)
                    }
                };
                (lo.max(r.lo), hi.min(r.hi))
            }
        };
        if low >= high || low.is_nan() || high.is_nan() {
            let why = match (band, kind) {
                (Band::ByKind { .. }, Kind::Data | Kind::Weight | Kind::Noise) if x == 0.0 => {
                    " (a band in proportion to a value of 0; name a band with --full-range or --band)"
                }
                _ => "",
            };
            return Err(input(format!(
                "`{path}` cannot vary: its interval [{}, {}] is a single point{why}",
                crate::text::num(low),
                crate::text::num(high)
            )));
        }
        Ok(Factor {
            path,
            kind,
            value: x,
            low,
            high,
        })
    }
}

/// The parameter at `path` as the scenario gives it (for a wildcard, the
/// first member's), looked up in `entries` (from [`paths::list`]).
fn written_as<'a>(
    scenario: &Scenario,
    entries: &'a [paths::ParamEntry],
    path: &ParamPath,
) -> Option<&'a Param> {
    let text = match (
        path.as_str().strip_prefix("members.*."),
        scenario.members.first(),
    ) {
        (Some(rest), Some(m)) => format!("members.{}.{rest}", m.id),
        _ => path.as_str().to_string(),
    };
    entries.iter().find(|e| e.path == text).map(|e| &e.value)
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

/// The factors chosen, and the parameters the default set leaves out because
/// their band is a single point.
#[derive(Debug, Clone)]
pub struct Selection {
    /// The factors, in order.
    pub factors: Vec<Factor>,
    /// Paths of the default set or of a pattern whose band is a single point
    /// (a value of 0 moved in proportion to itself), left out.
    pub left_out: Vec<String>,
}

/// The factors: with no `names`, every parameter of `paths::list` whose range
/// has a positive width, except [`EXCLUDED_BY_DEFAULT`]: fixed numbers only
/// for [`Band::Full`] and [`Band::Width`], fixed numbers and distributions
/// for [`Band::ByKind`], which leaves out (into [`Selection::left_out`]) a
/// parameter whose band is a single point. Otherwise the named paths in order. A name that is a valid path
/// (including `members.*.FIELD`, one factor setting every member) is that
/// path; a name with `*` that is not a path is a pattern over the listed
/// paths (`*` any characters; the same values as the default set), e.g.
/// `members.RUS.weights.*`, whose point bands are left out too; a path named
/// as it is whose band is a single point is an error. Repeated paths count
/// once.
pub fn select_factors(
    scenario: &Scenario,
    names: &[String],
    band: Band,
) -> Result<Selection, SensitivityError> {
    band.check()?;
    let entries = paths::list(scenario);
    let by_kind = matches!(band, Band::ByKind { .. });
    let usable = |e: &paths::ParamEntry| (by_kind || e.value.is_fixed()) && e.range.lo < e.range.hi;
    let what = if by_kind {
        "numeric parameter"
    } else {
        "fixed numeric parameter"
    };
    // Each path, and whether it was named as it is (not found by a pattern).
    let mut chosen: Vec<(ParamPath, bool)> = Vec::new();
    let parse =
        |e: &paths::ParamEntry| ParamPath::parse(scenario, &e.path).expect("listed paths parse");
    if names.is_empty() {
        for e in &entries {
            if usable(e) && !EXCLUDED_BY_DEFAULT.contains(&e.path.as_str()) {
                chosen.push((parse(e), false));
            }
        }
    } else {
        for name in names {
            let name = name.trim();
            match ParamPath::parse(scenario, name) {
                Ok(p) => chosen.push((p, true)),
                Err(e) if !name.contains('*') => {
                    return Err(SensitivityError::Input {
                        message: e.message,
                        help: e.help,
                    })
                }
                Err(_) => {
                    let before = chosen.len();
                    for e in entries.iter().filter(|e| usable(e) && glob(name, &e.path)) {
                        chosen.push((parse(e), false));
                    }
                    if chosen.len() == before {
                        return Err(SensitivityError::Input {
                            message: format!("`{name}` matches no {what}"),
                            help: suggest::hint(name, entries.iter().map(|e| e.path.as_str())),
                        });
                    }
                }
            }
        }
    }
    let mut factors: Vec<Factor> = Vec::new();
    let mut left_out = Vec::new();
    for (p, named) in chosen {
        if factors.iter().any(|f| f.path.as_str() == p.as_str()) {
            continue;
        }
        let value = written_as(scenario, &entries, &p);
        let text = p.as_str().to_string();
        match Factor::with_value(scenario, p, value, band) {
            Ok(f) => factors.push(f),
            // A point band is left out, unless the path was named as it is.
            Err(_) if !named && by_kind => left_out.push(text),
            Err(e) => return Err(e),
        }
    }
    if factors.is_empty() {
        return Err(input("no parameter to vary"));
    }
    Ok(Selection { factors, left_out })
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
        let f = select_factors(&s, &[], Band::Full).unwrap().factors;
        assert_eq!(f.len(), 203);
        assert!(f.iter().all(|f| f.path.as_str() != "noise"));
        let named = select_factors(
            &s,
            &["noise".into(), "members.RUS.weights.*".into()],
            Band::Full,
        )
        .unwrap()
        .factors;
        assert_eq!(named.len(), 8);
        let e = select_factors(&s, &["crisis.severty".into()], Band::default()).unwrap_err();
        assert!(e.to_string().contains("severity"), "{e}");
    }

    #[test]
    fn band_is_clipped_to_the_range() {
        let s = kyrgyzstan();
        let width = |name: &str| {
            select_factors(&s, &[name.into()], Band::Width(0.2))
                .unwrap()
                .factors
                .remove(0)
        };
        let f = width("crisis.severity");
        assert!((f.low - 0.5).abs() < 1e-12 && (f.high - 0.9).abs() < 1e-12);
        let f = width("crisis.domestic");
        assert!((f.low - 0.8).abs() < 1e-12 && f.high == 1.0);
    }

    #[test]
    fn an_unread_parameter_has_no_effect() {
        let s = kyrgyzstan();
        let names = ["crisis.framing", "members.RUS.threat.interstate_war"]
            .map(String::from)
            .to_vec();
        let factors = select_factors(&s, &names, Band::Full).unwrap().factors;
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

    /// The band of one parameter of Kyrgyzstan 2010 under `band`.
    fn band_of(s: &Scenario, name: &str, band: Band) -> (Kind, f64, f64, f64) {
        let f = Factor::new(s, ParamPath::parse(s, name).unwrap(), band).unwrap();
        (f.kind, f.value, f.low, f.high)
    }

    fn close(a: (f64, f64), b: (f64, f64)) -> bool {
        (a.0 - b.0).abs() < 1e-12 && (a.1 - b.1).abs() < 1e-12
    }

    #[test]
    fn bands_by_kind() {
        let s = kyrgyzstan();
        let d = Band::default();
        // Data: ±25% of the value.
        let (kind, x, lo, hi) = band_of(&s, "members.RUS.gdp", d);
        assert_eq!((kind, x), (Kind::Data, 1840.0));
        assert!(close((lo, hi), (1380.0, 2300.0)), "{lo} {hi}");
        let (kind, x, lo, hi) = band_of(&s, "members.KAZ.military_spending", d);
        assert_eq!(kind, Kind::Data);
        assert!(close((lo, hi), (0.75 * x, 1.25 * x)));
        // Judgements: ±0.1 of the scale's width, clipped.
        let (kind, _, lo, hi) = band_of(&s, "crisis.severity", d);
        assert_eq!(kind, Kind::Judgement);
        assert!(close((lo, hi), (0.6, 0.8)), "{lo} {hi}");
        let (_, _, lo, hi) = band_of(&s, "crisis.domestic", d);
        assert!(close((lo, hi), (0.9, 1.0)), "clipped at 1: {lo} {hi}");
        let (kind, _, lo, hi) = band_of(&s, "members.RUS.affinity.KGZ", d);
        assert_eq!(kind, Kind::Judgement);
        assert!(close((lo, hi), (0.3, 0.7)), "±0.2 on -1..1: {lo} {hi}");
        // Weights: ±25% of the value; reservation: ±0.2.
        let (kind, _, lo, hi) = band_of(&s, "members.RUS.weights.cost", d);
        assert_eq!(kind, Kind::Weight);
        assert!(close((lo, hi), (0.75, 1.25)));
        let (kind, _, lo, hi) = band_of(&s, "members.UZB.reservation", d);
        assert_eq!(kind, Kind::Reservation);
        assert!(close((lo, hi), (-0.2, 0.2)));
        // Noise: relative, when named.
        let (kind, x, lo, hi) = band_of(&s, "noise", d);
        assert_eq!(kind, Kind::Noise);
        assert!(close((lo, hi), (0.75 * x, 1.25 * x)));
        // Other shares.
        let b = Band::ByKind {
            relative: 0.5,
            share: 0.05,
        };
        let (_, _, lo, hi) = band_of(&s, "members.RUS.gdp", b);
        assert!(close((lo, hi), (920.0, 2760.0)));
        let (_, _, lo, hi) = band_of(&s, "crisis.severity", b);
        assert!(close((lo, hi), (0.65, 0.75)));
        // The whole range.
        let (_, _, lo, hi) = band_of(&s, "members.TJK.gdp", Band::Full);
        assert_eq!((lo, hi), (0.0, 100_000.0));
    }

    #[test]
    fn a_distribution_moves_over_its_mean_plus_or_minus_one_sd() {
        let mut s = kyrgyzstan();
        s.crisis.severity = Param::Uniform { lo: 0.2, hi: 0.8 };
        let (_, x, lo, hi) = band_of(&s, "crisis.severity", Band::default());
        let sd = 0.6 / 12f64.sqrt();
        assert!((x - 0.5).abs() < 1e-12);
        assert!(close((lo, hi), (0.5 - sd, 0.5 + sd)), "{lo} {hi}");
        // In the default set by kind, not over the whole range.
        let all = select_factors(&s, &[], Band::default()).unwrap().factors;
        assert!(all.iter().any(|f| f.path.as_str() == "crisis.severity"));
        let all = select_factors(&s, &[], Band::Full).unwrap().factors;
        assert!(all.iter().all(|f| f.path.as_str() != "crisis.severity"));
        // A normal's spread is that of the truncated law.
        let n = Param::Normal {
            mean: 0.5,
            sd: 0.5,
            lo: 0.0,
            hi: 1.0,
        };
        assert!((spread(&n) - 0.2698).abs() < 5e-5, "{}", spread(&n));
        let t = Param::Triangular {
            lo: 0.0,
            mode: 0.2,
            hi: 1.0,
        };
        assert!((spread(&t) - ((1.0 + 0.04 - 0.2) / 18.0f64).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn a_value_of_0_moved_in_proportion_is_left_out_unless_named() {
        let mut s = kyrgyzstan();
        let path = ParamPath::parse(&s, "members.KGZ.gdp").unwrap();
        path.set(&mut s, 0.0).unwrap();
        let sel = select_factors(&s, &[], Band::default()).unwrap();
        assert!(sel.left_out.iter().any(|p| p == "members.KGZ.gdp"));
        assert!(sel
            .factors
            .iter()
            .all(|f| f.path.as_str() != "members.KGZ.gdp"));
        let e = select_factors(&s, &["members.KGZ.gdp".into()], Band::default()).unwrap_err();
        assert!(e.to_string().contains("single point"), "{e}");
        for bad in [
            Band::ByKind {
                relative: 0.0,
                share: 0.1,
            },
            Band::ByKind {
                relative: 0.25,
                share: f64::NAN,
            },
            Band::Width(-1.0),
        ] {
            assert!(select_factors(&s, &[], bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bootstrap_interval_holds_the_mean_and_is_reproducible() {
        let ee = [0.0, 1.5, -1.5, 0.0, 0.0, 1.5, 0.0, 0.0, -0.75, 0.0];
        let mean = ee.iter().map(|e: &f64| e.abs()).sum::<f64>() / 10.0;
        let r = resamples(10, 5);
        assert_eq!(r, resamples(10, 5));
        assert_ne!(r, resamples(10, 6));
        assert_eq!(r.len(), BOOTSTRAP_RESAMPLES);
        let (lo, hi) = bootstrap(&ee, &r);
        assert!(
            0.0 <= lo && lo < mean && mean < hi && hi <= 1.5,
            "{lo} {mean} {hi}"
        );
        // One trajectory: no spread to resample.
        assert_eq!(bootstrap(&[0.3], &resamples(1, 5)), (0.3, 0.3));
        // Through morris: intervals for every factor, from the design's seed.
        let d = design(3, 12, 4, 8);
        let e = morris(
            &d,
            &[(0.0, 1.0); 3],
            |x| ok(vec![if x[0] + x[1] > 1.0 { 1.0 } else { 0.0 }]),
            None,
        )
        .unwrap();
        for f in &e {
            let f = f[0];
            assert!(0.0 <= f.mu_star_lo && f.mu_star_lo <= f.mu_star, "{f:?}");
            assert!(f.mu_star <= f.mu_star_hi && f.mu_star_hi <= 1.5, "{f:?}");
        }
        assert_eq!(e[2][0].mu_star_hi, 0.0);
        assert!(e[0][0].mu_star_hi > e[0][0].mu_star_lo);
    }

    #[test]
    fn equal_effects_are_ranked_by_name_whatever_their_last_bit() {
        let s = kyrgyzstan();
        let names = [
            "members.UZB.reservation",
            "crisis.severity",
            "alliance.capacity",
        ];
        let factors: Vec<Factor> = names
            .iter()
            .map(|n| Factor::new(&s, ParamPath::parse(&s, n).unwrap(), Band::Full).unwrap())
            .collect();
        let e = |m: f64| {
            vec![Effects {
                mu_star: m,
                mu_star_lo: m,
                mu_star_hi: m,
                mu: m,
                sigma: 0.0,
            }]
        };
        // 0.15 reached by two different sums: equal as written.
        let a = Analysis {
            factors,
            design: design(3, 1, 4, 1),
            responses: vec![Response::Exactly(0)],
            effects: vec![e(0.15), e(0.15000000000000002), e(0.1)],
        };
        let order: Vec<&str> = a
            .ranking(Response::Exactly(0))
            .iter()
            .map(|&i| a.factors[i].path.as_str())
            .collect();
        assert_eq!(
            order,
            [
                "crisis.severity",
                "members.UZB.reservation",
                "alliance.capacity"
            ]
        );
    }
}
