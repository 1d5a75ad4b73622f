//! The `concord` CLI against a real node: put/get/delete, stdin values,
//! binary values, exit codes, global flags.

use crate::support::{
    cli_json, code, concord, free_port, free_ports, random_bytes, run, run_with_stdin, signal, stderr, TestNode,
};

#[test]
fn put_get_delete_round_trip() {
    let node = TestNode::start();

    let mut put = node.cli();
    put.args(["kv", "put", "greeting", "hello world"]);
    let out = run(put);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let mut get = node.cli();
    get.args(["kv", "get", "greeting"]);
    let out = run(get);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Not a terminal: exactly the value, no newline added.
    assert_eq!(out.stdout, b"hello world");

    let mut del = node.cli();
    del.args(["kv", "delete", "greeting"]);
    let body = cli_json(del);
    assert_eq!(body["deleted"], 1);
    assert!(body["revision"].as_u64().unwrap() > 0);

    let mut get = node.cli();
    get.args(["kv", "get", "greeting"]);
    let out = run(get);
    assert_eq!(code(&out), 3, "a deleted key exits 3");
    assert!(stderr(&out).contains("not found"), "{}", stderr(&out));
    assert!(out.stdout.is_empty());

    let mut del = node.cli();
    del.args(["kv", "delete", "greeting"]);
    assert_eq!(code(&run(del)), 3, "deleting a missing key exits 3");
}

#[test]
fn values_from_stdin_are_byte_exact() {
    let node = TestNode::start();
    let text = b"line one\nline two\n\n".to_vec();

    let mut put = node.cli();
    put.args(["kv", "put", "doc"]);
    let out = run_with_stdin(put, &text);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let mut get = node.cli();
    get.args(["kv", "get", "doc"]);
    assert_eq!(run(get).stdout, text);

    // `-` also means stdin, and a 300 KB random binary value survives.
    let blob = random_bytes(300 * 1024);
    let mut put = node.cli();
    put.args(["kv", "put", "bin/blob", "-"]);
    let out = run_with_stdin(put, &blob);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let mut get = node.cli();
    get.args(["kv", "get", "bin/blob"]);
    let out = run(get);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(out.stdout.len(), blob.len());
    assert!(out.stdout == blob, "binary value changed on the way");

    // An empty value is a value.
    let mut put = node.cli();
    put.args(["kv", "put", "empty"]);
    assert_eq!(code(&run_with_stdin(put, b"")), 0);
    let mut get = node.cli();
    get.args(["kv", "get", "empty"]);
    let out = run(get);
    assert_eq!(code(&out), 0);
    assert!(out.stdout.is_empty());
}

#[test]
fn keys_with_slashes_spaces_and_unicode() {
    let node = TestNode::start();
    for key in [
        "a/b/c",
        "with space",
        "ключ/值",
        "percent%2Fliteral",
        "q?x=1#frag",
        "trailing/",
    ] {
        let mut put = node.cli();
        put.args(["kv", "put", key, key]);
        let out = run(put);
        assert_eq!(code(&out), 0, "put {key:?}: {}", stderr(&out));
        let mut get = node.cli();
        get.args(["kv", "get", key]);
        let out = run(get);
        assert_eq!(code(&out), 0, "get {key:?}: {}", stderr(&out));
        assert_eq!(out.stdout, key.as_bytes(), "key {key:?}");
    }
    // "a/b/c" and "a%2Fb%2Fc" over HTTP name the same key.
    let body = crate::support::http().get(node.kv_url("a%2Fb%2Fc")).send().unwrap();
    assert_eq!(body.text().unwrap(), "a/b/c");
}

#[test]
fn json_output_and_revisions() {
    let node = TestNode::start();
    let put = |value: &str| {
        let mut cmd = node.cli();
        cmd.args(["kv", "put", "counter", value]);
        cli_json(cmd)["revision"].as_u64().expect("revision")
    };
    let r1 = put("1");
    let r2 = put("2");
    assert!(r2 > r1, "revisions grow: {r1} then {r2}");

    let mut get = node.cli();
    get.args(["kv", "get", "counter", "-o", "json"]);
    let out = run(get);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["key"], "counter");
    assert_eq!(v["value"], "2");
    assert_eq!(v["create_revision"], r1);
    assert_eq!(v["mod_revision"], r2);
    assert_eq!(v["version"], 2);
}

#[test]
fn global_flags_go_before_or_after_the_subcommand() {
    let node = TestNode::start();
    let mut put = crate::support::concord();
    put.env_remove("CONCORD_ENDPOINTS")
        .args(["kv", "put", "k", "v", "--endpoints", &node.url(), "--timeout", "3s"]);
    assert_eq!(code(&run(put)), 0);

    let mut get = crate::support::concord();
    get.env("CONCORD_ENDPOINTS", node.url()).args(["kv", "get", "k"]);
    assert_eq!(run(get).stdout, b"v");

    // The first endpoint is down: the CLI fails over to the second.
    let dead = format!("http://127.0.0.1:{}", crate::support::free_port());
    let mut get = crate::support::concord();
    get.env_remove("CONCORD_ENDPOINTS")
        .args(["--endpoints", &format!("{dead},{}", node.url()), "kv", "get", "k"]);
    let out = run(get);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(out.stdout, b"v");
}

#[test]
fn unreachable_cluster_exits_5_and_bad_usage_exits_2() {
    let dead = format!("http://127.0.0.1:{}", crate::support::free_port());
    let mut get = crate::support::concord();
    get.env_remove("CONCORD_ENDPOINTS")
        .args(["--endpoints", &dead, "--timeout", "1s", "kv", "get", "k"]);
    let out = run(get);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(stderr(&out).starts_with("error: "), "{}", stderr(&out));

    let mut bad = crate::support::concord();
    bad.args(["kv", "get"]);
    assert_eq!(code(&run(bad)), 2, "a missing argument is a usage error");

    let mut bad = crate::support::concord();
    bad.args(["kv", "get", "k", "--timeout", "soon"]);
    assert_eq!(code(&run(bad)), 2, "a bad duration is a usage error");
}

#[test]
fn bad_input_is_refused_with_the_servers_message() {
    let node = TestNode::start_with(&["--max-value-size", "1000"]);

    let mut put = node.cli();
    put.args(["kv", "put", "", "v"]);
    let out = run(put);
    // The server refuses it with 400: "other error", exit 1.
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("key must not be empty"), "{}", stderr(&out));

    let long = "k".repeat(4097);
    let mut put = node.cli();
    put.args(["kv", "put", &long, "v"]);
    let out = run(put);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("4096"), "{}", stderr(&out));

    let mut put = node.cli();
    put.args(["kv", "put", "big"]);
    let out = run_with_stdin(put, &vec![b'x'; 1001]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("value_too_large"), "{}", stderr(&out));

    // Exactly at the limit is fine, and nothing was written by the refusals.
    let mut put = node.cli();
    put.args(["kv", "put", "big"]);
    assert_eq!(code(&run_with_stdin(put, &vec![b'x'; 1000])), 0);
    let mut get = node.cli();
    get.args(["kv", "get", "big"]);
    assert_eq!(run(get).stdout.len(), 1000);
}

/// Issue 14: `concord cluster wait` returns once the cluster is there, and
/// exits 5 naming the endpoints when it is not by `--timeout`.
#[test]
fn cluster_wait_returns_once_the_cluster_is_there_and_exits_5_when_it_is_not() {
    let nowhere = format!("http://127.0.0.1:{}", free_port());
    let mut cmd = concord();
    cmd.args(["cluster", "wait", "--endpoints", &nowhere, "--timeout", "1s"]);
    let out = run(cmd);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(stderr(&out).contains(&nowhere), "{}", stderr(&out));

    // The wait starts before the node does, and sees it come up.
    let mut node = TestNode::new(Some(1), &[]);
    let url = node.url();
    let mut wait = concord();
    wait.args(["cluster", "wait", "--ready", "--members", "1", "-o", "json"])
        .args(["--endpoints", &url, "--timeout", "60s"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let waiting = wait.spawn().unwrap();
    node.spawn();
    let out = waiting.wait_with_output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let waited: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(waited["leader_id"], 1, "{waited}");
    assert_eq!(waited["voters"], 1, "{waited}");

    // More voters than the cluster has: 5 once the timeout runs out.
    let mut more = concord();
    more.args([
        "cluster",
        "wait",
        "--members",
        "2",
        "--endpoints",
        &url,
        "--timeout",
        "2s",
    ]);
    let out = run(more);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(stderr(&out).contains("1 of 2 voters"), "{}", stderr(&out));
}

/// Issue 14: `concord cluster local --nodes 3` starts a cluster that
/// `cluster wait --members 3` accepts, and Ctrl-C (SIGINT) stops every node.
#[test]
fn cluster_local_starts_three_nodes_and_ctrl_c_stops_them_all() {
    use std::io::BufRead;
    let base = free_ports(6);
    let mut local = concord();
    local
        .args(["cluster", "local", "--nodes", "3", "--ephemeral", "-o", "json"])
        .args(["--base-port", &base.to_string()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let mut child = local.spawn().unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let nodes: serde_json::Value = serde_json::from_str(&first).unwrap_or_else(|e| panic!("{e}: {first:?}"));
    let nodes = nodes.as_array().unwrap();
    assert_eq!(nodes.len(), 3, "{first}");
    let endpoints: Vec<&str> = nodes.iter().map(|n| n["client_url"].as_str().unwrap()).collect();
    assert_eq!(endpoints[0], format!("http://127.0.0.1:{base}"));
    let pids: Vec<u64> = nodes.iter().map(|n| n["pid"].as_u64().unwrap()).collect();

    let mut wait = concord();
    wait.args(["cluster", "wait", "--members", "3", "--timeout", "60s", "--endpoints"])
        .arg(endpoints.join(","));
    let out = run(wait);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    signal(&child, "INT");
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    for pid in pids {
        assert!(
            !std::path::Path::new(&format!("/proc/{pid}")).exists(),
            "node process {pid} is still there"
        );
    }
}
