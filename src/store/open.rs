//! Opening a person's database: creating the object stores on first use, and the two cases
//! where another tab is in the way (`blocked` while we upgrade, `versionchange` when
//! another tab upgrades while we hold the database open).

use indexed_db_futures::database::Database;
use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use koe_core::vault::SealKey;

use super::sealed::Sealed;
use super::{Store, StoreError, DB_VERSION, META, OUTBOX, PHOTOS, REQUESTS};

impl Store {
    /// Opens (creating it the first time) the database `name`, sealed with `key`.
    pub async fn open(name: &str, key: SealKey) -> Result<Self, StoreError> {
        Self::open_with(name, key, || {}, || {}).await
    }

    /// Opens the database, calling `on_blocked` if an older version open in another tab
    /// holds up the upgrade, and `on_version_change` when another tab needs this one to
    /// let go (the database is then closed here and the page should reload).
    pub async fn open_with(
        name: &str,
        key: SealKey,
        on_blocked: impl Fn() + 'static,
        on_version_change: impl Fn() + 'static,
    ) -> Result<Self, StoreError> {
        let db = Database::open(name)
            .with_version(DB_VERSION)
            .with_on_blocked(move |_event| {
                on_blocked();
                Ok(())
            })
            .with_on_upgrade_needed(|event, db| {
                // Versions are whole numbers; match on them as such.
                let old = event.old_version() as u32;
                if old < 1 {
                    db.create_object_store(REQUESTS).build()?;
                    db.create_object_store(OUTBOX).build()?;
                    db.create_object_store(META).build()?;
                    db.create_object_store(PHOTOS).build()?;
                }
                Ok(())
            })
            .await?;

        // Another tab wants to upgrade: close, so it is not blocked, and say so.
        let sys: &web_sys::IdbDatabase = db.as_sys();
        let to_close = sys.clone();
        let on_change = Closure::<dyn Fn()>::new(move || {
            to_close.close();
            on_version_change();
        });
        sys.set_onversionchange(Some(on_change.as_ref().unchecked_ref()));
        // The handler lives as long as the page.
        on_change.forget();

        Ok(Self {
            db,
            key: std::rc::Rc::new(key),
            author: Default::default(),
        })
    }

    /// Closes this connection (tests delete their databases after).
    pub fn close(self) {
        self.db.close();
    }

    pub(crate) fn db(&self) -> &Database {
        &self.db
    }

    pub(crate) fn key(&self) -> &SealKey {
        &self.key
    }

    /// Object store `name` of `tx`, its values sealed with this person's key.
    pub(crate) fn sealed<'a>(
        &'a self,
        tx: &'a indexed_db_futures::transaction::Transaction<'a>,
        name: &str,
    ) -> Result<Sealed<'a>, StoreError> {
        Ok(Sealed::new(tx.object_store(name)?, &self.key))
    }

    /// Sets who is signed in (`None`: nobody): the author of what is queued from now on.
    pub fn set_author(&self, staff_id: Option<String>) {
        *self.author.borrow_mut() = staff_id;
    }

    /// Who is signed in, as last set.
    pub fn author(&self) -> Option<String> {
        self.author.borrow().clone()
    }
}
