//! Issue 15, operations: `/metrics` in the Prometheus text format with
//! counters that move, `--log-format json`, and the verbose probes.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use crate::support::*;

/// One sample line of the text format: the name, its labels as written,
/// and the value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: String,
    value: f64,
}

/// Parses a Prometheus/OpenMetrics text exposition strictly enough to
/// reject anything a scraper would: every line a comment (`# HELP`,
/// `# TYPE`, `# UNIT`, `# EOF` last) or `name{labels} value` with a valid
/// metric name, balanced labels and a number. Returns the samples and the
/// declared families with their types.
fn parse_exposition(text: &str) -> (Vec<Sample>, BTreeMap<String, String>) {
    let valid_name = |n: &str| {
        !n.is_empty()
            && n.chars()
                .enumerate()
                .all(|(i, c)| c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit()))
    };
    let mut samples = Vec::new();
    let mut types = BTreeMap::new();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.last(), Some(&"# EOF"), "the exposition ends with # EOF");
    for line in &lines[..lines.len() - 1] {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or_else(|| panic!("bad TYPE line {line:?}"));
            assert!(valid_name(name), "bad family name in {line:?}");
            assert!(
                [
                    "counter",
                    "gauge",
                    "histogram",
                    "summary",
                    "info",
                    "stateset",
                    "unknown"
                ]
                .contains(&kind),
                "bad type in {line:?}"
            );
            types.insert(name.to_string(), kind.to_string());
            continue;
        }
        if line.starts_with("# HELP ") || line.starts_with("# UNIT ") {
            continue;
        }
        assert!(!line.starts_with('#'), "unexpected comment {line:?}");
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value in {line:?}"));
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("bad value in {line:?}"));
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => {
                let labels = rest
                    .strip_suffix('}')
                    .unwrap_or_else(|| panic!("unclosed labels in {line:?}"));
                assert!(labels.matches('"').count() % 2 == 0, "unbalanced quotes in {line:?}");
                (name, labels)
            }
            None => (series, ""),
        };
        assert!(valid_name(name), "bad metric name in {line:?}");
        samples.push(Sample {
            name: name.to_string(),
            labels: labels.to_string(),
            value,
        });
    }
    (samples, types)
}

fn scrape(node: &TestNode) -> (Vec<Sample>, BTreeMap<String, String>) {
    let resp = http()
        .get(format!("{}/metrics", node.url()))
        .send()
        .expect("GET /metrics");
    assert_eq!(resp.status(), 200);
    let text = resp.text().unwrap();
    parse_exposition(&text)
}

/// The value of the sample named `name` whose labels contain `labels`.
fn value(samples: &[Sample], name: &str, labels: &str) -> Option<f64> {
    samples
        .iter()
        .find(|s| s.name == name && s.labels.contains(labels))
        .map(|s| s.value)
}

#[test]
fn metrics_parse_as_prometheus_text_and_move_as_requests_are_served() {
    let node = TestNode::start();
    let (before, types) = scrape(&node);
    for (family, kind) in [
        ("concord_requests", "counter"),
        ("concord_request_duration_seconds", "histogram"),
        ("concord_raft_term", "gauge"),
        ("concord_raft_commit_index", "gauge"),
        ("concord_raft_applied_index", "gauge"),
        ("concord_raft_is_leader", "gauge"),
        ("concord_raft_leader_changes", "counter"),
        ("concord_keys", "gauge"),
        ("concord_db_size_bytes", "gauge"),
        ("concord_fsync_duration_seconds", "histogram"),
        ("concord_snapshot_duration_seconds", "histogram"),
        ("concord_ttl_expired", "counter"),
        ("concord_auth_failures", "counter"),
        ("process_cpu_seconds", "counter"),
        ("process_resident_memory_bytes", "gauge"),
        ("process_open_fds", "gauge"),
    ] {
        assert_eq!(types.get(family).map(String::as_str), Some(kind), "family {family}");
    }
    assert_eq!(value(&before, "concord_raft_is_leader", ""), Some(1.0));
    assert!(value(&before, "concord_raft_term", "").unwrap() >= 1.0);
    // Counted by a watcher task, which may see the election a moment later.
    eventually("the election to be counted", 10, || {
        let (now, _) = scrape(&node);
        (value(&now, "concord_raft_leader_changes_total", "")? >= 1.0).then_some(())
    });
    assert!(value(&before, "process_resident_memory_bytes", "").unwrap() > 1e6);
    assert!(value(&before, "concord_db_size_bytes", "").unwrap() > 0.0);

    let c = http();
    for i in 0..5 {
        let r = c.put(node.kv_url(&format!("m/{i}"))).body("v").send().unwrap();
        assert_eq!(r.status(), 200);
    }
    for _ in 0..3 {
        assert_eq!(c.get(node.kv_url("m/0")).send().unwrap().status(), 200);
    }
    assert_eq!(c.get(node.kv_url("m/none")).send().unwrap().status(), 404);

    // The key count is refreshed in the background every few seconds.
    let after = eventually("concord_keys to count the five keys", 30, || {
        let (after, _) = scrape(&node);
        (value(&after, "concord_keys", "") == Some(5.0)).then_some(after)
    });
    let puts = r#"op="PUT /v1/kv/{*key}",code="200""#;
    let gets = r#"op="GET /v1/kv/{*key}",code="200""#;
    let missing = r#"op="GET /v1/kv/{*key}",code="404""#;
    assert_eq!(value(&after, "concord_requests_total", puts), Some(5.0));
    assert_eq!(value(&after, "concord_requests_total", gets), Some(3.0));
    assert_eq!(value(&after, "concord_requests_total", missing), Some(1.0));
    let count = |s: &[Sample], name: &str| value(s, name, "").unwrap_or(0.0);
    assert!(
        count(&after, "concord_fsync_duration_seconds_count")
            >= count(&before, "concord_fsync_duration_seconds_count") + 1.0,
        "the writes were fsynced"
    );
    assert!(
        value(
            &after,
            "concord_request_duration_seconds_count",
            r#"op="PUT /v1/kv/{*key}""#
        ) == Some(5.0),
        "five put latencies"
    );
    assert!(count(&after, "concord_raft_applied_index") >= count(&before, "concord_raft_applied_index") + 5.0);
    assert!(count(&after, "concord_raft_commit_index") >= count(&after, "concord_raft_applied_index"));
}

#[test]
fn ttl_expiry_and_failed_authentication_are_counted() {
    let mut node = TestNode::new(Some(1), &["--auth"]);
    secured(&mut node);
    node.spawn();
    node.wait_ready();

    // /metrics needs no token, like the probes.
    let (before, _) = scrape(&node);
    assert_eq!(value(&before, "concord_auth_failures_total", ""), Some(0.0));

    let c = http();
    for token in [None, Some("concord_not-a-real-token")] {
        let mut req = c.get(node.kv_url("k"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        assert_eq!(req.send().unwrap().status(), 401);
    }
    let r = node
        .authed(c.put(format!("{}?ttl=1s", node.kv_url("short"))).body("v"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().unwrap_or_default());

    let after = eventually("the TTL sweep to count the expired key", 60, || {
        let (after, _) = scrape(&node);
        (value(&after, "concord_ttl_expired_total", "") == Some(1.0)).then_some(after)
    });
    assert_eq!(value(&after, "concord_auth_failures_total", ""), Some(2.0));
    assert_eq!(
        value(&after, "concord_requests_total", r#"op="GET /v1/kv/{*key}",code="401""#),
        Some(2.0)
    );
    let log = node.log();
    assert!(log.contains("authentication failed"), "{log}");
    assert!(!log.contains("not-a-real-token"), "a token in the log:\n{log}");
    assert!(log.contains("TTL sweep deleted expired keys"), "{log}");
}

#[test]
fn log_format_json_writes_only_json_lines() {
    let mut node = TestNode::new(Some(1), &["--log-format", "json", "--log-level", "debug,openraft=info"]);
    node.spawn();
    node.wait_ready();
    let c = http();
    assert_eq!(c.put(node.kv_url("k")).body("v").send().unwrap().status(), 200);
    assert_eq!(c.get(node.kv_url("k")).send().unwrap().status(), 200);
    node.terminate();
    let log = node.log();
    let lines: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(lines.len() > 5, "too few log lines:\n{log}");
    for line in &lines {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(v["level"].is_string() && v["timestamp"].is_string(), "{line}");
        assert!(v["message"].is_string(), "no message in {line}");
    }
    assert!(
        lines
            .iter()
            .any(|l| l.contains("\"message\":\"serving\"") && l.contains("\"id\":1")),
        "the serving event with its fields:\n{log}"
    );
    assert!(log.contains("leader elected"), "{log}");
}

#[test]
fn the_probes_explain_themselves_with_verbose() {
    let node = TestNode::start();
    let c = http();
    let health: Value = c
        .get(format!("{}/health?verbose=true", node.url()))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(health["status"], "ok", "{health}");
    assert_eq!(health["id"], 1, "{health}");
    let plain: Value = c.get(format!("{}/health", node.url())).send().unwrap().json().unwrap();
    assert_eq!(
        plain,
        serde_json::json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")})
    );

    let resp = c.get(format!("{}/ready?verbose=true", node.url())).send().unwrap();
    assert_eq!(resp.status(), 200);
    let ready: Value = resp.json().unwrap();
    assert_eq!(ready["status"], "ready", "{ready}");
    assert_eq!(ready["role"], "leader", "{ready}");
    let names: Vec<&str> = ready["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["recovered", "auth", "leader_known", "caught_up"], "{ready}");
    assert!(
        ready["checks"].as_array().unwrap().iter().all(|c| c["ok"] == true),
        "{ready}"
    );

    let bad = c.get(format!("{}/ready?verbose=maybe", node.url())).send().unwrap();
    assert_eq!(bad.status(), 400);
}

/// A member whose peers are gone: `/ready` says why, plainly and verbosely.
#[test]
fn a_member_without_a_leader_is_not_ready_and_says_why() {
    let mut cluster = TestCluster::initial(3, &[]);
    let survivor = (cluster.leader() + 1) % 3;
    for (i, node) in cluster.nodes.iter_mut().enumerate() {
        if i != survivor {
            node.kill9();
        }
    }
    let node = &cluster.nodes[survivor];
    let c = client(Duration::from_secs(5));
    let report: Value = eventually("the survivor to lose its leader", 60, || {
        let r = c.get(format!("{}/ready?verbose=true", node.url())).send().ok()?;
        (r.status() == 503).then(|| r.json().ok()).flatten()
    });
    assert_eq!(report["status"], "not_ready", "{report}");
    assert_eq!(report["error"]["code"], "not_ready", "{report}");
    let leader = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "leader_known")
        .cloned()
        .unwrap();
    assert_eq!(leader["ok"], false, "{report}");
    let plain = c.get(format!("{}/ready", node.url())).send().unwrap();
    assert_eq!(plain.status(), 503);
    let body: Value = plain.json().unwrap();
    assert_eq!(body["error"]["code"], "not_ready", "{body}");
}

/// The Grafana dashboard and the alert rules under `deploy/` use only
/// metrics a node serves (a renamed metric would leave them silently
/// empty).
#[test]
fn the_monitoring_assets_use_only_metrics_the_node_serves() {
    let node = TestNode::start();
    let (_, families) = scrape(&node);
    let deploy = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy");
    let dashboard = std::fs::read_to_string(deploy.join("grafana-dashboard.json")).unwrap();
    let parsed: Value = serde_json::from_str(&dashboard).expect("the dashboard is JSON");
    assert!(
        parsed["panels"].as_array().is_some_and(|p| p.len() >= 10),
        "dashboard panels"
    );
    let alerts = std::fs::read_to_string(deploy.join("prometheus-alerts.yml")).unwrap();
    let mut used = 0;
    for text in [&dashboard, &alerts] {
        let mut rest = text.as_str();
        while let Some(at) = rest.find(|c: char| c.is_ascii_alphabetic()) {
            rest = &rest[at..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let word = &rest[..end];
            rest = &rest[end..];
            if !(word.starts_with("concord_") || word.starts_with("process_")) {
                continue;
            }
            // A sample name: the family, or a suffix its type allows.
            let served = families.get(word).is_some_and(|t| t != "counter" && t != "histogram")
                || word
                    .strip_suffix("_total")
                    .is_some_and(|f| families.get(f).is_some_and(|t| t == "counter"))
                || ["_bucket", "_count", "_sum"].iter().any(|s| {
                    word.strip_suffix(s)
                        .is_some_and(|f| families.get(f).is_some_and(|t| t == "histogram"))
                });
            assert!(served, "{word} is not a sample the node serves; families: {families:?}");
            used += 1;
        }
    }
    assert!(used >= 15, "only {used} metric references found");
}

/// `concord bench` against a real three-node cluster: every workload
/// answers with sane numbers and no error.
#[test]
fn bench_reports_sane_numbers_with_zero_errors_against_three_nodes() {
    let cluster = TestCluster::initial(3, &[]);
    let _load = exclusive();
    let bench = |args: &[&str]| -> Value {
        let mut cmd = cluster.cli();
        cmd.arg("bench").args(args).args(["--output", "json"]);
        let out = run(cmd);
        assert_eq!(code(&out), 0, "bench {args:?}: {}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("bench {args:?}: {e}"))
    };
    let r = bench(&["--duration", "3s", "--connections", "16"]);
    let f = |k: &str| r[k].as_f64().unwrap_or_else(|| panic!("{k} missing from {r}"));
    assert_eq!(r["errors"], 0, "{r}");
    assert_eq!(r["workload"], "put", "{r}");
    assert!(f("requests") >= 50.0, "{r}");
    assert!((3.0..10.0).contains(&f("duration_s")), "{r}");
    let rate = f("requests") / f("duration_s");
    assert!(
        (f("ops_per_sec") - rate).abs() <= rate * 0.01,
        "ops_per_sec is requests over time: {r}"
    );
    let quantiles = ["p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms"].map(f);
    assert!(quantiles[0] > 0.0, "{r}");
    assert!(quantiles.windows(2).all(|w| w[0] <= w[1]), "quantiles in order: {r}");
    assert!(quantiles[4] < 15_000.0, "{r}");
    // The puts landed under the prefix.
    let listed: Value = http()
        .get(format!(
            "{}/v1/kv?prefix=bench/&keys_only=true&limit=10000",
            cluster.nodes[0].url()
        ))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let keys = listed["items"].as_array().unwrap().len();
    assert!(keys > 0 && keys as f64 <= f("requests"), "{keys} keys after {r}");

    // Gets of a filled key space find every key; a request count is exact.
    let g = bench(&[
        "--workload",
        "get",
        "--requests",
        "300",
        "--key-space",
        "500",
        "--connections",
        "8",
    ]);
    assert_eq!(
        (g["requests"].as_u64(), g["errors"].as_u64()),
        (Some(300), Some(0)),
        "{g}"
    );
    assert_eq!(g["not_found"], 0, "{g}");
    // Mixed, spread over every member (followers relay).
    let m = bench(&[
        "--workload",
        "mixed",
        "--requests",
        "200",
        "--target",
        "all",
        "--consistency",
        "stale",
    ]);
    assert_eq!(
        (m["requests"].as_u64(), m["errors"].as_u64()),
        (Some(200), Some(0)),
        "{m}"
    );

    let mut bad = cluster.cli();
    bad.args(["bench", "--connections", "0"]);
    assert_eq!(code(&run(bad)), 2);
}

/// Issue 15: the committed `docs/openapi.json` is exactly what a node serves
/// at `GET /v1/openapi.json`, with auth on and no token (regenerate it
/// with `concord gen-docs .`).
#[test]
fn the_committed_openapi_document_is_what_the_node_serves() {
    let mut node = TestNode::new(Some(1), &["--auth"]);
    secured(&mut node);
    node.spawn();
    node.wait_ready();
    let resp = http().get(format!("{}/v1/openapi.json", node.url())).send().unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let served = resp.text().unwrap();
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let committed = std::fs::read_to_string(repo.join("docs/openapi.json")).expect("docs/openapi.json");
    assert!(
        served == committed,
        "docs/openapi.json differs from what the node serves: regenerate it with `concord gen-docs .`"
    );
    let doc: Value = serde_json::from_str(&served).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/v1/kv/{key}",
        "/v1/txn",
        "/v1/cluster/members",
        "/v1/tokens",
        "/v1/snapshot",
        "/metrics",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is not documented");
    }
}
