//! The names of the two unanimity rules: `consensus` (an abstention does
//! not block) and `strict_unanimity` (every member taking part votes yes),
//! with the older `unanimity` and `unanimity:abstention_blocks` kept as
//! aliases that give the same results under the new labels; old labels
//! recorded in shards still merge; what each rule means on the terminal; and
//! a what-if named after one rule but run under another.

use std::path::Path;

use alliance_sim::model::DecisionRule;
use alliance_sim::shard::files::identity_sha256;
use serde_json::Value;

use crate::util::{self, fail, says, shipped, stdout, succeed};

/// A rule parsed from its label.
fn rule(label: &str) -> DecisionRule {
    label.parse().unwrap_or_else(|e| panic!("{label}: {e}"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap()
}

/// Runs Kyrgyzstan 2010 (a case with abstentions) under `rule_arg` into
/// `dir/out`, and returns its outcomes.csv.
fn kyrgyzstan(dir: &Path, rule_arg: &str, out: &str) -> String {
    succeed(
        dir,
        &[
            "run",
            &shipped("kyrgyzstan_2010"),
            "--rule",
            rule_arg,
            "--runs",
            "3000",
            "--out",
            out,
            "--no-report",
            "-q",
        ],
    );
    read(&dir.join(out).join("kyrgyzstan_2010/outcomes.csv"))
}

/// The distinct values of the `rule` column of a CSV file.
fn rule_column(path: &Path) -> Vec<String> {
    let mut rules: Vec<String> = util::csv_rows(path)
        .into_iter()
        .map(|r| r["rule"].clone())
        .collect();
    rules.dedup();
    rules
}

#[test]
fn older_names_give_the_same_results_under_the_new_labels() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for (old, new) in [
        ("unanimity", "consensus"),
        ("unanimity:abstention_blocks", "strict_unanimity"),
    ] {
        assert_eq!(rule(old), rule(new), "{old} is {new}");
        let a = kyrgyzstan(dir, old, &format!("old-{new}"));
        let b = kyrgyzstan(dir, new, &format!("new-{new}"));
        assert_eq!(a, b, "--rule {old} and --rule {new} give the same file");
        let labels = rule_column(&dir.join(format!("old-{new}/kyrgyzstan_2010/outcomes.csv")));
        assert_eq!(labels, [rule(old).to_string()]);
        assert_ne!(labels, [old], "the old label is not written");
    }
    // The two rules differ: an abstention blocks one and not the other.
    assert_ne!(
        kyrgyzstan(dir, "consensus", "c"),
        kyrgyzstan(dir, "strict_unanimity", "s").replace(
            &rule("strict_unanimity").to_string(),
            &rule("consensus").to_string()
        )
    );
}

#[test]
fn a_rule_table_of_the_older_kind_reads_as_the_new_rules() {
    let include = format!("include = [{:?}]\n", shipped("kyrgyzstan_2010"));
    let tmp = util::temp_with(&[
        (
            "old_strict.toml",
            &format!("{include}\n[rule]\nkind = \"unanimity\"\nabstention_blocks = true\n"),
        ),
        (
            "new_strict.toml",
            &format!("{include}\n[rule]\nkind = \"strict_unanimity\"\n"),
        ),
        (
            "old_consensus.toml",
            &format!("{include}\n[rule]\nkind = \"unanimity\"\nabstention_blocks = false\n"),
        ),
        (
            "new_consensus.toml",
            &format!("{include}\n[rule]\nkind = \"consensus\"\n"),
        ),
    ]);
    let dir = tmp.path();
    let outcomes = |stem: &str| {
        succeed(
            dir,
            &[
                "run",
                &format!("{stem}.toml"),
                "--runs",
                "2000",
                "--no-report",
                "-q",
            ],
        );
        let path = dir.join("output").join(stem).join("outcomes.csv");
        // The `scenario` column names the file: compare the rest.
        (read(&path).replace(stem, "STEM"), rule_column(&path))
    };
    for (old, new, label) in [
        (
            "old_strict",
            "new_strict",
            rule("strict_unanimity").to_string(),
        ),
        (
            "old_consensus",
            "new_consensus",
            rule("consensus").to_string(),
        ),
    ] {
        let (a, a_rules) = outcomes(old);
        let (b, b_rules) = outcomes(new);
        assert_eq!(a, b, "{old} and {new}");
        assert_eq!(a_rules, std::slice::from_ref(&label));
        assert_eq!(b_rules, [label]);
    }
}

#[test]
fn the_help_and_the_suggestions_know_the_new_names() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for command in ["run", "explain", "sweep"] {
        let help = stdout(&succeed(dir, &[command, "--help"]));
        says(&help, &["consensus", "strict_unanimity"]);
    }
    let err = fail(
        dir,
        &["run", &shipped("kyrgyzstan_2010"), "--rule", "consensos"],
    );
    says(&err, &["did you mean `consensus`?"]);
    let err = fail(
        dir,
        &[
            "run",
            &shipped("kyrgyzstan_2010"),
            "--rule",
            "strict_unanimty",
        ],
    );
    says(&err, &["did you mean `strict_unanimity`?"]);
    let err = fail(
        dir,
        &[
            "run",
            &shipped("kyrgyzstan_2010"),
            "--rule",
            "consensus:abstention_blocks",
        ],
    );
    says(&err, &["`strict_unanimity`"]);
}

#[test]
fn the_run_header_says_what_the_rule_means() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for label in ["consensus", "strict_unanimity", "majority"] {
        let o = succeed(
            dir,
            &[
                "run",
                &shipped("kyrgyzstan_2010"),
                "--rule",
                label,
                "--runs",
                "500",
                "--no-report",
                "--replace",
            ],
        );
        let out = stdout(&o);
        let lines: Vec<&str> = out.lines().collect();
        let r = rule(label);
        assert!(
            lines[1].starts_with(&format!("rule {r}, ")),
            "second line names the rule:\n{out}"
        );
        assert_eq!(
            lines[2].trim(),
            r.meaning(),
            "third line says what it means:\n{out}"
        );
    }
}

#[test]
fn validate_and_sweep_say_once_what_each_rule_means() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let o = succeed(
        dir,
        &[
            "validate",
            &shipped("kyrgyzstan_2010"),
            &shipped("armenia_2020"),
            "--runs",
            "300",
            "--out",
            "v",
        ],
    );
    let out = stdout(&o);
    let meaning = rule("consensus").meaning();
    assert_eq!(out.matches(&meaning).count(), 1, "{out}");
    let o = succeed(
        dir,
        &[
            "sweep",
            &shipped("kyrgyzstan_2010"),
            "--vary",
            "crisis.severity=0.2,0.8",
            "--rules",
            "consensus,strict_unanimity,consensus",
            "--runs",
            "200",
            "--out",
            "s",
            "--no-report",
            "-q",
        ],
    );
    let out = stdout(&o);
    for label in ["consensus", "strict_unanimity"] {
        assert_eq!(out.matches(&rule(label).meaning()).count(), 1, "{out}");
    }
}

/// A what-if named after its rule, as in docs/SCENARIOS.md.
fn what_if() -> tempfile::TempDir {
    util::temp_with(&[(
        "kazakhstan_qmv.toml",
        &format!(
            "include = [{:?}]\n\n[scenario]\nname = \"Kazakhstan 2022, qualified majority\"\n\n\
             [rule]\nkind = \"qualified_majority\"\nthreshold = 0.67\n",
            shipped("kazakhstan_2022")
        ),
    )])
}

/// Runs the what-if with `extra` arguments into `out`; returns the first
/// line printed, the manifest's `scenario_name` and the report page.
fn run_what_if(dir: &Path, extra: &[&str], out: &str) -> (String, String, String) {
    let mut args = vec!["run", "kazakhstan_qmv.toml", "--runs", "500", "--out", out];
    args.extend(extra);
    let o = succeed(dir, &args);
    let first = stdout(&o).lines().next().unwrap_or_default().to_string();
    let results = dir.join(out).join("kazakhstan_qmv");
    let manifest = read_json(&results.join("manifest.json"));
    let name = manifest["scenario_name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    (first, name, read(&results.join("report.html")))
}

#[test]
fn a_what_if_run_under_another_rule_names_the_rule_used() {
    let tmp = what_if();
    let dir = tmp.path();
    let own = "Kazakhstan 2022, qualified majority";
    // Its own rule, by default or given again: the name as written.
    for (extra, out) in [
        (&[][..], "a"),
        (&["--rule", "qualified_majority:0.67"][..], "b"),
    ] {
        let (first, name, _) = run_what_if(dir, extra, out);
        assert_eq!(first, format!("{own} (kazakhstan_qmv)"));
        assert_eq!(name, own);
    }
    // Another rule: every title says which rule was used.
    let used = rule("consensus").to_string();
    let (first, name, page) = run_what_if(dir, &["--rule", &used], "c");
    let title = format!("{own} [run under --rule {used}]");
    assert_eq!(first, format!("{title} (kazakhstan_qmv)"));
    assert_eq!(name, title);
    assert!(page.contains(&title), "the report page names the rule used");
}

/// Runs Kyrgyzstan 2010 under consensus as `n` shards into `dir/shards`.
fn run_shards(dir: &Path, n: u64) {
    for k in 0..n {
        succeed(
            dir,
            &[
                "run",
                &shipped("kyrgyzstan_2010"),
                "--rule",
                "consensus",
                "--runs",
                "900",
                "--out",
                "shards",
                "--shard",
                &format!("{k}/{n}"),
                "-q",
            ],
        );
    }
}

/// Rewrites the rule labels a shard manifest records with `relabel`,
/// recomputing the identity's hash, as an older version would have written
/// them.
fn relabel_shard(manifest: &Path, relabel: impl Fn(&str) -> String) {
    let mut m = read_json(manifest);
    let id = &mut m["identity"];
    if let Some(r) = id.get("rule").and_then(Value::as_str).map(&relabel) {
        id["rule"] = Value::from(r);
    }
    if let Some(rules) = id.get_mut("rules").and_then(Value::as_array_mut) {
        for r in rules.iter_mut() {
            *r = Value::from(relabel(r.as_str().unwrap()));
        }
    }
    m["identity_sha256"] = Value::from(identity_sha256(&m["identity"]));
    std::fs::write(manifest, serde_json::to_string_pretty(&m).unwrap()).unwrap();
}

/// The label an older version wrote for `label`'s rule.
fn old_label(label: &str) -> String {
    if rule(label) == rule("unanimity") {
        "unanimity".into()
    } else if rule(label) == rule("unanimity:abstention_blocks") {
        "unanimity:abstention_blocks".into()
    } else {
        label.into()
    }
}

#[test]
fn shards_that_record_the_older_label_still_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    run_shards(dir, 2);
    succeed(dir, &["merge", "shards", "--out", "fresh", "-q"]);
    // One shard from an older version, one from this one.
    let manifest = dir.join("shards/kyrgyzstan_2010.shard-1-of-2/shard.json");
    relabel_shard(&manifest, old_label);
    assert_eq!(read_json(&manifest)["identity"]["rule"], "unanimity");
    succeed(dir, &["merge", "shards", "--out", "mixed", "-q"]);
    let file = "kyrgyzstan_2010/outcomes.csv";
    assert_eq!(
        read(&dir.join("mixed").join(file)),
        read(&dir.join("fresh").join(file)),
        "the same counts under the same label"
    );
    // A different rule is still a different piece of work.
    relabel_shard(&manifest, |_| "majority".into());
    let err = fail(dir, &["merge", "shards", "--out", "other"]);
    says(&err, &["shards of different work", "rules"]);
}

#[test]
fn sweep_shards_that_record_older_labels_still_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let sweep = |extra: &[&str]| {
        let file = shipped("kyrgyzstan_2010");
        let mut args = vec![
            "sweep",
            &file,
            "--vary",
            "crisis.severity=0.2,0.8",
            "--rules",
            "consensus,strict_unanimity",
            "--runs",
            "300",
            "--no-report",
            "-q",
        ];
        args.extend(extra);
        succeed(dir, &args);
    };
    sweep(&["--out", "whole"]);
    for k in 0..2 {
        sweep(&["--out", "shards", "--shard", &format!("{k}/2")]);
    }
    for k in 0..2 {
        let manifest = dir.join(format!(
            "shards/kyrgyzstan_2010-sweep.shard-{k}-of-2/shard.json"
        ));
        relabel_shard(&manifest, old_label);
        assert_eq!(
            read_json(&manifest)["identity"]["rules"],
            serde_json::json!(["unanimity", "unanimity:abstention_blocks"])
        );
    }
    succeed(dir, &["merge", "shards", "--out", "merged", "-q"]);
    let file = "kyrgyzstan_2010-sweep/sweep_outcomes.csv";
    let merged = dir.join("merged").join(file);
    assert_eq!(read(&merged), read(&dir.join("whole").join(file)));
    let mut labels = rule_column(&merged);
    labels.sort();
    labels.dedup();
    let mut expected = vec![
        rule("consensus").to_string(),
        rule("strict_unanimity").to_string(),
    ];
    expected.sort();
    assert_eq!(labels, expected, "written under today's labels");
}
