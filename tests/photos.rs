#![cfg(target_arch = "wasm32")]
//! Photos in the device's IndexedDB, in a real browser: a request and its photos are
//! saved in one transaction (all or nothing), blobs come back byte for byte, and a
//! version 1 database gains the `photos` store without losing what it held.

use device::{fresh_name, logged_request, remove};
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use js_sys::{Array, Uint8Array};
use koe_app::store::{NewPhoto, PhotoRow, PhotoState, Store, SyncState};
use koe_core::{NewRequest, Urgency};
use uuid::Uuid;
use wasm_bindgen::JsCast;
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

fn photo(request_id: Uuid, bytes: &[u8]) -> NewPhoto {
    NewPhoto {
        row: PhotoRow {
            photo_id: koe_app::ids::new_client_id().expect("random"),
            request_id,
            sha256: koe_app::photos::hex(&[bytes.len() as u8; 32]),
            size: bytes.len() as u64,
            content_type: "image/jpeg".into(),
            uploaded: 0,
            state: PhotoState::Waiting,
        },
        blob: blob(bytes),
    }
}

/// The photo as the store opens it.
async fn opened(store: &Store, photo_id: Uuid) -> Vec<u8> {
    let blob = store
        .photo_blob(photo_id)
        .await
        .expect("read")
        .expect("kept");
    bytes_of(&blob).await
}

#[wasm_bindgen_test]
async fn a_request_and_its_two_photos_are_saved_together() {
    let name = fresh_name();
    let store = Store::open(&name, device::test_key()).await.expect("open");
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
    assert_eq!(opened(&store, stored[0].photo_id).await, first);
    assert_eq!(opened(&store, stored[1].photo_id).await, second);
    assert_eq!(stored[0].state, PhotoState::Waiting);
    assert_eq!(stored[0].sha256, photos[0].row.sha256);
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
    assert_eq!(opened(&store, synced.photo_id).await, first);
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
    let store = Store::open(&name, device::test_key()).await.expect("open");
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
    clash.row.photo_id = kept.row.photo_id;
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

/// The raw values of object store `name` in database `db`, as devtools would show them.
async fn raw_values(db: &str, name: &str) -> Vec<wasm_bindgen::JsValue> {
    let raw = Database::open(db).await.expect("open raw");
    let tx = raw.transaction(name).build().expect("tx");
    let values = tx
        .object_store(name)
        .expect("store")
        .get_all::<wasm_bindgen::JsValue>()
        .primitive()
        .expect("get_all")
        .await
        .expect("get_all")
        .collect::<Result<Vec<_>, _>>()
        .expect("values");
    drop(tx);
    raw.close();
    values
}

fn readable(value: &wasm_bindgen::JsValue, text: &str) -> bool {
    let shown = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default();
    let bytes = value
        .dyn_ref::<Uint8Array>()
        .map(|b| b.to_vec())
        .unwrap_or_default();
    let needle = text.as_bytes();
    shown.contains(text) || bytes.windows(needle.len()).any(|w| w == needle)
}

#[wasm_bindgen_test]
async fn what_the_database_holds_is_sealed_and_opens_only_with_the_key() {
    let name = fresh_name();
    let store = Store::open(&name, device::test_key()).await.expect("open");
    let r = logged_request("独居高齢者の見守り", "82歳、介護の相談", Urgency::High);
    let jpeg = [0xFF, 0xD8, 0xFF, b'S', b'E', b'C', b'R', b'E', b'T'];
    let taken = photo(r.id, &jpeg);
    store
        .save_new_request_with_photos(&r, std::slice::from_ref(&taken))
        .await
        .expect("save");
    for store_name in ["requests", "outbox"] {
        let values = raw_values(&name, store_name).await;
        assert_eq!(values.len(), 1, "{store_name}");
        assert!(
            !readable(&values[0], "独居高齢者"),
            "{store_name} shows the title"
        );
        assert!(
            !readable(&values[0], "介護"),
            "{store_name} shows the description"
        );
        assert!(
            !readable(&values[0], "高津区"),
            "{store_name} shows the address"
        );
    }
    // The photo's bytes are sealed too.
    let photo_rows = raw_values(&name, "photos").await;
    let sealed: Blob = js_sys::Reflect::get(&photo_rows[0], &"sealed".into())
        .expect("sealed")
        .dyn_into()
        .expect("a blob");
    let sealed_bytes = bytes_of(&sealed).await;
    assert!(!sealed_bytes.windows(6).any(|w| w == b"SECRET"));
    store.close();

    // Another key opens nothing, and says so rather than showing garbage.
    let other = Store::open(&name, koe_core::vault::SealKey::from_bytes(&[8; 32]))
        .await
        .expect("open");
    assert!(other.requests().await.is_err());
    assert!(other.photo_blob(taken.row.photo_id).await.is_err());
    other.close();
    // The right key opens all of it again.
    let again = Store::open(&name, device::test_key()).await.expect("open");
    let title = again.requests().await.expect("read")[0]
        .request
        .as_ref()
        .map(|r| r.title.clone());
    assert_eq!(title.as_deref(), Some("独居高齢者の見守り"));
    let photos = again.photos_of(r.id).await.expect("photos");
    assert_eq!(opened(&again, photos[0].photo_id).await, jpeg);
    remove(again, &name).await;
}

#[wasm_bindgen_test]
async fn work_an_earlier_version_kept_unsealed_moves_to_its_author_only() {
    use koe_app::device::Device;
    use koe_core::{Mutation, MutationKind};
    let device_name = fresh_name();
    // The device database as version 2 left it: everyone's work in the clear.
    let old = Database::open(device_name.as_str())
        .with_version(2u32)
        .with_on_upgrade_needed(|_, db| {
            for s in ["requests", "outbox", "meta", "photos"] {
                db.create_object_store(s).build()?;
            }
            Ok(())
        })
        .await
        .expect("open v2");
    let road = logged_request("道路の穴", "深さ10cm", Urgency::High);
    let welfare = logged_request("見守り", "介護の相談", Urgency::High);
    let pulled = logged_request("他課の受付", "同期済み", Urgency::Low);
    {
        let tx = old
            .transaction(["requests", "outbox", "meta"])
            .with_mode(TransactionMode::Readwrite)
            .build()
            .expect("tx");
        let requests = tx.object_store("requests").expect("requests");
        let outbox = tx.object_store("outbox").expect("outbox");
        for (n, (r, by)) in [(&road, "road01"), (&welfare, "welfare01")]
            .into_iter()
            .enumerate()
        {
            let local = koe_core::device::LocalRequest::logged_by(r.clone(), Some(by));
            requests
                .put(local)
                .with_key(r.id.to_string())
                .without_key_type()
                .serde()
                .expect("put")
                .await
                .expect("put");
            let m = Mutation {
                id: 40 + n as u64,
                author: Some(by.into()),
                kind: MutationKind::CreateRequest { request: r.clone() },
            };
            outbox
                .put(m)
                .with_key(40.0 + n as f64)
                .without_key_type()
                .serde()
                .expect("put")
                .await
                .expect("put");
        }
        let mut synced = koe_core::device::LocalRequest::logged_by(pulled.clone(), Some("park01"));
        synced.sync = SyncState::Synced { version: 1 };
        requests
            .put(synced)
            .with_key(pulled.id.to_string())
            .without_key_type()
            .serde()
            .expect("put")
            .await
            .expect("put");
        tx.object_store("meta")
            .expect("meta")
            .put(42.0)
            .with_key("next_mutation_id")
            .without_key_type()
            .serde()
            .expect("put")
            .await
            .expect("put");
        tx.commit().await.expect("commit");
    }
    old.close();

    let device = Device::open(&device_name).await.expect("upgrade");
    let person_name = fresh_name();
    let store = Store::open(&person_name, device::test_key())
        .await
        .expect("open");
    assert!(!store.is_prepared().await.expect("new"));
    let first = device.take_id_range().await.expect("range");
    assert!(first >= 42, "above every number used before: {first}");
    store
        .prepare(device.client_id().await.expect("id"), first)
        .await
        .expect("prepare");
    assert_eq!(
        device.adopt_legacy(&store, "road01").await.expect("adopt"),
        1
    );
    // road01's request and its create, sealed in road01's database.
    let mine = store.outbox_batch(10).await.expect("outbox");
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].id, 40);
    assert_eq!(mine[0].kind.request_id(), road.id);
    assert_eq!(store.requests().await.expect("read").len(), 1);
    // The next mutation is numbered from road01's own range.
    let next = store.save_new_request(&request("次")).await.expect("save");
    assert_eq!(next, first);
    // welfare01's stays where it was, for welfare01; the pulled copy is gone.
    let left = raw_values(&device_name, "outbox").await;
    assert_eq!(left.len(), 1);
    assert_eq!(raw_values(&device_name, "requests").await.len(), 1);
    // Doing it again moves nothing more.
    assert_eq!(
        device.adopt_legacy(&store, "road01").await.expect("again"),
        0
    );
    device.close();
    remove(store, &person_name).await;
    if let Ok(req) = Database::delete_by_name(&device_name) {
        let _ = req.await;
    }
}
