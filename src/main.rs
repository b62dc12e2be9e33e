//! The `alliance-sim` binary: parse the command line, dispatch, and turn the
//! outcome into an exit code (0 success, 2 bad input or usage, 130 interrupted,
//! 1 anything else).

mod cli;

use std::process::ExitCode;

use clap::Parser;

use alliance_sim::posterior::PosteriorError;
use alliance_sim::scenario::ScenarioError;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::install_signal_handler();
    let result = match &args.command {
        cli::Command::Run(a) => cli::run::execute(a),
        cli::Command::Check(a) => cli::check::execute(a),
        cli::Command::Explain(a) => cli::explain::execute(a),
        cli::Command::Params(a) => cli::params::execute(a),
        cli::Command::Sweep(a) => cli::sweep::execute(a),
        cli::Command::Merge(a) => cli::merge::execute(a),
        cli::Command::Power(a) => cli::power::execute(a),
        cli::Command::Validate(a) => cli::validate::execute(a),
        cli::Command::Sensitivity(a) => cli::sensitivity::execute(a),
        cli::Command::Calibrate(a) => cli::calibrate::execute(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) if e.is::<cli::Interrupted>() => {
            eprintln!("{e}");
            ExitCode::from(130)
        }
        Err(e) => {
            let bad_input = e.chain().any(|c| {
                c.is::<ScenarioError>() || c.is::<PosteriorError>() || c.is::<cli::BadInput>()
            });
            eprintln!("error: {e:#}");
            ExitCode::from(if bad_input { 2 } else { 1 })
        }
    }
}

/// Output piped into a program that stopped reading (`| head`) is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
