//! Crash cycles with `kill -9` under write load, and the proof that the
//! checker can fail: a build serving stale "linearizable" reads is caught.
//! The chaos runs are in `chaos/`.
//!
//! Short by default (CI). Longer runs: `CONCORD_CRASH_CYCLES=50`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use concord_tests::linearizability::{check, Call, Op, Outcome};
use rand::{Rng, SeedableRng};

use crate::chaos::{write_outcome, ChaosCluster};
use crate::support::{client, env_u64, eventually, exclusive, feature_binary, TestNode};

#[test]
fn crash_cycles_lose_no_acknowledged_write() {
    // Write load and kill -9 in a loop: keep timing-sensitive tests away.
    let _load = exclusive();
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

/// Heals the network and waits until one node leads and another follows
/// it (same term) with everything the leader applied; returns their
/// indices in `nodes`.
fn leader_and_follower_in_sync(chaos: &ChaosCluster) -> (usize, usize) {
    chaos.net.heal();
    eventually("a leader and a follower in sync with it", 30, || {
        let infos: Vec<serde_json::Value> = chaos.cluster.nodes.iter().map(|n| n.info()).collect::<Option<_>>()?;
        let leader = infos.iter().position(|i| i["state"] == "leader")?;
        let l = &infos[leader];
        let follower = (0..infos.len()).find(|&i| {
            let f = &infos[i];
            i != leader
                && f["state"] == "follower"
                && f["leader_id"] == l["id"]
                && f["term"] == l["term"]
                && f["applied_index"].as_u64() >= l["applied_index"].as_u64()
        })?;
        Some((leader, follower))
    })
}

/// Writes through the leader while a partitioned follower is read:
/// returns the history of the one key.
///
/// Each round starts from a follower in sync with the leader, cuts it off,
/// writes a new value through the leader and reads from the cut-off
/// follower, whose own state provably lacks the value. The real build
/// forwards the read to the leader while the follower still knows it; once
/// the follower's election timeout fires it knows no leader and refuses
/// the read, which is correct too: that round counts no read and another
/// round follows. So the run does not depend on finishing within the
/// election timeout; it ends once three reads were answered.
fn stale_read_scenario(bin: Option<&Path>) -> Vec<Call> {
    let chaos = ChaosCluster::start(3, bin, &[]);
    let c = client(Duration::from_secs(5));
    let origin = Instant::now();
    let now = || origin.elapsed().as_nanos() as u64;
    let mut history = Vec::new();
    let (leader, _) = leader_and_follower_in_sync(&chaos);
    let lurl = chaos.cluster.nodes[leader].url();
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
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut reads = 0;
    for round in 1.. {
        if reads >= 3 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {reads} reads answered by a cut-off follower in {round} rounds: {history:#?}"
        );
        let (leader, follower) = leader_and_follower_in_sync(&chaos);
        let (lurl, furl) = (chaos.cluster.nodes[leader].url(), chaos.cluster.nodes[follower].url());
        chaos.net.isolate(chaos.id(follower), &chaos.ids());
        let value = format!("v{round}");
        let invoke = now();
        let (outcome, _) = write_outcome(c.put(format!("{lurl}/v1/kv/k")).body(value.clone()).send());
        history.push(Call {
            op: Op::Write(Some(value.clone())),
            invoke,
            ret: now(),
            outcome,
        });
        if outcome != Outcome::Ok {
            // Leadership moved (the last round's follower came back with
            // a higher term): start the round again.
            continue;
        }
        let invoke = now();
        // `Some(seen)` when answered with 200.
        let read = c
            .get(format!("{furl}/v1/kv/k"))
            .send()
            .ok()
            .filter(|r| r.status() == 200)
            .map(|r| r.text().ok());
        let ret = now();
        // The follower's own state lacks the value whatever the read
        // returned: the read is a real test of where it was served from.
        let local = c
            .get(format!("{furl}/v1/kv/k?consistency=stale"))
            .send()
            .ok()
            .and_then(|r| r.text().ok());
        assert_ne!(
            local.as_deref(),
            Some(value.as_str()),
            "the cut-off follower received {value}: the isolation failed"
        );
        if let Some(seen) = read {
            history.push(Call {
                op: Op::Read(seen),
                invoke,
                ret,
                outcome: Outcome::Ok,
            });
            reads += 1;
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
