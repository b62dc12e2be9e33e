//! The tornado chart of `sensitivity`: one horizontal bar per parameter, with
//! a whisker for the interval of its value.

use super::*;

/// Horizontal bars in the given order (the caller sorts), from 0 to each
/// value, each with a thin whisker from `low[i]` to `high[i]` (an interval
/// for the value, such as a bootstrap interval for μ*). The axis runs from
/// 0 (or the lowest value or end below it) to the highest value or end, so
/// a whisker never leaves the chart; an end that is not finite leaves its
/// whisker out, and a whisker of no width is not drawn.
pub fn tornado(
    title: &str,
    labels: &[String],
    values: &[f64],
    low: &[f64],
    high: &[f64],
    value_label: &str,
) -> String {
    let n = labels.len();
    let label_w = labels
        .iter()
        .map(|l| text_width(l, 12.0))
        .fold(40.0, f64::max)
        .min(260.0);
    let row = 24.0;
    let finite = |xs: &[f64], i: usize| xs.get(i).copied().filter(|v| v.is_finite());
    let whisker = |i: usize| match (finite(low, i), finite(high, i)) {
        (Some(a), Some(b)) if a < b => Some((a, b)),
        _ => None,
    };
    let mut lo: f64 = 0.0;
    let mut hi: f64 = 0.0;
    for i in 0..n {
        let Some(v) = finite(values, i) else {
            continue;
        };
        lo = lo.min(v);
        hi = hi.max(v);
        if let Some((a, b)) = whisker(i) {
            lo = lo.min(a);
            hi = hi.max(b);
        }
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
        let Some(v) = finite(values, i) else {
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
        if let Some((lo_i, hi_i)) = whisker(i) {
            let (x1, x2) = (a.px(lo_i), a.px(hi_i));
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
mod tests {
    use super::tornado;

    /// The x coordinates of the whiskers (horizontal dark lines) and of the
    /// vertical axis line at 0.
    fn whiskers(svg: &str) -> Vec<(f64, f64)> {
        let doc = roxmltree::Document::parse(svg).unwrap();
        doc.descendants()
            .filter(|l| {
                l.has_tag_name("line")
                    && l.attribute("stroke") == Some("#222222")
                    && l.attribute("y1") == l.attribute("y2")
            })
            .map(|l| {
                let x = |a: &str| l.attribute(a).unwrap().parse::<f64>().unwrap();
                (x("x1"), x("x2"))
            })
            .collect()
    }

    #[test]
    fn whiskers_span_the_interval_and_never_leave_the_axis() {
        let labels = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        // Intervals from 0 up to the largest end: the axis runs from 0 to
        // 0.9, so every whisker lies inside the plot (x from its left edge).
        let svg = tornado(
            "t",
            &labels,
            &[0.3, 0.1, 0.0],
            &[0.0, 0.05, 0.0],
            &[0.9, 0.2, 0.0],
            "mu*",
        );
        let w = whiskers(&svg);
        assert_eq!(w.len(), 2, "no whisker for an interval of no width");
        let left = w[0].0;
        let right = w[0].1;
        // 420 px for 0.9: the second whisker from 0.05 to 0.2.
        let per = (right - left) / 0.9;
        assert!((w[1].0 - (left + 0.05 * per)).abs() < 0.15, "{w:?}");
        assert!((w[1].1 - (left + 0.2 * per)).abs() < 0.15, "{w:?}");
        assert!(w.iter().all(|(a, b)| *a >= left && *b <= right));
    }
}
