use indexed_db_futures::error::{DomException, Error, OpenDbError};
use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::transaction::Transaction;
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
            // What to do about it, and that nothing was lost: the form keeps what was typed
            // and the failed transaction rolled back, leaving earlier requests as they were.
            Self::Quota => Msg::ErrQuotaFull.bilingual(),
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

/// Commits `tx`, saying why if the browser aborted it. A full device aborts the
/// transaction when it commits, with `QuotaExceededError` on the transaction rather than on
/// any of its requests, so the plain commit would only report "aborted".
pub(crate) async fn commit(tx: Transaction<'_>) -> Result<(), StoreError> {
    let sys: web_sys::IdbTransaction =
        AsRef::<web_sys::IdbTransaction>::as_ref(tx.as_sys()).clone();
    match tx.commit().await {
        Ok(()) => Ok(()),
        Err(e) => Err(match sys.error() {
            Some(d) if d.name() == "QuotaExceededError" => StoreError::Quota,
            Some(d) => StoreError::from_text(format!("{}: {}", d.name(), d.message())),
            None => e.into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn a_full_device_says_what_to_do_and_that_nothing_is_lost() {
        assert_eq!(
            StoreError::from_text("QuotaExceededError: quota exceeded".into()),
            StoreError::Quota
        );
        assert_eq!(
            StoreError::from_text("AbortError".into()),
            StoreError::Failed("AbortError".into())
        );
        let m = StoreError::Quota.message();
        assert!(m.ja.contains("端末") && m.ja.contains("残って"), "{}", m.ja);
        assert!(m.en.contains("Sync") && m.en.contains("kept"), "{}", m.en);
    }
}
