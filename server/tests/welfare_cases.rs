//! A welfare consultation (要配慮) is handled by the welfare section, from intake to 完了:
//! its head and office clerk route, assign, answer and close it; nobody outside it acts
//! on it (the office clerk of 区民課, the section head of parks see it redacted and are
//! refused with the reason, and nothing changes); it is assigned only to someone who may
//! read it — on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use koe_core::api::RequestDetail;
use koe_core::directory::StaffEntry;
use koe_core::sync::Outcome;
use koe_core::{FieldValue, Mutation, MutationKind, NewRequest, Role, Status};
use uuid::Uuid;

use common::{applied, both, new_request, set_fields, TestApp};

both!(
    outsiders_are_refused_every_action_and_nothing_changes,
    the_welfare_section_routes_assigns_answers_and_closes,
    a_welfare_case_is_assigned_only_to_those_who_may_read_it,
    the_directory_names_the_welfare_section_with_roles,
);

const WELFARE: &str = "elderly-disability";

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

    async fn set(&mut self, t: &TestApp, id: Uuid, base: i64, values: Vec<FieldValue>) -> Outcome {
        self.push(t, set_fields(id, base, values)).await
    }

    async fn detail(&self, t: &TestApp, id: Uuid) -> RequestDetail {
        t.detail(&self.cookie, id).await
    }

    /// The ids on the office list (`GET /api/requests`) as this person sees it, with
    /// whether each is redacted.
    async fn listed(&self, t: &TestApp) -> Vec<(Uuid, bool)> {
        let a = t.get("/api/requests?limit=200", Some(&self.cookie)).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        a.json()["requests"]
            .as_array()
            .expect("requests")
            .iter()
            .map(|r| {
                (
                    r["id"]
                        .as_str()
                        .and_then(|s| Uuid::parse_str(s).ok())
                        .expect("id"),
                    r["redacted"].as_bool().unwrap_or(false),
                )
            })
            .collect()
    }
}

/// The code of a refusal, after checking it gives a reason in both languages.
fn refused(o: &Outcome) -> (&str, &koe_core::Bilingual) {
    match o {
        Outcome::Rejected { code, message } => {
            assert!(!message.ja.is_empty() && !message.en.is_empty());
            (code.as_str(), message)
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn consultation(title: &str) -> NewRequest {
    let mut r = new_request("welfare-elderly", title);
    r.description = "ご家族から、一人暮らしの父の様子が心配との相談".into();
    r
}

async fn outsiders_are_refused_every_action_and_nothing_changes(t: TestApp) {
    let mut welfare = Device::of(&t, "welfare01").await;
    let case = consultation("見守りの相談");
    let v = welfare.create(&t, &case).await;
    let before = Device::of(&t, "admin01").await.detail(&t, case.id).await;
    assert_eq!(before.request.section, WELFARE);

    for outsider in ["parkhead01", "clerk01"] {
        let mut d = Device::of(&t, outsider).await;
        // They see that it exists, redacted.
        let shown = d.detail(&t, case.id).await;
        assert!(shown.request.redacted, "{outsider}");
        assert!(d.listed(&t).await.contains(&(case.id, true)), "{outsider}");
        for values in [
            vec![FieldValue::Status(Status::Routed)],
            vec![FieldValue::Status(Status::InProgress)],
            vec![FieldValue::Section("road".into())],
            vec![FieldValue::SharedWith(vec!["park".into()])],
            vec![FieldValue::Assignee(Some("welfare02".into()))],
            vec![FieldValue::NeedsReview(false)],
            vec![FieldValue::Urgency(koe_core::Urgency::Low)],
            vec![
                FieldValue::Response("対応しました".into()),
                FieldValue::Status(Status::Resolved),
            ],
        ] {
            let o = d.set(&t, case.id, v, values.clone()).await;
            let (code, why) = refused(&o);
            assert_eq!(code, "not_allowed", "{outsider} {values:?}");
            assert!(why.ja.contains("要配慮"), "{why:?}");
            assert!(why.en.contains("sensitive"), "{why:?}");
        }
        let o = d
            .push(
                &t,
                MutationKind::AddNote {
                    request_id: case.id,
                    note_id: Uuid::new_v4(),
                    text: "確認します".into(),
                },
            )
            .await;
        assert_eq!(refused(&o).0, "not_allowed", "{outsider}");
    }

    // Nothing changed: the same status, section, version, and no history but its intake.
    let after = Device::of(&t, "admin01").await.detail(&t, case.id).await;
    assert_eq!(after.request, before.request);
    assert_eq!(after.request.status, Status::New);
    assert_eq!(after.request.version, v);
    assert!(after.notes.is_empty());
    assert!(
        after.history.iter().all(|h| h.kind == "create_request"),
        "{:?}",
        after.history
    );
}

async fn the_welfare_section_routes_assigns_answers_and_closes(t: TestApp) {
    let mut welfare = Device::of(&t, "welfare01").await;
    let case = consultation("介護サービスの相談");
    let v = welfare.create(&t, &case).await;
    let mut head = Device::of(&t, "welfarehead01").await;
    let mut clerk = Device::of(&t, "welfareclerk01").await;

    // The head reads it, routes and assigns it to a case worker.
    let d = head.detail(&t, case.id).await;
    assert!(!d.request.redacted);
    assert_eq!(d.request.title.as_deref(), Some("介護サービスの相談"));
    let v = applied(
        &head
            .set(
                &t,
                case.id,
                v,
                vec![
                    FieldValue::Assignee(Some("welfare02".into())),
                    FieldValue::Status(Status::Routed),
                ],
            )
            .await,
    );
    // The section's clerk answers and takes it through to 完了.
    let v = applied(
        &clerk
            .set(&t, case.id, v, vec![FieldValue::Status(Status::InProgress)])
            .await,
    );
    let v = applied(
        &clerk
            .set(
                &t,
                case.id,
                v,
                vec![FieldValue::Response(
                    "10月3日に訪問し、介護サービスの申請を案内しました。".into(),
                )],
            )
            .await,
    );
    let v = applied(
        &clerk
            .set(&t, case.id, v, vec![FieldValue::Status(Status::Resolved)])
            .await,
    );
    let v = applied(
        &head
            .set(&t, case.id, v, vec![FieldValue::Status(Status::Closed)])
            .await,
    );

    // The assigned case worker reads the outcome.
    let d = Device::of(&t, "welfare02").await.detail(&t, case.id).await;
    assert_eq!(d.request.status, Status::Closed);
    assert_eq!(d.request.version, v);
    assert_eq!(d.request.section, WELFARE);
    assert_eq!(d.request.assignee.as_deref(), Some("welfare02"));
    assert_eq!(
        d.request.response.as_deref(),
        Some("10月3日に訪問し、介護サービスの申請を案内しました。")
    );
    let by: Vec<_> = d
        .history
        .iter()
        .filter(|h| h.kind == "set_fields")
        .map(|h| h.by.as_str())
        .collect();
    assert_eq!(
        by,
        [
            "welfarehead01",
            "welfareclerk01",
            "welfareclerk01",
            "welfareclerk01",
            "welfarehead01"
        ]
    );
    assert!(d.request.milestones.resolved_at.is_some());

    // The case workers themselves note, but do not decide.
    let o = welfare
        .set(&t, case.id, v, vec![FieldValue::Status(Status::InProgress)])
        .await;
    assert_eq!(refused(&o).0, "not_allowed");

    // Road staff do not see it at all; the other office staff see it redacted only.
    let road = Device::of(&t, "road01").await;
    assert!(road.listed(&t).await.iter().all(|(id, _)| *id != case.id));
    for outsider in ["parkhead01", "clerk01", "head01"] {
        let listed = Device::of(&t, outsider).await.listed(&t).await;
        assert!(listed.contains(&(case.id, true)), "{outsider}");
    }
}

async fn a_welfare_case_is_assigned_only_to_those_who_may_read_it(t: TestApp) {
    let mut welfare = Device::of(&t, "welfare01").await;
    let case = consultation("障害福祉サービスの相談");
    let v = welfare.create(&t, &case).await;
    let mut head = Device::of(&t, "welfarehead01").await;
    for outsider in ["clerk01", "parkhead01", "road01"] {
        let o = head
            .set(
                &t,
                case.id,
                v,
                vec![FieldValue::Assignee(Some(outsider.into()))],
            )
            .await;
        let (code, why) = refused(&o);
        assert_eq!(code, "assignee_may_not_read", "{outsider}");
        assert!(why.ja.contains("要配慮"), "{why:?}");
    }
    let d = head.detail(&t, case.id).await;
    assert_eq!(d.request.assignee, None);
    assert_eq!(d.request.version, v);
    // An ordinary request may be assigned across sections, as before.
    let mut road = Device::of(&t, "road01").await;
    let pothole = new_request("road-pothole", "歩道の穴");
    let v = road.create(&t, &pothole).await;
    applied(
        &head
            .set(
                &t,
                pothole.id,
                v,
                vec![FieldValue::Assignee(Some("park01".into()))],
            )
            .await,
    );
}

async fn the_directory_names_the_welfare_section_with_roles(t: TestApp) {
    let head = t.sign_in("welfarehead01").await;
    let a = t
        .get(&format!("/api/staff?section={WELFARE}"), Some(&head))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let staff: Vec<StaffEntry> = serde_json::from_slice(&a.body).expect("staff");
    let people: Vec<_> = staff.iter().map(|s| (s.id.as_str(), s.role)).collect();
    assert_eq!(
        people,
        [
            ("welfare01", Role::Field),
            ("welfare02", Role::Field),
            ("welfareclerk01", Role::Office),
            ("welfarehead01", Role::Supervisor),
        ]
    );
    assert!(staff.iter().all(|s| !s.name.is_ascii()));
}
