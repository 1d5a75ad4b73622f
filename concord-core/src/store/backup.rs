//! Backups: a point-in-time copy of the whole state machine (every key with
//! its revisions, the remembered request ids, the tokens as digests, the
//! cluster metadata) in one file, checked end to end by a SHA-256, and the
//! offline restore of one into a new data directory.
//!
//! The file: [`MAGIC`] (format 1), a length-prefixed [`BackupHeader`], the
//! snapshot stream of `snapshot.rs` (the frames a member catching up
//! receives), then the SHA-256 of everything before it.
//!
//! A restore checks the whole file first (checksum, then every frame) and
//! writes nothing if it fails. It then makes a data directory for a new
//! single-node cluster: a new cluster id, the node id asked for, the state
//! machine installed from the stream as a snapshot is installed, with a
//! membership of that one node at the backup's last log id, the log marked
//! purged up to that id, and a vote in the backup's term (an election must
//! pass it, so the new leader's entries follow the restored ones). The node
//! then campaigns at start-up like any restarted node.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, BufReader, Read, Write};
use std::path::Path;

use openraft::storage::{RaftLogStorage, RaftStateMachine};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::codec::{decode, encode, fj};
use super::recover::Tail;
use super::sm::{read_cluster, META_CLUSTER};
use super::snapshot::{count_stream, SnapshotData, StateView};
use crate::types::alias::{LogId, SnapshotMeta, StoredMembership, Vote};
use crate::types::{NodeId, NodeInfo};

/// The first bytes of a backup: a name and the format version.
pub const MAGIC: &[u8; 16] = b"CONCORD-BACKUP\n\x01";
/// The longest header accepted (it holds a membership).
const MAX_HEADER: usize = 1 << 20;
const DIGEST_LEN: u64 = 32;

/// What a backup says about itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackupHeader {
    /// The cluster it was taken from.
    pub cluster_id: String,
    /// The member that wrote it.
    pub taken_by: NodeId,
    pub taken_at_ms: u64,
    /// The last entry applied to the state it holds: its index is the
    /// revision.
    pub last_log_id: Option<LogId>,
    /// The membership as of that entry (kept for inspection; a restore
    /// makes a new one).
    pub last_membership: StoredMembership,
}

/// What `inspect` finds in a backup file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackupInfo {
    pub format: u32,
    pub cluster_id: String,
    pub taken_by: NodeId,
    pub taken_at_ms: u64,
    /// The index of the last entry the state holds (0: none).
    pub revision: u64,
    /// That entry's term.
    pub term: u64,
    pub size: u64,
    /// The SHA-256 at the end matches the rest of the file. When it does
    /// not, nothing else here is trusted and the counts are 0.
    pub checksum_ok: bool,
    pub keys: u64,
    pub request_ids: u64,
    pub tokens: u64,
}

/// A writer that hashes what passes through it.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Writes a backup of `view` to `out` (blocking); returns its header.
pub fn write_backup(view: &StateView, cluster_id: &str, taken_by: NodeId, out: impl Write) -> io::Result<BackupHeader> {
    let meta = view.meta()?;
    let header = BackupHeader {
        cluster_id: cluster_id.to_string(),
        taken_by,
        taken_at_ms: crate::types::now_ms(),
        last_log_id: meta.last_log_id,
        last_membership: meta.last_membership,
    };
    let mut w = Hashing {
        inner: out,
        hasher: Sha256::new(),
    };
    w.write_all(MAGIC)?;
    let bytes = encode(&header)?;
    w.write_all(&(bytes.len() as u32).to_le_bytes())?;
    w.write_all(&bytes)?;
    view.write_to(&mut w)?;
    let digest = w.hasher.finalize();
    w.inner.write_all(&digest)?;
    w.inner.flush()?;
    Ok(header)
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

/// Reads the magic and the header; returns the header and its end offset.
fn read_header(input: &mut impl Read) -> io::Result<(BackupHeader, u64)> {
    let mut magic = [0u8; 16];
    input
        .read_exact(&mut magic)
        .map_err(|_| invalid("too short to be a Concord backup"))?;
    if magic[..15] != MAGIC[..15] {
        return Err(invalid("not a Concord backup (no CONCORD-BACKUP mark at its start)"));
    }
    if magic[15] != MAGIC[15] {
        return Err(invalid(format!(
            "a backup of format {}; this build reads format {}",
            magic[15], MAGIC[15]
        )));
    }
    let mut len = [0u8; 4];
    input
        .read_exact(&mut len)
        .map_err(|_| invalid("the backup's header is cut short"))?;
    let len = u32::from_le_bytes(len) as usize;
    if len > MAX_HEADER {
        return Err(invalid(format!(
            "a backup header of {len} bytes (at most {MAX_HEADER})"
        )));
    }
    let mut bytes = vec![0u8; len];
    input
        .read_exact(&mut bytes)
        .map_err(|_| invalid("the backup's header is cut short"))?;
    Ok((decode(&bytes)?, 16 + 4 + len as u64))
}

/// Checks a backup file whole: first its SHA-256, then (if it holds) its
/// header and every frame, counting what it holds. A checksum mismatch is
/// `Ok` with `checksum_ok: false`; a file that is not a backup, or whose
/// frames do not parse despite a good checksum, is an error.
pub fn inspect_backup(path: &Path) -> io::Result<BackupInfo> {
    let size = fs::metadata(path)?.len();
    if size < MAGIC.len() as u64 + 4 + DIGEST_LEN {
        return Err(invalid("too short to be a Concord backup"));
    }
    let body = size - DIGEST_LEN;
    // Pass 1: the checksum over everything but the last 32 bytes.
    let mut file = BufReader::with_capacity(1 << 20, fs::File::open(path)?);
    let mut hasher = Sha256::new();
    io::copy(&mut (&mut file).take(body), &mut HashSink(&mut hasher))?;
    let mut trailer = [0u8; DIGEST_LEN as usize];
    file.read_exact(&mut trailer)?;
    let checksum_ok = hasher.finalize().as_slice() == trailer;
    let mut info = BackupInfo {
        format: u32::from(MAGIC[15]),
        size,
        checksum_ok,
        ..BackupInfo::default()
    };
    if !checksum_ok {
        return Ok(info);
    }
    // Pass 2: the header and every frame.
    let mut input = BufReader::with_capacity(1 << 20, fs::File::open(path)?).take(body);
    let (header, _) = read_header(&mut input)?;
    let counts = count_stream(&mut input)?;
    info.cluster_id = header.cluster_id;
    info.taken_by = header.taken_by;
    info.taken_at_ms = header.taken_at_ms;
    info.revision = header.last_log_id.map_or(0, |l| l.index());
    info.term = header.last_log_id.map_or(0, |l| l.committed_leader_id().term);
    info.keys = counts.keys;
    info.request_ids = counts.request_ids;
    info.tokens = counts.tokens;
    Ok(info)
}

struct HashSink<'a>(&'a mut Sha256);

impl Write for HashSink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Why a restore was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// The file is damaged or not a backup: nothing was written.
    #[error("{0}")]
    Invalid(String),
    /// The data directory cannot take it (not empty, in use): nothing was
    /// written.
    #[error("{0}")]
    DataDir(String),
    /// Writing the new data directory failed part way: remove it.
    #[error("restoring into {dir}: {source}")]
    Io { dir: String, source: io::Error },
}

/// What a restore made.
#[derive(Debug, Clone)]
pub struct Restored {
    pub cluster_id: String,
    pub id: NodeId,
    /// The member's URLs as stored (normalised).
    pub me: NodeInfo,
    pub info: BackupInfo,
}

/// Restores the backup at `file` into `data_dir` (absent or empty) as a new
/// single-node cluster whose one member is `id` at `me` (the URLs the node
/// will advertise). See the module doc.
///
/// The data directory is built beside `data_dir` under a temporary name and
/// renamed into place at the end, so an interrupted restore leaves no data
/// directory that a node could start on (only the temporary one, which a
/// later restore removes); on an error it is removed. The bytes installed
/// are the ones checked: the file is read once more while it is copied,
/// hashed against its trailer, and the copy is checked frame by frame.
pub async fn restore_backup(file: &Path, data_dir: &Path, id: NodeId, me: NodeInfo) -> Result<Restored, RestoreError> {
    restore_into(file, data_dir, id, me, None).await
}

/// [`restore_backup`], with `tail` (log entries past the backup's state)
/// applied on top before the membership is set (quorum-loss recovery).
pub(super) async fn restore_into(
    file: &Path,
    data_dir: &Path,
    id: NodeId,
    me: NodeInfo,
    tail: Option<Tail>,
) -> Result<Restored, RestoreError> {
    let info = inspect_backup(file).map_err(|e| RestoreError::Invalid(format!("{}: {e}", file.display())))?;
    if !info.checksum_ok {
        return Err(RestoreError::Invalid(format!(
            "{}: the checksum does not match: the file is damaged; nothing was written",
            file.display()
        )));
    }
    if info.revision == 0 {
        return Err(RestoreError::Invalid(format!(
            "{}: the backup holds no applied state; start a new node instead",
            file.display()
        )));
    }
    crate::limits::validate_node_id(id).map_err(RestoreError::DataDir)?;
    let me = NodeInfo {
        client_url: crate::limits::normalize_http_url(&me.client_url)
            .map_err(|e| RestoreError::DataDir(format!("the client URL: {e}")))?,
        peer_url: crate::limits::normalize_http_url(&me.peer_url)
            .map_err(|e| RestoreError::DataDir(format!("the peer URL: {e}")))?,
    };
    if data_dir.exists() {
        let mut entries =
            fs::read_dir(data_dir).map_err(|e| RestoreError::DataDir(format!("{}: {e}", data_dir.display())))?;
        if entries.next().is_some() {
            return Err(RestoreError::DataDir(format!(
                "{} is not empty: restore into a new data directory",
                data_dir.display()
            )));
        }
    }
    let name = data_dir
        .file_name()
        .ok_or_else(|| RestoreError::DataDir(format!("{} is not a directory name", data_dir.display())))?;
    let staging = data_dir.with_file_name(format!(".{}.restoring", name.to_string_lossy()));
    if staging.exists() {
        // A restore interrupted before: never a data directory anyone ran.
        fs::remove_dir_all(&staging).map_err(|e| RestoreError::DataDir(format!("{}: {e}", staging.display())))?;
    }
    let built = build(file, &staging, id, me.clone(), tail).await;
    let restored = built.and_then(|(cluster_id, counts)| {
        let io_err = |source: io::Error| RestoreError::Io {
            dir: data_dir.display().to_string(),
            source,
        };
        if data_dir.exists() {
            // Empty (checked above): the rename needs it gone.
            fs::remove_dir(data_dir).map_err(io_err)?;
        }
        fs::rename(&staging, data_dir).map_err(io_err)?;
        super::sync_parent_dir(data_dir).map_err(io_err)?;
        let mut info = info;
        if let Some((keys, tokens)) = counts {
            info.keys = keys;
            info.tokens = tokens;
        }
        Ok(Restored {
            cluster_id,
            id,
            me,
            info,
        })
    });
    if restored.is_err() && staging.exists() {
        let _ = fs::remove_dir_all(&staging);
    }
    restored
}

/// Builds the restored data directory at `dir` (see [`restore_backup`]);
/// returns the new cluster id and, with a tail, the keys and tokens it
/// holds then.
async fn build(
    file: &Path,
    dir: &Path,
    id: NodeId,
    me: NodeInfo,
    tail: Option<Tail>,
) -> Result<(String, Option<(u64, u64)>), RestoreError> {
    let io_err = |source: io::Error| RestoreError::Io {
        dir: dir.display().to_string(),
        source,
    };
    let mut storage = super::open(dir).map_err(|e| RestoreError::Io {
        dir: dir.display().to_string(),
        source: io::Error::other(e.to_string()),
    })?;
    let cluster_id = crate::random_hex(1);
    storage.claim_node_id(dir, id).map_err(|e| RestoreError::Io {
        dir: dir.display().to_string(),
        source: io::Error::other(e.to_string()),
    })?;
    storage
        .claim_cluster_id(dir, &cluster_id)
        .map_err(|e| RestoreError::Io {
            dir: dir.display().to_string(),
            source: io::Error::other(e.to_string()),
        })?;

    // The stream, copied while the whole file is hashed again: what is
    // installed is what matches the trailer, and the copy is checked frame
    // by frame.
    let size = fs::metadata(file).map_err(io_err)?.len();
    if size < MAGIC.len() as u64 + 4 + DIGEST_LEN {
        return Err(RestoreError::Invalid(format!(
            "{}: too short to be a Concord backup",
            file.display()
        )));
    }
    let mut input = Hashed {
        inner: BufReader::with_capacity(1 << 20, fs::File::open(file).map_err(io_err)?).take(size - DIGEST_LEN),
        hasher: Sha256::new(),
    };
    let (header, start) = read_header(&mut input).map_err(|e| RestoreError::Invalid(e.to_string()))?;
    let stream = super::incoming_snapshot_path(dir, "restore").map_err(io_err)?;
    {
        let mut out = io::BufWriter::new(fs::File::create(&stream).map_err(io_err)?);
        let copied = io::copy(&mut input, &mut out).map_err(io_err)?;
        if copied != size - DIGEST_LEN - start {
            return Err(RestoreError::Invalid(format!(
                "{}: changed while it was read",
                file.display()
            )));
        }
        out.into_inner()
            .map_err(|e| io_err(e.into_error()))?
            .sync_all()
            .map_err(io_err)?;
    }
    let mut trailer = [0u8; DIGEST_LEN as usize];
    input.inner.into_inner().read_exact(&mut trailer).map_err(io_err)?;
    if input.hasher.finalize().as_slice() != trailer {
        return Err(RestoreError::Invalid(format!(
            "{}: the checksum does not match (did the file change while it was read?)",
            file.display()
        )));
    }
    super::validate_snapshot_file(&stream).map_err(|e| RestoreError::Invalid(e.to_string()))?;
    super::sync_parent_dir(&stream).map_err(io_err)?;
    let last = header
        .last_log_id
        .ok_or_else(|| RestoreError::Invalid(format!("{}: the backup holds no applied state", file.display())))?;

    // With a tail, the node's log ends at the tail's last entry.
    let end = tail.as_ref().map_or(last, |t| t.last);
    // Raft first: a vote in the last entry's term (or the one the node had
    // voted in, if later), so the node's first election goes past it.
    let term = [last, end]
        .iter()
        .map(|l| l.committed_leader_id().term)
        .chain(tail.as_ref().map(|t| t.vote_term))
        .max()
        .unwrap_or_default();
    storage.log.save_vote(&Vote::new(term, id)).await.map_err(io_err)?;
    let membership = openraft::Membership::new(vec![BTreeSet::from([id])], BTreeMap::from([(id, me)]))
        .map_err(|e| io_err(io::Error::other(e.to_string())))?;
    let meta = SnapshotMeta {
        last_log_id: Some(last),
        last_membership: StoredMembership::new(Some(last), membership.clone()),
    };
    storage
        .sm
        .install_snapshot(&meta, SnapshotData::Received(stream))
        .await
        .map_err(io_err)?;
    let mut counts = None;
    if let Some(tail) = tail {
        super::recover::apply_tail(&mut storage.sm, tail)
            .await
            .map_err(io_err)?;
        let keys = storage.reader.count_keys().map_err(io_err)?;
        let tokens = storage.reader.tokens().map_err(io_err)?.len() as u64;
        counts = Some((keys, tokens));
        // The tail's membership entries named the old members.
        storage
            .sm
            .set_membership(StoredMembership::new(Some(end), membership))
            .map_err(io_err)?;
    }
    // The new member's id is in use; the old cluster's reservations are not.
    let sm = storage.sm.handles();
    let mut cluster = read_cluster(&sm.meta).map_err(io_err)?;
    cluster.used_node_ids.insert(id);
    cluster.reserved.clear();
    sm.meta
        .insert(META_CLUSTER, encode(&cluster).map_err(io_err)?)
        .map_err(|e| io_err(fj(e)))?;
    sm.db.persist(fjall::PersistMode::SyncAll).map_err(|e| io_err(fj(e)))?;
    // The log holds nothing up to the restored state.
    storage.log.purge(end).await.map_err(io_err)?;
    drop(storage);
    super::sync_parent_dir(&dir.join("raft")).map_err(io_err)?;
    Ok((cluster_id, counts))
}

/// A reader that hashes what passes through it.
struct Hashed<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for Hashed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_a_backup_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("not-a-backup");
        fs::write(&path, b"hello").unwrap();
        assert!(inspect_backup(&path).is_err());
        fs::write(&path, vec![7u8; 4096]).unwrap();
        let info = inspect_backup(&path).unwrap();
        assert!(!info.checksum_ok, "random bytes cannot carry a matching SHA-256");
    }
}
