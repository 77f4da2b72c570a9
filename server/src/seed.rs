//! The demo ward seeded on first start: 高津区 (Takatsu Ward), its departments, sections
//! and category catalogue, and ten demo staff. The data is `server/seed/demo_ward.json`.

use koe_core::{Catalogue, Role};
use serde::Deserialize;

use crate::auth::{readable_password, Passwords};
use crate::store::{NewStaff, Store, StoreError};

pub const DEMO_WARD_JSON: &str = include_str!("../seed/demo_ward.json");

#[derive(Debug, Clone, Deserialize)]
pub struct SeedStaff {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub sections: Vec<String>,
    /// What the person does, for the console table.
    #[serde(default)]
    pub title_en: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Seed {
    pub catalogue: Catalogue,
    pub staff: Vec<SeedStaff>,
}

impl Seed {
    /// The demo ward, checked: the catalogue is coherent and every staff member's sections exist.
    pub fn demo() -> Result<Self, String> {
        let seed: Seed = serde_json::from_str(DEMO_WARD_JSON)
            .map_err(|e| format!("seed/demo_ward.json does not read: {e}"))?;
        seed.check()?;
        Ok(seed)
    }

    pub fn check(&self) -> Result<(), String> {
        self.catalogue.check()?;
        for s in &self.staff {
            for section in &s.sections {
                if self.catalogue.section(section).is_none() {
                    return Err(format!("staff {} names unknown section {section}", s.id));
                }
            }
        }
        Ok(())
    }
}

/// How demo passwords are chosen.
#[derive(Debug, Clone)]
pub enum DemoPasswords {
    /// A random readable password each, printed once.
    Random,
    /// The same for everyone (`KOE_DEMO_PASSWORD`, for end-to-end tests).
    Fixed(String),
}

/// Seeds the demo ward if the database has no staff yet. Returns the staff with their
/// passwords when it seeded (so the caller can print them once), `None` otherwise.
pub async fn seed_if_empty(
    store: &dyn Store,
    passwords: &Passwords,
    choice: &DemoPasswords,
) -> Result<Option<Vec<(SeedStaff, String)>>, StoreError> {
    let seed = Seed::demo().map_err(StoreError::Invalid)?;
    if store.has_staff().await? {
        return Ok(None);
    }
    let mut chosen = Vec::new();
    let mut staff = Vec::new();
    for s in &seed.staff {
        let password = match choice {
            DemoPasswords::Random => readable_password(),
            DemoPasswords::Fixed(p) => p.clone(),
        };
        let hash = passwords
            .hash_async(password.clone())
            .await
            .map_err(StoreError::Invalid)?;
        staff.push(NewStaff {
            id: s.id.clone(),
            name: s.name.clone(),
            role: s.role,
            sections: s.sections.clone(),
            password_hash: hash,
        });
        chosen.push((s.clone(), password));
    }
    if store.seed_if_empty(&seed.catalogue, &staff).await? {
        Ok(Some(chosen))
    } else {
        Ok(None)
    }
}

/// The console table of demo sign-ins, printed once at seeding.
pub fn sign_in_table(catalogue: &Catalogue, staff: &[(SeedStaff, String)], fixed: bool) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "Seeded the demo ward {} ({}). Demo staff sign-ins:\n",
        catalogue.ward_ja, catalogue.ward_en
    ));
    out.push_str(
        "  staff id        password      role        sections              name / what they do\n",
    );
    out.push_str(
        "  --------------  ------------  ----------  --------------------  --------------------\n",
    );
    for (s, password) in staff {
        let shown = if fixed {
            "(KOE_DEMO_PASSWORD)"
        } else {
            password.as_str()
        };
        out.push_str(&format!(
            "  {:<14}  {:<12}  {:<10}  {:<20}  {} / {}\n",
            s.id,
            shown,
            s.role.code(),
            s.sections.join(","),
            s.name,
            s.title_en
        ));
    }
    if !fixed {
        out.push_str("These passwords are shown only this once: note them now.\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_ward_is_coherent() {
        let seed = Seed::demo().unwrap();
        let cat = &seed.catalogue;
        assert_eq!(cat.ward_ja, "高津区");
        assert!(cat.check().is_ok());
        for c in &cat.categories {
            assert!(cat.section(&c.default_section).is_some(), "{}", c.code);
            assert!(c.code.is_ascii(), "{}", c.code);
            assert_eq!(c.sensitive, c.group_en == "Welfare", "{}", c.code);
            if c.sensitive {
                let s = cat.section(&c.default_section).unwrap();
                assert!(s.welfare, "{} routes to a non-welfare section", c.code);
            }
        }
        assert_eq!(cat.categories.len(), 19);
        let welfare: Vec<_> = cat
            .sections
            .iter()
            .filter(|s| s.welfare)
            .map(|s| s.name_ja.as_str())
            .collect();
        assert_eq!(
            welfare,
            [
                "高齢・障害課",
                "児童家庭課",
                "保護課",
                "地域みまもり支援センター"
            ]
        );
        let ids: Vec<_> = seed.staff.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "road01",
                "park01",
                "welfare01",
                "welfare02",
                "clerk01",
                "welfareclerk01",
                "head01",
                "parkhead01",
                "welfarehead01",
                "admin01"
            ]
        );
    }

    /// The welfare section answers and closes its own consultations: it has a section
    /// head and an office clerk of its own, who may read 要配慮 details, besides its case
    /// workers; nobody outside the welfare sections but the administrator may.
    #[test]
    fn the_welfare_section_has_its_own_head_and_clerk() {
        use koe_core::{Role, Viewer};
        let seed = Seed::demo().unwrap();
        let cat = &seed.catalogue;
        let reader = |id: &str| {
            let s = seed.staff.iter().find(|s| s.id == id).unwrap();
            assert!(s.title_en.len() > 5, "{id}");
            assert!(!s.name.is_ascii(), "{id} has a Japanese name");
            (
                s.role,
                Viewer {
                    staff_id: s.id.clone(),
                    role: s.role,
                    sections: s.sections.clone(),
                }
                .reads_sensitive(cat),
            )
        };
        assert_eq!(reader("welfarehead01"), (Role::Supervisor, true));
        assert_eq!(reader("welfareclerk01"), (Role::Office, true));
        assert_eq!(reader("welfare01"), (Role::Field, true));
        assert_eq!(reader("admin01"), (Role::Admin, true));
        for outside in ["clerk01", "head01", "parkhead01", "road01", "park01"] {
            assert!(!reader(outside).1, "{outside}");
        }
    }

    #[test]
    fn every_category_sets_its_duplicate_suggestions() {
        let seed = Seed::demo().unwrap();
        for c in &seed.catalogue.categories {
            assert!(
                (10..=1000).contains(&c.duplicate_radius_m),
                "{} radius {}",
                c.code,
                c.duplicate_radius_m
            );
            assert!(
                (1..=90).contains(&c.duplicate_days),
                "{} days {}",
                c.code,
                c.duplicate_days
            );
        }
        let pothole = seed.catalogue.category("road-pothole").unwrap();
        assert_eq!(
            (pothole.duplicate_radius_m, pothole.duplicate_days),
            (50, 14)
        );
    }

    #[test]
    fn every_category_has_a_service_standard() {
        let seed = Seed::demo().unwrap();
        for c in &seed.catalogue.categories {
            let s = c
                .standard
                .unwrap_or_else(|| panic!("{} has no standard", c.code));
            assert!(
                s.route_days >= 1 && s.route_days <= s.first_response_days,
                "{}",
                c.code
            );
            assert!(s.first_response_days < s.resolve_days, "{}", c.code);
        }
        let pothole = seed.catalogue.category("road-pothole").unwrap();
        assert_eq!(pothole.standard.unwrap().route_days, 1);
    }

    #[test]
    fn the_calendar_has_the_holidays_of_2026_and_2027() {
        use koe_core::calendar::{is_weekend, parse_iso_date, weekday};
        let seed = Seed::demo().unwrap();
        let calendar = &seed.catalogue.calendar;
        let name = |date: &str| {
            calendar
                .day_off(parse_iso_date(date).unwrap())
                .map(|d| d.name_ja.as_str())
        };
        for (date, expected) in [
            ("2026-01-01", "元日"),
            ("2026-01-12", "成人の日"),
            ("2026-02-23", "天皇誕生日"),
            ("2026-03-20", "春分の日"),
            // 憲法記念日 on a Sunday: the first weekday after the run is 振替休日.
            ("2026-05-03", "憲法記念日"),
            ("2026-05-06", "振替休日"),
            ("2026-07-20", "海の日"),
            // Between 敬老の日 (09-21) and 秋分の日 (09-23): 国民の休日.
            ("2026-09-22", "国民の休日"),
            ("2026-10-12", "スポーツの日"),
            ("2026-11-23", "勤労感謝の日"),
            ("2026-12-29", "年末年始休業"),
            ("2027-01-03", "年末年始休業"),
            ("2027-01-11", "成人の日"),
            // 春分の日 on a Sunday.
            ("2027-03-21", "春分の日"),
            ("2027-03-22", "振替休日"),
            ("2027-07-19", "海の日"),
            ("2027-09-20", "敬老の日"),
            ("2027-09-23", "秋分の日"),
            ("2027-10-11", "スポーツの日"),
        ] {
            assert_eq!(name(date), Some(expected), "{date}");
        }
        // Working days, for contrast: the day after Golden Week 2026, 2027-01-04.
        assert_eq!(name("2026-05-07"), None);
        assert_eq!(name("2027-01-04"), None);
        // Sixteen holidays a year plus substitutes and the citizens' holiday.
        let in_year = |y: &str| {
            calendar
                .days_off
                .iter()
                .filter(|d| d.date.starts_with(y) && d.name_ja != "年末年始休業")
                .count()
        };
        assert_eq!(in_year("2026"), 18);
        assert_eq!(in_year("2027"), 17);
        // Every Monday holiday of the happy-Monday kind really is a Monday, and a 振替休日
        // follows a holiday that fell on a Sunday.
        for d in &calendar.days_off {
            let day = parse_iso_date(&d.date).unwrap();
            if ["成人の日", "海の日", "敬老の日", "スポーツの日"].contains(&d.name_ja.as_str())
            {
                assert_eq!(weekday(day), 0, "{}", d.date);
            }
            if d.name_ja == "振替休日" {
                assert!(!is_weekend(day));
                let mut before = day - 1;
                while calendar.day_off(before).is_some() && weekday(before) != 6 {
                    before -= 1;
                }
                assert_eq!(weekday(before), 6, "{}", d.date);
                assert!(calendar.day_off(before).is_some(), "{}", d.date);
            }
        }
    }

    #[test]
    fn table_shows_every_password_unless_fixed() {
        let seed = Seed::demo().unwrap();
        let staff: Vec<_> = seed
            .staff
            .iter()
            .map(|s| (s.clone(), format!("pw-{}", s.id)))
            .collect();
        let t = sign_in_table(&seed.catalogue, &staff, false);
        assert!(t.contains("road01") && t.contains("pw-head01"));
        // The longest id keeps its column.
        assert!(t.contains("welfareclerk01  pw-welfareclerk01"), "{t}");
        let t = sign_in_table(&seed.catalogue, &staff, true);
        assert!(!t.contains("pw-road01"));
    }
}
