//! The factors of a sensitivity analysis: what kind of value each parameter
//! is, the band it moves over, and which parameters a request selects.

use super::*;

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
pub(super) fn spread(p: &Param) -> f64 {
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
pub(super) fn glob(pattern: &str, text: &str) -> bool {
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
