//! `concord cluster remove-node`: `DELETE /v1/cluster/members/{id}`, after a confirmation.

use clap::Args;
use reqwest::Method;

use crate::client::{ApiClient, Payload};
use crate::error::CliError;
use crate::output::{self};

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
    #[arg(add = clap_complete::ArgValueCompleter::new(crate::complete::node_ids))]
    pub id: u64,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

pub fn run(client: &ApiClient, args: RemoveNodeArgs) -> Result<(), CliError> {
    crate::commands::confirm(args.yes, &format!("Remove node {} from the cluster?", args.id))?;
    let path = format!("/v1/cluster/members/{}", args.id);
    let answer: concord_core::api::RemoveMemberResponse =
        client.send(Method::DELETE, &path, &Payload::Empty)?.json()?;
    match client.output() {
        f if f.is_data() => output::data(f, &answer),
        _ => output::line(&format!("removed node {}", args.id)),
    }
}
