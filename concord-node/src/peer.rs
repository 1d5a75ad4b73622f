//! The peer listener: Raft RPCs from other members, bincode in and out.
//! Only openraft calls these; clients use the client listener.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use concord_core::types::alias::Snapshot;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::network::{path, SnapshotTransfer};
use crate::Node;

/// Largest peer request body (a snapshot travels in one body).
const MAX_PEER_BODY: usize = 1 << 30;

pub(crate) fn router(node: Arc<Node>) -> Router {
    Router::new()
        .route(path::APPEND, post(append))
        .route(path::VOTE, post(vote))
        .route(path::PRE_VOTE, post(pre_vote))
        .route(path::SNAPSHOT, post(snapshot))
        .route(path::TRANSFER_LEADER, post(transfer_leader))
        .layer(DefaultBodyLimit::max(MAX_PEER_BODY))
        .with_state(node)
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
    bincode::deserialize(body).map_err(|e| (StatusCode::BAD_REQUEST, format!("bad peer request: {e}")).into_response())
}

fn encode<T: Serialize, E: std::fmt::Display>(res: Result<T, E>) -> Response {
    let res = res.map_err(|e| e.to_string());
    match bincode::serialize(&res) {
        Ok(bytes) => bytes.into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn append(State(node): State<Arc<Node>>, body: Bytes) -> Response {
    match decode(&body) {
        Ok(req) => encode(node.raft.append_entries(req).await),
        Err(r) => r,
    }
}

async fn vote(State(node): State<Arc<Node>>, body: Bytes) -> Response {
    match decode(&body) {
        Ok(req) => encode(node.raft.vote(req).await),
        Err(r) => r,
    }
}

async fn pre_vote(State(node): State<Arc<Node>>, body: Bytes) -> Response {
    match decode(&body) {
        Ok(req) => encode(node.raft.pre_vote(req).await),
        Err(r) => r,
    }
}

async fn transfer_leader(State(node): State<Arc<Node>>, body: Bytes) -> Response {
    match decode(&body) {
        Ok(req) => encode(node.raft.handle_transfer_leader(req).await),
        Err(r) => r,
    }
}

async fn snapshot(State(node): State<Arc<Node>>, body: Bytes) -> Response {
    let req: SnapshotTransfer = match decode(&body) {
        Ok(req) => req,
        Err(r) => return r,
    };
    // Validate before openraft sees it: an error inside install is fatal.
    if let Err(e) = concord_core::store::validate_snapshot(&req.data) {
        return (StatusCode::BAD_REQUEST, format!("invalid snapshot payload: {e}")).into_response();
    }
    let snapshot = Snapshot {
        meta: req.meta,
        snapshot: req.data,
    };
    encode(node.raft.install_full_snapshot(req.vote, snapshot).await)
}
