//! A resident request or consultation (要望・相談) as logged on the device and as held by
//! the ward record.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::calendar::{timeliness, DueDates, Timeliness};
use crate::milestones::Milestones;

/// 緊急度. `Urgent` means danger now (a hole in a road).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Urgent,
    High,
    Medium,
    Low,
}

impl Urgency {
    pub const ALL: [Urgency; 4] = [Self::Urgent, Self::High, Self::Medium, Self::Low];

    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Urgent => "緊急",
            Self::High => "高",
            Self::Medium => "中",
            Self::Low => "低",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Urgent => "Urgent",
            Self::High => "High",
            Self::Medium => "Medium",
            Self::Low => "Low",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Urgent => "urgent",
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.code() == code)
    }
}

/// 状態 of a request in the office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 受付
    New,
    /// 担当決定
    Routed,
    /// 対応中
    InProgress,
    /// 対応済
    Resolved,
    /// 完了
    Closed,
    /// 他機関へ回付
    Referred,
    /// 重複
    Duplicate,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Self::New,
        Self::Routed,
        Self::InProgress,
        Self::Resolved,
        Self::Closed,
        Self::Referred,
        Self::Duplicate,
    ];

    pub fn label_ja(self) -> &'static str {
        match self {
            Self::New => "受付",
            Self::Routed => "担当決定",
            Self::InProgress => "対応中",
            Self::Resolved => "対応済",
            Self::Closed => "完了",
            Self::Referred => "他機関へ回付",
            Self::Duplicate => "重複",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::New => "New",
            Self::Routed => "Routed",
            Self::InProgress => "In progress",
            Self::Resolved => "Resolved",
            Self::Closed => "Closed",
            Self::Referred => "Referred elsewhere",
            Self::Duplicate => "Duplicate",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Routed => "routed",
            Self::InProgress => "in_progress",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
            Self::Referred => "referred",
            Self::Duplicate => "duplicate",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Where the request is: the device's GPS fix, an address typed in, or both.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// GPS accuracy radius in metres, as the device reported it.
    pub accuracy_m: Option<f64>,
    #[serde(default)]
    pub address: String,
    /// 目印: a landmark a person finds on foot ("in front of the post office").
    #[serde(default)]
    pub landmark: String,
}

/// The resident's contact, as far as they gave it. Every part is optional: a resident may
/// stay anonymous.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// The resident agreed to be contacted about the outcome.
    #[serde(default)]
    pub consent_to_contact: bool,
}

impl Contact {
    pub fn is_anonymous(&self) -> bool {
        [&self.name, &self.phone, &self.email]
            .iter()
            .all(|v| v.as_deref().is_none_or(|t| t.trim().is_empty()))
    }
}

/// An internal note (内部メモ) on a request: append-only, identified by an id made on the
/// device so a retried note is stored once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub id: Uuid,
    pub request_id: Uuid,
    pub by: String,
    /// Ward record clock (ms since epoch).
    pub at: i64,
    pub text: String,
    /// Server order of the change that added it.
    pub version: i64,
}

/// What the field worker logs on the device; the payload of a create mutation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewRequest {
    /// UUIDv7 made on the device.
    pub id: Uuid,
    pub category: String,
    pub title: String,
    /// What the resident said.
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub place: Place,
    pub urgency: Urgency,
    /// Device clock when it was logged, milliseconds since the Unix epoch.
    pub logged_at: i64,
    /// The resident's contact, if they gave one (empty: anonymous).
    #[serde(default)]
    pub contact: Contact,
}

/// A request as the ward record holds it and hands it to a reader. Sensitive
/// (要配慮) details are `None` with `redacted` set when the reader may not see them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestRecord {
    pub id: Uuid,
    pub category: String,
    /// The responsible section (from the category until re-routed).
    pub section: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub place: Option<Place>,
    pub urgency: Urgency,
    pub status: Status,
    /// Staff id of who logged it.
    pub logged_by: String,
    /// Device clock when logged (ms since epoch).
    pub logged_at: i64,
    /// Ward record clock when it arrived (ms since epoch).
    pub received_at: i64,
    /// Server order of the last change to this request; also the pull cursor.
    pub version: i64,
    #[serde(default)]
    pub redacted: bool,
    /// The resident's contact; `None` when redacted.
    #[serde(default)]
    pub contact: Option<Contact>,
    /// 連携先: other sections this request is shared with.
    #[serde(default)]
    pub shared_with: Vec<String>,
    /// 担当者: the staff id working on it.
    #[serde(default)]
    pub assignee: Option<String>,
    /// 対応内容: the response given to the resident; `None` when none yet or redacted.
    #[serde(default)]
    pub response: Option<String>,
    /// For 重複: the original request.
    #[serde(default)]
    pub duplicate_of: Option<Uuid>,
    /// Some device edit lost to a newer change: someone should look at `conflicts`.
    #[serde(default)]
    pub needs_review: bool,
    /// The edits that lost, kept so nothing a person typed is lost. Empty when redacted.
    #[serde(default)]
    pub conflicts: Vec<FieldConflict>,
    /// 期限: due dates from the category's service standard, fixed when the ward record
    /// received the request. `None` when the category had no standard (or from an older
    /// ward record).
    #[serde(default)]
    pub due: Option<DueDates>,
    /// 節目: when the office first routed, first answered and resolved it (see
    /// [`crate::milestones`]). Empty on records from an older ward record.
    #[serde(default)]
    pub milestones: Milestones,
}

impl RequestRecord {
    /// The record as first stored from a device's create.
    pub fn created(
        request: &NewRequest,
        section: &str,
        logged_by: &str,
        received_at: i64,
        version: i64,
    ) -> Self {
        Self {
            id: request.id,
            category: request.category.clone(),
            section: section.to_string(),
            title: Some(request.title.trim().to_string()),
            description: Some(request.description.clone()),
            place: Some(request.place.clone()),
            urgency: request.urgency,
            status: Status::New,
            logged_by: logged_by.to_string(),
            logged_at: request.logged_at,
            received_at,
            version,
            redacted: false,
            contact: Some(request.contact.clone()),
            shared_with: Vec::new(),
            assignee: None,
            response: None,
            duplicate_of: None,
            needs_review: false,
            conflicts: Vec::new(),
            due: None,
            milestones: Milestones::default(),
        }
    }

    /// Is the office still working on it (受付, 担当決定, 対応中)?
    pub fn is_open(&self) -> bool {
        matches!(
            self.status,
            Status::New | Status::Routed | Status::InProgress
        )
    }

    /// How the request stands against its resolve-by date at `now` (ms since the
    /// epoch): judged on when it was first resolved once it has been (on time or late,
    /// even if reopened since), else against the clock while it is open. `None` without
    /// due dates, and for a request finished before the ward record kept milestones
    /// (when it was resolved is not known, so it is not judged).
    pub fn resolve_timeliness(&self, now: i64) -> Option<Timeliness> {
        self.step_timeliness(crate::report::Standard::Resolve, now)
    }

    /// How the request stands against one standard's due date at `now`: done on time or
    /// late by its milestone, else (still open) on time, due soon or overdue by the clock.
    /// `None` without due dates, or finished without the milestone (older records).
    pub fn step_timeliness(
        &self,
        standard: crate::report::Standard,
        now: i64,
    ) -> Option<Timeliness> {
        let due = standard.due(&self.due?);
        match standard.done_at(&self.milestones) {
            Some(at) => Some(timeliness(due, now, Some(at))),
            None if self.is_open() => Some(timeliness(due, now, None)),
            None => None,
        }
    }

    /// With the due dates of its category's service standard, from when it was received.
    pub fn with_due(mut self, catalogue: &crate::Catalogue) -> Self {
        self.due = catalogue.due_dates(&self.category, self.received_at);
        self
    }
}

/// One field edit that lost: the server's value stayed, the device's is kept here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldConflict {
    pub field: crate::merge::EditableField,
    pub server_value: serde_json::Value,
    pub device_value: serde_json::Value,
    /// Staff id of who made the losing edit.
    pub by: String,
    /// Ward record clock when it arrived (ms since epoch).
    pub at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{tests::jst, DAY_MS};
    use crate::catalogue::tests::sample;

    fn pothole(received_at: i64) -> RequestRecord {
        let request = NewRequest {
            id: crate::id::request_id(1, [0; 10]),
            category: "road-pothole".into(),
            title: "穴".into(),
            description: String::new(),
            place: Place::default(),
            urgency: Urgency::Urgent,
            logged_at: received_at,
            contact: Contact::default(),
        };
        RequestRecord::created(&request, "road", "insp", received_at, 1).with_due(&sample())
    }

    #[test]
    fn a_new_record_is_due_by_its_category_standard() {
        let r = pothole(jst("2026-06-05", 19, 40));
        let due = r.due.expect("due dates");
        assert_eq!(due.route_by, jst("2026-06-09", 0, 0) - 1);
        assert_eq!(due.resolve_by, jst("2026-07-04", 0, 0) - 1);
        assert_eq!(
            r.resolve_timeliness(due.resolve_by - 5 * DAY_MS),
            Some(Timeliness::OnTime)
        );
        assert_eq!(
            r.resolve_timeliness(due.resolve_by - 1),
            Some(Timeliness::DueSoon)
        );
        assert_eq!(
            r.resolve_timeliness(due.resolve_by + 1),
            Some(Timeliness::Overdue)
        );
        // Finished before the ward record kept milestones: not judged.
        let closed = RequestRecord {
            status: Status::Closed,
            ..r.clone()
        };
        assert_eq!(closed.resolve_timeliness(due.resolve_by + 1), None);
        // Resolved in time stays on time however late it is read; resolved late is late.
        let resolved_at = |at| RequestRecord {
            status: Status::Closed,
            milestones: Milestones {
                routed_at: Some(at),
                first_response_at: Some(at),
                resolved_at: Some(at),
            },
            ..r.clone()
        };
        assert_eq!(
            resolved_at(due.resolve_by).resolve_timeliness(due.resolve_by + 50 * DAY_MS),
            Some(Timeliness::OnTime)
        );
        assert_eq!(
            resolved_at(due.resolve_by + 1).resolve_timeliness(due.resolve_by + 2),
            Some(Timeliness::Overdue)
        );
        // Reopened after an in-time resolution: still judged on the first one.
        let reopened = RequestRecord {
            status: Status::InProgress,
            ..resolved_at(due.resolve_by - DAY_MS)
        };
        assert_eq!(
            reopened.resolve_timeliness(due.resolve_by + DAY_MS),
            Some(Timeliness::OnTime)
        );
        // A category without a standard has no due dates.
        let welfare = RequestRecord {
            category: "welfare-elderly".into(),
            ..r
        }
        .with_due(&sample());
        assert_eq!(welfare.due, None);
        assert_eq!(welfare.resolve_timeliness(0), None);
    }
}
