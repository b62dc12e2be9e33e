//! Member defaults and groups: checking `[defaults]` and `[groups.ID]`, and
//! layering them under each member's own table (defaults, then each group
//! that lists the member in declared order, then the member's own values).
//! Affinity keys may name a group (every member of it) or `members` (every
//! other member); they are expanded to actor ids here, so the member check
//! and the model only ever see actors.
//!
//! A member's affinities are resolved in one pass over its layers from the
//! one that wins down, each actor taking the first value that covers it and
//! each group's list walked at most once per member, so that the work grows
//! with what the file says, not with groups times actors.

use indexmap::IndexMap;

use super::{check_id_text, Checker, Ids, Result};
use crate::scenario::param::Range;
use crate::scenario::raw::{LParam, RawFile, RawMember, RawWeights};
use crate::scenario::{keys, suggest, ScenarioError};

/// The affinity key that means "every other member".
pub(super) const ALL_MEMBERS: &str = "members";

/// A checked group: its members (positions among the actors) and its values.
struct Group {
    actors: Vec<usize>,
    values: RawMember,
}

/// The checked `[defaults]` and `[groups]` of a scenario.
pub(super) struct Layers<'a> {
    defaults: Option<RawMember>,
    groups: Vec<Group>,
    /// The group ids, in declared order.
    group_ids: Ids<'a>,
    /// For each actor (by position), the groups that list it, ascending.
    groups_of: Vec<Vec<usize>>,
}

/// The ids a scenario's tables may refer to.
pub(super) struct Names<'a> {
    pub(super) members: &'a Ids<'a>,
    pub(super) actors: &'a Ids<'a>,
    pub(super) regions: &'a Ids<'a>,
    pub(super) types: &'a Ids<'a>,
}

impl<'a> Layers<'a> {
    /// Checks `[defaults]` and every `[groups.ID]` of `raw`.
    pub(super) fn check(ck: &Checker, raw: &'a RawFile, names: &Names) -> Result<Layers<'a>> {
        let mut groups = Vec::new();
        let group_ids = Ids::new(raw.groups.iter().flat_map(|g| g.keys().map(String::as_str)));
        let mut groups_of = vec![Vec::new(); names.actors.len()];
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
                if names.actors.contains(id) {
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
                let positions = ck.id_positions(
                    list,
                    list.value.iter().map(String::as_str),
                    names.actors,
                    &format!("{field}.members"),
                    "member",
                )?;
                for &a in &positions {
                    groups_of[a].push(groups.len());
                }
                let actors: Vec<usize> = positions;
                check_values(ck, &field, &values, names, &group_ids)?;
                groups.push(Group { actors, values });
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
        Ok(Layers {
            defaults,
            groups,
            group_ids,
            groups_of,
        })
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
        if let Some(table) = &own.affinity {
            for (k, lp) in table {
                if !is_affinity_key(k, names, &self.group_ids) {
                    return Err(unknown_affinity_key(
                        ck,
                        lp,
                        &format!("members.{id}.affinity.{}", keys::quote(k)),
                        k,
                        names,
                        &self.group_ids,
                    ));
                }
            }
        }
        let me = names.actors.position(id);
        // The member's groups, in declared order.
        let mine: &[usize] = me.map_or(&[], |i| &self.groups_of[i]);
        let mut out = RawMember::default();
        let without_affinity = |m: &RawMember| RawMember {
            affinity: None,
            ..m.clone()
        };
        if let Some(d) = &self.defaults {
            out.layer(without_affinity(d));
        }
        for &g in mine {
            out.layer(without_affinity(&self.groups[g].values));
        }
        out.layer(without_affinity(own));
        // Affinity tables from the one that wins down: own, the member's
        // groups from the last declared, then the defaults.
        let mut tables: Vec<(Option<&IndexMap<String, LParam>>, bool)> =
            vec![(own.affinity.as_ref(), true)];
        tables.extend(
            mine.iter()
                .rev()
                .map(|&g| (self.groups[g].values.affinity.as_ref(), false)),
        );
        tables.push((
            self.defaults.as_ref().and_then(|d| d.affinity.as_ref()),
            false,
        ));
        out.affinity = self.resolve(&tables, me, names);
        Ok(out)
    }

    /// The affinity of the member at position `me` among the actors from
    /// `tables` (each with whether it is the member's own), highest priority
    /// first. For each actor the first table that covers it wins; within a
    /// table the exact id wins, then the last declared group that contains
    /// it, then `members`. The member's affinity toward itself is kept only
    /// from its own table, where the member check reports it. `None` when no
    /// layer has an affinity table.
    fn resolve(
        &self,
        tables: &[(Option<&IndexMap<String, LParam>>, bool)],
        me: Option<usize>,
        names: &Names,
    ) -> Option<IndexMap<String, LParam>> {
        if tables.iter().all(|(t, _)| t.is_none()) {
            return None;
        }
        let mut value: Vec<Option<&LParam>> = vec![None; names.actors.len()];
        // A group (or `members`) once walked has given every actor it covers
        // a value, so walking it again could change nothing.
        let mut walked = vec![false; self.groups.len()];
        let mut members_walked = false;
        for (table, own) in tables {
            let Some(table) = table else { continue };
            let mut group_keys: Vec<(usize, &LParam)> = Vec::new();
            let mut all_members = None;
            for (k, lp) in table.iter() {
                if let Some(a) = names.actors.position(k) {
                    if (Some(a) != me || *own) && value[a].is_none() {
                        value[a] = Some(lp);
                    }
                } else if let Some(g) = self.group_ids.position(k) {
                    group_keys.push((g, lp));
                } else if k == ALL_MEMBERS {
                    all_members = Some(lp);
                }
            }
            group_keys.sort_by_key(|&(g, _)| std::cmp::Reverse(g));
            for (g, lp) in group_keys {
                if std::mem::replace(&mut walked[g], true) {
                    continue;
                }
                for &a in &self.groups[g].actors {
                    if Some(a) != me && value[a].is_none() {
                        value[a] = Some(lp);
                    }
                }
            }
            if let Some(lp) = all_members {
                if !std::mem::replace(&mut members_walked, true) {
                    let members = value.iter_mut().take(names.members.len());
                    for (a, v) in members.enumerate() {
                        if Some(a) != me && v.is_none() {
                            *v = Some(lp);
                        }
                    }
                }
            }
        }
        Some(
            value
                .into_iter()
                .enumerate()
                .filter_map(|(a, v)| v.map(|lp| (names.actors.names()[a].to_string(), lp.clone())))
                .collect(),
        )
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

fn is_affinity_key(k: &str, names: &Names, groups: &Ids) -> bool {
    k == ALL_MEMBERS || names.actors.contains(k) || groups.contains(k)
}

fn unknown_affinity_key(
    ck: &Checker,
    at: &LParam,
    field: &str,
    k: &str,
    names: &Names,
    groups: &Ids,
) -> crate::scenario::ScenarioError {
    let known = names
        .actors
        .names()
        .iter()
        .chain(groups.names())
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
fn check_values<'n>(
    ck: &Checker,
    field: &str,
    v: &RawMember,
    names: &Names<'n>,
    groups: &Ids<'n>,
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
    // The known names are listed only for a message, so gathered only then.
    let keyed = |map: &Option<IndexMap<String, LParam>>,
                 key: &str,
                 valid: &dyn Fn(&str) -> bool,
                 known: &dyn Fn() -> Vec<&'n str>,
                 kind: &str,
                 range: Range|
     -> Result<()> {
        for (k, lp) in map.iter().flatten() {
            let f = format!("{field}.{key}.{}", keys::quote(k));
            if !valid(k) {
                return Err(ck
                    .at(lp, &f, format!("unknown {kind} `{}`", keys::quote(k)))
                    .with_help(suggest::hint(k, known())));
            }
            ck.param(lp, &f, range)?;
        }
        Ok(())
    };
    keyed(
        &v.threat,
        "threat",
        &|k| names.types.contains(k),
        &|| names.types.names().to_vec(),
        "crisis type",
        Range::UNIT,
    )?;
    keyed(
        &v.concern,
        "concern",
        &|k| names.regions.contains(k),
        &|| names.regions.names().to_vec(),
        "region",
        Range::UNIT,
    )?;
    keyed(
        &v.affinity,
        "affinity",
        &|k| is_affinity_key(k, names, groups),
        &|| {
            names
                .actors
                .names()
                .iter()
                .chain(groups.names())
                .copied()
                .chain(std::iter::once(ALL_MEMBERS))
                .collect()
        },
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
