//! サービス基準: how the service standards (区役所サービス基準) were kept for the requests
//! received in a period — per standard the share kept, by section and by category, the
//! requests that missed it, and the open requests with their due dates (期限内 / 期限間近
//! / 期限超過). For office staff, section heads and administrators; read online from the
//! ward record (`GET /api/reports/standards`), which counts only what the reader may see.

use koe_core::calendar::{iso_date, jst_day};
use koe_core::report::{GroupTally, Standard, StandardReport, StandardsReport, Tally};
use koe_core::{Catalogue, Timeliness};
use leptos::prelude::*;
use serde::de::DeserializeOwned;

use super::office_list::category_name;
use crate::api::{self, ApiError};
use crate::components::{BilingualMessage, MessageKind};
use crate::i18n::{format_time, use_i18n, Lang, Msg};
use crate::state::use_app;

/// A report from the ward record, as the reader may see it.
pub(crate) async fn fetch_report<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let (status, text) = api::send("GET", path, None).await?;
    if !(200..300).contains(&status) {
        return Err(api::error_from(status, &text));
    }
    serde_json::from_str(&text).map_err(|e| ApiError::Unexpected(e.to_string()))
}

/// Today in Japan, `YYYY-MM-DD`.
pub(crate) fn today() -> String {
    iso_date(jst_day(crate::ids::now_ms() as i64))
}

/// The first day of the fiscal year (年度, from April) that `date` is in.
pub(crate) fn fiscal_year_start(date: &str) -> String {
    let year: i32 = date.get(0..4).and_then(|y| y.parse().ok()).unwrap_or(2026);
    let month: u32 = date.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(4);
    let fy = if month >= 4 { year } else { year - 1 };
    format!("{fy:04}-04-01")
}

/// A due time as a day in Japan, `YYYY/MM/DD`.
pub(crate) fn due_day(ms: i64) -> String {
    iso_date(jst_day(ms)).replace('-', "/")
}

pub(crate) fn share_text(share: Option<f64>) -> String {
    share.map_or_else(|| "—".to_string(), |s| format!("{:.0}%", s * 100.0))
}

pub(crate) fn standard_label(s: Standard, lang: Lang) -> &'static str {
    lang.choose(s.label_ja(), s.label_en())
}

/// The period picker: two dates and a button; `on_show` gets (from, to).
#[component]
fn PeriodPicker(
    id: &'static str,
    from: RwSignal<String>,
    to: RwSignal<String>,
    on_show: Callback<(String, String)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let from_id = format!("{id}-from");
    let to_id = format!("{id}-to");
    let (from_for, to_for) = (from_id.clone(), to_id.clone());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_show.run((from.get_untracked(), to.get_untracked()));
    };
    view! {
        <form class="period-picker" on:submit=submit>
            <fieldset>
                <legend>{move || i18n.t(Msg::PeriodLegend)}</legend>
                <div class="period-fields">
                    <div class="field">
                        <label for=from_for>{move || i18n.t(Msg::PeriodFrom)}</label>
                        <input
                            id=from_id
                            type="date"
                            data-testid=format!("{id}-from")
                            prop:value=move || from.get()
                            on:input=move |ev| from.set(event_target_value(&ev))
                        />
                    </div>
                    <div class="field">
                        <label for=to_for>{move || i18n.t(Msg::PeriodTo)}</label>
                        <input
                            id=to_id
                            type="date"
                            data-testid=format!("{id}-to")
                            prop:value=move || to.get()
                            on:input=move |ev| to.set(event_target_value(&ev))
                        />
                    </div>
                    <button type="submit" class="secondary-button" data-testid=format!("{id}-show")>
                        {move || i18n.t(Msg::ShowReport)}
                    </button>
                </div>
            </fieldset>
        </form>
    }
}

/// A report page: the title with a print button, the period picker, then the report of
/// the period shown by `show` once read from `path` (`?from=…&to=…` added), a loading
/// status, or why it cannot be read; `children` after it.
#[component]
pub(crate) fn ReportPage<T>(
    /// Names the title (`{id}-title`) and the period picker's fields.
    id: &'static str,
    title: Msg,
    /// The first day of the period shown at first; the last is today.
    from: String,
    path: &'static str,
    show: fn(T) -> AnyView,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView
where
    T: DeserializeOwned + Clone + 'static,
{
    let i18n = use_i18n();
    let app = use_app();
    let from = RwSignal::new(from);
    let to = RwSignal::new(today());
    let shown = RwSignal::new((from.get_untracked(), to.get_untracked()));
    let report = LocalResource::new(move || {
        let (from, to) = shown.get();
        let online = app.online.get();
        async move {
            if !online {
                return None;
            }
            Some(fetch_report::<T>(&format!("{path}?from={from}&to={to}")).await)
        }
    });
    let on_show = Callback::new(move |period: (String, String)| {
        // The same period again still reads the figures afresh.
        if shown.get_untracked() == period {
            report.refetch();
        } else {
            shown.set(period);
        }
    });
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <section class="page reports" aria-labelledby=labelled_by>
            <div class="page-head">
                <h1 id=title_id>{move || i18n.t(title)}</h1>
                <button class="small-button no-print" on:click=|_| { let _ = window().print(); }>
                    {move || i18n.t(Msg::PrintPage)}
                </button>
            </div>
            <PeriodPicker id=id from=from to=to on_show=on_show/>
            {move || match report.get() {
                None if app.online.get() => {
                    view! { <p class="loading" role="status">{move || i18n.t(Msg::Loading)}</p> }.into_any()
                }
                None | Some(None) | Some(Some(Err(ApiError::Unreachable))) => {
                    view! { <BilingualMessage message=Msg::ReportsNeedConnection.bilingual() kind=MessageKind::Problem/> }.into_any()
                }
                Some(Some(Err(e))) => {
                    view! { <BilingualMessage message=e.message() kind=MessageKind::Problem testid="report-error"/> }.into_any()
                }
                Some(Some(Ok(r))) => show(r),
            }}
            {children.map(|c| c())}
        </section>
    }
}

#[component]
pub fn StandardsPage() -> impl IntoView {
    view! {
        <ReportPage
            id="standards"
            title=Msg::StandardsTitle
            from=fiscal_year_start(&today())
            path="/api/reports/standards"
            show=|r: StandardsReport| view! { <StandardsView report=r/> }.into_any()
        />
    }
}

#[component]
fn StandardsView(report: StandardsReport) -> impl IntoView {
    let i18n = use_i18n();
    let period = format!(
        "{} – {}",
        report.from.replace('-', "/"),
        report.to.replace('-', "/")
    );
    let count = report.requests;
    let at = format_time(report.generated_at as f64);
    let open_total = report.open_total;
    let open_listed = report.open.len();
    let open = report.open.clone();
    view! {
        <div class="report" data-testid="standards-report">
            <p class="report-summary" role="status">
                {move || Msg::ReportPeriod.fill(i18n.lang(), &period)} " · "
                <span data-testid="standards-count">{move || Msg::ReportRequests.fill(i18n.lang(), &count.to_string())}</span>
                " · " {move || Msg::ReportJudgedAt.fill(i18n.lang(), &at)}
            </p>
            {report
                .standards
                .into_iter()
                .map(|s| view! { <StandardSection report=s/> })
                .collect_view()}
            <section class="report-block" aria-labelledby="open-due-title">
                <h2 id="open-due-title">{move || i18n.t(Msg::OpenDueTitle)}</h2>
                {((open_listed as u64) < open_total).then(|| view! {
                        <p>{move || {
                            Msg::OpenDueMore
                                .text(i18n.lang())
                                .replacen("{}", &open_listed.to_string(), 1)
                                .replacen("{}", &open_total.to_string(), 1)
                        }}</p>
                })}
                {if open.is_empty() {
                    view! { <p class="empty">{move || i18n.t(Msg::NoOpenDue)}</p> }.into_any()
                } else {
                    view! { <OpenDueTable open=open/> }.into_any()
                }}
            </section>
        </div>
    }
}

fn section_name(catalogue: Option<&Catalogue>, code: &str, lang: Lang) -> String {
    catalogue.and_then(|c| c.section(code)).map_or_else(
        || code.to_owned(),
        |s| lang.choose(&s.name_ja, &s.name_en).to_owned(),
    )
}

/// The range of a standard's working days across the categories ("1", "2–5").
fn days_range(catalogue: Option<&Catalogue>, standard: Standard) -> Option<String> {
    let days: Vec<u32> = catalogue?
        .categories
        .iter()
        .filter_map(|c| c.standard.map(|s| standard.days(&s)))
        .collect();
    let (min, max) = (days.iter().min()?, days.iter().max()?);
    Some(if min == max {
        min.to_string()
    } else {
        format!("{min}–{max}")
    })
}

#[component]
fn StandardSection(report: StandardReport) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let standard = report.standard;
    let code = standard.code();
    let heading_id = format!("standard-{code}");
    let labelled_by = heading_id.clone();
    let overall = report.overall.clone();
    let share = share_text(overall.share_kept);
    let kept = overall.kept;
    let decided = overall.decided();
    let days = move || app.catalogue.with(|c| days_range(c.as_ref(), standard));
    view! {
        <section class="report-block standard" aria-labelledby=labelled_by data-testid=format!("standard-{code}")>
            <h2 id=heading_id>{move || standard_label(standard, i18n.lang())}</h2>
            <p class="standard-note">
                {move || days().map(|d| Msg::StandardDaysNote.fill(i18n.lang(), &d))}
            </p>
            <p class="share-big">
                <strong data-testid=format!("share-{code}")>{move || Msg::ShareKeptOf.fill(i18n.lang(), &share)}</strong>
                " "
                {move || {
                    Msg::KeptOfDecided
                        .text(i18n.lang())
                        .replacen("{}", &kept.to_string(), 1)
                        .replacen("{}", &decided.to_string(), 1)
                }}
            </p>
            <TallyTable
                id=format!("{code}-sections")
                caption=Msg::BySection
                groups=report.by_section
                overall=overall.clone()
                kind=Kind::Section
            />
            <TallyTable
                id=format!("{code}-categories")
                caption=Msg::ByCategory
                groups=report.by_category
                overall=overall
                kind=Kind::Category
            />
            <h3>{move || i18n.t(Msg::MissedTitle)}</h3>
            {if report.missed.is_empty() {
                view! { <p class="empty">{move || i18n.t(Msg::NoneMissed)}</p> }.into_any()
            } else {
                // The ward record lists at most 500 of them, earliest due first.
                let cut = (report.missed_total > report.missed.len() as u64).then(|| {
                    Msg::MissedShownOf
                        .text(i18n.lang())
                        .replacen("{}", &report.missed.len().to_string(), 1)
                        .replacen("{}", &report.missed_total.to_string(), 1)
                });
                let missed = report.missed;
                let label = move || format!("{} — {}", standard_label(standard, i18n.lang()), i18n.t(Msg::MissedTitle));
                view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-label=label>
                        <table class="office-table report-table" data-testid=format!("missed-{code}")>
                            <thead>
                                <tr>
                                    <th scope="col">{move || i18n.t(Msg::Received)}</th>
                                    <th scope="col">{move || i18n.t(Msg::Title)}</th>
                                    <th scope="col">{move || i18n.t(Msg::Category)}</th>
                                    <th scope="col">{move || i18n.t(Msg::Section)}</th>
                                    <th scope="col">{move || i18n.t(Msg::DueLabel)}</th>
                                    <th scope="col">{move || i18n.t(Msg::DoneAtLabel)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {missed
                                    .into_iter()
                                    .map(|m| {
                                        let category = m.category.clone();
                                        let section = m.section.clone();
                                        let title = m.title.clone().filter(|_| !m.redacted);
                                        let redacted = title.is_none();
                                        view! {
                                            <tr data-testid="missed-request" data-id=m.id.to_string()>
                                                <td>{format_time(m.received_at as f64)}</td>
                                                <td class:redacted=redacted>
                                                    {move || title.clone().unwrap_or_else(|| i18n.t(Msg::Redacted).to_owned())}
                                                </td>
                                                <td>{move || app.catalogue.with(|c| category_name(c.as_ref(), &category, i18n.lang()))}</td>
                                                <td>{move || app.catalogue.with(|c| section_name(c.as_ref(), &section, i18n.lang()))}</td>
                                                <td>{due_day(m.due)}</td>
                                                <td>
                                                    {m.done_at.map_or_else(
                                                        || view! { <span>{move || i18n.t(Msg::NotDoneYet)}</span> }.into_any(),
                                                        |at| view! { <span>{format_time(at as f64)}</span> }.into_any(),
                                                    )}
                                                    <TimelinessBadge timeliness=Timeliness::Overdue/>
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                    {cut.map(|text| view! { <p class="intro" data-testid=format!("missed-cut-{code}")>{text}</p> })}
                }
                .into_any()
            }}
        </section>
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Section,
    Category,
}

/// Kept, missed, open and the share kept, one row per section or category.
#[component]
fn TallyTable(
    id: String,
    caption: Msg,
    groups: Vec<GroupTally>,
    overall: Tally,
    kind: Kind,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let row = move |name: Signal<String>, t: Tally, total: bool| {
        let cells = [
            t.kept,
            t.missed,
            t.open_in_time,
            t.open_overdue,
            t.unmeasured,
        ];
        view! {
            <tr class:total-row=total>
                <th scope="row">{move || name.get()}</th>
                {cells.into_iter().map(|n| view! { <td class="num">{n}</td> }).collect_view()}
                <td class="num share">{share_text(t.share_kept)}</td>
            </tr>
        }
    };
    let label = move || i18n.t(caption);
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=label>
            <table class="office-table report-table tally-table" data-testid=id>
                <caption>{label}</caption>
                <thead>
                    <tr>
                        <th scope="col">
                            {move || i18n.t(if kind == Kind::Section { Msg::Section } else { Msg::Category })}
                        </th>
                        <th scope="col">{move || i18n.t(Msg::TallyKept)}</th>
                        <th scope="col">{move || i18n.t(Msg::TallyMissed)}</th>
                        <th scope="col">{move || i18n.t(Msg::TallyOpenInTime)}</th>
                        <th scope="col">{move || i18n.t(Msg::TallyOpenOverdue)}</th>
                        <th scope="col">{move || i18n.t(Msg::TallyUnmeasured)}</th>
                        <th scope="col">{move || i18n.t(Msg::ShareKept)}</th>
                    </tr>
                </thead>
                <tbody>
                    {groups
                        .into_iter()
                        .map(|g| {
                            let code = g.code.clone();
                            let (ja, en) = (g.name_ja.clone(), g.name_en.clone());
                            let name = Signal::derive(move || {
                                // The catalogue cached on the device names it in the language
                                // chosen; the report's names are the fallback.
                                let lang = i18n.lang();
                                app.catalogue.with(|c| match kind {
                                    Kind::Section => c.as_ref().and_then(|c| c.section(&code)).map(|s| lang.choose(&s.name_ja, &s.name_en).to_owned()),
                                    Kind::Category => c.as_ref().and_then(|c| c.category(&code)).map(|s| lang.choose(&s.name_ja, &s.name_en).to_owned()),
                                })
                                .unwrap_or_else(|| lang.choose(&ja, &en).to_owned())
                            });
                            row(name, g.tally, false)
                        })
                        .collect_view()}
                </tbody>
                <tfoot>
                    {row(Signal::derive(move || i18n.lang().choose("合計", "Total").to_owned()), overall, true)}
                </tfoot>
            </table>
        </div>
    }
}

#[component]
pub(crate) fn TimelinessBadge(timeliness: Timeliness) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class=format!("timeliness due-{}", timeliness.code())>
            {move || i18n.lang().choose(timeliness.label_ja(), timeliness.label_en())}
        </span>
    }
}

#[component]
fn OpenDueTable(open: Vec<koe_core::report::DueRequest>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let label = move || i18n.t(Msg::OpenDueTitle);
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=label>
            <table class="office-table report-table" data-testid="open-due">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t(Msg::Received)}</th>
                        <th scope="col">{move || i18n.t(Msg::Title)}</th>
                        <th scope="col">{move || i18n.t(Msg::Category)}</th>
                        <th scope="col">{move || i18n.t(Msg::Status)}</th>
                        <th scope="col">{move || i18n.t(Msg::DueRoute)}</th>
                        <th scope="col">{move || i18n.t(Msg::DueFirstResponse)}</th>
                        <th scope="col">{move || i18n.t(Msg::DueResolve)}</th>
                    </tr>
                </thead>
                <tbody>
                    {open
                        .into_iter()
                        .map(|r| {
                            let category = r.category.clone();
                            let title = r.title.clone().filter(|_| !r.redacted);
                            let redacted = title.is_none();
                            let status = r.status;
                            let steps = [
                                (Standard::Route, r.route),
                                (Standard::FirstResponse, r.first_response),
                                (Standard::Resolve, r.resolve),
                            ];
                            view! {
                                <tr data-testid="open-request" data-id=r.id.to_string()>
                                    <td>{format_time(r.received_at as f64)}</td>
                                    <td class:redacted=redacted>
                                        {move || title.clone().unwrap_or_else(|| i18n.t(Msg::Redacted).to_owned())}
                                    </td>
                                    <td>{move || app.catalogue.with(|c| category_name(c.as_ref(), &category, i18n.lang()))}</td>
                                    <td>{move || i18n.lang().choose(status.label_ja(), status.label_en())}</td>
                                    {steps
                                        .into_iter()
                                        .map(|(standard, t)| {
                                            let done = standard.done_at(&r.milestones).is_some();
                                            view! {
                                                <td class="due" data-step=standard.code()>
                                                    {due_day(standard.due(&r.due))}
                                                    {done.then(|| view! { <span class="step-done">{move || i18n.t(Msg::StepDone)}</span> })}
                                                    {t.map(|t| view! { <TimelinessBadge timeliness=t/> })}
                                                </td>
                                            }
                                        })
                                        .collect_view()}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use koe_core::calendar::parse_iso_date;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn the_fiscal_year_starts_in_april() {
        assert_eq!(fiscal_year_start("2026-11-21"), "2026-04-01");
        assert_eq!(fiscal_year_start("2027-03-31"), "2026-04-01");
        assert_eq!(fiscal_year_start("2026-04-01"), "2026-04-01");
        assert_eq!(share_text(Some(2.0 / 3.0)), "67%");
        assert_eq!(share_text(None), "—");
        assert!(parse_iso_date(&today()).is_some());
    }
}
