//! The `concord` binary: `concord node start` runs a node in this process;
//! every other command is a client of the public HTTP API.
//!
//! Only this crate knows exit codes, colours, tables and prompts. Arguments
//! are parsed in two stages: clap structs hold raw input, and
//! [`client::ClientConfig::resolve`] validates them before any network call.

pub mod cli;
pub mod client;
pub mod commands;
pub mod complete;
pub mod contexts;
pub mod error;
pub mod input;
pub mod output;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

pub use crate::cli::Cli;
use crate::error::CliError;

/// The whole command tree, for the man page and completion generator and for
/// tests.
pub fn command() -> clap::Command {
    Cli::command()
}

/// Parses the process arguments, runs the command and maps the outcome to the
/// documented exit code.
pub fn main() -> ExitCode {
    // `COMPLETE=bash concord ...`: the shell asks for completions.
    complete::run_if_asked();
    // Test builds only: arms the storage failpoints named in FAILPOINTS.
    #[cfg(feature = "failpoints")]
    let _failpoints = fail::FailScenario::setup();
    let matches = match command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { error::EXIT_USAGE } else { 0 });
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(mut cli) => {
            cli.global.sources = cli::Sources::of(&matches);
            cli.global.output = cli.global.output.resolved(output::stdout_is_terminal());
            if cli.global.no_input || commands::ci_env(std::env::var_os("CI").as_deref()) {
                commands::forbid_prompts();
            }
            cli
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(error::EXIT_USAGE);
        }
    };
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(),
    }
}

/// Kept so `CliError` is nameable from the binary's tests.
pub type Result<T, E = CliError> = std::result::Result<T, E>;
