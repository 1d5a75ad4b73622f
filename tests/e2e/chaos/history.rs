//! What the clients record of their calls ([`Recorded`], [`ClientLog`],
//! the TTL writes and reads), how an answer becomes a call's [`Outcome`],
//! and the JSON-lines history file a run leaves behind (written and read
//! back). It issues no request of its own and judges nothing.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use concord_tests::linearizability::{Call, GroupOp, GroupState, Op, Outcome};
use serde_json::{json, Value};

/// What one client saw of one call, for one object (a register key or a
/// group of keys).
pub struct Recorded<O> {
    pub object: String,
    pub call: Call<O>,
    /// The revision an acknowledged write reported.
    pub revision: Option<u64>,
}

impl<O> Recorded<O> {
    pub fn new(object: &str, op: O, invoke: u64, ret: u64, outcome: Outcome, revision: Option<u64>) -> Self {
        Recorded {
            object: object.into(),
            call: Call {
                op,
                invoke,
                ret,
                outcome,
            },
            revision,
        }
    }
}

fn outcome_of_write(resp: &Result<reqwest::blocking::Response, reqwest::Error>) -> Outcome {
    match resp {
        Ok(r) if r.status().is_success() || r.status() == 409 => Outcome::Ok,
        Ok(r) if r.status().is_client_error() => Outcome::Failed,
        // 503 and 5xx: decided by the body in `write_outcome`.
        Ok(_) => Outcome::Unknown,
        Err(e) if e.is_connect() => Outcome::Failed,
        Err(_) => Outcome::Unknown,
    }
}

/// A 503 `not_leader` was refused before Raft took it; other 503s
/// (`timeout`, `outcome_unknown`, `unavailable`) may have been applied.
pub fn write_outcome(resp: Result<reqwest::blocking::Response, reqwest::Error>) -> (Outcome, Option<Value>) {
    let outcome = outcome_of_write(&resp);
    let body: Option<Value> = resp.ok().and_then(|r| r.json().ok());
    if outcome == Outcome::Unknown && body.as_ref().is_some_and(|b| b["error"]["code"] == "not_leader") {
        return (Outcome::Failed, body);
    }
    (outcome, body)
}

fn register_op_json(op: &Op) -> Value {
    match op {
        Op::Read(v) => json!({ "read": v }),
        Op::Write(v) => json!({ "write": v }),
        Op::Cas {
            expected,
            new,
            succeeded,
        } => json!({ "cas": { "expected": expected, "new": new, "succeeded": succeeded } }),
    }
}

fn group_op_json(op: &GroupOp) -> Value {
    match op {
        GroupOp::List(seen) => json!({ "list": seen }),
        GroupOp::Txn {
            compare,
            reads,
            writes,
            succeeded,
        } => json!({ "txn": { "compare": compare, "reads": reads, "writes": writes, "succeeded": succeeded } }),
    }
}

fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::Ok => "ok",
        Outcome::Failed => "failed",
        Outcome::Unknown => "unknown",
    }
}

/// One JSON line per call: `{"object", "op", "invoke", "ret", "outcome",
/// "revision"}`, times in nanoseconds since the run began.
fn history_line<O>(r: &Recorded<O>, op: Value) -> String {
    json!({
        "object": r.object,
        "op": op,
        "invoke": r.call.invoke,
        "ret": r.call.ret,
        "outcome": outcome_name(r.call.outcome),
        "revision": r.revision,
    })
    .to_string()
}

/// Writes every recorded register and group call as JSON lines to
/// `target/chaos-histories/<name>-<unix seconds>-<pid>.jsonl`, kept for
/// replay and inspection. The time and pid make every run's file its own, so a
/// repeat run with the same seed cannot overwrite the history of a failure.
pub(super) fn write_history(
    name: &str,
    registers: &[Recorded<Op>],
    groups: &[Recorded<GroupOp>],
) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("target")
        .join("chaos-histories");
    std::fs::create_dir_all(&dir).unwrap();
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let path = dir.join(format!("{name}-{stamp}-{}.jsonl", std::process::id()));
    let mut out = String::new();
    for r in registers {
        out.push_str(&history_line(r, register_op_json(&r.call.op)));
        out.push('\n');
    }
    for r in groups {
        out.push_str(&history_line(r, group_op_json(&r.call.op)));
        out.push('\n');
    }
    std::fs::write(&path, out).unwrap();
    path
}

/// Reads back the group calls of a history written by [`write_history`].
pub(super) fn read_group_history(path: &Path, group: &str) -> Vec<Call<GroupOp>> {
    let pairs = |v: &Value| -> Vec<(String, Option<String>)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_str().unwrap().to_string(), p[1].as_str().map(String::from)))
            .collect()
    };
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|c| c["object"] == group)
        .map(|c| {
            let op = &c["op"];
            let op = if let Some(seen) = op["list"].as_object() {
                GroupOp::List(
                    seen.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                        .collect(),
                )
            } else {
                let t = &op["txn"];
                GroupOp::Txn {
                    compare: pairs(&t["compare"]),
                    reads: pairs(&t["reads"]),
                    writes: pairs(&t["writes"]),
                    succeeded: t["succeeded"].as_bool(),
                }
            };
            let outcome = match c["outcome"].as_str().unwrap() {
                "ok" => Outcome::Ok,
                "failed" => Outcome::Failed,
                _ => Outcome::Unknown,
            };
            Call {
                op,
                invoke: c["invoke"].as_u64().unwrap(),
                ret: c["ret"].as_u64().unwrap(),
                outcome,
            }
        })
        .collect()
}

pub(super) fn wall_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
}

/// An acknowledged write of a unique key with a TTL, in wall-clock ms (the
/// nodes run on this machine and stamp expiry with the same clock).
pub(super) struct TtlWrite {
    pub(super) key: String,
    pub(super) value: String,
    pub(super) invoke: u64,
    pub(super) ret: u64,
    pub(super) ttl: u64,
}

/// A successful read of a TTL key.
pub(super) struct TtlRead {
    pub(super) key: String,
    pub(super) invoke: u64,
    pub(super) ret: u64,
    pub(super) seen: Option<String>,
}

#[derive(Default)]
pub(super) struct ClientLog {
    pub(super) registers: Vec<Recorded<Op>>,
    pub(super) groups: Vec<Recorded<GroupOp>>,
    pub(super) set_acked: Vec<String>,
    pub(super) ttl_writes: Vec<TtlWrite>,
    pub(super) ttl_reads: Vec<TtlRead>,
    /// The group state this client last saw, per group.
    pub(super) seen: BTreeMap<String, GroupState>,
}
