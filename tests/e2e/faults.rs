//! Crash cycles with `kill -9` under write load, and the proof that the
//! checker can fail: a build serving stale "linearizable" reads is caught.
//! The chaos runs are in `chaos.rs`.
//!
//! Short by default (CI). Longer runs: `CONCORD_CRASH_CYCLES=50`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use concord_tests::linearizability::{check, Call, Op, Outcome};
use rand::{Rng, SeedableRng};

use crate::chaos::{client, env_u64, ChaosCluster};
use crate::support::{feature_binary, TestNode};

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

/// Writes through the leader while a partitioned follower is read:
/// returns the history of the one key.
fn stale_read_scenario(bin: Option<&Path>) -> Vec<Call> {
    let chaos = ChaosCluster::start(3, bin, &[]);
    let cluster = &chaos.cluster;
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
    chaos.net.isolate(chaos.id(follower), &chaos.ids());
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
    chaos.net.heal();
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

    let bad = stale_read_scenario(Some(&feature_binary("broken-linearizable-reads")));
    assert!(
        !check(None, &bad),
        "the checker must reject the broken build's history: {bad:#?}"
    );
}
