use clap::Args;
use reqwest::Method;

use super::json_body;
use crate::client::ApiClient;
use crate::error::CliError;
use crate::output::{self, Format};

/// Remove a member. Asks for confirmation on a terminal; needs `--yes`
/// otherwise. Refuses to remove the last voter; removing the leader hands
/// leadership to another voter first. A removed id is never reused.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord cluster remove-node 3
  concord cluster remove-node 3 --yes      # in scripts")]
pub struct RemoveNodeArgs {
    /// The id of the member to remove.
    pub id: u64,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

pub fn run(client: &ApiClient, args: RemoveNodeArgs) -> Result<(), CliError> {
    crate::commands::confirm(args.yes, &format!("Remove node {} from the cluster?", args.id))?;
    let path = format!("/v1/cluster/members/{}", args.id);
    let answer = json_body(client.send(Method::DELETE, &path, |r| r)?)?;
    match client.output() {
        Format::Json => output::json(&answer),
        Format::Text => output::line(&format!("removed node {}", args.id)),
    }
}
