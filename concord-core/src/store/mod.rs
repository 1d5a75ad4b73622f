//! The data directory: a lock file, the Raft log database and the state
//! machine database, both fjall.
//!
//! Layout of `--data-dir`:
//! - `LOCK`: held (an OS file lock) by the one process that owns the directory.
//! - `raft/`: fjall database with keyspaces `log` (big-endian index -> entry)
//!   and `meta` (`vote`, `committed`, `last_purged`, `node_id`, `format_version`).
//! - `sm/`: fjall database with keyspaces `kv` (key -> [`KvRecord`]) and
//!   `sm_meta` (`last_applied`, `last_membership`).
//! - `snapshots/`: snapshot streams being received, and the one being
//!   installed (see `snapshot.rs`: the state machine itself is the snapshot).
//!
//! Durability rules (see ../shared/RAFT-NOTES.md) are stated in each module.

mod backup;
mod codec;
mod history;
mod log;
mod reader;
mod recover;
mod sm;
mod snapshot;

use std::fs::{self, File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

pub use self::backup::{
    inspect_backup, restore_backup, write_backup, BackupHeader, BackupInfo, RestoreError, Restored,
};
pub use self::log::LogStore;
pub use self::recover::{examine, most_up_to_date, recover, Candidate, RecoverError, Recovered};

/// Runs blocking storage work (log appends and fsyncs, vote saves,
/// truncation, purge, snapshot build and install) on threads of its own,
/// never on tokio's shared blocking pool: request handlers use that pool
/// too, and slow clients could fill it, stalling Raft behind them.
pub(crate) fn spawn_blocking<T, F>(f: F) -> tokio::task::JoinHandle<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    use std::sync::OnceLock;
    static POOL: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    POOL.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .max_blocking_threads(64)
            .thread_name("concord-storage")
            .build()
            .expect("cannot start the storage threads")
    })
    .spawn_blocking(f)
}
pub use self::history::{EventKind, EventPage, HistoryError, HistoryLimits, PageLimits, StoredEvent, WatchFilter};
pub use self::reader::{ExportView, KvReader, ListPage, ListQuery};
pub use self::sm::{ClusterMeta, StateMachine};
pub use self::snapshot::{
    incoming_snapshot_path, validate_snapshot_file, validate_snapshot_stream, SnapshotData, StateView,
};

/// Memory the databases may take (issue 13: one node with 1,000,000 keys
/// stays under 200 MB resident). fjall's defaults (a 64 MiB memtable per
/// keyspace, a 32 MiB block cache per database) are
/// sized for a machine to itself.
pub(crate) const SM_CACHE_BYTES: u64 = 24 << 20;
pub(crate) const SM_MEMTABLE_BYTES: u64 = 8 << 20;
/// Size of the tables a merge writes in the state machine's keyspaces
/// (fjall's default is 64 MiB). A flush is at most a memtable, so with 64
/// MiB tables every merge of level 0 rewrote up to 64 MiB around the keys
/// it carried: with 1,000,000 keys stored and puts to a narrow range, the
/// put p99 was about 3x that of 10,000 keys. fjall stores this with each
/// keyspace when it is created; a data directory keeps the size it was
/// created with.
pub(crate) const SM_TABLE_BYTES: u64 = 8 << 20;
pub(crate) const LOG_CACHE_BYTES: u64 = 8 << 20;
pub(crate) const LOG_MEMTABLE_BYTES: u64 = 8 << 20;
/// Journals kept before fjall flushes the keyspaces that pin the oldest
/// (fjall's least; its default is 512 MiB): a restart replays at most
/// about this much.
pub(crate) const MAX_JOURNAL_BYTES: u64 = 64 << 20;

use crate::types::{KvRecord, NodeId};

/// Decodes a stored Raft log entry (as the log store does); for tests of
/// the decoder against arbitrary bytes.
pub fn decode_entry(bytes: &[u8]) -> std::io::Result<crate::types::alias::Entry> {
    codec::decode(bytes)
}

/// The on-disk format this build writes and understands: 5 is postcard
/// records (see `crate::codec`) whose request-id records carry the digest
/// of their operation, with tokens and the auth state in snapshots; 3
/// (snapshots without them), 2 (request ids without the digest) and 1
/// (bincode) are refused.
pub const FORMAT_VERSION: u64 = 5;

/// Errors opening a data directory.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("data directory {0} is in use by another concord process (lock held on {0}/LOCK)")]
    Locked(PathBuf),
    #[error("cannot create data directory {path}: {source}")]
    CreateDir { path: PathBuf, source: io::Error },
    #[error("data directory {dir} belongs to node {found}, not node {wanted}")]
    WrongNode {
        dir: PathBuf,
        found: NodeId,
        wanted: NodeId,
    },
    #[error("data directory {dir} belongs to cluster {found}, not cluster {wanted}")]
    WrongCluster {
        dir: PathBuf,
        found: String,
        wanted: String,
    },
    #[error(
        "data directory {dir} has format version {found}; this build reads only version {FORMAT_VERSION} \
         (pre-1.0 builds do not migrate data: export with the old build, import into a new data directory)"
    )]
    Format { dir: PathBuf, found: u64 },
    #[error("storage error in {dir}: {source}")]
    Io { dir: PathBuf, source: io::Error },
}

/// An opened data directory. Dropping it (and every clone of its stores)
/// releases the lock.
pub struct Storage {
    pub log: LogStore,
    pub sm: StateMachine,
    pub reader: KvReader,
    /// The node id recorded in the directory, if any.
    pub node_id: Option<NodeId>,
    /// The cluster this directory belongs to, once known.
    pub cluster_id: Option<String>,
    /// `true` when the directory held no Raft state (no vote, no log).
    pub is_fresh: bool,
    /// The directory's lock: held while any clone of it lives.
    pub lock: DirLock,
}

/// Opens (creating when needed) the data directory at `dir` and takes its lock.
pub fn open(dir: &Path) -> Result<Storage, OpenError> {
    create_dir_durably(dir).map_err(|source| OpenError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let io_err = |source: io::Error| OpenError::Io {
        dir: dir.to_path_buf(),
        source,
    };
    let lock = lock_dir(dir)?;
    let log = LogStore::open(&dir.join("raft"), lock.clone()).map_err(io_err)?;
    match log.format_version().map_err(io_err)? {
        None => log.set_format_version(FORMAT_VERSION).map_err(io_err)?,
        Some(FORMAT_VERSION) => {}
        Some(found) => {
            return Err(OpenError::Format {
                dir: dir.to_path_buf(),
                found,
            })
        }
    }
    let node_id = log.node_id().map_err(io_err)?;
    let cluster_id = log.cluster_id().map_err(io_err)?;
    let is_fresh = log.is_empty().map_err(io_err)?;
    let sm = StateMachine::open(&dir.join("sm"), &dir.join("snapshots"), lock.clone()).map_err(io_err)?;
    sync_dir_tree(dir).map_err(io_err)?;
    let reader = sm.reader();
    Ok(Storage {
        log,
        sm,
        reader,
        node_id,
        cluster_id,
        is_fresh,
        lock,
    })
}

/// Fsyncs the directory that holds `path` (the current directory for a
/// bare name), so that `path`'s entry in it survives a power cut.
pub fn sync_parent_dir(path: &Path) -> io::Result<()> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::File::open(parent)?.sync_all()
}

/// `create_dir_all`, then an fsync of the parent of every directory it
/// created, so that they survive a power cut.
fn create_dir_durably(dir: &Path) -> io::Result<()> {
    let mut created = Vec::new();
    let mut at = Some(dir);
    while let Some(d) = at.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        created.push(d);
        at = d.parent();
    }
    fs::create_dir_all(dir)?;
    created.into_iter().try_for_each(sync_parent_dir)
}

/// Fsyncs `dir`, every directory below it, and its parent, so that the
/// entries created while opening (the data directory itself, fjall's
/// `keyspaces/<id>/` directories, which fjall 3.1 creates without syncing
/// `keyspaces/`) survive a power cut. Found by the lazyfs power-loss tests: a
/// node cut off after its first writes came back with no keyspaces.
fn sync_dir_tree(dir: &Path) -> io::Result<()> {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in fs::read_dir(&at)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                stack.push(entry.path());
            }
        }
        fs::File::open(&at)?.sync_all()?;
    }
    sync_parent_dir(dir)
}

impl Storage {
    /// Records the node id on first start; refuses a directory that belongs to
    /// another node.
    pub fn claim_node_id(&mut self, dir: &Path, id: NodeId) -> Result<(), OpenError> {
        match self.node_id {
            Some(found) if found != id => Err(OpenError::WrongNode {
                dir: dir.to_path_buf(),
                found,
                wanted: id,
            }),
            Some(_) => Ok(()),
            None => {
                self.log.set_node_id(id).map_err(|source| OpenError::Io {
                    dir: dir.to_path_buf(),
                    source,
                })?;
                self.node_id = Some(id);
                Ok(())
            }
        }
    }
}

impl Storage {
    /// Records the cluster id on first start; refuses a directory that
    /// belongs to another cluster.
    pub fn claim_cluster_id(&mut self, dir: &Path, id: &str) -> Result<(), OpenError> {
        match &self.cluster_id {
            Some(found) if found != id => Err(OpenError::WrongCluster {
                dir: dir.to_path_buf(),
                found: found.clone(),
                wanted: id.to_string(),
            }),
            Some(_) => Ok(()),
            None => {
                self.log.set_cluster_id(id).map_err(|source| OpenError::Io {
                    dir: dir.to_path_buf(),
                    source,
                })?;
                self.cluster_id = Some(id.to_string());
                Ok(())
            }
        }
    }
}

/// A store's background thread, fed through a channel and holding a clone
/// of the store's database. Dropping it closes the channel and waits for
/// the thread to end, so that the database is released (and fjall has
/// stopped its own workers) once the store is dropped: an offline command
/// (`cluster recover`) renames the directory right after.
pub(crate) struct Worker<S> {
    tx: Option<S>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl<S> Worker<S> {
    /// Starts `body` on a thread named `name`; it must return once every
    /// sender of its channel is gone.
    pub(crate) fn spawn(name: &str, tx: S, body: impl FnOnce() + Send + 'static) -> io::Result<Self> {
        let thread = std::thread::Builder::new().name(name.into()).spawn(body)?;
        Ok(Worker {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    pub(crate) fn sender(&self) -> &S {
        self.tx.as_ref().expect("a worker's sender lives until it is dropped")
    }
}

impl<S> Drop for Worker<S> {
    fn drop(&mut self) {
        drop(self.tx.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The process-wide lock on a data directory, shared by the stores that use it.
pub type DirLock = std::sync::Arc<File>;

fn lock_dir(dir: &Path) -> Result<DirLock, OpenError> {
    let path = dir.join("LOCK");
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| OpenError::Io {
            dir: dir.to_path_buf(),
            source,
        })?;
    match file.try_lock() {
        Ok(()) => Ok(std::sync::Arc::new(file)),
        Err(TryLockError::WouldBlock) => Err(OpenError::Locked(dir.to_path_buf())),
        Err(TryLockError::Error(source)) => Err(OpenError::Io {
            dir: dir.to_path_buf(),
            source,
        }),
    }
}

/// Is the record visible at `now_ms`? Expired keys are invisible to reads
/// before the sweep deletes them.
pub fn is_live(record: &KvRecord, now_ms: u64) -> bool {
    record.expires_at_ms.is_none_or(|t| t > now_ms)
}

#[cfg(test)]
mod conformance {
    //! openraft's storage conformance suite against the real fjall stores.

    use openraft::testing::log::{StoreBuilder, Suite};
    use openraft::StorageError;

    use super::{LogStore, StateMachine};
    use crate::types::TypeConfig;

    struct Builder;

    impl StoreBuilder<TypeConfig, LogStore, StateMachine, tempfile::TempDir> for Builder {
        async fn build(&self) -> Result<(tempfile::TempDir, LogStore, StateMachine), StorageError<TypeConfig>> {
            let dir = tempfile::tempdir().expect("temp dir");
            let storage = super::open(dir.path()).expect("open storage");
            Ok((dir, storage.log, storage.sm))
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn openraft_storage_suite() -> Result<(), StorageError<TypeConfig>> {
        Suite::test_all(Builder).await
    }
}

#[cfg(test)]
mod tests {
    use openraft::entry::RaftEntry;
    use openraft::storage::{IOFlushed, RaftLogStorage, RaftStateMachine};
    use openraft::{RaftSnapshotBuilder, StorageHelper};

    use super::*;
    use crate::types::alias::Entry;
    use crate::{Command, DedupLimits, Op, TypeConfig};

    fn entry(index: u64) -> Entry {
        let cmd = Command {
            request_id: None,
            at_ms: 1,
            dedup: DedupLimits::default(),
            op: Op::Txn(crate::Txn {
                success: vec![crate::TxnOp::Put {
                    key: format!("k{index}"),
                    value: b"v".to_vec(),
                    ttl_ms: None,
                }],
                ..crate::Txn::default()
            }),
        };
        Entry::new_normal(openraft::testing::log_id::<TypeConfig>(1, 1, index), cmd)
    }

    async fn apply(sm: &mut StateMachine, indexes: std::ops::RangeInclusive<u64>) {
        let entries: Vec<io::Result<_>> = indexes.map(|i| Ok((entry(i), None))).collect();
        sm.apply(futures::stream::iter(entries)).await.unwrap();
    }

    /// Found by a 300 s chaos run: after `kill -9` between the two write()
    /// calls of one buffered journal entry, the state machine's journal
    /// (preallocated with zeros) ends in an entry header whose second length
    /// is still zero. fjall's release build truncates such a tail; its debug
    /// assertion panicked instead, so a test build could not restart. The
    /// torn bytes below are the ones that run left behind.
    #[tokio::test]
    async fn a_torn_journal_tail_after_kill_9_is_truncated_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut s = open(dir.path()).unwrap();
            apply(&mut s.sm, 1..=5).await;
        }
        let journal = dir.path().join("sm").join("0.jnl");
        let mut bytes = std::fs::read(&journal).unwrap();
        let end = bytes.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
        let mut torn = vec![1u8]; // batch start: 1 item, seqno
        torn.extend_from_slice(&1u32.to_le_bytes());
        torn.extend_from_slice(&1_000u64.to_le_bytes());
        torn.extend_from_slice(&[2, 0, 0]); // item, value type, no compression
        torn.extend_from_slice(&2u64.to_le_bytes()); // keyspace
        torn.extend_from_slice(&15u16.to_le_bytes()); // key length
        torn.extend_from_slice(&249u32.to_le_bytes()); // value length; the on-disk length never written
        if bytes.len() < end + torn.len() + 64 {
            bytes.resize(end + torn.len() + 64, 0);
        }
        bytes[end..end + torn.len()].copy_from_slice(&torn);
        std::fs::write(&journal, &bytes).unwrap();
        let s = open(dir.path()).expect("the torn tail is truncated");
        assert_eq!(
            s.sm.last_applied().map(|l| l.index()),
            Some(5),
            "the whole batches before it stay"
        );
    }

    /// Defect: a follower applies entries the cluster committed before its own
    /// append of them is fsynced; a crash then leaves the state machine ahead
    /// of the durable log. openraft's start-up purged the log up to
    /// `last_applied`, past the snapshot, which breaks `purged <= snapshot`.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_state_machine_ahead_of_the_durable_log_gets_a_snapshot_before_the_purge() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut s = open(dir.path()).unwrap();
            apply(&mut s.sm, 1..=3).await;
            let mut builder = s.sm.get_snapshot_builder().await;
            builder.build_snapshot().await.unwrap();
            apply(&mut s.sm, 4..=10).await;
            // Only 1..=5 reached the durable log before the "crash".
            s.log.append((1..=5).map(entry), IOFlushed::noop()).await.unwrap();
            s.log
                .save_committed(Some(openraft::testing::log_id::<TypeConfig>(1, 1, 10)))
                .await
                .unwrap();
        }
        let mut s = open(dir.path()).unwrap();
        let state = StorageHelper::new(&mut s.log, &mut s.sm)
            .with_id(1)
            .get_initial_state()
            .await
            .expect("initial state");
        let purged = s
            .log
            .get_log_state()
            .await
            .unwrap()
            .last_purged_log_id
            .map(|l| l.index());
        let snapshot = state.snapshot_meta.last_log_id.map(|l| l.index());
        assert_eq!(purged, Some(10), "openraft closes the hole by purging to last_applied");
        assert!(
            snapshot >= purged,
            "the log is purged to {purged:?} past the snapshot at {snapshot:?}"
        );
    }

    #[test]
    fn second_open_of_a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let first = open(dir.path()).unwrap();
        let err = open(dir.path()).err().expect("second open must fail");
        assert!(matches!(err, OpenError::Locked(_)), "{err}");
        drop(first);
        open(dir.path()).expect("open after the first owner dropped it");
    }

    #[test]
    fn node_id_is_claimed_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = open(dir.path()).unwrap();
        s.claim_node_id(dir.path(), 7).unwrap();
        drop(s);
        let mut s = open(dir.path()).unwrap();
        assert_eq!(s.node_id, Some(7));
        let err = s.claim_node_id(dir.path(), 8).unwrap_err();
        assert!(
            matches!(
                err,
                OpenError::WrongNode {
                    found: 7,
                    wanted: 8,
                    ..
                }
            ),
            "{err}"
        );
    }
}
