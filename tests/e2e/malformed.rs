//! Malformed requests to every endpoint: always a 4xx with the JSON error,
//! never a 5xx, never a crash.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

use crate::support::{http, TestNode};

/// Method, URL, body, and an optional extra header.
type Case<'a> = (&'a str, String, Vec<u8>, Option<(&'a str, &'a str)>);

/// How long the node waits for a stalled request body (`--client-read-timeout`).
const SERVER_READ_TIMEOUT: &str = "2s";

/// Sends raw bytes and returns the status code and body of the answer
/// (status 0: the connection ended without one). Waits far longer than the
/// node's read timeout, so a stalled request always gets the node's answer.
fn raw(node: &TestNode, request: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", node.client_port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default().to_string();
    (status, body)
}

fn assert_json_4xx(what: &str, status: u16, body: &str) {
    assert!((400..500).contains(&status), "{what}: status {status}, body {body}");
    let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{what}: body is not JSON ({e}): {body}"));
    assert!(v["error"]["code"].is_string(), "{what}: no error.code: {v}");
    assert!(v["error"]["message"].is_string(), "{what}: no error.message: {v}");
}

#[test]
fn every_endpoint_answers_bad_input_with_a_json_4xx() {
    let node = TestNode::start_with(&["--client-read-timeout", SERVER_READ_TIMEOUT]);
    let c = http();
    let u = node.url();
    let long_id = "x".repeat(200);
    let cases: Vec<Case> = vec![
        ("GET", format!("{u}/v1/kv/%FF%FE"), vec![], None),
        ("PUT", format!("{u}/v1/kv/"), b"v".to_vec(), None),
        ("PUT", format!("{u}/v1/kv/{}", "k".repeat(5000)), b"v".to_vec(), None),
        ("PUT", format!("{u}/v1/kv/a%00b"), b"v".to_vec(), None),
        ("POST", format!("{u}/v1/kv/a"), b"v".to_vec(), None),
        ("PATCH", format!("{u}/v1/txn"), b"{}".to_vec(), None),
        ("GET", format!("{u}/v1/txn"), vec![], None),
        ("POST", format!("{u}/v1/txn"), b"{".to_vec(), None),
        ("POST", format!("{u}/v1/txn"), vec![0xff, 0xfe, 0x00], None),
        (
            "POST",
            format!("{u}/v1/txn"),
            br#"{"compare":[{"key":"a","version":"one"}]}"#.to_vec(),
            None,
        ),
        (
            "POST",
            format!("{u}/v1/txn"),
            br#"{"success":[{"put":{"key":"a"}}]}"#.to_vec(),
            None,
        ),
        (
            "POST",
            format!("{u}/v1/txn"),
            br#"{"success":[{"put":{"key":"a","value_base64":"!!"}}]}"#.to_vec(),
            None,
        ),
        ("POST", format!("{u}/v1/kv/batch"), br#"{"ops":5}"#.to_vec(), None),
        (
            "POST",
            format!("{u}/v1/kv/batch"),
            br#"{"ops":[{"get":{"key":"a"}}]}"#.to_vec(),
            None,
        ),
        ("GET", format!("{u}/v1/kv?limit=abc"), vec![], None),
        ("GET", format!("{u}/v1/kv?limit=100000"), vec![], None),
        ("GET", format!("{u}/v1/kv?prefix=a&bogus=1"), vec![], None),
        ("GET", format!("{u}/v1/kv/a?consistency=maybe"), vec![], None),
        ("GET", format!("{u}/v1/kv/a?format=xml"), vec![], None),
        ("DELETE", format!("{u}/v1/kv"), vec![], None),
        ("PUT", format!("{u}/v1/kv/a?ttl=0s"), b"v".to_vec(), None),
        ("PUT", format!("{u}/v1/kv/a?ttl=99999999999999d"), b"v".to_vec(), None),
        ("PUT", format!("{u}/v1/kv/a?if_revision=-1"), b"v".to_vec(), None),
        ("PUT", format!("{u}/v1/kv/a?if_absent=maybe"), b"v".to_vec(), None),
        (
            "PUT",
            format!("{u}/v1/kv/a"),
            b"v".to_vec(),
            Some(("concord-request-id", long_id.as_str())),
        ),
        ("GET", format!("{u}/v1/export?prefix=a&limit=3"), vec![], None),
        ("POST", format!("{u}/v1/cluster/members"), b"{}".to_vec(), None),
        (
            "POST",
            format!("{u}/v1/cluster/members"),
            br#"{"peer_url":"ftp://x","client_url":"http://y"}"#.to_vec(),
            None,
        ),
        ("POST", format!("{u}/v1/cluster/members"), b"not json".to_vec(), None),
        ("DELETE", format!("{u}/v1/cluster/members/abc"), vec![], None),
        ("DELETE", format!("{u}/v1/cluster/members/99"), vec![], None),
        (
            "POST",
            format!("{u}/v1/cluster/transfer-leader"),
            b"nope".to_vec(),
            None,
        ),
        (
            "POST",
            format!("{u}/v1/cluster/transfer-leader"),
            br#"{"to":99}"#.to_vec(),
            None,
        ),
        // Numbers at and past the edges of their types (issue 9: ids, TTLs,
        // revisions, paging): a 4xx, never a panic, wrap or 5xx.
        (
            "POST",
            format!("{u}/v1/cluster/members"),
            br#"{"id":18446744073709551615,"peer_url":"http://127.0.0.1:9","client_url":"http://127.0.0.1:8"}"#
                .to_vec(),
            None,
        ),
        (
            "POST",
            format!("{u}/v1/cluster/members"),
            br#"{"id":9223372036854775808,"peer_url":"http://127.0.0.1:9","client_url":"http://127.0.0.1:8"}"#.to_vec(),
            None,
        ),
        (
            "POST",
            format!("{u}/v1/cluster/members"),
            br#"{"id":0,"peer_url":"http://127.0.0.1:9","client_url":"http://127.0.0.1:8"}"#.to_vec(),
            None,
        ),
        (
            "POST",
            format!("{u}/v1/cluster/members"),
            br#"{"id":18446744073709551616,"peer_url":"http://127.0.0.1:9","client_url":"http://127.0.0.1:8"}"#
                .to_vec(),
            None,
        ),
        (
            "DELETE",
            format!("{u}/v1/cluster/members/18446744073709551616"),
            vec![],
            None,
        ),
        (
            "DELETE",
            format!("{u}/v1/cluster/members/18446744073709551615"),
            vec![],
            None,
        ),
        (
            "POST",
            format!("{u}/v1/cluster/transfer-leader"),
            br#"{"to":18446744073709551615}"#.to_vec(),
            None,
        ),
        ("GET", format!("{u}/v1/kv?limit=18446744073709551616"), vec![], None),
        ("GET", format!("{u}/v1/kv?limit=18446744073709551615"), vec![], None),
        (
            "PUT",
            format!("{u}/v1/kv/a?if_revision=18446744073709551616"),
            b"v".to_vec(),
            None,
        ),
        (
            "PUT",
            format!("{u}/v1/kv/a?ttl=18446744073709551615ms"),
            b"v".to_vec(),
            None,
        ),
        (
            "POST",
            format!("{u}/v1/txn"),
            br#"{"success":[{"put":{"key":"a","value":"v","ttl":"600000000y"}}]}"#.to_vec(),
            None,
        ),
        (
            "POST",
            format!("{u}/v1/txn"),
            br#"{"compare":[{"key":"a","mod_revision":18446744073709551616}]}"#.to_vec(),
            None,
        ),
        ("PUT", format!("{u}/v1/cluster/status"), vec![], None),
        ("GET", format!("{u}/v2/kv/a"), vec![], None),
        ("PUT", format!("{u}/v1/kv/big"), vec![b'x'; 1024 * 1024 + 1], None),
        (
            "POST",
            format!("{u}/v1/txn"),
            vec![b' '; 33 * 1024 * 1024],
            Some(("content-type", "application/json")),
        ),
    ];
    for (method, url, body, header) in cases {
        let what = format!("{method} {:.80}", url);
        let mut req = c.request(method.parse().unwrap(), &url).body(body);
        if let Some((k, v)) = header {
            req = req.header(k, v);
        }
        let resp = req.send().unwrap_or_else(|e| panic!("{what}: {e}"));
        let status = resp.status().as_u16();
        let text = resp.text().unwrap_or_default();
        assert_json_4xx(&what, status, &text);
    }

    // Bytes no HTTP client library would send.
    let (status, body) = raw(
        &node,
        b"GET /v1/kv/\xff\xfe HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    );
    // The HTTP layer refuses a request target that is not a valid URI
    // before any handler runs: its own 400, without a JSON body.
    assert_eq!(status, 400, "raw invalid UTF-8 path: {body}");
    // A body shorter than its Content-Length: the node stops waiting after
    // its read timeout and answers 408, well before this client gives up.
    let (status, body) = raw(
        &node,
        b"PUT /v1/kv/trunc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\nConnection: close\r\n\r\nshort",
    );
    assert_eq!(status, 408, "truncated body: {body}");
    assert_json_4xx("truncated body", status, &body);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"]["code"], "request_timeout", "{v}");

    // Nothing was written and the node is still well. (A fresh client: the
    // node has closed the old one's connections, idle for its read timeout.)
    let c = http();
    assert_eq!(c.get(node.kv_url("a")).send().unwrap().status(), 404);
    assert_eq!(c.get(node.kv_url("trunc")).send().unwrap().status(), 404);
    assert_eq!(c.get(format!("{u}/health")).send().unwrap().status(), 200);
    assert_eq!(c.put(node.kv_url("after")).body("ok").send().unwrap().status(), 200);
}
