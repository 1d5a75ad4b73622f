use base64::Engine;
use clap::Args;
use reqwest::Method;
use serde_json::json;

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
    let path = format!(
        "/v1/kv/{}?consistency={}",
        encode_key(&args.key),
        args.consistency
    );
    let resp = client.send(Method::GET, &path, |r| r)?;
    let header = |name: &str| -> u64 {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let (mod_rev, create_rev, version) = (
        header("concord-revision"),
        header("concord-create-revision"),
        header("concord-version"),
    );
    let value = resp
        .bytes()
        .map_err(|e| CliError::other(format!("reading the value: {e}")))?;
    match client.output() {
        Format::Text => {
            output::write_stdout(&value)?;
            if output::stdout_is_terminal() && !value.ends_with(b"\n") {
                output::write_stdout(b"\n")?;
            }
            Ok(())
        }
        Format::Json => {
            let mut doc = json!({
                "key": args.key,
                "create_revision": create_rev,
                "mod_revision": mod_rev,
                "version": version,
            });
            match std::str::from_utf8(&value) {
                Ok(text) => doc["value"] = json!(text),
                Err(_) => {
                    doc["value_base64"] =
                        json!(base64::engine::general_purpose::STANDARD.encode(&value))
                }
            }
            output::json(&doc)
        }
    }
}
