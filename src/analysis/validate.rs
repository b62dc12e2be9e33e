//! Validation against history: how well the model gives each recorded outcome.
//!
//! For a scenario with an `[expected]` outcome (level e) and the tally of
//! `runs` runs, with p_k = count_k / runs the share of runs adopting level k
//! (k = 0..K, 0 = no action) and o_k = 1 if k = e, 0 otherwise:
//!
//! * **probability** p = p_e, with its 95% Wilson score interval;
//! * **modal**: e is the most likely level (`Summary::modal_level`; on a tie
//!   the lowest level counts as the most likely);
//! * **log score** −ln max(p, 0.5 / runs): natural log, 0 is perfect, lower is
//!   better. The floor 0.5 / runs (half a run) only matters when no run gave
//!   the historical outcome; the true log score is then infinite, and the
//!   floored value, a lower bound that grows with `runs`, is reported with
//!   `log_score_floored = true` instead;
//! * **Brier score** Σ_k (p_k − o_k)² over all K + 1 levels: 0 is perfect
//!   (p = 1), 2 is worst (all runs on one other level).
//!
//! Over several cases: the mean log score, the mean Brier score, and in how
//! many cases the historical outcome is modal.

use std::io::{self, Write};

use crate::output::csv::{number_cell, text_cell};
use crate::output::summary::{Share, Summary};
use crate::runner::Tally;
use crate::scenario::Scenario;

/// Columns of `validation.csv`.
pub const VALIDATION_HEADER: [&str; 12] = [
    "scenario",
    "rule",
    "runs",
    "expected",
    "level",
    "probability",
    "ci_low",
    "ci_high",
    "modal",
    "log_score",
    "log_score_floored",
    "brier",
];

/// The probability used for the log score when no run gave the historical
/// outcome: half a run, 0.5 / runs.
pub fn log_floor(runs: u64) -> f64 {
    0.5 / runs as f64
}

/// How well one tally gives one historical outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CaseScore {
    /// The historical level.
    pub level: usize,
    /// Runs.
    pub runs: u64,
    /// Share of runs adopting the historical level, with its 95% interval.
    pub share: Share,
    /// The model's most likely level (the lowest on ties).
    pub modal_level: usize,
    /// Whether the historical level is the most likely one.
    pub modal: bool,
    /// −ln max(p, 0.5 / runs).
    pub log_score: f64,
    /// Whether p = 0, so that the log score is the floored value.
    pub log_score_floored: bool,
    /// Σ_k (p_k − o_k)² over all levels, 0..=2.
    pub brier: f64,
}

/// Scores `tally` against the historical level `level`.
///
/// # Panics
/// If the tally has no runs or `level` is not one of its levels (programming
/// errors: scenarios are checked and runs are at least 1).
pub fn score(level: usize, tally: &Tally) -> CaseScore {
    assert!(tally.runs > 0, "a validation needs at least one run");
    assert!(level < tally.levels.len(), "historical level out of range");
    let summary = Summary::new(tally);
    let share = summary.outcomes[level];
    let p = share.probability;
    let log_score_floored = share.count == 0;
    let used = if log_score_floored {
        log_floor(tally.runs)
    } else {
        p
    };
    // ln 1 is +0, and −(+0) would print as "-0.000000".
    let log_score = if used >= 1.0 { 0.0 } else { -used.ln() };
    let brier = summary
        .outcomes
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let o = if k == level { 1.0 } else { 0.0 };
            (s.probability - o) * (s.probability - o)
        })
        .sum();
    let modal_level = summary.modal_level();
    CaseScore {
        level,
        runs: tally.runs,
        share,
        modal_level,
        modal: modal_level == level,
        log_score,
        log_score_floored,
        brier,
    }
}

/// Scores a scenario's tally against its `[expected]` outcome; `None` if the
/// scenario records none.
pub fn score_scenario(scenario: &Scenario, tally: &Tally) -> Option<CaseScore> {
    scenario.expected.as_ref().map(|e| score(e.level, tally))
}

/// The scores of several cases taken together.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overall {
    /// Number of cases.
    pub cases: usize,
    /// Cases whose historical outcome is the most likely one.
    pub modal: usize,
    /// Mean log score (0 with no cases).
    pub mean_log_score: f64,
    /// Mean Brier score (0 with no cases).
    pub mean_brier: f64,
}

/// Means and counts over `cases`.
pub fn overall(cases: &[CaseScore]) -> Overall {
    let n = cases.len();
    let mean = |f: fn(&CaseScore) -> f64| {
        if n == 0 {
            0.0
        } else {
            cases.iter().map(f).sum::<f64>() / n as f64
        }
    };
    Overall {
        cases: n,
        modal: cases.iter().filter(|c| c.modal).count(),
        mean_log_score: mean(|c| c.log_score),
        mean_brier: mean(|c| c.brier),
    }
}

/// One row of `validation.csv`.
#[derive(Debug, Clone)]
pub struct Row<'a> {
    /// Scenario label (file stem).
    pub scenario: &'a str,
    /// Decision rule label.
    pub rule: &'a str,
    /// Id of the historical option.
    pub expected: &'a str,
    /// Its scores.
    pub score: CaseScore,
}

/// The cells of a `validation.csv` row, in `VALIDATION_HEADER` order.
pub fn row_cells(row: &Row) -> [String; 12] {
    let s = &row.score;
    [
        text_cell(row.scenario),
        text_cell(row.rule),
        s.runs.to_string(),
        text_cell(row.expected),
        s.level.to_string(),
        number_cell(s.share.probability),
        number_cell(s.share.ci_low),
        number_cell(s.share.ci_high),
        s.modal.to_string(),
        number_cell(s.log_score),
        s.log_score_floored.to_string(),
        number_cell(s.brier),
    ]
}

/// `validation.csv`: the header and one row per case, in the order given.
pub fn write_csv<W: Write>(out: W, rows: &[Row]) -> io::Result<()> {
    let to_io = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    };
    let mut w = csv::Writer::from_writer(out);
    w.write_record(VALIDATION_HEADER).map_err(to_io)?;
    for row in rows {
        w.write_record(row_cells(row)).map_err(to_io)?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(levels: &[u64]) -> Tally {
        let mut t = Tally::new(1, levels.len());
        t.levels = levels.to_vec();
        t.runs = levels.iter().sum();
        t
    }

    #[test]
    fn validate_scores_of_a_split_tally() {
        // p = (1/4, 1/4, 1/2), historical level 2.
        let s = score(2, &tally(&[1, 1, 2]));
        assert_eq!(s.share.probability, 0.5);
        assert_eq!(s.share.count, 2);
        assert!(s.modal);
        assert_eq!(s.modal_level, 2);
        assert_eq!(s.log_score, std::f64::consts::LN_2);
        assert!(!s.log_score_floored);
        // (1/4)² + (1/4)² + (1/2)² = 0.375
        assert_eq!(s.brier, 0.375);
        let (lo, hi) = crate::output::summary::wilson(2, 4, crate::output::summary::Z95);
        assert_eq!((s.share.ci_low, s.share.ci_high), (lo, hi));

        // Historical level 1: p = 1/4, not modal.
        let s = score(1, &tally(&[1, 1, 2]));
        assert_eq!(s.share.probability, 0.25);
        assert!(!s.modal);
        assert_eq!(s.modal_level, 2);
        assert_eq!(s.log_score, 4.0f64.ln());
        // (1/4)² + (3/4)² + (1/2)² = 0.875
        assert_eq!(s.brier, 0.875);
    }

    #[test]
    fn validate_scores_when_history_never_happens() {
        // p = 0 with 4 runs: log score −ln(0.5/4) = ln 8, flagged; Brier at its worst, 2.
        let s = score(2, &tally(&[4, 0, 0]));
        assert_eq!(s.share.probability, 0.0);
        assert!(!s.modal);
        assert!(s.log_score_floored);
        assert_eq!(s.log_score, 8.0f64.ln());
        assert!(s.log_score.is_finite());
        assert_eq!(s.brier, 2.0);
        assert_eq!(log_floor(4), 0.125);
    }

    #[test]
    fn validate_scores_when_history_always_happens() {
        let s = score(2, &tally(&[0, 0, 4]));
        assert_eq!(s.share.probability, 1.0);
        assert!(s.modal);
        assert!(!s.log_score_floored);
        assert_eq!(s.log_score, 0.0);
        assert!(s.log_score.is_sign_positive());
        assert_eq!(s.brier, 0.0);
        assert_eq!(number_cell(s.log_score), "0.000000");
    }

    #[test]
    fn validate_ties_go_to_the_lowest_level() {
        // Levels 0 and 1 tie: the lowest, 0, is the most likely.
        assert!(score(0, &tally(&[2, 2, 0])).modal);
        assert!(!score(1, &tally(&[2, 2, 0])).modal);
    }

    #[test]
    fn validate_overall_means_and_modal_count() {
        let cases = [
            score(2, &tally(&[1, 1, 2])),
            score(2, &tally(&[4, 0, 0])),
            score(2, &tally(&[0, 0, 4])),
        ];
        let o = overall(&cases);
        assert_eq!(o.cases, 3);
        assert_eq!(o.modal, 2);
        assert_eq!(o.mean_brier, (0.375 + 2.0 + 0.0) / 3.0);
        assert_eq!(
            o.mean_log_score,
            (std::f64::consts::LN_2 + 8.0f64.ln() + 0.0) / 3.0
        );
        let empty = overall(&[]);
        assert_eq!((empty.cases, empty.modal, empty.mean_brier), (0, 0, 0.0));
    }

    #[test]
    fn validate_csv_has_the_documented_columns() {
        let rows = [Row {
            scenario: "case",
            rule: "unanimity",
            expected: "limited_deployment",
            score: score(2, &tally(&[4, 0, 0])),
        }];
        let mut buf = Vec::new();
        write_csv(&mut buf, &rows).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            "scenario,rule,runs,expected,level,probability,ci_low,ci_high,modal,log_score,log_score_floored,brier"
        );
        let row = lines.next().unwrap();
        assert!(
            row.starts_with("case,unanimity,4,limited_deployment,2,0.000000,0.000000,"),
            "{row}"
        );
        assert!(row.ends_with(",false,2.079442,true,2.000000"), "{row}");
        assert_eq!(lines.next(), None);
    }
}
