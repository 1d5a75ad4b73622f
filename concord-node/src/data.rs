//! The data API's JSON: items as clients see them (values as text when they
//! are UTF-8, else base64), transactions and bulk writes parsed from JSON
//! into [`concord_core::Txn`], and their results back into JSON. Every
//! refusal is a 400 with a message naming what was wrong.

use std::time::Duration;

use base64::Engine;
use concord_core::limits::validate_key;
use concord_core::{Compare, CompareOp, KvRecord, OpResult, Target, Txn, TxnOp, TxnResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::ApiError;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A key as JSON: `{"key", "value" | "value_base64", "create_revision",
/// "mod_revision", "version", "ttl_remaining"}` (`ttl_remaining` in whole
/// seconds, rounded up; null without a TTL).
pub(crate) fn item_json(key: &str, r: &KvRecord, now_ms: u64, keys_only: bool) -> Value {
    let mut v = json!({
        "key": key,
        "create_revision": r.create_revision,
        "mod_revision": r.mod_revision,
        "version": r.version,
        "ttl_remaining": r.expires_at_ms.map(|t| t.saturating_sub(now_ms).div_ceil(1000)),
    });
    if !keys_only {
        match std::str::from_utf8(&r.value) {
            Ok(text) => v["value"] = json!(text),
            Err(_) => v["value_base64"] = json!(B64.encode(&r.value)),
        }
    }
    v
}

/// A `ttl` as given by a client: a humantime duration like `30s` or `5m`.
pub(crate) fn parse_ttl(text: &str) -> Result<Duration, ApiError> {
    let bad = |why: String| ApiError::bad_request("invalid_ttl", format!("invalid ttl {text:?}: {why}"));
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
    validate_key(key).map_err(|e| ApiError::bad_request("invalid_key", format!("{e}: {key:.64?}")))
}

fn value_of(
    value: Option<String>,
    value_base64: Option<String>,
    limits: &Limits,
    what: &str,
) -> Result<Vec<u8>, ApiError> {
    let bytes = match (value, value_base64) {
        (Some(v), None) => v.into_bytes(),
        (None, Some(b)) => B64.decode(b.as_bytes()).map_err(|e| {
            ApiError::bad_request("invalid_argument", format!("{what}: value_base64 is not base64: {e}"))
        })?,
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "invalid_argument",
                format!("{what}: give either value or value_base64, not both"),
            ))
        }
        (None, None) => {
            return Err(ApiError::bad_request(
                "invalid_argument",
                format!("{what}: value or value_base64 is required"),
            ))
        }
    };
    if bytes.len() > limits.max_value_size {
        return Err(ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "value_too_large",
            format!(
                "{what}: value is larger than the limit of {} bytes",
                limits.max_value_size
            ),
        ));
    }
    Ok(bytes)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PutJson {
    key: String,
    value: Option<String>,
    value_base64: Option<String>,
    ttl: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct KeyJson {
    key: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PrefixJson {
    prefix: String,
}

/// `{"put": {...}}`, `{"get": {"key"}}`, `{"delete": {"key"}}`,
/// `{"delete_prefix": {"prefix"}}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub(crate) enum OpJson {
    Put(PutJson),
    Get(KeyJson),
    Delete(KeyJson),
    DeletePrefix(PrefixJson),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CompareJson {
    key: String,
    value: Option<String>,
    value_base64: Option<String>,
    mod_revision: Option<u64>,
    create_revision: Option<u64>,
    version: Option<u64>,
    exists: Option<bool>,
    op: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TxnJson {
    #[serde(default)]
    compare: Vec<CompareJson>,
    #[serde(default)]
    success: Vec<OpJson>,
    #[serde(default)]
    failure: Vec<OpJson>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BatchJson {
    ops: Vec<OpJson>,
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
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request("invalid_json", format!("invalid request body: {e}")))
}

pub(crate) fn op_from_json(op: OpJson, limits: &Limits, what: &str) -> Result<TxnOp, ApiError> {
    Ok(match op {
        OpJson::Put(p) => {
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
        OpJson::Get(k) => {
            check_key(&k.key)?;
            TxnOp::Get { key: k.key }
        }
        OpJson::Delete(k) => {
            check_key(&k.key)?;
            TxnOp::Delete { key: k.key }
        }
        OpJson::DeletePrefix(p) => TxnOp::DeletePrefix { prefix: p.prefix },
    })
}

fn compare_from_json(c: CompareJson, limits: &Limits, i: usize) -> Result<Compare, ApiError> {
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
        return Err(ApiError::bad_request(
            "invalid_argument",
            format!("{what}: name exactly one of value, mod_revision, create_revision, version, exists"),
        ));
    }
    let op = match c.op.as_deref() {
        None | Some("=") | Some("==") => CompareOp::Eq,
        Some("!=") => CompareOp::Ne,
        Some("<") => CompareOp::Lt,
        Some(">") => CompareOp::Gt,
        Some(other) => {
            return Err(ApiError::bad_request(
                "invalid_argument",
                format!("{what}: unknown op {other:?}; use =, !=, < or >"),
            ))
        }
    };
    Ok(Compare {
        key: c.key,
        target: targets.remove(0),
        op,
    })
}

fn too_many(n: usize, max: usize, what: &str) -> ApiError {
    ApiError::bad_request(
        "too_many_operations",
        format!("{what} has {n} operations; the limit is {max}"),
    )
}

pub(crate) fn txn_from_json(t: TxnJson, limits: &Limits) -> Result<Txn, ApiError> {
    let n = t.compare.len() + t.success.len() + t.failure.len();
    if n > limits.max_ops {
        return Err(too_many(n, limits.max_ops, "the transaction"));
    }
    let compare = t
        .compare
        .into_iter()
        .enumerate()
        .map(|(i, c)| compare_from_json(c, limits, i))
        .collect::<Result<_, _>>()?;
    let ops = |list: Vec<OpJson>, branch: &str| -> Result<Vec<TxnOp>, ApiError> {
        list.into_iter()
            .enumerate()
            .map(|(i, op)| op_from_json(op, limits, &format!("{branch}[{i}]")))
            .collect()
    };
    Ok(Txn {
        compare,
        success: ops(t.success, "success")?,
        failure: ops(t.failure, "failure")?,
    })
}

pub(crate) fn batch_from_json(b: BatchJson, limits: &Limits) -> Result<Txn, ApiError> {
    if b.ops.len() > limits.max_ops {
        return Err(too_many(b.ops.len(), limits.max_ops, "the batch"));
    }
    let mut success = Vec::with_capacity(b.ops.len());
    for (i, op) in b.ops.into_iter().enumerate() {
        if matches!(op, OpJson::Get(_)) {
            return Err(ApiError::bad_request(
                "invalid_argument",
                format!("ops[{i}]: a batch only puts and deletes"),
            ));
        }
        success.push(op_from_json(op, limits, &format!("ops[{i}]"))?);
    }
    Ok(Txn {
        success,
        ..Default::default()
    })
}

pub(crate) fn txn_response_json(r: &TxnResponse, now_ms: u64) -> Value {
    let results: Vec<Value> = r
        .results
        .iter()
        .map(|res| match res {
            OpResult::Put { revision } => json!({ "put": { "revision": revision } }),
            OpResult::Get { item } => {
                json!({ "get": item.as_ref().map(|(k, rec)| item_json(k, rec, now_ms, false)) })
            }
            OpResult::Delete { deleted } => json!({ "delete": { "deleted": deleted } }),
            OpResult::DeletePrefix { deleted } => {
                json!({ "delete_prefix": { "deleted": deleted } })
            }
        })
        .collect();
    json!({ "succeeded": r.succeeded, "revision": r.revision, "results": results })
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
        txn_from_json(parse_json(body.as_bytes())?, &limits())
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
