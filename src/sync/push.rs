//! Pushing the outbox: in id order, in batches, each answer settled in one transaction.

use koe_core::sync::Outcome;
use koe_core::PushRequest;
use uuid::Uuid;

use super::SyncError;
use crate::api;
use crate::i18n::Msg;
use crate::store::{settlements, Store};

/// The most mutations sent in one push.
pub const BATCH: u32 = 200;

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
        let batch = store.outbox_batch(BATCH).await?;
        if batch.is_empty() {
            return Ok(summary);
        }
        // Requests saved while syncing join the count.
        total = total.max(summary.settled + batch.len() as u32);
        progress(summary.settled, total);
        // From here the ward record may take them even if its answer is lost: none of
        // them is changed again (see `koe_core::device`).
        if let Some(last) = batch.last() {
            store.mark_sent(last.id).await?;
        }
        let answer = api::push(&PushRequest {
            client_id,
            mutations: batch.clone(),
        })
        .await?;
        let settled = settlements(&batch, &answer.outcomes);
        store.settle(&settled).await?;
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
