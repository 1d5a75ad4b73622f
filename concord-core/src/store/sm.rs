//! The state machine on fjall, and its snapshots.
//!
//! Rules every change here must keep:
//! - One apply call is one fjall batch: the key changes, `last_applied` and
//!   `last_membership` commit together, so a crash never leaves data and
//!   `last_applied` out of step. The batch is not fsynced: the Raft log is the
//!   durable record, and openraft re-applies committed entries after a crash.
//! - A snapshot is built from one fjall snapshot of the database after an
//!   fsync of it, so the state machine on disk is never behind a snapshot that
//!   lets the log be purged. The snapshot file is written to a temporary name,
//!   fsynced, renamed and the directory fsynced before it is announced.
//! - Installing a snapshot replaces the whole key space and `last_applied` in
//!   one batch, fsynced; a snapshot at or below `last_applied` is ignored.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use fjall::{Database, Keyspace, KeyspaceCreateOptions, PersistMode, Readable};
use futures::{Stream, TryStreamExt};
use openraft::storage::{EntryResponder, RaftStateMachine};
use openraft::{EntryPayload, OptionalSend, RaftSnapshotBuilder};
use serde::{Deserialize, Serialize};

use super::codec::{decode, encode, fj};
use super::{is_live, DirLock};
use crate::types::alias::{LogId, Snapshot, SnapshotMeta, StoredMembership};
use crate::types::{Command, CommandResponse, KvRecord, NodeId, TypeConfig};

const META_LAST_APPLIED: &str = "last_applied";
const META_MEMBERSHIP: &str = "last_membership";
const META_CLUSTER: &str = "cluster";
const SNAPSHOT_FILE: &str = "current.snap";

/// Cluster-wide facts kept in the state machine (and its snapshots).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterMeta {
    /// Every node id ever reserved or seen in a membership: never reused.
    pub used_node_ids: BTreeSet<NodeId>,
}

/// What a snapshot carries: every live key with its record, and the
/// cluster metadata.
#[derive(Serialize, Deserialize)]
struct SnapshotPayload {
    cluster: ClusterMeta,
    items: Vec<(String, KvRecord)>,
}

/// A snapshot file on disk: its metadata and its payload bytes.
#[derive(Serialize, Deserialize)]
struct SnapshotFile {
    meta: SnapshotMeta,
    data: Vec<u8>,
}

/// Read access to the state machine's keys, for the API. Cheap to clone.
#[derive(Clone)]
pub struct KvReader {
    kv: Keyspace,
    meta: Keyspace,
}

impl KvReader {
    /// The cluster metadata as applied on this node.
    pub fn cluster(&self) -> io::Result<ClusterMeta> {
        read_cluster(&self.meta)
    }

    /// The live record of `key`, if any (expired keys are invisible).
    pub fn get(&self, key: &str) -> io::Result<Option<KvRecord>> {
        match self.kv.get(key).map_err(fj)? {
            Some(bytes) => {
                let record: KvRecord = decode(&bytes)?;
                Ok(is_live(&record, now_ms()).then_some(record))
            }
            None => Ok(None),
        }
    }
}

/// The state machine. Openraft owns it; the API reads through [`KvReader`].
pub struct StateMachine {
    db: Database,
    kv: Keyspace,
    meta: Keyspace,
    snapshot_dir: PathBuf,
    last_applied: Option<LogId>,
    membership: StoredMembership,
    cluster: ClusterMeta,
    _lock: DirLock,
}

fn read_cluster(meta: &Keyspace) -> io::Result<ClusterMeta> {
    match meta.get(META_CLUSTER).map_err(fj)? {
        Some(b) => decode(&b),
        None => Ok(ClusterMeta::default()),
    }
}

impl StateMachine {
    pub(super) fn open(path: &Path, snapshot_dir: &Path, lock: DirLock) -> io::Result<Self> {
        fs::create_dir_all(snapshot_dir)?;
        let db = Database::builder(path).open().map_err(fj)?;
        let kv = db
            .keyspace("kv", KeyspaceCreateOptions::default)
            .map_err(fj)?;
        let meta = db
            .keyspace("sm_meta", KeyspaceCreateOptions::default)
            .map_err(fj)?;
        let last_applied = match meta.get(META_LAST_APPLIED).map_err(fj)? {
            Some(b) => decode(&b)?,
            None => None,
        };
        let membership = match meta.get(META_MEMBERSHIP).map_err(fj)? {
            Some(b) => decode(&b)?,
            None => StoredMembership::default(),
        };
        let cluster = read_cluster(&meta)?;
        Ok(StateMachine {
            db,
            kv,
            meta,
            snapshot_dir: snapshot_dir.to_path_buf(),
            last_applied,
            membership,
            cluster,
            _lock: lock,
        })
    }

    pub fn reader(&self) -> KvReader {
        KvReader {
            kv: self.kv.clone(),
            meta: self.meta.clone(),
        }
    }

    fn builder(&self) -> SnapshotBuilder {
        SnapshotBuilder {
            db: self.db.clone(),
            kv: self.kv.clone(),
            meta: self.meta.clone(),
            snapshot_dir: self.snapshot_dir.clone(),
        }
    }

    fn read(
        &self,
        overlay: &HashMap<String, Option<KvRecord>>,
        key: &str,
    ) -> io::Result<Option<KvRecord>> {
        if let Some(pending) = overlay.get(key) {
            return Ok(pending.clone());
        }
        match self.kv.get(key).map_err(fj)? {
            Some(bytes) => decode(&bytes).map(Some),
            None => Ok(None),
        }
    }

    fn apply_command(
        &mut self,
        overlay: &mut HashMap<String, Option<KvRecord>>,
        revision: u64,
        cmd: Command,
    ) -> io::Result<CommandResponse> {
        let now = now_ms();
        match cmd {
            Command::Put { key, value } => {
                let prev = self.read(overlay, &key)?.filter(|r| is_live(r, now));
                let record = match prev {
                    Some(prev) => KvRecord {
                        value,
                        create_revision: prev.create_revision,
                        mod_revision: revision,
                        version: prev.version + 1,
                        expires_at_ms: None,
                    },
                    None => KvRecord {
                        value,
                        create_revision: revision,
                        mod_revision: revision,
                        version: 1,
                        expires_at_ms: None,
                    },
                };
                overlay.insert(key, Some(record));
                Ok(CommandResponse::Put { revision })
            }
            Command::Delete { key } => {
                let existed = self.read(overlay, &key)?.is_some_and(|r| is_live(&r, now));
                if existed {
                    overlay.insert(key, None);
                }
                Ok(CommandResponse::Delete {
                    deleted: u64::from(existed),
                    revision,
                })
            }
            Command::ReserveNodeId { id } => {
                let used = &mut self.cluster.used_node_ids;
                match id {
                    Some(id) if used.contains(&id) => Ok(CommandResponse::NodeIdInUse { id }),
                    Some(id) => {
                        used.insert(id);
                        Ok(CommandResponse::NodeIdReserved { id })
                    }
                    None => {
                        let id = used.last().map_or(1, |max| max + 1);
                        used.insert(id);
                        Ok(CommandResponse::NodeIdReserved { id })
                    }
                }
            }
        }
    }

    fn current_snapshot(&self) -> io::Result<Option<SnapshotFile>> {
        match fs::read(self.snapshot_dir.join(SNAPSHOT_FILE)) {
            Ok(bytes) => decode(&bytes).map(Some),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
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
        let mut overlay = HashMap::new();
        let mut replies = Vec::new();
        while let Some((entry, responder)) = entries.try_next().await? {
            let index = entry.log_id.index();
            let reply = match entry.payload {
                EntryPayload::Blank => CommandResponse::None,
                EntryPayload::Normal(cmd) => self.apply_command(&mut overlay, index, cmd)?,
                EntryPayload::Membership(m) => {
                    self.cluster
                        .used_node_ids
                        .extend(m.nodes().map(|(id, _)| *id));
                    self.membership = StoredMembership::new(Some(entry.log_id), m);
                    CommandResponse::None
                }
            };
            self.last_applied = Some(entry.log_id);
            replies.push((responder, reply));
        }
        if replies.is_empty() {
            return Ok(());
        }
        let mut batch = self.db.batch();
        for (key, record) in overlay {
            match record {
                Some(r) => batch.insert(&self.kv, key, encode(&r)?),
                None => batch.remove(&self.kv, key),
            }
        }
        batch.insert(&self.meta, META_LAST_APPLIED, encode(&self.last_applied)?);
        batch.insert(&self.meta, META_MEMBERSHIP, encode(&self.membership)?);
        batch.insert(&self.meta, META_CLUSTER, encode(&self.cluster)?);
        batch.commit().map_err(fj)?;
        for (responder, reply) in replies {
            if let Some(r) = responder {
                r.send(reply);
            }
        }
        Ok(())
    }

    async fn get_snapshot_builder(&mut self) -> Self::SnapshotBuilder {
        self.builder()
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta,
        snapshot: Vec<u8>,
    ) -> Result<(), io::Error> {
        if meta.last_log_id.is_some() && meta.last_log_id <= self.last_applied {
            tracing::warn!(snapshot = %meta, applied = ?self.last_applied, "ignoring a snapshot that is not newer than the applied state");
            return Ok(());
        }
        let payload: SnapshotPayload = decode(&snapshot)?;
        let (db, kv, sm_meta) = (self.db.clone(), self.kv.clone(), self.meta.clone());
        let (meta_c, dir) = (meta.clone(), self.snapshot_dir.clone());
        tokio::task::spawn_blocking(move || -> io::Result<()> {
            let mut batch = db.batch();
            for key in kv.iter() {
                batch.remove(&kv, key.key().map_err(fj)?);
            }
            for (key, record) in &payload.items {
                batch.insert(&kv, key.as_str(), encode(record)?);
            }
            batch.insert(&sm_meta, META_LAST_APPLIED, encode(&meta_c.last_log_id)?);
            batch.insert(&sm_meta, META_MEMBERSHIP, encode(&meta_c.last_membership)?);
            batch.insert(&sm_meta, META_CLUSTER, encode(&payload.cluster)?);
            batch.commit().map_err(fj)?;
            db.persist(PersistMode::SyncAll).map_err(fj)?;
            write_snapshot_file(
                &dir,
                &SnapshotFile {
                    meta: meta_c,
                    data: snapshot,
                },
            )
        })
        .await
        .map_err(io::Error::other)??;
        self.last_applied = meta.last_log_id;
        self.membership = meta.last_membership.clone();
        self.cluster = read_cluster(&self.meta)?;
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
    snapshot_dir: PathBuf,
}

impl SnapshotBuilder {
    fn build_blocking(&self) -> io::Result<Snapshot> {
        // The state machine on disk must not be behind the snapshot: the log
        // below the snapshot may be purged once it is announced.
        self.db.persist(PersistMode::SyncAll).map_err(fj)?;
        let view = self.db.snapshot();
        let last_applied: Option<LogId> =
            match view.get(&self.meta, META_LAST_APPLIED).map_err(fj)? {
                Some(b) => decode(&b)?,
                None => None,
            };
        let last_membership: StoredMembership =
            match view.get(&self.meta, META_MEMBERSHIP).map_err(fj)? {
                Some(b) => decode(&b)?,
                None => StoredMembership::default(),
            };
        let cluster: ClusterMeta = match view.get(&self.meta, META_CLUSTER).map_err(fj)? {
            Some(b) => decode(&b)?,
            None => ClusterMeta::default(),
        };
        let now = now_ms();
        let mut items = Vec::new();
        for guard in view.iter(&self.kv) {
            let (key, value) = guard.into_inner().map_err(fj)?;
            let record: KvRecord = decode(&value)?;
            if !is_live(&record, now) {
                continue;
            }
            let key = String::from_utf8(key.to_vec())
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            items.push((key, record));
        }
        let data = encode(&SnapshotPayload { cluster, items })?;
        let meta = SnapshotMeta {
            last_log_id: last_applied,
            last_membership,
        };
        let file = SnapshotFile { meta, data };
        write_snapshot_file(&self.snapshot_dir, &file)?;
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
            snapshot_dir: self.snapshot_dir.clone(),
        };
        tokio::task::spawn_blocking(move || this.build_blocking())
            .await
            .map_err(io::Error::other)?
    }
}

/// Writes the snapshot file durably: temporary file, fsync, rename, fsync of
/// the directory.
fn write_snapshot_file(dir: &Path, file: &SnapshotFile) -> io::Result<()> {
    let tmp = dir.join(format!("{SNAPSHOT_FILE}.tmp"));
    let mut f = fs::File::create(&tmp)?;
    f.write_all(&encode(file)?)?;
    f.sync_all()?;
    drop(f);
    fs::rename(&tmp, dir.join(SNAPSHOT_FILE))?;
    fs::File::open(dir)?.sync_all()
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
        crate::limits::validate_key(key)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    }
    Ok(())
}
