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
mod heatmap;
mod lines;
mod power;
mod scatter;
mod terms;
mod tornado;

pub use calibration::{grouped_bars, reliability, reliability_bins, ReliabilitySeries};
pub use heatmap::{heatmap, heatmaps, MAX_HEAT_CELLS};
pub use lines::{lines, MAX_LINE_POINTS};
pub use power::{power_bars, PowerRow};
pub use scatter::{scatter, MAX_SCATTER_POINTS};
pub use terms::{segments, utility_terms, TermsRow, VoteShares, TERM_FILLS, TERM_NAMES};
pub use tornado::tornado;

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

/// `label` cut to fit `width` pixels at font size `size`, with `…` at the
/// end (row labels of the power and terms charts; the CSV keeps them whole).
fn fit_label(label: &str, width: f64, size: f64) -> String {
    let max = (width / (size * 0.6)).floor().max(2.0) as usize;
    if label.chars().count() <= max {
        return label.to_string();
    }
    let mut s: String = label.chars().take(max - 1).collect();
    s.push('…');
    s
}

/// Font size of a chart's title.
const TITLE_SIZE: f64 = 15.0;

/// The title as drawn on a chart `w` pixels wide: whole when it fits, else
/// its beginning and end around "…" (the full title stays in `<title>`,
/// which browsers show on hover). The chart's width never depends on its
/// title, so a long scenario name cannot shrink the chart on a page.
fn fitted_title(title: &str, w: f64) -> String {
    let room = ((w - 24.0) / (TITLE_SIZE * 0.6)).floor().max(8.0) as usize;
    let chars: Vec<char> = title.chars().collect();
    if chars.len() <= room {
        return title.to_string();
    }
    // Keep more of the beginning (the scenario's name) than of the end
    // (what the chart shows, the rule, the runs).
    let keep = room - 1;
    let tail = keep * 2 / 5;
    let head = keep - tail;
    // End the beginning at a space when one is near, not inside a word.
    let head = chars[..head]
        .iter()
        .rposition(|c| *c == ' ')
        .filter(|&space| space > 0 && space + 12 > head)
        .unwrap_or(head);
    let mut s: String = chars[..head]
        .iter()
        .collect::<String>()
        .trim_end()
        .to_string();
    s.push('…');
    s.extend(&chars[chars.len() - tail..]);
    s
}

fn open(w: f64, h: f64, title: &str) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n<title>{t}</title>\n\
         <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n\
         <text x=\"{cx}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{shown}</text>\n",
        w = c(w),
        h = c(h),
        cx = c(w / 2.0),
        t = escape(title),
        shown = escape(&fitted_title(title, w)),
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

/// The frame line charts and scatters share: a 440 × 280 plot of a
/// probability (0 to 1) against a numeric x from `x0` to `x1`, with room on
/// the right for a legend `legend_w` wide of `entries` entries and, when
/// `note`, a line for a footnote. Returns the opened SVG with both axes
/// drawn, the plot area and the chart's height.
fn probability_frame(
    title: &str,
    (x_label, y_label): (&str, &str),
    (x0, x1): (f64, f64),
    legend_w: f64,
    entries: usize,
    note: bool,
) -> (String, Area, f64) {
    let width = 70.0 + 440.0 + 20.0 + legend_w;
    let note_h = if note { 16.0 } else { 0.0 };
    let height = (40.0 + 280.0 + 50.0f64).max(60.0 + 16.0 * entries as f64) + note_h;
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
    (s, a, height)
}

/// Bars with 95% interval whiskers, one per option; y from 0 to 1.
pub fn outcome_bars(
    title: &str,
    options: &[String],
    p: &[f64],
    ci_low: &[f64],
    ci_high: &[f64],
) -> String {
    probability_bars(
        title,
        options,
        p,
        ci_low,
        ci_high,
        &BarLegend {
            fills: &[],
            keys: &[],
            note: "bars: share of runs; whiskers: 95% interval",
        },
    )
}

/// What the bars of [`probability_bars`] mean: a fill per bar (the first
/// palette colour for a bar without one), a legend entry per fill, and a
/// note under the chart.
pub struct BarLegend<'a> {
    /// The fill of each bar, in order.
    pub fills: &'a [&'a str],
    /// Legend entries: (fill, what a bar of that fill is).
    pub keys: &'a [(&'a str, &'a str)],
    /// The note under the chart (what the bar and whiskers measure).
    pub note: &'a str,
}

/// Bars of probabilities with 95% interval whiskers, one per label, y from 0
/// to 1, coloured and explained by `legend`.
pub fn probability_bars(
    title: &str,
    options: &[String],
    p: &[f64],
    ci_low: &[f64],
    ci_high: &[f64],
    legend: &BarLegend,
) -> String {
    let n = options.len();
    let band_min = 70.0;
    let plot_w = (band_min * n as f64).max(470.0);
    let band = if n == 0 { plot_w } else { plot_w / n as f64 };
    let longest = options
        .iter()
        .map(|o| text_width(o, 12.0))
        .fold(0.0, f64::max);
    let rotate = longest > band - 6.0;
    let label_h = if rotate { longest * 0.6 + 20.0 } else { 24.0 };
    // A label turned by 35 degrees reaches cos(35°) of its length to the left
    // of its bar: the plot starts far enough right for the first ones to fit.
    let mut left: f64 = 70.0;
    if rotate {
        for (i, o) in options.iter().enumerate() {
            let reach = text_width(o, 12.0) * 0.82 - 4.0 - band * (i as f64 + 0.5);
            left = left.max(reach + 8.0);
        }
    }
    let width = left + plot_w + 20.0;
    let legend_h = 16.0 * legend.keys.len() as f64;
    let height = 320.0 + label_h + legend_h;
    let a = Area {
        left,
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
                &format!(
                    "fill=\"{}\"",
                    legend.fills.get(i).copied().unwrap_or(PALETTE[0])
                ),
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
    for (k, (fill, what)) in legend.keys.iter().enumerate() {
        let y = height - 22.0 - legend_h + 16.0 * k as f64;
        rect(&mut s, a.left, y, 10.0, 10.0, &format!("fill=\"{fill}\""));
        text(
            &mut s,
            a.left + 16.0,
            y + 9.0,
            "start",
            " font-size=\"11\"",
            what,
        );
    }
    footnote(&mut s, a.left, height, Some(legend.note));
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
    use super::heatmap::colour;
    use super::lines::{ordinal, thinned};
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
        let long = names(&[
            "a_very_long_option_name_indeed_longer_than_its_band",
            "another_long_option_name",
        ]);
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
        assert!(svg.contains("of 50,000 points drawn: every 51st, and the last"));
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
        assert!(svg.contains("1,000 by 300 points: each cell is the mean of up to 5 by 3 of them"));
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
        let svg = tornado(
            "Tor",
            &labels,
            &[0.4, -0.2],
            &[0.35, -0.2],
            &[0.45, -0.2],
            "effect on p",
        );
        check(&svg);
        assert!(svg.contains("crisis.&lt;framing&gt;") && svg.contains("effect on p"));
        check(&tornado("empty", &[], &[], &[], &[], "v"));
        check(&tornado(
            "zero",
            &names(&["a"]),
            &[0.0],
            &[0.0],
            &[0.0],
            "v",
        ));
        check(&tornado(
            "nan",
            &names(&["a", "b"]),
            &[f64::NAN, 1.0],
            &[f64::NAN],
            &[],
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

    /// A title too long for its chart is shortened around "…", keeping its
    /// beginning and end; the chart's width does not change, and `<title>`
    /// holds the whole title.
    #[test]
    fn long_titles_are_shortened_not_widened() {
        let opts = names(&["a", "b"]);
        let short = outcome_bars("Short", &opts, &[0.5, 0.5], &[], &[]);
        let name = format!(
            "Start{}: outcomes (rule, 20,000 runs)",
            " middle".repeat(40)
        );
        let long = outcome_bars(&name, &opts, &[0.5, 0.5], &[], &[]);
        check(&long);
        let width = |svg: &str| {
            svg.split("width=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_string()
        };
        assert_eq!(width(&short), width(&long));
        assert!(long.contains(&format!("<title>{name}</title>")));
        let shown = fitted_title(&name, 560.0);
        assert!(
            shown.starts_with("Start middle") && shown.ends_with("20,000 runs)"),
            "{shown}"
        );
        assert!(shown.contains('…'));
        assert!(text_width(&shown, TITLE_SIZE) <= 560.0 - 20.0, "{shown}");
        assert_eq!(fitted_title("fits", 560.0), "fits");
    }

    /// Bars take the fills given, and the legend names each fill.
    #[test]
    fn probability_bars_have_a_legend() {
        let svg = probability_bars(
            "V",
            &names(&["a", "b"]),
            &[0.9, 0.2],
            &[0.8, 0.1],
            &[1.0, 0.3],
            &BarLegend {
                fills: &["#000001", "#000002"],
                keys: &[("#000001", "most likely"), ("#000002", "missed")],
                note: "bar: p",
            },
        );
        check(&svg);
        // Each fill on its bar and its legend square.
        assert_eq!(svg.matches("fill=\"#000001\"").count(), 2);
        assert_eq!(svg.matches("fill=\"#000002\"").count(), 2);
        assert!(
            svg.contains(">most likely<") && svg.contains(">missed<") && svg.contains(">bar: p<")
        );
    }

    /// Turned labels of many bars stay inside the chart, the first and
    /// longest ones included (a validation chart of 18 cases lost the start
    /// of its first label past the left edge).
    #[test]
    fn turned_labels_stay_inside_the_chart() {
        let labels = names(&[
            "armenia_2020 (no_action)",
            "kazakhstan_2022 (limited_deployment)",
            "b",
            "c",
            "d",
            "e",
            "f",
            "g",
        ]);
        let p = vec![0.5; labels.len()];
        let svg = probability_bars(
            "V",
            &labels,
            &p,
            &p,
            &p,
            &BarLegend {
                fills: &[],
                keys: &[],
                note: "bar: p",
            },
        );
        check(&svg);
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let mut turned = 0;
        for t in doc.descendants().filter(|n| n.has_tag_name("text")) {
            if !t
                .attribute("transform")
                .is_some_and(|r| r.starts_with("rotate(-35"))
            {
                continue;
            }
            turned += 1;
            let x: f64 = t.attribute("x").unwrap().parse().unwrap();
            let body = t.text().unwrap_or("");
            let reach = text_width(body, 12.0) * 35f64.to_radians().cos();
            assert!(x - reach >= 0.0, "{body} starts at {:.1}", x - reach);
        }
        assert_eq!(turned, labels.len());
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
