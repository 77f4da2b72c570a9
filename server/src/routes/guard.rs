//! What wraps every answer: a time limit, panics caught, requests from other sites
//! refused, and the security headers.
//!
//! | setting | default | meaning |
//! | --- | --- | --- |
//! | `KOE_PUBLIC_ORIGIN` | unset | the app's own origin (`https://koe.example.city.jp`); unset: the request's `Host` |
//! | `KOE_SECURE_COOKIE` | unset | `1`: served over HTTPS (or behind a TLS proxy): the cookie is `__Host-koe_session; Secure` |

use std::any::Any;
use std::sync::OnceLock;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, HOST, ORIGIN, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;

use crate::error::ApiError;

/// How long one request may take to be answered (a photo chunk of 2 MiB from a slow
/// tablet included) before it is answered 503 and its connection freed.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The policy of every answer that is not the app's page: nothing may load from it.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// Wraps the ward record's routes in the guards, with this time limit.
pub fn harden(router: Router, timeout: Duration) -> Router {
    router
        .layer(middleware::from_fn(same_origin_only))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn_with_state(timeout, time_limit))
        .layer(CatchPanicLayer::custom(panicked))
}

/// `KOE_PUBLIC_ORIGIN`, read once.
fn public_origin() -> Option<&'static str> {
    static ORIGIN: OnceLock<Option<String>> = OnceLock::new();
    ORIGIN
        .get_or_init(|| {
            std::env::var("KOE_PUBLIC_ORIGIN")
                .ok()
                .map(|v| v.trim().trim_end_matches('/').to_string())
                .filter(|v| !v.is_empty())
        })
        .as_deref()
}

/// Whether a request may change anything: reads always; a change only from the app's
/// own origin. `Origin` decides when sent (browsers send it on every cross-origin POST,
/// form posts included); else `Sec-Fetch-Site`; a client that sends neither is not a
/// browser (the faults tool, curl, a city's integration) and can not be a forged one.
pub fn may_change(method: &Method, headers: &HeaderMap, public_origin: Option<&str>) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    if let Some(origin) = headers.get(ORIGIN) {
        let Ok(origin) = origin.to_str() else {
            return false;
        };
        let origin = origin.trim().trim_end_matches('/');
        return match public_origin {
            Some(own) => origin.eq_ignore_ascii_case(own),
            // No setting: the origin must name the host the request was sent to.
            None => {
                let host = headers.get(HOST).and_then(|h| h.to_str().ok());
                let authority = origin
                    .strip_prefix("https://")
                    .or_else(|| origin.strip_prefix("http://"));
                matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h.trim()))
            }
        };
    }
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        // "none": typed by the person themself.
        Some(site) => matches!(site.trim(), "same-origin" | "none"),
        None => true,
    }
}

async fn same_origin_only(req: Request, next: Next) -> Response {
    if may_change(req.method(), req.headers(), public_origin()) {
        return next.run(req).await;
    }
    ApiError::new(
        StatusCode::FORBIDDEN,
        "cross_origin",
        "別のサイトからの操作は受け付けません。Koe のアプリを開いて、そこから操作してください。",
        "A change sent from another site is refused. Open the Koe app and do it from there.",
    )
    .into_response()
}

async fn security_headers(req: Request, next: Next) -> Response {
    let personal = {
        let path = req.uri().path();
        path == "/api" || path.starts_with("/api/")
    };
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    // For browsers older than frame-ancestors.
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // The app's page sets its own (super::files); everything else loads nothing.
    if !headers.contains_key(CONTENT_SECURITY_POLICY) {
        headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(API_CSP));
    }
    // API answers carry residents' details: kept by no cache, unless a route chose
    // otherwise (a photo is private to the browser and never changes).
    if personal && !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

async fn time_limit(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!(%path, ?limit, "request timed out");
            let mut res = ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "timed_out",
                "区の記録の応答に時間がかかりすぎました。記録は端末に残っています。しばらくしてからもう一度お試しください。",
                "The ward record took too long to answer. Your records stay on the device; try again in a while.",
            )
            .into_response();
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, HeaderValue::from(30u32));
            res
        }
    }
}

/// A handler that panicked: logged, and answered like any other internal error.
fn panicked(err: Box<dyn Any + Send + 'static>) -> Response {
    let detail = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = %detail, "a handler panicked");
    ApiError::internal().into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn changes_come_from_the_apps_own_origin_or_from_no_browser() {
        let post = Method::POST;
        let own = [
            ("host", "koe.test:8080"),
            ("origin", "http://koe.test:8080"),
        ];
        assert!(may_change(&post, &headers(&own), None));
        assert!(
            may_change(&post, &headers(&[]), None),
            "curl, the faults tool"
        );
        assert!(!may_change(
            &post,
            &headers(&[("host", "koe.test"), ("origin", "https://evil.test")]),
            None
        ));
        assert!(!may_change(
            &post,
            &headers(&[("host", "koe.test"), ("origin", "null")]),
            None
        ));
        assert!(!may_change(
            &post,
            &headers(&[("sec-fetch-site", "cross-site")]),
            None
        ));
        assert!(!may_change(
            &post,
            &headers(&[("sec-fetch-site", "same-site")]),
            None
        ));
        assert!(may_change(
            &post,
            &headers(&[("sec-fetch-site", "same-origin")]),
            None
        ));
        // Behind a proxy that rewrites Host, the setting names the origin.
        let proxied = [("host", "10.0.0.5:8080"), ("origin", "https://koe.city.jp")];
        assert!(!may_change(&post, &headers(&proxied), None));
        assert!(may_change(
            &post,
            &headers(&proxied),
            Some("https://koe.city.jp")
        ));
        assert!(!may_change(
            &post,
            &headers(&own),
            Some("https://koe.city.jp")
        ));
        // Reads are never refused.
        assert!(may_change(
            &Method::GET,
            &headers(&[("origin", "https://evil.test")]),
            None
        ));
    }
}
