//! The workloads: a [`Client`] thread picks a random node and a random
//! operation (registers, groups, the set, TTL keys) until stopped, and
//! records every call in its [`ClientLog`]. The keys and groups the
//! workloads use are here too. A client never checks an answer: the checks
//! run on the history afterwards.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use concord_tests::linearizability::{GroupOp, GroupState, Op, Outcome};
use rand::rngs::StdRng;
use rand::Rng;
use serde_json::{json, Value};

use super::history::{wall_ms, write_outcome, ClientLog, Recorded, TtlRead, TtlWrite};

pub(super) const REGISTERS: [&str; 3] = ["r/a", "r/b", "r/c"];
pub(super) const GROUPS: [&str; 2] = ["g1", "g2"];
const GROUP_KEYS: usize = 3;

fn group_key(group: &str, i: usize) -> String {
    format!("{group}/{i}")
}

/// One client: picks a random node and a random operation until stopped.
pub(super) struct Client {
    pub(super) id: u64,
    pub(super) seed: u64,
    pub(super) rng: StdRng,
    pub(super) http: reqwest::blocking::Client,
    pub(super) now: Arc<dyn Fn() -> u64 + Send + Sync>,
    pub(super) log: ClientLog,
    pub(super) n: u64,
}

impl Client {
    pub(super) fn run(mut self, urls: &RwLock<Vec<String>>, stop: &AtomicBool) -> ClientLog {
        while !stop.load(Ordering::Relaxed) {
            self.n += 1;
            let before = (self.log.registers.len(), self.log.groups.len());
            let url = {
                let urls = urls.read().unwrap();
                urls[self.rng.gen_range(0..urls.len())].clone()
            };
            match self.rng.gen_range(0..20) {
                0..=3 => self.register_read(&url),
                4..=5 => self.register_write(&url),
                6..=7 => self.register_cas(&url),
                8 => self.set_write(&url),
                9..=10 => self.group_txn(&url),
                11 => self.group_write(&url),
                12..=13 => self.group_read(&url),
                14..=15 => self.group_list(&url),
                16..=17 => self.ttl_write(&url),
                _ => self.ttl_read(&url),
            }
            // A refused call (mostly a node that is down) took no time:
            // back off a little rather than spin.
            let refused = |o: &Outcome| *o == Outcome::Failed;
            let new_registers = self.log.registers[before.0..].iter().map(|r| r.call.outcome);
            let new_groups = self.log.groups[before.1..].iter().map(|r| r.call.outcome);
            if new_registers.chain(new_groups).any(|o| refused(&o)) {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        self.log
    }

    fn value(&self) -> String {
        format!("c{}-{}", self.id, self.n)
    }

    fn request_id(&self) -> String {
        format!("chaos-{}-{}-{}", self.seed, self.id, self.n)
    }

    fn register_read(&mut self, url: &str) {
        let key = REGISTERS[self.rng.gen_range(0..REGISTERS.len())];
        let invoke = (self.now)();
        let resp = self.http.get(format!("{url}/v1/kv/{key}")).send();
        let ret = (self.now)();
        let (outcome, op) = match resp {
            Ok(r) if r.status() == 200 => (Outcome::Ok, Op::Read(r.text().ok())),
            Ok(r) if r.status() == 404 => (Outcome::Ok, Op::Read(None)),
            _ => (Outcome::Failed, Op::Read(None)),
        };
        self.log
            .registers
            .push(Recorded::new(key, op, invoke, ret, outcome, None));
    }

    fn register_write(&mut self, url: &str) {
        let key = REGISTERS[self.rng.gen_range(0..REGISTERS.len())];
        let value = self.value();
        let invoke = (self.now)();
        let resp = self
            .http
            .put(format!("{url}/v1/kv/{key}"))
            .header("concord-request-id", self.request_id())
            .body(value.clone())
            .send();
        let ret = (self.now)();
        let (outcome, body) = write_outcome(resp);
        let revision = body.as_ref().and_then(|b| b["revision"].as_u64());
        let op = Op::Write(Some(value));
        self.log
            .registers
            .push(Recorded::new(key, op, invoke, ret, outcome, revision));
    }

    /// CAS from the value this client last read of the key.
    fn register_cas(&mut self, url: &str) {
        let key = REGISTERS[self.rng.gen_range(0..REGISTERS.len())];
        let value = self.value();
        let expected = self
            .log
            .registers
            .iter()
            .rev()
            .find(|r| r.object == key && r.call.outcome == Outcome::Ok && matches!(r.call.op, Op::Read(_)))
            .and_then(|r| match &r.call.op {
                Op::Read(v) => v.clone(),
                _ => None,
            });
        let txn = json!({
            "compare": [compare_json(key, &expected)],
            "success": [{"put": {"key": key, "value": value}}],
        });
        let invoke = (self.now)();
        let resp = self.txn(url, &txn);
        let ret = (self.now)();
        let (outcome, body) = write_outcome(resp);
        let succeeded = body.as_ref().and_then(|b| b["succeeded"].as_bool());
        let revision = body.as_ref().and_then(|b| b["revision"].as_u64());
        let op = Op::Cas {
            expected,
            new: Some(value),
            succeeded,
        };
        self.log
            .registers
            .push(Recorded::new(key, op, invoke, ret, outcome, revision));
    }

    fn txn(&self, url: &str, txn: &Value) -> Result<reqwest::blocking::Response, reqwest::Error> {
        self.http
            .post(format!("{url}/v1/txn"))
            .header("concord-request-id", self.request_id())
            .json(txn)
            .send()
    }

    fn set_write(&mut self, url: &str) {
        let key = format!("set/{}-{}", self.id, self.n);
        let resp = self
            .http
            .put(format!("{url}/v1/kv/{key}"))
            .header("concord-request-id", self.request_id())
            .body("x")
            .send();
        if matches!(&resp, Ok(r) if r.status() == 200) {
            self.log.set_acked.push(key);
        }
    }

    /// Records a group transaction: compare, then writes (`None` deletes).
    fn group_change(
        &mut self,
        url: &str,
        group: &str,
        compare: Vec<(String, Option<String>)>,
        writes: Vec<(String, Option<String>)>,
    ) {
        let success: Vec<Value> = writes
            .iter()
            .map(|(k, v)| match v {
                Some(v) => json!({"put": {"key": k, "value": v}}),
                None => json!({"delete": {"key": k}}),
            })
            .collect();
        let body = json!({
            "compare": compare.iter().map(|(k, v)| compare_json(k, v)).collect::<Vec<_>>(),
            "success": success,
        });
        let invoke = (self.now)();
        let resp = self.txn(url, &body);
        let ret = (self.now)();
        let (outcome, body) = write_outcome(resp);
        let succeeded = body.as_ref().and_then(|b| b["succeeded"].as_bool());
        let revision = body.as_ref().and_then(|b| b["revision"].as_u64());
        let op = GroupOp::Txn {
            compare,
            reads: Vec::new(),
            writes,
            succeeded,
        };
        self.log
            .groups
            .push(Recorded::new(group, op, invoke, ret, outcome, revision));
    }

    /// Compare one key with what this client last saw, write two others.
    fn group_txn(&mut self, url: &str) {
        let group = GROUPS[self.rng.gen_range(0..GROUPS.len())];
        let c = self.rng.gen_range(0..GROUP_KEYS);
        let ck = group_key(group, c);
        let expected = self.log.seen.get(group).and_then(|s| s.get(&ck).cloned());
        let first = self.rng.gen_range(0..GROUP_KEYS);
        let second = (first + self.rng.gen_range(1..GROUP_KEYS)) % GROUP_KEYS;
        let value = self.value();
        let writes = vec![
            (group_key(group, first), Some(format!("{value}a"))),
            (group_key(group, second), Some(format!("{value}b"))),
        ];
        self.group_change(url, group, vec![(ck, expected)], writes);
    }

    /// One key written or deleted, no compare.
    fn group_write(&mut self, url: &str) {
        let group = GROUPS[self.rng.gen_range(0..GROUPS.len())];
        let key = group_key(group, self.rng.gen_range(0..GROUP_KEYS));
        let value = self.rng.gen_bool(0.7).then(|| self.value());
        self.group_change(url, group, Vec::new(), vec![(key, value)]);
    }

    /// Every key of a group read in one transaction.
    fn group_read(&mut self, url: &str) {
        let group = GROUPS[self.rng.gen_range(0..GROUPS.len())];
        let keys: Vec<String> = (0..GROUP_KEYS).map(|i| group_key(group, i)).collect();
        let body = json!({ "success": keys.iter().map(|k| json!({"get": {"key": k}})).collect::<Vec<_>>() });
        let invoke = (self.now)();
        let resp = self.txn(url, &body);
        let ret = (self.now)();
        let (outcome, body) = write_outcome(resp);
        let reads: Option<Vec<(String, Option<String>)>> = body.as_ref().and_then(|b| {
            let results = b["results"].as_array()?;
            (results.len() == keys.len()).then_some(())?;
            Some(
                keys.iter()
                    .zip(results)
                    .map(|(k, r)| (k.clone(), r["get"]["value"].as_str().map(String::from)))
                    .collect(),
            )
        });
        let (outcome, reads) = match (outcome, reads) {
            (Outcome::Ok, Some(reads)) => (Outcome::Ok, reads),
            (Outcome::Ok, None) => (Outcome::Failed, Vec::new()),
            (o, _) => (o, Vec::new()),
        };
        if outcome == Outcome::Ok {
            let state: GroupState = reads
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.clone()?)))
                .collect();
            self.log.seen.insert(group.into(), state);
        }
        let op = GroupOp::Txn {
            compare: Vec::new(),
            reads,
            writes: Vec::new(),
            succeeded: Some(true),
        };
        self.log
            .groups
            .push(Recorded::new(group, op, invoke, ret, outcome, None));
    }

    /// A prefix listing of a whole group.
    fn group_list(&mut self, url: &str) {
        let group = GROUPS[self.rng.gen_range(0..GROUPS.len())];
        let invoke = (self.now)();
        let resp = self.http.get(format!("{url}/v1/kv?prefix={group}/")).send();
        let ret = (self.now)();
        let listed: Option<GroupState> = resp
            .ok()
            .filter(|r| r.status() == 200)
            .and_then(|r| r.json::<Value>().ok())
            .and_then(|b| listed_state(&b));
        let (outcome, state) = match listed {
            Some(state) => (Outcome::Ok, state),
            None => (Outcome::Failed, GroupState::new()),
        };
        if outcome == Outcome::Ok {
            self.log.seen.insert(group.into(), state.clone());
        }
        let op = GroupOp::List(state);
        self.log
            .groups
            .push(Recorded::new(group, op, invoke, ret, outcome, None));
    }

    fn ttl_write(&mut self, url: &str) {
        let key = format!("ttl/{}-{}", self.id, self.n);
        let value = self.value();
        let ttl = self.rng.gen_range(1000..2000);
        let invoke = wall_ms();
        let resp = self
            .http
            .put(format!("{url}/v1/kv/{key}?ttl={ttl}ms"))
            .header("concord-request-id", self.request_id())
            .body(value.clone())
            .send();
        let ret = wall_ms();
        if matches!(&resp, Ok(r) if r.status() == 200) {
            self.log.ttl_writes.push(TtlWrite {
                key,
                value,
                invoke,
                ret,
                ttl,
            });
        }
    }

    /// Reads one of this client's recent TTL keys: some still young, some
    /// past their TTL.
    fn ttl_read(&mut self, url: &str) {
        let writes = &self.log.ttl_writes;
        if writes.is_empty() {
            return;
        }
        let back = self.rng.gen_range(0..writes.len().min(20));
        let key = writes[writes.len() - 1 - back].key.clone();
        let invoke = wall_ms();
        let resp = self.http.get(format!("{url}/v1/kv/{key}")).send();
        let ret = wall_ms();
        let seen = match resp {
            Ok(r) if r.status() == 200 => Some(r.text().unwrap_or_default()),
            Ok(r) if r.status() == 404 => None,
            _ => return,
        };
        self.log.ttl_reads.push(TtlRead { key, invoke, ret, seen });
    }
}

/// A listing answer as the group state it shows: `None` unless it is one
/// complete page of text values.
pub(super) fn listed_state(body: &Value) -> Option<GroupState> {
    (body["more"] == false).then_some(())?;
    body["items"]
        .as_array()?
        .iter()
        .map(|i| Some((i["key"].as_str()?.to_string(), i["value"].as_str()?.to_string())))
        .collect()
}

fn compare_json(key: &str, expected: &Option<String>) -> Value {
    match expected {
        Some(v) => json!({"key": key, "value": v}),
        None => json!({"key": key, "exists": false}),
    }
}
