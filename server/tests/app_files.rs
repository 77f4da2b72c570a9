//! The built app's files: the office build under `/office/` with its own single-page
//! fallback, and the build's brotli and gzip copies served to browsers that accept them,
//! with the file's own type and cache rule. Through the router, on SQLite and PostgreSQL.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use sha2::{Digest, Sha256};

use common::{both, Answer, TestApp};

both!(
    the_office_build_answers_its_folder_with_its_own_index,
    compressed_copies_go_to_browsers_that_accept_them,
);

const FIELD_PAGE: &str = "<!doctype html><title>Koe</title>";
const OFFICE_MODULE: &str = "import init from '/office/koe-app-fedcba9876543210.js';";
const OFFICE_PAGE: &str = "<!doctype html><title>Koe office</title><script type=\"module\">\
                           import init from '/office/koe-app-fedcba9876543210.js';</script>";

/// The page policy's allowance for the office page's inline module, by its hash.
fn office_module_hash() -> String {
    format!(
        "'sha256-{}'",
        koe_server::auth::base64(&Sha256::digest(OFFICE_MODULE.as_bytes()))
    )
}

/// Stands in for the office build (`dist/office/`).
fn build_office(t: &TestApp) {
    let office = t.dist.join("office");
    std::fs::create_dir_all(&office).unwrap();
    std::fs::write(office.join("index.html"), OFFICE_PAGE).unwrap();
    std::fs::write(office.join("sw.js"), "// office worker").unwrap();
}

async fn get(t: &TestApp, path: &str, accept_encoding: Option<&str>) -> Answer {
    let mut req = Request::builder().method(Method::GET).uri(path);
    if let Some(e) = accept_encoding {
        req = req.header(header::ACCEPT_ENCODING, e);
    }
    t.answer(req.body(Body::empty()).unwrap()).await
}

fn header<'a>(a: &'a Answer, name: &header::HeaderName) -> &'a str {
    a.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

async fn the_office_build_answers_its_folder_with_its_own_index(t: TestApp) {
    // Not built yet: its addresses say so; the field app is still served.
    let a = get(&t, "/office/", None).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(a.text().contains("office/Trunk.toml"), "{}", a.text());
    assert_eq!(get(&t, "/capture", None).await.text(), FIELD_PAGE);

    build_office(&t);
    for path in [
        "/office/",
        "/office/index.html",
        "/office/x",
        "/office/x/y?z=1",
    ] {
        let a = get(&t, path, None).await;
        assert_eq!(a.status, StatusCode::OK, "{path}");
        assert_eq!(a.text(), OFFICE_PAGE, "{path}");
        assert_eq!(header(&a, &header::CACHE_CONTROL), "no-cache", "{path}");
        assert!(
            header(&a, &header::CONTENT_TYPE).starts_with("text/html"),
            "{path}"
        );
        // The policy allows the office page's own inline module.
        let csp = header(&a, &header::CONTENT_SECURITY_POLICY);
        assert!(csp.contains(&office_module_hash()), "{path}: {csp}");
    }
    // The folder without its slash goes to the folder (relative addresses resolve in it).
    let a = get(&t, "/office", None).await;
    assert!(a.status.is_redirection(), "{}", a.status);
    assert_eq!(header(&a, &header::LOCATION), "/office/");
    // The field app's addresses (and names that only start alike) stay the field app's.
    for path in ["/", "/x", "/officer", "/offices/x"] {
        let a = get(&t, path, None).await;
        assert_eq!(
            (a.status, a.text().as_str()),
            (StatusCode::OK, FIELD_PAGE),
            "{path}"
        );
    }
    // Each build's worker is its own file, revalidated.
    let a = get(&t, "/office/sw.js", None).await;
    assert_eq!(a.text(), "// office worker");
    assert_eq!(header(&a, &header::CACHE_CONTROL), "no-cache");
    assert_eq!(get(&t, "/sw.js", None).await.text(), "// worker");
}

async fn compressed_copies_go_to_browsers_that_accept_them(t: TestApp) {
    // The build's copies (tools/compress.mjs); their bytes tell which one was served.
    let wasm = "koe-app-0123456789abcdef_bg.wasm";
    std::fs::write(t.dist.join(format!("{wasm}.br")), "brotli wasm").unwrap();
    std::fs::write(t.dist.join(format!("{wasm}.gz")), "gzip wasm").unwrap();
    std::fs::write(t.dist.join("index.html.br"), "brotli page").unwrap();
    std::fs::write(t.dist.join("sw.js.br"), "brotli worker").unwrap();
    build_office(&t);
    std::fs::write(t.dist.join("office/index.html.br"), "brotli office page").unwrap();

    let path = format!("/{wasm}");
    let a = get(&t, &path, Some("gzip, deflate, br, zstd")).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(header(&a, &header::CONTENT_ENCODING), "br");
    assert_eq!(a.text(), "brotli wasm");
    assert_eq!(header(&a, &header::CONTENT_TYPE), "application/wasm");
    assert_eq!(header(&a, &header::VARY), "accept-encoding");
    assert!(header(&a, &header::CACHE_CONTROL).contains("immutable"));
    let csp = header(&a, &header::CONTENT_SECURITY_POLICY);
    assert!(csp.starts_with("default-src 'self';"), "{csp}");
    assert!(
        !csp.contains("sha256-"),
        "a file's policy is not a page's: {csp}"
    );

    let a = get(&t, &path, Some("gzip")).await;
    assert_eq!(header(&a, &header::CONTENT_ENCODING), "gzip");
    assert_eq!(a.text(), "gzip wasm");
    assert_eq!(header(&a, &header::CONTENT_TYPE), "application/wasm");

    // A browser that asks for neither gets the file itself, also told that it varies.
    let a = get(&t, &path, None).await;
    assert_eq!(header(&a, &header::CONTENT_ENCODING), "");
    assert_eq!(a.text(), "wasm");
    assert_eq!(header(&a, &header::VARY), "accept-encoding");

    // The pages and the single-page fallback too, keeping their type, policy and rule;
    // the policy is the page's own (read from index.html, not from its copy).
    for (path, body, office) in [
        ("/", "brotli page", false),
        ("/capture", "brotli page", false),
        ("/office/x", "brotli office page", true),
    ] {
        let a = get(&t, path, Some("br")).await;
        assert_eq!(a.status, StatusCode::OK, "{path}");
        assert_eq!(header(&a, &header::CONTENT_ENCODING), "br", "{path}");
        assert_eq!(a.text(), body, "{path}");
        assert!(
            header(&a, &header::CONTENT_TYPE).starts_with("text/html"),
            "{path}"
        );
        assert_eq!(header(&a, &header::CACHE_CONTROL), "no-cache", "{path}");
        let csp = header(&a, &header::CONTENT_SECURITY_POLICY);
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{path}: {csp}"
        );
        assert_eq!(csp.contains(&office_module_hash()), office, "{path}: {csp}");
    }
    // The worker: compressed, and still revalidated every time.
    let a = get(&t, "/sw.js", Some("br")).await;
    assert_eq!(header(&a, &header::CONTENT_ENCODING), "br");
    assert!(header(&a, &header::CONTENT_TYPE).contains("javascript"));
    assert_eq!(header(&a, &header::CACHE_CONTROL), "no-cache");
}
