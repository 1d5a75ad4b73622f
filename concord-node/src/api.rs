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
use concord_core::{Command, CommandResponse};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use openraft::async_runtime::WatchReceiver;
use openraft::ReadPolicy;
use serde::Deserialize;
use serde_json::json;

use crate::error::ApiError;
use crate::Node;
use crate::{cluster, forward};

const KV_PREFIX: &str = "/v1/kv/";

pub(crate) fn router(node: Arc<Node>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/v1/kv/", get(get_key).put(put_key).delete(delete_key))
        .route(
            "/v1/kv/{*key}",
            get(get_key).put(put_key).delete(delete_key),
        )
        .route("/v1/cluster/status", get(cluster::status))
        .route(
            "/v1/cluster/members",
            get(cluster::members).post(cluster::add_member),
        )
        .route("/v1/cluster/members/{id}", delete(cluster::remove_member))
        .route(
            "/v1/cluster/transfer-leader",
            post(cluster::transfer_leader),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            node.clone(),
            forward::middleware,
        ))
        .with_state(node)
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
        Some(leader) => Ok(Json(
            json!({ "status": "ready", "id": node.id, "leader_id": leader }),
        )),
        None => Err(not_ready("no leader is known yet")),
    }
}

fn not_ready(message: &str) -> ApiError {
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not_ready", message)
}

/// Query parameters of reads.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadParams {
    consistency: Option<Consistency>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Consistency {
    #[default]
    Linearizable,
    Stale,
}

/// Query parameters of writes (none yet; unknown ones are refused).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct WriteParams {}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(t)| t)
        .map_err(|e| ApiError::bad_request("invalid_argument", e.body_text()))
}

/// The key named by the request path, percent-decoded and validated.
fn key_from_uri(uri: &Uri) -> Result<String, ApiError> {
    let raw = uri.path().strip_prefix(KV_PREFIX).unwrap_or("");
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(raw).collect();
    let key = String::from_utf8(bytes)
        .map_err(|_| ApiError::bad_request("invalid_key", "key is not valid UTF-8"))?;
    validate_key(&key).map_err(|e| ApiError::bad_request("invalid_key", e.to_string()))?;
    Ok(key)
}

async fn get_key(
    State(node): State<Arc<Node>>,
    uri: Uri,
    params: Result<Query<ReadParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let key = key_from_uri(&uri)?;
    let params = query(params)?;
    if params.consistency.unwrap_or_default() == Consistency::Linearizable {
        node.linearize().await?;
    }
    let record = node
        .reader
        .get(&key)
        .map_err(|e| ApiError::internal(format!("reading {key:?}: {e}")))?
        .ok_or_else(|| ApiError::not_found(format!("key {key:?} not found")))?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert("concord-revision", HeaderValue::from(record.mod_revision));
    headers.insert(
        "concord-create-revision",
        HeaderValue::from(record.create_revision),
    );
    headers.insert("concord-version", HeaderValue::from(record.version));
    Ok((StatusCode::OK, headers, record.value).into_response())
}

async fn put_key(
    State(node): State<Arc<Node>>,
    uri: Uri,
    params: Result<Query<WriteParams>, QueryRejection>,
    body: Body,
) -> Result<Json<serde_json::Value>, ApiError> {
    let key = key_from_uri(&uri)?;
    query(params)?;
    let value = read_body(body, node.config.max_value_size).await?;
    match node
        .write(Command::Put {
            key,
            value: value.to_vec(),
        })
        .await?
    {
        CommandResponse::Put { revision } => Ok(Json(json!({ "revision": revision }))),
        other => Err(unexpected(other)),
    }
}

async fn delete_key(
    State(node): State<Arc<Node>>,
    uri: Uri,
    params: Result<Query<WriteParams>, QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let key = key_from_uri(&uri)?;
    query(params)?;
    match node.write(Command::Delete { key: key.clone() }).await? {
        CommandResponse::Delete { deleted: 0, .. } => {
            Err(ApiError::not_found(format!("key {key:?} not found")))
        }
        CommandResponse::Delete { deleted, revision } => {
            Ok(Json(json!({ "deleted": deleted, "revision": revision })))
        }
        other => Err(unexpected(other)),
    }
}

fn unexpected(resp: CommandResponse) -> ApiError {
    ApiError::internal(format!("unexpected state machine response {resp:?}"))
}

/// Reads a request body of at most `limit` bytes; more is 413 `value_too_large`.
async fn read_body(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "value_too_large",
            format!("value is larger than the limit of {limit} bytes (--max-value-size)"),
        )
    };
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(too_large()),
        Err(e) => Err(ApiError::bad_request(
            "bad_body",
            format!("could not read the request body: {e}"),
        )),
    }
}

impl Node {
    /// Proposes `cmd` through Raft and waits until it is committed on a quorum
    /// and applied here.
    pub(crate) async fn write(&self, cmd: Command) -> Result<CommandResponse, ApiError> {
        let resp = self.bounded(self.raft.client_write(cmd)).await??;
        Ok(resp.data)
    }

    /// Waits until a read here is linearizable: ReadIndex confirmed by a quorum
    /// and applied locally.
    pub(crate) async fn linearize(&self) -> Result<(), ApiError> {
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
