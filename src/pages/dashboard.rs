//! ダッシュボード: the service committee's charts (requests per month by department, the
//! backlog at each month's end, response times against the standard, top categories),
//! drawn in the app as SVG, and the monthly summary to publish (CSV / JSON). For office
//! staff, section heads and administrators; read online from the ward record
//! (`GET /api/reports/dashboard`, `/api/reports/monthly…`).

use koe_core::calendar::{civil_from_days, days_from_civil, iso_date, parse_iso_date};
use koe_core::report::{Dashboard, Standard};
use leptos::prelude::*;

use crate::components::{BarChart, ChartSeries, LineChart};
use crate::i18n::{format_time, use_i18n, Lang, Msg};
use crate::pages::standards::{today, ReportPage};

/// The first day of the month eleven months before `date`'s: with `date`, twelve months.
pub(crate) fn twelve_months_back(date: &str) -> String {
    let day = parse_iso_date(date).unwrap_or(0);
    let (y, m, _) = civil_from_days(day);
    let months = y * 12 + i64::from(m) - 1 - 11;
    let first = days_from_civil(months.div_euclid(12), (months.rem_euclid(12) + 1) as u32, 1);
    iso_date(first)
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let now = today();
    view! {
        <ReportPage
            id="dashboard"
            title=Msg::DashboardTitle
            from=twelve_months_back(&now)
            path="/api/reports/dashboard"
            show=|d: Dashboard| {
                let i18n = use_i18n();
                view! { {move || charts(d.clone(), i18n.lang())} }.into_any()
            }
        >
            <MonthlyDownload initial=now[..7].to_string()/>
        </ReportPage>
    }
}

/// A month on the chart's axis: "4月" / "Apr", with the year under the first month and
/// under January.
pub(crate) fn month_label(month: &str, first: bool, lang: Lang) -> String {
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let year = month.get(0..4).unwrap_or("");
    let m: usize = month.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    let name = match lang {
        Lang::Ja => format!("{m}月"),
        Lang::En => EN[(m.clamp(1, 12)) - 1].to_string(),
    };
    if first || m == 1 {
        format!("{name}\n{year}")
    } else {
        name
    }
}

fn name(lang: Lang, ja: &str, en: &str) -> String {
    lang.choose(ja, en).to_owned()
}

/// Every chart of the dashboard, in `lang`.
fn charts(d: Dashboard, lang: Lang) -> impl IntoView {
    let months: Vec<String> = d
        .months
        .iter()
        .enumerate()
        .map(|(i, m)| month_label(&m.month, i == 0, lang))
        .collect();
    let per_department: Vec<ChartSeries> = d
        .departments
        .iter()
        .enumerate()
        .map(|(i, dep)| {
            ChartSeries::new(
                name(lang, &dep.name_ja, &dep.name_en),
                d.months
                    .iter()
                    .map(|m| m.received_by_department.get(i).map(|n| *n as f64))
                    .collect(),
            )
        })
        .collect();
    let backlog = vec![ChartSeries::new(
        Msg::SeriesOpen.text(lang),
        d.months
            .iter()
            .map(|m| Some(m.open_at_end as f64))
            .collect(),
    )];
    let categories: Vec<String> = d
        .response_times
        .iter()
        .map(|t| name(lang, &t.name_ja, &t.name_en))
        .collect();
    let against = |standard: Standard,
                   median: fn(&koe_core::report::ResponseTimes) -> Option<f64>| {
        vec![
            ChartSeries::new(
                Msg::SeriesMedian.text(lang),
                d.response_times.iter().map(median).collect(),
            ),
            ChartSeries::reference(
                Msg::SeriesStandard.text(lang),
                d.response_times
                    .iter()
                    .map(|t| t.standard.map(|s| f64::from(standard.days(&s))))
                    .collect(),
            ),
        ]
    };
    let first_response = against(Standard::FirstResponse, |t| t.first_response_median_days);
    let resolve = against(Standard::Resolve, |t| t.resolve_median_days);
    let top_labels: Vec<String> = d
        .top_categories
        .iter()
        .map(|c| name(lang, &c.name_ja, &c.name_en))
        .collect();
    let top = vec![ChartSeries::new(
        Msg::SeriesRequests.text(lang),
        d.top_categories
            .iter()
            .map(|c| Some(c.count as f64))
            .collect(),
    )];
    let received: u64 = d.months.iter().map(|m| m.received).sum();
    let period = format!("{} – {}", d.from.replace('-', "/"), d.to.replace('-', "/"));
    let at = format_time(d.generated_at as f64);
    let by_category = |id: &str, title: Msg, labels: Vec<String>, series, unit: &str| {
        view! {
            <BarChart
                id=id.to_string()
                title=title.text(lang).to_string()
                label_header=Msg::Category.text(lang).to_string()
                labels=labels
                series=series
                unit=unit
                horizontal=true
            />
        }
    };
    let month_header = Msg::MonthHeader.text(lang).to_string();
    let requests_unit = Msg::UnitRequests.text(lang);
    let days_unit = Msg::UnitDays.text(lang);
    view! {
        <div class="report dashboard" data-testid="dashboard">
            <p class="report-summary" role="status">
                {Msg::ReportPeriod.fill(lang, &period)} " · "
                <span data-testid="dashboard-count">{Msg::ReportRequests.fill(lang, &received.to_string())}</span>
                " · " {Msg::ReportJudgedAt.fill(lang, &at)}
            </p>
            <div class="chart-grid">
                <BarChart
                    id="per-month".to_string()
                    title=Msg::ChartPerMonth.text(lang).to_string()
                    label_header=month_header.clone()
                    labels=months.clone()
                    series=per_department
                    unit=requests_unit
                    stacked=true
                />
                <LineChart
                    id="backlog".to_string()
                    title=Msg::ChartBacklog.text(lang).to_string()
                    label_header=month_header
                    labels=months
                    series=backlog
                    unit=requests_unit
                />
                {if categories.is_empty() {
                    view! { <p class="empty">{Msg::NoReportData.text(lang)}</p> }.into_any()
                } else {
                    view! {
                        {by_category("first-response", Msg::ChartFirstResponse, categories.clone(), first_response, days_unit)}
                        {by_category("resolve", Msg::ChartResolve, categories, resolve, days_unit)}
                        {by_category("top", Msg::ChartTop, top_labels, top, requests_unit)}
                    }
                    .into_any()
                }}
            </div>
        </div>
    }
}

/// The monthly summary to publish: a month and the links to download it.
#[component]
fn MonthlyDownload(initial: String) -> impl IntoView {
    let i18n = use_i18n();
    let month = RwSignal::new(initial);
    let csv = move || format!("/api/reports/monthly.csv?month={}", month.get());
    let json = move || format!("/api/reports/monthly?month={}", month.get());
    view! {
        <section class="report-block monthly no-print" aria-labelledby="monthly-title">
            <h2 id="monthly-title">{move || i18n.t(Msg::MonthlyTitle)}</h2>
            <p>{move || i18n.t(Msg::MonthlyNote)}</p>
            <div class="monthly-row">
                <div class="field">
                    <label for="monthly-month">{move || i18n.t(Msg::MonthlyMonth)}</label>
                    <input
                        id="monthly-month"
                        type="month"
                        data-testid="monthly-month"
                        prop:value=move || month.get()
                        on:input=move |ev| month.set(event_target_value(&ev))
                    />
                </div>
                <a class="button-link" data-testid="monthly-csv" href=csv download="">
                    {move || i18n.t(Msg::DownloadCsv)}
                </a>
                <a class="button-link secondary-link" data-testid="monthly-json" href=json target="_blank" rel="noopener">
                    {move || i18n.t(Msg::DownloadJson)}
                </a>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn twelve_months_end_with_this_one() {
        assert_eq!(twelve_months_back("2026-11-21"), "2025-12-01");
        assert_eq!(twelve_months_back("2026-12-31"), "2026-01-01");
        assert_eq!(twelve_months_back("2027-01-05"), "2026-02-01");
        assert_eq!(month_label("2025-12", true, Lang::Ja), "12月\n2025");
        assert_eq!(month_label("2026-01", false, Lang::En), "Jan\n2026");
        assert_eq!(month_label("2026-04", false, Lang::Ja), "4月");
    }
}
