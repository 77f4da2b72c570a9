//! What the office list, export and Open311 tests share: requests written through the
//! store's real write path (`Store::apply`, as a push does) with the ward record's clock
//! set to a chosen moment, so a test can place requests on given days.
// Each test binary uses a different part of this module.
#![allow(dead_code)]

use koe_core::sync::Outcome;
use koe_core::{
    Contact, FieldEdit, FieldValue, NewRequest, Place, RequestRecord, Role, Urgency, Viewer,
};
use koe_server::store::{Origin, Verdict};
use uuid::Uuid;

use crate::common::{request_id_at, TestApp};

/// A request as a field worker logs it.
pub fn request(category: &str, title: &str, description: &str, at: i64) -> NewRequest {
    NewRequest {
        id: request_id_at(at),
        category: category.into(),
        title: title.into(),
        description: description.into(),
        place: Place {
            lat: Some(35.6),
            lon: Some(139.61),
            accuracy_m: Some(10.0),
            address: "高津区下作延2-8".into(),
            landmark: "山田さん宅の前".into(),
        },
        urgency: Urgency::High,
        logged_at: at,
        contact: Contact {
            name: Some("山田 花子".into()),
            phone: Some("044-000-0000".into()),
            email: Some("hanako@example.jp".into()),
            consent_to_contact: true,
        },
    }
}

/// One device per staff member, writing through `Store::apply`.
pub struct Writer {
    devices: Vec<(String, Uuid, u64)>,
}

impl Writer {
    pub fn new() -> Self {
        Self {
            devices: Vec::new(),
        }
    }

    async fn origin<'a>(&'a mut self, t: &TestApp, staff: &str, now: i64) -> Origin<'a> {
        let i = match self.devices.iter().position(|(s, _, _)| s == staff) {
            Some(i) => i,
            None => {
                let client = Uuid::new_v4();
                t.store
                    .register_device(client, staff, now)
                    .await
                    .expect("register device");
                self.devices.push((staff.to_string(), client, 0));
                self.devices.len() - 1
            }
        };
        let (who, client, last) = &mut self.devices[i];
        *last += 1;
        Origin {
            staff_id: who,
            client_id: *client,
            mutation_id: *last,
            // Each key is applied once here, so any fingerprint does.
            fingerprint: "",
            now,
        }
    }

    /// Stores `request` as logged by `staff`, received by the ward record at `at`.
    pub async fn create(
        &mut self,
        t: &TestApp,
        staff: &str,
        request: &NewRequest,
        at: i64,
    ) -> Uuid {
        let catalogue = t.store.catalogue().await.expect("catalogue");
        let section = catalogue
            .category(&request.category)
            .expect("category")
            .default_section
            .clone();
        let origin = self.origin(t, staff, at).await;
        let verdict = Verdict::Create {
            request,
            section: &section,
            catalogue: &catalogue,
        };
        match t.store.apply(origin, verdict).await.expect("create") {
            Outcome::Applied { .. } => request.id,
            other => panic!("create: {other:?}"),
        }
    }

    /// The administrator changes fields of a request (as the office would), at `at`.
    pub async fn edit(&mut self, t: &TestApp, id: Uuid, values: Vec<FieldValue>, at: i64) {
        let catalogue = t.store.catalogue().await.expect("catalogue");
        let base = t
            .store
            .request_by_id(id)
            .await
            .expect("read")
            .expect("stored")
            .version;
        let edits: Vec<FieldEdit> = values
            .into_iter()
            .map(|value| FieldEdit {
                value,
                base_version: base,
            })
            .collect();
        let admin = Viewer {
            staff_id: "admin01".into(),
            role: Role::Admin,
            sections: vec!["residents".into()],
        };
        let origin = self.origin(t, "admin01", at).await;
        let verdict = Verdict::SetFields {
            request_id: id,
            edits: &edits,
            editor: &admin,
            catalogue: &catalogue,
        };
        match t.store.apply(origin, verdict).await.expect("edit") {
            Outcome::Applied { .. } => {}
            other => panic!("edit: {other:?}"),
        }
    }

    /// Every stored request as the ward record holds it (unredacted).
    pub async fn stored(t: &TestApp, ids: &[Uuid]) -> Vec<RequestRecord> {
        let mut out = Vec::new();
        for id in ids {
            out.push(
                t.store
                    .request_by_id(*id)
                    .await
                    .expect("read")
                    .expect("stored"),
            );
        }
        out
    }
}
