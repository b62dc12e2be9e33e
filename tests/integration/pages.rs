//! Every kind of page the tool writes, parsed: the charts and `report.html`
//! of `run`, `sweep` (grid in one and two dimensions, Latin hypercube, one at
//! a time), `power`, `sensitivity`, `validate`, `calibrate` and `merge` are
//! each read with an XML parser and checked by `markup`. Where a chart
//! carries numbers, its geometry is checked against the CSV file they come
//! from: the outcome bars of a run against `outcomes.csv`, the points of the
//! voting-power chart against `power.csv` and the bars of the tornado against
//! `sensitivity.csv`. The scales are read from each chart's own grid lines
//! and tick labels, so the checks hold whatever the layout.

use std::collections::HashMap;

use roxmltree::{Document, Node};

use crate::markup::{self, attr, text_of};
use crate::util::{self, shipped, succeed};

/// Pixels are written with one decimal: a position may be off by 0.05, a
/// length (the difference of two positions) by 0.1.
const PX: f64 = 0.15;

fn num(row: &HashMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column} = {:?} is not a number", row[column]))
}

/// The elements named `tag` in a chart, in document order.
fn elements<'a, 'i>(doc: &'a Document<'i>, tag: &str) -> Vec<Node<'a, 'i>> {
    doc.descendants().filter(|n| n.has_tag_name(tag)).collect()
}

/// The linear map from values to pixels along one axis of a chart.
#[derive(Debug)]
struct Axis {
    /// Pixel of the value 0.
    zero: f64,
    /// Pixels per unit of value (negative for a y axis, which grows upward).
    per_unit: f64,
}

impl Axis {
    fn px(&self, v: f64) -> f64 {
        self.zero + v * self.per_unit
    }

    /// Reads an axis from the chart: its grid lines (light grey, vertical
    /// for the x axis, horizontal for the y axis) paired with the numeric
    /// tick labels written at them. Every pair must lie on one straight line.
    fn read(doc: &Document, x_axis: bool) -> Axis {
        let mut grid: Vec<f64> = elements(doc, "line")
            .into_iter()
            .filter(|l| l.attribute("stroke") == Some("#dddddd"))
            .filter_map(|l| {
                let (a, b) = if x_axis { ("x1", "x2") } else { ("y1", "y2") };
                (attr(l, a) == attr(l, b)).then(|| attr(l, a))
            })
            .collect();
        grid.sort_by(f64::total_cmp);
        grid.dedup();
        let near_grid = |p: f64, slack: f64| grid.iter().any(|g| (g - p).abs() <= slack);
        let mut ticks: Vec<(f64, f64)> = elements(doc, "text")
            .into_iter()
            .filter(|t| t.attribute("transform").is_none())
            .filter_map(|t| {
                let value: f64 = text_of(t).parse().ok()?;
                let (anchor, at, slack) = if x_axis {
                    ("middle", attr(t, "x"), 0.05)
                } else {
                    ("end", attr(t, "y"), 6.0)
                };
                (t.attribute("text-anchor") == Some(anchor) && near_grid(at, slack))
                    .then_some((value, at))
            })
            .collect();
        ticks.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert!(
            ticks.len() >= 2 && ticks.len() == grid.len(),
            "{} grid lines and tick labels {ticks:?}",
            grid.len()
        );
        // Grid lines in value order: left to right, or bottom to top.
        if !x_axis {
            grid.reverse();
        }
        let pairs: Vec<(f64, f64)> = ticks.iter().zip(&grid).map(|(t, g)| (t.0, *g)).collect();
        let (first, last) = (pairs[0], pairs[pairs.len() - 1]);
        let per_unit = (last.1 - first.1) / (last.0 - first.0);
        let axis = Axis {
            zero: first.1 - first.0 * per_unit,
            per_unit,
        };
        for (v, p) in &pairs {
            assert!(
                (axis.px(*v) - p).abs() <= PX,
                "tick {v} at {p}, off the line through {first:?} and {last:?}"
            );
        }
        axis
    }
}

/// The filled rectangles of a chart: every `<rect>` but the white background.
fn bars<'a, 'i>(doc: &'a Document<'i>) -> Vec<Node<'a, 'i>> {
    elements(doc, "rect")
        .into_iter()
        .filter(|r| r.attribute("fill") != Some("#ffffff"))
        .collect()
}

/// The outcome chart of a run against the rows of its `outcomes.csv`: one
/// bar per option, in level order, standing on the axis at 0, as tall as its
/// probability on the chart's own scale, labelled with it to three decimals,
/// and with the option's name under it.
fn assert_outcome_bars(chart: &Document, rows: &[HashMap<String, String>], what: &str) {
    let y = Axis::read(chart, false);
    assert!(y.per_unit < 0.0, "{what}: probability grows upward");
    let mut bars = bars(chart);
    bars.sort_by(|a, b| attr(*a, "x").total_cmp(&attr(*b, "x")));
    assert_eq!(bars.len(), rows.len(), "{what}: a bar per option");
    let mut values: Vec<Node> = elements(chart, "text")
        .into_iter()
        .filter(|t| t.attribute("font-size") == Some("11"))
        .collect();
    values.sort_by(|a, b| attr(*a, "x").total_cmp(&attr(*b, "x")));
    assert_eq!(values.len(), rows.len(), "{what}: a value label per bar");
    let mut names: Vec<(f64, String)> = elements(chart, "text")
        .into_iter()
        .map(|t| (attr(t, "x"), text_of(t)))
        .filter(|(_, name)| rows.iter().any(|r| &r["option"] == name))
        .collect();
    names.sort_by(|a, b| a.0.total_cmp(&b.0));
    let names: Vec<&str> = names.iter().map(|(_, n)| n.as_str()).collect();
    let options: Vec<&str> = rows.iter().map(|r| r["option"].as_str()).collect();
    assert_eq!(names, options, "{what}: option names under the bars");
    for ((bar, label), row) in bars.iter().zip(&values).zip(rows) {
        let p = num(row, "probability");
        let (top, height) = (attr(*bar, "y"), attr(*bar, "height"));
        assert!(
            (top + height - y.px(0.0)).abs() <= PX,
            "{what}: the {} bar does not stand on 0",
            row["option"]
        );
        assert!(
            (height - p * -y.per_unit).abs() <= PX,
            "{what}: the {} bar is {height} px tall; probability {p} is {} px",
            row["option"],
            p * -y.per_unit
        );
        assert_eq!(text_of(*label), format!("{p:.3}"), "{what}: value label");
        let centre = attr(*bar, "x") + attr(*bar, "width") / 2.0;
        assert!(
            (attr(*label, "x") - centre).abs() <= PX,
            "{what}: the label {} is not over its bar",
            text_of(*label)
        );
    }
}

/// The inline `<svg>` elements of a report page, each as its own document.
fn inline_charts(page: &str) -> Vec<String> {
    let doc = markup::html(page, "report.html");
    elements(&doc, "svg")
        .iter()
        .map(|svg| page[svg.range()].to_string())
        .collect()
}

/// Parses an inline chart (which has no namespace) for geometry checks.
fn parse_inline(svg: &str) -> Document<'_> {
    Document::parse(svg).expect("the page was checked")
}

#[test]
fn run_chart_bars_are_as_tall_as_their_probabilities_in_file_and_page() {
    let tmp = tempfile::tempdir().unwrap();
    succeed(
        tmp.path(),
        &[
            "run",
            &shipped("kyrgyzstan_2010"),
            "--runs",
            "3000",
            "--out",
            "out",
            "-q",
        ],
    );
    let dir = tmp.path().join("out/kyrgyzstan_2010");
    let rows = util::csv_rows(&dir.join("outcomes.csv"));
    // Three options with mass, two without: tall, short and empty bars.
    assert!(rows.iter().filter(|r| num(r, "probability") > 0.05).count() >= 3);
    assert!(rows.iter().any(|r| num(r, "probability") == 0.0));
    let svg = markup::read_svg(&dir.join("outcomes.svg"));
    assert_outcome_bars(&markup::svg(&svg, "outcomes.svg"), &rows, "outcomes.svg");

    let page = markup::read_html(&dir.join("report.html"));
    let charts = inline_charts(&page);
    assert_eq!(charts.len(), 2, "the outcomes chart and the utility terms");
    assert_outcome_bars(&parse_inline(&charts[0]), &rows, "report.html");
    // The page's copy of outcomes.csv holds the CSV's rows.
    let doc = markup::html(&page, "report.html");
    let table = elements(&doc, "table")
        .into_iter()
        .find(|t| {
            let header: Vec<String> = t
                .descendants()
                .filter(|n| n.has_tag_name("th"))
                .map(text_of)
                .collect();
            header.first().map(String::as_str) == Some("scenario")
                && header.iter().any(|h| h == "option")
        })
        .expect("outcomes.csv as a table");
    let cells: Vec<Vec<String>> = table
        .descendants()
        .filter(|n| n.has_tag_name("tr"))
        .skip(1)
        .map(|tr| {
            tr.children()
                .filter(Node::is_element)
                .map(text_of)
                .collect()
        })
        .collect();
    let text = std::fs::read_to_string(dir.join("outcomes.csv")).unwrap();
    let csv_cells: Vec<Vec<String>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    assert_eq!(cells, csv_cells);
}

/// Two independent runs of the same command, on 1 and on 2 threads, write
/// the same page except for the manifest, which records the thread count and
/// the command line; the page's manifest is the folder's `manifest.json`.
#[test]
fn run_report_is_the_same_at_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let page = |threads: &str| {
        let out = format!("t{threads}");
        succeed(
            tmp.path(),
            &[
                "run",
                &shipped("armenia_2020"),
                "--runs",
                "2000",
                "--threads",
                threads,
                "--out",
                &out,
                "-q",
            ],
        );
        let dir = tmp.path().join(out).join("armenia_2020");
        let html = markup::read_html(&dir.join("report.html"));
        let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
        (html, manifest)
    };
    let sections = |html: &str| -> (Vec<String>, String) {
        let doc = markup::html(html, "report.html");
        let mut kept = Vec::new();
        let mut manifest = String::new();
        for s in elements(&doc, "section") {
            let heading = text_of(s.first_element_child().unwrap());
            if heading == "Manifest" {
                let pre = s.descendants().find(|n| n.has_tag_name("pre")).unwrap();
                manifest = text_of(pre);
            } else {
                kept.push(html[s.range()].to_string());
            }
        }
        (kept, manifest)
    };
    let (one, one_manifest) = page("1");
    let (two, two_manifest) = page("2");
    let (one_kept, one_shown) = sections(&one);
    let (two_kept, two_shown) = sections(&two);
    assert!(one_kept.len() >= 3, "{one_kept:?}");
    assert_eq!(one_kept, two_kept, "the pages differ beyond the manifest");
    assert_eq!(one_shown, one_manifest);
    assert_eq!(two_shown, two_manifest);
    assert_ne!(one_manifest, two_manifest, "the thread counts are recorded");
}

#[test]
fn power_points_sit_at_each_members_power() {
    let tmp = tempfile::tempdir().unwrap();
    let file = util::root().join("scenarios/gcc/bahrain_2011.toml");
    succeed(
        tmp.path(),
        &[
            "power",
            file.to_str().unwrap(),
            "--rule",
            "weighted:economic:0.5",
            "--runs",
            "300",
            "--out",
            "out",
            "-q",
        ],
    );
    let dir = tmp.path().join("out/bahrain_2011-power");
    assert_eq!(markup::check_folder(&dir), 2, "power.svg and report.html");
    let rows = util::csv_rows(&dir.join("power.csv"));
    // Unequal power on both axes, so that a point in the wrong place shows.
    let spread = |col: &str| {
        let v: Vec<f64> = rows.iter().map(|r| num(r, col)).collect();
        v.iter().copied().fold(f64::MIN, f64::max) - v.iter().copied().fold(f64::MAX, f64::min)
    };
    assert!(spread("banzhaf_normalized") > 0.3 && spread("p_decisive") > 0.3);
    let svg = std::fs::read_to_string(dir.join("power.svg")).unwrap();
    let chart = markup::svg(&svg, "power.svg");
    // A row per member: its id, a bar as long as its normalized Banzhaf
    // index and a point at its decisive share, on one value axis.
    let x = Axis::read(&chart, true);
    // Rows are 16 pixels apart: a label, a bar and a point of one row lie
    // within half a row of each other.
    let same_row = |a: f64, b: f64| (a - b).abs() < 8.0;
    let labels: Vec<(f64, String)> = elements(&chart, "text")
        .into_iter()
        .filter(|t| t.attribute("text-anchor") == Some("end"))
        .map(|t| (attr(t, "y") - 4.0, text_of(t)))
        .collect();
    let banzhaf: Vec<Node> = bars(&chart)
        .into_iter()
        .filter(|r| r.attribute("fill") == Some("#1f77b4") && attr(*r, "height") == 7.0)
        .collect();
    let points: Vec<Node> = elements(&chart, "circle")
        .into_iter()
        .filter(|c| labels.iter().any(|(y, _)| same_row(*y, attr(*c, "cy"))))
        .collect();
    assert_eq!(banzhaf.len(), rows.len(), "a bar per member");
    assert_eq!(points.len(), rows.len(), "a point per member");
    for row in &rows {
        let (bx, dy) = (num(row, "banzhaf_normalized"), num(row, "p_decisive"));
        let member = &row["member"];
        let line = labels
            .iter()
            .find(|(_, l)| l == member)
            .unwrap_or_else(|| panic!("no label {member}"))
            .0;
        let bar = banzhaf
            .iter()
            .find(|b| same_row(attr(**b, "y") + 3.5, line))
            .unwrap_or_else(|| panic!("no bar in the row of {member}"));
        let point = points
            .iter()
            .find(|c| same_row(attr(**c, "cy"), line))
            .unwrap_or_else(|| panic!("no point in the row of {member}"));
        assert!(
            (attr(*bar, "x") - x.px(0.0)).abs() <= PX
                && (attr(*bar, "x") + attr(*bar, "width") - x.px(bx)).abs() <= PX
                && (attr(*point, "cx") - x.px(dy)).abs() <= PX,
            "{member}: bar to {}, point at {}; power {bx}, decisive {dy}",
            attr(*bar, "x") + attr(*bar, "width"),
            attr(*point, "cx"),
        );
    }
}

#[test]
fn sensitivity_bars_are_as_long_as_mu_star_and_whiskers_span_its_interval() {
    let tmp = tempfile::tempdir().unwrap();
    let mut args = vec![
        "sensitivity",
        "--trajectories",
        "6",
        "--runs",
        "300",
        "--out",
        "out",
        "-q",
        "--full-range",
    ];
    let file = shipped("kyrgyzstan_2010");
    args.insert(1, &file);
    for p in [
        "crisis.severity",
        "members.RUS.weights.cost",
        "alliance.capacity",
        "crisis.framing",
        "members.KGZ.gdp",
    ] {
        args.extend(["--param", p]);
    }
    succeed(tmp.path(), &args);
    let dir = tmp.path().join("out/kyrgyzstan_2010-sensitivity");
    assert_eq!(markup::check_folder(&dir), 2, "tornado.svg and report.html");
    let rows = util::csv_rows(&dir.join("sensitivity.csv"));
    // Bars of different lengths, with and without whiskers, and empty ones.
    let effects: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| {
            (
                num(r, "mu_star"),
                num(r, "mu_star_hi") - num(r, "mu_star_lo"),
            )
        })
        .collect();
    assert!(
        effects
            .iter()
            .filter(|(mu, s)| *mu > 0.02 && *s > 0.0)
            .count()
            >= 2
    );
    assert!(effects.iter().any(|(mu, _)| *mu == 0.0));
    let svg = std::fs::read_to_string(dir.join("tornado.svg")).unwrap();
    let chart = markup::svg(&svg, "tornado.svg");
    let x = Axis::read(&chart, true);
    let mut bars = bars(&chart);
    bars.sort_by(|a, b| attr(*a, "y").total_cmp(&attr(*b, "y")));
    let mut names: Vec<(f64, String)> = elements(&chart, "text")
        .into_iter()
        .filter(|t| t.attribute("text-anchor") == Some("end"))
        .map(|t| (attr(t, "y"), text_of(t)))
        .filter(|(_, name)| rows.iter().any(|r| &r["parameter"] == name))
        .collect();
    names.sort_by(|a, b| a.0.total_cmp(&b.0));
    let ranked: Vec<&str> = rows.iter().map(|r| r["parameter"].as_str()).collect();
    let shown: Vec<&str> = names.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(shown, ranked, "a row per parameter, in rank order");
    assert_eq!(bars.len(), rows.len());
    let whiskers: Vec<Node> = elements(&chart, "line")
        .into_iter()
        .filter(|l| l.attribute("stroke") == Some("#222222") && attr(*l, "y1") == attr(*l, "y2"))
        .collect();
    for (bar, row) in bars.iter().zip(&rows) {
        let (mu, lo, hi) = (
            num(row, "mu_star"),
            num(row, "mu_star_lo"),
            num(row, "mu_star_hi"),
        );
        let what = &row["parameter"];
        assert!(
            (attr(*bar, "x") - x.px(0.0)).abs() <= PX,
            "{what}: the bar starts at {}, 0 is at {}",
            attr(*bar, "x"),
            x.px(0.0)
        );
        assert!(
            (attr(*bar, "width") - mu * x.per_unit).abs() <= PX,
            "{what}: the bar is {} px long; mu* {mu} is {} px",
            attr(*bar, "width"),
            mu * x.per_unit
        );
        let centre = attr(*bar, "y") + attr(*bar, "height") / 2.0;
        let whisker = whiskers
            .iter()
            .find(|l| (attr(**l, "y1") - centre).abs() <= PX);
        match whisker {
            Some(w) => {
                assert!(
                    (attr(*w, "x1") - x.px(lo)).abs() <= PX
                        && (attr(*w, "x2") - x.px(hi)).abs() <= PX,
                    "{what}: the whisker spans {}..{}; the interval of mu* is {}..{}",
                    attr(*w, "x1"),
                    attr(*w, "x2"),
                    x.px(lo),
                    x.px(hi)
                );
            }
            None => assert_eq!(lo, hi, "{what}: no whisker for the interval {lo}..{hi}"),
        }
    }
}

/// The sweep designs, each with its charts and page: a line chart for one
/// dimension, one chart of heat maps (a panel per rule) for two, and a chart
/// per parameter for a Latin hypercube and for one at a time.
#[test]
fn sweep_pages_of_every_design_parse() {
    let tmp = tempfile::tempdir().unwrap();
    let kaz = shipped("kazakhstan_2022");
    let designs: [(&str, &[&str], usize); 4] = [
        ("one", &["--vary", "crisis.framing=0:1:4"], 1),
        (
            "two",
            &[
                "--vary",
                "crisis.framing=0:1:3",
                "--vary",
                "members.RUS.weights.cost=1:3:3",
                "--rules",
                "unanimity,majority",
            ],
            1,
        ),
        (
            "lhs",
            &[
                "--design",
                "lhs",
                "--samples",
                "5",
                "--vary",
                "crisis.framing=0:1",
                "--vary",
                "noise=0:0.3",
            ],
            2,
        ),
        (
            "oat",
            &[
                "--design",
                "oat",
                "--vary",
                "crisis.framing=0,1",
                "--vary",
                "noise=0.05,0.2",
            ],
            2,
        ),
    ];
    for (out, extra, charts) in designs {
        let mut args = vec!["sweep", kaz.as_str(), "--runs", "200", "--out", out, "-q"];
        args.extend_from_slice(extra);
        succeed(tmp.path(), &args);
        let dir = tmp.path().join(out).join("kazakhstan_2022-sweep");
        assert_eq!(
            markup::check_folder(&dir),
            charts + 1,
            "{out}: {charts} charts and report.html"
        );
        let page = markup::read_html(&dir.join("report.html"));
        assert_eq!(
            inline_charts(&page).len(),
            charts,
            "{out}: charts in the page"
        );
    }
}

#[test]
fn validate_page_parses() {
    let tmp = tempfile::tempdir().unwrap();
    let args: Vec<String> = ["armenia_2020", "kazakhstan_2022", "kyrgyzstan_2010"]
        .iter()
        .map(|s| shipped(s))
        .chain(["--runs", "300", "--out", "out", "-q"].map(String::from))
        .collect();
    let mut all = vec!["validate"];
    all.extend(util::refs(&args));
    succeed(tmp.path(), &all);
    let dir = tmp.path().join("out/validation");
    assert_eq!(
        markup::check_folder(&dir),
        2,
        "validation.svg and report.html"
    );
    let page = markup::read_html(&dir.join("report.html"));
    assert_eq!(inline_charts(&page).len(), 1);
}

#[test]
fn calibrate_page_and_charts_parse() {
    let tmp = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = vec!["calibrate".into()];
    args.extend(
        ["armenia_2020", "kazakhstan_2022", "kyrgyzstan_2010"]
            .iter()
            .map(|s| shipped(s)),
    );
    args.extend(
        [
            "--param",
            "noise=0.02:0.8",
            "--runs",
            "200",
            "--starts",
            "1",
            "--draws",
            "10",
            "--burn-in",
            "5",
            "--cv",
            "none",
            "--out",
            "out",
            "--quiet",
        ]
        .map(String::from),
    );
    succeed(tmp.path(), &util::refs(&args));
    let dir = tmp.path().join("out/calibration");
    assert_eq!(
        markup::check_folder(&dir),
        1,
        "report.html (charts only inline)"
    );
    let page = markup::read_html(&dir.join("report.html"));
    assert_eq!(
        inline_charts(&page).len(),
        2,
        "the reliability diagram and the cases before and after"
    );
}

#[test]
fn merged_shards_write_pages_that_parse() {
    let tmp = tempfile::tempdir().unwrap();
    let file = shipped("kyrgyzstan_2010");
    for k in 0..2 {
        let shard = format!("{k}/2");
        succeed(
            tmp.path(),
            &[
                "run", &file, "--runs", "2000", "--out", "shards", "--shard", &shard, "-q",
            ],
        );
    }
    succeed(tmp.path(), &["merge", "shards", "--out", "merged"]);
    let dir = tmp.path().join("merged/kyrgyzstan_2010");
    assert_eq!(
        markup::check_folder(&dir),
        2,
        "outcomes.svg and report.html"
    );
    let rows = util::csv_rows(&dir.join("outcomes.csv"));
    let svg = std::fs::read_to_string(dir.join("outcomes.svg")).unwrap();
    assert_outcome_bars(&markup::svg(&svg, "merged outcomes.svg"), &rows, "merged");
}

/// The checker itself: pages a parser would refuse fail it.
#[test]
fn the_page_checker_refuses_what_an_xml_parser_or_a_browser_would() {
    let chart = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\" \
                 viewBox=\"0 0 10 10\">\n<title>T</title>\n<text x=\"1\" y=\"2\">BODY</text>\n</svg>\n";
    markup::svg(chart, "good chart");
    let page = |body: &str| {
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
             <title>t</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
        )
    };
    markup::html(&page("<p>a &amp; b</p>"), "good page");
    let refused = |f: &dyn Fn()| std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err();
    for bad in ["a \u{FFFF} b", "a < b", "a &nbsp; b", "<b>unclosed"] {
        let text = chart.replace("BODY", bad);
        assert!(
            refused(&|| {
                markup::svg(&text, "bad");
            }),
            "chart with {bad:?}"
        );
    }
    let text = chart.replace("x=\"1\"", "x=\"NaN\"");
    assert!(
        refused(&|| {
            markup::svg(&text, "bad");
        }),
        "NaN coordinate"
    );
    for bad in [
        "<div/>",
        "<script>x()</script>",
        "<p>a &nbsp; b</p>",
        "<p>a <br> b</p>",
        "<div><p>unclosed</div>",
    ] {
        let text = page(bad);
        assert!(
            refused(&|| {
                markup::html(&text, "bad");
            }),
            "page with {bad:?}"
        );
    }
    let old_meta = page("").replace("<meta charset=\"utf-8\"/>", "<meta charset=\"utf-8\">");
    assert!(
        refused(&|| {
            markup::html(&old_meta, "bad");
        }),
        "an unclosed <meta>"
    );
}
