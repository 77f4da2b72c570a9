//! Who may see and do what. The ward record enforces it on every read path; the app
//! uses the same rules to decide what to offer.

use serde::{Deserialize, Serialize};

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
    /// Field staff see what they logged and what is routed to their sections.
    pub fn sees(&self, record: &RequestRecord) -> bool {
        self.role.reviews_ward()
            || record.logged_by == self.staff_id
            || self.sections.contains(&record.section)
    }

    /// The request as this reader may see it: a sensitive request's who and what are
    /// removed unless the reader logged it or may read sensitive details.
    pub fn redact(&self, mut record: RequestRecord, catalogue: &Catalogue) -> RequestRecord {
        let sensitive = catalogue
            .category(&record.category)
            // A category no longer in the catalogue is treated as sensitive: fail closed.
            .is_none_or(|c| c.sensitive);
        if sensitive && record.logged_by != self.staff_id && !self.reads_sensitive(catalogue) {
            record.title = None;
            record.description = None;
            record.place = None;
            record.redacted = true;
        }
        record
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
        assert_eq!(seen.status, Status::New);
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
}
