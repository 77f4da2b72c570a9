//! Taking over what an earlier version of the app kept unsealed for this person, in the
//! device's shared database (`crate::device::Device::adopt_legacy` decides what is theirs).

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;

use super::meta::put_number;
use super::{Store, StoreError, META, META_SENT_THROUGH, OUTBOX, PHOTOS, REQUESTS};

impl Store {
    /// Takes the work an earlier version of the app kept unsealed for this person
    /// (see `crate::device::Device::adopt_legacy`), sealed, in one transaction. Their
    /// numbers are below this database's range (it starts where the device's counter
    /// stood); the sent-through mark moves up to the earlier one.
    pub(crate) async fn take_legacy(
        &self,
        mutations: &[koe_core::Mutation],
        requests: &[koe_core::device::LocalRequest],
        photos: &[super::NewPhoto],
        legacy_sent_through: u64,
    ) -> Result<(), StoreError> {
        let sealed_photos = self.seal_photos(photos).await?;
        let tx = self
            .db()
            .transaction([REQUESTS, OUTBOX, META, PHOTOS])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let request_store = self.sealed(&tx, REQUESTS)?;
        let outbox = self.sealed(&tx, OUTBOX)?;
        let meta = tx.object_store(META)?;
        let photo_store = tx.object_store(PHOTOS)?;
        for r in requests {
            request_store.put(r.id.to_string(), r).await?;
        }
        for m in mutations {
            outbox.put(m.id as f64, m).await?;
        }
        super::photos::write_photos(&photo_store, &sealed_photos, true).await?;
        let sent: Option<f64> = meta.get(META_SENT_THROUGH).serde()?.await?;
        if sent.is_none_or(|s| (s as u64) < legacy_sent_through) {
            put_number(&meta, META_SENT_THROUGH, legacy_sent_through as f64).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
