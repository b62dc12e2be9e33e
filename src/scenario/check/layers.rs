//! Member defaults and groups: checking `[defaults]` and `[groups.ID]`, and
//! layering them under each member's own table (defaults, then each group
//! that lists the member in declared order, then the member's own values).
//! Affinity keys may name a group (every member of it) or `members` (every
//! other member); they are expanded to actor ids here, so the member check
//! and the model only ever see actors.

use indexmap::IndexMap;

use super::{check_id_text, Checker, Result};
use crate::scenario::param::Range;
use crate::scenario::raw::{LParam, RawFile, RawMember, RawWeights};
use crate::scenario::{keys, suggest, ScenarioError};

/// The affinity key that means "every other member".
pub(super) const ALL_MEMBERS: &str = "members";

/// A checked group: its id, its members (actor ids) and its values.
struct Group {
    id: String,
    actors: Vec<String>,
    values: RawMember,
}

/// The checked `[defaults]` and `[groups]` of a scenario.
pub(super) struct Layers {
    defaults: Option<RawMember>,
    groups: Vec<Group>,
}

/// The ids a scenario's tables may refer to.
pub(super) struct Names<'a> {
    pub(super) members: &'a [&'a str],
    pub(super) actors: &'a [&'a str],
    pub(super) regions: &'a [&'a str],
    pub(super) types: &'a [&'a str],
}

impl Layers {
    /// Checks `[defaults]` and every `[groups.ID]` of `raw`.
    pub(super) fn check(ck: &Checker, raw: &RawFile, names: &Names) -> Result<Layers> {
        let mut groups = Vec::new();
        let group_ids: Vec<&str> = raw
            .groups
            .as_ref()
            .map(|g| g.keys().map(String::as_str).collect())
            .unwrap_or_default();
        if let Some(raw_groups) = &raw.groups {
            for (id, g) in raw_groups {
                let field = keys::join(["groups", id]);
                let values = g.as_member();
                let anchor = g
                    .members
                    .as_ref()
                    .map(|m| (m.file, m.span.start))
                    .or(values.anchor_any());
                // A problem with the id is shown at the heading that names it.
                let at = |msg: String| match ck.heading_of("groups", id).or(anchor) {
                    Some((file, offset)) => ck.at_offset(file, offset, &field, msg),
                    None => ScenarioError::file(&ck.main_file().path, &field, msg),
                };
                check_id_text(id).map_err(at)?;
                if names.actors.contains(&id.as_str()) {
                    return Err(at(format!(
                        "`{id}` is already a member or outsider id; give the group another id"
                    )));
                }
                if id == ALL_MEMBERS {
                    return Err(at(format!(
                        "`{ALL_MEMBERS}` is reserved: as an affinity key it means every other member"
                    )));
                }
                let list = ck.required(
                    &g.members,
                    &format!("{field}.members"),
                    "`members`, the list of the group's member ids",
                    anchor,
                )?;
                let actors: Vec<String> = ck
                    .id_positions(
                        list,
                        list.value.iter().map(String::as_str),
                        names.actors,
                        &format!("{field}.members"),
                        "member",
                    )?
                    .into_iter()
                    .map(|i| names.actors[i].to_string())
                    .collect();
                check_values(ck, &field, &values, names, &group_ids)?;
                groups.push(Group {
                    id: id.clone(),
                    actors,
                    values,
                });
            }
        }
        let defaults = match &raw.defaults {
            Some(d) => {
                let values = d.as_member();
                check_values(ck, "defaults", &values, names, &group_ids)?;
                Some(values)
            }
            None => None,
        };
        Ok(Layers { defaults, groups })
    }

    /// Member `id`'s table with defaults and groups layered under its own
    /// values, affinity keys expanded to actor ids.
    pub(super) fn member(
        &self,
        ck: &Checker,
        id: &str,
        own: &RawMember,
        names: &Names,
    ) -> Result<RawMember> {
        let mut out = RawMember::default();
        if let Some(d) = &self.defaults {
            let mut layer = d.clone();
            layer.affinity = self.expand(d.affinity.as_ref(), id, names, false);
            out.layer(layer);
        }
        for g in self
            .groups
            .iter()
            .filter(|g| g.actors.iter().any(|a| a == id))
        {
            let mut layer = g.values.clone();
            layer.affinity = self.expand(g.values.affinity.as_ref(), id, names, false);
            out.layer(layer);
        }
        if let Some(table) = &own.affinity {
            let group_ids: Vec<&str> = self.groups.iter().map(|g| g.id.as_str()).collect();
            for (k, lp) in table {
                if !is_affinity_key(k, names, &group_ids) {
                    return Err(unknown_affinity_key(
                        ck,
                        lp,
                        &format!("members.{id}.affinity.{}", keys::quote(k)),
                        k,
                        names,
                        &group_ids,
                    ));
                }
            }
        }
        let mut layer = own.clone();
        layer.affinity = self.expand(own.affinity.as_ref(), id, names, true);
        out.layer(layer);
        Ok(out)
    }

    /// A layer's affinity table with group keys and `members` expanded to
    /// every actor they cover. For each actor the exact id wins, then the last
    /// declared group that contains it, then `members`. The member's own
    /// affinity toward itself is kept only from its own table (`own`), where
    /// the member check reports it.
    fn expand(
        &self,
        table: Option<&IndexMap<String, LParam>>,
        id: &str,
        names: &Names,
        own: bool,
    ) -> Option<IndexMap<String, LParam>> {
        let table = table?;
        let mut out = IndexMap::new();
        for (j, actor) in names.actors.iter().enumerate() {
            if *actor == id {
                if own {
                    if let Some(v) = table.get(*actor) {
                        out.insert(actor.to_string(), v.clone());
                    }
                }
                continue;
            }
            let value = table.get(*actor).or_else(|| {
                self.groups
                    .iter()
                    .rev()
                    .filter(|g| g.actors.iter().any(|a| a == actor))
                    .find_map(|g| table.get(&g.id))
                    .or_else(|| {
                        (j < names.members.len())
                            .then(|| table.get(ALL_MEMBERS))
                            .flatten()
                    })
            });
            if let Some(v) = value {
                out.insert(actor.to_string(), v.clone());
            }
        }
        Some(out)
    }
}

impl RawMember {
    /// Any position inside the table, for messages.
    fn anchor_any(&self) -> Option<(usize, usize)> {
        let first = |m: &Option<IndexMap<String, LParam>>| {
            m.as_ref()
                .and_then(|m| m.values().next())
                .map(|l| (l.file, l.span.start))
        };
        self.anchor()
            .or(self.reservation.as_ref().map(|l| (l.file, l.span.start)))
            .or(first(&self.threat))
            .or(first(&self.concern))
            .or(first(&self.affinity))
    }
}

fn is_affinity_key(k: &str, names: &Names, groups: &[&str]) -> bool {
    k == ALL_MEMBERS || names.actors.contains(&k) || groups.contains(&k)
}

fn unknown_affinity_key(
    ck: &Checker,
    at: &LParam,
    field: &str,
    k: &str,
    names: &Names,
    groups: &[&str],
) -> crate::scenario::ScenarioError {
    let known = names
        .actors
        .iter()
        .chain(groups)
        .copied()
        .chain(std::iter::once(ALL_MEMBERS));
    ck.at(
        at,
        field,
        format!("unknown actor or group `{}`", keys::quote(k)),
    )
    .with_help(suggest::hint(k, known))
}

/// Checks the values of `[defaults]` or a group where they are written, so
/// that a message names `defaults.…` or `groups.ID.…`.
fn check_values(
    ck: &Checker,
    field: &str,
    v: &RawMember,
    names: &Names,
    groups: &[&str],
) -> Result<()> {
    if let Some(r) = &v.region {
        ck.lookup(r, names.regions, &format!("{field}.region"), "region")?;
    }
    for (key, p) in [
        ("dependence", &v.dependence),
        ("sovereignty", &v.sovereignty),
        ("vulnerability", &v.vulnerability),
    ] {
        if let Some(p) = p {
            ck.param(p, &format!("{field}.{key}"), Range::UNIT)?;
        }
    }
    if let Some(p) = &v.reservation {
        ck.param(p, &format!("{field}.reservation"), Range::RESERVATION)?;
    }
    let keyed = |map: &Option<IndexMap<String, LParam>>,
                 key: &str,
                 valid: &dyn Fn(&str) -> bool,
                 known: Vec<&str>,
                 kind: &str,
                 range: Range|
     -> Result<()> {
        for (k, lp) in map.iter().flatten() {
            let f = format!("{field}.{key}.{}", keys::quote(k));
            if !valid(k) {
                return Err(ck
                    .at(lp, &f, format!("unknown {kind} `{}`", keys::quote(k)))
                    .with_help(suggest::hint(k, known.iter().copied())));
            }
            ck.param(lp, &f, range)?;
        }
        Ok(())
    };
    keyed(
        &v.threat,
        "threat",
        &|k| names.types.contains(&k),
        names.types.to_vec(),
        "crisis type",
        Range::UNIT,
    )?;
    keyed(
        &v.concern,
        "concern",
        &|k| names.regions.contains(&k),
        names.regions.to_vec(),
        "region",
        Range::UNIT,
    )?;
    let known: Vec<&str> = names
        .actors
        .iter()
        .chain(groups)
        .copied()
        .chain(std::iter::once(ALL_MEMBERS))
        .collect();
    keyed(
        &v.affinity,
        "affinity",
        &|k| is_affinity_key(k, names, groups),
        known,
        "actor or group",
        Range::SIGNED_UNIT,
    )?;
    if let Some(w) = &v.weights {
        check_weights(ck, field, w)?;
    }
    Ok(())
}

fn check_weights(ck: &Checker, field: &str, w: &RawWeights) -> Result<()> {
    for (key, p) in [
        ("security", &w.security),
        ("regime", &w.regime),
        ("partner", &w.partner),
        ("credibility", &w.credibility),
        ("sovereignty", &w.sovereignty),
        ("cost", &w.cost),
        ("external", &w.external),
    ] {
        if let Some(p) = p {
            ck.param(p, &format!("{field}.weights.{key}"), Range::WEIGHT)?;
        }
    }
    Ok(())
}
