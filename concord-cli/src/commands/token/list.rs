//! `concord token list`: `GET /v1/tokens`, ids and metadata, never secrets.

use clap::Args;
use concord_core::api::TokenList;

use crate::client::ApiClient;
use crate::commands::cluster::text;
use crate::error::CliError;
use crate::output;

/// List tokens (needs an admin token): id, permissions, prefixes, expiry
/// and description. Secrets are never stored, so never shown.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord token list
  concord token list -o json | jq -r '.tokens[].id'")]
pub struct TokenListArgs {}

pub fn run(client: &ApiClient, _args: TokenListArgs) -> Result<(), CliError> {
    let list: TokenList = client.get("/v1/tokens")?.json()?;
    match client.output() {
        f if f.is_data() => output::data(f, &list),
        _ => {
            let rows = list
                .tokens
                .iter()
                .map(|t| {
                    let perms: Vec<&str> = t.permissions.iter().map(|p| p.as_str()).collect();
                    vec![
                        text(&t.id),
                        perms.join(","),
                        if t.prefixes.is_empty() {
                            "*".into()
                        } else {
                            text(&t.prefixes.join(","))
                        },
                        t.expires_at.as_deref().map_or_else(|| "never".into(), text),
                        text(&t.description),
                    ]
                })
                .collect();
            output::table(
                client.output(),
                &["ID", "PERMISSIONS", "PREFIXES", "EXPIRES", "DESCRIPTION"],
                rows,
            )
        }
    }
}
