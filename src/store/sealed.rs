//! An object store whose values are sealed with the person's data key
//! (`koe_core::vault`): what IndexedDB holds is `nonce ‖ ciphertext ‖ tag` bytes, and
//! only the keys (request ids, mutation numbers, photo ids) are in the clear. Sealing is
//! plain Rust, synchronous, so it runs inside a transaction without letting it close.

use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use js_sys::Uint8Array;
use koe_core::vault::SealKey;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use super::StoreError;

/// One object store of a transaction, and the key that seals its values.
pub(crate) struct Sealed<'a> {
    store: ObjectStore<'a>,
    key: &'a SealKey,
}

/// Random bytes from the browser's CSPRNG.
pub fn random<const N: usize>() -> Result<[u8; N], StoreError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Failed(format!("random: {e}")))?;
    Ok(bytes)
}

/// Seals `value` as JSON into the bytes IndexedDB keeps.
pub(crate) fn seal<T: Serialize>(key: &SealKey, value: &T) -> Result<JsValue, StoreError> {
    Ok(Uint8Array::from(key.seal_json(random()?, value).as_slice()).into())
}

/// Opens what [`seal`] made; anything else (a value from before sealing, or sealed
/// under another key) is an error, never taken as data.
pub(crate) fn open<T: DeserializeOwned>(key: &SealKey, raw: JsValue) -> Result<T, StoreError> {
    let bytes = raw
        .dyn_into::<Uint8Array>()
        .map_err(|_| StoreError::Failed("a value on the device is not sealed".into()))?;
    key.open_json(&bytes.to_vec())
        .map_err(|_| StoreError::Failed("a value on the device does not open".into()))
}

impl<'a> Sealed<'a> {
    pub(crate) fn new(store: ObjectStore<'a>, key: &'a SealKey) -> Self {
        Self { store, key }
    }

    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        id: impl Into<JsValue>,
    ) -> Result<Option<T>, StoreError> {
        let raw: Option<JsValue> = self
            .store
            .get::<JsValue, JsValue, JsValue>(id.into())
            .primitive()?
            .await?;
        raw.map(|r| open(self.key, r)).transpose()
    }

    pub(crate) async fn put<T: Serialize>(
        &self,
        id: impl Into<JsValue>,
        value: &T,
    ) -> Result<(), StoreError> {
        self.store
            .put(seal(self.key, value)?)
            .with_key(id.into())
            .without_key_type()
            .primitive()?
            .await?;
        Ok(())
    }

    /// Like [`put`](Self::put), failing if the key is taken.
    pub(crate) async fn add<T: Serialize>(
        &self,
        id: impl Into<JsValue>,
        value: &T,
    ) -> Result<(), StoreError> {
        self.store
            .add(seal(self.key, value)?)
            .with_key(id.into())
            .without_key_type()
            .primitive()?
            .await?;
        Ok(())
    }

    /// Every value, in key order.
    pub(crate) async fn all<T: DeserializeOwned>(&self) -> Result<Vec<T>, StoreError> {
        let raw = self
            .store
            .get_all::<JsValue>()
            .primitive()?
            .await?
            .collect::<Result<Vec<_>, _>>()?;
        raw.into_iter().map(|r| open(self.key, r)).collect()
    }

    /// The first `limit` values, in key order.
    pub(crate) async fn first<T: DeserializeOwned>(
        &self,
        limit: u32,
    ) -> Result<Vec<T>, StoreError> {
        let raw = self
            .store
            .get_all::<JsValue>()
            .with_limit(limit)
            .primitive()?
            .await?
            .collect::<Result<Vec<_>, _>>()?;
        raw.into_iter().map(|r| open(self.key, r)).collect()
    }

    /// The values of `ids`, in their order: every read is issued before the first is
    /// awaited, so IndexedDB serves them in one pass rather than one round trip each.
    pub(crate) async fn get_many<T: DeserializeOwned>(
        &self,
        ids: &[JsValue],
    ) -> Result<Vec<Option<T>>, StoreError> {
        let issued = ids
            .iter()
            .map(|id| {
                self.store
                    .get::<JsValue, JsValue, JsValue>(id.clone())
                    .primitive()
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut values = Vec::with_capacity(issued.len());
        for request in issued {
            let raw: Option<JsValue> = request.await?;
            values.push(raw.map(|r| open(self.key, r)).transpose()?);
        }
        Ok(values)
    }

    /// Puts every value under its key, issued all at once and then awaited (see
    /// [`get_many`](Self::get_many)).
    pub(crate) async fn put_many<'v, T: Serialize + 'v>(
        &self,
        items: impl IntoIterator<Item = (JsValue, &'v T)>,
    ) -> Result<(), StoreError> {
        let issued = items
            .into_iter()
            .map(|(id, value)| {
                Ok(self
                    .store
                    .put(seal(self.key, value)?)
                    .with_key(id)
                    .without_key_type()
                    .primitive()?)
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        for request in issued {
            request.await?;
        }
        Ok(())
    }

    /// Deletes every key, issued all at once and then awaited.
    pub(crate) async fn delete_many(
        &self,
        ids: impl IntoIterator<Item = JsValue>,
    ) -> Result<(), StoreError> {
        let issued = ids
            .into_iter()
            .map(|id| self.store.delete::<JsValue, JsValue>(id).primitive())
            .collect::<Result<Vec<_>, _>>()?;
        for request in issued {
            request.await?;
        }
        Ok(())
    }

    pub(crate) async fn delete(&self, id: impl Into<JsValue>) -> Result<(), StoreError> {
        self.store
            .delete::<JsValue, JsValue>(id.into())
            .primitive()?
            .await?;
        Ok(())
    }

    pub(crate) async fn count(&self) -> Result<u32, StoreError> {
        Ok(self.store.count().primitive()?.await?)
    }
}
