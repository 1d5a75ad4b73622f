//! Quorum-loss recovery, offline: the data directory of a surviving member
//! becomes a new single-node cluster that holds everything the survivor
//! holds, so that fresh members can join it.
//!
//! Steps (the survivor's directory, DIR, locked throughout):
//! 1. Every log entry past the survivor's applied index is applied, as the
//!    node itself would once it learned the entries were committed. Entries
//!    the survivor holds beyond its commit point are kept too: with the
//!    other members gone for good nobody can say whether they committed,
//!    and keeping them loses no acknowledged write (etcd's
//!    `--force-new-cluster` does the same with its WAL).
//! 2. The state is written to a backup file beside DIR and restored from it
//!    into a new directory beside DIR ([`super::restore_backup`]: checked
//!    whole, a new cluster id, a membership of this one node at the last
//!    entry, a vote in that entry's term, everything fsynced).
//! 3. DIR is renamed to `DIR.before-recover-<unix seconds>` and the new
//!    directory to DIR, then the parent directory is fsynced. The old
//!    directory is kept untouched but for step 1; the operator removes it
//!    once the cluster is whole again.
//!
//! A new cluster id means a lost member that comes back with its old data
//! directory is refused by the recovered node (peer RPCs carry the cluster
//! id) instead of voting with an outdated membership.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use openraft::storage::{RaftLogStorage, RaftStateMachine};
use openraft::RaftLogReader;

use super::{lock_dir, open, restore_backup, write_backup, OpenError, RestoreError};
use crate::types::alias::LogId;
use crate::types::{NodeId, NodeInfo};

/// Entries applied per batch while catching the state machine up.
const APPLY_CHUNK: u64 = 1024;

/// What one data directory holds, as far as recovery cares.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub dir: PathBuf,
    pub node_id: Option<NodeId>,
    pub cluster_id: Option<String>,
    /// The last entry in its log (the purge point if the log is empty).
    pub last_log_id: Option<LogId>,
    /// The last entry its state machine applied.
    pub applied: Option<LogId>,
    /// The voters of the last membership it knows.
    pub voters: Vec<NodeId>,
}

impl Candidate {
    pub fn last_index(&self) -> u64 {
        self.last_log_id.map_or(0, |l| l.index())
    }

    pub fn last_term(&self) -> u64 {
        self.last_log_id.map_or(0, |l| l.committed_leader_id().term)
    }

    pub fn applied_index(&self) -> u64 {
        self.applied.map_or(0, |l| l.index())
    }
}

/// Why a recovery was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum RecoverError {
    /// Nothing was changed: not a data directory, one in use, one with no
    /// state, or the operator must choose another.
    #[error("{0}")]
    Refused(String),
    /// Something failed part way; the message says what is where.
    #[error("{0}")]
    Failed(String),
}

/// What a recovery made.
#[derive(Debug, Clone)]
pub struct Recovered {
    pub cluster_id: String,
    pub id: NodeId,
    pub me: NodeInfo,
    pub revision: u64,
    pub keys: u64,
    pub tokens: u64,
    /// Where the directory as it was is kept.
    pub previous: PathBuf,
}

/// Refuses anything but an existing data directory (opening one would
/// create it).
fn check_data_dir(dir: &Path) -> Result<(), RecoverError> {
    if !dir.join("raft").is_dir() || !dir.join("sm").is_dir() {
        return Err(RecoverError::Refused(format!(
            "{} is not a Concord data directory (no raft/ and sm/ in it)",
            dir.display()
        )));
    }
    Ok(())
}

fn open_err(dir: &Path, e: OpenError) -> RecoverError {
    match e {
        OpenError::Locked(_) => RecoverError::Refused(format!(
            "{} is in use by a running concord process: stop the node first",
            dir.display()
        )),
        e => RecoverError::Failed(e.to_string()),
    }
}

fn failed(dir: &Path, what: &str, e: impl std::fmt::Display) -> RecoverError {
    RecoverError::Failed(format!("{}: {what}: {e}", dir.display()))
}

/// Reads what `dir` holds (taking its lock for the time it reads).
pub async fn examine(dir: &Path) -> Result<Candidate, RecoverError> {
    check_data_dir(dir)?;
    let mut storage = open(dir).map_err(|e| open_err(dir, e))?;
    let state = storage
        .log
        .get_log_state()
        .await
        .map_err(|e| failed(dir, "reading the log", e))?;
    let (applied, membership) = storage
        .sm
        .applied_state()
        .await
        .map_err(|e| failed(dir, "reading the state machine", e))?;
    Ok(Candidate {
        dir: dir.to_path_buf(),
        node_id: storage.node_id,
        cluster_id: storage.cluster_id.clone(),
        last_log_id: state.last_log_id,
        applied,
        voters: membership.membership().voter_ids().collect(),
    })
}

/// The most up-to-date of `candidates` by Raft's rule (the last log entry's
/// term, then its index); the first of equals.
pub fn most_up_to_date(candidates: &[Candidate]) -> Option<&Candidate> {
    candidates
        .iter()
        .reduce(|best, c| if c.last_log_id > best.last_log_id { c } else { best })
}

/// Recovers `dir` as a new single-node cluster (see the module doc).
pub async fn recover(dir: &Path) -> Result<Recovered, RecoverError> {
    check_data_dir(dir)?;
    let name = dir
        .file_name()
        .ok_or_else(|| RecoverError::Refused(format!("{} is not a directory name", dir.display())))?
        .to_string_lossy()
        .into_owned();
    let mut storage = open(dir).map_err(|e| open_err(dir, e))?;
    let id = storage
        .node_id
        .ok_or_else(|| RecoverError::Refused(format!("{} has no node id: it never ran", dir.display())))?;
    let cluster_id = storage.cluster_id.clone().unwrap_or_default();

    // 1. Apply every entry past the applied index.
    let last = storage
        .log
        .get_log_state()
        .await
        .map_err(|e| failed(dir, "reading the log", e))?
        .last_log_id;
    let (applied, _) = storage
        .sm
        .applied_state()
        .await
        .map_err(|e| failed(dir, "reading the state machine", e))?;
    let mut next = applied.map_or(0, |l| l.index() + 1);
    let last_index = last.map_or(0, |l| l.index());
    let mut reader = storage.log.get_log_reader().await;
    while next <= last_index {
        let end = last_index.min(next + APPLY_CHUNK - 1);
        let entries = reader
            .try_get_log_entries(next..=end)
            .await
            .map_err(|e| failed(dir, "reading the log", e))?;
        if entries.first().map(|e| e.log_id.index()) != Some(next) || entries.len() as u64 != end - next + 1 {
            return Err(failed(
                dir,
                "reading the log",
                format!("entries {next}..={end} are not all there"),
            ));
        }
        let stream = futures::stream::iter(entries.into_iter().map(|e| Ok((e, None))));
        storage
            .sm
            .apply(stream)
            .await
            .map_err(|e| failed(dir, "applying the log", e))?;
        next = end + 1;
    }
    // It holds the directory's lock, as the stores do.
    drop(reader);
    let (applied, membership) = storage
        .sm
        .applied_state()
        .await
        .map_err(|e| failed(dir, "reading the state machine", e))?;
    if applied.is_none() {
        return Err(RecoverError::Refused(format!(
            "{} holds no committed state: there is nothing to recover; start a new node instead",
            dir.display()
        )));
    }
    let me = membership.membership().get_node(&id).cloned().ok_or_else(|| {
        RecoverError::Refused(format!(
            "{}: node {id} is not in the last membership it knows; recover a member's directory",
            dir.display()
        ))
    })?;

    // 2. Write the state out and restore it beside DIR.
    let backup = dir.with_file_name(format!(".{name}.recover-{}.backup", crate::random_hex(1)));
    let built = dir.with_file_name(format!(".{name}.recovered"));
    let result = write_state(&storage, &cluster_id, id, &backup);
    drop(storage);
    let restored = match result {
        Ok(()) => {
            if built.exists() {
                // Left by a recovery interrupted before its renames.
                fs::remove_dir_all(&built).map_err(|e| failed(&built, "removing", e))?;
            }
            restore_backup(&backup, &built, id, me.clone()).await
        }
        Err(e) => Err(RestoreError::Io {
            dir: backup.display().to_string(),
            source: e,
        }),
    };
    let _ = fs::remove_file(&backup);
    let restored = restored.map_err(|e| RecoverError::Failed(format!("{}: {e}; it is unchanged", dir.display())))?;

    // 3. Swap the directories, with DIR locked again so that no node starts
    // on it meanwhile (the lock moves with it).
    let lock = lock_dir(dir).map_err(|e| open_err(dir, e))?;
    let previous = dir.with_file_name(format!("{name}.before-recover-{}", crate::types::now_ms() / 1000));
    fs::rename(dir, &previous).map_err(|e| failed(dir, "renaming it", e))?;
    if let Err(e) = fs::rename(&built, dir) {
        return Err(RecoverError::Failed(format!(
            "moving the recovered directory {} to {}: {e}; the original is at {}",
            built.display(),
            dir.display(),
            previous.display()
        )));
    }
    super::sync_parent_dir(dir).map_err(|e| failed(dir, "syncing its parent directory", e))?;
    drop(lock);
    Ok(Recovered {
        cluster_id: restored.cluster_id,
        id,
        me: restored_me(me),
        revision: restored.info.revision,
        keys: restored.info.keys,
        tokens: restored.info.tokens,
        previous,
    })
}

/// The URLs as the restore stored them.
fn restored_me(me: NodeInfo) -> NodeInfo {
    NodeInfo {
        client_url: crate::limits::normalize_http_url(&me.client_url).unwrap_or(me.client_url),
        peer_url: crate::limits::normalize_http_url(&me.peer_url).unwrap_or(me.peer_url),
    }
}

/// The state machine as a backup file at `path` (a new file, owner-only).
fn write_state(storage: &super::Storage, cluster_id: &str, id: NodeId, path: &Path) -> io::Result<()> {
    let view = storage.reader.backup_view()?;
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = io::BufWriter::with_capacity(1 << 20, options.open(path)?);
    write_backup(&view, cluster_id, id, &mut out)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use openraft::entry::RaftEntry;
    use openraft::storage::IOFlushed;

    use super::*;
    use crate::types::alias::Entry;
    use crate::{Command, DedupLimits, Op, TypeConfig};

    fn log_id(index: u64) -> LogId {
        openraft::testing::log_id::<TypeConfig>(2, 1, index)
    }

    fn me(port: u16) -> NodeInfo {
        NodeInfo {
            client_url: format!("http://127.0.0.1:{port}"),
            peer_url: format!("http://127.0.0.1:{}", port + 1),
        }
    }

    /// Entry 1 makes nodes 1, 2 and 3 voters; every later one puts `k<index>`.
    fn entry(index: u64) -> Entry {
        if index == 1 {
            let nodes = BTreeMap::from([(1, me(7000)), (2, me(7002)), (3, me(7004))]);
            let m = openraft::Membership::new(vec![BTreeSet::from([1, 2, 3])], nodes).unwrap();
            return Entry::new_membership(log_id(1), m);
        }
        let cmd = Command {
            request_id: None,
            at_ms: 1,
            dedup: DedupLimits::default(),
            op: Op::Txn(crate::Txn {
                success: vec![crate::TxnOp::Put {
                    key: format!("k{index}"),
                    value: format!("v{index}").into_bytes(),
                    ttl_ms: None,
                }],
                ..crate::Txn::default()
            }),
        };
        Entry::new_normal(log_id(index), cmd)
    }

    /// A member's directory whose log holds entries 1..=`logged` of which
    /// the state machine applied 1..=`applied`.
    async fn member_dir(dir: &Path, applied: u64, logged: u64) {
        let mut s = open(dir).unwrap();
        s.claim_node_id(dir, 1).unwrap();
        s.claim_cluster_id(dir, "0123abcd").unwrap();
        s.log.append((1..=logged).map(entry), IOFlushed::noop()).await.unwrap();
        let applied: Vec<io::Result<_>> = (1..=applied).map(|i| Ok((entry(i), None))).collect();
        s.sm.apply(futures::stream::iter(applied)).await.unwrap();
    }

    #[tokio::test]
    async fn recovery_applies_the_whole_log_and_leaves_a_single_member() {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("n1");
        member_dir(&dir, 4, 9).await;
        let before = examine(&dir).await.unwrap();
        assert_eq!(
            (before.last_index(), before.last_term(), before.applied_index()),
            (9, 2, 4)
        );
        assert_eq!(before.voters, vec![1, 2, 3]);

        let r = recover(&dir).await.unwrap();
        assert_eq!((r.id, r.revision, r.keys), (1, 9, 8), "entries 5..=9 applied too");
        assert_ne!(r.cluster_id, "0123abcd", "a new cluster id");
        assert_eq!(r.me, me(7000), "the member's own URLs");
        assert!(r.previous.join("raft").is_dir(), "the directory as it was is kept");

        let after = examine(&dir).await.unwrap();
        assert_eq!(after.voters, vec![1], "a single-node cluster");
        assert_eq!(after.applied_index(), 9);
        assert!(after.last_term() >= 2);
        assert_eq!(after.cluster_id.as_deref(), Some(r.cluster_id.as_str()));
        let s = open(&dir).unwrap();
        for i in 2..=9 {
            let record = s.reader.get(&format!("k{i}")).unwrap().expect("every key");
            assert_eq!(record.value, format!("v{i}").into_bytes());
            assert_eq!(record.mod_revision, i, "its revision kept");
        }
        // Nothing is left beside it but the kept directory.
        let mut names: Vec<String> = fs::read_dir(parent.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names.len(), 2, "{names:?}");
        assert_eq!(names[0], "n1");
        assert!(names[1].starts_with("n1.before-recover-"), "{names:?}");
    }

    #[tokio::test]
    async fn a_directory_in_use_or_without_state_is_refused_and_unchanged() {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("n1");
        member_dir(&dir, 3, 3).await;
        {
            let _running = open(&dir).unwrap();
            let e = recover(&dir).await.unwrap_err();
            assert!(matches!(e, RecoverError::Refused(ref m) if m.contains("in use")), "{e}");
        }
        assert_eq!(examine(&dir).await.unwrap().voters, vec![1, 2, 3], "unchanged");
        let missing = parent.path().join("nothing-here");
        assert!(matches!(recover(&missing).await, Err(RecoverError::Refused(_))));
        assert!(!missing.exists(), "not created");
        let fresh = parent.path().join("fresh");
        drop(open(&fresh).unwrap());
        assert!(matches!(recover(&fresh).await, Err(RecoverError::Refused(_))));
    }

    #[test]
    fn the_most_up_to_date_has_the_newest_last_entry_by_term_then_index() {
        let c = |name: &str, term: u64, index: u64| Candidate {
            dir: name.into(),
            node_id: None,
            cluster_id: None,
            last_log_id: Some(openraft::testing::log_id::<TypeConfig>(term, 1, index)),
            applied: None,
            voters: vec![],
        };
        let all = [c("a", 2, 50), c("b", 3, 40), c("c", 3, 39)];
        assert_eq!(most_up_to_date(&all).unwrap().dir, PathBuf::from("b"));
    }
}
