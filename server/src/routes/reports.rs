//! The service committee's reports, for office staff, section heads and administrators
//! (field staff get 403 `office_only`). Each counts only the requests the reader may see
//! and shows titles only as the reader may read them; the figures are computed in
//! `koe_core::report`.
//!
//! - `GET /api/reports/standards?from=YYYY-MM-DD&to=YYYY-MM-DD`: how the service
//!   standards were kept for the requests received in the period.
//! - `GET /api/reports/dashboard?from=…&to=…`: requests per month by department, the
//!   backlog at each month's end, response times against the standard, top categories.
//! - `GET /api/reports/monthly?month=YYYY-MM` and `/api/reports/monthly.csv?month=…`: the
//!   month's figures fit to publish (counts only; CSV in UTF-8 with a BOM).

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use koe_core::report::{
    self, Dashboard, DashboardTally, MonthlySummary, MonthlyTally, Period, ReportError,
    StandardsReport, StandardsTally,
};
use koe_core::{RequestRecord, Viewer};

use crate::auth::SignedIn;
use crate::error::ApiError;
use crate::AppState;

fn refused(e: ReportError) -> ApiError {
    let status = match e {
        ReportError::OfficeOnly => StatusCode::FORBIDDEN,
        _ => StatusCode::BAD_REQUEST,
    };
    ApiError {
        status,
        code: e.code(),
        message: e.message(),
    }
}

/// The reader, if they may read reports.
fn reader(signed_in: &SignedIn) -> Result<Viewer, ApiError> {
    let viewer = signed_in.viewer();
    report::check_reader(&viewer).map_err(refused)?;
    Ok(viewer)
}

fn period(query: &HashMap<String, String>) -> Result<Period, ApiError> {
    Period::parse(
        query.get("from").map(String::as_str),
        query.get("to").map(String::as_str),
    )
    .map_err(refused)
}

fn month(query: &HashMap<String, String>) -> Result<Period, ApiError> {
    Period::month(query.get("month").map(String::as_str).unwrap_or("")).map_err(refused)
}

/// Hands `add` every request a report over `period` reads, one at a time.
async fn fold(
    state: &AppState,
    period: &Period,
    add: &mut (dyn FnMut(RequestRecord) + Send),
) -> Result<(), ApiError> {
    state
        .store
        .report_requests(period.start_ms(), period.end_ms(), add)
        .await?;
    Ok(())
}

pub async fn standards(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<StandardsReport>, ApiError> {
    let viewer = reader(&signed_in)?;
    let period = period(&query)?;
    let catalogue = state.store.catalogue().await?;
    let mut tally = StandardsTally::new(&catalogue, &viewer, &period, crate::now_ms());
    fold(&state, &period, &mut |r| tally.add(&r)).await?;
    Ok(Json(tally.finish()))
}

pub async fn dashboard(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Dashboard>, ApiError> {
    let viewer = reader(&signed_in)?;
    let period = period(&query)?;
    let catalogue = state.store.catalogue().await?;
    let mut tally = DashboardTally::new(&catalogue, &viewer, &period, crate::now_ms());
    fold(&state, &period, &mut |r| tally.add(&r)).await?;
    Ok(Json(tally.finish()))
}

async fn summary(
    state: &AppState,
    signed_in: &SignedIn,
    query: &HashMap<String, String>,
) -> Result<MonthlySummary, ApiError> {
    let viewer = reader(signed_in)?;
    let month = month(query)?;
    let catalogue = state.store.catalogue().await?;
    let mut tally = MonthlyTally::new(&catalogue, &viewer, &month, crate::now_ms());
    fold(state, &month, &mut |r| tally.add(&r)).await?;
    Ok(tally.finish())
}

pub async fn monthly(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<MonthlySummary>, ApiError> {
    Ok(Json(summary(&state, &signed_in, &query).await?))
}

pub async fn monthly_csv(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let s = summary(&state, &signed_in, &query).await?;
    let disposition = format!("attachment; filename=\"koe-monthly-{}.csv\"", s.month);
    let mut response = report::monthly_csv(&s).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
