//! The one error shape of the HTTP API:
//! `{"error": {"code": "...", "message": "..."}}`, plus `leader_id` and
//! `leader_url` on `not_leader` (the types are `concord_core::api`'s), and
//! the translation of openraft's errors into it.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use concord_core::api::{Code, ErrorBody, ErrorDetail};
use concord_core::{NodeId, TypeConfig};
use openraft::error::{ChangeMembershipError, ClientWriteError, ForwardToLeader, LinearizableReadError, RaftError};

/// An error answer: its [`Code`] decides the status.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: Code,
    pub message: String,
    pub leader: Option<(NodeId, String)>,
    /// `conflict` of a single-key write: the key's revision now.
    pub current_revision: Option<u64>,
    /// `already_applied`: where the first attempt was applied, and whether
    /// its transaction succeeded.
    pub applied: Option<(u64, bool)>,
    /// `compacted`: the oldest revision a watch can start from.
    pub oldest_revision: Option<u64>,
}

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code,
            message: message.into(),
            leader: None,
            current_revision: None,
            applied: None,
            oldest_revision: None,
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Code::NotFound, message)
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(Code::Unavailable, message)
    }

    pub fn timeout(message: impl Into<String>) -> Self {
        Self::new(Code::Timeout, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(Code::Internal, message)
    }

    /// A failed read of the state machine: 503 `unavailable` while a
    /// snapshot install runs (`KvReader` refuses then), else internal.
    pub fn read(context: &str, e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::ResourceBusy => Self::unavailable(e.to_string()),
            _ => Self::internal(format!("{context}: {e}")),
        }
    }

    /// 400 `invalid_argument`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(Code::InvalidArgument, message)
    }

    /// 503 `outcome_unknown`: the write may or may not have been applied
    /// (a retry with the same `Concord-Request-Id` finds out safely).
    pub fn outcome_unknown(message: impl Into<String>) -> Self {
        Self::new(Code::OutcomeUnknown, message)
    }

    /// 503 `overloaded`: retry shortly.
    pub fn overloaded(message: impl Into<String>) -> Self {
        Self::new(Code::Overloaded, message)
    }

    /// `not_leader`, naming the leader when it is known.
    pub fn not_leader_hint(leader: Option<(NodeId, Option<String>)>) -> Self {
        let mut e = Self::new(
            Code::NotLeader,
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
        // A member bootstrapped by --initial-cluster has no client URL until
        // the leader learns it: never send an empty one.
        let url = f.leader_node.as_ref().map(|n| n.client_url.clone());
        Self::not_leader_hint(f.leader_id.map(|id| (id, url)))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = ErrorDetail::new(self.code, self.message);
        if let Some((id, url)) = self.leader {
            error.leader_id = Some(id);
            error.leader_url = Some(url);
        }
        error.current_revision = self.current_revision;
        error.oldest_revision = self.oldest_revision;
        if let Some((revision, succeeded)) = self.applied {
            error.revision = Some(revision);
            error.succeeded = Some(succeeded);
        }
        (self.status, Json(ErrorBody { error })).into_response()
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
                ApiError::new(
                    Code::MembershipChangeInProgress,
                    format!("another membership change is in progress: {p}"),
                )
            }
            RaftError::APIError(ClientWriteError::ChangeMembershipError(m)) => {
                ApiError::new(Code::Conflict, m.to_string())
            }
            RaftError::APIError(other) => ApiError::new(Code::Conflict, other.to_string()),
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
        assert_eq!(
            (e.status, e.code),
            (StatusCode::SERVICE_UNAVAILABLE, Code::OutcomeUnknown)
        );
    }
}
