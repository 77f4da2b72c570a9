//! `GET /api/requests?…`: the office list, one page of it, filtered, searched and sorted
//! (`koe_core::filter` names the parameters), as the reader may see it.
//! `GET /api/requests/{id}`: one request with its notes and history, as the reader may
//! see it; reading a sensitive request's details is written to the access log.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use koe_core::api::{RequestDetail, RequestPage};
use koe_core::filter::{parse_query_string, FilterError, RequestFilter};
use koe_core::{RequestRecord, Viewer};
use uuid::Uuid;

use crate::auth::SignedIn;
use crate::error::ApiError;
use crate::AppState;

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Json<RequestPage>, ApiError> {
    let query = parse_query_string(raw.as_deref().unwrap_or(""));
    let viewer = signed_in.viewer();
    let catalogue = state.store.catalogue().await?;
    let filter = read_filter(&query, &catalogue)?;
    let (records, total) = state
        .store
        .list_page(&viewer, &filter, &catalogue, crate::now_ms())
        .await?;
    Ok(Json(RequestPage {
        requests: records
            .into_iter()
            .filter(|r| viewer.sees(r))
            .map(|r| viewer.redact(r, &catalogue))
            .collect(),
        total,
        offset: filter.offset,
        limit: filter.limit,
    }))
}

/// The office list's filter from the query string, its codes checked against the
/// catalogue: a 400 with the filter's own bilingual message otherwise.
pub(super) fn read_filter(
    query: &[(String, String)],
    catalogue: &koe_core::Catalogue,
) -> Result<RequestFilter, ApiError> {
    let filter = RequestFilter::from_query(query).map_err(filter_error)?;
    filter.check(catalogue).map_err(filter_error)?;
    Ok(filter)
}

fn filter_error(e: FilterError) -> ApiError {
    ApiError {
        status: StatusCode::BAD_REQUEST,
        code: e.code,
        message: e.message,
    }
}

fn unknown_request() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_request",
        "その要望は見つかりません。受付番号を確かめてください。",
        "There is no such request. Check the request id.",
    )
}

/// The request `id` names, if `viewer` may see it. One who may not see it learns nothing,
/// not even that it exists: a malformed id, a missing request and one out of sight all
/// answer the same 404.
pub(super) async fn visible_request(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> Result<RequestRecord, ApiError> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| unknown_request())?;
    match state.store.request_by_id(id).await? {
        Some(r) if viewer.sees(&r) => Ok(r),
        _ => Err(unknown_request()),
    }
}

pub async fn detail(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<RequestDetail>, ApiError> {
    let viewer = signed_in.viewer();
    let record = visible_request(&state, &viewer, &id).await?;
    let id = record.id;
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
