//! What administrators change: staff accounts, sections, categories (with their service
//! standards and duplicate settings) and the ward calendar's days off. Each change and
//! its row in the change log (`admin_changes`: who, when, what, before and after) are
//! written in one transaction, so a refused or failed change leaves nothing behind.
//!
//! The rules (which changes are allowed) are `koe_core::admin`'s and the route's; the
//! store writes what it is given, reading the record as it was inside the transaction
//! for the log. A create whose code is already taken (two administrators at once)
//! answers [`Written::Conflict`] rather than an error.
//!
//! Every change takes its change-log number first, from the `admin_changes` counter row:
//! on PostgreSQL that row stays locked until commit, so administrators' changes queue one
//! behind another (SQLite has one writer anyway) and what a change reads inside its
//! transaction — the number of active administrators — cannot be changed under it.

use async_trait::async_trait;
use koe_core::admin::{AdminChange, AdminError, StaffAccount, StaffUpdate};
use koe_core::calendar::DayOff;
use koe_core::{Category, Section};
use serde::Serialize;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::sql::{
    bind_category_settings, category_from_row, day_off_from_row, role, section_from_row, WriteTx,
    CATEGORY_COLUMNS, DAY_OFF_COLUMNS, SECTION_COLUMNS,
};
use super::{NewStaff, SqlStore, StoreError, StoreResult};

/// The outcome of a change.
#[derive(Debug, Clone, PartialEq)]
pub enum Written<T> {
    /// Done and logged; the record as it is now.
    Done(T),
    /// Nothing by that id or code.
    Missing,
    /// The id, code or date is taken.
    Conflict,
    /// A rule checked inside the transaction refused it (the last administrator).
    Refused(AdminError),
}

/// A rule about an account checked inside the transaction, against the account as it is
/// and the number of active administrators: `koe_core::admin::check_keeps_an_admin`.
pub type StaffGuard<'a> =
    &'a (dyn Fn(&StaffAccount, usize) -> Result<(), AdminError> + Send + Sync);

#[async_trait]
pub trait AdminRecords: Send + Sync {
    /// Every account, disabled ones too, by id.
    async fn staff_accounts(&self) -> StoreResult<Vec<StaffAccount>>;

    async fn staff_account(&self, id: &str) -> StoreResult<Option<StaffAccount>>;

    async fn create_staff(
        &self,
        by: &str,
        staff: &NewStaff,
        now: i64,
    ) -> StoreResult<Written<StaffAccount>>;

    /// Refused by `guard` (with the account before and the active administrators) when it
    /// says so.
    async fn update_staff(
        &self,
        by: &str,
        id: &str,
        update: &StaffUpdate,
        guard: StaffGuard<'_>,
        now: i64,
    ) -> StoreResult<Written<StaffAccount>>;

    /// Disables (ending every session of the account at once) or enables an account.
    async fn set_staff_disabled(
        &self,
        by: &str,
        id: &str,
        disabled: bool,
        guard: StaffGuard<'_>,
        now: i64,
    ) -> StoreResult<Written<StaffAccount>>;

    /// Replaces the password hash and ends every session of the account.
    async fn reset_staff_password(
        &self,
        by: &str,
        id: &str,
        password_hash: &str,
        now: i64,
    ) -> StoreResult<Written<StaffAccount>>;

    async fn create_section(
        &self,
        by: &str,
        section: &Section,
        now: i64,
    ) -> StoreResult<Written<Section>>;

    /// Writes a section's names (code, department and welfare stay).
    async fn rename_section(
        &self,
        by: &str,
        section: &Section,
        now: i64,
    ) -> StoreResult<Written<Section>>;

    /// How many accounts belong to a section and how many requests are or were routed to
    /// it or shared with it.
    async fn section_use(&self, code: &str) -> StoreResult<(usize, i64)>;

    /// Deletes a section nothing uses (checked again inside the transaction: a use
    /// found there answers `Conflict`).
    async fn delete_section(&self, by: &str, code: &str, now: i64)
        -> StoreResult<Written<Section>>;

    async fn create_category(
        &self,
        by: &str,
        category: &Category,
        now: i64,
    ) -> StoreResult<Written<Category>>;

    /// Replaces a category's names, group, default section, sensitivity, service
    /// standard and duplicate settings. Requests already received keep their due dates.
    async fn update_category(
        &self,
        by: &str,
        category: &Category,
        now: i64,
    ) -> StoreResult<Written<Category>>;

    async fn add_day_off(&self, by: &str, day: &DayOff, now: i64) -> StoreResult<Written<DayOff>>;

    async fn remove_day_off(&self, by: &str, date: &str, now: i64) -> StoreResult<Written<DayOff>>;

    /// The change log newest first: at most `limit` rows with ids below `before`.
    async fn admin_changes(&self, before: Option<i64>, limit: i64)
        -> StoreResult<Vec<AdminChange>>;
}

type Conn = sqlx::AnyConnection;

fn json<T: Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// One administrator's change under way: its transaction, the change-log number it took
/// first, and who makes it when. Dropped without [`Change::log_and_commit`] (a missing,
/// taken or refused record), it rolls back and leaves nothing behind.
pub(super) struct Change<'a> {
    w: WriteTx,
    number: i64,
    by: &'a str,
    at: i64,
}

impl SqlStore {
    /// Opens a change: the write transaction, whose first statement takes the next
    /// change-log number (on PostgreSQL the counter row then stays locked until commit).
    pub(super) async fn begin_change<'a>(&self, by: &'a str, now: i64) -> StoreResult<Change<'a>> {
        let mut w = self.begin_write().await?;
        let number = sqlx::query_scalar(
            "UPDATE counters SET value = value + 1 WHERE name = 'admin_changes' RETURNING value",
        )
        .fetch_one(&mut *w.tx)
        .await?;
        Ok(Change {
            w,
            number,
            by,
            at: now,
        })
    }
}

impl Change<'_> {
    pub(super) fn tx(&mut self) -> &mut Conn {
        &mut self.w.tx
    }

    /// Appends the change's row to the change log (the record before and after, as
    /// JSON) and commits it with the change itself.
    pub(super) async fn log_and_commit<T: Serialize>(
        mut self,
        action: &str,
        target: &str,
        before: Option<&T>,
        after: Option<&T>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO admin_changes (id, staff_id, at, action, target, before_json, after_json)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(self.number)
        .bind(self.by)
        .bind(self.at)
        .bind(action)
        .bind(target)
        .bind(before.map(json).transpose()?)
        .bind(after.map(json).transpose()?)
        .execute(self.tx())
        .await?;
        self.w.tx.commit().await?;
        Ok(())
    }
}

async fn active_admins(tx: &mut Conn) -> StoreResult<usize> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM staff WHERE role = 'admin' AND disabled = 0")
            .fetch_one(&mut *tx)
            .await?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// An account from a `staff` row; its sections are read apart (a join in the list, a
/// second query for one account).
fn staff_from_row(row: &AnyRow, sections: Vec<String>) -> StoreResult<StaffAccount> {
    let role_code: String = row.try_get("role")?;
    Ok(StaffAccount {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        role: role(&role_code)?,
        sections,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        created_at: row.try_get("created_at")?,
    })
}

async fn staff_in(tx: &mut Conn, id: &str) -> StoreResult<Option<StaffAccount>> {
    let Some(row) =
        sqlx::query("SELECT id, name, role, disabled, created_at FROM staff WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
    else {
        return Ok(None);
    };
    let sections: Vec<String> = sqlx::query_scalar(
        "SELECT section FROM staff_sections WHERE staff_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    staff_from_row(&row, sections).map(Some)
}

/// An account read back after it was written; gone would be a store bug.
async fn staff_written(tx: &mut Conn, id: &str) -> StoreResult<StaffAccount> {
    staff_in(tx, id)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("account {id} is gone after a write")))
}

async fn write_staff_sections(tx: &mut Conn, id: &str, sections: &[String]) -> StoreResult<()> {
    sqlx::query("DELETE FROM staff_sections WHERE staff_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    for (i, section) in sections.iter().enumerate() {
        sqlx::query("INSERT INTO staff_sections (staff_id, section, position) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(section.as_str())
            .bind(i as i64)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

async fn section_in(tx: &mut Conn, code: &str) -> StoreResult<Option<Section>> {
    sqlx::query(&format!(
        "SELECT {SECTION_COLUMNS} FROM sections WHERE code = $1"
    ))
    .bind(code)
    .fetch_optional(&mut *tx)
    .await?
    .as_ref()
    .map(section_from_row)
    .transpose()
}

async fn category_in(tx: &mut Conn, code: &str) -> StoreResult<Option<Category>> {
    sqlx::query(&format!(
        "SELECT {CATEGORY_COLUMNS} FROM categories WHERE code = $1"
    ))
    .bind(code)
    .fetch_optional(&mut *tx)
    .await?
    .as_ref()
    .map(category_from_row)
    .transpose()
}

/// A category read back after it was written; gone would be a store bug.
async fn category_written(tx: &mut Conn, code: &str) -> StoreResult<Category> {
    category_in(tx, code)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("category {code} is gone after a write")))
}

async fn section_use_in(tx: &mut Conn, code: &str) -> StoreResult<(usize, i64)> {
    let staff: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_sections WHERE section = $1")
        .bind(code)
        .fetch_one(&mut *tx)
        .await?;
    // `shared_with` is a JSON array of codes: `"code"` with its quotes matches one entry.
    let requests: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM requests WHERE section = $1 OR shared_with LIKE $2",
    )
    .bind(code)
    .bind(format!("%\"{code}\"%"))
    .fetch_one(&mut *tx)
    .await?;
    Ok((usize::try_from(staff).unwrap_or(0), requests))
}

#[async_trait]
impl AdminRecords for SqlStore {
    async fn staff_accounts(&self) -> StoreResult<Vec<StaffAccount>> {
        let rows = sqlx::query(
            "SELECT s.id, s.name, s.role, s.disabled, s.created_at, x.section FROM staff s
             LEFT JOIN staff_sections x ON x.staff_id = s.id
             ORDER BY s.id, x.position",
        )
        .fetch_all(self.pool())
        .await?;
        let mut list: Vec<StaffAccount> = Vec::new();
        for row in &rows {
            let id: String = row.try_get("id")?;
            if list.last().is_none_or(|a| a.id != id) {
                list.push(staff_from_row(row, Vec::new())?);
            }
            let section: Option<String> = row.try_get("section")?;
            if let (Some(account), Some(section)) = (list.last_mut(), section) {
                account.sections.push(section);
            }
        }
        Ok(list)
    }

    async fn staff_account(&self, id: &str) -> StoreResult<Option<StaffAccount>> {
        let mut conn = self.pool().acquire().await?;
        staff_in(&mut conn, id).await
    }

    async fn create_staff(
        &self,
        by: &str,
        staff: &NewStaff,
        now: i64,
    ) -> StoreResult<Written<StaffAccount>> {
        let mut change = self.begin_change(by, now).await?;
        let inserted = sqlx::query(
            "INSERT INTO staff (id, name, role, password_hash, disabled, created_at)
             VALUES ($1, $2, $3, $4, 0, $5) ON CONFLICT (id) DO NOTHING",
        )
        .bind(staff.id.as_str())
        .bind(staff.name.as_str())
        .bind(staff.role.code())
        .bind(staff.password_hash.as_str())
        .bind(now)
        .execute(change.tx())
        .await?
        .rows_affected();
        if inserted == 0 {
            return Ok(Written::Conflict);
        }
        write_staff_sections(change.tx(), &staff.id, &staff.sections).await?;
        let after = staff_written(change.tx(), &staff.id).await?;
        change
            .log_and_commit("staff.create", &staff.id, None, Some(&after))
            .await?;
        Ok(Written::Done(after))
    }

    async fn update_staff(
        &self,
        by: &str,
        id: &str,
        update: &StaffUpdate,
        guard: StaffGuard<'_>,
        now: i64,
    ) -> StoreResult<Written<StaffAccount>> {
        let mut change = self.begin_change(by, now).await?;
        let Some(before) = staff_in(change.tx(), id).await? else {
            return Ok(Written::Missing);
        };
        if let Err(e) = guard(&before, active_admins(change.tx()).await?) {
            return Ok(Written::Refused(e));
        }
        sqlx::query("UPDATE staff SET name = $1, role = $2 WHERE id = $3")
            .bind(update.name.as_str())
            .bind(update.role.code())
            .bind(id)
            .execute(change.tx())
            .await?;
        write_staff_sections(change.tx(), id, &update.sections).await?;
        let after = staff_written(change.tx(), id).await?;
        change
            .log_and_commit("staff.update", id, Some(&before), Some(&after))
            .await?;
        Ok(Written::Done(after))
    }

    async fn set_staff_disabled(
        &self,
        by: &str,
        id: &str,
        disabled: bool,
        guard: StaffGuard<'_>,
        now: i64,
    ) -> StoreResult<Written<StaffAccount>> {
        let mut change = self.begin_change(by, now).await?;
        let Some(before) = staff_in(change.tx(), id).await? else {
            return Ok(Written::Missing);
        };
        if let Err(e) = guard(&before, active_admins(change.tx()).await?) {
            return Ok(Written::Refused(e));
        }
        sqlx::query("UPDATE staff SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disabled))
            .bind(id)
            .execute(change.tx())
            .await?;
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE staff_id = $1")
                .bind(id)
                .execute(change.tx())
                .await?;
        }
        let after = StaffAccount {
            disabled,
            ..before.clone()
        };
        let action = if disabled {
            "staff.disable"
        } else {
            "staff.enable"
        };
        change
            .log_and_commit(action, id, Some(&before), Some(&after))
            .await?;
        Ok(Written::Done(after))
    }

    async fn reset_staff_password(
        &self,
        by: &str,
        id: &str,
        password_hash: &str,
        now: i64,
    ) -> StoreResult<Written<StaffAccount>> {
        let mut change = self.begin_change(by, now).await?;
        let Some(account) = staff_in(change.tx(), id).await? else {
            return Ok(Written::Missing);
        };
        sqlx::query("UPDATE staff SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(id)
            .execute(change.tx())
            .await?;
        let ended = sqlx::query("DELETE FROM sessions WHERE staff_id = $1")
            .bind(id)
            .execute(change.tx())
            .await?
            .rows_affected();
        // Never the password or its hash: only that it changed and what it ended.
        let before = serde_json::json!({ "staff": account });
        let after = serde_json::json!({
            "staff": account,
            "password": "reset",
            "sessions_ended": ended,
        });
        change
            .log_and_commit("staff.reset_password", id, Some(&before), Some(&after))
            .await?;
        Ok(Written::Done(account))
    }

    async fn create_section(
        &self,
        by: &str,
        section: &Section,
        now: i64,
    ) -> StoreResult<Written<Section>> {
        let mut change = self.begin_change(by, now).await?;
        let inserted = sqlx::query(
            "INSERT INTO sections (code, department, name_ja, name_en, welfare, position)
             VALUES ($1, $2, $3, $4, $5, (SELECT COALESCE(MAX(position), -1) + 1 FROM sections))
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(section.code.as_str())
        .bind(section.department.as_str())
        .bind(section.name_ja.as_str())
        .bind(section.name_en.as_str())
        .bind(i64::from(section.welfare))
        .execute(change.tx())
        .await?
        .rows_affected();
        if inserted == 0 {
            return Ok(Written::Conflict);
        }
        change
            .log_and_commit("section.create", &section.code, None, Some(section))
            .await?;
        Ok(Written::Done(section.clone()))
    }

    async fn rename_section(
        &self,
        by: &str,
        section: &Section,
        now: i64,
    ) -> StoreResult<Written<Section>> {
        let mut change = self.begin_change(by, now).await?;
        let Some(before) = section_in(change.tx(), &section.code).await? else {
            return Ok(Written::Missing);
        };
        sqlx::query("UPDATE sections SET name_ja = $1, name_en = $2 WHERE code = $3")
            .bind(section.name_ja.as_str())
            .bind(section.name_en.as_str())
            .bind(section.code.as_str())
            .execute(change.tx())
            .await?;
        let after = Section {
            name_ja: section.name_ja.clone(),
            name_en: section.name_en.clone(),
            ..before.clone()
        };
        change
            .log_and_commit("section.rename", &section.code, Some(&before), Some(&after))
            .await?;
        Ok(Written::Done(after))
    }

    async fn section_use(&self, code: &str) -> StoreResult<(usize, i64)> {
        let mut conn = self.pool().acquire().await?;
        section_use_in(&mut conn, code).await
    }

    async fn delete_section(
        &self,
        by: &str,
        code: &str,
        now: i64,
    ) -> StoreResult<Written<Section>> {
        let mut change = self.begin_change(by, now).await?;
        let Some(before) = section_in(change.tx(), code).await? else {
            return Ok(Written::Missing);
        };
        let (staff, requests) = section_use_in(change.tx(), code).await?;
        let categories: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM categories WHERE default_section = $1")
                .bind(code)
                .fetch_one(change.tx())
                .await?;
        if staff > 0 || requests > 0 || categories > 0 {
            return Ok(Written::Conflict);
        }
        sqlx::query("DELETE FROM sections WHERE code = $1")
            .bind(code)
            .execute(change.tx())
            .await?;
        change
            .log_and_commit("section.delete", code, Some(&before), None)
            .await?;
        Ok(Written::Done(before))
    }

    async fn create_category(
        &self,
        by: &str,
        category: &Category,
        now: i64,
    ) -> StoreResult<Written<Category>> {
        let mut change = self.begin_change(by, now).await?;
        let insert = sqlx::query(
            "INSERT INTO categories
               (code, group_ja, group_en, name_ja, name_en, default_section, sensitive,
                route_days, first_response_days, resolve_days, duplicate_radius_m, duplicate_days,
                position)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                (SELECT COALESCE(MAX(position), -1) + 1 FROM categories))
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(category.code.as_str());
        let inserted = bind_category_settings(insert, category)
            .execute(change.tx())
            .await?
            .rows_affected();
        if inserted == 0 {
            return Ok(Written::Conflict);
        }
        let after = category_written(change.tx(), &category.code).await?;
        change
            .log_and_commit("category.create", &category.code, None, Some(&after))
            .await?;
        Ok(Written::Done(after))
    }

    async fn update_category(
        &self,
        by: &str,
        category: &Category,
        now: i64,
    ) -> StoreResult<Written<Category>> {
        let mut change = self.begin_change(by, now).await?;
        let Some(before) = category_in(change.tx(), &category.code).await? else {
            return Ok(Written::Missing);
        };
        // Counted inside the transaction, so no request lands between the check and the write.
        let requests: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM requests WHERE category = $1")
            .bind(category.code.as_str())
            .fetch_one(change.tx())
            .await?;
        if let Err(e) = koe_core::admin::check_sensitivity_change(&before, category, requests) {
            return Ok(Written::Refused(e));
        }
        let update = sqlx::query(
            "UPDATE categories SET group_ja = $1, group_en = $2, name_ja = $3, name_en = $4,
               default_section = $5, sensitive = $6, route_days = $7, first_response_days = $8,
               resolve_days = $9, duplicate_radius_m = $10, duplicate_days = $11
             WHERE code = $12",
        );
        bind_category_settings(update, category)
            .bind(category.code.as_str())
            .execute(change.tx())
            .await?;
        let after = category_written(change.tx(), &category.code).await?;
        change
            .log_and_commit(
                "category.update",
                &category.code,
                Some(&before),
                Some(&after),
            )
            .await?;
        Ok(Written::Done(after))
    }

    async fn add_day_off(&self, by: &str, day: &DayOff, now: i64) -> StoreResult<Written<DayOff>> {
        let mut change = self.begin_change(by, now).await?;
        let inserted = sqlx::query(
            "INSERT INTO calendar_days_off (date, name_ja, name_en) VALUES ($1, $2, $3)
             ON CONFLICT (date) DO NOTHING",
        )
        .bind(day.date.as_str())
        .bind(day.name_ja.as_str())
        .bind(day.name_en.as_str())
        .execute(change.tx())
        .await?
        .rows_affected();
        if inserted == 0 {
            return Ok(Written::Conflict);
        }
        change
            .log_and_commit("calendar.add", &day.date, None, Some(day))
            .await?;
        Ok(Written::Done(day.clone()))
    }

    async fn remove_day_off(&self, by: &str, date: &str, now: i64) -> StoreResult<Written<DayOff>> {
        let mut change = self.begin_change(by, now).await?;
        let Some(before) = sqlx::query(&format!(
            "SELECT {DAY_OFF_COLUMNS} FROM calendar_days_off WHERE date = $1"
        ))
        .bind(date)
        .fetch_optional(change.tx())
        .await?
        .as_ref()
        .map(day_off_from_row)
        .transpose()?
        else {
            return Ok(Written::Missing);
        };
        sqlx::query("DELETE FROM calendar_days_off WHERE date = $1")
            .bind(date)
            .execute(change.tx())
            .await?;
        change
            .log_and_commit("calendar.remove", date, Some(&before), None)
            .await?;
        Ok(Written::Done(before))
    }

    async fn admin_changes(
        &self,
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<AdminChange>> {
        let rows = sqlx::query(
            "SELECT id, staff_id, at, action, target, before_json, after_json
             FROM admin_changes WHERE id < $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let parse = |text: Option<String>| -> StoreResult<Value> {
            match text {
                None => Ok(Value::Null),
                Some(t) => serde_json::from_str(&t)
                    .map_err(|e| StoreError::Corrupt(format!("admin change body: {e}"))),
            }
        };
        rows.iter()
            .map(|r| {
                Ok(AdminChange {
                    id: r.try_get("id")?,
                    by: r.try_get("staff_id")?,
                    at: r.try_get("at")?,
                    action: r.try_get("action")?,
                    target: r.try_get("target")?,
                    before: parse(r.try_get("before_json")?)?,
                    after: parse(r.try_get("after_json")?)?,
                })
            })
            .collect()
    }
}
