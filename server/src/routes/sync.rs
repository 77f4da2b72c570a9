//! `POST /api/sync/push` and `GET /api/sync/pull`: the ward record's half of sync.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use koe_core::sync::MutationOutcome;
use koe_core::{
    validate_new_request, Bilingual, FieldEdit, FieldValue, MutationKind, PullResponse,
    PushRequest, PushResponse,
};
use uuid::Uuid;

use super::{parse_limit, PUSH_MAX_MUTATIONS};
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiJson};
use crate::store::{DeviceClaim, Origin, Verdict};
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
    let staff_id = signed_in.me.staff_id.as_str();
    let now = crate::now_ms();
    let mut last_mutation_id = match state.store.claim_device(body.client_id, staff_id, now).await? {
        DeviceClaim::Ours { last_mutation_id } => last_mutation_id,
        DeviceClaim::Another => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "device_of_another",
                "この端末は別の職員の端末として登録されています。その職員でサインインするか、管理者に相談してください。",
                "This device is registered to another staff member. Sign in as them, or ask an administrator.",
            ))
        }
    };
    let catalogue = state.store.catalogue().await?;
    let viewer = signed_in.viewer();
    // Applied in the order of their id, whatever order they came in.
    body.mutations.sort_by_key(|m| m.id);
    let mut outcomes = Vec::with_capacity(body.mutations.len());
    for mutation in &body.mutations {
        let origin = Origin {
            staff_id,
            client_id: body.client_id,
            mutation_id: mutation.id,
            now: crate::now_ms(),
        };
        let (outcome, last) = match &mutation.kind {
            MutationKind::CreateRequest { request } => {
                match validate_new_request(request, &catalogue) {
                    Ok(()) => {
                        // Validation found the category, so it has a default section.
                        let section = catalogue
                            .category(&request.category)
                            .map(|c| c.default_section.as_str())
                            .unwrap_or_default();
                        state
                            .store
                            .apply(
                                origin,
                                Verdict::Create {
                                    request,
                                    section,
                                    catalogue: &catalogue,
                                },
                            )
                            .await?
                    }
                    Err(e) => {
                        state
                            .store
                            .apply(
                                origin,
                                Verdict::Reject {
                                    code: e.code().to_string(),
                                    message: e.message(),
                                },
                            )
                            .await?
                    }
                }
            }
            MutationKind::SetFields { request_id, edits } => {
                let verdict = match check_references(&state, *request_id, edits).await? {
                    Some((code, message)) => Verdict::Reject { code, message },
                    None => Verdict::SetFields {
                        request_id: *request_id,
                        edits,
                        editor: &viewer,
                        catalogue: &catalogue,
                    },
                };
                state.store.apply(origin, verdict).await?
            }
            MutationKind::AddNote {
                request_id,
                note_id,
                text,
            } => {
                state
                    .store
                    .apply(
                        origin,
                        Verdict::AddNote {
                            request_id: *request_id,
                            note_id: *note_id,
                            text,
                            editor: &viewer,
                            catalogue: &catalogue,
                        },
                    )
                    .await?
            }
        };
        last_mutation_id = last_mutation_id.max(last);
        outcomes.push(MutationOutcome {
            mutation_id: mutation.id,
            outcome,
        });
    }
    Ok(Json(PushResponse {
        outcomes,
        last_mutation_id,
    }))
}

/// What core cannot check, since it knows no staff or other requests: an assignee must
/// be an active account, a duplicate's original another stored request.
async fn check_references(
    state: &AppState,
    request_id: Uuid,
    edits: &[FieldEdit],
) -> Result<Option<(String, Bilingual)>, ApiError> {
    for edit in edits {
        match &edit.value {
            FieldValue::Assignee(Some(staff_id)) => {
                let active = state
                    .store
                    .credentials(staff_id)
                    .await?
                    .is_some_and(|c| !c.disabled);
                if !active {
                    return Ok(Some((
                        "unknown_staff".into(),
                        Bilingual::new(
                            format!("職員「{staff_id}」はいません。一覧から選んでください。"),
                            format!(
                                "There is no staff member {staff_id:?}. Choose one from the list."
                            ),
                        ),
                    )));
                }
            }
            FieldValue::DuplicateOf(Some(original)) => {
                let missing = *original == request_id
                    || state.store.request_by_id(*original).await?.is_none();
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
    let cursor = match query.get("cursor").map(|c| c.trim()) {
        None | Some("") => 0,
        Some(text) => text.parse::<i64>().map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_cursor",
                format!("同期位置「{text}」が読めません。最初から同期し直します。"),
                format!("The sync cursor {text:?} is not a number; sync again from the start."),
            )
        })?,
    };
    // A cursor this ward record never handed out (negative, or from the future: another
    // database, a restore from backup) gets a full snapshot from the start.
    let reset = cursor < 0 || cursor > state.store.server_order().await?;
    let after = if reset { 0 } else { cursor };
    let viewer = signed_in.viewer();
    let catalogue = state.store.catalogue().await?;
    let mut rows = state.store.changes_after(&viewer, after, limit + 1).await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next = rows.last().map(|r| r.version).unwrap_or(after);
    let requests = rows
        .into_iter()
        .filter(|r| viewer.sees(r))
        .map(|r| viewer.redact(r, &catalogue))
        .collect();
    Ok(Json(PullResponse {
        requests,
        cursor: next,
        has_more,
        reset,
    }))
}
