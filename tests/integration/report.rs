//! Charts and report.html written by `run`, `power` and `validate`.

use crate::util::{scenario, succeed};

/// `http://` or `https://` outside text the report escaped (the scenario and
/// manifest sit in `<pre>` blocks).
fn links_outside_pre(html: &str) -> bool {
    html.split("<pre>")
        .map(|part| part.split_once("</pre>").map_or(part, |(_, rest)| rest))
        .any(|outside| outside.contains("http://") || outside.contains("https://"))
}

#[test]
fn run_writes_chart_and_self_contained_report() {
    let tmp = tempfile::tempdir().unwrap();
    let file = scenario("kyrgyzstan_2010");
    succeed(
        tmp.path(),
        &[
            "run",
            file.to_str().unwrap(),
            "--runs",
            "500",
            "--out",
            "out",
        ],
    );
    let dir = tmp.path().join("out").join("kyrgyzstan_2010");
    let svg = std::fs::read_to_string(dir.join("outcomes.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert!(html.contains("<svg"));
    assert!(html.contains("Kyrgyzstan, June 2010"));
    assert!(html.contains(manifest["scenario_sha256"].as_str().unwrap()));
    assert!(!html.contains("<script"));
    assert!(!links_outside_pre(&html));
    let files: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(files.contains(&"outcomes.svg") && files.contains(&"report.html"));
}

#[test]
fn no_report_writes_neither() {
    let tmp = tempfile::tempdir().unwrap();
    let file = scenario("kyrgyzstan_2010");
    let f = file.to_str().unwrap();
    succeed(tmp.path(), &["run", f, "--runs", "200", "--out", "out"]);
    // Other files than the folder holds: the folder with the report is
    // kept, and --replace replaces it with one without.
    for (extra, name) in [
        (None, "kyrgyzstan_2010-2"),
        (Some("--replace"), "kyrgyzstan_2010"),
    ] {
        let mut args = vec!["run", f, "--runs", "200", "--out", "out", "--no-report"];
        args.extend(extra);
        succeed(tmp.path(), &args);
        let dir = tmp.path().join("out").join(name);
        assert!(dir.join("outcomes.csv").exists());
        assert!(!dir.join("outcomes.svg").exists(), "{name}");
        assert!(!dir.join("report.html").exists(), "{name}");
    }
}

#[test]
fn power_and_validate_write_chart_and_report() {
    let tmp = tempfile::tempdir().unwrap();
    let file = scenario("kazakhstan_2022");
    succeed(
        tmp.path(),
        &[
            "power",
            file.to_str().unwrap(),
            "--runs",
            "200",
            "--out",
            "out",
            "-q",
        ],
    );
    let dir = tmp.path().join("out").join("kazakhstan_2022-power");
    assert!(std::fs::read_to_string(dir.join("power.svg"))
        .unwrap()
        .contains("<circle"));
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("<svg") && !html.contains("<script") && !links_outside_pre(&html));

    succeed(
        tmp.path(),
        &[
            "validate",
            file.to_str().unwrap(),
            "--runs",
            "200",
            "--out",
            "out",
            "-q",
        ],
    );
    let dir = tmp.path().join("out").join("validation");
    assert!(std::fs::read_to_string(dir.join("validation.svg"))
        .unwrap()
        .contains("kazakhstan_2022"));
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("<svg") && !html.contains("<script") && !links_outside_pre(&html));
}
