//! Background duties of the leader, checked a few times a second on every
//! node and acted on only by the leader:
//! - delete expired keys (TTL) through Raft;
//! - promote learners to voters once they have caught up;
//! - learn the client URL of members that joined through
//!   `--initial-cluster` (which names only peer URLs).
//!
//! Every membership change here takes `Node::membership_lock` without
//! waiting, so it never overlaps an operator's change.
//!
//! Snapshots are scheduled here on every node ([`snapshots`]), not by
//! openraft's policy.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use concord_core::{NodeInfo, Op};
use openraft::ChangeMembers;

use crate::node::Node;
use crate::peer::client::probe;

const PERIOD: Duration = Duration::from_millis(300);
/// A learner this close to the leader's last log index counts as caught up.
const CAUGHT_UP: u64 = 64;
/// Most expired keys deleted by one sweep entry.
const SWEEP_BATCH: usize = 1000;
/// Log entries kept below a snapshot (as etcd's catch-up entries): a
/// member that lags by fewer catches up from the log, without a snapshot.
pub(crate) const LOG_KEPT_AFTER_SNAPSHOT: u64 = 5000;
/// After a snapshot stream to a member ends, how long this node still
/// builds none: the member catches up from the log after its install.
const AFTER_SEND: Duration = Duration::from_secs(30);
/// The longest snapshots are held back without a break, in time and in
/// entries (a member whose transfers keep failing must not let the log grow
/// without bound).
const MAX_HOLD: Duration = Duration::from_secs(300);
const MAX_HOLD_ENTRIES: u64 = 100_000;

/// Builds a snapshot (and so lets openraft purge the log below it) every
/// `--snapshot-logs` applied entries, but not while this node is streaming
/// a snapshot to a member, or shortly after: a purge then would remove the
/// log that member needs after its install, and it would need another
/// snapshot, and another, never catching up while writes go on (seen with
/// 100 MB and `--snapshot-logs 200`: 75 snapshots in 8 minutes). A
/// transfer counts from its first acknowledged chunk (a member that is down
/// holds nothing back), and a hold lasts at most `MAX_HOLD` and 10 times
/// `--snapshot-logs` or `MAX_HOLD_ENTRIES` entries, whichever is more.
pub(crate) async fn snapshots(node: Arc<Node>) {
    let every = node.config.snapshot_logs.max(1);
    let mut holding_since: Option<std::time::Instant> = None;
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let m = node.metrics();
        let applied = m.last_applied.map_or(0, |l| l.index());
        let snapshot = m.snapshot.map_or(0, |l| l.index());
        let since = applied.saturating_sub(snapshot);
        if since < every || !node.snapshot_sends.busy(AFTER_SEND) {
            holding_since = None;
        }
        if since < every {
            continue;
        }
        if node.snapshot_sends.busy(AFTER_SEND) {
            let since_hold = *holding_since.get_or_insert_with(std::time::Instant::now);
            if since_hold.elapsed() < MAX_HOLD && since < every.saturating_mul(10).max(MAX_HOLD_ENTRIES) {
                tracing::debug!(since, "holding the next snapshot while a member catches up from one");
                continue;
            }
            tracing::warn!(
                since,
                "snapshots held back for {MAX_HOLD:?} for a member's transfer; building one"
            );
        }
        holding_since = None;
        let started = std::time::Instant::now();
        if let Err(e) = node.raft.trigger().snapshot().await {
            tracing::warn!(error = %e, "could not trigger a snapshot");
        }
        // openraft builds it in the background; wait for it before asking
        // again.
        let built = node
            .raft
            .wait(Some(Duration::from_secs(60)))
            .metrics(
                move |m| m.snapshot.is_some_and(|l| l.index() >= applied),
                "snapshot built",
            )
            .await;
        if let Ok(m) = built {
            let took = started.elapsed();
            node.prom.snapshot_duration.observe(took.as_secs_f64());
            let index = m.snapshot.map_or(0, |l| l.index());
            tracing::info!(index, took_ms = took.as_millis() as u64, "snapshot built");
        }
    }
}

pub(crate) async fn run(node: Arc<Node>) {
    loop {
        tokio::time::sleep(PERIOD).await;
        if node.leader().map(|(id, _)| id) != Some(node.id) {
            // A member started with --auth asks the leader to turn it on.
            if let Err(e) = crate::http::auth::ensure_enabled(&node).await {
                tracing::debug!(error = %e.message, "turning auth on failed; will retry");
            }
            continue;
        }
        if let Err(e) = tick(&node).await {
            tracing::debug!(error = %e.message, "maintenance step failed; will retry");
        }
    }
}

async fn tick(node: &Node) -> Result<(), crate::http::error::ApiError> {
    crate::http::auth::ensure_enabled(node).await?;
    // Expired keys are already invisible to reads; the sweep deletes them
    // through Raft so every replica drops them at the same revision.
    let expired = node
        .reader
        .expired(crate::node::now_ms(), SWEEP_BATCH)
        .map_err(|e| crate::http::error::ApiError::internal(format!("scanning TTLs: {e}")))?;
    if !expired.is_empty() {
        let found = expired.len();
        if let concord_core::CommandResponse::Expired { deleted } =
            node.write(Op::Expire { keys: expired }, None).await?
        {
            tracing::info!(found, deleted, "TTL sweep deleted expired keys");
            node.prom.ttl_expired.inc_by(deleted);
        }
    }

    let m = node.metrics();
    let membership = m.membership_config.membership().clone();
    let last = m.last_log_index.unwrap_or(0);
    let caught_up: BTreeSet<_> = membership
        .learner_ids()
        .filter(|id| {
            let matched = m.replication.as_ref().and_then(|r| r.get(id).cloned().flatten());
            matched.is_some_and(|l| l.index() + CAUGHT_UP >= last)
        })
        .collect();
    if !caught_up.is_empty() {
        let _busy = Housekeeping::start(node);
        if let Ok(_guard) = node.membership_lock.try_lock() {
            // A re-join may have allowed a learner's log to revert once; a
            // voter's log going backwards is a bug, never to be let pass.
            for id in &caught_up {
                let _ = node.raft.trigger().allow_next_revert(id, false).await;
            }
            tracing::info!(ids = ?caught_up, "promoting caught-up learners to voters");
            node.bounded(
                node.raft
                    .change_membership(ChangeMembers::AddVoterIds(caught_up), false),
            )
            .await??;
        }
    }

    let unknown: Vec<(u64, String)> = membership
        .nodes()
        .filter(|(_, n)| n.client_url.is_empty())
        .map(|(id, n)| (*id, n.peer_url.clone()))
        .collect();
    let mut learnt = BTreeMap::new();
    for (id, peer) in unknown {
        if let Some(info) = probe(&node.http, &peer, Duration::from_millis(500)).await {
            if info.id == id && !info.client_url.is_empty() {
                learnt.insert(
                    id,
                    NodeInfo {
                        client_url: info.client_url,
                        peer_url: peer,
                    },
                );
            }
        }
    }
    if !learnt.is_empty() {
        let _busy = Housekeeping::start(node);
        if let Ok(_guard) = node.membership_lock.try_lock() {
            tracing::info!(ids = ?learnt.keys().collect::<Vec<_>>(), "recording members' client URLs");
            node.bounded(node.raft.change_membership(ChangeMembers::SetNodes(learnt), false))
                .await??;
        }
    }
    Ok(())
}

/// Marks the membership lock as held by housekeeping while alive, so that
/// an operator's change waits for it instead of being refused.
struct Housekeeping<'a>(&'a Node);

impl<'a> Housekeeping<'a> {
    fn start(node: &'a Node) -> Self {
        node.maintainer_busy.store(true, std::sync::atomic::Ordering::Release);
        Housekeeping(node)
    }
}

impl Drop for Housekeeping<'_> {
    fn drop(&mut self) {
        self.0
            .maintainer_busy
            .store(false, std::sync::atomic::Ordering::Release);
    }
}
