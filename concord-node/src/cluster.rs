//! Cluster endpoints: status, members, adding and removing members, and
//! leadership transfer. Membership changes run on the leader (followers
//! forward them, see `forward.rs`) one at a time, under
//! `Node::membership_lock`: a second concurrent change gets 409 `conflict`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::Json;
use concord_core::{CommandResponse, NodeId, NodeInfo, Op};
use openraft::ChangeMembers;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::api::read_body;
use crate::error::{ApiError, ALREADY_BOOTSTRAPPED, MEMBERSHIP_BUSY};
use crate::network::{probe, PeerInfo};
use crate::Node;

/// A member further behind the leader's commit index than this is lagging.
const LAG_THRESHOLD: u64 = 1000;
/// How long `cluster status` waits for each member to answer.
const PROBE_TIMEOUT: Duration = Duration::from_millis(700);

#[derive(Debug, Serialize)]
struct Member {
    id: NodeId,
    role: &'static str,
    client_url: String,
    peer_url: String,
}

fn role_of(id: NodeId, leader: Option<NodeId>, voters: &BTreeSet<NodeId>) -> &'static str {
    if Some(id) == leader {
        "leader"
    } else if voters.contains(&id) {
        "follower"
    } else {
        "learner"
    }
}

impl Node {
    /// The members in this node's latest membership config.
    fn members(&self) -> (BTreeSet<NodeId>, BTreeMap<NodeId, NodeInfo>) {
        let m = self.metrics();
        let membership = m.membership_config.membership();
        let voters = membership.voter_ids().collect();
        let nodes = membership.nodes().map(|(id, n)| (*id, n.clone())).collect();
        (voters, nodes)
    }

    fn ensure_leader(&self) -> Result<(), ApiError> {
        match self.leader() {
            Some((id, _)) if id == self.id => Ok(()),
            other => Err(ApiError::not_leader_hint(other)),
        }
    }

    /// Takes the membership lock for an operator's change. A change by
    /// another operator is refused at once (409); the leader's own
    /// housekeeping (promoting a learner, recording client URLs) is short,
    /// so it is waited for instead.
    async fn lock_membership(&self) -> Result<tokio::sync::MutexGuard<'_, ()>, ApiError> {
        let busy = || {
            ApiError::conflict(
                MEMBERSHIP_BUSY,
                "another membership change is in progress; retry when it is done",
            )
        };
        match self.membership_lock.try_lock() {
            Ok(guard) => Ok(guard),
            Err(_) if self.maintainer_busy.load(std::sync::atomic::Ordering::Acquire) => {
                tokio::time::timeout(self.config.request_timeout, self.membership_lock.lock())
                    .await
                    .map_err(|_| busy())
            }
            Err(_) => Err(busy()),
        }
    }

    /// Runs one membership change through openraft. Openraft refuses a change
    /// while the latest membership is not yet committed, which happens just
    /// after an election; since our own changes never overlap (the lock),
    /// that refusal is transient and is retried until the request timeout.
    pub(crate) async fn membership_change<F, Fut>(&self, change: F) -> Result<(), ApiError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<
            Output = Result<
                openraft::raft::ClientWriteResponse<concord_core::TypeConfig>,
                openraft::error::RaftError<
                    concord_core::TypeConfig,
                    openraft::error::ClientWriteError<concord_core::TypeConfig>,
                >,
            >,
        >,
    {
        use openraft::error::{ChangeMembershipError, ClientWriteError, RaftError};
        let deadline = Instant::now() + self.config.request_timeout;
        loop {
            match self.bounded(change()).await? {
                Ok(_) => return Ok(()),
                Err(RaftError::APIError(ClientWriteError::ChangeMembershipError(
                    ChangeMembershipError::InProgress(_),
                ))) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The voter other than this node that has replicated the most.
    fn best_successor(&self) -> Option<NodeId> {
        let m = self.metrics();
        let voters: Vec<NodeId> = m
            .membership_config
            .membership()
            .voter_ids()
            .filter(|v| *v != self.id)
            .collect();
        let matched = |id: &NodeId| {
            m.replication
                .as_ref()
                .and_then(|r| r.get(id).cloned().flatten())
                .map_or(0, |l| l.index())
        };
        voters.into_iter().max_by_key(matched)
    }

    /// Asks `to` to take over and waits until it leads. The request is
    /// repeated every second: a target still catching up ignores it.
    async fn hand_over_leadership(&self, to: NodeId) -> Result<(), ApiError> {
        let deadline = Instant::now() + self.config.request_timeout;
        loop {
            if self.metrics().current_leader == Some(to) {
                return Ok(());
            }
            if self.metrics().current_leader == Some(self.id) {
                self.raft
                    .trigger()
                    .transfer_leader(to)
                    .await
                    .map_err(|e| ApiError::unavailable(format!("raft stopped: {e}")))?;
            }
            let round = Instant::now() + Duration::from_secs(1);
            while Instant::now() < round {
                if self.metrics().current_leader == Some(to) {
                    return Ok(());
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            if Instant::now() > deadline {
                return Err(ApiError::timeout(format!(
                    "node {to} did not take over leadership in time"
                )));
            }
        }
    }
}

pub(crate) async fn members(State(node): State<Arc<Node>>) -> Json<serde_json::Value> {
    let (voters, nodes) = node.members();
    let leader = node.leader().map(|(id, _)| id);
    let list: Vec<Member> = nodes
        .into_iter()
        .map(|(id, n)| Member {
            id,
            role: role_of(id, leader, &voters),
            client_url: n.client_url,
            peer_url: n.peer_url,
        })
        .collect();
    Json(json!(list))
}

pub(crate) async fn status(State(node): State<Arc<Node>>) -> Json<serde_json::Value> {
    let (voters, nodes) = node.members();
    let m = node.metrics();
    let leader = m.current_leader;
    let probes = futures::future::join_all(nodes.iter().map(|(id, n)| {
        let node = node.clone();
        let (id, peer) = (*id, n.peer_url.clone());
        async move {
            if id == node.id {
                Some(node.self_info())
            } else {
                probe(&node.http, &peer, PROBE_TIMEOUT).await
            }
        }
    }))
    .await;
    let infos: BTreeMap<NodeId, Option<PeerInfo>> = nodes.keys().copied().zip(probes).collect();
    let leader_info = leader.and_then(|l| infos.get(&l).cloned().flatten());
    let commit_index = leader_info.as_ref().map_or(
        m.cluster_committed.or(m.local_committed).map_or(0, |c| c.index()),
        |i| i.commit_index,
    );

    let mut degraded = false;
    let mut reachable_voters = 0;
    let mut members = Vec::new();
    for (id, n) in &nodes {
        let info = infos.get(id).cloned().flatten();
        let reachable = info.is_some();
        if reachable && voters.contains(id) {
            reachable_voters += 1;
        }
        let lag = info.as_ref().map(|i| commit_index.saturating_sub(i.applied_index));
        if !reachable || lag.is_some_and(|l| l > LAG_THRESHOLD) {
            degraded = true;
        }
        members.push(json!({
            "id": id,
            "role": role_of(*id, leader, &voters),
            "voter": voters.contains(id),
            "client_url": if n.client_url.is_empty() { info.as_ref().map(|i| i.client_url.clone()).unwrap_or_default() } else { n.client_url.clone() },
            "peer_url": n.peer_url,
            "reachable": reachable,
            "state": info.as_ref().map(|i| i.state.clone()),
            "term": info.as_ref().map(|i| i.term),
            "commit_index": info.as_ref().map(|i| i.commit_index),
            "applied_index": info.as_ref().map(|i| i.applied_index),
            "lag": lag,
        }));
    }
    let quorum = voters.len() / 2 + 1;
    let verdict = if leader_info.is_none() || reachable_voters < quorum {
        "unavailable"
    } else if degraded {
        "degraded"
    } else {
        "healthy"
    };
    let cluster_id = &*node.cluster_id;
    Json(json!({
        "cluster_id": cluster_id,
        "leader_id": leader,
        "term": leader_info.as_ref().map_or(m.current_term, |i| i.term),
        "commit_index": commit_index,
        "verdict": verdict,
        "answered_by": node.id,
        "members": members,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AddMember {
    id: Option<NodeId>,
    client_url: String,
    peer_url: String,
}

fn check_url(what: &str, url: &str) -> Result<String, ApiError> {
    let trimmed = url.trim().trim_end_matches('/');
    let ok = trimmed
        .strip_prefix("http://")
        .is_some_and(|rest| !rest.is_empty() && !rest.contains(' '));
    if ok {
        Ok(trimmed.to_string())
    } else {
        Err(ApiError::bad_request(
            "invalid_argument",
            format!("{what} must be an http:// URL, got {url:?}"),
        ))
    }
}

/// The refusal of a node that lost its data and comes back under an id the
/// cluster knows as a voter (etcd: "member has already been bootstrapped").
pub(crate) fn already_bootstrapped(id: NodeId, why: &str) -> ApiError {
    ApiError::conflict(
        ALREADY_BOOTSTRAPPED,
        format!(
            "member {id} has already been bootstrapped ({why}); a node whose data directory was lost \
             must not come back under its old id. Run `concord cluster remove-node {id}` on the cluster, \
             then start this node with an empty data directory, `--join <member client URL>` and no `--id` \
             (it gets a fresh id)"
        ),
    )
}

pub(crate) async fn add_member(State(node): State<Arc<Node>>, body: Body) -> Result<Json<serde_json::Value>, ApiError> {
    let body = read_body(&node, body, node.config.max_request_size, "request_too_large").await?;
    let req: AddMember = serde_json::from_slice(&body.bytes)
        .map_err(|e| ApiError::bad_request("invalid_argument", format!("bad JSON body: {e}")))?;
    let info = NodeInfo {
        client_url: check_url("client_url", &req.client_url)?,
        peer_url: check_url("peer_url", &req.peer_url)?,
    };
    if let Some(id) = req.id {
        concord_core::limits::validate_node_id(id).map_err(|e| ApiError::bad_request("invalid_argument", e))?;
    }
    node.ensure_leader()?;
    let _guard = node.lock_membership().await?;
    let (voters, nodes) = node.members();
    let answer = |id: NodeId, role: &str| {
        Json(json!({
            "id": id,
            "role": role,
            "client_url": info.client_url,
            "peer_url": info.peer_url,
            "cluster_id": &*node.cluster_id,
        }))
    };
    // The peer URL is a member already: a retry of a join (the joiner timed
    // out, or crashed before recording its id) finishes it, but only for a
    // learner, which never voted nor counted in a quorum. A voter coming
    // back this way lost its data.
    if let Some((&existing, _)) = nodes.iter().find(|(_, n)| n.peer_url == info.peer_url) {
        if voters.contains(&existing) {
            return Err(already_bootstrapped(
                existing,
                &format!("the cluster has {} as voter {existing}", info.peer_url),
            ));
        }
        if req.id.is_some_and(|id| id != existing) {
            return Err(ApiError::conflict(
                "conflict",
                format!("peer URL {} already belongs to node {existing}", info.peer_url),
            ));
        }
        // If the learner had started and then lost its data, its log now
        // goes backwards; the leader must be told that is expected (a learner
        // never voted nor counted in a quorum), or it treats it as a bug.
        match node.raft.trigger().allow_next_revert(&existing, true).await {
            Err(e) => return Err(ApiError::unavailable(format!("raft stopped: {e}"))),
            // No replication progress for it yet: nothing can revert.
            Ok(Err(openraft::error::AllowNextRevertError::NodeNotFound(_))) | Ok(Ok(())) => {}
            Ok(Err(openraft::error::AllowNextRevertError::ForwardToLeader(_))) => {
                return Err(ApiError::not_leader_hint(node.leader()))
            }
        }
        return Ok(answer(existing, "learner"));
    }
    if let Some(id) = req.id {
        if let Some(existing) = nodes.get(&id) {
            if voters.contains(&id) {
                return Err(already_bootstrapped(
                    id,
                    &format!("node id {id} is in use by the voter at {}", existing.peer_url),
                ));
            }
            return Err(ApiError::conflict(
                "conflict",
                format!("node id {id} is in use by {}", existing.peer_url),
            ));
        }
    }
    // Reserve the id through the log. Apply gives a reservation that never
    // became a member back to the same peer URL (the leader changed, or the
    // joiner gave up, between the two steps), so the join finishes instead
    // of leaving the id unusable, and it does so in log order, so a leader
    // that has not applied everything yet cannot hand out a used id.
    let op = Op::ReserveNodeId {
        id: req.id,
        peer_url: info.peer_url.clone(),
    };
    let id = match node.write(op, None).await? {
        CommandResponse::NodeIdReserved { id } => id,
        CommandResponse::NodeIdInUse { id } => {
            return Err(ApiError::conflict(
                "conflict",
                format!("node id {id} was used before; ids are never reused"),
            ))
        }
        CommandResponse::Refused { reason } => return Err(ApiError::bad_request("invalid_argument", reason)),
        other => return Err(ApiError::internal(format!("unexpected answer {other:?}"))),
    };
    node.membership_change(|| node.raft.add_learner(id, info.clone(), false))
        .await?;
    tracing::info!(id, peer = %info.peer_url, "added a learner");
    Ok(answer(id, "learner"))
}

pub(crate) async fn remove_member(
    State(node): State<Arc<Node>>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(raw) = path.map_err(|e| ApiError::bad_request("invalid_argument", e.body_text()))?;
    let id: NodeId = raw
        .parse()
        .map_err(|_| ApiError::bad_request("invalid_argument", format!("{raw:?} is not a node id")))?;
    node.ensure_leader()?;
    let guard = node.lock_membership().await?;
    let (voters, nodes) = node.members();
    if !nodes.contains_key(&id) {
        return Err(ApiError::not_found(format!("node {id} is not a member")));
    }
    if voters.contains(&id) && voters.len() == 1 {
        return Err(ApiError::conflict(
            "last_voter",
            format!("refusing to remove node {id}: it is the last voter"),
        ));
    }
    if id == node.id {
        // Hand leadership over first, then let the new leader remove us.
        let to = node
            .best_successor()
            .ok_or_else(|| ApiError::conflict("last_voter", "no other voter to hand leadership to"))?;
        node.hand_over_leadership(to).await?;
        drop(guard);
        let url = node
            .leader()
            .and_then(|(_, url)| url)
            .ok_or_else(|| ApiError::unavailable("the new leader's client URL is not known yet; retry"))?;
        let path = format!("/v1/cluster/members/{id}");
        return Ok(crate::forward::relay(&node, Method::DELETE, &url, &path, &HeaderMap::new(), Bytes::new()).await?);
    }
    let change = if voters.contains(&id) {
        ChangeMembers::RemoveVoters(BTreeSet::from([id]))
    } else {
        ChangeMembers::RemoveNodes(BTreeSet::from([id]))
    };
    node.membership_change(|| node.raft.change_membership(change.clone(), false))
        .await?;
    tracing::info!(id, "removed a member");
    Ok(Json(json!({ "removed": id })).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TransferLeader {
    to: Option<NodeId>,
}

pub(crate) async fn transfer_leader(
    State(node): State<Arc<Node>>,
    body: Body,
) -> Result<Json<serde_json::Value>, ApiError> {
    let body = read_body(&node, body, node.config.max_request_size, "request_too_large").await?;
    let req: TransferLeader = if body.bytes.iter().all(u8::is_ascii_whitespace) {
        TransferLeader::default()
    } else {
        serde_json::from_slice(&body.bytes)
            .map_err(|e| ApiError::bad_request("invalid_argument", format!("bad JSON body: {e}")))?
    };
    node.ensure_leader()?;
    let _guard = node.lock_membership().await?;
    let (voters, _) = node.members();
    let to = match req.to {
        Some(to) if to == node.id => return Ok(Json(json!({ "leader_id": to }))),
        Some(to) if !voters.contains(&to) => {
            return Err(ApiError::bad_request(
                "invalid_argument",
                format!("node {to} is not a voter"),
            ))
        }
        Some(to) => to,
        None => node
            .best_successor()
            .ok_or_else(|| ApiError::conflict("last_voter", "there is no other voter to hand leadership to"))?,
    };
    node.hand_over_leadership(to).await?;
    Ok(Json(json!({ "leader_id": to })))
}
