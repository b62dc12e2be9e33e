//! Checking: every rule a scenario must obey, from value ranges to references
//! between members, turning the merged raw file into a trusted `Scenario`.

use indexmap::IndexMap;

use super::error::ScenarioError;
use super::limits::{MAX_MEMBERS, MAX_OPTIONS, MAX_RUNS};
use super::param::{normal_cdf, Param, Range, MIN_TRUNCATED_MASS};
use super::raw::{LParam, LString, Located, RawDist, RawFile, RawMember, RawParam};
use super::suggest;
use super::*;
use crate::model::DecisionRule;

/// Defaults applied where a file is silent; each is documented in SCENARIOS.md.
pub mod defaults {
    /// Runs when `[montecarlo] runs` is absent.
    pub const RUNS: u64 = 10_000;
    /// Seed when `[montecarlo] seed` is absent.
    pub const SEED: u64 = 1;
    /// Perception noise when `[montecarlo] noise` is absent.
    pub const NOISE: f64 = 0.1;
    /// Abstention band when `[rule] abstention_band` is absent.
    pub const ABSTENTION_BAND: f64 = 0.05;
    /// Every interest weight.
    pub const WEIGHT: f64 = 1.0;
    /// Reservation level.
    pub const RESERVATION: f64 = 0.0;
    /// Affinity toward an actor not listed.
    pub const AFFINITY: f64 = 0.0;
}

struct Checker {
    sources: Vec<SourceFile>,
}

type Result<T> = std::result::Result<T, ScenarioError>;

impl Checker {
    fn main_file(&self) -> &SourceFile {
        &self.sources[0]
    }

    fn at<T>(&self, loc: &Located<T>, field: &str, message: impl Into<String>) -> ScenarioError {
        let source = &self.sources[loc.file];
        let (line, column) = source.line_col(loc.span.start);
        ScenarioError {
            file: source.path.clone(),
            line: Some(line),
            column: Some(column),
            field: field.to_string(),
            message: message.into(),
            help: None,
        }
    }

    fn missing(&self, field: &str, what: &str, near: Option<(usize, usize)>) -> ScenarioError {
        match near {
            Some((file, offset)) => {
                let source = &self.sources[file];
                let (line, column) = source.line_col(offset);
                ScenarioError {
                    file: source.path.clone(),
                    line: Some(line),
                    column: Some(column),
                    field: field.to_string(),
                    message: format!("missing: {what}"),
                    help: None,
                }
            }
            None => ScenarioError::file(&self.main_file().path, field, format!("missing: {what}")),
        }
    }

    fn required<'a, T>(
        &self,
        v: &'a Option<T>,
        field: &str,
        what: &str,
        near: Option<(usize, usize)>,
    ) -> Result<&'a T> {
        v.as_ref().ok_or_else(|| self.missing(field, what, near))
    }

    fn param(&self, lp: &LParam, field: &str, range: Range) -> Result<Param> {
        let bad = |msg: String| self.at(lp, field, msg);
        let finite = |name: &str, x: f64| -> Result<f64> {
            if x.is_finite() {
                Ok(x)
            } else {
                Err(bad(format!("`{name}` must be a finite number, found {x}")))
            }
        };
        let inside = |name: &str, x: f64| -> Result<f64> {
            finite(name, x)?;
            if range.contains(x) {
                Ok(x)
            } else {
                Err(bad(format!(
                    "`{name}` = {x} lies outside this parameter's range {range}"
                )))
            }
        };
        let ordered = |lo: f64, hi: f64| -> Result<()> {
            if lo < hi {
                Ok(())
            } else {
                Err(bad(format!(
                    "`lo` ({lo}) must be below `hi` ({hi}); for a constant, write the number itself"
                )))
            }
        };
        match &lp.value {
            RawParam::Number(x) => {
                if !x.is_finite() {
                    return Err(bad(format!(
                        "expected a finite number in {range}, found {x}"
                    )));
                }
                if !range.contains(*x) {
                    return Err(bad(format!("expected a number in {range}, found {x}")));
                }
                Ok(Param::Fixed(*x))
            }
            RawParam::Dist(RawDist::Normal { mean, sd, lo, hi }) => {
                let mean = finite("mean", *mean)?;
                let sd = finite("sd", *sd)?;
                if sd <= 0.0 {
                    return Err(bad(format!(
                        "`sd` must be positive, found {sd}; for a constant, write the number itself"
                    )));
                }
                let lo = inside("lo", lo.unwrap_or(range.lo))?;
                let hi = inside("hi", hi.unwrap_or(range.hi))?;
                ordered(lo, hi)?;
                let mass = normal_cdf((hi - mean) / sd) - normal_cdf((lo - mean) / sd);
                if mass.is_nan() || mass < MIN_TRUNCATED_MASS {
                    return Err(bad(format!(
                        "this normal keeps only {:.4}% of its mass inside [{lo}, {hi}] (at least {}% is needed); move the mean inside the range or widen sd",
                        100.0 * mass.max(0.0),
                        100.0 * MIN_TRUNCATED_MASS
                    )));
                }
                Ok(Param::Normal { mean, sd, lo, hi })
            }
            RawParam::Dist(RawDist::Uniform { lo, hi }) => {
                let lo = inside("lo", *lo)?;
                let hi = inside("hi", *hi)?;
                ordered(lo, hi)?;
                Ok(Param::Uniform { lo, hi })
            }
            RawParam::Dist(RawDist::Beta { a, b, lo, hi }) => {
                let a = finite("a", *a)?;
                let b = finite("b", *b)?;
                if a <= 0.0 || b <= 0.0 {
                    return Err(bad(format!(
                        "beta shapes `a` and `b` must be positive, found a = {a}, b = {b}"
                    )));
                }
                let lo = inside("lo", lo.unwrap_or(range.lo))?;
                let hi = inside("hi", hi.unwrap_or(range.hi))?;
                ordered(lo, hi)?;
                Ok(Param::Beta { a, b, lo, hi })
            }
            RawParam::Dist(RawDist::Triangular { lo, mode, hi }) => {
                let lo = inside("lo", *lo)?;
                let hi = inside("hi", *hi)?;
                let mode = finite("mode", *mode)?;
                ordered(lo, hi)?;
                if mode < lo || mode > hi {
                    return Err(bad(format!(
                        "`mode` ({mode}) must lie between `lo` ({lo}) and `hi` ({hi})"
                    )));
                }
                Ok(Param::Triangular { lo, mode, hi })
            }
        }
    }

    fn opt_param(
        &self,
        lp: &Option<LParam>,
        field: &str,
        range: Range,
        default: f64,
    ) -> Result<Param> {
        match lp {
            Some(lp) => self.param(lp, field, range),
            None => Ok(Param::Fixed(default)),
        }
    }

    fn req_param(
        &self,
        lp: &Option<LParam>,
        field: &str,
        range: Range,
        what: &str,
        near: Option<(usize, usize)>,
    ) -> Result<Param> {
        let lp = self.required(lp, field, what, near)?;
        self.param(lp, field, range)
    }

    /// Resolves an id against a list of names, with a suggestion on failure.
    fn lookup(&self, id: &LString, names: &[&str], field: &str, kind: &str) -> Result<usize> {
        names.iter().position(|n| *n == id.value).ok_or_else(|| {
            self.at(id, field, format!("unknown {kind} `{}`", id.value))
                .with_help(suggest::hint(&id.value, names.iter().copied()))
        })
    }

    fn id_list(
        &self,
        list: &Option<Located<Vec<String>>>,
        field: &str,
        what: &str,
    ) -> Result<Vec<String>> {
        let list = self.required(list, field, what, None)?;
        if list.value.is_empty() {
            return Err(self.at(list, field, "the list is empty"));
        }
        for (i, id) in list.value.iter().enumerate() {
            check_id_text(id).map_err(|m| self.at(list, field, m))?;
            if list.value[..i].contains(id) {
                return Err(self.at(list, field, format!("`{id}` is listed twice")));
            }
        }
        Ok(list.value.clone())
    }
}

/// Ids appear in CSV columns and on the command line: keep them plain.
fn check_id_text(id: &str) -> std::result::Result<(), String> {
    if id.is_empty() || id.len() > 64 {
        return Err(format!("id `{id}` must be 1 to 64 characters long"));
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(format!(
            "id `{id}` may only contain letters, digits, `_` and `-`"
        ));
    }
    Ok(())
}

/// Checks a merged file into a scenario. `stem` names it when `[scenario] name` is absent.
pub(super) fn check(raw: RawFile, sources: Vec<SourceFile>, stem: &str) -> Result<Scenario> {
    let ck = Checker { sources };

    // [scenario]
    let meta = raw.scenario.unwrap_or_default();
    let name = meta.name.map_or_else(|| stem.to_string(), |n| n.value);
    let description = meta.description.map(|d| d.value).unwrap_or_default();

    // [alliance]
    let alliance = ck.required(
        &raw.alliance,
        "alliance",
        "the [alliance] table (name, hegemon, capacity, regions, crisis_types)",
        None,
    )?;
    let regions = ck.id_list(
        &alliance.regions,
        "alliance.regions",
        "`regions`, the list of region ids (security complexes)",
    )?;
    let crisis_types = ck.id_list(
        &alliance.crisis_types,
        "alliance.crisis_types",
        "`crisis_types`, the list of crisis-type ids",
    )?;
    let region_names: Vec<&str> = regions.iter().map(String::as_str).collect();
    let type_names: Vec<&str> = crisis_types.iter().map(String::as_str).collect();

    // Members and outsiders: ids first, so references can be resolved.
    let empty = IndexMap::new();
    let raw_members = raw.members.as_ref().unwrap_or(&empty);
    if raw_members.is_empty() {
        return Err(ScenarioError::file(
            &ck.main_file().path,
            "members",
            "the alliance has no members; define them as [members.ID] tables (usually in an included roster)",
        ));
    }
    if raw_members.len() > MAX_MEMBERS {
        return Err(ScenarioError::file(
            &ck.main_file().path,
            "members",
            format!(
                "{} members defined; at most {MAX_MEMBERS} are supported",
                raw_members.len()
            ),
        ));
    }
    let outsiders: Vec<Outsider> = match &alliance.outsiders {
        Some(map) => map
            .iter()
            .map(|(id, name)| {
                check_id_text(id)
                    .map_err(|m| ck.at(name, &format!("alliance.outsiders.{id}"), m))?;
                if raw_members.contains_key(id) {
                    return Err(ck.at(
                        name,
                        &format!("alliance.outsiders.{id}"),
                        format!("`{id}` is already a member id"),
                    ));
                }
                Ok(Outsider {
                    id: id.clone(),
                    name: name.value.clone(),
                })
            })
            .collect::<Result<_>>()?,
        None => Vec::new(),
    };
    let member_ids: Vec<&str> = raw_members.keys().map(String::as_str).collect();
    let actor_ids: Vec<&str> = member_ids
        .iter()
        .copied()
        .chain(outsiders.iter().map(|o| o.id.as_str()))
        .collect();

    let hegemon = match &alliance.hegemon {
        Some(h) => Some(ck.lookup(h, &member_ids, "alliance.hegemon", "member")?),
        None => None,
    };
    let capacity = ck.req_param(
        &alliance.capacity,
        "alliance.capacity",
        Range::UNIT,
        "`capacity`, the alliance's institutional capacity Kc in [0, 1]",
        None,
    )?;
    let alliance_name = alliance
        .name
        .as_ref()
        .map_or_else(String::new, |n| n.value.clone());

    // [crisis]
    let crisis = ck.required(&raw.crisis, "crisis", "the [crisis] table", None)?;
    let kind_id = ck.required(
        &crisis.kind,
        "crisis.type",
        "`type`, one of alliance.crisis_types",
        None,
    )?;
    let kind = ck.lookup(kind_id, &type_names, "crisis.type", "crisis type")?;
    let region_id = ck.required(
        &crisis.region,
        "crisis.region",
        "`region`, one of alliance.regions",
        None,
    )?;
    let crisis_region = ck.lookup(region_id, &region_names, "crisis.region", "region")?;

    let mut members = Vec::with_capacity(raw_members.len());
    for (i, (id, m)) in raw_members.iter().enumerate() {
        check_id_text(id).map_err(|msg| {
            let (file, line) = m.anchor().unwrap_or((0, 0));
            let at = Located {
                value: (),
                file,
                span: line..line,
            };
            ck.at(&at, &format!("members.{id}"), msg)
        })?;
        members.push(check_member(
            &ck,
            id,
            m,
            MemberContext {
                index: i,
                is_hegemon: hegemon == Some(i),
                regions: &region_names,
                types: &type_names,
                actors: &actor_ids,
                crisis_type: kind,
                crisis_region,
            },
        )?);
    }

    let requester_id = ck.required(
        &crisis.requester,
        "crisis.requester",
        "`requester`, the id of the member asking for help",
        None,
    )?;
    let requester = ck.lookup(requester_id, &member_ids, "crisis.requester", "member")?;
    let adversary = match &crisis.adversary {
        Some(a) => {
            let i = ck.lookup(a, &actor_ids, "crisis.adversary", "actor")?;
            if i == requester {
                return Err(ck.at(
                    a,
                    "crisis.adversary",
                    "the requester cannot be its own adversary",
                ));
            }
            Some(if i < member_ids.len() {
                Actor::Member(i)
            } else {
                Actor::Outsider(i - member_ids.len())
            })
        }
        None => None,
    };
    let cp = |lp: &Option<LParam>, key: &str, what: &str| {
        ck.req_param(lp, &format!("crisis.{key}"), Range::UNIT, what, None)
    };
    let severity = cp(&crisis.severity, "severity", "`severity` S in [0, 1]")?;
    let domestic = cp(
        &crisis.domestic,
        "domestic",
        "`domestic` I in [0, 1], how far the crisis is internal",
    )?;
    let framing = cp(
        &crisis.framing,
        "framing",
        "`framing` F in [0, 1], how far it is framed as externally driven",
    )?;
    let contagion = cp(
        &crisis.contagion,
        "contagion",
        "`contagion` C in [0, 1], the risk of regime contagion",
    )?;
    let legal_fit = cp(
        &crisis.legal_fit,
        "legal_fit",
        "`legal_fit` L in [0, 1], how well the treaty covers the case",
    )?;
    let legitimacy = cp(
        &crisis.legitimacy,
        "legitimacy",
        "`legitimacy` λ in [0, 1] of the requesting government",
    )?;
    let credibility = cp(
        &crisis.credibility,
        "credibility",
        "`credibility` Q in [0, 1], the alliance's credibility stake",
    )?;
    let combat_risk = cp(
        &crisis.combat_risk,
        "combat_risk",
        "`combat_risk` R in [0, 1]",
    )?;

    // [[options]]
    let raw_options = ck.required(
        &raw.options,
        "options",
        "the [[options]] list, ordered from the mildest to the most escalated",
        None,
    )?;
    let Some(first) = raw_options.first() else {
        return Err(ScenarioError::file(
            &ck.main_file().path,
            "options",
            "the list of options is empty",
        ));
    };
    if raw_options.len() > MAX_OPTIONS {
        return Err(ck.at(
            &first.id,
            "options",
            format!(
                "{} options; at most {MAX_OPTIONS} are supported",
                raw_options.len()
            ),
        ));
    }
    let mut options = vec![ActionOption {
        id: NO_ACTION.into(),
        name: "No action".into(),
        effect: Param::Fixed(0.0),
        troops: Param::Fixed(0.0),
        intrusion: Param::Fixed(0.0),
    }];
    for o in raw_options {
        let id = &o.id.value;
        let field = format!("options.{id}");
        check_id_text(id).map_err(|m| ck.at(&o.id, &field, m))?;
        if options.iter().any(|x| &x.id == id) {
            let msg = if id == NO_ACTION {
                format!("`{NO_ACTION}` is the implicit level 0; do not list it")
            } else {
                format!("option `{id}` is listed twice")
            };
            return Err(ck.at(&o.id, &field, msg));
        }
        let near = Some((o.id.file, o.id.span.start));
        let op = |lp: &Option<LParam>, key: &str, what: &str| {
            ck.req_param(lp, &format!("{field}.{key}"), Range::UNIT, what, near)
        };
        let option = ActionOption {
            id: id.clone(),
            name: o
                .name
                .as_ref()
                .map_or_else(|| id.clone(), |n| n.value.clone()),
            effect: op(&o.effect, "effect", "`effect` e in [0, 1]")?,
            troops: op(&o.troops, "troops", "`troops` t in [0, 1]")?,
            intrusion: op(&o.intrusion, "intrusion", "`intrusion` s in [0, 1]")?,
        };
        let prev = options.last().expect("no_action is always present");
        for (what, a, b) in [
            ("effect", prev.effect.central(), option.effect.central()),
            ("troops", prev.troops.central(), option.troops.central()),
            (
                "intrusion",
                prev.intrusion.central(),
                option.intrusion.central(),
            ),
        ] {
            if b < a {
                return Err(ck.at(
                    &o.id,
                    &field,
                    format!(
                        "options must be ordered by escalation, but `{what}` falls from {a} (`{}`) to {b}",
                        prev.id
                    ),
                ));
            }
        }
        if option.effect.central() <= 0.0 {
            return Err(ck.at(
                &o.id,
                &format!("{field}.effect"),
                "an option's effect must be above 0 (level 0 is no action)",
            ));
        }
        options.push(option);
    }
    let option_ids: Vec<&str> = options.iter().map(|o| o.id.as_str()).collect();
    let requested_id = ck.required(
        &crisis.requested,
        "crisis.requested",
        "`requested`, the id of the option the requester asked for",
        None,
    )?;
    let requested = ck.lookup(requested_id, &option_ids[1..], "crisis.requested", "option")? + 1;

    // [rule]
    let (rule, abstention_band) = match &raw.rule {
        Some(rr) => {
            let rule = DecisionRule::from_parts(
                &rr.kind.value,
                rr.abstention_blocks.as_ref().map(|x| x.value),
                rr.threshold.as_ref().map(|x| x.value),
                rr.attribute.as_ref().map(|x| x.value.as_str()),
                rr.quota.as_ref().map(|x| x.value),
            )
            .map_err(|e| ck.at(&rr.kind, "rule", e.message).with_help(e.help))?;
            if matches!(rule, DecisionRule::HegemonMajority) && hegemon.is_none() {
                return Err(ck.at(
                    &rr.kind,
                    "rule.kind",
                    "the `hegemon_majority` rule needs `alliance.hegemon`",
                ));
            }
            let band = match &rr.abstention_band {
                Some(b) if !(b.value.is_finite() && (0.0..=1.0).contains(&b.value)) => {
                    return Err(ck.at(
                        b,
                        "rule.abstention_band",
                        format!("expected a number in [0, 1], found {}", b.value),
                    ))
                }
                Some(b) => b.value,
                None => defaults::ABSTENTION_BAND,
            };
            (rule, band)
        }
        None => (
            DecisionRule::Unanimity {
                abstention_blocks: false,
            },
            defaults::ABSTENTION_BAND,
        ),
    };

    // [montecarlo]
    let mc = raw.montecarlo.unwrap_or_default();
    let runs = match &mc.runs {
        Some(r) if r.value < 1 || r.value as u64 > MAX_RUNS => {
            return Err(ck.at(
                r,
                "montecarlo.runs",
                format!(
                    "expected a whole number from 1 to {MAX_RUNS}, found {}",
                    r.value
                ),
            ))
        }
        Some(r) => r.value as u64,
        None => defaults::RUNS,
    };
    let seed = match &mc.seed {
        Some(s) if s.value < 0 => {
            return Err(ck.at(
                s,
                "montecarlo.seed",
                format!("expected a whole number ≥ 0, found {}", s.value),
            ))
        }
        Some(s) => s.value as u64,
        None => defaults::SEED,
    };
    let noise = match &mc.noise {
        Some(n) if !(n.value.is_finite() && (0.0..=10.0).contains(&n.value)) => {
            return Err(ck.at(
                n,
                "montecarlo.noise",
                format!("expected a number in [0, 10], found {}", n.value),
            ))
        }
        Some(n) => n.value,
        None => defaults::NOISE,
    };

    // [expected]
    let expected = match &raw.expected {
        Some(e) => {
            let outcome = ck.required(
                &e.outcome,
                "expected.outcome",
                "`outcome`, the id of the option adopted in history (or `no_action`)",
                None,
            )?;
            let level = ck.lookup(outcome, &option_ids, "expected.outcome", "option")?;
            Some(Expected {
                level,
                source: e
                    .source
                    .as_ref()
                    .map(|s| s.value.clone())
                    .unwrap_or_default(),
            })
        }
        None => None,
    };

    Ok(Scenario {
        name,
        description,
        alliance: Alliance {
            name: alliance_name,
            hegemon,
            capacity,
        },
        regions,
        crisis_types,
        members,
        outsiders,
        crisis: Crisis {
            name: crisis
                .name
                .as_ref()
                .map(|n| n.value.clone())
                .unwrap_or_default(),
            requester,
            kind,
            region: crisis_region,
            requested,
            adversary,
            severity,
            domestic,
            framing,
            contagion,
            legal_fit,
            legitimacy,
            credibility,
            combat_risk,
        },
        options,
        rule,
        abstention_band,
        montecarlo: MonteCarlo { runs, seed, noise },
        expected,
        sources: ck.sources,
    })
}

struct MemberContext<'a> {
    index: usize,
    is_hegemon: bool,
    regions: &'a [&'a str],
    types: &'a [&'a str],
    actors: &'a [&'a str],
    crisis_type: usize,
    crisis_region: usize,
}

fn check_member(ck: &Checker, id: &str, raw: &RawMember, cx: MemberContext) -> Result<Member> {
    let near = raw.anchor();
    let f = |key: &str| format!("members.{id}.{key}");
    let region_id = ck.required(
        &raw.region,
        &f("region"),
        "`region`, one of alliance.regions",
        near,
    )?;
    let region = ck.lookup(region_id, cx.regions, &f("region"), "region")?;

    // A keyed table of parameters (threat, concern, affinity) checked against known ids.
    let table = |map: &Option<IndexMap<String, LParam>>,
                 key: &str,
                 names: &[&str],
                 kind: &str,
                 range: Range|
     -> Result<Vec<Option<Param>>> {
        let mut out = vec![None; names.len()];
        if let Some(map) = map {
            for (k, lp) in map {
                let field = format!("members.{id}.{key}.{k}");
                let Some(i) = names.iter().position(|n| n == k) else {
                    return Err(ck
                        .at(lp, &field, format!("unknown {kind} `{k}`"))
                        .with_help(suggest::hint(k, names.iter().copied())));
                };
                out[i] = Some(ck.param(lp, &field, range)?);
            }
        }
        Ok(out)
    };
    let threat = table(&raw.threat, "threat", cx.types, "crisis type", Range::UNIT)?;
    let concern = table(&raw.concern, "concern", cx.regions, "region", Range::UNIT)?;
    let affinity_opt = table(
        &raw.affinity,
        "affinity",
        cx.actors,
        "actor",
        Range::SIGNED_UNIT,
    )?;
    if affinity_opt[cx.index].is_some() {
        let lp = &raw.affinity.as_ref().expect("entry present")[id];
        return Err(ck.at(
            lp,
            &f(&format!("affinity.{id}")),
            "a member's affinity toward itself is not a parameter (it counts as 1); remove it",
        ));
    }
    if threat[cx.crisis_type].is_none() {
        return Err(ck.missing(
            &f(&format!("threat.{}", cx.types[cx.crisis_type])),
            &format!(
                "the member's threat perception for this crisis type (`{}`), in [0, 1]",
                cx.types[cx.crisis_type]
            ),
            near,
        ));
    }
    if concern[cx.crisis_region].is_none() {
        return Err(ck.missing(
            &f(&format!("concern.{}", cx.regions[cx.crisis_region])),
            &format!(
                "the member's concern for the crisis region (`{}`), in [0, 1]",
                cx.regions[cx.crisis_region]
            ),
            near,
        ));
    }
    let affinity = affinity_opt
        .into_iter()
        .map(|p| p.unwrap_or(Param::Fixed(defaults::AFFINITY)))
        .collect();

    let w = raw.weights.clone().unwrap_or_default();
    let wp = |lp: &Option<LParam>, key: &str| {
        ck.opt_param(
            lp,
            &f(&format!("weights.{key}")),
            Range::WEIGHT,
            defaults::WEIGHT,
        )
    };
    let weights = Weights {
        security: wp(&w.security, "security")?,
        regime: wp(&w.regime, "regime")?,
        partner: wp(&w.partner, "partner")?,
        credibility: wp(&w.credibility, "credibility")?,
        sovereignty: wp(&w.sovereignty, "sovereignty")?,
        cost: wp(&w.cost, "cost")?,
        external: wp(&w.external, "external")?,
    };
    let unit = |lp: &Option<LParam>, key: &str, what: &str| {
        ck.req_param(lp, &f(key), Range::UNIT, what, near)
    };
    // The hegemon's own dependence has no effect; it may be left out.
    let dependence = if cx.is_hegemon && raw.dependence.is_none() {
        Param::Fixed(0.0)
    } else {
        unit(
            &raw.dependence,
            "dependence",
            "`dependence` d in [0, 1] on the hegemon",
        )?
    };
    Ok(Member {
        id: id.to_string(),
        name: raw
            .name
            .as_ref()
            .map_or_else(|| id.to_string(), |n| n.value.clone()),
        region,
        military_spending: ck.req_param(
            &raw.military_spending,
            &f("military_spending"),
            Range::MONEY,
            "`military_spending`, billions of USD",
            near,
        )?,
        gdp: ck.req_param(
            &raw.gdp,
            &f("gdp"),
            Range::MONEY,
            "`gdp`, billions of USD",
            near,
        )?,
        dependence,
        sovereignty: unit(&raw.sovereignty, "sovereignty", "`sovereignty` σ in [0, 1]")?,
        vulnerability: unit(
            &raw.vulnerability,
            "vulnerability",
            "`vulnerability` v in [0, 1]",
        )?,
        reservation: ck.opt_param(
            &raw.reservation,
            &f("reservation"),
            Range::RESERVATION,
            defaults::RESERVATION,
        )?,
        threat,
        concern,
        affinity,
        weights,
    })
}
