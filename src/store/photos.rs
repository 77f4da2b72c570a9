//! The `photos` store (key: photo id): each photo taken for a request logged here, with
//! its sha256, size and type, how many bytes the ward record has, and where its upload
//! stands. Rows are plain objects: the photo itself is a `Blob` of sealed bytes
//! (`koe_core::vault`), so a row can be listed without reading or opening the photo;
//! [`Store::photo_blob`] opens it when it is shown or sent. Saved with their request in
//! one transaction (see `save_new_request_with_photos`).

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use js_sys::{Array, Object, Reflect, Uint8Array};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag};

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
    /// Bytes the ward record is known to hold.
    pub uploaded: u64,
    pub state: PhotoState,
}

/// A photo to be saved with its request: its row and the photo itself.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPhoto {
    pub row: PhotoRow,
    pub blob: Blob,
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

    /// The row as stored, with the photo's sealed bytes.
    pub(crate) fn to_js(&self, sealed: &Blob) -> Result<Object, StoreError> {
        let obj = Object::new();
        set(&obj, "photo_id", &self.photo_id.to_string().into())?;
        set(&obj, "request_id", &self.request_id.to_string().into())?;
        set(&obj, "sha256", &self.sha256.as_str().into())?;
        set(&obj, "size", &(self.size as f64).into())?;
        set(&obj, "content_type", &self.content_type.as_str().into())?;
        set(&obj, "sealed", sealed)?;
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
            uploaded: number("uploaded")? as u64,
            state,
        })
    }
}

fn sealed_of(obj: &Object) -> Result<Blob, StoreError> {
    get(obj, "sealed").dyn_into().map_err(|_| bad("sealed"))
}

async fn bytes_of(blob: &Blob) -> Result<Vec<u8>, StoreError> {
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(|e| StoreError::Failed(format!("reading a photo: {e:?}")))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

fn blob_of(bytes: &[u8], content_type: &str) -> Result<Blob, StoreError> {
    let options = BlobPropertyBag::new();
    options.set_type(content_type);
    Blob::new_with_u8_array_sequence_and_options(&Array::of1(&Uint8Array::from(bytes)), &options)
        .map_err(|e| StoreError::Failed(format!("{e:?}")))
}

/// A photo's row and its sealed bytes, ready to be written.
pub(crate) type SealedPhoto = (PhotoRow, Blob);

/// Writes sealed photos inside the caller's transaction: `add` (a photo id already kept
/// fails the transaction) or, for work taken over again, `put`.
pub(crate) async fn write_photos(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    photos: &[SealedPhoto],
    replace: bool,
) -> Result<(), StoreError> {
    for (row, sealed) in photos {
        let value = row.to_js(sealed)?;
        if replace {
            store
                .put(value)
                .with_key(row.key())
                .without_key_type()
                .primitive()?
                .await?;
        } else {
            store
                .add(value)
                .with_key(row.key())
                .without_key_type()
                .primitive()?
                .await?;
        }
    }
    Ok(())
}

impl Store {
    /// Seals photos for keeping, before the transaction that writes them (reading a blob
    /// is not an IndexedDB request, and would let the transaction close).
    pub(crate) async fn seal_photos(
        &self,
        photos: &[NewPhoto],
    ) -> Result<Vec<SealedPhoto>, StoreError> {
        let mut sealed = Vec::with_capacity(photos.len());
        for p in photos {
            sealed.push((p.row.clone(), self.seal_photo(&p.blob).await?));
        }
        Ok(sealed)
    }

    /// Seals a photo for keeping (before the transaction that saves it: reading a blob
    /// is not an IndexedDB request, and would let the transaction close).
    pub(crate) async fn seal_photo(&self, photo: &Blob) -> Result<Blob, StoreError> {
        let bytes = bytes_of(photo).await?;
        let sealed = self.key().seal(super::sealed::random()?, &bytes);
        blob_of(&sealed, "application/octet-stream")
    }

    /// The photo itself, opened (`None`: no such photo on the device).
    pub async fn photo_blob(&self, photo_id: Uuid) -> Result<Option<Blob>, StoreError> {
        let tx = self.db().transaction(PHOTOS).build()?;
        let store = tx.object_store(PHOTOS)?;
        let found: Option<Object> = store.get(photo_id.to_string()).primitive()?.await?;
        drop(store);
        drop(tx);
        let Some(obj) = found else {
            return Ok(None);
        };
        let row = PhotoRow::from_js(&obj)?;
        let sealed = bytes_of(&sealed_of(&obj)?).await?;
        let bytes = self
            .key()
            .open(&sealed)
            .map_err(|_| StoreError::Failed("a photo on the device does not open".into()))?;
        Ok(Some(blob_of(&bytes, &row.content_type)?))
    }

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
        // The sealed photo stays as it is; only the row's progress changes.
        let mut row = PhotoRow::from_js(&existing)?;
        row.uploaded = uploaded;
        row.state = state;
        store
            .put(row.to_js(&sealed_of(&existing)?)?)
            .with_key(key)
            .without_key_type()
            .primitive()?
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
