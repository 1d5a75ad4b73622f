use std::io::Read;

use clap::Args;
use reqwest::Method;

use crate::client::ApiClient;
use crate::error::{CliError, Kind};
use crate::output::{self, Format};

/// Run a transaction: JSON `{"compare": [...], "success": [...], "failure":
/// [...]}` from FILE or stdin, applied atomically. Prints the answer; exits 6
/// when a compare failed (the failure branch ran).
#[derive(Debug, Args)]
#[command(after_long_help = "\
A compare names a `key` and one of `value`, `mod_revision`, `create_revision`,
`version`, `exists`, with an optional `op` of `=` (default), `!=`, `<`, `>`.
Operations: {\"put\": {\"key\", \"value\", \"ttl\"?}}, {\"get\": {\"key\"}},
{\"delete\": {\"key\"}}, {\"delete_prefix\": {\"prefix\"}}.

Examples:
  echo '{\"compare\":[{\"key\":\"cfg\",\"version\":0}],
         \"success\":[{\"put\":{\"key\":\"cfg\",\"value\":\"v1\"}}],
         \"failure\":[{\"get\":{\"key\":\"cfg\"}}]}' | concord kv txn
  concord kv txn move.json -o json")]
pub struct KvTxnArgs {
    /// File with the transaction JSON; `-` or nothing reads stdin.
    pub file: Option<String>,
}

pub(crate) fn read_input(file: Option<&str>) -> Result<Vec<u8>, CliError> {
    match file {
        None | Some("-") => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| CliError::other(format!("reading stdin: {e}")))?;
            Ok(buf)
        }
        Some(path) => std::fs::read(path).map_err(|e| CliError::usage(format!("reading {path}: {e}"))),
    }
}

pub fn run(client: &ApiClient, args: KvTxnArgs) -> Result<(), CliError> {
    let body = read_input(args.file.as_deref())?;
    let answer: serde_json::Value = client
        .send(Method::POST, "/v1/txn", |r| {
            r.header("content-type", "application/json").body(body.clone())
        })?
        .json()
        .map_err(|e| CliError::other(format!("reading the answer: {e}")))?;
    match client.output() {
        Format::Json => output::json(&answer)?,
        Format::Text => {
            let verdict = if answer["succeeded"] == true {
                "SUCCEEDED"
            } else {
                "FAILED"
            };
            output::line(&format!("{verdict} (revision {})", answer["revision"]))?;
            for r in answer["results"].as_array().into_iter().flatten() {
                output::line(&r.to_string())?;
            }
        }
    }
    if answer["succeeded"] == true {
        Ok(())
    } else {
        Err(CliError::new(
            Kind::Conflict,
            "a compare failed: the failure branch ran",
        ))
    }
}
