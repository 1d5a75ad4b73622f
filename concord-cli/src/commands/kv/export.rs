//! `concord kv export`: `GET /v1/export` streamed to stdout as JSON lines.

use clap::Args;

use crate::client::{encode_query, ApiClient};
use crate::error::CliError;
use crate::output::{self, Format};

/// Export keys as JSON lines (`-o yaml`: one YAML document each) `{"key", "value" | "value_base64",
/// "create_revision", "mod_revision", "version", "ttl_remaining", "ttl"?}`,
/// all from one consistent revision (printed on stderr). `kv import` reads
/// them back. `--timeout` bounds the wait for the export to start and any
/// pause in it, not its length: a large export streams as long as it takes.
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
    let mut answer = client.get(&path)?;
    let bar = output::spinner("{spinner} {bytes} exported ({bytes_per_sec})");
    if let Some(rev) = answer.headers().get("concord-revision").and_then(|v| v.to_str().ok()) {
        eprintln!("exporting revision {}", output::escape_control(rev));
    }
    if client.output() != Format::Yaml {
        // JSON lines, passed on as they come.
        while let Some(chunk) = answer.chunk()? {
            if let Some(bar) = &bar {
                bar.inc(chunk.len() as u64);
            }
            output::write_stdout(&chunk)?;
        }
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        return Ok(());
    }
    // `-o yaml`: one YAML document per record.
    let mut pending: Vec<u8> = Vec::new();
    while let Some(chunk) = answer.chunk()? {
        if let Some(bar) = &bar {
            bar.inc(chunk.len() as u64);
        }
        pending.extend_from_slice(&chunk);
        let mut start = 0;
        while let Some(end) = pending[start..].iter().position(|b| *b == b'\n') {
            output::yaml_record(&pending[start..start + end])?;
            start += end + 1;
        }
        pending.drain(..start);
    }
    if !pending.is_empty() {
        output::yaml_record(&pending)?;
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(())
}
