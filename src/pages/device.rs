//! 端末: what Koe keeps on this device. Whether the browser promised to keep it
//! (persistent storage), how much space it takes of the quota, how many requests and
//! photos wait or are synced, and clearing synced requests older than a chosen age (never
//! anything still to be sent or decided: see `store::clearable`).

use js_sys::{Object, Promise, Reflect};
use koe_core::Bilingual;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::components::{BilingualMessage, MessageKind};
use crate::i18n::{use_i18n, Msg};
use crate::ids::now_ms;
use crate::state::use_app;
use crate::store::{DeviceCounts, StoreError, CLEAR_AFTER_DAYS, DEFAULT_CLEAR_AFTER_DAYS};
use crate::sync::use_sync;

const DAY_MS: f64 = 86_400_000.0;

/// Space used and the quota, in bytes (`navigator.storage.estimate()`); `None` where the
/// browser does not say.
pub async fn storage_estimate() -> Option<(f64, f64)> {
    let navigator: JsValue = window().navigator().into();
    let storage = Reflect::get(&navigator, &"storage".into())
        .ok()
        .filter(JsValue::is_object)?;
    let estimate = Reflect::get(&storage, &"estimate".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let promise: Promise = estimate.call0(&storage).ok()?.dyn_into().ok()?;
    let result: Object = JsFuture::from(promise).await.ok()?.dyn_into().ok()?;
    let usage = Reflect::get(&result, &"usage".into()).ok()?.as_f64()?;
    let quota = Reflect::get(&result, &"quota".into()).ok()?.as_f64()?;
    Some((usage, quota))
}

/// A size for people: bytes, KB, MB or GB (1 KB = 1024 bytes), one decimal above KB.
pub fn human_bytes(bytes: f64) -> String {
    const KB: f64 = 1024.0;
    const MB: f64 = KB * 1024.0;
    const GB: f64 = MB * 1024.0;
    let bytes = bytes.max(0.0);
    if bytes < KB {
        format!("{bytes:.0} B")
    } else if bytes < MB {
        format!("{:.0} KB", bytes / KB)
    } else if bytes < GB {
        format!("{:.1} MB", bytes / MB)
    } else {
        format!("{:.1} GB", bytes / GB)
    }
}

/// Fills the two `{}` of a message in order.
fn fill2(text: &str, a: usize, b: usize) -> String {
    text.replacen("{}", &a.to_string(), 1)
        .replacen("{}", &b.to_string(), 1)
}

#[component]
pub fn DevicePage() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let engine = use_sync();

    let estimate = LocalResource::new(move || {
        app.revision.track();
        storage_estimate()
    });
    let counts = LocalResource::new(move || {
        app.revision.track();
        let store = app.store.get();
        async move {
            let store = store?;
            Some(store.device_counts().await.map_err(|e| e.message()))
        }
    });

    let days = RwSignal::new(DEFAULT_CLEAR_AFTER_DAYS);
    // What a clearing would remove, while the person confirms: (cutoff, requests, photos).
    let confirming = RwSignal::new(None::<(i64, usize, usize)>);
    let message = RwSignal::new(None::<(Bilingual, MessageKind)>);
    let busy = RwSignal::new(false);

    // The setting kept on the device.
    Effect::new(move |_| {
        if let Some(store) = app.store.get() {
            leptos::task::spawn_local(async move {
                if let Ok(d) = store.clear_after_days().await {
                    days.set(d);
                }
            });
        }
    });
    let problem = move |e: StoreError| message.set(Some((e.message(), MessageKind::Problem)));
    let choose_days = move |ev| {
        let Ok(d) = event_target_value(&ev).parse::<u32>() else {
            return;
        };
        days.set(d);
        confirming.set(None);
        message.set(None);
        if let Some(store) = app.store.get_untracked() {
            leptos::task::spawn_local(async move {
                if let Err(e) = store.set_clear_after_days(d).await {
                    problem(e);
                }
            });
        }
    };
    let ask = move |_| {
        let Some(store) = app.store.get_untracked() else {
            return;
        };
        let cutoff = (now_ms() - f64::from(days.get_untracked()) * DAY_MS) as i64;
        message.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            match store.clearable_before(cutoff).await {
                Ok(plan) if plan.requests.is_empty() => {
                    message.set(Some((Msg::ClearNothing.bilingual(), MessageKind::Info)));
                }
                Ok(plan) => confirming.set(Some((cutoff, plan.requests.len(), plan.photos.len()))),
                Err(e) => problem(e),
            }
            busy.set(false);
        });
    };
    let clear = move |_| {
        let (Some(store), Some((cutoff, _, _))) =
            (app.store.get_untracked(), confirming.get_untracked())
        else {
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            // The rule is applied again in the deleting transaction: whatever changed
            // since the question (a new edit, another tab's sync) is respected.
            match store.clear_synced_before(cutoff).await {
                Ok(done) => {
                    let (r, p) = (done.requests.len(), done.photos.len());
                    let text = Bilingual::new(
                        fill2(Msg::ClearDone.ja(), r, p),
                        fill2(Msg::ClearDone.en(), r, p),
                    );
                    message.set(Some((text, MessageKind::Info)));
                    app.changed();
                    engine.refresh_waiting();
                }
                Err(e) => problem(e),
            }
            confirming.set(None);
            busy.set(false);
        });
    };

    let persisted = move || {
        i18n.t(match app.persisted.get() {
            None => Msg::Loading,
            Some(true) => Msg::Persisted,
            Some(false) => Msg::NotPersisted,
        })
    };
    let usage = move || {
        match estimate.get().flatten() {
        Some((used, quota)) => view! {
            <span data-testid="device-usage" data-used=used.to_string() data-quota=quota.to_string()>
                {move || {
                    let lang = i18n.lang();
                    Msg::DeviceUsageValue
                        .text(lang)
                        .replacen("{}", &human_bytes(used), 1)
                        .replacen("{}", &human_bytes(quota), 1)
                }}
            </span>
            <meter min="0" max=quota.to_string() value=used.to_string() aria-label=move || i18n.t(Msg::DeviceUsage)></meter>
        }
        .into_any(),
        None => view! { <span>{move || i18n.t(Msg::DeviceUsageUnknown)}</span> }.into_any(),
    }
    };
    let table = move || match counts.get().flatten() {
        None => {
            view! { <p class="loading" role="status">{move || i18n.t(Msg::Loading)}</p> }.into_any()
        }
        Some(Err(m)) => {
            view! { <BilingualMessage message=m kind=MessageKind::Problem/> }.into_any()
        }
        Some(Ok(c)) => counts_table(c).into_any(),
    };

    view! {
        <section class="page device" aria-labelledby="device-title">
            <h1 id="device-title">{move || i18n.t(Msg::DeviceTitle)}</h1>
            <dl class="device-facts">
                <dt>{move || i18n.t(Msg::DevicePersistence)}</dt>
                <dd data-testid="device-persisted" data-persisted=move || {
                    app.persisted.get().map(|p| p.to_string()).unwrap_or_default()
                }>{persisted}</dd>
                <dt>{move || i18n.t(Msg::DeviceUsage)}</dt>
                <dd class="device-usage">{usage}</dd>
            </dl>
            <h2>{move || i18n.t(Msg::DeviceCounts)}</h2>
            {table}
            <h2 id="clear-title">{move || i18n.t(Msg::ClearTitle)}</h2>
            <p class="note">{move || i18n.t(Msg::ClearNote)}</p>
            <div class="field">
                <label for="clear-after">{move || i18n.t(Msg::ClearAfter)}</label>
                <select
                    id="clear-after"
                    data-testid="clear-after"
                    on:change=choose_days
                    prop:value=move || days.get().to_string()
                >
                    {CLEAR_AFTER_DAYS
                        .into_iter()
                        .map(|d| {
                            view! {
                                <option value=d.to_string() prop:selected=move || days.get() == d>
                                    {move || Msg::DaysOption.fill(i18n.lang(), &d.to_string())}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <button
                type="button"
                class="secondary-button"
                data-testid="clear-old"
                disabled=move || busy.get() || confirming.with(Option::is_some)
                on:click=ask
            >
                {move || i18n.t(Msg::ClearButton)}
            </button>
            {move || confirming.get().map(|(_, r, p)| view! {
                <div class="confirm" role="alertdialog" aria-labelledby="clear-confirm-text" data-testid="clear-confirm">
                    <p id="clear-confirm-text">{move || fill2(i18n.t(Msg::ClearConfirm), r, p)}</p>
                    <div class="confirm-actions">
                        <button type="button" class="danger-button" data-testid="clear-yes" disabled=move || busy.get() on:click=clear>
                            {move || i18n.t(Msg::ClearYes)}
                        </button>
                        <button type="button" class="secondary-button" data-testid="clear-no" on:click=move |_| confirming.set(None)>
                            {move || i18n.t(Msg::ClearNo)}
                        </button>
                    </div>
                </div>
            })}
            <div data-testid="clear-message">
                {move || message.get().map(|(m, kind)| view! { <BilingualMessage message=m kind=kind/> })}
            </div>
        </section>
    }
}

fn counts_table(c: DeviceCounts) -> impl IntoView {
    let i18n = use_i18n();
    let cell = |n: u32, testid: &'static str| view! { <td data-testid=testid>{n}</td> };
    view! {
        <table class="device-counts" data-testid="device-counts">
            <thead>
                <tr>
                    <th scope="col">{move || i18n.t(Msg::DeviceKind)}</th>
                    <th scope="col">{move || i18n.t(Msg::StateWaiting)}</th>
                    <th scope="col">{move || i18n.t(Msg::StateSynced)}</th>
                    <th scope="col">{move || i18n.t(Msg::DeviceAttention)}</th>
                </tr>
            </thead>
            <tbody>
                <tr>
                    <th scope="row">{move || i18n.t(Msg::DeviceRequests)}</th>
                    {cell(c.requests_waiting, "requests-waiting")}
                    {cell(c.requests_synced, "requests-synced")}
                    {cell(c.requests_attention, "requests-attention")}
                </tr>
                <tr>
                    <th scope="row">{move || i18n.t(Msg::DevicePhotos)}</th>
                    {cell(c.photos_waiting, "photos-waiting")}
                    {cell(c.photos_synced, "photos-synced")}
                    {cell(c.photos_rejected, "photos-rejected")}
                </tr>
            </tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_bytes(512.0), "512 B");
        assert_eq!(human_bytes(2048.0), "2 KB");
        assert_eq!(human_bytes(5.5 * 1024.0 * 1024.0), "5.5 MB");
        assert_eq!(human_bytes(3.0 * 1024.0 * 1024.0 * 1024.0), "3.0 GB");
        assert_eq!(human_bytes(-1.0), "0 B");
    }

    #[wasm_bindgen_test]
    fn both_counts_are_filled_in_order() {
        assert_eq!(
            fill2(Msg::ClearDone.ja(), 3, 5),
            "受付 3 件と写真 5 枚をこの端末から消しました。"
        );
        assert_eq!(
            fill2(Msg::ClearDone.en(), 3, 5),
            "Cleared 3 requests and 5 photos from this device."
        );
    }
}
