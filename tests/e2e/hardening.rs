//! Regression tests for the core hardening (issue 9): a node that lost its
//! data never comes back as a voter under its old id, ids from requests
//! cannot crash the cluster, peer RPCs must name their cluster, joins are
//! retryable, a write forwarded to a leader that dies answers
//! `outcome_unknown`, and a slow snapshot build never replaces a newer
//! installed snapshot. Each test failed on the code before its fix.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};

use crate::chaos::ChaosCluster;
use crate::support::{client, code, eventually, exclusive, feature_binary, http, run, stderr, TestCluster, TestNode};

/// Writes `n` keys through the cluster's CLI; returns them.
fn write_keys(cluster: &TestCluster, prefix: &str, n: usize) -> BTreeMap<String, String> {
    let mut acked = BTreeMap::new();
    for i in 0..n {
        let (k, v) = (format!("{prefix}/{i:03}"), format!("v{i}"));
        let out = run({
            let mut cmd = cluster.cli();
            cmd.args(["kv", "put", &k, &v]);
            cmd
        });
        assert_eq!(code(&out), 0, "put {k}: {}", stderr(&out));
        acked.insert(k, v);
    }
    acked
}

fn assert_refused_as_bootstrapped(node: &mut TestNode, id: u64) {
    let exit = node.wait_exit(60);
    let log = node.log();
    assert_eq!(exit, Some(2), "a wiped voter must exit 2; log:\n{log}");
    assert!(log.contains("already been bootstrapped"), "{log}");
    assert!(log.contains(&format!("concord cluster remove-node {id}")), "{log}");
    assert!(log.contains("no `--id`"), "{log}");
}

#[test]
fn a_wiped_voter_restarted_with_initial_cluster_flags_is_refused() {
    let mut cluster = TestCluster::initial(3, &[]);
    let acked = write_keys(&cluster, "before", 20);
    let victim = 2;
    cluster.nodes[victim].kill9();
    cluster.nodes[victim].wipe();
    cluster.nodes[victim].spawn();
    assert_refused_as_bootstrapped(&mut cluster.nodes[victim], 3);
    // Nothing was lost, and the cluster works on with two voters.
    let more = write_keys(&cluster, "after", 5);
    let mut expected = acked;
    expected.extend(more);
    cluster.assert_converged(&expected);

    // What the message says to do works: remove the old id, join afresh.
    let out = run({
        let mut cmd = cluster.cli();
        cmd.args(["cluster", "remove-node", "3", "--yes"]);
        cmd
    });
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let seed = cluster.nodes[0].url();
    let mut fresh = TestNode::new(None, &["--join", &seed]);
    fresh.spawn();
    fresh.wait_ready();
    let id = fresh.learn_id();
    assert!(id > 3, "a fresh id, never 1 to 3: got {id}");
    cluster.nodes[victim] = fresh;
    cluster.wait_voters(3);
    cluster.assert_converged(&expected);
}

#[test]
fn a_wiped_voter_restarted_with_join_flags_is_refused() {
    let mut cluster = TestCluster::join(3, &[]);
    let acked = write_keys(&cluster, "before", 10);
    let victim = 2;
    let id = cluster.nodes[victim].id.expect("learned id");
    cluster.nodes[victim].kill9();
    cluster.nodes[victim].wipe();
    // Its old flags (--join, no --id): the peer URL belongs to a voter.
    cluster.nodes[victim].id = None;
    cluster.nodes[victim].spawn();
    assert_refused_as_bootstrapped(&mut cluster.nodes[victim], id);
    // With --id N too.
    cluster.nodes[victim].wipe();
    cluster.nodes[victim].id = Some(id);
    cluster.nodes[victim].spawn();
    assert_refused_as_bootstrapped(&mut cluster.nodes[victim], id);
    cluster.assert_converged(&acked);
    let members = cluster.members();
    assert_eq!(
        members.len(),
        3,
        "the refused node is still the member it was: {members:?}"
    );
}

#[test]
fn node_ids_out_of_range_are_refused_and_crash_nothing() {
    let cluster = TestCluster::join(3, &[]);
    let leader = &cluster.nodes[cluster.leader()];
    let c = http();
    let add = |body: Value| {
        let resp = c
            .post(format!("{}/v1/cluster/members", leader.url()))
            .json(&body)
            .send()
            .expect("POST /v1/cluster/members");
        let status = resp.status().as_u16();
        (status, resp.json::<Value>().unwrap_or(Value::Null))
    };
    let max = i64::MAX as u64;
    for bad in [u64::MAX, max + 1, 0] {
        let (status, body) =
            add(json!({"id": bad, "client_url": "http://127.0.0.1:1", "peer_url": "http://127.0.0.1:2"}));
        assert_eq!(status, 400, "id {bad}: {body}");
        assert_eq!(body["error"]["code"], "invalid_argument", "id {bad}: {body}");
    }
    // The largest id is valid; after it, no id is left to allocate: a
    // refusal, never a wrapped id or a panic in apply.
    let (status, body) = add(json!({"id": max, "client_url": "http://127.0.0.1:3", "peer_url": "http://127.0.0.1:4"}));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], max, "{body}");
    let (status, body) = add(json!({"client_url": "http://127.0.0.1:5", "peer_url": "http://127.0.0.1:6"}));
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "invalid_argument", "{body}");
    // Every node is alive and agrees; the learner that never started can
    // be removed (a half-finished join is undoable).
    let out = run({
        let mut cmd = cluster.cli();
        cmd.args(["cluster", "remove-node", &max.to_string(), "--yes"]);
        cmd
    });
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    cluster.wait_voters(3);
    let acked = write_keys(&cluster, "ids", 5);
    cluster.assert_converged(&acked);
    for node in &cluster.nodes {
        assert!(node.info().is_some(), "node {:?} died", node.id);
    }
}

#[test]
fn peer_rpcs_without_the_cluster_id_are_refused() {
    let node = TestNode::start();
    let c = http();
    for path in [
        "/raft/append",
        "/raft/vote",
        "/raft/pre-vote",
        "/raft/snapshot",
        "/raft/transfer-leader",
    ] {
        let resp = c
            .post(format!("{}{path}", node.peer_url()))
            .body(Vec::<u8>::new())
            .send()
            .unwrap();
        assert_eq!(resp.status(), 403, "{path} without concord-cluster-id");
        let resp = c
            .post(format!("{}{path}", node.peer_url()))
            .header("concord-cluster-id", "someone-else")
            .body(Vec::<u8>::new())
            .send()
            .unwrap();
        assert_eq!(resp.status(), 409, "{path} from another cluster");
    }
    let resp = c
        .get(format!("{}/raft/member-state/1", node.peer_url()))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 403, "the bootstrap check needs the cluster id too");
}

#[test]
fn a_join_interrupted_after_the_learner_was_added_finishes_on_restart() {
    let cluster = TestCluster::join(1, &[]);
    let seed = cluster.nodes[0].url();
    // The first attempt reached the leader, which added the learner, but the
    // joiner died before recording its id.
    let mut late = TestNode::new(None, &["--join", &seed]);
    let resp = http()
        .post(format!("{seed}/v1/cluster/members"))
        .json(&json!({"client_url": late.url(), "peer_url": late.peer_url()}))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    let first: Value = resp.json().unwrap();
    let id = first["id"].as_u64().expect("an id");
    // The restarted joiner (same flags, empty data dir) gets the same id
    // back and finishes the join.
    late.spawn();
    late.wait_ready();
    assert_eq!(late.learn_id(), id);
    let two = TestCluster {
        nodes: vec![cluster.nodes.into_iter().next().unwrap(), late],
    };
    two.wait_voters(2);
    let acked = write_keys(&two, "joined", 5);
    two.assert_converged(&acked);
}

#[test]
fn a_forwarded_write_whose_leader_dies_mid_request_is_outcome_unknown() {
    let mut cluster = TestCluster::join(3, &[]);
    let leader = cluster.leader();
    let follower = (leader + 1) % 3;
    let url = cluster.nodes[follower].kv_url("maybe");
    // A stopped leader still accepts connections (the kernel queues them),
    // so the follower sends the request; then the leader dies.
    cluster.nodes[leader].pause(true);
    let put = std::thread::spawn(move || client(Duration::from_secs(30)).put(url).body("x").send());
    std::thread::sleep(Duration::from_millis(500));
    cluster.nodes[leader].kill9();
    let resp = put.join().unwrap().expect("the follower answers");
    assert_eq!(resp.status(), 503);
    let body: Value = resp.json().unwrap();
    assert_eq!(
        body["error"]["code"], "outcome_unknown",
        "a write sent to the leader has an unknown outcome: {body}"
    );
}

/// A follower's snapshot build stalls (failpoint sleep) while the leader,
/// having purged the log it needs, sends it a newer snapshot. The stalled
/// build must not replace the installed snapshot; before the fix it did, and
/// the follower could not restart (its log was purged past its snapshot).
#[test]
fn a_slow_snapshot_build_never_replaces_a_newer_installed_snapshot() {
    // The install must come within the build's 45 s stall: no chaos run
    // beside it.
    let _alone = exclusive();
    let bin = feature_binary("failpoints");
    let mut chaos = ChaosCluster::start(3, Some(&bin), &["--snapshot-logs", "50"]);
    let leader = chaos.cluster.leader();
    let f = (leader + 1) % 3;
    {
        let node = &mut chaos.cluster.nodes[f];
        node.kill9();
        node.env = vec![(
            "FAILPOINTS".into(),
            "snapshot-build-before-persist=1*sleep(45000)".into(),
        )];
        node.spawn();
        node.wait_ready();
    }
    let leader = chaos.cluster.leader();
    let c = client(Duration::from_secs(10));
    let leader_url = chaos.cluster.nodes[leader].url();
    let mut acked = BTreeMap::new();
    let mut i = 0;
    let mut put = |acked: &mut BTreeMap<String, String>| {
        let k = format!("snap/{i:05}");
        i += 1;
        let r = c.put(format!("{leader_url}/v1/kv/{k}")).body("v").send().unwrap();
        assert_eq!(r.status(), 200);
        acked.insert(k, "v".to_string());
    };
    // Until the follower's (slow) build has started.
    eventually("the follower to start building a snapshot", 60, || {
        put(&mut acked);
        chaos.cluster.nodes[f]
            .log()
            .contains("building a snapshot")
            .then_some(())
    });
    let f_last = chaos.cluster.nodes[f].info_u64("last_log_index").unwrap();
    chaos.cluster.nodes[f].pause(true);
    // The leader purges past everything the follower holds.
    eventually("the leader to purge past the follower's log", 60, || {
        put(&mut acked);
        let purged = chaos.cluster.nodes[leader].info_u64("purged_index")?;
        (purged > f_last + 100).then_some(())
    });
    chaos.cluster.nodes[f].pause(false);
    eventually("the follower to install the leader's snapshot", 20, || {
        let snap = chaos.cluster.nodes[f].info_u64("snapshot_index")?;
        (snap > f_last + 100).then_some(())
    });
    assert!(
        !chaos.cluster.nodes[f].log().contains("snapshot build finished"),
        "the slow build finished before the install: the race was not reached"
    );
    eventually("the slow build to finish", 60, || {
        chaos.cluster.nodes[f]
            .log()
            .contains("snapshot build finished")
            .then_some(())
    });
    // The follower restarts cleanly (before the fix the stalled build had
    // put its older snapshot back, and openraft refused to start: its log
    // was purged past that snapshot) and holds everything.
    let log_before = chaos.cluster.nodes[f].log();
    let node = &mut chaos.cluster.nodes[f];
    node.kill9();
    node.env.clear();
    node.spawn();
    node.wait_ready();
    let info = node.info().unwrap();
    assert!(
        info["snapshot_index"].as_u64() >= info["purged_index"].as_u64(),
        "purged past the snapshot: {info}"
    );
    // The stalled build took its view after the install: what it reports
    // is never older than the installed snapshot.
    let built: Vec<u64> = log_before
        .lines()
        .filter(|l| l.contains("snapshot build finished"))
        .filter_map(|l| l.split("index=Some(").nth(1)?.split(')').next()?.parse().ok())
        .collect();
    assert!(
        built.last().is_some_and(|b| *b > f_last + 100),
        "the stalled build reported {built:?}, older than the installed snapshot: {log_before}"
    );
    chaos.cluster.assert_converged(&acked);
}

/// `--initial-cluster` members started seconds apart still form the cluster:
/// the first waits, answering "not initialised" to the others' checks.
#[test]
fn initial_cluster_members_started_apart_wait_for_each_other() {
    let mut nodes = TestCluster::initial_nodes(3, &[]);
    nodes[0].spawn();
    // Alone, the first member does not initialise: its peer listener
    // answers the bootstrap check with "not initialised".
    let c = http();
    let cluster_id = eventually("the first member's pre-bootstrap answer", 30, || {
        // Any cluster id is refused with 409 naming ours; learn it from there.
        let resp = c
            .get(format!("{}/raft/member-state/2", nodes[0].peer_url()))
            .header("concord-cluster-id", "probe")
            .send()
            .ok()?;
        let text = resp.text().ok()?;
        let ours = text.split("belongs to cluster ").nth(1)?.split(',').next()?.to_string();
        Some(ours)
    });
    let state: Value = c
        .get(format!("{}/raft/member-state/2", nodes[0].peer_url()))
        .header("concord-cluster-id", &cluster_id)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(state["initialized"], false, "{state}");
    assert!(
        c.get(format!("{}/ready", nodes[0].url())).send().is_err(),
        "the client API is not served before the node initialises"
    );
    for node in &mut nodes[1..] {
        node.spawn();
    }
    for node in &mut nodes {
        node.wait_ready();
    }
    let cluster = TestCluster { nodes };
    cluster.wait_voters(3);
    let acked = write_keys(&cluster, "apart", 3);
    cluster.assert_converged(&acked);
}

/// A wiped member whose peers are down does not initialise on its own (fails
/// closed): it waits, and refuses once a peer that knows it answers.
#[test]
fn a_wiped_member_waits_for_its_peers_then_is_refused() {
    let mut cluster = TestCluster::initial(3, &[]);
    let acked = write_keys(&cluster, "closed", 5);
    for i in 0..3 {
        cluster.nodes[i].kill9();
    }
    cluster.nodes[2].wipe();
    cluster.nodes[2].spawn();
    eventually("the wiped member to say it waits for its peers", 30, || {
        cluster.nodes[2]
            .log()
            .contains("waiting for enough peers")
            .then_some(())
    });
    assert!(!cluster.nodes[2].has_exited(), "{}", cluster.nodes[2].log());
    cluster.nodes[0].spawn();
    assert_refused_as_bootstrapped(&mut cluster.nodes[2], 3);
    cluster.nodes[1].spawn();
    cluster.nodes[0].wait_ready();
    cluster.nodes[1].wait_ready();
    cluster.assert_converged(&acked);
}

/// `node start` flags out of range are usage errors (exit 2), never a panic
/// or an overflow later (ids, durations that become deadlines, TTLs).
#[test]
fn node_start_refuses_numbers_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    for args in [
        vec!["--id", "0"],
        vec!["--id", "18446744073709551615"],
        vec!["--id", "9223372036854775808"],
        vec!["--initial-cluster", "9223372036854775808=http://127.0.0.1:9"],
        vec!["--initial-cluster", "1=http://127.0.0.1:9,2=http://127.0.0.1:9"],
        vec!["--request-timeout", "100000h"],
        vec!["--client-read-timeout", "100000h"],
        vec!["--default-ttl", "100000y"],
        vec!["--request-id-max-entries", "0"],
        vec!["--max-request-size", "1073741824"],
        vec!["--max-value-size", "134217728"],
    ] {
        let mut cmd = crate::support::concord();
        cmd.args([
            "node",
            "start",
            "--data-dir",
            data,
            "--listen-client",
            "127.0.0.1:1",
            "--listen-peer",
            "127.0.0.1:1",
        ]);
        cmd.args(&args);
        let out = run(cmd);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).starts_with("error: "), "{args:?}: {}", stderr(&out));
    }
}
