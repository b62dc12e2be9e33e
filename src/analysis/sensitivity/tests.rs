use super::factors::{glob, spread};
use super::*;

fn design(k: usize, r: usize, p: usize, seed: u64) -> MorrisDesign {
    MorrisDesign::new(k, r, p, seed).unwrap()
}

fn ok(y: Vec<f64>) -> Result<Vec<f64>, ()> {
    Ok(y)
}

#[test]
fn linear_function_gives_its_slope_times_the_range() {
    let d = design(2, 8, 4, 7);
    let ranges = [(1.0, 3.0), (0.0, 10.0)];
    let e = morris(&d, &ranges, |x| ok(vec![3.0 * x[0] + 0.0 * x[1]]), None).unwrap();
    assert!((e[0][0].mu_star - 6.0).abs() < 1e-12, "{:?}", e[0][0]);
    assert!((e[0][0].mu - 6.0).abs() < 1e-12);
    assert!(e[0][0].sigma.abs() < 1e-9);
    assert_eq!(e[1][0].mu_star, 0.0);
    assert_eq!(e[1][0].sigma, 0.0);
    // A negative slope: μ* = |μ|.
    let e = morris(&d, &ranges, |x| ok(vec![-2.0 * x[1]]), None).unwrap();
    assert!((e[1][0].mu_star - 20.0).abs() < 1e-9);
    assert!((e[1][0].mu + 20.0).abs() < 1e-9);
}

#[test]
fn interaction_shows_in_sigma() {
    let d = design(2, 10, 4, 3);
    let e = morris(
        &d,
        &[(0.0, 1.0), (0.0, 1.0)],
        |x| ok(vec![x[0] * x[1]]),
        None,
    )
    .unwrap();
    for f in &e {
        assert!(f[0].sigma > 0.0, "{f:?}");
        assert!(f[0].mu_star > 0.0);
    }
}

#[test]
fn sigma_is_zero_for_one_trajectory() {
    let d = design(2, 1, 4, 3);
    let e = morris(
        &d,
        &[(0.0, 1.0), (0.0, 1.0)],
        |x| ok(vec![x[0] * x[1]]),
        None,
    )
    .unwrap();
    assert_eq!(e[0][0].sigma, 0.0);
}

#[test]
fn design_is_reproducible_from_the_seed() {
    assert_eq!(design(5, 6, 4, 11), design(5, 6, 4, 11));
    assert_ne!(design(5, 6, 4, 11), design(5, 6, 4, 12));
}

#[test]
fn trajectories_stay_in_range_and_move_each_factor_once() {
    for p in [2, 4, 6] {
        let d = design(7, 20, p, 5);
        let delta = d.delta();
        for (points, order) in d.trajectories.iter().zip(&d.moved) {
            assert_eq!(points.len(), 8);
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..7).collect::<Vec<_>>());
            for pt in points {
                assert!(pt.iter().all(|u| (0.0..=1.0).contains(u)));
            }
            for (s, &i) in order.iter().enumerate() {
                for (j, (after, before)) in points[s + 1].iter().zip(&points[s]).enumerate() {
                    let du = after - before;
                    if j == i {
                        assert!((du.abs() - delta).abs() < 1e-12);
                    } else {
                        assert_eq!(du, 0.0);
                    }
                }
            }
        }
    }
}

#[test]
fn bad_settings_are_refused() {
    assert!(MorrisDesign::new(3, 10, 3, 1).is_err(), "odd levels");
    assert!(MorrisDesign::new(3, 0, 4, 1).is_err());
    let e = MorrisDesign::new(1000, 1000, 4, 1).unwrap_err();
    assert!(e.to_string().contains("at most 200,000"), "{e}");
}

#[test]
fn globs() {
    assert!(glob("members.RUS.weights.*", "members.RUS.weights.cost"));
    assert!(glob("*.gdp", "members.KAZ.gdp"));
    assert!(glob("members.*.weights.*", "members.KAZ.weights.cost"));
    assert!(!glob("members.*.gdp", "members.KAZ.weights.cost"));
    assert!(!glob("a*a", "a"));
}

fn kyrgyzstan() -> Scenario {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/kyrgyzstan_2010.toml");
    crate::scenario::load(&p).expect("shipped scenario loads")
}

#[test]
fn default_factors_are_fixed_numbers_without_the_settings() {
    let s = kyrgyzstan();
    let f = select_factors(&s, &[], Band::Full).unwrap().factors;
    assert_eq!(f.len(), 203);
    assert!(f.iter().all(|f| f.path.as_str() != "noise"));
    let named = select_factors(
        &s,
        &["noise".into(), "members.RUS.weights.*".into()],
        Band::Full,
    )
    .unwrap()
    .factors;
    assert_eq!(named.len(), 8);
    let e = select_factors(&s, &["crisis.severty".into()], Band::default()).unwrap_err();
    assert!(e.to_string().contains("severity"), "{e}");
}

#[test]
fn band_is_clipped_to_the_range() {
    let s = kyrgyzstan();
    let width = |name: &str| {
        select_factors(&s, &[name.into()], Band::Width(0.2))
            .unwrap()
            .factors
            .remove(0)
    };
    let f = width("crisis.severity");
    assert!((f.low - 0.5).abs() < 1e-12 && (f.high - 0.9).abs() < 1e-12);
    let f = width("crisis.domestic");
    assert!((f.low - 0.8).abs() < 1e-12 && f.high == 1.0);
}

#[test]
fn an_unread_parameter_has_no_effect() {
    let s = kyrgyzstan();
    let names = ["crisis.framing", "members.RUS.threat.interstate_war"]
        .map(String::from)
        .to_vec();
    let factors = select_factors(&s, &names, Band::Full).unwrap().factors;
    let settings = Settings {
        trajectories: 3,
        levels: 4,
        runs: 200,
        seed: 1,
        rule: s.rule,
    };
    let a = analyse(&s, factors, &settings, None, None).unwrap();
    for r in &a.responses {
        assert_eq!(a.effects_of(1, *r).mu_star, 0.0);
    }
}

/// The band of one parameter of Kyrgyzstan 2010 under `band`.
fn band_of(s: &Scenario, name: &str, band: Band) -> (Kind, f64, f64, f64) {
    let f = Factor::new(s, ParamPath::parse(s, name).unwrap(), band).unwrap();
    (f.kind, f.value, f.low, f.high)
}

fn close(a: (f64, f64), b: (f64, f64)) -> bool {
    (a.0 - b.0).abs() < 1e-12 && (a.1 - b.1).abs() < 1e-12
}

#[test]
fn bands_by_kind() {
    let s = kyrgyzstan();
    let d = Band::default();
    // Data: ±25% of the value.
    let (kind, x, lo, hi) = band_of(&s, "members.RUS.gdp", d);
    assert_eq!((kind, x), (Kind::Data, 1840.0));
    assert!(close((lo, hi), (1380.0, 2300.0)), "{lo} {hi}");
    let (kind, x, lo, hi) = band_of(&s, "members.KAZ.military_spending", d);
    assert_eq!(kind, Kind::Data);
    assert!(close((lo, hi), (0.75 * x, 1.25 * x)));
    // Judgements: ±0.1 of the scale's width, clipped.
    let (kind, _, lo, hi) = band_of(&s, "crisis.severity", d);
    assert_eq!(kind, Kind::Judgement);
    assert!(close((lo, hi), (0.6, 0.8)), "{lo} {hi}");
    let (_, _, lo, hi) = band_of(&s, "crisis.domestic", d);
    assert!(close((lo, hi), (0.9, 1.0)), "clipped at 1: {lo} {hi}");
    let (kind, _, lo, hi) = band_of(&s, "members.RUS.affinity.KGZ", d);
    assert_eq!(kind, Kind::Judgement);
    assert!(close((lo, hi), (0.3, 0.7)), "±0.2 on -1..1: {lo} {hi}");
    // Weights: ±25% of the value; reservation: ±0.2.
    let (kind, _, lo, hi) = band_of(&s, "members.RUS.weights.cost", d);
    assert_eq!(kind, Kind::Weight);
    assert!(close((lo, hi), (0.75, 1.25)));
    let (kind, _, lo, hi) = band_of(&s, "members.UZB.reservation", d);
    assert_eq!(kind, Kind::Reservation);
    assert!(close((lo, hi), (-0.2, 0.2)));
    // Noise: relative, when named.
    let (kind, x, lo, hi) = band_of(&s, "noise", d);
    assert_eq!(kind, Kind::Noise);
    assert!(close((lo, hi), (0.75 * x, 1.25 * x)));
    // Other shares.
    let b = Band::ByKind {
        relative: 0.5,
        share: 0.05,
    };
    let (_, _, lo, hi) = band_of(&s, "members.RUS.gdp", b);
    assert!(close((lo, hi), (920.0, 2760.0)));
    let (_, _, lo, hi) = band_of(&s, "crisis.severity", b);
    assert!(close((lo, hi), (0.65, 0.75)));
    // The whole range.
    let (_, _, lo, hi) = band_of(&s, "members.TJK.gdp", Band::Full);
    assert_eq!((lo, hi), (0.0, 100_000.0));
}

#[test]
fn a_distribution_moves_over_its_mean_plus_or_minus_one_sd() {
    let mut s = kyrgyzstan();
    s.crisis.severity = Param::Uniform { lo: 0.2, hi: 0.8 };
    let (_, x, lo, hi) = band_of(&s, "crisis.severity", Band::default());
    let sd = 0.6 / 12f64.sqrt();
    assert!((x - 0.5).abs() < 1e-12);
    assert!(close((lo, hi), (0.5 - sd, 0.5 + sd)), "{lo} {hi}");
    // In the default set by kind, not over the whole range.
    let all = select_factors(&s, &[], Band::default()).unwrap().factors;
    assert!(all.iter().any(|f| f.path.as_str() == "crisis.severity"));
    let all = select_factors(&s, &[], Band::Full).unwrap().factors;
    assert!(all.iter().all(|f| f.path.as_str() != "crisis.severity"));
    // A normal's spread is that of the truncated law.
    let n = Param::Normal {
        mean: 0.5,
        sd: 0.5,
        lo: 0.0,
        hi: 1.0,
    };
    assert!((spread(&n) - 0.2698).abs() < 5e-5, "{}", spread(&n));
    let t = Param::Triangular {
        lo: 0.0,
        mode: 0.2,
        hi: 1.0,
    };
    assert!((spread(&t) - ((1.0 + 0.04 - 0.2) / 18.0f64).sqrt()).abs() < 1e-12);
}

#[test]
fn a_value_of_0_moved_in_proportion_is_left_out_unless_named() {
    let mut s = kyrgyzstan();
    let path = ParamPath::parse(&s, "members.KGZ.gdp").unwrap();
    path.set(&mut s, 0.0).unwrap();
    let sel = select_factors(&s, &[], Band::default()).unwrap();
    assert!(sel.left_out.iter().any(|p| p == "members.KGZ.gdp"));
    assert!(sel
        .factors
        .iter()
        .all(|f| f.path.as_str() != "members.KGZ.gdp"));
    let e = select_factors(&s, &["members.KGZ.gdp".into()], Band::default()).unwrap_err();
    assert!(e.to_string().contains("single point"), "{e}");
    for bad in [
        Band::ByKind {
            relative: 0.0,
            share: 0.1,
        },
        Band::ByKind {
            relative: 0.25,
            share: f64::NAN,
        },
        Band::Width(-1.0),
    ] {
        assert!(select_factors(&s, &[], bad).is_err(), "{bad:?}");
    }
}

#[test]
fn bootstrap_interval_holds_the_mean_and_is_reproducible() {
    let ee = [0.0, 1.5, -1.5, 0.0, 0.0, 1.5, 0.0, 0.0, -0.75, 0.0];
    let mean = ee.iter().map(|e: &f64| e.abs()).sum::<f64>() / 10.0;
    let r = resamples(10, 5);
    assert_eq!(r, resamples(10, 5));
    assert_ne!(r, resamples(10, 6));
    assert_eq!(r.len(), BOOTSTRAP_RESAMPLES);
    let (lo, hi) = bootstrap(&ee, &r);
    assert!(
        0.0 <= lo && lo < mean && mean < hi && hi <= 1.5,
        "{lo} {mean} {hi}"
    );
    // One trajectory: no spread to resample.
    assert_eq!(bootstrap(&[0.3], &resamples(1, 5)), (0.3, 0.3));
    // Through morris: intervals for every factor, from the design's seed.
    let d = design(3, 12, 4, 8);
    let e = morris(
        &d,
        &[(0.0, 1.0); 3],
        |x| ok(vec![if x[0] + x[1] > 1.0 { 1.0 } else { 0.0 }]),
        None,
    )
    .unwrap();
    for f in &e {
        let f = f[0];
        assert!(0.0 <= f.mu_star_lo && f.mu_star_lo <= f.mu_star, "{f:?}");
        assert!(f.mu_star <= f.mu_star_hi && f.mu_star_hi <= 1.5, "{f:?}");
    }
    assert_eq!(e[2][0].mu_star_hi, 0.0);
    assert!(e[0][0].mu_star_hi > e[0][0].mu_star_lo);
}

#[test]
fn equal_effects_are_ranked_by_name_whatever_their_last_bit() {
    let s = kyrgyzstan();
    let names = [
        "members.UZB.reservation",
        "crisis.severity",
        "alliance.capacity",
    ];
    let factors: Vec<Factor> = names
        .iter()
        .map(|n| Factor::new(&s, ParamPath::parse(&s, n).unwrap(), Band::Full).unwrap())
        .collect();
    let e = |m: f64| {
        vec![Effects {
            mu_star: m,
            mu_star_lo: m,
            mu_star_hi: m,
            mu: m,
            sigma: 0.0,
        }]
    };
    // 0.15 reached by two different sums: equal as written.
    let a = Analysis {
        factors,
        design: design(3, 1, 4, 1),
        responses: vec![Response::Exactly(0)],
        effects: vec![e(0.15), e(0.15000000000000002), e(0.1)],
    };
    let order: Vec<&str> = a
        .ranking(Response::Exactly(0))
        .iter()
        .map(|&i| a.factors[i].path.as_str())
        .collect();
    assert_eq!(
        order,
        [
            "crisis.severity",
            "members.UZB.reservation",
            "alliance.capacity"
        ]
    );
}
