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

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use koe_core::calendar::{iso_date, jst_day, DAY_MS, JST_OFFSET_MS};
use koe_core::csv::{push_row, Cell, BOM};
use koe_core::filter::{parse_query_string, RequestFilter};
use koe_core::{Catalogue, RequestRecord, Viewer};
use serde_json::json;

use super::requests::read_filter;
use crate::auth::SignedIn;
use crate::error::ApiError;
use crate::AppState;

/// Rows read from the database at a time: an export holds one page in memory, never the
/// whole ward (100,000 requests would be hundreds of MiB).
const EXPORT_BATCH: i64 = 1000;

/// Where an export is in its pages.
struct Pages {
    state: AppState,
    viewer: Viewer,
    filter: RequestFilter,
    catalogue: Catalogue,
    now: i64,
    path: &'static str,
    done: bool,
}

impl Pages {
    /// The next page of requests the reader may see, redacted for them; `None` after the
    /// last. A 要配慮 request whose details are exported is written to the access log.
    async fn next(&mut self) -> Result<Option<Vec<RequestRecord>>, ApiError> {
        if self.done {
            return Ok(None);
        }
        let (page, total) = self
            .state
            .store
            .list_page(&self.viewer, &self.filter, &self.catalogue, self.now)
            .await?;
        let n = page.len() as i64;
        self.filter.offset += n;
        self.done = n < EXPORT_BATCH || self.filter.offset >= total;
        let mut rows = Vec::with_capacity(page.len());
        for record in page.into_iter().filter(|r| self.viewer.sees(r)) {
            let logged = self.viewer.read_is_logged(&record, &self.catalogue);
            let record = self.viewer.redact(record, &self.catalogue);
            if logged && !record.redacted {
                self.state
                    .store
                    .log_access(&self.viewer.staff_id, record.id, self.path, self.now)
                    .await?;
            }
            rows.push(record);
        }
        Ok(Some(rows))
    }
}

/// Reads the filter (a bad one is refused before anything is sent) and the catalogue.
async fn pages(
    state: &AppState,
    signed_in: &SignedIn,
    raw_query: Option<&str>,
    path: &'static str,
) -> Result<Pages, ApiError> {
    let query = parse_query_string(raw_query.unwrap_or(""));
    let catalogue = state.store.catalogue().await?;
    let mut filter = read_filter(&query, &catalogue)?;
    filter.limit = EXPORT_BATCH;
    filter.offset = 0;
    Ok(Pages {
        state: state.clone(),
        viewer: signed_in.viewer(),
        filter,
        catalogue,
        now: crate::now_ms(),
        path,
        done: false,
    })
}

/// The document as a stream: `head`, then each page written by `page`, then `tail`. A
/// database error after the first bytes can only cut the download short; it is logged.
fn document<F>(
    pages: Pages,
    head: String,
    page: F,
    tail: &'static str,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send
where
    F: Fn(&[RequestRecord], &Catalogue, i64, &mut bool) -> String + Copy + Send + Sync + 'static,
{
    // (pages, head not yet sent, no feature written yet, finished)
    let start = (pages, Some(head), true, false);
    stream::unfold(
        start,
        move |(mut pages, head, mut first, finished)| async move {
            if let Some(head) = head {
                return Some((Ok(Bytes::from(head)), (pages, None, first, finished)));
            }
            if finished {
                return None;
            }
            match pages.next().await {
                Ok(Some(rows)) => {
                    let chunk = page(&rows, &pages.catalogue, pages.now, &mut first);
                    Some((Ok(Bytes::from(chunk)), (pages, None, first, false)))
                }
                Ok(None) => Some((
                    Ok(Bytes::from_static(tail.as_bytes())),
                    (pages, None, first, true),
                )),
                Err(e) => {
                    tracing::error!(status = %e.status, code = e.code, "export cut short");
                    Some((
                        Err(std::io::Error::other("export cut short")),
                        (pages, None, first, true),
                    ))
                }
            }
        },
    )
}

/// An export answered as a file to save, named for the day.
fn download(content_type: &'static str, extension: &str, now: i64, body: Body) -> Response {
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

/// The CSV's start: BOM and header row.
fn csv_head() -> String {
    let mut out = String::from(BOM);
    push_row(&mut out, CSV_HEADERS.iter().map(|h| Cell::Value(h)));
    out
}

/// One request's CSV row (CRLF at the end).
fn csv_row(out: &mut String, r: &RequestRecord, catalogue: &Catalogue, now: i64) {
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
    // (value, free text: defused)
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
    push_row(
        out,
        cells.iter().map(|(value, free_text)| {
            if *free_text {
                Cell::Text(value)
            } else {
                Cell::Value(value)
            }
        }),
    );
}

/// One page of CSV rows.
fn csv_page(rows: &[RequestRecord], catalogue: &Catalogue, now: i64, _: &mut bool) -> String {
    let mut out = String::new();
    for r in rows {
        csv_row(&mut out, r, catalogue, now);
    }
    out
}

/// One request as a GeoJSON feature, without contact or description; `None` without
/// coordinates.
fn feature(r: &RequestRecord, catalogue: &Catalogue, now: i64) -> Option<serde_json::Value> {
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
}

// The FeatureCollection written around the features as `serde_json` writes a
// `json!({"type": …, "features": […]})` (keys sorted), so the bytes are as they were.
const GEOJSON_HEAD: &str = "{\"features\":[";
const GEOJSON_TAIL: &str = "],\"type\":\"FeatureCollection\"}";

/// One page of features, each after a `,` but the first of the document.
fn geojson_page(
    rows: &[RequestRecord],
    catalogue: &Catalogue,
    now: i64,
    first: &mut bool,
) -> String {
    let mut out = String::new();
    for f in rows.iter().filter_map(|r| feature(r, catalogue, now)) {
        if !*first {
            out.push(',');
        }
        *first = false;
        out.push_str(&f.to_string());
    }
    out
}

pub async fn requests_csv(
    State(state): State<AppState>,
    signed_in: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let pages = pages(
        &state,
        &signed_in,
        raw.as_deref(),
        "/api/exports/requests.csv",
    )
    .await?;
    let now = pages.now;
    let body = Body::from_stream(document(pages, csv_head(), csv_page, ""));
    Ok(download("text/csv; charset=utf-8", "csv", now, body))
}

pub async fn requests_geojson(
    State(state): State<AppState>,
    signed_in: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let path = "/api/exports/requests.geojson";
    let pages = pages(&state, &signed_in, raw.as_deref(), path).await?;
    let now = pages.now;
    let body = Body::from_stream(document(
        pages,
        GEOJSON_HEAD.into(),
        geojson_page,
        GEOJSON_TAIL,
    ));
    Ok(download("application/geo+json", "geojson", now, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use koe_core::{NewRequest, Place};

    /// The documents as the ward record wrote them whole, before exports were streamed.
    fn csv_whole(rows: &[RequestRecord], catalogue: &Catalogue, now: i64) -> String {
        let mut out = csv_head();
        for r in rows {
            csv_row(&mut out, r, catalogue, now);
        }
        out
    }

    fn geojson_whole(rows: &[RequestRecord], catalogue: &Catalogue, now: i64) -> String {
        let features: Vec<serde_json::Value> = rows
            .iter()
            .filter_map(|r| feature(r, catalogue, now))
            .collect();
        json!({"type": "FeatureCollection", "features": features}).to_string()
    }

    fn records(catalogue: &Catalogue) -> Vec<RequestRecord> {
        let category = &catalogue.categories[0];
        (0..7u32)
            .map(|i| {
                let mut place = Place {
                    address: format!("高津区溝口{i}, \"番地\""),
                    ..Place::default()
                };
                if i % 3 != 0 {
                    place.lat = Some(35.6 + f64::from(i) / 1000.0);
                    place.lon = Some(139.6);
                }
                let request = NewRequest {
                    id: uuid::Uuid::from_u128(u128::from(i) + 1),
                    category: category.code.clone(),
                    title: format!("=件名{i}"),
                    description: "内容\n二行目".into(),
                    place,
                    urgency: koe_core::Urgency::ALL[0],
                    logged_at: 0,
                    contact: Default::default(),
                };
                RequestRecord::created(
                    &request,
                    &category.default_section,
                    "insp",
                    1_780_000_000_000 + i64::from(i) * 3_600_000,
                    1,
                )
            })
            .collect()
    }

    #[test]
    fn paged_documents_are_byte_for_byte_the_whole_ones() {
        let catalogue = crate::seed::Seed::demo().unwrap().catalogue;
        let rows = records(&catalogue);
        let now = 1_790_000_000_000;
        for split in [&rows[..0], &rows[..1], &rows[..]] {
            // Pages of 0, 1, 3 and the rest, as the stream writes them.
            let pages: Vec<&[RequestRecord]> = vec![
                &split[..0],
                &split[..split.len().min(1)],
                &split[split.len().min(1)..split.len().min(4)],
                &split[split.len().min(4)..],
            ];
            let mut csv = csv_head();
            let mut geo = GEOJSON_HEAD.to_string();
            let mut first = true;
            for page in &pages {
                csv.push_str(&csv_page(page, &catalogue, now, &mut true));
                geo.push_str(&geojson_page(page, &catalogue, now, &mut first));
            }
            geo.push_str(GEOJSON_TAIL);
            assert_eq!(csv, csv_whole(split, &catalogue, now));
            assert_eq!(geo, geojson_whole(split, &catalogue, now));
            let _: serde_json::Value = serde_json::from_str(&geo).unwrap();
        }
        assert!(csv_whole(&rows, &catalogue, 0).contains(",'=件名1,"));
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
