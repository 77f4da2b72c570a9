//! `GET /api/requests?limit=M&offset=K`: newest first, as the reader may see them.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use koe_core::RequestRecord;

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
