//! Hearing the office within seconds: while the page is visible, online and someone is
//! signed in, the app asks the ward record every few seconds whether anything changed
//! for this person since the stored cursor (`GET /api/sync/news`, a short poll: see the
//! server's `routes::sync::news` for why not a stream), and syncs when it says so. The
//! engine's 5-minute pull stays as the fallback.

use std::time::Duration;

use leptos::prelude::*;

use super::SyncEngine;
use crate::api::{self, ApiError};
use crate::state::AppState;

/// How often the app asks while it may.
pub const NEWS_EVERY_MS: u64 = 3_000;
/// The wait after the ward record did not answer (out of reach, or an error): asking
/// every few seconds into a dead network helps nobody.
pub const NEWS_AFTER_FAILURE_MS: u64 = 30_000;

/// Whether the app asks now: the page is seen, the device is online, someone is signed
/// in (their store open), and no sync is running (it pulls anyway).
pub fn may_ask(visible: bool, online: bool, signed_in: bool, syncing: bool) -> bool {
    visible && online && signed_in && !syncing
}

/// Starts asking; lives as long as the page.
pub fn install_news(app: AppState, engine: SyncEngine) {
    schedule(app, engine, NEWS_EVERY_MS);
}

fn schedule(app: AppState, engine: SyncEngine, wait_ms: u64) {
    set_timeout(
        move || leptos::task::spawn_local(ask(app, engine)),
        Duration::from_millis(wait_ms),
    );
}

async fn ask(app: AppState, engine: SyncEngine) {
    let visible = document().visibility_state() == web_sys::VisibilityState::Visible;
    let online = window().navigator().on_line();
    let store = app
        .store
        .get_untracked()
        .filter(|_| app.me.with_untracked(Option::is_some));
    let next = match store {
        Some(store) if may_ask(visible, online, true, engine.is_running()) => {
            match news_for(&store).await {
                Ok(true) => {
                    engine.sync_now();
                    NEWS_EVERY_MS
                }
                Ok(false) => NEWS_EVERY_MS,
                // Signed out elsewhere: the engine's next sync says so; keep asking
                // slowly until someone signs in again.
                Err(_) => NEWS_AFTER_FAILURE_MS,
            }
        }
        _ => NEWS_EVERY_MS,
    };
    schedule(app, engine, next);
}

async fn news_for(store: &crate::store::Store) -> Result<bool, ApiError> {
    let failed = |e: crate::store::StoreError| ApiError::Unexpected(e.message().en);
    let cursor = store.pull_cursor().await.map_err(failed)?;
    let client_id = store.client_id().await.map_err(failed)?;
    let mine_from = store.mine_from().await.map_err(failed)?;
    api::sync_news(cursor, client_id, mine_from).await
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn asks_only_when_seen_online_signed_in_and_not_syncing() {
        assert!(may_ask(true, true, true, false));
        assert!(!may_ask(false, true, true, false), "hidden: paused");
        assert!(!may_ask(true, false, true, false), "offline");
        assert!(!may_ask(true, true, false, false), "nobody signed in");
        assert!(!may_ask(true, true, true, true), "a sync is pulling anyway");
    }
}
