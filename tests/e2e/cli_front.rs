//! The CLI's side of issue 10 against real nodes: keys that a URL library
//! would rewrite never reach another key or route, POSTs carry their JSON
//! content type, an export streams past `--timeout`, and control characters
//! from the cluster stay escaped in `kv list` while `kv get` and `-o raw`
//! keep values byte-exact for scripts.

use std::collections::BTreeMap;
use std::io::Read;
use std::process::Stdio;
use std::time::Duration;

use crate::support::{code, encode, http, run, stderr, timing_sensitive, TestCluster, TestNode};

#[test]
fn keys_with_dot_segments_or_backslashes_reach_no_other_key_or_route() {
    let cluster = TestCluster::join(3, &[]);
    let before = cluster.member_ids();
    assert_eq!(before.len(), 3);
    let third = cluster.nodes[2].id.unwrap();

    // Percent-encoded or not, `..` would resolve to DELETE
    // /v1/cluster/members/N: the CLI refuses to send it.
    let mut cmd = cluster.cli();
    cmd.args(["kv", "delete", &format!("../cluster/members/{third}")]);
    let out = run(cmd);
    assert_eq!(cluster.member_ids(), before, "membership changed: {}", stderr(&out));
    assert_eq!(code(&out), 1, "{}", stderr(&out));

    let absent = |key: &str| {
        let resp = http().get(cluster.nodes[0].kv_url(&encode(key))).send().unwrap();
        assert_eq!(resp.status(), 404, "{key:?} was written: {:?}", resp.text());
    };
    for (typed, rewritten) in [("a/../b", "b"), ("a/./b", "a/b"), ("front/x/../y", "front/y")] {
        let mut cmd = cluster.cli();
        cmd.args(["kv", "put", typed, "x"]);
        let out = run(cmd);
        absent(rewritten);
        assert_eq!(code(&out), 1, "{typed:?}: {}", stderr(&out));
    }

    // A backslash is sent as %5C, never as `/`; the node refuses the key.
    let mut cmd = cluster.cli();
    cmd.args(["kv", "put", "front\\b", "x"]);
    let out = run(cmd);
    absent("front/b");
    assert_eq!(code(&out), 1, "the node should refuse a backslash: {}", stderr(&out));
    assert!(stderr(&out).contains("invalid_key"), "{}", stderr(&out));

    // Keys that merely hold dots are ordinary keys.
    let mut expected = BTreeMap::new();
    for key in ["front/a.b", "front/...", "front/.hidden"] {
        let mut cmd = cluster.cli();
        cmd.args(["kv", "put", key, "dots"]);
        let out = run(cmd);
        assert_eq!(code(&out), 0, "{key:?}: {}", stderr(&out));
        let mut cmd = cluster.cli();
        cmd.args(["kv", "get", key]);
        assert_eq!(run(cmd).stdout, b"dots", "{key:?}");
        expected.insert(key.to_string(), "dots".to_string());
    }

    // POSTs carry `Content-Type: application/json` (the node answers 415
    // without it).
    let leader = cluster.leader();
    let to = cluster.nodes[(leader + 1) % 3].id.unwrap();
    let mut cmd = cluster.cli();
    cmd.args(["cluster", "transfer-leader", "--to", &to.to_string(), "-o", "json"]);
    let out = run(cmd);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(cluster.nodes[cluster.leader()].id, Some(to));
    let mut cmd = cluster.cli();
    cmd.args(["kv", "txn"]);
    let out = crate::support::run_with_stdin(cmd, br#"{"success":[{"put":{"key":"front/txn","value":"t"}}]}"#);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    expected.insert("front/txn".into(), "t".into());

    assert_eq!(cluster.member_ids(), before);
    cluster.assert_converged(&expected);
}

#[test]
fn an_export_streams_for_longer_than_the_timeout() {
    let _timing = timing_sensitive();
    let node = TestNode::start();
    let value = "v".repeat(64 * 1024);
    let c = http();
    for i in 0..48 {
        let resp = c
            .put(node.kv_url(&format!("bulk/{i:02}")))
            .body(value.clone())
            .send()
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    // A reader that pauses longer than --timeout: the CLI blocks on its
    // full stdout pipe meanwhile, then reads the rest of the answer.
    let mut cmd = node.cli();
    cmd.args(["--timeout", "2s", "kv", "export"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn concord");
    std::thread::sleep(Duration::from_secs(4));
    let mut exported = Vec::new();
    child.stdout.take().unwrap().read_to_end(&mut exported).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = exported
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 48);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["key"], format!("bulk/{i:02}"));
        assert_eq!(line["value"].as_str().map(str::len), Some(value.len()));
    }
}

#[test]
fn control_characters_are_escaped_in_lists_and_exact_in_values() {
    let node = TestNode::start();
    let c = http();
    let items = [
        ("ctl/esc", "\x1b]0;pwned\x07\x1b[2J"),
        ("ctl/lines", "one\ntwo\tcols\r"),
        ("ctl/c1\u{9b}key", "back\\slash"),
    ];
    for (key, value) in items {
        let resp = c.put(node.kv_url(&encode(key))).body(value).send().unwrap();
        assert_eq!(resp.status(), 200, "{key:?}: {:?}", resp.text());
    }

    let mut cmd = node.cli();
    cmd.args(["kv", "list", "--prefix", "ctl/"]);
    let out = run(cmd);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "ctl/c1\\u{9b}key\tback\\\\slash\n\
         ctl/esc\t\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\n\
         ctl/lines\tone\\ntwo\\tcols\\r\n"
    );
    let mut cmd = node.cli();
    cmd.args(["kv", "list", "--prefix", "ctl/", "-o", "json"]);
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&run(cmd).stdout).unwrap();
    assert_eq!(listed[1]["value"], items[0].1, "JSON keeps the value as it is");

    // Not a terminal: `kv get` writes the bytes exactly, as does `-o raw`.
    for format in ["plain", "text", "raw"] {
        for (key, value) in items {
            let mut cmd = node.cli();
            cmd.args(["kv", "get", key, "-o", format]);
            let out = run(cmd);
            assert_eq!(code(&out), 0, "{key:?}: {}", stderr(&out));
            assert_eq!(out.stdout, value.as_bytes(), "{format} {key:?}");
        }
    }
}
