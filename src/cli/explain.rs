//! `alliance-sim explain FILE`: evaluate a scenario once at its parameters'
//! central values, without perception noise, and show why the alliance
//! decided as it did: each member's utility term by term, its votes, and the
//! procedure round by round. Prints to the terminal; writes no files.
//!
//! Three formats: `table` (for reading), `csv` (one row per member and option;
//! the rounds are in `table` and `json` only) and `json` (everything).

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use alliance_sim::model::{DecisionRule, Model};
use alliance_sim::output::explain::{csv, table};
use alliance_sim::scenario::{self, suggest};
use alliance_sim::text;

use super::BadInput;

/// Arguments of `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Scenario file to explain.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Show only this member's utilities (by id, e.g. KAZ). The rounds still
    /// show every member's vote.
    #[arg(long, value_name = "ID")]
    pub member: Option<String>,
    /// Output format: a readable table, CSV (one row per member and option;
    /// the rounds are in table and json only) or JSON (everything).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Decision rule instead of the scenario's: consensus (an abstention does not block),
    /// strict_unanimity (an abstention blocks), majority, qualified_majority:SHARE (0.67 or 2/3), qualified_majority:votes:N,
    /// weighted:ATTRIBUTE:SHARE, weighted:ATTRIBUTE:amount:AMOUNT, hegemon_majority,
    /// double_majority[:MEMBERS:POPULATION:BLOCKING].
    #[arg(long, value_name = "RULE", value_parser = super::parse_rule)]
    pub rule: Option<DecisionRule>,
}

/// How `explain` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable tables.
    Table,
    /// CSV, one row per member and option.
    Csv,
    /// JSON, the whole explanation.
    Json,
}

/// Explains the scenario named on the command line.
pub fn execute(args: &ExplainArgs) -> anyhow::Result<()> {
    let s = scenario::load(&args.file)?;
    let rule = args.rule.unwrap_or(s.rule);
    if matches!(rule, DecisionRule::HegemonMajority) && s.alliance.hegemon.is_none() {
        return Err(BadInput(format!(
            "{}: the hegemon_majority rule needs `alliance.hegemon`, which this scenario does not name",
            args.file.display()
        ))
        .into());
    }
    if let Some(e) = s.rule_problem(&rule) {
        return Err(BadInput(e.to_string()).into());
    }
    if let Some(id) = &args.member {
        if s.member_index(id).is_none() {
            let mut msg = format!(
                "`{id}` is not a member of {} ({})",
                s.name,
                args.file.display()
            );
            if let Some(h) = suggest::hint(id, s.members.iter().map(|m| m.id.as_str())) {
                msg.push_str(&format!("\n  help: {h}"));
            }
            return Err(BadInput(msg).into());
        }
    }
    let mut x = Model::new(&s, rule).explain(&s);
    if let Some(id) = &args.member {
        x.members.retain(|m| &m.id == id);
    }
    let text = match args.format {
        Format::Table => table(&x, &stem(&args.file)),
        Format::Csv => csv(&x, &stem(&args.file))?,
        // Names in JSON strings are escaped the JSON way, so that the
        // output stays JSON with the same values.
        Format::Json => {
            text::json_for_terminal(&serde_json::to_string_pretty(&x)?).into_owned() + "\n"
        }
    };
    Ok(super::console::out(&text)?)
}

/// The file's stem, the label the CSV files use for a scenario.
fn stem(file: &Path) -> String {
    alliance_sim::job::label_of(file)
}
