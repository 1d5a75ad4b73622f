//! Transactions and batches: `POST /v1/txn` and `POST /v1/kv/batch`, their
//! bodies (`concord_core::api`) turned into a [`concord_core::Txn`], and the
//! results back into the API's types. Every refusal says what was wrong.

use std::time::Duration;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use base64::Engine;
use concord_core::api::{
    BatchRequest, BatchResponse, Code, CompareRequest, ErrorBody, Item, OpOutcome, OpRequest, TxnRequest, TxnResult,
};
use concord_core::limits::validate_key;
use concord_core::{Compare, CompareOp, OpResult, Target, Txn, TxnOp, TxnResponse};
use serde::Deserialize;

use crate::http::auth::Caller;
use crate::http::body::read_body;
use crate::http::error::ApiError;
use crate::http::request_id;
use crate::node::{now_ms, Node};
use concord_core::auth::Need;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A `ttl` as given by a client: a humantime duration like `30s` or `5m`.
pub(crate) fn parse_ttl(text: &str) -> Result<Duration, ApiError> {
    let bad = |why: String| ApiError::new(Code::InvalidTtl, format!("invalid ttl {text:?}: {why}"));
    let ttl = humantime::parse_duration(text).map_err(|e| bad(e.to_string()))?;
    if ttl < Duration::from_millis(1) {
        return Err(bad("a TTL must be at least 1ms".into()));
    }
    if ttl > Duration::from_secs(10 * 365 * 24 * 3600) {
        return Err(bad("a TTL must be at most 10 years".into()));
    }
    Ok(ttl)
}

/// Limits applied while parsing.
pub(crate) struct Limits {
    pub max_value_size: usize,
    pub max_ops: usize,
    pub default_ttl: Option<Duration>,
}

fn check_key(key: &str) -> Result<(), ApiError> {
    validate_key(key).map_err(|e| ApiError::new(Code::InvalidKey, format!("{e}: {key:.64?}")))
}

fn value_of(
    value: Option<String>,
    value_base64: Option<String>,
    limits: &Limits,
    what: &str,
) -> Result<Vec<u8>, ApiError> {
    let bytes = match (value, value_base64) {
        (Some(v), None) => v.into_bytes(),
        (None, Some(b)) => B64
            .decode(b.as_bytes())
            .map_err(|e| ApiError::invalid(format!("{what}: value_base64 is not base64: {e}")))?,
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(format!(
                "{what}: give either value or value_base64, not both"
            )))
        }
        (None, None) => return Err(ApiError::invalid(format!("{what}: value or value_base64 is required"))),
    };
    if bytes.len() > limits.max_value_size {
        return Err(ApiError::new(
            Code::ValueTooLarge,
            format!(
                "{what}: value is larger than the limit of {} bytes",
                limits.max_value_size
            ),
        ));
    }
    Ok(bytes)
}

/// The length of a JSON array, counted without building its elements.
#[derive(Debug, Default)]
struct Count(usize);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Counter;
        impl<'de> serde::de::Visitor<'de> for Counter {
            type Value = Count;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Count, A::Error> {
                let mut n = 0;
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(Count(n))
            }
        }
        d.deserialize_seq(Counter)
    }
}

/// The operation arrays of a transaction or batch body, counted only.
#[derive(Debug, Default, Deserialize)]
struct OpCounts {
    #[serde(default)]
    compare: Count,
    #[serde(default)]
    success: Count,
    #[serde(default)]
    failure: Count,
    #[serde(default)]
    ops: Count,
}

/// Refuses a transaction or batch body with more than `max` operations
/// before any of them is built (a pass that allocates nothing per element),
/// so a body of many tiny operations cannot cost many times its size.
pub(crate) fn check_op_count(body: &[u8], max: usize, what: &str) -> Result<(), ApiError> {
    let c: OpCounts = parse_json(body)?;
    let n = c.compare.0 + c.success.0 + c.failure.0 + c.ops.0;
    if n > max {
        return Err(too_many(n, max, what));
    }
    Ok(())
}

/// Parses a JSON body, turning serde's message into a 400.
pub(crate) fn parse_json<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::new(Code::InvalidJson, format!("invalid request body: {e}")))
}

pub(crate) fn op_from_request(op: OpRequest, limits: &Limits, what: &str) -> Result<TxnOp, ApiError> {
    Ok(match op {
        OpRequest::Put(p) => {
            check_key(&p.key)?;
            let ttl = match p.ttl {
                Some(t) => Some(parse_ttl(&t)?),
                None => limits.default_ttl,
            };
            TxnOp::Put {
                value: value_of(p.value, p.value_base64, limits, what)?,
                key: p.key,
                ttl_ms: ttl.map(|t| t.as_millis() as u64),
            }
        }
        OpRequest::Get(k) => {
            check_key(&k.key)?;
            TxnOp::Get { key: k.key }
        }
        OpRequest::Delete(k) => {
            check_key(&k.key)?;
            TxnOp::Delete { key: k.key }
        }
        OpRequest::DeletePrefix(p) => TxnOp::DeletePrefix { prefix: p.prefix },
    })
}

fn compare_from_request(c: CompareRequest, limits: &Limits, i: usize) -> Result<Compare, ApiError> {
    let what = format!("compare[{i}]");
    check_key(&c.key)?;
    let mut targets = Vec::new();
    if c.value.is_some() || c.value_base64.is_some() {
        targets.push(Target::Value(value_of(c.value, c.value_base64, limits, &what)?));
    }
    targets.extend(c.mod_revision.map(Target::ModRevision));
    targets.extend(c.create_revision.map(Target::CreateRevision));
    targets.extend(c.version.map(Target::Version));
    targets.extend(c.exists.map(Target::Exists));
    if targets.len() != 1 {
        return Err(ApiError::invalid(format!(
            "{what}: name exactly one of value, mod_revision, create_revision, version, exists"
        )));
    }
    let op = match c.op.as_deref() {
        None | Some("=") | Some("==") => CompareOp::Eq,
        Some("!=") => CompareOp::Ne,
        Some("<") => CompareOp::Lt,
        Some(">") => CompareOp::Gt,
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "{what}: unknown op {other:?}; use =, !=, < or >"
            )))
        }
    };
    Ok(Compare {
        key: c.key,
        target: targets.remove(0),
        op,
    })
}

fn too_many(n: usize, max: usize, what: &str) -> ApiError {
    ApiError::new(
        Code::TooManyOperations,
        format!("{what} has {n} operations; the limit is {max}"),
    )
}

pub(crate) fn txn_from_request(t: TxnRequest, limits: &Limits) -> Result<Txn, ApiError> {
    let n = t.compare.len() + t.success.len() + t.failure.len();
    if n > limits.max_ops {
        return Err(too_many(n, limits.max_ops, "the transaction"));
    }
    let compare = t
        .compare
        .into_iter()
        .enumerate()
        .map(|(i, c)| compare_from_request(c, limits, i))
        .collect::<Result<_, _>>()?;
    let ops = |list: Vec<OpRequest>, branch: &str| -> Result<Vec<TxnOp>, ApiError> {
        list.into_iter()
            .enumerate()
            .map(|(i, op)| op_from_request(op, limits, &format!("{branch}[{i}]")))
            .collect()
    };
    Ok(Txn {
        compare,
        success: ops(t.success, "success")?,
        failure: ops(t.failure, "failure")?,
    })
}

pub(crate) fn batch_from_request(b: BatchRequest, limits: &Limits) -> Result<Txn, ApiError> {
    if b.ops.len() > limits.max_ops {
        return Err(too_many(b.ops.len(), limits.max_ops, "the batch"));
    }
    let mut success = Vec::with_capacity(b.ops.len());
    for (i, op) in b.ops.into_iter().enumerate() {
        if matches!(op, OpRequest::Get(_)) {
            return Err(ApiError::invalid(format!("ops[{i}]: a batch only puts and deletes")));
        }
        success.push(op_from_request(op, limits, &format!("ops[{i}]"))?);
    }
    Ok(Txn {
        success,
        ..Default::default()
    })
}

/// A transaction's results as the API gives them.
fn txn_result(r: TxnResponse, now_ms: u64) -> TxnResult {
    let results = r
        .results
        .into_iter()
        .map(|res| match res {
            OpResult::Put { revision } => OpOutcome::Put { revision },
            OpResult::Get { item } => OpOutcome::Get(item.map(|(k, rec)| Item::new(k, rec, now_ms, false))),
            OpResult::Delete { deleted } => OpOutcome::Delete { deleted },
            OpResult::DeletePrefix { deleted } => OpOutcome::DeletePrefix { deleted },
        })
        .collect();
    TxnResult {
        results,
        revision: r.revision,
        succeeded: r.succeeded,
    }
}

impl Node {
    fn limits(&self, max_ops: usize) -> Limits {
        Limits {
            max_value_size: self.config.max_value_size,
            max_ops,
            default_ttl: self.config.default_ttl,
        }
    }
}

/// `POST /v1/txn`: a [`TxnRequest`], answered with a [`TxnResult`].
#[utoipa::path(
    post, path = "/v1/txn", tag = "kv",
    summary = "Run a transaction",
    description = "If every `compare` holds, the `success` operations run, else the `failure` ones, atomically at one revision. Needs `read` or `write` on each key it touches.",
    request_body(content = TxnRequest, content_type = "application/json"),
    responses((status = 200, description = "The branch that ran and its results", body = TxnResult), (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`; the code names the cause and fixes the HTTP status (README, \"HTTP API\")", body = ErrorBody))
)]
pub(crate) async fn txn(
    State(node): State<Arc<Node>>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<TxnResult>, ApiError> {
    let body = read_body(&node, body, node.config.max_request_size, Code::RequestTooLarge).await?;
    check_op_count(&body.bytes, node.config.max_txn_ops, "the transaction")?;
    let parsed: TxnRequest = parse_json(&body.bytes)?;
    let txn = txn_from_request(parsed, &node.limits(node.config.max_txn_ops))?;
    caller.require(Need::Txn(&txn))?;
    let resp = node.txn(txn, request_id(&headers)?).await?;
    Ok(Json(txn_result(resp, now_ms())))
}

/// `POST /v1/kv/batch`: `{"ops": [{"put": {...}}, {"delete": {...}}]}`,
/// applied atomically as one entry.
#[utoipa::path(
    post, path = "/v1/kv/batch", tag = "kv",
    summary = "Apply puts and deletes atomically",
    description = "Needs `write` on each key.",
    request_body(content = BatchRequest, content_type = "application/json"),
    responses((status = 200, description = "Applied", body = BatchResponse), (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`; the code names the cause and fixes the HTTP status (README, \"HTTP API\")", body = ErrorBody))
)]
pub(crate) async fn batch(
    State(node): State<Arc<Node>>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<BatchResponse>, ApiError> {
    let body = read_body(&node, body, node.config.max_request_size, Code::RequestTooLarge).await?;
    check_op_count(&body.bytes, node.config.max_batch_ops, "the batch")?;
    let parsed: BatchRequest = parse_json(&body.bytes)?;
    let txn = batch_from_request(parsed, &node.limits(node.config.max_batch_ops))?;
    caller.require(Need::Txn(&txn))?;
    let count = txn.success.len() as u64;
    let resp = node.txn(txn, request_id(&headers)?).await?;
    Ok(Json(BatchResponse {
        count,
        revision: resp.revision,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            max_value_size: 16,
            max_ops: 3,
            default_ttl: None,
        }
    }

    fn parse(body: &str) -> Result<Txn, ApiError> {
        txn_from_request(parse_json(body.as_bytes())?, &limits())
    }

    #[test]
    fn good_transactions_parse() {
        let t = parse(r#"{"compare":[{"key":"a","mod_revision":3,"op":">"}],"success":[{"put":{"key":"a","value":"x","ttl":"2s"}}],"failure":[{"get":{"key":"a"}}]}"#).unwrap();
        assert_eq!(t.compare[0].target, Target::ModRevision(3));
        assert_eq!(t.compare[0].op, CompareOp::Gt);
        assert!(matches!(&t.success[0], TxnOp::Put { ttl_ms: Some(2000), .. }));
        let t =
            parse(r#"{"compare":[{"key":"a","exists":false}],"success":[{"delete_prefix":{"prefix":"p/"}}]}"#).unwrap();
        assert_eq!(t.compare[0].op, CompareOp::Eq);
    }

    #[test]
    fn bad_transactions_say_why() {
        let code = |body: &str| parse(body).unwrap_err().code;
        assert_eq!(code("{not json"), "invalid_json");
        assert_eq!(code(r#"{"compare":[{"key":"a","colour":"red"}]}"#), "invalid_json");
        assert_eq!(code(r#"{"compare":[{"key":"a"}]}"#), "invalid_argument");
        assert_eq!(
            code(r#"{"compare":[{"key":"a","version":1,"exists":true}]}"#),
            "invalid_argument"
        );
        assert_eq!(
            code(r#"{"compare":[{"key":"a","version":1,"op":"~"}]}"#),
            "invalid_argument"
        );
        assert_eq!(code(r#"{"success":[{"frobnicate":{"key":"a"}}]}"#), "invalid_json");
        assert_eq!(
            code(r#"{"success":[{"put":{"key":"a","value":"x","ttl":"soon"}}]}"#),
            "invalid_ttl"
        );
        assert_eq!(code(r#"{"success":[{"put":{"key":"","value":"x"}}]}"#), "invalid_key");
        assert_eq!(
            code(r#"{"success":[{"put":{"key":"a","value":"0123456789abcdefg"}}]}"#),
            "value_too_large"
        );
        let four = r#"{"success":[{"get":{"key":"a"}},{"get":{"key":"a"}},{"get":{"key":"a"}},{"get":{"key":"a"}}]}"#;
        assert_eq!(code(four), "too_many_operations");
    }
}
