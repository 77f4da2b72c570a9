//! A request's history in words: what each change did, field by field, with people's
//! names and sections' names instead of their ids (`GET /api/requests/{id}` hands out
//! `set_fields` changes with `before` and `after` maps of the fields that changed, see
//! [`crate::merge::Merged`]). Both the app's detail and any report read it from here.
//!
//! Only those who may read a request's details receive its history (the ward record
//! sends none for a redacted request), so the values here may be shown as they are.

use serde_json::Value;

use crate::api::HistoryItem;
use crate::directory::StaffEntry;
use crate::{Bilingual, Catalogue, EditableField, Place, Status, Urgency};

/// Characters of a text value (件名, 内容, 対応内容) the history line quotes.
pub const QUOTE_CHARS: usize = 60;

/// One field of one change: its value before and after, in words (`None`: empty).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub field: EditableField,
    pub from: Option<Bilingual>,
    pub to: Option<Bilingual>,
}

impl FieldChange {
    /// The field's name in both languages.
    pub fn label(&self) -> Bilingual {
        Bilingual::new(self.field.label_ja(), capitalized(self.field.label_en()))
    }

    /// The change as one line: 「状態: 受付 → 担当決定」, 「対応内容を記入: 「…」」.
    pub fn sentence(&self) -> Bilingual {
        let label = self.label();
        if is_text(self.field) {
            return match (&self.from, &self.to) {
                (None, Some(to)) => Bilingual::new(
                    format!("{}を記入: 「{}」", label.ja, to.ja),
                    format!("{} written: “{}”", label.en, to.en),
                ),
                (Some(_), Some(to)) => Bilingual::new(
                    format!("{}を変更: 「{}」", label.ja, to.ja),
                    format!("{} changed: “{}”", label.en, to.en),
                ),
                (_, None) => Bilingual::new(
                    format!("{}を削除", label.ja),
                    format!("{} removed", label.en),
                ),
            };
        }
        let none = Bilingual::new("（なし）", "(none)");
        let from = self.from.as_ref().unwrap_or(&none);
        let to = self.to.as_ref().unwrap_or(&none);
        Bilingual::new(
            format!("{}: {} → {}", label.ja, from.ja, to.ja),
            format!("{}: {} → {}", label.en, from.en, to.en),
        )
    }
}

/// The fields whose value is free text, quoted rather than shown as from → to.
fn is_text(field: EditableField) -> bool {
    matches!(
        field,
        EditableField::Title | EditableField::Description | EditableField::Response
    )
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A person's name from the staff directory, or their id when the directory does not
/// list them (a disabled account, or a reader who is not given the directory).
pub fn person_name(staff: &[StaffEntry], id: &str) -> String {
    staff
        .iter()
        .find(|s| s.id == id)
        .map(|s| s.name.clone())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| id.to_owned())
}

/// What a history item changed, field by field, in the order of [`EditableField::ALL`].
/// Empty for anything but a `set_fields` change (a request logged, a note added: the
/// kind says it all).
pub fn describe(
    item: &HistoryItem,
    catalogue: &Catalogue,
    staff: &[StaffEntry],
) -> Vec<FieldChange> {
    if item.kind != "set_fields" {
        return Vec::new();
    }
    let before = item.body.get("before").and_then(Value::as_object);
    let after = item.body.get("after").and_then(Value::as_object);
    let Some(after) = after else {
        return Vec::new();
    };
    EditableField::ALL
        .into_iter()
        .filter_map(|field| {
            let key = field_key(field);
            let to = after.get(&key)?;
            let from = before.and_then(|b| b.get(&key)).unwrap_or(&Value::Null);
            Some(FieldChange {
                field,
                from: value_words(field, from, catalogue, staff),
                to: value_words(field, to, catalogue, staff),
            })
        })
        .collect()
}

/// The field's key in the `before`/`after` maps (its serde name).
fn field_key(field: EditableField) -> String {
    match serde_json::to_value(field) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

fn same(text: impl Into<String>) -> Bilingual {
    let text = text.into();
    Bilingual::new(text.clone(), text)
}

fn quoted(text: &str) -> Option<Bilingual> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut short: String = text.chars().take(QUOTE_CHARS).collect();
    if text.chars().count() > QUOTE_CHARS {
        short.push('…');
    }
    Some(same(short))
}

fn section_words(catalogue: &Catalogue, code: &str) -> Bilingual {
    match catalogue.section(code) {
        Some(s) => Bilingual::new(s.name_ja.clone(), s.name_en.clone()),
        None => same(code),
    }
}

/// One field's value in words; `None` when it is empty.
fn value_words(
    field: EditableField,
    value: &Value,
    catalogue: &Catalogue,
    staff: &[StaffEntry],
) -> Option<Bilingual> {
    if value.is_null() {
        return None;
    }
    match field {
        EditableField::Title | EditableField::Description | EditableField::Response => {
            quoted(value.as_str()?)
        }
        EditableField::Status => {
            let s: Status = serde_json::from_value(value.clone()).ok()?;
            Some(Bilingual::new(s.label_ja(), s.label_en()))
        }
        EditableField::Urgency => {
            let u: Urgency = serde_json::from_value(value.clone()).ok()?;
            Some(Bilingual::new(u.label_ja(), u.label_en()))
        }
        EditableField::Section => {
            let code = value.as_str()?.trim();
            (!code.is_empty()).then(|| section_words(catalogue, code))
        }
        EditableField::SharedWith => {
            let names: Vec<Bilingual> = value
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .map(|code| section_words(catalogue, code))
                .collect();
            if names.is_empty() {
                return None;
            }
            Some(Bilingual::new(
                names
                    .iter()
                    .map(|n| n.ja.as_str())
                    .collect::<Vec<_>>()
                    .join("、"),
                names
                    .iter()
                    .map(|n| n.en.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ))
        }
        EditableField::Assignee => {
            let id = value.as_str()?.trim();
            (!id.is_empty()).then(|| same(person_name(staff, id)))
        }
        EditableField::DuplicateOf => {
            let id = value.as_str()?;
            let start = id.len().saturating_sub(8);
            Some(same(id.get(start..).unwrap_or(id)))
        }
        EditableField::NeedsReview => Some(if value.as_bool()? {
            Bilingual::new("要確認", "needs review")
        } else {
            Bilingual::new("確認済み", "reviewed")
        }),
        EditableField::Place => {
            let p: Place = serde_json::from_value(value.clone()).ok()?;
            let mut parts: Vec<String> = [p.address.trim(), p.landmark.trim()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            if parts.is_empty() {
                if let (Some(lat), Some(lon)) = (p.lat, p.lon) {
                    parts.push(format!("{lat:.5}, {lon:.5}"));
                }
            }
            (!parts.is_empty()).then(|| same(parts.join(" / ")))
        }
        EditableField::Contact => {
            let c: crate::Contact = serde_json::from_value(value.clone()).ok()?;
            let parts: Vec<String> = [c.name, c.phone, c.email]
                .into_iter()
                .flatten()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            (!parts.is_empty()).then(|| same(parts.join(" / ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::tests::sample;
    use serde_json::json;

    fn item(kind: &str, body: Value) -> HistoryItem {
        HistoryItem {
            version: 3,
            by: "head01".into(),
            device: None,
            at: 1,
            kind: kind.into(),
            body,
        }
    }

    fn staff() -> Vec<StaffEntry> {
        vec![StaffEntry {
            id: "road01".into(),
            name: "田中 健一".into(),
            role: crate::Role::Field,
            sections: vec!["road".into()],
        }]
    }

    fn lines(changes: &[FieldChange]) -> (Vec<String>, Vec<String>) {
        changes
            .iter()
            .map(|c| {
                let s = c.sentence();
                (s.ja, s.en)
            })
            .unzip()
    }

    #[test]
    fn a_routing_reads_status_section_and_assignee_by_name() {
        let h = item(
            "set_fields",
            json!({
                "before": {"status": "new", "section": "road", "assignee": null},
                "after": {"status": "routed", "section": "elderly", "assignee": "road01"},
                "conflicts": [], "lost": [],
            }),
        );
        let (ja, en) = lines(&describe(&h, &sample(), &staff()));
        assert_eq!(
            ja,
            [
                "状態: 受付 → 担当決定",
                "担当課: 道路公園センター（道路） → 高齢・障害課",
                "担当者: （なし） → 田中 健一",
            ]
        );
        assert_eq!(en[0], "Status: New → Routed");
        assert_eq!(en[2], "Assignee: (none) → 田中 健一");
    }

    #[test]
    fn a_response_is_quoted_and_long_text_shortened() {
        let long = "あ".repeat(QUOTE_CHARS + 5);
        let h = item(
            "set_fields",
            json!({
                "before": {"response": "", "description": "前"},
                "after": {"response": "穴を埋めました", "description": long},
            }),
        );
        let changes = describe(&h, &sample(), &[]);
        let (ja, en) = lines(&changes);
        assert_eq!(
            ja[0],
            "内容を変更: 「".to_owned() + &"あ".repeat(QUOTE_CHARS) + "…」"
        );
        assert_eq!(ja[1], "対応内容を記入: 「穴を埋めました」");
        assert_eq!(en[1], "Response written: “穴を埋めました”");
        let cleared = item(
            "set_fields",
            json!({"before": {"response": "済"}, "after": {"response": ""}}),
        );
        assert_eq!(
            lines(&describe(&cleared, &sample(), &[])).0,
            ["対応内容を削除"]
        );
    }

    #[test]
    fn unknown_people_and_sections_keep_their_ids() {
        let h = item(
            "set_fields",
            json!({
                "before": {"assignee": "road01", "shared_with": []},
                "after": {"assignee": "gone07", "shared_with": ["road", "nowhere"],
                          "needs_review": false, "urgency": "urgent"},
            }),
        );
        let (ja, _) = lines(&describe(&h, &sample(), &staff()));
        assert_eq!(
            ja,
            [
                "緊急度: （なし） → 緊急",
                "連携先: （なし） → 道路公園センター（道路）、nowhere",
                "担当者: 田中 健一 → gone07",
                "要確認: （なし） → 確認済み",
            ]
        );
        assert_eq!(person_name(&staff(), "road01"), "田中 健一");
        assert_eq!(person_name(&[], "road01"), "road01");
    }

    #[test]
    fn place_and_contact_read_as_words() {
        let h = item(
            "set_fields",
            json!({
                "before": {"place": {"lat": 35.6, "lon": 139.6, "accuracy_m": null, "address": "", "landmark": ""}},
                "after": {"place": {"lat": null, "lon": null, "accuracy_m": null, "address": "溝口1-2", "landmark": "郵便局前"},
                          "contact": {"name": "山田", "phone": "044-000", "email": null, "consent_to_contact": true}},
            }),
        );
        let (ja, _) = lines(&describe(&h, &sample(), &[]));
        assert_eq!(
            ja,
            [
                "場所: 35.60000, 139.60000 → 溝口1-2 / 郵便局前",
                "連絡先: （なし） → 山田 / 044-000",
            ]
        );
    }

    #[test]
    fn other_kinds_have_no_field_changes() {
        let logged = item("create_request", json!({"id": "x"}));
        assert!(describe(&logged, &sample(), &[]).is_empty());
        let note = item("add_note", json!({"text": "電話しました"}));
        assert!(describe(&note, &sample(), &[]).is_empty());
        let odd = item("set_fields", json!({"before": 3}));
        assert!(describe(&odd, &sample(), &[]).is_empty());
    }
}
