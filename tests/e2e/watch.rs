//! Watches (`GET /v1/watch`, `concord kv watch`) against real clusters:
//! order, no gaps, no repeats, across a killed node; TTL expiries;
//! compacted history; a watcher that never reads; `--exec`; Ctrl-C.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::*;

/// One SSE event: (event name, data as JSON, id).
type Sse = (String, serde_json::Value, Option<u64>);

/// Reads SSE events from `url` on a thread of its own, sending each as it
/// completes; the thread stops when the stream ends or the receiver goes.
fn sse(url: String, token: Option<String>) -> mpsc::Receiver<Sse> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut req = http_with_timeout(Duration::from_secs(600)).get(url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().expect("watch request");
        assert_eq!(resp.status(), 200, "watch answered {}", resp.status());
        let (mut event, mut data, mut id) = (String::new(), String::new(), None);
        for line in BufReader::new(resp).lines() {
            let Ok(line) = line else { return };
            if line.is_empty() {
                let value = serde_json::from_str(&data).expect("SSE data is JSON");
                if tx.send((std::mem::take(&mut event), value, id.take())).is_err() {
                    return;
                }
                data.clear();
            } else if let Some(v) = line.strip_prefix("event: ") {
                event = v.to_string();
            } else if let Some(v) = line.strip_prefix("data: ") {
                data = v.to_string();
            } else if let Some(v) = line.strip_prefix("id: ") {
                id = v.parse().ok();
            }
        }
    });
    rx
}

/// The `put`/`delete` events of `rx` until `n` have come (failing after
/// `secs`), skipping progress events.
fn changes(rx: &mpsc::Receiver<Sse>, n: usize, secs: u64) -> Vec<Sse> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut out = Vec::new();
    while out.len() < n {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(ev) if ev.0 == "put" || ev.0 == "delete" => out.push(ev),
            Ok(_) => {}
            Err(_) => panic!("{} of {n} events after {secs}s: {:?}", out.len(), out.last()),
        }
    }
    out
}

/// PUT `key` = `value` on `node`; the revision it was given.
fn put(node: &TestNode, key: &str, value: &str) -> u64 {
    let resp = node
        .authed(http().put(node.kv_url(&encode(key))))
        .body(value.to_string())
        .send()
        .expect("put");
    assert_eq!(resp.status(), 200, "put {key}");
    resp.json::<serde_json::Value>().unwrap()["revision"].as_u64().unwrap()
}

/// Puts `w/{i:04}` = `v{i}` for `i` in `from..to` on `node`, four writers
/// at a time; each write with its revision.
fn write_keys(node: &TestNode, from: usize, to: usize) -> Vec<(String, String, u64)> {
    write_each(node, from..to, |i| (format!("w/{i:04}"), format!("v{i}")))
}

/// Puts what `kv(i)` says for every `i` in `range` on `node`, four writers
/// at a time; each write with its revision.
fn write_each(
    node: &TestNode,
    range: std::ops::Range<usize>,
    kv: impl Fn(usize) -> (String, String) + Sync,
) -> Vec<(String, String, u64)> {
    std::thread::scope(|s| {
        let writers: Vec<_> = (0..4)
            .map(|t| {
                let (range, kv) = (range.clone(), &kv);
                s.spawn(move || {
                    (range.start + t..range.end)
                        .step_by(4)
                        .map(|i| {
                            let (key, value) = kv(i);
                            let revision = put(node, &key, &value);
                            (key, value, revision)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        writers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    })
}

/// The lines a child writes to stdout, as they come.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let out = child.stdout.take().expect("stdout piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// Issue 16's first guarantee, end to end: 1,000 writes under a prefix
/// reach `concord kv watch` in order, none missing, none repeated, though
/// the node it watched through is killed halfway and it resumes through
/// another; watches on the other members (a follower among them) see the
/// same sequence; Ctrl-C ends the CLI with exit 0.
#[test]
fn a_thousand_writes_reach_a_watcher_in_order_though_its_node_is_killed() {
    let mut cluster = TestCluster::join(3, &[]);
    let leader = cluster.leader();
    let watched = (leader + 1) % 3;
    let other = (leader + 2) % 3;
    let start = put(&cluster.nodes[leader], "before", "x");
    // The watched follower first: the CLI resumes through the others.
    let endpoints = [watched, leader, other]
        .iter()
        .map(|&i| cluster.nodes[i].url())
        .collect::<Vec<_>>()
        .join(",");
    let mut watcher = concord()
        .args([
            "kv",
            "watch",
            "--prefix",
            "w/",
            "--rev",
            &start.to_string(),
            "-o",
            "json",
        ])
        .args(["--endpoints", &endpoints, "--timeout", "3s"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kv watch");
    let lines = lines_of(&mut watcher);
    let on_leader = sse(
        format!(
            "{}/v1/watch?prefix=w/&start_revision={start}",
            cluster.nodes[leader].url()
        ),
        None,
    );
    let on_follower = sse(
        format!(
            "{}/v1/watch?prefix=w/&start_revision={start}",
            cluster.nodes[other].url()
        ),
        None,
    );

    // The order to expect is the revisions'.
    let mut written = write_keys(&cluster.nodes[leader], 0, 500);
    // The watcher has shown some of the first half: its node dies with the
    // stream open, and writes go on.
    let mut seen = Vec::new();
    while seen.len() < 100 {
        seen.push(
            lines
                .recv_timeout(Duration::from_secs(30))
                .expect("the watcher shows events"),
        );
    }
    cluster.nodes[watched].kill9();
    written.extend(write_keys(&cluster.nodes[leader], 500, 1000));
    written.sort_by_key(|w| w.2);
    let deadline = Instant::now() + Duration::from_secs(60);
    while seen.len() < 1000 {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => seen.push(line),
            Err(_) => panic!("the watcher showed {} of 1000 events", seen.len()),
        }
    }
    // Nothing more (no repeats) arrives meanwhile.
    assert!(
        lines.recv_timeout(Duration::from_secs(1)).is_err(),
        "more than 1000 events"
    );
    let shown: Vec<(String, String, u64)> = seen
        .iter()
        .map(|line| {
            let ev: serde_json::Value = serde_json::from_str(line).expect("one JSON object per line");
            assert_eq!(ev["type"], "put", "{line}");
            let field = |f: &str| ev[f].as_str().unwrap().to_string();
            (field("key"), field("value"), ev["revision"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(shown, written, "every write, once, in revision order");

    for (rx, name) in [(&on_leader, "leader"), (&on_follower, "follower")] {
        let events = changes(rx, 1000, 60);
        let got: Vec<(String, String, u64)> = events
            .iter()
            .map(|(_, d, _)| {
                let field = |f: &str| d[f].as_str().unwrap().to_string();
                (field("key"), field("value"), d["revision"].as_u64().unwrap())
            })
            .collect();
        assert_eq!(got, written, "the {name}'s watch");
        assert!(
            events.iter().all(|(_, d, id)| *id == d["revision"].as_u64()),
            "single-key revisions carry their id"
        );
    }

    signal(&watcher, "INT");
    let status = watcher.wait().expect("wait kv watch");
    let mut err = String::new();
    watcher.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert_eq!(status.code(), Some(0), "Ctrl-C ends the watch cleanly: {err}");
    assert!(err.contains("resuming after revision"), "the watcher resumed: {err}");
}

/// TTL expiry is a `delete` event marked `expired`, like a client's delete
/// but for the mark; `prev_kv=true` carries what was there; `--exec` runs
/// a command per event with the event in its environment.
#[test]
fn expiries_and_deletes_are_events_and_exec_runs_per_event() {
    let _timing = timing_sensitive();
    let node = TestNode::start();
    let start = put(&node, "t/zero", "0");
    let rx = sse(
        format!("{}/v1/watch?prefix=t/&start_revision={start}&prev_kv=true", node.url()),
        None,
    );
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("events");
    let mut exec = node.cli();
    exec.args([
        "kv",
        "watch",
        "--prefix",
        "t/",
        "--rev",
        &start.to_string(),
        "--exec",
        "--",
    ])
    .args([
        "sh",
        "-c",
        &format!(
            "echo \"$CONCORD_WATCH_TYPE $CONCORD_WATCH_KEY $CONCORD_WATCH_VALUE $CONCORD_WATCH_REVISION \
                 $CONCORD_WATCH_EXPIRED\" >> {}",
            log.display()
        ),
    ])
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut exec = exec.spawn().expect("spawn kv watch --exec");

    let c = http();
    let short = c
        .put(format!("{}?ttl=1s", node.kv_url("t/short")))
        .body("brief")
        .send()
        .unwrap();
    let short_rev = short.json::<serde_json::Value>().unwrap()["revision"].as_u64().unwrap();
    let kept = put(&node, "t/kept", "k");
    let deleted = c.delete(node.kv_url("t/kept")).send().unwrap();
    assert_eq!(deleted.status(), 200);

    let events = changes(&rx, 4, 30);
    let kinds: Vec<(&str, &str, bool)> = events
        .iter()
        .map(|(e, d, _)| (e.as_str(), d["key"].as_str().unwrap(), d["expired"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("put", "t/short", false),
            ("put", "t/kept", false),
            ("delete", "t/kept", false),
            ("delete", "t/short", true),
        ]
    );
    assert_eq!(events[0].1["revision"].as_u64(), Some(short_rev));
    assert_eq!(events[1].1["revision"].as_u64(), Some(kept));
    assert_eq!(events[2].1["prev_kv"]["value"], "k", "a delete carries what it deleted");
    assert_eq!(
        events[3].1["prev_kv"]["value"], "brief",
        "an expiry carries what expired"
    );
    assert!(events[3].1["value"].is_null());

    let lines = eventually("--exec to run four times", 30, || {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        (lines.len() >= 4).then_some(lines)
    });
    assert_eq!(lines[0], format!("put t/short brief {short_rev} false"));
    assert_eq!(lines[1], format!("put t/kept k {kept} false"));
    assert!(
        lines[2].starts_with("delete t/kept  ") && lines[2].ends_with(" false"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].starts_with("delete t/short  ") && lines[3].ends_with(" true"),
        "{}",
        lines[3]
    );
    signal(&exec, "INT");
    assert_eq!(exec.wait().unwrap().code(), Some(0));
    let mut out = String::new();
    exec.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    assert!(out.is_empty(), "--exec prints no events itself: {out}");
}

/// A resume from revisions the history no longer holds is 410 `compacted`
/// with the oldest revision to start from, and the CLI exits 3; the history
/// that is kept survives a `kill -9` restart.
#[test]
fn a_resume_from_a_compacted_revision_is_refused_and_the_rest_survives_a_restart() {
    let mut node = TestNode::start_with(&["--watch-history", "10"]);
    let mut last = 0;
    for i in 0..30 {
        last = put(&node, &format!("c/{i:02}"), "v");
    }
    let resp = http()
        .get(format!("{}/v1/watch?prefix=c/&start_revision=1", node.url()))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 410);
    let body: serde_json::Value = resp.json().unwrap();
    assert_eq!(body["error"]["code"], "compacted");
    let oldest = body["error"]["oldest_revision"].as_u64().expect("oldest_revision");
    assert!(oldest > 1 && oldest <= last, "oldest {oldest}, last {last}");

    let out = run({
        let mut c = node.cli();
        c.args(["kv", "watch", "--prefix", "c/", "--rev", "1"]);
        c
    });
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("oldest start_revision possible is"),
        "{}",
        stderr(&out)
    );

    node.kill9();
    node.spawn();
    node.wait_ready();
    let rx = sse(
        format!("{}/v1/watch?prefix=c/&start_revision={}", node.url(), last - 5),
        None,
    );
    let events = changes(&rx, 5, 30);
    let revisions: Vec<u64> = events.iter().map(|(_, d, _)| d["revision"].as_u64().unwrap()).collect();
    assert_eq!(
        revisions,
        (last - 4..=last).collect::<Vec<_>>(),
        "the kept history after a restart"
    );
}

/// Pruning drops whole tables of the history while writes go on (no
/// tombstones): after a `kill -9` and a power cut (lazyfs drops every
/// unsynced byte; without FUSE, `kill -9` alone), the kept history from its
/// oldest revision holds every acknowledged write after it, once, in
/// order.
#[test]
fn a_pruned_history_has_no_gap_across_kills_and_power_cuts() {
    use rand::Rng;
    let mut disk = crate::lazyfs::fuse_available().then(crate::lazyfs::LazyDisk::mount);
    let mut node = TestNode::new(Some(1), &["--watch-history", "300"]);
    if let Some(disk) = &disk {
        node.data_dir = disk.mount.join("data");
    }
    node.spawn();
    node.wait_ready();
    // Random 4 KiB values over 100 keys: each event holds a value and the
    // one before it, so the history's memtable fills and is flushed to
    // tables again and again; 2,200 writes pass the state machine's
    // background sync (every 2,048 entries), which drops the tables that
    // hold only pruned events.
    let mut rng = rand::thread_rng();
    let values: Vec<String> = (0..64)
        .map(|_| {
            (0..4096)
                .map(|_| rng.sample(rand::distributions::Alphanumeric) as char)
                .collect()
        })
        .collect();
    let mut acked: Vec<u64> = write_each(&node, 0..2200, |i| {
        (format!("p/{:03}", i % 100), values[i % 64].clone())
    })
    .into_iter()
    .map(|(_, _, revision)| revision)
    .collect();
    acked.push(put(&node, "p/mark", "m"));
    // The drop is logged once it is done.
    eventually("a drop of pruned history tables", 30, || {
        node.log().contains("dropped pruned watch history tables").then_some(())
    });
    node.kill9();
    if let Some(disk) = &mut disk {
        eprintln!("{}", disk.power_cut());
    }
    node.spawn();
    node.wait_ready();

    let resp = http()
        .get(format!("{}/v1/watch?prefix=p/&start_revision=1", node.url()))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 410, "the history was pruned");
    let body: serde_json::Value = resp.json().unwrap();
    let oldest = body["error"]["oldest_revision"].as_u64().expect("oldest_revision");
    acked.sort_unstable();
    let expected: Vec<u64> = acked.iter().copied().filter(|r| *r > oldest).collect();
    assert!(expected.len() >= 250, "{} kept", expected.len());
    let rx = sse(
        format!("{}/v1/watch?prefix=p/&start_revision={oldest}", node.url()),
        None,
    );
    let seen: Vec<u64> = changes(&rx, expected.len(), 60)
        .iter()
        .map(|(_, d, _)| d["revision"].as_u64().unwrap())
        .collect();
    assert_eq!(seen, expected, "the kept history after a restart");
}

/// A watcher that never reads: writes go on at the same pace (within a
/// wide margin), the node's memory stays bounded, and the stream is ended
/// with a `lagged` event once the watcher's queue stays full.
#[test]
fn a_watcher_that_never_reads_neither_slows_writes_nor_holds_memory() {
    let _timing = timing_sensitive();
    // Connections that move no bytes are cut after --client-read-timeout:
    // long here, so that it is the watch that ends the stream.
    let node = TestNode::start_with(&["--client-read-timeout", "5m"]);
    let value = "x".repeat(16 * 1024);
    let writes = |from: usize, n: usize| -> f64 {
        let started = Instant::now();
        std::thread::scope(|s| {
            for t in 0..4 {
                let (node, value) = (&node, &value);
                s.spawn(move || {
                    for i in (from + t..from + n).step_by(4) {
                        put(node, &format!("s/{i:06}"), value);
                    }
                });
            }
        });
        n as f64 / started.elapsed().as_secs_f64()
    };
    let before = writes(0, 400);
    let rss_before = rss_kib(node.pid().unwrap());

    let start = put(&node, "s/start", "x");
    let mut stalled = std::net::TcpStream::connect(("127.0.0.1", node.client_port)).unwrap();
    write!(
        stalled,
        "GET /v1/watch?prefix=s/&start_revision={start} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    )
    .unwrap();
    // 800 events of 16 KiB (13 MB): more than the socket buffers and the
    // watcher's queue hold.
    let with = writes(1000, 800);
    let rss_after = rss_kib(node.pid().unwrap());
    assert!(
        with > before * 0.5,
        "writes with a stalled watcher: {with:.0}/s against {before:.0}/s without"
    );
    assert!(
        rss_after < rss_before + 200 * 1024,
        "resident memory grew from {rss_before} KiB to {rss_after} KiB"
    );
    // The queue stays full for 10 s, then the node ends the stream: what
    // the watcher finally reads ends with `lagged`.
    std::thread::sleep(Duration::from_secs(12));
    stalled.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut seen = Vec::new();
    let mut buf = vec![0u8; 1 << 20];
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        match stalled.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
        if seen.windows(13).any(|w| w == b"event: lagged") {
            break;
        }
    }
    assert!(
        seen.windows(13).any(|w| w == b"event: lagged"),
        "the stalled stream ends with lagged ({} bytes read)",
        seen.len()
    );
    // And the node still serves other watchers and writes.
    let rx = sse(format!("{}/v1/watch?key=s/late", node.url()), None);
    std::thread::sleep(Duration::from_millis(500));
    let late = put(&node, "s/late", "y");
    assert_eq!(changes(&rx, 1, 30)[0].1["revision"].as_u64(), Some(late));
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmRSS")
}

/// A watch needs `read` on its whole key or prefix, and a token revoked
/// while its watch runs ends the stream with `unauthorized` (the CLI exits
/// 4).
#[test]
fn a_watch_is_authorised_like_a_read_and_ends_when_its_token_is_revoked() {
    let mut node = TestNode::new(Some(1), &["--auth"]);
    secured(&mut node);
    node.spawn();
    node.wait_ready();
    let created = cli_json({
        let mut c = node.cli();
        c.args(["token", "create", "--permissions", "read", "--prefix", "app/"]);
        c
    });
    let (id, token) = (
        created["id"].as_str().unwrap().to_string(),
        created["token"].as_str().unwrap().to_string(),
    );
    let status = |query: &str, token: Option<&str>| {
        let mut req = http().get(format!("{}/v1/watch?{query}", node.url()));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().unwrap().status().as_u16()
    };
    assert_eq!(status("prefix=app/", None), 401);
    assert_eq!(status("prefix=", Some(&token)), 403, "a prefix wider than the token's");
    assert_eq!(status("key=other", Some(&token)), 403);
    assert_eq!(status("key=app/x", Some(&token)), 200);

    let rx = sse(format!("{}/v1/watch?prefix=app/", node.url()), Some(token.clone()));
    let mut cli = node.cli();
    cli.env("CONCORD_TOKEN", &token)
        .args(["kv", "watch", "--prefix", "app/"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let cli = cli.spawn().expect("spawn kv watch");
    // Both are watching once the stream has started.
    let first = rx.recv_timeout(Duration::from_secs(10)).expect("the stream starts");
    assert_eq!(first.0, "progress");
    std::thread::sleep(Duration::from_secs(1));
    let revoke = run({
        let mut c = node.cli();
        c.args(["token", "revoke", &id, "--yes"]);
        c
    });
    assert_eq!(code(&revoke), 0, "{}", stderr(&revoke));
    let end = eventually("the watch to end with unauthorized", 20, || {
        rx.recv_timeout(Duration::from_millis(100))
            .ok()
            .filter(|e| e.0 != "progress")
    });
    assert_eq!(end.0, "unauthorized", "{end:?}");
    let out = cli.wait_with_output().unwrap();
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(stderr(&out).contains("revoked"), "{}", stderr(&out));
}
