//! Exact quotas and the double majority on the command line: a share that
//! sits exactly on the quota passes, a quota written as a fraction or as an
//! absolute number of votes or amount is compared exactly, `double_majority`
//! runs and sweeps on the EU rosters (which carry populations), labels come
//! back in the CSV files as written, and a rule that needs population on a
//! roster without it is refused with the member named.

use std::path::Path;

use crate::util::{self, fail, says, succeed, temp_with};

/// A scenario with `members` members, every parameter fixed and no noise:
/// the first `yes` members (the requester among them) vote yes on the one
/// option, the others no. `spending[i]` is member i's military spending, and
/// `population` adds a population to each member. `rule` is the `[rule]`
/// table's body, if any.
fn deterministic(
    members: usize,
    yes: usize,
    spending: &dyn Fn(usize) -> f64,
    population: Option<&dyn Fn(usize) -> f64>,
    rule: Option<&str>,
) -> String {
    let mut s = String::from(
        "[alliance]\ncapacity = 0.5\nregions = [\"r\"]\ncrisis_types = [\"unrest\"]\n\n",
    );
    for i in 0..members {
        let reservation = if i < yes { -10.0 } else { 10.0 };
        s.push_str(&format!(
            "[members.M{i:02}]\nregion = \"r\"\nmilitary_spending = {}\ngdp = 1\nsovereignty = 0.5\nvulnerability = 0.5\nreservation = {reservation}\nthreat = {{ unrest = 0.5 }}\nconcern = {{ r = 1.0 }}\n",
            spending(i)
        ));
        if let Some(p) = population {
            s.push_str(&format!("population = {}\n", p(i)));
        }
        s.push('\n');
    }
    s.push_str(
        "[crisis]\nrequester = \"M00\"\ntype = \"unrest\"\nregion = \"r\"\nrequested = \"act\"\n\
         severity = 0.8\ndomestic = 0.5\nframing = 0.5\ncontagion = 0.5\nlegal_fit = 0.5\n\
         legitimacy = 0.5\ncredibility = 0.5\ncombat_risk = 0.2\n\n\
         [[options]]\nid = \"act\"\neffect = 0.5\ntroops = 0.0\nintrusion = 0.0\n\n\
         [montecarlo]\nruns = 50\nnoise = 0\n",
    );
    if let Some(r) = rule {
        s.push_str(&format!("\n[rule]\n{r}\n"));
    }
    s
}

/// `outcomes.csv` of a run as (rule, option, count) rows.
fn outcomes(dir: &Path) -> Vec<(String, String, u64)> {
    let mut r = csv::Reader::from_path(dir.join("outcomes.csv")).unwrap();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (
                rec[1].to_string(),
                rec[2].to_string(),
                rec[5].parse().unwrap(),
            )
        })
        .collect()
}

/// Runs `file` in `dir` under `rule` and returns how many of the runs
/// adopted `act`, and the rule's label as `outcomes.csv` gives it.
fn adopted(dir: &Path, file: &str, rule: &str) -> (u64, String) {
    let out = format!("out-{}", rule.replace([':', '/', '.'], "_"));
    succeed(
        dir,
        &[
            "run",
            "-q",
            file,
            "--rule",
            rule,
            "--out",
            &out,
            "--no-report",
        ],
    );
    let stem = file.trim_end_matches(".toml");
    let rows = outcomes(&dir.join(&out).join(stem));
    let act = rows
        .iter()
        .find(|r| r.1 == "act")
        .expect("the option's row");
    (act.2, act.0.clone())
}

#[test]
fn a_qualified_majority_of_0_28_passes_at_exactly_7_of_25() {
    let text = deterministic(25, 7, &|_| 1.0, None, None);
    let tmp = temp_with(&[("q.toml", &text)]);
    let dir = tmp.path();
    // 7 of 25 is 0.28 exactly: every run adopts the option.
    for rule in [
        "qualified_majority:0.28",
        "qualified_majority:7/25",
        "qualified_majority:votes:7",
        "weighted:equal:0.28",
        "weighted:equal:amount:7",
    ] {
        let (count, label) = adopted(dir, "q.toml", rule);
        assert_eq!(count, 50, "{rule}");
        assert_eq!(label, rule, "the label comes back as written");
    }
    // One vote more asked for: never.
    for rule in [
        "qualified_majority:0.29",
        "qualified_majority:8/25",
        "qualified_majority:votes:8",
    ] {
        assert_eq!(adopted(dir, "q.toml", rule).0, 0, "{rule}");
    }
}

#[test]
fn a_security_council_quota_of_39_of_45_is_exact() {
    // Five members of weight 7 and ten of weight 1; the five and four others
    // vote yes: 39 of 45.
    let weight = |i: usize| if i < 5 { 7.0 } else { 1.0 };
    let text = deterministic(15, 9, &weight, None, None);
    let tmp = temp_with(&[("unsc.toml", &text)]);
    let dir = tmp.path();
    for rule in ["weighted:military:39/45", "weighted:military:amount:39"] {
        let (count, label) = adopted(dir, "unsc.toml", rule);
        assert_eq!((count, label.as_str()), (50, rule));
    }
    // 0.8666666666666667 is a little more than 39/45.
    assert_eq!(
        adopted(dir, "unsc.toml", "weighted:military:0.8666666666666667").0,
        0
    );
    assert_eq!(
        adopted(dir, "unsc.toml", "weighted:military:amount:39.5").0,
        0
    );
}

#[test]
fn quotas_in_the_rule_table_take_fractions_votes_and_amounts() {
    let weight = |i: usize| if i < 5 { 7.0 } else { 1.0 };
    let files = [
        (
            "share.toml",
            "kind = \"qualified_majority\"\nthreshold = \"3/5\"",
        ),
        ("votes.toml", "kind = \"qualified_majority\"\nvotes = 9"),
        (
            "float.toml",
            "kind = \"qualified_majority\"\nthreshold = 0.6",
        ),
        (
            "amount.toml",
            "kind = \"weighted\"\nattribute = \"military\"\namount = 39",
        ),
        (
            "quota.toml",
            "kind = \"weighted\"\nattribute = \"military\"\nquota = \"39/45\"",
        ),
    ];
    let texts: Vec<(String, String)> = files
        .iter()
        .map(|(name, rule)| {
            (
                name.to_string(),
                deterministic(15, 9, &weight, None, Some(rule)),
            )
        })
        .collect();
    let owned: Vec<(&str, &str)> = texts
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let tmp = temp_with(&owned);
    let dir = tmp.path();
    for (name, label) in [
        ("share.toml", "qualified_majority:3/5"),
        ("votes.toml", "qualified_majority:votes:9"),
        ("float.toml", "qualified_majority:0.6"),
        ("amount.toml", "weighted:military:amount:39"),
        ("quota.toml", "weighted:military:39/45"),
    ] {
        let o = succeed(dir, &["check", name]);
        says(&util::stdout(&o), &[&format!("rule {label}")]);
        succeed(dir, &["run", "-q", name, "--out", "out", "--no-report"]);
        let stem = name.trim_end_matches(".toml");
        let rows = outcomes(&dir.join("out").join(stem));
        let act = rows.iter().find(|r| r.1 == "act").unwrap();
        assert_eq!((act.0.as_str(), act.2), (label, 50), "{name}");
    }
}

#[test]
fn double_majority_runs_on_an_eu_case() {
    // Belarus, September 2020: only Cyprus (and rarely Hungary) stood in the
    // way. Under the double majority two members cannot block: every run
    // adopts the sanctions, while under unanimity Cyprus blocks some.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let case = util::root().join("scenarios/eu/belarus_2020_09.toml");
    let case = case.to_str().unwrap();
    for (rule, out) in [("double_majority", "dm"), ("unanimity", "un")] {
        succeed(
            dir,
            &[
                "run",
                "-q",
                case,
                "--rule",
                rule,
                "--runs",
                "2000",
                "--out",
                out,
                "--no-report",
            ],
        );
    }
    let dm = outcomes(&dir.join("dm/belarus_2020_09"));
    let un = outcomes(&dir.join("un/belarus_2020_09"));
    let sanctions = |rows: &[(String, String, u64)]| {
        rows.iter()
            .find(|r| r.1 == "targeted_sanctions")
            .map(|r| r.2)
            .unwrap()
    };
    assert!(dm.iter().all(|r| r.0 == "double_majority:0.55:0.65:4"));
    assert_eq!(sanctions(&dm), 2000);
    assert!(sanctions(&un) < 2000, "Cyprus blocks under unanimity");
    // `params` lists the populations, which a sweep can vary.
    let o = succeed(dir, &["params", case]);
    says(&util::stdout(&o), &["members.DEU.population"]);
}

#[test]
fn double_majority_with_a_blocking_minority_of_three_or_four() {
    // Ten members; the three largest hold 70% of the population and vote no.
    // Seven small members are 70% of members but 30% of the population.
    let pop = |i: usize| if i >= 7 { 700.0 / 3.0 } else { 300.0 / 7.0 };
    let text = deterministic(10, 7, &|_| 1.0, Some(&pop), None);
    let tmp = temp_with(&[("dm.toml", &text)]);
    let dir = tmp.path();
    // A blocking minority needs four members: three cannot block.
    let (count, label) = adopted(dir, "dm.toml", "double_majority");
    assert_eq!((count, label.as_str()), (50, "double_majority:0.55:0.65:4"));
    // With three enough, they do.
    let (count, label) = adopted(dir, "dm.toml", "double_majority:0.55:0.65:3");
    assert_eq!((count, label.as_str()), (0, "double_majority:0.55:0.65:3"));
    // The population alone, as a weighted rule.
    assert_eq!(adopted(dir, "dm.toml", "weighted:population:0.3").0, 0);
    assert_eq!(adopted(dir, "dm.toml", "weighted:population:0.29").0, 50);
}

#[test]
fn sweep_compares_rules_including_the_double_majority() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let case = util::root().join("scenarios/eu/belarus_2020_09.toml");
    let rules = [
        "unanimity",
        "double_majority",
        "double_majority:0.55:0.65:2",
        "qualified_majority:2/3",
        "weighted:population:0.65",
    ];
    succeed(
        dir,
        &[
            "sweep",
            "-q",
            case.to_str().unwrap(),
            "--vary",
            "members.CYP.reservation=0,0.5",
            "--rules",
            &rules.join(","),
            "--runs",
            "300",
            "--out",
            "out",
            "--no-report",
        ],
    );
    let mut r =
        csv::Reader::from_path(dir.join("out/belarus_2020_09-sweep/sweep_outcomes.csv")).unwrap();
    let headers = r.headers().unwrap().clone();
    let col = headers
        .iter()
        .position(|h| h == "rule")
        .expect("a rule column");
    let mut seen: Vec<String> = r
        .records()
        .map(|rec| rec.unwrap()[col].to_string())
        .collect();
    seen.dedup();
    seen.sort();
    seen.dedup();
    let mut expected = vec![
        "consensus",
        "double_majority:0.55:0.65:4",
        "double_majority:0.55:0.65:2",
        "qualified_majority:2/3",
        "weighted:population:0.65",
    ];
    expected.sort();
    assert_eq!(seen, expected);
}

#[test]
fn a_rule_that_counts_population_needs_it_of_every_member() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let case = util::shipped("kazakhstan_2022");
    for rule in ["double_majority", "weighted:population:0.5"] {
        for command in ["run", "sweep", "explain", "power", "validate"] {
            let rules = format!("unanimity,{rule}");
            let mut args = vec![command, case.as_str(), "--rule", rule];
            if command == "sweep" {
                args = vec![command, case.as_str(), "--rules", &rules];
            }
            if command != "explain" {
                args.extend(["--out", "out"]);
            }
            let err = fail(dir, &args);
            says(
                &err,
                &[
                    "csto/roster.toml:33:10: members.RUS.population",
                    "counts each member's population",
                ],
            );
        }
    }
    assert!(!dir.join("out").exists(), "nothing written");
    // A number of votes above the number of members.
    let err = fail(dir, &["run", &case, "--rule", "qualified_majority:votes:7"]);
    says(&err, &["7 yes votes", "6 members"]);
}
