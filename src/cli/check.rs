//! `alliance-sim check FILE...`: load and check scenarios, run nothing.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use alliance_sim::scenario;

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
    let mut out = std::io::stdout().lock();
    for file in &args.files {
        match scenario::load(file) {
            Ok(s) => writeln!(
                out,
                "ok: {} ({}: {} members, {} options, rule {}, {} runs)",
                file.display(),
                s.name,
                s.members.len(),
                s.options.len() - 1,
                s.rule,
                s.montecarlo.runs
            )?,
            Err(e) => {
                eprintln!("error: {e}");
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
