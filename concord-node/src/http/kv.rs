//! The key-value endpoints: one key (get, put, delete), listings with
//! paging, prefix deletes, the consistent export stream and the digest.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use concord_core::api::ErrorBody;
use concord_core::api::{
    headers as api_headers, Code, DeleteParams, DeleteResponse, DigestResponse, ExportParams, Item, ListParams,
    ListResponse, PrefixParams, PutResponse, ReadParams, SnapshotParams, ValueFormat, WriteParams,
};

use crate::http::openapi::RawBytes;
use concord_core::limits::validate_key;
use concord_core::store::ListQuery;
use concord_core::{Compare, CompareOp, OpResult, Target, Txn, TxnOp, TxnResponse};

use crate::http::auth::Caller;
use crate::http::body::read_body;
use crate::http::error::ApiError;
use crate::http::txn::parse_ttl;
use crate::http::{query, request_id};
use crate::node::{now_ms, Node};
use concord_core::auth::{Need, Scope};

const KV_PREFIX: &str = "/v1/kv/";

/// Default and largest page of a listing.
const DEFAULT_PAGE: usize = 1000;
const MAX_PAGE: usize = 10_000;

/// The key named by the request path, percent-decoded and validated.
pub(crate) fn key_from_uri(uri: &Uri) -> Result<String, ApiError> {
    let key = decoded_key(uri)?;
    validate_key(&key).map_err(|e| ApiError::new(Code::InvalidKey, e.to_string()))?;
    Ok(key)
}

fn decoded_key(uri: &Uri) -> Result<String, ApiError> {
    let raw = uri.path().strip_prefix(KV_PREFIX).unwrap_or("");
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(raw).collect();
    String::from_utf8(bytes).map_err(|_| ApiError::new(Code::InvalidKey, "key is not valid UTF-8"))
}

/// The key of a single-key route, once the caller may read (or write) it:
/// the permission is checked before the key's rules, so a caller learns
/// nothing about keys it may not touch.
fn authorized_key(uri: &Uri, caller: &Caller, write: bool) -> Result<String, ApiError> {
    let key = decoded_key(uri)?;
    let scope = Scope::Key(&key);
    caller.require(if write { Need::Write(scope) } else { Need::Read(scope) })?;
    validate_key(&key).map_err(|e| ApiError::new(Code::InvalidKey, e.to_string()))?;
    Ok(key)
}

/// `GET /v1/kv/{key}`: the raw value with its revisions in headers, or
/// with `format=json` the [`Item`].
#[utoipa::path(
    get, path = "/v1/kv/{key}", tag = "kv",
    summary = "Read one key",
    description = "The value's bytes, with its revisions in the `Concord-Revision`, `Concord-Create-Revision` and `Concord-Version` headers; with `format=json`, the item as JSON. Linearizable unless `consistency=stale`. Needs `read` on the key.",
    params(("key" = String, Path, description = "The key, percent-encoded; `/` may stay as it is"), ReadParams),
    responses(
        (status = 200, description = "The value", content((RawBytes = "application/octet-stream"), (Item = "application/json"))),
        (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`; the code names the cause and fixes the HTTP status (README, \"HTTP API\")", body = ErrorBody)
    )
)]
pub(crate) async fn get_key(
    State(node): State<Arc<Node>>,
    caller: Caller,
    uri: Uri,
    params: Result<Query<ReadParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let key = authorized_key(&uri, &caller, false)?;
    let params = query(params)?;
    node.read_barrier(params.consistency.unwrap_or_default()).await?;
    let record = node
        .reader
        .get(&key)
        .map_err(|e| ApiError::read(&format!("reading {key:?}"), e))?
        .ok_or_else(|| ApiError::not_found(format!("key {key:?} not found")))?;
    if params.format == Some(ValueFormat::Json) {
        return Ok(Json(Item::new(key, record, now_ms(), false)).into_response());
    }
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert(api_headers::REVISION, HeaderValue::from(record.mod_revision));
    headers.insert(api_headers::CREATE_REVISION, HeaderValue::from(record.create_revision));
    headers.insert(api_headers::VERSION, HeaderValue::from(record.version));
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
    let mut e = ApiError::new(Code::Conflict, message);
    e.current_revision = Some(current);
    e
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

/// `PUT /v1/kv/{key}`: the body is the value.
#[utoipa::path(
    put, path = "/v1/kv/{key}", tag = "kv",
    summary = "Write one key",
    description = "The body is the value's bytes. `if_revision` and `if_absent` make it a compare-and-set (409 `conflict` when it fails); a `Concord-Request-Id` header makes a retry apply at most once. Acknowledged once a quorum has it on disk. Needs `write` on the key.",
    params(("key" = String, Path, description = "The key, percent-encoded; `/` may stay as it is"), WriteParams),
    request_body(content = RawBytes, content_type = "application/octet-stream", description = "The value's bytes"),
    responses((status = 200, description = "Written", body = PutResponse), (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`; the code names the cause and fixes the HTTP status (README, \"HTTP API\")", body = ErrorBody))
)]
pub(crate) async fn put_key(
    State(node): State<Arc<Node>>,
    caller: Caller,
    uri: Uri,
    headers: HeaderMap,
    params: Result<Query<WriteParams>, QueryRejection>,
    body: Body,
) -> Result<Json<PutResponse>, ApiError> {
    let key = authorized_key(&uri, &caller, true)?;
    let params = query(params)?;
    let ttl = match &params.ttl {
        Some(t) => Some(parse_ttl(t)?),
        None => node.config.default_ttl,
    };
    let body = read_body(&node, body, node.config.max_value_size, Code::ValueTooLarge).await?;
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
    Ok(Json(PutResponse {
        revision: resp.revision,
    }))
}

/// `DELETE /v1/kv/{key}`.
#[utoipa::path(
    delete, path = "/v1/kv/{key}", tag = "kv",
    summary = "Delete one key",
    description = "`deleted` is 0 when there was no such key. Needs `write` on the key.",
    params(("key" = String, Path, description = "The key, percent-encoded; `/` may stay as it is"), DeleteParams),
    responses((status = 200, description = "Deleted", body = DeleteResponse), (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`; the code names the cause and fixes the HTTP status (README, \"HTTP API\")", body = ErrorBody))
)]
pub(crate) async fn delete_key(
    State(node): State<Arc<Node>>,
    caller: Caller,
    uri: Uri,
    headers: HeaderMap,
    params: Result<Query<DeleteParams>, QueryRejection>,
) -> Result<Json<DeleteResponse>, ApiError> {
    let key = authorized_key(&uri, &caller, true)?;
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
        Some(OpResult::Delete { deleted }) => Ok(Json(DeleteResponse {
            deleted: *deleted,
            revision: resp.revision,
        })),
        other => Err(ApiError::internal(format!("unexpected result {other:?}"))),
    }
}

/// `GET /v1/kv?prefix=P&start=S&end=E&limit=N&keys_only=true`: a
/// [`ListResponse`]; pass `next` as `start` for the following page.
#[utoipa::path(
    get, path = "/v1/kv", tag = "kv",
    summary = "List keys",
    description = "A page of keys in order, by prefix or range; pass `next` as `start` for the following page. Needs `read` on the prefix.",
    params(ListParams),
    responses((status = 200, description = "A page", body = ListResponse), (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`; the code names the cause and fixes the HTTP status (README, \"HTTP API\")", body = ErrorBody))
)]
pub(crate) async fn list(
    State(node): State<Arc<Node>>,
    caller: Caller,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let p = query(params)?;
    caller.require(Need::Read(Scope::Prefix(p.prefix.as_deref().unwrap_or(""))))?;
    let limit = p.limit.unwrap_or(DEFAULT_PAGE);
    if limit == 0 || limit > MAX_PAGE {
        return Err(ApiError::invalid(format!("limit must be between 1 and {MAX_PAGE}")));
    }
    node.read_barrier(p.consistency.unwrap_or_default()).await?;
    let q = ListQuery {
        prefix: p.prefix.unwrap_or_default(),
        start: p.start,
        end: p.end,
        limit,
    };
    let reader = node.reader.clone();
    let page = tokio::task::spawn_blocking(move || reader.list(&q))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(|e| ApiError::read("listing", e))?;
    tracing::debug!(
        items = page.items.len(),
        first_revisions = ?page.items.iter().take(20).map(|(k, r)| (k.as_str(), r.mod_revision)).collect::<Vec<_>>(),
        applied = ?node.metrics().last_applied,
        "list served"
    );
    // The records' values move into the items (UTF-8 ones are not copied):
    // the page (at most `MAX_LIST_PAGE_BYTES` of values) is held once as
    // items and once as JSON.
    let now = now_ms();
    let keys_only = p.keys_only.unwrap_or(false);
    let answer = ListResponse {
        more: page.next.is_some(),
        next: page.next,
        items: page
            .items
            .into_iter()
            .map(|(k, r)| Item::new(k, r, now, keys_only))
            .collect(),
    };
    let out = serde_json::to_vec(&answer).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        out,
    )
        .into_response())
}

/// `DELETE /v1/kv?prefix=P`: every key starting with P, atomically.
#[utoipa::path(
    delete, path = "/v1/kv", tag = "kv",
    summary = "Delete every key under a prefix",
    description = "`prefix` is required. Needs `write` on the prefix.",
    params(PrefixParams),
    responses((status = 200, description = "Deleted", body = DeleteResponse), (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`; the code names the cause and fixes the HTTP status (README, \"HTTP API\")", body = ErrorBody))
)]
pub(crate) async fn delete_prefix(
    State(node): State<Arc<Node>>,
    caller: Caller,
    headers: HeaderMap,
    params: Result<Query<PrefixParams>, QueryRejection>,
) -> Result<Json<DeleteResponse>, ApiError> {
    let prefix = query(params)?
        .prefix
        .ok_or_else(|| ApiError::invalid("prefix is required (prefix= with nothing deletes every key)"))?;
    caller.require(Need::Write(Scope::Prefix(&prefix)))?;
    let txn = Txn {
        success: vec![TxnOp::DeletePrefix { prefix }],
        ..Default::default()
    };
    let resp = node.txn(txn, request_id(&headers)?).await?;
    let deleted = match resp.results.first() {
        Some(OpResult::DeletePrefix { deleted }) => *deleted,
        _ => 0,
    };
    Ok(Json(DeleteResponse {
        deleted,
        revision: resp.revision,
    }))
}

/// `GET /v1/export?prefix=P`: JSON lines of every live key under P from one
/// point-in-time view; `Concord-Revision` names the revision it reflects.
///
/// At most `--max-concurrent-exports` stream at once (more get 503
/// `overloaded`). An export whose client reads nothing for
/// `--client-read-timeout` is abandoned and its connection broken (never
/// ended cleanly, so a truncated export cannot pass for a whole one).
#[utoipa::path(
    get, path = "/v1/export", tag = "kv",
    summary = "Export keys",
    description = "Every key under the prefix at one revision (in the `Concord-Revision` header), as JSON lines of items. Needs `read` on the prefix.",
    params(ExportParams),
    responses((status = 200, description = "One item per line", content_type = "application/x-ndjson", body = Item), (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`; the code names the cause and fixes the HTTP status (README, \"HTTP API\")", body = ErrorBody))
)]
pub(crate) async fn export(
    State(node): State<Arc<Node>>,
    caller: Caller,
    params: Result<Query<ExportParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let p = query(params)?;
    caller.require(Need::Read(Scope::Prefix(p.prefix.as_deref().unwrap_or(""))))?;
    let slot = node.exports.clone().try_acquire_owned().map_err(|_| {
        ApiError::overloaded(format!(
            "{} exports are already streaming (--max-concurrent-exports); retry shortly",
            node.config.max_concurrent_exports
        ))
    })?;
    node.read_barrier(p.consistency.unwrap_or_default()).await?;
    let view = node.reader.export_view().map_err(|e| ApiError::read("export", e))?;
    let revision = view.revision;
    let prefix = p.prefix.unwrap_or_default();
    let now = now_ms();
    let mut resp = stream_blocking(&node, slot, "export", move |out| {
        view.for_each(&prefix, |key, record| {
            let mut line = Item::new(key, record, now, false);
            line.ttl = line.ttl_remaining.map(|secs| format!("{secs}s"));
            serde_json::to_writer(&mut *out, &line).map_err(std::io::Error::other)?;
            out.write_all(b"\n")
        })
    });
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson"));
    resp.headers_mut()
        .insert(api_headers::REVISION, HeaderValue::from(revision));
    Ok(resp)
}

/// A 200 whose body `produce` writes on a blocking thread, sent in 64 KiB
/// chunks; the thread waits for the client to take each chunk, but never
/// longer than `--client-read-timeout`, and gives up when the client goes.
/// A producer that fails breaks the body instead of ending it, so a cut
/// stream never looks complete. `slot` is held until the producer ends.
pub(crate) fn stream_blocking(
    node: &Node,
    slot: tokio::sync::OwnedSemaphorePermit,
    what: &'static str,
    produce: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()> + Send + 'static,
) -> Response {
    let stall = node.config.client_read_timeout;
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(8);
    let finished = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let done = finished.clone();
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let mut out = std::io::BufWriter::with_capacity(
            64 * 1024,
            Chunks {
                send: |chunk: Bytes| match runtime.block_on(tokio::time::timeout(stall, tx.send(chunk))) {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(_)) => Err(std::io::Error::other("the client went away")),
                    Err(_) => Err(std::io::Error::other("the client stopped reading")),
                },
            },
        );
        match produce(&mut out).and_then(|()| std::io::Write::flush(&mut out)) {
            Ok(()) => done.store(true, std::sync::atomic::Ordering::Release),
            Err(e) => {
                // Dropped unflushed: a flush would wait on the client again.
                let _ = out.into_parts();
                tracing::debug!(error = %e, "{what} abandoned");
            }
        }
    });
    let stream = futures::stream::unfold((rx, finished), move |(mut rx, finished)| async move {
        match rx.recv().await {
            Some(chunk) => Some((Ok(chunk), (rx, finished))),
            None if finished.load(std::sync::atomic::Ordering::Acquire) => None,
            // The producer gave up: break the body instead of ending it.
            None => {
                finished.store(true, std::sync::atomic::Ordering::Release);
                Some((Err(std::io::Error::other(format!("{what} abandoned"))), (rx, finished)))
            }
        }
    });
    let mut resp = Body::from_stream(stream).into_response();
    *resp.status_mut() = StatusCode::OK;
    resp
}

/// A writer that hands each buffer it is given to `send` as one chunk.
struct Chunks<F> {
    send: F,
}

impl<F: FnMut(Bytes) -> std::io::Result<()>> std::io::Write for Chunks<F> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        (self.send)(Bytes::copy_from_slice(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `GET /v1/snapshot` (admin): a backup of the whole state (every key and
/// revision, the tokens as digests, the cluster metadata) as of a
/// linearizable point, in the format of `concord_core::store::backup`,
/// streamed. Relayed to the leader unless `consistency=stale`. It shares
/// the export slots (`--max-concurrent-exports`).
#[utoipa::path(
    get, path = "/v1/snapshot", tag = "operations",
    summary = "Stream a backup",
    description = "The whole state at a linearizable point, in the backup format `concord snapshot save` writes (README, \"Backup and restore\"). Needs `admin`.",
    params(SnapshotParams),
    responses((status = 200, description = "The backup file", content_type = "application/octet-stream", body = RawBytes), (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`; the code names the cause and fixes the HTTP status (README, \"HTTP API\")", body = ErrorBody))
)]
pub(crate) async fn snapshot(
    State(node): State<Arc<Node>>,
    caller: Caller,
    params: Result<Query<SnapshotParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let p = query(params)?;
    caller.require(Need::Admin)?;
    let slot = node.exports.clone().try_acquire_owned().map_err(|_| {
        ApiError::overloaded(format!(
            "{} exports or snapshots are already streaming (--max-concurrent-exports); retry shortly",
            node.config.max_concurrent_exports
        ))
    })?;
    node.read_barrier(p.consistency.unwrap_or_default()).await?;
    let view = node.reader.backup_view().map_err(|e| ApiError::read("snapshot", e))?;
    let revision = view.revision().map_err(|e| ApiError::read("snapshot", e))?;
    if revision == 0 {
        return Err(ApiError::unavailable(
            "nothing has been applied yet: there is nothing to back up",
        ));
    }
    let (cluster_id, id) = (node.cluster_id.to_string(), node.id);
    let mut resp = stream_blocking(&node, slot, "snapshot", move |out| {
        concord_core::store::write_backup(&view, &cluster_id, id, out).map(|_| ())
    });
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    resp.headers_mut()
        .insert(api_headers::REVISION, HeaderValue::from(revision));
    Ok(resp)
}

/// `GET /v1/debug/digest`: this node's own state (never forwarded) as
/// `{"revision", "keys", "digest"}`: a SHA-256 over every stored key and
/// record at `revision`. Replicas at the same revision must agree.
///
/// It reads every key, so one runs at a time; another gets 503 `overloaded`.
#[utoipa::path(
    get, path = "/v1/debug/digest", tag = "operations",
    summary = "This node's state digest",
    description = "A SHA-256 over every stored key and record at this node's applied revision (not relayed). Needs `read` on every key.",
    responses((status = 200, description = "The digest", body = DigestResponse), (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`; the code names the cause and fixes the HTTP status (README, \"HTTP API\")", body = ErrorBody))
)]
pub(crate) async fn digest(State(node): State<Arc<Node>>, caller: Caller) -> Result<Json<DigestResponse>, ApiError> {
    caller.require(Need::Read(Scope::Prefix("")))?;
    let slot =
        node.digest_slot.clone().try_acquire_owned().map_err(|_| {
            ApiError::overloaded("a digest is already being computed on this node; retry when it is done")
        })?;
    let view = node.reader.export_view().map_err(|e| ApiError::read("digest", e))?;
    let revision = view.revision;
    let (keys, digest) = tokio::task::spawn_blocking(move || {
        // Held by the scan itself: a client that hangs up does not free it.
        let _slot = slot;
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        let mut keys = 0u64;
        view.for_each_stored("", |key, r| {
            keys += 1;
            h.update((key.len() as u64).to_be_bytes());
            h.update(key.as_bytes());
            h.update((r.value.len() as u64).to_be_bytes());
            h.update(&r.value);
            for n in [
                r.create_revision,
                r.mod_revision,
                r.version,
                r.expires_at_ms.unwrap_or(0),
            ] {
                h.update(n.to_be_bytes());
            }
            Ok(())
        })
        .map(|()| {
            (
                keys,
                h.finalize().iter().map(|b| format!("{b:02x}")).collect::<String>(),
            )
        })
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
    .map_err(|e| ApiError::read("digest", e))?;
    Ok(Json(DigestResponse { digest, keys, revision }))
}
