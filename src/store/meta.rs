//! The `meta` store: the device id (made once), the next mutation id and the pull cursor.

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use uuid::Uuid;

use super::{Store, StoreError, META, META_CLIENT_ID, META_PULL_CURSOR};
use crate::ids;

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

    /// Where the last pull ended (`0`: never pulled).
    pub async fn pull_cursor(&self) -> Result<i64, StoreError> {
        let tx = self.db().transaction(META).build()?;
        let meta = tx.object_store(META)?;
        let cursor: Option<f64> = meta.get(META_PULL_CURSOR).serde()?.await?;
        Ok(cursor.map_or(0, |c| c as i64))
    }
}
