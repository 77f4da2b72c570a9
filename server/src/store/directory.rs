//! The office's staff directory: who works in which section, for assigning a request
//! (担当者). Ids, names, roles and sections only: never secrets or password hashes.

use async_trait::async_trait;
use koe_core::directory::StaffEntry;

use super::{SqlStore, StoreResult};

#[async_trait]
pub trait Directory: Send + Sync {
    /// Active staff, by id; only members of `section` when given.
    async fn staff_directory(&self, section: Option<&str>) -> StoreResult<Vec<StaffEntry>>;
}

#[async_trait]
impl Directory for SqlStore {
    async fn staff_directory(&self, section: Option<&str>) -> StoreResult<Vec<StaffEntry>> {
        let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT s.id, s.name, s.role, x.section FROM staff s
             LEFT JOIN staff_sections x ON x.staff_id = s.id
             WHERE s.disabled = 0
             ORDER BY s.id, x.position",
        )
        .fetch_all(self.pool())
        .await?;
        let mut list: Vec<StaffEntry> = Vec::new();
        for (id, name, role, sec) in rows {
            if list.last().is_none_or(|e| e.id != id) {
                list.push(StaffEntry {
                    id,
                    name,
                    role: super::sql::role(&role)?,
                    sections: Vec::new(),
                });
            }
            if let (Some(entry), Some(sec)) = (list.last_mut(), sec) {
                entry.sections.push(sec);
            }
        }
        if let Some(section) = section {
            list.retain(|e| e.sections.iter().any(|s| s == section));
        }
        Ok(list)
    }
}
