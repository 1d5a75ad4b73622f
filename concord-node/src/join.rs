//! `--join`: a node with an empty data directory asks a member to add it.
//! The member forwards the request to the leader, which reserves the id
//! (never reused), adds the node as a learner, and promotes it to voter once
//! it has caught up (see `maintainer.rs`).

use std::time::{Duration, Instant};

use concord_core::api::{AddMemberRequest, AddMemberResponse, Code, ErrorBody};
use concord_core::{NodeId, NodeInfo};

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
) -> Result<AddMemberResponse, NodeError> {
    if urls.is_empty() {
        return Err(NodeError::Usage("--join needs at least one member URL".into()));
    }
    let body = AddMemberRequest {
        id,
        client_url: me.client_url.clone(),
        peer_url: me.peer_url.clone(),
    };
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
                    let added: AddMemberResponse = resp
                        .json()
                        .await
                        .map_err(|e| NodeError::Join(format!("{url} answered with an unexpected body: {e}")))?;
                    if added.id == 0 || added.cluster_id.is_empty() {
                        return Err(NodeError::Join(format!(
                            "{url} answered without an id or a cluster id: {added:?}"
                        )));
                    }
                    tracing::info!(id = added.id, cluster = %added.cluster_id, auth = added.auth, via = %url, "joined the cluster as a learner");
                    return Ok(added);
                }
                Ok(resp) => {
                    let status = resp.status();
                    let text = resp.text().await.unwrap_or_default();
                    // Conflicts and bad requests will not get better by
                    // retrying (an operator must act); a membership change in
                    // progress, a leader election or a timeout will.
                    let error = serde_json::from_str::<ErrorBody>(&text).ok().map(|b| b.error);
                    let busy = error
                        .as_ref()
                        .is_some_and(|e| e.code == Code::MembershipChangeInProgress);
                    if status.is_client_error() && !busy {
                        let message = error.map_or(text, |e| e.message);
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
