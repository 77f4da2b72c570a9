//! 自分の受付: what was logged on this device (and what the office did with it), newest
//! first, with where each stands: 未送信, 送信済 or 却下 with the reason.

use koe_core::{Bilingual, Catalogue};
use leptos::prelude::*;
use uuid::Uuid;

use crate::components::PhotoBadge;
use crate::components::{BilingualMessage, MessageKind, SyncBadge};
use crate::i18n::{format_time, use_i18n, Msg};
use crate::state::use_app;
use crate::store::LocalRequest;

use super::request_detail::RequestDetailView;

/// Characters of the description shown under the title.
const PREVIEW_CHARS: usize = 60;

#[component]
pub fn MyRequests() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    // The request opened in the detail view, if one is.
    let selected = RwSignal::new(None::<Uuid>);
    let list = LocalResource::new(move || {
        app.revision.track();
        let store = app.store.get();
        async move {
            match store {
                Some(store) => Some(store.requests().await.map_err(|e| e.message())),
                None => None,
            }
        }
    });
    view! {
        <section class="page mine" aria-labelledby="mine-title">
            <h1 id="mine-title">{move || i18n.t(Msg::MineTitle)}</h1>
            {move || selected.get().map(|id| view! { <RequestDetailView id=id selected=selected/> })}
            <div class="mine-list" hidden=move || selected.with(Option::is_some)>
            {move || match list.get().flatten() {
                None => view! { <p class="loading" role="status">{move || i18n.t(Msg::Loading)}</p> }.into_any(),
                Some(Err(message)) => view! { <BilingualMessage message=message kind=MessageKind::Problem/> }.into_any(),
                Some(Ok(requests)) if requests.is_empty() => {
                    view! { <p class="empty">{move || i18n.t(Msg::MineEmpty)}</p> }.into_any()
                }
                Some(Ok(requests)) => view! {
                    <ul class="request-list">
                        {requests
                            .into_iter()
                            .map(|r| view! { <RequestRow local=r selected=selected/> })
                            .collect_view()}
                    </ul>
                }
                .into_any(),
            }}
            </div>
        </section>
    }
}

/// The category's name and whether it is 要配慮 (an unknown category counts as 要配慮).
pub(super) fn category_of(catalogue: Option<&Catalogue>, code: &str) -> (Bilingual, bool) {
    match catalogue.and_then(|c| c.category(code)) {
        Some(c) => (
            Bilingual::new(
                format!("{}・{}", c.group_ja, c.name_ja),
                format!("{}: {}", c.group_en, c.name_en),
            ),
            c.sensitive,
        ),
        None => (Bilingual::new(code, code), true),
    }
}

fn preview(text: &str) -> String {
    let mut out: String = text.chars().take(PREVIEW_CHARS).collect();
    if text.chars().count() > PREVIEW_CHARS {
        out.push('…');
    }
    out
}

#[component]
fn RequestRow(local: LocalRequest, selected: RwSignal<Option<Uuid>>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let (category, sensitive) = app
        .catalogue
        .with_untracked(|c| category_of(c.as_ref(), local.category()));
    let title = local.title().map(str::to_owned);
    let description = local
        .request
        .as_ref()
        .map(|r| r.description.clone())
        .or_else(|| local.server.as_ref().and_then(|s| s.description.clone()))
        .filter(|d| !d.is_empty());
    let status = local.status();
    let logged = format_time(local.logged_at() as f64);
    let id = local.id;
    // Tapping anywhere on the row opens it; the 詳細 button is the keyboard's way in
    // (its click bubbles up to the row).
    view! {
        <li
            on:click=move |_| selected.set(Some(id))
            data-testid="my-request"
            data-id=local.id.to_string()
            data-sync=local.sync.code()
            class="request-row"
        >
            <div class="row-head">
                <span class="category">{move || i18n.lang().pick(&category).to_owned()}</span>
                <time>{logged}</time>
            </div>
            {if sensitive {
                view! {
                    <p class="title">
                        <span class="sensitive-marker">{move || i18n.t(Msg::Sensitive)}</span>
                    </p>
                }
                .into_any()
            } else {
                view! {
                    <p class="title">
                        {title.unwrap_or_else(|| Msg::NoTitle.text(i18n.lang()).to_owned())}
                    </p>
                    {description.map(|d| view! { <p class="preview">{preview(&d)}</p> })}
                }
                .into_any()
            }}
            <div class="badges">
                <SyncBadge state=local.sync.clone()/>
                <PhotoBadge request_id=local.id/>
                {status.map(|s| {
                    view! {
                        <span class=format!("badge status-{}", s.code())>
                            {move || {
                                let lang = i18n.lang();
                                Msg::OfficeStatus.fill(lang, lang.choose(s.label_ja(), s.label_en()))
                            }}
                        </span>
                    }
                })}
                <button type="button" class="small-button open-detail" data-testid="open-detail">
                    {move || i18n.t(Msg::OpenDetail)}
                </button>
            </div>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn previews_are_short_and_unknown_categories_are_sensitive() {
        assert_eq!(preview("短い"), "短い");
        let long = "あ".repeat(PREVIEW_CHARS + 5);
        assert_eq!(preview(&long).chars().count(), PREVIEW_CHARS + 1);
        let (name, sensitive) = category_of(None, "gone");
        assert_eq!(name.ja, "gone");
        assert!(sensitive);
    }
}
