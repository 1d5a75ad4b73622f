//! `concord kv put`: `PUT /v1/kv/{key}` with compare-and-set and TTL options.

use bytes::Bytes;
use clap::Args;
use reqwest::Method;

use concord_core::api::PutResponse;

use crate::client::{kv_path, ApiClient, Payload};
use crate::error::CliError;
use crate::input;
use crate::output::{self};

/// Write a key. The value comes from the argument, or from stdin
/// (byte-exact) when it is omitted or `-`. Stdin is read whole before
/// anything is sent, at most 64 MiB (the largest value any node accepts;
/// more exits 1).
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
    #[arg(add = clap_complete::ArgValueCompleter::new(crate::complete::keys))]
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
    let mut path = kv_path(&args.key)?;
    let value = match args.value {
        None => input::read_stdin("the value from stdin")?,
        Some(v) if v == "-" => input::read_stdin("the value from stdin")?,
        Some(v) => Bytes::from(v),
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
    if !query.is_empty() {
        path = format!("{path}?{}", query.join("&"));
    }
    let answer: PutResponse = client.send(Method::PUT, &path, &Payload::Raw(value))?.json()?;
    match client.output() {
        f if f.is_data() => output::data(f, &answer),
        _ => output::line("OK"),
    }
}
