//! Executable docs: the trycmd cases under `tests/cmd/` pin what the
//! `concord` binary prints and how it exits. `tests/cmd/*.trycmd` need no
//! cluster (help, usage errors); `tests/cmd/auth/*.trycmd` run against a
//! node with `--auth` (as root); `tests/cmd/live/*.trycmd` run against one
//! real node this test starts on free loopback ports (`CONCORD_ENDPOINTS`
//! points at it; `[URL]` stands for its URL in the cases, `[PEER]` for its
//! peer URL). Help shows no environment values
//! (`hide_env_values`), so the developer's own `CONCORD_*` variables do not
//! change it.
//!
//! After a deliberate change of output: `TRYCMD=overwrite cargo test -p
//! concord-cli --test cmd`, then read the diff.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `concord node start` on free ports in a temp dir, killed on drop.
struct Node {
    child: Child,
    url: String,
    peer_url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start_node(auth: bool) -> Node {
    let dir = tempfile::tempdir().unwrap();
    let (client, peer) = (free_port(), free_port());
    let mut node = Command::new(env!("CARGO_BIN_EXE_concord"));
    node.args(["node", "start"]).env_remove("CONCORD_ROOT_TOKEN");
    if auth {
        node.arg("--auth")
            .env("CONCORD_CLUSTER_SECRET", "cmd-cluster-secret-abcdefghijklmnop");
    } else {
        node.env_remove("CONCORD_CLUSTER_SECRET");
    }
    let child = node
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["--listen-client", &format!("127.0.0.1:{client}")])
        .args(["--listen-peer", &format!("127.0.0.1:{peer}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start concord node");
    let node = Node {
        child,
        url: format!("http://127.0.0.1:{client}"),
        peer_url: format!("http://127.0.0.1:{peer}"),
        _dir: dir,
    };
    if auth {
        // No token yet for `cluster wait`: poll `GET /ready` (open to all).
        let deadline = Instant::now() + Duration::from_secs(60);
        while !ready(client) {
            assert!(Instant::now() < deadline, "the node never became ready");
            std::thread::sleep(Duration::from_millis(100));
        }
        return node;
    }
    // Ready when `cluster wait --ready` says so (it polls /ready itself).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let out = Command::new(env!("CARGO_BIN_EXE_concord"))
            .args([
                "cluster",
                "wait",
                "--ready",
                "--timeout",
                "5s",
                "--endpoints",
                &node.url,
            ])
            .env("CONCORD_CONFIG", "/nonexistent/concord-cmd/config.toml")
            .output()
            .unwrap();
        if out.status.success() {
            return node;
        }
        assert!(Instant::now() < deadline, "the node never became ready");
    }
}

/// Does the node on `port` answer `GET /ready` with 200?
fn ready(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!("GET /ready HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    let mut answer = String::new();
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_to_string(&mut answer).is_ok()
        && answer.starts_with("HTTP/1.1 200")
}

/// The environment every case runs in: nothing from the developer's shell.
fn cases() -> trycmd::TestCases {
    let cases = trycmd::TestCases::new();
    cases
        .env("CONCORD_CONFIG", "/nonexistent/concord-cmd/config.toml")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env("CONCORD_ENDPOINTS", "http://127.0.0.1:9")
        .env("CONCORD_CONTEXT", "")
        .env("CI", "")
        .default_bin_path(env!("CARGO_BIN_EXE_concord"));
    cases
}

#[test]
fn help_and_usage_errors() {
    cases().case("tests/cmd/*.trycmd");
}

#[test]
fn commands_against_a_live_node() {
    let node = start_node(false);
    let cases = cases();
    cases
        .env("CONCORD_ENDPOINTS", node.url.clone())
        .insert_var("[URL]", node.url.clone())
        .unwrap()
        .insert_var("[PEER]", node.peer_url.clone())
        .unwrap();
    cases.case("tests/cmd/live/*.trycmd");
    cases.run();
}

/// Tokens against a node with `--auth` and no root token given: the test
/// bootstraps the root token with `token bootstrap -o yaml` (parsed here),
/// then the cases run as root: the JSON shapes of `token create` and
/// `token list`, exit 6 for a second bootstrap, exit 4 for a token the
/// cluster does not know.
#[test]
fn token_commands_against_a_live_node_with_auth() {
    let node = start_node(true);
    // The node is ready; a refusal for want of a leader (exit 5) is retried.
    let deadline = Instant::now() + Duration::from_secs(60);
    let out = loop {
        let out = Command::new(env!("CARGO_BIN_EXE_concord"))
            .args([
                "token",
                "bootstrap",
                "-o",
                "yaml",
                "--timeout",
                "5s",
                "--endpoints",
                &node.url,
            ])
            .env("CONCORD_CONFIG", "/nonexistent/concord-cmd/config.toml")
            .env_remove("CONCORD_TOKEN")
            .output()
            .unwrap();
        if out.status.code() != Some(5) || Instant::now() > deadline {
            break out;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let created: std::collections::BTreeMap<String, serde_norway::Value> =
        serde_norway::from_slice(&out.stdout).expect("token bootstrap -o yaml");
    assert_eq!(created["id"], serde_norway::Value::from("root"));
    let root = created["token"].as_str().expect("the root token").to_owned();
    let cases = cases();
    cases
        .env("CONCORD_ENDPOINTS", node.url.clone())
        .env("CONCORD_TOKEN", root)
        .insert_var("[URL]", node.url.clone())
        .unwrap();
    cases.case("tests/cmd/auth/*.trycmd");
    cases.run();
}
