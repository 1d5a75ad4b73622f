//! The audit log: one JSON line per mutating request (any method but GET)
//! and per denied request (401, 403, 429), appended to `--audit-log`
//! (default `audit.log` in the data directory). A line holds the time, the
//! token id, the remote address, the method and path (the key is in the
//! path), the prefix of a prefix operation, the status and the node that
//! relayed the request, if one did. Never a secret, never a value: tokens
//! are named by their public id, bodies are not read.
//!
//! A request a follower relays is logged by both nodes (the leader's line
//! names the follower in `forwarded_by`). Lines are written, not fsynced:
//! a power cut can lose the last ones.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Mutex;

use axum::extract::Request;
use axum::http::StatusCode;
use serde::Serialize;

/// The open audit log. Writing fails only into the node's own log.
pub(crate) struct AuditLog {
    file: Mutex<File>,
}

/// One line, before its outcome is known.
#[derive(Serialize)]
pub(crate) struct Line {
    time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remote: Option<String>,
    method: String,
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    forwarded_by: Option<String>,
    status: u16,
    outcome: &'static str,
}

/// What an audit line needs of a request, kept cheaply (the URI and a
/// header value are reference-counted) while the request itself is handled.
pub(crate) struct Seen {
    /// When the request arrived: the line's time.
    at: std::time::SystemTime,
    method: axum::http::Method,
    uri: axum::http::Uri,
    forwarded_by: Option<axum::http::HeaderValue>,
}

impl Seen {
    pub(crate) fn of(req: &Request) -> Seen {
        Seen {
            at: std::time::SystemTime::now(),
            method: req.method().clone(),
            uri: req.uri().clone(),
            forwarded_by: req.headers().get(concord_core::api::headers::FORWARDED).cloned(),
        }
    }

    pub(crate) fn method(&self) -> &axum::http::Method {
        &self.method
    }

    /// Reads that copy everything (`GET /v1/snapshot`) are logged as a
    /// write would be.
    pub(crate) fn copies_everything(&self) -> bool {
        self.uri.path() == "/v1/snapshot"
    }

    /// The line, once the caller is known.
    pub(crate) fn line(&self, token_id: Option<&str>, remote: Option<SocketAddr>) -> Line {
        let prefix = self.uri.query().and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("prefix="))
                .map(|p| percent_encoding::percent_decode_str(p).decode_utf8_lossy().into_owned())
        });
        Line {
            time: humantime::format_rfc3339_millis(self.at).to_string(),
            token_id: token_id.map(str::to_string),
            remote: remote.map(|r| r.to_string()),
            method: self.method.to_string(),
            path: redacted(self.uri.path()),
            prefix,
            forwarded_by: self
                .forwarded_by
                .as_ref()
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            status: 0,
            outcome: "",
        }
    }
}

impl Line {
    pub(crate) fn of(req: &Request, token_id: Option<&str>, remote: Option<SocketAddr>) -> Line {
        Seen::of(req).line(token_id, remote)
    }
}

/// The path, but whatever stands where a token id belongs is written only
/// if it looks like one (`root` or 16 hex digits): a secret pasted there by
/// mistake (any root token) is not written down.
fn redacted(path: &str) -> String {
    match path.strip_prefix("/v1/tokens/") {
        Some(id) if !concord_core::auth::looks_like_id(id) && id != "bootstrap" => "/v1/tokens/(not a token id)".into(),
        _ => path.to_string(),
    }
}

impl AuditLog {
    pub(crate) fn open(path: &Path) -> std::io::Result<AuditLog> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        // The file's directory entry survives a power cut (its lines are
        // written, not fsynced, one by one).
        concord_core::store::sync_parent_dir(path)?;
        Ok(AuditLog { file: Mutex::new(file) })
    }

    /// Writes `line` with the answer's status.
    pub(crate) fn write(&self, mut line: Line, status: StatusCode) {
        line.status = status.as_u16();
        line.outcome = match status.as_u16() {
            401 | 403 | 429 => "denied",
            s if s < 400 => "ok",
            _ => "error",
        };
        let Ok(mut text) = serde_json::to_vec(&line) else {
            return;
        };
        text.push(b'\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(e) = file.write_all(&text) {
            tracing::error!(error = %e, "writing the audit log failed");
        }
    }

    /// A request refused before it had a caller.
    pub(crate) fn record(&self, req: &Request, token_id: Option<&str>, remote: Option<SocketAddr>, status: StatusCode) {
        self.write(Line::of(req, token_id, remote), status);
    }
}
