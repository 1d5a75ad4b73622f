use clap::Args;

use super::{cell, rows};
use crate::client::ApiClient;
use crate::error::{CliError, Kind};
use crate::output::{self, Colour, Format};

/// Show the cluster's health: every member's role, term, commit and applied
/// index, lag and reachability, and a verdict: healthy, degraded (a member
/// down or lagging) or unavailable (no quorum). Exits 5 when unavailable.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord cluster status
  concord cluster status -o json | jq .leader_id")]
pub struct ClusterStatusArgs {}

pub fn run(client: &ApiClient, _args: ClusterStatusArgs) -> Result<(), CliError> {
    let status: serde_json::Value = client.get("/v1/cluster/status")?.json()?;
    let verdict = status["verdict"].as_str().unwrap_or("unknown").to_string();
    match client.output() {
        Format::Json => output::json(&status)?,
        Format::Text | Format::Raw => {
            let colour = match verdict.as_str() {
                "healthy" => Colour::Green,
                "degraded" => Colour::Yellow,
                _ => Colour::Red,
            };
            eprintln!(
                "cluster {} is {} (leader {}, term {}, commit index {})",
                cell(&status["cluster_id"]),
                output::coloured(&verdict, colour),
                cell(&status["leader_id"]),
                cell(&status["term"]),
                cell(&status["commit_index"]),
            );
            let rows = rows(&status["members"], |m| {
                vec![
                    cell(&m["id"]),
                    cell(&m["role"]),
                    cell(&m["term"]),
                    cell(&m["commit_index"]),
                    cell(&m["applied_index"]),
                    cell(&m["lag"]),
                    if m["reachable"].as_bool() == Some(true) {
                        "yes".into()
                    } else {
                        "no".into()
                    },
                    cell(&m["client_url"]),
                ]
            });
            output::table(
                &[
                    "ID",
                    "ROLE",
                    "TERM",
                    "COMMIT",
                    "APPLIED",
                    "LAG",
                    "REACHABLE",
                    "CLIENT URL",
                ],
                rows,
            )?;
        }
    }
    if verdict == "unavailable" {
        return Err(CliError::new(
            Kind::Unavailable,
            "the cluster has no quorum or no leader",
        ));
    }
    Ok(())
}
