//! Checking `[[options]]`: ids, ranges and the escalation order.

use super::{check_id_text, Checker, Result};
use crate::scenario::limits::MAX_OPTIONS;
use crate::scenario::raw::{LParam, RawOption};
use crate::scenario::{ActionOption, Param, Range, ScenarioError, NO_ACTION};

/// The options by level, "no action" first.
pub(super) fn check_options(
    ck: &Checker,
    raw_options: &Option<Vec<RawOption>>,
) -> Result<Vec<ActionOption>> {
    let raw_options = ck.required(
        raw_options,
        "options",
        "the [[options]] list, ordered from the mildest to the most escalated",
        None,
    )?;
    let Some(first) = raw_options.first() else {
        let message =
            "the list of options is empty; list them as [[options]] tables, mildest first";
        return Err(match ck.key_line("options") {
            Some((file, offset)) => ck.at_offset(file, offset, "options", message),
            None => ScenarioError::file(&ck.main_file().path, "options", message),
        });
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
                        "options must be ordered by escalation, but `{what}` falls from {} (`{}`) to {}",
                        crate::text::num(a),
                        prev.id,
                        crate::text::num(b)
                    ),
                ));
            }
        }
        if option.effect.support().0 <= 0.0 {
            let (file, offset) = o
                .effect
                .as_ref()
                .map_or((o.id.file, o.id.span.start), |e| (e.file, e.span.start));
            return Err(ck.at_offset(
                file,
                offset,
                &format!("{field}.effect"),
                "an option's effect must be above 0 in every run (level 0 is no action); give a distribution a lower bound `lo` above 0",
            ));
        }
        options.push(option);
    }
    Ok(options)
}
