//! The Raft transport: openraft's `RaftNetworkV2` over HTTP to the peer
//! listener of each member, with postcard bodies (`concord_core::codec`) and kept-alive connections
//! (one `reqwest::Client`, hence one connection pool, per node).
//!
//! Every RPC answers with an encoded `Result<Response, String>`: the error side
//! is only a message, so openraft's error types never cross the wire.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use concord_core::types::alias::{Snapshot, Vote};
use concord_core::{NodeId, NodeInfo, TypeConfig};
use openraft::error::{NetworkError, RPCError, ReplicationClosed, StreamingError, Unreachable};
use openraft::network::RPCOption;
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, SnapshotResponse, TransferLeaderRequest, TransferLeaderResponse,
    VoteRequest, VoteResponse,
};
use openraft::{RaftNetworkFactory, RaftNetworkV2};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::peer::wire::{path, MemberState, PeerInfo, CLUSTER_ID_HEADER, FROM_NODE_HEADER, INFO_PATH};

/// Why a peer RPC failed before the remote Raft could answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TransportError {
    /// Could not connect, or the connection broke: back off.
    #[error("peer {target} unreachable: {source}")]
    Unreachable { target: NodeId, source: reqwest::Error },
    #[error("peer {target} timed out")]
    Timeout { target: NodeId },
    #[error("peer {target}: {message}")]
    Other { target: NodeId, message: String },
}

impl TransportError {
    fn into_rpc<E: std::error::Error>(self) -> RPCError<TypeConfig, E> {
        match self {
            TransportError::Unreachable { .. } => RPCError::Unreachable(Unreachable::new(&self)),
            _ => RPCError::Network(NetworkError::new(&self)),
        }
    }

    pub(crate) fn into_streaming(self) -> StreamingError<TypeConfig> {
        match self {
            TransportError::Unreachable { .. } => StreamingError::Unreachable(Unreachable::new(&self)),
            _ => StreamingError::Network(NetworkError::new(&self)),
        }
    }
}

/// The header that proves membership on every call a node makes (the
/// cluster secret), marked sensitive so no debug output shows it.
pub(crate) fn secret_headers(
    secret: Option<&concord_core::auth::Secret>,
) -> Result<reqwest::header::HeaderMap, crate::NodeError> {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(secret) = secret {
        let mut value = reqwest::header::HeaderValue::from_str(secret.expose()).map_err(|_| {
            crate::NodeError::Usage("the cluster secret must be printable ASCII (it travels in a header)".into())
        })?;
        value.set_sensitive(true);
        headers.insert(concord_core::api::headers::CLUSTER_SECRET, value);
    }
    Ok(headers)
}

/// Creates one [`PeerClient`] per target; all share a connection pool.
#[derive(Clone)]
pub struct PeerNetwork {
    http: reqwest::Client,
    cluster_id: Arc<str>,
    sends: Arc<crate::peer::snapshot::SnapshotSends>,
}

impl PeerNetwork {
    /// `peer_idle`: the peers' idle cut-off (`--client-read-timeout`, the
    /// same on every member in practice); pooled connections go well before.
    pub(crate) fn new(
        cluster_id: Arc<str>,
        id: NodeId,
        peer_idle: Duration,
        tls: &crate::tls::NodeTls,
        mut headers: reqwest::header::HeaderMap,
        sends: Arc<crate::peer::snapshot::SnapshotSends>,
    ) -> Result<Self, reqwest::Error> {
        headers.insert(FROM_NODE_HEADER, reqwest::header::HeaderValue::from(id));
        let http = tls
            .reqwest(reqwest::Client::builder())
            .default_headers(headers)
            // Below the peer listener's idle cut-off (--client-read-timeout, 30s).
            .pool_idle_timeout((peer_idle / 2).min(Duration::from_secs(20)))
            .tcp_nodelay(true)
            .connect_timeout(Duration::from_secs(2))
            .build()?;
        Ok(PeerNetwork {
            http,
            cluster_id,
            sends,
        })
    }
}

impl RaftNetworkFactory<TypeConfig> for PeerNetwork {
    type Network = PeerClient;

    async fn new_client(&mut self, target: NodeId, node: &NodeInfo) -> PeerClient {
        let base = node.peer_url.trim_end_matches('/').to_string();
        PeerClient {
            http: self.http.clone(),
            cluster_id: self.cluster_id.clone(),
            target,
            append_url: reqwest::Url::parse(&format!("{base}{}", path::APPEND)).ok(),
            base,
            sends: self.sends.clone(),
        }
    }
}

/// The RPC client to one peer.
pub struct PeerClient {
    http: reqwest::Client,
    cluster_id: Arc<str>,
    target: NodeId,
    base: String,
    /// The append URL, parsed once: appends are most of the RPCs, and a
    /// parse per call (host name processing included) showed in profiles.
    append_url: Option<reqwest::Url>,
    sends: Arc<crate::peer::snapshot::SnapshotSends>,
}

impl PeerClient {
    pub(crate) fn target(&self) -> NodeId {
        self.target
    }

    pub(crate) fn sends(&self) -> &Arc<crate::peer::snapshot::SnapshotSends> {
        &self.sends
    }

    pub(crate) async fn call<Req, Resp>(&self, path: &str, req: &Req, timeout: Duration) -> Result<Resp, TransportError>
    where
        Req: Serialize,
        Resp: DeserializeOwned,
    {
        let target = self.target;
        let other = |message: String| TransportError::Other { target, message };
        let body = concord_core::codec::encode(req).map_err(|e| other(format!("encoding request: {e}")))?;
        // openraft's deadline fits a heartbeat; a large append (a multi-MiB
        // batch) also needs time to travel, be decoded and be fsynced, or it
        // times out on every retry and never commits. Allow 1 ms per KiB
        // on top (the 2 KiB of a heartbeat add nothing).
        let timeout = timeout + Duration::from_millis(body.len() as u64 / 1024);
        let url = match &self.append_url {
            Some(url) if path == path::APPEND => url.clone(),
            _ => reqwest::Url::parse(&format!("{}{path}", self.base))
                .map_err(|e| other(format!("peer URL {}{path}: {e}", self.base)))?,
        };
        let req = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(body);
        let send = req.header(CLUSTER_ID_HEADER, &*self.cluster_id).send();
        let resp = match tokio::time::timeout(timeout, send).await {
            Err(_) => return Err(TransportError::Timeout { target }),
            Ok(Err(source)) => return Err(TransportError::Unreachable { target, source }),
            Ok(Ok(resp)) => resp,
        };
        if !resp.status().is_success() {
            let status = resp.status();
            let text = resp.text().await.unwrap_or_default();
            return Err(other(format!("HTTP {status} from {path}: {text}")));
        }
        let bytes = resp
            .bytes()
            .await
            .map_err(|source| TransportError::Unreachable { target, source })?;
        let answer: Result<Resp, String> =
            concord_core::codec::decode(&bytes).map_err(|e| other(format!("decoding response from {path}: {e}")))?;
        answer.map_err(other)
    }
}

impl RaftNetworkV2<TypeConfig> for PeerClient {
    type SnapshotData = concord_core::store::SnapshotData;

    async fn append_entries(
        &mut self,
        rpc: AppendEntriesRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<AppendEntriesResponse<TypeConfig>, RPCError<TypeConfig>> {
        self.call(path::APPEND, &rpc, option.hard_ttl())
            .await
            .map_err(TransportError::into_rpc)
    }

    async fn vote(
        &mut self,
        rpc: VoteRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<VoteResponse<TypeConfig>, RPCError<TypeConfig>> {
        self.call(path::VOTE, &rpc, option.hard_ttl())
            .await
            .map_err(TransportError::into_rpc)
    }

    async fn pre_vote(
        &mut self,
        rpc: VoteRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<VoteResponse<TypeConfig>, RPCError<TypeConfig>> {
        self.call(path::PRE_VOTE, &rpc, option.hard_ttl())
            .await
            .map_err(TransportError::into_rpc)
    }

    async fn full_snapshot(
        &mut self,
        vote: Vote,
        snapshot: Snapshot,
        cancel: impl Future<Output = ReplicationClosed> + Send + 'static,
        option: RPCOption,
    ) -> Result<SnapshotResponse<TypeConfig>, StreamingError<TypeConfig>> {
        crate::peer::snapshot::cancelable(cancel, crate::peer::snapshot::send(self, vote, snapshot, &option)).await
    }

    async fn transfer_leader(
        &mut self,
        req: TransferLeaderRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<TransferLeaderResponse<TypeConfig>, RPCError<TypeConfig>> {
        self.call(path::TRANSFER_LEADER, &req, option.hard_ttl())
            .await
            .map_err(TransportError::into_rpc)
    }
}

/// Why a node with an empty data directory must not initialise.
#[derive(Debug)]
pub(crate) enum BootstrapRefusal {
    /// A peer knows this id: the node lost its data.
    AlreadyBootstrapped(String),
    /// A peer belongs to another cluster: the `--initial-cluster` lists
    /// differ.
    OtherCluster(String),
}

/// Asks the peers of a new `--initial-cluster` node what they know of `id`,
/// every round, until the answers suffice:
/// - before the cluster has formed (no answer shows a commit index above
///   0), any `min(quorum, peers)` of the listed others, initialised or not
///   (an uninitialised peer answers from `peer::pre_bootstrap_router`), so
///   members of a new cluster wait for each other rather than forever;
/// - once it has formed, `min(quorum, others)` initialised answers from the
///   latest voter set the answers report (peers found that way are asked
///   too), and an answer from the leader they name. Any majority of the
///   voters holds every committed membership entry, so among that many
///   answers one knows of this id's publication if it was published; the
///   leader knows whether it ever matched this id's log.
///
/// Fails closed: while too few peers answer, it waits and says so.
pub(crate) async fn bootstrap_check(
    http: &reqwest::Client,
    cluster_id: &str,
    id: NodeId,
    listed: &BTreeMap<NodeId, String>,
) -> Result<(), BootstrapRefusal> {
    let mut targets: BTreeMap<NodeId, String> = listed
        .iter()
        .filter(|(pid, _)| **pid != id)
        .map(|(k, v)| (*k, v.clone()))
        .collect();
    let started = std::time::Instant::now();
    let mut next_log = Duration::from_secs(5);
    loop {
        let asks = targets.iter().map(|(pid, peer)| async move {
            let url = format!("{}/raft/member-state/{id}", peer.trim_end_matches('/'));
            let resp = http
                .get(&url)
                .header(CLUSTER_ID_HEADER, cluster_id)
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .ok()?;
            let status = resp.status();
            if status == reqwest::StatusCode::CONFLICT {
                let text = resp.text().await.unwrap_or_default();
                return Some((*pid, Err(format!("peer {peer}: {text}"))));
            }
            if !status.is_success() {
                tracing::debug!(%url, %status, "bootstrap check: no answer yet");
                return None;
            }
            let state = resp.json::<MemberState>().await.ok()?;
            Some((*pid, Ok(state)))
        });
        let mut answers: BTreeMap<NodeId, MemberState> = BTreeMap::new();
        for (pid, answer) in futures::future::join_all(asks).await.into_iter().flatten() {
            match answer {
                Err(other) => return Err(BootstrapRefusal::OtherCluster(other)),
                // Never count an answer from this node itself (a listed URL
                // that reaches us).
                Ok(state) if state.answered_by == id => {}
                Ok(state) => {
                    if let Some(why) = state.refusal() {
                        return Err(BootstrapRefusal::AlreadyBootstrapped(why));
                    }
                    answers.insert(pid, state);
                }
            }
        }
        let formed = answers
            .values()
            .filter(|a| a.initialized)
            .max_by_key(|a| a.commit_index);
        let (counted, need, leader_missing) = match formed {
            Some(latest) if latest.commit_index > 0 => {
                // Ask the latest voters too, wherever they are.
                for (vid, url) in &latest.voters {
                    if *vid != id {
                        targets.entry(*vid).or_insert_with(|| url.clone());
                    }
                }
                let voters = latest.voters.len().max(1);
                let others = latest.voters.iter().filter(|(v, _)| *v != id).count();
                let counted = answers.values().filter(|a| a.initialized).count();
                let leader_missing = match &latest.leader {
                    Some((lid, url)) if *lid != id => {
                        targets.entry(*lid).or_insert_with(|| url.clone());
                        !answers.get(lid).is_some_and(|a| a.initialized)
                    }
                    // No leader known (an election, or no quorum without
                    // this node): the published and removed checks stand.
                    _ => false,
                };
                (counted, (voters / 2 + 1).min(others), leader_missing)
            }
            _ => (answers.len(), (listed.len() / 2 + 1).min(targets.len()), false),
        };
        if counted >= need && !leader_missing {
            return Ok(());
        }
        if started.elapsed() >= next_log {
            let silent: Vec<&String> = targets
                .iter()
                .filter(|(pid, _)| !answers.contains_key(*pid))
                .map(|(_, url)| url)
                .collect();
            tracing::warn!(
                answered = counted,
                need,
                leader_missing,
                ?silent,
                "empty data directory: waiting for enough peers (and the leader) to answer before initialising, \
                 so that a node that lost its data cannot come back under its old id; start the other members, \
                 or, if this node's data was lost, join it afresh (--join, no --id)"
            );
            next_log += Duration::from_secs(10);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Asks the node at `peer_url` about itself, giving up after `timeout`.
pub(crate) async fn probe(http: &reqwest::Client, peer_url: &str, timeout: Duration) -> Option<PeerInfo> {
    let resp = http
        .get(format!("{}{INFO_PATH}", peer_url.trim_end_matches('/')))
        .timeout(timeout)
        .send()
        .await
        .ok()?;
    resp.json().await.ok()
}
