//! How a simulated device reaches the ward record, and how the network fails it: a
//! request lost on the way, an answer lost after the ward record committed, and a ward
//! record that dies halfway through a push (some mutations applied, no answer).

use std::future::Future;

use axum::body::Body;
use axum::http::{header, Request};
use axum::Router;
use http_body_util::BodyExt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tower::ServiceExt;

/// What the ward record answered.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    /// The `Set-Cookie` header, if any (sign-in).
    pub set_cookie: Option<String>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// No (complete) answer was heard: the device cannot tell whether the ward record acted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lost(pub String);

/// One HTTP exchange with the ward record.
pub trait Transport {
    fn call(
        &mut self,
        method: &'static str,
        path: &str,
        cookie: Option<&str>,
        content_type: Option<&'static str>,
        body: Vec<u8>,
    ) -> impl Future<Output = Result<Answer, Lost>>;

    /// The network heals: from now on every exchange goes through.
    fn heal(&mut self);
}

/// How often each fault strikes an exchange (sign-in is spared: it has no effect to lose).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NetFaults {
    /// The request never reaches the ward record.
    pub lose_request: f64,
    /// The ward record acts and answers; the answer is lost.
    pub lose_answer: f64,
    /// A push: the ward record applies only the first k of its mutations and dies (k at
    /// random, 0 included); no answer.
    pub die_mid_push: f64,
}

impl NetFaults {
    pub const NONE: Self = Self {
        lose_request: 0.0,
        lose_answer: 0.0,
        die_mid_push: 0.0,
    };
}

/// What the faults did, for the closing figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultCounts {
    pub exchanges: u64,
    pub requests_lost: u64,
    pub answers_lost: u64,
    pub died_mid_push: u64,
}

/// The ward record's router in this process (no sockets), behind a seeded lossy network.
pub struct InProcess {
    router: Router,
    rng: StdRng,
    pub faults: NetFaults,
    pub counts: FaultCounts,
}

impl InProcess {
    pub fn new(router: Router, seed: u64, faults: NetFaults) -> Self {
        Self {
            router,
            rng: StdRng::seed_from_u64(seed),
            faults,
            counts: FaultCounts::default(),
        }
    }

    async fn send(
        &self,
        method: &'static str,
        path: &str,
        cookie: Option<&str>,
        content_type: Option<&'static str>,
        body: Vec<u8>,
    ) -> Result<Answer, Lost> {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(c) = cookie {
            request = request.header(header::COOKIE, c);
        }
        if let Some(ct) = content_type {
            request = request.header(header::CONTENT_TYPE, ct);
        }
        let request = request
            .body(Body::from(body))
            .map_err(|e| Lost(e.to_string()))?;
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .map_err(|e| Lost(e.to_string()))?;
        let status = response.status().as_u16();
        let set_cookie = response
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| Lost(e.to_string()))?
            .to_bytes()
            .to_vec();
        Ok(Answer {
            status,
            set_cookie,
            body,
        })
    }
}

impl Transport for InProcess {
    fn heal(&mut self) {
        self.faults = NetFaults::NONE;
    }

    async fn call(
        &mut self,
        method: &'static str,
        path: &str,
        cookie: Option<&str>,
        content_type: Option<&'static str>,
        body: Vec<u8>,
    ) -> Result<Answer, Lost> {
        self.counts.exchanges += 1;
        if path == "/api/session" {
            return self.send(method, path, cookie, content_type, body).await;
        }
        if self.rng.gen_bool(self.faults.lose_request) {
            self.counts.requests_lost += 1;
            return Err(Lost("request lost".into()));
        }
        if path == "/api/sync/push" && self.rng.gen_bool(self.faults.die_mid_push) {
            // Only the first k mutations reach the database before the ward record dies.
            let mut push: serde_json::Value =
                serde_json::from_slice(&body).map_err(|e| Lost(e.to_string()))?;
            if let Some(list) = push.get_mut("mutations").and_then(|m| m.as_array_mut()) {
                let k = self.rng.gen_range(0..=list.len());
                list.truncate(k);
            }
            let body = serde_json::to_vec(&push).map_err(|e| Lost(e.to_string()))?;
            let _ = self.send(method, path, cookie, content_type, body).await;
            self.counts.died_mid_push += 1;
            return Err(Lost("ward record died mid-push".into()));
        }
        let answer = self.send(method, path, cookie, content_type, body).await?;
        if self.rng.gen_bool(self.faults.lose_answer) {
            self.counts.answers_lost += 1;
            return Err(Lost("answer lost".into()));
        }
        Ok(answer)
    }
}
