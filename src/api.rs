//! The ward record's HTTP API (docs/api.md), over `fetch` with the same-origin session
//! cookie. Every failure becomes an [`ApiError`] with a message a person can act on.

use koe_core::api::{DeviceReport, ErrorBody, RequestDetail, SignIn, SignedInAnswer};
use koe_core::{Bilingual, Catalogue, PullResponse, PushResponse};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestCredentials, RequestInit, Response};

use crate::i18n::Msg;

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The ward record could not be reached (no network, server down).
    Unreachable,
    /// The session is gone: sign in again. Nothing local is lost.
    SignedOut,
    /// The ward record refused, with its reason.
    Refused { status: u16, body: ErrorBody },
    /// An answer that is not what the contract says.
    Unexpected(String),
}

impl ApiError {
    pub fn message(&self) -> Bilingual {
        match self {
            Self::Unreachable => Msg::ErrUnreachable.bilingual(),
            Self::SignedOut => Msg::ErrSignedOut.bilingual(),
            Self::Refused { body, .. } => body.message.clone(),
            Self::Unexpected(what) => Msg::ErrUnexpected.bilingual_with(what),
        }
    }
}

/// Turns a status and body into an error: the contract's `ErrorBody` when there is one.
pub fn error_from(status: u16, text: &str) -> ApiError {
    match serde_json::from_str::<ErrorBody>(text) {
        Ok(body) if status == 401 && body.code == "signed_out" => ApiError::SignedOut,
        Ok(body) => ApiError::Refused { status, body },
        Err(_) if status == 401 => ApiError::SignedOut,
        Err(_) => ApiError::Unexpected(format!("HTTP {status}")),
    }
}

async fn call(method: &str, path: &str, body: Option<String>) -> Result<(u16, String), ApiError> {
    let body = body.map(|b| JsValue::from_str(&b));
    send(method, path, body.as_ref().map(|b| (b, "application/json"))).await
}

/// One request to the ward record with the session cookie, and an optional body with its
/// content type: the answer's status and text. `Unreachable` only when the network failed.
pub(crate) async fn send(
    method: &str,
    path: &str,
    body: Option<(&JsValue, &str)>,
) -> Result<(u16, String), ApiError> {
    let response = fetch(method, path, body, None).await?;
    Ok((response.status(), text_of(&response).await?))
}

/// A GET that sends `If-None-Match: tag`: the status, the text and the answer's `ETag`.
async fn send_conditional(
    path: &str,
    tag: Option<&str>,
) -> Result<(u16, String, Option<String>), ApiError> {
    let response = fetch("GET", path, None, tag).await?;
    let etag = response.headers().get("ETag").ok().flatten();
    Ok((response.status(), text_of(&response).await?, etag))
}

async fn fetch(
    method: &str,
    path: &str,
    body: Option<(&JsValue, &str)>,
    if_none_match: Option<&str>,
) -> Result<Response, ApiError> {
    let unexpected = |e: JsValue| ApiError::Unexpected(format!("{e:?}"));
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = web_sys::Headers::new().map_err(unexpected)?;
    headers
        .set("Accept", "application/json")
        .map_err(unexpected)?;
    if let Some(tag) = if_none_match {
        headers.set("If-None-Match", tag).map_err(unexpected)?;
    }
    if let Some((body, content_type)) = body {
        headers
            .set("Content-Type", content_type)
            .map_err(unexpected)?;
        init.set_body(body);
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(path, &init).map_err(unexpected)?;
    let window = web_sys::window().ok_or_else(|| ApiError::Unexpected("no window".into()))?;
    // fetch rejects only when the network fails.
    let response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| ApiError::Unreachable)?;
    response.dyn_into().map_err(unexpected)
}

async fn text_of(response: &Response) -> Result<String, ApiError> {
    let unexpected = |e: JsValue| ApiError::Unexpected(format!("{e:?}"));
    Ok(JsFuture::from(response.text().map_err(unexpected)?)
        .await
        .map_err(|_| ApiError::Unreachable)?
        .as_string()
        .unwrap_or_default())
}

async fn json<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<String>,
) -> Result<T, ApiError> {
    let (status, text) = call(method, path, body).await?;
    if !(200..300).contains(&status) {
        return Err(error_from(status, &text));
    }
    serde_json::from_str(&text).map_err(|e| ApiError::Unexpected(e.to_string()))
}

fn to_json(value: &impl Serialize) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|e| ApiError::Unexpected(e.to_string()))
}

/// Signs in from this device (`client_id`): the person and the ward record's key for
/// them on this device.
pub async fn sign_in(
    staff_id: &str,
    password: &str,
    client_id: uuid::Uuid,
) -> Result<SignedInAnswer, ApiError> {
    let body = to_json(&SignIn {
        staff_id: staff_id.to_owned(),
        password: password.to_owned(),
        client_id: Some(client_id),
    })?;
    json("POST", "/api/session", Some(body)).await
}

/// Tells the ward record what waits on this device, per person.
pub async fn report_device(report: &DeviceReport) -> Result<(), ApiError> {
    let (status, text) = call("POST", "/api/devices/report", Some(to_json(report)?)).await?;
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(error_from(status, &text))
    }
}

pub async fn sign_out() -> Result<(), ApiError> {
    let (status, text) = call("DELETE", "/api/session", None).await?;
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(error_from(status, &text))
    }
}

/// The ward's catalogue. Asked with the tag of the one this device keeps: when it did not
/// change, the ward record answers `304` with no body and the kept one is returned. A
/// fresh one is kept, with its tag, before it is returned.
pub async fn catalogue() -> Result<Catalogue, ApiError> {
    let kept = crate::session::stored_catalogue_tagged();
    let tag = kept.as_ref().map(|(_, tag)| tag.as_str());
    let (status, text, etag) = send_conditional("/api/catalogue", tag).await?;
    if status == 304 {
        if let Some((catalogue, _)) = kept {
            return Ok(catalogue);
        }
    }
    if !(200..300).contains(&status) {
        return Err(error_from(status, &text));
    }
    let catalogue: Catalogue =
        serde_json::from_str(&text).map_err(|e| ApiError::Unexpected(e.to_string()))?;
    // Not kept if storage is full; the caller still gets it.
    let _ = crate::session::store_catalogue_tagged(&catalogue, etag.as_deref());
    Ok(catalogue)
}

/// Pushes `mutations`, each already JSON (the batch was measured in it: see
/// `koe_core::sync::push_batch_len`), so the body is put together, not serialised again.
pub async fn push(client_id: uuid::Uuid, mutations: &[String]) -> Result<PushResponse, ApiError> {
    let mut body = String::with_capacity(mutations.iter().map(|m| m.len() + 1).sum::<usize>() + 64);
    body.push_str("{\"client_id\":\"");
    body.push_str(&client_id.to_string());
    body.push_str("\",\"mutations\":[");
    for (i, m) in mutations.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(m);
    }
    body.push_str("]}");
    json("POST", "/api/sync/push", Some(body)).await
}

/// The `mine_from` parameter of a pull or news question (see `koe_core::PullResponse`).
fn mine_from_param(mine_from: Option<u64>) -> String {
    mine_from.map_or_else(String::new, |m| format!("&mine_from={m}"))
}

/// One page of changes from `cursor`, for this device (a retired one is refused),
/// leaving out its own changes from mutation `mine_from` on.
pub async fn pull(
    cursor: i64,
    client_id: uuid::Uuid,
    mine_from: Option<u64>,
) -> Result<PullResponse, ApiError> {
    json(
        "GET",
        &format!(
            "/api/sync/pull?cursor={cursor}&limit=1000&client_id={client_id}{}",
            mine_from_param(mine_from)
        ),
        None,
    )
    .await
}

/// Whether a pull from `cursor` would bring anything (`GET /api/sync/news`): the short
/// poll the app makes every few seconds while it is open and online.
pub async fn sync_news(
    cursor: i64,
    client_id: uuid::Uuid,
    mine_from: Option<u64>,
) -> Result<bool, ApiError> {
    let news: koe_core::SyncNews = json(
        "GET",
        &format!(
            "/api/sync/news?cursor={cursor}&client_id={client_id}{}",
            mine_from_param(mine_from)
        ),
        None,
    )
    .await?;
    Ok(news.changed)
}

/// The ward's requests, newest first, as this reader may see them.
pub async fn office_requests(limit: u32) -> Result<koe_core::api::RequestPage, ApiError> {
    json(
        "GET",
        &format!("/api/requests?limit={limit}&offset=0"),
        None,
    )
    .await
}

/// One request with its notes and history, as this reader may see it.
pub async fn request_detail(id: uuid::Uuid) -> Result<RequestDetail, ApiError> {
    json("GET", &format!("/api/requests/{id}"), None).await
}

// Office: the filtered ward list, likely duplicates, the staff directory, photos.

/// One page of the ward's requests matching `filter` (`GET /api/requests?…`).
pub async fn office_page(
    filter: &koe_core::filter::RequestFilter,
) -> Result<koe_core::api::RequestPage, ApiError> {
    json("GET", &format!("/api/requests?{}", filter.to_query()), None).await
}

/// The requests likely to be the same matter as `id`, nearest first.
pub async fn duplicates(
    id: uuid::Uuid,
) -> Result<Vec<koe_core::duplicates::DuplicateCandidate>, ApiError> {
    json("GET", &format!("/api/requests/{id}/duplicates"), None).await
}

/// The active staff (for 担当者), all of them.
pub async fn staff() -> Result<Vec<koe_core::directory::StaffEntry>, ApiError> {
    json("GET", "/api/staff", None).await
}

/// A request's photos as the ward record holds them (metadata; the bytes are at
/// `/api/photos/{photo_id}`).
pub async fn request_photos(id: uuid::Uuid) -> Result<Vec<koe_core::photo::PhotoInfo>, ApiError> {
    json("GET", &format!("/api/requests/{id}/photos"), None).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn error_bodies_become_messages() {
        let body = r#"{"code":"bad_credentials","message":{"ja":"職員番号またはパスワードが違います。","en":"Wrong staff ID or password."}}"#;
        let e = error_from(401, body);
        assert!(
            matches!(&e, ApiError::Refused { status: 401, body } if body.code == "bad_credentials")
        );
        assert_eq!(e.message().en, "Wrong staff ID or password.");

        let signed_out = r#"{"code":"signed_out","message":{"ja":"a","en":"b"}}"#;
        assert_eq!(error_from(401, signed_out), ApiError::SignedOut);
        assert_eq!(error_from(401, "<html>"), ApiError::SignedOut);
        let e = error_from(502, "<html>bad gateway</html>");
        assert!(e.message().ja.contains("HTTP 502"));
    }
}
