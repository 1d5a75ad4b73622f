use clap::Args;
use reqwest::Method;
use serde_json::json;

use super::json_body;
use crate::client::ApiClient;
use crate::error::CliError;
use crate::output::{self, Format};

/// Hand leadership to another voter (by default the most caught-up one) and
/// wait until it leads.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord cluster transfer-leader
  concord cluster transfer-leader --to 2")]
pub struct TransferLeaderArgs {
    /// The voter to hand leadership to.
    #[arg(long, value_name = "ID")]
    pub to: Option<u64>,
}

pub fn run(client: &ApiClient, args: TransferLeaderArgs) -> Result<(), CliError> {
    let body = json!({ "to": args.to });
    let answer = json_body(client.send(Method::POST, "/v1/cluster/transfer-leader", |r| r.json(&body))?)?;
    match client.output() {
        Format::Json => output::json(&answer),
        Format::Text => output::line(&format!("node {} is the leader", answer["leader_id"])),
    }
}
