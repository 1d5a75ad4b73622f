//! `concord cluster`: status, members and membership changes, over
//! `/v1/cluster/...`.

pub mod add_node;
pub mod local;
pub mod members;
pub mod recover;
pub mod remove_node;
pub mod status;
pub mod transfer_leader;
pub mod wait;

use clap::Subcommand;

use crate::cli::GlobalArgs;
use crate::client::{ApiClient, ClientConfig};
use crate::error::CliError;

#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    Status(status::ClusterStatusArgs),
    Members(members::ClusterMembersArgs),
    AddNode(add_node::AddNodeArgs),
    RemoveNode(remove_node::RemoveNodeArgs),
    TransferLeader(transfer_leader::TransferLeaderArgs),
    Recover(recover::RecoverArgs),
    Wait(wait::WaitArgs),
    Local(local::LocalArgs),
}

/// Runs a cluster command. `recover` and `local` need no client (offline,
/// and spawning nodes); `wait` makes its own (`--timeout` bounds the whole
/// wait); the others share one resolved from the global flags.
pub fn run(global: &GlobalArgs, cmd: ClusterCommand) -> Result<(), CliError> {
    let client = || ApiClient::new(ClientConfig::resolve(global)?);
    match cmd {
        ClusterCommand::Recover(args) => recover::run(global.output, args),
        ClusterCommand::Local(args) => local::run(global.output, args),
        ClusterCommand::Wait(args) => wait::run(global, args),
        ClusterCommand::Status(args) => status::run(&client()?, args),
        ClusterCommand::Members(args) => members::run(&client()?, args),
        ClusterCommand::AddNode(args) => add_node::run(&client()?, args),
        ClusterCommand::RemoveNode(args) => remove_node::run(&client()?, args),
        ClusterCommand::TransferLeader(args) => transfer_leader::run(&client()?, args),
    }
}

/// Text from the node as table text: `-` when empty, control characters
/// escaped.
pub(crate) fn text(s: &str) -> String {
    if s.is_empty() {
        "-".into()
    } else {
        crate::output::escape_control(s)
    }
}

/// An optional number as table text (`-` when absent).
pub(crate) fn number(n: Option<u64>) -> String {
    n.map_or_else(|| "-".into(), |n| n.to_string())
}
