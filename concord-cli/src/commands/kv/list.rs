use clap::Args;
use reqwest::Method;

use crate::client::{encode_query, ApiClient};
use crate::error::CliError;
use crate::output::{self, Format};

/// List keys in order, following the server's pages. Text output is one
/// `KEY<TAB>VALUE` line per key (binary values as `<N bytes>`), or one key
/// per line with `--keys-only`; `--output json` prints one JSON array of items.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord kv list --prefix app/
  concord kv list --prefix app/ --keys-only
  concord kv list --prefix app/ --limit 10 -o json")]
pub struct KvListArgs {
    /// Only keys starting with this.
    #[arg(long, default_value = "")]
    pub prefix: String,
    /// Start at this key (inclusive).
    #[arg(long, value_name = "KEY")]
    pub start: Option<String>,
    /// Stop before this key (exclusive).
    #[arg(long, value_name = "KEY")]
    pub end: Option<String>,
    /// Print at most N keys.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Print keys only.
    #[arg(long)]
    pub keys_only: bool,
    /// `linearizable` (default) or `stale`.
    #[arg(long, value_parser = ["linearizable", "stale"], default_value = "linearizable")]
    pub consistency: String,
    /// Keys fetched per request.
    #[arg(long, default_value_t = 1000, value_name = "N", hide = true)]
    pub page_size: usize,
}

pub fn run(client: &ApiClient, args: KvListArgs) -> Result<(), CliError> {
    if args.page_size == 0 {
        return Err(CliError::usage("--page-size must be at least 1"));
    }
    let mut items = Vec::new();
    let mut start = args.start.clone();
    loop {
        let want = args
            .limit
            .map_or(args.page_size, |l| (l - items.len()).min(args.page_size));
        if want == 0 {
            break;
        }
        let mut path = format!(
            "/v1/kv?prefix={}&limit={want}&consistency={}",
            encode_query(&args.prefix),
            args.consistency
        );
        if let Some(s) = &start {
            path.push_str(&format!("&start={}", encode_query(s)));
        }
        if let Some(e) = &args.end {
            path.push_str(&format!("&end={}", encode_query(e)));
        }
        if args.keys_only {
            path.push_str("&keys_only=true");
        }
        let page: serde_json::Value = client
            .send(Method::GET, &path, |r| r)?
            .json()
            .map_err(|e| CliError::other(format!("reading the answer: {e}")))?;
        let batch = page["items"].as_array().cloned().unwrap_or_default();
        if args.output_is_text(client) {
            print_text(&batch, args.keys_only)?;
        }
        items.extend(batch);
        match page["next"].as_str() {
            Some(next) if page["more"] == true => start = Some(next.to_string()),
            _ => break,
        }
    }
    if client.output() == Format::Json {
        output::json(&serde_json::Value::Array(items))?;
    }
    Ok(())
}

impl KvListArgs {
    fn output_is_text(&self, client: &ApiClient) -> bool {
        client.output() == Format::Text
    }
}

fn print_text(items: &[serde_json::Value], keys_only: bool) -> Result<(), CliError> {
    let mut out = String::new();
    for item in items {
        let key = item["key"].as_str().unwrap_or_default();
        if keys_only {
            out.push_str(key);
        } else {
            let value = match (&item["value"], &item["value_base64"]) {
                (serde_json::Value::String(v), _) => v.clone(),
                (_, serde_json::Value::String(b)) => format!("<{} bytes>", b.len() * 3 / 4),
                _ => String::new(),
            };
            out.push_str(&format!("{key}\t{value}"));
        }
        out.push('\n');
    }
    output::write_stdout(out.as_bytes())
}
