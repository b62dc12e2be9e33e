//! Pinned results for every parameter the model draws, so that a change made
//! for speed (issue 16) cannot change a single output byte unnoticed.
//!
//! One small scenario (`cases::BASE`: a hegemon, a requesting member, three
//! other members, an outside adversary, three options, absolute noise) is
//! run with one parameter, or a few, given as a distribution: every
//! parameter `Model::fill_inputs` draws, every distribution family, rules
//! that count drawn amounts (the exact-units path), parties that abstain or
//! are excluded, no requester, no hegemon, relative and no noise, posterior
//! samples alone and over distributions, and every parameter drawn at once
//! (so that a change in the order of the draws shows, not only in which are
//! made). Each case runs through the command line with `--per-run`, on one
//! thread and on two; the two must give the same bytes, and their counts
//! must match the case's pin: a digest of `outcomes.csv` (runs per level),
//! `members.csv` (votes and sole blocks per member) and `runs.csv` (total
//! rounds, blocks per member, and a hash of the whole file). A few cases also
//! run as shards merged, and one sweep over drawn parameters is pinned.
//!
//! The pins were computed once, from the code before any change for speed
//! (main at 0b81f4f). A failing pin names each part of the digest that
//! differs, with both values, and prints the digest now found. It means the
//! order or number of draws, a sampling algorithm or the model's arithmetic
//! changed: never a side effect to accept, only a deliberate, announced
//! change of results. Some cases must give exactly the results of another
//! (a parameter the model does not read is not drawn; one drawn without
//! effect moves the later draws as any one-number draw does), and no two
//! other pins may be equal, so that no pin is vacuous.

mod cases;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cases::{all_cases, Case, Expect, BASE, POSTERIOR};

use crate::util::{csv_rows, succeed, temp_with};

/// Runs per case: two chunks of the runner, the second partial.
const RUNS: &str = "5000";
/// Master seed of every case.
const SEED: &str = "16";
/// The files a run writes that the digest and the thread comparison read.
const FILES: [&str; 3] = ["outcomes.csv", "members.csv", "runs.csv"];

/// `text` with `key = value` set in `table` (`[table]`, or for
/// `options.ID` the `[[options]]` entry whose `id` is ID): the key's line is
/// replaced, or added under the table's heading, or the table is appended.
/// An empty `value` removes the key.
pub fn edit(text: &str, table: &str, key: &str, value: &str) -> String {
    let heading = match table.strip_prefix("options.") {
        Some(id) => format!("id = \"{id}\""),
        None => format!("[{table}]"),
    };
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let Some(start) = lines.iter().position(|l| *l == heading) else {
        assert!(!value.is_empty(), "no table {table} to remove {key} from");
        return format!("{text}\n[{table}]\n{key} = {value}\n");
    };
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.starts_with('['))
        .map_or(lines.len(), |i| start + 1 + i);
    let prefix = format!("{key} = ");
    match (start + 1..end).find(|&i| lines[i].starts_with(&prefix)) {
        Some(i) if value.is_empty() => {
            lines.remove(i);
        }
        Some(i) => lines[i] = format!("{prefix}{value}"),
        None => {
            assert!(!value.is_empty(), "{table} has no {key} to remove");
            lines.insert(start + 1, format!("{prefix}{value}"));
        }
    }
    lines.join("\n") + "\n"
}

/// The scenario text of `case`.
fn scenario_text(case: &Case) -> String {
    case.sets
        .iter()
        .fold(BASE.to_string(), |text, (table, key, value)| {
            edit(&text, table, key, value)
        })
}

/// FNV-1a, 64 bits: a short fingerprint of a file's bytes.
pub fn fnv(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// The digest of a run's results in `dir`: parts separated by `; `.
fn digest(dir: &Path) -> String {
    let outcomes = csv_rows(&dir.join("outcomes.csv"));
    let levels: Vec<&str> = outcomes.iter().map(|r| r["count"].as_str()).collect();
    let members = csv_rows(&dir.join("members.csv"));
    let ids: Vec<&str> = members.iter().map(|r| r["member"].as_str()).collect();
    let votes: Vec<String> = members
        .iter()
        .map(|r| {
            let f = ["yes", "no", "abstain", "sole_blocker"].map(|c| r[c].as_str());
            format!("{}:{}", r["member"], f.join("/"))
        })
        .collect();
    let runs_csv = std::fs::read(dir.join("runs.csv")).expect("runs.csv");
    let runs = csv_rows(&dir.join("runs.csv"));
    let rounds: u64 = runs
        .iter()
        .map(|r| r["rounds"].parse::<u64>().unwrap())
        .sum();
    let mut blocked: HashMap<&str, u64> = HashMap::new();
    for r in &runs {
        for b in r["blockers"].split(';').filter(|b| !b.is_empty()) {
            *blocked.entry(b).or_default() += 1;
        }
    }
    let blocked: Vec<String> = ids
        .iter()
        .map(|m| format!("{m}:{}", blocked.get(m).copied().unwrap_or(0)))
        .collect();
    format!(
        "levels {}; rounds {rounds}; votes {}; blocked {}; runs.csv {}",
        levels.join("/"),
        votes.join(" "),
        blocked.join(" "),
        fnv(&runs_csv)
    )
}

/// What differs between two digests, part by part.
fn digest_diff(expected: &str, found: &str) -> String {
    let (e, f): (Vec<&str>, Vec<&str>) =
        (expected.split("; ").collect(), found.split("; ").collect());
    let mut out = String::new();
    for i in 0..e.len().max(f.len()) {
        let (a, b) = (e.get(i).unwrap_or(&"(none)"), f.get(i).unwrap_or(&"(none)"));
        if a != b {
            out += &format!("    pinned: {a}\n    found:  {b}\n");
        }
    }
    out
}

/// The first line that differs between files `a` and `b`, or `None` when
/// they are the same bytes.
pub fn first_difference(a: &Path, b: &Path) -> Option<String> {
    let read = |p: &Path| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let (x, y) = (read(a), read(b));
    if x == y {
        return None;
    }
    let (x, y) = (String::from_utf8_lossy(&x), String::from_utf8_lossy(&y));
    let (mut xl, mut yl) = (x.lines(), y.lines());
    for n in 1.. {
        match (xl.next(), yl.next()) {
            (Some(p), Some(q)) if p == q => continue,
            (p, q) => {
                return Some(format!(
                    "line {n}: `{}` against `{}`",
                    p.unwrap_or("(end)"),
                    q.unwrap_or("(end)")
                ))
            }
        }
    }
    unreachable!()
}

/// A temporary folder holding `case`'s scenario as `pinned.toml` and the
/// posterior sample as `post.csv`.
fn case_folder(case: &Case) -> tempfile::TempDir {
    temp_with(&[
        ("pinned.toml", &scenario_text(case)),
        ("post.csv", POSTERIOR),
    ])
}

/// `run pinned.toml` with the case's arguments and `extra`, results in
/// `dir/out/pinned/`.
fn run(dir: &Path, case: &Case, out: &str, extra: &[&str]) -> PathBuf {
    let mut args = vec![
        "run",
        "pinned.toml",
        "--runs",
        RUNS,
        "--seed",
        SEED,
        "--out",
        out,
        "--per-run",
        "--no-report",
        "-q",
    ];
    args.extend(&case.args);
    args.extend(extra);
    succeed(dir, &args);
    dir.join(out).join("pinned")
}

/// Runs `case` on 1 and 2 threads; returns the digest, or what went wrong.
fn check_threads(case: &Case) -> Result<String, String> {
    let tmp = case_folder(case);
    let one = run(tmp.path(), case, "t1", &["--threads", "1"]);
    let two = run(tmp.path(), case, "t2", &["--threads", "2"]);
    for f in FILES {
        if let Some(d) = first_difference(&one.join(f), &two.join(f)) {
            return Err(format!("{f} differs between 1 and 2 threads, {d}"));
        }
    }
    Ok(digest(&one))
}

/// Runs every case of `group` and panics with everything that differs.
fn check_group(group: &str) {
    let all = all_cases();
    let pin_of = |name: &str| -> &str {
        match all.iter().find(|c| c.name == name).map(|c| &c.expect) {
            Some(Expect::Pin(p)) => p,
            _ => panic!("no pinned case `{name}`"),
        }
    };
    let mut failures = String::new();
    let cases: Vec<&Case> = all.iter().filter(|c| c.group == group).collect();
    assert!(!cases.is_empty(), "no cases in group {group}");
    for case in cases {
        let expected = match case.expect {
            Expect::Pin(p) => p,
            Expect::SameAs(other) => pin_of(other),
        };
        match check_threads(case) {
            Err(e) => failures += &format!("{}: {e}\n", case.name),
            Ok(found) if found != expected => {
                failures += &format!(
                    "{}: results differ from the pin{}\n{}    found digest: \"{found}\"\n",
                    case.name,
                    match case.expect {
                        Expect::SameAs(o) => format!(" of `{o}` (they must be equal)"),
                        Expect::Pin(_) => String::new(),
                    },
                    digest_diff(expected, &found)
                )
            }
            Ok(_) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "pinned draws, group {group}:\n{failures}"
    );
}

#[test]
fn pins_are_distinct_and_references_resolve() {
    let all = all_cases();
    let mut seen: HashMap<&str, &str> = HashMap::new();
    let mut names = std::collections::HashSet::new();
    for c in &all {
        assert!(names.insert(c.name), "two cases named {}", c.name);
        match c.expect {
            Expect::Pin(p) => {
                assert!(p.starts_with("levels "), "{}: not a digest: {p}", c.name);
                if let Some(other) = seen.insert(p, c.name) {
                    panic!(
                        "{} and {other} have the same pin: a draw without effect",
                        c.name
                    );
                }
            }
            Expect::SameAs(other) => assert!(
                all.iter()
                    .any(|o| o.name == other && matches!(o.expect, Expect::Pin(_))),
                "{}: no pinned case {other}",
                c.name
            ),
        }
    }
}

#[test]
fn the_editor_replaces_adds_and_removes() {
    let text = "[a]\nx = 1\ny = 2\n\n[[options]]\nid = \"o\"\ne = 1\n";
    assert_eq!(
        edit(text, "a", "x", "3"),
        "[a]\nx = 3\ny = 2\n\n[[options]]\nid = \"o\"\ne = 1\n"
    );
    assert_eq!(
        edit(text, "a", "z", "4"),
        "[a]\nz = 4\nx = 1\ny = 2\n\n[[options]]\nid = \"o\"\ne = 1\n"
    );
    assert_eq!(
        edit(text, "a", "y", ""),
        "[a]\nx = 1\n\n[[options]]\nid = \"o\"\ne = 1\n"
    );
    assert_eq!(
        edit(text, "options.o", "e", "5"),
        "[a]\nx = 1\ny = 2\n\n[[options]]\nid = \"o\"\ne = 5\n"
    );
    assert_eq!(edit(text, "b", "w", "6"), format!("{text}\n[b]\nw = 6\n"));
}

#[test]
fn fixed_crisis_and_alliance_draws_are_pinned() {
    check_group("crisis");
}

#[test]
fn option_draws_are_pinned() {
    check_group("options");
}

#[test]
fn member_scalar_draws_are_pinned() {
    check_group("scalars");
}

#[test]
fn member_threat_concern_and_affinity_draws_are_pinned() {
    check_group("relations");
}

#[test]
fn weight_and_default_draws_are_pinned() {
    check_group("weights");
}

#[test]
fn rules_counting_drawn_amounts_are_pinned() {
    check_group("rules");
}

#[test]
fn parties_requester_and_hegemon_variants_are_pinned() {
    check_group("procedure");
}

#[test]
fn noise_models_over_draws_are_pinned() {
    check_group("noise");
}

#[test]
fn posterior_runs_are_pinned() {
    check_group("posterior");
}

/// Runs `case` as three shards (on 1, 2 and 1 threads) merged, and asserts
/// the same bytes as one process on one thread.
fn shards_merge_to_the_same_bytes(name: &str) {
    let all = all_cases();
    let case = all.iter().find(|c| c.name == name).expect("a case");
    let tmp = case_folder(case);
    let dir = tmp.path();
    let whole = run(dir, case, "whole", &["--threads", "1"]);
    for k in 0..3 {
        let shard = format!("{k}/3");
        let threads = if k == 1 { "2" } else { "1" };
        run(
            dir,
            case,
            "shards",
            &["--shard", &shard, "--threads", threads],
        );
    }
    succeed(
        dir,
        &["merge", "shards", "--out", "merged", "--no-report", "-q"],
    );
    for f in FILES {
        let d = first_difference(&whole.join(f), &dir.join("merged/pinned").join(f));
        assert!(d.is_none(), "{name}: merged {f} differs: {}", d.unwrap());
    }
}

#[test]
fn shards_of_drawn_runs_merge_to_the_same_bytes() {
    shards_merge_to_the_same_bytes("every family");
    shards_merge_to_the_same_bytes("posterior over every family");
    shards_merge_to_the_same_bytes("weighted:population, population drawn");
}

/// The pinned sweep: capacity (a distribution in the scenario, fixed at each
/// point) and legal fit, under two rules, over the other draws.
const SWEEP: [&str; 10] = [
    "--vary",
    "alliance.capacity=0.2,0.8",
    "--vary",
    "crisis.legal_fit=0.3:0.9:3",
    "--rules",
    "consensus,majority",
    "--runs",
    "1500",
    "--seed",
    SEED,
];

/// Per point and rule, the runs per level of `sweep_outcomes.csv`; and a
/// hash of `sweep_members.csv`.
fn sweep_digest(dir: &Path) -> String {
    let rows = csv_rows(&dir.join("sweep_outcomes.csv"));
    let mut parts: Vec<(String, Vec<String>)> = Vec::new();
    for r in &rows {
        let key = format!("p{} {}", r["point"], r["rule"]);
        match parts.last_mut() {
            Some((k, counts)) if *k == key => counts.push(r["count"].clone()),
            _ => parts.push((key, vec![r["count"].clone()])),
        }
    }
    let members = std::fs::read(dir.join("sweep_members.csv")).expect("sweep_members.csv");
    let mut out: Vec<String> = parts
        .into_iter()
        .map(|(k, c)| format!("{k} {}", c.join("/")))
        .collect();
    out.push(format!("sweep_members.csv {}", fnv(&members)));
    out.join("; ")
}

#[test]
fn a_sweep_over_drawn_parameters_is_pinned() {
    let all = all_cases();
    let case = all
        .iter()
        .find(|c| c.name == "every family")
        .expect("a case");
    let tmp = case_folder(case);
    let dir = tmp.path();
    let sweep = |out: &str, extra: &[&str]| {
        let mut args = vec!["sweep", "pinned.toml", "--out", out, "--no-report", "-q"];
        args.extend(SWEEP);
        args.extend(extra);
        succeed(dir, &args);
        dir.join(out).join("pinned-sweep")
    };
    let one = sweep("t1", &["--threads", "1"]);
    let two = sweep("t2", &["--threads", "2"]);
    sweep("shards", &["--shard", "0/2", "--threads", "2"]);
    sweep("shards", &["--shard", "1/2", "--threads", "1"]);
    succeed(
        dir,
        &["merge", "shards", "--out", "merged", "--no-report", "-q"],
    );
    for f in ["sweep_outcomes.csv", "sweep_members.csv"] {
        for (what, other) in [
            ("2 threads", &two),
            ("merged shards", &dir.join("merged/pinned-sweep")),
        ] {
            let d = first_difference(&one.join(f), &other.join(f));
            assert!(d.is_none(), "sweep: {f} differs on {what}: {}", d.unwrap());
        }
    }
    let found = sweep_digest(&one);
    assert!(
        found == cases::SWEEP_PIN,
        "sweep over drawn parameters differs from the pin:\n{}    found digest: \"{found}\"",
        digest_diff(cases::SWEEP_PIN, &found)
    );
}

#[test]
fn every_parameter_drawn_at_once_is_pinned() {
    check_group("every");
}
