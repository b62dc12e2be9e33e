//! Parameter paths: a stable dotted name for every numeric parameter of a
//! scenario (`crisis.severity`, `members.KAZ.weights.regime`,
//! `members.*.dependence`, `options.limited_deployment.intrusion`, `noise`),
//! used to list parameters and to set them for sweeps.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::fmt;

use super::param::{Param, Range};
use super::suggest;
use super::Scenario;

/// Crisis fields, in file order.
const CRISIS: [&str; 8] = [
    "severity",
    "domestic",
    "framing",
    "contagion",
    "legal_fit",
    "legitimacy",
    "credibility",
    "combat_risk",
];
/// Member scalar fields and their ranges.
const MEMBER: [(&str, Range); 6] = [
    ("military_spending", Range::MONEY),
    ("gdp", Range::MONEY),
    ("dependence", Range::UNIT),
    ("sovereignty", Range::UNIT),
    ("vulnerability", Range::UNIT),
    ("reservation", Range::RESERVATION),
];
/// Weight names.
const WEIGHTS: [&str; 7] = [
    "security",
    "regime",
    "partner",
    "credibility",
    "sovereignty",
    "cost",
    "external",
];
/// Option fields.
const OPTION: [&str; 3] = ["effect", "troops", "intrusion"];

/// Range of the perception noise η.
pub const NOISE_RANGE: Range = Range { lo: 0.0, hi: 10.0 };
/// Range of the abstention band β.
pub const BAND_RANGE: Range = Range { lo: 0.0, hi: 1.0 };
/// Range of an option's effect when set by path: above 0, as a scenario
/// file requires of every option but `no_action`.
const EFFECT_RANGE: Range = Range::ABOVE_ZERO_UNIT;

/// One concrete parameter a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Capacity,
    Crisis(usize),
    Member(usize, MemberSlot),
    Option(usize, usize),
    Noise,
    Band,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MemberSlot {
    Scalar(usize),
    Population,
    Threat(usize),
    Concern(usize),
    Affinity(usize),
    Weight(usize),
}

/// A checked parameter path: what it names and the range its values must lie in.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamPath {
    text: String,
    slots: Vec<Slot>,
    range: Range,
}

/// Why a path or value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PathError {
    /// What was wrong.
    pub message: String,
    /// A suggestion, if one is close.
    pub help: Option<String>,
}

impl PathError {
    fn new(message: String, help: Option<String>) -> PathError {
        PathError { message, help }
    }
}

/// The positions of a scenario's ids by name, found once and shared by the
/// paths parsed with [`ParamPath::parse_indexed`], so that parsing many paths
/// (a long `[set]` table) takes time in proportion to their number rather
/// than to their number times the scenario's lists. Use one index with one
/// scenario only (or copies of it with the same ids).
#[derive(Debug, Default)]
pub struct PathIndex {
    members: OnceCell<HashMap<String, usize>>,
    options: OnceCell<HashMap<String, usize>>,
    types: OnceCell<HashMap<String, usize>>,
    regions: OnceCell<HashMap<String, usize>>,
    actors: OnceCell<HashMap<String, usize>>,
}

impl PathIndex {
    /// An empty index; each list is indexed when first needed.
    pub fn new() -> PathIndex {
        PathIndex::default()
    }
}

/// The position of `key` among `names` (the first, if repeated), indexing
/// `names` into `cell` on first use.
fn position_in<'s>(
    cell: &OnceCell<HashMap<String, usize>>,
    names: impl Iterator<Item = &'s str>,
    key: &str,
) -> Option<usize> {
    cell.get_or_init(|| {
        let mut index = HashMap::new();
        for (i, n) in names.enumerate() {
            index.entry(n.to_string()).or_insert(i);
        }
        index
    })
    .get(key)
    .copied()
}

fn actor_ids(scenario: &Scenario) -> impl Iterator<Item = &str> + Clone {
    scenario
        .members
        .iter()
        .map(|m| m.id.as_str())
        .chain(scenario.outsiders.iter().map(|o| o.id.as_str()))
}

/// One row of `alliance-sim params`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamEntry {
    /// The path.
    pub path: String,
    /// The current value, as a parameter (fixed or a distribution).
    pub value: Param,
    /// The valid range.
    pub range: Range,
}

impl fmt::Display for ParamPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl ParamPath {
    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The range values must lie in.
    pub fn range(&self) -> Range {
        self.range
    }

    /// Checks `text` against `scenario`. A `*` in place of a member id names
    /// that parameter of every member.
    pub fn parse(scenario: &Scenario, text: &str) -> Result<ParamPath, PathError> {
        ParamPath::parse_indexed(scenario, text, &PathIndex::new())
    }

    /// [`ParamPath::parse`], looking ids up in `index`, which must have been
    /// used with this scenario only.
    pub fn parse_indexed(
        scenario: &Scenario,
        text: &str,
        index: &PathIndex,
    ) -> Result<ParamPath, PathError> {
        let parts: Vec<&str> = text.split('.').collect();
        let unknown = |what: &str, word: &str, candidates: &[&str]| {
            PathError::new(
                format!("unknown {what} `{word}` in parameter path `{text}`"),
                suggest::hint(word, candidates.iter().copied()),
            )
        };
        let one = |slot: Slot, range: Range| ParamPath {
            text: text.to_string(),
            slots: vec![slot],
            range,
        };
        match parts.as_slice() {
            ["noise"] | ["montecarlo", "noise"] => Ok(one(Slot::Noise, NOISE_RANGE)),
            ["abstention_band"] | ["rule", "abstention_band"] => Ok(one(Slot::Band, BAND_RANGE)),
            ["alliance", "capacity"] => Ok(one(Slot::Capacity, Range::UNIT)),
            ["alliance", field] => Err(unknown("alliance parameter", field, &["capacity"])),
            ["crisis", field] => match CRISIS.iter().position(|c| c == field) {
                Some(i) => Ok(one(Slot::Crisis(i), Range::UNIT)),
                None => Err(unknown("crisis parameter", field, &CRISIS)),
            },
            ["options", id, field] => {
                let ids = || scenario.options[1..].iter().map(|o| o.id.as_str());
                let level = position_in(&index.options, ids(), id)
                    .ok_or_else(|| unknown("option", id, &ids().collect::<Vec<_>>()))?
                    + 1;
                let f = OPTION
                    .iter()
                    .position(|o| o == field)
                    .ok_or_else(|| unknown("option parameter", field, &OPTION))?;
                let range = if f == 0 { EFFECT_RANGE } else { Range::UNIT };
                Ok(one(Slot::Option(level, f), range))
            }
            ["members", id, rest @ ..] if !rest.is_empty() => {
                let members: Vec<usize> = if *id == "*" {
                    (0..scenario.members.len()).collect()
                } else {
                    let ids = || scenario.members.iter().map(|m| m.id.as_str());
                    vec![position_in(&index.members, ids(), id)
                        .ok_or_else(|| unknown("member", id, &ids().collect::<Vec<_>>()))?]
                };
                let (slot, range) = member_slot(scenario, rest, &unknown, index)?;
                if slot == MemberSlot::Population {
                    if let Some(&m) = members
                        .iter()
                        .find(|&&m| scenario.members[m].population.is_none())
                    {
                        return Err(PathError::new(
                            format!(
                                "`{text}`: member `{}` gives no population in the scenario; add `population` (thousands) to its [members] table first",
                                scenario.members[m].id
                            ),
                            None,
                        ));
                    }
                }
                if *id != "*" && slot == MemberSlot::Affinity(members[0]) {
                    return Err(PathError::new(
                        format!("`{text}`: a member's affinity toward itself is not a parameter"),
                        None,
                    ));
                }
                // A wildcard affinity skips each member's own entry (always 1).
                let slots: Vec<Slot> = members
                    .into_iter()
                    .filter(|&m| slot != MemberSlot::Affinity(m))
                    .map(|m| Slot::Member(m, slot))
                    .collect();
                Ok(ParamPath {
                    text: text.to_string(),
                    slots,
                    range,
                })
            }
            [top, ..] => Err(unknown(
                "parameter group",
                top,
                &[
                    "alliance",
                    "crisis",
                    "members",
                    "options",
                    "noise",
                    "abstention_band",
                ],
            )),
            [] => Err(PathError::new("empty parameter path".into(), None)),
        }
    }

    /// Sets the parameter(s) to the fixed value `x`, which must lie in range.
    pub fn set(&self, scenario: &mut Scenario, x: f64) -> Result<(), PathError> {
        if !self.range.contains(x) {
            return Err(PathError::new(
                format!(
                    "{} is outside the range {} of `{}`",
                    crate::text::num(x),
                    self.range,
                    self.text
                ),
                None,
            ));
        }
        for slot in &self.slots {
            match *slot {
                Slot::Noise => scenario.montecarlo.noise = x,
                Slot::Band => scenario.abstention_band = x,
                other => *param_mut(scenario, other) = Param::Fixed(x),
            }
        }
        Ok(())
    }

    /// Whether this path and `other` set a parameter in common, as
    /// `members.*.gdp` and `members.KAZ.gdp` do, or `noise` and
    /// `montecarlo.noise`. Both must have been parsed against one scenario.
    pub fn overlaps(&self, other: &ParamPath) -> bool {
        self.slots.iter().any(|s| other.slots.contains(s))
    }

    /// The current central value (of the first member, for a wildcard).
    pub fn central(&self, scenario: &Scenario) -> f64 {
        match self.slots.first() {
            Some(Slot::Noise) => scenario.montecarlo.noise,
            Some(Slot::Band) => scenario.abstention_band,
            Some(&other) => param_ref(scenario, other).map_or(0.0, Param::central),
            None => 0.0,
        }
    }
}

type Unknown<'a> = dyn Fn(&str, &str, &[&str]) -> PathError + 'a;

fn member_slot(
    scenario: &Scenario,
    rest: &[&str],
    unknown: &Unknown,
    index: &PathIndex,
) -> Result<(MemberSlot, Range), PathError> {
    let fields: Vec<&str> = MEMBER
        .iter()
        .map(|(n, _)| *n)
        .chain(["population", "threat", "concern", "affinity", "weights"])
        .collect();
    // The names are listed only for a message, so gathered only then.
    fn keyed<'n>(
        found: Option<usize>,
        names: impl FnOnce() -> Vec<&'n str>,
        key: &str,
        what: &str,
        unknown: &Unknown,
    ) -> Result<usize, PathError> {
        found.ok_or_else(|| unknown(what, key, &names()))
    }
    let types = || scenario.crisis_types.iter().map(String::as_str);
    let regions = || scenario.regions.iter().map(String::as_str);
    match rest {
        ["population"] => Ok((MemberSlot::Population, Range::POPULATION)),
        [field] => match MEMBER.iter().position(|(n, _)| n == field) {
            Some(i) => Ok((MemberSlot::Scalar(i), MEMBER[i].1)),
            None => Err(unknown("member parameter", field, &fields)),
        },
        ["threat", key] => Ok((
            MemberSlot::Threat(keyed(
                position_in(&index.types, types(), key),
                || types().collect(),
                key,
                "crisis type",
                unknown,
            )?),
            Range::UNIT,
        )),
        ["concern", key] => Ok((
            MemberSlot::Concern(keyed(
                position_in(&index.regions, regions(), key),
                || regions().collect(),
                key,
                "region",
                unknown,
            )?),
            Range::UNIT,
        )),
        ["affinity", key] => Ok((
            MemberSlot::Affinity(keyed(
                position_in(&index.actors, actor_ids(scenario), key),
                || actor_ids(scenario).collect(),
                key,
                "actor",
                unknown,
            )?),
            Range::SIGNED_UNIT,
        )),
        ["weights", key] => Ok((
            MemberSlot::Weight(keyed(
                WEIGHTS.iter().position(|n| n == key),
                || WEIGHTS.to_vec(),
                key,
                "weight",
                unknown,
            )?),
            Range::WEIGHT,
        )),
        [field, ..] => Err(unknown("member parameter", field, &fields)),
        [] => Err(unknown("member parameter", "", &fields)),
    }
}

/// The `i`-th element of an array of references.
fn nth<T>(items: impl IntoIterator<Item = T>, i: usize) -> T {
    items
        .into_iter()
        .nth(i)
        .expect("slot indices come from the same arrays")
}

fn param_mut(s: &mut Scenario, slot: Slot) -> &mut Param {
    match slot {
        Slot::Capacity => &mut s.alliance.capacity,
        Slot::Crisis(i) => nth(s.crisis.params_mut(), i),
        Slot::Option(level, f) => nth(s.options[level].params_mut(), f),
        Slot::Member(m, field) => {
            let m = &mut s.members[m];
            match field {
                MemberSlot::Scalar(i) => nth(m.scalars_mut(), i),
                MemberSlot::Population => m.population.get_or_insert(Param::Fixed(0.0)),
                MemberSlot::Threat(i) => m.threat[i].get_or_insert(Param::Fixed(0.0)),
                MemberSlot::Concern(i) => m.concern[i].get_or_insert(Param::Fixed(0.0)),
                MemberSlot::Affinity(i) => &mut m.affinity[i],
                MemberSlot::Weight(i) => nth(m.weights.params_mut(), i),
            }
        }
        Slot::Noise | Slot::Band => unreachable!("not a Param; handled by the caller"),
    }
}

fn param_ref(s: &Scenario, slot: Slot) -> Option<&Param> {
    Some(match slot {
        Slot::Capacity => &s.alliance.capacity,
        Slot::Crisis(i) => s.crisis.params()[i],
        Slot::Option(level, f) => s.options[level].params()[f],
        Slot::Member(m, field) => {
            let m = &s.members[m];
            match field {
                MemberSlot::Scalar(i) => m.scalars()[i],
                MemberSlot::Population => m.population.as_ref()?,
                MemberSlot::Threat(i) => m.threat[i].as_ref()?,
                MemberSlot::Concern(i) => m.concern[i].as_ref()?,
                MemberSlot::Affinity(i) => &m.affinity[i],
                MemberSlot::Weight(i) => m.weights.params()[i],
            }
        }
        Slot::Noise | Slot::Band => return None,
    })
}

/// Every numeric parameter of `scenario` with its current value and range, in
/// a stable order: alliance, crisis, members (file order), options, settings.
/// Threat and concern entries the files leave out are not listed.
pub fn list(scenario: &Scenario) -> Vec<ParamEntry> {
    let mut out = Vec::new();
    let mut push = |path: String, value: &Param, range: Range| {
        out.push(ParamEntry {
            path,
            value: value.clone(),
            range,
        })
    };
    push(
        "alliance.capacity".into(),
        &scenario.alliance.capacity,
        Range::UNIT,
    );
    for (i, name) in CRISIS.iter().enumerate() {
        let p = param_ref(scenario, Slot::Crisis(i)).expect("crisis parameters exist");
        push(format!("crisis.{name}"), p, Range::UNIT);
    }
    let actors: Vec<&str> = actor_ids(scenario).collect();
    for (mi, m) in scenario.members.iter().enumerate() {
        let base = format!("members.{}", m.id);
        for (i, (name, range)) in MEMBER.iter().enumerate() {
            let p = param_ref(scenario, Slot::Member(mi, MemberSlot::Scalar(i))).expect("exists");
            push(format!("{base}.{name}"), p, *range);
            if i == 1 {
                if let Some(p) = &m.population {
                    push(format!("{base}.population"), p, Range::POPULATION);
                }
            }
        }
        for (t, p) in scenario.crisis_types.iter().zip(&m.threat) {
            if let Some(p) = p {
                push(format!("{base}.threat.{t}"), p, Range::UNIT);
            }
        }
        for (r, p) in scenario.regions.iter().zip(&m.concern) {
            if let Some(p) = p {
                push(format!("{base}.concern.{r}"), p, Range::UNIT);
            }
        }
        for (a, (id, p)) in actors.iter().zip(&m.affinity).enumerate() {
            if a != mi {
                push(format!("{base}.affinity.{id}"), p, Range::SIGNED_UNIT);
            }
        }
        for (i, name) in WEIGHTS.iter().enumerate() {
            let p = param_ref(scenario, Slot::Member(mi, MemberSlot::Weight(i))).expect("exists");
            push(format!("{base}.weights.{name}"), p, Range::WEIGHT);
        }
    }
    for o in &scenario.options[1..] {
        push(format!("options.{}.effect", o.id), &o.effect, EFFECT_RANGE);
        push(format!("options.{}.troops", o.id), &o.troops, Range::UNIT);
        push(
            format!("options.{}.intrusion", o.id),
            &o.intrusion,
            Range::UNIT,
        );
    }
    push(
        "noise".into(),
        &Param::Fixed(scenario.montecarlo.noise),
        NOISE_RANGE,
    );
    push(
        "abstention_band".into(),
        &Param::Fixed(scenario.abstention_band),
        BAND_RANGE,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kazakhstan() -> Scenario {
        let p =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/kazakhstan_2022.toml");
        crate::scenario::load(&p).expect("shipped scenario loads")
    }

    #[test]
    fn every_listed_path_parses_and_reads_back_its_value() {
        let s = kazakhstan();
        let entries = list(&s);
        assert!(entries.len() > 100, "{} parameters", entries.len());
        for e in &entries {
            let p = ParamPath::parse(&s, &e.path).unwrap_or_else(|err| panic!("{}: {err}", e.path));
            assert_eq!(p.central(&s), e.value.central(), "{}", e.path);
            assert_eq!(p.range(), e.range, "{}", e.path);
        }
    }

    #[test]
    fn setting_a_path_changes_that_parameter_only() {
        let mut s = kazakhstan();
        let before = list(&s);
        ParamPath::parse(&s, "members.KAZ.weights.regime")
            .unwrap()
            .set(&mut s, 2.5)
            .unwrap();
        let after = list(&s);
        let changed: Vec<&str> = before
            .iter()
            .zip(&after)
            .filter(|(a, b)| a.value != b.value)
            .map(|(a, _)| a.path.as_str())
            .collect();
        assert_eq!(changed, ["members.KAZ.weights.regime"]);
        assert_eq!(s.members[1].weights.regime, Param::Fixed(2.5));
    }

    #[test]
    fn wildcard_sets_every_member() {
        let mut s = kazakhstan();
        ParamPath::parse(&s, "members.*.dependence")
            .unwrap()
            .set(&mut s, 0.3)
            .unwrap();
        assert!(s.members.iter().all(|m| m.dependence == Param::Fixed(0.3)));
        let p = ParamPath::parse(&s, "members.*.affinity.RUS").unwrap();
        p.set(&mut s, -0.5).unwrap();
        assert_eq!(
            s.members[0].affinity[0],
            Param::Fixed(0.0),
            "RUS's own entry untouched"
        );
        assert_eq!(s.members[1].affinity[0], Param::Fixed(-0.5));
    }

    #[test]
    fn overlapping_paths_share_a_parameter() {
        let s = kazakhstan();
        let p = |t: &str| ParamPath::parse(&s, t).unwrap();
        assert!(p("members.*.gdp").overlaps(&p("members.KAZ.gdp")));
        assert!(p("members.KAZ.gdp").overlaps(&p("members.*.gdp")));
        assert!(p("noise").overlaps(&p("montecarlo.noise")));
        assert!(!p("members.KAZ.gdp").overlaps(&p("members.RUS.gdp")));
        assert!(!p("members.*.gdp").overlaps(&p("members.*.dependence")));
        assert!(!p("noise").overlaps(&p("abstention_band")));
        // A wildcard affinity skips RUS's own entry, which a path cannot name.
        assert!(p("members.*.affinity.RUS").overlaps(&p("members.KAZ.affinity.RUS")));
    }

    #[test]
    fn settings_and_options() {
        let mut s = kazakhstan();
        ParamPath::parse(&s, "noise")
            .unwrap()
            .set(&mut s, 0.3)
            .unwrap();
        ParamPath::parse(&s, "abstention_band")
            .unwrap()
            .set(&mut s, 0.1)
            .unwrap();
        ParamPath::parse(&s, "options.limited_deployment.intrusion")
            .unwrap()
            .set(&mut s, 0.9)
            .unwrap();
        assert_eq!(s.montecarlo.noise, 0.3);
        assert_eq!(s.abstention_band, 0.1);
        assert_eq!(s.options[3].intrusion, Param::Fixed(0.9));
        let effect = ParamPath::parse(&s, "options.statement.effect").unwrap();
        assert!(
            effect.set(&mut s, 0.0).is_err(),
            "an effect of 0 would be no action"
        );
    }

    #[test]
    fn bad_paths_and_values_explain_themselves() {
        let mut s = kazakhstan();
        let hint = |p: &str| {
            ParamPath::parse(&s, p)
                .unwrap_err()
                .help
                .unwrap_or_default()
        };
        assert_eq!(hint("crisis.severty"), "did you mean `severity`?");
        assert_eq!(hint("members.KAX.sovereignty"), "did you mean `KAZ`?");
        assert_eq!(
            hint("members.KAZ.sovreignty"),
            "did you mean `sovereignty`?"
        );
        assert_eq!(hint("members.KAZ.weights.regim"), "did you mean `regime`?");
        assert_eq!(
            hint("options.limited.effect"),
            "expected one of `statement`, `monitoring`, `limited_deployment`, `full_intervention`"
        );
        assert_eq!(hint("crisi.severity"), "did you mean `crisis`?");
        assert!(ParamPath::parse(&s, "members.KAZ.affinity.KAZ").is_err());
        let p = ParamPath::parse(&s, "crisis.severity").unwrap();
        let e = p.set(&mut s, 1.5).unwrap_err();
        assert!(e.message.contains("[0, 1]"), "{}", e.message);
        assert!(p.set(&mut s, f64::NAN).is_err());
    }

    #[test]
    fn an_effect_takes_what_a_scenario_file_takes() {
        let mut s = kazakhstan();
        let effect = ParamPath::parse(&s, "options.statement.effect").unwrap();
        // Above 0, however little, as the file's check requires.
        effect.set(&mut s, 5e-324).unwrap();
        effect.set(&mut s, 1e-320).unwrap();
        let e = effect.set(&mut s, 0.0).unwrap_err();
        assert_eq!(
            e.message,
            "0 is outside the range (0, 1] of `options.statement.effect`"
        );
        let e = effect.set(&mut s, 1.5).unwrap_err();
        assert!(e.message.starts_with("1.5 is outside"), "{}", e.message);
        let noise = ParamPath::parse(&s, "noise").unwrap();
        let e = noise.set(&mut s, 1e300).unwrap_err();
        assert!(e.message.starts_with("1e300 is outside"), "{}", e.message);
    }
}
