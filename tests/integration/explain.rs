//! `alliance-sim explain`: the noise-free evaluation of the three historical
//! CSTO cases in each format, `--member`, `--rule`, and the messages for bad
//! input. Explain writes no files, so every command runs in an empty
//! temporary folder that must stay empty.

use std::process::Output;

use crate::util::{self, shipped};

/// Columns of `explain --format csv`.
const CSV_HEADER: &str = "scenario,rule,member,option,level,security,regime,partner,credibility,\
sovereignty,cost,external,utility,pull,perceived,yes_above,no_below,vote";

/// Runs `alliance-sim explain args` in a new empty folder; asserts it did not
/// panic and wrote nothing.
fn explain(args: &[&str]) -> Output {
    let tmp = tempfile::tempdir().unwrap();
    let mut all = vec!["explain"];
    all.extend_from_slice(args);
    let o = util::run(tmp.path(), &all);
    let err = util::stderr(&o);
    assert!(!err.contains("panicked"), "{all:?} panicked:\n{err}");
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "explain wrote files"
    );
    o
}

/// Explains and asserts success; returns stdout.
fn ok(args: &[&str]) -> String {
    let o = explain(args);
    assert!(
        o.status.success(),
        "{args:?} failed with {:?}:\n{}",
        o.status.code(),
        util::stderr(&o)
    );
    util::stdout(&o)
}

/// Explains and asserts exit code 2 (bad input); returns stderr.
fn bad(args: &[&str]) -> String {
    let o = explain(args);
    let err = util::stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: stderr:\n{err}");
    err
}

/// The lines of the table's procedure section, trimmed.
fn procedure(table: &str) -> Vec<&str> {
    table
        .lines()
        .skip_while(|l| *l != "procedure")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(str::trim)
        .collect()
}

fn json(stem: &str, extra: &[&str]) -> serde_json::Value {
    let file = shipped(stem);
    let mut args = vec![file.as_str(), "--format", "json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&ok(&args)).expect("explain --format json prints JSON")
}

#[test]
fn kazakhstan_gets_a_limited_deployment_in_round_one_with_no_blockers() {
    let table = ok(&[&shipped("kazakhstan_2022")]);
    assert!(table.contains("evaluated at central values, without perception noise"));
    let lines = procedure(&table);
    assert_eq!(lines.len(), 2, "{table}");
    assert!(
        lines[0].contains("round 1: limited_deployment") && lines[0].contains("passed"),
        "{table}"
    );
    assert!(!lines[0].contains("blocked"), "{table}");
    assert!(lines[1].contains("adopted: limited_deployment"), "{table}");
    // A table per member, one row per option.
    for id in ["RUS", "KAZ", "BLR", "ARM", "KGZ", "TJK"] {
        assert!(
            table.lines().any(|l| l.starts_with(&format!("{id} ("))),
            "{id}"
        );
    }

    let j = json("kazakhstan_2022", &[]);
    assert_eq!(j["adopted"]["option"], "limited_deployment");
    let rounds = j["rounds"].as_array().unwrap();
    assert_eq!(rounds.len(), 1);
    assert_eq!(rounds[0]["passed"], true);
    assert_eq!(rounds[0]["blockers"].as_array().unwrap().len(), 0);
    assert_eq!(j["blockers"].as_array().unwrap().len(), 0);
}

#[test]
fn armenia_is_refused_with_russia_among_the_blockers() {
    let table = ok(&[&shipped("armenia_2020")]);
    let lines = procedure(&table);
    let first = lines[0];
    assert!(first.starts_with("round 1: limited_deployment"), "{table}");
    assert!(first.contains("failed"), "{table}");
    let blocked = first.split("blocked by ").nth(1).expect("blockers listed");
    assert!(blocked.contains("RUS"), "{table}");
    assert!(
        lines.iter().any(|l| l.starts_with("adopted: no_action")),
        "{table}"
    );

    let j = json("armenia_2020", &[]);
    assert_eq!(j["adopted"]["option"], "no_action");
    assert_eq!(j["adopted"]["level"], 0);
    let rounds = j["rounds"].as_array().unwrap();
    assert_eq!(
        rounds.len(),
        3,
        "every option down to the statement is tried"
    );
    assert!(rounds.iter().all(|r| r["passed"] == false));
    let blockers = rounds[0]["blockers"].as_array().unwrap();
    assert!(blockers.iter().any(|b| b == "RUS"));
    assert_eq!(&j["blockers"], &rounds[0]["blockers"]);
}

#[test]
fn kyrgyzstan_settles_on_monitoring() {
    let table = ok(&[&shipped("kyrgyzstan_2010")]);
    let lines = procedure(&table);
    assert!(lines[0].contains("round 1: limited_deployment") && lines[0].contains("failed"));
    assert!(lines[1].contains("round 2: monitoring") && lines[1].contains("passed"));
    assert!(lines[2].contains("adopted: monitoring"), "{table}");
    let j = json("kyrgyzstan_2010", &[]);
    assert_eq!(j["adopted"]["option"], "monitoring");
    assert_eq!(j["rounds"].as_array().unwrap().len(), 2);
}

#[test]
fn json_holds_members_options_and_rounds() {
    let j = json("kazakhstan_2022", &[]);
    assert_eq!(j["scenario"], "Kazakhstan, January 2022");
    assert_eq!(j["rule"], "consensus");
    assert_eq!(j["requested"]["option"], "limited_deployment");
    assert_eq!(j["requester"], "KAZ");
    assert_eq!(j["hegemon"], "RUS");
    let members = j["members"].as_array().unwrap();
    assert_eq!(members.len(), 6);
    for m in members {
        let options = m["options"].as_array().unwrap();
        assert_eq!(options.len(), 4);
        for o in options {
            let terms: f64 = [
                "security",
                "regime",
                "partner",
                "credibility",
                "sovereignty",
                "cost",
                "external",
            ]
            .iter()
            .map(|k| o[k].as_f64().unwrap())
            .sum();
            let u = o["utility"].as_f64().unwrap();
            assert!((terms - u).abs() < 1e-9, "{m}");
            let perceived = o["perceived"].as_f64().unwrap();
            assert!((u + o["pull"].as_f64().unwrap() - perceived).abs() < 1e-9);
            assert!(["yes", "no", "abstain"].contains(&o["vote"].as_str().unwrap()));
        }
    }
    let round = &j["rounds"][0];
    assert_eq!(round["round"], 1);
    assert_eq!(round["option"], "limited_deployment");
    assert_eq!(round["votes"].as_array().unwrap().len(), 6);
    assert_eq!(round["votes"][0]["member"], "RUS");
}

#[test]
fn csv_has_one_row_per_member_and_option() {
    let text = ok(&[&shipped("kazakhstan_2022"), "--format", "csv"]);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(CSV_HEADER));
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 6 * 4);
    for row in &rows {
        assert_eq!(row.len(), 18);
        assert_eq!(&row[0], "kazakhstan_2022");
        assert_eq!(&row[1], "consensus");
        let level: usize = row[4].parse().unwrap();
        assert!((1..=4).contains(&level));
        for cell in row.iter().skip(5).take(12) {
            cell.parse::<f64>().expect("a number");
        }
    }
    let kaz_ld = rows
        .iter()
        .find(|r| &r[2] == "KAZ" && &r[3] == "limited_deployment")
        .unwrap();
    assert_eq!(&kaz_ld[17], "yes");
    // MODEL.md works this number out by hand: U_KAZ(3) = 1.434125.
    assert_eq!(&kaz_ld[12], "1.434125");
}

#[test]
fn member_restricts_the_tables_to_one_member() {
    let table = ok(&[&shipped("armenia_2020"), "--member", "RUS"]);
    assert!(table.lines().any(|l| l.starts_with("RUS (Russia)")));
    assert!(!table.lines().any(|l| l.starts_with("KAZ (")));
    // The rounds still name every member.
    assert!(procedure(&table)[0].contains("KAZ"));

    let text = ok(&[
        &shipped("kazakhstan_2022"),
        "--member",
        "KAZ",
        "--format",
        "csv",
    ]);
    assert_eq!(text.lines().count(), 1 + 4);
    let j = json("kazakhstan_2022", &["--member", "BLR"]);
    assert_eq!(j["members"].as_array().unwrap().len(), 1);
    assert_eq!(j["members"][0]["id"], "BLR");
}

/// In Kyrgyzstan 2010 Armenia abstains on the monitoring mission that
/// passes in round 2 under the scenario's unanimity. Under
/// `unanimity:abstention_blocks` the votes are the same, but that abstention
/// blocks: round 2 fails, blocked by Armenia alone, and the statement of
/// round 3 is adopted instead. Only the rule differs between the two.
#[test]
fn rule_override_changes_the_procedure() {
    let plain = json("kyrgyzstan_2010", &[]);
    let strict = json(
        "kyrgyzstan_2010",
        &["--rule", "unanimity:abstention_blocks"],
    );
    assert_eq!(plain["rule"], "consensus");
    assert_eq!(strict["rule"], "strict_unanimity");
    assert_eq!(plain["adopted"]["option"], "monitoring", "{plain}");
    assert_eq!(strict["adopted"]["option"], "statement", "{strict}");
    let (a, b) = (&plain["rounds"], &strict["rounds"]);
    assert_eq!(a.as_array().unwrap().len(), 2);
    assert_eq!(b.as_array().unwrap().len(), 3);
    assert_eq!(a[1]["option"], "monitoring");
    assert_eq!(
        a[1]["votes"], b[1]["votes"],
        "the rule does not change votes"
    );
    let armenia = a[1]["votes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["member"] == "ARM")
        .unwrap();
    assert_eq!(armenia["vote"], "abstain");
    assert_eq!(a[1]["passed"], true);
    assert_eq!(b[1]["passed"], false);
    assert_eq!(b[1]["blockers"], serde_json::json!(["ARM"]));
    assert_eq!(b[2]["option"], "statement");
    assert_eq!(b[2]["passed"], true);

    // The table says the same.
    let table = ok(&[
        &shipped("kyrgyzstan_2010"),
        "--rule",
        "unanimity:abstention_blocks",
    ]);
    let lines = procedure(&table);
    assert!(
        lines[1].starts_with("round 2: monitoring (level 2): failed")
            && lines[1].contains("blocked by ARM (abstained"),
        "{table}"
    );
    assert!(
        lines.contains(&"adopted: statement (level 1) in round 3"),
        "{table}"
    );
}

#[test]
fn unknown_member_is_refused_with_a_suggestion() {
    let err = bad(&[&shipped("kazakhstan_2022"), "--member", "KAX"]);
    assert!(err.contains("did you mean `KAZ`"), "{err}");
}

#[test]
fn bad_scenarios_and_arguments_are_refused() {
    let err = bad(&["no_such_file.toml"]);
    assert!(err.contains("no_such_file.toml"), "{err}");

    let dir = util::temp_with(&[("broken.toml", "[alliance]\ncapacity = 2\n")]);
    let path = dir.path().join("broken.toml");
    let err = bad(&[path.to_str().unwrap()]);
    assert!(err.contains("broken.toml"), "{err}");

    bad(&[&shipped("kazakhstan_2022"), "--format", "xml"]);
    bad(&[&shipped("kazakhstan_2022"), "--rule", "majorty"]);
}

/// Two members, no hegemon: both gain from acting.
const NO_HEGEMON: &str = r#"
[alliance]
capacity = 0.5
regions = ["r"]
crisis_types = ["t"]

[members.A]
region = "r"
military_spending = 1
gdp = 1
dependence = 0
sovereignty = 0.1
vulnerability = 0.5
threat = { t = 0.5 }
concern = { r = 1 }

[members.B]
region = "r"
military_spending = 1
gdp = 1
dependence = 0
sovereignty = 0.1
vulnerability = 0.5
threat = { t = 0.5 }
concern = { r = 1 }

[crisis]
requester = "B"
type = "t"
region = "r"
requested = "help"
severity = 0.5
domestic = 0
framing = 0
contagion = 0
legal_fit = 1
legitimacy = 1
credibility = 0.5
combat_risk = 0

[[options]]
id = "help"
effect = 1
troops = 0
intrusion = 0
"#;

#[test]
fn hegemon_majority_needs_a_hegemon() {
    let dir = util::temp_with(&[("pair.toml", NO_HEGEMON)]);
    let case = dir.path().join("pair.toml");
    let case = case.to_str().unwrap();
    let err = bad(&[case, "--rule", "hegemon_majority"]);
    assert!(err.contains("hegemon"), "{err}");
    // Without a hegemon nobody is pulled, and explain still works.
    let table = ok(&[case]);
    assert!(
        table.contains("adopted: help (level 1) in round 1"),
        "{table}"
    );
    assert!(table.contains("no hegemon, not pulled"), "{table}");
}
