//! Line charts of a sweep along one axis: one line per series against x,
//! thinned past [`MAX_LINE_POINTS`] points with a note saying so.
//!
//! Series that coincide stay visible: each has its own dash pattern, and the
//! first series are drawn widest and first, so that a later one lying on an
//! earlier one shows inside it; the legend says which series coincide
//! throughout.

use super::*;
use crate::output::table::thousands;

/// Dash patterns, one per series in turn (the first solid).
const DASHES: [&str; 6] = ["", "7 4", "2 3", "10 3 2 3", "4 4", "1 2"];

/// The stroke of series `k` of `n`: its width (the first widest) and dash
/// pattern, as attributes.
pub(super) fn stroke(k: usize, n: usize, colour: &str) -> (f64, String) {
    let width = if n > 1 {
        1.5 + 3.0 * (n - 1 - k) as f64 / (n - 1) as f64
    } else {
        2.0
    };
    let dash = DASHES[k % DASHES.len()];
    let dash = if dash.is_empty() {
        String::new()
    } else {
        format!(" stroke-dasharray=\"{dash}\"")
    };
    (
        width,
        format!("stroke=\"{colour}\" stroke-width=\"{}\"{dash}", c(width)),
    )
}

/// For each series, the first earlier series it equals at every x (both
/// missing, or within 1e-9), if any.
pub(super) fn same_as(series: &[(String, Vec<f64>)], n: usize) -> Vec<Option<usize>> {
    let equal = |a: &[f64], b: &[f64]| {
        (0..n).all(|i| {
            let (x, y) = (
                a.get(i).copied().unwrap_or(f64::NAN),
                b.get(i).copied().unwrap_or(f64::NAN),
            );
            (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-9
        })
    };
    (0..series.len())
        .map(|k| (0..k).find(|&j| equal(&series[j].1, &series[k].1)))
        .collect()
}

pub(super) fn x_range(xs: &[f64]) -> (f64, f64) {
    let finite: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    if finite.is_empty() {
        return (0.0, 1.0);
    }
    let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if hi - lo > 1e-12 * (1.0 + lo.abs()) {
        (lo, hi)
    } else {
        (lo - 0.5, hi + 0.5)
    }
}

/// Most points per line that [`lines`] draws.
pub const MAX_LINE_POINTS: usize = 1000;

/// The positions of `n` points to draw when at most `max` fit: every k-th
/// (k as small as will do), and always the last; and k.
pub(super) fn thinned(n: usize, max: usize) -> (Vec<usize>, usize) {
    let k = n.div_ceil(max.max(2) - 1).max(1);
    if k == 1 {
        return ((0..n).collect(), 1);
    }
    let mut keep: Vec<usize> = (0..n).step_by(k).collect();
    if keep.last() != Some(&(n - 1)) {
        keep.push(n - 1);
    }
    (keep, k)
}

/// One line per series against `xs`, with a legend; y from 0 to 1. A NaN
/// value (or x) breaks its line. Of more than [`MAX_LINE_POINTS`] points,
/// every k-th is drawn (and the last), and a note under the chart says so.
pub fn lines(
    title: &str,
    x_label: &str,
    xs: &[f64],
    series: &[(String, Vec<f64>)],
    y_label: &str,
) -> String {
    let (keep, k) = thinned(xs.len(), MAX_LINE_POINTS);
    if k == 1 {
        return lines_drawn(title, x_label, xs, series, y_label, None);
    }
    let pick = |v: &[f64]| -> Vec<f64> {
        keep.iter()
            .map(|&i| v.get(i).copied().unwrap_or(f64::NAN))
            .collect()
    };
    let series: Vec<(String, Vec<f64>)> = series
        .iter()
        .map(|(name, ys)| (name.clone(), pick(ys)))
        .collect();
    let note = format!(
        "{} of {} points drawn: every {}, and the last",
        thousands(keep.len() as u64),
        thousands(xs.len() as u64),
        ordinal(k)
    );
    lines_drawn(title, x_label, &pick(xs), &series, y_label, Some(&note))
}

/// "2nd", "3rd", "10th", "21st", ...
pub(super) fn ordinal(k: usize) -> String {
    let suffix = match (k % 10, k % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{k}{suffix}")
}

fn lines_drawn(
    title: &str,
    x_label: &str,
    xs: &[f64],
    series: &[(String, Vec<f64>)],
    y_label: &str,
    note: Option<&str>,
) -> String {
    let same = same_as(series, xs.len());
    let legend_names: Vec<String> = series
        .iter()
        .zip(&same)
        .map(|((name, _), same)| match same {
            Some(j) => format!("{name} (same as {})", series[*j].0),
            None => name.clone(),
        })
        .collect();
    let legend_w = legend_names
        .iter()
        .map(|n| text_width(n, 11.0))
        .fold(60.0, f64::max)
        .min(320.0)
        + 30.0;
    let (mut s, a, height) = probability_frame(
        title,
        (x_label, y_label),
        x_range(xs),
        legend_w,
        series.len(),
        note.is_some(),
    );
    let n = series.len();
    for (k, (_, ys)) in series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let (w, style) = stroke(k, n, colour);
        let mut segments: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for (i, &x) in xs.iter().enumerate() {
            match (x.is_finite(), ys.get(i).copied().and_then(unit)) {
                (true, Some(y)) => segments.last_mut().unwrap().push((a.px(x), a.py(y))),
                _ => segments.push(Vec::new()),
            }
        }
        for seg in segments.iter().filter(|seg| !seg.is_empty()) {
            if seg.len() > 1 {
                let pts: Vec<String> = seg
                    .iter()
                    .map(|(x, y)| format!("{},{}", c(*x), c(*y)))
                    .collect();
                let _ = writeln!(
                    s,
                    "<polyline points=\"{}\" fill=\"none\" {style}/>",
                    pts.join(" ")
                );
            }
            if xs.len() <= 40 || seg.len() == 1 {
                for (x, y) in seg {
                    let _ = writeln!(
                        s,
                        "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{colour}\"/>",
                        c(*x),
                        c(*y),
                        c(w / 2.0 + 1.0)
                    );
                }
            }
        }
    }
    for (k, name) in legend_names.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let (_, style) = stroke(k, n, colour);
        let ly = a.top + 6.0 + 16.0 * k as f64;
        let lx = a.right() + 20.0;
        line(&mut s, lx, ly, lx + 18.0, ly, &style);
        text(
            &mut s,
            lx + 24.0,
            ly + 4.0,
            "start",
            " font-size=\"11\"",
            name,
        );
    }
    footnote(&mut s, a.left, height, note);
    close(s)
}
