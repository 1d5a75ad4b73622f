use clap::Args;
use reqwest::Method;

use crate::client::{encode_key, ApiClient};
use crate::error::CliError;
use crate::output::{self, Format};

/// Read a key. Text output is the value's bytes exactly (a newline is added
/// only on a terminal); a missing key exits 3.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord kv get greeting
  concord kv get blob > blob.bin
  concord kv get greeting --consistency stale
  concord kv get greeting -o json")]
pub struct KvGetArgs {
    /// The key to read.
    pub key: String,
    /// `linearizable` (default) confirms leadership with a quorum first;
    /// `stale` reads this node's local state, possibly behind.
    #[arg(long, value_parser = ["linearizable", "stale"], default_value = "linearizable")]
    pub consistency: String,
}

pub fn run(client: &ApiClient, args: KvGetArgs) -> Result<(), CliError> {
    let key = encode_key(&args.key);
    match client.output() {
        Format::Text => {
            let path = format!("/v1/kv/{key}?consistency={}", args.consistency);
            let value = client
                .send(Method::GET, &path, |r| r)?
                .bytes()
                .map_err(|e| CliError::other(format!("reading the value: {e}")))?;
            output::write_stdout(&value)?;
            if output::stdout_is_terminal() && !value.ends_with(b"\n") {
                output::write_stdout(b"\n")?;
            }
            Ok(())
        }
        Format::Json => {
            let path = format!("/v1/kv/{key}?consistency={}&format=json", args.consistency);
            let item: serde_json::Value = client
                .send(Method::GET, &path, |r| r)?
                .json()
                .map_err(|e| CliError::other(format!("reading the answer: {e}")))?;
            output::json(&item)
        }
    }
}
