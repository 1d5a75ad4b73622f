//! Crashes at the moments that matter for durability, through failpoints
//! compiled into a test-only build (`--features failpoints`, armed by the
//! `FAILPOINTS` environment variable): before and after the fsync of a log
//! append, around vote saves, while building a snapshot and purging the log
//! it covers, and while installing one. Each test first proves the process really died at the point, then
//! restarts it without failpoints and checks that nothing acknowledged is
//! lost and that the node (or cluster) works on.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::chaos::ChaosCluster;
use crate::lazyfs::LazyDisk;
use crate::support::{client, eventually, feature_binary, TestNode};

const FAILPOINTS: &str = "FAILPOINTS";

fn armed(node: &mut TestNode, spec: &str) {
    node.env = vec![(FAILPOINTS.into(), spec.into())];
}

/// Waits (at most `secs`) for the process to die at its failpoint, and
/// checks that it said so.
fn assert_died_at(node: &mut TestNode, point: &str, secs: u64) {
    eventually(&format!("the node to abort at {point}"), secs, || {
        node.has_exited().then_some(())
    });
    node.kill9(); // reaps the exited process
    assert!(
        node.log().contains(&format!("failpoint {point}: aborting")),
        "the node died, but not at {point}; log:\n{}",
        node.log()
    );
}

/// Writes unique keys until the node dies; returns the acknowledged ones.
fn write_until_death(node: &TestNode, prefix: &str) -> BTreeMap<String, String> {
    let url = node.url();
    let c = client(Duration::from_secs(2));
    let mut acked = BTreeMap::new();
    let started = Instant::now();
    let mut misses = 0;
    for i in 0.. {
        let (k, v) = (format!("{prefix}/{i:06}"), format!("v{i}"));
        match c.put(format!("{url}/v1/kv/{k}")).body(v.clone()).send() {
            Ok(r) if r.status() == 200 => {
                acked.insert(k, v);
                misses = 0;
            }
            _ => misses += 1,
        }
        if misses > 5 || started.elapsed() > Duration::from_secs(30) {
            break;
        }
    }
    acked
}

fn assert_all_present(node: &TestNode, acked: &BTreeMap<String, String>) {
    let c = client(Duration::from_secs(10));
    for (k, v) in acked {
        let r = c.get(node.kv_url(k)).send().unwrap();
        assert_eq!(r.status(), 200, "acknowledged {k} lost");
        assert_eq!(r.text().unwrap(), *v);
    }
}

#[test]
fn crashes_around_the_log_fsync_lose_nothing() {
    let bin = feature_binary("failpoints");
    let mut node = TestNode::new(Some(1), &["--snapshot-logs", "1000000"]);
    node.bin = bin;
    let mut acked = BTreeMap::new();
    for (round, point) in ["log-append-before-fsync", "log-append-after-fsync"]
        .iter()
        .cycle()
        .take(6)
        .enumerate()
    {
        node.kill9();
        // Past start-up's own appends, then a crash at a random append.
        armed(&mut node, &format!("{point}=5*off->10%return"));
        node.spawn();
        node.wait_ready();
        acked.extend(write_until_death(&node, &format!("r{round}")));
        assert_died_at(&mut node, point, 10);
        node.env.clear();
        node.spawn();
        node.wait_ready();
        assert_all_present(&node, &acked);
    }
    assert!(acked.len() > 20, "only {} writes acknowledged", acked.len());
    let c = client(Duration::from_secs(5));
    assert_eq!(c.put(node.kv_url("after")).body("ok").send().unwrap().status(), 200);
}

#[test]
fn a_crash_while_building_a_snapshot_or_purging_the_log_loses_nothing() {
    crash_building_snapshots_and_purging(None);
}

/// Crashes while building a snapshot and while purging the log, each
/// followed by a power cut when the data is on `disk` (`power_loss.rs`).
pub(crate) fn crash_building_snapshots_and_purging(mut disk: Option<&mut LazyDisk>) {
    let bin = feature_binary("failpoints");
    let mut node = TestNode::new(Some(1), &["--snapshot-logs", "20"]);
    node.bin = bin;
    if let Some(disk) = disk.as_deref() {
        node.data_dir = disk.mount.join("data");
    }
    let mut acked = BTreeMap::new();
    for (round, point) in [
        "snapshot-build-before-persist",
        // The log is purged once a snapshot covers it.
        "log-purge-before-commit",
        "log-purge-after-fsync",
    ]
    .iter()
    .enumerate()
    {
        armed(&mut node, &format!("{point}=return"));
        node.spawn();
        node.wait_ready();
        acked.extend(write_until_death(&node, &format!("s{round}")));
        assert_died_at(&mut node, point, 10);
        if let Some(disk) = disk.as_deref_mut() {
            eprintln!("{point}: {}", disk.power_cut());
        }
        node.env.clear();
        node.spawn();
        node.wait_ready();
        assert_all_present(&node, &acked);
        // Snapshots are built again, and the node still restarts cleanly.
        let applied = eventually("the restarted node's applied index", 10, || {
            node.info_u64("applied_index")
        });
        let c = client(Duration::from_secs(5));
        for i in 0..50 {
            let k = format!("after{round}/{i:03}");
            assert_eq!(c.put(node.kv_url(&k)).body("x").send().unwrap().status(), 200);
            acked.insert(k, "x".into());
        }
        // 50 writes with --snapshot-logs 20: a snapshot past the restart.
        eventually(
            &format!("round {round}: a snapshot built after the restart"),
            30,
            || node.info_u64("snapshot_index").filter(|s| *s > applied),
        );
        node.kill9();
        if let Some(disk) = disk.as_deref_mut() {
            disk.power_cut();
        }
    }
    node.spawn();
    node.wait_ready();
    assert_all_present(&node, &acked);
}

#[test]
fn a_follower_crashing_while_installing_a_snapshot_recovers() {
    crash_installing_snapshots(
        &[
            "snapshot-install-after-marker",
            "snapshot-install-after-clear",
            "snapshot-install-before-last-batch",
            "snapshot-install-after-commit",
        ],
        false,
    );
}

/// A follower that must catch up through a snapshot crashes at each of
/// `points` while installing it (and loses power too, on lazyfs), then
/// recovers.
pub(crate) fn crash_installing_snapshots(points: &[&str], on_lazyfs: bool) {
    let bin = feature_binary("failpoints");
    let mut chaos = ChaosCluster::start_on(3, Some(&bin), &["--snapshot-logs", "20"], on_lazyfs);
    let c = client(Duration::from_secs(10));
    let mut expected = BTreeMap::new();
    for &point in points {
        let leader = chaos.cluster.leader();
        let follower = (leader + 1) % 3;
        chaos.cluster.nodes[follower].kill9();
        if on_lazyfs {
            chaos.disks[follower].power_cut();
        }
        // The follower cannot hold more of the log than the leader has now.
        let follower_last = chaos.cluster.nodes[leader]
            .info_u64("last_log_index")
            .expect("the leader's info");
        // Far enough ahead that the leader has purged what the follower
        // lacks: it can only catch up through a snapshot.
        let url = chaos.cluster.nodes[leader].url();
        let mut put = |k: String| {
            let r = c.put(format!("{url}/v1/kv/{k}")).body("v").send().unwrap();
            assert_eq!(r.status(), 200);
            expected.insert(k, "v".to_string());
        };
        for i in 0..200 {
            put(format!("{point}/{i:03}"));
        }
        // Snapshots and purges run in the background: wait until both
        // running nodes have purged past the follower's last entry (null:
        // nothing purged yet). One more write per poll keeps snapshots
        // coming should the policy need more log.
        let mut more = 0;
        let purged = eventually(
            &format!("{point}: a purge past the follower's index {follower_last}"),
            60,
            || {
                let purged = chaos
                    .cluster
                    .running()
                    .map(|n| n.info().map(|i| i["purged_index"].as_u64().unwrap_or(0)))
                    .collect::<Option<Vec<u64>>>()?
                    .into_iter()
                    .min()?;
                if purged > follower_last {
                    return Some(purged);
                }
                put(format!("{point}/more-{more:03}"));
                more += 1;
                None
            },
        );
        eprintln!("{point}: the follower stopped at or before index {follower_last}; purged up to {purged}");
        let node = &mut chaos.cluster.nodes[follower];
        armed(node, &format!("{point}=return"));
        node.spawn();
        assert_died_at(node, point, 30);
        if on_lazyfs {
            eprintln!("{point}: {}", chaos.disks[follower].power_cut());
        }
        let node = &mut chaos.cluster.nodes[follower];
        node.env.clear();
        node.spawn();
        node.wait_ready();
        chaos.cluster.assert_converged(&expected);
    }
    chaos.cluster.wait_voters(3);
}

#[test]
fn crashes_around_vote_saves_in_an_election_lose_nothing() {
    let bin = feature_binary("failpoints");
    let mut chaos = ChaosCluster::start(3, Some(&bin), &[]);
    let c = client(Duration::from_secs(10));
    let mut expected = BTreeMap::new();
    for point in ["vote-before-save", "vote-after-save"] {
        let leader = chaos.cluster.leader();
        let url = chaos.cluster.nodes[leader].url();
        for i in 0..20 {
            let k = format!("{point}/{i:03}");
            let r = c.put(format!("{url}/v1/kv/{k}")).body("v").send().unwrap();
            assert_eq!(r.status(), 200);
            expected.insert(k, "v".to_string());
        }
        // Arm a follower, then kill the leader: the election that follows
        // makes the follower save a vote, and it dies there.
        let follower = (leader + 1) % 3;
        let node = &mut chaos.cluster.nodes[follower];
        node.kill9();
        armed(node, &format!("{point}=return"));
        node.spawn();
        node.wait_ready();
        chaos.cluster.nodes[leader].kill9();
        assert_died_at(&mut chaos.cluster.nodes[follower], point, 20);
        let node = &mut chaos.cluster.nodes[follower];
        node.env.clear();
        node.spawn();
        chaos.cluster.nodes[leader].spawn();
        for node in &mut chaos.cluster.nodes {
            node.wait_ready();
        }
        chaos.cluster.wait_voters(3);
        chaos.cluster.assert_converged(&expected);
    }
}
