//! Who may see and do what. The ward record enforces it on every read path; the app
//! uses the same rules to decide what to offer.

use serde::{Deserialize, Serialize};

use crate::merge::EditableField;
use crate::{Catalogue, RequestRecord};

/// A staff member's role in the office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 現場職員: road and park inspectors, welfare case workers.
    Field,
    /// 事務職員: reviews and responds at the office.
    Office,
    /// 課長: a section head.
    Supervisor,
    /// 管理者
    Admin,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Self::Field => "field",
            Self::Office => "office",
            Self::Supervisor => "supervisor",
            Self::Admin => "admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Field, Self::Office, Self::Supervisor, Self::Admin]
            .into_iter()
            .find(|r| r.code() == code)
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Field => "現場職員",
            Self::Office => "事務職員",
            Self::Supervisor => "課長",
            Self::Admin => "管理者",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Field => "Field staff",
            Self::Office => "Office staff",
            Self::Supervisor => "Section head",
            Self::Admin => "Administrator",
        }
    }

    /// Office staff, section heads and administrators review the whole ward's list.
    pub fn reviews_ward(self) -> bool {
        !matches!(self, Self::Field)
    }
}

/// The person reading: enough to decide what they may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub staff_id: String,
    pub role: Role,
    pub sections: Vec<String>,
}

impl Viewer {
    /// 要配慮 details are for administrators and members of a welfare section.
    pub fn reads_sensitive(&self, catalogue: &Catalogue) -> bool {
        self.role == Role::Admin
            || self
                .sections
                .iter()
                .any(|s| catalogue.section(s).is_some_and(|s| s.welfare))
    }

    /// Whether this reader may see the request at all (its existence and status).
    /// Field staff see what they logged, what is routed to their sections and what is
    /// shared with them (連携先). Sharing does not open a sensitive request's details.
    pub fn sees(&self, record: &RequestRecord) -> bool {
        self.role.reviews_ward()
            || record.logged_by == self.staff_id
            || self.sections.contains(&record.section)
            || record.shared_with.iter().any(|s| self.sections.contains(s))
    }

    /// Whether the request's who and what are sensitive (要配慮).
    pub fn is_sensitive(record: &RequestRecord, catalogue: &Catalogue) -> bool {
        catalogue
            .category(&record.category)
            // A category no longer in the catalogue is treated as sensitive: fail closed.
            .is_none_or(|c| c.sensitive)
    }

    /// Whether this reader may read the request's details (who, what, where, the
    /// response, notes, conflicts): always for ordinary requests; for a sensitive one only
    /// its author and those who may read sensitive details.
    pub fn reads_details(&self, record: &RequestRecord, catalogue: &Catalogue) -> bool {
        !Self::is_sensitive(record, catalogue)
            || record.logged_by == self.staff_id
            || self.reads_sensitive(catalogue)
    }

    /// Whether reading this request's details goes on the access log: a sensitive
    /// request read by anyone but its author.
    pub fn read_is_logged(&self, record: &RequestRecord, catalogue: &Catalogue) -> bool {
        Self::is_sensitive(record, catalogue) && record.logged_by != self.staff_id
    }

    /// The request as this reader may see it: a sensitive request's who and what (title,
    /// description, place, contact, response, conflicts) are removed unless the reader
    /// logged it or may read sensitive details. Notes and history go with the details:
    /// a reader who gets `redacted` gets neither.
    pub fn redact(&self, record: RequestRecord, catalogue: &Catalogue) -> RequestRecord {
        if self.reads_details(&record, catalogue) {
            record
        } else {
            redacted(&record, catalogue)
        }
    }

    /// Whether this person may act on the request at all: any office decision (status,
    /// routing, sharing, assignee, the response, a duplicate, review), any edit, a note.
    ///
    /// Acting requires being allowed to read it. A 要配慮 consultation shown redacted
    /// (「福祉 · 受付」) gives nothing to decide on: a section head of parks could close it
    /// unanswered, route it out of the welfare sections or share it with a section that
    /// should not have it, all blind, and each act tells the welfare section's case to
    /// someone outside it. So a sensitive request is acted on only by those who read it
    /// (its author, the welfare sections, administrators); the welfare section answers
    /// and closes its own cases (its office staff and its head, [`Role::reviews_ward`]).
    /// No action is left to a redacted viewer: there is nothing they could safely choose.
    pub fn may_act(&self, record: &RequestRecord, catalogue: &Catalogue) -> bool {
        self.sees(record) && self.reads_details(record, catalogue)
    }

    /// Whether this person may set `field` on the request. Nobody acts on a request they
    /// may not read ([`Viewer::may_act`]). Field staff change what they saw on site, on
    /// requests they logged; the office's decisions (status, routing, sharing, assignee,
    /// the response, review) are for office staff, section heads and administrators who
    /// may read the request — on a 要配慮 request, those of a welfare section and
    /// administrators.
    pub fn may_edit(
        &self,
        record: &RequestRecord,
        field: EditableField,
        catalogue: &Catalogue,
    ) -> bool {
        if !self.may_act(record, catalogue) {
            return false;
        }
        if self.role.reviews_ward() {
            return true;
        }
        record.logged_by == self.staff_id && !field.is_office_decision()
    }

    /// Whether this person may add an internal note: whoever may act on the request.
    pub fn may_add_note(&self, record: &RequestRecord, catalogue: &Catalogue) -> bool {
        self.may_act(record, catalogue)
    }

    /// Whether a request may be assigned to this person (担当者): someone who may read
    /// it. A 要配慮 consultation is never handed to someone who would see it redacted.
    pub fn may_be_assigned(&self, record: &RequestRecord, catalogue: &Catalogue) -> bool {
        self.reads_details(record, catalogue)
    }
}

/// What `category` becomes on a redacted request: its group, `group:<group_ja>`
/// (`group:福祉`), never a category code (codes are `[a-z][a-z0-9-]*`, so the two never
/// meet). A category the catalogue no longer has is `group:`.
pub const REDACTED_GROUP_PREFIX: &str = "group:";

/// The group a redacted request's `category` names, if it is one (`group:福祉` → `福祉`).
pub fn redacted_group(category: &str) -> Option<&str> {
    category.strip_prefix(REDACTED_GROUP_PREFIX)
}

/// How a redacted request's category is shown: its group, in both languages (`None` for
/// a category that is not a redacted group).
pub fn redacted_group_label(catalogue: &Catalogue, category: &str) -> Option<crate::Bilingual> {
    let group = redacted_group(category)?;
    let en = catalogue
        .categories
        .iter()
        .find(|c| c.group_ja == group)
        .map_or(group, |c| c.group_en.as_str());
    Some(crate::Bilingual::new(group, en))
}

/// The one shape of a request whose details the reader may not read (list, pull, detail,
/// exports, reports): that it exists (`id`), its category's group, its section and its
/// status — and `version`, the sync's own counter, which devices edit from. Everything
/// else is empty or fixed (`urgency` is always `medium`, times 0, `logged_by` ""),
/// whatever the request holds. Built field by field from nothing, so a field added to
/// [`RequestRecord`] later is hidden until someone decides otherwise here.
pub fn redacted(record: &RequestRecord, catalogue: &Catalogue) -> RequestRecord {
    let group = catalogue
        .category(&record.category)
        .map_or("", |c| c.group_ja.as_str());
    RequestRecord {
        id: record.id,
        category: format!("{REDACTED_GROUP_PREFIX}{group}"),
        section: record.section.clone(),
        title: None,
        description: None,
        place: None,
        urgency: crate::Urgency::Medium,
        status: record.status,
        logged_by: String::new(),
        logged_at: 0,
        received_at: 0,
        version: record.version,
        redacted: true,
        contact: None,
        shared_with: Vec::new(),
        assignee: None,
        response: None,
        duplicate_of: None,
        needs_review: false,
        conflicts: Vec::new(),
        due: None,
        milestones: crate::Milestones::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::tests::sample;
    use crate::{Place, Status, Urgency};

    fn record(category: &str, section: &str, by: &str) -> RequestRecord {
        RequestRecord {
            id: crate::id::request_id(1, [0; 10]),
            category: category.into(),
            section: section.into(),
            title: Some("訪問".into()),
            description: Some("一人暮らしの方".into()),
            place: Some(Place::default()),
            urgency: Urgency::Medium,
            status: Status::New,
            logged_by: by.into(),
            logged_at: 1,
            received_at: 2,
            version: 1,
            redacted: false,
            contact: Some(crate::Contact {
                name: Some("山田".into()),
                phone: Some("044-000-0000".into()),
                email: None,
                consent_to_contact: true,
            }),
            shared_with: vec![],
            assignee: None,
            response: Some("訪問予定".into()),
            duplicate_of: None,
            needs_review: true,
            conflicts: vec![crate::FieldConflict {
                field: EditableField::Description,
                server_value: "a".into(),
                device_value: "b".into(),
                by: by.into(),
                at: 3,
            }],
            due: None,
            milestones: Default::default(),
        }
    }

    fn viewer(id: &str, role: Role, sections: &[&str]) -> Viewer {
        Viewer {
            staff_id: id.into(),
            role,
            sections: sections.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn office_clerk_sees_welfare_request_exists_but_not_its_details() {
        let cat = sample();
        let clerk = viewer("clerk", Role::Office, &["road"]);
        let r = record("welfare-elderly", "elderly", "caseworker");
        assert!(clerk.sees(&r));
        let seen = clerk.redact(r, &cat);
        assert!(seen.redacted);
        assert_eq!(seen.title, None);
        assert_eq!(seen.description, None);
        assert_eq!(seen.contact, None);
        assert_eq!(seen.response, None);
        assert!(seen.conflicts.is_empty());
        assert_eq!(seen.status, Status::New);
    }

    #[test]
    fn a_redacted_request_tells_its_group_section_and_status_only() {
        let cat = sample();
        let clerk = viewer("clerk", Role::Office, &["road"]);
        let mut r = record("welfare-elderly", "elderly", "caseworker");
        r.urgency = Urgency::Urgent;
        r.shared_with = vec!["road".into()];
        r.assignee = Some("welfare01".into());
        r.duplicate_of = Some(crate::id::request_id(9, [1; 10]));
        r.due = Some(crate::DueDates {
            route_by: 10,
            first_response_by: 20,
            resolve_by: 30,
        });
        r.milestones.routed_at = Some(5);
        r.version = 7;
        let seen = clerk.redact(r.clone(), &cat);
        let group = &cat.category("welfare-elderly").unwrap().group_ja;
        let expected = RequestRecord {
            id: r.id,
            category: format!("group:{group}"),
            section: "elderly".into(),
            title: None,
            description: None,
            place: None,
            urgency: Urgency::Medium,
            status: Status::New,
            logged_by: String::new(),
            logged_at: 0,
            received_at: 0,
            version: 7,
            redacted: true,
            contact: None,
            shared_with: vec![],
            assignee: None,
            response: None,
            duplicate_of: None,
            needs_review: false,
            conflicts: vec![],
            due: None,
            milestones: Default::default(),
        };
        assert_eq!(seen, expected);
        assert_eq!(redacted_group(&seen.category), Some(group.as_str()));
        // The same shape whatever the request held: two consultations differ only in
        // id, section, status and version.
        let mut other = record("welfare-elderly", "elderly", "someone-else");
        other.id = r.id;
        other.version = 7;
        assert_eq!(clerk.redact(other, &cat), expected);
        // A redacted copy is still sensitive (its "category" is no category: fail closed).
        assert!(Viewer::is_sensitive(&seen, &cat));
    }

    #[test]
    fn field_staff_edit_what_they_saw_on_their_own_requests_only() {
        let cat = sample();
        let r = record("road-pothole", "road", "insp");
        let own = viewer("insp", Role::Field, &["road"]);
        let colleague = viewer("insp2", Role::Field, &["road"]);
        for f in [
            EditableField::Title,
            EditableField::Description,
            EditableField::Place,
            EditableField::Contact,
            EditableField::Urgency,
        ] {
            assert!(own.may_edit(&r, f, &cat), "{f:?}");
            assert!(!colleague.may_edit(&r, f, &cat), "{f:?}");
        }
        for f in [
            EditableField::Status,
            EditableField::Section,
            EditableField::SharedWith,
            EditableField::Assignee,
            EditableField::Response,
            EditableField::DuplicateOf,
            EditableField::NeedsReview,
        ] {
            assert!(!own.may_edit(&r, f, &cat), "{f:?}");
        }
        let clerk = viewer("clerk", Role::Office, &[]);
        for f in EditableField::ALL {
            assert!(clerk.may_edit(&r, f, &cat), "{f:?}");
        }
    }

    #[test]
    fn nobody_acts_on_a_request_they_may_not_read() {
        let cat = sample();
        let r = record("welfare-elderly", "elderly", "caseworker");
        for outsider in [
            viewer("clerk", Role::Office, &["road"]),
            viewer("parkhead", Role::Supervisor, &["park"]),
        ] {
            assert!(outsider.sees(&r), "{outsider:?}");
            assert!(!outsider.may_act(&r, &cat), "{outsider:?}");
            for f in EditableField::ALL {
                assert!(!outsider.may_edit(&r, f, &cat), "{outsider:?} {f:?}");
            }
            assert!(!outsider.may_add_note(&r, &cat));
            assert!(!outsider.may_be_assigned(&r, &cat));
        }
        // The same outsiders act on an ordinary request.
        let road = record("road-pothole", "road", "insp");
        let parkhead = viewer("parkhead", Role::Supervisor, &["park"]);
        assert!(parkhead.may_edit(&road, EditableField::Status, &cat));
        assert!(parkhead.may_be_assigned(&road, &cat));
        // A field worker of the welfare section notes, but does not decide.
        let worker = viewer("w", Role::Field, &["elderly"]);
        assert!(worker.may_add_note(&r, &cat));
        assert!(worker.may_be_assigned(&r, &cat));
        assert!(!worker.may_edit(&r, EditableField::Status, &cat));
        assert!(!worker.may_edit(&r, EditableField::Response, &cat));
    }

    #[test]
    fn the_welfare_section_answers_and_closes_its_own_cases() {
        let cat = sample();
        let r = record("welfare-elderly", "elderly", "caseworker");
        for v in [
            viewer("welfarehead", Role::Supervisor, &["elderly"]),
            viewer("welfareclerk", Role::Office, &["elderly"]),
            viewer("admin", Role::Admin, &[]),
        ] {
            for f in EditableField::ALL {
                assert!(v.may_edit(&r, f, &cat), "{v:?} {f:?}");
            }
            assert!(v.may_add_note(&r, &cat));
        }
    }

    #[test]
    fn welfare_section_author_and_admin_read_details() {
        let cat = sample();
        let r = record("welfare-elderly", "elderly", "caseworker");
        for v in [
            viewer("other", Role::Field, &["elderly"]),
            viewer("caseworker", Role::Field, &[]),
            viewer("admin", Role::Admin, &[]),
        ] {
            assert!(!v.redact(r.clone(), &cat).redacted, "{v:?}");
        }
    }

    #[test]
    fn road_requests_are_not_redacted() {
        let cat = sample();
        let clerk = viewer("clerk", Role::Office, &[]);
        assert!(
            !clerk
                .redact(record("road-pothole", "road", "x"), &cat)
                .redacted
        );
    }

    #[test]
    fn unknown_category_fails_closed() {
        let cat = sample();
        let clerk = viewer("clerk", Role::Office, &[]);
        assert!(clerk.redact(record("gone", "road", "x"), &cat).redacted);
    }

    #[test]
    fn field_staff_see_their_own_and_their_sections_only() {
        let inspector = viewer("insp", Role::Field, &["road"]);
        assert!(inspector.sees(&record("road-pothole", "road", "someone")));
        assert!(inspector.sees(&record("welfare-elderly", "elderly", "insp")));
        assert!(!inspector.sees(&record("welfare-elderly", "elderly", "someone")));
    }

    #[test]
    fn sharing_with_a_section_shows_it_but_not_sensitive_details() {
        let cat = sample();
        let inspector = viewer("insp", Role::Field, &["road"]);
        let mut r = record("welfare-elderly", "elderly", "someone");
        r.shared_with = vec!["road".into()];
        assert!(inspector.sees(&r));
        assert!(inspector.redact(r, &cat).redacted);
    }

    #[test]
    fn a_redacted_category_is_shown_as_its_group_in_both_languages() {
        let catalogue = sample();
        let welfare = catalogue
            .categories
            .iter()
            .find(|c| c.sensitive)
            .expect("a sensitive category");
        let code = format!("{REDACTED_GROUP_PREFIX}{}", welfare.group_ja);
        let label = redacted_group_label(&catalogue, &code).expect("a group");
        assert_eq!(label.ja, welfare.group_ja);
        assert_eq!(label.en, welfare.group_en);
        assert!(redacted_group_label(&catalogue, &welfare.code).is_none());
    }
}
