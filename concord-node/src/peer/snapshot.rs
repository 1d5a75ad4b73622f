//! Snapshots over the peer listener, streamed in chunks (`/raft/snapshot`).
//!
//! The sender writes the snapshot stream (`StateView::write_to`, a view of
//! its state machine; never a copy of it) on a thread of its own into
//! chunks of `snapshot_max_chunk_size` bytes, at most two ahead of the
//! network, and posts them in order, each with the transfer's id and its
//! offset. The last chunk carries the SHA-256 of the whole stream. A chunk
//! that fails on the way (timeout, connection reset) is sent again at the
//! same offset; the receiver writes every chunk at its offset and
//! acknowledges one it already has, so a transfer resumes where it stopped
//! instead of starting over. The last chunk is not sent again: the receiver
//! checks and installs the stream in a task of its own once it has it, and
//! a transfer that fails there starts over (openraft retries it).
//!
//! The receiver appends each chunk to `snapshots/incoming.<transfer>` (one
//! transfer at a time: a new transfer from offset 0 replaces an unfinished
//! one), and on the last checks the length and the checksum, fsyncs, checks
//! every frame (`validate_snapshot_file`), and only then hands the file to
//! openraft to install. Memory on either side is a few chunks, whatever
//! the size of the data.

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use concord_core::store::{incoming_snapshot_path, validate_snapshot_file, SnapshotData};
use concord_core::types::alias::{Snapshot, SnapshotMeta, Vote};
use concord_core::TypeConfig;
use openraft::error::{ReplicationClosed, StreamingError};
use openraft::network::RPCOption;
use openraft::raft::SnapshotResponse;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::node::Node;
use crate::peer::client::{PeerClient, TransportError};
use crate::peer::wire::path;

/// Snapshot transfers this node is sending, for the snapshot schedule
/// (`maintainer::snapshots`): while one runs, and for a while after, this
/// node builds no snapshot, so it does not purge the log the receiver will
/// need to catch up from the snapshot it is getting.
#[derive(Default)]
pub(crate) struct SnapshotSends {
    in_flight: std::sync::atomic::AtomicUsize,
    last_end: std::sync::Mutex<Option<std::time::Instant>>,
}

impl SnapshotSends {
    /// Whether a transfer runs now or ended less than `grace` ago.
    pub(crate) fn busy(&self, grace: Duration) -> bool {
        self.in_flight.load(std::sync::atomic::Ordering::SeqCst) > 0
            || self
                .last_end
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .is_some_and(|t| t.elapsed() < grace)
    }

    /// Counts a transfer from its first acknowledged chunk: attempts at a
    /// member that is down must not hold snapshots back.
    fn start(self: &Arc<Self>) -> SendGuard {
        SendGuard(self.clone(), false)
    }
}

struct SendGuard(Arc<SnapshotSends>, bool);

impl SendGuard {
    fn acknowledged(&mut self) {
        if !self.1 {
            self.1 = true;
            self.0.in_flight.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

impl Drop for SendGuard {
    fn drop(&mut self) {
        if self.1 {
            *self.0.last_end.lock().unwrap_or_else(|e| e.into_inner()) = Some(std::time::Instant::now());
            self.0.in_flight.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

/// Chunk size when openraft names none.
const DEFAULT_CHUNK: usize = 4 << 20;
/// Tries per chunk before the transfer fails (openraft retries it later,
/// from the start).
const CHUNK_TRIES: u32 = 5;

/// The body of `/raft/snapshot`: one chunk of a snapshot stream.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct SnapshotChunk {
    pub vote: Vote,
    pub meta: SnapshotMeta,
    /// Random per transfer: letters and digits.
    pub transfer: String,
    /// Where `data` starts in the stream.
    pub offset: u64,
    pub data: Vec<u8>,
    /// On the last chunk only: the SHA-256 of the whole stream.
    pub done: Option<[u8; 32]>,
}

/// The answer to a chunk.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) enum ChunkAnswer {
    /// The receiver holds the stream up to `next` bytes.
    Received { next: u64 },
    /// The last chunk: the stream was checked and handed to openraft.
    Installed(SnapshotResponse<TypeConfig>),
}

/// A stream being received.
pub(crate) struct Incoming {
    transfer: String,
    path: PathBuf,
    file: tokio::fs::File,
    len: u64,
    hasher: Sha256,
}

/// Cuts what is written into chunks and hands them to the sending task.
struct ChunkWriter {
    buf: Vec<u8>,
    size: usize,
    tx: mpsc::Sender<Vec<u8>>,
}

impl ChunkWriter {
    fn ship(&mut self) -> io::Result<()> {
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(self.size));
        self.tx
            .blocking_send(chunk)
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the snapshot transfer stopped"))
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = data.len().min(self.size - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == self.size {
            self.ship()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Sends `snapshot` to `client`'s peer in chunks (see the module doc).
pub(crate) async fn send(
    client: &PeerClient,
    vote: Vote,
    snapshot: Snapshot,
    option: &RPCOption,
) -> Result<SnapshotResponse<TypeConfig>, StreamingError<TypeConfig>> {
    let mut sending = client.sends().start();
    let size = option
        .snapshot_chunk_size()
        .unwrap_or(DEFAULT_CHUNK)
        .clamp(64 << 10, 64 << 20);
    let (tx, mut rx) = mpsc::channel::<Vec<u8>>(2);
    let data = snapshot.snapshot;
    let producer = tokio::task::spawn_blocking(move || -> io::Result<()> {
        let mut out = ChunkWriter {
            buf: Vec::with_capacity(size),
            size,
            tx,
        };
        match data {
            SnapshotData::View(view) => view.write_to(&mut out)?,
            SnapshotData::Received(path) => {
                io::copy(&mut std::fs::File::open(path)?, &mut out)?;
            }
        }
        if !out.buf.is_empty() {
            out.ship()?;
        }
        Ok(())
    });
    let failed = |message: String| TransportError::Other {
        target: client.target(),
        message,
    };
    let transfer = concord_core::random_hex(2);
    let mut hasher = Sha256::new();
    let mut offset = 0u64;
    let mut next = rx.recv().await;
    let mut producer = Some(producer);
    loop {
        let Some(data) = next.take() else {
            // The producer stopped before its first chunk: its error says why.
            let why = match producer.take() {
                Some(p) => match p.await {
                    Ok(Err(e)) => format!("reading the snapshot: {e}"),
                    Err(e) => e.to_string(),
                    Ok(Ok(())) => "empty snapshot stream".into(),
                },
                None => "empty snapshot stream".into(),
            };
            return Err(failed(why).into_streaming());
        };
        next = rx.recv().await;
        hasher.update(&data);
        let done = if next.is_none() {
            if let Some(p) = producer.take() {
                p.await
                    .map_err(|e| failed(e.to_string()).into_streaming())?
                    .map_err(|e| failed(format!("reading the snapshot: {e}")).into_streaming())?;
            }
            Some(hasher.clone().finalize().into())
        } else {
            None
        };
        let len = data.len() as u64;
        let chunk = SnapshotChunk {
            vote,
            meta: snapshot.meta.clone(),
            transfer: transfer.clone(),
            offset,
            data,
            done,
        };
        // A chunk gets what a heartbeat gets, and more (the client adds
        // 1 ms per KiB); the last one also covers the receiver's checks
        // of the whole stream and its install.
        let mut timeout = option.hard_ttl().max(Duration::from_secs(10));
        if done.is_some() {
            timeout += Duration::from_secs(60) + Duration::from_millis((offset + len) / 512);
        }
        let mut tries = 0;
        let answer = loop {
            tries += 1;
            match client.call::<_, ChunkAnswer>(path::SNAPSHOT, &chunk, timeout).await {
                Ok(answer) => break answer,
                Err(e @ (TransportError::Timeout { .. } | TransportError::Unreachable { .. }))
                    if tries < CHUNK_TRIES =>
                {
                    tracing::info!(%e, offset, tries, "snapshot chunk failed; sending it again");
                    tokio::time::sleep(Duration::from_millis(200 * u64::from(tries))).await;
                }
                Err(e) => return Err(e.into_streaming()),
            }
        };
        sending.acknowledged();
        match answer {
            ChunkAnswer::Received { next: n } if n == offset + len && done.is_none() => offset = n,
            ChunkAnswer::Received { next: n } => {
                return Err(failed(format!(
                    "the receiver holds {n} bytes of the snapshot, expected {}",
                    offset + len
                ))
                .into_streaming())
            }
            ChunkAnswer::Installed(resp) => {
                tracing::info!(bytes = offset + len, "snapshot sent");
                return Ok(resp);
            }
        }
    }
}

/// The handler's side: takes one chunk (see the module doc).
pub(crate) async fn receive(node: Arc<Node>, chunk: SnapshotChunk) -> Result<ChunkAnswer, String> {
    let mut slot = node.snapshot_in.lock().await;
    let same = slot.as_ref().is_some_and(|i| i.transfer == chunk.transfer);
    if chunk.offset == 0 && !same {
        if let Some(old) = slot.take() {
            drop(old.file);
            let _ = tokio::fs::remove_file(&old.path).await;
        }
        let path = incoming_snapshot_path(&node.config.data_dir, &chunk.transfer).map_err(|e| e.to_string())?;
        let file = tokio::fs::File::create(&path)
            .await
            .map_err(|e| format!("creating {}: {e}", path.display()))?;
        *slot = Some(Incoming {
            transfer: chunk.transfer.clone(),
            path,
            file,
            len: 0,
            hasher: Sha256::new(),
        });
    }
    let incoming = slot
        .as_mut()
        .filter(|i| i.transfer == chunk.transfer)
        .ok_or_else(|| format!("no snapshot transfer {} in progress here", chunk.transfer))?;
    let end = chunk.offset + chunk.data.len() as u64;
    if end <= incoming.len && chunk.done.is_none() {
        // Sent again after an answer was lost: already here.
        return Ok(ChunkAnswer::Received { next: incoming.len });
    }
    if chunk.offset != incoming.len {
        return Err(format!(
            "snapshot chunk at offset {} but {} bytes are here",
            chunk.offset, incoming.len
        ));
    }
    use tokio::io::{AsyncSeekExt, AsyncWriteExt};
    // At `len` exactly: a write cut off by a dropped request (its sender
    // timed out) may have left part of a chunk past it.
    let write = async {
        incoming.file.set_len(incoming.len).await?;
        incoming.file.seek(io::SeekFrom::Start(incoming.len)).await?;
        incoming.file.write_all(&chunk.data).await
    };
    write.await.map_err(|e| format!("writing the snapshot: {e}"))?;
    incoming.hasher.update(&chunk.data);
    incoming.len = end;
    let Some(sum) = chunk.done else {
        return Ok(ChunkAnswer::Received { next: end });
    };
    let Incoming { path, file, hasher, .. } = slot.take().expect("checked above");
    drop(slot);
    // A task of its own: if the sender gives up waiting and the request
    // is dropped, the checks and the install still finish (or fail) whole,
    // and the file is removed either way.
    tokio::spawn(async move {
        let result = finish(&node, chunk.vote, chunk.meta, &path, file, hasher, sum).await;
        // Installed (the file was moved away) or refused: nothing to keep.
        let _ = tokio::fs::remove_file(&path).await;
        result
    })
    .await
    .map_err(|e| e.to_string())?
}

async fn finish(
    node: &Node,
    vote: Vote,
    meta: SnapshotMeta,
    path: &std::path::Path,
    mut file: tokio::fs::File,
    hasher: Sha256,
    sum: [u8; 32],
) -> Result<ChunkAnswer, String> {
    if <[u8; 32]>::from(hasher.finalize()) != sum {
        return Err("snapshot checksum mismatch: the stream was damaged on the way".into());
    }
    use tokio::io::AsyncWriteExt;
    file.flush().await.map_err(|e| e.to_string())?;
    file.sync_all()
        .await
        .map_err(|e| format!("fsync of the snapshot: {e}"))?;
    drop(file);
    // Checked whole before openraft sees it: an error inside install is fatal.
    let p = path.to_path_buf();
    tokio::task::spawn_blocking(move || validate_snapshot_file(&p))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("invalid snapshot: {e}"))?;
    let snapshot = Snapshot {
        meta,
        snapshot: SnapshotData::Received(path.to_path_buf()),
    };
    let resp = node
        .raft
        .install_full_snapshot(vote, snapshot)
        .await
        .map_err(|e| e.to_string())?;
    Ok(ChunkAnswer::Installed(resp))
}

/// Stops a transfer's wait for `cancel`.
pub(crate) async fn cancelable<T>(
    cancel: impl std::future::Future<Output = ReplicationClosed>,
    work: impl std::future::Future<Output = Result<T, StreamingError<TypeConfig>>>,
) -> Result<T, StreamingError<TypeConfig>> {
    tokio::select! {
        closed = cancel => Err(StreamingError::Closed(closed)),
        res = work => res,
    }
}
