//! The state machine on fjall, and its snapshots.
//!
//! Rules every change here must keep:
//! - Each entry is one fjall batch: its key changes, the TTL index, the
//!   request-id record, `last_applied`, `last_membership` and the cluster
//!   metadata commit together, so a crash never leaves data and `last_applied`
//!   out of step. The batch is not fsynced: the Raft log is the durable
//!   record, and openraft re-applies committed entries after a crash.
//! - Applying is deterministic: it reads only the committed state and the
//!   entry (its index, the leader's time `at_ms` and the leader's
//!   request-id limits), never this machine's clock or configuration.
//! - Time in apply never runs backwards: an entry's effective time is
//!   `max(at_ms, clock)`, where `clock` is the effective time of the entry
//!   before it; `clock` is stored with `last_applied` and in snapshots.
//!   (Leaders stamp `at_ms` before proposing, so two concurrent writes can
//!   reach the log as 1001 then 999.)
//! - Nothing a command says can make apply fail or panic: an id out of
//!   range or an id space used up is a `CommandResponse::Refused`, and
//!   arithmetic on command values is checked or saturating. An apply error
//!   is a storage error, fatal on purpose.
//! - A snapshot is built from one fjall snapshot (a point-in-time view) of
//!   the state machine; the database is fsynced just before the view is
//!   taken. The snapshot file carries the whole state, so a state machine on
//!   disk that is behind it is repaired from it at start-up (openraft installs
//!   a snapshot newer than `last_applied`).
//! - The snapshot file is written to a temporary name unique in the process,
//!   fsynced, then, under the [`SnapshotFiles`] lock, renamed over the
//!   current one only if it is newer, and the directory fsynced, all before
//!   it is announced. `build_snapshot` runs concurrently with
//!   `install_snapshot`; an older snapshot never replaces a newer one, since
//!   the log purge relies on the newest.
//! - Installing a snapshot replaces the whole key space and `last_applied` in
//!   one batch, fsynced; a snapshot at or below `last_applied` is ignored.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use fjall::{Database, Keyspace, KeyspaceCreateOptions, PersistMode, Readable};
use futures::{Stream, TryStreamExt};
use openraft::storage::{EntryResponder, RaftStateMachine};
use openraft::{EntryPayload, OptionalSend, RaftSnapshotBuilder};
use serde::{Deserialize, Serialize};

use super::codec::{decode, encode, fj};
use super::{is_live, DirLock};
use crate::txn::{KvView, Pending};
use crate::types::alias::{LogId, Snapshot, SnapshotMeta, StoredMembership};
use crate::types::{Command, CommandResponse, KvRecord, NodeId, Op, TypeConfig};

const META_LAST_APPLIED: &str = "last_applied";
const META_MEMBERSHIP: &str = "last_membership";
const META_CLUSTER: &str = "cluster";
const META_CLOCK: &str = "clock_ms";
const SNAPSHOT_FILE: &str = "current.snap";

/// Cluster-wide facts kept in the state machine (and its snapshots).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterMeta {
    /// Every node id ever reserved or seen in a membership: never reused.
    pub used_node_ids: BTreeSet<NodeId>,
    /// Ids reserved for a joining node (its peer URL) that have not been
    /// seen in a membership yet.
    pub reserved: BTreeMap<NodeId, String>,
}

/// The outcome remembered for a request id. A large outcome is kept in
/// short form ([`CommandResponse::AlreadyApplied`]): a retry needs to know
/// that the write happened and where, not every byte a `get` returned.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RequestRecord {
    at_ms: u64,
    response: CommandResponse,
    /// SHA-256 of the operation: the same id with another operation is
    /// `RequestIdReused`, never the first one's outcome.
    op_digest: [u8; 32],
}

/// What a request id is bound to: the operation, encoded.
fn op_digest(op: &Op) -> io::Result<[u8; 32]> {
    use sha2::{Digest, Sha256};
    Ok(Sha256::digest(encode(op)?).into())
}

impl RequestRecord {
    fn new(at_ms: u64, response: &CommandResponse, op_digest: [u8; 32]) -> io::Result<Self> {
        let full = RequestRecord {
            at_ms,
            response: response.clone(),
            op_digest,
        };
        if encode(&full)?.len() <= crate::limits::MAX_REMEMBERED_RESPONSE_BYTES {
            return Ok(full);
        }
        let response = match response {
            CommandResponse::Txn(t) => CommandResponse::AlreadyApplied {
                revision: t.revision,
                succeeded: t.succeeded,
            },
            other => other.clone(),
        };
        Ok(RequestRecord {
            at_ms,
            response,
            op_digest,
        })
    }
}

/// The remembered request ids, oldest first, with the size each takes, so
/// the table can be pruned by age, count and bytes in the same way on
/// every replica.
#[derive(Default)]
struct RecentRequests {
    by_age: BTreeMap<(u64, String), u64>,
    bytes: u64,
}

impl RecentRequests {
    fn insert(&mut self, at_ms: u64, id: String, size: u64) {
        self.bytes = self.bytes.saturating_add(size);
        if let Some(old) = self.by_age.insert((at_ms, id), size) {
            self.bytes = self.bytes.saturating_sub(old);
        }
    }

    /// Removes the oldest ids until the table fits the limits; returns the
    /// ids removed. Age alone never removes an id: the apply clock follows
    /// the leaders' clocks, and one leader whose clock runs ahead would
    /// otherwise make every remembered id look old at once.
    fn prune(&mut self, limits: crate::DedupLimits) -> Vec<String> {
        let mut removed = Vec::new();
        while self.by_age.len() as u64 > limits.max_entries || self.bytes > limits.max_bytes {
            match self.by_age.pop_first() {
                Some(((_, id), size)) => {
                    self.bytes = self.bytes.saturating_sub(size);
                    removed.push(id);
                }
                None => break,
            }
        }
        removed
    }
}

/// What a snapshot carries: every key with its record (expired or not: the
/// sweep deletes through Raft), the remembered request ids, and the cluster
/// metadata.
#[derive(Serialize, Deserialize)]
struct SnapshotPayload {
    cluster: ClusterMeta,
    /// The effective time of the last applied entry (see the module doc).
    clock_ms: u64,
    items: Vec<(String, KvRecord)>,
    requests: Vec<(String, RequestRecord)>,
}

/// A snapshot file on disk: its metadata and its payload bytes.
#[derive(Serialize, Deserialize)]
struct SnapshotFile {
    meta: SnapshotMeta,
    data: Vec<u8>,
}

/// The index of keys with a TTL: expiry (big-endian ms) then the key.
fn ttl_key(expires_at_ms: u64, key: &str) -> Vec<u8> {
    let mut k = expires_at_ms.to_be_bytes().to_vec();
    k.extend_from_slice(key.as_bytes());
    k
}

fn read_record(kv: &Keyspace, key: &str) -> io::Result<Option<KvRecord>> {
    match kv.get(key).map_err(fj)? {
        Some(bytes) => decode(&bytes).map(Some),
        None => Ok(None),
    }
}

fn utf8_key(bytes: &[u8]) -> io::Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// [`KvView`] over the committed `kv` keyspace.
struct Committed<'a>(&'a Keyspace);

impl KvView for Committed<'_> {
    fn get(&self, key: &str) -> io::Result<Option<KvRecord>> {
        read_record(self.0, key)
    }

    fn keys_with_prefix(&self, prefix: &str, max: usize) -> io::Result<Vec<String>> {
        self.0
            .prefix(prefix)
            .take(max)
            .map(|g| utf8_key(&g.key().map_err(fj)?))
            .collect()
    }
}

/// A page of a key-range listing.
#[derive(Debug, Clone)]
pub struct ListQuery {
    /// Only keys starting with this.
    pub prefix: String,
    /// First key (inclusive); also the cursor of the next page.
    pub start: Option<String>,
    /// Last key (exclusive).
    pub end: Option<String>,
    pub limit: usize,
}

/// One page: live items in key order, and the first key of the next page.
#[derive(Debug, Clone)]
pub struct ListPage {
    pub items: Vec<(String, KvRecord)>,
    pub next: Option<String>,
}

/// Read access to the state machine's keys, for the API. Cheap to clone.
#[derive(Clone)]
pub struct KvReader {
    db: Database,
    kv: Keyspace,
    meta: Keyspace,
    ttl: Keyspace,
}

impl KvReader {
    /// The cluster metadata as applied on this node.
    pub fn cluster(&self) -> io::Result<ClusterMeta> {
        read_cluster(&self.meta)
    }

    /// The live record of `key`, if any (expired keys are invisible).
    pub fn get(&self, key: &str) -> io::Result<Option<KvRecord>> {
        // Through a snapshot too: a batch being applied (a snapshot install
        // removes every key, then writes them back) is never seen half done.
        let record = match self.db.snapshot().get(&self.kv, key).map_err(fj)? {
            Some(bytes) => Some(decode::<KvRecord>(&bytes)?),
            None => None,
        };
        Ok(record.filter(|r| is_live(r, now_ms())))
    }

    /// A page of live keys in order.
    pub fn list(&self, q: &ListQuery) -> io::Result<ListPage> {
        let now = now_ms();
        let from = match &q.start {
            Some(start) if start.as_str() > q.prefix.as_str() => start.clone(),
            _ => q.prefix.clone(),
        };
        let mut items = Vec::new();
        let mut bytes = 0;
        // A snapshot, not `Keyspace::range`: that reads at the newest
        // sequence number and can show part of a batch being applied, i.e.
        // half a transaction (the chaos suite caught it).
        let view = self.db.snapshot();
        for guard in view.range(&self.kv, from.as_bytes()..) {
            let (key, value) = guard.into_inner().map_err(fj)?;
            let key = utf8_key(&key)?;
            if !key.starts_with(&q.prefix) || q.end.as_ref().is_some_and(|end| key >= *end) {
                break;
            }
            let record: KvRecord = decode(&value)?;
            if !is_live(&record, now) {
                continue;
            }
            let full = items.len() == q.limit
                || (!items.is_empty() && bytes + record.value.len() > crate::limits::MAX_LIST_PAGE_BYTES);
            if full {
                return Ok(ListPage { items, next: Some(key) });
            }
            bytes += key.len() + record.value.len();
            items.push((key, record));
        }
        Ok(ListPage { items, next: None })
    }

    /// A consistent, point-in-time view for exporting.
    pub fn export_view(&self) -> io::Result<ExportView> {
        let snap = self.db.snapshot();
        let last_applied: Option<LogId> = match snap.get(&self.meta, META_LAST_APPLIED).map_err(fj)? {
            Some(b) => decode(&b)?,
            None => None,
        };
        Ok(ExportView {
            revision: last_applied.map_or(0, |l| l.index()),
            snap,
            kv: self.kv.clone(),
        })
    }

    /// Keys whose TTL ran out by `now_ms`, with their mod revision, at most
    /// `limit` of them (for the leader's sweep).
    pub fn expired(&self, now_ms: u64, limit: usize) -> io::Result<Vec<(String, u64)>> {
        let mut out = Vec::new();
        for guard in self.ttl.range(..ttl_key(now_ms, "")).take(limit) {
            let (k, v) = guard.into_inner().map_err(fj)?;
            let key = utf8_key(k.get(8..).unwrap_or_default())?;
            let rev = super::codec::index_from_key(&v)?;
            out.push((key, rev));
        }
        Ok(out)
    }
}

/// A point-in-time view of every key, for `concord kv export`.
pub struct ExportView {
    /// The last applied log index when the view was taken.
    pub revision: u64,
    snap: fjall::Snapshot,
    kv: Keyspace,
}

impl ExportView {
    /// Calls `f` for every live key starting with `prefix`, in key order.
    pub fn for_each(&self, prefix: &str, mut f: impl FnMut(String, KvRecord) -> io::Result<()>) -> io::Result<()> {
        let now = now_ms();
        self.for_each_stored(
            prefix,
            |key, record| {
                if is_live(&record, now) {
                    f(key, record)
                } else {
                    Ok(())
                }
            },
        )
    }

    /// Calls `f` for every stored key starting with `prefix`, expired or
    /// not: what replicas must agree on at the same revision.
    pub fn for_each_stored(
        &self,
        prefix: &str,
        mut f: impl FnMut(String, KvRecord) -> io::Result<()>,
    ) -> io::Result<()> {
        for guard in self.snap.prefix(&self.kv, prefix) {
            let (key, value) = guard.into_inner().map_err(fj)?;
            f(utf8_key(&key)?, decode(&value)?)?;
        }
        Ok(())
    }
}

/// The state machine. Openraft owns it; the API reads through [`KvReader`].
pub struct StateMachine {
    db: Database,
    kv: Keyspace,
    meta: Keyspace,
    requests: Keyspace,
    ttl: Keyspace,
    snapshots: SnapshotFiles,
    last_applied: Option<LogId>,
    membership: StoredMembership,
    cluster: ClusterMeta,
    /// Effective time of the last applied entry: apply's clock never runs
    /// backwards.
    clock_ms: u64,
    /// Remembered request ids by age, for pruning.
    recent: RecentRequests,
    _lock: DirLock,
}

fn read_cluster(meta: &Keyspace) -> io::Result<ClusterMeta> {
    match meta.get(META_CLUSTER).map_err(fj)? {
        Some(b) => decode(&b),
        None => Ok(ClusterMeta::default()),
    }
}

fn load_recent(requests: &Keyspace) -> io::Result<RecentRequests> {
    let mut recent = RecentRequests::default();
    for guard in requests.iter() {
        let (k, v) = guard.into_inner().map_err(fj)?;
        let rec: RequestRecord = decode(&v)?;
        recent.insert(rec.at_ms, utf8_key(&k)?, (k.len() + v.len()) as u64);
    }
    Ok(recent)
}

fn read_clock(meta: &Keyspace) -> io::Result<u64> {
    match meta.get(META_CLOCK).map_err(fj)? {
        Some(b) => decode(&b),
        None => Ok(0),
    }
}

impl StateMachine {
    pub(super) fn open(path: &Path, snapshot_dir: &Path, lock: DirLock) -> io::Result<Self> {
        let snapshots = SnapshotFiles::open(snapshot_dir)?;
        let db = Database::builder(path).open().map_err(fj)?;
        let ks = |name: &str| db.keyspace(name, KeyspaceCreateOptions::default).map_err(fj);
        let (kv, meta, requests, ttl) = (ks("kv")?, ks("sm_meta")?, ks("requests")?, ks("ttl")?);
        let last_applied = match meta.get(META_LAST_APPLIED).map_err(fj)? {
            Some(b) => decode(&b)?,
            None => None,
        };
        let membership = match meta.get(META_MEMBERSHIP).map_err(fj)? {
            Some(b) => decode(&b)?,
            None => StoredMembership::default(),
        };
        let cluster = read_cluster(&meta)?;
        let clock_ms = read_clock(&meta)?;
        let recent = load_recent(&requests)?;
        Ok(StateMachine {
            db,
            kv,
            meta,
            requests,
            ttl,
            snapshots,
            last_applied,
            membership,
            cluster,
            clock_ms,
            recent,
            _lock: lock,
        })
    }

    pub fn reader(&self) -> KvReader {
        KvReader {
            db: self.db.clone(),
            kv: self.kv.clone(),
            meta: self.meta.clone(),
            ttl: self.ttl.clone(),
        }
    }

    fn builder(&self) -> SnapshotBuilder {
        SnapshotBuilder {
            db: self.db.clone(),
            kv: self.kv.clone(),
            meta: self.meta.clone(),
            requests: self.requests.clone(),
            snapshots: self.snapshots.clone(),
        }
    }

    /// Writes key changes and keeps the TTL index in step.
    fn write_changes(
        &self,
        batch: &mut fjall::OwnedWriteBatch,
        changes: BTreeMap<String, Option<KvRecord>>,
    ) -> io::Result<()> {
        for (key, new) in changes {
            if let Some(old) = read_record(&self.kv, &key)? {
                if let Some(t) = old.expires_at_ms {
                    batch.remove(&self.ttl, ttl_key(t, &key));
                }
            }
            match new {
                Some(r) => {
                    if let Some(t) = r.expires_at_ms {
                        batch.insert(
                            &self.ttl,
                            ttl_key(t, &key),
                            super::codec::index_key(r.mod_revision).to_vec(),
                        );
                    }
                    batch.insert(&self.kv, key, encode(&r)?);
                }
                None => batch.remove(&self.kv, key),
            }
        }
        Ok(())
    }

    /// Applies one command at its effective time `now_ms` (see the module
    /// doc on time).
    fn apply_command(
        &mut self,
        batch: &mut fjall::OwnedWriteBatch,
        index: u64,
        now_ms: u64,
        cmd: Command,
    ) -> io::Result<CommandResponse> {
        let digest = match &cmd.request_id {
            Some(id) => {
                let digest = op_digest(&cmd.op)?;
                if let Some(bytes) = self.requests.get(id).map_err(fj)? {
                    let rec: RequestRecord = decode(&bytes)?;
                    if rec.op_digest != digest {
                        return Ok(CommandResponse::RequestIdReused);
                    }
                    return Ok(rec.response);
                }
                digest
            }
            None => [0; 32],
        };
        let response = match cmd.op {
            Op::Txn(txn) => {
                let view = Committed(&self.kv);
                let mut pending = Pending::new(&view, now_ms);
                let resp = pending.apply(txn, index)?;
                match pending.refused.take() {
                    Some(reason) => CommandResponse::Refused { reason },
                    None => {
                        let changes = std::mem::take(&mut pending.changes);
                        self.write_changes(batch, changes)?;
                        CommandResponse::Txn(resp)
                    }
                }
            }
            Op::Expire { keys } => {
                let mut changes = BTreeMap::new();
                for (key, rev) in keys {
                    if let Some(r) = read_record(&self.kv, &key)? {
                        if r.mod_revision == rev && !is_live(&r, now_ms) {
                            changes.insert(key, None);
                        }
                    }
                }
                let deleted = changes.len() as u64;
                self.write_changes(batch, changes)?;
                CommandResponse::Expired { deleted }
            }
            Op::ReserveNodeId { id, peer_url } => reserve_node_id(&mut self.cluster, id, peer_url),
        };
        if let Some(id) = cmd.request_id {
            let encoded = encode(&RequestRecord::new(now_ms, &response, digest)?)?;
            let size = (id.len() + encoded.len()) as u64;
            batch.insert(&self.requests, id.as_str(), encoded);
            self.recent.insert(now_ms, id, size);
            for old in self.recent.prune(cmd.dedup) {
                batch.remove(&self.requests, old.as_str());
            }
        }
        Ok(response)
    }

    /// The last applied log id, as stored.
    pub(super) fn last_applied(&self) -> Option<LogId> {
        self.last_applied
    }

    /// The log id the current snapshot file covers.
    pub(super) fn snapshot_log_id(&self) -> Option<LogId> {
        *self.snapshots.lock()
    }

    /// Builds and stores a snapshot of the state as applied now (blocking).
    pub(super) fn snapshot_now(&self) -> io::Result<()> {
        self.builder().build_blocking().map(|_| ())
    }

    fn current_snapshot(&self) -> io::Result<Option<SnapshotFile>> {
        self.snapshots.read_current()
    }
}

impl RaftStateMachine<TypeConfig> for StateMachine {
    type SnapshotData = Vec<u8>;
    type SnapshotBuilder = SnapshotBuilder;

    async fn applied_state(&mut self) -> Result<(Option<LogId>, StoredMembership), io::Error> {
        Ok((self.last_applied, self.membership.clone()))
    }

    async fn apply<Strm>(&mut self, mut entries: Strm) -> Result<(), io::Error>
    where
        Strm: Stream<Item = Result<EntryResponder<TypeConfig>, io::Error>> + Unpin + OptionalSend,
    {
        while let Some((entry, responder)) = entries.try_next().await? {
            let index = entry.log_id.index();
            let mut batch = self.db.batch();
            let reply = match entry.payload {
                EntryPayload::Blank => CommandResponse::None,
                EntryPayload::Normal(cmd) => {
                    self.clock_ms = self.clock_ms.max(cmd.at_ms);
                    let now = self.clock_ms;
                    self.apply_command(&mut batch, index, now, cmd)?
                }
                EntryPayload::Membership(m) => {
                    self.cluster.used_node_ids.extend(m.nodes().map(|(id, _)| *id));
                    for (id, _) in m.nodes() {
                        self.cluster.reserved.remove(id);
                    }
                    self.membership = StoredMembership::new(Some(entry.log_id), m);
                    CommandResponse::None
                }
            };
            self.last_applied = Some(entry.log_id);
            batch.insert(&self.meta, META_LAST_APPLIED, encode(&self.last_applied)?);
            batch.insert(&self.meta, META_MEMBERSHIP, encode(&self.membership)?);
            batch.insert(&self.meta, META_CLUSTER, encode(&self.cluster)?);
            batch.insert(&self.meta, META_CLOCK, encode(&self.clock_ms)?);
            batch.commit().map_err(fj)?;
            if let Some(r) = responder {
                r.send(reply);
            }
        }
        Ok(())
    }

    async fn get_snapshot_builder(&mut self) -> Self::SnapshotBuilder {
        self.builder()
    }

    async fn install_snapshot(&mut self, meta: &SnapshotMeta, snapshot: Vec<u8>) -> Result<(), io::Error> {
        if meta.last_log_id.is_some() && meta.last_log_id <= self.last_applied {
            tracing::warn!(snapshot = %meta, applied = ?self.last_applied, "ignoring a snapshot that is not newer than the applied state");
            return Ok(());
        }
        let payload: SnapshotPayload = decode(&snapshot)?;
        let (db, kv, sm_meta, requests, ttl) = (
            self.db.clone(),
            self.kv.clone(),
            self.meta.clone(),
            self.requests.clone(),
            self.ttl.clone(),
        );
        let (meta_c, files) = (meta.clone(), self.snapshots.clone());
        super::spawn_blocking(move || -> io::Result<()> {
            let mut batch = db.batch();
            for ks in [&kv, &requests, &ttl] {
                for key in ks.iter() {
                    batch.remove(ks, key.key().map_err(fj)?);
                }
            }
            for (key, record) in &payload.items {
                if let Some(t) = record.expires_at_ms {
                    batch.insert(
                        &ttl,
                        ttl_key(t, key),
                        super::codec::index_key(record.mod_revision).to_vec(),
                    );
                }
                batch.insert(&kv, key.as_str(), encode(record)?);
            }
            for (id, rec) in &payload.requests {
                batch.insert(&requests, id.as_str(), encode(rec)?);
            }
            batch.insert(&sm_meta, META_LAST_APPLIED, encode(&meta_c.last_log_id)?);
            batch.insert(&sm_meta, META_MEMBERSHIP, encode(&meta_c.last_membership)?);
            batch.insert(&sm_meta, META_CLUSTER, encode(&payload.cluster)?);
            batch.insert(&sm_meta, META_CLOCK, encode(&payload.clock_ms)?);
            // The snapshot file goes first: after a crash between the two,
            // openraft finds a snapshot newer than the state machine and
            // installs it again. The other order leaves a state machine
            // ahead of the snapshot file; openraft then purges the log up
            // to the state machine, past the snapshot, and refuses to start.
            crash_point!("snapshot-install-before-write");
            files.replace(&SnapshotFile {
                meta: meta_c,
                data: snapshot,
            })?;
            crash_point!("snapshot-install-after-write");
            batch.commit().map_err(fj)?;
            db.persist(PersistMode::SyncAll).map_err(fj)?;
            crash_point!("snapshot-install-after-commit");
            Ok(())
        })
        .await
        .map_err(io::Error::other)??;
        self.last_applied = meta.last_log_id;
        self.membership = meta.last_membership.clone();
        self.cluster = read_cluster(&self.meta)?;
        self.clock_ms = read_clock(&self.meta)?;
        self.recent = load_recent(&self.requests)?;
        Ok(())
    }

    async fn get_current_snapshot(&mut self) -> Result<Option<Snapshot>, io::Error> {
        Ok(self.current_snapshot()?.map(|f| Snapshot {
            meta: f.meta,
            snapshot: f.data,
        }))
    }
}

/// Builds a snapshot from a consistent fjall snapshot of the state machine.
pub struct SnapshotBuilder {
    db: Database,
    kv: Keyspace,
    meta: Keyspace,
    requests: Keyspace,
    snapshots: SnapshotFiles,
}

impl SnapshotBuilder {
    fn build_blocking(&self) -> io::Result<Snapshot> {
        tracing::info!("building a snapshot");
        // The state machine on disk must not be behind the snapshot: the log
        // below the snapshot may be purged once it is announced.
        self.db.persist(PersistMode::SyncAll).map_err(fj)?;
        let view = self.db.snapshot();
        let last_applied: Option<LogId> = match view.get(&self.meta, META_LAST_APPLIED).map_err(fj)? {
            Some(b) => decode(&b)?,
            None => None,
        };
        let last_membership: StoredMembership = match view.get(&self.meta, META_MEMBERSHIP).map_err(fj)? {
            Some(b) => decode(&b)?,
            None => StoredMembership::default(),
        };
        let cluster: ClusterMeta = match view.get(&self.meta, META_CLUSTER).map_err(fj)? {
            Some(b) => decode(&b)?,
            None => ClusterMeta::default(),
        };
        let clock_ms: u64 = match view.get(&self.meta, META_CLOCK).map_err(fj)? {
            Some(b) => decode(&b)?,
            None => 0,
        };
        let mut items = Vec::new();
        for guard in view.iter(&self.kv) {
            let (key, value) = guard.into_inner().map_err(fj)?;
            items.push((utf8_key(&key)?, decode(&value)?));
        }
        let mut requests = Vec::new();
        for guard in view.iter(&self.requests) {
            let (key, value) = guard.into_inner().map_err(fj)?;
            requests.push((utf8_key(&key)?, decode(&value)?));
        }
        let data = encode(&SnapshotPayload {
            cluster,
            clock_ms,
            items,
            requests,
        })?;
        let meta = SnapshotMeta {
            last_log_id: last_applied,
            last_membership,
        };
        let file = SnapshotFile { meta, data };
        crash_point!("snapshot-build-before-write");
        let index = file.meta.last_log_id.map(|l| l.index());
        if self.snapshots.replace(&file)? {
            tracing::info!(?index, "snapshot build finished: it is the current snapshot");
        } else {
            tracing::info!(
                ?index,
                "snapshot build finished: a newer snapshot is already current; kept that one"
            );
        }
        crash_point!("snapshot-build-after-write");
        Ok(Snapshot {
            meta: file.meta,
            snapshot: file.data,
        })
    }
}

impl RaftSnapshotBuilder<TypeConfig> for SnapshotBuilder {
    type SnapshotData = Vec<u8>;

    async fn build_snapshot(&mut self) -> Result<Snapshot, io::Error> {
        let this = SnapshotBuilder {
            db: self.db.clone(),
            kv: self.kv.clone(),
            meta: self.meta.clone(),
            requests: self.requests.clone(),
            snapshots: self.snapshots.clone(),
        };
        super::spawn_blocking(move || this.build_blocking())
            .await
            .map_err(io::Error::other)?
    }
}

/// The snapshot directory: the current snapshot file and the one lock under
/// which it is replaced. Shared by the state machine (install) and its
/// builders, which openraft runs concurrently.
#[derive(Clone)]
struct SnapshotFiles {
    dir: PathBuf,
    /// The log id the current file covers; held while the file is swapped.
    current: Arc<Mutex<Option<LogId>>>,
}

impl SnapshotFiles {
    const TMP_PREFIX: &'static str = "current.snap.tmp.";

    fn open(dir: &Path) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        // Temporary files of a process that crashed mid-write.
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with(Self::TMP_PREFIX) {
                fs::remove_file(entry.path())?;
            }
        }
        let files = SnapshotFiles {
            dir: dir.to_path_buf(),
            current: Arc::new(Mutex::new(None)),
        };
        let current = files.read_current()?.and_then(|f| f.meta.last_log_id);
        *files.lock() = current;
        Ok(files)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<LogId>> {
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn read_current(&self) -> io::Result<Option<SnapshotFile>> {
        match fs::read(self.dir.join(SNAPSHOT_FILE)) {
            Ok(bytes) => decode(&bytes).map(Some),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes `file` durably (unique temporary file, fsync, rename, fsync
    /// of the directory) and makes it the current snapshot, unless the
    /// current one is at least as new: then `file` is dropped and the answer
    /// is `false`.
    fn replace(&self, file: &SnapshotFile) -> io::Result<bool> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let tmp = self
            .dir
            .join(format!("{}{}", Self::TMP_PREFIX, NEXT.fetch_add(1, Ordering::Relaxed)));
        let mut f = fs::File::create(&tmp)?;
        f.write_all(&encode(file)?)?;
        f.sync_all()?;
        drop(f);
        let mut current = self.lock();
        if current.is_some() && file.meta.last_log_id <= *current {
            drop(current);
            fs::remove_file(&tmp)?;
            return Ok(false);
        }
        fs::rename(&tmp, self.dir.join(SNAPSHOT_FILE))?;
        fs::File::open(&self.dir)?.sync_all()?;
        *current = file.meta.last_log_id;
        Ok(true)
    }
}

/// `ReserveNodeId`: a named id must be in range and never used; with no id,
/// the next id after the largest ever used, if there is one in range.
fn reserve_node_id(cluster: &mut ClusterMeta, id: Option<NodeId>, peer_url: String) -> CommandResponse {
    // A reservation for this peer URL that has not become a member yet: the
    // same join, retried (perhaps through a new leader), gets it back.
    if let Some((&reserved, _)) = cluster.reserved.iter().find(|(_, url)| **url == peer_url) {
        return match id {
            Some(id) if id != reserved => CommandResponse::Refused {
                reason: format!(
                    "peer URL {peer_url} is reserved for node {reserved} (an unfinished join); join with --id {reserved} or without --id"
                ),
            },
            _ => CommandResponse::NodeIdReserved { id: reserved },
        };
    }
    let response = next_node_id(&mut cluster.used_node_ids, id);
    if let CommandResponse::NodeIdReserved { id } = response {
        cluster.reserved.insert(id, peer_url);
    }
    response
}

fn next_node_id(used: &mut BTreeSet<NodeId>, id: Option<NodeId>) -> CommandResponse {
    let id = match id {
        Some(id) => id,
        None => match used.last().map_or(Some(1), |max| max.checked_add(1)) {
            Some(id) => id,
            None => {
                return CommandResponse::Refused {
                    reason: "no node id is left above the largest one ever used".into(),
                }
            }
        },
    };
    if let Err(reason) = crate::limits::validate_node_id(id) {
        return CommandResponse::Refused { reason };
    }
    if used.contains(&id) {
        return CommandResponse::NodeIdInUse { id };
    }
    used.insert(id);
    CommandResponse::NodeIdReserved { id }
}

/// Milliseconds since the Unix epoch on this machine's clock.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Checks that `data` is a snapshot payload this build can install, without
/// installing it. The transport calls this before handing a received
/// snapshot to openraft, where a decoding error would be fatal.
pub fn validate_snapshot(data: &[u8]) -> io::Result<()> {
    let payload: SnapshotPayload = decode(data)?;
    for (key, _) in &payload.items {
        crate::limits::validate_key(key).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use openraft::entry::RaftEntry;
    use openraft::storage::RaftStateMachine;

    use super::*;
    use crate::txn::{OpResult, Txn, TxnOp};
    use crate::types::alias::Entry;
    use crate::DedupLimits;

    fn put(key: &str, value: &[u8], ttl_ms: Option<u64>) -> Op {
        Op::Txn(Txn {
            success: vec![TxnOp::Put {
                key: key.into(),
                value: value.to_vec(),
                ttl_ms,
            }],
            ..Txn::default()
        })
    }

    fn cmd(at_ms: u64, request_id: Option<&str>, op: Op) -> Command {
        Command {
            request_id: request_id.map(str::to_string),
            at_ms,
            dedup: DedupLimits::default(),
            op,
        }
    }

    async fn apply_all(sm: &mut StateMachine, cmds: Vec<(u64, Command)>) {
        let entries: Vec<io::Result<(Entry, _)>> = cmds
            .into_iter()
            .map(|(index, c)| {
                Ok((
                    Entry::new_normal(openraft::testing::log_id::<TypeConfig>(1, 1, index), c),
                    None,
                ))
            })
            .collect();
        sm.apply(futures::stream::iter(entries)).await.expect("apply");
    }

    fn stored(storage: &crate::Storage, key: &str) -> Option<KvRecord> {
        let view = storage.reader.export_view().unwrap();
        let mut found = None;
        view.for_each_stored(key, |k, r| {
            if k == key {
                found = Some(r);
            }
            Ok(())
        })
        .unwrap();
        found
    }

    /// Defect: `at_ms` is stamped before proposing, so entries can reach the
    /// log out of time order; apply used each entry's own stamp, so a later
    /// entry could expire a key earlier than an older one had.
    #[tokio::test]
    async fn time_in_apply_never_runs_backwards_even_across_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let mut storage = crate::open(dir.path()).unwrap();
        apply_all(
            &mut storage.sm,
            vec![
                (1, cmd(1_000, None, put("a", b"1", None))),
                (2, cmd(999, None, put("b", b"2", Some(10)))),
            ],
        )
        .await;
        assert_eq!(stored(&storage, "b").unwrap().expires_at_ms, Some(1_010));
        drop(storage);

        let mut storage = crate::open(dir.path()).unwrap();
        apply_all(&mut storage.sm, vec![(3, cmd(500, None, put("c", b"3", Some(10))))]).await;
        assert_eq!(
            stored(&storage, "c").unwrap().expires_at_ms,
            Some(1_010),
            "the clock must survive a restart"
        );
    }

    /// Defect: `ReserveNodeId` computed `max + 1` unchecked: with id
    /// u64::MAX in use it panicked in apply (debug) or wrapped to 0.
    #[test]
    fn node_ids_out_of_range_are_refused_in_apply_never_wrapped() {
        let refused = |r: &CommandResponse| matches!(r, CommandResponse::Refused { .. });
        let mut used = BTreeSet::new();
        assert!(refused(&next_node_id(&mut used, Some(0))));
        assert!(refused(&next_node_id(&mut used, Some(u64::MAX))));
        assert!(used.is_empty(), "a refused id is not reserved");
        assert_eq!(next_node_id(&mut used, None), CommandResponse::NodeIdReserved { id: 1 });
        // Ids that reached the set before validation existed (or through a
        // membership) must not make the next allocation wrap or panic.
        used.insert(u64::MAX);
        assert!(refused(&next_node_id(&mut used, None)));
        used.remove(&u64::MAX);
        used.insert(crate::limits::MAX_NODE_ID);
        assert!(refused(&next_node_id(&mut used, None)));
        assert_eq!(
            next_node_id(&mut used, Some(7)),
            CommandResponse::NodeIdReserved { id: 7 }
        );
        assert_eq!(next_node_id(&mut used, Some(7)), CommandResponse::NodeIdInUse { id: 7 });
    }

    /// A join interrupted between reserving an id and adding the learner
    /// (a leader change, a joiner that gave up) gets the same id back, even
    /// through a leader that had not applied the reservation when it looked.
    #[test]
    fn a_reservation_is_given_back_to_its_peer_url_until_the_id_is_a_member() {
        let mut c = ClusterMeta::default();
        let reserved = |id| CommandResponse::NodeIdReserved { id };
        assert_eq!(reserve_node_id(&mut c, None, "http://a".into()), reserved(1));
        assert_eq!(reserve_node_id(&mut c, None, "http://a".into()), reserved(1));
        assert_eq!(reserve_node_id(&mut c, Some(1), "http://a".into()), reserved(1));
        assert_eq!(reserve_node_id(&mut c, None, "http://b".into()), reserved(2));
        assert!(
            matches!(
                reserve_node_id(&mut c, Some(9), "http://a".into()),
                CommandResponse::Refused { .. }
            ),
            "one peer URL, one reservation"
        );
        assert!(!c.used_node_ids.contains(&9));
        // Once 1 has been a member (apply drops the reservation), it is used
        // for good: added then removed, it is never given out again.
        c.reserved.remove(&1);
        assert_eq!(
            reserve_node_id(&mut c, Some(1), "http://a".into()),
            CommandResponse::NodeIdInUse { id: 1 }
        );
    }

    /// Defect: the builder and the installer both wrote `current.snap.tmp`
    /// and renamed it over the current file unconditionally.
    #[test]
    fn an_older_snapshot_never_replaces_a_newer_one() {
        let dir = tempfile::tempdir().unwrap();
        let files = SnapshotFiles::open(dir.path()).unwrap();
        let file = |index: u64| SnapshotFile {
            meta: SnapshotMeta {
                last_log_id: Some(openraft::testing::log_id::<TypeConfig>(1, 1, index)),
                last_membership: StoredMembership::default(),
            },
            data: vec![index as u8],
        };
        assert!(files.replace(&file(10)).unwrap());
        assert!(!files.replace(&file(5)).unwrap(), "older than the current one");
        assert!(!files.replace(&file(10)).unwrap(), "not newer");
        assert_eq!(files.read_current().unwrap().unwrap().data, vec![10]);
        // Concurrent writers never collide on a temporary name.
        std::thread::scope(|scope| {
            for i in 11..19 {
                let (files, f) = (files.clone(), file(i));
                scope.spawn(move || files.replace(&f).unwrap());
            }
        });
        assert_eq!(files.read_current().unwrap().unwrap().data, vec![18]);
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names,
            vec![std::ffi::OsString::from(SNAPSHOT_FILE)],
            "no temporary file left"
        );
        drop(files);
        let reopened = SnapshotFiles::open(dir.path()).unwrap();
        assert_eq!(reopened.lock().map(|l| l.index()), Some(18));
    }

    /// Defect: the request-id table was bounded only by time and kept whole
    /// responses (a large `get` result per id).
    /// Defect (issue 10): a request id was not bound to its operation, so a
    /// reused id answered the first operation's result for another key.
    #[tokio::test]
    async fn a_request_id_reused_for_another_operation_applies_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut storage = crate::open(dir.path()).unwrap();
        let sm = &mut storage.sm;
        let mut apply = |index: u64, op: Op| {
            let mut batch = sm.db.batch();
            let r = sm
                .apply_command(&mut batch, index, 1_000 + index, cmd(1_000 + index, Some("r1"), op))
                .unwrap();
            batch.commit().unwrap();
            r
        };
        let first = apply(1, put("ra", b"1", None));
        assert!(
            matches!(&first, CommandResponse::Txn(t) if t.revision == 1),
            "{first:?}"
        );
        assert_eq!(apply(2, put("ra", b"1", None)), first, "a retry of the same operation");
        assert_eq!(apply(3, put("rc", b"2", None)), CommandResponse::RequestIdReused);
        assert_eq!(apply(4, put("ra", b"2", None)), CommandResponse::RequestIdReused);
        let delete = Op::Txn(Txn {
            success: vec![TxnOp::Delete { key: "ra".into() }],
            ..Txn::default()
        });
        assert_eq!(apply(5, delete), CommandResponse::RequestIdReused);
        assert!(read_record(&sm.kv, "rc").unwrap().is_none(), "rc was written");
        assert_eq!(read_record(&sm.kv, "ra").unwrap().unwrap().value, b"1");
    }

    #[tokio::test]
    async fn the_request_id_table_is_bounded_by_count_and_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let mut storage = crate::open(dir.path()).unwrap();
        let sm = &mut storage.sm;
        let limits = DedupLimits {
            max_entries: 10,
            max_bytes: 1 << 20,
        };
        let mut index = 0;
        for i in 0..50 {
            index += 1;
            let mut c = cmd(1_000 + i, Some(&format!("req-{i}")), put(&format!("k{i}"), b"v", None));
            c.dedup = limits;
            apply_all(sm, vec![(index, c)]).await;
        }
        assert_eq!(sm.requests.iter().count(), 10, "only the newest 10 ids are kept");
        assert!(sm.requests.get("req-49").unwrap().is_some());
        assert!(sm.requests.get("req-39").unwrap().is_none());

        // A transaction that reads a large value is remembered in short form.
        index += 1;
        apply_all(
            sm,
            vec![(index, cmd(2_000, None, put("big", &vec![7u8; 100_000], None)))],
        )
        .await;
        let read_big = Op::Txn(Txn {
            success: vec![TxnOp::Get { key: "big".into() }],
            ..Txn::default()
        });
        index += 1;
        let mut batch = sm.db.batch();
        let first = sm
            .apply_command(&mut batch, index, 2_001, cmd(2_001, Some("read-big"), read_big.clone()))
            .unwrap();
        batch.commit().unwrap();
        assert!(matches!(&first, CommandResponse::Txn(t) if matches!(&t.results[0], OpResult::Get { item: Some(_) })));
        let kept = sm.requests.get("read-big").unwrap().unwrap();
        assert!(kept.len() < 1_000, "kept {} bytes for one request id", kept.len());
        let mut batch = sm.db.batch();
        let retry = sm
            .apply_command(&mut batch, index + 1, 2_002, cmd(2_002, Some("read-big"), read_big))
            .unwrap();
        assert_eq!(
            retry,
            CommandResponse::AlreadyApplied {
                revision: index,
                succeeded: true
            }
        );

        // The byte bound: ids are forgotten once their outcomes exceed it.
        let tiny = DedupLimits {
            max_entries: 1_000,
            max_bytes: 200,
        };
        for i in 0..20 {
            index += 1;
            let mut c = cmd(3_000 + i, Some(&format!("b-{i}")), put("x", b"v", None));
            c.dedup = tiny;
            apply_all(sm, vec![(index, c)]).await;
        }
        let bytes: usize = sm
            .requests
            .iter()
            .map(|g| {
                let (k, v) = g.into_inner().unwrap();
                k.len() + v.len()
            })
            .sum();
        assert!(bytes <= 200, "{bytes} bytes kept over a 200-byte bound");
        assert!(sm.requests.get("b-19").unwrap().is_some());
    }
}
