//! The peer listener: Raft RPCs from other members, in the tagged postcard
//! encoding of `concord_core::codec` both ways.
//! Only openraft calls these; clients use the client listener.

use std::future::Future;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use axum::Router;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::http::body::{read_limited, BodyError};
use crate::node::Node;
use crate::peer::wire::{
    path, MemberState, PeerInfo, CLUSTER_ID_HEADER, FROM_NODE_HEADER, INFO_PATH, MEMBER_STATE_PATH,
};

/// Largest peer request body (an append of many large entries; snapshots
/// travel in chunks of a few MiB).
const MAX_PEER_BODY: usize = 1 << 30;

pub(crate) fn router(node: Arc<Node>) -> Router {
    Router::new()
        .route(path::APPEND, post(append))
        .route(path::VOTE, post(vote))
        .route(path::PRE_VOTE, post(pre_vote))
        .route(path::SNAPSHOT, post(snapshot))
        .route(path::TRANSFER_LEADER, post(transfer_leader))
        .route(path::ENABLE_AUTH, post(enable_auth))
        .route(INFO_PATH, get(info))
        .route(MEMBER_STATE_PATH, get(member_state))
        .layer(axum::middleware::from_fn_with_state(node.clone(), check_peer))
        .layer(axum::middleware::from_fn_with_state(
            node.clone(),
            crate::http::front::peer_middleware,
        ))
        .with_state(node)
}

/// Decodes a request, runs `f`, and answers with an encoded
/// `Result<Resp, String>`.
///
/// The cluster id has been checked before the body is read (by
/// [`check_peer`], in front of every route); the body must arrive at the pace `read_limited` asks
/// (a stalled sender is cut off, a large snapshot at 1 MiB/s or more is
/// not).
async fn handle<Req, Resp, E, Fut>(node: Arc<Node>, body: Body, f: impl FnOnce(Arc<Node>, Req) -> Fut) -> Response
where
    Req: DeserializeOwned,
    Resp: Serialize,
    E: std::fmt::Display,
    Fut: Future<Output = Result<Resp, E>>,
{
    let body = match read_limited(body, MAX_PEER_BODY, node.config.client_read_timeout, None).await {
        Ok(b) => b.bytes,
        Err(BodyError::TooLarge) => return (StatusCode::PAYLOAD_TOO_LARGE, "peer request too large").into_response(),
        Err(BodyError::Stalled) => return (StatusCode::REQUEST_TIMEOUT, "peer request body stalled").into_response(),
        Err(BodyError::Overloaded | BodyError::Broken(_)) => {
            return (StatusCode::BAD_REQUEST, "could not read the peer request body").into_response()
        }
    };
    let req = match concord_core::codec::decode::<Req>(&body) {
        Ok(req) => req,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("bad peer request: {e}")).into_response(),
    };
    let res = f(node, req).await.map_err(|e| e.to_string());
    match concord_core::codec::encode(&res) {
        Ok(bytes) => bytes.into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn append(State(node): State<Arc<Node>>, body: Body) -> Response {
    handle(
        node,
        body,
        |node, req| async move { node.raft.append_entries(req).await },
    )
    .await
}

async fn vote(State(node): State<Arc<Node>>, body: Body) -> Response {
    handle(node, body, |node, req| async move { node.raft.vote(req).await }).await
}

async fn pre_vote(State(node): State<Arc<Node>>, body: Body) -> Response {
    handle(node, body, |node, req| async move { node.raft.pre_vote(req).await }).await
}

async fn transfer_leader(State(node): State<Arc<Node>>, body: Body) -> Response {
    handle(node, body, |node, req| async move {
        node.raft.handle_transfer_leader(req).await
    })
    .await
}

/// `POST /raft/enable-auth`: only on a node with a cluster secret (which
/// `check_peer` has checked), so an open peer port cannot turn auth on with
/// someone else's root token.
async fn enable_auth(State(node): State<Arc<Node>>, body: Body) -> Response {
    if node.config.cluster_secret.is_none() {
        return (
            StatusCode::FORBIDDEN,
            "this node has no cluster secret: auth cannot be turned on through it",
        )
            .into_response();
    }
    handle(
        node,
        body,
        |node, root: Option<concord_core::auth::TokenRecord>| async move {
            crate::http::auth::enable(&node, root).await.map_err(|e| e.message)
        },
    )
    .await
}

async fn snapshot(State(node): State<Arc<Node>>, body: Body) -> Response {
    handle(node, body, crate::peer::snapshot::receive).await
}

/// Middleware in front of every peer route, before any handler reads a
/// body: the cluster secret (when one is set; 401 without it, 403 when
/// wrong), then the cluster id check (required but on the read-only
/// `/raft/info`).
pub(crate) async fn check_peer(
    State(node): State<Arc<Node>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if let Err(refused) = check_peer_name(&node, &req) {
        return refused;
    }
    if let Err(refused) = crate::http::auth::check_cluster_secret(node.config.cluster_secret.as_ref(), req.headers()) {
        tracing::warn!(from = ?req.headers().get(FROM_NODE_HEADER), "refusing a peer request without the cluster secret");
        return refused.into_response();
    }
    let required = req.uri().path() != INFO_PATH;
    if let Err(refused) = check_cluster_id(&node.cluster_id, req.headers(), required) {
        return refused;
    }
    next.run(req).await
}

/// With mutual TLS, the client certificate (which chains to the peer CA)
/// must also name the host of a member's peer URL: another certificate of
/// the same CA is not a member's (403). A node that knows no member yet
/// (a joiner before its first entries) relies on the chain and the secret.
#[allow(clippy::result_large_err)]
fn check_peer_name(node: &Node, req: &axum::extract::Request) -> Result<(), Response> {
    if !node.config.tls.peer() {
        return Ok(());
    }
    let refuse = |why: &str| (StatusCode::FORBIDDEN, why.to_string()).into_response();
    let Some(cert) = req.extensions().get::<crate::serve::PeerCert>() else {
        return Err(refuse("peer calls need a client certificate"));
    };
    let (_, members) = node.members();
    let hosts: Vec<String> = members
        .values()
        .filter_map(|m| reqwest::Url::parse(&m.peer_url).ok())
        .filter_map(|u| u.host_str().map(|h| h.trim_matches(['[', ']']).to_string()))
        .collect();
    if hosts.is_empty() {
        return Ok(());
    }
    let Ok(end_entity) = webpki::EndEntityCert::try_from(cert.0.as_ref()) else {
        return Err(refuse("the client certificate does not parse"));
    };
    let named = hosts.iter().any(|h| {
        rustls::pki_types::ServerName::try_from(h.as_str())
            .is_ok_and(|name| end_entity.verify_is_valid_for_subject_name(&name).is_ok())
    });
    if named {
        Ok(())
    } else {
        tracing::warn!(from = ?req.headers().get(FROM_NODE_HEADER), "refusing a peer certificate that names no member's host");
        Err(refuse("the client certificate names no member's peer host"))
    }
}

/// Refuses a peer request from another cluster (409), or one that does not
/// say its cluster when `required` (403): every Raft RPC and the bootstrap
/// check must name it. Only the read-only `/raft/info` may omit it.
#[allow(clippy::result_large_err)]
fn check_cluster_id(ours: &str, headers: &HeaderMap, required: bool) -> Result<(), Response> {
    let theirs = headers.get(CLUSTER_ID_HEADER).and_then(|v| v.to_str().ok());
    let from = headers.get(FROM_NODE_HEADER).and_then(|v| v.to_str().ok());
    match theirs {
        Some(theirs) if theirs == ours => Ok(()),
        Some(theirs) => {
            tracing::warn!(theirs, ours, from, "refusing a Raft RPC from another cluster");
            Err((
                StatusCode::CONFLICT,
                format!("cluster id mismatch: this node belongs to cluster {ours}, the sender to {theirs}"),
            )
                .into_response())
        }
        None if !required => Ok(()),
        None => {
            tracing::warn!(from, "refusing a peer request without a cluster id");
            Err((
                StatusCode::FORBIDDEN,
                format!("peer requests must carry the {CLUSTER_ID_HEADER} header"),
            )
                .into_response())
        }
    }
}

async fn info(State(node): State<Arc<Node>>) -> Response {
    Json(node.self_info()).into_response()
}

/// The peer listener of a node that has not initialised yet (an empty data
/// directory under `--initial-cluster`, asking its peers before it does):
/// it answers the bootstrap check with "not initialised" and nothing else.
pub(crate) fn pre_bootstrap_router(
    cluster_id: Arc<str>,
    me: u64,
    secret: Option<concord_core::auth::Secret>,
) -> Router {
    let answer = move |headers: HeaderMap, axum::extract::Path(id): axum::extract::Path<u64>| {
        let (cluster_id, secret) = (cluster_id.clone(), secret.clone());
        async move {
            if let Err(refused) = crate::http::auth::check_cluster_secret(secret.as_ref(), &headers) {
                return refused.into_response();
            }
            if let Err(refused) = check_cluster_id(&cluster_id, &headers, true) {
                return refused;
            }
            Json(MemberState::uninitialized(id, me)).into_response()
        }
    };
    Router::new()
        .route(MEMBER_STATE_PATH, get(answer))
        .fallback(|| async { (StatusCode::SERVICE_UNAVAILABLE, "this node has not initialised yet").into_response() })
}

/// What this node knows of member `id`: asked by a node with an empty data
/// directory before it initialises under `--initial-cluster`.
async fn member_state(State(node): State<Arc<Node>>, axum::extract::Path(id): axum::extract::Path<u64>) -> Response {
    let m = node.metrics();
    let membership = m.membership_config.membership();
    let member = membership.get_node(&id);
    let used = match node.reader.cluster() {
        Ok(c) => c.used_node_ids.contains(&id),
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let matched_index = m
        .replication
        .as_ref()
        .and_then(|r| r.get(&id).cloned().flatten())
        .map(|l| l.index());
    let voters = membership
        .voter_ids()
        .filter_map(|v| membership.get_node(&v).map(|n| (v, n.peer_url.clone())))
        .collect();
    let leader = m
        .current_leader
        .and_then(|l| membership.get_node(&l).map(|n| (l, n.peer_url.clone())));
    let state = MemberState {
        id,
        answered_by: node.id,
        initialized: true,
        voter: membership.voter_ids().any(|v| v == id),
        published: member.is_some_and(|n| !n.client_url.is_empty()),
        removed: member.is_none() && used,
        matched_index,
        commit_index: m.cluster_committed.or(m.local_committed).map_or(0, |c| c.index()),
        voters,
        leader,
    };
    Json(state).into_response()
}

impl Node {
    /// This node's view of itself, as `/raft/info` reports it.
    pub(crate) fn self_info(&self) -> PeerInfo {
        let m = self.metrics();
        let state = crate::metrics::role_name(m.state);
        PeerInfo {
            id: self.id,
            cluster_id: self.cluster_id.to_string(),
            client_url: self.me.client_url.clone(),
            peer_url: self.me.peer_url.clone(),
            state: state.to_string(),
            term: m.current_term,
            leader_id: m.current_leader,
            last_log_index: m.last_log_index.unwrap_or(0),
            commit_index: m.cluster_committed.or(m.local_committed).map_or(0, |c| c.index()),
            applied_index: m.last_applied.map_or(0, |c| c.index()),
            snapshot_index: m.snapshot.map(|c| c.index()),
            purged_index: m.purged.map(|c| c.index()),
        }
    }
}
