//! 重複の候補: the stored requests that may be the same matter as one being routed. The
//! store only pre-selects (same category group, received within the window, near enough
//! by a bounding box or without a fix); `koe_core::duplicates` decides, and the route
//! applies who may see what.

use async_trait::async_trait;
use koe_core::RequestRecord;
use uuid::Uuid;

use super::sql::{record_from_row, REQUEST_COLUMNS};
use super::{SqlStore, StoreResult};

/// The most rows one pre-selection reads.
pub const CANDIDATE_ROWS: i64 = 500;

/// Metres per degree of latitude (and of longitude at the equator), rounded down so the
/// box is never smaller than the circle it must hold.
const METRES_PER_DEGREE: f64 = 111_000.0;

/// What to pre-select for [`Duplicates::duplicate_candidates`].
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateQuery {
    /// The request whose duplicates are sought (not itself a candidate).
    pub request_id: Uuid,
    /// Category codes of its group.
    pub categories: Vec<String>,
    /// Received between these (ms since the epoch, inclusive).
    pub from: i64,
    pub to: i64,
    /// Its fix and the category's distance: only rows inside the box around it, or with
    /// no fix of their own (they may still match by address). `None`: only rows with an
    /// address, since without a fix only the address can match.
    pub near: Option<(f64, f64, f64)>,
}

impl CandidateQuery {
    /// The bounding box (south, north, west, east) around `lat, lon` holding every point
    /// within `radius_m`.
    pub fn bounding_box(lat: f64, lon: f64, radius_m: f64) -> (f64, f64, f64, f64) {
        let dlat = radius_m / METRES_PER_DEGREE;
        // Longitude degrees shrink with the cosine of the latitude; near the poles the box
        // is the whole circle of longitudes.
        let cos = lat.to_radians().cos();
        let dlon = if cos > 0.01 {
            radius_m / (METRES_PER_DEGREE * cos)
        } else {
            360.0
        };
        (lat - dlat, lat + dlat, lon - dlon, lon + dlon)
    }
}

#[async_trait]
pub trait Duplicates: Send + Sync {
    /// The stored requests `query` pre-selects, as stored (not filtered for a reader),
    /// closest in time first, at most [`CANDIDATE_ROWS`].
    async fn duplicate_candidates(&self, query: &CandidateQuery)
        -> StoreResult<Vec<RequestRecord>>;
}

#[async_trait]
impl Duplicates for SqlStore {
    async fn duplicate_candidates(
        &self,
        query: &CandidateQuery,
    ) -> StoreResult<Vec<RequestRecord>> {
        if query.categories.is_empty() {
            return Ok(Vec::new());
        }
        // $1 id, $2 from, $3 to, then the categories, then the box.
        let marks: Vec<String> = (0..query.categories.len())
            .map(|i| format!("${}", 4 + i))
            .collect();
        let next = 4 + query.categories.len();
        let place = match query.near {
            Some(_) => format!(
                " AND ((lat BETWEEN ${} AND ${} AND lon BETWEEN ${} AND ${}) \
                 OR lat IS NULL OR lon IS NULL)",
                next,
                next + 1,
                next + 2,
                next + 3
            ),
            None => " AND address <> ''".to_string(),
        };
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM requests
             WHERE id <> $1 AND received_at BETWEEN $2 AND $3
               AND category IN ({}){place}
             ORDER BY received_at DESC, id DESC LIMIT {CANDIDATE_ROWS}",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql)
            .bind(query.request_id.to_string())
            .bind(query.from)
            .bind(query.to);
        for c in &query.categories {
            q = q.bind(c.as_str());
        }
        if let Some((lat, lon, radius)) = query.near {
            let (south, north, west, east) = CandidateQuery::bounding_box(lat, lon, radius);
            q = q.bind(south).bind(north).bind(west).bind(east);
        }
        q.fetch_all(self.pool())
            .await?
            .iter()
            .map(record_from_row)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use koe_core::duplicates::haversine_m;

    #[test]
    fn the_box_holds_the_circle() {
        for (lat, lon) in [(35.59, 139.61), (0.0, 0.0), (-60.0, 10.0)] {
            let r = 500.0;
            let (s, n, w, e) = CandidateQuery::bounding_box(lat, lon, r);
            assert!(haversine_m((lat, lon), (n, lon)) >= r);
            assert!(haversine_m((lat, lon), (s, lon)) >= r);
            assert!(haversine_m((lat, lon), (lat, e)) >= r);
            assert!(haversine_m((lat, lon), (lat, w)) >= r);
        }
    }
}
