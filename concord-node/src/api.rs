//! The public client API (axum, JSON errors). Handlers validate input, call
//! Raft through [`Node`], and translate results into HTTP; they hold no state
//! of their own.

use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use concord_core::limits::validate_key;
use concord_core::{Command, CommandResponse, Compare, CompareOp, Op, OpResult, Target, Txn, TxnOp, TxnResponse};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use openraft::async_runtime::WatchReceiver;
use openraft::ReadPolicy;
use serde::Deserialize;
use serde_json::json;

use crate::data::{item_json, parse_ttl};
use crate::error::ApiError;
use crate::Node;
use crate::{cluster, forward, front, kv, server};

const KV_PREFIX: &str = "/v1/kv/";
/// Header naming a client write so a retry is applied at most once.
pub(crate) const REQUEST_ID: &str = "concord-request-id";

/// Milliseconds since the Unix epoch on this node's clock.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

pub(crate) fn router(node: Arc<Node>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/v1/kv", get(kv::list).delete(kv::delete_prefix))
        .route("/v1/kv/", get(get_key).put(put_key).delete(delete_key))
        .route(
            "/v1/kv/batch",
            post(kv::batch).get(get_key).put(put_key).delete(delete_key),
        )
        .route("/v1/txn", post(kv::txn))
        .route("/v1/export", get(kv::export))
        .route("/v1/debug/digest", get(kv::digest))
        .route("/v1/kv/{*key}", get(get_key).put(put_key).delete(delete_key))
        .route("/v1/cluster/status", get(cluster::status))
        .route("/v1/cluster/members", get(cluster::members).post(cluster::add_member))
        .route("/v1/cluster/members/{id}", delete(cluster::remove_member))
        .route("/v1/cluster/transfer-leader", post(cluster::transfer_leader))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(node.clone(), forward::middleware))
        .layer(axum::middleware::from_fn_with_state(node.clone(), shed_load))
        .layer(axum::middleware::from_fn_with_state(node.clone(), front::middleware))
        .with_state(node)
}

/// Admits at most `--max-concurrent-requests` client requests at once; the
/// rest get 503 `overloaded` at once, so memory stays bounded under floods.
/// A permit is held until the response body has been sent (an export or a
/// large listing streams after its handler returns). Probes (`/health`,
/// `/ready`) take no permit: they are cheap, and a load balancer must see a
/// busy node as alive.
async fn shed_load(
    State(node): State<Arc<Node>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if matches!(req.uri().path(), "/health" | "/ready") {
        return next.run(req).await;
    }
    match node.in_flight.clone().try_acquire_owned() {
        Ok(permit) => server::hold_until_sent(next.run(req).await, permit),
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            format!(
                "more than {} requests in flight; retry shortly",
                node.config.max_concurrent_requests
            ),
        )
        .into_response(),
    }
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no_route",
        format!("no such endpoint: {}", uri.path()),
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn ready(State(node): State<Arc<Node>>) -> Result<Json<serde_json::Value>, ApiError> {
    let metrics = node.raft.metrics().borrow_watched().clone();
    if !node.recovered.load(Ordering::Acquire) {
        return Err(not_ready(
            "the state machine is still applying the log found at start-up",
        ));
    }
    match metrics.current_leader {
        Some(leader) => Ok(Json(json!({ "status": "ready", "id": node.id, "leader_id": leader }))),
        None => Err(not_ready("no leader is known yet")),
    }
}

fn not_ready(message: &str) -> ApiError {
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not_ready", message)
}

/// Query parameters of single-key reads.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadParams {
    consistency: Option<Consistency>,
    /// `json`: the item as JSON instead of the raw value.
    format: Option<Format>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Consistency {
    #[default]
    Linearizable,
    Stale,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Format {
    Raw,
    Json,
}

/// Query parameters of single-key writes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct WriteParams {
    /// Compare-and-set: the expected mod revision; 0 means "must not exist".
    if_revision: Option<u64>,
    /// Write only if the key does not exist.
    if_absent: Option<bool>,
    /// Expire the key this long after the write commits (`30s`, `5m`).
    ttl: Option<String>,
}

pub(crate) fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(t)| t)
        .map_err(|e| ApiError::bad_request("invalid_argument", e.body_text()))
}

/// The key named by the request path, percent-decoded and validated.
pub(crate) fn key_from_uri(uri: &Uri) -> Result<String, ApiError> {
    let raw = uri.path().strip_prefix(KV_PREFIX).unwrap_or("");
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(raw).collect();
    let key = String::from_utf8(bytes).map_err(|_| ApiError::bad_request("invalid_key", "key is not valid UTF-8"))?;
    validate_key(&key).map_err(|e| ApiError::bad_request("invalid_key", e.to_string()))?;
    Ok(key)
}

/// The `Concord-Request-Id` of a write, if any.
pub(crate) fn request_id(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get(REQUEST_ID) else {
        return Ok(None);
    };
    let id = v
        .to_str()
        .ok()
        .filter(|s| !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_argument",
                "Concord-Request-Id must be 1 to 128 printable ASCII characters",
            )
        })?;
    Ok(Some(id.to_string()))
}

async fn get_key(
    State(node): State<Arc<Node>>,
    uri: Uri,
    params: Result<Query<ReadParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let key = key_from_uri(&uri)?;
    let params = query(params)?;
    node.read_barrier(params.consistency.unwrap_or_default()).await?;
    let record = node
        .reader
        .get(&key)
        .map_err(|e| ApiError::internal(format!("reading {key:?}: {e}")))?
        .ok_or_else(|| ApiError::not_found(format!("key {key:?} not found")))?;
    if params.format == Some(Format::Json) {
        return Ok(Json(item_json(&key, &record, now_ms(), false)).into_response());
    }
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert("concord-revision", HeaderValue::from(record.mod_revision));
    headers.insert("concord-create-revision", HeaderValue::from(record.create_revision));
    headers.insert("concord-version", HeaderValue::from(record.version));
    Ok((StatusCode::OK, headers, record.value).into_response())
}

/// A failed precondition: 409 `conflict` with the key's current revision.
fn conflict(key: &str, resp: &TxnResponse) -> ApiError {
    let current = match resp.results.first() {
        Some(OpResult::Get { item: Some((_, r)) }) => r.mod_revision,
        _ => 0,
    };
    let message = if current == 0 {
        format!("precondition failed: key {key:?} does not exist")
    } else {
        format!("precondition failed: key {key:?} is at revision {current}")
    };
    ApiError::conflict("conflict", message).with_detail("current_revision", json!(current))
}

/// Compares for `if_revision` / `if_absent`.
fn preconditions(key: &str, if_revision: Option<u64>, if_absent: Option<bool>) -> Vec<Compare> {
    let mut compare = Vec::new();
    if let Some(rev) = if_revision {
        compare.push(Compare {
            key: key.to_string(),
            target: Target::ModRevision(rev),
            op: CompareOp::Eq,
        });
    }
    if if_absent == Some(true) {
        compare.push(Compare {
            key: key.to_string(),
            target: Target::Exists(false),
            op: CompareOp::Eq,
        });
    }
    compare
}

async fn put_key(
    State(node): State<Arc<Node>>,
    uri: Uri,
    headers: HeaderMap,
    params: Result<Query<WriteParams>, QueryRejection>,
    body: Body,
) -> Result<Json<serde_json::Value>, ApiError> {
    let key = key_from_uri(&uri)?;
    let params = query(params)?;
    let ttl = match &params.ttl {
        Some(t) => Some(parse_ttl(t)?),
        None => node.config.default_ttl,
    };
    let body = read_body(&node, body, node.config.max_value_size, "value_too_large").await?;
    let txn = Txn {
        compare: preconditions(&key, params.if_revision, params.if_absent),
        success: vec![TxnOp::Put {
            key: key.clone(),
            value: body.bytes.to_vec(),
            ttl_ms: ttl.map(|t| t.as_millis() as u64),
        }],
        failure: vec![TxnOp::Get { key: key.clone() }],
    };
    let resp = node.txn(txn, request_id(&headers)?).await?;
    if !resp.succeeded {
        return Err(conflict(&key, &resp));
    }
    Ok(Json(json!({ "revision": resp.revision })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteParams {
    if_revision: Option<u64>,
}

async fn delete_key(
    State(node): State<Arc<Node>>,
    uri: Uri,
    headers: HeaderMap,
    params: Result<Query<DeleteParams>, QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let key = key_from_uri(&uri)?;
    let params = query(params)?;
    let txn = Txn {
        compare: preconditions(&key, params.if_revision, None),
        success: vec![TxnOp::Delete { key: key.clone() }],
        failure: vec![TxnOp::Get { key: key.clone() }],
    };
    let resp = node.txn(txn, request_id(&headers)?).await?;
    if !resp.succeeded {
        return Err(conflict(&key, &resp));
    }
    match resp.results.first() {
        Some(OpResult::Delete { deleted: 0 }) => Err(ApiError::not_found(format!("key {key:?} not found"))),
        Some(OpResult::Delete { deleted }) => Ok(Json(json!({ "deleted": deleted, "revision": resp.revision }))),
        other => Err(ApiError::internal(format!("unexpected result {other:?}"))),
    }
}

/// Why a request body could not be read.
pub(crate) enum BodyError {
    TooLarge,
    /// The body did not arrive in time (see [`read_limited`]).
    Stalled,
    /// Buffering it would pass `--max-in-flight-bytes`.
    Overloaded,
    Broken(String),
}

/// A request body, and its share of `--max-in-flight-bytes` (given back
/// when this is dropped).
pub(crate) struct Collected {
    pub bytes: Bytes,
    _budget: Option<tokio::sync::OwnedSemaphorePermit>,
}

/// The slowest a large body may arrive once its first `idle` has passed.
const MIN_BODY_RATE: u64 = 1024 * 1024;

/// Buffers a request body of at most `limit` bytes. It must arrive by a
/// deadline of `idle` from the call plus one second per MiB received so
/// far: a trickle (one byte every few seconds) is cut off after `idle`,
/// whatever it sends, while a large body at 1 MiB/s or more always gets
/// through. With a `budget`, its bytes count against it (a semaphore of
/// bytes): a body that does not fit is `Overloaded`.
pub(crate) async fn read_limited(
    body: Body,
    limit: usize,
    idle: std::time::Duration,
    budget: Option<&Arc<tokio::sync::Semaphore>>,
) -> Result<Collected, BodyError> {
    let started = tokio::time::Instant::now();
    let mut body = Limited::new(body, limit);
    let mut buf = Vec::new();
    let mut held: Option<tokio::sync::OwnedSemaphorePermit> = None;
    loop {
        let earned = std::time::Duration::from_millis(buf.len() as u64 * 1000 / MIN_BODY_RATE);
        match tokio::time::timeout_at(started + idle + earned, body.frame()).await {
            Err(_) => return Err(BodyError::Stalled),
            Ok(None) => {
                return Ok(Collected {
                    bytes: Bytes::from(buf),
                    _budget: held,
                })
            }
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    if let (Some(budget), false) = (budget, data.is_empty()) {
                        let more = budget
                            .clone()
                            .try_acquire_many_owned(u32::try_from(data.len()).unwrap_or(u32::MAX))
                            .map_err(|_| BodyError::Overloaded)?;
                        match &mut held {
                            Some(b) => b.merge(more),
                            None => held = Some(more),
                        }
                    }
                    buf.extend_from_slice(&data);
                }
            }
            Ok(Some(Err(e))) if e.is::<LengthLimitError>() => return Err(BodyError::TooLarge),
            Ok(Some(Err(e))) => return Err(BodyError::Broken(e.to_string())),
        }
    }
}

/// [`read_limited`] with the client listener's settings:
/// `--client-read-timeout` and the `--max-in-flight-bytes` budget.
pub(crate) async fn collect_body(node: &Node, body: Body, limit: usize) -> Result<Collected, BodyError> {
    read_limited(body, limit, node.config.client_read_timeout, Some(&node.body_bytes)).await
}

impl BodyError {
    /// The answer to a body that could not be read; `too_large` names the
    /// limit that was hit.
    pub(crate) fn into_api(self, too_large: impl FnOnce() -> ApiError) -> ApiError {
        match self {
            BodyError::TooLarge => too_large(),
            BodyError::Stalled => ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                "the request body did not arrive in time (--client-read-timeout, plus a second per MiB received)",
            ),
            BodyError::Overloaded => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "overloaded",
                "too many request bytes in flight (--max-in-flight-bytes); retry shortly",
            ),
            BodyError::Broken(e) => ApiError::bad_request("bad_body", format!("could not read the request body: {e}")),
        }
    }
}

/// Reads a request body of at most `limit` bytes; more is 413 `code`.
pub(crate) async fn read_body(
    node: &Node,
    body: Body,
    limit: usize,
    code: &'static str,
) -> Result<Collected, ApiError> {
    let too_large = || {
        let what = if code == "value_too_large" {
            "value is larger than the limit of {limit} bytes (--max-value-size)"
        } else {
            "request body is larger than the limit of {limit} bytes (--max-request-size)"
        };
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            code,
            what.replace("{limit}", &limit.to_string()),
        )
    };
    collect_body(node, body, limit).await.map_err(|e| e.into_api(too_large))
}

impl Node {
    /// Proposes `op` through Raft, stamped with this node's clock (a write is
    /// proposed on the leader), and waits until it is committed on a quorum
    /// and applied here.
    pub(crate) async fn write(&self, op: Op, request_id: Option<String>) -> Result<CommandResponse, ApiError> {
        let cmd = Command {
            request_id,
            at_ms: now_ms(),
            dedup: self.config.request_id_limits,
            op,
        };
        let resp = self.bounded(self.raft.client_write(cmd)).await??;
        Ok(resp.data)
    }

    /// Runs a transaction through Raft.
    pub(crate) async fn txn(&self, txn: Txn, request_id: Option<String>) -> Result<TxnResponse, ApiError> {
        let adds_data = txn
            .success
            .iter()
            .chain(&txn.failure)
            .any(|op| matches!(op, TxnOp::Put { .. }));
        if adds_data {
            self.check_free_space()?;
        }
        match self.write(Op::Txn(txn), request_id).await? {
            CommandResponse::Txn(r) => Ok(r),
            CommandResponse::AlreadyApplied { revision, succeeded } => Err(ApiError::conflict(
                "already_applied",
                format!(
                    "this Concord-Request-Id was already applied at revision {revision} (succeeded: {succeeded}); \
                     its results were too large to keep, so they cannot be returned again"
                ),
            )
            .with_detail("revision", json!(revision))
            .with_detail("succeeded", json!(succeeded))),
            CommandResponse::RequestIdReused => Err(ApiError::conflict(
                "request_id_reused",
                "this Concord-Request-Id was already used for a different operation; nothing was applied \
                 (use a fresh id for each new operation, and the same id only to retry the same one)",
            )),
            CommandResponse::Refused { reason } => Err(ApiError::bad_request("refused", reason)),
            other => Err(ApiError::internal(format!("unexpected answer {other:?}"))),
        }
    }

    /// Refuses writes that add data while the disk is nearly full.
    fn check_free_space(&self) -> Result<(), ApiError> {
        let free = fs4::available_space(&self.config.data_dir)
            .map_err(|e| ApiError::internal(format!("checking free space in the data directory: {e}")))?;
        if free < self.config.min_free_space {
            return Err(ApiError::new(
                StatusCode::INSUFFICIENT_STORAGE,
                "insufficient_storage",
                format!(
                    "only {free} bytes free in the data directory, below --min-free-space {}; deletes still work",
                    self.config.min_free_space
                ),
            ));
        }
        Ok(())
    }

    /// What a read at `consistency` must wait for first.
    pub(crate) async fn read_barrier(&self, consistency: Consistency) -> Result<(), ApiError> {
        match consistency {
            Consistency::Linearizable => self.linearize().await,
            Consistency::Stale => Ok(()),
        }
    }

    /// Waits until a read here is linearizable: ReadIndex confirmed by a quorum
    /// and applied locally.
    pub(crate) async fn linearize(&self) -> Result<(), ApiError> {
        if cfg!(feature = "broken-linearizable-reads") {
            return Ok(());
        }
        if cfg!(feature = "broken-leader-reads") && self.metrics().state == openraft::ServerState::Leader {
            return Ok(());
        }
        self.bounded(self.raft.ensure_linearizable(ReadPolicy::ReadIndex))
            .await??;
        Ok(())
    }

    pub(crate) async fn bounded<F: Future>(&self, fut: F) -> Result<F::Output, ApiError> {
        tokio::time::timeout(self.config.request_timeout, fut)
            .await
            .map_err(|_| {
                ApiError::timeout(format!(
                    "no quorum answered within {}ms",
                    self.config.request_timeout.as_millis()
                ))
            })
    }
}
