//! Explaining one decision: the model evaluated once at every parameter's
//! central value, without perception noise, with every intermediate number
//! kept. For each member and option it records the weighted terms of the
//! utility, the hegemon pull, the thresholds and the vote; then it replays the
//! procedure round by round, as [`procedure::decide`] runs it, recording who
//! voted how, whether the proposal passed and who blocked it.
//!
//! The votes and rounds come from the same code that [`Model::simulate`] runs,
//! so the explanation agrees exactly with a simulation at `noise = 0` when no
//! parameter is a distribution. When some parameters are distributions, the
//! explanation shows the model at their central values (see
//! [`crate::scenario::Param::central`]), which no single run need draw.

use serde::{Serialize, Serializer};

use super::procedure;
use super::rule::Vote;
use super::utility;
use super::Model;
use crate::scenario::Scenario;

/// One noise-free evaluation at the central values, worked through to the
/// decision. Members are in file order; options are levels 1..K.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The scenario's display name.
    pub scenario: String,
    /// The decision rule's label, e.g. `unanimity`.
    pub rule: String,
    /// Whether some parameters are distributions, so that the numbers are
    /// taken at their central values rather than being those of every run.
    pub has_distributions: bool,
    /// The requesting member's id; `None` for an initiative no member requested.
    pub requester: Option<String>,
    /// Who proposed the decision when no member requested it.
    pub sponsor: Option<String>,
    /// The members that are parties to the dispute.
    pub parties: Vec<String>,
    /// How the parties take part: `vote`, `abstain` or `excluded`.
    pub party_vote: &'static str,
    /// The hegemon's id, if the alliance has one.
    pub hegemon: Option<String>,
    /// The option requested.
    pub requested: OptionRef,
    /// Half-width β of the abstention band, per unit of effect.
    pub abstention_band: f64,
    /// Perception noise η that runs add (this evaluation has none).
    pub noise: f64,
    /// How that noise scales with each term: `absolute` or `relative`.
    pub noise_model: &'static str,
    /// Quantities shared by every member.
    pub inputs: CentralInputs,
    /// The options that can be proposed, levels 1..K (no action is level 0).
    pub options: Vec<OptionValues>,
    /// Each member's terms, utilities and votes, in file order.
    pub members: Vec<MemberExplanation>,
    /// The proposals put to a vote, in order: the requested option first,
    /// then each milder one until one passes.
    pub rounds: Vec<Round>,
    /// The option adopted (`no_action`, level 0, if no proposal passed).
    pub adopted: OptionRef,
    /// The members who blocked the requested option, as a run records them
    /// (empty if it passed).
    pub blockers: Vec<String>,
    /// The blocker of the requested option when exactly one member blocked it.
    pub sole_blocker: Option<String>,
}

/// An option by level and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptionRef {
    /// Level k (0 = no action).
    pub level: usize,
    /// The option's id.
    pub option: String,
}

/// Central quantities that every member's terms share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CentralInputs {
    /// X = 1 − I·(1 − F): how far the crisis counts as external.
    pub external_share: f64,
    /// imp(q): the requester's weight relative to the largest non-hegemon member.
    pub importance: f64,
    /// 1 − Kc/2: the factor capacity puts on the sovereignty and material costs.
    pub capacity_relief: f64,
}

/// One option's central effect, troop scale and intrusiveness.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionValues {
    /// Level k.
    pub level: usize,
    /// The option's id.
    pub option: String,
    /// Effect e_k.
    pub effect: f64,
    /// Troop scale t_k.
    pub troops: f64,
    /// Intrusiveness s_k.
    pub intrusion: f64,
}

/// How a member takes part: its role changes the formulas (see docs/MODEL.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The hegemon: not pulled; pulls the others.
    Hegemon,
    /// The requester: not pulled, security not discounted by X, sovereignty cost times (1 − S).
    Requester,
    /// Any other member: pulled toward the hegemon by its dependence.
    Member,
}

impl Role {
    /// A short word for tables.
    pub fn name(self) -> &'static str {
        match self {
            Role::Hegemon => "hegemon",
            Role::Requester => "requester",
            Role::Member => "member",
        }
    }
}

/// A member's utility components before they are scaled by an option, each
/// already multiplied by its weight.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Components {
    /// w_sec·S·threat·concern·X (X = 1 for the requester).
    pub security: f64,
    /// w_reg·C·v·concern.
    pub regime: f64,
    /// w_par·imp·affinity(q)·λ.
    pub partner: f64,
    /// w_cred·Q·L·X.
    pub credibility: f64,
    /// B: the four benefit terms together.
    pub benefit: f64,
    /// V = w_sov·σ·I·(1 − Kc/2), times (1 − S) for the requester.
    pub sovereignty: f64,
    /// T = w_cost·m·(1 + R·S)·(1 − Kc/2).
    pub cost: f64,
    /// E = w_ext·max(0, affinity(adversary)).
    pub external: f64,
}

/// One member's part in the decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberExplanation {
    /// The member's id, e.g. `KAZ`.
    pub id: String,
    /// The member's display name.
    pub name: String,
    /// Hegemon, requester or other member.
    pub role: Role,
    /// Dependence on the hegemon d (used only for other members).
    pub dependence: f64,
    /// Reservation level τ, per unit of effect.
    pub reservation: f64,
    /// Share of the alliance's military spending m.
    pub military_share: f64,
    /// Share of the alliance's GDP g.
    pub economic_share: f64,
    /// The weighted terms B, E, V, T before any option scales them.
    pub components: Components,
    /// The member's view of each option, levels 1..K.
    pub options: Vec<OptionTerms>,
}

/// One member's utility for one option, term by term, and its vote.
/// The seven terms are signed as they enter the utility and add up to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionTerms {
    /// Level k.
    pub level: usize,
    /// The option's id.
    pub option: String,
    /// e_k·security.
    pub security: f64,
    /// e_k·regime.
    pub regime: f64,
    /// e_k·partner.
    pub partner: f64,
    /// e_k·credibility.
    pub credibility: f64,
    /// −s_k·V.
    pub sovereignty: f64,
    /// −t_k·T.
    pub cost: f64,
    /// −e_k·E.
    pub external: f64,
    /// U(k): the member's own utility, the sum of the seven terms.
    pub utility: f64,
    /// Û(k) − U(k): what the hegemon's pull adds, d·(U_h(k) − U(k)); 0 for
    /// the hegemon, the requester, or without a hegemon.
    pub pull: f64,
    /// Û(k): the utility the member votes on.
    pub perceived: f64,
    /// The member votes yes if Û(k) is above e_k·(τ + β).
    pub yes_above: f64,
    /// The member votes no if Û(k) is below e_k·(τ − β).
    pub no_below: f64,
    /// The vote it would cast if this option were proposed.
    #[serde(serialize_with = "serialize_vote")]
    pub vote: Vote,
    /// Why the vote does not follow Û and the thresholds, if it does not:
    /// `requester` (a government votes for what it asked for) or `party` (a
    /// party to the dispute abstains or is excluded).
    pub set_by: Option<&'static str>,
}

/// One member's vote in one round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberVote {
    /// The member's id.
    pub member: String,
    /// Its vote.
    #[serde(serialize_with = "serialize_vote")]
    pub vote: Vote,
}

/// One proposal put to a vote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    /// 1 for the requested option, then 2, 3, ...
    pub round: u32,
    /// The option proposed.
    pub level: usize,
    /// The option's id.
    pub option: String,
    /// Every member's vote, in file order.
    pub votes: Vec<MemberVote>,
    /// How many members voted yes.
    pub yes: usize,
    /// Whether the proposal passed the rule.
    pub passed: bool,
    /// The members whose vote counts as a block under the rule (a no, or an
    /// abstention under `unanimity:abstention_blocks`). If the proposal
    /// passed, they were outvoted.
    pub blockers: Vec<String>,
}

/// The word for a vote in tables and files: `yes`, `no` or `abstain`.
pub fn vote_label(vote: Vote) -> &'static str {
    match vote {
        Vote::Yes => "yes",
        Vote::No => "no",
        Vote::Abstain => "abstain",
        Vote::Absent => "absent",
    }
}

fn serialize_vote<S: Serializer>(vote: &Vote, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(vote_label(*vote))
}

/// Turns −0.0 into 0.0, so that tables and files do not show "-0.000".
fn clean(x: f64) -> f64 {
    x + 0.0
}

impl Model {
    /// Why member `i`'s vote on `level` is set rather than computed, if it is.
    fn vote_set_by(&self, i: usize, level: usize) -> Option<&'static str> {
        if self.parties >> i & 1 == 1 && self.party_vote != crate::model::PartyVote::Vote {
            Some("party")
        } else if Some(i) == self.requester && level == self.requested {
            Some("requester")
        } else {
            None
        }
    }

    /// Evaluates the model once at every parameter's central value, without
    /// perception noise, and records every term, vote and round.
    ///
    /// `scenario` must be the one the model was built from; it supplies the
    /// names. (A member or option it lacks is named by its index.)
    pub fn explain(&self, scenario: &Scenario) -> Explanation {
        let central = self.central();
        let inputs = &central.inputs;
        let n = self.members();
        let levels = self.levels();

        let member_id = |i: usize| {
            scenario
                .members
                .get(i)
                .map_or_else(|| format!("#{i}"), |m| m.id.clone())
        };
        let option_id = |k: usize| {
            scenario
                .options
                .get(k)
                .map_or_else(|| format!("#{k}"), |o| o.id.clone())
        };
        let option_ref = |k: usize| OptionRef {
            level: k,
            option: option_id(k),
        };

        // The same shares and importance as `evaluate_into` computes.
        let (mut military, mut economic) = (vec![0.0; n], vec![0.0; n]);
        utility::shares(inputs, &mut military, &mut economic);
        let importance = utility::importance(&military, &economic, self.requester, self.hegemon);

        // Perceived (B − E, V, T) exactly as `simulate` forms them when η = 0.
        let perceived: Vec<[f64; 3]> = central
            .terms
            .iter()
            .map(|t| [t.benefit() - t.external, t.sovereignty, t.cost])
            .collect();

        // Every member's vote on every option, from the model's own vote function.
        let mut utilities = vec![0.0; n];
        let mut votes_by_level: Vec<Vec<Vote>> = vec![Vec::new(); levels];
        for (level, out) in votes_by_level.iter_mut().enumerate().skip(1) {
            *out = vec![Vote::Abstain; n];
            self.vote(
                inputs,
                &central.voters,
                &perceived,
                &mut utilities,
                level,
                out,
            );
        }

        let raw = |i: usize, level: usize| Self::raw_utility(inputs, level, &perceived[i]);
        let members = (0..n)
            .map(|i| {
                let t = central.terms[i];
                let m = &inputs.members[i];
                let role = if Some(i) == self.hegemon {
                    Role::Hegemon
                } else if Some(i) == self.requester {
                    Role::Requester
                } else {
                    Role::Member
                };
                let options = (1..levels)
                    .map(|k| {
                        let (e, s, tr) = (inputs.effect[k], inputs.intrusion[k], inputs.troops[k]);
                        let u = raw(i, k);
                        // The pull exactly as `Model::vote` applies it.
                        let perceived_u = match self.hegemon {
                            Some(h) if role == Role::Member => {
                                (1.0 - m.dependence) * u + m.dependence * raw(h, k)
                            }
                            _ => u,
                        };
                        OptionTerms {
                            level: k,
                            option: option_id(k),
                            security: clean(e * t.security),
                            regime: clean(e * t.regime),
                            partner: clean(e * t.partner),
                            credibility: clean(e * t.credibility),
                            sovereignty: clean(-(s * t.sovereignty)),
                            cost: clean(-(tr * t.cost)),
                            external: clean(-(e * t.external)),
                            utility: clean(u),
                            pull: clean(perceived_u - u),
                            perceived: clean(perceived_u),
                            yes_above: clean(e * (m.reservation + self.band)),
                            no_below: clean(e * (m.reservation - self.band)),
                            vote: votes_by_level[k][i],
                            set_by: self.vote_set_by(i, k),
                        }
                    })
                    .collect();
                MemberExplanation {
                    id: member_id(i),
                    name: scenario
                        .members
                        .get(i)
                        .map_or_else(String::new, |m| m.name.clone()),
                    role,
                    dependence: m.dependence,
                    reservation: m.reservation,
                    military_share: military[i],
                    economic_share: economic[i],
                    components: Components {
                        security: t.security,
                        regime: t.regime,
                        partner: t.partner,
                        credibility: t.credibility,
                        benefit: t.benefit(),
                        sovereignty: t.sovereignty,
                        cost: t.cost,
                        external: t.external,
                    },
                    options,
                }
            })
            .collect();

        // Replay the procedure with the same function `simulate` uses,
        // recording each proposal as it is voted on.
        let mut proposals: Vec<(usize, Vec<Vote>)> = Vec::new();
        let (mut requested_votes, mut scratch) = (vec![Vote::Abstain; n], vec![Vote::Abstain; n]);
        let decision = procedure::decide(
            &self.rule,
            self.requested,
            self.counting(&central),
            &mut requested_votes,
            &mut scratch,
            |level, out| {
                self.vote(
                    inputs,
                    &central.voters,
                    &perceived,
                    &mut utilities,
                    level,
                    out,
                );
                proposals.push((level, out.to_vec()));
            },
        );
        let rounds = proposals
            .into_iter()
            .zip(1u32..)
            .map(|((level, votes), round)| Round {
                round,
                level,
                option: option_id(level),
                yes: votes.iter().filter(|v| **v == Vote::Yes).count(),
                passed: self.rule.passes(&votes, central.weighing(), self.hegemon),
                blockers: votes
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| self.rule.counts_as_block(**v))
                    .map(|(i, _)| member_id(i))
                    .collect(),
                votes: votes
                    .iter()
                    .enumerate()
                    .map(|(i, v)| MemberVote {
                        member: member_id(i),
                        vote: *v,
                    })
                    .collect(),
            })
            .collect();

        Explanation {
            scenario: scenario.name.clone(),
            rule: self.rule.to_string(),
            has_distributions: !self.params.all_fixed(),
            requester: self.requester.map(member_id),
            sponsor: (!scenario.crisis.sponsor.is_empty()).then(|| scenario.crisis.sponsor.clone()),
            parties: (0..n)
                .filter(|i| self.parties >> i & 1 == 1)
                .map(member_id)
                .collect(),
            party_vote: self.party_vote.name(),
            hegemon: self.hegemon.map(member_id),
            requested: option_ref(self.requested),
            abstention_band: self.band,
            noise: self.noise,
            noise_model: self.noise_model.name(),
            inputs: CentralInputs {
                external_share: 1.0 - inputs.domestic * (1.0 - inputs.framing),
                importance,
                capacity_relief: 1.0 - 0.5 * inputs.capacity,
            },
            options: (1..levels)
                .map(|k| OptionValues {
                    level: k,
                    option: option_id(k),
                    effect: inputs.effect[k],
                    troops: inputs.troops[k],
                    intrusion: inputs.intrusion[k],
                })
                .collect(),
            members,
            rounds,
            adopted: option_ref(decision.level),
            blockers: (0..n)
                .filter(|i| decision.blockers >> i & 1 == 1)
                .map(member_id)
                .collect(),
            sole_blocker: decision.sole_blocker().map(member_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::model::{Attribute, DecisionRule};
    use crate::scenario::{load, load_str};

    const CASES: [&str; 3] = ["kazakhstan_2022", "armenia_2020", "kyrgyzstan_2010"];

    fn shipped(stem: &str) -> Scenario {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(format!("{stem}.toml"));
        let mut s = load(&path).expect("shipped scenario loads");
        s.montecarlo.noise = 0.0;
        s
    }

    fn rules() -> Vec<DecisionRule> {
        vec![
            DecisionRule::Unanimity {
                abstention_blocks: false,
            },
            DecisionRule::Unanimity {
                abstention_blocks: true,
            },
            DecisionRule::Majority,
            DecisionRule::qualified_majority("0.67".parse().unwrap()),
            DecisionRule::Weighted {
                attribute: Attribute::Military,
                quota: crate::model::Quota::Share("0.5".parse().unwrap()),
            },
            DecisionRule::Weighted {
                attribute: Attribute::Economic,
                quota: crate::model::Quota::Share("0.9".parse().unwrap()),
            },
            DecisionRule::HegemonMajority,
        ]
    }

    fn bits(ids: &[String], s: &Scenario) -> u64 {
        ids.iter()
            .map(|id| 1u64 << s.member_index(id).expect("a member id"))
            .fold(0, |a, b| a | b)
    }

    /// The explanation agrees with a noise-free simulation on the adopted
    /// option, the rounds, the blockers and the votes on the requested option,
    /// for every shipped case and under every kind of rule.
    #[test]
    fn agrees_with_a_noise_free_simulation() {
        for stem in CASES {
            let s = shipped(stem);
            assert!(!s.has_distributions(), "{stem}");
            let mut rules = rules();
            rules.push(s.rule);
            for rule in rules {
                let model = Model::new(&s, rule);
                let mut scratch = model.scratch();
                let d = model.simulate(&mut ChaCha8Rng::seed_from_u64(7), &mut scratch);
                let x = model.explain(&s);
                let what = format!("{stem} under {rule}");
                assert_eq!(x.adopted.level, d.level, "{what}");
                assert_eq!(x.rounds.len() as u32, d.rounds, "{what}");
                assert_eq!(bits(&x.blockers, &s), d.blockers, "{what}");
                assert_eq!(
                    x.sole_blocker.as_deref(),
                    d.sole_blocker().map(|i| s.members[i].id.as_str())
                );
                let first: Vec<Vote> = x.rounds[0].votes.iter().map(|v| v.vote).collect();
                assert_eq!(first, scratch.requested_votes, "{what}");
                assert_eq!(x.rounds[0].level, s.crisis.requested, "{what}");
                // Rounds go down one level at a time; only the last may pass.
                for (j, r) in x.rounds.iter().enumerate() {
                    assert_eq!(r.level, s.crisis.requested - j, "{what}");
                    assert_eq!(r.passed, j + 1 == x.rounds.len() && d.level != 0, "{what}");
                }
                if x.rounds[0].passed {
                    assert!(x.blockers.is_empty());
                } else {
                    assert_eq!(x.blockers, x.rounds[0].blockers, "{what}");
                }
                // Each round's votes are the members' votes on that option.
                for r in &x.rounds {
                    for (m, v) in x.members.iter().zip(&r.votes) {
                        assert_eq!(m.id, v.member);
                        assert_eq!(m.options[r.level - 1].vote, v.vote, "{what}");
                    }
                }
            }
        }
    }

    /// The seven terms add up to U; Û = U + pull; the vote follows Û and the
    /// thresholds; the hegemon and the requester are not pulled.
    #[test]
    fn terms_add_up_and_votes_follow_thresholds() {
        for stem in CASES {
            let s = shipped(stem);
            let x = Model::new(&s, s.rule).explain(&s);
            assert_eq!(x.members.len(), s.members.len());
            for m in &x.members {
                assert_eq!(m.options.len(), s.options.len() - 1);
                let c = m.components;
                let sum_b = c.security + c.regime + c.partner + c.credibility;
                assert!((sum_b - c.benefit).abs() < 1e-12);
                for o in &m.options {
                    let sum = o.security
                        + o.regime
                        + o.partner
                        + o.credibility
                        + o.sovereignty
                        + o.cost
                        + o.external;
                    assert!(
                        (sum - o.utility).abs() < 1e-12,
                        "{stem} {} {}",
                        m.id,
                        o.option
                    );
                    assert!((o.utility + o.pull - o.perceived).abs() < 1e-12);
                    if m.role != Role::Member {
                        assert_eq!(o.pull, 0.0);
                    }
                    if o.set_by.is_some() {
                        continue;
                    }
                    let expected = if o.perceived > o.yes_above {
                        Vote::Yes
                    } else if o.perceived < o.no_below {
                        Vote::No
                    } else {
                        Vote::Abstain
                    };
                    assert_eq!(o.vote, expected, "{stem} {} {}", m.id, o.option);
                }
            }
        }
    }

    /// Kazakhstan 2022 gets its limited deployment at once; Armenia 2020 is
    /// refused, Russia among the blockers.
    #[test]
    fn historical_cases_at_central_values() {
        let s = shipped("kazakhstan_2022");
        let x = Model::new(&s, s.rule).explain(&s);
        assert_eq!(x.adopted.option, "limited_deployment");
        assert_eq!(x.rounds.len(), 1);
        assert!(x.rounds[0].passed && x.rounds[0].blockers.is_empty());

        let s = shipped("armenia_2020");
        let x = Model::new(&s, s.rule).explain(&s);
        assert_eq!(x.adopted.option, "no_action");
        assert!(x.rounds[0].blockers.iter().any(|b| b == "RUS"));
    }

    /// A hand-built scenario whose numbers are worked out by hand: hegemon H,
    /// requester Q, member M with dependence 0.5, an outside adversary Z.
    #[test]
    fn numbers_match_the_formulas() {
        let text = r#"
[alliance]
capacity = 0.4
hegemon = "H"
regions = ["r"]
crisis_types = ["t"]
outsiders = { Z = "Zland" }

[members.H]
region = "r"
military_spending = 8
gdp = 6
sovereignty = 0.2
vulnerability = 0.5
threat = { t = 0.6 }
concern = { r = 1 }
affinity = { Q = 0.5, Z = -0.4 }

[members.Q]
region = "r"
military_spending = 1
gdp = 3
dependence = 0.9
sovereignty = 0.8
vulnerability = 0.4
threat = { t = 1 }
concern = { r = 1 }

[members.M]
region = "r"
military_spending = 1
gdp = 1
dependence = 0.5
sovereignty = 0.6
vulnerability = 0.2
reservation = 0.1
threat = { t = 0.3 }
concern = { r = 0.5 }
affinity = { Q = 0.2, Z = 0.6 }
weights = { security = 2 }

[crisis]
requester = "Q"
type = "t"
region = "r"
requested = "big"
adversary = "Z"
severity = 0.5
domestic = 0.5
framing = 0.4
contagion = 0.3
legal_fit = 0.9
legitimacy = 0.8
credibility = 0.6
combat_risk = 0.5

[[options]]
id = "small"
effect = 0.2
troops = 0.1
intrusion = 0.1

[[options]]
id = "big"
effect = 1
troops = 1
intrusion = 1

[rule]
kind = "unanimity"
abstention_band = 0.05

[montecarlo]
noise = 0
"#;
        let s = load_str(text, Path::new("hand.toml")).expect("valid scenario");
        let x = Model::new(&s, s.rule).explain(&s);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;

        // Shares: military 8/10, 1/10, 1/10; GDP 6/10, 3/10, 1/10.
        // Weights (m+g)/2: H 0.7, Q 0.2, M 0.1; imp = 0.2 / 0.2 = 1.
        let x_ext = 1.0 - 0.5 * (1.0 - 0.4); // 0.7
        let relief = 1.0 - 0.4 / 2.0; // 0.8
        assert!(close(x.inputs.external_share, x_ext));
        assert!(close(x.inputs.capacity_relief, relief));
        assert!(close(x.inputs.importance, 1.0));

        let [h, q, m] = [&x.members[0], &x.members[1], &x.members[2]];
        assert_eq!(
            (h.role, q.role, m.role),
            (Role::Hegemon, Role::Requester, Role::Member)
        );

        // H: B, V, T, E by hand.
        let h_b = 0.5 * 0.6 * 1.0 * x_ext + 0.3 * 0.5 * 1.0 + 1.0 * 0.5 * 0.8 + 0.6 * 0.9 * x_ext;
        let h_v = 0.2 * 0.5 * relief;
        let h_t = 0.8 * (1.0 + 0.5 * 0.5) * relief;
        let h_e = -0.4; // hostile to Z: E is negative and raises support
                        // Q, the requester: X = 1 for security, own affinity 1, sovereignty × (1 − S).
        let q_b = 0.5 * 1.0 * 1.0 * 1.0 + 0.3 * 0.4 * 1.0 + 1.0 * 1.0 * 0.8 + 0.6 * 0.9 * x_ext;
        let q_v = 0.8 * 0.5 * relief * (1.0 - 0.5);
        let q_t = 0.1 * (1.0 + 0.5 * 0.5) * relief;
        // M: security weight 2.
        let m_sec = 2.0 * 0.5 * 0.3 * 0.5 * x_ext;
        let m_b = m_sec + 0.3 * 0.2 * 0.5 + 1.0 * 0.2 * 0.8 + 0.6 * 0.9 * x_ext;
        let m_v = 0.6 * 0.5 * relief;
        let m_t = 0.1 * (1.0 + 0.5 * 0.5) * relief;
        let m_e = 0.6;

        assert!(close(h.components.benefit, h_b));
        assert!(close(q.components.benefit, q_b));
        assert!(close(m.components.benefit, m_b));
        assert!(close(m.components.security, m_sec));
        assert!(close(q.components.sovereignty, q_v));
        assert!(close(m.components.external, m_e));
        assert!(close(h.components.external, h_e));

        let u =
            |b: f64, e: f64, v: f64, t: f64, k: (f64, f64, f64)| k.0 * (b - e) - k.2 * v - k.1 * t;
        for (idx, k) in [(0usize, (0.2, 0.1, 0.1)), (1, (1.0, 1.0, 1.0))] {
            let (e, tr, sv) = k;
            let uh = u(h_b, h_e, h_v, h_t, k);
            let uq = u(q_b, 0.0, q_v, q_t, k);
            let um = u(m_b, m_e, m_v, m_t, k);
            let (oh, oq, om) = (&h.options[idx], &q.options[idx], &m.options[idx]);
            assert!(close(oh.utility, uh) && close(oh.perceived, uh));
            assert!(
                close(oq.utility, uq) && close(oq.perceived, uq),
                "requester not pulled"
            );
            assert!(close(om.utility, um));
            assert!(close(om.perceived, 0.5 * um + 0.5 * uh));
            assert!(close(om.pull, 0.5 * (uh - um)));
            assert!(close(om.security, e * m_sec));
            assert!(close(om.sovereignty, -sv * m_v));
            assert!(close(om.cost, -tr * m_t));
            assert!(close(om.external, -e * m_e));
            assert!(close(om.yes_above, e * (0.1 + 0.05)));
            assert!(close(om.no_below, e * (0.1 - 0.05)));
            assert!(close(oh.yes_above, e * 0.05) && close(oh.no_below, -e * 0.05));
        }

        // The procedure as the votes imply it.
        let big_votes: Vec<Vote> = x.members.iter().map(|m| m.options[1].vote).collect();
        assert_eq!(
            x.rounds[0].votes.iter().map(|v| v.vote).collect::<Vec<_>>(),
            big_votes
        );
        assert_eq!(x.rounds[0].level, 2);
        assert_eq!(x.requested.option, "big");
        assert_eq!(x.hegemon.as_deref(), Some("H"));
        assert_eq!(x.requester.as_deref(), Some("Q"));
    }

    /// With a distribution among the parameters the explanation is taken at
    /// its central value and says so.
    #[test]
    fn distributions_are_taken_at_their_central_values() {
        let mut s = shipped("kazakhstan_2022");
        s.crisis.severity = crate::scenario::Param::Uniform { lo: 0.6, hi: 1.0 };
        let x = Model::new(&s, s.rule).explain(&s);
        assert!(x.has_distributions);
        let kaz = &x.members[s.member_index("KAZ").unwrap()];
        // KAZ's security term is S·threat·concern with S at its centre, 0.8.
        assert!((kaz.components.security - 0.8 * 0.7 * 1.0).abs() < 1e-12);
        let json = serde_json::to_value(&x).expect("serializes");
        assert_eq!(json["rounds"][0]["votes"][0]["vote"], "yes");
        assert_eq!(json["has_distributions"], true);
    }
}
