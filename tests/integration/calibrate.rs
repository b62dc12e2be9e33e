//! `alliance-sim calibrate`: the files end to end, agreement with
//! `validate`, the same results at any thread count, bad input, and a
//! recovery study on synthetic libraries made from known parameters.

use std::path::Path;

use alliance_sim::analysis::cases::{self, Overrides};
use alliance_sim::calibrate::synthetic::{self, Design};
use alliance_sim::calibrate::{CrossValidation, ParamSpec, Settings};

use crate::util;

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Rows of a CSV text as (header, rows).
fn table(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn csto() -> Vec<String> {
    ["armenia_2020", "kazakhstan_2022", "kyrgyzstan_2010"]
        .iter()
        .map(|s| util::shipped(s))
        .collect()
}

/// calibrate on the CSTO cases and the GCC folder with a small budget.
fn small_calibration(out: &Path, threads: &str, cv: &str) -> std::process::Output {
    let gcc = util::root().join("scenarios/gcc").display().to_string();
    let out_s = out.display().to_string();
    let mut args = vec!["calibrate".to_string()];
    args.extend(csto());
    args.push(gcc);
    for a in [
        "--param",
        "noise=0.02:0.8",
        "--param",
        "abstention_band=0:0.3",
        "--runs",
        "300",
        "--starts",
        "1",
        "--draws",
        "40",
        "--burn-in",
        "20",
        "--cv",
        cv,
        "--threads",
        threads,
        "--out",
        &out_s,
        "--quiet",
    ] {
        args.push(a.to_string());
    }
    util::succeed(out.parent().unwrap(), &util::refs(&args))
}

#[test]
fn calibrate_writes_every_file_and_starts_from_what_validate_gives() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = small_calibration(&out, "2", "alliance");
    let text = util::stdout(&o);
    util::says(
        &text,
        &[
            "Calibration on 4 cases, 300 runs each; cross-validation alliance",
            "noise",
            "abstention_band",
            "as written",
            "calibrated, in sample",
            "calibrated, out of sample",
            "base rate",
            "runs/s",
        ],
    );
    let dir = out.join("calibration");
    let (h, fit) = table(&read(&dir, "fit.csv"));
    assert_eq!(
        h.join(","),
        "parameter,lower_bound,upper_bound,written,estimate,posterior_mean,ci_low,ci_high,draws,cases"
    );
    assert_eq!(fit.len(), 2);
    for (row, (lo, hi)) in fit.iter().zip([(0.02, 0.8), (0.0, 0.3)]) {
        let x: Vec<f64> = row[3..8].iter().map(|c| c.parse().unwrap()).collect();
        assert!(
            x[1] >= lo && x[1] <= hi,
            "estimate outside the bounds: {row:?}"
        );
        assert!(
            x[3] >= lo && x[3] <= x[4] && x[4] <= hi,
            "interval: {row:?}"
        );
        assert_eq!(row[8], "40");
        assert_eq!(row[9], "4");
    }
    let (h, post) = table(&read(&dir, "posterior.csv"));
    assert_eq!(h.join(","), "draw,noise,abstention_band,log_likelihood");
    assert_eq!(post.len(), 40);
    assert_eq!(post[0][0], "0");
    let (_, folds) = table(&read(&dir, "folds.csv"));
    assert_eq!(folds.len(), 2, "one refit per alliance: {folds:?}");
    let (_, scores) = table(&read(&dir, "scores.csv"));
    let names: Vec<&str> = scores.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        names,
        [
            "as written",
            "calibrated, in sample",
            "calibrated, out of sample",
            "base rate"
        ]
    );
    let overlay = read(&dir, "calibrated.toml");
    util::says(
        &overlay,
        &["[set]", "\"noise\" = ", "\"abstention_band\" = "],
    );
    let manifest: serde_json::Value = serde_json::from_str(&read(&dir, "manifest.json")).unwrap();
    assert_eq!(manifest["cross_validation"], "alliance");
    assert_eq!(manifest["files"].as_array().unwrap().len(), 7);
    util::says(
        &crate::markup::read_html(&dir.join("report.html")),
        &[
            "Reliability",
            "<svg",
            "class=\"lead\">Calibrated, the model gives",
        ],
    );
    crate::markup::check_folder(&dir);

    // The posterior is what `--posterior` reads, and the overlay is a
    // scenario file a case can include.
    let post = dir.join("posterior.csv").display().to_string();
    let o = util::succeed(
        tmp.path(),
        &[
            "run",
            &csto()[1],
            "--posterior",
            &post,
            "--runs",
            "3000",
            "--out",
            "r",
            "--no-report",
        ],
    );
    util::says(&util::stdout(&o), &["posterior", "(40 draws)"]);
    let mut v = vec!["validate".to_string()];
    v.extend(csto());
    v.extend(
        [
            "--posterior",
            &post,
            "--runs",
            "500",
            "--quiet",
            "--out",
            "pv",
        ]
        .map(String::from),
    );
    util::succeed(tmp.path(), &util::refs(&v));
    let what_if = tmp.path().join("what_if.toml");
    std::fs::write(
        &what_if,
        format!(
            "include = [\"{}\", \"{}\"]\n",
            csto()[1],
            dir.join("calibrated.toml").display()
        ),
    )
    .unwrap();
    let o = util::succeed(tmp.path(), &["params", what_if.to_str().unwrap()]);
    let noise = fit[0][4].clone();
    assert!(
        util::stdout(&o)
            .lines()
            .any(|l| l.starts_with("noise ") && l.contains(&noise)),
        "the overlay does not set noise = {noise}:\n{}",
        util::stdout(&o)
    );

    // "As written" is what validate gives with the same runs and seeds.
    let (_, rows) = table(&read(&dir, "cases.csv"));
    let vout = tmp.path().join("v");
    let mut args = vec!["validate".to_string()];
    args.extend(csto());
    args.push(util::root().join("scenarios/gcc").display().to_string());
    args.extend(["--runs", "300", "--quiet", "--out"].map(String::from));
    args.push(vout.display().to_string());
    util::succeed(tmp.path(), &util::refs(&args));
    let (vh, vrows) = table(&read(&vout.join("validation"), "validation.csv"));
    let p = vh.iter().position(|c| c == "probability").unwrap();
    for (c, v) in rows.iter().zip(&vrows) {
        assert_eq!(c[0], v[0]);
        assert_eq!(c[4], v[p], "p_written of {} differs from validate", c[0]);
    }
}

#[test]
fn calibration_is_identical_at_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let one = tmp.path().join("one");
    let two = tmp.path().join("two");
    small_calibration(&one, "1", "loo");
    small_calibration(&two, "2", "loo");
    for name in [
        "fit.csv",
        "cases.csv",
        "scores.csv",
        "folds.csv",
        "posterior.csv",
        "calibrated.toml",
    ] {
        assert_eq!(
            read(&one.join("calibration"), name),
            read(&two.join("calibration"), name),
            "{name} differs between 1 and 2 threads"
        );
    }
}

#[test]
fn calibrate_refuses_bad_parameters_with_reasons() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let case = util::shipped("kazakhstan_2022");
    let other = util::shipped("armenia_2020");
    let cases = [
        ("noize=0:1", vec!["noize", "noise"]),
        ("noise=0:20", vec!["range [0, 10]"]),
        ("members.USA.dependence=0:1", vec!["no case has", "USA"]),
        ("crisis.severty=0:1", vec!["severty", "severity"]),
    ];
    for (param, fragments) in cases {
        let err = util::fail(
            d,
            &["calibrate", &case, &other, "--param", param, "--quiet"],
        );
        util::says(&err, &fragments);
        assert!(!d.join("output").exists(), "{param}: something was written");
    }
    let err = util::fail(d, &["calibrate", &case, "--param", "noise=0.5:0.1"]);
    util::says(&err, &["lower bound must be below"]);
    let err = util::fail(d, &["calibrate", &case]);
    util::says(&err, &["--param"]);
    let err = util::fail(
        d,
        &[
            "calibrate",
            &case,
            &other,
            "--param",
            "noise=0:1",
            "--cv",
            "alliance",
        ],
    );
    util::says(&err, &["at least two alliances"]);
    let err = util::fail(
        d,
        &[
            "calibrate",
            &case,
            &other,
            "--param",
            "noise=0:1",
            "--cv",
            "lo",
        ],
    );
    util::says(&err, &["loo"]);
}

/// The recovery study of issue 12, reduced so that it runs in the test
/// suite (the full one: `cargo run --release --example recovery`). Synthetic
/// libraries are simulated with noise 0.3; each is calibrated and its 95%
/// posterior interval checked against 0.3. If the intervals are honest,
/// the number covering is Binomial(10, 0.95): at least 8 with probability
/// 0.988, so the test fails by chance about once in a hundred seeds, and
/// intervals half as wide as they should be (coverage about 0.5) pass it
/// with probability 0.055.
#[test]
fn posterior_intervals_cover_the_truth_of_synthetic_libraries() {
    let template = cases::load(&[util::scenario("kyrgyzstan_2010")], Overrides::default())
        .unwrap()
        .cases
        .remove(0);
    let design = Design {
        template,
        vary: "crisis.severity=0.2:1".parse().unwrap(),
        cases: 16,
        per_alliance: 16,
        truth: vec![("noise=0.02:1".parse::<ParamSpec>().unwrap(), 0.3)],
        runs: 100,
    };
    let settings = Settings {
        cv: CrossValidation::None,
        extra_starts: 0,
        burn_in: 40,
        draws: 160,
        seed: 1,
    };
    let reps = synthetic::recovery(&design, 1..=10, &settings, &|_| {}).unwrap();
    let covered = reps.iter().filter(|r| r.covered[0]).count();
    let intervals: Vec<(f64, f64)> = reps.iter().map(|r| r.interval[0]).collect();
    assert!(covered >= 8, "covered {covered} of 10: {intervals:?}");
    // Not vacuous: the intervals are narrower than the bounds.
    let mean_width = intervals.iter().map(|(a, b)| b - a).sum::<f64>() / 10.0;
    assert!(
        mean_width < 0.7,
        "intervals as wide as the bounds: {intervals:?}"
    );
}

/// Ctrl-C stops a calibration within seconds, with exit code 130 and
/// nothing written.
#[test]
fn calibrate_stops_on_ctrl_c_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut args = vec!["calibrate".to_string()];
    args.extend(csto());
    args.extend(
        [
            "--param",
            "noise=0.02:0.8",
            "--runs",
            "2000000",
            "--out",
            "out",
            "--quiet",
        ]
        .map(String::from),
    );
    let child = util::cmd(tmp.path())
        .args(&args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // Loading three cases takes milliseconds; one evaluation takes seconds.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    util::signal(&child, "INT");
    let out = child.wait_with_output().unwrap();
    let err = util::stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    util::says(&err, &["interrupted", "nothing was written"]);
    assert!(!tmp.path().join("out").exists(), "something was written");
}

/// `--noise-model compare` fits and cross-validates both noise models,
/// keeps the better out of sample, says so, and scores "as written" with
/// the files as they are (here: absolute noise) whichever it keeps.
#[test]
fn comparing_noise_models_keeps_the_better_out_of_sample() {
    let tmp = tempfile::tempdir().unwrap();
    let mut args = vec!["calibrate".to_string()];
    args.extend(csto());
    args.push(util::root().join("scenarios/gcc").display().to_string());
    args.extend(
        [
            "--param",
            "noise=0.01:1",
            "--runs",
            "300",
            "--starts",
            "0",
            "--draws",
            "10",
            "--burn-in",
            "0",
            "--cv",
            "loo",
            "--noise-model",
            "compare",
            "--out",
            "out",
            "--quiet",
        ]
        .map(String::from),
    );
    let o = util::succeed(tmp.path(), &util::refs(&args));
    let text = util::stdout(&o);
    let dir = tmp.path().join("out/calibration");
    let (h, rows) = table(&read(&dir, "noise_models.csv"));
    assert_eq!(h[0], "noise_model");
    let names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["absolute", "relative"]);
    let out: Vec<f64> = rows.iter().map(|r| r[7].parse().unwrap()).collect();
    let kept = if out[1] < out[0] { 1 } else { 0 };
    assert_eq!(rows[kept][1], "true");
    assert_eq!(rows[1 - kept][1], "false");
    let line = text
        .lines()
        .find(|l| l.contains("(kept)"))
        .unwrap_or_default();
    assert!(line.trim_start().starts_with(names[kept]), "{text}");
    // As written = validate on the same cases at the same runs.
    let (_, cases) = table(&read(&dir, "cases.csv"));
    let mut v = vec!["validate".to_string()];
    v.extend(csto());
    v.push(util::root().join("scenarios/gcc").display().to_string());
    v.extend(["--runs", "300", "--quiet", "--out", "v"].map(String::from));
    util::succeed(tmp.path(), &util::refs(&v));
    let (vh, vrows) = table(&read(&tmp.path().join("v/validation"), "validation.csv"));
    let p = vh.iter().position(|c| c == "probability").unwrap();
    for (c, r) in cases.iter().zip(&vrows) {
        assert_eq!(c[4], r[p], "{}: as written differs from validate", c[0]);
    }
    let manifest: serde_json::Value = serde_json::from_str(&read(&dir, "manifest.json")).unwrap();
    assert_eq!(manifest["cases"][0]["noise_model"], names[kept]);
}
