//! The field device's half of the sync rules, kept here so the app's IndexedDB store and
//! the simulations that test the protocol follow the same ones: what the device keeps
//! about one request (what was logged here, whether the ward record has it, the latest
//! state the office gave it), how an edit is queued, and what the ward record's answer
//! to a push makes of it.
//!
//! Three rules carry the promise that nothing is lost:
//! - a mutation that has left the device is never changed: a later edit is its own
//!   mutation (an edit of a request whose create is on its way waits for the answer);
//! - the base of an edit is the version at which the device knows the field's value
//!   (pulled, or its own create or edit as the ward record stored it), never a version
//!   it merely heard of;
//! - every answer is the mutation's first outcome (the ward record keeps it), so a
//!   retried push settles exactly as the lost answer would have.

use crate::merge::edits_kept_for_review;
use crate::sync::Outcome;
use crate::{
    Bilingual, EditableField, FieldEdit, FieldValue, Mutation, MutationKind, NewRequest,
    RequestRecord, Status,
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
    /// The version the ward record stored this device's create at: every field logged
    /// here is known at that version.
    #[serde(default)]
    pub stored_as: Option<i64>,
    /// Who logged it on this device (a pooled device holds several people's work); `None`
    /// for one pulled, or logged before authors were recorded.
    #[serde(default)]
    pub logged_by: Option<String>,
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
            stored_as: None,
            logged_by: None,
        }
    }

    /// A request just logged here by `author`.
    pub fn logged_by(request: NewRequest, author: Option<&str>) -> Self {
        Self {
            logged_by: author.map(str::to_string),
            ..Self::logged(request)
        }
    }

    /// Whether its photos may be sent now, by `staff_id` (who is signed in): once the
    /// request is on the ward record, and only by the person who logged it, so a photo is
    /// never filed under whoever picked up a pooled device next.
    pub fn photos_may_go(&self, staff_id: Option<&str>) -> bool {
        let on_record = self.stored_as.is_some()
            || self.server.is_some()
            || matches!(self.sync, SyncState::Synced { .. });
        let author = self
            .logged_by
            .as_deref()
            .or(self.server.as_ref().map(|s| s.logged_by.as_str()));
        on_record && staff_id.is_none_or(|me| author.is_none_or(|a| a == me))
    }

    /// What the ward record's answer to its create mutation makes of it.
    pub fn settle(&mut self, outcome: &Outcome) {
        self.sync = match outcome {
            Outcome::Applied { version } | Outcome::Conflict { version, .. } => {
                self.stored_as = Some(*version);
                SyncState::Synced { version: *version }
            }
            Outcome::Rejected { code, message } => SyncState::Rejected {
                code: code.clone(),
                message: message.clone(),
            },
        };
    }

    /// Settles the create that carried `sent` with the ward record's answer. What the
    /// person changed on the device while it was on its way (the create itself is never
    /// changed once sent) is returned as the next mutation to queue, under `next_id()`:
    /// an edit from the version the create was stored at, or, if the create was refused,
    /// the changed create again.
    pub fn settle_create(
        &mut self,
        sent: &NewRequest,
        outcome: &Outcome,
        author: Option<&str>,
        next_id: impl FnOnce() -> u64,
    ) -> Option<Mutation> {
        self.settle(outcome);
        let logged = self.request.clone().filter(|r| r != sent)?;
        let id = next_id();
        let kind = if matches!(outcome, Outcome::Rejected { .. }) {
            self.sync = SyncState::Waiting;
            MutationKind::CreateRequest { request: logged }
        } else {
            MutationKind::SetFields {
                request_id: self.id,
                edits: self.edit(&logged_changes(sent, &logged), id),
            }
        };
        Some(Mutation {
            id,
            author: author.map(str::to_string),
            kind,
        })
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
                stored_as: None,
                logged_by: None,
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

    /// The version at which this device knows the ward record's value of `field` (the
    /// base of an edit of it): the copy it pulled, the version its own create was stored
    /// at, or the version its own applied edit of the field was stored at — never the
    /// version of an answer about other fields, which would claim changes it never saw.
    /// `None` while the ward record does not have the request.
    pub fn base_of(&self, field: EditableField) -> Option<i64> {
        let pulled = self.server.as_ref().map(|s| s.version);
        let own_edit = self
            .edits
            .iter()
            .filter(|e| e.value.field() == field)
            .filter_map(|e| e.sent_at)
            .max();
        pulled.max(self.stored_as).max(own_edit)
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
        let mut edits = Vec::new();
        for value in values {
            let field = value.field();
            let base_version = self
                .conflicts
                .iter()
                .filter(|c| c.field == field)
                .map(|c| c.version)
                .fold(self.base_of(field).unwrap_or(0), i64::max);
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
            Outcome::Rejected { message, .. } => {
                self.edits.retain(|e| e.mutation_id != mutation_id);
                self.edit_problem = Some(message.clone());
            }
        }
        if let Some(at) = version {
            for e in self.edits.iter_mut() {
                if e.mutation_id == mutation_id {
                    e.sent_at = Some(at);
                }
            }
        }
        if !self.edits_waiting() && matches!(self.sync, SyncState::Waiting) {
            let known = self.server.as_ref().map(|s| s.version).max(self.stored_as);
            self.sync = SyncState::Synced {
                version: known.max(version).unwrap_or(0),
            };
        }
    }
}

/// The create of a request still in the outbox, as an edit of the request finds it.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedCreate {
    pub mutation: Mutation,
    /// It has gone out in a push, answered or not: it is never changed again.
    pub sent: bool,
}

/// What saving an edit did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditSaved {
    /// Queued as set-fields mutation `mutation_id`.
    Queued { mutation_id: u64 },
    /// The request's create had not left the device and was changed instead.
    CreateChanged,
    /// The request's create is on its way, unanswered: the change shows at once and goes
    /// as an edit when the answer comes (see [`LocalRequest::settle_create`]).
    AfterCreate,
    /// The ward record refused the create: it waits again, changed, as `mutation_id`.
    CreateQueuedAgain { mutation_id: u64 },
    /// Nothing differed from what the device shows.
    Unchanged,
}

impl LocalRequest {
    /// Saves an edit of this request made on the device (values already checked with
    /// `crate::validation`). Returns what it did and the mutation to put in the outbox
    /// under its id, if any (for [`EditSaved::CreateChanged`] it replaces the queued
    /// create); a new mutation takes its id from `next_id()`.
    pub fn save_edit(
        &mut self,
        values: Vec<FieldValue>,
        queued_create: Option<QueuedCreate>,
        author: Option<&str>,
        next_id: impl FnOnce() -> u64,
    ) -> (EditSaved, Option<Mutation>) {
        let values = self.changes(values);
        if values.is_empty() {
            return (EditSaved::Unchanged, None);
        }
        let author = author.map(str::to_string);
        match queued_create {
            Some(QueuedCreate {
                mutation:
                    Mutation {
                        id,
                        author: create_author,
                        kind: MutationKind::CreateRequest { mut request },
                    },
                sent: false,
            }) => {
                self.edit_logged(&values);
                for v in &values {
                    set_logged(&mut request, v);
                }
                let create = Mutation {
                    id,
                    author: create_author,
                    kind: MutationKind::CreateRequest { request },
                };
                (EditSaved::CreateChanged, Some(create))
            }
            Some(_) => {
                self.edit_logged(&values);
                (EditSaved::AfterCreate, None)
            }
            None if self.server.is_none() && matches!(self.sync, SyncState::Rejected { .. }) => {
                self.edit_logged(&values);
                let Some(request) = self.request.clone() else {
                    return (EditSaved::Unchanged, None);
                };
                let mutation_id = next_id();
                self.sync = SyncState::Waiting;
                self.edit_problem = None;
                let create = Mutation {
                    id: mutation_id,
                    author,
                    kind: MutationKind::CreateRequest { request },
                };
                (EditSaved::CreateQueuedAgain { mutation_id }, Some(create))
            }
            None => {
                let mutation_id = next_id();
                let edits = self.edit(&values, mutation_id);
                let set = Mutation {
                    id: mutation_id,
                    author,
                    kind: MutationKind::SetFields {
                        request_id: self.id,
                        edits,
                    },
                };
                (EditSaved::Queued { mutation_id }, Some(set))
            }
        }
    }

    /// Takes the ward record's answer to mutation `mutation` (as it was sent). Returns a
    /// mutation to queue next, if the answer calls for one (see
    /// [`settle_create`](Self::settle_create)).
    pub fn settle_mutation(
        &mut self,
        mutation: &Mutation,
        outcome: &Outcome,
        next_id: impl FnOnce() -> u64,
    ) -> Option<Mutation> {
        match &mutation.kind {
            MutationKind::CreateRequest { request } => {
                self.settle_create(request, outcome, mutation.author.as_deref(), next_id)
            }
            MutationKind::SetFields { edits, .. } => {
                self.settle_edit(mutation.id, edits, outcome);
                None
            }
            // Notes show from the ward record; nothing of the request changes here.
            MutationKind::AddNote { .. } => None,
        }
    }
}

/// Whether a request the ward record says has left this person's view (re-routed,
/// unshared) may leave the device: not while the device still holds work of its own on it
/// (a mutation or a photo to send, a conflict or refusal to read), which the ward record
/// then refuses with a reason the person can read.
pub fn may_drop(local: &LocalRequest, unsent_work: bool) -> bool {
    !unsent_work
        && local.conflicts.is_empty()
        && local.edit_problem.is_none()
        && !local.edits_waiting()
        && !matches!(local.sync, SyncState::Waiting | SyncState::Rejected { .. })
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

/// Requests for tests of the device rules, here and in the app.
#[doc(hidden)]
pub mod fixtures {
    use super::*;
    use crate::{Place, Urgency};

    pub fn new_request(ms: u64, title: &str) -> NewRequest {
        NewRequest {
            id: crate::id::request_id(ms, [7; 10]),
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
}

// Work an earlier version of the app kept for everyone, unsealed, in the device's one
// database: whose is it, at a sign-in (the app's `Device::adopt_legacy` moves it).

/// What the legacy plan needs of a photo row.
pub struct LegacyPhoto {
    pub photo_id: Uuid,
    pub request_id: Uuid,
    pub pending: bool,
}

/// Which legacy entries are `staff_id`'s to take, and which are nobody's waiting work.
#[derive(Debug, Default, PartialEq)]
pub struct LegacyPlan {
    /// Their mutations (theirs, or queued before authors were kept).
    pub mutations: std::collections::HashSet<u64>,
    /// Requests they take with them: those their mutations are about, and those they
    /// logged that still need them (a photo to send, a refusal or conflict to read).
    pub requests: std::collections::HashSet<Uuid>,
    /// Copies of the ward record's requests no one's work needs: dropped.
    pub pulled: std::collections::HashSet<Uuid>,
    pub pulled_photos: std::collections::HashSet<Uuid>,
}

pub fn legacy_plan(
    mutations: &[Mutation],
    requests: &[LocalRequest],
    photos: &[LegacyPhoto],
    staff_id: &str,
) -> LegacyPlan {
    use std::collections::HashSet;
    let mut plan = LegacyPlan::default();
    let mut others_need = HashSet::new();
    for m in mutations {
        if m.pushed_by(staff_id) {
            plan.mutations.insert(m.id);
            plan.requests.insert(m.kind.request_id());
        } else {
            others_need.insert(m.kind.request_id());
        }
    }
    let pending: HashSet<Uuid> = photos
        .iter()
        .filter(|p| p.pending)
        .map(|p| p.request_id)
        .collect();
    for r in requests {
        let needs_person = pending.contains(&r.id)
            || !r.conflicts.is_empty()
            || matches!(r.sync, SyncState::Rejected { .. } | SyncState::Waiting);
        let logged_by_them = r.logged_by.as_deref().is_none_or(|by| by == staff_id);
        if plan.requests.contains(&r.id) {
            continue;
        }
        if needs_person && logged_by_them && !others_need.contains(&r.id) {
            plan.requests.insert(r.id);
        } else if !needs_person && !others_need.contains(&r.id) {
            plan.pulled.insert(r.id);
        }
    }
    for p in photos {
        if plan.pulled.contains(&p.request_id) && !p.pending {
            plan.pulled_photos.insert(p.photo_id);
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use crate::Urgency;

    fn title(t: &str) -> FieldValue {
        FieldValue::Title(t.into())
    }

    #[test]
    fn the_base_of_an_edit_is_the_version_the_device_knows_the_field_at() {
        // Pulled at 1343; the device's own edit of the title was stored at 1808 while
        // someone else changed the description at 1500, which this device never pulled.
        let mut l = synced_at(1343);
        let sent = l.edit(&[title("一")], 8);
        assert_eq!(sent[0].base_version, 1343);
        l.settle_edit(8, &sent, &Outcome::Applied { version: 1808 });
        let again = l.edit(&[title("二"), FieldValue::Description("説明".into())], 9);
        assert_eq!(
            again[0].base_version, 1808,
            "its own title is known at 1808"
        );
        assert_eq!(
            again[1].base_version, 1343,
            "the description only as pulled"
        );
        // A create stored at 20 knows every field logged here at 20.
        let mut created = LocalRequest::logged(new_request(1, "穴"));
        created.settle(&Outcome::Applied { version: 20 });
        assert_eq!(created.base_of(EditableField::Urgency), Some(20));
        assert_eq!(
            LocalRequest::logged(new_request(2, "x")).base_of(EditableField::Title),
            None
        );
    }

    fn create_of(l: &LocalRequest, id: u64) -> Mutation {
        Mutation {
            id,
            author: Some("road01".into()),
            kind: MutationKind::CreateRequest {
                request: l.request.clone().unwrap(),
            },
        }
    }

    #[test]
    fn a_create_that_left_the_device_is_never_changed_and_the_edit_follows_it() {
        let mut l = LocalRequest::logged(new_request(1, "穴"));
        let create = create_of(&l, 5);
        // Not sent yet: the queued create itself changes.
        let (saved, m) = l.save_edit(
            vec![title("深い穴")],
            Some(QueuedCreate {
                mutation: create.clone(),
                sent: false,
            }),
            Some("road01"),
            || unreachable!(),
        );
        assert_eq!(saved, EditSaved::CreateChanged);
        let create = m.unwrap();
        assert_eq!(create.id, 5);
        assert_eq!(create.author.as_deref(), Some("road01"));
        // Sent, answer lost: the create stays as sent; the edit waits for the answer.
        let (saved, m) = l.save_edit(
            vec![FieldValue::Urgency(Urgency::Urgent)],
            Some(QueuedCreate {
                mutation: create.clone(),
                sent: true,
            }),
            Some("road01"),
            || unreachable!(),
        );
        assert_eq!((saved, m), (EditSaved::AfterCreate, None));
        assert_eq!(
            l.shown(EditableField::Urgency),
            Some(FieldValue::Urgency(Urgency::Urgent))
        );
        // The retry hears the first outcome: applied at 30; the urgency goes as an edit
        // from 30.
        let next = l
            .settle_mutation(&create, &Outcome::Applied { version: 30 }, || 6)
            .unwrap();
        assert_eq!(next.id, 6);
        assert_eq!(next.author.as_deref(), Some("road01"));
        match next.kind {
            MutationKind::SetFields { edits, .. } => {
                assert_eq!(edits.len(), 1);
                assert_eq!(edits[0].value, FieldValue::Urgency(Urgency::Urgent));
                assert_eq!(edits[0].base_version, 30);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(l.sync, SyncState::Waiting);
    }

    #[test]
    fn a_refused_create_changed_on_its_way_goes_again_changed() {
        let mut l = LocalRequest::logged(new_request(1, "穴"));
        let create = create_of(&l, 5);
        l.save_edit(
            vec![title("直した件名")],
            Some(QueuedCreate {
                mutation: create.clone(),
                sent: true,
            }),
            Some("road01"),
            || unreachable!(),
        );
        let refused = Outcome::Rejected {
            code: "bad_phone".into(),
            message: Bilingual::new("電話", "phone"),
        };
        let again = l.settle_mutation(&create, &refused, || 7).unwrap();
        assert_eq!(l.sync, SyncState::Waiting);
        match again.kind {
            MutationKind::CreateRequest { request } => assert_eq!(request.title, "直した件名"),
            other => panic!("{other:?}"),
        }
        // Unchanged and refused: it stays refused, with the reason.
        let mut r = LocalRequest::logged(new_request(2, "穴"));
        let c = create_of(&r, 8);
        assert!(r.settle_mutation(&c, &refused, || 9).is_none());
        assert_eq!(r.sync.code(), "rejected");
    }

    #[test]
    fn photos_go_once_the_request_is_stored_and_only_by_its_author() {
        let mut l = LocalRequest::logged_by(new_request(1, "穴"), Some("road01"));
        assert!(
            !l.photos_may_go(Some("road01")),
            "not on the ward record yet"
        );
        l.settle(&Outcome::Applied { version: 3 });
        assert!(l.photos_may_go(Some("road01")));
        assert!(
            !l.photos_may_go(Some("welfare01")),
            "not under the next person's name"
        );
        let legacy = synced_at(4);
        assert!(
            legacy.photos_may_go(Some("road01")),
            "pulled: its logged_by decides"
        );
        assert!(!legacy.photos_may_go(Some("park01")));
    }

    #[test]
    fn a_request_that_left_the_view_stays_while_work_of_the_device_waits_on_it() {
        let l = synced_at(3);
        assert!(may_drop(&l, false));
        assert!(!may_drop(&l, true));
        let mut edited = synced_at(3);
        edited.edit(&[title("x")], 4);
        assert!(!may_drop(&edited, false));
        assert!(!may_drop(&LocalRequest::logged(new_request(3, "y")), false));
    }

    #[test]
    fn outcomes_move_the_sync_state() {
        let mut l = LocalRequest::logged(new_request(1, "穴"));
        assert_eq!(l.sync.code(), "waiting");
        l.settle(&Outcome::Applied { version: 4 });
        assert_eq!(l.sync, SyncState::Synced { version: 4 });
        assert_eq!(l.stored_as, Some(4));

        let mut r = LocalRequest::logged(new_request(2, "穴"));
        r.settle(&Outcome::Rejected {
            code: "empty_title".into(),
            message: Bilingual::new("件名", "title"),
        });
        assert_eq!(r.sync.code(), "rejected");
    }

    #[test]
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

    #[test]
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

    #[test]
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

    #[test]
    fn a_changed_create_becomes_the_edits_of_what_changed() {
        let sent = new_request(1, "穴");
        let mut edited = sent.clone();
        edited.urgency = Urgency::Urgent;
        edited.description = "深い".into();
        assert_eq!(
            logged_changes(&sent, &edited),
            [
                FieldValue::Description("深い".into()),
                FieldValue::Urgency(Urgency::Urgent)
            ]
        );
        assert!(logged_changes(&sent, &sent).is_empty());
    }

    #[test]
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

    #[test]
    fn legacy_work_goes_to_its_author_and_pulled_copies_are_dropped() {
        use crate::{Mutation, MutationKind};
        let mine = fixtures::new_request(1, "道路の穴");
        let theirs = fixtures::new_request(2, "見守り");
        let unattributed = fixtures::new_request(3, "古い受付");
        let pulled = fixtures::new_request(4, "他課の受付");
        let create = |id: u64, r: &crate::NewRequest, author: Option<&str>| Mutation {
            id,
            author: author.map(str::to_owned),
            kind: MutationKind::CreateRequest { request: r.clone() },
        };
        let mutations = [
            create(1, &mine, Some("road01")),
            create(2, &theirs, Some("welfare01")),
            create(3, &unattributed, None),
        ];
        let mut synced = LocalRequest::logged_by(pulled.clone(), Some("park01"));
        synced.sync = SyncState::Synced { version: 4 };
        let requests = [
            LocalRequest::logged_by(mine.clone(), Some("road01")),
            LocalRequest::logged_by(theirs.clone(), Some("welfare01")),
            LocalRequest::logged_by(unattributed.clone(), None),
            synced,
        ];
        let photos = [
            LegacyPhoto {
                photo_id: Uuid::from_u128(1),
                request_id: mine.id,
                pending: true,
            },
            LegacyPhoto {
                photo_id: Uuid::from_u128(2),
                request_id: pulled.id,
                pending: false,
            },
        ];
        let plan = legacy_plan(&mutations, &requests, &photos, "road01");
        assert_eq!(plan.mutations, [1, 3].into_iter().collect());
        assert_eq!(
            plan.requests,
            [mine.id, unattributed.id].into_iter().collect()
        );
        assert_eq!(plan.pulled, [pulled.id].into_iter().collect());
        assert_eq!(
            plan.pulled_photos,
            [Uuid::from_u128(2)].into_iter().collect()
        );
        // welfare01's stays: theirs to take.
        let theirs_plan = legacy_plan(&mutations, &requests, &photos, "welfare01");
        assert!(theirs_plan.requests.contains(&theirs.id));
        assert!(!theirs_plan.requests.contains(&mine.id));
    }
}
