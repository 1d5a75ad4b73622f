//! The checks every client request passes before anything else, in the
//! outermost middleware, whichever node it reaches and however it got there
//! (`Concord-Forwarded` grants nothing here):
//!
//! - **Paths mean what they say.** A path with a `.` or `..` segment or a
//!   backslash, raw or percent-encoded, is refused (400): URL libraries
//!   collapse such segments, so the same bytes would name another key, or
//!   another endpoint, on another hop. Keys obey the same rule
//!   (`concord_core::limits::validate_key`).
//! - **No cross-site writes.** A `POST` to any route must say
//!   `Content-Type: application/json` (415 otherwise; [`json_posts`], a
//!   route layer over the whole router, so a new route cannot miss it). Browsers send a cross-site `POST`
//!   without a preflight only with a "simple" content type, and our other
//!   writes use `PUT` and `DELETE`, which always need a preflight; the node
//!   answers no CORS preflight, so no web page can write to a node.
//! - **No DNS rebinding.** A request that arrives on a loopback address
//!   (a listener on 127.0.0.1, or one on `0.0.0.0`/`::` reached through
//!   loopback) must carry a `Host` that is an IP address, `localhost`, the
//!   advertised URL's host, or one of `--allowed-hosts` (403
//!   `host_not_allowed` otherwise): a page whose own name resolves to
//!   127.0.0.1 cannot read or write through the visitor's browser. The peer
//!   listener checks the same way (with the advertised peer URL), so such a
//!   page cannot forge Raft RPCs either. Requests from other addresses are
//!   not checked (service names, load balancers).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;

use crate::http::error::ApiError;
use crate::node::Node;
use crate::{NodeConfig, NodeError};
use concord_core::api::Code;

/// The peer listener's `Host` check (its other requests carry postcard
/// bodies and a cluster-id header; see `peer.rs`).
pub(crate) async fn peer_middleware(State(node): State<Arc<Node>>, req: Request, next: Next) -> Response {
    if let (Some(allowed), true) = (&node.allowed_peer_hosts, crate::serve::arrived_on_loopback(&req)) {
        if let Err(e) = check_host(&req, allowed) {
            return e.into_response();
        }
    }
    next.run(req).await
}

/// The checks of the module doc but the `POST` one (see `http::front_door`).
pub(crate) fn check(node: &Node, req: &Request) -> Result<(), ApiError> {
    check_path(req.uri().path())?;
    if let (Some(allowed), true) = (&node.allowed_hosts, crate::serve::arrived_on_loopback(req)) {
        check_host(req, allowed)?;
    }
    Ok(())
}

/// Every route that takes a `POST` takes JSON: a route layer over the whole
/// client router (it runs once a route matched, before the relay to the
/// leader; unknown paths and wrong methods are answered 404/405 as before).
pub(crate) async fn json_posts(req: Request, next: Next) -> Response {
    if req.method() == Method::POST {
        if let Err(e) = check_json(&req) {
            return e.into_response();
        }
    }
    next.run(req).await
}

/// Refuses `.` and `..` segments and backslashes, in any encoding.
pub(crate) fn check_path(path: &str) -> Result<(), ApiError> {
    let decoded: Vec<u8> = percent_encoding::percent_decode_str(path).collect();
    let bad = decoded.contains(&b'\\') || decoded.split(|b| *b == b'/').any(|seg| seg == b"." || seg == b"..");
    if !bad {
        return Ok(());
    }
    let code = if path.starts_with("/v1/kv/") {
        Code::InvalidKey
    } else {
        Code::InvalidArgument
    };
    Err(ApiError::new(
        code,
        "the path has a `.` or `..` segment or a backslash (possibly percent-encoded); keys and paths may \
         not, since URL libraries rewrite them",
    ))
}

fn check_json(req: &Request) -> Result<(), ApiError> {
    let essence = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    if essence.as_deref() == Some("application/json") {
        return Ok(());
    }
    Err(ApiError::new(
        Code::UnsupportedMediaType,
        "POST requests must have `Content-Type: application/json` (even with an empty body)",
    ))
}

/// The host part of a `Host` header or URI authority, lowercased, without
/// port or IPv6 brackets.
fn host_name(authority: &str) -> String {
    let host = if let Some(rest) = authority.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

fn check_host(req: &Request, allowed: &[String]) -> Result<(), ApiError> {
    let given = match req.headers().get(header::HOST) {
        Some(v) => v.to_str().ok().map(host_name),
        None => req.uri().authority().map(|a| host_name(a.as_str())),
    };
    // No Host at all (HTTP/1.0) is no browser's request.
    let Some(given) = given else {
        if req.headers().contains_key(header::HOST) {
            return Err(host_refused("(not text)"));
        }
        return Ok(());
    };
    // DNS rebinding needs a name: an address is never one a page controls.
    if allowed.contains(&given) || given.parse::<std::net::IpAddr>().is_ok() {
        return Ok(());
    }
    Err(host_refused(&given))
}

fn host_refused(given: &str) -> ApiError {
    ApiError::new(
        Code::HostNotAllowed,
        format!(
            "Host {given:?} is not a name of this node; a node listening on loopback serves only its own \
             names (a defence against DNS rebinding). Add names with --allowed-hosts"
        ),
    )
}

/// The `Host` names (besides IP addresses) a request arriving on loopback
/// may carry; `None` when the listener cannot be reached on loopback (a
/// specific other address) or `--allowed-hosts` has `*`.
pub(crate) fn allowed_hosts(
    config: &NodeConfig,
    listener: &TcpListener,
    advertised: &str,
) -> Result<Option<Vec<String>>, NodeError> {
    let ip = listener.local_addr()?.ip();
    let checked = ip.is_loopback() || ip.is_unspecified();
    if !checked || config.allowed_hosts.iter().any(|h| h.trim() == "*") {
        return Ok(None);
    }
    let mut names: Vec<String> = vec!["localhost".into()];
    if let Some(rest) = advertised.split_once("://").map(|(_, r)| r) {
        names.push(host_name(rest.split('/').next().unwrap_or("")));
    }
    names.extend(config.allowed_hosts.iter().map(|h| host_name(h.trim())));
    names.retain(|n| !n.is_empty());
    names.sort();
    names.dedup();
    Ok(Some(names))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_segments_are_refused_in_every_encoding() {
        for bad in [
            "/v1/kv/../cluster/members/3",
            "/v1/kv/%2e%2e/cluster/members/3",
            "/v1/kv/%2E%2e/x",
            "/v1/kv/a/.%2e/b",
            "/v1/kv/a/%2e/b",
            "/v1/kv/a/.",
            "/v1/kv/a%5cb",
            "/v1/kv/a\\b",
            "/v1/cluster/../kv/a",
            "/v1/kv/a%2f..%2fb",
        ] {
            let e = check_path(bad).unwrap_err();
            assert_eq!(e.status, axum::http::StatusCode::BAD_REQUEST, "{bad}");
        }
        assert_eq!(check_path("/v1/kv/%2e%2e/x").unwrap_err().code, "invalid_key");
        assert_eq!(check_path("/v1/cluster/../x").unwrap_err().code, "invalid_argument");
        for good in [
            "/v1/kv/a.b/c..d/.e",
            "/v1/kv/...",
            "/v1/kv/a%2Eb",
            "/v1/kv",
            "/health",
            "/v1/kv/a//b",
        ] {
            assert!(check_path(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn host_names_lose_port_and_brackets() {
        assert_eq!(host_name("127.0.0.1:7379"), "127.0.0.1");
        assert_eq!(host_name("[::1]:7379"), "::1");
        assert_eq!(host_name("LocalHost."), "localhost");
        assert_eq!(host_name("evil.example:80"), "evil.example");
        assert_eq!(host_name("evil.example"), "evil.example");
    }
}
