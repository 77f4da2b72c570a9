//! `GET /api/requests/{id}/duplicates`: the requests likely to be the same matter as this
//! one (重複の候補), nearest first, for the office to judge when it routes it. The rule is
//! `koe_core::duplicates`; the store pre-selects by category group, dates and place.
//!
//! Distance is a detail: only a reader who may read this request's details gets
//! suggestions (else 403 `details_forbidden`), and only candidates whose details they
//! may read are suggested. A sensitive candidate read by someone other than its author
//! goes on the access log.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use koe_core::duplicates::{self, categories_in_group, DuplicateCandidate};
use koe_core::Viewer;

use crate::auth::SignedIn;
use crate::error::ApiError;
use crate::store::CandidateQuery;
use crate::AppState;

use super::requests::visible_request;

fn details_forbidden() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "details_forbidden",
        "この受付は要配慮のため、重複の候補は詳細を読める職員だけが見られます。",
        "This request is sensitive: only staff who may read its details see its likely duplicates.",
    )
}

pub async fn of_request(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<Vec<DuplicateCandidate>>, ApiError> {
    let viewer: Viewer = signed_in.viewer();
    let this = visible_request(&state, &viewer, &id).await?;
    let id = this.id;
    let catalogue = state.store.catalogue().await?;
    if !viewer.reads_details(&this, &catalogue) {
        return Err(details_forbidden());
    }
    let Some((from, to)) = duplicates::window(&this, &catalogue) else {
        // A category no longer in the catalogue has no rule: nothing is suggested.
        return Ok(Json(Vec::new()));
    };
    let radius = catalogue
        .category(&this.category)
        .map_or(0.0, |c| f64::from(c.duplicate_radius_m));
    let near = this
        .place
        .as_ref()
        .and_then(|p| Some((p.lat?, p.lon?)))
        .filter(|(lat, lon)| lat.is_finite() && lon.is_finite())
        .map(|(lat, lon)| (lat, lon, radius));
    let query = CandidateQuery {
        request_id: id,
        categories: categories_in_group(&catalogue, &this.category),
        from,
        to,
        near,
    };
    let stored = state.store.duplicate_candidates(&query).await?;
    let readable = stored
        .into_iter()
        .filter(|r| viewer.sees(r) && viewer.reads_details(r, &catalogue))
        .collect();
    let found = duplicates::suggest(&this, readable, &catalogue);
    let now = crate::now_ms();
    let path = format!("/api/requests/{id}/duplicates");
    for c in &found {
        if viewer.read_is_logged(&c.request, &catalogue) {
            state
                .store
                .log_access(&viewer.staff_id, c.request.id, &path, now)
                .await?;
        }
    }
    Ok(Json(
        found
            .into_iter()
            .map(|c| DuplicateCandidate {
                request: viewer.redact(c.request, &catalogue),
                ..c
            })
            .collect(),
    ))
}
