//! What starts a sync besides the button: the network coming back, the page becoming
//! visible again, and the ward record saying something changed for this person (the
//! short poll of `news`; the 5-minute timer is the engine's own). Also keeps the online
//! flag current, and keeps the app's tabs in step over the `koe-changes` broadcast
//! channel: a change to the device's data in one tab makes the others read it again, and
//! a tab that finds another one holding the sync lock asks that one to sync.

use std::cell::RefCell;
use std::time::Duration;

use js_sys::{Object, Reflect};
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BroadcastChannel, MessageEvent};

use super::SyncEngine;
use crate::state::AppState;

/// The channel the app's tabs share.
pub const CHANNEL: &str = "koe-changes";
/// Changes coming in quick succession (a long sync) are told and taken this often at most.
const SETTLE_MS: u64 = 250;

thread_local! {
    static CHANNEL_OF_TAB: RefCell<Option<BroadcastChannel>> = const { RefCell::new(None) };
}

/// What one tab tells the others.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Announcement {
    /// The device's data changed: read it again.
    Changed,
    /// A sync finished at this time (the data it changed was announced as it changed).
    Synced { at: f64 },
    /// Sync please (a tab's 今すぐ同期 while another tab holds the sync lock).
    SyncPlease,
}

impl Announcement {
    fn to_js(self) -> JsValue {
        let obj = Object::new();
        let (kind, at) = match self {
            Self::Changed => ("changed", None),
            Self::Synced { at } => ("synced", Some(at)),
            Self::SyncPlease => ("sync", None),
        };
        let _ = Reflect::set(&obj, &"kind".into(), &kind.into());
        if let Some(at) = at {
            let _ = Reflect::set(&obj, &"at".into(), &at.into());
        }
        obj.into()
    }

    fn from_js(value: &JsValue) -> Option<Self> {
        let kind = Reflect::get(value, &"kind".into()).ok()?.as_string()?;
        match kind.as_str() {
            "changed" => Some(Self::Changed),
            "synced" => Some(Self::Synced {
                at: Reflect::get(value, &"at".into()).ok()?.as_f64()?,
            }),
            "sync" => Some(Self::SyncPlease),
            _ => None,
        }
    }
}

/// Tells the app's other tabs (nothing without `BroadcastChannel`).
pub fn announce(what: Announcement) {
    CHANNEL_OF_TAB.with(|c| {
        if let Some(channel) = c.borrow().as_ref() {
            let _ = channel.post_message(&what.to_js());
        }
    });
}

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
    listen_to_other_tabs(app, engine);
    // The office's changes within seconds while the page is seen (paused while hidden).
    super::news::install_news(app, engine);
}

fn listen_to_other_tabs(app: AppState, engine: SyncEngine) {
    // One channel object for both ways: it never receives its own messages.
    let Ok(channel) = BroadcastChannel::new(CHANNEL) else {
        return;
    };
    // The revision this tab reached by taking another tab's change: not told back.
    let taken = StoredValue::new(None::<u64>);
    let telling = StoredValue::new(false);
    let taking = StoredValue::new(false);

    Effect::new(move |_| {
        let revision = app.revision.get();
        if taken.get_value() == Some(revision) || telling.get_value() {
            return;
        }
        telling.set_value(true);
        set_timeout(
            move || {
                telling.set_value(false);
                announce(Announcement::Changed);
            },
            Duration::from_millis(SETTLE_MS),
        );
    });

    let on_message =
        Closure::<dyn Fn(MessageEvent)>::new(
            move |event: MessageEvent| match Announcement::from_js(&event.data()) {
                Some(Announcement::Changed) => {
                    if taking.get_value() {
                        return;
                    }
                    taking.set_value(true);
                    set_timeout(
                        move || {
                            taking.set_value(false);
                            app.changed();
                            taken.set_value(Some(app.revision.get_untracked()));
                            engine.refresh_waiting();
                        },
                        Duration::from_millis(SETTLE_MS),
                    );
                }
                Some(Announcement::Synced { at }) => {
                    engine.last_synced.set(Some(at));
                    engine.refresh_waiting();
                }
                Some(Announcement::SyncPlease) => engine.sync_for_other_tab(),
                None => {}
            },
        );
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // Kept as long as the page: it also carries this tab's announcements.
    CHANNEL_OF_TAB.with(|c| *c.borrow_mut() = Some(channel));
}
