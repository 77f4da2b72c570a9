//! `GET /api/catalogue`: departments, sections and categories, from the database.
//!
//! Devices ask for it at every start and sign-in; it changes only when an administrator
//! edits it. The answer carries an `ETag` of its content and a device that sends it back
//! (`If-None-Match`) gets `304 Not Modified` with no body.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::auth::SignedIn;
use crate::error::ApiError;
use crate::store::StoreError;
use crate::AppState;

pub async fn get_catalogue(
    State(state): State<AppState>,
    _signed_in: SignedIn,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let catalogue = state.store.catalogue().await?;
    let body = serde_json::to_vec(&catalogue)
        .map_err(|e| ApiError::from(StoreError::Invalid(e.to_string())))?;
    let tag = etag(&body);
    let sent_back = headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    // Revalidated every time: a change by an administrator reaches the next device start.
    let cache = HeaderValue::from_static("private, no-cache");
    let tag = HeaderValue::from_str(&tag).expect("hex in quotes is a header value");
    if sent_back {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(ETAG, tag), (CACHE_CONTROL, cache)],
        )
            .into_response());
    }
    Ok((
        [
            (ETAG, tag),
            (CACHE_CONTROL, cache),
            (CONTENT_TYPE, HeaderValue::from_static("application/json")),
        ],
        body,
    )
        .into_response())
}

/// A strong tag of the catalogue's JSON: the same content, the same tag, on every
/// instance of the ward record.
fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}
