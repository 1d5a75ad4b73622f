//! The [`Node`]: what the HTTP handlers and background tasks share, and its
//! calls into Raft (writes, linearizable reads, membership changes), each
//! bounded by `--request-timeout` and answered as an [`ApiError`].

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use concord_core::api::{Code, Consistency};
use concord_core::{
    Command, CommandResponse, KvReader, NodeId, NodeInfo, Op, Raft, Txn, TxnOp, TxnResponse, TypeConfig,
};
use openraft::async_runtime::WatchReceiver;
use openraft::{RaftMetrics, ReadPolicy};

use crate::config::NodeConfig;
use crate::http::error::ApiError;
use crate::http::forward;

pub(crate) use concord_core::now_ms;

/// What the HTTP handlers and background tasks share.
pub(crate) struct Node {
    pub(crate) id: NodeId,
    pub(crate) me: NodeInfo,
    pub(crate) raft: Raft,
    pub(crate) reader: KvReader,
    pub(crate) config: NodeConfig,
    /// Set once the state machine has applied what was committed at start-up.
    pub(crate) recovered: AtomicBool,
    /// Held for the whole of a membership change: they never overlap.
    pub(crate) membership_lock: tokio::sync::Mutex<()>,
    /// Set while the leader's housekeeping holds `membership_lock`.
    pub(crate) maintainer_busy: AtomicBool,
    /// Client for probing peers (keep-alive pool).
    pub(crate) http: reqwest::Client,
    /// Client for relaying client requests to the leader (see `forward.rs`).
    pub(crate) relay: forward::RelayClient,
    /// Permits for client requests in flight (`--max-concurrent-requests`),
    /// each held until its response has been sent.
    pub(crate) in_flight: Arc<tokio::sync::Semaphore>,
    /// One permit per byte of request bodies being buffered
    /// (`--max-in-flight-bytes`).
    pub(crate) body_bytes: Arc<tokio::sync::Semaphore>,
    /// Exports streaming at once (`--max-concurrent-exports`).
    pub(crate) exports: Arc<tokio::sync::Semaphore>,
    /// Watch streams open at once (`--max-watchers`), each permit held
    /// until its stream ends.
    pub(crate) watchers: Arc<tokio::sync::Semaphore>,
    /// One permit, held while `/v1/debug/digest` scans: one at a time.
    pub(crate) digest_slot: Arc<tokio::sync::Semaphore>,
    /// The host names a request's `Host` may carry, when the client listener
    /// is on loopback (see `front.rs`); `None`: any.
    pub(crate) allowed_hosts: Option<Vec<String>>,
    /// The same for the peer listener.
    pub(crate) allowed_peer_hosts: Option<Vec<String>>,
    /// Fixed when the data directory is first used: random for a single
    /// node, derived from `--initial-cluster`, or the joined cluster's.
    pub(crate) cluster_id: Arc<str>,
    /// The cluster said auth was on when this node joined: it enforces auth
    /// before it has applied that entry itself.
    pub(crate) joined_with_auth: bool,
    /// The cluster secret as a header value (sensitive), built once: the
    /// `Concord-Relay-Proof` of relayed requests.
    pub(crate) secret_header: Option<axum::http::HeaderValue>,
    /// The snapshot stream being received, if any (see `peer/snapshot.rs`).
    pub(crate) snapshot_in: tokio::sync::Mutex<Option<crate::peer::snapshot::Incoming>>,
    /// Snapshot streams this node is sending (see `maintainer::snapshots`).
    pub(crate) snapshot_sends: Arc<crate::peer::snapshot::SnapshotSends>,
    /// The audit log (see `audit.rs`).
    pub(crate) audit: crate::audit::AuditLog,
    /// Failed authentications per remote address (`--max-auth-failures`).
    pub(crate) auth_failures: crate::http::auth::Failures,
    /// Linearizable reads waiting for a leadership confirmation.
    pub(crate) read_gate: crate::read_gate::ReadGate,
    /// The Prometheus metrics (see `metrics.rs`).
    pub(crate) prom: Arc<crate::metrics::Metrics>,
    /// A handle on the Raft log (openraft owns the store), for its size.
    pub(crate) log_store: concord_core::LogStore,
    /// The last free-space reading of the data directory, reused briefly
    /// while it shows plenty of room (see [`Node::check_free_space`]).
    pub(crate) free_space: std::sync::Mutex<Option<(Instant, u64)>>,
}

/// A free-space reading is reused for this long, and only while it shows
/// at least [`FREE_SPACE_MARGIN`] above `--min-free-space`: a write checks
/// the disk itself whenever the disk is anywhere near the limit.
const FREE_SPACE_REUSE: Duration = Duration::from_millis(100);
const FREE_SPACE_MARGIN: u64 = 256 << 20;

impl Node {
    /// A copy of the current Raft metrics (never hold the watch borrow).
    pub(crate) fn metrics(&self) -> RaftMetrics<TypeConfig> {
        self.raft.metrics().borrow_watched().clone()
    }

    /// The leader's id and client URL, when known.
    pub(crate) fn leader(&self) -> Option<(NodeId, Option<String>)> {
        let m = self.metrics();
        let id = m.current_leader?;
        let url = m
            .membership_config
            .membership()
            .get_node(&id)
            .map(|n| n.client_url.clone())
            .filter(|u| !u.is_empty());
        Some((id, url))
    }
}

impl Node {
    /// Proposes `op` through Raft, stamped with this node's clock (a write is
    /// proposed on the leader), and waits until it is committed on a quorum
    /// and applied here.
    pub(crate) async fn write(&self, op: Op, request_id: Option<String>) -> Result<CommandResponse, ApiError> {
        let cmd = Command {
            request_id,
            at_ms: now_ms(),
            dedup: self.config.request_id_limits,
            op,
        };
        let resp = self.bounded(self.raft.client_write(cmd)).await??;
        Ok(resp.data)
    }

    /// Runs a transaction through Raft.
    pub(crate) async fn txn(&self, txn: Txn, request_id: Option<String>) -> Result<TxnResponse, ApiError> {
        let adds_data = txn
            .success
            .iter()
            .chain(&txn.failure)
            .any(|op| matches!(op, TxnOp::Put { .. }));
        if adds_data {
            self.check_free_space()?;
        }
        match self.write(Op::Txn(txn), request_id).await? {
            CommandResponse::Txn(r) => Ok(r),
            CommandResponse::AlreadyApplied { revision, succeeded } => Err({
                let mut e = ApiError::new(
                    Code::AlreadyApplied,
                    format!(
                        "this Concord-Request-Id was already applied at revision {revision} (succeeded: {succeeded}); \
                     its results were too large to keep, so they cannot be returned again"
                    ),
                );
                e.applied = Some((revision, succeeded));
                e
            }),
            CommandResponse::RequestIdReused => Err(ApiError::new(
                Code::RequestIdReused,
                "this Concord-Request-Id was already used for a different operation; nothing was applied \
                 (use a fresh id for each new operation, and the same id only to retry the same one)",
            )),
            CommandResponse::Refused { reason } => Err(ApiError::new(Code::Refused, reason)),
            other => Err(ApiError::internal(format!("unexpected answer {other:?}"))),
        }
    }

    /// Refuses writes that add data while the disk is nearly full.
    fn check_free_space(&self) -> Result<(), ApiError> {
        let min = self.config.min_free_space;
        let reading = *self.free_space.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, free)) = reading {
            if at.elapsed() < FREE_SPACE_REUSE && free >= min.saturating_add(FREE_SPACE_MARGIN) {
                return Ok(());
            }
        }
        let free = fs4::available_space(&self.config.data_dir)
            .map_err(|e| ApiError::internal(format!("checking free space in the data directory: {e}")))?;
        *self.free_space.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), free));
        if free < min {
            return Err(ApiError::new(
                Code::InsufficientStorage,
                format!(
                    "only {free} bytes free in the data directory, below --min-free-space {min}; deletes still work"
                ),
            ));
        }
        Ok(())
    }

    /// What a read at `consistency` must wait for first.
    pub(crate) async fn read_barrier(self: &Arc<Self>, consistency: Consistency) -> Result<(), ApiError> {
        match consistency {
            Consistency::Linearizable => self.linearize().await?,
            Consistency::Stale => {}
        }
        if self.reader.installing() {
            return Err(ApiError::new(
                Code::Unavailable,
                "this node is installing a snapshot from the leader; read from another member or retry",
            ));
        }
        Ok(())
    }

    /// Waits until a read here is linearizable: ReadIndex confirmed by a quorum
    /// and applied locally. Concurrent reads share confirmations (see
    /// [`crate::read_gate`]).
    pub(crate) async fn linearize(self: &Arc<Self>) -> Result<(), ApiError> {
        if crate::faults::broken_linearizable_reads() {
            return Ok(());
        }
        if crate::faults::broken_leader_reads() && self.metrics().state == openraft::ServerState::Leader {
            return Ok(());
        }
        let (answer, start) = self.read_gate.join();
        if start {
            let node = self.clone();
            tokio::spawn(async move {
                let round = || async {
                    let read = node
                        .bounded(node.raft.ensure_linearizable(ReadPolicy::ReadIndex))
                        .await??;
                    tracing::debug!(read_log_id = %read, applied = ?node.metrics().last_applied, "read round confirmed");
                    Ok(())
                };
                node.read_gate.run_rounds(round).await
            });
        }
        match self.bounded(answer).await? {
            Ok(answer) => answer,
            Err(_) => Err(ApiError::unavailable("the read confirmation was dropped; retry")),
        }
    }

    pub(crate) async fn bounded<F: Future>(&self, fut: F) -> Result<F::Output, ApiError> {
        tokio::time::timeout(self.config.request_timeout, fut)
            .await
            .map_err(|_| {
                ApiError::timeout(format!(
                    "no quorum answered within {}ms",
                    self.config.request_timeout.as_millis()
                ))
            })
    }
}

impl Node {
    /// The members in this node's latest membership config.
    pub(crate) fn members(&self) -> (BTreeSet<NodeId>, BTreeMap<NodeId, NodeInfo>) {
        let m = self.metrics();
        let membership = m.membership_config.membership();
        let voters = membership.voter_ids().collect();
        let nodes = membership.nodes().map(|(id, n)| (*id, n.clone())).collect();
        (voters, nodes)
    }

    pub(crate) fn ensure_leader(&self) -> Result<(), ApiError> {
        match self.leader() {
            Some((id, _)) if id == self.id => Ok(()),
            other => Err(ApiError::not_leader_hint(other)),
        }
    }

    /// Takes the membership lock for an operator's change. A change by
    /// another operator is refused at once (409); the leader's own
    /// housekeeping (promoting a learner, recording client URLs) is short,
    /// so it is waited for instead.
    pub(crate) async fn lock_membership(&self) -> Result<tokio::sync::MutexGuard<'_, ()>, ApiError> {
        let busy = || {
            ApiError::new(
                Code::MembershipChangeInProgress,
                "another membership change is in progress; retry when it is done",
            )
        };
        match self.membership_lock.try_lock() {
            Ok(guard) => Ok(guard),
            Err(_) if self.maintainer_busy.load(std::sync::atomic::Ordering::Acquire) => {
                tokio::time::timeout(self.config.request_timeout, self.membership_lock.lock())
                    .await
                    .map_err(|_| busy())
            }
            Err(_) => Err(busy()),
        }
    }

    /// Runs one membership change through openraft. Openraft refuses a change
    /// while the latest membership is not yet committed, which happens just
    /// after an election; since our own changes never overlap (the lock),
    /// that refusal is transient and is retried until the request timeout.
    pub(crate) async fn membership_change<F, Fut>(&self, change: F) -> Result<(), ApiError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<
            Output = Result<
                openraft::raft::ClientWriteResponse<concord_core::TypeConfig>,
                openraft::error::RaftError<
                    concord_core::TypeConfig,
                    openraft::error::ClientWriteError<concord_core::TypeConfig>,
                >,
            >,
        >,
    {
        use openraft::error::{ChangeMembershipError, ClientWriteError, RaftError};
        let deadline = Instant::now() + self.config.request_timeout;
        loop {
            match self.bounded(change()).await? {
                Ok(_) => return Ok(()),
                Err(RaftError::APIError(ClientWriteError::ChangeMembershipError(
                    ChangeMembershipError::InProgress(_),
                ))) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The voter other than this node that has replicated the most.
    pub(crate) fn best_successor(&self) -> Option<NodeId> {
        let m = self.metrics();
        let voters: Vec<NodeId> = m
            .membership_config
            .membership()
            .voter_ids()
            .filter(|v| *v != self.id)
            .collect();
        let matched = |id: &NodeId| {
            m.replication
                .as_ref()
                .and_then(|r| r.get(id).cloned().flatten())
                .map_or(0, |l| l.index())
        };
        voters.into_iter().max_by_key(matched)
    }

    /// Asks `to` to take over and waits until it leads. The request is
    /// repeated every second: a target still catching up ignores it.
    pub(crate) async fn hand_over_leadership(&self, to: NodeId) -> Result<(), ApiError> {
        let deadline = Instant::now() + self.config.request_timeout;
        loop {
            if self.metrics().current_leader == Some(to) {
                return Ok(());
            }
            if self.metrics().current_leader == Some(self.id) {
                self.raft
                    .trigger()
                    .transfer_leader(to)
                    .await
                    .map_err(|e| ApiError::unavailable(format!("raft stopped: {e}")))?;
            }
            let round = Instant::now() + Duration::from_secs(1);
            while Instant::now() < round {
                if self.metrics().current_leader == Some(to) {
                    return Ok(());
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            if Instant::now() > deadline {
                return Err(ApiError::timeout(format!(
                    "node {to} did not take over leadership in time"
                )));
            }
        }
    }
}
