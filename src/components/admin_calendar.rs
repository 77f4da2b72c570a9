//! 管理 › 閉庁日: the ward calendar's days off besides weekends (祝日, 年末年始, closures).
//! Saturdays and Sundays are fixed; a day off is added with a name, or removed.

use koe_core::admin::check_day_off;
use koe_core::calendar::{parse_iso_date, weekday, DayOff};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::admin_api;
use crate::components::admin_form::{
    after_change, check_first, AdminTable, ConfirmBox, Feedback, FeedbackView, RowButton,
    SubmitButton, TextField,
};
use crate::i18n::{use_i18n, Lang, Msg};
use crate::state::use_app;

/// 「2026/05/04（月）」 or "2026/05/04 (Mon)".
fn day_label(date: &str, lang: Lang) -> String {
    // `weekday`: 0 = Monday … 6 = Sunday.
    const JA: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let shown = date.replace('-', "/");
    match parse_iso_date(date).map(|d| weekday(d) as usize % 7) {
        Some(w) if lang == Lang::Ja => format!("{shown}（{}）", JA[w]),
        Some(w) => format!("{shown} ({})", EN[w]),
        None => shown,
    }
}

#[component]
pub fn AdminCalendar() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let feedback = RwSignal::new(None::<Feedback>);
    let removing = RwSignal::new(None::<DayOff>);
    let busy = RwSignal::new(false);
    let date = RwSignal::new(String::new());
    let name_ja = RwSignal::new(String::new());
    let name_en = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Feedback>);
    let days = move || {
        app.catalogue.with(|c| {
            let mut days = c
                .as_ref()
                .map(|c| c.calendar.days_off.clone())
                .unwrap_or_default();
            days.sort_by(|a, b| a.date.cmp(&b.date));
            days
        })
    };
    let remove = move |day: DayOff| {
        busy.set(true);
        spawn_local(async move {
            let result = admin_api::remove_day_off(&day.date).await;
            busy.set(false);
            removing.set(None);
            after_change(app, result, feedback, feedback).await;
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        feedback.set(None);
        let input = DayOff {
            date: date.get_untracked(),
            name_ja: name_ja.get_untracked(),
            name_en: name_en.get_untracked(),
        };
        let Ok(checked) = check_first(app, error, |c| check_day_off(&input, &c.calendar)) else {
            return;
        };
        let day = checked.unwrap_or(input);
        busy.set(true);
        spawn_local(async move {
            let result = admin_api::add_day_off(&day).await;
            busy.set(false);
            if after_change(app, result, feedback, error).await {
                date.set(String::new());
                name_ja.set(String::new());
                name_en.set(String::new());
            }
        });
    };
    let question = Signal::derive(move || {
        removing
            .get()
            .map(|d| Msg::AdminConfirmRemoveDay.fill(i18n.lang(), &day_label(&d.date, i18n.lang())))
            .unwrap_or_default()
    });
    view! {
        <section class="admin-panel" aria-labelledby="admin-calendar-title">
            <h2 id="admin-calendar-title">{move || i18n.t(Msg::AdminCalendarTitle)}</h2>
            <p class="standard-note">{move || i18n.t(Msg::AdminWeekendsFixed)}</p>
            <p class="standard-note">{move || i18n.t(Msg::AdminCalendarNote)}</p>
            <FeedbackView feedback=feedback testid="admin-calendar-feedback"/>
            <form class="admin-form" on:submit=submit aria-labelledby="admin-new-day-title" novalidate>
                <h3 id="admin-new-day-title">{move || i18n.t(Msg::AdminNewDayOff)}</h3>
                <TextField id="day-off-date" label=Msg::AdminDate value=date testid="day-off-date" kind="date"/>
                <TextField id="day-off-ja" label=Msg::AdminNameJa value=name_ja testid="day-off-ja"/>
                <TextField id="day-off-en" label=Msg::AdminNameEn value=name_en testid="day-off-en"/>
                <FeedbackView feedback=error testid="day-off-error"/>
                <SubmitButton testid="day-off-submit" label=Msg::AdminAddDayOff busy=busy/>
            </form>
            {move || {
                removing
                    .get()
                    .map(|d| {
                        view! {
                            <ConfirmBox
                                question=question
                                busy=busy
                                on_yes=Callback::new(move |_| remove(d.clone()))
                                on_no=Callback::new(move |_| removing.set(None))
                            />
                        }
                    })
            }}
            {move || {
                let list = days();
                if list.is_empty() {
                    return view! { <p class="empty">{move || i18n.t(Msg::AdminNoDaysOff)}</p> }.into_any();
                }
                view! {
                    <AdminTable
                        testid="days-off-table"
                        columns=&[Msg::AdminDate, Msg::AdminDayOffName, Msg::AdminActions]
                    >
                                {list
                                    .into_iter()
                                    .map(|d| {
                                        let remove_day = d.clone();
                                        let date = d.date.clone();
                                        let (ja, en) = (d.name_ja.clone(), d.name_en.clone());
                                        view! {
                                            <tr data-testid=format!("day-off-{}", d.date)>
                                                <th scope="row">{move || day_label(&date, i18n.lang())}</th>
                                                <td>
                                                    {move || {
                                                        let en = if en.is_empty() { &ja } else { &en };
                                                        i18n.lang().choose(&ja, en).to_owned()
                                                    }}
                                                </td>
                                                <td class="admin-row-actions">
                                                    <RowButton
                                                        testid=format!("day-off-remove-{}", d.date)
                                                        verb=Msg::AdminDelete
                                                        name=d.date.clone()
                                                        on_click=Callback::new(move |_| {
                                                            feedback.set(None);
                                                            removing.set(Some(remove_day.clone()));
                                                        })
                                                    />
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                    </AdminTable>
                }
                    .into_any()
            }}
        </section>
    }
}
