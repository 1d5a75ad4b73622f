//! Issue 10, hardening the HTTP front: the node-side fixes, end to end, one
//! group per defect:
//!
//! 1. paths with `.`/`..` segments or backslashes are refused (a follower
//!    used to forward them through a URL library that collapsed them, so
//!    `DELETE /v1/kv/../cluster/members/3` removed a member);
//! 2. a `Concord-Request-Id` is bound to the operation it first named;
//! 3. no cross-site writes: `POST` needs `Content-Type: application/json`,
//!    no CORS preflight is answered, and a loopback node checks `Host`;
//! 4. idle, silent and HTTP/2-preface connections are closed, connections
//!    are capped, and slow export readers cannot starve the node;
//! 5. a stalled body is cut off at a total deadline and frees its permit;
//! 6. exports stream (through a follower too), listings are paged by bytes,
//!    and oversized transactions and prefix deletes are refused;
//! 7. every refusal has the JSON error shape, and the probes answer even
//!    when every request permit is held.
//!
//! Raw requests are written byte for byte on a `TcpStream` (what a URL
//! library would rewrite is sent as is) and always name
//! `Host: 127.0.0.1:<port>` unless the test is about `Host`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use serde_json::{json, Value};

use crate::support::{encode, eventually, exclusive, http, http_with_timeout, timing_sensitive, TestCluster, TestNode};

// ---------------------------------------------------------------------------
// Raw HTTP/1.1
// ---------------------------------------------------------------------------

/// How long a raw client waits for bytes before it gives up: longer than
/// every deadline of the node these tests rely on.
const RAW_READ_TIMEOUT: Duration = Duration::from_secs(20);

/// An HTTP/1.1 answer read off a socket.
#[derive(Debug)]
struct RawResponse {
    /// The request line it answers, for messages.
    request: String,
    status: u16,
    /// Names lowercased.
    headers: Vec<(String, String)>,
    /// De-chunked.
    body: Vec<u8>,
}

impl RawResponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A connection to the node's `port` on 127.0.0.1, with read and write
/// timeouts so no test hangs on it.
fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| panic!("connect to 127.0.0.1:{port}: {e}"));
    s.set_read_timeout(Some(RAW_READ_TIMEOUT)).unwrap();
    s.set_write_timeout(Some(RAW_READ_TIMEOUT)).unwrap();
    s
}

/// The bytes of one request: the request line, `Host: 127.0.0.1:<port>`
/// unless `headers` has a Host, `headers`, a `Content-Length` for a body
/// (or any PUT or POST) unless `headers` has one, and `Connection: close`
/// unless `headers` names Connection.
fn request_bytes(port: u16, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let has = |name: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    let mut head = format!("{method} {target} HTTP/1.1\r\n");
    if !has("host") {
        head.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !has("content-length") && (!body.is_empty() || method == "PUT" || method == "POST") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    if !has("connection") {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// Sends one request on a new connection and reads the answer.
fn send_raw(port: u16, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> RawResponse {
    let what = format!("{method} {target}");
    let mut s = connect(port);
    s.write_all(&request_bytes(port, method, target, headers, body))
        .unwrap_or_else(|e| panic!("{what}: sending: {e}"));
    read_response(&mut s, &what).unwrap_or_else(|e| panic!("{what}: no answer: {e}"))
}

/// A keep-alive `GET /health` on an open connection.
fn health_on(s: &mut TcpStream, port: u16) -> std::io::Result<RawResponse> {
    s.write_all(&request_bytes(
        port,
        "GET",
        "/health",
        &[("Connection", "keep-alive")],
        b"",
    ))?;
    read_response(s, "GET /health")
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads more bytes into `buf`; an error if the connection ended.
fn fill(s: &mut impl Read, buf: &mut Vec<u8>) -> std::io::Result<()> {
    let mut chunk = [0u8; 64 * 1024];
    let n = s.read(&mut chunk)?;
    if n == 0 {
        return Err(std::io::Error::new(
            ErrorKind::UnexpectedEof,
            "the node closed the connection",
        ));
    }
    buf.extend_from_slice(&chunk[..n]);
    Ok(())
}

/// Reads one answer: the head, then a body by `Content-Length`, chunked,
/// or up to the end of the connection.
fn read_response(s: &mut impl Read, request: &str) -> std::io::Result<RawResponse> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        fill(s, &mut buf)?;
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::new(ErrorKind::InvalidData, format!("not an HTTP answer: {head:?}")))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut rest = buf.split_off(head_end);
    let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    let body = if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        let mut body = Vec::new();
        loop {
            let line_end = loop {
                if let Some(i) = find(&rest, b"\r\n") {
                    break i;
                }
                fill(s, &mut rest)?;
            };
            let size_text = String::from_utf8_lossy(&rest[..line_end]).into_owned();
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
                .map_err(|_| std::io::Error::new(ErrorKind::InvalidData, format!("bad chunk size {size_text:?}")))?;
            if size == 0 {
                break body;
            }
            while rest.len() < line_end + 2 + size + 2 {
                fill(s, &mut rest)?;
            }
            body.extend_from_slice(&rest[line_end + 2..line_end + 2 + size]);
            rest.drain(..line_end + 2 + size + 2);
        }
    } else if let Some(len) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        while rest.len() < len {
            fill(s, &mut rest)?;
        }
        rest.truncate(len);
        rest
    } else {
        s.read_to_end(&mut rest)?;
        rest
    };
    Ok(RawResponse {
        request: request.to_string(),
        status,
        headers,
        body,
    })
}

/// Has the node sent anything on `s` (or closed it)? Looks without
/// consuming. `Some(first bytes)`: answered (empty: closed); `None`: nothing
/// yet.
fn peek_answer(s: &TcpStream) -> Option<Vec<u8>> {
    s.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 16];
    let seen = match s.peek(&mut buf) {
        Ok(n) => Some(buf[..n].to_vec()),
        Err(e) if e.kind() == ErrorKind::WouldBlock => None,
        Err(_) => Some(Vec::new()),
    };
    s.set_nonblocking(false).unwrap();
    seen
}

/// Reads and discards until the node closes the connection. `Some(how
/// long it took)` if it did within `limit`, `None` if it was still open.
fn wait_for_close(s: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        let left = limit.checked_sub(started.elapsed())?;
        s.set_read_timeout(Some(left.max(Duration::from_millis(1)))).unwrap();
        match s.read(&mut buf) {
            Ok(0) => return Some(started.elapsed()),
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => return None,
            Err(_) => return Some(started.elapsed()),
        }
    }
}

/// Did reading end because the node closed the connection (not because the
/// client stopped waiting)?
fn closed_by_node(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe
    )
}

// ---------------------------------------------------------------------------
// The error shape
// ---------------------------------------------------------------------------

/// An answer from the node, raw or through reqwest.
trait Answer {
    /// What was asked (for messages), the status and the body.
    fn parts(self) -> (String, u16, String);
}

impl Answer for reqwest::blocking::Response {
    fn parts(self) -> (String, u16, String) {
        let what = self.url().to_string();
        let status = self.status().as_u16();
        (what, status, self.text().unwrap_or_default())
    }
}

impl Answer for &RawResponse {
    fn parts(self) -> (String, u16, String) {
        (self.request.clone(), self.status, self.text())
    }
}

impl Answer for RawResponse {
    fn parts(self) -> (String, u16, String) {
        (&self).parts()
    }
}

/// Asserts a non-2xx answer whose body is `{"error": {"code", "message"}}`;
/// returns the status and the error object.
#[track_caller]
fn assert_error_shape(answer: impl Answer) -> (u16, Value) {
    let (what, status, body) = answer.parts();
    assert!(
        !(200..300).contains(&status),
        "{what}: expected an error, got {status}: {body:.300}"
    );
    let v: Value = serde_json::from_str(&body)
        .unwrap_or_else(|e| panic!("{what}: {status} without a JSON body ({e}): {body:.300}"));
    let error = &v["error"];
    assert!(error["code"].is_string(), "{what}: {status}: no error.code: {v}");
    assert!(error["message"].is_string(), "{what}: {status}: no error.message: {v}");
    (status, error.clone())
}

/// Asserts `status` with the JSON error `code`; returns the error object.
#[track_caller]
fn assert_json_error(answer: impl Answer, status: u16, code: &str) -> Value {
    let (what, got, body) = answer.parts();
    assert_eq!(got, status, "{what}: expected {status} {code}, got {got}: {body:.300}");
    let (_, error) = assert_error_shape((what.clone(), got, body));
    assert_eq!(error["code"], code, "{what}: {error}");
    error
}

impl Answer for (String, u16, String) {
    fn parts(self) -> (String, u16, String) {
        self
    }
}

/// Asserts a 2xx answer with a JSON body; returns it.
#[track_caller]
fn ok_json(answer: impl Answer) -> Value {
    let (what, status, body) = answer.parts();
    assert!(
        (200..300).contains(&status),
        "{what}: expected success, got {status}: {body:.300}"
    );
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {body:.300}"))
}

// ---------------------------------------------------------------------------
// Data helpers
// ---------------------------------------------------------------------------

/// A client for requests that move megabytes.
fn slow_client() -> Client {
    http_with_timeout(Duration::from_secs(120))
}

/// Writes `items` in one `POST /v1/kv/batch` (JSON) under a fresh
/// `Concord-Request-Id`. Loading megabytes into a debug build can outlast a
/// request timeout or an election, so a 503 is retried, with the same id
/// (applied once), for up to a minute.
fn batch_put(c: &Client, url: &str, items: impl IntoIterator<Item = (String, String)>) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let id = format!(
        "front-load-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let ops: Vec<Value> = items
        .into_iter()
        .map(|(key, value)| json!({"put": {"key": key, "value": value}}))
        .collect();
    let body = json!({ "ops": ops });
    eventually("a batch to be applied", 60, || {
        let resp = c
            .post(format!("{url}/v1/kv/batch"))
            .header("concord-request-id", &id)
            .json(&body)
            .send()
            .ok()?;
        if resp.status() == 503 {
            return None;
        }
        ok_json(resp);
        Some(())
    });
}

/// Every key on `node` (one page, keys only).
fn all_keys(node: &TestNode) -> Vec<String> {
    let page = ok_json(
        http()
            .get(format!("{}/v1/kv?limit=10000&keys_only=true", node.url()))
            .send()
            .unwrap(),
    );
    assert_eq!(page["more"], false, "{}", short(&page));
    keys_of(&page)
}

/// `v` as JSON text, cut to 300 characters for a message.
fn short(v: &Value) -> String {
    v.to_string().chars().take(300).collect()
}

fn keys_of(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {}", short(page)))
        .iter()
        .map(|i| i["key"].as_str().unwrap().to_string())
        .collect()
}

/// Indexes of the leader and of one follower.
fn leader_and_follower(cluster: &TestCluster) -> (usize, usize) {
    let leader = cluster.leader();
    (leader, (leader + 1) % cluster.nodes.len())
}

// ---------------------------------------------------------------------------
// Defect 1: paths with `.`/`..` segments or backslashes
// ---------------------------------------------------------------------------

/// Defect 1: a follower forwarded `DELETE /v1/kv/../cluster/members/3`
/// through a URL library that collapsed the `..`, so the leader removed a
/// member (and `PUT /v1/kv/a/%2e%2e/b` wrote `b`). Every such path is now
/// refused with 400, on a follower and on the leader, and nothing changes;
/// dots that are not whole segments still make ordinary keys.
#[test]
fn dot_segments_and_backslashes_in_paths_are_refused_on_followers_and_leader() {
    let cluster = TestCluster::join(3, &[]);
    let members = cluster.member_ids();
    assert_eq!(members.len(), 3, "{members:?}");
    let victim = *members.last().unwrap();
    let (leader, follower) = leader_and_follower(&cluster);
    let kv_paths: Vec<(&str, String)> = vec![
        ("DELETE", format!("/v1/kv/%2e%2e/cluster/members/{victim}")),
        ("DELETE", format!("/v1/kv/../cluster/members/{victim}")),
        ("DELETE", format!("/v1/kv/a/%2E%2E/%2e%2e/cluster/members/{victim}")),
        ("DELETE", format!("/v1/kv/..\\cluster\\members\\{victim}")),
        ("GET", "/v1/kv/%2e%2e/cluster/status".to_string()),
        ("PUT", "/v1/kv/a/%2e%2e/b".to_string()),
        ("PUT", "/v1/kv/a/../b".to_string()),
        ("PUT", "/v1/kv/a/.%2e/b".to_string()),
        ("PUT", "/v1/kv/./b".to_string()),
        ("PUT", "/v1/kv/a/%2E/b".to_string()),
        ("PUT", "/v1/kv/a/.".to_string()),
        ("PUT", "/v1/kv/a%5cb".to_string()),
        ("PUT", "/v1/kv/a%5Cb".to_string()),
        ("PUT", "/v1/kv/a\\b".to_string()),
    ];
    let other_paths: Vec<(&str, String)> = vec![
        ("DELETE", format!("/v1/cluster/./members/{victim}")),
        ("DELETE", format!("/v1/cluster/members/x/%2e%2e/{victim}")),
        ("DELETE", format!("/v1/cluster\\members\\{victim}")),
        ("DELETE", format!("/v1/cluster/members/%5c{victim}")),
        ("GET", "/v1/./cluster/status".to_string()),
    ];
    for (who, i) in [("follower", follower), ("leader", leader)] {
        let port = cluster.nodes[i].client_port;
        for (paths, code) in [(&kv_paths, "invalid_key"), (&other_paths, "invalid_argument")] {
            for (method, path) in paths {
                let body: &[u8] = if *method == "PUT" { b"x" } else { b"" };
                let resp = send_raw(port, method, path, &[], body);
                assert_json_error(&resp, 400, code);
                assert_eq!(
                    cluster.member_ids(),
                    members,
                    "membership changed after {method} {path} to the {who}"
                );
            }
        }
    }
    // Nothing was written under any name those paths could collapse to.
    let leader_node = &cluster.nodes[leader];
    assert_eq!(all_keys(leader_node), Vec::<String>::new());

    // Dots inside segments are ordinary key bytes: raw through the
    // follower, percent-encoded through the leader, read back on the other.
    let key = "a.b/c..d/.e";
    let resp = send_raw(
        cluster.nodes[follower].client_port,
        "PUT",
        "/v1/kv/a.b/c..d/.e",
        &[],
        b"raw",
    );
    ok_json(&resp);
    let c = http();
    assert_eq!(
        c.get(leader_node.kv_url(&encode(key))).send().unwrap().text().unwrap(),
        "raw"
    );
    ok_json(
        c.put(leader_node.kv_url("a%2Eb/c%2E%2Ed/%2Ee"))
            .body("enc")
            .send()
            .unwrap(),
    );
    let resp = send_raw(
        cluster.nodes[follower].client_port,
        "GET",
        "/v1/kv/a.b/c..d/.e",
        &[],
        b"",
    );
    assert_eq!((resp.status, resp.text()), (200, "enc".to_string()), "{}", resp.request);
    let page = ok_json(c.get(format!("{}/v1/kv?prefix=a.b", leader_node.url())).send().unwrap());
    assert_eq!(keys_of(&page), vec![key.to_string()], "{page}");
    assert_eq!(page["items"][0]["value"], "enc", "{page}");

    assert_eq!(cluster.member_ids(), members);
    cluster.assert_converged(&BTreeMap::from([(key.to_string(), "enc".to_string())]));
}

/// Defect 1, in bodies: a key of a transaction or batch with a `.` or `..`
/// segment or a backslash is refused with 400 `invalid_key`, as in a path.
#[test]
fn keys_with_dot_segments_are_refused_in_transaction_and_batch_bodies() {
    let node = TestNode::start();
    let c = http();
    let txn = |body: Value| c.post(format!("{}/v1/txn", node.url())).json(&body).send().unwrap();
    let batch = |body: Value| {
        c.post(format!("{}/v1/kv/batch", node.url()))
            .json(&body)
            .send()
            .unwrap()
    };
    for key in ["a/../b", "../b", "a/..", "./a", "a/./b", "a/.", "a\\b"] {
        assert_json_error(
            txn(json!({"success": [{"put": {"key": key, "value": "x"}}]})),
            400,
            "invalid_key",
        );
        assert_json_error(txn(json!({"success": [{"get": {"key": key}}]})), 400, "invalid_key");
        assert_json_error(
            txn(json!({"compare": [{"key": key, "exists": false}], "success": [{"put": {"key": "ok", "value": "x"}}]})),
            400,
            "invalid_key",
        );
        assert_json_error(
            batch(json!({"ops": [{"put": {"key": key, "value": "x"}}]})),
            400,
            "invalid_key",
        );
        assert_json_error(batch(json!({"ops": [{"delete": {"key": key}}]})), 400, "invalid_key");
    }
    assert_eq!(
        all_keys(&node),
        Vec::<String>::new(),
        "a refused request wrote something"
    );
    // Dots that are not whole segments are fine.
    ok_json(txn(json!({"success": [{"put": {"key": "a.b/..c/d.", "value": "x"}}]})));
    assert_eq!(all_keys(&node), vec!["a.b/..c/d.".to_string()]);
}

// ---------------------------------------------------------------------------
// Defect 2: request ids bound to their operation
// ---------------------------------------------------------------------------

/// Defect 2: a `Concord-Request-Id` used again for a different operation
/// answered the first operation's result (200, nothing done). Now it is 409
/// `request_id_reused` and nothing is applied, while a true retry still
/// gets the first answer; through the leader and through a follower alike.
#[test]
fn request_ids_are_bound_to_their_operation() {
    let cluster = TestCluster::join(3, &[]);
    let (leader, follower) = leader_and_follower(&cluster);
    let leader_url = cluster.nodes[leader].url();
    let c = http();
    let get = |key: &str| c.get(format!("{leader_url}/v1/kv/{key}")).send().unwrap();
    let mut first_revisions = BTreeMap::new();
    for (who, i, p) in [("leader", leader, "r"), ("follower", follower, "f")] {
        let url = cluster.nodes[i].url();
        let id = format!("{p}1");
        let put = |key: &str, value: &str| {
            c.put(format!("{url}/v1/kv/{key}"))
                .header("concord-request-id", &id)
                .body(value.to_string())
                .send()
                .unwrap()
        };
        let (a, b, k) = (format!("{p}a"), format!("{p}b"), format!("{p}c"));
        let first = ok_json(put(&a, "1"))["revision"].as_u64().expect("a revision");
        first_revisions.insert(id.clone(), first);

        // The same id on another key: refused, and that key is not written.
        assert_json_error(put(&k, "2"), 409, "request_id_reused");
        assert_json_error(get(&k), 404, "not_found");

        // A true retry: the first answer again, applied once.
        let retry = ok_json(put(&a, "1"));
        assert_eq!(retry["revision"].as_u64(), Some(first), "{who}: retry answered {retry}");
        let current = get(&a);
        assert_eq!(
            current.headers()["concord-revision"].to_str().unwrap(),
            first.to_string(),
            "{who}: the retry was applied again"
        );

        // A delete or a batch under the put's id: refused, nothing done.
        let del = c
            .delete(format!("{url}/v1/kv/{a}"))
            .header("concord-request-id", &id)
            .send()
            .unwrap();
        assert_json_error(del, 409, "request_id_reused");
        assert_eq!(get(&a).text().unwrap(), "1", "{who}: the delete was applied");
        let batch = c
            .post(format!("{url}/v1/kv/batch"))
            .header("concord-request-id", &id)
            .json(&json!({"ops": [{"put": {"key": b, "value": "3"}}, {"delete": {"key": a}}]}))
            .send()
            .unwrap();
        assert_json_error(batch, 409, "request_id_reused");
        assert_json_error(get(&b), 404, "not_found");
        assert_eq!(get(&a).text().unwrap(), "1", "{who}: the batch was applied");
    }
    // A retry through another node than the first attempt is a retry too.
    let retry = ok_json(
        c.put(format!("{leader_url}/v1/kv/fa"))
            .header("concord-request-id", "f1")
            .body("1")
            .send()
            .unwrap(),
    );
    assert_eq!(
        retry["revision"].as_u64(),
        first_revisions.get("f1").copied(),
        "{retry}"
    );
    cluster.assert_converged(&BTreeMap::from([
        ("ra".to_string(), "1".to_string()),
        ("fa".to_string(), "1".to_string()),
    ]));
}

// ---------------------------------------------------------------------------
// Defect 3: cross-site writes and DNS rebinding
// ---------------------------------------------------------------------------

/// Content types a web page can `POST` cross-site without a preflight
/// (`None`: no Content-Type at all).
const SIMPLE_CONTENT_TYPES: [Option<&str>; 5] = [
    Some("text/plain"),
    Some("text/plain;charset=UTF-8"),
    None,
    Some("application/x-www-form-urlencoded"),
    Some("multipart/form-data; boundary=x"),
];

/// Defect 3: a web page could `POST` a transaction (`text/plain`, no
/// preflight) to a node on the visitor's machine. Every `POST` without
/// `Content-Type: application/json` is now 415 `unsupported_media_type`
/// and changes nothing, on the leader and through a follower; with JSON
/// the same requests work; CORS preflights get no allowance.
#[test]
fn posts_without_a_json_content_type_are_refused_with_415() {
    let cluster = TestCluster::join(3, &[]);
    let (leader, follower) = leader_and_follower(&cluster);
    let members = cluster.member_ids();
    let follower_id = cluster.nodes[follower].id.unwrap();
    let c = http();
    let leader_url = cluster.nodes[leader].url();
    batch_put(
        &c,
        &leader_url,
        [("victim/1", "a"), ("victim/2", "b")].map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let writes = [
        (
            "/v1/txn",
            json!({"success": [{"delete_prefix": {"prefix": "victim/"}}]}),
        ),
        (
            "/v1/kv/batch",
            json!({"ops": [{"delete_prefix": {"prefix": "victim/"}}]}),
        ),
        (
            "/v1/cluster/members",
            json!({"client_url": "http://127.0.0.1:9", "peer_url": "http://127.0.0.1:9"}),
        ),
        ("/v1/cluster/transfer-leader", json!({ "to": follower_id })),
    ];
    for (who, i) in [("leader", leader), ("follower", follower)] {
        let url = cluster.nodes[i].url();
        for (path, body) in &writes {
            for content_type in SIMPLE_CONTENT_TYPES {
                let mut req = c.post(format!("{url}{path}")).body(body.to_string());
                if let Some(ct) = content_type {
                    req = req.header("content-type", ct);
                }
                let resp = req.send().unwrap();
                let error = assert_json_error(resp, 415, "unsupported_media_type");
                assert_eq!(
                    cluster.leader(),
                    leader,
                    "{who}: POST {path} as {content_type:?} moved the leader: {error}"
                );
            }
        }
        // A browser's preflight gets no CORS allowance.
        let resp = send_raw(
            cluster.nodes[i].client_port,
            "OPTIONS",
            "/v1/txn",
            &[
                ("Origin", "http://evil.example"),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type"),
            ],
            b"",
        );
        assert_eq!(resp.header("access-control-allow-origin"), None, "{who}: {resp:?}");
        assert_error_shape(&resp);
    }
    let victims = ok_json(c.get(format!("{leader_url}/v1/kv?prefix=victim/")).send().unwrap());
    assert_eq!(keys_of(&victims), ["victim/1", "victim/2"], "{victims}");
    assert_eq!(cluster.member_ids(), members);
    assert_eq!(cluster.leader(), leader);

    // With JSON they work (a transfer through the follower last).
    let follower_url = cluster.nodes[follower].url();
    let r = ok_json(
        c.post(format!("{follower_url}/v1/txn"))
            .json(&json!({"success": [{"put": {"key": "ok/txn", "value": "1"}}]}))
            .send()
            .unwrap(),
    );
    assert_eq!(r["succeeded"], true, "{r}");
    ok_json(
        c.post(format!("{follower_url}/v1/kv/batch"))
            .header("content-type", "application/json; charset=utf-8")
            .body(json!({"ops": [{"put": {"key": "ok/batch", "value": "2"}}]}).to_string())
            .send()
            .unwrap(),
    );
    let r = ok_json(
        c.post(format!("{follower_url}/v1/cluster/transfer-leader"))
            .json(&json!({ "to": follower_id }))
            .send()
            .unwrap(),
    );
    assert_eq!(r["leader_id"], follower_id, "{r}");
    eventually("the follower to lead", 30, || {
        (cluster.leader() == follower).then_some(())
    });
    cluster.assert_converged(&BTreeMap::from(
        [("victim/1", "a"), ("victim/2", "b"), ("ok/txn", "1"), ("ok/batch", "2")]
            .map(|(k, v)| (k.to_string(), v.to_string())),
    ));
}

/// Defect 3, DNS rebinding: a node listening on 127.0.0.1 served any
/// `Host`, so a page at `evil.example` resolving to 127.0.0.1 could read
/// and write through the visitor's browser. Now another name is 403
/// `host_not_allowed`; loopback names are served.
#[test]
fn a_loopback_node_refuses_foreign_host_names() {
    let node = TestNode::start();
    let port = node.client_port;
    ok_json(http().put(node.kv_url("h")).body("v").send().unwrap());
    let foreign = [
        format!("evil.example:{port}"),
        "evil.example".to_string(),
        format!("localhost.evil.example:{port}"),
        format!("127.0.0.1.evil.example:{port}"),
    ];
    for host in &foreign {
        let resp = send_raw(port, "GET", "/v1/kv/h", &[("Host", host)], b"");
        assert_json_error(&resp, 403, "host_not_allowed");
        let resp = send_raw(port, "PUT", "/v1/kv/h", &[("Host", host)], b"changed");
        assert_json_error(&resp, 403, "host_not_allowed");
        let resp = send_raw(
            port,
            "POST",
            "/v1/txn",
            &[("Host", host), ("Content-Type", "application/json")],
            br#"{"success":[{"delete":{"key":"h"}}]}"#,
        );
        assert_json_error(&resp, 403, "host_not_allowed");
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "localhost".to_string(),
    ] {
        let resp = send_raw(port, "GET", "/v1/kv/h", &[("Host", &host)], b"");
        assert_eq!((resp.status, resp.text()), (200, "v".to_string()), "Host {host}");
    }
}

/// Defect 3: `--allowed-hosts` adds names a loopback node serves; others
/// are still refused.
#[test]
fn allowed_hosts_adds_names_a_loopback_node_serves() {
    let node = TestNode::start_with(&["--allowed-hosts", "concord.test"]);
    let port = node.client_port;
    ok_json(http().put(node.kv_url("h")).body("v").send().unwrap());
    let resp = send_raw(
        port,
        "GET",
        "/v1/kv/h",
        &[("Host", &format!("concord.test:{port}"))],
        b"",
    );
    assert_eq!((resp.status, resp.text()), (200, "v".to_string()), "{resp:?}");
    let resp = send_raw(
        port,
        "PUT",
        "/v1/kv/h",
        &[("Host", &format!("concord.test:{port}"))],
        b"w",
    );
    ok_json(&resp);
    let resp = send_raw(
        port,
        "GET",
        "/v1/kv/h",
        &[("Host", &format!("evil.example:{port}"))],
        b"",
    );
    assert_json_error(&resp, 403, "host_not_allowed");
}

// ---------------------------------------------------------------------------
// Defect 4: connections
// ---------------------------------------------------------------------------

/// The HTTP/2 prior-knowledge preface.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Defect 4: a connection that never sent a byte, or only the HTTP/2
/// preface, stayed open forever (the version sniffing ran before any
/// timeout). With `--client-read-timeout 1s` each is closed within a few
/// seconds, as is a kept-alive connection idle after one request.
#[test]
fn silent_connections_are_closed_after_the_read_timeout() {
    let _timing = timing_sensitive();
    let node = TestNode::start_with(&["--client-read-timeout", "1s"]);
    let port = node.client_port;
    let limit = Duration::from_secs(5);
    let mut silent = connect(port);
    let mut h2 = connect(port);
    h2.write_all(H2_PREFACE).unwrap();
    let mut kept = connect(port);
    let resp = health_on(&mut kept, port).unwrap();
    assert_eq!(resp.status, 200, "{resp:?}");
    for (what, s) in [
        ("a connection that sent nothing", &mut silent),
        ("a connection that sent only the HTTP/2 preface", &mut h2),
        ("a kept-alive connection idle after a request", &mut kept),
    ] {
        let took = wait_for_close(s, limit);
        assert!(took.is_some(), "{what} was still open after {limit:?}");
    }
    // The node serves on.
    ok_json(http().put(node.kv_url("after")).body("ok").send().unwrap());
}

/// Defect 4: connections were not capped. With `--max-connections 8`, a
/// ninth connection is served and the longest-idle one is closed to admit
/// it; the others stay open.
#[test]
fn at_max_connections_the_longest_idle_connection_is_closed_to_admit_a_new_one() {
    let node = TestNode::start_with(&["--max-connections", "8"]);
    let port = node.client_port;
    let mut open = Vec::new();
    for i in 0..8 {
        let mut s = connect(port);
        let resp = health_on(&mut s, port).unwrap_or_else(|e| panic!("connection {i}: {e}"));
        assert_eq!(resp.status, 200, "connection {i}: {resp:?}");
        open.push(s);
        // Distinct idle ages (ordering, not synchronisation).
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut newest = connect(port);
    let asked = Instant::now();
    let resp = health_on(&mut newest, port).expect("the ninth connection is served");
    assert_eq!(resp.status, 200, "{resp:?}");
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "served after {:?}",
        asked.elapsed()
    );
    let closed = wait_for_close(&mut open[0], Duration::from_secs(5));
    assert!(closed.is_some(), "the longest-idle connection was not closed");
    for (i, s) in open.iter_mut().enumerate().skip(1) {
        s.set_read_timeout(Some(RAW_READ_TIMEOUT)).unwrap();
        let resp = health_on(s, port).unwrap_or_else(|e| panic!("connection {i} was closed too: {e}"));
        assert_eq!(resp.status, 200, "connection {i}: {resp:?}");
    }
}

/// Defect 4, the big one: 5,000 idle connections and 600 clients that ask
/// for a stale export and never read it used to exhaust the node (each
/// export parked a blocking thread; idle connections were never closed).
/// While they are all open, puts, gets and `/ready` are each answered
/// within 2 s, commits go on, and exports beyond
/// `--max-concurrent-exports` (16) are refused with 503 `overloaded`.
///
/// The values are 3 KiB, not 1 KiB: a 2 MiB export fits whole in the
/// loopback socket buffers (measured: 2.1 MB queued in the node's send
/// buffer of a client that never reads), so its reader would not be slow.
#[test]
fn idle_connections_and_slow_export_readers_do_not_starve_the_node() {
    let _alone = exclusive();
    let node = TestNode::start();
    let port = node.client_port;
    let c = slow_client();
    for chunk in 0..4 {
        batch_put(
            &c,
            &node.url(),
            (chunk * 500..(chunk + 1) * 500)
                .map(|i| (format!("bulk/{i:05}"), format!("{i:05}{}", "x".repeat(3 * 1024)))),
        );
    }
    let idle: Vec<TcpStream> = (0..5000)
        .map(|i| TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| panic!("idle connection {i}: {e}")))
        .collect();
    let export = format!("GET /v1/export?consistency=stale HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    let slow: Vec<TcpStream> = (0..600)
        .map(|i| {
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| panic!("slow reader {i}: {e}"));
            s.write_all(export.as_bytes()).unwrap();
            s
        })
        .collect();
    // Until the node has answered (or closed) every slow reader, looking
    // without reading.
    let mut first_bytes: Vec<Option<Vec<u8>>> = vec![None; slow.len()];
    eventually("the node to answer every export request", 60, || {
        for (s, seen) in slow.iter().zip(first_bytes.iter_mut()) {
            if seen.as_ref().is_none_or(|b| !b.is_empty() && b.len() < 12) {
                *seen = peek_answer(s);
            }
        }
        first_bytes
            .iter()
            .all(|b| b.as_ref().is_some_and(|b| b.is_empty() || b.len() >= 12))
            .then_some(())
    });
    let streaming = first_bytes
        .iter()
        .filter(|b| b.as_ref().is_some_and(|b| b.starts_with(b"HTTP/1.1 200")))
        .count();
    let refused = first_bytes
        .iter()
        .filter(|b| b.as_ref().is_some_and(|b| b.starts_with(b"HTTP/1.1 503")))
        .count();

    // While they are all open: each request answered within 2 s.
    let probe = http();
    let mut failures = Vec::new();
    let mut slowest = Duration::ZERO;
    let mut revisions = Vec::new();
    let mut time = |what: String, send: &dyn Fn() -> reqwest::Result<reqwest::blocking::Response>| {
        let started = Instant::now();
        let result = send().and_then(|r| {
            let status = r.status();
            r.text().map(|body| (status, body))
        });
        slowest = slowest.max(started.elapsed());
        match result {
            Ok((status, body)) if status.is_success() => Some(body),
            Ok((status, body)) => {
                failures.push(format!("{what}: {status} {body:.200}"));
                None
            }
            Err(e) => {
                failures.push(format!("{what}: {e}"));
                None
            }
        }
    };
    for i in 0..50 {
        let url = node.kv_url(&format!("live/{i:02}"));
        if let Some(body) = time(format!("put {i}"), &|| probe.put(&url).body(format!("v{i}")).send()) {
            let v: Value = serde_json::from_str(&body).unwrap();
            revisions.push(v["revision"].as_u64().unwrap());
        }
    }
    for i in 0..50 {
        let url = node.kv_url(&format!("bulk/{:05}", i * 37));
        time(format!("get {i}"), &|| probe.get(&url).send());
    }
    let ready = format!("{}/ready", node.url());
    time("/ready".to_string(), &|| probe.get(&ready).send());
    // One export more, while the slow readers hold theirs.
    let extra = send_raw(port, "GET", "/v1/export?consistency=stale", &[], b"");
    eprintln!(
        "slow readers: {streaming} streaming, {refused} refused; slowest request {slowest:?}; \
         failures {failures:?}; one more export: {}",
        extra.status
    );
    assert!(failures.is_empty(), "requests failed under load: {failures:#?}");
    assert!(slowest < Duration::from_secs(2), "a request took {slowest:?}");
    assert!(
        revisions.windows(2).all(|w| w[0] < w[1]),
        "commits stalled: {revisions:?}"
    );
    assert!(streaming <= 16, "{streaming} exports streamed at once (limit 16)");
    assert_json_error(&extra, 503, "overloaded");

    // Once they are gone, exports are served again, whole.
    drop(slow);
    drop(idle);
    let lines = eventually("a whole export once the slow readers left", 30, || {
        let r = c
            .get(format!("{}/v1/export?consistency=stale", node.url()))
            .send()
            .ok()?;
        if r.status() != 200 {
            return None;
        }
        Some(r.text().ok()?.lines().count())
    });
    assert_eq!(lines, 2000 + 50);
}

// ---------------------------------------------------------------------------
// Defect 5: stalled bodies
// ---------------------------------------------------------------------------

/// The head of a transfer-leader request that claims `len` body bytes and
/// `Concord-Forwarded` (which a client may set; it grants nothing).
fn stalled_transfer_head(port: u16, len: usize) -> String {
    format!(
        "POST /v1/cluster/transfer-leader HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Type: application/json\r\nContent-Length: {len}\r\nConcord-Forwarded: 1\r\n\r\n"
    )
}

/// Defect 5: `POST /v1/cluster/transfer-leader` read its body with no
/// deadline at all, so one byte and then silence held a request permit
/// forever. With `--client-read-timeout 2s` the node answers 408
/// `request_timeout` (or closes) within the deadline.
#[test]
fn a_stalled_transfer_leader_body_is_cut_off_at_the_read_timeout() {
    let _timing = timing_sensitive();
    let node = TestNode::start_with(&["--client-read-timeout", "2s"]);
    let mut s = connect(node.client_port);
    s.write_all(stalled_transfer_head(node.client_port, 9).as_bytes())
        .unwrap();
    s.write_all(b"{").unwrap();
    let started = Instant::now();
    match read_response(&mut s, "POST /v1/cluster/transfer-leader (stalled)") {
        Ok(resp) => {
            assert_json_error(&resp, 408, "request_timeout");
        }
        Err(e) if closed_by_node(&e) => {}
        Err(e) => panic!("the stalled request was still open after {:?}: {e}", started.elapsed()),
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(6), "cut off after {took:?}, not ~2s");
    ok_json(http().put(node.kv_url("after")).body("ok").send().unwrap());
}

/// What one trickling client saw: the answer (`None`: the node closed the
/// connection without one, or never answered) and when it came.
struct Trickled {
    answer: Option<RawResponse>,
    after: Duration,
}

/// Sends a transfer-leader head and one body byte every 500 ms (never the
/// whole body) for at most `for_at_most`, stopping once the node answers
/// (and counting that answer in `answered`).
fn trickle(port: u16, for_at_most: Duration, answered_count: &AtomicUsize) -> Trickled {
    let started = Instant::now();
    let mut s = connect(port);
    s.write_all(stalled_transfer_head(port, 100).as_bytes()).unwrap();
    let _ = s.write_all(b"{");
    let answered = loop {
        std::thread::sleep(Duration::from_millis(500));
        if peek_answer(&s).is_some() {
            answered_count.fetch_add(1, Ordering::SeqCst);
            break Some(started.elapsed());
        }
        if started.elapsed() > for_at_most || s.write_all(b" ").is_err() {
            break None;
        }
    };
    s.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    let answer = read_response(&mut s, "POST /v1/cluster/transfer-leader (trickled)").ok();
    Trickled {
        answer,
        after: answered.unwrap_or_else(|| started.elapsed()),
    }
}

/// Defect 5: the read deadline was per frame, so a body trickled a byte
/// every 500 ms never timed out, and ten such requests held every permit of
/// `--max-concurrent-requests 4` for as long as they liked. The deadline no
/// longer restarts per byte: after ~10 s they are cut off and puts succeed
/// again while the trickling (40 s) goes on. `Concord-Forwarded` from a client changes nothing.
#[test]
fn trickled_bodies_release_their_permits_at_the_read_timeout() {
    let _timing = timing_sensitive();
    let node = TestNode::start_with(&["--max-concurrent-requests", "4", "--client-read-timeout", "10s"]);
    let port = node.client_port;
    let started = Instant::now();
    let answered = Arc::new(AtomicUsize::new(0));
    let trickling: Vec<_> = (0..10)
        .map(|_| {
            let answered = answered.clone();
            std::thread::spawn(move || trickle(port, Duration::from_secs(40), &answered))
        })
        .collect();
    // Probe only once the six tricklers beyond the four permits have been
    // refused: a probe holding a permit while tricklers arrive would get a
    // fifth refused and leave a permit free.
    eventually("six of the ten tricklers to be refused", 9, || {
        (answered.load(Ordering::SeqCst) >= 6).then_some(())
    });
    let c = http();
    let refused = eventually("the trickling requests to hold every permit", 9, || {
        let r = c.put(node.kv_url("during")).body("x").send().ok()?;
        (r.status() == 503).then_some(r)
    });
    assert_json_error(refused, 503, "overloaded");
    let forwarded = c
        .put(node.kv_url("during"))
        .header("concord-forwarded", "1")
        .body("x")
        .send()
        .unwrap();
    assert_json_error(forwarded, 503, "overloaded");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "too slow to observe the held permits"
    );
    eventually("a put to succeed again", 30, || {
        let r = c.put(node.kv_url("after")).body("ok").send().ok()?;
        r.status().is_success().then_some(())
    });
    let recovered = started.elapsed();
    assert!(
        recovered < Duration::from_secs(25),
        "puts succeeded again only after {recovered:?} (the trickle lasts 40 s)"
    );
    let mut timed_out = 0;
    for (i, t) in trickling.into_iter().enumerate() {
        let t = t.join().unwrap();
        assert!(
            t.after < Duration::from_secs(25),
            "trickler {i} held on for {:?}",
            t.after
        );
        match &t.answer {
            Some(resp) if resp.status == 408 => {
                assert_json_error(resp, 408, "request_timeout");
                timed_out += 1;
            }
            Some(resp) => {
                assert_json_error(resp, 503, "overloaded");
            }
            None => timed_out += 1,
        }
    }
    assert!(timed_out >= 1, "no trickling request was cut off by the deadline");
}

// ---------------------------------------------------------------------------
// Defect 6: memory and streaming
// ---------------------------------------------------------------------------

/// Defect 6: a follower buffered a whole forwarded export in memory, under
/// the `--request-timeout` meant for one request. It now streams: an
/// export of 10 MiB through a follower, read slowly for longer than twice
/// `--request-timeout 2s`, arrives whole.
#[test]
fn a_slow_export_through_a_follower_streams_every_key_past_the_request_timeout() {
    // A longer election timeout than the default 300 ms: megabytes of
    // appends on a loaded machine otherwise cost elections, which are not
    // what this test is about.
    let cluster = TestCluster::join(3, &["--request-timeout", "2s", "--election-timeout", "1s"]);
    let c = slow_client();
    let mut expected = BTreeMap::new();
    // 100 values of 100 KiB, in batches of half a megabyte (each well within
    // the 2 s request timeout on a debug build).
    for chunk in 0..20 {
        let items: Vec<(String, String)> = (chunk * 5..(chunk + 1) * 5)
            .map(|i| (format!("big/{i:03}"), format!("{i:03}{}", "e".repeat(100 * 1024))))
            .collect();
        expected.extend(items.iter().cloned());
        let node = &cluster.nodes[chunk % 3];
        batch_put(&c, &node.url(), items);
    }
    // Chosen after loading: an election may have moved the leader.
    let (_, follower) = leader_and_follower(&cluster);
    const BYTES_PER_SEC: f64 = 2.0 * 1024.0 * 1024.0;
    let started = Instant::now();
    let mut resp = c
        .get(format!("{}/v1/export?prefix=big/", cluster.nodes[follower].url()))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut body = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = resp.read(&mut buf).unwrap_or_else(|e| {
            panic!(
                "the export broke after {} bytes, {:?}: {e}",
                body.len(),
                started.elapsed()
            )
        });
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buf[..n]);
        // Pacing the reader (not synchronisation).
        let due = Duration::from_secs_f64(body.len() as f64 / BYTES_PER_SEC);
        if let Some(wait) = due.checked_sub(started.elapsed()) {
            std::thread::sleep(wait);
        }
    }
    let took = started.elapsed();
    assert!(
        took > Duration::from_secs(4),
        "read in {took:?}: not slower than the request timeout"
    );
    let mut seen = BTreeSet::new();
    for line in body.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let item: Value = serde_json::from_slice(line).expect("an export line is JSON");
        let key = item["key"].as_str().unwrap().to_string();
        assert_eq!(item["value"].as_str(), expected.get(&key).map(String::as_str), "{key}");
        assert!(seen.insert(key.clone()), "{key} exported twice");
    }
    assert_eq!(
        seen.len(),
        expected.len(),
        "the export (read in {took:?}) is incomplete"
    );
    cluster.assert_converged(&expected);
}

/// Defect 6: a listing answered every item it was asked for in one JSON
/// body, whatever their size (`limit=10000` over 1 MiB values: gigabytes
/// in memory). A page now holds at most 16 MiB of values, says `more` and
/// `next`, and paging on returns every key exactly once.
#[test]
fn listings_are_paged_by_bytes() {
    let node = TestNode::start_with(&["--max-value-size", "2097152"]);
    let c = slow_client();
    const MIB: usize = 1024 * 1024;
    // 20 values of 1 MiB (a debug build writes ~2 MiB/s; 20 MiB already
    // spans two pages), 4 to a batch.
    const VALUES: usize = 20;
    for chunk in 0..VALUES / 4 {
        batch_put(
            &c,
            &node.url(),
            (chunk * 4..(chunk + 1) * 4).map(|i| (format!("big/{i:03}"), format!("{i:03}{}", "v".repeat(MIB - 3)))),
        );
    }
    let mut seen = Vec::new();
    let mut start: Option<String> = None;
    let mut pages = 0;
    loop {
        pages += 1;
        assert!(pages <= 100, "paging does not end");
        let mut req = c
            .get(format!("{}/v1/kv", node.url()))
            .query(&[("prefix", "big/"), ("limit", "10000")]);
        if let Some(s) = &start {
            req = req.query(&[("start", s)]);
        }
        let page = ok_json(req.send().unwrap());
        let items = page["items"].as_array().unwrap();
        assert!(!items.is_empty(), "an empty page: {}", short(&page));
        let bytes: usize = items.iter().map(|i| i["value"].as_str().unwrap().len()).sum();
        assert!(bytes <= 16 * MIB, "page {pages}: {bytes} bytes of values");
        seen.extend(keys_of(&page));
        if pages == 1 {
            assert_eq!(page["more"], true, "{VALUES} MiB in one page");
        }
        if page["more"] == false {
            break;
        }
        start = Some(page["next"].as_str().expect("`next` with `more`").to_string());
    }
    let expected: Vec<String> = (0..VALUES).map(|i| format!("big/{i:03}")).collect();
    assert_eq!(seen, expected, "paging skipped or repeated keys");
    assert!(pages >= 2, "{VALUES} MiB in {pages} pages");
}

/// Defect 6: more operations than `--max-txn-ops` (or `--max-batch-ops`)
/// are refused with 400 `too_many_operations` and apply nothing.
#[test]
fn transactions_and_batches_over_the_operation_limits_are_refused() {
    let node = TestNode::start_with(&["--max-txn-ops", "4", "--max-batch-ops", "3"]);
    let c = http();
    let put = |k: &str| json!({"put": {"key": k, "value": "x"}});
    let txn = |body: Value| c.post(format!("{}/v1/txn", node.url())).json(&body).send().unwrap();
    let batch = |body: Value| {
        c.post(format!("{}/v1/kv/batch", node.url()))
            .json(&body)
            .send()
            .unwrap()
    };
    let over = json!({
        "compare": [{"key": "t/0", "exists": false}],
        "success": [put("t/1"), put("t/2"), put("t/3")],
        "failure": [put("t/4")],
    });
    assert_json_error(txn(over), 400, "too_many_operations");
    assert_json_error(
        batch(json!({"ops": [put("b/1"), put("b/2"), put("b/3"), put("b/4")]})),
        400,
        "too_many_operations",
    );
    assert_eq!(all_keys(&node), Vec::<String>::new());
    let at = json!({"compare": [{"key": "t/0", "exists": false}], "success": [put("t/1"), put("t/2"), put("t/3")]});
    assert_eq!(ok_json(txn(at))["succeeded"], true);
    ok_json(batch(json!({"ops": [put("b/1"), put("b/2"), put("b/3")]})));
    assert_eq!(all_keys(&node).len(), 6);
}

/// Defect 6: a prefix delete was one Raft entry whatever it matched; one
/// matching more than 100,000 keys is now refused (a JSON 4xx), through
/// every route, and deletes nothing.
#[test]
fn a_prefix_delete_of_more_than_100000_keys_is_refused() {
    let node = TestNode::start();
    let c = slow_client();
    for chunk in 0..10 {
        batch_put(
            &c,
            &node.url(),
            (chunk * 10_000..(chunk + 1) * 10_000).map(|i| (format!("many/{i:06}"), "v".to_string())),
        );
    }
    batch_put(&c, &node.url(), [("many/100000".to_string(), "v".to_string())]);
    let count = || {
        let d = ok_json(http().get(format!("{}/v1/debug/digest", node.url())).send().unwrap());
        d["keys"].as_u64().unwrap()
    };
    assert_eq!(count(), 100_001);
    let tries = [
        c.delete(format!("{}/v1/kv?prefix=many/", node.url())).send().unwrap(),
        c.post(format!("{}/v1/txn", node.url()))
            .json(&json!({"success": [{"delete_prefix": {"prefix": "many/"}}]}))
            .send()
            .unwrap(),
        c.post(format!("{}/v1/kv/batch", node.url()))
            .json(&json!({"ops": [{"delete_prefix": {"prefix": "many/"}}]}))
            .send()
            .unwrap(),
    ];
    for resp in tries {
        let (status, error) = assert_error_shape(resp);
        assert_eq!(status, 400, "{error}");
        assert_eq!(error["code"], "refused", "{error}");
        eprintln!("a prefix delete of 100,001 keys: {status} {error}");
    }
    assert_eq!(count(), 100_001, "a refused prefix delete deleted keys");
    // A smaller one still works.
    let r = ok_json(
        c.delete(format!("{}/v1/kv?prefix=many/00000", node.url()))
            .send()
            .unwrap(),
    );
    assert_eq!(r["deleted"], 10, "{r}");
}

// ---------------------------------------------------------------------------
// Defect 7: error shape and probes
// ---------------------------------------------------------------------------

/// Defect 7: some refusals came from the HTTP framework as plain text
/// (a member id that is not UTF-8, an oversized transfer-leader body).
/// They are JSON errors now.
#[test]
fn framework_refusals_answer_the_json_error_shape() {
    let node = TestNode::start();
    let port = node.client_port;
    let resp = send_raw(port, "DELETE", "/v1/cluster/members/%FF", &[], b"");
    assert_json_error(&resp, 400, "invalid_argument");

    // 40 MiB of JSON for transfer-leader: 413, JSON, whenever the node
    // stops reading. The body is written from another thread so the answer
    // is read even if the node answers before the body is through.
    const LEN: usize = 40 * 1024 * 1024;
    let mut s = connect(port);
    let head = format!(
        "POST /v1/cluster/transfer-leader HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {LEN}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(head.as_bytes()).unwrap();
    let mut writer = s.try_clone().unwrap();
    let writing = std::thread::spawn(move || {
        let chunk = vec![b' '; 1024 * 1024];
        for _ in 0..LEN / chunk.len() {
            if writer.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let resp = read_response(&mut s, "POST /v1/cluster/transfer-leader (40 MiB)").expect("an answer");
    drop(s);
    writing.join().unwrap();
    let (status, error) = assert_error_shape(&resp);
    assert_eq!(status, 413, "{error}");
    ok_json(http().put(node.kv_url("after")).body("ok").send().unwrap());
}

/// Defect 7: `/health` and `/ready` shared the request permits, so a node
/// saturated by slow clients looked dead to its orchestrator. They now
/// answer 200 while every permit is held (and a put is 503 `overloaded`).
#[test]
fn health_and_ready_answer_while_every_permit_is_held() {
    let _timing = timing_sensitive();
    let node = TestNode::start_with(&["--max-concurrent-requests", "2", "--client-read-timeout", "30s"]);
    let port = node.client_port;
    let started = Instant::now();
    let stall = |i: usize| {
        let mut s = connect(port);
        let head = format!("PUT /v1/kv/stall{i} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 100\r\n\r\nab");
        s.write_all(head.as_bytes()).unwrap();
        s
    };
    let mut held: Vec<TcpStream> = (0..2).map(stall).collect();
    let c = http();
    let refused = eventually("the stalled bodies to hold both permits", 20, || {
        // A stall that arrived while a probe held a permit was answered 503
        // at once and holds nothing: stall again.
        for (i, s) in held.iter_mut().enumerate() {
            if peek_answer(s).is_some() {
                *s = stall(i);
            }
        }
        let r = c.put(node.kv_url("probe")).body("x").send().ok()?;
        (r.status() == 503).then_some(r)
    });
    assert_json_error(refused, 503, "overloaded");
    let health = ok_json(c.get(format!("{}/health", node.url())).send().unwrap());
    assert_eq!(health["status"], "ok", "{health}");
    let ready = ok_json(c.get(format!("{}/ready", node.url())).send().unwrap());
    assert_eq!(ready["status"], "ready", "{ready}");
    // Still held: the probes did not just slip between two stalls.
    assert_json_error(c.put(node.kv_url("probe")).body("x").send().unwrap(), 503, "overloaded");
    assert!(
        started.elapsed() < Duration::from_secs(28),
        "the stalls may have timed out meanwhile"
    );
    drop(held);
    eventually("puts to succeed once the stalled clients left", 10, || {
        let r = c.put(node.kv_url("after")).body("ok").send().ok()?;
        r.status().is_success().then_some(())
    });
}

/// Defect 6: a request's permit was given back when its handler returned,
/// before a large answer was sent, so clients that never read held the
/// node's memory and threads with no permit counted. The permit is now held
/// until the body has been sent, and a reader that stalls for
/// `--client-read-timeout` loses its connection, giving the permit back.
#[test]
fn an_answer_nobody_reads_holds_its_permit_until_the_reader_is_cut_off() {
    let _timing = timing_sensitive();
    let node = TestNode::start_with(&[
        "--max-concurrent-requests",
        "2",
        "--max-value-size",
        "16777216",
        "--client-read-timeout",
        "10s",
    ]);
    let port = node.client_port;
    let c = slow_client();
    // 12 MiB: more than loopback's socket buffers hold, so an answer nobody
    // reads stays unsent.
    let value = vec![b'v'; 12 * 1024 * 1024];
    let r = c.put(node.kv_url("big")).body(value).send().unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    // One reader at a time, each confirmed served (status 200) before the
    // next or any probe: a probe holding a permit while a reader arrives
    // would get that reader a small 503 instead of a held permit.
    let readers: Vec<TcpStream> = (0..2)
        .map(|i| {
            let mut s = connect(port);
            s.write_all(&request_bytes(port, "GET", "/v1/kv/big?consistency=stale", &[], b""))
                .unwrap();
            let mut head = Vec::new();
            while find(&head, b"\r\n\r\n").is_none() {
                fill(&mut s, &mut head).unwrap_or_else(|e| panic!("reader {i}: no answer head: {e}"));
            }
            let text = String::from_utf8_lossy(&head);
            assert!(
                text.starts_with("HTTP/1.1 200"),
                "reader {i}: {}",
                text.lines().next().unwrap_or("")
            );
            s
        })
        .collect();
    let refused = eventually("the unread answers to hold both permits", 9, || {
        let r = c.put(node.kv_url("probe")).body("x").send().ok()?;
        (r.status() == 503).then_some(r)
    });
    assert_json_error(refused, 503, "overloaded");
    // Nobody closes the readers: the node cuts them off itself once they
    // have read nothing for --client-read-timeout.
    eventually("puts to succeed once the node dropped the stalled readers", 30, || {
        let r = c.put(node.kv_url("after")).body("ok").send().ok()?;
        r.status().is_success().then_some(())
    });
    drop(readers);
}

/// Defect 7: `GET /v1/debug/digest` hashes the whole state; any number ran
/// at once. One runs at a time now, the others are refused (503
/// `overloaded` or 429, JSON). Deterministic when one digest takes long
/// (~1 s over 10 MiB on a debug build); skipped (with a message) when
/// digests are too fast to overlap for sure.
#[test]
fn only_one_digest_runs_at_a_time() {
    let node = TestNode::start();
    let c = slow_client();
    for chunk in 0..10 {
        batch_put(
            &c,
            &node.url(),
            (chunk * 10..(chunk + 1) * 10).map(|i| (format!("d/{i:03}"), format!("{i:03}{}", "d".repeat(100 * 1024)))),
        );
    }
    let url = format!("{}/v1/debug/digest", node.url());
    let started = Instant::now();
    let lone = ok_json(c.get(&url).send().unwrap());
    let one = started.elapsed();
    assert_eq!(lone["keys"], 100, "{lone}");
    if one < Duration::from_millis(500) {
        eprintln!("only_one_digest_runs_at_a_time: a digest takes {one:?}, too fast to overlap for sure; skipped");
        return;
    }
    let go = Arc::new(Barrier::new(3));
    let answers: Vec<_> = (0..3)
        .map(|_| {
            let (go, url) = (go.clone(), url.clone());
            std::thread::spawn(move || {
                go.wait();
                slow_client().get(&url).send().unwrap().parts()
            })
        })
        .collect();
    let (mut served, mut refused) = (0, 0);
    for answer in answers {
        let (what, status, body) = answer.join().unwrap();
        if status == 200 {
            served += 1;
            continue;
        }
        refused += 1;
        let (status, error) = assert_error_shape((what, status, body));
        assert!(status == 503 || status == 429, "{status} {error}");
        if status == 503 {
            assert_eq!(error["code"], "overloaded", "{error}");
        }
    }
    assert!(served >= 1, "no digest was served");
    assert!(refused >= 1, "three digests ran at once (one takes {one:?})");
}
