//! `concord kv get`: one value, raw or as JSON.

use clap::Args;

use concord_core::api::Item;

use crate::client::{kv_path, ApiClient};
use crate::error::CliError;
use crate::output::{self, ValueOutput};

/// Read a key; a missing key exits 3. Text output is the value's bytes
/// exactly when stdout is not a terminal. On a terminal a newline is added,
/// and a value that is not UTF-8 or holds control characters (other than
/// newline, tab and carriage return) is not printed (exit 1): use `-o raw`
/// to print it anyway, or redirect stdout.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord kv get greeting
  concord kv get blob > blob.bin
  concord kv get blob -o raw | xxd     # the bytes exactly, even on a terminal
  concord kv get greeting --consistency stale
  concord kv get greeting -o json")]
pub struct KvGetArgs {
    /// The key to read.
    #[arg(add = clap_complete::ArgValueCompleter::new(crate::complete::keys))]
    pub key: String,
    /// `linearizable` (default) confirms leadership with a quorum first;
    /// `stale` reads this node's local state, possibly behind.
    #[arg(long, value_parser = ["linearizable", "stale"], default_value = "linearizable")]
    pub consistency: String,
}

pub fn run(client: &ApiClient, args: KvGetArgs) -> Result<(), CliError> {
    let key_path = kv_path(&args.key)?;
    match client.output() {
        format if !format.is_data() => {
            let path = format!("{key_path}?consistency={}", args.consistency);
            let value = client.get(&path)?.bytes()?;
            match output::value_output(format, output::stdout_is_terminal(), &value) {
                ValueOutput::Exact => output::write_stdout(&value),
                ValueOutput::WithNewline => {
                    output::write_stdout(&value)?;
                    output::write_stdout(b"\n")
                }
                ValueOutput::Withheld => Err(CliError::other(format!(
                    "the value is binary or has control characters ({} bytes); it is not printed to a terminal",
                    value.len()
                ))
                .with_hint("use `-o raw` to print it anyway, or redirect stdout to a file")),
            }
        }
        format => {
            let path = format!("{key_path}?consistency={}&format=json", args.consistency);
            let item: Item = client.get(&path)?.json()?;
            output::data(format, &item)
        }
    }
}
