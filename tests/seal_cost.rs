#![cfg(target_arch = "wasm32")]
//! What sealing costs in the browser, printed (never asserted): one saved request's JSON
//! and one photo as the app stores it (1600 px JPEG, about 300 KB), sealed and opened.
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p koe-app --target wasm32-unknown-unknown --release --test seal_cost`

use koe_core::device::LocalRequest;
use koe_core::vault::SealKey;
use koe_core::Urgency;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

mod device;

wasm_bindgen_test_configure!(run_in_browser);

fn now() -> f64 {
    js_sys::Date::now()
}

#[wasm_bindgen_test]
fn sealing_one_request_and_one_photo() {
    let key = SealKey::from_bytes(&[7; 32]);
    let r = device::logged_request(
        "独居高齢者の見守り",
        &"介護の相談。".repeat(40),
        Urgency::High,
    );
    let local = LocalRequest::logged_by(r, Some("welfare01"));
    let json_len = serde_json::to_vec(&local).map(|v| v.len()).unwrap_or(0);
    let rounds = 200;
    let start = now();
    for i in 0..rounds {
        let sealed = key.seal_json([i as u8; 12], &local);
        let back: LocalRequest = key.open_json(&sealed).expect("opens");
        assert_eq!(back.id, local.id);
    }
    let per_request = (now() - start) / f64::from(rounds);
    let photo = vec![0x5Au8; 300 * 1024];
    let start = now();
    for i in 0..5u8 {
        let sealed = key.seal([i; 12], &photo);
        assert_eq!(key.open(&sealed).expect("opens").len(), photo.len());
    }
    let per_photo = (now() - start) / 5.0;
    console_log!(
        "seal+open: one request ({json_len} B JSON) {per_request:.3} ms; one 300 KB photo {per_photo:.1} ms"
    );
}
