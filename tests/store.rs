#![cfg(target_arch = "wasm32")]
//! The device's IndexedDB in a real browser: a saved request and its outbox entry are
//! written together, mutation ids rise by one, and push answers settle them.

use device::{fresh, logged_request, remove};
use koe_app::store::{settlements, SyncState};
use koe_core::sync::Outcome;
use koe_core::{
    Bilingual, MutationKind, MutationOutcome, NewRequest, Place, RequestRecord, Status, Urgency,
};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

mod device;

wasm_bindgen_test_configure!(run_in_browser);

fn request(title: &str) -> NewRequest {
    let mut r = logged_request(title, "高齢の方がつまずいたとのこと。", Urgency::High);
    r.place = Place {
        lat: Some(35.6),
        lon: Some(139.6),
        accuracy_m: Some(8.5),
        ..r.place
    };
    r
}

#[wasm_bindgen_test]
async fn saving_writes_the_request_and_its_outbox_entry() {
    let (store, name) = fresh().await;
    let r = request("歩道の段差");
    let mutation_id = store.save_new_request(&r).await.expect("save");
    assert_eq!(mutation_id, 1);

    let local = store.request(r.id).await.expect("read").expect("stored");
    assert_eq!(local.request.as_ref(), Some(&r));
    assert_eq!(local.sync, SyncState::Waiting);
    assert!(local.server.is_none());

    let outbox = store.outbox_batch(200).await.expect("outbox");
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].id, 1);
    assert_eq!(
        outbox[0].kind,
        MutationKind::CreateRequest { request: r.clone() }
    );
    assert_eq!(store.outbox_len().await.expect("count"), 1);
    assert_eq!(store.requests().await.expect("list").len(), 1);
    remove(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_failed_save_writes_nothing() {
    let (store, name) = fresh().await;
    let r = request("一度目");
    store.save_new_request(&r).await.expect("save");
    // The same id again: the request store refuses it, so the whole transaction rolls
    // back and no second outbox entry or mutation id is used.
    assert!(store.save_new_request(&r).await.is_err());
    assert_eq!(store.outbox_len().await.expect("count"), 1);
    let next = request("二度目");
    assert_eq!(store.save_new_request(&next).await.expect("save"), 2);
    remove(store, &name).await;
}

#[wasm_bindgen_test]
async fn mutation_ids_rise_by_one_and_the_outbox_keeps_their_order() {
    let (store, name) = fresh().await;
    let mut ids = Vec::new();
    for i in 0..12 {
        ids.push(
            store
                .save_new_request(&request(&format!("件名{i}")))
                .await
                .expect("save"),
        );
    }
    assert_eq!(ids, (1..=12).collect::<Vec<u64>>());
    let batch = store.outbox_batch(5).await.expect("outbox");
    assert_eq!(
        batch.iter().map(|m| m.id).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    // Number keys sort numerically: 10 comes after 9, not after 1.
    let all = store.outbox_batch(200).await.expect("outbox");
    assert_eq!(all.last().map(|m| m.id), Some(12));
    remove(store, &name).await;
}

#[wasm_bindgen_test]
async fn push_outcomes_settle_requests_and_empty_the_outbox() {
    let (store, name) = fresh().await;
    let applied = request("適用");
    let rejected = request("却下");
    let waiting = request("未送信のまま");
    for r in [&applied, &rejected, &waiting] {
        store.save_new_request(r).await.expect("save");
    }
    let batch = store.outbox_batch(2).await.expect("outbox");
    let reason = Bilingual::new("分類がありません。", "No such category.");
    let outcomes = [
        MutationOutcome {
            mutation_id: 1,
            outcome: Outcome::Applied { version: 41 },
        },
        MutationOutcome {
            mutation_id: 2,
            outcome: Outcome::Rejected {
                code: "unknown_category".into(),
                message: reason.clone(),
            },
        },
    ];
    store
        .settle(&settlements(&batch, &outcomes))
        .await
        .expect("settle");

    let a = store
        .request(applied.id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(a.sync, SyncState::Synced { version: 41 });
    let r = store
        .request(rejected.id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(
        r.sync,
        SyncState::Rejected {
            code: "unknown_category".into(),
            message: reason
        }
    );
    assert_eq!(
        r.request.as_ref(),
        Some(&rejected),
        "a rejected request is kept"
    );
    let w = store
        .request(waiting.id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(w.sync, SyncState::Waiting);

    let left = store.outbox_batch(200).await.expect("outbox");
    assert_eq!(left.iter().map(|m| m.id).collect::<Vec<_>>(), [3]);
    remove(store, &name).await;
}

#[wasm_bindgen_test]
async fn pulled_records_update_local_requests_and_the_cursor() {
    let (store, name) = fresh().await;
    let mine = request("自分の");
    store.save_new_request(&mine).await.expect("save");
    assert_eq!(store.pull_cursor().await.expect("cursor"), 0);
    let record = |r: &NewRequest, version| RequestRecord {
        status: Status::Routed,
        ..RequestRecord::created(r, "road", "road01", r.logged_at + 1, version)
    };
    let other = request("他の端末の");
    store
        .apply_pull(&[record(&mine, 5), record(&other, 6)], &[], 6)
        .await
        .expect("pull");
    assert_eq!(store.pull_cursor().await.expect("cursor"), 6);
    let m = store.request(mine.id).await.expect("read").expect("kept");
    assert_eq!(m.status(), Some(Status::Routed));
    assert_eq!(m.sync, SyncState::Synced { version: 5 });
    let o = store
        .request(other.id)
        .await
        .expect("read")
        .expect("created");
    assert!(o.request.is_none());
    assert_eq!(store.requests().await.expect("list").len(), 2);
    remove(store, &name).await;
}

#[wasm_bindgen_test]
async fn the_device_id_is_made_once() {
    let (store, name) = fresh().await;
    let a = store.client_id().await.expect("id");
    let b = store.client_id().await.expect("id");
    assert_eq!(a, b);
    remove(store, &name).await;
}

/// Each mutation of `batch` applied, at version `base` + its id.
fn applied_from(batch: &[koe_core::Mutation], base: i64) -> Vec<MutationOutcome> {
    batch
        .iter()
        .map(|m| MutationOutcome {
            mutation_id: m.id,
            outcome: Outcome::Applied {
                version: base + m.id as i64,
            },
        })
        .collect()
}

/// A push's answer settles its mutations and stores the requests it brought, in one
/// transaction: the next pull leaves out this device's own changes from the lowest
/// mutation answered (`mine_from`), until a pull ends.
#[wasm_bindgen_test]
async fn a_push_answer_brings_its_requests_and_marks_them_for_the_next_pull() {
    let (store, name) = fresh().await;
    let rs: Vec<NewRequest> = (0..30).map(|i| request(&format!("段差 {i}"))).collect();
    for r in &rs {
        store.save_new_request(r).await.expect("save");
    }
    assert_eq!(store.mine_from().await.expect("mark"), None);
    // The first ten, answered: they come back routed, with the ward record's copy.
    let batch = store.outbox_batch(10).await.expect("outbox");
    assert_eq!(batch.len(), 10);
    assert_eq!(
        batch.iter().map(|m| m.id).collect::<Vec<_>>(),
        (1..=10).collect::<Vec<_>>()
    );
    let outcomes = applied_from(&batch, 100);
    let records: Vec<RequestRecord> = rs[..10]
        .iter()
        .enumerate()
        .map(|(i, r)| RequestRecord {
            status: Status::Routed,
            ..RequestRecord::created(r, "road", "road01", r.logged_at + 1, 101 + i as i64)
        })
        .collect();
    store
        .settle_with(&settlements(&batch, &outcomes), &records)
        .await
        .expect("settle");
    assert_eq!(store.mine_from().await.expect("mark"), Some(1));
    for (i, r) in rs[..10].iter().enumerate() {
        let local = store.request(r.id).await.expect("read").expect("kept");
        assert_eq!(
            local.sync,
            SyncState::Synced {
                version: 101 + i as i64
            }
        );
        assert_eq!(
            local.status(),
            Some(Status::Routed),
            "the ward record's copy"
        );
        assert_eq!(
            local.server.as_ref().map(|s| s.version),
            Some(101 + i as i64)
        );
    }
    assert_eq!(store.outbox_len().await.expect("count"), 20);
    // The next batch starts where the first ended; the mark stays at the lowest.
    let next = store.outbox_batch(10).await.expect("outbox");
    assert_eq!(next[0].id, 11);
    let outcomes = applied_from(&next, 200);
    store
        .settle_with(&settlements(&next, &outcomes), &[])
        .await
        .expect("settle");
    assert_eq!(store.mine_from().await.expect("mark"), Some(1));
    // A page that is not the last keeps the mark; the last clears it.
    store
        .apply_pull_page(&[], &[], 150, false)
        .await
        .expect("page");
    assert_eq!(store.mine_from().await.expect("mark"), Some(1));
    store
        .apply_pull_page(&[], &[], 250, true)
        .await
        .expect("last page");
    assert_eq!(store.mine_from().await.expect("mark"), None);
    assert_eq!(store.pull_cursor().await.expect("cursor"), 250);
    remove(store, &name).await;
}
