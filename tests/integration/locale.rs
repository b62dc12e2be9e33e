//! `--decimal-comma` (and `ALLIANCE_SIM_DECIMAL_COMMA`) end to end: every
//! CSV file of every command, written for comma-decimal spreadsheets, holds
//! the values of the standard file (semicolons between fields, a comma
//! before decimals, text and headers unchanged); a posterior in that dialect
//! gives the results of the standard one; shards merged in the dialect equal
//! one process writing it; a sweep resumed in the other dialect finishes in
//! the resuming command's dialect.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::util::{self, fail, says, shipped, succeed};

/// The name of every CSV file in `dir`, sorted.
fn csv_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    names.sort();
    names
}

/// The records of a CSV file, header first, read with `separator`.
fn records(path: &Path, separator: u8) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    r.records()
        .map(|rec| {
            rec.unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                .iter()
                .map(String::from)
                .collect()
        })
        .collect()
}

/// Whether `s` is a number written with a decimal point.
fn point_decimal(s: &str) -> bool {
    s.contains('.') && s.parse::<f64>().is_ok()
}

/// Checks that every CSV file of the standard folder `standard` has a twin
/// in `comma` that reads back, with `;` and decimal commas, to the same
/// values: the same header and text, each decimal number with a comma.
/// Returns how many decimal numbers were compared.
fn same_values(standard: &Path, comma: &Path) -> usize {
    let names = csv_files(standard);
    assert!(!names.is_empty(), "no CSV file in {}", standard.display());
    assert_eq!(names, csv_files(comma), "the two folders hold other files");
    let mut decimals = 0;
    for name in &names {
        let a = records(&standard.join(name), b',');
        let b = records(&comma.join(name), b';');
        assert_eq!(a.len(), b.len(), "{name}: other number of records");
        assert_eq!(a[0], b[0], "{name}: the header changed");
        for (row, (ra, rb)) in a.iter().zip(&b).enumerate().skip(1) {
            assert_eq!(ra.len(), rb.len(), "{name} row {row}: other width");
            for (col, (fa, fb)) in ra.iter().zip(rb).enumerate() {
                let column = &a[0][col];
                if point_decimal(fa) && column != "scenario" {
                    decimals += 1;
                    assert_eq!(
                        fb,
                        &fa.replace('.', ","),
                        "{name} row {row} column {column}: `{fa}` became `{fb}`"
                    );
                    let back: f64 = fb.replace(',', ".").parse().unwrap();
                    assert_eq!(back, fa.parse::<f64>().unwrap());
                } else {
                    assert_eq!(fa, fb, "{name} row {row} column {column}: text changed");
                }
                assert!(
                    !point_decimal(fb),
                    "{name} row {row} column {column}: `{fb}` keeps its point"
                );
            }
        }
    }
    decimals
}

/// The bytes of every CSV file in `dir`, by name.
fn csv_bytes(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    csv_files(dir)
        .into_iter()
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

/// Runs `args` twice, into `DIR/standard` (2 threads) and with
/// `--decimal-comma` into `DIR/comma` (1 thread), and checks the files of
/// the results folder `result`; returns the two folders.
fn both(dir: &Path, args: &[&str], result: &str) -> (PathBuf, PathBuf) {
    let mut a: Vec<&str> = args.to_vec();
    a.extend(["--out", "standard", "--threads", "2", "-q"]);
    succeed(dir, &a);
    let mut b: Vec<&str> = args.to_vec();
    b.extend(["--out", "comma", "--threads", "1", "-q", "--decimal-comma"]);
    succeed(dir, &b);
    let (standard, comma) = (
        dir.join("standard").join(result),
        dir.join("comma").join(result),
    );
    let decimals = same_values(&standard, &comma);
    assert!(decimals > 0, "{result}: no decimal number compared");
    assert_eq!(manifest(&comma)["csv_dialect"], "decimal-comma");
    assert!(manifest(&standard).get("csv_dialect").is_none());
    (standard, comma)
}

/// Arguments of a small calibration on the three CSTO cases.
fn calibration(extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = ["calibrate"].iter().map(|s| s.to_string()).collect();
    for c in ["kyrgyzstan_2010", "armenia_2020", "kazakhstan_2022"] {
        a.push(shipped(c));
    }
    for s in [
        "--param",
        "noise=0.02:0.5",
        "--runs",
        "100",
        "--starts",
        "0",
        "--draws",
        "20",
        "--burn-in",
        "10",
        "--cv",
        "loo",
    ]
    .iter()
    .chain(extra)
    {
        a.push(s.to_string());
    }
    a
}

#[test]
fn every_csv_file_of_every_command_reads_back_to_the_same_values() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let kgz = shipped("kyrgyzstan_2010");
    let (standard, _) = both(
        d,
        &["run", &kgz, "--runs", "3000", "--per-run"],
        "kyrgyzstan_2010",
    );
    // Labels are text: the rule's label reads back as the standard file has it.
    let rule = &util::csv_rows(&standard.join("outcomes.csv"))[0]["rule"];
    let comma = records(&d.join("comma/kyrgyzstan_2010/outcomes.csv"), b';');
    assert_eq!(&comma[1][1], rule);
    // Blockers joined by `;` are quoted in the semicolon file.
    let runs = std::fs::read_to_string(d.join("comma/kyrgyzstan_2010/runs.csv")).unwrap();
    assert!(runs.lines().nth(1).unwrap().contains(";\""), "{runs:.200}");

    both(
        d,
        &[
            "sweep",
            &shipped("kazakhstan_2022"),
            "--vary",
            "members.RUS.weights.cost=1:5:3",
            "--vary",
            "crisis.framing=0.1,0.7",
            "--rules",
            "unanimity,qualified_majority:0.67",
            "--runs",
            "300",
        ],
        "kazakhstan_2022-sweep",
    );
    let rules: Vec<String> = records(
        &d.join("comma/kazakhstan_2022-sweep/sweep_outcomes.csv"),
        b';',
    )
    .iter()
    .skip(1)
    .map(|r| r[3].clone())
    .collect();
    let expected: Vec<String> =
        util::csv_rows(&d.join("standard/kazakhstan_2022-sweep/sweep_outcomes.csv"))
            .iter()
            .map(|r| r["rule"].clone())
            .collect();
    assert_eq!(rules, expected);
    assert!(rules.iter().any(|r| r.contains("0.67")), "{rules:?}");

    let gcc = util::root().join("scenarios/gcc").display().to_string();
    let arm = shipped("armenia_2020");
    both(
        d,
        &["validate", &kgz, &arm, &gcc, "--runs", "300"],
        "validation",
    );
    both(
        d,
        &["power", &kgz, "--runs", "300"],
        "kyrgyzstan_2010-power",
    );
    let power = std::fs::read_to_string(d.join("comma/kyrgyzstan_2010-power/power.csv")).unwrap();
    assert!(
        power.contains(";\"1/7\""),
        "quoted fractions stay quoted:\n{power}"
    );
    both(
        d,
        &["sensitivity", &kgz, "--trajectories", "2", "--runs", "200"],
        "kyrgyzstan_2010-sensitivity",
    );
    let cal = calibration(&[]);
    let (standard, _) = both(d, &util::refs(&cal), "calibration");
    assert!(
        csv_files(&standard).contains(&"posterior.csv".to_string()),
        "the calibration wrote no posterior"
    );
}

#[test]
fn a_posterior_written_with_decimal_comma_gives_the_standard_results() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let cal = calibration(&["--out", "cal-standard", "-q"]);
    succeed(d, &util::refs(&cal));
    let cal = calibration(&["--out", "cal-comma", "-q", "--decimal-comma"]);
    succeed(d, &util::refs(&cal));
    let comma_posterior = d.join("cal-comma/calibration/posterior.csv");
    let text = std::fs::read_to_string(&comma_posterior).unwrap();
    assert!(
        text.starts_with("draw;noise;log_likelihood\n"),
        "{text:.200}"
    );
    let kgz = shipped("kyrgyzstan_2010");
    for (posterior, out) in [
        ("cal-standard/calibration/posterior.csv", "with-standard"),
        ("cal-comma/calibration/posterior.csv", "with-comma"),
    ] {
        succeed(
            d,
            &[
                "run",
                &kgz,
                "--runs",
                "2000",
                "--posterior",
                posterior,
                "--out",
                out,
                "-q",
            ],
        );
        succeed(
            d,
            &[
                "sweep",
                &kgz,
                "--vary",
                "crisis.severity=0.2,0.8",
                "--runs",
                "300",
                "--posterior",
                posterior,
                "--out",
                out,
                "-q",
            ],
        );
    }
    for result in ["kyrgyzstan_2010", "kyrgyzstan_2010-sweep"] {
        let a = csv_bytes(&d.join("with-standard").join(result));
        let b = csv_bytes(&d.join("with-comma").join(result));
        assert!(!a.is_empty());
        assert_eq!(
            a, b,
            "{result}: the posterior's dialect changed the results"
        );
    }
}

/// Shards (with or without the option: they keep the standard dialect)
/// merged with `--decimal-comma` give the bytes of one process with it.
#[test]
fn merged_shards_with_decimal_comma_equal_one_process_with_it() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let kgz = shipped("kyrgyzstan_2010");
    let run: Vec<&str> = vec!["run", &kgz, "--runs", "2000", "--per-run"];
    let sweep: Vec<&str> = vec![
        "sweep",
        &kgz,
        "--vary",
        "crisis.severity=0.2:0.8:4",
        "--runs",
        "200",
    ];
    for (args, result) in [(&run, "kyrgyzstan_2010"), (&sweep, "kyrgyzstan_2010-sweep")] {
        let mut single = args.clone();
        single.extend(["--out", "single", "-q", "--decimal-comma"]);
        succeed(d, &single);
        for k in 0..3 {
            let shard = format!("{k}/3");
            let mut a = args.clone();
            a.extend(["--out", "shards", "-q", "--shard", &shard]);
            if k == 1 {
                a.push("--decimal-comma");
            }
            succeed(d, &a);
        }
        let merged = format!("merged-{result}");
        succeed(
            d,
            &["merge", "shards", "--out", &merged, "-q", "--decimal-comma"],
        );
        let a = csv_bytes(&d.join("single").join(result));
        let b = csv_bytes(&d.join(&merged).join(result));
        assert!(!a.is_empty());
        assert_eq!(a, b, "{result}: merged shards differ from one process");
        let first = a.values().next().unwrap();
        assert!(
            String::from_utf8_lossy(first)
                .lines()
                .next()
                .unwrap()
                .contains(';'),
            "{result}: not in the semicolon dialect"
        );
        assert_eq!(
            manifest(&d.join(&merged).join(result))["csv_dialect"],
            "decimal-comma"
        );
        std::fs::remove_dir_all(d.join("shards")).unwrap();
    }
}

/// A sweep interrupted under one dialect and resumed under the other
/// finishes in the resuming command's dialect, with the bytes an
/// uninterrupted sweep in that dialect writes.
#[test]
fn a_sweep_resumed_in_the_other_dialect_writes_the_resumed_dialect() {
    use alliance_sim::job::sweep::{SweepJob, SweepSettings};
    use alliance_sim::job::{JobError, Origin, Watch};
    use alliance_sim::output::dialect::Dialect;
    use std::sync::atomic::{AtomicBool, Ordering};

    for (first, second) in [
        (Dialect::Standard, Dialect::DecimalComma),
        (Dialect::DecimalComma, Dialect::Standard),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let settings = |out: &str, dialect: Dialect| SweepSettings {
            file: util::scenario("kyrgyzstan_2010"),
            vary: vec!["crisis.severity=0:1:6".into()],
            runs: Some(100),
            out: tmp.path().join(out),
            dialect,
            ..SweepSettings::default()
        };
        let whole = SweepJob::prepare(&settings("whole", second)).unwrap();
        let done = whole
            .run(
                whole.open(false).unwrap(),
                Origin::Threads(1),
                false,
                Watch::default(),
            )
            .unwrap();
        let expected = csv_bytes(&done.folder.dir);

        let stop = AtomicBool::new(false);
        let progress = |n: u64| {
            if n >= 2 {
                stop.store(true, Ordering::SeqCst);
            }
        };
        let interrupted = SweepJob::prepare(&settings("resumed", first)).unwrap();
        let watch = Watch {
            progress: Some(&progress),
            cancel: Some(&stop),
        };
        match interrupted.run(
            interrupted.open(false).unwrap(),
            Origin::Threads(1),
            false,
            watch,
        ) {
            Err(JobError::Interrupted(_)) => {}
            other => panic!("not interrupted: {other:?}"),
        }
        let resumed = SweepJob::prepare(&settings("resumed", second)).unwrap();
        let done = resumed
            .run(
                resumed.open(true).unwrap(),
                Origin::Threads(1),
                false,
                Watch::default(),
            )
            .unwrap();
        assert_eq!(
            csv_bytes(&done.folder.dir),
            expected,
            "interrupted in {first}, resumed in {second}"
        );
    }
}

#[test]
fn the_variable_sets_the_dialect_and_a_bad_value_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let kgz = shipped("kyrgyzstan_2010");
    let args = ["run", &kgz, "--runs", "500", "-q"];
    let with_env = |value: &str, out: &str| {
        let mut a = args.to_vec();
        a.extend(["--out", out]);
        util::cmd(d)
            .args(&a)
            .env("ALLIANCE_SIM_DECIMAL_COMMA", value)
            .output()
            .unwrap()
    };
    assert!(with_env("1", "env").status.success());
    let mut flag = args.to_vec();
    flag.extend(["--out", "flag", "--decimal-comma"]);
    succeed(d, &flag);
    let env_files = csv_bytes(&d.join("env/kyrgyzstan_2010"));
    assert_eq!(env_files, csv_bytes(&d.join("flag/kyrgyzstan_2010")));
    assert!(String::from_utf8_lossy(&env_files["outcomes.csv"]).contains(";0,"));

    let o = with_env("0", "off");
    assert!(o.status.success());
    let off = csv_bytes(&d.join("off/kyrgyzstan_2010"));
    assert!(off["outcomes.csv"].starts_with(b"scenario,rule,"));

    let o = with_env("de_DE", "bad");
    assert_eq!(o.status.code(), Some(2));
    let err = util::stderr(&o);
    says(&err, &["ALLIANCE_SIM_DECIMAL_COMMA", "de_DE", "expected 1"]);
    assert!(!d.join("bad").exists(), "something was written");
    // The option belongs to the commands that write CSV files.
    let err = fail(d, &["merge", "nowhere", "--decimal-comma", "--out", "m"]);
    assert!(!err.contains("unexpected argument"), "{err}");
}
