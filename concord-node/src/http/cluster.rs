//! Cluster endpoints: status, members, adding and removing members, and
//! leadership transfer. Membership changes run on the leader (followers
//! forward them, see `forward.rs`) one at a time, under
//! `Node::membership_lock`: a second concurrent change gets 409 `conflict`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::Json;
use concord_core::api::{
    AddMemberRequest, AddMemberResponse, ClusterStatus, Code, ErrorBody, Member, MemberStatus, RemoveMemberResponse,
    Role, TransferLeaderRequest, TransferLeaderResponse, Verdict,
};
use concord_core::{CommandResponse, NodeId, NodeInfo, Op};
use openraft::ChangeMembers;

use crate::http::auth::{check_cluster_secret, Caller};
use crate::http::body::read_body;
use crate::http::error::ApiError;
use crate::node::Node;
use crate::peer::client::probe;
use crate::peer::wire::PeerInfo;
use concord_core::auth::Need;

/// A member further behind the leader's commit index than this is lagging.
const LAG_THRESHOLD: u64 = 1000;
/// How long `cluster status` waits for each member to answer.
const PROBE_TIMEOUT: Duration = Duration::from_millis(700);

fn role_of(id: NodeId, leader: Option<NodeId>, voters: &BTreeSet<NodeId>) -> Role {
    if Some(id) == leader {
        Role::Leader
    } else if voters.contains(&id) {
        Role::Follower
    } else {
        Role::Learner
    }
}

/// `GET /v1/cluster/members`: this node's view of the membership.
#[utoipa::path(
    get, path = "/v1/cluster/members", tag = "cluster",
    summary = "List the members",
    description = "This node's view. Needs any token.",
    responses((status = 200, description = "The members", body = Vec<Member>), (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`; the code names the cause and fixes the HTTP status (README, \"HTTP API\")", body = ErrorBody))
)]
pub(crate) async fn members(State(node): State<Arc<Node>>, caller: Caller) -> Result<Json<Vec<Member>>, ApiError> {
    caller.require(Need::Token)?;
    let (voters, nodes) = node.members();
    let leader = node.leader().map(|(id, _)| id);
    let list: Vec<Member> = nodes
        .into_iter()
        .map(|(id, n)| Member {
            client_url: n.client_url,
            id,
            peer_url: n.peer_url,
            role: role_of(id, leader, &voters),
        })
        .collect();
    Ok(Json(list))
}

/// `GET /v1/cluster/status`: every member probed, and a verdict.
#[utoipa::path(
    get, path = "/v1/cluster/status", tag = "cluster",
    summary = "The cluster's health",
    description = "Each member probed from this node, with a verdict. Needs any token.",
    responses((status = 200, description = "The status", body = ClusterStatus), (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`; the code names the cause and fixes the HTTP status (README, \"HTTP API\")", body = ErrorBody))
)]
pub(crate) async fn status(State(node): State<Arc<Node>>, caller: Caller) -> Result<Json<ClusterStatus>, ApiError> {
    caller.require(Need::Token)?;
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
        let client_url = if n.client_url.is_empty() {
            info.as_ref().map(|i| i.client_url.clone()).unwrap_or_default()
        } else {
            n.client_url.clone()
        };
        members.push(MemberStatus {
            applied_index: info.as_ref().map(|i| i.applied_index),
            client_url,
            commit_index: info.as_ref().map(|i| i.commit_index),
            id: *id,
            lag,
            peer_url: n.peer_url.clone(),
            reachable,
            role: role_of(*id, leader, &voters),
            state: info.as_ref().map(|i| i.state.clone()),
            term: info.as_ref().map(|i| i.term),
            voter: voters.contains(id),
        });
    }
    let quorum = voters.len() / 2 + 1;
    let verdict = if leader_info.is_none() || reachable_voters < quorum {
        Verdict::Unavailable
    } else if degraded {
        Verdict::Degraded
    } else {
        Verdict::Healthy
    };
    Ok(Json(ClusterStatus {
        answered_by: node.id,
        cluster_id: node.cluster_id.to_string(),
        commit_index,
        leader_id: leader,
        members,
        term: leader_info.as_ref().map_or(m.current_term, |i| i.term),
        verdict,
    }))
}

fn check_url(what: &str, url: &str) -> Result<String, ApiError> {
    concord_core::limits::normalize_http_url(url)
        .map_err(|_| ApiError::invalid(format!("{what} must be an http:// URL, got {url:?}")))
}

/// The refusal of a node that lost its data and comes back under an id the
/// cluster knows as a voter (etcd: "member has already been bootstrapped").
pub(crate) fn already_bootstrapped(id: NodeId, why: &str) -> ApiError {
    ApiError::new(
        Code::AlreadyBootstrapped,
        format!(
            "member {id} has already been bootstrapped ({why}); a node whose data directory was lost \
             must not come back under its old id. Run `concord cluster remove-node {id}` on the cluster, \
             then start this node with an empty data directory, `--join <member client URL>` and no `--id` \
             (it gets a fresh id)"
        ),
    )
}

/// `POST /v1/cluster/members`: adds a learner (the leader promotes it
/// once it has caught up). Needs an admin token, or (a join) the cluster
/// secret when the node has one.
#[utoipa::path(
    post, path = "/v1/cluster/members", tag = "cluster",
    summary = "Add a member",
    description = "Adds a learner, waits until it has caught up, then makes it a voter (unless `learner`). Needs `admin`, or the cluster secret for a joining node.",
    request_body(content = AddMemberRequest, content_type = "application/json"),
    responses((status = 200, description = "Added", body = AddMemberResponse), (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`; the code names the cause and fixes the HTTP status (README, \"HTTP API\")", body = ErrorBody))
)]
pub(crate) async fn add_member(
    State(node): State<Arc<Node>>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<AddMemberResponse>, ApiError> {
    caller.require(Need::Admin)?;
    if !matches!(caller, Caller::Token(_)) {
        check_cluster_secret(node.config.cluster_secret.as_ref(), &headers)?;
    }
    let body = read_body(&node, body, node.config.max_request_size, Code::RequestTooLarge).await?;
    let req: AddMemberRequest =
        serde_json::from_slice(&body.bytes).map_err(|e| ApiError::invalid(format!("bad JSON body: {e}")))?;
    let info = NodeInfo {
        client_url: check_url("client_url", &req.client_url)?,
        peer_url: check_url("peer_url", &req.peer_url)?,
    };
    if let Some(id) = req.id {
        concord_core::limits::validate_node_id(id).map_err(ApiError::invalid)?;
    }
    node.ensure_leader()?;
    let _guard = node.lock_membership().await?;
    let (voters, nodes) = node.members();
    let answer = |id: NodeId| {
        Json(AddMemberResponse {
            auth: node.auth_on().unwrap_or(true),
            client_url: info.client_url.clone(),
            cluster_id: node.cluster_id.to_string(),
            id,
            peer_url: info.peer_url.clone(),
            role: Role::Learner,
        })
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
            return Err(ApiError::new(
                Code::Conflict,
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
        return Ok(answer(existing));
    }
    if let Some(id) = req.id {
        if let Some(existing) = nodes.get(&id) {
            if voters.contains(&id) {
                return Err(already_bootstrapped(
                    id,
                    &format!("node id {id} is in use by the voter at {}", existing.peer_url),
                ));
            }
            return Err(ApiError::new(
                Code::Conflict,
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
            return Err(ApiError::new(
                Code::Conflict,
                format!("node id {id} was used before; ids are never reused"),
            ))
        }
        CommandResponse::Refused { reason } => return Err(ApiError::invalid(reason)),
        other => return Err(ApiError::internal(format!("unexpected answer {other:?}"))),
    };
    node.membership_change(|| node.raft.add_learner(id, info.clone(), false))
        .await?;
    tracing::info!(id, peer = %info.peer_url, "added a learner");
    Ok(answer(id))
}

/// `DELETE /v1/cluster/members/{id}`.
#[utoipa::path(
    delete, path = "/v1/cluster/members/{id}", tag = "cluster",
    summary = "Remove a member",
    description = "Needs `admin`.",
    params(("id" = u64, Path, description = "The member's node id")),
    responses((status = 200, description = "Removed", body = RemoveMemberResponse), (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`; the code names the cause and fixes the HTTP status (README, \"HTTP API\")", body = ErrorBody))
)]
pub(crate) async fn remove_member(
    State(node): State<Arc<Node>>,
    caller: Caller,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    caller.require(Need::Admin)?;
    let Path(raw) = path.map_err(|e| ApiError::invalid(e.body_text()))?;
    let id: NodeId = raw
        .parse()
        .map_err(|_| ApiError::invalid(format!("{raw:?} is not a node id")))?;
    node.ensure_leader()?;
    let guard = node.lock_membership().await?;
    let (voters, nodes) = node.members();
    if !nodes.contains_key(&id) {
        return Err(ApiError::not_found(format!("node {id} is not a member")));
    }
    if voters.contains(&id) && voters.len() == 1 {
        return Err(ApiError::new(
            Code::LastVoter,
            format!("refusing to remove node {id}: it is the last voter"),
        ));
    }
    if id == node.id {
        // Hand leadership over first, then let the new leader remove us.
        let to = node
            .best_successor()
            .ok_or_else(|| ApiError::new(Code::LastVoter, "no other voter to hand leadership to"))?;
        node.hand_over_leadership(to).await?;
        drop(guard);
        let url = node
            .leader()
            .and_then(|(_, url)| url)
            .ok_or_else(|| ApiError::unavailable("the new leader's client URL is not known yet; retry"))?;
        let path = format!("/v1/cluster/members/{id}");
        return Ok(crate::http::forward::relay(&node, Method::DELETE, &url, &path, &headers, Bytes::new()).await?);
    }
    let change = if voters.contains(&id) {
        ChangeMembers::RemoveVoters(BTreeSet::from([id]))
    } else {
        ChangeMembers::RemoveNodes(BTreeSet::from([id]))
    };
    node.membership_change(|| node.raft.change_membership(change.clone(), false))
        .await?;
    tracing::info!(id, "removed a member");
    Ok(Json(RemoveMemberResponse { removed: id }).into_response())
}

/// `POST /v1/cluster/transfer-leader`: hands leadership to `to`, or to
/// the most caught-up voter.
#[utoipa::path(
    post, path = "/v1/cluster/transfer-leader", tag = "cluster",
    summary = "Hand leadership to another voter",
    description = "To `to`, or the most caught-up voter; waits until it leads. The body may be empty. Needs `admin`.",
    request_body(content = TransferLeaderRequest, content_type = "application/json"),
    responses((status = 200, description = "The new leader", body = TransferLeaderResponse), (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`; the code names the cause and fixes the HTTP status (README, \"HTTP API\")", body = ErrorBody))
)]
pub(crate) async fn transfer_leader(
    State(node): State<Arc<Node>>,
    caller: Caller,
    body: Body,
) -> Result<Json<TransferLeaderResponse>, ApiError> {
    caller.require(Need::Admin)?;
    let body = read_body(&node, body, node.config.max_request_size, Code::RequestTooLarge).await?;
    let req: TransferLeaderRequest = if body.bytes.iter().all(u8::is_ascii_whitespace) {
        TransferLeaderRequest::default()
    } else {
        serde_json::from_slice(&body.bytes).map_err(|e| ApiError::invalid(format!("bad JSON body: {e}")))?
    };
    node.ensure_leader()?;
    let _guard = node.lock_membership().await?;
    let (voters, _) = node.members();
    let to = match req.to {
        Some(to) if to == node.id => return Ok(Json(TransferLeaderResponse { leader_id: to })),
        Some(to) if !voters.contains(&to) => return Err(ApiError::invalid(format!("node {to} is not a voter"))),
        Some(to) => to,
        None => node
            .best_successor()
            .ok_or_else(|| ApiError::new(Code::LastVoter, "there is no other voter to hand leadership to"))?,
    };
    node.hand_over_leadership(to).await?;
    Ok(Json(TransferLeaderResponse { leader_id: to }))
}
