//! Member utilities: the value of every term of a member's utility for one
//! set of parameter values, before perception noise and hegemon pull.

/// Parameter values for one run (or the central values), flattened out of a
/// `Scenario` in the shape the utility formulas use.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs {
    /// Institutional capacity Kc.
    pub capacity: f64,
    /// Severity S.
    pub severity: f64,
    /// How domestic, I.
    pub domestic: f64,
    /// Framing F.
    pub framing: f64,
    /// Contagion C.
    pub contagion: f64,
    /// Legal fit L.
    pub legal_fit: f64,
    /// Legitimacy λ.
    pub legitimacy: f64,
    /// Credibility stake Q.
    pub credibility: f64,
    /// Combat risk R.
    pub combat_risk: f64,
    /// Effect e_k by level (0 for no action).
    pub effect: Vec<f64>,
    /// Troop scale t_k by level.
    pub troops: Vec<f64>,
    /// Intrusiveness s_k by level.
    pub intrusion: Vec<f64>,
    /// Per-member values.
    pub members: Vec<MemberInputs>,
}

/// One member's parameter values for one run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemberInputs {
    /// Military spending (absolute).
    pub military_spending: f64,
    /// GDP (absolute).
    pub gdp: f64,
    /// Population, thousands (0 unless the rule counts population).
    pub population: f64,
    /// Dependence on the hegemon d.
    pub dependence: f64,
    /// Sovereignty sensitivity σ.
    pub sovereignty: f64,
    /// Regime vulnerability v.
    pub vulnerability: f64,
    /// Reservation level τ.
    pub reservation: f64,
    /// Threat perception for this crisis's type.
    pub threat: f64,
    /// Concern for this crisis's region.
    pub concern: f64,
    /// Affinity toward the requester (1 for the requester itself).
    pub affinity_requester: f64,
    /// Affinity toward the adversary (0 if there is none; 1 for the adversary itself).
    pub affinity_adversary: f64,
    /// Interest weights: security, regime, partner, credibility, sovereignty, cost, external.
    pub weights: [f64; 7],
}

/// Index of each weight in `MemberInputs::weights`.
pub mod weight {
    /// Security.
    pub const SECURITY: usize = 0;
    /// Regime contagion.
    pub const REGIME: usize = 1;
    /// Partner importance.
    pub const PARTNER: usize = 2;
    /// Credibility.
    pub const CREDIBILITY: usize = 3;
    /// Sovereignty.
    pub const SOVEREIGNTY: usize = 4;
    /// Material cost.
    pub const COST: usize = 5;
    /// External ties.
    pub const EXTERNAL: usize = 6;
}

/// The terms of one member's utility, each already multiplied by its weight.
/// `U(k) = e_k·(benefit − external) − s_k·sovereignty − t_k·cost`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Terms {
    /// w_sec·S·threat·concern·X (X = 1 for the requester).
    pub security: f64,
    /// w_reg·C·v·concern.
    pub regime: f64,
    /// w_par·imp(q)·affinity(q)·λ.
    pub partner: f64,
    /// w_cred·Q·L·X.
    pub credibility: f64,
    /// w_sov·σ·I·(1 − Kc/2), times (1 − S) for the requester.
    pub sovereignty: f64,
    /// w_cost·m·(1 + R·S)·(1 − Kc/2).
    pub cost: f64,
    /// w_ext·affinity(adversary), signed: negative (hostility) raises support.
    pub external: f64,
}

impl Terms {
    /// B: the four benefit terms together.
    pub fn benefit(&self) -> f64 {
        self.security + self.regime + self.partner + self.credibility
    }
}

/// Shares of the alliance's military spending and GDP, member by member.
/// If every member reports zero, shares are equal.
pub fn shares(inputs: &Inputs, military: &mut [f64], economic: &mut [f64]) {
    let n = inputs.members.len();
    let total_m: f64 = inputs.members.iter().map(|m| m.military_spending).sum();
    let total_g: f64 = inputs.members.iter().map(|m| m.gdp).sum();
    for (i, m) in inputs.members.iter().enumerate() {
        military[i] = if total_m > 0.0 {
            m.military_spending / total_m
        } else {
            1.0 / n as f64
        };
        economic[i] = if total_g > 0.0 {
            m.gdp / total_g
        } else {
            1.0 / n as f64
        };
    }
}

/// imp(q): the requester's weight, (m_q + g_q)/2, relative to the largest
/// weight among the members other than the hegemon, capped at 1; 0 when no
/// member requested the decision.
pub fn importance(
    military: &[f64],
    economic: &[f64],
    requester: Option<usize>,
    hegemon: Option<usize>,
) -> f64 {
    let Some(requester) = requester else {
        return 0.0;
    };
    let weight = |j: usize| 0.5 * (military[j] + economic[j]);
    let largest = (0..military.len())
        .filter(|j| Some(*j) != hegemon)
        .map(weight)
        .fold(0.0, f64::max);
    if largest > 0.0 {
        (weight(requester) / largest).min(1.0)
    } else {
        0.0
    }
}

/// The share of a crisis felt abroad: 1 − I·(1 − F).
#[inline]
fn external_share(x: &Inputs) -> f64 {
    1.0 - x.domestic * (1.0 - x.framing)
}

/// How far institutional capacity lowers costs: 1 − Kc/2.
#[inline]
fn capacity_relief(x: &Inputs) -> f64 {
    1.0 - 0.5 * x.capacity
}

/// w_sec·S·threat·concern·X, X = 1 for the requester and the external
/// share otherwise.
#[inline]
pub fn security(x: &Inputs, i: usize, requester: Option<usize>) -> f64 {
    let m = &x.members[i];
    let felt = if Some(i) == requester {
        1.0
    } else {
        external_share(x)
    };
    m.weights[weight::SECURITY] * x.severity * m.threat * m.concern * felt
}

/// w_reg·C·v·concern.
#[inline]
pub fn regime(x: &Inputs, i: usize) -> f64 {
    let m = &x.members[i];
    m.weights[weight::REGIME] * x.contagion * m.vulnerability * m.concern
}

/// w_par·imp(q)·affinity(q)·λ.
#[inline]
pub fn partner(x: &Inputs, i: usize, imp: f64) -> f64 {
    let m = &x.members[i];
    m.weights[weight::PARTNER] * imp * m.affinity_requester * x.legitimacy
}

/// w_cred·Q·L·X, X the external share.
#[inline]
pub fn credibility(x: &Inputs, i: usize) -> f64 {
    let m = &x.members[i];
    m.weights[weight::CREDIBILITY] * x.credibility * x.legal_fit * external_share(x)
}

/// w_sov·σ·I·(1 − Kc/2), times (1 − S) for the requester.
#[inline]
pub fn sovereignty(x: &Inputs, i: usize, requester: Option<usize>) -> f64 {
    let m = &x.members[i];
    let requester_discount = if Some(i) == requester {
        1.0 - x.severity
    } else {
        1.0
    };
    m.weights[weight::SOVEREIGNTY]
        * m.sovereignty
        * x.domestic
        * capacity_relief(x)
        * requester_discount
}

/// w_cost·m·(1 + R·S)·(1 − Kc/2), `military_share` being m.
#[inline]
pub fn cost(x: &Inputs, i: usize, military_share: f64) -> f64 {
    let m = &x.members[i];
    m.weights[weight::COST]
        * military_share
        * (1.0 + x.combat_risk * x.severity)
        * capacity_relief(x)
}

/// w_ext·affinity(adversary), signed: friendly ties make acting costly,
/// hostility makes it welcome.
#[inline]
pub fn external(x: &Inputs, i: usize) -> f64 {
    let m = &x.members[i];
    m.weights[weight::EXTERNAL] * m.affinity_adversary
}

/// The terms of member `i`'s utility. `military_share` is m_i and `imp` is
/// imp(q). Each term is its own function above, so that a run that draws
/// some parameters recomputes only the terms they enter, to the same bits.
pub fn terms(
    inputs: &Inputs,
    i: usize,
    requester: Option<usize>,
    military_share: f64,
    imp: f64,
) -> Terms {
    Terms {
        security: security(inputs, i, requester),
        regime: regime(inputs, i),
        partner: partner(inputs, i, imp),
        credibility: credibility(inputs, i),
        sovereignty: sovereignty(inputs, i, requester),
        cost: cost(inputs, i, military_share),
        external: external(inputs, i),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Inputs {
        let member = MemberInputs {
            military_spending: 1.0,
            gdp: 1.0,
            population: 0.0,
            dependence: 0.5,
            sovereignty: 0.8,
            vulnerability: 0.5,
            reservation: 0.0,
            threat: 0.6,
            concern: 0.5,
            affinity_requester: 0.4,
            affinity_adversary: 0.3,
            weights: [1.0; 7],
        };
        Inputs {
            capacity: 0.4,
            severity: 0.8,
            domestic: 0.5,
            framing: 0.4,
            contagion: 0.3,
            legal_fit: 0.9,
            legitimacy: 0.7,
            credibility: 0.6,
            combat_risk: 0.25,
            effect: vec![0.0, 1.0],
            troops: vec![0.0, 1.0],
            intrusion: vec![0.0, 1.0],
            members: vec![member.clone(), member],
        }
    }

    #[test]
    fn each_term_follows_its_formula() {
        let x = base();
        let t = terms(&x, 1, Some(0), 0.5, 0.8);
        let ext = 1.0 - 0.5 * (1.0 - 0.4); // 0.7
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(t.security, 0.8 * 0.6 * 0.5 * ext));
        assert!(close(t.regime, 0.3 * 0.5 * 0.5));
        assert!(close(t.partner, 0.8 * 0.4 * 0.7));
        assert!(close(t.credibility, 0.6 * 0.9 * ext));
        assert!(close(t.sovereignty, 0.8 * 0.5 * 0.8));
        assert!(close(t.cost, 0.5 * (1.0 + 0.25 * 0.8) * 0.8));
        assert!(close(t.external, 0.3));
        assert!(close(
            t.benefit(),
            t.security + t.regime + t.partner + t.credibility
        ));
    }

    #[test]
    fn requester_is_threatened_directly_and_discounts_sovereignty() {
        let x = base();
        let other = terms(&x, 1, Some(0), 0.5, 0.8);
        let own = terms(&x, 0, Some(0), 0.5, 0.8);
        assert!((own.security - 0.8 * 0.6 * 0.5).abs() < 1e-12);
        assert!((own.sovereignty - other.sovereignty * (1.0 - 0.8)).abs() < 1e-12);
        assert_eq!(own.credibility, other.credibility);
    }

    #[test]
    fn weights_scale_terms_and_hostility_to_the_adversary_raises_support() {
        let mut x = base();
        x.members[1].weights = [2.0, 0.0, 1.0, 1.0, 3.0, 1.0, 1.0];
        x.members[1].affinity_adversary = -0.9;
        let w = terms(&x, 1, Some(0), 0.5, 0.8);
        let plain = terms(&base(), 1, Some(0), 0.5, 0.8);
        assert!((w.security - 2.0 * plain.security).abs() < 1e-12);
        assert_eq!(w.regime, 0.0);
        assert!((w.sovereignty - 3.0 * plain.sovereignty).abs() < 1e-12);
        // E = w_ext·a(x) = −0.9: subtracted from B, it adds 0.9 to the benefit.
        assert!((w.external + 0.9).abs() < 1e-12);
        let mut x = base();
        x.members[1].weights[weight::EXTERNAL] = 2.0;
        x.members[1].affinity_adversary = -0.5;
        assert!((terms(&x, 1, Some(0), 0.5, 0.8).external + 1.0).abs() < 1e-12);
    }

    #[test]
    fn without_a_requester_nobody_is_treated_as_one() {
        let x = base();
        let t0 = terms(&x, 0, None, 0.5, 0.0);
        let t1 = terms(&x, 1, None, 0.5, 0.0);
        assert_eq!(t0, t1, "identical members are treated alike");
        assert_eq!(t0.partner, 0.0);
        let ext = 1.0 - 0.5 * (1.0 - 0.4);
        assert!((t0.security - 0.8 * 0.6 * 0.5 * ext).abs() < 1e-12);
        let (m, g) = ([0.5, 0.5], [0.5, 0.5]);
        assert_eq!(importance(&m, &g, None, None), 0.0);
    }

    #[test]
    fn capacity_lowers_costs() {
        let mut x = base();
        x.capacity = 0.0;
        let low = terms(&x, 1, Some(0), 0.5, 0.8);
        x.capacity = 1.0;
        let high = terms(&x, 1, Some(0), 0.5, 0.8);
        assert!((high.cost - 0.5 * low.cost).abs() < 1e-12);
        assert!((high.sovereignty - 0.5 * low.sovereignty).abs() < 1e-12);
    }

    #[test]
    fn shares_and_importance() {
        let mut x = base();
        x.members[0].military_spending = 3.0;
        x.members[1].gdp = 3.0;
        let (mut m, mut g) = ([0.0; 2], [0.0; 2]);
        shares(&x, &mut m, &mut g);
        assert_eq!(m, [0.75, 0.25]);
        assert_eq!(g, [0.25, 0.75]);
        assert_eq!(importance(&m, &g, Some(1), None), 1.0);
        assert_eq!(importance(&m, &g, Some(1), Some(0)), 1.0);
        let m3 = [0.9, 0.08, 0.02];
        let g3 = [0.8, 0.1, 0.1];
        assert!((importance(&m3, &g3, Some(2), Some(0)) - 0.06 / 0.09).abs() < 1e-12);
    }
}
