//! The `requests` store: saving a request logged here (with its outbox entry, in one
//! transaction), listing them, and taking the records pulled from the ward record.

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use koe_core::{Mutation, MutationKind, NewRequest, RequestRecord};
use uuid::Uuid;

use super::record::{newest_first, LocalRequest};
use super::{
    PhotoRow, Store, StoreError, META, META_NEXT_MUTATION_ID, META_PULL_CURSOR, OUTBOX, PHOTOS,
    REQUESTS,
};

impl Store {
    /// Saves a request logged on this device: the request (未送信), its create mutation
    /// in the outbox and the next mutation id, in one transaction. Returns the mutation
    /// id. On error nothing is written.
    pub async fn save_new_request(&self, request: &NewRequest) -> Result<u64, StoreError> {
        self.save_new_request_with_photos(request, &[]).await
    }

    /// [`save_new_request`](Self::save_new_request) with the request's photos, all in the
    /// same transaction: a request is never stored without its photos, nor a photo
    /// without its request. On error (a full device included) nothing is written.
    pub async fn save_new_request_with_photos(
        &self,
        request: &NewRequest,
        photos: &[PhotoRow],
    ) -> Result<u64, StoreError> {
        let tx = self
            .db()
            .transaction([REQUESTS, OUTBOX, META, PHOTOS])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let requests = tx.object_store(REQUESTS)?;
        let outbox = tx.object_store(OUTBOX)?;
        let meta = tx.object_store(META)?;
        let photo_store = tx.object_store(PHOTOS)?;

        let next: Option<f64> = meta.get(META_NEXT_MUTATION_ID).serde()?.await?;
        let mutation_id = next.map_or(1, |n| n as u64);

        requests
            .add(LocalRequest::logged(request.clone()))
            .with_key(request.id.to_string())
            .without_key_type()
            .serde()?
            .await?;
        let mutation = Mutation {
            id: mutation_id,
            kind: MutationKind::CreateRequest {
                request: request.clone(),
            },
        };
        // Numbers, not BigInts: IndexedDB keys must be numbers to sort by id.
        outbox
            .add(mutation)
            .with_key(mutation_id as f64)
            .without_key_type()
            .serde()?
            .await?;
        meta.put((mutation_id + 1) as f64)
            .with_key(META_NEXT_MUTATION_ID)
            .without_key_type()
            .serde()?
            .await?;
        for photo in photos {
            photo_store
                .add(photo.to_js()?)
                .with_key(photo.key())
                .without_key_type()
                .primitive()?
                .await?;
        }
        tx.commit().await?;
        Ok(mutation_id)
    }

    /// Every request on the device, newest first.
    pub async fn requests(&self) -> Result<Vec<LocalRequest>, StoreError> {
        let tx = self.db().transaction(REQUESTS).build()?;
        let store = tx.object_store(REQUESTS)?;
        let mut list = store
            .get_all::<LocalRequest>()
            .serde()?
            .await?
            .collect::<Result<Vec<_>, _>>()?;
        newest_first(&mut list);
        Ok(list)
    }

    pub async fn request(&self, id: Uuid) -> Result<Option<LocalRequest>, StoreError> {
        let tx = self.db().transaction(REQUESTS).build()?;
        let store = tx.object_store(REQUESTS)?;
        Ok(store.get(id.to_string()).serde()?.await?)
    }

    /// Stores records pulled from the ward record on their local requests (creating
    /// entries for requests not logged here) and the new cursor, in one transaction.
    pub async fn apply_pull(
        &self,
        records: &[RequestRecord],
        cursor: i64,
    ) -> Result<(), StoreError> {
        let tx = self
            .db()
            .transaction([REQUESTS, META])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let requests = tx.object_store(REQUESTS)?;
        let meta = tx.object_store(META)?;
        for record in records {
            let key = record.id.to_string();
            let existing: Option<LocalRequest> = requests.get(key.as_str()).serde()?.await?;
            let updated = LocalRequest::pulled(existing, record.clone());
            requests
                .put(updated)
                .with_key(key)
                .without_key_type()
                .serde()?
                .await?;
        }
        meta.put(cursor as f64)
            .with_key(META_PULL_CURSOR)
            .without_key_type()
            .serde()?
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
