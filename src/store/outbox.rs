//! The `outbox` store: mutations waiting to be pushed, in id order, and settling them
//! with the ward record's answer; edits made after logging and the choice of a value
//! when an edit lost.

use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use koe_core::sync::Outcome;
use koe_core::{EditableField, FieldValue, Mutation, MutationKind, NewRequest};
use uuid::Uuid;

use super::record::{logged_changes, Keep, LocalRequest, SyncState};
use super::settle::Settlement;
use super::{Store, StoreError, META, META_NEXT_MUTATION_ID, OUTBOX, REQUESTS};

impl Store {
    /// A read-write transaction over the requests, the outbox and the mutation counter:
    /// what a change made on the device writes, all or nothing.
    fn change_transaction(&self) -> Result<Transaction<'_>, StoreError> {
        Ok(self
            .db()
            .transaction([REQUESTS, OUTBOX, META])
            .with_mode(TransactionMode::Readwrite)
            .build()?)
    }

    /// The first `limit` mutations waiting, lowest id first.
    pub async fn outbox_batch(&self, limit: u32) -> Result<Vec<Mutation>, StoreError> {
        let tx = self.db().transaction(OUTBOX).build()?;
        let store = tx.object_store(OUTBOX)?;
        let mut batch = store
            .get_all::<Mutation>()
            .with_limit(limit)
            .serde()?
            .await?
            .collect::<Result<Vec<_>, _>>()?;
        // Keys are numbers, so IndexedDB already returns them in id order; be sure.
        batch.sort_by_key(|m| m.id);
        Ok(batch)
    }

    /// How many mutations wait to be pushed.
    pub async fn outbox_len(&self) -> Result<u32, StoreError> {
        let tx = self.db().transaction(OUTBOX).build()?;
        let store = tx.object_store(OUTBOX)?;
        Ok(store.count().primitive()?.await?)
    }

    /// Applies a push's answers in one transaction: each answered mutation leaves the
    /// outbox and its request takes the outcome (送信済, 却下 with the reason, or an
    /// edit that lost kept as a conflict). A create changed on the device while it was
    /// being sent is not lost: what changed goes as an edit (or, if the create was
    /// refused, the changed create is queued again).
    pub async fn settle(&self, settlements: &[Settlement]) -> Result<(), StoreError> {
        if settlements.is_empty() {
            return Ok(());
        }
        let tx = self.change_transaction()?;
        let requests = tx.object_store(REQUESTS)?;
        let outbox = tx.object_store(OUTBOX)?;
        let meta = tx.object_store(META)?;
        for s in settlements {
            let stored: Option<Mutation> = outbox.get(s.mutation_id as f64).serde()?.await?;
            outbox.delete(s.mutation_id as f64).primitive()?.await?;
            let key = s.request_id.to_string();
            let existing: Option<LocalRequest> = requests.get(key.as_str()).serde()?.await?;
            let Some(mut local) = existing else {
                continue;
            };
            match &s.sent {
                MutationKind::CreateRequest { request: sent } => {
                    local.settle(&s.outcome);
                    let edited = match stored.map(|m| m.kind) {
                        Some(MutationKind::CreateRequest { request }) if request != *sent => {
                            Some(request)
                        }
                        _ => None,
                    };
                    if let Some(edited) = edited {
                        let mutation_id = take_mutation_id(&meta).await?;
                        let kind = if matches!(s.outcome, Outcome::Rejected { .. }) {
                            local.sync = SyncState::Waiting;
                            MutationKind::CreateRequest { request: edited }
                        } else {
                            let values = logged_changes(sent, &edited);
                            MutationKind::SetFields {
                                request_id: s.request_id,
                                edits: local.edit(&values, mutation_id),
                            }
                        };
                        put_mutation(
                            &outbox,
                            Mutation {
                                id: mutation_id,
                                kind,
                            },
                        )
                        .await?;
                    }
                }
                MutationKind::SetFields { edits, .. } => {
                    local.settle_edit(s.mutation_id, edits, &s.outcome);
                }
                // Notes show from the ward record; nothing of the request changes here.
                MutationKind::AddNote { .. } => continue,
            }
            put_request(&requests, &local).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// What saving an edit did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditSaved {
    /// Queued as set-fields mutation `mutation_id`.
    Queued { mutation_id: u64 },
    /// The request's create still waited in the outbox and was changed instead.
    CreateChanged,
    /// The ward record refused the create: it waits again, changed, as `mutation_id`.
    CreateQueuedAgain { mutation_id: u64 },
    /// Nothing differed from what the device shows.
    Unchanged,
}

/// The outbox entry that creates request `id`, if it is still waiting.
async fn waiting_create(
    outbox: &ObjectStore<'_>,
    id: Uuid,
) -> Result<Option<(u64, NewRequest)>, StoreError> {
    let all = outbox
        .get_all::<Mutation>()
        .serde()?
        .await?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(all.into_iter().find_map(|m| match m.kind {
        MutationKind::CreateRequest { request } if request.id == id => Some((m.id, request)),
        _ => None,
    }))
}

/// Takes the next mutation id and moves the counter on (inside the caller's transaction).
pub(crate) async fn take_mutation_id(meta: &ObjectStore<'_>) -> Result<u64, StoreError> {
    let next: Option<f64> = meta.get(META_NEXT_MUTATION_ID).serde()?.await?;
    let id = next.map_or(1, |n| n as u64);
    meta.put((id + 1) as f64)
        .with_key(META_NEXT_MUTATION_ID)
        .without_key_type()
        .serde()?
        .await?;
    Ok(id)
}

/// Puts `mutation` in the outbox under its id.
pub(crate) async fn put_mutation(
    outbox: &ObjectStore<'_>,
    mutation: Mutation,
) -> Result<(), StoreError> {
    // Numbers, not BigInts: IndexedDB keys must be numbers to sort by id.
    let key = mutation.id as f64;
    outbox
        .put(mutation)
        .with_key(key)
        .without_key_type()
        .serde()?
        .await?;
    Ok(())
}

async fn put_request(requests: &ObjectStore<'_>, local: &LocalRequest) -> Result<(), StoreError> {
    requests
        .put(local)
        .with_key(local.id.to_string())
        .without_key_type()
        .serde()?
        .await?;
    Ok(())
}

/// Request `id` as this device holds it.
async fn stored_request(requests: &ObjectStore<'_>, id: Uuid) -> Result<LocalRequest, StoreError> {
    let key = id.to_string();
    requests
        .get::<LocalRequest, _, _>(key.as_str())
        .serde()?
        .await?
        .ok_or_else(|| StoreError::Failed(format!("no request {id}")))
}

/// Queues the create of `request` under `mutation_id` (a new one, or the one it waits as).
async fn put_create(
    outbox: &ObjectStore<'_>,
    mutation_id: u64,
    request: NewRequest,
) -> Result<(), StoreError> {
    put_mutation(
        outbox,
        Mutation {
            id: mutation_id,
            kind: MutationKind::CreateRequest { request },
        },
    )
    .await
}

/// Queues `values` of request `id` as a set-fields mutation under a new mutation id,
/// each field from the version last pulled (see [`LocalRequest::edit`]); returns the id.
async fn queue_set_fields(
    outbox: &ObjectStore<'_>,
    meta: &ObjectStore<'_>,
    local: &mut LocalRequest,
    id: Uuid,
    values: &[FieldValue],
) -> Result<u64, StoreError> {
    let mutation_id = take_mutation_id(meta).await?;
    let edits = local.edit(values, mutation_id);
    put_mutation(
        outbox,
        Mutation {
            id: mutation_id,
            kind: MutationKind::SetFields {
                request_id: id,
                edits,
            },
        },
    )
    .await?;
    Ok(mutation_id)
}

impl Store {
    /// Saves an edit of request `id` made on this device (values already checked with
    /// `koe_core::validation`), in one transaction with its outbox entry: a request the
    /// ward record has gets a set-fields mutation, each field from the version last
    /// pulled; one whose create still waits has that create changed (so the ward record
    /// gets it once); one whose create was refused is queued again, changed.
    pub async fn save_edit(
        &self,
        id: Uuid,
        values: Vec<FieldValue>,
    ) -> Result<EditSaved, StoreError> {
        let tx = self.change_transaction()?;
        let requests = tx.object_store(REQUESTS)?;
        let outbox = tx.object_store(OUTBOX)?;
        let meta = tx.object_store(META)?;
        let mut local = stored_request(&requests, id).await?;
        let values = local.changes(values);
        if values.is_empty() {
            return Ok(EditSaved::Unchanged);
        }
        let saved = if let Some((mutation_id, mut request)) = waiting_create(&outbox, id).await? {
            local.edit_logged(&values);
            for v in &values {
                set_field_of(&mut request, v);
            }
            put_create(&outbox, mutation_id, request).await?;
            EditSaved::CreateChanged
        } else if local.server.is_none() && matches!(local.sync, SyncState::Rejected { .. }) {
            local.edit_logged(&values);
            let Some(request) = local.request.clone() else {
                return Err(StoreError::Failed(format!("request {id} has no create")));
            };
            let mutation_id = take_mutation_id(&meta).await?;
            put_create(&outbox, mutation_id, request).await?;
            local.sync = SyncState::Waiting;
            local.edit_problem = None;
            EditSaved::CreateQueuedAgain { mutation_id }
        } else {
            let mutation_id = queue_set_fields(&outbox, &meta, &mut local, id, &values).await?;
            EditSaved::Queued { mutation_id }
        };
        put_request(&requests, &local).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// The person keeps one value of a conflicting field of request `id`: queues what
    /// that sends (see [`LocalRequest::keep`]) and settles the conflict on the device, in
    /// one transaction. Returns the mutation id queued, if any.
    pub async fn keep_value(
        &self,
        id: Uuid,
        field: EditableField,
        keep: Keep,
    ) -> Result<Option<u64>, StoreError> {
        let tx = self.change_transaction()?;
        let requests = tx.object_store(REQUESTS)?;
        let outbox = tx.object_store(OUTBOX)?;
        let meta = tx.object_store(META)?;
        let mut local = stored_request(&requests, id).await?;
        let queued = match local.keep(field, keep) {
            Some(value) => Some(queue_set_fields(&outbox, &meta, &mut local, id, &[value]).await?),
            None => None,
        };
        put_request(&requests, &local).await?;
        tx.commit().await?;
        Ok(queued)
    }
}

fn set_field_of(request: &mut NewRequest, value: &FieldValue) {
    let mut local = LocalRequest::logged(request.clone());
    local.edit_logged(std::slice::from_ref(value));
    if let Some(r) = local.request {
        *request = r;
    }
}
