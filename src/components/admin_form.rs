//! Form pieces the 管理 (administration) panels share: labelled fields with hints, the
//! section checkboxes and selects, the role select, a confirmation box, the buttons of a
//! form and of a table row, the check before sending and the result message of the last
//! action.

use koe_core::admin::AdminError;
use koe_core::{Bilingual, Catalogue, Role};
use leptos::prelude::*;

use crate::api::ApiError;
use crate::components::admin_api;
use crate::components::{BilingualMessage, MessageKind};
use crate::i18n::{use_i18n, Msg};
use crate::state::{use_app, AppState};

/// The outcome of the last action of a panel, shown above its forms.
#[derive(Debug, Clone, PartialEq)]
pub struct Feedback {
    pub message: Bilingual,
    pub kind: MessageKind,
}

impl Feedback {
    pub fn ok(message: Bilingual) -> Self {
        Self {
            message,
            kind: MessageKind::Info,
        }
    }

    pub fn problem(message: Bilingual) -> Self {
        Self {
            message,
            kind: MessageKind::Problem,
        }
    }
}

/// The feedback, if any (a status for results, an alert for problems).
#[component]
pub fn FeedbackView(feedback: RwSignal<Option<Feedback>>, testid: &'static str) -> impl IntoView {
    move || {
        feedback.get().map(|f| {
            view! { <BilingualMessage message=f.message kind=f.kind testid=testid/> }
        })
    }
}

/// The same check the ward record applies, run before sending against the catalogue this
/// device holds: `Ok(Some(checked))`, `Ok(None)` when it holds no catalogue (the ward
/// record then checks alone), or `Err(())` once the problem is shown in `error`.
pub fn check_first<T>(
    app: AppState,
    error: RwSignal<Option<Feedback>>,
    check: impl FnOnce(&Catalogue) -> Result<T, AdminError>,
) -> Result<Option<T>, ()> {
    match app.catalogue.with_untracked(|c| c.as_ref().map(check)) {
        Some(Err(e)) => {
            error.set(Some(Feedback::problem(e.message())));
            Err(())
        }
        checked => Ok(checked.and_then(Result::ok)),
    }
}

/// After a change was sent: when it was taken, the catalogue is read again and the result
/// shown in `feedback` (true); when not, the problem is shown in `problem` (false).
pub async fn after_change<T>(
    app: AppState,
    result: Result<T, ApiError>,
    feedback: RwSignal<Option<Feedback>>,
    problem: RwSignal<Option<Feedback>>,
) -> bool {
    match result {
        Ok(_) => {
            let refreshed = admin_api::refresh_catalogue(app).await;
            feedback.set(Some(match refreshed {
                Ok(()) => Feedback::ok(Msg::AdminSaved.bilingual()),
                Err(e) => Feedback::problem(e.message()),
            }));
            true
        }
        Err(e) => {
            problem.set(Some(Feedback::problem(e.message())));
            false
        }
    }
}

/// The submit button of a form, busy while its request is under way.
#[component]
pub fn SubmitButton(testid: &'static str, label: Msg, busy: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button
            type="submit"
            class="primary-button"
            data-testid=testid
            aria-busy=move || busy.get().then_some("true")
            disabled=move || busy.get()
        >
            {move || i18n.t(label)}
        </button>
    }
}

/// 「保存」 and 「やめる」 under a form that changes something already there.
#[component]
pub fn SaveCancel(
    testid: &'static str,
    #[prop(optional)] label: Option<Msg>,
    busy: RwSignal<bool>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="confirm-actions">
            <SubmitButton testid=testid label=label.unwrap_or(Msg::AdminSave) busy=busy/>
            <button type="button" class="secondary-button" on:click=move |_| on_cancel.run(())>
                {move || i18n.t(Msg::AdminCancel)}
            </button>
        </div>
    }
}

/// A small button in a table row, read out as 「`verb` `name`」.
#[component]
pub fn RowButton(
    testid: String,
    verb: Msg,
    #[prop(into)] name: Signal<String>,
    on_click: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button
            class="small-button"
            data-testid=testid
            aria-label=move || format!("{} {}", i18n.t(verb), name.get())
            on:click=move |_| on_click.run(())
        >
            {move || i18n.t(verb)}
        </button>
    }
}

/// A table of a panel: the column heads (`numeric` ones aligned as numbers), then the rows.
#[component]
pub fn AdminTable(
    testid: &'static str,
    columns: &'static [Msg],
    #[prop(optional)] numeric: &'static [Msg],
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="report-table admin-table" data-testid=testid>
                <thead>
                    <tr>
                        {columns
                            .iter()
                            .map(|&m| {
                                view! {
                                    <th scope="col" class=numeric.contains(&m).then_some("num")>
                                        {move || i18n.t(m)}
                                    </th>
                                }
                            })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}

/// A labelled text (or number, or date) input bound to `value`, with an optional hint
/// read out with it.
#[component]
pub fn TextField(
    #[prop(into)] id: String,
    label: Msg,
    value: RwSignal<String>,
    #[prop(optional)] hint: Option<Msg>,
    #[prop(optional)] testid: &'static str,
    /// `text` unless given: `number`, `date`.
    #[prop(optional)]
    kind: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let hint_id = format!("{id}-hint");
    let described_by = hint.map(|_| hint_id.clone());
    let label_for = id.clone();
    let kind = if kind.is_empty() { "text" } else { kind };
    let numeric = kind == "number";
    view! {
        <div class="field">
            <label for=label_for>{move || i18n.t(label)}</label>
            {hint.map(|h| {
                view! { <p class="hint" id=hint_id>{move || i18n.t(h)}</p> }
            })}
            <input
                id=id
                type=kind
                inputmode=numeric.then_some("numeric")
                autocomplete="off"
                data-testid=(!testid.is_empty()).then_some(testid)
                aria-describedby=described_by
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </div>
    }
}

/// A labelled checkbox bound to `checked`.
#[component]
pub fn CheckField(
    id: &'static str,
    label: Msg,
    checked: RwSignal<bool>,
    #[prop(optional)] testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="admin-check" for=id>
            <input
                type="checkbox"
                id=id
                data-testid=(!testid.is_empty()).then_some(testid)
                prop:checked=move || checked.get()
                on:change=move |ev| checked.set(event_target_checked(&ev))
            />
            <span>{move || i18n.t(label)}</span>
        </label>
    }
}

/// A count typed in a number field: `label` names it in the error.
pub fn parse_count(text: &str, label: Msg) -> Result<u32, Bilingual> {
    text.trim().parse::<u32>().map_err(|_| {
        Bilingual::new(
            Msg::AdminNotANumber.ja().replacen("{}", label.ja(), 1),
            Msg::AdminNotANumber.en().replacen("{}", label.en(), 1),
        )
    })
}

/// The section names of `codes` in the language shown, joined.
pub fn section_names(codes: &[String]) -> Signal<String> {
    let app = use_app();
    let i18n = use_i18n();
    let codes = codes.to_vec();
    Signal::derive(move || {
        let lang = i18n.lang();
        app.catalogue.with(|c| {
            codes
                .iter()
                .map(|code| {
                    c.as_ref()
                        .and_then(|c| c.section(code))
                        .map(|s| lang.choose(&s.name_ja, &s.name_en).to_owned())
                        .unwrap_or_else(|| code.clone())
                })
                .collect::<Vec<_>>()
                .join("、")
        })
    })
}

/// One checkbox a section of the catalogue, bound to the codes in `selected`.
#[component]
pub fn SectionChecks(id: &'static str, selected: RwSignal<Vec<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let hint_id = format!("{id}-hint");
    let described_by = hint_id.clone();
    let sections = move || {
        app.catalogue
            .with(|c| c.as_ref().map(|c| c.sections.clone()).unwrap_or_default())
    };
    view! {
        <fieldset class="admin-checks" aria-describedby=described_by>
            <legend>{move || i18n.t(Msg::AdminSections)}</legend>
            <p class="hint" id=hint_id>{move || i18n.t(Msg::AdminSectionsHint)}</p>
            {move || {
                sections()
                    .into_iter()
                    .map(|s| {
                        let input_id = format!("{id}-{}", s.code);
                        let label_for = input_id.clone();
                        let code = s.code.clone();
                        let code_change = s.code.clone();
                        let (ja, en) = (s.name_ja.clone(), s.name_en.clone());
                        view! {
                            <label class="admin-check" for=label_for>
                                <input
                                    type="checkbox"
                                    id=input_id
                                    data-testid=format!("{id}-{}", s.code)
                                    prop:checked=move || selected.with(|v| v.contains(&code))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        selected.update(|v| {
                                            v.retain(|c| *c != code_change);
                                            if on {
                                                v.push(code_change.clone());
                                            }
                                        });
                                    }
                                />
                                <span>{move || i18n.lang().choose(&ja, &en).to_owned()}</span>
                            </label>
                        }
                    })
                    .collect_view()
            }}
        </fieldset>
    }
}

/// The role select.
#[component]
pub fn RoleSelect(id: &'static str, role: RwSignal<Role>) -> impl IntoView {
    let i18n = use_i18n();
    let roles = [Role::Field, Role::Office, Role::Supervisor, Role::Admin];
    view! {
        <div class="field">
            <label for=id>{move || i18n.t(Msg::AdminRole)}</label>
            <select
                id=id
                data-testid=id
                on:change=move |ev| {
                    if let Some(r) = Role::from_code(&event_target_value(&ev)) {
                        role.set(r);
                    }
                }
            >
                {roles
                    .into_iter()
                    .map(|r| {
                        view! {
                            <option value=r.code() selected=move || role.get() == r>
                                {move || i18n.lang().choose(r.label_ja(), r.label_en()).to_owned()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// A select of the catalogue's sections (or departments when `departments`).
#[component]
pub fn CodeSelect(
    id: &'static str,
    label: Msg,
    value: RwSignal<String>,
    #[prop(optional)] departments: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let options = move || {
        app.catalogue.with(|c| {
            c.as_ref()
                .map(|c| {
                    if departments {
                        c.departments
                            .iter()
                            .map(|d| (d.code.clone(), d.name_ja.clone(), d.name_en.clone()))
                            .collect::<Vec<_>>()
                    } else {
                        c.sections
                            .iter()
                            .map(|s| (s.code.clone(), s.name_ja.clone(), s.name_en.clone()))
                            .collect()
                    }
                })
                .unwrap_or_default()
        })
    };
    view! {
        <div class="field">
            <label for=id>{move || i18n.t(label)}</label>
            <select id=id data-testid=id on:change=move |ev| value.set(event_target_value(&ev))>
                {move || {
                    options()
                        .into_iter()
                        .map(|(code, ja, en)| {
                            let selected_code = code.clone();
                            view! {
                                <option
                                    value=code
                                    selected=move || value.with(|v| *v == selected_code)
                                >
                                    {move || i18n.lang().choose(&ja, &en).to_owned()}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
        </div>
    }
}

/// A question before an action that cannot be undone quietly: the text, then
/// 「実行する」 and 「やめる」.
#[component]
pub fn ConfirmBox(
    question: Signal<String>,
    on_yes: Callback<()>,
    on_no: Callback<()>,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="confirm" role="alertdialog" aria-labelledby="admin-confirm-question">
            <p id="admin-confirm-question">{move || question.get()}</p>
            <div class="confirm-actions">
                <button
                    class="danger-button"
                    data-testid="admin-confirm-yes"
                    aria-busy=move || busy.get().then_some("true")
                    disabled=move || busy.get()
                    on:click=move |_| on_yes.run(())
                >
                    {move || i18n.t(Msg::AdminConfirm)}
                </button>
                <button class="secondary-button" data-testid="admin-confirm-no" on:click=move |_| on_no.run(())>
                    {move || i18n.t(Msg::AdminCancel)}
                </button>
            </div>
        </div>
    }
}
