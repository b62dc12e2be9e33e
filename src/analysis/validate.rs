//! Validation against history: how well the model gives each recorded outcome.
//!
//! A case records one acceptable historical level or several (a set A, e.g.
//! "no action or a statement"). For the tally of `runs` runs, with
//! p_k = count_k / runs the share of runs adopting level k (k = 0..K), the
//! levels of A are taken together as one outcome:
//!
//! * **probability** p = Σ_{k∈A} p_k, with its 95% Wilson score interval;
//! * **modal**: A, as one outcome, is at least as likely as every other level,
//!   ties going to the lower level (A counts as its lowest level); for a
//!   single level this is "the most likely level";
//! * **log score** −ln max(p, 0.5 / runs): natural log, 0 is perfect, lower is
//!   better. The floor 0.5 / runs (half a run) only matters when no run gave
//!   the historical outcome; the true log score is then infinite, and the
//!   floored value, a lower bound that grows with `runs`, is reported with
//!   `log_score_floored = true` instead;
//! * **Brier score** (p − 1)² + Σ_{k∉A} p_k²: 0 is perfect (p = 1), 2 is
//!   worst (all runs on one other level). For a single level it is the usual
//!   Σ_k (p_k − o_k)².
//! * **blockers**, when the case records who blocked the requested option:
//!   the share of runs in which exactly those members blocked it.
//!
//! The same scores are given to the baselines of [`super::baseline`], with
//! the same floor, so that they compare with the model's. Over several cases:
//! the mean log score, the mean Brier score, and in how many cases the
//! historical outcome is modal.

use std::io::{self, Write};

use crate::output::csv::{number_cell, text_cell};
use crate::output::summary::{Share, Summary};
use crate::runner::Tally;

/// Columns of `validation.csv`.
pub const VALIDATION_HEADER: [&str; 22] = [
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
    "alliance",
    "modal_option",
    "expected_blockers",
    "p_blockers",
    "base_rate_probability",
    "base_rate_log_score",
    "base_rate_brier",
    "granted_probability",
    "granted_log_score",
    "granted_brier",
];

/// The probability used for the log score when no run gave the historical
/// outcome: half a run, 0.5 / runs.
pub fn log_floor(runs: u64) -> f64 {
    0.5 / runs as f64
}

/// How well a forecast (a probability for each level) gives a set of
/// acceptable levels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ForecastScore {
    /// Probability of the acceptable set.
    pub probability: f64,
    /// Whether the set, taken as one outcome, is the most likely.
    pub modal: bool,
    /// −ln max(p, floor).
    pub log_score: f64,
    /// Whether p fell below the floor, so that the log score is the floored value.
    pub log_score_floored: bool,
    /// (p − 1)² + Σ_{k∉A} p_k², 0..=2.
    pub brier: f64,
}

/// Scores the forecast `p` (one probability per level) against the set of
/// acceptable `levels` (ascending), flooring p at `floor` for the log score.
///
/// # Panics
/// If `levels` is empty or names a level `p` lacks (programming errors:
/// scenarios are checked).
pub fn score_forecast(levels: &[usize], p: &[f64], floor: f64) -> ForecastScore {
    assert!(!levels.is_empty(), "no historical level");
    assert!(
        levels.iter().all(|k| *k < p.len()),
        "historical level out of range"
    );
    let inside = |k: usize| levels.contains(&k);
    let probability: f64 = levels.iter().map(|k| p[*k]).sum();
    let lowest = levels[0];
    let modal = p
        .iter()
        .enumerate()
        .filter(|(k, _)| !inside(*k))
        .all(|(k, pk)| *pk < probability || (*pk == probability && lowest < k));
    let log_score_floored = probability < floor || probability == 0.0;
    let used = if log_score_floored {
        floor
    } else {
        probability
    };
    // ln 1 is +0, and −(+0) would print as "-0.000000".
    let log_score = if used >= 1.0 { 0.0 } else { -used.ln() };
    let miss = (probability - 1.0) * (probability - 1.0);
    let brier = miss
        + p.iter()
            .enumerate()
            .filter(|(k, _)| !inside(*k))
            .map(|(_, pk)| pk * pk)
            .sum::<f64>();
    ForecastScore {
        probability,
        modal,
        log_score,
        log_score_floored,
        brier,
    }
}

/// How well one tally gives one historical outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseScore {
    /// The acceptable historical levels, ascending.
    pub levels: Vec<usize>,
    /// Runs.
    pub runs: u64,
    /// Share of runs adopting one of the historical levels, with its 95% interval.
    pub share: Share,
    /// The model's most likely level (the lowest on ties).
    pub modal_level: usize,
    /// Whether the historical outcome is the most likely one.
    pub modal: bool,
    /// −ln max(p, 0.5 / runs).
    pub log_score: f64,
    /// Whether p = 0, so that the log score is the floored value.
    pub log_score_floored: bool,
    /// (p − 1)² + Σ_{k∉A} p_k², 0..=2.
    pub brier: f64,
    /// Share of runs in which exactly the historical blockers blocked the
    /// requested option, when the case records them.
    pub blockers: Option<Share>,
    /// Share of runs adopting each level, no action first.
    pub distribution: Vec<f64>,
}

/// Scores `tally` against the acceptable historical `levels`;
/// `blocker_matches` counts the runs in which exactly the recorded blockers
/// blocked the requested option, if the case records them.
///
/// # Panics
/// If the tally has no runs or `levels` is empty or out of range
/// (programming errors: scenarios are checked and runs are at least 1).
pub fn score(levels: &[usize], tally: &Tally, blocker_matches: Option<u64>) -> CaseScore {
    assert!(tally.runs > 0, "a validation needs at least one run");
    let summary = Summary::new(tally);
    let p: Vec<f64> = summary.outcomes.iter().map(|s| s.probability).collect();
    let f = score_forecast(levels, &p, log_floor(tally.runs));
    let count: u64 = levels.iter().map(|k| tally.levels[*k]).sum();
    CaseScore {
        levels: levels.to_vec(),
        runs: tally.runs,
        share: Share::of(count, tally.runs),
        modal_level: summary.modal_level(),
        modal: f.modal,
        log_score: f.log_score,
        log_score_floored: f.log_score_floored,
        brier: f.brier,
        blockers: blocker_matches.map(|c| Share::of(c, tally.runs)),
        distribution: p,
    }
}

/// Scores of several cases taken together.
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

/// Means and counts over forecast scores.
pub fn overall<'a>(cases: impl IntoIterator<Item = &'a ForecastScore>) -> Overall {
    let cases: Vec<&ForecastScore> = cases.into_iter().collect();
    let n = cases.len();
    let mean = |f: fn(&ForecastScore) -> f64| {
        if n == 0 {
            0.0
        } else {
            cases.iter().map(|c| f(c)).sum::<f64>() / n as f64
        }
    };
    Overall {
        cases: n,
        modal: cases.iter().filter(|c| c.modal).count(),
        mean_log_score: mean(|c| c.log_score),
        mean_brier: mean(|c| c.brier),
    }
}

impl CaseScore {
    /// The model's scores in the shape the baselines have.
    pub fn forecast(&self) -> ForecastScore {
        ForecastScore {
            probability: self.share.probability,
            modal: self.modal,
            log_score: self.log_score,
            log_score_floored: self.log_score_floored,
            brier: self.brier,
        }
    }
}

/// One row of `validation.csv`.
#[derive(Debug, Clone)]
pub struct Row<'a> {
    /// Scenario label (file stem).
    pub scenario: &'a str,
    /// Decision rule label.
    pub rule: &'a str,
    /// The alliance's name.
    pub alliance: &'a str,
    /// Ids of the historical options.
    pub expected: Vec<&'a str>,
    /// Id of the model's most likely option.
    pub modal_option: &'a str,
    /// Ids of the members recorded as blockers (empty if none are recorded).
    pub expected_blockers: Vec<&'a str>,
    /// The model's scores.
    pub score: &'a CaseScore,
    /// The base-rate baseline's scores.
    pub base_rate: ForecastScore,
    /// The "request granted" baseline's scores.
    pub granted: ForecastScore,
}

/// The cells of a `validation.csv` row, in `VALIDATION_HEADER` order.
pub fn row_cells(row: &Row) -> [String; 22] {
    let s = row.score;
    let levels: Vec<String> = s.levels.iter().map(|l| l.to_string()).collect();
    [
        text_cell(row.scenario),
        text_cell(row.rule),
        s.runs.to_string(),
        text_cell(&row.expected.join(";")),
        levels.join(";"),
        number_cell(s.share.probability),
        number_cell(s.share.ci_low),
        number_cell(s.share.ci_high),
        s.modal.to_string(),
        number_cell(s.log_score),
        s.log_score_floored.to_string(),
        number_cell(s.brier),
        text_cell(row.alliance),
        text_cell(row.modal_option),
        text_cell(&row.expected_blockers.join(";")),
        s.blockers
            .map_or_else(String::new, |b| number_cell(b.probability)),
        number_cell(row.base_rate.probability),
        number_cell(row.base_rate.log_score),
        number_cell(row.base_rate.brier),
        number_cell(row.granted.probability),
        number_cell(row.granted.log_score),
        number_cell(row.granted.brier),
    ]
}

/// Columns of `validation_summary.csv`.
pub const SUMMARY_HEADER: [&str; 11] = [
    "alliance",
    "cases",
    "modal",
    "mean_log_score",
    "mean_brier",
    "base_rate_modal",
    "base_rate_mean_log_score",
    "base_rate_mean_brier",
    "granted_modal",
    "granted_mean_log_score",
    "granted_mean_brier",
];

/// One row of `validation_summary.csv`: a group of cases (an alliance, or
/// all of them) under the model and the two baselines.
#[derive(Debug, Clone)]
pub struct GroupRow {
    /// The alliance's name, or `all` for every case.
    pub alliance: String,
    /// The model's scores.
    pub model: Overall,
    /// The base rate's.
    pub base_rate: Overall,
    /// The "request granted" baseline's.
    pub granted: Overall,
}

/// One scored case of a library, as the baselines and the groups need it.
#[derive(Debug, Clone, Copy)]
pub struct LibraryCase<'a> {
    /// The alliance's name, which groups the cases.
    pub alliance: &'a str,
    /// The requested level.
    pub requested: usize,
    /// Number of levels, no action included.
    pub levels: usize,
    /// The model's scores of the case.
    pub score: &'a CaseScore,
}

/// The baselines' scores of every case of a library, and the means of all
/// three forecasts by alliance (in order of first appearance), then over all
/// cases (`all`).
#[derive(Debug, Clone)]
pub struct LibraryScores {
    /// The base rate's scores, case by case.
    pub base_rate: Vec<ForecastScore>,
    /// The "request granted" baseline's scores, case by case.
    pub granted: Vec<ForecastScore>,
    /// One row per alliance, then `all`.
    pub groups: Vec<GroupRow>,
}

/// Scores the baselines on every case of `cases` (the base rate leaving
/// each case out in turn) and groups all three forecasts by alliance.
pub fn score_library(cases: &[LibraryCase]) -> LibraryScores {
    use super::baseline;
    let library: Vec<baseline::History> = cases
        .iter()
        .map(|c| baseline::History {
            levels: c.score.levels.clone(),
            requested: c.requested,
        })
        .collect();
    let (mut base_rate, mut granted) = (Vec::new(), Vec::new());
    for (i, c) in cases.iter().enumerate() {
        let floor = log_floor(c.score.runs);
        let p = baseline::base_rate(&library, i, c.levels);
        base_rate.push(score_forecast(&c.score.levels, &p, floor));
        let p = baseline::granted(c.requested, c.levels);
        granted.push(score_forecast(&c.score.levels, &p, floor));
    }
    let model: Vec<ForecastScore> = cases.iter().map(|c| c.score.forecast()).collect();
    let group = |alliance: &str, members: &[usize]| GroupRow {
        alliance: alliance.to_string(),
        model: overall(members.iter().map(|i| &model[*i])),
        base_rate: overall(members.iter().map(|i| &base_rate[*i])),
        granted: overall(members.iter().map(|i| &granted[*i])),
    };
    let mut names: Vec<&str> = Vec::new();
    for c in cases {
        if !names.contains(&c.alliance) {
            names.push(c.alliance);
        }
    }
    let mut groups: Vec<GroupRow> = names
        .iter()
        .map(|name| {
            let members: Vec<usize> = (0..cases.len())
                .filter(|i| cases[*i].alliance == *name)
                .collect();
            group(name, &members)
        })
        .collect();
    groups.push(group("all", &(0..cases.len()).collect::<Vec<_>>()));
    LibraryScores {
        base_rate,
        granted,
        groups,
    }
}

fn to_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// `validation.csv`: the header and one row per case, in the order given.
pub fn write_csv<W: Write>(out: W, rows: &[Row]) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(VALIDATION_HEADER).map_err(to_io)?;
    for row in rows {
        w.write_record(row_cells(row)).map_err(to_io)?;
    }
    w.flush()
}

/// `validation_summary.csv`: one row per alliance, then `all`.
pub fn write_summary_csv<W: Write>(out: W, rows: &[GroupRow]) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(SUMMARY_HEADER).map_err(to_io)?;
    for r in rows {
        let mut cells = vec![text_cell(&r.alliance), r.model.cases.to_string()];
        for o in [&r.model, &r.base_rate, &r.granted] {
            cells.push(o.modal.to_string());
            cells.push(number_cell(o.mean_log_score));
            cells.push(number_cell(o.mean_brier));
        }
        w.write_record(&cells).map_err(to_io)?;
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
        let s = score(&[2], &tally(&[1, 1, 2]), None);
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
        let s = score(&[1], &tally(&[1, 1, 2]), None);
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
        let s = score(&[2], &tally(&[4, 0, 0]), None);
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
        let s = score(&[2], &tally(&[0, 0, 4]), None);
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
        assert!(score(&[0], &tally(&[2, 2, 0]), None).modal);
        assert!(!score(&[1], &tally(&[2, 2, 0]), None).modal);
    }

    #[test]
    fn validate_overall_means_and_modal_count() {
        let cases = [
            score(&[2], &tally(&[1, 1, 2]), None),
            score(&[2], &tally(&[4, 0, 0]), None),
            score(&[2], &tally(&[0, 0, 4]), None),
        ];
        let o = overall(
            cases
                .iter()
                .map(CaseScore::forecast)
                .collect::<Vec<_>>()
                .iter(),
        );
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
        let sc = score(&[2], &tally(&[4, 0, 0]), Some(1));
        let base = score_forecast(&[2], &[0.5, 0.25, 0.25], log_floor(4));
        let granted = score_forecast(&[2], &[0.0, 0.0, 1.0], log_floor(4));
        let rows = [Row {
            scenario: "case",
            rule: "unanimity",
            alliance: "Some alliance",
            expected: vec!["limited_deployment"],
            modal_option: "no_action",
            expected_blockers: vec!["A", "B"],
            score: &sc,
            base_rate: base,
            granted,
        }];
        let mut buf = Vec::new();
        write_csv(&mut buf, &rows).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), VALIDATION_HEADER.join(","));
        let row = lines.next().unwrap();
        assert!(
            row.starts_with("case,unanimity,4,limited_deployment,2,0.000000,0.000000,"),
            "{row}"
        );
        assert!(
            row.ends_with(
                ",false,2.079442,true,2.000000,Some alliance,no_action,A;B,0.250000,\
                 0.250000,1.386294,0.875000,1.000000,0.000000,0.000000"
            ),
            "{row}"
        );
        assert_eq!(lines.next(), None);
    }

    #[test]
    fn a_set_of_outcomes_is_scored_as_one() {
        // p = (0.3, 0.3, 0.4): {0, 1} together 0.6 beat level 2.
        let s = score(&[0, 1], &tally(&[3, 3, 4]), None);
        assert_eq!(s.share.count, 6);
        assert!((s.share.probability - 0.6).abs() < 1e-12);
        assert!(s.modal, "the set is more likely than any other level");
        assert_eq!(s.modal_level, 2, "the single most likely level is still 2");
        assert!((s.log_score + 0.6f64.ln()).abs() < 1e-12);
        // (0.6 − 1)² + 0.4² = 0.32
        assert!((s.brier - 0.32).abs() < 1e-12);
        // A single level of the set would not be modal.
        assert!(!score(&[1], &tally(&[3, 3, 4]), None).modal);
        // A set reduces to the one-level scores when it has one level.
        let one = score(&[2], &tally(&[1, 1, 2]), None);
        assert_eq!(one.brier, 0.375);
    }

    #[test]
    fn ties_between_a_set_and_a_level_go_to_the_lower() {
        // {1, 2} = 0.5 against level 0 = 0.5: level 0 is lower, so not modal.
        assert!(!score(&[1, 2], &tally(&[2, 1, 1]), None).modal);
        // {0, 1} = 0.5 against level 2 = 0.5: the set is lower, modal.
        assert!(score(&[0, 1], &tally(&[1, 1, 2]), None).modal);
    }

    #[test]
    fn blockers_share_is_reported_when_recorded() {
        let s = score(&[0], &tally(&[3, 1]), Some(3));
        let b = s.blockers.unwrap();
        assert_eq!((b.count, b.probability), (3, 0.75));
        assert!(score(&[0], &tally(&[3, 1]), None).blockers.is_none());
    }

    #[test]
    fn a_library_is_scored_by_alliance_beside_the_baselines() {
        let (a, b, c) = (
            score(&[1], &tally(&[0, 4]), None),
            score(&[0], &tally(&[1, 3]), None),
            score(&[1], &tally(&[2, 2]), None),
        );
        let case = |alliance, score| LibraryCase {
            alliance,
            requested: 1,
            levels: 2,
            score,
        };
        let lib = score_library(&[case("X", &a), case("Y", &b), case("X", &c)]);
        let names: Vec<&str> = lib.groups.iter().map(|g| g.alliance.as_str()).collect();
        assert_eq!(names, ["X", "Y", "all"]);
        assert_eq!(lib.groups[0].model.cases, 2);
        assert_eq!(lib.groups[2].model.cases, 3);
        // "Granted" is right for X's two cases and wrong for Y's.
        assert_eq!(lib.granted[0].probability, 1.0);
        assert_eq!(lib.granted[1].probability, 0.0);
        assert_eq!(lib.groups[1].granted.modal, 0);
        // Base rate for case 0 from the others (one none, one granted; +1
        // each): 1/2 on granted.
        assert!((lib.base_rate[0].probability - 0.5).abs() < 1e-12);
        // For Y: two granted, no none; +1 each: none 1/4.
        assert!((lib.base_rate[1].probability - 0.25).abs() < 1e-12);
        let mean = (a.log_score + c.log_score) / 2.0;
        assert!((lib.groups[0].model.mean_log_score - mean).abs() < 1e-12);
    }

    #[test]
    fn a_forecast_of_zero_is_floored() {
        let f = score_forecast(&[0], &[0.0, 1.0], 0.01);
        assert!(f.log_score_floored);
        assert!((f.log_score - 100f64.ln()).abs() < 1e-12);
        assert_eq!(f.brier, 2.0);
        assert!(!f.modal);
    }
}
