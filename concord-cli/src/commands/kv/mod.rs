//! `concord kv`: reads and writes over `/v1/kv`, `/v1/txn` and `/v1/export`.

pub mod delete;
pub mod export;
pub mod get;
pub mod import;
pub mod list;
pub mod put;
pub mod txn;
pub mod watch;

use clap::Subcommand;

use crate::client::ApiClient;
use crate::error::CliError;

#[derive(Debug, Subcommand)]
pub enum KvCommand {
    Get(get::KvGetArgs),
    Put(put::KvPutArgs),
    Delete(delete::KvDeleteArgs),
    List(list::KvListArgs),
    Txn(txn::KvTxnArgs),
    Import(import::KvImportArgs),
    Export(export::KvExportArgs),
    Watch(watch::KvWatchArgs),
}

pub fn run(client: &ApiClient, cmd: KvCommand) -> Result<(), CliError> {
    match cmd {
        KvCommand::Get(args) => get::run(client, args),
        KvCommand::Put(args) => put::run(client, args),
        KvCommand::Delete(args) => delete::run(client, args),
        KvCommand::List(args) => list::run(client, args),
        KvCommand::Txn(args) => txn::run(client, args),
        KvCommand::Import(args) => import::run(client, args),
        KvCommand::Export(args) => export::run(client, args),
        KvCommand::Watch(args) => watch::run(client, args),
    }
}
