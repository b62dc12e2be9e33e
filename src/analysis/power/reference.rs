//! Reference games: published voting bodies whose indices are known exactly,
//! and the fixed games the benchmarks time (docs/PERFORMANCE.md, "Voting
//! power"). The tests, the criterion benchmark and the comparison with the
//! Python package `powerindex` (bench/peers/) all take their games from here.

use super::{CountedGame, PowerError};
use crate::model::rule::RuleWeights;
use crate::model::DecisionRule;

/// The UN Security Council since 1965: five permanent members of weight 7
/// and ten elected members of weight 1, quota 39 (nine votes with no veto).
pub fn unsc_1965() -> CountedGame {
    let mut weights = vec![7; 5];
    weights.extend([1; 10]);
    CountedGame::weighted(weights, 39).expect("15 players")
}

/// The Council of the EEC in 1958: France, Germany and Italy 4 votes,
/// Belgium and the Netherlands 2, Luxembourg 1; quota 12 of 17.
pub fn eec_1958() -> CountedGame {
    CountedGame::weighted(vec![4, 4, 4, 2, 2, 1], 12).expect("6 players")
}

/// The shipped game file of the EU-27 Council: populations in thousands on
/// 1 January 2023, with its sources (`games/eu27_2023.csv`).
pub const EU27_2023_CSV: &str = include_str!("../../../games/eu27_2023.csv");

/// The 27 member states of the EU with their populations in thousands, as
/// `games/eu27_2023.csv` gives them, most populous first.
pub fn eu27_population_2023() -> Vec<(&'static str, u64)> {
    EU27_2023_CSV
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|line| {
            let mut fields = line.split(',');
            let id = fields.next().unwrap_or_default();
            let weight = fields.next().and_then(|w| w.parse().ok());
            (
                id,
                weight.expect("games/eu27_2023.csv: a whole-number weight"),
            )
        })
        .collect()
}

/// The EU Council's qualified majority (Article 16(4) TEU) over members
/// with the given populations: at least 55% of the members and at least 65%
/// of the population, except that a blocking minority needs at least
/// `blocking` members (4 in the treaty), so a coalition with fewer than
/// `blocking` members outside it wins whatever its population. Shares are
/// exact: ceil(55·n/100) members, ceil(65·P/100) of the population P.
pub fn double_majority(populations: Vec<u64>, blocking: u32) -> Result<CountedGame, PowerError> {
    let DecisionRule::DoubleMajority {
        members,
        population,
        ..
    } = DecisionRule::double_majority()
    else {
        unreachable!("the treaty's rule is a double majority")
    };
    let rule = DecisionRule::DoubleMajority {
        members,
        population,
        blocking,
    };
    let weights = RuleWeights::Exact {
        units: &populations,
        per_unit: 1,
    };
    let game = super::rules::counted_game(&rule, populations.len(), weights, None)?;
    Ok(game.expect("exact weights make a counted game"))
}

/// The EU-27 Council's qualified majority with [`eu27_population_2023`]:
/// 15 members, 65% of the population, blocking minority of 4.
pub fn eu27_council_2023() -> CountedGame {
    let populations = eu27_population_2023().iter().map(|(_, p)| *p).collect();
    double_majority(populations, 4).expect("27 players")
}

/// A weighted game of 193 players, the size of the UN General Assembly: the
/// weights are 1 + (x mod 100) for the first 193 outputs x of SplitMix64
/// seeded with 193 (so in 1..=100; total 9,738), the quota half the total
/// plus one, rounded down (4,870). Deterministic, so the Python peer can
/// check the same game.
pub fn assembly_193() -> CountedGame {
    let weights = splitmix_weights(193, 193, 100);
    let total: u64 = weights.iter().sum();
    CountedGame::weighted(weights, u128::from(total / 2 + 1)).expect("193 players")
}

/// `n` weights in 1..=`max` from SplitMix64 seeded with `seed`.
pub fn splitmix_weights(n: usize, seed: u64, max: u64) -> Vec<u64> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            1 + z % max
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The figures docs/PERFORMANCE.md and the Python peer rely on.
    #[test]
    fn the_benchmark_games_are_as_documented() {
        let un = assembly_193();
        assert_eq!(un.players(), 193);
        assert_eq!((un.total_weight(), un.min_weight()), (9_738, 4_870));
        assert!(un.weights().iter().all(|w| (1..=100).contains(w)));
        assert!(un.is_plain_weighted());
        let eu = eu27_council_2023();
        assert_eq!((eu.total_weight(), eu.min_weight()), (448_391, 291_455));
        assert_eq!((eu.min_members(), eu.enough_members()), (15, 24));
        // 65% exactly: 291,455 reaches it, one less does not.
        let (p, q) = (eu.total_weight(), eu.min_weight());
        assert!(q * 100 >= 65 * p && (q - 1) * 100 < 65 * p);
        assert_eq!(unsc_1965().total_weight(), 45);
        assert_eq!(eec_1958().total_weight(), 17);
    }
}
