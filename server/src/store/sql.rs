//! [`SqlStore`]: the ward record on SQLite or PostgreSQL through sqlx's `Any` driver.
//!
//! Why one implementation and not two: every statement here is plain SQL both databases
//! speak (`$n` parameters, `ON CONFLICT … DO NOTHING`, `UPDATE … RETURNING`), so two
//! implementations would be the same SQL twice. The dialects differ in only two places,
//! branched on [`Backend`]:
//! - how a write transaction starts: SQLite takes the write lock up front
//!   (`BEGIN IMMEDIATE`, and a process-local mutex so our own writers queue instead of
//!   spinning on SQLITE_BUSY); PostgreSQL uses ordinary transactions and row locks;
//! - connection set-up and the migration lock (SQLite pragmas; a PostgreSQL advisory
//!   lock so two instances starting at once do not both migrate).
//!
//! Server order without skips: a change takes its number with
//! `UPDATE counters SET value = value + 1 … RETURNING value` inside its transaction. On
//! PostgreSQL that row stays locked until commit, so the next writer gets the next
//! number only after this one is visible: a puller can never see version n+1 while n is
//! still in flight. On SQLite there is only ever one writer.

use std::sync::Arc;

use async_trait::async_trait;
use koe_core::api::Me;
use koe_core::sync::Outcome;
use koe_core::{
    Bilingual, Catalogue, Category, Department, DueDates, Place, RequestRecord, Role, Section,
    ServiceStandard, Status, Urgency, Viewer, WardCalendar,
};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor, Row, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};
use uuid::Uuid;

use super::{
    schema, Backend, Credentials, DeviceUse, HistoryEntry, NewStaff, Origin, OwnChanges, Store,
    StoreError, StoreResult, Verdict,
};

const SQLITE_PRAGMAS: &[&str] = &[
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA busy_timeout = 10000",
    "PRAGMA foreign_keys = ON",
];

/// Any key works; this one is "koe" in ASCII.
const PG_MIGRATION_LOCK: i64 = 0x6b6f65;

pub(super) const REQUEST_COLUMNS: &str =
    "id, category, section, title, description, lat, lon, accuracy_m, \
     address, urgency, status, logged_by, logged_at, received_at, version, landmark, contact, \
     shared_with, assignee, response, duplicate_of, needs_review, conflicts, \
     route_by, first_response_by, resolve_by, routed_at, first_response_at, resolved_at";

pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
    /// SQLite only: one writer at a time in this process.
    write_lock: Arc<Mutex<()>>,
}

/// A write transaction; on SQLite it also holds the process's write lock until dropped
/// (after the transaction: fields drop in order).
pub(super) struct WriteTx {
    pub(super) tx: Transaction<'static, Any>,
    _guard: Option<OwnedMutexGuard<()>>,
}

impl SqlStore {
    /// Connects (creating a missing SQLite file), and migrates.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::connect_with(url, 10).await
    }

    pub async fn connect_with(url: &str, max_connections: u32) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::Invalid(format!(
                "unsupported database URL {url:?}: use sqlite://… or postgres://…"
            )));
        };
        let mut options = AnyPoolOptions::new().max_connections(max_connections.max(1));
        let url = match backend {
            Backend::Sqlite => {
                options = options.after_connect(|conn, _meta| {
                    Box::pin(async move {
                        for pragma in SQLITE_PRAGMAS {
                            conn.execute(*pragma).await?;
                        }
                        Ok(())
                    })
                });
                if url.contains("mode=") {
                    url.to_string()
                } else if url.contains('?') {
                    format!("{url}&mode=rwc")
                } else {
                    format!("{url}?mode=rwc")
                }
            }
            Backend::Postgres => url.to_string(),
        };
        let pool = options.connect(&url).await?;
        let store = Self {
            pool,
            backend,
            write_lock: Arc::new(Mutex::new(())),
        };
        store.migrate().await?;
        Ok(store)
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(super) async fn begin_write(&self) -> StoreResult<WriteTx> {
        match self.backend {
            Backend::Sqlite => {
                let guard = self.write_lock.clone().lock_owned().await;
                let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
                Ok(WriteTx {
                    tx,
                    _guard: Some(guard),
                })
            }
            Backend::Postgres => Ok(WriteTx {
                tx: self.pool.begin().await?,
                _guard: None,
            }),
        }
    }

    async fn migrate(&self) -> StoreResult<()> {
        let mut w = self.begin_write().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1)")
                .bind(PG_MIGRATION_LOCK)
                .execute(&mut *w.tx)
                .await?;
        }
        let applied = schema::migrate(&mut w.tx).await?;
        w.tx.commit().await?;
        if applied > 0 {
            tracing::info!(applied, "database migrated");
        }
        Ok(())
    }

    /// The requests `viewer` may see that match `condition`, in `order` (both may use $1
    /// and $2, bound to `first` and `second`), without those whose last change is `own`'s.
    async fn visible_requests(
        &self,
        viewer: &Viewer,
        condition: &str,
        order: &str,
        (first, second): (i64, i64),
        own: Option<&OwnChanges>,
    ) -> StoreResult<Vec<RequestRecord>> {
        let (own_clause, next) = not_own(own, 3);
        let (clause, args) = visibility(viewer, next);
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM requests WHERE {condition}{own_clause}{clause} \
             ORDER BY {order}"
        );
        let mut query = sqlx::query(&sql).bind(first).bind(second);
        if let Some(own) = own {
            query = query
                .bind(own.client_id.to_string())
                .bind(own.staff_id.clone())
                .bind(to_i64(own.from).unwrap_or(i64::MAX));
        }
        for a in args {
            query = query.bind(a);
        }
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(record_from_row)
            .collect()
    }

    async fn sections_of(&self, staff_id: &str) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT section FROM staff_sections WHERE staff_id = $1 ORDER BY position",
        )
        .bind(staff_id)
        .fetch_all(&self.pool)
        .await?)
    }
}

/// A category's service standard, all three or none.
fn standard_from_row(row: &AnyRow) -> StoreResult<Option<ServiceStandard>> {
    let days = |column: &str| -> StoreResult<Option<u32>> {
        row.try_get::<Option<i64>, _>(column)?
            .map(|n| {
                u32::try_from(n)
                    .map_err(|_| StoreError::Corrupt(format!("{column} {n} is not a day count")))
            })
            .transpose()
    };
    Ok(
        match (
            days("route_days")?,
            days("first_response_days")?,
            days("resolve_days")?,
        ) {
            (Some(route_days), Some(first_response_days), Some(resolve_days)) => {
                Some(ServiceStandard {
                    route_days,
                    first_response_days,
                    resolve_days,
                })
            }
            _ => None,
        },
    )
}

/// The columns [`section_from_row`] reads.
pub(super) const SECTION_COLUMNS: &str = "code, department, name_ja, name_en, welfare";

pub(super) fn section_from_row(r: &AnyRow) -> StoreResult<Section> {
    Ok(Section {
        code: r.try_get("code")?,
        department: r.try_get("department")?,
        name_ja: r.try_get("name_ja")?,
        name_en: r.try_get("name_en")?,
        welfare: r.try_get::<i64, _>("welfare")? != 0,
    })
}

/// The columns [`category_from_row`] reads: the code, then the settings in the order
/// [`bind_category_settings`] binds them.
pub(super) const CATEGORY_COLUMNS: &str =
    "code, group_ja, group_en, name_ja, name_en, default_section, sensitive, \
     route_days, first_response_days, resolve_days, duplicate_radius_m, duplicate_days";

pub(super) fn category_from_row(r: &AnyRow) -> StoreResult<Category> {
    Ok(Category {
        code: r.try_get("code")?,
        group_ja: r.try_get("group_ja")?,
        group_en: r.try_get("group_en")?,
        name_ja: r.try_get("name_ja")?,
        name_en: r.try_get("name_en")?,
        default_section: r.try_get("default_section")?,
        sensitive: r.try_get::<i64, _>("sensitive")? != 0,
        standard: standard_from_row(r)?,
        duplicate_radius_m: count_column(r, "duplicate_radius_m")?,
        duplicate_days: count_column(r, "duplicate_days")?,
    })
}

pub(super) type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

/// Binds everything about a category but its code (and position), group_ja through
/// duplicate_days as in [`CATEGORY_COLUMNS`]: the seed, a create and an update write a
/// category alike.
pub(super) fn bind_category_settings<'q>(query: AnyQuery<'q>, c: &'q Category) -> AnyQuery<'q> {
    let days = |f: fn(&ServiceStandard) -> u32| c.standard.as_ref().map(|s| i64::from(f(s)));
    query
        .bind(c.group_ja.as_str())
        .bind(c.group_en.as_str())
        .bind(c.name_ja.as_str())
        .bind(c.name_en.as_str())
        .bind(c.default_section.as_str())
        .bind(i64::from(c.sensitive))
        .bind(days(|s| s.route_days))
        .bind(days(|s| s.first_response_days))
        .bind(days(|s| s.resolve_days))
        .bind(i64::from(c.duplicate_radius_m))
        .bind(i64::from(c.duplicate_days))
}

/// The columns [`day_off_from_row`] reads.
pub(super) const DAY_OFF_COLUMNS: &str = "date, name_ja, name_en";

pub(super) fn day_off_from_row(r: &AnyRow) -> StoreResult<koe_core::calendar::DayOff> {
    Ok(koe_core::calendar::DayOff {
        date: r.try_get("date")?,
        name_ja: r.try_get("name_ja")?,
        name_en: r.try_get("name_en")?,
    })
}

/// A non-negative count column (metres, days) read back as `u32`.
pub(super) fn count_column(row: &AnyRow, column: &str) -> StoreResult<u32> {
    let n: i64 = row.try_get(column)?;
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("{column} {n} is not a count")))
}

pub(super) fn role(code: &str) -> StoreResult<Role> {
    Role::from_code(code).ok_or_else(|| StoreError::Corrupt(format!("unknown role {code:?}")))
}

/// A stored id read back; a malformed one is a corrupt record, not a panic.
pub(super) fn uuid(text: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(text).map_err(|e| StoreError::Corrupt(format!("bad uuid {text:?}: {e}")))
}

fn to_i64(n: u64) -> StoreResult<i64> {
    i64::try_from(n).map_err(|_| StoreError::Invalid(format!("mutation id {n} is too large")))
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

pub(super) fn record_from_row(row: &AnyRow) -> StoreResult<RequestRecord> {
    let urgency: String = row.try_get("urgency")?;
    let status: String = row.try_get("status")?;
    let id: String = row.try_get("id")?;
    Ok(RequestRecord {
        id: uuid(&id)?,
        category: row.try_get("category")?,
        section: row.try_get("section")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        place: Some(Place {
            lat: row.try_get("lat")?,
            lon: row.try_get("lon")?,
            accuracy_m: row.try_get("accuracy_m")?,
            address: row.try_get("address")?,
            landmark: row.try_get("landmark")?,
        }),
        urgency: Urgency::from_code(&urgency)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown urgency {urgency:?}")))?,
        status: Status::from_code(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown status {status:?}")))?,
        logged_by: row.try_get("logged_by")?,
        logged_at: row.try_get("logged_at")?,
        received_at: row.try_get("received_at")?,
        version: row.try_get("version")?,
        redacted: false,
        contact: json_column::<Option<koe_core::Contact>>(row, "contact")?,
        shared_with: json_column(row, "shared_with")?,
        assignee: row.try_get("assignee")?,
        response: row.try_get("response")?,
        duplicate_of: row
            .try_get::<Option<String>, _>("duplicate_of")?
            .as_deref()
            .map(uuid)
            .transpose()?,
        needs_review: row.try_get::<i64, _>("needs_review")? != 0,
        conflicts: json_column(row, "conflicts")?,
        due: due_from_row(row)?,
        milestones: koe_core::Milestones {
            routed_at: row.try_get("routed_at")?,
            first_response_at: row.try_get("first_response_at")?,
            resolved_at: row.try_get("resolved_at")?,
        },
    })
}

/// The due dates, all three or none.
fn due_from_row(row: &AnyRow) -> StoreResult<Option<DueDates>> {
    let route_by: Option<i64> = row.try_get("route_by")?;
    let first_response_by: Option<i64> = row.try_get("first_response_by")?;
    let resolve_by: Option<i64> = row.try_get("resolve_by")?;
    Ok(match (route_by, first_response_by, resolve_by) {
        (Some(route_by), Some(first_response_by), Some(resolve_by)) => Some(DueDates {
            route_by,
            first_response_by,
            resolve_by,
        }),
        _ => None,
    })
}

/// A JSON column (NULL reads as JSON `null`).
pub(super) fn json_column<T: serde::de::DeserializeOwned>(
    row: &AnyRow,
    column: &str,
) -> StoreResult<T> {
    let text: Option<String> = row.try_get(column)?;
    serde_json::from_str(text.as_deref().unwrap_or("null"))
        .map_err(|e| StoreError::Corrupt(format!("column {column}: {e}")))
}

pub(super) fn to_json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Invalid(e.to_string()))
}

/// The SQL half of `Viewer::sees`: ward-reviewing roles see everything; field staff
/// what they logged and what is routed to their sections. Parameters from `$first`.
fn visibility(viewer: &Viewer, first: usize) -> (String, Vec<String>) {
    if viewer.role.reviews_ward() {
        return (String::new(), Vec::new());
    }
    let mut args = vec![viewer.staff_id.clone()];
    let mut clause = format!(" AND (logged_by = ${first}");
    if !viewer.sections.is_empty() {
        let marks: Vec<String> = (0..viewer.sections.len())
            .map(|i| format!("${}", first + 1 + i))
            .collect();
        clause.push_str(&format!(" OR section IN ({})", marks.join(", ")));
        args.extend(viewer.sections.iter().cloned());
        // Shared with one of their sections (連携先). `shared_with` is a JSON array of
        // codes; LIKE may over-match (`_`), never under-match, and the route applies
        // `Viewer::sees` after.
        let first_shared = first + 1 + viewer.sections.len();
        for (i, section) in viewer.sections.iter().enumerate() {
            clause.push_str(&format!(" OR shared_with LIKE ${}", first_shared + i));
            args.push(format!("%\"{section}\"%"));
        }
    }
    clause.push(')');
    (clause, args)
}

/// The clause leaving out requests whose last change is the pulling device's own (its
/// three values bound at `$first`…`$first+2`: client id, staff id, mutation id), and the
/// first placeholder after it. `changes.version` is the primary key and a request's
/// `version` is always its last change's, so this is one index lookup a row.
fn not_own(own: Option<&OwnChanges>, first: usize) -> (String, usize) {
    match own {
        None => (String::new(), first),
        Some(_) => (
            format!(
                " AND NOT EXISTS (SELECT 1 FROM changes c WHERE c.version = requests.version
                   AND c.client_id = ${} AND c.staff_id = ${} AND c.mutation_id >= ${})",
                first,
                first + 1,
                first + 2
            ),
            first + 3,
        ),
    }
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    async fn has_staff(&self) -> StoreResult<bool> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff")
            .fetch_one(&self.pool)
            .await?;
        Ok(count > 0)
    }

    async fn seed_if_empty(&self, catalogue: &Catalogue, staff: &[NewStaff]) -> StoreResult<bool> {
        let mut w = self.begin_write().await?;
        let tx = &mut w.tx;
        // Take the server-order row lock: a second instance seeding at the same moment
        // waits here and then finds the staff already there.
        sqlx::query("UPDATE counters SET value = value WHERE name = 'server_order'")
            .execute(&mut **tx)
            .await?;
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff")
            .fetch_one(&mut **tx)
            .await?;
        if count > 0 {
            return Ok(false);
        }
        for (name, value) in [
            ("ward_ja", &catalogue.ward_ja),
            ("ward_en", &catalogue.ward_en),
        ] {
            sqlx::query(
                "INSERT INTO settings (name, value) VALUES ($1, $2)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            )
            .bind(name)
            .bind(value.as_str())
            .execute(&mut **tx)
            .await?;
        }
        for (i, d) in catalogue.departments.iter().enumerate() {
            sqlx::query(
                "INSERT INTO departments (code, name_ja, name_en, position) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (code) DO NOTHING",
            )
            .bind(d.code.as_str())
            .bind(d.name_ja.as_str())
            .bind(d.name_en.as_str())
            .bind(i as i64)
            .execute(&mut **tx)
            .await?;
        }
        for (i, s) in catalogue.sections.iter().enumerate() {
            sqlx::query(
                "INSERT INTO sections (code, department, name_ja, name_en, welfare, position)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO NOTHING",
            )
            .bind(s.code.as_str())
            .bind(s.department.as_str())
            .bind(s.name_ja.as_str())
            .bind(s.name_en.as_str())
            .bind(i64::from(s.welfare))
            .bind(i as i64)
            .execute(&mut **tx)
            .await?;
        }
        for (i, c) in catalogue.categories.iter().enumerate() {
            let insert = sqlx::query(
                "INSERT INTO categories
                   (code, group_ja, group_en, name_ja, name_en, default_section, sensitive,
                    route_days, first_response_days, resolve_days, duplicate_radius_m, duplicate_days,
                    position)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                 ON CONFLICT (code) DO NOTHING",
            )
            .bind(c.code.as_str());
            bind_category_settings(insert, c)
                .bind(i as i64)
                .execute(&mut **tx)
                .await?;
        }
        for d in &catalogue.calendar.days_off {
            sqlx::query(
                "INSERT INTO calendar_days_off (date, name_ja, name_en) VALUES ($1, $2, $3)
                 ON CONFLICT (date) DO NOTHING",
            )
            .bind(d.date.as_str())
            .bind(d.name_ja.as_str())
            .bind(d.name_en.as_str())
            .execute(&mut **tx)
            .await?;
        }
        let now = crate::now_ms();
        for s in staff {
            sqlx::query(
                "INSERT INTO staff (id, name, role, password_hash, disabled, created_at)
                 VALUES ($1, $2, $3, $4, 0, $5)",
            )
            .bind(s.id.as_str())
            .bind(s.name.as_str())
            .bind(s.role.code())
            .bind(s.password_hash.as_str())
            .bind(now)
            .execute(&mut **tx)
            .await?;
            for (i, section) in s.sections.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO staff_sections (staff_id, section, position) VALUES ($1, $2, $3)",
                )
                .bind(s.id.as_str())
                .bind(section.as_str())
                .bind(i as i64)
                .execute(&mut **tx)
                .await?;
            }
        }
        w.tx.commit().await?;
        Ok(true)
    }

    async fn catalogue(&self) -> StoreResult<Catalogue> {
        let settings: Vec<(String, String)> = sqlx::query_as("SELECT name, value FROM settings")
            .fetch_all(&self.pool)
            .await?;
        let setting = |key: &str| {
            settings
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let departments =
            sqlx::query("SELECT code, name_ja, name_en FROM departments ORDER BY position")
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| {
                    Ok(Department {
                        code: r.try_get("code")?,
                        name_ja: r.try_get("name_ja")?,
                        name_en: r.try_get("name_en")?,
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let sections = sqlx::query(&format!(
            "SELECT {SECTION_COLUMNS} FROM sections ORDER BY position"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(section_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
        let categories = sqlx::query(&format!(
            "SELECT {CATEGORY_COLUMNS} FROM categories ORDER BY position"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(category_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
        let days_off = sqlx::query(&format!(
            "SELECT {DAY_OFF_COLUMNS} FROM calendar_days_off ORDER BY date"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(day_off_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
        Ok(Catalogue {
            ward_ja: setting("ward_ja"),
            ward_en: setting("ward_en"),
            departments,
            sections,
            categories,
            calendar: WardCalendar { days_off },
        })
    }

    async fn credentials(&self, staff_id: &str) -> StoreResult<Option<Credentials>> {
        let Some(row) =
            sqlx::query("SELECT id, name, role, password_hash, disabled FROM staff WHERE id = $1")
                .bind(staff_id)
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(None);
        };
        let role_code: String = row.try_get("role")?;
        Ok(Some(Credentials {
            me: Me {
                staff_id: row.try_get("id")?,
                name: row.try_get("name")?,
                role: role(&role_code)?,
                sections: self.sections_of(staff_id).await?,
            },
            password_hash: row.try_get("password_hash")?,
            disabled: row.try_get::<i64, _>("disabled")? != 0,
        }))
    }

    async fn create_session(
        &self,
        token_hash: &str,
        staff_id: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut *w.tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, staff_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(staff_id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *w.tx)
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    async fn session_staff(&self, token_hash: &str, now: i64) -> StoreResult<Option<Me>> {
        let Some(row) = sqlx::query(
            "SELECT s.id, s.name, s.role FROM sessions x JOIN staff s ON s.id = x.staff_id
             WHERE x.token_hash = $1 AND x.expires_at > $2 AND s.disabled = 0",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let staff_id: String = row.try_get("id")?;
        let role_code: String = row.try_get("role")?;
        Ok(Some(Me {
            sections: self.sections_of(&staff_id).await?,
            name: row.try_get("name")?,
            role: role(&role_code)?,
            staff_id,
        }))
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *w.tx)
            .await?;
        w.tx.commit().await?;
        Ok(())
    }

    async fn register_device(&self, client_id: Uuid, staff_id: &str, now: i64) -> StoreResult<()> {
        let mut w = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO devices (client_id, staff_id, last_mutation_id, registered_at, last_seen_at,
               last_staff_id)
             VALUES ($1, $2, 0, $3, $3, $2)
             ON CONFLICT (client_id) DO UPDATE SET last_seen_at = $3, last_staff_id = $2
             WHERE devices.retired_at IS NULL",
        )
        .bind(client_id.to_string())
        .bind(staff_id)
        .bind(now)
        .execute(&mut *w.tx)
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    async fn apply_batch(
        &self,
        items: Vec<(Origin<'_>, Verdict<'_>)>,
    ) -> StoreResult<Vec<Outcome>> {
        let Some((first, _)) = items.first() else {
            return Ok(Vec::new());
        };
        let (client_id, staff_id, now) = (first.client_id, first.staff_id, first.now);
        if items
            .iter()
            .any(|(o, _)| o.client_id != client_id || o.staff_id != staff_id)
        {
            return Err(StoreError::Invalid(
                "a batch carries one device's and one author's mutations".into(),
            ));
        }
        let client = client_id.to_string();
        let mut w = self.begin_write().await?;
        // Lock the device row: two pushes from one device apply one after the other, and
        // none after its retirement committed.
        let device: Option<Option<i64>> = sqlx::query_scalar(
            "UPDATE devices SET last_seen_at = $1, last_staff_id = $2 WHERE client_id = $3
             RETURNING retired_at",
        )
        .bind(now)
        .bind(staff_id)
        .bind(client.as_str())
        .fetch_optional(&mut *w.tx)
        .await?;
        match device {
            None => {
                return Err(StoreError::Invalid(format!(
                    "device {client} is not registered"
                )))
            }
            Some(Some(_)) => return Err(StoreError::DeviceRetired(client_id)),
            Some(None) => {}
        }
        // The device row is locked: no other push of this device's runs until we commit, so
        // the outcomes read here are every one there is for these mutations, and the ones
        // written at the end cannot meet another's (the unique key would refuse it, and
        // with it the whole batch, rather than apply a mutation twice).
        let ids: Vec<i64> = items
            .iter()
            .map(|(o, _)| to_i64(o.mutation_id))
            .collect::<StoreResult<_>>()?;
        let mut known = known_outcomes(&mut w.tx, &client, staff_id, &ids).await?;
        let mut outcomes = Vec::with_capacity(items.len());
        let mut fresh: Vec<(i64, String, String)> = Vec::new();
        for ((origin, verdict), mutation_id) in items.into_iter().zip(ids) {
            let outcome = match known.get(&mutation_id) {
                // A retry: its first outcome, never applied again; another change sent
                // under a number already used is refused.
                Some((fingerprint, _))
                    if !fingerprint.is_empty() && fingerprint != origin.fingerprint =>
                {
                    reused_mutation_id()
                }
                Some((_, outcome)) => outcome.clone(),
                None => {
                    let outcome = apply_one(&mut w.tx, &origin, verdict).await?;
                    fresh.push((
                        mutation_id,
                        origin.fingerprint.to_string(),
                        to_json(&outcome)?,
                    ));
                    known.insert(
                        mutation_id,
                        (origin.fingerprint.to_string(), outcome.clone()),
                    );
                    outcome
                }
            };
            outcomes.push(outcome);
        }
        keep_outcomes(&mut w.tx, &client, staff_id, now, &fresh).await?;
        // One commit for the batch: a crash before it leaves none applied, after it all.
        w.tx.commit().await?;
        Ok(outcomes)
    }

    async fn requests_by_ids(&self, ids: &[Uuid]) -> StoreResult<Vec<RequestRecord>> {
        let mut records = Vec::with_capacity(ids.len());
        // In chunks: SQLite's bound-parameter limit is far above, PostgreSQL's too; a
        // chunk keeps each statement small.
        for chunk in ids.chunks(200) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT {REQUEST_COLUMNS} FROM requests WHERE id IN ({})",
                marks.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id.to_string());
            }
            for row in query.fetch_all(&self.pool).await? {
                records.push(record_from_row(&row)?);
            }
        }
        Ok(records)
    }

    async fn server_order(&self) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT value FROM counters WHERE name = 'server_order'")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn cursor_key(&self) -> StoreResult<String> {
        let read = || {
            sqlx::query_scalar::<_, String>("SELECT value FROM settings WHERE name = 'cursor_key'")
                .fetch_optional(&self.pool)
        };
        if let Some(key) = read().await? {
            return Ok(key);
        }
        let mut bytes = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
        let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        // Two instances at once: the first key written is the one both use.
        sqlx::query(
            "INSERT INTO settings (name, value) VALUES ('cursor_key', $1)
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(key)
        .execute(&self.pool)
        .await?;
        read()
            .await?
            .ok_or_else(|| StoreError::Corrupt("cursor_key was not kept".into()))
    }

    async fn changes_after(
        &self,
        viewer: &Viewer,
        after: i64,
        limit: i64,
        own: Option<&OwnChanges>,
    ) -> StoreResult<Vec<RequestRecord>> {
        self.visible_requests(
            viewer,
            "version > $1",
            "version LIMIT $2",
            (after, limit),
            own,
        )
        .await
    }

    async fn changed_after(
        &self,
        viewer: &Viewer,
        after: i64,
        own: Option<&OwnChanges>,
    ) -> StoreResult<bool> {
        // The pull's own visibility clause: section codes are `[a-z0-9-]` (core's admin
        // rule), so its `shared_with` LIKE matches exactly the sections given, and the
        // answer is true exactly when the pull would bring a record.
        let (own_clause, next) = not_own(own, 2);
        let (clause, args) = visibility(viewer, next);
        let sql =
            format!("SELECT version FROM requests WHERE version > $1{own_clause}{clause} LIMIT 1");
        let mut query = sqlx::query_scalar::<_, i64>(&sql).bind(after);
        if let Some(own) = own {
            query = query
                .bind(own.client_id.to_string())
                .bind(own.staff_id.clone())
                .bind(to_i64(own.from).unwrap_or(i64::MAX));
        }
        for a in args {
            query = query.bind(a);
        }
        Ok(query.fetch_optional(&self.pool).await?.is_some())
    }

    async fn list_requests(
        &self,
        viewer: &Viewer,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<RequestRecord>> {
        self.visible_requests(
            viewer,
            "1 = 1",
            "received_at DESC, id DESC LIMIT $1 OFFSET $2",
            (limit, offset),
            None,
        )
        .await
    }

    async fn history(&self, request_id: Uuid) -> StoreResult<Vec<HistoryEntry>> {
        sqlx::query(
            "SELECT version, request_id, staff_id, client_id, mutation_id, at, kind, body
             FROM changes WHERE request_id = $1 ORDER BY version",
        )
        .bind(request_id.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let request_id: String = r.try_get("request_id")?;
            let client_id: Option<String> = r.try_get("client_id")?;
            let mutation_id: Option<i64> = r.try_get("mutation_id")?;
            Ok(HistoryEntry {
                version: r.try_get("version")?,
                request_id: uuid(&request_id)?,
                staff_id: r.try_get("staff_id")?,
                client_id: client_id.as_deref().map(uuid).transpose()?,
                mutation_id: mutation_id.map(to_u64),
                at: r.try_get("at")?,
                kind: r.try_get("kind")?,
                body: r.try_get("body")?,
            })
        })
        .collect()
    }

    async fn request_count(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM requests")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn device(&self, client_id: Uuid) -> StoreResult<Option<DeviceUse>> {
        let row = sqlx::query(
            "SELECT staff_id, last_staff_id, last_seen_at FROM devices WHERE client_id = $1",
        )
        .bind(client_id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => {
                let first: String = r.try_get("staff_id")?;
                let last: Option<String> = r.try_get("last_staff_id")?;
                Ok(Some(DeviceUse {
                    last_staff_id: last.unwrap_or_else(|| first.clone()),
                    first_staff_id: first,
                    last_seen_at: r.try_get("last_seen_at")?,
                }))
            }
            None => Ok(None),
        }
    }
}

fn reused_mutation_id() -> Outcome {
    Outcome::Rejected {
        code: "reused_mutation_id".into(),
        message: Bilingual::new(
            "この端末の変更番号は別の内容ですでに使われています。この変更は保存されませんでした。アプリを更新してから入力し直してください。",
            "This device already sent a different change under this number; this one was not stored. Update the app and enter it again.",
        ),
    }
}

fn duplicate_id() -> Outcome {
    Outcome::Rejected {
        code: "duplicate_id".into(),
        message: Bilingual::new(
            "同じ受付番号の要望がすでに記録されています。この端末の記録は送られませんでした。",
            "A request with this id is already on the ward record; this copy was not stored.",
        ),
    }
}

/// One mutation of a batch, inside its transaction (the device row already locked).
/// The outcomes already kept for these mutations of the device's author: fingerprint
/// and outcome by mutation id.
async fn known_outcomes(
    tx: &mut Transaction<'static, Any>,
    client: &str,
    staff_id: &str,
    ids: &[i64],
) -> StoreResult<std::collections::HashMap<i64, (String, Outcome)>> {
    let mut known = std::collections::HashMap::new();
    for chunk in ids.chunks(200) {
        let marks: Vec<String> = (3..chunk.len() + 3).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT mutation_id, fingerprint, outcome FROM mutation_outcomes
             WHERE client_id = $1 AND staff_id = $2 AND mutation_id IN ({})",
            marks.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(client).bind(staff_id);
        for id in chunk {
            query = query.bind(*id);
        }
        for row in query.fetch_all(&mut **tx).await? {
            let id: i64 = row.try_get("mutation_id")?;
            let outcome: Option<String> = row.try_get("outcome")?;
            let outcome = outcome.ok_or_else(|| {
                StoreError::Corrupt(format!("mutation {client}/{id} has no outcome"))
            })?;
            let outcome = serde_json::from_str(&outcome)
                .map_err(|e| StoreError::Corrupt(format!("stored outcome: {e}")))?;
            known.insert(id, (row.try_get("fingerprint")?, outcome));
        }
    }
    Ok(known)
}

/// Keeps the outcomes of the mutations a batch applied (or refused), a few rows a
/// statement.
async fn keep_outcomes(
    tx: &mut Transaction<'static, Any>,
    client: &str,
    staff_id: &str,
    at: i64,
    fresh: &[(i64, String, String)],
) -> StoreResult<()> {
    for chunk in fresh.chunks(100) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = 3 + i * 4;
                format!("($1, $2, ${b}, ${}, ${}, ${})", b + 1, b + 2, b + 3)
            })
            .collect();
        let sql = format!(
            "INSERT INTO mutation_outcomes (client_id, staff_id, mutation_id, fingerprint, outcome, at)
             VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(client).bind(staff_id);
        for (id, fingerprint, outcome) in chunk {
            query = query
                .bind(*id)
                .bind(fingerprint.as_str())
                .bind(outcome.as_str())
                .bind(at);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// One new mutation of a batch, inside its transaction (the device row already locked):
/// what it does to the ward record, and its outcome (kept by the caller).
async fn apply_one(
    tx: &mut Transaction<'static, Any>,
    origin: &Origin<'_>,
    verdict: Verdict<'_>,
) -> StoreResult<Outcome> {
    let mutation_id = to_i64(origin.mutation_id)?;
    let client = origin.client_id.to_string();
    let outcome = match verdict {
        Verdict::Reject { code, message } => Outcome::Rejected { code, message },
        Verdict::SetFields {
            request_id,
            edits,
            editor,
            catalogue,
        } => super::ledger::set_fields(tx, origin, request_id, edits, editor, catalogue).await?,
        Verdict::AddNote {
            request_id,
            note_id,
            text,
            editor,
            catalogue,
        } => {
            super::ledger::add_note(tx, origin, request_id, note_id, text, editor, catalogue)
                .await?
        }
        Verdict::Create {
            request,
            section,
            catalogue,
        } => {
            let id = request.id.to_string();
            // No look first: the insert below refuses an id already stored (a number
            // taken for it stays unused: a gap is harmless, a skip is not).
            let version: i64 = sqlx::query_scalar(
                "UPDATE counters SET value = value + 1 WHERE name = 'server_order'
                 RETURNING value",
            )
            .fetch_one(&mut **tx)
            .await?;
            let record =
                RequestRecord::created(request, section, origin.staff_id, origin.now, version)
                    .with_due(catalogue);
            let due = |f: fn(&DueDates) -> i64| record.due.as_ref().map(f);
            let inserted = sqlx::query(
                "INSERT INTO requests (id, category, section, title, description, lat, lon,
                   accuracy_m, address, urgency, status, logged_by, logged_at, received_at,
                   version, client_id, mutation_id, landmark, contact, route_by,
                   first_response_by, resolve_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                   $16, $17, $18, $19, $20, $21, $22)
                 ON CONFLICT (id) DO NOTHING",
            )
            // sqlx's Any driver binds a missing f64 as a 4-byte float; a statement cached with that
            // type refuses the next request's coordinates on PostgreSQL (tests/places.rs).
            .persistent(false)
            .bind(id.as_str())
            .bind(record.category.as_str())
            .bind(record.section.as_str())
            .bind(record.title.clone())
            .bind(record.description.clone())
            .bind(request.place.lat)
            .bind(request.place.lon)
            .bind(request.place.accuracy_m)
            .bind(request.place.address.as_str())
            .bind(record.urgency.code())
            .bind(record.status.code())
            .bind(record.logged_by.as_str())
            .bind(record.logged_at)
            .bind(record.received_at)
            .bind(version)
            .bind(client.as_str())
            .bind(mutation_id)
            .bind(request.place.landmark.as_str())
            .bind(to_json(&request.contact)?)
            .bind(due(|d| d.route_by))
            .bind(due(|d| d.first_response_by))
            .bind(due(|d| d.resolve_by))
            .execute(&mut **tx)
            .await?;
            if inserted.rows_affected() == 0 {
                // The id is already stored (this device's copy under another number, or
                // another device's).
                duplicate_id()
            } else {
                let body = serde_json::to_string(&record)
                    .map_err(|e| StoreError::Invalid(e.to_string()))?;
                sqlx::query(
                    "INSERT INTO changes (version, request_id, staff_id, client_id,
                       mutation_id, at, kind, body)
                     VALUES ($1, $2, $3, $4, $5, $6, 'create_request', $7)",
                )
                .bind(version)
                .bind(id.as_str())
                .bind(origin.staff_id)
                .bind(client.as_str())
                .bind(mutation_id)
                .bind(origin.now)
                .bind(body)
                .execute(&mut **tx)
                .await?;
                Outcome::Applied { version }
            }
        }
    };
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_staff_filter_names_their_id_and_sections() {
        let v = Viewer {
            staff_id: "road01".into(),
            role: Role::Field,
            sections: vec!["road".into(), "park".into()],
        };
        let (clause, args) = visibility(&v, 3);
        assert_eq!(
            clause,
            " AND (logged_by = $3 OR section IN ($4, $5) OR shared_with LIKE $6 OR shared_with LIKE $7)"
        );
        assert_eq!(args, ["road01", "road", "park", "%\"road\"%", "%\"park\"%"]);
        let office = Viewer {
            role: Role::Office,
            ..v
        };
        assert_eq!(visibility(&office, 3).0, "");
    }
}
