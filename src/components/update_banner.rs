//! 新しい版があります: the service worker's update, announced and applied by the person.
//!
//! The app registers its build's worker itself (`/sw.js`, or `/office/sw.js` for the
//! office build, each scoped to its folder: see [`UpdateBanner`]). When a new worker has
//! installed (every file of the new version is in its cache) and waits behind the one in
//! control, a banner offers 更新する. Pressing it tells the waiting worker to skip waiting;
//! once it controls the page (`controllerchange`) the page reloads into the new version.
//! Nothing is lost on the way: the draft is kept in localStorage on every keystroke
//! (`draft.rs`), requests and photos are in IndexedDB, and the ward record applies each
//! mutation and photo once, so a sync cut short by the reload is only finished later.
//!
//! The banner never reloads on its own: a worker taking over without being asked (the
//! first install's `clients.claim`, or another tab's update) never reloads this page, and
//! photos picked but not yet saved stay on the form until the person chooses to update.

use js_sys::{Function, Reflect};
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{EventTarget, ServiceWorkerContainer, ServiceWorkerRegistration};

use crate::i18n::{use_i18n, Msg};

/// Where this page stands against the app's newest version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdatePhase {
    /// Running the newest version known.
    Current,
    /// A new version is installed and waits for the person to apply it.
    Ready,
    /// The person pressed 更新する: the waiting worker is taking over.
    Applying,
    /// Another tab applied a new version: this page still runs the old one and only
    /// needs a reload.
    Stale,
}

impl UpdatePhase {
    /// A worker finished installing and waits. Only a page already controlled by a
    /// worker has an older version to replace (the very first install is not an update).
    pub fn on_waiting(self, controlled: bool) -> Self {
        match self {
            Self::Current if controlled => Self::Ready,
            other => other,
        }
    }

    /// Another worker took control of the page. Returns the new phase and whether the
    /// page reloads now: only when the person asked for the update.
    pub fn on_controller_change(self, had_controller: bool) -> (Self, bool) {
        match self {
            Self::Applying => (Self::Applying, true),
            // Another tab applied the update; this page keeps what is on it until the
            // person reloads.
            _ if had_controller => (Self::Stale, false),
            // The first install claiming the page: nothing to announce.
            other => (other, false),
        }
    }

    pub fn shows_banner(self) -> bool {
        self != Self::Current
    }
}

/// How often a page left open asks the ward record for a new version.
const CHECK_EVERY_MS: i32 = 60 * 60 * 1000;

/// `target[key]` if it is an object (a worker, a registration).
fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
        .ok()
        .filter(|v| v.is_object())
}

/// `target[key]` if it is a function (`typeof` "function" is not an object).
fn method(target: &JsValue, key: &str) -> Option<Function> {
    Reflect::get(target, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.dyn_into::<Function>().ok())
}

fn listen(target: &JsValue, event: &str, f: impl FnMut() + 'static) {
    let Some(target) = target.dyn_ref::<EventTarget>() else {
        return;
    };
    let closure = Closure::<dyn FnMut()>::new(f);
    let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    // Listeners live as long as the page.
    closure.forget();
}

/// The page's service worker container, if this browser and origin have one (a plain
/// `http://` LAN address has none).
fn container() -> Option<ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    get(&navigator, "serviceWorker")?.dyn_into().ok()
}

/// The worker in control of the page when it is this build's own. A page of the office
/// build opened before its worker is installed is controlled by the field app's worker
/// (whose scope, `/`, holds it) until its own takes over: that is no update.
fn own_controller(container: &ServiceWorkerContainer) -> Option<JsValue> {
    let controller = get(container, "controller")?;
    let script = Reflect::get(&controller, &JsValue::from_str("scriptURL"))
        .ok()?
        .as_string()?;
    let path = web_sys::Url::new(&script).ok()?.pathname();
    (path == crate::builds::worker_url()).then_some(controller)
}

#[derive(Clone, Copy)]
struct Updates {
    phase: RwSignal<UpdatePhase>,
    /// The worker waiting to take over.
    waiting: StoredValue<Option<JsValue>, LocalStorage>,
}

impl Updates {
    /// Notes a worker waiting on `registration`, if there is one.
    fn check(self, registration: &JsValue) {
        let Some(worker) = get(registration, "waiting") else {
            return;
        };
        let controlled = container().is_some_and(|c| own_controller(&c).is_some());
        self.waiting.set_value(Some(worker));
        let next = self.phase.get_untracked().on_waiting(controlled);
        if next != self.phase.get_untracked() {
            self.phase.set(next);
        }
    }

    fn apply(self) {
        let worker = self.waiting.get_value();
        let waiting = worker
            .as_ref()
            .and_then(|w| Reflect::get(w, &JsValue::from_str("state")).ok())
            .and_then(|s| s.as_string())
            .is_some_and(|s| s == "installed");
        let post = worker
            .as_ref()
            .and_then(|w| method(w, "postMessage").map(|f| (w.clone(), f)));
        match post {
            Some((worker, post)) if waiting && self.phase.get_untracked() == UpdatePhase::Ready => {
                self.phase.set(UpdatePhase::Applying);
                if post
                    .call1(&worker, &JsValue::from_str("skip-waiting"))
                    .is_err()
                {
                    self.phase.set(UpdatePhase::Ready);
                }
            }
            // Already active (another tab applied it): this page only needs a reload.
            _ => reload(),
        }
    }
}

fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// Registers the service worker and follows its updates.
fn register(updates: Updates) {
    let Some(container) = container() else {
        return;
    };
    let had_controller = own_controller(&container).is_some();
    listen(&container, "controllerchange", move || {
        let (next, reload_now) = updates
            .phase
            .get_untracked()
            .on_controller_change(had_controller);
        updates.phase.set(next);
        if reload_now {
            reload();
        }
    });
    leptos::task::spawn_local(async move {
        let registration: ServiceWorkerRegistration =
            match JsFuture::from(container.register(&crate::builds::worker_url())).await {
                Ok(r) => r.unchecked_into(),
                Err(e) => {
                    leptos::logging::warn!("service worker registration failed: {e:?}");
                    return;
                }
            };
        let registration = JsValue::from(registration);
        // A version installed earlier (in this tab before a reload, or in another tab).
        updates.check(&registration);
        let found = registration.clone();
        listen(&registration, "updatefound", move || {
            let Some(installing) = get(&found, "installing") else {
                return;
            };
            let registration = found.clone();
            listen(&installing, "statechange", move || {
                updates.check(&registration)
            });
        });
        // A page left open for days still hears of new versions: when it is shown again
        // and every hour (the browser also checks on each navigation).
        let check = {
            let registration = registration.clone();
            move || {
                if let Some(update) = method(&registration, "update") {
                    if let Ok(promise) = update.call0(&registration) {
                        // Offline the check fails; the next one tries again.
                        let promise: js_sys::Promise = promise.unchecked_into();
                        leptos::task::spawn_local(async move {
                            let _ = JsFuture::from(promise).await;
                        });
                    }
                }
            }
        };
        let visible = check.clone();
        listen(&JsValue::from(document()), "visibilitychange", move || {
            if document().visibility_state() == web_sys::VisibilityState::Visible {
                visible();
            }
        });
        let hourly = Closure::<dyn FnMut()>::new(check);
        let _ = window().set_interval_with_callback_and_timeout_and_arguments_0(
            hourly.as_ref().unchecked_ref(),
            CHECK_EVERY_MS,
        );
        hourly.forget();
    });
}

/// The banner, under the header. Mounted once, in the app's shell.
#[component]
pub fn UpdateBanner() -> impl IntoView {
    let i18n = use_i18n();
    let updates = Updates {
        phase: RwSignal::new(UpdatePhase::Current),
        waiting: StoredValue::new_local(None),
    };
    register(updates);
    let phase = updates.phase;
    view! {
        <Show when=move || phase.get().shows_banner()>
            <div class="update-banner" data-testid="update-banner" role="region"
                data-phase=move || format!("{:?}", phase.get()).to_lowercase()
                aria-label=move || i18n.t(Msg::UpdateBannerLabel)>
                <p role="status">{move || i18n.t(Msg::UpdateReady)}</p>
                <p class="secondary" lang=move || i18n.lang().other().code()>
                    {move || Msg::UpdateReady.text(i18n.lang().other())}
                </p>
                <button
                    type="button"
                    class="primary-button"
                    data-testid="update-apply"
                    aria-busy=move || (phase.get() == UpdatePhase::Applying).to_string()
                    on:click=move |_| updates.apply()
                >
                    {move || i18n.t(if phase.get() == UpdatePhase::Applying { Msg::Updating } else { Msg::UpdateApply })}
                </button>
            </div>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::UpdatePhase::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn only_an_update_the_person_asked_for_reloads_the_page() {
        // The first install is not an update.
        assert_eq!(Current.on_waiting(false), Current);
        assert_eq!(Current.on_controller_change(false), (Current, false));
        // A new version waits behind the one in control.
        assert_eq!(Current.on_waiting(true), Ready);
        assert!(Ready.shows_banner());
        assert!(!Current.shows_banner());
        // Pressed: the take-over reloads the page.
        assert_eq!(Applying.on_controller_change(true), (Applying, true));
        // Another tab applied it: announced, not reloaded under the person's hands.
        assert_eq!(Ready.on_controller_change(true), (Stale, false));
        assert_eq!(Current.on_controller_change(true), (Stale, false));
        assert!(Stale.shows_banner());
        // A later worker does not undo a pressed update.
        assert_eq!(Applying.on_waiting(true), Applying);
    }
}
