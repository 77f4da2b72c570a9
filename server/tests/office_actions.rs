//! The office's actions on a request (route, share, assign, status, response, notes,
//! duplicate, refer, review), who may take them, the staff directory and duplicate
//! suggestions — on SQLite and PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use koe_core::api::RequestDetail;
use koe_core::directory::StaffEntry;
use koe_core::duplicates::DuplicateCandidate;
use koe_core::sync::Outcome;
use koe_core::{
    Contact, FieldValue, Mutation, MutationKind, NewRequest, Place, PullResponse, RequestRecord,
    Status, Urgency,
};
use serde_json::json;
use uuid::Uuid;

use common::{applied, both, request_id_at, set_fields, TestApp};

both!(
    each_office_action_is_applied_and_in_history,
    refer_elsewhere_and_mark_duplicate,
    conflicts_are_reviewed_by_the_office,
    field_worker_cannot_route_assign_or_set_status,
    wrong_transitions_are_rejected_with_core_message,
    park_head_cannot_read_welfare_details,
    duplicates_follow_group_and_distance,
    duplicates_respect_who_may_read,
    staff_directory_is_for_the_office,
    push_answers_tell_no_ids_apart,
);

// ---------------------------------------------------------------------------------
// Helpers

/// Near 高津区役所; 0.0001° of latitude is about 11 m.
const LAT: f64 = 35.5897;
const LON: f64 = 139.6156;

fn request_at(category: &str, title: &str, fix: Option<(f64, f64)>, address: &str) -> NewRequest {
    let now = koe_server::now_ms();
    NewRequest {
        id: request_id_at(now),
        category: category.into(),
        title: title.into(),
        description: "区民の方から電話".into(),
        place: Place {
            lat: fix.map(|f| f.0),
            lon: fix.map(|f| f.1),
            accuracy_m: fix.map(|_| 8.0),
            address: address.into(),
            landmark: String::new(),
        },
        urgency: Urgency::High,
        logged_at: now,
        contact: Contact {
            name: Some("山田 花子".into()),
            phone: Some("044-000-0000".into()),
            email: None,
            consent_to_contact: true,
        },
    }
}

/// One staff member's device: signs in, pushes with rising mutation ids.
struct Device {
    cookie: String,
    client: Uuid,
    next: u64,
}

impl Device {
    async fn of(t: &TestApp, staff_id: &str) -> Self {
        Self {
            cookie: t.sign_in(staff_id).await,
            client: Uuid::new_v4(),
            next: 1,
        }
    }

    async fn push(&mut self, t: &TestApp, kind: MutationKind) -> Outcome {
        let m = Mutation {
            author: None,
            id: self.next,
            kind,
        };
        self.next += 1;
        let r = t.push(&self.cookie, self.client, &[m]).await;
        r.outcomes[0].outcome.clone()
    }

    async fn create(&mut self, t: &TestApp, request: &NewRequest) -> i64 {
        let o = self
            .push(
                t,
                MutationKind::CreateRequest {
                    request: request.clone(),
                },
            )
            .await;
        applied(&o)
    }

    /// Sets fields from `base`, as the office's panel does.
    async fn set(&mut self, t: &TestApp, id: Uuid, base: i64, values: Vec<FieldValue>) -> Outcome {
        self.push(t, set_fields(id, base, values)).await
    }

    async fn note(&mut self, t: &TestApp, id: Uuid, text: &str) -> Outcome {
        self.push(
            t,
            MutationKind::AddNote {
                request_id: id,
                note_id: Uuid::new_v4(),
                text: text.into(),
            },
        )
        .await
    }

    async fn detail(&self, t: &TestApp, id: Uuid) -> RequestDetail {
        t.detail(&self.cookie, id).await
    }

    async fn pull_all(&self, t: &TestApp) -> Vec<RequestRecord> {
        let a = t
            .get("/api/sync/pull?cursor=0&limit=1000", Some(&self.cookie))
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        let p: PullResponse = serde_json::from_slice(&a.body).expect("PullResponse");
        assert!(!p.has_more);
        p.requests
    }

    async fn duplicates(&self, t: &TestApp, id: Uuid) -> Vec<DuplicateCandidate> {
        let a = t
            .get(
                &format!("/api/requests/{id}/duplicates"),
                Some(&self.cookie),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        serde_json::from_slice(&a.body).expect("Vec<DuplicateCandidate>")
    }
}

fn rejected(o: &Outcome) -> &str {
    match o {
        Outcome::Rejected { code, message } => {
            assert!(!message.ja.is_empty() && !message.en.is_empty());
            code
        }
        other => panic!("expected rejected, got {other:?}"),
    }
}

/// The `after` values of a request's set_fields history rows, in order.
fn afters(d: &RequestDetail) -> Vec<serde_json::Value> {
    d.history
        .iter()
        .filter(|h| h.kind == "set_fields")
        .map(|h| h.body["after"].clone())
        .collect()
}

// ---------------------------------------------------------------------------------
// Tests

async fn each_office_action_is_applied_and_in_history(t: TestApp) {
    let mut road = Device::of(&t, "road01").await;
    let mut clerk = Device::of(&t, "clerk01").await;
    let req = request_at(
        "road-pothole",
        "歩道の穴",
        Some((LAT, LON)),
        "高津区下作延2-8",
    );
    let v = road.create(&t, &req).await;

    // 担当課, 連携先, 担当者, 状態 — each its own mutation, as the panel sends them.
    let v = applied(
        &clerk
            .set(&t, req.id, v, vec![FieldValue::Section("road".into())])
            .await,
    );
    let v = applied(
        &clerk
            .set(
                &t,
                req.id,
                v,
                vec![FieldValue::SharedWith(vec!["park".into()])],
            )
            .await,
    );
    let v = applied(
        &clerk
            .set(
                &t,
                req.id,
                v,
                vec![FieldValue::Assignee(Some("head01".into()))],
            )
            .await,
    );
    let v = applied(
        &clerk
            .set(&t, req.id, v, vec![FieldValue::Status(Status::Routed)])
            .await,
    );
    let v = applied(
        &clerk
            .set(&t, req.id, v, vec![FieldValue::Status(Status::InProgress)])
            .await,
    );
    let v = applied(
        &clerk
            .set(
                &t,
                req.id,
                v,
                vec![FieldValue::Response("10月3日に補修しました。".into())],
            )
            .await,
    );
    let v_note = applied(&clerk.note(&t, req.id, "現地確認済み、業者手配").await);
    assert!(v_note > v);
    let v = applied(
        &clerk
            .set(
                &t,
                req.id,
                v_note,
                vec![FieldValue::Status(Status::Resolved)],
            )
            .await,
    );

    let d = clerk.detail(&t, req.id).await;
    assert_eq!(d.request.status, Status::Resolved);
    assert_eq!(d.request.version, v);
    assert_eq!(d.request.section, "road");
    assert_eq!(d.request.shared_with, ["park"]);
    assert_eq!(d.request.assignee.as_deref(), Some("head01"));
    assert_eq!(
        d.request.response.as_deref(),
        Some("10月3日に補修しました。")
    );
    assert_eq!(d.notes.len(), 1);
    assert_eq!(d.notes[0].by, "clerk01");
    // Every action is a history row by the clerk; "section: road" changed nothing (it
    // already was), so it is not a row.
    let after = afters(&d);
    assert_eq!(after.len(), 6, "{after:?}");
    assert_eq!(after[0]["shared_with"], json!(["park"]));
    assert_eq!(after[1]["assignee"], "head01");
    assert_eq!(after[2]["status"], "routed");
    assert_eq!(after[3]["status"], "in_progress");
    assert_eq!(after[4]["response"], "10月3日に補修しました。");
    assert_eq!(after[5]["status"], "resolved");
    assert!(d
        .history
        .iter()
        .any(|h| h.kind == "add_note" && h.body["text"] == "現地確認済み、業者手配"));
    assert!(d
        .history
        .iter()
        .filter(|h| h.kind != "create_request")
        .all(|h| h.by == "clerk01" && h.device == Some(clerk.client)));

    // The field worker who logged it sees it all after the next sync.
    let pulled = road.pull_all(&t).await;
    let mine = pulled.iter().find(|r| r.id == req.id).expect("pulled");
    assert_eq!(mine.status, Status::Resolved);
    assert_eq!(mine.assignee.as_deref(), Some("head01"));
    assert_eq!(mine.response.as_deref(), Some("10月3日に補修しました。"));
    assert_eq!(mine.shared_with, ["park"]);
    // Shared with parks (連携): park01 now sees it too.
    let park = Device::of(&t, "park01").await;
    assert!(park.pull_all(&t).await.iter().any(|r| r.id == req.id));
}

async fn refer_elsewhere_and_mark_duplicate(t: TestApp) {
    let mut road = Device::of(&t, "road01").await;
    let mut clerk = Device::of(&t, "clerk01").await;
    let original = request_at("road-pothole", "穴", Some((LAT, LON)), "");
    let copy = request_at("road-pothole", "同じ穴", Some((LAT, LON)), "");
    let elsewhere = request_at("road-obstruction", "国道の落下物", None, "国道246号");
    road.create(&t, &original).await;
    let vc = road.create(&t, &copy).await;
    let ve = road.create(&t, &elsewhere).await;

    // 重複 names the original in the same mutation.
    let o = clerk
        .set(
            &t,
            copy.id,
            vc,
            vec![
                FieldValue::DuplicateOf(Some(original.id)),
                FieldValue::Status(Status::Duplicate),
            ],
        )
        .await;
    applied(&o);
    let d = clerk.detail(&t, copy.id).await;
    assert_eq!(d.request.status, Status::Duplicate);
    assert_eq!(d.request.duplicate_of, Some(original.id));
    // A made-up original is refused.
    let o = clerk
        .set(
            &t,
            copy.id,
            d.request.version,
            vec![FieldValue::DuplicateOf(Some(Uuid::new_v4()))],
        )
        .await;
    assert_eq!(rejected(&o), "unknown_original");

    // 他機関へ回付, with a note of where.
    applied(
        &clerk
            .note(&t, elsewhere.id, "回付先: 国道事務所（国土交通省）")
            .await,
    );
    let d = clerk.detail(&t, elsewhere.id).await;
    let o = clerk
        .set(
            &t,
            elsewhere.id,
            d.request.version.max(ve),
            vec![FieldValue::Status(Status::Referred)],
        )
        .await;
    applied(&o);
    let d = clerk.detail(&t, elsewhere.id).await;
    assert_eq!(d.request.status, Status::Referred);
    assert_eq!(afters(&d).last().unwrap()["status"], "referred");
    assert!(d.notes[0].text.contains("国道事務所"));
}

async fn conflicts_are_reviewed_by_the_office(t: TestApp) {
    let mut road = Device::of(&t, "road01").await;
    let mut clerk = Device::of(&t, "clerk01").await;
    let req = request_at("road-drain", "側溝の詰まり", Some((LAT, LON)), "");
    let v1 = road.create(&t, &req).await;
    applied(
        &clerk
            .set(&t, req.id, v1, vec![FieldValue::Urgency(Urgency::Low)])
            .await,
    );
    // The field worker's edit from the old version loses and waits for review.
    let o = road
        .set(&t, req.id, v1, vec![FieldValue::Urgency(Urgency::Urgent)])
        .await;
    assert!(matches!(o, Outcome::Conflict { .. }), "{o:?}");
    let d = clerk.detail(&t, req.id).await;
    assert!(d.request.needs_review);
    assert_eq!(d.request.conflicts.len(), 1);
    // The field worker may not mark it reviewed; the office may.
    let o = road
        .set(
            &t,
            req.id,
            d.request.version,
            vec![FieldValue::NeedsReview(false)],
        )
        .await;
    assert_eq!(rejected(&o), "not_allowed");
    applied(
        &clerk
            .set(
                &t,
                req.id,
                d.request.version,
                vec![FieldValue::NeedsReview(false)],
            )
            .await,
    );
    let d = clerk.detail(&t, req.id).await;
    assert!(!d.request.needs_review);
    assert!(d.request.conflicts.is_empty());
    assert_eq!(afters(&d).last().unwrap()["needs_review"], false);
}

async fn field_worker_cannot_route_assign_or_set_status(t: TestApp) {
    let mut road = Device::of(&t, "road01").await;
    let req = request_at("road-pothole", "段差", Some((LAT, LON)), "");
    let v = road.create(&t, &req).await;
    for value in [
        FieldValue::Section("park".into()),
        FieldValue::SharedWith(vec!["park".into()]),
        FieldValue::Assignee(Some("road01".into())),
        FieldValue::Status(Status::Routed),
        FieldValue::Response("直しました".into()),
        FieldValue::DuplicateOf(None),
    ] {
        let o = road.set(&t, req.id, v, vec![value.clone()]).await;
        assert_eq!(rejected(&o), "not_allowed", "{value:?}");
    }
    // Nothing changed, and nothing is in the history but the create.
    let d = road.detail(&t, req.id).await;
    assert_eq!(d.request.status, Status::New);
    assert_eq!(d.request.assignee, None);
    assert_eq!(d.history.len(), 1);
    // A colleague who did not log it cannot either.
    let mut park = Device::of(&t, "park01").await;
    let o = park
        .set(&t, req.id, v, vec![FieldValue::Status(Status::Routed)])
        .await;
    assert!(
        ["not_allowed", "unknown_request"].contains(&rejected(&o)),
        "{o:?}"
    );
}

async fn wrong_transitions_are_rejected_with_core_message(t: TestApp) {
    let mut road = Device::of(&t, "road01").await;
    let mut clerk = Device::of(&t, "clerk01").await;
    let req = request_at("road-pothole", "段差", Some((LAT, LON)), "");
    let v = road.create(&t, &req).await;
    let o = clerk
        .set(&t, req.id, v, vec![FieldValue::Status(Status::Closed)])
        .await;
    match &o {
        Outcome::Rejected { code, message } => {
            assert_eq!(code, "transition_not_allowed");
            assert!(
                message.ja.contains("受付") && message.ja.contains("完了"),
                "{message:?}"
            );
            assert!(message.en.contains("New"), "{message:?}");
        }
        other => panic!("{other:?}"),
    }
    let v = applied(
        &clerk
            .set(&t, req.id, v, vec![FieldValue::Status(Status::InProgress)])
            .await,
    );
    // Resolving needs the response to the resident.
    let o = clerk
        .set(&t, req.id, v, vec![FieldValue::Status(Status::Resolved)])
        .await;
    assert_eq!(rejected(&o), "response_required");
    let o = clerk
        .set(&t, req.id, v, vec![FieldValue::Status(Status::Duplicate)])
        .await;
    assert_eq!(rejected(&o), "original_required");
    // Every refused status is one core's workflow does not offer.
    for s in Status::ALL {
        let offered = koe_core::workflow::next_statuses(Status::InProgress).contains(&s);
        // Its own status is "already held": nothing changes, nothing is refused.
        if !offered && s != Status::InProgress {
            let o = clerk.set(&t, req.id, v, vec![FieldValue::Status(s)]).await;
            assert_eq!(rejected(&o), "transition_not_allowed", "{s:?}");
        }
    }
}

async fn park_head_cannot_read_welfare_details(t: TestApp) {
    let mut welfare = Device::of(&t, "welfare01").await;
    let head = Device::of(&t, "parkhead01").await;
    let req = request_at(
        "welfare-elderly",
        "一人暮らしの見守り",
        Some((LAT, LON)),
        "高津区溝口1",
    );
    welfare.create(&t, &req).await;
    let other = request_at(
        "welfare-elderly",
        "近所の方も心配",
        Some((LAT, LON)),
        "高津区溝口1",
    );
    welfare.create(&t, &other).await;

    // Detail: redacted, no notes, no history.
    let d = head.detail(&t, req.id).await;
    assert!(d.request.redacted);
    assert_eq!(d.request.title, None);
    assert_eq!(d.request.place, None);
    assert_eq!(d.request.contact, None);
    assert!(d.notes.is_empty() && d.history.is_empty());
    // The list: present (the office sees there is work) but redacted.
    let a = t.get("/api/requests?limit=100", Some(&head.cookie)).await;
    assert_eq!(a.status, StatusCode::OK);
    let text = a.text();
    assert!(!text.contains("一人暮らし") && !text.contains("溝口") && !text.contains("山田"));
    // Duplicates: refused, and nothing about where.
    let a = t
        .get(
            &format!("/api/requests/{}/duplicates", req.id),
            Some(&head.cookie),
        )
        .await;
    a.assert_error(StatusCode::FORBIDDEN, "details_forbidden");
    assert!(!a.text().contains("溝口"));
    // Photos: neither the list nor the bytes.
    let photo_id = Uuid::new_v4();
    let a = t
        .json(
            Method::PUT,
            &format!("/api/photos/{photo_id}"),
            Some(&welfare.cookie),
            &json!({"request_id": req.id, "sha256": "ab".repeat(32), "size": 10,
                    "content_type": "image/jpeg"}),
        )
        .await;
    assert!(a.status.is_success(), "{}", a.text());
    t.get(
        &format!("/api/requests/{}/photos", req.id),
        Some(&head.cookie),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, "photo_forbidden");
    t.get(&format!("/api/photos/{photo_id}"), Some(&head.cookie))
        .await
        .assert_error(StatusCode::FORBIDDEN, "photo_forbidden");
    // Nor may they read it through its details' edits: setting the response is refused.
    let mut head = head;
    let o = head
        .set(
            &t,
            req.id,
            d.request.version,
            vec![FieldValue::Response("x".into())],
        )
        .await;
    assert_eq!(rejected(&o), "not_allowed");
    // Nothing was logged as read by the park head.
    let log = t.store.access_log(req.id).await.expect("log");
    assert!(log.iter().all(|e| e.staff_id != "parkhead01"), "{log:?}");
}

async fn duplicates_follow_group_and_distance(t: TestApp) {
    let mut road = Device::of(&t, "road01").await;
    let mut park = Device::of(&t, "park01").await;
    let mut clerk = Device::of(&t, "clerk01").await;
    // road-pothole: 50 m, 14 days.
    let this = request_at("road-pothole", "穴", Some((LAT, LON)), "高津区下作延2-8");
    let near = request_at("road-drain", "側溝", Some((LAT + 0.0002, LON)), ""); // 22 m
    let nearer = request_at("road-pothole", "同じ穴", Some((LAT + 0.0001, LON)), ""); // 11 m
    let far = request_at("road-pothole", "別の穴", Some((LAT + 0.001, LON)), ""); // 111 m
    let park_here = request_at("park-equipment", "遊具", Some((LAT, LON)), "");
    // No fix and no address: only a landmark, which is not compared.
    let mut no_fix = request_at("road-pothole", "場所不明", None, "");
    no_fix.place.landmark = "郵便局の前".into();
    let same_address = request_at("road-pothole", "住所だけ", None, "高津区 下作延2-8");
    let marked = request_at("road-pothole", "重複済み", Some((LAT, LON)), "");
    for r in [&this, &near, &nearer, &far, &no_fix, &same_address] {
        road.create(&t, r).await;
    }
    park.create(&t, &park_here).await;
    let vm = road.create(&t, &marked).await;
    applied(
        &clerk
            .set(
                &t,
                marked.id,
                vm,
                vec![
                    FieldValue::DuplicateOf(Some(this.id)),
                    FieldValue::Status(Status::Duplicate),
                ],
            )
            .await,
    );

    let found = clerk.duplicates(&t, this.id).await;
    let ids: Vec<Uuid> = found.iter().map(|c| c.request.id).collect();
    // Nearest first, then those at the same typed address (one side without a fix);
    // never itself, another group, one too far, one without a fix or address, or one
    // already marked a duplicate.
    assert_eq!(ids, [nearer.id, near.id, same_address.id], "{found:?}");
    assert!((found[0].distance_m.unwrap() - 11.1).abs() < 0.5);
    assert!(!found[0].same_address);
    // From the side of the one without a fix: only the same address.
    let found = clerk.duplicates(&t, same_address.id).await;
    let ids: Vec<Uuid> = found.iter().map(|c| c.request.id).collect();
    assert_eq!(ids, [this.id]);
    assert!(found[0].same_address && found[0].distance_m.is_none());
    assert!(clerk.duplicates(&t, no_fix.id).await.is_empty());
    // Unknown ids answer 404 like the detail.
    t.get(
        &format!("/api/requests/{}/duplicates", Uuid::new_v4()),
        Some(&clerk.cookie),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "unknown_request");
    t.get("/api/requests/not-an-id/duplicates", Some(&clerk.cookie))
        .await
        .assert_error(StatusCode::NOT_FOUND, "unknown_request");
    t.get(&format!("/api/requests/{}/duplicates", this.id), None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
}

async fn duplicates_respect_who_may_read(t: TestApp) {
    let mut road = Device::of(&t, "road01").await;
    let mut park = Device::of(&t, "park01").await;
    let mut welfare1 = Device::of(&t, "welfare01").await;
    let welfare2 = Device::of(&t, "welfare02").await;
    let clerk = Device::of(&t, "clerk01").await;
    // Field staff see suggestions only among the requests they may see: park01 logged a
    // road request by the same hole; road01 sees it (routed to roads), park01 does not
    // see road01's.
    let a = request_at("road-pothole", "穴", Some((LAT, LON)), "");
    let b = request_at("road-pothole", "穴（公園側から）", Some((LAT, LON)), "");
    road.create(&t, &a).await;
    park.create(&t, &b).await;
    let ids: Vec<Uuid> = road
        .duplicates(&t, a.id)
        .await
        .iter()
        .map(|c| c.request.id)
        .collect();
    assert_eq!(ids, [b.id]);
    assert!(park.duplicates(&t, b.id).await.is_empty());
    t.get(
        &format!("/api/requests/{}/duplicates", a.id),
        Some(&park.cookie),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "unknown_request");

    // Welfare: the clerk may not (details), a colleague in the welfare section may, and
    // their read of another's sensitive request is on the access log.
    let w1 = request_at("welfare-elderly", "見守り", Some((LAT, LON)), "");
    let w2 = request_at(
        "welfare-elderly",
        "見守り（近所から）",
        Some((LAT, LON)),
        "",
    );
    welfare1.create(&t, &w1).await;
    welfare1.create(&t, &w2).await;
    t.get(
        &format!("/api/requests/{}/duplicates", w1.id),
        Some(&clerk.cookie),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, "details_forbidden");
    let found = welfare2.duplicates(&t, w1.id).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].request.id, w2.id);
    assert!(!found[0].request.redacted);
    let log = t.store.access_log(w2.id).await.expect("log");
    assert!(log
        .iter()
        .any(|e| e.staff_id == "welfare02" && e.path.ends_with("/duplicates")));
    // A road request never suggests a welfare one at the same spot (another group).
    let ids: Vec<Uuid> = clerk
        .duplicates(&t, a.id)
        .await
        .iter()
        .map(|c| c.request.id)
        .collect();
    assert_eq!(ids, [b.id]);
}

async fn staff_directory_is_for_the_office(t: TestApp) {
    let clerk = t.sign_in("clerk01").await;
    let a = t.get("/api/staff?section=road", Some(&clerk)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let staff: Vec<StaffEntry> = serde_json::from_slice(&a.body).expect("staff");
    let ids: Vec<&str> = staff.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["head01", "road01"]);
    assert_eq!(staff[1].name, "田中 健一");
    assert_eq!(staff[1].sections, ["road"]);
    // Ids, names, roles (what they may read, for assigning 要配慮 requests) and
    // sections only: no password hash, nothing of the account's state.
    let raw = a.json();
    assert_eq!(
        raw[0].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["id", "name", "role", "sections"]
    );
    assert_eq!(staff[0].role, koe_core::Role::Supervisor);
    let all: Vec<StaffEntry> =
        serde_json::from_slice(&t.get("/api/staff", Some(&clerk)).await.body).expect("all");
    // The ten demo staff, the welfare section's head and clerk among them.
    assert_eq!(all.len(), 10);
    t.get("/api/staff?section=moon", Some(&clerk))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "unknown_section");
    let road = t.sign_in("road01").await;
    t.get("/api/staff", Some(&road))
        .await
        .assert_error(StatusCode::FORBIDDEN, "not_allowed");
    t.get("/api/staff", None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
}

/// `server/openapi.json` documents this file's answers with examples that are the real
/// types (the shared openapi test checks the older ones).
#[test]
fn openapi_examples_are_the_office_types() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json"))
        .expect("openapi.json");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    fn same<T: serde::de::DeserializeOwned + serde::Serialize>(
        doc: &serde_json::Value,
        name: &str,
    ) {
        let examples = doc["components"]["schemas"][name]["examples"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} has examples"));
        assert!(!examples.is_empty());
        for e in examples {
            let t: T =
                serde_json::from_value(e.clone()).unwrap_or_else(|err| panic!("{name}: {err}"));
            assert_eq!(&serde_json::to_value(&t).unwrap(), e, "{name}");
        }
    }
    same::<DuplicateCandidate>(&doc, "DuplicateCandidate");
    same::<StaffEntry>(&doc, "StaffEntry");
    for path in ["/api/requests/{id}/duplicates", "/api/staff"] {
        assert!(doc["paths"][path]["get"].is_object(), "{path}");
    }
}

/// A field worker learns nothing from a push about requests they do not see or about
/// staff ids: an invisible request answers exactly as a nonexistent one, whatever the
/// edit names, and a field they may not set is refused before any name is looked up.
async fn push_answers_tell_no_ids_apart(t: TestApp) {
    let mut park = Device::of(&t, "park01").await;
    let hidden = request_at("park-equipment", "ブランコの鎖", Some((LAT, LON)), "");
    let v = park.create(&t, &hidden).await;
    let mut road = Device::of(&t, "road01").await;
    let own = request_at("road-pothole", "穴", Some((LAT, LON)), "");
    let own_v = road.create(&t, &own).await;
    let nowhere = request_id_at(koe_server::now_ms());

    let probes = [
        FieldValue::Assignee(Some("clerk01".into())),
        FieldValue::Assignee(Some("nobody-at-all".into())),
        FieldValue::DuplicateOf(Some(own.id)),
        FieldValue::DuplicateOf(Some(nowhere)),
        FieldValue::Title("見出し".into()),
    ];
    for probe in probes {
        let on_hidden = road.set(&t, hidden.id, v, vec![probe.clone()]).await;
        let on_nothing = road.set(&t, nowhere, v, vec![probe.clone()]).await;
        assert_eq!(rejected(&on_hidden), "unknown_request", "{probe:?}");
        assert_eq!(on_hidden, on_nothing, "{probe:?}");
    }
    // On their own request: not theirs to set, whether the staff id or original is real.
    for probe in [
        FieldValue::Assignee(Some("clerk01".into())),
        FieldValue::Assignee(Some("nobody-at-all".into())),
        FieldValue::DuplicateOf(Some(hidden.id)),
        FieldValue::DuplicateOf(Some(nowhere)),
    ] {
        let o = road.set(&t, own.id, own_v, vec![probe.clone()]).await;
        assert_eq!(rejected(&o), "not_allowed", "{probe:?}");
    }
    // The office still gets the precise answer.
    let mut clerk = Device::of(&t, "clerk01").await;
    let o = clerk
        .set(
            &t,
            own.id,
            own_v,
            vec![FieldValue::Assignee(Some("nobody-at-all".into()))],
        )
        .await;
    assert_eq!(rejected(&o), "unknown_staff");
}
