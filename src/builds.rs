//! The app's two builds. The field build (`index.html`, served at `/`) has the screens
//! field staff use: 新規受付, 自分の受付 with the request's detail, 端末 and sign-in. The
//! office build (`office/index.html`, feature `office`, served at `/office/`) has every
//! screen. Both are the one origin, so a person's sealed IndexedDB, the device's record
//! of who signed in and the session are the same in both; each build has its own service
//! worker (scoped to its folder) and its own cache, so a field device never downloads
//! the office's screens.
//!
//! Office staff, section heads and administrators who sign in on the field build are
//! taken to the office build ([`OfficeHandover`]). The data key never leaves the page it
//! was opened in (`crate::session`), so the office build asks for the password once
//! more; from then on they open `/office/` directly.

use gloo_storage::{SessionStorage, Storage};
use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::components::{BilingualMessage, MessageKind};
use crate::i18n::{use_i18n, Msg};
use crate::state::{use_app, AppState};

/// The folder this build is served from (its worker's scope).
pub const BASE: &str = if cfg!(feature = "office") {
    OFFICE_BASE
} else {
    "/"
};

/// The office build's folder.
pub const OFFICE_BASE: &str = "/office/";

/// The prefix of the office worker's cache names (`public/sw.js`: `koe` and its scope).
const OFFICE_CACHE_PREFIX: &str = "koe-office-";

/// Set (in this tab only, nothing secret) just before the field build hands over, so the
/// office build says why it asks for the password again.
const HANDED_OVER_KEY: &str = "koe.handed_over";

/// This build's service worker.
pub fn worker_url() -> String {
    format!("{BASE}sw.js")
}

/// Whether the person signed in needs the office build and this is the field build.
pub fn needs_office(app: AppState) -> bool {
    !cfg!(feature = "office")
        && app
            .me
            .with(|me| me.as_ref().is_some_and(|me| me.role.reviews_ward()))
}

/// In the office build: whether the field build just handed this person over (read once).
pub fn handed_over() -> bool {
    if !cfg!(feature = "office") {
        return false;
    }
    let was = SessionStorage::get::<bool>(HANDED_OVER_KEY).unwrap_or(false);
    SessionStorage::delete(HANDED_OVER_KEY);
    was
}

/// Whether the office build is kept on this device for offline use (its worker's cache).
async fn office_kept() -> bool {
    let Ok(caches) = window().caches() else {
        // No Cache Storage (a plain-http LAN address): nothing is kept offline.
        return false;
    };
    let Ok(keys) = JsFuture::from(caches.keys()).await else {
        return false;
    };
    js_sys::Array::from(&keys)
        .iter()
        .filter_map(|k| k.as_string())
        .any(|k| k.starts_with(OFFICE_CACHE_PREFIX))
}

/// Opens the office build at the same address within the app (`#/office?…` keeps the
/// ward list's filter and the request open).
fn go_to_office() {
    let location = window().location();
    let hash = location.hash().unwrap_or_default();
    let _ = SessionStorage::set(HANDED_OVER_KEY, true);
    let _ = location.assign(&format!("{OFFICE_BASE}{hash}"));
}

/// Shown by the field build instead of its screens to an office role: goes to the office
/// build when it can open (online, or kept on this device); otherwise says so and lets
/// the person carry on with the field screens (`stay`).
#[component]
pub fn OfficeHandover(stay: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let blocked = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        // Signed in offline (the ward record did not answer), the office build opens
        // only from this device's cache.
        let reachable = app.online.get_untracked() && !crate::session::renewal_pending();
        if reachable || office_kept().await {
            go_to_office();
        } else {
            blocked.set(true);
        }
    });
    view! {
        <section class="page office-handover" data-testid="office-handover">
            {move || if blocked.get() {
                view! {
                    <BilingualMessage message=Msg::OfficeBuildNeedsConnection.bilingual() kind=MessageKind::Info/>
                    <button
                        type="button"
                        class="primary-button"
                        data-testid="stay-in-field"
                        on:click=move |_| stay.set(true)
                    >
                        {move || i18n.t(Msg::ContinueWithFieldScreens)}
                    </button>
                }
                .into_any()
            } else {
                view! { <p class="loading" role="status">{move || i18n.t(Msg::OfficeOpening)}</p> }
                    .into_any()
            }}
        </section>
    }
}
