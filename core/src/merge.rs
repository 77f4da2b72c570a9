//! Field-level merge of a device's edits into the ward record's copy of a request.
//!
//! Each editable field remembers the server-order version of its last change. An edit
//! names the version it was made from (`base_version`): it applies if the field has not
//! changed on the server since; otherwise the server's value stays, the device's value is
//! kept on the request's conflict list and the request is flagged for review. Nothing a
//! person typed is lost, and nothing is overwritten silently.
//!
//! The office's decisions (status, section, sharing, assignee, response) are not field
//! staff's to change at all ([`Viewer::may_edit`]), so a field edit never overwrites them;
//! a status change must also be an allowed transition ([`workflow::check_transition`]).
//! Once the office has finished with a request (完了, 他機関へ回付, 重複), a field staff
//! edit is kept as a conflict for review rather than applied.
//! Notes are not fields: they are append-only and never conflict.
//!
//! A person settles their own losing edit by editing the field again from a version that
//! has seen the change it lost to: with their value (keep mine) or with the ward
//! record's (keep theirs). When that edit applies, their conflict entries for the field
//! are withdrawn — their latest word replaces the losing one. Whether the request still
//! needs review (`needs_review`) stays the office's decision.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::validation::{
    normalize_shared_with, validate_contact, validate_description, validate_place,
    validate_response, validate_section, validate_shared_with, validate_staff_id, validate_title,
    ValidationError,
};
use crate::workflow::{self, TransitionError};
use crate::{
    Bilingual, Catalogue, Contact, FieldConflict, Place, RequestRecord, Status, Urgency, Viewer,
};

/// Edits in one `set_fields` mutation, at most: one per field.
pub const MAX_EDITS_PER_MUTATION: usize = EditableField::ALL.len();

/// Conflict entries a request keeps per field; past it the oldest of that field goes (it
/// stays in the history of the change that made it). Bounds the record and the merge.
pub const MAX_CONFLICTS_PER_FIELD: usize = 10;

/// A field of a request that can be changed after it was logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EditableField {
    Title,
    Description,
    Place,
    Contact,
    Urgency,
    Status,
    Section,
    SharedWith,
    Assignee,
    Response,
    DuplicateOf,
    NeedsReview,
}

impl EditableField {
    pub const ALL: [EditableField; 12] = [
        Self::Title,
        Self::Description,
        Self::Place,
        Self::Contact,
        Self::Urgency,
        Self::Status,
        Self::Section,
        Self::SharedWith,
        Self::Assignee,
        Self::Response,
        Self::DuplicateOf,
        Self::NeedsReview,
    ];

    /// The office's decisions: field staff never set these.
    pub fn is_office_decision(self) -> bool {
        matches!(
            self,
            Self::Status
                | Self::Section
                | Self::SharedWith
                | Self::Assignee
                | Self::Response
                | Self::DuplicateOf
                | Self::NeedsReview
        )
    }

    /// Who and what: hidden on a sensitive request from those who may not read it.
    pub fn is_detail(self) -> bool {
        matches!(
            self,
            Self::Title | Self::Description | Self::Place | Self::Contact | Self::Response
        )
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Title => "件名",
            Self::Description => "内容",
            Self::Place => "場所",
            Self::Contact => "連絡先",
            Self::Urgency => "緊急度",
            Self::Status => "状態",
            Self::Section => "担当課",
            Self::SharedWith => "連携先",
            Self::Assignee => "担当者",
            Self::Response => "対応内容",
            Self::DuplicateOf => "重複元",
            Self::NeedsReview => "要確認",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::Description => "description",
            Self::Place => "place",
            Self::Contact => "contact",
            Self::Urgency => "urgency",
            Self::Status => "status",
            Self::Section => "section",
            Self::SharedWith => "shared with",
            Self::Assignee => "assignee",
            Self::Response => "response",
            Self::DuplicateOf => "original request",
            Self::NeedsReview => "needs review",
        }
    }
}

/// A field and its new value. On the wire: `{"field": "title", "value": "…"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum FieldValue {
    Title(String),
    Description(String),
    Place(Place),
    Contact(Contact),
    Urgency(Urgency),
    Status(Status),
    Section(String),
    SharedWith(Vec<String>),
    Assignee(Option<String>),
    /// Empty: no response yet.
    Response(String),
    DuplicateOf(Option<Uuid>),
    /// Setting it false (reviewed) also clears the conflict list.
    NeedsReview(bool),
}

impl FieldValue {
    pub fn field(&self) -> EditableField {
        match self {
            Self::Title(_) => EditableField::Title,
            Self::Description(_) => EditableField::Description,
            Self::Place(_) => EditableField::Place,
            Self::Contact(_) => EditableField::Contact,
            Self::Urgency(_) => EditableField::Urgency,
            Self::Status(_) => EditableField::Status,
            Self::Section(_) => EditableField::Section,
            Self::SharedWith(_) => EditableField::SharedWith,
            Self::Assignee(_) => EditableField::Assignee,
            Self::Response(_) => EditableField::Response,
            Self::DuplicateOf(_) => EditableField::DuplicateOf,
            Self::NeedsReview(_) => EditableField::NeedsReview,
        }
    }

    /// The value the record holds now for `field`.
    pub fn of(record: &RequestRecord, field: EditableField) -> Self {
        match field {
            EditableField::Title => Self::Title(record.title.clone().unwrap_or_default()),
            EditableField::Description => {
                Self::Description(record.description.clone().unwrap_or_default())
            }
            EditableField::Place => Self::Place(record.place.clone().unwrap_or_default()),
            EditableField::Contact => Self::Contact(record.contact.clone().unwrap_or_default()),
            EditableField::Urgency => Self::Urgency(record.urgency),
            EditableField::Status => Self::Status(record.status),
            EditableField::Section => Self::Section(record.section.clone()),
            EditableField::SharedWith => Self::SharedWith(record.shared_with.clone()),
            EditableField::Assignee => Self::Assignee(record.assignee.clone()),
            EditableField::Response => Self::Response(record.response.clone().unwrap_or_default()),
            EditableField::DuplicateOf => Self::DuplicateOf(record.duplicate_of),
            EditableField::NeedsReview => Self::NeedsReview(record.needs_review),
        }
    }

    /// The bare value as JSON (for conflicts and history).
    pub fn json(&self) -> serde_json::Value {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut map)) => {
                map.remove("value").unwrap_or(serde_json::Value::Null)
            }
            _ => serde_json::Value::Null,
        }
    }

    /// Checks the value on its own (the transition of a status is checked in context).
    pub fn validate(&self, catalogue: &Catalogue) -> Result<(), ValidationError> {
        match self {
            Self::Title(t) => validate_title(t),
            Self::Description(d) => validate_description(d),
            Self::Place(p) => validate_place(p),
            Self::Contact(c) => validate_contact(c),
            Self::Section(s) => validate_section(s, catalogue),
            Self::SharedWith(list) => validate_shared_with(list, catalogue),
            Self::Assignee(Some(id)) => validate_staff_id(id),
            Self::Response(r) => validate_response(r),
            Self::Urgency(_)
            | Self::Status(_)
            | Self::Assignee(None)
            | Self::DuplicateOf(_)
            | Self::NeedsReview(_) => Ok(()),
        }
    }

    fn apply_to(&self, record: &mut RequestRecord) {
        match self.clone() {
            Self::Title(t) => record.title = Some(t.trim().to_string()),
            Self::Description(d) => record.description = Some(d),
            Self::Place(p) => record.place = Some(p),
            Self::Contact(c) => record.contact = Some(c),
            Self::Urgency(u) => record.urgency = u,
            Self::Status(s) => record.status = s,
            Self::Section(s) => record.section = s,
            Self::SharedWith(list) => record.shared_with = normalize_shared_with(list),
            Self::Assignee(a) => record.assignee = a.filter(|a| !a.is_empty()),
            Self::Response(r) => record.response = Some(r).filter(|r| !r.trim().is_empty()),
            Self::DuplicateOf(d) => record.duplicate_of = d,
            Self::NeedsReview(flag) => {
                record.needs_review = flag;
                if !flag {
                    record.conflicts.clear();
                }
            }
        }
    }

    /// Whether setting this value would leave the record as it is: the same outcome as
    /// [`Self::apply_to`] on a copy, compared field by field without copying the record.
    fn is_current(&self, record: &RequestRecord) -> bool {
        match self {
            Self::Title(t) => record.title.as_deref() == Some(t.trim()),
            Self::Description(d) => record.description.as_ref() == Some(d),
            Self::Place(p) => record.place.as_ref() == Some(p),
            Self::Contact(c) => record.contact.as_ref() == Some(c),
            Self::Urgency(u) => record.urgency == *u,
            Self::Status(s) => record.status == *s,
            Self::Section(s) => record.section == *s,
            Self::SharedWith(list) => record.shared_with == normalize_shared_with(list.clone()),
            Self::Assignee(a) => {
                record.assignee.as_deref() == a.as_deref().filter(|a| !a.is_empty())
            }
            Self::Response(r) => {
                record.response.as_deref() == Some(r.as_str()).filter(|r| !r.trim().is_empty())
            }
            Self::DuplicateOf(d) => record.duplicate_of == *d,
            Self::NeedsReview(flag) => {
                record.needs_review == *flag && (*flag || record.conflicts.is_empty())
            }
        }
    }
}

/// One field edit and the version of the request it was made from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldEdit {
    #[serde(flatten)]
    pub value: FieldValue,
    pub base_version: i64,
}

/// The server-order version of each field's last change. A field never changed since the
/// request was created is absent (its last change is the create, at or below any
/// version a device can have seen).
pub type FieldVersions = BTreeMap<EditableField, i64>;

/// Why a set-fields mutation is refused as a whole (nothing of it applies).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeError {
    #[error("no edits")]
    NoEdits,
    #[error("{len} edits in one mutation, more than {max}")]
    TooManyEdits { len: usize, max: usize },
    #[error("{0:?} is edited twice in one mutation")]
    RepeatedField(EditableField),
    #[error("may not set {0:?}")]
    NotAllowed(EditableField),
    /// The editor may not read the request (a 要配慮 one shown to them redacted), so
    /// they may not act on it at all ([`Viewer::may_act`]).
    #[error("may not act on a request whose details are hidden from them")]
    NotReadable,
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error(transparent)]
    Transition(#[from] TransitionError),
}

impl MergeError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoEdits => "no_edits",
            Self::TooManyEdits { .. } => "too_many_edits",
            Self::RepeatedField(_) => "repeated_field",
            Self::NotAllowed(_) | Self::NotReadable => "not_allowed",
            Self::Invalid(e) => e.code(),
            Self::Transition(e) => e.code(),
        }
    }

    pub fn message(&self) -> Bilingual {
        match self {
            Self::NoEdits => {
                Bilingual::new("変更する項目がありません。", "There is nothing to change.")
            }
            Self::TooManyEdits { len, max } => Bilingual::new(
                format!(
                    "一度に変更できるのは{max}項目までです（{len}件）。各項目は一度だけにしてください。"
                ),
                format!(
                    "One change may edit at most {max} fields (got {len}). Edit each field once."
                ),
            ),
            Self::RepeatedField(field) => Bilingual::new(
                format!(
                    "「{}」が一つの変更に二度以上あります。最後の値だけを送ってください。",
                    field.label_ja()
                ),
                format!(
                    "The {} is edited more than once in one change. Send only its last value.",
                    field.label_en()
                ),
            ),
            Self::NotAllowed(field) => Bilingual::new(
                format!(
                    "「{}」を変更する権限がありません。事務担当に依頼してください。",
                    field.label_ja()
                ),
                format!(
                    "You may not change the {}. Ask the office to do it.",
                    field.label_en()
                ),
            ),
            Self::NotReadable => Bilingual::new(
                "この受付は要配慮のため、詳細を読める職員（担当の福祉の課と管理者）だけが扱えます。変更は保存されていません。",
                "This request is sensitive (要配慮): only staff who may read its details (its welfare section and administrators) act on it. Nothing was changed.",
            ),
            Self::Invalid(e) => e.message(),
            Self::Transition(e) => e.message(),
        }
    }
}

/// What a set-fields mutation makes of a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// The request after the edits (its `version` is the new one if `changed`).
    pub record: RequestRecord,
    pub versions: FieldVersions,
    /// Fields whose edit applied (including edits to the value already held).
    pub applied: Vec<EditableField>,
    /// Fields whose edit lost: the server's value stayed, the device's is a conflict.
    pub lost: Vec<EditableField>,
    /// The values before and after, of the fields that changed (for the history).
    pub before: BTreeMap<EditableField, serde_json::Value>,
    pub after: BTreeMap<EditableField, serde_json::Value>,
    /// Whether the record changed at all (a value, or a new conflict).
    pub changed: bool,
}

/// The shape of a `set_fields` mutation, checked before any other work (and before the
/// ward record takes its write lock): at least one edit, at most
/// [`MAX_EDITS_PER_MUTATION`], each field once.
pub fn check_edits(edits: &[FieldEdit]) -> Result<(), MergeError> {
    if edits.is_empty() {
        return Err(MergeError::NoEdits);
    }
    if edits.len() > MAX_EDITS_PER_MUTATION {
        return Err(MergeError::TooManyEdits {
            len: edits.len(),
            max: MAX_EDITS_PER_MUTATION,
        });
    }
    let mut seen = [false; EditableField::ALL.len()];
    for edit in edits {
        let field = edit.value.field();
        let slot = &mut seen[field as usize];
        if *slot {
            return Err(MergeError::RepeatedField(field));
        }
        *slot = true;
    }
    Ok(())
}

/// Merges `edits` by `editor` into `current`, whose fields last changed at `versions`.
/// `version` is the server order this change takes; `at` the ward record's clock.
/// Edits to other fields go first and a status change last, so a response or an
/// original sent with it counts for the transition.
pub fn merge(
    current: &RequestRecord,
    versions: &FieldVersions,
    edits: &[FieldEdit],
    editor: &Viewer,
    catalogue: &Catalogue,
    version: i64,
    at: i64,
) -> Result<Merged, MergeError> {
    check_edits(edits)?;
    // Whether the editor sees the request at all is the ledger's (an unseen request is
    // answered as an unknown one); one they see redacted gets the reason.
    if editor.sees(current) && !editor.reads_details(current, catalogue) {
        return Err(MergeError::NotReadable);
    }
    for edit in edits {
        let field = edit.value.field();
        if !editor.may_edit(current, field, catalogue) {
            return Err(MergeError::NotAllowed(field));
        }
        edit.value.validate(catalogue)?;
    }
    let mut ordered: Vec<&FieldEdit> = edits.iter().collect();
    ordered.sort_by_key(|e| e.value.field() == EditableField::Status);

    let mut record = current.clone();
    let mut new_versions = versions.clone();
    let mut merged_applied = Vec::new();
    let mut lost = Vec::new();
    let mut before = BTreeMap::new();
    let mut after = BTreeMap::new();
    for edit in ordered {
        let field = edit.value.field();
        if edit.value.is_current(&record) {
            withdraw_conflicts(&mut record, field, &editor.staff_id);
            merged_applied.push(field);
            continue;
        }
        let last_change = versions.get(&field).copied().unwrap_or(0);
        // A request the office has finished with (完了, 回付, 重複) is not changed under it
        // by a device that edited it offline: the edit is kept for review instead.
        let finished_under_field_staff =
            !editor.role.reviews_ward() && edits_kept_for_review(current.status);
        if last_change <= edit.base_version && !finished_under_field_staff {
            if let FieldValue::Status(to) = edit.value {
                workflow::check_transition(
                    record.status,
                    to,
                    record
                        .response
                        .as_deref()
                        .is_some_and(|r| !r.trim().is_empty()),
                    record.duplicate_of.is_some(),
                )?;
            }
            before
                .entry(field)
                .or_insert_with(|| FieldValue::of(&record, field).json());
            edit.value.apply_to(&mut record);
            withdraw_conflicts(&mut record, field, &editor.staff_id);
            after.insert(field, FieldValue::of(&record, field).json());
            new_versions.insert(field, version);
            merged_applied.push(field);
        } else {
            lost.push(field);
            let conflict = FieldConflict {
                field,
                server_value: FieldValue::of(&record, field).json(),
                device_value: edit.value.json(),
                by: editor.staff_id.clone(),
                at,
            };
            // The same losing edit again (a retry) is kept once.
            let known = record.conflicts.iter().any(|c| {
                c.field == conflict.field
                    && c.device_value == conflict.device_value
                    && c.by == conflict.by
            });
            if !known {
                record.conflicts.push(conflict);
                cap_conflicts(&mut record.conflicts, field);
                record.needs_review = true;
                new_versions.insert(EditableField::NeedsReview, version);
            }
        }
    }
    let changed = record != *current;
    if changed {
        record.version = version;
    }
    Ok(Merged {
        record,
        versions: new_versions,
        applied: merged_applied,
        lost,
        before,
        after,
        changed,
    })
}

/// Whether a field staff edit to a request in this status is kept for the office's review
/// rather than applied: the office has finished with it (完了, 他機関へ回付, 重複).
pub fn edits_kept_for_review(status: Status) -> bool {
    matches!(
        status,
        Status::Closed | Status::Referred | Status::Duplicate
    )
}

/// Keeps at most [`MAX_CONFLICTS_PER_FIELD`] entries for `field`, dropping its oldest.
fn cap_conflicts(conflicts: &mut Vec<FieldConflict>, field: EditableField) {
    let mut excess = conflicts
        .iter()
        .filter(|c| c.field == field)
        .count()
        .saturating_sub(MAX_CONFLICTS_PER_FIELD);
    conflicts.retain(|c| {
        if excess > 0 && c.field == field {
            excess -= 1;
            false
        } else {
            true
        }
    });
}

/// Removes `by`'s conflict entries for `field`: an edit of theirs to it just applied, made
/// from a version that has the change their earlier edit lost to, so that is their word
/// now. Others' entries stay for the office.
fn withdraw_conflicts(record: &mut RequestRecord, field: EditableField, by: &str) {
    record
        .conflicts
        .retain(|c| !(c.field == field && c.by == by));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::tests::sample;
    use crate::{NewRequest, Role};
    use proptest::prelude::*;

    fn viewer(id: &str, role: Role) -> Viewer {
        Viewer {
            staff_id: id.into(),
            role,
            sections: vec!["road".into()],
        }
    }

    fn pothole(version: i64) -> RequestRecord {
        let req = NewRequest {
            id: crate::id::request_id(1, [0; 10]),
            category: "road-pothole".into(),
            title: "穴".into(),
            description: "深さ10cm".into(),
            place: Place {
                address: "高津区下作延2-8".into(),
                ..Place::default()
            },
            urgency: Urgency::High,
            logged_at: 1,
            contact: Contact::default(),
        };
        RequestRecord::created(&req, "road", "insp", 2, version)
    }

    fn edit(value: FieldValue, base_version: i64) -> FieldEdit {
        FieldEdit {
            value,
            base_version,
        }
    }

    fn run(
        r: &RequestRecord,
        v: &FieldVersions,
        edits: &[FieldEdit],
        who: &Viewer,
        version: i64,
    ) -> Result<Merged, MergeError> {
        merge(r, v, edits, who, &sample(), version, 100)
    }

    #[test]
    fn wire_format_is_field_value_and_base_version() {
        let e = edit(FieldValue::Title("段差".into()), 4);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"field": "title", "value": "段差", "base_version": 4})
        );
        assert_eq!(serde_json::from_value::<FieldEdit>(json).unwrap(), e);
        let s = edit(FieldValue::Status(Status::Routed), 1);
        let back: FieldEdit = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn a_fresh_edit_applies_and_records_before_and_after() {
        let r = pothole(1);
        let m = run(
            &r,
            &FieldVersions::new(),
            &[edit(FieldValue::Description("深さ15cm".into()), 1)],
            &viewer("insp", Role::Field),
            5,
        )
        .unwrap();
        assert!(m.changed);
        assert_eq!(m.record.description.as_deref(), Some("深さ15cm"));
        assert_eq!(m.record.version, 5);
        assert_eq!(m.versions[&EditableField::Description], 5);
        assert_eq!(m.before[&EditableField::Description], "深さ10cm");
        assert_eq!(m.after[&EditableField::Description], "深さ15cm");
        assert!(m.lost.is_empty());
    }

    #[test]
    fn a_stale_edit_keeps_the_server_value_and_the_device_value_as_a_conflict() {
        let r = pothole(1);
        let office = viewer("clerk", Role::Office);
        let m1 = run(
            &r,
            &FieldVersions::new(),
            &[edit(FieldValue::Title("歩道の穴".into()), 1)],
            &office,
            5,
        )
        .unwrap();
        // The inspector edited the title on a device that had only seen version 1.
        let m2 = run(
            &m1.record,
            &m1.versions,
            &[
                edit(FieldValue::Title("車道の穴".into()), 1),
                edit(FieldValue::Urgency(Urgency::Urgent), 1),
            ],
            &viewer("insp", Role::Field),
            6,
        )
        .unwrap();
        assert_eq!(m2.record.title.as_deref(), Some("歩道の穴"));
        assert_eq!(m2.record.urgency, Urgency::Urgent);
        assert_eq!(m2.lost, [EditableField::Title]);
        assert_eq!(m2.applied, [EditableField::Urgency]);
        assert!(m2.record.needs_review);
        let c = &m2.record.conflicts[0];
        assert_eq!(
            (c.field, &c.server_value, &c.device_value, c.by.as_str()),
            (
                EditableField::Title,
                &serde_json::json!("歩道の穴"),
                &serde_json::json!("車道の穴"),
                "insp"
            )
        );
        // The office reviews: the flag and the list clear.
        let m3 = run(
            &m2.record,
            &m2.versions,
            &[edit(FieldValue::NeedsReview(false), 6)],
            &office,
            7,
        )
        .unwrap();
        assert!(!m3.record.needs_review && m3.record.conflicts.is_empty());
    }

    /// The office retitles; the inspector's offline edit of the title loses.
    fn lost_title() -> Merged {
        let office = viewer("clerk", Role::Office);
        let m1 = run(
            &pothole(1),
            &FieldVersions::new(),
            &[edit(FieldValue::Title("歩道の穴".into()), 1)],
            &office,
            5,
        )
        .unwrap();
        let m2 = run(
            &m1.record,
            &m1.versions,
            &[edit(FieldValue::Title("車道の穴".into()), 1)],
            &viewer("insp", Role::Field),
            6,
        )
        .unwrap();
        assert_eq!(m2.lost, [EditableField::Title]);
        m2
    }

    #[test]
    fn keeping_mine_from_the_version_seen_applies_and_withdraws_my_conflict() {
        let m = lost_title();
        let insp = viewer("insp", Role::Field);
        let kept = run(
            &m.record,
            &m.versions,
            &[edit(FieldValue::Title("車道の穴".into()), 6)],
            &insp,
            7,
        )
        .unwrap();
        assert_eq!(kept.applied, [EditableField::Title]);
        assert_eq!(kept.record.title.as_deref(), Some("車道の穴"));
        assert!(kept.record.conflicts.is_empty());
        // Review stays the office's decision.
        assert!(kept.record.needs_review);
        assert_eq!(kept.record.version, 7);
    }

    #[test]
    fn keeping_theirs_withdraws_my_conflict_and_changes_no_value() {
        let m = lost_title();
        let kept = run(
            &m.record,
            &m.versions,
            &[edit(FieldValue::Title("歩道の穴".into()), 6)],
            &viewer("insp", Role::Field),
            7,
        )
        .unwrap();
        assert!(kept.changed && kept.lost.is_empty());
        assert_eq!(kept.record.title.as_deref(), Some("歩道の穴"));
        assert!(kept.record.conflicts.is_empty());
        assert!(kept.before.is_empty() && kept.after.is_empty());
        assert!(kept.record.needs_review);
    }

    #[test]
    fn settling_withdraws_only_my_entries_for_that_field() {
        let mut m = lost_title();
        m.record.conflicts.push(FieldConflict {
            field: EditableField::Title,
            server_value: "歩道の穴".into(),
            device_value: "別の案".into(),
            by: "clerk2".into(),
            at: 1,
        });
        m.record.conflicts.push(FieldConflict {
            field: EditableField::Description,
            server_value: "a".into(),
            device_value: "b".into(),
            by: "insp".into(),
            at: 1,
        });
        let kept = run(
            &m.record,
            &m.versions,
            &[edit(FieldValue::Title("歩道の穴".into()), 6)],
            &viewer("insp", Role::Field),
            7,
        )
        .unwrap();
        let left: Vec<_> = kept
            .record
            .conflicts
            .iter()
            .map(|c| (c.field, c.by.as_str()))
            .collect();
        assert_eq!(
            left,
            [
                (EditableField::Title, "clerk2"),
                (EditableField::Description, "insp")
            ]
        );
    }

    #[test]
    fn keeping_mine_from_a_version_still_too_old_loses_again_and_is_kept_once() {
        let m = lost_title();
        let again = run(
            &m.record,
            &m.versions,
            &[edit(FieldValue::Title("車道の穴".into()), 4)],
            &viewer("insp", Role::Field),
            7,
        )
        .unwrap();
        assert_eq!(again.lost, [EditableField::Title]);
        assert!(!again.changed);
        assert_eq!(again.record.conflicts.len(), 1);
    }

    #[test]
    fn finished_statuses_keep_field_edits_for_review() {
        for s in Status::ALL {
            assert_eq!(
                edits_kept_for_review(s),
                matches!(s, Status::Closed | Status::Referred | Status::Duplicate),
                "{s:?}"
            );
        }
    }

    #[test]
    fn a_field_edit_to_a_closed_request_is_kept_for_review_not_applied() {
        let mut r = pothole(3);
        r.status = Status::Closed;
        r.response = Some("補修済み".into());
        let m = run(
            &r,
            &FieldVersions::new(),
            &[edit(FieldValue::Description("まだ穴がある".into()), 3)],
            &viewer("insp", Role::Field),
            4,
        )
        .unwrap();
        assert_eq!(m.record.description.as_deref(), Some("深さ10cm"));
        assert_eq!(m.lost, [EditableField::Description]);
        assert!(m.record.needs_review);
        // The office may still correct it.
        let m = run(
            &r,
            &FieldVersions::new(),
            &[edit(FieldValue::Description("深さ12cm".into()), 3)],
            &viewer("clerk", Role::Office),
            4,
        )
        .unwrap();
        assert!(m.lost.is_empty());
    }

    #[test]
    fn field_staff_never_set_office_decisions() {
        let r = pothole(1);
        for value in [
            FieldValue::Status(Status::Routed),
            FieldValue::Section("elderly".into()),
            FieldValue::Assignee(Some("insp".into())),
            FieldValue::Response("直しました".into()),
        ] {
            let field = value.field();
            let e = run(
                &r,
                &FieldVersions::new(),
                &[edit(FieldValue::Title("x".into()), 1), edit(value, 1)],
                &viewer("insp", Role::Field),
                2,
            )
            .unwrap_err();
            assert_eq!(e, MergeError::NotAllowed(field));
            assert_eq!(e.code(), "not_allowed");
            assert!(e.message().ja.contains(field.label_ja()));
        }
        // Nor someone else's request's details.
        let e = run(
            &r,
            &FieldVersions::new(),
            &[edit(FieldValue::Title("x".into()), 1)],
            &viewer("insp2", Role::Field),
            2,
        )
        .unwrap_err();
        assert_eq!(e.code(), "not_allowed");
    }

    #[test]
    fn nobody_acts_on_a_sensitive_request_shown_to_them_redacted() {
        let mut r = pothole(1);
        r.category = "welfare-elderly".into();
        r.section = "elderly".into();
        r.logged_by = "caseworker".into();
        let outsider = viewer("clerk", Role::Office);
        for value in [
            FieldValue::Status(Status::Routed),
            FieldValue::Section("road".into()),
            FieldValue::Assignee(Some("clerk".into())),
            FieldValue::NeedsReview(false),
        ] {
            let e = run(&r, &FieldVersions::new(), &[edit(value, 1)], &outsider, 2).unwrap_err();
            assert_eq!(e, MergeError::NotReadable);
            assert_eq!(e.code(), "not_allowed");
            assert!(e.message().ja.contains("要配慮"), "{:?}", e.message());
            assert!(e.message().en.contains("sensitive"), "{:?}", e.message());
        }
        // The welfare section's own office staff answer and move it.
        let welfare = Viewer {
            staff_id: "welfareclerk".into(),
            role: Role::Office,
            sections: vec!["elderly".into()],
        };
        let m = run(
            &r,
            &FieldVersions::new(),
            &[
                edit(FieldValue::Response("訪問しました".into()), 1),
                edit(FieldValue::Status(Status::InProgress), 1),
            ],
            &welfare,
            2,
        )
        .unwrap();
        assert_eq!(m.record.status, Status::InProgress);
        assert!(m.lost.is_empty());
    }

    #[test]
    fn status_changes_follow_the_workflow_and_a_response_sent_along_counts() {
        let r = pothole(1);
        let office = viewer("clerk", Role::Office);
        let v = FieldVersions::new();
        let e = run(
            &r,
            &v,
            &[edit(FieldValue::Status(Status::Closed), 1)],
            &office,
            2,
        )
        .unwrap_err();
        assert_eq!(e.code(), "transition_not_allowed");
        let m = run(
            &r,
            &v,
            &[edit(FieldValue::Status(Status::InProgress), 1)],
            &office,
            2,
        )
        .unwrap();
        let e = run(
            &m.record,
            &m.versions,
            &[edit(FieldValue::Status(Status::Resolved), 2)],
            &office,
            3,
        )
        .unwrap_err();
        assert_eq!(e.code(), "response_required");
        let m = run(
            &m.record,
            &m.versions,
            &[
                edit(FieldValue::Status(Status::Resolved), 2),
                edit(FieldValue::Response("補修しました".into()), 2),
            ],
            &office,
            3,
        )
        .unwrap();
        assert_eq!(m.record.status, Status::Resolved);
        assert_eq!(m.record.response.as_deref(), Some("補修しました"));
    }

    #[test]
    fn bad_values_are_refused_with_validation_codes() {
        let r = pothole(1);
        let office = viewer("clerk", Role::Office);
        let v = FieldVersions::new();
        for (value, code) in [
            (FieldValue::Title(" ".into()), "empty_title"),
            (FieldValue::Section("moon".into()), "unknown_section"),
            (
                FieldValue::SharedWith(vec!["moon".into()]),
                "unknown_section",
            ),
            (FieldValue::Assignee(Some("a b".into())), "bad_staff_id"),
        ] {
            assert_eq!(
                run(&r, &v, &[edit(value, 1)], &office, 2)
                    .unwrap_err()
                    .code(),
                code
            );
        }
        assert_eq!(run(&r, &v, &[], &office, 2).unwrap_err().code(), "no_edits");
    }

    fn value() -> impl Strategy<Value = FieldValue> {
        prop_oneof![
            "[a-z穴段差]{1,8}".prop_map(FieldValue::Title),
            "[a-z ]{0,8}".prop_map(FieldValue::Description),
            (0usize..4).prop_map(|i| FieldValue::Urgency(Urgency::ALL[i])),
            proptest::option::of("[a-z0-9]{1,6}").prop_map(FieldValue::Assignee),
            "[a-z]{0,6}".prop_map(FieldValue::Response),
            proptest::sample::subsequence(vec!["road".to_string(), "elderly".to_string()], 0..=2)
                .prop_map(FieldValue::SharedWith),
        ]
    }

    /// A request some edits have been through: (record, versions, current version).
    fn history() -> impl Strategy<Value = (RequestRecord, FieldVersions, i64)> {
        proptest::collection::vec((value(), 0i64..4), 0..6).prop_map(|steps| {
            let mut r = pothole(1);
            let mut v = FieldVersions::new();
            let mut version = 1;
            for (val, lag) in steps {
                version += 1;
                let office = viewer("clerk", Role::Office);
                if let Ok(m) = run(&r, &v, &[edit(val, version - 1 - lag)], &office, version) {
                    r = m.record;
                    v = m.versions;
                }
            }
            (r, v, version)
        })
    }

    #[test]
    fn eight_thousand_edits_are_refused_before_any_work() {
        let r = pothole(1);
        // Invalid values, by someone who may not set them: the count refuses first, so
        // nothing is validated, compared or copied.
        let edits: Vec<FieldEdit> = (0..8000)
            .map(|_| edit(FieldValue::Status(Status::Closed), 0))
            .collect();
        let e = run(
            &r,
            &FieldVersions::new(),
            &edits,
            &viewer("insp", Role::Field),
            5,
        )
        .unwrap_err();
        assert_eq!(
            e,
            MergeError::TooManyEdits {
                len: 8000,
                max: MAX_EDITS_PER_MUTATION
            }
        );
        assert_eq!(e.code(), "too_many_edits");
        assert!(e.message().ja.contains("12項目"), "{}", e.message().ja);
        assert_eq!(check_edits(&edits), Err(e));
        // Every field once is the most there is.
        let all: Vec<FieldEdit> = EditableField::ALL
            .iter()
            .map(|f| edit(FieldValue::of(&r, *f), 1))
            .collect();
        assert_eq!(all.len(), MAX_EDITS_PER_MUTATION);
        assert_eq!(check_edits(&all), Ok(()));
    }

    #[test]
    fn a_field_edited_twice_in_one_mutation_is_refused() {
        let r = pothole(1);
        let edits = [
            edit(FieldValue::Title("段差".into()), 1),
            edit(FieldValue::Urgency(Urgency::Low), 1),
            edit(FieldValue::Title("穴".into()), 1),
        ];
        let e = run(
            &r,
            &FieldVersions::new(),
            &edits,
            &viewer("insp", Role::Field),
            5,
        )
        .unwrap_err();
        assert_eq!(e, MergeError::RepeatedField(EditableField::Title));
        assert_eq!(e.code(), "repeated_field");
        let m = e.message();
        assert!(m.ja.contains("「件名」") && m.en.contains("title"), "{m:?}");
        assert_eq!(check_edits(&[]), Err(MergeError::NoEdits));
    }

    #[test]
    fn conflicts_are_kept_per_field_up_to_the_cap_newest_last() {
        let mut r = pothole(1);
        let mut v = FieldVersions::new();
        v.insert(EditableField::Description, 50);
        v.insert(EditableField::Title, 50);
        let insp = viewer("insp", Role::Field);
        // One losing title edit, then many losing description edits.
        r = run(
            &r,
            &v,
            &[edit(FieldValue::Title("段差".into()), 1)],
            &insp,
            51,
        )
        .unwrap()
        .record;
        for i in 0..(MAX_CONFLICTS_PER_FIELD + 5) {
            let e = edit(FieldValue::Description(format!("幅{i}cm")), 1);
            r = run(&r, &v, &[e], &insp, 52 + i as i64).unwrap().record;
        }
        let of = |f: EditableField| r.conflicts.iter().filter(|c| c.field == f).count();
        assert_eq!(of(EditableField::Description), MAX_CONFLICTS_PER_FIELD);
        assert_eq!(of(EditableField::Title), 1, "another field's entries stay");
        let newest = r.conflicts.last().unwrap();
        assert_eq!(
            newest.device_value,
            format!("幅{}cm", MAX_CONFLICTS_PER_FIELD + 4)
        );
        assert!(!r.conflicts.iter().any(|c| c.device_value == "幅0cm"));
    }

    #[test]
    fn shared_with_is_sorted_once_each_and_bounded() {
        let r = pothole(1);
        let office = viewer("clerk", Role::Office);
        let list = |l: &[&str]| FieldValue::SharedWith(l.iter().map(|s| s.to_string()).collect());
        let m = run(
            &r,
            &FieldVersions::new(),
            &[edit(list(&["road", "elderly", "road", "elderly"]), 1)],
            &office,
            5,
        )
        .unwrap();
        assert_eq!(m.record.shared_with, vec!["elderly", "road"]);
        // The same sections in another order change nothing.
        let again = run(
            &m.record,
            &m.versions,
            &[edit(list(&["road", "elderly"]), 5)],
            &office,
            6,
        )
        .unwrap();
        assert!(!again.changed);
        // Too many entries are refused before each is looked up, repeats counted.
        let huge = FieldValue::SharedWith(vec!["nowhere".to_string(); 120_000]);
        let e = run(&r, &FieldVersions::new(), &[edit(huge, 1)], &office, 5).unwrap_err();
        assert_eq!(e.code(), "too_many_sections");
        assert!(e.message().ja.contains("連携先"));
        let most =
            FieldValue::SharedWith(vec!["road".to_string(); crate::validation::SHARED_WITH_MAX]);
        assert!(run(&r, &FieldVersions::new(), &[edit(most, 1)], &office, 5).is_ok());
    }

    proptest! {
        #[test]
        fn applying_the_same_edit_twice_is_applying_it_once(
            (r, v, version) in history(), val in value(), lag in 0i64..4, field_staff: bool,
        ) {
            let who = if field_staff { viewer("insp", Role::Field) } else { viewer("clerk", Role::Office) };
            let e = [edit(val, version - lag)];
            if let Ok(once) = run(&r, &v, &e, &who, version + 1) {
                let twice = run(&once.record, &once.versions, &e, &who, version + 2).unwrap();
                prop_assert!(!twice.changed);
                prop_assert_eq!(twice.record, once.record);
                prop_assert_eq!(twice.versions, once.versions);
            }
        }

        #[test]
        fn an_edit_from_the_current_version_always_applies((r, v, version) in history(), val in value()) {
            let office = viewer("clerk", Role::Office);
            let m = run(&r, &v, &[edit(val.clone(), version)], &office, version + 1).unwrap();
            prop_assert!(m.lost.is_empty());
            prop_assert!(val.is_current(&m.record));
            // Only the editor's own entries for that field are withdrawn.
            let field = val.field();
            let kept: Vec<_> = r.conflicts.iter().filter(|c| !(c.field == field && c.by == "clerk")).cloned().collect();
            prop_assert_eq!(m.record.conflicts, kept);
        }

        /// The copy-free check says exactly what applying to a copy would.
        #[test]
        fn is_current_is_applying_to_a_copy((r, _v, _version) in history(), val in value()) {
            let mut copy = r.clone();
            val.apply_to(&mut copy);
            prop_assert_eq!(val.is_current(&r), copy == r);
        }

        #[test]
        fn a_stale_edit_never_changes_the_server_value(
            (r, mut v, version) in history(), val in value(), behind in 1i64..3,
        ) {
            let field = val.field();
            // The field last changed at some version after the edit's base (if the history
            // did not touch it, say it changed at the latest version).
            let last = *v.entry(field).or_insert(version);
            let office = viewer("clerk", Role::Office);
            let m = run(&r, &v, &[edit(val.clone(), last - behind)], &office, version + 1).unwrap();
            prop_assert_eq!(FieldValue::of(&m.record, field), FieldValue::of(&r, field));
            if !val.is_current(&r) {
                prop_assert_eq!(&m.lost, &vec![field]);
                prop_assert!(m.record.needs_review);
                prop_assert!(m.record.conflicts.iter().any(|c| c.field == field && c.device_value == val.json()));
            }
        }
    }
}
