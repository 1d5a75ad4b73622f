//! `concord kv`: single-key reads and writes over `/v1/kv/{key}`.

pub mod delete;
pub mod get;
pub mod put;

use clap::Subcommand;

use crate::client::ApiClient;
use crate::error::CliError;

#[derive(Debug, Subcommand)]
pub enum KvCommand {
    Get(get::KvGetArgs),
    Put(put::KvPutArgs),
    Delete(delete::KvDeleteArgs),
}

pub fn run(client: &ApiClient, cmd: KvCommand) -> Result<(), CliError> {
    match cmd {
        KvCommand::Get(args) => get::run(client, args),
        KvCommand::Put(args) => put::run(client, args),
        KvCommand::Delete(args) => delete::run(client, args),
    }
}
