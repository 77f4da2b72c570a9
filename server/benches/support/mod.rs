//! What the benches share: the demo ward seeded and served through the real router, and
//! signed-in calls to it.
// Each bench uses a different part of this module.
#![allow(dead_code)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use koe_server::auth::Passwords;
use koe_server::seed::{self, DemoPasswords};
use koe_server::{app, AppState, Store};

/// Every demo staff member's password in the benches.
pub const PASSWORD: &str = "bench-pass";

/// Seeds the demo ward into an empty record.
pub async fn seed(store: &dyn Store, passwords: &Passwords) {
    seed::seed_if_empty(store, passwords, &DemoPasswords::Fixed(PASSWORD.into()))
        .await
        .expect("seed");
}

/// The app over `store`: no built app files, photos in the temp folder (neither is
/// measured).
pub fn router(store: Arc<dyn Store>, passwords: Passwords) -> Router {
    app(AppState {
        store,
        dist: std::env::temp_dir().join("koe-bench-no-dist"),
        passwords,
        photos: koe_server::blob::PhotoBlobs::new(std::env::temp_dir().join("koe-bench-photos")),
    })
}

/// Signs in and returns the `Cookie` header value to send.
pub async fn sign_in(router: &Router, staff_id: &str) -> String {
    let body = serde_json::json!({ "staff_id": staff_id, "password": PASSWORD }).to_string();
    let response = send(
        router,
        Request::post("/api/session")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .expect("request"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK, "sign in as {staff_id}");
    let cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .expect("cookie");
    cookie.split(';').next().expect("cookie pair").to_string()
}

/// A signed-in call that must answer 200 with JSON.
pub async fn call<T: serde::de::DeserializeOwned>(
    router: &Router,
    method: &str,
    uri: &str,
    cookie: &str,
    body: &str,
) -> T {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    let response = send(router, request).await;
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    assert_eq!(
        status,
        StatusCode::OK,
        "{uri}: {}",
        String::from_utf8_lossy(&bytes)
    );
    serde_json::from_slice(&bytes).expect("JSON answer")
}

async fn send(router: &Router, request: Request<Body>) -> axum::response::Response {
    use tower::ServiceExt;
    match router.clone().oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}
