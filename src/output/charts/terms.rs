//! The "why" chart of a run page: each member's utility for the requested
//! option, term by term, beside how it voted in the runs.
//!
//! One row per member. On the left, a diverging stacked bar: the terms that
//! speak for the option (security, regime, partner, credibility, and the
//! hegemon's pull when it pulls that way) stack rightward from 0, those
//! against it (sovereignty, cost, ties to the adversary, a pull the other
//! way) leftward, each as long as its value on the x axis. A black line with
//! a dot marks the utility the member votes on (the terms and the pull
//! added up), a green tick the level above which it votes yes and a red tick
//! the level below which it votes no. On the right, the shares of runs in
//! which it voted yes, no or abstained, as a bar and as numbers, and how
//! often it alone blocked the option.
//!
//! The numbers come from one noise-free evaluation (see
//! [`crate::model::explain`]); the caller says so in the caption.

use std::fmt::Write;

use super::{
    c, close, fit_label, line, nice_step, open, rect, text, text_width, tick, val, Area, AXIS, GRID,
};

/// What each of [`TermsRow::terms`] is, in order, as the legend names it.
pub const TERM_NAMES: [&str; 8] = [
    "security",
    "regime",
    "partner",
    "credibility",
    "sovereignty",
    "cost",
    "ties to the adversary",
    "hegemon's pull",
];

/// The fill of each term's segment, in [`TERM_NAMES`] order.
pub const TERM_FILLS: [&str; 8] = [
    "#1f77b4", "#9467bd", "#17becf", "#bcbd22", "#ff7f0e", "#8c564b", "#e377c2", "#999999",
];

/// Fills of the vote-share bar: yes, no, abstain.
pub const VOTE_FILLS: [&str; 3] = ["#4daf4a", "#e41a1c", "#d9d9d9"];

/// Colour of the yes threshold's tick.
pub const YES_TICK: &str = "#1a7f1a";
/// Colour of the no threshold's tick.
pub const NO_TICK: &str = "#b00000";

/// Pixels between two rows.
const ROW: f64 = 24.0;
/// Height of a bar.
const BAR: f64 = 12.0;
/// Font size of labels, values and legend.
const SMALL: f64 = 11.0;
/// Widest label column, in pixels.
const MAX_LABEL_WIDTH: f64 = 220.0;
/// Width of the vote-share bar.
const VOTE_BAR: f64 = 110.0;
/// Width of one number column beside it.
const VOTE_COL: f64 = 46.0;

/// How a member voted on the requested option over the runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VoteShares {
    /// Share of runs voting yes.
    pub yes: f64,
    /// Share of runs voting no.
    pub no: f64,
    /// Share of runs abstaining.
    pub abstain: f64,
    /// Share of runs in which it was the only member to block the option.
    pub sole_blocker: f64,
}

/// One member's row.
#[derive(Debug, Clone, PartialEq)]
pub struct TermsRow {
    /// The member as shown, e.g. `Russia (RUS)`.
    pub label: String,
    /// The signed terms in [`TERM_NAMES`] order: the seven terms of its own
    /// utility, then what the hegemon's pull adds.
    pub terms: [f64; 8],
    /// The utility it votes on: the terms and the pull added up.
    pub perceived: f64,
    /// It votes yes above this.
    pub yes_above: f64,
    /// It votes no below this.
    pub no_below: f64,
    /// Its votes over the runs; `None` when it took no part (a party
    /// excluded from the vote).
    pub votes: Option<VoteShares>,
}

/// The extent of a row's bar: (leftmost, rightmost) value it reaches.
fn extent(r: &TermsRow) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    let (mut neg, mut pos) = (0.0, 0.0);
    for v in r.terms.iter().copied().filter(|v| v.is_finite()) {
        if v < 0.0 {
            neg += v;
        } else {
            pos += v;
        }
    }
    for v in [neg, pos, r.perceived, r.yes_above, r.no_below] {
        if v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    (lo, hi)
}

/// The segments of a row's bar: (term index, from, to) in values, positive
/// terms stacked rightward from 0 and negative ones leftward, in
/// [`TERM_NAMES`] order; zero and non-finite terms draw nothing.
pub fn segments(terms: &[f64; 8]) -> Vec<(usize, f64, f64)> {
    let (mut neg, mut pos) = (0.0, 0.0);
    let mut out = Vec::new();
    for (i, v) in terms.iter().copied().enumerate() {
        if !v.is_finite() || v == 0.0 {
            continue;
        }
        if v > 0.0 {
            out.push((i, pos, pos + v));
            pos += v;
        } else {
            out.push((i, neg + v, neg));
            neg += v;
        }
    }
    out
}

/// The chart. `x_label` names the axis and its unit; `caption` lines are
/// written under it (say where the numbers come from).
pub fn utility_terms(title: &str, rows: &[TermsRow], x_label: &str, caption: &[&str]) -> String {
    let label_w = rows
        .iter()
        .map(|r| text_width(&r.label, SMALL))
        .fold(40.0, f64::max)
        .min(MAX_LABEL_WIDTH);
    let (lo, hi) = rows
        .iter()
        .map(extent)
        .fold((0.0f64, 0.0f64), |(a, b), (l, h)| (a.min(l), b.max(h)));
    let step = nice_step((hi - lo).max(1e-9));
    let x0 = ((lo / step) + 1e-9).floor() * step;
    let x1 = ((hi / step) - 1e-9).ceil() * step;
    let (x0, x1) = if x1 > x0 { (x0, x1) } else { (-1.0, 1.0) };

    // Legend: the terms, then the markers, four to a line.
    let mut legend: Vec<(&str, &str)> = TERM_NAMES
        .iter()
        .zip(TERM_FILLS)
        .map(|(n, f)| (*n, f))
        .collect();
    legend.push(("utility voted on (dot)", "#000000"));
    legend.push(("votes yes above", YES_TICK));
    legend.push(("votes no below", NO_TICK));
    let per_line = 4;
    let legend_top = 38.0;
    let legend_lines = legend.len().div_ceil(per_line);
    let header_y = legend_top + 16.0 * legend_lines as f64 + 16.0;
    let a = Area {
        left: label_w + 20.0,
        top: header_y + 8.0,
        width: 460.0,
        height: ROW * rows.len().max(1) as f64,
        x0,
        x1,
        y0: 0.0,
        y1: 1.0,
    };
    let votes_left = a.right() + 30.0;
    let width = (votes_left + VOTE_BAR + 8.0 + 4.0 * VOTE_COL + 10.0).max(a.left + 600.0);
    let height = a.bottom() + 48.0 + 14.0 * caption.len() as f64;
    let mut s = open(width, height, title);

    for (k, (name, colour)) in legend.iter().enumerate() {
        let x = a.left + 150.0 * (k % per_line) as f64;
        let y = legend_top + 16.0 * (k / per_line) as f64;
        match k.checked_sub(TERM_NAMES.len()) {
            None => rect(&mut s, x, y, 10.0, 10.0, &format!("fill=\"{colour}\"")),
            Some(0) => {
                line(
                    &mut s,
                    x + 5.0,
                    y - 1.0,
                    x + 5.0,
                    y + 11.0,
                    "stroke=\"#000000\" stroke-width=\"2\"",
                );
                let _ = writeln!(
                    s,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"#000000\"/>",
                    c(x + 5.0),
                    c(y + 5.0)
                );
            }
            Some(_) => line(
                &mut s,
                x + 5.0,
                y - 1.0,
                x + 5.0,
                y + 11.0,
                &format!("stroke=\"{colour}\" stroke-width=\"3\""),
            ),
        }
        text(
            &mut s,
            x + 16.0,
            y + 9.0,
            "start",
            " font-size=\"11\"",
            name,
        );
    }

    // Column headings of the vote panel.
    let bold = " font-size=\"11\" font-weight=\"bold\"";
    text(
        &mut s,
        a.left + a.width / 2.0,
        header_y,
        "middle",
        bold,
        "utility of the requested option, term by term",
    );
    text(
        &mut s,
        votes_left,
        header_y,
        "start",
        bold,
        "votes in the runs",
    );
    let cols = ["yes", "no", "abstain", "sole blocker"];
    let col_x = |j: usize| votes_left + VOTE_BAR + 8.0 + VOTE_COL * (j as f64 + 1.0);
    for (j, name) in cols.iter().enumerate() {
        let name = if j == 3 { "sole bl." } else { name };
        text(&mut s, col_x(j), header_y, "end", " font-size=\"10\"", name);
    }

    // Grid and ticks.
    let first = (x0 / step).round() as i64;
    let last = (x1 / step).round() as i64;
    for k in first..=last.min(first + 40) {
        let v = k as f64 * step;
        let x = a.px(v);
        line(&mut s, x, a.top, x, a.bottom(), GRID);
        text(&mut s, x, a.bottom() + 16.0, "middle", "", &tick(v));
    }
    text(
        &mut s,
        a.left + a.width / 2.0,
        a.bottom() + 34.0,
        "middle",
        "",
        x_label,
    );

    for (i, r) in rows.iter().enumerate() {
        let top = a.top + ROW * i as f64;
        let mid = top + ROW / 2.0;
        let bar_top = mid - BAR / 2.0;
        text(
            &mut s,
            a.left - 6.0,
            mid + 4.0,
            "end",
            " font-size=\"11\"",
            &fit_label(&r.label, label_w, SMALL),
        );
        for (term, from, to) in segments(&r.terms) {
            rect(
                &mut s,
                a.px(from),
                bar_top,
                a.px(to) - a.px(from),
                BAR,
                &format!("fill=\"{}\"", TERM_FILLS[term]),
            );
        }
        for (v, colour) in [(r.no_below, NO_TICK), (r.yes_above, YES_TICK)] {
            if v.is_finite() {
                let x = a.px(v);
                line(
                    &mut s,
                    x,
                    bar_top - 4.0,
                    x,
                    bar_top + BAR + 4.0,
                    &format!("stroke=\"{colour}\" stroke-width=\"2\""),
                );
            }
        }
        if r.perceived.is_finite() {
            let x = a.px(r.perceived);
            line(
                &mut s,
                x,
                bar_top - 3.0,
                x,
                bar_top + BAR + 3.0,
                "stroke=\"#000000\" stroke-width=\"1.5\"",
            );
            let _ = writeln!(
                s,
                "<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"#000000\"/>",
                c(x),
                c(mid)
            );
        }
        match r.votes {
            Some(v) => {
                let mut x = votes_left;
                for (share, fill) in [v.yes, v.no, v.abstain].into_iter().zip(VOTE_FILLS) {
                    if let Some(share) = super::unit(share) {
                        rect(
                            &mut s,
                            x,
                            bar_top,
                            share * VOTE_BAR,
                            BAR,
                            &format!("fill=\"{fill}\""),
                        );
                        x += share * VOTE_BAR;
                    }
                }
                for (j, share) in [v.yes, v.no, v.abstain, v.sole_blocker]
                    .into_iter()
                    .enumerate()
                {
                    text(
                        &mut s,
                        col_x(j),
                        mid + 4.0,
                        "end",
                        " font-size=\"11\"",
                        &val(share, 3),
                    );
                }
            }
            None => text(
                &mut s,
                votes_left,
                mid + 4.0,
                "start",
                " font-size=\"11\" fill=\"#555555\"",
                "excluded from the vote",
            ),
        }
    }
    // The zero line, and the axis.
    if x0 < 0.0 && x1 > 0.0 {
        line(&mut s, a.px(0.0), a.top, a.px(0.0), a.bottom(), AXIS);
    }
    line(&mut s, a.left, a.bottom(), a.right(), a.bottom(), AXIS);
    for (k, note) in caption.iter().enumerate() {
        text(
            &mut s,
            10.0,
            a.bottom() + 56.0 + 14.0 * k as f64,
            "start",
            " font-size=\"10\" fill=\"#555555\"",
            note,
        );
    }
    close(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use roxmltree::Document;

    fn row(label: &str, terms: [f64; 8], yes: f64, no: f64) -> TermsRow {
        TermsRow {
            label: label.into(),
            perceived: terms.iter().sum(),
            terms,
            yes_above: yes,
            no_below: no,
            votes: Some(VoteShares {
                yes: 0.25,
                no: 0.5,
                abstain: 0.25,
                sole_blocker: 0.125,
            }),
        }
    }

    fn attr(n: roxmltree::Node, a: &str) -> f64 {
        n.attribute(a).unwrap().parse().unwrap()
    }

    #[test]
    fn segments_stack_outward_from_zero() {
        let t = [0.2, 0.0, 0.1, f64::NAN, -0.3, -0.1, 0.0, -0.05];
        assert_eq!(
            segments(&t),
            vec![
                (0, 0.0, 0.2),
                (2, 0.2, 0.30000000000000004),
                (4, -0.3, 0.0),
                (5, -0.4, -0.3),
                (7, -0.45, -0.4)
            ]
        );
    }

    /// Each segment is as long as its term on the chart's own scale (read
    /// from the grid lines and their labels), the dot sits at the utility
    /// voted on and the ticks at the thresholds.
    #[test]
    fn geometry_equals_the_values() {
        let rows = vec![
            row(
                "Russia (RUS)",
                [0.126, 0.017, 0.023, 0.05, -0.004, -0.468, -0.35, 0.0],
                0.035,
                -0.035,
            ),
            row(
                "Kazakhstan <KAZ>",
                [0.3, 0.01, 0.0, 0.02, -0.2, -0.1, 0.0, -0.3],
                0.05,
                -0.02,
            ),
        ];
        let svg = utility_terms("T", &rows, "utility", &["one line", "two"]);
        crate::output::markup::svg(&svg, "terms");
        assert!(svg.contains("Kazakhstan &lt;KAZ&gt;"));
        let doc = Document::parse(&svg).unwrap();
        let grid: Vec<(f64, f64)> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text") && n.attribute("text-anchor") == Some("middle"))
            .filter_map(|t| Some((t.text()?.parse::<f64>().ok()?, attr(t, "x"))))
            .collect();
        assert!(grid.len() >= 3, "{grid:?}");
        let (a, b) = (grid[0], grid[grid.len() - 1]);
        let per = (b.1 - a.1) / (b.0 - a.0);
        let px = |v: f64| a.1 + (v - a.0) * per;
        let rects: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("rect"))
            .filter(|n| TERM_FILLS.contains(&n.attribute("fill").unwrap_or("")))
            .filter(|n| attr(*n, "height") == BAR)
            .collect();
        let expected: Vec<(usize, f64, f64)> =
            rows.iter().flat_map(|r| segments(&r.terms)).collect();
        assert_eq!(rects.len(), expected.len());
        for (r, (term, from, to)) in rects.iter().zip(&expected) {
            assert_eq!(r.attribute("fill"), Some(TERM_FILLS[*term]));
            assert!((attr(*r, "x") - px(*from)).abs() <= 0.1, "{term}");
            assert!(
                (attr(*r, "width") - (px(*to) - px(*from))).abs() <= 0.15,
                "{term}"
            );
        }
        let dots: Vec<f64> = doc
            .descendants()
            .filter(|n| n.has_tag_name("circle"))
            .map(|n| attr(n, "cx"))
            .collect();
        // The legend's dot, then a dot per member.
        assert_eq!(dots.len(), 3);
        for (d, r) in dots[1..].iter().zip(&rows) {
            assert!((d - px(r.perceived)).abs() <= 0.1);
        }
        for (colour, pick) in [(YES_TICK, 0), (NO_TICK, 1)] {
            let ticks: Vec<f64> = doc
                .descendants()
                .filter(|n| n.has_tag_name("line"))
                .filter(|n| {
                    n.attribute("stroke") == Some(colour)
                        && n.attribute("stroke-width") == Some("2")
                })
                .map(|n| attr(n, "x1"))
                .collect();
            assert_eq!(ticks.len(), rows.len());
            for (t, r) in ticks.iter().zip(&rows) {
                let v = if pick == 0 { r.yes_above } else { r.no_below };
                assert!((t - px(v)).abs() <= 0.1);
            }
        }
        assert!(svg.contains(">0.125<") && svg.contains(">0.500<"));
    }

    #[test]
    fn edge_cases_are_valid() {
        for rows in [
            vec![],
            vec![row("zero", [0.0; 8], 0.0, 0.0)],
            vec![TermsRow {
                votes: None,
                ..row("nan", [f64::NAN; 8], f64::NAN, f64::NAN)
            }],
        ] {
            let svg = utility_terms("t", &rows, "u", &[]);
            crate::output::markup::svg(&svg, "terms");
        }
    }
}
