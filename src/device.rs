//! The device's own IndexedDB database (`koe`): the device id, who has signed in here
//! (each person's keyring and the sign-in rule's count of wrong passwords, in `people`),
//! and the mutation numbers handed to each person's database. Everyone's work lives in
//! their own database ([`Store`], sealed); this one holds nothing a person wrote.
//!
//! Before each person had a database, the device kept everyone's requests here, in the
//! clear (versions 1 and 2 of this database). [`Device::adopt_legacy`] moves a person's
//! waiting work from there into their own database, sealed, when they sign in, and drops
//! the copies of requests pulled from the ward record (they come again with the next
//! pull); another person's waiting work stays until they sign in.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use js_sys::{Object, Reflect};
use koe_core::api::Me;
use koe_core::device::{legacy_plan, LegacyPhoto, LocalRequest};
use koe_core::vault::Keyring;
use koe_core::Mutation;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

use crate::store::{
    NewPhoto, PhotoRow, Store, StoreError, META, META_CLIENT_ID, META_NEXT_MUTATION_ID,
    META_SENT_THROUGH, OUTBOX, PHOTOS, REQUESTS,
};

pub const DEVICE_DB_NAME: &str = "koe";
/// 1 and 2 kept everyone's requests here; 3 adds `people`.
const DEVICE_DB_VERSION: u32 = 3;
const PEOPLE: &str = "people";
/// Each person's database numbers its mutations from its own range, so no two
/// databases made on this device (one person's, made again after it was removed, say)
/// ever send the ward record the same number for different work.
const ID_RANGE: u64 = 1_000_000_000;

/// Someone who signed in on this device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub me: Me,
    pub keyring: Keyring,
    /// Wrong passwords typed offline since the last right one (ms, oldest first).
    #[serde(default)]
    pub failures: Vec<i64>,
}

#[derive(Debug, Clone)]
pub struct Device {
    db: Database,
}

impl Device {
    pub async fn open(name: &str) -> Result<Self, StoreError> {
        let db = Database::open(name)
            .with_version(DEVICE_DB_VERSION)
            .with_on_upgrade_needed(|event, db| {
                let old = event.old_version() as u32;
                if old < 1 {
                    db.create_object_store(REQUESTS).build()?;
                    db.create_object_store(OUTBOX).build()?;
                    db.create_object_store(META).build()?;
                }
                if old < 2 {
                    db.create_object_store(PHOTOS).build()?;
                }
                if old < 3 {
                    db.create_object_store(PEOPLE).build()?;
                }
                Ok(())
            })
            .await?;
        Ok(Self { db })
    }

    pub fn close(self) {
        self.db.close();
    }

    /// This device's id, made on first use and kept.
    pub async fn client_id(&self) -> Result<Uuid, StoreError> {
        let tx = self
            .db
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let meta = tx.object_store(META)?;
        let stored: Option<String> = meta.get(META_CLIENT_ID).serde()?.await?;
        if let Some(id) = stored.and_then(|s| Uuid::parse_str(&s).ok()) {
            return Ok(id);
        }
        let id = crate::ids::new_client_id().map_err(|m| StoreError::Failed(m.en))?;
        meta.put(id.to_string())
            .with_key(META_CLIENT_ID)
            .without_key_type()
            .serde()?
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn person(&self, staff_id: &str) -> Result<Option<Person>, StoreError> {
        let tx = self.db.transaction(PEOPLE).build()?;
        Ok(tx.object_store(PEOPLE)?.get(staff_id).serde()?.await?)
    }

    /// Everyone who signed in here.
    pub async fn people(&self) -> Result<Vec<Person>, StoreError> {
        let tx = self.db.transaction(PEOPLE).build()?;
        all_in_clear(&tx, PEOPLE).await
    }

    pub async fn put_person(&self, person: &Person) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(PEOPLE)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(PEOPLE)?
            .put(person)
            .with_key(person.me.staff_id.as_str())
            .without_key_type()
            .serde()?
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The first mutation number for a person's database made now; the range after it
    /// is theirs. Starts above every number the device used before it had per-person
    /// databases.
    pub async fn take_id_range(&self) -> Result<u64, StoreError> {
        let tx = self
            .db
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let meta = tx.object_store(META)?;
        let next: Option<f64> = meta.get(META_NEXT_MUTATION_ID).serde()?.await?;
        let first = next.map_or(1, |n| n as u64);
        meta.put((first + ID_RANGE) as f64)
            .with_key(META_NEXT_MUTATION_ID)
            .without_key_type()
            .serde()?
            .await?;
        tx.commit().await?;
        Ok(first)
    }

    /// Moves `staff_id`'s waiting work from the shared, unsealed store of earlier
    /// versions into their own database (`store`), and drops the pulled copies there.
    /// Returns how many mutations were moved. Safe to repeat after a crash: the same
    /// keys are written again, and the ward record answers a mutation sent twice with
    /// its first outcome.
    pub async fn adopt_legacy(&self, store: &Store, staff_id: &str) -> Result<u32, StoreError> {
        let tx = self
            .db
            .transaction([REQUESTS, OUTBOX, PHOTOS, META])
            .build()?;
        let mutations: Vec<Mutation> = all_in_clear(&tx, OUTBOX).await?;
        let requests: Vec<LocalRequest> = all_in_clear(&tx, REQUESTS).await?;
        let photos: Vec<Object> = tx
            .object_store(PHOTOS)?
            .get_all::<Object>()
            .primitive()?
            .await?
            .collect::<Result<Vec<_>, _>>()?;
        let meta = tx.object_store(META)?;
        let sent_through: Option<f64> = meta.get(META_SENT_THROUGH).serde()?.await?;
        drop(meta);
        drop(tx);
        if mutations.is_empty() && requests.is_empty() && photos.is_empty() {
            return Ok(0);
        }

        let plan = legacy_plan(&mutations, &requests, &photo_facts(&photos)?, staff_id);
        // The person's photos, read and sealed before their transaction.
        let mut moved_photos = Vec::new();
        for obj in &photos {
            let row = PhotoRow::from_js(obj)?;
            if plan.requests.contains(&row.request_id) {
                let blob: Blob = Reflect::get(obj, &JsValue::from_str("blob"))
                    .ok()
                    .and_then(|b| b.dyn_into().ok())
                    .ok_or_else(|| StoreError::Failed("an earlier photo has no blob".into()))?;
                moved_photos.push(NewPhoto { row, blob });
            }
        }
        let mine: Vec<Mutation> = mutations
            .iter()
            .filter(|m| plan.mutations.contains(&m.id))
            .cloned()
            .map(|mut m| {
                // Queued before authors were kept: theirs now, as the push will say.
                m.author.get_or_insert_with(|| staff_id.to_owned());
                m
            })
            .collect();
        let my_requests: Vec<LocalRequest> = requests
            .iter()
            .filter(|r| plan.requests.contains(&r.id))
            .cloned()
            .collect();
        store
            .take_legacy(
                &mine,
                &my_requests,
                &moved_photos,
                sent_through.map_or(0, |n| n as u64),
            )
            .await?;

        // Only once they are safe in the person's database.
        let tx = self
            .db
            .transaction([REQUESTS, OUTBOX, PHOTOS])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let outbox = tx.object_store(OUTBOX)?;
        for id in &plan.mutations {
            outbox.delete(*id as f64).primitive()?.await?;
        }
        let request_store = tx.object_store(REQUESTS)?;
        for id in plan.requests.iter().chain(&plan.pulled) {
            request_store.delete(id.to_string()).primitive()?.await?;
        }
        let photo_store = tx.object_store(PHOTOS)?;
        for p in &moved_photos {
            photo_store.delete(p.row.key()).primitive()?.await?;
        }
        for id in &plan.pulled_photos {
            photo_store.delete(id.to_string()).primitive()?.await?;
        }
        tx.commit().await?;
        Ok(mine.len() as u32)
    }
}

/// Every value of object store `name` (this database keeps its values in the clear).
async fn all_in_clear<T: serde::de::DeserializeOwned>(
    tx: &indexed_db_futures::transaction::Transaction<'_>,
    name: &str,
) -> Result<Vec<T>, StoreError> {
    Ok(tx
        .object_store(name)?
        .get_all::<T>()
        .serde()?
        .await?
        .collect::<Result<Vec<_>, _>>()?)
}

fn photo_facts(photos: &[Object]) -> Result<Vec<LegacyPhoto>, StoreError> {
    photos
        .iter()
        .map(|o| {
            PhotoRow::from_js(o).map(|r| LegacyPhoto {
                photo_id: r.photo_id,
                request_id: r.request_id,
                pending: r.state.pending(),
            })
        })
        .collect()
}

/// A person's waiting work (mutations, photos to send), counted without opening it:
/// the count of sealed entries and the photos' progress are in the clear.
pub async fn waiting_of(staff_id: &str) -> Result<(u32, u32), StoreError> {
    // Counting needs no key; a throwaway one opens nothing.
    let key = koe_core::vault::SealKey::from_bytes(&crate::store::sealed::random()?);
    let store = Store::open(&crate::store::person_db_name(staff_id), key).await?;
    let counted = async {
        let mutations = store.outbox_len().await?;
        let photos = store.photos().await?;
        Ok::<_, StoreError>((
            mutations,
            photos.iter().filter(|p| p.state.pending()).count() as u32,
        ))
    }
    .await;
    store.close();
    counted
}
