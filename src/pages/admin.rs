//! 管理 (Administration), for administrators only: staff accounts, sections, categories
//! with their service standards and duplicate settings, the ward calendar, and the log of
//! every change an administrator made. Everything here is done online on the ward record
//! (`/api/admin/…`), which checks the same rules (`koe_core::admin`) and records each
//! change; the device's catalogue is read again after each change.

use koe_core::admin::AdminChange;
use koe_core::Role;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::admin_api;
use crate::components::{
    AdminCalendar, AdminCategories, AdminDevices, AdminSections, AdminStaff, BilingualMessage,
    MessageKind,
};
use crate::i18n::{format_time, use_i18n, Msg};
use crate::state::use_app;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Staff,
    Sections,
    Categories,
    Calendar,
    Devices,
    Changes,
}

impl Tab {
    const ALL: [Tab; 6] = [
        Tab::Staff,
        Tab::Sections,
        Tab::Categories,
        Tab::Calendar,
        Tab::Devices,
        Tab::Changes,
    ];

    fn label(self) -> Msg {
        match self {
            Tab::Staff => Msg::AdminTabStaff,
            Tab::Sections => Msg::AdminTabSections,
            Tab::Categories => Msg::AdminTabCategories,
            Tab::Calendar => Msg::AdminTabCalendar,
            Tab::Devices => Msg::AdminTabDevices,
            Tab::Changes => Msg::AdminTabChanges,
        }
    }

    fn testid(self) -> &'static str {
        match self {
            Tab::Staff => "admin-tab-staff",
            Tab::Sections => "admin-tab-sections",
            Tab::Categories => "admin-tab-categories",
            Tab::Calendar => "admin-tab-calendar",
            Tab::Devices => "admin-tab-devices",
            Tab::Changes => "admin-tab-changes",
        }
    }
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let tab = RwSignal::new(Tab::Staff);
    let is_admin = move || {
        app.me
            .with(|m| m.as_ref().is_some_and(|m| m.role == Role::Admin))
    };
    view! {
        <section class="page admin" aria-labelledby="admin-title">
            <h1 id="admin-title">{move || i18n.t(Msg::AdminTitle)}</h1>
            <Show
                when=is_admin
                fallback=move || view! { <BilingualMessage message=koe_core::admin::AdminError::NotAdmin.message() kind=MessageKind::Problem/> }
            >
                <Show
                    when=move || app.online.get()
                    fallback=|| view! { <BilingualMessage message=Msg::AdminNeedsConnection.bilingual() kind=MessageKind::Problem testid="admin-offline"/> }
                >
                    <nav class="admin-tabs" aria-label=move || i18n.t(Msg::AdminTabsLabel)>
                        {Tab::ALL
                            .into_iter()
                            .map(|t| {
                                view! {
                                    <button
                                        class="admin-tab"
                                        data-testid=t.testid()
                                        aria-pressed=move || if tab.get() == t { "true" } else { "false" }
                                        on:click=move |_| tab.set(t)
                                    >
                                        {move || i18n.t(t.label())}
                                    </button>
                                }
                            })
                            .collect_view()}
                    </nav>
                    {move || match tab.get() {
                        Tab::Staff => view! { <AdminStaff/> }.into_any(),
                        Tab::Sections => view! { <AdminSections/> }.into_any(),
                        Tab::Categories => view! { <AdminCategories/> }.into_any(),
                        Tab::Calendar => view! { <AdminCalendar/> }.into_any(),
                        Tab::Devices => view! { <AdminDevices/> }.into_any(),
                        Tab::Changes => view! { <ChangeLog/> }.into_any(),
                    }}
                </Show>
            </Show>
        </section>
    }
}

fn action_label(action: &str) -> Option<Msg> {
    Some(match action {
        "staff.create" => Msg::AdminActStaffCreate,
        "device.retire" => Msg::AdminActDeviceRetire,
        "staff.update" => Msg::AdminActStaffUpdate,
        "staff.disable" => Msg::AdminActStaffDisable,
        "staff.enable" => Msg::AdminActStaffEnable,
        "staff.reset_password" => Msg::AdminActStaffReset,
        "section.create" => Msg::AdminActSectionCreate,
        "section.rename" => Msg::AdminActSectionRename,
        "section.delete" => Msg::AdminActSectionDelete,
        "category.create" => Msg::AdminActCategoryCreate,
        "category.update" => Msg::AdminActCategoryUpdate,
        "calendar.add" => Msg::AdminActCalendarAdd,
        "calendar.remove" => Msg::AdminActCalendarRemove,
        _ => return None,
    })
}

/// A record of the log as readable text (`—` for none).
fn pretty(value: &serde_json::Value) -> String {
    if value.is_null() {
        "—".to_string()
    } else {
        serde_json::to_string_pretty(value).unwrap_or_default()
    }
}

/// The change log, newest first, a page at a time.
#[component]
fn ChangeLog() -> impl IntoView {
    let i18n = use_i18n();
    let rows = RwSignal::new(Vec::<AdminChange>::new());
    let next = RwSignal::new(None::<i64>);
    let loading = RwSignal::new(false);
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<koe_core::Bilingual>);
    let load = move |before: Option<i64>| {
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            match admin_api::changes(before).await {
                Ok(page) => {
                    if before.is_none() {
                        rows.set(page.changes);
                    } else {
                        rows.update(|r| r.extend(page.changes));
                    }
                    next.set(page.next_before);
                }
                Err(e) => error.set(Some(e.message())),
            }
            loading.set(false);
            loaded.set(true);
        });
    };
    load(None);
    view! {
        <section class="admin-panel" aria-labelledby="admin-changes-title">
            <div class="page-head">
                <h2 id="admin-changes-title">{move || i18n.t(Msg::AdminChangesTitle)}</h2>
                <button class="small-button" data-testid="changes-refresh" on:click=move |_| load(None)>
                    {move || i18n.t(Msg::AdminRefresh)}
                </button>
            </div>
            {move || error.get().map(|m| view! { <BilingualMessage message=m kind=MessageKind::Problem/> })}
            {move || {
                (loading.get() && !loaded.get())
                    .then(|| view! { <p class="loading" role="status">{move || i18n.t(Msg::Loading)}</p> })
            }}
            {move || {
                (loaded.get() && rows.with(Vec::is_empty) && error.with(Option::is_none))
                    .then(|| view! { <p class="empty">{move || i18n.t(Msg::AdminNoChanges)}</p> })
            }}
            <Show when=move || !rows.with(Vec::is_empty)>
                <div class="table-wrap">
                    <table class="report-table admin-table" data-testid="changes-table">
                        <thead>
                            <tr>
                                <th scope="col">{move || i18n.t(Msg::AdminWhen)}</th>
                                <th scope="col">{move || i18n.t(Msg::AdminWho)}</th>
                                <th scope="col">{move || i18n.t(Msg::AdminWhat)}</th>
                                <th scope="col">{move || i18n.t(Msg::AdminTarget)}</th>
                                <th scope="col">{move || i18n.t(Msg::AdminDetails)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || rows.get() key=|c| c.id let:c>
                                <ChangeRow change=c/>
                            </For>
                        </tbody>
                    </table>
                </div>
            </Show>
            <Show when=move || next.get().is_some()>
                <button
                    class="secondary-button"
                    data-testid="changes-older"
                    disabled=move || loading.get()
                    on:click=move |_| load(next.get_untracked())
                >
                    {move || i18n.t(Msg::AdminOlder)}
                </button>
            </Show>
        </section>
    }
}

#[component]
fn ChangeRow(change: AdminChange) -> impl IntoView {
    let i18n = use_i18n();
    let action = change.action.clone();
    let label = action_label(&change.action);
    let before = pretty(&change.before);
    let after = pretty(&change.after);
    view! {
        <tr data-testid=format!("change-{}", change.id) data-action=change.action.clone()>
            <td>{format_time(change.at as f64)}</td>
            <td>{change.by.clone()}</td>
            <td>{move || label.map(|m| i18n.t(m).to_owned()).unwrap_or_else(|| action.clone())}</td>
            <td>{change.target.clone()}</td>
            <td>
                <details>
                    <summary>{move || i18n.t(Msg::AdminDetails)}</summary>
                    <div class="admin-diff">
                        <div>
                            <h3 class="admin-diff-head">{move || i18n.t(Msg::AdminBefore)}</h3>
                            <pre lang="en" translate="no">{before}</pre>
                        </div>
                        <div>
                            <h3 class="admin-diff-head">{move || i18n.t(Msg::AdminAfter)}</h3>
                            <pre lang="en" translate="no">{after}</pre>
                        </div>
                    </div>
                </details>
            </td>
        </tr>
    }
}
