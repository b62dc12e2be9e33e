//! The `alliance-sim` binary: parse the command line, dispatch, and turn the
//! outcome into an exit code (0 success, 2 bad input or usage, 1 anything else).

mod cli;

use std::process::ExitCode;

use clap::Parser;

use alliance_sim::scenario::ScenarioError;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    let result = match &args.command {
        cli::Command::Run(a) => cli::run::execute(a),
        cli::Command::Check(a) => cli::check::execute(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let bad_input = e
                .chain()
                .any(|c| c.is::<ScenarioError>() || c.is::<cli::BadInput>());
            eprintln!("error: {e:#}");
            ExitCode::from(if bad_input { 2 } else { 1 })
        }
    }
}
