//! The shell: header (ward, who is signed in, online or not, language, sign out), the
//! sync bar, the navigation and the page shown.

use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::components::UpdateBanner;
use crate::components::{BilingualMessage, MessageKind, NetState, SyncBar};
use crate::draft;
use crate::i18n::{use_i18n, I18n, Msg};
use crate::pages::AdminPage;
use crate::pages::DevicePage;
use crate::pages::{Capture, MyRequests, OfficeList, SignInPage};
use crate::pages::{DashboardPage, StandardsPage};
use crate::session;
use crate::state::{AppState, DbState, Page};
use crate::store::{Store, DEFAULT_DB_NAME};
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

    // What is queued from now on is the signed-in person's, and a push carries only theirs.
    Effect::new(move |_| {
        if let Some(store) = app.store.get() {
            store.set_author(app.me.with(|me| me.as_ref().map(|me| me.staff_id.clone())));
        }
    });

    open_store(app, engine);
    install_triggers(app, engine);
    ask_to_persist(app);

    view! {
        <a class="skip-link" href="#main">
            {move || i18n.t(Msg::SkipToMain)}
        </a>
        <Header/>
        <DbBanner/>
        <UpdateBanner/>
        <Show when=move || !app.shows_sign_in() fallback=|| view! { <main id="main"><SignInPage/></main> }>
            <SyncBar/>
            <Nav/>
            <main id="main">
                {move || match app.page.get() {
                    Page::Capture => view! { <Capture/> }.into_any(),
                    Page::Mine => view! { <MyRequests/> }.into_any(),
                    Page::Office => view! { <OfficeList/> }.into_any(),
                    Page::SignIn => view! { <SignInPage/> }.into_any(),
                    Page::Standards => view! { <StandardsPage/> }.into_any(),
                    Page::Dashboard => view! { <DashboardPage/> }.into_any(),
                    Page::Device => view! { <DevicePage/> }.into_any(),
                    Page::Admin => view! { <AdminPage/> }.into_any(),
                }}
            </main>
        </Show>
        <Footer/>
    }
}

fn open_store(app: AppState, engine: SyncEngine) {
    leptos::task::spawn_local(async move {
        let opened = Store::open_with(
            DEFAULT_DB_NAME,
            move || app.db.set(DbState::Blocked),
            move || {
                app.store.set(None);
                app.db.set(DbState::Closed);
            },
        )
        .await;
        match opened {
            Ok(store) => {
                app.store.set(Some(store));
                app.db.set(DbState::Ready);
                app.changed();
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
    let sign_out = move |_| {
        // The ward record's session ends now, or at the next connection if there is no
        // signal; the device forgets who was signed in either way. The outbox stays.
        leptos::task::spawn_local(session::end_server_session());
        // What was being typed goes with the person: the next one sees no one's draft.
        if let Some(me) = app.me.get_untracked() {
            draft::forget(&me.staff_id);
        }
        session::forget_me();
        app.me.set(None);
        app.page.set(Page::Capture);
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
        </header>
    }
}

#[component]
fn Nav() -> impl IntoView {
    let i18n = use_i18n();
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
    let item = move |page: Page, testid: &'static str, label: Msg| {
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
    };
    view! {
        <nav class="app-nav" aria-label=move || i18n.t(Msg::MainMenu)>
            {item(Page::Capture, "nav-capture", Msg::NavCapture)}
            {item(Page::Mine, "nav-mine", Msg::NavMine)}
            {item(Page::Device, "nav-device", Msg::NavDevice)}
            <Show when=reviews>{item(Page::Office, "nav-office", Msg::NavOffice)}</Show>
            <Show when=reviews>{item(Page::Standards, "nav-standards", Msg::NavStandards)}</Show>
            <Show when=reviews>{item(Page::Dashboard, "nav-dashboard", Msg::NavDashboard)}</Show>
            <Show when=administers>{item(Page::Admin, "nav-admin", Msg::NavAdmin)}</Show>
        </nav>
    }
}

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
