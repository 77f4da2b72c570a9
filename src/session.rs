//! What the device keeps in localStorage so that, after one sign-in, the app opens and
//! captures with no network: the signed-in person (`Me`) and the ward's catalogue.
//! Signing out forgets `Me` only; the unsynced outbox lives in IndexedDB and stays.

use gloo_storage::{LocalStorage, Storage};
use koe_core::api::Me;
use koe_core::Catalogue;

const ME_KEY: &str = "koe.me";
const CATALOGUE_KEY: &str = "koe.catalogue";
/// Set when a sign-out could not reach the ward record: its session is ended at the
/// next connection (and by the ward record at the next sign-in on this browser).
const SIGN_OUT_PENDING_KEY: &str = "koe.sign_out_pending";

pub fn stored_me() -> Option<Me> {
    LocalStorage::get(ME_KEY).ok()
}

pub fn store_me(me: &Me) -> Result<(), String> {
    LocalStorage::set(ME_KEY, me).map_err(|e| e.to_string())
}

pub fn forget_me() {
    LocalStorage::delete(ME_KEY);
}

pub fn stored_catalogue() -> Option<Catalogue> {
    LocalStorage::get(CATALOGUE_KEY).ok()
}

pub fn store_catalogue(catalogue: &Catalogue) -> Result<(), String> {
    LocalStorage::set(CATALOGUE_KEY, catalogue).map_err(|e| e.to_string())
}

pub fn sign_out_pending() -> bool {
    LocalStorage::get::<bool>(SIGN_OUT_PENDING_KEY).unwrap_or(false)
}

pub fn set_sign_out_pending(pending: bool) {
    if pending {
        let _ = LocalStorage::set(SIGN_OUT_PENDING_KEY, true);
    } else {
        LocalStorage::delete(SIGN_OUT_PENDING_KEY);
    }
}

/// Ends the ward record's session of whoever signed out here; until the ward record has
/// heard it (no signal now), it is tried again at every sync.
pub async fn end_server_session() {
    // Marked first: a sync that starts while this one waits for the network tries too.
    set_sign_out_pending(true);
    match crate::api::sign_out().await {
        Err(crate::api::ApiError::Unreachable) => {}
        // Done, or already gone (401): nothing left to end.
        _ => set_sign_out_pending(false),
    }
}
