//! Quorum-loss recovery, offline: the data directory of a surviving member
//! becomes a new single-node cluster that holds everything the survivor
//! holds, so that fresh members can join it.
//!
//! The survivor's directory, DIR, is locked throughout and only read:
//! 1. Its state machine is written out as a backup file and restored into
//!    a new directory beside DIR ([`super::restore_backup`]: checked whole,
//!    a new cluster id). Every log entry past the applied index is then
//!    applied there, as the node would once it learned they committed.
//!    Entries the survivor holds beyond its commit point are kept too: with
//!    the other members gone for good nobody can say whether they
//!    committed, and keeping them loses no acknowledged write (etcd's
//!    `--force-new-cluster` does the same with its WAL). Then the
//!    membership becomes this one node at the last entry, the vote is past
//!    every term the survivor saw, the log is marked purged to the last
//!    entry, and everything is fsynced.
//! 2. The new directory takes DIR's owner and mode, and the two are swapped
//!    in one `renameat2(RENAME_EXCHANGE)`: a crash leaves one or the other
//!    whole at DIR. The old one then moves to
//!    `DIR.before-recover-<unix seconds>-<random>`; the operator removes it
//!    once the cluster is whole again. A leftover `.DIR.recovered` (a crash
//!    between the two renames) is refused until the operator moves it.
//!
//! A new cluster id means a lost member that comes back with its old data
//! directory is refused by the recovered node (peer RPCs carry the cluster
//! id) instead of voting with an outdated membership. A directory that is a
//! mount point is refused (it cannot be renamed).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use openraft::storage::{RaftLogStorage, RaftStateMachine};
use openraft::RaftLogReader;

use super::backup::restore_into;
use super::{open, write_backup, OpenError, RestoreError};
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

    /// How far this directory's state goes: its last log entry, or its
    /// applied index when that is later (after a crash, a state machine can
    /// be ahead of the durable log).
    pub fn newest(&self) -> Option<LogId> {
        self.last_log_id.max(self.applied)
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
        e @ OpenError::Format { .. } => RecoverError::Refused(e.to_string()),
        e => RecoverError::Failed(format!("{e}; nothing was changed")),
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

/// The most up-to-date of `candidates` by Raft's rule (the term, then the
/// index, of [`Candidate::newest`]); the first of equals.
pub fn most_up_to_date(candidates: &[Candidate]) -> Option<&Candidate> {
    candidates
        .iter()
        .reduce(|best, c| if c.newest() > best.newest() { c } else { best })
}

/// The log entries past a backup's state, applied on top of it in the new
/// directory (never in the survivor's own).
pub(super) struct Tail {
    pub log: super::LogStore,
    /// The first entry to apply.
    pub from: u64,
    /// The last entry: the recovered node's last log id.
    pub last: LogId,
    /// The term the survivor had voted in: the new vote is at least that.
    pub vote_term: u64,
}

/// Reads `from..=last` from `log` in chunks, checking that every entry is
/// there, and hands each chunk to `f`.
async fn each_chunk(
    log: &mut super::LogStore,
    from: u64,
    last: u64,
    mut f: impl AsyncFnMut(Vec<crate::types::alias::Entry>) -> io::Result<()>,
) -> io::Result<()> {
    let mut next = from;
    while next <= last {
        let end = last.min(next.saturating_add(APPLY_CHUNK - 1));
        let entries = log.try_get_log_entries(next..=end).await?;
        if let Some(missing) = (next..=end)
            .zip(entries.iter().map(|e| e.log_id.index()).chain(std::iter::repeat(0)))
            .find_map(|(want, got)| (want != got).then_some(want))
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("log entry {missing} is missing (the log must hold every entry from {from} to {last})"),
            ));
        }
        f(entries).await?;
        match end.checked_add(1) {
            Some(n) => next = n,
            None => break,
        }
    }
    Ok(())
}

/// Applies `tail` to `sm` (the new directory's state machine).
pub(super) async fn apply_tail(sm: &mut super::StateMachine, mut tail: Tail) -> io::Result<()> {
    let (from, last) = (tail.from, tail.last.index());
    each_chunk(&mut tail.log, from, last, async |entries| {
        sm.apply(futures::stream::iter(entries.into_iter().map(|e| Ok((e, None)))))
            .await
    })
    .await?;
    let (applied, _) = sm.applied_state().await?;
    if applied != Some(tail.last) {
        return Err(io::Error::other(format!(
            "applied {applied:?} after the log, not {}",
            tail.last
        )));
    }
    Ok(())
}

/// Recovers `dir` as a new single-node cluster (see the module doc).
pub async fn recover(dir: &Path) -> Result<Recovered, RecoverError> {
    check_data_dir(dir)?;
    // The rename must move the data, not a link to it.
    let dir = &fs::canonicalize(dir).map_err(|e| failed(dir, "resolving it", e))?;
    let name = dir
        .file_name()
        .ok_or_else(|| RecoverError::Refused(format!("{} is not a directory name", dir.display())))?
        .to_string_lossy()
        .into_owned();
    let parent = dir.parent().unwrap_or(Path::new("/"));
    let meta = fs::metadata(dir).map_err(|e| failed(dir, "reading it", e))?;
    {
        use std::os::unix::fs::MetadataExt;
        let parent_meta = fs::metadata(parent).map_err(|e| failed(parent, "reading it", e))?;
        if meta.dev() != parent_meta.dev() {
            return Err(RecoverError::Refused(format!(
                "{} is a mount point: recovery builds the new directory beside it and swaps the two; \
                 copy it (cp -a) to a directory that is not a mount point, recover that, and copy it back",
                dir.display()
            )));
        }
    }
    let built = dir.with_file_name(format!(".{name}.recovered"));
    if built.exists() {
        return Err(RecoverError::Refused(format!(
            "{} is left from an interrupted recovery and holds either the recovered directory (one \
             voter, a new cluster id) or the original: look at each on its own \
             (concord cluster recover -o json --compare {}, then the same with {}), keep the one \
             you want at {}, and move the other away",
            built.display(),
            dir.display(),
            built.display(),
            dir.display()
        )));
    }

    let mut storage = open(dir).map_err(|e| open_err(dir, e))?;
    // Held until the directories are swapped, after the stores are closed.
    let lock = storage.lock.clone();
    let id = storage
        .node_id
        .ok_or_else(|| RecoverError::Refused(format!("{} has no node id: it never ran", dir.display())))?;
    let cluster_id = storage.cluster_id.clone().unwrap_or_default();
    let last = storage
        .log
        .get_log_state()
        .await
        .map_err(|e| failed(dir, "reading the log", e))?
        .last_log_id;
    let vote_term = storage
        .log
        .read_vote()
        .await
        .map_err(|e| failed(dir, "reading the vote", e))?
        .map_or(0, |v| v.leader_id().term);
    let (applied, mut membership) = storage
        .sm
        .applied_state()
        .await
        .map_err(|e| failed(dir, "reading the state machine", e))?;
    if applied.is_none() {
        return Err(RecoverError::Refused(format!(
            "{} has applied nothing: there is nothing to recover; start a new node instead",
            dir.display()
        )));
    }
    // The log past the applied state: every entry must be there, and the
    // last membership it names decides whether this node is a member.
    let from = applied.map_or(0, |l| l.index().saturating_add(1));
    let tail_last = last.filter(|l| Some(*l) > applied);
    if let Some(tail_last) = tail_last {
        let mut log = storage.log.clone();
        each_chunk(&mut log, from, tail_last.index(), async |entries| {
            for e in entries {
                if let openraft::EntryPayload::Membership(m) = e.payload {
                    membership = openraft::StoredMembership::new(Some(e.log_id), m);
                }
            }
            Ok(())
        })
        .await
        .map_err(|e| RecoverError::Refused(format!("{}: {e}; nothing was changed", dir.display())))?;
    }
    let me = membership.membership().get_node(&id).cloned().ok_or_else(|| {
        RecoverError::Refused(format!(
            "{}: node {id} is not in the last membership it knows; recover a member's directory",
            dir.display()
        ))
    })?;

    // The state as applied, as a backup; restored beside DIR with the tail
    // applied on top. DIR itself is only read.
    let backup = dir.with_file_name(format!(".{name}.recover-{}.backup", crate::random_hex(1)));
    let written = write_state(&storage, &cluster_id, id, &backup);
    let restored = match written {
        Ok(()) => {
            // Empty when nothing follows the applied state; it still
            // carries the survivor's vote term.
            let tail = Tail {
                log: storage.log.clone(),
                from,
                last: tail_last.or(applied).expect("applied is checked above"),
                vote_term,
            };
            restore_into(&backup, &built, id, me, Some(tail)).await
        }
        Err(source) => Err(RestoreError::Io {
            dir: backup.display().to_string(),
            source,
        }),
    };
    let _ = fs::remove_file(&backup);
    drop(storage);
    let restored = restored
        .map_err(|e| RecoverError::Failed(format!("{}: {e}; {} is unchanged", dir.display(), dir.display())))?;

    // The new directory gets the old one's owner and mode, then the two are
    // swapped in one step (a crash leaves one or the other at DIR), and the
    // old one is moved to a name of its own.
    let undo = |e: RecoverError| {
        let _ = fs::remove_dir_all(&built);
        e
    };
    same_owner_and_mode(&built, &meta).map_err(|e| undo(failed(&built, "setting its owner", e)))?;
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, &built, CWD, dir, RenameFlags::EXCHANGE).map_err(|e| {
        undo(failed(
            dir,
            "swapping it with the recovered directory (it is unchanged)",
            e,
        ))
    })?;
    super::sync_parent_dir(dir).map_err(|e| {
        RecoverError::Failed(format!(
            "{} now holds the recovered directory, but its parent could not be fsynced ({e}); \
             the original is at {}",
            dir.display(),
            built.display()
        ))
    })?;
    let previous = dir.with_file_name(format!(
        "{name}.before-recover-{}-{}",
        crate::types::now_ms() / 1000,
        crate::random_hex(1)
    ));
    let moved = renameat_with(CWD, &built, CWD, &previous, RenameFlags::NOREPLACE)
        .map_err(io::Error::from)
        .and_then(|()| super::sync_parent_dir(dir));
    drop(lock);
    if let Err(e) = moved {
        return Err(RecoverError::Failed(format!(
            "{} is recovered (start it), but the directory as it was is still at {}: {e}",
            dir.display(),
            built.display()
        )));
    }
    Ok(Recovered {
        cluster_id: restored.cluster_id,
        id,
        me: restored.me,
        revision: tail_last.map_or(restored.info.revision, |l| l.index()),
        keys: restored.info.keys,
        tokens: restored.info.tokens,
        previous,
    })
}

/// Gives `dir` and everything below it the owner of `like`, and `dir` its
/// mode (the service user must own what it runs on).
fn same_owner_and_mode(dir: &Path, like: &fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let (uid, gid) = (like.uid(), like.gid());
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        let m = fs::symlink_metadata(&at)?;
        if (m.uid(), m.gid()) != (uid, gid) {
            std::os::unix::fs::lchown(&at, Some(uid), Some(gid))?;
        }
        if m.is_dir() {
            for entry in fs::read_dir(&at)? {
                stack.push(entry?.path());
            }
        }
    }
    fs::set_permissions(dir, fs::Permissions::from_mode(like.permissions().mode()))
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

    /// A membership of `ids` as entry `index`.
    fn membership(index: u64, ids: &[u64]) -> Entry {
        let nodes: BTreeMap<u64, NodeInfo> = ids.iter().map(|id| (*id, me(7000 + 2 * (*id as u16 - 1)))).collect();
        let m = openraft::Membership::new(vec![ids.iter().copied().collect::<BTreeSet<_>>()], nodes).unwrap();
        Entry::new_membership(log_id(index), m)
    }

    /// Entry 1 makes nodes 1, 2 and 3 voters; every later one puts `k<index>`.
    fn entry(index: u64) -> Entry {
        if index == 1 {
            return membership(1, &[1, 2, 3]);
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

        let kept = examine(&r.previous).await.unwrap();
        assert_eq!(
            (kept.applied_index(), kept.last_index(), kept.voters),
            (4, 9, vec![1, 2, 3]),
            "the survivor's own directory is only read"
        );
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
        // Removed from the membership by an entry past the applied state.
        {
            let mut s = open(&dir).unwrap();
            s.log.append([membership(4, &[2, 3])], IOFlushed::noop()).await.unwrap();
        }
        let e = recover(&dir).await.unwrap_err();
        assert!(
            matches!(e, RecoverError::Refused(ref m) if m.contains("not in the last membership")),
            "{e}"
        );
        let after = examine(&dir).await.unwrap();
        assert_eq!((after.applied_index(), after.last_index()), (3, 4), "unchanged");
        assert_eq!(
            fs::read_dir(parent.path()).unwrap().count(),
            1,
            "nothing left beside it"
        );
        let missing = parent.path().join("nothing-here");
        assert!(matches!(recover(&missing).await, Err(RecoverError::Refused(_))));
        assert!(!missing.exists(), "not created");
        let fresh = parent.path().join("fresh");
        drop(open(&fresh).unwrap());
        assert!(matches!(recover(&fresh).await, Err(RecoverError::Refused(_))));
        // A leftover of a recovery cut between its two renames.
        fs::create_dir(parent.path().join(".n1.recovered")).unwrap();
        let e = recover(&dir).await.unwrap_err();
        assert!(
            matches!(e, RecoverError::Refused(ref m) if m.contains("interrupted")),
            "{e}"
        );
    }

    #[test]
    fn the_most_up_to_date_has_the_newest_entry_by_term_then_index() {
        let id = |term, index| Some(openraft::testing::log_id::<TypeConfig>(term, 1, index));
        let c = |name: &str, last, applied| Candidate {
            dir: name.into(),
            node_id: None,
            cluster_id: None,
            last_log_id: last,
            applied,
            voters: vec![],
        };
        let mut all = vec![
            c("a", id(2, 50), id(2, 50)),
            c("b", id(3, 40), None),
            c("c", id(3, 39), None),
        ];
        assert_eq!(most_up_to_date(&all).unwrap().dir, PathBuf::from("b"));
        // A state machine ahead of its durable log (after a power cut).
        all.push(c("d", id(2, 10), id(3, 41)));
        assert_eq!(most_up_to_date(&all).unwrap().dir, PathBuf::from("d"));
    }
}
