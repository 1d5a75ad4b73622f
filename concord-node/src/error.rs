//! The one error shape of the HTTP API:
//! `{"error": {"code": "...", "message": "..."}}`, plus `leader_id` and
//! `leader_url` on `not_leader`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use concord_core::{NodeId, TypeConfig};
use openraft::error::{ChangeMembershipError, ClientWriteError, ForwardToLeader, LinearizableReadError, RaftError};
use serde_json::json;

/// The 409 code of a membership change refused because another is running;
/// unlike other conflicts it is worth retrying.
pub const MEMBERSHIP_BUSY: &str = "membership_change_in_progress";

/// The 409 code of a node that lost its data and comes back under an id the
/// cluster knows: it must join again as a new node.
pub const ALREADY_BOOTSTRAPPED: &str = "already_bootstrapped";

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub leader: Option<(NodeId, String)>,
    /// More fields of the error object (for example `current_revision`).
    pub details: serde_json::Map<String, serde_json::Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            leader: None,
            details: serde_json::Map::new(),
        }
    }

    pub fn with_detail(mut self, name: &str, value: serde_json::Value) -> Self {
        self.details.insert(name.to_string(), value);
        self
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    pub fn timeout(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "timeout", message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }

    /// 503 `outcome_unknown`: the write may or may not have been applied
    /// (a retry with the same `Concord-Request-Id` finds out safely).
    pub fn outcome_unknown(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "outcome_unknown", message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// `not_leader`, naming the leader when it is known.
    pub fn not_leader_hint(leader: Option<(NodeId, Option<String>)>) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_leader",
            match &leader {
                Some((id, _)) => format!("this node is not the leader; node {id} is"),
                None => "this node is not the leader and no leader is known yet; retry shortly".into(),
            },
        );
        if let Some((id, Some(url))) = leader.filter(|(_, url)| url.as_ref().is_some_and(|u| !u.is_empty())) {
            e.leader = Some((id, url));
        }
        e
    }

    fn not_leader(f: &ForwardToLeader<TypeConfig>) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_leader",
            match f.leader_id {
                Some(id) => format!("this node is not the leader; node {id} is"),
                None => "this node is not the leader and no leader is known yet; retry shortly".into(),
            },
        );
        // A member bootstrapped by --initial-cluster has no client URL until
        // the leader learns it: never send an empty one.
        if let (Some(id), Some(node)) = (f.leader_id, &f.leader_node) {
            if !node.client_url.is_empty() {
                e.leader = Some((id, node.client_url.clone()));
            }
        }
        e
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some((id, url)) = self.leader {
            error["leader_id"] = json!(id);
            error["leader_url"] = json!(url);
        }
        for (k, v) in self.details {
            error[k] = v;
        }
        (self.status, Json(json!({ "error": error }))).into_response()
    }
}

impl From<RaftError<TypeConfig, ClientWriteError<TypeConfig>>> for ApiError {
    fn from(e: RaftError<TypeConfig, ClientWriteError<TypeConfig>>) -> Self {
        match e {
            RaftError::APIError(ClientWriteError::ForwardToLeader(f)) => ApiError::not_leader(&f),
            RaftError::APIError(ClientWriteError::LogEntryDiscarded(_)) => ApiError::outcome_unknown(
                "leadership changed before the write committed; it may or may not have been applied",
            ),
            RaftError::APIError(ClientWriteError::ChangeMembershipError(ChangeMembershipError::InProgress(p))) => {
                ApiError::conflict(
                    MEMBERSHIP_BUSY,
                    format!("another membership change is in progress: {p}"),
                )
            }
            RaftError::APIError(ClientWriteError::ChangeMembershipError(m)) => {
                ApiError::conflict("conflict", m.to_string())
            }
            RaftError::APIError(other) => ApiError::new(StatusCode::CONFLICT, "conflict", other.to_string()),
            // The entry may already be in the log and be committed later.
            RaftError::Fatal(f) => ApiError::outcome_unknown(format!(
                "raft stopped ({f}); the write may or may not have been applied"
            )),
        }
    }
}

impl From<RaftError<TypeConfig, LinearizableReadError<TypeConfig>>> for ApiError {
    fn from(e: RaftError<TypeConfig, LinearizableReadError<TypeConfig>>) -> Self {
        match e {
            RaftError::APIError(LinearizableReadError::ForwardToLeader(f)) => ApiError::not_leader(&f),
            RaftError::APIError(other) => ApiError::unavailable(other.to_string()),
            RaftError::Fatal(f) => ApiError::unavailable(format!("raft stopped: {f}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use concord_core::NodeInfo;

    use super::*;

    /// Defect: just after an `--initial-cluster` bootstrap the leader's
    /// client URL is not known yet, and `not_leader` carried
    /// `leader_url: ""`, which the CLI took for an endpoint.
    #[test]
    fn not_leader_never_carries_an_empty_leader_url() {
        let unknown = NodeInfo {
            client_url: String::new(),
            peer_url: "http://127.0.0.1:7380".into(),
        };
        let f = ForwardToLeader::<TypeConfig>::new(2, unknown);
        let e = ApiError::not_leader(&f);
        assert!(e.leader.is_none(), "{e:?}");
        let e = ApiError::not_leader_hint(Some((2, Some(String::new()))));
        assert!(e.leader.is_none(), "{e:?}");
        let known = NodeInfo {
            client_url: "http://127.0.0.1:7379".into(),
            peer_url: "http://127.0.0.1:7380".into(),
        };
        let e = ApiError::not_leader(&ForwardToLeader::<TypeConfig>::new(2, known));
        assert_eq!(e.leader, Some((2, "http://127.0.0.1:7379".to_string())));
    }

    #[test]
    fn unknown_outcomes_of_writes_are_outcome_unknown() {
        let fatal: RaftError<TypeConfig, ClientWriteError<TypeConfig>> =
            RaftError::Fatal(openraft::error::Fatal::Stopped);
        let e = ApiError::from(fatal);
        assert_eq!((e.status, e.code), (StatusCode::SERVICE_UNAVAILABLE, "outcome_unknown"));
    }
}
