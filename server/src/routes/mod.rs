//! The router: `/api/…` as `docs/api.md` describes it, and the built app for every other path.

mod admin;
mod catalogue;
mod devices;
mod duplicates;
mod exports;
mod files;
pub mod guard;
mod open311;
mod openapi;
mod photos;
mod reports;
mod requests;
mod session;
mod staff;
mod sync;

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, patch, post, put};
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::AppState;

/// The most a push body may be, and the most mutations it may carry (core's, since the
/// device packs its batches by them).
pub use koe_core::sync::{PUSH_BODY_LIMIT, PUSH_MAX_MUTATIONS};
/// Page sizes for pull and the request list.
pub const DEFAULT_LIMIT: i64 = 200;
pub const MAX_LIMIT: i64 = 1000;

/// The ward record's whole HTTP surface, guarded ([`guard::harden`]).
pub fn app(state: AppState) -> Router {
    guard::harden(routes(state), guard::REQUEST_TIMEOUT)
}

fn routes(state: AppState) -> Router {
    // The session's answers (the device key of a sign-in) are never compressed: a secret
    // beside anything an attacker could have reflected must not show in a length.
    let session = Router::new().route(
        "/session",
        post(session::sign_in)
            .get(session::current)
            .delete(session::sign_out),
    );
    let api = Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/catalogue", get(catalogue::get_catalogue))
        .route(
            "/sync/push",
            post(sync::push).layer(DefaultBodyLimit::max(PUSH_BODY_LIMIT)),
        )
        .route("/sync/pull", get(sync::pull))
        .route("/sync/news", get(sync::news))
        .route("/devices/report", post(devices::report))
        .route("/requests", get(requests::list))
        .route("/requests/{id}", get(requests::detail))
        .route("/exports/requests.csv", get(exports::requests_csv))
        .route("/exports/requests.geojson", get(exports::requests_geojson))
        .route("/requests/{id}/photos", get(photos::of_request))
        .route("/requests/{id}/duplicates", get(duplicates::of_request))
        .route("/staff", get(staff::list))
        // Administration (admin role only).
        .route(
            "/admin/staff",
            get(admin::staff_list).post(admin::staff_create),
        )
        .route("/admin/staff/{id}", put(admin::staff_update))
        .route("/admin/staff/{id}/disable", post(admin::staff_disable))
        .route("/admin/staff/{id}/enable", post(admin::staff_enable))
        .route(
            "/admin/staff/{id}/password",
            post(admin::staff_reset_password),
        )
        .route("/admin/sections", post(admin::section_create))
        .route(
            "/admin/sections/{code}",
            put(admin::section_rename).delete(admin::section_delete),
        )
        .route("/admin/categories", post(admin::category_create))
        .route("/admin/categories/{code}", put(admin::category_update))
        .route("/admin/calendar", post(admin::day_off_add))
        .route("/admin/calendar/{date}", delete(admin::day_off_remove))
        .route("/admin/changes", get(admin::changes))
        .route("/admin/devices", get(devices::list))
        .route("/admin/devices/{client_id}/retire", post(devices::retire))
        .route(
            "/photos/{photo_id}",
            patch(photos::append)
                .layer(DefaultBodyLimit::max(koe_core::photo::MAX_CHUNK_BYTES))
                .put(photos::declare)
                .get(photos::download),
        )
        .route("/photos/{photo_id}/status", get(photos::status))
        .route("/reports/standards", get(reports::standards))
        .route("/reports/dashboard", get(reports::dashboard))
        .route("/reports/monthly", get(reports::monthly))
        .route("/reports/monthly.csv", get(reports::monthly_csv))
        // JSON and CSV compress about tenfold (a pull page of 500 requests: 700 KB raw);
        // photos (images) and tiny answers are left as they are.
        .layer(CompressionLayer::new().br(true).gzip(true))
        .merge(session)
        .fallback(api_not_found)
        .method_not_allowed_fallback(api_method_not_allowed);
    Router::new()
        .nest("/api", api)
        .nest("/open311/v2", open311::router())
        .fallback(files::serve_app)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn api_not_found() -> ApiError {
    ApiError::not_found()
}

async fn api_method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}

/// Parses an optional page size: default when absent, clamped to `1..=MAX_LIMIT`.
fn parse_limit(value: Option<&String>) -> Result<i64, ApiError> {
    match value {
        None => Ok(DEFAULT_LIMIT),
        Some(text) => text
            .trim()
            .parse::<i64>()
            .map(|n| n.clamp(1, MAX_LIMIT))
            .map_err(|_| {
                ApiError::new(
                    axum::http::StatusCode::BAD_REQUEST,
                    "bad_limit",
                    format!("件数 limit「{text}」は数ではありません。"),
                    format!("limit {text:?} is not a number."),
                )
            }),
    }
}
