//! The `meta` store: the device id (made once), the next mutation id, the pull cursor and
//! the setting for clearing old synced requests from the device.

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use uuid::Uuid;

use super::{
    Store, StoreError, META, META_CLIENT_ID, META_MINE_FROM, META_NEXT_MUTATION_ID,
    META_PULL_CURSOR,
};
use crate::ids;

/// Keeps a number under `key` in the meta store (inside the caller's transaction).
pub(crate) async fn put_number(
    meta: &indexed_db_futures::object_store::ObjectStore<'_>,
    key: &str,
    value: f64,
) -> Result<(), StoreError> {
    meta.put(value)
        .with_key(key)
        .without_key_type()
        .serde()?
        .await?;
    Ok(())
}

impl Store {
    /// This device's id, made on first use and kept.
    pub async fn client_id(&self) -> Result<Uuid, StoreError> {
        let tx = self
            .db()
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let meta = tx.object_store(META)?;
        let stored: Option<String> = meta.get(META_CLIENT_ID).serde()?.await?;
        if let Some(id) = stored.and_then(|s| Uuid::parse_str(&s).ok()) {
            return Ok(id);
        }
        // No await on anything but IndexedDB inside the transaction: the id is made here.
        let id = ids::new_client_id().map_err(|m| StoreError::Failed(m.en))?;
        meta.put(id.to_string())
            .with_key(META_CLIENT_ID)
            .without_key_type()
            .serde()?
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The lowest mutation id answered since the last pull ended (see `META_MINE_FROM`).
    pub async fn mine_from(&self) -> Result<Option<u64>, StoreError> {
        let tx = self.db().transaction(META).build()?;
        let meta = tx.object_store(META)?;
        let from: Option<f64> = meta.get(META_MINE_FROM).serde()?.await?;
        Ok(from.map(|n| n as u64))
    }

    /// Where the last pull ended (`0`: never pulled).
    pub async fn pull_cursor(&self) -> Result<i64, StoreError> {
        let tx = self.db().transaction(META).build()?;
        let meta = tx.object_store(META)?;
        let cursor: Option<f64> = meta.get(META_PULL_CURSOR).serde()?.await?;
        Ok(cursor.map_or(0, |c| c as i64))
    }
}

/// The meta key of the setting "clear synced requests older than N days".
const META_CLEAR_AFTER_DAYS: &str = "clear_after_days";
/// The ages the device page offers, in days.
pub const CLEAR_AFTER_DAYS: [u32; 4] = [30, 90, 180, 365];
/// The age chosen until the person chooses another.
pub const DEFAULT_CLEAR_AFTER_DAYS: u32 = 90;

impl Store {
    /// The setting "clear synced requests older than N days" (one of [`CLEAR_AFTER_DAYS`]).
    pub async fn clear_after_days(&self) -> Result<u32, StoreError> {
        let tx = self.db().transaction(META).build()?;
        let meta = tx.object_store(META)?;
        let days: Option<f64> = meta.get(META_CLEAR_AFTER_DAYS).serde()?.await?;
        Ok(days
            .map(|d| d as u32)
            .filter(|d| CLEAR_AFTER_DAYS.contains(d))
            .unwrap_or(DEFAULT_CLEAR_AFTER_DAYS))
    }

    /// Keeps the setting; an age not offered is refused.
    pub async fn set_clear_after_days(&self, days: u32) -> Result<(), StoreError> {
        if !CLEAR_AFTER_DAYS.contains(&days) {
            return Err(StoreError::Failed(format!("clear after {days} days")));
        }
        let tx = self
            .db()
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let meta = tx.object_store(META)?;
        put_number(&meta, META_CLEAR_AFTER_DAYS, f64::from(days)).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// Readies a person's database the first time it is opened: the device's id, and the
    /// first mutation number of the range the device gave it. Returns whether it was new.
    pub async fn prepare(
        &self,
        client_id: Uuid,
        first_mutation_id: u64,
    ) -> Result<bool, StoreError> {
        let tx = self
            .db()
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let meta = tx.object_store(META)?;
        let next: Option<f64> = meta.get(META_NEXT_MUTATION_ID).serde()?.await?;
        if next.is_some() {
            return Ok(false);
        }
        meta.put(client_id.to_string())
            .with_key(META_CLIENT_ID)
            .without_key_type()
            .serde()?
            .await?;
        put_number(&meta, META_NEXT_MUTATION_ID, first_mutation_id as f64).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Whether the database was readied ([`prepare`](Self::prepare)).
    pub async fn is_prepared(&self) -> Result<bool, StoreError> {
        let tx = self.db().transaction(META).build()?;
        let meta = tx.object_store(META)?;
        let next: Option<f64> = meta.get(META_NEXT_MUTATION_ID).serde()?.await?;
        Ok(next.is_some())
    }
}
