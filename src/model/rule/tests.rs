//! Unit tests of the rules: boundaries exactly on the quota, absent members,
//! the double majority's blocking minority, and the labels.

use super::*;
use crate::model::quota::exact_units;
use Vote::*;

const UN: DecisionRule = DecisionRule::Unanimity {
    abstention_blocks: false,
};
const UN_STRICT: DecisionRule = DecisionRule::Unanimity {
    abstention_blocks: true,
};

fn r(s: &str) -> Ratio {
    s.parse().unwrap()
}

fn rule(s: &str) -> DecisionRule {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// `yes` votes Yes followed by `no` votes No.
fn votes(yes: usize, no: usize) -> Vec<Vote> {
    let mut v = vec![Yes; yes];
    v.extend(vec![No; no]);
    v
}

#[test]
fn unanimity_lets_abstention_through_unless_told_otherwise() {
    let w = [1.0; 3];
    assert!(UN.passes(&[Yes, Yes, Yes], &w, None));
    assert!(UN.passes(&[Yes, Abstain, Abstain], &w, None));
    assert!(!UN.passes(&[Abstain, Abstain, Abstain], &w, None));
    assert!(!UN.passes(&[Yes, Yes, No], &w, None));
    assert!(!UN_STRICT.passes(&[Yes, Abstain, Yes], &w, None));
    assert!(UN_STRICT.passes(&[Yes, Yes, Yes], &w, None));
    assert!(UN_STRICT.counts_as_block(Abstain));
    assert!(!UN.counts_as_block(Abstain));
    assert!(UN.counts_as_block(No));
}

#[test]
fn majorities() {
    let w = [1.0; 4];
    assert!(!DecisionRule::Majority.passes(&[Yes, Yes, No, No], &w, None));
    assert!(DecisionRule::Majority.passes(&[Yes, Yes, Yes, No], &w, None));
    let q = rule("qualified_majority:0.75");
    assert!(q.passes(&[Yes, Yes, Yes, Abstain], &w, None));
    assert!(!q.passes(&[Yes, Yes, No, Abstain], &w, None));
    let q67 = rule("qualified_majority:0.67");
    // 4 of 6 is 0.666..., short of 0.67; 2/3 is reached exactly.
    assert!(!q67.passes(&votes(4, 2), &[1.0; 6], None));
    assert!(rule("qualified_majority:2/3").passes(&votes(4, 2), &[1.0; 6], None));
    assert!(!rule("qualified_majority:2/3").passes(&votes(3, 3), &[1.0; 6], None));
}

#[test]
fn a_share_exactly_on_the_quota_passes() {
    // 0.28 * 25.0 is 7.000000000000001 in floating point: 7 yes of 25 used
    // to fail. Exactly, 7/25 is 0.28.
    let q = rule("qualified_majority:0.28");
    let w = [1.0; 25];
    assert!(q.passes(&votes(7, 18), &w, None));
    assert!(!q.passes(&votes(6, 19), &w, None));
    // The same as a weighted rule with one unit per member.
    let e = rule("weighted:equal:0.28");
    let units = [1u64; 25];
    let exact = RuleWeights::Exact {
        units: &units,
        per_unit: 1,
    };
    assert!(e.passes(&votes(7, 18), exact, None));
    assert!(!e.passes(&votes(6, 19), exact, None));
    // Every share k/n of n members is reached by exactly k yes votes.
    for n in 1..=40usize {
        for k in 1..=n {
            let q = rule(&format!("qualified_majority:{k}/{n}"));
            let w = vec![1.0; n];
            assert!(q.passes(&votes(k, n - k), &w, None), "{k}/{n}");
            assert!(!q.passes(&votes(k - 1, n - k + 1), &w, None), "{k}/{n}");
        }
    }
}

#[test]
fn a_number_of_votes() {
    let q = rule("qualified_majority:votes:15");
    let w = [1.0; 27];
    assert!(q.passes(&votes(15, 12), &w, None));
    assert!(!q.passes(&votes(14, 13), &w, None));
    // Absent members do not lower the count needed.
    let mut v = votes(14, 10);
    v.extend([Absent; 3]);
    assert!(!q.passes(&v, &w, None));
}

/// The UN Security Council since 1965: five members of weight 7 and ten of
/// weight 1, 45 in all; a resolution needs 39 (the five and four others).
#[test]
fn the_security_council_quota_of_39_of_45() {
    let units = [7, 7, 7, 7, 7, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1u64];
    let w = RuleWeights::Exact {
        units: &units,
        per_unit: 1,
    };
    let four_others = votes(9, 6);
    let three_others = votes(8, 7);
    let exact = rule("weighted:military:39/45");
    assert!(exact.passes(&four_others, w, None));
    assert!(!exact.passes(&three_others, w, None));
    // 0.8666666666666667 is a little above 39/45: 39 of 45 falls short.
    let decimal = rule("weighted:military:0.8666666666666667");
    assert!(!decimal.passes(&four_others, w, None));
    // The amount 39 is the same game.
    let amount = rule("weighted:military:amount:39");
    assert!(amount.passes(&four_others, w, None));
    assert!(!amount.passes(&three_others, w, None));
    // A permanent member's no blocks.
    let mut veto = four_others.clone();
    veto[0] = No;
    veto[9] = Yes;
    assert!(!exact.passes(&veto, w, None));
}

#[test]
fn an_amount_counts_in_the_attribute_own_unit() {
    // Spending 52.8, 52.7, 5.5 and 0.48 (billions): 100 units per billion.
    let (units, per_unit) = exact_units(&[52.8, 52.7, 5.5, 0.48]).unwrap();
    let w = RuleWeights::Exact {
        units: &units,
        per_unit,
    };
    assert!(rule("weighted:military:amount:105.5").passes(&[Yes, Yes, No, No], w, None));
    assert!(!rule("weighted:military:amount:105.51").passes(&[Yes, Yes, No, No], w, None));
    // The floating-point form agrees where the sums are exact.
    let f = [52.8, 52.7, 5.5, 0.48];
    assert!(!rule("weighted:military:amount:106").passes(&[Yes, Yes, No, No], &f, None));
    assert!(rule("weighted:military:amount:105").passes(&[Yes, Yes, No, No], &f, None));
}

#[test]
fn weighted_and_hegemon() {
    let w = [0.95, 0.03, 0.02];
    let r = rule("weighted:military:0.9");
    assert!(r.passes(&[Yes, No, No], &w, Some(0)));
    assert!(!r.passes(&[No, Yes, Yes], &w, Some(0)));
    let h = DecisionRule::HegemonMajority;
    assert!(h.passes(&[Yes, Yes, No], &w, Some(0)));
    assert!(!h.passes(&[No, Yes, Yes], &w, Some(0)));
    assert!(!h.passes(&[Yes, No, No], &w, Some(0)));
    assert!(!h.passes(&[Yes, Yes, Yes], &w, None));
}

#[test]
fn absent_members_count_in_neither_total() {
    // 2 of the 3 taking part reach 2/3; the absent fourth does not count.
    let q = rule("qualified_majority:2/3");
    assert!(q.passes(&[Yes, Yes, No, Absent], &[1.0; 4], None));
    assert!(!q.passes(&[Yes, Yes, No, No], &[1.0; 4], None));
    // Nobody taking part: nothing passes.
    assert!(!q.passes(&[Absent, Absent], &[1.0; 2], None));
    // The absent member's weight leaves the total.
    let units = [50u64, 30, 20];
    let w = RuleWeights::Exact {
        units: &units,
        per_unit: 1,
    };
    let half = rule("weighted:military:0.6");
    assert!(!half.passes(&[Yes, No, No], w, None));
    assert!(half.passes(&[Yes, No, Absent], w, None));
    // The same in floating point.
    assert!(half.passes(&[Yes, No, Absent], &[50.0, 30.0, 20.0], None));
}

#[test]
fn the_double_majority_needs_members_and_population() {
    let dm = DecisionRule::double_majority();
    assert_eq!(dm.to_string(), "double_majority:0.55:0.65:4");
    assert_eq!(dm.attribute(), Some(Attribute::Population));
    // Ten members; the first three hold most of the population.
    let pop = [300u64, 250, 150, 50, 50, 50, 50, 40, 30, 30];
    let w = RuleWeights::Exact {
        units: &pop,
        per_unit: 1,
    };
    // All but the three largest: 7 of 10 members but 300 of 1,000 people.
    let small = [No, No, No, Yes, Yes, Yes, Yes, Yes, Yes, Yes];
    // With a blocking minority of at least 4 members, the three large ones
    // cannot block: the population test is deemed met.
    assert!(dm.passes(&small, w, None));
    let three_block = rule("double_majority:0.55:0.65:3");
    assert!(!three_block.passes(&small, w, None));
    // An abstention counts as not yes, toward the blocking minority too.
    let mut abstaining = small;
    abstaining[3] = Abstain;
    assert!(!dm.passes(&abstaining, w, None));
    assert!(dm.counts_as_block(Abstain));
    assert!(dm.counts_as_block(No));
    assert!(!dm.counts_as_block(Yes));
    // The large three and three small: 6 of 10 (0.6 ≥ 0.55), 850 of 1,000.
    let large = [Yes, Yes, Yes, Yes, Yes, Yes, No, No, No, No];
    assert!(dm.passes(&large, w, None));
    // Five of ten members hold 800 but are short of 55% of members.
    let five = [Yes, Yes, Yes, Yes, Yes, No, No, No, No, No];
    assert!(!dm.passes(&five, w, None));
}

#[test]
fn double_majority_exactly_on_the_population_quota() {
    // Populations written 0.1, 0.2, 2.3 (yes) and 0.7, 0.7 (no): exactly 65%
    // of 4.0, which sums in floating point miss (2.6 < 0.65 * 4.0).
    let values = [0.1, 0.2, 2.3, 0.7, 0.7];
    let (units, per_unit) = exact_units(&values).unwrap();
    let w = RuleWeights::Exact {
        units: &units,
        per_unit,
    };
    let v = [Yes, Yes, Yes, No, No];
    let one = rule("double_majority:0.55:0.65:1");
    assert!(one.passes(&v, w, None));
    assert!(!rule("double_majority:0.55:0.66:1").passes(&v, w, None));
    let float_yes: f64 = values[..3].iter().sum();
    let float_total: f64 = values.iter().sum();
    assert!(
        float_yes < 0.65 * float_total,
        "the float comparison misses it"
    );
}

#[test]
fn double_majority_with_fewer_members_than_a_blocking_minority() {
    let dm = DecisionRule::double_majority();
    let pop = [10.0, 1.0, 1.0];
    // 2 of 3 members (≥ 55%) with 2 of 12 people: one member outside cannot
    // block.
    assert!(dm.passes(&[No, Yes, Yes], &pop, None));
    // The members test still applies: 1 of 3 is short of 55%.
    assert!(!dm.passes(&[Yes, No, No], &pop, None));
    // Absent members count in neither total: 1 of the 2 taking part is 50%.
    assert!(!dm.passes(&[Absent, Yes, No], &pop, None));
    assert!(dm.passes(&[Absent, Yes, Yes], &pop, None));
    assert!(!dm.passes(&[Absent, Absent, Absent], &pop, None));
}

#[test]
fn double_majority_leaves_out_absent_population() {
    let pop = [400u64, 100, 100, 100, 100, 100, 100];
    let w = RuleWeights::Exact {
        units: &pop,
        per_unit: 1,
    };
    let one = rule("double_majority:0.55:0.65:1");
    // Six small members vote yes: 600 of 1,000 people, short of 65%...
    let v = [No, Yes, Yes, Yes, Yes, Yes, Yes];
    assert!(!one.passes(&v, w, None));
    // ...but with the large member absent, 600 of 600.
    let v = [Absent, Yes, Yes, Yes, Yes, Yes, Yes];
    assert!(one.passes(&v, w, None));
}

#[test]
fn labels_round_trip() {
    for s in [
        "consensus",
        "strict_unanimity",
        "majority",
        "qualified_majority:0.67",
        "qualified_majority:2/3",
        "qualified_majority:votes:15",
        "weighted:military:0.5",
        "weighted:military:39/45",
        "weighted:military:amount:39",
        "weighted:economic:amount:1250.5",
        "weighted:population:0.65",
        "weighted:equal:1",
        "hegemon_majority",
        "double_majority:0.55:0.65:4",
        "double_majority:11/20:13/20:3",
    ] {
        let r: DecisionRule = s.parse().unwrap();
        assert_eq!(r.to_string(), s);
        assert_eq!(r.to_string().parse::<DecisionRule>().unwrap(), r);
    }
    // Today's forms keep their labels.
    assert_eq!(
        rule("qualified_majority:0.670").to_string(),
        "qualified_majority:0.67"
    );
    assert_eq!(
        rule("qualified_majority:.5").to_string(),
        "qualified_majority:0.5"
    );
    assert_eq!(
        rule("qualified_majority:5e-1").to_string(),
        "qualified_majority:0.5"
    );
    assert_eq!(rule("double_majority"), rule("double_majority:0.55:0.65:4"));
}

#[test]
fn bad_rules_explain_themselves() {
    let e = "consensos".parse::<DecisionRule>().unwrap_err();
    assert_eq!(e.help.as_deref(), Some("did you mean `consensus`?"));
    let e = "strict_unanimty".parse::<DecisionRule>().unwrap_err();
    assert_eq!(e.help.as_deref(), Some("did you mean `strict_unanimity`?"));
    // A misspelt older name is pointed at the older name and the new ones.
    let e = "unanimty".parse::<DecisionRule>().unwrap_err();
    let help = e.help.unwrap();
    assert!(
        help.contains("`unanimity`") && help.contains("`consensus`"),
        "{help}"
    );
    let e = "double_majorty".parse::<DecisionRule>().unwrap_err();
    assert_eq!(e.help.as_deref(), Some("did you mean `double_majority`?"));
    assert!("qualified_majority".parse::<DecisionRule>().is_err());
    let e = "qualified_majority:1.5"
        .parse::<DecisionRule>()
        .unwrap_err();
    assert!(
        e.message.contains("(0, 1]") && e.message.contains("1.5"),
        "{e}"
    );
    let e = "qualified_majority:15".parse::<DecisionRule>().unwrap_err();
    assert!(e.message.contains("qualified_majority:votes:15"), "{e}");
    for bad in [
        "qualified_majority:votes:0",
        "qualified_majority:votes:2.5",
        "qualified_majority:votes:x",
        "qualified_majority:0",
        "qualified_majority:-0.5",
        "qualified_majority:2/0",
        "qualified_majority:0.2800000000000000000001",
        "qualified_majority:inf",
        "weighted:military:amount:0",
        "weighted:military:1.01",
        "weighted:military",
        "double_majority:0.55:0.65",
        "double_majority:0.55:0.65:0",
        "double_majority:0.55:1.2:4",
        "double_majority:0.55:0.65:four",
        "majority:0.5",
        "consensus:abstention_blocks",
        "strict_unanimity:abstention_blocks",
        "unanimity:abstention_counts",
    ] {
        let e = bad.parse::<DecisionRule>().unwrap_err();
        assert!(!e.message.is_empty(), "{bad}");
    }
    let e = "weighted:militery:0.5".parse::<DecisionRule>().unwrap_err();
    assert!(e.help.unwrap().contains("military"));
    let e = "weighted:populaton:0.5"
        .parse::<DecisionRule>()
        .unwrap_err();
    assert!(e.help.unwrap().contains("population"));
    let threshold = RuleParts {
        threshold: Some(r("0.5")),
        ..RuleParts::default()
    };
    assert!(DecisionRule::from_parts("majority", &threshold).is_err());
    let both = RuleParts {
        threshold: Some(r("0.5")),
        votes: Some(r("3")),
        ..RuleParts::default()
    };
    let e = DecisionRule::from_parts("qualified_majority", &both).unwrap_err();
    assert!(e.message.contains("not both"), "{e}");
    let blocking = RuleParts {
        blocking: Some(3),
        ..RuleParts::default()
    };
    assert_eq!(
        DecisionRule::from_parts("double_majority", &blocking)
            .unwrap()
            .to_string(),
        "double_majority:0.55:0.65:3"
    );
}

#[test]
fn older_names_are_aliases_of_the_new() {
    // `unanimity` was the label of consensus, `unanimity:abstention_blocks`
    // that of strict unanimity: both read as the same rule, labelled anew.
    assert_eq!(rule("unanimity"), UN);
    assert_eq!(rule("consensus"), UN);
    assert_eq!(rule("unanimity:abstention_blocks"), UN_STRICT);
    assert_eq!(rule("strict_unanimity"), UN_STRICT);
    assert_eq!(UN.to_string(), "consensus");
    assert_eq!(UN_STRICT.to_string(), "strict_unanimity");
    // The `[rule]` table: `kind = "unanimity"` with or without
    // `abstention_blocks`, and the new kinds, which take no such key.
    let blocks = RuleParts {
        abstention_blocks: Some(true),
        ..RuleParts::default()
    };
    let lets_through = RuleParts {
        abstention_blocks: Some(false),
        ..RuleParts::default()
    };
    let none = RuleParts::default();
    assert_eq!(DecisionRule::from_parts("unanimity", &none).unwrap(), UN);
    assert_eq!(
        DecisionRule::from_parts("unanimity", &lets_through).unwrap(),
        UN
    );
    assert_eq!(
        DecisionRule::from_parts("unanimity", &blocks).unwrap(),
        UN_STRICT
    );
    assert_eq!(DecisionRule::from_parts("consensus", &none).unwrap(), UN);
    assert_eq!(
        DecisionRule::from_parts("strict_unanimity", &none).unwrap(),
        UN_STRICT
    );
    for kind in ["consensus", "strict_unanimity"] {
        let e = DecisionRule::from_parts(kind, &blocks).unwrap_err();
        assert!(e.message.contains("does not apply"), "{e}");
        assert!(e.help.unwrap().contains("strict_unanimity"));
    }
    assert!(RULE_NAMES.contains(&"consensus") && RULE_NAMES.contains(&"strict_unanimity"));
    assert!(!RULE_NAMES.contains(&"unanimity"));
}
