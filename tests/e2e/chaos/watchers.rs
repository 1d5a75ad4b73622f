//! The watch workload: watchers follow a prefix (`GET /v1/watch`) through
//! the nemeses, resuming from the last whole revision they saw on the next
//! node whenever a stream breaks (a killed or stopped node, a lagged
//! stream), and after 6 s on one stream anyway, so they resume often even
//! when nothing fails. After the run, [`check_watchers`] compares what each saw
//! with the committed history every node gives from revision 0.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

use crate::support::client;

/// The prefixes watched: the two groups (transactions change several keys
/// at one revision) and every key.
pub(super) const WATCHED: [&str; 3] = ["g1/", "g2/", ""];

/// One change as a watcher saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Change {
    pub revision: u64,
    pub kind: String,
    pub key: String,
    pub value: Option<String>,
    pub expired: bool,
}

/// A watcher and what it saw.
pub(super) struct Watcher {
    pub prefix: String,
    pub id: usize,
    pub changes: Vec<Change>,
    /// Streams opened (the first one included).
    pub streams: u64,
    /// Changes that came on streams opened to resume (after revision 0).
    pub resumed_changes: u64,
    /// Every change up to this revision was seen.
    pub last: u64,
}

impl Watcher {
    pub(super) fn new(id: usize, prefix: &str) -> Self {
        Watcher {
            prefix: prefix.to_string(),
            id,
            changes: Vec::new(),
            streams: 0,
            resumed_changes: 0,
            last: 0,
        }
    }

    /// Follows the prefix from revision 0, through the nodes in turn,
    /// until `stop`.
    pub(super) fn run(mut self, urls: &RwLock<Vec<String>>, stop: &AtomicBool) -> Watcher {
        let mut at = self.id;
        while !stop.load(Ordering::Relaxed) {
            let url = {
                let urls = urls.read().unwrap();
                urls[at % urls.len()].clone()
            };
            at += 1;
            self.follow(&url, None, Some(stop));
        }
        self
    }

    /// Follows one stream from `self.last` until it breaks, 6 s have passed
    /// or `stop` is set, or until every change up to `until` has been seen
    /// (then `true`). Reads wait at most 10 s (the node sends progress at
    /// least every 5 s).
    pub(super) fn follow(&mut self, url: &str, until: Option<u64>, stop: Option<&AtomicBool>) -> bool {
        let opened = Instant::now();
        let query = format!(
            "{url}/v1/watch?prefix={}&start_revision={}",
            crate::support::encode(&self.prefix),
            self.last
        );
        let resp = match client(Duration::from_secs(10)).get(query).send() {
            Ok(r) if r.status() == 200 => r,
            Ok(r) => {
                assert_ne!(r.status(), 410, "watch {:?} after {} compacted", self.prefix, self.last);
                std::thread::sleep(Duration::from_millis(100));
                return false;
            }
            Err(_) => {
                std::thread::sleep(Duration::from_millis(100));
                return false;
            }
        };
        self.streams += 1;
        let resumed = self.last > 0;
        let mut pending: Vec<Change> = Vec::new();
        let (mut event, mut data, mut id) = (String::new(), String::new(), None::<u64>);
        for line in BufReader::new(resp).lines() {
            let Ok(line) = line else { break };
            if let Some(v) = line.strip_prefix("event: ") {
                event = v.to_string();
            } else if let Some(v) = line.strip_prefix("data: ") {
                data = v.to_string();
            } else if let Some(v) = line.strip_prefix("id: ") {
                id = v.parse().ok();
            } else if line.is_empty() {
                let d: serde_json::Value = serde_json::from_str(&data).expect("SSE data is JSON");
                match event.as_str() {
                    "put" | "delete" => {
                        let revision = d["revision"].as_u64().unwrap();
                        assert!(
                            revision > self.last,
                            "{:?}: revision {revision} after {}",
                            self.prefix,
                            self.last
                        );
                        pending.push(Change {
                            revision,
                            kind: event.clone(),
                            key: d["key"].as_str().unwrap().to_string(),
                            value: d["value"].as_str().map(str::to_string),
                            expired: d["expired"].as_bool().unwrap(),
                        });
                        if let Some(id) = id {
                            assert!(pending.iter().all(|c| c.revision == id), "{pending:?} ends at id {id}");
                            if resumed {
                                self.resumed_changes += pending.len() as u64;
                            }
                            self.changes.append(&mut pending);
                            self.last = id;
                        }
                    }
                    "progress" => {
                        let revision = d["revision"].as_u64().unwrap();
                        assert!(pending.is_empty(), "progress in the middle of revision {pending:?}");
                        self.last = self.last.max(revision);
                    }
                    // The stream ends: resume from the last whole revision.
                    _ => break,
                }
                if until.is_some_and(|u| self.last >= u) {
                    return true;
                }
                let stopped = stop.is_some_and(|s| s.load(Ordering::Relaxed));
                if stopped || (until.is_none() && opened.elapsed() > Duration::from_secs(6)) {
                    break;
                }
                (event, data, id) = (String::new(), String::new(), None);
            }
        }
        false
    }
}

/// A write a client sent: `revision` when it was acknowledged (and took
/// effect), `None` when it failed or its outcome is unknown.
pub(super) struct SentWrite {
    pub key: String,
    pub value: Option<String>,
    pub revision: Option<u64>,
}

/// Every watcher saw exactly the committed history of its prefix: each
/// node's history from revision 0 up to `end` (a write made after the
/// cluster converged) is the same and has no repeats and is in order; it
/// holds every acknowledged write at the revision it was acknowledged
/// with, and every acknowledged set write; every value it puts was sent by
/// a client; replayed, it gives the final values (TTL keys aside); and
/// each watcher, which must have resumed during the run and seen changes
/// after resuming, saw up to `end` exactly that history's changes of its
/// prefix. Returns how many streams the watchers opened during the run.
pub(super) fn check_watchers(
    mut watchers: Vec<Watcher>,
    urls: &[String],
    end: u64,
    final_values: &BTreeMap<String, String>,
    sent: &[SentWrite],
    set_acked: &[String],
) -> u64 {
    let reference = |url: &str| {
        let mut w = Watcher::new(0, "");
        let mut tries = 0;
        while !w.follow(url, Some(end), None) {
            tries += 1;
            assert!(tries < 100, "the history of {url} up to {end} could not be read");
        }
        w.changes.retain(|c| c.revision <= end);
        w.changes
    };
    let history = reference(&urls[0]);
    for url in &urls[1..] {
        assert!(reference(url) == history, "{url} has another history than {}", urls[0]);
    }
    for pair in history.windows(2) {
        // A key written after its TTL ran out: its expiry, then the put, at
        // one revision.
        let expiry_then_put = pair[0].expired && pair[1].kind == "put" && pair[0].key == pair[1].key;
        assert!(
            (pair[0].revision, &pair[0].key) < (pair[1].revision, &pair[1].key)
                || (pair[0].revision == pair[1].revision && expiry_then_put),
            "out of order or repeated: {pair:?}"
        );
    }
    // Replaying the history gives the final state (TTL keys may be
    // expired but not swept yet: they are left out).
    let mut replayed: BTreeMap<String, String> = BTreeMap::new();
    for c in &history {
        match (&c.kind[..], &c.value) {
            ("put", Some(v)) => replayed.insert(c.key.clone(), v.clone()),
            _ => replayed.remove(&c.key),
        };
    }
    let lasting = |m: &BTreeMap<String, String>| -> BTreeMap<String, String> {
        m.iter()
            .filter(|(k, _)| !k.starts_with("ttl/"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    assert!(
        lasting(&replayed) == lasting(final_values),
        "replaying the history does not give the final values"
    );
    // Every acknowledged write is there at its revision; every value put
    // was sent by some client.
    let at: BTreeMap<(u64, &str), &Change> = history.iter().map(|c| ((c.revision, c.key.as_str()), c)).collect();
    for w in sent {
        if let Some(revision) = w.revision {
            let change = at.get(&(revision, w.key.as_str()));
            match &w.value {
                Some(v) => assert!(
                    change.is_some_and(|c| c.kind == "put" && c.value.as_ref() == Some(v)),
                    "the acknowledged put of {} = {v} at {revision} is not in the history: {change:?}",
                    w.key
                ),
                None => assert!(
                    change.is_none_or(|c| c.kind == "delete"),
                    "the acknowledged delete of {} at {revision} is a put in the history",
                    w.key
                ),
            }
        }
    }
    for c in history
        .iter()
        .filter(|c| c.kind == "put" && (c.key.starts_with("r/") || c.key.starts_with('g')))
    {
        assert!(
            sent.iter().any(|w| w.key == c.key && w.value == c.value),
            "the history puts {c:?}, which no client sent"
        );
    }
    for key in set_acked {
        assert!(
            history.iter().any(|c| c.kind == "put" && &c.key == key),
            "acknowledged {key} is not in the history"
        );
    }
    let mut streams = 0;
    for w in &mut watchers {
        // During the run: it saw changes, and saw some of them on a
        // stream that resumed after others had broken.
        assert!(
            !w.changes.is_empty(),
            "watcher {:?} saw nothing during the run",
            w.prefix
        );
        assert!(
            w.streams >= 2 && w.resumed_changes > 0,
            "watcher {:?} never resumed and then saw a change ({} streams), so it proves nothing about resuming",
            w.prefix,
            w.streams
        );
        streams += w.streams;
        let mut tries = 0;
        while !w.follow(&urls[tries % urls.len()], Some(end), None) {
            tries += 1;
            assert!(tries < 100, "watcher {:?} could not catch up to {end}", w.prefix);
        }
        w.changes.retain(|c| c.revision <= end);
        let expected: Vec<Change> = history
            .iter()
            .filter(|c| c.key.starts_with(&w.prefix))
            .cloned()
            .collect();
        assert!(
            w.changes == expected,
            "watcher {:?} saw {} changes, the history has {}; first difference at {:?}",
            w.prefix,
            w.changes.len(),
            expected.len(),
            w.changes.iter().zip(&expected).position(|(a, b)| a != b)
        );
    }
    streams
}

/// Every live key and its value, read (linearizably) through `url`.
pub(super) fn all_values(url: &str) -> BTreeMap<String, String> {
    let c = client(Duration::from_secs(10));
    let mut values = BTreeMap::new();
    let mut start = String::new();
    loop {
        let page: serde_json::Value = c
            .get(format!(
                "{url}/v1/kv?prefix=&limit=10000&start={}",
                crate::support::encode(&start)
            ))
            .send()
            .unwrap()
            .json()
            .unwrap();
        for item in page["items"].as_array().unwrap() {
            if let Some(v) = item["value"].as_str() {
                values.insert(item["key"].as_str().unwrap().to_string(), v.to_string());
            }
        }
        match page["next"].as_str() {
            Some(next) if page["more"] == true => start = next.to_string(),
            _ => return values,
        }
    }
}
