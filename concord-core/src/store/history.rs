//! The watch history: every change to the key space, by revision, kept in
//! the state machine's `events` keyspace so that a watcher can resume from
//! a recent revision after a disconnect, a leader change or a restart.
//!
//! - Apply writes a revision's events in the same batch as its key changes
//!   (`sm.rs`), so the history and the keys never disagree, on any replica.
//! - Keys are the revision (8 bytes, big-endian) then the event's place in
//!   it (4 bytes): a scan returns events in revision order, and a
//!   revision's events in the order apply made them (key order).
//! - `history_start` (in `sm_meta`) is the first revision from which every
//!   change is kept. Older revisions are pruned in apply, by count
//!   ([`HistoryLimits::max_events`]) and age ([`HistoryLimits::max_age_ms`],
//!   by the apply clock), about [`PRUNE_MAX_EVENTS`] per batch (whole
//!   revisions: one of a large prefix delete goes at once). Pruning only
//!   moves the start; every read of the history begins at the start read
//!   in its own view.
//! - Pruned events are removed by whole tables ([`Reclaim`]), never one by
//!   one: a tombstone per pruned event made each compaction of the history
//!   merge its oldest and newest tables, rewriting all of it (the put p99
//!   doubled once pruning began). A table is dropped once every event in it
//!   is below a start that is on disk, and below the start of every view
//!   still reading the history (a watch page, a snapshot or backup stream).
//! - The history travels in snapshots (and backups), so a member that
//!   installs one has the same history as the member that sent it.

use std::collections::{BTreeMap, VecDeque};
use std::io;
use std::sync::{Arc, Mutex, MutexGuard};

use fjall::{Keyspace, Readable};
use serde::{Deserialize, Serialize};

use super::codec::{decode, decode_or_default, fj};
use crate::codec::decode_head;
use crate::types::KvRecord;

/// Key of `sm_meta` holding `history_start`.
pub(super) const META_HISTORY_START: &str = "history_start";

/// The first revision of the history, from `stored` (the value of
/// [`META_HISTORY_START`]); a state machine or stream without one (from
/// before the history) starts it after `applied`.
pub(super) fn start_of(stored: Option<&[u8]>, applied: Option<crate::types::alias::LogId>) -> io::Result<u64> {
    match stored {
        Some(bytes) => decode(bytes),
        None => Ok(applied.map_or(1, |l| l.index() + 1)),
    }
}

/// The first revision of the history in `view`, and the entry applied
/// last there: what a reader of that view may serve.
pub(super) fn start_in_view(
    view: &fjall::Snapshot,
    meta: &Keyspace,
) -> io::Result<(u64, Option<crate::types::alias::LogId>)> {
    let applied = decode_or_default(view.get(meta, super::sm::META_LAST_APPLIED).map_err(fj)?)?;
    let start = start_of(view.get(meta, META_HISTORY_START).map_err(fj)?.as_deref(), applied)?;
    Ok((start, applied))
}

/// At most this many events are pruned in one apply batch, so pruning a
/// large backlog (after the limits were lowered) never stalls apply.
pub(super) const PRUNE_MAX_EVENTS: u64 = 4096;

/// How much history a node keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryLimits {
    /// Events kept at most (the oldest revisions go first).
    pub max_events: u64,
    /// Events older than this (by the apply clock) are pruned.
    pub max_age_ms: u64,
}

impl Default for HistoryLimits {
    fn default() -> Self {
        HistoryLimits {
            max_events: 100_000,
            max_age_ms: 3_600_000,
        }
    }
}

/// What happened to a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    Put,
    /// Deleted by a client (a delete, a prefix delete, a transaction).
    Delete,
    /// Deleted because its TTL ran out: by the leader's sweep, or by the
    /// write that found it expired (then just before that write's put).
    Expire,
}

/// One change, as stored in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// The apply clock of the entry, for pruning by age.
    pub at_ms: u64,
    pub kind: EventKind,
    pub key: String,
    /// A put's new record.
    pub record: Option<KvRecord>,
    /// The record before the change, if the key had one and its value fit
    /// the entry's budget ([`crate::txn::PRIOR_VALUE_BUDGET`]).
    pub prev: Option<KvRecord>,
    /// The key had a record before, left out for the budget.
    pub prev_omitted: bool,
}

/// The first fields of a [`StoredEvent`]: enough to prune and filter
/// without decoding values.
#[derive(Deserialize)]
struct EventHead {
    at_ms: u64,
    _kind: EventKind,
    key: String,
}

/// The key of event `seq` of revision `revision`.
pub(super) fn event_key(revision: u64, seq: u32) -> [u8; 12] {
    let mut k = [0u8; 12];
    k[..8].copy_from_slice(&revision.to_be_bytes());
    k[8..].copy_from_slice(&seq.to_be_bytes());
    k
}

pub(super) fn revision_of(key: &[u8]) -> io::Result<u64> {
    let bytes: [u8; 8] = key
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "history key is shorter than 8 bytes"))?;
    Ok(u64::from_be_bytes(bytes))
}

/// The history's shape in memory: one entry per revision that has events,
/// oldest first, for pruning without reading the keyspace.
#[derive(Debug, Default)]
pub(super) struct History {
    /// First revision from which every change is kept.
    pub(super) start: u64,
    /// (revision, events, apply clock) of each kept revision.
    revisions: VecDeque<(u64, u32, u64)>,
    events: u64,
    pub(super) limits: HistoryLimits,
}

impl History {
    /// Reads the kept revisions from `events`, starting at `start`.
    pub(super) fn load(events: &Keyspace, start: u64, limits: HistoryLimits) -> io::Result<History> {
        let mut h = History {
            start,
            limits,
            ..History::default()
        };
        for guard in events.range(event_key(start, 0)..) {
            let (k, v) = guard.into_inner().map_err(fj)?;
            let head: EventHead = decode_head(&v)?;
            h.push(revision_of(&k)?, 1, head.at_ms);
        }
        Ok(h)
    }

    /// Notes `n` events written at `revision` (committed).
    pub(super) fn push(&mut self, revision: u64, n: u32, at_ms: u64) {
        match self.revisions.back_mut() {
            Some(last) if last.0 == revision => last.1 += n,
            _ => self.revisions.push_back((revision, n, at_ms)),
        }
        self.events += u64::from(n);
    }

    /// The revisions to prune now (by count, then by age as of `now_ms`),
    /// at most about [`PRUNE_MAX_EVENTS`] events; forgets them and moves
    /// `start` past them. The caller deletes their keys and stores `start`.
    pub(super) fn prune(&mut self, now_ms: u64) -> Vec<(u64, u32)> {
        let mut gone = Vec::new();
        let mut pruned = 0u64;
        while let Some(&(revision, n, at_ms)) = self.revisions.front() {
            let too_many = self.events > self.limits.max_events;
            let too_old = at_ms.saturating_add(self.limits.max_age_ms) < now_ms;
            if !(too_many || too_old) || pruned >= PRUNE_MAX_EVENTS {
                break;
            }
            self.revisions.pop_front();
            self.events -= u64::from(n);
            pruned += u64::from(n);
            self.start = revision + 1;
            gone.push((revision, n));
        }
        gone
    }

    #[cfg(test)]
    pub(super) fn events(&self) -> u64 {
        self.events
    }
}

/// Drops the tables of `events` that hold only pruned events (see the
/// module doc). Shared by the state machine (installs), its background
/// sync thread (drops) and every reader of the history (pins).
#[derive(Default)]
pub(super) struct Reclaim {
    state: Mutex<ReclaimState>,
    /// Held by a drop and by a whole snapshot install, so a drop computed
    /// before an install never runs during or after it (a tokio mutex: an
    /// install holds it across awaits; the sync thread blocks on it).
    drops: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct ReclaimState {
    /// Starts of the views reading the history now, with their counts; a
    /// pin at 0 is one taken before its view, which blocks every drop.
    pins: BTreeMap<u64, usize>,
    /// Snapshot installs begun: a drop asked for before one is void.
    installs: u64,
    /// Everything below this revision has been offered to `drop_range`.
    dropped_below: u64,
    /// When `drop_range` last ran: even with nothing to drop it writes a
    /// new table manifest (an fsync that writes to the history wait for),
    /// so it runs at most every [`DROP_EVERY`].
    dropped_at: Option<std::time::Instant>,
}

/// How often pruned tables are dropped at most: what is pruned meanwhile
/// stays on disk a little longer.
const DROP_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// A reader's hold on the history from its start (see [`Reclaim::pin`]).
pub(super) struct Pin {
    reclaim: Arc<Reclaim>,
    start: u64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Reclaim {
    /// Pins the history before a view is taken: no table is dropped until
    /// [`Pin::at`] names the start the view read (a view taken after this
    /// call sees a start no lower than any drop computed before it, since
    /// the start only grows between installs).
    pub(super) fn pin(self: &Arc<Self>) -> Pin {
        *lock(&self.state).pins.entry(0).or_default() += 1;
        Pin {
            reclaim: self.clone(),
            start: 0,
        }
    }

    /// The number of installs begun, to pass to [`Reclaim::drop_below`].
    pub(super) fn installs(&self) -> u64 {
        lock(&self.state).installs
    }

    /// Held for a whole snapshot install: waits for a drop in progress and
    /// voids the drops asked for before it.
    pub(super) async fn begin_install(&self) -> tokio::sync::MutexGuard<'_, ()> {
        let guard = self.drops.lock().await;
        let mut state = lock(&self.state);
        state.installs += 1;
        state.dropped_below = 0;
        guard
    }

    /// Drops the tables of `events` whose events are all below `start`,
    /// `start` being on disk, unless an install began after `installs` was
    /// read, or a reader holds an older start.
    pub(super) fn drop_below(&self, events: &Keyspace, start: u64, installs: u64) -> io::Result<()> {
        let _drops = self.drops.blocking_lock();
        let bound = {
            let mut state = lock(&self.state);
            let oldest_reader = state.pins.keys().next().copied().unwrap_or(u64::MAX);
            let bound = start.min(oldest_reader);
            let recent = state.dropped_at.is_some_and(|at| at.elapsed() < DROP_EVERY);
            if state.installs != installs || bound <= state.dropped_below || recent {
                return Ok(());
            }
            state.dropped_below = bound;
            state.dropped_at = Some(std::time::Instant::now());
            bound
        };
        use fjall::AbstractTree;
        let before = events.table_count();
        events
            .tree
            .drop_range(..event_key(bound, 0))
            .map_err(|e| io::Error::other(format!("dropping pruned history tables: {e}")))?;
        let dropped = before.saturating_sub(events.table_count());
        if dropped > 0 {
            tracing::info!(tables = dropped, below = bound, "dropped pruned watch history tables");
        }
        Ok(())
    }
}

impl Pin {
    /// The start the pinned view read: tables below it may go.
    pub(super) fn at(&mut self, start: u64) {
        let mut state = lock(&self.reclaim.state);
        unpin(&mut state.pins, self.start);
        *state.pins.entry(start).or_default() += 1;
        self.start = start;
    }
}

fn unpin(pins: &mut BTreeMap<u64, usize>, start: u64) {
    if let Some(n) = pins.get_mut(&start) {
        *n -= 1;
        if *n == 0 {
            pins.remove(&start);
        }
    }
}

impl Drop for Pin {
    fn drop(&mut self) {
        unpin(&mut lock(&self.reclaim.state).pins, self.start);
    }
}

/// Which keys a watch follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchFilter {
    Key(String),
    Prefix(String),
}

impl WatchFilter {
    pub fn matches(&self, key: &str) -> bool {
        match self {
            WatchFilter::Key(k) => k == key,
            WatchFilter::Prefix(p) => key.starts_with(p.as_str()),
        }
    }
}

/// A page of the history after some revision.
#[derive(Debug, Clone, Default)]
pub struct EventPage {
    /// The matching events, in order, with their revisions.
    pub events: Vec<(u64, StoredEvent)>,
    /// Every change up to this revision has been looked at: the next page
    /// starts after it. Never in the middle of a revision.
    pub through: u64,
    /// More history follows `through` already (the page was full).
    pub more: bool,
}

/// Why a page could not be read.
#[derive(Debug)]
pub enum HistoryError {
    /// Revisions after the one asked for were pruned: the oldest revision
    /// a watch can start from now.
    Compacted {
        oldest: u64,
    },
    Io(io::Error),
}

impl From<io::Error> for HistoryError {
    fn from(e: io::Error) -> Self {
        HistoryError::Io(e)
    }
}

/// How much one page of the history may hold: it ends after the revision
/// that reaches either bound (a revision is never split).
#[derive(Debug, Clone, Copy)]
pub struct PageLimits {
    /// History events looked at.
    pub scanned: usize,
    /// Bytes of the matching events (encoded).
    pub bytes: usize,
}

/// Reads, in `view`, the events after revision `after` up to `applied`
/// that match `filter`, within `limits` (whole revisions only).
pub(super) fn read_page(
    view: &fjall::Snapshot,
    events: &Keyspace,
    start: u64,
    applied: u64,
    after: u64,
    filter: &WatchFilter,
    limits: PageLimits,
) -> Result<EventPage, HistoryError> {
    if after.saturating_add(1) < start {
        return Err(HistoryError::Compacted {
            oldest: start.saturating_sub(1),
        });
    }
    let mut page = EventPage {
        through: applied.max(after),
        ..EventPage::default()
    };
    if after >= applied {
        return Ok(page);
    }
    let mut current = None;
    let mut bytes = 0usize;
    for (scanned, guard) in view.range(events, event_key(after + 1, 0)..).enumerate() {
        let (k, v) = guard.into_inner().map_err(fj)?;
        let revision = revision_of(&k)?;
        if revision > applied {
            break;
        }
        if current != Some(revision) {
            if scanned >= limits.scanned || bytes >= limits.bytes {
                if let Some(done) = current {
                    page.through = done;
                    page.more = true;
                }
                break;
            }
            current = Some(revision);
        }
        let head: EventHead = decode_head(&v)?;
        if filter.matches(&head.key) {
            bytes += v.len();
            page.events.push((revision, decode(&v)?));
        }
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pruning_keeps_the_newest_events_and_moves_the_start_past_the_rest() {
        let mut h = History {
            start: 1,
            limits: HistoryLimits {
                max_events: 5,
                max_age_ms: 1_000,
            },
            ..History::default()
        };
        h.push(2, 3, 100);
        h.push(4, 1, 200);
        h.push(7, 2, 300);
        assert_eq!(h.prune(300), vec![(2, 3)], "6 events, 5 kept: revision 2 goes whole");
        assert_eq!((h.start, h.events()), (3, 3));
        assert_eq!(h.prune(1_250), vec![(4, 1)], "older than 1 s at 1.25 s");
        assert_eq!((h.start, h.events()), (5, 2));
        assert!(h.prune(1_250).is_empty());
        assert_eq!(h.prune(10_000), vec![(7, 2)]);
        assert_eq!((h.start, h.events()), (8, 0));
    }

    #[test]
    fn a_filter_matches_its_key_or_prefix_only() {
        assert!(WatchFilter::Key("a/b".into()).matches("a/b"));
        assert!(!WatchFilter::Key("a/b".into()).matches("a/bc"));
        assert!(WatchFilter::Prefix("a/".into()).matches("a/bc"));
        assert!(!WatchFilter::Prefix("a/".into()).matches("ab"));
        assert!(WatchFilter::Prefix(String::new()).matches("anything"));
    }
}
