//! The office's request list in SQL: every condition of [`RequestFilter`] is a `WHERE`
//! term, so a page of 50 out of 100,000 requests is read, counted and sorted by the
//! database (the indexes are migration 7), never by loading the ward into memory. The
//! same SQL runs on SQLite and PostgreSQL: `$n` parameters, `IN`, `LIKE … ESCAPE`,
//! `LOWER`, `CASE`.
//!
//! Access is decided here exactly as `Viewer::sees` decides it (the route applies
//! `Viewer::sees` and `Viewer::redact` again to every row), and a condition on anything
//! a redacted request hides (`RequestFilter::asks_about_details`: category, urgency,
//! dates, assignee, sharing, the search text) only matches requests whose details the
//! reader may read: a 要配慮 request is never found, nor counted, by what is in it
//! unless the reader may read it.
//!
//! Open311 reads through [`Listing::public_requests`]: only the categories and sections
//! `koe_core::open311` publishes are ever selected.

use async_trait::async_trait;
use koe_core::filter::{escape_like, AssigneeFilter, RequestFilter, Sort};
use koe_core::{Catalogue, RequestRecord, Status, Viewer};
use sqlx::Row;
use uuid::Uuid;

use super::sql::{record_from_row, REQUEST_COLUMNS};
use super::{SqlStore, StoreResult};

/// What `GET /open311/v2/requests` asks for. Empty lists mean "any".
#[derive(Debug, Clone, Default)]
pub struct PublicQuery {
    /// Only these requests (the other conditions still apply to what is published).
    pub ids: Vec<Uuid>,
    /// The categories that may be published (never empty: nothing is published then).
    pub categories: Vec<String>,
    /// The sections that may be published.
    pub sections: Vec<String>,
    pub statuses: Vec<Status>,
    /// Received at or after / at or before (ms since the epoch).
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub limit: i64,
}

#[async_trait]
pub trait Listing: Send + Sync {
    /// One page of the office list (`filter.limit` at `filter.offset`) that `viewer` may
    /// see, and how many match in all. `now` (ms since the epoch) decides what is overdue.
    async fn list_page(
        &self,
        viewer: &Viewer,
        filter: &RequestFilter,
        catalogue: &Catalogue,
        now: i64,
    ) -> StoreResult<(Vec<RequestRecord>, i64)>;

    /// Requests for Open311, newest first, each with when it last changed.
    async fn public_requests(&self, query: &PublicQuery) -> StoreResult<Vec<(RequestRecord, i64)>>;
}

/// A bound parameter.
#[derive(Debug, Clone, PartialEq)]
enum Arg {
    Text(String),
    Int(i64),
}

/// `WHERE` terms and their parameters, numbered `$1…` in the order they are added.
#[derive(Debug, Default)]
struct Conditions {
    terms: Vec<String>,
    args: Vec<Arg>,
}

impl Conditions {
    /// The next parameter's placeholder, binding `arg` to it.
    fn arg(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    fn text(&mut self, value: &str) -> String {
        self.arg(Arg::Text(value.to_string()))
    }

    fn int(&mut self, value: i64) -> String {
        self.arg(Arg::Int(value))
    }

    /// `column IN ($a, $b, …)`; no values: a term that matches nothing.
    fn one_of(&mut self, column: &str, values: &[String]) -> String {
        if values.is_empty() {
            return "1 = 0".into();
        }
        let marks: Vec<String> = values.iter().map(|v| self.text(v)).collect();
        format!("{column} IN ({})", marks.join(", "))
    }

    /// `shared_with` (a JSON array of section codes) names one of `sections`.
    fn shared_with_any(&mut self, sections: &[String]) -> String {
        if sections.is_empty() {
            return "1 = 0".into();
        }
        let terms: Vec<String> = sections
            .iter()
            .map(|s| {
                let mark = self.text(&format!("%\"{}\"%", escape_like(s)));
                format!("shared_with LIKE {mark} ESCAPE '\\'")
            })
            .collect();
        format!("({})", terms.join(" OR "))
    }

    fn push(&mut self, term: String) {
        self.terms.push(term);
    }

    fn where_clause(&self) -> String {
        if self.terms.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.terms.join(" AND "))
        }
    }

    fn bind<'q>(
        &self,
        mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        for a in &self.args {
            query = match a {
                Arg::Text(t) => query.bind(t.clone()),
                Arg::Int(n) => query.bind(*n),
            };
        }
        query
    }
}

/// The statuses the office is still working on, as SQL literals.
const OPEN_STATUSES: &str = "'new', 'routed', 'in_progress'";

/// The SQL half of `Viewer::sees`: ward-reviewing roles see everything; field staff
/// what they logged, what is routed to their sections and what is shared with them.
fn visibility(c: &mut Conditions, viewer: &Viewer) {
    if viewer.role.reviews_ward() {
        return;
    }
    let me = c.text(&viewer.staff_id);
    let mut terms = vec![format!("logged_by = {me}")];
    if !viewer.sections.is_empty() {
        terms.push(c.one_of("section", &viewer.sections));
        terms.push(c.shared_with_any(&viewer.sections));
    }
    c.push(format!("({})", terms.join(" OR ")));
}

/// Every condition of the office list for `viewer`.
fn list_conditions(
    viewer: &Viewer,
    filter: &RequestFilter,
    catalogue: &Catalogue,
    now: i64,
) -> Conditions {
    let mut c = Conditions::default();
    visibility(&mut c, viewer);
    if !filter.statuses.is_empty() {
        let codes: Vec<String> = filter.statuses.iter().map(|s| s.code().into()).collect();
        let term = c.one_of("status", &codes);
        c.push(term);
    }
    if let Some(d) = &filter.department {
        let sections: Vec<String> = catalogue
            .sections
            .iter()
            .filter(|s| &s.department == d)
            .map(|s| s.code.clone())
            .collect();
        let term = c.one_of("section", &sections);
        c.push(term);
    }
    if let Some(s) = &filter.section {
        let term = format!("section = {}", c.text(s));
        c.push(term);
    }
    if let Some(code) = &filter.category {
        let term = format!("category = {}", c.text(code));
        c.push(term);
    }
    if let Some(u) = filter.urgency {
        let term = format!("urgency = {}", c.text(u.code()));
        c.push(term);
    }
    let (from, to) = filter.received_range();
    if let Some(from) = from {
        let term = format!("received_at >= {}", c.int(from));
        c.push(term);
    }
    if let Some(to) = to {
        let term = format!("received_at <= {}", c.int(to));
        c.push(term);
    }
    if filter.overdue {
        // `koe_core::filter::is_overdue`: open, and `now` is after the resolve-by time.
        let term = format!(
            "status IN ({OPEN_STATUSES}) AND resolve_by IS NOT NULL AND resolve_by < {}",
            c.int(now)
        );
        c.push(term);
    }
    match &filter.assignee {
        Some(AssigneeFilter::Nobody) => c.push("(assignee IS NULL OR assignee = '')".into()),
        Some(AssigneeFilter::Staff(id)) => {
            let term = format!("assignee = {}", c.text(id));
            c.push(term);
        }
        None => {}
    }
    if filter.shared_mine {
        let term = c.shared_with_any(&viewer.sections);
        c.push(term);
    }
    if let Some(pattern) = filter.like_pattern() {
        let p = c.text(&pattern);
        // Both sides through the database's own LOWER: exact text always matches, Latin
        // letters in any case on both databases.
        let term = format!(
            "(LOWER(title) LIKE LOWER({p}) ESCAPE '\\' OR LOWER(description) LIKE LOWER({p}) ESCAPE '\\')"
        );
        c.push(term);
    }
    if filter.asks_about_details() && !viewer.reads_sensitive(catalogue) {
        // `RequestFilter::asks_about_details`: a condition on what a redacted request
        // hides only matches what the reader may read: ordinary categories (a category
        // missing from the catalogue counts as sensitive), or requests they logged.
        let readable: Vec<String> = catalogue
            .categories
            .iter()
            .filter(|cat| !cat.sensitive)
            .map(|cat| cat.code.clone())
            .collect();
        // `|| ''` keeps the planner off the category and author indexes here: using
        // them for this OR meant fetching and sorting most of the ward (2 s on
        // 100,000 requests on SQLite) instead of walking the list's order.
        let in_readable = c.one_of("(category || '')", &readable);
        let me = c.text(&viewer.staff_id);
        c.push(format!("({in_readable} OR (logged_by || '') = {me})"));
    }
    c
}

fn order_by(sort: Sort) -> &'static str {
    match sort {
        Sort::ReceivedDesc => "received_at DESC, id DESC",
        Sort::ReceivedAsc => "received_at ASC, id ASC",
        Sort::DueAsc => {
            "CASE WHEN resolve_by IS NULL THEN 1 ELSE 0 END, resolve_by ASC, received_at ASC, id ASC"
        }
        Sort::UpdatedDesc => "version DESC",
    }
}

#[async_trait]
impl Listing for SqlStore {
    async fn list_page(
        &self,
        viewer: &Viewer,
        filter: &RequestFilter,
        catalogue: &Catalogue,
        now: i64,
    ) -> StoreResult<(Vec<RequestRecord>, i64)> {
        let mut c = list_conditions(viewer, filter, catalogue, now);
        let where_clause = c.where_clause();
        let count_sql = format!("SELECT COUNT(*) AS n FROM requests{where_clause}");
        let total: i64 = c
            .bind(sqlx::query(&count_sql))
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        if total <= filter.offset {
            return Ok((Vec::new(), total));
        }
        let limit = c.int(filter.limit.max(1));
        let offset = c.int(filter.offset.max(0));
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM requests{where_clause} ORDER BY {} LIMIT {limit} OFFSET {offset}",
            order_by(filter.sort)
        );
        let records = c
            .bind(sqlx::query(&sql))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(record_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((records, total))
    }

    async fn public_requests(&self, query: &PublicQuery) -> StoreResult<Vec<(RequestRecord, i64)>> {
        let mut c = Conditions::default();
        let term = c.one_of("category", &query.categories);
        c.push(term);
        let term = c.one_of("section", &query.sections);
        c.push(term);
        if !query.ids.is_empty() {
            let ids: Vec<String> = query.ids.iter().map(Uuid::to_string).collect();
            let term = c.one_of("id", &ids);
            c.push(term);
        }
        if !query.statuses.is_empty() {
            let codes: Vec<String> = query.statuses.iter().map(|s| s.code().into()).collect();
            let term = c.one_of("status", &codes);
            c.push(term);
        }
        if let Some(start) = query.start {
            let term = format!("received_at >= {}", c.int(start));
            c.push(term);
        }
        if let Some(end) = query.end {
            let term = format!("received_at <= {}", c.int(end));
            c.push(term);
        }
        let where_clause = c.where_clause();
        let limit = c.int(query.limit.max(1));
        let sql = format!(
            "SELECT {REQUEST_COLUMNS},
               (SELECT MAX(x.at) FROM changes x WHERE x.request_id = requests.id) AS updated_at
             FROM requests{where_clause} ORDER BY received_at DESC, id DESC LIMIT {limit}"
        );
        c.bind(sqlx::query(&sql))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|row| {
                let record = record_from_row(row)?;
                let updated: Option<i64> = row.try_get("updated_at")?;
                let updated = updated.unwrap_or(record.received_at);
                Ok((record, updated))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use koe_core::Role;

    fn viewer(role: Role, sections: &[&str]) -> Viewer {
        Viewer {
            staff_id: "me".into(),
            role,
            sections: sections.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn field_staff_see_their_own_sections_and_shares_only() {
        let mut c = Conditions::default();
        visibility(&mut c, &viewer(Role::Field, &["road", "park"]));
        assert_eq!(
            c.terms,
            ["(logged_by = $1 OR section IN ($2, $3) OR (shared_with LIKE $4 ESCAPE '\\' OR shared_with LIKE $5 ESCAPE '\\'))"]
        );
        assert_eq!(c.args[3], Arg::Text("%\"road\"%".into()));
        let mut c = Conditions::default();
        visibility(&mut c, &viewer(Role::Office, &["road"]));
        assert!(c.terms.is_empty() && c.args.is_empty());
    }

    #[test]
    fn search_is_limited_to_readable_categories_for_non_welfare_readers() {
        let cat = koe_server_sample();
        let f = RequestFilter {
            q: Some("見守り".into()),
            ..RequestFilter::default()
        };
        let clerk = list_conditions(&viewer(Role::Office, &["residents"]), &f, &cat, 0);
        let term = clerk.terms.last().unwrap();
        assert!(term.contains("(category || '') IN"), "{term}");
        assert!(!clerk.args.contains(&Arg::Text("welfare-elderly".into())));
        let admin = list_conditions(&viewer(Role::Admin, &[]), &f, &cat, 0);
        assert!(!admin.terms.last().unwrap().contains("category"));
    }

    fn koe_server_sample() -> Catalogue {
        crate::seed::Seed::demo().expect("demo seed").catalogue
    }
}
