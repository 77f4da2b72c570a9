//! What the ward record does for a device whose answers get lost, on SQLite and
//! PostgreSQL: a retried mutation hears its first outcome (a conflict with its fields, a
//! refusal with its reason), two batches of one device sent at once both apply, every
//! coordinate comes back to the last digit, and pull tells a device which requests left
//! its person's view. (The seeded simulations of whole days under faults are in sim/ and
//! tools/faults.)

mod common;

use std::sync::Arc;

use koe_core::sync::Outcome;
use koe_core::{EditableField, FieldValue, Mutation, MutationKind, PullResponse, RequestRecord};
use uuid::Uuid;

use common::{applied, both, create, new_request, set_fields, TestApp};

both!(
    a_retried_conflict_hears_its_fields_again,
    a_retried_refusal_hears_its_reason_again,
    two_batches_of_one_device_at_once_both_apply,
    coordinates_come_back_to_the_last_digit,
    pull_says_which_requests_left_the_view,
    a_ward_record_upgraded_from_the_high_water_mark_replays_what_it_applied,
);

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

fn edit(id: u64, kind: MutationKind) -> Mutation {
    Mutation {
        id,
        author: None,
        kind,
    }
}

async fn a_retried_conflict_hears_its_fields_again(t: TestApp) {
    let road = t.sign_in("road01").await;
    let clerk = t.sign_in("clerk01").await;
    let device = Uuid::new_v4();
    let req = new_request("road-pothole", "段差");
    let v = applied(
        &t.push(&road, device, &[create(1, req.clone())])
            .await
            .outcomes[0]
            .outcome,
    );
    // The office changes the title; the inspector, from version v, too.
    let office = [edit(
        1,
        set_fields(req.id, v, vec![FieldValue::Title("区の件名".into())]),
    )];
    applied(&t.push(&clerk, Uuid::new_v4(), &office).await.outcomes[0].outcome);
    let mine = [edit(
        2,
        set_fields(req.id, v, vec![FieldValue::Title("私の件名".into())]),
    )];
    let first = t.push(&road, device, &mine).await;
    assert!(matches!(
        &first.outcomes[0].outcome,
        Outcome::Conflict { fields, .. } if fields == &[EditableField::Title]
    ));
    // Its answer was lost: the retry hears the same conflict, and nothing is stored twice.
    let again = t.push(&road, device, &mine).await;
    assert_eq!(again.outcomes, first.outcomes);
    let stored = t.store.request_by_id(req.id).await.unwrap().unwrap();
    assert_eq!(stored.conflicts.len(), 1, "{:?}", stored.conflicts);
    assert_eq!(t.store.history(req.id).await.unwrap().len(), 3);
}

async fn a_retried_refusal_hears_its_reason_again(t: TestApp) {
    let road = t.sign_in("road01").await;
    let device = Uuid::new_v4();
    let mut req = new_request("road-pothole", "段差");
    req.contact.phone = Some("電話は後で".into());
    let batch = [create(1, req.clone())];
    let first = t.push(&road, device, &batch).await;
    let Outcome::Rejected { code, message } = &first.outcomes[0].outcome else {
        panic!("refused: {first:?}");
    };
    assert_eq!(code, "bad_phone");
    let again = t.push(&road, device, &batch).await;
    assert_eq!(
        again.outcomes, first.outcomes,
        "the same reason, not a bare duplicate"
    );
    assert!(message.ja.contains("電話"), "{message}");
    // Corrected, it goes as a new mutation and is stored.
    req.contact.phone = Some("044-123-4567".into());
    applied(
        &t.push(&road, device, &[create(2, req.clone())])
            .await
            .outcomes[0]
            .outcome,
    );
    assert_eq!(t.store.request_count().await.unwrap(), 1);
}

async fn two_batches_of_one_device_at_once_both_apply(t: TestApp) {
    let t = Arc::new(t);
    let road = t.sign_in("road01").await;
    let device = Uuid::new_v4();
    let batch = |from: u64| -> Vec<Mutation> {
        (from..from + 50)
            .map(|i| create(i, new_request("road-drain", &format!("側溝 {i}"))))
            .collect()
    };
    let (a, b) = (batch(1), batch(51));
    let (ta, tb) = (t.clone(), t.clone());
    let (ra, rb) = (road.clone(), road.clone());
    let first = tokio::spawn(async move { ta.push(&ra, device, &a).await });
    let second = tokio::spawn(async move { tb.push(&rb, device, &b).await });
    for answer in [first.await.unwrap(), second.await.unwrap()] {
        assert_eq!(answer.outcomes.len(), 50);
        for o in &answer.outcomes {
            applied(&o.outcome);
        }
    }
    assert_eq!(
        t.store.request_count().await.unwrap(),
        100,
        "neither batch was taken for the other"
    );
}

async fn coordinates_come_back_to_the_last_digit(t: TestApp) {
    let road = t.sign_in("road01").await;
    let mut req = new_request("road-pothole", "座標");
    req.place.lat = Some(35.599_712_345_678_91);
    req.place.lon = Some(139.611_309_346_533_37);
    req.place.accuracy_m = Some(7.123_456_789_012_345);
    // The wire text, as a device's JSON sends it: every digit must survive.
    let body = serde_json::to_string(&koe_core::PushRequest {
        client_id: Uuid::new_v4(),
        mutations: vec![create(1, req.clone())],
    })
    .unwrap();
    assert!(body.contains("139.61130934653337"), "{body}");
    let a = t
        .call(
            axum::http::Method::POST,
            "/api/sync/push",
            Some(&road),
            Some("application/json"),
            body.into_bytes(),
        )
        .await;
    assert!(a.status.is_success(), "{}", a.text());
    let back = pull(&t, &road, 0).await;
    let got: &RequestRecord = back.requests.iter().find(|r| r.id == req.id).unwrap();
    assert_eq!(got.place.as_ref(), Some(&req.place));
    let text = String::from_utf8(t.get("/api/sync/pull?cursor=0", Some(&road)).await.body).unwrap();
    assert!(text.contains("139.61130934653337"), "{text}");
}

async fn pull_says_which_requests_left_the_view(t: TestApp) {
    let road = t.sign_in("road01").await;
    let park = t.sign_in("park01").await;
    let clerk = t.sign_in("clerk01").await;
    let office = Uuid::new_v4();
    let mut n = 0;
    let mut decide = |id: Uuid, base: i64, value: FieldValue| {
        n += 1;
        edit(n, set_fields(id, base, vec![value]))
    };
    let req = new_request("road-pothole", "段差");
    let other = new_request("road-drain", "側溝");
    let v = applied(
        &t.push(
            &road,
            Uuid::new_v4(),
            &[create(1, req.clone()), create(2, other.clone())],
        )
        .await
        .outcomes[0]
            .outcome,
    );
    // Routed to parks: the park inspector pulls it.
    let m = decide(req.id, v, FieldValue::Section("park".into()));
    let v = applied(&t.push(&clerk, office, &[m]).await.outcomes[0].outcome);
    let seen = pull(&t, &park, 0).await;
    assert!(seen.requests.iter().any(|r| r.id == req.id));
    assert!(seen.gone.is_empty());
    let cursor = seen.cursor;
    // Routed back to roads: it left the park inspector's view, and the pull says so.
    let m = decide(req.id, v, FieldValue::Section("road".into()));
    let v = applied(&t.push(&clerk, office, &[m]).await.outcomes[0].outcome);
    let later = pull(&t, &park, cursor).await;
    assert_eq!(later.gone, [req.id]);
    assert!(later.requests.iter().all(|r| r.id != req.id));
    // Shared with parks, then no longer: gone again. The inspector who logged it never
    // loses it, and a request moved between sections the park inspector never had is
    // not theirs to hear about.
    let m = decide(req.id, v, FieldValue::SharedWith(vec!["park".into()]));
    let v = applied(&t.push(&clerk, office, &[m]).await.outcomes[0].outcome);
    let shared = pull(&t, &park, later.cursor).await;
    assert!(shared.requests.iter().any(|r| r.id == req.id));
    let m = decide(req.id, v, FieldValue::SharedWith(vec![]));
    t.push(&clerk, office, &[m]).await;
    let o = decide(other.id, 0, FieldValue::Section("community".into()));
    let _ = t.push(&clerk, office, &[o]).await;
    let unshared = pull(&t, &park, shared.cursor).await;
    assert_eq!(unshared.gone, [req.id]);
    let mine = pull(&t, &road, 0).await;
    assert!(mine.gone.is_empty());
    assert!(mine.requests.iter().any(|r| r.id == req.id));
}

/// A ward record that applied mutations before outcomes were kept (schema 7) is upgraded:
/// migration 8 takes each applied mutation's outcome from the history, so a device that
/// retries one after the upgrade hears "applied" at its version, and nothing is doubled.
async fn a_ward_record_upgraded_from_the_high_water_mark_replays_what_it_applied(t: TestApp) {
    use sqlx::Connection;
    let road = t.sign_in("road01").await;
    let device = Uuid::new_v4();
    let req = new_request("road-pothole", "段差");
    let batch = [create(1, req.clone())];
    let first = t.push(&road, device, &batch).await;
    let version = applied(&first.outcomes[0].outcome);
    // Back to schema 7: no outcomes kept, no last user of a device.
    sqlx::any::install_default_drivers();
    let mut db = sqlx::AnyConnection::connect(&t.url).await.unwrap();
    for sql in [
        "DROP TABLE mutation_outcomes",
        "ALTER TABLE devices DROP COLUMN last_staff_id",
        "DELETE FROM schema_migrations WHERE version = 8",
    ] {
        sqlx::query(sql).execute(&mut db).await.unwrap();
    }
    let _ = db.close().await;
    // The upgraded ward record starts (connecting migrates) and the device retries.
    let upgraded = t.another_instance(2).await;
    let again = upgraded.push(&road, device, &batch).await;
    assert_eq!(again.outcomes[0].outcome, Outcome::Applied { version });
    assert_eq!(upgraded.store.request_count().await.unwrap(), 1);
    assert_eq!(upgraded.store.history(req.id).await.unwrap().len(), 1);
}
