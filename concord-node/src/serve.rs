//! The accept loop both listeners share, on hyper-util, with every phase of
//! a connection bounded.
//!
//! - HTTP/1.1 only (an h2c preface is refused).
//! - A connection that moves no bytes for `idle` (`--client-read-timeout`)
//!   while no handler is running is closed: before its first byte, while
//!   headers trickle, between kept-alive requests, and while an answer is being sent to a client that
//!   stopped reading (its body, and the permit it holds, go with it). A
//!   handler waiting for Raft moves no bytes and is left alone: every
//!   handler is bounded by `--request-timeout` or the body deadline.
//! - At most `max` (`--max-connections`) connections are open per listener.
//!   At the cap, the connection idle the longest is closed to admit the new
//!   one; when every connection has a request in flight, the new one is
//!   closed at once. Idle sockets can neither exhaust file descriptors nor
//!   lock out real clients.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::response::Response;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// How a listener bounds its connections.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Close a connection that moves no bytes this long with no request in
    /// flight; also the deadline for a request's headers.
    pub idle: Duration,
    /// Most connections open at once.
    pub max: usize,
}

/// One open connection, as the accept loop and the watchdog see it.
struct Conn {
    /// Milliseconds since the listener's start at the last byte read or
    /// written.
    last_io: AtomicU64,
    /// Requests whose handler has not returned yet.
    in_flight: AtomicUsize,
    evict: Notify,
}

/// The connections of one listener.
struct Registry {
    started: Instant,
    next_id: AtomicU64,
    open: Mutex<HashMap<u64, Arc<Conn>>>,
}

impl Registry {
    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// Registers a new connection, closing the longest-idle one first when
    /// the listener is at `max`. `None`: every connection is busy.
    fn admit(self: &Arc<Self>, max: usize) -> Option<(u64, Arc<Conn>)> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.len() >= max {
            let idlest = open
                .iter()
                .filter(|(_, c)| c.in_flight.load(Ordering::Acquire) == 0)
                .min_by_key(|(_, c)| c.last_io.load(Ordering::Relaxed))
                .map(|(id, _)| *id)?;
            if let Some(c) = open.remove(&idlest) {
                c.evict.notify_one();
            }
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let conn = Arc::new(Conn {
            last_io: AtomicU64::new(self.now_ms()),
            in_flight: AtomicUsize::new(0),
            evict: Notify::new(),
        });
        open.insert(id, conn.clone());
        Some((id, conn))
    }

    fn remove(&self, id: u64) {
        self.open.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
    }
}

/// A TCP stream that records when it last moved bytes.
struct Tracked {
    stream: TcpStream,
    conn: Arc<Conn>,
    registry: Arc<Registry>,
}

impl Tracked {
    fn touch(&self, n: usize) {
        if n > 0 {
            self.conn.last_io.store(self.registry.now_ms(), Ordering::Relaxed);
        }
    }
}

impl AsyncRead for Tracked {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let res = Pin::new(&mut self.stream).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = res {
            self.touch(buf.filled().len() - before);
        }
        res
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let res = Pin::new(&mut self.stream).poll_write(cx, data);
        if let Poll::Ready(Ok(n)) = res {
            self.touch(n);
        }
        res
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Counts a request as in flight until its handler returns.
struct InFlight(Arc<Conn>);

impl InFlight {
    fn new(conn: Arc<Conn>) -> Self {
        conn.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(conn)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that keeps a guard alive until it has been sent (or
/// dropped, when the connection goes). Data is handed to hyper in pieces of
/// at most [`PIECE`] bytes: hyper asks for the next piece only once it has
/// written most of the last, so a body (a large value or listing in one
/// buffer included) ends, and the guard goes, only once the client has
/// taken nearly all of it.
struct Guarded<G> {
    body: Body,
    /// What is left of the last data frame.
    rest: Bytes,
    _guard: G,
}

const PIECE: usize = 64 * 1024;

impl<G: Unpin> HttpBody for Guarded<G> {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        if self.rest.is_empty() {
            match Pin::new(&mut self.body).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => self.rest = data,
                    Err(frame) => return Poll::Ready(Some(Ok(frame))),
                },
                other => return other,
            }
        }
        let n = self.rest.len().min(PIECE);
        let piece = self.rest.split_to(n);
        Poll::Ready(Some(Ok(http_body::Frame::data(piece))))
    }

    fn is_end_stream(&self) -> bool {
        self.rest.is_empty() && self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        let inner = self.body.size_hint();
        let rest = self.rest.len() as u64;
        let mut hint = http_body::SizeHint::new();
        hint.set_lower(inner.lower() + rest);
        if let Some(upper) = inner.upper() {
            hint.set_upper(upper + rest);
        }
        hint
    }
}

/// Keeps `guard` alive until `resp`'s body has been sent (or dropped).
pub(crate) fn hold_until_sent<G: Send + Sync + Unpin + 'static>(resp: Response, guard: G) -> Response {
    resp.map(|body| {
        Body::new(Guarded {
            body,
            rest: Bytes::new(),
            _guard: guard,
        })
    })
}

/// Resolves when `conn` has moved no bytes for `idle` with no request in
/// flight, or when it is evicted.
async fn watchdog(conn: &Conn, registry: &Registry, idle: Duration) {
    let idle_ms = idle.as_millis() as u64;
    loop {
        let now = registry.now_ms();
        let busy = conn.in_flight.load(Ordering::Acquire) > 0;
        let last = conn.last_io.load(Ordering::Relaxed);
        if !busy && now.saturating_sub(last) >= idle_ms {
            return;
        }
        let wait = if busy {
            idle_ms
        } else {
            (last + idle_ms).saturating_sub(now).max(1)
        };
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(wait)) => {}
            // A request may have started since the eviction was chosen: it
            // is served (the connection has left the registry already).
            () = conn.evict.notified() => if conn.in_flight.load(Ordering::Acquire) == 0 {
                return;
            },
        }
    }
}

/// File descriptors kept for storage (fjall's files, the log, snapshots)
/// and outgoing peer connections, beyond both listeners' connections.
const RESERVED_FDS: u64 = 1024;

/// Raises this process's open-file limit to its hard limit and returns the
/// most connections each of the two listeners may hold within it, at most
/// `wanted`: running out of descriptors would fail fjall's file opens,
/// which stops the node.
pub(crate) fn fit_connections(wanted: usize) -> usize {
    let limit = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read or raise the open-file limit");
            return wanted;
        }
    };
    let room = usize::try_from(limit.saturating_sub(RESERVED_FDS) / 2)
        .unwrap_or(usize::MAX)
        .max(16);
    if room < wanted {
        tracing::warn!(
            wanted,
            allowed = room,
            open_file_limit = limit,
            "--max-connections lowered to fit the open-file limit (raise `ulimit -n` for more)"
        );
        return room;
    }
    wanted
}

/// Resolves once `rx` says stop.
pub(crate) async fn stopped(mut rx: tokio::sync::watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}

/// [`serve`], owning its listener (for `tokio::spawn`).
pub(crate) async fn serve_owned(
    listener: TcpListener,
    router: axum::Router,
    limits: Limits,
    tls: Option<tokio_rustls::TlsAcceptor>,
    stop: impl Future<Output = ()>,
) {
    serve(&listener, router, limits, tls, stop).await
}

/// A connection's byte stream: plain, or TLS over it.
trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

/// The certificate a TLS client presented (its chain already verified by
/// rustls), in the extensions of its requests.
#[derive(Debug, Clone)]
pub(crate) struct PeerCert(pub(crate) Arc<rustls::pki_types::CertificateDer<'static>>);

/// The address a request came from, in every request's extensions.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Remote(pub(crate) std::net::SocketAddr);

/// Serves `router` on `listener` until `stop`, then lets open connections
/// finish. Like `axum::serve`, plus the bounds in the module doc. With
/// `tls`, each connection's handshake must finish within `limits.idle`.
pub(crate) async fn serve(
    listener: &TcpListener,
    router: axum::Router,
    limits: Limits,
    tls: Option<tokio_rustls::TlsAcceptor>,
    stop: impl Future<Output = ()>,
) {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    // HTTP/1.1 only: no client of ours speaks h2c, and HTTP/2's flow
    // control lets a client stall every answer on a connection while PINGs
    // keep it looking alive. An h2c preface is refused at once.
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.idle);
    let router = router.layer(axum::middleware::from_fn(track));
    let registry = Arc::new(Registry {
        started: Instant::now(),
        next_id: AtomicU64::new(0),
        open: Mutex::new(HashMap::new()),
    });
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    let mut last_full_warning: Option<Instant> = None;
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: wait rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let Some((id, conn)) = registry.admit(limits.max) else {
            if last_full_warning.is_none_or(|t| t.elapsed() > Duration::from_secs(10)) {
                tracing::warn!(
                    max = limits.max,
                    "every connection has a request in flight; closing a new one (--max-connections)"
                );
                last_full_warning = Some(Instant::now());
            }
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let loopback = stream.local_addr().map_or(true, |a| a.ip().is_loopback());
        let per_conn = conn.clone();
        let router = router.clone();
        // Built once the handshake is done: a TLS client's certificate goes
        // into every request's extensions too.
        let service = move |cert: Option<PeerCert>| {
            let service = tower::ServiceExt::map_request(router, move |req: axum::http::Request<_>| {
                let mut req = req.map(Body::new);
                req.extensions_mut().insert(RequestGuard {
                    conn: per_conn.clone(),
                    loopback,
                });
                req.extensions_mut().insert(Remote(remote));
                if let Some(cert) = &cert {
                    req.extensions_mut().insert(cert.clone());
                }
                req
            });
            hyper_util::service::TowerToHyperService::new(service)
        };
        let tracked = Tracked {
            stream,
            conn: conn.clone(),
            registry: registry.clone(),
        };
        let (builder, graceful, registry, tls) = (builder.clone(), graceful.watcher(), registry.clone(), tls.clone());
        tokio::spawn(async move {
            let (io, cert): (Box<dyn Io>, _) = match tls {
                None => (Box::new(tracked), None),
                Some(acceptor) => match tokio::time::timeout(limits.idle, acceptor.accept(tracked)).await {
                    Ok(Ok(stream)) => {
                        let cert = stream
                            .get_ref()
                            .1
                            .peer_certificates()
                            .and_then(|chain| chain.first())
                            .map(|c| PeerCert(Arc::new(c.clone().into_owned())));
                        (Box::new(stream), cert)
                    }
                    Ok(Err(e)) => {
                        tracing::debug!(%remote, error = %e, "TLS handshake failed");
                        registry.remove(id);
                        return;
                    }
                    Err(_) => {
                        tracing::debug!(%remote, "TLS handshake timed out");
                        registry.remove(id);
                        return;
                    }
                },
            };
            let served = builder.serve_connection_with_upgrades(TokioIo::new(io), service(cert));
            let served = graceful.watch(served.into_owned());
            tokio::select! {
                res = served => if let Err(e) = res {
                    tracing::debug!(error = %e, "connection ended with an error");
                },
                () = watchdog(&conn, &registry, limits.idle) => {
                    tracing::debug!("closing an idle connection");
                }
            }
            registry.remove(id);
        });
    }
    graceful.shutdown().await;
}

/// Put in every request's extensions by [`serve`]; [`track`] turns it into
/// an in-flight count that lasts while the handler runs.
#[derive(Clone)]
struct RequestGuard {
    conn: Arc<Conn>,
    /// The connection arrived on a loopback address of this host.
    loopback: bool,
}

/// Did `req` arrive on a loopback address (or is that unknown)?
pub(crate) fn arrived_on_loopback(req: &Request) -> bool {
    req.extensions().get::<RequestGuard>().is_none_or(|g| g.loopback)
}

/// Middleware on every listener: marks the request's connection busy while
/// its handler runs, so the idle watchdog never cuts a request that waits
/// for Raft. Sending the answer is bounded by the watchdog like any other
/// traffic: a client that stops reading is cut off after `idle`.
async fn track(req: Request, next: axum::middleware::Next) -> Response {
    let _busy = req
        .extensions()
        .get::<RequestGuard>()
        .map(|g| InFlight::new(g.conn.clone()));
    next.run(req).await
}
