//! The ward's organisation and category catalogue. These are data (seeded by the ward
//! record, cached on the device), never code: a ward renames a section without a release.

use serde::{Deserialize, Serialize};

use crate::calendar::{due_dates, DueDates, ServiceStandard, WardCalendar};

/// 部: 市民部, 厚生部, 建設部 …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
}

/// 課: the unit a request is routed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub code: String,
    pub department: String,
    pub name_ja: String,
    pub name_en: String,
    /// Welfare sections may read sensitive (要配慮) details.
    #[serde(default)]
    pub welfare: bool,
}

/// 分類: what a request is about, grouped (道路, 公園, 福祉, 生活環境) and routed by default
/// to one section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub code: String,
    pub group_ja: String,
    pub group_en: String,
    pub name_ja: String,
    pub name_en: String,
    pub default_section: String,
    /// Welfare consultations carry 要配慮個人情報: details only for those allowed.
    #[serde(default)]
    pub sensitive: bool,
    /// サービス基準: due dates of a request in this category, in working days. `None`
    /// (and in caches from before standards) means no due dates.
    #[serde(default)]
    pub standard: Option<ServiceStandard>,
    /// 重複の候補: a request in the same group within this many metres …
    #[serde(default = "default_duplicate_radius_m")]
    pub duplicate_radius_m: u32,
    /// … and received within this many days of another is suggested as its duplicate.
    #[serde(default = "default_duplicate_days")]
    pub duplicate_days: u32,
}

/// Duplicate-suggestion distance when a category does not set one (and in old caches).
pub const DEFAULT_DUPLICATE_RADIUS_M: u32 = 100;
/// Duplicate-suggestion window in days when a category does not set one.
pub const DEFAULT_DUPLICATE_DAYS: u32 = 14;

fn default_duplicate_radius_m() -> u32 {
    DEFAULT_DUPLICATE_RADIUS_M
}

fn default_duplicate_days() -> u32 {
    DEFAULT_DUPLICATE_DAYS
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    pub ward_ja: String,
    pub ward_en: String,
    pub departments: Vec<Department>,
    pub sections: Vec<Section>,
    pub categories: Vec<Category>,
    /// The office's days off besides weekends (祝日, 年末年始), for working-day due dates.
    #[serde(default)]
    pub calendar: WardCalendar,
}

impl Catalogue {
    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    pub fn section(&self, code: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.code == code)
    }

    /// The due dates of a request in `category` received at `received_at` (ms since the
    /// epoch), from the category's service standard and the ward calendar; `None` when the
    /// category is unknown or has no standard.
    pub fn due_dates(&self, category: &str, received_at: i64) -> Option<DueDates> {
        let standard = self.category(category)?.standard?;
        Some(due_dates(received_at, &standard, &self.calendar))
    }

    /// Categories grouped in catalogue order, for the picker: (group, categories).
    pub fn groups(&self) -> Vec<(&str, &str, Vec<&Category>)> {
        let mut groups: Vec<(&str, &str, Vec<&Category>)> = Vec::new();
        for c in &self.categories {
            match groups.iter_mut().find(|(ja, _, _)| *ja == c.group_ja) {
                Some((_, _, list)) => list.push(c),
                None => groups.push((&c.group_ja, &c.group_en, vec![c])),
            }
        }
        groups
    }

    /// Checks the catalogue is coherent: every section's department and every
    /// category's default section exist. The ward record refuses to seed one that is not.
    pub fn check(&self) -> Result<(), String> {
        for s in &self.sections {
            if !self.departments.iter().any(|d| d.code == s.department) {
                return Err(format!(
                    "section {} names unknown department {}",
                    s.code, s.department
                ));
            }
        }
        for c in &self.categories {
            if self.section(&c.default_section).is_none() {
                return Err(format!(
                    "category {} names unknown section {}",
                    c.code, c.default_section
                ));
            }
            if let Some(s) = c.standard {
                if s.route_days > s.resolve_days || s.first_response_days > s.resolve_days {
                    return Err(format!(
                        "category {} must be resolved no sooner than routed and first answered",
                        c.code
                    ));
                }
            }
        }
        self.calendar.check()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small catalogue for tests: one road and one welfare category.
    pub fn sample() -> Catalogue {
        Catalogue {
            ward_ja: "高津区".into(),
            ward_en: "Takatsu Ward".into(),
            departments: vec![
                Department {
                    code: "kensetsu".into(),
                    name_ja: "建設部".into(),
                    name_en: "Construction".into(),
                },
                Department {
                    code: "kosei".into(),
                    name_ja: "厚生部".into(),
                    name_en: "Health and Welfare".into(),
                },
            ],
            sections: vec![
                Section {
                    code: "road".into(),
                    department: "kensetsu".into(),
                    name_ja: "道路公園センター（道路）".into(),
                    name_en: "Roads".into(),
                    welfare: false,
                },
                Section {
                    code: "elderly".into(),
                    department: "kosei".into(),
                    name_ja: "高齢・障害課".into(),
                    name_en: "Elderly and Disability".into(),
                    welfare: true,
                },
            ],
            categories: vec![
                Category {
                    code: "road-pothole".into(),
                    group_ja: "道路".into(),
                    group_en: "Roads".into(),
                    name_ja: "路面の穴・段差".into(),
                    name_en: "Pothole or step".into(),
                    default_section: "road".into(),
                    sensitive: false,
                    standard: Some(ServiceStandard {
                        route_days: 1,
                        first_response_days: 3,
                        resolve_days: 20,
                    }),
                    duplicate_radius_m: 50,
                    duplicate_days: 14,
                },
                Category {
                    code: "welfare-elderly".into(),
                    group_ja: "福祉".into(),
                    group_en: "Welfare".into(),
                    name_ja: "高齢者の見守り・介護".into(),
                    name_en: "Elderly care".into(),
                    default_section: "elderly".into(),
                    sensitive: true,
                    standard: None,
                    duplicate_radius_m: DEFAULT_DUPLICATE_RADIUS_M,
                    duplicate_days: DEFAULT_DUPLICATE_DAYS,
                },
            ],
            calendar: crate::calendar::tests::sample_calendar(),
        }
    }

    #[test]
    fn groups_keep_catalogue_order() {
        let c = sample();
        let groups = c.groups();
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].0, "道路");
        assert_eq!(groups[1].2[0].code, "welfare-elderly");
    }

    #[test]
    fn check_finds_a_dangling_section() {
        let mut c = sample();
        assert!(c.check().is_ok());
        c.categories[0].default_section = "nowhere".into();
        assert!(c.check().unwrap_err().contains("nowhere"));
    }

    #[test]
    fn check_finds_a_standard_resolved_before_routed() {
        let mut c = sample();
        c.categories[0].standard = Some(ServiceStandard {
            route_days: 5,
            first_response_days: 1,
            resolve_days: 2,
        });
        assert!(c.check().unwrap_err().contains("road-pothole"));
    }

    #[test]
    fn due_dates_come_from_the_category_standard() {
        use crate::calendar::{iso_date, jst_day, tests::jst};
        let c = sample();
        // Thursday 2026-04-30 evening: routed by Friday 05-01, first answer after Golden
        // Week by Friday 05-08.
        let due = c
            .due_dates("road-pothole", jst("2026-04-30", 18, 0))
            .unwrap();
        assert_eq!(iso_date(jst_day(due.route_by)), "2026-05-01");
        assert_eq!(iso_date(jst_day(due.first_response_by)), "2026-05-08");
        assert_eq!(c.due_dates("welfare-elderly", 0), None);
        assert_eq!(c.due_dates("moon", 0), None);
    }

    #[test]
    fn an_old_cache_without_standards_still_reads() {
        let json = r#"{"ward_ja":"高津区","ward_en":"Takatsu Ward","departments":[],"sections":[],
            "categories":[{"code":"x","group_ja":"g","group_en":"g","name_ja":"n","name_en":"n",
            "default_section":"s"}]}"#;
        let c: Catalogue = serde_json::from_str(json).unwrap();
        assert_eq!(c.categories[0].standard, None);
        assert_eq!(
            c.categories[0].duplicate_radius_m,
            DEFAULT_DUPLICATE_RADIUS_M
        );
        assert_eq!(c.categories[0].duplicate_days, DEFAULT_DUPLICATE_DAYS);
        assert!(c.calendar.days_off.is_empty());
    }
}
