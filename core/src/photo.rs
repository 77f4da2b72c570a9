//! Photos of a request: the upload messages, the limits, what an image file starts with,
//! and who may attach or look at a request's photos.
//!
//! The device downscales a photo (about 1600 px, JPEG) and uploads it apart from the
//! record, resumably: `PUT /api/photos/{photo_id}` declares it, `PATCH …?offset=N` sends
//! the bytes in chunks, and the ward record keeps one file per sha256 on disk.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Catalogue, RequestRecord, Viewer};

/// The largest photo the ward record takes (a downscaled photo is far smaller).
pub const MAX_PHOTO_BYTES: u64 = 10 * 1024 * 1024;
/// The largest chunk one `PATCH` may carry.
pub const MAX_CHUNK_BYTES: usize = 2 * 1024 * 1024;
/// How many bytes the ward record needs to tell an image's type from its start.
pub const SNIFF_BYTES: usize = 12;

/// `PUT /api/photos/{photo_id}`: declares an upload (or asks to resume it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoUpload {
    pub request_id: Uuid,
    /// Lowercase or uppercase hex of the SHA-256 of the whole file.
    pub sha256: String,
    pub size: u64,
    pub content_type: String,
}

/// How far an upload is: the answer to `PUT`, `PATCH` and the status request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoProgress {
    /// Bytes the ward record holds; the next chunk starts here.
    pub received: u64,
    pub size: u64,
    pub complete: bool,
}

/// A photo as the ward record keeps its metadata (`GET /api/requests/{id}/photos`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoInfo {
    pub photo_id: Uuid,
    pub request_id: Uuid,
    /// Lowercase hex.
    pub sha256: String,
    pub size: u64,
    pub content_type: String,
    pub uploaded_by: String,
    /// Ward record clock (ms since epoch): when declared, then when complete.
    pub received_at: i64,
    pub received: u64,
    pub complete: bool,
}

impl PhotoInfo {
    pub fn progress(&self) -> PhotoProgress {
        PhotoProgress {
            received: self.received,
            size: self.size,
            complete: self.complete,
        }
    }
}

/// The image types the ward record stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageType {
    Jpeg,
    Png,
    Webp,
}

impl ImageType {
    pub const ALL: [ImageType; 3] = [Self::Jpeg, Self::Png, Self::Webp];

    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
        }
    }

    /// From a declared content type; parameters (`; charset=…`) and case are ignored.
    pub fn from_mime(content_type: &str) -> Option<Self> {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        Self::ALL.into_iter().find(|t| t.mime() == essence)
    }

    /// The type a file's first bytes say it is (its magic number), if any of ours.
    pub fn sniff(start: &[u8]) -> Option<Self> {
        if start.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if start.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(Self::Png)
        } else if start.len() >= 12 && &start[0..4] == b"RIFF" && &start[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }
}

/// Whether `text` is a SHA-256 in hex (64 hex digits, either case).
pub fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What a reader may do with a request's photos.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoAccess {
    /// The reader does not see the request at all: answer as if it did not exist.
    Hidden,
    /// The reader sees the request exists but not its 要配慮 details, photos included.
    Denied,
    /// The reader may look at and attach photos.
    Allowed,
}

/// Photos are details: the same rule as `Viewer::redact`. A reader who sees the request
/// may look at (and attach) its photos unless the request is sensitive (or of a category
/// no longer in the catalogue: fail closed) and the reader neither logged it nor may
/// read sensitive details.
pub fn photo_access(viewer: &Viewer, record: &RequestRecord, catalogue: &Catalogue) -> PhotoAccess {
    if !viewer.sees(record) {
        PhotoAccess::Hidden
    } else if viewer.reads_details(record, catalogue) {
        PhotoAccess::Allowed
    } else {
        PhotoAccess::Denied
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::tests::sample;
    use crate::{Place, Role, Status, Urgency};

    /// Built from JSON so that fields added to the record later take their defaults.
    fn record(category: &str, section: &str, by: &str) -> RequestRecord {
        serde_json::from_value(serde_json::json!({
            "id": crate::id::request_id(1, [0; 10]),
            "category": category,
            "section": section,
            "title": "訪問",
            "description": "一人暮らしの方",
            "place": Place::default(),
            "urgency": Urgency::Medium,
            "status": Status::New,
            "logged_by": by,
            "logged_at": 1,
            "received_at": 2,
            "version": 1,
        }))
        .expect("a record")
    }

    fn viewer(id: &str, role: Role, sections: &[&str]) -> Viewer {
        Viewer {
            staff_id: id.into(),
            role,
            sections: sections.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn magic_bytes_of_each_type() {
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1,
        ];
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
        let webp = *b"RIFF\x24\x00\x00\x00WEBPVP8 ";
        assert_eq!(ImageType::sniff(&jpeg), Some(ImageType::Jpeg));
        assert_eq!(ImageType::sniff(&png), Some(ImageType::Png));
        assert_eq!(ImageType::sniff(&webp), Some(ImageType::Webp));
        assert_eq!(ImageType::sniff(b"RIFF\x24\x00\x00\x00WAVEfmt "), None);
        assert_eq!(ImageType::sniff(b"hello, not an image"), None);
        assert_eq!(ImageType::sniff(b"<svg xmlns="), None);
        assert_eq!(ImageType::sniff(&[]), None);
        assert_eq!(ImageType::sniff(&[0xFF, 0xD8]), None, "too short");
    }

    #[test]
    fn declared_types() {
        assert_eq!(ImageType::from_mime("image/jpeg"), Some(ImageType::Jpeg));
        assert_eq!(ImageType::from_mime("Image/PNG"), Some(ImageType::Png));
        assert_eq!(
            ImageType::from_mime("image/webp; q=1"),
            Some(ImageType::Webp)
        );
        for other in ["image/gif", "image/svg+xml", "text/html", "", "image/jpg"] {
            assert_eq!(ImageType::from_mime(other), None, "{other}");
        }
        for t in ImageType::ALL {
            assert_eq!(ImageType::from_mime(t.mime()), Some(t));
        }
    }

    #[test]
    fn sha256_hex() {
        assert!(is_sha256_hex(&"a".repeat(64)));
        assert!(is_sha256_hex(&"AbCdEf0123456789".repeat(4)));
        assert!(!is_sha256_hex(&"a".repeat(63)));
        assert!(!is_sha256_hex(&"g".repeat(64)));
        assert!(!is_sha256_hex(&format!("../{}", "a".repeat(61))));
        assert!(!is_sha256_hex(""));
    }

    #[test]
    fn welfare_photos_are_for_the_author_welfare_sections_and_admins() {
        let cat = sample();
        let r = record("welfare-elderly", "elderly", "caseworker");
        let clerk = viewer("clerk", Role::Office, &["road"]);
        assert_eq!(photo_access(&clerk, &r, &cat), PhotoAccess::Denied);
        let inspector = viewer("insp", Role::Field, &["road"]);
        assert_eq!(photo_access(&inspector, &r, &cat), PhotoAccess::Hidden);
        for v in [
            viewer("other", Role::Field, &["elderly"]),
            viewer("caseworker", Role::Field, &[]),
            viewer("admin", Role::Admin, &[]),
        ] {
            assert_eq!(photo_access(&v, &r, &cat), PhotoAccess::Allowed, "{v:?}");
        }
    }

    #[test]
    fn road_photos_are_for_whoever_sees_the_request() {
        let cat = sample();
        let r = record("road-pothole", "road", "insp");
        assert_eq!(
            photo_access(&viewer("clerk", Role::Office, &[]), &r, &cat),
            PhotoAccess::Allowed
        );
        assert_eq!(
            photo_access(&viewer("p", Role::Field, &["park"]), &r, &cat),
            PhotoAccess::Hidden
        );
        let gone = record("gone", "road", "insp");
        assert_eq!(
            photo_access(&viewer("clerk", Role::Office, &[]), &gone, &cat),
            PhotoAccess::Denied,
            "unknown category fails closed"
        );
    }
}
