//! Edits after logging and settling a conflict, through the API, on SQLite and
//! PostgreSQL: the inspector's offline edit loses to the office's, the request keeps both
//! values for review, and the inspector settles it by keeping either value — edited from
//! the version pulled, their own conflict entry is withdrawn; others' entries and the
//! review flag (the office's decision) stay.

mod common;

use axum::http::StatusCode;
use koe_core::sync::Outcome;
use koe_core::{
    Contact, EditableField, FieldEdit, FieldValue, Mutation, MutationKind, NewRequest, Place,
    PullResponse, RequestRecord, Urgency,
};
use serde_json::json;
use uuid::Uuid;

use common::{both, create, request_id_at, TestApp};

both!(
    keeping_mine_applies_it_and_withdraws_my_conflict,
    keeping_theirs_withdraws_my_conflict_and_keeps_their_value,
    an_edit_from_the_version_pulled_applies_beside_an_office_change_of_another_field,
    nobody_else_settles_my_conflict,
);

impl TestApp {
    /// The request as `cookie`'s device pulls it (what a device edits from).
    async fn pulled(&self, cookie: &str, id: Uuid) -> RequestRecord {
        let a = self
            .get("/api/sync/pull?cursor=0&limit=500", Some(cookie))
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        let page: PullResponse = serde_json::from_slice(&a.body).expect("PullResponse");
        page.requests
            .into_iter()
            .find(|r| r.id == id)
            .expect("pulled")
    }
}

fn pothole() -> NewRequest {
    let now = koe_server::now_ms();
    NewRequest {
        id: request_id_at(now),
        category: "road-pothole".into(),
        title: "歩道の段差".into(),
        description: "段差が5cmほど".into(),
        place: Place {
            address: "高津区下作延2-8".into(),
            ..Place::default()
        },
        urgency: Urgency::Medium,
        logged_at: now,
        contact: Contact::default(),
    }
}

fn set(id: u64, request_id: Uuid, value: FieldValue, base_version: i64) -> Mutation {
    Mutation {
        author: None,
        id,
        kind: MutationKind::SetFields {
            request_id,
            edits: vec![FieldEdit {
                value,
                base_version,
            }],
        },
    }
}

fn title(t: &str) -> FieldValue {
    FieldValue::Title(t.into())
}

/// road01 logs a request from its device (seen at `seen`); clerk01 retitles it; road01's
/// offline title edit (from `seen`) loses. Returns (request id, road01's cookie, device).
async fn conflict(t: &TestApp) -> (Uuid, String, Uuid, i64) {
    let road = t.sign_in("road01").await;
    let clerk = t.sign_in("clerk01").await;
    let device = Uuid::new_v4();
    let req = pothole();
    let id = req.id;
    t.push(&road, device, &[create(1, req)]).await;
    let seen = t.pulled(&road, id).await.version;
    let office = t
        .push(
            &clerk,
            Uuid::new_v4(),
            &[set(1, id, title("区道の段差（補修対象）"), seen)],
        )
        .await;
    assert!(
        matches!(office.outcomes[0].outcome, Outcome::Applied { .. }),
        "{office:?}"
    );
    let lost = t
        .push(&road, device, &[set(2, id, title("車道側の段差"), seen)])
        .await;
    let Outcome::Conflict { version, fields } = &lost.outcomes[0].outcome else {
        panic!("a conflict: {lost:?}");
    };
    assert_eq!(fields, &[EditableField::Title]);
    let record = t.detail(&road, id).await.request;
    assert_eq!(record.title.as_deref(), Some("区道の段差（補修対象）"));
    assert!(record.needs_review);
    assert_eq!(record.conflicts.len(), 1);
    assert_eq!(record.conflicts[0].device_value, json!("車道側の段差"));
    assert_eq!(record.conflicts[0].by, "road01");
    (id, road, device, *version)
}

async fn keeping_mine_applies_it_and_withdraws_my_conflict(t: TestApp) {
    let (id, road, device, _) = conflict(&t).await;
    // The device pulled after the conflict: it edits from that version.
    let base = t.pulled(&road, id).await.version;
    let kept = t
        .push(&road, device, &[set(3, id, title("車道側の段差"), base)])
        .await;
    let Outcome::Applied { version } = kept.outcomes[0].outcome else {
        panic!("applied: {kept:?}");
    };
    assert!(version > base);
    let d = t.detail(&road, id).await;
    assert_eq!(d.request.title.as_deref(), Some("車道側の段差"));
    assert!(d.request.conflicts.is_empty());
    // Whether it still needs review is the office's decision.
    assert!(d.request.needs_review);
    // The office sees the same, and the history keeps every step.
    let clerk = t.sign_in("clerk01").await;
    let office_view = t.detail(&clerk, id).await;
    assert_eq!(office_view.request.title.as_deref(), Some("車道側の段差"));
    assert!(office_view.request.conflicts.is_empty());
    let kinds: Vec<_> = office_view
        .history
        .iter()
        .map(|h| (h.kind.as_str(), h.by.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("create_request", "road01"),
            ("set_fields", "clerk01"),
            ("set_fields", "road01"),
            ("set_fields", "road01"),
        ]
    );
    // The devices pull the change.
    assert_eq!(t.pulled(&clerk, id).await.version, version);
}

async fn keeping_theirs_withdraws_my_conflict_and_keeps_their_value(t: TestApp) {
    let (id, road, device, _) = conflict(&t).await;
    let pulled = t.pulled(&road, id).await;
    let theirs = pulled.title.clone().expect("title");
    let kept = t
        .push(&road, device, &[set(3, id, title(&theirs), pulled.version)])
        .await;
    let Outcome::Applied { version } = kept.outcomes[0].outcome else {
        panic!("applied: {kept:?}");
    };
    assert!(
        version > pulled.version,
        "the withdrawal is a change devices pull"
    );
    let d = t.detail(&road, id).await;
    assert_eq!(d.request.title.as_deref(), Some("区道の段差（補修対象）"));
    assert!(d.request.conflicts.is_empty());
    assert!(d.request.needs_review);
}

async fn an_edit_from_the_version_pulled_applies_beside_an_office_change_of_another_field(
    t: TestApp,
) {
    let road = t.sign_in("road01").await;
    let clerk = t.sign_in("clerk01").await;
    let device = Uuid::new_v4();
    let req = pothole();
    let id = req.id;
    t.push(&road, device, &[create(1, req)]).await;
    let seen = t.pulled(&road, id).await.version;
    t.push(
        &clerk,
        Uuid::new_v4(),
        &[set(1, id, FieldValue::Urgency(Urgency::Urgent), seen)],
    )
    .await;
    // The inspector edited the title offline from the version seen before the office's
    // change of the urgency: no conflict, both stand.
    let r = t
        .push(&road, device, &[set(2, id, title("車道側の段差"), seen)])
        .await;
    assert!(
        matches!(r.outcomes[0].outcome, Outcome::Applied { .. }),
        "{r:?}"
    );
    let d = t.detail(&road, id).await.request;
    assert_eq!(d.title.as_deref(), Some("車道側の段差"));
    assert_eq!(d.urgency, Urgency::Urgent);
    assert!(d.conflicts.is_empty() && !d.needs_review);
}

async fn nobody_else_settles_my_conflict(t: TestApp) {
    let (id, road, _, _) = conflict(&t).await;
    // A field colleague of another section may not edit it at all.
    let park = t.sign_in("park01").await;
    let base = t.pulled(&road, id).await.version;
    let r = t
        .push(&park, Uuid::new_v4(), &[set(1, id, title("公園側"), base)])
        .await;
    assert!(
        matches!(&r.outcomes[0].outcome, Outcome::Rejected { .. }),
        "{r:?}"
    );
    // The office editing the title again does not withdraw the inspector's entry: it
    // stays for review.
    let clerk = t.sign_in("clerk01").await;
    let r = t
        .push(
            &clerk,
            Uuid::new_v4(),
            &[set(1, id, title("区道の段差"), base)],
        )
        .await;
    assert!(
        matches!(r.outcomes[0].outcome, Outcome::Applied { .. }),
        "{r:?}"
    );
    let d = t.detail(&road, id).await.request;
    assert_eq!(d.title.as_deref(), Some("区道の段差"));
    assert_eq!(d.conflicts.len(), 1);
    assert_eq!(d.conflicts[0].by, "road01");
    // Review (office) clears the list.
    let base = t.pulled(&clerk, id).await.version;
    t.push(
        &clerk,
        Uuid::new_v4(),
        &[set(1, id, FieldValue::NeedsReview(false), base)],
    )
    .await;
    let d = t.detail(&road, id).await.request;
    assert!(d.conflicts.is_empty() && !d.needs_review);
}
