//! The ward's devices (a device belongs to the ward, not a person): who signed in on which,
//! each person's device key there, what the device last reported waits on it, and its
//! retirement by an administrator.
//!
//! Every write here starts by updating the device's row, so on PostgreSQL it holds that
//! row's lock until commit: a sign-in and a retirement of the same device queue one behind
//! the other, and a sign-in that comes second sees the retirement and makes no session. On
//! SQLite there is one writer anyway.

use async_trait::async_trait;
use koe_core::api::{DevicePerson, DeviceSummary, WaitingWork};
use serde_json::json;
use sqlx::Row;
use uuid::Uuid;

use super::sql::uuid;
use super::{SqlStore, StoreError, StoreResult, Written};

type Conn = sqlx::AnyConnection;

/// What a write about a device came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceOutcome<T> {
    Done(T),
    /// The ward record has never seen this device.
    Unknown,
    /// An administrator retired it; nothing was written.
    Retired,
}

#[async_trait]
pub trait Devices: Send + Sync {
    /// Signs `staff_id` in on device `client_id`, in one transaction: registers the device
    /// if new, notes the sign-in, and creates the session naming the device. Answers the
    /// person's device key there — the one stored, or `new_key` at their first sign-in on
    /// it — or `Retired` (and no session).
    async fn create_device_session(
        &self,
        token_hash: &str,
        staff_id: &str,
        client_id: Uuid,
        new_key: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<DeviceOutcome<String>>;

    /// When the device was retired; `None` while in use, and for a device never seen.
    async fn device_retired_at(&self, client_id: Uuid) -> StoreResult<Option<i64>>;

    /// Keeps what the device says waits on it: each listed person's counts on their row
    /// (people with no row are ignored), 0 for everyone else who signed in there.
    async fn report_device(
        &self,
        client_id: Uuid,
        waiting: &[WaitingWork],
        now: i64,
    ) -> StoreResult<DeviceOutcome<()>>;

    /// At most `limit` devices, the most recently seen first, each with who signed in on
    /// it, the most recent first.
    async fn device_summaries(&self, limit: i64) -> StoreResult<Vec<DeviceSummary>>;

    /// Retires a device, logged in the change log by `by`: every session naming it ends
    /// and its device keys are dropped, in one transaction. Retiring it again changes
    /// nothing (it keeps the first time) and logs nothing.
    async fn retire_device(
        &self,
        by: &str,
        client_id: Uuid,
        now: i64,
    ) -> StoreResult<Written<DeviceSummary>>;
}

fn count(n: Option<i64>, column: &str) -> StoreResult<u32> {
    let n = n.unwrap_or(0);
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("{column} {n} is not a count")))
}

/// The devices (one, or the `limit` most recently seen) with their people.
async fn summaries_in(
    conn: &mut Conn,
    one: Option<Uuid>,
    limit: i64,
) -> StoreResult<Vec<DeviceSummary>> {
    let filter = if one.is_some() {
        "WHERE client_id = $2"
    } else {
        ""
    };
    let sql = format!(
        "SELECT d.client_id, d.registered_at, d.last_seen_at, d.reported_at, d.retired_at,
           p.staff_id, s.name, p.first_signed_in_at, p.last_signed_in_at, p.waiting_mutations,
           p.waiting_photos
         FROM (SELECT client_id, registered_at, last_seen_at, reported_at, retired_at
               FROM devices {filter} ORDER BY last_seen_at DESC, client_id LIMIT $1) d
         LEFT JOIN device_people p ON p.client_id = d.client_id
         LEFT JOIN staff s ON s.id = p.staff_id
         ORDER BY d.last_seen_at DESC, d.client_id, p.last_signed_in_at DESC, p.staff_id"
    );
    let mut query = sqlx::query(&sql).bind(limit);
    if let Some(id) = one {
        query = query.bind(id.to_string());
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut list: Vec<DeviceSummary> = Vec::new();
    for row in &rows {
        let client_id = uuid(&row.try_get::<String, _>("client_id")?)?;
        if list.last().is_none_or(|d| d.client_id != client_id) {
            list.push(DeviceSummary {
                client_id,
                first_seen_at: row.try_get("registered_at")?,
                last_seen_at: row.try_get("last_seen_at")?,
                reported_at: row.try_get("reported_at")?,
                retired_at: row.try_get("retired_at")?,
                people: Vec::new(),
            });
        }
        let staff_id: Option<String> = row.try_get("staff_id")?;
        if let (Some(device), Some(staff_id)) = (list.last_mut(), staff_id) {
            let name: Option<String> = row.try_get("name")?;
            device.people.push(DevicePerson {
                name: name.unwrap_or_else(|| staff_id.clone()),
                staff_id,
                first_signed_in_at: row.try_get("first_signed_in_at")?,
                last_signed_in_at: row.try_get("last_signed_in_at")?,
                waiting_mutations: count(row.try_get("waiting_mutations")?, "waiting_mutations")?,
                waiting_photos: count(row.try_get("waiting_photos")?, "waiting_photos")?,
            });
        }
    }
    Ok(list)
}

#[async_trait]
impl Devices for SqlStore {
    async fn create_device_session(
        &self,
        token_hash: &str,
        staff_id: &str,
        client_id: Uuid,
        new_key: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<DeviceOutcome<String>> {
        let client = client_id.to_string();
        let mut w = self.begin_write().await?;
        let tx = &mut w.tx;
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut **tx)
            .await?;
        // As a first push registers it: `staff_id` is who used it first.
        sqlx::query(
            "INSERT INTO devices (client_id, staff_id, last_mutation_id, registered_at, last_seen_at)
             VALUES ($1, $2, 0, $3, $3) ON CONFLICT (client_id) DO NOTHING",
        )
        .bind(client.as_str())
        .bind(staff_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        // Takes the device row's lock (see the module's comment).
        let retired_at: Option<i64> = sqlx::query_scalar(
            "UPDATE devices SET last_seen_at = $1 WHERE client_id = $2 RETURNING retired_at",
        )
        .bind(now)
        .bind(client.as_str())
        .fetch_one(&mut **tx)
        .await?;
        if retired_at.is_some() {
            // Dropped without commit: nothing of this sign-in is kept.
            return Ok(DeviceOutcome::Retired);
        }
        // The key is made once per (device, person); COALESCE only refills one dropped by
        // hand, since retirement (which drops them) is for good.
        let key: Option<String> = sqlx::query_scalar(
            "INSERT INTO device_people (client_id, staff_id, device_key, first_signed_in_at,
               last_signed_in_at, waiting_mutations, waiting_photos)
             VALUES ($1, $2, $3, $4, $4, 0, 0)
             ON CONFLICT (client_id, staff_id) DO UPDATE SET last_signed_in_at = excluded.last_signed_in_at,
               device_key = COALESCE(device_people.device_key, excluded.device_key)
             RETURNING device_key",
        )
        .bind(client.as_str())
        .bind(staff_id)
        .bind(new_key)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
        let key = key.ok_or_else(|| {
            StoreError::Corrupt(format!("device {client} has no key for {staff_id}"))
        })?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, staff_id, created_at, expires_at, client_id)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(staff_id)
        .bind(now)
        .bind(expires_at)
        .bind(client.as_str())
        .execute(&mut **tx)
        .await?;
        w.tx.commit().await?;
        Ok(DeviceOutcome::Done(key))
    }

    async fn device_retired_at(&self, client_id: Uuid) -> StoreResult<Option<i64>> {
        let retired: Option<Option<i64>> =
            sqlx::query_scalar("SELECT retired_at FROM devices WHERE client_id = $1")
                .bind(client_id.to_string())
                .fetch_optional(self.pool())
                .await?;
        Ok(retired.flatten())
    }

    async fn report_device(
        &self,
        client_id: Uuid,
        waiting: &[WaitingWork],
        now: i64,
    ) -> StoreResult<DeviceOutcome<()>> {
        let client = client_id.to_string();
        let mut w = self.begin_write().await?;
        let tx = &mut w.tx;
        let device: Option<Option<i64>> = sqlx::query_scalar(
            "UPDATE devices SET reported_at = $1, last_seen_at = $1 WHERE client_id = $2
             RETURNING retired_at",
        )
        .bind(now)
        .bind(client.as_str())
        .fetch_optional(&mut **tx)
        .await?;
        match device {
            None => return Ok(DeviceOutcome::Unknown),
            Some(Some(_)) => return Ok(DeviceOutcome::Retired),
            Some(None) => {}
        }
        // The report is the whole picture: whoever it leaves out has nothing waiting.
        sqlx::query(
            "UPDATE device_people SET waiting_mutations = 0, waiting_photos = 0
             WHERE client_id = $1",
        )
        .bind(client.as_str())
        .execute(&mut **tx)
        .await?;
        for work in waiting {
            sqlx::query(
                "UPDATE device_people SET waiting_mutations = $1, waiting_photos = $2
                 WHERE client_id = $3 AND staff_id = $4",
            )
            .bind(i64::from(work.mutations))
            .bind(i64::from(work.photos))
            .bind(client.as_str())
            .bind(work.staff_id.as_str())
            .execute(&mut **tx)
            .await?;
        }
        w.tx.commit().await?;
        Ok(DeviceOutcome::Done(()))
    }

    async fn device_summaries(&self, limit: i64) -> StoreResult<Vec<DeviceSummary>> {
        let mut conn = self.pool().acquire().await?;
        summaries_in(&mut conn, None, limit).await
    }

    async fn retire_device(
        &self,
        by: &str,
        client_id: Uuid,
        now: i64,
    ) -> StoreResult<Written<DeviceSummary>> {
        let client = client_id.to_string();
        let mut change = self.begin_change(by, now).await?;
        // Takes the device row's lock first: a sign-in under way commits before (and its
        // session is ended below) or waits and then sees the device retired.
        let locked: Option<Option<i64>> = sqlx::query_scalar(
            "UPDATE devices SET last_seen_at = last_seen_at WHERE client_id = $1
             RETURNING retired_at",
        )
        .bind(client.as_str())
        .fetch_optional(change.tx())
        .await?;
        let Some(retired_at) = locked else {
            return Ok(Written::Missing);
        };
        let before = summaries_in(change.tx(), Some(client_id), 1)
            .await?
            .pop()
            .ok_or_else(|| StoreError::Corrupt(format!("device {client} is gone in a write")))?;
        if retired_at.is_some() {
            // Already retired: dropped without commit, so the change-log number goes back.
            return Ok(Written::Done(before));
        }
        sqlx::query("UPDATE devices SET retired_at = $1 WHERE client_id = $2")
            .bind(now)
            .bind(client.as_str())
            .execute(change.tx())
            .await?;
        let ended = sqlx::query("DELETE FROM sessions WHERE client_id = $1")
            .bind(client.as_str())
            .execute(change.tx())
            .await?
            .rows_affected();
        sqlx::query("UPDATE device_people SET device_key = NULL WHERE client_id = $1")
            .bind(client.as_str())
            .execute(change.tx())
            .await?;
        let after = summaries_in(change.tx(), Some(client_id), 1)
            .await?
            .pop()
            .ok_or_else(|| StoreError::Corrupt(format!("device {client} is gone after a write")))?;
        // Never a device key: only who used the device and what it ended.
        let logged_before = json!({ "device": before });
        let logged_after = json!({ "device": after, "sessions_ended": ended });
        change
            .log_and_commit(
                "device.retire",
                &client,
                Some(&logged_before),
                Some(&logged_after),
            )
            .await?;
        Ok(Written::Done(after))
    }
}
