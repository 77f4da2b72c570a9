use indexed_db_futures::error::{DomException, Error, OpenDbError};
use koe_core::Bilingual;

use crate::i18n::Msg;

/// Why the device's storage failed. Nothing half-written stays: a failed transaction
/// rolls back, and the form keeps what was typed.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreError {
    /// The device is out of storage space (`QuotaExceededError`).
    Quota,
    /// IndexedDB is not available (private mode, disabled storage).
    Unavailable(String),
    /// Anything else, with the browser's words.
    Failed(String),
}

impl StoreError {
    pub fn message(&self) -> Bilingual {
        match self {
            Self::Quota => Msg::ErrQuota.bilingual(),
            Self::Unavailable(_) => Msg::ErrStoreUnavailable.bilingual(),
            Self::Failed(what) => Msg::ErrStore.bilingual_with(what),
        }
    }

    fn from_text(text: String) -> Self {
        if text.contains("Quota") || text.contains("quota") {
            Self::Quota
        } else {
            Self::Failed(text)
        }
    }
}

impl From<Error> for StoreError {
    fn from(e: Error) -> Self {
        if let Error::DomException(DomException::Other(d)) = &e {
            if d.name() == "QuotaExceededError" {
                return Self::Quota;
            }
        }
        Self::from_text(e.to_string())
    }
}

impl From<OpenDbError> for StoreError {
    fn from(e: OpenDbError) -> Self {
        match e {
            OpenDbError::Base(e) => e.into(),
            other => Self::Unavailable(other.to_string()),
        }
    }
}
