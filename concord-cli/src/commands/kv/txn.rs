//! `concord kv txn`: `POST /v1/txn` from a JSON file or stdin.

use bytes::Bytes;
use clap::Args;
use reqwest::Method;

use concord_core::api::TxnResult;

use crate::client::{ApiClient, Payload};
use crate::error::{CliError, Kind};
use crate::input::{self, MAX_INPUT_BYTES};
use crate::output::{self};

/// Run a transaction: JSON `{"compare": [...], "success": [...], "failure":
/// [...]}` from FILE or stdin (at most 64 MiB, read before anything is
/// sent), applied atomically. Prints the answer; exits 6 when a compare
/// failed (the failure branch ran).
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

/// The transaction from FILE or stdin, at most [`MAX_INPUT_BYTES`].
fn read_input(file: Option<&str>) -> Result<Bytes, CliError> {
    match file {
        None | Some("-") => input::read_stdin("the transaction from stdin"),
        Some(path) => {
            let file = std::fs::File::open(path).map_err(|e| CliError::usage(format!("reading {path}: {e}")))?;
            input::read_capped(file, MAX_INPUT_BYTES, path)
        }
    }
}

pub fn run(client: &ApiClient, args: KvTxnArgs) -> Result<(), CliError> {
    let body = read_input(args.file.as_deref())?;
    let answer: TxnResult = client.send(Method::POST, "/v1/txn", &Payload::Json(body))?.json()?;
    match client.output() {
        f if f.is_data() => output::data(f, &answer)?,
        _ => {
            let verdict = if answer.succeeded { "SUCCEEDED" } else { "FAILED" };
            output::line(&format!("{verdict} (revision {})", answer.revision))?;
            for r in &answer.results {
                output::json(r)?;
            }
        }
    }
    if answer.succeeded {
        Ok(())
    } else {
        Err(CliError::new(
            Kind::Conflict,
            "a compare failed: the failure branch ran",
        ))
    }
}
