//! Koe's app: client-side rendered Leptos, offline-first on IndexedDB, in two builds
//! (the field build and, with feature `office`, the office build: `builds`).
//!
//! pages → components / store / sync → core. The domain rules (validation, who sees
//! what, the sync messages) come from `koe-core`, shared with the ward record.

pub mod api;
pub mod app;
pub mod builds;
pub mod components;
pub mod device;
pub mod draft;
pub mod i18n;
pub mod ids;
pub mod pages;
pub mod photos;
pub mod session;
pub mod state;
pub mod store;
pub mod sync;
pub mod vault;

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the app on `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
