//! Ids made on the device: request ids are UUIDv7 from the browser's clock
//! (`SystemTime::now()` panics on wasm32) and the platform's secure random numbers.

use koe_core::Bilingual;
use uuid::Uuid;

use crate::i18n::Msg;

/// Milliseconds since the Unix epoch by the device clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn random<const N: usize>() -> Result<[u8; N], Bilingual> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|_| Msg::ErrNoRandom.bilingual())?;
    Ok(bytes)
}

/// A new request id (UUIDv7) for now.
pub fn new_request_id() -> Result<Uuid, Bilingual> {
    let now = now_ms().max(0.0) as u64;
    Ok(koe_core::id::request_id(now, random::<10>()?))
}

/// A new device id (random UUIDv4), made once per device.
pub fn new_client_id() -> Result<Uuid, Bilingual> {
    Ok(uuid::Builder::from_random_bytes(random::<16>()?).into_uuid())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn request_ids_are_v7_and_differ() {
        let a = new_request_id().expect("random");
        let b = new_request_id().expect("random");
        assert_eq!(a.get_version_num(), 7);
        assert_ne!(a, b);
        assert_eq!(new_client_id().expect("random").get_version_num(), 4);
    }
}
