//! `alliance-sim sensitivity` bands and certainty: by default each parameter
//! moves over a band around its value set by its kind (GDP by at most ±25%),
//! `--full-range` gives the old whole-range analysis number for number, the
//! bootstrap interval of μ* holds μ* and is the same at any thread count,
//! equal μ* are ranked by name, and the tornado's whiskers stay within what
//! μ* can reach.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use roxmltree::Document;

use crate::util::{self, fail, succeed};

type Row = HashMap<String, String>;

fn num(row: &Row, column: &str) -> f64 {
    row.get(column)
        .unwrap_or_else(|| panic!("no column `{column}` in {row:?}"))
        .parse()
        .unwrap_or_else(|_| panic!("{column} = {:?} is not a number", row[column]))
}

/// Runs `sensitivity` on Kyrgyzstan 2010 into `out` with `extra` options and
/// returns the results folder.
fn analyse(out: &Path, extra: &[&str]) -> PathBuf {
    let file = util::shipped("kyrgyzstan_2010");
    let mut args = vec![
        "sensitivity",
        file.as_str(),
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    succeed(out.parent().unwrap(), &args);
    out.join("kyrgyzstan_2010-sensitivity")
}

fn rows(dir: &Path) -> Vec<Row> {
    util::csv_rows(&dir.join("sensitivity.csv"))
}

fn by_name<'a>(rows: &'a [Row], path: &str) -> &'a Row {
    rows.iter()
        .find(|r| r["parameter"] == path)
        .unwrap_or_else(|| panic!("no row for {path}"))
}

#[test]
fn by_default_gdp_moves_by_at_most_a_quarter_and_judgements_by_a_tenth() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = analyse(
        &tmp.path().join("out"),
        &[
            "--trajectories",
            "2",
            "--runs",
            "50",
            "--param",
            "members.*.gdp",
            "--param",
            "members.KGZ.gdp",
            "--param",
            "members.RUS.military_spending",
            "--param",
            "crisis.severity",
            "--param",
            "members.RUS.affinity.KGZ",
            "--param",
            "members.KAZ.weights.cost",
            "--param",
            "members.UZB.reservation",
        ],
    );
    let rows = rows(&dir);
    assert_eq!(rows.len(), 7);
    for r in &rows {
        let (x, lo, hi) = (num(r, "value"), num(r, "low"), num(r, "high"));
        assert!(lo < hi && lo <= x && x <= hi, "{r:?}");
        match r["kind"].as_str() {
            "data" | "weight" => {
                assert!(x > 0.0, "{r:?}");
                // Written with six decimals.
                assert!(lo >= 0.75 * x - 1e-6 && hi <= 1.25 * x + 1e-6, "{r:?}");
                assert!((hi - lo - 0.5 * x).abs() < 2e-6, "±25%: {r:?}");
            }
            "judgement" => assert!(hi - lo <= 0.4 + 1e-9, "{r:?}"),
            "reservation" => assert!((hi - lo - 0.4).abs() < 1e-9, "{r:?}"),
            other => panic!("unexpected kind {other}: {r:?}"),
        }
    }
    let kgz = by_name(&rows, "members.KGZ.gdp");
    assert_eq!(kgz["kind"], "data");
    assert!(num(kgz, "high") < 100.0, "not the whole range: {kgz:?}");
    let severity = by_name(&rows, "crisis.severity");
    assert_eq!(
        (num(severity, "low"), num(severity, "high")),
        (0.6, 0.8),
        "0.7 ± 0.1"
    );
    let affinity = by_name(&rows, "members.RUS.affinity.KGZ");
    assert_eq!(
        (num(affinity, "low"), num(affinity, "high")),
        (0.3, 0.7),
        "0.5 ± 0.2 on -1..1"
    );
    // The options change the band; the manifest records it.
    let dir = analyse(
        &tmp.path().join("narrow"),
        &[
            "--trajectories",
            "2",
            "--runs",
            "50",
            "--param",
            "members.KGZ.gdp",
            "--param",
            "crisis.severity",
            "--relative",
            "0.1",
            "--scale-share",
            "0.05",
        ],
    );
    let rows = self::rows(&dir);
    let kgz = by_name(&rows, "members.KGZ.gdp");
    let x = num(kgz, "value");
    assert!((num(kgz, "high") - num(kgz, "low") - 0.2 * x).abs() < 2e-6);
    let severity = by_name(&rows, "crisis.severity");
    assert!((num(severity, "high") - num(severity, "low") - 0.1).abs() < 1e-9);
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["design"]["band"]["relative"], 0.1);
    assert_eq!(m["design"]["band"]["scale_share"], 0.05);
}

/// The old analysis, over every parameter's whole range, as the program wrote
/// it before bands by kind (the same command without `--full-range`).
const OLD: [(&str, &str, &str, &str, &str, &str); 6] = [
    // parameter, low, high, mu_star, mu, sigma
    (
        "members.UZB.reservation",
        "-10.000000",
        "10.000000",
        "0.468500",
        "-0.468500",
        "0.544694",
    ),
    (
        "members.RUS.weights.cost",
        "0.000000",
        "100.000000",
        "0.380500",
        "-0.380500",
        "0.575570",
    ),
    (
        "crisis.legitimacy",
        "0.000000",
        "1.000000",
        "0.179500",
        "0.179500",
        "0.423620",
    ),
    (
        "members.KGZ.gdp",
        "0.000000",
        "100000.000000",
        "0.172500",
        "0.172500",
        "0.422537",
    ),
    (
        "crisis.severity",
        "0.000000",
        "1.000000",
        "0.038000",
        "0.038000",
        "0.047762",
    ),
    (
        "members.RUS.threat.interstate_war",
        "0.000000",
        "1.000000",
        "0.000000",
        "0.000000",
        "0.000000",
    ),
];

#[test]
fn full_range_reproduces_the_old_analysis() {
    let tmp = tempfile::tempdir().unwrap();
    let mut extra = vec!["--full-range", "--trajectories", "6", "--runs", "500"];
    for p in [
        "crisis.severity",
        "members.KGZ.gdp",
        "members.UZB.reservation",
        "crisis.legitimacy",
        "members.RUS.weights.cost",
        "members.RUS.threat.interstate_war",
    ] {
        extra.extend(["--param", p]);
    }
    let dir = analyse(&tmp.path().join("out"), &extra);
    let got: Vec<(String, String, String, String, String, String)> = rows(&dir)
        .iter()
        .map(|r| {
            let c = |k: &str| r[k].clone();
            (
                c("parameter"),
                c("low"),
                c("high"),
                c("mu_star"),
                c("mu"),
                c("sigma"),
            )
        })
        .collect();
    let want: Vec<_> = OLD
        .iter()
        .map(|t| {
            (
                t.0.to_string(),
                t.1.to_string(),
                t.2.to_string(),
                t.3.to_string(),
                t.4.to_string(),
                t.5.to_string(),
            )
        })
        .collect();
    assert_eq!(got, want);
    // Without --param: every fixed number but the noise and the abstention
    // band, 203 for this case, as before.
    let dir = analyse(
        &tmp.path().join("all"),
        &[
            "--full-range",
            "--trajectories",
            "1",
            "--runs",
            "1",
            "--no-report",
        ],
    );
    let rows = rows(&dir);
    assert_eq!(rows.len(), 203);
    let tjk = by_name(&rows, "members.TJK.gdp");
    assert_eq!((num(tjk, "low"), num(tjk, "high")), (0.0, 100_000.0));
    // The old whole-range band cannot be mixed with a band by kind.
    let file = util::shipped("kyrgyzstan_2010");
    let err = fail(
        tmp.path(),
        &["sensitivity", &file, "--full-range", "--relative", "0.1"],
    );
    assert!(err.contains("--relative"), "{err}");
    for (bad, option) in [
        ("--relative=0", "--relative"),
        ("--scale-share=-0.1", "--scale-share"),
    ] {
        let err = fail(tmp.path(), &["sensitivity", &file, bad, "--out", "never"]);
        util::says(&err, &[option, "above 0"]);
    }
    assert!(!tmp.path().join("never").exists(), "nothing written");
}

#[test]
fn bootstrap_interval_holds_mu_star_and_is_the_same_at_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let extra = |threads: &'static str| {
        vec![
            "--trajectories",
            "8",
            "--runs",
            "300",
            "--param",
            "crisis.*",
            "--param",
            "members.UZB.*",
            "--threads",
            threads,
        ]
    };
    let one = analyse(&tmp.path().join("one"), &extra("1"));
    let two = analyse(&tmp.path().join("two"), &extra("2"));
    // (The page and the manifest name the thread count and the folder.)
    for name in ["sensitivity.csv", "tornado.svg"] {
        let (a, b) = (
            std::fs::read(one.join(name)).unwrap(),
            std::fs::read(two.join(name)).unwrap(),
        );
        assert!(a == b, "{name} differs between 1 and 2 threads");
    }
    let rows = rows(&one);
    // Δ = 2/3 on four levels: an effect is at most 1 / Δ = 1.5.
    let most = 1.5;
    let mut wide = 0;
    for r in &rows {
        let (m, lo, hi) = (
            num(r, "mu_star"),
            num(r, "mu_star_lo"),
            num(r, "mu_star_hi"),
        );
        assert!(0.0 <= lo && lo <= m && m <= hi && hi <= most, "{r:?}");
        if hi > lo {
            wide += 1;
        }
    }
    assert!(wide >= 2, "some intervals have a width: {rows:?}");
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(one.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["bootstrap"]["resamples"], 1000);
}

#[test]
fn equal_mu_star_are_ranked_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    // Over whole ranges the Kyrgyz case is all or nothing, so many effects
    // come out at the same step, 0.15.
    let dir = analyse(
        &tmp.path().join("out"),
        &["--full-range", "--runs", "200", "--no-report"],
    );
    let rows = rows(&dir);
    let mut groups: Vec<Vec<&str>> = Vec::new();
    let mut last = "";
    for r in &rows {
        if r["mu_star"] != last {
            groups.push(Vec::new());
            last = &r["mu_star"];
        }
        groups.last_mut().unwrap().push(&r["parameter"]);
    }
    let tied = groups.iter().filter(|g| g.len() >= 3).count();
    assert!(tied >= 2, "no ties to order: {rows:?}");
    for g in &groups {
        let mut sorted = g.clone();
        sorted.sort_unstable();
        assert_eq!(g, &sorted, "equal mu* not in name order");
    }
}

#[test]
fn tornado_whiskers_stay_between_0_and_what_mu_star_can_reach() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = analyse(
        &tmp.path().join("out"),
        &[
            "--trajectories",
            "6",
            "--runs",
            "300",
            "--full-range",
            "--param",
            "crisis.*",
            "--param",
            "members.KGZ.*",
        ],
    );
    let svg = std::fs::read_to_string(dir.join("tornado.svg")).unwrap();
    let doc = Document::parse(&svg).unwrap();
    let attr = |n: roxmltree::Node, a: &str| -> f64 { n.attribute(a).unwrap().parse().unwrap() };
    // The x axis: tick labels under the plot, centred on their value.
    let mut ticks: Vec<(f64, f64)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text") && n.attribute("text-anchor") == Some("middle"))
        .filter_map(|t| Some((t.text()?.parse::<f64>().ok()?, attr(t, "x"))))
        .collect();
    ticks.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(ticks.len() >= 2, "{ticks:?}");
    let (first, last) = (ticks[0], ticks[ticks.len() - 1]);
    let per_unit = (last.1 - first.1) / (last.0 - first.0);
    let px = |v: f64| first.1 + (v - first.0) * per_unit;
    let whiskers: Vec<(f64, f64)> = doc
        .descendants()
        .filter(|l| {
            l.has_tag_name("line")
                && l.attribute("stroke") == Some("#222222")
                && l.attribute("y1") == l.attribute("y2")
        })
        .map(|l| (attr(l, "x1"), attr(l, "x2")))
        .collect();
    let rows = rows(&dir);
    let shown: Vec<&Row> = rows
        .iter()
        .take(20)
        .filter(|r| num(r, "mu_star_hi") > num(r, "mu_star_lo"))
        .collect();
    assert!(shown.len() >= 3, "whiskers to check: {rows:?}");
    assert_eq!(whiskers.len(), shown.len(), "one whisker per interval");
    for ((x1, x2), r) in whiskers.iter().zip(&shown) {
        assert!(*x1 >= px(0.0) - 0.15, "a whisker runs below 0: {r:?}");
        assert!(*x2 <= px(1.5) + 0.15, "a whisker runs past 1/Δ: {r:?}");
        assert!(
            (x1 - px(num(r, "mu_star_lo"))).abs() <= 0.15
                && (x2 - px(num(r, "mu_star_hi"))).abs() <= 0.15,
            "the whisker {x1}..{x2} is not the interval of {r:?}"
        );
    }
    let page = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(
        page.contains("moves most with"),
        "the page opens with its answer"
    );
}
