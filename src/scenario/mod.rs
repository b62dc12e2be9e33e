//! Scenarios: the checked, typed description of an alliance, a crisis and the
//! options before it, which the simulation trusts. Files are read by `load`,
//! parsed into `raw` structs, layered through includes and checked by `check`.

// Errors carry a file, position, field and hint; they are rare and returned
// once, so their size on the error path does not matter.
#[allow(clippy::result_large_err)]
mod check;
pub mod error;
pub mod keys;
#[allow(clippy::result_large_err)]
mod load;
pub mod param;
pub mod paths;
pub mod raw;
pub mod suggest;

pub use error::ScenarioError;
pub use load::{load, load_stored, load_str, toml_problem, SourceFile};
pub use param::{Param, Range};

use crate::model::{Attribute, DecisionRule, PartyVote, Quota, Ratio};

/// Limits that keep a hostile file from exhausting memory.
pub mod limits {
    /// Most members an alliance may have (blockers are kept in a 64-bit set).
    pub const MAX_MEMBERS: usize = 64;
    /// Most options besides "no action".
    pub const MAX_OPTIONS: usize = 32;
    /// Most runs one invocation may ask for.
    pub const MAX_RUNS: u64 = 1_000_000_000_000;
    /// Largest scenario file read, in bytes.
    pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
    /// Deepest chain of includes.
    pub const MAX_INCLUDE_DEPTH: usize = 16;
    /// Most `include` entries in one scenario, across every file it reads
    /// (repeats counted), so that includes cannot fan out without end.
    pub const MAX_INCLUDES: usize = 1024;
    /// Most bytes of scenario text one scenario may read, its own file and
    /// every file it includes together (each file counted once).
    pub const MAX_SCENARIO_BYTES: u64 = 16 * 1024 * 1024;
}

/// The id of the implicit level-0 option.
pub const NO_ACTION: &str = "no_action";

/// A complete, checked scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Human-readable name.
    pub name: String,
    /// Free-text description.
    pub description: String,
    /// Alliance-wide settings.
    pub alliance: Alliance,
    /// Declared region ids.
    pub regions: Vec<String>,
    /// Declared crisis-type ids.
    pub crisis_types: Vec<String>,
    /// The member states, in file order.
    pub members: Vec<Member>,
    /// Actors outside the alliance.
    pub outsiders: Vec<Outsider>,
    /// The crisis.
    pub crisis: Crisis,
    /// Options by level; `options[0]` is "no action".
    pub options: Vec<ActionOption>,
    /// The decision rule.
    pub rule: DecisionRule,
    /// Half-width β of the band around the reservation level in which a member abstains.
    pub abstention_band: f64,
    /// How the parties to the dispute take part in the vote.
    pub party_vote: PartyVote,
    /// Monte Carlo settings.
    pub montecarlo: MonteCarlo,
    /// The historical outcome, if recorded.
    pub expected: Option<Expected>,
    /// Every file read, main file first then includes in the order read.
    pub sources: Vec<SourceFile>,
}

/// Alliance-wide settings.
#[derive(Debug, Clone)]
pub struct Alliance {
    /// Name.
    pub name: String,
    /// Index of the hegemon among the members, if any.
    pub hegemon: Option<usize>,
    /// Institutional capacity Kc in [0, 1].
    pub capacity: Param,
}

/// A member state.
#[derive(Debug, Clone)]
pub struct Member {
    /// Short id, e.g. `KAZ`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Index into `Scenario::regions`.
    pub region: usize,
    /// Military spending, billions of USD.
    pub military_spending: Param,
    /// GDP, billions of USD.
    pub gdp: Param,
    /// Population, thousands, where given: the `double_majority` rule and
    /// `weighted:population` count it, and need it of every member.
    pub population: Option<Param>,
    /// Where the member's table is written (source file index, byte
    /// offset), for messages about the member as a whole.
    pub origin: Option<(usize, usize)>,
    /// Dependence on the hegemon d in [0, 1].
    pub dependence: Param,
    /// Sovereignty sensitivity σ in [0, 1].
    pub sovereignty: Param,
    /// Regime vulnerability v in [0, 1].
    pub vulnerability: Param,
    /// Reservation level τ.
    pub reservation: Param,
    /// Threat perception by crisis type (index into `crisis_types`); `None` where not given.
    pub threat: Vec<Option<Param>>,
    /// Concern by region (index into `regions`); `None` where not given.
    pub concern: Vec<Option<Param>>,
    /// Affinity by actor: members first, then outsiders. Missing entries are 0.
    pub affinity: Vec<Param>,
    /// Interest weights.
    pub weights: Weights,
}

/// A member's interest weights.
#[derive(Debug, Clone)]
pub struct Weights {
    /// Security.
    pub security: Param,
    /// Regime contagion.
    pub regime: Param,
    /// Partner importance.
    pub partner: Param,
    /// Alliance credibility.
    pub credibility: Param,
    /// Sovereignty cost.
    pub sovereignty: Param,
    /// Material cost.
    pub cost: Param,
    /// Ties to the adversary.
    pub external: Param,
}

/// An actor outside the alliance.
#[derive(Debug, Clone)]
pub struct Outsider {
    /// Short id.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// Who the adversary is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A member, by index.
    Member(usize),
    /// An outsider, by index.
    Outsider(usize),
}

/// The crisis put to the alliance.
#[derive(Debug, Clone)]
pub struct Crisis {
    /// Display name.
    pub name: String,
    /// Index of the requesting member; `None` for an initiative no member requested.
    pub requester: Option<usize>,
    /// Who proposed the decision when no member requested it (free text; empty otherwise).
    pub sponsor: String,
    /// Members that are parties to the dispute (indices, in file order).
    pub parties: Vec<usize>,
    /// Index into `crisis_types`.
    pub kind: usize,
    /// Index into `regions`.
    pub region: usize,
    /// Level of the requested option.
    pub requested: usize,
    /// The adversary, if any.
    pub adversary: Option<Actor>,
    /// Severity S.
    pub severity: Param,
    /// How domestic, I.
    pub domestic: Param,
    /// Framing as externally driven, F.
    pub framing: Param,
    /// Regime contagion risk C.
    pub contagion: Param,
    /// Legal fit L.
    pub legal_fit: Param,
    /// Legitimacy of the requesting government λ.
    pub legitimacy: Param,
    /// Credibility stake Q.
    pub credibility: Param,
    /// Combat risk R.
    pub combat_risk: Param,
}

/// One option, ordered by escalation.
#[derive(Debug, Clone)]
pub struct ActionOption {
    /// Short id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Effect e.
    pub effect: Param,
    /// Troop scale t.
    pub troops: Param,
    /// Intrusiveness s.
    pub intrusion: Param,
}

/// Monte Carlo settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonteCarlo {
    /// Number of runs.
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
    /// Perception noise η (standard deviation, or its ratio to each term's size).
    pub noise: f64,
    /// How the perception noise scales with the term it is added to.
    pub noise_model: NoiseModel,
}

/// How perception noise scales: the same for every term, or in proportion to
/// each term's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NoiseModel {
    /// Each perceived term gets noise of standard deviation η, whatever its
    /// size (the default).
    #[default]
    Absolute,
    /// Each perceived term gets noise of standard deviation η·|term|, so that
    /// a term of zero is perceived exactly and a small one is not drowned.
    Relative,
}

impl NoiseModel {
    /// Every model, in the order of [`NoiseModel::NAMES`].
    pub const ALL: [NoiseModel; 2] = [NoiseModel::Absolute, NoiseModel::Relative];

    /// The names used in files and on the command line.
    pub const NAMES: [&'static str; 2] = ["absolute", "relative"];

    /// The name used in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            NoiseModel::Absolute => "absolute",
            NoiseModel::Relative => "relative",
        }
    }
}

impl std::fmt::Display for NoiseModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not a noise model, with the closest one if it looks like a typo.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown noise model `{name}`: expected `absolute` or `relative`")]
pub struct UnknownNoiseModel {
    /// The name given.
    pub name: String,
    /// A "did you mean" hint, or the list of valid names.
    pub help: Option<String>,
}

impl std::str::FromStr for NoiseModel {
    type Err = UnknownNoiseModel;

    /// Parses `absolute` or `relative` (exactly, as written in files).
    fn from_str(s: &str) -> Result<NoiseModel, UnknownNoiseModel> {
        NoiseModel::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| UnknownNoiseModel {
                name: s.to_string(),
                help: suggest::hint(s, NoiseModel::NAMES),
            })
    }
}

/// The historical outcome.
#[derive(Debug, Clone)]
pub struct Expected {
    /// Levels of the acceptable outcomes (one, or several where history allows
    /// more than one reading), ascending and without repeats.
    pub levels: Vec<usize>,
    /// The members that historically blocked the requested option (bit i =
    /// member i), if recorded.
    pub blockers: Option<u64>,
    /// Citation.
    pub source: String,
}

impl Expected {
    /// Whether `level` is one of the acceptable outcomes.
    pub fn accepts(&self, level: usize) -> bool {
        self.levels.contains(&level)
    }
}

impl Scenario {
    /// Index of the member with this id.
    pub fn member_index(&self, id: &str) -> Option<usize> {
        self.members.iter().position(|m| m.id == id)
    }

    /// Level of the option with this id (`no_action` is 0).
    pub fn option_level(&self, id: &str) -> Option<usize> {
        self.options.iter().position(|o| o.id == id)
    }

    /// Why `rule` cannot decide for this alliance, if it cannot: it counts
    /// population and a member gives none (the message names the member's
    /// table, file and line), or it asks for more yes votes than there are
    /// members. (A `hegemon_majority` without a hegemon is refused by each
    /// command, as before.)
    pub fn rule_problem(&self, rule: &DecisionRule) -> Option<ScenarioError> {
        if let DecisionRule::QualifiedMajority {
            threshold: Quota::Absolute(votes),
        } = rule
        {
            let n = self.members.len();
            if *votes > Ratio::whole(n as u64) {
                let main = self.sources.first().map(|s| s.path.clone());
                return Some(ScenarioError::file(
                    main.unwrap_or_default(),
                    "rule",
                    format!(
                        "the rule `{rule}` asks for {votes} yes votes of an alliance of {n} members; at most {n}"
                    ),
                ));
            }
        }
        if rule.attribute() != Some(Attribute::Population) {
            return None;
        }
        let m = self.members.iter().find(|m| m.population.is_none())?;
        let field = keys::join(["members", &m.id, "population"]);
        let message = keys::one_line(&format!(
            "the rule `{rule}` counts each member's population, and `{}` gives none; add `population`, in thousands, to its [members] table",
            m.id
        ));
        let located = m.origin.and_then(|(file, offset)| {
            let source = self.sources.get(file)?;
            let (line, column) = source.line_col(offset);
            Some(ScenarioError {
                file: source.path.clone(),
                line: Some(line),
                column: Some(column),
                field: field.clone(),
                message: message.clone(),
                help: None,
            })
        });
        let main = self.sources.first().map(|s| s.path.clone());
        Some(
            located
                .unwrap_or_else(|| ScenarioError::file(main.unwrap_or_default(), field, message)),
        )
    }

    /// Whether any parameter is a distribution (otherwise only perception
    /// noise varies between runs).
    pub fn has_distributions(&self) -> bool {
        let mut params: Vec<&Param> = vec![&self.alliance.capacity];
        params.extend(self.crisis.params());
        for o in &self.options {
            params.extend(o.params());
        }
        for m in &self.members {
            params.extend(m.scalars());
            params.extend(m.population.as_ref());
            params.extend(m.weights.params());
            params.extend(m.threat.iter().flatten());
            params.extend(m.concern.iter().flatten());
            params.extend(m.affinity.iter());
        }
        params.iter().any(|p| !p.is_fixed())
    }
}

/// The numeric fields of a struct as an array, in declaration order, shared
/// and mutable, so that code walking parameters does not list fields by hand.
macro_rules! param_array {
    ($ty:ty, $n:literal, $get:ident, $get_mut:ident, [$($field:ident),+]) => {
        impl $ty {
            #[doc = concat!("The ", stringify!($n), " parameters, in declaration order: ", $(stringify!($field), " "),+)]
            pub fn $get(&self) -> [&Param; $n] {
                [$(&self.$field),+]
            }

            #[doc = concat!("The same parameters, mutable.")]
            pub fn $get_mut(&mut self) -> [&mut Param; $n] {
                [$(&mut self.$field),+]
            }
        }
    };
}

param_array!(
    Crisis,
    8,
    params,
    params_mut,
    [
        severity,
        domestic,
        framing,
        contagion,
        legal_fit,
        legitimacy,
        credibility,
        combat_risk
    ]
);
param_array!(
    Weights,
    7,
    params,
    params_mut,
    [
        security,
        regime,
        partner,
        credibility,
        sovereignty,
        cost,
        external
    ]
);
param_array!(
    Member,
    6,
    scalars,
    scalars_mut,
    [
        military_spending,
        gdp,
        dependence,
        sovereignty,
        vulnerability,
        reservation
    ]
);
param_array!(
    ActionOption,
    3,
    params,
    params_mut,
    [effect, troops, intrusion]
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_model_names_round_trip() {
        assert_eq!(NoiseModel::default(), NoiseModel::Absolute);
        for (m, name) in NoiseModel::ALL.into_iter().zip(NoiseModel::NAMES) {
            assert_eq!(m.to_string(), name);
            assert_eq!(name.parse::<NoiseModel>(), Ok(m));
        }
        assert_ne!(
            NoiseModel::Absolute.to_string(),
            NoiseModel::Relative.to_string()
        );
    }

    #[test]
    fn unknown_noise_model_is_refused_with_a_suggestion() {
        let e = "relativ".parse::<NoiseModel>().unwrap_err();
        assert_eq!(e.name, "relativ");
        assert!(e.to_string().contains("`absolute` or `relative`"), "{e}");
        assert_eq!(e.help.as_deref(), Some("did you mean `relative`?"));
        // Names are written in lower case, as in files.
        assert!("Relative".parse::<NoiseModel>().is_err());
        let e = "gaussian".parse::<NoiseModel>().unwrap_err();
        assert_eq!(
            e.help.as_deref(),
            Some("expected one of `absolute`, `relative`")
        );
    }
}
