//! The cluster endpoints' types: members, status, adding and removing
//! members, and leadership transfer.

use serde::{Deserialize, Serialize};

use crate::NodeId;

/// A member's role as the answering node sees it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Leader,
    Follower,
    #[default]
    Learner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Leader => "leader",
            Role::Follower => "follower",
            Role::Learner => "learner",
        }
    }
}

/// One entry of `GET /v1/cluster/members`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Member {
    pub client_url: String,
    pub id: NodeId,
    pub peer_url: String,
    pub role: Role,
}

/// The cluster's health as `GET /v1/cluster/status` judges it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// A leader, every member reachable and caught up.
    Healthy,
    /// A quorum, but a member is unreachable or lagging.
    Degraded,
    /// No leader or no reachable quorum.
    #[default]
    Unavailable,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Healthy => "healthy",
            Verdict::Degraded => "degraded",
            Verdict::Unavailable => "unavailable",
        }
    }
}

/// One member in `GET /v1/cluster/status`; the `Option`s are `null` when
/// the member did not answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MemberStatus {
    pub applied_index: Option<u64>,
    pub client_url: String,
    pub commit_index: Option<u64>,
    pub id: NodeId,
    /// How far its applied index is behind the leader's commit index.
    pub lag: Option<u64>,
    pub peer_url: String,
    pub reachable: bool,
    pub role: Role,
    /// Its Raft state: `leader`, `follower`, `learner`, `candidate`, `shutdown`.
    pub state: Option<String>,
    pub term: Option<u64>,
    pub voter: bool,
}

/// The answer to `GET /v1/cluster/status`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ClusterStatus {
    /// The node that probed the others.
    pub answered_by: NodeId,
    pub cluster_id: String,
    pub commit_index: u64,
    pub leader_id: Option<NodeId>,
    pub members: Vec<MemberStatus>,
    pub term: u64,
    pub verdict: Verdict,
}

/// The body of `POST /v1/cluster/members`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename = "AddMember")]
pub struct AddMemberRequest {
    /// The id to give it; the next never-used id when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<NodeId>,
    pub client_url: String,
    pub peer_url: String,
}

/// The answer to `POST /v1/cluster/members`: the new learner.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AddMemberResponse {
    /// Auth is on in the cluster: the joining node enforces it from the
    /// start, before it applies the entry that says so.
    pub auth: bool,
    pub client_url: String,
    pub cluster_id: String,
    pub id: NodeId,
    pub peer_url: String,
    pub role: Role,
}

/// The answer to `DELETE /v1/cluster/members/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RemoveMemberResponse {
    pub removed: NodeId,
}

/// The body of `POST /v1/cluster/transfer-leader` (may be empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename = "TransferLeader")]
pub struct TransferLeaderRequest {
    /// The voter to hand over to; the most caught-up one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NodeId>,
}

/// The answer to `POST /v1/cluster/transfer-leader`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TransferLeaderResponse {
    pub leader_id: NodeId,
}
