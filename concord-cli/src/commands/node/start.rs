use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use concord_node::{Bootstrap, Listeners, NodeConfig};
use serde::Deserialize;

use crate::error::CliError;

/// The largest `--max-request-size` and `--max-value-size` a node accepts
/// (64 MiB). One request becomes one Raft entry. On a release build with
/// the default timeouts, a 3-node cluster on loopback committed 64 MiB
/// entries without an election and 96 MiB ones only after repeated
/// elections (docs/RELIABILITY.md): limits above the largest measured safe
/// size are refused. The client reads no more input than this either
/// ([`crate::input::MAX_INPUT_BYTES`]).
pub const MAX_SIZE_LIMIT: usize = 64 * 1024 * 1024;

/// Run a node. With no flags: a one-member cluster with its data in
/// `./concord-data`, clients on 127.0.0.1:7379, peers on 127.0.0.1:7380.
///
/// Stops cleanly on SIGINT or SIGTERM. A second node on the same data
/// directory is refused.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  concord node start
  concord node start --data-dir /var/lib/concord --listen-client 0.0.0.0:7379 \\
      --advertise-client http://10.0.0.5:7379
  concord node start --config /etc/concord/node.toml

A local three-node cluster, joined one by one:
  concord node start --id 1 --data-dir n1 --listen-client 127.0.0.1:7379 --listen-peer 127.0.0.1:7380
  concord node start --data-dir n2 --listen-client 127.0.0.1:7381 --listen-peer 127.0.0.1:7382 \\
      --join http://127.0.0.1:7379
  concord node start --data-dir n3 --listen-client 127.0.0.1:7383 --listen-peer 127.0.0.1:7384 \\
      --join http://127.0.0.1:7379

The same, bootstrapped statically (run on each node with its own --id and ports):
  concord node start --id 2 --data-dir n2 --listen-client 127.0.0.1:7381 --listen-peer 127.0.0.1:7382 \\
      --initial-cluster 1=http://127.0.0.1:7380,2=http://127.0.0.1:7382,3=http://127.0.0.1:7384

Config file (TOML; flags win over the file):
  id = 1
  data-dir = \"/var/lib/concord\"
  listen-client = \"127.0.0.1:7379\"
  listen-peer = \"127.0.0.1:7380\"
  advertise-client = \"http://127.0.0.1:7379\"
  advertise-peer = \"http://127.0.0.1:7380\"
  log-level = \"info\"
  max-value-size = 1048576
  heartbeat-interval = \"100ms\"
  election-timeout = \"300ms\"
  request-timeout = \"10s\"
  snapshot-logs = 10000
  default-ttl = \"24h\"
  max-txn-ops = 1024
  max-batch-ops = 10000
  max-request-size = 33554432
  max-concurrent-requests = 4096
  min-free-space = 67108864
  request-id-max-entries = 100000
  request-id-max-bytes = 67108864
  max-connections = 4096
  max-concurrent-exports = 16
  max-in-flight-bytes = 268435456
  allowed-hosts = [\"concord.internal\"]
  join = [\"http://10.0.0.1:7379\"]            # or:
  initial-cluster = \"1=http://10.0.0.1:7380,2=http://10.0.0.2:7380,3=http://10.0.0.3:7380\"")]
pub struct NodeStartArgs {
    /// TOML file with the same settings as these flags; flags win.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// This node's id. Recorded in the data directory on first start; a
    /// directory that belongs to another id is refused. Default: 1 for a
    /// single node; assigned by the cluster with --join; the entry whose peer
    /// URL is this node's with --initial-cluster.
    #[arg(long)]
    pub id: Option<u64>,
    /// Join an existing cluster: client URLs of one or more members,
    /// comma-separated. Ignored once the data directory has Raft state.
    #[arg(long, value_delimiter = ',', value_name = "URLS", conflicts_with = "initial_cluster")]
    pub join: Vec<String>,
    /// Static bootstrap: `1=http://10.0.0.1:7380,2=...,3=...` (ids and peer
    /// URLs), the same on every member. Ignored once the data directory has
    /// Raft state.
    #[arg(long, value_name = "ID=PEER_URL,...")]
    pub initial_cluster: Option<String>,
    /// Take a snapshot (letting older log be purged) every this many log
    /// entries [default: 10000].
    #[arg(long, value_name = "ENTRIES")]
    pub snapshot_logs: Option<u64>,
    /// TTL for keys written without one, like `24h` [default: none, keys never
    /// expire].
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub default_ttl: Option<Duration>,
    /// Most operations (compares included) in one transaction [default: 1024].
    #[arg(long, value_name = "N")]
    pub max_txn_ops: Option<usize>,
    /// Most operations in one bulk batch [default: 10000].
    #[arg(long, value_name = "N")]
    pub max_batch_ops: Option<usize>,
    /// Largest transaction or batch request body, in bytes; at most 64 MiB,
    /// since one request is one Raft entry [default: 33554432].
    #[arg(long, value_name = "BYTES")]
    pub max_request_size: Option<usize>,
    /// Client requests served at once; more get 503 `overloaded` at once
    /// [default: 4096].
    #[arg(long, value_name = "N")]
    pub max_concurrent_requests: Option<usize>,
    /// Refuse writes that add data (507 `insufficient_storage`) while the
    /// data directory's disk has less free space than this, in bytes
    /// [default: 67108864].
    #[arg(long, value_name = "BYTES")]
    pub min_free_space: Option<u64>,
    /// Most request ids (`Concord-Request-Id`) remembered for deduplicating
    /// retries; the oldest are forgotten first. A leader's setting applies
    /// to the entries it proposes [default: 100000].
    #[arg(long, value_name = "N")]
    pub request_id_max_entries: Option<u64>,
    /// Most bytes of remembered request outcomes; the oldest are forgotten
    /// first [default: 67108864].
    #[arg(long, value_name = "BYTES")]
    pub request_id_max_bytes: Option<u64>,
    /// Connections open at once on each listener; at the cap the connection
    /// idle longest is closed to admit a new one [default: 4096].
    #[arg(long, value_name = "N")]
    pub max_connections: Option<usize>,
    /// Exports streaming at once; more get 503 `overloaded` [default: 16].
    #[arg(long, value_name = "N")]
    pub max_concurrent_exports: Option<usize>,
    /// Request-body bytes buffered at once across all requests; more get
    /// 503 `overloaded` [default: 268435456].
    #[arg(long, value_name = "BYTES")]
    pub max_in_flight_bytes: Option<usize>,
    /// More host names requests may carry in `Host` while a listener is on a
    /// loopback or unspecified address (comma-separated; `*` allows any).
    /// `localhost`, IP addresses and the advertised URL's host are always
    /// allowed; others get 403 `host_not_allowed` (a DNS-rebinding defence,
    /// on the client and the peer listener).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub allowed_hosts: Option<Vec<String>>,
    /// Where the Raft log, state machine and snapshots live
    /// [default: ./concord-data].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Address of the client API [default: 127.0.0.1:7379].
    #[arg(long, value_name = "ADDR")]
    pub listen_client: Option<SocketAddr>,
    /// Address of the peer (Raft) listener [default: 127.0.0.1:7380].
    #[arg(long, value_name = "ADDR")]
    pub listen_peer: Option<SocketAddr>,
    /// Client URL others use to reach this node [default: from --listen-client].
    #[arg(long, value_name = "URL")]
    pub advertise_client: Option<String>,
    /// Peer URL other nodes use to reach this node [default: from --listen-peer].
    #[arg(long, value_name = "URL")]
    pub advertise_peer: Option<String>,
    /// Log filter: error, warn, info, debug, trace, or a tracing directive
    /// [default: info,openraft=warn]. Logs go to stderr.
    #[arg(long, value_name = "LEVEL")]
    pub log_level: Option<String>,
    /// Largest value accepted, in bytes; at most 64 MiB [default: 1048576].
    #[arg(long, value_name = "BYTES")]
    pub max_value_size: Option<usize>,
    /// Leader heartbeat period [default: 100ms].
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub heartbeat_interval: Option<Duration>,
    /// Minimum election timeout; the maximum is twice this. A follower starts an
    /// election after the leader lease (the maximum) plus a random timeout
    /// without hearing from the leader [default: 300ms].
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub election_timeout: Option<Duration>,
    /// How long a request may wait for a quorum before 503 [default: 10s].
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub request_timeout: Option<Duration>,
    /// How long a client may take to send a request's headers, or stall
    /// while sending its body (then 408), and how long an idle kept-alive
    /// connection stays open [default: 30s].
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub client_read_timeout: Option<Duration>,
}

/// The TOML config file. Keys are the flag names without `--`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileConfig {
    id: Option<u64>,
    join: Option<Vec<String>>,
    initial_cluster: Option<String>,
    snapshot_logs: Option<u64>,
    default_ttl: Option<String>,
    max_txn_ops: Option<usize>,
    max_batch_ops: Option<usize>,
    max_request_size: Option<usize>,
    max_concurrent_requests: Option<usize>,
    min_free_space: Option<u64>,
    request_id_max_entries: Option<u64>,
    request_id_max_bytes: Option<u64>,
    max_connections: Option<usize>,
    max_concurrent_exports: Option<usize>,
    max_in_flight_bytes: Option<usize>,
    allowed_hosts: Option<Vec<String>>,
    data_dir: Option<PathBuf>,
    listen_client: Option<SocketAddr>,
    listen_peer: Option<SocketAddr>,
    advertise_client: Option<String>,
    advertise_peer: Option<String>,
    log_level: Option<String>,
    max_value_size: Option<usize>,
    heartbeat_interval: Option<String>,
    election_timeout: Option<String>,
    request_timeout: Option<String>,
    client_read_timeout: Option<String>,
}

fn read_config(path: &Path) -> Result<FileConfig, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("reading config file {}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| CliError::usage(format!("config file {}: {e}", path.display())))
}

fn duration(flag: Option<Duration>, file: Option<String>, name: &str) -> Result<Option<Duration>, CliError> {
    match (flag, file) {
        (Some(d), _) => Ok(Some(d)),
        (None, Some(s)) => humantime::parse_duration(&s)
            .map(Some)
            .map_err(|e| CliError::usage(format!("config file: {name} = {s:?}: {e}"))),
        (None, None) => Ok(None),
    }
}

struct Resolved {
    node: NodeConfig,
    listen_client: SocketAddr,
    listen_peer: SocketAddr,
    log_level: String,
}

fn resolve(args: NodeStartArgs) -> Result<Resolved, CliError> {
    let file = match &args.config {
        Some(path) => read_config(path)?,
        None => FileConfig::default(),
    };
    let id = args.id.or(file.id);
    if let Some(id) = id {
        concord_core::limits::validate_node_id(id).map_err(|e| CliError::usage(format!("--id: {e}")))?;
    }
    let join = if args.join.is_empty() {
        file.join.unwrap_or_default()
    } else {
        args.join
    };
    let initial = args.initial_cluster.or(file.initial_cluster);
    let bootstrap = match (join.is_empty(), initial) {
        (true, None) => Bootstrap::SingleNode,
        (false, None) => Bootstrap::Join(join),
        (true, Some(spec)) => Bootstrap::InitialCluster(parse_initial_cluster(&spec)?),
        (false, Some(_)) => return Err(CliError::usage("--join and --initial-cluster cannot be used together")),
    };
    let data_dir = args
        .data_dir
        .or(file.data_dir)
        .unwrap_or_else(|| PathBuf::from("concord-data"));
    let mut node = NodeConfig::new(id, data_dir);
    node.bootstrap = bootstrap;
    node.default_ttl = duration(args.default_ttl, file.default_ttl, "default-ttl")?;
    if node
        .default_ttl
        .is_some_and(|t| t > Duration::from_secs(10 * 365 * 24 * 3600))
    {
        return Err(CliError::usage(
            "--default-ttl must be at most 10 years (as a request's ttl)",
        ));
    }
    if node.default_ttl.is_some_and(|t| t.is_zero()) {
        return Err(CliError::usage("--default-ttl must be longer than 0s"));
    }
    for (value, target, name) in [
        (
            args.max_txn_ops.or(file.max_txn_ops),
            &mut node.max_txn_ops,
            "--max-txn-ops",
        ),
        (
            args.max_batch_ops.or(file.max_batch_ops),
            &mut node.max_batch_ops,
            "--max-batch-ops",
        ),
        (
            args.max_request_size.or(file.max_request_size),
            &mut node.max_request_size,
            "--max-request-size",
        ),
        (
            args.max_concurrent_requests.or(file.max_concurrent_requests),
            &mut node.max_concurrent_requests,
            "--max-concurrent-requests",
        ),
        (
            args.max_connections.or(file.max_connections),
            &mut node.max_connections,
            "--max-connections",
        ),
        (
            args.max_concurrent_exports.or(file.max_concurrent_exports),
            &mut node.max_concurrent_exports,
            "--max-concurrent-exports",
        ),
        (
            args.max_in_flight_bytes.or(file.max_in_flight_bytes),
            &mut node.max_in_flight_bytes,
            "--max-in-flight-bytes",
        ),
    ] {
        match value {
            Some(0) => return Err(CliError::usage(format!("{name} must be at least 1"))),
            Some(n) => *target = n,
            None => {}
        }
    }
    if let Some(n) = args.min_free_space.or(file.min_free_space) {
        node.min_free_space = n;
    }
    if let Some(names) = args.allowed_hosts.or(file.allowed_hosts) {
        node.allowed_hosts = names
            .into_iter()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect();
    }
    for (value, target, name) in [
        (
            args.request_id_max_entries.or(file.request_id_max_entries),
            &mut node.request_id_limits.max_entries,
            "--request-id-max-entries",
        ),
        (
            args.request_id_max_bytes.or(file.request_id_max_bytes),
            &mut node.request_id_limits.max_bytes,
            "--request-id-max-bytes",
        ),
    ] {
        match value {
            Some(0) => return Err(CliError::usage(format!("{name} must be at least 1"))),
            Some(n) => *target = n,
            None => {}
        }
    }
    if let Some(n) = args.snapshot_logs.or(file.snapshot_logs) {
        if n == 0 {
            return Err(CliError::usage("--snapshot-logs must be at least 1"));
        }
        node.snapshot_logs = n;
    }
    node.advertise_client = args.advertise_client.or(file.advertise_client);
    node.advertise_peer = args.advertise_peer.or(file.advertise_peer);
    if let Some(size) = args.max_value_size.or(file.max_value_size) {
        if size == 0 {
            return Err(CliError::usage("--max-value-size must be at least 1"));
        }
        node.max_value_size = size;
    }
    if let Some(d) = duration(args.heartbeat_interval, file.heartbeat_interval, "heartbeat-interval")? {
        node.heartbeat_interval = d;
    }
    if let Some(d) = duration(args.election_timeout, file.election_timeout, "election-timeout")? {
        node.election_timeout = d;
    }
    if let Some(d) = duration(args.request_timeout, file.request_timeout, "request-timeout")? {
        node.request_timeout = d;
    }
    if let Some(d) = duration(
        args.client_read_timeout,
        file.client_read_timeout,
        "client-read-timeout",
    )? {
        if d.is_zero() {
            return Err(CliError::usage("--client-read-timeout must be longer than 0s"));
        }
        node.client_read_timeout = d;
    }
    for (size, name) in [
        (node.max_request_size, "--max-request-size"),
        (node.max_value_size, "--max-value-size"),
    ] {
        if size > MAX_SIZE_LIMIT {
            return Err(CliError::usage(format!(
                "{name} must be at most {MAX_SIZE_LIMIT} bytes (64 MiB): larger Raft entries stall replication \
                 long enough to trigger elections"
            )));
        }
    }
    // Deadlines are computed as now + these: bound them so that no flag can
    // make that arithmetic overflow.
    let day = Duration::from_secs(24 * 3600);
    for (d, name) in [
        (node.heartbeat_interval, "--heartbeat-interval"),
        (node.election_timeout, "--election-timeout"),
        (node.request_timeout, "--request-timeout"),
        (node.client_read_timeout, "--client-read-timeout"),
    ] {
        if d > day {
            return Err(CliError::usage(format!("{name} must be at most 24h")));
        }
    }
    if node.election_timeout <= node.heartbeat_interval {
        return Err(CliError::usage(
            "--election-timeout must be longer than --heartbeat-interval",
        ));
    }
    // A body relayed by a follower may be up to 1 MiB over the limit it
    // enforces; the byte budget must hold at least one of the largest.
    let largest_body = node.max_value_size.max(node.max_request_size) + 1024 * 1024;
    if node.max_in_flight_bytes < largest_body {
        return Err(CliError::usage(format!(
            "--max-in-flight-bytes must be at least {largest_body} (the largest body --max-value-size and \
             --max-request-size allow, plus 1 MiB), or such requests could never be served"
        )));
    }
    let default_addr = |port: u16| SocketAddr::from(([127, 0, 0, 1], port));
    Ok(Resolved {
        node,
        listen_client: args.listen_client.or(file.listen_client).unwrap_or(default_addr(7379)),
        listen_peer: args.listen_peer.or(file.listen_peer).unwrap_or(default_addr(7380)),
        log_level: args
            .log_level
            .or(file.log_level)
            .unwrap_or_else(|| "info,openraft=warn".into()),
    })
}

/// Parses `1=http://a:7380,2=http://b:7380`.
fn parse_initial_cluster(spec: &str) -> Result<BTreeMap<u64, String>, CliError> {
    let bad = |why: String| CliError::usage(format!("invalid --initial-cluster {spec:?}: {why}"));
    let mut members = BTreeMap::new();
    for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (id, url) = entry
            .split_once('=')
            .ok_or_else(|| bad(format!("{entry:?} is not ID=PEER_URL")))?;
        let id: u64 = id.trim().parse().map_err(|_| bad(format!("{id:?} is not a node id")))?;
        concord_core::limits::validate_node_id(id).map_err(bad)?;
        let url = url.trim().trim_end_matches('/');
        if !url.starts_with("http://") {
            return Err(bad(format!("{url:?} is not an http:// URL")));
        }
        if members.values().any(|u| u == url) {
            return Err(bad(format!("peer URL {url} is listed twice")));
        }
        if members.insert(id, url.to_string()).is_some() {
            return Err(bad(format!("node {id} is listed twice")));
        }
    }
    if members.is_empty() {
        return Err(bad("no members".into()));
    }
    Ok(members)
}

fn init_logging(level: &str) -> Result<(), CliError> {
    let filter = tracing_subscriber::EnvFilter::try_new(level)
        .map_err(|e| CliError::usage(format!("invalid --log-level {level:?}: {e}")))?;
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .init();
    Ok(())
}

pub fn run(args: NodeStartArgs) -> Result<(), CliError> {
    let resolved = resolve(args)?;
    init_logging(&resolved.log_level)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::other(format!("starting the runtime: {e}")))?;
    let prepared = concord_node::prepare(resolved.node).map_err(|e| CliError::other(e.to_string()))?;
    runtime.block_on(async move {
        let bind = |addr: SocketAddr, what: &'static str| async move {
            tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| CliError::other(format!("cannot listen for {what} on {addr}: {e}")))
        };
        let listeners = Listeners {
            client: bind(resolved.listen_client, "clients").await?,
            peer: bind(resolved.listen_peer, "peers").await?,
        };
        concord_node::run(prepared, listeners, shutdown_signal())
            .await
            .map_err(|e| match e {
                // The operator must act: exit 2 with what to do.
                concord_node::NodeError::Refused(_) | concord_node::NodeError::Usage(_) => {
                    CliError::usage(e.to_string())
                }
                e => CliError::other(e.to_string()),
            })
    })
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
