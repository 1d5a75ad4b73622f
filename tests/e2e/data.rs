//! The full data API: compare-and-set, JSON gets, TTL, listing, prefix
//! delete, transactions, bulk import/export, request-id deduplication and
//! bad input.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{
    cli_json, code, encode, eventually, http, run, run_with_stdin, stderr, timing_sensitive, TestCluster, TestNode,
};

/// `GET {url}?format=json` as JSON.
fn get_json(c: &reqwest::blocking::Client, url: &str) -> Value {
    c.get(format!("{url}?format=json")).send().unwrap().json().unwrap()
}

#[test]
fn compare_and_set_and_json_gets() {
    let node = TestNode::start();
    let put = |args: &[&str]| {
        let mut cmd = node.cli();
        cmd.args(["kv", "put"]).args(args);
        run(cmd)
    };
    let mut cmd = node.cli();
    cmd.args(["kv", "put", "cfg", "v1"]);
    let r1 = cli_json(cmd)["revision"].as_u64().unwrap();

    // CAS with the current revision succeeds; with a stale one exits 6.
    let out = put(&["cfg", "v2", "--if-revision", &r1.to_string()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = put(&["cfg", "v3", "--if-revision", &r1.to_string()]);
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    assert!(stderr(&out).contains("conflict"), "{}", stderr(&out));
    // --if-absent on an existing key exits 6; on a new key it writes.
    assert_eq!(code(&put(&["cfg", "v4", "--if-absent"])), 6);
    assert_eq!(code(&put(&["fresh", "x", "--if-absent"])), 0);
    assert_eq!(code(&put(&["fresh2", "x", "--if-revision", "0"])), 0);
    assert_eq!(code(&put(&["fresh2", "y", "--if-revision", "0"])), 6);

    // JSON get: version counts writes, create_revision stays.
    let mut cmd = node.cli();
    cmd.args(["kv", "get", "cfg"]);
    let item = cli_json(cmd);
    assert_eq!(item["value"], "v2");
    assert_eq!(item["version"], 2);
    assert_eq!(item["create_revision"], r1);
    assert!(item["mod_revision"].as_u64().unwrap() > r1);
    assert!(item["ttl_remaining"].is_null());

    // Over HTTP: 409 with the current revision; binary values as base64.
    let c = http();
    let resp = c
        .put(format!("{}?if_revision=1", node.kv_url("cfg")))
        .body("nope")
        .send()
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let err: Value = resp.json().unwrap();
    assert_eq!(err["error"]["code"], "conflict");
    assert_eq!(err["error"]["current_revision"], item["mod_revision"]);
    c.put(node.kv_url("bin")).body(vec![0xff, 0x00, 0xfe]).send().unwrap();
    let v: Value = get_json(&c, &node.kv_url("bin"));
    assert_eq!(v["value_base64"], "/wD+");
    assert!(v.get("value").is_none());

    // DELETE with if_revision.
    let rev = item["mod_revision"].as_u64().unwrap();
    let resp = c
        .delete(format!("{}?if_revision={}", node.kv_url("cfg"), rev - 1))
        .send()
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let mut cmd = node.cli();
    cmd.args(["kv", "delete", "cfg", "--if-revision", &rev.to_string()]);
    assert_eq!(code(&run(cmd)), 0);
}

#[test]
fn ttl_keys_expire_on_every_member() {
    // Reads are checked against the TTL on the clock.
    let _timing = timing_sensitive();
    let cluster = TestCluster::initial(3, &[]);
    // Long enough for the dozen calls below to finish well inside it.
    let ttl = Duration::from_secs(10);
    let started = Instant::now();
    let mut cmd = cluster.cli();
    cmd.args(["kv", "put", "session", "alive", "--ttl", "10s"]);
    let out = run(cmd);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // The leader stamps the expiry while the put runs: it lies between
    // `started + ttl` and `written + ttl`.
    let written = Instant::now();
    let c = http();
    for node in cluster.running() {
        let lin = c.get(node.kv_url("session")).send().unwrap();
        assert_eq!(lin.status(), 200, "readable at once on node {:?}", node.id);
        let stale = eventually("the TTL key on a stale read", 5, || {
            let r = c
                .get(format!("{}?consistency=stale", node.kv_url("session")))
                .send()
                .ok()?;
            (r.status() == 200).then_some(r)
        });
        assert_eq!(stale.text().unwrap(), "alive");
    }
    let v: Value = get_json(&c, &cluster.nodes[0].kv_url("session"));
    // Whole seconds, rounded up: at most the TTL, at least what is left of
    // it counting from before the put.
    let at_least = ttl.saturating_sub(started.elapsed()).as_secs();
    assert!(
        v["ttl_remaining"]
            .as_u64()
            .is_some_and(|t| t >= at_least && t <= ttl.as_secs()),
        "ttl_remaining should be in {at_least}..={}: {v}",
        ttl.as_secs()
    );

    // Wait for the TTL itself to run out (plus 500 ms for whole-millisecond
    // stamps): the expiry is the condition under test, so from that moment
    // on no node may show the key.
    std::thread::sleep((written + ttl + Duration::from_millis(500)).saturating_duration_since(Instant::now()));
    for node in cluster.running() {
        for consistency in ["linearizable", "stale"] {
            let mut cmd = node.cli();
            cmd.args(["kv", "get", "session", "--consistency", consistency]);
            let out = run(cmd);
            assert_eq!(code(&out), 3, "node {:?} {consistency}: {}", node.id, stderr(&out));
        }
    }
    // It no longer lists anywhere. (Listings hide expired keys by
    // themselves; that the sweep deletes them is checked by
    // `the_ttl_sweep_deletes_expired_keys_on_every_member`.)
    for node in cluster.running() {
        let page: Value = c
            .get(format!("{}/v1/kv?prefix=session&consistency=stale", node.url()))
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(page["items"], json!([]), "node {:?}", node.id);
    }
    cluster.assert_converged(&Default::default());
}

#[test]
fn default_ttl_applies_to_keys_written_without_one() {
    // `k` must still be there a moment after its write.
    let _timing = timing_sensitive();
    let node = TestNode::start_with(&["--default-ttl", "5s"]);
    let c = http();
    let started = Instant::now();
    assert_eq!(c.put(node.kv_url("k")).body("v").send().unwrap().status(), 200);
    assert_eq!(
        c.put(format!("{}?ttl=1h", node.kv_url("long")))
            .body("v")
            .send()
            .unwrap()
            .status(),
        200
    );
    let k: Value = get_json(&c, &node.kv_url("k"));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the writes took longer than the default TTL: nothing was tested"
    );
    assert_eq!(k["value"], "v", "{k}");
    assert!(k["ttl_remaining"].as_u64().is_some_and(|t| (1..=5).contains(&t)), "{k}");
    let long: Value = get_json(&c, &node.kv_url("long"));
    assert!(long["ttl_remaining"].as_u64().is_some_and(|t| t > 3000), "{long}");
    eventually("the default TTL to expire k", 20, || {
        (c.get(node.kv_url("k")).send().ok()?.status() == 404).then_some(())
    });
    assert_eq!(c.get(node.kv_url("long")).send().unwrap().status(), 200);
}

/// How many keys each running node stores, expired or not (from its
/// `GET /v1/debug/digest`).
fn stored_keys(cluster: &TestCluster) -> Option<Vec<u64>> {
    cluster.running().map(|n| n.digest()?["keys"].as_u64()).collect()
}

/// Listings hide expired keys and the digests agree while every node still
/// stores them: the digest's count of stored keys (expired or not) shows
/// that the leader's sweep really deletes them, on every member.
#[test]
fn the_ttl_sweep_deletes_expired_keys_on_every_member() {
    // The keys are counted before their TTL runs out.
    let _timing = timing_sensitive();
    let cluster = TestCluster::initial(3, &[]);
    let c = http();
    let mut puts: Vec<Value> = (0..3)
        .map(|i| json!({"put": {"key": format!("keep/{i}"), "value": "v"}}))
        .collect();
    puts.extend((0..20).map(|i| json!({"put": {"key": format!("ttl/{i:02}"), "value": "v", "ttl": "5s"}})));
    // One transaction: one entry, one expiry stamp for all twenty.
    let r = c
        .post(format!("{}/v1/txn", cluster.nodes[0].url()))
        .json(&json!({ "success": puts }))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().unwrap());
    // Before the sweep (5 s away at least): every node stores, and
    // counts, all 23 keys.
    eventually("every node to store the 23 keys", 10, || {
        let counts = stored_keys(&cluster)?;
        (counts.len() == 3 && counts.iter().all(|keys| *keys == 23)).then_some(())
    });
    // After it: the sweep removes the twenty from every node's storage.
    eventually("the sweep to delete the expired keys on every node", 30, || {
        let counts = stored_keys(&cluster)?;
        (counts.len() == 3 && counts.iter().all(|keys| *keys == 3)).then_some(())
    });
    for node in cluster.running() {
        for i in 0..3 {
            let r = c.get(node.kv_url(&format!("keep/{i}"))).send().unwrap();
            assert_eq!(r.status(), 200, "node {:?} lost keep/{i}", node.id);
        }
    }
    let expected: BTreeMap<String, String> = (0..3).map(|i| (format!("keep/{i}"), "v".to_string())).collect();
    cluster.assert_converged(&expected);
}

#[test]
fn prefix_listing_is_ordered_and_paginates() {
    let node = TestNode::start();
    let c = http();
    let mut keys: Vec<String> = (0..57).map(|i| format!("list/{:03}", (i * 37) % 57)).collect();
    for k in &keys {
        c.put(node.kv_url(k)).body(format!("v-{k}")).send().unwrap();
    }
    c.put(node.kv_url("listz")).body("outside").send().unwrap();
    c.put(node.kv_url("lisa")).body("outside").send().unwrap();
    keys.sort();

    // HTTP pages of 20, following `next`.
    let mut seen = Vec::new();
    let mut start: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut url = format!("{}/v1/kv?prefix=list/&limit=20", node.url());
        if let Some(s) = &start {
            url.push_str(&format!("&start={}", encode(s).replace('/', "%2F")));
        }
        let page: Value = c.get(url).send().unwrap().json().unwrap();
        pages += 1;
        for item in page["items"].as_array().unwrap() {
            assert_eq!(item["value"], format!("v-{}", item["key"].as_str().unwrap()));
            seen.push(item["key"].as_str().unwrap().to_string());
        }
        if page["more"] != true {
            assert!(page["next"].is_null());
            break;
        }
        start = Some(page["next"].as_str().unwrap().to_string());
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, keys, "all keys, in order, once");

    // The CLI follows pages itself; --keys-only prints only keys.
    let mut cmd = node.cli();
    cmd.args(["kv", "list", "--prefix", "list/", "--keys-only", "--page-size", "7"]);
    let out = run(cmd);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(lines, keys);

    let mut cmd = node.cli();
    cmd.args(["kv", "list", "--prefix", "list/", "--limit", "5"]);
    let items = cli_json(cmd);
    let got: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(got, keys[..5].iter().map(String::as_str).collect::<Vec<_>>());

    // Range: start inclusive, end exclusive.
    let page: Value = c
        .get(format!(
            "{}/v1/kv?start=list/010&end=list/013&keys_only=true",
            node.url()
        ))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let got: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(got, vec!["list/010", "list/011", "list/012"]);
    assert!(page["items"][0].get("value").is_none(), "keys_only has no values");
}

#[test]
fn prefix_delete_is_atomic_and_guarded() {
    let node = TestNode::start();
    let c = http();
    for i in 0..10 {
        c.put(node.kv_url(&format!("tmp/{i}"))).body("x").send().unwrap();
    }
    c.put(node.kv_url("tmpkeep")).body("x").send().unwrap();

    let mut cmd = node.cli();
    cmd.args(["kv", "delete", "--prefix", "tmp/"]);
    let out = run(cmd);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));

    let mut cmd = node.cli();
    cmd.args(["kv", "delete", "--prefix", "tmp/", "--yes"]);
    let v = cli_json(cmd);
    assert_eq!(v["deleted"], 10);
    let resp: Value = c
        .delete(format!("{}/v1/kv?prefix=tmp/", node.url()))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(resp["deleted"], 0);
    assert_eq!(c.get(node.kv_url("tmpkeep")).send().unwrap().status(), 200);
}

#[test]
fn transactions_pick_a_branch_atomically() {
    let cluster = TestCluster::initial(3, &[]);
    let c = http();
    let url = format!("{}/v1/txn", cluster.nodes[1].url());
    c.put(cluster.nodes[0].kv_url("acct/a")).body("100").send().unwrap();

    let txn = |expected: &str| {
        json!({
            "compare": [{"key": "acct/a", "value": expected}, {"key": "acct/b", "exists": false}],
            "success": [
                {"put": {"key": "acct/a", "value": "60"}},
                {"put": {"key": "acct/b", "value": "40"}},
                {"get": {"key": "acct/a"}}
            ],
            "failure": [{"get": {"key": "acct/a"}}, {"get": {"key": "acct/b"}}]
        })
    };
    // A false compare runs the failure branch and writes nothing.
    let resp: Value = c.post(&url).json(&txn("99")).send().unwrap().json().unwrap();
    assert_eq!(resp["succeeded"], false, "{resp}");
    assert_eq!(resp["results"][0]["get"]["value"], "100");
    assert!(resp["results"][1]["get"].is_null());
    assert_eq!(c.get(cluster.nodes[2].kv_url("acct/b")).send().unwrap().status(), 404);

    // A true compare runs the success branch, all of it.
    let resp: Value = c.post(&url).json(&txn("100")).send().unwrap().json().unwrap();
    assert_eq!(resp["succeeded"], true, "{resp}");
    let rev = resp["revision"].as_u64().unwrap();
    assert_eq!(resp["results"][0]["put"]["revision"], rev);
    assert_eq!(resp["results"][2]["get"]["value"], "60");
    for key in ["acct/a", "acct/b"] {
        let v: Value = get_json(&c, &cluster.nodes[2].kv_url(key));
        assert_eq!(v["mod_revision"], rev, "{key} written by the one entry");
    }

    // The CLI prints the answer and exits 6 when the failure branch ran.
    let mut cmd = cluster.cli();
    cmd.args(["kv", "txn", "-o", "json"]);
    let out = run_with_stdin(cmd, txn("100").to_string().as_bytes());
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["succeeded"], false);
    let mut expected = std::collections::BTreeMap::new();
    expected.insert("acct/a".to_string(), "60".to_string());
    expected.insert("acct/b".to_string(), "40".to_string());
    cluster.assert_converged(&expected);
}

#[test]
fn import_then_export_round_trips_5000_keys() {
    let cluster = TestCluster::initial(3, &[]);
    let mut lines = String::new();
    for i in 0..5000 {
        lines.push_str(&json!({"key": format!("bulk/{i:05}"), "value": format!("value {i}")}).to_string());
        lines.push('\n');
    }
    lines.push_str(&json!({"key": "bulk/binary", "value_base64": "AAEC/w=="}).to_string());
    lines.push('\n');
    let mut cmd = cluster.cli();
    cmd.args(["kv", "import", "-o", "json"]);
    let out = run_with_stdin(cmd, lines.as_bytes());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["imported"], 5001);

    let mut cmd = cluster.cli();
    cmd.args(["kv", "export", "--prefix", "bulk/"]);
    let out = run(cmd);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let exported: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(exported.len(), 5001);
    for (i, item) in exported.iter().take(5000).enumerate() {
        assert_eq!(item["key"], format!("bulk/{i:05}"));
        assert_eq!(item["value"], format!("value {i}"));
    }
    assert_eq!(exported[5000]["value_base64"], "AAEC/w==");

    // The export feeds an import elsewhere, byte for byte.
    let other = TestNode::start();
    let export_text: String = exported.iter().map(|v| format!("{v}\n")).collect();
    let mut cmd = other.cli();
    cmd.args(["kv", "import"]);
    assert_eq!(code(&run_with_stdin(cmd, export_text.as_bytes())), 0);
    let v = http().get(other.kv_url("bulk/binary")).send().unwrap().bytes().unwrap();
    assert_eq!(v.as_ref(), &[0, 1, 2, 255]);
}

#[test]
fn a_retried_write_with_the_same_request_id_applies_once() {
    let mut node = TestNode::start();
    let c = http();
    let url = node.kv_url("counter");
    let put = |body: &str| {
        let v: Value = c
            .put(&url)
            .header("Concord-Request-Id", "retry-1")
            .body(body.to_string())
            .send()
            .unwrap()
            .json()
            .unwrap();
        v["revision"].as_u64().unwrap()
    };
    let first = put("1");
    let retry = put("1");
    assert_eq!(first, retry, "the retry gets the first outcome");
    let v: Value = get_json(&c, &node.kv_url("counter"));
    assert_eq!(v["value"], "1");
    assert_eq!(v["version"], 1, "applied once");
    // The same id with another value is another operation: refused, never
    // answered with the first one's result (issue 10).
    let reused = c
        .put(&url)
        .header("Concord-Request-Id", "retry-1")
        .body("2")
        .send()
        .unwrap();
    assert_eq!(reused.status(), 409);
    let v: Value = reused.json().unwrap();
    assert_eq!(v["error"]["code"], "request_id_reused", "{v}");
    assert_eq!(get_json(&c, &node.kv_url("counter"))["value"], "1");

    // Transactions too: a retried non-idempotent txn does not run twice.
    let txn =
        json!({"compare": [{"key": "counter", "version": 1}], "success": [{"put": {"key": "counter", "value": "2"}}]});
    for _ in 0..2 {
        let r: Value = c
            .post(format!("{}/v1/txn", node.url()))
            .header("Concord-Request-Id", "retry-2")
            .json(&txn)
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(r["succeeded"], true, "the retry answers with the first outcome: {r}");
    }
    let v: Value = get_json(&c, &node.kv_url("counter"));
    assert_eq!(v["version"], 2);

    // The id and its operation survive a restart (in the state machine).
    node.kill9();
    node.spawn();
    node.wait_ready();
    assert_eq!(put("1"), first);
    let reused = c
        .put(&url)
        .header("Concord-Request-Id", "retry-1")
        .body("3")
        .send()
        .unwrap();
    assert_eq!(reused.status(), 409);
}

#[test]
fn bad_input_gets_400_with_a_clear_message() {
    let node = TestNode::start_with(&["--max-txn-ops", "4"]);
    let c = http();
    let txn_url = format!("{}/v1/txn", node.url());
    let check = |resp: reqwest::blocking::Response, code: &str, needle: &str| {
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let v: Value = resp.json().unwrap();
        assert_eq!(v["error"]["code"], code, "{v}");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(msg.contains(needle), "{msg:?} lacks {needle:?}");
    };
    check(
        c.post(&txn_url)
            .header("content-type", "application/json")
            .body("{\"compare\": [")
            .send()
            .unwrap(),
        "invalid_json",
        "invalid request body",
    );
    check(
        c.post(&txn_url)
            .header("content-type", "application/json")
            .body(r#"{"compare":[{"key":"a","colour":"red"}]}"#)
            .send()
            .unwrap(),
        "invalid_json",
        "colour",
    );
    let five: Vec<Value> = (0..5).map(|_| json!({"get": {"key": "a"}})).collect();
    check(
        c.post(&txn_url).json(&json!({"success": five})).send().unwrap(),
        "too_many_operations",
        "limit is 4",
    );
    check(
        c.post(&txn_url)
            .json(&json!({"success": [{"put": {"key": "a", "value": "v", "ttl": "forever"}}]}))
            .send()
            .unwrap(),
        "invalid_ttl",
        "forever",
    );
    check(
        c.put(format!("{}?ttl=-3s", node.kv_url("a"))).body("v").send().unwrap(),
        "invalid_ttl",
        "-3s",
    );
    check(
        c.put(format!("{}?if_revision=abc", node.kv_url("a")))
            .body("v")
            .send()
            .unwrap(),
        "invalid_argument",
        "if_revision",
    );
    check(
        c.post(format!("{}/v1/kv/batch", node.url()))
            .header("content-type", "application/json")
            .body("[]")
            .send()
            .unwrap(),
        "invalid_json",
        "invalid request body",
    );
    check(
        c.get(format!("{}/v1/kv?limit=0", node.url())).send().unwrap(),
        "invalid_argument",
        "limit",
    );
    // Nothing was written, and the node is fine.
    assert_eq!(c.get(node.kv_url("a")).send().unwrap().status(), 404);
    assert_eq!(c.get(format!("{}/health", node.url())).send().unwrap().status(), 200);

    let mut cmd = node.cli();
    cmd.args(["kv", "put", "a", "v", "--ttl", "soon"]);
    assert_eq!(code(&run(cmd)), 2, "a bad --ttl is a usage error");
}

/// A listing is one point-in-time view: it never shows half of a
/// transaction. (The chaos suite found listings that did, before they read
/// from a storage snapshot.)
#[test]
fn a_listing_never_shows_half_a_transaction() {
    let node = TestNode::start();
    let url = node.url();
    let stop = Arc::new(AtomicBool::new(false));
    // Transactions committed and listings checked so far.
    let txns = Arc::new(AtomicU64::new(0));
    let lists = Arc::new(AtomicU64::new(0));
    let writer = {
        let (url, stop, txns) = (url.clone(), stop.clone(), txns.clone());
        std::thread::spawn(move || {
            let c = http();
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let v = format!("{i:08}");
                let txn = json!({"success": [
                    {"put": {"key": "torn/a", "value": v}},
                    {"put": {"key": "torn/b", "value": v}},
                    {"put": {"key": "torn/c", "value": v}},
                ]});
                let r = c.post(format!("{url}/v1/txn")).json(&txn).send().unwrap();
                assert_eq!(r.status(), 200);
                txns.store(i, Ordering::Relaxed);
            }
            i
        })
    };
    let listers: Vec<_> = (0..2)
        .map(|_| {
            let (url, stop, lists) = (url.clone(), stop.clone(), lists.clone());
            std::thread::spawn(move || {
                let c = http();
                while !stop.load(Ordering::Relaxed) {
                    let values = listed_values(&c, &url, "torn/");
                    assert!(
                        values.is_empty() || (values.len() == 3 && values.iter().all(|v| *v == values[0])),
                        "a listing showed part of a transaction: {values:?}"
                    );
                    lists.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    // However fast the machine: at least 100 listings interleaved with at
    // least 100 transactions (a thread that ended early has failed; its
    // panic comes out of `join` below).
    eventually("100 listings during 100 transactions", 300, || {
        let done = lists.load(Ordering::Relaxed) >= 100 && txns.load(Ordering::Relaxed) >= 100;
        let failed = writer.is_finished() || listers.iter().any(|l| l.is_finished());
        (done || failed).then_some(())
    });
    stop.store(true, Ordering::Relaxed);
    for lister in listers {
        lister.join().unwrap();
    }
    let last = writer.join().unwrap();
    let lists = lists.load(Ordering::Relaxed);
    eprintln!("{lists} listings during {last} transactions, none torn");
    assert!(lists >= 100 && last >= 100, "{lists} listings, {last} transactions");
    // The last transaction is there, whole.
    let values = listed_values(&http(), &url, "torn/");
    let want = format!("{last:08}");
    assert_eq!(values, [want.as_str(); 3]);
}

/// The values of one page of `GET /v1/kv?prefix=P`, in key order.
fn listed_values(c: &reqwest::blocking::Client, url: &str, prefix: &str) -> Vec<String> {
    let page: Value = c
        .get(format!("{url}/v1/kv?prefix={prefix}"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["value"].as_str().unwrap().to_string())
        .collect()
}
