//! The lazyfs binary end to end: a real mount, real writes through the
//! kernel, a real `kill -USR1`.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Mounted {
    child: Child,
    backing: PathBuf,
    mount: PathBuf,
    log: PathBuf,
    _root: tempfile::TempDir,
}

fn fuse_available() -> bool {
    if Path::new("/dev/fuse").exists() {
        return true;
    }
    assert!(
        std::env::var("CONCORD_NO_FUSE").as_deref() == Ok("1"),
        "/dev/fuse is missing: lazyfs needs FUSE (set CONCORD_NO_FUSE=1 to skip)"
    );
    false
}

fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn kill(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(ok.success());
}

impl Mounted {
    fn start() -> Mounted {
        let root = tempfile::tempdir().unwrap();
        let (backing, mount, log) = (root.path().join("b"), root.path().join("m"), root.path().join("log"));
        fs::create_dir(&backing).unwrap();
        fs::create_dir(&mount).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_lazyfs"))
            .arg("--backing")
            .arg(&backing)
            .arg("--mount")
            .arg(&mount)
            .stderr(File::create(&log).unwrap())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let m = Mounted {
            child,
            backing,
            mount,
            log,
            _root: root,
        };
        wait_for("the mount", || m.stderr().contains("lazyfs: serving"));
        m
    }

    /// The log's complete lines: a line still being written is left out.
    fn stderr(&self) -> String {
        let mut log = fs::read_to_string(&self.log).unwrap_or_default();
        log.truncate(log.rfind('\n').map_or(0, |end| end + 1));
        log
    }

    fn power_cut(&self) -> String {
        let before = self.stderr().matches("power cut").count();
        kill(&self.child, "USR1");
        wait_for("the cut's report", || {
            self.stderr().matches("power cut").count() > before
        });
        self.stderr()
            .lines()
            .rfind(|l| l.contains("power cut"))
            .unwrap()
            .to_string()
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        // A lazyfs that does not stop within 10 s is killed and its mount
        // detached.
        let deadline = Instant::now() + Duration::from_secs(10);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mounts = fs::read_to_string("/proc/self/mounts").unwrap_or_default();
        if mounts.contains(&self.mount.display().to_string()) {
            let _ = Command::new("fusermount3").arg("-uz").arg(&self.mount).status();
        }
    }
}

fn sync_dir(dir: &Path) {
    File::open(dir).unwrap().sync_all().unwrap();
}

#[test]
fn unsynced_bytes_are_gone_after_a_power_cut_and_synced_ones_stay() {
    if !fuse_available() {
        return;
    }
    let m = Mounted::start();
    let (file, backed) = (m.mount.join("f"), m.backing.join("f"));
    let mut f = File::create(&file).unwrap();
    f.write_all(b"synced").unwrap();
    f.sync_all().unwrap();
    sync_dir(&m.mount);
    f.write_all(b" and lost").unwrap();
    drop(f);
    assert_eq!(fs::read(&file).unwrap(), b"synced and lost", "reads see unsynced bytes");
    assert_eq!(
        fs::read(&backed).unwrap(),
        b"synced",
        "unsynced bytes never reach the backing dir"
    );

    let report = m.power_cut();
    assert_eq!(
        report,
        "lazyfs: power cut: dropped 9 bytes in 1 files, 0 directory changes"
    );
    assert_eq!(fs::read(&file).unwrap(), b"synced", "the mount after the cut");
    assert_eq!(fs::read(&backed).unwrap(), b"synced", "the backing dir after the cut");

    // With an fsync between the write and the cut, the bytes stay.
    let mut f = OpenOptions::new().append(true).open(&file).unwrap();
    f.write_all(b" and kept").unwrap();
    f.sync_data().unwrap();
    drop(f);
    m.power_cut();
    assert_eq!(fs::read(&file).unwrap(), b"synced and kept");
    assert_eq!(fs::read(&backed).unwrap(), b"synced and kept");
}

#[test]
fn a_rename_without_a_directory_sync_is_undone_by_a_power_cut() {
    if !fuse_available() {
        return;
    }
    let m = Mounted::start();
    fs::write(m.mount.join("current"), b"old").unwrap();
    File::open(m.mount.join("current")).unwrap().sync_all().unwrap();
    sync_dir(&m.mount);
    // The atomic-replace pattern, minus the directory fsync.
    let mut tmp = File::create(m.mount.join("tmp")).unwrap();
    tmp.write_all(b"new").unwrap();
    tmp.sync_all().unwrap();
    drop(tmp);
    fs::rename(m.mount.join("tmp"), m.mount.join("current")).unwrap();
    fs::create_dir(m.mount.join("dir")).unwrap();
    assert_eq!(fs::read(m.mount.join("current")).unwrap(), b"new");

    let report = m.power_cut();
    assert!(report.ends_with("2 directory changes"), "{report}");
    assert_eq!(fs::read(m.mount.join("current")).unwrap(), b"old");
    assert!(!m.mount.join("dir").exists() && !m.backing.join("dir").exists());
    assert!(!m.mount.join("tmp").exists());

    // With the directory synced, the replacement is durable.
    fs::write(m.mount.join("tmp"), b"new").unwrap();
    File::open(m.mount.join("tmp")).unwrap().sync_all().unwrap();
    fs::rename(m.mount.join("tmp"), m.mount.join("current")).unwrap();
    sync_dir(&m.mount);
    m.power_cut();
    assert_eq!(fs::read(m.mount.join("current")).unwrap(), b"new");
    assert_eq!(fs::read(m.backing.join("current")).unwrap(), b"new");
}

#[test]
fn sigterm_unmounts_cleanly() {
    if !fuse_available() {
        return;
    }
    let mut m = Mounted::start();
    kill(&m.child, "TERM");
    let status = m.child.wait().unwrap();
    assert!(status.success(), "{status}: {}", m.stderr());
    let mounts = fs::read_to_string("/proc/self/mounts").unwrap();
    assert!(!mounts.contains(&m.mount.display().to_string()), "still mounted");
}
