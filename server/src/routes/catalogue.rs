//! `GET /api/catalogue`: departments, sections and categories, from the database.

use axum::extract::State;
use axum::Json;
use koe_core::Catalogue;

use crate::auth::SignedIn;
use crate::error::ApiError;
use crate::AppState;

pub async fn get_catalogue(
    State(state): State<AppState>,
    _signed_in: SignedIn,
) -> Result<Json<Catalogue>, ApiError> {
    Ok(Json(state.store.catalogue().await?))
}
