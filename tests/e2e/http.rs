//! The HTTP API with a plain HTTP client, as curl or any language would use it.

use reqwest::StatusCode;

use crate::support::{http, random_bytes, TestNode};

fn error_code(resp: reqwest::blocking::Response) -> (StatusCode, String, String) {
    let status = resp.status();
    let v: serde_json::Value = resp.json().expect("JSON error body");
    (
        status,
        v["error"]["code"].as_str().expect("error.code").to_string(),
        v["error"]["message"].as_str().expect("error.message").to_string(),
    )
}

#[test]
fn put_get_delete_over_http() {
    let node = TestNode::start();
    let c = http();

    // Any Content-Type: the body is the raw value.
    let resp = c
        .put(node.kv_url("app/config"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("a=1&b=2")
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: serde_json::Value = resp.json().unwrap();
    let rev1 = v["revision"].as_u64().expect("revision");

    let resp = c.get(node.kv_url("app/config")).send().unwrap();
    assert_eq!(resp.status(), 200);
    let h = |name: &str| resp.headers()[name].to_str().unwrap().parse::<u64>().unwrap();
    assert_eq!(h("concord-revision"), rev1);
    assert_eq!(h("concord-create-revision"), rev1);
    assert_eq!(h("concord-version"), 1);
    assert_eq!(resp.bytes().unwrap().as_ref(), b"a=1&b=2");

    let rev2 = c
        .put(node.kv_url("app/config"))
        .body("a=3")
        .send()
        .unwrap()
        .json::<serde_json::Value>()
        .unwrap()["revision"]
        .as_u64()
        .unwrap();
    let resp = c.get(node.kv_url("app/config")).send().unwrap();
    assert_eq!(resp.headers()["concord-revision"].to_str().unwrap(), rev2.to_string());
    assert_eq!(
        resp.headers()["concord-create-revision"].to_str().unwrap(),
        rev1.to_string()
    );
    assert_eq!(resp.headers()["concord-version"].to_str().unwrap(), "2");

    // Stale reads serve the same committed data on a single node.
    let resp = c
        .get(format!("{}?consistency=stale", node.kv_url("app/config")))
        .send()
        .unwrap();
    assert_eq!(resp.text().unwrap(), "a=3");

    let resp = c.delete(node.kv_url("app/config")).send().unwrap();
    assert_eq!(resp.status(), 200);
    let v: serde_json::Value = resp.json().unwrap();
    assert_eq!(v["deleted"], 1);
    assert!(v["revision"].as_u64().unwrap() > rev2);

    let (status, code, _) = error_code(c.get(node.kv_url("app/config")).send().unwrap());
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"));
    let (status, code, _) = error_code(c.delete(node.kv_url("app/config")).send().unwrap());
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"));

    // A deleted then re-created key starts a new life.
    c.put(node.kv_url("app/config")).body("again").send().unwrap();
    let resp = c.get(node.kv_url("app/config")).send().unwrap();
    assert_eq!(resp.headers()["concord-version"].to_str().unwrap(), "1");
}

#[test]
fn binary_value_over_http_is_byte_exact() {
    let node = TestNode::start();
    let blob = random_bytes(300 * 1024);
    let c = http();
    assert_eq!(
        c.put(node.kv_url("blob")).body(blob.clone()).send().unwrap().status(),
        200
    );
    let got = c.get(node.kv_url("blob")).send().unwrap().bytes().unwrap();
    assert!(got.as_ref() == blob.as_slice(), "300 KB value changed");
}

#[test]
fn invalid_input_gets_json_4xx_and_the_node_stays_up() {
    let node = TestNode::start();
    let c = http();

    let (status, code, msg) = error_code(c.put(node.kv_url("")).body("v").send().unwrap());
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_key"),
        "{msg}"
    );

    let long = "k".repeat(4097);
    let (status, code, msg) = error_code(c.put(node.kv_url(&long)).body("v").send().unwrap());
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_key"),
        "{msg}"
    );
    assert!(msg.contains("4096"), "{msg}");
    // 4096 bytes exactly is allowed.
    assert_eq!(
        c.put(node.kv_url(&"k".repeat(4096))).body("v").send().unwrap().status(),
        200
    );

    // Invalid UTF-8 after percent-decoding.
    let (status, code, _) = error_code(c.put(node.kv_url("%FF%FE")).body("v").send().unwrap());
    assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "invalid_key"));

    // Default limit: 1 MiB.
    let big = vec![0u8; 1024 * 1024 + 1];
    let (status, code, _) = error_code(c.put(node.kv_url("big")).body(big).send().unwrap());
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "value_too_large")
    );
    assert_eq!(
        c.put(node.kv_url("big"))
            .body(vec![0u8; 1024 * 1024])
            .send()
            .unwrap()
            .status(),
        200
    );

    let (status, code, _) = error_code(
        c.get(format!("{}?consistency=sometimes", node.kv_url("k")))
            .send()
            .unwrap(),
    );
    assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "invalid_argument"));

    let (status, code, _) = error_code(c.post(node.kv_url("k")).body("v").send().unwrap());
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );

    let (status, code, _) = error_code(c.get(format!("{}/v2/nothing", node.url())).send().unwrap());
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "no_route"));

    assert_eq!(c.get(format!("{}/health", node.url())).send().unwrap().status(), 200);
    assert_eq!(c.get(format!("{}/ready", node.url())).send().unwrap().status(), 200);
}
