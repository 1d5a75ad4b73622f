//! The HTTP client every command but `node start` uses: endpoint failover,
//! vetted leader following, the `--timeout` deadline, progress-bounded
//! reading of answers, and the mapping of HTTP errors to exit codes.
//!
//! It must not print results (commands do) and must never send a request,
//! and so the token, to a URL that is neither one of `--endpoints` nor a
//! member's client URL listed by a configured endpoint.
//!
//! Time: `--timeout` bounds how long a request may take to *start* answering
//! (status line and headers), across every attempt on every endpoint. Bodies
//! are then read for as long as they make progress: only `--timeout` without
//! a byte fails them (`kv export` of a large store streams for minutes). The
//! blocking reqwest client cannot express that (its timeouts cover whole
//! bodies), so this module drives the async client on a small
//! current-thread runtime of its own.

use std::cell::RefCell;
use std::collections::HashSet;
use std::time::{Duration, Instant};

use bytes::Bytes;
use concord_core::api::{Code, ErrorBody, ErrorDetail};
use concord_core::auth::Secret;
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::{Client, Method, StatusCode, Url};
use serde::de::DeserializeOwned;

use crate::cli::{GlobalArgs, Source};
use crate::error::{CliError, Kind};
use crate::output::{escape_control, Format};

/// Validated client settings, resolved from [`GlobalArgs`] before any
/// network call.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub endpoints: Vec<String>,
    pub timeout: Duration,
    pub output: Format,
    token: Option<Secret>,
    /// `--cacert`'s certificates, PEM.
    cacert: Option<Vec<u8>>,
    /// `--cert` and `--key`, concatenated PEM.
    identity: Option<Vec<u8>>,
}

impl ClientConfig {
    pub fn resolve(args: &GlobalArgs) -> Result<Self, CliError> {
        // A context fills in what neither a flag nor the environment gave.
        let context = crate::contexts::selected(args.context.as_deref())?
            .map(|(_, c)| c)
            .unwrap_or_default();
        let unset = |source: Source| source == Source::Unset;
        let mut context = context;
        let context_endpoints = unset(args.sources.endpoints) && !context.endpoints.is_empty();
        // A context's token file and CA belong to its endpoints: never sent
        // to (nor trusted for) endpoints from a flag or the environment.
        if !context_endpoints && (context.token_file.is_some() || context.cacert.is_some()) {
            eprintln!(
                "warning: the endpoints are not the context's: its token file and CA are not used \
                 (give --token-file / --cacert for these endpoints)"
            );
            context.token_file = None;
            context.cacert = None;
        }
        let raw_endpoints = if context_endpoints {
            &context.endpoints
        } else {
            &args.endpoints
        };
        let mut endpoints = Vec::new();
        for raw in raw_endpoints {
            if let Some(url) = parse_endpoint(raw)? {
                endpoints.push(url);
            }
        }
        if endpoints.is_empty() {
            return Err(CliError::usage(
                "no endpoints given (--endpoints, CONCORD_ENDPOINTS or a context)",
            ));
        }
        let timeout = match &context.timeout {
            Some(t) if unset(args.sources.timeout) => humantime::parse_duration(t)
                .map_err(|e| CliError::usage(format!("the context's timeout {t:?}: {e}")))?,
            _ => args.timeout,
        };
        if timeout.is_zero() {
            return Err(CliError::usage("--timeout must be greater than zero"));
        }
        // --token-file (or CONCORD_TOKEN_FILE), then CONCORD_TOKEN, then the
        // context's token file.
        let read_token = |path: &std::path::Path| {
            std::fs::read_to_string(path)
                .map(|text| Some(Secret::new(text.trim())))
                .map_err(|e| CliError::usage(format!("reading token file {}: {e}", path.display())))
        };
        let env_token = std::env::var("CONCORD_TOKEN").ok().filter(|t| !t.is_empty());
        let token = match (&args.token_file, env_token, &context.token_file) {
            (Some(path), _, _) => read_token(path)?,
            (None, Some(token), _) => Some(Secret::new(token)),
            (None, None, Some(path)) => read_token(&crate::contexts::expand(path))?,
            (None, None, None) => None,
        };
        let cacert_path = args
            .cacert
            .clone()
            .or_else(|| context.cacert.as_deref().map(crate::contexts::expand));
        let read = |path: &std::path::Path, what: &str| {
            std::fs::read(path).map_err(|e| CliError::usage(format!("reading {what} {}: {e}", path.display())))
        };
        let cacert = cacert_path.as_deref().map(|p| read(p, "--cacert")).transpose()?;
        let identity = match (&args.cert, &args.key) {
            (Some(cert), Some(key)) => {
                let mut pem = read(cert, "--cert")?;
                pem.push(b'\n');
                pem.extend(read(key, "--key")?);
                Some(pem)
            }
            _ => None,
        };
        Ok(ClientConfig {
            endpoints,
            timeout,
            output: args.output,
            token,
            cacert,
            identity,
        })
    }
}

/// One `--endpoints` entry as a URL (`http://` when it has no scheme);
/// `None` for an empty entry.
pub fn parse_endpoint(raw: &str) -> Result<Option<String>, CliError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let url = if raw.contains("://") {
        raw.to_string()
    } else {
        format!("http://{raw}")
    };
    let parsed = reqwest::Url::parse(&url).map_err(|e| CliError::usage(format!("invalid endpoint {raw:?}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(CliError::usage(format!(
            "invalid endpoint {raw:?}: only http:// and https:// endpoints are supported"
        )));
    }
    Ok(Some(url.trim_end_matches('/').to_string()))
}

impl ClientConfig {
    /// An HTTP client builder with these settings' TLS trust and identity.
    /// No overall timeout: `send` bounds the wait for the head and
    /// `Answer::chunk` the progress of the body. No redirects: the API never
    /// sends one, and following it would reach a URL nobody vetted.
    pub fn http_builder(&self) -> Result<reqwest::ClientBuilder, CliError> {
        let mut builder = Client::builder()
            .connect_timeout(self.timeout.min(Duration::from_secs(2)))
            .redirect(reqwest::redirect::Policy::none());
        if let Some(pem) = &self.cacert {
            let certs =
                reqwest::Certificate::from_pem_bundle(pem).map_err(|e| CliError::usage(format!("--cacert: {e}")))?;
            if certs.is_empty() {
                return Err(CliError::usage("--cacert: no certificate in the file"));
            }
            builder = builder.tls_built_in_root_certs(false);
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if let Some(pem) = &self.identity {
            let identity =
                reqwest::Identity::from_pem(pem).map_err(|e| CliError::usage(format!("--cert/--key: {e}")))?;
            builder = builder.identity(identity);
        }
        Ok(builder)
    }

    /// The bearer token, if one was given.
    pub fn token(&self) -> Option<&Secret> {
        self.token.as_ref()
    }
}

/// Error codes that say "this node cannot serve it now; another may": the
/// request is tried on the next endpoint. Writes carry one request id for
/// every attempt, so retrying one elsewhere applies it at most once.
const TRY_ANOTHER_ENDPOINT: [Code; 4] = [Code::Overloaded, Code::Unavailable, Code::NotReady, Code::Timeout];

/// At most this much of an error answer is read.
const MAX_ERROR_BODY: usize = 1024 * 1024;

/// What a request carries.
#[derive(Debug, Clone, Default)]
pub enum Payload {
    #[default]
    Empty,
    /// A JSON document, sent with `Content-Type: application/json` (the
    /// node refuses a POST without it with 415).
    Json(Bytes),
    /// Bytes sent as they are: a value.
    Raw(Bytes),
}

impl Payload {
    /// A JSON payload from a request body.
    pub fn json<T: serde::Serialize>(value: &T) -> Result<Payload, CliError> {
        let bytes = serde_json::to_vec(value).map_err(|e| CliError::other(format!("encoding the request: {e}")))?;
        Ok(Payload::Json(Bytes::from(bytes)))
    }
}

pub struct ApiClient {
    config: ClientConfig,
    http: Client,
    /// Drives `http`; `None` only while dropping.
    runtime: Option<tokio::runtime::Runtime>,
    /// Client URLs of the members, as a configured endpoint listed them
    /// (`GET /v1/cluster/members`); fetched once, when a `not_leader` answer
    /// names a URL that is not one of `--endpoints`.
    members: RefCell<Option<Vec<String>>>,
    /// Leader URLs already warned about.
    warned: RefCell<HashSet<String>>,
}

impl Drop for ApiClient {
    fn drop(&mut self) {
        // A name lookup still running on the blocking pool (a DNS server
        // that does not answer) must not hold the process past its deadline.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Where a `not_leader` answer sends us.
#[derive(Debug, PartialEq, Eq)]
enum Leader {
    /// No leader named: wait and retry.
    Unknown,
    /// A trusted base URL (a configured endpoint or a member's client URL)
    /// with the scheme, host and port the answer named.
    Trusted(String),
    /// A URL we do not send requests to.
    Refused(String),
}

/// Sleeps between attempts: 100 ms, doubling up to 1 s, never past the
/// deadline.
#[derive(Debug)]
struct Backoff {
    next: Duration,
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(100);
    const MAX: Duration = Duration::from_secs(1);

    fn new() -> Self {
        Backoff { next: Self::FIRST }
    }

    /// The next pause, and grows the one after it.
    fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(Self::MAX);
        delay
    }

    fn pause(&mut self, deadline: Instant) {
        let delay = self
            .next_delay()
            .min(deadline.saturating_duration_since(Instant::now()));
        std::thread::sleep(delay);
    }
}

/// The endpoints one request goes through, in turn: a pause (growing)
/// after every whole rotation, and before going back to a known endpoint a
/// `not_leader` answer named (two nodes may name each other for a while).
#[derive(Debug)]
struct Rotation {
    targets: Vec<String>,
    at: usize,
    since_pause: usize,
    backoff: Backoff,
    deadline: Instant,
}

impl Rotation {
    fn new(targets: Vec<String>, deadline: Instant) -> Self {
        Rotation {
            targets,
            at: 0,
            since_pause: 0,
            backoff: Backoff::new(),
            deadline,
        }
    }

    fn current(&self) -> &str {
        &self.targets[self.at % self.targets.len()]
    }

    /// On to the next endpoint; pauses after a whole rotation.
    fn advance(&mut self) {
        self.at = (self.at + 1) % self.targets.len();
        self.since_pause += 1;
        if self.since_pause >= self.targets.len() {
            self.pause();
        }
    }

    /// To a trusted leader URL: at once if it is new, after a pause if it
    /// is already in the rotation.
    fn go_to(&mut self, leader: String) {
        match self.targets.iter().position(|t| *t == leader) {
            Some(at) => {
                self.at = at;
                self.pause();
            }
            None => {
                self.targets.push(leader);
                self.at = self.targets.len() - 1;
            }
        }
    }

    fn pause(&mut self) {
        self.since_pause = 0;
        self.backoff.pause(self.deadline);
    }
}

/// What [`Answer::piece`] got.
pub enum Piece {
    Data(Bytes),
    /// The stream ended.
    End,
    /// Ctrl-C (SIGINT) arrived.
    Interrupted,
}

/// One answer that started in time; its body is read with progress bounded
/// by `--timeout`.
pub struct Answer<'a> {
    client: &'a ApiClient,
    from: String,
    response: reqwest::Response,
}

impl Answer<'_> {
    /// The endpoint that answered.
    pub fn endpoint(&self) -> &str {
        &self.from
    }

    pub fn headers(&self) -> &HeaderMap {
        self.response.headers()
    }

    /// The next piece of the body, `None` at its end. Fails with exit 5 when
    /// nothing arrives for `--timeout`.
    pub fn chunk(&mut self) -> Result<Option<Bytes>, CliError> {
        let timeout = self.client.config.timeout;
        match self
            .client
            .block_on(async { tokio::time::timeout(timeout, self.response.chunk()).await })
        {
            Ok(Ok(chunk)) => Ok(chunk),
            Ok(Err(e)) => Err(CliError::new(
                Kind::Unavailable,
                format!("reading the answer of {}: {}", self.from, root_cause(&e)),
            )),
            Err(_) => Err(CliError::new(
                Kind::Unavailable,
                format!(
                    "{} sent nothing for {} in the middle of its answer",
                    self.from,
                    humantime::format_duration(timeout)
                ),
            )),
        }
    }

    /// The next piece of a stream that may stay quiet up to `idle` (a
    /// watch), or [`Piece::Interrupted`] as soon as `interrupt` fires.
    pub fn piece(&mut self, idle: Duration, interrupt: &mut tokio::signal::unix::Signal) -> Result<Piece, CliError> {
        let from = &self.from;
        let response = &mut self.response;
        self.client.block_on(async {
            tokio::select! {
                _ = interrupt.recv() => Ok(Piece::Interrupted),
                next = tokio::time::timeout(idle, response.chunk()) => match next {
                    Ok(Ok(Some(bytes))) => Ok(Piece::Data(bytes)),
                    Ok(Ok(None)) => Ok(Piece::End),
                    Ok(Err(e)) => Err(CliError::new(
                        Kind::Unavailable,
                        format!("reading the stream of {from}: {}", root_cause(&e)),
                    )),
                    Err(_) => Err(CliError::new(
                        Kind::Unavailable,
                        format!("{from} sent nothing for {}", humantime::format_duration(idle)),
                    )),
                },
            }
        })
    }

    /// The whole body (as long as it keeps arriving).
    pub fn bytes(self) -> Result<Bytes, CliError> {
        self.bytes_up_to(usize::MAX)
    }

    /// At most `limit` bytes of the body (a little more if the last piece
    /// overshoots).
    fn bytes_up_to(mut self, limit: usize) -> Result<Bytes, CliError> {
        let mut pieces: Vec<Bytes> = Vec::new();
        let mut len = 0;
        while len < limit {
            match self.chunk()? {
                Some(piece) => {
                    len += piece.len();
                    pieces.push(piece);
                }
                None => break,
            }
        }
        Ok(match pieces.len() {
            0 => Bytes::new(),
            1 => pieces.swap_remove(0),
            _ => Bytes::from(pieces.concat()),
        })
    }

    /// The body as JSON.
    pub fn json<T: DeserializeOwned>(self) -> Result<T, CliError> {
        let body = self.bytes()?;
        serde_json::from_slice(&body).map_err(|e| CliError::other(format!("reading the answer: {e}")))
    }
}

impl ApiClient {
    pub fn new(config: ClientConfig) -> Result<Self, CliError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| CliError::other(format!("starting the HTTP client: {e}")))?;
        let http = {
            let _inside = runtime.enter();
            config
                .http_builder()?
                .build()
                .map_err(|e| CliError::other(format!("building the HTTP client: {e}")))?
        };
        Ok(ApiClient {
            config,
            http,
            runtime: Some(runtime),
            members: RefCell::new(None),
            warned: RefCell::new(HashSet::new()),
        })
    }

    /// SIGINT from now on, as a stream for [`Answer::piece`] (while it is
    /// alive, Ctrl-C no longer ends the process by itself).
    pub fn interrupts(&self) -> Result<tokio::signal::unix::Signal, CliError> {
        let _inside = self.runtime.as_ref().map(|r| r.enter());
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
            .map_err(|e| CliError::other(format!("catching Ctrl-C: {e}")))
    }

    /// Waits `pause` (none: just looks); whether `interrupt` fired meanwhile.
    pub fn interrupted_within(&self, pause: Duration, interrupt: &mut tokio::signal::unix::Signal) -> bool {
        self.block_on(async { tokio::time::timeout(pause, interrupt.recv()).await.is_ok() })
    }

    /// The `--timeout` of every request.
    pub fn timeout(&self) -> Duration {
        self.config.timeout
    }

    pub fn output(&self) -> Format {
        self.config.output
    }

    fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        match &self.runtime {
            Some(runtime) => runtime.block_on(future),
            None => unreachable!("the runtime is taken only by drop"),
        }
    }

    /// Whether `endpoint` (one of `--endpoints`) answers `GET /ready` with
    /// 200 within `--timeout`: no failover, no token (the probe needs none).
    pub fn is_ready(&self, endpoint: &str) -> bool {
        if !self.config.endpoints.iter().any(|e| e == endpoint) {
            return false;
        }
        let url = format!("{endpoint}/ready");
        // Sent inside the runtime: the request's timer needs it.
        self.block_on(async { self.http.get(url).timeout(self.config.timeout).send().await })
            .is_ok_and(|r| r.status() == StatusCode::OK)
    }

    /// A GET without a body.
    pub fn get(&self, path_and_query: &str) -> Result<Answer<'_>, CliError> {
        self.send(Method::GET, path_and_query, &Payload::Empty)
    }

    /// Sends one request until an answer starts or `--timeout` runs out,
    /// trying each endpoint in turn while they are unreachable or answer
    /// with a code in [`TRY_ANOTHER_ENDPOINT`], and following `not_leader`
    /// answers to a leader URL that is trusted (see [`ApiClient::vet_leader`]).
    /// Returns the first answer that is none of those; a non-2xx answer
    /// becomes the matching [`CliError`].
    pub fn send(&self, method: Method, path_and_query: &str, payload: &Payload) -> Result<Answer<'_>, CliError> {
        // The last line of defence: what goes out is the path we built,
        // or nothing (see `kv_path`).
        if let Some(rewritten) = rewritten_path(path_and_query) {
            return Err(CliError::other(format!(
                "the URL library would rewrite {:?} as {:?}; nothing was sent",
                escape_control(path_and_query),
                escape_control(&rewritten)
            )));
        }
        let deadline = Instant::now() + self.config.timeout;
        // One id for every attempt of this request: a retry after a lost
        // answer is applied at most once.
        let request_id = (method != Method::GET).then(new_request_id);
        let mut last_failure = String::new();
        let mut rotation = Rotation::new(self.config.endpoints.clone(), deadline);
        loop {
            if Instant::now() >= deadline {
                return Err(unavailable(format!(
                    "no endpoint answered within {}: {last_failure}",
                    humantime::format_duration(self.config.timeout)
                )));
            }
            let base = rotation.current().to_string();
            let mut req = self.http.request(method.clone(), format!("{base}{path_and_query}"));
            if let Some(token) = &self.config.token {
                req = req.bearer_auth(token.expose());
            }
            if let Some(id) = &request_id {
                req = req.header("concord-request-id", id);
            }
            req = match payload {
                Payload::Empty => req,
                Payload::Json(body) => req.header(CONTENT_TYPE, "application/json").body(body.clone()),
                Payload::Raw(body) => req.body(body.clone()),
            };
            let started = self.block_on(async {
                tokio::time::timeout_at(tokio::time::Instant::from_std(deadline), req.send()).await
            });
            let response = match started {
                Err(_) => {
                    let mut message = format!(
                        "no answer started within {} (waiting on {base})",
                        humantime::format_duration(self.config.timeout)
                    );
                    if !last_failure.is_empty() {
                        message.push_str(&format!("; before that, {last_failure}"));
                    }
                    return Err(unavailable(message));
                }
                // No answer started (refused, reset, closed by a node at
                // its connection cap): try the next endpoint. A write that
                // may have reached the node is retried under the same
                // request id, so it applies at most once.
                Ok(Err(e)) => {
                    last_failure = format!("{base}: {}", root_cause(&e));
                    rotation.advance();
                    continue;
                }
                Ok(Ok(response)) => response,
            };
            let status = response.status();
            let answer = Answer {
                client: self,
                from: base.clone(),
                response,
            };
            if status.is_success() {
                return Ok(answer);
            }
            let body = answer.bytes_up_to(MAX_ERROR_BODY)?;
            let Some(d) = serde_json::from_slice::<ErrorBody>(&body).ok().map(|b| b.error) else {
                return Err(http_error(status, None, &body));
            };
            if d.code == Code::NotLeader {
                last_failure = format!("{base}: {} ({})", escape_control(&d.message), d.code);
                match self.vet_leader(d.leader_url.as_deref(), deadline) {
                    Leader::Trusted(leader) => rotation.go_to(leader),
                    Leader::Refused(url) => {
                        if self.warned.borrow_mut().insert(url.clone()) {
                            eprintln!(
                                "warning: ignoring leader URL \"{}\" from {base}: it is neither one of \
                                 --endpoints nor a member's client URL",
                                escape_control(&url)
                            );
                        }
                        rotation.advance();
                    }
                    Leader::Unknown => rotation.advance(),
                }
                continue;
            }
            if TRY_ANOTHER_ENDPOINT.contains(&d.code) {
                last_failure = format!("{base}: {} ({})", escape_control(&d.message), d.code);
                rotation.advance();
                continue;
            }
            return Err(http_error(status, Some(d), &body));
        }
    }

    /// Decides whether a `not_leader` answer's `leader_url` may be followed:
    /// only when its scheme, host and port are those of a configured
    /// endpoint, or of a member's client URL as a configured endpoint lists
    /// them. The request then goes to that trusted URL, never to the one
    /// the answer spelled.
    fn vet_leader(&self, leader_url: Option<&str>, deadline: Instant) -> Leader {
        let Some(url) = leader_url.map(str::trim).filter(|u| !u.is_empty()) else {
            return Leader::Unknown;
        };
        if let Some(trusted) = same_origin(url, &self.config.endpoints) {
            return Leader::Trusted(trusted);
        }
        if !is_http_url(url) {
            return Leader::Refused(url.to_string());
        }
        let members = self.member_urls(deadline);
        match same_origin(url, &members) {
            Some(trusted) => Leader::Trusted(trusted),
            None => Leader::Refused(url.to_string()),
        }
    }

    /// The members' client URLs from the first configured endpoint that
    /// lists them (cached once fetched); empty when none does in time.
    fn member_urls(&self, deadline: Instant) -> Vec<String> {
        if let Some(cached) = self.members.borrow().as_ref() {
            return cached.clone();
        }
        for base in &self.config.endpoints {
            let mut req = self.http.get(format!("{base}/v1/cluster/members"));
            if let Some(token) = &self.config.token {
                req = req.bearer_auth(token.expose());
            }
            let members = self.block_on(async {
                let fetch = async {
                    let resp = req.send().await.ok()?.error_for_status().ok()?;
                    resp.json::<Vec<concord_core::api::Member>>().await.ok()
                };
                tokio::time::timeout_at(tokio::time::Instant::from_std(deadline), fetch).await
            });
            if let Ok(Some(members)) = members {
                let urls: Vec<String> = members
                    .into_iter()
                    .map(|m| m.client_url.trim().trim_end_matches('/').to_string())
                    .filter(|u| is_http_url(u))
                    .collect();
                *self.members.borrow_mut() = Some(urls.clone());
                return urls;
            }
        }
        Vec::new()
    }
}

fn is_http_url(url: &str) -> bool {
    Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// The entry of `trusted` with the same scheme, host and port as `url`, if
/// `url` is an http URL.
fn same_origin(url: &str, trusted: &[String]) -> Option<String> {
    let url = Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))?;
    let origin = url.origin();
    trusted
        .iter()
        .find(|t| Url::parse(t).is_ok_and(|t| t.origin() == origin))
        .cloned()
}

fn unavailable(message: String) -> CliError {
    CliError::new(Kind::Unavailable, message)
        .with_hint("check that the node is running (`concord node start`) and that --endpoints is right")
}

fn root_cause(e: &dyn std::error::Error) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// At most this many characters of an error answer that is not our JSON
/// (a proxy's HTML page, say) are shown.
const MAX_SHOWN_BODY_CHARS: usize = 200;

/// The start of a non-JSON error body, fit for a terminal: at most
/// [`MAX_SHOWN_BODY_CHARS`] characters, control characters escaped.
fn summarize_body(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let mut shown: String = text.chars().take(MAX_SHOWN_BODY_CHARS).collect();
    if text.chars().nth(MAX_SHOWN_BODY_CHARS).is_some() {
        shown.push_str("...");
    }
    escape_control(&shown)
}

/// The exit code of an error answer: by its [`Code`], the one place the
/// CLI maps codes; by its HTTP status when the code is not known (a newer
/// node's) or the body is not the API's (a proxy's page).
fn kind_of(code: Code, status: StatusCode) -> Kind {
    match code {
        Code::NotFound | Code::NoRoute | Code::Compacted => Kind::NotFound,
        Code::HostNotAllowed | Code::Unauthenticated | Code::Forbidden | Code::TooManyAuthFailures => Kind::Auth,
        Code::Conflict
        | Code::MembershipChangeInProgress
        | Code::LastVoter
        | Code::AlreadyBootstrapped
        | Code::AlreadyApplied
        | Code::RequestIdReused => Kind::Conflict,
        Code::NotLeader
        | Code::Unavailable
        | Code::Timeout
        | Code::OutcomeUnknown
        | Code::Overloaded
        | Code::NotReady
        | Code::InsufficientStorage => Kind::Unavailable,
        Code::InvalidArgument
        | Code::InvalidKey
        | Code::InvalidTtl
        | Code::InvalidJson
        | Code::BadBody
        | Code::TooManyOperations
        | Code::Refused
        | Code::MethodNotAllowed
        | Code::RequestTimeout
        | Code::ValueTooLarge
        | Code::RequestTooLarge
        | Code::UnsupportedMediaType
        | Code::Internal => Kind::Other,
        Code::Unknown => match status {
            StatusCode::NOT_FOUND => Kind::NotFound,
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Kind::Auth,
            StatusCode::CONFLICT | StatusCode::PRECONDITION_FAILED => Kind::Conflict,
            StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT
            | StatusCode::TOO_MANY_REQUESTS
            | StatusCode::INSUFFICIENT_STORAGE => Kind::Unavailable,
            _ => Kind::Other,
        },
    }
}

fn http_error(status: StatusCode, detail: Option<ErrorDetail>, body: &[u8]) -> CliError {
    match detail {
        Some(d) => CliError::new(
            kind_of(d.code, status),
            format!("{} ({})", escape_control(&d.message), d.code),
        ),
        None => CliError::new(
            kind_of(Code::Unknown, status),
            format!("HTTP {status}: {}", summarize_body(body)),
        ),
    }
}

/// Percent-encodes a key for use in a URL path: every byte but ASCII
/// letters and digits, `-`, `_`, `~` and `/`. `.` is encoded too, so that
/// no URL library can take `a/../b` for a path to resolve (`b`), and `\`
/// so that none can take it for `/`: the node sees the bytes typed.
pub fn encode_key(key: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const KEY: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~').remove(b'/');
    utf8_percent_encode(key, KEY).to_string()
}

/// The path of a key under `/v1/kv/`, percent-encoded by [`encode_key`].
/// A key with a `.` or `..` segment (`a/../b`, `./x`, `a/.`) is refused
/// here (exit 1; the cluster refuses such keys too): URL libraries resolve
/// such segments even percent-encoded (the URL standard counts `%2E%2E` as
/// `..`), so no URL carries one to the node, and sending the rewritten path
/// would touch another key or another route.
pub fn kv_path(key: &str) -> Result<String, CliError> {
    let path = format!("/v1/kv/{}", encode_key(key));
    match rewritten_path(&path) {
        None => Ok(path),
        Some(rewritten) => Err(CliError::other(format!(
            "key {:?} has a `.` or `..` segment, which no URL can carry (the path would read as {:?}); \
             the cluster refuses such keys (invalid_key); nothing was sent",
            escape_control(key),
            escape_control(&rewritten),
        ))),
    }
}

/// What the URL library would make of `path_and_query` (a path starting
/// with `/`), when that differs from it.
fn rewritten_path(path_and_query: &str) -> Option<String> {
    let url = Url::parse(&format!("http://127.0.0.1{path_and_query}")).ok()?;
    let mut parsed = url.path().to_string();
    if let Some(query) = url.query() {
        parsed.push('?');
        parsed.push_str(query);
    }
    (parsed != path_and_query).then_some(parsed)
}

/// A fresh request id: 128 bits from the standard library's per-process
/// random hasher keys, the time and a counter.
pub fn new_request_id() -> String {
    concord_core::random_hex(2)
}

/// Percent-encodes a query parameter value.
pub fn encode_query(value: &str) -> String {
    use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
    utf8_percent_encode(value, NON_ALPHANUMERIC).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(endpoints: &[&str]) -> ApiClient {
        ApiClient::new(ClientConfig {
            endpoints: endpoints.iter().map(|e| e.to_string()).collect(),
            timeout: Duration::from_millis(200),
            output: Format::Plain,
            token: None,
            cacert: None,
            identity: None,
        })
        .unwrap()
    }

    #[test]
    fn an_empty_or_missing_leader_url_is_not_an_endpoint() {
        let c = client(&["http://127.0.0.1:7379"]);
        let soon = Instant::now() + Duration::from_millis(100);
        assert_eq!(c.vet_leader(Some(""), soon), Leader::Unknown);
        assert_eq!(c.vet_leader(Some("  "), soon), Leader::Unknown);
        assert_eq!(c.vet_leader(None, soon), Leader::Unknown);
        assert_eq!(
            c.vet_leader(Some("http://127.0.0.1:7379"), soon),
            Leader::Trusted("http://127.0.0.1:7379".into())
        );
    }

    #[test]
    fn only_leader_urls_with_a_configured_origin_are_trusted() {
        let trusted = vec![
            "http://127.0.0.1:7379".to_string(),
            "http://node-b:7381/base".to_string(),
        ];
        // Same scheme, host and port: the configured spelling is used.
        for url in [
            "http://127.0.0.1:7379",
            "http://127.0.0.1:7379/",
            "http://127.0.0.1:7379/v1/anything",
            "http://user:pw@127.0.0.1:7379",
        ] {
            assert_eq!(
                same_origin(url, &trusted).as_deref(),
                Some("http://127.0.0.1:7379"),
                "{url}"
            );
        }
        assert_eq!(
            same_origin("http://NODE-B:7381", &trusted).as_deref(),
            Some("http://node-b:7381/base")
        );
        for url in [
            "http://127.0.0.1:7380",
            "http://localhost:7379",
            "https://127.0.0.1:7379",
            "ftp://127.0.0.1:7379",
            "http://evil.example:7379",
            "//127.0.0.1:7379",
            "127.0.0.1:7379",
            "not a url",
            "",
        ] {
            assert_eq!(same_origin(url, &trusted), None, "{url}");
        }
    }

    #[test]
    fn an_unknown_leader_url_is_refused_when_no_member_lists_it() {
        // The configured endpoint is not listening: no member list, so a
        // URL that is not an endpoint is refused (never tried), and so is
        // a non-http one, without asking anyone.
        let dead = format!("http://127.0.0.1:{}", unused_port());
        let c = client(&[&dead]);
        let soon = Instant::now() + Duration::from_millis(300);
        assert_eq!(
            c.vet_leader(Some("http://127.0.0.1:1"), soon),
            Leader::Refused("http://127.0.0.1:1".into())
        );
        assert_eq!(
            c.vet_leader(Some("https://127.0.0.1:1"), soon),
            Leader::Refused("https://127.0.0.1:1".into())
        );
        assert_eq!(
            c.vet_leader(Some("file:///etc/passwd"), soon),
            Leader::Refused("file:///etc/passwd".into())
        );
    }

    fn unused_port() -> u16 {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }

    #[test]
    fn backoff_grows_from_100ms_to_1s() {
        let mut b = Backoff::new();
        let delays: Vec<u128> = (0..6).map(|_| b.next_delay().as_millis()).collect();
        assert_eq!(delays, [100, 200, 400, 800, 1000, 1000]);
    }

    #[test]
    fn backoff_never_sleeps_past_the_deadline() {
        let mut b = Backoff::new();
        for _ in 0..5 {
            b.next_delay();
        }
        let start = Instant::now();
        b.pause(start + Duration::from_millis(20));
        assert!(start.elapsed() < Duration::from_millis(500), "{:?}", start.elapsed());
    }

    #[test]
    fn rotation_pauses_after_a_whole_turn_and_before_a_known_leader() {
        let past = Instant::now();
        let mut r = Rotation::new(vec!["http://a".into(), "http://b".into()], past);
        assert_eq!(r.current(), "http://a");
        r.advance();
        assert_eq!(
            (r.current(), r.backoff.next),
            ("http://b", Backoff::FIRST),
            "no pause yet"
        );
        r.advance();
        assert_eq!(
            (r.current(), r.backoff.next),
            ("http://a", Backoff::FIRST * 2),
            "paused once"
        );
        // A not_leader naming a known endpoint: go there after a pause.
        r.go_to("http://b".into());
        assert_eq!((r.current(), r.backoff.next), ("http://b", Backoff::FIRST * 4));
        // Naming a new trusted URL: go there at once.
        r.go_to("http://c".into());
        assert_eq!((r.current(), r.backoff.next), ("http://c", Backoff::FIRST * 4));
        r.advance();
        assert_eq!(r.current(), "http://a");
    }

    #[test]
    fn keys_are_encoded_so_no_url_library_can_rewrite_them() {
        for (key, encoded) in [
            ("a/b/c", "a/b/c"),
            ("../cluster/members/3", "%2E%2E/cluster/members/3"),
            ("a/../b", "a/%2E%2E/b"),
            ("a/./b", "a/%2E/b"),
            (".", "%2E"),
            ("a.b", "a%2Eb"),
            ("a\\b", "a%5Cb"),
            ("..\\..\\x", "%2E%2E%5C%2E%2E%5Cx"),
            ("with space", "with%20space"),
            ("q?x=1#frag", "q%3Fx%3D1%23frag"),
            ("percent%2F", "percent%252F"),
            ("-_~", "-_~"),
            ("ключ", "%D0%BA%D0%BB%D1%8E%D1%87"),
        ] {
            assert_eq!(encode_key(key), encoded, "{key:?}");
        }
    }

    #[test]
    fn keys_whose_path_a_url_would_rewrite_are_refused_before_sending() {
        // The URL standard resolves `%2E%2E` like `..`: percent-encoding
        // alone cannot carry a dot segment, so such keys never leave.
        let url = Url::parse("http://127.0.0.1:7379/v1/kv/%2E%2E/cluster/members/3").unwrap();
        assert_eq!(url.path(), "/v1/cluster/members/3");
        for key in ["../cluster/members/3", "a/../b", "a/./b", ".", "..", "a/..", "./a"] {
            let err = kv_path(key).expect_err(key);
            assert_eq!(err.kind, Kind::Other, "{key:?}");
            assert!(err.message.contains("nothing was sent"), "{}", err.message);
        }
        assert_eq!(
            rewritten_path("/v1/kv/%2E%2E/cluster/members/3").as_deref(),
            Some("/v1/cluster/members/3")
        );
        // Everything else goes out exactly as encoded.
        for key in [
            "a\\b",
            "a.b/c..d/.e",
            "...",
            "a/.../b",
            ".hidden",
            "a//b",
            "/a",
            "trailing/",
            "q?x=1#frag",
            "a/%2E%2E/b",
        ] {
            let path = kv_path(key).expect(key);
            assert_eq!(path, format!("/v1/kv/{}", encode_key(key)));
            assert_eq!(rewritten_path(&path), None, "{key:?}");
        }
        assert_eq!(rewritten_path("/v1/kv?prefix=%2E%2E%2F&limit=1"), None);
    }

    #[test]
    fn non_json_error_bodies_are_cut_and_escaped() {
        let body = format!("\x1b[2J{}", "x".repeat(1000));
        let shown = summarize_body(body.as_bytes());
        assert!(!shown.contains('\x1b'), "{shown:?}");
        assert!(shown.starts_with("\\u{1b}[2Jxxx"), "{shown:?}");
        assert_eq!(shown.chars().filter(|c| *c == 'x').count(), 200 - 4);
        assert!(shown.ends_with("..."));
        assert_eq!(summarize_body(b"  bad gateway\n"), "bad gateway");
        assert_eq!(summarize_body(b"line\r\nnext"), "line\\r\\nnext");
        let err = http_error(StatusCode::BAD_GATEWAY, None, body.as_bytes());
        assert!(err.message.len() < 260, "{}", err.message);
        assert_eq!(err.kind, Kind::Other);
    }
}
