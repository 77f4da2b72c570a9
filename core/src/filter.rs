//! The office's request list filter (`GET /api/requests?…`, and the exports of the same
//! list): one definition of the query parameters, read by the ward record and written by
//! the app, so the two cannot disagree.
//!
//! | parameter    | meaning                                                             |
//! |--------------|---------------------------------------------------------------------|
//! | `status`     | comma list of status codes (`new,routed,in_progress`)               |
//! | `department` | department code: requests routed to one of its sections             |
//! | `section`    | section code (the responsible section)                              |
//! | `category`   | category code                                                       |
//! | `urgency`    | urgency code                                                        |
//! | `from`, `to` | ISO dates (Japan), inclusive, on when the ward record received it   |
//! | `overdue`    | `true`: still open and past its resolve-by date                     |
//! | `assignee`   | a staff id, or `none` for nobody assigned                           |
//! | `shared`     | `mine`: shared (連携) with one of the reader's sections             |
//! | `q`          | text in the title or description (substring; Latin letters any case)|
//! | `sort`       | `received_desc` (default), `received_asc`, `due_asc`, `updated_desc`|
//! | `limit`      | page size, default [`DEFAULT_LIMIT`], at most [`MAX_LIMIT`]         |
//! | `offset`     | requests to skip                                                    |
//!
//! Unknown parameters are ignored (a cache-buster does no harm); a known one given twice
//! or with a value that does not read is refused with a bilingual message.

use crate::calendar::{end_of_jst_day, iso_date, parse_iso_date, DAY_MS, JST_OFFSET_MS};
use crate::{timeliness, Bilingual, Catalogue, RequestRecord, Status, Timeliness, Urgency, Viewer};

/// Requests on one page of the list when `limit` is not given.
pub const DEFAULT_LIMIT: i64 = 50;
/// The most requests on one page of the list.
pub const MAX_LIMIT: i64 = 200;
/// The longest search text, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// The list's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Newest first (受付日時の新しい順).
    #[default]
    ReceivedDesc,
    /// Oldest first.
    ReceivedAsc,
    /// Soonest resolve-by date first; requests without one last.
    DueAsc,
    /// Most recently changed first.
    UpdatedDesc,
}

impl Sort {
    pub const ALL: [Sort; 4] = [
        Self::ReceivedDesc,
        Self::ReceivedAsc,
        Self::DueAsc,
        Self::UpdatedDesc,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::ReceivedDesc => "received_desc",
            Self::ReceivedAsc => "received_asc",
            Self::DueAsc => "due_asc",
            Self::UpdatedDesc => "updated_desc",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            Self::ReceivedDesc => "受付の新しい順",
            Self::ReceivedAsc => "受付の古い順",
            Self::DueAsc => "期限の近い順",
            Self::UpdatedDesc => "更新の新しい順",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::ReceivedDesc => "Newest first",
            Self::ReceivedAsc => "Oldest first",
            Self::DueAsc => "Due soonest first",
            Self::UpdatedDesc => "Recently changed first",
        }
    }
}

/// Whose requests, by 担当者.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssigneeFilter {
    /// Nobody is assigned (`assignee=none`).
    Nobody,
    /// This staff id is.
    Staff(String),
}

/// A query parameter that does not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// Stable code, e.g. `bad_status`.
    pub code: &'static str,
    pub message: Bilingual,
}

impl FilterError {
    fn new(code: &'static str, ja: String, en: String) -> Self {
        Self {
            code,
            message: Bilingual::new(ja, en),
        }
    }
}

impl std::fmt::Display for FilterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for FilterError {}

/// What the office list shows: every field `None`/empty/false means "any".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFilter {
    /// Any of these statuses (empty: any status).
    pub statuses: Vec<Status>,
    pub department: Option<String>,
    pub section: Option<String>,
    pub category: Option<String>,
    pub urgency: Option<Urgency>,
    /// Received on or after this day (days since the epoch, Japan).
    pub from: Option<i64>,
    /// Received on or before this day (days since the epoch, Japan).
    pub to: Option<i64>,
    /// Only open requests past their resolve-by date.
    pub overdue: bool,
    pub assignee: Option<AssigneeFilter>,
    /// Only requests shared (連携) with one of the reader's sections.
    pub shared_mine: bool,
    /// Text in the title or description, trimmed, never empty.
    pub q: Option<String>,
    pub sort: Sort,
    pub limit: i64,
    pub offset: i64,
}

impl Default for RequestFilter {
    fn default() -> Self {
        Self {
            statuses: Vec::new(),
            department: None,
            section: None,
            category: None,
            urgency: None,
            from: None,
            to: None,
            overdue: false,
            assignee: None,
            shared_mine: false,
            q: None,
            sort: Sort::default(),
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

const KEYS: [&str; 15] = [
    "status",
    "department",
    "section",
    "category",
    "urgency",
    "from",
    "to",
    "overdue",
    "assignee",
    "shared",
    "q",
    "sort",
    "limit",
    "offset",
    // Not a filter: the format of an export. Listed so it is not "repeated".
    "format",
];

/// A code-like value: letters, digits, `-` and `_` (section, category, department codes
/// and staff ids are all of this shape).
fn code_value(key: &str, code: &'static str, value: &str) -> Result<Option<String>, FilterError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.len() > 64
        || !v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        return Err(FilterError::new(
            code,
            format!("{key}「{v}」は正しいコードではありません。"),
            format!("{key} {v:?} is not a valid code."),
        ));
    }
    Ok(Some(v.to_string()))
}

fn date_value(key: &str, code: &'static str, value: &str) -> Result<Option<i64>, FilterError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    parse_iso_date(v).map(Some).ok_or_else(|| {
        FilterError::new(
            code,
            format!("日付 {key}「{v}」は YYYY-MM-DD の形の実在する日付にしてください。"),
            format!("Date {key} {v:?} must be a real date written YYYY-MM-DD."),
        )
    })
}

fn count_value(key: &str, code: &'static str, value: &str) -> Result<i64, FilterError> {
    let v = value.trim();
    v.parse::<i64>().map_err(|_| {
        FilterError::new(
            code,
            format!("{key}「{v}」は数ではありません。"),
            format!("{key} {v:?} is not a number."),
        )
    })
}

impl RequestFilter {
    /// Reads the (already percent-decoded) query parameters.
    pub fn from_query(pairs: &[(String, String)]) -> Result<Self, FilterError> {
        let mut filter = Self::default();
        let mut seen: Vec<&str> = Vec::new();
        for (key, value) in pairs {
            let Some(known) = KEYS.iter().find(|k| **k == key.as_str()) else {
                continue;
            };
            if seen.contains(known) {
                return Err(FilterError::new(
                    "repeated_parameter",
                    format!("条件「{key}」が二度指定されています。一度だけにしてください。"),
                    format!("The parameter {key:?} is given twice; give it once."),
                ));
            }
            seen.push(known);
            let v = value.trim();
            match *known {
                "status" => {
                    for code in v.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                        let status = Status::from_code(code).ok_or_else(|| {
                            FilterError::new(
                                "bad_status",
                                format!("状態「{code}」はありません。"),
                                format!("There is no status {code:?}."),
                            )
                        })?;
                        if !filter.statuses.contains(&status) {
                            filter.statuses.push(status);
                        }
                    }
                }
                "department" => filter.department = code_value(key, "bad_department", v)?,
                "section" => filter.section = code_value(key, "bad_section", v)?,
                "category" => filter.category = code_value(key, "bad_category", v)?,
                "urgency" => {
                    filter.urgency = if v.is_empty() {
                        None
                    } else {
                        Some(Urgency::from_code(v).ok_or_else(|| {
                            FilterError::new(
                                "bad_urgency",
                                format!("緊急度「{v}」はありません。"),
                                format!("There is no urgency {v:?}."),
                            )
                        })?)
                    }
                }
                "from" => filter.from = date_value(key, "bad_from", v)?,
                "to" => filter.to = date_value(key, "bad_to", v)?,
                "overdue" => {
                    filter.overdue = match v {
                        "true" | "1" => true,
                        "false" | "0" | "" => false,
                        _ => {
                            return Err(FilterError::new(
                                "bad_overdue",
                                format!("overdue「{v}」は true か false にしてください。"),
                                format!("overdue {v:?} must be true or false."),
                            ))
                        }
                    }
                }
                "assignee" => {
                    filter.assignee = match v {
                        "" => None,
                        "none" => Some(AssigneeFilter::Nobody),
                        _ => code_value(key, "bad_assignee", v)?.map(AssigneeFilter::Staff),
                    }
                }
                "shared" => {
                    filter.shared_mine = match v {
                        "mine" => true,
                        "" => false,
                        _ => {
                            return Err(FilterError::new(
                                "bad_shared",
                                format!("shared「{v}」は mine だけが使えます。"),
                                format!("shared {v:?}: only \"mine\" is understood."),
                            ))
                        }
                    }
                }
                "q" => {
                    filter.q = if v.is_empty() {
                        None
                    } else if v.chars().count() > MAX_QUERY_CHARS {
                        return Err(FilterError::new(
                            "bad_q",
                            format!("検索語は{MAX_QUERY_CHARS}文字までにしてください。"),
                            format!("The search text may be at most {MAX_QUERY_CHARS} characters."),
                        ));
                    } else {
                        Some(v.to_string())
                    }
                }
                "sort" => {
                    filter.sort = if v.is_empty() {
                        Sort::default()
                    } else {
                        Sort::from_code(v).ok_or_else(|| {
                            FilterError::new(
                                "bad_sort",
                                format!(
                                    "並び順「{v}」はありません（received_desc, received_asc, due_asc, updated_desc）。"
                                ),
                                format!(
                                    "There is no sort order {v:?} (received_desc, received_asc, due_asc, updated_desc)."
                                ),
                            )
                        })?
                    }
                }
                // Like the ward record's other pages: clamped, not refused.
                "limit" => filter.limit = count_value(key, "bad_limit", v)?.clamp(1, MAX_LIMIT),
                "offset" => filter.offset = count_value(key, "bad_offset", v)?.max(0),
                _ => {}
            }
        }
        if let (Some(from), Some(to)) = (filter.from, filter.to) {
            if from > to {
                return Err(FilterError::new(
                    "bad_date_range",
                    format!(
                        "期間の開始 {} が終了 {} より後です。",
                        iso_date(from),
                        iso_date(to)
                    ),
                    format!(
                        "The period starts {} after it ends {}.",
                        iso_date(from),
                        iso_date(to)
                    ),
                ));
            }
        }
        Ok(filter)
    }

    /// Reads a raw query string (`a=b&c=d`, percent-encoded, `+` as a space).
    pub fn from_query_string(query: &str) -> Result<Self, FilterError> {
        Self::from_query(&parse_query_string(query))
    }

    /// The query string (without `?`) that reads back as this filter: only what differs
    /// from the default, in a fixed order, percent-encoded.
    pub fn to_query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !self.statuses.is_empty() {
            let codes: Vec<&str> = self.statuses.iter().map(|s| s.code()).collect();
            pairs.push(("status", codes.join(",")));
        }
        for (key, value) in [
            ("department", &self.department),
            ("section", &self.section),
            ("category", &self.category),
        ] {
            if let Some(v) = value {
                pairs.push((key, v.clone()));
            }
        }
        if let Some(u) = self.urgency {
            pairs.push(("urgency", u.code().into()));
        }
        if let Some(d) = self.from {
            pairs.push(("from", iso_date(d)));
        }
        if let Some(d) = self.to {
            pairs.push(("to", iso_date(d)));
        }
        if self.overdue {
            pairs.push(("overdue", "true".into()));
        }
        match &self.assignee {
            Some(AssigneeFilter::Nobody) => pairs.push(("assignee", "none".into())),
            Some(AssigneeFilter::Staff(id)) => pairs.push(("assignee", id.clone())),
            None => {}
        }
        if self.shared_mine {
            pairs.push(("shared", "mine".into()));
        }
        if let Some(q) = &self.q {
            pairs.push(("q", q.clone()));
        }
        if self.sort != Sort::default() {
            pairs.push(("sort", self.sort.code().into()));
        }
        if self.limit != DEFAULT_LIMIT {
            pairs.push(("limit", self.limit.to_string()));
        }
        if self.offset != 0 {
            pairs.push(("offset", self.offset.to_string()));
        }
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", percent_encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The same filter on another page.
    pub fn page(&self, offset: i64) -> Self {
        Self {
            offset: offset.max(0),
            ..self.clone()
        }
    }

    /// Whether every code names something in the catalogue (a typo would otherwise show
    /// an empty list as if there were no such requests).
    pub fn check(&self, catalogue: &Catalogue) -> Result<(), FilterError> {
        if let Some(d) = &self.department {
            if !catalogue.departments.iter().any(|x| &x.code == d) {
                return Err(FilterError::new(
                    "unknown_department",
                    format!("部「{d}」はありません。"),
                    format!("There is no department {d:?}."),
                ));
            }
        }
        if let Some(s) = &self.section {
            if catalogue.section(s).is_none() {
                return Err(FilterError::new(
                    "unknown_section",
                    format!("課「{s}」はありません。"),
                    format!("There is no section {s:?}."),
                ));
            }
        }
        if let Some(c) = &self.category {
            if catalogue.category(c).is_none() {
                return Err(FilterError::new(
                    "unknown_category",
                    format!("区分「{c}」はありません。"),
                    format!("There is no category {c:?}."),
                ));
            }
        }
        Ok(())
    }

    /// The received-at bounds in ms since the epoch, both inclusive.
    pub fn received_range(&self) -> (Option<i64>, Option<i64>) {
        (
            self.from.map(|d| d * DAY_MS - JST_OFFSET_MS),
            self.to.map(end_of_jst_day),
        )
    }

    /// The search text as the database compares it (through `LOWER()` on both sides:
    /// Latin letters match in any case), with `%`, `_` and `\` escaped for `LIKE … ESCAPE '\'`, between `%`s.
    pub fn like_pattern(&self) -> Option<String> {
        self.q
            .as_deref()
            .map(|q| format!("%{}%", escape_like(&q.to_ascii_lowercase())))
    }

    /// Whether a condition looks at more than a redacted request shows (its existence,
    /// category group, section and status): the category, urgency, received dates,
    /// due dates, assignee, sharing or text. Such a condition never matches a sensitive
    /// request the reader may not read in detail, so neither the page nor `total` tells
    /// what it holds (`?category=welfare-child` counts only the consultations one may read).
    pub fn asks_about_details(&self) -> bool {
        self.category.is_some()
            || self.urgency.is_some()
            || self.from.is_some()
            || self.to.is_some()
            || self.overdue
            || self.assignee.is_some()
            || self.shared_mine
            || self.q.is_some()
    }

    /// Whether `record` (as stored, before redaction) is on the list for `viewer` at
    /// `now` (ms since the epoch). The ward record filters in SQL; this is the same rule
    /// in plain Rust, for the tests and for the app's own cache. The search text only
    /// matches what the reader may read: a 要配慮 request's title and description are
    /// searched only for readers who may read them.
    pub fn matches(
        &self,
        record: &RequestRecord,
        viewer: &Viewer,
        catalogue: &Catalogue,
        now: i64,
    ) -> bool {
        if !self.statuses.is_empty() && !self.statuses.contains(&record.status) {
            return false;
        }
        if self.asks_about_details() && !viewer.reads_details(record, catalogue) {
            return false;
        }
        if let Some(d) = &self.department {
            let in_department = catalogue
                .section(&record.section)
                .is_some_and(|s| &s.department == d);
            if !in_department {
                return false;
            }
        }
        if self.section.as_ref().is_some_and(|s| s != &record.section)
            || self
                .category
                .as_ref()
                .is_some_and(|c| c != &record.category)
            || self.urgency.is_some_and(|u| u != record.urgency)
        {
            return false;
        }
        let (from, to) = self.received_range();
        if from.is_some_and(|f| record.received_at < f)
            || to.is_some_and(|t| record.received_at > t)
        {
            return false;
        }
        if self.overdue && !is_overdue(record, now) {
            return false;
        }
        match &self.assignee {
            Some(AssigneeFilter::Nobody) if record.assignee.is_some() => return false,
            Some(AssigneeFilter::Staff(id)) if record.assignee.as_ref() != Some(id) => {
                return false
            }
            _ => {}
        }
        if self.shared_mine
            && !record
                .shared_with
                .iter()
                .any(|s| viewer.sections.contains(s))
        {
            return false;
        }
        if let Some(q) = &self.q {
            let q = lower_ascii_only(q);
            let hit = |t: &Option<String>| {
                t.as_deref()
                    .is_some_and(|t| lower_ascii_only(t).contains(&q))
            };
            if !hit(&record.title) && !hit(&record.description) {
                return false;
            }
        }
        true
    }
}

/// `overdue=true`: the office is still working on it (受付, 担当決定, 対応中) and its
/// resolve-by date has passed (the same instant [`crate::timeliness`] calls overdue).
pub fn is_overdue(record: &RequestRecord, now: i64) -> bool {
    record.is_open()
        && record
            .due
            .is_some_and(|d| timeliness(d.resolve_by, now, None) == Timeliness::Overdue)
}

/// What both databases' `LOWER()` do the same way: ASCII letters only (SQLite's built-in
/// `LOWER` leaves every other letter as it is).
fn lower_ascii_only(text: &str) -> String {
    text.to_ascii_lowercase()
}

/// `%`, `_` and `\` escaped for `LIKE … ESCAPE '\'`.
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` and `+`; a malformed escape is kept as written, invalid UTF-8 replaced.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(text.get(i + 1..i + 3).unwrap_or("zz"), 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `a=b&c=d` into decoded pairs (a leading `?` is skipped).
pub fn parse_query_string(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::tests::jst;
    use crate::catalogue::tests::sample;
    use crate::{Place, Role};

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn full() -> RequestFilter {
        RequestFilter {
            statuses: vec![Status::New, Status::InProgress],
            department: Some("kensetsu".into()),
            section: Some("road".into()),
            category: Some("road-pothole".into()),
            urgency: Some(Urgency::Urgent),
            from: parse_iso_date("2026-04-01"),
            to: parse_iso_date("2026-04-30"),
            overdue: true,
            assignee: Some(AssigneeFilter::Staff("road01".into())),
            shared_mine: true,
            q: Some("穴 & 100% a_b+c".into()),
            sort: Sort::DueAsc,
            limit: 20,
            offset: 40,
        }
    }

    #[test]
    fn default_reads_from_nothing_and_writes_nothing() {
        assert_eq!(
            RequestFilter::from_query(&[]).unwrap(),
            RequestFilter::default()
        );
        assert_eq!(RequestFilter::default().to_query(), "");
        assert_eq!(RequestFilter::default().limit, 50);
    }

    #[test]
    fn every_field_round_trips_through_the_query_string() {
        for f in [
            full(),
            RequestFilter {
                assignee: Some(AssigneeFilter::Nobody),
                q: Some("ＡＢＣ　全角 \"quoted\" =?&#".into()),
                sort: Sort::UpdatedDesc,
                ..RequestFilter::default()
            },
            RequestFilter {
                statuses: Status::ALL.to_vec(),
                sort: Sort::ReceivedAsc,
                ..RequestFilter::default()
            },
        ] {
            let q = f.to_query();
            assert!(!q.contains(' ') && !q.contains('穴'), "{q}");
            assert_eq!(RequestFilter::from_query_string(&q).unwrap(), f, "{q}");
            assert_eq!(
                RequestFilter::from_query_string(&format!("?{q}")).unwrap(),
                f
            );
        }
        assert_eq!(
            full().to_query(),
            "status=new,in_progress&department=kensetsu&section=road&category=road-pothole\
             &urgency=urgent&from=2026-04-01&to=2026-04-30&overdue=true&assignee=road01\
             &shared=mine&q=%E7%A9%B4%20%26%20100%25%20a_b%2Bc&sort=due_asc&limit=20&offset=40"
                .replace(',', "%2C")
        );
    }

    #[test]
    fn limits_are_clamped_and_offsets_floored() {
        let f = RequestFilter::from_query(&pairs(&[("limit", "5000"), ("offset", "-3")])).unwrap();
        assert_eq!((f.limit, f.offset), (MAX_LIMIT, 0));
        let f = RequestFilter::from_query(&pairs(&[("limit", "0")])).unwrap();
        assert_eq!(f.limit, 1);
    }

    #[test]
    fn bad_values_are_refused_in_both_languages() {
        for (key, value, code) in [
            ("status", "open", "bad_status"),
            ("urgency", "soon", "bad_urgency"),
            ("from", "2026-02-30", "bad_from"),
            ("to", "yesterday", "bad_to"),
            ("overdue", "yes", "bad_overdue"),
            ("shared", "all", "bad_shared"),
            ("sort", "random", "bad_sort"),
            ("limit", "ten", "bad_limit"),
            ("offset", "x", "bad_offset"),
            ("section", "road'; DROP", "bad_section"),
        ] {
            let e = RequestFilter::from_query(&pairs(&[(key, value)])).unwrap_err();
            assert_eq!(e.code, code, "{key}={value}");
            assert!(!e.message.ja.is_empty() && !e.message.en.is_empty());
        }
        let e = RequestFilter::from_query(&pairs(&[("from", "2026-05-02"), ("to", "2026-05-01")]))
            .unwrap_err();
        assert_eq!(e.code, "bad_date_range");
        let e = RequestFilter::from_query(&pairs(&[("q", "a"), ("q", "b")])).unwrap_err();
        assert_eq!(e.code, "repeated_parameter");
        let long = "あ".repeat(MAX_QUERY_CHARS + 1);
        assert_eq!(
            RequestFilter::from_query(&pairs(&[("q", &long)]))
                .unwrap_err()
                .code,
            "bad_q"
        );
        // Unknown parameters are no error; empty values mean "any".
        let f = RequestFilter::from_query(&pairs(&[("_", "123"), ("section", ""), ("q", "  ")]))
            .unwrap();
        assert_eq!(f, RequestFilter::default());
    }

    #[test]
    fn codes_are_checked_against_the_catalogue() {
        let cat = sample();
        let ok = RequestFilter {
            section: Some("road".into()),
            category: Some("road-pothole".into()),
            ..RequestFilter::default()
        };
        assert!(ok.check(&cat).is_ok());
        for (f, code) in [
            (
                RequestFilter {
                    section: Some("roads".into()),
                    ..RequestFilter::default()
                },
                "unknown_section",
            ),
            (
                RequestFilter {
                    category: Some("pothole".into()),
                    ..RequestFilter::default()
                },
                "unknown_category",
            ),
            (
                RequestFilter {
                    department: Some("nowhere".into()),
                    ..RequestFilter::default()
                },
                "unknown_department",
            ),
        ] {
            assert_eq!(f.check(&cat).unwrap_err().code, code);
        }
    }

    #[test]
    fn dates_are_whole_days_in_japan() {
        let f = RequestFilter::from_query(&pairs(&[("from", "2026-05-01"), ("to", "2026-05-01")]))
            .unwrap();
        let (from, to) = f.received_range();
        assert_eq!(from, Some(jst("2026-05-01", 0, 0)));
        assert_eq!(to, Some(jst("2026-05-02", 0, 0) - 1));
    }

    #[test]
    fn like_pattern_escapes_wildcards_and_lowers_latin() {
        let f = RequestFilter {
            q: Some("50%_Off\\".into()),
            ..RequestFilter::default()
        };
        assert_eq!(f.like_pattern().as_deref(), Some("%50\\%\\_off\\\\%"));
    }

    fn record(category: &str, section: &str, title: &str) -> RequestRecord {
        RequestRecord {
            id: crate::id::request_id(1, [0; 10]),
            category: category.into(),
            section: section.into(),
            title: Some(title.into()),
            description: Some("Street LIGHT 点かない".into()),
            place: Some(Place::default()),
            urgency: Urgency::Medium,
            status: Status::New,
            logged_by: "someone".into(),
            logged_at: 1,
            received_at: jst("2026-05-01", 10, 0),
            version: 1,
            redacted: false,
            contact: None,
            shared_with: vec!["park".into()],
            assignee: None,
            response: None,
            duplicate_of: None,
            needs_review: false,
            conflicts: vec![],
            due: None,
            milestones: Default::default(),
        }
    }

    fn viewer(role: Role, sections: &[&str]) -> Viewer {
        Viewer {
            staff_id: "reader".into(),
            role,
            sections: sections.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn with(items: &[(&str, &str)]) -> RequestFilter {
        RequestFilter::from_query(&pairs(items)).unwrap()
    }

    #[test]
    fn matches_each_condition() {
        let cat = sample();
        let clerk = viewer(Role::Office, &["park"]);
        let r = record("road-pothole", "road", "道路の穴");
        let now = jst("2026-05-02", 0, 0);
        let yes = |f: RequestFilter| f.matches(&r, &clerk, &cat, now);
        assert!(yes(RequestFilter::default()));
        assert!(yes(with(&[("status", "new,routed")])));
        assert!(!yes(with(&[("status", "closed")])));
        assert!(yes(with(&[("section", "road")])));
        assert!(!yes(with(&[("section", "park")])));
        assert!(yes(with(&[("category", "road-pothole")])));
        assert!(yes(with(&[("urgency", "medium")])));
        assert!(!yes(with(&[("urgency", "urgent")])));
        assert!(yes(with(&[("from", "2026-05-01"), ("to", "2026-05-01")])));
        assert!(!yes(with(&[("from", "2026-05-02")])));
        assert!(!yes(with(&[("to", "2026-04-30")])));
        assert!(yes(with(&[("assignee", "none")])));
        assert!(!yes(with(&[("assignee", "road01")])));
        assert!(yes(with(&[("shared", "mine")])));
        assert!(!RequestFilter {
            shared_mine: true,
            ..RequestFilter::default()
        }
        .matches(&r, &viewer(Role::Office, &["road"]), &cat, now));
        assert!(yes(with(&[("q", "穴")])));
        assert!(yes(with(&[("q", "street light")])));
        assert!(yes(with(&[("q", "点かない")])));
        assert!(!yes(with(&[("q", "公園")])));
        // No due dates: never overdue.
        assert!(!yes(with(&[("overdue", "true")])));
        let due = r.clone().with_due(&cat);
        let late = due.due.unwrap().resolve_by + 1;
        assert!(with(&[("overdue", "true")]).matches(&due, &clerk, &cat, late));
        assert!(!with(&[("overdue", "true")]).matches(&due, &clerk, &cat, late - 2));
        let closed = RequestRecord {
            status: Status::Closed,
            ..due
        };
        assert!(!with(&[("overdue", "true")]).matches(&closed, &clerk, &cat, late));
    }

    #[test]
    fn department_is_any_of_its_sections() {
        let cat = sample();
        let clerk = viewer(Role::Office, &[]);
        let r = record("road-pothole", "road", "穴");
        let road_department = cat.section("road").unwrap().department.clone();
        let f = RequestFilter {
            department: Some(road_department),
            ..RequestFilter::default()
        };
        assert!(f.matches(&r, &clerk, &cat, 0));
        let elsewhere = cat
            .departments
            .iter()
            .find(|d| d.code != f.department.clone().unwrap())
            .unwrap();
        let f = RequestFilter {
            department: Some(elsewhere.code.clone()),
            ..RequestFilter::default()
        };
        assert!(!f.matches(&r, &clerk, &cat, 0));
    }

    #[test]
    fn search_never_matches_details_the_reader_may_not_read() {
        let cat = sample();
        let r = record("welfare-elderly", "elderly", "一人暮らしの見守り");
        let f = with(&[("q", "見守り")]);
        // The clerk sees the request exists, but a search must not reveal its words.
        let clerk = viewer(Role::Office, &["road"]);
        assert!(clerk.sees(&r));
        assert!(!f.matches(&r, &clerk, &cat, 0));
        assert!(RequestFilter::default().matches(&r, &clerk, &cat, 0));
        assert!(f.matches(&r, &viewer(Role::Field, &["elderly"]), &cat, 0));
        assert!(f.matches(&r, &viewer(Role::Admin, &[]), &cat, 0));
    }

    #[test]
    fn percent_decoding_survives_odd_input() {
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%E7%A9%B4+x"), "穴 x");
        assert_eq!(percent_decode("%"), "%");
    }
}
