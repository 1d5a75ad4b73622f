//! Reads of the state machine's keys: [`KvReader`] (get, list pages, the
//! TTL index for the leader's sweep, the cluster metadata) and
//! [`ExportView`] (a point-in-time view for export), both for the API, and
//! [`Committed`], the view of the committed keys that apply's transactions
//! read through. Nothing here writes.
//!
//! `get`, `list` and `export_view` read through one fjall snapshot each, so
//! a batch being applied (an entry, or a snapshot install that removes every
//! key and writes them back) is never seen half done. Expired keys are
//! invisible to `get`, `list` and `ExportView::for_each` by this machine's
//! clock, before the sweep deletes them through Raft.

use crate::types::now_ms;
use std::io;

use fjall::{Database, Keyspace, Readable};

use super::codec::{decode, decode_or_default, fj};
use super::is_live;
use super::sm::{read_auth, read_cluster, ttl_key, ClusterMeta, META_LAST_APPLIED};
use crate::auth::{AuthState, TokenRecord};
use crate::txn::KvView;
use crate::types::alias::LogId;
use crate::types::KvRecord;

pub(super) fn read_record(kv: &Keyspace, key: &str) -> io::Result<Option<KvRecord>> {
    match kv.get(key).map_err(fj)? {
        Some(bytes) => decode(&bytes).map(Some),
        None => Ok(None),
    }
}

pub(super) fn utf8_key(bytes: &[u8]) -> io::Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// [`KvView`] over the committed `kv` keyspace.
pub(super) struct Committed<'a>(pub(super) &'a Keyspace);

impl KvView for Committed<'_> {
    fn get(&self, key: &str) -> io::Result<Option<KvRecord>> {
        read_record(self.0, key)
    }

    fn keys_with_prefix(&self, prefix: &str, max: usize) -> io::Result<Vec<String>> {
        self.0
            .prefix(prefix)
            .take(max)
            .map(|g| utf8_key(&g.key().map_err(fj)?))
            .collect()
    }
}

/// A page of a key-range listing.
#[derive(Debug, Clone)]
pub struct ListQuery {
    /// Only keys starting with this.
    pub prefix: String,
    /// First key (inclusive); also the cursor of the next page.
    pub start: Option<String>,
    /// Last key (exclusive).
    pub end: Option<String>,
    pub limit: usize,
}

/// One page: live items in key order, and the first key of the next page.
#[derive(Debug, Clone)]
pub struct ListPage {
    pub items: Vec<(String, KvRecord)>,
    pub next: Option<String>,
}

/// Read access to the state machine's keys, for the API. Cheap to clone.
#[derive(Clone)]
pub struct KvReader {
    pub(super) db: Database,
    pub(super) kv: Keyspace,
    pub(super) meta: Keyspace,
    pub(super) ttl: Keyspace,
    pub(super) tokens: Keyspace,
    pub(super) requests: Keyspace,
    pub(super) events: Keyspace,
    pub(super) applied: std::sync::Arc<tokio::sync::watch::Sender<u64>>,
    pub(super) installing: std::sync::Arc<std::sync::atomic::AtomicBool>,
    pub(super) auth_on: std::sync::Arc<std::sync::atomic::AtomicBool>,
    pub(super) reclaim: std::sync::Arc<super::history::Reclaim>,
}

impl KvReader {
    /// Whether a snapshot install is replacing the key space now: a read
    /// here would see part of it, so the API refuses until it is done.
    pub fn installing(&self) -> bool {
        self.installing.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// A point-in-time view for one read, refused (`ErrorKind::ResourceBusy`)
    /// if it falls inside a snapshot install: the install's marker is
    /// committed before its first key change and removed in its last batch,
    /// so checking it in the same view is atomic with the read.
    fn view(&self) -> io::Result<fjall::Snapshot> {
        let view = self.db.snapshot();
        if view.contains_key(&self.meta, super::sm::META_INSTALLING).map_err(fj)? {
            return Err(io::Error::new(
                io::ErrorKind::ResourceBusy,
                "this node is installing a snapshot from the leader; read from another member or retry",
            ));
        }
        Ok(view)
    }

    /// Whether auth is on as committed here: the flag the state machine
    /// sets once it has committed (or installed) an enabled auth state, so
    /// the check every request makes reads no storage. Auth never turns off.
    pub fn auth_on(&self) -> bool {
        self.auth_on.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The auth state (on, bootstrapped), as applied on this node.
    pub fn auth_state(&self) -> io::Result<AuthState> {
        read_auth(&self.meta)
    }

    /// The token record `id`, if it exists (revoked tokens do not).
    pub fn token(&self, id: &str) -> io::Result<Option<TokenRecord>> {
        match self.view()?.get(&self.tokens, id).map_err(fj)? {
            Some(b) => Ok(Some(decode(&b)?)),
            None => Ok(None),
        }
    }

    /// Every token record, by id.
    pub fn tokens(&self) -> io::Result<Vec<TokenRecord>> {
        let mut out = Vec::new();
        for guard in self.view()?.iter(&self.tokens) {
            let (_, value) = guard.into_inner().map_err(fj)?;
            out.push(decode(&value)?);
        }
        Ok(out)
    }

    /// The cluster metadata as applied on this node.
    pub fn cluster(&self) -> io::Result<ClusterMeta> {
        read_cluster(&self.meta)
    }

    /// The number of keys stored, expired ones not yet swept included: a
    /// scan of every key (keys only), for the metrics.
    pub fn count_keys(&self) -> io::Result<u64> {
        let view = self.view()?;
        let mut n = 0u64;
        for guard in view.iter(&self.kv) {
            guard.key().map_err(fj)?;
            n += 1;
        }
        Ok(n)
    }

    /// Bytes the state machine takes on disk: journals and tables.
    pub fn disk_space(&self) -> io::Result<u64> {
        self.db.disk_space().map_err(fj)
    }

    /// The live record of `key`, if any (expired keys are invisible).
    pub fn get(&self, key: &str) -> io::Result<Option<KvRecord>> {
        // Through a snapshot too: a batch being applied (a snapshot install
        // removes every key, then writes them back) is never seen half done.
        let record = match self.view()?.get(&self.kv, key).map_err(fj)? {
            Some(bytes) => Some(decode::<KvRecord>(&bytes)?),
            None => None,
        };
        Ok(record.filter(|r| is_live(r, now_ms())))
    }

    /// A page of live keys in order.
    pub fn list(&self, q: &ListQuery) -> io::Result<ListPage> {
        let now = now_ms();
        let from = match &q.start {
            Some(start) if start.as_str() > q.prefix.as_str() => start.clone(),
            _ => q.prefix.clone(),
        };
        let mut items = Vec::new();
        let mut bytes = 0;
        // A snapshot, not `Keyspace::range`: that reads at the newest
        // sequence number and can show part of a batch being applied, i.e.
        // half a transaction (the chaos suite caught it).
        let view = self.view()?;
        for guard in view.range(&self.kv, from.as_bytes()..) {
            let (key, value) = guard.into_inner().map_err(fj)?;
            let key = utf8_key(&key)?;
            if !key.starts_with(&q.prefix) || q.end.as_ref().is_some_and(|end| key >= *end) {
                break;
            }
            let record: KvRecord = decode(&value)?;
            if !is_live(&record, now) {
                continue;
            }
            let full = items.len() == q.limit
                || (!items.is_empty() && bytes + record.value.len() > crate::limits::MAX_LIST_PAGE_BYTES);
            if full {
                return Ok(ListPage { items, next: Some(key) });
            }
            bytes += key.len() + record.value.len();
            items.push((key, record));
        }
        Ok(ListPage { items, next: None })
    }

    /// A consistent, point-in-time view for exporting.
    pub fn export_view(&self) -> io::Result<ExportView> {
        let snap = self.view()?;
        let last_applied: Option<LogId> = decode_or_default(snap.get(&self.meta, META_LAST_APPLIED).map_err(fj)?)?;
        Ok(ExportView {
            revision: last_applied.map_or(0, |l| l.index()),
            snap,
            kv: self.kv.clone(),
        })
    }

    /// A point-in-time view of the whole state machine, for a backup
    /// (refused during a snapshot install, like every read).
    pub fn backup_view(&self) -> io::Result<super::StateView> {
        let pin = self.reclaim.pin();
        super::StateView::of(
            pin,
            self.view()?,
            &self.kv,
            &self.meta,
            &self.requests,
            &self.tokens,
            &self.events,
        )
    }

    /// The last applied revision, and every later one as it is applied
    /// (published once its batch has committed, so a read after it sees it).
    pub fn applied_revisions(&self) -> tokio::sync::watch::Receiver<u64> {
        self.applied.subscribe()
    }

    /// The watch history after revision `after`, up to the last applied
    /// revision, that matches `filter`, within `limits` (ending at a whole
    /// revision). `Compacted` when a revision after `after` is no longer
    /// kept. Refused during a snapshot install.
    pub fn events_after(
        &self,
        after: u64,
        filter: &super::WatchFilter,
        limits: super::PageLimits,
    ) -> Result<super::EventPage, super::HistoryError> {
        let mut pin = self.reclaim.pin();
        let view = self.view()?;
        let (start, applied) = super::history::start_in_view(&view, &self.meta)?;
        pin.at(start);
        let applied = applied.map_or(0, |l| l.index());
        super::history::read_page(&view, &self.events, start, applied, after, filter, limits)
    }

    /// Keys whose TTL ran out by `now_ms`, with their mod revision, at most
    /// `limit` of them (for the leader's sweep).
    pub fn expired(&self, now_ms: u64, limit: usize) -> io::Result<Vec<(String, u64)>> {
        let mut out = Vec::new();
        for guard in self.ttl.range(..ttl_key(now_ms, "")).take(limit) {
            let (k, v) = guard.into_inner().map_err(fj)?;
            let key = utf8_key(k.get(8..).unwrap_or_default())?;
            let rev = super::codec::index_from_key(&v)?;
            out.push((key, rev));
        }
        Ok(out)
    }
}

/// A point-in-time view of every key, for `concord kv export`.
pub struct ExportView {
    /// The last applied log index when the view was taken.
    pub revision: u64,
    snap: fjall::Snapshot,
    kv: Keyspace,
}

impl ExportView {
    /// Calls `f` for every live key starting with `prefix`, in key order.
    pub fn for_each(&self, prefix: &str, mut f: impl FnMut(String, KvRecord) -> io::Result<()>) -> io::Result<()> {
        let now = now_ms();
        self.for_each_stored(
            prefix,
            |key, record| {
                if is_live(&record, now) {
                    f(key, record)
                } else {
                    Ok(())
                }
            },
        )
    }

    /// Calls `f` for every stored key starting with `prefix`, expired or
    /// not: what replicas must agree on at the same revision.
    pub fn for_each_stored(
        &self,
        prefix: &str,
        mut f: impl FnMut(String, KvRecord) -> io::Result<()>,
    ) -> io::Result<()> {
        for guard in self.snap.prefix(&self.kv, prefix) {
            let (key, value) = guard.into_inner().map_err(fj)?;
            f(utf8_key(&key)?, decode(&value)?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sm::tests::{apply_all, cmd, put};
    use crate::txn::{Txn, TxnOp};
    use crate::types::Op;
    use crate::Storage;

    /// A data directory whose state machine has applied `puts` (key, value,
    /// TTL) at indexes 1, 2, ...; the first at leader time 1_000, so a key
    /// put first with a short TTL expired long ago, the rest at 2_000
    /// (apply's clock, not the wall clock: keys with no TTL never expire).
    async fn storage_with(puts: &[(&str, &[u8], Option<u64>)]) -> (tempfile::TempDir, Storage) {
        let dir = tempfile::tempdir().unwrap();
        let mut storage = crate::open(dir.path()).unwrap();
        let cmds = puts
            .iter()
            .zip(1..)
            .map(|(&(key, value, ttl), index)| {
                let at_ms = if index == 1 { 1_000 } else { 2_000 };
                (index, cmd(at_ms, None, put(key, value, ttl)))
            })
            .collect();
        apply_all(&mut storage.sm, cmds).await;
        (dir, storage)
    }

    fn query(prefix: &str, start: Option<&str>, end: Option<&str>, limit: usize) -> ListQuery {
        ListQuery {
            prefix: prefix.into(),
            start: start.map(str::to_string),
            end: end.map(str::to_string),
            limit,
        }
    }

    fn keys(page: &ListPage) -> Vec<&str> {
        page.items.iter().map(|(k, _)| k.as_str()).collect()
    }

    fn exported(view: &ExportView, prefix: &str) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        view.for_each(prefix, |k, r| {
            out.push((k, r.value));
            Ok(())
        })
        .unwrap();
        out
    }

    #[tokio::test]
    async fn get_answers_a_live_key_and_hides_a_missing_or_expired_one() {
        let hour = 3_600_000;
        let (_dir, s) = storage_with(&[
            ("gone", b"0", Some(10)),
            ("live", b"1", None),
            ("later", b"2", Some(now_ms() + hour)),
        ])
        .await;
        let live = s.reader.get("live").unwrap().expect("a live key");
        assert_eq!(
            (live.value.as_slice(), live.mod_revision, live.version),
            (&b"1"[..], 2, 1)
        );
        assert_eq!(
            s.reader.get("later").unwrap().unwrap().value,
            b"2",
            "its TTL has not run out"
        );
        assert_eq!(s.reader.get("missing").unwrap(), None);
        assert_eq!(s.reader.get("gone").unwrap(), None, "expired at 1_010");
        // Still stored until the sweep deletes it through Raft, and offered
        // to that sweep with its mod revision.
        let mut stored = Vec::new();
        s.reader
            .export_view()
            .unwrap()
            .for_each_stored("gone", |k, _| {
                stored.push(k);
                Ok(())
            })
            .unwrap();
        assert_eq!(stored, ["gone"]);
        assert_eq!(s.reader.expired(now_ms(), 10).unwrap(), [("gone".to_string(), 1)]);
        assert_eq!(s.reader.expired(now_ms(), 0).unwrap(), [], "at most `limit` of them");
    }

    #[tokio::test]
    async fn list_pages_through_a_prefix_between_start_and_end() {
        let (_dir, s) = storage_with(&[
            ("b/x", b"expired", Some(10)),
            ("a", b"", None),
            ("b/1", b"", None),
            ("b/2", b"", None),
            ("b/3", b"", None),
            ("b/4", b"", None),
            ("c", b"", None),
        ])
        .await;
        let r = &s.reader;
        let first = r.list(&query("b/", None, None, 2)).unwrap();
        assert_eq!(keys(&first), ["b/1", "b/2"]);
        assert_eq!(
            first.next.as_deref(),
            Some("b/3"),
            "the next page starts at the next live key"
        );
        let second = r.list(&query("b/", first.next.as_deref(), None, 2)).unwrap();
        assert_eq!(keys(&second), ["b/3", "b/4"]);
        assert_eq!(second.next, None, "only an expired key (b/x) is left under the prefix");
        assert_eq!(
            keys(&r.list(&query("b/", Some("a"), None, 2)).unwrap()),
            ["b/1", "b/2"],
            "a start before the prefix starts at the prefix"
        );
        let ranged = r.list(&query("", Some("b/2"), Some("b/4"), 10)).unwrap();
        assert_eq!(keys(&ranged), ["b/2", "b/3"], "start is inclusive, end exclusive");
        assert_eq!(ranged.next, None);
        let all = r.list(&query("", None, None, 100)).unwrap();
        assert_eq!(keys(&all), ["a", "b/1", "b/2", "b/3", "b/4", "c"]);
        assert_eq!(all.items[1].1.mod_revision, 3, "items carry their records");
        assert!(r.list(&query("d", None, None, 10)).unwrap().items.is_empty());
    }

    #[tokio::test]
    async fn a_list_page_stops_at_the_byte_cap_but_is_never_empty() {
        let over_the_cap = vec![7u8; crate::limits::MAX_LIST_PAGE_BYTES + 1];
        let (_dir, s) = storage_with(&[
            ("k1", &over_the_cap, None),
            ("k2", b"small", None),
            ("k3", b"small", None),
        ])
        .await;
        let first = s.reader.list(&query("k", None, None, 100)).unwrap();
        assert_eq!(
            keys(&first),
            ["k1"],
            "a value over the cap comes alone, and nothing after it"
        );
        assert_eq!(first.next.as_deref(), Some("k2"));
        let second = s.reader.list(&query("k", first.next.as_deref(), None, 100)).unwrap();
        assert_eq!(keys(&second), ["k2", "k3"]);
        assert_eq!(second.next, None);
    }

    #[tokio::test]
    async fn keys_with_prefix_returns_at_most_max_stored_keys_in_order() {
        let (_dir, s) = storage_with(&[
            ("p/x", b"", Some(10)),
            ("p/1", b"", None),
            ("p/2", b"", None),
            ("p/3", b"", None),
            ("q", b"", None),
        ])
        .await;
        let view = Committed(&s.sm.kv);
        assert_eq!(view.keys_with_prefix("p/", 2).unwrap(), ["p/1", "p/2"]);
        // The committed view holds what is stored, expired or not: a
        // transaction judges liveness at its own time (`crate::txn::Pending`).
        assert_eq!(view.keys_with_prefix("p/", 100).unwrap(), ["p/1", "p/2", "p/3", "p/x"]);
        assert!(view.keys_with_prefix("p/", 0).unwrap().is_empty());
        assert!(view.keys_with_prefix("r", 10).unwrap().is_empty());
        assert_eq!(view.get("p/x").unwrap().unwrap().expires_at_ms, Some(1_010));
        assert_eq!(view.get("missing").unwrap(), None);
    }

    #[tokio::test]
    async fn an_export_view_keeps_the_state_at_its_revision() {
        let dir = tempfile::tempdir().unwrap();
        let s = crate::open(dir.path()).unwrap();
        assert_eq!(s.reader.export_view().unwrap().revision, 0, "nothing applied yet");
        drop((s, dir));

        let (_dir, mut s) = storage_with(&[("gone", b"0", Some(10)), ("a", b"1", None), ("b", b"2", None)]).await;
        let view = s.reader.export_view().unwrap();
        assert_eq!(view.revision, 3);
        let delete_a = Op::Txn(Txn {
            success: vec![TxnOp::Delete { key: "a".into() }],
            ..Txn::default()
        });
        apply_all(
            &mut s.sm,
            vec![
                (4, cmd(3_000, None, put("c", b"3", None))),
                (5, cmd(3_000, None, delete_a)),
                (6, cmd(3_000, None, put("b", b"22", None))),
            ],
        )
        .await;
        let at = |v: &[(&str, &[u8])]| v.iter().map(|(k, v)| (k.to_string(), v.to_vec())).collect::<Vec<_>>();
        assert_eq!(
            exported(&view, ""),
            at(&[("a", b"1"), ("b", b"2")]),
            "as at revision 3, live keys only"
        );
        assert_eq!(exported(&view, "b"), at(&[("b", b"2")]));
        let now = s.reader.export_view().unwrap();
        assert_eq!(now.revision, 6);
        assert_eq!(exported(&now, ""), at(&[("b", b"22"), ("c", b"3")]));
    }
}
