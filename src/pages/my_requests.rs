//! 自分の受付: what was logged on this device (and what the office did with it), newest
//! first, with where each stands: 未送信, 送信済 or 却下 with the reason, and 回答あり on a
//! request whose office answer (対応内容) came since the person last opened it.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::time::Duration;

use koe_core::search::Query;
use koe_core::{Bilingual, Catalogue, Status};
use leptos::prelude::*;
use uuid::Uuid;

use crate::components::{category_groups, BilingualMessage, MessageKind, SyncBadge};
use crate::i18n::{format_time, use_i18n, Lang, Msg};
use crate::state::use_app;
use crate::store::{
    device_state, filter_list, list_entries, ListEntry, ListFilter, LocalRequest, PhotoCounts,
    StateFilter,
};

use super::request_detail::RequestDetailView;

/// Characters of the description shown under the title.
const PREVIEW_CHARS: usize = 60;
/// Rows shown at first, and added by さらに表示.
pub const PAGE_ROWS: usize = 50;
/// Typing pauses this long before the list is narrowed.
const TYPING_PAUSE_MS: u64 = 200;
/// The list reads the device's data again at most this often.
const REREAD_MS: u64 = 150;

thread_local! {
    /// The last listing read and the revision of the device's data it was read at: kept
    /// while the page is closed, so opening it again with nothing changed reads nothing.
    static LISTING: RefCell<Option<(u64, Rc<Listing>)>> = const { RefCell::new(None) };
}

/// The device's requests as the list holds them, read once per change of the device's data.
struct Listing {
    entries: Vec<ListEntry>,
    photos: HashMap<Uuid, PhotoCounts>,
    /// Requests with an answer not yet opened (回答あり).
    answered: HashSet<Uuid>,
}

#[component]
pub fn MyRequests() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    // The request opened in the detail view, if one is.
    let selected = RwSignal::new(None::<Uuid>);
    // The device's data is read again when it changes, at most every REREAD_MS (a long
    // sync changes it with every photo sent).
    let seen = RwSignal::new(app.revision.get_untracked());
    let reread = StoredValue::new(false);
    Effect::new(move |_| {
        let now = app.revision.get();
        if now == seen.get_untracked() || reread.get_value() {
            return;
        }
        reread.set_value(true);
        set_timeout(
            move || {
                reread.set_value(false);
                seen.set(app.revision.get_untracked());
            },
            Duration::from_millis(REREAD_MS),
        );
    });
    let listing = LocalResource::new(move || {
        let revision = seen.get();
        let store = app.store.get();
        async move {
            let store = store?;
            // Opening the page again with nothing changed reads nothing.
            if let Some(kept) = LISTING.with(|k| {
                k.borrow()
                    .as_ref()
                    .filter(|(at, _)| *at == revision)
                    .map(|(_, l)| l.clone())
            }) {
                return Some(Ok(kept));
            }
            let read = async {
                let requests = store.requests().await?;
                let photos = store.photo_counts().await?;
                let answered = store.unseen_answers().await?;
                Ok(Rc::new(Listing {
                    entries: list_entries(requests),
                    photos,
                    answered,
                }))
            };
            let read = read
                .await
                .map_err(|e: crate::store::StoreError| e.message());
            if let Ok(l) = &read {
                LISTING.with(|k| *k.borrow_mut() = Some((revision, Rc::clone(l))));
            }
            Some(read)
        }
    });

    // Opening a request shows its answer: its 回答あり mark goes.
    Effect::new(move |_| {
        let Some(id) = selected.get() else {
            return;
        };
        let Some(store) = app.store.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            if let Ok(true) = store.answer_seen(id).await {
                app.changed();
            }
        });
    });
    // How many answers wait to be opened, told politely when it changes.
    let unseen = Memo::new(move |_| {
        listing.get().flatten().and_then(Result::ok).map_or(0, |l| {
            l.entries
                .iter()
                .filter(|e| l.answered.contains(&e.local.id))
                .count()
        })
    });

    let news_class = move || {
        if unseen.get() > 0 {
            "answers-news has-news"
        } else {
            "answers-news"
        }
    };

    // What the list is narrowed to. The search follows typing after a pause.
    let typed = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let state = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let until = RwSignal::new(String::new());
    let shown = RwSignal::new(PAGE_ROWS);
    let pause = StoredValue::new(None::<TimeoutHandle>);
    let on_type = move |ev| {
        let value = event_target_value(&ev);
        typed.set(value);
        if let Some(h) = pause.get_value() {
            h.clear();
        }
        let h = set_timeout_with_handle(
            // What is typed by then (clearing the filters empties it).
            move || search.set(typed.get_untracked()),
            Duration::from_millis(TYPING_PAUSE_MS),
        )
        .ok();
        pause.set_value(h);
    };
    let filter = Memo::new(move |_| ListFilter {
        query: Query::new(&search.get()),
        category: Some(category.get()).filter(|c| !c.is_empty()),
        state: StateFilter::from_code(&state.get()),
        from_ms: day_start_ms(&from.get(), 0),
        until_ms: day_start_ms(&until.get(), 1),
    });
    // A new filter starts from the top again.
    Effect::new(move |_| {
        filter.track();
        shown.set(PAGE_ROWS);
    });
    let hits = Memo::new(move |_| {
        let f = filter.get();
        listing
            .get()
            .flatten()
            .and_then(Result::ok)
            .map(|l| filter_list(&l.entries, &f))
    });
    let clear = move |_| {
        if let Some(h) = pause.get_value() {
            h.clear();
        }
        for s in [typed, search, category, state, from, until] {
            s.set(String::new());
        }
    };
    let filtered = move || {
        !(typed.with(String::is_empty)
            && category.with(String::is_empty)
            && state.with(String::is_empty)
            && from.with(String::is_empty)
            && until.with(String::is_empty))
    };

    view! {
        <section class="page mine" aria-labelledby="mine-title">
            <h1 id="mine-title">{move || i18n.t(Msg::MineTitle)}</h1>
            {move || selected.get().map(|id| view! { <RequestDetailView id=id selected=selected/> })}
            <div class="mine-list" hidden=move || selected.with(Option::is_some)>
            <p
                class=news_class
                role="status"
                aria-live="polite"
                data-testid="answers-news"
            >
                {move || {
                    let n = unseen.get();
                    (n > 0).then(|| Msg::MineNewAnswers.fill(i18n.lang(), &n.to_string()))
                }}
            </p>
            <form class="mine-filters" role="search" on:submit=|ev| ev.prevent_default()>
                <div class="field mine-search">
                    <label for="mine-search">{move || i18n.t(Msg::MineSearch)}</label>
                    <input
                        id="mine-search"
                        type="search"
                        data-testid="mine-search"
                        autocomplete="off"
                        prop:value=move || typed.get()
                        on:input=on_type
                    />
                </div>
                <div class="field">
                    <label for="mine-category">{move || i18n.t(Msg::Category)}</label>
                    <select
                        id="mine-category"
                        data-testid="mine-category"
                        prop:value=move || category.get()
                        on:change=move |ev| category.set(event_target_value(&ev))
                    >
                        <option value="">{move || i18n.t(Msg::AllCategories)}</option>
                        {move || {
                            category_groups(app.catalogue.get().as_ref(), i18n.lang(), move |code| {
                                category.with(|v| v == code)
                            })
                        }}
                    </select>
                </div>
                <div class="field">
                    <label for="mine-state">{move || i18n.t(Msg::MineState)}</label>
                    <select
                        id="mine-state"
                        data-testid="mine-state"
                        prop:value=move || state.get()
                        on:change=move |ev| state.set(event_target_value(&ev))
                    >
                        <option value="">{move || i18n.t(Msg::AllStates)}</option>
                        {move || state_options(i18n.lang(), state)}
                    </select>
                </div>
                <div class="field mine-date">
                    <label for="mine-from">{move || i18n.t(Msg::MineFrom)}</label>
                    <input
                        id="mine-from"
                        type="date"
                        data-testid="mine-from"
                        prop:value=move || from.get()
                        on:change=move |ev| from.set(event_target_value(&ev))
                    />
                </div>
                <div class="field mine-date">
                    <label for="mine-until">{move || i18n.t(Msg::MineUntil)}</label>
                    <input
                        id="mine-until"
                        type="date"
                        data-testid="mine-until"
                        prop:value=move || until.get()
                        on:change=move |ev| until.set(event_target_value(&ev))
                    />
                </div>
                <Show when=filtered>
                    <button type="button" class="secondary-button" data-testid="mine-clear-filters" on:click=clear>
                        {move || i18n.t(Msg::MineClearFilters)}
                    </button>
                </Show>
            </form>
            {move || match listing.get().flatten() {
                None => view! { <p class="loading" role="status">{move || i18n.t(Msg::Loading)}</p> }.into_any(),
                Some(Err(message)) => view! { <BilingualMessage message=message kind=MessageKind::Problem/> }.into_any(),
                Some(Ok(l)) if l.entries.is_empty() => {
                    view! { <p class="empty">{move || i18n.t(Msg::MineEmpty)}</p> }.into_any()
                }
                Some(Ok(l)) => {
                    let hits = hits.get().unwrap_or_default();
                    let total = hits.len();
                    let limit = shown.get();
                    let rows = hits
                        .iter()
                        .take(limit)
                        .map(|&i| {
                            let entry = &l.entries[i];
                            let photos = l.photos.get(&entry.local.id).copied().unwrap_or_default();
                            let answered = l.answered.contains(&entry.local.id);
                            view! { <RequestRow local=entry.local.clone() photos=photos answered=answered selected=selected/> }
                        })
                        .collect_view();
                    let left = total.saturating_sub(limit);
                    view! {
                        <p class="mine-count" role="status" data-testid="mine-count" data-count=total.to_string()>
                            {move || Msg::MineMatches.fill(i18n.lang(), &total.to_string())}
                        </p>
                        {(total == 0).then(|| view! { <p class="empty">{move || i18n.t(Msg::MineNoMatch)}</p> })}
                        <ul class="request-list">{rows}</ul>
                        {(left > 0).then(|| view! {
                            <button
                                type="button"
                                class="secondary-button mine-more"
                                data-testid="mine-more"
                                on:click=move |_| shown.update(|n| *n += PAGE_ROWS)
                            >
                                {move || Msg::MineMore.fill(i18n.lang(), &left.to_string())}
                            </button>
                        })}
                    }
                    .into_any()
                }
            }}
            </div>
        </section>
    }
}

/// The start of the local day after `date` (`YYYY-MM-DD`, as a date input gives it) plus
/// `plus_days`, in ms since the epoch; `None` for an empty or malformed date.
fn day_start_ms(date: &str, plus_days: u32) -> Option<i64> {
    let (y, m, d) = parse_date(date)?;
    let at = js_sys::Date::new_with_year_month_day(y, m as i32 - 1, (d + plus_days) as i32);
    Some(at.get_time() as i64)
}

/// `YYYY-MM-DD` as (year, month 1–12, day 1–31).
fn parse_date(date: &str) -> Option<(u32, u32, u32)> {
    let mut parts = date.trim().splitn(3, '-');
    let y: u32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d) && y >= 1970).then_some((y, m, d))
}

fn state_options(lang: Lang, chosen: RwSignal<String>) -> impl IntoView {
    let option = move |filter: StateFilter, label: String| {
        let code = filter.code();
        let selected = {
            let code = code.clone();
            move || chosen.with(|v| *v == code)
        };
        view! { <option value=code prop:selected=selected>{label}</option> }
    };
    let device = StateFilter::DEVICE
        .into_iter()
        .map(|d| {
            option(
                StateFilter::Device(d),
                device_state_label(d).text(lang).to_owned(),
            )
        })
        .collect_view();
    let office = Status::ALL
        .into_iter()
        .map(|s| {
            option(
                StateFilter::Office(s),
                lang.choose(s.label_ja(), s.label_en()).to_owned(),
            )
        })
        .collect_view();
    view! {
        <optgroup label=Msg::DeviceStates.text(lang)>{device}</optgroup>
        <optgroup label=Msg::OfficeStatuses.text(lang)>{office}</optgroup>
    }
}

fn device_state_label(code: &str) -> Msg {
    match code {
        "waiting" => Msg::StateWaiting,
        "conflict" => Msg::StateConflict,
        "rejected" => Msg::StateRejected,
        _ => Msg::StateSynced,
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
        // A request whose details this person may not read names its group only.
        None => (
            catalogue
                .and_then(|c| koe_core::access::redacted_group_label(c, code))
                .unwrap_or_else(|| Bilingual::new(code, code)),
            true,
        ),
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
fn RequestRow(
    local: LocalRequest,
    photos: PhotoCounts,
    /// An office answer came that the person has not opened yet (回答あり).
    answered: bool,
    selected: RwSignal<Option<Uuid>>,
) -> impl IntoView {
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
    let row_class = if answered {
        "request-row answered"
    } else {
        "request-row"
    };
    // Tapping anywhere on the row opens it; the 詳細 button is the keyboard's way in
    // (its click bubbles up to the row).
    view! {
        <li
            on:click=move |_| selected.set(Some(id))
            data-testid="my-request"
            data-id=local.id.to_string()
            data-sync=local.sync.code()
            data-state=device_state(&local)
            data-answered=answered.to_string()
            class=row_class
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
                {answered.then(|| view! {
                    <span class="badge answered-badge" data-testid="answered-badge">
                        {move || i18n.t(Msg::AnsweredUnseen)}
                    </span>
                })}
                <SyncBadge state=local.sync.clone()/>
                {photo_badge(photos, i18n)}
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

/// 写真 N/M 送信済, from the counts read with the list (one read of the photos for the
/// whole list, not one a row); nothing for a request without photos.
fn photo_badge(c: PhotoCounts, i18n: crate::i18n::I18n) -> Option<impl IntoView> {
    if c.total == 0 {
        return None;
    }
    let ratio = format!("{}/{}", c.synced, c.total);
    let state = if c.synced == c.total {
        "synced"
    } else if c.rejected > 0 {
        "rejected"
    } else {
        "waiting"
    };
    let text = move || {
        let lang = i18n.lang();
        let mut text = Msg::PhotosSynced.fill(lang, &format!("{}/{}", c.synced, c.total));
        if c.rejected > 0 {
            text.push('・');
            text.push_str(&Msg::PhotosRejected.fill(lang, &c.rejected.to_string()));
        }
        text
    };
    Some(view! {
        <span
            data-testid="photo-state"
            data-photos-synced=ratio
            data-photos=state
            class=format!("badge photos-{state}")
        >
            {text}
        </span>
    })
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

    #[wasm_bindgen_test]
    fn dates_from_the_date_input_are_read_or_refused() {
        assert_eq!(parse_date("2026-11-21"), Some((2026, 11, 21)));
        assert_eq!(parse_date(""), None);
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("21/11/2026"), None);
        let start = day_start_ms("2026-11-21", 0).expect("a day");
        let next = day_start_ms("2026-11-21", 1).expect("a day");
        // A whole local day (no daylight saving in Japan; elsewhere 23–25 h).
        assert!((23 * 3_600_000..=25 * 3_600_000).contains(&(next - start)));
        // The 31st plus one is the 1st of the next month.
        let end_of_month = day_start_ms("2026-01-31", 1).expect("a day");
        assert_eq!(end_of_month, day_start_ms("2026-02-01", 0).expect("a day"));
    }

    #[wasm_bindgen_test]
    fn every_state_filter_has_a_label_and_round_trips_through_its_code() {
        for d in StateFilter::DEVICE {
            let f = StateFilter::Device(d);
            assert_eq!(StateFilter::from_code(&f.code()), f);
        }
        assert_eq!(device_state_label("conflict"), Msg::StateConflict);
    }
}
