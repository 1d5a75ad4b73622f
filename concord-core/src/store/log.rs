//! The Raft log on fjall, with group commit.
//!
//! Fsync ordering, which every change here must keep:
//! - `append` writes the entries into fjall (readable at once, not yet
//!   durable) and hands openraft's callback to the flusher thread. The flusher
//!   takes every callback queued so far, calls `persist(SyncAll)` once, and
//!   only then completes them: one fsync covers many appends, and no append is
//!   reported durable before an fsync that began after its write.
//! - `save_vote`, `truncate_after` and `purge` are fsynced before they return.
//!   `purge` deletes the entries and records `last_purged` in one batch.
//! - `save_committed` is a hint and is not fsynced (it reaches the disk with
//!   the next fsync of this database): losing it only means re-learning the
//!   commit index from a leader of a new term, which is why a restarted
//!   leader must campaign (`enable_leader_restore` off, see concord-node's
//!   `raft_config`).
//! - Every group-commit fsync is timed: [`LogStore::on_fsync`] hands the
//!   duration to the node's metrics, and one slower than [`SLOW_FSYNC`] is
//!   logged as a warning.

use std::fmt::Debug;
use std::io;
use std::ops::{Bound, RangeBounds};
use std::path::Path;
use std::sync::{mpsc, Arc, OnceLock};
use std::time::{Duration, Instant};

use fjall::{Database, Keyspace, KeyspaceCreateOptions, PersistMode};
use openraft::entry::RaftEntry;
use openraft::storage::{IOFlushed, RaftLogStorage};
use openraft::{LogState, OptionalSend, RaftLogReader};

use super::codec::{decode, encode, fj, index_from_key, index_key};
use super::DirLock;
use crate::types::alias::{Entry, LogId, Vote};
use crate::types::{NodeId, TypeConfig};

const META_VOTE: &str = "vote";
const META_COMMITTED: &str = "committed";
const META_LAST_PURGED: &str = "last_purged";
const META_NODE_ID: &str = "node_id";
const META_FORMAT: &str = "format_version";
const META_CLUSTER_ID: &str = "cluster_id";

/// A group-commit fsync slower than this is logged as a warning (etcd warns
/// from 1 s; a healthy disk takes milliseconds).
pub const SLOW_FSYNC: Duration = Duration::from_millis(500);

/// Told the duration of every group-commit fsync of the Raft log.
pub type FsyncObserver = Arc<dyn Fn(Duration) + Send + Sync>;

/// The Raft log store. Cheap to clone; clones share the database and flusher.
#[derive(Clone)]
pub struct LogStore {
    inner: Arc<Inner>,
}

struct Inner {
    /// Dropped first (fields drop in order): the thread ends and releases
    /// its database clone before `db` below is dropped.
    flusher: super::Worker<mpsc::Sender<IOFlushed<TypeConfig>>>,
    db: Database,
    log: Keyspace,
    meta: Keyspace,
    observer: Arc<OnceLock<FsyncObserver>>,
    _lock: DirLock,
}

impl LogStore {
    pub(super) fn open(path: &Path, lock: DirLock) -> io::Result<Self> {
        let db = Database::builder(path)
            .cache_size(super::LOG_CACHE_BYTES)
            .max_journaling_size(super::MAX_JOURNAL_BYTES)
            .open()
            .map_err(fj)?;
        let opts = || KeyspaceCreateOptions::default().max_memtable_size(super::LOG_MEMTABLE_BYTES);
        let log = db.keyspace("log", opts).map_err(fj)?;
        let meta = db.keyspace("meta", opts).map_err(fj)?;
        let (tx, rx) = mpsc::channel::<IOFlushed<TypeConfig>>();
        let flush_db = db.clone();
        let observer = Arc::new(OnceLock::new());
        let flush_observer = observer.clone();
        let flusher = super::Worker::spawn("concord-log-flush", tx, move || flusher(flush_db, rx, flush_observer))?;
        Ok(LogStore {
            inner: Arc::new(Inner {
                flusher,
                db,
                log,
                meta,
                observer,
                _lock: lock,
            }),
        })
    }

    /// Sets the observer told the duration of every group-commit fsync
    /// (once; later calls are ignored).
    pub fn on_fsync(&self, observer: FsyncObserver) {
        let _ = self.inner.observer.set(observer);
    }

    /// Bytes on disk: journals and tables.
    pub fn disk_space(&self) -> io::Result<u64> {
        self.inner.db.disk_space().map_err(fj)
    }

    fn get_meta<T: serde::de::DeserializeOwned>(&self, key: &str) -> io::Result<Option<T>> {
        match self.inner.meta.get(key).map_err(fj)? {
            Some(bytes) => Ok(Some(decode(&bytes)?)),
            None => Ok(None),
        }
    }

    fn put_meta_durable<T: serde::Serialize>(&self, key: &str, value: &T) -> io::Result<()> {
        self.inner.meta.insert(key, encode(value)?).map_err(fj)?;
        self.inner.db.persist(PersistMode::SyncAll).map_err(fj)
    }

    /// The format version recorded in the directory. A directory of a
    /// bincode-era build (record tag 1) is reported as version 1 without
    /// decoding it, so that it is refused with a clear message.
    pub(super) fn format_version(&self) -> io::Result<Option<u64>> {
        match self.inner.meta.get(META_FORMAT).map_err(fj)? {
            Some(bytes) if bytes.first() == Some(&crate::codec::TAG_BINCODE) => Ok(Some(1)),
            Some(bytes) => Ok(Some(decode(&bytes)?)),
            None => Ok(None),
        }
    }

    pub(super) fn set_format_version(&self, v: u64) -> io::Result<()> {
        self.put_meta_durable(META_FORMAT, &v)
    }

    pub(super) fn node_id(&self) -> io::Result<Option<NodeId>> {
        self.get_meta(META_NODE_ID)
    }

    pub(super) fn set_node_id(&self, id: NodeId) -> io::Result<()> {
        self.put_meta_durable(META_NODE_ID, &id)
    }

    pub(super) fn cluster_id(&self) -> io::Result<Option<String>> {
        self.get_meta(META_CLUSTER_ID)
    }

    pub(super) fn set_cluster_id(&self, id: &str) -> io::Result<()> {
        self.put_meta_durable(META_CLUSTER_ID, &id.to_string())
    }

    /// No vote and no log: this node has never taken part in a cluster.
    pub(super) fn is_empty(&self) -> io::Result<bool> {
        Ok(self.get_meta::<Vote>(META_VOTE)?.is_none()
            && self.inner.log.first_key_value().is_none()
            && self.get_meta::<LogId>(META_LAST_PURGED)?.is_none())
    }

    fn last_entry(&self) -> io::Result<Option<Entry>> {
        match self.inner.log.last_key_value() {
            Some(guard) => {
                let (_, value) = guard.into_inner().map_err(fj)?;
                Ok(Some(decode(&value)?))
            }
            None => Ok(None),
        }
    }

    /// Runs blocking storage work off the async runtime.
    async fn blocking<T, F>(&self, f: F) -> io::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&LogStore) -> io::Result<T> + Send + 'static,
    {
        let this = self.clone();
        super::spawn_blocking(move || f(&this))
            .await
            .map_err(io::Error::other)?
    }
}

/// The group-commit loop: one fsync for every callback queued while the
/// previous fsync ran.
fn flusher(db: Database, rx: mpsc::Receiver<IOFlushed<TypeConfig>>, observer: Arc<OnceLock<FsyncObserver>>) {
    while let Ok(first) = rx.recv() {
        let mut waiting = vec![first];
        waiting.extend(rx.try_iter());
        crash_point!("log-append-before-fsync");
        let started = Instant::now();
        match db.persist(PersistMode::SyncAll) {
            Ok(()) => {
                let took = started.elapsed();
                let appends = waiting.len();
                crash_point!("log-append-after-fsync");
                waiting.into_iter().for_each(|cb| cb.io_completed(Ok(())));
                // Only then the metrics and the warning: they never delay
                // an acknowledgement.
                if let Some(observe) = observer.get() {
                    observe(took);
                }
                if took > SLOW_FSYNC {
                    tracing::warn!(took_ms = took.as_millis() as u64, appends, "slow fsync of the Raft log");
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "fsync of the Raft log failed");
                let msg = e.to_string();
                for cb in waiting {
                    cb.io_completed(Err(io::Error::other(msg.clone())));
                }
            }
        }
    }
}

impl RaftLogReader<TypeConfig> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + OptionalSend>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry>, io::Error> {
        let start = match range.start_bound() {
            Bound::Included(&x) => x,
            Bound::Excluded(&x) => x.saturating_add(1),
            Bound::Unbounded => 0,
        };
        let end = match range.end_bound() {
            Bound::Included(&x) => Bound::Included(index_key(x)),
            Bound::Excluded(&x) => Bound::Excluded(index_key(x)),
            Bound::Unbounded => Bound::Unbounded,
        };
        let mut entries = Vec::new();
        for guard in self.inner.log.range((Bound::Included(index_key(start)), end)) {
            let (key, value) = guard.into_inner().map_err(fj)?;
            let entry: Entry = decode(&value)?;
            let index = index_from_key(&key)?;
            if entry.index() != index {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("log entry stored at {index} has index {}", entry.index()),
                ));
            }
            entries.push(entry);
        }
        Ok(entries)
    }

    async fn read_vote(&mut self) -> Result<Option<Vote>, io::Error> {
        self.get_meta(META_VOTE)
    }
}

impl RaftLogStorage<TypeConfig> for LogStore {
    type LogReader = Self;

    async fn get_log_state(&mut self) -> Result<LogState<TypeConfig>, io::Error> {
        let last_purged_log_id: Option<LogId> = self.get_meta(META_LAST_PURGED)?;
        let last_log_id = match self.last_entry()? {
            Some(entry) => Some(entry.log_id()),
            None => last_purged_log_id,
        };
        Ok(LogState {
            last_purged_log_id,
            last_log_id,
        })
    }

    async fn get_log_reader(&mut self) -> Self::LogReader {
        self.clone()
    }

    async fn save_vote(&mut self, vote: &Vote) -> Result<(), io::Error> {
        let vote = *vote;
        crash_point!("vote-before-save");
        self.blocking(move |s| s.put_meta_durable(META_VOTE, &vote)).await?;
        crash_point!("vote-after-save");
        Ok(())
    }

    async fn save_committed(&mut self, committed: Option<LogId>) -> Result<(), io::Error> {
        match committed {
            Some(c) => self.inner.meta.insert(META_COMMITTED, encode(&c)?).map_err(fj),
            None => self.inner.meta.remove(META_COMMITTED).map_err(fj),
        }
    }

    async fn read_committed(&mut self) -> Result<Option<LogId>, io::Error> {
        self.get_meta(META_COMMITTED)
    }

    async fn append<I>(&mut self, entries: I, callback: IOFlushed<TypeConfig>) -> Result<(), io::Error>
    where
        I: IntoIterator<Item = Entry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let mut batch = self.inner.db.batch();
        for entry in entries {
            batch.insert(&self.inner.log, index_key(entry.index()), encode(&entry)?);
        }
        // Buffered: readable now, durable once the flusher's fsync returns.
        batch.commit().map_err(fj)?;
        if crate::faults::ack_before_fsync() {
            // The defect the power-loss suite must catch: durable in name only.
            callback.io_completed(Ok(()));
            return Ok(());
        }
        self.inner
            .flusher
            .sender()
            .send(callback)
            .map_err(|_| io::Error::other("the log flusher thread has stopped"))
    }

    async fn truncate_after(&mut self, last_log_id: Option<LogId>) -> Result<(), io::Error> {
        let from = last_log_id.map_or(0, |id| id.index() + 1);
        self.blocking(move |s| {
            let mut batch = s.inner.db.batch();
            for key in s.inner.log.range(index_key(from)..) {
                batch.remove(&s.inner.log, key.key().map_err(fj)?);
            }
            batch.commit().map_err(fj)?;
            s.inner.db.persist(PersistMode::SyncAll).map_err(fj)
        })
        .await
    }

    async fn purge(&mut self, log_id: LogId) -> Result<(), io::Error> {
        self.blocking(move |s| {
            // From the last purge on: the range before it is tombstones,
            // which a scan from the start would walk on every purge.
            let from = s.get_meta::<LogId>(META_LAST_PURGED)?.map_or(0, |l| l.index() + 1);
            let mut batch = s.inner.db.batch();
            batch.insert(&s.inner.meta, META_LAST_PURGED, encode(&log_id)?);
            for key in s.inner.log.range(index_key(from)..=index_key(log_id.index())) {
                batch.remove(&s.inner.log, key.key().map_err(fj)?);
            }
            crash_point!("log-purge-before-commit");
            batch.commit().map_err(fj)?;
            s.inner.db.persist(PersistMode::SyncAll).map_err(fj)?;
            crash_point!("log-purge-after-fsync");
            Ok(())
        })
        .await
    }
}
