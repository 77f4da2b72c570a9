#![cfg(target_arch = "wasm32")]
//! Editing after logging and choosing a value when an edit lost, against the device's real
//! IndexedDB in a browser: what goes in the outbox (and from which version), what the
//! device shows, and how the ward record's answers settle it.

use device::{fresh, logged_request, remove};
use koe_app::store::{settlements, EditSaved, Keep, Store, SyncState};
use koe_core::sync::Outcome;
use koe_core::{
    Bilingual, EditableField, FieldConflict, FieldEdit, FieldValue, Mutation, MutationKind,
    MutationOutcome, NewRequest, RequestRecord, Status, Urgency,
};
use uuid::Uuid;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

mod device;

wasm_bindgen_test_configure!(run_in_browser);

fn request(title: &str) -> NewRequest {
    logged_request(title, "段差が5cmほど", Urgency::Medium)
}

fn record(r: &NewRequest, version: i64) -> RequestRecord {
    RequestRecord::created(r, "road", "road01", r.logged_at + 1, version)
}

fn title(t: &str) -> FieldValue {
    FieldValue::Title(t.into())
}

async fn answer(store: &Store, batch: &[Mutation], outcome: Outcome) {
    let outcomes: Vec<_> = batch
        .iter()
        .map(|m| MutationOutcome {
            mutation_id: m.id,
            outcome: outcome.clone(),
        })
        .collect();
    store
        .settle(&settlements(batch, &outcomes))
        .await
        .expect("settle");
}

/// A request logged here, sent (applied at `version`) and pulled back.
async fn synced(store: &Store, version: i64) -> NewRequest {
    let r = request("歩道の段差");
    store.save_new_request(&r).await.expect("save");
    let batch = store.outbox_batch(200).await.expect("outbox");
    answer(store, &batch, Outcome::Applied { version }).await;
    store
        .apply_pull(&[record(&r, version)], &[], version)
        .await
        .expect("pull");
    r
}

async fn shown_title(store: &Store, id: Uuid) -> Option<FieldValue> {
    let local = store.request(id).await.expect("read").expect("kept");
    local.shown(EditableField::Title)
}

#[wasm_bindgen_test]
async fn editing_a_request_still_waiting_changes_its_queued_create() {
    let (store, name) = fresh().await;
    let r = request("段差");
    store.save_new_request(&r).await.expect("save");
    let saved = store
        .save_edit(
            r.id,
            vec![title("歩道の段差"), FieldValue::Urgency(Urgency::High)],
        )
        .await
        .expect("edit");
    assert_eq!(saved, EditSaved::CreateChanged);
    let outbox = store.outbox_batch(200).await.expect("outbox");
    assert_eq!(outbox.len(), 1, "nothing is sent twice");
    let MutationKind::CreateRequest { request: sent } = &outbox[0].kind else {
        panic!("still the create: {:?}", outbox[0]);
    };
    assert_eq!(
        (sent.title.as_str(), sent.urgency),
        ("歩道の段差", Urgency::High)
    );
    assert_eq!(sent.description, r.description);
    let local = store.request(r.id).await.expect("read").expect("kept");
    assert_eq!(local.title(), Some("歩道の段差"));
    assert_eq!(local.sync, SyncState::Waiting);
    // The same values again change nothing.
    let again = store
        .save_edit(r.id, vec![title("歩道の段差")])
        .await
        .expect("edit");
    assert_eq!(again, EditSaved::Unchanged);
    remove(store, &name).await;
}

/// A create pushed whose answer was lost stays as it was sent; the edit made meanwhile
/// waits for the answer (the retry hears the first outcome) and then goes as an edit from
/// the version the create was stored at — not inside a create the ward record already has.
#[wasm_bindgen_test]
async fn a_create_that_left_the_device_is_never_changed() {
    let (store, name) = fresh().await;
    store.set_author(Some("road01".into()));
    let r = request("段差");
    store.save_new_request(&r).await.expect("save");
    let sent = store.outbox_batch(200).await.expect("outbox");
    assert_eq!(sent[0].author.as_deref(), Some("road01"));
    store.mark_sent(sent[0].id).await.expect("mark sent");
    // The answer never came; the person edits.
    let saved = store
        .save_edit(r.id, vec![FieldValue::Urgency(Urgency::Urgent)])
        .await
        .expect("edit");
    assert_eq!(saved, EditSaved::AfterCreate);
    assert_eq!(
        store.outbox_batch(200).await.expect("outbox"),
        sent,
        "the create in the outbox is the one that was sent"
    );
    let local = store.request(r.id).await.expect("read").expect("kept");
    assert_eq!(
        local.shown(EditableField::Urgency),
        Some(FieldValue::Urgency(Urgency::Urgent))
    );
    // The retry hears the first outcome: applied at 12. The edit follows, from 12.
    answer(&store, &sent, Outcome::Applied { version: 12 }).await;
    let next = store.outbox_batch(200).await.expect("outbox");
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].author.as_deref(), Some("road01"));
    let MutationKind::SetFields { edits, .. } = &next[0].kind else {
        panic!("an edit: {:?}", next[0]);
    };
    assert_eq!(
        edits,
        &[FieldEdit {
            value: FieldValue::Urgency(Urgency::Urgent),
            base_version: 12,
        }]
    );
    remove(store, &name).await;
}

/// A pooled tablet: a push carries only the signed-in person's waiting work; another
/// person's stays, untouched, until they sign in again.
#[wasm_bindgen_test]
async fn a_push_carries_only_the_signed_in_persons_work() {
    let (store, name) = fresh().await;
    store.set_author(Some("road01".into()));
    let road = request("道路の穴");
    store.save_new_request(&road).await.expect("save");
    store.set_author(Some("welfare01".into()));
    let welfare = logged_request("見守りの相談", "一人暮らし", Urgency::High);
    store.save_new_request(&welfare).await.expect("save");
    let batch = store.outbox_batch(200).await.expect("outbox");
    assert_eq!(batch.len(), 1);
    assert_eq!(batch[0].kind.request_id(), welfare.id);
    assert_eq!(batch[0].author.as_deref(), Some("welfare01"));
    store.set_author(Some("road01".into()));
    let batch = store.outbox_batch(200).await.expect("outbox");
    assert_eq!(batch.len(), 1);
    assert_eq!(batch[0].kind.request_id(), road.id);
    assert_eq!(store.outbox_len().await.expect("len"), 2);
    remove(store, &name).await;
}

/// Re-routed away: the device drops its copy, unless an edit of its own still waits on
/// it (the ward record will refuse that with a reason the person can read).
#[wasm_bindgen_test]
async fn a_request_that_left_the_view_leaves_the_device_unless_work_waits_on_it() {
    let (store, name) = fresh().await;
    let other = request("他の区画へ");
    let theirs = record(&other, 4);
    let kept = synced(&store, 5).await;
    store.apply_pull(&[theirs], &[], 6).await.expect("pull");
    store
        .save_edit(kept.id, vec![title("まだ送っていない修正")])
        .await
        .expect("edit");
    store
        .apply_pull(&[], &[other.id, kept.id], 9)
        .await
        .expect("pull");
    assert!(store.request(other.id).await.expect("read").is_none());
    assert!(store.request(kept.id).await.expect("read").is_some());
    assert_eq!(store.pull_cursor().await.expect("cursor"), 9);
    remove(store, &name).await;
}

#[wasm_bindgen_test]
async fn an_edit_of_a_synced_request_goes_from_the_version_pulled_and_settles() {
    let (store, name) = fresh().await;
    let r = synced(&store, 5).await;
    // The office changed another field since: the device pulled version 7.
    let mut office = record(&r, 7);
    office.urgency = Urgency::Low;
    store
        .apply_pull(&[office.clone()], &[], 7)
        .await
        .expect("pull");

    let saved = store
        .save_edit(r.id, vec![title("車道の穴")])
        .await
        .expect("edit");
    let EditSaved::Queued { mutation_id } = saved else {
        panic!("queued: {saved:?}");
    };
    let outbox = store.outbox_batch(200).await.expect("outbox");
    assert_eq!(
        outbox,
        [Mutation {
            author: None,
            id: mutation_id,
            kind: MutationKind::SetFields {
                request_id: r.id,
                edits: vec![FieldEdit {
                    value: title("車道の穴"),
                    base_version: 7,
                }],
            },
        }]
    );
    // Shown at once, 未送信.
    let local = store.request(r.id).await.expect("read").expect("kept");
    assert_eq!(local.sync, SyncState::Waiting);
    assert!(local.edits_waiting());
    assert_eq!(local.shown(EditableField::Title), Some(title("車道の穴")));
    assert_eq!(
        local.shown(EditableField::Urgency),
        Some(FieldValue::Urgency(Urgency::Low))
    );

    answer(&store, &outbox, Outcome::Applied { version: 8 }).await;
    assert_eq!(store.outbox_len().await.expect("count"), 0);
    let local = store.request(r.id).await.expect("read").expect("kept");
    assert_eq!(local.sync, SyncState::Synced { version: 8 });
    // Still shown from the device until the pull brings the ward record's copy.
    assert_eq!(local.shown(EditableField::Title), Some(title("車道の穴")));
    let mut after = office;
    after.title = Some("車道の穴".into());
    after.version = 8;
    store.apply_pull(&[after], &[], 8).await.expect("pull");
    let local = store.request(r.id).await.expect("read").expect("kept");
    assert!(local.edits.is_empty());
    assert_eq!(local.shown(EditableField::Title), Some(title("車道の穴")));
    remove(store, &name).await;
}

/// A synced request whose title edit lost to the office's ("区の件名", version 9), pulled.
async fn lost(store: &Store, status: Status) -> NewRequest {
    let r = synced(store, 5).await;
    store
        .save_edit(r.id, vec![title("自分の件名")])
        .await
        .expect("edit");
    let batch = store.outbox_batch(200).await.expect("outbox");
    answer(
        store,
        &batch,
        Outcome::Conflict {
            version: 9,
            fields: vec![EditableField::Title],
        },
    )
    .await;
    let local = store.request(r.id).await.expect("read").expect("kept");
    assert_eq!(local.conflicts.len(), 1);
    assert_eq!(local.conflicts[0].mine, title("自分の件名"));
    assert!(!local.edits_waiting());
    assert_eq!(local.sync, SyncState::Synced { version: 9 });
    // Before the pull the device does not know the ward record's value yet.
    assert_eq!(local.theirs(&local.conflicts[0]), None);

    let mut office = record(&r, 9);
    office.title = Some("区の件名".into());
    office.status = status;
    office.needs_review = true;
    office.conflicts = vec![FieldConflict {
        field: EditableField::Title,
        server_value: "区の件名".into(),
        device_value: "自分の件名".into(),
        by: "road01".into(),
        at: 1,
    }];
    store.apply_pull(&[office], &[], 9).await.expect("pull");
    let local = store.request(r.id).await.expect("read").expect("kept");
    assert_eq!(local.theirs(&local.conflicts[0]), Some(title("区の件名")));
    assert_eq!(local.shown(EditableField::Title), Some(title("区の件名")));
    r
}

#[wasm_bindgen_test]
async fn keeping_mine_sends_it_again_from_the_version_that_has_the_office_change() {
    let (store, name) = fresh().await;
    let r = lost(&store, Status::Routed).await;
    let queued = store
        .keep_value(r.id, EditableField::Title, Keep::Mine)
        .await
        .expect("keep");
    assert!(queued.is_some());
    let outbox = store.outbox_batch(200).await.expect("outbox");
    assert_eq!(
        outbox[0].kind,
        MutationKind::SetFields {
            request_id: r.id,
            edits: vec![FieldEdit {
                value: title("自分の件名"),
                base_version: 9,
            }],
        }
    );
    let local = store.request(r.id).await.expect("read").expect("kept");
    assert!(
        local.conflicts.is_empty(),
        "no conflict shows after the choice"
    );
    assert_eq!(shown_title(&store, r.id).await, Some(title("自分の件名")));
    answer(&store, &outbox, Outcome::Applied { version: 10 }).await;
    let local = store.request(r.id).await.expect("read").expect("kept");
    assert_eq!(local.sync, SyncState::Synced { version: 10 });
    assert!(local.conflicts.is_empty());
    remove(store, &name).await;
}

#[wasm_bindgen_test]
async fn keeping_theirs_drops_mine_and_withdraws_the_entry_on_the_ward_record() {
    let (store, name) = fresh().await;
    let r = lost(&store, Status::Routed).await;
    store
        .keep_value(r.id, EditableField::Title, Keep::Theirs)
        .await
        .expect("keep");
    let outbox = store.outbox_batch(200).await.expect("outbox");
    assert_eq!(
        outbox[0].kind,
        MutationKind::SetFields {
            request_id: r.id,
            edits: vec![FieldEdit {
                value: title("区の件名"),
                base_version: 9,
            }],
        }
    );
    let local = store.request(r.id).await.expect("read").expect("kept");
    assert!(local.conflicts.is_empty());
    assert_eq!(shown_title(&store, r.id).await, Some(title("区の件名")));
    remove(store, &name).await;
}

#[wasm_bindgen_test]
async fn on_a_finished_request_keeping_mine_leaves_it_to_the_office_review() {
    let (store, name) = fresh().await;
    let r = lost(&store, Status::Closed).await;
    let queued = store
        .keep_value(r.id, EditableField::Title, Keep::Mine)
        .await
        .expect("keep");
    assert_eq!(queued, None);
    assert_eq!(store.outbox_len().await.expect("count"), 0);
    let local = store.request(r.id).await.expect("read").expect("kept");
    assert!(local.conflicts.is_empty());
    remove(store, &name).await;
}

#[wasm_bindgen_test]
async fn editing_the_field_in_conflict_settles_it_with_the_new_value() {
    let (store, name) = fresh().await;
    let r = lost(&store, Status::Routed).await;
    store
        .save_edit(r.id, vec![title("第三の件名")])
        .await
        .expect("edit");
    let local = store.request(r.id).await.expect("read").expect("kept");
    assert!(local.conflicts.is_empty());
    let outbox = store.outbox_batch(200).await.expect("outbox");
    let MutationKind::SetFields { edits, .. } = &outbox[0].kind else {
        panic!("set fields");
    };
    assert_eq!(edits[0].base_version, 9);
    remove(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_create_changed_while_it_was_being_sent_is_not_lost() {
    let (store, name) = fresh().await;
    let r = request("段差");
    store.save_new_request(&r).await.expect("save");
    // The push took the create; the person edits before the answer comes.
    let batch = store.outbox_batch(200).await.expect("outbox");
    store
        .save_edit(r.id, vec![title("歩道の段差")])
        .await
        .expect("edit");
    answer(&store, &batch, Outcome::Applied { version: 3 }).await;
    let outbox = store.outbox_batch(200).await.expect("outbox");
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        outbox[0].kind,
        MutationKind::SetFields {
            request_id: r.id,
            edits: vec![FieldEdit {
                value: title("歩道の段差"),
                base_version: 3,
            }],
        }
    );
    assert!(outbox[0].id > batch[0].id);
    let local = store.request(r.id).await.expect("read").expect("kept");
    assert_eq!(local.sync, SyncState::Waiting);
    assert_eq!(local.shown(EditableField::Title), Some(title("歩道の段差")));
    remove(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_refused_create_is_queued_again_once_corrected() {
    let (store, name) = fresh().await;
    let r = request("段差");
    store.save_new_request(&r).await.expect("save");
    let batch = store.outbox_batch(200).await.expect("outbox");
    let reason = Bilingual::new(
        "電話番号が正しくありません。",
        "The phone number is not valid.",
    );
    answer(
        &store,
        &batch,
        Outcome::Rejected {
            code: "bad_phone".into(),
            message: reason,
        },
    )
    .await;
    let saved = store
        .save_edit(r.id, vec![title("歩道の段差")])
        .await
        .expect("edit");
    let EditSaved::CreateQueuedAgain { mutation_id } = saved else {
        panic!("queued again: {saved:?}");
    };
    assert!(mutation_id > batch[0].id, "a new mutation id");
    let outbox = store.outbox_batch(200).await.expect("outbox");
    let MutationKind::CreateRequest { request: sent } = &outbox[0].kind else {
        panic!("a create");
    };
    assert_eq!((sent.id, sent.title.as_str()), (r.id, "歩道の段差"));
    let local = store.request(r.id).await.expect("read").expect("kept");
    assert_eq!(local.sync, SyncState::Waiting);
    remove(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_refused_edit_is_dropped_with_its_reason() {
    let (store, name) = fresh().await;
    let r = synced(&store, 5).await;
    store
        .save_edit(r.id, vec![title("他人の受付")])
        .await
        .expect("edit");
    let batch = store.outbox_batch(200).await.expect("outbox");
    let reason = Bilingual::new(
        "「件名」を変更する権限がありません。",
        "You may not change the title.",
    );
    answer(
        &store,
        &batch,
        Outcome::Rejected {
            code: "not_allowed".into(),
            message: reason.clone(),
        },
    )
    .await;
    let local = store.request(r.id).await.expect("read").expect("kept");
    assert_eq!(local.edit_problem, Some(reason));
    assert!(local.edits.is_empty());
    assert_eq!(local.shown(EditableField::Title), Some(title("歩道の段差")));
    // The request itself is still on the ward record: its photos keep going.
    assert_eq!(local.sync, SyncState::Synced { version: 5 });
    remove(store, &name).await;
}
