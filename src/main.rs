//! The `alliance-sim` binary: parse the command line, dispatch, and turn the
//! outcome into an exit code (0 success, 2 bad input or usage, 130 interrupted,
//! 1 anything else). Everything it prints goes through [`cli::console`].

mod cli;

use std::process::ExitCode;

use clap::Parser;

use alliance_sim::posterior::PosteriorError;
use alliance_sim::scenario::ScenarioError;

use cli::console;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(e) => return usage(&e),
    };
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
        Err(e) if e.is::<cli::Interrupted>() => {
            console::note_line(&e.to_string());
            ExitCode::from(130)
        }
        Err(e) => {
            let bad_input = e.chain().any(|c| {
                c.is::<ScenarioError>() || c.is::<PosteriorError>() || c.is::<cli::BadInput>()
            });
            console::error(&format!("{e:#}"));
            ExitCode::from(if bad_input { 2 } else { 1 })
        }
    }
}

/// Help, the version, or a usage error from parsing the command line, printed
/// as plain text through the console (clap quotes what was typed, which must
/// be escaped like any other input): help and version on standard output with
/// exit code 0 (1 if it cannot be written), usage errors on standard error
/// with 2.
fn usage(e: &clap::Error) -> ExitCode {
    let text = e.render().to_string();
    if e.use_stderr() {
        console::note(&alliance_sim::text::bound_quotes(&text));
        return ExitCode::from(2);
    }
    match console::out(&text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failed) => {
            console::error(&failed.to_string());
            ExitCode::from(1)
        }
    }
}
