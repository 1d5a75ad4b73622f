use clap::Args;
use reqwest::Method;

use crate::client::{encode_key, ApiClient};
use crate::error::CliError;
use crate::output::{self, Format};

/// Delete a key. A missing key exits 3.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord kv delete greeting
  concord kv delete greeting -o json   # prints {\"deleted\":1,\"revision\":N}")]
pub struct KvDeleteArgs {
    /// The key to delete.
    pub key: String,
}

pub fn run(client: &ApiClient, args: KvDeleteArgs) -> Result<(), CliError> {
    let path = format!("/v1/kv/{}", encode_key(&args.key));
    let resp = client.send(Method::DELETE, &path, |r| r)?;
    let body: serde_json::Value = resp
        .json()
        .map_err(|e| CliError::other(format!("reading the answer: {e}")))?;
    match client.output() {
        Format::Json => output::json(&body),
        Format::Text => output::line(&body["deleted"].to_string()),
    }
}
