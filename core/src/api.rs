//! Messages of the ward record's HTTP API other than sync.

use serde::{Deserialize, Serialize};

use uuid::Uuid;

use crate::{Bilingual, Note, RequestRecord, Role};

/// `POST /api/session`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignIn {
    pub staff_id: String,
    pub password: String,
    /// The device signing in (its IndexedDB's client id). With it, the session belongs to
    /// the device (retiring the device ends it) and the answer carries the device key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<Uuid>,
}

/// What a sign-in answers: the person, and, when the device said which it is, the ward
/// record's key for this person on this device (base64 of 32 random bytes, the same at
/// every sign-in until the device is retired). The device seals its data key under it
/// too, so that an online sign-in after a password change still opens what the person
/// left on the device; the key never leaves memory there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInAnswer {
    #[serde(flatten)]
    pub me: Me,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_key: Option<String>,
}

/// One person's work waiting on a device, as the device reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingWork {
    pub staff_id: String,
    /// Mutations in their outbox.
    pub mutations: u32,
    /// Photos not yet (wholly) on the ward record.
    pub photos: u32,
}

/// `POST /api/devices/report`: what waits on this device, per person who used it (at most
/// [`MAX_REPORTED_PEOPLE`] entries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceReport {
    pub client_id: Uuid,
    pub waiting: Vec<WaitingWork>,
}

pub const MAX_REPORTED_PEOPLE: usize = 100;

/// One person who signed in on a device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevicePerson {
    pub staff_id: String,
    pub name: String,
    pub first_signed_in_at: i64,
    pub last_signed_in_at: i64,
    /// As the device last reported (0 when it never did).
    pub waiting_mutations: u32,
    pub waiting_photos: u32,
}

/// `GET /api/admin/devices`: one of the ward's devices (administrators).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceSummary {
    pub client_id: Uuid,
    pub first_seen_at: i64,
    pub last_seen_at: i64,
    /// When the device last reported what waits on it (`None`: never).
    pub reported_at: Option<i64>,
    /// When an administrator retired it (`None`: in use).
    pub retired_at: Option<i64>,
    pub people: Vec<DevicePerson>,
}

/// The signed-in person, as `GET /api/session` and sign-in return it. The device keeps
/// it so the app works offline after one sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub staff_id: String,
    pub name: String,
    pub role: Role,
    pub sections: Vec<String>,
}

/// Every error the API returns: a stable code and a message a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: Bilingual,
}

/// One row of a request's append-only history (記録): who changed what, when, from which
/// device. For `set_fields` the body is `{"before": {field: value}, "after": {…},
/// "conflicts": [field…]}`; for `create_request` the record as stored; for `add_note` the
/// note. `body` is `null` when the reader may not read the request's details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryItem {
    pub version: i64,
    pub by: String,
    pub device: Option<Uuid>,
    pub at: i64,
    pub kind: String,
    pub body: serde_json::Value,
}

/// `GET /api/requests/{id}`: the request as the reader may see it, with its notes and
/// history (both empty of details when `request.redacted`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestDetail {
    pub request: RequestRecord,
    pub notes: Vec<Note>,
    pub history: Vec<HistoryItem>,
}

/// `GET /api/requests`: one page of the office list (filters in [`crate::filter`]), each
/// request as the reader may see it. `total` counts every request that matches, on all
/// pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestPage {
    pub requests: Vec<RequestRecord>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}
