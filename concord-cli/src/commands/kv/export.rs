use std::io::Read;

use clap::Args;
use reqwest::Method;

use crate::client::{encode_query, ApiClient};
use crate::error::CliError;
use crate::output;

/// Export keys as JSON lines `{"key", "value" | "value_base64",
/// "create_revision", "mod_revision", "version", "ttl_remaining", "ttl"?}`,
/// all from one consistent revision (printed on stderr). `kv import` reads
/// them back.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord kv export > backup.jsonl
  concord kv export --prefix app/ | concord --endpoints http://other:7379 kv import")]
pub struct KvExportArgs {
    /// Only keys starting with this.
    #[arg(long, default_value = "")]
    pub prefix: String,
    /// `linearizable` (default) or `stale`.
    #[arg(long, value_parser = ["linearizable", "stale"], default_value = "linearizable")]
    pub consistency: String,
}

pub fn run(client: &ApiClient, args: KvExportArgs) -> Result<(), CliError> {
    let path = format!(
        "/v1/export?prefix={}&consistency={}",
        encode_query(&args.prefix),
        args.consistency
    );
    let mut resp = client.send(Method::GET, &path, |r| r)?;
    if let Some(rev) = resp.headers().get("concord-revision").and_then(|v| v.to_str().ok()) {
        eprintln!("exporting revision {rev}");
    }
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = resp
            .read(&mut buf)
            .map_err(|e| CliError::other(format!("reading the export: {e}")))?;
        if n == 0 {
            return Ok(());
        }
        output::write_stdout(&buf[..n])?;
    }
}
