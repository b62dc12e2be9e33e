//! The scenario features the alliance packs need: member defaults and
//! groups, what-if files that do not inherit history, files included once,
//! hostility toward the adversary, initiatives without a requester, the
//! requester's vote on its own request, and parties to the dispute. Each
//! test fails without its feature.

use std::path::Path;

use alliance_sim::model::{DecisionRule, Model, Vote};
use alliance_sim::runner::{simulate, Observers, Tally};
use alliance_sim::scenario::{load, load_str, Param, Scenario};

use crate::util;

fn inline(text: &str) -> Scenario {
    load_str(text, Path::new("features.toml")).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn tally(s: &Scenario, seed: u64, runs: u64) -> Tally {
    simulate(&Model::new(s, s.rule), seed, 0..runs, Observers::default()).unwrap()
}

fn fixed(p: &Param) -> f64 {
    match p {
        Param::Fixed(x) => *x,
        other => panic!("not fixed: {other:?}"),
    }
}

/// Settings shared by the small scenarios below: three members A, B, C, an
/// outsider X, one crisis type and region, two options.
const HEAD: &str = r#"
[alliance]
capacity = 0.5
regions = ["r", "s"]
crisis_types = ["t", "u"]
outsiders = { X = "Outsider" }
"#;

const TAIL: &str = r#"
[crisis]
requester = "A"
adversary = "X"
type = "t"
region = "r"
requested = "big"
severity = 0.6
domestic = 0.2
framing = 0.3
contagion = 0.4
legal_fit = 0.7
legitimacy = 0.8
credibility = 0.5
combat_risk = 0.3

[[options]]
id = "small"
effect = 0.2
troops = 0.05
intrusion = 0.05

[[options]]
id = "big"
effect = 0.8
troops = 0.5
intrusion = 0.4

[montecarlo]
noise = 0.2
"#;

const MEMBER_FACTS: &str = r#"
[members.A]
military_spending = 5
gdp = 50
[members.B]
military_spending = 3
gdp = 20
[members.C]
military_spending = 1
gdp = 10
"#;

#[test]
fn defaults_and_groups_fill_members_in_order_of_precedence() {
    let text = format!(
        r#"{HEAD}
[defaults]
region = "r"
dependence = 0.1
sovereignty = 0.2
vulnerability = 0.3
threat = {{ t = 0.4, u = 0.9 }}
concern = {{ r = 0.5 }}
affinity = {{ members = 0.1, X = -0.2 }}
weights = {{ cost = 2 }}

[groups.first]
members = ["B", "C"]
sovereignty = 0.6
affinity = {{ first = 0.7 }}

[groups.second]
members = ["C"]
sovereignty = 0.8
concern = {{ r = 0.9 }}

{MEMBER_FACTS}
[members.C.affinity]
B = -0.5
[members.C.weights]
cost = 3
{TAIL}"#
    );
    let s = inline(&text);
    let [a, b, c] = [&s.members[0], &s.members[1], &s.members[2]];
    // Defaults where nothing else speaks.
    assert_eq!(fixed(&a.sovereignty), 0.2);
    assert_eq!(fixed(&a.dependence), 0.1);
    assert_eq!(fixed(&a.threat[0].clone().unwrap()), 0.4);
    assert_eq!(fixed(&a.weights.cost), 2.0);
    // A group wins over the defaults; the later group over the earlier.
    assert_eq!(fixed(&b.sovereignty), 0.6);
    assert_eq!(fixed(&c.sovereignty), 0.8);
    assert_eq!(fixed(&c.concern[0].clone().unwrap()), 0.9);
    assert_eq!(fixed(&b.concern[0].clone().unwrap()), 0.5);
    // The member's own value wins over everything.
    assert_eq!(fixed(&c.weights.cost), 3.0);
    assert_eq!(fixed(&c.weights.security), 1.0, "built-in default");
    // Affinity: the exact id, then a group containing the actor, then `members`.
    let aff = |m: &alliance_sim::scenario::Member, i: usize| fixed(&m.affinity[i]);
    assert_eq!(aff(a, 1), 0.1, "A toward B: members");
    assert_eq!(aff(b, 2), 0.7, "B toward C: group `first`");
    assert_eq!(aff(b, 0), 0.1, "B toward A, not in `first`: members");
    assert_eq!(aff(c, 1), -0.5, "C toward B: its own value");
    assert_eq!(aff(c, 3), -0.2, "C toward the outsider X: defaults");
    // Never toward itself.
    assert_eq!(aff(b, 1), 0.0);
}

#[test]
fn a_roster_with_defaults_simulates_like_the_same_roster_written_out() {
    let short = format!(
        r#"{HEAD}
[defaults]
region = "r"
dependence = 0.4
sovereignty = 0.5
vulnerability = 0.3
threat = {{ t = 0.6 }}
concern = {{ r = 0.8 }}
affinity = {{ members = 0.5, X = 0.3 }}
[groups.hawks]
members = ["B"]
affinity = {{ X = -0.8 }}
{MEMBER_FACTS}{TAIL}"#
    );
    let member = |id: &str, spending: u32, gdp: u32, affinity: &str| {
        format!(
            "[members.{id}]\nregion = \"r\"\nmilitary_spending = {spending}\ngdp = {gdp}\n\
             dependence = 0.4\nsovereignty = 0.5\nvulnerability = 0.3\nthreat = {{ t = 0.6 }}\n\
             concern = {{ r = 0.8 }}\naffinity = {{ {affinity} }}\n"
        )
    };
    let long = format!(
        "{HEAD}{}{}{}{TAIL}",
        member("A", 5, 50, "B = 0.5, C = 0.5, X = 0.3"),
        member("B", 3, 20, "A = 0.5, C = 0.5, X = -0.8"),
        member("C", 1, 10, "A = 0.5, B = 0.5, X = 0.3"),
    );
    let (a, b) = (
        tally(&inline(&short), 3, 5000),
        tally(&inline(&long), 3, 5000),
    );
    assert_eq!(a, b);
    // Not degenerate: the group's hostility matters.
    let without = short.replace("affinity = { X = -0.8 }", "");
    assert_ne!(tally(&inline(&without), 3, 5000), a);
}

#[test]
fn a_what_if_does_not_inherit_the_historical_outcome_unless_it_says_so() {
    let kaz = util::scenario("kazakhstan_2022").display().to_string();
    let what_if = format!("include = [{kaz:?}]\n\n[rule]\nkind = \"majority\"\n");
    let tmp = util::temp_with(&[
        ("what_if.toml", &what_if),
        (
            "inherits.toml",
            &format!("include = [{kaz:?}]\n\n[expected]\ninherit = true\n"),
        ),
        (
            "own.toml",
            &format!(
                "include = [{kaz:?}]\n\n[expected]\noutcome = [\"no_action\", \"statement\"]\n"
            ),
        ),
    ]);
    let s = load(&tmp.path().join("what_if.toml")).unwrap();
    assert!(s.expected.is_none());
    let s = load(&tmp.path().join("inherits.toml")).unwrap();
    let e = s.expected.clone().expect("inherited");
    assert_eq!(
        e.levels,
        vec![s.option_level("limited_deployment").unwrap()]
    );
    assert!(e.source.contains("Choi"), "the source comes along");
    let s = load(&tmp.path().join("own.toml")).unwrap();
    assert_eq!(s.expected.unwrap().levels, vec![0, 1]);

    // `run` does not mark the what-if's outcomes "(historical)", and a
    // folder validation skips it.
    let out = tmp.path().join("out").display().to_string();
    let o = util::succeed(
        tmp.path(),
        &[
            "run",
            "what_if.toml",
            "--runs",
            "200",
            "--out",
            &out,
            "--no-report",
        ],
    );
    assert!(!util::stdout(&o).contains("(historical)"));
    std::fs::remove_file(tmp.path().join("inherits.toml")).unwrap();
    std::fs::remove_file(tmp.path().join("own.toml")).unwrap();
    let folder = tmp.path().display().to_string();
    let err = util::fail(
        tmp.path(),
        &[
            "validate", &folder, "--runs", "100", "--out", &out, "--quiet",
        ],
    );
    assert!(err.contains("skipped 1 file without [expected]"), "{err}");
}

#[test]
fn a_file_reached_twice_is_applied_once() {
    // main includes base, then tweak (which overrides base), then other
    // (which includes base again): base must not undo tweak.
    let tmp = util::temp_with(&[
        ("base.toml", &format!("{HEAD}{MEMBER_FACTS}\n[defaults]\nregion = \"r\"\ndependence = 0.4\nsovereignty = 0.5\nvulnerability = 0.3\nthreat = {{ t = 0.6 }}\nconcern = {{ r = 0.8 }}\n")),
        ("tweak.toml", "[members.B]\nsovereignty = 0.9\n"),
        ("other.toml", "include = [\"base.toml\"]\n\n[members.C]\nsovereignty = 0.1\n"),
        (
            "main.toml",
            &format!("include = [\"base.toml\", \"tweak.toml\", \"other.toml\"]\n{TAIL}"),
        ),
    ]);
    let s = load(&tmp.path().join("main.toml")).unwrap();
    assert_eq!(fixed(&s.members[1].sovereignty), 0.9, "the override stands");
    assert_eq!(fixed(&s.members[2].sovereignty), 0.1);
    assert_eq!(s.sources.len(), 4, "each file read once");
}

/// The small scenario with member B's affinity toward the adversary set to
/// `affinity`, B otherwise indifferent (every weight 0 but external).
fn hostility(affinity: f64) -> Scenario {
    let text = format!(
        r#"{HEAD}
[defaults]
region = "r"
dependence = 0
sovereignty = 0.5
vulnerability = 0.3
threat = {{ t = 0.6 }}
concern = {{ r = 0.8 }}
{MEMBER_FACTS}
[members.B.affinity]
X = {affinity}
[members.B.weights]
security = 0
regime = 0
partner = 0
credibility = 0
sovereignty = 0
cost = 0
external = 1
{TAIL}"#
    )
    .replace("noise = 0.2", "noise = 0");
    inline(&text)
}

#[test]
fn hostility_toward_the_adversary_raises_support() {
    let votes_of_b = |affinity: f64| {
        let s = hostility(affinity);
        let model = Model::new(&s, s.rule);
        let mut scratch = model.scratch();
        let mut rng = alliance_sim::runner::run_rng(1, 0);
        model.simulate(&mut rng, &mut scratch);
        scratch.requested_votes[1]
    };
    // U_B(big) = e·(0 − a): friendly ties oppose, indifference abstains,
    // hostility supports.
    assert_eq!(votes_of_b(0.5), Vote::No);
    assert_eq!(votes_of_b(0.0), Vote::Abstain);
    assert_eq!(votes_of_b(-0.5), Vote::Yes);
}

#[test]
fn the_requester_votes_yes_on_its_request_in_every_run_under_every_rule() {
    let s = load(&util::scenario("kyrgyzstan_2010")).unwrap();
    let q = s.crisis.requester.unwrap();
    for rule in [
        s.rule,
        DecisionRule::Majority,
        DecisionRule::Unanimity {
            abstention_blocks: true,
        },
    ] {
        let t = simulate(&Model::new(&s, rule), 9, 0..3000, Observers::default()).unwrap();
        assert_eq!(t.votes[q], [3000, 0, 0], "{rule}");
    }
}

#[test]
fn an_initiative_has_no_requester_and_no_partner_term() {
    let text = format!("{HEAD}[defaults]\nregion = \"r\"\ndependence = 0.3\nsovereignty = 0.5\nvulnerability = 0.3\nthreat = {{ t = 0.6 }}\nconcern = {{ r = 0.8 }}\naffinity = {{ members = 0.9 }}\n{MEMBER_FACTS}{TAIL}")
        .replace("requester = \"A\"", "sponsor = \"the presidency\"")
        .replace("legitimacy = 0.8\n", "");
    let s = inline(&text);
    assert_eq!(s.crisis.requester, None);
    assert_eq!(s.crisis.sponsor, "the presidency");
    let x = Model::new(&s, s.rule).explain(&s);
    assert_eq!(x.requester, None);
    assert_eq!(x.inputs.importance, 0.0);
    assert!(x.members.iter().all(|m| m.components.partner == 0.0));
    // No member is treated as the requester: equal members, equal terms.
    let text2 = text.replace(
        "military_spending = 5\ngdp = 50",
        "military_spending = 3\ngdp = 20",
    );
    let s2 = inline(&text2);
    let x2 = Model::new(&s2, s2.rule).explain(&s2);
    assert_eq!(x2.members[0].components, x2.members[1].components);

    let tmp = util::temp_with(&[("initiative.toml", &text)]);
    let o = util::succeed(tmp.path(), &["explain", "initiative.toml"]);
    assert!(
        util::stdout(&o).contains("the presidency proposes big"),
        "{}",
        util::stdout(&o)
    );
    let out = tmp.path().join("out").display().to_string();
    let o = util::succeed(
        tmp.path(),
        &[
            "run",
            "initiative.toml",
            "--runs",
            "300",
            "--out",
            &out,
            "--no-report",
        ],
    );
    assert!(
        util::stdout(&o).contains("proposed by the presidency: big (level 2)"),
        "{}",
        util::stdout(&o)
    );
}

#[test]
fn an_excluded_party_does_not_vote_and_does_not_count() {
    let base = format!("{HEAD}[defaults]\nregion = \"r\"\ndependence = 0.3\nsovereignty = 0.5\nvulnerability = 0.3\nthreat = {{ t = 0.6 }}\nconcern = {{ r = 0.8 }}\n{MEMBER_FACTS}[members.C.weights]\nexternal = 3\n{TAIL}")
        .replace("adversary = \"X\"", "adversary = \"C\"");
    // The adversary C is a party by default; under `excluded` it is absent.
    let excluded = inline(&format!(
        "{base}\n[rule]\nkind = \"unanimity\"\nparty_vote = \"excluded\"\n"
    ));
    assert_eq!(excluded.crisis.parties, vec![2]);
    let t = tally(&excluded, 4, 2000);
    assert_eq!(t.votes[2], [0, 0, 0], "counted under no vote");
    assert_eq!(t.blocked[2], 0);
    // Voting, the adversary opposes action against itself and blocks it.
    let voting = inline(&base);
    let t_voting = tally(&voting, 4, 2000);
    assert!(t_voting.blocked[2] > 1900, "{:?}", t_voting.blocked);
    assert!(t.levels[2] > t_voting.levels[2]);

    let tmp = util::temp_with(&[(
        "party.toml",
        &format!("{base}\n[rule]\nkind = \"majority\"\nparty_vote = \"excluded\"\n"),
    )]);
    let o = util::succeed(tmp.path(), &["explain", "party.toml"]);
    let text = util::stdout(&o);
    assert!(text.contains("parties to the dispute: C"), "{text}");
    assert!(text.contains("of 2 yes"), "two members take part:\n{text}");
    let out = tmp.path().join("out").display().to_string();
    let o = util::succeed(
        tmp.path(),
        &[
            "run",
            "party.toml",
            "--runs",
            "300",
            "--out",
            &out,
            "--no-report",
        ],
    );
    let text = util::stdout(&o);
    assert!(
        text.contains("C       absent: a party to the dispute, excluded from the vote"),
        "{text}"
    );
}

#[test]
fn dependence_may_be_left_out_without_a_hegemon() {
    let text = format!("{HEAD}[defaults]\nregion = \"r\"\nsovereignty = 0.5\nvulnerability = 0.3\nthreat = {{ t = 0.6 }}\nconcern = {{ r = 0.8 }}\n{MEMBER_FACTS}{TAIL}");
    let s = inline(&text);
    assert!(s.members.iter().all(|m| fixed(&m.dependence) == 0.0));
    let with_hegemon = text.replace("capacity = 0.5", "capacity = 0.5\nhegemon = \"A\"");
    let e = load_str(&with_hegemon, Path::new("h.toml")).unwrap_err();
    assert_eq!(e.field, "members.B.dependence");
}

/// With one recorded blocker, the share of runs in which exactly it blocked
/// is its sole-blocker share, which `run` reports in members.csv.
#[test]
fn blockers_share_agrees_with_the_sole_blocker_share() {
    let case = util::root()
        .join("scenarios")
        .join("eu")
        .join("belarus_2020_09.toml");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let out_s = out.display().to_string();
    let case_s = case.display().to_string();
    let common = ["--runs", "2000", "--seed", "5", "--out", &out_s, "--quiet"];
    let mut v = vec!["validate", &case_s];
    v.extend(common);
    util::succeed(tmp.path(), &v);
    let mut r = vec!["run", &case_s, "--no-report"];
    r.extend(common);
    util::succeed(tmp.path(), &r);
    let cell = |path: &Path, key: &str, value: &str, col: &str| -> String {
        let mut rd = csv::Reader::from_path(path).unwrap();
        let h = rd.headers().unwrap().clone();
        let ki = h.iter().position(|x| x == key).unwrap();
        let ci = h.iter().position(|x| x == col).unwrap();
        rd.records()
            .map(|r| r.unwrap())
            .find(|r| &r[ki] == value)
            .map(|r| r[ci].to_string())
            .unwrap()
    };
    let p = cell(
        &out.join("validation").join("validation.csv"),
        "scenario",
        "belarus_2020_09",
        "p_blockers",
    );
    let sole = cell(
        &out.join("belarus_2020_09").join("members.csv"),
        "member",
        "CYP",
        "p_sole_blocker",
    );
    assert_eq!(p, sole);
    assert!(p.parse::<f64>().unwrap() > 0.0);
}

/// `[set]` is applied after every table of every file: it wins over a
/// member's own value, sets every member through a pattern, and a
/// scenario with the overlay simulates exactly like one with the values
/// written in place.
#[test]
fn set_applies_parameter_paths_after_everything_else() {
    let case = util::scenario("kazakhstan_2022");
    let tmp = util::temp_with(&[
        (
            "overlay.toml",
            "[set]\n\"noise\" = 0.25\n\"members.*.weights.cost\" = 2.5\n\"members.KAZ.dependence\" = 0.3\n",
        ),
        (
            "with_overlay.toml",
            &format!(
                "include = [\"{}\", \"overlay.toml\"]\n\n[members.RUS.weights]\ncost = 9.0\n",
                case.display()
            ),
        ),
    ]);
    let with = load(&tmp.path().join("with_overlay.toml")).unwrap();
    assert_eq!(with.montecarlo.noise, 0.25);
    assert!(
        with.members.iter().all(|m| fixed(&m.weights.cost) == 2.5),
        "the pattern wins over RUS's own 9.0"
    );
    let kaz = with.member_index("KAZ").unwrap();
    assert_eq!(fixed(&with.members[kaz].dependence), 0.3);

    // The same values written in place, without [set].
    let mut by_hand = load(&case).unwrap();
    by_hand.montecarlo.noise = 0.25;
    for m in &mut by_hand.members {
        m.weights.cost = Param::Fixed(2.5);
    }
    by_hand.members[kaz].dependence = Param::Fixed(0.3);
    let (a, b) = (tally(&with, 5, 20_000), tally(&by_hand, 5, 20_000));
    assert_eq!(a.levels, b.levels);
    assert_ne!(
        a.levels,
        tally(&load(&case).unwrap(), 5, 20_000).levels,
        "the overlay changes something"
    );
}
