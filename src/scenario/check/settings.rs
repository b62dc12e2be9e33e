//! Checking `[rule]` and `[montecarlo]`.

use super::{defaults, Checker, Result};
use crate::model::rule::{Attribute, RULE_NAMES};
use crate::model::{DecisionRule, PartyVote};
use crate::scenario::limits::MAX_RUNS;
use crate::scenario::raw::Located;
use crate::scenario::raw::{RawMonteCarlo, RawRule};
use crate::scenario::suggest;
use crate::scenario::{MonteCarlo, NoiseModel};
use crate::text::num;

/// The decision rule, the abstention band and how parties to the dispute vote.
pub(super) fn check_rule(
    ck: &Checker,
    raw_rule: &Option<RawRule>,
    hegemon: Option<usize>,
) -> Result<(DecisionRule, f64, PartyVote)> {
    let party_vote = match raw_rule.as_ref().and_then(|r| r.party_vote.as_ref()) {
        Some(p) => PartyVote::from_name(&p.value).ok_or_else(|| {
            ck.at(
                p,
                "rule.party_vote",
                format!(
                    "unknown party vote `{}`: expected `vote`, `abstain` or `excluded`",
                    p.value
                ),
            )
            .with_help(suggest::hint(&p.value, PartyVote::NAMES.iter().copied()))
        })?,
        None => PartyVote::default(),
    };
    let (rule, band) = match raw_rule {
        Some(rr) => {
            locate_rule_keys(ck, rr)?;
            let rule = DecisionRule::from_parts(
                &rr.kind.value,
                rr.abstention_blocks.as_ref().map(|x| x.value),
                rr.threshold.as_ref().map(|x| x.value),
                rr.attribute.as_ref().map(|x| x.value.as_str()),
                rr.quota.as_ref().map(|x| x.value),
            )
            .map_err(|e| ck.at(&rr.kind, "rule.kind", e.message).with_help(e.help))?;
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
                        format!("expected a number in [0, 1], found {}", num(b.value)),
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
    Ok((rule, band, party_vote))
}

/// Checks each rule parameter where it is written, so that a message points
/// at the offending key rather than at `kind`.
fn locate_rule_keys(ck: &Checker, rr: &RawRule) -> Result<()> {
    let kind = rr.kind.value.as_str();
    if !RULE_NAMES.contains(&kind) {
        return Ok(()); // reported at `kind` with a suggestion
    }
    let applies = |key: &str| match key {
        "abstention_blocks" => kind == "unanimity",
        "threshold" => kind == "qualified_majority",
        _ => kind == "weighted",
    };
    let not_for = |key: &str| format!("`{key}` does not apply to the `{kind}` rule; remove it");
    let share = |x: &Located<f64>, key: &str, what: &str| {
        if applies(key) && !(x.value.is_finite() && x.value > 0.0 && x.value <= 1.0) {
            return Err(ck.at(
                x,
                &format!("rule.{key}"),
                format!(
                    "the {what} must be a number in (0, 1], found {}",
                    num(x.value)
                ),
            ));
        }
        Ok(())
    };
    if let Some(x) = &rr.abstention_blocks {
        if !applies("abstention_blocks") {
            return Err(ck.at(x, "rule.abstention_blocks", not_for("abstention_blocks")));
        }
    }
    for (x, key, what) in [
        (
            &rr.threshold,
            "threshold",
            "share of members that must vote yes",
        ),
        (
            &rr.quota,
            "quota",
            "share of the attribute that must vote yes",
        ),
    ] {
        if let Some(x) = x {
            if !applies(key) {
                return Err(ck.at(x, &format!("rule.{key}"), not_for(key)));
            }
            share(x, key, what)?;
        }
    }
    if let Some(a) = &rr.attribute {
        if !applies("attribute") {
            return Err(ck.at(a, "rule.attribute", not_for("attribute")));
        }
        let names = Attribute::ALL.map(|x| x.name());
        if !names.contains(&a.value.as_str()) {
            return Err(ck
                .at(
                    a,
                    "rule.attribute",
                    format!("unknown attribute `{}`", a.value),
                )
                .with_help(suggest::hint(&a.value, names)));
        }
    }
    Ok(())
}

/// Runs, seed, perception noise and how the noise scales.
pub(super) fn check_montecarlo(ck: &Checker, mc: &RawMonteCarlo) -> Result<MonteCarlo> {
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
                format!("expected a number in [0, 10], found {}", num(n.value)),
            ))
        }
        Some(n) => n.value,
        None => defaults::NOISE,
    };
    let noise_model = match &mc.noise_model {
        Some(m) => m.value.parse::<NoiseModel>().map_err(|e| {
            ck.at(m, "montecarlo.noise_model", e.to_string())
                .with_help(e.help)
        })?,
        None => NoiseModel::default(),
    };
    Ok(MonteCarlo {
        runs,
        seed,
        noise,
        noise_model,
    })
}
