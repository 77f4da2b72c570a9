//! What is being typed on the capture form survives a reload, a crash or a closed tab:
//! the draft is kept in localStorage under the signed-in person's key, sealed with their
//! data key (`crate::vault`), restored when the form opens and cleared when the request is
//! saved. Signing out keeps it for its author; nobody else can open it. The last
//! few categories a person used are kept the same way, to list them first.
//!
//! The pure parts (keys, what counts as blank, the recent list) are plain Rust; only
//! [`load`], [`store`], [`forget`], [`recent`] and [`remember_category`] touch storage.

use gloo_storage::{LocalStorage, Storage};
use koe_core::Urgency;
use serde::{Deserialize, Serialize};

use crate::pages::{Draft, Fix};

/// How many recently used categories are listed first.
pub const RECENT_MAX: usize = 3;

const DRAFT_PREFIX: &str = "koe.draft.";
const RECENT_PREFIX: &str = "koe.recent_categories.";

/// The localStorage key of one person's draft.
pub fn draft_key(staff_id: &str) -> String {
    format!("{DRAFT_PREFIX}{staff_id}")
}

/// The localStorage key of one person's recently used categories.
pub fn recent_key(staff_id: &str) -> String {
    format!("{RECENT_PREFIX}{staff_id}")
}

/// The draft as kept in localStorage. Every field defaults, so a draft written by an
/// older or newer app still restores what it can.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SavedDraft {
    pub category: String,
    pub title: String,
    pub description: String,
    pub address: String,
    pub landmark: String,
    pub fix: Option<SavedFix>,
    /// The urgency's code; an unknown one restores as the form's default.
    pub urgency: String,
    /// The resident's contact as typed (sealed with the rest of the draft).
    pub name: String,
    pub phone: String,
    pub email: String,
    pub consent: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SavedFix {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: f64,
}

impl SavedDraft {
    pub fn of(draft: &Draft) -> Self {
        Self {
            category: draft.category.clone(),
            title: draft.title.clone(),
            description: draft.description.clone(),
            address: draft.address.clone(),
            fix: draft.fix.map(|f| SavedFix {
                lat: f.lat,
                lon: f.lon,
                accuracy_m: f.accuracy_m,
            }),
            urgency: draft.urgency.code().to_owned(),
            landmark: draft.landmark.clone(),
            name: draft.name.clone(),
            phone: draft.phone.clone(),
            email: draft.email.clone(),
            consent: draft.consent,
        }
    }

    /// The form's draft; fields not kept here (added later) stay at their defaults.
    pub fn to_draft(&self) -> Draft {
        let mut draft = Draft::default();
        draft.category.clone_from(&self.category);
        draft.title.clone_from(&self.title);
        draft.description.clone_from(&self.description);
        draft.address.clone_from(&self.address);
        draft.landmark.clone_from(&self.landmark);
        draft.name.clone_from(&self.name);
        draft.phone.clone_from(&self.phone);
        draft.email.clone_from(&self.email);
        draft.consent = self.consent;
        draft.fix = self.fix.map(|f| Fix {
            lat: f.lat,
            lon: f.lon,
            accuracy_m: f.accuracy_m,
        });
        if let Some(u) = Urgency::ALL.into_iter().find(|u| u.code() == self.urgency) {
            draft.urgency = u;
        }
        draft
    }

    /// Nothing worth keeping: no category, no text, no position, no contact (an urgency
    /// or a consent box alone is not a draft).
    pub fn is_blank(&self) -> bool {
        self.category.is_empty()
            && [
                &self.title,
                &self.description,
                &self.address,
                &self.landmark,
                &self.name,
                &self.phone,
                &self.email,
            ]
            .iter()
            .all(|t| t.trim().is_empty())
            && self.fix.is_none()
    }
}

/// The recent list after `code` was used: it first, no repeats, at most [`RECENT_MAX`].
pub fn push_recent(recent: &[String], code: &str) -> Vec<String> {
    if code.is_empty() {
        return recent.iter().take(RECENT_MAX).cloned().collect();
    }
    std::iter::once(code.to_owned())
        .chain(recent.iter().filter(|c| *c != code).cloned())
        .take(RECENT_MAX)
        .collect()
}

/// The recent codes still offered (a category may leave the catalogue), in order.
pub fn still_offered(recent: &[String], offered: impl Fn(&str) -> bool) -> Vec<String> {
    recent
        .iter()
        .filter(|c| offered(c))
        .take(RECENT_MAX)
        .cloned()
        .collect()
}

/// This person's kept draft, if there is one worth restoring and they are signed in.
pub fn load(staff_id: &str) -> Option<SavedDraft> {
    let key = crate::vault::key_of(staff_id)?;
    let sealed = unhex(&LocalStorage::get::<String>(draft_key(staff_id)).ok()?)?;
    key.open_json::<SavedDraft>(&sealed)
        .ok()
        .filter(|d| !d.is_blank())
}

/// Whether this person has a draft kept (sealed: it is not opened to tell).
pub fn exists(staff_id: &str) -> bool {
    LocalStorage::raw()
        .get_item(&draft_key(staff_id))
        .ok()
        .flatten()
        .is_some()
}

/// Keeps the draft (or forgets it when blank). Failing to write (storage full or
/// disabled) only costs the safety net; the form still holds what was typed.
pub fn store(staff_id: &str, draft: &SavedDraft) {
    if draft.is_blank() {
        forget(staff_id);
        return;
    }
    let Some(key) = crate::vault::key_of(staff_id) else {
        return;
    };
    if let Ok(nonce) = crate::store::sealed::random() {
        let sealed = key.seal_json(nonce, draft);
        let _ = LocalStorage::set(draft_key(staff_id), crate::photos::hex(&sealed));
    }
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

pub fn forget(staff_id: &str) {
    LocalStorage::delete(draft_key(staff_id));
}

/// This person's recently used categories, most recent first.
pub fn recent(staff_id: &str) -> Vec<String> {
    LocalStorage::get::<Vec<String>>(recent_key(staff_id)).unwrap_or_default()
}

/// Puts `code` first in this person's recent categories; returns the new list.
pub fn remember_category(staff_id: &str, code: &str) -> Vec<String> {
    let list = push_recent(&recent(staff_id), code);
    let _ = LocalStorage::set(recent_key(staff_id), &list);
    list
}

// Pure logic: these run natively (`cargo test -p koe-app --lib`) and in the browser.
#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    fn codes(list: &[&str]) -> Vec<String> {
        list.iter().map(|c| (*c).to_owned()).collect()
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn keys_are_per_person() {
        assert_eq!(draft_key("road01"), "koe.draft.road01");
        assert_ne!(draft_key("road01"), draft_key("road02"));
        assert_ne!(draft_key("road01"), recent_key("road01"));
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn a_draft_round_trips_through_storage_form() {
        let saved = SavedDraft {
            category: "road-pothole".into(),
            title: "歩道の段差".into(),
            description: "つまずいた".into(),
            address: "高津区下作延2-8".into(),
            fix: Some(SavedFix {
                lat: 35.6,
                lon: 139.6,
                accuracy_m: 8.0,
            }),
            urgency: "high".into(),
            landmark: "電柱 高津12".into(),
            name: "川崎 花子".into(),
            phone: "044-861-3111".into(),
            email: "hanako@example.jp".into(),
            consent: true,
        };
        let draft = saved.to_draft();
        assert_eq!(draft.title, "歩道の段差");
        assert_eq!(draft.landmark, "電柱 高津12");
        assert_eq!(draft.phone, "044-861-3111");
        assert!(draft.consent);
        assert_eq!(draft.urgency, Urgency::High);
        assert_eq!(draft.fix.map(|f| f.accuracy_m), Some(8.0));
        assert_eq!(SavedDraft::of(&draft), saved);
        let json = serde_json::to_string(&saved).unwrap();
        let back: SavedDraft = serde_json::from_str(&json).unwrap();
        assert_eq!(back, saved);
        assert!(!back.is_blank());
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn blank_drafts_and_odd_stored_values() {
        assert!(SavedDraft::of(&Draft::default()).is_blank());
        let only_urgency = Draft {
            urgency: Urgency::Urgent,
            ..Draft::default()
        };
        assert!(SavedDraft::of(&only_urgency).is_blank());
        let spaces = Draft {
            title: "  ".into(),
            ..Draft::default()
        };
        assert!(SavedDraft::of(&spaces).is_blank());
        let only_consent = Draft {
            consent: true,
            ..Draft::default()
        };
        assert!(SavedDraft::of(&only_consent).is_blank());
        // A resident's phone alone is worth keeping: it was asked for.
        let phone = Draft {
            phone: "090-1234-5678".into(),
            ..Draft::default()
        };
        assert!(!SavedDraft::of(&phone).is_blank());
        // Missing fields and an unknown urgency still restore.
        let old: SavedDraft = serde_json::from_str(r#"{"title":"穴","urgency":"??"}"#).unwrap();
        let d = old.to_draft();
        assert_eq!(d.title, "穴");
        assert_eq!(d.urgency, Draft::default().urgency);
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn the_last_used_category_comes_first_without_repeats() {
        assert_eq!(push_recent(&[], "a"), codes(&["a"]));
        assert_eq!(
            push_recent(&codes(&["a", "b"]), "c"),
            codes(&["c", "a", "b"])
        );
        assert_eq!(
            push_recent(&codes(&["a", "b", "c"]), "b"),
            codes(&["b", "a", "c"])
        );
        assert_eq!(
            push_recent(&codes(&["a", "b", "c"]), "d"),
            codes(&["d", "a", "b"])
        );
        assert_eq!(push_recent(&codes(&["a"]), ""), codes(&["a"]));
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn categories_gone_from_the_catalogue_are_not_offered() {
        let recent = codes(&["gone", "a", "b"]);
        assert_eq!(still_offered(&recent, |c| c != "gone"), codes(&["a", "b"]));
    }
}
