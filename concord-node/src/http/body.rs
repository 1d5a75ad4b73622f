//! Reading request bodies under the node's limits: a size cap, a deadline
//! that a trickle cannot stretch, and a shared budget of bytes in flight.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use concord_core::api::Code;
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::http::error::ApiError;
use crate::node::Node;

/// Why a request body could not be read.
pub(crate) enum BodyError {
    TooLarge,
    /// The body did not arrive in time (see [`read_limited`]).
    Stalled,
    /// Buffering it would pass `--max-in-flight-bytes`.
    Overloaded,
    Broken(String),
}

/// A request body, and its share of `--max-in-flight-bytes` (given back
/// when this is dropped).
pub(crate) struct Collected {
    pub bytes: Bytes,
    _budget: Option<tokio::sync::OwnedSemaphorePermit>,
}

/// The slowest a large body may arrive once its first `idle` has passed.
const MIN_BODY_RATE: u64 = 1024 * 1024;

/// Buffers a request body of at most `limit` bytes. It must arrive by a
/// deadline of `idle` from the call plus one second per MiB received so
/// far: a trickle (one byte every few seconds) is cut off after `idle`,
/// whatever it sends, while a large body at 1 MiB/s or more always gets
/// through. With a `budget`, its bytes count against it (a semaphore of
/// bytes): a body that does not fit is `Overloaded`.
pub(crate) async fn read_limited(
    body: Body,
    limit: usize,
    idle: std::time::Duration,
    budget: Option<&Arc<tokio::sync::Semaphore>>,
) -> Result<Collected, BodyError> {
    let started = tokio::time::Instant::now();
    let mut body = Limited::new(body, limit);
    let mut buf = Vec::new();
    let mut held: Option<tokio::sync::OwnedSemaphorePermit> = None;
    loop {
        let earned = std::time::Duration::from_millis(buf.len() as u64 * 1000 / MIN_BODY_RATE);
        match tokio::time::timeout_at(started + idle + earned, body.frame()).await {
            Err(_) => return Err(BodyError::Stalled),
            Ok(None) => {
                return Ok(Collected {
                    bytes: Bytes::from(buf),
                    _budget: held,
                })
            }
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    if let (Some(budget), false) = (budget, data.is_empty()) {
                        let more = budget
                            .clone()
                            .try_acquire_many_owned(u32::try_from(data.len()).unwrap_or(u32::MAX))
                            .map_err(|_| BodyError::Overloaded)?;
                        match &mut held {
                            Some(b) => b.merge(more),
                            None => held = Some(more),
                        }
                    }
                    buf.extend_from_slice(&data);
                }
            }
            Ok(Some(Err(e))) if e.is::<LengthLimitError>() => return Err(BodyError::TooLarge),
            Ok(Some(Err(e))) => return Err(BodyError::Broken(e.to_string())),
        }
    }
}

/// [`read_limited`] with the client listener's settings:
/// `--client-read-timeout` and the `--max-in-flight-bytes` budget.
pub(crate) async fn collect_body(node: &Node, body: Body, limit: usize) -> Result<Collected, BodyError> {
    read_limited(body, limit, node.config.client_read_timeout, Some(&node.body_bytes)).await
}

impl BodyError {
    /// The answer to a body that could not be read; `too_large` names the
    /// limit that was hit.
    pub(crate) fn into_api(self, too_large: impl FnOnce() -> ApiError) -> ApiError {
        match self {
            BodyError::TooLarge => too_large(),
            BodyError::Stalled => ApiError::new(
                Code::RequestTimeout,
                "the request body did not arrive in time (--client-read-timeout, plus a second per MiB received)",
            ),
            BodyError::Overloaded => {
                ApiError::overloaded("too many request bytes in flight (--max-in-flight-bytes); retry shortly")
            }
            BodyError::Broken(e) => ApiError::new(Code::BadBody, format!("could not read the request body: {e}")),
        }
    }
}

/// Reads a request body of at most `limit` bytes; more is 413 `code`
/// (`value_too_large` or `request_too_large`).
pub(crate) async fn read_body(node: &Node, body: Body, limit: usize, code: Code) -> Result<Collected, ApiError> {
    let too_large = || {
        let what = if code == Code::ValueTooLarge {
            "value is larger than the limit of {limit} bytes (--max-value-size)"
        } else {
            "request body is larger than the limit of {limit} bytes (--max-request-size)"
        };
        ApiError::new(code, what.replace("{limit}", &limit.to_string()))
    };
    collect_body(node, body, limit).await.map_err(|e| e.into_api(too_large))
}
