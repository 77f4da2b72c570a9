//! Messages of the ward record's HTTP API other than sync.

use serde::{Deserialize, Serialize};

use crate::{Bilingual, Role};

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
