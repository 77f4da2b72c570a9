//! Administration (`/api/admin/…`) through the router, on SQLite and PostgreSQL: each
//! action, each permission, the change log's before/after, and that refused input
//! writes nothing.

mod common;

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use common::{both, request_id_at, Answer, TestApp, PASSWORD};

both!(
    only_administrators_administer,
    a_new_account_signs_in_with_the_password_shown_once,
    a_disabled_account_cannot_sign_in_and_its_sessions_end,
    a_password_reset_ends_sessions,
    an_account_is_updated_and_admins_cannot_lock_themselves_out,
    sections_are_created_renamed_and_deleted_only_when_unused,
    a_category_edit_shows_in_the_catalogue_and_the_log,
    a_changed_standard_applies_to_requests_received_afterwards,
    days_off_are_added_and_removed,
    bad_input_is_refused_and_writes_nothing,
    the_change_log_pages_back,
    two_administrators_creating_one_code_get_one_201_and_one_409,
    a_sensitive_category_with_requests_stays_sensitive,
);

// ---------------------------------------------------------------------------------
// Helpers

impl TestApp {
    async fn put(&self, path: &str, cookie: &str, body: &Value) -> Answer {
        self.json(Method::PUT, path, Some(cookie), body).await
    }

    async fn delete(&self, path: &str, cookie: &str) -> Answer {
        self.call(Method::DELETE, path, Some(cookie), None, Vec::new())
            .await
    }

    async fn catalogue(&self, cookie: &str) -> Value {
        let a = self.get("/api/catalogue", Some(cookie)).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        a.json()
    }

    /// The change log, newest first.
    async fn changes(&self, cookie: &str) -> Vec<Value> {
        let a = self.get("/api/admin/changes?limit=500", Some(cookie)).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        a.json()["changes"].as_array().expect("changes").clone()
    }

    async fn sign_in_with(&self, staff_id: &str, password: &str) -> Answer {
        self.post(
            "/api/session",
            None,
            &json!({"staff_id": staff_id, "password": password}),
        )
        .await
    }

    /// Logs a pothole report through a push; returns the stored record.
    async fn log_pothole(&self, cookie: &str) -> Value {
        let now = koe_server::now_ms();
        let id = request_id_at(now);
        self.log_json(
            cookie,
            json!({
                "id": id,
                "category": "road-pothole",
                "title": "路面の穴",
                "description": "",
                "place": {"lat": 35.6, "lon": 139.6, "accuracy_m": 10.0,
                          "address": "高津区下作延2-8"},
                "urgency": "medium",
                "logged_at": now,
            }),
        )
        .await;
        let d = self.get(&format!("/api/requests/{id}"), Some(cookie)).await;
        assert_eq!(d.status, StatusCode::OK, "{}", d.text());
        d.json()["request"].clone()
    }
}

fn pothole(catalogue: &Value) -> Value {
    catalogue["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["code"] == "road-pothole")
        .expect("pothole")
        .clone()
}

fn new_clerk() -> Value {
    json!({"id": "clerk02", "name": "  渡辺 さくら ", "role": "office", "sections": ["residents"]})
}

// ---------------------------------------------------------------------------------
// Tests

async fn only_administrators_administer(t: TestApp) {
    let category = json!({"code": "x", "group_ja": "道路", "group_en": "Roads",
        "name_ja": "x", "name_en": "x", "default_section": "road"});
    let calls: Vec<(Method, &str, Option<Value>)> = vec![
        (Method::GET, "/api/admin/staff", None),
        (Method::POST, "/api/admin/staff", Some(new_clerk())),
        (
            Method::PUT,
            "/api/admin/staff/road01",
            Some(json!({"name": "x", "role": "admin", "sections": []})),
        ),
        (Method::POST, "/api/admin/staff/road01/disable", None),
        (Method::POST, "/api/admin/staff/road01/enable", None),
        (Method::POST, "/api/admin/staff/road01/password", None),
        (
            Method::POST,
            "/api/admin/sections",
            Some(json!({"code": "y", "department": "shimin", "name_ja": "y", "name_en": "y"})),
        ),
        (
            Method::PUT,
            "/api/admin/sections/road",
            Some(json!({"name_ja": "y", "name_en": "y"})),
        ),
        (Method::DELETE, "/api/admin/sections/road", None),
        (
            Method::POST,
            "/api/admin/categories",
            Some(category.clone()),
        ),
        (
            Method::PUT,
            "/api/admin/categories/road-pothole",
            Some(category),
        ),
        (
            Method::POST,
            "/api/admin/calendar",
            Some(json!({"date": "2026-06-01", "name_ja": "x"})),
        ),
        (Method::DELETE, "/api/admin/calendar/2026-12-29", None),
        (Method::GET, "/api/admin/changes", None),
    ];
    for staff in ["road01", "clerk01", "head01", "parkhead01"] {
        let cookie = t.sign_in(staff).await;
        for (method, path, body) in &calls {
            let a = match body {
                Some(b) => t.json(method.clone(), path, Some(&cookie), b).await,
                None => {
                    t.call(method.clone(), path, Some(&cookie), None, Vec::new())
                        .await
                }
            };
            a.assert_error(StatusCode::FORBIDDEN, "not_allowed");
            assert!(a.json()["message"]["ja"]
                .as_str()
                .unwrap()
                .contains("管理者"));
        }
    }
    // Signed out: 401.
    t.get("/api/admin/staff", None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
    // Nothing was changed by any of them.
    let admin = t.sign_in("admin01").await;
    assert!(t.changes(&admin).await.is_empty());
    let list = t.get("/api/admin/staff", Some(&admin)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list
        .json()
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["disabled"] == false));
    assert!(list
        .json()
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["name"] != "x"));
}

async fn a_new_account_signs_in_with_the_password_shown_once(t: TestApp) {
    let admin = t.sign_in("admin01").await;
    let a = t.post("/api/admin/staff", Some(&admin), &new_clerk()).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let v = a.json();
    let password = v["password"].as_str().unwrap().to_string();
    assert_eq!(password.chars().count(), 12);
    assert_eq!(v["staff"]["id"], "clerk02");
    assert_eq!(v["staff"]["name"], "渡辺 さくら", "trimmed");
    assert_eq!(v["staff"]["role"], "office");
    assert_eq!(v["staff"]["disabled"], false);

    // The new person signs in with it and is who the administrator said.
    let s = t.sign_in_with("clerk02", &password).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.text());
    assert_eq!(s.json()["sections"], json!(["residents"]));
    assert_eq!(s.json()["role"], "office");
    t.sign_in_with("clerk02", PASSWORD)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");

    // Listed, and logged without the password or its hash.
    let list = t.get("/api/admin/staff", Some(&admin)).await.json();
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["id"] == "clerk02"));
    let changes = t.changes(&admin).await;
    assert_eq!(changes.len(), 1);
    let c = &changes[0];
    assert_eq!(c["action"], "staff.create");
    assert_eq!(c["target"], "clerk02");
    assert_eq!(c["by"], "admin01");
    assert!(c["before"].is_null());
    assert_eq!(c["after"]["name"], "渡辺 さくら");
    let text = c.to_string();
    assert!(
        !text.contains(&password) && !text.contains("argon2"),
        "{text}"
    );

    // The id is now taken.
    t.post("/api/admin/staff", Some(&admin), &new_clerk())
        .await
        .assert_error(StatusCode::CONFLICT, "exists");
    assert_eq!(t.changes(&admin).await.len(), 1);
}

async fn a_disabled_account_cannot_sign_in_and_its_sessions_end(t: TestApp) {
    let admin = t.sign_in("admin01").await;
    let road = t.sign_in("road01").await;
    assert_eq!(
        t.get("/api/session", Some(&road)).await.status,
        StatusCode::OK
    );

    let a = t
        .post("/api/admin/staff/road01/disable", Some(&admin), &json!({}))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["disabled"], true);

    // The open session ends at once, and signing in again fails.
    t.get("/api/session", Some(&road))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
    t.get("/api/catalogue", Some(&road))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
    assert_eq!(
        t.sign_in_with("road01", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Nor is a disabled person offered for assignment.
    let directory = t.get("/api/staff", Some(&admin)).await.json();
    assert!(!directory
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["id"] == "road01"));

    // Enabled again, the same password works.
    let a = t
        .post("/api/admin/staff/road01/enable", Some(&admin), &json!({}))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["disabled"], false);
    assert_eq!(
        t.sign_in_with("road01", PASSWORD).await.status,
        StatusCode::OK
    );

    let changes = t.changes(&admin).await;
    let actions: Vec<_> = changes.iter().map(|c| c["action"].clone()).collect();
    assert_eq!(actions, [json!("staff.enable"), json!("staff.disable")]);
    assert_eq!(changes[1]["before"]["disabled"], false);
    assert_eq!(changes[1]["after"]["disabled"], true);

    // No such account.
    t.post("/api/admin/staff/nobody/disable", Some(&admin), &json!({}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "missing");
}

async fn a_password_reset_ends_sessions(t: TestApp) {
    let admin = t.sign_in("admin01").await;
    let welfare = t.sign_in("welfare01").await;
    let a = t
        .post(
            "/api/admin/staff/welfare01/password",
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let password = a.json()["password"].as_str().unwrap().to_string();
    assert_ne!(password, PASSWORD);

    t.get("/api/session", Some(&welfare))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
    assert_eq!(
        t.sign_in_with("welfare01", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The administrator's own session is untouched.
    assert_eq!(
        t.get("/api/session", Some(&admin)).await.status,
        StatusCode::OK
    );
    let s = t.sign_in_with("welfare01", &password).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.text());

    let changes = t.changes(&admin).await;
    assert_eq!(changes[0]["action"], "staff.reset_password");
    assert_eq!(changes[0]["after"]["sessions_ended"], 1);
    let text = changes[0].to_string();
    assert!(
        !text.contains(&password) && !text.contains("argon2"),
        "{text}"
    );
}

async fn an_account_is_updated_and_admins_cannot_lock_themselves_out(t: TestApp) {
    let admin = t.sign_in("admin01").await;
    let a = t
        .put(
            "/api/admin/staff/park01",
            &admin,
            &json!({"name": "佐藤 美咲", "role": "supervisor", "sections": ["park", "road"]}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["role"], "supervisor");
    let s = t.sign_in("park01").await;
    let me = t.get("/api/session", Some(&s)).await.json();
    assert_eq!(me["sections"], json!(["park", "road"]));
    assert_eq!(me["role"], "supervisor");

    let changes = t.changes(&admin).await;
    assert_eq!(changes[0]["action"], "staff.update");
    assert_eq!(changes[0]["before"]["role"], "field");
    assert_eq!(changes[0]["before"]["sections"], json!(["park"]));
    assert_eq!(changes[0]["after"]["sections"], json!(["park", "road"]));

    // Not oneself.
    t.put(
        "/api/admin/staff/admin01",
        &admin,
        &json!({"name": "小林 恵", "role": "office", "sections": ["residents"]}),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "own_account");
    t.post("/api/admin/staff/admin01/disable", Some(&admin), &json!({}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "own_account");
    // Renaming oneself is fine.
    let a = t
        .put(
            "/api/admin/staff/admin01",
            &admin,
            &json!({"name": "小林 恵子", "role": "admin", "sections": []}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());

    // A second administrator may not disable the first when that would leave none:
    // here there are two, so it may; then the one left can not be demoted by anyone.
    let created = t
        .post(
            "/api/admin/staff",
            Some(&admin),
            &json!({"id": "admin02", "name": "管理 二郎", "role": "admin", "sections": []}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let pw = created.json()["password"].as_str().unwrap().to_string();
    let s = t.sign_in_with("admin02", &pw).await;
    assert_eq!(s.status, StatusCode::OK);
    let a = t
        .post("/api/admin/staff/admin02/disable", Some(&admin), &json!({}))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    // Unknown section, no section for a field worker.
    t.put(
        "/api/admin/staff/road01",
        &admin,
        &json!({"name": "田中 健一", "role": "field", "sections": ["moon"]}),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "unknown_section");
    t.put(
        "/api/admin/staff/road01",
        &admin,
        &json!({"name": "田中 健一", "role": "field", "sections": []}),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "no_section");
    t.put(
        "/api/admin/staff/nobody",
        &admin,
        &json!({"name": "誰か", "role": "field", "sections": ["road"]}),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "missing");
}

async fn sections_are_created_renamed_and_deleted_only_when_unused(t: TestApp) {
    let admin = t.sign_in("admin01").await;
    let a = t
        .post(
            "/api/admin/sections",
            Some(&admin),
            &json!({"code": "planning", "department": "shimin",
                    "name_ja": "企画課", "name_en": "Planning Section", "welfare": false}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let cat = t.catalogue(&admin).await;
    let last = cat["sections"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["code"], "planning");

    let a = t
        .put(
            "/api/admin/sections/planning",
            &admin,
            &json!({"name_ja": "企画調整課", "name_en": "Planning and Coordination"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let cat = t.catalogue(&admin).await;
    let s = cat["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "planning")
        .unwrap()
        .clone();
    assert_eq!(s["name_ja"], "企画調整課");
    assert_eq!(s["department"], "shimin");

    // A section in use (categories route to it, staff belong to it) stays.
    let a = t.delete("/api/admin/sections/road", &admin).await;
    a.assert_error(StatusCode::CONFLICT, "section_in_use");
    assert!(a.json()["message"]["en"]
        .as_str()
        .unwrap()
        .contains("road-pothole"));
    t.delete("/api/admin/sections/community", &admin)
        .await
        .assert_error(StatusCode::CONFLICT, "section_in_use");

    // An unused one goes.
    let a = t.delete("/api/admin/sections/planning", &admin).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let cat = t.catalogue(&admin).await;
    assert!(!cat["sections"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["code"] == "planning"));
    t.delete("/api/admin/sections/planning", &admin)
        .await
        .assert_error(StatusCode::NOT_FOUND, "missing");

    let changes = t.changes(&admin).await;
    let actions: Vec<_> = changes.iter().map(|c| c["action"].clone()).collect();
    assert_eq!(
        actions,
        [
            json!("section.delete"),
            json!("section.rename"),
            json!("section.create")
        ]
    );
    assert_eq!(changes[0]["after"], Value::Null);
    assert_eq!(changes[1]["before"]["name_ja"], "企画課");
    assert_eq!(changes[1]["after"]["name_ja"], "企画調整課");
}

async fn a_category_edit_shows_in_the_catalogue_and_the_log(t: TestApp) {
    let admin = t.sign_in("admin01").await;
    let mut c = pothole(&t.catalogue(&admin).await);
    c["standard"] = json!({"route_days": 2, "first_response_days": 4, "resolve_days": 15});
    c["duplicate_radius_m"] = json!(80);
    c["duplicate_days"] = json!(21);
    c["name_en"] = json!("Pothole");
    let a = t
        .put("/api/admin/categories/road-pothole", &admin, &c)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());

    // A field device pulls the changed catalogue.
    let road = t.sign_in("road01").await;
    let after = pothole(&t.catalogue(&road).await);
    assert_eq!(after["standard"]["resolve_days"], 15);
    assert_eq!(after["duplicate_radius_m"], 80);
    assert_eq!(after["duplicate_days"], 21);
    assert_eq!(after["name_en"], "Pothole");

    let changes = t.changes(&admin).await;
    assert_eq!(changes[0]["action"], "category.update");
    assert_eq!(changes[0]["target"], "road-pothole");
    assert_eq!(changes[0]["before"]["standard"]["resolve_days"], 10);
    assert_eq!(changes[0]["before"]["duplicate_radius_m"], 50);
    assert_eq!(changes[0]["after"]["standard"]["resolve_days"], 15);

    // A new category, at the end of the catalogue, with no standard.
    let new = json!({"code": "park-animals", "group_ja": "公園", "group_en": "Parks",
        "name_ja": "動物・害虫", "name_en": "Animals and pests", "default_section": "park",
        "sensitive": false, "standard": null, "duplicate_radius_m": 100, "duplicate_days": 14});
    let a = t.post("/api/admin/categories", Some(&admin), &new).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let cat = t.catalogue(&road).await;
    let last = cat["categories"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["code"], "park-animals");
    assert!(last["standard"].is_null());
    t.post("/api/admin/categories", Some(&admin), &new)
        .await
        .assert_error(StatusCode::CONFLICT, "exists");
    t.put("/api/admin/categories/nothing-here", &admin, &new)
        .await
        .assert_error(StatusCode::NOT_FOUND, "missing");
}

async fn a_changed_standard_applies_to_requests_received_afterwards(t: TestApp) {
    let admin = t.sign_in("admin01").await;
    let road = t.sign_in("road01").await;
    let before = t.log_pothole(&road).await;
    let mut c = pothole(&t.catalogue(&admin).await);
    c["standard"] = json!({"route_days": 1, "first_response_days": 2, "resolve_days": 60});
    let a = t
        .put("/api/admin/categories/road-pothole", &admin, &c)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let after = t.log_pothole(&road).await;

    let resolve = |r: &Value| r["due"]["resolve_by"].as_i64().expect("due");
    // The earlier request keeps its due date; the new one is due much later (60 working
    // days instead of 10).
    let again = t
        .get(
            &format!("/api/requests/{}", before["id"].as_str().unwrap()),
            Some(&road),
        )
        .await
        .json()["request"]
        .clone();
    assert_eq!(resolve(&again), resolve(&before));
    let day = 24 * 60 * 60 * 1000;
    assert!(
        resolve(&after) - resolve(&before) > 40 * day,
        "{after} {before}"
    );
}

async fn days_off_are_added_and_removed(t: TestApp) {
    let admin = t.sign_in("admin01").await;
    // 2030-06-03 is a Monday.
    let a = t
        .post(
            "/api/admin/calendar",
            Some(&admin),
            &json!({"date": "2030-06-03", "name_ja": "臨時閉庁", "name_en": "Office closed"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let field = t.sign_in("park01").await;
    let cat = t.catalogue(&field).await;
    assert!(cat["calendar"]["days_off"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["date"] == "2030-06-03" && d["name_ja"] == "臨時閉庁"));

    t.post(
        "/api/admin/calendar",
        Some(&admin),
        &json!({"date": "2030-06-03", "name_ja": "二度目"}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "exists");
    // Weekends are fixed.
    t.post(
        "/api/admin/calendar",
        Some(&admin),
        &json!({"date": "2030-06-01", "name_ja": "土曜"}),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "weekend");
    t.post(
        "/api/admin/calendar",
        Some(&admin),
        &json!({"date": "2030-02-30", "name_ja": "ない日"}),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "bad_date");

    let a = t.delete("/api/admin/calendar/2030-06-03", &admin).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let cat = t.catalogue(&field).await;
    assert!(!cat["calendar"]["days_off"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["date"] == "2030-06-03"));
    t.delete("/api/admin/calendar/2030-06-03", &admin)
        .await
        .assert_error(StatusCode::NOT_FOUND, "missing");

    let changes = t.changes(&admin).await;
    assert_eq!(changes[0]["action"], "calendar.remove");
    assert_eq!(changes[0]["before"]["name_en"], "Office closed");
    assert!(changes[0]["after"].is_null());
    assert_eq!(changes[1]["action"], "calendar.add");
    assert_eq!(changes.len(), 2);
}

async fn bad_input_is_refused_and_writes_nothing(t: TestApp) {
    let admin = t.sign_in("admin01").await;
    let catalogue_before = t.catalogue(&admin).await;
    let staff_before = t.get("/api/admin/staff", Some(&admin)).await.json();

    let mut bad_standard = pothole(&catalogue_before);
    bad_standard["standard"] =
        json!({"route_days": 5, "first_response_days": 2, "resolve_days": 10});
    let mut zero_days = pothole(&catalogue_before);
    zero_days["standard"] = json!({"route_days": 0, "first_response_days": 2, "resolve_days": 10});
    let mut year_plus = pothole(&catalogue_before);
    year_plus["standard"] = json!({"route_days": 1, "first_response_days": 2, "resolve_days": 366});
    let mut nowhere = pothole(&catalogue_before);
    nowhere["default_section"] = json!("nowhere");
    let mut far = pothole(&catalogue_before);
    far["duplicate_radius_m"] = json!(0);
    let mut empty_name = pothole(&catalogue_before);
    empty_name["name_ja"] = json!("   ");

    let cases: Vec<(Method, &str, Value, &str)> = vec![
        (
            Method::PUT,
            "/api/admin/categories/road-pothole",
            bad_standard,
            "standard_out_of_order",
        ),
        (
            Method::PUT,
            "/api/admin/categories/road-pothole",
            zero_days,
            "standard_out_of_range",
        ),
        (
            Method::PUT,
            "/api/admin/categories/road-pothole",
            year_plus,
            "standard_out_of_range",
        ),
        (
            Method::PUT,
            "/api/admin/categories/road-pothole",
            nowhere,
            "unknown_section",
        ),
        (
            Method::PUT,
            "/api/admin/categories/road-pothole",
            far,
            "radius_out_of_range",
        ),
        (
            Method::PUT,
            "/api/admin/categories/road-pothole",
            empty_name,
            "empty_name",
        ),
        (
            Method::POST,
            "/api/admin/staff",
            json!({"id": "bad id", "name": "x", "role": "field", "sections": ["road"]}),
            "bad_staff_id",
        ),
        (
            Method::POST,
            "/api/admin/staff",
            json!({"id": "ok01", "name": "", "role": "field", "sections": ["road"]}),
            "empty_name",
        ),
        (
            Method::POST,
            "/api/admin/sections",
            json!({"code": "Bad Code", "department": "shimin", "name_ja": "x", "name_en": "x"}),
            "bad_code",
        ),
        (
            Method::POST,
            "/api/admin/sections",
            json!({"code": "fine", "department": "nowhere", "name_ja": "x", "name_en": "x"}),
            "unknown_department",
        ),
        (
            Method::POST,
            "/api/admin/sections",
            json!({"code": "road", "department": "kensetsu", "name_ja": "x", "name_en": "x"}),
            "exists",
        ),
        (
            Method::PUT,
            "/api/admin/sections/road",
            json!({"name_ja": "", "name_en": "Roads"}),
            "empty_name",
        ),
    ];
    for (method, path, body, code) in cases {
        let a = t.json(method, path, Some(&admin), &body).await;
        let status = if code == "exists" {
            StatusCode::CONFLICT
        } else {
            StatusCode::BAD_REQUEST
        };
        a.assert_error(status, code);
    }
    // Wrong types: 422 from the extractor, before any rule.
    t.post(
        "/api/admin/staff",
        Some(&admin),
        &json!({"id": "x", "name": "x", "role": "emperor"}),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "bad_fields");

    assert_eq!(t.catalogue(&admin).await, catalogue_before);
    assert_eq!(
        t.get("/api/admin/staff", Some(&admin)).await.json(),
        staff_before
    );
    assert!(t.changes(&admin).await.is_empty());
}

async fn the_change_log_pages_back(t: TestApp) {
    let admin = t.sign_in("admin01").await;
    for (i, date) in ["2030-06-03", "2030-06-04", "2030-06-05"]
        .iter()
        .enumerate()
    {
        let a = t
            .post(
                "/api/admin/calendar",
                Some(&admin),
                &json!({"date": date, "name_ja": format!("閉庁{i}")}),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    }
    let page = t
        .get("/api/admin/changes?limit=2", Some(&admin))
        .await
        .json();
    let targets: Vec<_> = page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["target"].clone())
        .collect();
    assert_eq!(targets, [json!("2030-06-05"), json!("2030-06-04")]);
    // Numbered without gaps, refused changes taking no number.
    let ids: Vec<_> = page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [3, 2]);
    let before = page["next_before"].as_i64().expect("more");
    let page = t
        .get(
            &format!("/api/admin/changes?limit=2&before={before}"),
            Some(&admin),
        )
        .await
        .json();
    assert_eq!(page["changes"].as_array().unwrap().len(), 1);
    assert_eq!(page["changes"][0]["target"], "2030-06-03");
    assert!(page["next_before"].is_null());
    t.get("/api/admin/changes?before=soon", Some(&admin))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_before");
}

async fn two_administrators_creating_one_code_get_one_201_and_one_409(t: TestApp) {
    let admin = t.sign_in("admin01").await;
    let section = json!({"code": "planning", "department": "shimin",
        "name_ja": "企画課", "name_en": "Planning Section", "welfare": false});
    let (a, b) = tokio::join!(
        t.post("/api/admin/sections", Some(&admin), &section),
        t.post("/api/admin/sections", Some(&admin), &section),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::CREATED, StatusCode::CONFLICT],
        "{} {}",
        a.text(),
        b.text()
    );
    let changes = t.changes(&admin).await;
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["id"], 1);
}

/// The OpenAPI document's examples of the administration types are those types: they
/// read into them and serialize back unchanged (the closed-schema check for the shared
/// types is `tests/openapi.rs`'s).
#[test]
fn openapi_examples_are_the_admin_types() {
    use koe_core::admin::{
        AdminChange, AdminChangePage, IssuedPassword, NewStaffAccount, SectionRename, StaffAccount,
        StaffUpdate,
    };
    fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(doc: &Value, name: &str) {
        let examples = doc["components"]["schemas"][name]["examples"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} has examples"));
        assert!(!examples.is_empty(), "{name}");
        for example in examples {
            let typed: T = serde_json::from_value(example.clone())
                .unwrap_or_else(|e| panic!("{name} example: {e}"));
            assert_eq!(&serde_json::to_value(&typed).unwrap(), example, "{name}");
        }
    }
    let doc: Value = serde_json::from_str(include_str!("../openapi.json")).expect("json");
    round_trip::<StaffAccount>(&doc, "StaffAccount");
    round_trip::<NewStaffAccount>(&doc, "NewStaffAccount");
    round_trip::<StaffUpdate>(&doc, "StaffUpdate");
    round_trip::<IssuedPassword>(&doc, "IssuedPassword");
    round_trip::<SectionRename>(&doc, "SectionRename");
    round_trip::<AdminChange>(&doc, "AdminChange");
    round_trip::<AdminChangePage>(&doc, "AdminChangePage");
    let category = &doc["components"]["schemas"]["Category"]["properties"];
    assert!(category["duplicate_radius_m"].is_object());
    assert!(category["duplicate_days"].is_object());
}

/// Lowering a welfare category's sensitivity would un-redact every consultation in it:
/// refused while requests exist (409, saying why), allowed while it is empty; raising is
/// always allowed.
async fn a_sensitive_category_with_requests_stays_sensitive(t: TestApp) {
    let admin = t.sign_in("admin01").await;
    let category = |code: &str, catalogue: &Value| -> Value {
        catalogue["categories"]
            .as_array()
            .expect("categories")
            .iter()
            .find(|c| c["code"] == code)
            .expect("category")
            .clone()
    };
    // An empty welfare category may be lowered, and raised again.
    let mut health = category("welfare-health", &t.catalogue(&admin).await);
    health["sensitive"] = json!(false);
    let a = t
        .put("/api/admin/categories/welfare-health", &admin, &health)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    health["sensitive"] = json!(true);
    let a = t
        .put("/api/admin/categories/welfare-health", &admin, &health)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());

    // One consultation in it: lowering is refused and nothing changes.
    let welfare = t.sign_in("welfare01").await;
    let now = koe_server::now_ms();
    let id = request_id_at(now);
    t.log_json(
        &welfare,
        json!({"id": id, "category": "welfare-health", "title": "相談", "description": "",
               "place": {"address": "高津区"}, "urgency": "medium", "logged_at": now}),
    )
    .await;
    let logged = t.changes(&admin).await.len();
    health["sensitive"] = json!(false);
    let a = t
        .put("/api/admin/categories/welfare-health", &admin, &health)
        .await;
    a.assert_error(StatusCode::CONFLICT, "sensitivity_locked");
    let body = a.json();
    assert!(body["message"]["ja"].as_str().unwrap().contains("要配慮"));
    assert!(body["message"]["en"]
        .as_str()
        .unwrap()
        .contains("1 requests"));
    assert_eq!(
        category("welfare-health", &t.catalogue(&admin).await)["sensitive"],
        true
    );
    assert_eq!(t.changes(&admin).await.len(), logged);
    // The office clerk still reads it redacted.
    let clerk = t.sign_in("clerk01").await;
    let d = t.get(&format!("/api/requests/{id}"), Some(&clerk)).await;
    assert_eq!(d.json()["request"]["redacted"], true);

    // Other edits of the category still go through, and raising an ordinary one with
    // requests is allowed.
    health["sensitive"] = json!(true);
    health["name_en"] = json!("Health consultations");
    let a = t
        .put("/api/admin/categories/welfare-health", &admin, &health)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    t.log_pothole(&t.sign_in("road01").await).await;
    let mut p = pothole(&t.catalogue(&admin).await);
    p["sensitive"] = json!(true);
    let a = t
        .put("/api/admin/categories/road-pothole", &admin, &p)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
}
