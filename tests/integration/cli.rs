//! The command line end to end: the files `run` writes and how they agree with
//! each other, the manifest, reproducibility across thread counts, the three
//! historical CSTO cases, `--rule`, `check`, and the messages for bad input.
//!
//! Every command runs in a temporary folder with `--out` inside it. Broken
//! scenarios are written into a [`Sandbox`] holding copies of the shipped ones.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tempfile::TempDir;

use crate::util;

/// The shipped case files relied on below.
const KAZ: &str = "kazakhstan_2022.toml";
const KGZ: &str = "kyrgyzstan_2010.toml";

/// The CSTO options, by level.
const OPTIONS: [&str; 5] = [
    "no_action",
    "statement",
    "monitoring",
    "limited_deployment",
    "full_intervention",
];

/// A shipped historical case: its members and what happened.
struct Case {
    stem: &'static str,
    members: &'static [&'static str],
    /// Level of the option requested (limited_deployment in all three).
    requested: usize,
    /// What the alliance did, per the case's `[expected]` section.
    expected: &'static str,
}

const CASES: [Case; 3] = [
    Case {
        stem: "kazakhstan_2022",
        members: &["RUS", "KAZ", "BLR", "ARM", "KGZ", "TJK"],
        requested: 3,
        expected: "limited_deployment",
    },
    Case {
        stem: "armenia_2020",
        members: &["RUS", "KAZ", "BLR", "ARM", "KGZ", "TJK"],
        requested: 3,
        expected: "no_action",
    },
    Case {
        stem: "kyrgyzstan_2010",
        members: &["RUS", "KAZ", "BLR", "ARM", "KGZ", "TJK", "UZB"],
        requested: 3,
        expected: "monitoring",
    },
];

// ---------------------------------------------------------------------------
// Running the binary

use util::{fail, shipped, succeed};

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

/// Runs a shipped scenario into a new temp folder with extra arguments;
/// returns the folder and the results read back.
fn run_shipped(stem: &str, extra: &[&str]) -> (TempDir, Results) {
    let tmp = tempfile::tempdir().unwrap();
    let file = shipped(stem);
    let mut args = vec!["run", "-q", file.as_str(), "--out", "out"];
    args.extend_from_slice(extra);
    succeed(tmp.path(), &args);
    let results = Results::read(&tmp.path().join("out").join(stem));
    (tmp, results)
}

// ---------------------------------------------------------------------------
// Reading results

#[derive(Debug, Deserialize)]
struct Outcome {
    scenario: String,
    rule: String,
    option: String,
    level: usize,
    runs: u64,
    count: u64,
    probability: f64,
    ci_low: f64,
    ci_high: f64,
}

#[derive(Debug, Deserialize)]
struct MemberVotes {
    scenario: String,
    rule: String,
    member: String,
    runs: u64,
    yes: u64,
    no: u64,
    abstain: u64,
    sole_blocker: u64,
    p_yes: f64,
    p_no: f64,
    p_abstain: f64,
    p_sole_blocker: f64,
}

#[derive(Debug, Deserialize)]
struct RunRow {
    run: u64,
    level: usize,
    option: String,
    rounds: usize,
    blockers: String,
}

/// One scenario's result folder, parsed.
struct Results {
    dir: PathBuf,
    outcomes: Vec<Outcome>,
    members: Vec<MemberVotes>,
    runs: Option<Vec<RunRow>>,
}

fn read_rows<T: for<'de> Deserialize<'de>>(path: &Path) -> Vec<T> {
    csv::Reader::from_path(path)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()))
        .deserialize()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()))
}

/// The first line of a file.
fn header(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines().next().unwrap_or("").to_string()
}

impl Results {
    fn read(dir: &Path) -> Results {
        let runs_path = dir.join("runs.csv");
        Results {
            dir: dir.to_path_buf(),
            outcomes: read_rows(&dir.join("outcomes.csv")),
            members: read_rows(&dir.join("members.csv")),
            runs: runs_path.exists().then(|| read_rows(&runs_path)),
        }
    }

    fn bytes(&self, file: &str) -> Vec<u8> {
        std::fs::read(self.dir.join(file)).unwrap()
    }

    fn manifest(&self) -> serde_json::Value {
        serde_json::from_slice(&self.bytes("manifest.json")).expect("manifest.json is JSON")
    }

    /// Runs of the scenario, as written in outcomes.csv.
    fn total_runs(&self) -> u64 {
        self.outcomes[0].runs
    }

    /// The row with the largest count.
    fn modal(&self) -> &Outcome {
        self.outcomes.iter().max_by_key(|o| o.count).unwrap()
    }
}

/// Asserts a six-decimal share is `count / runs`.
fn assert_share(p: f64, count: u64, runs: u64, what: &str) {
    let exact = count as f64 / runs as f64;
    assert!(
        (p - exact).abs() <= 5e-7 + 1e-12,
        "{what}: {p} is not {count}/{runs}"
    );
}

/// Checks outcomes.csv, members.csv and runs.csv against each other.
fn assert_consistent(r: &Results, case: &Case, rule: &str) {
    let runs = r.total_runs();

    // outcomes.csv: one row per option, in order, shares adding up.
    let options: Vec<&str> = r.outcomes.iter().map(|o| o.option.as_str()).collect();
    assert_eq!(options, OPTIONS, "{}: options", case.stem);
    for (level, o) in r.outcomes.iter().enumerate() {
        assert_eq!(o.level, level);
        assert_eq!((o.scenario.as_str(), o.rule.as_str()), (case.stem, rule));
        assert_eq!(o.runs, runs);
        assert_share(o.probability, o.count, runs, &o.option);
        assert!(
            0.0 <= o.ci_low && o.ci_low <= o.probability && o.probability <= o.ci_high,
            "{}: {o:?} lies outside its interval",
            case.stem
        );
        assert!(o.ci_high <= 1.0);
    }
    assert_eq!(r.outcomes.iter().map(|o| o.count).sum::<u64>(), runs);
    let total: f64 = r.outcomes.iter().map(|o| o.probability).sum();
    assert!(
        (total - 1.0).abs() <= 5e-7 * OPTIONS.len() as f64,
        "sum {total}"
    );

    // members.csv: one row per member, votes on the request adding up.
    let members: Vec<&str> = r.members.iter().map(|m| m.member.as_str()).collect();
    assert_eq!(members, case.members, "{}: members", case.stem);
    for m in &r.members {
        assert_eq!((m.scenario.as_str(), m.rule.as_str()), (case.stem, rule));
        assert_eq!(m.runs, runs);
        assert_eq!(m.yes + m.no + m.abstain, runs, "{m:?}");
        assert!(m.sole_blocker <= m.no + m.abstain, "{m:?}");
        assert_share(m.p_yes, m.yes, runs, "p_yes");
        assert_share(m.p_no, m.no, runs, "p_no");
        assert_share(m.p_abstain, m.abstain, runs, "p_abstain");
        assert_share(m.p_sole_blocker, m.sole_blocker, runs, "p_sole_blocker");
    }

    // runs.csv: one row per run, in order, adding up to outcomes.csv.
    let rows = r.runs.as_ref().expect("runs.csv");
    assert_eq!(rows.len() as u64, runs, "{}: runs.csv rows", case.stem);
    let mut counts = [0u64; OPTIONS.len()];
    let mut blocked: HashMap<&str, u64> = HashMap::new();
    let mut alone: HashMap<&str, u64> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.run, i as u64, "runs.csv out of order");
        assert_eq!(row.option, OPTIONS[row.level], "{row:?}");
        counts[row.level] += 1;
        // The chair proposes the request, then each milder option in turn.
        let rounds = if row.level == 0 {
            case.requested
        } else {
            case.requested + 1 - row.level
        };
        assert_eq!(row.rounds, rounds, "{row:?}");
        let ids: Vec<&str> = row.blockers.split(';').filter(|s| !s.is_empty()).collect();
        assert_eq!(
            ids.join(";"),
            row.blockers,
            "blockers joined by `;`: {row:?}"
        );
        let positions: Vec<usize> = ids
            .iter()
            .map(|id| {
                case.members
                    .iter()
                    .position(|m| m == id)
                    .unwrap_or_else(|| panic!("{row:?}: blocker `{id}` is not a member"))
            })
            .collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "blockers repeated or out of member order: {row:?}"
        );
        if row.level == case.requested {
            assert!(ids.is_empty(), "the request passed, yet {row:?}");
        }
        for id in &ids {
            *blocked.entry(id).or_default() += 1;
        }
        if let [id] = ids[..] {
            *alone.entry(id).or_default() += 1;
        }
    }
    let outcome_counts: Vec<u64> = r.outcomes.iter().map(|o| o.count).collect();
    assert_eq!(counts.to_vec(), outcome_counts, "runs.csv vs outcomes.csv");
    for m in &r.members {
        let id = m.member.as_str();
        assert_eq!(alone.get(id).copied().unwrap_or(0), m.sole_blocker, "{id}");
        if rule == "consensus" {
            // Under consensus every "no" on the request blocks it.
            assert_eq!(blocked.get(id).copied().unwrap_or(0), m.no, "{id}");
        }
    }
}

// ---------------------------------------------------------------------------
// Output files

#[test]
fn run_writes_outcomes_members_and_manifest_into_a_folder_per_file() {
    let (tmp, r) = run_shipped("kazakhstan_2022", &[]);
    let mut names: Vec<String> = std::fs::read_dir(&r.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "manifest.json",
            "members.csv",
            "outcomes.csv",
            "outcomes.svg",
            "report.html"
        ]
    );
    assert_eq!(crate::markup::check_folder(&r.dir), 2);
    assert_eq!(
        std::fs::read_dir(tmp.path().join("out")).unwrap().count(),
        1,
        "one folder per scenario file"
    );
    assert_eq!(
        header(&r.dir.join("outcomes.csv")),
        "scenario,rule,option,level,runs,count,probability,ci_low,ci_high"
    );
    assert_eq!(
        header(&r.dir.join("members.csv")),
        "scenario,rule,member,runs,yes,no,abstain,sole_blocker,p_yes,p_no,p_abstain,p_sole_blocker"
    );
}

#[test]
fn per_run_adds_runs_csv() {
    let (_tmp, r) = run_shipped("kazakhstan_2022", &["--runs", "500", "--per-run"]);
    assert_eq!(
        header(&r.dir.join("runs.csv")),
        "run,level,option,rounds,blockers"
    );
    assert_eq!(r.runs.unwrap().len(), 500);
}

#[test]
fn a_run_never_leaves_an_outdated_runs_csv_beside_new_results() {
    let tmp = tempfile::tempdir().unwrap();
    let kaz = shipped("kazakhstan_2022");
    let first = tmp.path().join("out/kazakhstan_2022");
    succeed(
        tmp.path(),
        &["run", &kaz, "--out", "out", "--runs", "300", "--per-run"],
    );
    assert!(first.join("runs.csv").exists());
    // Other results: kept whole, the new ones beside them.
    let o = succeed(tmp.path(), &["run", &kaz, "--out", "out", "--runs", "400"]);
    util::says(
        &util::stderr(&o),
        &[
            "kazakhstan_2022` holds other results and was kept",
            "--replace",
        ],
    );
    assert!(util::stdout(&o).contains("kazakhstan_2022-2/"));
    assert!(first.join("runs.csv").exists());
    assert!(!tmp.path().join("out/kazakhstan_2022-2/runs.csv").exists());
    // Asked to replace: the folder holds the new results only.
    succeed(
        tmp.path(),
        &["run", &kaz, "--out", "out", "--runs", "400", "--replace"],
    );
    assert!(
        !first.join("runs.csv").exists(),
        "a runs.csv of 300 runs beside results of 400"
    );
    let outcomes = std::fs::read_to_string(first.join("outcomes.csv")).unwrap();
    assert!(
        outcomes.lines().nth(1).unwrap().contains(",400,"),
        "{outcomes}"
    );
}

#[test]
fn csv_files_agree_with_each_other() {
    for case in &CASES {
        for threads in ["1", "2"] {
            let (_tmp, r) = run_shipped(case.stem, &["--per-run", "--threads", threads]);
            assert_eq!(r.total_runs(), 20_000, "{}: the file's runs", case.stem);
            assert_consistent(&r, case, "consensus");
        }
    }
}

#[test]
fn several_files_each_get_their_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let (kaz, arm) = (shipped("kazakhstan_2022"), shipped("armenia_2020"));
    succeed(
        tmp.path(),
        &["run", "-q", &kaz, &arm, "--runs", "300", "--out", "out"],
    );
    for stem in ["kazakhstan_2022", "armenia_2020"] {
        let r = Results::read(&tmp.path().join("out").join(stem));
        assert_eq!(r.outcomes[0].scenario, stem);
        assert_eq!(r.total_runs(), 300);
    }
}

// ---------------------------------------------------------------------------
// Manifest

fn hex64(v: &serde_json::Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[test]
fn manifest_records_the_scenario_defaults() {
    let (_tmp, r) = run_shipped("kazakhstan_2022", &[]);
    let m = r.manifest();
    assert_eq!(m["tool"], "alliance-sim");
    assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        (&m["seed"], &m["runs"], &m["rule"]),
        (&2022.into(), &20_000.into(), &"consensus".into())
    );
    assert!(hex64(&m["scenario_sha256"]), "{}", m["scenario_sha256"]);
    let command: Vec<&str> = m["command"]
        .as_array()
        .expect("command is a list")
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(command.contains(&"run"), "{command:?}");
    assert!(command.iter().any(|a| a.ends_with(KAZ)), "{command:?}");
}

#[test]
fn manifest_reflects_overrides() {
    let args = ["--seed", "99", "--runs", "1234", "--rule", "majority"];
    let (_tmp, r) = run_shipped("kyrgyzstan_2010", &args);
    let m = r.manifest();
    assert_eq!(m["seed"], 99);
    assert_eq!(m["runs"], 1234);
    assert_eq!(m["rule"], "majority");
    assert!(hex64(&m["scenario_sha256"]));
    let command: Vec<&str> = m["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(command.ends_with(&args), "{command:?}");
    assert_eq!(r.total_runs(), 1234);
}

#[test]
fn manifest_hash_follows_included_files() {
    let sb = Sandbox::new();
    let hash = |sb: &Sandbox| {
        succeed(
            sb.path(),
            &["run", "-q", KAZ, "--runs", "10", "--out", "out"],
        );
        Results::read(&sb.out().join("kazakhstan_2022")).manifest()["scenario_sha256"].clone()
    };
    let before = hash(&sb);
    assert_eq!(before, hash(&sb), "same files, same hash");
    let roster = sb.path().join("csto/roster.toml");
    let mut text = std::fs::read_to_string(&roster).unwrap();
    text.push_str("# a comment\n");
    std::fs::write(&roster, text).unwrap();
    assert_ne!(before, hash(&sb), "an included file changed");
}

// ---------------------------------------------------------------------------
// Reproducibility

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let file = shipped("kyrgyzstan_2010");
    let results: Vec<Results> = ["1", "2", "4"]
        .iter()
        .map(|t| {
            let out = format!("out{t}");
            let args = [
                "run",
                "-q",
                &file,
                "--runs",
                "30000",
                "--seed",
                "7",
                "--per-run",
            ];
            succeed(
                tmp.path(),
                &[&args[..], &["--threads", t, "--out", &out]].concat(),
            );
            Results::read(&tmp.path().join(out).join("kyrgyzstan_2010"))
        })
        .collect();
    assert_eq!(results[0].runs.as_ref().unwrap().len(), 30_000);
    for file in ["outcomes.csv", "members.csv", "runs.csv"] {
        let one = results[0].bytes(file);
        for r in &results[1..] {
            assert!(one == r.bytes(file), "{file} differs: {}", r.dir.display());
        }
    }
}

#[test]
fn a_different_seed_gives_different_results() {
    let run = |seed: &str| {
        run_shipped(
            "kyrgyzstan_2010",
            &["--seed", seed, "--runs", "5000", "--per-run"],
        )
    };
    let ((_a, one), (_b, other), (_c, again)) = (run("7"), run("8"), run("7"));
    for file in ["outcomes.csv", "runs.csv"] {
        assert!(one.bytes(file) == again.bytes(file), "{file}: same seed");
        assert!(
            one.bytes(file) != other.bytes(file),
            "{file}: seeds 7 and 8"
        );
    }
}

// ---------------------------------------------------------------------------
// The historical cases

#[test]
fn historical_outcomes_are_the_most_likely() {
    for case in &CASES {
        for threads in ["1", "2"] {
            let (_tmp, r) = run_shipped(case.stem, &["--threads", threads]);
            let modal = r.modal();
            assert_eq!(r.total_runs(), 20_000);
            assert_eq!(
                modal.option, case.expected,
                "{} with {threads} thread(s): {:?}",
                case.stem, r.outcomes
            );
            assert!(
                modal.probability >= 0.5,
                "{}: {} only {}",
                case.stem,
                modal.option,
                modal.probability
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Command-line options

/// A rule given on the command line is the rule the runs use: it is named in
/// every file, and the counts change from those of the scenario's own rule
/// (unanimity) with the same seed. Strict unanimity, where an abstention
/// blocks, never adopts more in any run, so its counts of each level or
/// higher can only fall, and Armenia's abstentions on monitoring make them
/// fall by hundreds of runs.
#[test]
fn rule_override_appears_in_the_csv_files() {
    let (_tmp, own) = run_shipped("kyrgyzstan_2010", &["--runs", "2000"]);
    assert!(own.outcomes.iter().all(|o| o.rule == "consensus"));
    let at_least = |r: &Results, level: usize| -> u64 {
        r.outcomes
            .iter()
            .filter(|o| o.level >= level)
            .map(|o| o.count)
            .sum()
    };
    for rule in ["majority", "qualified_majority:0.67", "strict_unanimity"] {
        let (_tmp, r) = run_shipped("kyrgyzstan_2010", &["--rule", rule, "--runs", "2000"]);
        assert!(
            r.outcomes.iter().all(|o| o.rule == rule),
            "{:?}",
            r.outcomes
        );
        assert!(r.members.iter().all(|m| m.rule == rule), "{:?}", r.members);
        assert_eq!(r.manifest()["rule"], rule);
        let counts = |r: &Results| r.outcomes.iter().map(|o| o.count).collect::<Vec<_>>();
        assert_ne!(
            counts(&r),
            counts(&own),
            "{rule}: the same counts as unanimity"
        );
    }
    let (_tmp, strict) = run_shipped(
        "kyrgyzstan_2010",
        &["--rule", "unanimity:abstention_blocks", "--runs", "2000"],
    );
    for level in 1..own.outcomes.len() {
        assert!(
            at_least(&strict, level) <= at_least(&own, level),
            "level {level} or higher: {} under strict unanimity, {} under unanimity",
            at_least(&strict, level),
            at_least(&own, level)
        );
    }
    assert!(at_least(&strict, 2) + 500 < at_least(&own, 2));
}

#[test]
fn misspelt_rule_is_refused_with_a_suggestion() {
    let tmp = tempfile::tempdir().unwrap();
    let file = shipped("kazakhstan_2022");
    let err = fail(
        tmp.path(),
        &["run", &file, "--rule", "unanimty", "--out", "out"],
    );
    assert!(err.contains("did you mean `unanimity`"), "{err}");
    assert_nothing_written(&tmp.path().join("out"));
}

#[test]
fn zero_runs_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = shipped("kazakhstan_2022");
    let err = fail(tmp.path(), &["run", &file, "--runs", "0", "--out", "out"]);
    assert!(err.contains("--runs"), "{err}");
    assert_nothing_written(&tmp.path().join("out"));
}

// ---------------------------------------------------------------------------
// check

#[test]
fn check_passes_the_shipped_scenarios() {
    let tmp = tempfile::tempdir().unwrap();
    let files: Vec<String> = CASES.iter().map(|c| shipped(c.stem)).collect();
    let mut args = vec!["check"];
    args.extend(files.iter().map(String::as_str));
    let o = succeed(tmp.path(), &args);
    let out = util::stdout(&o);
    for case in &CASES {
        assert!(out.contains(&format!("{}.toml", case.stem)), "{out}");
    }
    assert_eq!(
        out.lines().filter(|l| l.starts_with("ok:")).count(),
        3,
        "{out}"
    );
}

#[test]
fn check_fails_if_any_file_is_bad() {
    let sb = Sandbox::new();
    sb.variant(KAZ, "bad.toml", &[("severity = ", "severity = 1.4")]);
    let err = fail(sb.path(), &["check", "bad.toml"]);
    assert!(err.contains("bad.toml"), "{err}");
    let err = fail(sb.path(), &["check", KAZ, "bad.toml"]);
    assert!(err.contains("bad.toml") && !err.contains(KAZ), "{err}");
}

// ---------------------------------------------------------------------------
// Bad input

/// A temp folder with copies of the shipped scenarios (and `csto/`), where
/// broken variants are written and the binary runs with `--out out`.
struct Sandbox {
    dir: TempDir,
}

/// What `run` and `check` printed on stderr for rejected input.
struct Rejection {
    run: String,
    check: String,
}

impl Rejection {
    /// Asserts both messages contain every fragment.
    fn says(&self, fragments: &[&str]) {
        for f in fragments {
            assert!(self.run.contains(f), "run: no {f:?} in:\n{}", self.run);
            assert!(
                self.check.contains(f),
                "check: no {f:?} in:\n{}",
                self.check
            );
        }
    }
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let from = util::root().join("scenarios");
        for sub in ["", "csto"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
            for e in std::fs::read_dir(from.join(sub)).unwrap() {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "toml") {
                    std::fs::copy(&p, dir.path().join(sub).join(p.file_name().unwrap())).unwrap();
                }
            }
        }
        Sandbox { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn out(&self) -> PathBuf {
        self.path().join("out")
    }

    fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.path().join(file)).unwrap()
    }

    fn write(&self, file: &str, text: &str) {
        std::fs::write(self.path().join(file), text).unwrap();
    }

    /// Writes `to`: a copy of `from` in which the one line starting with each
    /// `old` is replaced by `new` (which may span several lines).
    fn variant(&self, from: &str, to: &str, edits: &[(&str, &str)]) {
        let mut lines: Vec<String> = self.read(from).lines().map(String::from).collect();
        for (old, new) in edits {
            let hits: Vec<usize> = (0..lines.len())
                .filter(|&i| lines[i].starts_with(old))
                .collect();
            assert_eq!(hits.len(), 1, "`{old}` should start one line of {from}");
            lines[hits[0]] = new.to_string();
        }
        self.write(to, &(lines.join("\n") + "\n"));
    }

    /// Writes `to`: a copy of `from` with `text` appended.
    fn appended(&self, from: &str, to: &str, text: &str) {
        self.write(to, &(self.read(from) + text));
    }

    /// `file:line:` of the one line of `file` containing `needle`.
    fn at(&self, file: &str, needle: &str) -> String {
        let text = self.read(file);
        let hits: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains(needle))
            .map(|(i, _)| i + 1)
            .collect();
        assert_eq!(hits.len(), 1, "`{needle}` should be on one line of {file}");
        format!("{file}:{}:", hits[0])
    }

    /// Runs `run` and `check` on `files`: both must exit with 2, and `run`
    /// must leave the output folder empty.
    fn reject(&self, files: &[&str]) -> Rejection {
        let run = fail(
            self.path(),
            &[&["run", "-q"], files, &["--out", "out"]].concat(),
        );
        assert_nothing_written(&self.out());
        let check = fail(self.path(), &[&["check"], files].concat());
        Rejection { run, check }
    }
}

#[test]
fn the_sandbox_copies_are_good() {
    let sb = Sandbox::new();
    let o = succeed(sb.path(), &["check", KAZ, KGZ, "armenia_2020.toml"]);
    assert_eq!(util::stdout(&o).matches("ok:").count(), 3);
}

#[test]
fn unknown_key_is_named_with_a_suggestion() {
    let sb = Sandbox::new();
    sb.appended(KAZ, "typo.toml", "\n[members.KAZ]\nsovreignty = 0.5\n");
    let at = sb.at("typo.toml", "sovreignty");
    sb.reject(&["typo.toml"])
        .says(&[&at, "members.KAZ.sovreignty", "did you mean `sovereignty`"]);
}

#[test]
fn unknown_key_in_an_included_file_names_that_file() {
    let sb = Sandbox::new();
    sb.variant(
        "csto/roster.toml",
        "csto/typo.toml",
        &[("[members.KAZ]", "[members.KAZ]\nsovreignty = 0.5")],
    );
    sb.variant(
        KAZ,
        "case.toml",
        &[(
            "include = ",
            r#"include = ["csto/typo.toml", "csto/options.toml"]"#,
        )],
    );
    let at = sb.at("csto/typo.toml", "sovreignty");
    sb.reject(&["case.toml"])
        .says(&[&at, "members.KAZ.sovreignty", "did you mean `sovereignty`"]);
}

#[test]
fn unknown_requester_is_named_with_a_suggestion() {
    let sb = Sandbox::new();
    sb.variant(KAZ, "bad.toml", &[("requester = ", r#"requester = "KAX""#)]);
    let at = sb.at("bad.toml", "KAX");
    sb.reject(&["bad.toml"])
        .says(&[&at, "crisis.requester", "`KAX`", "did you mean `KAZ`"]);
}

#[test]
fn unknown_actor_in_an_affinity_table() {
    // Uzbekistan left in 2012: it is no actor in the 2022 case.
    let sb = Sandbox::new();
    sb.appended(KAZ, "bad.toml", "\n[members.KAZ.affinity]\nUZB = 0.4\n");
    let at = sb.at("bad.toml", "UZB = 0.4");
    sb.reject(&["bad.toml"]).says(&[
        &at,
        "members.KAZ.affinity.UZB",
        "unknown actor or group `UZB`",
    ]);
}

#[test]
fn value_out_of_range() {
    let sb = Sandbox::new();
    sb.variant(KAZ, "bad.toml", &[("severity = ", "severity = 1.4")]);
    let at = sb.at("bad.toml", "severity");
    sb.reject(&["bad.toml"])
        .says(&[&at, "crisis.severity", "[0, 1]", "1.4"]);
}

#[test]
fn value_of_the_wrong_type() {
    let sb = Sandbox::new();
    sb.variant(KAZ, "bad.toml", &[("severity = ", r#"severity = "high""#)]);
    let at = sb.at("bad.toml", "severity");
    sb.reject(&["bad.toml"])
        .says(&[&at, "crisis.severity", "\"high\"", "a number"]);
}

#[test]
fn toml_syntax_error() {
    let sb = Sandbox::new();
    sb.variant(KAZ, "bad.toml", &[("severity = ", "severity = 0,8")]);
    let at = sb.at("bad.toml", "severity");
    sb.reject(&["bad.toml"])
        .says(&[&at, "crisis.severity", "expected"]);
}

#[test]
fn missing_include_file() {
    let sb = Sandbox::new();
    sb.variant(
        KAZ,
        "bad.toml",
        &[(
            "include = ",
            r#"include = ["csto/roster.toml", "csto/optoins.toml"]"#,
        )],
    );
    let at = sb.at("bad.toml", "optoins");
    sb.reject(&["bad.toml"]).says(&[
        &at,
        "include",
        "cannot read",
        "optoins.toml",
        "did you mean `options.toml`",
    ]);
}

#[test]
fn include_cycle() {
    let sb = Sandbox::new();
    sb.write("first.toml", "include = [\"second.toml\"]\n");
    sb.write("second.toml", "# loops back\ninclude = [\"first.toml\"]\n");
    let at = sb.at("second.toml", "include");
    sb.reject(&["first.toml"]).says(&[
        &at,
        "include cycle",
        "first.toml -> second.toml -> first.toml",
    ]);
}

#[test]
fn missing_required_field() {
    let sb = Sandbox::new();
    sb.variant(KAZ, "bad.toml", &[("severity = ", "")]);
    sb.reject(&["bad.toml"])
        .says(&["bad.toml", "crisis.severity", "missing"]);
}

#[test]
fn normal_with_negative_sd() {
    let sb = Sandbox::new();
    let line = r#"severity = { dist = "normal", mean = 0.8, sd = -0.1 }"#;
    sb.variant(KAZ, "bad.toml", &[("severity = ", line)]);
    let at = sb.at("bad.toml", "severity");
    sb.reject(&["bad.toml"])
        .says(&[&at, "crisis.severity", "`sd` must be positive", "-0.1"]);
}

#[test]
fn beta_with_a_non_positive_shape() {
    let sb = Sandbox::new();
    for (i, a) in ["0", "-1"].iter().enumerate() {
        let file = format!("bad{i}.toml");
        let line = format!(r#"severity = {{ dist = "beta", a = {a}, b = 2 }}"#);
        sb.variant(KAZ, &file, &[("severity = ", &line)]);
        let at = sb.at(&file, "severity");
        sb.reject(&[&file])
            .says(&[&at, "crisis.severity", "`a`", "positive"]);
    }
}

#[test]
fn requested_option_that_does_not_exist() {
    let sb = Sandbox::new();
    sb.variant(
        KAZ,
        "bad.toml",
        &[("requested = ", r#"requested = "airstrike""#)],
    );
    let at = sb.at("bad.toml", "airstrike");
    sb.reject(&["bad.toml"]).says(&[
        &at,
        "crisis.requested",
        "unknown option `airstrike`",
        "limited_deployment",
    ]);
}

#[test]
fn options_out_of_order() {
    let sb = Sandbox::new();
    // Monitoring now does less than a statement.
    sb.variant(
        "csto/options.toml",
        "csto/disorder.toml",
        &[("effect = 0.3", "effect = 0.05")],
    );
    sb.variant(
        KAZ,
        "bad.toml",
        &[(
            "include = ",
            r#"include = ["csto/roster.toml", "csto/disorder.toml"]"#,
        )],
    );
    let at = sb.at("csto/disorder.toml", r#"id = "monitoring""#);
    sb.reject(&["bad.toml"])
        .says(&[&at, "options.monitoring", "ordered by escalation", "effect"]);
}

#[test]
fn duplicate_option_ids() {
    let sb = Sandbox::new();
    sb.variant(
        "csto/options.toml",
        "csto/twice.toml",
        &[(r#"id = "monitoring""#, r#"id = "statement""#)],
    );
    sb.variant(
        KAZ,
        "bad.toml",
        &[(
            "include = ",
            r#"include = ["csto/roster.toml", "csto/twice.toml"]"#,
        )],
    );
    let text = sb.read("csto/twice.toml");
    let second = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(r#"id = "statement""#))
        .nth(1)
        .unwrap()
        .0
        + 1;
    let at = format!("csto/twice.toml:{second}:");
    sb.reject(&["bad.toml"])
        .says(&[&at, "options.statement", "`statement` is listed twice"]);
}

#[test]
fn nan_and_infinity() {
    let sb = Sandbox::new();
    let values = [
        "nan",
        "inf",
        "-inf",
        r#"{ dist = "normal", mean = nan, sd = 0.1 }"#,
        r#"{ dist = "uniform", lo = 0.2, hi = inf }"#,
    ];
    for (i, v) in values.iter().enumerate() {
        let file = format!("bad{i}.toml");
        sb.variant(KAZ, &file, &[("severity = ", &format!("severity = {v}"))]);
        let at = sb.at(&file, "severity");
        sb.reject(&[&file])
            .says(&[&at, "crisis.severity", "finite"]);
    }
}

/// A one-member alliance, complete but for its members.
const NO_MEMBERS: &str = r#"
[alliance]
capacity = 0.5
regions = ["home"]
crisis_types = ["unrest"]

[crisis]
requester = "AAA"
type = "unrest"
region = "home"
requested = "help"
severity = 0.5
domestic = 0.5
framing = 0.5
contagion = 0.5
legal_fit = 0.5
legitimacy = 0.5
credibility = 0.5
combat_risk = 0.5

[[options]]
id = "help"
effect = 0.5
troops = 0.5
intrusion = 0.5
"#;

const ONE_MEMBER: &str = r#"
[members.AAA]
region = "home"
military_spending = 1
gdp = 10
dependence = 0
sovereignty = 0.5
vulnerability = 0.5
threat = { unrest = 0.5 }
concern = { home = 0.5 }
"#;

#[test]
fn an_alliance_without_members() {
    let sb = Sandbox::new();
    sb.write("one.toml", &format!("{NO_MEMBERS}{ONE_MEMBER}"));
    succeed(sb.path(), &["check", "one.toml"]);
    sb.write("none.toml", NO_MEMBERS);
    sb.write("empty.toml", &format!("{NO_MEMBERS}\n[members]\n"));
    for file in ["none.toml", "empty.toml"] {
        sb.reject(&[file]).says(&[file, "members", "no members"]);
    }
}

#[test]
fn a_scenario_file_that_does_not_exist() {
    let sb = Sandbox::new();
    sb.reject(&["kazakstan_2022.toml"]).says(&[
        "kazakstan_2022.toml",
        "cannot read",
        "did you mean `kazakhstan_2022.toml`",
    ]);
}

#[test]
fn one_bad_file_stops_the_good_ones_too() {
    let sb = Sandbox::new();
    sb.variant(KAZ, "bad.toml", &[("severity = ", "severity = 1.4")]);
    sb.variant(
        KGZ,
        "worse.toml",
        &[("requester = ", r#"requester = "KYG""#)],
    );
    sb.reject(&[KAZ, "bad.toml"]).says(&["bad.toml"]);
    sb.reject(&["bad.toml", KAZ]).says(&["bad.toml"]);
    // Every bad file is reported, not only the first.
    sb.reject(&["bad.toml", KGZ, "worse.toml"])
        .says(&["bad.toml", "worse.toml", "`KYG`"]);
}

// ---------------------------------------------------------------------------
// Interruption: a run stopped by a signal writes nothing partial

/// Starts a long `run --per-run` of Kyrgyzstan 2010 into `out` (which already
/// holds a complete earlier result) and waits until it has begun writing.
fn start_long_run(dir: &Path) -> std::process::Child {
    let child = util::cmd(dir)
        .args([
            "run",
            &shipped("kyrgyzstan_2010"),
            "--out",
            "out",
            "--runs",
            "9000000",
            "--per-run",
            "-q",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // The run builds its folder in a private staging folder beside the
    // destination: `.kyrgyzstan_2010.<random>.part/`.
    let writing = || {
        std::fs::read_dir(dir.join("out"))
            .unwrap()
            .flatten()
            .any(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.starts_with(".kyrgyzstan_2010.")
                    && name.ends_with(".part")
                    && e.path().join("runs.csv").exists()
            })
    };
    let started = std::time::Instant::now();
    while !writing() {
        assert!(
            started.elapsed().as_secs() < 60,
            "the run never started writing"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child
}

/// The files of a result folder, name and bytes, sorted by name.
fn folder_bytes(folder: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn interrupted_run_writes_nothing_and_keeps_the_previous_result() {
    for sig in ["INT", "TERM"] {
        let tmp = tempfile::tempdir().unwrap();
        succeed(
            tmp.path(),
            &[
                "run",
                &shipped("kyrgyzstan_2010"),
                "--out",
                "out",
                "--runs",
                "300",
                "--per-run",
            ],
        );
        let folder = tmp.path().join("out/kyrgyzstan_2010");
        let before = folder_bytes(&folder);
        let child = start_long_run(tmp.path());
        util::signal(&child, sig);
        let out = child.wait_with_output().unwrap();
        let err = util::stderr(&out);
        assert_eq!(out.status.code(), Some(130), "SIG{sig}: {err}");
        assert!(
            err.contains("interrupted") && err.contains("nothing was written"),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(
            folder_bytes(&folder),
            before,
            "SIG{sig}: the folder changed"
        );
    }
}

#[test]
fn killed_run_leaves_the_previous_result_and_the_next_run_tidies_up() {
    let tmp = tempfile::tempdir().unwrap();
    succeed(
        tmp.path(),
        &[
            "run",
            &shipped("kyrgyzstan_2010"),
            "--out",
            "out",
            "--runs",
            "300",
            "--per-run",
        ],
    );
    let folder = tmp.path().join("out/kyrgyzstan_2010");
    let before = folder_bytes(&folder);
    let mut child = start_long_run(tmp.path());
    child.kill().unwrap();
    child.wait().unwrap();
    let after: Vec<_> = folder_bytes(&folder)
        .into_iter()
        .filter(|(n, _)| !n.starts_with('.'))
        .collect();
    assert_eq!(after, before, "a kill -9 changed the results");
    succeed(
        tmp.path(),
        &[
            "run",
            &shipped("kyrgyzstan_2010"),
            "--out",
            "out",
            "--runs",
            "300",
            "--per-run",
        ],
    );
    assert_eq!(
        folder_bytes(&folder),
        before,
        "same run again: same bytes, no leftovers"
    );
}

#[test]
fn text_a_spreadsheet_would_run_is_neutralized() {
    let kaz = shipped("kazakhstan_2022");
    let tmp = util::temp_with(&[(
        "=1+1.toml",
        &format!("include = [{kaz:?}]\n[montecarlo]\nruns = 50\n"),
    )]);
    succeed(tmp.path(), &["run", "=1+1.toml", "--out", "out", "-q"]);
    let text = std::fs::read_to_string(tmp.path().join("out/=1+1/outcomes.csv")).unwrap();
    let first_row = text.lines().nth(1).unwrap();
    assert!(
        first_row.starts_with("'=1+1,consensus,no_action,0,50,"),
        "{first_row}"
    );
    // Numbers, even negative ones elsewhere, are never prefixed.
    assert!(!text.contains(",'0") && !text.contains(",'1"), "{text}");
}
