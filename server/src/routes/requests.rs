//! `GET /api/requests?limit=M&offset=K`: newest first, as the reader may see them.
//! `GET /api/requests/{id}`: one request with its notes and history, as the reader may
//! see it; reading a sensitive request's details is written to the access log.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use koe_core::api::RequestDetail;
use koe_core::RequestRecord;
use uuid::Uuid;

use super::parse_limit;
use crate::auth::SignedIn;
use crate::error::ApiError;
use crate::AppState;

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Vec<RequestRecord>>, ApiError> {
    let limit = parse_limit(query.get("limit"))?;
    let offset = match query.get("offset") {
        None => 0,
        Some(text) => text.trim().parse::<i64>().map(|n| n.max(0)).map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_offset",
                format!("offset「{text}」は数ではありません。"),
                format!("offset {text:?} is not a number."),
            )
        })?,
    };
    let viewer = signed_in.viewer();
    let catalogue = state.store.catalogue().await?;
    let records = state.store.list_requests(&viewer, limit, offset).await?;
    Ok(Json(
        records
            .into_iter()
            .filter(|r| viewer.sees(r))
            .map(|r| viewer.redact(r, &catalogue))
            .collect(),
    ))
}

fn unknown_request() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_request",
        "その要望は見つかりません。受付番号を確かめてください。",
        "There is no such request. Check the request id.",
    )
}

pub async fn detail(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<RequestDetail>, ApiError> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| unknown_request())?;
    let viewer = signed_in.viewer();
    // One who may not see the request learns nothing, not even that it exists.
    let record = match state.store.request_by_id(id).await? {
        Some(r) if viewer.sees(&r) => r,
        _ => return Err(unknown_request()),
    };
    let catalogue = state.store.catalogue().await?;
    let logged = viewer.read_is_logged(&record, &catalogue);
    let request = viewer.redact(record, &catalogue);
    if request.redacted {
        return Ok(Json(RequestDetail {
            request,
            notes: Vec::new(),
            history: Vec::new(),
        }));
    }
    if logged {
        // 要配慮 details were read by someone other than their author: on the record.
        state
            .store
            .log_access(
                &viewer.staff_id,
                id,
                &format!("/api/requests/{id}"),
                crate::now_ms(),
            )
            .await?;
    }
    let notes = state.store.notes(id).await?;
    let history = state.store.history_items(id).await?;
    Ok(Json(RequestDetail {
        request,
        notes,
        history,
    }))
}
