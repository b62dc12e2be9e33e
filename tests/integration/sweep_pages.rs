//! The pages and charts of sweeps as a reader meets them: the answer first,
//! then charts for every design (rules together where they share axes), then
//! a table of the points; lines that coincide stay visible; heat maps
//! without seams and with round ticks; the values a sweep writes, rounded
//! as promised; and `sweep --help` naming the shard folders it writes.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use alliance_sim::model::DecisionRule;
use roxmltree::{Document, Node};

use crate::markup;
use crate::util::{self, csv_rows, shipped, succeed};

/// Runs a sweep of `stem` into `out` and returns its results folder.
fn sweep(dir: &Path, stem: &str, out: &str, extra: &[&str]) -> PathBuf {
    let s = shipped(stem);
    let mut args = vec!["sweep", s.as_str(), "--out", out, "-q"];
    args.extend_from_slice(extra);
    succeed(dir, &args);
    dir.join(out).join(format!("{stem}-sweep"))
}

/// The elements named `tag` of a document, in order.
fn all<'a, 'i>(doc: &'a Document<'i>, tag: &str) -> Vec<Node<'a, 'i>> {
    doc.descendants().filter(|n| n.has_tag_name(tag)).collect()
}

/// The page's section headings, in order.
fn headings(doc: &Document) -> Vec<String> {
    all(doc, "h2").into_iter().map(markup::text_of).collect()
}

/// The text of the section headed `heading`.
fn section(doc: &Document, heading: &str) -> String {
    all(doc, "section")
        .into_iter()
        .find(|s| {
            s.children()
                .any(|h| h.has_tag_name("h2") && markup::text_of(h) == heading)
        })
        .map(markup::text_of)
        .unwrap_or_else(|| panic!("no section `{heading}`"))
}

/// The rule labels of a sweep, as its CSV file writes them, in order.
fn rule_labels(rows: &[HashMap<String, String>]) -> Vec<String> {
    let mut seen = Vec::new();
    for r in rows {
        if !seen.contains(&r["rule"]) {
            seen.push(r["rule"].clone());
        }
    }
    seen
}

/// The inline charts of a page, each as its text.
fn inline_charts(page: &str) -> Vec<String> {
    let doc = markup::html(page, "report.html");
    all(&doc, "svg")
        .iter()
        .map(|svg| page[svg.range()].to_string())
        .collect()
}

/// The page opens with its answer, in words naming the parameter, the
/// requested option and each rule; then the charts, with what each rule
/// means; then a table with a row per point giving the probability of each
/// outcome as the CSV does. Counts carry thousands separators.
#[test]
fn the_page_answers_first_then_charts_then_a_table_of_points() {
    let tmp = tempfile::tempdir().unwrap();
    let sd = sweep(
        tmp.path(),
        "kyrgyzstan_2010",
        "out",
        &[
            "--vary",
            "members.*.weights.cost=0:2:5",
            "--rules",
            "unanimity,majority",
            "--runs",
            "1200",
        ],
    );
    let page = markup::read_html(&sd.join("report.html"));
    let doc = markup::html(&page, "report.html");
    let h = headings(&doc);
    assert_eq!(h.first().map(String::as_str), Some("Answer"), "{h:?}");
    let at = |name: &str| h.iter().position(|x| x == name).unwrap_or(usize::MAX);
    assert!(
        at("Answer") < at("Charts") && at("Charts") < at("Results"),
        "{h:?}"
    );

    let rows = csv_rows(&sd.join("sweep_outcomes.csv"));
    let rules = rule_labels(&rows);
    let answer = section(&doc, "Answer");
    util::says(
        &answer,
        &[
            "Over members.*.weights.cost from 0 to 2",
            "limited_deployment",
            "1,200 runs each",
        ],
    );
    for rule in &rules {
        assert!(answer.contains(&format!(" {rule}")), "{rule}: {answer}");
        let meaning = DecisionRule::from_str(rule).unwrap().meaning();
        assert!(section(&doc, "Charts").contains(&meaning), "{meaning}");
    }

    // The table: a row per point, each probability as in the CSV.
    let table = all(&doc, "table")
        .into_iter()
        .next()
        .expect("a table of results");
    let header: Vec<String> = all(&doc, "th").into_iter().map(markup::text_of).collect();
    let options: Vec<String> = rows
        .iter()
        .filter(|r| r["point"] == "0")
        .map(|r| r["option"].clone())
        .collect();
    let mut want = vec!["point", "members.*.weights.cost", "rule"];
    want.extend(options.iter().map(String::as_str));
    assert_eq!(header, want);
    let body: Vec<Vec<String>> = table
        .descendants()
        .filter(|n| n.has_tag_name("tr"))
        .skip(1)
        .map(|tr| {
            tr.children()
                .filter(|c| c.has_tag_name("td"))
                .map(markup::text_of)
                .collect()
        })
        .collect();
    assert_eq!(body.len(), 10, "5 values x 2 rules");
    for row in &body {
        for (k, option) in options.iter().enumerate() {
            let csv = rows
                .iter()
                .find(|r| r["point"] == row[0] && &r["option"] == option)
                .unwrap();
            let p: f64 = csv["probability"].parse().unwrap();
            assert_eq!(row[3 + k], format!("{p:.3}"), "point {} {option}", row[0]);
            assert_eq!(row[1], csv["members.*.weights.cost"]);
            assert_eq!(row[2], csv["rule"]);
        }
    }
}

/// Of 1,500 points the table shows at most 200, evenly spaced with the
/// first and the last, and says how many the CSV holds.
#[test]
fn a_long_sweep_shows_a_bounded_table_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let sd = sweep(
        tmp.path(),
        "kyrgyzstan_2010",
        "out",
        &["--vary", "crisis.severity=0:1:1500", "--runs", "1"],
    );
    let page = markup::read_html(&sd.join("report.html"));
    let doc = markup::html(&page, "report.html");
    let results = section(&doc, "Results");
    util::says(&results, &["of the 1,500 points", "sweep_outcomes.csv"]);
    let rows: Vec<Vec<String>> = all(&doc, "tr")
        .into_iter()
        .skip(1)
        .map(|tr| {
            tr.children()
                .filter(|c| c.has_tag_name("td"))
                .map(markup::text_of)
                .collect()
        })
        .collect();
    assert!(
        rows.len() <= 200 && rows.len() >= 100,
        "{} rows",
        rows.len()
    );
    assert_eq!(rows[0][0], "0");
    assert_eq!(rows.last().unwrap()[0], "1499");
    assert!(section(&doc, "Charts").contains("of 1,500 points drawn"));
}

/// A Latin hypercube page draws, for each varied parameter, a scatter with
/// a marker per point and rule at the parameter's value, named in a legend
/// by rule label; an answer names the parameter the outcome moves with.
#[test]
fn a_latin_hypercube_page_draws_a_scatter_per_parameter() {
    let tmp = tempfile::tempdir().unwrap();
    let sd = sweep(
        tmp.path(),
        "kyrgyzstan_2010",
        "out",
        &[
            "--design",
            "lhs",
            "--samples",
            "30",
            "--vary",
            "members.*.weights.cost=0:2",
            "--vary",
            "crisis.framing=0:1",
            "--rules",
            "unanimity,majority",
            "--runs",
            "100",
        ],
    );
    let page = markup::read_html(&sd.join("report.html"));
    assert!(!page.contains("No chart"), "{page}");
    let charts = inline_charts(&page);
    assert_eq!(charts.len(), 2, "a chart per parameter");
    let rows = csv_rows(&sd.join("sweep_outcomes.csv"));
    let rules = rule_labels(&rows);
    for (chart, path) in charts
        .iter()
        .zip(["members.*.weights.cost", "crisis.framing"])
    {
        let doc = Document::parse(chart).unwrap();
        let texts: Vec<String> = all(&doc, "text").into_iter().map(markup::text_of).collect();
        assert!(texts.iter().any(|t| t.contains(path)), "{path}: {texts:?}");
        for rule in &rules {
            assert!(texts.contains(rule), "{rule} in the legend: {texts:?}");
        }
        // 30 points under each of 2 rules, and a legend marker per rule.
        let markers = all(&doc, "circle").len()
            + all(&doc, "rect")
                .into_iter()
                .filter(|r| r.attribute("fill") == Some("none") && markup::attr(*r, "width") == 6.0)
                .count();
        assert_eq!(markers, 30 * 2 + 2, "{path}");
    }
    let answer = section(&markup::html(&page, "report.html"), "Answer");
    util::says(&answer, &["moves most with", "limited_deployment"]);
}

/// A one-at-a-time page draws a line chart per parameter, over the points
/// that vary it.
#[test]
fn a_one_at_a_time_page_draws_a_line_chart_per_parameter() {
    let tmp = tempfile::tempdir().unwrap();
    let sd = sweep(
        tmp.path(),
        "kyrgyzstan_2010",
        "out",
        &[
            "--design",
            "oat",
            "--vary",
            "members.*.weights.cost=0:2:5",
            "--vary",
            "crisis.framing=0,0.5,1",
            "--runs",
            "100",
        ],
    );
    let page = markup::read_html(&sd.join("report.html"));
    let charts = inline_charts(&page);
    assert_eq!(charts.len(), 2, "a chart per parameter");
    for (chart, (path, values)) in charts
        .iter()
        .zip([("members.*.weights.cost", 5), ("crisis.framing", 3)])
    {
        let doc = Document::parse(chart).unwrap();
        let lines = all(&doc, "polyline");
        assert!(!lines.is_empty(), "{path}");
        for l in lines {
            let n = l.attribute("points").unwrap().split_whitespace().count();
            // The scenario's own value may be one of them or another.
            assert!(n == values || n == values + 1, "{path}: {n} points");
        }
        assert!(chart.contains(path));
    }
}

/// Several rules over one parameter share a chart per outcome, a line per
/// rule named by its label (the requested option's chart first); over two
/// parameters, one chart holds a heat map per rule under one colour scale.
#[test]
fn rules_are_drawn_together_where_they_share_axes() {
    let tmp = tempfile::tempdir().unwrap();
    let one = sweep(
        tmp.path(),
        "kyrgyzstan_2010",
        "one",
        &[
            "--vary",
            "crisis.framing=0:1:4",
            "--rules",
            "unanimity,majority,qualified_majority:0.67",
            "--runs",
            "100",
        ],
    );
    let rows = csv_rows(&one.join("sweep_outcomes.csv"));
    let rules = rule_labels(&rows);
    let options: HashSet<String> = rows.iter().map(|r| r["option"].clone()).collect();
    let charts = inline_charts(&markup::read_html(&one.join("report.html")));
    assert_eq!(charts.len(), options.len(), "a chart per outcome");
    assert!(
        charts[0].contains("Probability of limited_deployment"),
        "the requested option first"
    );
    for chart in &charts {
        let doc = Document::parse(chart).unwrap();
        assert_eq!(all(&doc, "polyline").len(), rules.len(), "a line per rule");
        let texts: Vec<String> = all(&doc, "text").into_iter().map(markup::text_of).collect();
        for rule in &rules {
            assert!(
                texts.iter().any(|t| t.starts_with(rule.as_str())),
                "{rule}: {texts:?}"
            );
        }
    }

    let two = sweep(
        tmp.path(),
        "kyrgyzstan_2010",
        "two",
        &[
            "--vary",
            "crisis.framing=0:1:3",
            "--vary",
            "crisis.severity=0:1:4",
            "--rules",
            "unanimity,majority",
            "--runs",
            "100",
        ],
    );
    let charts = inline_charts(&markup::read_html(&two.join("report.html")));
    assert_eq!(charts.len(), 1, "one chart of heat maps");
    let doc = Document::parse(&charts[0]).unwrap();
    let texts: Vec<String> = all(&doc, "text").into_iter().map(markup::text_of).collect();
    for rule in rule_labels(&csv_rows(&two.join("sweep_outcomes.csv"))) {
        assert!(texts.contains(&rule), "{rule} heads a panel: {texts:?}");
    }
    // One colour scale: its top label once.
    assert_eq!(texts.iter().filter(|t| *t == "1.0").count(), 1, "{texts:?}");
    // 3 x 4 cells per rule (the colour scale's steps are 16 wide).
    let cells = all(&doc, "rect")
        .into_iter()
        .filter(|r| r.attribute("shape-rendering") == Some("crispEdges"))
        .filter(|r| markup::attr(*r, "width") != 16.0)
        .count();
    assert_eq!(cells, 2 * 12, "a panel of cells per rule");
}

/// Two equal series and a series lying on another both show: each line has
/// its own dash pattern or width, the wider drawn first, and the legend
/// names both, saying they coincide.
#[test]
fn coinciding_lines_both_stay_visible() {
    let xs = [0.0, 0.5, 1.0];
    let series = vec![
        ("first".to_string(), vec![0.0, 0.0, 0.0]),
        ("second".to_string(), vec![0.0, 0.0, 0.0]),
    ];
    let svg = alliance_sim::output::charts::lines("L", "x", &xs, &series, "p");
    let doc = markup::svg(&svg, "lines");
    let lines = all(&doc, "polyline");
    assert_eq!(lines.len(), 2);
    let style = |n: &Node| {
        (
            n.attribute("stroke-width").unwrap().to_string(),
            n.attribute("stroke-dasharray").unwrap_or("").to_string(),
        )
    };
    let (a, b) = (style(&lines[0]), style(&lines[1]));
    assert_ne!(a.1, b.1, "different dash patterns: {a:?} {b:?}");
    let (wa, wb): (f64, f64) = (a.0.parse().unwrap(), b.0.parse().unwrap());
    assert!(wa > wb, "the first drawn is wider: {wa} then {wb}");
    let texts: Vec<String> = all(&doc, "text").into_iter().map(markup::text_of).collect();
    assert!(texts.iter().any(|t| t == "first"), "{texts:?}");
    assert!(
        texts.iter().any(|t| t == "second (same as first)"),
        "{texts:?}"
    );
}

/// A 201 by 21 heat map: in every row each cell's right edge is its
/// neighbour's left edge, and the axes are labelled at round values.
#[test]
fn a_201_by_21_heat_map_has_shared_cell_edges_and_round_ticks() {
    let xs: Vec<f64> = (0..201).map(|i| f64::from(i) / 200.0).collect();
    let ys: Vec<f64> = (0..21).map(|i| f64::from(i) / 20.0).collect();
    let values: Vec<Vec<f64>> = ys
        .iter()
        .map(|y| xs.iter().map(|x| (x + y) / 2.0).collect())
        .collect();
    let svg = alliance_sim::output::charts::heatmap(
        "H",
        "crisis.severity",
        &xs,
        "crisis.framing",
        &ys,
        &values,
    );
    let doc = markup::svg(&svg, "heat map");
    let mut rows: HashMap<String, Vec<(f64, f64)>> = HashMap::new();
    for r in all(&doc, "rect") {
        let w = markup::attr(r, "width");
        if w < 10.0 {
            rows.entry(r.attribute("y").unwrap().to_string())
                .or_default()
                .push((markup::attr(r, "x"), w));
        }
    }
    let full: Vec<&Vec<(f64, f64)>> = rows.values().filter(|r| r.len() == 201).collect();
    assert_eq!(full.len(), 21, "21 rows of 201 cells");
    for row in full {
        let mut row = row.clone();
        row.sort_by(|a, b| a.0.total_cmp(&b.0));
        for pair in row.windows(2) {
            let right = pair[0].0 + pair[0].1;
            assert!(
                (right - pair[1].0).abs() < 1e-9,
                "a seam: a cell ends at {right}, the next starts at {}",
                pair[1].0
            );
        }
    }
    let ticks = |anchor: &str| -> Vec<f64> {
        all(&doc, "text")
            .into_iter()
            .filter(|t| t.attribute("text-anchor") == Some(anchor))
            .filter_map(|t| markup::text_of(t).parse::<f64>().ok())
            .collect()
    };
    for (axis, values) in [("x", ticks("middle")), ("y", ticks("end"))] {
        assert!(values.len() >= 3, "{axis}: {values:?}");
        for v in values {
            assert!(
                (v * 4.0 - (v * 4.0).round()).abs() < 1e-9,
                "{axis}: a tick at {v}, not a round value"
            );
        }
    }
}

/// Every value a one-at-a-time sweep writes has at most 12 decimals, and
/// equal values are written alike: the scenario's central value of a
/// parameter given as a distribution, (0.4 + 0.6 + 0.8) / 3, pivots with a
/// point that sets it to 0.6. A Latin hypercube's values are rounded too.
#[test]
fn swept_values_have_at_most_12_decimals_and_equal_values_read_alike() {
    let text = std::fs::read_to_string(util::scenario("kazakhstan_2022")).unwrap();
    let changed = text.replacen(
        "severity = 0.8 ",
        "severity = { dist = \"triangular\", lo = 0.4, mode = 0.6, hi = 0.8 } ",
        1,
    );
    assert_ne!(changed, text, "the scenario's severity line was found");
    let tmp = util::temp_with(&[("tri.toml", &changed)]);
    // The files the scenario includes, beside it.
    let csto = util::root().join("scenarios/csto");
    std::fs::create_dir(tmp.path().join("csto")).unwrap();
    for entry in std::fs::read_dir(&csto).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(
            &path,
            tmp.path().join("csto").join(path.file_name().unwrap()),
        )
        .unwrap();
    }
    let dir = tmp.path();
    for (out, extra) in [
        (
            "oat",
            &[
                "--design",
                "oat",
                "--vary",
                "crisis.severity=0:1:11",
                "--vary",
                "noise=0.05,0.2",
            ][..],
        ),
        (
            "lhs",
            &[
                "--design",
                "lhs",
                "--samples",
                "20",
                "--vary",
                "crisis.severity=0:1",
                "--vary",
                "noise=0:0.3",
            ][..],
        ),
    ] {
        let mut args = vec!["sweep", "tri.toml", "--runs", "20", "--out", out, "-q"];
        args.extend_from_slice(extra);
        succeed(dir, &args);
        let rows = csv_rows(&dir.join(out).join("tri-sweep/sweep_outcomes.csv"));
        let mut written: HashMap<u64, HashSet<String>> = HashMap::new();
        for r in &rows {
            for path in ["crisis.severity", "noise"] {
                let cell = &r[path];
                let decimals = cell.split_once('.').map_or(0, |(_, d)| d.len());
                assert!(decimals <= 12, "{out}: {path} = {cell}");
                let v: f64 = cell.parse().unwrap();
                written.entry(v.to_bits()).or_default().insert(cell.clone());
            }
        }
        for forms in written.values() {
            assert_eq!(forms.len(), 1, "{out}: one value written as {forms:?}");
        }
        if out == "oat" {
            assert!(
                rows.iter()
                    .any(|r| r["noise"] != "0.1" && r["crisis.severity"] == "0.6"),
                "the central value is written as 0.6"
            );
        }
    }
}

/// `sweep --help` names the shard folders a sweep writes, as it writes them.
#[test]
fn sweep_help_names_the_shard_folders_it_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let help = util::stdout(&succeed(tmp.path(), &["sweep", "--help"]));
    let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("OUT/<stem>-sweep.shard-K-of-N/"),
        "sweep --help: {help}"
    );
    let s = shipped("kyrgyzstan_2010");
    succeed(
        tmp.path(),
        &[
            "sweep",
            &s,
            "--vary",
            "noise=0.1,0.2",
            "--runs",
            "10",
            "--shard",
            "1/2",
            "--out",
            "out",
            "-q",
        ],
    );
    assert!(
        tmp.path()
            .join("out/kyrgyzstan_2010-sweep.shard-1-of-2")
            .is_dir(),
        "the folder the help names"
    );
}
