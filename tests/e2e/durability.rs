//! Crash durability and data-directory ownership.

use std::time::{Duration, Instant};

use crate::support::{code, http, run, stderr, TestNode};

#[test]
fn acknowledged_writes_survive_kill_9() {
    let mut node = TestNode::start();
    let c = http();
    let mut acked = Vec::new();
    for i in 0..40 {
        let key = format!("durable/{i:02}");
        let value = format!("value-{i}-{}", i * 7919);
        let resp = c.put(node.kv_url(&key)).body(value.clone()).send().unwrap();
        assert_eq!(resp.status(), 200, "write {i} not acknowledged");
        acked.push((key, value));
    }
    // No shutdown code runs: whatever was acknowledged must be on disk.
    node.kill9();
    node.spawn();
    node.wait_ready();
    for (key, value) in &acked {
        let resp = c.get(node.kv_url(key)).send().unwrap();
        assert_eq!(resp.status(), 200, "acknowledged write {key} lost after kill -9");
        assert_eq!(resp.text().unwrap(), *value, "{key}");
    }
    // Stale reads agree once the node is ready.
    for (key, value) in &acked {
        let resp = c.get(format!("{}?consistency=stale", node.kv_url(key))).send().unwrap();
        assert_eq!(resp.text().unwrap(), *value, "{key} (stale)");
    }
}

#[test]
fn a_second_process_on_the_same_data_dir_is_refused() {
    let node = TestNode::start();
    let c = http();
    c.put(node.kv_url("k")).body("v").send().unwrap();

    let mut second = crate::support::concord();
    second.args([
        "node",
        "start",
        "--data-dir",
        &node.data_dir.display().to_string(),
        "--listen-client",
        &format!("127.0.0.1:{}", crate::support::free_port()),
        "--listen-peer",
        &format!("127.0.0.1:{}", crate::support::free_port()),
    ]);
    let started = Instant::now();
    let out = run(second);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("in use by another concord process"),
        "{}",
        stderr(&out)
    );
    assert!(started.elapsed() < Duration::from_secs(10));

    // The first node is untouched.
    assert_eq!(c.get(node.kv_url("k")).send().unwrap().text().unwrap(), "v");
}

#[test]
fn sigterm_stops_cleanly_and_data_stays() {
    let mut node = TestNode::start();
    let c = http();
    c.put(node.kv_url("k")).body("before").send().unwrap();
    let status = node.terminate();
    assert!(status.success(), "SIGTERM exit: {status}; log:\n{}", node.log());
    node.spawn();
    node.wait_ready();
    assert_eq!(c.get(node.kv_url("k")).send().unwrap().text().unwrap(), "before");
}

#[test]
fn config_file_settings_apply_and_flags_win() {
    let dir = tempfile::tempdir().unwrap();
    let client = crate::support::free_port();
    let other = crate::support::free_port();
    let peer = crate::support::free_port();
    let config = dir.path().join("node.toml");
    std::fs::write(
        &config,
        format!(
            "id = 1\ndata-dir = \"{}\"\nlisten-client = \"127.0.0.1:{other}\"\nlisten-peer = \"127.0.0.1:{peer}\"\nmax-value-size = 10\n",
            dir.path().join("data").display()
        ),
    )
    .unwrap();
    let mut child = crate::support::concord()
        .args(["node", "start", "--config"])
        .arg(&config)
        .args(["--listen-client", &format!("127.0.0.1:{client}")])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let c = http();
    let url = format!("http://127.0.0.1:{client}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while c
        .get(format!("{url}/ready"))
        .send()
        .map(|r| r.status() != 200)
        .unwrap_or(true)
    {
        assert!(Instant::now() < deadline, "node with config file not ready");
        std::thread::sleep(Duration::from_millis(50));
    }
    // max-value-size from the file applies.
    let status = c
        .put(format!("{url}/v1/kv/k"))
        .body("01234567890")
        .send()
        .unwrap()
        .status();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 413);
    assert!(
        dir.path().join("data").join("LOCK").exists(),
        "data-dir from the file used"
    );

    // An unknown key in the file is a usage error.
    std::fs::write(&config, "colour = \"blue\"\n").unwrap();
    let mut bad = crate::support::concord();
    bad.args(["node", "start", "--config"]).arg(&config);
    let out = run(bad);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("colour"), "{}", stderr(&out));
}
