//! The `requests` store: saving a request logged here (with its outbox entry, in one
//! transaction), listing them, and taking the records pulled from the ward record.
//! Also the list's in-memory filter ([`filter_list`]) and the rule for clearing old
//! synced requests from the device ([`clearable`]).

use std::collections::{HashMap, HashSet};

use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use js_sys::Object;
use koe_core::search::{self, Query};
use koe_core::{Mutation, MutationKind, NewRequest, RequestRecord, Status};
use uuid::Uuid;
use wasm_bindgen::JsValue;

use super::outbox::take_mutation_id;
use super::sealed::Sealed;
use super::{
    NewPhoto, PhotoRow, PhotoState, Store, StoreError, META, META_MINE_FROM, META_PULL_CURSOR,
    META_UNSEEN_ANSWERS, OUTBOX, PHOTOS, REQUESTS,
};
use koe_core::device::{newest_first, LocalRequest, SyncState};

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
        photos: &[NewPhoto],
    ) -> Result<u64, StoreError> {
        let author = self.author();
        // Sealed first: nothing but IndexedDB may be awaited inside the transaction.
        let sealed_photos = self.seal_photos(photos).await?;
        let tx = self
            .db()
            .transaction([REQUESTS, OUTBOX, META, PHOTOS])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let requests = self.sealed(&tx, REQUESTS)?;
        let outbox = self.sealed(&tx, OUTBOX)?;
        let meta = tx.object_store(META)?;
        let photo_store = tx.object_store(PHOTOS)?;

        let mutation_id = take_mutation_id(&meta).await?;

        requests
            .add(
                request.id.to_string(),
                &LocalRequest::logged_by(request.clone(), author.as_deref()),
            )
            .await?;
        let mutation = Mutation {
            id: mutation_id,
            author,
            kind: MutationKind::CreateRequest {
                request: request.clone(),
            },
        };
        // Numbers, not BigInts: IndexedDB keys must be numbers to sort by id.
        outbox.add(mutation_id as f64, &mutation).await?;
        super::photos::write_photos(&photo_store, &sealed_photos, false).await?;
        // A full device aborts here: say so (QuotaExceededError), nothing was written.
        super::error::commit(tx).await?;
        Ok(mutation_id)
    }

    /// Every request on the device, newest first.
    pub async fn requests(&self) -> Result<Vec<LocalRequest>, StoreError> {
        let tx = self.db().transaction(REQUESTS).build()?;
        let mut list: Vec<LocalRequest> = self.sealed(&tx, REQUESTS)?.all().await?;
        newest_first(&mut list);
        Ok(list)
    }

    pub async fn request(&self, id: Uuid) -> Result<Option<LocalRequest>, StoreError> {
        let tx = self.db().transaction(REQUESTS).build()?;
        self.sealed(&tx, REQUESTS)?.get(id.to_string()).await
    }

    /// Stores records pulled from the ward record on their local requests (creating
    /// entries for requests not logged here), drops the requests that left this person's
    /// view (`gone`; see `koe_core::device::may_drop`) with their photos, and keeps the new
    /// cursor, in one transaction.
    pub async fn apply_pull(
        &self,
        records: &[RequestRecord],
        gone: &[Uuid],
        cursor: i64,
    ) -> Result<(), StoreError> {
        self.apply_pull_page(records, gone, cursor, false).await
    }

    /// [`apply_pull`](Self::apply_pull) for a page of a pull; the `last` page ends the
    /// pull, and with it the leaving out of this device's own changes (`META_MINE_FROM`):
    /// everything up to the cursor is on the device now. Reads are issued all at once,
    /// then writes (see `Sealed::get_many`).
    pub async fn apply_pull_page(
        &self,
        records: &[RequestRecord],
        gone: &[Uuid],
        cursor: i64,
        last: bool,
    ) -> Result<(), StoreError> {
        let tx = self
            .db()
            .transaction([REQUESTS, META, OUTBOX, PHOTOS])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let requests = self.sealed(&tx, REQUESTS)?;
        let meta = tx.object_store(META)?;
        let marks = self.sealed(&tx, META)?;
        let mut unseen = unseen_in(&marks).await?;
        let marked_before = unseen.clone();
        let keys: Vec<JsValue> = records.iter().map(|r| r.id.to_string().into()).collect();
        let found: Vec<Option<LocalRequest>> = requests.get_many(&keys).await?;
        // A page names each request once (its current version); should one come twice,
        // the later copy wins, as it did when each was read and written in turn.
        let mut updated: HashMap<Uuid, LocalRequest> = HashMap::with_capacity(records.len());
        for (record, existing) in records.iter().zip(found) {
            let existing = updated.remove(&record.id).or(existing);
            // 回答あり: the office's answer, new to this device, until the person opens it.
            if koe_core::sync::brings_unseen_answer(existing.as_ref(), record) {
                unseen.insert(record.id);
            }
            updated.insert(record.id, LocalRequest::pulled(existing, record.clone()));
        }
        requests
            .put_many(
                updated
                    .iter()
                    .map(|(id, local)| (JsValue::from(id.to_string()), local)),
            )
            .await?;
        if !gone.is_empty() {
            let photos = tx.object_store(PHOTOS)?;
            let unsent = unsent_request_ids(&self.sealed(&tx, OUTBOX)?).await?;
            let mut photos_of: HashMap<Uuid, Vec<PhotoRow>> = HashMap::new();
            for p in photo_rows(&photos).await? {
                photos_of.entry(p.request_id).or_default().push(p);
            }
            for id in gone {
                let key = id.to_string();
                let Some(local) = requests.get::<LocalRequest>(key.as_str()).await? else {
                    continue;
                };
                let own = photos_of.remove(id).unwrap_or_default();
                let waiting = unsent.contains(id) || own.iter().any(|p| p.state.pending());
                if !koe_core::device::may_drop(&local, waiting) {
                    continue;
                }
                for p in own {
                    photos.delete(p.key()).primitive()?.await?;
                }
                requests.delete(key).await?;
                unseen.remove(id);
            }
        }
        if unseen != marked_before {
            put_unseen(&marks, &unseen).await?;
        }
        super::meta::put_number(&meta, META_PULL_CURSOR, cursor as f64).await?;
        if last {
            meta.delete(META_MINE_FROM).primitive()?.await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// The requests with an office answer the person has not opened yet (回答あり).
    pub async fn unseen_answers(&self) -> Result<HashSet<Uuid>, StoreError> {
        let tx = self.db().transaction(META).build()?;
        unseen_in(&self.sealed(&tx, META)?).await
    }

    /// The person opened the request: its answer is seen (its mark goes).
    pub async fn answer_seen(&self, id: Uuid) -> Result<bool, StoreError> {
        let tx = self
            .db()
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let marks = self.sealed(&tx, META)?;
        let mut unseen = unseen_in(&marks).await?;
        if !unseen.remove(&id) {
            return Ok(false);
        }
        put_unseen(&marks, &unseen).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// The marks of answers not yet seen, inside the caller's transaction.
pub(super) async fn unseen_in(marks: &Sealed<'_>) -> Result<HashSet<Uuid>, StoreError> {
    let list: Option<Vec<Uuid>> = marks.get(META_UNSEEN_ANSWERS).await?;
    Ok(list.unwrap_or_default().into_iter().collect())
}

pub(super) async fn put_unseen(
    marks: &Sealed<'_>,
    unseen: &HashSet<Uuid>,
) -> Result<(), StoreError> {
    let mut list: Vec<Uuid> = unseen.iter().copied().collect();
    list.sort();
    marks.put(META_UNSEEN_ANSWERS, &list).await
}

/// The requests the outbox still has mutations for (unsent work), inside the caller's
/// transaction.
async fn unsent_request_ids(outbox: &Sealed<'_>) -> Result<HashSet<Uuid>, StoreError> {
    Ok(outbox
        .all::<Mutation>()
        .await?
        .into_iter()
        .map(|m| m.kind.request_id())
        .collect())
}

/// Every photo row, inside the caller's transaction.
async fn photo_rows(photos: &ObjectStore<'_>) -> Result<Vec<PhotoRow>, StoreError> {
    photos
        .get_all::<Object>()
        .primitive()?
        .await?
        .map(|o| {
            o.map_err(StoreError::from)
                .and_then(|o| PhotoRow::from_js(&o))
        })
        .collect()
}

/// Where a request stands on this device, for filtering and the device page: `conflict`
/// (an edit made here lost and waits for the person to keep one value) before the sync
/// state's own code (`waiting`, `synced`, `rejected`).
pub fn device_state(local: &LocalRequest) -> &'static str {
    if local.conflicts.is_empty() {
        local.sync.code()
    } else {
        "conflict"
    }
}

/// The state 自分の受付 can be narrowed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StateFilter {
    #[default]
    Any,
    /// A device state: `waiting` (未送信), `conflict`, `rejected` or `synced`.
    Device(&'static str),
    /// The office's status, as last pulled.
    Office(Status),
}

impl StateFilter {
    /// The device states offered, in the order shown.
    pub const DEVICE: [&'static str; 4] = ["waiting", "conflict", "rejected", "synced"];

    /// The value of the `<option>` that stands for it.
    pub fn code(self) -> String {
        match self {
            Self::Any => String::new(),
            Self::Device(code) => format!("device:{code}"),
            Self::Office(s) => format!("office:{}", s.code()),
        }
    }

    /// The filter an `<option>` value stands for (anything unknown: no filter).
    pub fn from_code(code: &str) -> Self {
        if let Some(d) = code.strip_prefix("device:") {
            if let Some(known) = Self::DEVICE.into_iter().find(|k| *k == d) {
                return Self::Device(known);
            }
        }
        if let Some(o) = code.strip_prefix("office:") {
            if let Some(s) = Status::ALL.into_iter().find(|s| s.code() == o) {
                return Self::Office(s);
            }
        }
        Self::Any
    }

    fn admits(self, local: &LocalRequest) -> bool {
        match self {
            Self::Any => true,
            Self::Device(code) => device_state(local) == code,
            Self::Office(s) => local.status() == Some(s),
        }
    }
}

/// What the list is narrowed to. The date range is in ms since the epoch, `from`
/// inclusive and `until` exclusive, on the time the request was logged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListFilter {
    pub query: Query,
    /// A category code; `None`: every category.
    pub category: Option<String>,
    pub state: StateFilter,
    pub from_ms: Option<i64>,
    pub until_ms: Option<i64>,
}

impl ListFilter {
    fn admits(&self, entry: &ListEntry) -> bool {
        let local = &entry.local;
        let at = local.logged_at();
        self.category
            .as_deref()
            .is_none_or(|c| local.category() == c)
            && self.from_ms.is_none_or(|from| at >= from)
            && self.until_ms.is_none_or(|until| at < until)
            && self.state.admits(local)
            && self.query.matches(&entry.haystack)
    }
}

/// A request as the list holds it in memory: read once per change of the device's data,
/// with its searchable text folded once (see [`koe_core::search`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ListEntry {
    pub local: LocalRequest,
    haystack: String,
}

impl ListEntry {
    pub fn new(local: LocalRequest) -> Self {
        let logged = local.request.as_ref();
        let server = local.server.as_ref();
        let description = server
            .and_then(|s| s.description.as_deref())
            .or(logged.map(|r| r.description.as_str()));
        let place = server
            .and_then(|s| s.place.as_ref())
            .or(logged.map(|r| &r.place));
        let haystack = search::haystack([
            local.title().unwrap_or_default(),
            description.unwrap_or_default(),
            place.map_or("", |p| p.address.as_str()),
            place.map_or("", |p| p.landmark.as_str()),
        ]);
        Self { local, haystack }
    }
}

/// The list's entries, newest first.
pub fn list_entries(mut requests: Vec<LocalRequest>) -> Vec<ListEntry> {
    newest_first(&mut requests);
    requests.into_iter().map(ListEntry::new).collect()
}

/// The positions in `entries` (kept in their order, newest first) that `filter` admits.
pub fn filter_list(entries: &[ListEntry], filter: &ListFilter) -> Vec<usize> {
    entries
        .iter()
        .enumerate()
        .filter(|(_, e)| filter.admits(e))
        .map(|(i, _)| i)
        .collect()
}

/// What a clearing of old synced requests would remove (or removed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Clearing {
    pub requests: Vec<Uuid>,
    pub photos: Vec<Uuid>,
}

/// One photo as the clearing rule sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoOf {
    pub photo_id: Uuid,
    pub request_id: Uuid,
    pub synced: bool,
}

/// The clearing rule: which requests (and their photos) may leave the device when the
/// person clears synced requests logged before `cutoff_ms`. Only a request that is
/// 送信済 with nothing of it left to send or decide goes: not one waiting, rejected, in
/// conflict, with an edit not yet on the ward record or refused, with an outbox entry
/// (`unsent`: the request ids the outbox mentions), or with a photo not synced. Its
/// photos go with it (all synced, by the rule).
pub fn clearable(
    requests: &[LocalRequest],
    unsent: &HashSet<Uuid>,
    photos: &[PhotoOf],
    cutoff_ms: i64,
) -> Clearing {
    let mut photos_of: HashMap<Uuid, Vec<&PhotoOf>> = HashMap::new();
    for p in photos {
        photos_of.entry(p.request_id).or_default().push(p);
    }
    let mut out = Clearing::default();
    for local in requests {
        let settled = matches!(local.sync, SyncState::Synced { .. })
            && device_state(local) == "synced"
            && local.edits.is_empty()
            && local.conflicts.is_empty()
            && local.edit_problem.is_none()
            && !unsent.contains(&local.id);
        let old = local.logged_at() < cutoff_ms;
        let own = photos_of.get(&local.id).map(Vec::as_slice).unwrap_or(&[]);
        if settled && old && own.iter().all(|p| p.synced) {
            out.requests.push(local.id);
            out.photos.extend(own.iter().map(|p| p.photo_id));
        }
    }
    out
}

/// How many requests and photos the device holds, by where they stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeviceCounts {
    pub requests_waiting: u32,
    pub requests_synced: u32,
    /// Rejected or in conflict: waiting for the person.
    pub requests_attention: u32,
    pub photos_waiting: u32,
    pub photos_synced: u32,
    /// Photos the ward record refused (kept on the device).
    pub photos_rejected: u32,
}

impl Store {
    /// The requests, outbox and photos as the clearing rule sees them, inside `tx`.
    async fn clearing_plan(
        requests: &Sealed<'_>,
        outbox: &Sealed<'_>,
        photos: &ObjectStore<'_>,
        cutoff_ms: i64,
    ) -> Result<Clearing, StoreError> {
        let list: Vec<LocalRequest> = requests.all().await?;
        let unsent = unsent_request_ids(outbox).await?;
        let photos: Vec<PhotoOf> = photo_rows(photos)
            .await?
            .into_iter()
            .map(|p| PhotoOf {
                photo_id: p.photo_id,
                request_id: p.request_id,
                synced: p.state == PhotoState::Synced,
            })
            .collect();
        Ok(clearable(&list, &unsent, &photos, cutoff_ms))
    }

    /// What [`clear_synced_before`](Self::clear_synced_before) would remove now.
    pub async fn clearable_before(&self, cutoff_ms: i64) -> Result<Clearing, StoreError> {
        let tx = self.db().transaction([REQUESTS, OUTBOX, PHOTOS]).build()?;
        let plan = Self::clearing_plan(
            &self.sealed(&tx, REQUESTS)?,
            &self.sealed(&tx, OUTBOX)?,
            &tx.object_store(PHOTOS)?,
            cutoff_ms,
        )
        .await?;
        Ok(plan)
    }

    /// Removes synced requests logged before `cutoff_ms` and their photos, by
    /// [`clearable`], deciding and deleting in one transaction (so nothing saved or
    /// settled meanwhile by another tab is removed). Returns what was removed.
    pub async fn clear_synced_before(&self, cutoff_ms: i64) -> Result<Clearing, StoreError> {
        let tx = self
            .db()
            .transaction([REQUESTS, OUTBOX, PHOTOS])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let requests = self.sealed(&tx, REQUESTS)?;
        let photos = tx.object_store(PHOTOS)?;
        let plan =
            Self::clearing_plan(&requests, &self.sealed(&tx, OUTBOX)?, &photos, cutoff_ms).await?;
        for id in &plan.photos {
            photos.delete(id.to_string()).primitive()?.await?;
        }
        for id in &plan.requests {
            requests.delete(id.to_string()).await?;
        }
        tx.commit().await?;
        Ok(plan)
    }

    /// How many requests and photos are on the device, by where they stand.
    pub async fn device_counts(&self) -> Result<DeviceCounts, StoreError> {
        let tx = self.db().transaction([REQUESTS, PHOTOS]).build()?;
        let list: Vec<LocalRequest> = self.sealed(&tx, REQUESTS)?.all().await?;
        let rows = tx
            .object_store(PHOTOS)?
            .get_all::<Object>()
            .primitive()?
            .await?
            .collect::<Result<Vec<_>, _>>()?;
        let mut c = DeviceCounts::default();
        for local in &list {
            match device_state(local) {
                "waiting" => c.requests_waiting += 1,
                "synced" => c.requests_synced += 1,
                _ => c.requests_attention += 1,
            }
        }
        for row in &rows {
            match PhotoRow::from_js(row)?.state {
                PhotoState::Synced => c.photos_synced += 1,
                PhotoState::Rejected(_) => c.photos_rejected += 1,
                _ => c.photos_waiting += 1,
            }
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use koe_core::device::fixtures::{new_request, record_of};
    use koe_core::device::{LocalConflict, LocalEdit};
    use koe_core::{Bilingual, EditableField, FieldValue};
    use wasm_bindgen_test::wasm_bindgen_test;

    const DAY: i64 = 86_400_000;
    const NOW: i64 = 1_800_000_000_000;

    fn synced(days_ago: i64, title: &str) -> LocalRequest {
        let r = new_request((NOW - days_ago * DAY) as u64, title);
        let mut l = LocalRequest::logged(r.clone());
        l.sync = SyncState::Synced { version: 3 };
        l.server = Some(record_of(&r, 3, Status::Routed));
        l
    }

    fn photo(of: &LocalRequest, n: u8, synced: bool) -> PhotoOf {
        PhotoOf {
            photo_id: koe_core::id::request_id(n as u64, [n; 10]),
            request_id: of.id,
            synced,
        }
    }

    #[wasm_bindgen_test]
    fn only_old_synced_requests_with_nothing_left_to_send_are_cleared() {
        let cutoff = NOW - 90 * DAY;
        let old = synced(201, "古い送信済");
        let recent = synced(10, "最近");
        let mut waiting = synced(202, "未送信");
        waiting.sync = SyncState::Waiting;
        let mut rejected = synced(203, "却下");
        rejected.sync = SyncState::Rejected {
            code: "x".into(),
            message: Bilingual::new("却下", "rejected"),
        };
        let mut conflict = synced(204, "競合");
        conflict.conflicts.push(LocalConflict {
            field: EditableField::Title,
            mine: FieldValue::Title("私の".into()),
            version: 4,
        });
        let mut edited = synced(205, "送信済の変更（未反映）");
        edited.edits.push(LocalEdit {
            value: FieldValue::Title("新".into()),
            mutation_id: 9,
            sent_at: Some(4),
        });
        let in_outbox = synced(206, "送信待ちのメモ");
        let with_waiting_photo = synced(207, "写真未送信");
        let with_synced_photo = synced(208, "写真送信済");
        let list = [
            old.clone(),
            recent,
            waiting,
            rejected,
            conflict,
            edited,
            in_outbox.clone(),
            with_waiting_photo.clone(),
            with_synced_photo.clone(),
        ];
        let unsent = HashSet::from([in_outbox.id]);
        let photos = [
            photo(&with_waiting_photo, 1, true),
            photo(&with_waiting_photo, 2, false),
            photo(&with_synced_photo, 3, true),
        ];
        let plan = clearable(&list, &unsent, &photos, cutoff);
        assert_eq!(plan.requests, [old.id, with_synced_photo.id]);
        assert_eq!(plan.photos, [photos[2].photo_id]);

        // With no cutoff in the past, nothing goes.
        let none = clearable(&list, &unsent, &photos, 0);
        assert_eq!(none, Clearing::default());
    }

    #[wasm_bindgen_test]
    fn the_list_filters_by_words_category_state_and_date_newest_first() {
        let mut a = synced(3, "街路灯が消えている");
        if let Some(r) = a.request.as_mut() {
            r.place.landmark = "郵便局の前".into();
        }
        a.server = None;
        let mut b = synced(2, "歩道の段差 ＡＢＣ１２");
        b.sync = SyncState::Waiting;
        b.server = None;
        let mut c = synced(1, "公園のベンチ");
        if let Some(s) = c.server.as_mut() {
            s.category = "park-bench".into();
            s.status = Status::Resolved;
        }
        if let Some(r) = c.request.as_mut() {
            r.category = "park-bench".into();
        }
        let entries = list_entries(vec![a.clone(), b.clone(), c.clone()]);
        let ids = |f: &ListFilter| {
            filter_list(&entries, f)
                .into_iter()
                .map(|i| entries[i].local.id)
                .collect::<Vec<_>>()
        };
        // Newest first with no filter.
        assert_eq!(ids(&ListFilter::default()), [c.id, b.id, a.id]);
        // Words in the landmark; full-width letters match ASCII.
        let words = |q: &str| ListFilter {
            query: Query::new(q),
            ..ListFilter::default()
        };
        assert_eq!(ids(&words("郵便局")), [a.id]);
        assert_eq!(ids(&words("abc12")), [b.id]);
        assert_eq!(ids(&words("下作延\u{3000}ａｂｃ")), [b.id]);
        assert_eq!(ids(&words("段差")).len(), 3, "every description says 段差");
        assert!(ids(&words("存在しない")).is_empty());
        // Category, device state and office status.
        let f = ListFilter {
            category: Some("park-bench".into()),
            ..ListFilter::default()
        };
        assert_eq!(ids(&f), [c.id]);
        let f = ListFilter {
            state: StateFilter::Device("waiting"),
            ..ListFilter::default()
        };
        assert_eq!(ids(&f), [b.id]);
        let f = ListFilter {
            state: StateFilter::Office(Status::Resolved),
            ..ListFilter::default()
        };
        assert_eq!(ids(&f), [c.id]);
        // From inclusive, until exclusive.
        let f = ListFilter {
            from_ms: Some(b.logged_at()),
            until_ms: Some(c.logged_at()),
            ..ListFilter::default()
        };
        assert_eq!(ids(&f), [b.id]);
    }

    #[wasm_bindgen_test]
    fn a_request_in_conflict_shows_as_such() {
        let mut l = synced(1, "x");
        assert_eq!(device_state(&l), "synced");
        l.conflicts.push(LocalConflict {
            field: EditableField::Title,
            mine: FieldValue::Title("y".into()),
            version: 4,
        });
        assert_eq!(device_state(&l), "conflict");
        assert_eq!(
            StateFilter::from_code("device:conflict"),
            StateFilter::Device("conflict")
        );
        assert_eq!(
            StateFilter::from_code("office:resolved"),
            StateFilter::Office(Status::Resolved)
        );
        assert_eq!(StateFilter::from_code("nonsense"), StateFilter::Any);
    }
}
