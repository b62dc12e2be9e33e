//! `alliance-sim params` and `alliance-sim sweep` end to end: the parameter
//! list, the three designs (grid, Latin hypercube, one at a time) and the
//! layout of `sweep_outcomes.csv` and `sweep_members.csv`, agreement of a
//! sweep point with a plain `run` of the same modified scenario (common random
//! numbers), sweep files, independence from the thread count, interruption
//! (SIGINT, SIGTERM, SIGKILL) and `--resume`, and the messages for bad input.
//!
//! Every command runs in a temporary folder with `--out` inside it. The
//! interruption tests need a sweep that runs for a few seconds: its runs per
//! point are calibrated once against the speed of the binary under test (see
//! [`long_sweep`]), so the tests hold for debug and release builds alike.

use std::path::{Path, PathBuf};
use std::process::{Child, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::util;

/// The CSTO options, by level (all shipped cases).
const OPTIONS: [&str; 5] = [
    "no_action",
    "statement",
    "monitoring",
    "limited_deployment",
    "full_intervention",
];
/// Members of the Kazakhstan 2022 case, in file order.
const KAZ_MEMBERS: [&str; 6] = ["RUS", "KAZ", "BLR", "ARM", "KGZ", "TJK"];
/// Members of the Kyrgyzstan 2010 case, in file order.
const KGZ_MEMBERS: [&str; 7] = ["RUS", "KAZ", "BLR", "ARM", "KGZ", "TJK", "UZB"];

/// Columns after the path columns.
const OUTCOME_TAIL: &str = "rule,option,level,runs,count,probability,ci_low,ci_high";
const MEMBER_TAIL: &str =
    "rule,member,runs,yes,no,abstain,sole_blocker,p_yes,p_no,p_abstain,p_sole_blocker";

// ---------------------------------------------------------------------------
// Running the binary

use util::{fail, refs, says, shipped, succeed};

/// `args` as owned strings, for commands built at run time.
fn owned(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// The sweep folder of scenario `stem` under `dir/out_name`.
fn sweep_dir(dir: &Path, out_name: &str, stem: &str) -> PathBuf {
    dir.join(out_name).join(format!("{stem}-sweep"))
}

/// The work folder of the sweep folder `sd` while the sweep is in progress
/// (`<stem>-sweep.partial/`, beside the results folder).
fn work(sd: &Path) -> PathBuf {
    let name = sd.file_name().unwrap().to_string_lossy();
    sd.with_file_name(format!("{name}.partial"))
}

/// The file `name` of the sweep folder `sd` while the sweep is in progress.
fn partial(sd: &Path, name: &str) -> PathBuf {
    work(sd).join(format!("{name}.partial"))
}

/// The two CSV files of a finished sweep, as bytes.
fn csv_bytes(dir: &Path) -> (Vec<u8>, Vec<u8>) {
    let read = |name: &str| {
        std::fs::read(dir.join(name))
            .unwrap_or_else(|e| panic!("cannot read {}/{name}: {e}", dir.display()))
    };
    (read("sweep_outcomes.csv"), read("sweep_members.csv"))
}

/// Asserts the two sweeps wrote the same CSV bytes.
fn assert_same_csv(a: &Path, b: &Path, what: &str) {
    let (ao, am) = csv_bytes(a);
    let (bo, bm) = csv_bytes(b);
    assert!(ao == bo, "{what}: sweep_outcomes.csv differs");
    assert!(am == bm, "{what}: sweep_members.csv differs");
}

/// Asserts that `out` does not exist or is an empty folder.
fn assert_nothing_written(out: &Path) {
    if out.exists() {
        let entries: Vec<_> = std::fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert!(
            entries.is_empty(),
            "files written despite the error: {entries:?}"
        );
    }
}

/// The names in a folder, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The data files of a folder: its names without the charts and report.
fn data_names(dir: &Path) -> Vec<String> {
    names(dir)
        .into_iter()
        .filter(|n| n != "report.html" && !(n.starts_with("sweep_") && n.ends_with(".svg")))
        .collect()
}

// ---------------------------------------------------------------------------
// Reading results

/// A CSV file: its header and rows, as text.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn read(path: &Path) -> Table {
        let mut r = csv::Reader::from_path(path)
            .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
        let header = r
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect::<Vec<_>>();
        let rows = r
            .records()
            .map(|rec| {
                let rec = rec.unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()));
                rec.iter().map(str::to_string).collect::<Vec<_>>()
            })
            .collect::<Vec<_>>();
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row.len(), header.len(), "{} row {i}", path.display());
        }
        Table { header, rows }
    }

    /// The header line as written.
    fn header_line(&self) -> String {
        self.header.join(",")
    }

    fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column `{name}` in {:?}", self.header))
    }

    fn text(&self, row: usize, name: &str) -> &str {
        &self.rows[row][self.col(name)]
    }

    fn num(&self, row: usize, name: &str) -> f64 {
        let t = self.text(row, name);
        t.parse()
            .unwrap_or_else(|_| panic!("`{t}` in column `{name}` is not a number"))
    }

    fn int(&self, row: usize, name: &str) -> u64 {
        let t = self.text(row, name);
        t.parse()
            .unwrap_or_else(|_| panic!("`{t}` in column `{name}` is not a count"))
    }
}

/// A finished sweep's two tables.
struct Sweep {
    outcomes: Table,
    members: Table,
}

impl Sweep {
    fn read(dir: &Path) -> Sweep {
        Sweep {
            outcomes: Table::read(&dir.join("sweep_outcomes.csv")),
            members: Table::read(&dir.join("sweep_members.csv")),
        }
    }

    /// Checks the block structure every sweep has: `points` points numbered
    /// in order, each with one outcome row per option (levels in order,
    /// counts summing to `runs`) and one member row per member (votes summing
    /// to `runs`), the path columns and the rule equal within a point; and
    /// returns, per point, the path cells and the rule.
    fn points(
        &self,
        paths: &[&str],
        points: usize,
        members: &[&str],
        runs: u64,
    ) -> Vec<(Vec<String>, String)> {
        let o = &self.outcomes;
        let m = &self.members;
        let with_paths = |tail: &str| {
            let mut h = vec!["point".to_string()];
            h.extend(paths.iter().map(|p| p.to_string()));
            h.push(tail.to_string());
            h.join(",")
        };
        assert_eq!(o.header_line(), with_paths(OUTCOME_TAIL));
        assert_eq!(m.header_line(), with_paths(MEMBER_TAIL));
        assert_eq!(o.rows.len(), points * OPTIONS.len(), "outcome rows");
        assert_eq!(m.rows.len(), points * members.len(), "member rows");
        let lead = |t: &Table, row: usize| -> (Vec<String>, String) {
            (
                paths.iter().map(|p| t.text(row, p).to_string()).collect(),
                t.text(row, "rule").to_string(),
            )
        };
        let mut out = Vec::with_capacity(points);
        for p in 0..points {
            let first = p * OPTIONS.len();
            let key = lead(o, first);
            let mut total = 0;
            for (level, option) in OPTIONS.iter().enumerate() {
                let row = first + level;
                assert_eq!(o.int(row, "point"), p as u64, "outcome row {row}");
                assert_eq!(lead(o, row), key, "outcome row {row}");
                assert_eq!(o.text(row, "option"), *option, "outcome row {row}");
                assert_eq!(o.int(row, "level"), level as u64, "outcome row {row}");
                assert_eq!(o.int(row, "runs"), runs, "outcome row {row}");
                let count = o.int(row, "count");
                let p_hat = o.num(row, "probability");
                assert!(
                    (p_hat - count as f64 / runs as f64).abs() < 1e-6,
                    "outcome row {row}: probability {p_hat} is not {count}/{runs}"
                );
                assert!(
                    o.num(row, "ci_low") <= p_hat && p_hat <= o.num(row, "ci_high"),
                    "outcome row {row}: the interval does not hold the probability"
                );
                total += count;
            }
            assert_eq!(total, runs, "point {p}: counts sum to the runs");
            for (k, member) in members.iter().enumerate() {
                let row = p * members.len() + k;
                assert_eq!(m.int(row, "point"), p as u64, "member row {row}");
                assert_eq!(lead(m, row), key, "member row {row}");
                assert_eq!(m.text(row, "member"), *member, "member row {row}");
                assert_eq!(m.int(row, "runs"), runs, "member row {row}");
                let votes = m.int(row, "yes") + m.int(row, "no") + m.int(row, "abstain");
                assert_eq!(votes, runs, "member row {row}: votes sum to the runs");
            }
            out.push(key);
        }
        out
    }
}

/// `params FILE` as (path, value, range) rows.
fn params(stem: &str) -> Vec<(String, String, String)> {
    let tmp = tempfile::tempdir().unwrap();
    let o = succeed(tmp.path(), &["params", &shipped(stem)]);
    util::stdout(&o)
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .map(|l| {
            let (path, rest) = l.split_once(' ').unwrap_or((l, ""));
            let rest = rest.trim_start();
            let (value, range) = rest.split_once(' ').unwrap_or((rest, ""));
            (
                path.to_string(),
                value.to_string(),
                range.trim().to_string(),
            )
        })
        .collect()
}

fn param_value(list: &[(String, String, String)], path: &str) -> f64 {
    let (_, v, _) = list
        .iter()
        .find(|(p, _, _)| p == path)
        .unwrap_or_else(|| panic!("`params` does not list `{path}`"));
    v.parse()
        .unwrap_or_else(|_| panic!("`{path}` = `{v}` is not a number"))
}

// ---------------------------------------------------------------------------
// params

#[test]
fn params_lists_paths_with_values_and_ranges() {
    let tmp = tempfile::tempdir().unwrap();
    let o = succeed(tmp.path(), &["params", &shipped("kazakhstan_2022")]);
    let text = util::stdout(&o);
    assert!(
        text.lines().next().unwrap().starts_with("path"),
        "a header line first:\n{text}"
    );
    let list = params("kazakhstan_2022");
    for (path, value, range) in [
        ("crisis.severity", "0.8", "[0, 1]"),
        ("members.KAZ.sovereignty", "0.6", "[0, 1]"),
        ("members.KAZ.weights.regime", "1", "[0, 100]"),
        ("options.limited_deployment.intrusion", "0.5", "[0, 1]"),
        ("noise", "0.1", "[0, 10]"),
        ("members.RUS.affinity.KAZ", "0.8", "[-1, 1]"),
    ] {
        let row = list.iter().find(|(p, _, _)| p == path);
        assert_eq!(
            row,
            Some(&(path.to_string(), value.to_string(), range.to_string())),
            "{path} in:\n{text}"
        );
    }
    for (path, value, range) in &list {
        assert!(!value.is_empty(), "`{path}` has no value:\n{text}");
        assert!(
            (range.starts_with('[') || range.starts_with('(')) && range.ends_with(']'),
            "`{path}` has no range:\n{text}"
        );
    }
    assert_nothing_written(&tmp.path().join("output"));
}

// ---------------------------------------------------------------------------
// Grid

/// The Kazakhstan case with more perception noise, so that outcomes vary
/// between runs and agreement with `run` is a strong check.
fn noisy_kazakhstan(dir: &Path) -> &'static str {
    let text = format!(
        "include = [{:?}]\n\n[montecarlo]\nnoise = 0.8\n",
        shipped("kazakhstan_2022")
    );
    std::fs::write(dir.join("kaz_noisy.toml"), text).unwrap();
    "kaz_noisy.toml"
}

#[test]
fn grid_sweep_of_two_parameters_and_two_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let base = noisy_kazakhstan(dir);
    let paths = ["members.KAZ.gdp", "members.RUS.affinity.KAZ"];
    let rules = ["consensus", "qualified_majority:0.67"];
    succeed(
        dir,
        &[
            "sweep",
            "-q",
            base,
            "--vary",
            "members.KAZ.gdp=10,100,197",
            "--vary",
            "members.RUS.affinity.KAZ=0:0.8:3",
            "--rules",
            "unanimity,qualified_majority:0.67",
            "--runs",
            "1000",
            "--out",
            "out",
        ],
    );
    let sd = sweep_dir(dir, "out", "kaz_noisy");
    assert_eq!(
        names(&sd),
        [
            "manifest.json",
            "report.html",
            "sweep_1.svg",
            "sweep_members.csv",
            "sweep_outcomes.csv"
        ],
        "two rules over a two-parameter grid: one chart, a heat map per rule"
    );
    let heat = crate::markup::read_svg(&sd.join("sweep_1.svg"));
    assert!(heat.contains("qualified_majority:0.67"), "{heat}");
    let report = crate::markup::read_html(&sd.join("report.html"));
    assert!(report.contains("<svg"));
    let sweep = Sweep::read(&sd);
    let points = sweep.points(&paths, 18, &KAZ_MEMBERS, 1000);

    // Rules vary fastest, then the last dimension, then the first.
    let gdp = ["10", "100", "197"];
    let affinity = ["0", "0.4", "0.8"];
    for (p, (values, rule)) in points.iter().enumerate() {
        let design = p / 2;
        let expected = vec![
            gdp[design / 3].to_string(),
            affinity[design % 3].to_string(),
        ];
        assert_eq!(values, &expected, "point {p}");
        assert_eq!(rule, rules[p % 2], "point {p}");
    }

    // The parameters take effect: the two corners differ.
    let counts = |p: usize| -> Vec<u64> {
        (0..OPTIONS.len())
            .map(|l| sweep.outcomes.int(p * OPTIONS.len() + l, "count"))
            .collect()
    };
    assert_ne!(counts(0), counts(16), "gdp and affinity change nothing");

    // Points 8 and 9 (gdp 100, affinity 0.4) equal a plain `run` of the
    // scenario set that way: same seed, same random numbers.
    let point_file = format!(
        "include = [\"{base}\"]\n\n[members.KAZ]\ngdp = 100\n\n[members.RUS.affinity]\nKAZ = 0.4\n"
    );
    std::fs::write(dir.join("point.toml"), point_file).unwrap();
    for p in [8, 9] {
        let rule = rules[p % 2];
        let out = format!("single{p}");
        succeed(
            dir,
            &[
                "run",
                "-q",
                "point.toml",
                "--runs",
                "1000",
                "--rule",
                rule,
                "--out",
                &out,
            ],
        );
        let single = Table::read(&dir.join(&out).join("point/outcomes.csv"));
        assert_eq!(single.rows.len(), OPTIONS.len());
        for l in 0..OPTIONS.len() {
            let row = p * OPTIONS.len() + l;
            for col in [
                "rule",
                "option",
                "level",
                "runs",
                "count",
                "probability",
                "ci_low",
                "ci_high",
            ] {
                assert_eq!(
                    sweep.outcomes.text(row, col),
                    single.text(l, col),
                    "point {p}, level {l}, {col}: sweep and run disagree"
                );
            }
        }
        let single = Table::read(&dir.join(&out).join("point/members.csv"));
        assert_eq!(single.rows.len(), KAZ_MEMBERS.len());
        for k in 0..KAZ_MEMBERS.len() {
            let row = p * KAZ_MEMBERS.len() + k;
            for col in [
                "rule",
                "member",
                "runs",
                "yes",
                "no",
                "abstain",
                "sole_blocker",
                "p_yes",
                "p_no",
                "p_abstain",
                "p_sole_blocker",
            ] {
                assert_eq!(
                    sweep.members.text(row, col),
                    single.text(k, col),
                    "point {p}, member {k}, {col}: sweep and run disagree"
                );
            }
        }
    }

    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sd.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["points"], 18);
    assert_eq!(manifest["runs"], 1000);
    assert_eq!(manifest["design"], "grid");
}

// ---------------------------------------------------------------------------
// Latin hypercube

/// The values of each point of an LHS sweep (one rule), per dimension.
fn lhs_values(dir: &Path, out: &str, seed: Option<&str>) -> Vec<Vec<f64>> {
    let kaz = shipped("kazakhstan_2022");
    let mut args = vec![
        "sweep",
        "-q",
        kaz.as_str(),
        "--design",
        "lhs",
        "--samples",
        "200",
        "--vary",
        "crisis.severity=0:1",
        "--vary",
        "members.*.dependence=0.2:0.9",
        "--runs",
        "200",
        "--out",
        out,
    ];
    if let Some(s) = seed {
        args.extend(["--seed", s]);
    }
    succeed(dir, &args);
    let paths = ["crisis.severity", "members.*.dependence"];
    let sweep = Sweep::read(&sweep_dir(dir, out, "kazakhstan_2022"));
    let points = sweep.points(&paths, 200, &KAZ_MEMBERS, 200);
    (0..paths.len())
        .map(|j| {
            points
                .iter()
                .map(|(values, rule)| {
                    assert_eq!(rule, "consensus", "the scenario's rule");
                    values[j].parse::<f64>().unwrap()
                })
                .collect()
        })
        .collect()
}

#[test]
fn latin_hypercube_puts_one_point_in_each_stratum() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let values = lhs_values(dir, "a", None);
    let n = 200;
    for (j, (lo, hi)) in [(0.0, 1.0), (0.2, 0.9)].into_iter().enumerate() {
        let mut strata: Vec<usize> = values[j]
            .iter()
            .map(|&x| {
                assert!(
                    (lo..=hi).contains(&x),
                    "dimension {j}: {x} outside {lo}:{hi}"
                );
                (((x - lo) / (hi - lo)) * n as f64)
                    .floor()
                    .min(n as f64 - 1.0) as usize
            })
            .collect();
        strata.sort_unstable();
        assert_eq!(
            strata,
            (0..n).collect::<Vec<_>>(),
            "dimension {j}: one value per stratum"
        );
    }

    lhs_values(dir, "b", None);
    assert_same_csv(
        &sweep_dir(dir, "a", "kazakhstan_2022"),
        &sweep_dir(dir, "b", "kazakhstan_2022"),
        "the same LHS sweep twice",
    );

    let other = lhs_values(dir, "c", Some("2023"));
    assert_ne!(other[0], values[0], "another seed, other points");
    assert_ne!(other[1], values[1], "another seed, other points");
}

// ---------------------------------------------------------------------------
// One at a time

#[test]
fn one_at_a_time_starts_from_the_scenario_and_changes_one_value_per_point() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let kaz = shipped("kazakhstan_2022");
    succeed(
        dir,
        &[
            "sweep",
            "-q",
            &kaz,
            "--design",
            "oat",
            "--vary",
            "crisis.severity=0.2,0.5",
            "--vary",
            "noise=0.3",
            "--vary",
            "members.KAZ.sovereignty=0.1,0.9",
            "--rules",
            "unanimity,majority",
            "--runs",
            "300",
            "--out",
            "out",
        ],
    );
    let paths = ["crisis.severity", "noise", "members.KAZ.sovereignty"];
    let sweep = Sweep::read(&sweep_dir(dir, "out", "kazakhstan_2022"));
    // 1 + 2 + 1 + 2 design points, times two rules.
    let points = sweep.points(&paths, 12, &KAZ_MEMBERS, 300);

    let list = params("kazakhstan_2022");
    let base: Vec<f64> = paths.iter().map(|p| param_value(&list, p)).collect();
    let mut expected = vec![base.clone()];
    for (j, values) in [vec![0.2, 0.5], vec![0.3], vec![0.1, 0.9]]
        .into_iter()
        .enumerate()
    {
        for v in values {
            let mut p = base.clone();
            p[j] = v;
            expected.push(p);
        }
    }
    for (p, (values, rule)) in points.iter().enumerate() {
        let got: Vec<f64> = values.iter().map(|v| v.parse().unwrap()).collect();
        assert_eq!(got, expected[p / 2], "point {p}");
        assert_eq!(rule, ["consensus", "majority"][p % 2], "point {p}");
    }

    // Point 0 is the scenario unchanged: it equals a plain run.
    succeed(
        dir,
        &[
            "run",
            "-q",
            &kaz,
            "--runs",
            "300",
            "--rule",
            "unanimity",
            "--out",
            "single",
        ],
    );
    let single = Table::read(&dir.join("single/kazakhstan_2022/outcomes.csv"));
    for l in 0..OPTIONS.len() {
        assert_eq!(
            sweep.outcomes.text(l, "count"),
            single.text(l, "count"),
            "point 0, level {l}"
        );
    }
}

// ---------------------------------------------------------------------------
// Sweep files and threads

const SWEEP_FILE: &str = r#"# Severity and noise under two rules.
[sweep]
design = "grid"
rules = ["unanimity", "majority"]
runs = 500

[vary]
"crisis.severity" = [0.2, 0.8]
"noise" = "0:0.2:3"
"#;

#[test]
fn a_sweep_file_equals_the_same_flags() {
    let tmp = util::temp_with(&[
        ("sweep.toml", SWEEP_FILE),
        (
            "reversed.toml",
            "[vary]\nnoise = \"0:0.2:3\"\n\"crisis.severity\" = [0.2, 0.8]\n",
        ),
        (
            "typo.toml",
            "[sweep]\ndesign = \"grid\"\nrun = 500\n\n[vary]\nnoise = [0.1, 0.2]\n",
        ),
    ]);
    let dir = tmp.path();
    let kaz = shipped("kazakhstan_2022");
    succeed(
        dir,
        &[
            "sweep",
            "-q",
            &kaz,
            "--sweep-file",
            "sweep.toml",
            "--out",
            "file",
        ],
    );
    succeed(
        dir,
        &[
            "sweep",
            "-q",
            &kaz,
            "--vary",
            "crisis.severity=0.2,0.8",
            "--vary",
            "noise=0:0.2:3",
            "--rules",
            "unanimity,majority",
            "--runs",
            "500",
            "--out",
            "flags",
        ],
    );
    let from_file = sweep_dir(dir, "file", "kazakhstan_2022");
    let from_flags = sweep_dir(dir, "flags", "kazakhstan_2022");
    assert_same_csv(&from_file, &from_flags, "sweep file and flags");
    let sweep = Sweep::read(&from_file);
    let points = sweep.points(&["crisis.severity", "noise"], 12, &KAZ_MEMBERS, 500);
    assert_eq!(points[11].0, ["0.8", "0.2"]);

    // Columns follow the order of the [vary] table.
    succeed(
        dir,
        &[
            "sweep",
            "-q",
            &kaz,
            "--sweep-file",
            "reversed.toml",
            "--runs",
            "100",
            "--out",
            "reversed",
        ],
    );
    let sweep = Sweep::read(&sweep_dir(dir, "reversed", "kazakhstan_2022"));
    let points = sweep.points(&["noise", "crisis.severity"], 6, &KAZ_MEMBERS, 100);
    assert_eq!(points[1].0, ["0", "0.8"]);

    let err = fail(
        dir,
        &[
            "sweep",
            "-q",
            &kaz,
            "--sweep-file",
            "typo.toml",
            "--out",
            "typo",
        ],
    );
    says(&err, &["typo.toml", "run"]);
    assert_nothing_written(&dir.join("typo"));
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let kgz = shipped("kyrgyzstan_2010");
    for threads in ["1", "2"] {
        succeed(
            dir,
            &[
                "sweep",
                "-q",
                &kgz,
                "--vary",
                "crisis.severity=0:1:6",
                "--vary",
                "members.UZB.sovereignty=0.2,0.9",
                "--rules",
                "unanimity,majority",
                "--runs",
                "2000",
                "--threads",
                threads,
                "--out",
                &format!("t{threads}"),
            ],
        );
    }
    let one = sweep_dir(dir, "t1", "kyrgyzstan_2010");
    assert_same_csv(
        &one,
        &sweep_dir(dir, "t2", "kyrgyzstan_2010"),
        "1 and 2 threads",
    );
    Sweep::read(&one).points(
        &["crisis.severity", "members.UZB.sovereignty"],
        24,
        &KGZ_MEMBERS,
        2000,
    );
}

// ---------------------------------------------------------------------------
// Interruption and --resume

/// Seconds the long sweep should take, uninterrupted.
const LONG_SECS: f64 = 3.8;
/// Points of the long sweep.
const LONG_POINTS: usize = 1000;

/// The long sweep, calibrated, and the CSV bytes of an uninterrupted run.
struct LongSweep {
    runs: u64,
    outcomes: Vec<u8>,
    members: Vec<u8>,
}

/// Arguments of the long sweep (Kyrgyzstan 2010, 40 x 25 points).
fn long_args(runs: u64, out: &str) -> Vec<String> {
    owned(&[
        "sweep",
        "-q",
        &shipped("kyrgyzstan_2010"),
        "--vary",
        "crisis.severity=0:1:40",
        "--vary",
        "members.UZB.sovereignty=0:1:25",
        "--runs",
        &runs.to_string(),
        "--out",
        out,
    ])
}

/// Runs per second of the binary under test, from short sweeps made longer
/// until start-up time no longer dominates.
fn measured_rate(dir: &Path) -> f64 {
    let mut probe_runs: u64 = 250;
    loop {
        let started = Instant::now();
        succeed(
            dir,
            &[
                "sweep",
                "-q",
                &shipped("kyrgyzstan_2010"),
                "--vary",
                "crisis.severity=0:1:40",
                "--runs",
                &probe_runs.to_string(),
                "--out",
                "probe",
            ],
        );
        let secs = started.elapsed().as_secs_f64();
        if secs >= 0.25 || probe_runs >= 1_000_000 {
            return 40.0 * probe_runs as f64 / secs;
        }
        probe_runs *= 4;
    }
}

/// Picks the runs per point so that the long sweep takes about `LONG_SECS`
/// (debug builds are tens of times slower than release ones), and runs it once
/// uninterrupted for reference. Shared by the tests that interrupt it.
fn long_sweep() -> &'static LongSweep {
    static LONG: OnceLock<LongSweep> = OnceLock::new();
    LONG.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let rate = measured_rate(tmp.path());
        let runs = ((rate * LONG_SECS / LONG_POINTS as f64) as u64).clamp(100, 1_000_000);
        let started = Instant::now();
        succeed(tmp.path(), &refs(&long_args(runs, "reference")));
        let secs = started.elapsed().as_secs_f64();
        eprintln!("long sweep: {runs} runs per point, {secs:.1} s uninterrupted");
        let (outcomes, members) = csv_bytes(&sweep_dir(tmp.path(), "reference", "kyrgyzstan_2010"));
        LongSweep {
            runs,
            outcomes,
            members,
        }
    })
}

/// Lines (newlines) in `path`, 0 if it does not exist.
fn lines_in(path: &Path) -> usize {
    std::fs::read(path).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
}

/// Waits until `path` holds at least `lines` lines; fails if the process
/// ends first (it ran too fast to be interrupted: never a silent skip).
fn wait_for_lines(child: &mut Child, path: &Path, lines: usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "the sweep ended ({status}) before {} had {lines} lines: it ran too fast to be \
                 interrupted, so this test cannot check interruption; give it more runs per point",
                path.display()
            );
        }
        if lines_in(path) >= lines {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} never reached {lines} lines",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits for the signalled child; fails clearly if it had already finished.
fn wait_interrupted(child: Child, signal: &str) -> Output {
    let out = child.wait_with_output().unwrap();
    let err = util::stderr(&out);
    assert!(!err.contains("panicked"), "panicked:\n{err}");
    assert!(
        !out.status.success(),
        "the sweep finished before SIG{signal} arrived, so this test cannot check \
         interruption; give it more runs per point"
    );
    out
}

/// Asserts that `got` is the start of `full`.
fn assert_prefix(got: &[u8], full: &[u8], what: &str) {
    assert!(
        got.len() <= full.len() && got == &full[..got.len()],
        "{what}: the saved rows are not the first rows of an uninterrupted sweep"
    );
}

/// After a graceful stop (SIGINT, SIGTERM): exit 130, only partial files,
/// holding whole points that agree with the uninterrupted sweep; stderr
/// names the points done and `--resume`.
fn assert_stopped_cleanly(out: &Output, sd: &Path, long: &LongSweep, signal: &str) {
    let err = util::stderr(out);
    assert_eq!(
        out.status.code(),
        Some(130),
        "SIG{signal} should exit with 130; stderr:\n{err}"
    );
    assert_eq!(
        names(&work(sd)),
        [
            "manifest.json.partial",
            "sweep_members.csv.partial",
            "sweep_outcomes.csv.partial"
        ],
        "only partial files after SIG{signal}"
    );
    assert!(!sd.exists(), "no results folder after SIG{signal}");
    says(&err, &["--resume"]);
    let o = std::fs::read(partial(sd, "sweep_outcomes.csv")).unwrap();
    let m = std::fs::read(partial(sd, "sweep_members.csv")).unwrap();
    assert_prefix(&o, &long.outcomes, "sweep_outcomes.csv.partial");
    assert_prefix(&m, &long.members, "sweep_members.csv.partial");
    let o_lines = o.iter().filter(|&&c| c == b'\n').count();
    let m_lines = m.iter().filter(|&&c| c == b'\n').count();
    assert!(o.ends_with(b"\n") && m.ends_with(b"\n"), "whole lines only");
    assert_eq!((o_lines - 1) % OPTIONS.len(), 0, "whole points only");
    assert_eq!((m_lines - 1) % KGZ_MEMBERS.len(), 0, "whole points only");
    let done = (o_lines - 1) / OPTIONS.len();
    assert_eq!(done, (m_lines - 1) / KGZ_MEMBERS.len(), "the files agree");
    assert!(done > 0 && done < LONG_POINTS, "{done} points done");
    says(
        &err,
        &[&format!("interrupted after {done} of {LONG_POINTS} points")],
    );
}

/// Resumes the long sweep in `dir` and checks it equals the reference.
fn resume_and_compare(dir: &Path, long: &LongSweep) {
    let mut args = long_args(long.runs, "out");
    args.push("--resume".into());
    succeed(dir, &refs(&args));
    let sd = sweep_dir(dir, "out", "kyrgyzstan_2010");
    assert_eq!(
        data_names(&sd),
        ["manifest.json", "sweep_members.csv", "sweep_outcomes.csv"],
        "final files, no partial ones, after --resume"
    );
    assert!(!work(&sd).exists(), "the work folder became the results");
    let (o, m) = csv_bytes(&sd);
    assert!(
        o == long.outcomes,
        "resumed sweep_outcomes.csv differs from an uninterrupted run"
    );
    assert!(
        m == long.members,
        "resumed sweep_members.csv differs from an uninterrupted run"
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_keeps_the_finished_points_and_resume_completes_them() {
    let long = long_sweep();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let sd = sweep_dir(dir, "out", "kyrgyzstan_2010");
    let mut child = util::spawn(dir, &long_args(long.runs, "out"));
    wait_for_lines(
        &mut child,
        &partial(&sd, "sweep_outcomes.csv"),
        1 + 3 * OPTIONS.len(),
    );
    util::signal(&child, "INT");
    let out = wait_interrupted(child, "INT");
    assert_stopped_cleanly(&out, &sd, long, "INT");
    resume_and_compare(dir, long);
}

#[cfg(unix)]
#[test]
fn sigterm_stops_like_ctrl_c() {
    let long = long_sweep();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let sd = sweep_dir(dir, "out", "kyrgyzstan_2010");
    let mut child = util::spawn(dir, &long_args(long.runs, "out"));
    wait_for_lines(
        &mut child,
        &partial(&sd, "sweep_outcomes.csv"),
        1 + 3 * OPTIONS.len(),
    );
    util::signal(&child, "TERM");
    let out = wait_interrupted(child, "TERM");
    assert_stopped_cleanly(&out, &sd, long, "TERM");
}

#[cfg(unix)]
#[test]
fn resume_after_sigkill_cuts_the_half_written_point() {
    use std::os::unix::process::ExitStatusExt;

    let long = long_sweep();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let sd = sweep_dir(dir, "out", "kyrgyzstan_2010");
    let mut child = util::spawn(dir, &long_args(long.runs, "out"));
    wait_for_lines(
        &mut child,
        &partial(&sd, "sweep_outcomes.csv"),
        1 + 3 * OPTIONS.len(),
    );
    child.kill().unwrap();
    let out = wait_interrupted(child, "KILL");
    assert_eq!(out.status.signal(), Some(9), "killed");
    assert_eq!(
        names(&work(&sd)),
        [
            "manifest.json.partial",
            "sweep_members.csv.partial",
            "sweep_outcomes.csv.partial"
        ]
    );
    let o = std::fs::read(partial(&sd, "sweep_outcomes.csv")).unwrap();
    let m = std::fs::read(partial(&sd, "sweep_members.csv")).unwrap();
    assert_prefix(&o, &long.outcomes, "sweep_outcomes.csv.partial");
    assert_prefix(&m, &long.members, "sweep_members.csv.partial");
    resume_and_compare(dir, long);
}

#[cfg(unix)]
#[test]
fn a_sweep_killed_before_its_first_point_was_saved_resumes_from_the_start() {
    // Two points of many runs each: killed while the first is running, the
    // partial files hold no complete point; --resume must start from point 0.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let rate = measured_rate(dir);
    let runs = ((rate * 0.6) as u64).clamp(1000, 10_000_000).to_string();
    let args = |out: &str| {
        owned(&[
            "sweep",
            "-q",
            &shipped("kazakhstan_2022"),
            "--vary",
            "noise=0.5,1",
            "--runs",
            &runs,
            "--out",
            out,
        ])
    };
    succeed(dir, &refs(&args("reference")));
    let sd = sweep_dir(dir, "out", "kazakhstan_2022");
    let mut child = util::spawn(dir, &args("out"));
    wait_for_lines(&mut child, &partial(&sd, "manifest.json"), 1);
    child.kill().unwrap();
    wait_interrupted(child, "KILL");
    let mut resume = args("out");
    resume.push("--resume".into());
    succeed(dir, &refs(&resume));
    assert_eq!(
        data_names(&sd),
        ["manifest.json", "sweep_members.csv", "sweep_outcomes.csv"]
    );
    assert_same_csv(
        &sd,
        &sweep_dir(dir, "reference", "kazakhstan_2022"),
        "resumed after an early kill",
    );
}

#[test]
fn resume_without_an_interrupted_sweep_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let kaz = shipped("kazakhstan_2022");
    let args = [
        "sweep",
        "-q",
        kaz.as_str(),
        "--vary",
        "noise=0.1,0.2",
        "--runs",
        "100",
        "--out",
        "out",
    ];
    let mut resume = args.to_vec();
    resume.push("--resume");
    let err = fail(dir, &resume);
    says(&err, &["nothing to resume", "without --resume"]);

    // Nor after a sweep that finished: its results stay as they are.
    succeed(dir, &args);
    let sd = sweep_dir(dir, "out", "kazakhstan_2022");
    let before = csv_bytes(&sd);
    let err = fail(dir, &resume);
    says(&err, &["nothing to resume"]);
    assert!(csv_bytes(&sd) == before, "a refused resume changed results");
    assert_eq!(
        data_names(&sd),
        ["manifest.json", "sweep_members.csv", "sweep_outcomes.csv"]
    );
}

#[cfg(unix)]
#[test]
fn resume_with_other_options_is_refused_and_keeps_the_partial_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let sd = sweep_dir(dir, "out", "kyrgyzstan_2010");
    // Killed as soon as it has started: an interrupted sweep to resume.
    let mut child = util::spawn(dir, &long_args(100_000, "out"));
    wait_for_lines(&mut child, &partial(&sd, "manifest.json"), 1);
    child.kill().unwrap();
    wait_interrupted(child, "KILL");
    let snapshot = |sd: &Path| -> Vec<(String, Vec<u8>)> {
        names(sd)
            .into_iter()
            .map(|n| {
                let b = std::fs::read(sd.join(&n)).unwrap();
                (n, b)
            })
            .collect()
    };
    let before = snapshot(&work(&sd));

    let mut other_runs = long_args(99_999, "out");
    other_runs.push("--resume".into());
    let err = fail(dir, &refs(&other_runs));
    says(&err, &["runs", "without --resume"]);

    let mut other_seed = long_args(100_000, "out");
    other_seed.extend(owned(&["--seed", "1", "--resume"]));
    let err = fail(dir, &refs(&other_seed));
    says(&err, &["seed"]);

    let mut other_values = long_args(100_000, "out");
    for a in other_values.iter_mut() {
        if a == "crisis.severity=0:1:40" {
            *a = "crisis.severity=0:1:41".into();
        }
    }
    other_values.push("--resume".into());
    let err = fail(dir, &refs(&other_values));
    says(&err, &["dimensions"]);

    assert!(
        snapshot(&work(&sd)) == before,
        "a refused resume changed the interrupted sweep's files"
    );
}

// ---------------------------------------------------------------------------
// Bad input

#[test]
fn bad_sweeps_are_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let kaz = shipped("kazakhstan_2022");
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["--vary", "crisis.severty=0,1"],
            &["severty", "did you mean `severity`"],
        ),
        (
            &["--vary", "members.KAX.sovereignty=0,1"],
            &["KAX", "did you mean `KAZ`"],
        ),
        (
            &["--vary", "crisis.severity=0,1.5"],
            &["1.5", "[0, 1]", "crisis.severity"],
        ),
        (
            &["--vary", "crisis.severity=0:1:x"],
            &["crisis.severity", "0:1:x"],
        ),
        (
            &["--vary", "crisis.severity"],
            &["crisis.severity", "PATH=VALUES"],
        ),
        (
            &["--design", "lhs", "--vary", "crisis.severity=0:1"],
            &["--samples"],
        ),
        (
            &["--vary", "crisis.severity=0:1"],
            &["crisis.severity", "0:1", "range"],
        ),
        (
            &[
                "--design",
                "lhs",
                "--samples",
                "10",
                "--vary",
                "noise=0.1,0.2",
            ],
            &["noise", "lo:hi"],
        ),
        (&["--samples", "10", "--vary", "noise=0,1"], &["--samples"]),
        (&[], &["nothing to sweep"]),
        (&["--rules", "majority"], &["nothing to sweep"]),
        (
            &["--vary", "noise=0,1", "--rules", "unanimity,majorty"],
            &["majorty", "did you mean `majority`"],
        ),
        (
            &["--vary", "noise=0.1", "--vary", "noise=0.2"],
            &["noise", "twice"],
        ),
        (
            &[
                "--vary",
                "crisis.severity=0:1:1000",
                "--vary",
                "crisis.framing=0:1:1000",
                "--vary",
                "noise=0:1:1000",
            ],
            &["at most"],
        ),
    ];
    for (extra, fragments) in cases {
        let mut args = vec!["sweep", "-q", kaz.as_str(), "--out", "out"];
        args.extend_from_slice(extra);
        let err = fail(dir, &args);
        says(&err, fragments);
        assert_nothing_written(&dir.join("out"));
    }
}

#[test]
fn a_one_parameter_sweep_draws_lines_and_no_report_draws_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let kgz = util::scenario("kyrgyzstan_2010");
    let kgz = kgz.to_str().unwrap();
    let base = [
        "sweep",
        kgz,
        "--vary",
        "crisis.framing=0:1:3",
        "--runs",
        "200",
        "--out",
        "out",
        "-q",
    ];
    succeed(tmp.path(), &base);
    let sd = tmp.path().join("out/kyrgyzstan_2010-sweep");
    let lines = crate::markup::read_svg(&sd.join("sweep_1.svg"));
    crate::markup::read_html(&sd.join("report.html"));
    assert!(
        lines.contains("<polyline") || lines.contains("<path"),
        "a line chart: {lines}"
    );
    assert!(lines.contains("monitoring") && lines.contains("crisis.framing"));
    let mut quiet: Vec<&str> = base.to_vec();
    quiet.extend(["--no-report", "--replace"]);
    succeed(tmp.path(), &quiet);
    assert_eq!(
        names(&sd),
        ["manifest.json", "sweep_members.csv", "sweep_outcomes.csv"]
    );
}
