//! The ward's devices: `POST /api/devices/report` (what waits on this device, from any
//! signed-in person on it) and, for administrators, `GET /api/admin/devices` and
//! `POST /api/admin/devices/{client_id}/retire`.
//!
//! A device belongs to the ward, not a person: pooled tablets pass from hand to hand, and
//! an administrator who retires one (lost, broken, handed back) ends every session on it
//! at once; from then on it can neither sign in, sync nor report (403 `device_retired`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use koe_core::api::{DeviceReport, DeviceSummary, MAX_REPORTED_PEOPLE};
use uuid::Uuid;

use super::admin::Admin;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiJson};
use crate::store::{DeviceOutcome, Written};
use crate::AppState;

/// The most devices `GET /api/admin/devices` lists (the most recently seen).
pub const MAX_LISTED_DEVICES: i64 = 1000;
/// The longest staff id a report may name (as an account's id may be).
pub const MAX_STAFF_ID_CHARS: usize = 64;

fn unknown_device() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_device",
        "この端末は区の記録にありません。端末の一覧を更新してください。",
        "The ward record has no such device. Reload the list of devices.",
    )
}

/// What a write about a device came to, or its refusal.
pub(super) fn done<T>(outcome: DeviceOutcome<T>) -> Result<T, ApiError> {
    match outcome {
        DeviceOutcome::Done(value) => Ok(value),
        DeviceOutcome::Unknown => Err(unknown_device()),
        DeviceOutcome::Retired => Err(ApiError::device_retired()),
    }
}

/// 403 `device_retired` if an administrator retired the device.
pub(super) async fn refuse_retired(state: &AppState, client_id: Uuid) -> Result<(), ApiError> {
    match state.store.device_retired_at(client_id).await? {
        Some(_) => Err(ApiError::device_retired()),
        None => Ok(()),
    }
}

/// `POST /api/devices/report`: what waits on this device, per person. Checked whole
/// before anything is kept.
pub async fn report(
    State(state): State<AppState>,
    _signed_in: SignedIn,
    ApiJson(report): ApiJson<DeviceReport>,
) -> Result<StatusCode, ApiError> {
    if report.waiting.len() > MAX_REPORTED_PEOPLE {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "too_many_people",
            format!(
                "報告できるのは{MAX_REPORTED_PEOPLE}人分までです（{}人分）。アプリを更新してください。",
                report.waiting.len()
            ),
            format!(
                "A report may list at most {MAX_REPORTED_PEOPLE} people (got {}). Update the app.",
                report.waiting.len()
            ),
        ));
    }
    if let Some(w) = report
        .waiting
        .iter()
        .find(|w| w.staff_id.chars().count() > MAX_STAFF_ID_CHARS)
    {
        // Cut so the message stays readable whatever was sent.
        let start: String = w.staff_id.chars().take(16).collect();
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_staff_id",
            format!(
                "職員ID「{start}…」が長すぎます（{MAX_STAFF_ID_CHARS}文字まで）。アプリを更新してください。"
            ),
            format!(
                "Staff id {start:?}… is too long (at most {MAX_STAFF_ID_CHARS} characters). Update the app."
            ),
        ));
    }
    done(
        state
            .store
            .report_device(report.client_id, &report.waiting, crate::now_ms())
            .await?,
    )?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/admin/devices`: the most recently seen devices first, each with who signed
/// in on it and what waits there.
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<Json<Vec<DeviceSummary>>, ApiError> {
    Ok(Json(
        state.store.device_summaries(MAX_LISTED_DEVICES).await?,
    ))
}

/// `POST /api/admin/devices/{client_id}/retire`.
pub async fn retire(
    State(state): State<AppState>,
    admin: Admin,
    Path(client_id): Path<String>,
) -> Result<Json<DeviceSummary>, ApiError> {
    // What is not a UUID was never a device.
    let client_id = Uuid::parse_str(client_id.trim()).map_err(|_| unknown_device())?;
    match state
        .store
        .retire_device(&admin.0.me.staff_id, client_id, crate::now_ms())
        .await?
    {
        Written::Done(summary) => Ok(Json(summary)),
        // Retiring answers only Done or Missing.
        _ => Err(unknown_device()),
    }
}
