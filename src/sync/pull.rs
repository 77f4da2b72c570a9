//! Pulling the ward record's changes after the stored cursor until there are no more.

use super::SyncError;
use crate::api;
use crate::store::Store;

/// Pulls every page of changes; `on_page()` after each stored page. Returns how many
/// records came.
pub async fn pull_changes(store: &Store, mut on_page: impl FnMut()) -> Result<usize, SyncError> {
    let mut cursor = store.pull_cursor().await?;
    let client_id = store.client_id().await?;
    let mut pulled = 0;
    loop {
        let page = api::pull(cursor, client_id).await?;
        store
            .apply_pull(&page.requests, &page.gone, page.cursor)
            .await?;
        pulled += page.requests.len();
        on_page();
        // A page that moves nothing forward ends the pull rather than looping.
        if !page.has_more || (page.cursor == cursor && page.requests.is_empty()) {
            return Ok(pulled);
        }
        cursor = page.cursor;
    }
}
