//! One person's IndexedDB database on the device (`koe.person.<staff id>`; the device's
//! own database, with who used it, is [`crate::device`]): `requests` (key: request id; a
//! [`LocalRequest`]), `outbox` (key: mutation id; a `koe_core::Mutation`), `meta` (key: a
//! name; the device id, the next mutation id and the pull cursor, numbers in the clear,
//! and the sealed list of requests with an answer not yet opened)
//! and `photos` (key: photo id; a [`PhotoRow`]). Requests, mutations and photos are
//! sealed with the person's data key ([`sealed`]): without it they are bytes.
//!
//! Every write that must stay together is one readwrite transaction, committed
//! explicitly, with nothing awaited inside it but IndexedDB requests.

mod error;
mod legacy;
mod meta;
mod open;
mod outbox;
mod photos;
mod requests;
pub mod sealed;
mod settle;

pub use error::StoreError;
pub use koe_core::device::{LocalRequest, SyncState};
pub use photos::{NewPhoto, PhotoCounts, PhotoRow, PhotoState};
// Edit and conflicts
pub use koe_core::device::EditSaved;
pub use koe_core::device::{logged_changes, Keep, LocalConflict, LocalEdit, FIELD_EDITABLE};
pub(crate) use outbox::{put_mutation, take_mutation_id};
pub use settle::{settlements, Settlement};
// My requests and device storage
pub use meta::{CLEAR_AFTER_DAYS, DEFAULT_CLEAR_AFTER_DAYS};
pub use requests::{
    clearable, device_state, filter_list, list_entries, Clearing, DeviceCounts, ListEntry,
    ListFilter, PhotoOf, StateFilter,
};

use std::cell::RefCell;
use std::rc::Rc;

use indexed_db_futures::database::Database;

/// The name of a person's database on this device.
pub fn person_db_name(staff_id: &str) -> String {
    format!("koe.person.{staff_id}")
}

/// The schema version of a person's database.
pub const DB_VERSION: u32 = 1;

pub(crate) const REQUESTS: &str = "requests";
pub(crate) const OUTBOX: &str = "outbox";
pub(crate) const META: &str = "meta";
pub(crate) const PHOTOS: &str = "photos";

pub(crate) const META_CLIENT_ID: &str = "client_id";
pub(crate) const META_NEXT_MUTATION_ID: &str = "next_mutation_id";
pub(crate) const META_PULL_CURSOR: &str = "pull_cursor";
/// The requests with an office answer the person has not opened yet (回答あり): a sealed
/// list of request ids (the one sealed value of `meta`).
pub(crate) const META_UNSEEN_ANSWERS: &str = "unseen_answers";
/// The highest mutation id handed to a push: those at or below it are never changed.
pub(crate) const META_SENT_THROUGH: &str = "sent_through";
/// The lowest mutation id whose push answer (with its requests as the ward record keeps
/// them) was stored since the last pull ended: the pull leaves out the device's own
/// changes from it on (`mine_from`). Absent: the pull brings everything.
pub(crate) const META_MINE_FROM: &str = "mine_from";

/// A handle on the open database. Cheap to clone; not `Send` (use `spawn_local`).
#[derive(Debug, Clone)]
pub struct Store {
    db: Database,
    /// The person's data key, in memory while they are signed in.
    key: Rc<koe_core::vault::SealKey>,
    /// Who is signed in, shared by every clone: the author of the mutations queued now,
    /// and whose waiting work a push carries.
    author: Rc<RefCell<Option<String>>>,
}
