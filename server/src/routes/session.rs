//! `POST /api/session` (sign in), `GET /api/session`, `DELETE /api/session`.
//!
//! A sign-in that names its device (`SignIn.client_id`) makes a session of that device:
//! retiring the device ends it. Whether the device is retired is looked at only once the
//! password is right, so a wrong password answers as it always does and tells nothing
//! about the device.

use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header::RETRY_AFTER;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use koe_core::api::{Me, SignIn, SignedInAnswer};

use crate::auth::{
    self, SignedIn, BUSY_RETRY_SECONDS, FAILURE_WINDOW_MS, MAX_FAILURES, MAX_FAILURES_PER_ADDRESS,
    SESSION_SECONDS,
};
use crate::error::{ApiError, ApiJson};
use crate::AppState;
use koe_core::validation::STAFF_ID_MAX_CHARS;

/// The client's address: as the listener saw it, or, behind a load balancer that
/// `KOE_TRUST_FORWARDED=1` says is trusted, the last address of `X-Forwarded-For` (the
/// one that proxy appended). `None` when served without connect info, as in tests that
/// drive the router directly.
pub struct ClientIp(pub Option<IpAddr>);

fn trust_forwarded() -> bool {
    static TRUST: OnceLock<bool> = OnceLock::new();
    *TRUST.get_or_init(|| {
        std::env::var("KOE_TRUST_FORWARDED").is_ok_and(|v| matches!(v.trim(), "1" | "true"))
    })
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let forwarded = || {
            parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .last()
                .and_then(|a| a.trim().parse::<IpAddr>().ok())
        };
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(Self(if trust_forwarded() {
            forwarded().or(peer)
        } else {
            peer
        }))
    }
}

/// When a key with these recent failures (oldest first) may try again, if it is locked
/// (`max` failures are in the window): when the one that makes the count leaves it.
pub fn locked_until(failures: &[i64], max: usize) -> Option<i64> {
    failures
        .len()
        .checked_sub(max)
        .map(|i| failures[i] + FAILURE_WINDOW_MS)
}

fn too_many_attempts(retry_at: i64, now: i64) -> Response {
    let seconds = ((retry_at - now).max(0) + 999) / 1000;
    let minutes = (seconds + 59) / 60;
    let mut response = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        format!(
            "サインインの失敗が続いたため、一時的に停止しています。約{minutes}分後にもう一度お試しください。"
        ),
        format!(
            "Too many failed sign-ins. Try again in about {minutes} minute{}.",
            if minutes == 1 { "" } else { "s" }
        ),
    )
    .into_response();
    if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(RETRY_AFTER, v);
    }
    response
}

fn busy() -> Response {
    let mut response = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "busy",
        format!(
            "サインインが混み合っています。{BUSY_RETRY_SECONDS}秒ほど待ってからもう一度お試しください。"
        ),
        format!("Many people are signing in at once. Wait {BUSY_RETRY_SECONDS} seconds or so and try again."),
    )
    .into_response();
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(BUSY_RETRY_SECONDS));
    response
}

/// A staff id longer than any the ward gives out: refused before anything is stored or
/// hashed (a 400, not `bad_credentials`: no account can have it, so saying so tells a
/// guesser nothing, and a person who pasted the wrong thing learns what is wrong).
fn staff_id_too_long() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "bad_staff_id",
        format!("職員IDが長すぎます（{STAFF_ID_MAX_CHARS}文字まで）。職員IDを確かめて入力してください。"),
        format!("The staff id is too long (at most {STAFF_ID_MAX_CHARS} characters). Check your staff id and enter it again."),
    )
}

pub async fn sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    sent: HeaderMap,
    ApiJson(body): ApiJson<SignIn>,
) -> Result<Response, ApiError> {
    let staff_id = body.staff_id.trim();
    if staff_id.chars().count() > STAFF_ID_MAX_CHARS {
        return Err(staff_id_too_long());
    }
    let now = crate::now_ms();
    // Counted in the database, so every instance behind the load balancer agrees.
    let mut keys = vec![format!("staff:{}", staff_id.to_lowercase())];
    if let Some(ip) = ip {
        keys.push(format!("ip:{ip}"));
    }
    // The attempt is counted as a failure before its password is checked, one attempt
    // at a time per key: of attempts in parallel only those that find room are checked,
    // on one instance or several.
    let limits: Vec<(String, usize)> = keys
        .iter()
        .cloned()
        .zip([MAX_FAILURES, MAX_FAILURES_PER_ADDRESS])
        .collect();
    let attempt = match state
        .store
        .reserve_sign_in_attempt(&limits, now, now - FAILURE_WINDOW_MS)
        .await?
    {
        Ok(ids) => ids,
        Err(failures) => {
            let retry_at = limits
                .iter()
                .zip(&failures)
                .filter_map(|((_, max), f)| locked_until(f, *max))
                .max()
                .unwrap_or(now + FAILURE_WINDOW_MS);
            return Ok(too_many_attempts(retry_at, now));
        }
    };
    let creds = state.store.credentials(staff_id).await?;
    let stored = creds
        .as_ref()
        .filter(|c| !c.disabled)
        .map(|c| c.password_hash.clone());
    let Ok(verified) = state.passwords.verify(body.password, stored).await else {
        state.store.release_sign_in_attempt(&attempt).await?;
        return Ok(busy());
    };
    // A wrong password: the attempt stays counted.
    let Some(creds) = creds.filter(|_| verified) else {
        return Err(ApiError::bad_credentials());
    };
    state.store.clear_sign_in_failures(&keys[0]).await?;
    state.store.release_sign_in_attempt(&attempt).await?;
    // A pooled tablet: whoever used this browser before (signed out offline, or not at
    // all) loses their session now, so it can not outlive their shift.
    if let Some(previous) = auth::token_from_headers(&sent) {
        state
            .store
            .delete_session(&auth::token_hash(&previous))
            .await?;
    }
    let token = auth::new_token();
    let token_hash = auth::token_hash(&token);
    let staff_id = creds.me.staff_id.as_str();
    let expires_at = now + SESSION_SECONDS * 1000;
    let device_key = match body.client_id {
        None => {
            state
                .store
                .create_session(&token_hash, staff_id, now, expires_at)
                .await?;
            None
        }
        Some(client_id) => {
            // A fresh key each time; the store keeps the first one made for this person
            // on this device and answers it.
            let outcome = state
                .store
                .create_device_session(
                    &token_hash,
                    staff_id,
                    client_id,
                    &auth::new_device_key(),
                    now,
                    expires_at,
                )
                .await?;
            Some(super::devices::done(outcome)?)
        }
    };
    let mut headers = HeaderMap::new();
    auth::set_cookie(&mut headers, auth::session_cookie(&token));
    let answer = SignedInAnswer {
        me: creds.me,
        device_key,
    };
    Ok((headers, Json(answer)).into_response())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locked_while_five_failures_are_in_the_window() {
        assert_eq!(locked_until(&[], 5), None);
        assert_eq!(locked_until(&[1, 2, 3, 4], 5), None);
        assert_eq!(
            locked_until(&[1, 2, 3, 4, 5], 5),
            Some(1 + FAILURE_WINDOW_MS)
        );
        assert_eq!(
            locked_until(&[1, 2, 3, 4, 5, 6], 5),
            Some(2 + FAILURE_WINDOW_MS)
        );
    }
}
