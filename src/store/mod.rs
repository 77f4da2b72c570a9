//! The device's IndexedDB: `requests` (key: request id; a [`LocalRequest`]), `outbox`
//! (key: mutation id; a `koe_core::Mutation`), `meta` (key: a name; the device id, the
//! next mutation id and the pull cursor) and `photos` (key: photo id; a [`PhotoRow`]).
//!
//! Every write that must stay together is one readwrite transaction, committed
//! explicitly, with nothing awaited inside it but IndexedDB requests.

mod error;
mod meta;
mod open;
mod outbox;
mod photos;
mod record;
mod requests;
mod settle;

pub use error::StoreError;
pub use photos::{PhotoCounts, PhotoRow, PhotoState};
pub use record::{LocalRequest, SyncState};
// Edit and conflicts
pub use outbox::EditSaved;
pub(crate) use outbox::{put_mutation, take_mutation_id};
#[cfg(test)]
pub(crate) use record::tests as record_tests;
pub use record::{logged_changes, Keep, LocalConflict, LocalEdit, FIELD_EDITABLE};
pub use settle::{settlements, Settlement};
// My requests and device storage
pub use meta::{CLEAR_AFTER_DAYS, DEFAULT_CLEAR_AFTER_DAYS};
pub use requests::{
    clearable, device_state, filter_list, list_entries, Clearing, DeviceCounts, ListEntry,
    ListFilter, PhotoOf, StateFilter,
};

use indexed_db_futures::database::Database;

pub const DEFAULT_DB_NAME: &str = "koe";
/// The schema version; `open` upgrades older databases to it.
pub const DB_VERSION: u32 = 2;

pub(crate) const REQUESTS: &str = "requests";
pub(crate) const OUTBOX: &str = "outbox";
pub(crate) const META: &str = "meta";
/// Added in version 2.
pub(crate) const PHOTOS: &str = "photos";

pub(crate) const META_CLIENT_ID: &str = "client_id";
pub(crate) const META_NEXT_MUTATION_ID: &str = "next_mutation_id";
pub(crate) const META_PULL_CURSOR: &str = "pull_cursor";

/// A handle on the open database. Cheap to clone; not `Send` (use `spawn_local`).
#[derive(Debug, Clone)]
pub struct Store {
    db: Database,
}
