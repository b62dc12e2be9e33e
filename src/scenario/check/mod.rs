//! Checking: every rule a scenario must obey, from value ranges to references
//! between members, turning the merged raw file into a trusted `Scenario`.
//!
//! Lists of ids can be long (a hostile file may list hundreds of thousands of
//! regions), so every id is looked up through an [`Ids`] index and repeats are
//! found with a hash set: checking takes time in proportion to what is
//! written, never to the square of a list's length.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;

mod layers;
mod member;
mod options;
mod params;
mod settings;

use layers::{Layers, Names};
use member::{check_member, MemberContext};
use options::check_options;
use settings::{check_montecarlo, check_rule};

use super::error::ScenarioError;
use super::keys;
use super::limits::MAX_MEMBERS;
use super::param::Range;
use super::paths::{ParamPath, PathIndex};
use super::raw::{LParam, LString, Located, RawFile};
use super::suggest;
use super::*;

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

pub(super) struct Checker {
    sources: Vec<SourceFile>,
    /// Where each `[members.ID]` heading is last written, found on first use.
    headings: OnceCell<HashMap<(String, String), (usize, usize)>>,
}

/// A list of ids with the position of each, for lookups in constant time.
pub(super) struct Ids<'a> {
    names: Vec<&'a str>,
    index: HashMap<&'a str, usize>,
}

impl<'a> Ids<'a> {
    /// Indexes `names`; an id listed twice is found at its first position.
    pub(super) fn new(names: impl IntoIterator<Item = &'a str>) -> Ids<'a> {
        let names: Vec<&'a str> = names.into_iter().collect();
        let mut index = HashMap::with_capacity(names.len());
        for (i, n) in names.iter().enumerate() {
            index.entry(*n).or_insert(i);
        }
        Ids { names, index }
    }

    /// The position of `id`, if listed.
    pub(super) fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// Whether `id` is listed.
    pub(super) fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    /// The ids in order.
    pub(super) fn names(&self) -> &[&'a str] {
        &self.names
    }

    /// How many ids are listed.
    pub(super) fn len(&self) -> usize {
        self.names.len()
    }
}

impl Checker {
    fn new(sources: Vec<SourceFile>) -> Checker {
        Checker {
            sources,
            headings: OnceCell::new(),
        }
    }
}

pub(super) type Result<T> = std::result::Result<T, ScenarioError>;

impl Checker {
    pub(super) fn main_file(&self) -> &SourceFile {
        &self.sources[0]
    }

    /// An error at the value `loc`. The field and message are kept on one
    /// line: a control character that came from the file (a newline in a
    /// quoted key) is shown as its escape.
    pub(super) fn at<T>(
        &self,
        loc: &Located<T>,
        field: &str,
        message: impl Into<String>,
    ) -> ScenarioError {
        let source = &self.sources[loc.file];
        let (line, column) = source.line_col(loc.span.start);
        ScenarioError {
            file: source.path.clone(),
            line: Some(line),
            column: Some(column),
            field: keys::one_line(field),
            message: keys::one_line(&message.into()),
            help: None,
        }
    }

    /// An error at a byte offset of a source file.
    pub(super) fn at_offset(
        &self,
        file: usize,
        offset: usize,
        field: &str,
        message: impl Into<String>,
    ) -> ScenarioError {
        let at = Located {
            value: (),
            file,
            span: offset..offset,
        };
        self.at(&at, field, message)
    }

    /// Where the heading `[TABLE.ID]` (or `[TABLE.ID.more]`) is written, the
    /// id spelt in any way TOML allows (`[members."A\"B"]`, `[ members . 'x' ]`):
    /// the file and the offset of the id, in the last file that has it (the one
    /// that wins). Every heading of every file is found in one pass, on the
    /// first call.
    pub(super) fn heading_of(&self, table: &str, id: &str) -> Option<(usize, usize)> {
        self.headings
            .get_or_init(|| {
                let mut found = HashMap::new();
                for (f, source) in self.sources.iter().enumerate() {
                    let mut offset = 0;
                    for line in source.text.split_inclusive('\n') {
                        if let Some(path) = keys::heading(line) {
                            if path.len() >= 2 {
                                found.insert(
                                    (path[0].name.clone(), path[1].name.clone()),
                                    (f, offset + path[1].span.start),
                                );
                            }
                        }
                        offset += line.len();
                    }
                }
                found
            })
            .get(&(table.to_string(), id.to_string()))
            .copied()
    }

    /// Where `key = ...` is written at the start of a line, in the last file
    /// that has it.
    pub(super) fn key_line(&self, key: &str) -> Option<(usize, usize)> {
        let mut found = None;
        for (f, source) in self.sources.iter().enumerate() {
            let mut offset = 0;
            for line in source.text.split_inclusive('\n') {
                let trimmed = line.trim_start();
                if let Some(rest) = trimmed.strip_prefix(key) {
                    if rest.trim_start().starts_with('=') {
                        found = Some((f, offset + line.len() - trimmed.len()));
                    }
                }
                offset += line.len();
            }
        }
        found
    }

    pub(super) fn missing(
        &self,
        field: &str,
        what: &str,
        near: Option<(usize, usize)>,
    ) -> ScenarioError {
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

    pub(super) fn required<'a, T>(
        &self,
        v: &'a Option<T>,
        field: &str,
        what: &str,
        near: Option<(usize, usize)>,
    ) -> Result<&'a T> {
        v.as_ref().ok_or_else(|| self.missing(field, what, near))
    }

    /// Resolves an id against a list of names, with a suggestion on failure.
    pub(super) fn lookup(
        &self,
        id: &LString,
        names: &Ids,
        field: &str,
        kind: &str,
    ) -> Result<usize> {
        names.position(&id.value).ok_or_else(|| {
            self.at(
                id,
                field,
                format!("unknown {kind} `{}`", keys::quote(&id.value)),
            )
            .with_help(suggest::hint(&id.value, names.names().iter().copied()))
        })
    }

    /// The positions in `names` of `ids`, in the order written, reporting an
    /// unknown id (with a suggestion) or a repeated one at `list`.
    pub(super) fn id_positions<'a, T>(
        &self,
        list: &Located<T>,
        ids: impl IntoIterator<Item = &'a str>,
        names: &Ids,
        field: &str,
        kind: &str,
    ) -> Result<Vec<usize>> {
        let mut out: Vec<usize> = Vec::new();
        let mut seen = HashSet::new();
        for id in ids {
            let Some(i) = names.position(id) else {
                return Err(self
                    .at(list, field, format!("unknown {kind} `{}`", keys::quote(id)))
                    .with_help(suggest::hint(id, names.names().iter().copied())));
            };
            if !seen.insert(i) {
                return Err(self.at(
                    list,
                    field,
                    format!("`{}` is listed twice", keys::quote(id)),
                ));
            }
            out.push(i);
        }
        Ok(out)
    }

    pub(super) fn id_list(
        &self,
        list: &Option<Located<Vec<String>>>,
        field: &str,
        what: &str,
    ) -> Result<Vec<String>> {
        let list = self.required(list, field, what, None)?;
        if list.value.is_empty() {
            return Err(self.at(list, field, "the list is empty"));
        }
        let mut seen = HashSet::with_capacity(list.value.len());
        for id in &list.value {
            check_id_text(id).map_err(|m| self.at(list, field, m))?;
            if !seen.insert(id.as_str()) {
                return Err(self.at(
                    list,
                    field,
                    format!("`{}` is listed twice", keys::quote(id)),
                ));
            }
        }
        Ok(list.value.clone())
    }
}

/// Ids appear in CSV columns and on the command line: keep them plain.
pub(super) fn check_id_text(id: &str) -> std::result::Result<(), String> {
    if id.is_empty() || id.len() > 64 {
        return Err(format!(
            "id `{}` must be 1 to 64 characters long",
            keys::quote(id)
        ));
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(format!(
            "id `{}` may only contain letters, digits, `_` and `-`",
            keys::quote(id)
        ));
    }
    Ok(())
}

/// Checks a merged file into a scenario. `stem` names it when `[scenario] name` is absent.
pub(super) fn check(mut raw: RawFile, sources: Vec<SourceFile>, stem: &str) -> Result<Scenario> {
    let ck = Checker::new(sources);

    // [scenario]
    let meta = raw.scenario.take().unwrap_or_default();
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
    let region_names = Ids::new(regions.iter().map(String::as_str));
    let type_names = Ids::new(crisis_types.iter().map(String::as_str));

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
                let field = keys::join(["alliance", "outsiders", id]);
                check_id_text(id).map_err(|m| ck.at(name, &field, m))?;
                if raw_members.contains_key(id) {
                    return Err(ck.at(name, &field, format!("`{id}` is already a member id")));
                }
                Ok(Outsider {
                    id: id.clone(),
                    name: name.value.clone(),
                })
            })
            .collect::<Result<_>>()?,
        None => Vec::new(),
    };
    let member_ids = Ids::new(raw_members.keys().map(String::as_str));
    let actor_ids = Ids::new(
        member_ids
            .names()
            .iter()
            .copied()
            .chain(outsiders.iter().map(|o| o.id.as_str())),
    );

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

    let names = Names {
        members: &member_ids,
        actors: &actor_ids,
        regions: &region_names,
        types: &type_names,
    };
    let layers = Layers::check(&ck, &raw, &names)?;
    let mut members = Vec::with_capacity(raw_members.len());
    for (i, (id, m)) in raw_members.iter().enumerate() {
        check_id_text(id).map_err(|msg| {
            let field = keys::join(["members", id]);
            match ck.heading_of("members", id).or(m.anchor()) {
                Some((file, offset)) => ck.at_offset(file, offset, &field, msg),
                None => ScenarioError::file(&ck.main_file().path, field, msg),
            }
        })?;
        let effective = layers.member(&ck, id, m, &names)?;
        members.push(check_member(
            &ck,
            id,
            &effective,
            MemberContext {
                index: i,
                is_hegemon: hegemon == Some(i),
                has_hegemon: hegemon.is_some(),
                regions: &region_names,
                types: &type_names,
                actors: &actor_ids,
                crisis_type: kind,
                crisis_region,
            },
        )?);
    }

    let requester = match &crisis.requester {
        Some(q) => Some(ck.lookup(q, &member_ids, "crisis.requester", "member")?),
        None => None,
    };
    let sponsor = match (&crisis.requester, &crisis.sponsor) {
        (Some(_), Some(s)) => {
            return Err(ck.at(
                s,
                "crisis.sponsor",
                "`sponsor` describes who proposed an initiative that no member requested; this crisis has a `requester`, so remove one of the two",
            ))
        }
        (None, Some(s)) if s.value.trim().is_empty() => {
            return Err(ck.at(s, "crisis.sponsor", "the sponsor is empty; say who proposed the decision"))
        }
        (None, Some(s)) => s.value.clone(),
        (Some(_), None) => String::new(),
        (None, None) => {
            return Err(ck.missing(
                "crisis.requester",
                "`requester`, the id of the member asking for help (or, for an initiative no member requested, `sponsor`: who proposed it)",
                None,
            ))
        }
    };
    let adversary = match &crisis.adversary {
        Some(a) => {
            let i = ck.lookup(a, &actor_ids, "crisis.adversary", "actor")?;
            if Some(i) == requester {
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
    // Legitimacy scales the partner term, which needs a requester.
    let legitimacy = if requester.is_none() && crisis.legitimacy.is_none() {
        Param::Fixed(0.0)
    } else {
        cp(
            &crisis.legitimacy,
            "legitimacy",
            "`legitimacy` λ in [0, 1] of the requesting government",
        )?
    };
    let parties = match &crisis.parties {
        Some(list) => {
            let mut out = ck.id_positions(
                list,
                list.value.iter().map(String::as_str),
                &member_ids,
                "crisis.parties",
                "member",
            )?;
            out.sort_unstable();
            out
        }
        None => match adversary {
            Some(Actor::Member(x)) => vec![x],
            _ => Vec::new(),
        },
    };
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

    let options = check_options(&ck, &raw.options)?;
    let option_ids = Ids::new(options.iter().map(|o| o.id.as_str()));
    let requestable = Ids::new(options[1..].iter().map(|o| o.id.as_str()));
    let requested_id = ck.required(
        &crisis.requested,
        "crisis.requested",
        "`requested`, the id of the option the requester asked for",
        None,
    )?;
    if requested_id.value == NO_ACTION {
        return Err(ck.at(
            requested_id,
            "crisis.requested",
            format!("`{NO_ACTION}` cannot be requested: it is what happens when nothing passes; name one of the options"),
        ));
    }
    let requested = ck.lookup(requested_id, &requestable, "crisis.requested", "option")? + 1;

    let (rule, abstention_band, party_vote) = check_rule(&ck, &raw.rule, hegemon, members.len())?;

    let montecarlo = check_montecarlo(&ck, &raw.montecarlo.unwrap_or_default())?;

    // [expected]
    let expected = match &raw.expected {
        Some(e) => {
            let outcome = ck.required(
                &e.outcome,
                "expected.outcome",
                "`outcome`, the id of the option adopted in history (or `no_action`), or a list of acceptable ones",
                None,
            )?;
            let ids = outcome.value.ids();
            if ids.is_empty() {
                return Err(ck.at(
                    outcome,
                    "expected.outcome",
                    "the list is empty; name at least one option",
                ));
            }
            let mut levels =
                ck.id_positions(outcome, ids, &option_ids, "expected.outcome", "option")?;
            levels.sort_unstable();
            let blockers = match &e.blockers {
                Some(list) => {
                    let set = ck
                        .id_positions(
                            list,
                            list.value.iter().map(String::as_str),
                            &member_ids,
                            "expected.blockers",
                            "member",
                        )?
                        .iter()
                        .fold(0u64, |set, i| set | (1u64 << i));
                    if set == 0 {
                        return Err(ck.at(list, "expected.blockers", "the list is empty; leave `blockers` out if no member is known to have blocked"));
                    }
                    if levels.contains(&requested) {
                        return Err(ck.at(list, "expected.blockers", "blockers are the members who stopped the requested option, but the expected outcome includes it; remove `blockers` or the requested option from `outcome`"));
                    }
                    Some(set)
                }
                None => None,
            };
            Some(Expected {
                levels,
                blockers,
                source: e
                    .source
                    .as_ref()
                    .map(|s| s.value.clone())
                    .unwrap_or_default(),
            })
        }
        None => None,
    };

    let mut scenario = Scenario {
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
            sponsor,
            parties,
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
        party_vote,
        montecarlo,
        expected,
        sources: ck.sources,
    };
    // The sources move into the scenario; borrow them back for positions.
    let ck = Checker::new(std::mem::take(&mut scenario.sources));
    apply_set(&ck, &raw.set, &mut scenario)?;
    scenario.sources = ck.sources;
    if let Some(e) = scenario.rule_problem(&scenario.rule) {
        return Err(e);
    }
    Ok(scenario)
}

/// Applies `[set]`: each parameter path, in file order, to its value, after
/// every other table has been checked, so that a file included last (such as
/// the `calibrated.toml` that `calibrate` writes) can impose values.
fn apply_set(
    ck: &Checker,
    set: &Option<IndexMap<String, Located<f64>>>,
    scenario: &mut Scenario,
) -> Result<()> {
    // Setting values changes no id, so one index serves every path.
    let index = PathIndex::new();
    for (path, value) in set.iter().flatten() {
        let field = format!("set.{}", keys::quoted(path));
        let checked = ParamPath::parse_indexed(scenario, path, &index)
            .map_err(|e| ck.at(value, &field, e.message).with_help(e.help))?;
        checked
            .set(scenario, value.value)
            .map_err(|e| ck.at(value, &field, e.message).with_help(e.help))?;
    }
    Ok(())
}
