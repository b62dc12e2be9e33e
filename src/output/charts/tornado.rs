//! The tornado chart of `sensitivity`: one horizontal bar per parameter.

use super::*;

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
