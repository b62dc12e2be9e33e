//! Unit tests of the model as a whole: votes from utilities, the abstention
//! band, hegemon pull, and the procedure driven by real utilities.

use std::path::Path;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::*;
use crate::scenario::load_str;

/// Three members, no noise. Only the credibility weight is non-zero, so each
/// member's B is `w_cred · Q · L · X` = `w_cred · 0.5` here, and V = T = E = 0:
/// U_i(k) = e_k · w_cred_i · 0.5.
fn scenario(
    hegemon: bool,
    weights: [f64; 3],
    dependence: f64,
    band: f64,
) -> crate::scenario::Scenario {
    let member = |id: &str, w: f64| {
        format!(
            "[members.{id}]\nregion = \"r\"\nmilitary_spending = 1\ngdp = 1\ndependence = {dependence}\n\
             sovereignty = 0.5\nvulnerability = 0.5\nthreat = {{ t = 0.5 }}\nconcern = {{ r = 1 }}\n\
             weights = {{ security = 0, regime = 0, partner = 0, credibility = {w}, sovereignty = 0, cost = 0, external = 0 }}\n"
        )
    };
    let text = format!(
        "[alliance]\ncapacity = 0.5\nregions = [\"r\"]\ncrisis_types = [\"t\"]\n{}\n\
         {}{}{}\n\
         [crisis]\nrequester = \"C\"\ntype = \"t\"\nregion = \"r\"\nrequested = \"big\"\n\
         severity = 0.5\ndomestic = 0\nframing = 0\ncontagion = 0\nlegal_fit = 1\nlegitimacy = 1\n\
         credibility = 0.5\ncombat_risk = 0\n\
         [[options]]\nid = \"small\"\neffect = 0.2\ntroops = 0\nintrusion = 0\n\
         [[options]]\nid = \"big\"\neffect = 1\ntroops = 0\nintrusion = 0\n\
         [rule]\nkind = \"unanimity\"\nabstention_band = {band}\n\
         [montecarlo]\nnoise = 0\n",
        if hegemon { "hegemon = \"A\"" } else { "" },
        member("A", weights[0]),
        member("B", weights[1]),
        member("C", weights[2]),
    );
    load_str(&text, Path::new("unit.toml")).expect("test scenario is valid")
}

fn run_once(s: &crate::scenario::Scenario) -> (Decision, Vec<Vote>) {
    let model = Model::new(s, s.rule);
    let mut scratch = model.scratch();
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let d = model.simulate(&mut rng, &mut scratch);
    (d, scratch.requested_votes.clone())
}

/// The central evaluation and the perceived (B − E, V, T) without noise.
fn noise_free(model: &Model) -> (Evaluated, Vec<[f64; 3]>) {
    let central = model.central();
    let p = central
        .terms
        .iter()
        .map(|t| [t.benefit() - t.external, t.sovereignty, t.cost])
        .collect();
    (central, p)
}

#[test]
fn votes_follow_utility_against_the_band() {
    // U(big) = 0.5·w: 0.5 > 0.1 yes; 0.025 inside ±0.1 abstain. C, the
    // requester, votes yes on its own request whatever its utility (0 here).
    let s = scenario(false, [1.0, 0.05, 0.0], 0.0, 0.1);
    let (_, votes) = run_once(&s);
    assert_eq!(votes, [Vote::Yes, Vote::Abstain, Vote::Yes]);
    let s = scenario(false, [1.0, 1.0, 1.0], 0.0, 0.1);
    let (d, votes) = run_once(&s);
    assert_eq!(votes, [Vote::Yes; 3]);
    assert_eq!((d.level, d.rounds, d.blockers), (2, 1, 0));
}

#[test]
fn band_is_per_unit_of_effect() {
    // w = 0.3: U(big) = 0.15 > 1·0.1 (yes); U(small) = 0.2·0.15 = 0.03,
    // which is above 0.2·0.1 = 0.02: still yes, as per unit of effect it is the same.
    let s = scenario(false, [0.3, 0.3, 0.3], 0.0, 0.1);
    let model = Model::new(&s, s.rule);
    let (central, p) = noise_free(&model);
    let mut u = vec![0.0; 3];
    let mut out = vec![Vote::Abstain; 3];
    for level in [1, 2] {
        model.vote(
            &central.inputs,
            &central.voters,
            &p,
            &mut u,
            level,
            &mut out,
        );
        assert_eq!(out, [Vote::Yes; 3], "level {level}");
    }
}

#[test]
fn hegemon_pulls_dependents_but_not_the_requester() {
    // A is the hegemon with U(big) = 0.5; B has U = 0 and dependence 1, so it
    // votes as A; C, the requester, has U = 0 and is not pulled: on the milder
    // option, where its utility decides, it abstains despite dependence 1.
    let s = scenario(true, [1.0, 0.0, 0.0], 1.0, 0.1);
    let (d, votes) = run_once(&s);
    assert_eq!(votes, [Vote::Yes, Vote::Yes, Vote::Yes]);
    assert_eq!(d.level, 2);
    let model = Model::new(&s, s.rule);
    let (central, p) = noise_free(&model);
    let (mut u, mut out) = (vec![0.0; 3], vec![Vote::Abstain; 3]);
    model.vote(&central.inputs, &central.voters, &p, &mut u, 1, &mut out);
    assert_eq!(out, [Vote::Yes, Vote::Yes, Vote::Abstain]);
    // With dependence 0, B is on its own and abstains.
    let s = scenario(true, [1.0, 0.0, 0.0], 0.0, 0.1);
    let (_, votes) = run_once(&s);
    assert_eq!(votes, [Vote::Yes, Vote::Abstain, Vote::Yes]);
}

#[test]
fn the_requester_votes_for_its_own_request_only() {
    // C's utility (0) is below its reservation level (1): it still votes yes
    // on the option it asked for, though it would vote no on anything else.
    let mut s = scenario(false, [1.0, 1.0, 0.0], 0.0, 0.05);
    s.members[2].reservation = crate::scenario::Param::Fixed(1.0);
    let (d, votes) = run_once(&s);
    assert_eq!(votes[2], Vote::Yes);
    assert_eq!(d.level, 2, "A and B support it too");
    // Without a requester, C's own utility decides on the big option as well.
    s.crisis.requester = None;
    let (d, votes) = run_once(&s);
    assert_eq!(votes[2], Vote::No);
    assert_eq!((d.level, d.blockers), (0, 0b100));
}

/// The scenario of `scenario` with C a party to the dispute.
fn with_party(party_vote: PartyVote, rule: DecisionRule) -> (Decision, Vec<Vote>) {
    let mut s = scenario(false, [1.0, 1.0, 0.0], 0.0, 0.1);
    s.crisis.requester = None;
    s.crisis.parties = vec![2];
    s.party_vote = party_vote;
    s.rule = rule;
    // C is against: its utility (0) is below its reservation level (1).
    s.members[2].reservation = crate::scenario::Param::Fixed(1.0);
    run_once(&s)
}

#[test]
fn parties_vote_abstain_or_are_excluded() {
    let strict = DecisionRule::Unanimity {
        abstention_blocks: true,
    };
    // Voting, C blocks under unanimity.
    let (d, votes) = with_party(PartyVote::Vote, strict);
    assert_eq!((votes[2], d.level), (Vote::No, 0));
    // Abstaining, it no longer blocks plain unanimity, but does block when
    // an abstention blocks.
    let plain = DecisionRule::Unanimity {
        abstention_blocks: false,
    };
    let (d, votes) = with_party(PartyVote::Abstain, plain);
    assert_eq!((votes[2], d.level), (Vote::Abstain, 2));
    let (d, _) = with_party(PartyVote::Abstain, strict);
    assert_eq!((d.level, d.blockers), (0, 0b100));
    // Excluded, it counts for nothing: A and B are all the members there are.
    let (d, votes) = with_party(PartyVote::Excluded, strict);
    assert_eq!((votes[2], d.level), (Vote::Absent, 2));
    // 2 of 2 taking part is a qualified majority of 0.9; 2 of 3 would not be.
    let qmv = DecisionRule::qualified_majority("0.9".parse().unwrap());
    assert_eq!(with_party(PartyVote::Excluded, qmv).0.level, 2);
    assert_eq!(with_party(PartyVote::Abstain, qmv).0.level, 0);
}

#[test]
fn dependence_mixes_own_and_hegemon_utility() {
    // A (hegemon) is indifferent, U = 0; B has U = 0.5 and dependence 0.8, so
    // Û = 0.2·0.5 + 0.8·0 = 0.1 > 0.05: yes. With band 0.15 it would abstain.
    let s = scenario(true, [0.0, 1.0, 1.0], 0.8, 0.05);
    let (_, votes) = run_once(&s);
    assert_eq!(votes, [Vote::Abstain, Vote::Yes, Vote::Yes]);
    let s = scenario(true, [0.0, 1.0, 1.0], 0.8, 0.15);
    let (_, votes) = run_once(&s);
    assert_eq!(votes, [Vote::Abstain, Vote::Abstain, Vote::Yes]);
}

#[test]
fn fixed_scenarios_are_precomputed_and_match_central_values() {
    let s = scenario(true, [1.0, 0.5, 0.2], 0.5, 0.05);
    let model = Model::new(&s, s.rule);
    let Values::Fixed(fixed) = &model.values else {
        panic!("no distributions, so precomputed");
    };
    assert_eq!(fixed.terms, model.central().terms);
    assert!((fixed.terms[1].credibility - 0.25).abs() < 1e-12);
}

/// The votes on the requested option of member `i` over `runs` runs of `s`
/// with `model`: (yes, no, abstain).
fn vote_counts(s: &crate::scenario::Scenario, model: NoiseModel, i: usize) -> [u32; 3] {
    let mut s = s.clone();
    s.montecarlo.noise_model = model;
    let m = Model::new(&s, s.rule);
    let mut scratch = m.scratch();
    let mut counts = [0; 3];
    for seed in 0..400 {
        m.simulate(&mut ChaCha8Rng::seed_from_u64(seed), &mut scratch);
        counts[scratch.requested_votes[i] as usize] += 1;
    }
    counts
}

#[test]
fn relative_noise_leaves_a_member_without_terms_undisturbed() {
    // C has every weight 0, so B = E = V = T = 0 and U = 0, inside the band:
    // without noise it abstains. Relative noise scales with the terms, so C
    // abstains in every run; absolute noise moves it both ways.
    let mut s = scenario(false, [1.0, 1.0, 0.0], 0.0, 0.1);
    s.crisis.requester = None;
    s.montecarlo.noise = 0.5;
    let [yes, no, abstain] = vote_counts(&s, NoiseModel::Relative, 2);
    assert_eq!((yes, no, abstain), (0, 0, 400));
    let [yes, no, _] = vote_counts(&s, NoiseModel::Absolute, 2);
    assert!(yes > 50 && no > 50, "absolute noise: {yes} yes, {no} no");
    // A, whose benefit is not 0, is moved by relative noise too: with
    // B = 0.5 and η = 0.5 it votes no when z < −1.4 (8% of runs).
    let [_, no, _] = vote_counts(&s, NoiseModel::Relative, 0);
    assert!(no > 5, "relative noise never moved A: {no} no");
}

#[test]
fn relative_noise_scales_the_same_draws_by_each_term() {
    // With the same generator, a run's draws z are the same under both
    // models: absolute perceives V + η·z and relative V + η·|V|·z, so the
    // relative value is V + |V|·(absolute − V), and the same for T.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/armenia_2020.toml");
    let mut s = crate::scenario::load(&path).expect("shipped scenario loads");
    s.montecarlo.noise = 0.3;
    let absolute = Model::new(&s, s.rule);
    s.montecarlo.noise_model = NoiseModel::Relative;
    let relative = Model::new(&s, s.rule);
    assert_eq!(relative.noise(), (0.3, NoiseModel::Relative));
    let central = absolute.central();
    let (mut sa, mut sr) = (absolute.scratch(), relative.scratch());
    let mut moved = 0;
    for seed in 0..50 {
        absolute.simulate(&mut ChaCha8Rng::seed_from_u64(seed), &mut sa);
        relative.simulate(&mut ChaCha8Rng::seed_from_u64(seed), &mut sr);
        for (i, t) in central.terms.iter().enumerate() {
            for (k, term) in [(1, t.sovereignty), (2, t.cost)] {
                let expected = term + term.abs() * (sa.perceived[i][k] - term);
                let got = sr.perceived[i][k];
                assert!(
                    (got - expected).abs() <= 1e-12 * (1.0 + term.abs()),
                    "seed {seed}, member {i}, component {k}: {got} vs {expected}"
                );
                moved += usize::from(got != term);
            }
            // B − E is noisy under both models, but not in the same way.
            assert_ne!(sr.perceived[i][0], sa.perceived[i][0]);
        }
    }
    assert!(moved > 500, "relative noise moved only {moved} terms");
}

/// Five members with noise, spending drawn, and population drawn or not.
fn drawn(rule: &str, population: &str) -> crate::scenario::Scenario {
    let mut text =
        String::from("[alliance]\ncapacity = 0.5\nregions = [\"r\"]\ncrisis_types = [\"t\"]\n");
    for (i, id) in ["A", "B", "C", "D", "E"].iter().enumerate() {
        text.push_str(&format!(
            "[members.{id}]\nregion = \"r\"\nmilitary_spending = {{ dist = \"uniform\", lo = 1, hi = {} }}\n\
             gdp = 1\ndependence = 0\nsovereignty = 0.5\nvulnerability = 0.5\nthreat = {{ t = 0.5 }}\n\
             concern = {{ r = 1 }}\npopulation = {population}\n",
            2 + i
        ));
    }
    text.push_str(&format!(
        "[crisis]\nrequester = \"A\"\ntype = \"t\"\nregion = \"r\"\nrequested = \"act\"\n\
         severity = 0.5\ndomestic = 0\nframing = 0\ncontagion = 0\nlegal_fit = 1\nlegitimacy = 1\n\
         credibility = 0.5\ncombat_risk = 0.5\n\
         [[options]]\nid = \"act\"\neffect = 1\ntroops = 0.5\nintrusion = 0.5\n\
         [rule]\n{rule}\n[montecarlo]\nnoise = 0.3\n"
    ));
    load_str(&text, Path::new("drawn.toml")).expect("valid scenario")
}

fn decisions(model: &Model, runs: u64) -> Vec<Decision> {
    let mut scratch = model.scratch();
    (0..runs)
        .map(|r| {
            let mut rng = ChaCha8Rng::seed_from_u64(7);
            rng.set_stream(r);
            model.simulate(&mut rng, &mut scratch)
        })
        .collect()
}

#[test]
fn populations_drawn_or_fixed_change_nothing_under_a_rule_without_them() {
    let fixed = drawn("kind = \"majority\"", "100");
    let random = drawn(
        "kind = \"majority\"",
        "{ dist = \"uniform\", lo = 10, hi = 1000 }",
    );
    let (a, b) = (
        Model::new(&fixed, fixed.rule),
        Model::new(&random, random.rule),
    );
    assert_eq!(decisions(&a, 300), decisions(&b, 300));
    // Under the double majority the drawn populations count.
    let dm = DecisionRule::double_majority();
    let m = Model::new(&random, dm);
    let mut scratch = m.scratch();
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    m.simulate(&mut rng, &mut scratch);
    let w = m.rule_weights(&scratch);
    assert!(w.iter().all(|p| (10.0..=1000.0).contains(p)), "{w:?}");
    assert!(w.windows(2).any(|p| p[0] != p[1]));
    assert!(matches!(
        m.rule_weighing(&scratch),
        RuleWeights::Exact { .. }
    ));
}

#[test]
fn weighted_rules_count_raw_amounts_as_exact_units() {
    // Fixed spending 52.8, 0.48: the model keeps whole hundredths.
    let s = scenario(false, [1.0; 3], 0.0, 0.05);
    let mut s = s;
    for (m, x) in s.members.iter_mut().zip([52.8, 0.48, 1.0]) {
        m.military_spending = crate::scenario::Param::Fixed(x);
    }
    let rule: DecisionRule = "weighted:military:amount:53.28".parse().unwrap();
    let model = Model::new(&s, rule);
    let central = model.central();
    assert_eq!(central.rule_weights, [52.8, 0.48, 1.0]);
    assert_eq!(central.rule_units, [5280, 48, 100]);
    assert_eq!(central.rule_per_unit, Some(100));
    let w = central.weighing();
    assert!(rule.passes(&[Vote::Yes, Vote::Yes, Vote::No], w, None));
    assert!(!rule.passes(&[Vote::Yes, Vote::No, Vote::No], w, None));
    // Drawn spending: exact units every run.
    let d = drawn(
        "kind = \"weighted\"\nattribute = \"military\"\nquota = \"1/2\"",
        "1",
    );
    let m = Model::new(&d, d.rule);
    let mut scratch = m.scratch();
    for r in 0..20 {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        rng.set_stream(r);
        m.simulate(&mut rng, &mut scratch);
        let RuleWeights::Exact { units, per_unit } = m.rule_weighing(&scratch) else {
            panic!("drawn decimals of 17 digits below 6 fit in 64 bits");
        };
        let w = m.rule_weights(&scratch);
        for (u, x) in units.iter().zip(w) {
            assert!(
                (*u as f64 / per_unit as f64 - x).abs() <= x * 1e-15,
                "{u}/{per_unit} vs {x}"
            );
        }
    }
}
