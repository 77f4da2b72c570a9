//! What the reports (`/api/reports/…`) read: the requests of a period with their due dates
//! and milestones. The figures themselves are computed in `koe_core::report`.

use async_trait::async_trait;
use futures_util::TryStreamExt;
use koe_core::RequestRecord;

use super::sql::{record_from_row, REQUEST_COLUMNS};
use super::{SqlStore, StoreResult};

#[async_trait]
pub trait Reports: Send + Sync {
    /// Every request received from `from` to `to` (ms since the epoch, both included),
    /// and every request received before `from` that was not yet resolved at `from` (for
    /// the backlog), oldest first, each handed to `each` as it is read (a report folds
    /// them; the period's records are never all held). Unfiltered: the report applies
    /// `Viewer::sees`.
    async fn report_requests(
        &self,
        from: i64,
        to: i64,
        each: &mut (dyn FnMut(RequestRecord) + Send),
    ) -> StoreResult<()>;
}

#[async_trait]
impl Reports for SqlStore {
    async fn report_requests(
        &self,
        from: i64,
        to: i64,
        each: &mut (dyn FnMut(RequestRecord) + Send),
    ) -> StoreResult<()> {
        // A request finished before milestones were kept (no `resolved_at`) counts as
        // resolved for the backlog: it is read only if received in the period.
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM requests
             WHERE received_at <= $2
               AND (received_at >= $1
                    OR resolved_at >= $1
                    OR (resolved_at IS NULL AND status IN ('new', 'routed', 'in_progress')))
             ORDER BY received_at, id"
        );
        // Row by row: one decoded row and one record at a time.
        let mut rows = sqlx::query(&sql).bind(from).bind(to).fetch(self.pool());
        while let Some(row) = rows.try_next().await? {
            each(record_from_row(&row)?);
        }
        Ok(())
    }
}
