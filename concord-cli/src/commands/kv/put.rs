use std::io::Read;

use clap::Args;
use reqwest::Method;
use serde_json::json;

use crate::client::{encode_key, ApiClient};
use crate::error::CliError;
use crate::output::{self, Format};

/// Write a key. The value comes from the argument, or from stdin
/// (byte-exact) when it is omitted or `-`.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord kv put greeting hello
  concord kv put config/app.toml - < app.toml
  head -c 300000 /dev/urandom | concord kv put blob
  concord kv put counter 1 -o json     # prints {\"revision\":N}")]
pub struct KvPutArgs {
    /// The key: non-empty UTF-8, at most 4096 bytes; `/` is allowed.
    pub key: String,
    /// The value; `-` or nothing reads it from stdin.
    pub value: Option<String>,
}

pub fn run(client: &ApiClient, args: KvPutArgs) -> Result<(), CliError> {
    let value = match args.value.as_deref() {
        None | Some("-") => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| CliError::other(format!("reading the value from stdin: {e}")))?;
            buf
        }
        Some(v) => v.as_bytes().to_vec(),
    };
    let path = format!("/v1/kv/{}", encode_key(&args.key));
    let resp = client.send(Method::PUT, &path, |r| r.body(value.clone()))?;
    let body: serde_json::Value = resp
        .json()
        .map_err(|e| CliError::other(format!("reading the answer: {e}")))?;
    match client.output() {
        Format::Json => output::json(&json!({ "revision": body["revision"] })),
        Format::Text => output::line("OK"),
    }
}
