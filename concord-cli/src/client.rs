//! The HTTP client every command but `node start` uses: endpoint failover,
//! leader following, the overall `--timeout`, and the mapping of HTTP errors
//! to exit codes.

use std::time::{Duration, Instant};

use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::{Method, StatusCode};
use serde::Deserialize;

use crate::cli::GlobalArgs;
use crate::error::{CliError, Kind};
use crate::output::Format;

/// Validated client settings, resolved from [`GlobalArgs`] before any
/// network call.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub endpoints: Vec<String>,
    pub timeout: Duration,
    pub output: Format,
    token: Option<String>,
}

impl ClientConfig {
    pub fn resolve(args: &GlobalArgs) -> Result<Self, CliError> {
        let mut endpoints = Vec::new();
        for raw in &args.endpoints {
            let raw = raw.trim();
            if raw.is_empty() {
                continue;
            }
            let url = if raw.contains("://") {
                raw.to_string()
            } else {
                format!("http://{raw}")
            };
            let parsed =
                reqwest::Url::parse(&url).map_err(|e| CliError::usage(format!("invalid endpoint {raw:?}: {e}")))?;
            if parsed.scheme() != "http" {
                return Err(CliError::usage(format!(
                    "invalid endpoint {raw:?}: only http:// endpoints are supported"
                )));
            }
            endpoints.push(url.trim_end_matches('/').to_string());
        }
        if endpoints.is_empty() {
            return Err(CliError::usage("no endpoints given (--endpoints or CONCORD_ENDPOINTS)"));
        }
        if args.timeout.is_zero() {
            return Err(CliError::usage("--timeout must be greater than zero"));
        }
        let token = match &args.token_file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| CliError::usage(format!("reading token file {}: {e}", path.display())))?;
                Some(text.trim().to_string())
            }
            None => std::env::var("CONCORD_TOKEN").ok().filter(|t| !t.is_empty()),
        };
        Ok(ClientConfig {
            endpoints,
            timeout: args.timeout,
            output: args.output,
            token,
        })
    }
}

/// The JSON error body of the API.
#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
struct ErrorDetail {
    code: String,
    message: String,
    leader_url: Option<String>,
}

pub struct ApiClient {
    config: ClientConfig,
    http: Client,
}

impl ApiClient {
    pub fn new(config: ClientConfig) -> Result<Self, CliError> {
        let http = Client::builder()
            .connect_timeout(config.timeout.min(Duration::from_secs(2)))
            .timeout(config.timeout)
            .build()
            .map_err(|e| CliError::other(format!("building the HTTP client: {e}")))?;
        Ok(ApiClient { config, http })
    }

    pub fn output(&self) -> Format {
        self.config.output
    }

    /// Sends one request, trying each endpoint in turn while they are
    /// unreachable and following `not_leader` answers to the leader, until
    /// `--timeout` runs out. Returns the first answer that is not one of
    /// those; a non-2xx answer becomes the matching [`CliError`].
    pub fn send(
        &self,
        method: Method,
        path_and_query: &str,
        build: impl Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<Response, CliError> {
        let deadline = Instant::now() + self.config.timeout;
        // One id for every attempt of this request: a retry after a lost
        // answer is applied at most once.
        let request_id = (method != Method::GET).then(new_request_id);
        let mut last_failure = String::new();
        let mut targets: Vec<String> = self.config.endpoints.clone();
        let mut i = 0;
        loop {
            if Instant::now() >= deadline {
                return Err(unavailable(format!(
                    "no endpoint answered within {}: {last_failure}",
                    humantime::format_duration(self.config.timeout)
                )));
            }
            let base = targets[i % targets.len()].clone();
            i += 1;
            let mut req = self.http.request(method.clone(), format!("{base}{path_and_query}"));
            if let Some(token) = &self.config.token {
                req = req.bearer_auth(token);
            }
            if let Some(id) = &request_id {
                req = req.header("concord-request-id", id);
            }
            req = req.timeout(
                deadline
                    .saturating_duration_since(Instant::now())
                    .max(Duration::from_millis(1)),
            );
            match build(req).send() {
                Err(e) if e.is_connect() => {
                    last_failure = format!("{base}: {}", root_cause(&e));
                    if i % targets.len() == 0 {
                        std::thread::sleep(Duration::from_millis(100));
                    }
                }
                Err(e) if e.is_timeout() => {
                    return Err(unavailable(format!("{base} did not answer within the timeout")));
                }
                Err(e) => return Err(unavailable(format!("{base}: {}", root_cause(&e)))),
                Ok(resp) if resp.status().is_success() => return Ok(resp),
                Ok(resp) => {
                    let status = resp.status();
                    let body = resp.text().unwrap_or_default();
                    let detail = serde_json::from_str::<ErrorBody>(&body).ok().map(|b| b.error);
                    if let Some(d) = &detail {
                        if d.code == "not_leader" {
                            last_failure = format!("{base}: {}", d.message);
                            match leader_endpoint(d) {
                                Some(leader) if !targets.contains(leader) => {
                                    targets.insert(0, leader.clone());
                                    i = 0;
                                }
                                Some(leader) => {
                                    i = targets.iter().position(|t| t == leader).unwrap_or(0);
                                }
                                None => std::thread::sleep(Duration::from_millis(100)),
                            }
                            continue;
                        }
                    }
                    return Err(http_error(status, detail, &body));
                }
            }
        }
    }
}

/// The leader URL of a `not_leader` answer, if it is one to try. An empty
/// one (a leader whose client URL is not known yet, just after an
/// `--initial-cluster` bootstrap) is no endpoint: the caller waits and
/// retries.
fn leader_endpoint(d: &ErrorDetail) -> Option<&String> {
    d.leader_url.as_ref().filter(|u| !u.trim().is_empty())
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

fn http_error(status: StatusCode, detail: Option<ErrorDetail>, body: &str) -> CliError {
    let kind = match status {
        StatusCode::NOT_FOUND => Kind::NotFound,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Kind::Auth,
        StatusCode::CONFLICT | StatusCode::PRECONDITION_FAILED => Kind::Conflict,
        StatusCode::SERVICE_UNAVAILABLE
        | StatusCode::GATEWAY_TIMEOUT
        | StatusCode::TOO_MANY_REQUESTS
        | StatusCode::INSUFFICIENT_STORAGE => Kind::Unavailable,
        _ => Kind::Other,
    };
    let message = match detail {
        Some(d) => format!("{} ({})", d.message, d.code),
        None => format!("HTTP {status}: {}", body.trim()),
    };
    CliError::new(kind, message)
}

/// Percent-encodes a key for use in a URL path. Every byte but the
/// unreserved characters and `/` is encoded.
pub fn encode_key(key: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const KEY: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b'/');
    utf8_percent_encode(key, KEY).to_string()
}

/// A fresh request id: 128 bits from the standard library's per-process
/// random hasher keys, the time and a counter.
pub fn new_request_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let half = |salt: u64| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(nanos);
        h.write_u64(n ^ salt);
        h.write_u32(std::process::id());
        h.finish()
    };
    format!("{:016x}{:016x}", half(0), half(u64::MAX))
}

/// Percent-encodes a query parameter value.
pub fn encode_query(value: &str) -> String {
    use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
    utf8_percent_encode(value, NON_ALPHANUMERIC).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_leader_url_is_not_an_endpoint() {
        let detail = |url: Option<&str>| ErrorDetail {
            code: "not_leader".into(),
            message: String::new(),
            leader_url: url.map(str::to_string),
        };
        assert_eq!(leader_endpoint(&detail(Some(""))), None);
        assert_eq!(leader_endpoint(&detail(Some("  "))), None);
        assert_eq!(leader_endpoint(&detail(None)), None);
        assert_eq!(
            leader_endpoint(&detail(Some("http://127.0.0.1:7379"))).map(String::as_str),
            Some("http://127.0.0.1:7379")
        );
    }
}
