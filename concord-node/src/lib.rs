//! A Concord node: the HTTP client API, the peer (Raft) transport, and the
//! wiring of openraft to the storage in `concord-core`.
//!
//! This crate has no command-line parsing and writes to the terminal only
//! through `tracing`. [`run`] is its only entry point: the CLI's
//! `concord node start` calls it, tests may call it with listeners bound to
//! port 0.

mod api;
pub mod config;
pub mod error;
mod network;
mod peer;

use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use concord_core::store::OpenError;
use concord_core::{KvReader, NodeId, NodeInfo, Raft};
use tokio::net::TcpListener;

pub use crate::config::{Bootstrap, NodeConfig};

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
    #[error("invalid Raft settings: {0}")]
    Config(#[from] openraft::ConfigError),
    #[error("raft failed: {0}")]
    Raft(String),
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// What the HTTP handlers share.
pub(crate) struct Node {
    pub(crate) id: NodeId,
    pub(crate) raft: Raft,
    pub(crate) reader: KvReader,
    pub(crate) config: NodeConfig,
    /// Set once the state machine has applied what was committed at start-up.
    pub(crate) recovered: AtomicBool,
}

/// A node whose data directory is open and locked, ready to [`run`].
pub struct Prepared {
    config: NodeConfig,
    storage: concord_core::Storage,
}

/// Opens and locks the data directory. Call it before binding listeners, so
/// that a directory in use is reported before a port in use.
pub fn prepare(config: NodeConfig) -> Result<Prepared, NodeError> {
    let mut storage = concord_core::open(&config.data_dir)?;
    storage.claim_node_id(&config.data_dir, config.id)?;
    Ok(Prepared { config, storage })
}

/// Runs a node until `shutdown` resolves, then stops Raft and returns.
pub async fn run(
    prepared: Prepared,
    listeners: Listeners,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), NodeError> {
    let Prepared { config, storage } = prepared;
    let is_fresh = storage.is_fresh;
    let me = NodeInfo {
        client_url: advertised(&config.advertise_client, &listeners.client)?,
        peer_url: advertised(&config.advertise_peer, &listeners.peer)?,
    };
    let raft_config = Arc::new(config.raft_config()?);
    let network = network::PeerNetwork::new().map_err(|e| NodeError::Raft(e.to_string()))?;
    let raft = Raft::new(config.id, raft_config, network, storage.log, storage.sm)
        .await
        .map_err(|e| NodeError::Raft(e.to_string()))?;

    if is_fresh {
        match config.bootstrap {
            Bootstrap::SingleNode => {
                tracing::info!(
                    id = config.id,
                    "empty data directory: initialising a one-member cluster"
                );
                let members = BTreeMap::from([(config.id, me.clone())]);
                raft.initialize(members)
                    .await
                    .map_err(|e| NodeError::Raft(format!("initialising the cluster: {e}")))?;
            }
        }
    }

    let node = Arc::new(Node {
        id: config.id,
        raft: raft.clone(),
        reader: storage.reader,
        config,
        recovered: AtomicBool::new(false),
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

    tracing::info!(id = node.id, client = %me.client_url, peer = %me.peer_url, "serving");
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let client = axum::serve(listeners.client, api::router(node.clone()))
        .with_graceful_shutdown(stopped(stop_rx.clone()));
    let peer = axum::serve(listeners.peer, peer::router(node.clone()))
        .with_graceful_shutdown(stopped(stop_rx));
    let client = tokio::spawn(async move { client.await });
    let peer = tokio::spawn(async move { peer.await });

    shutdown.await;
    tracing::info!("shutting down");
    let _ = stop_tx.send(true);
    recovery.abort();
    // In-flight requests get a moment to finish; then Raft stops.
    let grace = std::time::Duration::from_secs(5);
    let _ = tokio::time::timeout(grace, async {
        let _ = client.await;
        let _ = peer.await;
    })
    .await;
    raft.shutdown()
        .await
        .map_err(|e| NodeError::Raft(e.to_string()))?;
    tracing::info!("stopped");
    Ok(())
}

/// The URL others use to reach `listener`: the configured one, or
/// `http://` plus the address the listener is bound to.
fn advertised(configured: &Option<String>, listener: &TcpListener) -> io::Result<String> {
    match configured {
        Some(url) => Ok(url.trim_end_matches('/').to_string()),
        None => {
            let addr = listener.local_addr()?;
            if addr.ip().is_unspecified() {
                tracing::warn!(%addr, "listening on all interfaces without an advertised URL; advertising the loopback address");
                return Ok(format!("http://127.0.0.1:{}", addr.port()));
            }
            Ok(format!("http://{addr}"))
        }
    }
}
