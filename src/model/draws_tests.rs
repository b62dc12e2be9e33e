//! The prepared draws against the full evaluation they replace: for a
//! distribution on each parameter in turn, on all at once, and for models
//! that share one scratch, every input, term, voter record and rule amount
//! after a run's draws is the same to the bit as drawing every parameter and
//! evaluating from scratch, and the generator is left at the same word.

use std::path::Path;

use rand::RngCore;

use super::super::{Evaluated, Model, Scratch, Values};
use super::*;
use crate::model::DecisionRule;
use crate::runner::run_rng;
use crate::scenario::Param;

impl ParamTable {
    /// The parameter behind `target`.
    fn param_mut(&mut self, target: Target) -> &mut Param {
        match target {
            Target::Capacity => &mut self.crisis[0],
            Target::Severity => &mut self.crisis[1],
            Target::Domestic => &mut self.crisis[2],
            Target::Framing => &mut self.crisis[3],
            Target::Contagion => &mut self.crisis[4],
            Target::LegalFit => &mut self.crisis[5],
            Target::Legitimacy => &mut self.crisis[6],
            Target::Credibility => &mut self.crisis[7],
            Target::CombatRisk => &mut self.crisis[8],
            Target::Effect(k) => &mut self.options[k][0],
            Target::Troops(k) => &mut self.options[k][1],
            Target::Intrusion(k) => &mut self.options[k][2],
            Target::MilitarySpending(i) => &mut self.members[i].scalars[0],
            Target::Gdp(i) => &mut self.members[i].scalars[1],
            Target::Dependence(i) => &mut self.members[i].scalars[2],
            Target::Sovereignty(i) => &mut self.members[i].scalars[3],
            Target::Vulnerability(i) => &mut self.members[i].scalars[4],
            Target::Reservation(i) => &mut self.members[i].scalars[5],
            Target::Threat(i) => &mut self.members[i].threat,
            Target::Concern(i) => &mut self.members[i].concern,
            Target::AffinityRequester(i) => &mut self.members[i].affinity_requester,
            Target::AffinityAdversary(i) => &mut self.members[i].affinity_adversary,
            Target::Weight(i, k) => &mut self.members[i].weights[k],
            Target::Population(i) => &mut self.members[i].population,
        }
    }
}

/// A distribution around `c`, of a family that changes with `j`.
fn spread(c: f64, j: usize) -> Param {
    match j % 4 {
        0 => Param::Normal {
            mean: c,
            sd: 0.2,
            lo: c - 0.3,
            hi: c + 0.3,
        },
        1 => Param::Uniform {
            lo: c - 0.2,
            hi: c + 0.25,
        },
        2 => Param::Beta {
            a: 2.0,
            b: 3.5,
            lo: c - 0.2,
            hi: c + 0.3,
        },
        _ => Param::Triangular {
            lo: c - 0.25,
            mode: c,
            hi: c + 0.2,
        },
    }
}

/// `model` with the parameters behind `targets` made distributions.
fn drawing(model: &Model, targets: &[Target]) -> Model {
    let mut m = model.clone();
    for (j, t) in targets.iter().enumerate() {
        let p = m.params.param_mut(*t);
        *p = spread(p.central(), j);
    }
    m.prepared()
}

/// Every parameter's target, in draw order.
fn targets(model: &Model) -> Vec<Target> {
    let mut all = Vec::new();
    model.params.visit(|t, _| all.push(t));
    all
}

/// Every number of `e` the vote can read, as bits.
fn bits(e: &Evaluated) -> Vec<u64> {
    let x = &e.inputs;
    let mut out: Vec<f64> = vec![
        x.capacity,
        x.severity,
        x.domestic,
        x.framing,
        x.contagion,
        x.legal_fit,
        x.legitimacy,
        x.credibility,
        x.combat_risk,
    ];
    out.extend(x.effect.iter().chain(&x.troops).chain(&x.intrusion));
    for m in &x.members {
        out.extend([
            m.military_spending,
            m.gdp,
            m.population,
            m.dependence,
            m.sovereignty,
            m.vulnerability,
            m.reservation,
            m.threat,
            m.concern,
            m.affinity_requester,
            m.affinity_adversary,
        ]);
        out.extend(m.weights);
    }
    for t in &e.terms {
        out.extend([
            t.security,
            t.regime,
            t.partner,
            t.credibility,
            t.sovereignty,
            t.cost,
            t.external,
        ]);
    }
    for v in &e.voters {
        out.extend([
            v.benefit,
            v.external,
            v.sovereignty,
            v.cost,
            v.dependence,
            v.reservation,
        ]);
    }
    out.extend(&e.rule_weights);
    let mut bits: Vec<u64> = out.iter().map(|f| f.to_bits()).collect();
    bits.extend(&e.rule_units);
    bits.push(e.rule_per_unit.map_or(u64::MAX, |u| u));
    bits
}

/// Every parameter drawn and everything evaluated afresh, as a run did
/// before the draws were prepared.
fn from_scratch(model: &Model, rng: &mut impl rand::Rng) -> Evaluated {
    let n = model.members();
    let mut e = Evaluated::default();
    let (mut m, mut g) = (vec![0.0; n], vec![0.0; n]);
    model.fill_inputs(&mut e.inputs, |p| p.sample(rng));
    model.evaluate_into(&mut e, &mut m, &mut g);
    e
}

/// Runs `runs` runs of each of `models` in turn on one scratch and checks
/// each run's values against [`from_scratch`].
fn check(models: &[Model], runs: u64, what: &str) {
    let mut scratch: Scratch = models[0].scratch();
    for run in 0..runs {
        for (k, model) in models.iter().enumerate() {
            let (mut fast, mut slow) = (run_rng(3, run), run_rng(3, run));
            let Scratch {
                owner,
                evaluated,
                military,
                economic,
                ..
            } = &mut scratch;
            let got = bits(model.draw(&mut fast, owner, evaluated, military, economic));
            let want = bits(&from_scratch(model, &mut slow));
            assert_eq!(got.len(), want.len(), "{what}");
            if let Some(at) = (0..got.len()).find(|&i| got[i] != want[i]) {
                panic!(
                    "{what}, model {k}, run {run}: number {at} is {} prepared, {} from scratch",
                    f64::from_bits(got[at]),
                    f64::from_bits(want[at])
                );
            }
            assert_eq!(
                fast.next_u64(),
                slow.next_u64(),
                "{what}, model {k}, run {run}: the generators part"
            );
        }
    }
}

fn load(path: &str) -> crate::scenario::Scenario {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    crate::scenario::load(&p).expect("shipped scenario loads")
}

/// Scenarios and rules that between them have a requester, a hegemon,
/// an outside and a member adversary, and rules counting spending, GDP and
/// population.
fn models() -> Vec<(String, Model)> {
    let rule = |s: &str| s.parse::<DecisionRule>().expect("rule parses");
    let kaz = load("scenarios/kazakhstan_2022.toml");
    let eu = load("scenarios/eu/belarus_2020_10.toml");
    let niger = load("scenarios/ecowas/niger_2023.toml");
    vec![
        ("kazakhstan_2022".into(), Model::new(&kaz, kaz.rule)),
        (
            "kazakhstan_2022 weighted:military:0.5".into(),
            Model::new(&kaz, rule("weighted:military:0.5")),
        ),
        (
            "kazakhstan_2022 weighted:economic:0.5".into(),
            Model::new(&kaz, rule("weighted:economic:0.5")),
        ),
        (
            "belarus_2020_10 double_majority".into(),
            Model::new(&eu, rule("double_majority")),
        ),
        ("niger_2023".into(), Model::new(&niger, niger.rule)),
    ]
}

#[test]
fn each_parameter_drawn_alone_gives_the_full_evaluation() {
    for (name, model) in models() {
        for t in targets(&model) {
            check(&[drawing(&model, &[t])], 6, &format!("{name}, {t:?} drawn"));
        }
    }
}

#[test]
fn every_parameter_drawn_at_once_gives_the_full_evaluation() {
    for (name, model) in models() {
        let all = targets(&model);
        check(&[drawing(&model, &all)], 40, &format!("{name}, all drawn"));
    }
}

#[test]
fn models_sharing_a_scratch_each_see_their_own_values() {
    // As in a mixture: the scratch passes from model to model every run.
    for (name, model) in models() {
        let all = targets(&model);
        let some: Vec<Target> = all.iter().copied().step_by(5).collect();
        let fixed = model.clone().prepared();
        let pair = [
            drawing(&model, &some),
            fixed,
            drawing(&model, &all[..all.len() / 2]),
            drawing(&model, &some),
        ];
        check(&pair, 20, &format!("{name}, shared scratch"));
    }
}

#[test]
fn what_a_draw_changes_is_recomputed_and_nothing_else() {
    let (_, model) = &models()[0];
    let requester = model.requester.expect("kazakhstan_2022 has a requester");
    let severity = drawing(model, &[Target::Severity]);
    let Values::Drawn(d) = &severity.values else {
        panic!("a distribution is drawn")
    };
    assert_eq!(d.all, TermSet::SECURITY.with(TermSet::COST));
    assert_eq!(d.each, vec![(requester, TermSet::SOVEREIGNTY)]);
    assert!(!d.shares);
    let reservation = drawing(model, &[Target::Reservation(2), Target::Effect(1)]);
    let Values::Drawn(d) = &reservation.values else {
        panic!("a distribution is drawn")
    };
    assert!(d.all.is_empty() && d.each.is_empty());
    assert_eq!(d.rebuild, Rebuild::Members(vec![2]));
    let gdp = drawing(model, &[Target::Gdp(0), Target::Weight(1, 6)]);
    let Values::Drawn(d) = &gdp.values else {
        panic!("a distribution is drawn")
    };
    assert!(d.shares);
    assert_eq!(d.all, TermSet::PARTNER);
    assert_eq!(d.each, vec![(1, TermSet::EXTERNAL)]);
    assert_eq!(d.rebuild, Rebuild::All);
}
