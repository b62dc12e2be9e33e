//! Scatter charts of a sampled sweep (a Latin hypercube, or a grid over
//! more than two parameters): for one varied parameter, each point's value
//! across and a probability up, one marker shape and colour per series, so
//! that a parameter that matters shows as a trend and one that does not as
//! a flat cloud. Past [`MAX_SCATTER_POINTS`] markers, every k-th is drawn,
//! as a note under the chart says.

use super::lines::{ordinal, thinned, x_range};
use super::*;
use crate::output::table::thousands;

/// Most markers that [`scatter`] draws, over all series.
pub const MAX_SCATTER_POINTS: usize = 4000;

/// A marker of series `k` at (x, y): a filled circle, a hollow square or a
/// hollow circle in turn.
fn marker(s: &mut String, k: usize, x: f64, y: f64, colour: &str) {
    match k % 3 {
        0 => {
            let _ = writeln!(
                s,
                "<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{colour}\" fill-opacity=\"0.7\"/>",
                c(x),
                c(y)
            );
        }
        1 => rect(
            s,
            x - 3.0,
            y - 3.0,
            6.0,
            6.0,
            &format!("fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.2\""),
        ),
        _ => {
            let _ = writeln!(
                s,
                "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.2\"/>",
                c(x),
                c(y)
            );
        }
    }
}

/// One marker per (x, y) of each series, with a legend (when there is more
/// than one series, or the one has a name); y from 0 to 1. Points with a
/// value that is not finite are left out.
pub fn scatter(
    title: &str,
    x_label: &str,
    series: &[(String, Vec<(f64, f64)>)],
    y_label: &str,
) -> String {
    let total: usize = series.iter().map(|(_, p)| p.len()).sum();
    let per = MAX_SCATTER_POINTS / series.len().max(1);
    let longest = series.iter().map(|(_, p)| p.len()).max().unwrap_or(0);
    let (_, k) = thinned(longest, per.max(2));
    let drawn: Vec<(String, Vec<(f64, f64)>)> = series
        .iter()
        .map(|(name, pts)| {
            let (keep, _) = thinned(pts.len(), per.max(2));
            (name.clone(), keep.iter().map(|&i| pts[i]).collect())
        })
        .collect();
    let note = (k > 1).then(|| {
        let shown: usize = drawn.iter().map(|(_, p)| p.len()).sum();
        format!(
            "{} of {} points drawn: every {}, and the last",
            thousands(shown as u64),
            thousands(total as u64),
            ordinal(k)
        )
    });
    let legend = series.len() > 1 || series.iter().any(|(n, _)| !n.is_empty());
    let legend_w = if legend {
        series
            .iter()
            .map(|(n, _)| text_width(n, 11.0))
            .fold(60.0, f64::max)
            .min(320.0)
            + 30.0
    } else {
        0.0
    };
    let xs: Vec<f64> = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|&(x, _)| x))
        .collect();
    let (mut s, a, height) = probability_frame(
        title,
        (x_label, y_label),
        x_range(&xs),
        legend_w,
        series.len(),
        note.is_some(),
    );
    for (k, (_, pts)) in drawn.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        for &(x, y) in pts {
            if let (true, Some(y)) = (x.is_finite(), unit(y)) {
                marker(&mut s, k, a.px(x), a.py(y), colour);
            }
        }
    }
    if legend {
        for (k, (name, _)) in series.iter().enumerate() {
            let colour = PALETTE[k % PALETTE.len()];
            let ly = a.top + 6.0 + 16.0 * k as f64;
            let lx = a.right() + 20.0;
            marker(&mut s, k, lx + 8.0, ly, colour);
            text(
                &mut s,
                lx + 20.0,
                ly + 4.0,
                "start",
                " font-size=\"11\"",
                name,
            );
        }
    }
    footnote(&mut s, a.left, height, note.as_deref());
    close(s)
}
