//! `concord cluster add-node`: `POST /v1/cluster/members`.

use clap::Args;
use reqwest::Method;

use concord_core::api::{AddMemberRequest, AddMemberResponse};

use crate::client::{ApiClient, Payload};
use crate::error::CliError;
use crate::output::{self};

/// Add a node as a learner; it is promoted to voter once it has caught up.
/// Start the new node with `concord node start --id N` (or use `--join`,
/// which does this for you). Ids are never reused.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord cluster add-node --peer-url http://10.0.0.4:7380 --client-url http://10.0.0.4:7379
  concord cluster add-node --id 4 --peer-url http://10.0.0.4:7380 --client-url http://10.0.0.4:7379")]
pub struct AddNodeArgs {
    /// The new node's peer (Raft) URL.
    #[arg(long, value_name = "URL")]
    pub peer_url: String,
    /// The new node's client URL.
    #[arg(long, value_name = "URL")]
    pub client_url: String,
    /// The id to give it; by default the cluster assigns a fresh one.
    #[arg(long)]
    pub id: Option<u64>,
}

pub fn run(client: &ApiClient, args: AddNodeArgs) -> Result<(), CliError> {
    let body = AddMemberRequest {
        id: args.id,
        client_url: args.client_url,
        peer_url: args.peer_url,
    };
    let answer: AddMemberResponse = client
        .send(Method::POST, "/v1/cluster/members", &Payload::json(&body)?)?
        .json()?;
    match client.output() {
        f if f.is_data() => output::data(f, &answer),
        _ => output::line(&format!(
            "added node {} as a learner; it becomes a voter once caught up",
            answer.id
        )),
    }
}
