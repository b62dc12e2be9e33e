//! What a run of a model with distributions draws, and what each draw
//! changes. Prepared once per model: the drawn parameters in draw order, each
//! with the field of [`Inputs`] it sets and a [`Sampler`] ready to draw, and
//! which utility terms, shares and voter records depend on them. A run then
//! starts from the values at the fixed parameters (kept in the scratch
//! between runs of the same model), overwrites the drawn fields and
//! recomputes only what they enter, with the same formulas as a full
//! evaluation, so every number is the same to the bit.

use rand::Rng;

use super::utility::{self, Inputs, Terms};
use super::{Evaluated, ParamTable, Voter};
use crate::scenario::param::Sampler;
use crate::scenario::Param;

/// A field of [`Inputs`] a parameter sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    Capacity,
    Severity,
    Domestic,
    Framing,
    Contagion,
    LegalFit,
    Legitimacy,
    Credibility,
    CombatRisk,
    Effect(usize),
    Troops(usize),
    Intrusion(usize),
    MilitarySpending(usize),
    Gdp(usize),
    Dependence(usize),
    Sovereignty(usize),
    Vulnerability(usize),
    Reservation(usize),
    Threat(usize),
    Concern(usize),
    AffinityRequester(usize),
    AffinityAdversary(usize),
    /// Member, index in [`MemberInputs::weights`].
    Weight(usize, usize),
    Population(usize),
}

impl Target {
    /// Writes `v` into the field. `x` has the model's shape.
    #[inline]
    pub(super) fn set(self, x: &mut Inputs, v: f64) {
        match self {
            Target::Capacity => x.capacity = v,
            Target::Severity => x.severity = v,
            Target::Domestic => x.domestic = v,
            Target::Framing => x.framing = v,
            Target::Contagion => x.contagion = v,
            Target::LegalFit => x.legal_fit = v,
            Target::Legitimacy => x.legitimacy = v,
            Target::Credibility => x.credibility = v,
            Target::CombatRisk => x.combat_risk = v,
            Target::Effect(k) => x.effect[k] = v,
            Target::Troops(k) => x.troops[k] = v,
            Target::Intrusion(k) => x.intrusion[k] = v,
            Target::MilitarySpending(i) => x.members[i].military_spending = v,
            Target::Gdp(i) => x.members[i].gdp = v,
            Target::Dependence(i) => x.members[i].dependence = v,
            Target::Sovereignty(i) => x.members[i].sovereignty = v,
            Target::Vulnerability(i) => x.members[i].vulnerability = v,
            Target::Reservation(i) => x.members[i].reservation = v,
            Target::Threat(i) => x.members[i].threat = v,
            Target::Concern(i) => x.members[i].concern = v,
            Target::AffinityRequester(i) => x.members[i].affinity_requester = v,
            Target::AffinityAdversary(i) => x.members[i].affinity_adversary = v,
            Target::Weight(i, k) => x.members[i].weights[k] = v,
            Target::Population(i) => x.members[i].population = v,
        }
    }
}

impl ParamTable {
    /// Every parameter with the field it sets, in the order a run draws
    /// them: the crisis (capacity first), each option's effect, troops and
    /// intrusion, each member's scalars, threat, concern, affinities and
    /// weights, and last every member's population. The order is part of
    /// the reproducibility guarantee: it decides which numbers of the run's
    /// generator each parameter takes.
    pub(super) fn visit(&self, mut f: impl FnMut(Target, &Param)) {
        const CRISIS: [Target; 9] = [
            Target::Capacity,
            Target::Severity,
            Target::Domestic,
            Target::Framing,
            Target::Contagion,
            Target::LegalFit,
            Target::Legitimacy,
            Target::Credibility,
            Target::CombatRisk,
        ];
        for (t, p) in CRISIS.into_iter().zip(&self.crisis) {
            f(t, p);
        }
        for (k, [e, t, s]) in self.options.iter().enumerate() {
            f(Target::Effect(k), e);
            f(Target::Troops(k), t);
            f(Target::Intrusion(k), s);
        }
        for (i, mp) in self.members.iter().enumerate() {
            let [ms, gdp, dep, sov, vul, res] = &mp.scalars;
            f(Target::MilitarySpending(i), ms);
            f(Target::Gdp(i), gdp);
            f(Target::Dependence(i), dep);
            f(Target::Sovereignty(i), sov);
            f(Target::Vulnerability(i), vul);
            f(Target::Reservation(i), res);
            f(Target::Threat(i), &mp.threat);
            f(Target::Concern(i), &mp.concern);
            f(Target::AffinityRequester(i), &mp.affinity_requester);
            f(Target::AffinityAdversary(i), &mp.affinity_adversary);
            for (k, w) in mp.weights.iter().enumerate() {
                f(Target::Weight(i, k), w);
            }
        }
        // Last, so that drawing populations moves no other draw.
        for (i, mp) in self.members.iter().enumerate() {
            f(Target::Population(i), &mp.population);
        }
    }
}

/// A set of utility terms, one bit each in the order of
/// [`utility::weight`]: security, regime, partner, credibility,
/// sovereignty, cost, external.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct TermSet(u8);

impl TermSet {
    const SECURITY: TermSet = TermSet(1 << utility::weight::SECURITY);
    const REGIME: TermSet = TermSet(1 << utility::weight::REGIME);
    const PARTNER: TermSet = TermSet(1 << utility::weight::PARTNER);
    const CREDIBILITY: TermSet = TermSet(1 << utility::weight::CREDIBILITY);
    const SOVEREIGNTY: TermSet = TermSet(1 << utility::weight::SOVEREIGNTY);
    const COST: TermSet = TermSet(1 << utility::weight::COST);
    const EXTERNAL: TermSet = TermSet(1 << utility::weight::EXTERNAL);

    fn with(self, other: TermSet) -> TermSet {
        TermSet(self.0 | other.0)
    }

    fn has(self, term: TermSet) -> bool {
        self.0 & term.0 != 0
    }

    fn without(self, other: TermSet) -> TermSet {
        TermSet(self.0 & !other.0)
    }

    fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// Which voter records a run rebuilds.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Rebuild {
    /// Every member's.
    All,
    /// These members', in order.
    Members(Vec<usize>),
}

/// A model's drawn parameters and what they change.
#[derive(Debug, Clone)]
pub(super) struct Draws {
    /// Every parameter at its central value, worked through: what a run
    /// starts from. Fields and terms no draw touches keep these values.
    base: Evaluated,
    /// Shares of military spending and GDP at the central values.
    military: Vec<f64>,
    economic: Vec<f64>,
    /// imp(q) at the central values.
    importance: f64,
    /// The drawn parameters, in draw order.
    draws: Vec<(Target, Sampler)>,
    /// Terms recomputed for every member.
    all: TermSet,
    /// Terms recomputed for one member besides `all`, by member.
    each: Vec<(usize, TermSet)>,
    /// Whether a draw moves the shares (and so imp(q)).
    shares: bool,
    /// The voter records rebuilt.
    rebuild: Rebuild,
    /// The requesting member and the hegemon, for the shares' imp(q).
    requester: Option<usize>,
    hegemon: Option<usize>,
}

impl Draws {
    /// The draws of `params`, starting from `base` (every parameter at its
    /// central value, evaluated) with its `military` and `economic` shares.
    pub(super) fn new(
        params: &ParamTable,
        base: Evaluated,
        military: Vec<f64>,
        economic: Vec<f64>,
        requester: Option<usize>,
        hegemon: Option<usize>,
    ) -> Draws {
        let mut draws = Vec::new();
        params.visit(|t, p| {
            if !p.is_fixed() {
                draws.push((t, Sampler::new(p)));
            }
        });
        let n = base.inputs.members.len();
        let mut all = TermSet::default();
        let mut own = vec![TermSet::default(); n];
        let mut voter = vec![false; n];
        let mut shares = false;
        for (t, _) in &draws {
            match *t {
                Target::Capacity => all = all.with(TermSet::SOVEREIGNTY).with(TermSet::COST),
                Target::Severity => {
                    all = all.with(TermSet::SECURITY).with(TermSet::COST);
                    // The requester's sovereignty cost is discounted by severity.
                    if let Some(q) = requester {
                        own[q] = own[q].with(TermSet::SOVEREIGNTY);
                    }
                }
                Target::Domestic => {
                    all = all
                        .with(TermSet::SECURITY)
                        .with(TermSet::CREDIBILITY)
                        .with(TermSet::SOVEREIGNTY)
                }
                Target::Framing => all = all.with(TermSet::SECURITY).with(TermSet::CREDIBILITY),
                Target::Contagion => all = all.with(TermSet::REGIME),
                Target::LegalFit | Target::Credibility => all = all.with(TermSet::CREDIBILITY),
                Target::Legitimacy => all = all.with(TermSet::PARTNER),
                Target::CombatRisk => all = all.with(TermSet::COST),
                // Read by the vote directly, as are dependence and reservation.
                Target::Effect(_) | Target::Troops(_) | Target::Intrusion(_) => {}
                Target::MilitarySpending(_) => {
                    shares = true;
                    all = all.with(TermSet::COST).with(TermSet::PARTNER);
                }
                Target::Gdp(_) => {
                    shares = true;
                    all = all.with(TermSet::PARTNER);
                }
                Target::Dependence(i) | Target::Reservation(i) => voter[i] = true,
                Target::Sovereignty(i) => own[i] = own[i].with(TermSet::SOVEREIGNTY),
                Target::Vulnerability(i) => own[i] = own[i].with(TermSet::REGIME),
                Target::Threat(i) => own[i] = own[i].with(TermSet::SECURITY),
                Target::Concern(i) => own[i] = own[i].with(TermSet::SECURITY).with(TermSet::REGIME),
                Target::AffinityRequester(i) => own[i] = own[i].with(TermSet::PARTNER),
                Target::AffinityAdversary(i) => own[i] = own[i].with(TermSet::EXTERNAL),
                Target::Weight(i, k) => own[i] = own[i].with(TermSet(1 << k)),
                // Counted by the rule only.
                Target::Population(_) => {}
            }
        }
        let each: Vec<(usize, TermSet)> = own
            .iter()
            .enumerate()
            .map(|(i, s)| (i, s.without(all)))
            .filter(|(_, s)| !s.is_empty())
            .collect();
        let rebuild = if all.is_empty() {
            Rebuild::Members((0..n).filter(|&i| voter[i] || !own[i].is_empty()).collect())
        } else {
            Rebuild::All
        };
        let importance = utility::importance(&military, &economic, requester, hegemon);
        Draws {
            base,
            military,
            economic,
            importance,
            draws,
            all,
            each,
            shares,
            rebuild,
            requester,
            hegemon,
        }
    }

    /// Puts the starting values into a scratch's evaluation and shares
    /// (when it last held another model's).
    pub(super) fn start(
        &self,
        out: &mut Evaluated,
        military: &mut Vec<f64>,
        economic: &mut Vec<f64>,
    ) {
        out.clone_from(&self.base);
        military.clone_from(&self.military);
        economic.clone_from(&self.economic);
    }

    /// Draws this run's parameters into `out.inputs` and recomputes the
    /// shares, terms and voter records they change. `out`, `military` and
    /// `economic` hold what [`Draws::start`] put there, with the drawn
    /// fields and what depends on them as an earlier run of this model left
    /// them.
    #[inline]
    pub(super) fn redraw<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        out: &mut Evaluated,
        military: &mut [f64],
        economic: &mut [f64],
    ) {
        for (t, s) in &self.draws {
            t.set(&mut out.inputs, s.sample(rng));
        }
        let importance = if self.shares {
            utility::shares(&out.inputs, military, economic);
            utility::importance(military, economic, self.requester, self.hegemon)
        } else {
            self.importance
        };
        self.recompute(out, military, importance);
    }

    /// Recomputes the terms and voter records the draws change, given this
    /// run's `military` shares and `importance`.
    #[inline]
    fn recompute(&self, out: &mut Evaluated, military: &[f64], importance: f64) {
        let Evaluated {
            inputs: x,
            terms,
            voters,
            ..
        } = out;
        let q = self.requester;
        let all = self.all;
        if all.has(TermSet::SECURITY) {
            for (i, t) in terms.iter_mut().enumerate() {
                t.security = utility::security(x, i, q);
            }
        }
        if all.has(TermSet::REGIME) {
            for (i, t) in terms.iter_mut().enumerate() {
                t.regime = utility::regime(x, i);
            }
        }
        if all.has(TermSet::PARTNER) {
            for (i, t) in terms.iter_mut().enumerate() {
                t.partner = utility::partner(x, i, importance);
            }
        }
        if all.has(TermSet::CREDIBILITY) {
            for (i, t) in terms.iter_mut().enumerate() {
                t.credibility = utility::credibility(x, i);
            }
        }
        if all.has(TermSet::SOVEREIGNTY) {
            for (i, t) in terms.iter_mut().enumerate() {
                t.sovereignty = utility::sovereignty(x, i, q);
            }
        }
        if all.has(TermSet::COST) {
            for (i, (t, m)) in terms.iter_mut().zip(military).enumerate() {
                t.cost = utility::cost(x, i, *m);
            }
        }
        if all.has(TermSet::EXTERNAL) {
            for (i, t) in terms.iter_mut().enumerate() {
                t.external = utility::external(x, i);
            }
        }
        for &(i, set) in &self.each {
            recompute_one(set, x, &mut terms[i], i, q, military[i], importance);
        }
        match &self.rebuild {
            Rebuild::All => {
                for ((v, t), m) in voters.iter_mut().zip(terms.iter()).zip(&x.members) {
                    *v = Voter::new(t, m);
                }
            }
            Rebuild::Members(list) => {
                for &i in list {
                    voters[i] = Voter::new(&terms[i], &x.members[i]);
                }
            }
        }
    }
}

/// Recomputes the terms in `set` of member `i`.
#[inline]
fn recompute_one(
    set: TermSet,
    x: &Inputs,
    t: &mut Terms,
    i: usize,
    q: Option<usize>,
    military_share: f64,
    importance: f64,
) {
    if set.has(TermSet::SECURITY) {
        t.security = utility::security(x, i, q);
    }
    if set.has(TermSet::REGIME) {
        t.regime = utility::regime(x, i);
    }
    if set.has(TermSet::PARTNER) {
        t.partner = utility::partner(x, i, importance);
    }
    if set.has(TermSet::CREDIBILITY) {
        t.credibility = utility::credibility(x, i);
    }
    if set.has(TermSet::SOVEREIGNTY) {
        t.sovereignty = utility::sovereignty(x, i, q);
    }
    if set.has(TermSet::COST) {
        t.cost = utility::cost(x, i, military_share);
    }
    if set.has(TermSet::EXTERNAL) {
        t.external = utility::external(x, i);
    }
}

#[cfg(test)]
#[path = "draws_tests.rs"]
mod tests;
