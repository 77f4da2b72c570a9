//! The client half of the sync protocol: push the outbox, then pull the office's
//! changes. One sync at a time in this tab; started on load, when the network comes
//! back, when the page becomes visible, on a timer with backoff and by 今すぐ同期.

mod backoff;
mod photos;
mod pull;
mod push;
mod triggers;

pub use backoff::next_wait;
pub use photos::{upload_photos, PhotoSummary, CHUNK};
pub use pull::pull_changes;
pub use push::{push_outbox, PushSummary, BATCH};
pub use triggers::install_triggers;

use std::time::Duration;

use koe_core::Bilingual;
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::ids::now_ms;
use crate::session;
use crate::state::AppState;
use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq)]
pub enum SyncError {
    /// The ward record is out of reach: everything stays waiting for the next try.
    Unreachable,
    /// The session is gone: sign in again; the outbox stays.
    SignedOut,
    Failed(Bilingual),
}

impl From<ApiError> for SyncError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Unreachable => Self::Unreachable,
            ApiError::SignedOut => Self::SignedOut,
            other => Self::Failed(other.message()),
        }
    }
}

impl From<StoreError> for SyncError {
    fn from(e: StoreError) -> Self {
        Self::Failed(e.message())
    }
}

/// What the header shows about syncing.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncStatus {
    Idle,
    Running { done: u32, total: u32 },
    Unreachable,
    SignInAgain,
    Failed(Bilingual),
}

#[derive(Debug, Clone, Copy)]
pub struct SyncEngine {
    pub status: RwSignal<SyncStatus>,
    /// Mutations in the outbox.
    pub waiting: RwSignal<u32>,
    pub last_synced: RwSignal<Option<f64>>,
    /// Requests the last sync saw rejected.
    pub rejected: RwSignal<u32>,
    /// Photos still to be sent.
    pub photos_waiting: RwSignal<u32>,
    /// While photos are being sent: how many of how many are done.
    pub photo_progress: RwSignal<Option<(u32, u32)>>,
    running: StoredValue<bool>,
    again: StoredValue<bool>,
    step: StoredValue<u32>,
    timer: StoredValue<Option<TimeoutHandle>>,
    catalogue_fresh: StoredValue<bool>,
    app: AppState,
}

impl SyncEngine {
    pub fn new(app: AppState) -> Self {
        Self {
            status: RwSignal::new(SyncStatus::Idle),
            waiting: RwSignal::new(0),
            last_synced: RwSignal::new(None),
            rejected: RwSignal::new(0),
            photos_waiting: RwSignal::new(0),
            photo_progress: RwSignal::new(None),
            running: StoredValue::new(false),
            again: StoredValue::new(false),
            step: StoredValue::new(0),
            timer: StoredValue::new(None),
            catalogue_fresh: StoredValue::new(false),
            app,
        }
    }

    /// Starts a sync now, or right after the one running.
    pub fn sync_now(self) {
        leptos::task::spawn_local(self.run());
    }

    /// Reads how many mutations wait (after a save).
    pub fn refresh_waiting(self) {
        leptos::task::spawn_local(async move {
            if let Some(store) = self.app.store.get_untracked() {
                if let Ok(n) = store.outbox_len().await {
                    self.waiting.set(n);
                }
                self.count_photos(&store).await;
            }
        });
    }

    async fn count_photos(self, store: &crate::store::Store) {
        if let Ok(photos) = store.photos().await {
            let n = photos.iter().filter(|p| p.state.pending()).count() as u32;
            self.photos_waiting.set(n);
        }
    }

    async fn run(self) {
        if self.running.get_value() {
            self.again.set_value(true);
            return;
        }
        self.running.set_value(true);
        let mut pending;
        loop {
            self.again.set_value(false);
            let result = self.run_once().await;
            pending = result.is_err()
                || self.waiting.get_untracked() > 0
                || self.photos_waiting.get_untracked() > 0;
            match result {
                Ok(()) => {
                    self.last_synced.set(Some(now_ms()));
                    self.status.set(SyncStatus::Idle);
                }
                Err(SyncError::Unreachable) => self.status.set(SyncStatus::Unreachable),
                Err(SyncError::SignedOut) => self.status.set(SyncStatus::SignInAgain),
                Err(SyncError::Failed(m)) => self.status.set(SyncStatus::Failed(m)),
            }
            if !self.again.get_value() {
                break;
            }
        }
        self.running.set_value(false);
        self.schedule(pending);
    }

    fn schedule(self, pending: bool) {
        if let Some(handle) = self.timer.get_value() {
            handle.clear();
        }
        let (wait, next_step) = next_wait(self.step.get_value(), pending);
        self.step.set_value(next_step);
        let handle = set_timeout_with_handle(
            move || self.sync_now(),
            Duration::from_millis(u64::from(wait)),
        )
        .ok();
        self.timer.set_value(handle);
    }

    async fn run_once(self) -> Result<(), SyncError> {
        let Some(store) = self.app.store.get_untracked() else {
            return Ok(());
        };
        self.waiting.set(store.outbox_len().await?);
        self.count_photos(&store).await;
        // Signed out on this device: keep everything for whoever signs in next.
        if self.app.me.with_untracked(Option::is_none) {
            return Ok(());
        }
        if !window().navigator().on_line() {
            return Err(SyncError::Unreachable);
        }
        let client_id = store.client_id().await?;
        let status = self.status;
        let app = self.app;
        let pushed = push_outbox(&store, client_id, |done, total| {
            status.set(SyncStatus::Running { done, total });
        })
        .await;
        // Whatever was settled shows, even if a later batch failed.
        app.changed();
        self.waiting.set(store.outbox_len().await?);
        let summary = pushed?;
        self.rejected.set(summary.rejected);

        pull_changes(&store, || app.changed()).await?;

        // Photos go after the records they belong to, in a queue of their own.
        let photo_progress = self.photo_progress;
        let photos = upload_photos(&store, |done, total| {
            photo_progress.set(Some((done, total)));
            app.changed();
        })
        .await;
        photo_progress.set(None);
        app.changed();
        self.count_photos(&store).await;
        photos?;

        if !self.catalogue_fresh.get_value() {
            if let Ok(catalogue) = api::catalogue().await {
                // Not kept if storage is full; the one in memory still serves.
                let _ = session::store_catalogue(&catalogue);
                app.catalogue.set(Some(catalogue));
                self.catalogue_fresh.set_value(true);
            }
        }
        Ok(())
    }
}

pub fn use_sync() -> SyncEngine {
    expect_context::<SyncEngine>()
}
