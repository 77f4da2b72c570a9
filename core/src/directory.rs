//! The office's staff directory (`GET /api/staff`): whom a request can be assigned to
//! (担当者). Ids, names, roles and sections only.

use serde::{Deserialize, Serialize};

use crate::access::{Role, Viewer};
use crate::{Catalogue, RequestRecord};

/// One active staff member as the directory lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffEntry {
    pub id: String,
    pub name: String,
    /// Their role: with the sections, what they may read ([`Viewer::reads_details`]), so
    /// a 要配慮 request is offered only to those who may read it.
    pub role: Role,
    pub sections: Vec<String>,
}

impl StaffEntry {
    /// How a person reads them in a list: their name (ids are for machines).
    pub fn label(&self) -> String {
        self.name.clone()
    }

    /// Their name, then their first section's name (「伊藤 真理（高齢・障害課）」), in
    /// `english` or Japanese: for choosing whom to assign.
    pub fn label_with_section(&self, catalogue: &Catalogue, english: bool) -> String {
        let section = self.sections.first().and_then(|s| catalogue.section(s));
        match (section, english) {
            (Some(s), false) => format!("{}（{}）", self.name, s.name_ja),
            (Some(s), true) => format!("{} ({})", self.name, s.name_en),
            (None, _) => self.name.clone(),
        }
    }

    /// The person as a reader of requests, for the rules in [`crate::access`].
    pub fn as_viewer(&self) -> Viewer {
        Viewer {
            staff_id: self.id.clone(),
            role: self.role,
            sections: self.sections.clone(),
        }
    }
}

/// Staff of `section` first (in the order given), then everyone else: the section's own
/// people are the likely assignees, but a request may be assigned across sections.
pub fn for_section<'a>(staff: &'a [StaffEntry], section: &str) -> Vec<&'a StaffEntry> {
    let (mut own, others): (Vec<_>, Vec<_>) = staff
        .iter()
        .partition(|s| s.sections.iter().any(|x| x == section));
    own.extend(others);
    own
}

/// Whom `record` may be assigned to, its section's staff first
/// ([`for_section`], on the section given: the one being chosen, perhaps not saved yet):
/// only those who may read it ([`Viewer::may_be_assigned`]) — on a 要配慮 request, the
/// welfare sections, administrators and its author.
pub fn assignable<'a>(
    staff: &'a [StaffEntry],
    record: &RequestRecord,
    section: &str,
    catalogue: &Catalogue,
) -> Vec<&'a StaffEntry> {
    for_section(staff, section)
        .into_iter()
        .filter(|s| s.as_viewer().may_be_assigned(record, catalogue))
        .collect()
}

/// The name of staff member `id` as the directory has it; the id itself when the
/// directory does not list them (a disabled account, or the list not at hand offline).
pub fn name_of<'a>(staff: &'a [StaffEntry], id: &'a str) -> &'a str {
    staff
        .iter()
        .find(|s| s.id == id)
        .map_or(id, |s| s.name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::tests::sample;

    fn entry(id: &str, role: Role, sections: &[&str]) -> StaffEntry {
        StaffEntry {
            id: id.into(),
            name: format!("{id}さん"),
            role,
            sections: sections.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn record(category: &str, section: &str) -> RequestRecord {
        let r = crate::NewRequest {
            id: crate::id::request_id(1, [0; 10]),
            category: category.into(),
            title: "t".into(),
            description: String::new(),
            place: Default::default(),
            urgency: crate::Urgency::Medium,
            logged_at: 1,
            contact: Default::default(),
        };
        RequestRecord::created(&r, section, "author", 2, 3)
    }

    #[test]
    fn section_staff_come_first() {
        let staff = [
            entry("a", Role::Field, &["park"]),
            entry("b", Role::Field, &["road"]),
            entry("c", Role::Office, &["road", "park"]),
        ];
        let ids: Vec<_> = for_section(&staff, "road")
            .iter()
            .map(|s| s.id.as_str())
            .collect();
        assert_eq!(ids, ["b", "c", "a"]);
    }

    #[test]
    fn people_are_named_with_their_section_not_their_id() {
        let cat = sample();
        let road = cat.sections.iter().find(|s| s.code == "road").unwrap();
        let e = entry("road01", Role::Field, &["road"]);
        assert_eq!(
            e.label_with_section(&cat, false),
            format!("road01さん（{}）", road.name_ja)
        );
        assert_eq!(
            e.label_with_section(&cat, true),
            format!("road01さん ({})", road.name_en)
        );
        assert_eq!(e.label(), "road01さん");
        assert_eq!(
            entry("x", Role::Admin, &[]).label_with_section(&cat, false),
            "xさん"
        );
        let staff = [e];
        assert_eq!(name_of(&staff, "road01"), "road01さん");
        assert_eq!(name_of(&staff, "gone01"), "gone01");
    }

    #[test]
    fn a_sensitive_request_is_offered_only_to_those_who_may_read_it() {
        let cat = sample();
        let staff = [
            entry("parkhead", Role::Supervisor, &["park"]),
            entry("clerk", Role::Office, &["road"]),
            entry("worker", Role::Field, &["elderly"]),
            entry("admin", Role::Admin, &[]),
            entry("welfarehead", Role::Supervisor, &["elderly"]),
        ];
        let ids = |r: &RequestRecord, section: &str| -> Vec<String> {
            assignable(&staff, r, section, &cat)
                .iter()
                .map(|s| s.id.clone())
                .collect()
        };
        let welfare = record("welfare-elderly", "elderly");
        assert_eq!(ids(&welfare, "elderly"), ["worker", "welfarehead", "admin"]);
        // An ordinary request may go to anyone, its section's staff first.
        let road = record("road-pothole", "road");
        assert_eq!(
            ids(&road, "road"),
            ["clerk", "parkhead", "worker", "admin", "welfarehead"]
        );
    }
}
