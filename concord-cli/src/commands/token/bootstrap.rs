//! `concord token bootstrap`: `POST /v1/tokens/bootstrap`.

use clap::Args;
use concord_core::api::CreatedToken;
use reqwest::Method;

use crate::client::{ApiClient, Payload};
use crate::error::CliError;
use crate::output::{self};

/// Create the root token of a cluster started with `--auth` and no
/// `CONCORD_ROOT_TOKEN`. Works once per cluster (then exits 6) and needs
/// no token: run it right after the cluster starts. Prints the root token
/// to stdout; it is never shown again.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord token bootstrap > root.token && chmod 600 root.token
  CONCORD_TOKEN_FILE=root.token concord token create --permissions read --prefix app/")]
pub struct TokenBootstrapArgs {}

pub fn run(client: &ApiClient, _args: TokenBootstrapArgs) -> Result<(), CliError> {
    let created: CreatedToken = client
        .send(
            Method::POST,
            "/v1/tokens/bootstrap",
            &Payload::json(&serde_json::json!({}))?,
        )?
        .json()?;
    match client.output() {
        f if f.is_data() => output::data(f, &created),
        _ => super::print_created(&created),
    }
}
