//! The guards around every answer: security headers, other sites' changes refused, a
//! time limit and panics caught. Through the router (`oneshot`), on SQLite and PostgreSQL.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::routing::get;
use axum::Router;
use serde_json::json;
use sha2::{Digest, Sha256};

use common::{both, Answer, TestApp, PASSWORD};

both!(
    the_app_and_the_api_carry_security_headers,
    changes_from_another_site_are_refused,
);

async fn send(router: &Router, req: Request<Body>) -> Answer {
    let res = tower::ServiceExt::oneshot(router.clone(), req)
        .await
        .expect("infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let body = http_body_util::BodyExt::collect(res.into_body())
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

fn header_of(a: &Answer, name: header::HeaderName) -> &str {
    a.headers
        .get(&name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name}"))
}

async fn the_app_and_the_api_carry_security_headers(t: TestApp) {
    // The page as Trunk writes it: one inline module that starts the wasm.
    let module = "\nimport init, * as bindings from '/koe-app-0123456789abcdef.js';\n\
                  const wasm = await init({ module_or_path: '/koe-app-0123456789abcdef_bg.wasm' });\n";
    std::fs::write(
        t.dist.join("index.html"),
        format!("<!doctype html><head><script type=\"module\">{module}</script></head>"),
    )
    .unwrap();
    for path in ["/", "/capture"] {
        let page = t.get(path, None).await;
        assert_eq!(page.status, StatusCode::OK);
        let csp = header_of(&page, header::CONTENT_SECURITY_POLICY);
        let hash = koe_server::auth::base64(&Sha256::digest(module.as_bytes()));
        assert!(
            csp.contains(&format!(
                "script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}';"
            )),
            "{csp}"
        );
        assert!(csp.starts_with("default-src 'self';"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(header_of(&page, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(header_of(&page, header::REFERRER_POLICY), "no-referrer");
        assert_eq!(header_of(&page, header::CACHE_CONTROL), "no-cache");
    }

    // The service worker's script: its policy is the worker's, which must fetch the
    // app's own files to keep them offline (`default-src 'none'` broke it).
    std::fs::write(
        t.dist.join("sw.js"),
        "self.addEventListener('install', () => {});",
    )
    .unwrap();
    let worker = t.get("/sw.js", None).await;
    assert_eq!(worker.status, StatusCode::OK);
    let csp = header_of(&worker, header::CONTENT_SECURITY_POLICY);
    assert!(csp.starts_with("default-src 'self';"), "{csp}");

    // API answers: nothing loads from them, and no cache keeps them.
    let cookie = t.sign_in("road01").await;
    for a in [
        t.get("/api/session", Some(&cookie)).await,
        t.get("/api/requests", Some(&cookie)).await,
        t.get("/api/session", None).await,
        t.get("/api/no-such-thing", None).await,
    ] {
        assert_eq!(header_of(&a, header::CACHE_CONTROL), "no-store");
        assert_eq!(
            header_of(&a, header::CONTENT_SECURITY_POLICY),
            koe_server::routes::guard::API_CSP
        );
        assert_eq!(header_of(&a, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(header_of(&a, header::REFERRER_POLICY), "no-referrer");
    }
}

fn sign_in_request(extra: &[(&str, &str)]) -> Request<Body> {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri("/api/session")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::HOST, "koe.test:8080");
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    req.body(Body::from(
        serde_json::to_vec(&json!({"staff_id": "park01", "password": PASSWORD})).unwrap(),
    ))
    .unwrap()
}

async fn changes_from_another_site_are_refused(t: TestApp) {
    let refused = send(
        &t.router,
        sign_in_request(&[("origin", "https://evil.test")]),
    )
    .await;
    refused.assert_error(StatusCode::FORBIDDEN, "cross_origin");
    let refused = send(
        &t.router,
        sign_in_request(&[("sec-fetch-site", "cross-site")]),
    )
    .await;
    refused.assert_error(StatusCode::FORBIDDEN, "cross_origin");
    // The app itself, and a client that is not a browser.
    for extra in [
        &[("origin", "http://koe.test:8080")][..],
        &[("sec-fetch-site", "same-origin")][..],
        &[][..],
    ] {
        let a = send(&t.router, sign_in_request(extra)).await;
        assert_eq!(a.status, StatusCode::OK, "{extra:?}: {}", a.text());
    }

    // A body-less admin POST from a plain cross-site form: the cookie would be sent by
    // a lax browser, the Origin header always is.
    let admin = t.sign_in("admin01").await;
    let form = Request::builder()
        .method(Method::POST)
        .uri("/api/admin/staff/road01/disable")
        .header(header::HOST, "koe.test:8080")
        .header(header::COOKIE, &admin)
        .header(header::ORIGIN, "https://evil.test")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::empty())
        .unwrap();
    send(&t.router, form)
        .await
        .assert_error(StatusCode::FORBIDDEN, "cross_origin");
    t.sign_in("road01").await; // still enabled
                               // Reads from anywhere still answer (they change nothing).
    let read = Request::builder()
        .uri("/api/session")
        .header(header::COOKIE, &admin)
        .header(header::ORIGIN, "https://evil.test")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&t.router, read).await.status, StatusCode::OK);
}

fn boom_routes() -> Router {
    Router::new()
        .route(
            "/boom",
            get(|| async {
                let nothing: Option<u8> = None;
                #[allow(clippy::unnecessary_literal_unwrap)]
                nothing.expect("a handler bug");
                "never"
            }),
        )
        .route(
            "/stuck",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                "never"
            }),
        )
        .route("/fine", get(|| async { "fine" }))
}

#[tokio::test]
async fn a_panicking_handler_answers_500_and_the_server_goes_on() {
    let router = koe_server::routes::guard::harden(boom_routes(), Duration::from_secs(5));
    let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();
    let a = send(&router, get("/boom")).await;
    a.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "internal");
    assert_eq!(header_of(&a, header::CONTENT_TYPE), "application/json");
    assert_eq!(send(&router, get("/fine")).await.text(), "fine");
}

#[tokio::test]
async fn a_stuck_handler_is_answered_503_within_the_limit() {
    let router = koe_server::routes::guard::harden(boom_routes(), Duration::from_millis(200));
    let started = std::time::Instant::now();
    let a = send(&router, Request::get("/stuck").body(Body::empty()).unwrap()).await;
    a.assert_error(StatusCode::SERVICE_UNAVAILABLE, "timed_out");
    assert!(a.headers.contains_key(header::RETRY_AFTER));
    assert!(started.elapsed() < Duration::from_secs(10));
}
