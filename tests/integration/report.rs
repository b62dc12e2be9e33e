//! Charts and report.html written by `run`, `power` and `validate`, each
//! parsed and checked by `markup`.

use crate::markup;
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
    let svg = markup::read_svg(&dir.join("outcomes.svg"));
    assert!(svg.ends_with("</svg>\n"));
    let html = markup::read_html(&dir.join("report.html"));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let page = markup::html(&html, "report.html");
    assert_eq!(
        page.descendants().filter(|n| n.has_tag_name("svg")).count(),
        2,
        "the outcomes chart and the utility terms chart, inline"
    );
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
    let svg = markup::read_svg(&dir.join("power.svg"));
    let chart = markup::svg(&svg, "power.svg");
    assert_eq!(
        chart
            .descendants()
            .filter(|n| n.has_tag_name("circle"))
            .count(),
        7,
        "a point per member and one in the legend"
    );
    let html = markup::read_html(&dir.join("report.html"));
    assert!(html.contains("<svg") && !links_outside_pre(&html));

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
    assert!(markup::read_svg(&dir.join("validation.svg")).contains("kazakhstan_2022"));
    let html = markup::read_html(&dir.join("report.html"));
    assert!(html.contains("<svg") && !links_outside_pre(&html));
}
