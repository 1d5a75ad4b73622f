//! `concord token create`: `POST /v1/tokens`.

use std::time::Duration;

use clap::Args;
use concord_core::api::{CreateTokenRequest, CreatedToken};
use concord_core::auth::Permission;
use reqwest::Method;

use crate::client::{ApiClient, Payload};
use crate::error::CliError;
use crate::output::{self};

/// Create a token (needs an admin token). Prints the secret once: with
/// `-o json`, `{"id", "token", "permissions", "prefixes", "expires_at",
/// ...}`; as text, the token alone on stdout and what it is on stderr.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord token create --permissions read --prefix app/ --ttl 24h --description ci > app-read.token
  concord token create --permissions read,write -o json | jq -r .token")]
pub struct TokenCreateArgs {
    /// Comma-separated: read, write, admin (admin includes the others).
    #[arg(long, value_delimiter = ',', default_value = "read", value_parser = parse_permission)]
    pub permissions: Vec<Permission>,
    /// Limit the token to keys under this prefix; repeat for more. None:
    /// every key.
    #[arg(long = "prefix", value_name = "PREFIX")]
    pub prefixes: Vec<String>,
    /// Lifetime, like `24h` or `30d`. None: the token never expires.
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub ttl: Option<Duration>,
    /// What the token is for.
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
}

fn parse_permission(text: &str) -> Result<Permission, String> {
    Permission::parse(text.trim()).ok_or_else(|| format!("{text:?} is not one of read, write, admin"))
}

pub fn run(client: &ApiClient, args: TokenCreateArgs) -> Result<(), CliError> {
    let body = CreateTokenRequest {
        description: args.description,
        permissions: args.permissions,
        prefixes: args.prefixes,
        ttl: args.ttl.map(|t| humantime::format_duration(t).to_string()),
    };
    let created: CreatedToken = client
        .send(Method::POST, "/v1/tokens", &Payload::json(&body)?)?
        .json()?;
    match client.output() {
        f if f.is_data() => output::data(f, &created),
        _ => super::print_created(&created),
    }
}
