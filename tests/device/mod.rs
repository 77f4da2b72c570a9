//! What the browser tests share: an IndexedDB database of their own, removed afterwards.
// Each test binary uses a different part of this module.
#![allow(dead_code)]

use indexed_db_futures::database::Database;
use koe_app::store::Store;
use koe_core::{NewRequest, Place, Urgency};

/// A database name no other test uses.
pub fn fresh_name() -> String {
    format!(
        "koe-test-{}",
        koe_app::ids::new_client_id().expect("random")
    )
}

/// A store on a database of its own, and its name.
pub async fn fresh() -> (Store, String) {
    let name = fresh_name();
    let store = Store::open(&name, test_key()).await.expect("open");
    (store, name)
}

/// The data key the tests seal with (a person's is random and unsealed at sign-in).
pub fn test_key() -> koe_core::vault::SealKey {
    koe_core::vault::SealKey::from_bytes(&[7; 32])
}

pub async fn remove(store: Store, name: &str) {
    store.close();
    if let Ok(req) = Database::delete_by_name(name) {
        let _ = req.await;
    }
}

/// A request logged at 高津区下作延2-8 (no position), in the 道路の穴 category.
pub fn logged_request(title: &str, description: &str, urgency: Urgency) -> NewRequest {
    NewRequest {
        id: koe_app::ids::new_request_id().expect("random"),
        category: "road-pothole".into(),
        title: title.into(),
        description: description.into(),
        place: Place {
            address: "高津区下作延2-8".into(),
            ..Place::default()
        },
        urgency,
        logged_at: 1_763_700_000_000,
        contact: Default::default(),
    }
}
