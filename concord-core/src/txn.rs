//! Transactions: the one way the key space changes. A single put or delete,
//! a compare-and-set, a prefix delete and a bulk write are all a [`Txn`],
//! evaluated here against a read view of the state machine. Evaluation is a
//! pure function of the view, the entry's revision and the entry's time (the
//! leader's clock, recorded in the log), so every replica computes the same
//! result.

use std::collections::BTreeMap;
use std::io;

use serde::{Deserialize, Serialize};

use crate::limits::MAX_DELETE_PREFIX_KEYS;
use crate::store::is_live;
use crate::types::KvRecord;

/// `compare` ops, then `success` ops if every compare holds, else `failure`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Txn {
    pub compare: Vec<Compare>,
    pub success: Vec<TxnOp>,
    pub failure: Vec<TxnOp>,
}

impl Txn {
    /// Operations counted against the transaction limit.
    pub fn len(&self) -> usize {
        self.compare.len() + self.success.len() + self.failure.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compare {
    pub key: String,
    pub target: Target,
    pub op: CompareOp,
}

/// What a compare looks at. A missing (or expired) key has revisions and
/// version 0, does not exist, and has no value (a value compare is false).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    Value(Vec<u8>),
    ModRevision(u64),
    CreateRevision(u64),
    Version(u64),
    Exists(bool),
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Value(v) => write!(f, "Value({} bytes)", v.len()),
            Target::ModRevision(n) => write!(f, "ModRevision({n})"),
            Target::CreateRevision(n) => write!(f, "CreateRevision({n})"),
            Target::Version(n) => write!(f, "Version({n})"),
            Target::Exists(b) => write!(f, "Exists({b})"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Gt,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TxnOp {
    Put {
        key: String,
        value: Vec<u8>,
        ttl_ms: Option<u64>,
    },
    Get {
        key: String,
    },
    Delete {
        key: String,
    },
    DeletePrefix {
        prefix: String,
    },
}

impl std::fmt::Debug for TxnOp {
    // Values can be large and can be secrets: never print them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TxnOp::Put { key, value, ttl_ms } => {
                write!(f, "Put({key:?}, {} bytes, ttl_ms={ttl_ms:?})", value.len())
            }
            TxnOp::Get { key } => write!(f, "Get({key:?})"),
            TxnOp::Delete { key } => write!(f, "Delete({key:?})"),
            TxnOp::DeletePrefix { prefix } => write!(f, "DeletePrefix({prefix:?})"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxnResponse {
    pub succeeded: bool,
    /// The Raft log index of this transaction's entry.
    pub revision: u64,
    pub results: Vec<OpResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpResult {
    Put { revision: u64 },
    Get { item: Option<(String, KvRecord)> },
    Delete { deleted: u64 },
    DeletePrefix { deleted: u64 },
}

/// Read access to the committed key space, as the state machine has it.
/// Records are returned whether or not they have expired.
pub trait KvView {
    fn get(&self, key: &str) -> io::Result<Option<KvRecord>>;
    /// The keys starting with `prefix`, in order, at most `max` of them.
    fn keys_with_prefix(&self, prefix: &str, max: usize) -> io::Result<Vec<String>>;
}

/// The previous values one entry keeps for its watch events, in bytes, at
/// most: past it, its events carry the previous record's revisions but not
/// its value (a prefix delete of 100,000 large values would otherwise hold
/// them all in memory, on every replica, and write them all again).
pub const PRIOR_VALUE_BUDGET: usize = 4 << 20;

/// A key's record before an entry changed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prior {
    pub record: KvRecord,
    /// `false`: the value was left out ([`PRIOR_VALUE_BUDGET`]); `record.value` is empty.
    pub value_kept: bool,
}

/// `r` as a [`Prior`], with its value if `budget` has room for it (which
/// it then takes).
pub fn keep_prior(budget: &mut usize, r: &KvRecord) -> Prior {
    match budget.checked_sub(r.value.len()) {
        Some(left) => {
            *budget = left;
            Prior {
                record: r.clone(),
                value_kept: true,
            }
        }
        None => Prior {
            record: KvRecord {
                value: Vec::new(),
                ..*r
            },
            value_kept: false,
        },
    }
}

/// The view plus this entry's pending changes (`None` = deleted).
pub struct Pending<'a, V: KvView> {
    base: &'a V,
    now_ms: u64,
    pub changes: BTreeMap<String, Option<KvRecord>>,
    /// For each changed key, its record in the view before this entry
    /// (expired or not): the TTL index entry to remove and the watch event's
    /// previous record, known without reading the record again.
    pub prior: BTreeMap<String, Option<Prior>>,
    /// Bytes of previous values `prior` may still keep.
    prior_budget: usize,
    /// Set when the transaction must be refused as a whole (a
    /// `delete_prefix` over more than [`MAX_DELETE_PREFIX_KEYS`] keys): the
    /// caller discards `changes` and answers the reason.
    pub refused: Option<String>,
    /// Keys `delete_prefix` operations of this entry have matched so far:
    /// the cap holds for the whole entry, not per operation.
    prefix_keys: usize,
}

impl<'a, V: KvView> Pending<'a, V> {
    pub fn new(base: &'a V, now_ms: u64) -> Self {
        Pending {
            base,
            now_ms,
            changes: BTreeMap::new(),
            prior: BTreeMap::new(),
            prior_budget: PRIOR_VALUE_BUDGET,
            refused: None,
            prefix_keys: 0,
        }
    }

    /// The live record of `key`, pending changes included.
    pub fn get(&self, key: &str) -> io::Result<Option<KvRecord>> {
        let record = match self.changes.get(key) {
            Some(pending) => pending.clone(),
            None => self.base.get(key)?,
        };
        Ok(record.filter(|r| is_live(r, self.now_ms)))
    }

    /// The record of `key` as stored or pending, expired or not; the first
    /// read of a key from the view also notes its record in `prior`.
    fn current(&mut self, key: &str) -> io::Result<Option<KvRecord>> {
        if let Some(pending) = self.changes.get(key) {
            return Ok(pending.clone());
        }
        let stored = self.base.get(key)?;
        if !self.prior.contains_key(key) {
            let prior = stored.as_ref().map(|r| keep_prior(&mut self.prior_budget, r));
            self.prior.insert(key.to_string(), prior);
        }
        Ok(stored)
    }

    pub fn put(&mut self, key: String, value: Vec<u8>, ttl_ms: Option<u64>, revision: u64) -> io::Result<()> {
        let expires_at_ms = ttl_ms.map(|t| self.now_ms.saturating_add(t));
        let record = match self.current(&key)?.filter(|r| is_live(r, self.now_ms)) {
            Some(prev) => KvRecord {
                value,
                create_revision: prev.create_revision,
                mod_revision: revision,
                version: prev.version.saturating_add(1),
                expires_at_ms,
            },
            None => KvRecord {
                value,
                create_revision: revision,
                mod_revision: revision,
                version: 1,
                expires_at_ms,
            },
        };
        self.changes.insert(key, Some(record));
        Ok(())
    }

    /// Deletes `key`; returns whether a live key was there.
    pub fn delete(&mut self, key: &str) -> io::Result<bool> {
        let pending = self.changes.contains_key(key);
        let record = self.current(key)?;
        let existed = record.as_ref().is_some_and(|r| is_live(r, self.now_ms));
        // Expired-but-unswept records are removed too.
        let stored = if pending {
            self.base.get(key)?.is_some()
        } else {
            record.is_some()
        };
        if existed || stored {
            self.changes.insert(key.to_string(), None);
        }
        Ok(existed)
    }

    pub fn delete_prefix(&mut self, prefix: &str) -> io::Result<u64> {
        // One more than allowed tells "too many" apart from "just enough".
        let room = MAX_DELETE_PREFIX_KEYS - self.prefix_keys;
        let mut keys = self.base.keys_with_prefix(prefix, room + 1)?;
        keys.extend(self.changes.keys().filter(|k| k.starts_with(prefix)).cloned());
        keys.sort();
        keys.dedup();
        if keys.len() > room {
            self.refused = Some(format!(
                "delete_prefix {prefix:?}: the transaction's prefix deletes match more than \
                 {MAX_DELETE_PREFIX_KEYS} keys, the most one transaction deletes; delete narrower prefixes"
            ));
            return Ok(0);
        }
        self.prefix_keys += keys.len();
        let mut deleted = 0;
        for key in keys {
            if self.delete(&key)? {
                deleted += 1;
            }
        }
        Ok(deleted)
    }

    fn holds(&self, c: &Compare) -> io::Result<bool> {
        let record = self.get(&c.key)?;
        let num = |f: fn(&KvRecord) -> u64| record.as_ref().map_or(0, f);
        let ordering = match &c.target {
            Target::Value(v) => match &record {
                Some(r) => r.value.as_slice().cmp(v.as_slice()),
                None => return Ok(false),
            },
            Target::ModRevision(n) => num(|r| r.mod_revision).cmp(n),
            Target::CreateRevision(n) => num(|r| r.create_revision).cmp(n),
            Target::Version(n) => num(|r| r.version).cmp(n),
            Target::Exists(b) => record.is_some().cmp(b),
        };
        Ok(match c.op {
            CompareOp::Eq => ordering.is_eq(),
            CompareOp::Ne => ordering.is_ne(),
            CompareOp::Lt => ordering.is_lt(),
            CompareOp::Gt => ordering.is_gt(),
        })
    }

    /// Evaluates `txn` at `revision`, leaving its changes in `self.changes`.
    pub fn apply(&mut self, txn: Txn, revision: u64) -> io::Result<TxnResponse> {
        let mut succeeded = true;
        for c in &txn.compare {
            if !self.holds(c)? {
                succeeded = false;
                break;
            }
        }
        let ops = if succeeded { txn.success } else { txn.failure };
        let mut results = Vec::with_capacity(ops.len());
        for op in ops {
            if self.refused.is_some() {
                break;
            }
            results.push(match op {
                TxnOp::Put { key, value, ttl_ms } => {
                    self.put(key, value, ttl_ms, revision)?;
                    OpResult::Put { revision }
                }
                TxnOp::Get { key } => {
                    let item = self.get(&key)?.map(|r| (key, r));
                    OpResult::Get { item }
                }
                TxnOp::Delete { key } => OpResult::Delete {
                    deleted: u64::from(self.delete(&key)?),
                },
                TxnOp::DeletePrefix { prefix } => OpResult::DeletePrefix {
                    deleted: self.delete_prefix(&prefix)?,
                },
            });
        }
        Ok(TxnResponse {
            succeeded,
            revision,
            results,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    pub(super) struct Mem(pub(super) BTreeMap<String, KvRecord>);

    impl KvView for Mem {
        fn get(&self, key: &str) -> io::Result<Option<KvRecord>> {
            Ok(self.0.get(key).cloned())
        }
        fn keys_with_prefix(&self, prefix: &str, max: usize) -> io::Result<Vec<String>> {
            Ok(self
                .0
                .keys()
                .filter(|k| k.starts_with(prefix))
                .take(max)
                .cloned()
                .collect())
        }
    }

    fn put(key: &str, value: &str) -> TxnOp {
        TxnOp::Put {
            key: key.into(),
            value: value.into(),
            ttl_ms: None,
        }
    }

    pub(super) fn commit(mem: &mut Mem, p: BTreeMap<String, Option<KvRecord>>) {
        for (k, v) in p {
            match v {
                Some(r) => mem.0.insert(k, r),
                None => mem.0.remove(&k),
            };
        }
    }

    fn run(mem: &mut Mem, txn: Txn, revision: u64, now: u64) -> TxnResponse {
        let mut p = Pending::new(&*mem, now);
        let resp = p.apply(txn, revision).unwrap();
        let changes = std::mem::take(&mut p.changes);
        commit(mem, changes);
        resp
    }

    #[test]
    fn versions_count_writes_and_create_revision_stays() {
        let mut mem = Mem::default();
        for rev in [5, 7, 9] {
            run(
                &mut mem,
                Txn {
                    success: vec![put("k", "v")],
                    ..Default::default()
                },
                rev,
                0,
            );
        }
        let r = &mem.0["k"];
        assert_eq!((r.create_revision, r.mod_revision, r.version), (5, 9, 3));
    }

    #[test]
    fn compare_picks_the_branch_and_changes_are_atomic() {
        let mut mem = Mem::default();
        run(
            &mut mem,
            Txn {
                success: vec![put("a", "1")],
                ..Default::default()
            },
            2,
            0,
        );
        let cas = |rev: u64| Txn {
            compare: vec![Compare {
                key: "a".into(),
                target: Target::ModRevision(rev),
                op: CompareOp::Eq,
            }],
            success: vec![put("a", "2"), put("b", "x")],
            failure: vec![TxnOp::Get { key: "a".into() }],
        };
        let resp = run(&mut mem, cas(1), 3, 0);
        assert!(!resp.succeeded);
        assert!(matches!(&resp.results[0], OpResult::Get { item: Some((_, r)) } if r.mod_revision == 2));
        assert!(!mem.0.contains_key("b"), "failure branch wrote nothing");
        let resp = run(&mut mem, cas(2), 4, 0);
        assert!(resp.succeeded);
        assert_eq!(mem.0["a"].value, b"2");
        assert_eq!(mem.0["b"].mod_revision, 4);
    }

    #[test]
    fn missing_keys_compare_as_zero_and_absent() {
        let mem = Mem::default();
        let p = Pending::new(&mem, 0);
        let c = |target, op| Compare {
            key: "nope".into(),
            target,
            op,
        };
        assert!(p.holds(&c(Target::ModRevision(0), CompareOp::Eq)).unwrap());
        assert!(p.holds(&c(Target::Exists(false), CompareOp::Eq)).unwrap());
        assert!(!p.holds(&c(Target::Value(b"".to_vec()), CompareOp::Eq)).unwrap());
        assert!(p.holds(&c(Target::Version(1), CompareOp::Lt)).unwrap());
    }

    #[test]
    fn expired_keys_are_gone_for_reads_compares_and_recreation() {
        let mut mem = Mem::default();
        let ttl_put = TxnOp::Put {
            key: "t".into(),
            value: b"v".to_vec(),
            ttl_ms: Some(1000),
        };
        run(
            &mut mem,
            Txn {
                success: vec![ttl_put],
                ..Default::default()
            },
            2,
            10_000,
        );
        assert_eq!(mem.0["t"].expires_at_ms, Some(11_000));
        let p = Pending::new(&mem, 10_999);
        assert!(p.get("t").unwrap().is_some());
        let p = Pending::new(&mem, 11_000);
        assert!(p.get("t").unwrap().is_none());
        // Writing an expired key starts a new life.
        run(
            &mut mem,
            Txn {
                success: vec![put("t", "w")],
                ..Default::default()
            },
            3,
            12_000,
        );
        assert_eq!((mem.0["t"].create_revision, mem.0["t"].version), (3, 1));
    }

    /// Defect (issue 10): a prefix delete loaded every matching key on
    /// every replica. More than the cap refuses the whole transaction.
    #[test]
    fn a_delete_prefix_over_too_many_keys_is_refused_whole() {
        let mut mem = Mem::default();
        for i in 0..=MAX_DELETE_PREFIX_KEYS {
            mem.0.insert(
                format!("p/{i:07}"),
                KvRecord {
                    value: vec![],
                    create_revision: 1,
                    mod_revision: 1,
                    version: 1,
                    expires_at_ms: None,
                },
            );
        }
        let mut p = Pending::new(&mem, 0);
        let txn = Txn {
            success: vec![put("other", "x"), TxnOp::DeletePrefix { prefix: "p/".into() }],
            ..Txn::default()
        };
        p.apply(txn.clone(), 2).unwrap();
        assert!(
            p.refused.as_deref().is_some_and(|r| r.contains("more than")),
            "{:?}",
            p.refused
        );
        mem.0.remove("p/0000000");
        let mut p = Pending::new(&mem, 0);
        let resp = p.apply(txn, 2).unwrap();
        assert_eq!(p.refused, None);
        assert!(
            matches!(resp.results[1], OpResult::DeletePrefix { deleted } if deleted == MAX_DELETE_PREFIX_KEYS as u64)
        );
        // The cap is per entry: two prefix deletes of 100,000 keys each are
        // refused as a whole too.
        let twice = Txn {
            success: vec![
                TxnOp::DeletePrefix { prefix: "p/".into() },
                TxnOp::DeletePrefix { prefix: "p/".into() },
            ],
            ..Txn::default()
        };
        let mut p = Pending::new(&mem, 0);
        p.apply(twice, 3).unwrap();
        assert!(p.refused.is_some());
    }

    #[test]
    fn delete_prefix_sees_pending_puts() {
        let mut mem = Mem::default();
        run(
            &mut mem,
            Txn {
                success: vec![put("p/1", "a"), put("q", "b")],
                ..Default::default()
            },
            2,
            0,
        );
        let txn = Txn {
            success: vec![put("p/2", "c"), TxnOp::DeletePrefix { prefix: "p/".into() }],
            ..Default::default()
        };
        let resp = run(&mut mem, txn, 3, 0);
        assert_eq!(resp.results[1], OpResult::DeletePrefix { deleted: 2 });
        assert_eq!(mem.0.keys().collect::<Vec<_>>(), vec!["q"]);
    }
}

#[cfg(test)]
mod properties {
    //! The evaluator against a plain reference model, on random transactions.

    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    use super::tests::{commit, Mem};

    fn key() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["a", "a/1", "a/2", "b", "b/1"]).prop_map(String::from)
    }

    fn op() -> impl Strategy<Value = TxnOp> {
        prop_oneof![
            (key(), "[xy]{0,2}").prop_map(|(key, v)| TxnOp::Put {
                key,
                value: v.into_bytes(),
                ttl_ms: None
            }),
            key().prop_map(|key| TxnOp::Get { key }),
            key().prop_map(|key| TxnOp::Delete { key }),
            prop::sample::select(vec!["a", "a/", "b", ""]).prop_map(|p| TxnOp::DeletePrefix { prefix: p.into() }),
        ]
    }

    fn compare() -> impl Strategy<Value = Compare> {
        let target = prop_oneof![
            "[xy]{0,2}".prop_map(|v| Target::Value(v.into_bytes())),
            (0u64..6).prop_map(Target::ModRevision),
            (0u64..6).prop_map(Target::Version),
            any::<bool>().prop_map(Target::Exists),
        ];
        let op = prop::sample::select(vec![CompareOp::Eq, CompareOp::Ne, CompareOp::Lt, CompareOp::Gt]);
        (key(), target, op).prop_map(|(key, target, op)| Compare { key, target, op })
    }

    fn txn() -> impl Strategy<Value = Txn> {
        (
            prop::collection::vec(compare(), 0..3),
            prop::collection::vec(op(), 0..5),
            prop::collection::vec(op(), 0..5),
        )
            .prop_map(|(compare, success, failure)| Txn {
                compare,
                success,
                failure,
            })
    }

    /// The reference: values only, applied op by op.
    fn reference(model: &mut BTreeMap<String, Vec<u8>>, ops: &[TxnOp]) {
        for op in ops {
            match op {
                TxnOp::Put { key, value, .. } => {
                    model.insert(key.clone(), value.clone());
                }
                TxnOp::Get { .. } => {}
                TxnOp::Delete { key } => {
                    model.remove(key);
                }
                TxnOp::DeletePrefix { prefix } => model.retain(|k, _| !k.starts_with(prefix.as_str())),
            }
        }
    }

    proptest! {
        #[test]
        fn evaluator_matches_the_reference(txns in prop::collection::vec(txn(), 1..12)) {
            let mut mem = Mem::default();
            let mut model: BTreeMap<String, Vec<u8>> = BTreeMap::new();
            for (i, t) in txns.into_iter().enumerate() {
                let revision = i as u64 + 1;
                let mut p = Pending::new(&mem, 0);
                let resp = p.apply(t.clone(), revision).unwrap();
                let changes = std::mem::take(&mut p.changes);
                let branch = if resp.succeeded { &t.success } else { &t.failure };
                prop_assert_eq!(resp.results.len(), branch.len());
                prop_assert_eq!(resp.revision, revision);
                reference(&mut model, branch);
                for r in changes.values().flatten() {
                    prop_assert_eq!(r.mod_revision, revision);
                    prop_assert!(r.create_revision <= r.mod_revision && r.version >= 1);
                }
                commit(&mut mem, changes);
                let values: BTreeMap<String, Vec<u8>> = mem.0.iter().map(|(k, r)| (k.clone(), r.value.clone())).collect();
                prop_assert_eq!(&values, &model);
            }
        }

        #[test]
        fn key_validation_agrees_with_its_rules(key in "\\PC{0,8}|[a\\x00-\\x1f]{1,3}|[a./\\\\]{1,6}") {
            let ok = crate::limits::validate_key(&key).is_ok();
            let dot_segment = key.contains('\\') || key.split('/').any(|s| s == "." || s == "..");
            let expected = !key.is_empty()
                && key.len() <= crate::limits::MAX_KEY_BYTES
                && !key.chars().any(|c| c.is_ascii_control())
                && !dot_segment;
            prop_assert_eq!(ok, expected);
        }

        #[test]
        fn decoders_never_panic_on_garbage(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
            let _ = crate::store::validate_snapshot_stream(&bytes[..]);
            let _ = crate::store::decode_entry(&bytes);
            let mut tagged = vec![1u8];
            tagged.extend_from_slice(&bytes);
            let _ = crate::store::validate_snapshot_stream(&tagged[..]);
            let _ = crate::store::decode_entry(&tagged);
        }
    }
}
