//! 区の一覧: the ward's requests, for office staff, section heads and administrators.
//! Read online from the ward record, filtered and paged there (`GET /api/requests?…`,
//! the query written by `koe_core::filter::RequestFilter`), as this reader may see them
//! (要配慮 details hidden). The filter and the request open are kept in the address
//! (`#/office/<id>?<filter>`), so reload and the back button keep them.

use koe_core::calendar::{iso_date, jst_day, parse_iso_date};
use koe_core::filter::{AssigneeFilter, RequestFilter, Sort};
use koe_core::{Catalogue, RequestRecord, Status, Urgency};
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::components::{staff_directory, BilingualMessage, GrowInput, MessageKind};
use crate::i18n::{format_time, use_i18n, Lang, Msg};
use crate::state::use_app;

use super::request_detail::{short_id, RequestDetailView};

/// The address prefix of this page.
const HASH_PREFIX: &str = "#/office";

/// Reads `#/office[/<id>][?<filter>]`: the request open and the filter. A filter that
/// does not read is dropped (the page opens unfiltered) rather than refused.
pub fn parse_hash(hash: &str) -> Option<(Option<Uuid>, RequestFilter)> {
    let rest = hash.strip_prefix(HASH_PREFIX)?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let selected = path
        .strip_prefix('/')
        .and_then(|id| Uuid::parse_str(id).ok());
    if !path.is_empty() && selected.is_none() && path != "/" {
        return None;
    }
    let filter = RequestFilter::from_query_string(query).unwrap_or_default();
    Some((selected, filter))
}

/// The address of the page with this request open and this filter.
pub fn to_hash(selected: Option<Uuid>, filter: &RequestFilter) -> String {
    let mut hash = HASH_PREFIX.to_owned();
    if let Some(id) = selected {
        hash.push('/');
        hash.push_str(&id.to_string());
    }
    let query = filter.to_query();
    if !query.is_empty() {
        hash.push('?');
        hash.push_str(&query);
    }
    hash
}

/// Whether the address asks for this page (read once at start: see `state.rs`).
pub fn hash_is_office(hash: &str) -> bool {
    parse_hash(hash).is_some()
}

/// Where a page of the list stands among all the requests that match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSpan {
    /// The first and last row shown, counted from 1; `None` when the page is empty.
    pub rows: Option<(i64, i64)>,
    /// How many match in all.
    pub total: i64,
    /// The offset of the page before, when there is one.
    pub prev: Option<i64>,
    /// The offset of the page after, when there is one.
    pub next: Option<i64>,
}

/// The page at `offset` (at most `limit` rows a page) that showed `shown` of `total`.
/// An offset past the end (an old address, requests since closed) goes back to the last
/// page.
pub fn page_span(offset: i64, limit: i64, shown: usize, total: i64) -> PageSpan {
    let limit = limit.max(1);
    let offset = offset.max(0);
    let shown = i64::try_from(shown).unwrap_or(i64::MAX);
    let total = total.max(0);
    let last_page = if total > 0 {
        (total - 1) / limit * limit
    } else {
        0
    };
    PageSpan {
        rows: (shown > 0).then(|| (offset + 1, offset + shown)),
        total,
        prev: (offset > 0).then(|| (offset - limit).min(last_page).max(0)),
        // After the rows shown, not a whole page on: rows logged meanwhile are not skipped.
        next: (shown > 0 && offset + shown < total).then_some(offset + shown),
    }
}

/// 「451–500件 / 500件中」, "451–500 of 500".
pub fn range_label(span: PageSpan, lang: Lang) -> String {
    let rows = match span.rows {
        None => "0".to_owned(),
        Some((first, last)) if first == last => first.to_string(),
        Some((first, last)) => format!("{first}–{last}"),
    };
    Msg::OfficeRangeOf
        .text(lang)
        .replacen("{}", &rows, 1)
        .replacen("{}", &span.total.to_string(), 1)
}

/// Puts the keyboard on the 開く button of request `id`'s row, if it is listed.
fn focus_row(id: Uuid) {
    use wasm_bindgen::JsCast;
    let selector =
        format!(r#"[data-testid="office-request"][data-id="{id}"] [data-testid="office-open"]"#);
    if let Some(button) = document()
        .query_selector(&selector)
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = button.focus();
    }
}

fn current_hash() -> String {
    window().location().hash().unwrap_or_default()
}

fn set_hash(hash: &str, push: bool) {
    let Ok(history) = window().history() else {
        return;
    };
    let url = if hash.is_empty() {
        // Drop the fragment, keep the path and query.
        let loc = window().location();
        format!(
            "{}{}",
            loc.pathname().unwrap_or_default(),
            loc.search().unwrap_or_default()
        )
    } else {
        hash.to_owned()
    };
    let _ = if push {
        history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    } else {
        history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    };
}

#[component]
pub fn OfficeList() -> impl IntoView {
    let app = use_app();
    let reviews = move || {
        app.me
            .with(|me| me.as_ref().is_some_and(|me| me.role.reviews_ward()))
    };
    let (start_selected, start_filter) = parse_hash(&current_hash()).unwrap_or_default();
    let filter = RwSignal::new(start_filter);
    let selected = RwSignal::new(start_selected);

    // The address follows the filter and the request open; back and forward follow the
    // address.
    Effect::new(move |_| {
        let hash = to_hash(selected.get(), &filter.get());
        if hash != current_hash() {
            set_hash(&hash, true);
        }
    });
    let listener = window_event_listener(leptos::ev::popstate, move |_| {
        if let Some((s, f)) = parse_hash(&current_hash()) {
            if filter.get_untracked() != f {
                filter.set(f);
            }
            if selected.get_untracked() != s {
                selected.set(s);
            }
        }
    });
    on_cleanup(move || {
        listener.remove();
        // Leaving the page (another menu item): the address no longer names it.
        if hash_is_office(&current_hash()) {
            set_hash("", false);
        }
    });

    // The list and the request open side by side on a wide screen (each scrolling on
    // its own), one after the other on a phone: see "Office desktop" in main.css.
    view! {
        <section
            class="page office"
            class:office-open=move || selected.with(Option::is_some)
            aria-labelledby="office-title"
        >
            <Show
                when=reviews
                fallback=|| view! { <BilingualMessage message=Msg::OfficeOnlyOffice.bilingual() kind=MessageKind::Problem/> }
            >
                <div class="office-list-pane" data-testid="office-list-pane">
                    <OfficeBrowse filter=filter selected=selected/>
                </div>
                {move || selected.get().map(|id| view! {
                    <div class="office-detail-pane" data-testid="office-detail-pane">
                        <OfficeDetail id=id selected=selected/>
                    </div>
                })}
            </Show>
        </section>
    }
}

/// The filters, the page of requests and the paging.
#[component]
fn OfficeBrowse(
    filter: RwSignal<RequestFilter>,
    selected: RwSignal<Option<Uuid>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let refresh = RwSignal::new(0u32);
    // Read again when a request is opened or closed (the office may have acted on it);
    // the page shown stays until the new one arrives.
    let open = Memo::new(move |_| selected.with(Option::is_some));
    let rows = LocalResource::new(move || {
        refresh.track();
        open.track();
        let online = app.online.get();
        let f = filter.get();
        async move {
            if online {
                Some(api::office_page(&f).await)
            } else {
                None
            }
        }
    });
    // After 次の50件 or 前の50件 the keyboard and the screen reader are on the range of the
    // new page (「451–500件 / 500件中」), at the top of the list, not on a button that may
    // be disabled now.
    let paged = StoredValue::new(false);
    // Back from a request (一覧に戻る, or the browser's back): the keyboard goes on from
    // the row it was opened from, in the list as shown now and in the list read again.
    let back_to = StoredValue::new(None::<Uuid>);
    let last_open = StoredValue::new(selected.get_untracked());
    Effect::new(move |_| match selected.get() {
        Some(id) => last_open.set_value(Some(id)),
        None => {
            if let Some(id) = last_open.get_value() {
                last_open.set_value(None);
                back_to.set_value(Some(id));
                // Once the list shows again (on a phone it is hidden while a request is open).
                request_animation_frame(move || focus_row(id));
            }
        }
    });
    let range = NodeRef::<leptos::html::P>::new();
    // Runs whenever a page of the list is drawn (its range line is new).
    Effect::new(move |_| {
        if let Some(p) = range.get() {
            if paged.get_value() {
                paged.set_value(false);
                let _ = p.focus();
            } else if let Some(id) = back_to.get_value() {
                back_to.set_value(None);
                request_animation_frame(move || focus_row(id));
            }
        }
    });
    let needs_connection = || {
        view! { <BilingualMessage message=Msg::OfficeNeedsConnection.bilingual() kind=MessageKind::Problem/> }
    };
    let export = move |ext: &str| {
        let f = filter.with(|f| RequestFilter {
            offset: 0,
            ..f.clone()
        });
        let q = f.to_query();
        if q.is_empty() {
            format!("/api/exports/requests.{ext}")
        } else {
            format!("/api/exports/requests.{ext}?{q}")
        }
    };
    view! {
        <div class="page-head office-head">
            <h1 id="office-title">{move || i18n.t(Msg::OfficeTitle)}</h1>
            <p class="office-exports">
                <a class="secondary-button" data-testid="export-csv" href=move || export("csv") download="">
                    {move || i18n.t(Msg::OfficeDownloadCsv)}
                </a>
                " "
                <a class="secondary-button" data-testid="export-geojson" href=move || export("geojson") download="">
                    {move || i18n.t(Msg::OfficeDownloadGeoJson)}
                </a>
                " "
                <button class="small-button" on:click=move |_| refresh.update(|n| *n += 1)>
                    {move || i18n.t(Msg::Refresh)}
                </button>
            </p>
        </div>
        <Filters filter=filter/>
        {move || match rows.get() {
            None if app.online.get() => {
                view! { <p class="loading" role="status">{move || i18n.t(Msg::Loading)}</p> }.into_any()
            }
            None | Some(None) | Some(Some(Err(ApiError::Unreachable))) => needs_connection().into_any(),
            Some(Some(Err(e))) => view! { <BilingualMessage message=e.message() kind=MessageKind::Problem/> }.into_any(),
            Some(Some(Ok(page))) => {
                let span = page_span(page.offset, page.limit, page.requests.len(), page.total);
                let table = if page.requests.is_empty() {
                    view! { <p class="empty">{move || i18n.t(Msg::OfficeNoMatch)}</p> }.into_any()
                } else {
                    view! { <OfficeTable list=page.requests selected=selected/> }.into_any()
                };
                let go = move |to: Option<i64>| {
                    if let Some(to) = to {
                        paged.set_value(true);
                        filter.update(|f| *f = f.page(to));
                    }
                };
                view! {
                    <p
                        class="office-total"
                        role="status"
                        tabindex="-1"
                        node_ref=range
                        data-testid="office-total"
                        data-total=span.total.to_string()
                    >
                        {move || range_label(span, i18n.lang())}
                    </p>
                    {table}
                    <nav class="office-paging" aria-label=move || i18n.t(Msg::OfficePaging)>
                        <button
                            class="secondary-button"
                            data-testid="office-prev"
                            disabled=span.prev.is_none()
                            on:click=move |_| go(span.prev)
                        >
                            {move || i18n.t(Msg::OfficePrev)}
                        </button>
                        <button
                            class="secondary-button"
                            data-testid="office-next"
                            disabled=span.next.is_none()
                            on:click=move |_| go(span.next)
                        >
                            {move || i18n.t(Msg::OfficeNext)}
                        </button>
                    </nav>
                }
                .into_any()
            }
        }}
    }
}

/// Reads a select's value: "" is "any".
fn chosen(value: String) -> Option<String> {
    let v = value.trim().to_owned();
    (!v.is_empty()).then_some(v)
}

/// The filter form. Choices apply at once (back at page 1); the search text applies
/// when sent (Enter or 検索).
#[component]
fn Filters(filter: RwSignal<RequestFilter>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let q = RwSignal::new(filter.with_untracked(|f| f.q.clone().unwrap_or_default()));
    // A filter changed elsewhere (back button, clearing) shows in the search box too.
    Effect::new(move |_| {
        let now = filter.with(|f| f.q.clone().unwrap_or_default());
        if q.get_untracked() != now {
            q.set(now);
        }
    });
    let apply = move |change: Box<dyn FnOnce(&mut RequestFilter)>| {
        filter.update(|f| {
            change(f);
            f.offset = 0;
        });
    };
    let staff = staff_directory(app);
    let catalogue = move || app.catalogue.get().unwrap_or_default();
    let lang = move || i18n.lang();
    let any = move || i18n.t(Msg::OfficeAny);
    let on_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = q.get_untracked();
        apply(Box::new(move |f| f.q = chosen(text)));
    };
    // 「詳しい条件」 starts open when the address asks for one of them.
    let more_in_use = filter.with_untracked(|f| {
        f.department.is_some()
            || f.urgency.is_some()
            || f.from.is_some()
            || f.to.is_some()
            || f.shared_mine
    });
    let status_boxes = move || {
        Status::ALL
            .into_iter()
            .map(|s| {
                let checked = move || filter.with(|f| f.statuses.contains(&s));
                view! {
                    <label class="check">
                        <input
                            type="checkbox"
                            data-testid=format!("filter-status-{}", s.code())
                            prop:checked=checked
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                apply(Box::new(move |f| {
                                    f.statuses.retain(|x| *x != s);
                                    if on {
                                        f.statuses.push(s);
                                        f.statuses.sort_by_key(|x| Status::ALL.iter().position(|y| y == x));
                                    }
                                }));
                            }
                        />
                        {move || lang().choose(s.label_ja(), s.label_en()).to_owned()}
                    </label>
                }
            })
            .collect_view()
    };
    view! {
        <form class="office-filters" role="search" on:submit=on_search aria-labelledby="office-filters-title">
            <h2 id="office-filters-title" class="small-heading">{move || i18n.t(Msg::OfficeFilters)}</h2>
            <div class="filter-row filter-main">
                <GrowInput label=Msg::OfficeSearch value=q testid="filter-q" kind="search"/>
                <button type="submit" class="primary-button" data-testid="filter-search">
                    {move || i18n.t(Msg::OfficeSearchButton)}
                </button>
            </div>
            <fieldset class="filter-statuses">
                <legend>{move || i18n.t(Msg::Status)}</legend>
                {status_boxes}
            </fieldset>
            // The common choices, always shown.
            <div class="filter-grid filter-common">
                <label class="field">
                    <span>{move || i18n.t(Msg::OfficeSectionFilter)}</span>
                    <select
                        data-testid="filter-section"
                        prop:value=move || filter.with(|f| f.section.clone().unwrap_or_default())
                        on:change=move |ev| {
                            let v = chosen(event_target_value(&ev));
                            apply(Box::new(move |f| f.section = v));
                        }
                    >
                        <option value="">{any}</option>
                        {move || catalogue().sections.into_iter().map(|s| {
                            let label = lang().choose(&s.name_ja, &s.name_en).to_owned();
                            view! { <option value=s.code.clone()>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>{move || i18n.t(Msg::Category)}</span>
                    <select
                        data-testid="filter-category"
                        prop:value=move || filter.with(|f| f.category.clone().unwrap_or_default())
                        on:change=move |ev| {
                            let v = chosen(event_target_value(&ev));
                            apply(Box::new(move |f| f.category = v));
                        }
                    >
                        <option value="">{any}</option>
                        {move || catalogue().categories.into_iter().map(|c| {
                            let label = format!(
                                "{}：{}",
                                lang().choose(&c.group_ja, &c.group_en),
                                lang().choose(&c.name_ja, &c.name_en)
                            );
                            view! { <option value=c.code.clone()>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>{move || i18n.t(Msg::Assignee)}</span>
                    <select
                        data-testid="filter-assignee"
                        prop:value=move || filter.with(|f| match &f.assignee {
                            None => String::new(),
                            Some(AssigneeFilter::Nobody) => "none".into(),
                            Some(AssigneeFilter::Staff(id)) => id.clone(),
                        })
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            let a = match v.as_str() {
                                "" => None,
                                "none" => Some(AssigneeFilter::Nobody),
                                id => Some(AssigneeFilter::Staff(id.to_owned())),
                            };
                            apply(Box::new(move |f| f.assignee = a));
                        }
                    >
                        <option value="">{any}</option>
                        <option value="none">{move || i18n.t(Msg::OfficeNobody)}</option>
                        {move || staff.get().flatten().unwrap_or_default().into_iter().map(|s| {
                            let label = s.label();
                            view! { <option value=s.id.clone()>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>{move || i18n.t(Msg::OfficeSort)}</span>
                    <select
                        data-testid="filter-sort"
                        prop:value=move || filter.with(|f| f.sort.code().to_owned())
                        on:change=move |ev| {
                            let v = Sort::from_code(&event_target_value(&ev)).unwrap_or_default();
                            apply(Box::new(move |f| f.sort = v));
                        }
                    >
                        {Sort::ALL.into_iter().map(|s| view! {
                            <option value=s.code()>{move || lang().choose(s.label_ja(), s.label_en()).to_owned()}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <div class="filter-row">
                <label class="check">
                    <input
                        type="checkbox"
                        data-testid="filter-overdue"
                        prop:checked=move || filter.with(|f| f.overdue)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            apply(Box::new(move |f| f.overdue = on));
                        }
                    />
                    {move || i18n.t(Msg::OfficeOverdue)}
                </label>
                <button
                    type="button"
                    class="secondary-button"
                    data-testid="filter-clear"
                    on:click=move |_| filter.set(RequestFilter::default())
                >
                    {move || i18n.t(Msg::MineClearFilters)}
                </button>
            </div>
            // The rest behind 「詳しい条件」, open when one of them is in use.
            <details class="filter-more" data-testid="filter-more" open=more_in_use>
                <summary data-testid="filter-more-toggle">{move || i18n.t(Msg::OfficeMoreFilters)}</summary>
                <div class="filter-grid">
                    <label class="field">
                        <span>{move || i18n.t(Msg::OfficeDepartment)}</span>
                        <select
                            data-testid="filter-department"
                            prop:value=move || filter.with(|f| f.department.clone().unwrap_or_default())
                            on:change=move |ev| {
                                let v = chosen(event_target_value(&ev));
                                apply(Box::new(move |f| f.department = v));
                            }
                        >
                            <option value="">{any}</option>
                            {move || catalogue().departments.into_iter().map(|d| {
                                let label = lang().choose(&d.name_ja, &d.name_en).to_owned();
                                view! { <option value=d.code.clone()>{label}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span>{move || i18n.t(Msg::Urgency)}</span>
                        <select
                            data-testid="filter-urgency"
                            prop:value=move || filter.with(|f| f.urgency.map(|u| u.code().to_owned()).unwrap_or_default())
                            on:change=move |ev| {
                                let v = Urgency::from_code(&event_target_value(&ev));
                                apply(Box::new(move |f| f.urgency = v));
                            }
                        >
                            <option value="">{any}</option>
                            {Urgency::ALL.into_iter().map(|u| view! {
                                <option value=u.code()>{move || lang().choose(u.label_ja(), u.label_en()).to_owned()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span>{move || i18n.t(Msg::OfficeFrom)}</span>
                        <input
                            type="date"
                            data-testid="filter-from"
                            prop:value=move || filter.with(|f| f.from.map(iso_date).unwrap_or_default())
                            on:change=move |ev| {
                                let v = parse_iso_date(&event_target_value(&ev));
                                apply(Box::new(move |f| f.from = v));
                            }
                        />
                    </label>
                    <label class="field">
                        <span>{move || i18n.t(Msg::OfficeTo)}</span>
                        <input
                            type="date"
                            data-testid="filter-to"
                            prop:value=move || filter.with(|f| f.to.map(iso_date).unwrap_or_default())
                            on:change=move |ev| {
                                let v = parse_iso_date(&event_target_value(&ev));
                                apply(Box::new(move |f| f.to = v));
                            }
                        />
                    </label>
                </div>
                <div class="filter-row">
                    <label class="check">
                        <input
                            type="checkbox"
                            data-testid="filter-shared"
                            prop:checked=move || filter.with(|f| f.shared_mine)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                apply(Box::new(move |f| f.shared_mine = on));
                            }
                        />
                        {move || i18n.t(Msg::OfficeSharedMine)}
                    </label>
                </div>
            </details>
        </form>
    }
}

/// A category's name as shown (a redacted request's: its group).
pub(crate) fn category_name(catalogue: Option<&Catalogue>, code: &str, lang: Lang) -> String {
    if let Some(group) = catalogue.and_then(|c| koe_core::access::redacted_group_label(c, code)) {
        return lang.pick(&group).to_owned();
    }
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
fn OfficeTable(list: Vec<RequestRecord>, selected: RwSignal<Option<Uuid>>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-labelledby="office-title">
            <table class="office-table">
                <thead>
                    <tr>
                        <th scope="col" class="col-id">{move || i18n.t(Msg::OfficeId)}</th>
                        <th scope="col" class="col-received">{move || i18n.t(Msg::Received)}</th>
                        <th scope="col" class="col-category">{move || i18n.t(Msg::Category)}</th>
                        <th scope="col" class="col-title">{move || i18n.t(Msg::Title)}</th>
                        <th scope="col" class="col-section">{move || i18n.t(Msg::Section)}</th>
                        <th scope="col" class="col-status">{move || i18n.t(Msg::Status)}</th>
                        <th scope="col" class="col-urgency">{move || i18n.t(Msg::Urgency)}</th>
                        <th scope="col" class="col-due">{move || i18n.t(Msg::OfficeDue)}</th>
                        <th scope="col" class="col-assignee">{move || i18n.t(Msg::Assignee)}</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|r| {
                            let id = r.id;
                            let short = short_id(id);
                            let category = r.category.clone();
                            let section = r.section.clone();
                            let title = r.title.clone();
                            let redacted = r.redacted || title.is_none();
                            // The due date is a day in Japan (core's calendar), not in the
                            // browser's time zone.
                            let resolve_by = r
                                .due
                                .map(|d| iso_date(jst_day(d.resolve_by)).replace('-', "/"));
                            let timeliness = r.resolve_timeliness(crate::ids::now_ms() as i64);
                            let assignee = r.assignee.clone().unwrap_or_default();
                            let open_label = short.clone();
                            view! {
                                <tr
                                    class:open=move || selected.get() == Some(id)
                                    aria-current=move || (selected.get() == Some(id)).then_some("true")
                                    data-testid="office-request"
                                    data-id=id.to_string()
                                    data-status=r.status.code()
                                >
                                    <td class="col-id">
                                        <button
                                            type="button"
                                            class="link-button"
                                            data-testid="office-open"
                                            title=id.to_string()
                                            aria-label=move || Msg::OfficeOpen.fill(i18n.lang(), &open_label)
                                            on:click=move |_| selected.set(Some(id))
                                        >
                                            <code>{short}</code>
                                        </button>
                                    </td>
                                    <td class="col-received">
                                        // A redacted request carries no dates (core's one redacted shape).
                                        {if redacted { "—".to_owned() } else { format_time(r.received_at as f64) }}
                                    </td>
                                    <td class="col-category">{move || app.catalogue.with(|c| category_name(c.as_ref(), &category, i18n.lang()))}</td>
                                    <td class="col-title" class:redacted=redacted data-testid="office-title">
                                        {move || match &title {
                                            Some(t) if !redacted => t.clone(),
                                            _ => i18n.t(Msg::OfficeRedactedTitle).to_owned(),
                                        }}
                                    </td>
                                    <td class="col-section">{move || app.catalogue.with(|c| section_name(c.as_ref(), &section, i18n.lang()))}</td>
                                    <td class="col-status" data-testid="office-status">{move || i18n.lang().choose(r.status.label_ja(), r.status.label_en())}</td>
                                    <td class=format!("col-urgency urgency-{}", r.urgency.code())>
                                        {move || i18n.lang().choose(r.urgency.label_ja(), r.urgency.label_en())}
                                    </td>
                                    <td class="col-due due" data-testid="resolve-by">
                                        {match resolve_by.clone() {
                                            Some(d) => view! { <span>{d}</span> }.into_any(),
                                            None if redacted => view! { <span class="muted">"—"</span> }.into_any(),
                                            None => view! { <span class="muted">{move || i18n.t(Msg::OfficeDueNone)}</span> }.into_any(),
                                        }}
                                        {timeliness.map(|t| view! {
                                            " "
                                            <span class=format!("timeliness due-{}", t.code())>
                                                {move || i18n.lang().choose(t.label_ja(), t.label_en())}
                                            </span>
                                        })}
                                    </td>
                                    <td class="col-assignee" data-testid="office-assignee">{assignee}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// One request opened from the list. The detail reads the device's copy, so a request
/// not yet pulled to this device is fetched from the ward record and stored first
/// (without moving the pull cursor: the next pull still brings everything after it).
#[component]
fn OfficeDetail(id: Uuid, selected: RwSignal<Option<Uuid>>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let ready = LocalResource::new(move || {
        let store = app.store.get();
        let online = app.online.get_untracked();
        async move {
            let Some(store) = store else {
                return Some(Err(Msg::ActNeedsStore.bilingual()));
            };
            match store.request(id).await {
                Ok(Some(_)) => return Some(Ok(())),
                Ok(None) if !online => return Some(Ok(())),
                Ok(None) => {}
                Err(e) => return Some(Err(e.message())),
            }
            let detail = match api::request_detail(id).await {
                Ok(d) => d,
                Err(e) => return Some(Err(e.message())),
            };
            let cursor = match store.pull_cursor().await {
                Ok(c) => c,
                Err(e) => return Some(Err(e.message())),
            };
            if let Err(e) = store.apply_pull(&[detail.request], &[], cursor).await {
                return Some(Err(e.message()));
            }
            app.changed();
            Some(Ok(()))
        }
    });
    move || match ready.get().flatten() {
        None => {
            view! { <p class="loading" role="status">{move || i18n.t(Msg::Loading)}</p> }.into_any()
        }
        Some(Err(m)) => view! {
            <BilingualMessage message=m kind=MessageKind::Problem/>
            <button class="secondary-button" on:click=move |_| selected.set(None)>
                {move || i18n.t(Msg::BackToList)}
            </button>
        }
        .into_any(),
        Some(Ok(())) => view! { <RequestDetailView id=id selected=selected/> }.into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn the_address_keeps_the_filter_and_the_request_open() {
        let mut f = RequestFilter {
            statuses: vec![Status::New, Status::Routed],
            q: Some("歩道 段差".into()),
            overdue: true,
            ..RequestFilter::default()
        };
        f.offset = 50;
        let id = Uuid::parse_str("0190f2c4-8a3e-7b21-9c4d-5e6f7a8b9c0d").unwrap();
        for selected in [None, Some(id)] {
            let hash = to_hash(selected, &f);
            assert!(hash.starts_with("#/office"));
            assert_eq!(parse_hash(&hash), Some((selected, f.clone())));
        }
        assert_eq!(to_hash(None, &RequestFilter::default()), "#/office");
        assert_eq!(
            parse_hash("#/office"),
            Some((None, RequestFilter::default()))
        );
        // A filter that does not read opens the page unfiltered.
        assert_eq!(
            parse_hash("#/office?status=nonsense"),
            Some((None, RequestFilter::default()))
        );
        assert_eq!(parse_hash("#/mine"), None);
        assert_eq!(parse_hash("#/office/not-an-id"), None);
        assert!(hash_is_office(
            "#/office/0190f2c4-8a3e-7b21-9c4d-5e6f7a8b9c0d?q=a"
        ));
        assert_eq!(short_id(id), "6f7a8b9c0d"[2..]);
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn paging_goes_to_the_last_page_and_back() {
        // The first of ten pages: nothing before, the next 50 after.
        let first = page_span(0, 50, 50, 500);
        assert_eq!(first.rows, Some((1, 50)));
        assert_eq!((first.prev, first.next), (None, Some(50)));
        // The last page of an exact multiple: the next button has nowhere to go.
        let last = page_span(450, 50, 50, 500);
        assert_eq!(last.rows, Some((451, 500)));
        assert_eq!((last.prev, last.next), (Some(400), None));
        assert_eq!(range_label(last, Lang::Ja), "451–500件 / 500件中");
        assert_eq!(range_label(last, Lang::En), "451–500 of 500");
        // A last page that is not full.
        let short = page_span(500, 50, 7, 507);
        assert_eq!(short.rows, Some((501, 507)));
        assert_eq!((short.prev, short.next), (Some(450), None));
        // One row.
        assert_eq!(range_label(page_span(0, 50, 1, 1), Lang::Ja), "1件 / 1件中");
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn an_empty_list_or_a_page_past_the_end() {
        let empty = page_span(0, 50, 0, 0);
        assert_eq!(empty.rows, None);
        assert_eq!((empty.prev, empty.next), (None, None));
        assert_eq!(range_label(empty, Lang::Ja), "0件 / 0件中");
        // An old address past the end (requests closed since): back goes to the last page.
        let past = page_span(600, 50, 0, 500);
        assert_eq!((past.rows, past.prev, past.next), (None, Some(450), None));
        assert_eq!(range_label(past, Lang::En), "0 of 500");
        let gone = page_span(100, 50, 0, 0);
        assert_eq!((gone.prev, gone.next), (Some(0), None));
    }
}
