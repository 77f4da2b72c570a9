//! Milestones (節目): when the office first routed, first answered and resolved a
//! request. The service standards (区役所サービス基準) are judged on them: "route within
//! N working days, first response within M, resolve within K".
//!
//! **Which changes count.** The ward record calls [`advance`] inside the transaction of
//! every change to a request, with the record before and after the change and the ward
//! record's clock. A milestone is set once, the first time its event happens, and never
//! moves afterwards (reopening a request does not undo that it was once resolved; the
//! standard measures the first resolution).
//!
//! - **Routed (担当決定)**: the first change that takes the request out of 受付 (New) to
//!   any other status (担当決定, 対応中, 対応済, 他機関へ回付, 重複 …), or the first change of
//!   its responsible section by the office (a re-route is a routing decision even if the
//!   status stays 受付).
//! - **First response (初回対応)**: the first move to 対応中, 対応済 or 完了, or the first
//!   time a response to the resident (対応内容) is written. Referring elsewhere and marking
//!   a duplicate also count: the resident's matter was answered by passing it on or by the
//!   original request.
//! - **Resolved (解決)**: the first move to 対応済, 完了, 他機関へ回付 or 重複: the office has
//!   finished with it.
//!
//! A later milestone implies the earlier ones: a request resolved straight from 受付 was
//! routed and first answered at that same moment, so no milestone is ever later than the
//! one after it.

use serde::{Deserialize, Serialize};

use crate::{RequestRecord, Status};

/// When a request reached each milestone (ward record clock, ms since the epoch);
/// `None`: not yet, or before the ward record kept milestones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestones {
    #[serde(default)]
    pub routed_at: Option<i64>,
    #[serde(default)]
    pub first_response_at: Option<i64>,
    #[serde(default)]
    pub resolved_at: Option<i64>,
}

/// Whether a status means the office has finished with the request.
pub fn is_finished(status: Status) -> bool {
    matches!(
        status,
        Status::Resolved | Status::Closed | Status::Referred | Status::Duplicate
    )
}

/// Whether a status means the resident's matter has been answered.
fn is_answered(status: Status) -> bool {
    status == Status::InProgress || is_finished(status)
}

fn has_response(record: &RequestRecord) -> bool {
    record
        .response
        .as_deref()
        .is_some_and(|r| !r.trim().is_empty())
}

/// The milestones after `old` became `new` at `at`: `old`'s milestones with those this
/// change reached for the first time set to `at`. Pure; see the module doc for the rules.
pub fn advance(old: &RequestRecord, new: &RequestRecord, at: i64) -> Milestones {
    let mut m = old.milestones;
    let status_changed = old.status != new.status;
    let resolved = status_changed && is_finished(new.status);
    let answered = (status_changed && is_answered(new.status))
        || (has_response(new) && new.response != old.response);
    let routed =
        (old.status == Status::New && new.status != Status::New) || old.section != new.section;
    if m.resolved_at.is_none() && resolved {
        m.resolved_at = Some(at);
    }
    if m.first_response_at.is_none() && (answered || m.resolved_at.is_some()) {
        m.first_response_at = Some(m.resolved_at.map_or(at, |r| r.min(at)));
    }
    if m.routed_at.is_none() && (routed || m.first_response_at.is_some()) {
        m.routed_at = Some(m.first_response_at.map_or(at, |f| f.min(at)));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Contact, NewRequest, Place, Urgency};

    fn record() -> RequestRecord {
        let request = NewRequest {
            id: crate::id::request_id(1, [0; 10]),
            category: "road-pothole".into(),
            title: "穴".into(),
            description: String::new(),
            place: Place::default(),
            urgency: Urgency::High,
            logged_at: 1,
            contact: Contact::default(),
        };
        RequestRecord::created(&request, "road", "insp", 10, 1)
    }

    fn with(r: &RequestRecord, f: impl FnOnce(&mut RequestRecord)) -> RequestRecord {
        let mut next = r.clone();
        f(&mut next);
        next
    }

    /// Applies a change and keeps its milestones, as the ward record does.
    fn step(r: &RequestRecord, at: i64, f: impl FnOnce(&mut RequestRecord)) -> RequestRecord {
        let mut next = with(r, f);
        next.milestones = advance(r, &next, at);
        next
    }

    #[test]
    fn a_new_request_has_no_milestones() {
        assert_eq!(record().milestones, Milestones::default());
        // Editing what was seen on site is no milestone.
        let r = record();
        let edited = with(&r, |n| n.title = Some("深い穴".into()));
        assert_eq!(advance(&r, &edited, 50), Milestones::default());
    }

    #[test]
    fn the_usual_path_sets_each_milestone_once() {
        let r = record();
        let routed = step(&r, 100, |n| n.status = Status::Routed);
        assert_eq!(routed.milestones.routed_at, Some(100));
        assert_eq!(routed.milestones.first_response_at, None);
        let working = step(&routed, 200, |n| n.status = Status::InProgress);
        assert_eq!(working.milestones.routed_at, Some(100));
        assert_eq!(working.milestones.first_response_at, Some(200));
        assert_eq!(working.milestones.resolved_at, None);
        let resolved = step(&working, 300, |n| {
            n.response = Some("補修しました".into());
            n.status = Status::Resolved;
        });
        assert_eq!(
            resolved.milestones,
            Milestones {
                routed_at: Some(100),
                first_response_at: Some(200),
                resolved_at: Some(300),
            }
        );
        let closed = step(&resolved, 400, |n| n.status = Status::Closed);
        assert_eq!(closed.milestones, resolved.milestones);
        // Reopened and resolved again: the first resolution stays.
        let reopened = step(&closed, 500, |n| n.status = Status::InProgress);
        let again = step(&reopened, 600, |n| n.status = Status::Resolved);
        assert_eq!(again.milestones, resolved.milestones);
    }

    #[test]
    fn a_re_route_of_the_section_counts_as_routed() {
        let r = record();
        let moved = step(&r, 70, |n| n.section = "park".into());
        assert_eq!(moved.status, Status::New);
        assert_eq!(moved.milestones.routed_at, Some(70));
        // A later re-route does not move it.
        let back = step(&moved, 90, |n| n.section = "road".into());
        assert_eq!(back.milestones.routed_at, Some(70));
    }

    #[test]
    fn a_written_response_is_a_first_response() {
        let routed = step(&record(), 100, |n| n.status = Status::Routed);
        let answered = step(&routed, 150, |n| {
            n.response = Some("現地を確認します".into())
        });
        assert_eq!(answered.status, Status::Routed);
        assert_eq!(answered.milestones.first_response_at, Some(150));
        // A blank response is not one.
        let blank = step(&routed, 150, |n| n.response = Some("  ".into()));
        assert_eq!(blank.milestones.first_response_at, None);
    }

    #[test]
    fn finishing_straight_away_sets_every_milestone_at_once() {
        for to in [Status::Referred, Status::Duplicate, Status::InProgress] {
            let done = step(&record(), 40, |n| n.status = to);
            assert_eq!(done.milestones.routed_at, Some(40), "{to:?}");
            assert_eq!(done.milestones.first_response_at, Some(40), "{to:?}");
            assert_eq!(
                done.milestones.resolved_at,
                (to != Status::InProgress).then_some(40),
                "{to:?}"
            );
        }
    }

    #[test]
    fn sending_back_to_new_does_not_undo_routing() {
        let routed = step(&record(), 100, |n| n.status = Status::Routed);
        let back = step(&routed, 120, |n| n.status = Status::New);
        assert_eq!(back.milestones.routed_at, Some(100));
        let again = step(&back, 140, |n| n.status = Status::Routed);
        assert_eq!(again.milestones.routed_at, Some(100));
    }

    #[test]
    fn old_records_without_milestones_still_read() {
        let mut json = serde_json::to_value(record()).unwrap();
        json.as_object_mut().unwrap().remove("milestones");
        let r: RequestRecord = serde_json::from_value(json).unwrap();
        assert_eq!(r.milestones, Milestones::default());
    }
}
