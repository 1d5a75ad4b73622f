//! The public client API (axum, JSON errors, `concord_core::api` types).
//! Handlers validate input, call Raft through [`Node`], and translate
//! results into HTTP; they hold no state of their own.
//!
//! The router decides what a request needs: routes that only the leader
//! may serve sit in [`leader_routes`], reads that the leader serves unless
//! `consistency=stale` in [`read_routes`], each group behind its forwarding
//! layer, so a new route put in a group cannot skip it.

pub(crate) mod auth;
pub(crate) mod body;
pub(crate) mod cluster;
pub(crate) mod error;
pub(crate) mod forward;
pub(crate) mod front;
pub(crate) mod kv;
pub(crate) mod openapi;
pub(crate) mod txn;
pub(crate) mod watch;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRef, Query, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use concord_core::api::{headers, Code, Health, ProbeCheck, ProbeReport, Ready};

use crate::http::error::ApiError;
use crate::node::Node;
use crate::serve;

/// Every route of the client listener, in three groups.
pub(crate) fn router(node: Arc<Node>) -> Router {
    assemble(
        local_routes(),
        read_routes().route_layer(axum::middleware::from_fn_with_state(
            node.clone(),
            forward::unless_stale,
        )),
        leader_routes().route_layer(axum::middleware::from_fn_with_state(node.clone(), forward::to_leader)),
    )
    .layer(axum::middleware::from_fn_with_state(node.clone(), front_door))
    .with_state(node)
}

/// What every client request passes, in this order, as one layer (each
/// `from_fn` layer costs a boxed future and a service clone per request):
/// the path and `Host` checks ([`front`]), the in-flight limit
/// ([`shed_load`]), then authentication and the audit log
/// ([`auth::guard`]). Probes (`/health`, `/ready`) and `/metrics` take no permit and
/// need no token. Every answer is counted in `concord_requests_total`.
async fn front_door(
    State(node): State<Arc<Node>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    // Counted by method and route template, both from bounded sets: never
    // the raw path, nor a method the client made up (hyper accepts any).
    let started = std::time::Instant::now();
    let method = match *req.method() {
        Method::GET => "GET",
        Method::PUT => "PUT",
        Method::POST => "POST",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        _ => "OTHER",
    };
    let op = match req.extensions().get::<axum::extract::MatchedPath>() {
        Some(path) => format!("{method} {}", path.as_str()),
        None => "unmatched".to_string(),
    };
    let resp = admit(&node, req, next).await;
    node.prom.request(op, resp.status().as_u16(), started.elapsed());
    resp
}

async fn admit(node: &Arc<Node>, req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if let Err(e) = front::check(node, &req) {
        return e.into_response();
    }
    if matches!(req.uri().path(), "/health" | "/ready" | "/metrics" | "/v1/openapi.json") {
        return next.run(req).await;
    }
    let permit = if req.uri().path() == "/v1/watch" {
        watch_slot(node)
    } else {
        shed_load(node)
    };
    match permit {
        Ok(permit) => serve::hold_until_sent(auth::guard(node, req, next).await, permit),
        Err(refused) => refused.into_response(),
    }
}

/// The three groups, each already behind its forwarding layer, as one
/// router: `POST`s need JSON on every route ([`front::json_posts`]), and
/// unknown paths and wrong methods get the JSON 404 and 405.
fn assemble<S: Clone + Send + Sync + 'static>(local: Router<S>, reads: Router<S>, leader: Router<S>) -> Router<S> {
    Router::new()
        .merge(local)
        .merge(reads)
        .merge(leader)
        .route_layer(axum::middleware::from_fn(front::json_posts))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

/// Served by whichever node is asked: probes, this node's view of the
/// cluster, this node's own digest.
fn local_routes<S: Clone + Send + Sync + 'static>() -> Router<S>
where
    Arc<Node>: FromRef<S>,
{
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(crate::metrics::handler))
        .route("/v1/openapi.json", get(openapi::openapi_json))
        .route("/v1/debug/digest", get(kv::digest))
        .route("/v1/cluster/status", get(cluster::status))
        .route("/v1/cluster/members", get(cluster::members))
        .route("/v1/watch", get(watch::watch))
}

/// Reads: relayed to the leader (linearizable) unless `consistency=stale`.
fn read_routes<S: Clone + Send + Sync + 'static>() -> Router<S>
where
    Arc<Node>: FromRef<S>,
{
    Router::new()
        .route("/v1/kv", get(kv::list))
        .route("/v1/kv/", get(kv::get_key))
        .route("/v1/kv/batch", get(kv::get_key))
        .route("/v1/kv/{*key}", get(kv::get_key))
        .route("/v1/export", get(kv::export))
        .route("/v1/snapshot", get(kv::snapshot))
        .route("/v1/tokens", get(auth::list))
}

/// Writes and membership changes: always relayed to the leader.
fn leader_routes<S: Clone + Send + Sync + 'static>() -> Router<S>
where
    Arc<Node>: FromRef<S>,
{
    let routes = Router::new()
        .route("/v1/kv", delete(kv::delete_prefix))
        .route("/v1/kv/", put(kv::put_key).delete(kv::delete_key))
        .route("/v1/kv/batch", post(txn::batch).put(kv::put_key).delete(kv::delete_key))
        .route("/v1/kv/{*key}", put(kv::put_key).delete(kv::delete_key))
        .route("/v1/txn", post(txn::txn))
        .route("/v1/cluster/members", post(cluster::add_member))
        .route("/v1/cluster/members/{id}", delete(cluster::remove_member))
        .route("/v1/cluster/transfer-leader", post(cluster::transfer_leader))
        .route("/v1/tokens", post(auth::create))
        .route("/v1/tokens/bootstrap", post(auth::bootstrap))
        .route("/v1/tokens/{id}", delete(auth::revoke));
    // A route that exists only in test builds, so the end-to-end tests can
    // show that any route of this group is relayed without a word in
    // `forward.rs`: it answers with the id of the node that served it.
    #[cfg(feature = "failpoints")]
    let routes = routes.route("/v1/debug/served-by", post(served_by));
    routes
}

#[cfg(feature = "failpoints")]
async fn served_by(State(node): State<Arc<Node>>, caller: auth::Caller) -> Result<String, ApiError> {
    caller.require(concord_core::auth::Need::Token)?;
    Ok(node.id.to_string())
}

/// Admits at most `--max-concurrent-requests` client requests at once; the
/// rest get 503 `overloaded` at once, so memory stays bounded under floods.
/// The permit is held until the response body has been sent (an export or
/// a large listing streams after its handler returns). Probes (`/health`,
/// `/ready`) and `/metrics` take no permit: they are cheap (`/metrics` has
/// its own small limit), and a load balancer or a monitor must see a busy
/// node as alive.
fn shed_load(node: &Arc<Node>) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
    node.in_flight.clone().try_acquire_owned().map_err(|_| {
        ApiError::overloaded(format!(
            "more than {} requests in flight; retry shortly",
            node.config.max_concurrent_requests
        ))
    })
}

/// A watch holds its stream open as long as the watcher stays, so it takes
/// a permit of its own (`--max-watchers`), not one of
/// `--max-concurrent-requests`.
fn watch_slot(node: &Arc<Node>) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
    node.watchers.clone().try_acquire_owned().map_err(|_| {
        ApiError::overloaded(format!(
            "more than {} watches open on this node; retry shortly or watch through another member",
            node.config.max_watchers
        ))
    })
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(Code::NoRoute, format!("no such endpoint: {}", uri.path()))
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        Code::MethodNotAllowed,
        format!("{method} is not allowed on {}", uri.path()),
    )
}

/// `?verbose=true` on the probes.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ProbeParams {
    /// Answer with the node's view and each check.
    verbose: Option<bool>,
}

/// A node is caught up when it has applied all but this many of the
/// entries the cluster has committed (ten appends' worth: one append can
/// commit 1,024 entries at once).
const CAUGHT_UP_SLACK: u64 = 10_240;

/// `GET /health`: the process answers. `?verbose=true` adds the node's view.
#[utoipa::path(
    get, path = "/health", tag = "operations",
    summary = "Liveness",
    description = "200 while the process serves. No token needed.",
    params(ProbeParams),
    responses((status = 200, description = "Alive", body = openapi::HealthAnswer), (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`", body = concord_core::api::ErrorBody))
)]
async fn health(State(node): State<Arc<Node>>, params: Result<Query<ProbeParams>, QueryRejection>) -> Response {
    match query(params) {
        Ok(p) if p.verbose == Some(true) => Json(probe_report(&node, "ok", Vec::new(), None)).into_response(),
        Ok(_) => Json(Health {
            status: "ok".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        })
        .into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /ready`: the state machine has applied the log found at start-up,
/// auth is in place when asked for, a leader is known, and this node has
/// applied what the cluster committed (within [`CAUGHT_UP_SLACK`]) and is not
/// installing a snapshot. 503 `not_ready` otherwise, saying why;
/// `?verbose=true` answers every check either way.
#[utoipa::path(
    get, path = "/ready", tag = "operations",
    summary = "Readiness",
    description = "200 when the node knows a leader, has caught up and can serve; else 503 `not_ready` (with `verbose=true`, the report and its `error`). No token needed.",
    params(ProbeParams),
    responses((status = 200, description = "Ready", body = openapi::ReadyAnswer), (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`", body = concord_core::api::ErrorBody))
)]
async fn ready(State(node): State<Arc<Node>>, params: Result<Query<ProbeParams>, QueryRejection>) -> Response {
    let verbose = match query(params) {
        Ok(p) => p.verbose == Some(true),
        Err(e) => return e.into_response(),
    };
    let m = node.metrics();
    let applied = m.last_applied.map_or(0, |l| l.index());
    let committed = m.cluster_committed.or(m.local_committed).map_or(0, |l| l.index());
    let recovered = node.recovered.load(Ordering::Acquire);
    let auth = auth::not_ready(&node);
    let check = |name: &str, ok: bool, detail: String| ProbeCheck {
        name: name.into(),
        ok,
        detail,
    };
    let checks = vec![
        check(
            "recovered",
            recovered,
            if recovered {
                "the log found at start-up is applied".into()
            } else {
                "the state machine is still applying the log found at start-up".into()
            },
        ),
        check(
            "auth",
            auth.is_none(),
            auth.unwrap_or("in place or not asked for").into(),
        ),
        check(
            "leader_known",
            m.current_leader.is_some(),
            match m.current_leader {
                Some(id) => format!("node {id}"),
                None => "no leader is known yet".into(),
            },
        ),
        check(
            "caught_up",
            applied + CAUGHT_UP_SLACK >= committed && !node.reader.installing(),
            if node.reader.installing() {
                "installing a snapshot from the leader".into()
            } else {
                format!("applied {applied} of {committed} committed")
            },
        ),
    ];
    let failed = checks.iter().find(|c| !c.ok).map(|c| c.detail.clone());
    match (failed, verbose) {
        (None, false) => Json(Ready {
            id: node.id,
            leader_id: m.current_leader.unwrap_or_default(),
            status: "ready".into(),
        })
        .into_response(),
        (None, true) => Json(probe_report(&node, "ready", checks, None)).into_response(),
        (Some(why), false) => ApiError::new(Code::NotReady, why).into_response(),
        (Some(why), true) => {
            let error = concord_core::api::ErrorDetail::new(Code::NotReady, why);
            let report = probe_report(&node, "not_ready", checks, Some(error));
            (axum::http::StatusCode::SERVICE_UNAVAILABLE, Json(report)).into_response()
        }
    }
}

fn probe_report(
    node: &Node,
    status: &str,
    checks: Vec<ProbeCheck>,
    error: Option<concord_core::api::ErrorDetail>,
) -> ProbeReport {
    let m = node.metrics();
    ProbeReport {
        status: status.into(),
        id: node.id,
        role: crate::metrics::role_name(m.state).into(),
        term: m.current_term,
        leader_id: m.current_leader,
        commit_index: m.cluster_committed.or(m.local_committed).map_or(0, |l| l.index()),
        applied_index: m.last_applied.map_or(0, |l| l.index()),
        checks,
        error,
    }
}

/// The query parameters, or 400 `invalid_argument` saying what was wrong.
pub(crate) fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(t)| t).map_err(|e| ApiError::invalid(e.body_text()))
}

/// The `Concord-Request-Id` of a write, if any.
pub(crate) fn request_id(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get(headers::REQUEST_ID) else {
        return Ok(None);
    };
    let id = v
        .to_str()
        .ok()
        .filter(|s| !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| ApiError::invalid("Concord-Request-Id must be 1 to 128 printable ASCII characters"))?;
    Ok(Some(id.to_string()))
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::extract::Request;
    use axum::middleware::{from_fn, Next};
    use tower::ServiceExt;

    use super::*;

    /// A state with no node: the test's layers answer before any handler
    /// could ask for one.
    #[derive(Clone)]
    struct NoNode;

    impl FromRef<NoNode> for Arc<Node> {
        fn from_ref(_: &NoNode) -> Self {
            unreachable!("a handler ran in the routing test")
        }
    }

    /// Who serves `method target` (sent with `content_type`) as the router
    /// decides: each group's layer answers with its verdict (the read
    /// group's by the same stale test as `forward::unless_stale`) instead
    /// of relaying; a refusal answers with its error code.
    async fn answer(method: &str, target: &str, content_type: Option<&str>) -> String {
        let app = assemble(
            local_routes().route_layer(from_fn(|_: Request, _: Next| async { "local" })),
            read_routes().route_layer(from_fn(|req: Request, _: Next| async move {
                if forward::is_stale(req.uri()) {
                    "local"
                } else {
                    "leader"
                }
            })),
            leader_routes().route_layer(from_fn(|_: Request, _: Next| async { "leader" })),
        )
        .with_state(NoNode);
        let mut req = Request::builder().method(method).uri(target);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let resp = app.oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
        let body = axum::body::to_bytes(resp.into_body(), 64 * 1024).await.unwrap();
        match serde_json::from_slice::<concord_core::api::ErrorBody>(&body) {
            Ok(e) => e.error.code.as_str().to_string(),
            Err(_) => String::from_utf8(body.to_vec()).unwrap(),
        }
    }

    async fn served_by(method: &str, target: &str) -> String {
        answer(method, target, Some("application/json")).await
    }

    #[tokio::test]
    async fn which_requests_go_to_the_leader() {
        for (method, target, expected) in [
            ("PUT", "/v1/kv/a", "leader"),
            ("DELETE", "/v1/kv/a", "leader"),
            ("GET", "/v1/kv/a", "leader"),
            ("GET", "/v1/kv/a/b?consistency=linearizable", "leader"),
            ("GET", "/v1/kv/a?consistency=stale", "local"),
            ("PUT", "/v1/kv/", "leader"),
            ("GET", "/v1/kv/", "leader"),
            ("POST", "/v1/kv/batch", "leader"),
            ("PUT", "/v1/kv/batch", "leader"),
            ("GET", "/v1/kv/batch", "leader"),
            ("GET", "/v1/kv/batch?consistency=stale", "local"),
            ("GET", "/v1/kv?prefix=a", "leader"),
            ("GET", "/v1/kv?prefix=a&consistency=stale", "local"),
            ("DELETE", "/v1/kv?prefix=a", "leader"),
            ("POST", "/v1/txn", "leader"),
            ("GET", "/v1/export", "leader"),
            ("GET", "/v1/export?consistency=stale", "local"),
            ("GET", "/v1/debug/digest", "local"),
            ("GET", "/v1/cluster/status", "local"),
            ("GET", "/v1/cluster/members", "local"),
            ("GET", "/v1/watch?prefix=a", "local"),
            ("POST", "/v1/cluster/members", "leader"),
            ("DELETE", "/v1/cluster/members/3", "leader"),
            ("POST", "/v1/cluster/transfer-leader", "leader"),
            ("GET", "/health", "local"),
            ("GET", "/ready", "local"),
            ("GET", "/v1/nothing", "no_route"),
            ("GET", "/v1/txn", "method_not_allowed"),
            ("POST", "/v1/kv/a", "method_not_allowed"),
        ] {
            assert_eq!(served_by(method, target).await, expected, "{method} {target}");
        }
    }

    /// Every route that takes a `POST` takes JSON, refused before any relay;
    /// a wrong method or an unknown path without one is still 405/404.
    #[tokio::test]
    async fn every_post_needs_json() {
        for target in [
            "/v1/txn",
            "/v1/kv/batch",
            "/v1/cluster/members",
            "/v1/cluster/transfer-leader",
        ] {
            assert_eq!(answer("POST", target, None).await, "unsupported_media_type", "{target}");
            assert_eq!(
                answer("POST", target, Some("text/plain")).await,
                "unsupported_media_type",
                "{target}"
            );
            assert_eq!(
                answer("POST", target, Some("application/json; charset=utf-8")).await,
                "leader",
                "{target}"
            );
        }
        assert_eq!(answer("POST", "/v1/kv/a", None).await, "method_not_allowed");
        assert_eq!(answer("POST", "/v1/nothing", None).await, "no_route");
        assert_eq!(answer("PUT", "/v1/kv/a", None).await, "leader");
    }
}
