//! The peer listener's wire format, shared by its client and server: RPC
//! paths, headers, and the bodies that are not openraft's own.

use concord_core::NodeId;

/// Paths of the peer RPCs, shared with the server side in `peer.rs`.
pub(crate) mod path {
    pub const APPEND: &str = "/raft/append";
    pub const VOTE: &str = "/raft/vote";
    pub const PRE_VOTE: &str = "/raft/pre-vote";
    pub const SNAPSHOT: &str = "/raft/snapshot";
    pub const TRANSFER_LEADER: &str = "/raft/transfer-leader";
    /// A member started with `--auth` asks the leader to turn auth on (with
    /// the digest of its `CONCORD_ROOT_TOKEN`, if any).
    pub const ENABLE_AUTH: &str = "/raft/enable-auth";
}

/// Header carrying the sender's cluster id on every peer RPC. A node whose
/// cluster id differs refuses the RPC, so a node that bootstrapped a cluster
/// of its own is never fed another cluster's log.
pub(crate) const CLUSTER_ID_HEADER: &str = "concord-cluster-id";

/// Header carrying the sender's node id on every peer request, for logs and
/// for tools that tell peer links apart (the fault suite's proxies do).
pub(crate) const FROM_NODE_HEADER: &str = "concord-from-node";

/// `GET /raft/info` on the peer listener: what a node says about itself.
/// Used by `cluster status` and by the leader to learn client URLs.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct PeerInfo {
    pub id: NodeId,
    pub cluster_id: String,
    pub client_url: String,
    pub peer_url: String,
    /// `leader`, `follower`, `learner`, `candidate` or `shutdown`.
    pub state: String,
    pub term: u64,
    pub leader_id: Option<NodeId>,
    pub last_log_index: u64,
    pub commit_index: u64,
    pub applied_index: u64,
    /// Last log index covered by this node's latest snapshot.
    pub snapshot_index: Option<u64>,
    /// Last log index purged from this node's log.
    pub purged_index: Option<u64>,
}

pub(crate) const INFO_PATH: &str = "/raft/info";

/// `GET /raft/member-state/{id}` on the peer listener (cluster id header
/// required): what the answering node knows of member `id`.
pub(crate) const MEMBER_STATE_PATH: &str = "/raft/member-state/{id}";

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct MemberState {
    pub id: NodeId,
    pub answered_by: NodeId,
    /// `false` from a node that has not initialised yet (it knows nothing).
    pub initialized: bool,
    /// A voter in the answering node's latest membership.
    pub voter: bool,
    /// The member's client URL is recorded in the membership: it started
    /// and the leader published it through the log (etcd's "published").
    pub published: bool,
    /// The id was used and is no longer a member.
    pub removed: bool,
    /// When the answering node leads: the last log index it knows the member
    /// holds (it acknowledged entries up to there).
    pub matched_index: Option<u64>,
    /// The answering node's commit index: above 0, the cluster has formed.
    pub commit_index: u64,
    /// The voters of the answering node's latest membership, with their
    /// peer URLs (the `--initial-cluster` list may be stale).
    pub voters: Vec<(NodeId, String)>,
    /// The leader the answering node knows, with its peer URL.
    pub leader: Option<(NodeId, String)>,
}

impl MemberState {
    /// The answer of a node that has not initialised yet.
    pub(crate) fn uninitialized(id: NodeId, answered_by: NodeId) -> Self {
        MemberState {
            id,
            answered_by,
            initialized: false,
            voter: false,
            published: false,
            removed: false,
            matched_index: None,
            commit_index: 0,
            voters: Vec::new(),
            leader: None,
        }
    }

    /// Why a node with an empty data directory must not take this id, if
    /// it must not.
    pub(crate) fn refusal(&self) -> Option<String> {
        if self.removed {
            return Some(format!(
                "node {} was removed from the cluster; ids are never reused",
                self.id
            ));
        }
        if self.published {
            return Some(format!("node {} knows it as a started member", self.answered_by));
        }
        // Before this check passes the node runs no Raft, so a leader that
        // has matched its log at all (even index 0) heard from an earlier
        // incarnation.
        if let Some(index) = self.matched_index {
            return Some(format!(
                "leader {} has its acknowledgement of the log up to index {index}",
                self.answered_by
            ));
        }
        None
    }
}
