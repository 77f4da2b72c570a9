//! What the device keeps in localStorage so that, after one sign-in, the app opens and
//! captures with no network: the signed-in person (`Me`) and the ward's catalogue.
//! Signing out forgets `Me` only; the unsynced outbox lives in IndexedDB and stays.

use gloo_storage::{LocalStorage, Storage};
use koe_core::api::Me;
use koe_core::Catalogue;

const ME_KEY: &str = "koe.me";
const CATALOGUE_KEY: &str = "koe.catalogue";

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
