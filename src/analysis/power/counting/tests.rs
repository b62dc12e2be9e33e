//! Tests of the counting engine: published exact tables, quotas on a boundary, degenerate games, agreement with enumeration on random games and on the EU-27.

use std::sync::atomic::AtomicBool;

use num_bigint::BigUint;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::super::reference;
use super::super::tests::{big, fracs};
use super::super::{Fraction, SimpleGame};
use super::*;
use crate::model::DecisionRule;

/// The same game listed coalition by coalition.
fn enumerated(game: &CountedGame) -> PowerIndices {
    SimpleGame::from_fn(game.players(), |s| game.wins_mask(s))
        .unwrap()
        .indices()
}

fn one(x: &str) -> Fraction {
    x.parse().unwrap()
}

#[test]
fn un_security_council_since_1965() {
    let game = reference::unsc_1965();
    let p = game.indices(None).unwrap();
    let (perm, elected) = (0..5, 5..15);
    for i in perm {
        assert_eq!(p.banzhaf_normalized_exact[i], one("106/635"));
        assert_eq!(p.banzhaf_absolute_exact[i], one("53/1024"));
        assert_eq!(p.shapley_shubik_exact[i], one("421/2145"));
        assert_eq!(p.banzhaf_normalized[i], 106.0 / 635.0);
        assert_eq!(p.shapley_shubik[i], 421.0 / 2145.0);
    }
    for i in elected {
        assert_eq!(p.banzhaf_normalized_exact[i], one("21/1270"));
        assert_eq!(p.banzhaf_absolute_exact[i], one("21/4096"));
        assert_eq!(p.shapley_shubik_exact[i], one("4/2145"));
        assert_eq!(p.banzhaf_absolute[i], 21.0 / 4096.0);
    }
    assert_eq!(p.banzhaf_normalized_exact[0].to_string(), "106/635");
    assert_eq!(p, enumerated(&game));
    assert_eq!(game.banzhaf(None).unwrap(), p.banzhaf());
    // The same game as the five permanent members (weight 1 each, all
    // needed) among nine members:
    // a counted game with sizes gives the same indices.
    let mut veto = vec![1; 5];
    veto.extend([0; 10]);
    let sized = CountedGame::new(veto, 9, 5, 16).unwrap();
    assert_eq!(sized.indices(None).unwrap(), p);
}

#[test]
fn quotas_on_a_boundary() {
    // The games, quota exactly a coalition's weight.
    let p = CountedGame::weighted(vec![10, 10, 20, 30], 50)
        .unwrap()
        .indices(None)
        .unwrap();
    assert_eq!(p.shapley_shubik_exact[3], one("7/12"));
    assert_eq!(
        p.shapley_shubik_exact,
        fracs(&["1/12", "1/12", "1/4", "7/12"])
    );
    let game = CountedGame::weighted(vec![3, 5, 8, 8, 12], 19).unwrap();
    let p = game.indices(None).unwrap();
    assert_eq!(p, enumerated(&game));
    // {3, 8, 8} weighs exactly 19 and wins; {12, 5} weighs 17 and loses.
    assert!(game.wins([0, 2, 3]) && !game.wins([4, 1]) && game.wins([4, 1, 0]));
    // Quota one less and one more than a coalition's weight move the result.
    for q in [17, 20] {
        let other = CountedGame::weighted(vec![3, 5, 8, 8, 12], q).unwrap();
        assert_ne!(other.indices(None).unwrap(), p);
        assert_eq!(other.indices(None).unwrap(), enumerated(&other));
    }
}

#[test]
fn quota_zero_total_and_beyond() {
    let w = vec![1, 2, 3, 0];
    // Quota = total: unanimity of the members with weight; the member of
    // weight 0 is a dummy.
    let p = CountedGame::weighted(w.clone(), 6)
        .unwrap()
        .indices(None)
        .unwrap();
    assert_eq!(p.swings, big(&[2, 2, 2, 0]));
    assert_eq!(p.shapley_shubik_exact, fracs(&["1/3", "1/3", "1/3", "0"]));
    assert_eq!(p.banzhaf_absolute_exact, fracs(&["1/4", "1/4", "1/4", "0"]));
    // Quota 0: even the empty coalition wins, so nobody ever swings;
    // quota above the total: nothing wins. Every index is then 0, never NaN.
    for q in [0, 7, 1000, u128::MAX] {
        let game = CountedGame::weighted(w.clone(), q).unwrap();
        let p = game.indices(None).unwrap();
        assert_eq!(p, enumerated(&game), "quota {q}");
        assert!(p.swings.iter().all(|s| *s == BigUint::ZERO));
        for v in [
            &p.banzhaf_absolute,
            &p.banzhaf_normalized,
            &p.shapley_shubik,
        ] {
            assert_eq!(v, &vec![0.0; 4]);
        }
        assert_eq!(p.banzhaf_normalized_exact[0].to_string(), "0");
        assert_eq!(game.banzhaf(None).unwrap(), p.banzhaf());
    }
}

#[test]
fn one_player_and_weightless_players() {
    // One player: a dictator when it reaches the quota, else nothing.
    let p = CountedGame::weighted(vec![5], 5)
        .unwrap()
        .indices(None)
        .unwrap();
    assert_eq!(p.shapley_shubik_exact, fracs(&["1"]));
    assert_eq!(p.banzhaf_absolute_exact, fracs(&["1"]));
    assert_eq!(p.banzhaf_normalized_exact, fracs(&["1"]));
    let p = CountedGame::weighted(vec![5], 6)
        .unwrap()
        .indices(None)
        .unwrap();
    assert_eq!(p.shapley_shubik_exact, fracs(&["0"]));
    // All weights 0 with a size condition: majority of three.
    let game = CountedGame::new(vec![0; 3], 2, 0, 4).unwrap();
    let p = game.indices(None).unwrap();
    assert_eq!(p.shapley_shubik_exact, fracs(&["1/3", "1/3", "1/3"]));
    assert_eq!(p.banzhaf_absolute_exact, fracs(&["1/2", "1/2", "1/2"]));
    assert_eq!(p, enumerated(&game));
    assert_eq!(game.banzhaf(None).unwrap(), p.banzhaf());
}

#[test]
fn the_rules_as_counted_games() {
    let n = 7;
    let simple = |rule: DecisionRule, hegemon| {
        SimpleGame::from_rule(&rule, &vec![1.0; n], hegemon)
            .unwrap()
            .indices()
    };
    // Majority: more than half of the members, by size alone.
    let majority = CountedGame::new(vec![0; n], n / 2 + 1, 0, n + 1).unwrap();
    assert_eq!(
        majority.indices(None).unwrap(),
        simple(DecisionRule::Majority, None)
    );
    // Unanimity: every member.
    let unanimity = CountedGame::new(vec![1; n], n, 0, n + 1).unwrap();
    assert_eq!(
        unanimity.indices(None).unwrap(),
        simple(
            DecisionRule::Unanimity {
                abstention_blocks: true
            },
            None
        )
    );
    // The hegemon's majority: weight 1 for the hegemon, who must be in.
    let mut w = vec![0; n];
    w[2] = 1;
    let hegemon = CountedGame::new(w, n / 2 + 1, 1, n + 1).unwrap();
    let p = hegemon.indices(None).unwrap();
    assert_eq!(p, simple(DecisionRule::HegemonMajority, Some(2)));
    // Exactly: without the hegemon every coalition loses, and with it one
    // of 3 or more of the 6 others wins: 20 + 15 + 6 + 1 = 42 swings.
    assert_eq!(p.swings[2], BigUint::from(42u8));
    // An ordinary member swings where the coalition holds the hegemon and
    // exactly 3 members: the hegemon and 2 of the 5 others: C(5,2) = 10.
    assert_eq!(p.swings[0], BigUint::from(10u8));
    // Shapley-Shubik: the hegemon is pivotal when it comes 4th or later
    // (4/7); the others share the rest.
    assert_eq!(p.shapley_shubik_exact[2], one("4/7"));
    assert_eq!(p.shapley_shubik_exact[0], one("1/14"));
}

#[test]
fn random_games_agree_with_enumeration() {
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    let mut checked = 0;
    for round in 0..300 {
        // Mostly small games, every twentieth of 13 to 16 players, and
        // three of 18 to 20.
        let n = match round {
            r if r % 100 == 99 => 18 + round / 100,
            r if r % 20 == 19 => rng.random_range(13..=16),
            _ => rng.random_range(1..=12),
        };
        let max = [1u64, 3, 10, 1000, 1 << 40][round % 5];
        let weights: Vec<u64> = (0..n).map(|_| rng.random_range(0..=max)).collect();
        let total: u128 = weights.iter().map(|w| u128::from(*w)).sum();
        let quota = rng.random_range(0..=total.min(1 << 20) + 1);
        let game = if round % 3 == 0 {
            CountedGame::weighted(weights, quota).unwrap()
        } else {
            let m = rng.random_range(0..=n + 1);
            let e = rng.random_range(0..=n + 2);
            CountedGame::new(weights, m, quota, e).unwrap()
        };
        let p = match game.indices(None) {
            Ok(p) => p,
            // Weights of 2^40 with a size condition: too wide to count.
            Err(PowerError::TableTooLarge { .. }) => continue,
            Err(e) => panic!("{e}"),
        };
        // The generic enumeration up to 16 players; beyond, the faster one
        // for counted games, itself checked against the generic one here.
        if n <= 16 {
            assert_eq!(p, enumerated(&game), "{game:?}");
        }
        assert_eq!(game.indices_by_enumeration(None).unwrap(), p, "{game:?}");
        assert_eq!(game.banzhaf(None).unwrap(), p.banzhaf(), "{game:?}");
        checked += 1;
    }
    assert!(checked > 250, "only {checked} games checked");
}

#[test]
fn two_hundred_members() {
    // Unanimity of 200: each is pivotal last in 1/200 of the orders.
    let game = CountedGame::new(vec![1; 200], 200, 0, 201).unwrap();
    let p = game.indices(None).unwrap();
    assert!(p.shapley_shubik_exact.iter().all(|x| *x == one("1/200")));
    let half = BigUint::from(1u8) << 199u32;
    assert!(p.banzhaf_absolute_exact.iter().all(|x| *x.denom() == half));
    // Small weights, quota half the total: the indices of all add up to 1
    // exactly, and equal weights have equal indices.
    let weights = reference::splitmix_weights(200, 7, 4);
    let total: u64 = weights.iter().sum();
    let game = CountedGame::weighted(weights.clone(), u128::from(total / 2 + 1)).unwrap();
    let p = game.indices(None).unwrap();
    let sum: Fraction = p.shapley_shubik_exact.iter().sum();
    assert_eq!(sum, one("1"));
    let sum: Fraction = p.banzhaf_normalized_exact.iter().sum();
    assert_eq!(sum, one("1"));
    for i in 0..200 {
        let j = weights.iter().position(|w| *w == weights[i]).unwrap();
        assert_eq!(p.shapley_shubik_exact[i], p.shapley_shubik_exact[j]);
        if weights[i] > weights[j] {
            assert!(p.swings[i] >= p.swings[j]);
        }
    }
    // Heavier never weaker.
    let mut by_weight: Vec<usize> = (0..200).collect();
    by_weight.sort_by_key(|&i| weights[i]);
    for pair in by_weight.windows(2) {
        assert!(p.shapley_shubik_exact[pair[0]] <= p.shapley_shubik_exact[pair[1]]);
    }
    assert_eq!(game.banzhaf(None).unwrap(), p.banzhaf());
}

#[test]
fn eu27_double_majority_by_counting_equals_enumeration_of_all_coalitions() {
    // 2^27 coalitions, listed; the counting engine must agree exactly.
    let game = reference::eu27_council_2023();
    assert_eq!((game.min_members(), game.enough_members()), (15, 24));
    let p = game.indices(None).unwrap();
    let listed = game.indices_by_enumeration(None).unwrap();
    assert_eq!(p, listed);
    let sum: Fraction = p.shapley_shubik_exact.iter().sum();
    assert_eq!(sum, one("1"));
    // Germany, the most populous, has the most power; Malta the least.
    for i in 1..27 {
        assert!(p.shapley_shubik_exact[0] > p.shapley_shubik_exact[i]);
        assert!(p.swings[26] <= p.swings[i]);
    }
}

#[test]
fn too_fine_weights_are_refused_with_advice() {
    // The EU-27 with populations in persons: the table would be too wide.
    let persons = reference::eu27_population_2023()
        .iter()
        .map(|(_, p)| p * 1000)
        .collect();
    let game = reference::double_majority(persons, 4).unwrap();
    let e = game.indices(None).unwrap_err();
    assert!(
        matches!(e, PowerError::TableTooLarge { players: 27, .. }),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(text.contains(&game.total_weight().to_string()), "{text}");
    assert!(text.contains("thousands"), "{text}");
    // The same in thousands is counted.
    assert!(reference::eu27_council_2023().banzhaf(None).is_ok());
    assert_eq!(
        CountedGame::weighted(vec![1; 512], 1).unwrap_err(),
        PowerError::TooManyToCount(512)
    );
    assert_eq!(
        CountedGame::weighted(vec![], 1).unwrap_err(),
        PowerError::NoPlayers
    );
}

#[test]
fn a_set_flag_stops_the_count() {
    let stop = AtomicBool::new(true);
    let game = reference::assembly_193();
    assert_eq!(game.indices(Some(&stop)), Err(PowerError::Cancelled));
    assert_eq!(game.banzhaf(Some(&stop)), Err(PowerError::Cancelled));
    assert_eq!(
        reference::eec_1958().indices_by_enumeration(Some(&stop)),
        Err(PowerError::Cancelled)
    );
    let go = AtomicBool::new(false);
    let eec = reference::eec_1958();
    assert_eq!(eec.indices(Some(&go)), eec.indices(None));
}

#[test]
fn membership_tests() {
    let game = CountedGame::new(vec![5, 1, 1, 1], 2, 6, 4).unwrap();
    assert!(!game.wins([0])); // weight 5 < 6 and one member
    assert!(game.wins([0, 1])); // 2 members, weight 6
    assert!(!game.wins([1, 2, 3])); // 3 members, weight 3
    assert!(game.wins([0, 1, 2, 3]));
    assert!(!game.wins([0, 0])); // named twice, still one member
    assert!(game.wins_mask(0b0011) && !game.wins_mask(0b1110));
    assert!(game.wins_mask(0b1111 | 1 << 40));
    assert!(!game.is_plain_weighted());
    assert!(reference::eec_1958().is_plain_weighted());
}
