//! The oracle: after a run, the devices' own books against the ward record's. It checks
//! that every request created is there once, under the person who logged it; every
//! mutation settled with the outcome the ward record really gave it (no applied change
//! heard as refused, no conflict unheard); every value a person typed last is on the
//! ward record, or on its conflict list and shown as a conflict, or shown refused; every
//! note and photo once (photos with their SHA-256); and each device's view is the ward
//! record's view for that person.

use std::collections::{BTreeMap, HashMap, HashSet};

use koe_core::device::SyncState;
use koe_core::sync::Outcome;
use koe_core::{EditableField, FieldValue, MutationKind, RequestRecord, Viewer};
use koe_server::store::HistoryEntry;
use koe_server::Store;
use uuid::Uuid;

use crate::device::{Device, PhotoState};
use crate::workload::Run;

/// What the oracle counted and found. `problems` says each failure in words.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    pub mutations: u64,
    pub requests: u64,
    pub photos: u64,
    pub notes: u64,
    pub conflicts: u64,
    pub rejected: u64,
    /// Records or values the ward record does not have though the device sent them.
    pub lost: u64,
    /// Records the ward record holds twice.
    pub doubled: u64,
    /// Outcomes the device settled differently from what the ward record did.
    pub hidden: u64,
    /// Records or changes under the wrong person.
    pub misattributed: u64,
    /// Mutations or photos still waiting after the network healed.
    pub stuck: u64,
    /// Device views that differ from the ward record's view for that person.
    pub views: u64,
    pub problems: Vec<String>,
}

impl Findings {
    pub fn ok(&self) -> bool {
        self.lost + self.doubled + self.hidden + self.misattributed + self.stuck + self.views == 0
    }

    fn problem(&mut self, counter: fn(&mut Self) -> &mut u64, text: String) {
        *counter(self) += 1;
        if self.problems.len() < 40 {
            self.problems.push(text);
        }
    }

    /// Adds another run's figures.
    pub fn add(&mut self, other: &Findings) {
        self.mutations += other.mutations;
        self.requests += other.requests;
        self.photos += other.photos;
        self.notes += other.notes;
        self.conflicts += other.conflicts;
        self.rejected += other.rejected;
        self.lost += other.lost;
        self.doubled += other.doubled;
        self.hidden += other.hidden;
        self.misattributed += other.misattributed;
        self.stuck += other.stuck;
        self.views += other.views;
        for p in &other.problems {
            if self.problems.len() < 40 {
                self.problems.push(p.clone());
            }
        }
    }

    pub fn summary(&self) -> String {
        format!(
            "mutations {} requests {} photos {} notes {} conflicts {} rejected {} | lost {} doubled {} hidden {} misattributed {} stuck {} views {}",
            self.mutations,
            self.requests,
            self.photos,
            self.notes,
            self.conflicts,
            self.rejected,
            self.lost,
            self.doubled,
            self.hidden,
            self.misattributed,
            self.stuck,
            self.views
        )
    }
}

/// The value of an editable field in a history body that holds a whole record.
fn record_value(body: &serde_json::Value, field: EditableField) -> Option<serde_json::Value> {
    let record: RequestRecord = serde_json::from_value(body.clone()).ok()?;
    Some(FieldValue::of(&record, field).json())
}

/// Whether the history row `row` (by this device) set `field` to `value`, or kept it as
/// a conflict.
fn row_has(row: &HistoryEntry, field: EditableField, value: &serde_json::Value) -> bool {
    let Ok(body) = serde_json::from_str::<serde_json::Value>(&row.body) else {
        return false;
    };
    let name = serde_json::to_value(field).unwrap_or_default();
    let name = name.as_str().unwrap_or_default();
    match row.kind.as_str() {
        "create_request" => record_value(&body, field).as_ref() == Some(value),
        "set_fields" => {
            body["after"].get(name) == Some(value)
                || body["conflicts"].as_array().is_some_and(|list| {
                    list.iter()
                        .any(|c| c["field"] == name && &c["device_value"] == value)
                })
        }
        _ => false,
    }
}

/// Checks one run against the ward record `store`.
pub async fn check(store: &dyn Store, run: &Run) -> Findings {
    let mut f = Findings::default();
    for device in run.devices() {
        check_device(store, device, &mut f).await;
    }
    f
}

async fn check_device(store: &dyn Store, device: &Device, f: &mut Findings) {
    let client = device.client_id;
    // The ward record's history of every request this device touched.
    let mut touched: HashSet<Uuid> = device.requests.keys().copied().collect();
    touched.extend(device.ledger.values().map(|q| q.mutation.kind.request_id()));
    let mut history: HashMap<Uuid, Vec<HistoryEntry>> = HashMap::new();
    let mut by_mutation: BTreeMap<u64, Vec<HistoryEntry>> = BTreeMap::new();
    for id in &touched {
        let rows = store.history(*id).await.unwrap_or_default();
        for row in &rows {
            if row.client_id == Some(client) {
                if let Some(m) = row.mutation_id {
                    by_mutation.entry(m).or_default().push(row.clone());
                }
            }
        }
        history.insert(*id, rows);
    }

    // Each mutation's outcome, as settled, against what the ward record did.
    for (id, q) in &device.ledger {
        f.mutations += 1;
        let rows = by_mutation.remove(id).unwrap_or_default();
        let author = q.mutation.author.as_deref().unwrap_or_default();
        for row in &rows {
            if row.staff_id != author {
                f.problem(
                    |f| &mut f.misattributed,
                    format!(
                        "mutation {id} of {author} on {client} is recorded under {}",
                        row.staff_id
                    ),
                );
            }
        }
        let Some(outcome) = &q.outcome else {
            f.problem(
                |f| &mut f.stuck,
                format!("mutation {id} of {author} on {client} still waits"),
            );
            continue;
        };
        let fits = match (outcome, &q.mutation.kind) {
            (Outcome::Applied { version }, MutationKind::CreateRequest { .. }) => {
                rows.len() == 1 && rows[0].kind == "create_request" && rows[0].version == *version
            }
            (Outcome::Applied { version }, _) => {
                rows.len() <= 1 && rows.iter().all(|r| r.version == *version)
            }
            (Outcome::Conflict { version, fields }, _) => {
                f.conflicts += 1;
                rows.len() == 1 && rows[0].version == *version && {
                    let body: serde_json::Value =
                        serde_json::from_str(&rows[0].body).unwrap_or_default();
                    body["lost"] == serde_json::to_value(fields).unwrap_or_default()
                }
            }
            (Outcome::Rejected { .. }, _) => {
                f.rejected += 1;
                rows.is_empty()
            }
        };
        if !fits {
            f.problem(
                |f| &mut f.hidden,
                format!("mutation {id} on {client} settled as {outcome:?}; the ward record's history has {:?}", rows.iter().map(|r| (&r.kind, r.version)).collect::<Vec<_>>()),
            );
        }
        if let (
            Outcome::Applied { .. },
            MutationKind::AddNote {
                note_id,
                request_id,
                ..
            },
        ) = (outcome, &q.mutation.kind)
        {
            f.notes += 1;
            let notes = store.notes(*request_id).await.unwrap_or_default();
            match notes.iter().filter(|n| n.id == *note_id).count() {
                1 => {}
                0 => f.problem(
                    |f| &mut f.lost,
                    format!("note {note_id} on {request_id} is gone"),
                ),
                n => f.problem(
                    |f| &mut f.doubled,
                    format!("note {note_id} stored {n} times"),
                ),
            }
        }
    }
    for (id, rows) in by_mutation {
        f.problem(
            |f| &mut f.hidden,
            format!("the ward record has {} change(s) from mutation {id} of {client} that the device never queued", rows.len()),
        );
    }

    // Each request logged here: there once, under its author, or shown refused.
    for (request_id, author) in &device.logged {
        f.requests += 1;
        let stored = store.request_by_id(*request_id).await.ok().flatten();
        let creates = history.get(request_id).map_or(0, |h| {
            h.iter().filter(|r| r.kind == "create_request").count()
        });
        if creates > 1 {
            f.problem(
                |f| &mut f.doubled,
                format!("request {request_id} created {creates} times"),
            );
        }
        let local = device.requests.get(request_id);
        match (&stored, local) {
            (Some(r), _) if r.logged_by != *author => f.problem(
                |f| &mut f.misattributed,
                format!(
                    "request {request_id} by {author} is logged by {}",
                    r.logged_by
                ),
            ),
            (None, Some(l)) if !matches!(l.sync, SyncState::Rejected { .. }) => f.problem(
                |f| &mut f.lost,
                format!(
                    "request {request_id} by {author} shows {:?} but the ward record has none",
                    l.sync
                ),
            ),
            (None, None) => f.problem(
                |f| &mut f.lost,
                format!(
                    "request {request_id} by {author} is gone from the device and the ward record"
                ),
            ),
            (Some(_), Some(l)) if matches!(l.sync, SyncState::Rejected { .. }) => f.problem(
                |f| &mut f.hidden,
                format!(
                    "request {request_id} is on the ward record but the device shows it refused"
                ),
            ),
            _ => {}
        }
    }

    // The last value typed for each field.
    for ((request_id, field), typed) in &device.typed {
        let (author, value) = (&typed.author, &typed.value);
        let local = device.requests.get(request_id);
        // Refused, with the reason shown to the person: not lost.
        let refused = typed
            .mutation
            .and_then(|m| device.ledger.get(&m))
            .is_some_and(|q| matches!(q.outcome, Some(Outcome::Rejected { .. })));
        let Some(rows) = history.get(request_id).filter(|h| !h.is_empty()) else {
            // Not on the ward record: fine only while the device shows the request refused.
            if !refused && !local.is_some_and(|l| matches!(l.sync, SyncState::Rejected { .. })) {
                f.problem(
                    |f| &mut f.lost,
                    format!("{author}'s {field:?} of {request_id} reached nothing"),
                );
            }
            continue;
        };
        let json = value.json();
        let on_record = rows
            .iter()
            .filter(|r| r.client_id == Some(device.client_id))
            .any(|r| row_has(r, *field, &json));
        // Already the ward record's value (an edit to the value held changes nothing).
        let held = store
            .request_by_id(*request_id)
            .await
            .ok()
            .flatten()
            .is_some_and(|r| FieldValue::of(&r, *field).json() == json);
        let shown_conflict = local.is_some_and(|l| {
            l.conflicts
                .iter()
                .any(|c| c.field == *field && c.mine.json() == json)
        });
        if !(on_record || held || shown_conflict || refused) {
            f.problem(
                |f| &mut f.lost,
                format!("{author}'s {field:?} = {json} of {request_id} is neither on the ward record nor shown as a conflict"),
            );
        }
    }

    // Photos: once, with their SHA-256, as soon as their request is on the ward record.
    for photo in device.photos.values() {
        f.photos += 1;
        let stored = store.request_by_id(photo.request_id).await.ok().flatten();
        let on_ward = store
            .photos_of_request(photo.request_id)
            .await
            .unwrap_or_default();
        let copies: Vec<_> = on_ward
            .iter()
            .filter(|p| p.photo_id == photo.photo_id)
            .collect();
        match (&photo.state, stored.is_some()) {
            (PhotoState::Synced, _) => {
                if copies.len() != 1 || copies[0].sha256 != photo.sha256 || !copies[0].complete {
                    f.problem(
                        |f| &mut f.lost,
                        format!(
                            "photo {} shows sent but the ward record has {copies:?}",
                            photo.photo_id
                        ),
                    );
                } else if device.logged.get(&photo.request_id) != Some(&copies[0].uploaded_by) {
                    f.problem(
                        |f| &mut f.misattributed,
                        format!(
                            "photo {} is filed as uploaded by {}",
                            photo.photo_id, copies[0].uploaded_by
                        ),
                    );
                }
            }
            (PhotoState::Rejected(why), _) => f.problem(
                |f| &mut f.lost,
                format!("photo {} refused: {why}", photo.photo_id),
            ),
            (_, true) => f.problem(
                |f| &mut f.stuck,
                format!(
                    "photo {} still waits though its request is on the ward record",
                    photo.photo_id
                ),
            ),
            (_, false) => {}
        }
    }

    // The device's view is the ward record's view for its person (one person a device:
    // the pooled tablet's people share one store until each has their own).
    if device.pooled {
        return;
    }
    let Ok(Some(who)) = store.credentials(&device.author).await else {
        return;
    };
    let viewer = Viewer {
        staff_id: who.me.staff_id.clone(),
        role: who.me.role,
        sections: who.me.sections.clone(),
    };
    // Only what changed since the day began: the device was in use before.
    let visible: BTreeMap<Uuid, RequestRecord> = store
        .changes_after(&viewer, device.start, 1_000_000, None)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| viewer.sees(r))
        .map(|r| (r.id, r))
        .collect();
    for (id, record) in &visible {
        match device.requests.get(id).and_then(|l| l.server.as_ref()) {
            Some(copy) if copy.version == record.version => {}
            other => f.problem(
                |f| &mut f.views,
                format!(
                    "{} should hold {id} at version {} but holds {:?}",
                    viewer.staff_id,
                    record.version,
                    other.map(|c| c.version)
                ),
            ),
        }
    }
    for (id, local) in &device.requests {
        let work = !local.conflicts.is_empty()
            || local.edit_problem.is_some()
            || matches!(local.sync, SyncState::Rejected { .. });
        let changed_today = local
            .server
            .as_ref()
            .is_some_and(|s| s.version > device.start);
        if !visible.contains_key(id) && changed_today && !work {
            f.problem(
                |f| &mut f.views,
                format!(
                    "{} still holds {id}, which left their view",
                    viewer.staff_id
                ),
            );
        }
    }
}
