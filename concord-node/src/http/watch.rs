//! `GET /v1/watch`: the changes to a key or prefix as a Server-Sent Events
//! stream, from the watch history (`concord_core::store::history`).
//!
//! Every member serves watches from its own applied state, so a watch on a
//! follower sees the same sequence as one on the leader, at most a little
//! later. Each stream has a task of its own that reads the history a page
//! at a time ([`PAGE`]) and queues whole revisions for the connection, at
//! most [`QUEUE_BYTES`] at once: a slow watcher costs its queue and nothing
//! else, and one whose queue stays full for [`LAG_TIMEOUT`] gets a `lagged`
//! event and its stream ends, so it never holds the node back. A token
//! revoked or expired while its watch runs ends the stream with
//! `unauthorized`.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use concord_core::api::{Code, ErrorBody, WatchEnd, WatchEvent, WatchParams, WatchProgress};
use concord_core::auth::{Need, Scope, TokenRecord};
use concord_core::limits::validate_key;
use concord_core::store::{EventPage, HistoryError, KvReader, PageLimits, WatchFilter};
use futures::StreamExt;
use tokio::sync::{mpsc, oneshot, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::http::query;
use crate::node::{now_ms, Node};

/// Bytes of events queued for one watcher at most (a revision larger than
/// this is queued alone).
const QUEUE_BYTES: usize = 1 << 20;
/// A watcher whose queue stays full this long is told it lagged.
const LAG_TIMEOUT: Duration = Duration::from_secs(10);
/// One read of the history: at most this many events looked at or bytes
/// matched (ending at a whole revision).
const PAGE: PageLimits = PageLimits {
    scanned: 1024,
    bytes: 1 << 20,
};
/// At most this long between two `progress` events of an idle stream (less
/// when `--client-read-timeout` is shorter, so the connection stays open).
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

/// `GET /v1/watch`.
#[utoipa::path(
    get, path = "/v1/watch", tag = "kv",
    summary = "Watch a key or prefix",
    description = "A Server-Sent Events stream of every change to `key` (or to the keys under `prefix`) committed after `start_revision` (default: from now on), in revision order, with no gaps and no repeats. Events: `put` and `delete` (data: a WatchEvent; the last event of each revision carries `id:` its revision), `progress` at the start and every few seconds (data: a WatchProgress, with `id:`), and, ending the stream, `lagged` (the watcher read too slowly), `compacted`, `unauthorized` (the token was revoked or expired) or `error` (data: a WatchEnd). Resume with `start_revision` (or `Last-Event-ID`, which wins) set to the last `id` seen. 410 `compacted`, with `oldest_revision`, when the history no longer holds the revisions asked for. Served by any member. Needs `read` on the key or the whole prefix.",
    params(WatchParams),
    responses(
        (status = 200, description = "The event stream", content_type = "text/event-stream", body = String),
        (status = "default", description = "An error: `{\"error\": {\"code\", \"message\"}}`; `compacted` carries `oldest_revision`", body = ErrorBody)
    )
)]
pub(crate) async fn watch(
    State(node): State<Arc<Node>>,
    caller: Caller,
    headers: HeaderMap,
    params: Result<Query<WatchParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let params = query(params)?;
    let filter = match (params.key, params.prefix) {
        (Some(key), None) => {
            caller.require(Need::Read(Scope::Key(&key)))?;
            validate_key(&key).map_err(|e| ApiError::new(Code::InvalidKey, e.to_string()))?;
            WatchFilter::Key(key)
        }
        (None, Some(prefix)) => {
            caller.require(Need::Read(Scope::Prefix(&prefix)))?;
            WatchFilter::Prefix(prefix)
        }
        _ => return Err(ApiError::invalid("give exactly one of key= and prefix=")),
    };
    // An EventSource that reconnects sends the URL it started with and the
    // last id it saw: the id wins.
    let start = match (headers.get("last-event-id"), params.start_revision) {
        (Some(v), _) => v
            .to_str()
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| ApiError::invalid("Last-Event-ID must be a revision"))?,
        (None, Some(rev)) => rev,
        (None, None) => *node.reader.applied_revisions().borrow(),
    };
    // The first page before answering: a revision the history no longer
    // holds is a 410, not a stream that ends at once.
    let page = read_page(&node.reader, start, &filter).await.map_err(|e| match e {
        HistoryError::Compacted { oldest } => compacted(start, oldest),
        HistoryError::Io(e) => ApiError::read("reading the watch history", e),
    })?;
    let token = match &caller {
        Caller::Token(t) => Some(t.clone()),
        _ => None,
    };
    let (tx, rx) = mpsc::unbounded_channel();
    let (end_tx, end_rx) = oneshot::channel();
    let stream = Stream {
        reader: node.reader.clone(),
        filter,
        prev_kv: params.prev_kv == Some(true),
        cursor: start,
        tx,
        room: Arc::new(Semaphore::new(QUEUE_BYTES)),
        end: Some(end_tx),
        progress_every: PROGRESS_EVERY.min(node.config.client_read_timeout / 2),
        token,
    };
    tokio::spawn(stream.run(page));
    // Each revision's permit goes with its last event: its bytes leave the
    // queue once that event is on its way to the watcher.
    let events = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|(event, _permit): Queued| (event, rx))
    });
    let end = futures::stream::once(end_rx).filter_map(|e| async move { e.ok() });
    let body = events.chain(end).map(Ok::<_, Infallible>);
    Ok(Sse::new(body).into_response())
}

fn compacted(asked: u64, oldest: u64) -> ApiError {
    let mut e = ApiError::new(Code::Compacted, compacted_message(asked, oldest));
    e.oldest_revision = Some(oldest);
    e
}

fn compacted_message(asked: u64, oldest: u64) -> String {
    format!(
        "the watch history no longer holds the changes after revision {asked}; the oldest start_revision \
         possible is {oldest}"
    )
}

async fn read_page(reader: &KvReader, after: u64, filter: &WatchFilter) -> Result<EventPage, HistoryError> {
    let (reader, filter) = (reader.clone(), filter.clone());
    tokio::task::spawn_blocking(move || reader.events_after(after, &filter, PAGE))
        .await
        .map_err(|e| HistoryError::Io(std::io::Error::other(e)))?
}

/// An SSE event named `event` with `body` as JSON, and the bytes it takes.
fn data(event: &str, body: &impl serde::Serialize) -> (Event, usize) {
    let json = match serde_json::to_string(body) {
        Ok(json) => json,
        // Our own types always serialize.
        Err(e) => return (Event::default().event("error").data(e.to_string()), 64),
    };
    let bytes = json.len() + event.len() + 32;
    (Event::default().event(event).data(json), bytes)
}

/// An event in a watcher's queue, with the queue room its revision holds
/// (on the revision's last event).
type Queued = (Event, Option<OwnedSemaphorePermit>);

/// Why a stream stopped sending.
enum Stop {
    /// The watcher hung up.
    Gone,
    /// The queue stayed full for [`LAG_TIMEOUT`].
    Lagged,
}

/// One watcher's producer.
struct Stream {
    reader: KvReader,
    filter: WatchFilter,
    prev_kv: bool,
    /// Every change up to this revision has been queued.
    cursor: u64,
    tx: mpsc::UnboundedSender<Queued>,
    /// Bytes the queue may still take.
    room: Arc<Semaphore>,
    /// The last event, sent after everything queued.
    end: Option<oneshot::Sender<Event>>,
    progress_every: Duration,
    /// The token the watch runs under, as this node knew it when the
    /// watch began (the auth guard relays a request with a token a node
    /// does not know to the leader, so a watch served here had it here).
    token: Option<TokenRecord>,
}

impl Stream {
    async fn run(mut self, first: EventPage) {
        let mut applied = self.reader.applied_revisions();
        let mut next_progress = Instant::now() + self.progress_every;
        let mut page = first;
        // Where this stream starts, at once: a watcher that started "from
        // now" learns the revision to resume from.
        if let Err(stop) = self.progress().await {
            return self.stopped(stop);
        }
        loop {
            if let Err(why) = self.token_still_valid() {
                let revision = self.cursor;
                return self.end_with("unauthorized", why, revision);
            }
            let more = page.more;
            if let Err(stop) = self.send_page(page).await {
                return self.stopped(stop);
            }
            if Instant::now() >= next_progress {
                if let Err(stop) = self.progress().await {
                    return self.stopped(stop);
                }
                next_progress = Instant::now() + self.progress_every;
            }
            if !more {
                // Caught up: wait for a new revision, a progress tick or
                // the watcher leaving.
                loop {
                    if *applied.borrow_and_update() > self.cursor {
                        break;
                    }
                    tokio::select! {
                        changed = applied.changed() => if changed.is_err() { return },
                        _ = tokio::time::sleep_until(next_progress) => {
                            if let Err(why) = self.token_still_valid() {
                                let revision = self.cursor;
                                return self.end_with("unauthorized", why, revision);
                            }
                            if let Err(stop) = self.progress().await {
                                return self.stopped(stop);
                            }
                            next_progress = Instant::now() + self.progress_every;
                        }
                        _ = self.tx.closed() => return,
                    }
                }
            }
            page = match read_page(&self.reader, self.cursor, &self.filter).await {
                Ok(page) => page,
                Err(HistoryError::Compacted { oldest }) => {
                    let message = compacted_message(self.cursor, oldest);
                    return self.end_with("compacted", message, oldest);
                }
                Err(HistoryError::Io(e)) if e.kind() == std::io::ErrorKind::ResourceBusy => {
                    // A snapshot install: read again once it is done.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    EventPage {
                        through: self.cursor,
                        more: true,
                        ..EventPage::default()
                    }
                }
                Err(HistoryError::Io(e)) => {
                    tracing::warn!(error = %e, "a watch stream stopped: reading the history failed");
                    let revision = self.cursor;
                    return self.end_with("error", format!("reading the watch history failed: {e}"), revision);
                }
            };
        }
    }

    /// Queues a page's events a revision at a time; the last event of each
    /// revision carries its revision as the SSE id.
    async fn send_page(&mut self, page: EventPage) -> Result<(), Stop> {
        let now = now_ms();
        let mut events = page.events.into_iter().peekable();
        let mut revision_events = Vec::new();
        let mut bytes = 0;
        while let Some((revision, ev)) = events.next() {
            let body = WatchEvent::new(revision, ev, self.prev_kv, now);
            let (event, size) = data(&body.kind, &body);
            bytes += size;
            if events.peek().is_none_or(|(next, _)| *next != revision) {
                revision_events.push(event.id(revision.to_string()));
                self.queue(std::mem::take(&mut revision_events), bytes).await?;
                bytes = 0;
                self.cursor = revision;
            } else {
                revision_events.push(event);
            }
        }
        self.cursor = self.cursor.max(page.through);
        Ok(())
    }

    async fn progress(&mut self) -> Result<(), Stop> {
        let (event, bytes) = data("progress", &WatchProgress { revision: self.cursor });
        self.queue(vec![event.id(self.cursor.to_string())], bytes).await
    }

    /// Queues one revision's events whole, once the queue has room for
    /// them, waiting at most [`LAG_TIMEOUT`].
    async fn queue(&self, events: Vec<Event>, bytes: usize) -> Result<(), Stop> {
        let permits = bytes.clamp(1, QUEUE_BYTES) as u32;
        let room = tokio::select! {
            room = tokio::time::timeout(LAG_TIMEOUT, self.room.clone().acquire_many_owned(permits)) => room,
            _ = self.tx.closed() => return Err(Stop::Gone),
        };
        let mut permit = match room {
            Ok(Ok(permit)) => Some(permit),
            Ok(Err(_)) => return Err(Stop::Gone),
            Err(_) => return Err(Stop::Lagged),
        };
        let last = events.len().saturating_sub(1);
        for (i, event) in events.into_iter().enumerate() {
            let held = if i == last { permit.take() } else { None };
            self.tx.send((event, held)).map_err(|_| Stop::Gone)?;
        }
        Ok(())
    }

    /// The token is still the one the watch began with (not revoked, nor
    /// revoked and its id reused) and not expired. A read refused during a
    /// snapshot install is no verdict: the next check decides.
    fn token_still_valid(&self) -> Result<(), String> {
        let Some(token) = &self.token else {
            return Ok(());
        };
        if token.expires_at_ms.is_some_and(|at| now_ms() >= at) {
            return Err(format!("token {} expired", token.id));
        }
        match self.reader.token(&token.id) {
            Ok(Some(now)) if now == *token => Ok(()),
            Ok(_) => Err(format!("token {} was revoked", token.id)),
            Err(_) => Ok(()),
        }
    }

    fn stopped(self, stop: Stop) {
        match stop {
            Stop::Gone => {}
            Stop::Lagged => {
                let revision = self.cursor;
                let message = format!("this watcher read too slowly; resume from revision {revision}");
                self.end_with("lagged", message, revision)
            }
        }
    }

    /// Ends the stream with `event` after what is queued.
    fn end_with(mut self, event: &str, message: String, revision: u64) {
        if let Some(end) = self.end.take() {
            let _ = end.send(data(event, &WatchEnd { message, revision }).0);
        }
    }
}
