//! `alliance-sim check FILE...`: load and check scenarios, run nothing.

use std::path::PathBuf;

use clap::Args;

use alliance_sim::scenario;

use super::console;

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario files to check.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Checks every file, reporting each problem; fails if any file is bad.
pub fn execute(args: &CheckArgs) -> anyhow::Result<()> {
    let mut bad = 0;
    for file in &args.files {
        match scenario::load(file) {
            Ok(s) => console::out(&format!(
                "ok: {} ({}: {} members, {} options, rule {}, {} runs)\n",
                file.display(),
                s.name,
                s.members.len(),
                s.options.len() - 1,
                s.rule,
                s.montecarlo.runs
            ))?,
            Err(e) => {
                console::error(&e.to_string());
                bad += 1;
            }
        }
    }
    if bad > 0 {
        return Err(super::BadInput(format!(
            "{bad} of {} scenario file{} failed the check",
            args.files.len(),
            if args.files.len() == 1 { "" } else { "s" }
        ))
        .into());
    }
    Ok(())
}
