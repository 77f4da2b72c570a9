//! Ids made on the device. `SystemTime::now()` panics on wasm32, so the caller passes
//! the clock (`js_sys::Date::now()` in the browser) and the random bytes.

use uuid::Uuid;

/// A UUIDv7 from a Unix time in milliseconds and 10 random bytes.
pub fn request_id(unix_ms: u64, random: [u8; 10]) -> Uuid {
    uuid::Builder::from_unix_timestamp_millis(unix_ms, &random).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v7_and_sort_by_time() {
        let a = request_id(1_700_000_000_000, [9; 10]);
        let b = request_id(1_700_000_000_001, [0; 10]);
        assert_eq!(a.get_version_num(), 7);
        assert!(a < b, "later ids sort after earlier ones");
    }
}
