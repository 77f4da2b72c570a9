use leptos::prelude::*;

use crate::i18n::{use_i18n, Msg};
use crate::state::use_app;

/// オンライン / オフライン, in words and not only in colour.
#[component]
pub fn NetState() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    view! {
        <span
            data-testid="net-state"
            class="net-state"
            class:online=move || app.online.get()
            class:offline=move || !app.online.get()
        >
            <span class="dot" aria-hidden="true"></span>
            {move || i18n.t(if app.online.get() { Msg::Online } else { Msg::Offline })}
        </span>
    }
}
