//! Heat maps of a sweep over two axes: one cell per point, coloured on a
//! stepped scale with its legend, drawn in blocks past [`MAX_HEAT_CELLS`].

use super::*;

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
    let bx = xs.len().div_ceil(MAX_HEAT_CELLS.0).max(1);
    let by = ys.len().div_ceil(MAX_HEAT_CELLS.1).max(1);
    if bx == 1 && by == 1 {
        return heatmap_drawn(title, x_label, xs, y_label, ys, values, None);
    }
    let firsts = |v: &[f64], b: usize| -> Vec<f64> { v.chunks(b).map(|c| c[0]).collect() };
    let (cols, rows) = (xs.len().div_ceil(bx), ys.len().div_ceil(by));
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
    let note = format!(
        "{} by {} points: each cell is the mean of up to {bx} by {by} of them",
        xs.len(),
        ys.len()
    );
    heatmap_drawn(
        title,
        x_label,
        &firsts(xs, bx),
        y_label,
        &firsts(ys, by),
        &means,
        Some(&note),
    )
}

fn heatmap_drawn(
    title: &str,
    x_label: &str,
    xs: &[f64],
    y_label: &str,
    ys: &[f64],
    values: &[Vec<f64>],
    note: Option<&str>,
) -> String {
    let (nx, ny) = (xs.len().max(1), ys.len().max(1));
    let cell_w = (440.0 / nx as f64).min(60.0);
    let cell_h = (280.0 / ny as f64).min(40.0);
    let a = Area {
        left: 80.0,
        top: 40.0,
        width: cell_w * nx as f64,
        height: cell_h * ny as f64,
        x0: 0.0,
        x1: nx as f64,
        y0: 0.0,
        y1: ny as f64,
    };
    let width = a.right() + 100.0;
    let note_h = if note.is_some() { 16.0 } else { 0.0 };
    let height = (a.bottom() + 50.0).max(260.0) + note_h;
    let mut s = open(width.max(360.0), height, title);
    let show_text = cell_w >= 30.0 && cell_h >= 14.0;
    for yi in 0..ys.len() {
        for xi in 0..xs.len() {
            let x = a.px(xi as f64);
            let y = a.py(yi as f64 + 1.0);
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
                        cell_w,
                        cell_h,
                        &format!("fill=\"{}\"", colour(v)),
                    );
                    if show_text {
                        let fill = if v > 0.55 { "#ffffff" } else { "#000000" };
                        text(
                            &mut s,
                            x + cell_w / 2.0,
                            y + cell_h / 2.0 + 4.0,
                            "middle",
                            &format!(" font-size=\"10\" fill=\"{fill}\""),
                            &val(v, 2),
                        );
                    }
                }
                None => rect(&mut s, x, y, cell_w, cell_h, "fill=\"#cccccc\""),
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
    let step = every(xs.len(), (a.width / 45.0) as usize);
    for (xi, &x) in xs.iter().enumerate().step_by(step) {
        if x.is_finite() {
            text(
                &mut s,
                a.px(xi as f64 + 0.5),
                a.bottom() + 16.0,
                "middle",
                "",
                &tick(x),
            );
        }
    }
    let step = every(ys.len(), (a.height / 16.0) as usize);
    for (yi, &y) in ys.iter().enumerate().step_by(step) {
        if y.is_finite() {
            text(
                &mut s,
                a.left - 6.0,
                a.py(yi as f64 + 0.5) + 4.0,
                "end",
                "",
                &tick(y),
            );
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
    // Colour scale: 20 steps from 0 (bottom) to 1 (top).
    let (lx, lh) = (a.right() + 30.0, 200.0f64.min(height - 80.0));
    for k in 0..20 {
        let v = (k as f64 + 0.5) / 20.0;
        let y = a.top + lh - (k as f64 + 1.0) * lh / 20.0;
        rect(
            &mut s,
            lx,
            y,
            16.0,
            lh / 20.0 + 0.5,
            &format!("fill=\"{}\"", colour(v)),
        );
    }
    rect(
        &mut s,
        lx,
        a.top,
        16.0,
        lh,
        "fill=\"none\" stroke=\"#333333\"",
    );
    for v in [0.0, 0.5, 1.0] {
        text(
            &mut s,
            lx + 22.0,
            a.top + lh - v * lh + 4.0,
            "start",
            " font-size=\"11\"",
            &val(v, 1),
        );
    }
    footnote(&mut s, a.left, height, note);
    close(s)
}
