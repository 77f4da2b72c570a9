//! Pulling the ward record's changes after the stored cursor until there are no more.

use super::SyncError;
use crate::api;
use crate::store::Store;

/// Pulls every page of changes; `on_page()` after each stored page. Returns how many
/// records came. The device's own changes it took with its push's answers are left out
/// (`mine_from`) until the pull ends.
pub async fn pull_changes(store: &Store, mut on_page: impl FnMut()) -> Result<usize, SyncError> {
    let mut cursor = store.pull_cursor().await?;
    let client_id = store.client_id().await?;
    let mine_from = store.mine_from().await?;
    let mut pulled = 0;
    loop {
        let page = api::pull(cursor, client_id, mine_from).await?;
        // A page that moves nothing forward ends the pull rather than looping.
        let last = !page.has_more || (page.cursor == cursor && page.requests.is_empty());
        store
            .apply_pull_page(&page.requests, &page.gone, page.cursor, last)
            .await?;
        pulled += page.requests.len();
        on_page();
        if last {
            return Ok(pulled);
        }
        cursor = page.cursor;
    }
}
