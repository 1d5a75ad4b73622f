//! `concord kv import`: JSON lines written in atomic batches (`POST /v1/kv/batch`).

use std::io::BufRead;

use clap::Args;
use concord_core::api::{BatchRequest, BatchResponse, OpRequest, PutRequest};
use reqwest::Method;
use serde::Deserialize;

use crate::client::{ApiClient, Payload};
use crate::error::CliError;
use crate::input::{self, MAX_INPUT_BYTES};
use crate::output::{self};

/// Import JSON lines `{"key", "value" | "value_base64", "ttl"?}` from FILE
/// or stdin (other fields, like those `kv export` writes, are ignored).
/// Lines are written in large batches, each batch atomic (the import as a
/// whole is not); a progress bar shows on a terminal. A line longer than
/// 64 MiB (the most a node accepts) stops the import with exit 1.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord kv export --prefix app/ > app.jsonl
  concord kv import app.jsonl
  printf '{\"key\":\"a\",\"value\":\"1\"}\\n{\"key\":\"b\",\"value\":\"2\",\"ttl\":\"1h\"}\\n' | concord kv import")]
pub struct KvImportArgs {
    /// JSON lines file; `-` or nothing reads stdin.
    pub file: Option<String>,
    /// Keys per batch.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub batch_size: usize,
}

const MAX_BATCH_BYTES: usize = 8 * 1024 * 1024;

/// What an import takes from a line; other fields are ignored.
#[derive(Deserialize)]
struct Line {
    key: String,
    value: Option<String>,
    value_base64: Option<String>,
    ttl: Option<String>,
}

pub fn run(client: &ApiClient, args: KvImportArgs) -> Result<(), CliError> {
    if args.batch_size == 0 {
        return Err(CliError::usage("--batch-size must be at least 1"));
    }
    let mut reader: Box<dyn BufRead> = match args.file.as_deref() {
        None | Some("-") => Box::new(std::io::stdin().lock()),
        Some(path) => Box::new(std::io::BufReader::new(
            std::fs::File::open(path).map_err(|e| CliError::usage(format!("opening {path}: {e}")))?,
        )),
    };
    let bar = output::spinner("{spinner} {pos} keys imported ({per_sec}) {msg}");
    let mut ops = Vec::new();
    let mut bytes = 0;
    let (mut total, mut batches) = (0u64, 0u64);
    let mut buf = Vec::new();
    for n in 1u64.. {
        if !input::read_line_capped(&mut reader, &mut buf, MAX_INPUT_BYTES, &format!("line {n}"))? {
            break;
        }
        let line =
            std::str::from_utf8(&buf).map_err(|e| CliError::other(format!("reading line {n}: not UTF-8: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: Line = serde_json::from_str(line).map_err(|e| {
            if e.is_data() {
                CliError::usage(format!(
                    "line {n}: no \"key\" string, or a field that is not a string: {e}"
                ))
            } else {
                CliError::usage(format!("line {n}: not JSON: {e}"))
            }
        })?;
        bytes += line.len();
        ops.push(OpRequest::Put(PutRequest {
            key: v.key,
            value: v.value,
            value_base64: v.value_base64,
            ttl: v.ttl,
        }));
        if ops.len() >= args.batch_size || bytes >= MAX_BATCH_BYTES {
            total += send_batch(client, &mut ops)?;
            batches += 1;
            bytes = 0;
            if let Some(bar) = &bar {
                bar.set_position(total);
            }
        }
    }
    if !ops.is_empty() {
        total += send_batch(client, &mut ops)?;
        batches += 1;
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match client.output() {
        f if f.is_data() => output::data(
            f,
            &Imported {
                batches,
                imported: total,
            },
        ),
        _ => output::line(&format!("imported {total} keys in {batches} batches")),
    }
}

/// What `kv import -o json` prints.
#[derive(serde::Serialize)]
struct Imported {
    batches: u64,
    imported: u64,
}

fn send_batch(client: &ApiClient, ops: &mut Vec<OpRequest>) -> Result<u64, CliError> {
    let body = Payload::json(&BatchRequest {
        ops: std::mem::take(ops),
    })?;
    let answer: BatchResponse = client.send(Method::POST, "/v1/kv/batch", &body)?.json()?;
    Ok(answer.count)
}
