//! What the device keeps about one request: what was logged here (if it was), whether the
//! ward record has it, and the latest state the office gave it.

use koe_core::sync::Outcome;
use koe_core::{Bilingual, NewRequest, RequestRecord, Status};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
}

impl LocalRequest {
    /// A request just logged here, waiting to be sent.
    pub fn logged(request: NewRequest) -> Self {
        Self {
            id: request.id,
            request: Some(request),
            sync: SyncState::Waiting,
            server: None,
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
            },
            Some(mut local) => {
                if local
                    .server
                    .as_ref()
                    .is_some_and(|s| s.version > record.version)
                {
                    return local;
                }
                // The ward record has it, so it is sent whatever the push answer said.
                if !matches!(local.sync, SyncState::Rejected { .. }) {
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
