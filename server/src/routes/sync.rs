//! `POST /api/sync/push` and `GET /api/sync/pull`: the ward record's half of sync.

use std::collections::{HashMap, HashSet};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use koe_core::sync::{MutationOutcome, Outcome};
use koe_core::{
    validate_new_request, Bilingual, FieldEdit, FieldValue, Mutation, MutationKind, PullResponse,
    PushRequest, PushResponse, SyncNews,
};
use uuid::Uuid;

use super::{parse_limit, PUSH_MAX_MUTATIONS};
use crate::auth::SignedIn;
use crate::cursor::{self, Cursor};
use crate::error::{ApiError, ApiJson};
use crate::store::{Origin, OwnChanges, Verdict};
use crate::AppState;

pub async fn push(
    State(state): State<AppState>,
    signed_in: SignedIn,
    ApiJson(mut body): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    if body.mutations.len() > PUSH_MAX_MUTATIONS {
        return Err(ApiError::too_large(
            format!(
                "一度に送れるのは{PUSH_MAX_MUTATIONS}件までです（{}件）。分けて送ってください。",
                body.mutations.len()
            ),
            format!(
                "Send at most {PUSH_MAX_MUTATIONS} changes at a time (got {}).",
                body.mutations.len()
            ),
        ));
    }
    if let Some(m) = body.mutations.iter().find(|m| i64::try_from(m.id).is_err()) {
        return Err(ApiError::bad_fields(&format!(
            "mutation id {} is above 2^63-1",
            m.id
        )));
    }
    // A retired device's work stays on it: nothing of the push is kept.
    super::devices::refuse_retired(&state, body.client_id).await?;
    let staff_id = signed_in.me.staff_id.as_str();
    // A push carries the signed-in person's own work only: another person's waiting on a
    // pooled device goes when they sign in there. Refused whole, before anything applies.
    if let Some(m) = body.mutations.iter().find(|m| !m.pushed_by(staff_id)) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "author_mismatch",
            format!(
                "変更 {} は別の職員の入力です。その職員がサインインしたときに送られます。何も保存されていません。",
                m.id
            ),
            format!(
                "Change {} was made by another staff member; it goes when they sign in. Nothing was stored.",
                m.id
            ),
        ));
    }
    state
        .store
        .register_device(body.client_id, staff_id, crate::now_ms())
        .await?;
    let catalogue = state.store.catalogue().await?;
    let viewer = signed_in.viewer();
    // Applied in the order of their id, whatever order they came in.
    body.mutations.sort_by_key(|m| m.id);
    let fingerprints = body
        .mutations
        .iter()
        .map(fingerprint)
        .collect::<Result<Vec<_>, _>>()?;
    let mut outcomes = Vec::with_capacity(body.mutations.len());
    // The mutations go to the store in batches of one transaction each. A mutation whose
    // checks read a request the batch writes (an edit of a request created or edited
    // earlier in it, or naming it as the original) waits for the batch to commit, so its
    // checks see what the mutations before it did, exactly as if each were applied alone.
    let mut batch: Vec<(Origin, Verdict)> = Vec::new();
    let mut written: HashSet<Uuid> = HashSet::new();
    for (mutation, fingerprint) in body.mutations.iter().zip(&fingerprints) {
        if !batch.is_empty() && reads_any(&mutation.kind, &written) {
            apply_batch(&state, &mut batch, &mut outcomes).await?;
            written.clear();
        }
        let origin = Origin {
            staff_id,
            client_id: body.client_id,
            mutation_id: mutation.id,
            fingerprint,
            now: crate::now_ms(),
        };
        let verdict = verdict(&state, &viewer, &catalogue, &mutation.kind).await?;
        written.insert(mutation.kind.request_id());
        batch.push((origin, verdict));
    }
    apply_batch(&state, &mut batch, &mut outcomes).await?;
    let outcomes: Vec<MutationOutcome> = body
        .mutations
        .iter()
        .zip(outcomes)
        .map(|(m, outcome)| MutationOutcome {
            mutation_id: m.id,
            outcome,
        })
        .collect();
    // The touched requests as the pusher sees them now, as a pull would bring them.
    let mut touched: Vec<Uuid> = body.mutations.iter().map(|m| m.kind.request_id()).collect();
    touched.sort();
    touched.dedup();
    let records = state
        .store
        .requests_by_ids(&touched)
        .await?
        .into_iter()
        .filter(|r| viewer.sees(r))
        .map(|r| viewer.redact(r, &catalogue))
        .collect();
    Ok(Json(PushResponse { outcomes, records }))
}

/// Whether `kind`'s checks before the write ([`check_references`]) read a request in
/// `written`. Creates and notes are checked inside the batch's transaction.
fn reads_any(kind: &MutationKind, written: &HashSet<Uuid>) -> bool {
    match kind {
        MutationKind::SetFields { request_id, edits } => {
            written.contains(request_id)
                || edits.iter().any(|e| {
                    matches!(&e.value, FieldValue::DuplicateOf(Some(original)) if written.contains(original))
                })
        }
        MutationKind::CreateRequest { .. } | MutationKind::AddNote { .. } => false,
    }
}

async fn apply_batch<'a>(
    state: &AppState,
    batch: &mut Vec<(Origin<'a>, Verdict<'a>)>,
    outcomes: &mut Vec<Outcome>,
) -> Result<(), ApiError> {
    if batch.is_empty() {
        return Ok(());
    }
    outcomes.extend(state.store.apply_batch(std::mem::take(batch)).await?);
    Ok(())
}

/// What the ward record makes of one mutation before it is written: core's checks, then
/// the references core cannot check.
async fn verdict<'a>(
    state: &AppState,
    viewer: &'a koe_core::Viewer,
    catalogue: &'a koe_core::Catalogue,
    kind: &'a MutationKind,
) -> Result<Verdict<'a>, ApiError> {
    Ok(match kind {
        MutationKind::CreateRequest { request } => match validate_new_request(request, catalogue) {
            Ok(()) => Verdict::Create {
                request,
                // Validation found the category, so it has a default section.
                section: catalogue
                    .category(&request.category)
                    .map(|c| c.default_section.as_str())
                    .unwrap_or_default(),
                catalogue,
            },
            Err(e) => Verdict::Reject {
                code: e.code().to_string(),
                message: e.message(),
            },
        },
        MutationKind::SetFields { request_id, edits } => {
            // Core's bounds first: a mutation of thousands of edits is refused before
            // any lookup and before the write lock.
            let refused = match koe_core::merge::check_edits(edits) {
                Err(e) => Some((e.code().to_string(), e.message())),
                Ok(()) => check_references(state, viewer, catalogue, *request_id, edits).await?,
            };
            match refused {
                Some((code, message)) => Verdict::Reject { code, message },
                None => Verdict::SetFields {
                    request_id: *request_id,
                    edits,
                    editor: viewer,
                    catalogue,
                },
            }
        }
        MutationKind::AddNote {
            request_id,
            note_id,
            text,
        } => Verdict::AddNote {
            request_id: *request_id,
            note_id: *note_id,
            text,
            editor: viewer,
            catalogue,
        },
    })
}

/// What identifies a mutation's content: a retry must carry the same, or it is another
/// change sent under a number already used.
fn fingerprint(mutation: &Mutation) -> Result<String, ApiError> {
    use sha2::{Digest, Sha256};
    let json = serde_json::to_vec(&mutation.kind)
        .map_err(|e| ApiError::from(crate::store::StoreError::Invalid(e.to_string())))?;
    Ok(format!("{:x}", Sha256::digest(json)))
}

/// What core cannot check, since it knows no staff or other requests: an assignee must
/// be an active account, a duplicate's original another stored request the editor sees.
/// Only asked once the editor sees the request and may set every field of the mutation:
/// otherwise the ledger refuses it (`unknown_request`, `not_allowed`) exactly as for a
/// request that does not exist, and nothing is learnt about staff ids or other requests.
async fn check_references(
    state: &AppState,
    viewer: &koe_core::Viewer,
    catalogue: &koe_core::Catalogue,
    request_id: Uuid,
    edits: &[FieldEdit],
) -> Result<Option<(String, Bilingual)>, ApiError> {
    let Some(current) = state.store.request_by_id(request_id).await? else {
        return Ok(None);
    };
    let may_set_all = viewer.sees(&current)
        && edits
            .iter()
            .all(|e| viewer.may_edit(&current, e.value.field(), catalogue));
    if !may_set_all {
        return Ok(None);
    }
    for edit in edits {
        match &edit.value {
            FieldValue::Assignee(Some(staff_id)) => {
                let assignee = state
                    .store
                    .credentials(staff_id)
                    .await?
                    .filter(|c| !c.disabled);
                let Some(assignee) = assignee else {
                    return Ok(Some((
                        "unknown_staff".into(),
                        Bilingual::new(
                            format!("職員「{staff_id}」はいません。一覧から選んでください。"),
                            format!(
                                "There is no staff member {staff_id:?}. Choose one from the list."
                            ),
                        ),
                    )));
                };
                // A 要配慮 request goes only to someone who may read it.
                let reader = koe_core::Viewer {
                    staff_id: assignee.me.staff_id.clone(),
                    role: assignee.me.role,
                    sections: assignee.me.sections.clone(),
                };
                if !reader.may_be_assigned(&current, catalogue) {
                    return Ok(Some((
                        "assignee_may_not_read".into(),
                        Bilingual::new(
                            format!(
                                "{}さんはこの要配慮の受付を読めないため、担当者にできません。担当の福祉の課の職員から選んでください。",
                                assignee.me.name
                            ),
                            format!(
                                "{} may not read this sensitive request, so it cannot be assigned to them. Choose someone of its welfare section.",
                                assignee.me.name
                            ),
                        ),
                    )));
                }
            }
            FieldValue::DuplicateOf(Some(original)) => {
                let missing = *original == request_id
                    || !state
                        .store
                        .request_by_id(*original)
                        .await?
                        .is_some_and(|o| viewer.sees(&o));
                if missing {
                    return Ok(Some((
                        "unknown_original".into(),
                        Bilingual::new(
                            "重複元の要望が見つかりません。元の受付を選び直してください。",
                            "The original request was not found. Choose the original again.",
                        ),
                    )));
                }
            }
            _ => {}
        }
    }
    Ok(None)
}

pub async fn pull(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<PullResponse>, ApiError> {
    let limit = parse_limit(query.get("limit"))?;
    let client_id = refuse_retired_device(&state, &query).await?;
    let cursor = cursor_of(&query)?;
    // Read before the rows: every change numbered up to it has committed (numbers are
    // handed out under the counter row's lock), so a last page may move the cursor there
    // without skipping one.
    let order = state.store.server_order().await?;
    let key = state.store.cursor_key().await?;
    let key = key.as_bytes();
    let (after, reset) = read_from(key, cursor, order);
    let viewer = signed_in.viewer();
    let own = own_changes(&query, client_id, &viewer.staff_id, reset)?;
    let catalogue = state.store.catalogue().await?;
    let mut rows = state
        .store
        .changes_after(&viewer, after, limit + 1, own.as_ref())
        .await?;
    rows.retain(|r| r.version <= order);
    let has_more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next = if has_more {
        rows.last().map_or(after, |r| r.version)
    } else {
        order
    };
    let gone = state.store.left_view(&viewer, after, next).await?;
    let requests = rows
        .into_iter()
        .filter(|r| viewer.sees(r))
        .map(|r| viewer.redact(r, &catalogue))
        .collect();
    Ok(Json(PullResponse {
        requests,
        cursor: cursor::seal(key, next),
        has_more,
        reset,
        gone,
    }))
}

/// `GET /api/sync/news?cursor=N&client_id=…`: `{"changed": true}` when a pull from the
/// cursor would bring something, for a device that asks every few seconds while it is
/// open and online.
///
/// A short poll rather than server-sent events or a socket: it is a plain GET with the
/// session cookie, so it passes every proxy and gateway a ward's network puts in front of
/// the ward record (buffering proxies hold SSE streams back, some drop idle connections),
/// needs no connection kept per device on the server (two instances behind a balancer
/// need nothing shared), and a phone that sleeps simply stops asking. Each answer is one
/// indexed query on `requests.version` under the pull's own visibility rule, no record is
/// read, so asking every few seconds costs the database next to nothing, and it tells a
/// reader only what a pull would have shown them. Requests that merely left the reader's
/// view (re-routed away: the pull's `gone`) are not told here; the device's regular pull
/// drops them.
pub async fn news(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<SyncNews>, ApiError> {
    let client_id = refuse_retired_device(&state, &query).await?;
    let cursor = cursor_of(&query)?;
    let order = state.store.server_order().await?;
    let key = state.store.cursor_key().await?;
    let (after, reset) = read_from(key.as_bytes(), cursor, order);
    let viewer = signed_in.viewer();
    let own = own_changes(&query, client_id, &viewer.staff_id, reset)?;
    let changed = reset
        || (after < order
            && state
                .store
                .changed_after(&viewer, after, own.as_ref())
                .await?);
    Ok(Json(SyncNews { changed }))
}

/// The device asking, when it says (`client_id`): a retired one gets nothing more.
/// The pulling device (`client_id`, optional), refused if retired.
async fn refuse_retired_device(
    state: &AppState,
    query: &HashMap<String, String>,
) -> Result<Option<Uuid>, ApiError> {
    if let Some(text) = query.get("client_id").map(|c| c.trim()) {
        let client_id = Uuid::parse_str(text).map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_client_id",
                format!("端末ID「{text}」が読めません。アプリを更新してください。"),
                format!("The device id {text:?} is not a UUID. Update the app."),
            )
        })?;
        super::devices::refuse_retired(state, client_id).await?;
        return Ok(Some(client_id));
    }
    Ok(None)
}

/// The device's own changes it holds already (`mine_from`, with `client_id`), to leave
/// out of a pull. Not on a reset: a full snapshot brings everything.
fn own_changes(
    query: &HashMap<String, String>,
    client_id: Option<Uuid>,
    staff_id: &str,
    reset: bool,
) -> Result<Option<OwnChanges>, ApiError> {
    let Some(text) = query.get("mine_from").map(|c| c.trim()) else {
        return Ok(None);
    };
    let from = text.parse::<u64>().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_mine_from",
            format!("mine_from「{text}」が読めません。アプリを更新してください。"),
            format!("mine_from {text:?} is not a mutation number. Update the app."),
        )
    })?;
    Ok(client_id.filter(|_| !reset).map(|client_id| OwnChanges {
        client_id,
        staff_id: staff_id.to_string(),
        from,
    }))
}

/// The `cursor` parameter as sent (absent or empty: from the start).
fn cursor_of(query: &HashMap<String, String>) -> Result<i64, ApiError> {
    match query.get("cursor").map(|c| c.trim()) {
        None | Some("") => Ok(0),
        Some(text) => text.parse::<i64>().map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_cursor",
                format!("同期位置「{text}」が読めません。最初から同期し直します。"),
                format!("The sync cursor {text:?} is not a number; sync again from the start."),
            )
        }),
    }
}

/// Where a pull from `cursor` reads from, and whether it is a full snapshot (`reset`).
/// Cursors are sealed (`crate::cursor`), so neither the cursor handed back nor `reset`
/// tells the ward's change counter. `reset` answers only what does not depend on the
/// counter: a cursor this ward record did not make, or one it made at a later state of
/// the database (a restore from backup).
fn read_from(key: &[u8], cursor: i64, order: i64) -> (i64, bool) {
    match cursor::open(key, cursor) {
        Cursor::Start => (0, false),
        Cursor::Sealed(at) if at <= order => (at, false),
        Cursor::Sealed(_) | Cursor::Unknown => (0, true),
        // An older ward record's plain cursor: read as far as it goes, never as a reset
        // (a cursor "from the future" would tell the counter by binary search).
        Cursor::Plain(at) => (at.min(order), false),
    }
}
