//! The state machine on fjall: openraft's `RaftStateMachine`, applying
//! committed entries, and the layout of the `sm` database (its keyspaces,
//! meta keys and TTL index) that `reader.rs` and `snapshot.rs` share. The
//! API's reads are in `reader.rs`; building, storing, validating and
//! installing snapshots in `snapshot.rs`.
//!
//! Rules every change here must keep:
//! - The entries of one apply call are committed in fjall batches of whole
//!   entries ([`Staged`], at most [`STAGE_MAX_ENTRIES`] entries or
//!   [`STAGE_MAX_BYTES`]): their key changes, the TTL index, the request-id
//!   records, the watch history's events (`history.rs`), and
//!   `last_applied` (of the batch's last entry),
//!   `last_membership` and the cluster metadata commit together, so a crash
//!   never leaves data and `last_applied` out of step. Later entries of a
//!   batch read the earlier ones' changes through [`Overlay`]; an auth change
//!   commits what is staged first (it reads the tokens keyspace directly).
//!   No entry is answered before its batch has committed, so a read after
//!   an answer sees the write (openraft's trait doc asks for an answer
//!   right after each entry; its apply worker does not wait on answers, so
//!   answering after the batch only delays them). An error in apply leaves
//!   the staged entries unanswered and the in-memory state ahead of the
//!   disk: harmless only because openraft treats it as fatal and stops.
//!   The batch is not fsynced: the Raft log is the durable record, and
//!   openraft re-applies committed entries after a crash.
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
//! - A snapshot at or below `last_applied` is ignored (checked in
//!   `install_snapshot` here); the order of an install's writes and its
//!   fsync are in `snapshot.rs`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;
use std::ops::Bound;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use fjall::{Database, Keyspace, KeyspaceCreateOptions};
use futures::{Stream, TryStreamExt};
use openraft::storage::{ApplyResponder, EntryResponder, RaftStateMachine};
use openraft::{EntryPayload, OptionalSend};
use serde::{Deserialize, Serialize};

use super::codec::{decode, decode_or_default, encode, fj};
use super::history::{event_key, EventKind, History, HistoryLimits, Reclaim, META_HISTORY_START};
use super::reader::{read_record, utf8_key, Committed, KvReader};
use super::snapshot::{finish_interrupted_install, SmHandles, SnapshotBuilder, SnapshotData, SnapshotDir};
use super::{is_live, DirLock};
use crate::auth::{AuthOp, AuthOutcome, AuthState};
use crate::txn::{keep_prior, KvView, Pending, Prior, PRIOR_VALUE_BUDGET};
use crate::types::alias::{LogId, Snapshot, SnapshotMeta, StoredMembership};
use crate::types::{Command, CommandResponse, KvRecord, NodeId, Op, TypeConfig};

pub(super) const META_LAST_APPLIED: &str = "last_applied";
pub(super) const META_MEMBERSHIP: &str = "last_membership";
pub(super) const META_CLUSTER: &str = "cluster";
pub(super) const META_CLOCK: &str = "clock_ms";
pub(super) const META_AUTH: &str = "auth";
/// Present while a snapshot install runs: the snapshot's meta.
pub(super) const META_INSTALLING: &str = "installing";

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
pub(super) struct RequestRecord {
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

/// The index of keys with a TTL: expiry (big-endian ms) then the key.
pub(super) fn ttl_key(expires_at_ms: u64, key: &str) -> Vec<u8> {
    let mut k = expires_at_ms.to_be_bytes().to_vec();
    k.extend_from_slice(key.as_bytes());
    k
}

/// The state machine. Openraft owns it; the API reads through [`KvReader`].
pub struct StateMachine {
    pub(super) db: Database,
    pub(super) kv: Keyspace,
    pub(super) meta: Keyspace,
    pub(super) requests: Keyspace,
    pub(super) ttl: Keyspace,
    /// Token records by id (digests, never secrets).
    pub(super) tokens: Keyspace,
    /// The watch history (`history.rs`).
    pub(super) events: Keyspace,
    history: History,
    /// The last applied revision, published after each commit: watchers
    /// wait on it.
    applied: Arc<tokio::sync::watch::Sender<u64>>,
    pub(super) snapshot_dir: SnapshotDir,
    /// Set while a snapshot install replaces the key space: readers refuse.
    pub(super) installing: Arc<AtomicBool>,
    auth: AuthState,
    /// `auth.enabled` as committed, for the API's check on every request
    /// (see [`KvReader::auth_on`]); auth never turns off once on, so this
    /// only ever goes from false to true.
    auth_on: Arc<AtomicBool>,
    last_applied: Option<LogId>,
    membership: StoredMembership,
    cluster: ClusterMeta,
    /// Effective time of the last applied entry: apply's clock never runs
    /// backwards.
    clock_ms: u64,
    /// Remembered request ids by age, for pruning.
    recent: RecentRequests,
    /// Wakes the thread that fsyncs the state machine in the background
    /// (see [`SYNC_EVERY`]).
    syncer: super::Worker<std::sync::mpsc::SyncSender<SyncRequest>>,
    /// Drops the history's pruned tables (see `history.rs`).
    reclaim: Arc<Reclaim>,
    /// `last_applied` when the background fsync was last asked for.
    synced_hint: u64,
    _lock: DirLock,
}

/// Every this many applied entries the state machine is fsynced in the
/// background. Not for durability (the Raft log is the durable record) but
/// for latency: a snapshot build fsyncs the state machine while apply
/// waits on fjall's journal lock, and a journal with thousands of unsynced
/// entries made that fsync, and the writes waiting behind it, take tens of
/// milliseconds.
const SYNC_EVERY: u64 = 2048;

/// At most this many entries go into one state-machine batch.
const STAGE_MAX_ENTRIES: usize = 1024;
/// A batch is committed once what it stages (keys, values, deletions,
/// index writes, request records and held answers) passes this many bytes.
/// One entry alone may pass it (a `delete_prefix` of 100,000 keys), as
/// when every entry was a batch of its own.
const STAGE_MAX_BYTES: usize = 8 * 1024 * 1024;
/// What a staged change costs besides its key and value: the batch item,
/// the overlay's entry and the memtable's.
const STAGED_CHANGE_BYTES: usize = 64;

/// The changes of entries applied in the current batch and not yet
/// committed: what later entries of the same batch must read instead of the
/// keyspaces.
#[derive(Default)]
struct Staged {
    /// Key changes (`None`: deleted), ordered for prefix scans.
    kv: BTreeMap<String, Option<KvRecord>>,
    /// Request-id records written (`Some`) or pruned (`None`).
    requests: HashMap<String, Option<Vec<u8>>>,
    /// The entries' answers, sent once the batch has committed.
    replies: Vec<(ApplyResponder<TypeConfig>, CommandResponse)>,
    /// (revision, events, apply clock) of the history written.
    history: Vec<(u64, u32, u64)>,
    entries: usize,
    bytes: usize,
}

impl Staged {
    fn is_full(&self) -> bool {
        self.entries >= STAGE_MAX_ENTRIES || self.bytes >= STAGE_MAX_BYTES
    }

    /// The committed `kv` keyspace as the next entry must see it.
    fn over<'a>(&'a self, kv: &'a Keyspace) -> Overlay<'a> {
        Overlay { staged: &self.kv, kv }
    }
}

/// About what an answer holds in memory: the values a transaction read.
fn reply_bytes(reply: &CommandResponse) -> usize {
    match reply {
        CommandResponse::Txn(t) => t
            .results
            .iter()
            .map(|r| match r {
                crate::txn::OpResult::Get { item: Some((k, r)) } => k.len() + r.value.len(),
                _ => 0,
            })
            .sum::<usize>()
            .saturating_add(STAGED_CHANGE_BYTES),
        _ => STAGED_CHANGE_BYTES,
    }
}

/// Writes one entry's events into the history, numbering them.
struct EventWriter {
    revision: u64,
    now_ms: u64,
    seq: u32,
}

/// A [`super::history::StoredEvent`] by reference: the same encoding,
/// without copying the values.
#[derive(Serialize)]
struct EventOut<'a> {
    at_ms: u64,
    kind: EventKind,
    key: &'a str,
    record: Option<&'a KvRecord>,
    prev: Option<&'a KvRecord>,
    prev_omitted: bool,
}

impl EventWriter {
    /// The events of `key` going from `old` to `new`: a put, a delete, or
    /// an expiry (a record whose TTL ran out, deleted or written over).
    fn write(
        &mut self,
        sm: &StateMachine,
        batch: &mut fjall::OwnedWriteBatch,
        staged: &mut Staged,
        key: &str,
        new: Option<&KvRecord>,
        old: Option<&Prior>,
    ) -> io::Result<()> {
        let old_live = old.filter(|o| is_live(&o.record, self.now_ms));
        let expired = old.filter(|o| !is_live(&o.record, self.now_ms));
        if let Some(o) = expired {
            self.one(sm, batch, staged, EventKind::Expire, key, None, Some(o))?;
        }
        match new {
            Some(r) => self.one(sm, batch, staged, EventKind::Put, key, Some(r), old_live),
            None => match old_live {
                Some(o) => self.one(sm, batch, staged, EventKind::Delete, key, None, Some(o)),
                None => Ok(()),
            },
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn one(
        &mut self,
        sm: &StateMachine,
        batch: &mut fjall::OwnedWriteBatch,
        staged: &mut Staged,
        kind: EventKind,
        key: &str,
        record: Option<&KvRecord>,
        prev: Option<&Prior>,
    ) -> io::Result<()> {
        let bytes = encode(&EventOut {
            at_ms: self.now_ms,
            kind,
            key,
            record,
            prev: prev.filter(|p| p.value_kept).map(|p| &p.record),
            prev_omitted: prev.is_some_and(|p| !p.value_kept),
        })?;
        staged.bytes += bytes.len() + STAGED_CHANGE_BYTES;
        batch.insert(&sm.events, event_key(self.revision, self.seq), bytes);
        self.seq += 1;
        Ok(())
    }
}

/// [`KvView`] of the committed `kv` keyspace with the staged changes on top.
struct Overlay<'a> {
    staged: &'a BTreeMap<String, Option<KvRecord>>,
    kv: &'a Keyspace,
}

impl KvView for Overlay<'_> {
    fn get(&self, key: &str) -> io::Result<Option<KvRecord>> {
        match self.staged.get(key) {
            Some(staged) => Ok(staged.clone()),
            None => read_record(self.kv, key),
        }
    }

    fn keys_with_prefix(&self, prefix: &str, max: usize) -> io::Result<Vec<String>> {
        let staged = || {
            self.staged
                .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
                .take_while(|(k, _)| k.starts_with(prefix))
        };
        // Enough stored keys that `max` remain once the staged deletions
        // are taken out.
        let deleted = staged().filter(|(_, r)| r.is_none()).count();
        let mut keys = Committed(self.kv).keys_with_prefix(prefix, max.saturating_add(deleted))?;
        keys.retain(|k| !matches!(self.staged.get(k), Some(None)));
        keys.extend(staged().filter(|(_, r)| r.is_some()).map(|(k, _)| k.clone()));
        keys.sort();
        keys.dedup();
        keys.truncate(max);
        Ok(keys)
    }
}

/// What the background sync thread is asked to do: fsync the state
/// machine, then drop the history's tables below `start` (committed before
/// the request, so on disk after the fsync), unless a snapshot install
/// began after the request (`installs`, see [`Reclaim::drop_below`]).
struct SyncRequest {
    start: u64,
    installs: u64,
}

fn start_syncer(
    db: &Database,
    events: &Keyspace,
    reclaim: &Arc<Reclaim>,
) -> io::Result<super::Worker<std::sync::mpsc::SyncSender<SyncRequest>>> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<SyncRequest>(1);
    let (db, events, reclaim) = (db.clone(), events.clone(), reclaim.clone());
    super::Worker::spawn("concord-sm-sync", tx, move || {
        while let Ok(request) = rx.recv() {
            if let Err(e) = db.persist(fjall::PersistMode::SyncData) {
                tracing::warn!(error = %e, "background fsync of the state machine failed");
                continue;
            }
            if let Err(e) = reclaim.drop_below(&events, request.start, request.installs) {
                tracing::warn!(error = %e, "dropping pruned watch history");
            }
        }
    })
}

pub(super) fn read_cluster(meta: &Keyspace) -> io::Result<ClusterMeta> {
    decode_or_default(meta.get(META_CLUSTER).map_err(fj)?)
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

pub(super) fn read_auth(meta: &Keyspace) -> io::Result<AuthState> {
    decode_or_default(meta.get(META_AUTH).map_err(fj)?)
}

fn read_clock(meta: &Keyspace) -> io::Result<u64> {
    decode_or_default(meta.get(META_CLOCK).map_err(fj)?)
}

impl StateMachine {
    pub(super) fn open(path: &Path, snapshot_dir: &Path, lock: DirLock) -> io::Result<Self> {
        let db = Database::builder(path)
            .cache_size(super::SM_CACHE_BYTES)
            .max_journaling_size(super::MAX_JOURNAL_BYTES)
            .open()
            .map_err(fj)?;
        let ks = |name: &str| {
            db.keyspace(name, || {
                KeyspaceCreateOptions::default()
                    .max_memtable_size(super::SM_MEMTABLE_BYTES)
                    .compaction_strategy(Arc::new(
                        fjall::compaction::Leveled::default().with_table_target_size(super::SM_TABLE_BYTES),
                    ))
            })
            .map_err(fj)
        };
        let (kv, meta, requests, ttl) = (ks("kv")?, ks("sm_meta")?, ks("requests")?, ks("ttl")?);
        let (tokens, events) = (ks("tokens")?, ks("events")?);
        let reclaim = Arc::new(Reclaim::default());
        let auth_on = Arc::new(AtomicBool::new(false));
        let handles = SmHandles {
            db: db.clone(),
            kv: kv.clone(),
            meta: meta.clone(),
            requests: requests.clone(),
            tokens: tokens.clone(),
            ttl: ttl.clone(),
            events: events.clone(),
            reclaim: reclaim.clone(),
            auth_on: auth_on.clone(),
        };
        let snapshot_dir = SnapshotDir::open(snapshot_dir, meta.contains_key(META_INSTALLING).map_err(fj)?)?;
        finish_interrupted_install(&handles, &snapshot_dir)?;
        // What openraft is told at start-up is the snapshot (the applied
        // state) must be on disk before it purges the log below it.
        db.persist(fjall::PersistMode::SyncAll).map_err(fj)?;
        let auth = read_auth(&meta)?;
        if auth.enabled {
            auth_on.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        let last_applied: Option<LogId> = decode_or_default(meta.get(META_LAST_APPLIED).map_err(fj)?)?;
        let membership: StoredMembership = decode_or_default(meta.get(META_MEMBERSHIP).map_err(fj)?)?;
        let cluster = read_cluster(&meta)?;
        let clock_ms = read_clock(&meta)?;
        let recent = load_recent(&requests)?;
        let stored = meta.get(META_HISTORY_START).map_err(fj)?;
        let start = super::history::start_of(stored.as_deref(), last_applied)?;
        if stored.is_none() {
            // A directory from before the history: it starts now.
            meta.insert(META_HISTORY_START, encode(&start)?).map_err(fj)?;
        }
        let history = History::load(&events, start, HistoryLimits::default())?;
        let applied = Arc::new(tokio::sync::watch::Sender::new(
            last_applied.map_or(0, |l: LogId| l.index()),
        ));
        let syncer = start_syncer(&db, &events, &reclaim)?;
        Ok(StateMachine {
            db,
            kv,
            meta,
            requests,
            ttl,
            tokens,
            events,
            history,
            applied,
            snapshot_dir,
            installing: Arc::new(AtomicBool::new(false)),
            auth_on,
            auth,
            last_applied,
            membership,
            cluster,
            clock_ms,
            recent,
            syncer,
            reclaim,
            synced_hint: last_applied.map_or(0, |l: LogId| l.index()),
            _lock: lock,
        })
    }

    pub fn reader(&self) -> KvReader {
        KvReader {
            db: self.db.clone(),
            kv: self.kv.clone(),
            meta: self.meta.clone(),
            ttl: self.ttl.clone(),
            tokens: self.tokens.clone(),
            requests: self.requests.clone(),
            events: self.events.clone(),
            reclaim: self.reclaim.clone(),
            applied: self.applied.clone(),
            installing: self.installing.clone(),
            auth_on: self.auth_on.clone(),
        }
    }

    /// How much watch history this node keeps (`--watch-history`,
    /// `--watch-history-age`); pruning to new limits happens as entries
    /// are applied.
    pub fn set_history_limits(&mut self, limits: HistoryLimits) {
        self.history.limits = limits;
    }

    /// Quorum-loss recovery only: makes `membership` the applied one,
    /// durably (the entries applied named members that are gone).
    pub(super) fn set_membership(&mut self, membership: StoredMembership) -> io::Result<()> {
        self.meta.insert(META_MEMBERSHIP, encode(&membership)?).map_err(fj)?;
        self.db.persist(fjall::PersistMode::SyncAll).map_err(fj)?;
        self.membership = membership;
        Ok(())
    }

    pub(super) fn handles(&self) -> SmHandles {
        SmHandles {
            db: self.db.clone(),
            kv: self.kv.clone(),
            meta: self.meta.clone(),
            requests: self.requests.clone(),
            tokens: self.tokens.clone(),
            ttl: self.ttl.clone(),
            events: self.events.clone(),
            reclaim: self.reclaim.clone(),
            auth_on: self.auth_on.clone(),
        }
    }

    fn builder(&self) -> SnapshotBuilder {
        SnapshotBuilder { sm: self.handles() }
    }

    /// Writes key changes of the entry at `revision`, keeps the TTL index
    /// in step, and records the changes in the watch history. `prior` holds
    /// the records before the entry of keys already read.
    fn write_changes(
        &self,
        batch: &mut fjall::OwnedWriteBatch,
        staged: &mut Staged,
        changes: BTreeMap<String, Option<KvRecord>>,
        mut prior: BTreeMap<String, Option<Prior>>,
        (revision, now_ms): (u64, u64),
    ) -> io::Result<()> {
        let mut events = EventWriter {
            revision,
            now_ms,
            seq: 0,
        };
        let mut budget = PRIOR_VALUE_BUDGET;
        for (key, new) in changes {
            let old = match prior.remove(&key) {
                Some(known) => known,
                None => staged.over(&self.kv).get(&key)?.map(|r| keep_prior(&mut budget, &r)),
            };
            events.write(self, batch, staged, &key, new.as_ref(), old.as_ref())?;
            if let Some(t) = old.and_then(|o| o.record.expires_at_ms) {
                batch.remove(&self.ttl, ttl_key(t, &key));
                staged.bytes += key.len() + STAGED_CHANGE_BYTES;
            }
            staged.bytes += key.len() + STAGED_CHANGE_BYTES;
            match &new {
                Some(r) => {
                    if let Some(t) = r.expires_at_ms {
                        batch.insert(
                            &self.ttl,
                            ttl_key(t, &key),
                            super::codec::index_key(r.mod_revision).to_vec(),
                        );
                        staged.bytes += key.len() + STAGED_CHANGE_BYTES;
                    }
                    staged.bytes += r.value.len();
                    batch.insert(&self.kv, key.as_str(), encode(r)?);
                }
                None => batch.remove(&self.kv, key.as_str()),
            }
            staged.kv.insert(key, new);
        }
        if events.seq > 0 {
            staged.history.push((revision, events.seq, now_ms));
        }
        Ok(())
    }

    /// Applies one command at its effective time `now_ms` (see the module
    /// doc on time).
    fn apply_command(
        &mut self,
        batch: &mut fjall::OwnedWriteBatch,
        staged: &mut Staged,
        index: u64,
        now_ms: u64,
        cmd: Command,
    ) -> io::Result<CommandResponse> {
        let digest = match &cmd.request_id {
            Some(id) => {
                let digest = op_digest(&cmd.op)?;
                let known = match staged.requests.get(id) {
                    Some(bytes) => bytes.clone(),
                    None => self.requests.get(id).map_err(fj)?.map(|b| b.to_vec()),
                };
                if let Some(bytes) = known {
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
                let view = staged.over(&self.kv);
                let mut pending = Pending::new(&view, now_ms);
                let resp = pending.apply(txn, index)?;
                match pending.refused.take() {
                    Some(reason) => CommandResponse::Refused { reason },
                    None => {
                        let changes = std::mem::take(&mut pending.changes);
                        let prior = std::mem::take(&mut pending.prior);
                        self.write_changes(batch, staged, changes, prior, (index, now_ms))?;
                        CommandResponse::Txn(resp)
                    }
                }
            }
            Op::Expire { keys } => {
                let mut changes = BTreeMap::new();
                let mut prior = BTreeMap::new();
                let mut budget = PRIOR_VALUE_BUDGET;
                let view = staged.over(&self.kv);
                for (key, rev) in keys {
                    if let Some(r) = view.get(&key)? {
                        if r.mod_revision == rev && !is_live(&r, now_ms) {
                            prior.insert(key.clone(), Some(keep_prior(&mut budget, &r)));
                            changes.insert(key, None);
                        }
                    }
                }
                let deleted = changes.len() as u64;
                self.write_changes(batch, staged, changes, prior, (index, now_ms))?;
                CommandResponse::Expired { deleted }
            }
            Op::ReserveNodeId { id, peer_url } => reserve_node_id(&mut self.cluster, id, peer_url),
            Op::Auth(op) => CommandResponse::Auth(self.apply_auth(batch, op)?),
        };
        if let Some(id) = cmd.request_id {
            let encoded = encode(&RequestRecord::new(now_ms, &response, digest)?)?;
            let size = (id.len() + encoded.len()) as u64;
            staged.bytes += size as usize;
            batch.insert(&self.requests, id.as_str(), encoded.as_slice());
            staged.requests.insert(id.clone(), Some(encoded));
            self.recent.insert(now_ms, id, size);
            for old in self.recent.prune(cmd.dedup) {
                staged.bytes += old.len() + STAGED_CHANGE_BYTES;
                batch.remove(&self.requests, old.as_str());
                staged.requests.insert(old, None);
            }
        }
        Ok(response)
    }

    /// Commits the staged entries with the metadata as of the last of them,
    /// then answers them.
    fn commit_staged(&mut self, mut batch: fjall::OwnedWriteBatch, staged: &mut Staged) -> io::Result<()> {
        if staged.entries == 0 {
            return Ok(());
        }
        batch.insert(&self.meta, META_LAST_APPLIED, encode(&self.last_applied)?);
        batch.insert(&self.meta, META_MEMBERSHIP, encode(&self.membership)?);
        batch.insert(&self.meta, META_CLUSTER, encode(&self.cluster)?);
        batch.insert(&self.meta, META_CLOCK, encode(&self.clock_ms)?);
        // Pruning moves the start only: no event is deleted here. Whole
        // tables below the start are dropped later, once the start is on
        // disk ([`history::Reclaim`]): deleting the oldest events one by one
        // made every compaction of the history rewrite it.
        let pruned = self.history.prune(self.clock_ms);
        if !pruned.is_empty() {
            batch.insert(&self.meta, META_HISTORY_START, encode(&self.history.start)?);
        }
        batch.commit().map_err(fj)?;
        self.publish_auth();
        for (revision, n, at_ms) in staged.history.drain(..) {
            self.history.push(revision, n, at_ms);
        }
        let last = self.last_applied.map_or(0, |l| l.index());
        self.applied.send_replace(last);
        if last / SYNC_EVERY != self.synced_hint / SYNC_EVERY {
            self.synced_hint = last;
            // Full: a sync is already due, which covers this one.
            let _ = self.syncer.sender().try_send(SyncRequest {
                start: self.history.start,
                installs: self.reclaim.installs(),
            });
        }
        for (responder, reply) in staged.replies.drain(..) {
            responder.send(reply);
        }
        *staged = Staged::default();
        Ok(())
    }

    /// Tells readers that auth is on, once it is committed.
    fn publish_auth(&self) {
        if self.auth.enabled {
            self.auth_on.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// Applies an auth change. Auth, once on, stays on; the root token is
    /// created once per cluster; a revoked token's record is deleted, so it
    /// is unknown to every node that applied the revocation.
    fn apply_auth(&mut self, batch: &mut fjall::OwnedWriteBatch, op: AuthOp) -> io::Result<AuthOutcome> {
        let outcome = match op {
            AuthOp::Enable { root } => {
                self.auth.enabled = true;
                if let Some(root) = root.filter(|r| !self.auth.bootstrapped && is_root(r)) {
                    self.auth.bootstrapped = true;
                    batch.insert(&self.tokens, root.id.as_str(), encode(&root)?);
                }
                AuthOutcome::Enabled
            }
            AuthOp::Bootstrap { .. } if !self.auth.enabled => AuthOutcome::NotAllowed {
                reason: "auth is off in this cluster (start its first node with --auth)".into(),
            },
            AuthOp::Bootstrap { .. } if self.auth.bootstrapped => AuthOutcome::NotAllowed {
                reason: "the root token was created already; bootstrap works once per cluster".into(),
            },
            AuthOp::Bootstrap { root } if !is_root(&root) => AuthOutcome::NotAllowed {
                reason: "a root token is an admin token named root, without prefixes or expiry".into(),
            },
            AuthOp::Bootstrap { root } => {
                self.auth.bootstrapped = true;
                batch.insert(&self.tokens, root.id.as_str(), encode(&root)?);
                AuthOutcome::Created { id: root.id }
            }
            AuthOp::Create { .. } | AuthOp::Revoke { .. } if !self.auth.enabled => AuthOutcome::NotAllowed {
                reason: "auth is off in this cluster: tokens can be created only once it is on".into(),
            },
            AuthOp::Create { token } => {
                if self.tokens.contains_key(token.id.as_str()).map_err(fj)? {
                    AuthOutcome::NotAllowed {
                        reason: format!("token id {} is in use", token.id),
                    }
                } else {
                    batch.insert(&self.tokens, token.id.as_str(), encode(&token)?);
                    AuthOutcome::Created { id: token.id }
                }
            }
            AuthOp::Revoke { id } => {
                if self.tokens.contains_key(id.as_str()).map_err(fj)? {
                    batch.remove(&self.tokens, id.as_str());
                    AuthOutcome::Revoked { id }
                } else {
                    AuthOutcome::Unknown { id }
                }
            }
        };
        batch.insert(&self.meta, META_AUTH, encode(&self.auth)?);
        Ok(outcome)
    }

    /// The last applied log id, as stored.
    #[cfg(test)]
    pub(super) fn last_applied(&self) -> Option<LogId> {
        self.last_applied
    }
}

impl RaftStateMachine<TypeConfig> for StateMachine {
    type SnapshotData = SnapshotData;
    type SnapshotBuilder = SnapshotBuilder;

    async fn applied_state(&mut self) -> Result<(Option<LogId>, StoredMembership), io::Error> {
        Ok((self.last_applied, self.membership.clone()))
    }

    async fn apply<Strm>(&mut self, mut entries: Strm) -> Result<(), io::Error>
    where
        Strm: Stream<Item = Result<EntryResponder<TypeConfig>, io::Error>> + Unpin + OptionalSend,
    {
        let mut staged = Staged::default();
        let mut batch = self.db.batch();
        while let Some((entry, responder)) = entries.try_next().await? {
            let index = entry.log_id.index();
            if matches!(&entry.payload, EntryPayload::Normal(Command { op: Op::Auth(_), .. })) {
                // Auth changes read the tokens keyspace, which is not staged.
                self.commit_staged(std::mem::replace(&mut batch, self.db.batch()), &mut staged)?;
            }
            let reply = match entry.payload {
                EntryPayload::Blank => CommandResponse::None,
                EntryPayload::Normal(cmd) => {
                    self.clock_ms = self.clock_ms.max(cmd.at_ms);
                    let now = self.clock_ms;
                    self.apply_command(&mut batch, &mut staged, index, now, cmd)?
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
            staged.entries += 1;
            if let Some(r) = responder {
                staged.bytes += reply_bytes(&reply);
                staged.replies.push((r, reply));
            }
            if staged.is_full() {
                self.commit_staged(std::mem::replace(&mut batch, self.db.batch()), &mut staged)?;
            }
        }
        self.commit_staged(batch, &mut staged)
    }

    async fn get_snapshot_builder(&mut self) -> Self::SnapshotBuilder {
        self.builder()
    }

    async fn install_snapshot(&mut self, meta: &SnapshotMeta, snapshot: SnapshotData) -> Result<(), io::Error> {
        if meta.last_log_id.is_some() && meta.last_log_id <= self.last_applied {
            tracing::warn!(snapshot = %meta, applied = ?self.last_applied, "ignoring a snapshot that is not newer than the applied state");
            return Ok(());
        }
        let started = std::time::Instant::now();
        let reclaim = self.reclaim.clone();
        let _no_drops = reclaim.begin_install().await;
        self.install_on_disk(meta, snapshot).await?;
        tracing::info!(
            index = ?meta.last_log_id.map(|l| l.index()),
            took_ms = started.elapsed().as_millis() as u64,
            "snapshot installed"
        );
        self.last_applied = meta.last_log_id;
        self.membership = meta.last_membership.clone();
        self.cluster = read_cluster(&self.meta)?;
        self.auth = read_auth(&self.meta)?;
        self.publish_auth();
        self.clock_ms = read_clock(&self.meta)?;
        self.recent = load_recent(&self.requests)?;
        let stored = self.meta.get(META_HISTORY_START).map_err(fj)?;
        let start = super::history::start_of(stored.as_deref(), meta.last_log_id)?;
        self.history = History::load(&self.events, start, self.history.limits)?;
        self.applied.send_replace(meta.last_log_id.map_or(0, |l| l.index()));
        Ok(())
    }

    async fn get_current_snapshot(&mut self) -> Result<Option<Snapshot>, io::Error> {
        // The state as applied now: a view, streamed only if it is sent.
        let sm = self.handles();
        let snapshot = super::spawn_blocking(move || sm.durable_snapshot())
            .await
            .map_err(io::Error::other)??;
        // Nothing applied: no snapshot yet.
        Ok(snapshot.meta.last_log_id.is_some().then_some(snapshot))
    }
}

/// Is `r` a root token: id `root`, admin, no prefixes, no expiry? Apply
/// takes no other as the first token.
fn is_root(r: &crate::auth::TokenRecord) -> bool {
    use crate::auth::{Permission, ROOT_ID};
    r.id == ROOT_ID && r.permissions.contains(&Permission::Admin) && r.prefixes.is_empty() && r.expires_at_ms.is_none()
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

#[cfg(test)]
pub(super) mod tests {
    use openraft::entry::RaftEntry;
    use openraft::storage::RaftStateMachine;

    use super::*;
    use crate::txn::{OpResult, Txn, TxnOp};
    use crate::types::alias::Entry;
    use crate::DedupLimits;

    pub(in crate::store) fn put(key: &str, value: &[u8], ttl_ms: Option<u64>) -> Op {
        Op::Txn(Txn {
            success: vec![TxnOp::Put {
                key: key.into(),
                value: value.to_vec(),
                ttl_ms,
            }],
            ..Txn::default()
        })
    }

    pub(in crate::store) fn cmd(at_ms: u64, request_id: Option<&str>, op: Op) -> Command {
        Command {
            request_id: request_id.map(str::to_string),
            at_ms,
            dedup: DedupLimits::default(),
            op,
        }
    }

    pub(in crate::store) async fn apply_all(sm: &mut StateMachine, cmds: Vec<(u64, Command)>) {
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

    /// A new data directory that installed a snapshot of `storage`, and
    /// its storage (the directory first: it must outlive the storage).
    async fn installed_copy(storage: &mut crate::Storage) -> (tempfile::TempDir, crate::Storage) {
        use openraft::RaftSnapshotBuilder;
        let snapshot = storage.sm.get_snapshot_builder().await.build_snapshot().await.unwrap();
        let other = tempfile::tempdir().unwrap();
        let mut fresh = crate::open(other.path()).unwrap();
        fresh
            .sm
            .install_snapshot(&snapshot.meta, snapshot.snapshot)
            .await
            .unwrap();
        (other, fresh)
    }

    /// Every keyspace of the state machine, as stored.
    fn dump(sm: &StateMachine) -> Vec<(&'static str, Vec<u8>, Vec<u8>)> {
        let mut all = Vec::new();
        for (name, ks) in [
            ("kv", &sm.kv),
            ("meta", &sm.meta),
            ("requests", &sm.requests),
            ("ttl", &sm.ttl),
            ("tokens", &sm.tokens),
            ("events", &sm.events),
        ] {
            for guard in ks.iter() {
                let (k, v) = guard.into_inner().unwrap();
                all.push((name, k.to_vec(), v.to_vec()));
            }
        }
        all
    }

    /// Entries applied in one call share a batch: each must still see the
    /// changes of the entries before it, exactly as when applied one call
    /// each, whatever the split into calls (the request-id records keep
    /// every answer, so answers are compared too). Part of the state is
    /// committed by an earlier call, so staged changes hide committed ones.
    #[tokio::test]
    async fn entries_applied_in_one_batch_see_each_other_as_if_applied_one_by_one() {
        let txn = |compare: Vec<crate::txn::Compare>, success: Vec<TxnOp>| {
            Op::Txn(Txn {
                compare,
                success,
                failure: vec![TxnOp::Get { key: "a".into() }],
            })
        };
        let version_is = |key: &str, n: u64| crate::txn::Compare {
            key: key.into(),
            op: crate::txn::CompareOp::Eq,
            target: crate::txn::Target::Version(n),
        };
        let set = |key: &str, value: &[u8], ttl_ms: Option<u64>| TxnOp::Put {
            key: key.into(),
            value: value.to_vec(),
            ttl_ms,
        };
        let auth = Op::Auth;
        let committed = [
            put("c/1", b"x", None),
            put("c/2", b"x", None),
            put("c/3", b"x", None),
            put("t", b"x", Some(60_000)),
            put("p/0", b"x", None),
        ];
        let ops = vec![
            put("a", b"1", Some(60_000)),
            // Sees a's version 1 from the entry before; replaces its TTL.
            txn(vec![version_is("a", 1)], vec![set("a", b"2", Some(5_000))]),
            txn(vec![version_is("a", 1)], vec![set("a", b"no", None)]),
            // A committed record's TTL entry goes through the overlay.
            put("t", b"y", Some(1_000)),
            txn(vec![version_is("t", 2)], vec![set("t", b"z", None)]),
            // A staged deletion hides a committed key from a prefix scan.
            txn(vec![], vec![TxnOp::Delete { key: "c/2".into() }]),
            put("c/4", b"x", None),
            txn(vec![], vec![TxnOp::DeletePrefix { prefix: "c/".into() }]),
            txn(
                vec![version_is("c/1", 0), version_is("c/4", 0)],
                vec![set("q", b"gone", None)],
            ),
            put("p/1", b"x", None),
            put("p/2", b"x", Some(1)),
            txn(vec![], vec![TxnOp::Delete { key: "p/1".into() }]),
            put("p/3", b"x", None),
            txn(vec![], vec![TxnOp::DeletePrefix { prefix: "p/".into() }]),
            // Auth changes commit what is staged first.
            auth(AuthOp::Enable { root: None }),
            auth(AuthOp::Create {
                token: token("0123456789abcdef", "s", &[]),
            }),
            auth(AuthOp::Create {
                token: token("0123456789abcdef", "s", &[]),
            }),
            put("b", b"1", None),
            auth(AuthOp::Revoke {
                id: "0123456789abcdef".into(),
            }),
            put("e", b"x", Some(1)),
            // e has expired by this entry's time.
            Op::Expire {
                keys: vec![("e".into(), 25), ("p/2".into(), 16)],
            },
        ];
        let base = committed.len() as u64;
        let dedup = DedupLimits {
            max_entries: 8,
            max_bytes: u64::MAX,
        };
        let mut cmds: Vec<(u64, Command)> = ops
            .into_iter()
            .enumerate()
            .map(|(i, op)| {
                let mut c = cmd(1_000 + i as u64, Some(&format!("r{i}")), op);
                c.dedup = dedup;
                (base + i as u64 + 1, c)
            })
            .collect();
        // A retry of a remembered entry, an id reused for another write, and
        // an id the table has forgotten (only 8 are kept): applied anew.
        let mut next = base + cmds.len() as u64 + 1;
        for (id, op) in [
            ("r19", put("e", b"x", Some(1))),
            ("r18", put("b", b"other", None)),
            ("r0", put("a", b"1", Some(60_000))),
        ] {
            let mut c = cmd(2_000 + next, Some(id), op);
            c.dedup = dedup;
            cmds.push((next, c));
            next += 1;
        }
        cmds.push((next, cmd(3_000, None, put("b", b"2", None))));
        let last = next;

        // Splits: one call each, one call for all, and pseudo-random ones.
        let mut splits: Vec<Vec<usize>> = vec![vec![1; cmds.len()], vec![cmds.len()]];
        let mut seed = 7u64;
        for _ in 0..4 {
            let mut sizes = Vec::new();
            let mut left = cmds.len();
            while left > 0 {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let n = ((seed >> 33) as usize % 6 + 1).min(left);
                sizes.push(n);
                left -= n;
            }
            splits.push(sizes);
        }
        let mut dumps = Vec::new();
        for sizes in &splits {
            let dir = tempfile::tempdir().unwrap();
            let mut storage = crate::open(dir.path()).unwrap();
            let prefill = committed.iter().enumerate();
            let prefill = prefill.map(|(i, op)| (i as u64 + 1, cmd(500, None, op.clone())));
            apply_all(&mut storage.sm, prefill.collect()).await;
            let mut rest = cmds.clone();
            for &n in sizes {
                let call: Vec<_> = rest.drain(..n).collect();
                apply_all(&mut storage.sm, call).await;
            }
            assert_eq!(storage.sm.last_applied().unwrap().index(), last);
            let a = stored(&storage, "a").unwrap();
            assert_eq!(
                (a.value.as_slice(), a.version),
                (&b"1"[..], 3),
                "r0 was forgotten: applied anew"
            );
            for gone in ["c/1", "c/2", "c/3", "c/4", "p/0", "p/1", "p/2", "p/3"] {
                assert!(stored(&storage, gone).is_none(), "{gone} in split {sizes:?}");
            }
            assert_eq!(stored(&storage, "q").unwrap().value, b"gone");
            assert_eq!(stored(&storage, "t").unwrap().value, b"z");
            let b = stored(&storage, "b").unwrap();
            assert_eq!((b.value.as_slice(), b.version), (&b"2"[..], 2), "r18 reused: refused");
            assert!(
                stored(&storage, "e").is_none(),
                "e expired; r19 retried: not applied again"
            );
            let ttl_entries = dump(&storage.sm).iter().filter(|(ks, _, _)| *ks == "ttl").count();
            assert_eq!(ttl_entries, 1, "a's latest TTL only");
            assert!(storage.sm.tokens.is_empty().unwrap(), "created then revoked");
            dumps.push(dump(&storage.sm));
            drop(storage);
            let reopened = crate::open(dir.path()).unwrap();
            assert_eq!(reopened.sm.last_applied().unwrap().index(), last);
        }
        for (sizes, d) in splits.iter().zip(&dumps).skip(1) {
            assert!(d == &dumps[0], "split {sizes:?} stored another state");
        }
    }

    /// The overlay's prefix scan: staged deletions hidden, staged puts
    /// merged in order, at most `max`.
    #[tokio::test]
    async fn the_overlay_scans_prefixes_as_the_committed_view_would() {
        let dir = tempfile::tempdir().unwrap();
        let mut storage = crate::open(dir.path()).unwrap();
        let committed = ["p/1", "p/2", "p/3", "q/1"];
        let cmds = committed.iter().enumerate();
        let cmds = cmds.map(|(i, k)| (i as u64 + 1, cmd(1, None, put(k, b"x", None))));
        apply_all(&mut storage.sm, cmds.collect()).await;
        let record = stored(&storage, "p/1");
        let mut staged = BTreeMap::new();
        staged.insert("p/1".to_string(), None);
        staged.insert("p/15".to_string(), record);
        staged.insert("p/3".to_string(), None);
        staged.insert("q/0".to_string(), None);
        let view = Overlay {
            staged: &staged,
            kv: &storage.sm.kv,
        };
        assert_eq!(view.keys_with_prefix("p/", 2).unwrap(), ["p/15", "p/2"]);
        assert_eq!(view.keys_with_prefix("p/", 10).unwrap(), ["p/15", "p/2"]);
        assert_eq!(view.keys_with_prefix("q/", 10).unwrap(), ["q/1"]);
        assert!(view.keys_with_prefix("p/", 0).unwrap().is_empty());
        assert!(view.get("p/1").unwrap().is_none());
        assert!(view.get("p/15").unwrap().is_some());
        assert!(view.get("p/2").unwrap().is_some());
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

    fn token(id: &str, secret: &str, prefixes: &[&str]) -> crate::auth::TokenRecord {
        crate::auth::TokenRecord {
            id: id.into(),
            digest: crate::auth::digest(secret),
            permissions: [crate::auth::Permission::Admin].into_iter().collect(),
            prefixes: prefixes.iter().map(|p| p.to_string()).collect(),
            expires_at_ms: None,
            description: String::new(),
            created_at_ms: 0,
        }
    }

    /// Tokens only while auth is on; only a real root record becomes root;
    /// a revoked token is gone from the state machine and from a snapshot
    /// installed on a fresh member.
    #[tokio::test]
    async fn auth_changes_apply_alike_and_revocations_travel_in_snapshots() {
        use crate::auth::{AuthOp, AuthOutcome};
        let dir = tempfile::tempdir().unwrap();
        let mut storage = crate::open(dir.path()).unwrap();
        let auth = |op| Op::Auth(op);
        let early = cmd(
            1,
            None,
            auth(AuthOp::Create {
                token: token("early", "s-early", &[]),
            }),
        );
        apply_all(&mut storage.sm, vec![(1, early)]).await;
        assert!(
            storage.reader.token("early").unwrap().is_none(),
            "created while auth was off"
        );
        let fake_root = token("root", "attacker", &["app/"]);
        apply_all(
            &mut storage.sm,
            vec![(2, cmd(2, None, auth(AuthOp::Enable { root: Some(fake_root) })))],
        )
        .await;
        assert!(storage.reader.auth_state().unwrap().enabled);
        assert!(
            storage.reader.token("root").unwrap().is_none(),
            "a scoped record is no root"
        );
        apply_all(
            &mut storage.sm,
            vec![
                (
                    3,
                    cmd(
                        3,
                        None,
                        auth(AuthOp::Bootstrap {
                            root: token("root", "s-root", &[]),
                        }),
                    ),
                ),
                (
                    4,
                    cmd(
                        4,
                        None,
                        auth(AuthOp::Create {
                            token: token("keep", "s-keep", &["a/"]),
                        }),
                    ),
                ),
                (
                    5,
                    cmd(
                        5,
                        None,
                        auth(AuthOp::Create {
                            token: token("gone", "s-gone", &[]),
                        }),
                    ),
                ),
                (6, cmd(6, None, auth(AuthOp::Revoke { id: "gone".into() }))),
            ],
        )
        .await;
        let mut batch = storage.sm.db.batch();
        let again = storage.sm.apply_auth(
            &mut batch,
            AuthOp::Bootstrap {
                root: token("root", "x", &[]),
            },
        );
        assert!(
            matches!(again.unwrap(), AuthOutcome::NotAllowed { .. }),
            "bootstrap works once"
        );
        drop(batch);
        let (_other, fresh) = installed_copy(&mut storage).await;
        for reader in [&storage.reader, &fresh.reader] {
            assert!(reader.auth_state().unwrap().enabled);
            assert!(reader.token("gone").unwrap().is_none());
            let ids: Vec<String> = reader.tokens().unwrap().into_iter().map(|t| t.id).collect();
            assert_eq!(ids, ["keep", "root"]);
            assert!(crate::auth::matches(&reader.token("root").unwrap().unwrap(), "s-root"));
        }
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
                .apply_command(
                    &mut batch,
                    &mut Staged::default(),
                    index,
                    1_000 + index,
                    cmd(1_000 + index, Some("r1"), op),
                )
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
            .apply_command(
                &mut batch,
                &mut Staged::default(),
                index,
                2_001,
                cmd(2_001, Some("read-big"), read_big.clone()),
            )
            .unwrap();
        batch.commit().unwrap();
        assert!(matches!(&first, CommandResponse::Txn(t) if matches!(&t.results[0], OpResult::Get { item: Some(_) })));
        let kept = sm.requests.get("read-big").unwrap().unwrap();
        assert!(kept.len() < 1_000, "kept {} bytes for one request id", kept.len());
        let mut batch = sm.db.batch();
        let retry = sm
            .apply_command(
                &mut batch,
                &mut Staged::default(),
                index + 1,
                2_002,
                cmd(2_002, Some("read-big"), read_big),
            )
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

    /// What a watcher sees: every change of a prefix in revision order,
    /// TTL expiries included (one found by a later write comes just before
    /// its put), previous records, pages of whole revisions; the same
    /// history on a member that installed a snapshot; and `Compacted` once
    /// the limits pruned what a watch asks for.
    #[tokio::test]
    async fn the_history_holds_every_change_in_order_and_travels_in_snapshots() {
        use crate::store::{EventKind, HistoryError, HistoryLimits, PageLimits, WatchFilter};
        let dir = tempfile::tempdir().unwrap();
        let mut storage = crate::open(dir.path()).unwrap();
        let delete = |key: &str| {
            Op::Txn(Txn {
                success: vec![TxnOp::Delete { key: key.into() }],
                ..Txn::default()
            })
        };
        apply_all(
            &mut storage.sm,
            vec![
                (1, cmd(1_000, None, put("w/a", b"1", None))),
                (2, cmd(1_000, None, put("w/b", b"2", Some(10)))),
                (3, cmd(1_000, None, put("x", b"3", None))),
                (4, cmd(2_000, None, put("w/b", b"4", None))),
                (5, cmd(2_000, None, delete("w/a"))),
            ],
        )
        .await;
        let prefix = WatchFilter::Prefix("w/".into());
        let seen = |reader: &KvReader, after: u64, max: usize| {
            let limits = PageLimits {
                scanned: max,
                bytes: usize::MAX,
            };
            let page = reader.events_after(after, &prefix, limits).unwrap();
            let events: Vec<(u64, EventKind, String, Option<Vec<u8>>)> = page
                .events
                .into_iter()
                .map(|(rev, e)| (rev, e.kind, e.key, e.prev.map(|p| p.value)))
                .collect();
            (events, page.through, page.more)
        };
        let all = vec![
            (1, EventKind::Put, "w/a".to_string(), None),
            (2, EventKind::Put, "w/b".to_string(), None),
            (4, EventKind::Expire, "w/b".to_string(), Some(b"2".to_vec())),
            (4, EventKind::Put, "w/b".to_string(), None),
            (5, EventKind::Delete, "w/a".to_string(), Some(b"1".to_vec())),
        ];
        assert_eq!(seen(&storage.reader, 0, 100), (all.clone(), 5, false));
        assert_eq!(seen(&storage.reader, 3, 100), (all[2..].to_vec(), 5, false));
        assert_eq!(
            seen(&storage.reader, 0, 2),
            (all[..2].to_vec(), 2, true),
            "a page ends after a whole revision"
        );
        assert_eq!(seen(&storage.reader, 5, 100), (vec![], 5, false));

        let (_other, fresh) = installed_copy(&mut storage).await;
        assert_eq!(seen(&fresh.reader, 0, 100), (all.clone(), 5, false));
        assert_eq!(*fresh.reader.applied_revisions().borrow(), 5);

        storage.sm.set_history_limits(HistoryLimits {
            max_events: 2,
            max_age_ms: 3_600_000,
        });
        apply_all(&mut storage.sm, vec![(6, cmd(2_000, None, put("w/c", b"6", None)))]).await;
        let page = PageLimits {
            scanned: 100,
            bytes: usize::MAX,
        };
        match storage.reader.events_after(0, &prefix, page) {
            Err(HistoryError::Compacted { oldest }) => {
                assert_eq!(oldest, 4, "6 events, 2 kept: revisions 1 to 4 pruned")
            }
            other => panic!("expected compacted, got {other:?}"),
        }
        assert_eq!(seen(&storage.reader, 4, 100).0.len(), 2, "revisions 5 and 6 kept");

        // Previous values past the entry's budget are left out, and said so.
        let big = vec![b'x'; crate::txn::PRIOR_VALUE_BUDGET + 1];
        apply_all(
            &mut storage.sm,
            vec![
                (7, cmd(2_000, None, put("w/big", &big, None))),
                (8, cmd(2_000, None, delete("w/big"))),
            ],
        )
        .await;
        let last = storage.reader.events_after(7, &prefix, page).unwrap().events;
        assert_eq!(last.len(), 1);
        assert_eq!(
            (last[0].1.kind, last[0].1.prev.is_none(), last[0].1.prev_omitted),
            (EventKind::Delete, true, true)
        );
        let storage_oldest = storage.reader.events_after(2, &prefix, page);
        drop(storage);
        let reopened = crate::open(dir.path()).unwrap();
        // Pruned further meanwhile (the large put filled a batch of its own),
        // and the start survives the restart.
        let oldest_now = match storage_oldest {
            Err(HistoryError::Compacted { oldest }) => oldest,
            other => panic!("expected compacted, got {other:?}"),
        };
        assert!(oldest_now >= 4);
        assert!(matches!(
            reopened.reader.events_after(2, &prefix, page),
            Err(HistoryError::Compacted { oldest }) if oldest == oldest_now
        ));
    }

    /// Pruning deletes nothing itself: whole tables of events below the
    /// start go, once no reader holds an older start and no install began
    /// since the drop was asked for; the kept history reads the same after.
    #[tokio::test]
    async fn pruned_history_goes_by_whole_tables_behind_readers_and_installs() {
        use crate::store::{HistoryLimits, PageLimits, WatchFilter};
        let dir = tempfile::tempdir().unwrap();
        let mut storage = crate::open(dir.path()).unwrap();
        storage.sm.set_history_limits(HistoryLimits {
            max_events: 10,
            max_age_ms: 3_600_000,
        });
        let puts = |from: u64| -> Vec<(u64, Command)> {
            (from..from + 50)
                .map(|i| (i, cmd(1_000, None, put(&format!("k{i}"), b"v", None))))
                .collect()
        };
        let events = storage.sm.events.clone();
        let on_disk = || events.iter().count();
        // Two tables: revisions 1-50, then 51-100.
        apply_all(&mut storage.sm, puts(1)).await;
        events.rotate_memtable_and_wait().unwrap();
        apply_all(&mut storage.sm, puts(51)).await;
        events.rotate_memtable_and_wait().unwrap();
        // A batch prunes what the batches before it wrote.
        apply_all(&mut storage.sm, vec![(101, cmd(1_000, None, put("k101", b"v", None)))]).await;
        let start = storage.sm.history.start;
        assert_eq!(start, 91, "10 events kept, then 1 more");
        assert_eq!(on_disk(), 101, "pruning deleted nothing");
        storage.sm.db.persist(fjall::PersistMode::SyncAll).unwrap();

        let reclaim = storage.sm.reclaim.clone();
        let drop_below = |start: u64, installs: u64| {
            let (reclaim, events) = (reclaim.clone(), events.clone());
            std::thread::spawn(move || reclaim.drop_below(&events, start, installs).unwrap())
                .join()
                .unwrap()
        };
        // A reader pinned before its view blocks every drop; an install
        // voids the drops asked for before it.
        let pin = reclaim.pin();
        drop_below(start, reclaim.installs());
        assert_eq!(on_disk(), 101, "a reader without a start yet holds everything");
        drop(pin);
        drop(reclaim.begin_install().await);
        drop_below(start, reclaim.installs() - 1);
        assert_eq!(on_disk(), 101, "asked for before an install");

        drop_below(start, reclaim.installs());
        assert_eq!(
            on_disk(),
            51,
            "the table of revisions 1-50 is gone, the one holding 91 stays"
        );
        let page = PageLimits {
            scanned: 100,
            bytes: usize::MAX,
        };
        let kept = storage
            .reader
            .events_after(90, &WatchFilter::Prefix(String::new()), page)
            .unwrap();
        let revisions: Vec<u64> = kept.events.iter().map(|(r, _)| *r).collect();
        assert_eq!(revisions, (91..=101).collect::<Vec<_>>());
    }

    /// A merge writes tables of about `SM_TABLE_BYTES`, not fjall's
    /// default 64 MiB: writes to a narrow range of a large key space then
    /// rewrite one small table per merge, not the 64 MiB around it (with
    /// 1,000,000 keys stored, the put p99 was 3x that of 10,000 keys).
    #[test]
    fn merges_write_tables_of_the_state_machine_size() {
        let dir = tempfile::tempdir().unwrap();
        let storage = crate::open(dir.path()).unwrap();
        let kv = storage.sm.kv.clone();
        let value = vec![7u8; 1024];
        let level_0_emptied = || {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
            while kv.l0_table_count() > 0 {
                assert!(
                    std::time::Instant::now() < deadline,
                    "level 0 was not compacted within 60 s"
                );
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        };
        // Five flushes of 6 MiB, each overlapping half of the one before
        // (18 MiB in all): the first table moves down as it is, the next
        // four reach fjall's threshold for level 0 and are merged with it.
        for pass in 0..5u32 {
            for i in pass * 3_000..pass * 3_000 + 6_000 {
                kv.insert(format!("k{i:08}"), &value).unwrap();
            }
            kv.rotate_memtable_and_wait().unwrap();
            if pass == 0 {
                // The move is asked for after the flush, which
                // `rotate_memtable_and_wait` does not wait for: a second
                // table in level 0 first would keep both there.
                level_0_emptied();
            }
        }
        level_0_emptied();
        let (tables, bytes) = (kv.table_count() as u64, kv.disk_space());
        assert!(tables >= 2, "18 MiB merged into {tables} table(s)");
        assert!(
            bytes / tables <= super::super::SM_TABLE_BYTES + (1 << 20),
            "{bytes} bytes in {tables} tables"
        );
    }
}
