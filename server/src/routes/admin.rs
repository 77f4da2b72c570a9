//! `/api/admin/…`: what administrators (管理者) change — staff accounts, sections,
//! categories with their service standards and duplicate settings, the ward calendar —
//! and the log of every such change. Everyone else gets 403 `not_allowed`.
//!
//! The rules are `koe_core::admin`'s; each change and its log row are written in one
//! transaction ([`crate::store::AdminRecords`]). The catalogue devices pull
//! (`GET /api/catalogue`) is read from the same tables, so it shows a change at once.
//! A changed service standard applies to requests received afterwards: due dates are
//! fixed at receipt.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use koe_core::admin::{
    self, AdminChangePage, AdminError, IssuedPassword, NewStaffAccount, SectionRename,
    StaffAccount, StaffUpdate, CHANGES_MAX_LIMIT,
};
use koe_core::calendar::DayOff;
use koe_core::{Category, Role, Section};

use crate::auth::{readable_password, SignedIn};
use crate::error::{ApiError, ApiJson};
use crate::store::{NewStaff, Written};
use crate::AppState;

/// A signed-in administrator. As an extractor: 401 when signed out, 403 `not_allowed`
/// for every other role.
pub struct Admin(pub SignedIn);

impl Admin {
    fn id(&self) -> &str {
        &self.0.me.staff_id
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let signed_in = SignedIn::from_request_parts(parts, state).await?;
        admin::require_admin(signed_in.me.role).map_err(refused)?;
        Ok(Self(signed_in))
    }
}

/// An administrator's change refused: 403, 404, 409 or 400 with the rule's message.
fn refused(e: AdminError) -> ApiError {
    let status = match &e {
        AdminError::NotAdmin => StatusCode::FORBIDDEN,
        AdminError::Missing(_) => StatusCode::NOT_FOUND,
        e if e.is_conflict() => StatusCode::CONFLICT,
        _ => StatusCode::BAD_REQUEST,
    };
    let message = e.message();
    ApiError::new(status, e.code(), message.ja, message.en)
}

/// What the store wrote, or the refusal for a missing or taken id.
fn written<T>(outcome: Written<T>, what: &str) -> Result<T, ApiError> {
    match outcome {
        Written::Done(value) => Ok(value),
        Written::Missing => Err(refused(AdminError::Missing(what.to_string()))),
        Written::Conflict => Err(refused(AdminError::Exists(what.to_string()))),
        Written::Refused(e) => Err(refused(e)),
    }
}

fn hash_failed(e: String) -> ApiError {
    tracing::error!(error = %e, "password hashing failed");
    ApiError::internal()
}

/// `GET /api/admin/staff`: every account, disabled ones too.
pub async fn staff_list(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<Json<Vec<StaffAccount>>, ApiError> {
    Ok(Json(state.store.staff_accounts().await?))
}

/// `POST /api/admin/staff`: creates an account with a generated password, answered
/// this once.
pub async fn staff_create(
    State(state): State<AppState>,
    admin: Admin,
    ApiJson(input): ApiJson<NewStaffAccount>,
) -> Result<(StatusCode, Json<IssuedPassword>), ApiError> {
    let catalogue = state.store.catalogue().await?;
    let input = admin::check_new_staff(&input, &catalogue).map_err(refused)?;
    let password = readable_password();
    let password_hash = state
        .passwords
        .hash_async(password.clone())
        .await
        .map_err(hash_failed)?;
    let new = NewStaff {
        id: input.id.clone(),
        name: input.name,
        role: input.role,
        sections: input.sections,
        password_hash,
    };
    let staff = written(
        state
            .store
            .create_staff(admin.id(), &new, crate::now_ms())
            .await?,
        &input.id,
    )?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedPassword { staff, password }),
    ))
}

/// The account `id`, or 404.
async fn account(state: &AppState, id: &str) -> Result<StaffAccount, ApiError> {
    state
        .store
        .staff_account(id)
        .await?
        .ok_or_else(|| refused(AdminError::Missing(id.to_string())))
}

/// `PUT /api/admin/staff/{id}`: name, role and sections.
pub async fn staff_update(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    ApiJson(update): ApiJson<StaffUpdate>,
) -> Result<Json<StaffAccount>, ApiError> {
    let catalogue = state.store.catalogue().await?;
    let update =
        admin::check_staff_update(admin.id(), &id, &update, &catalogue).map_err(refused)?;
    let actor = admin.id().to_string();
    let becomes_admin = update.role == Role::Admin;
    // Checked inside the change's transaction, against the account as it is then.
    let guard = move |target: &StaffAccount, active: usize| {
        admin::check_keeps_an_admin(&actor, target, active, becomes_admin, target.disabled)
    };
    let after = written(
        state
            .store
            .update_staff(admin.id(), &id, &update, &guard, crate::now_ms())
            .await?,
        &id,
    )?;
    Ok(Json(after))
}

async fn set_disabled(
    state: AppState,
    admin: Admin,
    id: String,
    disabled: bool,
) -> Result<Json<StaffAccount>, ApiError> {
    let actor = admin.id().to_string();
    let guard = move |target: &StaffAccount, active: usize| {
        if disabled {
            admin::check_keeps_an_admin(&actor, target, active, target.role == Role::Admin, true)
        } else {
            Ok(())
        }
    };
    let after = written(
        state
            .store
            .set_staff_disabled(admin.id(), &id, disabled, &guard, crate::now_ms())
            .await?,
        &id,
    )?;
    Ok(Json(after))
}

/// `POST /api/admin/staff/{id}/disable`: the account can no longer sign in and its
/// sessions end at once.
pub async fn staff_disable(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<StaffAccount>, ApiError> {
    set_disabled(state, admin, id, true).await
}

/// `POST /api/admin/staff/{id}/enable`.
pub async fn staff_enable(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<StaffAccount>, ApiError> {
    set_disabled(state, admin, id, false).await
}

/// `POST /api/admin/staff/{id}/password`: a new generated password, answered this once;
/// the account's sessions end.
pub async fn staff_reset_password(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<IssuedPassword>, ApiError> {
    account(&state, &id).await?;
    let password = readable_password();
    let hash = state
        .passwords
        .hash_async(password.clone())
        .await
        .map_err(hash_failed)?;
    let staff = written(
        state
            .store
            .reset_staff_password(admin.id(), &id, &hash, crate::now_ms())
            .await?,
        &id,
    )?;
    Ok(Json(IssuedPassword { staff, password }))
}

/// `POST /api/admin/sections`.
pub async fn section_create(
    State(state): State<AppState>,
    admin: Admin,
    ApiJson(input): ApiJson<Section>,
) -> Result<(StatusCode, Json<Section>), ApiError> {
    let catalogue = state.store.catalogue().await?;
    let section = admin::check_new_section(&input, &catalogue).map_err(refused)?;
    let section = written(
        state
            .store
            .create_section(admin.id(), &section, crate::now_ms())
            .await?,
        &section.code,
    )?;
    Ok((StatusCode::CREATED, Json(section)))
}

/// `PUT /api/admin/sections/{code}`: renames a section.
pub async fn section_rename(
    State(state): State<AppState>,
    admin: Admin,
    Path(code): Path<String>,
    ApiJson(rename): ApiJson<SectionRename>,
) -> Result<Json<Section>, ApiError> {
    let catalogue = state.store.catalogue().await?;
    let section = admin::check_section_rename(&code, &rename, &catalogue).map_err(refused)?;
    Ok(Json(written(
        state
            .store
            .rename_section(admin.id(), &section, crate::now_ms())
            .await?,
        &code,
    )?))
}

/// `DELETE /api/admin/sections/{code}`: only a section nothing uses.
pub async fn section_delete(
    State(state): State<AppState>,
    admin: Admin,
    Path(code): Path<String>,
) -> Result<Json<Section>, ApiError> {
    let catalogue = state.store.catalogue().await?;
    let (staff, requests) = state.store.section_use(&code).await?;
    admin::check_section_unused(&code, &catalogue, staff, requests).map_err(refused)?;
    match state
        .store
        .delete_section(admin.id(), &code, crate::now_ms())
        .await?
    {
        Written::Done(section) => Ok(Json(section)),
        Written::Missing => Err(refused(AdminError::Missing(code))),
        // Put to use between the check and the delete.
        Written::Conflict => Err(refused(AdminError::SectionInUse {
            by: "…".into(),
            code,
        })),
        Written::Refused(e) => Err(refused(e)),
    }
}

/// `POST /api/admin/categories`.
pub async fn category_create(
    State(state): State<AppState>,
    admin: Admin,
    ApiJson(input): ApiJson<Category>,
) -> Result<(StatusCode, Json<Category>), ApiError> {
    let catalogue = state.store.catalogue().await?;
    let category = admin::check_category(&input, &catalogue, false).map_err(refused)?;
    let category = written(
        state
            .store
            .create_category(admin.id(), &category, crate::now_ms())
            .await?,
        &category.code,
    )?;
    Ok((StatusCode::CREATED, Json(category)))
}

/// `PUT /api/admin/categories/{code}`: the whole category (its code from the path).
pub async fn category_update(
    State(state): State<AppState>,
    admin: Admin,
    Path(code): Path<String>,
    ApiJson(mut input): ApiJson<Category>,
) -> Result<Json<Category>, ApiError> {
    input.code = code.clone();
    let catalogue = state.store.catalogue().await?;
    let category = admin::check_category(&input, &catalogue, true).map_err(refused)?;
    Ok(Json(written(
        state
            .store
            .update_category(admin.id(), &category, crate::now_ms())
            .await?,
        &code,
    )?))
}

/// `POST /api/admin/calendar`: adds a day off (weekends are always off).
pub async fn day_off_add(
    State(state): State<AppState>,
    admin: Admin,
    ApiJson(input): ApiJson<DayOff>,
) -> Result<(StatusCode, Json<DayOff>), ApiError> {
    let catalogue = state.store.catalogue().await?;
    let day = admin::check_day_off(&input, &catalogue.calendar).map_err(refused)?;
    let day = written(
        state
            .store
            .add_day_off(admin.id(), &day, crate::now_ms())
            .await?,
        &day.date,
    )?;
    Ok((StatusCode::CREATED, Json(day)))
}

/// `DELETE /api/admin/calendar/{date}`.
pub async fn day_off_remove(
    State(state): State<AppState>,
    admin: Admin,
    Path(date): Path<String>,
) -> Result<Json<DayOff>, ApiError> {
    Ok(Json(written(
        state
            .store
            .remove_day_off(admin.id(), &date, crate::now_ms())
            .await?,
        &date,
    )?))
}

/// `GET /api/admin/changes?limit=&before=`: the change log, newest first.
pub async fn changes(
    State(state): State<AppState>,
    _admin: Admin,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<AdminChangePage>, ApiError> {
    let limit = super::parse_limit(query.get("limit"))?.min(CHANGES_MAX_LIMIT);
    let before = match query.get("before") {
        None => None,
        Some(text) => Some(text.trim().parse::<i64>().map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_before",
                format!("before「{text}」は数ではありません。"),
                format!("before {text:?} is not a number."),
            )
        })?),
    };
    let changes = state.store.admin_changes(before, limit + 1).await?;
    let more = changes.len() as i64 > limit;
    let changes: Vec<_> = changes.into_iter().take(limit as usize).collect();
    let next_before = if more {
        changes.last().map(|c| c.id)
    } else {
        None
    };
    Ok(Json(AdminChangePage {
        changes,
        next_before,
    }))
}
