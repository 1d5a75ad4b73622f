//! Issue 15, quorum-loss recovery: kill 2 of 3 nodes for good, run
//! `concord cluster recover` on the survivor's directory, start it, join two
//! fresh nodes: every key acknowledged before the loss that the survivor
//! holds is there with its revision, and the cluster takes writes.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::support::*;

#[test]
fn two_of_three_lost_for_good_the_survivor_recovers_and_regrows_the_cluster() {
    let mut cluster = TestCluster::join_with(3, &["--auth"], secured);
    let leader = cluster.leader();
    // The survivor is a follower; the leader and the other follower are lost.
    let survivor = (0..3).find(|i| *i != leader).unwrap();
    let lost: Vec<usize> = (0..3).filter(|i| *i != survivor).collect();

    // Writers of unique keys through the leader, still writing when the two
    // nodes die: each acknowledged key was written once, at the revision
    // its answer gave.
    let stop = Arc::new(AtomicBool::new(false));
    let url = cluster.nodes[leader].url();
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let (stop, url) = (stop.clone(), url.clone());
            std::thread::spawn(move || {
                let c = client(Duration::from_secs(5));
                let mut acked = Vec::new();
                for i in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let (k, v) = (format!("r/{w}/{i:05}"), format!("v{w}-{i}"));
                    let answer = c
                        .put(format!("{url}/v1/kv/{k}"))
                        .bearer_auth(TEST_ROOT)
                        .body(v.clone())
                        .send();
                    if let Ok(r) = answer {
                        if r.status() == 200 {
                            let rev = r.json::<Value>().unwrap()["revision"].as_u64().unwrap();
                            acked.push((k, v, rev));
                        }
                    }
                }
                acked
            })
        })
        .collect();
    eventually("100 acknowledged writes", 60, || {
        let n = cluster.nodes[survivor].info_u64("applied_index")?;
        (n >= 100).then_some(())
    });
    for &i in &lost {
        cluster.nodes[i].kill9();
    }
    stop.store(true, Ordering::Relaxed);
    let acked: Vec<(String, String, u64)> = writers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    assert!(acked.len() >= 50, "only {} writes acknowledged", acked.len());

    // Refused while the survivor runs, and nothing changes.
    let dir = cluster.nodes[survivor].data_dir.clone();
    let mut busy = concord();
    busy.args(["cluster", "recover", "--yes", "--data-dir"]).arg(&dir);
    let out = run(busy);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("in use"), "{}", stderr(&out));
    cluster.nodes[survivor].terminate();

    // --compare prints each directory's last log index and term.
    let mut compare = concord();
    compare.args(["cluster", "recover", "--compare"]);
    for node in &cluster.nodes {
        compare.arg(&node.data_dir);
    }
    let report = cli_json(compare);
    // The same report as YAML.
    let mut compare_yaml = concord();
    compare_yaml.args(["-o", "yaml", "cluster", "recover", "--compare"]);
    for node in &cluster.nodes {
        compare_yaml.arg(&node.data_dir);
    }
    let out = run(compare_yaml);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let yaml: Value = serde_norway::from_slice(&out.stdout).expect("recover --compare -o yaml");
    assert_eq!(yaml, report);
    let candidates = report["candidates"].as_array().unwrap();
    assert_eq!(candidates.len(), 3, "{report}");
    let key = |c: &Value| (c["newest_term"].as_u64().unwrap(), c["newest_index"].as_u64().unwrap());
    let newest = candidates.iter().map(key).max().unwrap();
    for c in candidates {
        assert_eq!(c["most_up_to_date"], key(c) == newest, "{report}");
    }
    // Everything in the survivor's log is kept: the recovered revision is
    // its last entry.
    let mine = candidates
        .iter()
        .find(|c| c["node_id"].as_u64() == cluster.nodes[survivor].id)
        .unwrap();
    let survivor_last = mine["newest_index"].as_u64().unwrap();
    // A directory with a newer log, if there is one, is named and the
    // survivor refused.
    if let Some(newer) = candidates.iter().find(|c| key(c) > key(mine)) {
        let mut refused = concord();
        refused
            .args(["cluster", "recover", "--yes", "--data-dir"])
            .arg(&dir)
            .arg("--compare")
            .arg(newer["data_dir"].as_str().unwrap());
        let out = run(refused);
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        assert!(stderr(&out).contains("newer log"), "{}", stderr(&out));
    }
    // The lost nodes are gone for good.
    for &i in &lost {
        cluster.nodes[i].wipe();
    }

    // No confirmation without a terminal: exit 2, nothing changed.
    let mut unconfirmed = concord();
    unconfirmed.args(["cluster", "recover", "--data-dir"]).arg(&dir);
    let out = run(unconfirmed);
    assert_eq!(code(&out), 2, "{}", stderr(&out));

    let mut recover = concord();
    recover.args(["cluster", "recover", "--yes", "--data-dir"]).arg(&dir);
    let recovered = cli_json(recover);
    let report = &recovered["recovered"];
    let revision = report["revision"].as_u64().unwrap();
    assert_eq!(revision, survivor_last, "{recovered}");
    assert!(
        std::path::Path::new(report["previous_data_dir"].as_str().unwrap()).is_dir(),
        "{recovered}"
    );
    let steps = report["next_steps"].as_array().unwrap();
    assert!(
        steps.iter().any(|s| s.as_str().unwrap().contains("--join")),
        "{recovered}"
    );

    // The survivor starts as a single-node cluster.
    let node = &mut cluster.nodes[survivor];
    node.spawn();
    node.wait_ready();
    let url = node.url();
    let found = all_keys(&url, "r/", TEST_ROOT, "linearizable").expect("the root token still works");
    let expected: BTreeMap<String, (String, u64)> = acked
        .iter()
        .filter(|(_, _, rev)| *rev <= revision)
        .map(|(k, v, rev)| (k.clone(), (v.clone(), *rev)))
        .collect();
    assert!(expected.len() >= 50, "only {} acknowledged writes held", expected.len());
    for (k, v) in &expected {
        assert_eq!(found.get(k), Some(v), "acknowledged write {k} at revision {}", v.1);
    }
    assert!(
        found.values().all(|(_, rev)| *rev <= revision),
        "nothing newer than the recovered revision"
    );

    // The directory as it was is kept beside it.
    let old = std::fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains(".before-recover-"))
        .expect("the directory as it was is kept");
    assert!(old.join("raft").is_dir());

    // Two fresh nodes join it; the cluster of three takes writes.
    let mut fresh = Vec::new();
    for _ in 0..2 {
        let mut joiner = TestNode::new(None, &["--auth", "--join", &url]);
        secured(&mut joiner);
        joiner.spawn();
        joiner.wait_ready();
        joiner.learn_id();
        fresh.push(joiner);
    }
    let regrown = TestCluster {
        nodes: std::iter::once(std::mem::replace(
            &mut cluster.nodes[survivor],
            TestNode::new(None, &[]),
        ))
        .chain(fresh)
        .collect(),
    };
    regrown.wait_voters(3);
    // The lost members' ids stay used: the joiners get new ones.
    assert!(
        regrown.member_ids().iter().filter(|id| **id > 3).count() == 2,
        "{:?}",
        regrown.member_ids()
    );
    let leader = regrown.leader();
    let r = regrown.nodes[leader]
        .authed(http().put(regrown.nodes[leader].kv_url("after-recover")))
        .body("x")
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.json::<Value>().unwrap()["revision"].as_u64().unwrap() > revision);
    for node in &regrown.nodes {
        let u = node.url();
        eventually("every member to hold the recovered keys", 60, || {
            (all_keys(&u, "r/", TEST_ROOT, "stale")? == found).then_some(())
        });
    }
}
