//! A Concord node: the HTTP client API, the peer (Raft) transport, and the
//! wiring of openraft to the storage in `concord-core`.
//!
//! This crate parses no command line and writes to the terminal only
//! through `tracing`; it declares its settings once
//! ([`config::NodeSettings`], which the CLI flattens into `concord node
//! start`) and checks them ([`NodeConfig::validate`]). [`prepare`] then
//! [`run`] is its only entry point: the CLI's `concord node start` calls
//! them; tests may pass listeners bound to port 0.

mod audit;
pub mod config;
mod faults;
#[doc(hidden)]
pub mod fuzzing;
mod http;
mod join;
mod maintainer;
mod metrics;
mod node;
mod peer;
mod read_gate;
mod serve;
mod tls;

use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use concord_core::store::OpenError;
use concord_core::{NodeId, NodeInfo, Raft};
use tokio::net::TcpListener;

/// The OpenAPI 3.1 document of the client API, as `GET /v1/openapi.json`
/// serves it.
pub fn openapi_document() -> &'static str {
    crate::http::openapi::document()
}

pub use crate::config::{Bootstrap, ConfigError, NodeConfig, NodeSettings, StartConfig, TlsFiles};
use crate::node::Node;
use crate::serve::{serve, serve_owned, stopped};

/// The two sockets a node serves.
pub struct Listeners {
    /// The client API (`--listen-client`).
    pub client: TcpListener,
    /// Raft RPCs from other members (`--listen-peer`).
    pub peer: TcpListener,
}

#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    #[error(transparent)]
    Storage(#[from] OpenError),
    /// A setting out of range, or settings that contradict each other: the
    /// operator must change them.
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Usage(String),
    #[error("joining the cluster failed: {0}")]
    Join(String),
    /// The cluster refused this node for a reason an operator must act on
    /// (it lost its data and comes back under a known id, say).
    #[error("{0}")]
    Refused(String),
    #[error("raft failed: {0}")]
    Raft(String),
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// A node whose data directory is open and locked, ready to [`run`].
pub struct Prepared {
    config: NodeConfig,
    storage: concord_core::Storage,
}

/// Validates the configuration ([`NodeConfig::validate`]), then opens and
/// locks the data directory. Call it before binding listeners, so that a
/// directory in use is reported before a port in use.
pub fn prepare(config: NodeConfig) -> Result<Prepared, NodeError> {
    config.validate()?;
    config.validate_secrets()?;
    let storage = concord_core::open(&config.data_dir)?;
    let auth = storage.reader.auth_state().map_err(|source| OpenError::Io {
        dir: config.data_dir.clone(),
        source,
    })?;
    if auth.enabled && config.cluster_secret.is_none() {
        return Err(ConfigError::Invalid(
            "this node's cluster has auth on: start it with the cluster secret (CONCORD_CLUSTER_SECRET or \
             --cluster-secret-file), or its peer port would take Raft calls from anyone"
                .into(),
        )
        .into());
    }
    if let (Some(recorded), Some(wanted)) = (storage.node_id, config.id) {
        if recorded != wanted {
            return Err(OpenError::WrongNode {
                dir: config.data_dir.clone(),
                found: recorded,
                wanted,
            }
            .into());
        }
    }
    Ok(Prepared { config, storage })
}

/// Runs a node until `shutdown` resolves, then stops Raft and returns.
pub async fn run(
    prepared: Prepared,
    listeners: Listeners,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), NodeError> {
    let Prepared {
        mut config,
        mut storage,
    } = prepared;
    config.max_connections = serve::fit_connections(config.max_connections);
    if faults::broken_linearizable_reads() {
        tracing::error!("TEST BUILD: broken-linearizable-reads is enabled; reads are NOT linearizable");
    }
    if faults::broken_leader_reads() {
        tracing::error!("TEST BUILD: broken-leader-reads is enabled; a leader serves reads without ReadIndex");
    }
    if concord_core::faults::ack_before_fsync() {
        tracing::error!("TEST BUILD: ack-before-fsync is enabled; writes are acknowledged before they are on disk");
    }
    let is_fresh = storage.is_fresh;
    let me = NodeInfo {
        client_url: advertised(&config.advertise_client, &listeners.client, config.tls.cert.is_some())?,
        peer_url: advertised(&config.advertise_peer, &listeners.peer, config.tls.peer())?,
    };
    let tls = tls::NodeTls::load(&config.tls)?;
    if tls.client.is_none() {
        warn_if_exposed("client", &listeners.client);
    }
    if tls.peer.is_none() {
        warn_if_exposed("peer", &listeners.peer);
    }
    let secret_headers = peer::client::secret_headers(config.cluster_secret.as_ref())?;
    let secret_header = secret_headers.get(concord_core::api::headers::CLUSTER_SECRET).cloned();
    let http = tls
        .reqwest(reqwest::Client::builder())
        .default_headers(secret_headers.clone())
        .connect_timeout(std::time::Duration::from_secs(2))
        .build()
        .map_err(|e| NodeError::Raft(e.to_string()))?;
    let audit_path = config
        .audit_log
        .clone()
        .unwrap_or_else(|| config.data_dir.join("audit.log"));
    let audit = audit::AuditLog::open(&audit_path)
        .map_err(|e| io::Error::new(e.kind(), format!("opening the audit log {}: {e}", audit_path.display())))?;

    // Which id are we? A restarted member resumes with the recorded one and
    // ignores --join and --initial-cluster.
    let mut joined_cluster = None;
    let mut joined_with_auth = false;
    let id = match (&config.bootstrap, storage.node_id.or(config.id)) {
        (Bootstrap::Join(urls), id) if is_fresh => {
            let added = join::join(&http, urls, id, &me, config.request_timeout).await?;
            joined_cluster = Some(added.cluster_id);
            joined_with_auth = added.auth;
            added.id
        }
        (_, Some(id)) => id,
        (Bootstrap::SingleNode, None) => 1,
        (Bootstrap::Join(_), None) => {
            return Err(NodeError::Usage(
                "this data directory has Raft state but no node id; pass --id".into(),
            ))
        }
        (Bootstrap::InitialCluster(members), None) => members
            .iter()
            .find(|(_, peer)| peer.trim_end_matches('/') == me.peer_url)
            .map(|(id, _)| *id)
            .ok_or_else(|| {
                NodeError::Usage(format!(
                    "pass --id: no --initial-cluster entry has this node's peer URL {}",
                    me.peer_url
                ))
            })?,
    };
    if let (true, Bootstrap::InitialCluster(peers)) = (is_fresh, &config.bootstrap) {
        // A first boot and a restart after data loss look alike here: ask
        // the peers. One that knows this id as started, acknowledged or
        // removed refuses it (etcd: "member has already been bootstrapped").
        let cid = storage.cluster_id.clone().unwrap_or_else(|| cluster_id_of(peers));
        // Until this node has initialised, its peer listener answers the
        // same question for the others ("not initialised"), so members of a
        // new cluster that start seconds apart wait for each other, not
        // forever.
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let pre = serve(
            &listeners.peer,
            peer::server::pre_bootstrap_router(cid.as_str().into(), id, config.cluster_secret.clone()),
            config.connection_limits(),
            tls.peer.clone(),
            stopped(stop_rx),
        );
        let check = async {
            let answer = peer::client::bootstrap_check(&http, &cid, id, peers).await;
            let _ = stop_tx.send(true);
            answer
        };
        let (answer, ()) = tokio::join!(check, pre);
        if let Err(peer::client::BootstrapRefusal::OtherCluster(why)) = &answer {
            return Err(NodeError::Refused(format!(
                "{why}: this node's --initial-cluster list differs from its peers' (the cluster id is derived \
                 from it); give every member the same list"
            )));
        }
        if let Err(peer::client::BootstrapRefusal::AlreadyBootstrapped(why)) = answer {
            return Err(NodeError::Refused(format!(
                "member {id} has already been bootstrapped ({why}), but this data directory ({}) is empty: \
                 a node whose data was lost must not come back under its old id. Run `concord cluster \
                 remove-node {id}` on the cluster, then start this node with an empty data directory, \
                 `--join <member client URL>` and no `--id` or `--initial-cluster` (it gets a fresh id)",
                config.data_dir.display()
            )));
        }
    }
    storage.claim_node_id(&config.data_dir, id)?;
    let cluster_id = match (storage.cluster_id.clone(), joined_cluster, &config.bootstrap) {
        (Some(recorded), _, _) => recorded,
        (None, Some(joined), _) => joined,
        (None, None, Bootstrap::InitialCluster(peers)) => cluster_id_of(peers),
        (None, None, _) => concord_core::random_hex(1),
    };
    storage.claim_cluster_id(&config.data_dir, &cluster_id)?;
    let cluster_id: Arc<str> = cluster_id.into();

    let raft_config = Arc::new(config.raft_config()?);
    let snapshot_sends = Arc::new(peer::snapshot::SnapshotSends::default());
    let network = peer::client::PeerNetwork::new(
        cluster_id.clone(),
        id,
        config.client_read_timeout,
        &tls,
        secret_headers,
        snapshot_sends.clone(),
    )
    .map_err(|e| NodeError::Raft(e.to_string()))?;
    let prom = metrics::Metrics::new();
    let fsyncs = prom.clone();
    storage
        .log
        .on_fsync(Arc::new(move |took| fsyncs.fsync_duration.observe(took.as_secs_f64())));
    let log_store = storage.log.clone();
    storage.sm.set_history_limits(config.watch_history);
    let raft = Raft::new(id, raft_config, network, storage.log, storage.sm)
        .await
        .map_err(|e| NodeError::Raft(e.to_string()))?;

    if is_fresh {
        let members = match &config.bootstrap {
            Bootstrap::SingleNode => Some(BTreeMap::from([(id, me.clone())])),
            Bootstrap::InitialCluster(peers) => {
                if !peers.contains_key(&id) {
                    return Err(NodeError::Usage(format!(
                        "--initial-cluster has no entry for this node's id {id}"
                    )));
                }
                // Other members' client URLs are learnt by the leader later
                // (see maintainer.rs); every node proposes the same voter set.
                Some(
                    peers
                        .iter()
                        .map(|(&pid, peer)| {
                            let info = if pid == id {
                                me.clone()
                            } else {
                                NodeInfo {
                                    client_url: String::new(),
                                    peer_url: peer.trim_end_matches('/').to_string(),
                                }
                            };
                            (pid, info)
                        })
                        .collect(),
                )
            }
            Bootstrap::Join(_) => None,
        };
        if let Some(members) = members {
            tracing::info!(id, voters = ?members.keys().collect::<Vec<_>>(), "empty data directory: initialising the cluster");
            raft.initialize(members)
                .await
                .map_err(|e| NodeError::Raft(format!("initialising the cluster: {e}")))?;
        }
    }

    let max_in_flight = config.max_concurrent_requests;
    let config_bytes = config.max_in_flight_bytes.min(tokio::sync::Semaphore::MAX_PERMITS);
    let config_exports = config.max_concurrent_exports.min(tokio::sync::Semaphore::MAX_PERMITS);
    let config_watchers = config.max_watchers.min(tokio::sync::Semaphore::MAX_PERMITS);
    let client_idle = config.client_read_timeout;
    let allowed_hosts = http::front::allowed_hosts(&config, &listeners.client, &me.client_url)?;
    let allowed_peer_hosts = http::front::allowed_hosts(&config, &listeners.peer, &me.peer_url)?;
    let node = Arc::new(Node {
        id,
        me: me.clone(),
        raft: raft.clone(),
        reader: storage.reader,
        config,
        recovered: AtomicBool::new(false),
        membership_lock: tokio::sync::Mutex::new(()),
        maintainer_busy: AtomicBool::new(false),
        http,
        relay: http::forward::relay_client(client_idle, tls.outgoing.clone()),
        in_flight: Arc::new(tokio::sync::Semaphore::new(
            max_in_flight.min(tokio::sync::Semaphore::MAX_PERMITS),
        )),
        body_bytes: Arc::new(tokio::sync::Semaphore::new(config_bytes)),
        exports: Arc::new(tokio::sync::Semaphore::new(config_exports)),
        watchers: Arc::new(tokio::sync::Semaphore::new(config_watchers)),
        digest_slot: Arc::new(tokio::sync::Semaphore::new(1)),
        snapshot_in: tokio::sync::Mutex::new(None),
        snapshot_sends,
        allowed_hosts,
        allowed_peer_hosts,
        cluster_id,
        joined_with_auth,
        secret_header,
        audit,
        auth_failures: Default::default(),
        read_gate: Default::default(),
        prom,
        log_store,
        free_space: Default::default(),
    });
    let recovery = {
        let node = node.clone();
        tokio::spawn(async move {
            match node.raft.wait_for_recovery(None).await {
                Ok(_) => {
                    node.recovered.store(true, Ordering::Release);
                    tracing::info!("state machine caught up with the log found at start-up");
                }
                Err(e) => tracing::error!(error = %e, "waiting for recovery failed"),
            }
        })
    };
    let leadership = tokio::spawn(metrics::watch_leadership(node.clone()));
    let storage_figures = tokio::spawn(metrics::watch_storage(node.clone()));
    let maintainer = tokio::spawn(maintainer::run(node.clone()));
    let snapshots = tokio::spawn(maintainer::snapshots(node.clone()));
    let reload = tokio::spawn(tls::watch(tls.reloading.clone()));

    tracing::info!(id, client = %me.client_url, peer = %me.peer_url, "serving");
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let limits = node.config.connection_limits();
    let Listeners {
        client: client_listener,
        peer: peer_listener,
    } = listeners;
    let client = serve_owned(
        client_listener,
        http::router(node.clone()),
        limits,
        tls.client.clone(),
        stopped(stop_rx.clone()),
    );
    let peer = serve_owned(
        peer_listener,
        peer::server::router(node.clone()),
        limits,
        tls.peer.clone(),
        stopped(stop_rx),
    );
    let client = tokio::spawn(client);
    let peer = tokio::spawn(peer);

    shutdown.await;
    tracing::info!("shutting down");
    let _ = stop_tx.send(true);
    recovery.abort();
    maintainer.abort();
    leadership.abort();
    storage_figures.abort();
    snapshots.abort();
    reload.abort();
    // In-flight requests get a moment to finish; then Raft stops.
    let grace = std::time::Duration::from_secs(5);
    let _ = tokio::time::timeout(grace, async {
        let _ = client.await;
        let _ = peer.await;
    })
    .await;
    raft.shutdown().await.map_err(|e| NodeError::Raft(e.to_string()))?;
    tracing::info!("stopped");
    Ok(())
}

/// The URL others use to reach `listener`: the configured one, or
/// `http://` (`https://` with TLS) plus the address the listener is bound
/// to.
fn advertised(configured: &Option<String>, listener: &TcpListener, tls: bool) -> io::Result<String> {
    let scheme = if tls { "https" } else { "http" };
    match configured {
        Some(url) => Ok(url.trim_end_matches('/').to_string()),
        None => {
            let addr = listener.local_addr()?;
            if addr.ip().is_unspecified() {
                tracing::warn!(%addr, "listening on all interfaces without an advertised URL; advertising the loopback address");
                return Ok(format!("{scheme}://127.0.0.1:{}", addr.port()));
            }
            Ok(format!("{scheme}://{addr}"))
        }
    }
}

/// A listener reachable from other hosts without TLS: tokens, the cluster
/// secret and every value cross the network in the clear.
fn warn_if_exposed(what: &str, listener: &TcpListener) {
    if let Ok(addr) = listener.local_addr() {
        if !addr.ip().is_loopback() {
            tracing::warn!(
                %addr,
                "the {what} listener is reachable beyond loopback WITHOUT TLS: tokens, the cluster secret and \
                 values cross the network in plain text; set --tls-cert/--tls-key and --peer-tls-cert/--peer-tls-key/\
                 --peer-trusted-ca"
            );
        }
    }
}

/// The id of a cluster bootstrapped with `--initial-cluster`: the same on
/// every member, since they all get the same list.
fn cluster_id_of(peers: &BTreeMap<NodeId, String>) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (id, url) in peers {
        h.update(format!("{id}={},", url.trim_end_matches('/')));
    }
    h.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect()
}
