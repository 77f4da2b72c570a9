//! The client half of the sync protocol: push the outbox, then pull the office's
//! changes. One sync at a time in this browser (the Web Lock `koe-sync`; other tabs learn
//! what changed over the `koe-changes` channel); started on load, when the network comes
//! back, when the page becomes visible, when the ward record says something changed for
//! this person (asked every few seconds, see `news`), on a timer with backoff (the 5-minute
//! fallback pull) and by 今すぐ同期.

mod backoff;
mod news;
mod photos;
mod pull;
mod push;
mod triggers;

pub use backoff::next_wait;
pub use news::{install_news, may_ask, NEWS_EVERY_MS};
pub use photos::{upload_photos, PhotoSummary, CHUNK};
pub use pull::pull_changes;
pub use push::{push_outbox, PushSummary, BATCH};
pub use triggers::install_triggers;

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{future_to_promise, JsFuture};

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
            // The browser's session is someone else's now (another tab signed another
            // person in): nothing was stored; this person signs in again to send theirs.
            ApiError::Refused { body, .. } if body.code == "author_mismatch" => Self::SignedOut,
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
    /// The last report of what waits on the device that the ward record took.
    reported: StoredValue<Option<koe_core::api::DeviceReport>>,
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
            reported: StoredValue::new(None),
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
        self.run_from(true).await;
    }

    /// Whether a sync runs in this tab now.
    pub(crate) fn is_running(self) -> bool {
        self.running.get_value()
    }

    /// A sync asked for by another tab (its "sync now" while this tab holds the lock).
    pub(crate) fn sync_for_other_tab(self) {
        leptos::task::spawn_local(self.run_from(false));
    }

    /// One sync at a time in this tab, and, with the Web Locks API, in this browser: a
    /// tab that finds another one syncing leaves it to that tab (which tells the others
    /// what changed, see `triggers`), asking it to sync again if `forward`.
    async fn run_from(self, forward: bool) {
        if self.running.get_value() {
            self.again.set_value(true);
            return;
        }
        self.running.set_value(true);
        let pending = match with_sync_lock(move || self.run_locked()).await {
            Some(pending) => pending,
            None => {
                if forward {
                    triggers::announce(triggers::Announcement::SyncPlease);
                }
                // The counts still show what the other tab left waiting.
                if let Some(store) = self.app.store.get_untracked() {
                    if let Ok(n) = store.outbox_len().await {
                        self.waiting.set(n);
                    }
                    self.count_photos(&store).await;
                }
                true
            }
        };
        self.running.set_value(false);
        self.schedule(pending);
    }

    /// The sync loop, run while holding the lock. Returns whether anything still waits.
    async fn run_locked(self) -> bool {
        let mut pending;
        loop {
            self.again.set_value(false);
            let result = self.run_once().await;
            pending = result.is_err()
                || self.waiting.get_untracked() > 0
                || self.photos_waiting.get_untracked() > 0;
            match result {
                Ok(()) => {
                    let at = now_ms();
                    self.last_synced.set(Some(at));
                    self.status.set(SyncStatus::Idle);
                    triggers::announce(triggers::Announcement::Synced { at });
                }
                Err(SyncError::Unreachable) => self.status.set(SyncStatus::Unreachable),
                Err(SyncError::SignedOut) => self.status.set(SyncStatus::SignInAgain),
                Err(SyncError::Failed(m)) => self.status.set(SyncStatus::Failed(m)),
            }
            if !self.again.get_value() {
                break;
            }
        }
        pending
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
        let store = self.app.store.get_untracked();
        let Some(store) = store.filter(|_| self.app.me.with_untracked(Option::is_some)) else {
            // Nobody signed in: everyone's work stays sealed in their database; end the
            // session of a sign-out made with no signal.
            self.waiting.set(0);
            self.photos_waiting.set(0);
            if session::sign_out_pending() && window().navigator().on_line() {
                session::end_server_session().await;
            }
            return Ok(());
        };
        self.waiting.set(store.outbox_len().await?);
        self.count_photos(&store).await;
        if !window().navigator().on_line() {
            return Err(SyncError::Unreachable);
        }
        // Signed in offline: the ward record confirms it (a session of this person's)
        // before anything of theirs is sent.
        if let Some(device) = self.app.device.get_untracked() {
            match session::renew(&device).await {
                session::Renewal::Done => {}
                session::Renewal::Later => return Err(SyncError::Unreachable),
                session::Renewal::Refused(message) => {
                    // The notice first: the sign-in form reads it as it opens.
                    self.app.notice.set(Some(message));
                    self.app.sign_out();
                    return Ok(());
                }
            }
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

        // The screens read the whole store again on each change: told after the first page
        // (something shows at once) and once more after the photos below, not after each
        // of the twenty pages a fresh device pulls.
        let mut first_page = true;
        pull_changes(&store, || {
            if std::mem::take(&mut first_page) {
                app.changed();
            }
        })
        .await?;

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

        if let Some(device) = self.app.device.get_untracked() {
            self.report(&device, client_id).await;
        }

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

impl SyncEngine {
    /// Tells the ward record what waits on this device for each person who used it
    /// (counted, not opened), when it changed since the last report.
    async fn report(self, device: &crate::device::Device, client_id: uuid::Uuid) {
        let Ok(people) = device.people().await else {
            return;
        };
        let mut waiting = Vec::new();
        for person in people.iter().take(koe_core::api::MAX_REPORTED_PEOPLE) {
            if let Ok((mutations, photos)) = crate::device::waiting_of(&person.me.staff_id).await {
                waiting.push(koe_core::api::WaitingWork {
                    staff_id: person.me.staff_id.clone(),
                    mutations,
                    photos,
                });
            }
        }
        let report = koe_core::api::DeviceReport { client_id, waiting };
        if self.reported.with_value(|r| r.as_ref() == Some(&report)) {
            return;
        }
        if api::report_device(&report).await.is_ok() {
            self.reported.set_value(Some(report));
        }
    }
}

pub fn use_sync() -> SyncEngine {
    expect_context::<SyncEngine>()
}

/// The Web Lock every tab of Koe takes to sync.
pub const SYNC_LOCK: &str = "koe-sync";

/// Runs `work` holding the [`SYNC_LOCK`] if no other tab holds it (`navigator.locks.request`
/// with `ifAvailable`): `Some` of what it returned, or `None` when another tab holds the
/// lock and `work` did not run. A browser without Web Locks runs `work` as it is.
pub async fn with_sync_lock<F, Fut>(work: F) -> Option<bool>
where
    F: FnOnce() -> Fut + 'static,
    Fut: Future<Output = bool> + 'static,
{
    let locks = Reflect::get(&window().navigator(), &JsValue::from_str("locks"))
        .ok()
        .filter(|l| l.is_object());
    let request = locks.as_ref().and_then(|l| {
        Reflect::get(l, &JsValue::from_str("request"))
            .ok()?
            .dyn_into::<Function>()
            .ok()
    });
    let (Some(locks), Some(request)) = (locks, request) else {
        return Some(work().await);
    };
    let options = Object::new();
    let _ = Reflect::set(&options, &JsValue::from_str("ifAvailable"), &JsValue::TRUE);
    let work = Rc::new(RefCell::new(Some(work)));
    let result = Rc::new(Cell::new(None::<bool>));
    let (to_run, ran) = (work.clone(), result.clone());
    // Called once, with the lock or `null` when another tab holds it; the lock is held
    // until the returned promise settles.
    let callback = Closure::once(move |lock: JsValue| -> Promise {
        let taken = to_run.borrow_mut().take();
        match taken {
            Some(work) if !lock.is_null() => future_to_promise(async move {
                ran.set(Some(work().await));
                Ok(JsValue::TRUE)
            }),
            _ => Promise::resolve(&JsValue::FALSE),
        }
    });
    let asked = request.call3(
        &locks,
        &JsValue::from_str(SYNC_LOCK),
        &options,
        callback.as_ref().unchecked_ref(),
    );
    let Ok(promise) = asked.and_then(|p| p.dyn_into::<Promise>()) else {
        // The lock could not be asked for: sync anyway, as without Web Locks.
        let work = work.borrow_mut().take()?;
        return Some(work().await);
    };
    let settled = JsFuture::from(promise).await;
    drop(callback);
    match (settled, result.get()) {
        (_, Some(pending)) => Some(pending),
        (Ok(_), None) => None,
        // The sync itself failed midway: treat it as leaving something waiting.
        (Err(_), None) => Some(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_session_of_someone_else_asks_to_sign_in_again() {
        let mismatch =
            r#"{"code":"author_mismatch","message":{"ja":"別の人","en":"someone else"}}"#;
        assert_eq!(
            SyncError::from(api::error_from(403, mismatch)),
            SyncError::SignedOut
        );
        let retired = r#"{"code":"device_retired","message":{"ja":"使用停止","en":"retired"}}"#;
        assert!(matches!(
            SyncError::from(api::error_from(403, retired)),
            SyncError::Failed(m) if m.ja == "使用停止"
        ));
    }
}
