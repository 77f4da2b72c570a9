//! 管理 › 課 and 管理 › 分類と基準: sections (add, rename, delete when unused) and
//! categories (add, change names, group, default section, sensitivity, service standard
//! and duplicate settings). Read from the catalogue this device holds, which is read again
//! from the ward record after every change.

use koe_core::admin::{check_category, check_new_section, check_section_rename, SectionRename};
use koe_core::{Bilingual, Catalogue, Category, Section, ServiceStandard};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::admin_api;
use crate::components::admin_form::{
    after_change, check_first, parse_count, AdminTable, CheckField, CodeSelect, ConfirmBox,
    Feedback, FeedbackView, RowButton, SaveCancel, SubmitButton, TextField,
};
use crate::i18n::{use_i18n, Msg};
use crate::state::{use_app, AppState};

fn with_catalogue<T>(app: AppState, f: impl FnOnce(&Catalogue) -> T) -> Option<T> {
    app.catalogue.with_untracked(|c| c.as_ref().map(f))
}

// ---------------------------------------------------------------------------------
// Sections

#[component]
pub fn AdminSections() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let feedback = RwSignal::new(None::<Feedback>);
    let renaming = RwSignal::new(None::<Section>);
    let deleting = RwSignal::new(None::<Section>);
    let busy = RwSignal::new(false);
    let sections = move || {
        app.catalogue.with(|c| {
            c.as_ref()
                .map(|c| {
                    c.sections
                        .iter()
                        .map(|s| {
                            let department = c
                                .departments
                                .iter()
                                .find(|d| d.code == s.department)
                                .map(|d| (d.name_ja.clone(), d.name_en.clone()))
                                .unwrap_or_default();
                            (s.clone(), department)
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let delete = move |section: Section| {
        busy.set(true);
        spawn_local(async move {
            let result = admin_api::delete_section(&section.code).await;
            busy.set(false);
            deleting.set(None);
            after_change(app, result, feedback, feedback).await;
        });
    };
    let question = Signal::derive(move || {
        deleting
            .get()
            .map(|s| {
                let lang = i18n.lang();
                Msg::AdminConfirmDeleteSection.fill(lang, lang.choose(&s.name_ja, &s.name_en))
            })
            .unwrap_or_default()
    });
    view! {
        <section class="admin-panel" aria-labelledby="admin-sections-title">
            <h2 id="admin-sections-title">{move || i18n.t(Msg::AdminSectionsTitle)}</h2>
            <FeedbackView feedback=feedback testid="admin-sections-feedback"/>
            {move || {
                deleting
                    .get()
                    .map(|s| {
                        view! {
                            <ConfirmBox
                                question=question
                                busy=busy
                                on_yes=Callback::new(move |_| delete(s.clone()))
                                on_no=Callback::new(move |_| deleting.set(None))
                            />
                        }
                    })
            }}
            {move || {
                renaming
                    .get()
                    .map(|s| {
                        view! {
                            <SectionRenameForm
                                section=s
                                on_done=Callback::new(move |_| renaming.set(None))
                                feedback=feedback
                            />
                        }
                    })
            }}
            <AdminTable
                testid="sections-table"
                columns=&[
                    Msg::AdminCode,
                    Msg::AdminNameJa,
                    Msg::AdminNameEn,
                    Msg::AdminDepartment,
                    Msg::AdminActions,
                ]
            >
                        {move || {
                            sections()
                                .into_iter()
                                .map(|(s, (dja, den))| {
                                    let (rename, delete) = (s.clone(), s.clone());
                                    view! {
                                        <tr data-testid=format!("section-row-{}", s.code)>
                                            <th scope="row">{s.code.clone()}</th>
                                            <td>
                                                {s.name_ja.clone()}
                                                {s.welfare.then(|| view! {
                                                    " " <span class="badge">{move || i18n.t(Msg::AdminWelfareYes)}</span>
                                                })}
                                            </td>
                                            <td lang="en">{s.name_en.clone()}</td>
                                            <td>{move || i18n.lang().choose(&dja, &den).to_owned()}</td>
                                            <td class="admin-row-actions">
                                                <RowButton
                                                    testid=format!("section-rename-{}", s.code)
                                                    verb=Msg::AdminRename
                                                    name=s.name_ja.clone()
                                                    on_click=Callback::new(move |_| {
                                                        feedback.set(None);
                                                        renaming.set(Some(rename.clone()));
                                                    })
                                                />
                                                <RowButton
                                                    testid=format!("section-delete-{}", s.code)
                                                    verb=Msg::AdminDelete
                                                    name=s.name_ja.clone()
                                                    on_click=Callback::new(move |_| {
                                                        feedback.set(None);
                                                        deleting.set(Some(delete.clone()));
                                                    })
                                                />
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        }}
            </AdminTable>
            <SectionCreateForm feedback=feedback/>
        </section>
    }
}

#[component]
fn SectionRenameForm(
    section: Section,
    on_done: Callback<()>,
    feedback: RwSignal<Option<Feedback>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let name_ja = RwSignal::new(section.name_ja.clone());
    let name_en = RwSignal::new(section.name_en.clone());
    let error = RwSignal::new(None::<Feedback>);
    let busy = RwSignal::new(false);
    let code = section.code.clone();
    let title = section.name_ja.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let rename = SectionRename {
            name_ja: name_ja.get_untracked(),
            name_en: name_en.get_untracked(),
        };
        if check_first(app, error, |c| check_section_rename(&code, &rename, c)).is_err() {
            return;
        }
        busy.set(true);
        let code = code.clone();
        spawn_local(async move {
            let result = admin_api::rename_section(&code, &rename).await;
            busy.set(false);
            if after_change(app, result, feedback, error).await {
                on_done.run(());
            }
        });
    };
    view! {
        <form class="admin-form admin-edit" on:submit=submit aria-labelledby="admin-rename-title" novalidate>
            <h3 id="admin-rename-title">{move || Msg::AdminRenameSection.fill(i18n.lang(), &title)}</h3>
            <TextField id="rename-section-ja" label=Msg::AdminNameJa value=name_ja testid="rename-section-ja"/>
            <TextField id="rename-section-en" label=Msg::AdminNameEn value=name_en testid="rename-section-en"/>
            <FeedbackView feedback=error testid="rename-section-error"/>
            <SaveCancel testid="rename-section-save" busy=busy on_cancel=on_done/>
        </form>
    }
}

#[component]
fn SectionCreateForm(feedback: RwSignal<Option<Feedback>>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let code = RwSignal::new(String::new());
    let department = RwSignal::new(
        with_catalogue(app, |c| c.departments.first().map(|d| d.code.clone()))
            .flatten()
            .unwrap_or_default(),
    );
    let name_ja = RwSignal::new(String::new());
    let name_en = RwSignal::new(String::new());
    let welfare = RwSignal::new(false);
    let error = RwSignal::new(None::<Feedback>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let input = Section {
            code: code.get_untracked(),
            department: department.get_untracked(),
            name_ja: name_ja.get_untracked(),
            name_en: name_en.get_untracked(),
            welfare: welfare.get_untracked(),
        };
        let Ok(checked) = check_first(app, error, |c| check_new_section(&input, c)) else {
            return;
        };
        let checked = checked.unwrap_or(input);
        busy.set(true);
        spawn_local(async move {
            let result = admin_api::create_section(&checked).await;
            busy.set(false);
            if result.is_ok() {
                code.set(String::new());
                name_ja.set(String::new());
                name_en.set(String::new());
                welfare.set(false);
            }
            after_change(app, result, feedback, error).await;
        });
    };
    view! {
        <form class="admin-form" on:submit=submit aria-labelledby="admin-new-section-title" novalidate>
            <h3 id="admin-new-section-title">{move || i18n.t(Msg::AdminNewSection)}</h3>
            <TextField id="new-section-code" label=Msg::AdminCode value=code hint=Msg::AdminCodeHint testid="new-section-code"/>
            <CodeSelect id="new-section-department" label=Msg::AdminDepartment value=department departments=true/>
            <TextField id="new-section-ja" label=Msg::AdminNameJa value=name_ja testid="new-section-ja"/>
            <TextField id="new-section-en" label=Msg::AdminNameEn value=name_en testid="new-section-en"/>
            <CheckField id="new-section-welfare" label=Msg::AdminWelfare checked=welfare/>
            <FeedbackView feedback=error testid="new-section-error"/>
            <SubmitButton testid="new-section-submit" label=Msg::AdminCreateSection busy=busy/>
        </form>
    }
}

// ---------------------------------------------------------------------------------
// Categories

#[component]
pub fn AdminCategories() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let feedback = RwSignal::new(None::<Feedback>);
    // Some(None): a new category; Some(Some(c)): editing c.
    let editing = RwSignal::new(None::<Option<Category>>);
    let categories = move || {
        app.catalogue
            .with(|c| c.as_ref().map(|c| c.categories.clone()).unwrap_or_default())
    };
    let section_name = move |code: &str| {
        let lang = i18n.lang();
        app.catalogue.with(|c| {
            c.as_ref()
                .and_then(|c| c.section(code))
                .map(|s| lang.choose(&s.name_ja, &s.name_en).to_owned())
                .unwrap_or_else(|| code.to_owned())
        })
    };
    view! {
        <section class="admin-panel" aria-labelledby="admin-categories-title">
            <h2 id="admin-categories-title">{move || i18n.t(Msg::AdminCategoriesTitle)}</h2>
            <p class="standard-note">{move || i18n.t(Msg::AdminStandardNote)}</p>
            <FeedbackView feedback=feedback testid="admin-categories-feedback"/>
            {move || {
                editing
                    .get()
                    .map(|c| {
                        view! {
                            <CategoryForm
                                category=c
                                feedback=feedback
                                on_done=Callback::new(move |_| editing.set(None))
                            />
                        }
                    })
            }}
            <button
                class="secondary-button"
                data-testid="new-category"
                on:click=move |_| {
                    feedback.set(None);
                    editing.set(Some(None));
                }
            >
                {move || i18n.t(Msg::AdminNewCategory)}
            </button>
            <AdminTable
                testid="categories-table"
                columns=&[
                    Msg::AdminCategoryName,
                    Msg::AdminDefaultSection,
                    Msg::AdminRouteDays,
                    Msg::AdminFirstResponseDays,
                    Msg::AdminResolveDays,
                    Msg::AdminDuplicates,
                    Msg::AdminActions,
                ]
                numeric=&[Msg::AdminRouteDays, Msg::AdminFirstResponseDays, Msg::AdminResolveDays]
            >
                        {move || {
                            categories()
                                .into_iter()
                                .map(|c| {
                                    let edit = c.clone();
                                    let (ja, en) = (c.name_ja.clone(), c.name_en.clone());
                                    let (gja, gen_en) = (c.group_ja.clone(), c.group_en.clone());
                                    let (ja2, en2) = (ja.clone(), en.clone());
                                    let section = c.default_section.clone();
                                    let days = |d: Option<u32>| d.map_or_else(|| "—".to_string(), |d| d.to_string());
                                    let s = c.standard;
                                    let (radius, dup_days) = (c.duplicate_radius_m, c.duplicate_days);
                                    view! {
                                        <tr data-testid=format!("category-row-{}", c.code)>
                                            <th scope="row">
                                                {move || i18n.lang().choose(&ja, &en).to_owned()}
                                                <span class="admin-sub">
                                                    {move || i18n.lang().choose(&gja, &gen_en).to_owned()} " · " {c.code.clone()}
                                                </span>
                                            </th>
                                            <td>{move || section_name(&section)}</td>
                                            <td class="num" data-testid=format!("category-route-{}", c.code)>{days(s.map(|s| s.route_days))}</td>
                                            <td class="num">{days(s.map(|s| s.first_response_days))}</td>
                                            <td class="num" data-testid=format!("category-resolve-{}", c.code)>{days(s.map(|s| s.resolve_days))}</td>
                                            <td>
                                                {move || format!("{} m / {}", radius, Msg::AdminDaysCount.fill(i18n.lang(), &dup_days.to_string()))}
                                            </td>
                                            <td class="admin-row-actions">
                                                <RowButton
                                                    testid=format!("category-edit-{}", c.code)
                                                    verb=Msg::AdminEdit
                                                    name=Signal::derive(move || i18n.lang().choose(&ja2, &en2).to_owned())
                                                    on_click=Callback::new(move |_| {
                                                        feedback.set(None);
                                                        editing.set(Some(Some(edit.clone())));
                                                    })
                                                />
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        }}
            </AdminTable>
        </section>
    }
}

/// The form for a new category (`category` None) or a change of one.
#[component]
fn CategoryForm(
    category: Option<Category>,
    feedback: RwSignal<Option<Feedback>>,
    on_done: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let existing = category.is_some();
    let first_section = with_catalogue(app, |c| c.sections.first().map(|s| s.code.clone()))
        .flatten()
        .unwrap_or_default();
    let c = category.unwrap_or(Category {
        code: String::new(),
        group_ja: String::new(),
        group_en: String::new(),
        name_ja: String::new(),
        name_en: String::new(),
        default_section: first_section,
        sensitive: false,
        standard: Some(ServiceStandard {
            route_days: 1,
            first_response_days: 5,
            resolve_days: 30,
        }),
        duplicate_radius_m: koe_core::catalogue::DEFAULT_DUPLICATE_RADIUS_M,
        duplicate_days: koe_core::catalogue::DEFAULT_DUPLICATE_DAYS,
    });
    let code = RwSignal::new(c.code.clone());
    let group_ja = RwSignal::new(c.group_ja.clone());
    let group_en = RwSignal::new(c.group_en.clone());
    let name_ja = RwSignal::new(c.name_ja.clone());
    let name_en = RwSignal::new(c.name_en.clone());
    let section = RwSignal::new(c.default_section.clone());
    let sensitive = RwSignal::new(c.sensitive);
    let has_standard = RwSignal::new(c.standard.is_some());
    let s = c.standard.unwrap_or(ServiceStandard {
        route_days: 1,
        first_response_days: 5,
        resolve_days: 30,
    });
    let route = RwSignal::new(s.route_days.to_string());
    let first = RwSignal::new(s.first_response_days.to_string());
    let resolve = RwSignal::new(s.resolve_days.to_string());
    let radius = RwSignal::new(c.duplicate_radius_m.to_string());
    let dup_days = RwSignal::new(c.duplicate_days.to_string());
    let error = RwSignal::new(None::<Feedback>);
    let busy = RwSignal::new(false);
    let title = c.name_ja.clone();

    let read = move || -> Result<Category, Bilingual> {
        let standard = if has_standard.get_untracked() {
            Some(ServiceStandard {
                route_days: parse_count(&route.get_untracked(), Msg::AdminRouteDays)?,
                first_response_days: parse_count(
                    &first.get_untracked(),
                    Msg::AdminFirstResponseDays,
                )?,
                resolve_days: parse_count(&resolve.get_untracked(), Msg::AdminResolveDays)?,
            })
        } else {
            None
        };
        Ok(Category {
            code: code.get_untracked(),
            group_ja: group_ja.get_untracked(),
            group_en: group_en.get_untracked(),
            name_ja: name_ja.get_untracked(),
            name_en: name_en.get_untracked(),
            default_section: section.get_untracked(),
            sensitive: sensitive.get_untracked(),
            standard,
            duplicate_radius_m: parse_count(&radius.get_untracked(), Msg::AdminDuplicateRadius)?,
            duplicate_days: parse_count(&dup_days.get_untracked(), Msg::AdminDuplicateDays)?,
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let input = match read() {
            Ok(c) => c,
            Err(message) => {
                error.set(Some(Feedback::problem(message)));
                return;
            }
        };
        let Ok(checked) = check_first(app, error, |cat| check_category(&input, cat, existing))
        else {
            return;
        };
        let checked = checked.unwrap_or(input);
        busy.set(true);
        spawn_local(async move {
            let result = if existing {
                admin_api::update_category(&checked).await
            } else {
                admin_api::create_category(&checked).await
            };
            busy.set(false);
            if after_change(app, result, feedback, error).await {
                on_done.run(());
            }
        });
    };
    view! {
        <form class="admin-form admin-edit" on:submit=submit aria-labelledby="admin-category-title" novalidate data-testid="category-form">
            <h3 id="admin-category-title">
                {move || {
                    if existing {
                        Msg::AdminEditCategory.fill(i18n.lang(), &title)
                    } else {
                        i18n.t(Msg::AdminNewCategory).to_owned()
                    }
                }}
            </h3>
            {(!existing).then(|| view! {
                <TextField id="category-code" label=Msg::AdminCode value=code hint=Msg::AdminCodeHint testid="category-code"/>
            })}
            <TextField id="category-name-ja" label=Msg::AdminNameJa value=name_ja testid="category-name-ja"/>
            <TextField id="category-name-en" label=Msg::AdminNameEn value=name_en testid="category-name-en"/>
            <TextField id="category-group-ja" label=Msg::AdminGroupJa value=group_ja testid="category-group-ja"/>
            <TextField id="category-group-en" label=Msg::AdminGroupEn value=group_en testid="category-group-en"/>
            <CodeSelect id="category-section" label=Msg::AdminDefaultSection value=section/>
            <CheckField id="category-sensitive" label=Msg::AdminSensitive checked=sensitive/>
            <CheckField
                id="category-has-standard"
                label=Msg::AdminHasStandard
                checked=has_standard
                testid="category-has-standard"
            />
            <Show when=move || has_standard.get()>
                <fieldset class="admin-numbers">
                    <legend>{move || i18n.t(Msg::AdminStandardLegend)}</legend>
                    <p class="hint">{move || i18n.t(Msg::AdminStandardNote)}</p>
                    <TextField id="category-route" label=Msg::AdminRouteDays value=route testid="category-route" kind="number"/>
                    <TextField id="category-first" label=Msg::AdminFirstResponseDays value=first testid="category-first" kind="number"/>
                    <TextField id="category-resolve" label=Msg::AdminResolveDays value=resolve testid="category-resolve" kind="number"/>
                </fieldset>
            </Show>
            <fieldset class="admin-numbers">
                <legend>{move || i18n.t(Msg::AdminDuplicateLegend)}</legend>
                <TextField id="category-radius" label=Msg::AdminDuplicateRadius value=radius testid="category-radius" kind="number"/>
                <TextField id="category-dup-days" label=Msg::AdminDuplicateDays value=dup_days testid="category-dup-days" kind="number"/>
            </fieldset>
            <FeedbackView feedback=error testid="category-error"/>
            <SaveCancel
                testid="category-save"
                label=if existing { Msg::AdminSave } else { Msg::AdminCreateCategory }
                busy=busy
                on_cancel=on_done
            />
        </form>
    }
}
