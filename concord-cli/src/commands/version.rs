//! `concord version`: this binary's version, commit and target, and the
//! version of the node it reaches.

use clap::Args;

use crate::cli::GlobalArgs;
use crate::client::{ApiClient, ClientConfig};
use crate::error::CliError;
use crate::output::{self, Format};

/// Print the CLI's version, the git commit and target it was built from,
/// and the version of the first endpoint that answers (`GET /health`, no
/// token needed). An unreachable cluster is not an error here: the node's
/// version is then left out (`null` in JSON).
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord version
  concord version -o json | jq -r .node_version")]
pub struct VersionArgs {}

/// What `concord version -o json` prints.
#[derive(Debug, serde::Serialize)]
struct Version {
    version: &'static str,
    git_commit: &'static str,
    target: &'static str,
    /// The version a node reported; `null` when none answered.
    node_version: Option<String>,
    /// The endpoint that answered.
    node_endpoint: Option<String>,
}

pub fn run(global: &GlobalArgs, _args: VersionArgs) -> Result<(), CliError> {
    let node = ClientConfig::resolve(global)
        .and_then(ApiClient::new)
        .ok()
        .and_then(|client| node_version(&client));
    let (node_endpoint, node_version) = node.unzip();
    let version = Version {
        version: env!("CARGO_PKG_VERSION"),
        git_commit: env!("CONCORD_GIT_COMMIT"),
        target: env!("CONCORD_BUILD_TARGET"),
        node_version,
        node_endpoint,
    };
    match global.output {
        f if f.is_data() => output::data(f, &version),
        Format::Table => output::table(
            Format::Table,
            &["VERSION", "GIT COMMIT", "TARGET", "NODE VERSION"],
            vec![vec![
                version.version.into(),
                version.git_commit.into(),
                version.target.into(),
                version
                    .node_version
                    .as_deref()
                    .map_or_else(|| "-".into(), output::escape_control),
            ]],
        ),
        _ => {
            output::line(&format!("concord {}", version.version))?;
            output::line(&format!("git commit\t{}", version.git_commit))?;
            output::line(&format!("target\t{}", version.target))?;
            match (&version.node_endpoint, &version.node_version) {
                (Some(at), Some(v)) => output::line(&format!("node\t{} ({at})", output::escape_control(v))),
                _ => output::line("node\tunreachable"),
            }
        }
    }
}

/// The first endpoint's answer to `GET /health`: (endpoint, version).
fn node_version(client: &ApiClient) -> Option<(String, String)> {
    let answer = client.get("/health").ok()?;
    let endpoint = answer.endpoint().to_string();
    let health: concord_core::api::Health = answer.json().ok()?;
    Some((endpoint, health.version))
}
