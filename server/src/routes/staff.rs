//! `GET /api/staff?section=code`: the active staff (id, name, sections), for office staff,
//! section heads and administrators to assign a request (担当者). Field staff get 403
//! `not_allowed`: they do not assign.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use koe_core::directory::StaffEntry;

use crate::auth::SignedIn;
use crate::error::ApiError;
use crate::AppState;

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Vec<StaffEntry>>, ApiError> {
    let viewer = signed_in.viewer();
    if !viewer.role.reviews_ward() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_allowed",
            "職員の一覧は事務職員・課長・管理者だけが見られます。",
            "Only office staff, section heads and administrators see the staff list.",
        ));
    }
    let section = query
        .get("section")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty());
    if let Some(code) = section {
        let catalogue = state.store.catalogue().await?;
        if catalogue.section(code).is_none() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "unknown_section",
                format!("課「{code}」はありません。"),
                format!("There is no section {code:?}."),
            ));
        }
    }
    Ok(Json(state.store.staff_directory(section).await?))
}
