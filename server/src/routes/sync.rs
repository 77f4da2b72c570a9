//! `POST /api/sync/push` and `GET /api/sync/pull`: the ward record's half of sync.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use koe_core::sync::MutationOutcome;
use koe_core::{validate_new_request, MutationKind, PullResponse, PushRequest, PushResponse};

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
                            .apply(origin, Verdict::Create { request, section })
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
