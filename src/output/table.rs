//! The summary printed on the terminal after a run: outcome probabilities with
//! their intervals, and how each member voted on the requested option.

use std::fmt::Write;

use super::summary::Summary;
use crate::model::DecisionRule;
use crate::scenario::Scenario;

/// Formats a count with thousands separators: 1,000,000.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The first lines of every terminal summary: the scenario, the rule, runs,
/// seed and the requested option, what the rule means (indented, on its own
/// line), then a blank line.
pub fn header(
    scenario: &Scenario,
    label: &str,
    rule: &DecisionRule,
    runs: u64,
    seed: u64,
) -> String {
    let requested = &scenario.options[scenario.crisis.requested];
    let asked = match scenario.crisis.requester {
        Some(_) => format!(
            "requested: {} (level {})",
            requested.id, scenario.crisis.requested
        ),
        None => format!(
            "proposed by {}: {} (level {})",
            scenario.crisis.sponsor, requested.id, scenario.crisis.requested
        ),
    };
    format!(
        "{} ({label})\nrule {rule}, {} runs, seed {seed}; {asked}\n  {}\n\n",
        scenario.name,
        thousands(runs),
        rule.meaning(),
    )
}

/// What each of `rules` means, one indented line per distinct rule in the
/// order given, for terminal output that names rules (`validate`, `sweep`).
pub fn meanings<'a>(rules: impl IntoIterator<Item = &'a DecisionRule>) -> String {
    let mut seen: Vec<&DecisionRule> = Vec::new();
    let mut out = String::new();
    for rule in rules {
        if !seen.contains(&rule) {
            seen.push(rule);
            let _ = writeln!(out, "  {}", rule.meaning());
        }
    }
    out
}

/// The summary of one scenario's runs under `rule`.
pub fn render(
    scenario: &Scenario,
    label: &str,
    rule: &DecisionRule,
    seed: u64,
    summary: &Summary,
) -> String {
    let mut s = header(scenario, label, rule, summary.runs, seed);
    let requested = &scenario.options[scenario.crisis.requested];
    let width = scenario
        .options
        .iter()
        .map(|o| o.id.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let _ = writeln!(s, "  level  {:width$}  probability  95% interval", "option");
    let modal = summary.modal_level();
    for (level, (o, sh)) in scenario.options.iter().zip(&summary.outcomes).enumerate() {
        let mut marks = String::new();
        if level == modal {
            marks.push_str("  most likely");
        }
        if scenario.expected.as_ref().is_some_and(|e| e.accepts(level)) {
            marks.push_str("  (historical)");
        }
        let _ = writeln!(
            s,
            "  {level:>5}  {:width$}  {:>11.3}  [{:.3}, {:.3}]{marks}",
            o.id, sh.probability, sh.ci_low, sh.ci_high
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "  votes on {} (share of runs)", requested.id);
    let idw = scenario
        .members
        .iter()
        .map(|m| m.id.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let _ = writeln!(
        s,
        "  {:idw$}  {:>6}  {:>6}  {:>7}  {:>12}",
        "member", "yes", "no", "abstain", "sole blocker"
    );
    for (m, sh) in scenario.members.iter().zip(&summary.members) {
        if summary.runs > 0 && sh.yes.count + sh.no.count + sh.abstain.count == 0 {
            let _ = writeln!(
                s,
                "  {:idw$}  absent: a party to the dispute, excluded from the vote",
                m.id
            );
            continue;
        }
        let _ = writeln!(
            s,
            "  {:idw$}  {:>6.3}  {:>6.3}  {:>7.3}  {:>12.3}",
            m.id,
            sh.yes.probability,
            sh.no.probability,
            sh.abstain.probability,
            sh.sole_blocker.probability
        );
    }
    let _ = writeln!(s, "  mean rounds of voting: {:.2}", summary.mean_rounds);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(20_000), "20,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
