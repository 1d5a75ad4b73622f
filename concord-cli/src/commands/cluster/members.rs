//! `concord cluster members`: `GET /v1/cluster/members` as a table or JSON.

use clap::Args;

use concord_core::api::Member;

use super::text;
use crate::client::ApiClient;
use crate::error::CliError;
use crate::output::{self};

/// List the members: id, role (leader, follower or learner), client URL and
/// peer URL.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord cluster members
  concord cluster members -o json | jq '.[] | select(.role == \"leader\") | .client_url'")]
pub struct ClusterMembersArgs {}

pub fn run(client: &ApiClient, _args: ClusterMembersArgs) -> Result<(), CliError> {
    let members: Vec<Member> = client.get("/v1/cluster/members")?.json()?;
    match client.output() {
        f if f.is_data() => output::data(f, &members),
        _ => {
            let rows = members
                .iter()
                .map(|m| {
                    vec![
                        m.id.to_string(),
                        m.role.as_str().to_string(),
                        text(&m.client_url),
                        text(&m.peer_url),
                    ]
                })
                .collect();
            output::table(client.output(), &["ID", "ROLE", "CLIENT URL", "PEER URL"], rows)
        }
    }
}
