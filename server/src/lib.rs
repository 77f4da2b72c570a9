//! Koe's ward record: the HTTP API the field app syncs with, storage (SQLite by default,
//! PostgreSQL for a city), sign-in, and serving the built app.
//!
//! `main.rs` is a thin shell around this library so that tests (and later benches) drive
//! the very same [`app`] router.

pub mod auth;
pub mod blob;
pub mod config;
pub mod cursor;
pub mod error;
pub mod routes;
pub mod seed;
pub mod store;

use std::path::PathBuf;
use std::sync::Arc;

pub use config::Config;
pub use error::ApiError;
pub use routes::app;
pub use store::{Backend, SqlStore, Store};

/// What every handler shares. Nothing here is state two instances could disagree on:
/// sessions, devices and requests all live in the database behind `store`.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// The built app (Trunk's `dist/`).
    pub dist: PathBuf,
    pub passwords: auth::Passwords,
    /// Photo files (`<KOE_DATA>/photos`).
    pub photos: blob::PhotoBlobs,
}

/// The ward record's clock, milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
