//! How rules are written: the label used on the command line and in CSV
//! files (`qualified_majority:2/3`, `weighted:military:amount:39`,
//! `double_majority:0.55:0.65:4`), which reads back as the same rule, and the
//! parameters of a scenario's `[rule]` table.

use std::fmt;
use std::str::FromStr;

use super::{Attribute, DecisionRule, Quota};
use crate::model::quota::Ratio;

/// The rule names accepted in files and by `--rule`, as labels write them.
/// The older name `unanimity` ([`RULE_ALIASES`]) is accepted too.
pub const RULE_NAMES: [&str; 7] = [
    "consensus",
    "strict_unanimity",
    "majority",
    "qualified_majority",
    "weighted",
    "hegemon_majority",
    "double_majority",
];

/// Older rule names, accepted forever and read as the rule beside them:
/// `unanimity` is consensus (an abstention does not block), and with
/// `abstention_blocks` (`unanimity:abstention_blocks`, or
/// `abstention_blocks = true` in `[rule]`) strict unanimity. Labels written
/// use the new names.
pub const RULE_ALIASES: [(&str, &str); 1] = [("unanimity", "consensus")];

/// Whether `kind` names a rule, by its name or an older alias.
pub(crate) fn is_rule_name(kind: &str) -> bool {
    RULE_NAMES.contains(&kind) || RULE_ALIASES.iter().any(|(old, _)| *old == kind)
}

/// A "did you mean" hint for an unknown rule name, among the names and the
/// older aliases.
pub(crate) fn rule_name_hint(kind: &str) -> Option<String> {
    if let Some(best) =
        crate::scenario::suggest::closest(kind, RULE_ALIASES.iter().map(|(old, _)| *old))
    {
        if crate::scenario::suggest::closest(kind, RULE_NAMES).is_none() {
            return Some(format!(
                "did you mean `{best}`? (now written `consensus`, or `strict_unanimity` where an abstention blocks)"
            ));
        }
    }
    crate::scenario::suggest::hint(kind, RULE_NAMES)
}

/// The rule's label in CSV files and on the command line, e.g. `consensus`,
/// `strict_unanimity`, `qualified_majority:0.67`,
/// `qualified_majority:2/3`, `qualified_majority:votes:15`,
/// `weighted:military:0.5`, `weighted:military:amount:39`,
/// `double_majority:0.55:0.65:4`. Numbers print as written (a fraction as a
/// fraction), so the label parses back to the same rule.
impl fmt::Display for DecisionRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecisionRule::Unanimity {
                abstention_blocks: false,
            } => write!(f, "consensus"),
            DecisionRule::Unanimity {
                abstention_blocks: true,
            } => write!(f, "strict_unanimity"),
            DecisionRule::Majority => write!(f, "majority"),
            DecisionRule::QualifiedMajority {
                threshold: Quota::Share(t),
            } => write!(f, "qualified_majority:{t}"),
            DecisionRule::QualifiedMajority {
                threshold: Quota::Absolute(v),
            } => write!(f, "qualified_majority:votes:{v}"),
            DecisionRule::Weighted {
                attribute,
                quota: Quota::Share(q),
            } => write!(f, "weighted:{}:{q}", attribute.name()),
            DecisionRule::Weighted {
                attribute,
                quota: Quota::Absolute(a),
            } => write!(f, "weighted:{}:amount:{a}", attribute.name()),
            DecisionRule::HegemonMajority => write!(f, "hegemon_majority"),
            DecisionRule::DoubleMajority {
                members,
                population,
                blocking,
            } => write!(f, "double_majority:{members}:{population}:{blocking}"),
        }
    }
}

/// Why a rule could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RuleError {
    /// What was wrong.
    pub message: String,
    /// A suggestion, if one is close.
    pub help: Option<String>,
}

impl RuleError {
    fn new(message: String) -> RuleError {
        RuleError {
            message,
            help: None,
        }
    }
}

/// An exact number as written: a decimal, a fraction or a whole number
/// ([`Ratio`]), or a number with an exponent (`5e-1`, which labels accepted
/// before quotas were exact), taken as the shortest decimal of its `f64`.
/// A decimal with too many digits is refused rather than rounded.
pub(crate) fn number(text: &str) -> Option<Ratio> {
    text.parse::<Ratio>().ok().or_else(|| {
        if !text.contains(['e', 'E']) {
            return None;
        }
        let x = text.trim().parse::<f64>().ok()?;
        Ratio::from_f64(x)
    })
}

/// What each number of a rule is, for messages: the parameter's key, what it
/// means, and an example.
pub(crate) struct What {
    /// The key in a `[rule]` table.
    pub key: &'static str,
    /// What the number means.
    pub means: &'static str,
    /// How the label writes it, before the number.
    pub label: &'static str,
}

/// The share of members a `qualified_majority` needs.
pub(crate) const THRESHOLD: What = What {
    key: "threshold",
    means: "share of members that must vote yes",
    label: "qualified_majority:",
};
/// The share of the attribute a `weighted` rule needs.
pub(crate) const QUOTA: What = What {
    key: "quota",
    means: "share of the attribute that must vote yes",
    label: "weighted:ATTRIBUTE:",
};
/// The number of yes votes a `qualified_majority` needs.
pub(crate) const VOTES: What = What {
    key: "votes",
    means: "number of yes votes needed",
    label: "qualified_majority:votes:",
};
/// The amount of the attribute a `weighted` rule needs.
pub(crate) const AMOUNT: What = What {
    key: "amount",
    means: "amount of the attribute the members voting yes must hold",
    label: "weighted:ATTRIBUTE:amount:",
};
/// The share of members a `double_majority` needs.
pub(crate) const MEMBERS: What = What {
    key: "members",
    means: "share of members that must vote yes",
    label: "double_majority:",
};
/// The share of population a `double_majority` needs.
pub(crate) const POPULATION: What = What {
    key: "population",
    means: "share of population the members voting yes must hold",
    label: "double_majority:MEMBERS:",
};

/// Checks that `r` is a share in (0, 1]; the message names what it is and,
/// when it is above 1, the absolute form to use instead.
pub(crate) fn check_share(r: Ratio, what: &What, absolute: Option<&What>) -> Result<Ratio, String> {
    if r.is_share() {
        return Ok(r);
    }
    let mut msg = format!(
        "the {} must be a number in (0, 1], a decimal such as `0.67` or a fraction such as `2/3`, found {r}",
        what.means
    );
    // A number of votes is whole; an amount may be any number above 0.
    let fits = |a: &What| a.key != VOTES.key || r.is_whole();
    if let Some(a) = absolute.filter(|a| r > Ratio::whole(1) && fits(a)) {
        msg.push_str(&format!(
            "; for an absolute number write `{} = {r}` in [rule], or `{}{r}` as a label",
            a.key, a.label
        ));
    }
    Err(msg)
}

/// Checks a number of yes votes: a whole number of at least 1.
pub(crate) fn check_votes(r: Ratio) -> Result<Ratio, String> {
    if r.is_whole() && r >= Ratio::whole(1) {
        Ok(r)
    } else {
        Err(format!(
            "the {} must be a whole number of at least 1, found {r}",
            VOTES.means
        ))
    }
}

/// Checks an amount of an attribute: above 0.
pub(crate) fn check_amount(r: Ratio) -> Result<Ratio, String> {
    if r > Ratio::whole(0) {
        Ok(r)
    } else {
        Err(format!("the {} must be above 0, found {r}", AMOUNT.means))
    }
}

/// Checks the least number of members of a blocking minority: at least 1.
pub(crate) fn check_blocking(b: i64) -> Result<u32, String> {
    match u32::try_from(b) {
        Ok(b) if b >= 1 => Ok(b),
        _ => Err(format!(
            "the least number of members of a blocking minority must be a whole number from 1 to {}, found {b}",
            u32::MAX
        )),
    }
}

/// The parameters of a `[rule]` table as written; `None` where not given.
#[derive(Debug, Clone, Default)]
pub struct RuleParts<'a> {
    /// `unanimity` (the older name): whether abstaining blocks.
    pub abstention_blocks: Option<bool>,
    /// `qualified_majority`: share of members.
    pub threshold: Option<Ratio>,
    /// `qualified_majority`: number of yes votes.
    pub votes: Option<Ratio>,
    /// `weighted`: the attribute's name.
    pub attribute: Option<&'a str>,
    /// `weighted`: share of the attribute.
    pub quota: Option<Ratio>,
    /// `weighted`: amount of the attribute.
    pub amount: Option<Ratio>,
    /// `double_majority`: share of members.
    pub members: Option<Ratio>,
    /// `double_majority`: share of population.
    pub population: Option<Ratio>,
    /// `double_majority`: least members of a blocking minority.
    pub blocking: Option<i64>,
}

impl RuleParts<'_> {
    /// The keys given, in table order.
    fn given(&self) -> Vec<&'static str> {
        let mut keys = Vec::new();
        let mut note = |present: bool, key| {
            if present {
                keys.push(key);
            }
        };
        note(self.abstention_blocks.is_some(), "abstention_blocks");
        note(self.threshold.is_some(), "threshold");
        note(self.votes.is_some(), "votes");
        note(self.attribute.is_some(), "attribute");
        note(self.quota.is_some(), "quota");
        note(self.amount.is_some(), "amount");
        note(self.members.is_some(), "members");
        note(self.population.is_some(), "population");
        note(self.blocking.is_some(), "blocking");
        keys
    }
}

/// The `[rule]` keys each rule takes (besides `kind`, `abstention_band` and
/// `party_vote`, which every rule takes).
pub(crate) fn keys_of(kind: &str) -> &'static [&'static str] {
    match kind {
        "unanimity" => &["abstention_blocks"],
        "qualified_majority" => &["threshold", "votes"],
        "weighted" => &["attribute", "quota", "amount"],
        "double_majority" => &["members", "population", "blocking"],
        _ => &[],
    }
}

/// Exactly one of a share and an absolute number.
fn one_of(
    kind: &str,
    share: Option<Ratio>,
    absolute: Option<Ratio>,
    keys: [&What; 2],
    example: &str,
) -> Result<Option<Quota>, RuleError> {
    match (share, absolute) {
        (Some(_), Some(_)) => Err(RuleError::new(format!(
            "the `{kind}` rule takes either `{}` or `{}`, not both",
            keys[0].key, keys[1].key
        ))),
        (Some(s), None) => Ok(Some(Quota::Share(s))),
        (None, Some(a)) => Ok(Some(Quota::Absolute(a))),
        (None, None) => Err(RuleError::new(format!(
            "the `{kind}` rule needs a `{}`, the {} (e.g. {example}), or a `{}`, the {}",
            keys[0].key, keys[0].means, keys[1].key, keys[1].means
        ))),
    }
}

impl DecisionRule {
    /// Builds a rule from its name and the parameters of a scenario's
    /// `[rule]` table, checking every one.
    pub fn from_parts(kind: &str, parts: &RuleParts) -> Result<DecisionRule, RuleError> {
        if !is_rule_name(kind) {
            return Err(RuleError {
                message: format!("unknown decision rule `{kind}`"),
                help: rule_name_hint(kind),
            });
        }
        let takes = keys_of(kind);
        if let Some(key) = parts.given().into_iter().find(|k| !takes.contains(k)) {
            return Err(RuleError {
                message: format!("`{key}` does not apply to the `{kind}` rule; remove it"),
                help: (key == "abstention_blocks").then(|| {
                    "`consensus` lets an abstention through; `strict_unanimity` counts it as a no"
                        .to_string()
                }),
            });
        }
        let share = |r: Option<Ratio>, what: &What, absolute: Option<&What>| {
            r.map(|r| check_share(r, what, absolute))
                .transpose()
                .map_err(RuleError::new)
        };
        Ok(match kind {
            "unanimity" => DecisionRule::Unanimity {
                abstention_blocks: parts.abstention_blocks.unwrap_or(false),
            },
            "consensus" => DecisionRule::Unanimity {
                abstention_blocks: false,
            },
            "strict_unanimity" => DecisionRule::Unanimity {
                abstention_blocks: true,
            },
            "majority" => DecisionRule::Majority,
            "hegemon_majority" => DecisionRule::HegemonMajority,
            "qualified_majority" => {
                let t = share(parts.threshold, &THRESHOLD, Some(&VOTES))?;
                let v = parts
                    .votes
                    .map(check_votes)
                    .transpose()
                    .map_err(RuleError::new)?;
                DecisionRule::QualifiedMajority {
                    threshold: one_of(kind, t, v, [&THRESHOLD, &VOTES], "0.67 or \"2/3\"")?
                        .expect("one is given"),
                }
            }
            "weighted" => {
                let a = parts.attribute.ok_or_else(|| {
                    RuleError::new(format!(
                        "the `weighted` rule needs an `attribute`: {}",
                        attribute_list()
                    ))
                })?;
                let attribute = Attribute::from_name(a).ok_or_else(|| RuleError {
                    message: format!("unknown attribute `{a}` for the weighted rule"),
                    help: crate::scenario::suggest::hint(a, Attribute::ALL.map(|x| x.name())),
                })?;
                let q = share(parts.quota, &QUOTA, Some(&AMOUNT))?;
                let amount = parts
                    .amount
                    .map(check_amount)
                    .transpose()
                    .map_err(RuleError::new)?;
                DecisionRule::Weighted {
                    attribute,
                    quota: one_of(kind, q, amount, [&QUOTA, &AMOUNT], "0.5 or \"39/45\"")?
                        .expect("one is given"),
                }
            }
            "double_majority" => {
                let DecisionRule::DoubleMajority {
                    members,
                    population,
                    blocking,
                } = DecisionRule::double_majority()
                else {
                    unreachable!("the default is a double majority")
                };
                DecisionRule::DoubleMajority {
                    members: share(parts.members, &MEMBERS, None)?.unwrap_or(members),
                    population: share(parts.population, &POPULATION, None)?.unwrap_or(population),
                    blocking: parts
                        .blocking
                        .map(check_blocking)
                        .transpose()
                        .map_err(RuleError::new)?
                        .unwrap_or(blocking),
                }
            }
            _ => unreachable!("checked by is_rule_name"),
        })
    }
}

/// `military`, `economic`, `equal` or `population`, for messages.
pub(crate) fn attribute_list() -> String {
    let names = Attribute::ALL.map(|a| format!("`{}`", a.name()));
    let (last, rest) = names.split_last().expect("attributes exist");
    format!("{} or {last}", rest.join(", "))
}

/// Parses the command-line form (the same as the CSV label). The older
/// labels `unanimity` and `unanimity:abstention_blocks` read as `consensus`
/// and `strict_unanimity`.
impl FromStr for DecisionRule {
    type Err = RuleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split(':');
        let kind = parts.next().unwrap_or("");
        let rest: Vec<&str> = parts.collect();
        let wrong_arity =
            |form: &str| RuleError::new(format!("`{s}` is not a valid rule; write it as `{form}`"));
        let num = |text: &str, what: &What| {
            number(text).ok_or_else(|| {
                RuleError::new(format!(
                    "{kind}: the {} must be a number, a decimal such as `0.67` or a fraction such as `2/3`, found `{text}`",
                    what.means
                ))
            })
        };
        // A message about a number names the rule, as the label does.
        let with = |p: RuleParts| {
            DecisionRule::from_parts(kind, &p).map_err(|e| RuleError {
                message: if e.message.contains(kind) {
                    e.message
                } else {
                    format!("{kind}: {}", e.message)
                },
                help: e.help,
            })
        };
        match (kind, rest.as_slice()) {
            ("consensus" | "strict_unanimity", []) => with(RuleParts::default()),
            ("unanimity", []) => with(RuleParts::default()),
            ("unanimity", ["abstention_blocks"]) => with(RuleParts {
                abstention_blocks: Some(true),
                ..RuleParts::default()
            }),
            ("consensus" | "strict_unanimity" | "unanimity", _) => Err(RuleError::new(format!(
                "`{s}` is not a valid rule; write `consensus` (an abstention does not block) or `strict_unanimity` (an abstention blocks like a no)"
            ))),
            ("majority", []) => Ok(DecisionRule::Majority),
            ("hegemon_majority", []) => Ok(DecisionRule::HegemonMajority),
            ("qualified_majority", ["votes", v]) => with(RuleParts {
                votes: Some(num(v, &VOTES)?),
                ..RuleParts::default()
            }),
            ("qualified_majority", [t]) => with(RuleParts {
                threshold: Some(num(t, &THRESHOLD)?),
                ..RuleParts::default()
            }),
            ("qualified_majority", _) => Err(wrong_arity(
                "qualified_majority:SHARE or qualified_majority:votes:N, e.g. qualified_majority:0.67, qualified_majority:2/3, qualified_majority:votes:15",
            )),
            ("weighted", [a, "amount", x]) => with(RuleParts {
                attribute: Some(a),
                amount: Some(num(x, &AMOUNT)?),
                ..RuleParts::default()
            }),
            ("weighted", [a, q]) => with(RuleParts {
                attribute: Some(a),
                quota: Some(num(q, &QUOTA)?),
                ..RuleParts::default()
            }),
            ("weighted", _) => Err(wrong_arity(
                "weighted:ATTRIBUTE:SHARE or weighted:ATTRIBUTE:amount:AMOUNT, e.g. weighted:military:0.5, weighted:military:39/45, weighted:military:amount:39",
            )),
            ("double_majority", []) => Ok(DecisionRule::double_majority()),
            ("double_majority", [m, p, b]) => with(RuleParts {
                members: Some(num(m, &MEMBERS)?),
                population: Some(num(p, &POPULATION)?),
                blocking: Some(b.parse::<i64>().map_err(|_| {
                    RuleError::new(format!(
                        "double_majority: the least number of members of a blocking minority must be a whole number, found `{b}`"
                    ))
                })?),
                ..RuleParts::default()
            }),
            ("double_majority", _) => Err(wrong_arity(
                "double_majority or double_majority:MEMBERS:POPULATION:BLOCKING, e.g. double_majority:0.55:0.65:4",
            )),
            ("majority" | "hegemon_majority", _) => Err(wrong_arity(kind)),
            (other, _) => Err(RuleError {
                message: format!("unknown decision rule `{other}`"),
                help: rule_name_hint(other),
            }),
        }
    }
}
