//! `concord token revoke`: `DELETE /v1/tokens/{id}`, after a confirmation.

use clap::Args;
use concord_core::api::RevokedToken;
use reqwest::Method;

use crate::client::{encode_query, ApiClient, Payload};
use crate::error::CliError;
use crate::output::{self};

/// Revoke a token (needs an admin token). Every member refuses it as soon
/// as it applies the revocation. Asks for confirmation on a terminal;
/// needs `--yes` otherwise. An unknown id exits 3.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord token revoke 3f9c0a1b2c3d4e5f
  concord token revoke 3f9c0a1b2c3d4e5f --yes     # in scripts")]
pub struct TokenRevokeArgs {
    /// The token's id (from `concord token list`), never its secret.
    #[arg(add = clap_complete::ArgValueCompleter::new(crate::complete::token_ids))]
    pub id: String,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

pub fn run(client: &ApiClient, args: TokenRevokeArgs) -> Result<(), CliError> {
    if !concord_core::auth::looks_like_id(&args.id) {
        return Err(CliError::usage(
            "that is not a token id (`root` or 16 hex digits, as `concord token list` shows); \
             is it a token's secret?",
        ));
    }
    crate::commands::confirm(args.yes, &format!("Revoke token {}?", args.id))?;
    let path = format!("/v1/tokens/{}", encode_query(&args.id));
    let answer: RevokedToken = client.send(Method::DELETE, &path, &Payload::Empty)?.json()?;
    match client.output() {
        f if f.is_data() => output::data(f, &answer),
        _ => output::line(&format!("revoked token {}", answer.id)),
    }
}
