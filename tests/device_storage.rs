#![cfg(target_arch = "wasm32")]
//! Storage on the device, in a real browser's IndexedDB: clearing old synced requests
//! never takes one still to be sent or decided, the setting is kept, the list filters
//! what is stored, and only one holder of the sync lock runs a sync.

use std::collections::HashSet;

use device::{fresh, remove};
use js_sys::{Array, Function, Promise, Uint8Array};
use koe_app::store::{
    filter_list, list_entries, settlements, ListFilter, NewPhoto, PhotoRow, PhotoState,
    StateFilter, Store, CLEAR_AFTER_DAYS, DEFAULT_CLEAR_AFTER_DAYS,
};
use koe_app::sync::with_sync_lock;
use koe_core::search::Query;
use koe_core::sync::Outcome;
use koe_core::{
    Bilingual, EditableField, FieldValue, MutationOutcome, NewRequest, Place, Status, Urgency,
};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Blob;

mod device;

wasm_bindgen_test_configure!(run_in_browser);

const DAY: i64 = 86_400_000;

fn now() -> i64 {
    js_sys::Date::now() as i64
}

fn request(title: &str, days_ago: i64) -> NewRequest {
    NewRequest {
        id: koe_app::ids::new_request_id().expect("random"),
        category: "road-pothole".into(),
        title: title.into(),
        description: "歩道に段差があります。".into(),
        place: Place {
            address: "高津区下作延2-8".into(),
            ..Place::default()
        },
        urgency: Urgency::Medium,
        logged_at: now() - days_ago * DAY,
        contact: Default::default(),
    }
}

fn photo(request_id: Uuid, state: PhotoState) -> NewPhoto {
    let bytes = [0xFF, 0xD8, 0xFF, 0xD9];
    NewPhoto {
        row: PhotoRow {
            photo_id: koe_app::ids::new_client_id().expect("random"),
            request_id,
            sha256: koe_app::photos::hex(&[7; 32]),
            size: bytes.len() as u64,
            content_type: "image/jpeg".into(),
            uploaded: if state == PhotoState::Synced { 4 } else { 0 },
            state,
        },
        blob: Blob::new_with_u8_array_sequence(&Array::of1(&Uint8Array::from(&bytes[..])))
            .expect("blob"),
    }
}

/// Answers every mutation in the outbox with `outcome`, as a push would.
async fn answer_all(store: &Store, outcome: impl Fn(u64) -> Outcome) {
    let batch = store.outbox_batch(500).await.expect("outbox");
    let outcomes: Vec<_> = batch
        .iter()
        .map(|m| MutationOutcome {
            mutation_id: m.id,
            outcome: outcome(m.id),
        })
        .collect();
    store
        .settle(&settlements(&batch, &outcomes))
        .await
        .expect("settle");
}

#[wasm_bindgen_test]
async fn clearing_takes_only_old_synced_requests_and_their_photos() {
    let (store, name) = fresh().await;
    let old_synced = request("古い送信済", 200);
    let old_photo = photo(old_synced.id, PhotoState::Synced);
    let photo_waiting = request("写真が未送信", 200);
    let waiting_photo = photo(photo_waiting.id, PhotoState::Waiting);
    let edited = request("変更が未送信", 200);
    let conflict = request("競合", 200);
    let rejected = request("却下", 200);
    let recent = request("最近の送信済", 10);
    for (r, photos) in [
        (&old_synced, vec![old_photo.clone()]),
        (&photo_waiting, vec![waiting_photo.clone()]),
        (&edited, vec![]),
        (&conflict, vec![]),
        (&rejected, vec![]),
        (&recent, vec![]),
    ] {
        store
            .save_new_request_with_photos(r, &photos)
            .await
            .expect("save");
    }
    // The ward record takes every create but one.
    let refused = store
        .outbox_batch(500)
        .await
        .expect("outbox")
        .iter()
        .find(|m| m.kind.request_id() == rejected.id)
        .map(|m| m.id)
        .expect("queued");
    answer_all(&store, |id| {
        if id == refused {
            Outcome::Rejected {
                code: "unknown_category".into(),
                message: Bilingual::new("分類がありません。", "No such category."),
            }
        } else {
            Outcome::Applied { version: 5 }
        }
    })
    .await;
    // Two edits made on the device after syncing; one loses to the office's change.
    for r in [&edited, &conflict] {
        store
            .save_edit(
                r.id,
                vec![FieldValue::Title(format!("{}（直し）", r.title))],
            )
            .await
            .expect("edit");
    }
    let lost = store
        .outbox_batch(500)
        .await
        .expect("outbox")
        .iter()
        .find(|m| m.kind.request_id() == conflict.id)
        .map(|m| m.id)
        .expect("queued");
    let batch: Vec<_> = store
        .outbox_batch(500)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.id == lost)
        .collect();
    let answer = [MutationOutcome {
        mutation_id: lost,
        outcome: Outcome::Conflict {
            version: 9,
            fields: vec![EditableField::Title],
        },
    }];
    store
        .settle(&settlements(&batch, &answer))
        .await
        .expect("settle");
    let c = store
        .request(conflict.id)
        .await
        .expect("read")
        .expect("kept");
    assert!(
        !c.conflicts.is_empty(),
        "the lost edit is kept as a conflict"
    );
    let waiting_before = store.outbox_len().await.expect("count");
    assert_eq!(waiting_before, 1, "only the unsent edit waits");

    let counts = store.device_counts().await.expect("counts");
    assert_eq!(counts.requests_synced, 3);
    assert_eq!(counts.requests_waiting, 1);
    assert_eq!(counts.requests_attention, 2, "rejected and in conflict");
    assert_eq!((counts.photos_synced, counts.photos_waiting), (1, 1));

    let cutoff = now() - 90 * DAY;
    let preview = store.clearable_before(cutoff).await.expect("preview");
    assert_eq!(preview.requests, [old_synced.id]);
    assert_eq!(preview.photos, [old_photo.row.photo_id]);

    let done = store.clear_synced_before(cutoff).await.expect("clear");
    assert_eq!(done, preview);
    let left: HashSet<Uuid> = store
        .requests()
        .await
        .expect("list")
        .iter()
        .map(|l| l.id)
        .collect();
    let expected: HashSet<Uuid> = [
        photo_waiting.id,
        edited.id,
        conflict.id,
        rejected.id,
        recent.id,
    ]
    .into();
    assert_eq!(left, expected);
    let photos = store.photos().await.expect("photos");
    assert_eq!(
        photos.iter().map(|p| p.photo_id).collect::<Vec<_>>(),
        [waiting_photo.row.photo_id],
        "the waiting photo stays, the cleared request's synced photo goes"
    );
    assert_eq!(store.outbox_len().await.expect("count"), waiting_before);

    // Nothing more to clear; a cutoff in the future still spares what is not settled.
    assert!(store
        .clear_synced_before(cutoff)
        .await
        .expect("clear")
        .requests
        .is_empty());
    let all = store.clear_synced_before(now() + DAY).await.expect("clear");
    assert_eq!(all.requests, [recent.id]);
    assert_eq!(store.requests().await.expect("list").len(), 4);
    remove(store, &name).await;
}

#[wasm_bindgen_test]
async fn the_clearing_age_is_kept_on_the_device() {
    let (store, name) = fresh().await;
    assert_eq!(
        store.clear_after_days().await.expect("read"),
        DEFAULT_CLEAR_AFTER_DAYS
    );
    store.set_clear_after_days(180).await.expect("set");
    assert_eq!(store.clear_after_days().await.expect("read"), 180);
    assert!(store.set_clear_after_days(7).await.is_err());
    assert!(!CLEAR_AFTER_DAYS.contains(&7));
    assert_eq!(store.clear_after_days().await.expect("read"), 180);
    // Kept across opening the database again.
    store.close();
    let again = Store::open(&name, device::test_key()).await.expect("open");
    assert_eq!(again.clear_after_days().await.expect("read"), 180);
    remove(again, &name).await;
}

#[wasm_bindgen_test]
async fn the_list_filters_what_is_stored() {
    let (store, name) = fresh().await;
    let places = ["溝口駅前", "郵便局の前", "ＡＢＣマンション１２号"];
    let mut saved = Vec::new();
    for i in 0..240i64 {
        let mut r = request(&format!("受付{i}"), i);
        r.place.landmark = places[i as usize % 3].into();
        if i % 4 == 0 {
            r.category = "park-bench".into();
        }
        store.save_new_request(&r).await.expect("save");
        saved.push(r);
    }
    // Half of them reach the ward record.
    let batch = store.outbox_batch(120).await.expect("outbox");
    let outcomes: Vec<_> = batch
        .iter()
        .map(|m| MutationOutcome {
            mutation_id: m.id,
            outcome: Outcome::Applied {
                version: m.id as i64,
            },
        })
        .collect();
    store
        .settle(&settlements(&batch, &outcomes))
        .await
        .expect("settle");

    let entries = list_entries(store.requests().await.expect("list"));
    assert_eq!(entries.len(), 240);
    let times: Vec<i64> = entries.iter().map(|e| e.local.logged_at()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");

    let count = |f: ListFilter| filter_list(&entries, &f).len();
    let words = |q: &str| ListFilter {
        query: Query::new(q),
        ..ListFilter::default()
    };
    assert_eq!(count(words("abcマンション12")), 80);
    assert_eq!(count(words("ＡＢＣ　郵便局")), 0);
    assert_eq!(count(words("受付17")), 11, "受付17 and 受付170–179");
    assert_eq!(
        count(ListFilter {
            category: Some("park-bench".into()),
            ..ListFilter::default()
        }),
        60
    );
    assert_eq!(
        count(ListFilter {
            state: StateFilter::Device("waiting"),
            ..ListFilter::default()
        }),
        120
    );
    assert_eq!(
        count(ListFilter {
            state: StateFilter::Office(Status::New),
            ..ListFilter::default()
        }),
        0,
        "nothing pulled yet"
    );
    // The last 30 days (request i was logged i days ago).
    let since = now() - 30 * DAY - DAY / 2;
    assert_eq!(
        count(ListFilter {
            from_ms: Some(since),
            ..ListFilter::default()
        }),
        31
    );
    remove(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_sync_runs_only_while_no_other_holder_has_the_lock() {
    // Another tab holding `koe-sync`, as a second page would.
    let hold = Function::new_no_args(
        "let release; const held = new Promise(r => (release = r));
         return new Promise(ok => navigator.locks.request('koe-sync', () => { ok(release); return held; }));",
    );
    let promise: Promise = hold
        .call0(&JsValue::NULL)
        .expect("call")
        .dyn_into()
        .expect("promise");
    let release: Function = JsFuture::from(promise)
        .await
        .expect("held")
        .dyn_into()
        .expect("release");

    let ran = std::rc::Rc::new(std::cell::Cell::new(false));
    let r = ran.clone();
    let skipped = with_sync_lock(move || async move {
        r.set(true);
        true
    })
    .await;
    assert_eq!(skipped, None);
    assert!(
        !ran.get(),
        "the sync did not run while another holder had the lock"
    );

    release.call0(&JsValue::NULL).expect("release");
    // Let the lock go before asking again.
    let tick = Promise::new(&mut |ok, _| {
        let _ = web_sys::window()
            .expect("window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&ok, 20);
    });
    JsFuture::from(tick).await.expect("tick");
    assert_eq!(with_sync_lock(|| async { false }).await, Some(false));
}
