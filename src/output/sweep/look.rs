//! What a sweep's page shows: its charts (lines over one parameter, heat
//! maps over two, a scatter per parameter for samples and larger grids, a
//! line per parameter one at a time), the answer in words and the table of
//! points, all read back from the finished (or partial) `sweep_outcomes.csv`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::output::table::thousands;

/// How a sweep's points were chosen, as its charts and answer need to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Every combination of the values: lines over one parameter, heat maps
    /// over two, scatters per parameter over more.
    Grid,
    /// A sample (Latin hypercube): a scatter per parameter.
    Sample,
    /// One parameter at a time from the scenario's values: a line chart per
    /// parameter.
    OneAtATime,
}

/// What a finished sweep's page shows: its answer in sentences, its charts
/// and a table of its points.
#[derive(Debug, Clone)]
pub struct Look {
    /// The charts as (file name, title, SVG).
    pub charts: Vec<(String, String, String)>,
    /// Why some or all charts are left out, if they are.
    pub chart_note: Option<String>,
    /// The answer: one sentence per finding.
    pub answer: Vec<String>,
    /// The table's header: point, the paths, rule, then one column per option.
    pub header: Vec<String>,
    /// The table's rows (at most [`MAX_TABLE_ROWS`]).
    pub rows: Vec<Vec<String>>,
    /// How many points the results hold.
    pub points: usize,
}

/// Most rows of the page's table of results; past it every k-th point is
/// shown, and the page says so.
pub const MAX_TABLE_ROWS: usize = 200;

/// Most charts drawn, one per parameter, for a sample or a grid over more
/// than two parameters.
pub const MAX_PARAMETER_CHARTS: usize = 12;

/// The charts of a finished sweep, read back from `sweep_outcomes.csv`, as
/// (file name, title, SVG); see [`look_watched`]. `grid` false is a sample
/// (Latin hypercube).
pub fn charts(
    outcomes_csv: &str,
    paths: &[String],
    grid: bool,
    rules: &[String],
    options: &[String],
    focus: &str,
) -> Charts {
    charts_watched(outcomes_csv, paths, grid, rules, options, focus, None)
        .expect("nothing cancels it")
}

/// A sweep's charts as (file name, title, SVG), or why there are none.
pub type Charts = Result<Vec<(String, String, String)>, String>;

/// Rows read between two looks at the cancel flag.
const ROWS_PER_LOOK: usize = 4096;

/// [`charts`], stopping with `None` soon after `cancel` is set.
pub fn charts_watched(
    outcomes_csv: &str,
    paths: &[String],
    grid: bool,
    rules: &[String],
    options: &[String],
    focus: &str,
    cancel: Option<&AtomicBool>,
) -> Option<Charts> {
    let layout = if grid { Layout::Grid } else { Layout::Sample };
    let look = look_watched(outcomes_csv, paths, layout, rules, options, focus, cancel)?;
    Some(
        look.and_then(|l| match (l.charts.is_empty(), l.chart_note) {
            (true, Some(why)) => Err(why),
            _ => Ok(l.charts),
        }),
    )
}

/// A finished sweep's page content from `sweep_outcomes.csv`: the charts,
/// the answer and the table of points; `None` soon after `cancel` is set.
///
/// The charts by layout: a grid over one parameter gives lines against it
/// (one per option under a single rule; under several rules, one chart per
/// option with a line per rule, the requested option `focus` first); a grid
/// over two gives heat maps of the probability of `focus`, one per rule side
/// by side under one colour scale; a sample, or a grid over more
/// parameters, gives a scatter per parameter of the probability of `focus`
/// (a series per rule); one at a time gives a line chart per parameter over
/// the points that vary it (every option under one rule, `focus` per rule
/// under several). The work grows in proportion to the rows (each row is
/// placed through hash maps, not searched for), and the charts thin what
/// they draw when there are more points than pixels, saying so.
pub fn look_watched(
    outcomes_csv: &str,
    paths: &[String],
    layout: Layout,
    rules: &[String],
    options: &[String],
    focus: &str,
    cancel: Option<&AtomicBool>,
) -> Option<Result<Look, String>> {
    let cancelled = || cancel.is_some_and(|c| c.load(Ordering::Relaxed));
    // A rule or option listed twice is found at its first position.
    let first_of = |names: &[String]| -> HashMap<String, usize> {
        let mut at = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            at.entry(n.clone()).or_insert(i);
        }
        at
    };
    let (rule_at, option_at) = (first_of(rules), first_of(options));
    let points = match Points::read(
        outcomes_csv,
        paths.len(),
        &rule_at,
        &option_at,
        options.len(),
        &cancelled,
    )? {
        Ok(p) => p,
        Err(e) => return Some(Err(e)),
    };
    let focus_at = option_at.get(focus).copied();
    let mut look = Look {
        charts: Vec::new(),
        chart_note: None,
        answer: Vec::new(),
        header: Vec::new(),
        rows: Vec::new(),
        points: points.list.len(),
    };
    look.header.push("point".into());
    look.header.extend(paths.iter().cloned());
    look.header.push("rule".into());
    look.header.extend(options.iter().cloned());
    let shown = table_rows(points.list.len(), rules.len().max(1));
    for i in shown {
        let p = &points.list[i];
        let mut row = vec![p.number.clone()];
        row.extend(p.texts.iter().cloned());
        row.push(rules[p.rule].clone());
        row.extend(p.probs.iter().map(|v| {
            if v.is_finite() {
                format!("{v:.3}")
            } else {
                String::new()
            }
        }));
        look.rows.push(row);
    }
    if cancelled() {
        return None;
    }
    let names = Names {
        paths,
        rules,
        options,
        focus,
        focus_at,
    };
    let drawn = match (layout, paths.len()) {
        (_, 0) => Err("no parameter is varied".to_string()),
        (Layout::Grid, 1 | 2) => {
            let table =
                match Table::read(outcomes_csv, paths.len(), &rule_at, &option_at, &cancelled)? {
                    Ok(t) => t,
                    Err(e) => return Some(Err(e)),
                };
            if paths.len() == 1 {
                look.answer = answer_line(&table, &names);
                Ok(grid_lines(&table, &names, &rule_at, &option_at))
            } else {
                look.answer = answer_map(&table, &names, &rule_at);
                Ok(grid_maps(&table, &names, &rule_at))
            }
        }
        (Layout::OneAtATime, _) => {
            look.answer = answer_oat(&points, &names);
            Ok(oat_lines(&points, &names))
        }
        _ => {
            look.answer = answer_sample(&points, &names);
            Ok(scatters(&points, &names))
        }
    };
    match drawn {
        Ok((charts, note)) => {
            look.charts = charts;
            look.chart_note = note;
        }
        Err(why) => look.chart_note = Some(why),
    }
    if cancelled() {
        return None;
    }
    Some(Ok(look))
}

/// The points the page's table shows of `n`, taken in groups of `group`
/// (the rules of one design point): every group when they fit in
/// [`MAX_TABLE_ROWS`] rows, otherwise every k-th group and the last.
fn table_rows(n: usize, group: usize) -> Vec<usize> {
    let groups = n.div_ceil(group);
    let fit = (MAX_TABLE_ROWS / group).max(1);
    let keep: Vec<usize> = if groups <= fit {
        (0..groups).collect()
    } else {
        let k = groups.div_ceil(fit.max(2) - 1);
        let mut v: Vec<usize> = (0..groups).step_by(k).collect();
        if v.last() != Some(&(groups - 1)) {
            v.push(groups - 1);
        }
        v
    };
    keep.iter()
        .flat_map(|g| g * group..((g + 1) * group).min(n))
        .collect()
}

/// Clauses joined, those with the same text after their rule named once:
/// "under a and b, X; under c, Y".
fn joined(clauses: &[(String, String)]) -> String {
    let mut groups: Vec<(Vec<&str>, &str)> = Vec::new();
    for (rule, what) in clauses {
        match groups.iter_mut().find(|(_, w)| *w == what.as_str()) {
            Some((rules, _)) => rules.push(rule),
            None => groups.push((vec![rule], what)),
        }
    }
    groups
        .iter()
        .map(|(rules, what)| {
            let names = match rules.as_slice() {
                [one] => one.to_string(),
                [init @ .., last] => format!("{} and {last}", init.join(", ")),
                [] => String::new(),
            };
            format!("under {names}, {what}")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The names a sweep's charts and sentences use.
struct Names<'a> {
    paths: &'a [String],
    rules: &'a [String],
    options: &'a [String],
    focus: &'a str,
    focus_at: Option<usize>,
}

type Drawn = (Vec<(String, String, String)>, Option<String>);

fn file(k: usize) -> String {
    format!("sweep_{}.svg", k + 1)
}

/// A value as a sentence writes it.
fn shown(v: f64) -> String {
    crate::text::num(v)
}

/// A probability as a sentence writes it.
fn prob(v: f64) -> String {
    format!("{v:.3}")
}

/// Lines over one parameter of a grid.
fn grid_lines(
    table: &Table,
    n: &Names,
    rule_at: &HashMap<String, usize>,
    option_at: &HashMap<String, usize>,
) -> Drawn {
    let xs = &table.values[0];
    let path = &n.paths[0];
    let line_of = |r: usize, o: Option<usize>| -> Vec<f64> {
        (0..xs.len()).map(|xi| table.cell(xi, 0, r, o)).collect()
    };
    let mut out = Vec::new();
    if n.rules.len() == 1 {
        let r = rule_at[&n.rules[0]];
        let series: Vec<(String, Vec<f64>)> = n
            .options
            .iter()
            .enumerate()
            .map(|(o, name)| (name.clone(), line_of(r, Some(option_at[name].min(o)))))
            .collect();
        let title = format!("Outcome probabilities against {path} ({})", n.rules[0]);
        let svg = crate::output::charts::lines(&title, path, xs, &series, "probability");
        out.push((file(0), title, svg));
        return (out, None);
    }
    // Several rules: one chart per option, the requested one first, a line per rule.
    let mut order: Vec<usize> = n.focus_at.into_iter().collect();
    order.extend((0..n.options.len()).filter(|o| Some(*o) != n.focus_at));
    for (k, o) in order.into_iter().enumerate() {
        let name = &n.options[o];
        let series: Vec<(String, Vec<f64>)> = n
            .rules
            .iter()
            .map(|rule| {
                (
                    rule.clone(),
                    line_of(rule_at[rule], option_at.get(name).copied()),
                )
            })
            .collect();
        let title = format!("Probability of {name} against {path}, by rule");
        let svg = crate::output::charts::lines(&title, path, xs, &series, "probability");
        out.push((file(k), title, svg));
    }
    (out, None)
}

/// One chart of heat maps over two parameters of a grid, a panel per rule.
fn grid_maps(table: &Table, n: &Names, rule_at: &HashMap<String, usize>) -> Drawn {
    let (xs, ys) = (&table.values[0], &table.values[1]);
    let panels: Vec<(String, Vec<Vec<f64>>)> = n
        .rules
        .iter()
        .map(|rule| {
            let r = rule_at[rule];
            let values = (0..ys.len())
                .map(|yi| {
                    (0..xs.len())
                        .map(|xi| table.cell(xi, yi, r, n.focus_at))
                        .collect()
                })
                .collect();
            (rule.clone(), values)
        })
        .collect();
    let title = if n.rules.len() == 1 {
        format!("Probability of {} ({})", n.focus, n.rules[0])
    } else {
        format!("Probability of {}, by rule", n.focus)
    };
    let panels = if n.rules.len() == 1 {
        vec![(
            String::new(),
            panels.into_iter().next().map(|p| p.1).unwrap_or_default(),
        )]
    } else {
        panels
    };
    let svg = crate::output::charts::heatmaps(&title, &n.paths[0], xs, &n.paths[1], ys, &panels);
    (vec![(file(0), title, svg)], None)
}

/// The probability of `focus` at point `p`.
fn focus_of(p: &Point, n: &Names) -> f64 {
    n.focus_at
        .and_then(|o| p.probs.get(o).copied())
        .unwrap_or(f64::NAN)
}

/// A scatter per parameter (up to [`MAX_PARAMETER_CHARTS`]).
fn scatters(points: &Points, n: &Names) -> Drawn {
    let mut out = Vec::new();
    for (j, path) in n.paths.iter().enumerate().take(MAX_PARAMETER_CHARTS) {
        let series: Vec<(String, Vec<(f64, f64)>)> = n
            .rules
            .iter()
            .enumerate()
            .map(|(r, rule)| {
                let pts = points
                    .list
                    .iter()
                    .filter(|p| p.rule == r)
                    .map(|p| (p.values[j], focus_of(p, n)))
                    .collect();
                (rule.clone(), pts)
            })
            .collect();
        let title = format!("Probability of {} against {path}", n.focus);
        let svg = crate::output::charts::scatter(
            &title,
            path,
            &series,
            &format!("probability of {}", n.focus),
        );
        out.push((file(j), title, svg));
    }
    let note = (n.paths.len() > MAX_PARAMETER_CHARTS).then(|| {
        format!(
            "charts are drawn for the first {MAX_PARAMETER_CHARTS} of the {} parameters",
            n.paths.len()
        )
    });
    (out, note)
}

/// The points of a one-at-a-time sweep that vary parameter `j`: those whose
/// other values are the first point's (the scenario's own), by rule; with
/// their values of `j` in increasing order.
fn oat_points(points: &Points, j: usize) -> (Vec<f64>, Vec<&Point>) {
    let Some(base) = points.list.first() else {
        return (Vec::new(), Vec::new());
    };
    let along: Vec<&Point> = points
        .list
        .iter()
        .filter(|p| {
            p.texts
                .iter()
                .zip(&base.texts)
                .enumerate()
                .all(|(i, (a, b))| i == j || a == b)
        })
        .collect();
    let mut xs: Vec<f64> = along
        .iter()
        .map(|p| p.values[j])
        .filter(|x| x.is_finite())
        .collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    (xs, along)
}

/// A line chart per parameter of a one-at-a-time sweep (up to
/// [`MAX_PARAMETER_CHARTS`]).
fn oat_lines(points: &Points, n: &Names) -> Drawn {
    let mut out = Vec::new();
    for (j, path) in n.paths.iter().enumerate().take(MAX_PARAMETER_CHARTS) {
        let (xs, along) = oat_points(points, j);
        let at = |r: usize, o: Option<usize>| -> Vec<f64> {
            xs.iter()
                .map(|&x| {
                    along
                        .iter()
                        .find(|p| p.rule == r && p.values[j] == x)
                        .and_then(|p| o.and_then(|o| p.probs.get(o).copied()))
                        .unwrap_or(f64::NAN)
                })
                .collect()
        };
        let (title, series): (String, Vec<(String, Vec<f64>)>) = if n.rules.len() == 1 {
            (
                format!(
                    "{path}: outcome probabilities, others as in the scenario ({})",
                    n.rules[0]
                ),
                n.options
                    .iter()
                    .enumerate()
                    .map(|(o, name)| (name.clone(), at(0, Some(o))))
                    .collect(),
            )
        } else {
            (
                format!(
                    "{path}: probability of {}, others as in the scenario",
                    n.focus
                ),
                n.rules
                    .iter()
                    .enumerate()
                    .map(|(r, rule)| (rule.clone(), at(r, n.focus_at)))
                    .collect(),
            )
        };
        let svg = crate::output::charts::lines(&title, path, &xs, &series, "probability");
        out.push((file(j), title, svg));
    }
    let note = (n.paths.len() > MAX_PARAMETER_CHARTS).then(|| {
        format!(
            "charts are drawn for the first {MAX_PARAMETER_CHARTS} of the {} parameters",
            n.paths.len()
        )
    });
    (out, note)
}

/// Whether `focus` is the most likely outcome given a point's probabilities
/// (a tie for the top counts).
fn modal(probs: &[f64], focus: usize) -> bool {
    let f = probs.get(focus).copied().unwrap_or(f64::NAN);
    f.is_finite() && f > 0.0 && probs.iter().all(|p| !(p.is_finite() && *p > f))
}

/// The answer of a grid over one parameter: per rule, where the requested
/// option is the most likely outcome.
fn answer_line(table: &Table, n: &Names) -> Vec<String> {
    let Some(f) = n.focus_at else {
        return Vec::new();
    };
    let xs = &table.values[0];
    let mut order: Vec<usize> = (0..xs.len()).filter(|&i| xs[i].is_finite()).collect();
    order.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let (Some(&lo), Some(&hi)) = (order.first(), order.last()) else {
        return Vec::new();
    };
    let path = &n.paths[0];
    let mut clauses = Vec::new();
    for (r, rule) in n.rules.iter().enumerate() {
        let probs_at = |i: usize| -> Vec<f64> {
            (0..n.options.len())
                .map(|o| table.cell(i, 0, r, Some(o)))
                .collect()
        };
        let flags: Vec<bool> = order.iter().map(|&i| modal(&probs_at(i), f)).collect();
        let ps: Vec<f64> = order
            .iter()
            .map(|&i| table.cell(i, 0, r, Some(f)))
            .collect();
        let (pmin, pmax) = min_max(&ps);
        let count = flags.iter().filter(|b| **b).count();
        let first = flags.iter().position(|b| *b);
        let last = flags.iter().rposition(|b| *b);
        let x = |k: usize| shown(xs[order[k]]);
        let what = match (first, last) {
            (None, _) | (_, None) => {
                // Which outcome is, at the most values.
                let mut tops = vec![0usize; n.options.len()];
                for &i in &order {
                    let probs = probs_at(i);
                    if let Some(o) = (0..probs.len()).find(|&o| modal(&probs, o)) {
                        tops[o] += 1;
                    }
                }
                let (o, most) =
                    tops.iter().enumerate().fold(
                        (0, 0),
                        |best, (o, &k)| if k > best.1 { (o, k) } else { best },
                    );
                let instead = match most {
                    0 => String::new(),
                    k if k == flags.len() => {
                        format!(", and {} is the most likely at every value", n.options[o])
                    }
                    k => format!(
                        ", and {} the most likely at {k} of {} values",
                        n.options[o],
                        flags.len()
                    ),
                };
                format!(
                    "never the most likely outcome (its probability at most {}{instead})",
                    prob(pmax)
                )
            }
            _ if count == flags.len() => format!(
                "the most likely outcome at every value (probability {} to {})",
                prob(pmin),
                prob(pmax)
            ),
            (Some(a), Some(_)) if count == 1 => {
                format!("the most likely outcome only at {path} = {}", x(a))
            }
            (Some(a), Some(b)) if b - a + 1 == count && b == flags.len() - 1 => {
                format!("the most likely outcome from {path} = {} up", x(a))
            }
            (Some(a), Some(b)) if b - a + 1 == count && a == 0 => {
                format!("the most likely outcome up to {path} = {}", x(b))
            }
            (Some(a), Some(b)) if b - a + 1 == count => {
                format!("the most likely outcome from {path} = {} to {}", x(a), x(b))
            }
            (Some(a), Some(b)) => format!(
                "the most likely outcome at {count} of {} values, between {} and {}",
                flags.len(),
                x(a),
                x(b)
            ),
        };
        let range = if count > 0 && count < flags.len() {
            format!(" (its probability {} to {})", prob(pmin), prob(pmax))
        } else {
            String::new()
        };
        clauses.push((rule.clone(), format!("{} is {what}{range}", n.focus)));
    }
    vec![format!(
        "Over {path} from {} to {}: {}.",
        shown(xs[lo]),
        shown(xs[hi]),
        joined(&clauses)
    )]
}

fn min_max(v: &[f64]) -> (f64, f64) {
    v.iter()
        .filter(|x| x.is_finite())
        .fold((f64::NAN, f64::NAN), |(a, b), &x| (a.min(x), b.max(x)))
}

/// The answer of a grid over two parameters: per rule, at how many points
/// the requested option is the most likely outcome.
fn answer_map(table: &Table, n: &Names, rule_at: &HashMap<String, usize>) -> Vec<String> {
    let Some(f) = n.focus_at else {
        return Vec::new();
    };
    let (xs, ys) = (&table.values[0], &table.values[1]);
    let total = xs.len() * ys.len();
    let clauses: Vec<(String, String)> = n
        .rules
        .iter()
        .map(|rule| {
            let r = rule_at[rule];
            let mut count = 0;
            let mut ps = Vec::new();
            for xi in 0..xs.len() {
                for yi in 0..ys.len() {
                    let probs: Vec<f64> = (0..n.options.len())
                        .map(|o| table.cell(xi, yi, r, Some(o)))
                        .collect();
                    count += usize::from(modal(&probs, f));
                    ps.push(table.cell(xi, yi, r, Some(f)));
                }
            }
            let (lo, hi) = min_max(&ps);
            let what = format!(
                "{} is the most likely outcome at {} of {} grid points (its probability {} to {})",
                n.focus,
                thousands(count as u64),
                thousands(total as u64),
                prob(lo),
                prob(hi)
            );
            (rule.clone(), what)
        })
        .collect();
    vec![format!(
        "Over {} and {}: {}.",
        n.paths[0],
        n.paths[1],
        joined(&clauses)
    )]
}

/// Pearson's correlation of two equally long series (NaN pairs left out);
/// 0 when either does not vary.
fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(x, y)| (*x, *y))
        .collect();
    let k = pairs.len() as f64;
    if pairs.len() < 2 {
        return 0.0;
    }
    let (mx, my) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / k,
        pairs.iter().map(|p| p.1).sum::<f64>() / k,
    );
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        0.0
    } else {
        sxy / (sxx * syy).sqrt()
    }
}

/// The answer of a sample: per rule, the range of the requested option's
/// probability and the parameter it moves with most.
fn answer_sample(points: &Points, n: &Names) -> Vec<String> {
    let mut out = Vec::new();
    for (r, rule) in n.rules.iter().enumerate() {
        let mine: Vec<&Point> = points.list.iter().filter(|p| p.rule == r).collect();
        let ps: Vec<f64> = mine.iter().map(|p| focus_of(p, n)).collect();
        if ps.iter().all(|p| !p.is_finite()) {
            continue;
        }
        let (lo, hi) = min_max(&ps);
        let mut s = format!(
            "Under {rule}, over {} points, the probability of {} ranges from {} to {}",
            thousands(mine.len() as u64),
            n.focus,
            prob(lo),
            prob(hi)
        );
        let mut best: Option<(usize, f64)> = None;
        for j in 0..n.paths.len() {
            let xs: Vec<f64> = mine.iter().map(|p| p.values[j]).collect();
            let c = correlation(&xs, &ps);
            if best.is_none_or(|(_, b)| c.abs() > b.abs()) {
                best = Some((j, c));
            }
        }
        match best {
            Some((j, c)) if c.abs() >= 0.1 => s.push_str(&format!(
                "; it moves most with {} (correlation {:+.2}: {} as it rises)",
                n.paths[j],
                c,
                if c > 0.0 { "up" } else { "down" }
            )),
            _ => s.push_str("; it follows none of the varied parameters closely"),
        }
        s.push('.');
        out.push(s);
    }
    out
}

/// The answer of a one-at-a-time sweep: per rule, the probability of the
/// requested option at the scenario's own values and the parameter that
/// moves it most.
fn answer_oat(points: &Points, n: &Names) -> Vec<String> {
    let mut out = Vec::new();
    for (r, rule) in n.rules.iter().enumerate() {
        let Some(base) = points.list.iter().find(|p| p.rule == r) else {
            continue;
        };
        let mut s = format!(
            "Under {rule}, at the scenario's own values the probability of {} is {}",
            n.focus,
            prob(focus_of(base, n))
        );
        // (parameter, spread, (value, probability) at the lowest and at the highest).
        type Spread = (usize, f64, (f64, f64), (f64, f64));
        let mut best: Option<Spread> = None;
        for j in 0..n.paths.len() {
            let (_, along) = oat_points(points, j);
            let line: Vec<(f64, f64)> = along
                .iter()
                .filter(|p| p.rule == r)
                .map(|p| (p.values[j], focus_of(p, n)))
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .collect();
            let (Some(low), Some(high)) = (
                line.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1)),
                line.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1)),
            ) else {
                continue;
            };
            let spread = high.1 - low.1;
            if best.is_none_or(|b| spread > b.1) {
                best = Some((j, spread, low, high));
            }
        }
        match best {
            Some((j, spread, low, high)) if spread > 0.0 => s.push_str(&format!(
                "; it moves most with {}: from {} at {} to {} at {}",
                n.paths[j],
                prob(low.1),
                shown(low.0),
                prob(high.1),
                shown(high.0)
            )),
            _ => s.push_str("; none of the varied parameters moves it"),
        }
        s.push('.');
        out.push(s);
    }
    out
}

/// One point of the results: its values, rule and the probability of each
/// option.
struct Point {
    /// The point's number, as written.
    number: String,
    /// The varied values, as written.
    texts: Vec<String>,
    /// The varied values (NaN where a cell is not a number).
    values: Vec<f64>,
    /// The rule's position.
    rule: usize,
    /// Probability per option (NaN where no row gives it).
    probs: Vec<f64>,
}

/// Every point of `sweep_outcomes.csv`, in file order.
struct Points {
    list: Vec<Point>,
}

impl Points {
    /// Reads the rows, a point being a run of rows with the same number,
    /// values and rule (a row of an option already seen starts another);
    /// rows of rules not in `rule_at` are skipped. `None` if `cancelled`
    /// said so on the way.
    fn read(
        outcomes_csv: &str,
        n_paths: usize,
        rule_at: &HashMap<String, usize>,
        option_at: &HashMap<String, usize>,
        n_options: usize,
        cancelled: &dyn Fn() -> bool,
    ) -> Option<Result<Points, String>> {
        let mut list: Vec<Point> = Vec::new();
        let mut reader = ::csv::Reader::from_reader(outcomes_csv.as_bytes());
        for (k, record) in reader.records().enumerate() {
            if k % ROWS_PER_LOOK == 0 && cancelled() {
                return None;
            }
            let row = match record {
                Ok(r) => r,
                Err(e) => return Some(Err(format!("cannot read the results back: {e}"))),
            };
            let Some(&rule) = rule_at.get(row.get(1 + n_paths).unwrap_or("")) else {
                continue;
            };
            let option = option_at.get(row.get(2 + n_paths).unwrap_or("")).copied();
            let number = row.get(0).unwrap_or("");
            let texts: Vec<&str> = (0..n_paths).map(|j| row.get(1 + j).unwrap_or("")).collect();
            let same = list.last().is_some_and(|p: &Point| {
                p.number == number
                    && p.rule == rule
                    && p.texts.iter().zip(&texts).all(|(a, b)| a == b)
                    && option.is_none_or(|o| !p.probs[o].is_finite())
            });
            if !same {
                list.push(Point {
                    number: number.to_string(),
                    texts: texts.iter().map(|t| t.to_string()).collect(),
                    values: texts
                        .iter()
                        .map(|t| t.parse::<f64>().unwrap_or(f64::NAN))
                        .collect(),
                    rule,
                    probs: vec![f64::NAN; n_options],
                });
            }
            if let (Some(o), Some(p)) = (option, list.last_mut()) {
                p.probs[o] = row
                    .get(6 + n_paths)
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(f64::NAN);
            }
        }
        Some(Ok(Points { list }))
    }
}

/// The probabilities of `sweep_outcomes.csv`, placed on the grid.
struct Table {
    /// Per varied path, its distinct values in the order they first appear.
    values: Vec<Vec<f64>>,
    /// Probability by (x position, y position, rule, option); the first row
    /// of a cell counts.
    cells: HashMap<(usize, usize, usize, usize), f64>,
}

impl Table {
    /// Reads the rows of the rules and options in `rule_at` and `option_at`
    /// (positions by name); `None` if `cancelled` said so on the way.
    fn read(
        outcomes_csv: &str,
        n_paths: usize,
        rule_at: &HashMap<String, usize>,
        option_at: &HashMap<String, usize>,
        cancelled: &dyn Fn() -> bool,
    ) -> Option<Result<Table, String>> {
        let mut values: Vec<Vec<f64>> = vec![Vec::new(); n_paths];
        let mut seen: Vec<HashMap<u64, usize>> = vec![HashMap::new(); n_paths];
        let mut cells = HashMap::new();
        let mut reader = ::csv::Reader::from_reader(outcomes_csv.as_bytes());
        for (n, record) in reader.records().enumerate() {
            if n % ROWS_PER_LOOK == 0 && cancelled() {
                return None;
            }
            let row = match record {
                Ok(r) => r,
                Err(e) => return Some(Err(format!("cannot read the results back: {e}"))),
            };
            let num = |i: usize| {
                row.get(i)
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(f64::NAN)
            };
            // Columns: point, the paths, rule, option, level, runs, count, probability, ...
            let mut at = [0usize; 2];
            let mut placed = true;
            for j in 0..n_paths {
                let v = num(1 + j);
                if v.is_nan() {
                    // Equal to nothing, as `==` has it: a value of its own, with no cells.
                    values[j].push(v);
                    placed = false;
                    continue;
                }
                // 0 and -0 are one value.
                let key = (v + 0.0).to_bits();
                let next = values[j].len();
                let i = *seen[j].entry(key).or_insert(next);
                if i == next {
                    values[j].push(v);
                }
                at[j] = i;
            }
            let rule = rule_at.get(row.get(1 + n_paths).unwrap_or(""));
            let option = option_at.get(row.get(2 + n_paths).unwrap_or(""));
            if let (true, Some(&r), Some(&o)) = (placed, rule, option) {
                cells
                    .entry((at[0], at[1], r, o))
                    .or_insert(num(6 + n_paths));
            }
        }
        Some(Ok(Table { values, cells }))
    }

    /// The probability at (x, y) under rule `rule` of option `option`; NaN
    /// where no row gives it.
    fn cell(&self, x: usize, y: usize, rule: usize, option: Option<usize>) -> f64 {
        option
            .and_then(|o| self.cells.get(&(x, y, rule, o)))
            .copied()
            .unwrap_or(f64::NAN)
    }
}

#[cfg(test)]
mod chart_tests {
    use super::*;

    const ONE: &str = "point,noise,rule,option,level,runs,count,probability,ci_low,ci_high\n\
        0,0.1,unanimity,no_action,0,10,2,0.200000,0,1\n0,0.1,unanimity,act,1,10,8,0.800000,0,1\n\
        1,0.2,unanimity,no_action,0,10,5,0.500000,0,1\n1,0.2,unanimity,act,1,10,5,0.500000,0,1\n";

    #[test]
    fn rows_are_placed_on_the_grid_with_their_probability() {
        let names = |v: &[&str]| -> HashMap<String, usize> {
            v.iter()
                .enumerate()
                .map(|(i, n)| (n.to_string(), i))
                .collect()
        };
        let t = Table::read(
            ONE,
            1,
            &names(&["unanimity"]),
            &names(&["no_action", "act"]),
            &|| false,
        )
        .unwrap()
        .unwrap();
        assert_eq!(t.values, vec![vec![0.1, 0.2]]);
        assert_eq!(t.cell(0, 0, 0, Some(1)), 0.8);
        assert_eq!(t.cell(1, 0, 0, Some(0)), 0.5);
        assert!(t.cell(2, 0, 0, Some(0)).is_nan());
        assert!(Table::read(ONE, 1, &names(&[]), &names(&[]), &|| true).is_none());
    }

    /// Thousands of points are placed in one pass, each cell where its row
    /// says, and a set cancel flag stops the drawing.
    #[test]
    fn many_points_are_placed_in_one_pass_and_cancel_stops_them() {
        let mut csv =
            String::from("point,a,b,rule,option,level,runs,count,probability,ci_low,ci_high\n");
        let (nx, ny) = (300, 200);
        for x in 0..nx {
            for y in 0..ny {
                let p = (x * ny + y) as f64 / (nx * ny) as f64;
                csv.push_str(&format!("0,{x},{y},majority,act,1,10,1,{p},0,1\n"));
            }
        }
        let paths = ["a".to_string(), "b".to_string()];
        let (rules, options) = (["majority".to_string()], ["act".to_string()]);
        let c = charts(&csv, &paths, true, &rules, &options, "act").unwrap();
        assert_eq!(c.len(), 1);
        let flag = AtomicBool::new(true);
        let cancelled = charts_watched(&csv, &paths, true, &rules, &options, "act", Some(&flag));
        assert!(cancelled.is_none(), "a set flag stops the charts");
    }

    #[test]
    fn one_parameter_gives_lines_per_rule() {
        let opts = vec!["no_action".to_string(), "act".to_string()];
        let c = charts(
            ONE,
            &["noise".into()],
            true,
            &["unanimity".into()],
            &opts,
            "act",
        )
        .unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].0, "sweep_1.svg");
        crate::output::markup::svg(&c[0].2, "sweep_1.svg");
        assert!(c[0].2.contains("act"));
    }

    #[test]
    fn two_parameters_give_a_heat_map_and_samples_a_scatter_per_parameter() {
        let two = "point,a,b,rule,option,level,runs,count,probability,ci_low,ci_high\n\
            0,0,0,majority,act,1,10,1,0.100000,0,1\n1,0,1,majority,act,1,10,3,0.300000,0,1\n";
        let c = charts(
            two,
            &["a".into(), "b".into()],
            true,
            &["majority".into()],
            &["act".into()],
            "act",
        )
        .unwrap();
        assert!(c[0].1.contains("Probability of act"));
        let opts = vec!["no_action".to_string(), "act".to_string()];
        let sample = charts(
            ONE,
            &["noise".into()],
            false,
            &["unanimity".into()],
            &opts,
            "act",
        )
        .unwrap();
        assert_eq!(sample.len(), 1);
        assert_eq!(
            sample[0].2.matches("<circle").count(),
            2 + 1,
            "two points, one legend"
        );
        // No rule listed: no point is read, and the charts are empty.
        assert!(charts(ONE, &["noise".into()], false, &[], &[], "act")
            .unwrap()
            .iter()
            .all(|(_, _, svg)| !svg.contains("<circle")));
        let none: &[String] = &[];
        assert!(charts(ONE, none, true, &[], &[], "act").is_err());
    }

    /// Groups of rules stay whole in the table, which keeps the first and
    /// last design points within its bound.
    #[test]
    fn table_rows_keep_whole_groups_within_the_bound() {
        assert_eq!(table_rows(5, 1), vec![0, 1, 2, 3, 4]);
        let rows = table_rows(8442, 2);
        assert!(rows.len() <= MAX_TABLE_ROWS, "{}", rows.len());
        assert_eq!(&rows[..2], &[0, 1]);
        assert_eq!(&rows[rows.len() - 2..], &[8440, 8441]);
        assert!(rows.chunks(2).all(|g| g[0] % 2 == 0 && g[1] == g[0] + 1));
    }

    #[test]
    fn rules_with_the_same_finding_are_named_together() {
        let c = |r: &str, w: &str| (r.to_string(), w.to_string());
        assert_eq!(
            joined(&[c("a", "x"), c("b", "y"), c("c", "x")]),
            "under a and c, x; under b, y"
        );
        assert_eq!(
            joined(&[c("a", "x"), c("b", "x"), c("c", "x")]),
            "under a, b and c, x"
        );
    }
}
