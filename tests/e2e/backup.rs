//! Issue 15, backup and restore: `concord snapshot save` from a 3-node
//! cluster under writes, `inspect`, `restore` into a fresh data directory,
//! and a node started on it holding exactly the state of the backup's
//! revision, with the old tokens working; a damaged file refused.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::support::*;

const SECRET: &str = "e2e-backup-cluster-secret-0123456789";
const ROOT: &str = "e2e-backup-root-token-abcdefghijklmnop";

fn secured(node: &mut TestNode) {
    node.env.push(("CONCORD_CLUSTER_SECRET".into(), SECRET.into()));
    node.env.push(("CONCORD_ROOT_TOKEN".into(), ROOT.into()));
    node.token = Some(ROOT.into());
    node.secret = Some(SECRET.into());
}

/// Every key under `prefix` with its value and mod revision, read with
/// `token` at `consistency`.
fn all_keys(url: &str, prefix: &str, token: &str, consistency: &str) -> BTreeMap<String, (String, u64)> {
    let c = client(Duration::from_secs(10));
    let mut all = BTreeMap::new();
    let mut start: Option<String> = None;
    loop {
        let mut req = c
            .get(format!("{url}/v1/kv"))
            .query(&[("prefix", prefix), ("consistency", consistency)])
            .bearer_auth(token);
        if let Some(s) = &start {
            req = req.query(&[("start", s)]);
        }
        let resp = req.send().unwrap();
        assert_eq!(resp.status(), 200);
        let page: Value = resp.json().unwrap();
        for item in page["items"].as_array().unwrap() {
            all.insert(
                item["key"].as_str().unwrap().to_string(),
                (
                    item["value"].as_str().unwrap().to_string(),
                    item["mod_revision"].as_u64().unwrap(),
                ),
            );
        }
        if page["more"] != true {
            return all;
        }
        start = Some(page["next"].as_str().unwrap().to_string());
    }
}

#[test]
fn a_backup_taken_under_writes_restores_to_exactly_its_revision_with_its_tokens() {
    let cluster = TestCluster::join_with(3, &["--auth"], secured);
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("cluster.snap");

    // A read-only token, to use on the restored node.
    let mut cmd = cluster.cli();
    cmd.env("CONCORD_TOKEN", ROOT)
        .args(["token", "create", "--permissions", "read"]);
    let reader = cli_json(cmd)["token"].as_str().unwrap().to_string();

    // Writers of unique keys: each key is written once, at the revision its
    // answer gives.
    let stop = Arc::new(AtomicBool::new(false));
    let urls: Vec<String> = cluster.nodes.iter().map(|n| n.url()).collect();
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let (stop, url) = (stop.clone(), urls[w].clone());
            std::thread::spawn(move || {
                let c = client(Duration::from_secs(10));
                let mut acked = Vec::new();
                for i in 0.. {
                    if stop.load(Ordering::Relaxed) && i >= 100 {
                        break;
                    }
                    let (k, v) = (format!("w/{w}/{i:05}"), format!("v{w}-{i}"));
                    if let Ok(r) = c
                        .put(format!("{url}/v1/kv/{k}"))
                        .bearer_auth(ROOT)
                        .body(v.clone())
                        .send()
                    {
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

    // Saved while they write; an unauthorised save is refused.
    std::thread::sleep(Duration::from_millis(300));
    let mut denied = cluster.cli();
    denied
        .env("CONCORD_TOKEN", &reader)
        .args(["snapshot", "save"])
        .arg(&file);
    assert_eq!(code(&run(denied)), 4);
    assert!(!file.exists());
    let mut save = cluster.cli();
    save.env("CONCORD_TOKEN", ROOT).args(["snapshot", "save"]).arg(&file);
    let saved = cli_json(save);
    stop.store(true, Ordering::Relaxed);
    let acked: Vec<(String, String, u64)> = writers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    let revision = saved["revision"].as_u64().unwrap();
    let expected: BTreeMap<String, (String, u64)> = acked
        .iter()
        .filter(|(_, _, rev)| *rev <= revision)
        .map(|(k, v, rev)| (k.clone(), (v.clone(), *rev)))
        .collect();
    assert!(expected.len() >= 10, "only {} writes before the backup", expected.len());
    assert!(
        acked.len() > expected.len(),
        "no write after the backup: the test shows nothing"
    );
    assert_eq!(saved["checksum_ok"], true, "{saved}");
    assert_eq!(saved["keys"].as_u64(), Some(expected.len() as u64), "{saved}");

    let mut inspect = concord();
    inspect.args(["snapshot", "inspect"]).arg(&file);
    let info = cli_json(inspect);
    assert_eq!(info["revision"].as_u64(), Some(revision), "{info}");
    assert_eq!(info["checksum_ok"], true, "{info}");
    assert!(info["tokens"].as_u64().unwrap() >= 2, "root and the reader: {info}");

    // Restored into a fresh directory, served by a new node.
    let mut node = TestNode::new(Some(1), &[]);
    secured(&mut node);
    let data = work.path().join("restored");
    let mut restore = concord();
    restore
        .args(["snapshot", "restore", "--yes", "--data-dir"])
        .arg(&data)
        .arg(&file)
        .args(["--advertise-client", &node.url(), "--advertise-peer", &node.peer_url()]);
    let restored = cli_json(restore);
    assert_eq!(restored["revision"].as_u64(), Some(revision), "{restored}");
    assert_ne!(
        restored["cluster_id"], info["cluster_id"],
        "a new cluster id: {restored}"
    );
    node.data_dir = data.clone();
    node.spawn();
    node.wait_ready();

    let found = all_keys(&node.url(), "w/", &reader, "linearizable");
    assert_eq!(found, expected, "the restored node holds exactly the backup's revision");
    // Another node joins it and gets the same state.
    let mut joiner = TestNode::new(None, &["--auth", "--join", &node.url()]);
    secured(&mut joiner);
    joiner.spawn();
    joiner.wait_ready();
    joiner.learn_id();
    let joined = joiner.url();
    eventually("the joiner to hold the restored state", 60, || {
        (all_keys(&joined, "w/", &reader, "stale") == expected).then_some(())
    });
    // It takes writes, after the restored revision.
    let r = http()
        .put(node.kv_url("after-restore"))
        .bearer_auth(ROOT)
        .body("x")
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.json::<Value>().unwrap()["revision"].as_u64().unwrap() > revision);
    // The read token is read-only still.
    let denied = http()
        .put(node.kv_url("w/x"))
        .bearer_auth(&reader)
        .body("x")
        .send()
        .unwrap();
    assert_eq!(denied.status(), 403);
    // A restore never writes over a data directory in use.
    let mut again = concord();
    again
        .args(["snapshot", "restore", "--yes", "--data-dir"])
        .arg(&data)
        .arg(&file);
    assert_eq!(code(&run(again)), 2);

    // One flipped byte: refused by inspect and by restore, nothing written.
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    let damaged = work.path().join("damaged.snap");
    std::fs::write(&damaged, &bytes).unwrap();
    let mut inspect = concord();
    inspect.args(["snapshot", "inspect"]).arg(&damaged);
    let out = run(inspect);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("checksum"), "{}", stderr(&out));
    let elsewhere = work.path().join("from-damaged");
    let mut restore = concord();
    restore
        .args(["snapshot", "restore", "--yes", "--data-dir"])
        .arg(&elsewhere)
        .arg(&damaged);
    let out = run(restore);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(!elsewhere.exists(), "a refused restore wrote {}", elsewhere.display());
}
