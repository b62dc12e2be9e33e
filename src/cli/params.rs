//! `alliance-sim params FILE`: every parameter path with its value and range,
//! the names `sweep --vary` accepts.

use std::fmt::Write;
use std::path::PathBuf;

use clap::Args;

use alliance_sim::scenario::{self, paths};

/// Arguments of `params`.
#[derive(Debug, Args)]
pub struct ParamsArgs {
    /// Scenario file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Prints the table of parameter paths.
pub fn execute(args: &ParamsArgs) -> anyhow::Result<()> {
    let s = scenario::load(&args.file)?;
    let entries = paths::list(&s);
    let width = entries.iter().map(|e| e.path.len()).max().unwrap_or(4);
    let values: Vec<String> = entries.iter().map(|e| e.value.to_string()).collect();
    let vwidth = values.iter().map(|v| v.len()).max().unwrap_or(5).max(5);
    let mut out = String::new();
    writeln!(out, "{:width$}  {:vwidth$}  range", "path", "value")?;
    for (e, v) in entries.iter().zip(&values) {
        writeln!(out, "{:width$}  {v:vwidth$}  {}", e.path, e.range)?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "`members.*.FIELD` sets FIELD for every member; use a path with `sweep --vary PATH=VALUES`."
    )?;
    Ok(super::console::out(&out)?)
}
