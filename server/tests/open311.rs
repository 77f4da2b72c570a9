//! Open311 GeoReport v2 read endpoints (`/open311/v2/…`), public, on SQLite and
//! PostgreSQL: statuses as open/closed, nothing personal, every welfare request and
//! category absent in JSON and in XML, and the XML well-formed with its text escaped.

mod common;
mod listing_support;

use axum::http::{header, StatusCode};
use koe_core::calendar::DAY_MS;
use koe_core::{FieldValue, Status};
use serde_json::Value;
use uuid::Uuid;

use common::{both, TestApp};
use listing_support::{request, Writer};

both!(
    services_list_public_categories_only,
    requests_map_statuses_and_hide_everything_personal,
    welfare_requests_do_not_exist_in_open311,
    requests_filter_by_id_code_status_and_dates,
    xml_is_well_formed_and_escaped,
    bad_parameters_answer_open311_errors,
);

const PERSONAL: [&str; 6] = [
    "山田 花子",
    "044-000-0000",
    "hanako@example.jp",
    "山田さん宅の前",
    "road01",
    "電話で説明",
];

struct Ward {
    pothole: Uuid,
    closed: Uuid,
    old: Uuid,
    welfare: Uuid,
}

async fn ward(t: &TestApp) -> Ward {
    let mut w = Writer::new();
    let now = koe_server::now_ms();
    let pothole = w
        .create(
            t,
            "road01",
            &request(
                "road-pothole",
                "歩道の穴 <&> \"深い\"",
                "山田さんが転んだ",
                0,
            ),
            now - 3 * DAY_MS,
        )
        .await;
    let closed = w
        .create(
            t,
            "park01",
            &request("park-equipment", "ブランコの鎖", "鎖が切れそう", 0),
            now - 2 * DAY_MS,
        )
        .await;
    w.edit(
        t,
        closed,
        vec![FieldValue::Status(Status::InProgress)],
        now - DAY_MS,
    )
    .await;
    w.edit(
        t,
        closed,
        vec![
            FieldValue::Response("山田様に電話で説明".into()),
            FieldValue::Status(Status::Resolved),
        ],
        now - DAY_MS + 60_000,
    )
    .await;
    let old = w
        .create(
            t,
            "road01",
            &request("road-drain", "側溝のふた", "外れている", 0),
            now - 200 * DAY_MS,
        )
        .await;
    let welfare = w
        .create(
            t,
            "welfare01",
            &request("welfare-elderly", "独居の方の安否確認", "認知症の疑い", 0),
            now - DAY_MS,
        )
        .await;
    Ward {
        pothole,
        closed,
        old,
        welfare,
    }
}

async fn json(t: &TestApp, path: &str) -> Value {
    let a = t.get(path, None).await;
    assert_eq!(a.status, StatusCode::OK, "{path}: {}", a.text());
    assert_eq!(
        a.headers[header::CONTENT_TYPE],
        "application/json; charset=utf-8"
    );
    assert_eq!(a.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    a.json()
}

async fn xml(t: &TestApp, path: &str) -> String {
    let a = t.get(path, None).await;
    assert_eq!(a.status, StatusCode::OK, "{path}: {}", a.text());
    assert_eq!(a.headers[header::CONTENT_TYPE], "text/xml; charset=utf-8");
    let text = a.text();
    check_well_formed(&text);
    text
}

/// A small XML checker: the declaration, then elements that nest and close in order,
/// text with no raw `<` or `&` outside entities, and a single root.
fn check_well_formed(text: &str) {
    let body = text
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .expect("the XML declaration first");
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut rest = body.trim_end();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('<') {
            let end = after.find('>').expect("a tag closes");
            let tag = &after[..end];
            assert!(!tag.contains('<') && !tag.contains('&'), "tag {tag:?}");
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop().as_deref(), Some(name), "closing tag order");
            } else if let Some(name) = tag.strip_suffix('/') {
                assert!(!name.is_empty());
                if stack.is_empty() {
                    roots += 1;
                }
            } else {
                if stack.is_empty() {
                    roots += 1;
                }
                stack.push(tag.to_string());
            }
            rest = &after[end + 1..];
        } else {
            assert!(!stack.is_empty(), "text outside the root: {rest:.40}");
            let end = rest.find('<').unwrap_or(rest.len());
            let chars = &rest[..end];
            assert!(!chars.contains('>'), "raw > in text {chars:?}");
            let mut entities = chars.split('&');
            entities.next();
            for e in entities {
                let name = e.split(';').next().unwrap();
                assert!(
                    ["amp", "lt", "gt", "quot", "apos"].contains(&name) && e.contains(';'),
                    "bad entity in {chars:?}"
                );
            }
            rest = &rest[end..];
        }
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
    assert_eq!(roots, 1, "one root element");
}

async fn services_list_public_categories_only(t: TestApp) {
    let catalogue = t.store.catalogue().await.unwrap();
    let services = json(&t, "/open311/v2/services.json").await;
    let codes: Vec<&str> = services
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service_code"].as_str().unwrap())
        .collect();
    let public: Vec<&str> = catalogue
        .categories
        .iter()
        .filter(|c| !c.sensitive)
        .map(|c| c.code.as_str())
        .collect();
    assert_eq!(codes, public);
    assert!(codes.contains(&"road-pothole"));
    assert!(!codes.iter().any(|c| c.starts_with("welfare")));
    let s = &services[0];
    for key in [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ] {
        assert!(s.get(key).is_some(), "{key}");
    }
    assert_eq!(s["metadata"], false);
    assert_eq!(s["type"], "realtime");
    let x = xml(&t, "/open311/v2/services.xml").await;
    assert!(x.contains("<service_code>road-pothole</service_code>"));
    assert!(!x.contains("welfare"));
    assert!(!x.contains("福祉"));

    let d = json(&t, "/open311/v2/services/road-pothole.json").await;
    assert_eq!(d["service_code"], "road-pothole");
    assert_eq!(d["attributes"], serde_json::json!([]));
    let x = xml(&t, "/open311/v2/services/road-pothole.xml").await;
    assert!(x.contains("<service_definition><service_code>road-pothole</service_code>"));
    // A welfare category does not exist here: the same 404 as a made-up code.
    for code in ["welfare-elderly", "no-such-thing"] {
        for ext in ["json", "xml"] {
            let a = t
                .get(&format!("/open311/v2/services/{code}.{ext}"), None)
                .await;
            assert_eq!(a.status, StatusCode::NOT_FOUND, "{code}.{ext}");
        }
    }
}

async fn requests_map_statuses_and_hide_everything_personal(t: TestApp) {
    let w = ward(&t).await;
    let list = json(&t, "/open311/v2/requests.json").await;
    let list = list.as_array().unwrap();
    // The last 90 days by default: not the old drain; never the welfare request.
    let ids: Vec<&str> = list
        .iter()
        .map(|r| r["service_request_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [w.closed.to_string(), w.pothole.to_string()]);
    let closed = &list[0];
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["service_code"], "park-equipment");
    assert_eq!(closed["description"], "ブランコの鎖");
    assert_eq!(closed["expected_datetime"], Value::Null);
    assert!(closed["requested_datetime"]
        .as_str()
        .unwrap()
        .ends_with("+09:00"));
    assert!(
        closed["updated_datetime"].as_str().unwrap()
            > closed["requested_datetime"].as_str().unwrap(),
        "the last change is after receipt"
    );
    let open = &list[1];
    assert_eq!(open["status"], "open");
    assert!(
        open["expected_datetime"].is_string(),
        "an open request's due date"
    );
    assert_eq!(open["lat"], 35.6);
    assert_eq!(open["long"], 139.61);
    assert_eq!(open["address"], "高津区下作延2-8");
    assert_eq!(open["media_url"], "");
    for key in [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    ] {
        assert!(open.get(key).is_some(), "{key}");
    }
    let body = serde_json::to_string(&list).unwrap()
        + &xml(&t, "/open311/v2/requests.xml").await
        + &xml(&t, &format!("/open311/v2/requests/{}.xml", w.closed)).await;
    for personal in PERSONAL {
        assert!(!body.contains(personal), "{personal} published");
    }
    assert!(
        !body.contains("山田さんが転んだ"),
        "the resident's words are not published"
    );
}

async fn welfare_requests_do_not_exist_in_open311(t: TestApp) {
    let w = ward(&t).await;
    let id = w.welfare.to_string();
    for ext in ["json", "xml"] {
        let everything = t
            .get(
                &format!("/open311/v2/requests.{ext}?start_date=2000-01-01T00:00:00Z"),
                None,
            )
            .await;
        assert_eq!(everything.status, StatusCode::OK);
        let text = everything.text();
        assert!(text.contains(&w.old.to_string()), "all dates: {text:.200}");
        for hidden in [id.as_str(), "安否確認", "認知症", "welfare"] {
            assert!(!text.contains(hidden), "{hidden} in requests.{ext}");
        }
        // Asked by id, or by its category: nothing, as for an id that never existed.
        let by_id = t
            .get(&format!("/open311/v2/requests/{id}.{ext}"), None)
            .await;
        let never = t
            .get(
                &format!("/open311/v2/requests/{}.{ext}", Uuid::new_v4()),
                None,
            )
            .await;
        assert_eq!(by_id.status, StatusCode::NOT_FOUND);
        assert_eq!(by_id.text(), never.text());
        let listed = t
            .get(
                &format!("/open311/v2/requests.{ext}?service_request_id={id}"),
                None,
            )
            .await;
        assert!(!listed.text().contains(&id));
        let by_code = t
            .get(
                &format!(
                    "/open311/v2/requests.{ext}?service_code=welfare-elderly&start_date=2000-01-01"
                ),
                None,
            )
            .await;
        assert_eq!(by_code.status, StatusCode::OK);
        assert!(!by_code.text().contains(&id));
        assert!(!by_code.text().contains("<request>"));
    }
    assert_eq!(
        json(&t, "/open311/v2/requests.json?service_code=welfare-elderly").await,
        serde_json::json!([])
    );
}

async fn requests_filter_by_id_code_status_and_dates(t: TestApp) {
    let w = ward(&t).await;
    let ids = |v: Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["service_request_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(json(&t, "/open311/v2/requests.json?status=open").await),
        [w.pothole.to_string()]
    );
    assert_eq!(
        ids(json(&t, "/open311/v2/requests.json?status=closed").await),
        [w.closed.to_string()]
    );
    assert_eq!(
        ids(json(&t, "/open311/v2/requests.json?status=open,closed").await).len(),
        2
    );
    assert_eq!(
        ids(json(
            &t,
            "/open311/v2/requests.json?service_code=road-pothole,road-drain"
        )
        .await),
        [w.pothole.to_string()]
    );
    let old = json(
        &t,
        "/open311/v2/requests.json?service_code=road-drain&start_date=2000-01-01T00:00:00%2B09:00",
    )
    .await;
    assert_eq!(ids(old), [w.old.to_string()]);
    // Ids: a list, the other parameters ignored (the spec says so), any age.
    let both_ids = json(
        &t,
        &format!(
            "/open311/v2/requests.json?service_request_id={},{}&status=open",
            w.old, w.closed
        ),
    )
    .await;
    assert_eq!(ids(both_ids), [w.closed.to_string(), w.old.to_string()]);
    let one = json(&t, &format!("/open311/v2/requests/{}.json", w.pothole)).await;
    assert_eq!(ids(one), [w.pothole.to_string()]);
    // A window that holds nothing.
    let none = json(
        &t,
        "/open311/v2/requests.json?start_date=2001-01-01T00:00:00Z&end_date=2001-02-01T00:00:00Z",
    )
    .await;
    assert_eq!(none, serde_json::json!([]));
}

async fn xml_is_well_formed_and_escaped(t: TestApp) {
    let w = ward(&t).await;
    let x = xml(&t, &format!("/open311/v2/requests/{}.xml", w.pothole)).await;
    assert!(x.contains("<service_requests><request>"));
    assert!(x.contains("<description>歩道の穴 &lt;&amp;&gt; &quot;深い&quot;</description>"));
    assert!(x.contains("<status>open</status>"));
    let all = xml(&t, "/open311/v2/requests.xml").await;
    assert_eq!(all.matches("<request>").count(), 2);
    let empty = xml(
        &t,
        "/open311/v2/requests.xml?status=closed&service_code=road-pothole",
    )
    .await;
    assert!(empty.contains("<service_requests></service_requests>"));
}

async fn bad_parameters_answer_open311_errors(t: TestApp) {
    let a = t
        .get("/open311/v2/requests.json?status=pending", None)
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let e = a.json();
    assert_eq!(e[0]["code"], 400);
    assert!(e[0]["description"].as_str().unwrap().contains("open"));
    let a = t
        .get("/open311/v2/requests.xml?start_date=yesterday", None)
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    check_well_formed(&a.text());
    assert!(a.text().contains("<errors><error><code>400</code>"));
    let a = t
        .get(
            "/open311/v2/requests.json?start_date=2026-05-02&end_date=2026-05-01",
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    for path in [
        "/open311/v2/requests.csv",
        "/open311/v2/requests/abc",
        "/open311/v2/elsewhere",
    ] {
        let a = t.get(path, None).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(a.json()[0]["code"], 404, "{path}");
    }
    // Not under /api, and no session needed; the app's other paths are untouched.
    assert_eq!(
        t.get("/api/open311/v2/services.json", None).await.status,
        StatusCode::NOT_FOUND
    );
}
