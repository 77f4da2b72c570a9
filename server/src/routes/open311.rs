//! Open311 GeoReport v2, read-only and public (no sign-in), mounted at `/open311/v2`:
//!
//! - `GET services.{json|xml}`: the public categories;
//! - `GET services/{service_code}.{json|xml}`: one's definition (no extra attributes);
//! - `GET requests.{json|xml}`: requests, newest first, at most 1000; parameters
//!   `service_request_id` (comma list; when given the others are ignored, as the spec
//!   says), `service_code` (comma list), `start_date`, `end_date` (W3C date-times, on
//!   when the ward record received it; without either, the last 90 days), `status`
//!   (`open`, `closed`, comma list);
//! - `GET requests/{service_request_id}.{json|xml}`: one request, as a list of one.
//!
//! What is published is `koe_core::open311`'s decision: never a welfare (要配慮) request
//! or category (they do not exist here, not even as "not found" different from any other
//! id), nothing personal. Errors are the spec's `[{code, description}]` / `<errors>`, the
//! description in Japanese then English.

use axum::extract::{Path, RawQuery, State};
use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use koe_core::calendar::DAY_MS;
use koe_core::filter::parse_query_string;
use koe_core::open311::{
    self, Open311Error, OpenStatus, ServiceDefinition, DEFAULT_DAYS, MAX_REQUESTS,
};
use koe_core::Catalogue;
use uuid::Uuid;

use crate::store::PublicQuery;
use crate::AppState;

/// The Open311 routes, to be nested at `/open311/v2`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/services.json", get(services_json))
        .route("/services.xml", get(services_xml))
        .route("/services/{code}", get(service_definition))
        .route("/requests.json", get(requests_json))
        .route("/requests.xml", get(requests_xml))
        .route("/requests/{id}", get(one_request))
        .fallback(not_found)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

/// `name.json` → (`name`, JSON); `None` for another or no extension.
fn split_format(text: &str) -> Option<(&str, Format)> {
    if let Some(name) = text.strip_suffix(".json") {
        Some((name, Format::Json))
    } else {
        text.strip_suffix(".xml").map(|name| (name, Format::Xml))
    }
}

fn respond(
    format: Format,
    status: StatusCode,
    json: String,
    xml: impl FnOnce() -> String,
) -> Response {
    let (content_type, body) = match format {
        Format::Json => ("application/json; charset=utf-8", json),
        Format::Xml => ("text/xml; charset=utf-8", xml()),
    };
    (
        status,
        [
            (CONTENT_TYPE, HeaderValue::from_static(content_type)),
            // Public data, for anyone's map or app.
            (ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")),
            (
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=60"),
            ),
        ],
        body,
    )
        .into_response()
}

fn error(format: Format, status: StatusCode, ja: &str, en: &str) -> Response {
    let errors = vec![Open311Error {
        code: status.as_u16(),
        description: format!("{ja} / {en}"),
    }];
    let json = serde_json::to_string(&errors).unwrap_or_else(|_| "[]".into());
    respond(format, status, json, || open311::errors_xml(&errors))
}

fn server_error(format: Format) -> Response {
    error(
        format,
        StatusCode::INTERNAL_SERVER_ERROR,
        "区の記録を読めませんでした。しばらくしてからもう一度お試しください。",
        "The ward record could not be read. Try again shortly.",
    )
}

fn bad_request(format: Format, ja: &str, en: &str) -> Response {
    error(format, StatusCode::BAD_REQUEST, ja, en)
}

fn json_of<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

async fn not_found() -> Response {
    error(
        Format::Json,
        StatusCode::NOT_FOUND,
        "そのOpen311の資源はありません（services.json, services.xml, requests.json, requests.xml）。",
        "There is no such Open311 resource (services.json, services.xml, requests.json, requests.xml).",
    )
}

async fn catalogue(state: &AppState) -> Result<Catalogue, ()> {
    state.store.catalogue().await.map_err(|e| {
        tracing::error!(error = %e, "open311 catalogue");
    })
}

async fn services(state: AppState, format: Format) -> Response {
    let Ok(catalogue) = catalogue(&state).await else {
        return server_error(format);
    };
    let services = open311::services(&catalogue);
    respond(format, StatusCode::OK, json_of(&services), || {
        open311::services_xml(&services)
    })
}

async fn services_json(State(state): State<AppState>) -> Response {
    services(state, Format::Json).await
}

async fn services_xml(State(state): State<AppState>) -> Response {
    services(state, Format::Xml).await
}

async fn service_definition(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let Some((code, format)) = split_format(&code) else {
        return not_found().await;
    };
    let Ok(catalogue) = catalogue(&state).await else {
        return server_error(format);
    };
    match catalogue
        .category(code)
        .filter(|c| open311::is_public_category(c, &catalogue))
    {
        Some(c) => {
            let definition = ServiceDefinition {
                service_code: c.code.clone(),
                attributes: Vec::new(),
            };
            respond(format, StatusCode::OK, json_of(&definition), || {
                open311::service_definition_xml(&definition)
            })
        }
        None => error(
            format,
            StatusCode::NOT_FOUND,
            "そのサービスコードはありません。",
            "There is no such service_code.",
        ),
    }
}

/// Every value given for `key`, comma lists split, blanks dropped.
fn values<'a>(query: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    query
        .iter()
        .filter(|(k, _)| k == key)
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect()
}

/// The published requests the query asks for, or the error answer.
async fn find(
    state: &AppState,
    format: Format,
    query: &[(String, String)],
) -> Result<Vec<open311::ServiceRequest>, Box<Response>> {
    let catalogue = catalogue(state)
        .await
        .map_err(|_| Box::new(server_error(format)))?;
    let public = open311::public_category_codes(&catalogue);
    let mut q = PublicQuery {
        categories: public.clone(),
        sections: catalogue
            .sections
            .iter()
            .filter(|s| !s.welfare)
            .map(|s| s.code.clone())
            .collect(),
        limit: MAX_REQUESTS as i64,
        ..PublicQuery::default()
    };
    let ids = values(query, "service_request_id");
    if !ids.is_empty() {
        for id in ids {
            // An id that is not a Koe id matches no request; it is no error.
            if let Ok(id) = Uuid::parse_str(id) {
                q.ids.push(id);
            }
        }
        if q.ids.is_empty() {
            return Ok(Vec::new());
        }
    } else {
        let codes = values(query, "service_code");
        if !codes.is_empty() {
            // A code that is not published (or does not exist) matches nothing.
            q.categories.retain(|c| codes.contains(&c.as_str()));
        }
        for s in values(query, "status") {
            let Some(status) = OpenStatus::from_code(s) else {
                return Err(Box::new(bad_request(
                    format,
                    &format!("status「{s}」は open か closed にしてください。"),
                    &format!("status {s:?} must be open or closed."),
                )));
            };
            for koe in status.statuses() {
                if !q.statuses.contains(&koe) {
                    q.statuses.push(koe);
                }
            }
        }
        let date = |key: &str| -> Result<Option<i64>, Box<Response>> {
            match values(query, key).first() {
                None => Ok(None),
                Some(text) => open311::parse_w3c_datetime(text).map(Some).ok_or_else(|| {
                    Box::new(bad_request(
                        format,
                        &format!("{key}「{text}」は W3C 形式の日時（例 2026-05-01T00:00:00+09:00）にしてください。"),
                        &format!("{key} {text:?} must be a W3C date-time, e.g. 2026-05-01T00:00:00+09:00."),
                    ))
                }),
            }
        };
        q.start = date("start_date")?;
        q.end = date("end_date")?;
        if q.start.is_none() && q.end.is_none() {
            q.start = Some(crate::now_ms() - DEFAULT_DAYS * DAY_MS);
        }
        if let (Some(start), Some(end)) = (q.start, q.end) {
            if start > end {
                return Err(Box::new(bad_request(
                    format,
                    "start_date が end_date より後です。",
                    "start_date is after end_date.",
                )));
            }
        }
    }
    if q.categories.is_empty() {
        return Ok(Vec::new());
    }
    let rows = state.store.public_requests(&q).await.map_err(|e| {
        tracing::error!(error = %e, "open311 requests");
        Box::new(server_error(format))
    })?;
    // The rule again, on every row: only what `koe_core::open311` publishes.
    Ok(rows
        .iter()
        .filter_map(|(record, updated)| open311::service_request(record, *updated, &catalogue))
        .collect())
}

async fn requests(state: AppState, format: Format, query: Vec<(String, String)>) -> Response {
    match find(&state, format, &query).await {
        Ok(found) => respond(format, StatusCode::OK, json_of(&found), || {
            open311::requests_xml(&found)
        }),
        Err(response) => *response,
    }
}

async fn requests_json(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let query = parse_query_string(raw.as_deref().unwrap_or(""));
    requests(state, Format::Json, query).await
}

async fn requests_xml(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let query = parse_query_string(raw.as_deref().unwrap_or(""));
    requests(state, Format::Xml, query).await
}

async fn one_request(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Some((id, format)) = split_format(&id) else {
        return not_found().await;
    };
    let query = vec![("service_request_id".to_string(), id.to_string())];
    match find(&state, format, &query).await {
        Ok(found) if !found.is_empty() => respond(format, StatusCode::OK, json_of(&found), || {
            open311::requests_xml(&found)
        }),
        Ok(_) => error(
            format,
            StatusCode::NOT_FOUND,
            "その受付番号の公開された要望はありません。",
            "There is no published request with this service_request_id.",
        ),
        Err(response) => *response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_read_from_the_extension() {
        assert_eq!(
            split_format("road-pothole.json"),
            Some(("road-pothole", Format::Json))
        );
        assert_eq!(split_format("a.b.xml"), Some(("a.b", Format::Xml)));
        assert_eq!(split_format("road-pothole"), None);
        assert_eq!(split_format("x.csv"), None);
    }
}
