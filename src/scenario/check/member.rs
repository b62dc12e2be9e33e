//! Checking one `[members.ID]` table against the alliance's regions, crisis
//! types and actors.

use indexmap::IndexMap;

use super::{defaults, Checker, Ids, Result};
use crate::scenario::raw::{LParam, RawMember};
use crate::scenario::{keys, suggest, Member, Param, Range, Weights};

pub(super) struct MemberContext<'a> {
    pub(super) index: usize,
    pub(super) is_hegemon: bool,
    pub(super) has_hegemon: bool,
    pub(super) regions: &'a Ids<'a>,
    pub(super) types: &'a Ids<'a>,
    pub(super) actors: &'a Ids<'a>,
    pub(super) crisis_type: usize,
    pub(super) crisis_region: usize,
}

pub(super) fn check_member(
    ck: &Checker,
    id: &str,
    raw: &RawMember,
    cx: MemberContext,
) -> Result<Member> {
    let near = ck.heading_of("members", id).or(raw.anchor());
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
                 names: &Ids,
                 kind: &str,
                 range: Range|
     -> Result<Vec<Option<Param>>> {
        let mut out = vec![None; names.len()];
        if let Some(map) = map {
            for (k, lp) in map {
                let field = format!("members.{id}.{key}.{}", keys::quote(k));
                let Some(i) = names.position(k) else {
                    return Err(ck
                        .at(lp, &field, format!("unknown {kind} `{}`", keys::quote(k)))
                        .with_help(suggest::hint(k, names.names().iter().copied())));
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
            &f(&format!("threat.{}", cx.types.names()[cx.crisis_type])),
            &format!(
                "the member's threat perception for this crisis type (`{}`), in [0, 1]",
                cx.types.names()[cx.crisis_type]
            ),
            near,
        )
        .with_help(Some(format!(
            "give it in the member's `threat` table, or for every member at once in `[defaults]` threat = {{ {} = ... }}",
            cx.types.names()[cx.crisis_type]
        ))));
    }
    if concern[cx.crisis_region].is_none() {
        return Err(ck.missing(
            &f(&format!("concern.{}", cx.regions.names()[cx.crisis_region])),
            &format!(
                "the member's concern for the crisis region (`{}`), in [0, 1]",
                cx.regions.names()[cx.crisis_region]
            ),
            near,
        )
        .with_help(Some(format!(
            "give it in the member's `concern` table, or for every member at once in `[defaults]` concern = {{ {} = ... }}",
            cx.regions.names()[cx.crisis_region]
        ))));
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
    // Dependence has no effect for the hegemon, nor in an alliance without
    // one; it may then be left out.
    let dependence = if (cx.is_hegemon || !cx.has_hegemon) && raw.dependence.is_none() {
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
        population: raw
            .population
            .as_ref()
            .map(|p| ck.param(p, &f("population"), Range::POPULATION))
            .transpose()?,
        origin: near,
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
