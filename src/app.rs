//! The shell: header (ward, who is signed in, online or not, language, sign out), the
//! sync bar, the navigation and the page shown.

use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::builds::{self, OfficeHandover};
use crate::components::UpdateBanner;
use crate::components::{BilingualMessage, MessageKind, NetState, SyncBar};
use crate::device::{Device, DEVICE_DB_NAME};
use crate::draft;
use crate::i18n::{use_i18n, I18n, Msg};
use crate::pages::DevicePage;
#[cfg(feature = "office")]
use crate::pages::{AdminPage, DashboardPage, OfficeList, StandardsPage};
use crate::pages::{Capture, MyRequests, SignInPage};
use crate::session;
use crate::state::{AppState, DbState, Page};
use crate::sync::{install_triggers, SyncEngine};

#[component]
pub fn App() -> impl IntoView {
    let i18n = I18n::detect();
    let app = AppState::new();
    let engine = SyncEngine::new(app);
    provide_context(i18n);
    provide_context(app);
    provide_context(engine);

    // <html lang> and the title follow the chosen language.
    Effect::new(move |_| {
        let lang = i18n.lang();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.code());
        }
        document().set_title(Msg::AppName.text(lang));
    });

    open_device(app, engine);
    install_triggers(app, engine);
    ask_to_persist(app);

    // The field build: an office role goes on in the office build, unless it cannot open
    // here now and the person chose the field screens instead (until they sign out).
    let stay_in_field = RwSignal::new(false);
    Effect::new(move |_| {
        if app.me.with(Option::is_none) {
            stay_in_field.set(false);
        }
    });
    let hands_over = move || builds::needs_office(app) && !stay_in_field.get();

    view! {
        <a class="skip-link" href="#main">
            {move || i18n.t(Msg::SkipToMain)}
        </a>
        <Header/>
        <DbBanner/>
        <UpdateBanner/>
        <Show when=move || !app.shows_sign_in() fallback=|| view! { <main id="main"><SignInPage/></main> }>
        <Show when=move || !hands_over() fallback=move || view! { <main id="main"><OfficeHandover stay=stay_in_field/></main> }>
            <SyncBar/>
            {move || app.notice.get().map(|message| view! {
                <div class="banner" data-testid="notice">
                    <BilingualMessage message=message kind=MessageKind::Info/>
                    <button class="small-button" on:click=move |_| app.notice.set(None)>
                        {move || i18n.t(Msg::Dismiss)}
                    </button>
                </div>
            })}
            <Nav/>
            <main id="main">
                {move || match app.page.get() {
                    Page::Capture => view! { <Capture/> }.into_any(),
                    Page::Mine => view! { <MyRequests/> }.into_any(),
                    Page::SignIn => view! { <SignInPage/> }.into_any(),
                    Page::Device => view! { <DevicePage/> }.into_any(),
                    office => office_page(office),
                }}
            </main>
        </Show>
        </Show>
        <Footer/>
    }
}

/// The office's screens (the office build).
#[cfg(feature = "office")]
fn office_page(page: Page) -> AnyView {
    match page {
        Page::Office => view! { <OfficeList/> }.into_any(),
        Page::Standards => view! { <StandardsPage/> }.into_any(),
        Page::Dashboard => view! { <DashboardPage/> }.into_any(),
        Page::Admin => view! { <AdminPage/> }.into_any(),
        Page::Capture | Page::Mine | Page::SignIn | Page::Device => ().into_any(),
    }
}

/// The field build has none of the office's screens: a field worker given an office
/// address lands where they work (office roles go to the office build before this).
#[cfg(not(feature = "office"))]
fn office_page(_page: Page) -> AnyView {
    view! { <Capture/> }.into_any()
}

/// Opens the device's own database; each person's opens when they sign in.
fn open_device(app: AppState, engine: SyncEngine) {
    session::forget_old_me();
    leptos::task::spawn_local(async move {
        match Device::open(DEVICE_DB_NAME).await {
            Ok(device) => {
                app.device.set(Some(device));
                app.db.set(DbState::Ready);
                engine.sync_now();
            }
            Err(e) => app.db.set(DbState::Failed(e.message())),
        }
    });
}

/// Asks the browser to keep the device's data (Safari evicts unused sites' storage).
fn ask_to_persist(app: AppState) {
    leptos::task::spawn_local(async move {
        let storage = window().navigator().storage();
        let Ok(promise) = storage.persist() else {
            return;
        };
        if let Ok(granted) = JsFuture::from(promise).await {
            app.persisted.set(granted.as_bool());
        }
    });
}

#[component]
fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app_state();
    let ward = move || {
        app.catalogue.with(|c| {
            c.as_ref()
                .map(|c| i18n.lang().choose(&c.ward_ja, &c.ward_en).to_owned())
                .unwrap_or_default()
        })
    };
    let who = move || {
        app.me.with(|me| {
            me.as_ref().map(|me| {
                let lang = i18n.lang();
                let role = lang.choose(me.role.label_ja(), me.role.label_en());
                Msg::SignedInAs.fill(lang, &format!("{}（{role}）", me.name))
            })
        })
    };
    let switch = move |_| i18n.set(i18n.lang().other());
    // What signing out would leave on the device (waiting, drafts), while asked.
    let leaving = RwSignal::new(None::<(u32, u32)>);
    let sign_out = move |_| {
        let Some(me) = app.me.get_untracked() else {
            return;
        };
        let store = app.store.get_untracked();
        leptos::task::spawn_local(async move {
            let waiting = match &store {
                Some(s) => s.outbox_len().await.unwrap_or(0),
                None => 0,
            };
            let drafts = u32::from(draft::exists(&me.staff_id));
            if waiting + drafts == 0 {
                app.sign_out();
            } else {
                leaving.set(Some((waiting, drafts)));
            }
        });
    };
    view! {
        <header class="app-header">
            <div class="brand">
                <span class="app-name">{move || i18n.t(Msg::AppName)}</span>
                <span class="ward">{ward}</span>
            </div>
            <div class="header-tools">
                <span class="who">{who}</span>
                <NetState/>
                <button
                    data-testid="lang-switch"
                    class="small-button"
                    aria-label=move || i18n.t(Msg::SwitchLanguageLabel)
                    on:click=switch
                >
                    <span lang=move || i18n.lang().other().code()>
                        {move || i18n.t(Msg::SwitchLanguage)}
                    </span>
                </button>
                <Show when=move || app.me.with(Option::is_some)>
                    <button data-testid="sign-out" class="small-button" on:click=sign_out>
                        {move || i18n.t(Msg::SignOut)}
                    </button>
                </Show>
            </div>
            {move || leaving.get().map(|(waiting, drafts)| view! {
                <SignOutWarning waiting drafts leaving/>
            })}
        </header>
    }
}

/// 「未送信 2 件・下書き 1 件があります」: what stays on the device, and the choice to stay.
#[component]
fn SignOutWarning(
    waiting: u32,
    drafts: u32,
    leaving: RwSignal<Option<(u32, u32)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app_state();
    let text = move || {
        Msg::SignOutLeaves
            .text(i18n.lang())
            .replacen("{}", &waiting.to_string(), 1)
            .replacen("{}", &drafts.to_string(), 1)
    };
    let stay = NodeRef::<leptos::html::Button>::new();
    // The safe choice has the focus, so a stray Enter keeps the person signed in.
    Effect::new(move |_| {
        if let Some(b) = stay.get() {
            let _ = b.focus();
        }
    });
    view! {
        <div class="dialog-backdrop">
            <div
                class="dialog"
                role="alertdialog"
                aria-modal="true"
                aria-labelledby="sign-out-title"
                aria-describedby="sign-out-text"
                data-testid="sign-out-warning"
                on:keydown=move |ev| {
                    // Escape keeps the person signed in, as 「このまま続ける」 does.
                    if ev.key() == "Escape" {
                        leaving.set(None);
                    }
                }
            >
                <h2 id="sign-out-title">{move || i18n.t(Msg::SignOutTitle)}</h2>
                <div id="sign-out-text">
                    <p class="dialog-lead">{text}</p>
                    <p>{move || i18n.t(Msg::SignOutKept)}</p>
                </div>
                <div class="dialog-actions">
                    <button
                        data-testid="stay-signed-in"
                        class="primary-button"
                        node_ref=stay
                        on:click=move |_| leaving.set(None)
                    >
                        {move || i18n.t(Msg::StayHere)}
                    </button>
                    <button
                        data-testid="sign-out-anyway"
                        class="secondary-button"
                        on:click=move |_| {
                            leaving.set(None);
                            app.sign_out();
                        }
                    >
                        {move || i18n.t(Msg::SignOutAnyway)}
                    </button>
                </div>
            </div>
        </div>
    }
}

#[component]
fn Nav() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="app-nav" aria-label=move || i18n.t(Msg::MainMenu)>
            {nav_item(Page::Capture, "nav-capture", Msg::NavCapture)}
            {nav_item(Page::Mine, "nav-mine", Msg::NavMine)}
            {nav_item(Page::Device, "nav-device", Msg::NavDevice)}
            {office_nav()}
        </nav>
    }
}

fn nav_item(page: Page, testid: &'static str, label: Msg) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app_state();
    view! {
        <button
            data-testid=testid
            class="nav-item"
            aria-current=move || (app.page.get() == page).then_some("page")
            on:click=move |_| app.page.set(page)
        >
            {move || i18n.t(label)}
        </button>
    }
}

/// The office's screens in the menu, for those who review the ward (the office build).
#[cfg(feature = "office")]
fn office_nav() -> impl IntoView {
    let app = use_app_state();
    let reviews = move || {
        app.me
            .with(|me| me.as_ref().is_some_and(|me| me.role.reviews_ward()))
    };
    let administers = move || {
        app.me.with(|me| {
            me.as_ref()
                .is_some_and(|me| me.role == koe_core::Role::Admin)
        })
    };
    view! {
        <Show when=reviews>{nav_item(Page::Office, "nav-office", Msg::NavOffice)}</Show>
        <Show when=reviews>{nav_item(Page::Standards, "nav-standards", Msg::NavStandards)}</Show>
        <Show when=reviews>{nav_item(Page::Dashboard, "nav-dashboard", Msg::NavDashboard)}</Show>
        <Show when=administers>{nav_item(Page::Admin, "nav-admin", Msg::NavAdmin)}</Show>
    }
}

#[cfg(not(feature = "office"))]
fn office_nav() -> impl IntoView {}

#[component]
fn DbBanner() -> impl IntoView {
    let app = use_app_state();
    let i18n = use_i18n();
    move || {
        match app.db.get() {
        DbState::Ready | DbState::Opening => None,
        DbState::Blocked => Some(
            view! { <BilingualMessage message=Msg::DbBlocked.bilingual() kind=MessageKind::Problem/> }
                .into_any(),
        ),
        DbState::Closed => Some(
            view! {
                <div class="banner">
                    <BilingualMessage message=Msg::DbClosed.bilingual() kind=MessageKind::Problem/>
                    <button class="secondary-button" on:click=|_| {
                        let _ = window().location().reload();
                    }>{move || i18n.t(Msg::Reload)}</button>
                </div>
            }
            .into_any(),
        ),
        DbState::Failed(message) => Some(
            view! { <BilingualMessage message=message kind=MessageKind::Problem/> }.into_any(),
        ),
    }
    }
}

#[component]
fn Footer() -> impl IntoView {
    let app = use_app_state();
    let i18n = use_i18n();
    view! {
        <footer class="app-footer">
            {move || {
                app.persisted
                    .get()
                    .map(|p| i18n.t(if p { Msg::Persisted } else { Msg::NotPersisted }))
            }}
        </footer>
    }
}

fn use_app_state() -> AppState {
    expect_context::<AppState>()
}
