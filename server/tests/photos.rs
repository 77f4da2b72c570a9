//! Photo uploads through the router (no sockets), on SQLite and PostgreSQL, each test
//! with its own database (a SQLite file or a PostgreSQL schema) and its own data folder.
//!
//! The set-up is `common`'s, as for `tests/api.rs`.

mod common;

use std::path::{Path, PathBuf};

use axum::http::{header, Method, StatusCode};
use koe_core::photo::{MAX_CHUNK_BYTES, MAX_PHOTO_BYTES};
use koe_server::blob::sha256_hex;
use serde_json::json;
use uuid::Uuid;

use common::{both, new_request_id, Answer, TestApp};

both!(
    whole_upload_in_one_chunk,
    resumed_upload_in_three_chunks,
    sha256_mismatch_stores_nothing,
    non_image_bytes_are_refused,
    too_large_is_refused,
    same_bytes_are_stored_once,
    a_known_hash_is_no_key_to_a_photo,
    welfare_photo_lists_are_on_the_access_log,
    welfare_photos_are_for_the_welfare_section,
    unknown_request_and_photo,
    unsigned_is_refused,
    photo_id_is_one_photo_of_one_uploader,
    disk_errors_are_reported_and_leave_nothing_half_written,
    every_account_sees_photos_as_it_may_read_details,
);

// ---------------------------------------------------------------------------------
// Helpers

impl Answer {
    /// Asserts a `PhotoProgress`.
    fn assert_progress(&self, status: StatusCode, received: usize, complete: bool) {
        assert_eq!(self.status, status, "{}", self.text());
        let v = self.json();
        assert_eq!(v["received"], received, "{v}");
        assert_eq!(v["complete"], complete, "{v}");
        assert_eq!(
            self.headers["upload-offset"].to_str().unwrap(),
            received.to_string()
        );
    }
}

impl TestApp {
    /// Logs a request of `category` through a push; returns its id.
    async fn log_request(&self, cookie: &str, category: &str) -> Uuid {
        let id = new_request_id();
        let now = koe_server::now_ms();
        self.log_json(
            cookie,
            json!({
                "id": id,
                "category": category,
                "title": "写真のテスト",
                "description": "区民の方から",
                "place": {"lat": 35.6, "lon": 139.6, "accuracy_m": 10.0,
                          "address": "高津区下作延2-8"},
                "urgency": "high",
                "logged_at": now,
            }),
        )
        .await;
        id
    }

    async fn declare(
        &self,
        cookie: Option<&str>,
        photo_id: Uuid,
        request_id: Uuid,
        bytes: &[u8],
        content_type: &str,
    ) -> Answer {
        self.json(
            Method::PUT,
            &format!("/api/photos/{photo_id}"),
            cookie,
            &json!({
                "request_id": request_id,
                "sha256": sha256_hex(bytes),
                "size": bytes.len(),
                "content_type": content_type,
            }),
        )
        .await
    }

    async fn send(
        &self,
        cookie: Option<&str>,
        photo_id: Uuid,
        offset: usize,
        chunk: &[u8],
    ) -> Answer {
        self.call(
            Method::PATCH,
            &format!("/api/photos/{photo_id}?offset={offset}"),
            cookie,
            Some("application/octet-stream"),
            chunk.to_vec(),
        )
        .await
    }

    /// Declares and sends a photo in one chunk; asserts it is complete.
    async fn upload(&self, cookie: &str, photo_id: Uuid, request_id: Uuid, bytes: &[u8]) {
        let a = self
            .declare(Some(cookie), photo_id, request_id, bytes, "image/jpeg")
            .await;
        a.assert_progress(StatusCode::CREATED, 0, false);
        self.send(Some(cookie), photo_id, 0, bytes)
            .await
            .assert_progress(StatusCode::OK, bytes.len(), true);
    }

    /// Complete photo files on disk (not the uploads in progress).
    fn stored_files(&self) -> Vec<PathBuf> {
        files_under(&self.photos)
            .into_iter()
            .filter(|p| !p.starts_with(self.photos.join("partial")))
            .collect()
    }

    fn partial_files(&self) -> Vec<PathBuf> {
        files_under(&self.photos.join("partial"))
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A small "JPEG": the magic bytes, then a pattern that differs per `seed`.
fn jpeg(len: usize, seed: u8) -> Vec<u8> {
    let mut v = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1,
    ];
    v.extend((0..len.saturating_sub(v.len())).map(|i| (i as u8).wrapping_mul(31) ^ seed));
    v
}

// ---------------------------------------------------------------------------------
// Tests

async fn whole_upload_in_one_chunk(t: TestApp) {
    let road = t.sign_in("road01").await;
    let request = t.log_request(&road, "road-pothole").await;
    let photo = Uuid::new_v4();
    let bytes = jpeg(50_000, 1);
    t.upload(&road, photo, request, &bytes).await;

    let a = t.get(&format!("/api/photos/{photo}"), Some(&road)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.headers[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(a.body, bytes);
    let a = t
        .get(&format!("/api/photos/{photo}/status"), Some(&road))
        .await;
    a.assert_progress(StatusCode::OK, bytes.len(), true);
    let a = t
        .call(
            Method::HEAD,
            &format!("/api/photos/{photo}/status"),
            Some(&road),
            None,
            Vec::new(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers["upload-offset"], bytes.len().to_string().as_str());
    assert!(a.body.is_empty());

    // Declaring again, or resending the last chunk (its answer lost), is harmless.
    t.declare(Some(&road), photo, request, &bytes, "image/jpeg")
        .await
        .assert_progress(StatusCode::OK, bytes.len(), true);
    t.send(Some(&road), photo, 0, &bytes)
        .await
        .assert_progress(StatusCode::OK, bytes.len(), true);

    // An office clerk sees the road request and its photos.
    let clerk = t.sign_in("clerk01").await;
    let a = t
        .get(&format!("/api/requests/{request}/photos"), Some(&clerk))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let list = a.json();
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["photo_id"], photo.to_string());
    assert_eq!(list[0]["sha256"], sha256_hex(&bytes));
    assert_eq!(list[0]["size"], bytes.len());
    assert_eq!(list[0]["complete"], true);
    assert_eq!(list[0]["uploaded_by"], "road01");
    assert_eq!(t.stored_files().len(), 1);
    assert!(t.partial_files().is_empty());
}

async fn resumed_upload_in_three_chunks(t: TestApp) {
    let road = t.sign_in("road01").await;
    let request = t.log_request(&road, "road-pothole").await;
    let photo = Uuid::new_v4();
    let bytes = jpeg(300_000, 2);
    let (a, rest) = bytes.split_at(100_000);
    let (b, c) = rest.split_at(100_000);
    t.declare(Some(&road), photo, request, &bytes, "image/jpeg")
        .await
        .assert_progress(StatusCode::CREATED, 0, false);
    t.send(Some(&road), photo, 0, a)
        .await
        .assert_progress(StatusCode::OK, a.len(), false);

    // The connection broke and the device guessed wrong: it is told where to resume.
    for wrong in [0, 150_000, 200_000] {
        let ans = t.send(Some(&road), photo, wrong, b).await;
        ans.assert_error(StatusCode::CONFLICT, "wrong_offset");
        assert_eq!(ans.json()["expected_offset"], 100_000);
        assert_eq!(ans.headers["upload-offset"], "100000");
    }
    t.get(&format!("/api/photos/{photo}/status"), Some(&road))
        .await
        .assert_progress(StatusCode::OK, 100_000, false);
    // Not complete: nothing to read, nothing final on disk.
    t.get(&format!("/api/photos/{photo}"), Some(&road))
        .await
        .assert_error(StatusCode::CONFLICT, "photo_incomplete");
    assert!(t.stored_files().is_empty());

    t.send(Some(&road), photo, 100_000, b)
        .await
        .assert_progress(StatusCode::OK, 200_000, false);
    // After a restart the device asks again with PUT and resumes.
    t.declare(Some(&road), photo, request, &bytes, "image/jpeg")
        .await
        .assert_progress(StatusCode::OK, 200_000, false);
    t.send(Some(&road), photo, 200_000, c)
        .await
        .assert_progress(StatusCode::OK, bytes.len(), true);

    let got = t.get(&format!("/api/photos/{photo}"), Some(&road)).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body, bytes);
    assert_eq!(t.stored_files().len(), 1);
    assert!(t.partial_files().is_empty());
}

async fn sha256_mismatch_stores_nothing(t: TestApp) {
    let road = t.sign_in("road01").await;
    let request = t.log_request(&road, "road-pothole").await;
    let photo = Uuid::new_v4();
    let bytes = jpeg(10_000, 3);
    t.declare(Some(&road), photo, request, &bytes, "image/jpeg")
        .await
        .assert_progress(StatusCode::CREATED, 0, false);
    let mut damaged = bytes.clone();
    damaged[5000] ^= 0xFF;
    t.send(Some(&road), photo, 0, &damaged)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "sha256_mismatch");
    assert!(t.stored_files().is_empty());
    assert!(t.partial_files().is_empty());
    t.get(&format!("/api/photos/{photo}/status"), Some(&road))
        .await
        .assert_progress(StatusCode::OK, 0, false);
    t.get(&format!("/api/photos/{photo}"), Some(&road))
        .await
        .assert_error(StatusCode::CONFLICT, "photo_incomplete");

    // Sent again, undamaged, it completes.
    t.send(Some(&road), photo, 0, &bytes)
        .await
        .assert_progress(StatusCode::OK, bytes.len(), true);
    assert_eq!(t.stored_files().len(), 1);

    // A sha256 that is not hex is a bad field.
    let a = t
        .json(
            Method::PUT,
            &format!("/api/photos/{}", Uuid::new_v4()),
            Some(&road),
            &json!({"request_id": request, "sha256": "../../etc", "size": 10,
                    "content_type": "image/jpeg"}),
        )
        .await;
    a.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "bad_fields");
}

async fn non_image_bytes_are_refused(t: TestApp) {
    let road = t.sign_in("road01").await;
    let request = t.log_request(&road, "road-pothole").await;
    let photo = Uuid::new_v4();
    let text = b"<html><script>alert(1)</script></html> not a photo at all".to_vec();
    t.declare(Some(&road), photo, request, &text, "image/jpeg")
        .await
        .assert_progress(StatusCode::CREATED, 0, false);
    t.send(Some(&road), photo, 0, &text)
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "not_an_image");
    assert!(t.stored_files().is_empty());
    assert!(t.partial_files().is_empty());
    t.get(&format!("/api/photos/{photo}/status"), Some(&road))
        .await
        .assert_error(StatusCode::NOT_FOUND, "photo_not_found");

    // A JPEG declared as PNG is refused the same way.
    let png_claim = Uuid::new_v4();
    let bytes = jpeg(1000, 4);
    t.declare(Some(&road), png_claim, request, &bytes, "image/png")
        .await
        .assert_progress(StatusCode::CREATED, 0, false);
    t.send(Some(&road), png_claim, 0, &bytes)
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "not_an_image");

    // Types other than JPEG, PNG and WebP are refused up front.
    for ct in ["image/gif", "text/html", "image/svg+xml"] {
        t.declare(Some(&road), Uuid::new_v4(), request, &bytes, ct)
            .await
            .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_type");
    }
    // The chunk itself must be sent as bytes.
    let p = Uuid::new_v4();
    t.declare(Some(&road), p, request, &bytes, "image/jpeg")
        .await
        .assert_progress(StatusCode::CREATED, 0, false);
    t.call(
        Method::PATCH,
        &format!("/api/photos/{p}?offset=0"),
        Some(&road),
        Some("application/json"),
        bytes.clone(),
    )
    .await
    .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "not_octet_stream");
    assert!(t.stored_files().is_empty());
}

async fn too_large_is_refused(t: TestApp) {
    let road = t.sign_in("road01").await;
    let request = t.log_request(&road, "road-pothole").await;
    let a = t
        .json(
            Method::PUT,
            &format!("/api/photos/{}", Uuid::new_v4()),
            Some(&road),
            &json!({"request_id": request, "sha256": sha256_hex(b"x"),
                    "size": MAX_PHOTO_BYTES + 1, "content_type": "image/jpeg"}),
        )
        .await;
    a.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "too_large");

    // A chunk over the per-chunk limit is refused; a smaller one is then taken.
    let photo = Uuid::new_v4();
    let bytes = jpeg(MAX_CHUNK_BYTES + 10, 5);
    t.declare(Some(&road), photo, request, &bytes, "image/jpeg")
        .await
        .assert_progress(StatusCode::CREATED, 0, false);
    t.send(Some(&road), photo, 0, &bytes)
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "too_large");
    t.send(Some(&road), photo, 0, &bytes[..MAX_CHUNK_BYTES])
        .await
        .assert_progress(StatusCode::OK, MAX_CHUNK_BYTES, false);
    // More than declared is refused too.
    let mut more = bytes[MAX_CHUNK_BYTES..].to_vec();
    more.push(0);
    t.send(Some(&road), photo, MAX_CHUNK_BYTES, &more)
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "too_large");
    t.send(
        Some(&road),
        photo,
        MAX_CHUNK_BYTES,
        &bytes[MAX_CHUNK_BYTES..],
    )
    .await
    .assert_progress(StatusCode::OK, bytes.len(), true);
}

async fn same_bytes_are_stored_once(t: TestApp) {
    let road = t.sign_in("road01").await;
    let request = t.log_request(&road, "road-pothole").await;
    let bytes = jpeg(40_000, 6);
    let first = Uuid::new_v4();
    t.upload(&road, first, request, &bytes).await;

    // The same bytes again (say from a second device) are sent again, and stored once.
    let head = t.sign_in("head01").await;
    let other = t.log_request(&head, "road-drain").await;
    let second = Uuid::new_v4();
    t.upload(&head, second, other, &bytes).await;
    assert_eq!(t.stored_files().len(), 1, "{:?}", t.stored_files());
    let a = t.get(&format!("/api/photos/{second}"), Some(&head)).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body, bytes);

    // A different photo is a second file.
    t.upload(&road, Uuid::new_v4(), request, &jpeg(40_000, 7))
        .await;
    assert_eq!(t.stored_files().len(), 2);
    let list = t
        .get(&format!("/api/requests/{request}/photos"), Some(&road))
        .await
        .json();
    assert_eq!(list.as_array().map(Vec::len), Some(2), "{list}");
}

async fn welfare_photos_are_for_the_welfare_section(t: TestApp) {
    let welfare = t.sign_in("welfare01").await;
    let request = t.log_request(&welfare, "welfare-elderly").await;
    let photo = Uuid::new_v4();
    let bytes = jpeg(20_000, 8);
    t.upload(&welfare, photo, request, &bytes).await;
    let a = t.get(&format!("/api/photos/{photo}"), Some(&welfare)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.body, bytes);
    // Its author looking at it is not on the access log; a colleague in the welfare
    // section is.
    assert!(t.store.access_log(request).await.unwrap().is_empty());
    let colleague = t.sign_in("welfare02").await;
    let a = t
        .get(&format!("/api/photos/{photo}"), Some(&colleague))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let log = t.store.access_log(request).await.unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].staff_id, "welfare02");
    assert_eq!(log[0].path, format!("/api/photos/{photo}"));

    // The office clerk sees the request exists, but not its photos.
    let clerk = t.sign_in("clerk01").await;
    for path in [
        format!("/api/photos/{photo}"),
        format!("/api/photos/{photo}/status"),
        format!("/api/requests/{request}/photos"),
    ] {
        let a = t.get(&path, Some(&clerk)).await;
        a.assert_error(StatusCode::FORBIDDEN, "photo_forbidden");
        assert!(!a.text().contains(&sha256_hex(&bytes)), "{path}");
    }
    t.declare(Some(&clerk), Uuid::new_v4(), request, &bytes, "image/jpeg")
        .await
        .assert_error(StatusCode::FORBIDDEN, "photo_forbidden");
    // And the clerk cannot add to someone else's upload.
    t.send(Some(&clerk), photo, 0, &bytes)
        .await
        .assert_error(StatusCode::FORBIDDEN, "not_uploader");

    // A road inspector does not even see the request.
    let road = t.sign_in("road01").await;
    t.get(&format!("/api/photos/{photo}"), Some(&road))
        .await
        .assert_error(StatusCode::NOT_FOUND, "photo_not_found");
    t.get(&format!("/api/requests/{request}/photos"), Some(&road))
        .await
        .assert_error(StatusCode::NOT_FOUND, "request_not_found");
    t.declare(Some(&road), Uuid::new_v4(), request, &bytes, "image/jpeg")
        .await
        .assert_error(StatusCode::NOT_FOUND, "request_not_found");
}

async fn unknown_request_and_photo(t: TestApp) {
    let road = t.sign_in("road01").await;
    let bytes = jpeg(1000, 9);
    t.declare(
        Some(&road),
        Uuid::new_v4(),
        new_request_id(),
        &bytes,
        "image/jpeg",
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "request_not_found");
    let unknown = Uuid::new_v4();
    t.get(&format!("/api/photos/{unknown}"), Some(&road))
        .await
        .assert_error(StatusCode::NOT_FOUND, "photo_not_found");
    t.send(Some(&road), unknown, 0, &bytes)
        .await
        .assert_error(StatusCode::NOT_FOUND, "photo_not_found");
    t.get(
        &format!("/api/requests/{}/photos", new_request_id()),
        Some(&road),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "request_not_found");
    t.get("/api/photos/not-a-uuid", Some(&road))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_photo_id");
    let request = t.log_request(&road, "road-pothole").await;
    let photo = Uuid::new_v4();
    t.declare(Some(&road), photo, request, &bytes, "image/jpeg")
        .await
        .assert_progress(StatusCode::CREATED, 0, false);
    for query in ["", "?offset=", "?offset=-1", "?offset=x"] {
        t.call(
            Method::PATCH,
            &format!("/api/photos/{photo}{query}"),
            Some(&road),
            Some("application/octet-stream"),
            bytes.clone(),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_offset");
    }
    assert!(t.stored_files().is_empty());
}

async fn unsigned_is_refused(t: TestApp) {
    let road = t.sign_in("road01").await;
    let request = t.log_request(&road, "road-pothole").await;
    let photo = Uuid::new_v4();
    let bytes = jpeg(1000, 10);
    t.upload(&road, photo, request, &bytes).await;
    t.declare(None, Uuid::new_v4(), request, &bytes, "image/jpeg")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
    t.send(None, photo, 0, &bytes)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
    for path in [
        format!("/api/photos/{photo}"),
        format!("/api/photos/{photo}/status"),
        format!("/api/requests/{request}/photos"),
    ] {
        t.get(&path, None)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
        t.get(&path, Some("koe_session=forged"))
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
    }
    assert_eq!(t.stored_files().len(), 1);
}

async fn photo_id_is_one_photo_of_one_uploader(t: TestApp) {
    let road = t.sign_in("road01").await;
    let request = t.log_request(&road, "road-pothole").await;
    let photo = Uuid::new_v4();
    let bytes = jpeg(5000, 11);
    t.declare(Some(&road), photo, request, &bytes, "image/jpeg")
        .await
        .assert_progress(StatusCode::CREATED, 0, false);
    // The same id with other bytes, another size or type is a different photo.
    t.declare(Some(&road), photo, request, &jpeg(5000, 12), "image/jpeg")
        .await
        .assert_error(StatusCode::CONFLICT, "photo_id_conflict");
    t.declare(Some(&road), photo, request, &bytes, "image/png")
        .await
        .assert_error(StatusCode::CONFLICT, "photo_id_conflict");
    // Someone else who sees the request cannot take the upload over.
    let head = t.sign_in("head01").await;
    t.declare(Some(&head), photo, request, &bytes, "image/jpeg")
        .await
        .assert_error(StatusCode::CONFLICT, "photo_id_conflict");
    t.send(Some(&head), photo, 0, &bytes)
        .await
        .assert_error(StatusCode::FORBIDDEN, "not_uploader");
    t.send(Some(&road), photo, 0, &bytes)
        .await
        .assert_progress(StatusCode::OK, bytes.len(), true);
}

async fn disk_errors_are_reported_and_leave_nothing_half_written(t: TestApp) {
    let road = t.sign_in("road01").await;
    let request = t.log_request(&road, "road-pothole").await;
    let photo = Uuid::new_v4();
    let bytes = jpeg(30_000, 13);
    t.declare(Some(&road), photo, request, &bytes, "image/jpeg")
        .await
        .assert_progress(StatusCode::CREATED, 0, false);
    // The folder for uploads in progress cannot be made: a file is in its way.
    let partial = t.photos.join("partial");
    std::fs::create_dir_all(&t.photos).expect("photos dir");
    std::fs::write(&partial, b"in the way").expect("blocker");
    t.send(Some(&road), photo, 0, &bytes[..10_000])
        .await
        .assert_error(StatusCode::INTERNAL_SERVER_ERROR, "photo_storage");
    t.get(&format!("/api/photos/{photo}/status"), Some(&road))
        .await
        .assert_progress(StatusCode::OK, 0, false);
    assert!(t.stored_files().iter().all(|p| p == &partial));

    // Once the disk is fixed, the device resumes from where the ward record says.
    std::fs::remove_file(&partial).expect("unblock");
    t.send(Some(&road), photo, 0, &bytes[..10_000])
        .await
        .assert_progress(StatusCode::OK, 10_000, false);
    t.send(Some(&road), photo, 10_000, &bytes[10_000..])
        .await
        .assert_progress(StatusCode::OK, bytes.len(), true);
    assert_eq!(t.stored_files().len(), 1);
}

async fn a_known_hash_is_no_key_to_a_photo(t: TestApp) {
    // A welfare photo is held; someone who knows (or guesses) its SHA-256 declares it on a
    // request they may attach photos to.
    let welfare = t.sign_in("welfare01").await;
    let secret = t.log_request(&welfare, "welfare-elderly").await;
    let bytes = jpeg(20_000, 9);
    t.upload(&welfare, Uuid::new_v4(), secret, &bytes).await;
    let road = t.sign_in("road01").await;
    let mine = t.log_request(&road, "road-pothole").await;
    let known = Uuid::new_v4();
    let a = t
        .declare(Some(&road), known, mine, &bytes, "image/jpeg")
        .await;
    a.assert_progress(StatusCode::CREATED, 0, false);
    // Exactly what an unknown hash of the same size and type answers: no oracle.
    let unknown = Uuid::new_v4();
    let b = t
        .declare(Some(&road), unknown, mine, &jpeg(20_000, 10), "image/jpeg")
        .await;
    b.assert_progress(StatusCode::CREATED, 0, false);
    assert_eq!(a.body, b.body);
    // Nothing to read without the bytes, neither the photo nor a complete entry.
    t.get(&format!("/api/photos/{known}"), Some(&road))
        .await
        .assert_error(StatusCode::CONFLICT, "photo_incomplete");
    let list = t
        .get(&format!("/api/requests/{mine}/photos"), Some(&road))
        .await
        .json();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|p| p["complete"] == false),
        "{list}"
    );
    // Other bytes under the known hash are refused when the last byte arrives.
    t.send(Some(&road), known, 0, &jpeg(20_000, 10))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "sha256_mismatch");
    // Sending the bytes themselves completes it, and the file is still stored once.
    t.send(Some(&road), known, 0, &bytes)
        .await
        .assert_progress(StatusCode::OK, bytes.len(), true);
    assert_eq!(t.stored_files().len(), 1, "{:?}", t.stored_files());
}

async fn welfare_photo_lists_are_on_the_access_log(t: TestApp) {
    let welfare = t.sign_in("welfare01").await;
    let request = t.log_request(&welfare, "welfare-elderly").await;
    t.upload(&welfare, Uuid::new_v4(), request, &jpeg(20_000, 11))
        .await;
    let path = format!("/api/requests/{request}/photos");
    // Its author listing them is not on the log; a colleague is.
    assert_eq!(t.get(&path, Some(&welfare)).await.status, StatusCode::OK);
    assert!(t.store.access_log(request).await.unwrap().is_empty());
    let colleague = t.sign_in("welfare02").await;
    assert_eq!(t.get(&path, Some(&colleague)).await.status, StatusCode::OK);
    let log = t.store.access_log(request).await.unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].staff_id, "welfare02");
    assert_eq!(log[0].path, path);
    // A road request's list is not logged.
    let road = t.sign_in("road01").await;
    let pothole = t.log_request(&road, "road-pothole").await;
    let head = t.sign_in("head01").await;
    t.get(&format!("/api/requests/{pothole}/photos"), Some(&head))
        .await;
    assert!(t.store.access_log(pothole).await.unwrap().is_empty());
}

/// How a reader sees a request through `GET /api/requests/{id}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// 404: they may not know it exists.
    Hidden,
    /// Its status only (a 要配慮 request for someone outside welfare).
    Redacted,
    /// Everything.
    Details,
}

/// For every account of the ward (every role, today's demo accounts checked against what
/// the rule says of them): the photos of a request follow its details — a reader who
/// gets them redacted gets no photo list and no photo, one who may not know the request
/// gets 404, one who reads the details gets the list and the bytes; on a 要配慮 request
/// every read by someone other than its author is on the access log, and nothing else is.
async fn every_account_sees_photos_as_it_may_read_details(t: TestApp) {
    use Seen::{Details, Hidden, Redacted};
    let road = t.sign_in("road01").await;
    let pothole = t.log_request(&road, "road-pothole").await;
    let pothole_photo = Uuid::new_v4();
    let pothole_bytes = jpeg(20_000, 21);
    t.upload(&road, pothole_photo, pothole, &pothole_bytes)
        .await;
    let welfare = t.sign_in("welfare01").await;
    let case = t.log_request(&welfare, "welfare-elderly").await;
    let case_photo = Uuid::new_v4();
    let case_bytes = jpeg(20_000, 22);
    t.upload(&welfare, case_photo, case, &case_bytes).await;

    // What the demo ward's accounts see of a road request and of a welfare consultation.
    let expected = |id: &str| -> Option<[Seen; 2]> {
        Some(match id {
            "road01" => [Details, Hidden],
            "park01" => [Hidden, Hidden],
            "welfare01" | "welfare02" => [Hidden, Details],
            "clerk01" | "head01" | "parkhead01" => [Details, Redacted],
            "admin01" => [Details, Details],
            _ => return None,
        })
    };
    let admin = t.sign_in("admin01").await;
    let accounts = t.get("/api/admin/staff", Some(&admin)).await.json();
    let accounts: Vec<(String, String)> = accounts
        .as_array()
        .expect("staff list")
        .iter()
        .filter(|a| a["disabled"] != true)
        .map(|a| (a["id"].as_str().unwrap().to_owned(), a["role"].to_string()))
        .collect();
    let roles: std::collections::BTreeSet<&str> =
        accounts.iter().map(|(_, r)| r.as_str()).collect();
    assert!(roles.len() >= 4, "every role has a demo account: {roles:?}");
    let mut checked = 0;
    for (id, role) in &accounts {
        let cookie = t.sign_in(id).await;
        for (n, (request, photo, bytes)) in [
            (pothole, pothole_photo, &pothole_bytes),
            (case, case_photo, &case_bytes),
        ]
        .into_iter()
        .enumerate()
        {
            let logged_before = t.store.access_log(request).await.unwrap().len();
            let detail = t
                .get(&format!("/api/requests/{request}"), Some(&cookie))
                .await;
            let seen = match detail.status {
                StatusCode::NOT_FOUND => Hidden,
                StatusCode::OK if detail.json()["request"]["redacted"] == true => Redacted,
                StatusCode::OK => Details,
                other => panic!("{id}: detail {other}: {}", detail.text()),
            };
            if let Some(e) = expected(id) {
                assert_eq!(seen, e[n], "{id} ({role}) on request {n}");
                checked += 1;
            }
            let list_path = format!("/api/requests/{request}/photos");
            let photo_path = format!("/api/photos/{photo}");
            let list = t.get(&list_path, Some(&cookie)).await;
            let bytes_answer = t.get(&photo_path, Some(&cookie)).await;
            match seen {
                Hidden => {
                    list.assert_error(StatusCode::NOT_FOUND, "request_not_found");
                    bytes_answer.assert_error(StatusCode::NOT_FOUND, "photo_not_found");
                }
                Redacted => {
                    list.assert_error(StatusCode::FORBIDDEN, "photo_forbidden");
                    bytes_answer.assert_error(StatusCode::FORBIDDEN, "photo_forbidden");
                    assert!(!list.text().contains(&sha256_hex(bytes)), "{id}");
                }
                Details => {
                    assert_eq!(list.status, StatusCode::OK, "{id}: {}", list.text());
                    let ids: Vec<_> = list
                        .json()
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|p| p["photo_id"].as_str().unwrap().to_owned())
                        .collect();
                    assert_eq!(ids, [photo.to_string()], "{id}");
                    assert_eq!(bytes_answer.status, StatusCode::OK, "{id}");
                    assert_eq!(&bytes_answer.body, bytes, "{id}");
                }
            }
            let log = t.store.access_log(request).await.unwrap();
            // Rows of one millisecond come in no set order: compared sorted.
            let mut new: Vec<(&str, &str)> = log[logged_before..]
                .iter()
                .map(|e| (e.staff_id.as_str(), e.path.as_str()))
                .collect();
            new.sort();
            let detail_path = format!("/api/requests/{request}");
            if request == case && seen == Details && id != "welfare01" {
                let mut want = [
                    (id.as_str(), detail_path.as_str()),
                    (id.as_str(), list_path.as_str()),
                    (id.as_str(), photo_path.as_str()),
                ];
                want.sort();
                assert_eq!(
                    new, want,
                    "{id}: a 要配慮 read by someone other than its author is on the log"
                );
            } else {
                assert!(new.is_empty(), "{id} on request {n}: {new:?}");
            }
        }
    }
    assert_eq!(checked, 16, "the eight demo accounts were all checked");
}
