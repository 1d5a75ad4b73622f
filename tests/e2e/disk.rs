//! Disk full: a node on a small tmpfs refuses writes with a clear error
//! before the Raft log can hit a full disk, keeps serving reads and
//! deletes, loses and corrupts nothing, and accepts writes again as soon as
//! space is freed. Mounting needs root: CI runs as root; elsewhere the test
//! says it was skipped (and fails when `CI` is set).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::{http, TestNode};

struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(dir.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_refuses_writes_cleanly_and_recovers() {
    // The reserve must cover what fjall may still flush from memory once
    // writes stop: 48 MiB here, with about 32 MiB of room to fill.
    let mut node = TestNode::new(Some(1), &["--min-free-space", "50331648"]);
    let mnt = node.data_dir.with_file_name("mnt");
    let Some(_fs) = Tmpfs::mount(&mnt, "128m") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must be able to mount a tmpfs (run as root)"
        );
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
    };
    node.data_dir = mnt.join("data");
    node.spawn();
    node.wait_ready();
    let c = http();

    // Leave about 80 MiB free, then write 64 KiB values until refused.
    let filler = mnt.join("filler");
    let free_now = fs_free(&mnt);
    let filler_len = free_now.saturating_sub(80 * 1024 * 1024);
    std::fs::write(&filler, vec![0u8; filler_len as usize]).unwrap();
    let value = vec![b'v'; 64 * 1024];
    let mut acked = Vec::new();
    let mut refusal = None;
    for i in 0..2000 {
        let key = format!("fill/{i:05}");
        let resp = c.put(node.kv_url(&key)).body(value.clone()).send().unwrap();
        match resp.status().as_u16() {
            200 => acked.push(key),
            507 => {
                refusal = Some(resp.json::<Value>().unwrap());
                break;
            }
            other => panic!(
                "write {i}: unexpected {other}: {}; log:\n{}",
                resp.text().unwrap_or_default(),
                node.log()
            ),
        }
    }
    let refusal = refusal.expect("writes were never refused as the disk filled");
    assert_eq!(refusal["error"]["code"], "insufficient_storage", "{refusal}");
    assert!(!acked.is_empty());

    // Reads, deletes and the CLI's exit code while full.
    let first = &acked[0];
    assert_eq!(
        c.get(node.kv_url(first)).send().unwrap().bytes().unwrap().len(),
        value.len()
    );
    let mut cmd = node.cli();
    cmd.args(["kv", "put", "more", "x"]);
    let out = crate::support::run(cmd);
    assert_eq!(crate::support::code(&out), 5, "{}", crate::support::stderr(&out));
    assert!(crate::support::stderr(&out).contains("insufficient_storage"));
    let last = acked.pop().unwrap();
    assert_eq!(
        c.delete(node.kv_url(&last)).send().unwrap().status(),
        200,
        "deletes pass"
    );

    // Free space: writes are accepted again, without a restart.
    std::fs::remove_file(&filler).unwrap();
    assert_eq!(c.put(node.kv_url("after")).body("ok").send().unwrap().status(), 200);

    // And nothing was lost or corrupted, across a kill -9 too.
    node.kill9();
    node.spawn();
    node.wait_ready();
    for key in &acked {
        let r = c.get(node.kv_url(key)).send().unwrap();
        assert_eq!(r.status(), 200, "{key} lost");
        assert_eq!(r.bytes().unwrap().len(), value.len(), "{key} changed");
    }
    assert_eq!(c.get(node.kv_url(&last)).send().unwrap().status(), 404);
    assert_eq!(c.get(node.kv_url("after")).send().unwrap().text().unwrap(), "ok");
    node.kill9();
}

fn fs_free(path: &Path) -> u64 {
    let out = Command::new("df")
        .args(["-B1", "--output=avail"])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .expect("df output")
}
