//! `alliance-sim sensitivity` end to end: the layout and ranking of
//! `sensitivity.csv`, a parameter the model never reads getting μ* = 0 exactly
//! (common random numbers), identical bytes from the same command and at any
//! thread count, the report files, and the messages for bad input.

use std::path::{Path, PathBuf};

use crate::util::{self, fail, succeed};

const HEADER: &str =
    "rank,parameter,kind,value,low,high,response,mu_star,mu_star_lo,mu_star_hi,mu,sigma,trajectories";

/// Four parameters a domestic-unrest crisis reads, and one it never reads.
const PARAMS: [&str; 5] = [
    "crisis.framing",
    "alliance.capacity",
    "members.RUS.weights.cost",
    "members.KGZ.gdp",
    "members.RUS.threat.interstate_war",
];

fn args(out: &Path, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = vec![
        "sensitivity".into(),
        util::scenario("kyrgyzstan_2010").to_str().unwrap().into(),
        "--trajectories".into(),
        "6".into(),
        "--runs".into(),
        "500".into(),
        "--quiet".into(),
        // Whole ranges, where every one of these but the unread one matters.
        "--full-range".into(),
        "--out".into(),
        out.to_str().unwrap().into(),
    ];
    for p in PARAMS {
        a.push("--param".into());
        a.push(p.into());
    }
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

fn run(out: &Path, extra: &[&str]) -> PathBuf {
    let a = args(out, extra);
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    succeed(out.parent().unwrap(), &refs);
    out.join("kyrgyzstan_2010-sensitivity")
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{}/{name}: {e}", dir.display()))
}

#[test]
fn csv_is_ranked_and_an_unread_parameter_has_no_effect() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run(&tmp.path().join("out"), &[]);
    let text = String::from_utf8(read(&dir, "sensitivity.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(HEADER));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), PARAMS.len());
    let mut previous = f64::INFINITY;
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.len(), 13, "{r:?}");
        assert_eq!(r[0], (i + 1).to_string());
        assert_eq!(r[6], "P(limited_deployment)");
        assert_eq!(r[12], "6");
        let num = |k: usize| -> f64 { r[k].parse().unwrap() };
        for k in [3, 4, 5, 7, 8, 9, 10, 11] {
            assert!(num(k).is_finite(), "{r:?}");
            assert_eq!(r[k].split('.').nth(1).map(str::len), Some(6), "{r:?}");
        }
        assert!(num(7) >= 0.0 && num(11) >= 0.0, "{r:?}");
        assert!(num(7) <= previous, "not ranked by mu_star: {text}");
        previous = num(7);
    }
    let unread = rows
        .iter()
        .find(|r| r[1] == "members.RUS.threat.interstate_war")
        .unwrap();
    assert_eq!(&unread[7..12], &["0.000000"; 5], "{text}");
    assert_eq!(rows.last().unwrap()[1], "members.RUS.threat.interstate_war");
    assert!(rows[0][7] != "0.000000", "something should matter: {text}");
    let mut names = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect::<Vec<_>>();
    names.sort();
    assert_eq!(
        names,
        [
            "manifest.json",
            "report.html",
            "sensitivity.csv",
            "tornado.svg"
        ]
    );
    let m: serde_json::Value = serde_json::from_slice(&read(&dir, "manifest.json")).unwrap();
    assert_eq!(m["design"]["trajectories"], 6);
    assert_eq!(m["design"]["levels"], 4);
    assert_eq!(m["runs"], 500);
    assert_eq!(m["factors"].as_array().unwrap().len(), PARAMS.len());
}

#[test]
fn same_bytes_again_and_at_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let a = run(&tmp.path().join("a"), &["--threads", "1"]);
    let b = run(&tmp.path().join("b"), &["--threads", "2"]);
    let c = run(&tmp.path().join("c"), &["--threads", "2"]);
    assert_eq!(
        crate::markup::check_folder(&a),
        2,
        "tornado.svg and report.html"
    );
    for name in ["sensitivity.csv", "tornado.svg"] {
        assert!(read(&a, name) == read(&b, name), "{name}: 1 vs 2 threads");
        assert!(read(&b, name) == read(&c, name), "{name}: run twice");
    }
}

#[test]
fn response_options_and_no_report() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run(
        &tmp.path().join("out"),
        &["--response", "statement", "--at-least", "--no-report"],
    );
    let text = String::from_utf8(read(&dir, "sensitivity.csv")).unwrap();
    assert!(
        text.lines().nth(1).unwrap().contains(",P(>= statement),"),
        "{text}"
    );
    assert!(!dir.join("tornado.svg").exists());
    assert!(!dir.join("report.html").exists());
}

#[test]
fn bad_input_exits_2_with_a_suggestion() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let a = args(&out, &["--param", "crisis.severty"]);
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    let err = fail(tmp.path(), &refs);
    assert!(err.contains("did you mean `severity`?"), "{err}");
    let a = args(&out, &["--response", "statment"]);
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    let err = fail(tmp.path(), &refs);
    assert!(err.contains("did you mean `statement`?"), "{err}");
    let a = args(&out, &["--levels", "3"]);
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    let err = fail(tmp.path(), &refs);
    assert!(err.contains("even"), "{err}");
    let file = util::scenario("kyrgyzstan_2010");
    let too_many = [
        "sensitivity",
        file.to_str().unwrap(),
        "--trajectories",
        "5000",
    ];
    let err = fail(tmp.path(), &too_many);
    assert!(err.contains("at most 200,000"), "{err}");
    assert!(!out.exists(), "nothing is written on bad input");
}
