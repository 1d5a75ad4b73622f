//! [`LazyDisk`]: a `lazyfs` mount (the workspace tool in `tests/lazyfs/`)
//! for a node's data directory, whose [`LazyDisk::power_cut`] drops every
//! byte and directory change that was not fsynced.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::support::eventually;

/// Whether this machine can run the power-loss tests. Without `/dev/fuse`
/// they are skipped only when `CONCORD_NO_FUSE=1` says so (`.ci/run` sets
/// it, and says so loudly); otherwise they fail, never silently pass.
pub fn fuse_available() -> bool {
    if Path::new("/dev/fuse").exists() {
        return true;
    }
    assert!(
        std::env::var("CONCORD_NO_FUSE").as_deref() == Ok("1"),
        "/dev/fuse is missing: the power-loss tests need FUSE (set CONCORD_NO_FUSE=1 to skip them)"
    );
    eprintln!("SKIPPED: /dev/fuse is missing and CONCORD_NO_FUSE=1");
    false
}

/// The `lazyfs` binary: built beside the tests by `cargo test --workspace`
/// (the lazyfs crate's own tests need it), else built here.
pub fn lazyfs_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let profile_dir = exe.parent().and_then(Path::parent).expect("target dir");
    let bin = profile_dir.join("lazyfs");
    if bin.exists() {
        return bin;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let target = root.join("target").join("features");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(&root)
        .args(["build", "-q", "-p", "lazyfs", "--target-dir"])
        .arg(&target)
        .status()
        .expect("run cargo build -p lazyfs");
    assert!(status.success(), "building lazyfs failed");
    target.join("debug").join("lazyfs")
}

/// One lazyfs process serving `mount` over `backing`.
pub struct LazyDisk {
    child: Option<Child>,
    pub mount: PathBuf,
    log: PathBuf,
    cuts: usize,
    _root: tempfile::TempDir,
}

impl LazyDisk {
    /// Mounts a fresh lazyfs and waits until the mount is up.
    pub fn mount() -> LazyDisk {
        let root = tempfile::Builder::new()
            .prefix("concord-lazyfs-")
            .tempdir()
            .expect("tempdir");
        let (backing, mount, log) = (
            root.path().join("backing"),
            root.path().join("mnt"),
            root.path().join("lazyfs.log"),
        );
        std::fs::create_dir(&backing).unwrap();
        std::fs::create_dir(&mount).unwrap();
        let child = Command::new(lazyfs_bin())
            .arg("--backing")
            .arg(&backing)
            .arg("--mount")
            .arg(&mount)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("spawn lazyfs");
        let mut disk = LazyDisk {
            child: Some(child),
            mount,
            log,
            cuts: 0,
            _root: root,
        };
        eventually("the lazyfs mount", 10, || {
            assert!(!disk.has_exited(), "lazyfs exited: {}", disk.log());
            disk.is_mounted().then_some(())
        });
        disk
    }

    fn has_exited(&mut self) -> bool {
        self.child.as_mut().is_none_or(|c| !matches!(c.try_wait(), Ok(None)))
    }

    fn is_mounted(&self) -> bool {
        let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
        let mount = self.mount.display().to_string();
        mounts
            .lines()
            .any(|l| l.split(' ').nth(1) == Some(mount.as_str()) && l.contains("fuse"))
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A power cut: `kill -USR1`, then waits for lazyfs's report of it and
    /// returns that line.
    pub fn power_cut(&mut self) -> String {
        crate::support::signal(self.child.as_ref().expect("lazyfs running"), "USR1");
        self.cuts += 1;
        let want = self.cuts;
        eventually("lazyfs's report of the power cut", 10, || {
            // Complete lines only: the report may be read while it is written.
            let mut log = self.log();
            log.truncate(log.rfind('\n').map_or(0, |end| end + 1));
            let cuts: Vec<&str> = log.lines().filter(|l| l.starts_with("lazyfs: power cut:")).collect();
            (cuts.len() >= want).then(|| cuts[want - 1].to_string())
        })
    }
}

impl Drop for LazyDisk {
    /// SIGTERM unmounts; a lazyfs that does not stop in time is killed and
    /// the mount detached, so no test leaves a dead mount behind.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while matches!(child.try_wait(), Ok(None)) && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        if self.is_mounted() {
            let _ = Command::new("fusermount3").arg("-uz").arg(&self.mount).status();
        }
    }
}
