//! `--join`: a node with an empty data directory asks a member to add it.
//! The member forwards the request to the leader, which reserves the id
//! (never reused), adds the node as a learner, and promotes it to voter once
//! it has caught up (see `maintainer.rs`).

use std::time::{Duration, Instant};

use concord_core::{NodeId, NodeInfo};
use serde_json::json;

use crate::error::MEMBERSHIP_BUSY;
use crate::NodeError;

/// How long a joining node keeps trying to reach a member.
const JOIN_DEADLINE: Duration = Duration::from_secs(60);

/// Asks the members at `urls` to add this node, retrying until one accepts
/// or one refuses for a reason an operator must act on. A join is
/// idempotent for a learner (the same peer URL gets the same id back), so a
/// retry after a timeout or a crash finishes the join it started.
/// `request_timeout` is the cluster's per-step bound: adding a member takes
/// two Raft writes, each of which may wait that long, and a retried change.
pub(crate) async fn join(
    http: &reqwest::Client,
    urls: &[String],
    id: Option<NodeId>,
    me: &NodeInfo,
    request_timeout: Duration,
) -> Result<(NodeId, String), NodeError> {
    if urls.is_empty() {
        return Err(NodeError::Usage("--join needs at least one member URL".into()));
    }
    let body = json!({ "id": id, "client_url": me.client_url, "peer_url": me.peer_url });
    let deadline = Instant::now() + JOIN_DEADLINE;
    let mut last = String::new();
    loop {
        for url in urls {
            let url = format!("{}/v1/cluster/members", url.trim_end_matches('/'));
            let resp = http
                .post(&url)
                .timeout(request_timeout.saturating_mul(3).saturating_add(Duration::from_secs(5)))
                .json(&body)
                .send()
                .await;
            match resp {
                Ok(resp) if resp.status().is_success() => {
                    let v: serde_json::Value = resp.json().await.map_err(|e| NodeError::Join(e.to_string()))?;
                    let id = v["id"]
                        .as_u64()
                        .ok_or_else(|| NodeError::Join(format!("{url} answered without an id: {v}")))?;
                    let cluster = v["cluster_id"]
                        .as_str()
                        .ok_or_else(|| NodeError::Join(format!("{url} answered without a cluster id: {v}")))?;
                    tracing::info!(id, cluster, via = %url, "joined the cluster as a learner");
                    return Ok((id, cluster.to_string()));
                }
                Ok(resp) => {
                    let status = resp.status();
                    let text = resp.text().await.unwrap_or_default();
                    // Conflicts and bad requests will not get better by
                    // retrying (an operator must act); a membership change in
                    // progress, a leader election or a timeout will.
                    if status.is_client_error() && !text.contains(MEMBERSHIP_BUSY) {
                        let message = serde_json::from_str::<serde_json::Value>(&text)
                            .ok()
                            .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
                            .unwrap_or(text);
                        return Err(NodeError::Refused(format!(
                            "{url} refused the join (HTTP {status}): {message}"
                        )));
                    }
                    last = format!("{url}: HTTP {status}: {text}");
                }
                Err(e) => last = format!("{url}: {e}"),
            }
        }
        if Instant::now() > deadline {
            return Err(NodeError::Join(format!("no member accepted the join: {last}")));
        }
        tracing::warn!(error = %last, "join attempt failed; retrying");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
