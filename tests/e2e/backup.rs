//! Issue 15, backup and restore: `concord snapshot save` from a 3-node
//! cluster under writes, `inspect`, `restore` into a fresh data directory,
//! and a node started on it holding exactly the state of the backup's
//! revision, with the old tokens working; a damaged file refused.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::support::TEST_ROOT as ROOT;
use crate::support::*;

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
    // answer gives; a write whose answer was lost may or may not be there.
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicUsize::new(0));
    let urls: Vec<String> = cluster.nodes.iter().map(|n| n.url()).collect();
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let (stop, count, url) = (stop.clone(), count.clone(), urls[w].clone());
            std::thread::spawn(move || {
                let c = client(Duration::from_secs(10));
                let (mut acked, mut maybe) = (Vec::new(), Vec::new());
                for i in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let (k, v) = (format!("w/{w}/{i:05}"), format!("v{w}-{i}"));
                    match c
                        .put(format!("{url}/v1/kv/{k}"))
                        .bearer_auth(ROOT)
                        .body(v.clone())
                        .send()
                    {
                        Ok(r) if r.status() == 200 => {
                            let rev = r.json::<Value>().unwrap()["revision"].as_u64().unwrap();
                            acked.push((k, v, rev));
                            count.fetch_add(1, Ordering::Relaxed);
                        }
                        _ => maybe.push(k),
                    }
                }
                (acked, maybe)
            })
        })
        .collect();

    // Saved while they write; an unauthorised save is refused.
    eventually("some acknowledged writes", 30, || {
        (count.load(Ordering::Relaxed) >= 20).then_some(())
    });
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
    // A few more writes after the backup, then stop.
    let at_save = count.load(Ordering::Relaxed);
    eventually("writes after the backup", 30, || {
        (count.load(Ordering::Relaxed) >= at_save + 5).then_some(())
    });
    stop.store(true, Ordering::Relaxed);
    let (mut acked, mut maybe) = (Vec::new(), std::collections::BTreeSet::new());
    for w in writers {
        let (a, m) = w.join().unwrap();
        acked.extend(a);
        maybe.extend(m);
    }
    let revision = saved["revision"].as_u64().unwrap();
    let expected: BTreeMap<String, (String, u64)> = acked
        .iter()
        .filter(|(_, _, rev)| *rev <= revision)
        .map(|(k, v, rev)| (k.clone(), (v.clone(), *rev)))
        .collect();
    assert!(expected.len() >= 20, "only {} writes before the backup", expected.len());
    assert!(
        acked.len() > expected.len(),
        "no write after the backup: the test shows nothing"
    );
    // Exactly the writes at or below the backup's revision (a write whose
    // answer was lost may be among them, at such a revision).
    let holds_exactly = |found: &BTreeMap<String, (String, u64)>| {
        expected.iter().all(|(k, v)| found.get(k) == Some(v))
            && found
                .iter()
                .all(|(k, (_, rev))| expected.contains_key(k) || (maybe.contains(k) && *rev <= revision))
    };
    assert_eq!(saved["checksum_ok"], true, "{saved}");
    let keys = saved["keys"].as_u64().unwrap();
    assert!(
        keys >= expected.len() as u64 && keys <= (expected.len() + maybe.len()) as u64,
        "{saved}"
    );

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

    let found = all_keys(&node.url(), "w/", &reader, "linearizable").expect("the old read token reads");
    assert!(
        holds_exactly(&found),
        "the restored node holds exactly the backup's revision"
    );
    // Another node joins it and gets the same state.
    let mut joiner = TestNode::new(None, &["--auth", "--join", &node.url()]);
    secured(&mut joiner);
    joiner.spawn();
    joiner.wait_ready();
    joiner.learn_id();
    let joined = joiner.url();
    // Read with the root token (never relayed for being unknown) and stale:
    // the joiner's own state.
    eventually("the joiner to hold the restored state", 60, || {
        (all_keys(&joined, "w/", ROOT, "stale")? == found).then_some(())
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
    // A restore never writes into a data directory that is not empty.
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
