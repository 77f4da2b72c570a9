//! 受付の詳細: one request from 自分の受付 — everything logged, what the office did as last
//! pulled (both from the device's store, so it opens offline), and, when online, the
//! notes and history from the ward record (`GET /api/requests/{id}`). Its author edits it
//! here (offline too), chooses a value when an edit lost to the office's, and sees each
//! photo's upload state.

use koe_core::api::{HistoryItem, RequestDetail};
use koe_core::directory::StaffEntry;
use koe_core::history::{describe, person_name};
use koe_core::{
    Bilingual, Catalogue, EditableField, FieldValue, Note, Place, RequestRecord, Viewer,
};
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::components::{
    value_text, ward_photos, BilingualMessage, ConflictView, DetailPhotos, EditForm, MessageKind,
    Receipt, ReceiptFacts, SyncBadge,
};
use crate::i18n::{format_time, use_i18n, Lang, Msg};
use crate::state::use_app;
use crate::store::LocalRequest;

use super::my_requests::category_of;

/// The short form of a request id shown in the lists and on the 受付票: its last 8 hex
/// digits (the first ones of a UUIDv7 are its time and alike for a day's requests).
pub fn short_id(id: Uuid) -> String {
    let s = id.simple().to_string();
    s[s.len() - 8..].to_owned()
}

/// The staff directory, for people's names, asked for only by those the ward record
/// gives it to (office staff, section heads, administrators); others see ids.
fn names_directory() -> LocalResource<Option<Vec<StaffEntry>>> {
    let app = use_app();
    LocalResource::new(move || {
        let online = app.online.get();
        let given = app
            .me
            .with_untracked(|me| me.as_ref().is_some_and(|me| me.role.reviews_ward()));
        async move {
            if online && given {
                api::staff().await.ok()
            } else {
                None
            }
        }
    })
}

/// The office's panel under the request (the office build only: field staff have none).
#[cfg(feature = "office")]
fn office_actions(id: Uuid) -> impl IntoView {
    view! { <crate::components::OfficeActions id=id/> }
}

#[cfg(not(feature = "office"))]
fn office_actions(_id: Uuid) -> impl IntoView {}

/// The ward record's copy of the request with its notes and history, as last read:
/// `None` while offline or reading, `Ok(None)` when the ward record has no such request.
type FreshDetail = LocalResource<Option<Result<Option<RequestDetail>, ApiError>>>;

/// The office's side as the ward record holds it now when it was just read (and shows
/// the details), else as this device last pulled it.
fn freshest(fresh: FreshDetail, stored: &Option<RequestRecord>) -> Option<RequestRecord> {
    match fresh.get().flatten() {
        Some(Ok(Some(d))) if !d.request.redacted => Some(d.request),
        _ => stored.clone(),
    }
}

/// The 受付票's office side (status, section, assignee, response, due dates, author)
/// from `record`.
fn with_record(
    mut facts: ReceiptFacts,
    record: Option<&RequestRecord>,
    catalogue: Option<&Catalogue>,
) -> ReceiptFacts {
    if let Some(r) = record {
        facts.status = Some(r.status);
        facts.section = Some(Bilingual::new(
            section_name(catalogue, &r.section, Lang::Ja),
            section_name(catalogue, &r.section, Lang::En),
        ));
        facts.assignee = r.assignee.clone().filter(|a| !a.is_empty());
        facts.response = r.response.clone().filter(|t| !t.trim().is_empty());
        facts.due = r.due;
        facts.logged_by = Some(r.logged_by.clone()).filter(|b| !b.is_empty());
    }
    facts
}

/// A person's name when the directory is at hand, else their id.
fn name_of(staff: LocalResource<Option<Vec<StaffEntry>>>, id: &str) -> String {
    staff
        .get()
        .flatten()
        .map(|list| person_name(&list, id))
        .unwrap_or_else(|| id.to_owned())
}

/// Whether this person may read the request's details on this device: not when the ward
/// record redacted it, and a 要配慮 request only when the ward record says they logged
/// it (a sensitive request still waiting to be sent has no known author here, since the
/// device may be shared, so its details stay hidden too).
pub(crate) fn shows_details(local: &LocalRequest, staff_id: &str, sensitive: bool) -> bool {
    match &local.server {
        Some(server) if server.redacted => false,
        _ if !sensitive => true,
        Some(server) => !staff_id.is_empty() && server.logged_by == staff_id,
        None => false,
    }
}

/// Whether this person may edit the request's fields here: the same rule as the ward
/// record's (`Viewer::may_edit`) once the device has its copy; before that, a request
/// logged on this device whose details it shows.
pub(crate) fn may_edit_here(
    local: &LocalRequest,
    viewer: Option<&Viewer>,
    shows: bool,
    catalogue: &Catalogue,
) -> bool {
    if !shows {
        return false;
    }
    match (&local.server, viewer) {
        (Some(server), Some(v)) => v.may_edit(server, EditableField::Title, catalogue),
        (Some(_), None) => false,
        (None, _) => local.request.is_some(),
    }
}

/// The place as logged or as the office last set it, in words.
fn place_text(place: &Place, lang: Lang) -> Vec<String> {
    let mut lines = Vec::new();
    if !place.address.trim().is_empty() {
        lines.push(place.address.trim().to_owned());
    }
    if !place.landmark.trim().is_empty() {
        lines.push(place.landmark.trim().to_owned());
    }
    if let (Some(lat), Some(lon)) = (place.lat, place.lon) {
        let mut fix = Msg::Coordinates.fill(lang, &format!("{lat:.5}, {lon:.5}"));
        if let Some(accuracy) = place.accuracy_m {
            fix.push_str(" / ");
            fix.push_str(&Msg::AccuracyM.fill(lang, &format!("{accuracy:.0}")));
        }
        lines.push(fix);
    }
    if lines.is_empty() {
        lines.push(Msg::NoPlace.text(lang).to_owned());
    }
    lines
}

fn history_kind(kind: &str) -> Option<Msg> {
    match kind {
        "create_request" => Some(Msg::HistoryCreate),
        "set_fields" => Some(Msg::HistorySetFields),
        "add_note" => Some(Msg::HistoryAddNote),
        _ => None,
    }
}

/// One label and value of the detail list.
fn field(label: Msg, value: impl IntoView + 'static) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="detail-field">
            <dt>{move || i18n.t(label)}</dt>
            <dd>{value}</dd>
        </div>
    }
}

fn section_name(catalogue: Option<&Catalogue>, code: &str, lang: Lang) -> String {
    catalogue
        .and_then(|c| c.section(code))
        .map(|s| lang.choose(&s.name_ja, &s.name_en).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

#[component]
pub fn RequestDetailView(id: Uuid, selected: RwSignal<Option<Uuid>>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    // Moving focus to the heading tells a screen reader (and the keyboard) where it is.
    let heading = NodeRef::<leptos::html::H2>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    // Kept here, not in the detail below, which is drawn again whenever the store changes.
    let editing = RwSignal::new(false);
    let feedback = RwSignal::new(None::<(Bilingual, MessageKind)>);
    let local = LocalResource::new(move || {
        app.revision.track();
        let store = app.store.get();
        async move {
            match store {
                Some(store) => Some(store.request(id).await.map_err(|e| e.message())),
                None => None,
            }
        }
    });
    // The ward record's copy with its notes and history, read when online and again
    // after each change here (the device's copy may be older: an office device pulls
    // only now and then).
    let fresh: FreshDetail = LocalResource::new(move || {
        app.revision.track();
        let online = app.online.get();
        async move {
            if !online {
                return None;
            }
            Some(match api::request_detail(id).await {
                // Not on the ward record yet (still waiting to be sent): nothing to list.
                Err(ApiError::Refused { status: 404, .. }) => Ok(None),
                other => other.map(Some),
            })
        }
    });
    view! {
        <section class="request-detail" data-testid="request-detail" aria-labelledby="detail-title">
            <button
                type="button"
                class="secondary-button back"
                data-testid="detail-back"
                on:click=move |_| selected.set(None)
            >
                {move || i18n.t(Msg::BackToList)}
            </button>
            <h2 id="detail-title" tabindex="-1" node_ref=heading>{move || i18n.t(Msg::DetailTitle)}</h2>
            {move || match local.get().flatten() {
                None => view! { <p class="loading" role="status">{move || i18n.t(Msg::Loading)}</p> }.into_any(),
                Some(Err(message)) => view! { <BilingualMessage message=message kind=MessageKind::Problem/> }.into_any(),
                Some(Ok(None)) => view! { <p class="empty">{move || i18n.t(Msg::NotFound)}</p> }.into_any(),
                Some(Ok(Some(local))) => view! { <Logged local=local editing=editing feedback=feedback fresh=fresh/> }.into_any(),
            }}
            {office_actions(id)}
        </section>
    }
}

/// What was logged and what the office did, from the device's store.
#[component]
fn Logged(
    local: LocalRequest,
    editing: RwSignal<bool>,
    feedback: RwSignal<Option<(Bilingual, MessageKind)>>,
    fresh: FreshDetail,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let (category, sensitive) = app
        .catalogue
        .with_untracked(|c| category_of(c.as_ref(), local.category()));
    let staff = app
        .me
        .with_untracked(|me| me.as_ref().map(|me| me.staff_id.clone()))
        .unwrap_or_default();
    let shows = shows_details(&local, &staff, sensitive);
    let server = local.server.clone();
    // A redacted request carries no time (core's one redacted shape): none is shown.
    let logged = (local.logged_at() > 0).then(|| format_time(local.logged_at() as f64));
    let receipt_category = category.clone();
    let category_field = field(
        Msg::Category,
        view! {
            <span>{move || i18n.lang().pick(&category).to_owned()}</span>
            {sensitive.then(|| view! { " " <span class="sensitive-marker">{move || i18n.t(Msg::Sensitive)}</span> })}
        },
    );
    let common = view! {
        {category_field}
        {logged.map(|logged| field(Msg::Logged, view! { <time>{logged}</time> }))}
        {field(Msg::SyncStateLabel, view! { <SyncBadge state=local.sync.clone()/> })}
    };
    if !shows {
        let status = local.status();
        return view! {
            <dl class="detail-list">
                {common}
                {status.map(|s| field(Msg::Status, move || {
                    i18n.lang().choose(s.label_ja(), s.label_en()).to_owned()
                }))}
            </dl>
        }
        .into_any();
    }

    // What the device shows: an edit made here first, then the ward record's copy.
    let title = match local.shown(EditableField::Title) {
        Some(FieldValue::Title(t)) => Some(t),
        _ => local.title().map(str::to_owned),
    }
    .filter(|t| !t.trim().is_empty());
    let description = match local.shown(EditableField::Description) {
        Some(FieldValue::Description(d)) => Some(d),
        _ => None,
    }
    .filter(|d| !d.trim().is_empty());
    let place = match local.shown(EditableField::Place) {
        Some(FieldValue::Place(p)) => p,
        _ => Place::default(),
    };
    let urgency = match local.shown(EditableField::Urgency) {
        Some(FieldValue::Urgency(u)) => Some(u),
        _ => None,
    };
    let contact = local.shown(EditableField::Contact);
    let ward = ward_photos(local.id);
    let staff_names = names_directory();
    let base_facts = ReceiptFacts {
        number: short_id(local.id),
        category: receipt_category,
        sensitive,
        title: title.clone(),
        description: description.clone(),
        place: place_text(&place, Lang::Ja)
            .into_iter()
            .zip(place_text(&place, Lang::En))
            .map(|(ja, en)| Bilingual::new(ja, en))
            .collect(),
        urgency,
        status: None,
        section: None,
        assignee: None,
        response: None,
        due: None,
        logged_at: local.logged_at(),
        logged_by: None,
    };
    let stored_for_receipt = server.clone();
    let receipt = move || {
        let record = freshest(fresh, &stored_for_receipt);
        let facts = app
            .catalogue
            .with(|c| with_record(base_facts.clone(), record.as_ref(), c.as_ref()));
        view! { <Receipt facts=facts ward=ward staff=staff_names/> }
    };
    let viewer = app.me.with_untracked(|me| {
        me.as_ref().map(|me| Viewer {
            staff_id: me.staff_id.clone(),
            role: me.role,
            sections: me.sections.clone(),
        })
    });
    let can_edit = app.catalogue.with_untracked(|c| {
        c.as_ref()
            .is_some_and(|c| may_edit_here(&local, viewer.as_ref(), shows, c))
    });
    let edit_waiting = local.edits_waiting();
    let edit_problem = local.edit_problem.clone();
    let has_conflicts = !local.conflicts.is_empty();
    let for_form = local.clone();
    let for_conflicts = local.clone();
    view! {
        <div class="detail-feedback" data-testid="detail-feedback">
            {move || feedback.get().map(|(m, kind)| view! { <BilingualMessage message=m kind=kind/> })}
        </div>
        {edit_problem.map(|m| view! {
            <div data-testid="edit-problem">
                <BilingualMessage message=Bilingual::new(Msg::EditRefused.ja().replacen("{}", &m.ja, 1), Msg::EditRefused.en().replacen("{}", &m.en, 1)) kind=MessageKind::Problem/>
            </div>
        })}
        {has_conflicts.then(|| view! { <ConflictView local=for_conflicts feedback=feedback/> })}
        <p class="detail-tools">
            <button
                type="button"
                class="secondary-button print-open"
                data-testid="print-receipt"
                on:click=move |_| {
                    let _ = window().print();
                }
            >
                {move || i18n.t(Msg::PrintReceipt)}
            </button>
        </p>
        {receipt}
        {move || {
            if !can_edit {
                return None;
            }
            Some(if editing.get() {
                view! { <EditForm local=for_form.clone() open=editing feedback=feedback/> }.into_any()
            } else {
                view! {
                    <button
                        type="button"
                        class="secondary-button edit-open"
                        data-testid="edit-open"
                        on:click=move |_| {
                            feedback.set(None);
                            editing.set(true);
                        }
                    >
                        {move || i18n.t(Msg::EditOpen)}
                    </button>
                }
                .into_any()
            })
        }}
        <dl class="detail-list">
            {field(Msg::Title, view! {
                <span data-testid="detail-title">
                    {move || title.clone().unwrap_or_else(|| i18n.t(Msg::NoTitle).to_owned())}
                </span>
            })}
            {field(Msg::Description, move || {
                description.clone().unwrap_or_else(|| i18n.t(Msg::NoneYet).to_owned())
            })}
            {field(Msg::Place, move || {
                place_text(&place, i18n.lang())
                    .into_iter()
                    .map(|line| view! { <span class="detail-line">{line}</span> })
                    .collect_view()
            })}
            {urgency.map(|u| field(Msg::Urgency, move || {
                i18n.lang().choose(u.label_ja(), u.label_en()).to_owned()
            }))}
            {contact.map(|c| field(Msg::ContactHeading, move || {
                value_text(&c, i18n.lang())
                    .into_iter()
                    .map(|line| view! { <span class="detail-line">{line}</span> })
                    .collect_view()
            }))}
            {common}
            {edit_waiting.then(|| field(Msg::EditWaitingBadge, view! {
                <span class="badge sync-waiting" data-testid="edit-state" data-sync="waiting">
                    {move || i18n.t(Msg::StateWaiting)}
                </span>
            }))}
        </dl>
        <DetailPhotos request_id=local.id ward=ward/>
        <h3>{move || i18n.t(Msg::OfficeSide)}</h3>
        {move || match freshest(fresh, &server) {
            Some(mut record) => {
                // This person's own edits that lost are chosen between above, on the device.
                record.conflicts.retain(|c| c.by != staff);
                view! { <OfficeSide record=record staff=staff_names/> }.into_any()
            }
            None => view! { <p class="note">{move || i18n.t(Msg::NotPulledYet)}</p> }.into_any(),
        }}
        <ServerTrail fresh=fresh staff=staff_names/>
    }
    .into_any()
}

/// The office's side as last pulled: status, section, assignee, response, due dates and
/// the edits that lost.
#[component]
fn OfficeSide(
    record: RequestRecord,
    staff: LocalResource<Option<Vec<StaffEntry>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let status = record.status;
    let section = record.section.clone();
    let assignee = record.assignee.clone().filter(|a| !a.is_empty());
    let response = record.response.clone().filter(|r| !r.trim().is_empty());
    let none = move || i18n.t(Msg::NoneYet).to_owned();
    let due = record.due;
    let conflicts = record.conflicts.clone();
    view! {
        <dl class="detail-list">
            {field(Msg::Status, move || {
                i18n.lang().choose(status.label_ja(), status.label_en()).to_owned()
            })}
            {field(Msg::Section, move || {
                app.catalogue.with(|c| section_name(c.as_ref(), &section, i18n.lang()))
            })}
            {field(Msg::Assignee, move || {
                assignee.as_deref().map(|a| name_of(staff, a)).unwrap_or_else(none)
            })}
            {field(Msg::Response, move || response.clone().unwrap_or_else(none))}
            {due.map(|d| view! {
                {field(Msg::RouteBy, view! { <time>{crate::i18n::format_due(d.route_by)}</time> })}
                {field(Msg::FirstResponseBy, view! { <time>{crate::i18n::format_due(d.first_response_by)}</time> })}
                {field(Msg::ResolveBy, view! { <time>{crate::i18n::format_due(d.resolve_by)}</time> })}
            })}
        </dl>
        {(!conflicts.is_empty()).then(|| view! {
            <h4>{move || i18n.t(Msg::ConflictsTitle)}</h4>
            <ul class="detail-conflicts" data-testid="detail-conflicts">
                {conflicts
                    .into_iter()
                    .map(|c| {
                        let field = c.field;
                        let value = c.device_value.to_string();
                        let by = c.by.clone();
                        let by = move || name_of(staff, &by);
                        let at = format_time(c.at as f64);
                        view! {
                            <li>
                                {move || i18n.lang().choose(field.label_ja(), field.label_en()).to_owned()}
                                ": " {value} " (" {by} ", " <time>{at}</time> ")"
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        })}
    }
}

/// Notes and history from the ward record: fetched only when online.
#[component]
fn ServerTrail(fresh: FreshDetail, staff: LocalResource<Option<Vec<StaffEntry>>>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let detail = fresh;
    let body = move || {
        if !app.online.get() {
            return view! { <p class="note" data-testid="shown-when-online">{move || i18n.t(Msg::ShownWhenOnline)}</p> }
                .into_any();
        }
        match detail.get() {
            None | Some(None) => {
                view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }.into_any()
            }
            Some(Some(Err(e))) => {
                view! { <BilingualMessage message=e.message() kind=MessageKind::Problem/> }
                    .into_any()
            }
            Some(Some(Ok(found))) => {
                let (notes, history) = found.map(|d| (d.notes, d.history)).unwrap_or_default();
                view! { <Trail notes=notes history=history staff=staff/> }.into_any()
            }
        }
    };
    view! { <div class="detail-trail" data-testid="detail-trail">{body}</div> }
}

/// The lost edits of a `set_fields` change, by field name.
fn lost_fields(item: &HistoryItem) -> Vec<EditableField> {
    item.body
        .get("lost")
        .and_then(|l| serde_json::from_value(l.clone()).ok())
        .unwrap_or_default()
}

#[component]
fn Trail(
    notes: Vec<Note>,
    history: Vec<HistoryItem>,
    staff: LocalResource<Option<Vec<StaffEntry>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let none = move || view! { <p class="empty">{move || i18n.t(Msg::NoneYet)}</p> };
    view! {
        <h3>{move || i18n.t(Msg::Notes)}</h3>
        {if notes.is_empty() {
            none().into_any()
        } else {
            view! {
                <ul class="detail-notes" data-testid="detail-notes">
                    {notes
                        .into_iter()
                        .map(|n| {
                            let by = n.by.clone();
                            view! {
                                <li>
                                    <span class="meta"><time>{format_time(n.at as f64)}</time> " " {move || name_of(staff, &by)}</span>
                                    <p>{n.text}</p>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
            .into_any()
        }}
        <h3>{move || i18n.t(Msg::History)}</h3>
        {if history.is_empty() {
            none().into_any()
        } else {
            view! {
                <ol class="detail-history" data-testid="detail-history">
                    {history
                        .into_iter()
                        .map(|h| {
                            let kind = history_kind(&h.kind);
                            let raw = h.kind.clone();
                            let kind_code = h.kind.clone();
                            let by = h.by.clone();
                            let lost = lost_fields(&h);
                            let item = h.clone();
                            // Names come when the directory does: described again then.
                            let changes = move || {
                                let list = staff.get().flatten().unwrap_or_default();
                                let described = app.catalogue.with(|c| {
                                    c.as_ref().map(|c| describe(&item, c, &list)).unwrap_or_default()
                                });
                                let lang = i18n.lang();
                                let mut lines: Vec<String> = described
                                    .iter()
                                    .map(|c| lang.pick(&c.sentence()).to_owned())
                                    .collect();
                                if !lost.is_empty() {
                                    let names: Vec<&str> = lost
                                        .iter()
                                        .map(|f| lang.choose(f.label_ja(), f.label_en()))
                                        .collect();
                                    lines.push(Msg::HistoryLost.fill(lang, &names.join(lang.choose("、", ", "))));
                                }
                                (!lines.is_empty()).then(|| view! {
                                    <ul class="history-changes">
                                        {lines.into_iter().map(|l| view! { <li data-testid="history-change">{l}</li> }).collect_view()}
                                    </ul>
                                })
                            };
                            view! {
                                <li data-testid="history-item" data-kind=kind_code>
                                    <span class="meta">
                                        <time>{format_time(h.at as f64)}</time> " "
                                        <span class="history-by" data-testid="history-by">{move || name_of(staff, &by)}</span>
                                    </span>
                                    " "
                                    <strong class="history-kind">
                                        {move || kind.map_or_else(|| raw.clone(), |k| i18n.t(k).to_owned())}
                                    </strong>
                                    {changes}
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
            }
            .into_any()
        }}
    }
}

// Pure logic: these run natively (`cargo test -p koe-app --lib`) and in the browser.
#[cfg(test)]
mod tests {
    use super::*;
    use koe_core::{NewRequest, Status, Urgency};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    fn logged(category: &str) -> LocalRequest {
        LocalRequest::logged(NewRequest {
            id: koe_core::id::request_id(1, [3; 10]),
            category: category.into(),
            title: "件名".into(),
            description: String::new(),
            place: Place::default(),
            urgency: Urgency::Low,
            logged_at: 1,
            contact: Default::default(),
        })
    }

    fn pulled(local: LocalRequest, by: &str, redacted: bool) -> LocalRequest {
        let r = local.request.clone().unwrap();
        let record = RequestRecord {
            redacted,
            status: Status::Routed,
            ..RequestRecord::created(&r, "road", by, 2, 3)
        };
        LocalRequest::pulled(Some(local), record)
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn sensitive_details_only_for_their_author() {
        let plain = logged("road-pothole");
        assert!(shows_details(&plain, "road01", false));
        let waiting = logged("welfare-elderly");
        assert!(!shows_details(&waiting, "road01", true));
        let mine = pulled(waiting.clone(), "road01", false);
        assert!(shows_details(&mine, "road01", true));
        assert!(!shows_details(&mine, "road02", true));
        assert!(!shows_details(&mine, "", true));
        let redacted = pulled(plain, "road01", true);
        assert!(!shows_details(&redacted, "road01", false));
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn places_read_as_lines() {
        let place = Place {
            lat: Some(35.6),
            lon: Some(139.6),
            accuracy_m: Some(12.4),
            address: " 高津区 ".into(),
            landmark: String::new(),
        };
        let lines = place_text(&place, Lang::En);
        assert_eq!(lines[0], "高津区");
        assert_eq!(
            lines[1],
            "Latitude, longitude 35.60000, 139.60000 / Accuracy ±12 m"
        );
        assert_eq!(place_text(&Place::default(), Lang::Ja), ["（場所なし）"]);
        assert_eq!(history_kind("add_note"), Some(Msg::HistoryAddNote));
        assert_eq!(history_kind("other"), None);
    }
}
