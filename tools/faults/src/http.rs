//! The simulated devices' HTTP/1.1 client.
//!
//! One fresh connection per exchange with `Connection: close`, so the proxy can treat a
//! connection as one exchange. Anything short of a complete answer is [`Lost`]: that is
//! exactly the case where a device cannot know whether the ward record acted.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{CONNECTION, CONTENT_TYPE, COOKIE, HOST, SET_COOKIE};
use hyper::Request;
use hyper_util::rt::TokioIo;
use serde::Serialize;
use tokio::net::TcpStream;

pub use ::http::Method;

/// The whole exchange (connect, send, read the full body) must finish within this.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// A complete answer from the server (any status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// The first `Set-Cookie` header, as sent (attributes included).
    pub set_cookie: Option<String>,
    pub body: Vec<u8>,
}

impl Answer {
    /// `name=value` of the `Set-Cookie` header, ready for a `Cookie` header.
    pub fn cookie_pair(&self) -> Option<String> {
        let raw = self.set_cookie.as_deref()?;
        let pair = raw.split(';').next()?.trim();
        (!pair.is_empty()).then(|| pair.to_string())
    }

    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Where the exchange broke down. `Connect` means the request certainly never reached
/// the server; after `Broken` or `Timeout` it may or may not have been acted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LostKind {
    Connect,
    Broken,
    Timeout,
}

/// No (complete) answer was heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lost {
    pub kind: LostKind,
    pub reason: String,
}

impl Lost {
    fn new(kind: LostKind, reason: impl Into<String>) -> Self {
        Self {
            kind,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Lost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no answer ({:?}): {}", self.kind, self.reason)
    }
}

impl std::error::Error for Lost {}

/// Sign-in did not give a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInError {
    Lost(Lost),
    /// The server answered, but not with a session (wrong password, locked, …).
    Refused(Answer),
}

impl From<Lost> for SignInError {
    fn from(l: Lost) -> Self {
        Self::Lost(l)
    }
}

impl fmt::Display for SignInError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Lost(l) => write!(f, "sign-in lost: {l}"),
            Self::Refused(a) => write!(f, "sign-in refused: {} {}", a.status, a.text()),
        }
    }
}

impl std::error::Error for SignInError {}

#[derive(Debug, Clone)]
pub struct Client {
    base: SocketAddr,
    timeout: Duration,
}

/// Aborts the connection task when the exchange ends or times out, so nothing lingers.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Client {
    pub fn new(base: SocketAddr) -> Self {
        Self {
            base,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn base(&self) -> SocketAddr {
        self.base
    }

    /// One exchange on a fresh connection.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Answer, Lost> {
        match tokio::time::timeout(
            self.timeout,
            self.exchange(method, path, cookie, content_type, body),
        )
        .await
        {
            Ok(result) => result,
            Err(_) => Err(Lost::new(
                LostKind::Timeout,
                format!("no complete answer within {:?}", self.timeout),
            )),
        }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Result<Answer, Lost> {
        self.send(Method::GET, path, cookie, None, Vec::new()).await
    }

    /// An exchange with `value` as the JSON body.
    pub async fn json<T: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        value: &T,
    ) -> Result<Answer, Lost> {
        let body = serde_json::to_vec(value).expect("a request body serialises to JSON");
        self.send(method, path, cookie, Some("application/json"), body)
            .await
    }

    /// `POST /api/session`; the session cookie as `koe_session=…`.
    pub async fn sign_in(&self, staff_id: &str, password: &str) -> Result<String, SignInError> {
        let body = serde_json::json!({ "staff_id": staff_id, "password": password });
        let answer = self.json(Method::POST, "/api/session", None, &body).await?;
        match answer.cookie_pair() {
            Some(cookie) if answer.status == 200 && cookie.starts_with("koe_session=") => {
                Ok(cookie)
            }
            _ => Err(SignInError::Refused(answer)),
        }
    }

    async fn exchange(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Answer, Lost> {
        let stream = TcpStream::connect(self.base)
            .await
            .map_err(|e| Lost::new(LostKind::Connect, format!("connect {}: {e}", self.base)))?;
        let _ = stream.set_nodelay(true);
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| Lost::new(LostKind::Broken, format!("handshake: {e}")))?;
        let _conn = AbortOnDrop(tokio::spawn(async move {
            let _ = conn.await;
        }));

        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, self.base.to_string())
            .header(CONNECTION, "close");
        if let Some(c) = cookie {
            request = request.header(COOKIE, c);
        }
        if let Some(t) = content_type {
            request = request.header(CONTENT_TYPE, t);
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| Lost::new(LostKind::Connect, format!("bad request: {e}")))?;

        let response = sender
            .send_request(request)
            .await
            .map_err(|e| Lost::new(LostKind::Broken, describe("no answer", &e)))?;
        let status = response.status().as_u16();
        let set_cookie = response
            .headers()
            .get(SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        // A body cut short of its Content-Length (or chunked end) is an error here.
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| Lost::new(LostKind::Broken, describe("answer cut short", &e)))?
            .to_bytes()
            .to_vec();
        Ok(Answer {
            status,
            set_cookie,
            body,
        })
    }
}

/// hyper's errors say little at the top level; the source chain says what happened.
fn describe(what: &str, e: &hyper::Error) -> String {
    let mut text = format!("{what}: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ward::{scratch_dir, server_bin, Database, Ward, WardConfig};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// Serves one connection with `reply` after reading the request head, then closes.
    async fn one_shot(reply: &'static [u8]) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 4096];
            let mut got = Vec::new();
            while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = s.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            s.write_all(reply).await.unwrap();
        });
        addr
    }

    #[tokio::test]
    async fn a_complete_answer_is_an_answer() {
        let addr = one_shot(
            b"HTTP/1.1 201 Created\r\nSet-Cookie: koe_session=abc; Path=/\r\nContent-Length: 2\r\n\r\n{}",
        )
        .await;
        let a = Client::new(addr).get("/x", None).await.unwrap();
        assert_eq!(a.status, 201);
        assert_eq!(a.cookie_pair().as_deref(), Some("koe_session=abc"));
        assert_eq!(a.body, b"{}");
    }

    #[tokio::test]
    async fn a_truncated_body_is_lost() {
        let addr = one_shot(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"a\":").await;
        let e = Client::new(addr).get("/x", None).await.unwrap_err();
        assert_eq!(e.kind, LostKind::Broken, "{e}");
    }

    #[tokio::test]
    async fn a_closed_connection_without_answer_is_lost() {
        let addr = one_shot(b"").await;
        let e = Client::new(addr).get("/x", None).await.unwrap_err();
        assert_eq!(e.kind, LostKind::Broken, "{e}");
    }

    #[tokio::test]
    async fn nobody_listening_is_a_connect_loss() {
        let addr = {
            let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
            l.local_addr().unwrap()
        };
        let e = Client::new(addr).get("/x", None).await.unwrap_err();
        assert_eq!(e.kind, LostKind::Connect, "{e}");
    }

    #[tokio::test]
    async fn silence_is_a_timeout() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let held = tokio::spawn(async move {
            let (s, _) = listener.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(5)).await;
            drop(s);
        });
        let e = Client::new(addr)
            .with_timeout(Duration::from_millis(300))
            .get("/x", None)
            .await
            .unwrap_err();
        assert_eq!(e.kind, LostKind::Timeout, "{e}");
        held.abort();
    }

    #[tokio::test]
    async fn signs_in_to_the_real_ward_record_and_reads_the_catalogue() {
        let dir = scratch_dir("http");
        let mut ward = Ward::start(WardConfig::new(
            server_bin(),
            Database::Sqlite,
            &dir,
            "fault-pass",
        ))
        .unwrap();
        ward.wait_ready().await.unwrap();
        let client = Client::new(ward.addr());

        let cookie = client.sign_in("road01", "fault-pass").await.unwrap();
        assert!(cookie.starts_with("koe_session="), "{cookie}");
        let a = client.get("/api/catalogue", Some(&cookie)).await.unwrap();
        assert_eq!(a.status, 200, "{}", a.text());
        let catalogue: serde_json::Value = a.json().unwrap();
        assert!(catalogue.is_object(), "{catalogue}");

        match client.sign_in("road01", "wrong").await {
            Err(SignInError::Refused(a)) => assert_eq!(a.status, 401, "{}", a.text()),
            other => panic!("a wrong password should be refused: {other:?}"),
        }
        ward.stop().await.unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
