//! A field device as the app is, without the browser: its requests, outbox, mutation
//! counter, "sent through" mark, pull cursor and photos in memory, changed only through
//! `koe_core::device`'s rules, in the same steps as the app's IndexedDB store
//! (`src/store/outbox.rs`, `src/store/requests.rs`) and sync (`src/sync/`): push in id
//! order in batches of 200, marking them sent first; settle each answer; pull every page;
//! then the photos, resumably, once their request is on the ward record.
//!
//! Besides the app's state it keeps, for the oracle, a ledger of every mutation queued
//! with the outcome it settled with, and the last value the person typed per field.

use std::collections::{BTreeMap, HashSet};

use koe_core::device::{EditSaved, LocalRequest, QueuedCreate};
use koe_core::photo::{PhotoProgress, PhotoUpload};
use koe_core::sync::Outcome;
use koe_core::{
    EditableField, FieldValue, Mutation, MutationKind, NewRequest, PullResponse, PushRequest,
    PushResponse,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::transport::{Lost, Transport};

/// The app's batch size (`src/sync/push.rs`): the ward record's most, made smaller by the
/// body's size (`koe_core::sync::push_batch_len`).
pub const BATCH: usize = koe_core::sync::PUSH_MAX_MUTATIONS;
/// Photo bytes per PATCH here: small, so uploads are cut midway too.
pub const CHUNK: usize = 1500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoState {
    Waiting,
    /// The ward record holds this many bytes.
    Uploading(u64),
    Synced,
    Rejected(String),
}

#[derive(Debug, Clone)]
pub struct Photo {
    pub photo_id: Uuid,
    pub request_id: Uuid,
    pub bytes: Vec<u8>,
    pub sha256: String,
    pub state: PhotoState,
}

/// One mutation as the device queued it and how it settled.
#[derive(Debug, Clone)]
pub struct Queued {
    pub mutation: Mutation,
    /// The outcome the device settled it with; `None` while it waits.
    pub outcome: Option<Outcome>,
}

/// Why a sync stopped short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    /// No answer: everything stays for the next try.
    Lost(Lost),
    /// An answer the app would show as an error (status and body).
    Refused(u16, String),
}

impl From<Lost> for Stopped {
    fn from(l: Lost) -> Self {
        Self::Lost(l)
    }
}

#[derive(Debug, Clone)]
pub struct Typed {
    pub author: String,
    pub value: FieldValue,
    pub mutation: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct Device {
    pub client_id: Uuid,
    /// Who is signed in now, and each person's session cookie.
    pub author: String,
    cookies: BTreeMap<String, String>,
    pub password: String,
    pub requests: BTreeMap<Uuid, LocalRequest>,
    pub outbox: BTreeMap<u64, Mutation>,
    next_mutation_id: u64,
    sent_through: u64,
    /// Per person, as each person's own database on the device will keep it; from
    /// `start` for a person new here.
    cursors: BTreeMap<String, i64>,
    /// Per person: the lowest mutation answered since their last pull ended (the app's
    /// `META_MINE_FROM`), sent as the pull's `mine_from`.
    mine_from: BTreeMap<String, u64>,
    pub start: i64,
    /// More than one person has used it.
    pub pooled: bool,
    pub photos: BTreeMap<Uuid, Photo>,
    /// Every mutation ever queued here, by id.
    pub ledger: BTreeMap<u64, Queued>,
    /// The last value the person typed for each (request, field): its author, and the
    /// mutation that carries it, when one does at once.
    pub typed: BTreeMap<(Uuid, EditableField), Typed>,
    /// The requests logged here, with who logged them.
    pub logged: BTreeMap<Uuid, String>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// The editable field values a new request was typed with.
fn logged_values(r: &NewRequest) -> [FieldValue; 5] {
    [
        FieldValue::Title(r.title.clone()),
        FieldValue::Description(r.description.clone()),
        FieldValue::Place(r.place.clone()),
        FieldValue::Contact(r.contact.clone()),
        FieldValue::Urgency(r.urgency),
    ]
}

impl Device {
    /// A device of `author`'s whose pulls start at `cursor`.
    pub fn new(client_id: Uuid, author: &str, password: &str, cursor: i64) -> Self {
        Self {
            client_id,
            author: author.to_string(),
            cookies: BTreeMap::new(),
            password: password.to_string(),
            requests: BTreeMap::new(),
            outbox: BTreeMap::new(),
            next_mutation_id: 1,
            sent_through: 0,
            start: cursor,
            pooled: false,
            cursors: BTreeMap::new(),
            mine_from: BTreeMap::new(),
            photos: BTreeMap::new(),
            ledger: BTreeMap::new(),
            typed: BTreeMap::new(),
            logged: BTreeMap::new(),
        }
    }

    /// Another person picks up the pooled device (their session, their cursor).
    pub fn switch_to(&mut self, staff_id: &str) {
        self.pooled |= self.author != staff_id;
        self.author = staff_id.to_string();
    }

    fn take_id(&mut self) -> u64 {
        let id = self.next_mutation_id;
        self.next_mutation_id += 1;
        id
    }

    fn queue(&mut self, mutation: Mutation) {
        self.ledger.insert(
            mutation.id,
            Queued {
                mutation: mutation.clone(),
                outcome: None,
            },
        );
        self.outbox.insert(mutation.id, mutation);
    }

    /// Logs a request with its photos (`Store::save_new_request_with_photos`).
    pub fn log(&mut self, request: NewRequest, photos: Vec<(Uuid, Vec<u8>)>) {
        let id = self.take_id();
        for value in logged_values(&request) {
            let typed = Typed {
                author: self.author.clone(),
                value,
                mutation: Some(id),
            };
            self.typed.insert((request.id, typed.value.field()), typed);
        }
        self.logged.insert(request.id, self.author.clone());
        self.requests.insert(
            request.id,
            LocalRequest::logged_by(request.clone(), Some(&self.author)),
        );
        for (photo_id, bytes) in photos {
            let sha256 = sha256_hex(&bytes);
            self.photos.insert(
                photo_id,
                Photo {
                    photo_id,
                    request_id: request.id,
                    bytes,
                    sha256,
                    state: PhotoState::Waiting,
                },
            );
        }
        self.queue(Mutation {
            id,
            author: Some(self.author.clone()),
            kind: MutationKind::CreateRequest { request },
        });
    }

    /// Saves an edit (`Store::save_edit`): the same rule, the same transaction's steps.
    pub fn edit(&mut self, request_id: Uuid, values: Vec<FieldValue>) -> Option<EditSaved> {
        let mut local = self.requests.get(&request_id)?.clone();
        let queued = self.outbox.values().find_map(|m| match &m.kind {
            MutationKind::CreateRequest { request } if request.id == request_id => {
                Some(QueuedCreate {
                    mutation: m.clone(),
                    sent: m.id <= self.sent_through,
                })
            }
            _ => None,
        });
        let next_id = self.next_mutation_id;
        let mut took = false;
        let wanted = values.clone();
        let (saved, mutation) = local.save_edit(values, queued, Some(&self.author), || {
            took = true;
            next_id
        });
        if saved == EditSaved::Unchanged {
            return Some(saved);
        }
        if took {
            self.next_mutation_id += 1;
        }
        let carrier = match (&saved, &mutation) {
            (EditSaved::AfterCreate, _) => None,
            (_, Some(m)) => Some(m.id),
            _ => None,
        };
        for value in wanted {
            let typed = Typed {
                author: self.author.clone(),
                value,
                mutation: carrier,
            };
            self.typed.insert((request_id, typed.value.field()), typed);
        }
        if let Some(m) = mutation {
            if saved == EditSaved::CreateChanged {
                // The same mutation, changed before it left: the ledger follows.
                if let Some(q) = self.ledger.get_mut(&m.id) {
                    q.mutation = m.clone();
                }
                self.outbox.insert(m.id, m);
            } else {
                self.queue(m);
            }
        }
        self.requests.insert(request_id, local);
        Some(saved)
    }

    /// Queues an internal note (`Store::queue_note`).
    pub fn note(&mut self, request_id: Uuid, note_id: Uuid, text: &str) {
        let id = self.take_id();
        self.queue(Mutation {
            id,
            author: Some(self.author.clone()),
            kind: MutationKind::AddNote {
                request_id,
                note_id,
                text: text.to_string(),
            },
        });
    }

    fn cookie(&self) -> Option<&str> {
        self.cookies.get(&self.author).map(String::as_str)
    }

    async fn signed_in<T: Transport>(&mut self, t: &mut T) -> Result<(), Stopped> {
        if self.cookie().is_some() {
            return Ok(());
        }
        let body = serde_json::json!({"staff_id": self.author, "password": self.password});
        let a = t
            .call(
                "POST",
                "/api/session",
                None,
                Some("application/json"),
                serde_json::to_vec(&body).unwrap_or_default(),
            )
            .await?;
        let cookie = a
            .set_cookie
            .as_deref()
            .and_then(|c| c.split(';').next())
            .map(str::to_string);
        match (a.ok(), cookie) {
            (true, Some(c)) => {
                self.cookies.insert(self.author.clone(), c);
                Ok(())
            }
            _ => Err(Stopped::Refused(
                a.status,
                String::from_utf8_lossy(&a.body).into(),
            )),
        }
    }

    async fn call<T: Transport>(
        &mut self,
        t: &mut T,
        method: &'static str,
        path: &str,
        content_type: Option<&'static str>,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, Stopped> {
        let cookie = self.cookie().map(str::to_string);
        let a = t
            .call(method, path, cookie.as_deref(), content_type, body)
            .await?;
        if a.status == 401 {
            self.cookies.remove(&self.author);
        }
        if a.ok() {
            Ok(a.body)
        } else {
            Err(Stopped::Refused(
                a.status,
                String::from_utf8_lossy(&a.body).into(),
            ))
        }
    }

    /// One sync as the app runs it (`SyncEngine::run_once`): push, pull, photos.
    pub async fn sync<T: Transport>(&mut self, t: &mut T) -> Result<(), Stopped> {
        self.signed_in(t).await?;
        self.push(t).await?;
        self.pull(t).await?;
        self.upload_photos(t).await
    }

    /// `push_outbox`: the signed-in person's own mutations, in id order, in batches.
    pub async fn push<T: Transport>(&mut self, t: &mut T) -> Result<(), Stopped> {
        loop {
            let batch: Vec<Mutation> = self
                .outbox
                .values()
                .filter(|m| m.pushed_by(&self.author))
                .take(BATCH)
                .cloned()
                .collect();
            let mut batch = batch;
            let sizes: Vec<usize> = batch
                .iter()
                .map(|m| serde_json::to_vec(m).map_or(0, |b| b.len()))
                .collect();
            batch.truncate(koe_core::sync::push_batch_len(sizes));
            let Some(last) = batch.last() else {
                return Ok(());
            };
            self.sent_through = self.sent_through.max(last.id);
            let body = serde_json::to_vec(&PushRequest {
                client_id: self.client_id,
                mutations: batch.clone(),
            })
            .map_err(|e| Stopped::Refused(0, e.to_string()))?;
            let answer = self
                .call(t, "POST", "/api/sync/push", Some("application/json"), body)
                .await?;
            let answer: PushResponse = serde_json::from_slice(&answer)
                .map_err(|e| Stopped::Refused(200, format!("push answer: {e}")))?;
            let mut settled = 0;
            let mut lowest: Option<u64> = None;
            for o in &answer.outcomes {
                let Some(m) = batch.iter().find(|m| m.id == o.mutation_id) else {
                    continue;
                };
                self.settle(m, &o.outcome);
                lowest = Some(lowest.map_or(m.id, |l| l.min(m.id)));
                settled += 1;
            }
            // `Store::settle_with`: the requests as the ward record keeps them, stored as a
            // pull would, in the same step as the outcomes and the mark.
            for record in &answer.records {
                let existing = self.requests.remove(&record.id);
                self.requests
                    .insert(record.id, LocalRequest::pulled(existing, record.clone()));
            }
            if let Some(lowest) = lowest {
                let mark = self.mine_from.entry(self.author.clone()).or_insert(lowest);
                *mark = (*mark).min(lowest);
            }
            if settled < batch.len() {
                return Err(Stopped::Refused(
                    200,
                    "not every change was answered".into(),
                ));
            }
        }
    }

    /// `Store::settle` for one answered mutation.
    fn settle(&mut self, m: &Mutation, outcome: &Outcome) {
        self.outbox.remove(&m.id);
        if let Some(q) = self.ledger.get_mut(&m.id) {
            q.outcome = Some(outcome.clone());
        }
        let Some(mut local) = self.requests.get(&m.kind.request_id()).cloned() else {
            return;
        };
        let next_id = self.next_mutation_id;
        if let Some(next) = local.settle_mutation(m, outcome, || next_id) {
            self.next_mutation_id += 1;
            self.queue(next);
        }
        self.requests.insert(local.id, local);
    }

    /// `pull_changes` and `Store::apply_pull`: every page, then what left the view.
    pub async fn pull<T: Transport>(&mut self, t: &mut T) -> Result<(), Stopped> {
        let mut cursor = self
            .cursors
            .get(&self.author)
            .copied()
            .unwrap_or(self.start);
        // Bounded: a page moves the cursor on or ends the pull.
        for _ in 0..10_000 {
            let body = self
                .call(
                    t,
                    "GET",
                    &format!(
                        "/api/sync/pull?cursor={cursor}&client_id={}{}",
                        self.client_id,
                        self.mine_from
                            .get(&self.author)
                            .map_or_else(String::new, |m| format!("&mine_from={m}"))
                    ),
                    None,
                    Vec::new(),
                )
                .await?;
            let page: PullResponse = serde_json::from_slice(&body)
                .map_err(|e| Stopped::Refused(200, format!("pull answer: {e}")))?;
            for record in &page.requests {
                let existing = self.requests.remove(&record.id);
                self.requests
                    .insert(record.id, LocalRequest::pulled(existing, record.clone()));
            }
            let unsent: HashSet<Uuid> = self.outbox.values().map(|m| m.kind.request_id()).collect();
            for id in &page.gone {
                let Some(local) = self.requests.get(id) else {
                    continue;
                };
                let photo_waits = self.photos.values().any(|p| {
                    p.request_id == *id
                        && matches!(p.state, PhotoState::Waiting | PhotoState::Uploading(_))
                });
                if koe_core::device::may_drop(local, unsent.contains(id) || photo_waits) {
                    self.requests.remove(id);
                    self.photos.retain(|_, p| p.request_id != *id);
                }
            }
            self.cursors.insert(self.author.clone(), page.cursor);
            let stalled = page.cursor == cursor && page.requests.is_empty();
            if !page.has_more || stalled {
                // The pull ended: everything up to the cursor is here.
                self.mine_from.remove(&self.author);
                return Ok(());
            }
            cursor = page.cursor;
        }
        Ok(())
    }

    /// `upload_photos`: each waiting photo whose request is on the ward record, from where
    /// the ward record has it, in chunks.
    pub async fn upload_photos<T: Transport>(&mut self, t: &mut T) -> Result<(), Stopped> {
        let pending: Vec<Uuid> = self
            .photos
            .values()
            .filter(|p| matches!(p.state, PhotoState::Waiting | PhotoState::Uploading(_)))
            .map(|p| p.photo_id)
            .collect();
        for photo_id in pending {
            let Some(photo) = self.photos.get(&photo_id).cloned() else {
                continue;
            };
            let may_go = self
                .requests
                .get(&photo.request_id)
                .is_some_and(|r| r.photos_may_go(Some(&self.author)));
            if !may_go {
                continue;
            }
            match self.upload(t, &photo).await {
                Ok(state) => {
                    if let Some(p) = self.photos.get_mut(&photo_id) {
                        p.state = state;
                    }
                }
                Err(Stopped::Lost(l)) => return Err(Stopped::Lost(l)),
                // Passing trouble: the photo waits for the next sync.
                Err(Stopped::Refused(..)) => {}
            }
        }
        Ok(())
    }

    async fn upload<T: Transport>(
        &mut self,
        t: &mut T,
        photo: &Photo,
    ) -> Result<PhotoState, Stopped> {
        let path = format!("/api/photos/{}", photo.photo_id);
        let declare = serde_json::to_vec(&PhotoUpload {
            request_id: photo.request_id,
            sha256: photo.sha256.clone(),
            size: photo.bytes.len() as u64,
            content_type: "image/jpeg".into(),
        })
        .map_err(|e| Stopped::Refused(0, e.to_string()))?;
        let mut progress: PhotoProgress = match self
            .call(t, "PUT", &path, Some("application/json"), declare)
            .await
        {
            Ok(body) => {
                serde_json::from_slice(&body).map_err(|e| Stopped::Refused(200, e.to_string()))?
            }
            Err(Stopped::Refused(status, text)) if permanent(status) => {
                return Ok(PhotoState::Rejected(format!("{status} {text}")))
            }
            Err(e) => return Err(e),
        };
        let size = photo.bytes.len() as u64;
        for _ in 0..(2 * (size / CHUNK as u64 + 2) + 4) {
            if progress.complete {
                return Ok(PhotoState::Synced);
            }
            if let Some(p) = self.photos.get_mut(&photo.photo_id) {
                p.state = PhotoState::Uploading(progress.received);
            }
            let start = progress.received.min(size) as usize;
            let end = (start + CHUNK).min(photo.bytes.len());
            let chunk = photo.bytes[start..end].to_vec();
            match self
                .call(
                    t,
                    "PATCH",
                    &format!("{path}?offset={start}"),
                    Some("application/octet-stream"),
                    chunk,
                )
                .await
            {
                Ok(body) => {
                    progress = serde_json::from_slice(&body)
                        .map_err(|e| Stopped::Refused(200, e.to_string()))?
                }
                Err(Stopped::Refused(409, text)) => {
                    let expected = serde_json::from_str::<serde_json::Value>(&text)
                        .ok()
                        .and_then(|v| v.get("expected_offset").and_then(|o| o.as_u64()));
                    match expected {
                        Some(at) => progress.received = at,
                        None => return Ok(PhotoState::Rejected(format!("409 {text}"))),
                    }
                }
                Err(Stopped::Refused(status, text)) if permanent(status) => {
                    return Ok(PhotoState::Rejected(format!("{status} {text}")))
                }
                Err(e) => return Err(e),
            }
        }
        Err(Stopped::Refused(0, "upload did not finish".into()))
    }
}

/// The app's rule (`src/sync/photos.rs`): a refusal for good rather than for now.
fn permanent(status: u16) -> bool {
    matches!(status, 403 | 409 | 413 | 415 | 422)
}
