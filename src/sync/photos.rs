//! The photo queue: after the records are pushed, each waiting photo is declared
//! (`PUT /api/photos/{id}`, which also says where an interrupted upload stands) and its
//! bytes sent from there in 1 MiB chunks (`PATCH …?offset=N`). A photo the ward record
//! refuses for good is marked rejected with the reason and never holds up the others.

use koe_core::photo::{PhotoProgress, PhotoUpload};
use koe_core::Bilingual;
use wasm_bindgen::JsValue;

use super::SyncError;
use crate::api::{error_from, ApiError};
use crate::store::{PhotoRow, PhotoState, Store};

/// Bytes sent per `PATCH` (the ward record takes up to 2 MiB).
pub const CHUNK: u64 = 1024 * 1024;

/// What the photo queue did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PhotoSummary {
    pub sent: u32,
    pub rejected: u32,
    /// Left waiting (their request not on the ward record yet, or a passing failure).
    pub waiting: u32,
}

/// How one upload ended, short of success.
enum Stop {
    /// Try again later (network, server trouble, request not there yet).
    Later(ApiError),
    /// The ward record will never take it.
    Rejected(Bilingual),
}

async fn send(
    method: &str,
    path: &str,
    body: &JsValue,
    content_type: &str,
) -> Result<(u16, String), ApiError> {
    crate::api::send(method, path, Some((body, content_type))).await
}

fn progress_of(text: &str) -> Result<PhotoProgress, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError::Unexpected(e.to_string()))
}

/// Whether a refusal is for good (the photo itself is wrong) rather than for now.
fn permanent(status: u16) -> bool {
    matches!(status, 403 | 409 | 413 | 415 | 422)
}

fn stop_for(status: u16, text: &str) -> Stop {
    let e = error_from(status, text);
    if permanent(status) {
        Stop::Rejected(e.message())
    } else {
        Stop::Later(e)
    }
}

/// Sends one photo from wherever the ward record has it; `Ok` once it is complete.
async fn upload(store: &Store, photo: &PhotoRow) -> Result<(), Stop> {
    let path = format!("/api/photos/{}", photo.photo_id);
    let declare = serde_json::to_string(&PhotoUpload {
        request_id: photo.request_id,
        sha256: photo.sha256.clone(),
        size: photo.size,
        content_type: photo.content_type.clone(),
    })
    .map_err(|e| Stop::Later(ApiError::Unexpected(e.to_string())))?;
    let (status, text) = send(
        "PUT",
        &path,
        &JsValue::from_str(&declare),
        "application/json",
    )
    .await
    .map_err(Stop::Later)?;
    if !(200..300).contains(&status) {
        return Err(stop_for(status, &text));
    }
    let mut progress = progress_of(&text).map_err(Stop::Later)?;
    // Opened once, here, to be sent in chunks.
    let blob = match store.photo_blob(photo.photo_id).await {
        Ok(Some(blob)) => blob,
        // Cleared from the device meanwhile: nothing left to send.
        Ok(None) => return Ok(()),
        Err(e) => return Err(Stop::Later(ApiError::Unexpected(e.message().en))),
    };
    let mut mismatches = 0;
    // Enough rounds for every chunk twice over; a ward record that keeps moving the
    // offset about does not keep the queue busy for ever.
    let rounds = 2 * (photo.size / CHUNK + 2) + 4;
    for _ in 0..rounds {
        if progress.complete {
            return Ok(());
        }
        let _ = store
            .update_photo(photo.photo_id, progress.received, PhotoState::Uploading)
            .await;
        let start = progress.received.min(photo.size);
        let end = (start + CHUNK).min(photo.size);
        let chunk = blob
            .slice_with_f64_and_f64(start as f64, end as f64)
            .map_err(|e| Stop::Later(ApiError::Unexpected(format!("{e:?}"))))?;
        let (status, text) = send(
            "PATCH",
            &format!("{path}?offset={start}"),
            &chunk,
            "application/octet-stream",
        )
        .await
        .map_err(Stop::Later)?;
        match status {
            200..=299 => progress = progress_of(&text).map_err(Stop::Later)?,
            409 => {
                // wrong_offset: carry on from where the ward record is.
                let expected = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v.get("expected_offset").and_then(|o| o.as_u64()));
                match expected {
                    Some(at) => progress.received = at,
                    None => return Err(stop_for(status, &text)),
                }
            }
            422 if mismatches == 0 => {
                // sha256_mismatch: the ward record starts again from 0; try once more.
                mismatches += 1;
                progress.received = 0;
            }
            _ => return Err(stop_for(status, &text)),
        }
    }
    Err(Stop::Later(ApiError::Unexpected(
        "upload did not finish".into(),
    )))
}

/// Sends every waiting photo whose request the ward record has; `progress(done, total)`
/// as photos finish. Stops at the first network failure (the rest wait for the next
/// sync); anything else only concerns the photo it happened to.
pub async fn upload_photos(
    store: &Store,
    mut progress: impl FnMut(u32, u32),
) -> Result<PhotoSummary, SyncError> {
    let pending: Vec<PhotoRow> = store
        .photos()
        .await?
        .into_iter()
        .filter(|p| p.state.pending())
        .collect();
    let mut summary = PhotoSummary::default();
    let total = pending.len() as u32;
    for (i, photo) in pending.iter().enumerate() {
        progress(i as u32, total);
        // Only once its request is on the ward record, and by whoever logged it. A photo of
        // a refused request waits with it (the request shows why): corrected, it goes too.
        let author = store.author();
        let may_go = store
            .request(photo.request_id)
            .await?
            .is_some_and(|r| r.photos_may_go(author.as_deref()));
        if !may_go {
            summary.waiting += 1;
            continue;
        }
        match upload(store, photo).await {
            Ok(()) => {
                store
                    .update_photo(photo.photo_id, photo.size, PhotoState::Synced)
                    .await?;
                summary.sent += 1;
            }
            Err(Stop::Rejected(message)) => {
                let reason = format!("{} / {}", message.ja, message.en);
                store
                    .update_photo(photo.photo_id, photo.uploaded, PhotoState::Rejected(reason))
                    .await?;
                summary.rejected += 1;
            }
            Err(Stop::Later(ApiError::Unreachable)) => return Err(SyncError::Unreachable),
            Err(Stop::Later(ApiError::SignedOut)) => return Err(SyncError::SignedOut),
            Err(Stop::Later(_)) => summary.waiting += 1,
        }
    }
    progress(total, total);
    Ok(summary)
}
