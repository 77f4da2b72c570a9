//! The app's shared state, provided once through context.

use koe_core::api::Me;
use koe_core::{Bilingual, Catalogue, Role};
use leptos::prelude::*;

use crate::device::Device;
use crate::session;
use crate::store::Store;

/// The screen shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Capture,
    Mine,
    Office,
    /// Signing in again while still signed in on the device (the session expired).
    SignIn,
    /// サービス基準: the standards kept (office roles).
    Standards,
    /// ダッシュボード: the committee's charts and the monthly summary (office roles).
    Dashboard,
    /// 端末: what is stored on this device, and clearing old synced requests.
    Device,
    /// 管理: staff, sections, categories and standards, the calendar (administrators).
    Admin,
}

impl Page {
    /// The page the address asks for: the ward list keeps its filter and open request in
    /// it (`#/office…`), so a reload (and the sign-in after it) comes back to it.
    pub fn from_address() -> Self {
        if window()
            .location()
            .hash()
            .is_ok_and(|h| h.starts_with("#/office"))
        {
            Page::Office
        } else {
            Page::Capture
        }
    }

    /// Where a person lands after signing in: office staff, section heads and
    /// administrators (those who review the ward's list) on 区の一覧, field staff on
    /// 新規受付. The ward list reads its filter and request open from the address, so a
    /// reload of it comes back to the same place; a field worker sent such an address
    /// (a link passed on) still lands where they work, the list not being theirs.
    pub fn landing(role: Role) -> Self {
        if role.reviews_ward() {
            Page::Office
        } else {
            Page::Capture
        }
    }
}

/// Where the device's database stands.
#[derive(Debug, Clone, PartialEq)]
pub enum DbState {
    Opening,
    /// An older version open in another tab holds up the upgrade.
    Blocked,
    Ready,
    /// Another tab upgraded the database: this page must reload.
    Closed,
    Failed(Bilingual),
}

#[derive(Debug, Clone, Copy)]
pub struct AppState {
    /// Who is signed in; nobody when the app opens (their data key is not kept).
    pub me: RwSignal<Option<Me>>,
    /// The device's own database: its id and who signed in here.
    pub device: RwSignal<Option<Device>, LocalStorage>,
    /// What the sign-in form says first (a refused offline sign-in, say).
    pub notice: RwSignal<Option<Bilingual>>,
    pub catalogue: RwSignal<Option<Catalogue>>,
    pub page: RwSignal<Page>,
    pub online: RwSignal<bool>,
    /// The signed-in person's database.
    pub store: RwSignal<Option<Store>, LocalStorage>,
    pub db: RwSignal<DbState>,
    /// Bumped whenever requests on the device change, so lists read them again.
    pub revision: RwSignal<u64>,
    /// Whether the browser promised to keep the device's data (`navigator.storage.persist`).
    pub persisted: RwSignal<Option<bool>>,
}

impl AppState {
    pub fn new() -> Self {
        Self {
            me: RwSignal::new(None),
            device: RwSignal::new_local(None),
            notice: RwSignal::new(None),
            catalogue: RwSignal::new(session::stored_catalogue()),
            // Office: the ward list keeps its filter and open request in the address
            // (`#/office…`), so a reload comes back to it.
            page: RwSignal::new(Page::from_address()),
            online: RwSignal::new(window().navigator().on_line()),
            store: RwSignal::new_local(None),
            db: RwSignal::new(DbState::Opening),
            revision: RwSignal::new(0),
            persisted: RwSignal::new(None),
        }
    }

    pub fn changed(&self) {
        self.revision.update(|r| *r += 1);
    }

    /// Signs out on this device: see [`session::sign_out_here`].
    pub fn sign_out(&self) {
        session::sign_out_here(self.store.get_untracked());
        self.store.set(None);
        self.me.set(None);
        self.page.set(Page::Capture);
        self.changed();
    }

    /// Whether the sign-in form is shown instead of the app.
    pub fn shows_sign_in(&self) -> bool {
        self.me.with(Option::is_none) || self.page.get() == Page::SignIn
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn office_staff_land_on_the_ward_list_and_field_staff_on_capture() {
        for role in [Role::Office, Role::Supervisor, Role::Admin] {
            assert_eq!(Page::landing(role), Page::Office, "{role:?}");
        }
        assert_eq!(Page::landing(Role::Field), Page::Capture);
    }
}
