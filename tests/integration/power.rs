//! `alliance-sim power`: a-priori voting power and simulated decisiveness on
//! the shipped scenarios, the CSV file, and bad input.

use std::path::Path;

use crate::util;

/// Columns of `power.csv`.
const HEADER: &str = "scenario,rule,member,banzhaf_absolute,banzhaf_normalized,shapley_shubik,\
runs,decisive,p_decisive,ci_low,ci_high,banzhaf_absolute_exact,banzhaf_normalized_exact,shapley_shubik_exact";

/// Runs `alliance-sim power STEM args --quiet` in `dir` and returns the rows
/// of `power.csv` (header first), split into cells.
fn power(dir: &Path, stem: &str, args: &[&str]) -> Vec<Vec<String>> {
    let file = util::scenario(stem);
    let mut all = vec!["power", file.to_str().unwrap(), "--quiet"];
    all.extend_from_slice(args);
    let o = util::succeed(dir, &all);
    let out = util::stdout(&o);
    assert!(out.contains("shapley_shubik"), "no table:\n{out}");
    let text = std::fs::read_to_string(dir.join(format!("output/{stem}-power/power.csv"))).unwrap();
    assert!(dir
        .join(format!("output/{stem}-power/manifest.json"))
        .exists());
    text.lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn num(cell: &str) -> f64 {
    cell.parse()
        .unwrap_or_else(|_| panic!("not a number: {cell}"))
}

#[test]
fn csv_header_and_one_row_per_member() {
    let tmp = tempfile::tempdir().unwrap();
    let rows = power(tmp.path(), "kazakhstan_2022", &["--runs", "500"]);
    assert_eq!(rows[0].join(","), HEADER);
    let members: Vec<&str> = rows[1..].iter().map(|r| r[2].as_str()).collect();
    assert_eq!(members, ["RUS", "KAZ", "BLR", "ARM", "KGZ", "TJK"]);
    for r in &rows[1..] {
        assert_eq!(r.len(), 14);
        assert_eq!(r[0], "kazakhstan_2022");
        assert_eq!(r[1], "consensus");
        assert_eq!(r[6], "500");
    }
}

#[test]
fn unanimity_gives_every_member_the_same_power() {
    let tmp = tempfile::tempdir().unwrap();
    let rows = power(tmp.path(), "kazakhstan_2022", &["--runs", "500"]);
    for r in &rows[1..] {
        assert_eq!(r[3], "0.031250", "{r:?}"); // 1/2^5
        assert_eq!(r[4], "0.166667", "{r:?}"); // 1/6
        assert_eq!(r[5], "0.166667", "{r:?}");
    }
}

#[test]
fn russia_dictates_a_rule_weighted_by_military_spending() {
    let tmp = tempfile::tempdir().unwrap();
    let rows = power(
        tmp.path(),
        "kazakhstan_2022",
        &["--runs", "500", "--rule", "weighted:military:0.5"],
    );
    for r in &rows[1..] {
        assert_eq!(r[1], "weighted:military:0.5");
        let expected = if r[2] == "RUS" { 1.0 } else { 0.0 };
        for c in 3..=5 {
            assert_eq!(num(&r[c]), expected, "{r:?}");
        }
        if r[2] != "RUS" {
            // A member without a priori power is never decisive in a run either.
            assert_eq!(r[7], "0", "{r:?}");
        }
    }
}

#[test]
fn simulated_decisiveness_is_a_share_with_its_interval() {
    let tmp = tempfile::tempdir().unwrap();
    for rule in ["unanimity", "majority", "hegemon_majority"] {
        let rows = power(
            tmp.path(),
            "armenia_2020",
            &["--runs", "5000", "--rule", rule],
        );
        assert_eq!(rows.len(), 7);
        for r in &rows[1..] {
            let (runs, count) = (num(&r[6]), num(&r[7]));
            let (p, lo, hi) = (num(&r[8]), num(&r[9]), num(&r[10]));
            assert_eq!(runs, 5000.0);
            assert!((0.0..=runs).contains(&count), "{r:?}");
            assert!((p - count / runs).abs() < 1e-6, "{r:?}");
            assert!(0.0 <= lo && lo <= p && p <= hi && hi <= 1.0, "{r:?}");
        }
    }
}

#[test]
fn results_do_not_depend_on_threads() {
    let csv = |threads: &str| {
        let tmp = tempfile::tempdir().unwrap();
        let rows = power(
            tmp.path(),
            "kyrgyzstan_2010",
            &["--runs", "9000", "--threads", threads, "--rule", "majority"],
        );
        rows.iter().map(|r| r.join(",")).collect::<Vec<_>>()
    };
    assert_eq!(csv("1"), csv("3"));
}

#[test]
fn bad_input_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let file = util::scenario("kazakhstan_2022");
    let file = file.to_str().unwrap();
    let err = util::fail(tmp.path(), &["power", file, "--rule", "unanimty"]);
    assert!(err.contains("did you mean `unanimity`?"), "{err}");
    util::fail(tmp.path(), &["power", "missing.toml"]);
    let bad = util::temp_with(&[("bad.toml", "[crisis\n")]);
    util::fail(bad.path(), &["power", "bad.toml"]);
    assert!(!tmp.path().join("output").exists());
}
