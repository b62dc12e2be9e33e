//! `power --weights`: plain weighted games without a scenario (the shipped
//! UN Security Council and EEC Council files against their published exact
//! indices, weights on the command line, quotas on the boundary, bad input),
//! the exact fractions as a spreadsheet reads them, the power chart with
//! many members; and exact values that can be derived by hand: the
//! hegemon-majority indices for any number of members, Morris effects of
//! additive functions, and the simulated decisiveness of members whose
//! votes are known exactly or in distribution.

use std::collections::HashMap;
use std::path::Path;

use alliance_sim::analysis::power::{reference, Fraction, SimpleGame};
use alliance_sim::analysis::sensitivity::{morris, MorrisDesign};
use alliance_sim::model::DecisionRule;
use alliance_sim::output::charts::{power_bars, PowerRow};
use alliance_sim::output::summary::wilson;
use alliance_sim::scenario::param::normal_cdf;
use roxmltree::{Document, Node};

use crate::markup;
use crate::util::{self, fail, succeed};

/// A shipped game file.
fn game(name: &str) -> String {
    util::root()
        .join("games")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

/// Runs `power` with `args` in `dir` (results in `dir/out`) and returns the
/// rows of `out/<label>-power/power.csv`.
fn power(dir: &Path, label: &str, args: &[&str]) -> Vec<HashMap<String, String>> {
    let mut all = vec!["power", "--out", "out", "--quiet"];
    all.extend_from_slice(args);
    let o = succeed(dir, &all);
    assert!(util::stdout(&o).contains("shapley_shubik"), "no table");
    util::csv_rows(&dir.join(format!("out/{label}-power/power.csv")))
}

/// The exact columns of a row.
fn exact(row: &HashMap<String, String>) -> [&str; 3] {
    [
        &row["banzhaf_absolute_exact"],
        &row["banzhaf_normalized_exact"],
        &row["shapley_shubik_exact"],
    ]
    .map(String::as_str)
}

// ---------------------------------------------------------------------------
// 1. Plain games.

/// The UN Security Council since 1965 (weights 7 and 1, quota 39) gives the
/// published exact indices: permanent members normalized Banzhaf 106/635,
/// absolute 53/1024, Shapley-Shubik 421/2145; elected members 21/1270,
/// 21/4096, 4/2145.
#[test]
fn unsc_1965_gives_the_published_exact_indices() {
    let tmp = tempfile::tempdir().unwrap();
    let rows = power(
        tmp.path(),
        "unsc_1965",
        &["--weights", &game("unsc_1965.csv"), "--quota", "39"],
    );
    assert_eq!(rows.len(), 15);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r["scenario"], "unsc_1965");
        assert_eq!(r["rule"], "quota:39");
        let expected = if i < 5 {
            ["53/1024", "106/635", "421/2145"]
        } else {
            ["21/4096", "21/1270", "4/2145"]
        };
        assert_eq!(exact(r), expected, "{}", r["member"]);
        // The decimals agree with the fractions.
        let [abs, norm, ss] = expected.map(|f| {
            let (a, b) = f.split_once('/').unwrap();
            a.parse::<f64>().unwrap() / b.parse::<f64>().unwrap()
        });
        for (col, v) in [
            ("banzhaf_absolute", abs),
            ("banzhaf_normalized", norm),
            ("shapley_shubik", ss),
        ] {
            assert_eq!(r[col], format!("{v:.6}"), "{col}");
        }
        // No simulation: its columns are empty.
        for col in ["runs", "decisive", "p_decisive", "ci_low", "ci_high"] {
            assert_eq!(r[col], "", "{col}");
        }
    }
    let dir = tmp.path().join("out/unsc_1965-power");
    assert_eq!(markup::check_folder(&dir), 2, "power.svg and report.html");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["tool"], "alliance-sim");
    assert_eq!(manifest["rule"], "quota:39");
    assert_eq!(manifest["total_weight"], "45");
    assert_eq!(manifest["game_sha256"].as_str().unwrap().len(), 64);
}

/// The EEC Council of 1958 from its file and from the command line; the quota
/// as a whole number, a decimal and a fraction of the same least winning
/// weight, and as a share of the total, all give the same game.
#[test]
fn eec_1958_from_the_file_and_the_command_line_agree() {
    let tmp = tempfile::tempdir().unwrap();
    let file = power(
        tmp.path(),
        "eec_1958",
        &["--weights", &game("eec_1958.csv"), "--quota", "12"],
    );
    let by_id: HashMap<&str, [&str; 3]> = file
        .iter()
        .map(|r| (r["member"].as_str(), exact(r)))
        .collect();
    let big = ["5/16", "5/21", "7/30"];
    let small = ["3/16", "1/7", "3/20"];
    for id in ["DE", "FR", "IT"] {
        assert_eq!(by_id[id], big, "{id}");
    }
    for id in ["BE", "NL"] {
        assert_eq!(by_id[id], small, "{id}");
    }
    assert_eq!(by_id["LU"], ["0", "0", "0"]);
    // Inline weights in another order: members 1..6.
    for quota in [
        ["--quota", "12"],
        ["--quota", "11.5"],
        ["--quota", "23/2"],
        ["--share", "12/17"],
        ["--share", "0.7"],
    ] {
        let rows = power(
            tmp.path(),
            "game",
            &["--weights", "4,4,4,2,2,1", quota[0], quota[1], "--replace"],
        );
        let got: Vec<[&str; 3]> = rows.iter().map(exact).collect();
        assert_eq!(
            got,
            [big, big, big, small, small, ["0", "0", "0"]],
            "{quota:?}"
        );
        assert_eq!(rows[0]["member"], "1");
        assert_eq!(rows[0]["rule"], format!("{}:{}", &quota[0][2..], quota[1]));
    }
}

/// A quota exactly on the boundary is compared exactly: a share of 39/45 of
/// 45 is 39, the UN game; 0.8666666666666667, the nearest double to 39/45, is
/// a little more than it and so asks for 40 (the five permanent members and
/// five elected ones), the game of `--quota 40`.
#[test]
fn quotas_on_the_boundary_are_exact() {
    let tmp = tempfile::tempdir().unwrap();
    let unsc = game("unsc_1965.csv");
    let at = power(
        tmp.path(),
        "unsc_1965",
        &["--weights", &unsc, "--share", "39/45"],
    );
    assert_eq!(exact(&at[0])[1], "106/635");
    let above = power(
        tmp.path(),
        "unsc_1965",
        &[
            "--weights",
            &unsc,
            "--share",
            "0.8666666666666667",
            "--replace",
        ],
    );
    assert_ne!(exact(&above[0])[1], "106/635");
    let forty = power(
        tmp.path(),
        "unsc_1965",
        &["--weights", &unsc, "--quota", "40", "--replace"],
    );
    let e = |rows: &[HashMap<String, String>]| {
        rows.iter()
            .map(exact)
            .map(|x| x.map(String::from))
            .collect::<Vec<_>>()
    };
    assert_eq!(e(&above), e(&forty));
}

/// Bad games and options: exit code 2, a message naming the file, line,
/// column or option and what was expected, and nothing written.
#[test]
fn bad_games_are_refused_with_exit_code_2_and_nothing_written() {
    let dir = util::temp_with(&[
        ("typo.csv", "# a game\nmember,wieght\nA,1\n"),
        ("dup.csv", "member,weight\nA,1\nB,2\nA,3\n"),
        ("neg.csv", "member,weight,name\nA,1,x\nB,-2,y\n"),
        ("short.csv", "member,weight\nA,1\nB\n"),
        ("frac.csv", "member,weight\nA,1/2\n"),
        ("empty.csv", "# nothing\n"),
        ("ok.csv", "member,weight\nA,1\nB,2\n"),
    ]);
    let d = dir.path();
    let too_many = ["1"; 512].join(",");
    let too_fine = format!("{},1", "9".repeat(15));
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (
            vec!["--weights", "typo.csv", "--quota", "1"],
            vec![
                "typo.csv:2:8:",
                "unknown column `wieght`",
                "did you mean `weight`?",
            ],
        ),
        (
            vec!["--weights", "dup.csv", "--quota", "1"],
            vec!["dup.csv:4:1: member: `A` is already a member (line 2)"],
        ),
        (
            vec!["--weights", "neg.csv", "--quota", "1"],
            vec!["neg.csv:3:3: weight: `-2`", "non-negative decimal"],
        ),
        (
            vec!["--weights", "short.csv", "--quota", "1"],
            vec!["short.csv:3:2: 1 field; expected 2"],
        ),
        (
            vec!["--weights", "frac.csv", "--quota", "1"],
            vec!["frac.csv:2:3: weight: `1/2`: a weight is a decimal number"],
        ),
        (
            vec!["--weights", "empty.csv", "--quota", "1"],
            vec!["empty.csv: the file is empty"],
        ),
        (
            vec!["--weights", "missing.csv", "--quota", "1"],
            vec!["missing.csv", "cannot read"],
        ),
        (
            vec!["--weights", "/dev/zero", "--quota", "1"],
            vec!["/dev/zero", "not a regular file"],
        ),
        (vec!["--weights", ".", "--quota", "1"], vec!["is a folder"]),
        (
            vec!["--weights", "ok.csv", "--quota", "3.5"],
            vec!["--quota: `3.5` is more than the total weight, 3"],
        ),
        (
            vec!["--weights", "ok.csv", "--quota", "0"],
            vec!["--quota: `0`: the quota must be more than 0"],
        ),
        (
            vec!["--weights", "ok.csv", "--share", "4/3"],
            vec!["--share: `4/3`: a share must be more than 0 and at most 1"],
        ),
        (
            vec!["--weights", "ok.csv", "--quota", "1e3"],
            vec!["1e3", "exact"],
        ),
        (
            vec!["--weights", "ok.csv", "--quota", "1", "--share", "1/2"],
            vec!["cannot be used with"],
        ),
        (vec!["--weights", "ok.csv"], vec!["--quota"]),
        (vec!["--quota", "1"], vec!["--weights"]),
        (
            vec!["--weights", "ok.csv", "--quota", "1", "--runs", "10"],
            vec!["cannot be used with"],
        ),
        (vec!["--weights", "1,x,2", "--quota", "1"], vec!["1,x,2"]),
        (
            vec!["--weights", "1,,2", "--quota", "1"],
            vec!["--weights:1:3: weight 2: empty"],
        ),
        (
            vec!["--weights", &too_many, "--quota", "1"],
            vec!["at most 511 members", "this game has 512"],
        ),
        (
            vec!["--weights", &too_fine, "--share", "1/2"],
            vec!["too large to count", "coarser units"],
        ),
    ];
    for (args, fragments) in cases {
        let mut all = vec!["power", "--out", "out"];
        all.extend_from_slice(&args);
        let err = fail(d, &all);
        util::says(&err, &fragments);
        assert!(!d.join("out").exists(), "{args:?} wrote results");
    }
}

// ---------------------------------------------------------------------------
// 2. The exact fractions in a spreadsheet.

/// `power.csv` opened in LibreOffice, then saved back as CSV: every exact
/// fraction must come back as the same text, with the import's defaults and
/// with "Detect special numbers" on (dates recognized) together with "Format
/// quoted field as text" (the setting the README names). The EEC game has
/// 1/7, which LibreOffice reads as 7 January when it guesses dates in an
/// unquoted cell. Skipped, with a message, where LibreOffice is not
/// installed.
#[test]
fn libreoffice_reads_the_exact_fractions_as_text() {
    let Some(soffice) = ["soffice", "libreoffice"].into_iter().find(|p| {
        std::process::Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        eprintln!("skipped: LibreOffice (soffice) is not installed");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let rows = power(
        tmp.path(),
        "eec_1958",
        &["--weights", &game("eec_1958.csv"), "--quota", "12"],
    );
    let csv = tmp.path().join("out/eec_1958-power/power.csv");
    let profile = format!("file://{}", tmp.path().join("profile").display());
    for (k, import) in [None, Some("44,34,76,1,,1033,true,true")]
        .into_iter()
        .enumerate()
    {
        let back = tmp.path().join(format!("back{k}"));
        let mut cmd = std::process::Command::new(soffice);
        cmd.arg(format!("-env:UserInstallation={profile}"))
            .arg("--headless");
        if let Some(options) = import {
            cmd.arg(format!("--infilter=CSV:{options}"));
        }
        let status = cmd
            .args([
                "--convert-to",
                "csv:Text - txt - csv (StarCalc):44,34,76,1",
                "--outdir",
            ])
            .arg(&back)
            .arg(&csv)
            .output()
            .expect("soffice runs");
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        let again = util::csv_rows(&back.join("power.csv"));
        assert_eq!(again.len(), rows.len());
        for (a, b) in rows.iter().zip(&again) {
            assert_eq!(exact(a), exact(b), "import {import:?}");
        }
        let text = std::fs::read_to_string(back.join("power.csv")).unwrap();
        assert!(text.contains("\"1/7\""), "kept as text:\n{text}");
    }
}

// ---------------------------------------------------------------------------
// 3. The power chart with many members.

/// A text element's box: font size from the element or the `<svg>` (12),
/// width estimated as 0.6 of the size per character, from the baseline 0.8
/// of the size up and 0.2 down.
fn text_box(t: Node, default_size: f64) -> (f64, f64, f64, f64) {
    let size: f64 = t
        .attribute("font-size")
        .map_or(default_size, |s| s.parse().unwrap());
    let (x, y): (f64, f64) = (
        t.attribute("x").unwrap().parse().unwrap(),
        t.attribute("y").unwrap().parse().unwrap(),
    );
    let text: String = t.children().filter_map(|n| n.text()).collect();
    let w = text.chars().count() as f64 * size * 0.6;
    let left = match t.attribute("text-anchor") {
        Some("end") => x - w,
        Some("middle") => x - w / 2.0,
        _ => x,
    };
    (left, y - 0.8 * size, left + w, y + 0.2 * size)
}

/// Asserts that no two texts of the chart overlap and that each lies inside
/// it; returns the number of texts.
fn assert_no_overlap(svg: &str, what: &str) -> usize {
    let doc = Document::parse(svg).unwrap_or_else(|e| panic!("{what}: {e}"));
    let root = doc.root_element();
    let width: f64 = root.attribute("width").unwrap().parse().unwrap();
    let height: f64 = root.attribute("height").unwrap().parse().unwrap();
    let size: f64 = root
        .attribute("font-size")
        .map_or(12.0, |s| s.parse().unwrap());
    let boxes: Vec<((f64, f64, f64, f64), String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|t| {
            assert!(t.attribute("transform").is_none(), "{what}: rotated text");
            (
                text_box(t, size),
                t.children().filter_map(|n| n.text()).collect(),
            )
        })
        .collect();
    for (i, (a, ta)) in boxes.iter().enumerate() {
        assert!(
            a.0 >= -0.5 && a.2 <= width + 0.5 && a.1 >= -0.5 && a.3 <= height + 0.5,
            "{what}: `{ta}` {a:?} outside the chart {width} x {height}"
        );
        for (b, tb) in &boxes[i + 1..] {
            let apart = a.2 <= b.0 || b.2 <= a.0 || a.3 <= b.1 || b.3 <= a.1;
            assert!(apart, "{what}: `{ta}` {a:?} overlaps `{tb}` {b:?}");
        }
    }
    boxes.len()
}

/// Members with equal power (unanimity, where the old chart stacked every
/// label on one point) and with unequal power, long ids among them, for 2 to
/// 200 members: every label, value and tick apart.
#[test]
fn the_power_chart_has_no_overlapping_text_for_2_to_200_members() {
    for n in [2usize, 15, 27, 32, 200] {
        for (kind, simulated) in [("equal", true), ("equal", false), ("unequal", true)] {
            let rows: Vec<PowerRow> = (0..n)
                .map(|i| {
                    let v = if kind == "equal" {
                        1.0 / n as f64
                    } else {
                        2.0 * (i + 1) as f64 / (n * (n + 1)) as f64
                    };
                    let label = if i % 7 == 3 {
                        format!("a-member-with-a-very-long-identifier-{i}-and-more")
                    } else {
                        format!("M{i}")
                    };
                    PowerRow {
                        label,
                        banzhaf_normalized: v,
                        shapley_shubik: v,
                        decisive: simulated.then_some(1.0 - v),
                    }
                })
                .collect();
            let what = format!("{n} members, {kind} power, simulated {simulated}");
            let svg = power_bars("A body: voting power (unanimity)", &rows);
            markup::svg(&svg, &what);
            let texts = assert_no_overlap(&svg, &what);
            // Every member is labelled.
            assert!(texts > n, "{what}: {texts} texts");
        }
    }
}

/// The same through the command line: a plain game of 25 equal members under
/// unanimity, and a scenario's chart.
#[test]
fn the_charts_power_writes_have_no_overlapping_text() {
    let tmp = tempfile::tempdir().unwrap();
    power(
        tmp.path(),
        "game",
        &["--weights", &["1"; 25].join(","), "--quota", "25"],
    );
    let svg = std::fs::read_to_string(tmp.path().join("out/game-power/power.svg")).unwrap();
    assert!(assert_no_overlap(&svg, "25 members") > 25);
    succeed(
        tmp.path(),
        &[
            "power",
            &util::shipped("kazakhstan_2022"),
            "--runs",
            "100",
            "--out",
            "out",
            "-q",
        ],
    );
    let svg =
        std::fs::read_to_string(tmp.path().join("out/kazakhstan_2022-power/power.svg")).unwrap();
    assert_no_overlap(&svg, "kazakhstan_2022");
}

// ---------------------------------------------------------------------------
// 4. Hegemon majority: exact indices for any n.

/// C(n, k).
fn choose(n: u64, k: u64) -> u64 {
    if k > n {
        return 0;
    }
    (0..k).fold(1, |c, i| c * (n - i) / (i + 1))
}

fn factorial(n: u64) -> u128 {
    (1..=u128::from(n)).product()
}

/// `hegemon_majority` with n members: a coalition wins when it holds the
/// hegemon h and more than half the members, t = ⌊n/2⌋ + 1 of them. With
/// m = n − 1 others:
///
/// - h swings in a coalition S of others exactly when |S| + 1 ≥ t (S alone
///   never wins), so η_h = Σ_{k=⌊n/2⌋}^{m} C(m, k);
/// - another member i swings in S exactly when S holds h and |S| = t − 1:
///   h and t − 2 of the m − 1 others, η_o = C(m − 1, t − 2);
/// - Shapley-Shubik: i is pivotal when it comes t-th with h among the t − 1
///   before it: φ_o = (1/n)·(t − 1)/(n − 1), so over n! orders
///   (t − 1)·(n − 2)!; and φ_h = 1 − m·φ_o (h is pivotal whenever it comes
///   t-th or later, (n − t + 1)/n, the same).
///
/// Checked against the enumeration of all coalitions for n = 2..=14, the
/// hegemon first, in the middle and last.
#[test]
fn hegemon_majority_indices_equal_the_formula() {
    for n in 2u64..=14 {
        let (m, t) = (n - 1, n / 2 + 1);
        let eta_h: u64 = (n / 2..=m).map(|k| choose(m, k)).sum();
        let eta_o = choose(m - 1, t - 2);
        let ss_o = u128::from(t - 1) * factorial(n - 2);
        let ss_h = factorial(n) - u128::from(m) * ss_o;
        for h in [0, (n / 2) as usize, (n - 1) as usize] {
            let p = SimpleGame::from_rule(
                &DecisionRule::HegemonMajority,
                &vec![1.0; n as usize],
                Some(h),
            )
            .unwrap()
            .indices();
            for i in 0..n as usize {
                let (eta, ss) = if i == h { (eta_h, ss_h) } else { (eta_o, ss_o) };
                assert_eq!(
                    p.swings[i],
                    eta.into(),
                    "n = {n}, h = {h}, member {i}: swings"
                );
                assert_eq!(
                    p.shapley_shubik_exact[i],
                    Fraction::new(ss.into(), factorial(n).into()).unwrap(),
                    "n = {n}, h = {h}, member {i}: Shapley-Shubik"
                );
                let half = (1u64 << (n - 1)) as f64;
                assert!((p.banzhaf_absolute[i] - eta as f64 / half).abs() < 1e-15);
            }
        }
    }
    // The numbers for six members, by hand: η_h = C(5,3)+C(5,4)+C(5,5) = 16,
    // η_o = C(4,2) = 6, φ_o = 3/30.
    assert_eq!(
        (choose(5, 3) + choose(5, 4) + choose(5, 5), choose(4, 2)),
        (16, 6)
    );
}

/// The same for the CSTO's six members, Russia the hegemon, through `power`:
/// Russia 16/32 = 1/2 absolute, 16/46 = 8/23 normalized, Shapley-Shubik 1/2;
/// each other member 6/32 = 3/16, 6/46 = 3/23 and 1/10.
#[test]
fn hegemon_majority_in_the_csto_through_power() {
    let tmp = tempfile::tempdir().unwrap();
    let rows = power(
        tmp.path(),
        "kazakhstan_2022",
        &[
            &util::shipped("kazakhstan_2022"),
            "--rule",
            "hegemon_majority",
            "--runs",
            "100",
        ],
    );
    for r in &rows {
        let expected = if r["member"] == "RUS" {
            ["1/2", "8/23", "1/2"]
        } else {
            ["3/16", "3/23", "1/10"]
        };
        assert_eq!(exact(r), expected, "{}", r["member"]);
    }
}

/// The EU-27's double majority by the scenario route (the 2023 roster's
/// populations, `--rule double_majority`) gives, member by member, the exact
/// indices of the shipped game file counted as the Council's rule, and the
/// treaty's thresholds reach the published structure: Germany first, Malta
/// last, Shapley-Shubik indices summing to exactly 1.
#[test]
fn eu27_double_majority_from_the_roster_equals_the_game_file() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = util::root().join("scenarios/eu/ukraine_facility_2023_12.toml");
    let rows = power(
        tmp.path(),
        "ukraine_facility_2023_12",
        &[
            scenario.to_str().unwrap(),
            "--rule",
            "double_majority",
            "--runs",
            "100",
        ],
    );
    assert_eq!(rows.len(), 27);
    let file = reference::eu27_population_2023();
    let game = reference::eu27_council_2023().indices(None).unwrap();
    let mut sum = Fraction::zero();
    for (i, (id, _)) in file.iter().enumerate() {
        let row = rows.iter().find(|r| r["member"] == *id).expect(id);
        let expected = [
            game.banzhaf_absolute_exact[i].to_string(),
            game.banzhaf_normalized_exact[i].to_string(),
            game.shapley_shubik_exact[i].to_string(),
        ];
        assert_eq!(exact(row), expected.each_ref().map(String::as_str), "{id}");
        sum = &sum + &game.shapley_shubik_exact[i];
    }
    assert_eq!(sum.to_string(), "1");
    let ss = |id: &str| {
        rows.iter().find(|r| r["member"] == id).unwrap()["shapley_shubik"]
            .parse::<f64>()
            .unwrap()
    };
    assert!(rows
        .iter()
        .all(|r| ss("DEU") >= ss(&r["member"]) && ss("MLT") <= ss(&r["member"])));
}

/// NATO's 30 members of 2022 (the scenario) and 32 of 2024 (the game file)
/// are past the 25 that enumeration allowed: under consensus every member
/// holds 1/n of both indices and 1/2^(n−1) of the absolute Banzhaf index,
/// exactly; under a majority of 32, C(31, 16)/2^31.
#[test]
fn nato_under_consensus_and_majority_has_formal_equality() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = util::root().join("scenarios/nato/eastern_allies_2022.toml");
    let rows = power(
        tmp.path(),
        "eastern_allies_2022",
        &[scenario.to_str().unwrap(), "--runs", "100"],
    );
    assert_eq!(rows.len(), 30);
    for r in &rows {
        assert_eq!(exact(r), ["1/536870912", "1/30", "1/30"], "{}", r["member"]);
    } // The 32 allies of 2024 as a plain game, under consensus and a majority.
    let nato = game("nato_2024.csv");
    let rows = power(
        tmp.path(),
        "nato_2024",
        &["--weights", &nato, "--quota", "32"],
    );
    assert_eq!(rows.len(), 32);
    for r in &rows {
        assert_eq!(
            exact(r),
            ["1/2147483648", "1/32", "1/32"],
            "{}",
            r["member"]
        );
    }
    // Majority of 32: a member swings when the 31 others split 16 yes to 15
    // no: C(31, 16) of 2^31 splits, 300540195/2147483648.
    let rows = power(
        tmp.path(),
        "nato_2024",
        &["--weights", &nato, "--quota", "17", "--replace"],
    );
    for r in &rows {
        assert_eq!(
            exact(r),
            ["300540195/2147483648", "1/32", "1/32"],
            "{}",
            r["member"]
        );
    }
}

// ---------------------------------------------------------------------------
// 5. Morris effects of functions whose effects are known.

/// With two levels the grid is {0, 1} and Δ = 1: every move takes a factor
/// from one end of its range to the other, so for an additive function
/// y = Σ g_i(x_i) every elementary effect of factor i is g_i(hi) − g_i(lo),
/// whatever the design, and μ = g_i(hi) − g_i(lo), μ* = |μ|, σ = 0 — for
/// curved terms too, and 0 for a term that returns to its start (the blind
/// spot of μ*).
#[test]
fn morris_effects_of_an_additive_function_on_two_levels() {
    let ranges = [(1.0, 3.0), (0.0, 2.0), (0.0, 10.0), (-1.0, 1.0)];
    // g0 = x², g1 = −(x − 0.5)², g2 = |x − 5|, g3 = 4x.
    let f = |x: &[f64]| -> Result<Vec<f64>, ()> {
        Ok(vec![
            x[0] * x[0] - (x[1] - 0.5) * (x[1] - 0.5) + (x[2] - 5.0).abs() + 4.0 * x[3],
        ])
    };
    // g(hi) − g(lo): 9 − 1, −2.25 + 0.25, 5 − 5, 4 + 4.
    let expected = [8.0, -2.0, 0.0, 8.0];
    for seed in [1, 2, 3] {
        let design = MorrisDesign::new(4, 12, 2, seed).unwrap();
        let e = morris(&design, &ranges, f, None).unwrap();
        for (i, want) in expected.iter().enumerate() {
            let got = e[i][0];
            assert!(
                (got.mu - want).abs() < 1e-12,
                "factor {i}: μ {} != {want}",
                got.mu
            );
            assert!(
                (got.mu_star - want.abs()).abs() < 1e-12,
                "factor {i}: μ* {}",
                got.mu_star
            );
            assert!(got.sigma.abs() < 1e-12, "factor {i}: σ {}", got.sigma);
        }
    }
}

/// With four levels {0, 1/3, 2/3, 1} and Δ = 2/3 a factor moves between 0
/// and 2/3 or between 1/3 and 1. For g(u) = u² on [0, 1] the effects are
/// (4/9)/(2/3) = 2/3 and (1 − 1/9)/(2/3) = 4/3: with a moves of the first
/// kind and b of the second among r trajectories, μ = μ* = (2a/3 + 4b/3)/r
/// and σ² = a·b/(r(r − 1))·(2/3)², counted from the design.
#[test]
fn morris_effects_of_a_square_on_four_levels() {
    let r = 20;
    let design = MorrisDesign::new(2, r, 4, 9).unwrap();
    let e = morris(
        &design,
        &[(0.0, 1.0), (0.0, 1.0)],
        |x| Ok::<_, ()>(vec![x[0] * x[0]]),
        None,
    )
    .unwrap();
    let mut low = 0;
    for (points, order) in design.trajectories.iter().zip(&design.moved) {
        let step = order.iter().position(|f| *f == 0).unwrap();
        let from = points[step][0].min(points[step + 1][0]);
        if from < 1e-9 {
            low += 1;
        } else {
            assert!((from - 1.0 / 3.0).abs() < 1e-9, "{from}");
        }
    }
    let (a, b) = (low as f64, (r - low) as f64);
    assert!(a > 0.0 && b > 0.0, "both kinds of move occur ({a}, {b})");
    let rr = r as f64;
    let mu = (2.0 * a / 3.0 + 4.0 * b / 3.0) / rr;
    let sigma = (a * b / (rr * (rr - 1.0))).sqrt() * 2.0 / 3.0;
    let got = e[0][0];
    assert!((got.mu - mu).abs() < 1e-12, "μ {} != {mu}", got.mu);
    assert!(
        (got.mu_star - mu).abs() < 1e-12,
        "μ* {} != {mu}",
        got.mu_star
    );
    assert!(
        (got.sigma - sigma).abs() < 1e-12,
        "σ {} != {sigma}",
        got.sigma
    );
    // The factor the function ignores has no effect at all.
    assert_eq!((e[1][0].mu_star, e[1][0].sigma), (0.0, 0.0));
}

// ---------------------------------------------------------------------------
// 6. Simulated decisiveness, exactly.

/// Perception noise η and abstention band β of the test scenario.
const BAND: f64 = 0.1;

/// A scenario of five members whose utility for the one option, less their
/// reservation, is Normal(margin_i, 2η²) independently (the construction of
/// the independent-votes check in `statistics`: every weight but credibility
/// is 0, there is no adversary and no hegemon, the option has effect 1): a
/// member votes yes above +β, no below −β, and abstains between.
fn votes_scenario(margins: &[f64], noise: f64, rule: &str, runs: u64) -> String {
    let (q, l, i, f) = (0.8, 0.5, 0.5, 0.6);
    let mut text = String::from(
        "[scenario]\nname = \"known votes\"\n\n\
         [alliance]\nname = \"Test\"\ncapacity = 0.5\nregions = [\"r\"]\ncrisis_types = [\"t\"]\n\n",
    );
    for (k, margin) in margins.iter().enumerate() {
        let w = 1.0 + k as f64 / 2.0;
        let benefit = w * q * l * (1.0 - i * (1.0 - f));
        let tau = benefit - margin;
        let affinity = if k == 0 {
            ""
        } else {
            "affinity = { M0 = 0.5 }\n"
        };
        text += &format!(
            "[members.M{k}]\nregion = \"r\"\nmilitary_spending = 1\ngdp = 1\n\
             dependence = 0.5\nsovereignty = 0.5\nvulnerability = 0.5\nreservation = {tau}\n\
             threat = {{ t = 1 }}\nconcern = {{ r = 1 }}\n{affinity}\
             weights = {{ security = 0, regime = 0, partner = 0, credibility = {w}, \
             sovereignty = 0, cost = 0, external = 0 }}\n\n"
        );
    }
    text += &format!(
        "[crisis]\nsponsor = \"the chair\"\ntype = \"t\"\nregion = \"r\"\nrequested = \"act\"\n\
         severity = 0.7\ndomestic = {i}\nframing = {f}\ncontagion = 0.5\nlegal_fit = {l}\n\
         legitimacy = 0.5\ncredibility = {q}\ncombat_risk = 0.5\n\n\
         [[options]]\nid = \"act\"\neffect = 1\ntroops = 0\nintrusion = 0\n\n\
         [rule]\nkind = \"{rule}\"\nabstention_band = {BAND}\n\n\
         [montecarlo]\nnoise = {noise}\nruns = {runs}\nseed = 11\n"
    );
    text
}

/// Runs `power` on a scenario text and returns each member's decisive count
/// and the runs.
fn decisive_counts(text: &str) -> (Vec<u64>, u64) {
    let dir = util::temp_with(&[("votes.toml", text)]);
    let rows = power(dir.path(), "votes", &["votes.toml"]);
    let runs = rows[0]["runs"].parse().unwrap();
    (
        rows.iter()
            .map(|r| r["decisive"].parse().unwrap())
            .collect(),
        runs,
    )
}

/// Without noise every run is the same: a member is decisive in every run
/// or in none. Two noes against three yeses: under majority each yes voter
/// decides (3 of 5 pass, 2 do not) and no "no" voter does (4 of 5 pass too);
/// under unanimity nobody does (a second "no" remains). One "no": under
/// unanimity it alone decides.
#[test]
fn decisiveness_without_noise_is_all_or_nothing() {
    let runs = 300;
    let two_noes = [-0.3, -0.3, 0.3, 0.3, 0.3];
    let one_no = [-0.3, 0.3, 0.3, 0.3, 0.3];
    for (margins, rule, expected) in [
        (two_noes, "majority", [0, 0, runs, runs, runs]),
        (two_noes, "unanimity", [0; 5]),
        (one_no, "unanimity", [runs, 0, 0, 0, 0]),
        (one_no, "majority", [0; 5]),
    ] {
        let (counts, n) = decisive_counts(&votes_scenario(&margins, 0.0, rule, runs));
        assert_eq!(n, runs);
        assert_eq!(counts, expected, "{rule}, margins {margins:?}");
    }
}

/// With noise, member i votes yes, no or abstains with probabilities
/// (y_i, n_i, a_i) from the normal distribution, independently. Flipping a
/// vote (yes to no, otherwise to yes) decides:
///
/// - under unanimity (a "no" blocks, abstentions do not, one yes needed):
///   for a yes or a no voter, when no other member votes no; for an
///   abstainer, when every other member abstains too:
///   P_i = (y_i + n_i)·Π_{j≠i}(1 − n_j) + a_i·Π_{j≠i} a_j;
/// - under majority (3 yes of 5): when exactly two others vote yes, whatever
///   i's vote: P_i = P(Y_{−i} = 2), Y_{−i} the others' yes votes.
///
/// Each simulated share must hold its exact value within its 99.9% Wilson
/// interval (100,000 runs, one fixed seed).
#[test]
fn decisiveness_with_noise_matches_its_exact_probability() {
    let margins = [-0.15, 0.0, 0.1, 0.2, 0.3];
    let noise = 0.2;
    let s = noise * std::f64::consts::SQRT_2;
    let probs: Vec<[f64; 3]> = margins
        .iter()
        .map(|m| {
            let yes = 1.0 - normal_cdf((BAND - m) / s);
            let no = normal_cdf((-BAND - m) / s);
            [yes, no, 1.0 - yes - no]
        })
        .collect();
    let others = |i: usize| (0..margins.len()).filter(move |j| *j != i);
    let unanimity: Vec<f64> = (0..margins.len())
        .map(|i| {
            let [y, n, a] = probs[i];
            (y + n) * others(i).map(|j| 1.0 - probs[j][1]).product::<f64>()
                + a * others(i).map(|j| probs[j][2]).product::<f64>()
        })
        .collect();
    let majority: Vec<f64> = (0..margins.len())
        .map(|i| {
            // P(exactly two of the four others vote yes), over their 2^4 splits.
            let o: Vec<usize> = others(i).collect();
            (0u32..16)
                .filter(|set| set.count_ones() == 2)
                .map(|set| {
                    o.iter()
                        .enumerate()
                        .map(|(b, j)| {
                            if set >> b & 1 == 1 {
                                probs[*j][0]
                            } else {
                                1.0 - probs[*j][0]
                            }
                        })
                        .product::<f64>()
                })
                .sum()
        })
        .collect();
    let z = 3.290_526_731_491_926;
    for (rule, exact) in [("unanimity", unanimity), ("majority", majority)] {
        let (counts, runs) = decisive_counts(&votes_scenario(&margins, noise, rule, 100_000));
        for (i, (count, p)) in counts.iter().zip(&exact).enumerate() {
            assert!(
                (0.02..0.98).contains(p),
                "{rule} M{i}: {p} well inside (0, 1)"
            );
            let (lo, hi) = wilson(*count, runs, z);
            assert!(
                (lo..=hi).contains(p),
                "{rule} M{i}: decisive in {count} of {runs}, 99.9% interval [{lo:.5}, {hi:.5}], exact {p:.5}"
            );
        }
    }
}
