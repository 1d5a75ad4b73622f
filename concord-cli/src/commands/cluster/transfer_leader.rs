//! `concord cluster transfer-leader`: `POST /v1/cluster/transfer-leader`.

use clap::Args;
use reqwest::Method;

use concord_core::api::{TransferLeaderRequest, TransferLeaderResponse};

use crate::client::{ApiClient, Payload};
use crate::error::CliError;
use crate::output::{self};

/// Hand leadership to another voter (by default the most caught-up one) and
/// wait until it leads.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord cluster transfer-leader
  concord cluster transfer-leader --to 2")]
pub struct TransferLeaderArgs {
    /// The voter to hand leadership to.
    #[arg(long, value_name = "ID", add = clap_complete::ArgValueCompleter::new(crate::complete::node_ids))]
    pub to: Option<u64>,
}

pub fn run(client: &ApiClient, args: TransferLeaderArgs) -> Result<(), CliError> {
    let body = TransferLeaderRequest { to: args.to };
    let answer: TransferLeaderResponse = client
        .send(Method::POST, "/v1/cluster/transfer-leader", &Payload::json(&body)?)?
        .json()?;
    match client.output() {
        f if f.is_data() => output::data(f, &answer),
        _ => output::line(&format!("node {} is the leader", answer.leader_id)),
    }
}
