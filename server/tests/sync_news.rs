//! `GET /api/sync/news`, on SQLite and PostgreSQL: the short poll a device makes every few
//! seconds says `changed` exactly when a pull from its cursor would bring a request its
//! person may see — never for another section's request, a change to a request shared
//! away from them, or anything once it has pulled — and it refuses what the pull refuses
//! (no session, a cursor that is not a number, a retired device).

mod common;

use axum::http::StatusCode;
use koe_core::{FieldValue, Mutation, MutationKind, PullResponse, SyncNews};
use uuid::Uuid;

use common::{applied, both, create, new_request, set_fields, TestApp};

both!(
    news_says_changed_only_for_what_the_pull_would_bring,
    news_follows_the_pulls_visibility_for_sharing_and_the_whole_ward,
    news_refuses_what_the_pull_refuses,
);

async fn news(t: &TestApp, cookie: &str, cursor: i64) -> bool {
    let a = t
        .get(&format!("/api/sync/news?cursor={cursor}"), Some(cookie))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let answer: SyncNews = serde_json::from_slice(&a.body).unwrap();
    // Nothing but the answer: no record, no counter.
    assert_eq!(a.json(), serde_json::json!({ "changed": answer.changed }));
    answer.changed
}

async fn pull(t: &TestApp, cookie: &str, cursor: i64) -> PullResponse {
    let a = t
        .get(
            &format!("/api/sync/pull?cursor={cursor}&limit=500"),
            Some(cookie),
        )
        .await;
    assert!(a.status.is_success(), "{}", a.text());
    serde_json::from_slice(&a.body).unwrap()
}

/// Pulls to the end; returns the cursor the device keeps.
async fn pull_all(t: &TestApp, cookie: &str, mut cursor: i64) -> i64 {
    loop {
        let page = pull(t, cookie, cursor).await;
        cursor = page.cursor;
        if !page.has_more {
            return cursor;
        }
    }
}

fn edit(id: u64, kind: MutationKind) -> Mutation {
    Mutation {
        id,
        author: None,
        kind,
    }
}

async fn news_says_changed_only_for_what_the_pull_would_bring(t: TestApp) {
    let road = t.sign_in("road01").await;
    let park = t.sign_in("park01").await;
    let clerk = t.sign_in("clerk01").await;
    let (road_device, office) = (Uuid::new_v4(), Uuid::new_v4());

    // An empty ward: nothing to pull from the start.
    assert!(!news(&t, &road, 0).await);
    let req = new_request("road-pothole", "段差");
    let v = applied(
        &t.push(&road, road_device, &[create(1, req.clone())])
            .await
            .outcomes[0]
            .outcome,
    );
    assert!(news(&t, &road, 0).await, "the inspector's own request");
    let road_at = pull_all(&t, &road, 0).await;
    let park_at = pull_all(&t, &park, 0).await;
    assert!(!news(&t, &road, road_at).await, "pulled: nothing new");
    assert!(!news(&t, &park, park_at).await);

    // The office answers: the inspector hears of it, the park inspector does not.
    let answer = edit(
        1,
        set_fields(
            req.id,
            v,
            vec![FieldValue::Response("補修を手配しました".into())],
        ),
    );
    let v = applied(&t.push(&clerk, office, &[answer]).await.outcomes[0].outcome);
    assert!(news(&t, &road, road_at).await);
    assert!(!news(&t, &park, park_at).await, "another section's answer");
    // What the news announced is what the pull brings, and then there is none.
    let page = pull(&t, &road, road_at).await;
    assert_eq!(page.requests.len(), 1);
    assert_eq!(
        page.requests[0].response.as_deref(),
        Some("補修を手配しました")
    );
    assert!(!news(&t, &road, page.cursor).await);

    // A park request logged and answered: still nothing for roads, news for parks.
    let swing = new_request("park-equipment", "ブランコ");
    t.push(&park, Uuid::new_v4(), &[create(1, swing)]).await;
    assert!(!news(&t, &road, page.cursor).await);
    assert!(news(&t, &park, park_at).await);

    // Routed to parks: it is the park inspector's to pull now.
    let route = edit(
        2,
        set_fields(req.id, v, vec![FieldValue::Section("park".into())]),
    );
    t.push(&clerk, office, &[route]).await;
    let park_at = pull_all(&t, &park, park_at).await;
    let again = edit(
        3,
        set_fields(
            req.id,
            0,
            vec![FieldValue::Urgency(koe_core::Urgency::Urgent)],
        ),
    );
    t.push(&clerk, office, &[again]).await;
    assert!(news(&t, &park, park_at).await, "routed to parks");
    // The inspector who logged it keeps hearing of it.
    assert!(news(&t, &road, page.cursor).await);
}

async fn news_follows_the_pulls_visibility_for_sharing_and_the_whole_ward(t: TestApp) {
    let road = t.sign_in("road01").await;
    let park = t.sign_in("park01").await;
    let clerk = t.sign_in("clerk01").await;
    let head = t.sign_in("head01").await;
    let office = Uuid::new_v4();
    let park_at = pull_all(&t, &park, 0).await;
    let clerk_at = pull_all(&t, &clerk, 0).await;
    let head_at = pull_all(&t, &head, 0).await;

    let req = new_request("road-drain", "側溝");
    let v = applied(
        &t.push(&road, Uuid::new_v4(), &[create(1, req.clone())])
            .await
            .outcomes[0]
            .outcome,
    );
    // The office sees the whole ward: it hears of every new request.
    assert!(news(&t, &clerk, clerk_at).await);
    assert!(news(&t, &head, head_at).await);
    assert!(!news(&t, &park, park_at).await);
    // Shared with parks (連携先): news for the park inspector too.
    let share = edit(
        1,
        set_fields(req.id, v, vec![FieldValue::SharedWith(vec!["park".into()])]),
    );
    let v = applied(&t.push(&clerk, office, &[share]).await.outcomes[0].outcome);
    assert!(news(&t, &park, park_at).await);
    let park_at = pull_all(&t, &park, park_at).await;
    // No longer shared: what changes on it after that is not the park inspector's news
    // (their regular pull drops the copy).
    let unshare = edit(
        2,
        set_fields(req.id, v, vec![FieldValue::SharedWith(vec![])]),
    );
    let v = applied(&t.push(&clerk, office, &[unshare]).await.outcomes[0].outcome);
    let park_after = pull_all(&t, &park, park_at).await;
    let answer = edit(
        3,
        set_fields(req.id, v, vec![FieldValue::Response("清掃しました".into())]),
    );
    t.push(&clerk, office, &[answer]).await;
    assert!(!news(&t, &park, park_after).await);
    assert!(pull(&t, &park, park_after).await.requests.is_empty());

    // A cursor the ward record did not seal would start a full snapshot: pull now.
    let forged = (1_i64 << 52) + 12_345;
    assert!(news(&t, &park, forged).await);
    assert!(pull(&t, &park, forged).await.reset);
    // An older ward record's plain cursor reads as far as it goes, like the pull.
    assert!(!news(&t, &park, 1 << 40).await);
}

async fn news_refuses_what_the_pull_refuses(t: TestApp) {
    t.get("/api/sync/news?cursor=0", None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
    let road = t.sign_in("road01").await;
    t.get("/api/sync/news?cursor=abc", Some(&road))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_cursor");
    t.get("/api/sync/news?cursor=0&client_id=nope", Some(&road))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_client_id");
    // A device in use hears; once an administrator retires it, it hears nothing more.
    let device = Uuid::new_v4();
    t.push(
        &road,
        device,
        &[create(1, new_request("road-pothole", "段差"))],
    )
    .await;
    let asked = format!("/api/sync/news?cursor=0&client_id={device}");
    let a = t.get(&asked, Some(&road)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let admin = t.sign_in("admin01").await;
    let retired = t
        .post(
            &format!("/api/admin/devices/{device}/retire"),
            Some(&admin),
            &serde_json::json!({}),
        )
        .await;
    assert!(retired.status.is_success(), "{}", retired.text());
    let road = t.sign_in("road01").await;
    t.get(&asked, Some(&road))
        .await
        .assert_error(StatusCode::FORBIDDEN, "device_retired");
    // Only GET.
    let a = t
        .post("/api/sync/news", Some(&road), &serde_json::json!({}))
        .await;
    a.assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}
