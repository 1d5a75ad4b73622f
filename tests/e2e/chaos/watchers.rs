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

/// Every watcher saw exactly the committed history of its prefix: each
/// node's history from revision 0 up to `end` (a write made after the
/// cluster converged) is the same, has no repeats and is in order, ends in
/// the keys' final values, and holds every acknowledged set write; and each
/// watcher's changes up to `end`, resumed through the nemeses, are that
/// history's changes of its prefix. Returns how many streams the watchers
/// opened in all.
pub(super) fn check_watchers(
    mut watchers: Vec<Watcher>,
    urls: &[String],
    end: u64,
    final_values: &BTreeMap<String, String>,
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
    // Replaying the history gives the final state.
    let mut replayed: BTreeMap<String, String> = BTreeMap::new();
    for c in &history {
        match (&c.kind[..], &c.value) {
            ("put", Some(v)) => replayed.insert(c.key.clone(), v.clone()),
            _ => replayed.remove(&c.key),
        };
    }
    for (key, value) in final_values {
        assert_eq!(
            replayed.get(key),
            Some(value),
            "replaying the history gives another {key}"
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
        assert!(!w.changes.is_empty(), "watcher {:?} saw nothing", w.prefix);
        streams += w.streams;
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
