//! Administration (管理): staff accounts, sections, categories with their service
//! standards and duplicate settings, the ward calendar. The messages of `/api/admin/…`
//! and the rules every change must keep, checked by the ward record before it writes and
//! by the app before it sends.

use serde::{Deserialize, Serialize};

use crate::calendar::{is_weekend, parse_iso_date, DayOff, ServiceStandard, WardCalendar};
use crate::validation::validate_staff_id;
use crate::{Bilingual, Catalogue, Category, Role, Section};

/// Codes of sections and categories: lower-case ASCII letters, digits and `-`.
pub const CODE_MAX_CHARS: usize = 40;
/// Names of people, sections, categories, groups and days off.
pub const NAME_MAX_CHARS: usize = 100;
/// A service standard's days are within a year.
pub const STANDARD_MAX_DAYS: u32 = 365;
/// Duplicate suggestions look this far at most …
pub const DUPLICATE_RADIUS_MIN_M: u32 = 1;
pub const DUPLICATE_RADIUS_MAX_M: u32 = 10_000;
/// … and this many days back at most.
pub const DUPLICATE_DAYS_MAX: u32 = 365;
/// How many change-log rows one page holds at most.
pub const CHANGES_MAX_LIMIT: i64 = 500;

/// A staff account as an administrator sees it (`GET /api/admin/staff`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAccount {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub sections: Vec<String>,
    pub disabled: bool,
    /// ms since the epoch.
    pub created_at: i64,
}

/// `POST /api/admin/staff`: a new account; the ward record makes its first password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewStaffAccount {
    pub id: String,
    pub name: String,
    pub role: Role,
    #[serde(default)]
    pub sections: Vec<String>,
}

/// `PUT /api/admin/staff/{id}`: name, role and sections (the id never changes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffUpdate {
    pub name: String,
    pub role: Role,
    #[serde(default)]
    pub sections: Vec<String>,
}

/// The answer to creating an account or resetting its password: the password, shown
/// this once and never stored in the clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedPassword {
    pub staff: StaffAccount,
    pub password: String,
}

/// `PUT /api/admin/sections/{code}`: a section's names (its code and department stay).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionRename {
    pub name_ja: String,
    pub name_en: String,
}

/// One row of the administrators' change log (`GET /api/admin/changes`), newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminChange {
    pub id: i64,
    /// Staff id of the administrator.
    pub by: String,
    pub at: i64,
    /// `staff.create`, `staff.update`, `staff.disable`, `staff.enable`,
    /// `staff.reset_password`, `section.create`, `section.rename`, `section.delete`,
    /// `category.create`, `category.update`, `calendar.add`, `calendar.remove`.
    pub action: String,
    /// What it was done to: a staff id, section or category code, or a date.
    pub target: String,
    /// The record before (`null` for a create).
    pub before: serde_json::Value,
    /// The record after (`null` for a removal). Never a password or its hash.
    pub after: serde_json::Value,
}

/// `GET /api/admin/changes`: a page of the log, newest first; `before` pages back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminChangePage {
    pub changes: Vec<AdminChange>,
    /// Pass as `?before=` for the next (older) page; `None` on the last.
    pub next_before: Option<i64>,
}

/// Why an administrator's change is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdminError {
    #[error("only administrators may do this")]
    NotAdmin,
    #[error("code {0:?} is malformed")]
    BadCode(String),
    #[error("staff id {0:?} is malformed")]
    BadStaffId(String),
    #[error("{what} is empty")]
    EmptyName { what: &'static str },
    #[error("{what} is longer than {max} characters")]
    NameTooLong { what: &'static str, max: usize },
    #[error("unknown section {0}")]
    UnknownSection(String),
    #[error("unknown department {0}")]
    UnknownDepartment(String),
    #[error("section {0} is listed twice")]
    RepeatedSection(String),
    #[error("a {0:?} needs at least one section")]
    NoSection(Role),
    #[error("{0} already exists")]
    Exists(String),
    #[error("{0} does not exist")]
    Missing(String),
    #[error("service standard days must be 1..={STANDARD_MAX_DAYS}")]
    StandardOutOfRange,
    #[error("service standard out of order: route <= first response <= resolve")]
    StandardOutOfOrder,
    #[error("duplicate radius must be {DUPLICATE_RADIUS_MIN_M}..={DUPLICATE_RADIUS_MAX_M} m")]
    RadiusOutOfRange,
    #[error("duplicate days must be 1..={DUPLICATE_DAYS_MAX}")]
    DuplicateDaysOutOfRange,
    #[error("{0:?} is not a date")]
    BadDate(String),
    #[error("{0} is a weekend")]
    Weekend(String),
    #[error("an administrator may not lock themselves out")]
    OwnAccount,
    #[error("the last administrator must stay")]
    LastAdmin,
    #[error("section {code} is in use")]
    SectionInUse { code: String, by: String },
    #[error("category {code} has {requests} requests, so it must stay sensitive")]
    SensitivityLocked { code: String, requests: i64 },
}

impl AdminError {
    /// A stable code for programs (and tests) to match on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAdmin => "not_allowed",
            Self::BadCode(_) => "bad_code",
            Self::BadStaffId(_) => "bad_staff_id",
            Self::EmptyName { .. } => "empty_name",
            Self::NameTooLong { .. } => "name_too_long",
            Self::UnknownSection(_) => "unknown_section",
            Self::UnknownDepartment(_) => "unknown_department",
            Self::RepeatedSection(_) => "repeated_section",
            Self::NoSection(_) => "no_section",
            Self::Exists(_) => "exists",
            Self::Missing(_) => "missing",
            Self::StandardOutOfRange => "standard_out_of_range",
            Self::StandardOutOfOrder => "standard_out_of_order",
            Self::RadiusOutOfRange => "radius_out_of_range",
            Self::DuplicateDaysOutOfRange => "duplicate_days_out_of_range",
            Self::BadDate(_) => "bad_date",
            Self::Weekend(_) => "weekend",
            Self::OwnAccount => "own_account",
            Self::LastAdmin => "last_admin",
            Self::SectionInUse { .. } => "section_in_use",
            Self::SensitivityLocked { .. } => "sensitivity_locked",
        }
    }

    /// Whether this is a conflict with what is stored (409) rather than bad input (400);
    /// `NotAdmin` is 403 and `Missing` 404.
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            Self::Exists(_)
                | Self::SectionInUse { .. }
                | Self::LastAdmin
                | Self::SensitivityLocked { .. }
        )
    }

    /// What a person reads, Japanese first.
    pub fn message(&self) -> Bilingual {
        match self {
            Self::NotAdmin => Bilingual::new(
                "この操作は管理者だけができます。",
                "Only administrators can do this.",
            ),
            Self::BadCode(c) => Bilingual::new(
                format!("コード「{c}」は使えません。英小文字・数字・ハイフンで{CODE_MAX_CHARS}文字以内、英字で始めてください。"),
                format!("Code {c:?} is not usable: use lower-case letters, digits and hyphens, at most {CODE_MAX_CHARS}, starting with a letter."),
            ),
            Self::BadStaffId(id) => Bilingual::new(
                format!("職員ID「{id}」は使えません。英数字と - _ . で64文字以内にしてください。"),
                format!("Staff id {id:?} is not usable: use letters, digits, - _ and ., at most 64."),
            ),
            Self::EmptyName { what } => Bilingual::new(
                format!("{}を入力してください。", label_ja(what)),
                format!("Enter the {what}."),
            ),
            Self::NameTooLong { what, max } => Bilingual::new(
                format!("{}は{max}文字以内にしてください。", label_ja(what)),
                format!("The {what} must be at most {max} characters."),
            ),
            Self::UnknownSection(c) => Bilingual::new(
                format!("課「{c}」はありません。"),
                format!("There is no section {c:?}."),
            ),
            Self::UnknownDepartment(c) => Bilingual::new(
                format!("部「{c}」はありません。"),
                format!("There is no department {c:?}."),
            ),
            Self::RepeatedSection(c) => Bilingual::new(
                format!("課「{c}」が二度選ばれています。"),
                format!("Section {c:?} is chosen twice."),
            ),
            Self::NoSection(role) => Bilingual::new(
                format!("{}には所属する課を一つ以上選んでください。", role.label_ja()),
                format!("Choose at least one section for {}.", role.label_en().to_lowercase()),
            ),
            Self::Exists(what) => Bilingual::new(
                format!("「{what}」はすでにあります。別のものにしてください。"),
                format!("{what:?} already exists. Choose another."),
            ),
            Self::Missing(what) => Bilingual::new(
                format!("「{what}」はありません。画面を更新してください。"),
                format!("{what:?} does not exist. Reload the page."),
            ),
            Self::StandardOutOfRange => Bilingual::new(
                format!("サービス基準の日数は1〜{STANDARD_MAX_DAYS}の開庁日にしてください。"),
                format!("Service standard days must be 1 to {STANDARD_MAX_DAYS} working days."),
            ),
            Self::StandardOutOfOrder => Bilingual::new(
                "サービス基準は 担当決定 ≦ 初回対応 ≦ 完了 の順にしてください。",
                "The service standard must be route ≤ first response ≤ resolve.",
            ),
            Self::RadiusOutOfRange => Bilingual::new(
                format!("重複候補の距離は{DUPLICATE_RADIUS_MIN_M}〜{DUPLICATE_RADIUS_MAX_M}メートルにしてください。"),
                format!("The duplicate distance must be {DUPLICATE_RADIUS_MIN_M} to {DUPLICATE_RADIUS_MAX_M} metres."),
            ),
            Self::DuplicateDaysOutOfRange => Bilingual::new(
                format!("重複候補の日数は1〜{DUPLICATE_DAYS_MAX}日にしてください。"),
                format!("The duplicate window must be 1 to {DUPLICATE_DAYS_MAX} days."),
            ),
            Self::BadDate(d) => Bilingual::new(
                format!("「{d}」は日付として読めません。YYYY-MM-DD で入力してください。"),
                format!("{d:?} is not a date. Enter it as YYYY-MM-DD."),
            ),
            Self::Weekend(d) => Bilingual::new(
                format!("{d} は土曜日か日曜日です。土日はもともと閉庁日です。"),
                format!("{d} is a Saturday or Sunday; weekends are always days off."),
            ),
            Self::OwnAccount => Bilingual::new(
                "自分自身の管理者権限を外したり、自分のアカウントを停止したりはできません。",
                "You cannot remove your own administrator role or disable your own account.",
            ),
            Self::LastAdmin => Bilingual::new(
                "有効な管理者が一人もいなくなるため、この変更はできません。",
                "This would leave no active administrator, so it is not allowed.",
            ),
            Self::SectionInUse { code, by } => Bilingual::new(
                format!("課「{code}」は使われているため削除できません（{by}）。"),
                format!("Section {code:?} is in use and cannot be deleted ({by})."),
            ),
            Self::SensitivityLocked { code, requests } => Bilingual::new(
                format!(
                    "分類「{code}」には要望が{requests}件あるため、要配慮を外せません。外すと、非表示で受け付けた相談の内容が見えるようになります。要配慮でない分類は新しく作ってください。"
                ),
                format!(
                    "Category {code:?} holds {requests} requests, so it must stay sensitive: lowering it would show the details of consultations taken in confidence. Create a new, ordinary category instead."
                ),
            ),
        }
    }
}

fn label_ja(what: &str) -> &'static str {
    match what {
        "name" => "氏名",
        "Japanese name" => "名称（日本語）",
        "English name" => "名称（英語）",
        "Japanese group" => "分類グループ（日本語）",
        "English group" => "分類グループ（英語）",
        "day off name" => "休日の名称",
        _ => "名称",
    }
}

/// Only administrators administer.
pub fn require_admin(role: Role) -> Result<(), AdminError> {
    if role == Role::Admin {
        Ok(())
    } else {
        Err(AdminError::NotAdmin)
    }
}

/// A section or category code: `[a-z][a-z0-9-]*`, at most [`CODE_MAX_CHARS`].
pub fn validate_code(code: &str) -> Result<(), AdminError> {
    let ok = code.len() <= CODE_MAX_CHARS
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(AdminError::BadCode(code.to_string()))
    }
}

/// A required name, trimmed; `what` names it in the message.
pub fn clean_name(text: &str, what: &'static str) -> Result<String, AdminError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AdminError::EmptyName { what });
    }
    if text.chars().count() > NAME_MAX_CHARS {
        return Err(AdminError::NameTooLong {
            what,
            max: NAME_MAX_CHARS,
        });
    }
    Ok(text.to_string())
}

/// The sections of an account: each exists, none twice, at least one unless an
/// administrator.
pub fn check_staff_sections(
    role: Role,
    sections: &[String],
    catalogue: &Catalogue,
) -> Result<(), AdminError> {
    for (i, s) in sections.iter().enumerate() {
        if catalogue.section(s).is_none() {
            return Err(AdminError::UnknownSection(s.clone()));
        }
        if sections[..i].contains(s) {
            return Err(AdminError::RepeatedSection(s.clone()));
        }
    }
    if sections.is_empty() && role != Role::Admin {
        return Err(AdminError::NoSection(role));
    }
    Ok(())
}

/// A new account, checked and trimmed. Whether the id is taken is the store's to say.
pub fn check_new_staff(
    input: &NewStaffAccount,
    catalogue: &Catalogue,
) -> Result<NewStaffAccount, AdminError> {
    let id = input.id.trim();
    validate_staff_id(id).map_err(|_| AdminError::BadStaffId(id.to_string()))?;
    let name = clean_name(&input.name, "name")?;
    check_staff_sections(input.role, &input.sections, catalogue)?;
    Ok(NewStaffAccount {
        id: id.to_string(),
        name,
        role: input.role,
        sections: input.sections.clone(),
    })
}

/// An update of `target` by administrator `actor`, checked and trimmed: an administrator
/// may not take away their own administrator role.
pub fn check_staff_update(
    actor: &str,
    target: &str,
    update: &StaffUpdate,
    catalogue: &Catalogue,
) -> Result<StaffUpdate, AdminError> {
    let name = clean_name(&update.name, "name")?;
    check_staff_sections(update.role, &update.sections, catalogue)?;
    if actor == target && update.role != Role::Admin {
        return Err(AdminError::OwnAccount);
    }
    Ok(StaffUpdate {
        name,
        role: update.role,
        sections: update.sections.clone(),
    })
}

/// Whether disabling `target` (or demoting it from administrator) keeps the ward
/// administrable: never oneself, never the last active administrator.
pub fn check_keeps_an_admin(
    actor: &str,
    target: &StaffAccount,
    active_admins: usize,
    becomes_admin: bool,
    becomes_disabled: bool,
) -> Result<(), AdminError> {
    let loses_admin =
        target.role == Role::Admin && !target.disabled && (!becomes_admin || becomes_disabled);
    if actor == target.id && (becomes_disabled || !becomes_admin) {
        return Err(AdminError::OwnAccount);
    }
    if loses_admin && active_admins <= 1 {
        return Err(AdminError::LastAdmin);
    }
    Ok(())
}

/// A new section, checked and trimmed against the catalogue.
pub fn check_new_section(input: &Section, catalogue: &Catalogue) -> Result<Section, AdminError> {
    let code = input.code.trim();
    validate_code(code)?;
    if catalogue.section(code).is_some() {
        return Err(AdminError::Exists(code.to_string()));
    }
    if !catalogue
        .departments
        .iter()
        .any(|d| d.code == input.department)
    {
        return Err(AdminError::UnknownDepartment(input.department.clone()));
    }
    Ok(Section {
        code: code.to_string(),
        department: input.department.clone(),
        name_ja: clean_name(&input.name_ja, "Japanese name")?,
        name_en: clean_name(&input.name_en, "English name")?,
        welfare: input.welfare,
    })
}

/// A section's new names, checked and trimmed.
pub fn check_section_rename(
    code: &str,
    rename: &SectionRename,
    catalogue: &Catalogue,
) -> Result<Section, AdminError> {
    let Some(existing) = catalogue.section(code) else {
        return Err(AdminError::Missing(code.to_string()));
    };
    Ok(Section {
        name_ja: clean_name(&rename.name_ja, "Japanese name")?,
        name_en: clean_name(&rename.name_en, "English name")?,
        ..existing.clone()
    })
}

/// A section may be deleted only when nothing names it: no category routes to it, no
/// staff belong to it, no request is or was with it (`staff`, `requests`: the counts the
/// store found).
pub fn check_section_unused(
    code: &str,
    catalogue: &Catalogue,
    staff: usize,
    requests: i64,
) -> Result<(), AdminError> {
    if catalogue.section(code).is_none() {
        return Err(AdminError::Missing(code.to_string()));
    }
    let categories: Vec<&str> = catalogue
        .categories
        .iter()
        .filter(|c| c.default_section == code)
        .map(|c| c.code.as_str())
        .collect();
    let mut uses = Vec::new();
    if !categories.is_empty() {
        uses.push(format!("categories: {}", categories.join(", ")));
    }
    if staff > 0 {
        uses.push(format!("staff: {staff}"));
    }
    if requests > 0 {
        uses.push(format!("requests: {requests}"));
    }
    if uses.is_empty() {
        Ok(())
    } else {
        Err(AdminError::SectionInUse {
            code: code.to_string(),
            by: uses.join("; "),
        })
    }
}

/// A service standard: each count 1..=365 working days and route ≤ first response ≤
/// resolve.
pub fn check_standard(s: &ServiceStandard) -> Result<(), AdminError> {
    let in_range = |d: u32| (1..=STANDARD_MAX_DAYS).contains(&d);
    if !(in_range(s.route_days) && in_range(s.first_response_days) && in_range(s.resolve_days)) {
        return Err(AdminError::StandardOutOfRange);
    }
    if s.route_days > s.first_response_days || s.first_response_days > s.resolve_days {
        return Err(AdminError::StandardOutOfOrder);
    }
    Ok(())
}

/// Duplicate-suggestion settings: a distance in metres and a number of days.
pub fn check_duplicate_settings(radius_m: u32, days: u32) -> Result<(), AdminError> {
    if !(DUPLICATE_RADIUS_MIN_M..=DUPLICATE_RADIUS_MAX_M).contains(&radius_m) {
        return Err(AdminError::RadiusOutOfRange);
    }
    if !(1..=DUPLICATE_DAYS_MAX).contains(&days) {
        return Err(AdminError::DuplicateDaysOutOfRange);
    }
    Ok(())
}

/// A category to create (`existing` false) or replace (`existing` true), checked and
/// trimmed: its default section exists, its standard and duplicate settings are in range.
pub fn check_category(
    input: &Category,
    catalogue: &Catalogue,
    existing: bool,
) -> Result<Category, AdminError> {
    let code = input.code.trim();
    validate_code(code)?;
    match (existing, catalogue.category(code).is_some()) {
        (false, true) => return Err(AdminError::Exists(code.to_string())),
        (true, false) => return Err(AdminError::Missing(code.to_string())),
        _ => {}
    }
    let category = Category {
        code: code.to_string(),
        group_ja: clean_name(&input.group_ja, "Japanese group")?,
        group_en: clean_name(&input.group_en, "English group")?,
        name_ja: clean_name(&input.name_ja, "Japanese name")?,
        name_en: clean_name(&input.name_en, "English name")?,
        default_section: input.default_section.clone(),
        sensitive: input.sensitive,
        standard: input.standard,
        duplicate_radius_m: input.duplicate_radius_m,
        duplicate_days: input.duplicate_days,
    };
    if catalogue.section(&category.default_section).is_none() {
        return Err(AdminError::UnknownSection(category.default_section));
    }
    if let Some(s) = &category.standard {
        check_standard(s)?;
    }
    check_duplicate_settings(category.duplicate_radius_m, category.duplicate_days)?;
    Ok(category)
}

/// A category's sensitivity may be raised at any time, but lowered only while no request
/// is in it (`requests`: the count the store found): lowering it would un-redact every
/// past consultation taken under the promise that it stays private.
pub fn check_sensitivity_change(
    before: &Category,
    after: &Category,
    requests: i64,
) -> Result<(), AdminError> {
    if before.sensitive && !after.sensitive && requests > 0 {
        return Err(AdminError::SensitivityLocked {
            code: before.code.clone(),
            requests,
        });
    }
    Ok(())
}

/// A day off to add: a real date, not a weekend (those are always off), not already
/// there, with a name.
pub fn check_day_off(input: &DayOff, calendar: &WardCalendar) -> Result<DayOff, AdminError> {
    let date = input.date.trim();
    let Some(day) = parse_iso_date(date) else {
        return Err(AdminError::BadDate(date.to_string()));
    };
    if is_weekend(day) {
        return Err(AdminError::Weekend(date.to_string()));
    }
    if calendar.days_off.iter().any(|d| d.date == date) {
        return Err(AdminError::Exists(date.to_string()));
    }
    let name_en = input.name_en.trim();
    if name_en.chars().count() > NAME_MAX_CHARS {
        return Err(AdminError::NameTooLong {
            what: "day off name",
            max: NAME_MAX_CHARS,
        });
    }
    Ok(DayOff {
        date: date.to_string(),
        name_ja: clean_name(&input.name_ja, "day off name")?,
        name_en: name_en.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::tests::sample;

    fn account(id: &str, role: Role) -> StaffAccount {
        StaffAccount {
            id: id.into(),
            name: "名前".into(),
            role,
            sections: vec!["road".into()],
            disabled: false,
            created_at: 0,
        }
    }

    #[test]
    fn only_admins_administer() {
        assert!(require_admin(Role::Admin).is_ok());
        for role in [Role::Field, Role::Office, Role::Supervisor] {
            assert_eq!(require_admin(role), Err(AdminError::NotAdmin));
        }
        assert_eq!(AdminError::NotAdmin.code(), "not_allowed");
    }

    #[test]
    fn codes_are_lower_case_slugs() {
        for ok in ["road", "park-2", "a"] {
            assert!(validate_code(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "Road",
            "2road",
            "-road",
            "道路",
            "road pothole",
            &"a".repeat(41),
        ] {
            assert_eq!(validate_code(bad).unwrap_err().code(), "bad_code", "{bad}");
        }
    }

    #[test]
    fn names_are_trimmed_required_and_bounded() {
        assert_eq!(clean_name("  山田 花子 ", "name").unwrap(), "山田 花子");
        assert_eq!(
            clean_name("   ", "name"),
            Err(AdminError::EmptyName { what: "name" })
        );
        let long = "あ".repeat(NAME_MAX_CHARS + 1);
        assert_eq!(
            clean_name(&long, "name").unwrap_err().code(),
            "name_too_long"
        );
        assert!(AdminError::EmptyName { what: "name" }
            .message()
            .ja
            .contains("氏名"));
    }

    #[test]
    fn a_new_account_needs_a_good_id_name_and_real_sections() {
        let c = sample();
        let mut input = NewStaffAccount {
            id: " road02 ".into(),
            name: " 新人 ".into(),
            role: Role::Field,
            sections: vec!["road".into()],
        };
        let ok = check_new_staff(&input, &c).unwrap();
        assert_eq!((ok.id.as_str(), ok.name.as_str()), ("road02", "新人"));

        input.sections = vec!["moon".into()];
        assert_eq!(
            check_new_staff(&input, &c),
            Err(AdminError::UnknownSection("moon".into()))
        );
        input.sections = vec!["road".into(), "road".into()];
        assert_eq!(
            check_new_staff(&input, &c).unwrap_err().code(),
            "repeated_section"
        );
        input.sections = vec![];
        assert_eq!(
            check_new_staff(&input, &c).unwrap_err().code(),
            "no_section"
        );
        input.role = Role::Admin;
        assert!(
            check_new_staff(&input, &c).is_ok(),
            "admins need no section"
        );
        input.id = "has space".into();
        assert_eq!(
            check_new_staff(&input, &c).unwrap_err().code(),
            "bad_staff_id"
        );
    }

    #[test]
    fn an_admin_keeps_their_own_role() {
        let c = sample();
        let update = StaffUpdate {
            name: "私".into(),
            role: Role::Office,
            sections: vec!["road".into()],
        };
        assert_eq!(
            check_staff_update("admin01", "admin01", &update, &c),
            Err(AdminError::OwnAccount)
        );
        assert!(check_staff_update("admin01", "clerk01", &update, &c).is_ok());
    }

    #[test]
    fn the_last_admin_stays() {
        let admin = account("admin02", Role::Admin);
        // Disabling another admin when two are active is fine; when one is, it is not.
        assert!(check_keeps_an_admin("admin01", &admin, 2, true, true).is_ok());
        assert_eq!(
            check_keeps_an_admin("admin01", &admin, 1, true, true),
            Err(AdminError::LastAdmin)
        );
        assert_eq!(
            check_keeps_an_admin("admin01", &admin, 1, false, false),
            Err(AdminError::LastAdmin)
        );
        // Disabling oneself never.
        let me = account("admin01", Role::Admin);
        assert_eq!(
            check_keeps_an_admin("admin01", &me, 5, true, true),
            Err(AdminError::OwnAccount)
        );
        // A field worker may be disabled whatever the admin count.
        let field = account("road01", Role::Field);
        assert!(check_keeps_an_admin("admin01", &field, 1, false, true).is_ok());
        assert!(AdminError::LastAdmin.is_conflict());
    }

    #[test]
    fn a_new_section_has_a_fresh_code_and_a_real_department() {
        let c = sample();
        let mut s = Section {
            code: "parks".into(),
            department: "kensetsu".into(),
            name_ja: " 公園 ".into(),
            name_en: "Parks".into(),
            welfare: false,
        };
        assert_eq!(check_new_section(&s, &c).unwrap().name_ja, "公園");
        s.code = "road".into();
        assert_eq!(
            check_new_section(&s, &c),
            Err(AdminError::Exists("road".into()))
        );
        s.code = "parks".into();
        s.department = "nowhere".into();
        assert_eq!(
            check_new_section(&s, &c).unwrap_err().code(),
            "unknown_department"
        );
        s.department = "kensetsu".into();
        s.name_en = "".into();
        assert_eq!(check_new_section(&s, &c).unwrap_err().code(), "empty_name");
    }

    #[test]
    fn a_rename_keeps_code_department_and_welfare() {
        let c = sample();
        let renamed = check_section_rename(
            "elderly",
            &SectionRename {
                name_ja: "高齢者支援課".into(),
                name_en: "Elderly Support".into(),
            },
            &c,
        )
        .unwrap();
        assert_eq!(renamed.code, "elderly");
        assert_eq!(renamed.department, "kosei");
        assert!(renamed.welfare);
        assert_eq!(renamed.name_ja, "高齢者支援課");
        let missing = check_section_rename(
            "moon",
            &SectionRename {
                name_ja: "月".into(),
                name_en: "Moon".into(),
            },
            &c,
        );
        assert_eq!(missing.unwrap_err().code(), "missing");
    }

    #[test]
    fn a_section_in_use_stays() {
        let c = sample();
        let err = check_section_unused("road", &c, 0, 0).unwrap_err();
        assert!(err.message().en.contains("road-pothole"), "{err:?}");
        let mut c2 = c.clone();
        c2.categories.retain(|x| x.default_section != "road");
        assert!(check_section_unused("road", &c2, 0, 0).is_ok());
        assert_eq!(
            check_section_unused("road", &c2, 1, 0).unwrap_err().code(),
            "section_in_use"
        );
        assert!(check_section_unused("road", &c2, 0, 3).is_err());
        assert_eq!(
            check_section_unused("moon", &c2, 0, 0).unwrap_err().code(),
            "missing"
        );
    }

    #[test]
    fn standards_are_in_range_and_in_order() {
        let s = |r, f, x| ServiceStandard {
            route_days: r,
            first_response_days: f,
            resolve_days: x,
        };
        assert!(check_standard(&s(1, 5, 30)).is_ok());
        assert!(check_standard(&s(1, 1, 1)).is_ok());
        assert!(check_standard(&s(365, 365, 365)).is_ok());
        assert_eq!(
            check_standard(&s(0, 5, 30)),
            Err(AdminError::StandardOutOfRange)
        );
        assert_eq!(
            check_standard(&s(1, 5, 366)),
            Err(AdminError::StandardOutOfRange)
        );
        assert_eq!(
            check_standard(&s(6, 5, 30)),
            Err(AdminError::StandardOutOfOrder)
        );
        assert_eq!(
            check_standard(&s(1, 31, 30)),
            Err(AdminError::StandardOutOfOrder)
        );
    }

    #[test]
    fn duplicate_settings_are_bounded() {
        assert!(check_duplicate_settings(50, 14).is_ok());
        assert_eq!(
            check_duplicate_settings(0, 14),
            Err(AdminError::RadiusOutOfRange)
        );
        assert_eq!(
            check_duplicate_settings(10_001, 14),
            Err(AdminError::RadiusOutOfRange)
        );
        assert_eq!(
            check_duplicate_settings(50, 0),
            Err(AdminError::DuplicateDaysOutOfRange)
        );
        assert_eq!(
            check_duplicate_settings(50, 366),
            Err(AdminError::DuplicateDaysOutOfRange)
        );
    }

    #[test]
    fn a_category_routes_to_a_real_section() {
        let c = sample();
        let mut cat = c.category("road-pothole").unwrap().clone();
        assert!(check_category(&cat, &c, true).is_ok());
        assert_eq!(
            check_category(&cat, &c, false),
            Err(AdminError::Exists("road-pothole".into()))
        );
        cat.default_section = "moon".into();
        assert_eq!(
            check_category(&cat, &c, true),
            Err(AdminError::UnknownSection("moon".into()))
        );
        cat.default_section = "road".into();
        cat.standard = Some(ServiceStandard {
            route_days: 3,
            first_response_days: 2,
            resolve_days: 10,
        });
        assert_eq!(
            check_category(&cat, &c, true),
            Err(AdminError::StandardOutOfOrder)
        );
        cat.standard = None;
        cat.duplicate_days = 0;
        assert_eq!(
            check_category(&cat, &c, true),
            Err(AdminError::DuplicateDaysOutOfRange)
        );
        cat.duplicate_days = 7;
        cat.code = "road-new".into();
        assert_eq!(
            check_category(&cat, &c, true).unwrap_err().code(),
            "missing"
        );
        let created = check_category(&cat, &c, false).unwrap();
        assert_eq!(created.code, "road-new");
        cat.group_ja = " ".into();
        assert_eq!(
            check_category(&cat, &c, false).unwrap_err().code(),
            "empty_name"
        );
    }

    #[test]
    fn days_off_are_weekdays_not_yet_listed() {
        let cal = crate::calendar::tests::sample_calendar();
        let day = |date: &str, name: &str| DayOff {
            date: date.into(),
            name_ja: name.into(),
            name_en: "Closure".into(),
        };
        // 2026-06-01 is a Monday.
        let ok = check_day_off(&day(" 2026-06-01 ", " 臨時閉庁 "), &cal).unwrap();
        assert_eq!(
            (ok.date.as_str(), ok.name_ja.as_str()),
            ("2026-06-01", "臨時閉庁")
        );
        assert_eq!(
            check_day_off(&day("2026-06-06", "土曜"), &cal),
            Err(AdminError::Weekend("2026-06-06".into()))
        );
        assert_eq!(
            check_day_off(&day("2026-02-30", "x"), &cal)
                .unwrap_err()
                .code(),
            "bad_date"
        );
        assert_eq!(
            check_day_off(&day("2026-06-01", ""), &cal)
                .unwrap_err()
                .code(),
            "empty_name"
        );
        let listed = cal.days_off[0].clone();
        assert_eq!(check_day_off(&listed, &cal).unwrap_err().code(), "exists");
    }

    #[test]
    fn every_error_reads_in_both_languages() {
        let errors = [
            AdminError::NotAdmin,
            AdminError::BadCode("X".into()),
            AdminError::Weekend("2026-06-06".into()),
            AdminError::SectionInUse {
                code: "road".into(),
                by: "staff: 2".into(),
            },
            AdminError::NoSection(Role::Field),
        ];
        for e in errors {
            let m = e.message();
            assert!(!m.ja.is_empty() && !m.en.is_empty(), "{e:?}");
            assert!(!m.ja.is_ascii(), "{e:?}");
        }
    }
}
