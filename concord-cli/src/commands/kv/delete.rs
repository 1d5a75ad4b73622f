//! `concord kv delete`: one key, or every key under `--prefix` after a confirmation.

use clap::Args;
use reqwest::Method;

use concord_core::api::DeleteResponse;

use crate::client::{kv_path, ApiClient, Payload};
use crate::error::CliError;
use crate::output::{self};

/// Delete a key (a missing key exits 3), or with `--prefix` every key under
/// a prefix, atomically (asks for confirmation on a terminal; needs `--yes`
/// otherwise).
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord kv delete greeting
  concord kv delete greeting -o json   # prints {\"deleted\":1,\"revision\":N}
  concord kv delete greeting --if-revision 12
  concord kv delete --prefix cache/ --yes")]
pub struct KvDeleteArgs {
    /// The key to delete.
    #[arg(required_unless_present = "prefix", conflicts_with = "prefix", add = clap_complete::ArgValueCompleter::new(crate::complete::keys))]
    pub key: Option<String>,
    /// Delete every key starting with this prefix instead.
    #[arg(long, value_name = "PREFIX", add = clap_complete::ArgValueCompleter::new(crate::complete::keys))]
    pub prefix: Option<String>,
    /// Delete only if the key's mod revision is N; otherwise exit 6.
    #[arg(long, value_name = "N", conflicts_with = "prefix")]
    pub if_revision: Option<u64>,
    /// Do not ask for confirmation (prefix deletes).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

pub fn run(client: &ApiClient, args: KvDeleteArgs) -> Result<(), CliError> {
    let path = match (&args.key, &args.prefix) {
        (_, Some(prefix)) => {
            let what = if prefix.is_empty() {
                "every key in the cluster".to_string()
            } else {
                format!("every key starting with {prefix:?}")
            };
            crate::commands::confirm(args.yes, &format!("Delete {what}?"))?;
            format!("/v1/kv?prefix={}", crate::client::encode_query(prefix))
        }
        (Some(key), None) => match args.if_revision {
            Some(rev) => format!("{}?if_revision={rev}", kv_path(key)?),
            None => kv_path(key)?,
        },
        (None, None) => return Err(CliError::usage("give a KEY or --prefix")),
    };
    let answer: DeleteResponse = client.send(Method::DELETE, &path, &Payload::Empty)?.json()?;
    match client.output() {
        f if f.is_data() => output::data(f, &answer),
        _ => output::line(&answer.deleted.to_string()),
    }
}
