//! Charts as standalone SVG documents, written by hand.
//!
//! Each function returns a complete SVG document (`<svg ...>...</svg>`, no XML
//! declaration) built from `<rect>`, `<line>`, `<polyline>`, `<circle>` and
//! `<text>` elements. The output is deterministic: the same input gives the
//! same bytes (coordinates with one decimal, values with fixed decimals, no
//! timestamps, no element ids, so that several charts can sit in one HTML
//! page). Text is escaped for XML; values that are not finite are never
//! written (a NaN value leaves its bar, point or cell out).
//!
//! Why not `plotters`: it was considered (0.3.7 with only `svg_backend`, whose
//! text path needs no font files and escapes text), but every chart here needs
//! custom drawing anyway (whiskers, a heat map with a stepped colour legend,
//! labelled points, a tornado), plotters writes floats with `{}` formatting and
//! an `xmlns` that has to be post-processed for the HTML report, and its text
//! layout uses a crude width estimate that is no better than ours. Writing the
//! few elements by hand keeps the crate free of a new dependency and gives full
//! control over escaping, rounding and edge cases (empty series, a single point,
//! NaN).

mod calibration;
mod power;

pub use calibration::{grouped_bars, reliability, reliability_bins, ReliabilitySeries};
pub use power::{power_bars, PowerRow};

use std::fmt::Write;

const PALETTE: [&str; 10] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];

/// Escapes text for XML element content and attribute values, in SVG and
/// in the HTML report alike. Characters a document may not hold are
/// replaced with U+FFFD (the replacement character): those XML 1.0 forbids
/// (the C0 controls but tab, line feed and carriage return; U+FFFE and
/// U+FFFF) and those it and HTML ask documents to avoid (DEL, the C1
/// controls, the noncharacters U+FDD0-U+FDEF and the last two code points of
/// every plane), so that what is written always parses.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if !fit_for_xml(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Whether a document may hold `c` as it is (see [`escape`]).
fn fit_for_xml(c: char) -> bool {
    let u = c as u32;
    let control = (u < 0x20 && !matches!(c, '\t' | '\n' | '\r')) || (0x7f..=0x9f).contains(&u);
    let noncharacter = (0xfdd0..=0xfdef).contains(&u) || (u & 0xfffe) == 0xfffe;
    !control && !noncharacter
}

/// A coordinate with one decimal; never NaN (non-finite becomes 0).
fn c(v: f64) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let s = format!("{v:.1}");
    if s == "-0.0" {
        "0.0".to_string()
    } else {
        s
    }
}

/// A value label with `d` decimals.
fn val(v: f64, d: usize) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let s = format!("{v:.d$}");
    if s.starts_with('-') && s.trim_start_matches(['-', '0', '.']).is_empty() {
        s[1..].to_string()
    } else {
        s
    }
}

/// An axis tick label: three decimals with trailing zeros removed.
fn tick(v: f64) -> String {
    let s = val(v, 3);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

fn unit(v: f64) -> Option<f64> {
    v.is_finite().then(|| v.clamp(0.0, 1.0))
}

/// Rough width of a text in pixels at the given font size.
fn text_width(s: &str, size: f64) -> f64 {
    s.chars().count() as f64 * size * 0.6
}

fn open(w: f64, h: f64, title: &str) -> String {
    // Wide enough for the title.
    let w = w.max(text_width(title, 15.0) * 1.05 + 40.0);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n<title>{t}</title>\n\
         <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n\
         <text x=\"{cx}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{t}</text>\n",
        w = c(w),
        h = c(h),
        cx = c(w / 2.0),
        t = escape(title)
    );
    s
}

fn close(mut s: String) -> String {
    s.push_str("</svg>\n");
    s
}

fn line(s: &mut String, x1: f64, y1: f64, x2: f64, y2: f64, style: &str) {
    let _ = writeln!(
        s,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" {style}/>",
        c(x1),
        c(y1),
        c(x2),
        c(y2)
    );
}

fn rect(s: &mut String, x: f64, y: f64, w: f64, h: f64, style: &str) {
    let _ = writeln!(
        s,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {style}/>",
        c(x),
        c(y),
        c(w.max(0.0)),
        c(h.max(0.0))
    );
}

fn text(s: &mut String, x: f64, y: f64, anchor: &str, extra: &str, body: &str) {
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\"{extra}>{}</text>",
        c(x),
        c(y),
        escape(body)
    );
}

fn rotated_text(s: &mut String, x: f64, y: f64, angle: i32, anchor: &str, body: &str) {
    let _ = writeln!(
        s,
        "<text x=\"{x}\" y=\"{y}\" text-anchor=\"{anchor}\" transform=\"rotate({angle} {x} {y})\">{}</text>",
        escape(body),
        x = c(x),
        y = c(y)
    );
}

/// A chart's footnote (how it was thinned, say), at the bottom left.
fn footnote(s: &mut String, left: f64, height: f64, note: Option<&str>) {
    if let Some(note) = note {
        text(
            s,
            left,
            height - 6.0,
            "start",
            " font-size=\"10\" fill=\"#555555\"",
            note,
        );
    }
}

/// A plot area: pixel rectangle and data ranges.
struct Area {
    left: f64,
    top: f64,
    width: f64,
    height: f64,
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

impl Area {
    fn px(&self, x: f64) -> f64 {
        self.left + (x - self.x0) / (self.x1 - self.x0) * self.width
    }
    fn py(&self, y: f64) -> f64 {
        self.top + self.height - (y - self.y0) / (self.y1 - self.y0) * self.height
    }
    fn bottom(&self) -> f64 {
        self.top + self.height
    }
    fn right(&self) -> f64 {
        self.left + self.width
    }
}

const GRID: &str = "stroke=\"#dddddd\" stroke-width=\"1\"";
const AXIS: &str = "stroke=\"#333333\" stroke-width=\"1\"";

/// Horizontal grid lines and labels for y from 0 to 1, the axis lines and the
/// rotated y label.
fn y_axis_unit(s: &mut String, a: &Area, y_label: &str) {
    for i in 0..=5 {
        let v = i as f64 / 5.0;
        let y = a.py(v);
        line(s, a.left, y, a.right(), y, GRID);
        text(s, a.left - 6.0, y + 4.0, "end", "", &val(v, 1));
    }
    line(s, a.left, a.top, a.left, a.bottom(), AXIS);
    line(s, a.left, a.bottom(), a.right(), a.bottom(), AXIS);
    rotated_text(
        s,
        a.left - 40.0,
        a.top + a.height / 2.0,
        -90,
        "middle",
        y_label,
    );
}

/// Vertical grid lines and labels for x from 0 to 1, and the x label.
fn x_axis_unit(s: &mut String, a: &Area, x_label: &str) {
    for i in 0..=5 {
        let x = a.px(i as f64 / 5.0);
        line(s, x, a.top, x, a.bottom(), GRID);
        text(
            s,
            x,
            a.bottom() + 16.0,
            "middle",
            "",
            &val(i as f64 / 5.0, 1),
        );
    }
    text(
        s,
        a.left + a.width / 2.0,
        a.bottom() + 36.0,
        "middle",
        "",
        x_label,
    );
}

/// Vertical grid lines and labels at five evenly spaced x values.
/// A round step (1, 2, 2.5 or 5 times a power of ten) giving about four
/// intervals over `span`.
fn nice_step(span: f64) -> f64 {
    let raw = span / 4.0;
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude)
}

fn x_axis_numeric(s: &mut String, a: &Area, x_label: &str) {
    // Ticks at round values inside the axis (0 among them when in range).
    let step = nice_step(a.x1 - a.x0);
    let first = (a.x0 / step - 1e-9).ceil() as i64;
    let last = (a.x1 / step + 1e-9).floor() as i64;
    for k in first..=last.min(first + 20) {
        let v = k as f64 * step;
        let x = a.px(v);
        line(s, x, a.top, x, a.bottom(), GRID);
        text(s, x, a.bottom() + 16.0, "middle", "", &tick(v));
    }
    text(
        s,
        a.left + a.width / 2.0,
        a.bottom() + 36.0,
        "middle",
        "",
        x_label,
    );
}

/// Bars with 95% interval whiskers, one per option; y from 0 to 1.
pub fn outcome_bars(
    title: &str,
    options: &[String],
    p: &[f64],
    ci_low: &[f64],
    ci_high: &[f64],
) -> String {
    let n = options.len();
    let band_min = 70.0;
    let width = (90.0 + band_min * n as f64).max(480.0);
    let plot_w = width - 90.0;
    let band = if n == 0 { plot_w } else { plot_w / n as f64 };
    let longest = options
        .iter()
        .map(|o| text_width(o, 12.0))
        .fold(0.0, f64::max);
    let rotate = longest > band - 6.0;
    let label_h = if rotate { longest * 0.6 + 20.0 } else { 24.0 };
    let height = 320.0 + label_h;
    let a = Area {
        left: 70.0,
        top: 40.0,
        width: plot_w,
        height: 260.0,
        x0: 0.0,
        x1: 1.0,
        y0: 0.0,
        y1: 1.0,
    };
    let mut s = open(width, height, title);
    y_axis_unit(&mut s, &a, "probability");
    for (i, name) in options.iter().enumerate() {
        let cx = a.left + band * (i as f64 + 0.5);
        let bw = band * 0.6;
        if let Some(v) = p.get(i).copied().and_then(unit) {
            let y = a.py(v);
            rect(
                &mut s,
                cx - bw / 2.0,
                y,
                bw,
                a.bottom() - y,
                &format!("fill=\"{}\"", PALETTE[0]),
            );
            let lo = ci_low.get(i).copied().and_then(unit);
            let hi = ci_high.get(i).copied().and_then(unit);
            let mut top_y = y;
            if let (Some(lo), Some(hi)) = (lo, hi) {
                let (ylo, yhi) = (a.py(lo), a.py(hi));
                let st = "stroke=\"#222222\" stroke-width=\"1.5\"";
                line(&mut s, cx, ylo, cx, yhi, st);
                line(&mut s, cx - bw / 4.0, ylo, cx + bw / 4.0, ylo, st);
                line(&mut s, cx - bw / 4.0, yhi, cx + bw / 4.0, yhi, st);
                top_y = top_y.min(yhi);
            }
            text(
                &mut s,
                cx,
                top_y - 5.0,
                "middle",
                " font-size=\"11\"",
                &val(v, 3),
            );
        }
        if rotate {
            rotated_text(&mut s, cx + 4.0, a.bottom() + 12.0, -35, "end", name);
        } else {
            text(&mut s, cx, a.bottom() + 16.0, "middle", "", name);
        }
    }
    text(
        &mut s,
        a.left,
        height - 6.0,
        "start",
        " font-size=\"10\" fill=\"#555555\"",
        "bars: share of runs; whiskers: 95% interval",
    );
    close(s)
}

fn x_range(xs: &[f64]) -> (f64, f64) {
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
fn thinned(n: usize, max: usize) -> (Vec<usize>, usize) {
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
        keep.len(),
        xs.len(),
        ordinal(k)
    );
    lines_drawn(title, x_label, &pick(xs), &series, y_label, Some(&note))
}

/// "2nd", "3rd", "10th", "21st", ...
fn ordinal(k: usize) -> String {
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
    let legend_w = series
        .iter()
        .map(|(n, _)| text_width(n, 11.0))
        .fold(60.0, f64::max)
        .min(260.0)
        + 30.0;
    let width = 70.0 + 440.0 + 20.0 + legend_w;
    let note_h = if note.is_some() { 16.0 } else { 0.0 };
    let height = (40.0 + 280.0 + 50.0f64).max(60.0 + 16.0 * series.len() as f64) + note_h;
    let (x0, x1) = x_range(xs);
    let a = Area {
        left: 70.0,
        top: 40.0,
        width: 440.0,
        height: 280.0,
        x0,
        x1,
        y0: 0.0,
        y1: 1.0,
    };
    let mut s = open(width, height, title);
    x_axis_numeric(&mut s, &a, x_label);
    y_axis_unit(&mut s, &a, y_label);
    for (k, (name, ys)) in series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
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
                    "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
                    pts.join(" ")
                );
            }
            if xs.len() <= 40 || seg.len() == 1 {
                for (x, y) in seg {
                    let _ = writeln!(
                        s,
                        "<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{colour}\"/>",
                        c(*x),
                        c(*y)
                    );
                }
            }
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
            name,
        );
    }
    footnote(&mut s, a.left, height, note);
    close(s)
}

/// A colour for a value from 0 to 1: from pale yellow through green to dark blue.
fn colour(v: f64) -> String {
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

/// Horizontal bars in the given order (the caller sorts), from 0 to each value,
/// with a thin error bar of plus or minus `spread`.
pub fn tornado(
    title: &str,
    labels: &[String],
    values: &[f64],
    spread: &[f64],
    value_label: &str,
) -> String {
    let n = labels.len();
    let label_w = labels
        .iter()
        .map(|l| text_width(l, 12.0))
        .fold(40.0, f64::max)
        .min(260.0);
    let row = 24.0;
    let mut lo: f64 = 0.0;
    let mut hi: f64 = 0.0;
    for i in 0..n {
        let v = values.get(i).copied().unwrap_or(f64::NAN);
        if !v.is_finite() {
            continue;
        }
        let sp = spread
            .get(i)
            .copied()
            .filter(|s| s.is_finite())
            .unwrap_or(0.0)
            .abs();
        lo = lo.min(v - sp);
        hi = hi.max(v + sp);
    }
    if hi - lo < 1e-12 {
        hi = lo + 1.0;
    }
    let a = Area {
        left: label_w + 20.0,
        top: 40.0,
        width: 420.0,
        height: row * n.max(1) as f64,
        x0: lo,
        x1: hi,
        y0: 0.0,
        y1: 1.0,
    };
    let width = a.right() + 30.0;
    let height = a.bottom() + 50.0;
    let mut s = open(width, height, title);
    x_axis_numeric(&mut s, &a, value_label);
    let zero = a.px(0.0);
    for (i, label) in labels.iter().enumerate() {
        let yc = a.top + row * (i as f64 + 0.5);
        text(&mut s, a.left - 6.0, yc + 4.0, "end", "", label);
        let Some(v) = values.get(i).copied().filter(|v| v.is_finite()) else {
            continue;
        };
        let xv = a.px(v);
        let colour = if v >= 0.0 { PALETTE[0] } else { PALETTE[3] };
        rect(
            &mut s,
            zero.min(xv),
            yc - row * 0.35,
            (xv - zero).abs(),
            row * 0.7,
            &format!("fill=\"{colour}\""),
        );
        if let Some(sp) = spread.get(i).copied().filter(|s| s.is_finite() && *s > 0.0) {
            let (x1, x2) = (a.px(v - sp), a.px(v + sp));
            let st = "stroke=\"#222222\" stroke-width=\"1\"";
            line(&mut s, x1, yc, x2, yc, st);
            line(&mut s, x1, yc - 4.0, x1, yc + 4.0, st);
            line(&mut s, x2, yc - 4.0, x2, yc + 4.0, st);
        }
    }
    line(&mut s, zero, a.top, zero, a.bottom(), AXIS);
    line(&mut s, a.left, a.bottom(), a.right(), a.bottom(), AXIS);
    close(s)
}

#[cfg(test)]
mod tick_tests {
    use super::nice_step;

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(1.0), 0.25);
        assert_eq!(nice_step(4.0), 1.0);
        assert_eq!(nice_step(1.691), 0.5);
        assert_eq!(nice_step(0.0), 1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// Parses the chart as XML and checks it (see `markup`).
    fn check(svg: &str) {
        crate::output::markup::svg(svg, "chart");
        assert!(svg.ends_with("</svg>\n"), "{svg}");
    }

    #[test]
    fn escape_handles_markup() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
    }

    #[test]
    fn escape_replaces_what_xml_forbids() {
        assert_eq!(
            escape("a\u{0}b\u{1b}c\u{ffff}d\u{fffe}e\u{85}f\u{7f}g\u{fdd0}h\u{1fffe}i\u{10ffff}"),
            "a\u{fffd}b\u{fffd}c\u{fffd}d\u{fffd}e\u{fffd}f\u{fffd}g\u{fffd}h\u{fffd}i\u{fffd}"
        );
        // Allowed text is kept as it is, astral characters included.
        let fine = "tab\there\nline\r – Ελλάδα 日本 \u{1f30d} \u{fffd} \u{fdcf} \u{fdf0}";
        assert_eq!(escape(fine), fine);
    }

    #[test]
    fn outcome_bars_is_valid_and_escaped() {
        let opts = names(&["no_action", "a<b", "x&y"]);
        let svg = outcome_bars(
            "T <&>",
            &opts,
            &[0.0, 0.5, 1.0],
            &[0.0, 0.4, 0.98],
            &[0.01, 0.6, 1.0],
        );
        check(&svg);
        assert!(svg.contains("T &lt;&amp;&gt;"));
        assert!(svg.contains("a&lt;b") && svg.contains("x&amp;y"));
        assert!(svg.contains("probability"));
        assert!(svg.contains("0.500") && svg.contains("1.000") && svg.contains("0.000"));
    }

    #[test]
    fn outcome_bars_edge_cases() {
        check(&outcome_bars("empty", &[], &[], &[], &[]));
        let one = names(&["only"]);
        check(&outcome_bars(
            "one",
            &one,
            &[f64::NAN],
            &[f64::NAN],
            &[f64::NAN],
        ));
        // Shorter value slices than options, long labels rotate.
        let long = names(&["a_very_long_option_name_indeed", "another_long_option_name"]);
        let svg = outcome_bars("long", &long, &[0.3], &[], &[]);
        check(&svg);
        assert!(svg.contains("rotate(-35"));
    }

    #[test]
    fn lines_is_valid_and_handles_edge_cases() {
        let series = vec![
            ("unanimity: a<b".to_string(), vec![0.0, 0.5, 1.0]),
            ("majority".to_string(), vec![1.0, f64::NAN, 0.0]),
        ];
        let svg = lines("L", "x & y", &[1.0, 2.0, 3.0], &series, "probability");
        check(&svg);
        assert!(svg.contains("unanimity: a&lt;b") && svg.contains("x &amp; y"));
        assert!(svg.contains("<polyline"));
        check(&lines("empty", "x", &[], &[], "p"));
        check(&lines("no series", "x", &[0.0, 1.0], &[], "p"));
        let single = lines("single", "x", &[0.5], &[("s".to_string(), vec![0.5])], "p");
        check(&single);
        assert!(single.contains("<circle"));
        check(&lines(
            "nan x",
            "x",
            &[f64::NAN, 1.0],
            &[("s".into(), vec![0.1, 0.2])],
            "p",
        ));
    }

    #[test]
    fn heatmap_is_valid_and_handles_edge_cases() {
        let values = vec![vec![0.0, 0.5, 1.0], vec![f64::NAN, 0.25, 0.75]];
        let svg = heatmap(
            "H <x>",
            "cost",
            &[1.0, 2.0, 3.0],
            "framing",
            &[0.0, 1.0],
            &values,
        );
        check(&svg);
        assert!(svg.contains("H &lt;x&gt;") && svg.contains("cost") && svg.contains("framing"));
        assert!(svg.contains("#cccccc"), "NaN cell is grey");
        assert!(svg.contains(&colour(0.0)) && svg.contains(&colour(1.0)));
        check(&heatmap("empty", "x", &[], "y", &[], &[]));
        check(&heatmap("one", "x", &[0.5], "y", &[0.5], &[vec![0.3]]));
        check(&heatmap(
            "ragged",
            "x",
            &[0.0, 1.0],
            "y",
            &[0.0, 1.0],
            &[vec![0.3]],
        ));
    }

    /// Of 50,000 points a line draws at most `MAX_LINE_POINTS`, the first and
    /// the last among them, and says so; a small series is drawn whole.
    #[test]
    fn long_lines_are_thinned_and_say_so() {
        let n = 50_000;
        let xs: Vec<f64> = (0..n).map(|i| i as f64 / (n - 1) as f64).collect();
        let ys: Vec<f64> = xs.iter().map(|x| x * x).collect();
        let svg = lines("L", "x", &xs, &[("s".into(), ys)], "p");
        check(&svg);
        let points = svg
            .split("points=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a polyline");
        let drawn: Vec<&str> = points.split(' ').collect();
        assert!(drawn.len() <= MAX_LINE_POINTS, "{} points", drawn.len());
        // The first point at x = 0, y = 0 and the last at x = 1, y = 1.
        assert_eq!(drawn[0], "70.0,320.0");
        assert_eq!(*drawn.last().unwrap(), "510.0,40.0");
        assert!(svg.contains("of 50000 points drawn: every 51st, and the last"));
        let small = lines("L", "x", &[0.0, 1.0], &[("s".into(), vec![0.0, 1.0])], "p");
        assert!(!small.contains("points drawn"));
    }

    #[test]
    fn thinning_keeps_the_last_point() {
        assert_eq!(thinned(5, 1000), (vec![0, 1, 2, 3, 4], 1));
        assert_eq!(thinned(10, 4), (vec![0, 4, 8, 9], 4));
        assert_eq!(thinned(0, 4), (vec![], 1));
        assert_eq!(ordinal(2), "2nd");
        assert_eq!(ordinal(11), "11th");
        assert_eq!(ordinal(51), "51st");
    }

    /// A 1,000 by 300 grid is drawn as at most `MAX_HEAT_CELLS` cells, each
    /// the mean of its block, and the chart says so.
    #[test]
    fn large_heat_maps_are_drawn_in_blocks_and_say_so() {
        let (nx, ny) = (1000, 300);
        let xs: Vec<f64> = (0..nx).map(f64::from).collect();
        let ys: Vec<f64> = (0..ny).map(f64::from).collect();
        // Left half 0, right half 1: blocks are means of one value or the other.
        let values: Vec<Vec<f64>> = (0..ny)
            .map(|_| {
                (0..nx)
                    .map(|x| if x < nx / 2 { 0.0 } else { 1.0 })
                    .collect()
            })
            .collect();
        let svg = heatmap("H", "x", &xs, "y", &ys, &values);
        check(&svg);
        let cells = svg.matches("<rect").count();
        let (cols, rows) = MAX_HEAT_CELLS;
        // Cells, plus the background, frame, 20 legend steps and legend frame.
        assert!(cells <= cols * rows + 23, "{cells} rectangles");
        assert!(cells >= 200 * 100, "{cells} rectangles");
        assert!(svg.contains("1000 by 300 points: each cell is the mean of up to 5 by 3 of them"));
        assert!(svg.contains(&colour(0.0)) && svg.contains(&colour(1.0)));
    }

    #[test]
    fn colour_scale_ends() {
        assert_eq!(colour(0.0), "#ffffcc");
        assert_eq!(colour(1.0), "#253494");
        assert_eq!(colour(f64::NAN), colour(0.0));
    }

    #[test]
    fn tornado_is_valid_and_handles_edge_cases() {
        let labels = names(&["members.RUS.weights.cost", "crisis.<framing>"]);
        let svg = tornado("Tor", &labels, &[0.4, -0.2], &[0.05, 0.0], "effect on p");
        check(&svg);
        assert!(svg.contains("crisis.&lt;framing&gt;") && svg.contains("effect on p"));
        check(&tornado("empty", &[], &[], &[], "v"));
        check(&tornado("zero", &names(&["a"]), &[0.0], &[0.0], "v"));
        check(&tornado(
            "nan",
            &names(&["a", "b"]),
            &[f64::NAN, 1.0],
            &[f64::NAN],
            "v",
        ));
    }

    #[test]
    fn power_bars_is_valid_and_escaped() {
        let row = |label: &str, b: f64, d: Option<f64>| PowerRow {
            label: label.to_string(),
            banzhaf_normalized: b,
            shapley_shubik: b,
            decisive: d,
        };
        let rows = vec![
            row("RUS", 1.0, Some(1.0)),
            row("A&B", 0.0, Some(0.0)),
            row("nan", f64::NAN, Some(f64::NAN)),
        ];
        let svg = power_bars("S <&>", &rows);
        check(&svg);
        assert!(svg.contains("A&amp;B") && svg.contains("S &lt;&amp;&gt;"));
        // Two members' points and the legend's.
        assert_eq!(svg.matches("<circle").count(), 3);
        check(&power_bars("empty", &[]));
        // Without a simulation: no points, no legend entry for them.
        let plain = power_bars("plain", &[row("A", 0.5, None), row("B", 0.5, None)]);
        check(&plain);
        assert_eq!(plain.matches("<circle").count(), 0);
        assert!(!plain.contains("simulated"));
    }

    #[test]
    fn numbers_never_negative_zero() {
        assert_eq!(c(-0.0), "0.0");
        assert_eq!(val(-0.0001, 2), "0.00");
        assert_eq!(tick(2.0), "2");
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(-0.0), "0");
    }
}
