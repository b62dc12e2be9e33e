//! Report pages that answer first: each page opens with its answer in a
//! paragraph directly under the `<h1>`, before any chart, and the answer
//! agrees with the files beside it. The run page's outcome table carries the
//! terminal's marks, its members are named, and its "why" chart of utility
//! terms holds the numbers `explain --format json` prints, beside the vote
//! shares of `members.csv`. The validation page states the terminal's overall
//! line and has a legend; the power page names who holds most power. A long
//! scenario name leaves a chart as wide as a short one.

use std::collections::HashMap;
use std::path::Path;

use roxmltree::{Document, Node};

use alliance_sim::output::charts::TERM_FILLS;

use crate::markup::{self, attr, text_of};
use crate::util::{self, shipped, stdout, succeed};

fn num(row: &HashMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column} = {:?} is not a number", row[column]))
}

/// The lead paragraphs of a page: the `<p class="lead">` elements that
/// follow the `<h1>` directly, before any section or chart.
fn lead(page: &str) -> String {
    let doc = markup::html(page, "report.html");
    let body = doc
        .descendants()
        .find(|n| n.has_tag_name("body"))
        .expect("a body");
    let mut children = body.children().filter(Node::is_element);
    let h1 = children.next().expect("an h1");
    assert!(h1.has_tag_name("h1"), "the page opens with its title");
    let paragraphs: Vec<String> = children
        .take_while(|n| n.has_tag_name("p") && n.attribute("class") == Some("lead"))
        .map(text_of)
        .collect();
    assert!(!paragraphs.is_empty(), "no lead paragraph under the h1");
    // Before any chart.
    let first_lead = page.find("<p class=\"lead\">").unwrap();
    assert!(page.find("<svg").is_none_or(|svg| first_lead < svg));
    paragraphs.join("\n")
}

/// The inline charts of a page, as text.
fn inline_charts(page: &str) -> Vec<String> {
    let doc = markup::html(page, "report.html");
    doc.descendants()
        .filter(|n| n.has_tag_name("svg"))
        .map(|svg| page[svg.range()].to_string())
        .collect()
}

/// The rows of the page's tables, as cell texts.
fn table_rows(page: &str) -> Vec<Vec<String>> {
    let doc = markup::html(page, "report.html");
    doc.descendants()
        .filter(|n| n.has_tag_name("tr"))
        .map(|tr| {
            tr.children()
                .filter(Node::is_element)
                .map(text_of)
                .collect()
        })
        .collect()
}

fn percent(p: f64) -> String {
    format!("{:.1}%", 100.0 * p)
}

fn run_kyrgyzstan(dir: &Path) -> (String, String) {
    let o = succeed(
        dir,
        &[
            "run",
            &shipped("kyrgyzstan_2010"),
            "--runs",
            "2000",
            "--out",
            "out",
            "-q",
        ],
    );
    let page = markup::read_html(&dir.join("out/kyrgyzstan_2010/report.html"));
    (page, stdout(&o))
}

#[test]
fn run_page_opens_with_the_most_likely_outcome_and_who_blocked_the_request() {
    let tmp = tempfile::tempdir().unwrap();
    let (page, terminal) = run_kyrgyzstan(tmp.path());
    let dir = tmp.path().join("out/kyrgyzstan_2010");
    let rows = util::csv_rows(&dir.join("outcomes.csv"));
    let modal = rows
        .iter()
        .max_by(|a, b| num(a, "count").total_cmp(&num(b, "count")))
        .unwrap();
    let lead = lead(&page);
    util::says(
        &lead,
        &[
            &format!(
                "Most likely outcome: {} ({} of 2,000 runs, 95% interval {}–{}), the historical outcome.",
                modal["option"],
                percent(num(modal, "probability")),
                percent(num(modal, "ci_low")),
                percent(num(modal, "ci_high"))
            ),
            // The request had no run: it never passed, and those who voted
            // against it are named.
            "The requested limited_deployment never passed: ",
            "Russia (RUS)",
            "Uzbekistan (UZB)",
            "no member was ever its sole blocker",
            // The rule in words, and the mean rounds the terminal prints.
            &format!("Decision rule {}:", modal["rule"]),
        ],
    );
    let rule: alliance_sim::model::DecisionRule = modal["rule"].parse().unwrap();
    util::says(&lead, &[&rule.described()]);
    let rounds = terminal
        .lines()
        .find_map(|l| l.trim().strip_prefix("mean rounds of voting: "))
        .expect("the terminal prints the mean rounds");
    util::says(&lead, &[&format!("Mean rounds of voting: {rounds}.")]);
    assert_eq!(num(&rows[3], "count"), 0.0, "limited_deployment had no run");
}

#[test]
fn run_page_marks_the_outcomes_as_the_terminal_does_and_names_the_members() {
    let tmp = tempfile::tempdir().unwrap();
    let (page, terminal) = run_kyrgyzstan(tmp.path());
    let rows = table_rows(&page);
    // The terminal's marks, on the same rows.
    for line in terminal.lines().filter(|l| l.contains("most likely")) {
        let option = line.split_whitespace().nth(1).unwrap();
        let row = rows
            .iter()
            .find(|r| r.get(1).map(String::as_str) == Some(option) && r.len() == 6)
            .unwrap_or_else(|| panic!("no outcome row for {option}"));
        assert!(row[5].contains("most likely"), "{row:?}");
        assert_eq!(
            row[5].contains("(historical)"),
            line.contains("(historical)"),
            "{row:?}"
        );
    }
    let marked: usize = rows
        .iter()
        .filter(|r| r.len() == 6 && r[5].contains("most likely"))
        .count();
    assert_eq!(marked, 1, "one most likely outcome");
    // Members by name and id, as `explain` names them.
    let o = succeed(
        tmp.path(),
        &["explain", &shipped("kyrgyzstan_2010"), "--format", "json"],
    );
    let x: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    for m in x["members"].as_array().unwrap() {
        let named = format!(
            "{} ({})",
            m["name"].as_str().unwrap(),
            m["id"].as_str().unwrap()
        );
        assert!(
            rows.iter().any(|r| r.first() == Some(&named)),
            "no row names {named}"
        );
    }
}

/// The x axis of a chart: grid lines paired with the numbers under them.
fn x_axis(doc: &Document) -> impl Fn(f64) -> f64 {
    let grid: Vec<f64> = doc
        .descendants()
        .filter(|l| l.has_tag_name("line") && l.attribute("stroke") == Some("#dddddd"))
        .filter(|l| attr(*l, "x1") == attr(*l, "x2"))
        .map(|l| attr(l, "x1"))
        .collect();
    let mut ticks: Vec<(f64, f64)> = doc
        .descendants()
        .filter(|t| t.has_tag_name("text") && t.attribute("text-anchor") == Some("middle"))
        .filter_map(|t| Some((text_of(t).parse::<f64>().ok()?, attr(t, "x"))))
        .filter(|(_, x)| grid.iter().any(|g| (g - x).abs() < 0.05))
        .collect();
    ticks.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(ticks.len() >= 2, "{ticks:?}");
    let (a, b) = (ticks[0], ticks[ticks.len() - 1]);
    let per = (b.1 - a.1) / (b.0 - a.0);
    assert!(per > 0.0);
    move |v| a.1 + (v - a.0) * per
}

#[test]
fn run_page_shows_why_with_the_numbers_of_explain_and_the_vote_shares() {
    let tmp = tempfile::tempdir().unwrap();
    let (page, _) = run_kyrgyzstan(tmp.path());
    let o = succeed(
        tmp.path(),
        &["explain", &shipped("kyrgyzstan_2010"), "--format", "json"],
    );
    let x: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let requested = x["requested"]["level"].as_u64().unwrap();
    let charts = inline_charts(&page);
    let why = charts
        .iter()
        .find(|c| c.contains("<title>Why: "))
        .expect("a chart of utility terms");
    let doc = Document::parse(why).unwrap();
    let px = x_axis(&doc);
    let mut segments: Vec<Node> = doc
        .descendants()
        .filter(|r| r.has_tag_name("rect"))
        .filter(|r| TERM_FILLS.contains(&r.attribute("fill").unwrap_or("")))
        .filter(|r| attr(*r, "height") > 10.0)
        .collect();
    let dots: Vec<f64> = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .map(|n| attr(n, "cx"))
        .skip(1) // the legend's
        .collect();
    let members = x["members"].as_array().unwrap();
    assert_eq!(dots.len(), members.len(), "a dot per member");
    let fields = [
        "security",
        "regime",
        "partner",
        "credibility",
        "sovereignty",
        "cost",
        "external",
        "pull",
    ];
    let mut drawn = 0;
    for (m, dot) in members.iter().zip(&dots) {
        let o = m["options"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["level"].as_u64() == Some(requested))
            .unwrap();
        // Positive terms stack right of 0, negative ones left, in order.
        let (mut pos, mut neg) = (0.0, 0.0);
        for (k, f) in fields.iter().enumerate() {
            let v = o[f].as_f64().unwrap();
            if v == 0.0 {
                continue;
            }
            let (from, to) = if v > 0.0 {
                pos += v;
                (pos - v, pos)
            } else {
                neg += v;
                (neg, neg - v)
            };
            let r = segments[drawn];
            drawn += 1;
            assert_eq!(r.attribute("fill"), Some(TERM_FILLS[k]), "{} {f}", m["id"]);
            assert!((attr(r, "x") - px(from)).abs() <= 0.15, "{} {f}", m["id"]);
            assert!(
                (attr(r, "width") - (px(to) - px(from))).abs() <= 0.2,
                "{} {f}: {} against {v}",
                m["id"],
                attr(r, "width")
            );
        }
        let perceived = o["perceived"].as_f64().unwrap();
        assert!((dot - px(perceived)).abs() <= 0.15, "{} dot", m["id"]);
        assert!(((pos + neg) - perceived).abs() < 1e-5, "the terms add up");
    }
    segments.drain(..drawn);
    assert!(segments.is_empty(), "no other segments: {}", segments.len());
    // The vote shares beside the bars, as members.csv has them.
    let texts: Vec<String> = doc
        .descendants()
        .filter(|t| t.has_tag_name("text"))
        .map(text_of)
        .collect();
    let dir = tmp.path().join("out/kyrgyzstan_2010");
    let all: Vec<String> = texts.iter().map(String::clone).collect();
    for row in util::csv_rows(&dir.join("members.csv")) {
        for column in ["p_yes", "p_no", "p_abstain", "p_sole_blocker"] {
            let v = format!("{:.3}", num(&row, column));
            assert!(all.contains(&v), "{} {column} {v}", row["member"]);
        }
    }
    util::says(
        why,
        &[
            "one noise-free evaluation at the scenario&apos;s central values",
            "shares of the 2,000 runs",
            "utility (model units",
        ],
    );
}

#[test]
fn validate_page_opens_with_the_overall_line_and_its_chart_has_a_legend() {
    let tmp = tempfile::tempdir().unwrap();
    let mut args = vec!["validate".to_string()];
    args.extend(
        ["armenia_2020", "kazakhstan_2022", "kyrgyzstan_2010"]
            .iter()
            .map(|s| shipped(s)),
    );
    args.extend(["--runs", "300", "--out", "out", "-q"].map(String::from));
    let o = succeed(tmp.path(), &util::refs(&args));
    let dir = tmp.path().join("out/validation");
    let all = util::csv_rows(&dir.join("validation_summary.csv"))
        .into_iter()
        .find(|r| r["alliance"] == "all")
        .expect("the overall row");
    let overall = format!(
        "historical outcome most likely in {} of {} cases; mean log score {:.3}; mean Brier {:.3}",
        all["modal"],
        all["cases"],
        num(&all, "mean_log_score"),
        num(&all, "mean_brier")
    );
    let baselines = format!(
        "base rate modal {} of {}, log {:.3}, Brier {:.3}; request granted modal {} of {}, log {:.3}, Brier {:.3}",
        all["base_rate_modal"],
        all["cases"],
        num(&all, "base_rate_mean_log_score"),
        num(&all, "base_rate_mean_brier"),
        all["granted_modal"],
        all["cases"],
        num(&all, "granted_mean_log_score"),
        num(&all, "granted_mean_brier"),
    );
    let page = markup::read_html(&dir.join("report.html"));
    let lead = lead(&page);
    util::says(&lead, &[&overall, &baselines]);
    // The terminal says the same.
    util::says(&stdout(&o), &[&overall, &baselines]);
    // The chart says what its bars and colours mean.
    let svg = markup::read_svg(&dir.join("validation.svg"));
    util::says(
        &svg,
        &[
            "the historical outcome was the model&apos;s most likely",
            "another outcome was more likely",
            "whisker: 95% interval",
        ],
    );
    // The groups in words: "3 of 3" where the file has 3 and 3.
    let rows = table_rows(&page);
    assert!(
        rows.iter()
            .any(|r| r.first().map(String::as_str) == Some("all cases")
                && r.contains(&format!("{} of {}", all["modal"], all["cases"]))),
        "{rows:?}"
    );
}

#[test]
fn power_page_opens_with_who_holds_most_power() {
    let tmp = tempfile::tempdir().unwrap();
    succeed(
        tmp.path(),
        &[
            "power",
            &shipped("kyrgyzstan_2010"),
            "--runs",
            "2000",
            "--out",
            "out",
            "-q",
        ],
    );
    let dir = tmp.path().join("out/kyrgyzstan_2010-power");
    let rows = util::csv_rows(&dir.join("power.csv"));
    let page = markup::read_html(&dir.join("report.html"));
    let lead = lead(&page);
    let b: Vec<f64> = rows.iter().map(|r| num(r, "banzhaf_normalized")).collect();
    if b.iter().all(|v| (v - b[0]).abs() < 1e-6) {
        util::says(
            &lead,
            &[&format!(
                "All {} members hold equal voting power: a normalized Banzhaf index of {:.3} each",
                rows.len(),
                b[0]
            )],
        );
    } else {
        util::says(&lead, &["Most voting power: "]);
    }
    util::says(&lead, &["of 2,000 runs", "Decision rule "]);
    // Equal power, and still every label on its own line.
    let svg = markup::read_svg(&dir.join("power.svg"));
    let doc = markup::svg(&svg, "power.svg");
    let mut ys: Vec<f64> = doc
        .descendants()
        .filter(|t| t.has_tag_name("text") && t.attribute("text-anchor") == Some("end"))
        .filter(|t| rows.iter().any(|r| r["member"] == text_of(*t)))
        .map(|t| attr(t, "y"))
        .collect();
    assert_eq!(ys.len(), rows.len());
    ys.sort_by(f64::total_cmp);
    assert!(ys.windows(2).all(|w| w[1] - w[0] >= 11.0), "{ys:?}");
}

#[test]
fn a_long_scenario_name_leaves_the_chart_as_wide_and_keeps_the_name_in_its_title() {
    let tmp = tempfile::tempdir().unwrap();
    let scenarios = util::root().join("scenarios");
    std::fs::create_dir(tmp.path().join("csto")).unwrap();
    for f in std::fs::read_dir(scenarios.join("csto")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, tmp.path().join("csto").join(f.file_name().unwrap())).unwrap();
    }
    let text = std::fs::read_to_string(scenarios.join("kyrgyzstan_2010.toml")).unwrap();
    let long_name = format!(
        "Kyrgyzstan, June 2010{}",
        ", and a very long name".repeat(8)
    );
    let long = text.replace(
        "name = \"Kyrgyzstan, June 2010\"",
        &format!("name = \"{long_name}\""),
    );
    assert_ne!(long, text);
    std::fs::write(tmp.path().join("short.toml"), &text).unwrap();
    std::fs::write(tmp.path().join("long.toml"), &long).unwrap();
    succeed(
        tmp.path(),
        &[
            "run",
            "short.toml",
            "long.toml",
            "--runs",
            "200",
            "--out",
            "out",
            "-q",
        ],
    );
    let width = |stem: &str| {
        let svg = markup::read_svg(&tmp.path().join(format!("out/{stem}/outcomes.svg")));
        let doc = markup::svg(&svg, stem);
        let root = doc.root_element();
        let title = root
            .children()
            .find(|n| n.has_tag_name("title"))
            .map(text_of)
            .unwrap();
        let shown = root
            .children()
            .find(|n| n.has_tag_name("text"))
            .map(text_of)
            .unwrap();
        (attr(root, "width"), title, shown)
    };
    let (short_w, _, short_shown) = width("short");
    let (long_w, long_title, long_shown) = width("long");
    assert_eq!(short_w, long_w, "the chart keeps its width");
    assert!(long_title.contains(&long_name), "{long_title}");
    assert!(long_shown.contains('…') && long_shown.starts_with("Kyrgyzstan, June 2010"));
    assert!(long_shown.chars().count() < long_title.chars().count());
    assert!(!short_shown.contains('…'), "{short_shown}");
    assert!(short_shown.contains("200 runs"));
}

/// Where single members blocked the request in some runs, the lead names
/// them with their shares of runs from `members.csv`, most often first.
#[test]
fn run_page_names_the_sole_blockers_with_their_shares() {
    let tmp = tempfile::tempdir().unwrap();
    let file = util::root().join("scenarios/ecowas/gambia_2017.toml");
    let file = file.to_str().unwrap();
    succeed(
        tmp.path(),
        &["run", file, "--runs", "2000", "--out", "out", "-q"],
    );
    let dir = tmp.path().join("out/gambia_2017");
    let mut rows = util::csv_rows(&dir.join("members.csv"));
    rows.retain(|r| num(r, "sole_blocker") > 0.0);
    assert!(!rows.is_empty(), "someone blocked alone in some runs");
    rows.sort_by(|a, b| num(b, "p_sole_blocker").total_cmp(&num(a, "p_sole_blocker")));
    let o = succeed(tmp.path(), &["explain", file, "--format", "json"]);
    let x: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let name = |id: &str| {
        let m = x["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .unwrap();
        format!("{} ({id})", m["name"].as_str().unwrap())
    };
    let page = markup::read_html(&dir.join("report.html"));
    let lead = lead(&page);
    let first = &rows[0];
    util::says(
        &lead,
        &[
            "a single member blocked it alone in some runs: ",
            &format!(
                "{} in {} of runs",
                name(&first["member"]),
                percent(num(first, "p_sole_blocker"))
            ),
        ],
    );
    assert!(!lead.contains("no member was ever its sole blocker"));
}

/// When every member was decisive in the same number of runs (Kazakhstan
/// 2022 under consensus: each member's no would have stopped the
/// deployment in every run), the lead says so, and names no one member as
/// deciding "most often".
#[test]
fn power_page_names_no_single_member_when_decisiveness_ties() {
    let tmp = tempfile::tempdir().unwrap();
    succeed(
        tmp.path(),
        &[
            "power",
            &shipped("kazakhstan_2022"),
            "--runs",
            "2000",
            "--out",
            "out",
            "-q",
        ],
    );
    let dir = tmp.path().join("out/kazakhstan_2022-power");
    let rows = util::csv_rows(&dir.join("power.csv"));
    let decisive: Vec<&str> = rows.iter().map(|r| r["decisive"].as_str()).collect();
    assert!(
        decisive.iter().all(|d| *d == decisive[0]) && decisive[0] != "0",
        "{decisive:?}"
    );
    let page = markup::read_html(&dir.join("report.html"));
    let lead = lead(&page);
    util::says(
        &lead,
        &["every member's vote decided the requested option equally often"],
    );
    assert!(!lead.contains("most often"), "{lead}");
}
