//! What starts a sync besides the button: the network coming back and the page becoming
//! visible again (the timer is the engine's own). Also keeps the online flag current.

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::SyncEngine;
use crate::state::AppState;

/// Installs the page-lifetime listeners.
pub fn install_triggers(app: AppState, engine: SyncEngine) {
    // Listeners live as long as the page; their handles are not kept.
    let _ = window_event_listener_untyped("online", move |_| {
        app.online.set(true);
        engine.sync_now();
    });
    let _ = window_event_listener_untyped("offline", move |_| {
        app.online.set(false);
    });
    let on_visible = Closure::<dyn Fn()>::new(move || {
        if document().visibility_state() == web_sys::VisibilityState::Visible {
            engine.sync_now();
        }
    });
    if document()
        .add_event_listener_with_callback("visibilitychange", on_visible.as_ref().unchecked_ref())
        .is_ok()
    {
        on_visible.forget();
    }
}
