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
  concord kv put counter 1 -o json     # prints {\"revision\":N}
  concord kv put counter 2 --if-revision 7   # compare-and-set; exit 6 if not at 7
  concord kv put lock me --if-absent --ttl 30s")]
pub struct KvPutArgs {
    /// The key: non-empty UTF-8, at most 4096 bytes; `/` is allowed.
    pub key: String,
    /// The value; `-` or nothing reads it from stdin.
    pub value: Option<String>,
    /// Write only if the key's mod revision is N (0: only if it does not
    /// exist); otherwise exit 6.
    #[arg(long, value_name = "N")]
    pub if_revision: Option<u64>,
    /// Write only if the key does not exist; otherwise exit 6.
    #[arg(long)]
    pub if_absent: bool,
    /// Expire the key this long after the write, like `30s` or `24h`.
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub ttl: Option<std::time::Duration>,
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
    let mut query = Vec::new();
    if let Some(rev) = args.if_revision {
        query.push(format!("if_revision={rev}"));
    }
    if args.if_absent {
        query.push("if_absent=true".to_string());
    }
    if let Some(ttl) = args.ttl {
        if ttl.is_zero() {
            return Err(CliError::usage("--ttl must be longer than 0s"));
        }
        query.push(format!("ttl={}ms", ttl.as_millis()));
    }
    let mut path = format!("/v1/kv/{}", encode_key(&args.key));
    if !query.is_empty() {
        path = format!("{path}?{}", query.join("&"));
    }
    let resp = client.send(Method::PUT, &path, |r| r.body(value.clone()))?;
    let body: serde_json::Value = resp
        .json()
        .map_err(|e| CliError::other(format!("reading the answer: {e}")))?;
    match client.output() {
        Format::Json => output::json(&json!({ "revision": body["revision"] })),
        Format::Text => output::line("OK"),
    }
}
