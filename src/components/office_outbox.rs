//! Queuing an internal note (内部メモ) from the office's panel: an `add_note` mutation in
//! the outbox, under the device's next mutation id, in one transaction, so it goes to
//! the ward record through the same push as every other change (in id order, once).

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use koe_core::{Mutation, MutationKind};
use uuid::Uuid;

use crate::store::{put_mutation, take_mutation_id, Store, StoreError, META, OUTBOX};

impl Store {
    /// Queues note `note_id` on request `request_id`; returns its mutation id.
    pub async fn queue_note(
        &self,
        request_id: Uuid,
        note_id: Uuid,
        text: &str,
    ) -> Result<u64, StoreError> {
        let author = self.author();
        let tx = self
            .db()
            .transaction([OUTBOX, META])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let outbox = self.sealed(&tx, OUTBOX)?;
        let meta = tx.object_store(META)?;
        let mutation_id = take_mutation_id(&meta).await?;
        let mutation = Mutation {
            id: mutation_id,
            author,
            kind: MutationKind::AddNote {
                request_id,
                note_id,
                text: text.to_owned(),
            },
        };
        put_mutation(&outbox, mutation).await?;
        tx.commit().await?;
        Ok(mutation_id)
    }

    /// Whether mutation `mutation_id` still waits in the outbox.
    pub async fn is_queued(&self, mutation_id: u64) -> Result<bool, StoreError> {
        let tx = self.db().transaction(OUTBOX).build()?;
        let found: Option<Mutation> = self.sealed(&tx, OUTBOX)?.get(mutation_id as f64).await?;
        Ok(found.is_some())
    }
}
