//! Koe's domain, shared by the field app (wasm32) and the ward record (server).
//!
//! Every rule that both sides must agree on lives here once: what a valid request is,
//! who may see what, and the shape of the sync messages.

pub mod access;
pub mod admin;
pub mod api;
pub mod calendar;
pub mod catalogue;
pub mod csv;
pub mod device;
pub mod directory;
pub mod duplicates;
pub mod filter;
pub mod history;
pub mod id;
pub mod merge;
pub mod milestones;
pub mod open311;
pub mod photo;
pub mod report;
pub mod request;
pub mod search;
pub mod sync;
pub mod validation;
pub mod vault;
pub mod workflow;

pub use access::{Role, Viewer};
pub use calendar::{
    add_working_days, due_dates, timeliness, DueDates, ServiceStandard, Timeliness, WardCalendar,
};
pub use catalogue::{Catalogue, Category, Department, Section};
pub use merge::{EditableField, FieldEdit, FieldValue};
pub use milestones::Milestones;
pub use request::{
    Contact, FieldConflict, NewRequest, Note, Place, RequestRecord, Status, Urgency,
};
pub use sync::{
    Mutation, MutationKind, MutationOutcome, PullResponse, PushRequest, PushResponse, SyncNews,
};
pub use validation::{validate_new_request, ValidationError};

/// A message in Koe's two languages: Japanese first, English second.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Bilingual {
    pub ja: String,
    pub en: String,
}

impl Bilingual {
    pub fn new(ja: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            ja: ja.into(),
            en: en.into(),
        }
    }
}

impl std::fmt::Display for Bilingual {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} / {}", self.ja, self.en)
    }
}
