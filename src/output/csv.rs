//! CSV files: `outcomes.csv`, `members.csv` and `runs.csv`, plain RFC 4180
//! UTF-8 with one header row. Text that a spreadsheet would run as a formula is
//! prefixed with an apostrophe; numbers are written as they are. Files for
//! comma-decimal spreadsheets are made from these (see
//! [`dialect`](super::dialect)).

use std::io::{self, Write};

use super::summary::{MemberShares, Share, Summary};
use crate::runner::RunRecord;
use crate::scenario::Scenario;

/// Columns of `outcomes.csv`.
pub const OUTCOMES_HEADER: [&str; 9] = [
    "scenario",
    "rule",
    "option",
    "level",
    "runs",
    "count",
    "probability",
    "ci_low",
    "ci_high",
];

/// Columns of `members.csv`.
pub const MEMBERS_HEADER: [&str; 12] = [
    "scenario",
    "rule",
    "member",
    "runs",
    "yes",
    "no",
    "abstain",
    "sole_blocker",
    "p_yes",
    "p_no",
    "p_abstain",
    "p_sole_blocker",
];

/// Columns of `runs.csv`.
pub const RUNS_HEADER: [&str; 5] = ["run", "level", "option", "rounds", "blockers"];

/// A text cell made safe for spreadsheets: one starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return gets a leading apostrophe.
pub fn text_cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// A probability or bound with six decimals.
pub fn number_cell(x: f64) -> String {
    format!("{x:.6}")
}

/// The cells of an outcome row after `scenario,rule`: option, level, runs,
/// count, probability, ci_low, ci_high.
pub fn outcome_cells(option: &str, level: usize, runs: u64, share: &Share) -> [String; 7] {
    [
        text_cell(option),
        level.to_string(),
        runs.to_string(),
        share.count.to_string(),
        number_cell(share.probability),
        number_cell(share.ci_low),
        number_cell(share.ci_high),
    ]
}

/// The cells of a member row after `scenario,rule`: member, runs, yes, no,
/// abstain, sole_blocker and the four shares.
pub fn member_cells(member: &str, runs: u64, s: &MemberShares) -> [String; 10] {
    [
        text_cell(member),
        runs.to_string(),
        s.yes.count.to_string(),
        s.no.count.to_string(),
        s.abstain.count.to_string(),
        s.sole_blocker.count.to_string(),
        number_cell(s.yes.probability),
        number_cell(s.no.probability),
        number_cell(s.abstain.probability),
        number_cell(s.sole_blocker.probability),
    ]
}

fn csv_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// `outcomes.csv`: one row per option, level 0 (no action) first.
pub fn outcomes<W: Write>(
    out: W,
    label: &str,
    rule: &str,
    scenario: &Scenario,
    summary: &Summary,
) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(OUTCOMES_HEADER).map_err(csv_error)?;
    for (level, (option, share)) in scenario.options.iter().zip(&summary.outcomes).enumerate() {
        let mut row = vec![text_cell(label), text_cell(rule)];
        row.extend(outcome_cells(&option.id, level, summary.runs, share));
        w.write_record(&row).map_err(csv_error)?;
    }
    w.flush()
}

/// `members.csv`: one row per member, its votes on the requested option.
pub fn members<W: Write>(
    out: W,
    label: &str,
    rule: &str,
    scenario: &Scenario,
    summary: &Summary,
) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(MEMBERS_HEADER).map_err(csv_error)?;
    for (member, s) in scenario.members.iter().zip(&summary.members) {
        let mut row = vec![text_cell(label), text_cell(rule)];
        row.extend(member_cells(&member.id, summary.runs, s));
        w.write_record(&row).map_err(csv_error)?;
    }
    w.flush()
}

/// Streams `runs.csv` rows.
pub struct RunsWriter<'a, W: Write> {
    w: csv::Writer<W>,
    scenario: &'a Scenario,
}

impl<'a, W: Write> RunsWriter<'a, W> {
    /// Writes the header.
    pub fn new(out: W, scenario: &'a Scenario) -> io::Result<Self> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(RUNS_HEADER).map_err(csv_error)?;
        Ok(RunsWriter { w, scenario })
    }

    /// Writes one row per record.
    pub fn write(&mut self, records: &[RunRecord]) -> io::Result<()> {
        let mut blockers = String::new();
        for r in records {
            blockers.clear();
            let mut set = r.blockers;
            while set != 0 {
                let i = set.trailing_zeros() as usize;
                if !blockers.is_empty() {
                    blockers.push(';');
                }
                blockers.push_str(&self.scenario.members[i].id);
                set &= set - 1;
            }
            self.w
                .write_record([
                    r.run.to_string(),
                    r.level.to_string(),
                    text_cell(&self.scenario.options[r.level].id),
                    r.rounds.to_string(),
                    text_cell(&blockers),
                ])
                .map_err(csv_error)?;
        }
        Ok(())
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(self) -> io::Result<W> {
        self.w.into_inner().map_err(|e| e.into_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralized_and_plain_text_is_not() {
        assert_eq!(text_cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(text_cell("+1"), "'+1");
        assert_eq!(text_cell("-x"), "'-x");
        assert_eq!(text_cell("@cmd"), "'@cmd");
        assert_eq!(text_cell("\tx"), "'\tx");
        assert_eq!(text_cell("kazakhstan_2022"), "kazakhstan_2022");
        assert_eq!(text_cell(""), "");
    }

    #[test]
    fn numbers_have_six_decimals() {
        assert_eq!(number_cell(0.5), "0.500000");
        assert_eq!(number_cell(1.0), "1.000000");
        assert_eq!(number_cell(1.0 / 3.0), "0.333333");
    }
}
