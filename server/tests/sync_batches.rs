//! A push applied in batches of one transaction, its answer carrying the requests it
//! touched, and a pull that leaves out what the device took with that answer
//! (`mine_from`), on SQLite and PostgreSQL. Also the answers' compression and the
//! catalogue's `ETag`.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use koe_core::sync::Outcome;
use koe_core::{FieldValue, Mutation, MutationKind, PullResponse, SyncNews};
use uuid::Uuid;

use common::{applied, both, create, new_request, set_fields, Answer, TestApp};

both!(
    a_check_that_reads_a_request_of_the_batch_sees_what_the_batch_did,
    the_push_answer_carries_each_touched_request_as_a_pull_would_bring_it,
    a_pull_leaves_out_the_devices_own_changes_from_mine_from_on,
    a_big_push_applies_every_mutation_once_and_a_retry_changes_nothing,
    answers_are_compressed_but_the_sign_in_is_not,
    the_catalogue_is_sent_again_only_when_it_changed,
);

fn edit(id: u64, kind: MutationKind) -> Mutation {
    Mutation {
        id,
        author: None,
        kind,
    }
}

async fn pull(t: &TestApp, cookie: &str, query: &str) -> PullResponse {
    let a = t
        .get(&format!("/api/sync/pull?limit=500&{query}"), Some(cookie))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    serde_json::from_slice(&a.body).unwrap()
}

fn ids(page: &PullResponse) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = page.requests.iter().map(|r| r.id).collect();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<Uuid>) -> Vec<Uuid> {
    ids.sort();
    ids
}

/// A welfare consultation created and, in the same push, given to someone who may not
/// read it: the check of the assignee must see the request the batch just created (a
/// check made before the batch committed would find no request and let it through).
async fn a_check_that_reads_a_request_of_the_batch_sees_what_the_batch_did(t: TestApp) {
    let head = t.sign_in("welfarehead01").await;
    let device = Uuid::new_v4();
    let case = new_request("welfare-elderly", "見守りの相談");
    let pothole = new_request("road-pothole", "段差");
    let answer = t
        .push(
            &head,
            device,
            &[
                create(1, case.clone()),
                edit(
                    2,
                    set_fields(
                        case.id,
                        1,
                        vec![FieldValue::Assignee(Some("clerk01".into()))],
                    ),
                ),
                create(3, pothole.clone()),
                edit(
                    4,
                    set_fields(pothole.id, 1, vec![FieldValue::DuplicateOf(Some(case.id))]),
                ),
            ],
        )
        .await;
    let outcomes: Vec<&Outcome> = answer.outcomes.iter().map(|o| &o.outcome).collect();
    applied(outcomes[0]);
    assert!(
        matches!(outcomes[1], Outcome::Rejected { code, .. } if code == "assignee_may_not_read"),
        "{:?}",
        outcomes[1]
    );
    applied(outcomes[2]);
    // The original named was created in the same push and is found.
    assert!(
        !matches!(outcomes[3], Outcome::Rejected { code, .. } if code == "unknown_original"),
        "{:?}",
        outcomes[3]
    );
    let case_now = answer.records.iter().find(|r| r.id == case.id).unwrap();
    assert_eq!(case_now.assignee, None);
}

async fn the_push_answer_carries_each_touched_request_as_a_pull_would_bring_it(t: TestApp) {
    let welfare = t.sign_in("welfare01").await;
    let clerk = t.sign_in("clerk01").await;
    let (field, office) = (Uuid::new_v4(), Uuid::new_v4());
    let case = new_request("welfare-elderly", "一人暮らしの父の様子");
    let answer = t.push(&welfare, field, &[create(1, case.clone())]).await;
    let v = applied(&answer.outcomes[0].outcome);
    assert_eq!(answer.records.len(), 1);
    assert_eq!(answer.records[0].version, v);
    assert_eq!(
        answer.records[0].title.as_deref(),
        Some("一人暮らしの父の様子")
    );
    // What the author's pull brings, exactly.
    let page = pull(&t, &welfare, "cursor=0").await;
    assert_eq!(page.requests, answer.records);

    // An office clerk outside welfare sees it redacted: a note of theirs is refused, and
    // the answer carries the request redacted, as their pull does, never its details.
    let note = edit(
        1,
        MutationKind::AddNote {
            request_id: case.id,
            note_id: Uuid::new_v4(),
            text: "確認".into(),
        },
    );
    let answer = t.push(&clerk, office, &[note]).await;
    assert!(matches!(
        answer.outcomes[0].outcome,
        Outcome::Rejected { .. }
    ));
    let pulled = pull(&t, &clerk, "cursor=0").await;
    let theirs = pulled.requests.iter().find(|r| r.id == case.id).unwrap();
    assert_eq!(answer.records, vec![theirs.clone()]);
    assert!(
        !answer.records[0]
            .title
            .as_deref()
            .unwrap_or("")
            .contains("父"),
        "{:?}",
        answer.records[0]
    );

    // A road inspector does not see it at all: nothing comes back for it.
    let road = t.sign_in("road01").await;
    let peek = edit(
        1,
        MutationKind::AddNote {
            request_id: case.id,
            note_id: Uuid::new_v4(),
            text: "見えますか".into(),
        },
    );
    let answer = t.push(&road, Uuid::new_v4(), &[peek]).await;
    assert!(answer.records.is_empty(), "{:?}", answer.records);
    // A create refused: nothing stored, nothing carried.
    let mut bad = new_request("road-pothole", "x");
    bad.category = "no-such-category".into();
    let answer = t.push(&road, Uuid::new_v4(), &[create(1, bad)]).await;
    assert!(matches!(
        answer.outcomes[0].outcome,
        Outcome::Rejected { .. }
    ));
    assert!(answer.records.is_empty());
}

async fn a_pull_leaves_out_the_devices_own_changes_from_mine_from_on(t: TestApp) {
    let road = t.sign_in("road01").await;
    let clerk = t.sign_in("clerk01").await;
    let (device, other_device, office) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let requests: Vec<_> = (0..3)
        .map(|i| new_request("road-pothole", &format!("穴 {i}")))
        .collect();
    let mutations: Vec<Mutation> = requests
        .iter()
        .enumerate()
        .map(|(i, r)| create(11 + i as u64, r.clone()))
        .collect();
    let answer = t.push(&road, device, &mutations).await;
    let all = sorted(requests.iter().map(|r| r.id).collect());
    assert_eq!(sorted(answer.records.iter().map(|r| r.id).collect()), all);

    let mine = format!("cursor=0&client_id={device}");
    // Without mine_from, or from a mutation after them, everything comes.
    assert_eq!(ids(&pull(&t, &road, &mine).await), all);
    assert_eq!(
        ids(&pull(&t, &road, &format!("{mine}&mine_from=14")).await),
        all
    );
    // From the first of them on: nothing to bring, and the cursor still moves to the end.
    let page = pull(&t, &road, &format!("{mine}&mine_from=11")).await;
    assert!(page.requests.is_empty(), "{:?}", ids(&page));
    assert!(!page.has_more);
    let end = page.cursor;
    let full = pull(&t, &road, &mine).await;
    assert_eq!(page.cursor, full.cursor);
    // From the second on: the first is brought (its answer was taken before mine_from).
    assert_eq!(
        ids(&pull(&t, &road, &format!("{mine}&mine_from=12")).await),
        vec![requests[0].id]
    );
    // Another device of the same person, or another person on this device, gets them all.
    let other = format!("cursor=0&client_id={other_device}&mine_from=11");
    assert_eq!(ids(&pull(&t, &road, &other).await), all);
    let someone_else = pull(&t, &clerk, &format!("{mine}&mine_from=11")).await;
    for id in &all {
        assert!(someone_else.requests.iter().any(|r| r.id == *id));
    }

    // The office answers the first: that change is not the device's, so it comes.
    let v = applied(&answer.outcomes[0].outcome);
    let reply = edit(
        1,
        set_fields(
            requests[0].id,
            v,
            vec![FieldValue::Response("補修します".into())],
        ),
    );
    applied(&t.push(&clerk, office, &[reply]).await.outcomes[0].outcome);
    let page = pull(
        &t,
        &road,
        &format!("cursor={end}&client_id={device}&mine_from=11"),
    )
    .await;
    assert_eq!(ids(&page), vec![requests[0].id]);
    assert_eq!(page.requests[0].response.as_deref(), Some("補修します"));
    let end = page.cursor;

    // The news follows the same rule.
    let news = |query: String| {
        let t = &t;
        let road = road.clone();
        async move {
            let a = t.get(&format!("/api/sync/news?{query}"), Some(&road)).await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.text());
            serde_json::from_slice::<SyncNews>(&a.body).unwrap().changed
        }
    };
    let fourth = new_request("road-pothole", "穴 3");
    t.push(&road, device, &[create(14, fourth)]).await;
    assert!(news(format!("cursor={end}&client_id={device}")).await);
    assert!(!news(format!("cursor={end}&client_id={device}&mine_from=14")).await);

    // A cursor from elsewhere (a restore): the snapshot brings everything, mine_from or not.
    let other_ward = koe_server::cursor::seal(b"another ward record", 1);
    let reset = pull(
        &t,
        &road,
        &format!("cursor={other_ward}&client_id={device}&mine_from=1"),
    )
    .await;
    assert!(reset.reset);
    assert_eq!(reset.requests.len(), 4);

    // A mine_from that is not a number is refused with a reason.
    let a = t
        .get(
            &format!("/api/sync/pull?cursor=0&client_id={device}&mine_from=abc"),
            Some(&road),
        )
        .await;
    a.assert_error(StatusCode::BAD_REQUEST, "bad_mine_from");
}

/// 500 mutations in one push (the most there may be): every one applied once, numbered
/// in order; the same push again (its answer lost) applies nothing more and answers the
/// same.
async fn a_big_push_applies_every_mutation_once_and_a_retry_changes_nothing(t: TestApp) {
    let road = t.sign_in("road01").await;
    let device = Uuid::new_v4();
    let before = t.store.request_count().await.unwrap();
    let mutations: Vec<Mutation> = (1..=500)
        .map(|i| create(i, new_request("road-pothole", &format!("穴 {i}"))))
        .collect();
    let first = t.push(&road, device, &mutations).await;
    let versions: Vec<i64> = first.outcomes.iter().map(|o| applied(&o.outcome)).collect();
    assert!(
        versions.windows(2).all(|w| w[0] < w[1]),
        "in mutation order"
    );
    assert_eq!(first.records.len(), 500);
    assert_eq!(t.store.request_count().await.unwrap(), before + 500);
    let again = t.push(&road, device, &mutations).await;
    assert_eq!(again.outcomes, first.outcomes);
    assert_eq!(t.store.request_count().await.unwrap(), before + 500);
    // One number twice in one push: the same change is applied once and answered alike;
    // another change under the same number is refused, and nothing of it is stored.
    let twice = create(600, new_request("road-pothole", "二度"));
    let other = create(600, new_request("road-pothole", "別の内容"));
    let a = t
        .push(&road, device, &[twice.clone(), twice.clone(), other])
        .await;
    let v = applied(&a.outcomes[0].outcome);
    assert_eq!(applied(&a.outcomes[1].outcome), v);
    assert!(
        matches!(&a.outcomes[2].outcome, Outcome::Rejected { code, .. } if code == "reused_mutation_id"),
        "{:?}",
        a.outcomes[2]
    );
    assert_eq!(t.store.request_count().await.unwrap(), before + 501);
    // One more than the most is refused whole.
    let mut too_many = mutations.clone();
    too_many.push(create(501, new_request("road-pothole", "多すぎ")));
    let a = t
        .post(
            "/api/sync/push",
            Some(&road),
            &serde_json::json!({"client_id": device, "mutations": too_many}),
        )
        .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text());
    assert_eq!(t.store.request_count().await.unwrap(), before + 501);
}

async fn call_with(
    t: &TestApp,
    method: Method,
    path: &str,
    cookie: Option<&str>,
    headers: &[(header::HeaderName, &str)],
    body: Option<serde_json::Value>,
) -> Answer {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    for (name, value) in headers {
        req = req.header(name, *value);
    }
    let body = match body {
        Some(v) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(serde_json::to_vec(&v).unwrap())
        }
        None => Body::empty(),
    };
    t.answer(req.body(body).unwrap()).await
}

async fn answers_are_compressed_but_the_sign_in_is_not(t: TestApp) {
    let road = t.sign_in("road01").await;
    let mutations: Vec<Mutation> = (1..=50)
        .map(|i| create(i, new_request("road-pothole", &format!("穴 {i}"))))
        .collect();
    t.push(&road, Uuid::new_v4(), &mutations).await;
    let br = [(header::ACCEPT_ENCODING, "br, gzip")];
    let plain = t
        .get("/api/sync/pull?cursor=0&limit=500", Some(&road))
        .await;
    let a = call_with(
        &t,
        Method::GET,
        "/api/sync/pull?cursor=0&limit=500",
        Some(&road),
        &br,
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers[header::CONTENT_ENCODING], "br");
    assert!(
        a.body.len() * 4 < plain.body.len(),
        "{} compressed of {}",
        a.body.len(),
        plain.body.len()
    );
    let gzip = [(header::ACCEPT_ENCODING, "gzip")];
    let a = call_with(&t, Method::GET, "/api/catalogue", Some(&road), &gzip, None).await;
    assert_eq!(a.headers[header::CONTENT_ENCODING], "gzip");
    // The sign-in's answer carries the device key: never compressed.
    let a = call_with(
        &t,
        Method::POST,
        "/api/session",
        None,
        &br,
        Some(serde_json::json!({
            "staff_id": "park01",
            "password": common::PASSWORD,
            "client_id": Uuid::new_v4(),
        })),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert!(a.headers.get(header::CONTENT_ENCODING).is_none());
}

async fn the_catalogue_is_sent_again_only_when_it_changed(t: TestApp) {
    let road = t.sign_in("road01").await;
    let first = t.get("/api/catalogue", Some(&road)).await;
    assert_eq!(first.status, StatusCode::OK);
    let tag = first.headers[header::ETAG].to_str().unwrap().to_string();
    assert!(tag.starts_with('"') && tag.ends_with('"'), "{tag}");
    let same = [(header::IF_NONE_MATCH, tag.as_str())];
    let again = call_with(&t, Method::GET, "/api/catalogue", Some(&road), &same, None).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.headers[header::ETAG], tag.as_str());
    // Signed out, the tag tells nothing: the session is asked first.
    let a = call_with(&t, Method::GET, "/api/catalogue", None, &same, None).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    // An administrator changes it: the old tag gets the new catalogue.
    let admin = t.sign_in("admin01").await;
    let a = t
        .post(
            "/api/admin/sections",
            Some(&admin),
            &serde_json::json!({
                "code": "bridges", "department": "shimin",
                "name_ja": "橋りょう係", "name_en": "Bridges", "welfare": false
            }),
        )
        .await;
    assert!(a.status.is_success(), "{}", a.text());
    let changed = call_with(&t, Method::GET, "/api/catalogue", Some(&road), &same, None).await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_ne!(changed.headers[header::ETAG], tag.as_str());
    assert!(changed.text().contains("橋りょう係"));
}
