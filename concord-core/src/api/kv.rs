//! The key-value endpoints' types: items, single-key answers, listings,
//! transactions, batches, exports and the digest, and their query
//! parameters.
//!
//! Request bodies keep the names the node's parser had before these types
//! existed (`rename = "TxnJson"`, ...): serde names the struct in its
//! messages (`expected struct TxnJson`), which clients see in 400 answers.

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::KvRecord;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// How a read is served.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Consistency {
    /// ReadIndex through the leader: sees every write acknowledged before it.
    #[default]
    Linearizable,
    /// This node's state as it is: fast, possibly behind.
    Stale,
}

impl Consistency {
    /// The spelling of `consistency=` in a query string.
    pub fn as_str(self) -> &'static str {
        match self {
            Consistency::Linearizable => "linearizable",
            Consistency::Stale => "stale",
        }
    }
}

/// How `GET /v1/kv/{key}` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ValueFormat {
    /// The value's bytes, revisions in `Concord-*` headers (the default).
    Raw,
    /// The [`Item`] as JSON.
    Json,
}

/// A key as JSON: its value as text when it is UTF-8, else as base64.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Item {
    pub create_revision: u64,
    pub key: String,
    pub mod_revision: u64,
    /// Export lines only: `ttl_remaining` as a duration (`"30s"`), which an
    /// import gives back as the key's TTL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
    /// Whole seconds left until the key expires, rounded up; `null`: never.
    pub ttl_remaining: Option<u64>,
    /// The value, when it is UTF-8 (absent with `keys_only`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The value in base64, when it is not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_base64: Option<String>,
    pub version: u64,
}

impl Item {
    /// `record` of `key` as seen at `now_ms`; without its value if
    /// `keys_only`. The value is moved, not copied, when it is UTF-8.
    pub fn new(key: String, record: KvRecord, now_ms: u64, keys_only: bool) -> Item {
        let (value, value_base64) = if keys_only {
            (None, None)
        } else {
            match String::from_utf8(record.value) {
                Ok(text) => (Some(text), None),
                Err(e) => (None, Some(B64.encode(e.as_bytes()))),
            }
        };
        Item {
            create_revision: record.create_revision,
            key,
            mod_revision: record.mod_revision,
            ttl: None,
            ttl_remaining: record.expires_at_ms.map(|t| t.saturating_sub(now_ms).div_ceil(1000)),
            value,
            value_base64,
            version: record.version,
        }
    }

    /// The value's bytes (`None`: neither `value` nor valid `value_base64`).
    pub fn value_bytes(&self) -> Option<Vec<u8>> {
        match (&self.value, &self.value_base64) {
            (Some(text), _) => Some(text.as_bytes().to_vec()),
            (None, Some(b64)) => B64.decode(b64.as_bytes()).ok(),
            (None, None) => None,
        }
    }
}

/// Query of `GET /v1/kv/{key}`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReadParams {
    pub consistency: Option<Consistency>,
    /// `json`: the item as JSON instead of the raw value.
    pub format: Option<ValueFormat>,
}

/// Query of `PUT /v1/kv/{key}`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WriteParams {
    /// Compare-and-set: the expected mod revision; 0 means "must not exist".
    pub if_revision: Option<u64>,
    /// Write only if the key does not exist.
    pub if_absent: Option<bool>,
    /// Expire the key this long after the write commits (`30s`, `5m`).
    pub ttl: Option<String>,
}

/// Query of `DELETE /v1/kv/{key}`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeleteParams {
    pub if_revision: Option<u64>,
}

/// Query of `GET /v1/kv` (a listing).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    pub prefix: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub limit: Option<usize>,
    pub keys_only: Option<bool>,
    pub consistency: Option<Consistency>,
}

/// Query of `DELETE /v1/kv` (a prefix delete).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PrefixParams {
    pub prefix: Option<String>,
}

/// Query of `GET /v1/export`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    pub prefix: Option<String>,
    pub consistency: Option<Consistency>,
}

/// The query of `GET /v1/snapshot`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SnapshotParams {
    pub consistency: Option<Consistency>,
}

/// The answer to `PUT /v1/kv/{key}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PutResponse {
    pub revision: u64,
}

/// The answer to `DELETE /v1/kv/{key}` and `DELETE /v1/kv?prefix=`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DeleteResponse {
    pub deleted: u64,
    pub revision: u64,
}

/// A page of `GET /v1/kv`; pass `next` as `start` for the following page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ListResponse {
    pub items: Vec<Item>,
    pub more: bool,
    pub next: Option<String>,
}

/// A put inside a transaction or batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename = "PutJson")]
pub struct PutRequest {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_base64: Option<String>,
    /// A duration (`30s`); the node's `--default-ttl` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
}

/// A get or delete inside a transaction or batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename = "KeyJson")]
pub struct KeyRequest {
    pub key: String,
}

/// A prefix delete inside a transaction or batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename = "PrefixJson")]
pub struct PrefixRequest {
    pub prefix: String,
}

/// One operation: `{"put": {...}}`, `{"get": {"key"}}`, `{"delete":
/// {"key"}}` or `{"delete_prefix": {"prefix"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case", rename = "OpJson")]
pub enum OpRequest {
    Put(PutRequest),
    Get(KeyRequest),
    Delete(KeyRequest),
    DeletePrefix(PrefixRequest),
}

/// One precondition of a transaction: exactly one of the targets, and `op`
/// (`=`, `!=`, `<`, `>`; `=` when absent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename = "CompareJson")]
pub struct CompareRequest {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_base64: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mod_revision: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_revision: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exists: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<String>,
}

/// The body of `POST /v1/txn`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename = "TxnJson")]
pub struct TxnRequest {
    #[serde(default)]
    pub compare: Vec<CompareRequest>,
    #[serde(default)]
    pub success: Vec<OpRequest>,
    #[serde(default)]
    pub failure: Vec<OpRequest>,
}

/// The result of one operation of a transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OpOutcome {
    Put {
        revision: u64,
    },
    /// The item, or `null` when the key does not exist.
    Get(Option<Item>),
    Delete {
        deleted: u64,
    },
    DeletePrefix {
        deleted: u64,
    },
}

/// The answer to `POST /v1/txn`: the results of the branch that ran.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TxnResult {
    pub results: Vec<OpOutcome>,
    pub revision: u64,
    pub succeeded: bool,
}

/// The body of `POST /v1/kv/batch`: puts and deletes, applied atomically.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename = "BatchJson")]
pub struct BatchRequest {
    pub ops: Vec<OpRequest>,
}

/// The answer to `POST /v1/kv/batch`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct BatchResponse {
    pub count: u64,
    pub revision: u64,
}

/// The answer to `GET /v1/debug/digest`: a SHA-256 over every stored key
/// and record at `revision`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DigestResponse {
    pub digest: String,
    pub keys: u64,
    pub revision: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(value: &[u8], expires_at_ms: Option<u64>) -> KvRecord {
        KvRecord {
            value: value.to_vec(),
            create_revision: 3,
            mod_revision: 5,
            version: 2,
            expires_at_ms,
        }
    }

    #[test]
    fn items_are_written_as_they_always_were() {
        let item = Item::new("k".into(), record(b"v", Some(10_001)), 0, false);
        assert_eq!(
            serde_json::to_string(&item).unwrap(),
            r#"{"create_revision":3,"key":"k","mod_revision":5,"ttl_remaining":11,"value":"v","version":2}"#
        );
        let binary = Item::new("b".into(), record(&[0xff, 0], None), 1, false);
        assert_eq!(
            serde_json::to_string(&binary).unwrap(),
            r#"{"create_revision":3,"key":"b","mod_revision":5,"ttl_remaining":null,"value_base64":"/wA=","version":2}"#
        );
        assert_eq!(binary.value_bytes(), Some(vec![0xff, 0]));
        let keys_only = Item::new("k".into(), record(b"v", None), 1, true);
        assert_eq!(keys_only.value, None);
        assert_eq!(keys_only.value_base64, None);
    }

    #[test]
    fn outcomes_are_tagged_by_operation() {
        let r = TxnResult {
            results: vec![
                OpOutcome::Put { revision: 7 },
                OpOutcome::Get(None),
                OpOutcome::DeletePrefix { deleted: 2 },
            ],
            revision: 7,
            succeeded: true,
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"results":[{"put":{"revision":7}},{"get":null},{"delete_prefix":{"deleted":2}}],"revision":7,"succeeded":true}"#
        );
    }
}
