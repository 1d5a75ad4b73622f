//! Snapshots of the state machine. The state machine in fjall *is* the
//! snapshot: nothing copies it whole, in memory or on disk.
//!
//! - Building one ([`SnapshotBuilder`]) fsyncs the `sm` database and reads
//!   `last_applied` and the membership from a fjall snapshot (a
//!   point-in-time view). Its cost does not grow with the data. The log
//!   below it may then be purged: the state machine on disk is at least
//!   there, and stays so through a power cut.
//! - Sending one ([`SnapshotData::View`], from `get_current_snapshot`)
//!   streams such a view as length-prefixed frames ([`StateView::write_to`]):
//!   a header, every key, request id and token, and an end frame that counts
//!   them. The transport cuts the stream into chunks and checksums it.
//! - A received stream is a file in `snapshots/` ([`SnapshotData::Received`]),
//!   checked whole ([`validate_snapshot_file`]) before openraft sees it.
//!   Installing it writes the marker `installing` (the snapshot's meta) to
//!   `sm_meta` and moves the file to `snapshots/installing.snap`, fsynced,
//!   before the first key is touched; then replaces the key space in
//!   batches; then, in the last batch, sets `last_applied` and clears the
//!   marker, and fsyncs. A node that crashed mid-install finishes it at
//!   start-up from the file ([`finish_interrupted_install`]),
//!   and reads refuse while one runs (`KvReader::installing`), so no read
//!   sees half of one.
//! - A snapshot at or below `last_applied` is ignored (`sm.rs`).

use std::fs;
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use fjall::{Keyspace, PersistMode, Readable};
use openraft::RaftSnapshotBuilder;
use serde::{Deserialize, Serialize};

use super::codec::{decode, decode_or_default, encode, fj};
use super::history::{StoredEvent, META_HISTORY_START};
use super::reader::utf8_key;
use super::sm::{
    ttl_key, ClusterMeta, RequestRecord, StateMachine, META_AUTH, META_CLOCK, META_CLUSTER, META_INSTALLING,
    META_LAST_APPLIED, META_MEMBERSHIP,
};
use crate::auth::{AuthState, TokenRecord};
use crate::types::alias::{Snapshot, SnapshotMeta};
use crate::types::{KvRecord, TypeConfig};

/// Where an install in progress keeps the stream it installs from.
const INSTALLING_FILE: &str = "installing.snap";
/// Prefix of streams being received (removed at start-up).
const INCOMING_PREFIX: &str = "incoming.";
/// The largest frame a stream may hold: a key and its largest value, with
/// room to spare. A longer length prefix is corruption, not a frame.
const MAX_FRAME: usize = 96 << 20;
/// Keys per batch when installing: bounds the memory an install takes.
const INSTALL_BATCH_BYTES: usize = 8 << 20;

/// One frame of a snapshot stream.
#[derive(Serialize, Deserialize)]
enum Frame {
    /// First: the cluster metadata, the apply clock and the auth state.
    Header {
        cluster: ClusterMeta,
        clock_ms: u64,
        auth: AuthState,
    },
    /// A key and its stored record (the `kv` keyspace's value bytes).
    Kv { key: String, record: Vec<u8> },
    /// A remembered request id and its stored record.
    Request { id: String, record: Vec<u8> },
    /// A token record (digest only): a revoked token is absent.
    Token(TokenRecord),
    /// Last: how many frames came before it, the header included.
    End { frames: u64 },
    /// The first revision of the watch history (before its events; streams
    /// from before the history have neither).
    HistoryStart(u64),
    /// One event of the watch history, under its history key.
    Event { key: Vec<u8>, record: Vec<u8> },
}

/// A snapshot's data: this node's state as of a fjall view (to send), or a
/// received stream in a file (to install).
pub enum SnapshotData {
    View(StateView),
    Received(PathBuf),
}

/// A point-in-time view of the state machine that can be streamed.
pub struct StateView {
    view: fjall::Snapshot,
    kv: Keyspace,
    meta: Keyspace,
    requests: Keyspace,
    tokens: Keyspace,
    events: Keyspace,
    /// Keeps the history this view streams on disk (see `history.rs`).
    pin: super::history::Pin,
}

impl StateView {
    /// `pin` must be taken before `view`.
    pub(super) fn of(
        pin: super::history::Pin,
        view: fjall::Snapshot,
        kv: &Keyspace,
        meta: &Keyspace,
        requests: &Keyspace,
        tokens: &Keyspace,
        events: &Keyspace,
    ) -> io::Result<StateView> {
        let mut state = StateView {
            view,
            kv: kv.clone(),
            meta: meta.clone(),
            requests: requests.clone(),
            tokens: tokens.clone(),
            events: events.clone(),
            pin,
        };
        let start = state.history_start()?;
        state.pin.at(start);
        Ok(state)
    }

    /// The first revision of the history this view holds.
    fn history_start(&self) -> io::Result<u64> {
        Ok(super::history::start_in_view(&self.view, &self.meta)?.0)
    }

    /// The revision of this view: the index of the last entry it holds.
    pub fn revision(&self) -> io::Result<u64> {
        Ok(self.meta()?.last_log_id.map_or(0, |l| l.index()))
    }

    /// `last_applied` and the membership as of this view.
    pub(super) fn meta(&self) -> io::Result<SnapshotMeta> {
        Ok(SnapshotMeta {
            last_log_id: self.get(META_LAST_APPLIED)?,
            last_membership: self.get(META_MEMBERSHIP)?,
        })
    }

    fn get<T: serde::de::DeserializeOwned + Default>(&self, key: &str) -> io::Result<T> {
        decode_or_default(self.view.get(&self.meta, key).map_err(fj)?)
    }

    /// Writes the whole view as frames to `out` (blocking; the transport
    /// runs it on a thread of its own and cuts `out` into chunks).
    pub fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        let mut frames = 0u64;
        let mut put = |out: &mut dyn Write, frame: &Frame| -> io::Result<()> {
            frames += 1;
            put_frame(out, frame)
        };
        put(
            out,
            &Frame::Header {
                cluster: self.get(META_CLUSTER)?,
                clock_ms: self.get(META_CLOCK)?,
                auth: self.get(META_AUTH)?,
            },
        )?;
        for guard in self.view.iter(&self.kv) {
            let (key, value) = guard.into_inner().map_err(fj)?;
            put(
                out,
                &Frame::Kv {
                    key: utf8_key(&key)?,
                    record: value.to_vec(),
                },
            )?;
        }
        for guard in self.view.iter(&self.requests) {
            let (key, value) = guard.into_inner().map_err(fj)?;
            put(
                out,
                &Frame::Request {
                    id: utf8_key(&key)?,
                    record: value.to_vec(),
                },
            )?;
        }
        for guard in self.view.iter(&self.tokens) {
            let (_, value) = guard.into_inner().map_err(fj)?;
            put(out, &Frame::Token(decode(&value)?))?;
        }
        let start = self.history_start()?;
        put(out, &Frame::HistoryStart(start))?;
        for guard in self.view.range(&self.events, super::history::event_key(start, 0)..) {
            let (key, value) = guard.into_inner().map_err(fj)?;
            put(
                out,
                &Frame::Event {
                    key: key.to_vec(),
                    record: value.to_vec(),
                },
            )?;
        }
        let end = Frame::End { frames };
        put_frame(out, &end)
    }
}

fn put_frame(out: &mut dyn Write, frame: &Frame) -> io::Result<()> {
    let bytes = encode(frame)?;
    out.write_all(&(bytes.len() as u32).to_le_bytes())?;
    out.write_all(&bytes)
}

/// Reads the frames of a stream in order, checking their framing; the
/// end frame's count is checked by [`Frames::finish`].
struct Frames<R> {
    input: R,
    seen: u64,
    buf: Vec<u8>,
}

impl<R: Read> Frames<R> {
    fn new(input: R) -> Self {
        Frames {
            input,
            seen: 0,
            buf: Vec::new(),
        }
    }

    fn next(&mut self) -> io::Result<Frame> {
        let invalid = |m: String| io::Error::new(io::ErrorKind::InvalidData, m);
        let mut len = [0u8; 4];
        self.input
            .read_exact(&mut len)
            .map_err(|e| invalid(format!("snapshot stream cut short after {} frames: {e}", self.seen)))?;
        let len = u32::from_le_bytes(len) as usize;
        if len > MAX_FRAME {
            return Err(invalid(format!("snapshot frame of {len} bytes (at most {MAX_FRAME})")));
        }
        self.buf.resize(len, 0);
        self.input
            .read_exact(&mut self.buf)
            .map_err(|e| invalid(format!("snapshot frame {} cut short: {e}", self.seen)))?;
        let frame: Frame = decode(&self.buf)?;
        if let Frame::End { frames } = frame {
            if frames != self.seen {
                return Err(invalid(format!(
                    "snapshot stream ends after {} frames but says {frames}",
                    self.seen
                )));
            }
            let mut rest = [0u8; 1];
            if self.input.read(&mut rest)? != 0 {
                return Err(invalid("bytes after a snapshot stream's end frame".into()));
            }
        }
        self.seen += 1;
        Ok(frame)
    }
}

/// Checks that the stream in `path` is one this build can install, without
/// installing it: framing, the header first, every record decodable, every
/// key valid, the end frame's count. The transport calls this before
/// handing a received snapshot to openraft, where an error is fatal.
pub fn validate_snapshot_file(path: &Path) -> io::Result<()> {
    validate_snapshot_stream(BufReader::with_capacity(1 << 20, fs::File::open(path)?))
}

/// [`validate_snapshot_file`] over any reader (the fuzz target's way in).
pub fn validate_snapshot_stream(input: impl Read) -> io::Result<()> {
    validate_frames(&mut Frames::new(input))
}

/// Where a snapshot stream being received into `data_dir` is written (a
/// file unique to `transfer`, which is checked to be a plain name).
pub fn incoming_snapshot_path(data_dir: &Path, transfer: &str) -> io::Result<PathBuf> {
    if transfer.is_empty() || transfer.len() > 64 || !transfer.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a transfer id is 1 to 64 letters and digits",
        ));
    }
    Ok(data_dir.join("snapshots").join(format!("{INCOMING_PREFIX}{transfer}")))
}

fn validate_frames<R: Read>(frames: &mut Frames<R>) -> io::Result<()> {
    count_frames(frames).map(|_| ())
}

/// What a valid stream holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct StreamCounts {
    pub(super) keys: u64,
    pub(super) request_ids: u64,
    pub(super) tokens: u64,
    pub(super) events: u64,
}

/// Checks a whole stream as [`validate_snapshot_stream`] does, counting
/// what it holds.
pub(super) fn count_stream(input: impl Read) -> io::Result<StreamCounts> {
    count_frames(&mut Frames::new(input))
}

fn count_frames<R: Read>(frames: &mut Frames<R>) -> io::Result<StreamCounts> {
    let invalid = |m: &str| io::Error::new(io::ErrorKind::InvalidData, m.to_string());
    if !matches!(frames.next()?, Frame::Header { .. }) {
        return Err(invalid("a snapshot stream must start with its header"));
    }
    let mut counts = StreamCounts::default();
    // The history's start, then its events in key order from there.
    let (mut history_start, mut last_event) = (None, None::<Vec<u8>>);
    loop {
        match frames.next()? {
            Frame::Header { .. } => return Err(invalid("a second header in a snapshot stream")),
            Frame::Kv { key, record } => {
                crate::limits::validate_key(&key).map_err(|e| invalid(&e.to_string()))?;
                decode::<KvRecord>(&record)?;
                counts.keys += 1;
            }
            Frame::Request { record, .. } => {
                decode::<RequestRecord>(&record)?;
                counts.request_ids += 1;
            }
            Frame::Token(_) => counts.tokens += 1,
            Frame::HistoryStart(start) => {
                if history_start.replace(start).is_some() {
                    return Err(invalid("a second history start in a snapshot stream"));
                }
            }
            Frame::Event { key, record } => {
                let start = history_start.ok_or_else(|| invalid("a history event before the history's start"))?;
                if key.len() != 12 || super::history::revision_of(&key)? < start {
                    return Err(invalid("a history event's key is not a revision of the history"));
                }
                // In order, and each revision's events numbered from 0 on
                // (pruning removes exactly those).
                let seq = u32::from_be_bytes([key[8], key[9], key[10], key[11]]);
                let follows = match &last_event {
                    Some(last) if last[..8] == key[..8] => {
                        u32::from_be_bytes([last[8], last[9], last[10], last[11]]).checked_add(1) == Some(seq)
                    }
                    Some(last) => *last < key && seq == 0,
                    None => seq == 0,
                };
                if !follows {
                    return Err(invalid("history events out of order in a snapshot stream"));
                }
                decode::<StoredEvent>(&record)?;
                last_event = Some(key);
                counts.events += 1;
            }
            Frame::End { .. } => return Ok(counts),
        }
    }
}

/// Builds a snapshot: fsyncs the state machine and takes a view of it.
pub struct SnapshotBuilder {
    pub(super) sm: SmHandles,
}

/// Clones of the state machine's database and keyspaces.
#[derive(Clone)]
pub(super) struct SmHandles {
    pub(super) db: fjall::Database,
    pub(super) kv: Keyspace,
    pub(super) meta: Keyspace,
    pub(super) requests: Keyspace,
    pub(super) tokens: Keyspace,
    pub(super) ttl: Keyspace,
    pub(super) events: Keyspace,
    pub(super) reclaim: std::sync::Arc<super::history::Reclaim>,
    /// The readers' auth flag (`KvReader::auth_on`).
    pub(super) auth_on: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl SmHandles {
    /// The applied state now, made durable first: the log below it may be
    /// purged once openraft hears of it.
    pub(super) fn durable_snapshot(&self) -> io::Result<Snapshot> {
        // The view first, then the fsync: the journal is written in order,
        // so the fsync covers everything the view shows (the other order
        // lets entries applied in between into the view unsynced, and the
        // log could be purged past what a power cut leaves).
        let pin = self.reclaim.pin();
        let view = StateView::of(
            pin,
            self.db.snapshot(),
            &self.kv,
            &self.meta,
            &self.requests,
            &self.tokens,
            &self.events,
        )?;
        self.db.persist(PersistMode::SyncAll).map_err(fj)?;
        Ok(Snapshot {
            meta: view.meta()?,
            snapshot: SnapshotData::View(view),
        })
    }
}

impl RaftSnapshotBuilder<TypeConfig> for SnapshotBuilder {
    type SnapshotData = SnapshotData;

    async fn build_snapshot(&mut self) -> Result<Snapshot, io::Error> {
        tracing::info!("building a snapshot");
        let sm = self.sm.clone();
        let snapshot = super::spawn_blocking(move || {
            crash_point!("snapshot-build-before-persist");
            sm.durable_snapshot()
        })
        .await
        .map_err(io::Error::other)??;
        tracing::info!(index = ?snapshot.meta.last_log_id.map(|l| l.index()), "snapshot build finished (state machine fsynced)");
        Ok(snapshot)
    }
}

/// The `snapshots/` directory: incoming streams and an interrupted install.
#[derive(Clone)]
pub(super) struct SnapshotDir {
    dir: PathBuf,
}

impl SnapshotDir {
    /// Opens the directory; `installing` says whether the state machine
    /// has an install to finish (else an `installing.snap` is a leftover).
    pub(super) fn open(dir: &Path, installing: bool) -> io::Result<Self> {
        if !dir.exists() {
            fs::create_dir_all(dir)?;
            if let Some(parent) = dir.parent() {
                fs::File::open(parent)?.sync_all()?;
            }
        }
        let stale_install = dir.join(INSTALLING_FILE);
        if !installing && stale_install.exists() {
            // Finished (or never started) before a crash: nothing needs it.
            fs::remove_file(&stale_install)?;
        }
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            // Streams cut off by a crash, and the whole-state files of
            // builds before data format 5.
            if name.starts_with(INCOMING_PREFIX) || name.starts_with("current.snap") {
                fs::remove_file(entry.path())?;
            }
        }
        Ok(SnapshotDir { dir: dir.to_path_buf() })
    }

    fn installing_path(&self) -> PathBuf {
        self.dir.join(INSTALLING_FILE)
    }

    fn sync(&self) -> io::Result<()> {
        fs::File::open(&self.dir)?.sync_all()
    }
}

impl StateMachine {
    /// The disk side of `install_snapshot`, which has already refused a
    /// snapshot that is not newer and reloads its in-memory state after
    /// this.
    pub(super) async fn install_on_disk(&self, meta: &SnapshotMeta, data: SnapshotData) -> io::Result<()> {
        let (sm, dir, meta) = (self.handles(), self.snapshot_dir.clone(), meta.clone());
        let installing = self.installing.clone();
        super::spawn_blocking(move || -> io::Result<()> {
            let received = match data {
                SnapshotData::Received(path) => path,
                // A view of another state machine (openraft's storage
                // suite installs those): streamed to a file first.
                SnapshotData::View(view) => {
                    let path = dir.dir.join(format!("{INCOMING_PREFIX}local{}", crate::random_hex(2)));
                    let mut f = io::BufWriter::new(fs::File::create(&path)?);
                    view.write_to(&mut f)?;
                    f.into_inner().map_err(|e| e.into_error())?.sync_all()?;
                    path
                }
            };
            // The marker and the file first, durably: from here on, a
            // restart finishes this install before anything else.
            fs::rename(&received, dir.installing_path())?;
            dir.sync()?;
            installing.store(true, Ordering::SeqCst);
            sm.meta.insert(META_INSTALLING, encode(&meta)?).map_err(fj)?;
            sm.db.persist(PersistMode::SyncAll).map_err(fj)?;
            crash_point!("snapshot-install-after-marker");
            install_from_file(&sm, &dir, &meta)?;
            // On an error reads stay refused: openraft stops this node.
            installing.store(false, Ordering::SeqCst);
            Ok(())
        })
        .await
        .map_err(io::Error::other)?
    }
}

/// Finishes an install that a crash interrupted (at start-up, before
/// openraft or any reader sees the state machine).
pub(super) fn finish_interrupted_install(sm: &SmHandles, dir: &SnapshotDir) -> io::Result<()> {
    let meta: SnapshotMeta = match sm.meta.get(META_INSTALLING).map_err(fj)? {
        Some(b) => decode(&b)?,
        None => return Ok(()),
    };
    tracing::warn!(snapshot = %meta, "finishing a snapshot install that a crash interrupted");
    install_from_file(sm, dir, &meta)
}

/// Replaces the state machine's content with the stream in
/// `installing.snap`, in batches, then sets `last_applied` and clears the
/// install marker in the last batch, fsyncs, and removes the file.
fn install_from_file(sm: &SmHandles, dir: &SnapshotDir, meta: &SnapshotMeta) -> io::Result<()> {
    let path = dir.installing_path();
    let ttl = &sm.ttl;
    // Opened before anything is cleared: without its file, an install
    // must fail with the state machine untouched.
    let file = fs::File::open(&path)?;
    // Clear first (in batches too: a key space can be large).
    for ks in [&sm.kv, &sm.requests, ttl, &sm.tokens, &sm.events] {
        loop {
            let mut batch = sm.db.batch();
            let mut n = 0;
            for key in ks.iter().take(10_000) {
                batch.remove(ks, key.key().map_err(fj)?);
                n += 1;
            }
            if n == 0 {
                break;
            }
            batch.commit().map_err(fj)?;
        }
    }
    crash_point!("snapshot-install-after-clear");
    let mut frames = Frames::new(BufReader::with_capacity(1 << 20, file));
    let mut batch = sm.db.batch();
    let mut bytes = 0usize;
    let (mut cluster, mut clock_ms, mut auth) = (None, 0, AuthState::default());
    // A stream without a history (from before it) starts one after itself.
    let mut history_start = super::history::start_of(None, meta.last_log_id)?;
    loop {
        match frames.next()? {
            Frame::Header {
                cluster: c,
                clock_ms: t,
                auth: a,
            } => {
                cluster = Some(c);
                clock_ms = t;
                auth = a;
            }
            Frame::Kv { key, record } => {
                let rec: KvRecord = decode(&record)?;
                if let Some(t) = rec.expires_at_ms {
                    batch.insert(
                        ttl,
                        ttl_key(t, &key),
                        super::codec::index_key(rec.mod_revision).to_vec(),
                    );
                }
                bytes += key.len() + record.len();
                batch.insert(&sm.kv, key.as_str(), record);
            }
            Frame::Request { id, record } => {
                bytes += id.len() + record.len();
                batch.insert(&sm.requests, id.as_str(), record);
            }
            Frame::Token(token) => {
                batch.insert(&sm.tokens, token.id.as_str(), encode(&token)?);
            }
            Frame::HistoryStart(start) => history_start = start,
            Frame::Event { key, record } => {
                bytes += key.len() + record.len();
                batch.insert(&sm.events, key, record);
            }
            Frame::End { .. } => break,
        }
        if bytes >= INSTALL_BATCH_BYTES {
            batch.commit().map_err(fj)?;
            batch = sm.db.batch();
            bytes = 0;
        }
    }
    crash_point!("snapshot-install-before-last-batch");
    let cluster = cluster.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "snapshot without a header"))?;
    batch.insert(&sm.meta, META_AUTH, encode(&auth)?);
    batch.insert(&sm.meta, META_CLUSTER, encode(&cluster)?);
    batch.insert(&sm.meta, META_CLOCK, encode(&clock_ms)?);
    batch.insert(&sm.meta, META_HISTORY_START, encode(&history_start)?);
    batch.insert(&sm.meta, META_LAST_APPLIED, encode(&meta.last_log_id)?);
    batch.insert(&sm.meta, META_MEMBERSHIP, encode(&meta.last_membership)?);
    batch.remove(&sm.meta, META_INSTALLING);
    // Readers are let in by this commit: the API must enforce auth from it
    // on (auth never turns off, so raising the flag early is safe).
    if auth.enabled {
        sm.auth_on.store(true, std::sync::atomic::Ordering::SeqCst);
    }
    batch.commit().map_err(fj)?;
    sm.db.persist(PersistMode::SyncAll).map_err(fj)?;
    crash_point!("snapshot-install-after-commit");
    fs::remove_file(&path)?;
    dir.sync()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(frames: &[Frame]) -> Vec<u8> {
        let mut out = Vec::new();
        for f in frames {
            put_frame(&mut out, f).unwrap();
        }
        out
    }

    fn header() -> Frame {
        Frame::Header {
            cluster: ClusterMeta::default(),
            clock_ms: 0,
            auth: AuthState::default(),
        }
    }

    fn check(bytes: &[u8]) -> io::Result<()> {
        validate_frames(&mut Frames::new(bytes))
    }

    #[test]
    fn a_stream_is_checked_whole_before_it_is_installed() {
        let record = encode(&KvRecord {
            value: b"v".to_vec(),
            create_revision: 1,
            mod_revision: 1,
            version: 1,
            expires_at_ms: None,
        })
        .unwrap();
        let kv = |key: &str| Frame::Kv {
            key: key.into(),
            record: record.clone(),
        };
        let good = stream(&[header(), kv("a"), kv("b"), Frame::End { frames: 3 }]);
        check(&good).unwrap();
        // Cut short anywhere, it is refused.
        for cut in [1, 4, good.len() - 1] {
            assert!(check(&good[..cut]).is_err(), "cut at {cut}");
        }
        // A wrong count, bytes after the end, no header, a bad key or a bad
        // record: refused.
        assert!(check(&stream(&[header(), kv("a"), Frame::End { frames: 3 }])).is_err());
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(check(&trailing).is_err());
        assert!(check(&stream(&[kv("a"), Frame::End { frames: 1 }])).is_err());
        assert!(check(&stream(&[header(), kv(""), Frame::End { frames: 2 }])).is_err());
        let bad = Frame::Kv {
            key: "a".into(),
            record: vec![9, 9],
        };
        assert!(check(&stream(&[header(), bad, Frame::End { frames: 2 }])).is_err());
        // A huge length prefix is refused before anything is allocated.
        let mut huge = stream(&[header()]);
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(check(&huge).is_err());
    }
}
