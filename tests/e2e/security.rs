//! Issue 12: token auth with scopes on a real cluster, revocation on every
//! node (across restarts and a snapshot install), the cluster secret on
//! the peer port and on joins, no secret on disk or in logs, and every
//! route against every permission.

use std::path::Path;

use serde_json::{json, Value};

use crate::support::*;
use crate::support::{TEST_ROOT as ROOT, TEST_SECRET as SECRET};

/// `concord` against one node, with `token` (or none).
fn cli_as(node: &TestNode, token: Option<&str>) -> std::process::Command {
    let mut cmd = concord();
    cmd.arg("--endpoints").arg(node.url()).arg("--timeout").arg("15s");
    if let Some(t) = token {
        cmd.env("CONCORD_TOKEN", t);
    }
    cmd
}

fn exit(mut cmd: std::process::Command, args: &[&str]) -> (i32, String) {
    cmd.args(args);
    let out = run(cmd);
    (code(&out), String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Creates a token through the CLI (`-o json`); returns `(id, secret)`.
fn create_token(node: &TestNode, args: &[&str]) -> (String, String) {
    let mut cmd = cli_as(node, Some(ROOT));
    cmd.args(["token", "create"]).args(args);
    let created = cli_json(cmd);
    let id = created["id"].as_str().expect("id").to_string();
    let token = created["token"].as_str().expect("token").to_string();
    assert!(token.starts_with("concord_"), "{created}");
    (id, token)
}

/// Every file under `dir`, read as bytes.
fn files_under(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((path.display().to_string(), bytes));
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn scoped_tokens_and_revocation_hold_on_every_node_across_restarts_and_snapshots() {
    let mut cluster = TestCluster::join_with(3, &["--auth", "--snapshot-logs", "20"], secured);

    // No token: refused (exit 4) for a write and for a read.
    assert_eq!(exit(cli_as(&cluster.nodes[1], None), &["kv", "put", "app/x", "1"]).0, 4);
    assert_eq!(exit(cli_as(&cluster.nodes[2], None), &["kv", "get", "app/x"]).0, 4);
    // Root writes anywhere.
    for (k, v) in [("app/x", "1"), ("other/y", "2")] {
        assert_eq!(exit(cli_as(&cluster.nodes[1], Some(ROOT)), &["kv", "put", k, v]).0, 0);
    }

    let (read_id, read) = create_token(&cluster.nodes[0], &["--permissions", "read", "--prefix", "app/"]);
    let (rw_id, rw) = create_token(
        &cluster.nodes[0],
        &[
            "--permissions",
            "read,write",
            "--prefix",
            "app/",
            "--description",
            "app writer",
        ],
    );
    for node in &cluster.nodes {
        let (c, out) = exit(cli_as(node, Some(&read)), &["kv", "get", "app/x"]);
        assert_eq!(
            (c, out.as_str()),
            (0, "1"),
            "a read token reads app/x on node {:?}",
            node.id
        );
        assert_eq!(exit(cli_as(node, Some(&read)), &["kv", "put", "app/x", "9"]).0, 4);
        assert_eq!(exit(cli_as(node, Some(&read)), &["kv", "get", "other/y"]).0, 4);
        assert_eq!(exit(cli_as(node, Some(&read)), &["token", "create"]).0, 4);
    }

    // A transaction or batch with one key outside the scope is refused as
    // a whole; the same inside passes.
    let c = http();
    let post = |path: &str, token: &str, body: Value| {
        c.post(format!("{}{path}", cluster.nodes[2].url()))
            .bearer_auth(token)
            .json(&body)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    let txn = |second: &str| {
        json!({"compare": [{"key": "app/x", "value": "1"}],
               "success": [{"put": {"key": "app/t1", "value": "a"}}, {"put": {"key": second, "value": "b"}}],
               "failure": [{"get": {"key": "app/x"}}]})
    };
    assert_eq!(post("/v1/txn", &rw, txn("other/t2")), 403);
    let outside_compare = json!({"compare": [{"key": "other/y", "value": "2"}],
                                 "success": [{"put": {"key": "app/t3", "value": "a"}}]});
    assert_eq!(post("/v1/txn", &rw, outside_compare), 403);
    let batch = |second: &str| json!({"ops": [{"put": {"key": "app/b1", "value": "a"}}, {"delete": {"key": second}}]});
    assert_eq!(post("/v1/kv/batch", &rw, batch("other/y")), 403);
    for key in ["app/t1", "app/t3", "app/b1"] {
        assert_eq!(
            exit(cli_as(&cluster.nodes[0], Some(ROOT)), &["kv", "get", key]).0,
            3,
            "{key} must not have been written by a refused request"
        );
    }
    assert_eq!(
        exit(cli_as(&cluster.nodes[0], Some(ROOT)), &["kv", "get", "other/y"]).1,
        "2"
    );
    assert_eq!(post("/v1/txn", &rw, txn("app/t2")), 200);
    assert_eq!(post("/v1/kv/batch", &rw, batch("app/t2")), 200);

    // `token list` shows ids, never a secret.
    let (c0, listed) = exit(cli_as(&cluster.nodes[1], Some(ROOT)), &["token", "list", "-o", "json"]);
    assert_eq!(c0, 0);
    assert!(listed.contains(&read_id) && listed.contains("\"root\""), "{listed}");
    for secret in [&read, &rw] {
        let tail = &secret[secret.len() - 24..];
        assert!(!listed.contains(tail), "token list shows a secret: {listed}");
    }

    // Revoked: refused on every node.
    // A member refuses it once it has applied the revocation: the leader
    // at once, the others within moments.
    assert_eq!(
        exit(
            cli_as(&cluster.nodes[2], Some(ROOT)),
            &["token", "revoke", &read_id, "--yes"]
        )
        .0,
        0
    );
    for node in &cluster.nodes {
        eventually(&format!("node {:?} to refuse the revoked token", node.id), 10, || {
            let refused = exit(
                cli_as(node, Some(&read)),
                &["kv", "get", "app/x", "--consistency", "stale"],
            )
            .0 == 4;
            refused.then_some(())
        });
    }
    let revoked_at = cluster.nodes[0].info_u64("applied_index").unwrap();

    // ... after every node restarts,
    for node in &mut cluster.nodes {
        node.terminate();
        node.spawn();
    }
    for node in &mut cluster.nodes {
        node.wait_ready();
    }
    cluster.wait_voters(3);
    for node in &cluster.nodes {
        assert_eq!(
            exit(
                cli_as(node, Some(&read)),
                &["kv", "get", "app/x", "--consistency", "stale"]
            )
            .0,
            4
        );
        assert_eq!(exit(cli_as(node, Some(&rw)), &["kv", "get", "app/x"]).1, "1");
    }

    // ... and on a member that starts from a snapshot taken after it.
    let leader = cluster.leader();
    for i in 0..60 {
        let key = format!("app/fill{i:02}");
        assert_eq!(
            exit(cli_as(&cluster.nodes[leader], Some(ROOT)), &["kv", "put", &key, "v"]).0,
            0
        );
    }
    eventually("the log to be purged past the revocation", 30, || {
        let p = cluster.running().filter_map(|n| n.info_u64("purged_index")).min()?;
        (p > revoked_at).then_some(())
    });
    let seed = cluster.nodes[0].url();
    let mut fresh = TestNode::new(None, &["--auth", "--join", &seed]);
    secured(&mut fresh);
    fresh.spawn();
    fresh.wait_ready();
    eventually("the new member to install a snapshot past the revocation", 30, || {
        fresh.info_u64("snapshot_index").filter(|s| *s > revoked_at)
    });
    assert_eq!(
        exit(
            cli_as(&fresh, Some(&read)),
            &["kv", "get", "app/x", "--consistency", "stale"]
        )
        .0,
        4,
        "the revoked token works on a member restored from a snapshot"
    );
    assert_eq!(
        exit(
            cli_as(&fresh, Some(&rw)),
            &["kv", "get", "app/x", "--consistency", "stale"]
        )
        .1,
        "1"
    );
    // The new member's own token table (not the leader's): it came with the
    // snapshot, without the revoked token.
    let own: Value = fresh
        .authed(http().get(format!("{}/v1/tokens?consistency=stale", fresh.url())))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let ids: Vec<&str> = own["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert!(ids.contains(&rw_id.as_str()) && ids.contains(&"root"), "{own}");
    assert!(
        !ids.contains(&read_id.as_str()),
        "the snapshot carried a revoked token: {own}"
    );

    // No secret in any file under any data dir or in any log.
    let mut files = Vec::new();
    for node in cluster.nodes.iter().chain([&fresh]) {
        files_under(node.data_dir.parent().unwrap(), &mut files);
    }
    assert!(
        files.iter().any(|(p, _)| p.ends_with("audit.log")),
        "no audit log found"
    );
    for (path, bytes) in &files {
        for secret in [ROOT, SECRET, read.as_str(), rw.as_str()] {
            assert!(!contains(bytes, secret), "{path} holds a secret");
        }
    }
}

#[test]
fn the_peer_port_and_joins_need_the_cluster_secret() {
    let mut node = TestNode::new(Some(1), &[]);
    node.env.push(("CONCORD_CLUSTER_SECRET".into(), SECRET.into()));
    node.secret = Some(SECRET.into());
    node.spawn();
    node.wait_ready();
    let c = http();
    for (method, path) in [("POST", "/raft/vote"), ("POST", "/raft/append"), ("GET", "/raft/info")] {
        let url = format!("{}{path}", node.peer_url());
        let without = c
            .request(method.parse().unwrap(), &url)
            .send()
            .unwrap()
            .status()
            .as_u16();
        let wrong = c
            .request(method.parse().unwrap(), &url)
            .header("concord-cluster-secret", "not-the-secret-at-all")
            .send()
            .unwrap()
            .status()
            .as_u16();
        assert!(
            matches!(without, 401 | 403),
            "{method} {path} without the secret: {without}"
        );
        assert!(
            matches!(wrong, 401 | 403),
            "{method} {path} with a wrong secret: {wrong}"
        );
    }
    assert!(node.info().is_some(), "the right secret opens /raft/info");

    // A node with the wrong secret cannot join: it is refused and exits 2.
    let mut joiner = TestNode::new(None, &["--join", &node.url()]);
    joiner
        .env
        .push(("CONCORD_CLUSTER_SECRET".into(), "a-wrong-cluster-secret-42".into()));
    joiner.spawn();
    assert_eq!(joiner.wait_exit(60), Some(2), "log:\n{}", joiner.log());
    assert!(joiner.log().contains("refused the join"), "{}", joiner.log());
    let members: Value = node
        .authed(c.get(format!("{}/v1/cluster/members", node.url())))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(members.as_array().unwrap().len(), 1, "{members}");

    // A node without a secret never turns auth on for a peer-port caller.
    let bare = TestNode::start();
    let cluster_id = bare.info().unwrap()["cluster_id"].as_str().unwrap().to_string();
    let enable = c
        .post(format!("{}/raft/enable-auth", bare.peer_url()))
        .header("concord-cluster-id", cluster_id)
        .body(vec![0u8])
        .send()
        .unwrap();
    assert_eq!(enable.status(), 403);

    // --auth without a cluster secret is refused at start (exit 2).
    let mut open = TestNode::new(Some(1), &["--auth"]);
    open.spawn();
    assert_eq!(open.wait_exit(30), Some(2));
    assert!(open.log().contains("--auth needs a cluster secret"), "{}", open.log());
}

/// One row of the permission table: method, route as the router spells
/// it, concrete path, body, what it needs, and whether its key or prefix
/// lies under `app/`.
type Row = (&'static str, &'static str, String, Option<Value>, Needs, bool);

/// What a route needs, for the table below.
#[derive(Clone, Copy, Debug)]
enum Needs {
    Open,
    AnyToken,
    Read,
    Write,
    Admin,
}

/// The token classes the table tries on every route.
#[derive(Clone, Copy, Debug, PartialEq)]
enum As {
    Nobody,
    Reader,
    Writer,
    ScopedReader,
    /// `admin` limited to `app/`: reads and writes there, never administers.
    ScopedAdmin,
    Admin,
}

/// Does `who` pass a route that needs `needs` on a key under `app/`
/// (`in_scope`) or one outside it?
fn passes(who: As, needs: Needs, in_scope: bool) -> bool {
    match (needs, who) {
        (Needs::Open, _) => true,
        (_, As::Nobody) => false,
        (_, As::Admin) => true,
        (Needs::AnyToken, _) => true,
        (Needs::Read, As::Reader) => true,
        (Needs::Read, As::ScopedReader) => in_scope,
        (Needs::Read | Needs::Write, As::ScopedAdmin) => in_scope,
        (Needs::Write, As::Writer) => true,
        _ => false,
    }
}

/// Every route of the client API against every kind of token: 401 without
/// one, 403 without the permission or outside the scope, anything else
/// with it. The table must name every route the router has (checked
/// against `concord-node/src/http/mod.rs`).
#[test]
fn every_route_against_every_permission() {
    let node = {
        let mut n = TestNode::new(Some(1), &["--auth", "--max-auth-failures", "1000"]);
        secured(&mut n);
        n.spawn();
        n.wait_ready();
        n
    };
    let (_, reader) = create_token(&node, &["--permissions", "read"]);
    let (_, writer) = create_token(&node, &["--permissions", "write"]);
    let (_, scoped) = create_token(&node, &["--permissions", "read", "--prefix", "app/"]);
    let (_, scoped_admin) = create_token(&node, &["--permissions", "admin", "--prefix", "app/"]);
    let token_of = |who: As| match who {
        As::Nobody => None,
        As::Reader => Some(reader.clone()),
        As::Writer => Some(writer.clone()),
        As::ScopedReader => Some(scoped.clone()),
        As::ScopedAdmin => Some(scoped_admin.clone()),
        As::Admin => Some(ROOT.to_string()),
    };
    let put_body = json!({"ops": [{"put": {"key": "app/k", "value": "v"}}]});
    let txn_read = json!({"success": [{"get": {"key": "app/k"}}]});
    let table: Vec<Row> = vec![
        ("GET", "/health", "/health".into(), None, Needs::Open, true),
        ("GET", "/ready", "/ready".into(), None, Needs::Open, true),
        ("GET", "/metrics", "/metrics".into(), None, Needs::Open, true),
        (
            "GET",
            "/v1/openapi.json",
            "/v1/openapi.json".into(),
            None,
            Needs::Open,
            true,
        ),
        (
            "GET",
            "/v1/debug/digest",
            "/v1/debug/digest".into(),
            None,
            Needs::Read,
            false,
        ),
        (
            "GET",
            "/v1/cluster/status",
            "/v1/cluster/status".into(),
            None,
            Needs::AnyToken,
            true,
        ),
        (
            "GET",
            "/v1/cluster/members",
            "/v1/cluster/members".into(),
            None,
            Needs::AnyToken,
            true,
        ),
        ("GET", "/v1/kv", "/v1/kv?prefix=app/".into(), None, Needs::Read, true),
        ("GET", "/v1/kv", "/v1/kv?prefix=other/".into(), None, Needs::Read, false),
        ("GET", "/v1/kv/", "/v1/kv/".into(), None, Needs::Read, false),
        ("GET", "/v1/kv/batch", "/v1/kv/batch".into(), None, Needs::Read, false),
        ("GET", "/v1/kv/{*key}", "/v1/kv/app/k".into(), None, Needs::Read, true),
        (
            "GET",
            "/v1/kv/{*key}",
            "/v1/kv/other/k".into(),
            None,
            Needs::Read,
            false,
        ),
        (
            "GET",
            "/v1/export",
            "/v1/export?prefix=app/".into(),
            None,
            Needs::Read,
            true,
        ),
        ("GET", "/v1/export", "/v1/export".into(), None, Needs::Read, false),
        (
            "GET",
            "/v1/watch",
            "/v1/watch?prefix=app/".into(),
            None,
            Needs::Read,
            true,
        ),
        (
            "GET",
            "/v1/watch",
            "/v1/watch?key=app/k".into(),
            None,
            Needs::Read,
            true,
        ),
        ("GET", "/v1/watch", "/v1/watch?prefix=".into(), None, Needs::Read, false),
        ("GET", "/v1/snapshot", "/v1/snapshot".into(), None, Needs::Admin, false),
        ("GET", "/v1/tokens", "/v1/tokens".into(), None, Needs::Admin, true),
        (
            "DELETE",
            "/v1/kv",
            "/v1/kv?prefix=app/zz".into(),
            None,
            Needs::Write,
            true,
        ),
        ("PUT", "/v1/kv/", "/v1/kv/".into(), None, Needs::Write, false),
        ("DELETE", "/v1/kv/", "/v1/kv/".into(), None, Needs::Write, false),
        (
            "POST",
            "/v1/kv/batch",
            "/v1/kv/batch".into(),
            Some(put_body),
            Needs::Write,
            true,
        ),
        ("PUT", "/v1/kv/batch", "/v1/kv/batch".into(), None, Needs::Write, false),
        (
            "DELETE",
            "/v1/kv/batch",
            "/v1/kv/batch".into(),
            None,
            Needs::Write,
            false,
        ),
        ("PUT", "/v1/kv/{*key}", "/v1/kv/app/k".into(), None, Needs::Write, true),
        (
            "DELETE",
            "/v1/kv/{*key}",
            "/v1/kv/app/gone".into(),
            None,
            Needs::Write,
            true,
        ),
        ("POST", "/v1/txn", "/v1/txn".into(), Some(txn_read), Needs::Read, true),
        (
            "POST",
            "/v1/cluster/members",
            "/v1/cluster/members".into(),
            Some(json!({})),
            Needs::Admin,
            true,
        ),
        (
            "DELETE",
            "/v1/cluster/members/{id}",
            "/v1/cluster/members/99".into(),
            None,
            Needs::Admin,
            true,
        ),
        (
            "POST",
            "/v1/cluster/transfer-leader",
            "/v1/cluster/transfer-leader".into(),
            Some(json!({})),
            Needs::Admin,
            true,
        ),
        (
            "POST",
            "/v1/tokens",
            "/v1/tokens".into(),
            Some(json!({"permissions": ["read"]})),
            Needs::Admin,
            true,
        ),
        (
            "DELETE",
            "/v1/tokens/{id}",
            "/v1/tokens/nosuchtoken".into(),
            None,
            Needs::Admin,
            true,
        ),
        (
            "POST",
            "/v1/tokens/bootstrap",
            "/v1/tokens/bootstrap".into(),
            Some(json!({})),
            Needs::Open,
            true,
        ),
        (
            "POST",
            "/v1/debug/served-by",
            "/v1/debug/served-by".into(),
            Some(json!({})),
            Needs::AnyToken,
            true,
        ),
    ];

    // The table covers every route of the router.
    let router = include_str!("../../concord-node/src/http/mod.rs");
    for line in router.lines().map(str::trim).filter(|l| l.starts_with(".route(\"")) {
        let path = line.split('"').nth(1).unwrap();
        let methods: Vec<&str> = ["get(", "post(", "put(", "delete("]
            .into_iter()
            .filter(|m| line.contains(&format!(", {m}")) || line.contains(&format!(".{m}")))
            .collect();
        assert!(!methods.is_empty(), "cannot read the methods of {line}");
        for m in methods {
            let method = m.trim_end_matches('(').to_uppercase();
            assert!(
                table.iter().any(|(tm, route, ..)| *tm == method && *route == path),
                "the permission table lacks {method} {path}"
            );
        }
    }

    let c = http();
    let mut checked = 0;
    for (method, _, path, body, needs, in_scope) in &table {
        for who in [
            As::Nobody,
            As::Reader,
            As::Writer,
            As::ScopedReader,
            As::ScopedAdmin,
            As::Admin,
        ] {
            let mut req = c.request(method.parse().unwrap(), format!("{}{path}", node.url()));
            if let Some(t) = token_of(who) {
                req = req.bearer_auth(t);
            }
            req = match body {
                Some(b) => req.json(b),
                None if *method == "PUT" => req.body("v"),
                None => req,
            };
            let status = req.send().unwrap().status().as_u16();
            let pass = passes(who, *needs, *in_scope);
            let expected = if pass {
                "neither 401 nor 403"
            } else if who == As::Nobody {
                "401"
            } else {
                "403"
            };
            let ok = match (pass, who) {
                (true, _) => status != 401 && status != 403,
                (false, As::Nobody) => status == 401,
                (false, _) => status == 403,
            };
            assert!(ok, "{method} {path} as {who:?}: {status}, expected {expected}");
            checked += 1;
        }
    }
    assert_eq!(checked, table.len() * 6);
    // A failed authentication is audited with its outcome.
    let audit = std::fs::read_to_string(node.data_dir.join("audit.log")).unwrap();
    assert!(audit
        .lines()
        .any(|l| l.contains("\"status\":401") && l.contains("\"outcome\":\"denied\"")));
    assert!(!audit.contains(ROOT) && !audit.contains(&reader));
}

/// Failed authentications from one address are limited per minute (429,
/// exit 4); the limit is `--max-auth-failures`.
#[test]
fn repeated_bad_tokens_from_one_address_are_rate_limited() {
    let mut node = TestNode::new(Some(1), &["--auth", "--max-auth-failures", "3"]);
    secured(&mut node);
    node.spawn();
    node.wait_ready();
    let c = http();
    let statuses: Vec<u16> = (0..5)
        .map(|_| {
            c.get(node.kv_url("app/x"))
                .bearer_auth("concord_nosuch_000000000000")
                .send()
                .unwrap()
                .status()
                .as_u16()
        })
        .collect();
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
    let (code, _) = exit(cli_as(&node, Some(ROOT)), &["kv", "get", "app/x"]);
    assert_eq!(
        code, 4,
        "a good token from a limited address is refused too, until the minute ends"
    );
}

/// A CA and one certificate for 127.0.0.1 and localhost (server and
/// client use), written as PEM files: `(ca, cert, key)`.
fn test_certificates(dir: &Path) -> (String, String, String) {
    test_certificates_named(dir, "")
}

/// [`test_certificates`], with `tag` in the file names.
fn test_certificates_named(dir: &Path, tag: &str) -> (String, String, String) {
    let (ca, cert, key, _) = test_certificates_with(dir, tag, None);
    (ca, cert, key)
}

/// The CA, the certificate for 127.0.0.1 and localhost, and, when `other`
/// names hosts, a second certificate of the same CA for those: `(cert,
/// key)` files.
fn test_certificates_with(
    dir: &Path,
    tag: &str,
    other: Option<&[&str]>,
) -> (String, String, String, Option<(String, String)>) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "concord e2e CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let write = |name: String, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let leaf = |names: Vec<String>, file: &str| {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(names).unwrap();
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
        let cert = params.signed_by(&key, &ca_cert, &ca_key).unwrap();
        (
            write(format!("{file}{tag}.crt"), cert.pem()),
            write(format!("{file}{tag}.key"), key.serialize_pem()),
        )
    };
    let (cert, key) = leaf(vec!["127.0.0.1".into(), "localhost".into()], "node");
    let other = other.map(|names| leaf(names.iter().map(|n| n.to_string()).collect(), "other"));
    (write(format!("ca{tag}.pem"), ca_cert.pem()), cert, key, other)
}

/// The auth cluster again, on HTTPS for clients and mutual TLS between
/// peers, with certificates made here; the CLI trusts it with `--cacert`.
#[test]
fn a_tls_cluster_with_mutual_peer_tls_serves_the_cli_with_cacert() {
    let certs = tempfile::tempdir().unwrap();
    let (ca, cert, key, other) = test_certificates_with(certs.path(), "", Some(&["evil.example"]));
    let (other_cert, other_key) = other.unwrap();
    let tls = [
        "--auth",
        "--tls-cert",
        &cert,
        "--tls-key",
        &key,
        "--peer-tls-cert",
        &cert,
        "--peer-tls-key",
        &key,
        "--peer-trusted-ca",
        &ca,
    ];
    let https = |port: u16| format!("https://127.0.0.1:{port}");
    let cli = |endpoints: &str| {
        let mut cmd = concord();
        cmd.args(["--cacert", &ca, "--endpoints", endpoints, "--timeout", "15s"])
            .env("CONCORD_TOKEN", ROOT);
        cmd
    };
    let mut nodes = vec![TestNode::new(Some(1), &tls)];
    secured(&mut nodes[0]);
    nodes[0].spawn();
    let first = https(nodes[0].client_port);
    eventually("the first TLS node to take a write", 30, || {
        (exit(cli(&first), &["kv", "put", "tls/k", "v1"]).0 == 0).then_some(())
    });
    for _ in 0..2 {
        let mut args = tls.to_vec();
        args.extend(["--join", first.as_str()]);
        let mut node = TestNode::new(None, &args);
        secured(&mut node);
        node.spawn();
        nodes.push(node);
    }
    let endpoints = nodes.iter().map(|n| https(n.client_port)).collect::<Vec<_>>().join(",");
    eventually("three TLS voters with https URLs", 60, || {
        let mut cmd = cli(&endpoints);
        cmd.args(["cluster", "members", "-o", "json"]);
        let out = run(cmd);
        let members: Value = serde_json::from_slice(&out.stdout).ok()?;
        let list = members.as_array()?;
        let ok = list.len() == 3
            && list.iter().all(|m| {
                m["role"] != "learner"
                    && m["client_url"].as_str().is_some_and(|u| u.starts_with("https://"))
                    && m["peer_url"].as_str().is_some_and(|u| u.starts_with("https://"))
            });
        ok.then_some(())
    });
    assert_eq!(exit(cli(&endpoints), &["kv", "put", "tls/k", "v2"]).0, 0);
    for node in &nodes {
        // Linearizable: a follower relays to the leader over HTTPS.
        let (code, out) = exit(cli(&https(node.client_port)), &["kv", "get", "tls/k"]);
        assert_eq!((code, out.as_str()), (0, "v2"), "node {:?}", node.id);
    }

    // Without --cacert the CLI does not trust the cluster.
    let mut untrusting = concord();
    untrusting
        .args(["--endpoints", &first, "--timeout", "2s", "kv", "get", "tls/k"])
        .env("CONCORD_TOKEN", ROOT);
    let refused = run(untrusting);
    assert_eq!(code(&refused), 5, "{}", stderr(&refused));
    // Plain HTTP reaches nothing on either listener.
    let plain = http_with_timeout(std::time::Duration::from_secs(3));
    let answered = |url: String| plain.get(url).send().is_ok_and(|r| r.status().is_success());
    assert!(!answered(format!("http://127.0.0.1:{}/health", nodes[0].client_port)));
    assert!(!answered(format!("http://127.0.0.1:{}/raft/info", nodes[0].peer_port)));
    // The peer port wants a client certificate of the CA, then the secret.
    let ca_cert = reqwest::Certificate::from_pem(&std::fs::read(&ca).unwrap()).unwrap();
    let peer_info = format!("https://127.0.0.1:{}/raft/info", nodes[0].peer_port);
    let no_identity = reqwest::blocking::Client::builder()
        .add_root_certificate(ca_cert.clone())
        .build()
        .unwrap();
    assert!(
        no_identity.get(&peer_info).send().is_err(),
        "the peer port took a TLS client without a certificate"
    );
    let mut pem = std::fs::read(&cert).unwrap();
    pem.extend(std::fs::read(&key).unwrap());
    let member = reqwest::blocking::Client::builder()
        .add_root_certificate(ca_cert)
        .identity(reqwest::Identity::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    assert_eq!(member.get(&peer_info).send().unwrap().status(), 401, "no secret");
    let with_secret = member
        .get(&peer_info)
        .header("concord-cluster-secret", SECRET)
        .send()
        .unwrap();
    assert_eq!(with_secret.status(), 200);
    // Another certificate of the same CA, naming no member's host, is not
    // a member's, secret or not.
    let mut pem = std::fs::read(&other_cert).unwrap();
    pem.extend(std::fs::read(&other_key).unwrap());
    let stranger = reqwest::blocking::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&std::fs::read(&ca).unwrap()).unwrap())
        .identity(reqwest::Identity::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let refused = stranger
        .get(&peer_info)
        .header("concord-cluster-secret", SECRET)
        .send()
        .unwrap();
    assert_eq!(refused.status(), 403);
}

/// A certificate pair replaced on disk is served after SIGHUP: clients
/// that trust only the new CA get through, those that trust only the old
/// one no longer do.
#[test]
fn the_client_certificate_is_reloaded_on_sighup() {
    let dir = tempfile::tempdir().unwrap();
    let (old_ca, cert, key) = test_certificates(dir.path());
    let (new_ca, new_cert, new_key) = test_certificates_named(dir.path(), "-new");
    let mut node = TestNode::new(Some(1), &["--tls-cert", &cert, "--tls-key", &key]);
    node.spawn();
    let url = format!("https://127.0.0.1:{}", node.client_port);
    let get = |ca: &str| {
        let mut cmd = concord();
        cmd.args(["--cacert", ca, "--endpoints", &url, "--timeout", "2s", "kv", "get", "k"]);
        code(&run(cmd))
    };
    // Exit 3 (not found): the TLS connection worked.
    eventually("the node to serve HTTPS", 30, || (get(&old_ca) == 3).then_some(()));
    assert_ne!(get(&new_ca), 3);
    std::fs::copy(&new_cert, &cert).unwrap();
    std::fs::copy(&new_key, &key).unwrap();
    node.send_signal("HUP");
    eventually("the node to serve the new certificate", 10, || {
        (get(&new_ca) == 3).then_some(())
    });
    assert_ne!(get(&old_ca), 3, "the old certificate is still served");
    assert!(node.log().contains("reloaded the TLS certificate"), "{}", node.log());
}

/// A member started with `--auth` that is not the leader asks the leader
/// (over the peer port, with the cluster secret) to turn auth on, with its
/// root token: the whole cluster then refuses calls without a token,
/// including the leader, which was started without `--auth`.
#[test]
fn a_member_started_with_auth_turns_it_on_through_the_leader() {
    let mut first = TestNode::new(Some(1), &[]);
    first.env.push(("CONCORD_CLUSTER_SECRET".into(), SECRET.into()));
    first.secret = Some(SECRET.into());
    first.spawn();
    first.wait_ready();
    assert_eq!(exit(cli_as(&first, None), &["kv", "put", "before", "1"]).0, 0);
    let mut second = TestNode::new(None, &["--auth", "--join", &first.url()]);
    secured(&mut second);
    second.spawn();
    // Ready only once the cluster has auth on, with this node's root token.
    second.wait_ready();
    assert_eq!(first.info_u64("leader_id"), Some(1), "node 1 led throughout");
    assert_eq!(exit(cli_as(&first, None), &["kv", "get", "before"]).0, 4);
    assert_eq!(exit(cli_as(&first, Some(ROOT)), &["kv", "get", "before"]).1, "1");
    assert_eq!(exit(cli_as(&second, Some(ROOT)), &["kv", "get", "before"]).1, "1");
}
