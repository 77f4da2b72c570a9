//! `POST /api/session` (sign in), `GET /api/session`, `DELETE /api/session`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use koe_core::api::{Me, SignIn};

use crate::auth::{self, SignedIn, SESSION_SECONDS};
use crate::error::{ApiError, ApiJson};
use crate::AppState;

pub async fn sign_in(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SignIn>,
) -> Result<Response, ApiError> {
    let creds = state.store.credentials(body.staff_id.trim()).await?;
    let stored = creds
        .as_ref()
        .filter(|c| !c.disabled)
        .map(|c| c.password_hash.clone());
    if !state.passwords.verify(body.password, stored).await {
        return Err(ApiError::bad_credentials());
    }
    let Some(creds) = creds else {
        return Err(ApiError::bad_credentials());
    };
    let token = auth::new_token();
    let now = crate::now_ms();
    state
        .store
        .create_session(
            &auth::token_hash(&token),
            &creds.me.staff_id,
            now,
            now + SESSION_SECONDS * 1000,
        )
        .await?;
    let mut headers = HeaderMap::new();
    auth::set_cookie(&mut headers, auth::session_cookie(&token));
    Ok((headers, Json(creds.me)).into_response())
}

pub async fn current(signed_in: SignedIn) -> Json<Me> {
    Json(signed_in.me)
}

pub async fn sign_out(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, ApiError> {
    state.store.delete_session(&signed_in.token_hash).await?;
    let mut headers = HeaderMap::new();
    auth::set_cookie(&mut headers, auth::cleared_cookie());
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}
