//! A loopback TCP proxy between the simulated devices and the ward record that injects
//! network faults.
//!
//! Devices use one connection per exchange (`Connection: close`), so a fault is decided
//! per connection, in accept order, by a seeded RNG: the same seed and the same order of
//! connections give the same faults. The proxy reads the whole request, and the whole
//! answer (by Content-Length, chunked end, or the server closing), before it forwards
//! anything, so it knows for certain which side of the exchange a cut falls on.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

/// The client has this long to send its whole request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The server has this long to answer in full.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);
/// Larger requests or answers are refused (the proxy holds each in memory).
const MAX_MESSAGE: usize = 64 * 1024 * 1024;
/// Decisions kept for [`Proxy::decisions`].
const MAX_HISTORY: usize = 100_000;

/// Relative weights of each fault (normalised; they need not sum to 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Faults {
    pub pass: f64,
    pub delay: f64,
    pub cut_before_upstream: f64,
    pub cut_answer: f64,
    pub cut_mid_answer: f64,
    /// A delay is drawn from `0..=max_delay_ms`.
    pub max_delay_ms: u64,
}

impl Faults {
    /// No faults.
    pub fn none() -> Self {
        Self::only(FaultKind::Pass)
    }

    /// This fault on every connection.
    pub fn only(kind: FaultKind) -> Self {
        let mut f = Self {
            pass: 0.0,
            delay: 0.0,
            cut_before_upstream: 0.0,
            cut_answer: 0.0,
            cut_mid_answer: 0.0,
            max_delay_ms: 200,
        };
        *f.weight_mut(kind) = 1.0;
        f
    }

    pub fn weight_mut(&mut self, kind: FaultKind) -> &mut f64 {
        match kind {
            FaultKind::Pass => &mut self.pass,
            FaultKind::Delay => &mut self.delay,
            FaultKind::CutBeforeUpstream => &mut self.cut_before_upstream,
            FaultKind::CutAnswer => &mut self.cut_answer,
            FaultKind::CutMidAnswer => &mut self.cut_mid_answer,
        }
    }

    fn weights(&self) -> [(FaultKind, f64); 5] {
        [
            (FaultKind::Pass, self.pass),
            (FaultKind::Delay, self.delay),
            (FaultKind::CutBeforeUpstream, self.cut_before_upstream),
            (FaultKind::CutAnswer, self.cut_answer),
            (FaultKind::CutMidAnswer, self.cut_mid_answer),
        ]
    }

    pub fn validate(&self) -> Result<(), String> {
        let mut total = 0.0;
        for (kind, w) in self.weights() {
            if !(w.is_finite() && w >= 0.0) {
                return Err(format!(
                    "the weight of {kind:?} must be finite and >= 0 (got {w})"
                ));
            }
            total += w;
        }
        if total <= 0.0 {
            return Err("at least one fault weight must be above 0".into());
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultKind {
    Pass,
    Delay,
    CutBeforeUpstream,
    CutAnswer,
    CutMidAnswer,
}

/// What the proxy does to one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    Pass,
    /// Hold the request before forwarding it, and/or the answer.
    Delay {
        request_ms: u64,
        answer_ms: u64,
    },
    /// Read the request and close: the server never hears of it.
    CutBeforeUpstream,
    /// The server answers in full; the client hears nothing.
    CutAnswer,
    /// Forward this share (per mille) of the answer's bytes, at least one and always
    /// at least one byte short.
    CutMidAnswer {
        keep_per_mille: u16,
    },
}

impl Fault {
    pub fn kind(&self) -> FaultKind {
        match self {
            Self::Pass => FaultKind::Pass,
            Self::Delay { .. } => FaultKind::Delay,
            Self::CutBeforeUpstream => FaultKind::CutBeforeUpstream,
            Self::CutAnswer => FaultKind::CutAnswer,
            Self::CutMidAnswer { .. } => FaultKind::CutMidAnswer,
        }
    }
}

/// The seeded choice of faults, one per connection.
#[derive(Debug, Clone)]
pub struct Decider {
    rng: StdRng,
    faults: Faults,
}

impl Decider {
    pub fn new(faults: Faults, seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
            faults,
        }
    }

    pub fn faults(&self) -> Faults {
        self.faults
    }

    pub fn set_faults(&mut self, faults: Faults) {
        self.faults = faults;
    }

    pub fn next_fault(&mut self) -> Fault {
        // The same draws every time, so connection n uses the same part of the stream
        // whatever the weights are.
        let pick: f64 = self.rng.gen();
        let max = self.faults.max_delay_ms;
        let a = self.rng.gen_range(0..=max);
        let b = self.rng.gen_range(0..=max);
        let side = self.rng.gen_range(0u8..3);
        let keep = self.rng.gen_range(0u16..1000);

        let weights = self.faults.weights();
        let total: f64 = weights.iter().map(|(_, w)| w).sum();
        let mut at = pick * total;
        let mut kind = FaultKind::Pass;
        for (k, w) in weights {
            if w > 0.0 {
                kind = k;
                if at < w {
                    break;
                }
                at -= w;
            }
        }
        match kind {
            FaultKind::Pass => Fault::Pass,
            FaultKind::Delay => match side {
                0 => Fault::Delay {
                    request_ms: a,
                    answer_ms: 0,
                },
                1 => Fault::Delay {
                    request_ms: 0,
                    answer_ms: b,
                },
                _ => Fault::Delay {
                    request_ms: a,
                    answer_ms: b,
                },
            },
            FaultKind::CutBeforeUpstream => Fault::CutBeforeUpstream,
            FaultKind::CutAnswer => Fault::CutAnswer,
            FaultKind::CutMidAnswer => Fault::CutMidAnswer {
                keep_per_mille: keep,
            },
        }
    }
}

/// What happened to connections, counted as it happened (a `CutAnswer` whose server
/// was down counts as `upstream_down`, not `cut_answer`).
#[derive(Debug, Default)]
pub struct Counters {
    pub connections: AtomicU64,
    /// The full answer was forwarded.
    pub pass: AtomicU64,
    /// The full answer was forwarded after a delay.
    pub delay: AtomicU64,
    /// The request was read and dropped; the server was not contacted.
    pub cut_before_upstream: AtomicU64,
    /// The server answered in full; none of it was forwarded.
    pub cut_answer: AtomicU64,
    /// The server answered in full; only a prefix was forwarded.
    pub cut_mid_answer: AtomicU64,
    /// The server could not be reached; the request never got there.
    pub upstream_down: AtomicU64,
    /// The server took the request but broke off (or timed out) before a full answer;
    /// what it sent was forwarded.
    pub upstream_broken: AtomicU64,
    /// The client sent no complete request, or went away before the answer.
    pub client_broken: AtomicU64,
}

/// A snapshot of [`Counters`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub connections: u64,
    pub pass: u64,
    pub delay: u64,
    pub cut_before_upstream: u64,
    pub cut_answer: u64,
    pub cut_mid_answer: u64,
    pub upstream_down: u64,
    pub upstream_broken: u64,
    pub client_broken: u64,
}

impl Counters {
    pub fn snapshot(&self) -> Counts {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Counts {
            connections: g(&self.connections),
            pass: g(&self.pass),
            delay: g(&self.delay),
            cut_before_upstream: g(&self.cut_before_upstream),
            cut_answer: g(&self.cut_answer),
            cut_mid_answer: g(&self.cut_mid_answer),
            upstream_down: g(&self.upstream_down),
            upstream_broken: g(&self.upstream_broken),
            client_broken: g(&self.client_broken),
        }
    }
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

struct Shared {
    decider: Mutex<Decider>,
    history: Mutex<Vec<Fault>>,
    counters: Arc<Counters>,
}

pub struct Proxy {
    addr: SocketAddr,
    upstream: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Proxy {
    /// Listens on `127.0.0.1:listen_port` (0: any free port, see [`Proxy::addr`]).
    pub async fn start(
        listen_port: u16,
        upstream: SocketAddr,
        faults: Faults,
        seed: u64,
    ) -> io::Result<Self> {
        faults
            .validate()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let listener = TcpListener::bind(("127.0.0.1", listen_port)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            decider: Mutex::new(Decider::new(faults, seed)),
            history: Mutex::new(Vec::new()),
            counters: Arc::new(Counters::default()),
        });
        let task = tokio::spawn(accept_loop(listener, upstream, shared.clone()));
        Ok(Self {
            addr,
            upstream,
            shared,
            task,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn upstream(&self) -> SocketAddr {
        self.upstream
    }

    pub fn counters(&self) -> Arc<Counters> {
        self.shared.counters.clone()
    }

    pub fn counts(&self) -> Counts {
        self.shared.counters.snapshot()
    }

    /// The faults decided so far, in accept order (the first 100 000).
    pub fn decisions(&self) -> Vec<Fault> {
        self.shared.history.lock().unwrap().clone()
    }

    /// New weights from the next connection on; the RNG stream carries on.
    pub fn set_faults(&self, faults: Faults) -> Result<(), String> {
        faults.validate()?;
        self.shared.decider.lock().unwrap().set_faults(faults);
        Ok(())
    }

    /// Stops listening and drops every connection in flight.
    pub async fn stop(mut self) {
        self.task.abort();
        let _ = (&mut self.task).await;
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, upstream: SocketAddr, shared: Arc<Shared>) {
    // Owned here, so aborting this task aborts every connection too.
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((client, _)) => {
                    bump(&shared.counters.connections);
                    let fault = shared.decider.lock().unwrap().next_fault();
                    {
                        let mut h = shared.history.lock().unwrap();
                        if h.len() < MAX_HISTORY {
                            h.push(fault);
                        }
                    }
                    connections.spawn(handle(client, fault, upstream, shared.counters.clone()));
                }
                // Out of file descriptors and the like: back off, do not spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn handle(mut client: TcpStream, fault: Fault, upstream: SocketAddr, c: Arc<Counters>) {
    let _ = client.set_nodelay(true);
    let request = match read_message(&mut client, Side::Request, REQUEST_TIMEOUT).await {
        Read::Complete(bytes) => bytes,
        Read::Incomplete { .. } => return bump(&c.client_broken),
    };
    if fault == Fault::CutBeforeUpstream {
        return bump(&c.cut_before_upstream);
    }
    if let Fault::Delay { request_ms, .. } = fault {
        tokio::time::sleep(Duration::from_millis(request_ms)).await;
    }
    let mut server = match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(upstream)).await
    {
        Ok(Ok(s)) => s,
        _ => return bump(&c.upstream_down),
    };
    let _ = server.set_nodelay(true);
    if server.write_all(&request).await.is_err() {
        return bump(&c.upstream_broken);
    }
    let head_request = request.starts_with(b"HEAD ");
    let side = Side::Response { head_request };
    let answer = match read_message(&mut server, side, ANSWER_TIMEOUT).await {
        Read::Complete(bytes) => bytes,
        Read::Incomplete { bytes, .. } => {
            // The server died or stalled mid-answer: the client sees what it sent.
            let _ = client.write_all(&bytes).await;
            return bump(&c.upstream_broken);
        }
    };
    drop(server);
    let (forward, counter) = match fault {
        Fault::CutAnswer => return bump(&c.cut_answer),
        Fault::CutMidAnswer { keep_per_mille } => {
            let keep = answer.len() * usize::from(keep_per_mille) / 1000;
            let keep = keep.clamp(1, answer.len().saturating_sub(1).max(1));
            (&answer[..keep.min(answer.len())], &c.cut_mid_answer)
        }
        Fault::Delay { answer_ms, .. } => {
            tokio::time::sleep(Duration::from_millis(answer_ms)).await;
            (&answer[..], &c.delay)
        }
        Fault::Pass | Fault::CutBeforeUpstream => (&answer[..], &c.pass),
    };
    match client.write_all(forward).await {
        Ok(()) => {
            let _ = client.shutdown().await;
            bump(counter);
        }
        Err(_) => bump(&c.client_broken),
    }
}

#[derive(Debug, Clone, Copy)]
enum Side {
    Request,
    Response { head_request: bool },
}

#[derive(Debug)]
enum Read {
    Complete(Vec<u8>),
    Incomplete {
        bytes: Vec<u8>,
        #[allow(dead_code)] // read in tests and debugging
        why: String,
    },
}

/// Reads one HTTP/1.1 message, by its framing or (an answer without framing) until EOF.
async fn read_message<R: AsyncRead + Unpin>(r: &mut R, side: Side, within: Duration) -> Read {
    let deadline = Instant::now() + within;
    let mut buf = Vec::with_capacity(8 * 1024);
    let incomplete = |bytes, why: String| Read::Incomplete { bytes, why };
    loop {
        match message_end(&buf, side) {
            Ok(End::At(n)) => {
                buf.truncate(n);
                return Read::Complete(buf);
            }
            Ok(End::NotYet) | Ok(End::AtEof) => {}
            Err(e) => return incomplete(buf, e),
        }
        if buf.len() >= MAX_MESSAGE {
            return incomplete(buf, "message too large".into());
        }
        match tokio::time::timeout_at(deadline, r.read_buf(&mut buf)).await {
            Err(_) => return incomplete(buf, format!("not complete within {within:?}")),
            Ok(Err(e)) => return incomplete(buf, e.to_string()),
            Ok(Ok(0)) => {
                return match message_end(&buf, side) {
                    Ok(End::AtEof) => Read::Complete(buf),
                    _ => incomplete(buf, "closed before the message was complete".into()),
                }
            }
            Ok(Ok(_)) => {}
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum End {
    NotYet,
    /// The message is the first n bytes.
    At(usize),
    /// An answer without length: it ends when the server closes.
    AtEof,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Where the message at the start of `buf` ends, if that is known yet.
fn message_end(buf: &[u8], side: Side) -> Result<End, String> {
    let Some(head_len) = find(buf, b"\r\n\r\n").map(|i| i + 4) else {
        return Ok(End::NotYet);
    };
    let head = std::str::from_utf8(&buf[..head_len]).map_err(|_| "head is not UTF-8")?;
    let mut lines = head.split("\r\n");
    let first = lines.next().unwrap_or_default();
    let mut length = None;
    let mut chunked = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(
                value
                    .parse::<usize>()
                    .map_err(|_| format!("bad Content-Length {value:?}"))?,
            );
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().ends_with("chunked");
        }
    }
    if let Side::Response { head_request } = side {
        let status: u16 = first
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("bad status line {first:?}"))?;
        if head_request || status < 200 || status == 204 || status == 304 {
            return Ok(End::At(head_len));
        }
    }
    let body = &buf[head_len..];
    if chunked {
        return Ok(match chunked_len(body)? {
            Some(n) => End::At(head_len + n),
            None => End::NotYet,
        });
    }
    match (length, side) {
        (Some(n), _) if body.len() >= n => Ok(End::At(head_len + n)),
        (Some(_), _) => Ok(End::NotYet),
        (None, Side::Request) => Ok(End::At(head_len)),
        (None, Side::Response { .. }) => Ok(End::AtEof),
    }
}

/// The length of a complete chunked body at the start of `body`, trailers included.
fn chunked_len(body: &[u8]) -> Result<Option<usize>, String> {
    let mut i = 0;
    loop {
        let Some(line_len) = find(&body[i..], b"\r\n") else {
            return Ok(None);
        };
        let line = std::str::from_utf8(&body[i..i + line_len]).map_err(|_| "bad chunk line")?;
        let hex = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(hex, 16).map_err(|_| format!("bad chunk size {hex:?}"))?;
        i += line_len + 2;
        if size == 0 {
            // Trailer lines, then an empty line.
            loop {
                let Some(n) = find(&body[i..], b"\r\n") else {
                    return Ok(None);
                };
                i += n + 2;
                if n == 0 {
                    return Ok(Some(i));
                }
            }
        }
        if body.len() < i + size + 2 {
            return Ok(None);
        }
        if &body[i + size..i + size + 2] != b"\r\n" {
            return Err("chunk not followed by CRLF".into());
        }
        i += size + 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{Client, LostKind, Method};

    const REPLY: &[u8] =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";
    const CHUNKED_REPLY: &[u8] = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";

    /// A tiny upstream: answers every request with a fixed reply and counts the
    /// requests it read in full. It keeps the connection open after answering (until
    /// the peer closes), so the proxy must find the end of the answer by its framing.
    struct Upstream {
        addr: SocketAddr,
        requests: Arc<AtomicU64>,
        bodies: Arc<Mutex<Vec<Vec<u8>>>>,
        task: JoinHandle<()>,
    }

    impl Upstream {
        async fn start(reply: &'static [u8]) -> Self {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let requests = Arc::new(AtomicU64::new(0));
            let bodies = Arc::new(Mutex::new(Vec::new()));
            let (r, b) = (requests.clone(), bodies.clone());
            let task = tokio::spawn(async move {
                let mut conns = JoinSet::new();
                loop {
                    let (s, _) = listener.accept().await.unwrap();
                    conns.spawn(Self::serve(s, reply, r.clone(), b.clone()));
                }
            });
            Self {
                addr,
                requests,
                bodies,
                task,
            }
        }

        async fn serve(
            mut s: TcpStream,
            reply: &'static [u8],
            requests: Arc<AtomicU64>,
            bodies: Arc<Mutex<Vec<Vec<u8>>>>,
        ) {
            let work = async {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // Parsed by hand here, not by the proxy's parser, so the test checks it.
                let head_end = loop {
                    if let Some(i) = find(&buf, b"\r\n\r\n") {
                        break i + 4;
                    }
                    let n = s.read(&mut chunk).await.ok()?;
                    if n == 0 {
                        return None;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map(|v| v.trim().parse().unwrap())
                    .unwrap_or(0);
                while buf.len() < head_end + length {
                    let n = s.read(&mut chunk).await.ok()?;
                    if n == 0 {
                        return None;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                requests.fetch_add(1, Ordering::SeqCst);
                bodies
                    .lock()
                    .unwrap()
                    .push(buf[head_end..head_end + length].to_vec());
                s.write_all(reply).await.ok()?;
                // Held open until the proxy closes its side.
                let _ = s.read(&mut chunk).await;
                Some(())
            };
            let _ = tokio::time::timeout(Duration::from_secs(5), work).await;
        }

        fn requests(&self) -> u64 {
            self.requests.load(Ordering::SeqCst)
        }
    }

    impl Drop for Upstream {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    async fn proxy(upstream: SocketAddr, faults: Faults, seed: u64) -> Proxy {
        Proxy::start(0, upstream, faults, seed).await.unwrap()
    }

    #[tokio::test]
    async fn pass_forwards_request_and_answer() {
        let up = Upstream::start(REPLY).await;
        let p = proxy(up.addr, Faults::none(), 1).await;
        let client = Client::new(p.addr());
        let a = client
            .send(
                Method::POST,
                "/x",
                None,
                Some("application/json"),
                b"{\"n\":1}".to_vec(),
            )
            .await
            .unwrap();
        assert_eq!((a.status, a.body.as_slice()), (200, &b"hello"[..]));
        assert_eq!(up.requests(), 1);
        assert_eq!(up.bodies.lock().unwrap()[0], b"{\"n\":1}");
        let counts = p.counts();
        assert_eq!((counts.connections, counts.pass), (1, 1), "{counts:?}");
        p.stop().await;
    }

    #[tokio::test]
    async fn pass_forwards_a_chunked_answer_whole() {
        let up = Upstream::start(CHUNKED_REPLY).await;
        let p = proxy(up.addr, Faults::none(), 1).await;
        let a = Client::new(p.addr()).get("/x", None).await.unwrap();
        assert_eq!(a.text(), "hello world");
        assert_eq!(p.counts().pass, 1);
    }

    #[tokio::test]
    async fn cut_answer_the_server_acts_and_the_client_hears_nothing() {
        let up = Upstream::start(REPLY).await;
        let p = proxy(up.addr, Faults::only(FaultKind::CutAnswer), 1).await;
        let e = Client::new(p.addr())
            .json(
                Method::POST,
                "/api/sync/push",
                None,
                &serde_json::json!({"m": 1}),
            )
            .await
            .unwrap_err();
        assert_eq!(e.kind, LostKind::Broken, "{e}");
        assert_eq!(up.requests(), 1, "the server got the request");
        assert_eq!(p.counts().cut_answer, 1);
        assert_eq!(p.decisions(), vec![Fault::CutAnswer]);
    }

    #[tokio::test]
    async fn cut_mid_answer_forwards_a_strict_prefix() {
        let up = Upstream::start(REPLY).await;
        let p = proxy(up.addr, Faults::only(FaultKind::CutMidAnswer), 7).await;
        for _ in 0..10 {
            let mut s = TcpStream::connect(p.addr()).await.unwrap();
            s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .await
                .unwrap();
            let mut got = Vec::new();
            tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut got))
                .await
                .unwrap()
                .unwrap();
            assert!(!got.is_empty() && got.len() < REPLY.len(), "{got:?}");
            assert_eq!(got, REPLY[..got.len()]);
        }
        // And a real client calls that lost.
        let e = Client::new(p.addr()).get("/x", None).await.unwrap_err();
        assert_eq!(e.kind, LostKind::Broken, "{e}");
        assert_eq!(up.requests(), 11);
        assert_eq!(p.counts().cut_mid_answer, 11);
    }

    #[tokio::test]
    async fn cut_before_upstream_the_server_never_hears() {
        let up = Upstream::start(REPLY).await;
        let p = proxy(up.addr, Faults::only(FaultKind::CutBeforeUpstream), 1).await;
        let client = Client::new(p.addr());
        for _ in 0..3 {
            let e = client
                .send(Method::POST, "/x", None, None, vec![b'x'; 10_000])
                .await
                .unwrap_err();
            assert_eq!(e.kind, LostKind::Broken, "{e}");
        }
        assert_eq!(up.requests(), 0);
        assert_eq!(p.counts().cut_before_upstream, 3);
    }

    #[tokio::test]
    async fn delay_holds_but_delivers() {
        let up = Upstream::start(REPLY).await;
        let mut faults = Faults::only(FaultKind::Delay);
        faults.max_delay_ms = 150;
        let p = proxy(up.addr, faults, 3).await;
        let client = Client::new(p.addr());
        let began = std::time::Instant::now();
        for _ in 0..6 {
            assert_eq!(client.get("/x", None).await.unwrap().body, b"hello");
        }
        let held: u64 = p
            .decisions()
            .iter()
            .map(|f| match f {
                Fault::Delay {
                    request_ms,
                    answer_ms,
                } => request_ms + answer_ms,
                other => panic!("{other:?}"),
            })
            .sum();
        assert!(began.elapsed() >= Duration::from_millis(held));
        assert_eq!((p.counts().delay, up.requests()), (6, 6));
    }

    #[tokio::test]
    async fn a_server_that_is_down_is_a_lost_exchange() {
        let down = {
            let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
            l.local_addr().unwrap()
        };
        let p = proxy(down, Faults::none(), 1).await;
        let e = Client::new(p.addr()).get("/x", None).await.unwrap_err();
        assert_eq!(e.kind, LostKind::Broken, "{e}");
        assert_eq!(p.counts().upstream_down, 1);
    }

    fn mixed() -> Faults {
        Faults {
            pass: 2.0,
            delay: 1.0,
            cut_before_upstream: 1.0,
            cut_answer: 1.0,
            cut_mid_answer: 1.0,
            max_delay_ms: 20,
        }
    }

    #[test]
    fn the_same_seed_decides_the_same_faults() {
        let run = |seed| {
            let mut d = Decider::new(mixed(), seed);
            (0..1000).map(|_| d.next_fault()).collect::<Vec<_>>()
        };
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
    }

    #[test]
    fn weights_are_respected() {
        let mut d = Decider::new(mixed(), 9);
        let n = 60_000;
        let mut seen = std::collections::HashMap::new();
        for _ in 0..n {
            *seen.entry(d.next_fault().kind()).or_insert(0u32) += 1;
        }
        let share = |k| f64::from(seen[&k]) / f64::from(n);
        assert!(
            (share(FaultKind::Pass) - 2.0 / 6.0).abs() < 0.01,
            "{seen:?}"
        );
        for k in [
            FaultKind::Delay,
            FaultKind::CutBeforeUpstream,
            FaultKind::CutAnswer,
            FaultKind::CutMidAnswer,
        ] {
            assert!((share(k) - 1.0 / 6.0).abs() < 0.01, "{seen:?}");
        }
        let mut only = Decider::new(Faults::only(FaultKind::CutAnswer), 9);
        assert!((0..100).all(|_| only.next_fault() == Fault::CutAnswer));
    }

    #[test]
    fn bad_weights_are_refused() {
        let mut f = Faults::none();
        f.pass = 0.0;
        assert!(f.validate().is_err());
        f.delay = f64::NAN;
        assert!(f.validate().is_err());
        f.delay = -1.0;
        assert!(f.validate().is_err());
    }

    #[tokio::test]
    async fn the_same_seed_gives_the_same_run() {
        async fn run(seed: u64) -> (Vec<Fault>, Vec<Option<u16>>, Counts, u64) {
            let up = Upstream::start(REPLY).await;
            let p = proxy(up.addr, mixed(), seed).await;
            let client = Client::new(p.addr());
            let mut seen = Vec::new();
            for _ in 0..40 {
                seen.push(client.get("/x", None).await.ok().map(|a| a.status));
            }
            let counts = p.counts();
            let decisions = p.decisions();
            p.stop().await;
            (decisions, seen, counts, up.requests())
        }
        let a = run(2024).await;
        let b = run(2024).await;
        assert_eq!(a, b);
        let kinds: std::collections::HashSet<_> = a.0.iter().map(Fault::kind).collect();
        assert_eq!(kinds.len(), 5, "a mixed run uses every fault: {:?}", a.0);
        // Only pass and delay are heard; the server saw all but the cut-before ones.
        let c = a.2;
        assert_eq!(a.1.iter().flatten().count() as u64, c.pass + c.delay);
        assert_eq!(a.3, 40 - c.cut_before_upstream);
    }

    #[tokio::test]
    async fn stop_drops_connections_in_flight() {
        let up = Upstream::start(REPLY).await;
        let mut faults = Faults::only(FaultKind::Delay);
        faults.max_delay_ms = 0;
        let p = proxy(up.addr, faults, 1).await;
        let addr = p.addr();
        // A client that never finishes its request holds a connection task open.
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        tokio::time::timeout(Duration::from_secs(2), p.stop())
            .await
            .unwrap();
        let mut rest = Vec::new();
        let n = tokio::time::timeout(Duration::from_secs(2), s.read_to_end(&mut rest))
            .await
            .unwrap();
        assert!(n.is_err() || rest.is_empty());
        assert!(
            TcpStream::connect(addr).await.is_err(),
            "no longer listening"
        );
    }

    #[tokio::test]
    async fn the_real_ward_record_through_the_proxy() {
        use crate::ward::{scratch_dir, server_bin, Database, Ward, WardConfig, DEMO_STAFF};
        let dir = scratch_dir("proxy-ward");
        let mut ward =
            Ward::start(WardConfig::new(server_bin(), Database::Sqlite, &dir, "pw")).unwrap();
        ward.wait_ready().await.unwrap();
        let p = proxy(ward.addr(), Faults::none(), 5).await;
        let client = Client::new(p.addr());
        let cookie = client.sign_in(DEMO_STAFF, "pw").await.unwrap();
        let a = client.get("/api/catalogue", Some(&cookie)).await.unwrap();
        assert_eq!(a.status, 200, "{}", a.text());

        p.set_faults(Faults::only(FaultKind::CutAnswer)).unwrap();
        // Signed in on the server, but the device never gets the cookie.
        let e = client.sign_in(DEMO_STAFF, "pw").await.unwrap_err();
        assert!(matches!(e, crate::http::SignInError::Lost(_)), "{e}");
        p.set_faults(Faults::only(FaultKind::CutMidAnswer)).unwrap();
        assert!(client.get("/api/catalogue", Some(&cookie)).await.is_err());

        p.set_faults(Faults::none()).unwrap();
        ward.kill9().await.unwrap();
        assert!(client.get("/api/catalogue", Some(&cookie)).await.is_err());
        ward.restart().unwrap();
        ward.wait_ready().await.unwrap();
        let a = client.get("/api/catalogue", Some(&cookie)).await.unwrap();
        assert_eq!(a.status, 200, "{}", a.text());

        let c = p.counts();
        assert_eq!(
            (c.pass, c.cut_answer, c.cut_mid_answer, c.upstream_down),
            (3, 1, 1, 1),
            "{c:?}"
        );
        p.stop().await;
        ward.stop().await.unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn framing() {
        let req = Side::Request;
        let resp = Side::Response {
            head_request: false,
        };
        assert_eq!(
            message_end(b"GET / HTTP/1.1\r\nHost: x\r\n", req),
            Ok(End::NotYet)
        );
        assert_eq!(
            message_end(b"GET / HTTP/1.1\r\n\r\nextra", req),
            Ok(End::At(18))
        );
        let post = b"POST / HTTP/1.1\r\ncontent-length: 3\r\n\r\nab";
        assert_eq!(message_end(post, req), Ok(End::NotYet));
        assert_eq!(
            message_end(&[&post[..], b"c"].concat(), req),
            Ok(End::At(post.len() + 1))
        );
        assert_eq!(message_end(REPLY, resp), Ok(End::At(REPLY.len())));
        assert_eq!(
            message_end(&REPLY[..REPLY.len() - 1], resp),
            Ok(End::NotYet)
        );
        assert_eq!(
            message_end(CHUNKED_REPLY, resp),
            Ok(End::At(CHUNKED_REPLY.len()))
        );
        for cut in 1..CHUNKED_REPLY.len() {
            assert_eq!(
                message_end(&CHUNKED_REPLY[..cut], resp),
                Ok(End::NotYet),
                "{cut}"
            );
        }
        assert_eq!(
            chunked_len(b"3;ext=1\r\nabc\r\n0\r\nX-T: 1\r\n\r\n"),
            Ok(Some(27))
        );
        assert!(chunked_len(b"zz\r\n").is_err());
        assert_eq!(
            message_end(b"HTTP/1.1 204 No Content\r\n\r\n", resp),
            Ok(End::At(27))
        );
        assert_eq!(
            message_end(
                b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n",
                Side::Response { head_request: true }
            ),
            Ok(End::At(38))
        );
        assert_eq!(
            message_end(b"HTTP/1.1 200 OK\r\n\r\nabc", resp),
            Ok(End::AtEof)
        );
        assert!(message_end(b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", resp).is_err());
    }
}
