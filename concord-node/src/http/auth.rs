//! Who is calling, and may they. [`guard`] runs on every request of the
//! client listener: it authenticates the bearer token (401
//! `unauthenticated`), limits failed attempts per remote address (429
//! `too_many_auth_failures`), hands the handler a [`Caller`], and writes
//! the audit line once the answer is known. Each handler then says what it
//! needs ([`Caller::require`] with a [`Need`]); the decision is
//! `concord_core::auth::authorize`, the one authorisation function.
//!
//! Auth is on when this node was started with `--auth` or the replicated
//! state says so. `/health` and `/ready` are always open, and so is
//! `POST /v1/tokens/bootstrap`, which works once per cluster.
//!
//! Also here: the token endpoints, and the cluster-secret check of joins.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use concord_core::api::{headers, Code, CreateTokenRequest, CreatedToken, RevokedToken, TokenInfo, TokenList};
use concord_core::auth::{self, AuthOp, AuthOutcome, Need, Permission, TokenRecord};
use concord_core::CommandResponse;

use crate::http::body::read_body;
use crate::http::error::ApiError;
use crate::http::txn::{parse_json, parse_ttl};
use crate::node::{now_ms, Node};
use crate::serve::Remote;

/// The paths that need no token, ever.
const OPEN_PATHS: &[&str] = &["/health", "/ready", "/v1/tokens/bootstrap"];

/// The authenticated caller of a request: `Open` when auth is off (or the
/// route is open).
#[derive(Debug, Clone)]
pub(crate) enum Caller {
    Open,
    Token(TokenRecord),
    /// A node proving the cluster secret on `POST /v1/cluster/members` (a
    /// join): it may add a member and nothing else.
    Member,
}

impl Caller {
    /// 403 `forbidden` unless the caller may do what `need` says.
    pub(crate) fn require(&self, need: Need<'_>) -> Result<(), ApiError> {
        match self {
            Caller::Open => Ok(()),
            Caller::Member => match need {
                Need::Admin | Need::Token => Ok(()),
                _ => Err(ApiError::new(
                    Code::Forbidden,
                    "the cluster secret only lets a node join",
                )),
            },
            Caller::Token(token) => {
                auth::authorize(token, &need).map_err(|denied| ApiError::new(Code::Forbidden, denied.0))
            }
        }
    }

    fn id(&self) -> Option<&str> {
        match self {
            Caller::Open => None,
            Caller::Member => Some("(cluster member)"),
            Caller::Token(t) => Some(&t.id),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| ApiError::internal("no caller: the route is not behind the auth guard"))
    }
}

/// Failed authentications per remote address, in one-minute windows.
#[derive(Default)]
pub(crate) struct Failures(Mutex<HashMap<IpAddr, (Instant, u32)>>);

const WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered at most; past it, windows that ended are dropped.
const MAX_ADDRESSES: usize = 100_000;

impl Failures {
    fn over(&self, ip: IpAddr, max: u32) -> bool {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&ip)
            .is_some_and(|(start, n)| start.elapsed() < WINDOW && *n >= max)
    }

    fn record(&self, ip: IpAddr) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ADDRESSES {
            map.retain(|_, (start, _)| start.elapsed() < WINDOW);
        }
        if map.len() >= MAX_ADDRESSES {
            map.clear();
        }
        let entry = map.entry(ip).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= WINDOW {
            *entry = (Instant::now(), 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }
}

impl Node {
    /// Is auth on here: by this node's `--auth`, or as replicated?
    pub(crate) fn auth_on(&self) -> Result<bool, ApiError> {
        if self.config.auth {
            return Ok(true);
        }
        let state = self
            .reader
            .auth_state()
            .map_err(|e| ApiError::internal(format!("reading the auth state: {e}")))?;
        Ok(state.enabled)
    }

    /// The live record of the token presented, if it is one.
    fn lookup(&self, token: &str) -> Result<Option<TokenRecord>, ApiError> {
        let record = self
            .reader
            .token(auth::claimed_id(token))
            .map_err(|e| ApiError::internal(format!("reading tokens: {e}")))?;
        Ok(record.filter(|r| auth::matches(r, token)))
    }

    /// Authenticates `token`. A follower that does not know it yet catches
    /// up with the leader first (ReadIndex), so a token works on every
    /// member as soon as its creation was acknowledged.
    async fn authenticate(&self, token: &str) -> Result<TokenRecord, ApiError> {
        let mut record = self.lookup(token)?;
        let leads = self.leader().is_some_and(|(id, _)| id == self.id);
        if record.is_none() && !leads {
            self.linearize().await?;
            record = self.lookup(token)?;
        }
        let record = record.ok_or_else(|| ApiError::new(Code::Unauthenticated, "unknown or revoked token"))?;
        if record.expires_at_ms.is_some_and(|at| now_ms() >= at) {
            return Err(ApiError::new(
                Code::Unauthenticated,
                format!("token {} has expired", record.id),
            ));
        }
        Ok(record)
    }
}

/// The bearer token of a request, if any.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The middleware in front of every client route (see the module doc).
pub(crate) async fn guard(State(node): State<Arc<Node>>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if matches!(path.as_str(), "/health" | "/ready") {
        return next.run(req).await;
    }
    let remote = req.extensions().get::<Remote>().map(|r| r.0);
    let method = req.method().clone();
    let caller = match caller_of(&node, req.method(), req.headers(), &path, remote).await {
        Ok(caller) => caller,
        Err(e) => {
            let resp = e.into_response();
            node.audit.record(&req, None, remote, resp.status());
            return resp;
        }
    };
    req.extensions_mut().insert(caller.clone());
    let audit_line = crate::audit::Line::of(&req, caller.id(), remote);
    let resp = next.run(req).await;
    let denied = resp.status().as_u16() == 401 || resp.status().as_u16() == 403;
    if method != Method::GET || denied {
        node.audit.write(audit_line, resp.status());
    }
    resp
}

async fn caller_of(
    node: &Node,
    method: &Method,
    headers: &HeaderMap,
    path: &str,
    remote: Option<std::net::SocketAddr>,
) -> Result<Caller, ApiError> {
    if !node.auth_on()? || OPEN_PATHS.contains(&path) {
        return Ok(Caller::Open);
    }
    let ip = remote.map(|r| r.ip());
    let max = node.config.max_auth_failures;
    if ip.is_some_and(|ip| node.auth_failures.over(ip, max)) {
        return Err(ApiError::new(
            Code::TooManyAuthFailures,
            format!("more than {max} failed authentications from this address in a minute; wait and retry"),
        ));
    }
    let joining = method == Method::POST && path == "/v1/cluster/members";
    if joining
        && node.config.cluster_secret.is_some()
        && check_cluster_secret(node.config.cluster_secret.as_ref(), headers).is_ok()
    {
        return Ok(Caller::Member);
    }
    let Some(token) = bearer(headers) else {
        return Err(ApiError::new(
            Code::Unauthenticated,
            "auth is on: send a token as `Authorization: Bearer <token>` (the CLI reads CONCORD_TOKEN or --token-file)",
        ));
    };
    match node.authenticate(token).await {
        Ok(record) => Ok(Caller::Token(record)),
        Err(e) => {
            if e.code == Code::Unauthenticated {
                if let Some(ip) = ip {
                    node.auth_failures.record(ip);
                }
            }
            Err(e)
        }
    }
}

/// Does the request carry the cluster secret (when one is set)? Joins and
/// every peer call must.
pub(crate) fn check_cluster_secret(
    ours: Option<&concord_core::auth::Secret>,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    let Some(secret) = ours else {
        return Ok(());
    };
    let Some(given) = headers.get(headers::CLUSTER_SECRET) else {
        return Err(ApiError::new(Code::Unauthenticated, "the cluster secret is missing"));
    };
    use subtle::ConstantTimeEq;
    let ok = auth::digest(secret.expose()).ct_eq(&auth::digest(given.to_str().unwrap_or("")));
    if bool::from(ok) {
        Ok(())
    } else {
        Err(ApiError::new(Code::Forbidden, "wrong cluster secret"))
    }
}

/// A new token record and its secret.
fn mint(id: String, req: &CreateTokenRequest) -> Result<(TokenRecord, String), ApiError> {
    if req.permissions.is_empty() {
        return Err(ApiError::invalid(
            "permissions must name at least one of read, write, admin",
        ));
    }
    if req.prefixes.len() > auth::MAX_TOKEN_PREFIXES {
        return Err(ApiError::invalid(format!(
            "at most {} prefixes per token",
            auth::MAX_TOKEN_PREFIXES
        )));
    }
    for p in &req.prefixes {
        if p.is_empty() || p.len() > concord_core::limits::MAX_KEY_BYTES {
            return Err(ApiError::invalid(format!(
                "prefix {p:?} must be 1 to {} bytes (no prefix at all means every key)",
                concord_core::limits::MAX_KEY_BYTES
            )));
        }
    }
    let description = req.description.clone().unwrap_or_default();
    if description.len() > auth::MAX_TOKEN_DESCRIPTION {
        return Err(ApiError::invalid(format!(
            "description must be at most {} bytes",
            auth::MAX_TOKEN_DESCRIPTION
        )));
    }
    let now = now_ms();
    let expires_at_ms = match &req.ttl {
        Some(ttl) => Some(now.saturating_add(parse_ttl(ttl)?.as_millis() as u64)),
        None => None,
    };
    let secret = auth::new_secret(&id);
    let record = TokenRecord {
        digest: auth::digest(&secret),
        id,
        permissions: req.permissions.iter().copied().collect(),
        prefixes: req.prefixes.clone(),
        expires_at_ms,
        description,
        created_at_ms: now,
    };
    Ok((record, secret))
}

async fn propose(node: &Node, op: AuthOp) -> Result<AuthOutcome, ApiError> {
    match node.write(concord_core::Op::Auth(op), None).await? {
        CommandResponse::Auth(outcome) => Ok(outcome),
        other => Err(ApiError::internal(format!("unexpected outcome {other:?}"))),
    }
}

/// `POST /v1/tokens` (admin): a [`CreateTokenRequest`], answered with the
/// [`CreatedToken`], secret included, this once. A token limited to
/// prefixes can only create tokens limited to prefixes inside its own.
pub(crate) async fn create(
    State(node): State<Arc<Node>>,
    caller: Caller,
    body: axum::body::Body,
) -> Result<Json<CreatedToken>, ApiError> {
    caller.require(Need::Admin)?;
    let body = read_body(&node, body, 64 * 1024, Code::RequestTooLarge).await?;
    let req: CreateTokenRequest = parse_json(&body.bytes)?;
    if let Caller::Token(own) = &caller {
        if !own.prefixes.is_empty() {
            let inside = |p: &String| own.prefixes.iter().any(|o| p.starts_with(o.as_str()));
            if req.prefixes.is_empty() || !req.prefixes.iter().all(inside) {
                return Err(ApiError::new(
                    Code::Forbidden,
                    format!("token {} may create tokens only under {:?}", own.id, own.prefixes),
                ));
            }
        }
    }
    let (record, secret) = mint(auth::new_id(), &req)?;
    let info = TokenInfo::of(&record);
    match propose(&node, AuthOp::Create { token: record }).await? {
        AuthOutcome::Created { .. } => Ok(Json(info.with_secret(secret))),
        AuthOutcome::NotAllowed { reason } => Err(ApiError::new(Code::Conflict, reason)),
        other => Err(ApiError::internal(format!("unexpected outcome {other:?}"))),
    }
}

/// `GET /v1/tokens` (admin): every token's metadata, never a secret.
pub(crate) async fn list(State(node): State<Arc<Node>>, caller: Caller) -> Result<Json<TokenList>, ApiError> {
    caller.require(Need::Admin)?;
    node.linearize().await?;
    let tokens = node
        .reader
        .tokens()
        .map_err(|e| ApiError::internal(format!("reading tokens: {e}")))?;
    Ok(Json(TokenList {
        tokens: tokens.iter().map(TokenInfo::of).collect(),
    }))
}

/// `DELETE /v1/tokens/{id}` (admin): revokes the token on every member as
/// each applies it.
pub(crate) async fn revoke(
    State(node): State<Arc<Node>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<RevokedToken>, ApiError> {
    caller.require(Need::Admin)?;
    match propose(&node, AuthOp::Revoke { id }).await? {
        AuthOutcome::Revoked { id } => Ok(Json(RevokedToken { id, revoked: true })),
        AuthOutcome::Unknown { id } => Err(ApiError::not_found(format!("no token has id {id:?}"))),
        other => Err(ApiError::internal(format!("unexpected outcome {other:?}"))),
    }
}

/// `POST /v1/tokens/bootstrap` (open): creates the root token, an
/// unscoped admin, once per cluster; 409 `conflict` after that, or while
/// auth is off. Its answer is the only place the root secret appears.
pub(crate) async fn bootstrap(State(node): State<Arc<Node>>) -> Result<Json<CreatedToken>, ApiError> {
    let req = CreateTokenRequest {
        description: Some("root token (concord token bootstrap)".into()),
        permissions: vec![Permission::Admin],
        prefixes: Vec::new(),
        ttl: None,
    };
    let (record, secret) = mint(auth::ROOT_ID.into(), &req)?;
    let info = TokenInfo::of(&record);
    match propose(&node, AuthOp::Bootstrap { root: record }).await? {
        AuthOutcome::Created { .. } => Ok(Json(info.with_secret(secret))),
        AuthOutcome::NotAllowed { reason } => Err(ApiError::new(Code::Conflict, reason)),
        other => Err(ApiError::internal(format!("unexpected outcome {other:?}"))),
    }
}

/// The root token record for `CONCORD_ROOT_TOKEN`.
pub(crate) fn root_record(secret: &str) -> TokenRecord {
    TokenRecord {
        id: auth::ROOT_ID.into(),
        digest: auth::digest(secret),
        permissions: [Permission::Admin].into_iter().collect(),
        prefixes: Vec::new(),
        expires_at_ms: None,
        description: "root token (CONCORD_ROOT_TOKEN)".into(),
        created_at_ms: now_ms(),
    }
}

/// Turns auth on through Raft if this node has `--auth` and the cluster
/// does not yet, with the root token from `CONCORD_ROOT_TOKEN` if given
/// and none exists. Called by the leader's maintainer.
pub(crate) async fn ensure_enabled(node: &Node) -> Result<(), ApiError> {
    if !node.config.auth {
        return Ok(());
    }
    let state = node
        .reader
        .auth_state()
        .map_err(|e| ApiError::internal(format!("reading the auth state: {e}")))?;
    let give_root = node.config.root_token.is_some() && !state.bootstrapped;
    if state.enabled && !give_root {
        return Ok(());
    }
    let root = node
        .config
        .root_token
        .as_ref()
        .filter(|_| give_root)
        .map(|s| root_record(s.expose()));
    propose(node, AuthOp::Enable { root }).await?;
    tracing::info!(root_token = give_root, "auth is on for the cluster");
    Ok(())
}
