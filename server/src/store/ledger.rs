//! The ward record's books beyond create: field edits merged field by field, internal
//! notes, who read sensitive details (access log), and the sign-in failures the rate
//! limit counts. Everything lives in the database so several server instances agree.
//!
//! `set_fields` and `add_note` run inside the per-mutation transaction that `apply`
//! opened (after it locked the device row): they take the next server-order number
//! first, so on PostgreSQL concurrent writers queue on the counter row and a request is
//! read, merged and written by one writer at a time.

use async_trait::async_trait;
use koe_core::api::HistoryItem;
use koe_core::merge::{self, FieldVersions};
use koe_core::sync::Outcome;
use koe_core::validation::validate_note;
use koe_core::{Bilingual, Catalogue, FieldEdit, Note, RequestRecord, Viewer};
use sqlx::{Any, Row, Transaction};
use uuid::Uuid;

use super::sql::{json_column, record_from_row, to_json, uuid, REQUEST_COLUMNS};
use super::{Origin, PhotoRecords, SqlStore, StoreResult};

/// One row of the access log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessLogEntry {
    pub staff_id: String,
    pub at: i64,
    pub request_id: Uuid,
    pub path: String,
}

#[async_trait]
pub trait Ledger: Send + Sync {
    /// A request's notes, oldest first.
    async fn notes(&self, request_id: Uuid) -> StoreResult<Vec<Note>>;

    /// A request's history as the API hands it out (bodies parsed).
    async fn history_items(&self, request_id: Uuid) -> StoreResult<Vec<HistoryItem>>;

    /// Records that `staff_id` read the details of a sensitive request.
    async fn log_access(
        &self,
        staff_id: &str,
        request_id: Uuid,
        path: &str,
        at: i64,
    ) -> StoreResult<()>;

    /// Who read a request's sensitive details, oldest first.
    async fn access_log(&self, request_id: Uuid) -> StoreResult<Vec<AccessLogEntry>>;

    /// The times of a key's failed sign-ins after `since`, oldest first.
    async fn sign_in_failures(&self, key: &str, since: i64) -> StoreResult<Vec<i64>>;

    /// Records a failed sign-in under each key; answers the rows' ids.
    async fn record_sign_in_failure(&self, keys: &[String], at: i64) -> StoreResult<Vec<String>>;

    /// Counts a sign-in attempt as failed under each `(key, max)` before its password is
    /// checked, if every key has fewer than its `max` failures after `since`; else counts
    /// nothing and answers each key's failure times (oldest first). One attempt at a time
    /// per key, on one instance or several, so parallel guesses can not all slip under the
    /// limit. `Ok` carries the rows' ids for [`Ledger::release_sign_in_attempt`].
    async fn reserve_sign_in_attempt(
        &self,
        keys: &[(String, usize)],
        at: i64,
        since: i64,
    ) -> StoreResult<Result<Vec<String>, Vec<Vec<i64>>>>;

    /// Takes back an attempt recorded by `record_sign_in_failure` or
    /// `reserve_sign_in_attempt` that was not a failure after all (busy, or signed in).
    async fn release_sign_in_attempt(&self, ids: &[String]) -> StoreResult<()>;

    /// Forgets a key's failures (after a successful sign-in).
    async fn clear_sign_in_failures(&self, key: &str) -> StoreResult<()>;

    /// Requests that left `viewer`'s view by a change in (`after`, `upto`]: re-routed or
    /// unshared away from them (`koe_core::sync::left_view`).
    async fn left_view(&self, viewer: &Viewer, after: i64, upto: i64) -> StoreResult<Vec<Uuid>>;

    /// Deletes expired sessions and sign-in failures older than `failures_before`;
    /// returns how many rows went.
    async fn purge_expired(&self, now: i64, failures_before: i64) -> StoreResult<u64>;
}

fn rejected(code: &str, ja: &str, en: &str) -> Outcome {
    Outcome::Rejected {
        code: code.into(),
        message: Bilingual::new(ja, en),
    }
}

/// One answer for "no such request" and "not yours to see any more" (re-routed away), so
/// a refusal tells nobody whether a request they may not see exists.
fn unknown_request() -> Outcome {
    rejected(
        "unknown_request",
        "この要望は区の記録にないか、担当の変更であなたの端末からは見られなくなりました。この変更は保存されていません。必要なら担当の課に伝えてください。",
        "The ward record has no such request, or it moved to another section and is no longer yours to see. This change was not stored; tell the section in charge if it matters.",
    )
}

fn random_id() -> String {
    uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .to_string()
}

async fn next_version(tx: &mut Transaction<'static, Any>) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "UPDATE counters SET value = value + 1 WHERE name = 'server_order' RETURNING value",
    )
    .fetch_one(&mut **tx)
    .await?)
}

async fn load(
    tx: &mut Transaction<'static, Any>,
    request_id: Uuid,
) -> StoreResult<Option<(RequestRecord, FieldVersions)>> {
    let sql = format!("SELECT {REQUEST_COLUMNS}, field_versions FROM requests WHERE id = $1");
    let Some(row) = sqlx::query(&sql)
        .bind(request_id.to_string())
        .fetch_optional(&mut **tx)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some((
        record_from_row(&row)?,
        json_column(&row, "field_versions")?,
    )))
}

async fn write_change(
    tx: &mut Transaction<'static, Any>,
    origin: &Origin<'_>,
    version: i64,
    request_id: Uuid,
    kind: &str,
    body: &serde_json::Value,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO changes (version, request_id, staff_id, client_id, mutation_id, at, kind, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(version)
    .bind(request_id.to_string())
    .bind(origin.staff_id)
    .bind(origin.client_id.to_string())
    .bind(i64::try_from(origin.mutation_id).unwrap_or(i64::MAX))
    .bind(origin.now)
    .bind(kind)
    .bind(to_json(body)?)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Merges a device's field edits into the stored request (see `koe_core::merge`).
pub(super) async fn set_fields(
    tx: &mut Transaction<'static, Any>,
    origin: &Origin<'_>,
    request_id: Uuid,
    edits: &[FieldEdit],
    editor: &Viewer,
    catalogue: &Catalogue,
) -> StoreResult<Outcome> {
    let version = next_version(tx).await?;
    let Some((current, versions)) = load(tx, request_id).await? else {
        return Ok(unknown_request());
    };
    if !editor.sees(&current) {
        return Ok(unknown_request());
    }
    let merged = match merge::merge(
        &current, &versions, edits, editor, catalogue, version, origin.now,
    ) {
        Ok(m) => m,
        Err(e) => {
            return Ok(Outcome::Rejected {
                code: e.code().to_string(),
                message: e.message(),
            })
        }
    };
    if !merged.changed {
        // Every value was already there: nothing to write (the number taken stays unused).
        return Ok(Outcome::Applied {
            version: current.version,
        });
    }
    // Milestones (first routed, answered, resolved) reached by this change, in the same
    // transaction as the change itself.
    let milestones = koe_core::milestones::advance(&current, &merged.record, origin.now);
    let r = &merged.record;
    let place = r.place.clone().unwrap_or_default();
    sqlx::query(
        "UPDATE requests SET title = $1, description = $2, lat = $3, lon = $4, accuracy_m = $5,
           address = $6, landmark = $7, contact = $8, urgency = $9, status = $10, section = $11,
           shared_with = $12, assignee = $13, response = $14, duplicate_of = $15,
           needs_review = $16, conflicts = $17, field_versions = $18, version = $19,
           routed_at = $21, first_response_at = $22, resolved_at = $23
         WHERE id = $20",
    )
    // sqlx's Any driver binds a missing f64 as a 4-byte float; a statement cached with that
    // type refuses the next request's coordinates on PostgreSQL (tests/places.rs).
    .persistent(false)
    .bind(r.title.clone())
    .bind(r.description.clone())
    .bind(place.lat)
    .bind(place.lon)
    .bind(place.accuracy_m)
    .bind(place.address)
    .bind(place.landmark)
    .bind(to_json(&r.contact)?)
    .bind(r.urgency.code())
    .bind(r.status.code())
    .bind(r.section.as_str())
    .bind(to_json(&r.shared_with)?)
    .bind(r.assignee.clone())
    .bind(r.response.clone())
    .bind(r.duplicate_of.map(|u| u.to_string()))
    .bind(i64::from(r.needs_review))
    .bind(to_json(&r.conflicts)?)
    .bind(to_json(&merged.versions)?)
    .bind(version)
    .bind(request_id.to_string())
    .bind(milestones.routed_at)
    .bind(milestones.first_response_at)
    .bind(milestones.resolved_at)
    .execute(&mut **tx)
    .await?;
    let body = serde_json::json!({
        "before": merged.before,
        "after": merged.after,
        "conflicts": r
            .conflicts
            .iter()
            .filter(|c| !current.conflicts.contains(c))
            .collect::<Vec<_>>(),
        "lost": merged.lost,
    });
    write_change(tx, origin, version, request_id, "set_fields", &body).await?;
    Ok(if merged.lost.is_empty() {
        Outcome::Applied { version }
    } else {
        Outcome::Conflict {
            version,
            fields: merged.lost,
        }
    })
}

/// Appends a note; a note id already stored on this request is acknowledged, not stored
/// again.
pub(super) async fn add_note(
    tx: &mut Transaction<'static, Any>,
    origin: &Origin<'_>,
    request_id: Uuid,
    note_id: Uuid,
    text: &str,
    editor: &Viewer,
    catalogue: &Catalogue,
) -> StoreResult<Outcome> {
    if let Err(e) = validate_note(text) {
        return Ok(Outcome::Rejected {
            code: e.code().to_string(),
            message: e.message(),
        });
    }
    let version = next_version(tx).await?;
    let Some((current, _)) = load(tx, request_id).await? else {
        return Ok(unknown_request());
    };
    if !editor.sees(&current) {
        return Ok(unknown_request());
    }
    if !editor.may_add_note(&current, catalogue) {
        return Ok(rejected(
            "not_allowed",
            "この要望にメモを書く権限がありません。",
            "You may not add notes to this request.",
        ));
    }
    let existing = sqlx::query("SELECT request_id, version FROM notes WHERE id = $1")
        .bind(note_id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(row) = existing {
        let on: String = row.try_get("request_id")?;
        return Ok(if on == request_id.to_string() {
            Outcome::Applied {
                version: row.try_get("version")?,
            }
        } else {
            rejected(
                "duplicate_id",
                "同じ番号のメモが別の要望にあります。このメモは保存されませんでした。",
                "A note with this id is on another request; this one was not stored.",
            )
        });
    }
    let text = text.trim();
    sqlx::query(
        "INSERT INTO notes (id, request_id, staff_id, at, text, version)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(note_id.to_string())
    .bind(request_id.to_string())
    .bind(origin.staff_id)
    .bind(origin.now)
    .bind(text)
    .bind(version)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE requests SET version = $1 WHERE id = $2")
        .bind(version)
        .bind(request_id.to_string())
        .execute(&mut **tx)
        .await?;
    let body = serde_json::json!({"note_id": note_id, "text": text});
    write_change(tx, origin, version, request_id, "add_note", &body).await?;
    Ok(Outcome::Applied { version })
}

#[async_trait]
impl Ledger for SqlStore {
    async fn left_view(&self, viewer: &Viewer, after: i64, upto: i64) -> StoreResult<Vec<Uuid>> {
        if viewer.role.reviews_ward() || upto <= after {
            return Ok(Vec::new());
        }
        // Only requests whose section or sharing changed in the window can have left; a
        // request created in it was never on the device.
        let rows = sqlx::query(
            "SELECT request_id, kind, body FROM changes
             WHERE version > $1 AND version <= $2 AND request_id IN (
               SELECT request_id FROM changes
               WHERE version > $1 AND version <= $2 AND kind = 'set_fields'
                 AND (body LIKE '%\"section\"%' OR body LIKE '%\"shared_with\"%'))
             ORDER BY request_id, version DESC",
        )
        .bind(after)
        .bind(upto)
        .fetch_all(self.pool())
        .await?;
        let mut undone: Vec<(Uuid, bool, Vec<serde_json::Value>)> = Vec::new();
        for row in &rows {
            let id = uuid(&row.try_get::<String, _>("request_id")?)?;
            if undone.last().is_none_or(|(last, _, _)| *last != id) {
                undone.push((id, false, Vec::new()));
            }
            let Some((_, created, befores)) = undone.last_mut() else {
                continue;
            };
            match row.try_get::<String, _>("kind")?.as_str() {
                "create_request" => *created = true,
                "set_fields" => {
                    let body: serde_json::Value = json_column(row, "body")?;
                    befores.push(body.get("before").cloned().unwrap_or_default());
                }
                _ => {}
            }
        }
        let mut gone = Vec::new();
        for (id, created, befores) in undone {
            if created {
                continue;
            }
            let Some(current) = self.request_by_id(id).await? else {
                continue;
            };
            if koe_core::sync::left_view(viewer, current, &befores) {
                gone.push(id);
            }
        }
        Ok(gone)
    }

    async fn notes(&self, request_id: Uuid) -> StoreResult<Vec<Note>> {
        sqlx::query(
            "SELECT id, request_id, staff_id, at, text, version FROM notes
             WHERE request_id = $1 ORDER BY version",
        )
        .bind(request_id.to_string())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let id: String = r.try_get("id")?;
            let request_id: String = r.try_get("request_id")?;
            Ok(Note {
                id: uuid(&id)?,
                request_id: uuid(&request_id)?,
                by: r.try_get("staff_id")?,
                at: r.try_get("at")?,
                text: r.try_get("text")?,
                version: r.try_get("version")?,
            })
        })
        .collect()
    }

    async fn history_items(&self, request_id: Uuid) -> StoreResult<Vec<HistoryItem>> {
        sqlx::query(
            "SELECT version, staff_id, client_id, at, kind, body FROM changes
             WHERE request_id = $1 ORDER BY version",
        )
        .bind(request_id.to_string())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let device: Option<String> = r.try_get("client_id")?;
            Ok(HistoryItem {
                version: r.try_get("version")?,
                by: r.try_get("staff_id")?,
                device: device.as_deref().map(uuid).transpose()?,
                at: r.try_get("at")?,
                kind: r.try_get("kind")?,
                body: json_column(r, "body")?,
            })
        })
        .collect()
    }

    async fn log_access(
        &self,
        staff_id: &str,
        request_id: Uuid,
        path: &str,
        at: i64,
    ) -> StoreResult<()> {
        // One statement (autocommit): no write transaction held while the reader waits.
        sqlx::query(
            "INSERT INTO access_log (id, staff_id, at, request_id, path) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(random_id())
        .bind(staff_id)
        .bind(at)
        .bind(request_id.to_string())
        .bind(path)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn access_log(&self, request_id: Uuid) -> StoreResult<Vec<AccessLogEntry>> {
        sqlx::query(
            "SELECT staff_id, at, request_id, path FROM access_log
             WHERE request_id = $1 ORDER BY at, id",
        )
        .bind(request_id.to_string())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let request_id: String = r.try_get("request_id")?;
            Ok(AccessLogEntry {
                staff_id: r.try_get("staff_id")?,
                at: r.try_get("at")?,
                request_id: uuid(&request_id)?,
                path: r.try_get("path")?,
            })
        })
        .collect()
    }

    async fn sign_in_failures(&self, key: &str, since: i64) -> StoreResult<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT at FROM sign_in_failures WHERE key = $1 AND at > $2 ORDER BY at",
        )
        .bind(key)
        .bind(since)
        .fetch_all(self.pool())
        .await?)
    }

    async fn record_sign_in_failure(&self, keys: &[String], at: i64) -> StoreResult<Vec<String>> {
        let mut ids = Vec::with_capacity(keys.len());
        for key in keys {
            let id = random_id();
            sqlx::query("INSERT INTO sign_in_failures (id, key, at) VALUES ($1, $2, $3)")
                .bind(id.as_str())
                .bind(key.as_str())
                .bind(at)
                .execute(self.pool())
                .await?;
            ids.push(id);
        }
        Ok(ids)
    }

    async fn reserve_sign_in_attempt(
        &self,
        keys: &[(String, usize)],
        at: i64,
        since: i64,
    ) -> StoreResult<Result<Vec<String>, Vec<Vec<i64>>>> {
        // SQLite: BEGIN IMMEDIATE holds the database's write lock. PostgreSQL: a lock per
        // key for the transaction, taken in one order so two attempts can not deadlock.
        let mut w = self.begin_write().await?;
        if super::Store::backend(self) == super::Backend::Postgres {
            let mut names: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
            names.sort_unstable();
            for name in names {
                sqlx::query("SELECT 1 FROM pg_advisory_xact_lock(hashtextextended($1, 0))")
                    .bind(name)
                    .execute(&mut *w.tx)
                    .await?;
            }
        }
        let mut failures = Vec::with_capacity(keys.len());
        for (key, _) in keys {
            let times: Vec<i64> = sqlx::query_scalar(
                "SELECT at FROM sign_in_failures WHERE key = $1 AND at > $2 ORDER BY at",
            )
            .bind(key.as_str())
            .bind(since)
            .fetch_all(&mut *w.tx)
            .await?;
            failures.push(times);
        }
        if keys
            .iter()
            .zip(&failures)
            .any(|((_, max), f)| f.len() >= *max)
        {
            w.tx.rollback().await?;
            return Ok(Err(failures));
        }
        let mut ids = Vec::with_capacity(keys.len());
        for (key, _) in keys {
            let id = random_id();
            sqlx::query("INSERT INTO sign_in_failures (id, key, at) VALUES ($1, $2, $3)")
                .bind(id.as_str())
                .bind(key.as_str())
                .bind(at)
                .execute(&mut *w.tx)
                .await?;
            ids.push(id);
        }
        w.tx.commit().await?;
        Ok(Ok(ids))
    }

    async fn release_sign_in_attempt(&self, ids: &[String]) -> StoreResult<()> {
        for id in ids {
            sqlx::query("DELETE FROM sign_in_failures WHERE id = $1")
                .bind(id.as_str())
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }

    async fn clear_sign_in_failures(&self, key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sign_in_failures WHERE key = $1")
            .bind(key)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn purge_expired(&self, now: i64, failures_before: i64) -> StoreResult<u64> {
        let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(self.pool())
            .await?
            .rows_affected();
        let failures = sqlx::query("DELETE FROM sign_in_failures WHERE at <= $1")
            .bind(failures_before)
            .execute(self.pool())
            .await?
            .rows_affected();
        Ok(sessions + failures)
    }
}
