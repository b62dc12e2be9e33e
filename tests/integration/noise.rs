//! `[montecarlo] noise_model`: the default (`absolute`) written out changes
//! no result, `relative` does, includes layer it like `noise`, and every
//! output that reports the noise names the model.

use std::path::Path;

use crate::util::{self, succeed};

/// A file that includes the shipped Kazakhstan case and adds `extra`.
fn including_kazakhstan(extra: &str) -> String {
    format!(
        "include = [{:?}]\n{extra}",
        util::shipped("kazakhstan_2022")
    )
}

/// More noise than the shipped case, so that outcomes vary from run to run
/// and a change in the noise shows in the CSV files.
const NOISY: &str = "\n[montecarlo]\nruns = 4000\nnoise = 0.8\n";

/// Runs `file` (in `dir`) into `out/<stem>` with one row per run; returns the
/// bytes of the three CSV files and the manifest.
fn run(dir: &Path, file: &str) -> ([Vec<u8>; 3], serde_json::Value) {
    succeed(
        dir,
        &[
            "run",
            "-q",
            file,
            "--out",
            "out",
            "--per-run",
            "--no-report",
        ],
    );
    let stem = file.trim_end_matches(".toml");
    let folder = dir.join("out").join(stem);
    let read = |name: &str| std::fs::read(folder.join(name)).unwrap();
    let manifest = serde_json::from_slice(&read("manifest.json")).unwrap();
    (
        [read("outcomes.csv"), read("members.csv"), read("runs.csv")],
        manifest,
    )
}

/// The CSV files with the `scenario` column (the file stem) made equal.
fn csv_of(files: &[Vec<u8>; 3], stem: &str) -> Vec<String> {
    files
        .iter()
        .map(|f| String::from_utf8_lossy(f).replace(stem, "STEM"))
        .collect()
}

#[test]
fn absolute_written_out_gives_the_same_bytes_and_relative_does_not() {
    let dir = util::temp_with(&[
        ("silent.toml", &including_kazakhstan(NOISY)),
        (
            "absolute.toml",
            &including_kazakhstan(&format!("{NOISY}noise_model = \"absolute\"\n")),
        ),
        (
            "relative.toml",
            &including_kazakhstan(&format!("{NOISY}noise_model = \"relative\"\n")),
        ),
    ]);
    let (silent, m_silent) = run(dir.path(), "silent.toml");
    let (absolute, m_absolute) = run(dir.path(), "absolute.toml");
    let (relative, m_relative) = run(dir.path(), "relative.toml");
    // runs.csv has no scenario column; the other two name the file stem.
    assert_eq!(silent[2], absolute[2], "runs.csv");
    assert_eq!(csv_of(&silent, "silent"), csv_of(&absolute, "absolute"));
    assert_ne!(silent[2], relative[2], "relative noise changed no run");
    assert_ne!(csv_of(&silent, "silent"), csv_of(&relative, "relative"));

    assert_eq!(m_silent["noise_model"], "absolute");
    assert_eq!(m_absolute["noise_model"], "absolute");
    assert_eq!(m_relative["noise_model"], "relative");
    assert_eq!(m_relative["noise"], 0.8);
    // The scenario's identity follows the files, so the two models differ.
    assert_ne!(m_absolute["scenario_sha256"], m_relative["scenario_sha256"]);
}

#[test]
fn the_last_file_read_sets_the_noise_model() {
    // An included file sets `relative`; the including file may keep it or
    // set `absolute` back, as it may for `noise`.
    let relative = including_kazakhstan(&format!("{NOISY}noise_model = \"relative\"\n"));
    let dir = util::temp_with(&[
        ("relative.toml", &relative),
        ("keeps.toml", "include = [\"relative.toml\"]\n"),
        (
            "back.toml",
            "include = [\"relative.toml\"]\n\n[montecarlo]\nnoise_model = \"absolute\"\n",
        ),
        ("silent.toml", &including_kazakhstan(NOISY)),
    ]);
    let (rel, _) = run(dir.path(), "relative.toml");
    let (keeps, m_keeps) = run(dir.path(), "keeps.toml");
    let (back, m_back) = run(dir.path(), "back.toml");
    let (silent, _) = run(dir.path(), "silent.toml");
    assert_eq!(m_keeps["noise_model"], "relative");
    assert_eq!(m_back["noise_model"], "absolute");
    assert_eq!(keeps[2], rel[2]);
    assert_eq!(back[2], silent[2]);
    assert_ne!(back[2], rel[2]);
}

#[test]
fn explain_names_the_noise_model() {
    let dir = util::temp_with(&[(
        "relative.toml",
        &including_kazakhstan("\n[montecarlo]\nnoise = 0.2\nnoise_model = \"relative\"\n"),
    )]);
    let table = util::stdout(&succeed(dir.path(), &["explain", "relative.toml"]));
    assert!(
        table.contains("η = 0.2, relative (standard deviation 0.2 × |term|"),
        "{table}"
    );
    let o = succeed(
        dir.path(),
        &["explain", "relative.toml", "--format", "json"],
    );
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (&j["noise"], &j["noise_model"]),
        (&0.2.into(), &"relative".into())
    );

    let shipped = util::shipped("kazakhstan_2022");
    let table = util::stdout(&succeed(dir.path(), &["explain", &shipped]));
    assert!(table.contains("η = 0.1, absolute"), "{table}");
}

#[test]
fn validate_records_the_noise_model_of_each_case() {
    let dir = util::temp_with(&[(
        "relative.toml",
        &including_kazakhstan(
            "\n[montecarlo]\nnoise_model = \"relative\"\n\n[expected]\ninherit = true\n",
        ),
    )]);
    let shipped = util::shipped("armenia_2020");
    succeed(
        dir.path(),
        &[
            "validate",
            "relative.toml",
            &shipped,
            "--runs",
            "200",
            "--out",
            "out",
            "--quiet",
        ],
    );
    let text = std::fs::read(dir.path().join("out/validation/manifest.json")).unwrap();
    let m: serde_json::Value = serde_json::from_slice(&text).unwrap();
    let models: Vec<(&str, &str)> = m["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| {
            (
                c["scenario"].as_str().unwrap(),
                c["noise_model"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(models.contains(&("relative", "relative")), "{models:?}");
    assert!(models.contains(&("armenia_2020", "absolute")), "{models:?}");
}
