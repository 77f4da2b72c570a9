//! The built app (Trunk's `dist/`), with the single-page fallback to `index.html`: the
//! field build at `/`, the office build (`dist/office/`) under `/office/`, each falling
//! back to its own `index.html`.
//!
//! Caching: `index.html`, `sw.js` and any HTML answer are `no-cache` (always revalidated,
//! so a new release reaches the device); files whose names carry Trunk's content hash
//! are immutable for a year; everything else (manifest, icons) is revalidated too.
//!
//! Compression: the build writes a brotli and a gzip copy next to each text and wasm file
//! (`tools/compress.mjs`); a browser that accepts one gets it (with the file's own
//! `Content-Type`), and every answer says it varies by `Accept-Encoding`.

use std::path::PathBuf;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, VARY};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::error::ApiError;
use crate::AppState;

/// The office build's folder, in `dist/` and in the address.
pub const OFFICE: &str = "office";

/// The `index.html` that answers `path`: the office build's for its folder, else the
/// field app's.
pub fn index_for(dist: &std::path::Path, path: &str) -> PathBuf {
    let office = path
        .strip_prefix('/')
        .and_then(|p| p.strip_prefix(OFFICE))
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if office {
        dist.join(OFFICE).join("index.html")
    } else {
        dist.join("index.html")
    }
}

pub async fn serve_app(State(state): State<AppState>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    if path == "/api" || path.starts_with("/api/") {
        return ApiError::not_found().into_response();
    }
    let index = index_for(&state.dist, &path);
    if !tokio::fs::try_exists(&index).await.unwrap_or(false) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!(
                "Koe: the app is not built yet (no {}).\n\
                 Build it with scripts/run.sh (`trunk build --release`, then \
                 `trunk build --release --config office/Trunk.toml`) and point KOE_DIST at its dist/ directory.\n\
                 アプリがまだビルドされていません。scripts/run.sh（`trunk build --release` と `trunk build --release --config office/Trunk.toml`）でビルドし、KOE_DIST にその dist/ を指定してください。\n",
                index.display()
            ),
        )
            .into_response();
    }
    let service = ServeDir::new(&state.dist)
        .append_index_html_on_directories(true)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(
            ServeFile::new(&index)
                .precompressed_br()
                .precompressed_gzip(),
        );
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
    // Brotli, gzip or none by the request's Accept-Encoding: a shared cache must keep
    // them apart.
    res.headers_mut()
        .insert(VARY, HeaderValue::from_static("accept-encoding"));
    if is_html {
        // Every HTML answer is the build's index.html (the single-page fallback).
        let page = tokio::fs::read_to_string(&index).await.unwrap_or_default();
        if let Ok(csp) = HeaderValue::from_str(&app_csp(&page)) {
            res.headers_mut().insert(CONTENT_SECURITY_POLICY, csp);
        }
    } else {
        // The app's own files. A script's policy is the policy of the worker it starts:
        // the service worker must fetch the app's files to keep them offline.
        res.headers_mut()
            .insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(FILE_CSP));
    }
    res
}

/// The policy of the app's files other than the page (the service worker's, above all):
/// its own origin only.
pub const FILE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// The page's Content-Security-Policy. Scripts: the app's own files, its wasm
/// (`'wasm-unsafe-eval'`), and exactly the inline scripts of this build of index.html by
/// their hash (Trunk writes one, the module that starts the wasm; its text names the
/// build's hashed files, so the hash is taken from the page served). Styles may be inline:
/// the app sets a `style` attribute (a chart's colours). Photos show from `blob:` URLs.
pub fn app_csp(page: &str) -> String {
    let hashes: String = inline_scripts(page)
        .map(|text| {
            format!(
                " 'sha256-{}'",
                crate::auth::base64(&Sha256::digest(text.as_bytes()))
            )
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; connect-src 'self'; \
         worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The text of each `<script>` without a `src`, as the browser hashes it.
fn inline_scripts(page: &str) -> impl Iterator<Item = &str> {
    page.split("<script").skip(1).filter_map(|rest| {
        let (tag, after) = rest.split_once('>')?;
        if tag.contains("src=") {
            return None;
        }
        after.split_once("</script>").map(|(text, _)| text)
    })
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

    #[test]
    fn the_office_folder_falls_back_to_the_office_index() {
        let dist = std::path::Path::new("/d");
        for path in ["/office", "/office/", "/office/x", "/office/sw.js"] {
            assert_eq!(
                index_for(dist, path),
                dist.join("office/index.html"),
                "{path}"
            );
        }
        for path in ["/", "/capture", "/officer", "/offices/x", "/x/office/"] {
            assert_eq!(index_for(dist, path), dist.join("index.html"), "{path}");
        }
    }

    #[test]
    fn the_pages_inline_module_is_allowed_by_its_hash_and_nothing_else() {
        let page = "<head><script type=\"module\">import init from '/a.js';</script>\
                    <script src=\"/x.js\"></script></head>";
        let csp = app_csp(page);
        let hash = crate::auth::base64(&Sha256::digest(b"import init from '/a.js';"));
        assert!(
            csp.contains(&format!(
                "script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}';"
            )),
            "{csp}"
        );
        assert_eq!(csp.matches("'sha256-").count(), 1, "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp
            .split(';')
            .any(|d| d.contains("script-src") && d.contains("unsafe-inline")));
    }
}
