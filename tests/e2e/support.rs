//! `TestNode`: one real `concord node start` process with its own temp data
//! dir and free ports, readiness polled with a deadline, SIGTERM then SIGKILL
//! on drop, and its log kept (path printed) when the test fails.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The `concord` binary under test.
pub fn concord_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("CONCORD_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("current exe");
    // target/<profile>/deps/e2e-HASH -> target/<profile>/concord
    let profile_dir = exe.parent().and_then(Path::parent).expect("target dir");
    let bin = profile_dir.join("concord");
    assert!(
        bin.exists(),
        "{} not found: run `cargo build -p concord-cli` or `cargo test --workspace`",
        bin.display()
    );
    bin
}

/// `concord` with none of the caller's `CONCORD_*` settings.
pub fn concord() -> Command {
    let mut cmd = Command::new(concord_bin());
    cmd.env_remove("CONCORD_ENDPOINTS")
        .env_remove("CONCORD_TOKEN")
        .env_remove("CONCORD_TOKEN_FILE")
        .env_remove("CONCORD_CACERT")
        .env_remove("CONCORD_CERT")
        .env_remove("CONCORD_KEY")
        .env_remove("CONCORD_CONTEXT")
        // Never the developer's own contexts file.
        .env(
            "CONCORD_CONFIG",
            std::env::temp_dir().join("concord-e2e-no-such-config.toml"),
        );
    cmd
}

/// A port that was free a moment ago.
///
/// Ports come from 20000-32767, below the kernel's ephemeral range
/// (32768-60999 here): client sockets never take them, so a port chosen
/// here stays free until the node binds it. A per-process counter keeps the
/// tests of one run from choosing the same port twice.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let base = 20_000 + (std::process::id() % 64) * 190;
    for _ in 0..12_768 {
        let port = (20_000 + (base - 20_000 + NEXT.fetch_add(1, Ordering::Relaxed)) % 12_768) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port in 20000-32767")
}

/// `n` consecutive ports that were free a moment ago, taken from the same
/// counter as [`free_port`] so that no other test of this run is given them.
pub fn free_ports(n: u16) -> u16 {
    loop {
        let first = free_port();
        if (1..n).all(|k| free_port() == first + k) {
            return first;
        }
    }
}

pub struct TestNode {
    /// The binary this node runs (the build under test unless overridden).
    pub bin: PathBuf,
    /// `None` until known: a node started with `--join` gets its id from the
    /// cluster (see [`TestNode::learn_id`]).
    pub id: Option<u64>,
    pub data_dir: PathBuf,
    pub client_port: u16,
    pub peer_port: u16,
    pub extra_args: Vec<String>,
    /// Environment variables of the process (`FAILPOINTS`, say).
    pub env: Vec<(String, String)>,
    /// The token this harness sends (as `Authorization: Bearer`, and as
    /// `CONCORD_TOKEN` to the CLI) when auth is on.
    pub token: Option<String>,
    /// The cluster secret this harness sends to the peer port.
    pub secret: Option<String>,
    log_path: PathBuf,
    child: Option<Child>,
    // Dropped last: the data dir and logs live here.
    root: Option<tempfile::TempDir>,
}

impl TestNode {
    /// Starts a one-node cluster in a fresh temp dir and waits until ready.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    pub fn start_with(extra: &[&str]) -> Self {
        let mut node = Self::new(Some(1), extra);
        node.spawn();
        node.wait_ready();
        node
    }

    /// A node with its own temp dir and free ports, not yet started.
    pub fn new(id: Option<u64>, extra: &[&str]) -> Self {
        let root = tempfile::Builder::new()
            .prefix("concord-e2e-")
            .tempdir()
            .expect("tempdir");
        TestNode {
            bin: concord_bin(),
            id,
            data_dir: root.path().join("data"),
            client_port: free_port(),
            peer_port: free_port(),
            extra_args: extra.iter().map(|s| s.to_string()).collect(),
            env: Vec::new(),
            token: None,
            secret: None,
            log_path: root.path().join("node.log"),
            child: None,
            root: Some(root),
        }
    }

    pub fn peer_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.peer_port)
    }

    /// The process id, while running.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(|c| c.id())
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// Has the process exited (crashed) on its own?
    pub fn has_exited(&mut self) -> bool {
        match self.child.as_mut() {
            Some(child) => !matches!(child.try_wait(), Ok(None)),
            None => true,
        }
    }

    /// What the node says about itself on `/raft/info` (peer listener).
    pub fn info(&self) -> Option<serde_json::Value> {
        let mut req = http_with_timeout(Duration::from_secs(2)).get(format!("{}/raft/info", self.peer_url()));
        if let Some(secret) = &self.secret {
            req = req.header("concord-cluster-secret", secret);
        }
        let resp = req.send().ok()?;
        resp.json().ok()
    }

    /// A field of the node's `/raft/info` as a number (`None` while the node
    /// does not answer or the field is null).
    pub fn info_u64(&self, field: &str) -> Option<u64> {
        self.info()?[field].as_u64()
    }

    /// The node's own `GET /v1/debug/digest` (its revision, key count and a
    /// digest of its whole state); `None` unless it answers with JSON.
    pub fn digest(&self) -> Option<serde_json::Value> {
        self.authed(http().get(format!("{}/v1/debug/digest", self.url())))
            .send()
            .ok()?
            .json()
            .ok()
    }

    /// Records the id the node reports (for nodes that joined without one).
    pub fn learn_id(&mut self) -> u64 {
        let id = self.info().and_then(|i| i["id"].as_u64()).expect("node reports its id");
        self.id = Some(id);
        id
    }

    /// Sends the process a signal by name (`HUP`, say).
    pub fn send_signal(&self, sig: &str) {
        signal(self.child.as_ref().expect("running"), sig);
    }

    /// Pauses (SIGSTOP) or resumes (SIGCONT) the process.
    pub fn pause(&self, paused: bool) {
        signal(
            self.child.as_ref().expect("running"),
            if paused { "STOP" } else { "CONT" },
        );
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.client_port)
    }

    pub fn kv_url(&self, encoded_key: &str) -> String {
        format!("{}/v1/kv/{encoded_key}", self.url())
    }

    /// The arguments that start this node.
    pub fn start_args(&self) -> Vec<String> {
        let mut args = vec!["node".to_string(), "start".into()];
        if let Some(id) = self.id {
            args.extend(["--id".to_string(), id.to_string()]);
        }
        args.extend([
            "--data-dir".into(),
            self.data_dir.display().to_string(),
            "--listen-client".into(),
            format!("127.0.0.1:{}", self.client_port),
            "--listen-peer".into(),
            format!("127.0.0.1:{}", self.peer_port),
        ]);
        // For debugging a failure: `CONCORD_E2E_LOG_LEVEL=info,openraft=info`
        // gives every node of every test that log filter.
        if let Ok(level) = std::env::var("CONCORD_E2E_LOG_LEVEL") {
            args.extend(["--log-level".to_string(), level]);
        }
        args.extend(self.extra_args.iter().cloned());
        args
    }

    /// Starts the process (again) on the same data dir and ports.
    pub fn spawn(&mut self) {
        assert!(self.child.is_none(), "node already running");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .expect("open log");
        let child = Command::new(&self.bin)
            .args(self.start_args())
            .env_remove("CONCORD_CLUSTER_SECRET")
            .env_remove("CONCORD_ROOT_TOKEN")
            .env("CONCORD_TEST_FAULTS", fault_of(&self.bin).unwrap_or(""))
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone log"))
            .stderr(log)
            .spawn()
            .expect("spawn concord node start");
        self.child = Some(child);
    }

    /// Polls `/ready` until 200, failing the test after 30 s.
    pub fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let http = http_with_timeout(Duration::from_secs(1));
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!("node exited early with {status}; log:\n{}", self.log());
                }
            }
            if let Ok(resp) = http.get(format!("{}/ready", self.url())).send() {
                if resp.status().is_success() {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "node not ready after 20s; log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits (at most `secs`) for the process to exit on its own; returns
    /// its exit code.
    pub fn wait_exit(&mut self, secs: u64) -> Option<i32> {
        let child = self.child.as_mut().expect("node running");
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                self.child = None;
                return status.code();
            }
            assert!(
                Instant::now() < deadline,
                "node still running after {secs}s; log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Removes the data directory (the node must be stopped): a lost disk.
    pub fn wipe(&mut self) {
        assert!(self.child.is_none(), "stop the node before wiping its data");
        std::fs::remove_dir_all(&self.data_dir).expect("remove the data dir");
    }

    /// `kill -9`: no shutdown code runs.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("SIGKILL");
            child.wait().expect("wait");
        }
    }

    /// SIGTERM, then wait for the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("node running");
        signal(&child, "TERM");
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("node did not stop within 15s of SIGTERM; log:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// `concord` with `--endpoints` pointing at this node (and this
    /// node's token, if any).
    pub fn cli(&self) -> Command {
        let mut cmd = concord();
        cmd.arg("--endpoints").arg(self.url());
        if let Some(token) = &self.token {
            cmd.env("CONCORD_TOKEN", token);
        }
        cmd
    }

    /// `req` with this node's token, if any.
    pub fn authed(&self, req: reqwest::blocking::RequestBuilder) -> reqwest::blocking::RequestBuilder {
        match &self.token {
            Some(token) => req.bearer_auth(token),
            None => req,
        }
    }
}

impl Drop for TestNode {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            if let Some(root) = self.root.take() {
                let kept = root.keep();
                eprintln!(
                    "test failed: node {:?} data and log kept in {}",
                    self.id,
                    kept.display()
                );
            }
        }
    }
}

/// Sends a signal by name (`TERM`, `STOP`, ...) with kill(1): the workspace
/// forbids unsafe code, so no libc::kill.
pub fn signal(child: &Child, sig: &str) {
    let status = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(child.id().to_string())
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{sig} {} failed", child.id());
}

/// Runs a command with `stdin` bytes; returns its output.
pub fn run_with_stdin(mut cmd: Command, stdin: &[u8]) -> Output {
    use std::io::Write;
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn concord");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait concord");
    writer.join().unwrap();
    out
}

/// Runs a command with no stdin; returns its output.
pub fn run(mut cmd: Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("run concord")
}

/// Runs a `concord` command with `-o json` appended, asserts it exits 0
/// (its stderr in the message) and returns its stdout as JSON.
pub fn cli_json(mut cmd: Command) -> serde_json::Value {
    cmd.args(["-o", "json"]);
    let out = run(cmd);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A setting from the environment (`CONCORD_SEED`, ...), `default` when
/// unset or not a number.
pub fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A client with `timeout` that gives up connecting after 500 ms: a node
/// that is down fails the call at once.
pub fn client(timeout: Duration) -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_millis(500))
        .build()
        .unwrap()
}

pub fn http() -> reqwest::blocking::Client {
    http_with_timeout(Duration::from_secs(10))
}

/// A plain client whose requests give up after `timeout`.
pub fn http_with_timeout(timeout: Duration) -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().timeout(timeout).build().unwrap()
}

pub fn random_bytes(n: usize) -> Vec<u8> {
    use rand::RngCore;
    let mut v = vec![0u8; n];
    rand::thread_rng().fill_bytes(&mut v);
    v
}

/// Polls `f` every 100 ms until it returns `Some`, failing after `secs`.
pub fn eventually<T>(what: &str, secs: u64, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out after {secs}s waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Keeps the timing-sensitive tests away from the heavy ones. A chaos run
/// (or another test that loads the machine for a long time) holds
/// [`exclusive`] for its whole length; a test whose assertions depend on
/// timing (a TTL window, a failover deadline, a lock held for a request
/// timeout) holds [`timing_sensitive`]. Timing-sensitive tests still run
/// alongside each other and alongside the unguarded tests.
static LOAD: std::sync::RwLock<()> = std::sync::RwLock::new(());

/// Held for the whole of a heavy test: no timing-sensitive test runs meanwhile.
pub fn exclusive() -> std::sync::RwLockWriteGuard<'static, ()> {
    // A test that panicked while holding it poisoned nothing we share.
    LOAD.write().unwrap_or_else(|e| e.into_inner())
}

/// Held for the whole of a timing-sensitive test: no heavy test runs meanwhile.
pub fn timing_sensitive() -> std::sync::RwLockReadGuard<'static, ()> {
    LOAD.read().unwrap_or_else(|e| e.into_inner())
}

/// The test-only faults the fault suite runs (see `concord_core::faults`),
/// each a cargo feature of the one test build; `failpoints` arms nothing by
/// itself (its points are armed through `FAILPOINTS`).
const FAULTS: [&str; 4] = [
    "failpoints",
    "broken-linearizable-reads",
    "broken-leader-reads",
    "ack-before-fsync",
];

/// The test-only build of `concord` (`--features test-faults`: every fault
/// compiled in), as `target/features/concord-<fault>`: a copy per fault,
/// whose name [`TestNode::spawn`] turns into `CONCORD_TEST_FAULTS=<fault>`,
/// so a node of that copy has only that fault armed. The build goes to the
/// target dir `target/features` (a no-op or a catch-up after the first).
/// With `CONCORD_PREBUILT_FEATURES=1` (set by `.ci/run`, which builds it in
/// the default target dir, sharing its dependencies, and makes the copies)
/// the copies are taken as they are.
pub fn feature_binary(fault: &str) -> PathBuf {
    assert!(FAULTS.contains(&fault), "{fault} is not a test fault");
    // One build and copy at a time: the builds share one output path.
    static BUILD: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let target = root.join("target").join("features");
    let copy = target.join(format!("concord-{fault}"));
    if std::env::var_os("CONCORD_PREBUILT_FEATURES").is_some() {
        assert!(
            copy.exists(),
            "CONCORD_PREBUILT_FEATURES is set but {} is missing",
            copy.display()
        );
        return copy;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(&root)
        .args([
            "build",
            "-q",
            "-p",
            "concord-cli",
            "--features",
            "test-faults",
            "--target-dir",
        ])
        .arg(&target)
        .status()
        .expect("run cargo build");
    assert!(status.success(), "building concord with --features test-faults failed");
    // Copy, then rename over: a running copy of an older build is not disturbed.
    let tmp = target.join(format!("concord-{fault}.tmp"));
    std::fs::copy(target.join("debug").join("concord"), &tmp).expect("copy the test-faults build");
    std::fs::rename(&tmp, &copy).expect("rename the test-faults build");
    copy
}

/// The fault a node of `bin` runs with: the one its name gives when it is a
/// copy of the test-faults build ([`feature_binary`]), else none.
fn fault_of(bin: &Path) -> Option<&'static str> {
    let features = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()?
        .join("target")
        .join("features");
    if bin.parent()? != features {
        return None;
    }
    let name = bin.file_name()?.to_str()?.strip_prefix("concord-")?;
    FAULTS.into_iter().find(|f| *f == name)
}

/// Real `concord` processes forming one cluster.
pub struct TestCluster {
    pub nodes: Vec<TestNode>,
}

impl TestCluster {
    /// Node 1 starts alone; the others `--join` it one after another.
    pub fn join(n: usize, extra: &[&str]) -> Self {
        Self::join_with(n, extra, |_| {})
    }

    /// [`TestCluster::join`], with `setup` applied to each node before it
    /// starts (environment, token, secret).
    pub fn join_with(n: usize, extra: &[&str], setup: impl Fn(&mut TestNode)) -> Self {
        let mut first = TestNode::new(Some(1), extra);
        setup(&mut first);
        first.spawn();
        first.wait_ready();
        let seed = first.url();
        let mut nodes = vec![first];
        for _ in 1..n {
            let mut args: Vec<&str> = extra.to_vec();
            args.extend(["--join", seed.as_str()]);
            let mut node = TestNode::new(None, &args);
            setup(&mut node);
            node.spawn();
            node.wait_ready();
            node.learn_id();
            nodes.push(node);
        }
        let cluster = TestCluster { nodes };
        cluster.wait_voters(n);
        cluster
    }

    /// `n` nodes with ids 1 to `n` and the same `--initial-cluster`, not
    /// started yet.
    pub fn initial_nodes(n: usize, extra: &[&str]) -> Vec<TestNode> {
        let mut nodes: Vec<TestNode> = (1..=n as u64).map(|id| TestNode::new(Some(id), extra)).collect();
        let spec = nodes
            .iter()
            .map(|n| format!("{}={}", n.id.unwrap(), n.peer_url()))
            .collect::<Vec<_>>()
            .join(",");
        for node in &mut nodes {
            node.extra_args.extend(["--initial-cluster".to_string(), spec.clone()]);
        }
        nodes
    }

    /// Every node starts at once with the same `--initial-cluster`.
    pub fn initial(n: usize, extra: &[&str]) -> Self {
        let mut nodes = Self::initial_nodes(n, extra);
        for node in &mut nodes {
            node.spawn();
        }
        for node in &mut nodes {
            node.wait_ready();
        }
        let cluster = TestCluster { nodes };
        cluster.wait_voters(n);
        cluster
    }

    pub fn running(&self) -> impl Iterator<Item = &TestNode> {
        self.nodes.iter().filter(|n| n.is_running())
    }

    /// Comma-separated client URLs of the running nodes.
    pub fn endpoints(&self) -> String {
        self.running().map(|n| n.url()).collect::<Vec<_>>().join(",")
    }

    /// `concord` with `--endpoints` of every running node.
    pub fn cli(&self) -> Command {
        let mut cmd = concord();
        cmd.arg("--endpoints").arg(self.endpoints()).arg("--timeout").arg("15s");
        if let Some(token) = self.nodes.first().and_then(|n| n.token.as_ref()) {
            cmd.env("CONCORD_TOKEN", token);
        }
        cmd
    }

    /// `GET /v1/cluster/members` from any running node.
    pub fn members(&self) -> Vec<serde_json::Value> {
        for node in self.running() {
            if let Ok(resp) = node
                .authed(http().get(format!("{}/v1/cluster/members", node.url())))
                .send()
            {
                if let Ok(serde_json::Value::Array(list)) = resp.json() {
                    return list;
                }
            }
        }
        panic!("no running node answered /v1/cluster/members");
    }

    /// The member ids, sorted.
    pub fn member_ids(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self.members().iter().filter_map(|m| m["id"].as_u64()).collect();
        ids.sort_unstable();
        ids
    }

    /// Waits until the membership has exactly `n` voters, no learners, a
    /// leader, and every member's client URL is known.
    pub fn wait_voters(&self, n: usize) {
        eventually(&format!("{n} voters"), 60, || {
            let members = self.members();
            let voters = members.iter().filter(|m| m["role"] != "learner").count();
            let leaders = members.iter().filter(|m| m["role"] == "leader").count();
            let urls_known = members
                .iter()
                .all(|m| m["client_url"].as_str().is_some_and(|u| !u.is_empty()));
            (members.len() == n && voters == n && leaders == 1 && urls_known).then_some(())
        });
    }

    /// Index in `nodes` of the current leader (as the running nodes agree).
    pub fn leader(&self) -> usize {
        eventually("an agreed leader", 30, || {
            let ids: Vec<Option<u64>> = self
                .running()
                .map(|n| n.info().and_then(|i| i["leader_id"].as_u64()))
                .collect();
            let first = ids.first().copied().flatten()?;
            if ids.iter().any(|id| *id != Some(first)) {
                return None;
            }
            self.nodes.iter().position(|n| n.id == Some(first) && n.is_running())
        })
    }

    /// Waits until every running node has the same state (same revision and
    /// digest), then checks that each holds `expected` exactly, read locally
    /// (stale) from each.
    pub fn assert_converged(&self, expected: &std::collections::BTreeMap<String, String>) {
        // Every running node reaches the same revision with the same digest
        // of its whole state (GET /v1/debug/digest is per node).
        eventually("all running nodes to reach the same state digest", 30, || {
            let digests: Vec<serde_json::Value> = self.running().map(|n| n.digest()).collect::<Option<_>>()?;
            digests.iter().all(|d| *d == digests[0]).then_some(())
        });
        let c = http();
        for node in self.running() {
            for (key, value) in expected {
                let resp = c
                    .get(format!("{}?consistency=stale", node.kv_url(&encode(key))))
                    .send()
                    .expect("stale read");
                assert_eq!(resp.status(), 200, "node {:?} lacks {key}", node.id);
                assert_eq!(resp.text().unwrap(), *value, "node {:?} has a different {key}", node.id);
            }
        }
    }
}

/// Percent-encodes a key for a URL path (keeps `/`).
pub fn encode(key: &str) -> String {
    key.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The cluster secret and root token of test clusters that run with `--auth`.
pub const TEST_SECRET: &str = "e2e-cluster-secret-0123456789";
pub const TEST_ROOT: &str = "e2e-root-token-abcdefghijklmnop";

/// Sets `node` up for `--auth`: the secret and the root token in its
/// environment (never in argv), and the root token for the test's requests.
pub fn secured(node: &mut TestNode) {
    node.env.push(("CONCORD_CLUSTER_SECRET".into(), TEST_SECRET.into()));
    node.env.push(("CONCORD_ROOT_TOKEN".into(), TEST_ROOT.into()));
    node.token = Some(TEST_ROOT.into());
    node.secret = Some(TEST_SECRET.into());
}

/// Every key under `prefix` with its value and mod revision, read with
/// `token` at `consistency`; `None` if a page is refused.
pub fn all_keys(
    url: &str,
    prefix: &str,
    token: &str,
    consistency: &str,
) -> Option<std::collections::BTreeMap<String, (String, u64)>> {
    let c = client(Duration::from_secs(10));
    let mut all = std::collections::BTreeMap::new();
    let mut start: Option<String> = None;
    loop {
        let mut req = c
            .get(format!("{url}/v1/kv"))
            .query(&[("prefix", prefix), ("consistency", consistency)])
            .bearer_auth(token);
        if let Some(s) = &start {
            req = req.query(&[("start", s)]);
        }
        let resp = req.send().ok()?;
        if resp.status() != 200 {
            return None;
        }
        let page: serde_json::Value = resp.json().ok()?;
        for item in page["items"].as_array().unwrap() {
            all.insert(
                item["key"].as_str().unwrap().to_string(),
                (
                    item["value"].as_str().unwrap().to_string(),
                    item["mod_revision"].as_u64().unwrap(),
                ),
            );
        }
        if page["more"] != true {
            return Some(all);
        }
        start = Some(page["next"].as_str().unwrap().to_string());
    }
}
