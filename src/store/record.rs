//! What the device keeps about one request: what was logged here (if it was), whether the
//! ward record has it, and the latest state the office gave it.

use koe_core::merge::edits_kept_for_review;
use koe_core::sync::Outcome;
use koe_core::{
    Bilingual, EditableField, FieldEdit, FieldValue, NewRequest, RequestRecord, Status,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The fields the person who logged a request may change on the device afterwards.
pub const FIELD_EDITABLE: [EditableField; 5] = [
    EditableField::Title,
    EditableField::Description,
    EditableField::Place,
    EditableField::Contact,
    EditableField::Urgency,
];

/// A field changed on this device after the request reached the ward record: shown in
/// place of the pulled value until a pull brings a version that has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalEdit {
    pub value: FieldValue,
    /// The set-fields mutation that carries it.
    pub mutation_id: u64,
    /// The ward record's version once it took the edit; `None` while it waits (未送信).
    #[serde(default)]
    pub sent_at: Option<i64>,
}

/// An edit of this device that lost to a newer change on the ward record (the office
/// changed the same field): both values are shown until the person keeps one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalConflict {
    pub field: EditableField,
    /// The value this device sent.
    pub mine: FieldValue,
    /// The ward record's version when the edit lost: a pulled copy at least this new holds
    /// the value it lost to.
    pub version: i64,
}

/// Which value a person keeps when their edit lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// 自分の値: send it again, from the version that has the office's change.
    Mine,
    /// 区の記録の値: drop the device's value.
    Theirs,
}

/// Where a request logged on this device stands with the ward record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SyncState {
    /// 未送信: in the outbox.
    Waiting,
    /// 送信済: the ward record has it, at this version.
    Synced { version: i64 },
    /// 却下: the ward record will never take it, for this reason.
    Rejected { code: String, message: Bilingual },
}

impl SyncState {
    /// The value of the row's `data-sync` attribute.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Synced { .. } => "synced",
            Self::Rejected { .. } => "rejected",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalRequest {
    pub id: Uuid,
    /// As logged on this device; `None` for a request only pulled from the ward record.
    pub request: Option<NewRequest>,
    pub sync: SyncState,
    /// The latest state pulled from the ward record.
    pub server: Option<RequestRecord>,
    /// Fields changed here after the ward record took the request (newest last).
    #[serde(default)]
    pub edits: Vec<LocalEdit>,
    /// This device's edits that lost, waiting for the person to keep one value.
    #[serde(default)]
    pub conflicts: Vec<LocalConflict>,
    /// Why the ward record refused the last edit sent (it was dropped).
    #[serde(default)]
    pub edit_problem: Option<Bilingual>,
}

impl LocalRequest {
    /// A request just logged here, waiting to be sent.
    pub fn logged(request: NewRequest) -> Self {
        Self {
            id: request.id,
            request: Some(request),
            sync: SyncState::Waiting,
            server: None,
            edits: Vec::new(),
            conflicts: Vec::new(),
            edit_problem: None,
        }
    }

    /// What the ward record's answer to its create mutation makes of it.
    pub fn settle(&mut self, outcome: &Outcome) {
        self.sync = match outcome {
            Outcome::Applied { version } | Outcome::Conflict { version, .. } => {
                SyncState::Synced { version: *version }
            }
            Outcome::Duplicate => SyncState::Synced {
                version: match (&self.sync, &self.server) {
                    (SyncState::Synced { version }, _) => *version,
                    (_, Some(server)) => server.version,
                    _ => 0,
                },
            },
            Outcome::Rejected { code, message } => SyncState::Rejected {
                code: code.clone(),
                message: message.clone(),
            },
        };
    }

    /// Takes a record pulled from the ward record: the device now knows the office's view.
    /// An older version than the one held is ignored.
    pub fn pulled(existing: Option<Self>, record: RequestRecord) -> Self {
        match existing {
            None => Self {
                id: record.id,
                request: None,
                sync: SyncState::Synced {
                    version: record.version,
                },
                server: Some(record),
                edits: Vec::new(),
                conflicts: Vec::new(),
                edit_problem: None,
            },
            Some(mut local) => {
                if local
                    .server
                    .as_ref()
                    .is_some_and(|s| s.version > record.version)
                {
                    return local;
                }
                // Edits the ward record has by this version show from its copy now.
                local
                    .edits
                    .retain(|e| e.sent_at.is_none_or(|v| v > record.version));
                // The ward record has it, so it is sent whatever the push answer said (an
                // edit still waiting keeps it 未送信).
                if !matches!(local.sync, SyncState::Rejected { .. }) && !local.edits_waiting() {
                    local.sync = SyncState::Synced {
                        version: record.version,
                    };
                }
                local.server = Some(record);
                local
            }
        }
    }

    pub fn title(&self) -> Option<&str> {
        match (&self.server, &self.request) {
            (Some(s), _) if s.title.is_some() => s.title.as_deref(),
            (_, Some(r)) => Some(r.title.as_str()),
            _ => None,
        }
    }

    pub fn category(&self) -> &str {
        match (&self.request, &self.server) {
            (Some(r), _) => &r.category,
            (None, Some(s)) => &s.category,
            (None, None) => "",
        }
    }

    pub fn logged_at(&self) -> i64 {
        match (&self.request, &self.server) {
            (Some(r), _) => r.logged_at,
            (None, Some(s)) => s.logged_at,
            (None, None) => 0,
        }
    }

    pub fn status(&self) -> Option<Status> {
        self.server.as_ref().map(|s| s.status)
    }

    /// Whether an edit made here still waits in the outbox.
    pub fn edits_waiting(&self) -> bool {
        self.edits.iter().any(|e| e.sent_at.is_none())
    }

    /// The version of the ward record's copy this device has seen (an edit's base), or
    /// `None` while the ward record does not have the request.
    pub fn base_version(&self) -> Option<i64> {
        let synced = match self.sync {
            SyncState::Synced { version } => Some(version),
            _ => None,
        };
        let pulled = self.server.as_ref().map(|s| s.version);
        synced.max(pulled)
    }

    /// The value of `field` as the device shows it: the latest edit made here, else the
    /// ward record's copy, else what was logged. `None` when the device does not know it
    /// (a redacted copy).
    pub fn shown(&self, field: EditableField) -> Option<FieldValue> {
        if let Some(edit) = self.edits.iter().rev().find(|e| e.value.field() == field) {
            return Some(edit.value.clone());
        }
        match (&self.server, &self.request) {
            (Some(server), _) if !server.redacted => Some(FieldValue::of(server, field)),
            (Some(_), _) => None,
            (None, Some(r)) => logged_value(r, field),
            (None, None) => None,
        }
    }

    /// Of `wanted`, the values that differ from what the device shows (what an edit sends).
    pub fn changes(&self, wanted: Vec<FieldValue>) -> Vec<FieldValue> {
        wanted
            .into_iter()
            .filter(|v| self.shown(v.field()).as_ref() != Some(v))
            .collect()
    }

    /// Takes an edit queued as set-fields mutation `mutation_id`: shown at once, 未送信
    /// until the ward record answers. An edit of a field in conflict settles the conflict
    /// (it is made from the version that has the office's change). Returns what to send.
    pub fn edit(&mut self, values: &[FieldValue], mutation_id: u64) -> Vec<FieldEdit> {
        let base = self.base_version().unwrap_or(0);
        let mut edits = Vec::new();
        for value in values {
            let field = value.field();
            let base_version = self
                .conflicts
                .iter()
                .filter(|c| c.field == field)
                .map(|c| c.version)
                .fold(base, i64::max);
            self.conflicts.retain(|c| c.field != field);
            self.edits.push(LocalEdit {
                value: value.clone(),
                mutation_id,
                sent_at: None,
            });
            edits.push(FieldEdit {
                value: value.clone(),
                base_version,
            });
        }
        if !edits.is_empty() {
            self.edit_problem = None;
            if !matches!(self.sync, SyncState::Rejected { .. }) {
                self.sync = SyncState::Waiting;
            }
        }
        edits
    }

    /// Changes what was logged (a request the ward record does not have yet: its queued
    /// create is changed instead of sending an edit).
    pub fn edit_logged(&mut self, values: &[FieldValue]) {
        if let Some(request) = self.request.as_mut() {
            for value in values {
                set_logged(request, value);
            }
        }
    }

    /// The person keeps one value of a conflicting field. Returns the value to send, if
    /// any, which the caller queues and records with [`edit`](Self::edit) (that settles
    /// the conflict and sends it from the version that has the office's change): keeping
    /// mine sends mine again; keeping the ward record's sends its value, so the ward
    /// record withdraws the conflict entry. On a request the office has finished with,
    /// keeping mine leaves it on the ward record's list for the office's review and sends
    /// nothing.
    pub fn keep(&mut self, field: EditableField, keep: Keep) -> Option<FieldValue> {
        let conflict = self.conflicts.iter().find(|c| c.field == field)?.clone();
        let value = match keep {
            Keep::Mine if !self.status().is_some_and(edits_kept_for_review) => Some(conflict.mine),
            Keep::Theirs => self.theirs(&conflict),
            Keep::Mine => None,
        };
        if value.is_none() {
            self.conflicts.retain(|c| c.field != field);
        }
        value
    }

    /// The ward record's value of a conflicting field, once the device holds a copy at
    /// least as new as the change the edit lost to.
    pub fn theirs(&self, conflict: &LocalConflict) -> Option<FieldValue> {
        self.server
            .as_ref()
            .filter(|s| !s.redacted && s.version >= conflict.version)
            .map(|s| FieldValue::of(s, conflict.field))
    }

    /// What the ward record's answer to set-fields mutation `mutation_id` (which carried
    /// `sent`) makes of the request.
    pub fn settle_edit(&mut self, mutation_id: u64, sent: &[FieldEdit], outcome: &Outcome) {
        let mut version = None;
        match outcome {
            Outcome::Applied { version: v } => {
                version = Some(*v);
                self.edit_problem = None;
            }
            Outcome::Conflict { version: v, fields } => {
                version = Some(*v);
                self.edit_problem = None;
                for field in fields {
                    // A newer edit of the field made here since is the person's word.
                    let newer = self
                        .edits
                        .iter()
                        .any(|e| e.value.field() == *field && e.mutation_id > mutation_id);
                    self.edits
                        .retain(|e| !(e.mutation_id == mutation_id && e.value.field() == *field));
                    let Some(mine) = sent.iter().find(|e| e.value.field() == *field) else {
                        continue;
                    };
                    if newer {
                        continue;
                    }
                    self.conflicts.retain(|c| c.field != *field);
                    self.conflicts.push(LocalConflict {
                        field: *field,
                        mine: mine.value.clone(),
                        version: *v,
                    });
                }
            }
            Outcome::Duplicate => {}
            Outcome::Rejected { message, .. } => {
                self.edits.retain(|e| e.mutation_id != mutation_id);
                self.edit_problem = Some(message.clone());
            }
        }
        let at = version.or(self.base_version()).unwrap_or(0);
        for e in self.edits.iter_mut() {
            if e.mutation_id == mutation_id {
                e.sent_at = Some(at);
            }
        }
        if !self.edits_waiting() && matches!(self.sync, SyncState::Waiting) {
            self.sync = SyncState::Synced {
                version: self.base_version().unwrap_or(0).max(at),
            };
        }
    }
}

/// A logged request's value of `field` (the fields field staff edit).
fn logged_value(r: &NewRequest, field: EditableField) -> Option<FieldValue> {
    Some(match field {
        EditableField::Title => FieldValue::Title(r.title.clone()),
        EditableField::Description => FieldValue::Description(r.description.clone()),
        EditableField::Place => FieldValue::Place(r.place.clone()),
        EditableField::Contact => FieldValue::Contact(r.contact.clone()),
        EditableField::Urgency => FieldValue::Urgency(r.urgency),
        _ => return None,
    })
}

fn set_logged(r: &mut NewRequest, value: &FieldValue) {
    match value.clone() {
        FieldValue::Title(t) => r.title = t,
        FieldValue::Description(d) => r.description = d,
        FieldValue::Place(p) => r.place = p,
        FieldValue::Contact(c) => r.contact = c,
        FieldValue::Urgency(u) => r.urgency = u,
        _ => {}
    }
}

/// The field values by which `edited` differs from `sent` (a create changed while it was
/// being sent: the difference goes as an edit).
pub fn logged_changes(sent: &NewRequest, edited: &NewRequest) -> Vec<FieldValue> {
    FIELD_EDITABLE
        .into_iter()
        .filter_map(|f| {
            let now = logged_value(edited, f)?;
            (logged_value(sent, f).as_ref() != Some(&now)).then_some(now)
        })
        .collect()
}

/// Newest first: by the time logged, then by id (UUIDv7 ids sort by time too).
pub fn newest_first(list: &mut [LocalRequest]) {
    list.sort_by(|a, b| {
        b.logged_at()
            .cmp(&a.logged_at())
            .then_with(|| b.id.cmp(&a.id))
    });
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use koe_core::{Place, Urgency};
    use wasm_bindgen_test::wasm_bindgen_test;

    pub fn new_request(ms: u64, title: &str) -> NewRequest {
        NewRequest {
            id: koe_core::id::request_id(ms, [7; 10]),
            category: "road-pothole".into(),
            title: title.into(),
            description: "段差".into(),
            place: Place {
                address: "高津区下作延2-8".into(),
                ..Place::default()
            },
            urgency: Urgency::High,
            logged_at: ms as i64,
            contact: Default::default(),
        }
    }

    pub fn record_of(r: &NewRequest, version: i64, status: Status) -> RequestRecord {
        RequestRecord {
            status,
            ..RequestRecord::created(r, "road", "road01", r.logged_at + 5, version)
        }
    }

    #[wasm_bindgen_test]
    fn outcomes_move_the_sync_state() {
        let mut l = LocalRequest::logged(new_request(1, "穴"));
        assert_eq!(l.sync.code(), "waiting");
        l.settle(&Outcome::Applied { version: 4 });
        assert_eq!(l.sync, SyncState::Synced { version: 4 });
        l.settle(&Outcome::Duplicate);
        assert_eq!(l.sync, SyncState::Synced { version: 4 });

        let mut r = LocalRequest::logged(new_request(2, "穴"));
        r.settle(&Outcome::Rejected {
            code: "empty_title".into(),
            message: Bilingual::new("件名", "title"),
        });
        assert_eq!(r.sync.code(), "rejected");
    }

    #[wasm_bindgen_test]
    fn pulled_records_update_or_create_local_entries() {
        let req = new_request(1, "穴");
        let waiting = LocalRequest::logged(req.clone());
        let l = LocalRequest::pulled(Some(waiting), record_of(&req, 7, Status::Routed));
        assert_eq!(l.sync, SyncState::Synced { version: 7 });
        assert_eq!(l.status(), Some(Status::Routed));
        assert_eq!(l.title(), Some("穴"));

        // An older version does not overwrite a newer one.
        let l = LocalRequest::pulled(Some(l), record_of(&req, 3, Status::New));
        assert_eq!(l.status(), Some(Status::Routed));

        let other = new_request(2, "街路灯");
        let fresh = LocalRequest::pulled(None, record_of(&other, 9, Status::New));
        assert!(fresh.request.is_none());
        assert_eq!(fresh.category(), "road-pothole");
        assert_eq!(fresh.logged_at(), 2);
    }

    fn synced_at(version: i64) -> LocalRequest {
        let req = new_request(1, "穴");
        LocalRequest::pulled(
            Some(LocalRequest::logged(req.clone())),
            record_of(&req, version, Status::Routed),
        )
    }

    #[wasm_bindgen_test]
    fn an_edit_waits_through_a_pull_and_shows_until_the_ward_record_has_it() {
        let mut l = synced_at(3);
        let sent = l.edit(&[FieldValue::Title("段差".into())], 8);
        assert_eq!(sent[0].base_version, 3);
        assert_eq!(l.sync, SyncState::Waiting);
        // A pull of another change does not make it 送信済 while the edit waits.
        let req = l.request.clone().unwrap();
        let l2 = LocalRequest::pulled(Some(l.clone()), record_of(&req, 4, Status::InProgress));
        assert_eq!(l2.sync, SyncState::Waiting);
        assert_eq!(
            l2.shown(EditableField::Title),
            Some(FieldValue::Title("段差".into()))
        );
        let mut l3 = l2;
        l3.settle_edit(8, &sent, &Outcome::Applied { version: 5 });
        assert_eq!(l3.sync, SyncState::Synced { version: 5 });
        // A copy older than the edit's version still shows the edit.
        assert_eq!(l3.edits.len(), 1);
        let mut after = record_of(&req, 5, Status::InProgress);
        after.title = Some("段差".into());
        let l4 = LocalRequest::pulled(Some(l3), after);
        assert!(l4.edits.is_empty());
        assert_eq!(l4.title(), Some("段差"));
    }

    #[wasm_bindgen_test]
    fn a_lost_edit_overtaken_by_a_newer_one_is_not_a_conflict() {
        let mut l = synced_at(3);
        let first = l.edit(&[FieldValue::Title("一".into())], 8);
        l.edit(&[FieldValue::Title("二".into())], 9);
        l.settle_edit(
            8,
            &first,
            &Outcome::Conflict {
                version: 6,
                fields: vec![EditableField::Title],
            },
        );
        assert!(l.conflicts.is_empty());
        assert_eq!(
            l.shown(EditableField::Title),
            Some(FieldValue::Title("二".into()))
        );
        assert_eq!(l.sync, SyncState::Waiting);
    }

    #[wasm_bindgen_test]
    fn a_changed_create_becomes_the_edits_of_what_changed() {
        let sent = new_request(1, "穴");
        let mut edited = sent.clone();
        edited.urgency = koe_core::Urgency::Urgent;
        edited.description = "深い".into();
        assert_eq!(
            logged_changes(&sent, &edited),
            [
                FieldValue::Description("深い".into()),
                FieldValue::Urgency(koe_core::Urgency::Urgent)
            ]
        );
        assert!(logged_changes(&sent, &sent).is_empty());
    }

    #[wasm_bindgen_test]
    fn newest_first_orders_by_time_logged() {
        let mut list = vec![
            LocalRequest::logged(new_request(1, "a")),
            LocalRequest::logged(new_request(3, "c")),
            LocalRequest::logged(new_request(2, "b")),
        ];
        newest_first(&mut list);
        let titles: Vec<_> = list.iter().filter_map(|l| l.title()).collect();
        assert_eq!(titles, ["c", "b", "a"]);
    }
}
