//! `GET /v1/watch`: the changes to a key or prefix as a Server-Sent Events
//! stream, from the watch history (`concord_core::store::history`).
//!
//! Every member serves watches from its own applied state, so a watch on a
//! follower sees the same sequence as one on the leader, at most a little
//! later. Each stream has a task of its own that reads the history a page
//! at a time and queues the events for the connection ([`QUEUE`] at most):
//! a slow watcher costs its queue and nothing else, and one whose queue
//! stays full for [`LAG_TIMEOUT`] gets a `lagged` event and its stream
//! ends, so it never holds the node back.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use concord_core::api::{Code, ErrorBody, WatchEnd, WatchEvent, WatchParams, WatchProgress};
use concord_core::auth::{Need, Scope};
use concord_core::limits::validate_key;
use concord_core::store::{EventPage, HistoryError, KvReader, WatchFilter};
use futures::StreamExt;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::http::query;
use crate::node::{now_ms, Node};

/// Events queued for one watcher at most.
const QUEUE: usize = 256;
/// A watcher whose queue stays full this long is told it lagged.
const LAG_TIMEOUT: Duration = Duration::from_secs(10);
/// History events looked at per page read.
const PAGE_EVENTS: usize = 1024;
/// At most this long between two `progress` events of an idle stream (less
/// when `--client-read-timeout` is shorter, so the connection stays open).
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

/// `GET /v1/watch`.
#[utoipa::path(
    get, path = "/v1/watch", tag = "kv",
    summary = "Watch a key or prefix",
    description = "A Server-Sent Events stream of every change to `key` (or to the keys under `prefix`) committed after `start_revision` (default: from now on), in revision order, with no gaps and no repeats. Events: `put` and `delete` (data: a WatchEvent; the last event of each revision carries `id:` its revision), `progress` every few seconds (data: a WatchProgress, with `id:`), and, ending the stream, `lagged` (the watcher read too slowly) or `compacted` (data: a WatchEnd). Resume with `start_revision` (or `Last-Event-ID`) set to the last `id` seen. 410 `compacted`, with `oldest_revision`, when the history no longer holds the revisions asked for. Served by any member. Needs `read` on the key or the whole prefix.",
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
    let start = match (params.start_revision, headers.get("last-event-id")) {
        (Some(rev), _) => rev,
        (None, Some(v)) => v
            .to_str()
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| ApiError::invalid("Last-Event-ID must be a revision"))?,
        (None, None) => *node.reader.applied_revisions().borrow(),
    };
    // The first page before answering: a revision the history no longer
    // holds is a 410, not a stream that ends at once.
    let page = read_page(&node.reader, start, &filter).await.map_err(|e| match e {
        HistoryError::Compacted { oldest } => compacted(start, oldest),
        HistoryError::Io(e) => ApiError::read("reading the watch history", e),
    })?;
    let (tx, rx) = mpsc::channel(QUEUE);
    let (end_tx, end_rx) = oneshot::channel();
    let stream = Stream {
        reader: node.reader.clone(),
        filter,
        prev_kv: params.prev_kv == Some(true),
        cursor: start,
        tx,
        end: Some(end_tx),
        progress_every: PROGRESS_EVERY.min(node.config.client_read_timeout / 2),
    };
    tokio::spawn(stream.run(page));
    let events = futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|e| (e, rx)) });
    let end = futures::stream::once(end_rx).filter_map(|e| async move { e.ok() });
    let body = events.chain(end).map(Ok::<_, Infallible>);
    Ok(Sse::new(body).into_response())
}

fn compacted(asked: u64, oldest: u64) -> ApiError {
    let mut e = ApiError::new(
        Code::Compacted,
        format!(
            "the watch history no longer holds the changes after revision {asked}; the oldest start_revision \
             possible is {oldest}"
        ),
    );
    e.oldest_revision = Some(oldest);
    e
}

async fn read_page(reader: &KvReader, after: u64, filter: &WatchFilter) -> Result<EventPage, HistoryError> {
    let (reader, filter) = (reader.clone(), filter.clone());
    tokio::task::spawn_blocking(move || reader.events_after(after, &filter, PAGE_EVENTS))
        .await
        .map_err(|e| HistoryError::Io(std::io::Error::other(e)))?
}

fn data(event: &str, body: &impl serde::Serialize) -> Event {
    match Event::default().event(event).json_data(body) {
        Ok(e) => e,
        // Our own types always serialize.
        Err(e) => Event::default().event("error").data(e.to_string()),
    }
}

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
    tx: mpsc::Sender<Event>,
    /// The last event, sent after everything queued.
    end: Option<oneshot::Sender<Event>>,
    progress_every: Duration,
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
            let more = page.more;
            match self.send_page(page).await {
                Ok(()) => {}
                Err(Stop::Gone) => return,
                Err(Stop::Lagged) => {
                    return self.finish("lagged", "this watcher read too slowly; resume from revision")
                }
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
                    let message = format!(
                        "the watch history no longer holds the changes after revision {}; the oldest start_revision \
                         possible is {oldest}",
                        self.cursor
                    );
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
                    return;
                }
            };
        }
    }

    /// Queues a page's events; the last event of each revision carries its
    /// revision as the SSE id, and moves the cursor.
    async fn send_page(&mut self, page: EventPage) -> Result<(), Stop> {
        let now = now_ms();
        let mut events = page.events.into_iter().peekable();
        while let Some((revision, ev)) = events.next() {
            let last_of_revision = events.peek().is_none_or(|(next, _)| *next != revision);
            let body = WatchEvent::new(revision, ev, self.prev_kv, now);
            let mut event = data(&body.kind.clone(), &body);
            if last_of_revision {
                event = event.id(revision.to_string());
            }
            self.queue(event).await?;
            if last_of_revision {
                self.cursor = revision;
            }
        }
        self.cursor = self.cursor.max(page.through);
        Ok(())
    }

    async fn progress(&mut self) -> Result<(), Stop> {
        let event = data("progress", &WatchProgress { revision: self.cursor }).id(self.cursor.to_string());
        self.queue(event).await
    }

    async fn queue(&self, event: Event) -> Result<(), Stop> {
        match self.tx.send_timeout(event, LAG_TIMEOUT).await {
            Ok(()) => Ok(()),
            Err(mpsc::error::SendTimeoutError::Timeout(_)) => Err(Stop::Lagged),
            Err(mpsc::error::SendTimeoutError::Closed(_)) => Err(Stop::Gone),
        }
    }

    fn stopped(self, stop: Stop) {
        match stop {
            Stop::Gone => {}
            Stop::Lagged => self.finish("lagged", "this watcher read too slowly; resume from revision"),
        }
    }

    fn finish(self, event: &str, why: &str) {
        let message = format!("{why} {}", self.cursor);
        let revision = self.cursor;
        self.end_with(event, message, revision)
    }

    /// Ends the stream with `event` after what is queued.
    fn end_with(mut self, event: &str, message: String, revision: u64) {
        if let Some(end) = self.end.take() {
            let _ = end.send(data(event, &WatchEnd { message, revision }));
        }
    }
}
