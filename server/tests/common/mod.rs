//! What every API test file shares: a ward record on a scratch database, seeded with the
//! demo ward, driven through its router (no sockets), and `both!`, which runs each test
//! on SQLite and on PostgreSQL.
// Each test binary uses a different part of this module.
#![allow(dead_code)]

pub mod scratch;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use koe_core::api::RequestDetail;
use koe_core::calendar::{parse_iso_date, DAY_MS, JST_OFFSET_MS};
use koe_core::sync::Outcome;
use koe_core::{
    Contact, FieldEdit, FieldValue, Mutation, MutationKind, NewRequest, Place, PushResponse,
    Urgency,
};
use koe_server::auth::Passwords;
use koe_server::blob::PhotoBlobs;
use koe_server::seed::{self, DemoPasswords};
use koe_server::{app, AppState, Backend, SqlStore, Store};
use serde_json::{json, Value};
use uuid::Uuid;

use scratch::Scratch;

/// Every demo staff member's password in tests.
pub const PASSWORD: &str = "demo-pass-123";

pub struct TestApp {
    pub router: Router,
    pub store: Arc<dyn Store>,
    /// The built app the router serves (a stand-in index.html, sw.js and wasm).
    pub dist: PathBuf,
    /// Where finished and partial photo uploads go.
    pub photos: PathBuf,
    /// The scratch database's URL (for a test that opens it again, as a restarted or
    /// upgraded ward record would).
    pub url: String,
    /// The router's password hashing, whose counters say how many checks ran.
    pub passwords: Passwords,
}

async fn setup(backend: Backend, scratch: &Scratch, connections: u32) -> TestApp {
    let dist = scratch.dir.join("dist");
    std::fs::create_dir_all(&dist).expect("dist dir");
    std::fs::write(dist.join("index.html"), "<!doctype html><title>Koe</title>").expect("index");
    std::fs::write(dist.join("sw.js"), "// worker").expect("sw");
    std::fs::write(dist.join("koe-app-0123456789abcdef_bg.wasm"), "wasm").expect("wasm");

    let store = SqlStore::connect_with(&scratch.url, connections)
        .await
        .expect("connect and migrate");
    assert_eq!(store.backend(), backend);
    let store: Arc<dyn Store> = Arc::new(store);
    let passwords = Passwords::for_tests();
    let seeded = seed::seed_if_empty(
        store.as_ref(),
        &passwords,
        &DemoPasswords::Fixed(PASSWORD.into()),
    )
    .await
    .expect("seed");
    assert!(seeded.is_some(), "a fresh database is seeded");
    let photos = scratch.dir.join("data").join("photos");
    let state = AppState {
        store: store.clone(),
        dist: dist.clone(),
        passwords: passwords.clone(),
        photos: PhotoBlobs::new(&photos),
    };
    TestApp {
        router: app(state),
        store,
        dist,
        photos,
        url: scratch.url.clone(),
        passwords,
    }
}

/// Runs one test on one backend, and drops its database and folder even if it fails.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    run_with_connections(backend, 5, test).await
}

/// As [`run`], with the database pool this size: one connection makes every statement
/// of the test reuse the same prepared-statement cache.
pub async fn run_with_connections<F, Fut>(backend: Backend, connections: u32, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let scratch = Scratch::new(backend).await;
    let t = setup(backend, &scratch, connections).await;
    let result = tokio::spawn(test(t)).await;
    scratch.drop().await;
    if let Err(e) = result {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("test task failed: {e}");
    }
}

/// `both!(a, b)` makes `sqlite::a`, `postgres::a`, … from `async fn a(t: TestApp)`.
// Not every test binary uses it (places.rs picks its own pool size).
#[allow(unused_macros)]
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::common::run(koe_server::Backend::Sqlite, crate::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::common::run(koe_server::Backend::Postgres, crate::$name).await;
                }
            )*
        }
    };
}
#[allow(unused_imports)]
pub(crate) use both;

/// An HTTP answer, read whole.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {} {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts an `ErrorBody` with this status and code, with both messages written.
    pub fn assert_error(&self, status: StatusCode, code: &str) {
        assert_eq!(self.status, status, "{}", self.text());
        let v = self.json();
        assert_eq!(v["code"], code, "{v}");
        assert!(!v["message"]["ja"].as_str().unwrap_or("").is_empty(), "{v}");
        assert!(!v["message"]["en"].as_str().unwrap_or("").is_empty(), "{v}");
    }
}

impl TestApp {
    /// Another ward record on the same database and photo folder (connecting migrates):
    /// the second instance behind a load balancer, or the one started after an upgrade.
    #[allow(dead_code)]
    pub async fn another_instance(&self, connections: u32) -> TestApp {
        let store = SqlStore::connect_with(&self.url, connections)
            .await
            .expect("connect and migrate");
        let store: Arc<dyn Store> = Arc::new(store);
        TestApp {
            router: koe_server::app(koe_server::AppState {
                store: store.clone(),
                dist: self.dist.clone(),
                passwords: self.passwords.clone(),
                photos: koe_server::blob::PhotoBlobs::new(&self.photos),
            }),
            store,
            dist: self.dist.clone(),
            photos: self.photos.clone(),
            url: self.url.clone(),
            passwords: self.passwords.clone(),
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        self.answer(req.body(Body::from(body)).expect("request"))
            .await
    }

    /// Sends a request built by the test through the router and reads the answer whole.
    pub async fn answer(&self, req: Request<Body>) -> Answer {
        let res = tower::ServiceExt::oneshot(self.router.clone(), req)
            .await
            .expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let body = res
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Answer {
        self.call(Method::GET, path, cookie, None, Vec::new()).await
    }

    pub async fn json(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        body: &Value,
    ) -> Answer {
        let bytes = serde_json::to_vec(body).expect("json");
        self.call(method, path, cookie, Some("application/json"), bytes)
            .await
    }

    pub async fn post(&self, path: &str, cookie: Option<&str>, body: &Value) -> Answer {
        self.json(Method::POST, path, cookie, body).await
    }

    /// Signs in and returns the `Cookie` header value to send.
    pub async fn sign_in(&self, staff_id: &str) -> String {
        let a = self
            .post(
                "/api/session",
                None,
                &json!({"staff_id": staff_id, "password": PASSWORD}),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        let set = a.headers[header::SET_COOKIE].to_str().expect("cookie");
        set.split(';').next().expect("cookie pair").to_string()
    }

    /// Pushes from device `client` and expects the push itself accepted (each mutation's
    /// outcome is the test's to check).
    pub async fn push(&self, cookie: &str, client: Uuid, mutations: &[Mutation]) -> PushResponse {
        let a = self
            .post(
                "/api/sync/push",
                Some(cookie),
                &json!({"client_id": client, "mutations": mutations}),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        serde_json::from_slice(&a.body).expect("PushResponse")
    }

    /// Logs one request from a new device, sent as a device's JSON (`request` is the
    /// `NewRequest`), and expects it applied.
    pub async fn log_json(&self, cookie: &str, request: Value) {
        let a = self
            .post(
                "/api/sync/push",
                Some(cookie),
                &json!({
                    "client_id": Uuid::new_v4(),
                    "mutations": [{"id": 1, "type": "create_request", "request": request}]
                }),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        assert_eq!(
            a.json()["outcomes"][0]["outcome"],
            "applied",
            "{}",
            a.text()
        );
    }

    /// A request with its history, as `cookie`'s owner may read it.
    pub async fn detail(&self, cookie: &str, id: Uuid) -> RequestDetail {
        let a = self.get(&format!("/api/requests/{id}"), Some(cookie)).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        serde_json::from_slice(&a.body).expect("RequestDetail")
    }
}

/// A request id as a device makes it at `now` (UUIDv7).
pub fn request_id_at(now: i64) -> Uuid {
    let random: [u8; 10] = *Uuid::new_v4().as_bytes().first_chunk().expect("10 bytes");
    koe_core::id::request_id(u64::try_from(now).unwrap_or(0), random)
}

/// A request id as a device makes it now.
pub fn new_request_id() -> Uuid {
    request_id_at(koe_server::now_ms())
}

/// A request logged now, with a fix, an address and a caller who may be contacted (a
/// name and a phone, no email).
pub fn new_request(category: &str, title: &str) -> NewRequest {
    let now = koe_server::now_ms();
    NewRequest {
        id: request_id_at(now),
        category: category.into(),
        title: title.into(),
        description: "区民の方から".into(),
        place: Place {
            lat: Some(35.6),
            lon: Some(139.6),
            accuracy_m: Some(10.0),
            address: "高津区下作延2-8".into(),
            landmark: "郵便局の前".into(),
        },
        urgency: Urgency::High,
        logged_at: now,
        contact: Contact {
            name: Some("山田 花子".into()),
            phone: Some("044-000-0000".into()),
            email: None,
            consent_to_contact: true,
        },
    }
}

/// Mutation `id` of a device: log `request`.
pub fn create(id: u64, request: NewRequest) -> Mutation {
    Mutation {
        id,
        author: None,
        kind: MutationKind::CreateRequest { request },
    }
}

/// Sets `values` on a request, each edit made from version `base`.
pub fn set_fields(request_id: Uuid, base: i64, values: Vec<FieldValue>) -> MutationKind {
    let edits = values
        .into_iter()
        .map(|value| FieldEdit {
            value,
            base_version: base,
        })
        .collect();
    MutationKind::SetFields { request_id, edits }
}

/// The new version of an applied mutation; anything else fails the test.
pub fn applied(o: &Outcome) -> i64 {
    match o {
        Outcome::Applied { version } => *version,
        other => panic!("expected applied, got {other:?}"),
    }
}

/// ms since the epoch of a JST wall-clock time.
pub fn jst(date: &str, hour: i64, minute: i64) -> i64 {
    parse_iso_date(date).expect("date") * DAY_MS + (hour * 60 + minute) * 60_000 - JST_OFFSET_MS
}
