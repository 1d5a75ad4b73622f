use clap::Args;

use super::{cell, rows};
use crate::client::ApiClient;
use crate::error::CliError;
use crate::output::{self, Format};

/// List the members: id, role (leader, follower or learner), client URL and
/// peer URL.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord cluster members
  concord cluster members -o json | jq '.[] | select(.role == \"leader\") | .client_url'")]
pub struct ClusterMembersArgs {}

pub fn run(client: &ApiClient, _args: ClusterMembersArgs) -> Result<(), CliError> {
    let members: serde_json::Value = client.get("/v1/cluster/members")?.json()?;
    match client.output() {
        Format::Json => output::json(&members),
        Format::Text | Format::Raw => {
            let rows = rows(&members, |m| {
                vec![
                    cell(&m["id"]),
                    cell(&m["role"]),
                    cell(&m["client_url"]),
                    cell(&m["peer_url"]),
                ]
            });
            output::table(&["ID", "ROLE", "CLIENT URL", "PEER URL"], rows)
        }
    }
}
