//! The decision model: members evaluate the options through their utilities,
//! perceive them with noise, are pulled toward the hegemon, vote, and the
//! procedure applies the decision rule. It knows nothing of files or terminals.

mod draws;
pub mod explain;
pub mod procedure;
pub mod quota;
pub mod rule;
pub mod utility;

pub use procedure::Decision;
pub use quota::Ratio;
pub use rule::{Attribute, DecisionRule, PartyVote, Quota, RuleWeights, Vote};
pub use utility::{Inputs, MemberInputs, Terms};

use std::sync::atomic::{AtomicU64, Ordering};

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use draws::Draws;

use crate::scenario::{Actor, NoiseModel, Param, Scenario};

/// A scenario prepared for fast repeated evaluation under one decision rule.
#[derive(Debug, Clone)]
pub struct Model {
    rule: DecisionRule,
    requested: usize,
    requester: Option<usize>,
    hegemon: Option<usize>,
    band: f64,
    /// Parties to the dispute (bit i = member i) and how they take part.
    parties: u64,
    party_vote: PartyVote,
    noise: f64,
    noise_model: NoiseModel,
    /// Parameters in draw order, mirroring the fields of `Inputs`.
    params: ParamTable,
    /// What a run evaluates: the same values every run, or draws.
    values: Values,
    /// Whether the amounts the rule counts are the same in every run.
    attribute_fixed: bool,
    /// Tells this model's values from another's in a [`Scratch`] (shared by
    /// the models of a mixture); clones share it, as they share the values.
    key: u64,
    /// The members' amounts of the rule's attribute as exact units, when
    /// the rule counts one, the amounts are fixed and they have an exact
    /// form: (units, units per unit of the attribute).
    fixed_units: Option<(Vec<u64>, u64)>,
}

/// What a model's runs evaluate.
#[derive(Debug, Clone)]
enum Values {
    /// No parameter is a distribution: everything that does not change
    /// between runs, computed once.
    Fixed(Evaluated),
    /// Some are: what a run draws and what each draw changes.
    Drawn(Draws),
}

/// Source of [`Model::key`]s; 0 is a scratch that holds no model's values.
static NEXT_KEY: AtomicU64 = AtomicU64::new(1);

/// The `Param` behind each field of `Inputs`.
#[derive(Debug, Clone)]
struct ParamTable {
    crisis: [Param; 9],
    options: Vec<[Param; 3]>,
    members: Vec<MemberParams>,
}

impl ParamTable {
    /// Whether every parameter the model reads is fixed, so that the
    /// utilities can be computed once for all runs.
    fn all_fixed(&self) -> bool {
        let crisis = self.crisis.iter();
        let options = self.options.iter().flatten();
        let members = self.members.iter().flat_map(|m| {
            m.scalars.iter().chain(&m.weights).chain([
                &m.threat,
                &m.concern,
                &m.affinity_requester,
                &m.affinity_adversary,
                &m.population,
            ])
        });
        crisis.chain(options).chain(members).all(Param::is_fixed)
    }
}

#[derive(Debug, Clone)]
struct MemberParams {
    scalars: [Param; 6],
    threat: Param,
    concern: Param,
    affinity_requester: Param,
    affinity_adversary: Param,
    weights: [Param; 7],
    /// Drawn (last, after every other parameter) only when the rule counts
    /// population, so that a rule that does not leaves the runs unchanged.
    population: Param,
}

/// One set of inputs worked through to the numbers the vote needs.
#[derive(Debug, Clone, Default)]
pub struct Evaluated {
    /// The parameter values.
    pub inputs: Inputs,
    /// Each member's utility terms.
    pub terms: Vec<Terms>,
    /// Each member's amount of the attribute the rule counts, as given
    /// (military spending or GDP in billions of USD, population in
    /// thousands; 1 each for `equal` and for rules that count no attribute).
    pub rule_weights: Vec<f64>,
    /// The same amounts as whole numbers of a common unit, for exact
    /// comparisons; meaningful when `rule_per_unit` is `Some`.
    pub rule_units: Vec<u64>,
    /// Units in one unit of the attribute, or `None` when the amounts have
    /// no exact form (the rule then compares in floating point).
    pub rule_per_unit: Option<u64>,
    /// What the vote reads of each member, packed together.
    pub(crate) voters: Vec<Voter>,
}

/// What a run's vote reads of one member, side by side in memory: the
/// utility's terms as perception noise sees them, and the hegemon's pull
/// and the reservation level.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Voter {
    /// B, the four benefit terms together.
    benefit: f64,
    /// E, ties to the adversary.
    external: f64,
    /// V, the sovereignty cost.
    sovereignty: f64,
    /// T, the material cost.
    cost: f64,
    /// Dependence on the hegemon d.
    dependence: f64,
    /// Reservation level τ.
    reservation: f64,
}

impl Voter {
    /// The record of a member with terms `t` and inputs `m`.
    #[inline]
    fn new(t: &Terms, m: &MemberInputs) -> Voter {
        Voter {
            benefit: t.benefit(),
            external: t.external,
            sovereignty: t.sovereignty,
            cost: t.cost,
            dependence: m.dependence,
            reservation: m.reservation,
        }
    }
}

impl Evaluated {
    /// The weights the rule counts, exact when they can be.
    pub fn weighing(&self) -> RuleWeights<'_> {
        match self.rule_per_unit {
            Some(per_unit) => RuleWeights::Exact {
                units: &self.rule_units,
                per_unit,
            },
            None => RuleWeights::Float(&self.rule_weights),
        }
    }
}

/// Reusable buffers for one worker, so a run allocates nothing.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    /// The key of the model whose values `evaluated` and the shares hold
    /// (0: none yet).
    owner: u64,
    evaluated: Evaluated,
    military: Vec<f64>,
    economic: Vec<f64>,
    /// Perceived B − E, V, T per member.
    perceived: Vec<[f64; 3]>,
    utilities: Vec<f64>,
    /// Every member's vote on the requested option in the last run.
    pub requested_votes: Vec<Vote>,
    votes: Vec<Vote>,
}

impl Model {
    /// Prepares `scenario` for simulation under `rule`.
    pub fn new(scenario: &Scenario, rule: DecisionRule) -> Model {
        let c = &scenario.crisis;
        let requester = c.requester;
        let n_members = scenario.members.len();
        let members = scenario
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let affinity_requester = match requester {
                    Some(q) if q == i => Param::Fixed(1.0),
                    Some(q) => m.affinity[q].clone(),
                    // No requesting member: nobody to value as a partner.
                    None => Param::Fixed(0.0),
                };
                let affinity_adversary = match c.adversary {
                    None => Param::Fixed(0.0),
                    Some(Actor::Member(x)) if x == i => Param::Fixed(1.0),
                    Some(Actor::Member(x)) => m.affinity[x].clone(),
                    Some(Actor::Outsider(x)) => m.affinity[n_members + x].clone(),
                };
                MemberParams {
                    scalars: m.scalars().map(Param::clone),
                    threat: m.threat[c.kind]
                        .clone()
                        .expect("checked: threat for the crisis type"),
                    concern: m.concern[c.region]
                        .clone()
                        .expect("checked: concern for the crisis region"),
                    affinity_requester,
                    affinity_adversary,
                    weights: m.weights.params().map(Param::clone),
                    // A rule that counts population is refused where a
                    // member lacks it (`Scenario::rule_problem`).
                    population: match (rule.attribute(), &m.population) {
                        (Some(Attribute::Population), Some(p)) => p.clone(),
                        _ => Param::Fixed(0.0),
                    },
                }
            })
            .collect();
        let [severity, domestic, framing, contagion, legal_fit, legitimacy, credibility, combat_risk] =
            c.params().map(Param::clone);
        let params = ParamTable {
            crisis: [
                scenario.alliance.capacity.clone(),
                severity,
                domestic,
                framing,
                contagion,
                legal_fit,
                legitimacy,
                credibility,
                combat_risk,
            ],
            options: scenario
                .options
                .iter()
                .map(|o| o.params().map(Param::clone))
                .collect(),
            members,
        };
        let model = Model {
            rule,
            requested: c.requested,
            requester,
            hegemon: scenario.alliance.hegemon,
            band: scenario.abstention_band,
            parties: c.parties.iter().fold(0u64, |set, i| set | (1u64 << i)),
            party_vote: scenario.party_vote,
            noise: scenario.montecarlo.noise,
            noise_model: scenario.montecarlo.noise_model,
            params,
            values: Values::Fixed(Evaluated::default()),
            attribute_fixed: true,
            key: 0,
            fixed_units: None,
        };
        model.prepared()
    }

    /// Works out what does not change between runs, from `params`: the
    /// exact units of fixed rule amounts, and the values of every run or
    /// what a run draws.
    fn prepared(mut self) -> Model {
        let model = &mut self;
        model.key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
        let n_members = model.params.members.len();
        model.attribute_fixed = model.attribute_fixed();
        // Every parameter at its central value: the values of every run when
        // none is drawn, and a drawn run's starting point otherwise.
        let mut central = Evaluated::default();
        let (mut m, mut g) = (vec![0.0; n_members], vec![0.0; n_members]);
        model.fill_inputs(&mut central.inputs, |p| p.central());
        // Exact units of the amounts the rule counts, once, when it counts
        // one and the amounts are fixed (before `evaluate_into`, which copies
        // them).
        model.fixed_units = None;
        if model.attribute_fixed && model.rule.attribute().is_some() {
            model.fill_rule_weights(&mut central);
            model.fixed_units = quota::exact_units(&central.rule_weights);
        }
        model.evaluate_into(&mut central, &mut m, &mut g);
        model.values = if model.params.all_fixed() {
            Values::Fixed(central)
        } else {
            Values::Drawn(Draws::new(
                &model.params,
                central,
                m,
                g,
                model.requester,
                model.hegemon,
            ))
        };
        self
    }

    /// Number of members.
    pub fn members(&self) -> usize {
        self.params.members.len()
    }

    /// Number of levels, including no action.
    pub fn levels(&self) -> usize {
        self.params.options.len()
    }

    /// Level of the requested option.
    pub fn requested(&self) -> usize {
        self.requested
    }

    /// The rule the model votes under.
    pub fn rule(&self) -> DecisionRule {
        self.rule
    }

    /// A scratch space sized for this model.
    pub fn scratch(&self) -> Scratch {
        let n = self.members();
        Scratch {
            owner: 0,
            evaluated: Evaluated::default(),
            military: vec![0.0; n],
            economic: vec![0.0; n],
            perceived: vec![[0.0; 3]; n],
            utilities: vec![0.0; n],
            requested_votes: vec![Vote::Abstain; n],
            votes: vec![Vote::Abstain; n],
        }
    }

    /// The model evaluated at every parameter's central value, without noise.
    pub fn central(&self) -> Evaluated {
        let mut out = Evaluated::default();
        let (mut m, mut g) = (vec![0.0; self.members()], vec![0.0; self.members()]);
        self.fill_inputs(&mut out.inputs, |p| p.central());
        self.evaluate_into(&mut out, &mut m, &mut g);
        out
    }

    fn fill_inputs(&self, x: &mut Inputs, mut value: impl FnMut(&Param) -> f64) {
        let p = &self.params;
        let k = p.options.len();
        x.effect.resize(k, 0.0);
        x.troops.resize(k, 0.0);
        x.intrusion.resize(k, 0.0);
        x.members.resize(p.members.len(), MemberInputs::default());
        p.visit(|target, param| target.set(x, value(param)));
    }

    /// Whether the amounts the rule counts are the same in every run.
    fn attribute_fixed(&self) -> bool {
        let members = &self.params.members;
        match self.rule.attribute() {
            None | Some(Attribute::Equal) => true,
            Some(Attribute::Military) => members.iter().all(|m| m.scalars[0].is_fixed()),
            Some(Attribute::Economic) => members.iter().all(|m| m.scalars[1].is_fixed()),
            Some(Attribute::Population) => members.iter().all(|m| m.population.is_fixed()),
        }
    }

    /// Copies the amounts the rule counts from `out.inputs` into
    /// `out.rule_weights` (1 each when they are all zero).
    fn fill_rule_weights(&self, out: &mut Evaluated) {
        let members = &out.inputs.members;
        out.rule_weights.resize(members.len(), 1.0);
        let amount: fn(&MemberInputs) -> f64 = match self.rule.attribute() {
            Some(Attribute::Military) => |m| m.military_spending,
            Some(Attribute::Economic) => |m| m.gdp,
            Some(Attribute::Population) => |m| m.population,
            Some(Attribute::Equal) | None => |_| 1.0,
        };
        for (w, m) in out.rule_weights.iter_mut().zip(members) {
            *w = amount(m);
        }
        // As for the shares the utilities use: when every member reports
        // zero, each counts the same.
        if out.rule_weights.iter().all(|w| *w == 0.0) {
            out.rule_weights.fill(1.0);
        }
    }

    fn evaluate_into(&self, out: &mut Evaluated, military: &mut [f64], economic: &mut [f64]) {
        let n = self.members();
        utility::shares(&out.inputs, military, economic);
        let imp = utility::importance(military, economic, self.requester, self.hegemon);
        out.terms.resize(n, Terms::default());
        for (i, (t, m)) in out.terms.iter_mut().zip(military.iter()).enumerate() {
            *t = utility::terms(&out.inputs, i, self.requester, *m, imp);
        }
        out.voters.clear();
        out.voters.extend(
            out.terms
                .iter()
                .zip(&out.inputs.members)
                .map(|(t, m)| Voter::new(t, m)),
        );
        self.fill_rule_weights(out);
        // Exact units: once per model when the amounts are fixed, otherwise
        // from this run's draws (into buffers that stop growing).
        out.rule_per_unit = match (&self.fixed_units, self.rule.attribute()) {
            (_, None) => None,
            (Some((units, per_unit)), _) => {
                out.rule_units.clear();
                out.rule_units.extend_from_slice(units);
                Some(*per_unit)
            }
            (None, Some(_)) => quota::exact_units_into(&out.rule_weights, &mut out.rule_units),
        };
    }

    /// One member's utility for `level` given its perceived (B − E, V, T).
    #[inline]
    fn raw_utility(inputs: &Inputs, level: usize, p: &[f64; 3]) -> f64 {
        inputs.effect[level] * p[0] - inputs.intrusion[level] * p[1] - inputs.troops[level] * p[2]
    }

    /// Votes of every member on `level` given perceived components.
    fn vote(
        &self,
        inputs: &Inputs,
        voters: &[Voter],
        perceived: &[[f64; 3]],
        utilities: &mut [f64],
        level: usize,
        out: &mut [Vote],
    ) {
        for (u, p) in utilities.iter_mut().zip(perceived) {
            *u = Self::raw_utility(inputs, level, p);
        }
        // The requester has already said what it wants by asking; deference to
        // the hegemon shapes the others' answers, not the request itself.
        let pull = self.hegemon.map(|h| utilities[h]);
        // The requester's index, or one no member has.
        let requester = self.requester.unwrap_or(usize::MAX);
        for (i, v) in out.iter_mut().enumerate() {
            let m = &voters[i];
            let u = match pull {
                Some(uh) if Some(i) != self.hegemon && i != requester => {
                    (1.0 - m.dependence) * utilities[i] + m.dependence * uh
                }
                _ => utilities[i],
            };
            // Reservation and abstention band are per unit of the option's
            // effect, so a statement and a deployment are judged on one scale.
            let scale = inputs.effect[level];
            *v = if u > scale * (m.reservation + self.band) {
                Vote::Yes
            } else if u < scale * (m.reservation - self.band) {
                Vote::No
            } else {
                Vote::Abstain
            };
        }
        // Votes the procedure sets, after the loop so that it stays as tight
        // as it is without them. A government votes for what it asked for (on
        // milder options its utility decides, as above); a party to the
        // dispute abstains or is absent, which wins over both.
        if level == self.requested && requester < out.len() {
            out[requester] = Vote::Yes;
        }
        let set = match self.party_vote {
            PartyVote::Vote => None,
            PartyVote::Abstain => Some(Vote::Abstain),
            PartyVote::Excluded => Some(Vote::Absent),
        };
        if let Some(vote) = set {
            let mut parties = self.parties;
            while parties != 0 {
                out[parties.trailing_zeros() as usize] = vote;
                parties &= parties - 1;
            }
        }
    }

    /// Asks the processor to bring what a run of this model reads of its
    /// fixed values into cache, ahead of the run: in a mixture of many
    /// models, each run's model was last read many runs ago. A hint only;
    /// nothing it does can change a result.
    #[inline]
    pub fn prefetch(&self) {
        if let Values::Fixed(e) = &self.values {
            prefetch_slice(&e.voters);
            prefetch_slice(&e.rule_weights);
            prefetch_slice(&e.rule_units);
        }
    }

    /// This run's parameter values worked through: the model's own when
    /// nothing is drawn, otherwise the draws in `evaluated` (with the shares
    /// in `military` and `economic`), which hold this model's values from an
    /// earlier run when `owner` is its key.
    #[inline]
    fn draw<'a, R: Rng + ?Sized>(
        &'a self,
        rng: &mut R,
        owner: &mut u64,
        evaluated: &'a mut Evaluated,
        military: &mut Vec<f64>,
        economic: &mut Vec<f64>,
    ) -> &'a Evaluated {
        match &self.values {
            Values::Fixed(fixed) => fixed,
            Values::Drawn(draws) => {
                if *owner != self.key {
                    draws.start(evaluated, military, economic);
                    *owner = self.key;
                }
                draws.redraw(rng, evaluated, military, economic);
                if !self.attribute_fixed {
                    self.fill_rule_weights(evaluated);
                    evaluated.rule_per_unit =
                        quota::exact_units_into(&evaluated.rule_weights, &mut evaluated.rule_units);
                }
                evaluated
            }
        }
    }

    /// Simulates one run with `rng`, the generator keyed to this run. Every
    /// member's vote on the requested option is left in `scratch.requested_votes`.
    pub fn simulate<R: Rng + ?Sized>(&self, rng: &mut R, scratch: &mut Scratch) -> Decision {
        let Scratch {
            owner,
            evaluated,
            military,
            economic,
            perceived,
            utilities,
            requested_votes,
            votes,
        } = scratch;
        let eval = self.draw(rng, owner, evaluated, military, economic);
        let eta = self.noise;
        // No noise, absolute or relative noise: a loop each, so that the
        // per-member loop tests nothing. Either model makes four draws per
        // member, for B, E, V and T in that order.
        let members = perceived.iter_mut().zip(&eval.voters);
        match self.noise_model {
            _ if eta <= 0.0 => {
                for (p, m) in members {
                    *p = [m.benefit - m.external, m.sovereignty, m.cost];
                }
            }
            NoiseModel::Absolute => {
                let mut z = || -> f64 { StandardNormal.sample(rng) };
                for (p, m) in members {
                    let (mut b, mut e, mut v, mut c) =
                        (m.benefit, m.external, m.sovereignty, m.cost);
                    b += eta * z();
                    e += eta * z();
                    v += eta * z();
                    c += eta * z();
                    *p = [b - e, v, c];
                }
            }
            NoiseModel::Relative => {
                let mut z = || -> f64 { StandardNormal.sample(rng) };
                for (p, m) in members {
                    let (mut b, mut e, mut v, mut c) =
                        (m.benefit, m.external, m.sovereignty, m.cost);
                    b += eta * b.abs() * z();
                    e += eta * e.abs() * z();
                    v += eta * v.abs() * z();
                    c += eta * c.abs() * z();
                    *p = [b - e, v, c];
                }
            }
        }
        let inputs = &eval.inputs;
        let voters = &eval.voters;
        procedure::decide(
            &self.rule,
            self.requested,
            self.counting(eval),
            requested_votes,
            votes,
            |level, out| self.vote(inputs, voters, perceived, utilities, level, out),
        )
    }

    /// Each member's amount of the rule's attribute in the last run
    /// simulated with `scratch` (see [`Evaluated::rule_weights`]).
    pub fn rule_weights<'a>(&'a self, scratch: &'a Scratch) -> &'a [f64] {
        match &self.values {
            Values::Fixed(fixed) => &fixed.rule_weights,
            Values::Drawn(_) => &scratch.evaluated.rule_weights,
        }
    }

    /// The weights `DecisionRule::passes` was given in the last run
    /// simulated with `scratch`: exact when they can be.
    pub fn rule_weighing<'a>(&'a self, scratch: &'a Scratch) -> RuleWeights<'a> {
        match &self.values {
            Values::Fixed(fixed) => fixed.weighing(),
            Values::Drawn(_) => scratch.evaluated.weighing(),
        }
    }

    /// What the rule counts besides the votes: the weights of `eval`, the
    /// hegemon and the members absent from every vote.
    fn counting<'a>(&self, eval: &'a Evaluated) -> procedure::Counting<'a> {
        let weights = eval.weighing();
        let absent = match self.party_vote {
            PartyVote::Excluded => self.parties.count_ones() as usize,
            PartyVote::Vote | PartyVote::Abstain => 0,
        };
        procedure::Counting {
            weights,
            hegemon: self.hegemon,
            absent,
        }
    }

    /// The hegemon's index, if the alliance has one.
    pub fn hegemon(&self) -> Option<usize> {
        self.hegemon
    }

    /// Perception noise η and how it scales.
    pub fn noise(&self) -> (f64, NoiseModel) {
        (self.noise, self.noise_model)
    }
}

/// Prefetches every cache line of `items` (a hint; see [`Model::prefetch`]).
#[inline]
fn prefetch_slice<T>(items: &[T]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let bytes = std::mem::size_of_val(items);
        let start = items.as_ptr().cast::<i8>();
        for offset in (0..bytes).step_by(64) {
            // SAFETY: a prefetch reads nothing and cannot fault; the address
            // is inside `items` in any case.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(offset)) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = items;
}

#[cfg(test)]
mod tests;
