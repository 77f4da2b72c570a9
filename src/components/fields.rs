//! Form fields more than one form of a request has: the description, the urgency, the
//! category's groups, and a one-line input that takes the room a row leaves.

use koe_core::{Catalogue, Urgency};
use leptos::prelude::*;

use crate::i18n::{use_i18n, Lang, Msg};

/// The description of a request: a labelled text area (`id` is its test id too).
#[component]
pub fn DescriptionField(
    id: &'static str,
    #[prop(into)] value: Signal<String>,
    on_input: Callback<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for=id>{move || i18n.t(Msg::Description)}</label>
            <textarea
                id=id
                data-testid=id
                rows="4"
                prop:value=move || value.get()
                on:input=move |ev| on_input.run(event_target_value(&ev))
            ></textarea>
        </div>
    }
}

/// The urgency, one radio button each, grouped as `name` (test ids `{name}-{code}`).
#[component]
pub fn UrgencyChoice(
    name: &'static str,
    #[prop(into)] chosen: Signal<Option<Urgency>>,
    on_choose: Callback<Urgency>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <fieldset class="urgency">
            <legend>{move || i18n.t(Msg::Urgency)}</legend>
            {Urgency::ALL
                .into_iter()
                .map(|u| {
                    view! {
                        <label class=format!("urgency-option urgency-{}", u.code())>
                            <input
                                type="radio"
                                name=name
                                value=u.code()
                                data-testid=format!("{name}-{}", u.code())
                                prop:checked=move || chosen.get() == Some(u)
                                on:change=move |_| on_choose.run(u)
                            />
                            <span>{move || i18n.lang().choose(u.label_ja(), u.label_en())}</span>
                        </label>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}

/// The catalogue's categories as `<optgroup>`s in `lang`, the one `is_chosen` selected.
pub fn category_groups(
    catalogue: Option<&Catalogue>,
    lang: Lang,
    is_chosen: impl Fn(&str) -> bool + Copy + Send + Sync + 'static,
) -> impl IntoView {
    catalogue.map(|c| {
        c.groups()
            .into_iter()
            .map(|(ja, en, categories)| {
                let options = categories
                    .into_iter()
                    .map(|c| {
                        let code = c.code.clone();
                        let selected = move || is_chosen(&code);
                        view! {
                            <option value=c.code.clone() prop:selected=selected>
                                {lang.choose(&c.name_ja, &c.name_en).to_owned()}
                            </option>
                        }
                    })
                    .collect_view();
                view! { <optgroup label=lang.choose(ja, en).to_owned()>{options}</optgroup> }
            })
            .collect_view()
    })
}

/// A one-line input (`kind`: `text`, `search`) inside its label, taking the room the row
/// leaves.
#[component]
pub fn GrowInput(
    label: Msg,
    value: RwSignal<String>,
    testid: &'static str,
    kind: &'static str,
    #[prop(optional)] autocomplete_off: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="field grow">
            <span>{move || i18n.t(label)}</span>
            <input
                type=kind
                data-testid=testid
                autocomplete=autocomplete_off.then_some("off")
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </label>
    }
}
