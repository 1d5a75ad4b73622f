//! Transparent forwarding: a follower proxies writes, linearizable reads and
//! membership changes to the leader's client URL, so any member can be used
//! as an endpoint. Which requests go is decided by the router (the route
//! groups of `http/mod.rs` carry [`to_leader`] or [`unless_stale`] as a
//! route layer), never by a list of paths here. A forwarded request
//! carries `Concord-Forwarded` and is never forwarded twice; when no leader
//! is known the local handler answers (with `not_leader`, which clients
//! retry).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use concord_core::api::headers::{FORWARDED, RELAY_PROOF};
use concord_core::api::Code;

use crate::http::body::collect_body;
use crate::http::error::ApiError;
use crate::node::Node;

/// The client that relays requests to the leader: hyper's, so the request
/// line carries the client's path exactly (an `http::Uri`, never re-parsed
/// as a URL, which would collapse `..` segments), and answers stream back.
pub(crate) type RelayClient = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    Body,
>;

/// Pooled connections are dropped after half the leader's idle cut-off
/// (`--client-read-timeout`, the same on every member in practice), so a
/// request is never sent on a connection the leader is closing.
/// `tls` is the node's outgoing configuration (see `tls.rs`), for
/// `https://` leader URLs.
pub(crate) fn relay_client(leader_idle: std::time::Duration, tls: rustls::ClientConfig) -> RelayClient {
    let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
    connector.set_connect_timeout(Some(std::time::Duration::from_secs(2)));
    connector.set_nodelay(true);
    connector.enforce_http(false);
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .wrap_connector(connector);
    hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .pool_idle_timeout((leader_idle / 2).min(std::time::Duration::from_secs(15)))
        .build(connector)
}

/// The layer of routes only the leader serves: relays the request to it.
pub(crate) async fn to_leader(State(node): State<Arc<Node>>, req: Request, next: Next) -> Response {
    forward(&node, req, next).await
}

/// The layer of reads: relayed to the leader unless `consistency=stale`
/// (a linearizable read needs the leader's ReadIndex).
pub(crate) async fn unless_stale(State(node): State<Arc<Node>>, req: Request, next: Next) -> Response {
    if is_stale(req.uri()) || crate::faults::broken_linearizable_reads() {
        return next.run(req).await;
    }
    forward(&node, req, next).await
}

/// Does the request ask for `consistency=stale`?
pub(crate) fn is_stale(uri: &Uri) -> bool {
    uri.query()
        .is_some_and(|q| q.split('&').any(|kv| kv == "consistency=stale"))
}

/// `Concord-Forwarded` only stops a second hop: a request that carries it
/// is answered here, not relayed again. It grants nothing else; every check
/// and limit applies to it as to any request (a client may set it too).
async fn forward(node: &Node, req: Request, next: Next) -> Response {
    forward_or(node, req, |req| next.run(req)).await
}

/// Relays `req` to the leader; `local` answers it instead when this node
/// leads, no leader URL is known, the request was relayed once already, or
/// the leader could not be reached.
pub(crate) async fn forward_or<F, Fut>(node: &Node, req: Request, local: F) -> Response
where
    F: FnOnce(Request) -> Fut,
    Fut: std::future::Future<Output = Response>,
{
    if req.headers().contains_key(FORWARDED) {
        return local(req).await;
    }
    let Some((leader, Some(url))) = node.leader().filter(|(id, _)| *id != node.id) else {
        return local(req).await;
    };
    let (parts, body) = req.into_parts();
    // The leader enforces the real limits; this only bounds what we buffer:
    // a PUT carries a value, every other body is a JSON request.
    let (limit, code) = if parts.method == Method::PUT {
        (node.config.max_value_size, Code::ValueTooLarge)
    } else {
        (node.config.max_request_size, Code::RequestTooLarge)
    };
    let limit = limit + 1024 * 1024;
    let body = match collect_body(node, body, limit).await {
        Ok(b) => b,
        Err(e) => {
            let too_large = || ApiError::new(code, format!("request body is larger than {limit} bytes"));
            return e.into_api(too_large).into_response();
        }
    };
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
    match relay(
        node,
        parts.method.clone(),
        &url,
        &path,
        &parts.headers,
        body.bytes.clone(),
    )
    .await
    {
        Ok(resp) => resp,
        // The request never reached the old leader: answer here, which gives
        // the client `not_leader` (or serves it, if this node now leads).
        Err(Relay::NotSent(e)) => {
            tracing::debug!(leader, error = %e, "leader unreachable; answering locally");
            local(Request::from_parts(parts, Body::from(body.bytes))).await
        }
        Err(Relay::Failed(e)) => e.into_response(),
    }
}

/// Why relaying to the leader failed.
pub(crate) enum Relay {
    /// The connection could not be made: nothing reached the leader.
    NotSent(String),
    /// The request may have reached the leader: its outcome is unknown.
    Failed(ApiError),
}

impl From<Relay> for ApiError {
    fn from(r: Relay) -> Self {
        match r {
            Relay::NotSent(e) => ApiError::unavailable(format!("cannot reach the leader: {e}")),
            Relay::Failed(e) => e,
        }
    }
}

/// Sends one request to the leader and passes its answer (status, content
/// type, `Concord-*` headers, and the body as it streams) through unchanged.
/// `path_and_query` goes on the request line byte for byte.
pub(crate) async fn relay(
    node: &Node,
    method: Method,
    leader_url: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Relay> {
    // Once a write was sent, a broken connection says nothing about whether
    // the leader applied it: its outcome is unknown, not "unavailable".
    let writes = method != Method::GET;
    let uri: Uri = format!("{leader_url}{path_and_query}")
        .parse()
        .map_err(|e| Relay::Failed(ApiError::internal(format!("the leader's URL {leader_url:?}: {e}"))))?;
    let mut out = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header(FORWARDED, node.id.to_string());
    for (name, value) in headers {
        let n = name.as_str();
        let own = n == FORWARDED || n == RELAY_PROOF;
        if n == "content-type" || n == "authorization" || (n.starts_with("concord-") && !own) {
            out = out.header(name, value);
        }
    }
    // The leader counts failed authentications per address; a relay proves
    // it is a member, so the leader leaves the counting to it.
    // Not over plain HTTP when the peers use TLS: the secret would cross
    // the wire in the clear where it otherwise never does.
    let plain_leg = !leader_url.starts_with("https://") && node.config.tls.peer();
    if let Some(value) = node.secret_header.as_ref().filter(|_| !plain_leg) {
        out = out.header(RELAY_PROOF, value.clone());
    }
    let out = out
        .body(Body::from(body))
        .map_err(|e| Relay::Failed(ApiError::internal(e.to_string())))?;
    let wait = node.config.request_timeout + std::time::Duration::from_secs(1);
    let resp = match tokio::time::timeout(wait, node.relay.request(out)).await {
        Err(_) => {
            return Err(Relay::Failed(ApiError::timeout(format!(
                "the leader at {leader_url} did not answer in time"
            ))))
        }
        Ok(Err(e)) if e.is_connect() => return Err(Relay::NotSent(e.to_string())),
        Ok(Err(e)) if writes => {
            return Err(Relay::Failed(ApiError::outcome_unknown(format!(
                "lost the leader at {leader_url} after sending the request ({e}); it may or may not have been applied"
            ))))
        }
        Ok(Err(e)) => {
            return Err(Relay::Failed(ApiError::unavailable(format!(
                "lost the leader at {leader_url}: {e}"
            ))))
        }
        Ok(Ok(resp)) => resp,
    };
    let (parts, incoming) = resp.into_parts();
    let mut builder = Response::builder().status(parts.status);
    for (name, value) in &parts.headers {
        let n = name.as_str();
        if n == "content-type" || n.starts_with("concord-") {
            builder = builder.header(name, value);
        }
    }
    builder
        .body(Body::new(incoming))
        .map_err(|e| Relay::Failed(ApiError::internal(e.to_string())))
}
