//! The public HTTP/JSON API's types, shared by the node (which serves them)
//! and the CLI (which reads them): request and response bodies, query
//! parameters, header names and the one error body with its [`Code`]s.
//!
//! Field order is part of the contract: every struct declares its fields in
//! alphabetical order, the order the node has always written them in, so
//! answers stay byte-for-byte the same. Optional fields a request may leave
//! out are skipped when `None`; optional fields of answers are written as
//! `null`, as before. Answers read missing fields as their defaults, so a
//! client copes with an older or newer node.

mod cluster;
mod error;
mod kv;
mod tokens;
mod watch;

pub use cluster::*;
pub use error::*;
pub use kv::*;
pub use tokens::*;
pub use watch::*;

/// Header names of the API (lower case, as HTTP/1.1 and `http` want them).
pub mod headers {
    /// Names a client write so a retry is applied at most once.
    pub const REQUEST_ID: &str = "concord-request-id";
    /// Set by a follower on a request it relays to the leader: it is never
    /// relayed twice. It grants nothing.
    pub const FORWARDED: &str = "concord-forwarded";
    /// A raw value's `mod_revision`; an export's revision.
    pub const REVISION: &str = "concord-revision";
    /// A raw value's `create_revision`.
    pub const CREATE_REVISION: &str = "concord-create-revision";
    /// A raw value's `version`.
    pub const VERSION: &str = "concord-version";
    /// The cluster secret, on every peer call and join request.
    pub const CLUSTER_SECRET: &str = "concord-cluster-secret";
    /// The cluster secret again, set by a member on a request it relays to
    /// the leader: the leader then leaves failed-authentication counting to
    /// the member, which saw the client's address.
    pub const RELAY_PROOF: &str = "concord-relay-proof";
}

/// The body of `GET /health`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Health {
    /// Always `ok`.
    pub status: String,
    /// The node's version (`concord version` shows it). Empty from nodes
    /// older than 0.2.
    pub version: String,
}

/// One check of `GET /health?verbose=true` or `GET /ready?verbose=true`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProbeCheck {
    /// `recovered`, `auth`, `leader_known` or `caught_up`.
    pub name: String,
    pub ok: bool,
    /// Why it failed, or what it saw.
    pub detail: String,
}

/// The body of `GET /health?verbose=true` and `GET /ready?verbose=true`:
/// the node's view and each check. Not ready is a 503 whose body also holds
/// the usual `error`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProbeReport {
    /// `ok` (health), `ready` or `not_ready`.
    pub status: String,
    pub id: crate::NodeId,
    /// `leader`, `follower`, `candidate`, `learner` or `shutdown`.
    pub role: String,
    pub term: u64,
    pub leader_id: Option<crate::NodeId>,
    pub commit_index: u64,
    pub applied_index: u64,
    pub checks: Vec<ProbeCheck>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<error::ErrorDetail>,
}

/// The body of `GET /ready` when the node is ready.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Ready {
    /// This node's id.
    pub id: crate::NodeId,
    pub leader_id: crate::NodeId,
    /// Always `ready`.
    pub status: String,
}
