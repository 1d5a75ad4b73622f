//! `concord cluster local`: a playground of N real `concord node start`
//! processes on loopback, in the foreground, stopped together.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clap::Args;

use crate::error::CliError;
use crate::output::{self, Format};

/// Start an N-node cluster of real `concord node start` processes on
/// 127.0.0.1, in the foreground: node i listens for clients on BASE+2(i-1)
/// and for peers on the port after it (7379/7380, 7381/7382, ...). Prints the
/// endpoints and an `export CONCORD_ENDPOINTS=...` line, then waits; Ctrl-C
/// (or SIGTERM) stops every node and waits for them. Data stays in DIR
/// (`DIR/node-<i>`, logs in `DIR/node-<i>.log`) and a second run starts the
/// same cluster again, unless --ephemeral. No auth, no TLS: a playground.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord cluster local                       # 3 nodes, data in ./concord-local
  concord cluster local --nodes 5 --ephemeral
  # in another terminal:
  export CONCORD_ENDPOINTS=http://127.0.0.1:7379,http://127.0.0.1:7381,http://127.0.0.1:7383
  concord cluster wait --members 3 && concord cluster status")]
pub struct LocalArgs {
    /// How many nodes (1, 3, 5 or 7).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=7))]
    pub nodes: u16,
    /// Where the nodes keep their data and logs.
    #[arg(
        long,
        value_name = "DIR",
        default_value = "concord-local",
        conflicts_with = "ephemeral"
    )]
    pub dir: PathBuf,
    /// The first node's client port.
    #[arg(long, default_value_t = 7379, value_name = "PORT")]
    pub base_port: u16,
    /// Keep the data in a temporary directory, removed at the end.
    #[arg(long)]
    pub ephemeral: bool,
}

#[derive(serde::Serialize)]
struct Started {
    id: u16,
    pid: u32,
    client_url: String,
    peer_url: String,
    data_dir: String,
}

/// The nodes; dropping it stops them all (SIGTERM, then SIGKILL after 10 s).
struct Nodes(Vec<Child>);

impl Drop for Nodes {
    fn drop(&mut self) {
        for child in &self.0 {
            let _ =
                rustix::process::kill_process(rustix::process::Pid::from_child(child), rustix::process::Signal::TERM);
        }
        let until = Instant::now() + Duration::from_secs(10);
        for child in &mut self.0 {
            while child.try_wait().ok().flatten().is_none() && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

pub fn run(format: Format, args: LocalArgs) -> Result<(), CliError> {
    let n = args.nodes;
    if !matches!(n, 1 | 3 | 5 | 7) {
        return Err(CliError::usage("--nodes must be 1, 3, 5 or 7 (an odd-sized cluster)"));
    }
    let last_port = u32::from(args.base_port) + 2 * u32::from(n) - 1;
    if args.base_port == 0 || last_port > u32::from(u16::MAX) {
        return Err(CliError::usage(format!(
            "--base-port {} leaves no room for {n} nodes' two ports each",
            args.base_port
        )));
    }
    let temp;
    let dir = if args.ephemeral {
        temp = tempfile::Builder::new()
            .prefix("concord-local-")
            .tempdir()
            .map_err(|e| CliError::other(format!("making a temporary directory: {e}")))?;
        temp.path().to_path_buf()
    } else {
        std::fs::create_dir_all(&args.dir)
            .map_err(|e| CliError::other(format!("creating {}: {e}", args.dir.display())))?;
        args.dir.clone()
    };
    let exe = std::env::current_exe().map_err(|e| CliError::other(format!("finding the concord binary: {e}")))?;
    let port = |i: u16, peer: bool| args.base_port + 2 * (i - 1) + u16::from(peer);
    let initial = (1..=n)
        .map(|i| format!("{i}=http://127.0.0.1:{}", port(i, true)))
        .collect::<Vec<_>>()
        .join(",");
    let mut nodes = Nodes(Vec::new());
    let mut started = Vec::new();
    for i in 1..=n {
        let data = dir.join(format!("node-{i}"));
        let log_path = dir.join(format!("node-{i}.log"));
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|e| CliError::other(format!("opening {}: {e}", log_path.display())))?;
        let (client, peer) = (port(i, false), port(i, true));
        let mut cmd = Command::new(&exe);
        cmd.args(["node", "start", "--id", &i.to_string(), "--data-dir"])
            .arg(&data)
            .args(["--listen-client", &format!("127.0.0.1:{client}")])
            .args(["--listen-peer", &format!("127.0.0.1:{peer}")]);
        if n > 1 {
            cmd.args(["--initial-cluster", &initial]);
        }
        // Never the operator's secrets: this is a throwaway cluster.
        for var in ["CONCORD_ROOT_TOKEN", "CONCORD_CLUSTER_SECRET", "CONCORD_TOKEN"] {
            cmd.env_remove(var);
        }
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| CliError::other(format!("starting node {i}: {e}")))?;
        started.push(Started {
            id: i,
            pid: child.id(),
            client_url: format!("http://127.0.0.1:{client}"),
            peer_url: format!("http://127.0.0.1:{peer}"),
            data_dir: data.display().to_string(),
        });
        nodes.0.push(child);
    }
    let endpoints = started
        .iter()
        .map(|s| s.client_url.as_str())
        .collect::<Vec<_>>()
        .join(",");
    match format {
        f if f.is_data() => output::data(f, &started)?,
        _ => {
            for s in &started {
                output::line(&format!(
                    "node {}: pid {}, client {}, peer {}, data {}",
                    s.id, s.pid, s.client_url, s.peer_url, s.data_dir
                ))?;
            }
            output::line(&format!("export CONCORD_ENDPOINTS={endpoints}"))?;
            eprintln!("{n} node(s) running; Ctrl-C stops them (logs in {})", dir.display());
        }
    }
    let stopped = wait_for_stop(&mut nodes)?;
    drop(nodes);
    match stopped {
        None => Ok(()),
        Some(message) => Err(CliError::other(message)),
    }
}

/// Waits for Ctrl-C or SIGTERM (`None`), or for a node to exit by itself
/// (`Some(why)`).
fn wait_for_stop(nodes: &mut Nodes) -> Result<Option<String>, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::other(format!("starting the runtime: {e}")))?;
    runtime.block_on(async {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).map_err(|e| CliError::other(format!("SIGTERM: {e}")))?;
        let mut interrupt = signal(SignalKind::interrupt()).map_err(|e| CliError::other(format!("SIGINT: {e}")))?;
        let mut tick = tokio::time::interval(Duration::from_millis(200));
        loop {
            tokio::select! {
                _ = term.recv() => return Ok(None),
                _ = interrupt.recv() => return Ok(None),
                _ = tick.tick() => {
                    for (i, child) in nodes.0.iter_mut().enumerate() {
                        if let Ok(Some(status)) = child.try_wait() {
                            return Ok(Some(format!(
                                "node {} exited ({status}); see its log; stopping the others",
                                i + 1
                            )));
                        }
                    }
                }
            }
        }
    })
}
