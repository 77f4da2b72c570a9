//! 管理 › 職員: the staff accounts — add one (its password shown once), change name, role
//! and sections, disable or enable, reset the password.

use koe_core::admin::{
    check_new_staff, check_staff_update, IssuedPassword, NewStaffAccount, StaffAccount, StaffUpdate,
};
use koe_core::Role;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::components::admin_api;
use crate::components::admin_form::{
    check_first, section_names, AdminTable, ConfirmBox, Feedback, FeedbackView, RoleSelect,
    RowButton, SaveCancel, SectionChecks, SubmitButton, TextField,
};
use crate::components::{BilingualMessage, MessageKind};
use crate::i18n::{use_i18n, Msg};
use crate::state::use_app;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StaffAction {
    Disable,
    Enable,
    Reset,
}

#[component]
pub fn AdminStaff() -> impl IntoView {
    let i18n = use_i18n();
    let accounts = LocalResource::new(admin_api::staff);
    let issued = RwSignal::new(None::<IssuedPassword>);
    let feedback = RwSignal::new(None::<Feedback>);
    let editing = RwSignal::new(None::<StaffAccount>);
    let confirm = RwSignal::new(None::<(StaffAccount, StaffAction)>);
    let busy = RwSignal::new(false);

    let run = move |account: StaffAccount, action: StaffAction| {
        busy.set(true);
        feedback.set(None);
        spawn_local(async move {
            let id = account.id.clone();
            let result = match action {
                StaffAction::Disable => admin_api::set_disabled(&id, true).await.map(|_| None),
                StaffAction::Enable => admin_api::set_disabled(&id, false).await.map(|_| None),
                StaffAction::Reset => admin_api::reset_password(&id).await.map(Some),
            };
            busy.set(false);
            confirm.set(None);
            match result {
                Ok(Some(p)) => issued.set(Some(p)),
                Ok(None) => feedback.set(Some(Feedback::ok(Msg::AdminSaved.bilingual()))),
                Err(e) => feedback.set(Some(Feedback::problem(e.message()))),
            }
            accounts.refetch();
        });
    };
    let ask = move |account: StaffAccount, action: StaffAction| {
        if action == StaffAction::Enable {
            run(account, action);
        } else {
            feedback.set(None);
            confirm.set(Some((account, action)));
        }
    };
    let question = Signal::derive(move || {
        confirm
            .get()
            .map(|(a, action)| {
                let who = format!("{}（{}）", a.name, a.id);
                let msg = match action {
                    StaffAction::Reset => Msg::AdminConfirmReset,
                    _ => Msg::AdminConfirmDisable,
                };
                msg.fill(i18n.lang(), &who)
            })
            .unwrap_or_default()
    });

    view! {
        <section class="admin-panel" aria-labelledby="admin-staff-title">
            <h2 id="admin-staff-title">{move || i18n.t(Msg::AdminStaffListTitle)}</h2>
            {move || {
                issued
                    .get()
                    .map(|p| {
                        view! {
                            <PasswordNotice issued=p on_done=Callback::new(move |_| issued.set(None))/>
                        }
                    })
            }}
            <FeedbackView feedback=feedback testid="admin-staff-feedback"/>
            {move || {
                confirm
                    .get()
                    .map(|(account, action)| {
                        view! {
                            <ConfirmBox
                                question=question
                                busy=busy
                                on_yes=Callback::new(move |_| run(account.clone(), action))
                                on_no=Callback::new(move |_| confirm.set(None))
                            />
                        }
                    })
            }}
            {move || {
                editing
                    .get()
                    .map(|account| {
                        view! {
                            <StaffEditForm
                                account=account
                                on_done=Callback::new(move |saved: bool| {
                                    editing.set(None);
                                    if saved {
                                        feedback.set(Some(Feedback::ok(Msg::AdminSaved.bilingual())));
                                        accounts.refetch();
                                    }
                                })
                            />
                        }
                    })
            }}
            {move || match accounts.get() {
                None => view! { <p class="loading" role="status">{move || i18n.t(Msg::Loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <BilingualMessage message=e.message() kind=MessageKind::Problem/> }.into_any(),
                Some(Ok(list)) => {
                    view! {
                        <StaffTable
                            list=list
                            busy=busy
                            on_edit=Callback::new(move |a: StaffAccount| {
                                feedback.set(None);
                                editing.set(Some(a));
                            })
                            on_action=Callback::new(move |(a, action): (StaffAccount, StaffAction)| ask(a, action))
                        />
                    }
                        .into_any()
                }
            }}
            <StaffCreateForm on_created=Callback::new(move |p: IssuedPassword| {
                feedback.set(None);
                issued.set(Some(p));
                accounts.refetch();
            })/>
        </section>
    }
}

#[component]
fn StaffTable(
    list: Vec<StaffAccount>,
    busy: RwSignal<bool>,
    on_edit: Callback<StaffAccount>,
    on_action: Callback<(StaffAccount, StaffAction)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let me = app
        .me
        .get_untracked()
        .map(|m| m.staff_id)
        .unwrap_or_default();
    let rows = list
        .into_iter()
        .map(|a| {
            let own = a.id == me;
            let role = a.role;
            let sections = section_names(&a.sections);
            let disabled = a.disabled;
            let (edit, toggle, reset) = (a.clone(), a.clone(), a.clone());
            view! {
                <tr data-testid=format!("staff-row-{}", a.id) class:disabled-row=disabled>
                    <th scope="row">{a.id.clone()}</th>
                    <td>{a.name.clone()}</td>
                    <td>{move || i18n.lang().choose(role.label_ja(), role.label_en()).to_owned()}</td>
                    <td>{sections}</td>
                    <td>
                        {move || i18n.t(if disabled { Msg::AdminDisabled } else { Msg::AdminActive })}
                    </td>
                    <td class="admin-row-actions">
                        <RowButton
                            testid=format!("staff-edit-{}", a.id)
                            verb=Msg::AdminEdit
                            name=a.name.clone()
                            on_click=Callback::new(move |_| on_edit.run(edit.clone()))
                        />
                        {(!own)
                            .then(|| {
                                view! {
                                    <button
                                        class="small-button"
                                        data-testid=format!("staff-toggle-{}", a.id)
                                        disabled=move || busy.get()
                                        on:click=move |_| {
                                            let action = if disabled { StaffAction::Enable } else { StaffAction::Disable };
                                            on_action.run((toggle.clone(), action))
                                        }
                                    >
                                        {move || i18n.t(if disabled { Msg::AdminEnable } else { Msg::AdminDisable })}
                                    </button>
                                }
                            })}
                        <button
                            class="small-button"
                            data-testid=format!("staff-reset-{}", a.id)
                            disabled=move || busy.get()
                            on:click=move |_| on_action.run((reset.clone(), StaffAction::Reset))
                        >
                            {move || i18n.t(Msg::AdminResetPassword)}
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <AdminTable
            testid="staff-table"
            columns=&[
                Msg::AdminStaffId,
                Msg::AdminStaffName,
                Msg::AdminRole,
                Msg::AdminSections,
                Msg::AdminStatus,
                Msg::AdminActions,
            ]
        >
            {rows}
        </AdminTable>
    }
}

#[component]
fn StaffCreateForm(on_created: Callback<IssuedPassword>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Field);
    let sections = RwSignal::new(Vec::<String>::new());
    let feedback = RwSignal::new(None::<Feedback>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        feedback.set(None);
        let input = NewStaffAccount {
            id: id.get_untracked(),
            name: name.get_untracked(),
            role: role.get_untracked(),
            sections: sections.get_untracked(),
        };
        if check_first(app, feedback, |c| check_new_staff(&input, c)).is_err() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = admin_api::create_staff(&input).await;
            busy.set(false);
            match result {
                Ok(p) => {
                    id.set(String::new());
                    name.set(String::new());
                    sections.set(Vec::new());
                    on_created.run(p);
                }
                Err(e) => feedback.set(Some(Feedback::problem(e.message()))),
            }
        });
    };
    view! {
        <form class="admin-form" on:submit=submit aria-labelledby="admin-new-staff-title" novalidate>
            <h3 id="admin-new-staff-title">{move || i18n.t(Msg::AdminNewStaff)}</h3>
            <TextField
                id="new-staff-id".to_string()
                label=Msg::AdminStaffId
                value=id
                hint=Msg::AdminStaffIdHint
                testid="new-staff-id"
            />
            <TextField id="new-staff-name".to_string() label=Msg::AdminStaffName value=name testid="new-staff-name"/>
            <RoleSelect id="new-staff-role" role=role/>
            <SectionChecks id="new-staff-section" selected=sections/>
            <FeedbackView feedback=feedback testid="new-staff-error"/>
            <SubmitButton testid="new-staff-submit" label=Msg::AdminCreateStaff busy=busy/>
        </form>
    }
}

#[component]
fn StaffEditForm(account: StaffAccount, on_done: Callback<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let name = RwSignal::new(account.name.clone());
    let role = RwSignal::new(account.role);
    let sections = RwSignal::new(account.sections.clone());
    let feedback = RwSignal::new(None::<Feedback>);
    let busy = RwSignal::new(false);
    let target = account.id.clone();
    let title = format!("{}（{}）", account.name, account.id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        feedback.set(None);
        let update = StaffUpdate {
            name: name.get_untracked(),
            role: role.get_untracked(),
            sections: sections.get_untracked(),
        };
        let me = app
            .me
            .get_untracked()
            .map(|m| m.staff_id)
            .unwrap_or_default();
        if check_first(app, feedback, |c| {
            check_staff_update(&me, &target, &update, c)
        })
        .is_err()
        {
            return;
        }
        busy.set(true);
        let target = target.clone();
        spawn_local(async move {
            let result = admin_api::update_staff(&target, &update).await;
            busy.set(false);
            match result {
                Ok(_) => on_done.run(true),
                Err(e) => feedback.set(Some(Feedback::problem(e.message()))),
            }
        });
    };
    view! {
        <form class="admin-form admin-edit" on:submit=submit aria-labelledby="admin-edit-staff-title" novalidate>
            <h3 id="admin-edit-staff-title">{move || Msg::AdminEditStaff.fill(i18n.lang(), &title)}</h3>
            <TextField id="edit-staff-name".to_string() label=Msg::AdminStaffName value=name testid="edit-staff-name"/>
            <RoleSelect id="edit-staff-role" role=role/>
            <SectionChecks id="edit-staff-section" selected=sections/>
            <FeedbackView feedback=feedback testid="edit-staff-error"/>
            <SaveCancel
                testid="edit-staff-save"
                busy=busy
                on_cancel=Callback::new(move |_| on_done.run(false))
            />
        </form>
    }
}

/// Copies text to the clipboard (`navigator.clipboard.writeText`); false when the
/// browser refuses or has no clipboard.
async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let navigator = window.navigator();
    let Ok(clipboard) = js_sys::Reflect::get(&navigator, &"clipboard".into()) else {
        return false;
    };
    let Ok(write) = js_sys::Reflect::get(&clipboard, &"writeText".into()) else {
        return false;
    };
    let Ok(write) = write.dyn_into::<js_sys::Function>() else {
        return false;
    };
    let Ok(promise) = write.call1(&clipboard, &text.into()) else {
        return false;
    };
    let Ok(promise) = promise.dyn_into::<js_sys::Promise>() else {
        return false;
    };
    JsFuture::from(promise).await.is_ok()
}

/// A new or reset password, shown this once with a copy button and a warning.
#[component]
fn PasswordNotice(issued: IssuedPassword, on_done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let copied = RwSignal::new(None::<bool>);
    let password = issued.password.clone();
    let who = format!("{}（{}）", issued.staff.name, issued.staff.id);
    let copy = move |_| {
        let password = password.clone();
        spawn_local(async move {
            copied.set(Some(copy_text(&password).await));
        });
    };
    view! {
        <div class="password-notice" role="alert" data-testid="issued-password-notice">
            <h3>{move || Msg::AdminPasswordTitle.fill(i18n.lang(), &who)}</h3>
            <p class="password-warning">{move || i18n.t(Msg::AdminPasswordWarning)}</p>
            <div class="password-line">
                <code class="password" data-testid="issued-password" translate="no">
                    {issued.password.clone()}
                </code>
                <button class="secondary-button" data-testid="copy-password" on:click=copy>
                    {move || i18n.t(Msg::AdminCopy)}
                </button>
            </div>
            <p role="status" class="copy-status">
                {move || {
                    copied
                        .get()
                        .map(|ok| i18n.t(if ok { Msg::AdminCopied } else { Msg::AdminCopyFailed }))
                }}
            </p>
            <button class="primary-button" data-testid="password-done" on:click=move |_| on_done.run(())>
                {move || i18n.t(Msg::AdminPasswordDone)}
            </button>
        </div>
    }
}
