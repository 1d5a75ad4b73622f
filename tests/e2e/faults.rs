//! Fault runs: crash cycles with `kill -9` under write load, and a chaos run
//! on a 3-node cluster (kills, pauses, leader kills, partitions through a
//! userspace proxy) whose recorded history is checked for linearizability,
//! lost acknowledged writes, revisions going backwards and convergence.
//!
//! Short by default (CI). Longer runs: `CONCORD_CHAOS_SECONDS=3600` and
//! `CONCORD_CRASH_CYCLES=50`.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use concord_tests::linearizability::{check, Call, Op, Outcome};
use rand::{Rng, SeedableRng};
use serde_json::Value;

use crate::support::{TestCluster, TestNode};

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn client(timeout: Duration) -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_millis(500))
        .build()
        .unwrap()
}

#[test]
fn crash_cycles_lose_no_acknowledged_write() {
    let cycles = env_u64("CONCORD_CRASH_CYCLES", 5);
    let mut node = TestNode::start();
    let mut rng = rand::rngs::StdRng::seed_from_u64(env_u64("CONCORD_SEED", 42));
    let mut acked: BTreeMap<String, String> = BTreeMap::new();
    let mut next = 0u64;
    for cycle in 0..cycles {
        let stop = Arc::new(AtomicBool::new(false));
        let url = node.url();
        let start = next;
        let writer = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let c = client(Duration::from_secs(2));
                let mut ok = Vec::new();
                let mut i = start;
                while !stop.load(Ordering::Relaxed) {
                    let (k, v) = (format!("crash/{i:08}"), format!("v{i}"));
                    if let Ok(r) = c.put(format!("{url}/v1/kv/{k}")).body(v.clone()).send() {
                        if r.status() == 200 {
                            ok.push((k, v));
                        }
                    }
                    i += 1;
                }
                (ok, i)
            })
        };
        std::thread::sleep(Duration::from_millis(rng.gen_range(100..600)));
        node.kill9();
        stop.store(true, Ordering::Relaxed);
        let (ok, last) = writer.join().unwrap();
        next = last;
        acked.extend(ok);
        node.spawn();
        node.wait_ready();
        let c = client(Duration::from_secs(10));
        for (k, v) in &acked {
            let r = c.get(node.kv_url(k)).send().unwrap();
            assert_eq!(r.status(), 200, "cycle {cycle}: acknowledged {k} lost after kill -9");
            assert_eq!(r.text().unwrap(), *v);
        }
    }
    assert!(
        acked.len() > cycles as usize,
        "only {} writes were acknowledged",
        acked.len()
    );
    eprintln!(
        "crash cycles: {cycles} kills, {} acknowledged writes, none lost",
        acked.len()
    );
}

/// A TCP proxy in front of a node's peer port. `blackhole` refuses new
/// connections and cuts existing ones: the node hears nothing from its peers.
struct Proxy {
    port: u16,
    blackhole: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<TcpStream>>>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    fn start(upstream: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let blackhole = Arc::new(AtomicBool::new(false));
        let conns = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (bh, cs, st) = (blackhole.clone(), conns.clone(), stop.clone());
        std::thread::spawn(move || {
            while !st.load(Ordering::Relaxed) {
                let (inbound, _) = match listener.accept() {
                    Ok(c) => c,
                    Err(_) => {
                        std::thread::sleep(Duration::from_millis(5));
                        continue;
                    }
                };
                if bh.load(Ordering::Relaxed) {
                    drop(inbound);
                    continue;
                }
                let _ = inbound.set_nonblocking(false);
                let Ok(outbound) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue;
                };
                let mut list = cs.lock().unwrap();
                for s in [&inbound, &outbound] {
                    if let Ok(c) = s.try_clone() {
                        list.push(c);
                    }
                }
                drop(list);
                pipe(inbound.try_clone().unwrap(), outbound.try_clone().unwrap());
                pipe(outbound, inbound);
            }
        });
        Proxy {
            port,
            blackhole,
            conns,
            stop,
        }
    }

    fn set_blackhole(&self, on: bool) {
        self.blackhole.store(on, Ordering::Relaxed);
        if on {
            for s in self.conns.lock().unwrap().drain(..) {
                let _ = s.shutdown(Shutdown::Both);
            }
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.set_blackhole(true);
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}

/// Three nodes whose peer traffic goes through proxies, running `bin` (the
/// build under test when `None`).
fn proxied_cluster(bin: Option<&Path>) -> (TestCluster, Vec<Proxy>) {
    let mut nodes: Vec<TestNode> = (1..=3u64).map(|id| TestNode::new(Some(id), &[])).collect();
    if let Some(bin) = bin {
        for n in &mut nodes {
            n.bin = bin.to_path_buf();
        }
    }
    let proxies: Vec<Proxy> = nodes.iter().map(|n| Proxy::start(n.peer_port)).collect();
    let spec = nodes
        .iter()
        .zip(&proxies)
        .map(|(n, p)| format!("{}=http://127.0.0.1:{}", n.id.unwrap(), p.port))
        .collect::<Vec<_>>()
        .join(",");
    for (node, proxy) in nodes.iter_mut().zip(&proxies) {
        node.extra_args.extend([
            "--initial-cluster".to_string(),
            spec.clone(),
            "--advertise-peer".to_string(),
            format!("http://127.0.0.1:{}", proxy.port),
        ]);
        node.spawn();
    }
    for node in &mut nodes {
        node.wait_ready();
    }
    let cluster = TestCluster { nodes };
    cluster.wait_voters(3);
    (cluster, proxies)
}

/// What one client saw of one call.
struct Recorded {
    key: String,
    call: Call,
    /// The revision an acknowledged write reported.
    revision: Option<u64>,
}

impl Recorded {
    fn new(key: &str, op: Op, invoke: u64, ret: u64, outcome: Outcome, revision: Option<u64>) -> Self {
        Recorded {
            key: key.into(),
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
fn write_outcome(resp: Result<reqwest::blocking::Response, reqwest::Error>) -> (Outcome, Option<Value>) {
    let outcome = outcome_of_write(&resp);
    let body: Option<Value> = resp.ok().and_then(|r| r.json().ok());
    if outcome == Outcome::Unknown && body.as_ref().is_some_and(|b| b["error"]["code"] == "not_leader") {
        return (Outcome::Failed, body);
    }
    (outcome, body)
}

#[test]
fn chaos_run_stays_linearizable_and_loses_nothing() {
    let seconds = env_u64("CONCORD_CHAOS_SECONDS", 60);
    let seed = env_u64("CONCORD_SEED", 7);
    let (mut cluster, proxies) = proxied_cluster(None);
    let urls: Vec<String> = cluster.nodes.iter().map(|n| n.url()).collect();
    let keys = ["r/a", "r/b", "r/c"];
    let origin = Instant::now();
    let now = move || origin.elapsed().as_nanos() as u64;
    let stop = Arc::new(AtomicBool::new(false));
    let faults = Arc::new(AtomicU64::new(0));

    let clients: Vec<_> = (0..4u64)
        .map(|cid| {
            let (urls, stop) = (urls.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut rng = rand::rngs::StdRng::seed_from_u64(seed * 100 + cid);
                let c = client(Duration::from_secs(3));
                let mut log: Vec<Recorded> = Vec::new();
                let mut set_acked = Vec::new();
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let url = &urls[rng.gen_range(0..urls.len())];
                    let key = keys[rng.gen_range(0..keys.len())];
                    let value = format!("c{cid}-{n}");
                    let rid = format!("chaos-{seed}-{cid}-{n}");
                    let invoke = now();
                    match rng.gen_range(0..10) {
                        0..=3 => {
                            let resp = c.get(format!("{url}/v1/kv/{key}")).send();
                            let ret = now();
                            let (outcome, op) = match resp {
                                Ok(r) if r.status() == 200 => (Outcome::Ok, Op::Read(r.text().ok())),
                                Ok(r) if r.status() == 404 => (Outcome::Ok, Op::Read(None)),
                                _ => (Outcome::Failed, Op::Read(None)),
                            };
                            log.push(Recorded::new(key, op, invoke, ret, outcome, None));
                        }
                        4..=6 => {
                            let resp = c
                                .put(format!("{url}/v1/kv/{key}"))
                                .header("concord-request-id", &rid)
                                .body(value.clone())
                                .send();
                            let ret = now();
                            let (outcome, body) = write_outcome(resp);
                            let revision = body.as_ref().and_then(|b| b["revision"].as_u64());
                            let op = Op::Write(Some(value));
                            log.push(Recorded::new(key, op, invoke, ret, outcome, revision));
                        }
                        7..=8 => {
                            // CAS from the value this client last saw for the key.
                            let expected = log
                                .iter()
                                .rev()
                                .find(|r| {
                                    r.key == key && r.call.outcome == Outcome::Ok && matches!(r.call.op, Op::Read(_))
                                })
                                .and_then(|r| match &r.call.op {
                                    Op::Read(v) => v.clone(),
                                    _ => None,
                                });
                            let txn = serde_json::json!({
                                "compare": [match &expected {
                                    Some(v) => serde_json::json!({"key": key, "value": v}),
                                    None => serde_json::json!({"key": key, "exists": false}),
                                }],
                                "success": [{"put": {"key": key, "value": value}}],
                            });
                            let resp = c
                                .post(format!("{url}/v1/txn"))
                                .header("concord-request-id", &rid)
                                .json(&txn)
                                .send();
                            let ret = now();
                            let (outcome, body) = write_outcome(resp);
                            let succeeded = body.as_ref().and_then(|b| b["succeeded"].as_bool());
                            let op = Op::Cas {
                                expected,
                                new: Some(value),
                                succeeded,
                            };
                            let revision = body.as_ref().and_then(|b| b["revision"].as_u64());
                            log.push(Recorded::new(key, op, invoke, ret, outcome, revision));
                        }
                        _ => {
                            // Set workload: unique keys written once.
                            let k = format!("set/{cid}-{n}");
                            let resp = c
                                .put(format!("{url}/v1/kv/{k}"))
                                .header("concord-request-id", &rid)
                                .body("x")
                                .send();
                            if matches!(&resp, Ok(r) if r.status() == 200) {
                                set_acked.push(k);
                            }
                        }
                    }
                }
                (log, set_acked)
            })
        })
        .collect();

    // The nemesis.
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(rng.gen_range(500..1500)));
        let victim = rng.gen_range(0..3);
        match rng.gen_range(0..4) {
            0 => {
                cluster.nodes[victim].kill9();
                std::thread::sleep(Duration::from_millis(rng.gen_range(300..1500)));
                cluster.nodes[victim].spawn();
            }
            1 => {
                let leader = cluster.leader();
                cluster.nodes[leader].kill9();
                std::thread::sleep(Duration::from_millis(rng.gen_range(300..1500)));
                cluster.nodes[leader].spawn();
            }
            2 => {
                cluster.nodes[victim].pause(true);
                std::thread::sleep(Duration::from_millis(rng.gen_range(300..1500)));
                cluster.nodes[victim].pause(false);
            }
            _ => {
                proxies[victim].set_blackhole(true);
                std::thread::sleep(Duration::from_millis(rng.gen_range(500..2500)));
                proxies[victim].set_blackhole(false);
            }
        }
        faults.fetch_add(1, Ordering::Relaxed);
    }
    stop.store(true, Ordering::Relaxed);
    let mut history: Vec<Recorded> = Vec::new();
    let mut set_acked = Vec::new();
    for c in clients {
        let (log, set) = c.join().unwrap();
        history.extend(log);
        set_acked.extend(set);
    }
    for node in &mut cluster.nodes {
        node.wait_ready();
    }
    cluster.assert_converged(&BTreeMap::new());

    // A final linearizable read of every key joins the history.
    let c = client(Duration::from_secs(10));
    for key in keys {
        let invoke = now();
        let r = c.get(format!("{}/v1/kv/{key}", urls[0])).send().unwrap();
        let v = (r.status() == 200).then(|| r.text().unwrap());
        history.push(Recorded {
            key: key.into(),
            call: Call {
                op: Op::Read(v),
                invoke,
                ret: now(),
                outcome: Outcome::Ok,
            },
            revision: None,
        });
    }

    // 1. Every key's history is linearizable.
    let mut counts = (0usize, 0usize, 0usize);
    for key in keys {
        let calls: Vec<Call> = history
            .iter()
            .filter(|r| r.key == key)
            .map(|r| r.call.clone())
            .collect();
        for call in &calls {
            match call.outcome {
                Outcome::Ok => counts.0 += 1,
                Outcome::Failed => counts.1 += 1,
                Outcome::Unknown => counts.2 += 1,
            }
        }
        assert!(check(None, &calls), "history of {key} is not linearizable: {calls:#?}");
    }
    // 2. No acknowledged write of the set workload is missing.
    for k in &set_acked {
        let r = c.get(format!("{}/v1/kv/{k}", urls[1])).send().unwrap();
        assert_eq!(r.status(), 200, "acknowledged {k} lost");
    }
    // 3. Revisions never go backwards: acknowledged writes in real-time order
    //    carry increasing revisions.
    let mut acked: Vec<(u64, u64, u64)> = history
        .iter()
        .filter(|r| r.call.outcome == Outcome::Ok)
        .filter_map(|r| r.revision.map(|rev| (r.call.invoke, r.call.ret, rev)))
        .collect();
    acked.sort();
    for a in &acked {
        for b in &acked {
            if a.1 < b.0 {
                assert!(a.2 < b.2, "revision went backwards: {a:?} finished before {b:?} began");
            }
        }
    }
    eprintln!(
        "chaos: {seconds}s, {} faults, {} ok / {} failed / {} unknown register calls, {} set writes acknowledged; linearizable, nothing lost, converged",
        faults.load(Ordering::Relaxed),
        counts.0,
        counts.1,
        counts.2,
        set_acked.len()
    );
    drop(proxies);
}

/// The test-only build that answers "linearizable" reads from local state.
/// `.ci/run` builds it first; here the build is a no-op or a catch-up.
fn broken_binary() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let target = root.join("target").join("broken");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = std::process::Command::new(cargo)
        .current_dir(&root)
        .args([
            "build",
            "-q",
            "-p",
            "concord-cli",
            "--features",
            "broken-linearizable-reads",
            "--target-dir",
        ])
        .arg(&target)
        .status()
        .expect("run cargo build for the broken build");
    assert!(status.success(), "building the broken-linearizable-reads binary failed");
    target.join("debug").join("concord")
}

/// Writes through the leader while a partitioned follower is read:
/// returns the history of the one key.
fn stale_read_scenario(bin: Option<&Path>) -> Vec<Call> {
    let (cluster, proxies) = proxied_cluster(bin);
    let c = client(Duration::from_secs(5));
    let leader = cluster.leader();
    let follower = (0..3).find(|i| *i != leader).unwrap();
    let (lurl, furl) = (cluster.nodes[leader].url(), cluster.nodes[follower].url());
    let origin = Instant::now();
    let now = || origin.elapsed().as_nanos() as u64;
    let mut history = Vec::new();
    let invoke = now();
    assert_eq!(
        c.put(format!("{lurl}/v1/kv/k")).body("v0").send().unwrap().status(),
        200
    );
    history.push(Call {
        op: Op::Write(Some("v0".into())),
        invoke,
        ret: now(),
        outcome: Outcome::Ok,
    });
    crate::support::eventually("the follower to apply v0", 10, || {
        let r = c.get(format!("{furl}/v1/kv/k?consistency=stale")).send().ok()?;
        (r.text().ok()? == "v0").then_some(())
    });
    proxies[follower].set_blackhole(true);
    for i in 1..=5 {
        let value = format!("v{i}");
        let invoke = now();
        let r = c.put(format!("{lurl}/v1/kv/k")).body(value.clone()).send().unwrap();
        assert_eq!(r.status(), 200);
        history.push(Call {
            op: Op::Write(Some(value)),
            invoke,
            ret: now(),
            outcome: Outcome::Ok,
        });
        let invoke = now();
        if let Ok(r) = c.get(format!("{furl}/v1/kv/k")).send() {
            if r.status() == 200 {
                let seen = r.text().ok();
                history.push(Call {
                    op: Op::Read(seen),
                    invoke,
                    ret: now(),
                    outcome: Outcome::Ok,
                });
            }
        }
    }
    proxies[follower].set_blackhole(false);
    history
}

/// The suite can fail: a build that serves linearizable reads from local
/// state is caught by the checker, while the real build passes the same run.
#[test]
fn a_build_serving_stale_linearizable_reads_is_caught() {
    let good = stale_read_scenario(None);
    assert!(
        good.iter().filter(|c| matches!(c.op, Op::Read(_))).count() >= 3,
        "{good:?}"
    );
    assert!(check(None, &good), "the real build is linearizable: {good:#?}");

    let bad = stale_read_scenario(Some(&broken_binary()));
    assert!(
        !check(None, &bad),
        "the checker must reject the broken build's history: {bad:#?}"
    );
}
