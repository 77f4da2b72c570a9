//! Photo uploads, resumable and deduplicated (`docs/api.md`, "Photos").
//!
//! - `PUT /api/photos/{photo_id}` declares an upload (`PhotoUpload`) or asks where it
//!   stands: `PhotoProgress`. Every upload sends its bytes, even of a photo already held
//!   (a SHA-256 is no key to a photo); they are stored once by hash.
//! - `PATCH /api/photos/{photo_id}?offset=N` appends a chunk at N, which must be what has
//!   been received (else 409 `wrong_offset` with `expected_offset`). The last chunk is
//!   verified (SHA-256, then the image's magic bytes) and the file moved to its final name.
//! - `GET /api/photos/{photo_id}/status` (and `HEAD`): `PhotoProgress`, with `Upload-Offset`.
//! - `GET /api/photos/{photo_id}`: the bytes, for readers of the request's details.
//! - `GET /api/requests/{id}/photos`: `Vec<PhotoInfo>`, same rule.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use koe_core::api::ErrorBody;
use koe_core::photo::{
    is_sha256_hex, photo_access, ImageType, PhotoAccess, PhotoInfo, PhotoProgress, PhotoUpload,
    MAX_CHUNK_BYTES, MAX_PHOTO_BYTES, SNIFF_BYTES,
};
use koe_core::{RequestRecord, Viewer};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::SignedIn;
use crate::blob::Finish;
use crate::error::{ApiError, ApiJson};
use crate::store::StoreError;
use crate::AppState;

/// The header that says how many bytes of an upload the ward record holds.
pub const UPLOAD_OFFSET: HeaderName = HeaderName::from_static("upload-offset");

/// A photo route's refusal: an `ApiError`, or a chunk at the wrong offset, which also
/// says where to resume.
pub enum PhotoError {
    Api(ApiError),
    WrongOffset { expected: u64 },
}

impl From<ApiError> for PhotoError {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

impl From<StoreError> for PhotoError {
    fn from(e: StoreError) -> Self {
        Self::Api(e.into())
    }
}

impl From<std::io::Error> for PhotoError {
    fn from(e: std::io::Error) -> Self {
        tracing::error!(error = %e, "photo file error");
        Self::Api(disk_error())
    }
}

#[derive(Serialize)]
struct WrongOffsetBody {
    #[serde(flatten)]
    error: ErrorBody,
    expected_offset: u64,
}

impl IntoResponse for PhotoError {
    fn into_response(self) -> Response {
        match self {
            Self::Api(e) => e.into_response(),
            Self::WrongOffset { expected } => {
                let e = ApiError::new(
                    StatusCode::CONFLICT,
                    "wrong_offset",
                    format!("写真の続きは {expected} バイト目から送ってください。"),
                    format!("Send the rest of the photo from byte {expected}."),
                );
                let body = WrongOffsetBody {
                    error: ErrorBody {
                        code: e.code.to_string(),
                        message: e.message,
                    },
                    expected_offset: expected,
                };
                let mut res = (StatusCode::CONFLICT, Json(body)).into_response();
                res.headers_mut()
                    .insert(UPLOAD_OFFSET, HeaderValue::from(expected));
                res
            }
        }
    }
}

type PhotoResult<T> = Result<T, PhotoError>;

fn disk_error() -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "photo_storage",
        "区の記録で写真を保存または読み出しできませんでした。写真は端末に残っています。しばらくしてからもう一度送ってください。",
        "The ward record could not store or read the photo. The photo stays on the device; send it again in a while.",
    )
}

fn request_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "request_not_found",
        "その要望・相談は区の記録にありません。先に記録を同期してください。",
        "The ward record has no such request. Sync the record first.",
    )
}

fn photo_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "photo_not_found",
        "その写真は区の記録にありません。",
        "The ward record has no such photo.",
    )
}

fn photo_forbidden() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "photo_forbidden",
        "この要望・相談は要配慮のため、写真を扱えるのは記録した職員、福祉の担当課と管理者だけです。",
        "This request is sensitive: only its author, the welfare sections and administrators may handle its photos.",
    )
}

fn not_uploader() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "not_uploader",
        "この写真の続きを送れるのは、アップロードを始めた職員だけです。",
        "Only the staff member who started this upload may send the rest of it.",
    )
}

fn photo_id_conflict() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "photo_id_conflict",
        "この写真IDは別の写真に使われています。アプリを更新してください。",
        "This photo id belongs to a different photo. Update the app.",
    )
}

fn too_large_photo() -> ApiError {
    ApiError::too_large(
        format!(
            "写真が大きすぎます（上限 {} MiB）。縮小してから送ってください。",
            MAX_PHOTO_BYTES / (1024 * 1024)
        ),
        format!(
            "The photo is too large (limit {} MiB). Downscale it and send it again.",
            MAX_PHOTO_BYTES / (1024 * 1024)
        ),
    )
}

fn unsupported_type(declared: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_type",
        format!("写真の形式「{declared}」は受け付けていません。JPEG、PNG、WebP で送ってください。"),
        format!("Photos of type {declared:?} are not accepted. Send JPEG, PNG or WebP."),
    )
}

fn not_an_image(declared: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "not_an_image",
        format!("送られたデータは {declared} の画像ではありません。写真を選び直してください。"),
        format!("The bytes sent are not a {declared} image. Choose the photo again."),
    )
}

fn sha256_mismatch() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "sha256_mismatch",
        "写真が途中で壊れました（SHA-256 が一致しません）。最初からもう一度送ってください。",
        "The photo arrived damaged (its SHA-256 does not match). Send it again from the start.",
    )
}

fn bad_photo_id(text: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "bad_photo_id",
        format!("写真ID「{text}」はUUIDではありません。アプリを更新してください。"),
        format!("The photo id {text:?} is not a UUID. Update the app."),
    )
}

fn parse_id(path: Result<Path<String>, PathRejection>) -> Result<Uuid, ApiError> {
    let Path(text) = path.map_err(|_| bad_photo_id("?"))?;
    Uuid::parse_str(&text).map_err(|_| bad_photo_id(&text))
}

fn progress_response(status: StatusCode, p: PhotoProgress) -> Response {
    let mut res = (status, Json(p)).into_response();
    res.headers_mut()
        .insert(UPLOAD_OFFSET, HeaderValue::from(p.received));
    res
}

/// The request, what this reader may do with its photos, and whether their reading it
/// goes on the access log; 404 if they may not know it exists.
async fn request_access(
    state: &AppState,
    viewer: &Viewer,
    request_id: Uuid,
) -> PhotoResult<(RequestRecord, PhotoAccess, bool)> {
    let record = state
        .store
        .request_by_id(request_id)
        .await?
        .ok_or_else(request_not_found)?;
    let catalogue = state.store.catalogue().await?;
    let logged = viewer.read_is_logged(&record, &catalogue);
    match photo_access(viewer, &record, &catalogue) {
        PhotoAccess::Hidden => Err(request_not_found().into()),
        access => Ok((record, access, logged)),
    }
}

/// A photo this reader may look at (or, `for_uploader`, that they uploaded).
async fn readable_photo(
    state: &AppState,
    viewer: &Viewer,
    photo_id: Uuid,
    for_uploader: bool,
) -> PhotoResult<PhotoInfo> {
    let photo = state
        .store
        .photo(photo_id)
        .await?
        .ok_or_else(photo_not_found)?;
    if for_uploader && photo.uploaded_by == viewer.staff_id {
        return Ok(photo);
    }
    match request_access(state, viewer, photo.request_id).await {
        Ok((_, PhotoAccess::Allowed, logged)) => {
            if logged && !for_uploader {
                // A 要配慮 photo seen by someone other than its author: on the record.
                state
                    .store
                    .log_access(
                        &viewer.staff_id,
                        photo.request_id,
                        &format!("/api/photos/{photo_id}"),
                        crate::now_ms(),
                    )
                    .await?;
            }
            Ok(photo)
        }
        Ok(_) => Err(photo_forbidden().into()),
        // Not seeing the request: the photo does not exist for this reader.
        Err(PhotoError::Api(e)) if e.status == StatusCode::NOT_FOUND => {
            Err(photo_not_found().into())
        }
        Err(e) => Err(e),
    }
}

/// `PUT /api/photos/{photo_id}`
pub async fn declare(
    State(state): State<AppState>,
    signed_in: SignedIn,
    path: Result<Path<String>, PathRejection>,
    ApiJson(upload): ApiJson<PhotoUpload>,
) -> PhotoResult<Response> {
    let photo_id = parse_id(path)?;
    if upload.size == 0 {
        return Err(ApiError::bad_fields("size: 0").into());
    }
    if upload.size > MAX_PHOTO_BYTES {
        return Err(too_large_photo().into());
    }
    let kind = ImageType::from_mime(&upload.content_type)
        .ok_or_else(|| unsupported_type(&upload.content_type))?;
    if !is_sha256_hex(&upload.sha256) {
        return Err(ApiError::bad_fields("sha256: not 64 hex digits").into());
    }
    let sha256 = upload.sha256.to_ascii_lowercase();
    let viewer = signed_in.viewer();
    let (_, access, _) = request_access(&state, &viewer, upload.request_id).await?;
    if access != PhotoAccess::Allowed {
        return Err(photo_forbidden().into());
    }

    let _guard = state.photos.lock(photo_id).await;
    let wanted = PhotoInfo {
        photo_id,
        request_id: upload.request_id,
        sha256: sha256.clone(),
        size: upload.size,
        content_type: kind.mime().to_string(),
        uploaded_by: viewer.staff_id.clone(),
        received_at: crate::now_ms(),
        received: 0,
        complete: false,
    };
    let (photo, created) = match state.store.photo(photo_id).await? {
        Some(existing) => (existing, false),
        None => (state.store.insert_photo(&wanted).await?, true),
    };
    let same = photo.request_id == wanted.request_id
        && photo.sha256 == wanted.sha256
        && photo.size == wanted.size
        && photo.content_type == wanted.content_type
        && photo.uploaded_by == wanted.uploaded_by;
    if !same {
        return Err(photo_id_conflict().into());
    }
    let mut progress = photo.progress();
    // Bytes already stored under this SHA-256 do not complete the upload: the hash is no
    // key to a photo, and the answer is the same whether the ward record holds it or not.
    // The uploader sends the bytes; `finish` stores them once by hash all the same.
    if !photo.complete && photo.received > state.photos.partial_len(photo_id).await? {
        // The partial file is shorter than recorded (lost): start again.
        state
            .store
            .set_received(photo_id, photo.received, 0)
            .await?;
        progress.received = 0;
    }
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(progress_response(status, progress))
}

/// `PATCH /api/photos/{photo_id}?offset=N`
pub async fn append(
    State(state): State<AppState>,
    signed_in: SignedIn,
    path: Result<Path<String>, PathRejection>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> PhotoResult<Response> {
    let photo_id = parse_id(path)?;
    let offset_text = query.get("offset").map(String::as_str).unwrap_or("");
    let offset: u64 = offset_text.trim().parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_offset",
            format!("offset「{offset_text}」は0以上の数ではありません。アプリを更新してください。"),
            format!("offset {offset_text:?} is not a number of bytes. Update the app."),
        )
    })?;
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        let essence = ct.to_str().unwrap_or("").split(';').next().unwrap_or("");
        if !essence
            .trim()
            .eq_ignore_ascii_case("application/octet-stream")
        {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "not_octet_stream",
                "写真のデータは application/octet-stream で送ってください。",
                "Send the photo's bytes as application/octet-stream.",
            )
            .into());
        }
    }
    let chunk = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large(
                format!(
                    "一度に送る写真のデータが大きすぎます（上限 {} MiB）。分けて送ってください。",
                    MAX_CHUNK_BYTES / (1024 * 1024)
                ),
                format!(
                    "The chunk is too large (limit {} MiB). Send it in smaller parts.",
                    MAX_CHUNK_BYTES / (1024 * 1024)
                ),
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_body",
                "写真のデータを受け取れませんでした。もう一度送ってください。",
                "The photo's bytes could not be read. Send them again.",
            )
        }
    })?;
    let viewer = signed_in.viewer();

    let _guard = state.photos.lock(photo_id).await;
    let photo = state
        .store
        .photo(photo_id)
        .await?
        .ok_or_else(photo_not_found)?;
    if photo.uploaded_by != viewer.staff_id {
        return Err(not_uploader().into());
    }
    let len = chunk.len() as u64;
    if photo.complete {
        // A retried last chunk whose answer was lost: it is all here.
        return if offset.saturating_add(len) <= photo.size {
            Ok(progress_response(StatusCode::OK, photo.progress()))
        } else {
            Err(too_large_photo().into())
        };
    }
    let mut received = photo.received;
    if received > 0 && state.photos.partial_len(photo_id).await? < received {
        // The partial file is shorter than recorded (lost): start again.
        state.store.set_received(photo_id, received, 0).await?;
        received = 0;
    }
    if offset != received {
        return Err(PhotoError::WrongOffset { expected: received });
    }
    let end = offset.saturating_add(len);
    if end > photo.size {
        return Err(ApiError::too_large(
            format!(
                "宣言した大きさ（{} バイト）を超えて送られました。",
                photo.size
            ),
            format!("More bytes were sent than declared ({} bytes).", photo.size),
        )
        .into());
    }
    let kind = ImageType::from_mime(&photo.content_type)
        .ok_or_else(|| StoreError::Corrupt(format!("photo type {:?}", photo.content_type)))?;
    // Refuse something that is not the declared image as soon as its start is here.
    if offset == 0 && (chunk.len() >= SNIFF_BYTES || end == photo.size) {
        let start = &chunk[..chunk.len().min(SNIFF_BYTES)];
        if ImageType::sniff(start) != Some(kind) {
            state.photos.discard(photo_id).await?;
            state.store.delete_photo(photo_id).await?;
            return Err(not_an_image(kind.mime()).into());
        }
    }
    if len > 0 {
        state
            .photos
            .write_chunk(photo_id, offset, chunk.to_vec())
            .await?;
        if !state.store.set_received(photo_id, offset, end).await? {
            // Another instance moved it meanwhile: tell the device where it stands.
            let now = state
                .store
                .photo(photo_id)
                .await?
                .ok_or_else(photo_not_found)?;
            return Err(PhotoError::WrongOffset {
                expected: now.received,
            });
        }
    }
    if end < photo.size {
        return Ok(progress_response(
            StatusCode::OK,
            PhotoProgress {
                received: end,
                size: photo.size,
                complete: false,
            },
        ));
    }
    match state.photos.finish(photo_id, &photo.sha256, kind).await? {
        Finish::Stored => {
            state
                .store
                .complete_photo(photo_id, crate::now_ms())
                .await?;
            Ok(progress_response(
                StatusCode::OK,
                PhotoProgress {
                    received: photo.size,
                    size: photo.size,
                    complete: true,
                },
            ))
        }
        Finish::ShaMismatch => {
            state.store.set_received(photo_id, end, 0).await?;
            Err(sha256_mismatch().into())
        }
        Finish::NotImage => {
            state.store.delete_photo(photo_id).await?;
            Err(not_an_image(kind.mime()).into())
        }
    }
}

/// `GET /api/photos/{photo_id}/status` (and `HEAD`)
pub async fn status(
    State(state): State<AppState>,
    signed_in: SignedIn,
    path: Result<Path<String>, PathRejection>,
) -> PhotoResult<Response> {
    let photo_id = parse_id(path)?;
    let mut photo = readable_photo(&state, &signed_in.viewer(), photo_id, true).await?;
    if !photo.complete
        && photo.received > 0
        && state.photos.partial_len(photo_id).await? < photo.received
    {
        // Lost partial file: the next chunk starts from 0 (`PATCH` resets the record).
        photo.received = 0;
    }
    Ok(progress_response(StatusCode::OK, photo.progress()))
}

/// `GET /api/photos/{photo_id}`
pub async fn download(
    State(state): State<AppState>,
    signed_in: SignedIn,
    path: Result<Path<String>, PathRejection>,
) -> PhotoResult<Response> {
    let photo_id = parse_id(path)?;
    let photo = readable_photo(&state, &signed_in.viewer(), photo_id, false).await?;
    if !photo.complete {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "photo_incomplete",
            "この写真はまだ全部届いていません。",
            "This photo has not fully arrived yet.",
        )
        .into());
    }
    let bytes = state.photos.read(&photo.sha256).await?;
    let content_type = HeaderValue::from_str(&photo.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let etag = HeaderValue::from_str(&format!("\"{}\"", photo.sha256))
        .unwrap_or(HeaderValue::from_static("\"\""));
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::ETAG, etag),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=31536000, immutable"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /api/requests/{id}/photos`
pub async fn of_request(
    State(state): State<AppState>,
    signed_in: SignedIn,
    path: Result<Path<String>, PathRejection>,
) -> PhotoResult<Json<Vec<PhotoInfo>>> {
    let Path(text) = path.map_err(|_| request_not_found())?;
    let request_id = Uuid::parse_str(&text).map_err(|_| request_not_found())?;
    let viewer = signed_in.viewer();
    let (_, access, logged) = request_access(&state, &viewer, request_id).await?;
    if access != PhotoAccess::Allowed {
        return Err(photo_forbidden().into());
    }
    if logged {
        // Which photos a 要配慮 request has is read like its details: on the record.
        state
            .store
            .log_access(
                &viewer.staff_id,
                request_id,
                &format!("/api/requests/{request_id}/photos"),
                crate::now_ms(),
            )
            .await?;
    }
    Ok(Json(state.store.photos_of_request(request_id).await?))
}
