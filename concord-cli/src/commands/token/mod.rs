//! `concord token`: create, list and revoke tokens, and bootstrap the root
//! token, over `/v1/tokens`.

pub mod bootstrap;
pub mod create;
pub mod list;
pub mod revoke;

use clap::Subcommand;

use crate::client::ApiClient;
use crate::error::CliError;

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    Create(create::TokenCreateArgs),
    List(list::TokenListArgs),
    Revoke(revoke::TokenRevokeArgs),
    Bootstrap(bootstrap::TokenBootstrapArgs),
}

pub fn run(client: &ApiClient, cmd: TokenCommand) -> Result<(), CliError> {
    match cmd {
        TokenCommand::Create(args) => create::run(client, args),
        TokenCommand::List(args) => list::run(client, args),
        TokenCommand::Revoke(args) => revoke::run(client, args),
        TokenCommand::Bootstrap(args) => bootstrap::run(client, args),
    }
}

/// A created token as text: the secret alone on stdout (so
/// `concord token create > file` stores just the token), what it is on
/// stderr.
pub(crate) fn print_created(created: &concord_core::api::CreatedToken) -> Result<(), CliError> {
    let (info, secret) = (&created.info, &created.token);
    let perms: Vec<&str> = info.permissions.iter().map(|p| p.as_str()).collect();
    let scope = if info.prefixes.is_empty() {
        "every key".to_string()
    } else {
        info.prefixes.join(", ")
    };
    eprintln!(
        "token {} ({}; {}; expires {}). Store it now: it is not shown again.",
        info.id,
        perms.join(","),
        scope,
        info.expires_at.as_deref().unwrap_or("never")
    );
    crate::output::line(secret)
}
