//! `GET /metrics`: the node's Prometheus metrics (prometheus-client, text
//! format). Counters and histograms are updated where things happen (the
//! front door for requests, the log flusher for fsyncs, the maintainer for
//! snapshots and sweeps, the auth guard for failures, the leader watcher for
//! leader changes); gauges are read at scrape time from openraft's metrics,
//! fjall and `/proc`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use openraft::async_runtime::WatchReceiver;

use crate::http::error::ApiError;
use crate::node::Node;

/// The storage figures (keys, bytes on disk) are refreshed by a background
/// task, never by a scrape: every this long, and at least
/// [`STORAGE_COST_FACTOR`] times what the last count took (counting scans
/// every key, so it takes at most about 5% of a thread).
const STORAGE_MIN_PERIOD: Duration = Duration::from_secs(2);
const STORAGE_COST_FACTOR: u32 = 20;

/// At most this many scrapes run at once; more get 503 `overloaded`.
const MAX_CONCURRENT_SCRAPES: usize = 4;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RequestLabels {
    /// The method and route template, e.g. `GET /v1/kv/{*key}`.
    pub(crate) op: String,
    /// The HTTP status code.
    pub(crate) code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct OpLabel {
    pub(crate) op: String,
}

/// Every metric the node keeps, and the registry that encodes them.
pub(crate) struct Metrics {
    registry: Registry,
    pub(crate) requests: Family<RequestLabels, Counter>,
    pub(crate) request_duration: Family<OpLabel, Histogram>,
    pub(crate) leader_changes: Counter,
    pub(crate) fsync_duration: Histogram,
    pub(crate) snapshot_duration: Histogram,
    pub(crate) ttl_expired: Counter,
    pub(crate) auth_failures: Counter,
    term: Gauge,
    commit_index: Gauge,
    applied_index: Gauge,
    is_leader: Gauge,
    keys: Gauge,
    db_size: Gauge,
    /// Permits for scrapes running at once.
    scrapes: tokio::sync::Semaphore,
    /// The second of the last `authentication failed` warning, and the
    /// failures not logged since: one warning a second at most.
    auth_warned_at: AtomicU64,
    auth_unlogged: AtomicU64,
}

/// Latency buckets from 0.1 ms to about 26 s.
fn latency_buckets() -> impl Iterator<Item = f64> {
    exponential_buckets(0.0001, 2.0, 19)
}

impl Metrics {
    pub(crate) fn new() -> Arc<Metrics> {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let request_duration = Family::<OpLabel, Histogram>::new_with_constructor(|| Histogram::new(latency_buckets()));
        let fsync_duration = Histogram::new(latency_buckets());
        let snapshot_duration = Histogram::new(exponential_buckets(0.001, 2.0, 18));
        let m = Metrics {
            requests: requests.clone(),
            request_duration: request_duration.clone(),
            leader_changes: Counter::default(),
            fsync_duration: fsync_duration.clone(),
            snapshot_duration: snapshot_duration.clone(),
            ttl_expired: Counter::default(),
            auth_failures: Counter::default(),
            term: Gauge::default(),
            commit_index: Gauge::default(),
            applied_index: Gauge::default(),
            is_leader: Gauge::default(),
            keys: Gauge::default(),
            db_size: Gauge::default(),
            scrapes: tokio::sync::Semaphore::new(MAX_CONCURRENT_SCRAPES),
            auth_warned_at: AtomicU64::new(0),
            auth_unlogged: AtomicU64::new(0),
            registry: Registry::default(),
        };
        // Names without the `_total` suffix: the encoder adds it to counters.
        registry.register(
            "concord_requests",
            "Client API requests answered, by route and status",
            requests,
        );
        registry.register(
            "concord_request_duration_seconds",
            "Time to answer a client API request (to the response head), by route",
            request_duration,
        );
        registry.register("concord_raft_term", "This node's current Raft term", m.term.clone());
        registry.register(
            "concord_raft_commit_index",
            "The highest log index this node knows committed",
            m.commit_index.clone(),
        );
        registry.register(
            "concord_raft_applied_index",
            "The highest log index applied to this node's state machine",
            m.applied_index.clone(),
        );
        registry.register(
            "concord_raft_is_leader",
            "1 on the leader, 0 elsewhere",
            m.is_leader.clone(),
        );
        registry.register(
            "concord_raft_leader_changes",
            "Leaders this node has seen elected (a new leader, not the same one again)",
            m.leader_changes.clone(),
        );
        registry.register(
            "concord_keys",
            "Keys stored in this node's state machine (expired ones not yet swept included), counted in the background every few seconds",
            m.keys.clone(),
        );
        registry.register(
            "concord_db_size_bytes",
            "Bytes on disk of the Raft log and the state machine (journals, preallocated space included, and tables)",
            m.db_size.clone(),
        );
        registry.register(
            "concord_fsync_duration_seconds",
            "Time of each group-commit fsync of the Raft log",
            fsync_duration,
        );
        registry.register(
            "concord_snapshot_duration_seconds",
            "Time to build a snapshot, from the trigger to openraft reporting it",
            snapshot_duration,
        );
        registry.register(
            "concord_ttl_expired",
            "Expired keys deleted by this node's TTL sweeps (as leader)",
            m.ttl_expired.clone(),
        );
        registry.register(
            "concord_auth_failures",
            "Client API requests answered 401: a missing, unknown, revoked or expired token",
            m.auth_failures.clone(),
        );
        registry.register_collector(Box::new(ProcessCollector));
        Arc::new(Metrics { registry, ..m })
    }

    /// Counts a request answered with `code` after `took`. `op` is one of a
    /// bounded set (see `http::front_door`): a label value per distinct
    /// string would let clients grow the registry without bound.
    pub(crate) fn request(&self, op: String, code: u16, took: Duration) {
        self.request_duration
            .get_or_create(&OpLabel { op: op.clone() })
            .observe(took.as_secs_f64());
        self.requests
            .get_or_create(&RequestLabels {
                op,
                code: code.to_string(),
            })
            .inc();
    }

    /// Counts a request refused as unauthenticated, and logs it: the
    /// remote address and the route template (never a token or a key), at
    /// most once a second, with the number not logged since.
    pub(crate) fn auth_failure(&self, remote: Option<std::net::SocketAddr>, route: &str) {
        self.auth_failures.inc();
        let second = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let last = self.auth_warned_at.swap(second, Ordering::Relaxed);
        if last == second {
            self.auth_unlogged.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let unlogged = self.auth_unlogged.swap(0, Ordering::Relaxed);
        let remote = remote.map_or_else(|| "unknown".to_string(), |r| r.to_string());
        tracing::warn!(%remote, route, unlogged, "authentication failed");
    }

    /// The text exposition of every metric, the Raft gauges refreshed first.
    /// Never waits on storage: the storage gauges are kept by
    /// [`watch_storage`].
    fn scrape(&self, node: &Node) -> Result<String, ApiError> {
        let m = node.metrics();
        self.term.set(m.current_term as i64);
        let commit = m.cluster_committed.or(m.local_committed).map_or(0, |c| c.index());
        self.commit_index.set(commit as i64);
        self.applied_index.set(m.last_applied.map_or(0, |c| c.index()) as i64);
        self.is_leader.set(i64::from(m.current_leader == Some(node.id)));
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        Ok(out)
    }
}

/// Keeps `concord_keys` and `concord_db_size_bytes` current: one count at a
/// time, in the background, skipped while a snapshot is being installed
/// (the key space is being replaced); a failed count keeps the last value.
pub(crate) async fn watch_storage(node: Arc<Node>) {
    loop {
        let (reader, log) = (node.reader.clone(), node.log_store.clone());
        let started = Instant::now();
        let counted = tokio::task::spawn_blocking(move || {
            let keys = if reader.installing() {
                None
            } else {
                Some(reader.count_keys()?)
            };
            Ok::<_, std::io::Error>((keys, reader.disk_space()? + log.disk_space()?))
        })
        .await;
        let took = started.elapsed();
        match counted {
            Ok(Ok((keys, bytes))) => {
                if let Some(keys) = keys {
                    node.prom.keys.set(keys as i64);
                }
                node.prom.db_size.set(bytes as i64);
            }
            Ok(Err(e)) => tracing::debug!(error = %e, "counting keys for the metrics"),
            Err(e) => tracing::debug!(error = %e, "the key count task failed"),
        }
        tokio::time::sleep(STORAGE_MIN_PERIOD.max(took * STORAGE_COST_FACTOR)).await;
    }
}

/// `GET /metrics`: served by any node, without a token (as etcd's), like the
/// probes; it shows counts and sizes, never keys, values or secrets.
#[utoipa::path(
    get, path = "/metrics", tag = "operations",
    summary = "Prometheus metrics",
    description = "The OpenMetrics text format. No token needed.",
    responses((status = 200, description = "Every metric family", content_type = "application/openmetrics-text", body = String), (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`; the code names the cause and fixes the HTTP status (README, \"HTTP API\")", body = concord_core::api::ErrorBody))
)]
pub(crate) async fn handler(State(node): State<Arc<Node>>) -> Result<Response, ApiError> {
    let _permit = node.prom.scrapes.try_acquire().map_err(|_| {
        ApiError::overloaded(format!(
            "more than {MAX_CONCURRENT_SCRAPES} scrapes at once; retry shortly"
        ))
    })?;
    let node2 = node.clone();
    // The /proc reads are blocking I/O: off the async workers.
    let body = tokio::task::spawn_blocking(move || node2.prom.scrape(&node2))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        )],
        body,
    )
        .into_response())
}

/// Counts leader changes and logs the moments operators care about:
/// a leader elected or lost, this node's role changing, the membership
/// changing. Runs for the node's life.
pub(crate) async fn watch_leadership(node: Arc<Node>) {
    let mut rx = node.raft.metrics();
    let seen = |m: &openraft::RaftMetrics<concord_core::TypeConfig>| {
        let membership = m.membership_config.membership();
        let voters: Vec<u64> = membership.voter_ids().collect();
        let learners: Vec<u64> = membership.learner_ids().collect();
        (m.current_leader, m.state, m.current_term, voters, learners)
    };
    // Cloned out at once: the borrow is never held across an await.
    let (mut leader, mut role, _, mut voters, mut learners) = seen(&rx.borrow_watched());
    let mut last_leader = leader;
    while rx.changed().await.is_ok() {
        let (now_leader, now_role, term, now_voters, now_learners) = seen(&rx.borrow_watched());
        if now_leader != leader {
            match now_leader {
                Some(id) => {
                    if last_leader != Some(id) {
                        node.prom.leader_changes.inc();
                    }
                    last_leader = Some(id);
                    tracing::info!(leader = id, term, "leader elected");
                }
                None => tracing::warn!(previous = leader.unwrap_or(0), term, "leader lost"),
            }
            leader = now_leader;
        }
        if now_role != role {
            tracing::info!(from = role_name(role), to = role_name(now_role), term, "role changed");
            role = now_role;
        }
        if now_voters != voters || now_learners != learners {
            tracing::info!(voters = ?now_voters, learners = ?now_learners, "membership changed");
            (voters, learners) = (now_voters, now_learners);
        }
    }
}

pub(crate) fn role_name(state: openraft::ServerState) -> &'static str {
    match state {
        openraft::ServerState::Leader => "leader",
        openraft::ServerState::Follower => "follower",
        openraft::ServerState::Learner => "learner",
        openraft::ServerState::Candidate => "candidate",
        openraft::ServerState::Shutdown => "shutdown",
    }
}

/// The usual `process_*` metrics, read from `/proc/self` at each scrape
/// (Linux; elsewhere they are left out).
#[derive(Debug)]
struct ProcessCollector;

/// Clock ticks per second of `/proc/self/stat` times (USER_HZ, 100 on every
/// Linux architecture Concord builds for).
const TICKS_PER_SECOND: f64 = 100.0;

impl Collector for ProcessCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let Some(p) = ProcessStats::read() else {
            return Ok(());
        };
        let cpu = ConstCounter::new(p.cpu_seconds);
        cpu.encode(encoder.encode_descriptor(
            "process_cpu_seconds",
            "User and system CPU time spent, in seconds",
            None,
            cpu.metric_type(),
        )?)?;
        let gauges = [
            (
                "process_resident_memory_bytes",
                "Resident memory size in bytes",
                p.resident_bytes,
            ),
            (
                "process_virtual_memory_bytes",
                "Virtual memory size in bytes",
                p.virtual_bytes,
            ),
            ("process_open_fds", "Open file descriptors", p.open_fds),
            (
                "process_start_time_seconds",
                "Start time since the Unix epoch, in seconds",
                p.start_time,
            ),
        ];
        for (name, help, value) in gauges {
            let gauge = ConstGauge::new(value);
            gauge.encode(encoder.encode_descriptor(name, help, None, gauge.metric_type())?)?;
        }
        Ok(())
    }
}

struct ProcessStats {
    cpu_seconds: f64,
    resident_bytes: f64,
    virtual_bytes: f64,
    open_fds: f64,
    start_time: f64,
}

impl ProcessStats {
    fn read() -> Option<ProcessStats> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // The fields after the command name, which is in parentheses and
        // may itself hold spaces; field 3 (state) is the first one here.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let field = |n: usize| fields.get(n - 3).and_then(|f| f.parse::<f64>().ok());
        let cpu_seconds = (field(14)? + field(15)?) / TICKS_PER_SECOND;
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let kib = |name: &str| {
            status
                .lines()
                .find_map(|l| {
                    l.strip_prefix(name)?
                        .trim()
                        .strip_suffix("kB")?
                        .trim()
                        .parse::<f64>()
                        .ok()
                })
                .map(|k| k * 1024.0)
        };
        let open_fds = std::fs::read_dir("/proc/self/fd").ok()?.count() as f64;
        let boot = std::fs::read_to_string("/proc/stat")
            .ok()?
            .lines()
            .find_map(|l| l.strip_prefix("btime ")?.trim().parse::<f64>().ok())?;
        Some(ProcessStats {
            cpu_seconds,
            resident_bytes: kib("VmRSS:")?,
            virtual_bytes: kib("VmSize:")?,
            open_fds,
            start_time: boot + field(22)? / TICKS_PER_SECOND,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn process_stats_are_read_from_proc() {
        let p = ProcessStats::read().expect("/proc/self on Linux");
        assert!(p.resident_bytes > 1_000_000.0, "resident {}", p.resident_bytes);
        assert!(p.open_fds >= 3.0, "open fds {}", p.open_fds);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        assert!(
            p.start_time <= now + 1.0 && p.start_time > now - 3600.0,
            "start {}",
            p.start_time
        );
    }

    #[test]
    fn every_family_is_encoded() {
        let m = Metrics::new();
        m.request("GET /v1/kv/{*key}".into(), 200, Duration::from_millis(3));
        m.fsync_duration.observe(0.002);
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &m.registry).unwrap();
        for family in [
            "concord_requests_total{op=\"GET /v1/kv/{*key}\",code=\"200\"} 1",
            "concord_request_duration_seconds_count{op=\"GET /v1/kv/{*key}\"} 1",
            "concord_raft_term ",
            "concord_raft_leader_changes_total ",
            "concord_fsync_duration_seconds_count 1",
            "concord_ttl_expired_total 0",
            "process_resident_memory_bytes ",
            "process_cpu_seconds_total ",
        ] {
            assert!(out.contains(family), "{family} missing from:\n{out}");
        }
    }
}
