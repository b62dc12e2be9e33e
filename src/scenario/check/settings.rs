//! Checking `[rule]` and `[montecarlo]`.

use super::{defaults, Checker, Result};
use crate::model::rule::parse::{
    check_amount, check_blocking, check_share, check_votes, is_rule_name, keys_of, What, AMOUNT,
    MEMBERS, POPULATION, QUOTA, THRESHOLD, VOTES,
};
use crate::model::rule::{Attribute, RuleParts};
use crate::model::Ratio;
use crate::model::{DecisionRule, PartyVote};
use crate::scenario::limits::MAX_RUNS;
use crate::scenario::raw::Located;
use crate::scenario::raw::{RawMonteCarlo, RawNumber, RawRule};
use crate::scenario::suggest;
use crate::scenario::{MonteCarlo, NoiseModel};
use crate::text::num;

/// The decision rule, the abstention band and how parties to the dispute
/// vote. `members` is the number of members, which a number of yes votes
/// may not exceed.
pub(super) fn check_rule(
    ck: &Checker,
    raw_rule: &Option<RawRule>,
    hegemon: Option<usize>,
    members: usize,
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
            let parts = locate_rule_keys(ck, rr, members)?;
            let rule = DecisionRule::from_parts(&rr.kind.value, &parts)
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

/// The exact number `x` stands for, or a message saying why it is none.
fn exact(x: &RawNumber) -> std::result::Result<Ratio, String> {
    let expected =
        "write a decimal such as 0.67, a whole number, or a fraction in quotes such as \"2/3\"";
    match x {
        RawNumber::Float(f) => Ratio::from_f64(*f).ok_or_else(|| {
            format!(
                "{} is not an exact non-negative number of at most 18 decimal places; {expected}",
                num(*f)
            )
        }),
        RawNumber::Int(i) => u64::try_from(*i)
            .map(Ratio::whole)
            .map_err(|_| format!("{i} is not a non-negative whole number below 2^64; {expected}")),
        RawNumber::Text(t) => t.parse::<Ratio>().map_err(|e| e.to_string()),
    }
}

/// Checks each rule parameter where it is written, so that a message points
/// at the offending key rather than at `kind`, and returns them for
/// [`DecisionRule::from_parts`].
fn locate_rule_keys<'r>(ck: &Checker, rr: &'r RawRule, members: usize) -> Result<RuleParts<'r>> {
    let kind = rr.kind.value.as_str();
    let mut parts = RuleParts::default();
    if !is_rule_name(kind) {
        return Ok(parts); // reported at `kind` with a suggestion
    }
    let takes = keys_of(kind);
    let not_for = |key: &str| format!("`{key}` does not apply to the `{kind}` rule; remove it");
    let applies = |key: &str, at: &dyn Fn(String) -> crate::scenario::ScenarioError| {
        if takes.contains(&key) {
            Ok(())
        } else {
            Err(at(not_for(key)))
        }
    };
    if let Some(x) = &rr.abstention_blocks {
        applies("abstention_blocks", &|m| {
            ck.at(x, "rule.abstention_blocks", m).with_help(Some(
                "`consensus` lets an abstention through; `strict_unanimity` counts it as a no"
                    .to_string(),
            ))
        })?;
        parts.abstention_blocks = Some(x.value);
    }
    // Each exact number: where it is written, what it is, and how it is checked.
    type Check = fn(Ratio) -> std::result::Result<Ratio, String>;
    let numbers: [(&Option<Located<RawNumber>>, &What, Check); 6] = [
        (&rr.threshold, &THRESHOLD, |r| {
            check_share(r, &THRESHOLD, Some(&VOTES))
        }),
        (&rr.votes, &VOTES, check_votes),
        (&rr.quota, &QUOTA, |r| check_share(r, &QUOTA, Some(&AMOUNT))),
        (&rr.amount, &AMOUNT, check_amount),
        (&rr.members, &MEMBERS, |r| check_share(r, &MEMBERS, None)),
        (&rr.population, &POPULATION, |r| {
            check_share(r, &POPULATION, None)
        }),
    ];
    for (x, what, check) in numbers {
        let Some(x) = x else { continue };
        let field = format!("rule.{}", what.key);
        let at = |m: String| ck.at(x, &field, m);
        applies(what.key, &at)?;
        let r = exact(&x.value).and_then(check).map_err(at)?;
        if what.key == VOTES.key && r > Ratio::whole(members as u64) {
            return Err(at(format!(
                "{r} yes votes asked of an alliance of {members} members; at most {members}"
            )));
        }
        let slot = match what.key {
            "threshold" => &mut parts.threshold,
            "votes" => &mut parts.votes,
            "quota" => &mut parts.quota,
            "amount" => &mut parts.amount,
            "members" => &mut parts.members,
            _ => &mut parts.population,
        };
        *slot = Some(r);
    }
    if let Some(b) = &rr.blocking {
        let at = |m: String| ck.at(b, "rule.blocking", m);
        applies("blocking", &at)?;
        parts.blocking = Some(i64::from(check_blocking(b.value).map_err(at)?));
    }
    if let Some(a) = &rr.attribute {
        applies("attribute", &|m| ck.at(a, "rule.attribute", m))?;
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
        parts.attribute = Some(a.value.as_str());
    }
    Ok(parts)
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::model::{DecisionRule, Quota, Ratio};
    use crate::scenario::load_str;

    /// Kazakhstan 2022 with `extra` appended (a `[rule]` table, a member's
    /// population).
    fn with(extra: &str) -> Result<crate::scenario::Scenario, crate::scenario::ScenarioError> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = format!("include = [\"scenarios/kazakhstan_2022.toml\"]\n{extra}");
        load_str(&text, &root.join("case.toml"))
    }

    fn rule(table: &str) -> DecisionRule {
        with(&format!("[rule]\n{table}\n")).unwrap().rule
    }

    #[test]
    fn quotas_are_read_as_written() {
        let r = |s: &str| s.parse::<Ratio>().unwrap();
        assert_eq!(
            rule("kind = \"qualified_majority\"\nthreshold = \"2/3\""),
            DecisionRule::qualified_majority(r("2/3"))
        );
        assert_eq!(
            rule("kind = \"qualified_majority\"\nthreshold = 0.67").to_string(),
            "qualified_majority:0.67"
        );
        assert_eq!(
            rule("kind = \"qualified_majority\"\nthreshold = 1").to_string(),
            "qualified_majority:1"
        );
        assert_eq!(
            rule("kind = \"qualified_majority\"\nvotes = 4"),
            DecisionRule::QualifiedMajority {
                threshold: Quota::Absolute(r("4"))
            }
        );
        assert_eq!(
            rule("kind = \"weighted\"\nattribute = \"military\"\namount = 39.5").to_string(),
            "weighted:military:amount:39.5"
        );
        assert_eq!(
            rule("kind = \"weighted\"\nattribute = \"economic\"\nquota = \"39/45\"").to_string(),
            "weighted:economic:39/45"
        );
    }

    #[test]
    fn the_double_majority_table_and_populations() {
        let mut members = String::new();
        for id in ["RUS", "KAZ", "BLR", "ARM", "KGZ", "TJK"] {
            members.push_str(&format!("[members.{id}]\npopulation = 1000\n"));
        }
        let s = with(&format!(
            "{members}[rule]\nkind = \"double_majority\"\nblocking = 2\npopulation = \"2/3\"\n"
        ))
        .unwrap();
        assert_eq!(s.rule.to_string(), "double_majority:0.55:2/3:2");
        assert!(s.members.iter().all(|m| m.population.is_some()));
        let paths = crate::scenario::paths::list(&s);
        assert!(paths.iter().any(|p| p.path == "members.KAZ.population"));
        // Without populations the rule is refused at the first member's table.
        let e = with("[rule]\nkind = \"double_majority\"\n").unwrap_err();
        assert_eq!(e.field, "members.RUS.population");
        assert!(e.file.ends_with("scenarios/csto/roster.toml"), "{e}");
        assert!(e.line.is_some());
        // Population is a fact per member, not a default.
        let e = with("[defaults]\npopulation = 5\n").unwrap_err();
        assert!(e.message.contains("fact about each state"), "{e}");
        // And it must lie in its range.
        let e = with("[members.RUS]\npopulation = -1\n").unwrap_err();
        assert_eq!(e.field, "members.RUS.population");
    }

    #[test]
    fn bad_quotas_are_refused_where_written() {
        for (table, field, fragment) in [
            (
                "kind = \"qualified_majority\"\nthreshold = \"3/2\"",
                "rule.threshold",
                "(0, 1]",
            ),
            (
                "kind = \"qualified_majority\"\nthreshold = 15",
                "rule.threshold",
                "`votes = 15`",
            ),
            (
                "kind = \"qualified_majority\"\nthreshold = \"2/0\"",
                "rule.threshold",
                "denominator",
            ),
            (
                "kind = \"qualified_majority\"\nthreshold = -0.5",
                "rule.threshold",
                "exact",
            ),
            (
                "kind = \"qualified_majority\"\nvotes = 7",
                "rule.votes",
                "at most 6",
            ),
            (
                "kind = \"qualified_majority\"\nvotes = 2.5",
                "rule.votes",
                "whole number",
            ),
            (
                "kind = \"weighted\"\nattribute = \"military\"\namount = 0",
                "rule.amount",
                "above 0",
            ),
            (
                "kind = \"majority\"\nvotes = 3",
                "rule.votes",
                "does not apply",
            ),
            (
                "kind = \"double_majority\"\nthreshold = 0.5",
                "rule.threshold",
                "does not apply",
            ),
            (
                "kind = \"double_majority\"\nmembers = 1.5",
                "rule.members",
                "(0, 1]",
            ),
            (
                "kind = \"double_majority\"\nblocking = -1",
                "rule.blocking",
                "found -1",
            ),
            ("kind = \"qualified_majority\"", "rule.kind", "`threshold`"),
        ] {
            let e = with(&format!("[rule]\n{table}\n")).unwrap_err();
            assert_eq!(e.field, field, "{table}: {e}");
            assert!(e.message.contains(fragment), "{table}: {e}");
            assert!(e.line.is_some(), "{table}: {e}");
        }
    }
}
