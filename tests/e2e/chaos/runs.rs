//! Whole runs: [`run`] carries out a [`Plan`] (a cluster, four clients, the
//! nemesis until every kind has struck, then the final reads, the history
//! file and every check, in order), and [`deposed_leader_scenario`] records
//! the history of a leader cut off from the others. The tests that call
//! them are in `mod.rs`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use concord_tests::linearizability::{check, check_model, Call, Group, GroupOp, GroupState, Op, Outcome};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use super::checks::{check_ttl, count};
use super::harness::ChaosCluster;
use super::history::{wall_ms, write_history, write_outcome, ClientLog, Recorded};
use super::nemeses::{nemesis, nemesis_kinds};
use super::watchers::{all_values, check_watchers, SentWrite, Watcher, WATCHED};
use super::workloads::{listed_state, Client, GROUPS, REGISTERS};
use crate::support::{client, eventually, exclusive};

/// What a chaos run does.
pub struct Plan {
    pub nodes: usize,
    pub seconds: u64,
    pub seed: u64,
    /// Also replace members under load.
    pub membership: bool,
    /// Data directories on lazyfs, and power cuts (a follower, the leader,
    /// every node at once) as the only nemeses.
    pub power: bool,
}

/// Runs one chaos run and asserts every check.
///
/// The nemesis draws its faults in shuffled rounds of every kind, and runs
/// past `plan.seconds` until each kind has completed at least once.
pub fn run(plan: Plan) {
    // The heaviest tests: nothing timing-sensitive runs alongside.
    let _load = exclusive();
    // History enough for the whole run: the watchers' check reads it all.
    let mut chaos = ChaosCluster::start_on(plan.nodes, None, &["--watch-history", "10000000"], plan.power);
    let urls = Arc::new(RwLock::new(chaos.urls()));
    let origin = Instant::now();
    let now: Arc<dyn Fn() -> u64 + Send + Sync> = Arc::new(move || origin.elapsed().as_nanos() as u64);
    let stop = Arc::new(AtomicBool::new(false));
    let faults = AtomicU64::new(0);
    let clients: Vec<_> = (0..4u64)
        .map(|id| {
            let client = Client {
                id,
                seed: plan.seed,
                rng: StdRng::seed_from_u64(plan.seed * 100 + id),
                http: client(Duration::from_secs(3)),
                now: now.clone(),
                log: ClientLog::default(),
                n: 0,
            };
            let (urls, stop) = (urls.clone(), stop.clone());
            std::thread::spawn(move || client.run(&urls, &stop))
        })
        .collect();

    let watchers: Vec<_> = WATCHED
        .iter()
        .enumerate()
        .map(|(i, prefix)| {
            let watcher = Watcher::new(i, prefix);
            let (urls, stop) = (urls.clone(), stop.clone());
            std::thread::spawn(move || watcher.run(&urls, &stop))
        })
        .collect();

    let scheduled = nemesis_kinds(&plan);
    // Completed nemesis actions by kind.
    let mut kinds: BTreeMap<&str, u64> = BTreeMap::new();
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let mut next: Vec<&'static str> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(plan.seconds);
    while Instant::now() < deadline || kinds.len() < scheduled.len() {
        if next.is_empty() {
            next = scheduled.clone();
            next.shuffle(&mut rng);
        }
        let kind = next.pop().unwrap();
        std::thread::sleep(Duration::from_millis(rng.gen_range(500..1500)));
        nemesis(&mut chaos, &mut rng, kind);
        if kind == "membership" {
            *urls.write().unwrap() = chaos.urls();
        }
        *kinds.entry(kind).or_default() += 1;
        faults.fetch_add(1, Ordering::Relaxed);
    }
    stop.store(true, Ordering::Relaxed);
    let mut log = ClientLog::default();
    for c in clients {
        let l = c.join().unwrap();
        log.registers.extend(l.registers);
        log.groups.extend(l.groups);
        log.set_acked.extend(l.set_acked);
        log.ttl_writes.extend(l.ttl_writes);
        log.ttl_reads.extend(l.ttl_reads);
    }
    let watchers: Vec<Watcher> = watchers.into_iter().map(|w| w.join().unwrap()).collect();
    // What the clients got done, counted before the final reads join the
    // history: successful writes (a CAS or a transaction counts when its
    // compare held) and successful reads.
    let register_ok = log.registers.iter().filter(|r| r.call.outcome == Outcome::Ok);
    let group_ok = log.groups.iter().filter(|r| r.call.outcome == Outcome::Ok);
    let writes_ok = register_ok
        .clone()
        .filter(|r| match &r.call.op {
            Op::Write(_) => true,
            Op::Cas { succeeded, .. } => *succeeded == Some(true),
            Op::Read(_) => false,
        })
        .count()
        + group_ok
            .clone()
            .filter(|r| match &r.call.op {
                GroupOp::Txn { writes, succeeded, .. } => !writes.is_empty() && *succeeded != Some(false),
                GroupOp::List(_) => false,
            })
            .count();
    let reads_ok = register_ok.filter(|r| matches!(r.call.op, Op::Read(_))).count()
        + group_ok
            .filter(|r| match &r.call.op {
                GroupOp::Txn { reads, .. } => !reads.is_empty(),
                GroupOp::List(_) => true,
            })
            .count();
    chaos.net.heal();
    for node in &mut chaos.cluster.nodes {
        node.wait_ready();
    }
    chaos.cluster.wait_voters(plan.nodes);
    chaos.cluster.assert_converged(&BTreeMap::new());

    // Final linearizable reads of every register and group join the history.
    let c = client(Duration::from_secs(10));
    let url = chaos.urls()[0].clone();
    for key in REGISTERS {
        let invoke = now();
        let r = c.get(format!("{url}/v1/kv/{key}")).send().unwrap();
        let v = (r.status() == 200).then(|| r.text().unwrap());
        log.registers
            .push(Recorded::new(key, Op::Read(v), invoke, now(), Outcome::Ok, None));
    }
    for group in GROUPS {
        let invoke = now();
        let b: Value = c
            .get(format!("{url}/v1/kv?prefix={group}/"))
            .send()
            .unwrap()
            .json()
            .unwrap();
        let state = listed_state(&b).unwrap_or_else(|| panic!("a full listing of {group}: {b}"));
        log.groups.push(Recorded::new(
            group,
            GroupOp::List(state),
            invoke,
            now(),
            Outcome::Ok,
            None,
        ));
    }

    let history = write_history(
        &format!("{}-nodes-seed-{}", plan.nodes, plan.seed),
        &log.registers,
        &log.groups,
    );
    eprintln!("chaos: history written to {}", history.display());

    // 1. Every register's and every group's history is linearizable.
    let mut counts = [0usize; 3];
    for key in REGISTERS {
        let calls: Vec<Call> = log
            .registers
            .iter()
            .filter(|r| r.object == key)
            .map(|r| r.call.clone())
            .collect();
        count(&mut counts, calls.iter().map(|c| c.outcome));
        assert!(
            check(None, &calls),
            "history of {key} is not linearizable; all calls are in {}",
            history.display()
        );
    }
    for group in GROUPS {
        let calls: Vec<Call<GroupOp>> = log
            .groups
            .iter()
            .filter(|r| r.object == group)
            .map(|r| r.call.clone())
            .collect();
        count(&mut counts, calls.iter().map(|c| c.outcome));
        let started = Instant::now();
        assert!(
            check_model::<Group>(GroupState::new(), &calls),
            "history of group {group} is not linearizable; all calls are in {} \
             (replay: CONCORD_HISTORY=that-file CONCORD_GROUP={group} cargo test -p concord-tests \
             --test e2e replay_group_history -- --ignored --nocapture)",
            history.display()
        );
        eprintln!(
            "group {group}: {} calls checked in {:?}",
            calls.len(),
            started.elapsed()
        );
    }
    // 2. No acknowledged write of the set workload is missing.
    for k in &log.set_acked {
        let r = c.get(format!("{url}/v1/kv/{k}")).send().unwrap();
        assert_eq!(r.status(), 200, "acknowledged {k} lost");
    }
    // 3. Revisions never go backwards: acknowledged writes in real-time order
    //    carry increasing revisions.
    let mut acked: Vec<(u64, u64, u64)> = log
        .registers
        .iter()
        .filter(|r| r.call.outcome == Outcome::Ok)
        .filter_map(|r| r.revision.map(|rev| (r.call.invoke, r.call.ret, rev)))
        .chain(
            log.groups
                .iter()
                .filter(|r| r.call.outcome == Outcome::Ok)
                .filter_map(|r| r.revision.map(|rev| (r.call.invoke, r.call.ret, rev))),
        )
        .collect();
    acked.sort();
    for (i, a) in acked.iter().enumerate() {
        for b in &acked[i + 1..] {
            if a.1 < b.0 {
                assert!(a.2 < b.2, "revision went backwards: {a:?} finished before {b:?} began");
            }
        }
    }
    // 4. TTL keys: seen while young, gone once their TTL ran out.
    let (young, old) = check_ttl(&log.ttl_writes, &log.ttl_reads);
    // ... and, once every TTL is past, gone on every node, read locally.
    let last_expiry = log.ttl_writes.iter().map(|w| w.ret + w.ttl).max().unwrap_or(0);
    std::thread::sleep(Duration::from_millis(last_expiry.saturating_sub(wall_ms()) + 10));
    for node in chaos.cluster.running() {
        for w in &log.ttl_writes {
            let r = c
                .get(format!("{}/v1/kv/{}?consistency=stale", node.url(), w.key))
                .send()
                .unwrap();
            assert_eq!(r.status(), 404, "{} outlived its TTL on node {:?}", w.key, node.id);
        }
    }

    // 5. Every watcher saw the committed history of its prefix, whole,
    //    once and in order, though it resumed across the nemeses.
    let end = {
        let r = c.put(format!("{url}/v1/kv/zz/end")).body("end").send().unwrap();
        r.json::<Value>().unwrap()["revision"].as_u64().unwrap()
    };
    let watched: Vec<usize> = watchers.iter().map(|w| w.changes.len()).collect();
    let streams = check_watchers(
        watchers,
        &chaos.urls(),
        end,
        &all_values(&url),
        &sent_writes(&log),
        &log.set_acked,
    );

    eprintln!(
        "chaos: {} nodes, {}s, {} faults {kinds:?}; {} ok / {} failed / {} unknown register and group calls, \
         {} set writes and {} TTL writes acknowledged, {young} young and {old} expired TTL reads checked; \
         watchers of {WATCHED:?} saw {watched:?} changes over {streams} streams, each the committed history; \
         linearizable, nothing lost, converged",
        plan.nodes,
        plan.seconds,
        faults.load(Ordering::Relaxed),
        counts[0],
        counts[1],
        counts[2],
        log.set_acked.len(),
        log.ttl_writes.len(),
    );
    assert!(counts[0] > 100, "too few calls succeeded to mean anything: {counts:?}");
    // A run that got (almost) nothing through proves nothing: at least one
    // successful write and one successful read per second of the run (runs
    // on this machine do tens per second), and every workload exercised.
    let min_ok = (plan.seconds as usize).max(20);
    assert!(
        writes_ok >= min_ok,
        "only {writes_ok} successful register and group writes (want {min_ok})"
    );
    assert!(
        reads_ok >= min_ok,
        "only {reads_ok} successful register and group reads (want {min_ok})"
    );
    assert!(!log.set_acked.is_empty(), "no set write was acknowledged");
    assert!(!log.ttl_writes.is_empty(), "no TTL write was acknowledged");
    assert!(young > 0, "no TTL key was read while young: the TTL check saw nothing");
    assert!(old > 0, "no TTL key was read after its TTL: the TTL check saw nothing");
    for kind in &scheduled {
        assert!(
            kinds.get(kind).is_some_and(|n| *n > 0),
            "the nemesis never completed a {kind:?}: {kinds:?}"
        );
    }
}

/// A leader cut off from the others keeps believing it leads while the
/// others elect a new leader and take writes. Returns the history of the
/// one key (writes through the new leader, reads through its follower and
/// reads from the cut-off old leader) and how many reads the old leader
/// answered.
pub(super) fn deposed_leader_scenario(bin: Option<&Path>) -> (Vec<Call>, usize) {
    let chaos = ChaosCluster::start(3, bin, &[]);
    let cluster = &chaos.cluster;
    let c = client(Duration::from_secs(5));
    let origin = Instant::now();
    let now = || origin.elapsed().as_nanos() as u64;
    let mut history = Vec::new();
    let old = cluster.leader();
    let old_url = cluster.nodes[old].url();
    let invoke = now();
    let r = c.put(format!("{old_url}/v1/kv/k")).body("v0").send().unwrap();
    assert_eq!(r.status(), 200);
    history.push(Call {
        op: Op::Write(Some("v0".into())),
        invoke,
        ret: now(),
        outcome: Outcome::Ok,
    });
    let term = cluster.nodes[old].info().expect("the leader's info")["term"]
        .as_u64()
        .unwrap();
    chaos.net.isolate(chaos.id(old), &chaos.ids());
    let new = eventually("the two others to elect a new leader", 30, || {
        (0..3).filter(|i| *i != old).find(|i| {
            cluster.nodes[*i]
                .info()
                .is_some_and(|info| info["state"] == "leader" && info["term"].as_u64().is_some_and(|t| t > term))
        })
    });
    let follower = (0..3).find(|i| *i != old && *i != new).unwrap();
    let (new_url, follower_url) = (cluster.nodes[new].url(), cluster.nodes[follower].url());
    let mut deposed_reads = 0;
    for i in 1..=3 {
        let value = format!("v{i}");
        // Just after the election the new leader may still refuse (its
        // first entry is not committed yet): retry, recording every attempt
        // with its outcome, until one is acknowledged.
        eventually("a write through the new leader", 30, || {
            let invoke = now();
            let (outcome, _) = write_outcome(c.put(format!("{new_url}/v1/kv/k")).body(value.clone()).send());
            history.push(Call {
                op: Op::Write(Some(value.clone())),
                invoke,
                ret: now(),
                outcome,
            });
            (outcome == Outcome::Ok).then_some(())
        });
        // The old leader has heard of no other leader: it still leads in
        // its own eyes, so the read is its to serve (no forwarding).
        let info = cluster.nodes[old].info().expect("the old leader's info");
        assert_eq!(info["state"], "leader", "the cut-off leader stepped down: {info}");
        for (url, from_old) in [(&old_url, true), (&follower_url, false)] {
            let invoke = now();
            if let Ok(r) = c.get(format!("{url}/v1/kv/k")).send() {
                if r.status() == 200 {
                    let seen = r.text().ok();
                    history.push(Call {
                        op: Op::Read(seen),
                        invoke,
                        ret: now(),
                        outcome: Outcome::Ok,
                    });
                    if from_old {
                        deposed_reads += 1;
                    }
                }
            }
        }
    }
    chaos.net.heal();
    (history, deposed_reads)
}

/// Every register and group write the clients sent, with the revision of
/// those acknowledged as applied.
fn sent_writes(log: &ClientLog) -> Vec<SentWrite> {
    let mut sent = Vec::new();
    for r in &log.registers {
        let applied = r.call.outcome == Outcome::Ok;
        let (value, took) = match &r.call.op {
            Op::Write(v) => (v.clone(), applied),
            Op::Cas { new, succeeded, .. } => (new.clone(), applied && *succeeded == Some(true)),
            Op::Read(_) => continue,
        };
        sent.push(SentWrite {
            key: r.object.clone(),
            value,
            revision: r.revision.filter(|_| took),
        });
    }
    for r in &log.groups {
        if let GroupOp::Txn { writes, succeeded, .. } = &r.call.op {
            let took = r.call.outcome == Outcome::Ok && *succeeded != Some(false);
            for (key, value) in writes {
                sent.push(SentWrite {
                    key: key.clone(),
                    value: value.clone(),
                    revision: r.revision.filter(|_| took),
                });
            }
        }
    }
    sent
}
