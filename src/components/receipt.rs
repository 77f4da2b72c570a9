//! 受付票: one request on one A4 sheet for a contractor or a paper file — number,
//! category, place, what was asked, urgency, status, section, assignee, response, due
//! dates, who logged it and when, and its photos. Mounted straight under `<body>` while
//! a request's details are open; hidden on screen, and in print media the only thing
//! printed (`style/main.css`, 受付票). Only a detail that shows the request's details
//! draws one, so a 要配慮 request prints only for those who may read it.

use koe_core::directory::StaffEntry;
use koe_core::history::person_name;
use koe_core::{Bilingual, DueDates, Status, Urgency};
use leptos::portal::Portal;
use leptos::prelude::*;

use crate::components::request_photos::{photo_url, WardPhotos};
use crate::i18n::{format_time, use_i18n, Msg};
use crate::state::use_app;

/// What the sheet prints, read from the detail's copy of the request.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceiptFacts {
    /// The short number the office list shows.
    pub number: String,
    pub category: Bilingual,
    pub sensitive: bool,
    pub title: Option<String>,
    pub description: Option<String>,
    /// Address, landmark and position, one line each.
    pub place: Vec<Bilingual>,
    pub urgency: Option<Urgency>,
    /// The office's side, when the device has the ward record's copy.
    pub status: Option<Status>,
    pub section: Option<Bilingual>,
    pub assignee: Option<String>,
    pub response: Option<String>,
    pub due: Option<DueDates>,
    pub logged_at: i64,
    pub logged_by: Option<String>,
}

#[component]
pub fn Receipt(
    facts: ReceiptFacts,
    ward: WardPhotos,
    staff: LocalResource<Option<Vec<StaffEntry>>>,
) -> impl IntoView {
    let facts = StoredValue::new(facts);
    view! {
        <Portal>
            <ReceiptSheet facts=facts.get_value() ward=ward staff=staff/>
        </Portal>
    }
}

#[component]
fn ReceiptSheet(
    facts: ReceiptFacts,
    ward: WardPhotos,
    staff: LocalResource<Option<Vec<StaffEntry>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let ReceiptFacts {
        number,
        category,
        sensitive,
        title,
        description,
        place,
        urgency,
        status,
        section,
        assignee,
        response,
        due,
        logged_at,
        logged_by,
    } = facts;
    let name = move |id: &str| {
        staff
            .get()
            .flatten()
            .map(|list| person_name(&list, id))
            .unwrap_or_else(|| id.to_owned())
    };
    let none = move || i18n.t(Msg::NoneYet).to_owned();
    let row = move |label: Msg, value: AnyView| {
        view! {
            <tr>
                <th scope="row">{move || i18n.t(label)}</th>
                <td>{value}</td>
            </tr>
        }
    };
    let ward_name = move || {
        app.catalogue.with(|c| {
            c.as_ref()
                .map(|c| i18n.lang().choose(&c.ward_ja, &c.ward_en).to_owned())
                .unwrap_or_default()
        })
    };
    let photos = move || match ward.get().flatten() {
        Some(Ok(list)) => {
            let shown: Vec<_> = list.into_iter().filter(|p| p.complete).collect();
            if shown.is_empty() {
                return view! { <p>{move || i18n.t(Msg::PhotosWardNone)}</p> }.into_any();
            }
            view! {
                <div class="receipt-photos">
                    {shown.into_iter().enumerate().map(|(i, p)| {
                        let n = (i + 1).to_string();
                        let caption = n.clone();
                        view! {
                            <figure>
                                <img src=photo_url(p.photo_id) alt=move || Msg::PhotoAlt.fill(i18n.lang(), &n)/>
                                <figcaption>{move || Msg::PhotoAlt.fill(i18n.lang(), &caption)}</figcaption>
                            </figure>
                        }
                    }).collect_view()}
                </div>
            }
            .into_any()
        }
        _ => view! { <p>{move || i18n.t(Msg::PhotosWardOffline)}</p> }.into_any(),
    };
    let text_or_none = move |t: Option<String>| t.unwrap_or_else(none);
    view! {
        <article class="receipt-sheet" data-testid="receipt">
            <header class="receipt-head">
                <p class="receipt-ward">{ward_name}</p>
                <h1>{move || i18n.t(Msg::ReceiptTitle)}</h1>
                <p class="receipt-number">
                    {move || i18n.t(Msg::ReceiptNumber)} " "
                    <strong data-testid="receipt-number">{number}</strong>
                </p>
            </header>
            <table class="receipt-table">
                <tbody>
                    {row(Msg::Category, view! {
                        {move || i18n.lang().pick(&category).to_owned()}
                        {sensitive.then(|| view! { " " <span class="sensitive-marker">{move || i18n.t(Msg::Sensitive)}</span> })}
                    }.into_any())}
                    {row(Msg::Title, view! { <span data-testid="receipt-title">{text_or_none(title)}</span> }.into_any())}
                    {row(Msg::Description, view! { <span class="receipt-text">{text_or_none(description)}</span> }.into_any())}
                    {row(Msg::Place, view! {
                        {place.into_iter().map(|line| view! {
                            <span class="detail-line">{move || i18n.lang().pick(&line).to_owned()}</span>
                        }).collect_view()}
                    }.into_any())}
                    {row(Msg::Urgency, (move || urgency.map(|u| i18n.lang().choose(u.label_ja(), u.label_en()).to_owned()).unwrap_or_else(none)).into_any())}
                    {row(Msg::Status, (move || status.map(|s| i18n.lang().choose(s.label_ja(), s.label_en()).to_owned()).unwrap_or_else(none)).into_any())}
                    {row(Msg::Section, (move || section.as_ref().map(|s| i18n.lang().pick(s).to_owned()).unwrap_or_else(none)).into_any())}
                    {row(Msg::Assignee, (move || assignee.as_deref().map(name).unwrap_or_else(none)).into_any())}
                    {row(Msg::Response, view! { <span class="receipt-text">{text_or_none(response)}</span> }.into_any())}
                    {row(Msg::Logged, view! { <time>{format_time(logged_at as f64)}</time> }.into_any())}
                    {row(Msg::LoggedBy, (move || logged_by.as_deref().map(name).unwrap_or_else(none)).into_any())}
                    {due.map(|d| view! {
                        {row(Msg::RouteBy, view! { <time>{crate::i18n::format_due(d.route_by)}</time> }.into_any())}
                        {row(Msg::FirstResponseBy, view! { <time>{crate::i18n::format_due(d.first_response_by)}</time> }.into_any())}
                        {row(Msg::ResolveBy, view! { <time>{crate::i18n::format_due(d.resolve_by)}</time> }.into_any())}
                    })}
                </tbody>
            </table>
            <h2>{move || i18n.t(Msg::PhotosHeading)}</h2>
            {photos}
            <footer class="receipt-foot">
                {move || i18n.t(Msg::ReceiptPrinted)} " "
                <time>{format_time(js_sys::Date::now())}</time>
            </footer>
        </article>
    }
}
