//! `alliance-sim validate`: scores against the historical outcomes of the
//! shipped scenarios, agreement with plain `run`, the CSV layout, and exit codes.

use std::path::Path;

use crate::util;

const HEADER: &str = "scenario,rule,runs,expected,level,probability,ci_low,ci_high,modal,log_score,log_score_floored,brier,\
alliance,modal_option,expected_blockers,p_blockers,base_rate_probability,base_rate_log_score,base_rate_brier,\
granted_probability,granted_log_score,granted_brier";

/// The three CSTO case files.
fn csto_cases() -> Vec<String> {
    ["armenia_2020", "kazakhstan_2022", "kyrgyzstan_2010"]
        .iter()
        .map(|s| util::scenario(s).display().to_string())
        .collect()
}

fn scenarios_dir() -> String {
    util::root().join("scenarios").display().to_string()
}

#[test]
fn validate_reports_the_shipped_cases_as_run_gives_them() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let out_s = out.display().to_string();
    let cases = csto_cases();
    let mut args: Vec<&str> = vec!["validate"];
    args.extend(cases.iter().map(String::as_str));
    args.extend(["--runs", "3000", "--seed", "11", "--out", &out_s, "--quiet"]);
    let o = util::succeed(tmp.path(), &args);
    let text = util::stdout(&o);
    for stem in ["armenia_2020", "kazakhstan_2022", "kyrgyzstan_2010"] {
        assert!(text.contains(stem), "{stem} missing:\n{text}");
    }
    assert!(
        text.contains("skipped 0 files without [expected]"),
        "{text}"
    );
    assert!(
        text.contains("Collective Security Treaty Organization"),
        "{text}"
    );
    assert!(
        text.contains("historical outcome most likely in 3 of 3 cases"),
        "{text}"
    );
    assert!(text.contains("log score: −ln p"), "{text}");

    let csv_path = out.join("validation").join("validation.csv");
    let csv_text = std::fs::read_to_string(&csv_path).unwrap();
    assert_eq!(csv_text.lines().next().unwrap(), HEADER);
    assert!(out.join("validation").join("manifest.json").exists());
    let rows = util::csv_rows(&csv_path);
    let stems: Vec<&str> = rows.iter().map(|r| r["scenario"].as_str()).collect();
    assert_eq!(
        stems,
        ["armenia_2020", "kazakhstan_2022", "kyrgyzstan_2010"]
    );

    for row in &rows {
        let stem = &row["scenario"];
        assert_eq!(row["modal"], "true", "{stem}");
        assert_eq!(row["runs"], "3000");
        assert_eq!(row["log_score_floored"], "false");
        let p: f64 = row["probability"].parse().unwrap();
        let log: f64 = row["log_score"].parse().unwrap();
        assert!((log - (-p.ln())).abs() < 1e-5, "{stem}: {log} vs {p}");
        let brier: f64 = row["brier"].parse().unwrap();
        assert!((0.0..=2.0).contains(&brier), "{stem}: {brier}");

        // A plain run with the same runs and seed gives the same probability.
        let run_out = tmp.path().join("run");
        let file = util::scenario(stem).display().to_string();
        util::succeed(
            tmp.path(),
            &[
                "run",
                &file,
                "--runs",
                "3000",
                "--seed",
                "11",
                "--out",
                &run_out.display().to_string(),
                "--quiet",
            ],
        );
        let outcomes = util::csv_rows(&run_out.join(stem).join("outcomes.csv"));
        let same = outcomes
            .iter()
            .find(|o| o["option"] == row["expected"])
            .unwrap_or_else(|| panic!("{stem}: no option {}", row["expected"]));
        assert_eq!(same["level"], row["level"], "{stem}");
        assert_eq!(same["rule"], row["rule"], "{stem}");
        for col in ["probability", "ci_low", "ci_high"] {
            assert_eq!(same[col], row[col], "{stem}: {col}");
        }
        // Brier from the run's outcome shares.
        let expected_brier: f64 = outcomes
            .iter()
            .map(|o| {
                let pk: f64 = o["probability"].parse().unwrap();
                let ok = if o["option"] == row["expected"] {
                    1.0
                } else {
                    0.0
                };
                (pk - ok) * (pk - ok)
            })
            .sum();
        assert!((brier - expected_brier).abs() < 1e-5, "{stem}");
    }
}

#[test]
fn validate_require_modal_passes_on_the_csto_cases() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out").display().to_string();
    let cases = csto_cases();
    let mut args: Vec<&str> = vec!["validate"];
    args.extend(cases.iter().map(String::as_str));
    args.extend([
        "--runs",
        "1000",
        "--out",
        &out,
        "--quiet",
        "--require-modal",
    ]);
    util::succeed(tmp.path(), &args);
}

/// Every `*.toml` under `dir`, recursively.
fn toml_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(toml_files(&p));
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
    out
}

/// The library: `validate scenarios/` finds the cases in every pack folder,
/// skips rosters and options files, and scores each alliance beside the two
/// baselines, computed on the same cases.
#[test]
fn validate_reads_every_pack_and_scores_the_baselines() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = util::succeed(
        tmp.path(),
        &[
            "validate",
            &scenarios_dir(),
            "--runs",
            "400",
            "--out",
            &out.display().to_string(),
            "--quiet",
        ],
    );
    let text = util::stdout(&o);
    let files = toml_files(&util::root().join("scenarios"));
    let cases: Vec<_> = files
        .iter()
        .filter(|f| {
            let t: toml::Table = toml::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            t.contains_key("expected")
        })
        .collect();
    assert_eq!(cases.len(), 18, "the library has 18 cases");
    assert!(
        text.contains(&format!(
            "18 cases; skipped {} files without [expected]",
            files.len() - 18
        )),
        "{text}"
    );
    let dir = out.join("validation");
    let rows = util::csv_rows(&dir.join("validation.csv"));
    assert_eq!(rows.len(), 18);
    let mut alliances: Vec<&str> = rows.iter().map(|r| r["alliance"].as_str()).collect();
    alliances.dedup();
    assert_eq!(alliances.len(), 6, "{alliances:?}");
    for r in &rows {
        let p: f64 = r["base_rate_probability"].parse().unwrap();
        assert!(p > 0.0 && p < 1.0, "smoothed base rate: {p}");
        let g: f64 = r["granted_probability"].parse().unwrap();
        assert!(g == 0.0 || g == 1.0, "the request granted or not: {g}");
    }
    // A case that records its blockers reports the share of runs in which
    // exactly they blocked; the others leave it empty.
    let belarus = rows
        .iter()
        .find(|r| r["scenario"] == "belarus_2020_09")
        .unwrap();
    assert_eq!(belarus["expected_blockers"], "CYP");
    assert!(belarus["p_blockers"].parse::<f64>().is_ok());
    assert_eq!(belarus["expected"], "no_action;statement");
    let kaz = rows
        .iter()
        .find(|r| r["scenario"] == "kazakhstan_2022")
        .unwrap();
    assert_eq!(kaz["p_blockers"], "");

    let summary = util::csv_rows(&dir.join("validation_summary.csv"));
    assert_eq!(summary.len(), 7, "six alliances and all");
    assert_eq!(summary[6]["alliance"], "all");
    assert_eq!(summary[6]["cases"], "18");
    let sum: usize = summary[..6]
        .iter()
        .map(|r| r["cases"].parse::<usize>().unwrap())
        .sum();
    assert_eq!(sum, 18);
    // The overall means are the means of the case rows.
    let mean = |col: &str| {
        rows.iter()
            .map(|r| r[col].parse::<f64>().unwrap())
            .sum::<f64>()
            / 18.0
    };
    for (case_col, summary_col) in [
        ("log_score", "mean_log_score"),
        ("brier", "mean_brier"),
        ("base_rate_log_score", "base_rate_mean_log_score"),
        ("granted_brier", "granted_mean_brier"),
    ] {
        let s: f64 = summary[6][summary_col].parse().unwrap();
        assert!((s - mean(case_col)).abs() < 1e-5, "{summary_col}");
    }
    assert!(
        text.contains("baselines on the same cases: base rate"),
        "{text}"
    );
    assert!(text.contains("request granted"), "{text}");
}

#[test]
fn validate_require_modal_fails_on_a_wrong_history_but_still_writes() {
    let kaz = util::scenario("kazakhstan_2022").display().to_string();
    let wrong = format!(
        "# Kazakhstan 2022 with a deliberately wrong history\ninclude = [{kaz:?}]\n\n[expected]\noutcome = \"no_action\"\nsource = \"test\"\n"
    );
    let tmp = util::temp_with(&[("wrong_history.toml", &wrong)]);
    let out = tmp.path().join("out");
    let out_s = out.display().to_string();
    let args = [
        "validate",
        "wrong_history.toml",
        "--runs",
        "1000",
        "--out",
        &out_s,
        "--quiet",
    ];

    // Without --require-modal: reported, exit 0.
    let o = util::succeed(tmp.path(), &args);
    assert!(
        util::stdout(&o).contains("most likely in 0 of 1 case"),
        "{}",
        util::stdout(&o)
    );

    let csv_path = out.join("validation").join("validation.csv");
    std::fs::remove_dir_all(out.join("validation")).unwrap();
    let mut strict = args.to_vec();
    strict.push("--require-modal");
    let o = util::exec(tmp.path(), &strict);
    assert_eq!(o.status.code(), Some(1), "{}", util::stderr(&o));
    let err = util::stderr(&o);
    assert!(err.contains("wrong_history"), "{err}");
    assert!(err.contains("limited_deployment"), "{err}");

    let rows = util::csv_rows(&csv_path);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["scenario"], "wrong_history");
    assert_eq!(rows[0]["expected"], "no_action");
    assert_eq!(rows[0]["modal"], "false");
    // No run refuses Kazakhstan: p = 0, the log score is floored at 0.5/runs.
    assert_eq!(rows[0]["probability"], "0.000000");
    assert_eq!(rows[0]["log_score_floored"], "true");
    assert_eq!(
        rows[0]["log_score"],
        format!("{:.6}", -(0.5f64 / 1000.0).ln())
    );
    assert_eq!(rows[0]["brier"], "2.000000");
}

#[test]
fn validate_rejects_an_explicit_file_without_expected() {
    let kaz = util::scenario("kazakhstan_2022").display().to_string();
    let text = std::fs::read_to_string(&kaz).unwrap();
    let cut = text.find("[expected]").unwrap();
    let no_history = text[..cut].replace("csto/", &format!("{}/csto/", scenarios_dir()));
    let tmp = util::temp_with(&[("no_history.toml", &no_history)]);
    let out = tmp.path().join("out").display().to_string();
    let err = util::fail(
        tmp.path(),
        &["validate", "no_history.toml", "--out", &out, "--quiet"],
    );
    assert!(err.contains("no_history.toml"), "{err}");
    assert!(err.contains("[expected]"), "{err}");
    assert!(!tmp.path().join("out").exists());

    // In a folder it is skipped and counted instead.
    std::fs::copy(&kaz, tmp.path().join("kaz.toml")).unwrap();
    let kaz_text = std::fs::read_to_string(tmp.path().join("kaz.toml")).unwrap();
    std::fs::write(
        tmp.path().join("kaz.toml"),
        kaz_text.replace("csto/", &format!("{}/csto/", scenarios_dir())),
    )
    .unwrap();
    let folder = tmp.path().display().to_string();
    let o = util::succeed(
        tmp.path(),
        &[
            "validate", &folder, "--runs", "500", "--out", &out, "--quiet",
        ],
    );
    let text = util::stdout(&o);
    assert!(text.contains("1 case;"), "{text}");
    assert!(text.contains("skipped 1 file without [expected]"), "{text}");
}
