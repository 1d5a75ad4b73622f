//! A node's settings, declared once. [`NodeSettings`] is every setting of
//! `concord node start` as given, a flag or a key of the TOML config file
//! alike (it derives both `clap::Args` and `serde::Deserialize`);
//! [`NodeSettings::resolve`] fills in the defaults ([`NodeConfig::default`],
//! [`StartConfig::default`]) and checks the result
//! ([`NodeConfig::validate`]). [`crate::prepare`] validates again, so a
//! program that builds a [`NodeConfig`] itself gets the same checks.
//!
//! This module parses no command line, reads no file and knows no exit
//! code: the CLI (`concord-cli/src/commands/node/start.rs`) does that and
//! maps a [`ConfigError`] to its usage exit code.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use concord_core::auth::Secret;
use concord_core::NodeId;
use serde::Deserialize;

/// The largest `--max-request-size` and `--max-value-size` a node accepts
/// (64 MiB). One request becomes one Raft entry. On a release build with
/// the default timeouts, a 3-node cluster on loopback committed 64 MiB
/// entries without an election and 96 MiB ones only after repeated
/// elections (docs/RELIABILITY.md): limits above the largest measured safe
/// size are refused. The CLI reads no more input than this either.
pub const MAX_SIZE_LIMIT: usize = 64 * 1024 * 1024;

/// The longest `--default-ttl` (as a request's `ttl`): ten years.
const MAX_DEFAULT_TTL: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// The longest timeout or interval. Deadlines are computed as now + these:
/// bounding them keeps that arithmetic from overflowing.
const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

/// A setting out of range, or settings that contradict each other. The
/// message names the flags (the TOML keys are the same names without `--`).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Invalid(String),
    /// openraft refused the timing settings as it sees them (whole
    /// milliseconds).
    #[error("invalid Raft settings: {0}")]
    Raft(#[from] openraft::ConfigError),
}

fn invalid(message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid(message.into())
}

/// Every setting of `concord node start`, as given: `None` is "not given".
/// The same type is the flags (clap) and the TOML config file (serde; its
/// keys are the flag names without `--`, and an unknown key is an error).
/// Merge a file's settings into the flags' with [`NodeSettings::or`], then
/// [`NodeSettings::resolve`] them.
///
/// `{default}` in a flag's doc comment is replaced, in `--help`, the man
/// pages and the completions, by the default [`StartConfig::default`]
/// holds, so the help shows the values the node uses.
#[derive(Debug, Clone, Default, PartialEq, clap::Args, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[command(mut_args = show_default)]
pub struct NodeSettings {
    /// This node's id. Recorded in the data directory on first start; a
    /// directory that belongs to another id is refused. Default: 1 for a
    /// single node; assigned by the cluster with --join; the entry whose peer
    /// URL is this node's with --initial-cluster.
    #[arg(long)]
    pub id: Option<u64>,
    /// Join an existing cluster: client URLs of one or more members,
    /// comma-separated. Ignored once the data directory has Raft state.
    #[arg(long, value_delimiter = ',', value_name = "URLS", conflicts_with = "initial_cluster")]
    pub join: Option<Vec<String>>,
    /// Static bootstrap: `1=http://10.0.0.1:7380,2=...,3=...` (ids and peer
    /// URLs), the same on every member. Ignored once the data directory has
    /// Raft state.
    #[arg(long, value_name = "ID=PEER_URL,...")]
    pub initial_cluster: Option<String>,
    /// Take a snapshot (letting older log be purged) every this many log
    /// entries. A snapshot fsyncs the state machine and costs the same
    /// whatever the data size; the purge after it deletes this many entries
    /// at once. Held back while this node streams a snapshot to a member
    /// (and 30 s after; at most 5 minutes and 10 times this or 100,000
    /// entries) [default: {default}].
    #[arg(long, value_name = "ENTRIES")]
    pub snapshot_logs: Option<u64>,
    /// TTL for keys written without one, like `24h` [default: {default}].
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    #[serde(default, deserialize_with = "duration")]
    pub default_ttl: Option<Duration>,
    /// Most operations (compares included) in one transaction [default:
    /// {default}].
    #[arg(long, value_name = "N")]
    pub max_txn_ops: Option<usize>,
    /// Most operations in one bulk batch [default: {default}].
    #[arg(long, value_name = "N")]
    pub max_batch_ops: Option<usize>,
    /// Largest transaction or batch request body, in bytes; at most 64 MiB,
    /// since one request is one Raft entry [default: {default}].
    #[arg(long, value_name = "BYTES")]
    pub max_request_size: Option<usize>,
    /// Client requests served at once; more get 503 `overloaded` at once
    /// [default: {default}].
    #[arg(long, value_name = "N")]
    pub max_concurrent_requests: Option<usize>,
    /// Refuse writes that add data (507 `insufficient_storage`) while the
    /// data directory's disk has less free space than this, in bytes
    /// [default: {default}].
    #[arg(long, value_name = "BYTES")]
    pub min_free_space: Option<u64>,
    /// Most request ids (`Concord-Request-Id`) remembered for deduplicating
    /// retries; the oldest are forgotten first. A leader's setting applies
    /// to the entries it proposes [default: {default}].
    #[arg(long, value_name = "N")]
    pub request_id_max_entries: Option<u64>,
    /// Most bytes of remembered request outcomes; the oldest are forgotten
    /// first [default: {default}].
    #[arg(long, value_name = "BYTES")]
    pub request_id_max_bytes: Option<u64>,
    /// Connections open at once on each listener; at the cap the connection
    /// idle longest is closed to admit a new one [default: {default}].
    #[arg(long, value_name = "N")]
    pub max_connections: Option<usize>,
    /// Exports streaming at once; more get 503 `overloaded` [default:
    /// {default}].
    #[arg(long, value_name = "N")]
    pub max_concurrent_exports: Option<usize>,
    /// Watch streams (`GET /v1/watch`) open at once; more get 503
    /// `overloaded`. Watches take no `--max-concurrent-requests` permit
    /// [default: {default}].
    #[arg(long, value_name = "N")]
    pub max_watchers: Option<usize>,
    /// Events of the watch history kept at most: a watch can resume from
    /// any revision the history still holds (oldest revisions go first)
    /// [default: {default}].
    #[arg(long, value_name = "EVENTS")]
    pub watch_history: Option<u64>,
    /// Events of the watch history older than this are pruned [default:
    /// {default}].
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    #[serde(default, deserialize_with = "duration")]
    pub watch_history_age: Option<Duration>,
    /// Request-body bytes buffered at once across all requests; more get
    /// 503 `overloaded` [default: {default}].
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
    /// [default: {default}].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Address of the client API [default: {default}].
    #[arg(long, value_name = "ADDR")]
    pub listen_client: Option<SocketAddr>,
    /// Address of the peer (Raft) listener [default: {default}].
    #[arg(long, value_name = "ADDR")]
    pub listen_peer: Option<SocketAddr>,
    /// Client URL others use to reach this node [default: {default}].
    #[arg(long, value_name = "URL")]
    pub advertise_client: Option<String>,
    /// Peer URL other nodes use to reach this node [default: {default}].
    #[arg(long, value_name = "URL")]
    pub advertise_peer: Option<String>,
    /// Log filter: error, warn, info, debug, trace, or a tracing directive
    /// [default: {default}]. Logs go to stderr.
    #[arg(long, value_name = "LEVEL")]
    pub log_level: Option<String>,
    /// Log format on stderr: `text`, or `json` (one JSON object per line:
    /// time, level, target, message and the event's fields) [default: {default}].
    #[arg(long, value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Largest value accepted, in bytes; at most 64 MiB [default: {default}].
    #[arg(long, value_name = "BYTES")]
    pub max_value_size: Option<usize>,
    /// Leader heartbeat period [default: {default}].
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    #[serde(default, deserialize_with = "duration")]
    pub heartbeat_interval: Option<Duration>,
    /// Minimum election timeout; the maximum is twice this. A follower starts an
    /// election after the leader lease (the maximum) plus a random timeout
    /// without hearing from the leader [default: {default}].
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    #[serde(default, deserialize_with = "duration")]
    pub election_timeout: Option<Duration>,
    /// How long a request may wait for a quorum before 503 [default: {default}].
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    #[serde(default, deserialize_with = "duration")]
    pub request_timeout: Option<Duration>,
    /// How long a client may take to send a request's headers, or stall
    /// while sending its body (then 408), and how long an idle kept-alive
    /// connection stays open [default: {default}].
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    #[serde(default, deserialize_with = "duration")]
    pub client_read_timeout: Option<Duration>,
    /// Require a token on every client request but `/health` and `/ready`.
    /// Takes effect when this node creates the cluster and is replicated
    /// (joiners inherit it; it cannot be turned off). Needs a cluster
    /// secret. The root token comes from `CONCORD_ROOT_TOKEN` in this
    /// node's environment, or else from `concord token bootstrap`.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub auth: Option<bool>,
    /// File holding the secret every member shares (else
    /// `CONCORD_CLUSTER_SECRET`; at least 16 bytes): every Raft call and
    /// join request must carry it. Without TLS it crosses the wire in the
    /// clear.
    #[arg(long, value_name = "FILE")]
    pub cluster_secret_file: Option<PathBuf>,
    /// Append-only audit log, JSON lines: every mutating and every denied
    /// request [default: {default}].
    #[arg(long, value_name = "PATH")]
    pub audit_log: Option<PathBuf>,
    /// Failed authentications allowed per remote address per minute; more
    /// get 429 `too_many_auth_failures` [default: {default}].
    #[arg(long, value_name = "N")]
    pub max_auth_failures: Option<u32>,
    /// PEM certificate chain of the client listener (turns on HTTPS).
    /// Reloaded on SIGHUP and when the file changes.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of `--tls-cert`.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// PEM CA certificates: clients must present a certificate signed by
    /// one (needs `--tls-cert`).
    #[arg(long, value_name = "FILE")]
    pub client_ca: Option<PathBuf>,
    /// PEM certificate of the peer listener, also presented to other
    /// members as this node's client certificate (mutual TLS). It must name
    /// the host of this node's peer URL.
    #[arg(long, value_name = "FILE")]
    pub peer_tls_cert: Option<PathBuf>,
    /// PEM private key of `--peer-tls-cert`.
    #[arg(long, value_name = "FILE")]
    pub peer_tls_key: Option<PathBuf>,
    /// PEM CA certificates peers' certificates must chain to (both ways).
    /// Also trusted for relaying requests to the leader's client URL.
    #[arg(long, value_name = "FILE")]
    pub peer_trusted_ca: Option<PathBuf>,
}

/// A duration in the TOML file: a string like `"100ms"` or `"24h"`, as the
/// flags take it.
fn duration<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    let text = String::deserialize(d)?;
    humantime::parse_duration(&text)
        .map(Some)
        .map_err(|e| serde::de::Error::custom(format!("{text:?}: {e}")))
}

/// What a flag's help shows for `{default}`: the default the node uses.
fn help_default(id: &str) -> Option<String> {
    let StartConfig {
        node: d,
        listen_client,
        listen_peer,
        log_level,
        log_format,
    } = StartConfig::default();
    let time = |d: Duration| humantime::format_duration(d).to_string();
    let url = |url: Option<String>, otherwise: &str| url.unwrap_or_else(|| otherwise.into());
    Some(match id {
        "snapshot_logs" => d.snapshot_logs.to_string(),
        "default_ttl" => d.default_ttl.map_or_else(|| "none, keys never expire".into(), time),
        "max_txn_ops" => d.max_txn_ops.to_string(),
        "max_batch_ops" => d.max_batch_ops.to_string(),
        "max_request_size" => d.max_request_size.to_string(),
        "max_concurrent_requests" => d.max_concurrent_requests.to_string(),
        "min_free_space" => d.min_free_space.to_string(),
        "request_id_max_entries" => d.request_id_limits.max_entries.to_string(),
        "request_id_max_bytes" => d.request_id_limits.max_bytes.to_string(),
        "max_connections" => d.max_connections.to_string(),
        "max_concurrent_exports" => d.max_concurrent_exports.to_string(),
        "max_watchers" => d.max_watchers.to_string(),
        "watch_history" => d.watch_history.max_events.to_string(),
        "watch_history_age" => time(Duration::from_millis(d.watch_history.max_age_ms)),
        "max_in_flight_bytes" => d.max_in_flight_bytes.to_string(),
        // Relative to the working directory: `./concord-data`.
        "data_dir" => Path::new(".").join(&d.data_dir).display().to_string(),
        "listen_client" => listen_client.to_string(),
        "listen_peer" => listen_peer.to_string(),
        "advertise_client" => url(d.advertise_client, "from --listen-client"),
        "advertise_peer" => url(d.advertise_peer, "from --listen-peer"),
        "log_level" => log_level,
        "log_format" => log_format.to_string(),
        "max_value_size" => d.max_value_size.to_string(),
        "heartbeat_interval" => time(d.heartbeat_interval),
        "election_timeout" => time(d.election_timeout),
        "request_timeout" => time(d.request_timeout),
        "client_read_timeout" => time(d.client_read_timeout),
        "audit_log" => "audit.log in the data directory".into(),
        "max_auth_failures" => d.max_auth_failures.to_string(),
        _ => return None,
    })
}

/// Replaces `{default}` in a flag's help by [`help_default`].
fn show_default(arg: clap::Arg) -> clap::Arg {
    let Some(value) = help_default(arg.get_id().as_str()) else {
        return arg;
    };
    let fill = |help: &clap::builder::StyledStr| help.to_string().replace("{default}", &value);
    let (help, long_help) = (arg.get_help().map(fill), arg.get_long_help().map(fill));
    let arg = match help {
        Some(help) => arg.help(help),
        None => arg,
    };
    match long_help {
        Some(long_help) => arg.long_help(long_help),
        None => arg,
    }
}

impl NodeSettings {
    /// These settings, each one not given taken from `other`: for
    /// `flags.or(file)`, flags win over the file.
    pub fn or(self, other: NodeSettings) -> NodeSettings {
        macro_rules! or {
            ($($field:ident),* $(,)?) => {
                NodeSettings { $($field: self.$field.or(other.$field)),* }
            };
        }
        or!(
            id,
            join,
            initial_cluster,
            snapshot_logs,
            default_ttl,
            max_txn_ops,
            max_batch_ops,
            max_request_size,
            max_concurrent_requests,
            min_free_space,
            request_id_max_entries,
            request_id_max_bytes,
            max_connections,
            max_concurrent_exports,
            max_watchers,
            watch_history,
            watch_history_age,
            max_in_flight_bytes,
            allowed_hosts,
            data_dir,
            listen_client,
            listen_peer,
            advertise_client,
            advertise_peer,
            log_level,
            log_format,
            max_value_size,
            heartbeat_interval,
            election_timeout,
            request_timeout,
            client_read_timeout,
            auth,
            cluster_secret_file,
            audit_log,
            max_auth_failures,
            tls_cert,
            tls_key,
            client_ca,
            peer_tls_cert,
            peer_tls_key,
            peer_trusted_ca,
        )
    }

    /// The settings given, the defaults for the others, validated
    /// ([`NodeConfig::validate`]).
    pub fn resolve(self) -> Result<StartConfig, ConfigError> {
        let NodeSettings {
            id,
            join,
            initial_cluster,
            snapshot_logs,
            default_ttl,
            max_txn_ops,
            max_batch_ops,
            max_request_size,
            max_concurrent_requests,
            min_free_space,
            request_id_max_entries,
            request_id_max_bytes,
            max_connections,
            max_concurrent_exports,
            max_watchers,
            watch_history,
            watch_history_age,
            max_in_flight_bytes,
            allowed_hosts,
            data_dir,
            listen_client,
            listen_peer,
            advertise_client,
            advertise_peer,
            log_level,
            log_format,
            max_value_size,
            heartbeat_interval,
            election_timeout,
            request_timeout,
            client_read_timeout,
            auth,
            cluster_secret_file,
            audit_log,
            max_auth_failures,
            tls_cert,
            tls_key,
            client_ca,
            peer_tls_cert,
            peer_tls_key,
            peer_trusted_ca,
        } = self;
        fn set<T>(target: &mut T, given: Option<T>) {
            if let Some(value) = given {
                *target = value;
            }
        }
        // The id is checked before --initial-cluster is parsed, as the
        // messages have always come in that order.
        if let Some(id) = id {
            check_id(id)?;
        }
        let mut start = StartConfig::default();
        set(&mut start.listen_client, listen_client);
        set(&mut start.listen_peer, listen_peer);
        set(&mut start.log_level, log_level);
        set(&mut start.log_format, log_format);
        let node = &mut start.node;
        node.id = id.or(node.id);
        let join = join.unwrap_or_default();
        node.bootstrap = match (join.is_empty(), initial_cluster) {
            (true, None) => Bootstrap::SingleNode,
            (false, None) => Bootstrap::Join(join),
            (true, Some(spec)) => Bootstrap::InitialCluster(parse_initial_cluster(&spec)?),
            (false, Some(_)) => return Err(invalid("--join and --initial-cluster cannot be used together")),
        };
        set(&mut node.snapshot_logs, snapshot_logs);
        node.default_ttl = default_ttl.or(node.default_ttl);
        set(&mut node.max_txn_ops, max_txn_ops);
        set(&mut node.max_batch_ops, max_batch_ops);
        set(&mut node.max_request_size, max_request_size);
        set(&mut node.max_concurrent_requests, max_concurrent_requests);
        set(&mut node.min_free_space, min_free_space);
        set(&mut node.request_id_limits.max_entries, request_id_max_entries);
        set(&mut node.request_id_limits.max_bytes, request_id_max_bytes);
        set(&mut node.max_connections, max_connections);
        set(&mut node.max_concurrent_exports, max_concurrent_exports);
        set(&mut node.max_watchers, max_watchers);
        set(&mut node.watch_history.max_events, watch_history);
        if let Some(age) = watch_history_age {
            node.watch_history.max_age_ms = u64::try_from(age.as_millis()).unwrap_or(u64::MAX);
        }
        set(&mut node.max_in_flight_bytes, max_in_flight_bytes);
        if let Some(names) = allowed_hosts {
            node.allowed_hosts = names
                .into_iter()
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty())
                .collect();
        }
        set(&mut node.data_dir, data_dir);
        node.advertise_client = advertise_client.or(node.advertise_client.take());
        node.advertise_peer = advertise_peer.or(node.advertise_peer.take());
        set(&mut node.max_value_size, max_value_size);
        set(&mut node.heartbeat_interval, heartbeat_interval);
        set(&mut node.election_timeout, election_timeout);
        set(&mut node.request_timeout, request_timeout);
        set(&mut node.client_read_timeout, client_read_timeout);
        set(&mut node.auth, auth);
        node.cluster_secret_file = cluster_secret_file;
        node.audit_log = audit_log;
        set(&mut node.max_auth_failures, max_auth_failures);
        node.tls = TlsFiles {
            cert: tls_cert,
            key: tls_key,
            client_ca,
            peer_cert: peer_tls_cert,
            peer_key: peer_tls_key,
            peer_ca: peer_trusted_ca,
        };
        node.validate()?;
        Ok(start)
    }
}

/// How the node writes its logs (`--log-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

impl std::fmt::Display for LogFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        })
    }
}

/// What `concord node start` needs: the node's configuration, the addresses
/// its two listeners are bound to, and the log filter.
#[derive(Debug, Clone)]
pub struct StartConfig {
    pub node: NodeConfig,
    /// Where the client API listens (`--listen-client`).
    pub listen_client: SocketAddr,
    /// Where the peer (Raft) listener listens (`--listen-peer`).
    pub listen_peer: SocketAddr,
    /// A `tracing` filter directive (`--log-level`).
    pub log_level: String,
    /// `text` or `json` (`--log-format`).
    pub log_format: LogFormat,
}

impl Default for StartConfig {
    /// The defaults of `concord node start` with no flags.
    fn default() -> Self {
        StartConfig {
            node: NodeConfig::default(),
            listen_client: SocketAddr::from(([127, 0, 0, 1], 7379)),
            listen_peer: SocketAddr::from(([127, 0, 0, 1], 7380)),
            log_level: "info,openraft=warn".into(),
            log_format: LogFormat::Text,
        }
    }
}

/// Parses `1=http://a:7380,2=http://b:7380`.
fn parse_initial_cluster(spec: &str) -> Result<BTreeMap<NodeId, String>, ConfigError> {
    let bad = |why: String| invalid(format!("invalid --initial-cluster {spec:?}: {why}"));
    let mut members = BTreeMap::new();
    for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (id, url) = entry
            .split_once('=')
            .ok_or_else(|| bad(format!("{entry:?} is not ID=PEER_URL")))?;
        let id: NodeId = id.trim().parse().map_err(|_| bad(format!("{id:?} is not a node id")))?;
        let url = url.trim().trim_end_matches('/');
        check_member(id, url, &members).map_err(bad)?;
        if members.insert(id, url.to_string()).is_some() {
            return Err(bad(format!("node {id} is listed twice")));
        }
    }
    if members.is_empty() {
        return Err(bad("no members".into()));
    }
    Ok(members)
}

/// The rules of one `--initial-cluster` entry; `before` holds the entries
/// before it.
fn check_member(id: NodeId, url: &str, before: &BTreeMap<NodeId, String>) -> Result<(), String> {
    concord_core::limits::validate_node_id(id)?;
    concord_core::limits::normalize_http_url(url)?;
    if before.values().any(|u| u == url) {
        return Err(format!("peer URL {url} is listed twice"));
    }
    Ok(())
}

fn check_id(id: NodeId) -> Result<(), ConfigError> {
    concord_core::limits::validate_node_id(id).map_err(|e| invalid(format!("--id: {e}")))
}

/// How a node with an empty data directory finds its cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bootstrap {
    /// Form a one-member cluster of this node (the default).
    SingleNode,
    /// Ask a member (any of these client URLs) to add this node; it joins as a
    /// learner and is promoted to voter once caught up.
    Join(Vec<String>),
    /// Static bootstrap: every member gets the same id -> peer URL map and the
    /// cluster forms once a quorum is up.
    InitialCluster(BTreeMap<NodeId, String>),
}

/// Everything [`crate::run`] needs besides the listeners. The defaults are
/// [`NodeConfig::default`]; [`NodeConfig::validate`] holds the rules.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// `None`: the id recorded in the data directory, else 1 for a single
    /// node, the id assigned by the cluster when joining, or the entry of
    /// `--initial-cluster` whose peer URL is this node's.
    pub id: Option<NodeId>,
    pub data_dir: PathBuf,
    /// Client URL other nodes and clients use to reach this node. Derived
    /// from the client listener's address when `None`.
    pub advertise_client: Option<String>,
    /// Peer URL other nodes use for Raft RPCs. Derived from the peer
    /// listener's address when `None`.
    pub advertise_peer: Option<String>,
    /// Largest value accepted, in bytes.
    pub max_value_size: usize,
    /// Leader heartbeat period.
    pub heartbeat_interval: Duration,
    /// Lower bound of the randomised election timeout; the upper bound is twice
    /// this.
    pub election_timeout: Duration,
    /// How long a client request may wait for Raft (commit or read index)
    /// before the node answers 503 `timeout`.
    pub request_timeout: Duration,
    /// How long a client may take to send request headers or stall while
    /// sending a body, and how long an idle kept-alive connection stays.
    pub client_read_timeout: Duration,
    /// Build a snapshot (and let the log before it be purged) after this many
    /// log entries.
    pub snapshot_logs: u64,
    /// TTL given to keys written without one; `None`: never expire.
    pub default_ttl: Option<Duration>,
    /// Most operations (compares included) in one transaction.
    pub max_txn_ops: usize,
    /// Most operations in one `POST /v1/kv/batch`.
    pub max_batch_ops: usize,
    /// Largest JSON request body (transactions, batches), in bytes.
    pub max_request_size: usize,
    /// Client requests served at once; more are refused at once with 503
    /// `overloaded` instead of queueing without bound.
    pub max_concurrent_requests: usize,
    /// Request-body bytes buffered at once across all requests; a request
    /// that would pass it is refused with 503 `overloaded`.
    pub max_in_flight_bytes: usize,
    /// Exports (`GET /v1/export`) streaming at once; more get 503
    /// `overloaded`.
    pub max_concurrent_exports: usize,
    /// Watch streams open at once.
    pub max_watchers: usize,
    /// How much watch history the state machine keeps.
    pub watch_history: concord_core::store::HistoryLimits,
    /// Connections open at once per listener (see `server.rs`).
    pub max_connections: usize,
    /// More host names a request's `Host` header may carry while a listener
    /// is on a loopback or unspecified address (`*`: any). See `front.rs`.
    pub allowed_hosts: Vec<String>,
    /// Writes that add data are refused (507 `insufficient_storage`) while
    /// the data directory's file system has less free space than this, so
    /// the Raft log never runs into a full disk; deletes still pass.
    pub min_free_space: u64,
    /// Bounds of the request-id (deduplication) table; they travel in every
    /// entry this node proposes as leader, so replicas prune alike.
    pub request_id_limits: concord_core::DedupLimits,
    pub bootstrap: Bootstrap,
    /// Token auth for clients (see `--auth`).
    pub auth: bool,
    /// The secret every member shares; the CLI reads it from
    /// `CONCORD_CLUSTER_SECRET` or [`NodeConfig::cluster_secret_file`].
    pub cluster_secret: Option<Secret>,
    /// Where the CLI read the cluster secret from (`--cluster-secret-file`).
    pub cluster_secret_file: Option<PathBuf>,
    /// The root token from `CONCORD_ROOT_TOKEN`: only its digest is
    /// replicated.
    pub root_token: Option<Secret>,
    /// The audit log; `None`: `audit.log` in the data directory.
    pub audit_log: Option<PathBuf>,
    /// Failed authentications per remote address per minute.
    pub max_auth_failures: u32,
    pub tls: TlsFiles,
}

/// Certificate files (PEM). Read by the node at start-up and again on
/// SIGHUP or when a file changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsFiles {
    /// `--tls-cert` / `--tls-key`: HTTPS on the client listener.
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    /// `--client-ca`: client certificates required on the client listener.
    pub client_ca: Option<PathBuf>,
    /// `--peer-tls-cert` / `--peer-tls-key` / `--peer-trusted-ca`: mutual
    /// TLS between members.
    pub peer_cert: Option<PathBuf>,
    pub peer_key: Option<PathBuf>,
    pub peer_ca: Option<PathBuf>,
}

impl TlsFiles {
    /// Is the peer listener (and the peer client) on mutual TLS?
    pub fn peer(&self) -> bool {
        self.peer_cert.is_some()
    }
}

impl Default for NodeConfig {
    /// The defaults of `concord node start` with no flags.
    fn default() -> Self {
        NodeConfig {
            id: None,
            data_dir: PathBuf::from("concord-data"),
            advertise_client: None,
            advertise_peer: None,
            max_value_size: concord_core::limits::DEFAULT_MAX_VALUE_BYTES,
            heartbeat_interval: Duration::from_millis(100),
            election_timeout: Duration::from_millis(300),
            request_timeout: Duration::from_secs(10),
            client_read_timeout: Duration::from_secs(30),
            snapshot_logs: 10_000,
            default_ttl: None,
            max_txn_ops: 1024,
            max_batch_ops: 10_000,
            max_request_size: 32 * 1024 * 1024,
            max_concurrent_requests: 4096,
            min_free_space: 64 * 1024 * 1024,
            max_in_flight_bytes: 256 * 1024 * 1024,
            max_concurrent_exports: 16,
            max_watchers: 1024,
            watch_history: concord_core::store::HistoryLimits::default(),
            max_connections: 4096,
            allowed_hosts: Vec::new(),
            request_id_limits: concord_core::DedupLimits::default(),
            bootstrap: Bootstrap::SingleNode,
            auth: false,
            cluster_secret: None,
            cluster_secret_file: None,
            root_token: None,
            audit_log: None,
            max_auth_failures: 20,
            tls: TlsFiles::default(),
        }
    }
}

impl NodeConfig {
    /// The defaults, with this id and data directory.
    pub fn new(id: Option<NodeId>, data_dir: PathBuf) -> Self {
        NodeConfig {
            id,
            data_dir,
            ..NodeConfig::default()
        }
    }

    /// Every rule a configuration must meet; the first one broken is the
    /// error. [`crate::prepare`] calls it.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(id) = self.id {
            check_id(id)?;
        }
        match &self.bootstrap {
            Bootstrap::SingleNode | Bootstrap::Join(_) => {}
            Bootstrap::InitialCluster(members) => {
                let bad = |why: String| invalid(format!("invalid --initial-cluster: {why}"));
                if members.is_empty() {
                    return Err(bad("no members".into()));
                }
                let mut before = BTreeMap::new();
                for (&id, url) in members {
                    let url = url.trim_end_matches('/');
                    check_member(id, url, &before).map_err(bad)?;
                    before.insert(id, url.to_string());
                }
            }
        }
        if self.default_ttl.is_some_and(|t| t > MAX_DEFAULT_TTL) {
            return Err(invalid("--default-ttl must be at most 10 years (as a request's ttl)"));
        }
        if self.default_ttl.is_some_and(|t| t.is_zero()) {
            return Err(invalid("--default-ttl must be longer than 0s"));
        }
        for (value, name) in [
            (self.max_txn_ops as u64, "--max-txn-ops"),
            (self.max_batch_ops as u64, "--max-batch-ops"),
            (self.max_request_size as u64, "--max-request-size"),
            (self.max_concurrent_requests as u64, "--max-concurrent-requests"),
            (self.max_connections as u64, "--max-connections"),
            (self.max_concurrent_exports as u64, "--max-concurrent-exports"),
            (self.max_watchers as u64, "--max-watchers"),
            (self.watch_history.max_events, "--watch-history"),
            (self.watch_history.max_age_ms, "--watch-history-age"),
            (self.max_in_flight_bytes as u64, "--max-in-flight-bytes"),
            (self.request_id_limits.max_entries, "--request-id-max-entries"),
            (self.request_id_limits.max_bytes, "--request-id-max-bytes"),
            (self.snapshot_logs, "--snapshot-logs"),
            (self.max_value_size as u64, "--max-value-size"),
        ] {
            if value == 0 {
                return Err(invalid(format!("{name} must be at least 1")));
            }
        }
        if self.client_read_timeout.is_zero() {
            return Err(invalid("--client-read-timeout must be longer than 0s"));
        }
        for (size, name) in [
            (self.max_request_size, "--max-request-size"),
            (self.max_value_size, "--max-value-size"),
        ] {
            if size > MAX_SIZE_LIMIT {
                return Err(invalid(format!(
                    "{name} must be at most {MAX_SIZE_LIMIT} bytes (64 MiB): larger Raft entries stall replication \
                     long enough to trigger elections"
                )));
            }
        }
        for (d, name) in [
            (self.heartbeat_interval, "--heartbeat-interval"),
            (self.election_timeout, "--election-timeout"),
            (self.request_timeout, "--request-timeout"),
            (self.client_read_timeout, "--client-read-timeout"),
        ] {
            if d > MAX_TIMEOUT {
                return Err(invalid(format!("{name} must be at most 24h")));
            }
        }
        if self.election_timeout <= self.heartbeat_interval {
            return Err(invalid("--election-timeout must be longer than --heartbeat-interval"));
        }
        // A body relayed by a follower may be up to 1 MiB over the limit it
        // enforces; the byte budget must hold at least one of the largest.
        let largest_body = self.max_value_size.max(self.max_request_size) + 1024 * 1024;
        if self.max_in_flight_bytes < largest_body {
            return Err(invalid(format!(
                "--max-in-flight-bytes must be at least {largest_body} (the largest body --max-value-size and \
                 --max-request-size allow, plus 1 MiB), or such requests could never be served"
            )));
        }
        let t = &self.tls;
        if t.cert.is_some() != t.key.is_some() {
            return Err(invalid("--tls-cert and --tls-key go together"));
        }
        if t.client_ca.is_some() && t.cert.is_none() {
            return Err(invalid("--client-ca needs --tls-cert and --tls-key"));
        }
        if [&t.peer_cert, &t.peer_key, &t.peer_ca]
            .iter()
            .any(|p| p.is_some() != t.peer_cert.is_some())
        {
            return Err(invalid(
                "--peer-tls-cert, --peer-tls-key and --peer-trusted-ca go together (mutual TLS)",
            ));
        }
        if self.max_auth_failures == 0 {
            return Err(invalid("--max-auth-failures must be at least 1"));
        }
        self.raft_config()?;
        Ok(())
    }

    /// The secrets' rules, checked by [`crate::prepare`] once the CLI has
    /// read them: `--auth` needs a cluster secret (else any process could
    /// join and read the log), and secrets are at least 16 bytes.
    pub fn validate_secrets(&self) -> Result<(), ConfigError> {
        use concord_core::auth::MIN_ROOT_TOKEN_BYTES;
        if self.auth && self.cluster_secret.is_none() {
            return Err(invalid(
                "--auth needs a cluster secret (CONCORD_CLUSTER_SECRET or --cluster-secret-file): without one, \
                 anyone who reaches the peer port could join and read every key",
            ));
        }
        for (secret, name) in [
            (&self.cluster_secret, "the cluster secret"),
            (&self.root_token, "CONCORD_ROOT_TOKEN"),
        ] {
            if secret.as_ref().is_some_and(|s| s.expose().len() < MIN_ROOT_TOKEN_BYTES) {
                return Err(invalid(format!("{name} must be at least {MIN_ROOT_TOKEN_BYTES} bytes")));
            }
        }
        Ok(())
    }

    pub(crate) fn connection_limits(&self) -> crate::serve::Limits {
        crate::serve::Limits {
            idle: self.client_read_timeout,
            max: self.max_connections.max(1),
        }
    }

    pub(crate) fn raft_config(&self) -> Result<openraft::Config, ConfigError> {
        let ms = |d: Duration| d.as_millis().max(1) as u64;
        openraft::Config {
            cluster_name: "concord".into(),
            heartbeat_interval: ms(self.heartbeat_interval),
            election_timeout_min: ms(self.election_timeout),
            election_timeout_max: ms(self.election_timeout) * 2,
            max_payload_entries: 1024,
            // Snapshots are scheduled by `maintainer::snapshots`.
            snapshot_policy: openraft::SnapshotPolicy::Never,
            max_in_snapshot_log_to_keep: crate::maintainer::LOG_KEPT_AFTER_SNAPSHOT.min(self.snapshot_logs.max(1)),
            // A restarted leader campaigns, as in standard Raft; restoring its
            // old term at once is unsafe, for two reasons. Its log may lack
            // entries it acknowledged: the two followers' fsyncs alone can
            // commit an entry before the leader's own, so after a power cut
            // it would give such an index to another entry. And the commit
            // index reaches the disk only with a later fsync of the log, so
            // its ReadIndex would stop below acknowledged writes. A durable
            // commit index would fix only the second. A new term's first
            // entry, which only a node holding every committed entry can get
            // elected to write, covers every earlier commit.
            enable_leader_restore: Some(false),
            ..Default::default()
        }
        .validate()
        .map_err(ConfigError::from)
    }
}

#[cfg(test)]
mod tests {
    use clap::Args;

    use super::*;

    fn settings_command() -> clap::Command {
        NodeSettings::augment_args(clap::Command::new("start"))
    }

    /// See `raft_config`: a restarted leader must campaign
    /// (`power_loss::a_leader_back_from_a_power_cut_...` shows why end to end).
    #[test]
    fn a_restarted_leader_does_not_restore_its_old_term() {
        let config = NodeConfig::default().raft_config().unwrap();
        assert_eq!(config.enable_leader_restore, Some(false));
    }

    #[test]
    fn every_help_default_is_filled_in_from_the_defaults() {
        let cmd = settings_command();
        for arg in cmd.get_arguments() {
            let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
            assert!(
                !help.contains("{default}"),
                "--{}: no default for {help:?}",
                arg.get_id()
            );
            if help.contains("[default: ") {
                assert!(help_default(arg.get_id().as_str()).is_some(), "{help}");
            }
        }
        let help = |id: &str| {
            let arg = cmd.get_arguments().find(|a| a.get_id() == id).unwrap();
            arg.get_help().unwrap().to_string()
        };
        let d = NodeConfig::default();
        assert!(help("snapshot_logs").ends_with(&format!("[default: {}]", d.snapshot_logs)));
        assert!(help("heartbeat_interval").ends_with("[default: 100ms]"));
        assert!(help("data_dir").ends_with("[default: ./concord-data]"));
        assert!(help("log_level").contains("[default: info,openraft=warn]. Logs"));
        assert!(help("default_ttl").ends_with("[default: none, keys never expire]"));
    }

    #[test]
    fn flags_win_over_the_file_setting_by_setting() {
        let flags = NodeSettings {
            max_txn_ops: Some(1),
            ..NodeSettings::default()
        };
        let file = NodeSettings {
            max_txn_ops: Some(2),
            max_batch_ops: Some(3),
            ..NodeSettings::default()
        };
        let merged = flags.or(file);
        assert_eq!((merged.max_txn_ops, merged.max_batch_ops), (Some(1), Some(3)));
        assert_eq!(merged.max_value_size, None);
    }

    #[test]
    fn no_settings_resolve_to_the_defaults() {
        let start = NodeSettings::default().resolve().unwrap();
        assert_eq!(format!("{:?}", start.node), format!("{:?}", NodeConfig::default()));
        NodeConfig::default().validate().unwrap();
    }

    #[test]
    fn file_keys_are_the_flag_names_and_durations_are_humantime() {
        let s: NodeSettings =
            serde_json::from_str(r#"{"heartbeat-interval": "150ms", "max-txn-ops": 7, "join": ["http://a:1"]}"#)
                .unwrap();
        assert_eq!(s.heartbeat_interval, Some(Duration::from_millis(150)));
        assert_eq!(s.max_txn_ops, Some(7));
        assert_eq!(s.election_timeout, None);
        let e = serde_json::from_str::<NodeSettings>(r#"{"max-txn-op": 7}"#).unwrap_err();
        assert!(e.to_string().contains("max-txn-op"), "{e}");
        let e = serde_json::from_str::<NodeSettings>(r#"{"request-timeout": "soon"}"#).unwrap_err();
        assert!(e.to_string().contains("soon"), "{e}");
    }

    #[test]
    fn resolve_refuses_what_the_node_cannot_run_with() {
        let mb = 1024 * 1024;
        for (settings, want) in [
            (
                NodeSettings {
                    id: Some(0),
                    ..Default::default()
                },
                "--id: node id 0 is out of range",
            ),
            (
                NodeSettings {
                    join: Some(vec!["http://a:1".into()]),
                    initial_cluster: Some("1=http://a:2".into()),
                    ..Default::default()
                },
                "--join and --initial-cluster cannot be used together",
            ),
            (
                NodeSettings {
                    initial_cluster: Some("1=http://a:2,2=http://a:2/".into()),
                    ..Default::default()
                },
                "peer URL http://a:2 is listed twice",
            ),
            (
                NodeSettings {
                    max_txn_ops: Some(0),
                    ..Default::default()
                },
                "--max-txn-ops must be at least 1",
            ),
            (
                NodeSettings {
                    max_value_size: Some(MAX_SIZE_LIMIT + 1),
                    ..Default::default()
                },
                "--max-value-size must be at most 67108864 bytes",
            ),
            (
                NodeSettings {
                    max_request_size: Some(64 * mb),
                    max_in_flight_bytes: Some(64 * mb),
                    ..Default::default()
                },
                "--max-in-flight-bytes must be at least 68157440",
            ),
            (
                NodeSettings {
                    request_timeout: Some(Duration::from_secs(25 * 3600)),
                    ..Default::default()
                },
                "--request-timeout must be at most 24h",
            ),
            (
                NodeSettings {
                    heartbeat_interval: Some(Duration::from_millis(300)),
                    ..Default::default()
                },
                "--election-timeout must be longer than --heartbeat-interval",
            ),
            // Longer, but not once openraft rounds both down to 1 ms.
            (
                NodeSettings {
                    heartbeat_interval: Some(Duration::from_micros(1500)),
                    election_timeout: Some(Duration::from_micros(1900)),
                    ..Default::default()
                },
                "invalid Raft settings",
            ),
        ] {
            let e = settings.clone().resolve().unwrap_err();
            assert!(e.to_string().contains(want), "{settings:?}: {e}");
        }
    }

    /// A program that builds its own `NodeConfig` gets the same checks,
    /// before the data directory is touched.
    #[test]
    fn prepare_validates_before_opening_the_data_directory() {
        let dir = std::env::temp_dir().join(format!("concord-never-created-{}", std::process::id()));
        let config = NodeConfig {
            max_concurrent_exports: 0,
            ..NodeConfig::new(None, dir.clone())
        };
        match crate::prepare(config) {
            Err(crate::NodeError::Config(e)) => {
                assert_eq!(e.to_string(), "--max-concurrent-exports must be at least 1")
            }
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("prepared"),
        }
        assert!(!dir.exists());
        let members = BTreeMap::from([(1, "ftp://a:1".to_string())]);
        let config = NodeConfig {
            bootstrap: Bootstrap::InitialCluster(members),
            ..NodeConfig::default()
        };
        let e = config.validate().unwrap_err();
        assert!(e.to_string().contains("is not an http:// or https:// URL"), "{e}");
        let tls = NodeConfig {
            bootstrap: Bootstrap::InitialCluster(BTreeMap::from([(1, "https://a:1".to_string())])),
            ..NodeConfig::default()
        };
        tls.validate().unwrap();
    }
}
