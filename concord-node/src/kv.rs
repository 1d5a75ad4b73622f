//! Multi-key data endpoints: listing with paging, prefix delete, bulk
//! batches, transactions and the consistent export stream.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use concord_core::store::ListQuery;
use concord_core::{OpResult, Txn, TxnOp};
use serde::Deserialize;
use serde_json::json;

use crate::api::{now_ms, query, read_body, request_id, Consistency};
use crate::data::{
    batch_from_json, check_op_count, item_json, parse_json, txn_from_json, txn_response_json, BatchJson, Limits,
    TxnJson,
};
use crate::error::ApiError;
use crate::Node;

/// Default and largest page of a listing.
const DEFAULT_PAGE: usize = 1000;
const MAX_PAGE: usize = 10_000;

impl Node {
    fn limits(&self, max_ops: usize) -> Limits {
        Limits {
            max_value_size: self.config.max_value_size,
            max_ops,
            default_ttl: self.config.default_ttl,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListParams {
    prefix: Option<String>,
    start: Option<String>,
    end: Option<String>,
    limit: Option<usize>,
    keys_only: Option<bool>,
    consistency: Option<Consistency>,
}

/// `GET /v1/kv?prefix=P&start=S&end=E&limit=N&keys_only=true`:
/// `{"items": [...], "more": bool, "next": KEY}`; pass `next` as `start` for
/// the following page.
pub(crate) async fn list(
    State(node): State<Arc<Node>>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let p = query(params)?;
    let limit = p.limit.unwrap_or(DEFAULT_PAGE);
    if limit == 0 || limit > MAX_PAGE {
        return Err(ApiError::bad_request(
            "invalid_argument",
            format!("limit must be between 1 and {MAX_PAGE}"),
        ));
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
        .map_err(|e| ApiError::internal(format!("listing: {e}")))?;
    // Written straight to the body, item by item: the page (at most
    // `MAX_LIST_PAGE_BYTES` of values) is held once as records and once as
    // JSON, never as a tree of JSON values besides.
    let now = now_ms();
    let keys_only = p.keys_only.unwrap_or(false);
    let mut out = Vec::with_capacity(64 * 1024);
    out.extend_from_slice(b"{\"items\":[");
    for (i, (k, r)) in page.items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, &item_json(k, r, now, keys_only))
            .map_err(|e| ApiError::internal(e.to_string()))?;
    }
    let tail = json!({ "more": page.next.is_some(), "next": page.next });
    out.extend_from_slice(b"],");
    out.extend_from_slice(&serde_json::to_vec(&tail).map_err(|e| ApiError::internal(e.to_string()))?[1..]);
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        out,
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PrefixParams {
    prefix: Option<String>,
}

/// `DELETE /v1/kv?prefix=P`: every key starting with P, atomically.
pub(crate) async fn delete_prefix(
    State(node): State<Arc<Node>>,
    headers: HeaderMap,
    params: Result<Query<PrefixParams>, QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let prefix = query(params)?.prefix.ok_or_else(|| {
        ApiError::bad_request(
            "invalid_argument",
            "prefix is required (prefix= with nothing deletes every key)",
        )
    })?;
    let txn = Txn {
        success: vec![TxnOp::DeletePrefix { prefix }],
        ..Default::default()
    };
    let resp = node.txn(txn, request_id(&headers)?).await?;
    let deleted = match resp.results.first() {
        Some(OpResult::DeletePrefix { deleted }) => *deleted,
        _ => 0,
    };
    Ok(Json(json!({ "deleted": deleted, "revision": resp.revision })))
}

/// `POST /v1/txn`.
pub(crate) async fn txn(
    State(node): State<Arc<Node>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<serde_json::Value>, ApiError> {
    let body = read_body(&node, body, node.config.max_request_size, "request_too_large").await?;
    check_op_count(&body.bytes, node.config.max_txn_ops, "the transaction")?;
    let parsed: TxnJson = parse_json(&body.bytes)?;
    let txn = txn_from_json(parsed, &node.limits(node.config.max_txn_ops))?;
    let resp = node.txn(txn, request_id(&headers)?).await?;
    Ok(Json(txn_response_json(&resp, now_ms())))
}

/// `POST /v1/kv/batch`: `{"ops": [{"put": {...}}, {"delete": {...}}]}`,
/// applied atomically as one entry.
pub(crate) async fn batch(
    State(node): State<Arc<Node>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<serde_json::Value>, ApiError> {
    let body = read_body(&node, body, node.config.max_request_size, "request_too_large").await?;
    check_op_count(&body.bytes, node.config.max_batch_ops, "the batch")?;
    let parsed: BatchJson = parse_json(&body.bytes)?;
    let txn = batch_from_json(parsed, &node.limits(node.config.max_batch_ops))?;
    let count = txn.success.len();
    let resp = node.txn(txn, request_id(&headers)?).await?;
    Ok(Json(json!({ "revision": resp.revision, "count": count })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExportParams {
    prefix: Option<String>,
    consistency: Option<Consistency>,
}

/// `GET /v1/export?prefix=P`: JSON lines of every live key under P from one
/// point-in-time view; `Concord-Revision` names the revision it reflects.
///
/// At most `--max-concurrent-exports` stream at once (more get 503
/// `overloaded`). An export whose client reads nothing for
/// `--client-read-timeout` is abandoned and its connection broken (never
/// ended cleanly, so a truncated export cannot pass for a whole one).
pub(crate) async fn export(
    State(node): State<Arc<Node>>,
    params: Result<Query<ExportParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let p = query(params)?;
    let slot = node.exports.clone().try_acquire_owned().map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            format!(
                "{} exports are already streaming (--max-concurrent-exports); retry shortly",
                node.config.max_concurrent_exports
            ),
        )
    })?;
    node.read_barrier(p.consistency.unwrap_or_default()).await?;
    let view = node
        .reader
        .export_view()
        .map_err(|e| ApiError::internal(format!("export: {e}")))?;
    let revision = view.revision;
    let prefix = p.prefix.unwrap_or_default();
    let stall = node.config.client_read_timeout;
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(8);
    let finished = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let done = finished.clone();
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        // Waits for the client to take a chunk, but not forever.
        let send = |chunk: Bytes| -> std::io::Result<()> {
            match runtime.block_on(tokio::time::timeout(stall, tx.send(chunk))) {
                Ok(Ok(())) => Ok(()),
                Ok(Err(_)) => Err(std::io::Error::other("the client went away")),
                Err(_) => Err(std::io::Error::other("the client stopped reading")),
            }
        };
        let mut buf = Vec::with_capacity(64 * 1024);
        let now = now_ms();
        let res = view.for_each(&prefix, |key, record| {
            let mut line = item_json(&key, &record, now, false);
            if let Some(secs) = line["ttl_remaining"].as_u64() {
                line["ttl"] = json!(format!("{secs}s"));
            }
            serde_json::to_writer(&mut buf, &line).map_err(std::io::Error::other)?;
            buf.push(b'\n');
            if buf.len() >= 64 * 1024 {
                send(Bytes::from(std::mem::take(&mut buf)))?;
            }
            Ok(())
        });
        match res.and_then(|()| send(Bytes::from(buf))) {
            Ok(()) => done.store(true, std::sync::atomic::Ordering::Release),
            Err(e) => tracing::debug!(error = %e, "export abandoned"),
        }
    });
    let stream = futures::stream::unfold((rx, finished), |(mut rx, finished)| async move {
        match rx.recv().await {
            Some(chunk) => Some((Ok(chunk), (rx, finished))),
            None if finished.load(std::sync::atomic::Ordering::Acquire) => None,
            // The producer gave up: break the body instead of ending it.
            None => {
                finished.store(true, std::sync::atomic::Ordering::Release);
                Some((Err(std::io::Error::other("export abandoned")), (rx, finished)))
            }
        }
    });
    let mut resp = Body::from_stream(stream).into_response();
    *resp.status_mut() = StatusCode::OK;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson"));
    resp.headers_mut()
        .insert("concord-revision", HeaderValue::from(revision));
    Ok(resp)
}

/// `GET /v1/debug/digest`: this node's own state (never forwarded) as
/// `{"revision", "keys", "digest"}`: a SHA-256 over every stored key and
/// record at `revision`. Replicas at the same revision must agree.
///
/// It reads every key, so one runs at a time; another gets 503 `overloaded`.
pub(crate) async fn digest(State(node): State<Arc<Node>>) -> Result<Json<serde_json::Value>, ApiError> {
    let slot = node.digest_slot.clone().try_acquire_owned().map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "a digest is already being computed on this node; retry when it is done",
        )
    })?;
    let view = node
        .reader
        .export_view()
        .map_err(|e| ApiError::internal(format!("digest: {e}")))?;
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
    .map_err(|e| ApiError::internal(format!("digest: {e}")))?;
    Ok(Json(json!({ "revision": revision, "keys": keys, "digest": digest })))
}
