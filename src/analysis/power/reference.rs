//! Reference games: published voting bodies whose indices are known exactly,
//! and the fixed games the benchmarks time (docs/PERFORMANCE.md, "Voting
//! power"). The tests, the criterion benchmark and the comparison with the
//! Python package `powerindex` (bench/peers/) all take their games from here.

use super::{CountedGame, PowerError};

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

/// The 27 member states of the EU with their populations in thousands
/// (Eurostat, population on 1 January 2023, in thousands, as used for the
/// Council's voting in 2024; rounded to the nearest thousand).
pub const EU27_POPULATION_2023: [(&str, u64); 27] = [
    ("DE", 84_359),
    ("FR", 68_071),
    ("IT", 58_851),
    ("ES", 48_060),
    ("PL", 36_754),
    ("RO", 19_052),
    ("NL", 17_811),
    ("BE", 11_754),
    ("CZ", 10_828),
    ("SE", 10_522),
    ("PT", 10_467),
    ("EL", 10_394),
    ("HU", 9_597),
    ("AT", 9_105),
    ("BG", 6_448),
    ("DK", 5_933),
    ("FI", 5_564),
    ("SK", 5_429),
    ("IE", 5_194),
    ("HR", 3_851),
    ("LT", 2_857),
    ("SI", 2_117),
    ("LV", 1_883),
    ("EE", 1_366),
    ("CY", 921),
    ("LU", 661),
    ("MT", 542),
];

/// The EU Council's qualified majority (Article 16(4) TEU) over members
/// with the given populations: at least 55% of the members and at least 65%
/// of the population, except that a blocking minority needs at least
/// `blocking` members (4 in the treaty), so a coalition with fewer than
/// `blocking` members outside it wins whatever its population. Shares are
/// exact: ceil(55·n/100) members, ceil(65·P/100) of the population P.
pub fn double_majority(populations: Vec<u64>, blocking: usize) -> Result<CountedGame, PowerError> {
    let n = populations.len();
    let total: u128 = populations.iter().map(|p| u128::from(*p)).sum();
    let min_members = (55 * n).div_ceil(100);
    let min_weight = (65 * total).div_ceil(100);
    let enough = min_members.max((n + 1).saturating_sub(blocking));
    CountedGame::new(populations, min_members, min_weight, enough)
}

/// The EU-27 Council's qualified majority with [`EU27_POPULATION_2023`]:
/// 15 members, 65% of the population, blocking minority of 4.
pub fn eu27_council_2023() -> CountedGame {
    let populations = EU27_POPULATION_2023.iter().map(|(_, p)| *p).collect();
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
