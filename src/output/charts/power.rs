//! The voting-power chart of `power`: one row per member, sorted by power,
//! so that it stays readable with two members or two hundred, however many
//! hold equal power. Each row has the member's id on the left, a bar for its
//! normalized Banzhaf index, a thinner bar for its Shapley-Shubik index and,
//! for a scenario, a point at the share of simulated runs in which it was
//! decisive; the normalized Banzhaf index is written at the right.
//!
//! Rows are [`ROW`] pixels apart with 11-pixel text, so no two labels can
//! overlap; ids too long for the label column are shortened with `…` (the
//! CSV file holds them whole).

use std::fmt::Write;

use super::{
    c, close, fit_label, line, nice_step, open, rect, text, text_width, val, Area, AXIS, PALETTE,
};

/// Pixels between two rows.
pub const ROW: f64 = 16.0;

/// Widest label column, in pixels.
const MAX_LABEL_WIDTH: f64 = 240.0;

/// Font size of the labels, values and legend.
const SMALL: f64 = 11.0;

/// Colour of the normalized Banzhaf bars.
pub const BANZHAF_FILL: &str = PALETTE[0];
/// Colour of the Shapley-Shubik bars.
pub const SHAPLEY_FILL: &str = PALETTE[1];
/// Colour of the simulated decisiveness points.
pub const DECISIVE_FILL: &str = "#222222";

/// One member's row of the power chart.
#[derive(Debug, Clone, PartialEq)]
pub struct PowerRow {
    /// The member's id.
    pub label: String,
    /// Its normalized Banzhaf index.
    pub banzhaf_normalized: f64,
    /// Its Shapley-Shubik index.
    pub shapley_shubik: f64,
    /// Its simulated decisive share, when there was a simulation.
    pub decisive: Option<f64>,
}

/// The order rows are drawn in: by normalized Banzhaf index, then
/// Shapley-Shubik index, largest first; equal rows keep their order.
pub fn order(rows: &[PowerRow]) -> Vec<usize> {
    let key = |v: f64| if v.is_finite() { v } else { f64::NEG_INFINITY };
    let mut idx: Vec<usize> = (0..rows.len()).collect();
    idx.sort_by(|&a, &b| {
        let (ra, rb) = (&rows[a], &rows[b]);
        key(rb.banzhaf_normalized)
            .total_cmp(&key(ra.banzhaf_normalized))
            .then(key(rb.shapley_shubik).total_cmp(&key(ra.shapley_shubik)))
    });
    idx
}

/// The chart: rows in [`order`], values on one axis from 0 to a round
/// number at or above the largest value shown.
pub fn power_bars(title: &str, rows: &[PowerRow]) -> String {
    let simulated = rows.iter().any(|r| r.decisive.is_some());
    let label_w = rows
        .iter()
        .map(|r| text_width(&r.label, SMALL))
        .fold(30.0, f64::max)
        .min(MAX_LABEL_WIDTH);
    let largest = rows
        .iter()
        .flat_map(|r| {
            [
                r.banzhaf_normalized,
                r.shapley_shubik,
                r.decisive.unwrap_or(0.0),
            ]
        })
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let step = nice_step(largest.max(1e-9));
    let x1 = if largest > 0.0 {
        ((largest / step) - 1e-9).ceil().max(1.0) * step
    } else {
        1.0
    };
    let mut legend = vec![
        ("normalized Banzhaf index", BANZHAF_FILL),
        ("Shapley-Shubik index", SHAPLEY_FILL),
    ];
    if simulated {
        legend.push(("simulated decisive share", DECISIVE_FILL));
    }
    let legend_top = 40.0;
    let a = Area {
        left: label_w + 20.0,
        top: legend_top + 16.0 * legend.len() as f64 + 10.0,
        width: 400.0,
        height: ROW * rows.len().max(1) as f64,
        x0: 0.0,
        x1,
        y0: 0.0,
        y1: 1.0,
    };
    let value_w = text_width("0.000", SMALL) + 16.0;
    let width = a.right() + value_w + 10.0;
    let height = a.bottom() + 50.0;
    let mut s = open(width, height, title);
    for (k, (name, colour)) in legend.iter().enumerate() {
        let y = legend_top + 16.0 * k as f64;
        if *colour == DECISIVE_FILL {
            let _ = writeln!(
                s,
                "<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{colour}\"/>",
                c(a.left + 5.0),
                c(y + 5.0)
            );
        } else {
            rect(&mut s, a.left, y, 10.0, 10.0, &format!("fill=\"{colour}\""));
        }
        text(
            &mut s,
            a.left + 16.0,
            y + 9.0,
            "start",
            " font-size=\"11\"",
            name,
        );
    }
    // Ticks at round values: vertical grid lines labelled under the axis.
    let ticks = (x1 / step).round() as i64;
    for k in 0..=ticks.min(20) {
        let v = k as f64 * step;
        let x = a.px(v);
        line(&mut s, x, a.top, x, a.bottom(), super::GRID);
        text(&mut s, x, a.bottom() + 16.0, "middle", "", &super::tick(v));
    }
    text(
        &mut s,
        a.left + a.width / 2.0,
        a.bottom() + 36.0,
        "middle",
        "",
        "voting power (share of all decisive positions or of orders)",
    );
    for (row, &i) in order(rows).iter().enumerate() {
        let r = &rows[i];
        let top = a.top + ROW * row as f64;
        let mid = top + ROW / 2.0;
        text(
            &mut s,
            a.left - 6.0,
            mid + 4.0,
            "end",
            " font-size=\"11\"",
            &fit_label(&r.label, label_w, SMALL),
        );
        if let Some(b) = super::unit(r.banzhaf_normalized) {
            rect(
                &mut s,
                a.left,
                top + 2.0,
                a.px(b) - a.left,
                7.0,
                &format!("fill=\"{BANZHAF_FILL}\""),
            );
            text(
                &mut s,
                a.right() + 8.0,
                mid + 4.0,
                "start",
                " font-size=\"11\"",
                &val(b, 3),
            );
        }
        if let Some(v) = super::unit(r.shapley_shubik) {
            rect(
                &mut s,
                a.left,
                top + 10.0,
                a.px(v) - a.left,
                4.0,
                &format!("fill=\"{SHAPLEY_FILL}\""),
            );
        }
        if let Some(d) = r.decisive.and_then(super::unit) {
            let _ = writeln!(
                s,
                "<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{DECISIVE_FILL}\"/>",
                c(a.px(d)),
                c(mid)
            );
        }
    }
    line(&mut s, a.left, a.top, a.left, a.bottom(), AXIS);
    line(&mut s, a.left, a.bottom(), a.right(), a.bottom(), AXIS);
    close(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize, equal: bool) -> Vec<PowerRow> {
        (0..n)
            .map(|i| {
                let v = if equal {
                    1.0 / n as f64
                } else {
                    (i + 1) as f64 / (n * n) as f64
                };
                PowerRow {
                    label: format!("M{i}"),
                    banzhaf_normalized: v,
                    shapley_shubik: v,
                    decisive: None,
                }
            })
            .collect()
    }

    #[test]
    fn rows_are_sorted_by_power_and_ties_keep_their_order() {
        let r = rows(4, false);
        assert_eq!(order(&r), vec![3, 2, 1, 0]);
        assert_eq!(order(&rows(4, true)), vec![0, 1, 2, 3]);
    }

    #[test]
    fn long_labels_are_shortened() {
        assert_eq!(fit_label("FR", 100.0, SMALL), "FR");
        let long = "x".repeat(100);
        let cut = fit_label(&long, MAX_LABEL_WIDTH, SMALL);
        assert!(cut.ends_with('…'));
        assert!(text_width(&cut, SMALL) <= MAX_LABEL_WIDTH);
    }

    #[test]
    fn the_axis_reaches_the_largest_value() {
        let svg = power_bars("t", &rows(200, true));
        crate::output::markup::svg(&svg, "chart");
        // 1/200 = 0.005: the axis ends at a round value at or above it.
        assert!(svg.contains(">0.005<"), "{svg}");
        let empty = power_bars("none", &[]);
        crate::output::markup::svg(&empty, "chart");
    }
}
