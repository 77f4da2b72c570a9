//! The OpenAPI document (`server/openapi.json`, served at `GET /api/openapi.json`) against
//! the router and `koe_core`'s types, so it cannot drift from either: every route in
//! `src/routes/mod.rs` is documented with its methods and every documented path is routed;
//! the examples deserialize into the real types, serialize back unchanged and fit the
//! schemas (whose objects are taken as closed here, so a field added to a type and not to
//! the document fails).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use koe_core::api::{
    DeviceReport, DeviceSummary, ErrorBody, Me, RequestDetail, SignIn, SignedInAnswer,
};
use koe_core::photo::{PhotoInfo, PhotoProgress, PhotoUpload};
use koe_core::{Catalogue, PullResponse, PushRequest, PushResponse, RequestRecord};
use koe_server::auth::Passwords;
use koe_server::{app, AppState, SqlStore, Store};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

const ROUTES: &str = include_str!("../src/routes/mod.rs");
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

/// The router on a fresh, empty SQLite database (no session is ever made here).
async fn router() -> Router {
    sqlx::any::install_default_drivers();
    let dir = std::env::temp_dir().join(format!("koe-openapi-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}", dir.join("koe.db").display());
    let store: Arc<dyn Store> = Arc::new(SqlStore::connect_with(&url, 2).await.expect("db"));
    app(AppState {
        store,
        dist: dir.join("dist"),
        passwords: Passwords::for_tests(),
        photos: koe_server::blob::PhotoBlobs::new(dir.join("photos")),
    })
}

async fn call(router: &Router, method: Method, uri: &str) -> (StatusCode, String, Value) {
    use tower::ServiceExt;
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::empty())
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        content_type,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn document(router: &Router) -> Value {
    let (status, content_type, doc) = call(router, Method::GET, "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK, "served without a session");
    assert_eq!(content_type, "application/json");
    doc
}

/// `path → methods` of every `.route("…", get(…).post(…))` in `routes/mod.rs`, under `/api`.
fn routes_in_source() -> BTreeMap<String, BTreeSet<String>> {
    assert!(
        ROUTES.contains(r#".nest("/api", api)"#),
        "the API is nested at /api"
    );
    let mut routes = BTreeMap::new();
    for (start, _) in ROUTES.match_indices(".route(") {
        let text = &ROUTES[start + ".route(".len()..];
        let mut depth = 1;
        let end = text
            .char_indices()
            .find(|&(_, c)| {
                depth += match c {
                    '(' => 1,
                    ')' => -1,
                    _ => 0,
                };
                depth == 0
            })
            .expect("balanced .route(…)")
            .0;
        let call = &text[..end];
        let path = call.split('"').nth(1).expect("a path literal");
        let methods = METHODS
            .iter()
            .filter(|m| {
                call.match_indices(&format!("{m}(")).any(|(i, _)| {
                    let before = call[..i].chars().last();
                    !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
                })
            })
            .map(|m| m.to_string())
            .collect();
        routes.insert(format!("/api{path}"), methods);
    }
    assert!(routes.len() >= 10, "found the routes: {routes:?}");
    routes
}

#[tokio::test]
async fn served_without_a_session_as_openapi_3_1() {
    let doc = document(&router().await).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(
        doc["components"]["securitySchemes"]["koeSession"]["name"],
        "koe_session"
    );
}

#[tokio::test]
async fn every_route_is_documented_and_every_documented_path_is_routed() {
    let router = router().await;
    let doc = document(&router).await;
    let documented: BTreeMap<String, BTreeSet<String>> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(path, item)| {
            let methods = item.as_object().unwrap().keys();
            let methods = methods.filter(|m| METHODS.contains(&m.as_str()));
            (path.clone(), methods.cloned().collect())
        })
        .collect();
    assert_eq!(documented, routes_in_source(), "paths and methods");

    let id = Uuid::new_v4().to_string();
    for (path, methods) in &documented {
        let uri: String = path
            .split('/')
            .map(|seg| {
                if seg.starts_with('{') {
                    id.as_str()
                } else {
                    seg
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for method in methods {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let (status, _, body) = call(&router, m, &uri).await;
            let generic = (status == StatusCode::NOT_FOUND && body["code"] == "not_found")
                || status == StatusCode::METHOD_NOT_ALLOWED;
            assert!(!generic, "{method} {uri} is not routed: {status} {body}");
            let op = &doc["paths"][path][method];
            assert!(op["summary"].is_string(), "{method} {path} has a summary");
            for (code, response) in op["responses"].as_object().unwrap() {
                if code.as_str() >= "400" {
                    let schema = resolve(&doc, response)["content"]["application/json"]["schema"]
                        ["$ref"]
                        .as_str()
                        .unwrap_or_default();
                    assert!(
                        schema.ends_with("/ErrorBody") || schema.ends_with("/WrongOffsetError"),
                        "{method} {path} {code} answers an ErrorBody"
                    );
                }
            }
        }
    }
}

fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(r) => resolve(doc, doc.pointer(&r[1..]).expect("$ref resolves")),
        None => value,
    }
}

/// Whether `value` fits `schema`, every object closed to the properties it lists.
fn fits(doc: &Value, schema: &Value, value: &Value) -> Result<(), String> {
    let schema = resolve(doc, schema);
    if let Some(branches) = schema["oneOf"].as_array() {
        let fit: Vec<_> = branches.iter().map(|b| fits(doc, b, value)).collect();
        return match fit.iter().filter(|r| r.is_ok()).count() {
            1 => Ok(()),
            n => Err(format!("{value} fits {n} branches: {fit:?}")),
        };
    }
    if let Some(c) = schema.get("const").filter(|c| *c != value) {
        return Err(format!("{value} is not {c}"));
    }
    if let Some(e) = schema["enum"].as_array().filter(|e| !e.contains(value)) {
        return Err(format!("{value} is not one of {e:?}"));
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return Ok(()),
    };
    let is = |t: &str| match t {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => false,
    };
    if !types.iter().any(|t| is(t)) {
        return Err(format!("{value} is not {types:?}"));
    }
    if let (Some(items), Some(values)) = (schema.get("items"), value.as_array()) {
        values.iter().try_for_each(|v| fits(doc, items, v))?;
    }
    if let (Some(props), Some(map)) = (schema["properties"].as_object(), value.as_object()) {
        for required in schema["required"].as_array().into_iter().flatten() {
            let key = required.as_str().unwrap();
            if !map.contains_key(key) {
                return Err(format!("{value} lacks {key}"));
            }
        }
        for (key, v) in map {
            let prop = props.get(key).ok_or(format!("{key} is not documented"))?;
            fits(doc, prop, v).map_err(|e| format!("{key}: {e}"))?;
        }
    }
    Ok(())
}

/// The schema's examples (there must be some) deserialize into `T`, serialize back the
/// same, and fit the schema.
fn examples_are<T: DeserializeOwned + Serialize>(doc: &Value, name: &str) {
    let schema = &doc["components"]["schemas"][name];
    let examples = schema["examples"].as_array();
    let examples = examples.unwrap_or_else(|| panic!("{name} has examples"));
    assert!(!examples.is_empty(), "{name} has examples");
    for example in examples {
        let typed: T = serde_json::from_value(example.clone())
            .unwrap_or_else(|e| panic!("{name} example is not a {name}: {e}"));
        let back = serde_json::to_value(&typed).unwrap();
        assert_eq!(&back, example, "{name} example round-trips unchanged");
        fits(doc, schema, example).unwrap_or_else(|e| panic!("{name} example: {e}"));
        fits(doc, schema, &back).unwrap_or_else(|e| panic!("{name} as serialized: {e}"));
    }
}

#[tokio::test]
async fn examples_are_the_core_types() {
    let doc = document(&router().await).await;
    examples_are::<PushRequest>(&doc, "PushRequest");
    examples_are::<PushResponse>(&doc, "PushResponse");
    examples_are::<PullResponse>(&doc, "PullResponse");
    examples_are::<koe_core::SyncNews>(&doc, "SyncNews");
    examples_are::<SignIn>(&doc, "SignIn");
    examples_are::<Me>(&doc, "Me");
    examples_are::<SignedInAnswer>(&doc, "SignedInAnswer");
    examples_are::<DeviceReport>(&doc, "DeviceReport");
    examples_are::<DeviceSummary>(&doc, "DeviceSummary");
    examples_are::<RequestRecord>(&doc, "RequestRecord");
    examples_are::<RequestDetail>(&doc, "RequestDetail");
    examples_are::<Catalogue>(&doc, "Catalogue");
    examples_are::<ErrorBody>(&doc, "ErrorBody");
    examples_are::<PhotoUpload>(&doc, "PhotoUpload");
    examples_are::<PhotoProgress>(&doc, "PhotoProgress");
    examples_are::<PhotoInfo>(&doc, "PhotoInfo");
}
