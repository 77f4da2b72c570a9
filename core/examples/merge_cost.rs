//! What one `set_fields` mutation costs the ward record's merge (it runs under the
//! writer lock): an 8,000-edit mutation of one field, every edit losing to a newer change,
//! and the largest mutation the bounds allow (every field once, those that can lose losing,
//! on a request already holding the most conflicts it keeps).
//!
//! `cargo run --release -p koe-core --example merge_cost`

use std::time::Instant;

use koe_core::merge::{merge, FieldVersions};
use koe_core::{
    Catalogue, Contact, EditableField, FieldEdit, FieldValue, NewRequest, Place, RequestRecord,
    Role, Status, Urgency, Viewer,
};

fn main() {
    let seed: serde_json::Value =
        serde_json::from_str(include_str!("../../server/seed/demo_ward.json")).expect("seed");
    let catalogue: Catalogue =
        serde_json::from_value(seed["catalogue"].clone()).expect("catalogue");
    let request = NewRequest {
        id: koe_core::id::request_id(1, [0; 10]),
        category: "road-pothole".into(),
        title: "穴".into(),
        description: "深さ10cm".into(),
        place: Place {
            address: "高津区下作延2-8".into(),
            ..Place::default()
        },
        urgency: Urgency::High,
        logged_at: 1,
        contact: Contact::default(),
    };
    let record = RequestRecord::created(&request, "road", "road01", 2, 1);
    let clerk = Viewer {
        staff_id: "clerk01".into(),
        role: Role::Office,
        sections: vec!["residents".into()],
    };
    // Every field changed at version 50 on the server; the device edited from version 1.
    let versions: FieldVersions = EditableField::ALL.iter().map(|f| (*f, 50)).collect();

    // 8,000 edits of the title, each with its own value (about 440 KB of JSON).
    let many: Vec<FieldEdit> = (0..8000)
        .map(|i| FieldEdit {
            value: FieldValue::Title(format!("件名の書き直し その{i:05}、道路の穴")),
            base_version: 1,
        })
        .collect();
    let bytes = serde_json::to_vec(&many).expect("json").len();
    let started = Instant::now();
    let result = merge(&record, &versions, &many, &clerk, &catalogue, 100, 3);
    let took = started.elapsed();
    match &result {
        Ok(m) => println!(
            "8000 title edits ({bytes} bytes): merged in {:.1} ms, {} conflicts kept, record {} bytes",
            took.as_secs_f64() * 1000.0,
            m.record.conflicts.len(),
            serde_json::to_vec(&m.record).expect("json").len()
        ),
        Err(e) => println!(
            "8000 title edits ({bytes} bytes): refused ({}) in {:.1} µs",
            e,
            took.as_secs_f64() * 1e6
        ),
    }

    // The largest allowed: every field once (those that can lose, losing), onto a request that already holds
    // 10 conflicts per field; repeated 1,000 times for a measurable figure.
    let mut full = record.clone();
    for round in 0..10 {
        let edits = all_fields(round);
        if let Ok(m) = merge(&full, &versions, &edits, &clerk, &catalogue, 100 + round, 3) {
            full = m.record;
        }
    }
    let edits = all_fields(99);
    let started = Instant::now();
    let (mut kept, mut lost) = (0, 0);
    for _ in 0..1000 {
        if let Ok(m) = merge(&full, &versions, &edits, &clerk, &catalogue, 200, 3) {
            kept = m.record.conflicts.len();
            lost = m.lost.len();
        }
    }
    println!(
        "{} edits (every field once, {lost} losing) onto {} conflicts: {:.1} µs per merge, {kept} conflicts kept",
        edits.len(),
        full.conflicts.len(),
        started.elapsed().as_secs_f64() * 1e6 / 1000.0
    );
}

/// One losing edit of every field, with values of round `i`.
fn all_fields(i: i64) -> Vec<FieldEdit> {
    let values = vec![
        FieldValue::Title(format!("件名 {i}")),
        FieldValue::Description(format!("内容 {i}")),
        FieldValue::Place(Place {
            address: format!("高津区 {i}"),
            ..Place::default()
        }),
        FieldValue::Contact(Contact {
            name: Some(format!("山田 {i}")),
            ..Contact::default()
        }),
        FieldValue::Urgency(if i % 2 == 0 {
            Urgency::Low
        } else {
            Urgency::Medium
        }),
        FieldValue::Status(Status::Routed),
        FieldValue::Section(if i % 2 == 0 {
            "park".into()
        } else {
            "residents".into()
        }),
        FieldValue::SharedWith(vec![format!(
            "{}",
            if i % 2 == 0 { "park" } else { "road" }
        )]),
        FieldValue::Assignee(Some(format!("staff{i}"))),
        FieldValue::Response(format!("対応 {i}")),
        FieldValue::DuplicateOf(None),
        FieldValue::NeedsReview(true),
    ];
    values
        .into_iter()
        .map(|value| FieldEdit {
            value,
            base_version: 1,
        })
        .collect()
}
