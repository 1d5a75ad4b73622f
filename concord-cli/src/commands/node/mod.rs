//! `concord node`: running a node in this process.

pub mod start;

use clap::Subcommand;

use crate::error::CliError;

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per process
pub enum NodeCommand {
    Start(start::NodeStartArgs),
}

pub fn run(cmd: NodeCommand) -> Result<(), CliError> {
    match cmd {
        NodeCommand::Start(args) => start::run(args),
    }
}
