//! Rendering an explanation (`alliance-sim explain`): a readable table of the
//! procedure and each member's utility terms, or CSV with one row per member
//! and option.

use std::fmt::Write as _;

use super::csv::text_cell;
use crate::model::explain::{vote_label, Explanation, MemberExplanation, Role, Round};
use crate::model::Vote;

/// Columns of `explain --format csv`, one row per member and option.
pub const CSV_HEADER: [&str; 18] = [
    "scenario",
    "rule",
    "member",
    "option",
    "level",
    "security",
    "regime",
    "partner",
    "credibility",
    "sovereignty",
    "cost",
    "external",
    "utility",
    "pull",
    "perceived",
    "yes_above",
    "no_below",
    "vote",
];

/// A number with `decimals` decimals, without a minus sign on a zero.
fn num(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

/// `explain --format csv`: one row per (member, option), levels 1..K.
pub fn csv(x: &Explanation, label: &str) -> std::io::Result<String> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER)?;
    for m in &x.members {
        for o in &m.options {
            let numbers = [
                o.security,
                o.regime,
                o.partner,
                o.credibility,
                o.sovereignty,
                o.cost,
                o.external,
                o.utility,
                o.pull,
                o.perceived,
                o.yes_above,
                o.no_below,
            ];
            let mut row = vec![
                text_cell(label),
                text_cell(&x.rule),
                text_cell(&m.id),
                text_cell(&o.option),
                o.level.to_string(),
            ];
            row.extend(numbers.iter().map(|v| num(*v, 6)));
            row.push(vote_label(o.vote).to_string());
            w.write_record(&row)?;
        }
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    // Every cell was built from valid UTF-8 strings.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Ids joined by ", ".
fn join(ids: &[&str]) -> String {
    ids.join(", ")
}

/// One round in a line: what was proposed, whether it passed, and who voted how.
fn round_line(x: &Explanation, r: &Round) -> String {
    // Members taking part: a party excluded from the vote does not count.
    let n = r.votes.iter().filter(|v| v.vote != Vote::Absent).count();
    let blocking = |v: &str| r.blockers.iter().any(|b| b == v);
    let ids = |vote: Vote, blocker: bool| -> Vec<&str> {
        r.votes
            .iter()
            .filter(|v| v.vote == vote && blocking(&v.member) == blocker)
            .map(|v| v.member.as_str())
            .collect()
    };
    let (yes, no, abstain) = (
        ids(Vote::Yes, false),
        ids(Vote::No, true),
        ids(Vote::Abstain, false),
    );
    let abstain_blocks = ids(Vote::Abstain, true);
    let mut s = format!(
        "round {}: {} (level {}): {} ({} of {n} yes)",
        r.round,
        r.option,
        r.level,
        if r.passed { "passed" } else { "failed" },
        r.yes
    );
    let mut parts = Vec::new();
    if !r.passed {
        let mut by = Vec::new();
        if !no.is_empty() {
            by.push(format!("{} (no)", join(&no)));
        }
        if !abstain_blocks.is_empty() {
            by.push(format!(
                "{} (abstained, which blocks under {})",
                join(&abstain_blocks),
                x.rule
            ));
        }
        if by.is_empty() {
            parts.push("no one blocked it, but it lacked the support the rule needs".to_string());
        } else {
            parts.push(format!("blocked by {}", by.join(" and ")));
        }
    } else if !no.is_empty() || !abstain_blocks.is_empty() {
        let outvoted: Vec<&str> = no.iter().chain(&abstain_blocks).copied().collect();
        parts.push(format!("outvoted: {}", join(&outvoted)));
    }
    if !yes.is_empty() && yes.len() < n {
        parts.push(format!("yes: {}", join(&yes)));
    }
    if !abstain.is_empty() {
        parts.push(format!("abstained: {}", join(&abstain)));
    }
    if !parts.is_empty() {
        s.push_str(" — ");
        s.push_str(&parts.join("; "));
    }
    s
}

/// The table columns after the option id: header and width.
const COLUMNS: [(&str, usize); 13] = [
    ("security", 8),
    ("regime", 7),
    ("partner", 7),
    ("credib.", 7),
    ("sovereign.", 10),
    ("cost", 7),
    ("external", 8),
    ("U", 7),
    ("pull", 7),
    ("Û", 7),
    ("yes >", 7),
    ("no <", 7),
    ("vote", 7),
];

/// The space before column `j`: a bar between the terms, the utilities and the thresholds.
fn separator(j: usize) -> &'static str {
    if j == 7 || j == 10 {
        " | "
    } else {
        " "
    }
}

/// What the columns of the member tables mean.
const LEGEND: &str = "Columns, in utility units: the terms as they enter U(k) (security, regime, partner, \
credib. = e_k × term; sovereign. = −s_k·V; cost = −t_k·T; external = −e_k·E),\n\
U = their sum, pull = Û − U (the hegemon's pull), Û = what the member votes on; \
it votes yes if Û > \"yes >\", no if Û < \"no <\" (e_k·(τ ± β)), else abstains; (vote) = not proposed;\n\
vote* = set by the procedure, not by Û: the requester votes yes on its own request, a party to the dispute abstains or is absent.";

/// What sets a member apart in the formulas, for its heading.
fn role_note(x: &Explanation, m: &MemberExplanation) -> String {
    match (m.role, &x.hegemon) {
        (Role::Hegemon, _) if x.requester.as_deref() == Some(m.id.as_str()) => {
            "hegemon and requester: not pulled, security not discounted by X, sovereignty cost × (1 − S)"
                .to_string()
        }
        (Role::Hegemon, _) => "hegemon, not pulled".to_string(),
        (Role::Requester, Some(_)) => {
            "requester: not pulled, security not discounted by X, sovereignty cost × (1 − S)"
                .to_string()
        }
        (Role::Requester, None) => {
            "requester: security not discounted by X, sovereignty cost × (1 − S)".to_string()
        }
        (Role::Member, Some(h)) => {
            format!("pulled toward {h} with dependence {}", num(m.dependence, 2))
        }
        (Role::Member, None) => "no hegemon, not pulled".to_string(),
    }
}

/// What perception noise the runs add, which this evaluation leaves out.
fn noise_line(eta: f64, model: &str) -> String {
    if eta == 0.0 {
        return "runs add no perception noise (η = 0)".into();
    }
    let sd = match model {
        "relative" => format!("{eta} × |term|"),
        _ => format!("{eta}"),
    };
    format!("runs add perception noise: η = {eta}, {model} (standard deviation {sd} for each of B, E, V, T)")
}

/// `explain --format table`.
pub fn table(x: &Explanation, label: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} ({label})", x.scenario);
    let who = match (&x.requester, &x.sponsor) {
        (Some(q), _) => format!("{q} requests"),
        (None, Some(sponsor)) => format!("{sponsor} proposes"),
        (None, None) => "proposed:".to_string(),
    };
    let _ = writeln!(
        s,
        "rule {}; {who} {} (level {}){}",
        x.rule,
        x.requested.option,
        x.requested.level,
        x.hegemon
            .as_ref()
            .map_or_else(String::new, |h| format!("; hegemon {h}"))
    );
    if !x.parties.is_empty() {
        let _ = writeln!(
            s,
            "parties to the dispute: {} ({})",
            x.parties.join(", "),
            match x.party_vote {
                "abstain" => "they abstain",
                "excluded" => "they do not take part in the vote",
                _ => "they vote like any member",
            }
        );
    }
    let _ = writeln!(
        s,
        "evaluated at central values, without perception noise{}",
        if x.has_distributions {
            " (parameters given as distributions are taken at their central values)"
        } else {
            ""
        }
    );
    let _ = writeln!(s, "{}", noise_line(x.noise, x.noise_model));
    let _ = writeln!(
        s,
        "X = 1 − I(1 − F) = {} (how far the crisis counts as external); imp({}) = {}; 1 − Kc/2 = {}; β = {}",
        num(x.inputs.external_share, 3),
        x.requester.as_deref().unwrap_or("none"),
        num(x.inputs.importance, 3),
        num(x.inputs.capacity_relief, 3),
        num(x.abstention_band, 3),
    );

    let _ = writeln!(s);
    let _ = writeln!(s, "procedure");
    for r in &x.rounds {
        let _ = writeln!(s, "  {}", round_line(x, r));
    }
    let _ = writeln!(
        s,
        "  adopted: {} (level {}){}",
        x.adopted.option,
        x.adopted.level,
        if x.adopted.level == 0 {
            format!(
                ", as no proposal passed in {} round{}",
                x.rounds.len(),
                if x.rounds.len() == 1 { "" } else { "s" }
            )
        } else {
            format!(" in round {}", x.rounds.len())
        }
    );
    if !x.blockers.is_empty() {
        let ids: Vec<&str> = x.blockers.iter().map(String::as_str).collect();
        let _ = writeln!(
            s,
            "  blockers of {}: {}{}",
            x.requested.option,
            join(&ids),
            x.sole_blocker
                .as_ref()
                .map_or_else(String::new, |b| format!(" (sole blocker: {b})"))
        );
    }

    let _ = writeln!(s);
    let _ = writeln!(s, "{LEGEND}");
    let opt_w = x
        .options
        .iter()
        .map(|o| o.option.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    for m in &x.members {
        let c = &m.components;
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{}{} — {}",
            m.id,
            if m.name.is_empty() {
                String::new()
            } else {
                format!(" ({})", m.name)
            },
            role_note(x, m)
        );
        let _ = writeln!(
            s,
            "  B = {} (security {}, regime {}, partner {}, credibility {}); E = {}; V = {}; T = {}; τ = {}",
            num(c.benefit, 3),
            num(c.security, 3),
            num(c.regime, 3),
            num(c.partner, 3),
            num(c.credibility, 3),
            num(c.external, 3),
            num(c.sovereignty, 3),
            num(c.cost, 3),
            num(m.reservation, 3),
        );
        let mut head = format!("  {:opt_w$}", "option");
        for (j, (name, w)) in COLUMNS.iter().enumerate() {
            let _ = write!(head, "{}{name:>w$}", separator(j));
        }
        let _ = writeln!(s, "{head}");
        for o in &m.options {
            let proposed = x.rounds.iter().any(|r| r.level == o.level);
            let mark = if o.set_by.is_some() { "*" } else { "" };
            let vote = if proposed {
                format!("{}{mark}", vote_label(o.vote))
            } else {
                format!("({}{mark})", vote_label(o.vote))
            };
            let values = [
                o.security,
                o.regime,
                o.partner,
                o.credibility,
                o.sovereignty,
                o.cost,
                o.external,
                o.utility,
                o.pull,
                o.perceived,
                o.yes_above,
                o.no_below,
            ];
            let mut line = format!("  {:opt_w$}", o.option);
            for (j, (v, (_, w))) in values.iter().zip(COLUMNS).enumerate() {
                let _ = write!(line, "{}{:>w$}", separator(j), num(*v, 3));
            }
            let _ = write!(line, "{}{:>w$}", separator(12), vote, w = COLUMNS[12].1);
            let _ = writeln!(s, "{line}");
        }
    }
    s
}
