//! Messages of the ward record's HTTP API other than sync.

use serde::{Deserialize, Serialize};

use uuid::Uuid;

use crate::{Bilingual, Note, RequestRecord, Role};

/// `POST /api/session`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignIn {
    pub staff_id: String,
    pub password: String,
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
