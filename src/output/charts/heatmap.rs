//! Heat maps of a sweep over two axes: one cell per point, coloured on a
//! stepped scale with its legend, drawn in blocks past [`MAX_HEAT_CELLS`].
//! Several heat maps on the same axes (one per rule) sit side by side under
//! one colour scale. Cell edges fall on whole pixels, each cell's right edge
//! exactly its neighbour's left edge, so that no seam shows between cells;
//! evenly spaced axes are labelled at round values.

use super::*;
use crate::output::table::thousands;

/// A colour for a value from 0 to 1: from pale yellow through green to dark blue.
pub(super) fn colour(v: f64) -> String {
    const STOPS: [(f64, [f64; 3]); 5] = [
        (0.0, [255.0, 255.0, 204.0]),
        (0.25, [161.0, 218.0, 180.0]),
        (0.5, [65.0, 182.0, 196.0]),
        (0.75, [44.0, 127.0, 184.0]),
        (1.0, [37.0, 52.0, 148.0]),
    ];
    let v = if v.is_finite() {
        v.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mut k = 0;
    while k + 2 < STOPS.len() && v > STOPS[k + 1].0 {
        k += 1;
    }
    let (a, ca) = STOPS[k];
    let (b, cb) = STOPS[k + 1];
    let t = (v - a) / (b - a);
    let mix = |i: usize| (ca[i] + (cb[i] - ca[i]) * t).round().clamp(0.0, 255.0) as u8;
    format!("#{:02x}{:02x}{:02x}", mix(0), mix(1), mix(2))
}

/// Cells drawn without anti-aliasing at their edges, which fall on whole
/// pixels: no seam shows between neighbours.
const CRISP: &str = "shape-rendering=\"crispEdges\"";

/// Labels for a categorical axis of `n` positions, thinned to at most `max`.
fn every(n: usize, max: usize) -> usize {
    n.div_ceil(max.max(1)).max(1)
}

/// Most columns and rows of cells that [`heatmap`] draws.
pub const MAX_HEAT_CELLS: (usize, usize) = (220, 140);

/// A heat map of `values[yi][xi]` (0 to 1) on the grid `xs` by `ys` (the first
/// y at the bottom), with a colour scale legend. Missing or NaN cells are grey.
/// A grid of more than [`MAX_HEAT_CELLS`] columns or rows is drawn in blocks:
/// each cell the mean of a block of neighbouring grid points (labelled by its
/// first), as a note under the chart says.
pub fn heatmap(
    title: &str,
    x_label: &str,
    xs: &[f64],
    y_label: &str,
    ys: &[f64],
    values: &[Vec<f64>],
) -> String {
    heatmaps(
        title,
        x_label,
        xs,
        y_label,
        ys,
        &[(String::new(), values.to_vec())],
    )
}

/// Heat maps of several panels (a name and `values[yi][xi]` each, as for
/// [`heatmap`]) on the same grid, side by side (up to three a row) under
/// one colour scale; each panel is headed by its name.
pub fn heatmaps(
    title: &str,
    x_label: &str,
    xs: &[f64],
    y_label: &str,
    ys: &[f64],
    panels: &[(String, Vec<Vec<f64>>)],
) -> String {
    let bx = xs.len().div_ceil(MAX_HEAT_CELLS.0).max(1);
    let by = ys.len().div_ceil(MAX_HEAT_CELLS.1).max(1);
    if bx == 1 && by == 1 {
        return heatmap_drawn(title, x_label, xs, y_label, ys, panels, None);
    }
    let firsts = |v: &[f64], b: usize| -> Vec<f64> { v.chunks(b).map(|c| c[0]).collect() };
    let (cols, rows) = (xs.len().div_ceil(bx), ys.len().div_ceil(by));
    let blocked: Vec<(String, Vec<Vec<f64>>)> = panels
        .iter()
        .map(|(name, values)| {
            let mut sums = vec![vec![(0.0, 0u32); cols]; rows];
            for (yi, row) in values.iter().enumerate().take(ys.len()) {
                for (xi, v) in row.iter().enumerate().take(xs.len()) {
                    if let Some(v) = unit(*v) {
                        let cell = &mut sums[yi / by][xi / bx];
                        cell.0 += v;
                        cell.1 += 1;
                    }
                }
            }
            let means: Vec<Vec<f64>> = sums
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|&(sum, n)| if n == 0 { f64::NAN } else { sum / f64::from(n) })
                        .collect()
                })
                .collect();
            (name.clone(), means)
        })
        .collect();
    let note = format!(
        "{} by {} points: each cell is the mean of up to {bx} by {by} of them",
        thousands(xs.len() as u64),
        thousands(ys.len() as u64)
    );
    heatmap_drawn(
        title,
        x_label,
        &firsts(xs, bx),
        y_label,
        &firsts(ys, by),
        &blocked,
        Some(&note),
    )
}

/// The edges of `n` cells from `start` over `length` pixels, on whole pixels:
/// cell i spans from edge i to edge i + 1, so neighbours share an edge.
fn edges(start: f64, length: f64, n: usize) -> Vec<f64> {
    (0..=n)
        .map(|i| (start + length * i as f64 / n.max(1) as f64).round())
        .collect()
}

/// Round values to label an axis of evenly spaced `values` (cell i centred
/// at i + 0.5 in cell units), as (position in cell units, value); `None`
/// when the values are not evenly spaced and increasing, whose cells are then
/// labelled by their own values.
fn round_ticks(values: &[f64]) -> Option<Vec<(f64, f64)>> {
    let n = values.len();
    if n < 3 || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let (first, last) = (values[0], values[n - 1]);
    let step = (last - first) / (n - 1) as f64;
    if step <= 0.0 {
        return None;
    }
    let even = values
        .iter()
        .enumerate()
        .all(|(i, v)| (v - (first + step * i as f64)).abs() <= 1e-6 * step);
    if !even {
        return None;
    }
    let tick_step = nice_step(last - first);
    let k0 = (first / tick_step - 1e-9).ceil() as i64;
    let k1 = (last / tick_step + 1e-9).floor() as i64;
    Some(
        (k0..=k1.min(k0 + 20))
            .map(|k| {
                let v = k as f64 * tick_step;
                ((v - first) / step + 0.5, v)
            })
            .collect(),
    )
}

fn heatmap_drawn(
    title: &str,
    x_label: &str,
    xs: &[f64],
    y_label: &str,
    ys: &[f64],
    panels: &[(String, Vec<Vec<f64>>)],
    note: Option<&str>,
) -> String {
    let (nx, ny) = (xs.len().max(1), ys.len().max(1));
    let count = panels.len().max(1);
    let per_row = count.min(3);
    let rows_of_panels = count.div_ceil(per_row);
    let plot_w = if count == 1 { 440.0 } else { 300.0 };
    let plot_h = if count == 1 { 280.0 } else { 220.0 };
    let cell_w = (plot_w / nx as f64).min(60.0);
    let cell_h = (plot_h / ny as f64).min(40.0);
    let (pw, ph) = ((cell_w * nx as f64).round(), (cell_h * ny as f64).round());
    let named = panels.iter().any(|(n, _)| !n.is_empty());
    let head = if named { 18.0 } else { 0.0 };
    let gap_x = 90.0;
    let gap_y = 60.0 + head;
    let left0 = 80.0;
    let top0 = 40.0 + head;
    let width = left0 + per_row as f64 * pw + (per_row - 1) as f64 * gap_x + 100.0;
    let note_h = if note.is_some() { 16.0 } else { 0.0 };
    let grid_h = rows_of_panels as f64 * ph + (rows_of_panels - 1) as f64 * gap_y;
    let height = (top0 + grid_h + 50.0).max(260.0) + note_h;
    let mut s = open(width.max(360.0), height, title);
    let show_text = cell_w >= 30.0 && cell_h >= 14.0;
    let x_ticks = round_ticks(xs);
    let y_ticks = round_ticks(ys);
    for (p, (name, values)) in panels.iter().enumerate() {
        let a = Area {
            left: left0 + (p % per_row) as f64 * (pw + gap_x),
            top: top0 + (p / per_row) as f64 * (ph + gap_y),
            width: pw,
            height: ph,
            x0: 0.0,
            x1: nx as f64,
            y0: 0.0,
            y1: ny as f64,
        };
        if !name.is_empty() {
            text(
                &mut s,
                a.left + a.width / 2.0,
                a.top - 8.0,
                "middle",
                " font-size=\"12\" font-weight=\"bold\"",
                name,
            );
        }
        let ex = edges(a.left, a.width, nx);
        // Row 0 at the bottom: edge j counts up from the bottom.
        let ey: Vec<f64> = edges(0.0, a.height, ny)
            .iter()
            .map(|e| a.bottom() - e)
            .collect();
        for yi in 0..ys.len() {
            for xi in 0..xs.len() {
                let (x, w) = (ex[xi], ex[xi + 1] - ex[xi]);
                let (y, h) = (ey[yi + 1], ey[yi] - ey[yi + 1]);
                match values
                    .get(yi)
                    .and_then(|r| r.get(xi))
                    .copied()
                    .and_then(unit)
                {
                    Some(v) => {
                        rect(
                            &mut s,
                            x,
                            y,
                            w,
                            h,
                            &format!("fill=\"{}\" {CRISP}", colour(v)),
                        );
                        if show_text {
                            let fill = if v > 0.55 { "#ffffff" } else { "#000000" };
                            text(
                                &mut s,
                                x + w / 2.0,
                                y + h / 2.0 + 4.0,
                                "middle",
                                &format!(" font-size=\"10\" fill=\"{fill}\""),
                                &val(v, 2),
                            );
                        }
                    }
                    None => rect(&mut s, x, y, w, h, &format!("fill=\"#cccccc\" {CRISP}")),
                }
            }
        }
        rect(
            &mut s,
            a.left,
            a.top,
            a.width,
            a.height,
            "fill=\"none\" stroke=\"#333333\"",
        );
        let x_at = |pos: f64| a.left + pos / nx as f64 * a.width;
        let y_at = |pos: f64| a.bottom() - pos / ny as f64 * a.height;
        match &x_ticks {
            Some(ticks) => {
                for &(pos, v) in ticks {
                    let x = x_at(pos);
                    line(&mut s, x, a.bottom(), x, a.bottom() + 4.0, AXIS);
                    text(&mut s, x, a.bottom() + 16.0, "middle", "", &tick(v));
                }
            }
            None => {
                let step = every(xs.len(), (a.width / 45.0) as usize);
                for (xi, &x) in xs.iter().enumerate().step_by(step) {
                    if x.is_finite() {
                        let at = x_at(xi as f64 + 0.5);
                        text(&mut s, at, a.bottom() + 16.0, "middle", "", &tick(x));
                    }
                }
            }
        }
        match &y_ticks {
            Some(ticks) => {
                for &(pos, v) in ticks {
                    let y = y_at(pos);
                    line(&mut s, a.left - 4.0, y, a.left, y, AXIS);
                    text(&mut s, a.left - 6.0, y + 4.0, "end", "", &tick(v));
                }
            }
            None => {
                let step = every(ys.len(), (a.height / 16.0) as usize);
                for (yi, &y) in ys.iter().enumerate().step_by(step) {
                    if y.is_finite() {
                        let at = y_at(yi as f64 + 0.5);
                        text(&mut s, a.left - 6.0, at + 4.0, "end", "", &tick(y));
                    }
                }
            }
        }
        text(
            &mut s,
            a.left + a.width / 2.0,
            a.bottom() + 36.0,
            "middle",
            "",
            x_label,
        );
        rotated_text(
            &mut s,
            a.left - 50.0,
            a.top + a.height / 2.0,
            -90,
            "middle",
            y_label,
        );
    }
    // One colour scale for every panel: 20 steps from 0 (bottom) to 1 (top).
    let right = left0 + per_row as f64 * pw + (per_row - 1) as f64 * gap_x;
    let (lx, lh) = (right + 30.0, 200.0f64.min(height - 80.0));
    let ly = edges(top0, lh, 20);
    for k in 0..20 {
        let v = (k as f64 + 0.5) / 20.0;
        // Step k from the bottom.
        let (y0, y1) = (ly[19 - k], ly[20 - k]);
        rect(
            &mut s,
            lx,
            y0,
            16.0,
            y1 - y0,
            &format!("fill=\"{}\" {CRISP}", colour(v)),
        );
    }
    rect(
        &mut s,
        lx,
        top0,
        16.0,
        ly[20] - top0,
        "fill=\"none\" stroke=\"#333333\"",
    );
    for v in [0.0, 0.5, 1.0] {
        text(
            &mut s,
            lx + 22.0,
            top0 + lh - v * lh + 4.0,
            "start",
            " font-size=\"11\"",
            &val(v, 1),
        );
    }
    footnote(&mut s, left0, height, note);
    close(s)
}
