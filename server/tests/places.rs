//! A request's place may have no GPS fix (address typed in) and the next one may have one.
//! On PostgreSQL, sqlx's `Any` driver binds a missing `f64` as a 4-byte float and caches
//! the statement with that parameter type, so the next request WITH coordinates on the
//! same connection failed (`22P03 incorrect binary data format`). These tests run on a
//! one-connection pool so every statement reuses one connection's statement cache.

mod common;

use axum::http::StatusCode;
use common::{new_request_id, run_with_connections, TestApp};
use koe_server::Backend;
use serde_json::{json, Value};
use uuid::Uuid;

fn create(id: u64, request_id: Uuid, fix: Option<(f64, f64)>) -> Value {
    let (lat, lon, accuracy) = match fix {
        Some((lat, lon)) => (json!(lat), json!(lon), json!(12.0)),
        None => (Value::Null, Value::Null, Value::Null),
    };
    json!({
        "id": id,
        "type": "create_request",
        "request": {
            "id": request_id,
            "category": "road-pothole",
            "title": "路面の穴",
            "description": "",
            "place": {"lat": lat, "lon": lon, "accuracy_m": accuracy,
                      "address": "高津区下作延2-8", "landmark": ""},
            "urgency": "medium",
            "logged_at": koe_server::now_ms(),
            "contact": {"consent_to_contact": false}
        }
    })
}

fn set_place(id: u64, request_id: Uuid, version: i64, fix: Option<(f64, f64)>) -> Value {
    let (lat, lon) = match fix {
        Some((lat, lon)) => (json!(lat), json!(lon)),
        None => (Value::Null, Value::Null),
    };
    json!({
        "id": id,
        "type": "set_fields",
        "request_id": request_id,
        "edits": [{"field": "place", "value": {"lat": lat, "lon": lon, "accuracy_m": null,
                   "address": "高津区溝口1-1", "landmark": ""}, "base_version": version}]
    })
}

async fn push(t: &TestApp, cookie: &str, client: Uuid, mutation: Value) -> Value {
    let a = t
        .post(
            "/api/sync/push",
            Some(cookie),
            &json!({"client_id": client, "mutations": [mutation]}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let outcome = a.json()["outcomes"][0].clone();
    assert_eq!(outcome["outcome"], "applied", "{outcome}");
    outcome
}

/// Without a fix, then with one, then without again: creates and place edits.
async fn places_with_and_without_a_fix(t: TestApp) {
    let cookie = t.sign_in("road01").await;
    let client = Uuid::new_v4();
    let fixes = [None, Some((35.6, 139.6)), None, Some((35.61, 139.61))];
    let mut mutation = 0;
    let mut ids = Vec::new();
    for fix in fixes {
        mutation += 1;
        let id = new_request_id();
        let outcome = push(&t, &cookie, client, create(mutation, id, fix)).await;
        ids.push((id, outcome["version"].as_i64().expect("version")));
    }
    for (i, (id, version)) in ids.into_iter().enumerate() {
        mutation += 1;
        let fix = (i % 2 == 0).then_some((35.59, 139.59));
        push(&t, &cookie, client, set_place(mutation, id, version, fix)).await;
        let detail = t
            .get(&format!("/api/requests/{id}"), Some(&cookie))
            .await
            .json();
        let place = &detail["request"]["place"];
        assert_eq!(place["address"], "高津区溝口1-1");
        assert_eq!(place["lat"], fix.map_or(Value::Null, |f| json!(f.0)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_places_with_and_without_a_fix() {
    run_with_connections(Backend::Sqlite, 1, places_with_and_without_a_fix).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_places_with_and_without_a_fix() {
    run_with_connections(Backend::Postgres, 1, places_with_and_without_a_fix).await;
}
