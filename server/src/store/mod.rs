//! Storage behind one trait, so the routes neither know nor care which database holds
//! the ward record. [`SqlStore`] is the one implementation, for SQLite and PostgreSQL.

mod admin;
mod devices;
mod directory;
mod duplicates;
mod ledger;
mod listing;
mod photos;
mod reports;
mod schema;
mod sql;

use async_trait::async_trait;
use koe_core::api::Me;
use koe_core::sync::Outcome;
use koe_core::{Catalogue, NewRequest, RequestRecord, Role, Viewer};
use uuid::Uuid;

pub use admin::{AdminRecords, Written};
pub use devices::{DeviceOutcome, Devices};
pub use directory::Directory;
pub use duplicates::{CandidateQuery, Duplicates};
pub use ledger::{AccessLogEntry, Ledger};
pub use listing::{Listing, PublicQuery};
pub use photos::PhotoRecords;
pub use reports::Reports;
pub use sql::SqlStore;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// A stored value the ward record cannot read back (a bug or a hand edit).
    #[error("corrupt record: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Invalid(String),
    /// A device an administrator retired tried to sync: found under the device row's lock,
    /// so nothing lands after the retirement committed.
    #[error("device {0} is retired")]
    DeviceRetired(Uuid),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A staff account to create (at seeding, later by an administrator).
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub sections: Vec<String>,
    pub password_hash: String,
}

/// What sign-in needs to know about an account.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub me: Me,
    pub password_hash: String,
    pub disabled: bool,
}

/// Who has used a device (a device belongs to the ward; pooled tablets have many users).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceUse {
    /// Who used it first (pushed from it or signed in on it).
    pub first_staff_id: String,
    /// Who pushed from it last, and when.
    pub last_staff_id: String,
    pub last_seen_at: i64,
}

/// What the route decided about one mutation before it reaches the database (the
/// domain rules are core's; the store only keeps the books).
#[derive(Debug, Clone)]
pub enum Verdict<'a> {
    /// Create this request, routed to `section`, due by its category's service standard
    /// in `catalogue`.
    Create {
        request: &'a NewRequest,
        section: &'a str,
        catalogue: &'a Catalogue,
    },
    /// Refused for this reason (kept as the mutation's outcome like any other).
    Reject {
        code: String,
        message: koe_core::Bilingual,
    },
    /// Merge these field edits (`koe_core::merge`) into the stored request.
    SetFields {
        request_id: Uuid,
        edits: &'a [koe_core::FieldEdit],
        editor: &'a Viewer,
        catalogue: &'a Catalogue,
    },
    /// Append this note unless its id is already stored.
    AddNote {
        request_id: Uuid,
        note_id: Uuid,
        text: &'a str,
        editor: &'a Viewer,
        catalogue: &'a Catalogue,
    },
}

/// Who applied a mutation, from which device.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// The mutation's author (always the signed-in person: the route refuses others).
    pub staff_id: &'a str,
    pub client_id: Uuid,
    pub mutation_id: u64,
    /// SHA-256 of the mutation as sent (`koe_core::sync::Mutation::fingerprint`).
    pub fingerprint: &'a str,
    /// Ward record clock (ms since epoch).
    pub now: i64,
}

/// The changes a pulling device made itself and already holds: by this person on this
/// device, from mutation `from` on (the pull's `mine_from`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnChanges {
    pub client_id: Uuid,
    pub staff_id: String,
    pub from: u64,
}

/// One row of the append-only history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub version: i64,
    pub request_id: Uuid,
    pub staff_id: String,
    pub client_id: Option<Uuid>,
    pub mutation_id: Option<u64>,
    pub at: i64,
    pub kind: String,
    /// JSON of what changed (for a create, the record as stored).
    pub body: String,
}

#[async_trait]
/// Photo metadata ([`PhotoRecords`]) is part of every store.
pub trait Store:
    PhotoRecords
    + Ledger
    + Reports
    + Duplicates
    + Directory
    + Listing
    + AdminRecords
    + Devices
    + Send
    + Sync
    + 'static
{
    fn backend(&self) -> Backend;

    /// Whether any staff account exists (the database has been seeded).
    async fn has_staff(&self) -> StoreResult<bool>;

    /// Seeds the catalogue and staff if there are no staff yet; true if it did. Safe
    /// when two instances start at once: only one seeds.
    async fn seed_if_empty(&self, catalogue: &Catalogue, staff: &[NewStaff]) -> StoreResult<bool>;

    async fn catalogue(&self) -> StoreResult<Catalogue>;

    async fn credentials(&self, staff_id: &str) -> StoreResult<Option<Credentials>>;

    async fn create_session(
        &self,
        token_hash: &str,
        staff_id: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()>;

    /// The staff member of a live session, unless expired or disabled.
    async fn session_staff(&self, token_hash: &str, now: i64) -> StoreResult<Option<Me>>;

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;

    /// Notes that `staff_id` pushes from device `client_id` (registering it if new; a
    /// retired device is left as it is).
    async fn register_device(&self, client_id: Uuid, staff_id: &str, now: i64) -> StoreResult<()>;

    /// Applies one mutation exactly once per (device, author, mutation id), in one
    /// transaction with the record of its outcome; a mutation already applied is not
    /// applied again and gets the outcome it got the first time. A retired device's is
    /// not applied: [`StoreError::DeviceRetired`].
    async fn apply(&self, origin: Origin<'_>, verdict: Verdict<'_>) -> StoreResult<Outcome> {
        let mut outcomes = self.apply_batch(vec![(origin, verdict)]).await?;
        outcomes
            .pop()
            .ok_or_else(|| StoreError::Corrupt("a batch of one gave no outcome".into()))
    }

    /// Applies a push's mutations (all from one device and author) as [`Store::apply`]
    /// does each, in one transaction: one commit for the batch, each mutation's outcome
    /// still its own (a refused one writes nothing but its outcome). An error leaves none
    /// of the batch applied, so the device's retry finds them all new.
    async fn apply_batch(&self, items: Vec<(Origin<'_>, Verdict<'_>)>)
        -> StoreResult<Vec<Outcome>>;

    /// The stored requests among `ids` (any order; ids not stored are left out).
    async fn requests_by_ids(&self, ids: &[Uuid]) -> StoreResult<Vec<RequestRecord>>;

    /// The last number handed out in server order (every committed change is at or below).
    async fn server_order(&self) -> StoreResult<i64>;

    /// The secret that seals pull cursors (`crate::cursor`), made at first use and kept
    /// with the data (a restored backup still reads the cursors it handed out).
    async fn cursor_key(&self) -> StoreResult<String>;

    /// Requests changed after `after`, in server order, at most `limit`, pre-filtered in
    /// SQL to those the viewer may see (the route still applies `Viewer::sees`).
    /// Leaves out requests whose last change is `own`'s (the device has them from its
    /// push's answer).
    async fn changes_after(
        &self,
        viewer: &Viewer,
        after: i64,
        limit: i64,
        own: Option<&OwnChanges>,
    ) -> StoreResult<Vec<RequestRecord>>;

    /// Whether any request the viewer sees changed after `after` (what
    /// [`Store::changes_after`] would return is not empty): one indexed query on
    /// `requests.version`, reading no record.
    async fn changed_after(
        &self,
        viewer: &Viewer,
        after: i64,
        own: Option<&OwnChanges>,
    ) -> StoreResult<bool>;

    /// Requests newest first, pre-filtered like [`Store::changes_after`].
    async fn list_requests(
        &self,
        viewer: &Viewer,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<RequestRecord>>;

    async fn history(&self, request_id: Uuid) -> StoreResult<Vec<HistoryEntry>>;

    /// How many requests are stored (for checks and tests).
    async fn request_count(&self) -> StoreResult<i64>;

    /// Who used a device, first and last.
    async fn device(&self, client_id: Uuid) -> StoreResult<Option<DeviceUse>>;
}
