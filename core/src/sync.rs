//! The sync protocol's messages: the device pushes its outbox of mutations and pulls
//! the ward record's changes in server order.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::device::LocalRequest;
use crate::merge::{EditableField, FieldEdit, FieldValue};
use crate::{Bilingual, NewRequest, RequestRecord, Viewer};

/// One change made on a device by one person, identified by (client_id, author,
/// mutation id); a device's mutation ids rise by one per change. Once it has left the
/// device it is never changed: the ward record answers a retry with its first outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mutation {
    pub id: u64,
    /// The staff id of the person who made it (pooled devices carry several people's
    /// work); the ward record refuses a push carrying another person's. `None` only on
    /// entries queued before authors were recorded: they go as the signed-in person's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(flatten)]
    pub kind: MutationKind,
}

impl Mutation {
    /// Whether `staff_id` may push it: its author, or anyone for an entry with none.
    pub fn pushed_by(&self, staff_id: &str) -> bool {
        self.author.as_deref().is_none_or(|a| a == staff_id)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
// A create carries the whole request; boxing it would only complicate every match for
// messages that live as long as one push.
#[allow(clippy::large_enum_variant)]
pub enum MutationKind {
    CreateRequest {
        request: NewRequest,
    },
    /// Change fields of a request, each from the version it was edited from; merged field
    /// by field (`koe_core::merge`).
    SetFields {
        request_id: Uuid,
        edits: Vec<FieldEdit>,
    },
    /// Append an internal note; a note id already stored is not stored again.
    AddNote {
        request_id: Uuid,
        note_id: Uuid,
        text: String,
    },
}

impl MutationKind {
    /// The request a mutation is about.
    pub fn request_id(&self) -> Uuid {
        match self {
            Self::CreateRequest { request } => request.id,
            Self::SetFields { request_id, .. } | Self::AddNote { request_id, .. } => *request_id,
        }
    }
}

/// `POST /api/sync/push`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    /// The device, made on it once and kept.
    pub client_id: Uuid,
    pub mutations: Vec<Mutation>,
}

/// What became of one mutation. The ward record keeps each mutation's first outcome and
/// answers every retry with it: there is no bare "duplicate", since an answer can be lost
/// on the way after the ward record committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Applied {
        version: i64,
    },
    /// Applied in part: the edits to `fields` lost to newer changes on the ward record and
    /// are kept on the request's conflict list (flagged for review); the rest applied.
    Conflict {
        version: i64,
        fields: Vec<EditableField>,
    },
    /// Will never apply; the device shows the reason and drops it from its queue.
    Rejected {
        code: String,
        message: Bilingual,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MutationOutcome {
    pub mutation_id: u64,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    pub outcomes: Vec<MutationOutcome>,
    /// Each request the push touched, as the pusher sees it once the push committed: the
    /// device stores them with the outcomes, so its next pull need not bring its own
    /// changes back (see [`PullResponse`] and `mine_from`).
    #[serde(default)]
    pub records: Vec<RequestRecord>,
}

/// The most mutations one push may carry.
pub const PUSH_MAX_MUTATIONS: usize = 500;
/// The most bytes a push body may be.
pub const PUSH_BODY_LIMIT: usize = 1024 * 1024;
/// What a device packs into one push at most: under [`PUSH_BODY_LIMIT`] with room for
/// the envelope (`client_id`, brackets, commas).
pub const PUSH_BODY_BUDGET: usize = PUSH_BODY_LIMIT - 4 * 1024;

/// How many of `sizes` (each waiting mutation's JSON length, in outbox order) go in the
/// next push: as many as fit both [`PUSH_MAX_MUTATIONS`] and [`PUSH_BODY_BUDGET`], and
/// always at least one (a single mutation is far below the budget: core bounds every
/// field). A batch by count alone could exceed the body limit with long welfare
/// consultations (4,000 characters of Japanese is 12 KB) and be refused on every retry.
pub fn push_batch_len(sizes: impl IntoIterator<Item = usize>) -> usize {
    let mut bytes = 0usize;
    let mut n = 0usize;
    for size in sizes {
        let with_comma = size + 1;
        if n >= PUSH_MAX_MUTATIONS || (n > 0 && bytes + with_comma > PUSH_BODY_BUDGET) {
            break;
        }
        bytes += with_comma;
        n += 1;
    }
    n
}

/// `GET /api/sync/pull?cursor=N&client_id=…&mine_from=M`: requests changed after the
/// cursor, oldest change first, as the reader may see them. With `mine_from`, a request
/// whose last change is this person's own from this device, mutation `M` or later, is
/// left out: the device took it with its push's answer ([`PushResponse::records`]) and
/// keeps `M` from then until a pull has ended, so a device whose store was reset (which
/// keeps no `M`) still gets everything.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub requests: Vec<RequestRecord>,
    /// Opaque (sealed by the ward record, so it does not tell the change counter): sent
    /// back as `cursor` on the next pull.
    pub cursor: i64,
    pub has_more: bool,
    /// The cursor was not one the ward record sealed, or was sealed at a later state of
    /// its database (a restore): this is a full snapshot from the start.
    pub reset: bool,
    /// Requests that left the reader's view since the cursor (re-routed to another
    /// section, no longer shared): the device drops its copies.
    #[serde(default)]
    pub gone: Vec<Uuid>,
}

/// `GET /api/sync/news?cursor=N`: whether a pull from `cursor` would bring anything,
/// answered as the reader may see the ward record (so it tells nothing about requests
/// they can not see). The device asks it every few seconds while it is open and online,
/// and pulls when it says `changed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncNews {
    /// Something the reader sees changed after the cursor (or the cursor is not one the
    /// ward record can read from, so a pull would start again): pull now.
    pub changed: bool,
}

/// Whether a pulled record brings an office answer the person has not seen on this
/// device (回答あり): its response (対応内容) is there and differs from the device's copy
/// (the response last pulled, or one typed here and not yet taken back), and it is not
/// one this person wrote on this device (an edit of theirs the ward record now has).
/// A request that was not on the device at all is not news: a first sync (a new device,
/// a first sign-in) would otherwise mark every answered request at once. A pull older
/// than the device's copy changes nothing.
pub fn brings_unseen_answer(device: Option<&LocalRequest>, pulled: &RequestRecord) -> bool {
    let Some(local) = device else {
        return false;
    };
    let Some(answer) = pulled.response.as_deref().map(str::trim) else {
        return false;
    };
    if answer.is_empty() {
        return false;
    }
    if local
        .server
        .as_ref()
        .is_some_and(|s| s.version >= pulled.version)
    {
        return false;
    }
    let written_here = local
        .edits
        .iter()
        .any(|e| matches!(&e.value, FieldValue::Response(r) if r.trim() == answer));
    if written_here {
        return false;
    }
    let known = local
        .server
        .as_ref()
        .and_then(|s| s.response.as_deref())
        .map(str::trim);
    known != Some(answer)
}

/// Whether a request that `viewer` does not see now had left their view after the cursor
/// (so a device of theirs may hold a copy to drop): `current` is the request as stored,
/// `undone` the `before` values of its set-fields changes after the cursor, newest first
/// (as the history keeps them: field name to value). A request created after the cursor
/// was never on the device: the caller leaves it out.
pub fn left_view<'a>(
    viewer: &Viewer,
    mut current: RequestRecord,
    undone: impl IntoIterator<Item = &'a serde_json::Value>,
) -> bool {
    if viewer.sees(&current) {
        return false;
    }
    for before in undone {
        if let Some(section) = before.get("section").and_then(|v| v.as_str()) {
            current.section = section.to_string();
        }
        if let Some(shared) = before
            .get("shared_with")
            .and_then(|v| serde_json::from_value::<Vec<String>>(v.clone()).ok())
        {
            current.shared_with = shared;
        }
    }
    viewer.sees(&current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Place, Urgency};

    #[test]
    fn push_wire_format_is_flat_and_tagged() {
        let m = Mutation {
            id: 3,
            author: Some("road01".into()),
            kind: MutationKind::CreateRequest {
                request: NewRequest {
                    id: crate::id::request_id(5, [0; 10]),
                    category: "road-pothole".into(),
                    title: "穴".into(),
                    description: String::new(),
                    place: Place::default(),
                    urgency: Urgency::Urgent,
                    logged_at: 5,
                    contact: Default::default(),
                },
            },
        };
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["id"], 3);
        assert_eq!(json["author"], "road01");
        assert_eq!(json["type"], "create_request");
        assert_eq!(json["request"]["urgency"], "urgent");
        let back: Mutation = serde_json::from_value(json).unwrap();
        assert_eq!(back, m);

        let o = MutationOutcome {
            mutation_id: 3,
            outcome: Outcome::Applied { version: 9 },
        };
        let json = serde_json::to_value(&o).unwrap();
        assert_eq!(json["outcome"], "applied");
        assert_eq!(json["version"], 9);

        let o = Outcome::Conflict {
            version: 10,
            fields: vec![EditableField::Title],
        };
        let json = serde_json::to_value(&o).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"outcome": "conflict", "version": 10, "fields": ["title"]})
        );
    }

    #[test]
    fn a_request_left_the_view_if_it_was_seen_before_the_changes_after_the_cursor() {
        let r = NewRequest {
            id: crate::id::request_id(5, [0; 10]),
            category: "road-pothole".into(),
            title: "穴".into(),
            description: String::new(),
            place: Place::default(),
            urgency: Urgency::High,
            logged_at: 5,
            contact: Default::default(),
        };
        let road = Viewer {
            staff_id: "road02".into(),
            role: crate::Role::Field,
            sections: vec!["road".into()],
        };
        let mut now = RequestRecord::created(&r, "park", "road01", 6, 9);
        // Re-routed road → park after the cursor: it left the view.
        let rerouted = serde_json::json!({"section": "road"});
        assert!(left_view(&road, now.clone(), [&rerouted]));
        // Always in park, or routed park → welfare → park: never in view.
        assert!(!left_view(&road, now.clone(), []));
        let among_others = serde_json::json!({"section": "welfare"});
        assert!(!left_view(&road, now.clone(), [&among_others]));
        // No longer shared with road.
        let unshared = serde_json::json!({"shared_with": ["road"]});
        assert!(left_view(&road, now.clone(), [&unshared]));
        // Seen now: not gone.
        now.section = "road".into();
        assert!(!left_view(&road, now, [&rerouted]));
    }

    #[test]
    fn set_fields_and_add_note_wire_format() {
        let id = crate::id::request_id(5, [0; 10]);
        let m = Mutation {
            id: 4,
            author: None,
            kind: MutationKind::SetFields {
                request_id: id,
                edits: vec![FieldEdit {
                    value: crate::FieldValue::Urgency(Urgency::Low),
                    base_version: 2,
                }],
            },
        };
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["type"], "set_fields");
        assert_eq!(json["edits"][0]["field"], "urgency");
        assert_eq!(json["edits"][0]["value"], "low");
        assert_eq!(serde_json::from_value::<Mutation>(json).unwrap(), m);
        let n = Mutation {
            id: 5,
            author: None,
            kind: MutationKind::AddNote {
                request_id: id,
                note_id: id,
                text: "電話済み".into(),
            },
        };
        let json = serde_json::to_value(&n).unwrap();
        assert_eq!(json["type"], "add_note");
        assert_eq!(serde_json::from_value::<Mutation>(json).unwrap(), n);
        assert_eq!(n.kind.request_id(), id);
    }

    fn answered(version: i64, response: Option<&str>) -> RequestRecord {
        let r = NewRequest {
            id: crate::id::request_id(5, [0; 10]),
            category: "road-pothole".into(),
            title: "穴".into(),
            description: String::new(),
            place: Place::default(),
            urgency: Urgency::High,
            logged_at: 5,
            contact: Default::default(),
        };
        let mut record = RequestRecord::created(&r, "road", "road01", 6, version);
        record.response = response.map(str::to_owned);
        record
    }

    #[test]
    fn an_answer_is_unseen_when_it_is_new_on_this_device_and_not_written_here() {
        let logged = LocalRequest::logged(NewRequest {
            id: crate::id::request_id(5, [0; 10]),
            category: "road-pothole".into(),
            title: "穴".into(),
            description: String::new(),
            place: Place::default(),
            urgency: Urgency::High,
            logged_at: 5,
            contact: Default::default(),
        });
        // Logged here, never pulled: its first answer is news.
        assert!(brings_unseen_answer(
            Some(&logged),
            &answered(9, Some("補修しました"))
        ));
        // No answer, a blank one, or one redacted away: nothing to see.
        assert!(!brings_unseen_answer(Some(&logged), &answered(9, None)));
        assert!(!brings_unseen_answer(
            Some(&logged),
            &answered(9, Some("  "))
        ));
        // Not on the device before (a first sync): not marked.
        assert!(!brings_unseen_answer(
            None,
            &answered(9, Some("補修しました"))
        ));

        let synced = LocalRequest::pulled(Some(logged.clone()), answered(9, Some("補修しました")));
        // The same answer again (another field changed): already seen.
        assert!(!brings_unseen_answer(
            Some(&synced),
            &answered(10, Some("補修しました"))
        ));
        // A changed answer is news again.
        assert!(brings_unseen_answer(
            Some(&synced),
            &answered(11, Some("補修は来週になります"))
        ));
        // A pull older than the device's copy changes nothing.
        assert!(!brings_unseen_answer(
            Some(&synced),
            &answered(8, Some("別の回答"))
        ));

        // This person's own answer, typed on this device, coming back: not news.
        let mut mine = synced.clone();
        mine.edits.push(crate::device::LocalEdit {
            value: FieldValue::Response("現地確認済み".into()),
            mutation_id: 3,
            sent_at: Some(12),
        });
        assert!(!brings_unseen_answer(
            Some(&mine),
            &answered(12, Some("現地確認済み"))
        ));
        // Someone else's answer over it is.
        assert!(brings_unseen_answer(
            Some(&mine),
            &answered(13, Some("業者手配済み"))
        ));
    }

    #[test]
    fn a_push_batch_stops_at_the_count_or_the_body_budget_and_takes_at_least_one() {
        assert_eq!(push_batch_len([]), 0);
        assert_eq!(
            push_batch_len(std::iter::repeat_n(1_000, 10_000)),
            PUSH_MAX_MUTATIONS
        );
        // 200 long consultations (about 13 KB of JSON each) would be 2.6 MB.
        let long = 13_000;
        let n = push_batch_len(std::iter::repeat_n(long, 200));
        assert_eq!(n, PUSH_BODY_BUDGET / (long + 1));
        assert!(n * (long + 1) <= PUSH_BODY_BUDGET && n < 200);
        // One mutation always goes, whatever its size.
        assert_eq!(push_batch_len([PUSH_BODY_LIMIT * 2, 10]), 1);
        // A real long mutation fits the budget many times over.
        let consultation = Mutation {
            id: 1,
            author: Some("welfare01".into()),
            kind: MutationKind::AddNote {
                request_id: Uuid::nil(),
                note_id: Uuid::nil(),
                text: "相".repeat(crate::validation::NOTE_MAX_CHARS),
            },
        };
        let size = serde_json::to_string(&consultation).unwrap().len();
        assert!(size * 50 < PUSH_BODY_BUDGET, "{size}");
    }
}
