//! Charts of a calibration: the reliability diagram (predicted probability
//! against how often it happened) and paired bars of each case's historical
//! outcome before and after the fit.

use std::fmt::Write;

use super::{
    c, close, line, open, rect, rotated_text, text, text_width, unit, x_axis_unit, y_axis_unit,
};
use super::{Area, PALETTE};

/// One forecaster's points on a reliability diagram: per bin, the mean
/// predicted probability, the observed frequency and the number of forecasts.
#[derive(Debug, Clone)]
pub struct ReliabilitySeries {
    /// The forecaster's name, for the legend.
    pub name: String,
    /// (mean predicted, observed frequency, count) per non-empty bin.
    pub bins: Vec<(f64, f64, usize)>,
}

/// Forecasts in `bins` equal-width bins of predicted probability: each pair
/// is (predicted probability, whether it happened).
pub fn reliability_bins(pairs: &[(f64, bool)], bins: usize) -> Vec<(f64, f64, usize)> {
    let bins = bins.max(1);
    let mut sum = vec![(0.0f64, 0usize, 0usize); bins];
    for (p, hit) in pairs {
        let Some(p) = unit(*p) else { continue };
        let b = ((p * bins as f64) as usize).min(bins - 1);
        sum[b].0 += p;
        sum[b].1 += usize::from(*hit);
        sum[b].2 += 1;
    }
    sum.into_iter()
        .filter(|(_, _, n)| *n > 0)
        .map(|(s, hits, n)| (s / n as f64, hits as f64 / n as f64, n))
        .collect()
}

/// Height of a count label's box (10-pixel text).
const LABEL_H: f64 = 10.0;

/// Where a count label went: its box, left edge `x`, from `baseline −
/// LABEL_H` to `baseline`.
#[derive(Debug, Clone, Copy)]
struct Label {
    x: f64,
    baseline: f64,
    width: f64,
}

impl Label {
    fn overlaps(&self, other: &Label) -> bool {
        self.x < other.x + other.width
            && other.x < self.x + self.width
            && self.baseline - LABEL_H < other.baseline
            && other.baseline - LABEL_H < self.baseline
    }
}

/// The first free place for a label of `width` beside a point at height `y`:
/// just above the point, then alternately lower and higher in steps of one
/// line, staying inside the plot (upward first near the x axis, whose tick
/// labels lie below it).
fn place_label(placed: &[Label], x: f64, y: f64, width: f64, a: &Area) -> Label {
    let near_axis = y > a.bottom() - 40.0;
    let mut tries = vec![-6.0];
    for step in 1..=40 {
        let d = 11.0 * step as f64;
        if near_axis {
            tries.extend([-6.0 - d, -6.0 + d]);
        } else {
            tries.extend([-6.0 + d, -6.0 - d]);
        }
    }
    let inside = |b: f64| b - LABEL_H >= a.top - 16.0 && b <= a.bottom() - 2.0;
    tries
        .iter()
        .map(|dy| Label {
            x,
            baseline: y + dy,
            width,
        })
        .filter(|l| inside(l.baseline))
        .find(|l| placed.iter().all(|p| !l.overlaps(p)))
        .unwrap_or(Label {
            x,
            baseline: y - 6.0,
            width,
        })
}

/// A reliability diagram: each series' bins as points joined by a line,
/// labelled with their counts, over the dashed diagonal of perfect
/// calibration.
pub fn reliability(title: &str, series: &[ReliabilitySeries]) -> String {
    let legend_w = series
        .iter()
        .map(|s| text_width(&s.name, 11.0))
        .fold(60.0, f64::max)
        + 40.0;
    let a = Area {
        left: 70.0,
        top: 40.0,
        width: 360.0,
        height: 360.0,
        x0: 0.0,
        x1: 1.0,
        y0: 0.0,
        y1: 1.0,
    };
    let height = a.bottom() + 70.0;
    let mut s = open(a.right() + 20.0 + legend_w, height, title);
    x_axis_unit(&mut s, &a, "predicted probability (mean in bin)");
    y_axis_unit(&mut s, &a, "observed frequency");
    line(
        &mut s,
        a.px(0.0),
        a.py(0.0),
        a.px(1.0),
        a.py(1.0),
        "stroke=\"#999999\" stroke-width=\"1\" stroke-dasharray=\"4 4\"",
    );
    // Count labels of every series, placed once all points are known so
    // that no two overprint (series share bins, and bins of different series
    // can sit a few pixels apart).
    let mut placed: Vec<Label> = Vec::new();
    for (k, series) in series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let pts: Vec<(f64, f64, usize)> = series
            .bins
            .iter()
            .filter_map(|(x, y, n)| Some((a.px(unit(*x)?), a.py(unit(*y)?), *n)))
            .collect();
        if pts.len() > 1 {
            let path: Vec<String> = pts
                .iter()
                .map(|(x, y, _)| format!("{},{}", c(*x), c(*y)))
                .collect();
            let _ = writeln!(
                s,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\"/>",
                path.join(" ")
            );
        }
        for (x, y, n) in &pts {
            let _ = writeln!(
                s,
                "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{colour}\"/>",
                c(*x),
                c(*y)
            );
            let body = format!("n={n}");
            let label = place_label(&placed, *x + 6.0, *y, text_width(&body, 10.0), &a);
            text(
                &mut s,
                label.x,
                label.baseline,
                "start",
                &format!(" font-size=\"10\" fill=\"{colour}\""),
                &body,
            );
            placed.push(label);
        }
        let ly = a.top + 6.0 + 16.0 * k as f64;
        let lx = a.right() + 20.0;
        line(
            &mut s,
            lx,
            ly,
            lx + 18.0,
            ly,
            &format!("stroke=\"{colour}\" stroke-width=\"2\""),
        );
        text(
            &mut s,
            lx + 24.0,
            ly + 4.0,
            "start",
            " font-size=\"11\"",
            &series.name,
        );
    }
    text(
        &mut s,
        a.left,
        height - 8.0,
        "start",
        " font-size=\"10\" fill=\"#555555\"",
        "each case's probability of every outcome, in bins of 0.2; on the diagonal, what is predicted happens as often",
    );
    close(s)
}

/// Grouped bars: for each case, one bar per series (e.g. as written,
/// calibrated, out of sample), y from 0 to 1, with a legend.
pub fn grouped_bars(title: &str, cases: &[String], series: &[(String, Vec<f64>)]) -> String {
    let n = cases.len();
    let k = series.len().max(1);
    let band = (14.0 * k as f64 + 16.0).max(40.0);
    let plot_w = (band * n as f64).max(360.0);
    let longest = cases
        .iter()
        .map(|o| text_width(o, 12.0))
        .fold(0.0, f64::max);
    let label_h = longest * 0.6 + 24.0;
    let legend_h = 18.0 * series.len() as f64;
    let a = Area {
        left: 70.0,
        top: 40.0 + legend_h,
        width: plot_w,
        height: 260.0,
        x0: 0.0,
        x1: 1.0,
        y0: 0.0,
        y1: 1.0,
    };
    let height = a.bottom() + label_h + 10.0;
    let mut s = open(a.right() + 30.0, height, title);
    y_axis_unit(&mut s, &a, "probability of the historical outcome");
    for (j, (name, _)) in series.iter().enumerate() {
        let colour = PALETTE[j % PALETTE.len()];
        let ly = 40.0 + 18.0 * j as f64;
        rect(
            &mut s,
            a.left,
            ly - 9.0,
            12.0,
            12.0,
            &format!("fill=\"{colour}\""),
        );
        text(
            &mut s,
            a.left + 18.0,
            ly + 1.0,
            "start",
            " font-size=\"11\"",
            name,
        );
    }
    let bw = (band - 16.0) / k as f64;
    for (i, case) in cases.iter().enumerate() {
        let x0 = a.left + band * i as f64 + 8.0;
        for (j, (_, values)) in series.iter().enumerate() {
            let Some(v) = values.get(i).copied().and_then(unit) else {
                continue;
            };
            let colour = PALETTE[j % PALETTE.len()];
            let y = a.py(v);
            // A bar of height 0 stays visible as a line on the axis.
            rect(
                &mut s,
                x0 + bw * j as f64,
                y.min(a.bottom() - 1.5),
                bw - 1.0,
                (a.bottom() - y).max(1.5),
                &format!("fill=\"{colour}\""),
            );
        }
        rotated_text(&mut s, x0 + band / 2.0, a.bottom() + 12.0, -35, "end", case);
    }
    close(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The count labels of three forecasters whose bins coincide or sit a
    /// few pixels apart (as on the calibration page of the case library)
    /// never overprint: every pair of label boxes is disjoint.
    #[test]
    fn count_labels_never_overprint() {
        let series: Vec<ReliabilitySeries> = [
            vec![(0.02, 0.04, 64), (0.66, 0.40, 5), (0.97, 0.75, 12)],
            vec![(0.03, 0.05, 61), (0.68, 0.42, 3), (0.97, 0.88, 9)],
            vec![(0.02, 0.03, 62), (0.67, 0.50, 4), (0.98, 0.88, 9)],
        ]
        .into_iter()
        .enumerate()
        .map(|(k, bins)| ReliabilitySeries {
            name: format!("forecaster {k}"),
            bins,
        })
        .collect();
        let svg = reliability("R", &series);
        crate::output::markup::svg(&svg, "reliability");
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let boxes: Vec<(f64, f64, f64, f64)> = doc
            .descendants()
            .filter(|t| t.has_tag_name("text") && t.text().is_some_and(|b| b.starts_with("n=")))
            .map(|t| {
                let x: f64 = t.attribute("x").unwrap().parse().unwrap();
                let y: f64 = t.attribute("y").unwrap().parse().unwrap();
                (x, y - LABEL_H, x + text_width(t.text().unwrap(), 10.0), y)
            })
            .collect();
        assert_eq!(boxes.len(), 9);
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                let apart = a.2 <= b.0 || b.2 <= a.0 || a.3 <= b.1 || b.3 <= a.1;
                assert!(apart, "labels at {a:?} and {b:?} overprint");
            }
        }
    }
}
