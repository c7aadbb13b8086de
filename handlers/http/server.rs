//! The HTTP/1.1 server: our own accept loop instead of `axum::serve`, so no
//! client can hold connections open for free (M2).
//!
//! - A connection may take `header_read_timeout` to deliver a request head;
//!   hyper runs that clock from the moment it waits for a request, so it
//!   also bounds a kept-alive connection between requests.
//! - A connection with no request in flight that has sent nothing for
//!   `keep_alive_timeout` is closed.
//! - A request body must arrive within `body_timeout` plus one second per
//!   `min_body_bytes_per_sec` received: a slow but steady upload from a
//!   phone goes through, a trickle does not.
//! - At most `max_connections` are open at once. Beyond that the server
//!   stops accepting, and new connections wait in the kernel's backlog
//!   instead of using up file descriptors.
//! - Accept errors (`EMFILE` when descriptors run out) back off and retry;
//!   they never end the server and never spin.
//!
//! Handlers see the peer as `ConnectInfo<SocketAddr>`, as with axum's own
//! server. On shutdown the server stops accepting, lets requests in flight
//! finish and closes idle connections.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::{Body as HttpBody, Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

/// How long and how slowly a client may keep the server waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    pub header_read_timeout: Duration,
    pub keep_alive_timeout: Duration,
    pub body_timeout: Duration,
    pub min_body_bytes_per_sec: u64,
    pub max_connections: u32,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            header_read_timeout: Duration::from_secs(10),
            keep_alive_timeout: Duration::from_secs(5),
            body_timeout: Duration::from_secs(30),
            min_body_bytes_per_sec: 4096,
            max_connections: 512,
        }
    }
}

/// Serve `router` on `listener` until `shutdown` completes, then drain.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections as usize));
    let (stop, stopped) = watch::channel(false);
    let mut backoff = Backoff::default();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = permits.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer)) => {
                backoff.reset();
                tokio::spawn(serve_connection(
                    stream,
                    peer,
                    router.clone(),
                    limits,
                    stopped.clone(),
                    permit,
                ));
            }
            Err(e) if is_connection_error(&e) => {}
            Err(e) => {
                // Out of descriptors or memory: wait for connections to end.
                tracing::warn!(error = %e, "accept failed; backing off");
                tokio::select! {
                    () = &mut shutdown => break,
                    () = backoff.wait() => {}
                }
            }
        }
    }
    drop(listener);
    stop.send_replace(true);
    // Every connection holds a permit until it ends.
    let _all = permits.acquire_many(limits.max_connections).await;
    Ok(())
}

/// Errors of one connection that went away before it was accepted.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset, Interrupted};
    matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset | Interrupted
    )
}

/// Waits doubling from 10 ms to 1 s.
#[derive(Default)]
struct Backoff {
    failures: u32,
}

impl Backoff {
    fn reset(&mut self) {
        self.failures = 0;
    }

    async fn wait(&mut self) {
        let ms = 10u64.saturating_mul(1 << self.failures.min(7)).min(1000);
        self.failures = self.failures.saturating_add(1);
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: ServerLimits,
    mut stopped: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) {
    // Small JSON responses should not wait for Nagle; failure is harmless.
    let _ = stream.set_nodelay(true);
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: activity.clone(),
    });
    let service = {
        let activity = activity.clone();
        hyper::service::service_fn(move |req: Request<Incoming>| {
            let router = router.clone();
            let request = activity.request_started();
            async move {
                let _request = request;
                let mut req = req.map(|body| Body::new(TimedBody::new(body, limits)));
                req.extensions_mut().insert(ConnectInfo(peer));
                router.oneshot(req).await
            }
        })
    };
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .serve_connection(io, service);
    tokio::pin!(conn);
    let mut closing = false;
    loop {
        let check_at = activity.idle_deadline(limits.keep_alive_timeout);
        tokio::select! {
            _ = conn.as_mut() => return,
            // Finish what is in flight, then close.
            _ = stopped.wait_for(|s| *s), if !closing => {
                conn.as_mut().graceful_shutdown();
                closing = true;
            }
            () = tokio::time::sleep_until(check_at), if !closing => {
                if activity.idle_past(limits.keep_alive_timeout) {
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
        }
    }
}

/// What a connection is doing, for the keep-alive timeout.
struct Activity {
    start: Instant,
    in_flight: AtomicUsize,
    /// Milliseconds after `start` when the connection last became idle.
    idle_since_ms: AtomicU64,
    /// A byte arrived since then (a request head is under way).
    read_since_idle: AtomicBool,
}

impl Activity {
    fn new() -> Self {
        Activity {
            start: Instant::now(),
            in_flight: AtomicUsize::new(0),
            idle_since_ms: AtomicU64::new(0),
            read_since_idle: AtomicBool::new(false),
        }
    }

    fn request_started(self: &Arc<Self>) -> RequestGuard {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        RequestGuard(self.clone())
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// When to look again: the end of the idle period if idle, else one
    /// timeout from now.
    fn idle_deadline(&self, timeout: Duration) -> Instant {
        if self.in_flight.load(Ordering::SeqCst) == 0
            && !self.read_since_idle.load(Ordering::SeqCst)
        {
            self.start + Duration::from_millis(self.idle_since_ms.load(Ordering::SeqCst)) + timeout
        } else {
            Instant::now() + timeout
        }
    }

    fn idle_past(&self, timeout: Duration) -> bool {
        let since = Duration::from_millis(self.idle_since_ms.load(Ordering::SeqCst));
        self.in_flight.load(Ordering::SeqCst) == 0
            && !self.read_since_idle.load(Ordering::SeqCst)
            && self.start.elapsed() >= since + timeout
    }
}

/// Marks the end of a request (its response head is ready, or it was
/// dropped): the connection is idle from now on.
struct RequestGuard(Arc<Activity>);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        let a = &self.0;
        a.idle_since_ms.store(a.now_ms(), Ordering::SeqCst);
        a.read_since_idle.store(false, Ordering::SeqCst);
        a.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The socket, noting when bytes arrive.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let result = ready!(Pin::new(&mut self.inner).poll_read(cx, buf));
        if buf.filled().len() > before {
            self.activity.read_since_idle.store(true, Ordering::SeqCst);
        }
        Poll::Ready(result)
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the request body arrived too slowly")]
pub struct BodyTooSlow;

/// A request body with a deadline that grows with every byte received.
struct TimedBody {
    inner: Incoming,
    started: Instant,
    received: u64,
    grace: Duration,
    floor: u64,
    timer: Option<Pin<Box<Sleep>>>,
}

impl TimedBody {
    fn new(inner: Incoming, limits: ServerLimits) -> Self {
        TimedBody {
            inner,
            started: Instant::now(),
            received: 0,
            grace: limits.body_timeout,
            floor: limits.min_body_bytes_per_sec.max(1),
            timer: None,
        }
    }

    fn deadline(&self) -> Instant {
        let earned = Duration::from_secs(self.received / self.floor);
        self.started
            .checked_add(self.grace.saturating_add(earned))
            .unwrap_or_else(|| Instant::now() + self.grace)
    }
}

impl HttpBody for TimedBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    self.received = self.received.saturating_add(data.len() as u64);
                    let deadline = self.deadline();
                    if let Some(timer) = self.timer.as_mut() {
                        timer.as_mut().reset(deadline);
                    }
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                let deadline = self.deadline();
                let timer = self
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(BodyTooSlow.into()))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
