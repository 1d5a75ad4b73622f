//! `concord cluster`: status, members and membership changes, over
//! `/v1/cluster/...`.

pub mod add_node;
pub mod members;
pub mod remove_node;
pub mod status;
pub mod transfer_leader;

use clap::Subcommand;

use crate::client::ApiClient;
use crate::error::CliError;

#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    Status(status::ClusterStatusArgs),
    Members(members::ClusterMembersArgs),
    AddNode(add_node::AddNodeArgs),
    RemoveNode(remove_node::RemoveNodeArgs),
    TransferLeader(transfer_leader::TransferLeaderArgs),
}

pub fn run(client: &ApiClient, cmd: ClusterCommand) -> Result<(), CliError> {
    match cmd {
        ClusterCommand::Status(args) => status::run(client, args),
        ClusterCommand::Members(args) => members::run(client, args),
        ClusterCommand::AddNode(args) => add_node::run(client, args),
        ClusterCommand::RemoveNode(args) => remove_node::run(client, args),
        ClusterCommand::TransferLeader(args) => transfer_leader::run(client, args),
    }
}

/// A JSON scalar as table text (`-` for null).
pub(crate) fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "-".into(),
        serde_json::Value::String(s) if s.is_empty() => "-".into(),
        serde_json::Value::String(s) => crate::output::escape_control(s),
        other => other.to_string(),
    }
}

/// Table rows from a JSON array, one per element.
pub(crate) fn rows(list: &serde_json::Value, row: impl Fn(&serde_json::Value) -> Vec<String>) -> Vec<Vec<String>> {
    list.as_array()
        .map(|items| items.iter().map(row).collect())
        .unwrap_or_default()
}
