//! 新規受付: log a request in well under a minute, with or without a signal.

use koe_core::validation::{EMAIL_MAX_CHARS, LANDMARK_MAX_CHARS, NAME_MAX_CHARS, PHONE_MAX_CHARS};
use koe_core::{validate_new_request, Bilingual, Contact, NewRequest, Place, Urgency};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use uuid::Uuid;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::components::{
    category_groups, BilingualMessage, DescriptionField, MessageKind, UrgencyChoice,
};
use crate::components::{PhotoPicker, PickedPhotos};
use crate::draft::{self, SavedDraft};
use crate::i18n::{use_i18n, Msg};
use crate::ids;
use crate::state::use_app;
use crate::sync::use_sync;

/// A GPS fix from the device.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fix {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: f64,
}

/// What has been typed and picked so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub category: String,
    pub title: String,
    pub description: String,
    pub address: String,
    /// 目印: what helps find the place (a pole number, a shop).
    pub landmark: String,
    pub fix: Option<Fix>,
    pub urgency: Urgency,
    /// The resident's contact, as far as they gave it (all optional).
    pub name: String,
    pub phone: String,
    pub email: String,
    pub consent: bool,
}

impl Default for Draft {
    fn default() -> Self {
        Self {
            category: String::new(),
            title: String::new(),
            description: String::new(),
            address: String::new(),
            landmark: String::new(),
            fix: None,
            urgency: Urgency::Medium,
            name: String::new(),
            phone: String::new(),
            email: String::new(),
            consent: false,
        }
    }
}

impl Draft {
    /// The request to validate and save, with its id and the time it was logged.
    pub fn to_request(&self, id: Uuid, logged_at: i64) -> NewRequest {
        // A part left blank is not given (the resident may stay anonymous).
        let given = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        NewRequest {
            id,
            category: self.category.clone(),
            title: self.title.trim().to_owned(),
            description: self.description.trim().to_owned(),
            place: Place {
                lat: self.fix.map(|f| f.lat),
                lon: self.fix.map(|f| f.lon),
                accuracy_m: self.fix.map(|f| f.accuracy_m),
                address: self.address.trim().to_owned(),
                landmark: self.landmark.trim().to_owned(),
            },
            urgency: self.urgency,
            logged_at,
            contact: Contact {
                name: given(&self.name),
                phone: given(&self.phone),
                email: given(&self.email),
                consent_to_contact: self.consent,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Locating {
    Idle,
    Busy,
    Failed(Msg),
}

#[component]
pub fn Capture() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let engine = use_sync();
    // The signed-in person's kept draft comes back; every change is kept again (draft.rs).
    let staff = app
        .me
        .with_untracked(|me| me.as_ref().map(|me| me.staff_id.clone()))
        .unwrap_or_default();
    let kept = draft::load(&staff);
    let restored = RwSignal::new(kept.is_some());
    let draft = RwSignal::new(kept.map(|k| k.to_draft()).unwrap_or_default());
    let recent = RwSignal::new(draft::recent(&staff));
    {
        let staff = staff.clone();
        Effect::new(move |_| {
            let kept = draft.with(SavedDraft::of);
            if !staff.is_empty() {
                draft::store(&staff, &kept);
            }
        });
    }
    let locating = RwSignal::new(Locating::Idle);
    let saving = RwSignal::new(false);
    let message = RwSignal::new(None::<(Bilingual, MessageKind)>);
    let photos: PickedPhotos = RwSignal::new_local(Vec::new());

    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let problem = |m: Bilingual| message.set(Some((m, MessageKind::Problem)));
        let Some(catalogue) = app.catalogue.get_untracked() else {
            return problem(Msg::NoCatalogue.bilingual());
        };
        let Some(store) = app.store.get_untracked() else {
            return problem(Msg::DbOpening.bilingual());
        };
        let id = match ids::new_request_id() {
            Ok(id) => id,
            Err(m) => return problem(m),
        };
        let request = draft.with_untracked(|d| d.to_request(id, ids::now_ms() as i64));
        // The same rule the ward record applies: koe-core's.
        if let Err(e) = validate_new_request(&request, &catalogue) {
            return problem(e.message());
        }
        saving.set(true);
        let (staff, category) = (staff.clone(), request.category.clone());
        leptos::task::spawn_local(async move {
            // The photos go in the same transaction as the request.
            let rows = photos
                .with_untracked(|p| p.iter().map(|p| p.to_new(request.id)).collect::<Vec<_>>());
            match store.save_new_request_with_photos(&request, &rows).await {
                Ok(_) => {
                    draft.set(Draft::default());
                    photos.update(|p| p.drain(..).for_each(|p| p.release()));
                    restored.set(false);
                    recent.set(draft::remember_category(&staff, &category));
                    locating.set(Locating::Idle);
                    message.set(Some((Msg::Saved.bilingual(), MessageKind::Info)));
                    // Counted at once (the store is read again just after, for photos too).
                    engine.waiting.update(|n| *n += 1);
                    app.changed();
                    engine.refresh_waiting();
                    if app.online.get_untracked() {
                        engine.sync_now();
                    }
                }
                // Nothing was written; the form keeps what was typed.
                Err(e) => message.set(Some((e.message(), MessageKind::Problem))),
            }
            saving.set(false);
        });
    };

    let sensitive = move || {
        draft.with(|d| {
            app.catalogue.with(|c| {
                c.as_ref()
                    .and_then(|c| c.category(&d.category))
                    .is_some_and(|c| c.sensitive)
            })
        })
    };

    view! {
        <section class="page capture" aria-labelledby="capture-title">
            <h1 id="capture-title">{move || i18n.t(Msg::CaptureTitle)}</h1>
            <div class="draft-status" role="status" data-testid="draft-status">
                <Show when=move || restored.get()>
                    <span>{move || i18n.t(Msg::DraftRestored)}</span>
                    <button
                        type="button"
                        class="small-button"
                        data-testid="discard-draft"
                        on:click=move |_| {
                            draft.set(Draft::default());
                            locating.set(Locating::Idle);
                            restored.set(false);
                        }
                    >
                        {move || i18n.t(Msg::DiscardDraft)}
                    </button>
                </Show>
            </div>
            <form on:submit=save novalidate>
                <CategoryPicker draft=draft recent=recent/>
                <Show when=sensitive>
                    <p class="note sensitive-note">{move || i18n.t(Msg::SensitiveNote)}</p>
                </Show>
                <div class="field">
                    <label for="title">{move || i18n.t(Msg::Title)}</label>
                    <input
                        id="title"
                        data-testid="title"
                        type="text"
                        maxlength="200"
                        enterkeyhint="next"
                        prop:value=move || draft.with(|d| d.title.clone())
                        on:input=move |ev| draft.update(|d| d.title = event_target_value(&ev))
                    />
                </div>
                <DescriptionField
                    id="description"
                    value=Signal::derive(move || draft.with(|d| d.description.clone()))
                    on_input=Callback::new(move |v| draft.update(|d| d.description = v))
                />
                <PhotoPicker photos=photos/>
                <PlaceInput draft=draft locating=locating/>
                <UrgencyChoice
                    name="urgency"
                    chosen=Signal::derive(move || draft.with(|d| Some(d.urgency)))
                    on_choose=Callback::new(move |u| draft.update(|d| d.urgency = u))
                />
                <ContactInput draft=draft/>
                <div data-testid="form-message" class="form-message">
                    {move || message.get().map(|(m, kind)| view! { <BilingualMessage message=m kind=kind/> })}
                </div>
                <button
                    data-testid="save"
                    type="submit"
                    class="primary-button save"
                    aria-busy=move || saving.get().to_string()
                >
                    {move || i18n.t(if saving.get() { Msg::Saving } else { Msg::Save })}
                </button>
            </form>
        </section>
    }
}

/// 分類: a large select, grouped by department group (道路, 公園, 福祉, 生活環境), after
/// the person's recently used categories (最近使った分類).
#[component]
fn CategoryPicker(draft: RwSignal<Draft>, recent: RwSignal<Vec<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let option = move |code: String, label: String| {
        let selected = {
            let code = code.clone();
            move || draft.with(|d| d.category == code)
        };
        view! { <option value=code prop:selected=selected>{label}</option> }
    };
    let recent_group = move || {
        let lang = i18n.lang();
        let options = app.catalogue.with(|c| {
            let c = c.as_ref()?;
            let codes = recent.with(|r| draft::still_offered(r, |code| c.category(code).is_some()));
            Some(
                codes
                    .into_iter()
                    .filter_map(|code| c.category(&code))
                    .map(|c| {
                        option(
                            c.code.clone(),
                            lang.choose(&c.name_ja, &c.name_en).to_owned(),
                        )
                    })
                    .collect::<Vec<_>>(),
            )
        })?;
        (!options.is_empty()).then(|| {
            view! {
                <optgroup label=i18n.t(Msg::RecentCategories) data-testid="recent-categories">
                    {options}
                </optgroup>
            }
        })
    };
    let groups = move || {
        let lang = i18n.lang();
        app.catalogue.with(|c| {
            category_groups(c.as_ref(), lang, move |code| {
                draft.with(|d| d.category == code)
            })
        })
    };
    view! {
        <div class="field">
            <label for="category">{move || i18n.t(Msg::Category)}</label>
            <select
                id="category"
                data-testid="category"
                class="category"
                prop:value=move || draft.with(|d| d.category.clone())
                on:change=move |ev| draft.update(|d| d.category = event_target_value(&ev))
            >
                <option value="" prop:selected=move || draft.with(|d| d.category.is_empty())>
                    {move || i18n.t(Msg::ChooseCategory)}
                </option>
                {recent_group}
                {groups}
            </select>
        </div>
    }
}

/// 場所: the device's position (with its accuracy) and/or an address typed in.
#[component]
fn PlaceInput(draft: RwSignal<Draft>, locating: RwSignal<Locating>) -> impl IntoView {
    let i18n = use_i18n();
    let fix_text = move || {
        draft.with(|d| {
            d.fix
                .map(|f| Msg::Accuracy.fill(i18n.lang(), &format!("{:.0}", f.accuracy_m)))
        })
    };
    view! {
        <fieldset class="place">
            <legend>{move || i18n.t(Msg::Place)}</legend>
            <div class="locate-row">
                <button
                    type="button"
                    data-testid="locate"
                    class="secondary-button locate"
                    aria-busy=move || (locating.get() == Locating::Busy).to_string()
                    on:click=move |_| locate(draft, locating)
                >
                    {move || i18n.t(if locating.get() == Locating::Busy { Msg::Locating } else { Msg::Locate })}
                </button>
                <Show when=move || draft.with(|d| d.fix.is_some())>
                    <button
                        type="button"
                        class="small-button"
                        on:click=move |_| draft.update(|d| d.fix = None)
                    >
                        {move || i18n.t(Msg::ClearLocation)}
                    </button>
                </Show>
            </div>
            <p class="fix" role="status" aria-live="polite">
                {fix_text}
                {move || match locating.get() {
                    Locating::Failed(m) => Some(i18n.t(m)),
                    _ => None,
                }}
            </p>
            <div class="field">
                <label for="address">{move || i18n.t(Msg::Address)}</label>
                <input
                    id="address"
                    data-testid="address"
                    type="text"
                    autocomplete="street-address"
                    prop:value=move || draft.with(|d| d.address.clone())
                    on:input=move |ev| draft.update(|d| d.address = event_target_value(&ev))
                />
            </div>
            <div class="field">
                <label for="landmark">{move || i18n.t(Msg::Landmark)}</label>
                <p class="hint" id="landmark-hint">{move || i18n.t(Msg::LandmarkHint)}</p>
                <input
                    id="landmark"
                    data-testid="landmark"
                    type="text"
                    maxlength=LANDMARK_MAX_CHARS.to_string()
                    autocomplete="off"
                    aria-describedby="landmark-hint"
                    prop:value=move || draft.with(|d| d.landmark.clone())
                    on:input=move |ev| draft.update(|d| d.landmark = event_target_value(&ev))
                />
            </div>
        </fieldset>
    }
}

/// 連絡先（任意）: the resident's name, phone and email and whether they agreed to be
/// contacted, as far as they gave them. Resident data: the browser neither suggests nor
/// keeps it (`autocomplete="off"`); the draft keeps it sealed like the rest.
#[component]
fn ContactInput(draft: RwSignal<Draft>) -> impl IntoView {
    let i18n = use_i18n();
    let text = move |key: &'static str,
                     label: Msg,
                     kind: &'static str,
                     inputmode: &'static str,
                     max: usize,
                     get: fn(&Draft) -> String,
                     set: fn(&mut Draft, String)| {
        let id = format!("contact-{key}");
        view! {
            <div class="field">
                <label for=id.clone()>{move || i18n.t(label)}</label>
                <input
                    id=id.clone()
                    data-testid=id
                    type=kind
                    inputmode=inputmode
                    maxlength=max.to_string()
                    autocomplete="off"
                    prop:value=move || draft.with(get)
                    on:input=move |ev| draft.update(|d| set(d, event_target_value(&ev)))
                />
            </div>
        }
    };
    view! {
        <fieldset class="contact" aria-describedby="contact-hint">
            <legend>{move || i18n.t(Msg::ContactHeading)}</legend>
            <p class="hint" id="contact-hint">{move || i18n.t(Msg::ContactHint)}</p>
            {text("name", Msg::ContactName, "text", "text", NAME_MAX_CHARS, |d| d.name.clone(), |d, v| d.name = v)}
            {text("phone", Msg::ContactPhone, "tel", "tel", PHONE_MAX_CHARS, |d| d.phone.clone(), |d, v| d.phone = v)}
            {text("email", Msg::ContactEmail, "email", "email", EMAIL_MAX_CHARS, |d| d.email.clone(), |d, v| d.email = v)}
            <label class="check">
                <input
                    type="checkbox"
                    data-testid="contact-consent"
                    prop:checked=move || draft.with(|d| d.consent)
                    on:change=move |ev| draft.update(|d| d.consent = event_target_checked(&ev))
                />
                <span>{move || i18n.t(Msg::ContactConsent)}</span>
            </label>
        </fieldset>
    }
}

fn locate(draft: RwSignal<Draft>, locating: RwSignal<Locating>) {
    let Ok(geolocation) = window().navigator().geolocation() else {
        locating.set(Locating::Failed(Msg::LocateUnsupported));
        return;
    };
    locating.set(Locating::Busy);
    let found = Closure::once_into_js(move |position: web_sys::Position| {
        let c = position.coords();
        draft.update(|d| {
            d.fix = Some(Fix {
                lat: c.latitude(),
                lon: c.longitude(),
                accuracy_m: c.accuracy(),
            })
        });
        locating.set(Locating::Idle);
    });
    let failed = Closure::once_into_js(move |error: web_sys::PositionError| {
        let msg = if error.code() == web_sys::PositionError::PERMISSION_DENIED {
            Msg::LocateDenied
        } else {
            Msg::LocateFailed
        };
        locating.set(Locating::Failed(msg));
    });
    let options = web_sys::PositionOptions::new();
    options.set_enable_high_accuracy(true);
    options.set_timeout(20_000);
    options.set_maximum_age(30_000);
    if geolocation
        .get_current_position_with_error_callback_and_options(
            found.unchecked_ref(),
            Some(failed.unchecked_ref()),
            &options,
        )
        .is_err()
    {
        locating.set(Locating::Failed(Msg::LocateUnsupported));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_draft_becomes_a_request_core_can_check() {
        let draft = Draft {
            category: "road-pothole".into(),
            title: "  歩道の段差 ".into(),
            address: "高津区下作延2-8".into(),
            fix: Some(Fix {
                lat: 35.6,
                lon: 139.6,
                accuracy_m: 12.0,
            }),
            ..Draft::default()
        };
        let id = koe_core::id::request_id(1_763_700_000_000, [1; 10]);
        let r = draft.to_request(id, 1_763_700_000_000);
        assert_eq!(r.title, "歩道の段差");
        assert_eq!(r.place.accuracy_m, Some(12.0));
        assert_eq!(r.urgency, Urgency::Medium);
        assert!(r.contact.is_anonymous());
        let empty = Draft::default().to_request(id, 1);
        assert_eq!(empty.place.lat, None);
        assert_eq!(empty.place.address, "");
        assert_eq!(empty.contact, Contact::default());
        let told = Draft {
            landmark: " 電柱 高津12 ".into(),
            name: "川崎 花子".into(),
            phone: " 044-861-3111".into(),
            email: "  ".into(),
            consent: true,
            ..draft
        }
        .to_request(id, 1);
        assert_eq!(told.place.landmark, "電柱 高津12");
        assert_eq!(told.contact.name.as_deref(), Some("川崎 花子"));
        assert_eq!(told.contact.phone.as_deref(), Some("044-861-3111"));
        assert_eq!(told.contact.email, None, "a blank part is not given");
        assert!(told.contact.consent_to_contact);
    }
}
