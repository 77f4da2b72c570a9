//! The built app (Trunk's `dist/`), with the single-page fallback to `index.html`.
//!
//! Caching: `index.html`, `sw.js` and any HTML answer are `no-cache` (always revalidated,
//! so a new release reaches the device); files whose names carry Trunk's content hash
//! are immutable for a year; everything else (manifest, icons) is revalidated too.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::error::ApiError;
use crate::AppState;

pub async fn serve_app(State(state): State<AppState>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    if path == "/api" || path.starts_with("/api/") {
        return ApiError::not_found().into_response();
    }
    let index = state.dist.join("index.html");
    if !tokio::fs::try_exists(&index).await.unwrap_or(false) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!(
                "Koe: the app is not built yet (no {}).\n\
                 Build it with `trunk build --release` and point KOE_DIST at its dist/ directory.\n\
                 アプリがまだビルドされていません。`trunk build --release` でビルドし、KOE_DIST にその dist/ を指定してください。\n",
                index.display()
            ),
        )
            .into_response();
    }
    let service = ServeDir::new(&state.dist)
        .append_index_html_on_directories(true)
        .fallback(ServeFile::new(&index));
    let mut res = match service.oneshot(req).await {
        Ok(res) => res.map(Body::new),
        Err(never) => match never {},
    };
    let is_html = res
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let policy = cache_policy(&path, is_html);
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static(policy));
    res
}

/// The `Cache-Control` for a served path.
pub fn cache_policy(path: &str, is_html: bool) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or("");
    if is_html || name == "sw.js" || name == "index.html" || name.is_empty() {
        "no-cache"
    } else if is_hashed(name) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

/// Trunk names its outputs `name-<16 hex digits>.ext` (and `…_bg.wasm`).
fn is_hashed(name: &str) -> bool {
    name.split(['-', '_', '.'])
        .any(|part| part.len() >= 16 && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_worker_and_pages_are_revalidated_hashed_files_cached() {
        assert_eq!(cache_policy("/sw.js", false), "no-cache");
        assert_eq!(cache_policy("/", true), "no-cache");
        assert_eq!(cache_policy("/capture", true), "no-cache");
        assert_eq!(
            cache_policy("/koe-app-8f3a2b1c9d0e4f5a_bg.wasm", false),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            cache_policy("/style-0123456789abcdef.css", false),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_policy("/manifest.webmanifest", false), "no-cache");
    }
}
