//! The `photos` store (key: photo id): each photo taken for a request logged here, as a
//! `Blob` with its sha256, size and type, how many bytes the ward record has, and where
//! its upload stands. Rows are plain objects (the `Blob` cannot go through serde), saved
//! with their request in one transaction (see `save_new_request_with_photos`).

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use js_sys::{Object, Reflect};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

use super::{Store, StoreError, PHOTOS};

/// Where a photo's upload stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoState {
    /// Not (completely) sent yet.
    Waiting,
    /// Sending started; `uploaded` says how far.
    Uploading,
    /// The ward record holds the whole photo.
    Synced,
    /// The ward record will never take it, with its reason.
    Rejected(String),
}

impl PhotoState {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Uploading => "uploading",
            Self::Synced => "synced",
            Self::Rejected(_) => "rejected",
        }
    }

    /// Still to be sent.
    pub fn pending(&self) -> bool {
        matches!(self, Self::Waiting | Self::Uploading)
    }
}

/// One photo on the device.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoRow {
    pub photo_id: Uuid,
    pub request_id: Uuid,
    /// Lowercase hex.
    pub sha256: String,
    pub size: u64,
    pub content_type: String,
    pub blob: Blob,
    /// Bytes the ward record is known to hold.
    pub uploaded: u64,
    pub state: PhotoState,
}

/// How many of a request's photos are on the ward record.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PhotoCounts {
    pub synced: u32,
    pub rejected: u32,
    pub total: u32,
}

fn set(obj: &Object, key: &str, value: &JsValue) -> Result<(), StoreError> {
    Reflect::set(obj, &JsValue::from_str(key), value)
        .map(drop)
        .map_err(|e| StoreError::Failed(format!("{e:?}")))
}

fn get(obj: &Object, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn bad(what: &str) -> StoreError {
    StoreError::Failed(format!("photo row: {what}"))
}

impl PhotoRow {
    pub(crate) fn key(&self) -> String {
        self.photo_id.to_string()
    }

    pub(crate) fn to_js(&self) -> Result<Object, StoreError> {
        let obj = Object::new();
        set(&obj, "photo_id", &self.photo_id.to_string().into())?;
        set(&obj, "request_id", &self.request_id.to_string().into())?;
        set(&obj, "sha256", &self.sha256.as_str().into())?;
        set(&obj, "size", &(self.size as f64).into())?;
        set(&obj, "content_type", &self.content_type.as_str().into())?;
        set(&obj, "blob", &self.blob)?;
        set(&obj, "uploaded", &(self.uploaded as f64).into())?;
        set(&obj, "state", &self.state.code().into())?;
        if let PhotoState::Rejected(reason) = &self.state {
            set(&obj, "reason", &reason.as_str().into())?;
        }
        Ok(obj)
    }

    pub(crate) fn from_js(obj: &Object) -> Result<Self, StoreError> {
        let text = |k: &str| get(obj, k).as_string().ok_or_else(|| bad(k));
        let number = |k: &str| get(obj, k).as_f64().ok_or_else(|| bad(k));
        let uuid = |k: &str| Uuid::parse_str(&text(k)?).map_err(|_| bad(k));
        let state = match text("state")?.as_str() {
            "waiting" => PhotoState::Waiting,
            "uploading" => PhotoState::Uploading,
            "synced" => PhotoState::Synced,
            _ => PhotoState::Rejected(text("reason").unwrap_or_default()),
        };
        Ok(Self {
            photo_id: uuid("photo_id")?,
            request_id: uuid("request_id")?,
            sha256: text("sha256")?,
            size: number("size")? as u64,
            content_type: text("content_type")?,
            blob: get(obj, "blob").dyn_into().map_err(|_| bad("blob"))?,
            uploaded: number("uploaded")? as u64,
            state,
        })
    }
}

impl Store {
    /// Every photo on the device, in photo id order.
    pub async fn photos(&self) -> Result<Vec<PhotoRow>, StoreError> {
        let tx = self.db().transaction(PHOTOS).build()?;
        let store = tx.object_store(PHOTOS)?;
        let rows = store
            .get_all::<Object>()
            .primitive()?
            .await?
            .collect::<Result<Vec<_>, _>>()?;
        rows.iter().map(PhotoRow::from_js).collect()
    }

    /// The photos of one request.
    pub async fn photos_of(&self, request_id: Uuid) -> Result<Vec<PhotoRow>, StoreError> {
        let mut rows = self.photos().await?;
        rows.retain(|p| p.request_id == request_id);
        Ok(rows)
    }

    /// Photo counts per request.
    pub async fn photo_counts(
        &self,
    ) -> Result<std::collections::HashMap<Uuid, PhotoCounts>, StoreError> {
        let mut counts = std::collections::HashMap::<Uuid, PhotoCounts>::new();
        for p in self.photos().await? {
            let c = counts.entry(p.request_id).or_default();
            c.total += 1;
            match p.state {
                PhotoState::Synced => c.synced += 1,
                PhotoState::Rejected(_) => c.rejected += 1,
                _ => {}
            }
        }
        Ok(counts)
    }

    /// Updates how far a photo's upload is and where it stands (the blob stays).
    pub async fn update_photo(
        &self,
        photo_id: Uuid,
        uploaded: u64,
        state: PhotoState,
    ) -> Result<(), StoreError> {
        let tx = self
            .db()
            .transaction(PHOTOS)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store(PHOTOS)?;
        let key = photo_id.to_string();
        let existing: Option<Object> = store.get(key.as_str()).primitive()?.await?;
        let Some(existing) = existing else {
            return Ok(());
        };
        let mut row = PhotoRow::from_js(&existing)?;
        row.uploaded = uploaded;
        row.state = state;
        store
            .put(row.to_js()?)
            .with_key(key)
            .without_key_type()
            .primitive()?
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
