//! The ward record's administration API (`/api/admin/…`, docs/api.md "Administration"),
//! for the 管理 page. Administration is done online, directly on the ward record: nothing
//! here is queued on the device.

use koe_core::admin::{
    AdminChangePage, IssuedPassword, NewStaffAccount, SectionRename, StaffAccount, StaffUpdate,
};
use koe_core::calendar::DayOff;
use koe_core::{Category, Section};
use leptos::prelude::Set;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::api::{self, ApiError};
use crate::session;
use crate::state::AppState;

async fn call<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<&impl Serialize>,
) -> Result<T, ApiError> {
    let body = body
        .map(|b| serde_json::to_string(b).map_err(|e| ApiError::Unexpected(e.to_string())))
        .transpose()?
        .map(|b| JsValue::from_str(&b));
    let (status, text) =
        api::send(method, path, body.as_ref().map(|b| (b, "application/json"))).await?;
    if !(200..300).contains(&status) {
        return Err(api::error_from(status, &text));
    }
    serde_json::from_str(&text).map_err(|e| ApiError::Unexpected(e.to_string()))
}

/// A path segment (staff id, code, date) made safe for the URL.
fn seg(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

const NO_BODY: Option<&()> = None;

pub async fn staff() -> Result<Vec<StaffAccount>, ApiError> {
    call("GET", "/api/admin/staff", NO_BODY).await
}

pub async fn create_staff(input: &NewStaffAccount) -> Result<IssuedPassword, ApiError> {
    call("POST", "/api/admin/staff", Some(input)).await
}

pub async fn update_staff(id: &str, update: &StaffUpdate) -> Result<StaffAccount, ApiError> {
    call(
        "PUT",
        &format!("/api/admin/staff/{}", seg(id)),
        Some(update),
    )
    .await
}

pub async fn set_disabled(id: &str, disabled: bool) -> Result<StaffAccount, ApiError> {
    let action = if disabled { "disable" } else { "enable" };
    call(
        "POST",
        &format!("/api/admin/staff/{}/{action}", seg(id)),
        NO_BODY,
    )
    .await
}

pub async fn reset_password(id: &str) -> Result<IssuedPassword, ApiError> {
    call(
        "POST",
        &format!("/api/admin/staff/{}/password", seg(id)),
        NO_BODY,
    )
    .await
}

pub async fn create_section(section: &Section) -> Result<Section, ApiError> {
    call("POST", "/api/admin/sections", Some(section)).await
}

pub async fn rename_section(code: &str, rename: &SectionRename) -> Result<Section, ApiError> {
    call(
        "PUT",
        &format!("/api/admin/sections/{}", seg(code)),
        Some(rename),
    )
    .await
}

pub async fn delete_section(code: &str) -> Result<Section, ApiError> {
    call(
        "DELETE",
        &format!("/api/admin/sections/{}", seg(code)),
        NO_BODY,
    )
    .await
}

pub async fn create_category(category: &Category) -> Result<Category, ApiError> {
    call("POST", "/api/admin/categories", Some(category)).await
}

pub async fn update_category(category: &Category) -> Result<Category, ApiError> {
    call(
        "PUT",
        &format!("/api/admin/categories/{}", seg(&category.code)),
        Some(category),
    )
    .await
}

pub async fn add_day_off(day: &DayOff) -> Result<DayOff, ApiError> {
    call("POST", "/api/admin/calendar", Some(day)).await
}

pub async fn remove_day_off(date: &str) -> Result<DayOff, ApiError> {
    call(
        "DELETE",
        &format!("/api/admin/calendar/{}", seg(date)),
        NO_BODY,
    )
    .await
}

pub async fn changes(before: Option<i64>) -> Result<AdminChangePage, ApiError> {
    let path = match before {
        Some(b) => format!("/api/admin/changes?limit=50&before={b}"),
        None => "/api/admin/changes?limit=50".to_string(),
    };
    call("GET", &path, NO_BODY).await
}

/// Reads the catalogue again after a change, so this device (and its forms) show it at
/// once; other devices get it at their next sync.
pub async fn refresh_catalogue(app: AppState) -> Result<(), ApiError> {
    let catalogue = api::catalogue().await?;
    let _ = session::store_catalogue(&catalogue);
    app.catalogue.set(Some(catalogue));
    Ok(())
}

pub async fn devices() -> Result<Vec<koe_core::api::DeviceSummary>, ApiError> {
    call("GET", "/api/admin/devices", NO_BODY).await
}

pub async fn retire_device(
    client_id: uuid::Uuid,
) -> Result<koe_core::api::DeviceSummary, ApiError> {
    call(
        "POST",
        &format!("/api/admin/devices/{client_id}/retire"),
        NO_BODY,
    )
    .await
}
