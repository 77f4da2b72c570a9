#![cfg(target_arch = "wasm32")]
//! Photos in the device's IndexedDB, in a real browser: a request and its photos are
//! saved in one transaction (all or nothing), blobs come back byte for byte, and a
//! version 1 database gains the `photos` store without losing what it held.

use device::{fresh_name, logged_request, remove};
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use js_sys::{Array, Uint8Array};
use koe_app::store::{PhotoRow, PhotoState, Store, SyncState};
use koe_core::{NewRequest, Urgency};
use uuid::Uuid;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Blob;

mod device;

wasm_bindgen_test_configure!(run_in_browser);

fn request(title: &str) -> NewRequest {
    logged_request(title, "写真あり", Urgency::High)
}

fn blob(bytes: &[u8]) -> Blob {
    Blob::new_with_u8_array_sequence(&Array::of1(&Uint8Array::from(bytes))).expect("blob")
}

async fn bytes_of(blob: &Blob) -> Vec<u8> {
    let buffer = JsFuture::from(blob.array_buffer()).await.expect("read");
    Uint8Array::new(&buffer).to_vec()
}

fn photo(request_id: Uuid, bytes: &[u8]) -> PhotoRow {
    PhotoRow {
        photo_id: koe_app::ids::new_client_id().expect("random"),
        request_id,
        sha256: koe_app::photos::hex(&[bytes.len() as u8; 32]),
        size: bytes.len() as u64,
        content_type: "image/jpeg".into(),
        blob: blob(bytes),
        uploaded: 0,
        state: PhotoState::Waiting,
    }
}

#[wasm_bindgen_test]
async fn a_request_and_its_two_photos_are_saved_together() {
    let name = fresh_name();
    let store = Store::open(&name).await.expect("open");
    let r = request("写真二枚");
    let first = [0xFF, 0xD8, 0xFF, 1, 2, 3];
    let second = [0xFF, 0xD8, 0xFF, 9, 8, 7, 6, 5];
    let photos = [photo(r.id, &first), photo(r.id, &second)];
    let mutation = store
        .save_new_request_with_photos(&r, &photos)
        .await
        .expect("save");
    assert_eq!(mutation, 1);
    assert_eq!(
        store.request(r.id).await.expect("read").map(|l| l.sync),
        Some(SyncState::Waiting)
    );
    assert_eq!(store.outbox_len().await.expect("outbox"), 1);

    let mut stored = store.photos_of(r.id).await.expect("photos");
    assert_eq!(stored.len(), 2);
    stored.sort_by_key(|p| p.size);
    assert_eq!(bytes_of(&stored[0].blob).await, first);
    assert_eq!(bytes_of(&stored[1].blob).await, second);
    assert_eq!(stored[0].state, PhotoState::Waiting);
    assert_eq!(stored[0].sha256, photos[0].sha256);
    assert_eq!(stored[0].content_type, "image/jpeg");
    let counts = store.photo_counts().await.expect("counts");
    assert_eq!(counts[&r.id].total, 2);
    assert_eq!(counts[&r.id].synced, 0);

    // Upload progress and the end state are kept; the blob stays.
    store
        .update_photo(stored[1].photo_id, 4, PhotoState::Uploading)
        .await
        .expect("update");
    store
        .update_photo(stored[0].photo_id, 6, PhotoState::Synced)
        .await
        .expect("update");
    let again = store.photos_of(r.id).await.expect("photos");
    let synced = again
        .iter()
        .find(|p| p.photo_id == stored[0].photo_id)
        .expect("kept");
    assert_eq!(synced.state, PhotoState::Synced);
    assert_eq!(synced.uploaded, 6);
    assert_eq!(bytes_of(&synced.blob).await, first);
    let reason = PhotoState::Rejected("画像ではありません / Not an image".into());
    store
        .update_photo(stored[1].photo_id, 0, reason.clone())
        .await
        .expect("update");
    let rejected = store.photos_of(r.id).await.expect("photos");
    assert!(rejected.iter().any(|p| p.state == reason));
    remove(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_failed_save_writes_neither_the_request_nor_its_photos() {
    let name = fresh_name();
    let store = Store::open(&name).await.expect("open");
    let r = request("一件目");
    let kept = photo(r.id, &[0xFF, 0xD8, 0xFF, 0]);
    store
        .save_new_request_with_photos(&r, std::slice::from_ref(&kept))
        .await
        .expect("save");

    // A new request whose second photo reuses a stored photo id: the photos store
    // refuses it, so the request, its outbox entry and its first photo go too.
    let next = request("二件目");
    let mut clash = photo(next.id, &[0xFF, 0xD8, 0xFF, 2]);
    clash.photo_id = kept.photo_id;
    let lost = photo(next.id, &[0xFF, 0xD8, 0xFF, 1]);
    assert!(store
        .save_new_request_with_photos(&next, &[lost.clone(), clash])
        .await
        .is_err());
    assert!(store.request(next.id).await.expect("read").is_none());
    assert_eq!(store.outbox_len().await.expect("outbox"), 1);
    let all = store.photos().await.expect("photos");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].request_id, r.id);

    // The same request again (its id is taken): its new photos are not written either.
    let again = photo(r.id, &[0xFF, 0xD8, 0xFF, 3]);
    assert!(store
        .save_new_request_with_photos(&r, &[again])
        .await
        .is_err());
    assert_eq!(store.photos().await.expect("photos").len(), 1);
    // And the mutation ids carry on from where they were.
    assert_eq!(
        store
            .save_new_request_with_photos(&next, &[lost])
            .await
            .expect("save"),
        2
    );
    assert_eq!(store.photos().await.expect("photos").len(), 2);
    remove(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_version_1_database_gains_the_photos_store_and_keeps_its_requests() {
    let name = fresh_name();
    // The schema as version 1 made it, with one value in `meta`.
    let old = Database::open(name.as_str())
        .with_version(1u32)
        .with_on_upgrade_needed(|_, db| {
            db.create_object_store("requests").build()?;
            db.create_object_store("outbox").build()?;
            db.create_object_store("meta").build()?;
            Ok(())
        })
        .await
        .expect("open v1");
    {
        let tx = old
            .transaction("meta")
            .with_mode(TransactionMode::Readwrite)
            .build()
            .expect("tx");
        let meta = tx.object_store("meta").expect("meta");
        meta.put(41.0)
            .with_key("next_mutation_id")
            .without_key_type()
            .serde()
            .expect("put")
            .await
            .expect("put");
        tx.commit().await.expect("commit");
    }
    old.close();

    let store = Store::open(&name).await.expect("upgrade");
    let r = request("更新後");
    let p = photo(r.id, &[0xFF, 0xD8, 0xFF, 4]);
    // Version 1's next mutation id is still there.
    assert_eq!(
        store
            .save_new_request_with_photos(&r, &[p])
            .await
            .expect("save"),
        41
    );
    assert_eq!(store.photos_of(r.id).await.expect("photos").len(), 1);
    remove(store, &name).await;
}
