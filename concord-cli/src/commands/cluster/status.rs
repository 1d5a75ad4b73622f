//! `concord cluster status`: `GET /v1/cluster/status`, the verdict and a row per member.

use clap::Args;

use concord_core::api::{ClusterStatus, Verdict};

use super::{number, text};
use crate::client::ApiClient;
use crate::error::{CliError, Kind};
use crate::output::{self, Colour};

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
    let status: ClusterStatus = client.get("/v1/cluster/status")?.json()?;
    let verdict = status.verdict;
    match client.output() {
        f if f.is_data() => output::data(f, &status)?,
        _ => {
            let colour = match verdict {
                Verdict::Healthy => Colour::Green,
                Verdict::Degraded => Colour::Yellow,
                Verdict::Unavailable => Colour::Red,
            };
            eprintln!(
                "cluster {} is {} (leader {}, term {}, commit index {})",
                text(&status.cluster_id),
                output::coloured_for_stderr(verdict.as_str(), colour),
                number(status.leader_id),
                status.term,
                status.commit_index,
            );
            let rows = status
                .members
                .iter()
                .map(|m| {
                    vec![
                        m.id.to_string(),
                        m.role.as_str().to_string(),
                        number(m.term),
                        number(m.commit_index),
                        number(m.applied_index),
                        number(m.lag),
                        if m.reachable { "yes" } else { "no" }.to_string(),
                        text(&m.client_url),
                    ]
                })
                .collect();
            output::table(
                client.output(),
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
    if verdict == Verdict::Unavailable {
        return Err(CliError::new(
            Kind::Unavailable,
            "the cluster has no quorum or no leader",
        ));
    }
    Ok(())
}
