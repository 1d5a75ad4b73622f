//! The client against fake nodes (`crate::fake`): what goes on the wire
//! (paths, headers, which URLs get requests and the token), how failures
//! are retried and how long that takes, and what reaches stdout and stderr.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::fake::{code, concord, run, run_with_stdin, stderr, FakeNode, Reply};

/// A fake node that answers every request with 200 and `value`.
fn answering(value: serde_json::Value) -> FakeNode {
    FakeNode::start(move |_| Reply::json(200, value.clone()))
}

#[test]
fn keys_with_dot_segments_are_never_sent() {
    let node = answering(json!({"deleted": 1, "revision": 5}));
    for args in [
        &["kv", "delete", "../cluster/members/3"][..],
        &["kv", "put", "a/../b", "x"],
        &["kv", "put", "a/./b", "x"],
        &["kv", "get", ".."],
        &["kv", "delete", "a/..", "--if-revision", "3"],
    ] {
        let mut cmd = concord(&node.url, "2s");
        cmd.args(args);
        let out = run(cmd);
        assert_eq!(code(&out), 1, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("nothing was sent"), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(node.requests().len(), 0, "{:?}", node.requests());
}

#[test]
fn keys_reach_the_node_byte_for_byte() {
    let node = answering(json!({"revision": 5}));
    for (key, target) in [
        ("a\\b", "/v1/kv/a%5Cb"),
        ("..\\x", "/v1/kv/%2E%2E%5Cx"),
        ("a.b/.c/..d", "/v1/kv/a%2Eb/%2Ec/%2E%2Ed"),
        ("...", "/v1/kv/%2E%2E%2E"),
        ("sp ace/ключ", "/v1/kv/sp%20ace/%D0%BA%D0%BB%D1%8E%D1%87"),
    ] {
        let mut cmd = concord(&node.url, "2s");
        cmd.args(["kv", "put", key, "v"]);
        let out = run(cmd);
        assert_eq!(code(&out), 0, "{key:?}: {}", stderr(&out));
        let sent = node.requests().pop().unwrap();
        assert_eq!((sent.method.as_str(), sent.target.as_str()), ("PUT", target), "{key:?}");
    }
}

#[test]
fn every_post_sends_json_with_its_content_type() {
    let node = FakeNode::start(|r| match r.path() {
        "/v1/cluster/members" => Reply::json(200, json!({"id": 4})),
        "/v1/cluster/transfer-leader" => Reply::json(200, json!({"leader_id": 2})),
        "/v1/txn" => Reply::json(200, json!({"succeeded": true, "revision": 3, "results": []})),
        "/v1/kv/batch" => Reply::json(200, json!({"count": 1})),
        _ => Reply::error(404, "no_route", "no route"),
    });
    let commands: [(&[&str], &[u8]); 5] = [
        (
            &[
                "cluster",
                "add-node",
                "--peer-url",
                "http://127.0.0.1:9",
                "--client-url",
                "http://127.0.0.1:8",
            ],
            b"",
        ),
        (&["cluster", "transfer-leader"], b""),
        (&["cluster", "transfer-leader", "--to", "2"], b""),
        (&["kv", "txn"], br#"{"success":[{"put":{"key":"a","value":"1"}}]}"#),
        (&["kv", "import"], b"{\"key\":\"a\",\"value\":\"1\"}\n"),
    ];
    for (args, stdin) in commands {
        let mut cmd = concord(&node.url, "2s");
        cmd.args(args);
        let out = run_with_stdin(cmd, stdin.to_vec());
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
    }
    let posts: Vec<_> = node.requests().into_iter().filter(|r| r.method == "POST").collect();
    assert_eq!(posts.len(), 5, "{posts:?}");
    for post in posts {
        assert_eq!(post.header("content-type"), Some("application/json"), "{}", post.target);
        serde_json::from_slice::<serde_json::Value>(&post.body)
            .unwrap_or_else(|e| panic!("{}: body is not JSON: {e}", post.target));
    }
}

#[test]
fn not_leader_naming_a_known_endpoint_backs_off_instead_of_spinning() {
    // One node that names itself, and two that name each other.
    let mut a = FakeNode::bind();
    let own = a.url.clone();
    a.serve(move |_| Reply::not_leader(&own));
    let (mut b, mut c) = (FakeNode::bind(), FakeNode::bind());
    let (b_url, c_url) = (b.url.clone(), c.url.clone());
    b.serve(move |_| Reply::not_leader(&c_url));
    c.serve(move |_| Reply::not_leader(&b_url));

    for (endpoints, nodes) in [
        (a.url.clone(), vec![&a]),
        (format!("{},{}", b.url, c.url), vec![&b, &c]),
    ] {
        let started = Instant::now();
        let mut cmd = concord(&endpoints, "1s");
        cmd.args(["kv", "get", "k"]);
        let out = run(cmd);
        let took = started.elapsed();
        // 100 + 200 + 400 ms of pauses fit in 1 s: a handful of requests,
        // not the thousands of a busy loop.
        let sent: usize = nodes.iter().map(|n| n.count("/v1/kv/")).sum();
        assert!((2..=8).contains(&sent), "{sent} requests in 1s");
        assert_eq!(code(&out), 5, "{}", stderr(&out));
        assert!(
            stderr(&out).contains("not_leader"),
            "the last error is reported: {}",
            stderr(&out)
        );
        assert!(took >= Duration::from_millis(900), "gave up early: {took:?}");
        assert!(took < Duration::from_secs(4), "{took:?}");
    }
}

#[test]
fn busy_nodes_send_the_request_to_the_next_endpoint() {
    for busy in ["overloaded", "unavailable", "not_ready", "timeout"] {
        let a = FakeNode::start(move |_| Reply::error(503, busy, "try elsewhere"));
        let b = FakeNode::start(|r| match r.method.as_str() {
            "GET" => Reply::bytes(200, "application/octet-stream", b"v"),
            _ => Reply::json(200, json!({"revision": 7})),
        });
        let endpoints = format!("{},{}", a.url, b.url);

        let mut get = concord(&endpoints, "3s");
        get.args(["kv", "get", "k"]);
        let out = run(get);
        assert_eq!(code(&out), 0, "{busy}: {}", stderr(&out));
        assert_eq!(out.stdout, b"v");

        let mut put = concord(&endpoints, "3s");
        put.args(["kv", "put", "k", "v"]);
        let out = run(put);
        assert_eq!(code(&out), 0, "{busy}: {}", stderr(&out));
        // Both attempts of the write carry the same request id.
        let first = a
            .requests()
            .into_iter()
            .find(|r| r.method == "PUT")
            .expect("tried a first");
        let second = b.requests().into_iter().find(|r| r.method == "PUT").expect("then b");
        let id = first.header("concord-request-id").expect("a request id");
        assert_eq!(second.header("concord-request-id"), Some(id), "{busy}");
        assert_eq!(second.body, b"v");
    }
}

#[test]
fn when_every_endpoint_is_busy_the_last_error_is_reported_at_the_deadline() {
    let a = FakeNode::start(|_| Reply::error(503, "overloaded", "too many requests at once"));
    let b = FakeNode::start(|_| Reply::error(503, "not_ready", "still starting"));
    let started = Instant::now();
    let mut cmd = concord(&format!("{},{}", a.url, b.url), "1s");
    cmd.args(["kv", "get", "k"]);
    let out = run(cmd);
    let took = started.elapsed();
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("still starting (not_ready)") || err.contains("too many requests at once (overloaded)"),
        "{err}"
    );
    assert!(
        took >= Duration::from_millis(900),
        "gave up before the deadline: {took:?}"
    );
    assert!(took < Duration::from_secs(4), "{took:?}");
    // Pauses after each round: a few rounds, not a busy loop.
    let sent = a.count("/v1/kv/") + b.count("/v1/kv/");
    assert!((3..=12).contains(&sent), "{sent} requests in 1s");
}

#[test]
fn a_leader_url_outside_the_cluster_gets_nothing() {
    let evil = FakeNode::start(|_| Reply::json(200, json!({"revision": 1})));
    let mut a = FakeNode::bind();
    let (a_url, evil_url) = (a.url.clone(), evil.url.clone());
    a.serve(move |r| match r.path() {
        "/v1/cluster/members" => Reply::json(
            200,
            json!([{"id": 1, "role": "follower", "client_url": a_url, "peer_url": "http://127.0.0.1:1"}]),
        ),
        _ => Reply::not_leader(&evil_url),
    });
    let mut cmd = concord(&a.url, "1s");
    cmd.env("CONCORD_TOKEN", "s3cret").args(["kv", "put", "k", "v"]);
    let out = run(cmd);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(evil.requests().is_empty(), "an unvetted URL got {:?}", evil.requests());
    let warnings: Vec<_> = stderr(&out)
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .map(str::to_string)
        .collect();
    assert_eq!(warnings.len(), 1, "one warning per URL: {}", stderr(&out));
    assert!(
        warnings[0].contains(&evil.url),
        "the warning names the URL: {}",
        warnings[0]
    );
    assert!(a.count("/v1/kv/") >= 2, "kept trying the configured endpoint");
}

#[test]
fn redirects_are_not_followed() {
    let elsewhere = answering(json!({"revision": 1}));
    let target = format!("{}/v1/kv/k", elsewhere.url);
    let a = FakeNode::start(move |_| Reply::Redirect(target.clone()));
    let mut cmd = concord(&a.url, "2s");
    cmd.env("CONCORD_TOKEN", "s3cret").args(["kv", "put", "k", "v"]);
    let out = run(cmd);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("307"), "{}", stderr(&out));
    assert!(elsewhere.requests().is_empty(), "{:?}", elsewhere.requests());
}

#[test]
fn other_unusable_leader_urls_are_ignored() {
    let target = FakeNode::start(|_| Reply::json(200, json!({"revision": 1})));
    let port = target.url.rsplit(':').next().unwrap().to_string();
    for leader in [
        format!("https://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
        format!("ftp://127.0.0.1:{port}"),
        String::new(),
    ] {
        let mut a = FakeNode::bind();
        let leader2 = leader.clone();
        a.serve(move |r| match r.path() {
            "/v1/cluster/members" => Reply::json(200, json!([])),
            _ => Reply::not_leader(&leader2),
        });
        let mut cmd = concord(&a.url, "500ms");
        cmd.args(["kv", "put", "k", "v"]);
        let out = run(cmd);
        assert_eq!(code(&out), 5, "{leader:?}: {}", stderr(&out));
        if !leader.is_empty() {
            assert!(stderr(&out).contains(&leader), "{leader:?}: {}", stderr(&out));
        }
    }
    assert!(target.requests().is_empty(), "{:?}", target.requests());
}

#[test]
fn a_leader_listed_as_a_member_is_followed_with_the_token() {
    let leader = FakeNode::start(|_| Reply::json(200, json!({"count": 1})));
    let mut a = FakeNode::bind();
    let (a_url, leader_url) = (a.url.clone(), leader.url.clone());
    a.serve(move |r| match r.path() {
        "/v1/cluster/members" => Reply::json(
            200,
            json!([
                {"id": 1, "role": "follower", "client_url": a_url, "peer_url": "http://127.0.0.1:1"},
                {"id": 2, "role": "leader", "client_url": format!("{leader_url}/"), "peer_url": "http://127.0.0.1:2"},
            ]),
        ),
        _ => Reply::not_leader(&leader_url),
    });
    // Two batches: two requests, each following the leader.
    let mut cmd = concord(&a.url, "3s");
    cmd.env("CONCORD_TOKEN", "s3cret")
        .args(["kv", "import", "--batch-size", "1"]);
    let out = run_with_stdin(
        cmd,
        b"{\"key\":\"a\",\"value\":\"1\"}\n{\"key\":\"b\",\"value\":\"2\"}\n".to_vec(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let followed = leader.requests();
    assert_eq!(followed.len(), 2, "{followed:?}");
    let asked: Vec<_> = a
        .requests()
        .into_iter()
        .filter(|r| r.path() == "/v1/kv/batch")
        .collect();
    for (at_a, at_leader) in asked.iter().zip(&followed) {
        assert_eq!(at_leader.header("authorization"), Some("Bearer s3cret"));
        assert_eq!(
            at_leader.header("concord-request-id"),
            at_a.header("concord-request-id"),
            "one id for both attempts"
        );
    }
    assert_eq!(a.count("/v1/cluster/members"), 1, "the member list is fetched once");
}

/// A 200 whose body arrives in `n` pieces, `every` apart.
fn trickle(n: usize, every: Duration) -> Reply {
    Reply::Trickle {
        pieces: (0..n)
            .map(|i| (every, format!("{{\"line\":{i}}}\n").into_bytes()))
            .collect(),
        stall: None,
    }
}

fn trickled_text(n: usize) -> Vec<u8> {
    (0..n)
        .flat_map(|i| format!("{{\"line\":{i}}}\n").into_bytes())
        .collect()
}

#[test]
fn answers_that_keep_coming_outlive_the_timeout() {
    let node = FakeNode::start(|_| trickle(6, Duration::from_millis(300)));
    for args in [&["kv", "export"][..], &["kv", "get", "big"]] {
        let started = Instant::now();
        let mut cmd = concord(&node.url, "1s");
        cmd.args(args);
        let out = run(cmd);
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        assert_eq!(out.stdout, trickled_text(6), "{args:?}");
        assert!(
            started.elapsed() >= Duration::from_millis(1500),
            "{:?}",
            started.elapsed()
        );
    }
}

#[test]
fn an_answer_that_stalls_for_the_timeout_fails_with_5() {
    let node = FakeNode::start(|_| Reply::Trickle {
        pieces: vec![(Duration::ZERO, b"{\"first\":1}\n".to_vec())],
        stall: Some(Duration::from_secs(20)),
    });
    let started = Instant::now();
    let mut cmd = concord(&node.url, "1s");
    cmd.args(["kv", "export"]);
    let out = run(cmd);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(stderr(&out).contains("sent nothing for 1s"), "{}", stderr(&out));
    assert_eq!(out.stdout, b"{\"first\":1}\n", "what came is written");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

#[test]
fn the_timeout_bounds_the_start_of_the_answer() {
    let node = FakeNode::start(|_| Reply::Silence(Duration::from_secs(20)));
    let started = Instant::now();
    let mut cmd = concord(&node.url, "1s");
    cmd.args(["kv", "get", "k"]);
    let out = run(cmd);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

#[test]
fn stdin_over_64_mib_is_refused_before_anything_is_sent() {
    const LIMIT: usize = 64 * 1024 * 1024;
    let node = answering(json!({"revision": 1, "succeeded": true}));
    for args in [&["kv", "put", "big"][..], &["kv", "put", "big", "-"], &["kv", "txn"]] {
        let mut cmd = concord(&node.url, "5s");
        cmd.args(args);
        let out = run_with_stdin(cmd, vec![b' '; LIMIT + 1]);
        assert_eq!(code(&out), 1, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("64 MiB"), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("nothing was sent"), "{args:?}: {}", stderr(&out));
    }
    assert!(node.requests().is_empty(), "sent {} requests", node.requests().len());

    // Exactly the limit is sent, whole.
    let mut cmd = concord(&node.url, "20s");
    cmd.args(["kv", "put", "big"]);
    let out = run_with_stdin(cmd, vec![b'x'; LIMIT]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let sent = node.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].body.len(), LIMIT);
}

#[test]
fn raw_output_writes_a_value_exactly() {
    let value = b"\x1b[31mred\x00\xff\xfe\n\x07";
    let node = FakeNode::start(move |_| Reply::bytes(200, "application/octet-stream", value));
    for format in ["raw", "text"] {
        // Not a terminal: both write the bytes exactly.
        let mut cmd = concord(&node.url, "2s");
        cmd.args(["kv", "get", "k", "-o", format]);
        let out = run(cmd);
        assert_eq!(code(&out), 0, "{format}: {}", stderr(&out));
        assert_eq!(out.stdout, value, "{format}");
    }
    // Other commands print text for `raw`.
    let ok = answering(json!({"revision": 1}));
    let mut cmd = concord(&ok.url, "2s");
    cmd.args(["-o", "raw", "kv", "put", "k", "v"]);
    let out = run(cmd);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(out.stdout, b"OK\n");
}

#[test]
fn list_text_keeps_one_item_per_line() {
    let node = answering(json!({
        "items": [
            {"key": "plain", "value": "v"},
            {"key": "two\nlines", "value": "x\ty\r\n"},
            {"key": "\u{1b}]0;title\u{7}", "value": "\u{1b}[2J"},
            {"key": "c1\u{9b}", "value": "back\\slash\u{7f}"},
        ],
        "more": false,
    }));
    let mut cmd = concord(&node.url, "2s");
    cmd.args(["kv", "list"]);
    let out = run(cmd);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "plain\tv\n\
         two\\nlines\tx\\ty\\r\\n\n\
         \\u{1b}]0;title\\u{7}\t\\u{1b}[2J\n\
         c1\\u{9b}\tback\\\\slash\\u{7f}\n"
    );
    // JSON output is unchanged.
    let mut cmd = concord(&node.url, "2s");
    cmd.args(["kv", "list", "-o", "json"]);
    let out = run(cmd);
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(items[1]["key"], "two\nlines");
}

#[test]
fn list_stops_at_the_limit_when_a_server_sends_more() {
    let node = answering(json!({
        "items": (1..=5).map(|i| json!({"key": format!("k{i}"), "value": "v"})).collect::<Vec<_>>(),
        "more": true,
        "next": "k6",
    }));
    let mut cmd = concord(&node.url, "2s");
    cmd.args(["kv", "list", "--limit", "2"]);
    let out = run(cmd);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(out.stdout, b"k1\tv\nk2\tv\n");
    assert_eq!(node.requests().len(), 1);
    assert!(node.requests()[0].target.contains("limit=2"));
}

#[test]
fn a_non_json_error_body_is_shown_short_and_escaped() {
    let body = format!("<html>\x1b]0;pwned\x07\x1b[2J{}</html>", "x".repeat(5000));
    let node = FakeNode::start(move |_| Reply::bytes(502, "text/html", body.as_bytes()));
    let mut cmd = concord(&node.url, "2s");
    cmd.args(["kv", "get", "k"]);
    let out = run(cmd);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.starts_with("error: HTTP 502"), "{err}");
    assert!(!err.contains('\x1b') && !err.contains('\x07'), "{err:?}");
    assert!(err.contains("\\u{1b}]0;pwned"), "{err}");
    assert!(err.len() < 400, "{} bytes: {err}", err.len());
}
