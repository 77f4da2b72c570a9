//! Photos picked on the device: decoded with `createImageBitmap`, downscaled on a canvas
//! to at most [`MAX_SIDE`] px on the long side, encoded as JPEG, and hashed (SHA-256)
//! with `crypto.subtle`, ready to be saved with their request.

use koe_core::Bilingual;
use uuid::Uuid;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, CanvasRenderingContext2d, HtmlCanvasElement, ImageBitmap};

use crate::i18n::Msg;
use crate::ids;
use crate::store::{NewPhoto, PhotoRow, PhotoState};

/// The longest side of a photo as stored and sent.
pub const MAX_SIDE: u32 = 1600;
/// JPEG quality for `toBlob`.
pub const JPEG_QUALITY: f64 = 0.8;
pub const JPEG: &str = "image/jpeg";

/// A photo ready to be saved: its bytes, hash and a URL for its thumbnail.
#[derive(Debug, Clone, PartialEq)]
pub struct PickedPhoto {
    pub photo_id: Uuid,
    pub sha256: String,
    pub size: u64,
    pub content_type: String,
    pub blob: Blob,
    /// An object URL for the thumbnail; revoke it with [`PickedPhoto::release`].
    pub url: String,
}

impl PickedPhoto {
    /// The photo to save with request `request_id`, waiting to be sent.
    pub fn to_new(&self, request_id: Uuid) -> NewPhoto {
        NewPhoto {
            row: PhotoRow {
                photo_id: self.photo_id,
                request_id,
                sha256: self.sha256.clone(),
                size: self.size,
                content_type: self.content_type.clone(),
                uploaded: 0,
                state: PhotoState::Waiting,
            },
            blob: self.blob.clone(),
        }
    }

    /// Frees the thumbnail's object URL.
    pub fn release(&self) {
        let _ = web_sys::Url::revoke_object_url(&self.url);
    }
}

/// The size a `width` × `height` image is drawn at: the long side at most [`MAX_SIDE`],
/// the proportions kept, never enlarged.
pub fn scaled(width: u32, height: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= MAX_SIDE || long == 0 {
        return (width.max(1), height.max(1));
    }
    let f = f64::from(MAX_SIDE) / f64::from(long);
    (
        ((f64::from(width) * f).round() as u32).clamp(1, MAX_SIDE),
        ((f64::from(height) * f).round() as u32).clamp(1, MAX_SIDE),
    )
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn failed(e: JsValue) -> Bilingual {
    let what = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| format!("{e:?}"));
    Msg::PhotoFailed.bilingual_with(&what)
}

/// Decodes, downscales, encodes and hashes one picked file.
pub async fn prepare(file: &Blob) -> Result<PickedPhoto, Bilingual> {
    let window = web_sys::window().ok_or_else(|| failed(JsValue::from_str("no window")))?;
    let bitmap: ImageBitmap =
        JsFuture::from(window.create_image_bitmap_with_blob(file).map_err(failed)?)
            .await
            .map_err(failed)?
            .unchecked_into();
    let (w, h) = scaled(bitmap.width(), bitmap.height());
    let document = window
        .document()
        .ok_or_else(|| failed(JsValue::from_str("no document")))?;
    let canvas: HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(failed)?
        .unchecked_into();
    canvas.set_width(w);
    canvas.set_height(h);
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(failed)?
        .ok_or_else(|| failed(JsValue::from_str("no 2d context")))?
        .unchecked_into();
    context
        .draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, f64::from(w), f64::from(h))
        .map_err(failed)?;
    bitmap.close();

    let encoded = js_sys::Promise::new(&mut |resolve, reject| {
        let done = Closure::once_into_js(move |blob: JsValue| {
            let _ = if blob.is_null() {
                reject.call1(&JsValue::NULL, &JsValue::from_str("toBlob gave nothing"))
            } else {
                resolve.call1(&JsValue::NULL, &blob)
            };
        });
        let _ = canvas.to_blob_with_type_and_encoder_options(
            done.unchecked_ref(),
            JPEG,
            &JsValue::from_f64(JPEG_QUALITY),
        );
    });
    let blob: Blob = JsFuture::from(encoded)
        .await
        .map_err(failed)?
        .unchecked_into();
    // Free the canvas's pixels now rather than at the next collection.
    canvas.set_width(0);
    canvas.set_height(0);

    let buffer = JsFuture::from(blob.array_buffer()).await.map_err(failed)?;
    let subtle = window.crypto().map_err(failed)?.subtle();
    let digest = JsFuture::from(
        subtle
            .digest_with_str_and_buffer_source("SHA-256", buffer.unchecked_ref())
            .map_err(failed)?,
    )
    .await
    .map_err(failed)?;
    let sha256 = hex(&js_sys::Uint8Array::new(&digest).to_vec());
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(failed)?;
    Ok(PickedPhoto {
        photo_id: ids::new_client_id()?,
        sha256,
        size: blob.size() as u64,
        content_type: JPEG.to_owned(),
        blob,
        url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn the_long_side_shrinks_to_1600_and_small_photos_stay() {
        assert_eq!(scaled(4000, 3000), (1600, 1200));
        assert_eq!(scaled(3000, 4000), (1200, 1600));
        assert_eq!(scaled(800, 600), (800, 600));
        assert_eq!(scaled(0, 0), (1, 1));
        assert_eq!(hex(&[0, 0xab, 0x10]), "00ab10");
    }
}
