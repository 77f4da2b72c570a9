//! 区の一覧: the ward's requests, for office staff, section heads and administrators.
//! Read online from the ward record, as this reader may see them (要配慮 details hidden).

use koe_core::calendar::{iso_date, jst_day};
use koe_core::{Catalogue, RequestRecord};
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::components::{BilingualMessage, MessageKind};
use crate::i18n::{format_time, use_i18n, Lang, Msg};
use crate::state::use_app;

/// Rows read at a time.
const LIMIT: u32 = 200;

#[component]
pub fn OfficeList() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let refresh = RwSignal::new(0u32);
    let rows = LocalResource::new(move || {
        refresh.track();
        let online = app.online.get();
        async move {
            if online {
                Some(api::office_requests(LIMIT).await)
            } else {
                None
            }
        }
    });
    let needs_connection = || {
        view! { <BilingualMessage message=Msg::OfficeNeedsConnection.bilingual() kind=MessageKind::Problem/> }
    };
    view! {
        <section class="page office" aria-labelledby="office-title">
            <div class="page-head">
                <h1 id="office-title">{move || i18n.t(Msg::OfficeTitle)}</h1>
                <button class="small-button" on:click=move |_| refresh.update(|n| *n += 1)>
                    {move || i18n.t(Msg::Refresh)}
                </button>
            </div>
            {move || match rows.get() {
                None if app.online.get() => {
                    view! { <p class="loading" role="status">{move || i18n.t(Msg::Loading)}</p> }.into_any()
                }
                None | Some(None) | Some(Some(Err(ApiError::Unreachable))) => needs_connection().into_any(),
                Some(Some(Err(e))) => view! { <BilingualMessage message=e.message() kind=MessageKind::Problem/> }.into_any(),
                Some(Some(Ok(list))) if list.is_empty() => {
                    view! { <p class="empty">{move || i18n.t(Msg::OfficeEmpty)}</p> }.into_any()
                }
                Some(Some(Ok(list))) => view! { <OfficeTable list=list/> }.into_any(),
            }}
        </section>
    }
}

fn category_name(catalogue: Option<&Catalogue>, code: &str, lang: Lang) -> String {
    catalogue.and_then(|c| c.category(code)).map_or_else(
        || code.to_owned(),
        |c| lang.choose(&c.name_ja, &c.name_en).to_owned(),
    )
}

fn section_name(catalogue: Option<&Catalogue>, code: &str, lang: Lang) -> String {
    catalogue.and_then(|c| c.section(code)).map_or_else(
        || code.to_owned(),
        |s| lang.choose(&s.name_ja, &s.name_en).to_owned(),
    )
}

#[component]
fn OfficeTable(list: Vec<RequestRecord>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-labelledby="office-title">
            <table class="office-table">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t(Msg::Received)}</th>
                        <th scope="col">{move || i18n.t(Msg::Category)}</th>
                        <th scope="col">{move || i18n.t(Msg::Section)}</th>
                        <th scope="col">{move || i18n.t(Msg::Title)}</th>
                        <th scope="col">{move || i18n.t(Msg::Urgency)}</th>
                        <th scope="col">{move || i18n.t(Msg::Status)}</th>
                        <th scope="col">{move || i18n.t(Msg::ResolveBy)}</th>
                        <th scope="col">{move || i18n.t(Msg::LoggedBy)}</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|r| {
                            let category = r.category.clone();
                            let section = r.section.clone();
                            let title = r.title.clone();
                            let redacted = r.redacted || title.is_none();
                            // The due date is a day in Japan (core's calendar), not in the
                            // browser's time zone.
                            let resolve_by = r
                                .due
                                .map(|d| iso_date(jst_day(d.resolve_by)).replace('-', "/"))
                                .unwrap_or_default();
                            let timeliness = r.resolve_timeliness(crate::ids::now_ms() as i64);
                            view! {
                                <tr data-testid="office-request" data-id=r.id.to_string()>
                                    <td>{format_time(r.received_at as f64)}</td>
                                    <td>{move || app.catalogue.with(|c| category_name(c.as_ref(), &category, i18n.lang()))}</td>
                                    <td>{move || app.catalogue.with(|c| section_name(c.as_ref(), &section, i18n.lang()))}</td>
                                    <td class:redacted=redacted>
                                        {move || match &title {
                                            Some(t) if !redacted => t.clone(),
                                            _ => i18n.t(Msg::Redacted).to_owned(),
                                        }}
                                    </td>
                                    <td class=format!("urgency-{}", r.urgency.code())>
                                        {move || i18n.lang().choose(r.urgency.label_ja(), r.urgency.label_en())}
                                    </td>
                                    <td>{move || i18n.lang().choose(r.status.label_ja(), r.status.label_en())}</td>
                                    <td class="due" data-testid="resolve-by">
                                        {resolve_by}
                                        {timeliness.map(|t| view! {
                                            <span class=format!("timeliness due-{}", t.code())>
                                                {move || i18n.lang().choose(t.label_ja(), t.label_en())}
                                            </span>
                                        })}
                                    </td>
                                    <td>{r.logged_by.clone()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
