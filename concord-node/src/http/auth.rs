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
use concord_core::api::{
    headers, Code, CreateTokenRequest, CreatedToken, ErrorBody, ReadParams, RevokedToken, TokenInfo, TokenList,
};
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

/// Failed authentications per remote address, in one-minute windows. Once
/// an address has `--max-auth-failures` in its window, every request from
/// it gets 429 until the window ends (a guess is not even checked).
#[derive(Default)]
pub(crate) struct Failures(Mutex<HashMap<IpAddr, (Instant, u32)>>);

const WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered at most; past it, windows that ended are dropped.
const MAX_ADDRESSES: usize = 100_000;

/// The unit counted: an IPv4 address, or an IPv6 /64 (one host usually
/// has a whole /64).
fn unit(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
    }
}

impl Failures {
    fn over(&self, ip: IpAddr, max: u32) -> bool {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&unit(ip))
            .is_some_and(|(start, n)| start.elapsed() < WINDOW && *n >= max)
    }

    fn forgive(&self, ip: IpAddr) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = map.get_mut(&unit(ip)) {
            entry.1 = entry.1.saturating_sub(1);
        }
    }

    fn record(&self, ip: IpAddr) {
        let ip = unit(ip);
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ADDRESSES {
            map.retain(|_, (start, _)| start.elapsed() < WINDOW);
        }
        if map.len() >= MAX_ADDRESSES && !map.contains_key(&ip) {
            // Full of live windows: the oldest goes, never the whole table.
            if let Some(oldest) = map.iter().min_by_key(|(_, (start, _))| *start).map(|(k, _)| *k) {
                map.remove(&oldest);
            }
        }
        let entry = map.entry(ip).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= WINDOW {
            *entry = (Instant::now(), 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }
}

impl Node {
    /// Is auth on here: by this node's `--auth`, as the cluster said when
    /// this node joined, or as replicated?
    pub(crate) fn auth_on(&self) -> Result<bool, ApiError> {
        Ok(self.config.auth || self.joined_with_auth || self.reader.auth_on())
    }

    /// The record of the token presented, if it matches one: the record of
    /// the id it claims, else the root record (a root token from
    /// `CONCORD_ROOT_TOKEN` may look like anything).
    fn lookup(&self, token: &str) -> Result<Option<TokenRecord>, ApiError> {
        let read = |id: &str| self.reader.token(id).map_err(|e| ApiError::read("reading tokens", e));
        let claimed = auth::claimed_id(token);
        if let Some(r) = read(claimed)?.filter(|r| auth::matches(r, token)) {
            return Ok(Some(r));
        }
        if claimed == auth::ROOT_ID {
            return Ok(None);
        }
        Ok(read(auth::ROOT_ID)?.filter(|r| auth::matches(r, token)))
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

/// The outcome of authenticating a request.
enum Authn {
    Caller(Caller),
    /// The token matches no record here (it may be new: ask the leader).
    Unknown(ApiError),
    Refused(ApiError),
}

/// The middleware in front of every client route (see the module doc).
///
/// A token this node does not know is not refused at once by a follower:
/// the request is relayed to the leader, which has applied every token
/// creation it acknowledged, so a new token works on every member at once;
/// an unknown or revoked one gets the leader's 401.
/// Probes (`/health`, `/ready`) and `/metrics` never reach it (see
/// `http::front_door`).
pub(crate) async fn guard(node: &Arc<Node>, mut req: Request, next: Next) -> Response {
    let remote = req.extensions().get::<Remote>().map(|r| r.0);
    let relayed = relayed_by_member(node, req.headers());
    let ip = remote.map(|r| r.ip()).filter(|_| !relayed);
    let caller = match caller_of(node, req.method(), req.headers(), req.uri().path(), ip) {
        Authn::Caller(caller) => caller,
        Authn::Refused(e) => {
            let resp = e.into_response();
            node.audit.record(&req, None, remote, resp.status());
            if !relayed {
                failed_authentication(node, remote, &route_of(&req), resp.status());
            }
            return resp;
        }
        Authn::Unknown(e) => {
            // Counted as a failure before it is relayed (concurrent guesses
            // cannot outrun the limit), forgiven if the leader knew it.
            if let Some(ip) = ip {
                node.auth_failures.record(ip);
            }
            let line = crate::audit::Line::of(&req, None, remote);
            let route = route_of(&req);
            let resp = crate::http::forward::forward_or(node, req, |_| async { e.into_response() }).await;
            if !relayed {
                failed_authentication(node, remote, &route, resp.status());
            }
            if resp.status() != axum::http::StatusCode::UNAUTHORIZED {
                if let Some(ip) = ip {
                    node.auth_failures.forgive(ip);
                }
            }
            node.audit.write(line, resp.status());
            return resp;
        }
    };
    req.extensions_mut().insert(caller.clone());
    // The line is made only for what is logged: a read is logged only if
    // it was denied.
    let seen = crate::audit::Seen::of(&req);
    let resp = next.run(req).await;
    let denied = matches!(resp.status().as_u16(), 401 | 403 | 429);
    if seen.method() != Method::GET || denied || seen.copies_everything() {
        node.audit.write(seen.line(caller.id(), remote), resp.status());
    }
    resp
}

/// Counts and logs a request refused as unauthenticated (401): the remote
/// address and path only, never the token.
fn failed_authentication(
    node: &Node,
    remote: Option<std::net::SocketAddr>,
    route: &str,
    status: axum::http::StatusCode,
) {
    if status == axum::http::StatusCode::UNAUTHORIZED {
        node.prom.auth_failure(remote, route);
    }
}

/// The method and route template of a request (never the key in its path).
fn route_of(req: &Request) -> String {
    match req.extensions().get::<axum::extract::MatchedPath>() {
        Some(path) => format!("{} {}", req.method(), path.as_str()),
        None => "unmatched".into(),
    }
}

/// Was the request relayed by a member (it carries `Concord-Forwarded`
/// and the cluster secret as `Concord-Relay-Proof`)? Then the member has
/// counted the client's failures, and its own address is not limited here.
fn relayed_by_member(node: &Node, headers: &HeaderMap) -> bool {
    let Some(secret) = &node.config.cluster_secret else {
        return false;
    };
    let Some(proof) = headers.get(headers::RELAY_PROOF).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    headers.contains_key(headers::FORWARDED) && secret.matches(proof)
}

/// Authenticates a request; `ip` is the address failures are counted
/// against (`None`: not counted here).
fn caller_of(node: &Node, method: &Method, headers: &HeaderMap, path: &str, ip: Option<IpAddr>) -> Authn {
    match node.auth_on() {
        Err(e) => return Authn::Refused(e),
        Ok(false) => return Authn::Caller(Caller::Open),
        Ok(true) if OPEN_PATHS.contains(&path) => return Authn::Caller(Caller::Open),
        Ok(true) => {}
    }
    let max = node.config.max_auth_failures;
    if ip.is_some_and(|ip| node.auth_failures.over(ip, max)) {
        return Authn::Refused(ApiError::new(
            Code::TooManyAuthFailures,
            format!("more than {max} failed authentications from this address in a minute; wait and retry"),
        ));
    }
    let joining = method == Method::POST && path == "/v1/cluster/members";
    if joining
        && node.config.cluster_secret.is_some()
        && check_cluster_secret(node.config.cluster_secret.as_ref(), headers).is_ok()
    {
        return Authn::Caller(Caller::Member);
    }
    let Some(token) = bearer(headers) else {
        return Authn::Refused(ApiError::new(
            Code::Unauthenticated,
            "auth is on: send a token as `Authorization: Bearer <token>` (the CLI reads CONCORD_TOKEN or --token-file)",
        ));
    };
    let failed = |e: ApiError| {
        if let Some(ip) = ip {
            node.auth_failures.record(ip);
        }
        Authn::Refused(e)
    };
    match node.lookup(token) {
        Err(e) => Authn::Refused(e),
        Ok(Some(record)) if record.expires_at_ms.is_some_and(|at| now_ms() >= at) => failed(ApiError::new(
            Code::Unauthenticated,
            format!("token {} has expired", record.id),
        )),
        Ok(Some(record)) => Authn::Caller(Caller::Token(record)),
        Ok(None) => {
            let unknown = ApiError::new(Code::Unauthenticated, "unknown or revoked token");
            let leads = node.leader().is_some_and(|(id, _)| id == node.id);
            // Only a generated token (`concord_<id>_...`) can be one this
            // node has not applied yet; anything else is refused here,
            // never relayed.
            let generated = token.starts_with(auth::TOKEN_PREFIX);
            if leads || !generated || headers.contains_key(headers::FORWARDED) {
                failed(unknown)
            } else {
                Authn::Unknown(unknown)
            }
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
    if secret.matches(given.to_str().unwrap_or("")) {
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
/// [`CreatedToken`], secret included, this once.
#[utoipa::path(
    post, path = "/v1/tokens", tag = "tokens",
    summary = "Create a token",
    description = "The secret is in the answer only; the cluster keeps its digest. Needs `admin`.",
    request_body(content = CreateTokenRequest, content_type = "application/json"),
    responses((status = 200, description = "Created", body = CreatedToken), (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`; the code names the cause and fixes the HTTP status (README, \"HTTP API\")", body = ErrorBody))
)]
pub(crate) async fn create(
    State(node): State<Arc<Node>>,
    caller: Caller,
    body: axum::body::Body,
) -> Result<Json<CreatedToken>, ApiError> {
    caller.require(Need::Admin)?;
    let body = read_body(&node, body, 64 * 1024, Code::RequestTooLarge).await?;
    let req: CreateTokenRequest = parse_json(&body.bytes)?;
    let (record, secret) = mint(auth::new_id(), &req)?;
    let info = TokenInfo::of(&record);
    match propose(&node, AuthOp::Create { token: record }).await? {
        AuthOutcome::Created { .. } => Ok(Json(info.with_secret(secret))),
        AuthOutcome::NotAllowed { reason } => Err(ApiError::new(Code::Conflict, reason)),
        other => Err(ApiError::internal(format!("unexpected outcome {other:?}"))),
    }
}

/// `GET /v1/tokens` (admin): every token's metadata, never a secret.
/// `?consistency=stale` lists this member's own table (linearizable, on the
/// leader, by default).
#[utoipa::path(
    get, path = "/v1/tokens", tag = "tokens",
    summary = "List tokens",
    description = "Ids, permissions and prefixes; never secrets. Needs `admin`.",
    params(ReadParams),
    responses((status = 200, description = "The tokens", body = TokenList), (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`; the code names the cause and fixes the HTTP status (README, \"HTTP API\")", body = ErrorBody))
)]
pub(crate) async fn list(
    State(node): State<Arc<Node>>,
    caller: Caller,
    params: Result<axum::extract::Query<concord_core::api::ReadParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<TokenList>, ApiError> {
    caller.require(Need::Admin)?;
    let params = crate::http::query(params)?;
    node.read_barrier(params.consistency.unwrap_or_default()).await?;
    let tokens = node.reader.tokens().map_err(|e| ApiError::read("reading tokens", e))?;
    Ok(Json(TokenList {
        tokens: tokens.iter().map(TokenInfo::of).collect(),
    }))
}

/// `DELETE /v1/tokens/{id}` (admin): revokes the token on every member as
/// each applies it.
#[utoipa::path(
    delete, path = "/v1/tokens/{id}", tag = "tokens",
    summary = "Revoke a token",
    description = "Needs `admin`.",
    params(("id" = String, Path, description = "The token's id")),
    responses((status = 200, description = "Revoked", body = RevokedToken), (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`; the code names the cause and fixes the HTTP status (README, \"HTTP API\")", body = ErrorBody))
)]
pub(crate) async fn revoke(
    State(node): State<Arc<Node>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<RevokedToken>, ApiError> {
    caller.require(Need::Admin)?;
    match propose(&node, AuthOp::Revoke { id }).await? {
        AuthOutcome::Revoked { id } => Ok(Json(RevokedToken { id, revoked: true })),
        AuthOutcome::Unknown { id } => Err(ApiError::not_found(format!("no token has id {id:?}"))),
        AuthOutcome::NotAllowed { reason } => Err(ApiError::new(Code::Conflict, reason)),
        other => Err(ApiError::internal(format!("unexpected outcome {other:?}"))),
    }
}

/// `POST /v1/tokens/bootstrap` (open): creates the root token, an
/// unscoped admin, once per cluster; 409 `conflict` after that, or while
/// auth is off. Its answer is the only place the root secret appears.
#[utoipa::path(
    post, path = "/v1/tokens/bootstrap", tag = "tokens",
    summary = "Create the root token and turn auth on",
    description = "Once per cluster, with no token; refused (409) once auth is on.",
    responses((status = 200, description = "The root token", body = CreatedToken), (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`; the code names the cause and fixes the HTTP status (README, \"HTTP API\")", body = ErrorBody))
)]
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

/// Why this node is not ready yet, auth-wise: a node started with `--auth`
/// is ready once the cluster has applied auth being on, and the root token
/// from its `CONCORD_ROOT_TOKEN` if it has one (until then it could
/// refuse that very token).
pub(crate) fn not_ready(node: &Node) -> Option<&'static str> {
    if !node.config.auth {
        return None;
    }
    match node.reader.auth_state() {
        Ok(s) if !s.enabled => Some("auth is not on in the cluster yet"),
        Ok(s) if node.config.root_token.is_some() && !s.bootstrapped => Some("the root token is not in place yet"),
        Ok(_) => None,
        Err(_) => Some("the auth state cannot be read"),
    }
}

/// Proposes turning auth on (with `root` if no root token exists yet).
pub(crate) async fn enable(node: &Node, root: Option<TokenRecord>) -> Result<(), ApiError> {
    let with_root = root.is_some();
    propose(node, AuthOp::Enable { root }).await?;
    tracing::info!(root_token = with_root, "auth is on for the cluster");
    Ok(())
}

/// Makes sure a cluster with a member started with `--auth` has auth on,
/// and the root token from that member's `CONCORD_ROOT_TOKEN` if none
/// exists: proposed here on the leader, asked of the leader (over the peer
/// port, with the cluster secret) on any other member. Called by every
/// member's maintainer.
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
    let Some((leader, _)) = node.leader() else {
        return Ok(());
    };
    if leader == node.id {
        return enable(node, root).await;
    }
    let (_, members) = node.members();
    let Some(peer) = members.get(&leader).map(|m| m.peer_url.clone()) else {
        return Ok(());
    };
    let body = concord_core::codec::encode(&root).map_err(|e| ApiError::internal(e.to_string()))?;
    let url = format!("{}{}", peer.trim_end_matches('/'), crate::peer::wire::path::ENABLE_AUTH);
    let answer = node
        .http
        .post(&url)
        .header(crate::peer::wire::CLUSTER_ID_HEADER, &*node.cluster_id)
        .header(crate::peer::wire::FROM_NODE_HEADER, node.id)
        .body(body)
        .timeout(node.config.request_timeout)
        .send()
        .await
        .map_err(|e| ApiError::unavailable(format!("asking the leader to turn auth on: {e}")))?;
    let bytes = answer
        .bytes()
        .await
        .map_err(|e| ApiError::unavailable(format!("asking the leader to turn auth on: {e}")))?;
    let result: Result<(), String> = concord_core::codec::decode(&bytes)
        .map_err(|e| ApiError::unavailable(format!("the leader's answer to turning auth on: {e}")))?;
    result.map_err(ApiError::unavailable)
}
