//! Pushing the outbox: in id order, in batches that fit the ward record's limits, each
//! answer settled in one transaction with the requests it brings back.

use koe_core::sync::{push_batch_len, Outcome, PUSH_MAX_MUTATIONS};
use uuid::Uuid;

use super::SyncError;
use crate::api;
use crate::i18n::Msg;
use crate::store::{settlements, Store, StoreError};

/// The most mutations sent in one push (the ward record's limit; the body's size may make
/// a batch smaller, see `koe_core::sync::push_batch_len`).
pub const BATCH: u32 = PUSH_MAX_MUTATIONS as u32;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PushSummary {
    pub settled: u32,
    pub rejected: u32,
}

/// Pushes everything in the outbox; `progress(done, total)` after each batch.
pub async fn push_outbox(
    store: &Store,
    client_id: Uuid,
    mut progress: impl FnMut(u32, u32),
) -> Result<PushSummary, SyncError> {
    let mut total = store.outbox_len().await?;
    let mut summary = PushSummary::default();
    loop {
        let mut batch = store.outbox_batch(BATCH).await?;
        if batch.is_empty() {
            return Ok(summary);
        }
        let mut bodies = batch
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StoreError::Failed(format!("a change does not serialise: {e}")))?;
        let fits = push_batch_len(bodies.iter().map(String::len));
        batch.truncate(fits);
        bodies.truncate(fits);
        // Requests saved while syncing join the count.
        total = total.max(summary.settled + batch.len() as u32);
        progress(summary.settled, total);
        // From here the ward record may take them even if its answer is lost: none of
        // them is changed again (see `koe_core::device`).
        if let Some(last) = batch.last() {
            store.mark_sent(last.id).await?;
        }
        let answer = api::push(client_id, &bodies).await?;
        let settled = settlements(&batch, &answer.outcomes);
        store.settle_with(&settled, &answer.records).await?;
        summary.settled += settled.len() as u32;
        summary.rejected += settled
            .iter()
            .filter(|s| matches!(s.outcome, Outcome::Rejected { .. }))
            .count() as u32;
        progress(summary.settled, total);
        if settled.len() < batch.len() {
            // Whatever was not answered stays in the outbox for the next sync.
            return Err(SyncError::Failed(Msg::ErrNotAnswered.bilingual()));
        }
    }
}
