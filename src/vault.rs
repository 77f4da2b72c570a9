//! The browser's half of `koe_core::vault`: the password key derived with WebCrypto's
//! PBKDF2 (native speed, so the iteration count can be high), and the signed-in person's
//! data key held in memory for what is not in their database (the capture form's draft).

use std::cell::RefCell;

use js_sys::{Array, Uint8Array};
use koe_core::vault::{SealKey, KEY_BYTES};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, Pbkdf2Params};

use crate::store::StoreError;

fn failed(what: &str, e: wasm_bindgen::JsValue) -> StoreError {
    StoreError::Failed(format!("{what}: {e:?}"))
}

/// The key derived from `password` (PBKDF2-HMAC-SHA256, `iterations`, `salt`).
pub async fn password_key(
    password: &str,
    salt: &[u8],
    iterations: u32,
) -> Result<SealKey, StoreError> {
    let subtle = web_sys::window()
        .ok_or_else(|| StoreError::Failed("no window".into()))?
        .crypto()
        .map_err(|e| failed("crypto", e))?
        .subtle();
    let secret = Uint8Array::from(password.as_bytes());
    let base = JsFuture::from(
        subtle
            .import_key_with_str(
                "raw",
                &secret,
                "PBKDF2",
                false,
                &Array::of1(&"deriveBits".into()),
            )
            .map_err(|e| failed("importKey", e))?,
    )
    .await
    .map_err(|e| failed("importKey", e))?
    .unchecked_into::<CryptoKey>();
    let params =
        Pbkdf2Params::new_with_str("PBKDF2", "SHA-256", iterations, &Uint8Array::from(salt));
    let bits = JsFuture::from(
        subtle
            .derive_bits_with_object(&params, &base, (KEY_BYTES * 8) as u32)
            .map_err(|e| failed("deriveBits", e))?,
    )
    .await
    .map_err(|e| failed("deriveBits", e))?;
    let bytes: [u8; KEY_BYTES] = Uint8Array::new(&bits)
        .to_vec()
        .try_into()
        .map_err(|_| StoreError::Failed("deriveBits: wrong length".into()))?;
    Ok(SealKey::from_bytes(&bytes))
}

thread_local! {
    static SIGNED_IN: RefCell<Option<(String, SealKey)>> = const { RefCell::new(None) };
}

/// Holds the signed-in person's data key (`None`: nobody; the key is dropped).
pub fn hold(person: Option<(String, SealKey)>) {
    SIGNED_IN.with(|k| *k.borrow_mut() = person);
}

/// The data key of `staff_id`, if they are the one signed in.
pub fn key_of(staff_id: &str) -> Option<SealKey> {
    SIGNED_IN.with(|k| {
        k.borrow()
            .as_ref()
            .filter(|(id, _)| id == staff_id)
            .map(|(_, key)| key.clone())
    })
}
