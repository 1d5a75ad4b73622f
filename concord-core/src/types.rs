//! Types shared by every Concord crate: the openraft type configuration, the
//! commands that travel through the Raft log, and the per-key record kept in
//! the state machine.
//!
//! Everything here is encoded into the Raft log and into snapshots with
//! postcard (`crate::codec`), a positional format: adding a variant at the end
//! of an enum is compatible, reordering or changing fields is a format change
//! and needs a new `FORMAT_VERSION`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::txn::{Txn, TxnResponse};

/// Milliseconds since the Unix epoch on this machine's clock.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// `words` random 64-bit words as hex (16 characters each): request ids,
/// cluster ids. The standard library's per-process random hasher keys,
/// mixed with the clock, a counter and the process id, so two calls never
/// collide in practice (no extra crate for a few ids).
pub fn random_hex(words: usize) -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    (0..words)
        .map(|_| {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u128(nanos);
            h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
            h.write_u32(std::process::id());
            format!("{:016x}", h.finish())
        })
        .collect()
}

/// A node's id. Ids are never reused within a cluster.
pub type NodeId = u64;

/// Where a node can be reached. Stored in the Raft membership.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeInfo {
    /// Base URL of the client API, for example `http://127.0.0.1:7379`.
    pub client_url: String,
    /// Base URL of the peer (Raft) listener, for example `http://127.0.0.1:7380`.
    pub peer_url: String,
}

impl fmt::Display for NodeInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "client={} peer={}", self.client_url, self.peer_url)
    }
}

/// A write, as proposed through Raft and applied by the state machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    /// The client's `Concord-Request-Id`: a retry with the same id gets the
    /// first outcome instead of applying twice.
    pub request_id: Option<String>,
    /// The proposing leader's clock (ms since the Unix epoch): TTLs and
    /// expiry are computed from it, so every replica agrees.
    pub at_ms: u64,
    /// How many request ids, and how many bytes of remembered outcomes, the
    /// state machine keeps (the proposing leader's `--request-id-*`
    /// settings). Carried in the entry so that every replica prunes the
    /// table at the same point.
    pub dedup: DedupLimits,
    pub op: Op,
}

/// Bounds of the request-id table (see [`Command::dedup`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DedupLimits {
    /// Most request ids remembered.
    pub max_entries: u64,
    /// Most bytes of remembered outcomes (encoded ids plus responses).
    pub max_bytes: u64,
}

impl Default for DedupLimits {
    fn default() -> Self {
        DedupLimits {
            max_entries: crate::limits::DEFAULT_REQUEST_ID_ENTRIES,
            max_bytes: crate::limits::DEFAULT_REQUEST_ID_BYTES,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// Every change to the key space.
    Txn(Txn),
    /// Reserves a node id for a joining node: `Some(id)` must never have been
    /// used; `None` allocates the next id never used. Ids are never reused.
    ///
    /// The reservation remembers `peer_url` until the id appears in a
    /// membership, so that a join interrupted between the two steps can be
    /// finished by the same node instead of leaving an id no one can use.
    ReserveNodeId { id: Option<NodeId>, peer_url: String },
    /// Deletes keys whose TTL ran out (proposed by the leader's sweep). Each
    /// key goes only if its `mod_revision` still matches and it has expired
    /// at `at_ms`.
    Expire { keys: Vec<(String, u64)> },
    /// Turns auth on, creates or revokes a token (only digests travel).
    Auth(crate::auth::AuthOp),
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.op, f)
    }
}

/// What applying a [`Command`] produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommandResponse {
    /// Entries that carry no command (blank, membership).
    None,
    Txn(TxnResponse),
    /// The id reserved by `ReserveNodeId`.
    NodeIdReserved {
        id: NodeId,
    },
    /// `ReserveNodeId` named an id that is or was in use.
    NodeIdInUse {
        id: NodeId,
    },
    Expired {
        deleted: u64,
    },
    /// The command was refused when applied (an id out of range, say): it
    /// changed nothing. Apply never fails or panics on what a command says.
    Refused {
        reason: String,
    },
    /// A retry of a request id whose first outcome was too large to keep
    /// (a transaction with large `get` results): it was applied at
    /// `revision` and is not applied again, but its results are gone.
    AlreadyApplied {
        revision: u64,
        succeeded: bool,
    },
    /// The request id was used before for a different operation: nothing
    /// was applied, and the first operation's outcome is not returned.
    RequestIdReused,
    Auth(crate::auth::AuthOutcome),
}

/// A key's value and its revision metadata, as stored in the state machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvRecord {
    pub value: Vec<u8>,
    /// Log index of the write that created the key (since its last deletion).
    pub create_revision: u64,
    /// Log index of the last write to the key.
    pub mod_revision: u64,
    /// Number of writes since creation, starting at 1.
    pub version: u64,
    /// Expiry as milliseconds since the Unix epoch, from the leader's clock
    /// recorded in the log entry. `None`: never expires. Reserved for TTL.
    pub expires_at_ms: Option<u64>,
}

openraft::declare_raft_types!(
    /// Concord's openraft type configuration.
    pub TypeConfig:
        D = Command,
        R = CommandResponse,
        NodeId = NodeId,
        Node = NodeInfo,
);

/// Aliases for openraft's generic types under [`TypeConfig`].
pub mod alias {
    use super::TypeConfig;

    pub type LogId = openraft::alias::LogIdOf<TypeConfig>;
    pub type Vote = openraft::alias::VoteOf<TypeConfig>;
    pub type Entry = openraft::alias::EntryOf<TypeConfig>;
    pub type StoredMembership = openraft::alias::StoredMembershipOf<TypeConfig>;
    pub type SnapshotMeta = openraft::alias::SnapshotMetaOf<TypeConfig>;
    pub type Snapshot = openraft::alias::SnapshotOf<TypeConfig, crate::store::SnapshotData>;
}
