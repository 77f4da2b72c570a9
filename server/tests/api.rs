//! The ward record's API, through the router (no sockets), on SQLite and PostgreSQL.
//!
//! Every test is written once, as `async fn name(t: TestApp)`, and `both!` runs it on a
//! fresh SQLite file and on a fresh PostgreSQL schema. PostgreSQL is
//! `KOE_TEST_PG_URL`, else `postgres://postgres@127.0.0.1:5432/test`; if it cannot be
//! reached the PostgreSQL tests fail and say so.

mod common;

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use koe_core::api::{RequestDetail, RequestPage};
use koe_core::sync::Outcome;
use koe_core::{
    Catalogue, EditableField, FieldEdit, FieldValue, Mutation, MutationKind, PullResponse,
    RequestRecord, Status, Urgency,
};
use koe_server::auth::Passwords;
use koe_server::seed::{self, DemoPasswords, Seed};
use serde_json::json;
use uuid::Uuid;

use common::{applied, both, create, jst, new_request, Answer, TestApp, PASSWORD};

both!(
    sign_in_right_and_wrong,
    api_needs_a_session,
    catalogue_is_the_seeded_one,
    seeding_happens_once,
    push_sent_twice_is_applied_once,
    unsigned_push_stores_nothing,
    refused_bodies_say_why_and_store_nothing,
    invalid_mutation_in_the_middle_does_not_block_the_others,
    a_pooled_device_keeps_each_persons_work_theirs,
    signing_in_ends_the_previous_session_of_the_browser,
    same_request_id_from_another_device_is_rejected,
    pull_pages_with_cursor,
    odd_cursors_reset_or_are_refused,
    pull_answers_do_not_tell_the_change_counter,
    welfare_request_is_redacted_for_the_office_clerk_only,
    field_staff_see_their_own_and_their_sections,
    request_list_is_newest_first_and_paged,
    concurrent_pushes_never_make_a_puller_skip,
    the_same_batch_pushed_concurrently_is_applied_once,
    unknown_api_paths_and_the_app_files,
    set_fields_applies_and_history_has_before_and_after,
    stale_edit_is_kept_as_a_conflict_and_flagged,
    field_staff_cannot_change_status,
    office_status_changes_follow_the_workflow,
    note_sent_twice_is_stored_once,
    edits_to_unknown_requests_are_rejected,
    oversized_edits_are_refused_and_store_nothing,
    a_redacted_request_is_the_same_shape_on_every_read_path,
    a_filter_on_hidden_fields_does_not_count_redacted_requests,
    welfare_detail_is_redacted_and_reads_are_logged,
    history_cannot_be_edited,
    sign_in_failures_are_rate_limited,
    expired_sessions_are_purged,
    catalogue_lists_the_service_standards_and_calendar,
    pushed_request_is_due_by_its_category_standard,
    request_received_before_golden_week_is_due_after_it,
);

// ---------------------------------------------------------------------------------
// Helpers

impl TestApp {
    async fn pull(&self, cookie: &str, query: &str) -> PullResponse {
        let a = self
            .get(&format!("/api/sync/pull?{query}"), Some(cookie))
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        serde_json::from_slice(&a.body).expect("PullResponse")
    }

    /// Pulls everything this reader may see, following `has_more`.
    async fn pull_all(&self, cookie: &str) -> Vec<RequestRecord> {
        let mut cursor = 0;
        let mut all = Vec::new();
        loop {
            let p = self
                .pull(cookie, &format!("cursor={cursor}&limit=50"))
                .await;
            all.extend(p.requests);
            cursor = p.cursor;
            if !p.has_more {
                return all;
            }
        }
    }

    async fn count(&self) -> i64 {
        self.store.request_count().await.expect("count")
    }
}

// ---------------------------------------------------------------------------------
// Tests

async fn sign_in_right_and_wrong(t: TestApp) {
    let a = t
        .post(
            "/api/session",
            None,
            &json!({"staff_id": "road01", "password": PASSWORD}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let me = a.json();
    assert_eq!(me["staff_id"], "road01");
    assert_eq!(me["role"], "field");
    assert_eq!(me["sections"], json!(["road"]));
    let set = a.headers[header::SET_COOKIE].to_str().unwrap().to_string();
    assert!(set.starts_with("koe_session="), "{set}");
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=2592000"] {
        assert!(set.contains(attr), "{set} lacks {attr}");
    }
    let cookie = set.split(';').next().unwrap().to_string();
    let a = t.get("/api/session", Some(&cookie)).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["name"], "田中 健一");

    for body in [
        json!({"staff_id": "road01", "password": "wrong"}),
        json!({"staff_id": "nobody", "password": PASSWORD}),
        json!({"staff_id": "", "password": ""}),
    ] {
        let a = t.post("/api/session", None, &body).await;
        a.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
        assert!(a.headers.get(header::SET_COOKIE).is_none());
    }

    // Signing out ends the session and clears the cookie.
    let a = t
        .call(
            Method::DELETE,
            "/api/session",
            Some(&cookie),
            None,
            Vec::new(),
        )
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert!(a.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    t.get("/api/session", Some(&cookie))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
}

async fn api_needs_a_session(t: TestApp) {
    for path in [
        "/api/session",
        "/api/catalogue",
        "/api/sync/pull?cursor=0",
        "/api/requests",
    ] {
        t.get(path, None)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
        t.get(path, Some("koe_session=forged"))
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
    }
}

async fn catalogue_is_the_seeded_one(t: TestApp) {
    let cookie = t.sign_in("clerk01").await;
    let a = t.get("/api/catalogue", Some(&cookie)).await;
    assert_eq!(a.status, StatusCode::OK);
    let got: Catalogue = serde_json::from_slice(&a.body).unwrap();
    assert_eq!(got, Seed::demo().unwrap().catalogue);
    assert!(got.check().is_ok());
}

async fn seeding_happens_once(t: TestApp) {
    let again = seed::seed_if_empty(
        t.store.as_ref(),
        &Passwords::for_tests(),
        &DemoPasswords::Fixed("other".into()),
    )
    .await
    .unwrap();
    assert!(again.is_none());
    // The first passwords still work.
    t.sign_in("head01").await;
}

async fn push_sent_twice_is_applied_once(t: TestApp) {
    let cookie = t.sign_in("road01").await;
    let client = Uuid::new_v4();
    let req = new_request("road-pothole", "歩道の段差");
    let batch = [create(1, req.clone())];
    let first = t.push(&cookie, client, &batch).await;
    let version = applied(&first.outcomes[0].outcome);
    // The retry (its first answer lost on the way) hears the first outcome again.
    let second = t.push(&cookie, client, &batch).await;
    assert_eq!(second.outcomes, first.outcomes);
    assert_eq!(t.count().await, 1);
    let history = t.store.history(req.id).await.unwrap();
    assert_eq!(history.len(), 1);
    let h = &history[0];
    assert_eq!(
        (h.staff_id.as_str(), h.client_id, h.mutation_id, h.version),
        ("road01", Some(client), Some(1), version)
    );
    assert_eq!(h.kind, "create_request");
    let body: RequestRecord = serde_json::from_str(&h.body).unwrap();
    assert_eq!(body.title.as_deref(), Some("歩道の段差"));
    assert_eq!(body.section, "road");
    // And as stored: routed to the category's section, status new, server clock.
    let all = t.pull_all(&cookie).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id, req.id);
    assert_eq!(all[0].section, "road");
    assert_eq!(all[0].status, koe_core::Status::New);
    assert_eq!(all[0].logged_by, "road01");
    assert_eq!(all[0].place, Some(req.place));
    assert!(all[0].received_at >= req.logged_at);
}

async fn unsigned_push_stores_nothing(t: TestApp) {
    let client = Uuid::new_v4();
    let body =
        json!({"client_id": client, "mutations": [create(1, new_request("road-drain", "側溝"))]});
    t.post("/api/sync/push", None, &body)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
    assert_eq!(t.count().await, 0);
    assert_eq!(t.store.device(client).await.unwrap(), None);
}

async fn refused_bodies_say_why_and_store_nothing(t: TestApp) {
    let cookie = t.sign_in("road01").await;
    let client = Uuid::new_v4();
    let push = |body: Vec<u8>, ct: Option<&'static str>| {
        t.call(Method::POST, "/api/sync/push", Some(&cookie), ct, body)
    };
    let json_ct = Some("application/json");

    let a = push(b"{\"client_id\": ".to_vec(), json_ct).await;
    a.assert_error(StatusCode::BAD_REQUEST, "bad_json");
    assert!(a.json()["message"]["en"].as_str().unwrap().contains("JSON"));

    let a = push(br#"{"client_id": 5, "mutations": []}"#.to_vec(), json_ct).await;
    a.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "bad_fields");
    assert!(a.text().contains("client_id"), "{}", a.text());

    let a = push(
        format!(r#"{{"client_id": "{client}"}}"#).into_bytes(),
        json_ct,
    )
    .await;
    a.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "bad_fields");
    assert!(a.text().contains("mutations"), "{}", a.text());

    let valid = serde_json::to_vec(&json!({"client_id": client, "mutations": []})).unwrap();
    push(valid.clone(), None)
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "not_json");

    let mut big = format!(r#"{{"client_id": "{client}", "mutations": [], "pad": ""#).into_bytes();
    big.extend(std::iter::repeat_n(b'x', 1024 * 1024 + 10));
    big.extend(b"\"}");
    push(big, json_ct)
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "too_large");

    let many: Vec<Mutation> = (1..=501)
        .map(|i| create(i, new_request("road-pothole", "穴")))
        .collect();
    let a = t
        .post(
            "/api/sync/push",
            Some(&cookie),
            &json!({"client_id": client, "mutations": many}),
        )
        .await;
    a.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "too_large");

    // An unknown mutation type is a field error too, and nothing of the batch is kept.
    let a = t
        .post(
            "/api/sync/push",
            Some(&cookie),
            &json!({"client_id": client, "mutations": [{"id": 1, "type": "launch_rocket"}]}),
        )
        .await;
    a.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "bad_fields");

    assert_eq!(t.count().await, 0);
    assert_eq!(t.store.device(client).await.unwrap(), None);
}

async fn invalid_mutation_in_the_middle_does_not_block_the_others(t: TestApp) {
    let cookie = t.sign_in("road01").await;
    let client = Uuid::new_v4();
    let bad = new_request("road-pothole", "   ");
    let batch = [
        create(1, new_request("road-pothole", "一つ目")),
        create(2, bad.clone()),
        create(3, new_request("road-streetlight", "三つ目")),
    ];
    let r = t.push(&cookie, client, &batch).await;
    let ids: Vec<u64> = r.outcomes.iter().map(|o| o.mutation_id).collect();
    assert_eq!(ids, [1, 2, 3]);
    let v1 = applied(&r.outcomes[0].outcome);
    let v3 = applied(&r.outcomes[2].outcome);
    assert!(v1 < v3);
    match &r.outcomes[1].outcome {
        Outcome::Rejected { code, message } => {
            assert_eq!(code, "empty_title");
            assert!(message.ja.contains("件名"), "{message}");
        }
        other => panic!("expected rejected, got {other:?}"),
    }
    assert_eq!(t.count().await, 2);
    let used = t.store.device(client).await.unwrap().unwrap();
    assert_eq!(
        (used.first_staff_id.as_str(), used.last_staff_id.as_str()),
        ("road01", "road01")
    );
    assert!(t.store.history(bad.id).await.unwrap().is_empty());
    // Retried as it was, the refused mutation hears its refusal again, with the reason.
    let r = t.push(&cookie, client, &[batch[1].clone()]).await;
    assert!(
        matches!(&r.outcomes[0].outcome, Outcome::Rejected { code, .. } if code == "empty_title")
    );
    // Another change under its id (a sent mutation is never changed) is refused, not
    // taken for it.
    let mut fixed = bad;
    fixed.title = "直した".into();
    let r = t.push(&cookie, client, &[create(2, fixed)]).await;
    assert!(
        matches!(&r.outcomes[0].outcome, Outcome::Rejected { code, .. } if code == "reused_mutation_id"),
        "{r:?}"
    );
    assert_eq!(t.count().await, 2);

    // Out of order in the body, applied in id order; an unknown category is rejected.
    let r = t
        .push(
            &cookie,
            client,
            &[
                create(5, new_request("road-drain", "五")),
                create(4, new_request("road-dragon", "四")),
            ],
        )
        .await;
    assert_eq!(r.outcomes[0].mutation_id, 4);
    assert!(
        matches!(&r.outcomes[0].outcome, Outcome::Rejected { code, .. } if code == "unknown_category")
    );
    applied(&r.outcomes[1].outcome);
}

/// A pooled tablet: each person's work goes under their own name, one person's applied
/// mutations never make another's look applied, and a push carrying someone else's work
/// is refused whole.
async fn a_pooled_device_keeps_each_persons_work_theirs(t: TestApp) {
    let road = t.sign_in("road01").await;
    let park = t.sign_in("park01").await;
    let client = Uuid::new_v4();
    let by = |author: &str, m: Mutation| Mutation {
        author: Some(author.into()),
        ..m
    };
    let mine = new_request("road-pothole", "穴");
    let r = t
        .push(&road, client, &[by("road01", create(1, mine.clone()))])
        .await;
    applied(&r.outcomes[0].outcome);
    // park01 on the same tablet, with mutation numbers of their own that overlap.
    let theirs = new_request("park-equipment", "遊具");
    let r = t
        .push(&park, client, &[by("park01", create(1, theirs.clone()))])
        .await;
    applied(&r.outcomes[0].outcome);
    // road01's work carried in park01's push: refused whole, nothing stored.
    let forged = new_request("road-drain", "側溝");
    let a = t
        .post(
            "/api/sync/push",
            Some(&park),
            &json!({"client_id": client, "mutations": [
                by("park01", create(2, new_request("park-toilet", "トイレ"))),
                by("road01", create(3, forged.clone())),
            ]}),
        )
        .await;
    a.assert_error(StatusCode::FORBIDDEN, "author_mismatch");
    assert_eq!(t.count().await, 2);
    assert!(t.store.history(forged.id).await.unwrap().is_empty());
    let logged_by = |id| {
        let t = &t;
        async move { t.store.history(id).await.unwrap()[0].staff_id.clone() }
    };
    assert_eq!(logged_by(mine.id).await, "road01");
    assert_eq!(logged_by(theirs.id).await, "park01");
    let used = t.store.device(client).await.unwrap().unwrap();
    assert_eq!(
        (used.first_staff_id.as_str(), used.last_staff_id.as_str()),
        ("road01", "park01")
    );
}

/// road01 signed out with no signal (the session lived on in the cookie); welfare01 signs
/// in on the same tablet: road01's session ends then.
async fn signing_in_ends_the_previous_session_of_the_browser(t: TestApp) {
    let road = t.sign_in("road01").await;
    assert_eq!(
        t.get("/api/session", Some(&road)).await.status,
        StatusCode::OK
    );
    let a = t
        .post(
            "/api/session",
            Some(&road),
            &json!({"staff_id": "welfare01", "password": PASSWORD}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    t.get("/api/session", Some(&road))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
    // A failed attempt ends nobody's session.
    let park = t.sign_in("park01").await;
    let a = t
        .post(
            "/api/session",
            Some(&park),
            &json!({"staff_id": "welfare01", "password": "wrong"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        t.get("/api/session", Some(&park)).await.status,
        StatusCode::OK
    );
}

async fn same_request_id_from_another_device_is_rejected(t: TestApp) {
    let road = t.sign_in("road01").await;
    let park = t.sign_in("park01").await;
    let req = new_request("road-pothole", "元の記録");
    let r = t
        .push(&road, Uuid::new_v4(), &[create(1, req.clone())])
        .await;
    let version = applied(&r.outcomes[0].outcome);
    let mut copy = req.clone();
    copy.title = "上書きの試み".into();
    let other = Uuid::new_v4();
    let r = t.push(&park, other, &[create(7, copy)]).await;
    assert!(
        matches!(&r.outcomes[0].outcome, Outcome::Rejected { code, .. } if code == "duplicate_id"),
        "{r:?}"
    );
    assert_eq!(t.count().await, 1);
    let head = t.sign_in("head01").await;
    let all = t.pull_all(&head).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].title.as_deref(), Some("元の記録"));
    assert_eq!(all[0].version, version);
    assert_eq!(t.store.history(req.id).await.unwrap().len(), 1);
}

async fn pull_pages_with_cursor(t: TestApp) {
    let road = t.sign_in("road01").await;
    let batch: Vec<Mutation> = (1..=5)
        .map(|i| create(i, new_request("road-pothole", &format!("穴 {i}"))))
        .collect();
    let r = t.push(&road, Uuid::new_v4(), &batch).await;
    let versions: Vec<i64> = r.outcomes.iter().map(|o| applied(&o.outcome)).collect();

    let head = t.sign_in("head01").await;
    let key = t.store.cursor_key().await.unwrap();
    let order = |cursor: i64| match koe_server::cursor::open(key.as_bytes(), cursor) {
        koe_server::cursor::Cursor::Sealed(order) => order,
        other => panic!("cursor {cursor} is {other:?}"),
    };
    let p1 = t.pull(&head, "cursor=0&limit=2").await;
    assert_eq!(p1.requests.len(), 2);
    assert!(p1.has_more && !p1.reset);
    assert_eq!(order(p1.cursor), versions[1]);
    let p2 = t
        .pull(&head, &format!("cursor={}&limit=2", p1.cursor))
        .await;
    assert_eq!(p2.requests.len(), 2);
    assert!(p2.has_more);
    let p3 = t
        .pull(&head, &format!("cursor={}&limit=2", p2.cursor))
        .await;
    assert_eq!(p3.requests.len(), 1);
    assert!(!p3.has_more);
    assert_eq!(order(p3.cursor), versions[4]);
    let last = p3.cursor;
    let seen: Vec<i64> = [p1, p2, p3]
        .iter()
        .flat_map(|p| p.requests.iter().map(|r| r.version))
        .collect();
    assert_eq!(seen, versions);
    let p4 = t.pull(&head, &format!("cursor={last}")).await;
    assert!(p4.requests.is_empty() && !p4.has_more && !p4.reset);
    assert_eq!(p4.cursor, last);
    // A plain cursor (an older ward record's, the server order itself) still reads.
    let old = t
        .pull(&head, &format!("cursor={}&limit=2", versions[2]))
        .await;
    let ids: Vec<i64> = old.requests.iter().map(|r| r.version).collect();
    assert_eq!(ids, versions[3..]);
    assert!(!old.reset);
    assert_eq!(old.cursor, last);
    // No cursor means from the start; the limit is capped, not refused.
    let p = t.pull(&head, "limit=100000").await;
    assert_eq!(p.requests.len(), 5);
}

async fn odd_cursors_reset_or_are_refused(t: TestApp) {
    let road = t.sign_in("road01").await;
    t.push(
        &road,
        Uuid::new_v4(),
        &[create(1, new_request("road-tree", "枝"))],
    )
    .await;
    // Not made by this ward record (negative, or sealed-looking with a wrong check, or
    // sealed with another key): a full snapshot from the start.
    let other = koe_server::cursor::seal(b"another ward record", 1);
    for cursor in [-5, (1 << 52) + 12345, other] {
        let p = t.pull(&road, &format!("cursor={cursor}")).await;
        assert!(p.reset, "cursor {cursor}");
        assert_eq!(p.requests.len(), 1);
    }
    // Sealed by this ward record at a later state (a restore from backup): reset too.
    let key = t.store.cursor_key().await.unwrap();
    let ahead = koe_server::cursor::seal(key.as_bytes(), 999_999);
    let p = t.pull(&road, &format!("cursor={ahead}")).await;
    assert!(p.reset && p.requests.len() == 1);
    t.get("/api/sync/pull?cursor=abc", Some(&road))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_cursor");
    t.get("/api/sync/pull?cursor=0&limit=lots", Some(&road))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_limit");
}

/// The `reset` flag, and the cursor itself, used to give away the ward's change counter
/// (welfare changes included) to any reader: `reset` for a cursor above it, found by
/// binary search, and the last page's cursor was the counter itself.
async fn pull_answers_do_not_tell_the_change_counter(t: TestApp) {
    let road = t.sign_in("road01").await;
    let welfare = t.sign_in("welfare01").await;
    t.push(
        &road,
        Uuid::new_v4(),
        &[create(1, new_request("road-tree", "枝"))],
    )
    .await;
    let mine = t.pull(&road, "").await;
    // Changes the road worker cannot see move the counter...
    let batch: Vec<Mutation> = (1..=3)
        .map(|i| create(i, new_request("welfare-elderly", &format!("見守り {i}"))))
        .collect();
    t.push(&welfare, Uuid::new_v4(), &batch).await;
    let order = t.store.server_order().await.unwrap();
    assert!(order >= 4, "{order}");
    // ...but no plain cursor, below, at or above the counter, answers differently.
    let shape = |p: &koe_core::PullResponse| (p.requests.len(), p.reset, p.has_more, p.cursor);
    let mut answers = Vec::new();
    for cursor in [1i64, 2, 3, 4, 5, 8, 1000, (1 << 52) - 1] {
        answers.push(shape(&t.pull(&road, &format!("cursor={cursor}")).await));
    }
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    assert!(!answers[0].1);
    // The cursor handed back is sealed: it is not the counter, nor near it.
    let now = t.pull(&road, &format!("cursor={}", mine.cursor)).await;
    assert!(now.requests.is_empty() && !now.reset);
    for c in [mine.cursor, now.cursor] {
        assert!((1 << 52..1 << 53).contains(&c), "{c}");
    }
    assert_ne!(mine.cursor, now.cursor);
    t.get("/api/sync/pull?cursor=abc", Some(&road))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_cursor");
    t.get("/api/sync/pull?cursor=0&limit=lots", Some(&road))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_limit");
}

async fn welfare_request_is_redacted_for_the_office_clerk_only(t: TestApp) {
    let welfare = t.sign_in("welfare01").await;
    let req = new_request("welfare-elderly", "一人暮らしの方の見守り");
    t.push(&welfare, Uuid::new_v4(), &[create(1, req.clone())])
        .await;

    let clerk = t.sign_in("clerk01").await;
    let seen = t.pull_all(&clerk).await;
    assert_eq!(seen.len(), 1);
    let r = &seen[0];
    assert_eq!(r.id, req.id);
    assert!(r.redacted);
    assert_eq!((&r.title, &r.description, &r.place), (&None, &None, &None));
    assert_eq!(r.status, koe_core::Status::New);
    assert_eq!(r.section, "elderly-disability");
    let listed: Vec<RequestRecord> =
        serde_json::from_slice::<RequestPage>(&t.get("/api/requests", Some(&clerk)).await.body)
            .unwrap()
            .requests;
    assert!(listed[0].redacted && listed[0].title.is_none());

    let own = t.pull_all(&welfare).await;
    assert!(!own[0].redacted);
    assert_eq!(own[0].title.as_deref(), Some("一人暮らしの方の見守り"));
    assert_eq!(own[0].description.as_deref(), Some("区民の方から"));

    // The section head of roads reviews the ward, but may not read welfare details.
    let head = t.sign_in("head01").await;
    assert!(t.pull_all(&head).await[0].redacted);
}

async fn field_staff_see_their_own_and_their_sections(t: TestApp) {
    let road = t.sign_in("road01").await;
    let park = t.sign_in("park01").await;
    let welfare = t.sign_in("welfare01").await;
    let road_req = new_request("road-pothole", "道路の穴");
    let park_req = new_request("park-equipment", "ブランコ");
    let welfare_req = new_request("welfare-child", "子育て相談");
    // park01 logs a road request: they see it (they logged it), and so does road01.
    let park_logged_road = new_request("road-streetlight", "公園前の街路灯");
    t.push(&road, Uuid::new_v4(), &[create(1, road_req.clone())])
        .await;
    t.push(
        &park,
        Uuid::new_v4(),
        &[
            create(1, park_req.clone()),
            create(2, park_logged_road.clone()),
        ],
    )
    .await;
    t.push(&welfare, Uuid::new_v4(), &[create(1, welfare_req.clone())])
        .await;

    let ids = |v: Vec<RequestRecord>| v.into_iter().map(|r| r.id).collect::<HashSet<_>>();
    assert_eq!(
        ids(t.pull_all(&road).await),
        HashSet::from([road_req.id, park_logged_road.id])
    );
    assert_eq!(
        ids(t.pull_all(&park).await),
        HashSet::from([park_req.id, park_logged_road.id])
    );
    assert_eq!(
        ids(t.pull_all(&welfare).await),
        HashSet::from([welfare_req.id])
    );
    let listed: Vec<RequestRecord> =
        serde_json::from_slice::<RequestPage>(&t.get("/api/requests", Some(&road)).await.body)
            .unwrap()
            .requests;
    assert_eq!(
        ids(listed),
        HashSet::from([road_req.id, park_logged_road.id])
    );
    let head = t.sign_in("head01").await;
    assert_eq!(t.pull_all(&head).await.len(), 4);
}

async fn request_list_is_newest_first_and_paged(t: TestApp) {
    let road = t.sign_in("road01").await;
    let client = Uuid::new_v4();
    let mut ids = Vec::new();
    for i in 1..=4u64 {
        let req = new_request("road-drain", &format!("側溝 {i}"));
        ids.push(req.id);
        t.push(&road, client, &[create(i, req)]).await;
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    }
    ids.reverse();
    let clerk = t.sign_in("clerk01").await;
    let a = t.get("/api/requests", Some(&clerk)).await;
    assert_eq!(a.status, StatusCode::OK);
    let all = serde_json::from_slice::<RequestPage>(&a.body)
        .unwrap()
        .requests;
    assert_eq!(all.iter().map(|r| r.id).collect::<Vec<_>>(), ids);
    let page = serde_json::from_slice::<RequestPage>(
        &t.get("/api/requests?limit=2&offset=1", Some(&clerk))
            .await
            .body,
    )
    .unwrap()
    .requests;
    assert_eq!(page.iter().map(|r| r.id).collect::<Vec<_>>(), ids[1..3]);
    t.get("/api/requests?offset=x", Some(&clerk))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_offset");
}

async fn concurrent_pushes_never_make_a_puller_skip(t: TestApp) {
    const PUSHERS: u64 = 4;
    const BATCHES: u64 = 8;
    const PER_BATCH: u64 = 4;
    let t = Arc::new(t);
    let road = t.sign_in("road01").await;
    let head = t.sign_in("head01").await;
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));

    let mut pushers = Vec::new();
    for _ in 0..PUSHERS {
        let (t, road) = (t.clone(), road.clone());
        pushers.push(tokio::spawn(async move {
            let client = Uuid::new_v4();
            for b in 0..BATCHES {
                let batch: Vec<Mutation> = (1..=PER_BATCH)
                    .map(|i| {
                        let id = b * PER_BATCH + i;
                        create(id, new_request("road-pothole", &format!("同時 {id}")))
                    })
                    .collect();
                let r = t.push(&road, client, &batch).await;
                for o in &r.outcomes {
                    applied(&o.outcome);
                }
            }
        }));
    }
    let puller = {
        let (t, head, done) = (t.clone(), head.clone(), done.clone());
        tokio::spawn(async move {
            let mut cursor = 0;
            let mut versions = Vec::new();
            let mut ids = HashSet::new();
            let mut pulls = 0;
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let p = t.pull(&head, &format!("cursor={cursor}&limit=7")).await;
                pulls += 1;
                assert!(!p.reset);
                for r in &p.requests {
                    versions.push(r.version);
                    assert!(ids.insert(r.id), "seen twice: {}", r.id);
                }
                cursor = p.cursor;
                if finished && !p.has_more {
                    return (versions, ids, pulls);
                }
            }
        })
    };
    for p in pushers {
        p.await.expect("pusher");
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let (versions, ids, pulls) = puller.await.expect("puller");
    assert!(pulls > 1);
    assert!(
        versions.windows(2).all(|w| w[0] < w[1]),
        "versions not strictly increasing: {versions:?}"
    );
    let total = (PUSHERS * BATCHES * PER_BATCH) as i64;
    assert_eq!(t.count().await, total);
    let stored: Vec<RequestRecord> = serde_json::from_slice::<RequestPage>(
        &t.get("/api/requests?limit=1000", Some(&head)).await.body,
    )
    .unwrap()
    .requests;
    let stored: HashSet<Uuid> = stored.into_iter().map(|r| r.id).collect();
    assert_eq!(stored.len() as i64, total);
    assert_eq!(ids, stored, "the puller's set differs from what is stored");
}

async fn the_same_batch_pushed_concurrently_is_applied_once(t: TestApp) {
    let t = Arc::new(t);
    let road = t.sign_in("road01").await;
    let client = Uuid::new_v4();
    let batch: Vec<Mutation> = (1..=10)
        .map(|i| create(i, new_request("road-sign-mirror", &format!("ミラー {i}"))))
        .collect();
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let (t, road, batch) = (t.clone(), road.clone(), batch.clone());
            tokio::spawn(async move { t.push(&road, client, &batch).await })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("push task").outcomes);
    }
    // Every push hears the same outcomes: each mutation's first one.
    for a in &answers {
        assert_eq!(a, &answers[0]);
        assert!(a
            .iter()
            .all(|o| matches!(o.outcome, Outcome::Applied { .. })));
    }
    assert_eq!(t.count().await, 10, "each mutation applied exactly once");
}

async fn unknown_api_paths_and_the_app_files(t: TestApp) {
    let cookie = t.sign_in("clerk01").await;
    t.get("/api/nope", Some(&cookie))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    t.get("/api/nope", None)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    t.call(
        Method::PUT,
        "/api/catalogue",
        Some(&cookie),
        None,
        Vec::new(),
    )
    .await
    .assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");

    let cache = |a: &Answer| {
        a.headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    for path in ["/", "/index.html", "/capture/new"] {
        let a = t.get(path, None).await;
        assert_eq!(a.status, StatusCode::OK, "{path}");
        assert!(a.text().contains("<title>Koe</title>"), "{path}");
        assert_eq!(cache(&a), "no-cache", "{path}");
    }
    let a = t.get("/sw.js", None).await;
    assert_eq!((a.status, cache(&a).as_str()), (StatusCode::OK, "no-cache"));
    let a = t.get("/koe-app-0123456789abcdef_bg.wasm", None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(cache(&a).contains("immutable"));

    // Without a built app the pages say what to do, and the API still works.
    std::fs::remove_dir_all(&t.dist).unwrap();
    let a = t.get("/", None).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(a.text().contains("trunk build"), "{}", a.text());
    assert_eq!(
        t.get("/api/session", Some(&cookie)).await.status,
        StatusCode::OK
    );
}

// ---------------------------------------------------------------------------------
// Field edits, notes, the request detail, the access log, sign-in limits

fn set(id: u64, request_id: Uuid, edits: Vec<(FieldValue, i64)>) -> Mutation {
    Mutation {
        id,
        author: None,
        kind: MutationKind::SetFields {
            request_id,
            edits: edits
                .into_iter()
                .map(|(value, base_version)| FieldEdit {
                    value,
                    base_version,
                })
                .collect(),
        },
    }
}

fn note(id: u64, request_id: Uuid, note_id: Uuid, text: &str) -> Mutation {
    Mutation {
        id,
        author: None,
        kind: MutationKind::AddNote {
            request_id,
            note_id,
            text: text.into(),
        },
    }
}

fn rejected_code(o: &Outcome) -> String {
    match o {
        Outcome::Rejected { code, message } => {
            assert!(!message.ja.is_empty() && !message.en.is_empty());
            code.clone()
        }
        other => panic!("expected rejected, got {other:?}"),
    }
}

impl TestApp {
    /// One sign-in attempt, as if from `ip` when given (the listener's connect info).
    async fn sign_in_attempt(&self, staff_id: &str, password: &str, ip: Option<&str>) -> Answer {
        let mut req = Request::builder()
            .method(Method::POST)
            .uri("/api/session")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                serde_json::to_vec(&json!({"staff_id": staff_id, "password": password}))
                    .expect("json"),
            ))
            .expect("request");
        if let Some(ip) = ip {
            let addr: std::net::SocketAddr = format!("{ip}:40000").parse().expect("addr");
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo(addr));
        }
        self.answer(req).await
    }
}

async fn set_fields_applies_and_history_has_before_and_after(t: TestApp) {
    let road = t.sign_in("road01").await;
    let device = Uuid::new_v4();
    let req = new_request("road-pothole", "歩道の段差");
    let v1 = applied(
        &t.push(&road, device, &[create(1, req.clone())])
            .await
            .outcomes[0]
            .outcome,
    );
    let r = t
        .push(
            &road,
            device,
            &[set(
                2,
                req.id,
                vec![
                    (FieldValue::Description("深さ10cm、幅30cm".into()), v1),
                    (FieldValue::Urgency(Urgency::Urgent), v1),
                ],
            )],
        )
        .await;
    let v2 = applied(&r.outcomes[0].outcome);
    assert!(v2 > v1);
    // Pull sees the change after the cursor it had.
    let p = t.pull(&road, &format!("cursor={v1}")).await;
    assert_eq!(p.requests.len(), 1);
    assert_eq!(p.requests[0].version, v2);
    assert_eq!(
        p.requests[0].description.as_deref(),
        Some("深さ10cm、幅30cm")
    );
    assert_eq!(p.requests[0].urgency, Urgency::Urgent);
    assert_eq!(p.requests[0].place.as_ref().unwrap().landmark, "郵便局の前");
    assert_eq!(
        p.requests[0].contact.as_ref().unwrap().name.as_deref(),
        Some("山田 花子")
    );

    let d = t.detail(&road, req.id).await;
    assert_eq!(d.history.len(), 2);
    assert_eq!(d.history[0].kind, "create_request");
    let h = &d.history[1];
    assert_eq!(
        (h.kind.as_str(), h.by.as_str(), h.device, h.version),
        ("set_fields", "road01", Some(device), v2)
    );
    assert_eq!(h.body["before"]["description"], "区民の方から");
    assert_eq!(h.body["after"]["description"], "深さ10cm、幅30cm");
    assert_eq!(h.body["before"]["urgency"], "high");
    assert_eq!(h.body["after"]["urgency"], "urgent");
}

async fn stale_edit_is_kept_as_a_conflict_and_flagged(t: TestApp) {
    let road = t.sign_in("road01").await;
    let clerk = t.sign_in("clerk01").await;
    let req = new_request("road-pothole", "段差");
    let device = Uuid::new_v4();
    let v1 = applied(
        &t.push(&road, device, &[create(1, req.clone())])
            .await
            .outcomes[0]
            .outcome,
    );
    let by_office = t
        .push(
            &clerk,
            Uuid::new_v4(),
            &[set(
                1,
                req.id,
                vec![(FieldValue::Title("歩道の段差（10cm）".into()), v1)],
            )],
        )
        .await;
    let v2 = applied(&by_office.outcomes[0].outcome);
    // The inspector edited title and description offline, from version 1.
    let stale = t
        .push(
            &road,
            device,
            &[set(
                2,
                req.id,
                vec![
                    (FieldValue::Title("車道の穴".into()), v1),
                    (FieldValue::Description("雨で広がった".into()), v1),
                ],
            )],
        )
        .await;
    let v3 = match &stale.outcomes[0].outcome {
        Outcome::Conflict { version, fields } => {
            assert_eq!(fields, &[EditableField::Title]);
            *version
        }
        other => panic!("expected conflict, got {other:?}"),
    };
    assert!(v3 > v2);
    let d = t.detail(&clerk, req.id).await;
    let r = &d.request;
    assert_eq!(
        r.title.as_deref(),
        Some("歩道の段差（10cm）"),
        "the server value stays"
    );
    assert_eq!(
        r.description.as_deref(),
        Some("雨で広がった"),
        "the rest applied"
    );
    assert!(r.needs_review);
    assert_eq!(r.conflicts.len(), 1);
    let c = &r.conflicts[0];
    assert_eq!(c.field, EditableField::Title);
    assert_eq!(c.server_value, "歩道の段差（10cm）");
    assert_eq!(c.device_value, "車道の穴");
    assert_eq!(c.by, "road01");
    assert_eq!(d.history.last().unwrap().body["lost"], json!(["title"]));
    // The office reviews it: the flag and the list clear.
    let reviewed = t
        .push(
            &clerk,
            Uuid::new_v4(),
            &[set(1, req.id, vec![(FieldValue::NeedsReview(false), v3)])],
        )
        .await;
    applied(&reviewed.outcomes[0].outcome);
    let r = t.detail(&clerk, req.id).await.request;
    assert!(!r.needs_review && r.conflicts.is_empty());
}

async fn field_staff_cannot_change_status(t: TestApp) {
    let road = t.sign_in("road01").await;
    let device = Uuid::new_v4();
    let req = new_request("road-pothole", "段差");
    let v1 = applied(
        &t.push(&road, device, &[create(1, req.clone())])
            .await
            .outcomes[0]
            .outcome,
    );
    for (i, value) in [
        FieldValue::Status(Status::InProgress),
        FieldValue::Assignee(Some("road01".into())),
        FieldValue::Section("park".into()),
    ]
    .into_iter()
    .enumerate()
    {
        let r = t
            .push(
                &road,
                device,
                &[set(
                    2 + i as u64,
                    req.id,
                    vec![(FieldValue::Title("x".into()), v1), (value, v1)],
                )],
            )
            .await;
        assert_eq!(rejected_code(&r.outcomes[0].outcome), "not_allowed");
    }
    let d = t.detail(&road, req.id).await;
    assert_eq!(d.request.status, Status::New);
    assert_eq!(
        d.request.title.as_deref(),
        Some("段差"),
        "nothing of it applied"
    );
    assert_eq!(d.request.version, v1);
    assert_eq!(d.history.len(), 1);
    // Nor someone else's request.
    let park = t.sign_in("park01").await;
    let r = t
        .push(
            &park,
            Uuid::new_v4(),
            &[set(1, req.id, vec![(FieldValue::Title("x".into()), v1)])],
        )
        .await;
    assert_eq!(rejected_code(&r.outcomes[0].outcome), "unknown_request");
}

async fn office_status_changes_follow_the_workflow(t: TestApp) {
    let road = t.sign_in("road01").await;
    let clerk = t.sign_in("clerk01").await;
    let req = new_request("road-pothole", "段差");
    let v1 = applied(
        &t.push(&road, Uuid::new_v4(), &[create(1, req.clone())])
            .await
            .outcomes[0]
            .outcome,
    );
    let office = Uuid::new_v4();
    let r = t
        .push(
            &clerk,
            office,
            &[
                set(
                    1,
                    req.id,
                    vec![
                        (FieldValue::Status(Status::Routed), v1),
                        (FieldValue::Assignee(Some("road01".into())), v1),
                        (FieldValue::SharedWith(vec!["park".into()]), v1),
                    ],
                ),
                set(
                    2,
                    req.id,
                    vec![(FieldValue::Status(Status::Closed), v1 + 1)],
                ),
                set(
                    3,
                    req.id,
                    vec![(FieldValue::Status(Status::Resolved), v1 + 1)],
                ),
            ],
        )
        .await;
    let v2 = applied(&r.outcomes[0].outcome);
    assert_eq!(
        rejected_code(&r.outcomes[1].outcome),
        "transition_not_allowed"
    );
    match &r.outcomes[1].outcome {
        Outcome::Rejected { message, .. } => {
            assert!(message.ja.contains("担当決定"), "{message:?}")
        }
        _ => unreachable!(),
    }
    assert_eq!(rejected_code(&r.outcomes[2].outcome), "response_required");
    let r = t
        .push(
            &clerk,
            office,
            &[set(
                4,
                req.id,
                vec![
                    (FieldValue::Status(Status::Resolved), v2),
                    (FieldValue::Response("4月3日に補修しました。".into()), v2),
                ],
            )],
        )
        .await;
    applied(&r.outcomes[0].outcome);
    // References core cannot check: the assignee must exist, the original be another request.
    let r = t
        .push(
            &clerk,
            office,
            &[
                set(
                    5,
                    req.id,
                    vec![(FieldValue::Assignee(Some("nobody".into())), v2)],
                ),
                set(6, req.id, vec![(FieldValue::DuplicateOf(Some(req.id)), v2)]),
            ],
        )
        .await;
    assert_eq!(rejected_code(&r.outcomes[0].outcome), "unknown_staff");
    assert_eq!(rejected_code(&r.outcomes[1].outcome), "unknown_original");
    let seen = t.detail(&road, req.id).await.request;
    assert_eq!(seen.status, Status::Resolved);
    // Shared with parks (連携先): the park inspector now sees it, in pull and in detail.
    let park = t.sign_in("park01").await;
    assert!(t.pull_all(&park).await.iter().any(|r| r.id == req.id));
    t.detail(&park, req.id).await;
    assert_eq!(seen.assignee.as_deref(), Some("road01"));
    assert_eq!(seen.shared_with, ["park"]);
    assert_eq!(seen.response.as_deref(), Some("4月3日に補修しました。"));
}

async fn note_sent_twice_is_stored_once(t: TestApp) {
    let road = t.sign_in("road01").await;
    let device = Uuid::new_v4();
    let req = new_request("road-pothole", "段差");
    t.push(&road, device, &[create(1, req.clone())]).await;
    let note_id = Uuid::new_v4();
    let first = t
        .push(&road, device, &[note(2, req.id, note_id, "電話で説明済み")])
        .await;
    let v = applied(&first.outcomes[0].outcome);
    // The same push again: its first outcome again.
    let again = t
        .push(&road, device, &[note(2, req.id, note_id, "電話で説明済み")])
        .await;
    assert_eq!(again.outcomes, first.outcomes);
    // The same note under a new mutation id (the outbox was rebuilt): stored once.
    let rebuilt = t
        .push(&road, device, &[note(3, req.id, note_id, "電話で説明済み")])
        .await;
    assert_eq!(applied(&rebuilt.outcomes[0].outcome), v);
    let clerk = t.sign_in("clerk01").await;
    let again = t
        .push(&clerk, Uuid::new_v4(), &[note(1, req.id, note_id, "別の")])
        .await;
    assert_eq!(applied(&again.outcomes[0].outcome), v);
    let d = t.detail(&clerk, req.id).await;
    assert_eq!(d.notes.len(), 1);
    assert_eq!((d.notes[0].id, d.notes[0].by.as_str()), (note_id, "road01"));
    assert_eq!(d.notes[0].text, "電話で説明済み");
    assert_eq!(d.history.iter().filter(|h| h.kind == "add_note").count(), 1);
    let empty = t
        .push(&road, device, &[note(4, req.id, Uuid::new_v4(), "  ")])
        .await;
    assert_eq!(rejected_code(&empty.outcomes[0].outcome), "empty_note");
}

async fn edits_to_unknown_requests_are_rejected(t: TestApp) {
    let clerk = t.sign_in("clerk01").await;
    let nobody = new_request("road-pothole", "x").id;
    let r = t
        .push(
            &clerk,
            Uuid::new_v4(),
            &[
                set(1, nobody, vec![(FieldValue::Title("x".into()), 1)]),
                note(2, nobody, Uuid::new_v4(), "メモ"),
            ],
        )
        .await;
    assert_eq!(rejected_code(&r.outcomes[0].outcome), "unknown_request");
    assert_eq!(rejected_code(&r.outcomes[1].outcome), "unknown_request");
    t.get(&format!("/api/requests/{nobody}"), Some(&clerk))
        .await
        .assert_error(StatusCode::NOT_FOUND, "unknown_request");
    t.get("/api/requests/not-a-uuid", Some(&clerk))
        .await
        .assert_error(StatusCode::NOT_FOUND, "unknown_request");
}

/// The bounds of one `set_fields` (core's `check_edits`, `validate_shared_with`) refuse a
/// mutation whole, with nothing stored, and never hold up the mutations behind it.
async fn oversized_edits_are_refused_and_store_nothing(t: TestApp) {
    let road = t.sign_in("road01").await;
    let req = new_request("road-pothole", "穴");
    let v = applied(
        &t.push(&road, Uuid::new_v4(), &[create(1, req.clone())])
            .await
            .outcomes[0]
            .outcome,
    );
    let clerk = t.sign_in("clerk01").await;
    let many: Vec<(FieldValue, i64)> = (0..8000)
        .map(|i| (FieldValue::Title(format!("件名 その{i}")), v))
        .collect();
    let twice = vec![
        (FieldValue::Title("段差".into()), v),
        (FieldValue::Title("穴".into()), v),
    ];
    let huge = vec![(FieldValue::SharedWith(vec!["road".into(); 120_000]), v)];
    // Each under the push's 1 MiB body limit, so only the mutation bounds refuse them.
    let device = Uuid::new_v4();
    let mut codes = Vec::new();
    for (id, edits) in [(1, many), (2, twice), (3, huge)] {
        let r = t.push(&clerk, device, &[set(id, req.id, edits)]).await;
        codes.push(rejected_code(&r.outcomes[0].outcome));
    }
    assert_eq!(
        codes,
        ["too_many_edits", "repeated_field", "too_many_sections"]
    );
    let r = t
        .push(
            &clerk,
            device,
            &[set(
                4,
                req.id,
                vec![(
                    FieldValue::SharedWith(vec!["road".into(), "park".into(), "road".into()]),
                    v,
                )],
            )],
        )
        .await;
    let after = applied(&r.outcomes[0].outcome);
    let d = t.detail(&clerk, req.id).await;
    assert_eq!(d.request.title.as_deref(), Some("穴"));
    assert_eq!(
        d.request.shared_with,
        vec!["park", "road"],
        "sorted, once each"
    );
    assert_eq!(d.request.version, after);
    assert!(d.request.conflicts.is_empty());
    assert_eq!(d.history.len(), 2, "the create and the one applied edit");
}

/// A consultation (welfare-child) routed, assigned and shared with roads and a welfare
/// section, as the
/// administrator reads it; and the catalogue.
async fn shared_consultation(t: &TestApp) -> (RequestRecord, Catalogue) {
    let welfare = t.sign_in("welfare01").await;
    let req = new_request("welfare-child", "子どもの見守り");
    let v = applied(
        &t.push(&welfare, Uuid::new_v4(), &[create(1, req.clone())])
            .await
            .outcomes[0]
            .outcome,
    );
    let admin = t.sign_in("admin01").await;
    let r = t
        .push(
            &admin,
            Uuid::new_v4(),
            &[set(
                1,
                req.id,
                vec![
                    (FieldValue::Assignee(Some("welfare02".into())), v),
                    // Roads may see it; the welfare case workers of elderly-disability may
                    // read it too.
                    (
                        FieldValue::SharedWith(vec!["road".into(), "elderly-disability".into()]),
                        v,
                    ),
                    (FieldValue::Status(Status::Routed), v),
                ],
            )],
        )
        .await;
    applied(&r.outcomes[0].outcome);
    let stored = t.detail(&admin, req.id).await.request;
    assert!(!stored.redacted);
    assert_eq!(stored.assignee.as_deref(), Some("welfare02"));
    let a = t.get("/api/catalogue", Some(&admin)).await;
    (stored, serde_json::from_slice(&a.body).expect("catalogue"))
}

/// The rule: one who sees a 要配慮 request but may not read it learns its existence, its
/// category group, its section and its status — the same core shape
/// (`koe_core::access::redacted`) in the list, pull, detail, CSV and GeoJSON, and
/// nothing in Open311.
async fn a_redacted_request_is_the_same_shape_on_every_read_path(t: TestApp) {
    let (stored, catalogue) = shared_consultation(&t).await;
    let expected = koe_core::access::redacted(&stored, &catalogue);
    assert_eq!(expected.category, "group:福祉");
    // The office clerk (sees the ward) and a road inspector (shared with roads).
    for who in ["clerk01", "road01"] {
        let cookie = t.sign_in(who).await;
        let a = t.get("/api/requests?limit=200", Some(&cookie)).await;
        let page: RequestPage = serde_json::from_slice(&a.body).expect("page");
        let listed = page
            .requests
            .iter()
            .find(|r| r.id == stored.id)
            .expect("listed");
        assert_eq!(listed, &expected, "list, {who}");

        let a = t
            .get("/api/sync/pull?cursor=0&limit=1000", Some(&cookie))
            .await;
        let pull: PullResponse = serde_json::from_slice(&a.body).expect("pull");
        let pulled = pull
            .requests
            .iter()
            .find(|r| r.id == stored.id)
            .expect("pulled");
        assert_eq!(pulled, &expected, "pull, {who}");

        let d = t.detail(&cookie, stored.id).await;
        assert_eq!(d.request, expected, "detail, {who}");
        assert!(d.notes.is_empty() && d.history.is_empty());

        let csv = t
            .get("/api/exports/requests.csv", Some(&cookie))
            .await
            .text();
        let row = csv
            .lines()
            .find(|l| l.starts_with(&stored.id.to_string()))
            .expect("csv row");
        for hidden in [
            "子育て・児童",
            "welfare01",
            "welfare02",
            "道路",
            "高",
            "見守り",
        ] {
            assert!(!row.contains(hidden), "csv {who}: {hidden:?} in {row}");
        }
        assert!(
            row.contains("福祉") && row.contains("非表示") && row.contains("担当決定"),
            "{row}"
        );

        let geo = t
            .get("/api/exports/requests.geojson", Some(&cookie))
            .await
            .json();
        let ids: Vec<String> = geo["features"]
            .as_array()
            .expect("features")
            .iter()
            .map(|f| f["id"].as_str().unwrap_or_default().to_string())
            .collect();
        assert!(!ids.contains(&stored.id.to_string()), "geojson {who}");
    }
    let a = t
        .get(&format!("/open311/v2/requests/{}.json", stored.id), None)
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    // A welfare case worker reads it whole.
    let welfare = t.sign_in("welfare02").await;
    assert_eq!(t.detail(&welfare, stored.id).await.request, stored);
}

/// `?category=welfare-child` (or any condition on what redaction hides) counts only the
/// consultations the reader may read; status and section still find it.
async fn a_filter_on_hidden_fields_does_not_count_redacted_requests(t: TestApp) {
    let (stored, _) = shared_consultation(&t).await;
    let hidden = [
        "category=welfare-child",
        "urgency=high",
        "assignee=welfare02",
        "shared=mine",
        "from=2000-01-01",
    ];
    for who in ["clerk01", "road01"] {
        for q in hidden {
            let n = list_total(&t, who, q).await;
            assert_eq!(n, 0, "{who} {q}");
        }
        for q in ["status=routed", "section=children-family", ""] {
            let n = list_total(&t, who, q).await;
            assert_eq!(n, 1, "{who} {q}");
        }
    }
    for q in [
        "category=welfare-child",
        "urgency=high",
        "assignee=welfare02",
    ] {
        assert_eq!(list_total(&t, "welfare02", q).await, 1, "{q}");
    }
    assert!(stored.shared_with.contains(&"road".to_string()));
}

/// How many requests `GET /api/requests?{query}` counts for `who`.
async fn list_total(t: &TestApp, who: &str, query: &str) -> i64 {
    let cookie = t.sign_in(who).await;
    let a = t
        .get(&format!("/api/requests?{query}"), Some(&cookie))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let page: RequestPage = serde_json::from_slice(&a.body).expect("page");
    page.total
}

async fn welfare_detail_is_redacted_and_reads_are_logged(t: TestApp) {
    let welfare = t.sign_in("welfare01").await;
    let device = Uuid::new_v4();
    let req = new_request("welfare-elderly", "一人暮らしの方の見守り");
    t.push(
        &welfare,
        device,
        &[
            create(1, req.clone()),
            note(2, req.id, Uuid::new_v4(), "長男に連絡"),
        ],
    )
    .await;

    let clerk = t.sign_in("clerk01").await;
    let d = t.detail(&clerk, req.id).await;
    assert!(d.request.redacted);
    assert_eq!(
        (
            &d.request.title,
            &d.request.description,
            &d.request.place,
            &d.request.contact
        ),
        (&None, &None, &None, &None)
    );
    assert!(d.notes.is_empty() && d.history.is_empty());
    assert_eq!(d.request.status, Status::New);
    // Nor can the clerk write its details or notes, nor act on it at all: moving a
    // request they may not read is refused too (issue 11), and nothing changes.
    let v = d.request.version;
    let r = t
        .push(
            &clerk,
            Uuid::new_v4(),
            &[
                set(1, req.id, vec![(FieldValue::Description("x".into()), v)]),
                note(2, req.id, Uuid::new_v4(), "x"),
                set(3, req.id, vec![(FieldValue::Status(Status::Routed), v)]),
            ],
        )
        .await;
    assert_eq!(rejected_code(&r.outcomes[0].outcome), "not_allowed");
    assert_eq!(rejected_code(&r.outcomes[1].outcome), "not_allowed");
    assert_eq!(rejected_code(&r.outcomes[2].outcome), "not_allowed");
    assert_eq!(t.detail(&clerk, req.id).await.request.version, v);

    // The author reads her own: not logged.
    let own = t.detail(&welfare, req.id).await;
    assert!(!own.request.redacted);
    assert!(t.store.access_log(req.id).await.unwrap().is_empty());

    // Her colleague reads it: full details, and on the record.
    let colleague = t.sign_in("welfare02").await;
    let d = t.detail(&colleague, req.id).await;
    assert!(!d.request.redacted);
    assert_eq!(d.request.title.as_deref(), Some("一人暮らしの方の見守り"));
    assert_eq!(
        d.request.contact.as_ref().unwrap().phone.as_deref(),
        Some("044-000-0000")
    );
    assert_eq!(d.notes.len(), 1);
    // Its intake and the author's note: the clerk's refused status change is not there.
    assert_eq!(d.history.len(), 2);
    let log = t.store.access_log(req.id).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].staff_id, "welfare02");
    assert_eq!(log[0].path, format!("/api/requests/{}", req.id));
    assert!(log[0].at > 0);

    // A road inspector does not even learn that it exists.
    let road = t.sign_in("road01").await;
    t.get(&format!("/api/requests/{}", req.id), Some(&road))
        .await
        .assert_error(StatusCode::NOT_FOUND, "unknown_request");
    // An ordinary request read by anyone is not logged.
    let pothole = new_request("road-pothole", "段差");
    t.push(&road, Uuid::new_v4(), &[create(1, pothole.clone())])
        .await;
    t.detail(&clerk, pothole.id).await;
    assert!(t.store.access_log(pothole.id).await.unwrap().is_empty());
}

async fn history_cannot_be_edited(t: TestApp) {
    let road = t.sign_in("road01").await;
    let req = new_request("road-pothole", "段差");
    t.push(&road, Uuid::new_v4(), &[create(1, req.clone())])
        .await;
    let path = format!("/api/requests/{}", req.id);
    for method in [Method::PUT, Method::DELETE, Method::PATCH, Method::POST] {
        t.call(
            method.clone(),
            &path,
            Some(&road),
            Some("application/json"),
            b"{}".to_vec(),
        )
        .await
        .assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        let a = t
            .call(
                method,
                &format!("{path}/history"),
                Some(&road),
                Some("application/json"),
                b"{}".to_vec(),
            )
            .await;
        assert!(
            a.status == StatusCode::NOT_FOUND || a.status == StatusCode::METHOD_NOT_ALLOWED,
            "{}",
            a.status
        );
    }
    assert_eq!(t.detail(&road, req.id).await.history.len(), 1);
}

async fn sign_in_failures_are_rate_limited(t: TestApp) {
    for _ in 0..5 {
        t.sign_in_attempt("clerk01", "wrong", None)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    }
    // Now even the right password waits, and the answer says for how long.
    let a = t.sign_in_attempt("clerk01", PASSWORD, None).await;
    a.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    assert!(a.json()["message"]["ja"].as_str().unwrap().contains("分後"));
    assert!(a.json()["message"]["en"]
        .as_str()
        .unwrap()
        .contains("minute"));
    let retry: i64 = a.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=300).contains(&retry), "{retry}");
    // Case does not dodge it; other staff are not affected.
    t.sign_in_attempt("CLERK01", PASSWORD, None)
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    t.sign_in("road01").await;

    // Per address: failures on different ids from one address lock that address.
    for i in 0..koe_server::auth::MAX_FAILURES_PER_ADDRESS {
        t.sign_in_attempt(&format!("guess{i}"), "x", Some("10.0.0.1"))
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    }
    t.sign_in_attempt("park01", PASSWORD, Some("10.0.0.1"))
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    assert_eq!(
        t.sign_in_attempt("park01", PASSWORD, Some("10.0.0.2"))
            .await
            .status,
        StatusCode::OK
    );

    // A success clears the staff id's failures.
    for _ in 0..4 {
        t.sign_in_attempt("head01", "wrong", None).await;
    }
    t.sign_in("head01").await;
    for _ in 0..4 {
        t.sign_in_attempt("head01", "wrong", None).await;
    }
    t.sign_in("head01").await;
}

async fn expired_sessions_are_purged(t: TestApp) {
    // (Signing in purges expired sessions too, so sign in first.)
    let live = t.sign_in("park01").await;
    let now = koe_server::now_ms();
    let token = koe_server::auth::new_token();
    t.store
        .create_session(
            &koe_server::auth::token_hash(&token),
            "road01",
            now - 10_000,
            now - 1,
        )
        .await
        .unwrap();
    let cookie = format!("koe_session={token}");
    t.get("/api/session", Some(&cookie))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
    t.store
        .record_sign_in_failure(&["staff:x".into()], now - 600_000)
        .await
        .unwrap();
    assert_eq!(t.store.purge_expired(now, now - 300_000).await.unwrap(), 2);
    assert_eq!(t.store.purge_expired(now, now - 300_000).await.unwrap(), 0);
    assert_eq!(
        t.get("/api/session", Some(&live)).await.status,
        StatusCode::OK
    );
}

// ---------------------------------------------------------------------------------
// Service standards and due dates (区役所サービス基準)

/// The JST date a due time falls on.
fn due_day(ms: i64) -> String {
    use koe_core::calendar::{end_of_jst_day, iso_date, jst_day};
    assert_eq!(ms, end_of_jst_day(jst_day(ms)), "due at the end of its day");
    iso_date(jst_day(ms))
}

async fn catalogue_lists_the_service_standards_and_calendar(t: TestApp) {
    let cookie = t.sign_in("road01").await;
    let a = t.get("/api/catalogue", Some(&cookie)).await;
    assert_eq!(a.status, StatusCode::OK);
    let v = a.json();
    let pothole = v["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "road-pothole")
        .expect("road-pothole");
    assert_eq!(
        pothole["standard"],
        json!({"route_days": 1, "first_response_days": 2, "resolve_days": 10})
    );
    let got: Catalogue = serde_json::from_slice(&a.body).unwrap();
    assert!(got.categories.iter().all(|c| c.standard.is_some()));
    let days_off = &got.calendar.days_off;
    assert!(days_off
        .iter()
        .any(|d| d.date == "2026-05-06" && d.name_ja == "振替休日"));
    assert!(days_off
        .iter()
        .any(|d| d.date == "2027-01-02" && d.name_ja == "年末年始休業"));
}

async fn pushed_request_is_due_by_its_category_standard(t: TestApp) {
    let cookie = t.sign_in("road01").await;
    let req = new_request("road-streetlight", "街路灯が消えている");
    let pushed = t
        .push(&cookie, Uuid::new_v4(), &[create(1, req.clone())])
        .await;
    applied(&pushed.outcomes[0].outcome);
    let all = t.pull_all(&cookie).await;
    let record = &all[0];
    let due = record.due.expect("due dates");
    // As core computes them from the catalogue, from when the ward record received it.
    let catalogue = Seed::demo().unwrap().catalogue;
    assert_eq!(
        Some(due),
        catalogue.due_dates("road-streetlight", record.received_at)
    );
    assert!(record.received_at <= due.route_by);
    assert!(due.route_by < due.first_response_by && due.first_response_by < due.resolve_by);
}

async fn request_received_before_golden_week_is_due_after_it(t: TestApp) {
    use koe_server::store::{Origin, Verdict};
    // Received by the ward record on Thursday 2026-04-30 at 19:10 JST, after closing.
    let received = jst("2026-04-30", 19, 10);
    let catalogue = t.store.catalogue().await.unwrap();
    let client = Uuid::new_v4();
    t.store
        .register_device(client, "road01", received)
        .await
        .unwrap();
    let req = new_request("road-pothole", "車道の穴");
    let section = catalogue
        .category("road-pothole")
        .unwrap()
        .default_section
        .clone();
    let origin = Origin {
        staff_id: "road01",
        client_id: client,
        mutation_id: 1,
        fingerprint: "",
        now: received,
    };
    let verdict = Verdict::Create {
        request: &req,
        section: &section,
        catalogue: &catalogue,
    };
    let outcome = t.store.apply(origin, verdict).await.unwrap();
    applied(&outcome);

    // road-pothole: route 1, first response 2, resolve 10 working days. Day 0 is
    // Thursday 04-30; Friday 05-01 is day 1; 05-02..05-06 are the weekend and Golden
    // Week (05-06 振替休日), so day 2 is Thursday 05-07; day 10 is Tuesday 05-19.
    let expected = |r: &RequestRecord| {
        let due = r.due.expect("due dates");
        assert_eq!(r.received_at, received);
        assert_eq!(
            (
                due_day(due.route_by),
                due_day(due.first_response_by),
                due_day(due.resolve_by)
            ),
            (
                "2026-05-01".to_string(),
                "2026-05-07".to_string(),
                "2026-05-19".to_string()
            )
        );
    };
    let road = t.sign_in("road01").await;
    let pulled = t.pull_all(&road).await;
    expected(&pulled[0]);
    let clerk = t.sign_in("clerk01").await;
    let listed: Vec<RequestRecord> =
        serde_json::from_slice::<RequestPage>(&t.get("/api/requests", Some(&clerk)).await.body)
            .unwrap()
            .requests;
    expected(&listed[0]);
    let a = t
        .get(&format!("/api/requests/{}", req.id), Some(&clerk))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let detail: RequestDetail = serde_json::from_slice(&a.body).unwrap();
    expected(&detail.request);
    // On the wire: milliseconds since the epoch, under `due`.
    assert_eq!(
        a.json()["request"]["due"]["route_by"],
        json!(jst("2026-05-02", 0, 0) - 1)
    );
    // The history's create body carries them too.
    let history = t.store.history(req.id).await.unwrap();
    let body: RequestRecord = serde_json::from_str(&history[0].body).unwrap();
    assert_eq!(body.due, pulled[0].due);
}
