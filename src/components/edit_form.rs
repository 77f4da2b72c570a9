//! 受付内容の修正: the person who logged a request changes its title, description, place,
//! contact or urgency afterwards, offline too. The change is checked with koe-core's
//! rules, saved with its outbox entry in one transaction (`Store::save_edit`) and shown at
//! once, 未送信 until the ward record answers.

use koe_core::{Bilingual, Catalogue, Contact, FieldValue, Place, Urgency};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use uuid::Uuid;

use crate::components::{DescriptionField, MessageKind, UrgencyChoice};
use crate::i18n::{use_i18n, Msg};
use crate::state::use_app;
use crate::store::{EditSaved, LocalRequest, FIELD_EDITABLE};
use crate::sync::use_sync;

/// The form's fields, as typed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EditDraft {
    pub title: String,
    pub description: String,
    pub address: String,
    pub landmark: String,
    /// The position as logged (kept: the form does not change it).
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub accuracy_m: Option<f64>,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub consent: bool,
    pub urgency: Option<Urgency>,
}

impl EditDraft {
    /// The values the device shows now, to start the form from.
    pub fn of(local: &LocalRequest) -> Self {
        let mut d = Self::default();
        for field in FIELD_EDITABLE {
            match local.shown(field) {
                Some(FieldValue::Title(t)) => d.title = t,
                Some(FieldValue::Description(t)) => d.description = t,
                Some(FieldValue::Place(p)) => {
                    d.address = p.address;
                    d.landmark = p.landmark;
                    d.lat = p.lat;
                    d.lon = p.lon;
                    d.accuracy_m = p.accuracy_m;
                }
                Some(FieldValue::Contact(c)) => {
                    d.name = c.name.unwrap_or_default();
                    d.phone = c.phone.unwrap_or_default();
                    d.email = c.email.unwrap_or_default();
                    d.consent = c.consent_to_contact;
                }
                Some(FieldValue::Urgency(u)) => d.urgency = Some(u),
                _ => {}
            }
        }
        d
    }

    /// Every editable field's value as typed (trimmed; blank contact parts left out).
    pub fn values(&self) -> Vec<FieldValue> {
        let given = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let mut values = vec![
            FieldValue::Title(self.title.trim().to_owned()),
            FieldValue::Description(self.description.trim().to_owned()),
            FieldValue::Place(Place {
                lat: self.lat,
                lon: self.lon,
                accuracy_m: self.accuracy_m,
                address: self.address.trim().to_owned(),
                landmark: self.landmark.trim().to_owned(),
            }),
            FieldValue::Contact(Contact {
                name: given(&self.name),
                phone: given(&self.phone),
                email: given(&self.email),
                consent_to_contact: self.consent,
            }),
        ];
        if let Some(u) = self.urgency {
            values.push(FieldValue::Urgency(u));
        }
        values
    }
}

/// Checks each value with the ward record's own rules (koe-core), before anything is
/// queued: the first problem, in both languages.
pub fn check_values(values: &[FieldValue], catalogue: &Catalogue) -> Result<(), Bilingual> {
    values
        .iter()
        .try_for_each(|v| v.validate(catalogue))
        .map_err(|e| e.message())
}

/// What the person is told after saving.
pub fn saved_message(saved: EditSaved) -> Msg {
    match saved {
        EditSaved::Queued { .. } => Msg::EditSaved,
        EditSaved::CreateChanged => Msg::EditCreateChanged,
        EditSaved::AfterCreate => Msg::EditAfterCreate,
        EditSaved::CreateQueuedAgain { .. } => Msg::EditCreateQueuedAgain,
        EditSaved::Unchanged => Msg::EditUnchanged,
    }
}

#[component]
pub fn EditForm(
    local: LocalRequest,
    /// Closed (set false) after a save or on cancel.
    open: RwSignal<bool>,
    /// Where the outcome of saving is told.
    feedback: RwSignal<Option<(Bilingual, MessageKind)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let engine = use_sync();
    let id: Uuid = local.id;
    let draft = RwSignal::new(EditDraft::of(&local));
    let has_fix = local
        .shown(koe_core::EditableField::Place)
        .is_some_and(|v| matches!(v, FieldValue::Place(p) if p.lat.is_some()));
    let problem = RwSignal::new(None::<Bilingual>);
    let saving = RwSignal::new(false);

    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let values = draft.with_untracked(EditDraft::values);
        let Some(catalogue) = app.catalogue.get_untracked() else {
            problem.set(Some(Msg::NoCatalogue.bilingual()));
            return;
        };
        if let Err(m) = check_values(&values, &catalogue) {
            problem.set(Some(m));
            return;
        }
        let Some(store) = app.store.get_untracked() else {
            problem.set(Some(Msg::DbOpening.bilingual()));
            return;
        };
        problem.set(None);
        saving.set(true);
        leptos::task::spawn_local(async move {
            match store.save_edit(id, values).await {
                Ok(saved) => {
                    feedback.set(Some((saved_message(saved).bilingual(), MessageKind::Info)));
                    open.set(false);
                    app.changed();
                    engine.refresh_waiting();
                    if app.online.get_untracked() {
                        engine.sync_now();
                    }
                }
                Err(e) => problem.set(Some(e.message())),
            }
            saving.set(false);
        });
    };

    let text_field = move |key: &'static str,
                           label: Msg,
                           get: fn(&EditDraft) -> String,
                           set: fn(&mut EditDraft, String),
                           kind: &'static str| {
        let input_id = format!("edit-{key}");
        view! {
            <div class="field">
                <label for=input_id.clone()>{move || i18n.t(label)}</label>
                <input
                    id=input_id
                    data-testid=format!("edit-{key}")
                    type=kind
                    // The request's and the resident's data: the browser neither suggests
                    // nor remembers it.
                    autocomplete="off"
                    prop:value=move || draft.with(get)
                    on:input=move |ev| draft.update(|d| set(d, event_target_value(&ev)))
                />
            </div>
        }
    };

    view! {
        <form class="edit-form" data-testid="edit-form" on:submit=save novalidate aria-labelledby="edit-heading">
            <h3 id="edit-heading">{move || i18n.t(Msg::EditHeading)}</h3>
            {local.status().filter(|s| koe_core::merge::edits_kept_for_review(*s)).map(|_| view! {
                <p class="note">{move || i18n.t(Msg::EditFinishedNote)}</p>
            })}
            {text_field("title", Msg::Title, |d| d.title.clone(), |d, v| d.title = v, "text")}
            <DescriptionField
                id="edit-description"
                value=Signal::derive(move || draft.with(|d| d.description.clone()))
                on_input=Callback::new(move |v| draft.update(|d| d.description = v))
            />
            <fieldset class="place">
                <legend>{move || i18n.t(Msg::Place)}</legend>
                {text_field("address", Msg::Address, |d| d.address.clone(), |d, v| d.address = v, "text")}
                {text_field("landmark", Msg::Landmark, |d| d.landmark.clone(), |d, v| d.landmark = v, "text")}
                {has_fix.then(|| view! { <p class="note">{move || i18n.t(Msg::EditKeepsLocation)}</p> })}
            </fieldset>
            <fieldset class="contact">
                <legend>{move || i18n.t(Msg::ContactHeading)}</legend>
                {text_field("name", Msg::ContactName, |d| d.name.clone(), |d, v| d.name = v, "text")}
                {text_field("phone", Msg::ContactPhone, |d| d.phone.clone(), |d, v| d.phone = v, "tel")}
                {text_field("email", Msg::ContactEmail, |d| d.email.clone(), |d, v| d.email = v, "email")}
                <label class="check">
                    <input
                        type="checkbox"
                        data-testid="edit-consent"
                        prop:checked=move || draft.with(|d| d.consent)
                        on:change=move |ev| draft.update(|d| d.consent = event_target_checked(&ev))
                    />
                    <span>{move || i18n.t(Msg::ContactConsent)}</span>
                </label>
            </fieldset>
            <UrgencyChoice
                name="edit-urgency"
                chosen=Signal::derive(move || draft.with(|d| d.urgency))
                on_choose=Callback::new(move |u| draft.update(|d| d.urgency = Some(u)))
            />
            <div class="form-message" data-testid="edit-message">
                {move || problem.get().map(|m| view! {
                    <crate::components::BilingualMessage message=m kind=MessageKind::Problem/>
                })}
            </div>
            <div class="edit-actions">
                <button
                    type="submit"
                    class="primary-button"
                    data-testid="edit-save"
                    aria-busy=move || saving.get().to_string()
                >
                    {move || i18n.t(Msg::EditSave)}
                </button>
                <button
                    type="button"
                    class="secondary-button"
                    data-testid="edit-cancel"
                    on:click=move |_| open.set(false)
                >
                    {move || i18n.t(Msg::EditCancel)}
                </button>
            </div>
        </form>
    }
}

// Pure logic: in the browser (`cargo test --target wasm32-unknown-unknown --lib`).
#[cfg(test)]
mod tests {
    use super::*;
    use koe_core::device::fixtures::{new_request, record_of};
    use koe_core::Status;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn the_form_starts_from_what_the_device_shows_and_gives_trimmed_values() {
        let req = new_request(1, "穴");
        let local = LocalRequest::pulled(
            Some(LocalRequest::logged(req.clone())),
            record_of(&req, 4, Status::New),
        );
        let mut d = EditDraft::of(&local);
        assert_eq!(d.title, "穴");
        assert_eq!(d.address, "高津区下作延2-8");
        assert_eq!(d.urgency, Some(Urgency::High));
        d.title = "  歩道の穴 ".into();
        d.phone = "  ".into();
        d.name = " 山田 ".into();
        let values = d.values();
        assert_eq!(values[0], FieldValue::Title("歩道の穴".into()));
        assert_eq!(
            values[3],
            FieldValue::Contact(Contact {
                name: Some("山田".into()),
                ..Contact::default()
            })
        );
        // Only the title and the contact differ from what is shown.
        let changed: Vec<_> = local.changes(values).iter().map(|v| v.field()).collect();
        assert_eq!(
            changed,
            [
                koe_core::EditableField::Title,
                koe_core::EditableField::Contact
            ]
        );
    }

    #[wasm_bindgen_test]
    fn core_rules_check_the_values_before_queuing() {
        // The fields field staff edit need no catalogue entry.
        let catalogue = Catalogue::default();
        let d = EditDraft {
            title: " ".into(),
            address: "高津区".into(),
            ..EditDraft::default()
        };
        let e = check_values(&d.values(), &catalogue).unwrap_err();
        assert!(e.ja.contains("件名"), "{}", e.ja);
        let d = EditDraft {
            title: "穴".into(),
            ..EditDraft::default()
        };
        assert!(check_values(&d.values(), &catalogue).is_err(), "no place");
        let d = EditDraft {
            title: "穴".into(),
            landmark: "郵便局の前".into(),
            email: "not-an-email".into(),
            ..EditDraft::default()
        };
        let e = check_values(&d.values(), &catalogue).unwrap_err();
        assert!(e.en.to_lowercase().contains("email"), "{}", e.en);
        let d = EditDraft {
            title: "穴".into(),
            landmark: "郵便局の前".into(),
            phone: "044-999-0000".into(),
            ..EditDraft::default()
        };
        assert_eq!(check_values(&d.values(), &catalogue), Ok(()));
    }
}
