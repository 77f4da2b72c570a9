//! A device belongs to the ward, not a person, on SQLite and PostgreSQL: each person's
//! device key on a pooled tablet, the administrators' list of devices with who used them
//! and what waits on them, and retiring one (its sessions end; it can no longer sign in,
//! sync or report). Retirement is looked at only after the password is right.

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, StatusCode};
use koe_core::api::{DeviceSummary, MAX_REPORTED_PEOPLE};
use serde_json::{json, Value};
use uuid::Uuid;

use common::{applied, both, create, new_request, Answer, TestApp, PASSWORD};

both!(
    the_device_key_is_one_per_person_and_device,
    a_wrong_password_tells_nothing_about_a_retired_device,
    retiring_ends_the_devices_sessions_and_no_others,
    a_retired_device_can_neither_sign_in_sync_nor_report,
    the_admin_list_shows_who_used_a_device_and_what_waits,
    only_administrators_list_and_retire_devices,
    reports_are_bounded,
    retiring_an_unknown_device_is_404,
    sign_ins_racing_a_retirement_leave_no_session_on_it,
    a_ward_record_upgraded_from_schema_8_keeps_its_devices_and_sessions,
);

// ---------------------------------------------------------------------------------
// Helpers

/// The clock is in ms: a pause makes "most recent first" orders unambiguous.
async fn tick() {
    tokio::time::sleep(Duration::from_millis(5)).await;
}

fn cookie_of(a: &Answer) -> String {
    let set = a.headers[header::SET_COOKIE].to_str().expect("cookie");
    set.split(';').next().expect("cookie pair").to_string()
}

impl TestApp {
    /// Signs in on device `client`: the answer as sent.
    async fn sign_in_raw(&self, staff_id: &str, password: &str, client: Option<Uuid>) -> Answer {
        let mut body = json!({"staff_id": staff_id, "password": password});
        if let Some(c) = client {
            body["client_id"] = json!(c);
        }
        self.post("/api/session", None, &body).await
    }

    /// Signs in on device `client` and expects it to work: the cookie and the device key.
    async fn sign_in_on(&self, staff_id: &str, client: Uuid) -> (String, String) {
        let a = self.sign_in_raw(staff_id, PASSWORD, Some(client)).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        let key = a.json()["device_key"]
            .as_str()
            .expect("a device key")
            .to_string();
        (cookie_of(&a), key)
    }

    async fn devices(&self, admin: &str) -> Vec<DeviceSummary> {
        let a = self.get("/api/admin/devices", Some(admin)).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        serde_json::from_slice(&a.body).expect("Vec<DeviceSummary>")
    }

    async fn device_of(&self, admin: &str, client: Uuid) -> DeviceSummary {
        self.devices(admin)
            .await
            .into_iter()
            .find(|d| d.client_id == client)
            .expect("the device is listed")
    }

    async fn retire(&self, admin: &str, client: Uuid) -> Answer {
        self.post(
            &format!("/api/admin/devices/{client}/retire"),
            Some(admin),
            &json!({}),
        )
        .await
    }

    async fn report(&self, cookie: &str, client: Uuid, waiting: Value) -> Answer {
        self.post(
            "/api/devices/report",
            Some(cookie),
            &json!({"client_id": client, "waiting": waiting}),
        )
        .await
    }

    async fn session_status(&self, cookie: &str) -> StatusCode {
        self.get("/api/session", Some(cookie)).await.status
    }
}

fn key_bytes(key: &str) -> usize {
    // 32 bytes of standard base64: 43 characters and one '='.
    assert_eq!(key.len(), 44, "{key}");
    assert!(key.ends_with('=') && !key.ends_with("=="), "{key}");
    assert!(
        key[..43]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/'),
        "{key}"
    );
    32
}

// ---------------------------------------------------------------------------------
// Tests

async fn the_device_key_is_one_per_person_and_device(t: TestApp) {
    let tablet = Uuid::new_v4();
    let other = Uuid::new_v4();
    let (_, first) = t.sign_in_on("road01", tablet).await;
    assert_eq!(key_bytes(&first), 32);
    tick().await;
    let (_, again) = t.sign_in_on("road01", tablet).await;
    assert_eq!(again, first, "the same person on the same device");
    let (_, theirs) = t.sign_in_on("park01", tablet).await;
    assert_ne!(theirs, first, "another person on the same device");
    let (_, elsewhere) = t.sign_in_on("road01", other).await;
    assert_ne!(elsewhere, first, "the same person on another device");
    assert_ne!(elsewhere, theirs);

    // Without a device, the answer is `Me` as before: no key.
    let a = t.sign_in_raw("road01", PASSWORD, None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let me = a.json();
    let mut fields: Vec<&str> = me.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["name", "role", "sections", "staff_id"]);
    // And the session is `Me` either way.
    let (cookie, _) = t.sign_in_on("road01", tablet).await;
    let me = t.get("/api/session", Some(&cookie)).await.json();
    assert_eq!(me["staff_id"], "road01");
    assert!(me.get("device_key").is_none(), "{me}");
}

async fn a_wrong_password_tells_nothing_about_a_retired_device(t: TestApp) {
    let admin = t.sign_in("admin01").await;
    let tablet = Uuid::new_v4();
    t.sign_in_on("road01", tablet).await;
    assert_eq!(t.retire(&admin, tablet).await.status, StatusCode::OK);

    // A wrong password, or no such person, answers exactly as on any device.
    let on_any = t.sign_in_raw("road01", "wrong", Some(Uuid::new_v4())).await;
    for (staff_id, password) in [("road01", "wrong"), ("nobody", PASSWORD)] {
        let a = t.sign_in_raw(staff_id, password, Some(tablet)).await;
        a.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
        assert_eq!(a.body, on_any.body);
        assert!(a.headers.get(header::SET_COOKIE).is_none());
    }
    // The right password hears that the device is retired, and gets no session.
    let a = t.sign_in_raw("road01", PASSWORD, Some(tablet)).await;
    a.assert_error(StatusCode::FORBIDDEN, "device_retired");
    assert!(a.json()["message"]["ja"]
        .as_str()
        .unwrap()
        .contains("使用停止"));
    assert!(a.headers.get(header::SET_COOKIE).is_none());
}

async fn retiring_ends_the_devices_sessions_and_no_others(t: TestApp) {
    let admin = t.sign_in("admin01").await;
    let tablet = Uuid::new_v4();
    let (road_here, _) = t.sign_in_on("road01", tablet).await;
    let (park_here, _) = t.sign_in_on("park01", tablet).await;
    let (road_elsewhere, _) = t.sign_in_on("road01", Uuid::new_v4()).await;
    let road_no_device = t.sign_in("road01").await;

    let a = t.retire(&admin, tablet).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let retired: DeviceSummary = serde_json::from_slice(&a.body).unwrap();
    assert_eq!(retired.client_id, tablet);
    let at = retired.retired_at.expect("retired");
    assert_eq!(retired.people.len(), 2);

    for cookie in [&road_here, &park_here] {
        t.get("/api/session", Some(cookie))
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
    }
    assert_eq!(t.session_status(&road_elsewhere).await, StatusCode::OK);
    assert_eq!(t.session_status(&road_no_device).await, StatusCode::OK);

    // Again: it keeps the first time, and the change log has it once.
    tick().await;
    let again: DeviceSummary =
        serde_json::from_slice(&t.retire(&admin, tablet).await.body).unwrap();
    assert_eq!(again.retired_at, Some(at));
    let log = t.get("/api/admin/changes", Some(&admin)).await.json();
    let retirements: Vec<&Value> = log["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action"] == "device.retire")
        .collect();
    assert_eq!(retirements.len(), 1, "{log}");
    let change = retirements[0];
    assert_eq!(change["by"], "admin01");
    assert_eq!(change["target"], tablet.to_string());
    assert_eq!(change["before"]["device"]["retired_at"], Value::Null);
    assert_eq!(change["after"]["device"]["retired_at"], at);
    assert_eq!(change["after"]["sessions_ended"], 2);
    assert!(!change.to_string().contains("device_key"), "{change}");
}

async fn a_retired_device_can_neither_sign_in_sync_nor_report(t: TestApp) {
    let admin = t.sign_in("admin01").await;
    let tablet = Uuid::new_v4();
    let (road, _) = t.sign_in_on("road01", tablet).await;
    applied(
        &t.push(
            &road,
            tablet,
            &[create(1, new_request("road-pothole", "段差"))],
        )
        .await
        .outcomes[0]
            .outcome,
    );
    assert_eq!(t.retire(&admin, tablet).await.status, StatusCode::OK);
    let before = t.device_of(&admin, tablet).await;
    assert_eq!(t.store.request_count().await.unwrap(), 1);

    // The same person, signed in elsewhere, still cannot sync or report for it.
    let road = t.sign_in("road01").await;
    tick().await;
    let a = t
        .post(
            "/api/sync/push",
            Some(&road),
            &json!({"client_id": tablet, "mutations": [create(2, new_request("road-drain", "側溝"))]}),
        )
        .await;
    a.assert_error(StatusCode::FORBIDDEN, "device_retired");
    t.get(
        &format!("/api/sync/pull?cursor=0&client_id={tablet}"),
        Some(&road),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, "device_retired");
    t.report(
        &road,
        tablet,
        json!([{"staff_id": "road01", "mutations": 1, "photos": 0}]),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, "device_retired");
    let a = t.sign_in_raw("road01", PASSWORD, Some(tablet)).await;
    a.assert_error(StatusCode::FORBIDDEN, "device_retired");
    assert!(a.headers.get(header::SET_COOKIE).is_none());

    // Nothing of any of it was kept.
    assert_eq!(t.store.request_count().await.unwrap(), 1);
    assert_eq!(t.device_of(&admin, tablet).await, before);
    assert_eq!(before.reported_at, None);
    // The store refuses a retired device's mutation itself, whatever the route checked.
    let refused = t
        .store
        .apply(
            koe_server::store::Origin {
                staff_id: "road01",
                client_id: tablet,
                mutation_id: 3,
                fingerprint: "x",
                now: koe_server::now_ms(),
            },
            koe_server::store::Verdict::Reject {
                code: "test".into(),
                message: koe_core::Bilingual::new("試験", "test"),
            },
        )
        .await;
    assert!(
        matches!(
            refused,
            Err(koe_server::store::StoreError::DeviceRetired(id)) if id == tablet
        ),
        "{refused:?}"
    );
    // Another device and a pull without one go on as before.
    t.push(
        &road,
        Uuid::new_v4(),
        &[create(1, new_request("road-drain", "側溝"))],
    )
    .await;
    let a = t.get("/api/sync/pull?cursor=0", Some(&road)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    t.get("/api/sync/pull?cursor=0&client_id=nope", Some(&road))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_client_id");
}

async fn the_admin_list_shows_who_used_a_device_and_what_waits(t: TestApp) {
    let admin = t.sign_in("admin01").await;
    let tablet = Uuid::new_v4();
    let other = Uuid::new_v4();
    let (road, _) = t.sign_in_on("road01", tablet).await;
    tick().await;
    let (park, _) = t.sign_in_on("park01", tablet).await;
    tick().await;
    t.sign_in_on("road01", other).await;
    tick().await;

    // Newest seen first: `other` was seen last.
    let list = t.devices(&admin).await;
    let order: Vec<Uuid> = list.iter().map(|d| d.client_id).collect();
    assert_eq!(order, [other, tablet]);
    let d = &list[1];
    assert_eq!((d.reported_at, d.retired_at), (None, None));
    assert!(d.first_seen_at <= d.last_seen_at);
    let people: Vec<(&str, &str)> = d
        .people
        .iter()
        .map(|p| (p.staff_id.as_str(), p.name.as_str()))
        .collect();
    assert_eq!(people, [("park01", "佐藤 美咲"), ("road01", "田中 健一")]);
    assert!(d
        .people
        .iter()
        .all(|p| p.waiting_mutations == 0 && p.waiting_photos == 0));

    // park01 reports for the tablet: road01 has work waiting; a stranger is ignored.
    let a = t
        .report(
            &park,
            tablet,
            json!([
                {"staff_id": "road01", "mutations": 3, "photos": 1},
                {"staff_id": "welfare01", "mutations": 9, "photos": 9},
            ]),
        )
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text());
    let list = t.devices(&admin).await;
    assert_eq!(list[0].client_id, tablet, "a report is a sighting");
    let d = &list[0];
    let reported = d.reported_at.expect("reported");
    assert_eq!(d.last_seen_at, reported);
    let waits: Vec<(&str, u32, u32)> = d
        .people
        .iter()
        .map(|p| (p.staff_id.as_str(), p.waiting_mutations, p.waiting_photos))
        .collect();
    assert_eq!(waits, [("park01", 0, 0), ("road01", 3, 1)]);
    // The next report is the whole picture: whoever it leaves out has nothing waiting.
    tick().await;
    let a = t
        .report(
            &road,
            tablet,
            json!([{"staff_id": "park01", "mutations": 2, "photos": 0}]),
        )
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text());
    let d = t.device_of(&admin, tablet).await;
    let waits: Vec<(&str, u32, u32)> = d
        .people
        .iter()
        .map(|p| (p.staff_id.as_str(), p.waiting_mutations, p.waiting_photos))
        .collect();
    assert_eq!(waits, [("park01", 2, 0), ("road01", 0, 0)]);
    assert!(d.reported_at > Some(reported));

    // A device only pushed from (an older app) is listed with nobody signed in on it.
    let pushed = Uuid::new_v4();
    t.push(&road, pushed, &[]).await;
    let d = t.device_of(&admin, pushed).await;
    assert!(d.people.is_empty());
    // Unknown devices cannot report.
    t.report(&road, Uuid::new_v4(), json!([]))
        .await
        .assert_error(StatusCode::NOT_FOUND, "unknown_device");
}

async fn only_administrators_list_and_retire_devices(t: TestApp) {
    let tablet = Uuid::new_v4();
    t.sign_in_on("road01", tablet).await;
    for who in ["road01", "clerk01", "head01"] {
        let cookie = t.sign_in(who).await;
        t.get("/api/admin/devices", Some(&cookie))
            .await
            .assert_error(StatusCode::FORBIDDEN, "not_allowed");
        t.retire(&cookie, tablet)
            .await
            .assert_error(StatusCode::FORBIDDEN, "not_allowed");
    }
    t.get("/api/admin/devices", None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
    let a = t
        .post(
            &format!("/api/admin/devices/{tablet}/retire"),
            None,
            &json!({}),
        )
        .await;
    a.assert_error(StatusCode::UNAUTHORIZED, "signed_out");
    let admin = t.sign_in("admin01").await;
    assert_eq!(t.device_of(&admin, tablet).await.retired_at, None);
    t.sign_in_on("road01", tablet).await;
}

async fn reports_are_bounded(t: TestApp) {
    let tablet = Uuid::new_v4();
    let (road, _) = t.sign_in_on("road01", tablet).await;
    let many = |n: usize| -> Value {
        (0..n)
            .map(|i| json!({"staff_id": format!("staff{i}"), "mutations": 1, "photos": 1}))
            .collect()
    };
    let a = t.report(&road, tablet, many(MAX_REPORTED_PEOPLE + 1)).await;
    a.assert_error(StatusCode::BAD_REQUEST, "too_many_people");
    assert!(a.text().contains("100"), "{}", a.text());
    let long = "x".repeat(65);
    let a = t
        .report(
            &road,
            tablet,
            json!([{"staff_id": long, "mutations": 1, "photos": 0}]),
        )
        .await;
    a.assert_error(StatusCode::BAD_REQUEST, "bad_staff_id");
    // Refused whole: nothing was kept.
    let admin = t.sign_in("admin01").await;
    assert_eq!(t.device_of(&admin, tablet).await.reported_at, None);
    // At the bounds it is taken.
    let mut most = many(MAX_REPORTED_PEOPLE);
    most[0]["staff_id"] = json!("y".repeat(64));
    let a = t.report(&road, tablet, most).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text());
    // A count that is not a u32 is a field error.
    t.report(
        &road,
        tablet,
        json!([{"staff_id": "road01", "mutations": -1, "photos": 0}]),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "bad_fields");
    t.post(
        "/api/devices/report",
        None,
        &json!({"client_id": tablet, "waiting": []}),
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
}

async fn retiring_an_unknown_device_is_404(t: TestApp) {
    let admin = t.sign_in("admin01").await;
    let a = t.retire(&admin, Uuid::new_v4()).await;
    a.assert_error(StatusCode::NOT_FOUND, "unknown_device");
    let a = t
        .post(
            "/api/admin/devices/not-a-device/retire",
            Some(&admin),
            &json!({}),
        )
        .await;
    a.assert_error(StatusCode::NOT_FOUND, "unknown_device");
    let log = t.get("/api/admin/changes", Some(&admin)).await.json();
    assert_eq!(log["changes"], json!([]), "nothing logged");
}

/// Sign-ins on a device while an administrator retires it: each either came first (and
/// its session ended with the retirement) or came after and was refused.
async fn sign_ins_racing_a_retirement_leave_no_session_on_it(t: TestApp) {
    let t = Arc::new(t);
    let admin = t.sign_in("admin01").await;
    let tablet = Uuid::new_v4();
    t.sign_in_on("road01", tablet).await;
    let mut sign_ins = Vec::new();
    for who in ["road01", "park01", "clerk01", "head01"].repeat(3) {
        let t = t.clone();
        sign_ins.push(tokio::spawn(async move {
            t.sign_in_raw(who, PASSWORD, Some(tablet)).await
        }));
    }
    let retire = {
        let (t, admin) = (t.clone(), admin.clone());
        tokio::spawn(async move { t.retire(&admin, tablet).await })
    };
    assert_eq!(retire.await.unwrap().status, StatusCode::OK);
    for a in sign_ins {
        let a = a.await.unwrap();
        match a.status {
            StatusCode::OK => {
                assert_eq!(
                    t.session_status(&cookie_of(&a)).await,
                    StatusCode::UNAUTHORIZED
                )
            }
            _ => a.assert_error(StatusCode::FORBIDDEN, "device_retired"),
        }
    }
    assert!(t.device_of(&admin, tablet).await.retired_at.is_some());
}

/// A ward record at schema 8 (devices known from pushes, sessions without a device) is
/// upgraded: its devices are listed and in use, old sessions go on, and a sign-in on a
/// device it knew gets a key.
async fn a_ward_record_upgraded_from_schema_8_keeps_its_devices_and_sessions(t: TestApp) {
    use sqlx::Connection;
    let road = t.sign_in("road01").await;
    let tablet = Uuid::new_v4();
    applied(
        &t.push(
            &road,
            tablet,
            &[create(1, new_request("road-pothole", "段差"))],
        )
        .await
        .outcomes[0]
            .outcome,
    );
    // Back to schema 8.
    sqlx::any::install_default_drivers();
    let mut db = sqlx::AnyConnection::connect(&t.url).await.unwrap();
    for sql in [
        "DROP TABLE device_people",
        "DROP INDEX sessions_client",
        "DROP INDEX devices_last_seen",
        "ALTER TABLE sessions DROP COLUMN client_id",
        "ALTER TABLE devices DROP COLUMN retired_at",
        "ALTER TABLE devices DROP COLUMN reported_at",
        "DELETE FROM schema_migrations WHERE version = 9",
    ] {
        sqlx::query(sql).execute(&mut db).await.unwrap();
    }
    let _ = db.close().await;
    // The upgraded ward record starts (connecting migrates).
    let up = t.another_instance(2).await;
    assert_eq!(up.session_status(&road).await, StatusCode::OK);
    let admin = up.sign_in("admin01").await;
    let d = up.device_of(&admin, tablet).await;
    assert_eq!((d.retired_at, d.reported_at), (None, None));
    assert!(d.people.is_empty());
    let (_, key) = up.sign_in_on("road01", tablet).await;
    assert_eq!(key_bytes(&key), 32);
    applied(
        &up.push(
            &road,
            tablet,
            &[create(2, new_request("road-drain", "側溝"))],
        )
        .await
        .outcomes[0]
            .outcome,
    );
    assert_eq!(up.device_of(&admin, tablet).await.people.len(), 1);
}
