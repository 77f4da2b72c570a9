//! The office's staff directory (`GET /api/staff`): whom a request can be assigned to
//! (担当者). Ids, names and sections only.

use serde::{Deserialize, Serialize};

/// One active staff member as the directory lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffEntry {
    pub id: String,
    pub name: String,
    pub sections: Vec<String>,
}

impl StaffEntry {
    /// How a person reads them in a list: 「名前（id）」.
    pub fn label(&self) -> String {
        format!("{}（{}）", self.name, self.id)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, sections: &[&str]) -> StaffEntry {
        StaffEntry {
            id: id.into(),
            name: format!("{id}さん"),
            sections: sections.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn section_staff_come_first() {
        let staff = [
            entry("a", &["park"]),
            entry("b", &["road"]),
            entry("c", &["road", "park"]),
        ];
        let ids: Vec<_> = for_section(&staff, "road")
            .iter()
            .map(|s| s.id.as_str())
            .collect();
        assert_eq!(ids, ["b", "c", "a"]);
        assert_eq!(staff[0].label(), "aさん（a）");
    }
}
