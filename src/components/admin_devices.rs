//! 管理 › 端末: the ward's devices — when each was last seen, who signed in there, what
//! waits on it (as it last reported) — and retiring a lost one, which ends its sessions
//! and refuses it from then on.

use koe_core::api::DeviceSummary;
use koe_core::Bilingual;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::{admin_api, BilingualMessage, MessageKind};
use crate::i18n::{format_time, use_i18n, Msg};

#[component]
pub fn AdminDevices() -> impl IntoView {
    let i18n = use_i18n();
    let app = crate::state::use_app();
    // Which of them is the one in the administrator's hands.
    let this_device = LocalResource::new(move || {
        let device = app.device.get();
        async move {
            match device {
                Some(d) => d.client_id().await.ok(),
                None => None,
            }
        }
    });
    let reload = RwSignal::new(0u32);
    let asking = RwSignal::new(None::<uuid::Uuid>);
    let problem = RwSignal::new(None::<Bilingual>);
    let devices = LocalResource::new(move || {
        reload.track();
        async move { admin_api::devices().await }
    });
    let retire = move |id: uuid::Uuid| {
        spawn_local(async move {
            match admin_api::retire_device(id).await {
                Ok(_) => {
                    asking.set(None);
                    problem.set(None);
                    reload.update(|n| *n += 1);
                }
                Err(e) => problem.set(Some(e.message())),
            }
        });
    };
    let card = move |d: DeviceSummary| {
        let id = d.client_id;
        let short = id.to_string()[..8].to_owned();
        let retired = d.retired_at;
        let people = d
            .people
            .iter()
            .map(|p| {
                let waiting = Msg::DevicesWaiting
                    .text(i18n.lang())
                    .replacen("{}", &p.waiting_mutations.to_string(), 1)
                    .replacen("{}", &p.waiting_photos.to_string(), 1);
                let waits = p.waiting_mutations + p.waiting_photos > 0;
                view! {
                    <li data-testid="device-person" data-staff=p.staff_id.clone()>
                        <span class="device-person-name">{format!("{}（{}）", p.name, p.staff_id)}</span>
                        " "{format_time(p.last_signed_in_at as f64)}" "
                        <span class:device-waiting=waits>{waiting}</span>
                    </li>
                }
            })
            .collect_view();
        view! {
            <li class="device-card" data-testid="device" data-id=id.to_string()>
                <h3>
                    {move || i18n.t(Msg::DevicesDevice)}" "{short.clone()}
                    {move || (this_device.get().flatten() == Some(id)).then(|| i18n.t(Msg::DevicesThisOne))}
                </h3>
                <p>
                    {move || i18n.t(Msg::DevicesLastSeen)}": "{format_time(d.last_seen_at as f64)}
                </p>
                <ul class="device-people">{people}</ul>
                {match retired {
                    Some(at) => view! {
                        <p class="state-rejected" data-testid="device-retired">
                            {move || i18n.t(Msg::DevicesRetired)}" "{format_time(at as f64)}
                        </p>
                    }
                    .into_any(),
                    None => view! {
                        <Show
                            when=move || asking.get() == Some(id)
                            fallback=move || view! {
                                <button class="secondary-button" data-testid="device-retire" on:click=move |_| asking.set(Some(id))>
                                    {move || i18n.t(Msg::DevicesRetire)}
                                </button>
                            }
                        >
                            <div role="alert" class="confirm-box">
                                <p>{move || i18n.t(Msg::DevicesRetireConfirm)}</p>
                                <button class="danger-button primary-button" data-testid="device-retire-confirm" on:click=move |_| retire(id)>
                                    {move || i18n.t(Msg::DevicesRetire)}
                                </button>
                                <button class="secondary-button" on:click=move |_| asking.set(None)>
                                    {move || i18n.t(Msg::AdminCancel)}
                                </button>
                            </div>
                        </Show>
                    }
                    .into_any(),
                }}
            </li>
        }
    };
    view! {
        <section class="admin-panel" aria-labelledby="admin-devices-title">
            <h2 id="admin-devices-title">{move || i18n.t(Msg::AdminTabDevices)}</h2>
            <p class="intro">{move || i18n.t(Msg::DevicesIntro)}</p>
            {move || problem.get().map(|m| view! { <BilingualMessage message=m kind=MessageKind::Problem/> })}
            {move || devices.get().map(|result| match result {
                Ok(list) if list.is_empty() => view! { <p>{move || i18n.t(Msg::DevicesNone)}</p> }.into_any(),
                Ok(list) => view! {
                    <ul class="device-list">{list.into_iter().map(card).collect_view()}</ul>
                }
                .into_any(),
                Err(e) => view! { <BilingualMessage message=e.message() kind=MessageKind::Problem/> }.into_any(),
            })}
        </section>
    }
}
