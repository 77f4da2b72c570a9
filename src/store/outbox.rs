//! The `outbox` store: mutations waiting to be pushed, in id order, and settling them
//! with the ward record's answer.

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use koe_core::Mutation;

use super::record::LocalRequest;
use super::settle::Settlement;
use super::{Store, StoreError, OUTBOX, REQUESTS};

impl Store {
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
    /// outbox and its request takes the outcome (送信済 or 却下 with the reason).
    pub async fn settle(&self, settlements: &[Settlement]) -> Result<(), StoreError> {
        if settlements.is_empty() {
            return Ok(());
        }
        let tx = self
            .db()
            .transaction([REQUESTS, OUTBOX])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let requests = tx.object_store(REQUESTS)?;
        let outbox = tx.object_store(OUTBOX)?;
        for s in settlements {
            outbox.delete(s.mutation_id as f64).primitive()?.await?;
            let key = s.request_id.to_string();
            let existing: Option<LocalRequest> = requests.get(key.as_str()).serde()?.await?;
            if let Some(mut local) = existing {
                local.settle(&s.outcome);
                requests
                    .put(local)
                    .with_key(key)
                    .without_key_type()
                    .serde()?
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}
