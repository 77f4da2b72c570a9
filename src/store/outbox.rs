//! The `outbox` store: mutations waiting to be pushed, in id order, and settling them
//! with the ward record's answer; edits made after logging and the choice of a value
//! when an edit lost. The rules are `koe_core::device`'s; this file keeps them in
//! IndexedDB, each change in one transaction.

use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use koe_core::device::{EditSaved, Keep, LocalRequest, QueuedCreate};
use koe_core::{EditableField, FieldValue, Mutation, MutationKind};
use uuid::Uuid;

use std::collections::{HashMap, HashSet};

use koe_core::RequestRecord;
use wasm_bindgen::JsValue;

use super::meta::put_number;
use super::requests::{put_unseen, unseen_in};
use super::sealed::Sealed;
use super::settle::Settlement;
use super::{
    Store, StoreError, META, META_MINE_FROM, META_NEXT_MUTATION_ID, META_SENT_THROUGH, OUTBOX,
    REQUESTS,
};

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

    /// The first `limit` mutations waiting that the signed-in person may push (their own,
    /// and entries queued before authors were recorded), lowest id first. Another
    /// person's work on this device stays, untouched, until they sign in here.
    pub async fn outbox_batch(&self, limit: u32) -> Result<Vec<Mutation>, StoreError> {
        let author = self.author();
        let tx = self.db().transaction(OUTBOX).build()?;
        let outbox = self.sealed(&tx, OUTBOX)?;
        let mine = |m: &Mutation| author.as_deref().is_none_or(|a| m.pushed_by(a));
        // Only the first `limit` are opened (keys are numbers: IndexedDB returns them in
        // id order); all of them only if some of those are another person's.
        let first: Vec<Mutation> = outbox.first(limit).await?;
        let mut batch: Vec<Mutation> = if first.iter().all(mine) {
            first
        } else {
            outbox
                .all::<Mutation>()
                .await?
                .into_iter()
                .filter(mine)
                .collect()
        };
        batch.sort_by_key(|m| m.id);
        batch.truncate(limit as usize);
        Ok(batch)
    }

    /// How many mutations wait to be pushed.
    pub async fn outbox_len(&self) -> Result<u32, StoreError> {
        let tx = self.db().transaction(OUTBOX).build()?;
        self.sealed(&tx, OUTBOX)?.count().await
    }

    /// Notes that every mutation up to `mutation_id` is about to leave the device: from
    /// now on none of them is changed (an edit becomes a mutation of its own), since the
    /// ward record may take it even if its answer never comes back.
    pub async fn mark_sent(&self, mutation_id: u64) -> Result<(), StoreError> {
        let tx = self
            .db()
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let meta = tx.object_store(META)?;
        if mutation_id > sent_through(&meta).await? {
            put_number(&meta, META_SENT_THROUGH, mutation_id as f64).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Applies a push's answers in one transaction: each answered mutation leaves the
    /// outbox and its request takes the outcome (送信済, 却下 with the reason, or an
    /// edit that lost kept as a conflict), by `koe_core::device`. What the person changed
    /// while a create was on its way goes next, as an edit (or, if the create was
    /// refused, as the changed create).
    pub async fn settle(&self, settlements: &[Settlement]) -> Result<(), StoreError> {
        self.settle_with(settlements, &[]).await
    }

    /// [`settle`](Self::settle), then stores `records` (the requests as the ward record
    /// keeps them, from the same answer) as a pull would, so the next pull need not bring
    /// them again: it leaves out this device's own changes from the lowest mutation
    /// answered here on (`META_MINE_FROM`, kept in the same transaction).
    ///
    /// Every read is issued at once, the rules run in memory, then every write is issued
    /// at once: a batch of 500 is a few passes over IndexedDB, not 2,000 round trips.
    pub async fn settle_with(
        &self,
        settlements: &[Settlement],
        records: &[RequestRecord],
    ) -> Result<(), StoreError> {
        if settlements.is_empty() && records.is_empty() {
            return Ok(());
        }
        let tx = self.change_transaction()?;
        let requests = self.sealed(&tx, REQUESTS)?;
        let outbox = self.sealed(&tx, OUTBOX)?;
        let meta = tx.object_store(META)?;
        let marks = self.sealed(&tx, META)?;
        let mut ids: Vec<Uuid> = settlements
            .iter()
            .map(|s| s.mutation.kind.request_id())
            .chain(records.iter().map(|r| r.id))
            .collect();
        ids.sort();
        ids.dedup();
        let keys: Vec<JsValue> = ids.iter().map(|id| id.to_string().into()).collect();
        let found: Vec<Option<LocalRequest>> = requests.get_many(&keys).await?;
        let mut locals: HashMap<Uuid, LocalRequest> = ids
            .iter()
            .zip(found)
            .filter_map(|(id, local)| local.map(|l| (*id, l)))
            .collect();
        let first_free = peek_mutation_id(&meta).await?;
        let mut next_id = first_free;
        let mut queued = Vec::new();
        let mut changed: HashSet<Uuid> = HashSet::new();
        for s in settlements {
            let id = s.mutation.kind.request_id();
            let Some(local) = locals.get_mut(&id) else {
                continue;
            };
            // The id is taken only if the rule queues a mutation with it.
            let candidate = next_id;
            if let Some(m) = local.settle_mutation(&s.mutation, &s.outcome, || candidate) {
                next_id += 1;
                queued.push(m);
            }
            changed.insert(id);
        }
        let mut unseen = unseen_in(&marks).await?;
        let marked_before = unseen.clone();
        for record in records {
            let existing = locals.remove(&record.id);
            if koe_core::sync::brings_unseen_answer(existing.as_ref(), record) {
                unseen.insert(record.id);
            }
            locals.insert(record.id, LocalRequest::pulled(existing, record.clone()));
            changed.insert(record.id);
        }
        outbox
            .delete_many(
                settlements
                    .iter()
                    .map(|s| JsValue::from(s.mutation.id as f64)),
            )
            .await?;
        // Numbers, not BigInts: IndexedDB keys must be numbers to sort by id.
        outbox
            .put_many(queued.iter().map(|m| (JsValue::from(m.id as f64), m)))
            .await?;
        requests
            .put_many(
                locals
                    .iter()
                    .filter(|(id, _)| changed.contains(id))
                    .map(|(id, local)| (JsValue::from(id.to_string()), local)),
            )
            .await?;
        if next_id != first_free {
            put_number(&meta, META_NEXT_MUTATION_ID, next_id as f64).await?;
        }
        if unseen != marked_before {
            put_unseen(&marks, &unseen).await?;
        }
        if let Some(lowest) = settlements.iter().map(|s| s.mutation.id).min() {
            let from: Option<f64> = meta.get(META_MINE_FROM).serde()?.await?;
            let from = from.map_or(lowest, |f| (f as u64).min(lowest));
            put_number(&meta, META_MINE_FROM, from as f64).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The outbox entry that creates request `id`, if it is still waiting, and whether it
/// has left the device.
async fn queued_create(
    outbox: &Sealed<'_>,
    meta: &ObjectStore<'_>,
    id: Uuid,
) -> Result<Option<QueuedCreate>, StoreError> {
    let sent = sent_through(meta).await?;
    let all: Vec<Mutation> = outbox.all().await?;
    Ok(all.into_iter().find_map(|m| match &m.kind {
        MutationKind::CreateRequest { request } if request.id == id => Some(QueuedCreate {
            sent: m.id <= sent,
            mutation: m,
        }),
        _ => None,
    }))
}

/// The highest mutation id handed to a push (`0`: none yet).
async fn sent_through(meta: &ObjectStore<'_>) -> Result<u64, StoreError> {
    let sent: Option<f64> = meta.get(META_SENT_THROUGH).serde()?.await?;
    Ok(sent.map_or(0, |n| n as u64))
}

/// The next mutation id, without taking it.
async fn peek_mutation_id(meta: &ObjectStore<'_>) -> Result<u64, StoreError> {
    let next: Option<f64> = meta.get(META_NEXT_MUTATION_ID).serde()?.await?;
    Ok(next.map_or(1, |n| n as u64))
}

/// Takes the next mutation id and moves the counter on (inside the caller's transaction).
pub(crate) async fn take_mutation_id(meta: &ObjectStore<'_>) -> Result<u64, StoreError> {
    let id = peek_mutation_id(meta).await?;
    put_number(meta, META_NEXT_MUTATION_ID, (id + 1) as f64).await?;
    Ok(id)
}

/// Puts `mutation` in the outbox under its id.
pub(crate) async fn put_mutation(
    outbox: &Sealed<'_>,
    mutation: Mutation,
) -> Result<(), StoreError> {
    // Numbers, not BigInts: IndexedDB keys must be numbers to sort by id.
    outbox.put(mutation.id as f64, &mutation).await
}

async fn put_request(requests: &Sealed<'_>, local: &LocalRequest) -> Result<(), StoreError> {
    requests.put(local.id.to_string(), local).await
}

/// Request `id` as this device holds it.
async fn stored_request(requests: &Sealed<'_>, id: Uuid) -> Result<LocalRequest, StoreError> {
    requests
        .get::<LocalRequest>(id.to_string())
        .await?
        .ok_or_else(|| StoreError::Failed(format!("no request {id}")))
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
        let author = self.author();
        let tx = self.change_transaction()?;
        let requests = self.sealed(&tx, REQUESTS)?;
        let outbox = self.sealed(&tx, OUTBOX)?;
        let meta = tx.object_store(META)?;
        let mut local = stored_request(&requests, id).await?;
        let queued = queued_create(&outbox, &meta, id).await?;
        // Read before the rule runs; taken only if the rule queues a new mutation.
        let next_id = peek_mutation_id(&meta).await?;
        let mut took = false;
        let (saved, mutation) = local.save_edit(values, queued, author.as_deref(), || {
            took = true;
            next_id
        });
        if saved == EditSaved::Unchanged {
            return Ok(saved);
        }
        if took {
            take_mutation_id(&meta).await?;
        }
        if let Some(m) = mutation {
            put_mutation(&outbox, m).await?;
        }
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
        let author = self.author();
        let tx = self.change_transaction()?;
        let requests = self.sealed(&tx, REQUESTS)?;
        let outbox = self.sealed(&tx, OUTBOX)?;
        let meta = tx.object_store(META)?;
        let mut local = stored_request(&requests, id).await?;
        let queued = match local.keep(field, keep) {
            Some(value) => {
                let mutation_id = take_mutation_id(&meta).await?;
                let edits = local.edit(&[value], mutation_id);
                let kind = MutationKind::SetFields {
                    request_id: id,
                    edits,
                };
                put_mutation(
                    &outbox,
                    Mutation {
                        id: mutation_id,
                        author,
                        kind,
                    },
                )
                .await?;
                Some(mutation_id)
            }
            None => None,
        };
        put_request(&requests, &local).await?;
        tx.commit().await?;
        Ok(queued)
    }
}
