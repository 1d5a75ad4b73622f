//! `GET /v1/watch`: its query, and the events of its Server-Sent Events
//! stream (each event's `data` is one of these as JSON).
//!
//! The stream's events, by SSE event name:
//! - `put` and `delete`: a [`WatchEvent`]. The last event of each revision
//!   carries `id: REVISION`, so `Last-Event-ID` (and a client that resumes
//!   from the last `id` it saw) never resumes in the middle of a revision.
//! - `progress`: a [`WatchProgress`] (and `id:`), when the stream starts and
//!   every few seconds while it is idle: every change up to its revision
//!   has been sent.
//! - `lagged`, `compacted`, `unauthorized` and `error`: a [`WatchEnd`], and
//!   the stream ends.

use serde::{Deserialize, Serialize};

use super::Item;
use crate::store::{EventKind, StoredEvent};

/// Query of `GET /v1/watch`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WatchParams {
    /// Follow this key (or give `prefix`).
    pub key: Option<String>,
    /// Follow every key starting with this (`prefix=` for all keys).
    pub prefix: Option<String>,
    /// Send every change committed after this revision (default: the
    /// node's last applied revision, i.e. changes from now on). A header
    /// `Last-Event-ID: N` means the same.
    pub start_revision: Option<u64>,
    /// Also send each change's previous record (`prev_kv`).
    pub prev_kv: Option<bool>,
}

/// One change to a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WatchEvent {
    /// `put` or `delete`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The key's create revision (0 for a delete).
    pub create_revision: u64,
    /// A delete caused by the key's TTL running out.
    pub expired: bool,
    pub key: String,
    /// The key's mod revision: the change's revision (for a delete too).
    pub mod_revision: u64,
    /// The key before the change, with `prev_kv=true` when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev_kv: Option<Item>,
    /// With `prev_kv=true`: the key had a previous record, left out because
    /// the change's previous values passed 4 MiB (a large prefix delete).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prev_kv_omitted: bool,
    /// The revision of the change.
    pub revision: u64,
    /// The new value as text when it is UTF-8; `null` for a delete.
    pub value: Option<String>,
    /// The new value in base64 when it is not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_base64: Option<String>,
    /// Writes since the key's creation (0 for a delete).
    pub version: u64,
}

impl WatchEvent {
    /// The API form of a stored event at `revision`, seen at `now_ms`.
    pub fn new(revision: u64, ev: StoredEvent, prev_kv: bool, now_ms: u64) -> WatchEvent {
        let prev_kv_omitted = prev_kv && ev.prev_omitted;
        let prev_kv = ev
            .prev
            .filter(|_| prev_kv)
            .map(|p| Item::new(ev.key.clone(), p, now_ms, false));
        let (kind, expired) = match ev.kind {
            EventKind::Put => ("put", false),
            EventKind::Delete => ("delete", false),
            EventKind::Expire => ("delete", true),
        };
        let (value, value_base64, create_revision, version) = match ev.record {
            Some(r) => {
                let item = Item::new(String::new(), r, now_ms, false);
                (item.value, item.value_base64, item.create_revision, item.version)
            }
            None => (None, None, 0, 0),
        };
        WatchEvent {
            kind: kind.into(),
            create_revision,
            expired,
            key: ev.key,
            mod_revision: revision,
            prev_kv,
            prev_kv_omitted,
            revision,
            value,
            value_base64,
            version,
        }
    }

    /// The value's bytes (empty for a delete).
    pub fn value_bytes(&self) -> Vec<u8> {
        let item = Item {
            value: self.value.clone(),
            value_base64: self.value_base64.clone(),
            ..Item::default()
        };
        item.value_bytes().unwrap_or_default()
    }
}

/// `progress`: every change up to `revision` has been sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WatchProgress {
    pub revision: u64,
}

/// `lagged` or `compacted`: the stream ends; resume from `revision` (for
/// `compacted`, the oldest revision the history still has).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WatchEnd {
    pub message: String,
    pub revision: u64,
}
