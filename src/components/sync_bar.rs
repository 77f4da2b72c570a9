use leptos::prelude::*;

use crate::i18n::{format_time, use_i18n, Msg};
use crate::state::{use_app, Page};
use crate::sync::{use_sync, SyncStatus};

/// The sync status line (同期中… 3/10, 未送信 N 件, 最終同期 …) and 今すぐ同期; one compact
/// line for office staff.
#[component]
pub fn SyncBar() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let engine = use_sync();
    let text = move || {
        let lang = i18n.lang();
        let waiting = engine.waiting.get();
        let counts = if waiting == 0 {
            Msg::SyncNothingWaiting.text(lang).to_owned()
        } else {
            Msg::SyncIdle.fill(lang, &waiting.to_string())
        };
        let status = engine.status.get();
        let line = match status {
            SyncStatus::Running { done, total } => {
                Msg::SyncRunning.fill(lang, &format!("{done}/{total}"))
            }
            _ if !app.online.get() => {
                format!("{counts}・{}", Msg::SyncOffline.text(lang))
            }
            SyncStatus::SignInAgain => {
                format!("{}・{counts}", Msg::SyncSignInAgain.text(lang))
            }
            SyncStatus::Failed(message) => format!("{}・{counts}", lang.pick(&message)),
            SyncStatus::Idle | SyncStatus::Unreachable => {
                let last = match engine.last_synced.get() {
                    Some(at) => Msg::SyncLast.fill(lang, &format_time(at)),
                    None => Msg::SyncNever.text(lang).to_owned(),
                };
                format!("{counts}・{last}")
            }
        };
        let line = match (engine.photo_progress.get(), engine.photos_waiting.get()) {
            (Some((done, total)), _) => {
                format!(
                    "{line}・{}",
                    Msg::SyncPhotos.fill(lang, &format!("{done}/{total}"))
                )
            }
            (None, n) if n > 0 => {
                format!("{line}・{}", Msg::PhotosWaiting.fill(lang, &n.to_string()))
            }
            _ => line,
        };
        let rejected = engine.rejected.get();
        if rejected > 0 {
            format!(
                "{line}・{}",
                Msg::SyncRejected.fill(lang, &rejected.to_string())
            )
        } else {
            line
        }
    };
    let needs_sign_in = move || engine.status.get() == SyncStatus::SignInAgain;
    // Office staff work at a desk, always online: one line for them (the counts and the
    // button still there, the line still announced).
    let compact = move || {
        app.me
            .with(|me| me.as_ref().is_some_and(|me| me.role.reviews_ward()))
    };
    let running = move || matches!(engine.status.get(), SyncStatus::Running { .. });
    view! {
        <section class="sync-bar" class:compact=compact data-testid="sync-bar" aria-label=move || i18n.t(Msg::SyncNow)>
            <p data-testid="sync-status" role="status" aria-live="polite" class="sync-status">
                {text}
            </p>
            <Show when=needs_sign_in>
                <button class="secondary-button" on:click=move |_| app.page.set(Page::SignIn)>
                    {move || i18n.t(Msg::SignInAgainButton)}
                </button>
            </Show>
            <button
                data-testid="sync-now"
                class="sync-now"
                aria-busy=move || running().to_string()
                on:click=move |_| engine.sync_now()
            >
                <span class="primary">{move || i18n.t(Msg::SyncNow)}</span>
                <span class="secondary" lang=move || i18n.lang().other().code()>
                    {move || Msg::SyncNow.text(i18n.lang().other())}
                </span>
            </button>
        </section>
    }
}
