//! Exports of the office list, with the list's own filters (`koe_core::filter`; `limit`
//! and `offset` are ignored: an export holds every request that matches):
//! - `GET /api/exports/requests.csv`: UTF-8 with a byte order mark and CRLF line ends, so
//!   Excel opens the Japanese correctly; headers in Japanese with the English in brackets.
//! - `GET /api/exports/requests.geojson`: a FeatureCollection of the requests that have
//!   coordinates.
//!
//! An export shows what the reader may see, exactly as the list does (`Viewer::sees`,
//! `Viewer::redact`): a redacted request's details are empty cells in the CSV and it has
//! no place, so it is not in the GeoJSON. Neither carries the resident's contact, and
//! the GeoJSON leaves out the description and landmark (a map is easily passed on). A
//! reader who may read a 要配慮 request's details and exports them is written to the
//! access log, as a detail read is.

use axum::extract::{RawQuery, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use koe_core::calendar::{iso_date, jst_day, DAY_MS, JST_OFFSET_MS};
use koe_core::{Catalogue, RequestRecord, Viewer};
use serde_json::json;

use super::requests::read_filter;
use crate::auth::SignedIn;
use crate::error::ApiError;
use crate::AppState;
use koe_core::filter::parse_query_string;

/// Rows read from the database at a time.
const EXPORT_BATCH: i64 = 1000;

/// Every request matching the filter in the raw query string that the reader may see,
/// redacted for them.
async fn export_rows(
    state: &AppState,
    signed_in: &SignedIn,
    raw_query: Option<&str>,
    path: &str,
) -> Result<(Vec<RequestRecord>, Catalogue, i64), ApiError> {
    let query = parse_query_string(raw_query.unwrap_or(""));
    let viewer: &Viewer = &signed_in.viewer();
    let catalogue = state.store.catalogue().await?;
    let mut filter = read_filter(&query, &catalogue)?;
    let now = crate::now_ms();
    filter.limit = EXPORT_BATCH;
    filter.offset = 0;
    let mut rows = Vec::new();
    loop {
        let (page, total) = state
            .store
            .list_page(viewer, &filter, &catalogue, now)
            .await?;
        let n = page.len() as i64;
        for record in page.into_iter().filter(|r| viewer.sees(r)) {
            let logged = viewer.read_is_logged(&record, &catalogue);
            let record = viewer.redact(record, &catalogue);
            if logged && !record.redacted {
                state
                    .store
                    .log_access(&viewer.staff_id, record.id, path, now)
                    .await?;
            }
            rows.push(record);
        }
        filter.offset += n;
        if n < EXPORT_BATCH || filter.offset >= total {
            break;
        }
    }
    Ok((rows, catalogue, now))
}

/// An export answered as a file to save, named for the day.
fn download(content_type: &'static str, extension: &str, now: i64, body: Vec<u8>) -> Response {
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (CONTENT_DISPOSITION, attachment(extension, now)),
        ],
        body,
    )
        .into_response()
}

/// `koe-requests-2026-05-01.csv`: the day of the export in Japan.
fn attachment(extension: &str, now: i64) -> HeaderValue {
    let name = format!("koe-requests-{}.{extension}", iso_date(jst_day(now)));
    HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// `2026-05-01 09:30` in Japan.
fn jst_minute(ms: i64) -> String {
    let minutes = (ms + JST_OFFSET_MS).rem_euclid(DAY_MS) / 60_000;
    format!(
        "{} {:02}:{:02}",
        iso_date(jst_day(ms)),
        minutes / 60,
        minutes % 60
    )
}

/// One CSV field, quoted when it must be (RFC 4180). Free text that a spreadsheet
/// would run as a formula (`=`, `+`, `-`, `@` first) is prefixed with `'`.
fn csv_field(out: &mut String, value: &str, free_text: bool) {
    let value = if free_text && value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&value);
    }
}

const CSV_HEADERS: [&str; 20] = [
    "受付番号 (id)",
    "受付日時 (received)",
    "状態 (status)",
    "分類 (category)",
    "担当課 (section)",
    "緊急度 (urgency)",
    "件名 (title)",
    "内容 (description)",
    "住所 (address)",
    "目印 (landmark)",
    "緯度 (latitude)",
    "経度 (longitude)",
    "担当者 (assignee)",
    "連携先 (shared with)",
    "対応内容 (response)",
    "解決期限 (resolve by)",
    "期限状況 (timeliness)",
    "記録者 (logged by)",
    "要確認 (needs review)",
    "非表示 (redacted)",
];

/// The CSV document: BOM, header row, one row per request, CRLF after every row.
pub fn csv(rows: &[RequestRecord], catalogue: &Catalogue, now: i64) -> String {
    let mut out = String::from("\u{FEFF}");
    for (i, h) in CSV_HEADERS.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(&mut out, h, false);
    }
    out.push_str("\r\n");
    for r in rows {
        let place = r.place.clone().unwrap_or_default();
        let number = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        // A redacted request names its category's group only (`koe_core::access::redacted`).
        let category = match koe_core::access::redacted_group(&r.category) {
            Some(group) => group.to_string(),
            None => catalogue
                .category(&r.category)
                .map_or(r.category.clone(), |c| c.name_ja.clone()),
        };
        // Its times and urgency are placeholders, not the request's: empty cells.
        let hidden = |cell: String| if r.redacted { String::new() } else { cell };
        let section = catalogue
            .section(&r.section)
            .map_or(r.section.clone(), |s| s.name_ja.clone());
        let shared: Vec<String> = r
            .shared_with
            .iter()
            .map(|s| {
                catalogue
                    .section(s)
                    .map_or(s.clone(), |x| x.name_ja.clone())
            })
            .collect();
        let cells: [(String, bool); 20] = [
            (r.id.to_string(), false),
            (hidden(jst_minute(r.received_at)), false),
            (r.status.label_ja().into(), false),
            (category, true),
            (section, true),
            (hidden(r.urgency.label_ja().into()), false),
            (r.title.clone().unwrap_or_default(), true),
            (r.description.clone().unwrap_or_default(), true),
            (place.address, true),
            (place.landmark, true),
            (number(place.lat), false),
            (number(place.lon), false),
            (r.assignee.clone().unwrap_or_default(), true),
            (shared.join("・"), true),
            (r.response.clone().unwrap_or_default(), true),
            (
                r.due.map(|d| jst_minute(d.resolve_by)).unwrap_or_default(),
                false,
            ),
            (
                r.resolve_timeliness(now)
                    .map(|t| t.label_ja().to_string())
                    .unwrap_or_default(),
                false,
            ),
            (r.logged_by.clone(), true),
            ((if r.needs_review { "要確認" } else { "" }).into(), false),
            ((if r.redacted { "非表示" } else { "" }).into(), false),
        ];
        for (i, (value, free_text)) in cells.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            csv_field(&mut out, value, *free_text);
        }
        out.push_str("\r\n");
    }
    out
}

/// The GeoJSON document: requests with coordinates, without contact or description.
pub fn geojson(rows: &[RequestRecord], catalogue: &Catalogue, now: i64) -> serde_json::Value {
    let features: Vec<serde_json::Value> = rows
        .iter()
        .filter_map(|r| {
            let place = r.place.as_ref()?;
            let (lat, lon) = (place.lat?, place.lon?);
            if !lat.is_finite() || !lon.is_finite() {
                return None;
            }
            let category = catalogue.category(&r.category);
            let section = catalogue.section(&r.section);
            Some(json!({
                "type": "Feature",
                "id": r.id,
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "id": r.id,
                    "title": r.title,
                    "status": r.status.code(),
                    "status_ja": r.status.label_ja(),
                    "category": r.category,
                    "category_ja": category.map(|c| c.name_ja.as_str()),
                    "section": r.section,
                    "section_ja": section.map(|s| s.name_ja.as_str()),
                    "urgency": r.urgency.code(),
                    "address": place.address,
                    "received_at": jst_minute(r.received_at),
                    "resolve_by": r.due.map(|d| jst_minute(d.resolve_by)),
                    "timeliness": r.resolve_timeliness(now).map(|t| t.code()),
                },
            }))
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

pub async fn requests_csv(
    State(state): State<AppState>,
    signed_in: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let (rows, catalogue, now) = export_rows(
        &state,
        &signed_in,
        raw.as_deref(),
        "/api/exports/requests.csv",
    )
    .await?;
    let body = csv(&rows, &catalogue, now);
    Ok(download("text/csv; charset=utf-8", "csv", now, body.into()))
}

pub async fn requests_geojson(
    State(state): State<AppState>,
    signed_in: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let (rows, catalogue, now) = export_rows(
        &state,
        &signed_in,
        raw.as_deref(),
        "/api/exports/requests.geojson",
    )
    .await?;
    let body = serde_json::to_vec(&geojson(&rows, &catalogue, now)).map_err(|e| {
        tracing::error!(error = %e, "geojson");
        ApiError::internal()
    })?;
    Ok(download("application/geo+json", "geojson", now, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        let mut out = String::new();
        csv_field(&mut out, "a,\"b\"\r\nc", true);
        assert_eq!(out, "\"a,\"\"b\"\"\r\nc\"");
        let mut out = String::new();
        csv_field(&mut out, "=HYPERLINK(\"x\")", true);
        assert_eq!(out, "\"'=HYPERLINK(\"\"x\"\")\"");
        let mut out = String::new();
        csv_field(&mut out, "-12.5", false);
        assert_eq!(out, "-12.5");
    }

    #[test]
    fn times_are_written_in_japan() {
        // 2026-05-01 00:30 UTC is 09:30 in Japan.
        let ms = koe_core::calendar::parse_iso_date("2026-05-01").unwrap() * DAY_MS + 1_800_000;
        assert_eq!(jst_minute(ms), "2026-05-01 09:30");
        assert_eq!(
            attachment("csv", ms).to_str().unwrap(),
            "attachment; filename=\"koe-requests-2026-05-01.csv\""
        );
    }
}
