//! A node's settings, resolved by the caller (the CLI merges flags, the TOML
//! file and defaults) before [`crate::run`] is called.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use concord_core::NodeId;

/// How a node with an empty data directory finds its cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bootstrap {
    /// Form a one-member cluster of this node (the default).
    SingleNode,
    /// Ask a member (any of these client URLs) to add this node; it joins as a
    /// learner and is promoted to voter once caught up.
    Join(Vec<String>),
    /// Static bootstrap: every member gets the same id -> peer URL map and the
    /// cluster forms once a quorum is up.
    InitialCluster(BTreeMap<NodeId, String>),
}

/// Everything [`crate::run`] needs besides the listeners.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// `None`: the id recorded in the data directory, else 1 for a single
    /// node, the id assigned by the cluster when joining, or the entry of
    /// `--initial-cluster` whose peer URL is this node's.
    pub id: Option<NodeId>,
    pub data_dir: PathBuf,
    /// Client URL other nodes and clients use to reach this node. Derived
    /// from the client listener's address when `None`.
    pub advertise_client: Option<String>,
    /// Peer URL other nodes use for Raft RPCs. Derived from the peer
    /// listener's address when `None`.
    pub advertise_peer: Option<String>,
    /// Largest value accepted, in bytes.
    pub max_value_size: usize,
    /// Leader heartbeat period.
    pub heartbeat_interval: Duration,
    /// Lower bound of the randomised election timeout; the upper bound is twice
    /// this.
    pub election_timeout: Duration,
    /// How long a client request may wait for Raft (commit or read index)
    /// before the node answers 503 `timeout`.
    pub request_timeout: Duration,
    /// How long a client may take to send request headers or stall while
    /// sending a body, and how long an idle kept-alive connection stays.
    pub client_read_timeout: Duration,
    /// Build a snapshot (and let the log before it be purged) after this many
    /// log entries.
    pub snapshot_logs: u64,
    /// TTL given to keys written without one; `None`: never expire.
    pub default_ttl: Option<Duration>,
    /// Most operations (compares included) in one transaction.
    pub max_txn_ops: usize,
    /// Most operations in one `POST /v1/kv/batch`.
    pub max_batch_ops: usize,
    /// Largest JSON request body (transactions, batches), in bytes.
    pub max_request_size: usize,
    /// Client requests served at once; more are refused at once with 503
    /// `overloaded` instead of queueing without bound.
    pub max_concurrent_requests: usize,
    /// Request-body bytes buffered at once across all requests; a request
    /// that would pass it is refused with 503 `overloaded`.
    pub max_in_flight_bytes: usize,
    /// Exports (`GET /v1/export`) streaming at once; more get 503
    /// `overloaded`.
    pub max_concurrent_exports: usize,
    /// Connections open at once per listener (see `server.rs`).
    pub max_connections: usize,
    /// More host names a request's `Host` header may carry while a listener
    /// is on a loopback or unspecified address (`*`: any). See `front.rs`.
    pub allowed_hosts: Vec<String>,
    /// Writes that add data are refused (507 `insufficient_storage`) while
    /// the data directory's file system has less free space than this, so
    /// the Raft log never runs into a full disk; deletes still pass.
    pub min_free_space: u64,
    /// Bounds of the request-id (deduplication) table; they travel in every
    /// entry this node proposes as leader, so replicas prune alike.
    pub request_id_limits: concord_core::DedupLimits,
    pub bootstrap: Bootstrap,
}

impl NodeConfig {
    /// The defaults of `concord node start` with no flags.
    pub fn new(id: Option<NodeId>, data_dir: PathBuf) -> Self {
        NodeConfig {
            id,
            data_dir,
            advertise_client: None,
            advertise_peer: None,
            max_value_size: concord_core::limits::DEFAULT_MAX_VALUE_BYTES,
            heartbeat_interval: Duration::from_millis(100),
            election_timeout: Duration::from_millis(300),
            request_timeout: Duration::from_secs(10),
            client_read_timeout: Duration::from_secs(30),
            snapshot_logs: 10_000,
            default_ttl: None,
            max_txn_ops: 1024,
            max_batch_ops: 10_000,
            max_request_size: 32 * 1024 * 1024,
            max_concurrent_requests: 4096,
            min_free_space: 64 * 1024 * 1024,
            max_in_flight_bytes: 256 * 1024 * 1024,
            max_concurrent_exports: 16,
            max_connections: 4096,
            allowed_hosts: Vec::new(),
            request_id_limits: concord_core::DedupLimits::default(),
            bootstrap: Bootstrap::SingleNode,
        }
    }

    pub(crate) fn connection_limits(&self) -> crate::serve::Limits {
        crate::serve::Limits {
            idle: self.client_read_timeout,
            max: self.max_connections.max(1),
        }
    }

    pub(crate) fn raft_config(&self) -> Result<openraft::Config, openraft::ConfigError> {
        let ms = |d: Duration| d.as_millis().max(1) as u64;
        openraft::Config {
            cluster_name: "concord".into(),
            heartbeat_interval: ms(self.heartbeat_interval),
            election_timeout_min: ms(self.election_timeout),
            election_timeout_max: ms(self.election_timeout) * 2,
            max_payload_entries: 1024,
            snapshot_policy: openraft::SnapshotPolicy::LogsSinceLast(self.snapshot_logs.max(1)),
            max_in_snapshot_log_to_keep: self.snapshot_logs.clamp(1, 1000),
            ..Default::default()
        }
        .validate()
    }
}
