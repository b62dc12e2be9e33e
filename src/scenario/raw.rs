//! The scenario file format as written: serde structs that mirror the TOML,
//! reject unknown keys, and remember where each value came from. Nothing here
//! is trusted; `check` turns a merged `RawFile` into a `Scenario`.

use std::cell::Cell;
use std::ops::Range;

use indexmap::IndexMap;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

thread_local! {
    /// Index of the file being parsed on this thread, stamped on every `Located`.
    static CURRENT_FILE: Cell<usize> = const { Cell::new(0) };
}

/// Runs `f` with `file` as the file that new `Located` values are stamped with.
pub(crate) fn with_file<T>(file: usize, f: impl FnOnce() -> T) -> T {
    let previous = CURRENT_FILE.with(|c| c.replace(file));
    let out = f();
    CURRENT_FILE.with(|c| c.set(previous));
    out
}

/// A value together with the file and byte range it was read from, so that
/// errors found after includes are merged still point at the right line.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The value as parsed.
    pub value: T,
    /// Index into the loader's list of source files.
    pub file: usize,
    /// Byte range of the value in that file.
    pub span: Range<usize>,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = toml::Spanned::<T>::deserialize(d)?;
        let span = spanned.span();
        Ok(Located {
            value: spanned.into_inner(),
            file: CURRENT_FILE.with(|c| c.get()),
            span,
        })
    }
}

/// A numeric parameter as written: a bare number or a distribution table.
#[derive(Debug, Clone, PartialEq)]
pub enum RawParam {
    /// `severity = 0.8`
    Number(f64),
    /// `severity = { dist = "normal", mean = 0.8, sd = 0.1 }`
    Dist(RawDist),
}

/// A distribution table, tagged by `dist`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum RawDist {
    /// Normal, truncated to the parameter's range (narrowed by `lo`/`hi`).
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
        /// Optional lower truncation point.
        lo: Option<f64>,
        /// Optional upper truncation point.
        hi: Option<f64>,
    },
    /// Uniform on [lo, hi].
    Uniform {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
    /// Beta(a, b) on [lo, hi] (default: the parameter's range).
    Beta {
        /// First shape.
        a: f64,
        /// Second shape.
        b: f64,
        /// Optional lower end.
        lo: Option<f64>,
        /// Optional upper end.
        hi: Option<f64>,
    },
    /// Triangular on [lo, hi] peaking at `mode`.
    Triangular {
        /// Lower end.
        lo: f64,
        /// Most likely value.
        mode: f64,
        /// Upper end.
        hi: f64,
    },
}

impl<'de> Deserialize<'de> for RawParam {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ParamVisitor;
        impl<'de> Visitor<'de> for ParamVisitor {
            type Value = RawParam;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a number or a distribution table such as { dist = \"normal\", mean = 0.5, sd = 0.1 }",
                )
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawParam, E> {
                Ok(RawParam::Number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawParam, E> {
                Ok(RawParam::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawParam, E> {
                Ok(RawParam::Number(v as f64))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawParam, A::Error> {
                RawDist::deserialize(de::value::MapAccessDeserializer::new(map)).map(RawParam::Dist)
            }
        }
        d.deserialize_any(ParamVisitor)
    }
}

/// An exact number as written in `[rule]`: a TOML number (`0.67`, `15`) or
/// text holding a fraction or decimal (`"2/3"`). Checked by `check`.
#[derive(Debug, Clone, PartialEq)]
pub enum RawNumber {
    /// A floating-point TOML number: the decimal it prints as.
    Float(f64),
    /// A whole TOML number.
    Int(i128),
    /// Text such as `"2/3"`.
    Text(String),
}

impl<'de> Deserialize<'de> for RawNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NumberVisitor;
        impl<'de> Visitor<'de> for NumberVisitor {
            type Value = RawNumber;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number such as 0.67, or a fraction in quotes such as \"2/3\"")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawNumber, E> {
                Ok(RawNumber::Float(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawNumber, E> {
                Ok(RawNumber::Int(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawNumber, E> {
                Ok(RawNumber::Int(v.into()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawNumber, E> {
                Ok(RawNumber::Text(v.to_string()))
            }
        }
        d.deserialize_any(NumberVisitor)
    }
}

/// A located numeric parameter.
pub type LParam = Located<RawParam>;
/// A located string.
pub type LString = Located<String>;

/// One scenario or roster file. Every table is optional so that files can be
/// split (roster, options, case) and layered with `include`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    /// Files to read first, relative to this one; this file's values win.
    pub include: Option<Vec<LString>>,
    /// Name and description.
    pub scenario: Option<RawMeta>,
    /// Alliance-wide settings.
    pub alliance: Option<RawAlliance>,
    /// Values every member takes where neither it nor one of its groups gives them.
    pub defaults: Option<RawMemberDefaults>,
    /// Groups (blocs) of members with shared values, by id.
    pub groups: Option<IndexMap<String, RawGroup>>,
    /// Member states by id.
    pub members: Option<IndexMap<String, RawMember>>,
    /// The crisis put to the alliance.
    pub crisis: Option<RawCrisis>,
    /// The options, ordered by escalation (no action is implicit).
    pub options: Option<Vec<RawOption>>,
    /// The decision rule.
    pub rule: Option<RawRule>,
    /// Monte Carlo settings.
    pub montecarlo: Option<RawMonteCarlo>,
    /// The historical outcome, for validation.
    pub expected: Option<RawExpected>,
    /// Parameters set by path after everything else (`"noise" = 0.2`).
    pub set: Option<IndexMap<String, Located<f64>>>,
}

/// `[scenario]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    /// Human-readable name.
    pub name: Option<LString>,
    /// Free text.
    pub description: Option<LString>,
}

/// `[alliance]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAlliance {
    /// Alliance name.
    pub name: Option<LString>,
    /// Member id of the hegemon, if any.
    pub hegemon: Option<LString>,
    /// Institutional capacity Kc.
    pub capacity: Option<LParam>,
    /// Declared regions (security complexes).
    pub regions: Option<Located<Vec<String>>>,
    /// Declared crisis types.
    pub crisis_types: Option<Located<Vec<String>>>,
    /// Actors outside the alliance that members may hold affinities toward.
    pub outsiders: Option<IndexMap<String, LString>>,
}

/// `[members.ID]`: every field optional so a case file can override one value.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMember {
    /// Display name.
    pub name: Option<LString>,
    /// Region id.
    pub region: Option<LString>,
    /// Military spending, billions of USD.
    pub military_spending: Option<LParam>,
    /// GDP, billions of USD.
    pub gdp: Option<LParam>,
    /// Population, thousands.
    pub population: Option<LParam>,
    /// Dependence on the hegemon d.
    pub dependence: Option<LParam>,
    /// Sovereignty sensitivity σ.
    pub sovereignty: Option<LParam>,
    /// Regime vulnerability v.
    pub vulnerability: Option<LParam>,
    /// Reservation level τ.
    pub reservation: Option<LParam>,
    /// Threat perception by crisis type.
    pub threat: Option<IndexMap<String, LParam>>,
    /// Concern by region.
    pub concern: Option<IndexMap<String, LParam>>,
    /// Affinity toward other actors.
    pub affinity: Option<IndexMap<String, LParam>>,
    /// Interest weights.
    pub weights: Option<RawWeights>,
}

/// `[members.ID.weights]`
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWeights {
    /// Weight of the security term.
    pub security: Option<LParam>,
    /// Weight of the regime-contagion term.
    pub regime: Option<LParam>,
    /// Weight of the partner-importance term.
    pub partner: Option<LParam>,
    /// Weight of the credibility term.
    pub credibility: Option<LParam>,
    /// Weight of the sovereignty cost.
    pub sovereignty: Option<LParam>,
    /// Weight of the material cost.
    pub cost: Option<LParam>,
    /// Weight of ties to the adversary.
    pub external: Option<LParam>,
}

/// `[defaults]`: values for every member that does not give its own. Facts
/// (spending, GDP) and names are per member, so they are not allowed here.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMemberDefaults {
    /// Region id.
    pub region: Option<LString>,
    /// Dependence on the hegemon d.
    pub dependence: Option<LParam>,
    /// Sovereignty sensitivity σ.
    pub sovereignty: Option<LParam>,
    /// Regime vulnerability v.
    pub vulnerability: Option<LParam>,
    /// Reservation level τ.
    pub reservation: Option<LParam>,
    /// Threat perception by crisis type.
    pub threat: Option<IndexMap<String, LParam>>,
    /// Concern by region.
    pub concern: Option<IndexMap<String, LParam>>,
    /// Affinity toward actors, groups, or `members` (every other member).
    pub affinity: Option<IndexMap<String, LParam>>,
    /// Interest weights.
    pub weights: Option<RawWeights>,
}

/// `[groups.ID]`: a bloc of members sharing values, which win over
/// `[defaults]` and lose to the member's own.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    /// Display name.
    pub name: Option<LString>,
    /// Ids of the members (or outsiders) in the group.
    pub members: Option<Located<Vec<String>>>,
    /// Region id.
    pub region: Option<LString>,
    /// Dependence on the hegemon d.
    pub dependence: Option<LParam>,
    /// Sovereignty sensitivity σ.
    pub sovereignty: Option<LParam>,
    /// Regime vulnerability v.
    pub vulnerability: Option<LParam>,
    /// Reservation level τ.
    pub reservation: Option<LParam>,
    /// Threat perception by crisis type.
    pub threat: Option<IndexMap<String, LParam>>,
    /// Concern by region.
    pub concern: Option<IndexMap<String, LParam>>,
    /// Affinity toward actors, groups, or `members`.
    pub affinity: Option<IndexMap<String, LParam>>,
    /// Interest weights.
    pub weights: Option<RawWeights>,
}

/// The values `[defaults]` and `[groups.ID]` share with a member's table:
/// taken as a member table for layering, and merged field by field.
macro_rules! member_values {
    ($ty:ty, [$($extra:ident),*]) => {
        impl $ty {
            /// The values as a member table (no name, spending or GDP), for layering.
            pub fn as_member(&self) -> RawMember {
                RawMember {
                    region: self.region.clone(),
                    dependence: self.dependence.clone(),
                    sovereignty: self.sovereignty.clone(),
                    vulnerability: self.vulnerability.clone(),
                    reservation: self.reservation.clone(),
                    threat: self.threat.clone(),
                    concern: self.concern.clone(),
                    affinity: self.affinity.clone(),
                    weights: self.weights.clone(),
                    ..RawMember::default()
                }
            }

            fn merge(&mut self, o: $ty) {
                $(take(&mut self.$extra, o.$extra);)*
                take(&mut self.region, o.region);
                take(&mut self.dependence, o.dependence);
                take(&mut self.sovereignty, o.sovereignty);
                take(&mut self.vulnerability, o.vulnerability);
                take(&mut self.reservation, o.reservation);
                merge_map(&mut self.threat, o.threat);
                merge_map(&mut self.concern, o.concern);
                merge_map(&mut self.affinity, o.affinity);
                merge_weights(&mut self.weights, o.weights);
            }
        }
    };
}

member_values!(RawMemberDefaults, []);
member_values!(RawGroup, [name, members]);

/// `[crisis]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCrisis {
    /// Display name.
    pub name: Option<LString>,
    /// Member id of the requesting state.
    pub requester: Option<LString>,
    /// Crisis type id.
    #[serde(rename = "type")]
    pub kind: Option<LString>,
    /// Region id.
    pub region: Option<LString>,
    /// Option id requested.
    pub requested: Option<LString>,
    /// Who proposed the decision when no member requested it (free text).
    pub sponsor: Option<LString>,
    /// Actor id of the adversary, if any.
    pub adversary: Option<LString>,
    /// Members that are parties to the dispute (default: the adversary, if a member).
    pub parties: Option<Located<Vec<String>>>,
    /// Severity S.
    pub severity: Option<LParam>,
    /// How domestic, I.
    pub domestic: Option<LParam>,
    /// Framing as externally driven, F.
    pub framing: Option<LParam>,
    /// Regime contagion risk, C.
    pub contagion: Option<LParam>,
    /// Legal fit with the treaty, L.
    pub legal_fit: Option<LParam>,
    /// Requesting government's legitimacy, λ.
    pub legitimacy: Option<LParam>,
    /// Credibility stake, Q.
    pub credibility: Option<LParam>,
    /// Combat risk, R.
    pub combat_risk: Option<LParam>,
}

/// One `[[options]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOption {
    /// Short id used in files and CSV.
    pub id: LString,
    /// Display name.
    pub name: Option<LString>,
    /// Effect e.
    pub effect: Option<LParam>,
    /// Troop scale t.
    pub troops: Option<LParam>,
    /// Intrusiveness s.
    pub intrusion: Option<LParam>,
}

/// `[rule]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    /// Rule name.
    pub kind: LString,
    /// Unanimity only: abstaining blocks.
    pub abstention_blocks: Option<Located<bool>>,
    /// Qualified majority only: share of members needed.
    pub threshold: Option<Located<RawNumber>>,
    /// Qualified majority only: number of yes votes needed (instead of `threshold`).
    pub votes: Option<Located<RawNumber>>,
    /// Weighted only: `military`, `economic`, `equal` or `population`.
    pub attribute: Option<LString>,
    /// Weighted only: share of the attribute needed.
    pub quota: Option<Located<RawNumber>>,
    /// Weighted only: amount of the attribute needed (instead of `quota`).
    pub amount: Option<Located<RawNumber>>,
    /// Double majority only: share of members needed.
    pub members: Option<Located<RawNumber>>,
    /// Double majority only: share of population needed.
    pub population: Option<Located<RawNumber>>,
    /// Double majority only: least number of members of a blocking minority.
    pub blocking: Option<Located<i64>>,
    /// Half-width of the abstention band β.
    pub abstention_band: Option<Located<f64>>,
    /// How a party to the dispute takes part: `vote`, `abstain` or `excluded`.
    pub party_vote: Option<LString>,
}

/// `[montecarlo]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMonteCarlo {
    /// Number of runs.
    pub runs: Option<Located<i64>>,
    /// Master seed.
    pub seed: Option<Located<i64>>,
    /// Perception noise η.
    pub noise: Option<Located<f64>>,
    /// How the noise scales: `absolute` or `relative`.
    pub noise_model: Option<LString>,
}

/// `[expected]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpected {
    /// Option id (or `no_action`) of what happened, or a list of acceptable ones.
    pub outcome: Option<Located<OneOrMany>>,
    /// Members that historically blocked the requested option.
    pub blockers: Option<Located<Vec<String>>>,
    /// Where that is documented.
    pub source: Option<LString>,
    /// In a file that includes a case: take the included `[expected]`.
    pub inherit: Option<Located<bool>>,
}

/// One id, or a list of ids.
#[derive(Debug, Clone, PartialEq)]
pub enum OneOrMany {
    /// `outcome = "statement"`
    One(String),
    /// `outcome = ["no_action", "statement"]`
    Many(Vec<String>),
}

impl OneOrMany {
    /// The ids, in the order written.
    pub fn ids(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct IdsVisitor;
        impl<'de> Visitor<'de> for IdsVisitor {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an option id in quotes, or a list of them such as [\"no_action\", \"statement\"]")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut ids = Vec::new();
                while let Some(id) = seq.next_element::<String>()? {
                    ids.push(id);
                }
                Ok(OneOrMany::Many(ids))
            }
        }
        d.deserialize_any(IdsVisitor)
    }
}

fn take<T>(base: &mut Option<T>, over: Option<T>) {
    if over.is_some() {
        *base = over;
    }
}

fn merge_map<T>(base: &mut Option<IndexMap<String, T>>, over: Option<IndexMap<String, T>>) {
    if let Some(over) = over {
        let map = base.get_or_insert_with(IndexMap::new);
        for (k, v) in over {
            map.insert(k, v);
        }
    }
}

fn merge_weights(base: &mut Option<RawWeights>, over: Option<RawWeights>) {
    if let Some(w) = over {
        let base = base.get_or_insert_with(RawWeights::default);
        take(&mut base.security, w.security);
        take(&mut base.regime, w.regime);
        take(&mut base.partner, w.partner);
        take(&mut base.credibility, w.credibility);
        take(&mut base.sovereignty, w.sovereignty);
        take(&mut base.cost, w.cost);
        take(&mut base.external, w.external);
    }
}

impl RawMember {
    /// A position inside the member's table, for messages about what it lacks.
    pub fn anchor(&self) -> Option<(usize, usize)> {
        let at = |l: &Option<LString>| l.as_ref().map(|x| (x.file, x.span.start));
        let atp = |l: &Option<LParam>| l.as_ref().map(|x| (x.file, x.span.start));
        at(&self.name)
            .or(at(&self.region))
            .or(atp(&self.military_spending))
            .or(atp(&self.gdp))
            .or(atp(&self.population))
            .or(atp(&self.sovereignty))
            .or(atp(&self.dependence))
            .or(atp(&self.vulnerability))
    }

    fn merge(&mut self, o: RawMember) {
        take(&mut self.name, o.name);
        take(&mut self.region, o.region);
        take(&mut self.military_spending, o.military_spending);
        take(&mut self.gdp, o.gdp);
        take(&mut self.population, o.population);
        take(&mut self.dependence, o.dependence);
        take(&mut self.sovereignty, o.sovereignty);
        take(&mut self.vulnerability, o.vulnerability);
        take(&mut self.reservation, o.reservation);
        merge_map(&mut self.threat, o.threat);
        merge_map(&mut self.concern, o.concern);
        merge_map(&mut self.affinity, o.affinity);
        merge_weights(&mut self.weights, o.weights);
    }

    /// Layers `o` over this member: `o`'s values win (public for defaults and groups).
    pub fn layer(&mut self, o: RawMember) {
        self.merge(o);
    }
}

impl RawFile {
    /// Layers `o` over `self`: scalar values in `o` win, maps merge key by key,
    /// members merge field by field, and `options` and `rule` are replaced whole.
    pub fn merge(&mut self, o: RawFile) {
        merge_map(&mut self.set, o.set);
        if let Some(m) = o.scenario {
            let base = self.scenario.get_or_insert_with(RawMeta::default);
            take(&mut base.name, m.name);
            take(&mut base.description, m.description);
        }
        if let Some(a) = o.alliance {
            let base = self.alliance.get_or_insert_with(RawAlliance::default);
            take(&mut base.name, a.name);
            take(&mut base.hegemon, a.hegemon);
            take(&mut base.capacity, a.capacity);
            take(&mut base.regions, a.regions);
            take(&mut base.crisis_types, a.crisis_types);
            merge_map(&mut base.outsiders, a.outsiders);
        }
        if let Some(d) = o.defaults {
            match &mut self.defaults {
                Some(base) => base.merge(d),
                None => self.defaults = Some(d),
            }
        }
        if let Some(groups) = o.groups {
            let base = self.groups.get_or_insert_with(IndexMap::new);
            for (id, g) in groups {
                match base.get_mut(&id) {
                    Some(existing) => existing.merge(g),
                    None => {
                        base.insert(id, g);
                    }
                }
            }
        }
        if let Some(members) = o.members {
            let base = self.members.get_or_insert_with(IndexMap::new);
            for (id, m) in members {
                match base.get_mut(&id) {
                    Some(existing) => existing.merge(m),
                    None => {
                        base.insert(id, m);
                    }
                }
            }
        }
        if let Some(c) = o.crisis {
            let base = self.crisis.get_or_insert_with(RawCrisis::default);
            take(&mut base.name, c.name);
            take(&mut base.requester, c.requester);
            take(&mut base.kind, c.kind);
            take(&mut base.region, c.region);
            take(&mut base.requested, c.requested);
            take(&mut base.sponsor, c.sponsor);
            take(&mut base.adversary, c.adversary);
            take(&mut base.parties, c.parties);
            take(&mut base.severity, c.severity);
            take(&mut base.domestic, c.domestic);
            take(&mut base.framing, c.framing);
            take(&mut base.contagion, c.contagion);
            take(&mut base.legal_fit, c.legal_fit);
            take(&mut base.legitimacy, c.legitimacy);
            take(&mut base.credibility, c.credibility);
            take(&mut base.combat_risk, c.combat_risk);
        }
        take(&mut self.options, o.options);
        take(&mut self.rule, o.rule);
        if let Some(mc) = o.montecarlo {
            let base = self.montecarlo.get_or_insert_with(RawMonteCarlo::default);
            take(&mut base.runs, mc.runs);
            take(&mut base.seed, mc.seed);
            take(&mut base.noise, mc.noise);
            take(&mut base.noise_model, mc.noise_model);
        }
        if let Some(e) = o.expected {
            let base = self.expected.get_or_insert_with(RawExpected::default);
            take(&mut base.outcome, e.outcome);
            take(&mut base.blockers, e.blockers);
            take(&mut base.source, e.source);
            take(&mut base.inherit, e.inherit);
        }
    }
}
