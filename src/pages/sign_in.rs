//! サインイン: needs the network once; after it the device works offline.

use koe_core::Bilingual;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::api;
use crate::components::{BilingualMessage, MessageKind};
use crate::device::Device;
use crate::i18n::{use_i18n, Msg};
use crate::session;
use crate::state::{use_app, AppState, Page};
use crate::sync::use_sync;

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let engine = use_sync();
    let staff_id = RwSignal::new(
        app.me
            .with_untracked(|me| me.as_ref().map(|me| me.staff_id.clone()))
            .or_else(session::last_staff_id)
            .unwrap_or_default(),
    );
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(app.notice.get_untracked());
    app.notice.set(None);
    // The office build, opened by the field build for an office role who signed in there.
    let handed_over = crate::builds::handed_over();

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let id = staff_id.get_untracked().trim().to_owned();
        let pw = password.get_untracked();
        if id.is_empty() || pw.is_empty() {
            problem.set(Some(Msg::SignInMissing.bilingual()));
            return;
        }
        let Some(device) = app.device.get_untracked() else {
            // The device's storage did not open (the banner says why): nothing to sign in to.
            problem.set(Some(Msg::ErrStoreUnavailable.bilingual()));
            return;
        };
        busy.set(true);
        problem.set(None);
        leptos::task::spawn_local(async move {
            let result = sign_in(app, &device, &id, &pw).await;
            busy.set(false);
            match result {
                Ok(offline) => {
                    password.set(String::new());
                    // Office staff on 区の一覧 (a reload of it keeps its filter and the
                    // request open: both are in the address), field staff on 新規受付.
                    let role = app.me.with_untracked(|me| me.as_ref().map(|me| me.role));
                    app.page.set(role.map_or(Page::Capture, Page::landing));
                    if offline {
                        app.notice.set(Some(Msg::SignedInOffline.bilingual()));
                    }
                    engine.sync_now();
                }
                Err(message) => problem.set(Some(message)),
            }
        });
    };

    /// Signs in (online, or offline with the password alone); returns whether offline.
    async fn sign_in(
        app: AppState,
        device: &Device,
        id: &str,
        pw: &str,
    ) -> Result<bool, Bilingual> {
        let signed_in = session::sign_in(device, id, pw).await?;
        if !signed_in.offline {
            match api::catalogue().await {
                Ok(catalogue) => {
                    session::store_catalogue(&catalogue)
                        .map_err(|e| Msg::ErrStore.bilingual_with(&e))?;
                    app.catalogue.set(Some(catalogue));
                }
                // Without a catalogue nothing can be logged; with an older one, carry on.
                Err(e) if app.catalogue.with_untracked(Option::is_none) => return Err(e.message()),
                Err(_) => {}
            }
        }
        // Another person's database (a sign-in again as someone else) closes.
        if let Some(old) = app.store.get_untracked() {
            old.close();
        }
        app.store.set(Some(signed_in.store));
        app.me.set(Some(signed_in.me));
        app.changed();
        Ok(signed_in.offline)
    }

    view! {
        <section class="page sign-in" aria-labelledby="sign-in-title">
            <h1 id="sign-in-title">{move || i18n.t(Msg::SignInTitle)}</h1>
            <p class="intro">{move || i18n.t(Msg::SignInIntro)}</p>
            <p class="intro">{move || i18n.t(Msg::SignInIntro2)}</p>
            {handed_over.then(|| view! {
                <BilingualMessage message=Msg::OfficeSignInAgain.bilingual() kind=MessageKind::Info testid="office-sign-in-again"/>
            })}
            <form on:submit=submit novalidate>
                <div class="field">
                    <label for="staff-id">{move || i18n.t(Msg::StaffId)}</label>
                    <input
                        id="staff-id"
                        data-testid="staff-id"
                        type="text"
                        autocomplete="username"
                        autocapitalize="none"
                        spellcheck="false"
                        required
                        prop:value=move || staff_id.get()
                        on:input=move |ev| staff_id.set(event_target_value(&ev))
                    />
                </div>
                <div class="field">
                    <label for="password">{move || i18n.t(Msg::Password)}</label>
                    <input
                        id="password"
                        data-testid="password"
                        type="password"
                        autocomplete="current-password"
                        required
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))
                    />
                </div>
                {move || problem.get().map(|message| view! {
                    <BilingualMessage message=message kind=MessageKind::Problem testid="sign-in-message"/>
                })}
                <button data-testid="sign-in" type="submit" class="primary-button" aria-busy=move || busy.get().to_string()>
                    {move || i18n.t(if busy.get() { Msg::SigningIn } else { Msg::SignInButton })}
                </button>
            </form>
        </section>
    }
}
