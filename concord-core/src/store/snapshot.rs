//! Snapshots of the state machine: building one ([`SnapshotBuilder`]),
//! the snapshot file on disk ([`SnapshotFiles`]), checking a received one
//! ([`validate_snapshot`]) and writing an installed one over the state
//! machine. Deciding whether to install (never at or below `last_applied`)
//! and reloading the in-memory state after it are `sm.rs`'s.
//!
//! Rules every change here must keep:
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

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use fjall::{Database, Keyspace, PersistMode, Readable};
use openraft::RaftSnapshotBuilder;
use serde::{Deserialize, Serialize};

use super::codec::{decode, encode, fj};
use super::reader::utf8_key;
use super::sm::{
    ttl_key, ClusterMeta, RequestRecord, StateMachine, META_AUTH, META_CLOCK, META_CLUSTER, META_LAST_APPLIED,
    META_MEMBERSHIP,
};
use crate::auth::{AuthState, TokenRecord};
use crate::types::alias::{LogId, Snapshot, SnapshotMeta, StoredMembership};
use crate::types::{KvRecord, TypeConfig};

const SNAPSHOT_FILE: &str = "current.snap";

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
    auth: AuthState,
    /// Token records (digests only): a revoked token is absent, so it stays
    /// refused on a member that starts from this snapshot.
    tokens: Vec<TokenRecord>,
}

/// A snapshot file on disk: its metadata and its payload bytes.
#[derive(Serialize, Deserialize)]
pub(super) struct SnapshotFile {
    pub(super) meta: SnapshotMeta,
    pub(super) data: Vec<u8>,
}

/// Builds a snapshot from a consistent fjall snapshot of the state machine.
pub struct SnapshotBuilder {
    pub(super) db: Database,
    pub(super) kv: Keyspace,
    pub(super) meta: Keyspace,
    pub(super) requests: Keyspace,
    pub(super) tokens: Keyspace,
    pub(super) snapshots: SnapshotFiles,
}

impl SnapshotBuilder {
    pub(super) fn build_blocking(&self) -> io::Result<Snapshot> {
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
        let auth: AuthState = match view.get(&self.meta, META_AUTH).map_err(fj)? {
            Some(b) => decode(&b)?,
            None => AuthState::default(),
        };
        let mut tokens = Vec::new();
        for guard in view.iter(&self.tokens) {
            let (_, value) = guard.into_inner().map_err(fj)?;
            tokens.push(decode(&value)?);
        }
        let data = encode(&SnapshotPayload {
            cluster,
            clock_ms,
            items,
            requests,
            auth,
            tokens,
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
            tokens: self.tokens.clone(),
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
pub(super) struct SnapshotFiles {
    dir: PathBuf,
    /// The log id the current file covers; held while the file is swapped.
    current: Arc<Mutex<Option<LogId>>>,
}

impl SnapshotFiles {
    const TMP_PREFIX: &'static str = "current.snap.tmp.";

    pub(super) fn open(dir: &Path) -> io::Result<Self> {
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

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, Option<LogId>> {
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn read_current(&self) -> io::Result<Option<SnapshotFile>> {
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

impl StateMachine {
    /// The disk side of `install_snapshot`, which has already refused a
    /// snapshot that is not newer and reloads its in-memory state after
    /// this: writes the snapshot file, then the whole state machine in one
    /// batch, fsynced. Call it only from `install_snapshot`, after that
    /// check: it would replace a newer state machine with an older one.
    pub(super) async fn install_on_disk(&self, meta: &SnapshotMeta, snapshot: Vec<u8>) -> io::Result<()> {
        let payload: SnapshotPayload = decode(&snapshot)?;
        let (db, kv, sm_meta, requests, ttl, tokens) = (
            self.db.clone(),
            self.kv.clone(),
            self.meta.clone(),
            self.requests.clone(),
            self.ttl.clone(),
            self.tokens.clone(),
        );
        let (meta_c, files) = (meta.clone(), self.snapshots.clone());
        super::spawn_blocking(move || -> io::Result<()> {
            let mut batch = db.batch();
            for ks in [&kv, &requests, &ttl, &tokens] {
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
            for token in &payload.tokens {
                batch.insert(&tokens, token.id.as_str(), encode(token)?);
            }
            batch.insert(&sm_meta, META_AUTH, encode(&payload.auth)?);
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
        Ok(())
    }
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
    use super::*;

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
}
