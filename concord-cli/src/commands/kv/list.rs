//! `concord kv list`: `GET /v1/kv`, page after page.

use clap::Args;

use concord_core::api::{Item, ListResponse};

use crate::client::{encode_query, ApiClient};
use crate::error::CliError;
use crate::output::{self, escape_control, Format};

/// List keys in order, following the server's pages (`--timeout` bounds
/// each page). Text output is one `KEY<TAB>VALUE` line per key (binary
/// values as `<N bytes>`; control characters in keys and values escaped as
/// `\n`, `\t`, `\u{1b}`, and a backslash as `\\`, so one key is always one
/// line), or one key per line with `--keys-only`; `--output json` prints
/// one JSON array of items, unescaped.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord kv list --prefix app/
  concord kv list --prefix app/ --keys-only
  concord kv list --prefix app/ --limit 10 -o json")]
pub struct KvListArgs {
    /// Only keys starting with this.
    #[arg(long, default_value = "", add = clap_complete::ArgValueCompleter::new(crate::complete::keys))]
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
        let want = page_want(args.limit, items.len(), args.page_size);
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
        let page: ListResponse = client.get(&path)?.json()?;
        let mut batch = page.items;
        // A server that sends more than asked for does not get past --limit.
        batch.truncate(want);
        if matches!(client.output(), Format::Plain | Format::Raw) {
            print_text(&batch, args.keys_only)?;
        }
        items.extend(batch);
        match page.next {
            Some(next) if page.more => start = Some(next),
            _ => break,
        }
    }
    match client.output() {
        f if f.is_data() => output::data(f, &items)?,
        Format::Table => print_table(&items, args.keys_only)?,
        _ => {}
    }
    Ok(())
}

/// How many items to ask for next: a page, or what is left of `limit`.
fn page_want(limit: Option<usize>, have: usize, page_size: usize) -> usize {
    limit.map_or(page_size, |l| l.saturating_sub(have).min(page_size))
}

/// One `KEY<TAB>VALUE` (or `KEY`) line per item, control characters escaped.
fn text_lines(items: &[Item], keys_only: bool) -> String {
    let mut out = String::new();
    for item in items {
        let key = escape_control(&item.key);
        if keys_only {
            out.push_str(&key);
        } else {
            out.push_str(&format!("{key}\t{}", shown_value(item)));
        }
        out.push('\n');
    }
    out
}

fn print_text(items: &[Item], keys_only: bool) -> Result<(), CliError> {
    output::write_stdout(text_lines(items, keys_only).as_bytes())
}

/// The items in a table (a terminal): key, value, revisions, version.
fn print_table(items: &[Item], keys_only: bool) -> Result<(), CliError> {
    let rows = items
        .iter()
        .map(|item| {
            let key = escape_control(&item.key);
            if keys_only {
                return vec![key];
            }
            vec![
                key,
                shown_value(item),
                item.mod_revision.to_string(),
                item.version.to_string(),
            ]
        })
        .collect();
    if keys_only {
        output::table(Format::Table, &["KEY"], rows)
    } else {
        output::table(Format::Table, &["KEY", "VALUE", "MOD REVISION", "VERSION"], rows)
    }
}

/// A value as one line of text: control characters escaped, binary as its size.
fn shown_value(item: &Item) -> String {
    match (&item.value, &item.value_base64) {
        (Some(v), _) => escape_control(v),
        (None, Some(b)) => format!("<{} bytes>", b.len() * 3 / 4),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An item as the node sends it, with only a key and a value.
    fn item(key: &str, value: Option<&str>, value_base64: Option<&str>) -> Item {
        Item {
            create_revision: 1,
            key: key.into(),
            mod_revision: 1,
            ttl: None,
            ttl_remaining: None,
            value: value.map(Into::into),
            value_base64: value_base64.map(Into::into),
            version: 1,
        }
    }

    #[test]
    fn each_item_is_exactly_one_line() {
        let items = vec![
            item("plain", Some("v"), None),
            item("evil\nkey", Some("line1\nline2\ttab\r"), None),
            item("esc\u{1b}[31m", Some("\u{1b}]0;title\u{7}"), None),
            item("c1\u{9b}2J", Some("back\\slash"), None),
            item("bin", None, Some("AAEC")),
        ];
        let text = text_lines(&items, false);
        assert_eq!(
            text,
            "plain\tv\n\
             evil\\nkey\tline1\\nline2\\ttab\\r\n\
             esc\\u{1b}[31m\t\\u{1b}]0;title\\u{7}\n\
             c1\\u{9b}2J\tback\\\\slash\n\
             bin\t<3 bytes>\n"
        );
        assert_eq!(text.lines().count(), items.len());
        assert!(!text.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
        let keys = text_lines(&items, true);
        assert_eq!(
            keys.lines().collect::<Vec<_>>(),
            ["plain", "evil\\nkey", "esc\\u{1b}[31m", "c1\\u{9b}2J", "bin"]
        );
    }

    #[test]
    fn a_server_sending_more_than_asked_cannot_underflow_the_limit() {
        assert_eq!(page_want(None, 5000, 1000), 1000);
        assert_eq!(page_want(Some(10), 0, 1000), 10);
        assert_eq!(page_want(Some(2500), 2000, 1000), 500);
        assert_eq!(page_want(Some(2), 2, 1000), 0);
        assert_eq!(page_want(Some(2), 5, 1000), 0);
    }
}
