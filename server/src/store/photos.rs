//! Photo metadata: which photo belongs to which request, how much of it has arrived.
//! The bytes are on disk (`crate::blob`); the database never holds them.
//!
//! Every write is one statement (autocommit), so none needs the SQLite write lock of a
//! longer transaction; moving `received` forward is a compare-and-set on the old value.

use async_trait::async_trait;
use koe_core::photo::PhotoInfo;
use koe_core::RequestRecord;
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

use super::sql::{record_from_row, uuid, REQUEST_COLUMNS};
use super::{SqlStore, StoreError, StoreResult};

#[async_trait]
pub trait PhotoRecords: Send + Sync {
    /// One request as stored (not yet filtered for a reader).
    async fn request_by_id(&self, id: Uuid) -> StoreResult<Option<RequestRecord>>;

    async fn photo(&self, photo_id: Uuid) -> StoreResult<Option<PhotoInfo>>;

    /// Records a new upload unless the photo id is taken; returns the row as stored
    /// (the existing one if it was taken).
    async fn insert_photo(&self, photo: &PhotoInfo) -> StoreResult<PhotoInfo>;

    /// Moves `received` from `from` to `to`; false if it was no longer `from`.
    async fn set_received(&self, photo_id: Uuid, from: u64, to: u64) -> StoreResult<bool>;

    /// Marks an upload complete (all bytes verified and stored).
    async fn complete_photo(&self, photo_id: Uuid, now: i64) -> StoreResult<()>;

    async fn delete_photo(&self, photo_id: Uuid) -> StoreResult<()>;

    /// A request's photos, oldest first.
    async fn photos_of_request(&self, request_id: Uuid) -> StoreResult<Vec<PhotoInfo>>;
}

const PHOTO_COLUMNS: &str =
    "photo_id, request_id, sha256, size, content_type, uploaded_by, received_at, received, complete";

fn to_i64(n: u64) -> StoreResult<i64> {
    i64::try_from(n).map_err(|_| StoreError::Invalid(format!("{n} is too large")))
}

fn to_u64(n: i64) -> StoreResult<u64> {
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("negative size {n}")))
}

fn photo_from_row(row: &AnyRow) -> StoreResult<PhotoInfo> {
    let photo_id: String = row.try_get("photo_id")?;
    let request_id: String = row.try_get("request_id")?;
    let complete: i64 = row.try_get("complete")?;
    Ok(PhotoInfo {
        photo_id: uuid(&photo_id)?,
        request_id: uuid(&request_id)?,
        sha256: row.try_get("sha256")?,
        size: to_u64(row.try_get("size")?)?,
        content_type: row.try_get("content_type")?,
        uploaded_by: row.try_get("uploaded_by")?,
        received_at: row.try_get("received_at")?,
        received: to_u64(row.try_get("received")?)?,
        complete: complete != 0,
    })
}

#[async_trait]
impl PhotoRecords for SqlStore {
    async fn request_by_id(&self, id: Uuid) -> StoreResult<Option<RequestRecord>> {
        let sql = format!("SELECT {REQUEST_COLUMNS} FROM requests WHERE id = $1");
        sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(record_from_row)
            .transpose()
    }

    async fn photo(&self, photo_id: Uuid) -> StoreResult<Option<PhotoInfo>> {
        let sql = format!("SELECT {PHOTO_COLUMNS} FROM photos WHERE photo_id = $1");
        sqlx::query(&sql)
            .bind(photo_id.to_string())
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(photo_from_row)
            .transpose()
    }

    async fn insert_photo(&self, p: &PhotoInfo) -> StoreResult<PhotoInfo> {
        sqlx::query(&format!(
            "INSERT INTO photos ({PHOTO_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (photo_id) DO NOTHING"
        ))
        .bind(p.photo_id.to_string())
        .bind(p.request_id.to_string())
        .bind(p.sha256.clone())
        .bind(to_i64(p.size)?)
        .bind(p.content_type.clone())
        .bind(p.uploaded_by.clone())
        .bind(p.received_at)
        .bind(to_i64(p.received)?)
        .bind(i64::from(p.complete))
        .execute(self.pool())
        .await?;
        self.photo(p.photo_id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("photo {} vanished", p.photo_id)))
    }

    async fn set_received(&self, photo_id: Uuid, from: u64, to: u64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE photos SET received = $1 WHERE photo_id = $2 AND received = $3 AND complete = 0",
        )
        .bind(to_i64(to)?)
        .bind(photo_id.to_string())
        .bind(to_i64(from)?)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn complete_photo(&self, photo_id: Uuid, now: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE photos SET received = size, complete = 1, received_at = $1 WHERE photo_id = $2",
        )
        .bind(now)
        .bind(photo_id.to_string())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn delete_photo(&self, photo_id: Uuid) -> StoreResult<()> {
        sqlx::query("DELETE FROM photos WHERE photo_id = $1")
            .bind(photo_id.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn photos_of_request(&self, request_id: Uuid) -> StoreResult<Vec<PhotoInfo>> {
        let sql = format!(
            "SELECT {PHOTO_COLUMNS} FROM photos WHERE request_id = $1
             ORDER BY received_at, photo_id"
        );
        sqlx::query(&sql)
            .bind(request_id.to_string())
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(photo_from_row)
            .collect()
    }
}
