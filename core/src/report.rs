//! Measuring the service standards (区役所サービス基準) — the "C" of the PDCA cycle — and
//! the figures the service committee (区役所サービス向上委員会) reads: the standards
//! report, the dashboard and the monthly summary fit to publish on the ward's web site.
//!
//! Pure computations over request records, the catalogue (categories, sections, the ward
//! calendar), the reader and the clock. Each report is an accumulator fed one record at a
//! time ([`StandardsTally`], [`DashboardTally`], [`MonthlyTally`]), so the ward record folds
//! the rows as the database yields them and a report's memory does not grow with the ward;
//! [`standards_report`], [`dashboard`] and [`monthly_summary`] fold a slice.
//!
//! **How a standard is judged.** Each request carries its due dates, fixed from its
//! category's standard when it was received ([`crate::DueDates`]), and its milestones
//! ([`crate::milestones`]). For one standard (route, first response, resolve) a request
//! is:
//! - **kept** (達成): the milestone was reached at or before the due time;
//! - **missed** (未達成): reached after the due time;
//! - **open within time** (期限内・未了): not reached yet, due time not passed;
//! - **open overdue** (期限超過・未了): not reached and the due time has passed — already a
//!   miss, whatever happens next.
//!
//! The share kept is kept ÷ (kept + missed + open overdue): a request still within its
//! time is not yet decided either way and is left out. A request without due dates (its
//! category had no standard) or finished before the ward record kept milestones cannot
//! be judged and is counted as unmeasured.
//!
//! **Who reads what.** Only office roles (事務職員, 課長, 管理者) read reports; every
//! report counts only the requests the reader may see ([`Viewer::sees`]) and lists a
//! request's title only as the reader may read it ([`Viewer::redact`]): a section head of
//! parks sees that a welfare request missed its standard, never what it was about. The
//! monthly summary has no request-level rows at all: counts only, welfare (要配慮)
//! categories included only as counts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::calendar::{
    days_from_civil, end_of_jst_day, iso_date, jst_day, parse_iso_date, DueDates, ServiceStandard,
    DAY_MS, JST_OFFSET_MS,
};
use crate::milestones::Milestones;
use crate::{Bilingual, Catalogue, RequestRecord, Role, Status, Timeliness, Viewer};

/// The longest period one report covers (a little over three years).
pub const MAX_PERIOD_DAYS: i64 = 3 * 366 + 1;
/// How many categories the dashboard ranks.
pub const TOP_CATEGORIES: usize = 10;
/// How many open requests the standards report lists with their due dates.
pub const MAX_OPEN_LISTED: usize = 200;
/// How many missed requests the standards report lists for each standard.
pub const MAX_MISSED_LISTED: usize = 500;

/// One of the three service standards of a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standard {
    /// 担当決定: routed to the responsible section.
    Route,
    /// 初回対応: first response to the resident.
    FirstResponse,
    /// 解決: resolved.
    Resolve,
}

impl Standard {
    pub const ALL: [Standard; 3] = [Self::Route, Self::FirstResponse, Self::Resolve];

    pub fn code(self) -> &'static str {
        match self {
            Self::Route => "route",
            Self::FirstResponse => "first_response",
            Self::Resolve => "resolve",
        }
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Route => "担当決定",
            Self::FirstResponse => "初回対応",
            Self::Resolve => "解決",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Route => "Routed",
            Self::FirstResponse => "First response",
            Self::Resolve => "Resolved",
        }
    }

    /// This standard's due time among a request's due dates.
    pub fn due(self, due: &DueDates) -> i64 {
        match self {
            Self::Route => due.route_by,
            Self::FirstResponse => due.first_response_by,
            Self::Resolve => due.resolve_by,
        }
    }

    /// When the request reached this standard's milestone.
    pub fn done_at(self, m: &Milestones) -> Option<i64> {
        match self {
            Self::Route => m.routed_at,
            Self::FirstResponse => m.first_response_at,
            Self::Resolve => m.resolved_at,
        }
    }

    /// The standard's number of working days.
    pub fn days(self, s: &ServiceStandard) -> u32 {
        match self {
            Self::Route => s.route_days,
            Self::FirstResponse => s.first_response_days,
            Self::Resolve => s.resolve_days,
        }
    }
}

/// How one request stands against one standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Judgement {
    Kept,
    Missed,
    OpenInTime,
    OpenOverdue,
}

/// Judges `record` against `standard` at `now`; `None` when it cannot be judged (no due
/// dates, or finished without the milestone: an older record).
pub fn judge(record: &RequestRecord, standard: Standard, now: i64) -> Option<Judgement> {
    let due = standard.due(&record.due?);
    match standard.done_at(&record.milestones) {
        Some(at) if at <= due => Some(Judgement::Kept),
        Some(_) => Some(Judgement::Missed),
        None if !record.is_open() => None,
        None if now > due => Some(Judgement::OpenOverdue),
        None => Some(Judgement::OpenInTime),
    }
}

/// Counts of requests by how they stand against one standard.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    pub kept: u64,
    pub missed: u64,
    pub open_in_time: u64,
    pub open_overdue: u64,
    /// Without due dates, or finished before milestones were kept.
    pub unmeasured: u64,
    /// kept ÷ (kept + missed + open overdue); `None` when nothing is decided yet.
    pub share_kept: Option<f64>,
}

impl Tally {
    fn add(&mut self, judgement: Option<Judgement>) {
        match judgement {
            Some(Judgement::Kept) => self.kept += 1,
            Some(Judgement::Missed) => self.missed += 1,
            Some(Judgement::OpenInTime) => self.open_in_time += 1,
            Some(Judgement::OpenOverdue) => self.open_overdue += 1,
            None => self.unmeasured += 1,
        }
        let decided = self.decided();
        self.share_kept = (decided > 0).then(|| self.kept as f64 / decided as f64);
    }

    /// Requests whose outcome against the standard is settled (kept, missed or overdue).
    pub fn decided(&self) -> u64 {
        self.kept + self.missed + self.open_overdue
    }

    /// Every request counted.
    pub fn total(&self) -> u64 {
        self.decided() + self.open_in_time + self.unmeasured
    }
}

/// Why a report's parameters are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportError {
    BadDate {
        param: &'static str,
        text: String,
    },
    MissingDate {
        param: &'static str,
    },
    Reversed,
    TooLong,
    BadMonth {
        text: String,
    },
    /// Field staff do not read reports.
    OfficeOnly,
}

impl ReportError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadDate { .. } => "bad_date",
            Self::MissingDate { .. } => "missing_date",
            Self::Reversed => "bad_period",
            Self::TooLong => "period_too_long",
            Self::BadMonth { .. } => "bad_month",
            Self::OfficeOnly => "office_only",
        }
    }

    pub fn message(&self) -> Bilingual {
        match self {
            Self::BadDate { param, text } => Bilingual::new(
                format!(
                    "{param}「{text}」は日付として読めません。YYYY-MM-DD の形で指定してください。"
                ),
                format!("{param} {text:?} is not a date. Give it as YYYY-MM-DD."),
            ),
            Self::MissingDate { param } => Bilingual::new(
                format!("期間の {param} を YYYY-MM-DD の形で指定してください。"),
                format!("Give the period's {param} as YYYY-MM-DD."),
            ),
            Self::Reversed => Bilingual::new(
                "期間の開始日が終了日より後になっています。",
                "The period starts after it ends.",
            ),
            Self::TooLong => Bilingual::new(
                format!("期間が長すぎます（{MAX_PERIOD_DAYS} 日まで）。期間を分けてください。"),
                format!("The period is too long (at most {MAX_PERIOD_DAYS} days). Split it."),
            ),
            Self::BadMonth { text } => Bilingual::new(
                format!("月「{text}」が読めません。YYYY-MM の形で指定してください。"),
                format!("Month {text:?} does not read. Give it as YYYY-MM."),
            ),
            Self::OfficeOnly => Bilingual::new(
                "報告・集計は事務職員・課長・管理者のみが見られます。",
                "Reports are for office staff, section heads and administrators only.",
            ),
        }
    }
}

/// Whether a role may read reports: the office roles, not field staff.
pub fn may_read_reports(role: Role) -> bool {
    role.reviews_ward()
}

/// Checks a reader may read reports.
pub fn check_reader(viewer: &Viewer) -> Result<(), ReportError> {
    if may_read_reports(viewer.role) {
        Ok(())
    } else {
        Err(ReportError::OfficeOnly)
    }
}

/// A period of whole days in Japan, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// Days since the epoch (JST) of the first and last day.
    pub first_day: i64,
    pub last_day: i64,
}

impl Period {
    /// From two ISO dates, `from` ≤ `to`, at most [`MAX_PERIOD_DAYS`] long.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Self, ReportError> {
        let day = |param: &'static str, text: Option<&str>| {
            let text = text
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or(ReportError::MissingDate { param })?;
            parse_iso_date(text).ok_or_else(|| ReportError::BadDate {
                param,
                text: text.to_string(),
            })
        };
        let first_day = day("from", from)?;
        let last_day = day("to", to)?;
        if first_day > last_day {
            return Err(ReportError::Reversed);
        }
        if last_day - first_day + 1 > MAX_PERIOD_DAYS {
            return Err(ReportError::TooLong);
        }
        Ok(Self {
            first_day,
            last_day,
        })
    }

    /// One calendar month, from `YYYY-MM`.
    pub fn month(text: &str) -> Result<Self, ReportError> {
        let text = text.trim();
        let bad = || ReportError::BadMonth {
            text: text.to_string(),
        };
        let first_day = parse_iso_date(&format!("{text}-01")).ok_or_else(bad)?;
        let (y, m, _) = crate::calendar::civil_from_days(first_day);
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        Ok(Self {
            first_day,
            last_day: days_from_civil(ny, nm, 1) - 1,
        })
    }

    /// The first millisecond of the period (00:00 JST of its first day).
    pub fn start_ms(&self) -> i64 {
        self.first_day * DAY_MS - JST_OFFSET_MS
    }

    /// The last millisecond of the period (23:59:59.999 JST of its last day).
    pub fn end_ms(&self) -> i64 {
        end_of_jst_day(self.last_day)
    }

    pub fn contains(&self, ms: i64) -> bool {
        (self.start_ms()..=self.end_ms()).contains(&ms)
    }

    pub fn from_iso(&self) -> String {
        iso_date(self.first_day)
    }

    pub fn to_iso(&self) -> String {
        iso_date(self.last_day)
    }

    /// The calendar months the period touches, as (`YYYY-MM`, first day, last day),
    /// each clipped to the period.
    pub fn months(&self) -> Vec<(String, i64, i64)> {
        let mut out = Vec::new();
        let mut day = self.first_day;
        while day <= self.last_day {
            let (y, m, _) = crate::calendar::civil_from_days(day);
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            let month_last = days_from_civil(ny, nm, 1) - 1;
            let last = month_last.min(self.last_day);
            out.push((format!("{y:04}-{m:02}"), day, last));
            day = last + 1;
        }
        out
    }
}

/// A section, category or department with its counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupTally {
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
    pub tally: Tally,
}

/// A request that missed a standard (or is past due without reaching it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissedRequest {
    pub id: Uuid,
    /// As the reader may see it: `None` when `redacted`.
    pub title: Option<String>,
    pub redacted: bool,
    pub category: String,
    pub section: String,
    pub status: Status,
    pub received_at: i64,
    /// The standard's due time.
    pub due: i64,
    /// When the milestone was reached; `None`: still not (open overdue).
    pub done_at: Option<i64>,
}

/// An open request with its due dates and how each step stands now (期限内 / 期限間近 /
/// 期限超過; `None`: cannot be judged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DueRequest {
    pub id: Uuid,
    /// As the reader may see it: `None` when `redacted`.
    pub title: Option<String>,
    pub redacted: bool,
    pub category: String,
    pub section: String,
    pub status: Status,
    pub received_at: i64,
    pub due: DueDates,
    pub milestones: Milestones,
    pub route: Option<Timeliness>,
    pub first_response: Option<Timeliness>,
    pub resolve: Option<Timeliness>,
}

/// One standard across the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StandardReport {
    pub standard: Standard,
    pub overall: Tally,
    pub by_section: Vec<GroupTally>,
    pub by_category: Vec<GroupTally>,
    /// Missed or overdue, earliest due first, at most [`MAX_MISSED_LISTED`].
    pub missed: Vec<MissedRequest>,
    /// How many requests missed the standard or are overdue in all.
    pub missed_total: u64,
}

/// `GET /api/reports/standards`: how the standards were kept for the requests received in
/// a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StandardsReport {
    /// The period, ISO dates (Japan), both included.
    pub from: String,
    pub to: String,
    /// The clock the open requests were judged at (ms since the epoch).
    pub generated_at: i64,
    /// Requests received in the period that the reader may see.
    pub requests: u64,
    /// Route, first response, resolve, in that order.
    pub standards: Vec<StandardReport>,
    /// Requests of the period still open, with due dates: the earliest resolve-by first, at
    /// most [`MAX_OPEN_LISTED`].
    pub open: Vec<DueRequest>,
    /// How many such open requests there are in all.
    pub open_total: u64,
}

fn section_names(catalogue: &Catalogue, code: &str) -> (String, String) {
    catalogue.section(code).map_or_else(
        || (code.to_string(), code.to_string()),
        |s| (s.name_ja.clone(), s.name_en.clone()),
    )
}

fn category_names(catalogue: &Catalogue, code: &str) -> (String, String) {
    catalogue.category(code).map_or_else(
        || (code.to_string(), code.to_string()),
        |c| (c.name_ja.clone(), c.name_en.clone()),
    )
}

/// Groups in catalogue order (codes no longer in the catalogue last, by code).
fn ordered_groups(
    tallies: BTreeMap<String, Tally>,
    order: &[&str],
    names: impl Fn(&str) -> (String, String),
) -> Vec<GroupTally> {
    let position = |code: &str| order.iter().position(|c| *c == code).unwrap_or(usize::MAX);
    let mut groups: Vec<(String, Tally)> = tallies.into_iter().collect();
    groups.sort_by(|a, b| position(&a.0).cmp(&position(&b.0)).then(a.0.cmp(&b.0)));
    groups
        .into_iter()
        .map(|(code, tally)| {
            let (name_ja, name_en) = names(&code);
            GroupTally {
                code,
                name_ja,
                name_en,
                tally,
            }
        })
        .collect()
}

/// The `limit` items of least key offered so far, and how many were offered: a report's
/// list stays bounded however many requests it reads. Holds at most twice `limit` items.
#[derive(Debug, Clone)]
struct Smallest<K, T> {
    items: Vec<(K, T)>,
    limit: usize,
    /// The greatest key kept at the last trim: nothing above it can make the list.
    cutoff: Option<K>,
    total: u64,
}

impl<K: Ord + Copy, T> Smallest<K, T> {
    fn new(limit: usize) -> Self {
        Self {
            items: Vec::new(),
            limit,
            cutoff: None,
            total: 0,
        }
    }

    /// Counts one item and keeps it if it may still be listed; `item` is built only then.
    fn offer(&mut self, key: K, item: impl FnOnce() -> T) {
        self.total += 1;
        if self.cutoff.is_some_and(|c| key > c) {
            return;
        }
        self.items.push((key, item()));
        if self.items.len() >= 2 * self.limit.max(1) {
            self.trim();
        }
    }

    fn trim(&mut self) {
        self.items.sort_by_key(|a| a.0);
        self.items.truncate(self.limit);
        if self.items.len() == self.limit {
            self.cutoff = self.items.last().map(|(k, _)| *k);
        }
    }

    /// The listed items, least key first, and how many were offered.
    fn finish(mut self) -> (Vec<T>, u64) {
        self.trim();
        let total = self.total;
        (self.items.into_iter().map(|(_, t)| t).collect(), total)
    }
}

/// Counts one judgement under `code`, cloning the code only for a new group.
fn count_in(groups: &mut BTreeMap<String, Tally>, code: &str, judgement: Option<Judgement>) {
    match groups.get_mut(code) {
        Some(t) => t.add(judgement),
        None => groups.entry(code.to_string()).or_default().add(judgement),
    }
}

/// Missed requests sort by due time, then receipt, then id.
type MissedKey = (i64, i64, Uuid);

/// One standard's counts so far.
#[derive(Debug, Clone)]
struct StandardCounts {
    standard: Standard,
    overall: Tally,
    by_section: BTreeMap<String, Tally>,
    by_category: BTreeMap<String, Tally>,
    missed: Smallest<MissedKey, MissedRequest>,
}

/// The standards report, built one record at a time: [`StandardsTally::add`] every record
/// the store read (those the reader does not see, or received outside the period, are
/// passed over), then [`StandardsTally::finish`]. Holds counts per group and the bounded
/// lists, never the records.
#[derive(Debug, Clone)]
pub struct StandardsTally<'a> {
    catalogue: &'a Catalogue,
    viewer: &'a Viewer,
    period: Period,
    now: i64,
    requests: u64,
    standards: Vec<StandardCounts>,
    open: Smallest<MissedKey, DueRequest>,
}

impl<'a> StandardsTally<'a> {
    pub fn new(catalogue: &'a Catalogue, viewer: &'a Viewer, period: &Period, now: i64) -> Self {
        Self {
            catalogue,
            viewer,
            period: *period,
            now,
            requests: 0,
            standards: Standard::ALL
                .into_iter()
                .map(|standard| StandardCounts {
                    standard,
                    overall: Tally::default(),
                    by_section: BTreeMap::new(),
                    by_category: BTreeMap::new(),
                    missed: Smallest::new(MAX_MISSED_LISTED),
                })
                .collect(),
            open: Smallest::new(MAX_OPEN_LISTED),
        }
    }

    pub fn add(&mut self, r: &RequestRecord) {
        if !self.viewer.sees(r) || !self.period.contains(r.received_at) {
            return;
        }
        let (catalogue, viewer, now) = (self.catalogue, self.viewer, self.now);
        self.requests += 1;
        for s in &mut self.standards {
            let standard = s.standard;
            let j = judge(r, standard, now);
            s.overall.add(j);
            count_in(&mut s.by_section, &r.section, j);
            count_in(&mut s.by_category, &r.category, j);
            if matches!(j, Some(Judgement::Missed | Judgement::OpenOverdue)) {
                let due = r.due.map(|d| standard.due(&d)).unwrap_or_default();
                s.missed.offer((due, r.received_at, r.id), || {
                    let seen = viewer.redact(r.clone(), catalogue);
                    MissedRequest {
                        id: seen.id,
                        title: seen.title,
                        redacted: seen.redacted,
                        category: seen.category,
                        section: seen.section,
                        status: seen.status,
                        received_at: seen.received_at,
                        due,
                        done_at: standard.done_at(&r.milestones),
                    }
                });
            }
        }
        if let (true, Some(due)) = (r.is_open(), r.due) {
            self.open.offer((due.resolve_by, r.received_at, r.id), || {
                let seen = viewer.redact(r.clone(), catalogue);
                DueRequest {
                    id: seen.id,
                    title: seen.title,
                    redacted: seen.redacted,
                    category: seen.category,
                    section: seen.section,
                    status: seen.status,
                    received_at: seen.received_at,
                    due,
                    milestones: r.milestones,
                    route: r.step_timeliness(Standard::Route, now),
                    first_response: r.step_timeliness(Standard::FirstResponse, now),
                    resolve: r.step_timeliness(Standard::Resolve, now),
                }
            });
        }
    }

    pub fn finish(self) -> StandardsReport {
        let catalogue = self.catalogue;
        let section_order: Vec<&str> = catalogue.sections.iter().map(|s| s.code.as_str()).collect();
        let category_order: Vec<&str> = catalogue
            .categories
            .iter()
            .map(|c| c.code.as_str())
            .collect();
        let standards = self
            .standards
            .into_iter()
            .map(|s| {
                let (missed, missed_total) = s.missed.finish();
                StandardReport {
                    standard: s.standard,
                    overall: s.overall,
                    by_section: ordered_groups(s.by_section, &section_order, |c| {
                        section_names(catalogue, c)
                    }),
                    by_category: ordered_groups(s.by_category, &category_order, |c| {
                        category_names(catalogue, c)
                    }),
                    missed,
                    missed_total,
                }
            })
            .collect();
        let (open, open_total) = self.open.finish();
        StandardsReport {
            from: self.period.from_iso(),
            to: self.period.to_iso(),
            generated_at: self.now,
            requests: self.requests,
            standards,
            open,
            open_total,
        }
    }
}

/// The standards report for the requests received in `period`, as `viewer` may see them,
/// judged at `now`.
pub fn standards_report(
    records: &[RequestRecord],
    catalogue: &Catalogue,
    viewer: &Viewer,
    period: &Period,
    now: i64,
) -> StandardsReport {
    let mut tally = StandardsTally::new(catalogue, viewer, period, now);
    records.iter().for_each(|r| tally.add(r));
    tally.finish()
}
/// The office's days off as sorted days since the epoch, for counting working days.
fn days_off(catalogue: &Catalogue) -> Vec<i64> {
    let mut days: Vec<i64> = catalogue
        .calendar
        .days_off
        .iter()
        .filter_map(|d| parse_iso_date(&d.date))
        .collect();
    days.sort_unstable();
    days.dedup();
    days
}

fn is_working(day: i64, days_off: &[i64]) -> bool {
    !crate::calendar::is_weekend(day) && days_off.binary_search(&day).is_err()
}

/// Working days from `start_ms` to `end_ms`, counted like due dates: day 0 is the first
/// working day at or after the start's day, and every working day after it up to and
/// including the end's day counts one. So a step done `n` working days after receipt is
/// on time against an `n`-day standard exactly when this is at most `n`.
pub fn working_days_between(start_ms: i64, end_ms: i64, catalogue: &Catalogue) -> u32 {
    working_days_with(start_ms, end_ms, &days_off(catalogue))
}

fn working_days_with(start_ms: i64, end_ms: i64, days_off: &[i64]) -> u32 {
    let mut day = jst_day(start_ms);
    while !is_working(day, days_off) {
        day += 1;
    }
    let end = jst_day(end_ms);
    let mut count = 0;
    while day < end {
        day += 1;
        if is_working(day, days_off) {
            count += 1;
        }
    }
    count
}

/// The median of some numbers (the mean of the middle two of an even count).
pub fn median(values: &mut [u32]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        f64::from(values[mid])
    } else {
        (f64::from(values[mid - 1]) + f64::from(values[mid])) / 2.0
    })
}

/// A name to show, by code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
}

/// One month of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Requests received in the month (within the period), one count per department in
    /// the order of [`Dashboard::departments`].
    pub received_by_department: Vec<u64>,
    pub received: u64,
    /// Requests not yet resolved at the month's end (or now, for the current month).
    pub open_at_end: u64,
    /// The moment `open_at_end` counts at (ms since the epoch).
    pub end_at: i64,
}

/// Response times of one category against its standard, in working days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseTimes {
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
    pub standard: Option<ServiceStandard>,
    pub requests: u64,
    /// Median working days from receipt to first response, over those answered.
    pub first_response_median_days: Option<f64>,
    pub first_responded: u64,
    /// Median working days from receipt to resolution, over those resolved.
    pub resolve_median_days: Option<f64>,
    pub resolved: u64,
}

/// A category and how many requests it had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCount {
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
    pub count: u64,
}

/// `GET /api/reports/dashboard`: the service committee's charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub from: String,
    pub to: String,
    pub generated_at: i64,
    pub departments: Vec<Named>,
    /// Each month of the period up to now.
    pub months: Vec<DashboardMonth>,
    /// Categories with requests received in the period, in catalogue order.
    pub response_times: Vec<ResponseTimes>,
    /// The most frequent categories, most first (at most [`TOP_CATEGORIES`]).
    pub top_categories: Vec<CategoryCount>,
}

/// Whether `record` was still unresolved at `at`: received by then and not yet first
/// resolved (an older record finished without a milestone counts as resolved).
fn open_at(record: &RequestRecord, at: i64) -> bool {
    record.received_at <= at
        && match record.milestones.resolved_at {
            Some(resolved) => resolved > at,
            None => record.is_open(),
        }
}

/// One month of the dashboard so far.
#[derive(Debug, Clone)]
struct MonthCounts {
    month: String,
    start: i64,
    end: i64,
    end_at: i64,
    by_department: Vec<u64>,
    received: u64,
    open_at_end: u64,
}

/// A category's request count and working days to first response and to resolution.
type CategoryTimes = (u64, Vec<u32>, Vec<u32>);

/// The dashboard, built one record at a time like [`StandardsTally`]. Feed it every
/// request received in the period and every request received before it that was still
/// unresolved at its start (for the backlog). Holds counts and, for the medians, the
/// working days of each request (4 bytes a step), never the records.
#[derive(Debug, Clone)]
pub struct DashboardTally<'a> {
    catalogue: &'a Catalogue,
    viewer: &'a Viewer,
    period: Period,
    now: i64,
    departments: Vec<Named>,
    months: Vec<MonthCounts>,
    days_off: Vec<i64>,
    per_category: BTreeMap<String, CategoryTimes>,
}

impl<'a> DashboardTally<'a> {
    pub fn new(catalogue: &'a Catalogue, viewer: &'a Viewer, period: &Period, now: i64) -> Self {
        let departments: Vec<Named> = catalogue
            .departments
            .iter()
            .map(|d| Named {
                code: d.code.clone(),
                name_ja: d.name_ja.clone(),
                name_en: d.name_en.clone(),
            })
            .collect();
        let today = jst_day(now);
        let months = period
            .months()
            .into_iter()
            .filter(|(_, first, _)| *first <= today)
            .map(|(month, first, last)| {
                let end = end_of_jst_day(last);
                MonthCounts {
                    month,
                    start: first * DAY_MS - JST_OFFSET_MS,
                    end,
                    end_at: end.min(now),
                    by_department: vec![0; departments.len()],
                    received: 0,
                    open_at_end: 0,
                }
            })
            .collect();
        Self {
            catalogue,
            viewer,
            period: *period,
            now,
            departments,
            months,
            days_off: days_off(catalogue),
            per_category: BTreeMap::new(),
        }
    }

    pub fn add(&mut self, r: &RequestRecord) {
        if !self.viewer.sees(r) {
            return;
        }
        let department = self
            .catalogue
            .section(&r.section)
            .and_then(|s| self.departments.iter().position(|d| d.code == s.department));
        for m in &mut self.months {
            if (m.start..=m.end).contains(&r.received_at) {
                m.received += 1;
                if let Some(i) = department {
                    m.by_department[i] += 1;
                }
            }
            if open_at(r, m.end_at) {
                m.open_at_end += 1;
            }
        }
        if !self.period.contains(r.received_at) {
            return;
        }
        let off = &self.days_off;
        let entry = match self.per_category.get_mut(r.category.as_str()) {
            Some(e) => e,
            None => self.per_category.entry(r.category.clone()).or_default(),
        };
        entry.0 += 1;
        if let Some(at) = r.milestones.first_response_at {
            entry.1.push(working_days_with(r.received_at, at, off));
        }
        if let Some(at) = r.milestones.resolved_at {
            entry.2.push(working_days_with(r.received_at, at, off));
        }
    }

    pub fn finish(self) -> Dashboard {
        let catalogue = self.catalogue;
        let position = |code: &str| {
            catalogue
                .categories
                .iter()
                .position(|c| c.code == code)
                .unwrap_or(usize::MAX)
        };
        let mut per_category: Vec<(String, CategoryTimes)> =
            self.per_category.into_iter().collect();
        per_category.sort_by(|a, b| position(&a.0).cmp(&position(&b.0)).then(a.0.cmp(&b.0)));
        let response_times: Vec<ResponseTimes> = per_category
            .into_iter()
            .map(|(code, (requests, mut first, mut resolved))| {
                let (name_ja, name_en) = category_names(catalogue, &code);
                ResponseTimes {
                    standard: catalogue.category(&code).and_then(|c| c.standard),
                    code,
                    name_ja,
                    name_en,
                    requests,
                    first_responded: first.len() as u64,
                    first_response_median_days: median(&mut first),
                    resolved: resolved.len() as u64,
                    resolve_median_days: median(&mut resolved),
                }
            })
            .collect();
        let mut top: Vec<CategoryCount> = response_times
            .iter()
            .map(|t| CategoryCount {
                code: t.code.clone(),
                name_ja: t.name_ja.clone(),
                name_en: t.name_en.clone(),
                count: t.requests,
            })
            .collect();
        // Stable: equal counts keep catalogue order.
        top.sort_by_key(|c| std::cmp::Reverse(c.count));
        top.truncate(TOP_CATEGORIES);
        Dashboard {
            from: self.period.from_iso(),
            to: self.period.to_iso(),
            generated_at: self.now,
            departments: self.departments,
            months: self
                .months
                .into_iter()
                .map(|m| DashboardMonth {
                    month: m.month,
                    received_by_department: m.by_department,
                    received: m.received,
                    open_at_end: m.open_at_end,
                    end_at: m.end_at,
                })
                .collect(),
            response_times,
            top_categories: top,
        }
    }
}

/// The dashboard for `period`, counting what `viewer` may see, at `now`. `records` must
/// hold every request received in the period and every request received before it that
/// was still unresolved at its start (for the backlog).
pub fn dashboard(
    records: &[RequestRecord],
    catalogue: &Catalogue,
    viewer: &Viewer,
    period: &Period,
    now: i64,
) -> Dashboard {
    let mut tally = DashboardTally::new(catalogue, viewer, period, now);
    records.iter().for_each(|r| tally.add(r));
    tally.finish()
}

/// A count under a name (department, category, status).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountRow {
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
    pub count: u64,
}

/// A category's count in the monthly summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRow {
    pub code: String,
    pub group_ja: String,
    pub group_en: String,
    pub name_ja: String,
    pub name_en: String,
    /// 要配慮: published as a count only.
    pub sensitive: bool,
    pub count: u64,
}

/// One standard in the monthly summary: counts only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StandardSummary {
    pub standard: Standard,
    pub label_ja: String,
    pub label_en: String,
    pub kept: u64,
    pub missed: u64,
    pub open_in_time: u64,
    pub open_overdue: u64,
    pub share_kept: Option<f64>,
}

/// `GET /api/reports/monthly`: a month's figures fit to publish. Counts only: no request
/// ids, titles, places, residents or staff; welfare (要配慮) categories as counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthlySummary {
    /// `YYYY-MM`.
    pub month: String,
    pub ward_ja: String,
    pub ward_en: String,
    pub generated_at: i64,
    /// Requests received in the month.
    pub received: u64,
    /// Requests first resolved in the month (whenever received).
    pub resolved: u64,
    /// Requests not yet resolved at the month's end (or now, for the current month).
    pub open_at_end: u64,
    /// Received in the month, by department of the responsible section (every department).
    pub by_department: Vec<CountRow>,
    /// Received in the month, by category (every category of the catalogue).
    pub by_category: Vec<CategoryRow>,
    /// Received in the month, by their status now (every status).
    pub by_status: Vec<CountRow>,
    /// The standards for the requests received in the month.
    pub standards: Vec<StandardSummary>,
}

/// The monthly summary, built one record at a time like [`DashboardTally`] (fed the
/// same records). Holds counts only.
#[derive(Debug, Clone)]
pub struct MonthlyTally<'a> {
    catalogue: &'a Catalogue,
    viewer: &'a Viewer,
    month: Period,
    now: i64,
    end_at: i64,
    received: u64,
    resolved: u64,
    open_at_end: u64,
    /// One count per department, category and status, in catalogue (or status) order.
    by_department: Vec<u64>,
    by_category: Vec<u64>,
    by_status: Vec<u64>,
    standards: Vec<Tally>,
}

impl<'a> MonthlyTally<'a> {
    pub fn new(catalogue: &'a Catalogue, viewer: &'a Viewer, month: &Period, now: i64) -> Self {
        Self {
            catalogue,
            viewer,
            month: *month,
            now,
            end_at: month.end_ms().min(now),
            received: 0,
            resolved: 0,
            open_at_end: 0,
            by_department: vec![0; catalogue.departments.len()],
            by_category: vec![0; catalogue.categories.len()],
            by_status: vec![0; Status::ALL.len()],
            standards: vec![Tally::default(); Standard::ALL.len()],
        }
    }

    pub fn add(&mut self, r: &RequestRecord) {
        if !self.viewer.sees(r) {
            return;
        }
        let month = self.month;
        if r.milestones
            .resolved_at
            .is_some_and(|at| month.contains(at))
        {
            self.resolved += 1;
        }
        if open_at(r, self.end_at) {
            self.open_at_end += 1;
        }
        if !month.contains(r.received_at) {
            return;
        }
        self.received += 1;
        let department = self.catalogue.section(&r.section).map(|s| &s.department);
        for (count, d) in self
            .by_department
            .iter_mut()
            .zip(&self.catalogue.departments)
        {
            if department == Some(&d.code) {
                *count += 1;
            }
        }
        for (count, c) in self.by_category.iter_mut().zip(&self.catalogue.categories) {
            if r.category == c.code {
                *count += 1;
            }
        }
        for (count, s) in self.by_status.iter_mut().zip(Status::ALL) {
            if r.status == s {
                *count += 1;
            }
        }
        for (t, standard) in self.standards.iter_mut().zip(Standard::ALL) {
            t.add(judge(r, standard, self.now));
        }
    }

    pub fn finish(self) -> MonthlySummary {
        let catalogue = self.catalogue;
        let by_department = catalogue
            .departments
            .iter()
            .zip(self.by_department)
            .map(|(d, count)| CountRow {
                code: d.code.clone(),
                name_ja: d.name_ja.clone(),
                name_en: d.name_en.clone(),
                count,
            })
            .collect();
        let by_category = catalogue
            .categories
            .iter()
            .zip(self.by_category)
            .map(|(c, count)| CategoryRow {
                code: c.code.clone(),
                group_ja: c.group_ja.clone(),
                group_en: c.group_en.clone(),
                name_ja: c.name_ja.clone(),
                name_en: c.name_en.clone(),
                sensitive: c.sensitive,
                count,
            })
            .collect();
        let by_status = Status::ALL
            .into_iter()
            .zip(self.by_status)
            .map(|(s, count)| CountRow {
                code: s.code().to_string(),
                name_ja: s.label_ja().to_string(),
                name_en: s.label_en().to_string(),
                count,
            })
            .collect();
        let standards = Standard::ALL
            .into_iter()
            .zip(self.standards)
            .map(|(standard, t)| StandardSummary {
                standard,
                label_ja: standard.label_ja().to_string(),
                label_en: standard.label_en().to_string(),
                kept: t.kept,
                missed: t.missed,
                open_in_time: t.open_in_time,
                open_overdue: t.open_overdue,
                share_kept: t.share_kept,
            })
            .collect();
        MonthlySummary {
            month: self.month.from_iso()[..7].to_string(),
            ward_ja: catalogue.ward_ja.clone(),
            ward_en: catalogue.ward_en.clone(),
            generated_at: self.now,
            received: self.received,
            resolved: self.resolved,
            open_at_end: self.open_at_end,
            by_department,
            by_category,
            by_status,
            standards,
        }
    }
}

/// The monthly summary for `month` (a one-month [`Period`]), of what `viewer` may see, at
/// `now`. `records` as for [`dashboard`].
pub fn monthly_summary(
    records: &[RequestRecord],
    catalogue: &Catalogue,
    viewer: &Viewer,
    month: &Period,
    now: i64,
) -> MonthlySummary {
    let mut tally = MonthlyTally::new(catalogue, viewer, month, now);
    records.iter().for_each(|r| tally.add(r));
    tally.finish()
}

/// One CSV field, quoted when it must be (RFC 4180).
/// The monthly summary as CSV for spreadsheets: UTF-8 with a byte-order mark (so Excel
/// reads the Japanese right), CRLF line ends, one table with a kind column.
pub fn monthly_csv(s: &MonthlySummary) -> String {
    let mut out = String::from(crate::csv::BOM);
    // Every cell as text: names come from the catalogue an administrator typed, and the
    // counts are never negative, so defusing them changes nothing.
    let mut row = |fields: &[&str]| out.push_str(&crate::csv::text_row(fields));
    row(&[
        "区分 kind",
        "コード code",
        "名称",
        "name",
        "件数 count",
        "達成 kept",
        "判定済 decided",
        "達成率 share kept (%)",
    ]);
    let n = |v: u64| v.to_string();
    let title = format!("{} {} 月次報告", s.ward_ja, s.month);
    let title_en = format!("{} monthly summary {}", s.ward_en, s.month);
    row(&["報告 report", &s.month, &title, &title_en, "", "", "", ""]);
    for (code, ja, en, count) in [
        ("received", "受付件数", "Received", s.received),
        ("resolved", "解決件数", "Resolved", s.resolved),
        (
            "open_at_end",
            "月末未解決",
            "Open at month end",
            s.open_at_end,
        ),
    ] {
        row(&["合計 total", code, ja, en, &n(count), "", "", ""]);
    }
    for d in &s.by_department {
        row(&[
            "部 department",
            &d.code,
            &d.name_ja,
            &d.name_en,
            &n(d.count),
            "",
            "",
            "",
        ]);
    }
    for c in &s.by_category {
        let ja = format!("{}／{}", c.group_ja, c.name_ja);
        let en = format!("{} / {}", c.group_en, c.name_en);
        row(&["分類 category", &c.code, &ja, &en, &n(c.count), "", "", ""]);
    }
    for st in &s.by_status {
        row(&[
            "状態 status",
            &st.code,
            &st.name_ja,
            &st.name_en,
            &n(st.count),
            "",
            "",
            "",
        ]);
    }
    for st in &s.standards {
        let decided = st.kept + st.missed + st.open_overdue;
        let share = st
            .share_kept
            .map(|v| format!("{:.1}", v * 100.0))
            .unwrap_or_default();
        row(&[
            "サービス基準 standard",
            st.standard.code(),
            &st.label_ja,
            &st.label_en,
            &n(decided + st.open_in_time),
            &n(st.kept),
            &n(decided),
            &share,
        ]);
    }
    out
}

#[cfg(test)]
#[path = "report_whole_list.rs"]
mod whole_list;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::tests::jst;
    use crate::catalogue::tests::sample;
    use crate::{Contact, NewRequest, Place, Urgency};

    fn viewer(id: &str, role: Role, sections: &[&str]) -> Viewer {
        Viewer {
            staff_id: id.into(),
            role,
            sections: sections.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn clerk() -> Viewer {
        viewer("clerk", Role::Office, &["road"])
    }

    /// A request received at `received_at`, due by its category's standard in `sample()`.
    fn request(n: u8, category: &str, section: &str, received_at: i64) -> RequestRecord {
        let req = NewRequest {
            id: crate::id::request_id(u64::from(n), [n; 10]),
            category: category.into(),
            title: format!("件名{n}"),
            description: "内容".into(),
            place: Place {
                address: "高津区下作延2-8".into(),
                ..Place::default()
            },
            urgency: Urgency::Medium,
            logged_at: received_at,
            contact: Contact {
                name: Some("山田 花子".into()),
                ..Contact::default()
            },
        };
        RequestRecord::created(&req, section, "insp", received_at, i64::from(n)).with_due(&sample())
    }

    fn done(mut r: RequestRecord, status: Status, m: [Option<i64>; 3]) -> RequestRecord {
        r.status = status;
        r.milestones = Milestones {
            routed_at: m[0],
            first_response_at: m[1],
            resolved_at: m[2],
        };
        r
    }

    #[test]
    fn periods_parse_and_refuse_what_is_not_one() {
        let p = Period::parse(Some("2026-04-01"), Some("2026-06-30")).unwrap();
        assert_eq!(p.start_ms(), jst("2026-04-01", 0, 0));
        assert_eq!(p.end_ms(), jst("2026-07-01", 0, 0) - 1);
        assert!(p.contains(jst("2026-06-30", 23, 59)));
        assert!(!p.contains(jst("2026-07-01", 0, 0)));
        let months: Vec<String> = p.months().into_iter().map(|m| m.0).collect();
        assert_eq!(months, ["2026-04", "2026-05", "2026-06"]);
        assert_eq!(
            Period::parse(Some("2026-04-31"), Some("2026-05-01"))
                .unwrap_err()
                .code(),
            "bad_date"
        );
        assert_eq!(
            Period::parse(None, Some("2026-05-01")).unwrap_err().code(),
            "missing_date"
        );
        assert_eq!(
            Period::parse(Some("2026-05-02"), Some("2026-05-01")).unwrap_err(),
            ReportError::Reversed
        );
        assert_eq!(
            Period::parse(Some("2020-01-01"), Some("2026-05-01")).unwrap_err(),
            ReportError::TooLong
        );
        let feb = Period::month("2028-02").unwrap();
        assert_eq!(feb.to_iso(), "2028-02-29");
        let dec = Period::month("2026-12").unwrap();
        assert_eq!(
            (dec.from_iso().as_str(), dec.to_iso().as_str()),
            ("2026-12-01", "2026-12-31")
        );
        assert_eq!(Period::month("2026-13").unwrap_err().code(), "bad_month");
        assert!(ReportError::OfficeOnly.message().ja.contains("事務職員"));
    }

    #[test]
    fn judging_against_each_standard() {
        // Friday 2026-06-05 19:40: route by Monday 06-08, first response by Wednesday
        // 06-10, resolve by Friday 07-03 (pothole: 1/3/20 working days).
        let r = request(1, "road-pothole", "road", jst("2026-06-05", 19, 40));
        let now = jst("2026-06-09", 12, 0);
        assert_eq!(
            judge(&r, Standard::Route, now),
            Some(Judgement::OpenOverdue)
        );
        assert_eq!(
            judge(&r, Standard::FirstResponse, now),
            Some(Judgement::OpenInTime)
        );
        let routed_monday = done(
            r.clone(),
            Status::Routed,
            [Some(jst("2026-06-08", 23, 0)), None, None],
        );
        assert_eq!(
            judge(&routed_monday, Standard::Route, now),
            Some(Judgement::Kept)
        );
        let routed_tuesday = done(
            r.clone(),
            Status::Routed,
            [Some(jst("2026-06-09", 9, 0)), None, None],
        );
        assert_eq!(
            judge(&routed_tuesday, Standard::Route, now),
            Some(Judgement::Missed)
        );
        // Closed before milestones were kept: cannot be judged.
        let old = done(r.clone(), Status::Closed, [None, None, None]);
        assert_eq!(judge(&old, Standard::Resolve, now), None);
        // No standard, no judgement.
        let welfare = request(2, "welfare-elderly", "elderly", jst("2026-06-05", 10, 0));
        assert_eq!(judge(&welfare, Standard::Route, now), None);
        // The record's own timeliness agrees.
        assert_eq!(
            routed_tuesday.step_timeliness(Standard::Route, now),
            Some(crate::Timeliness::Overdue)
        );
    }

    #[test]
    fn golden_week_is_not_counted_against_the_office() {
        // Thursday 2026-04-30 18:00: route by Friday 05-01, first response (3 working days)
        // by Friday 05-08 because 05-02..05-06 are weekend and holidays in the calendar.
        let r = request(1, "road-pothole", "road", jst("2026-04-30", 18, 0));
        let answered_may_8 = done(
            r.clone(),
            Status::InProgress,
            [
                Some(jst("2026-05-01", 9, 0)),
                Some(jst("2026-05-08", 16, 0)),
                None,
            ],
        );
        let now = jst("2026-05-20", 12, 0);
        assert_eq!(
            judge(&answered_may_8, Standard::FirstResponse, now),
            Some(Judgement::Kept)
        );
        // Without the holidays in the calendar the same answer would be late.
        let mut no_holidays = sample();
        no_holidays.calendar.days_off.clear();
        let r2 = RequestRecord {
            due: None,
            ..answered_may_8.clone()
        }
        .with_due(&no_holidays);
        assert_eq!(
            judge(&r2, Standard::FirstResponse, now),
            Some(Judgement::Missed)
        );
        // Working days: 05-01 (day 0 is 04-30), 05-07, 05-08 → 3.
        assert_eq!(
            working_days_between(r.received_at, jst("2026-05-08", 16, 0), &sample()),
            3
        );
        assert_eq!(
            working_days_between(r.received_at, jst("2026-05-08", 16, 0), &no_holidays),
            6
        );
        // Received on a holiday, answered the next working day: 0 days.
        assert_eq!(
            working_days_between(
                jst("2026-05-04", 10, 0),
                jst("2026-05-07", 10, 0),
                &sample()
            ),
            0
        );
    }

    #[test]
    fn the_standards_report_counts_and_lists_the_misses() {
        let cat = sample();
        let p = Period::parse(Some("2026-06-01"), Some("2026-06-30")).unwrap();
        let now = jst("2026-06-20", 12, 0);
        // Monday 06-01 10:00: route by Tuesday 06-02, first response by Thursday 06-04.
        let monday = jst("2026-06-01", 10, 0);
        let records = vec![
            // Kept route and first response, resolved in time.
            done(
                request(1, "road-pothole", "road", monday),
                Status::Resolved,
                [
                    Some(monday + 3_600_000),
                    Some(jst("2026-06-03", 9, 0)),
                    Some(jst("2026-06-10", 9, 0)),
                ],
            ),
            // Routed late (Wednesday), answered late (Friday), still open.
            done(
                request(2, "road-pothole", "road", monday),
                Status::InProgress,
                [
                    Some(jst("2026-06-03", 9, 0)),
                    Some(jst("2026-06-05", 9, 0)),
                    None,
                ],
            ),
            // Never touched: route and first response overdue, resolve still in time.
            request(3, "road-pothole", "road", monday),
            // Received on 06-19: everything still in time.
            request(4, "road-pothole", "road", jst("2026-06-19", 10, 0)),
            // Outside the period: not counted.
            request(5, "road-pothole", "road", jst("2026-05-29", 10, 0)),
            // A welfare request without a standard: unmeasured.
            request(6, "welfare-elderly", "elderly", monday),
        ];
        let report = standards_report(&records, &cat, &clerk(), &p, now);
        assert_eq!(report.requests, 5);
        assert_eq!(
            (report.from.as_str(), report.to.as_str()),
            ("2026-06-01", "2026-06-30")
        );
        let route = &report.standards[0];
        assert_eq!(route.standard, Standard::Route);
        assert_eq!(
            (
                route.overall.kept,
                route.overall.missed,
                route.overall.open_in_time,
                route.overall.open_overdue,
                route.overall.unmeasured
            ),
            (1, 1, 1, 1, 1)
        );
        assert_eq!(route.overall.share_kept, Some(1.0 / 3.0));
        let missed_ids: Vec<Uuid> = route.missed.iter().map(|m| m.id).collect();
        assert_eq!(missed_ids, [records[1].id, records[2].id]);
        assert_eq!(route.missed[0].done_at, Some(jst("2026-06-03", 9, 0)));
        assert_eq!(route.missed[1].done_at, None);
        assert_eq!(route.missed[0].due, jst("2026-06-03", 0, 0) - 1);
        assert_eq!(route.missed[0].title.as_deref(), Some("件名2"));
        // By section and category, in catalogue order.
        let sections: Vec<&str> = route.by_section.iter().map(|g| g.code.as_str()).collect();
        assert_eq!(sections, ["road", "elderly"]);
        assert_eq!(route.by_section[0].tally.decided(), 3);
        assert_eq!(route.by_category[1].tally.unmeasured, 1);
        assert_eq!(route.by_category[0].name_ja, "路面の穴・段差");
        let resolve = &report.standards[2];
        assert_eq!((resolve.overall.kept, resolve.overall.open_in_time), (1, 3));
        assert!(resolve.missed.is_empty());
        // The open ones with due dates, earliest resolve-by first, each step judged.
        assert_eq!(report.open_total, 3);
        let open: Vec<Uuid> = report.open.iter().map(|o| o.id).collect();
        assert_eq!(open, [records[1].id, records[2].id, records[3].id]);
        let late = &report.open[0];
        assert_eq!(late.route, Some(crate::Timeliness::Overdue));
        assert_eq!(late.resolve, Some(crate::Timeliness::OnTime));
        assert_eq!(
            report.open[1].first_response,
            Some(crate::Timeliness::Overdue)
        );
        // Received 06-19 (Friday): routed by Monday 06-22, not yet due soon at 06-20 noon.
        assert_eq!(report.open[2].route, Some(crate::Timeliness::OnTime));
    }

    #[test]
    fn a_section_head_sees_welfare_misses_without_their_details() {
        let mut cat = sample();
        cat.categories[1].standard = Some(ServiceStandard {
            route_days: 1,
            first_response_days: 2,
            resolve_days: 30,
        });
        let p = Period::parse(Some("2026-06-01"), Some("2026-06-30")).unwrap();
        let mut welfare = request(1, "welfare-elderly", "elderly", jst("2026-06-01", 10, 0));
        welfare = welfare.with_due(&cat);
        let now = jst("2026-06-20", 12, 0);
        let head = viewer("head", Role::Supervisor, &["road"]);
        let report = standards_report(std::slice::from_ref(&welfare), &cat, &head, &p, now);
        let missed = &report.standards[0].missed[0];
        assert!(missed.redacted);
        assert_eq!(missed.title, None);
        assert!(report.open[0].redacted);
        assert_eq!(report.open[0].title, None);
        assert!(!serde_json::to_string(&report).unwrap().contains("件名1"));
        // A welfare section member reads the title.
        let caseworker = viewer("cw", Role::Supervisor, &["elderly"]);
        let report = standards_report(&[welfare], &cat, &caseworker, &p, now);
        assert_eq!(
            report.standards[0].missed[0].title.as_deref(),
            Some("件名1")
        );
    }

    #[test]
    fn field_staff_do_not_read_reports_and_count_only_what_they_see() {
        assert_eq!(
            check_reader(&viewer("insp", Role::Field, &["road"])),
            Err(ReportError::OfficeOnly)
        );
        for role in [Role::Office, Role::Supervisor, Role::Admin] {
            assert!(check_reader(&viewer("x", role, &[])).is_ok());
        }
        // The pure functions still count only what the reader sees.
        let p = Period::parse(Some("2026-06-01"), Some("2026-06-30")).unwrap();
        let mut other = request(1, "road-pothole", "road", jst("2026-06-01", 10, 0));
        other.logged_by = "someone".into();
        let park_worker = viewer("p", Role::Field, &["park"]);
        let report = standards_report(
            &[other],
            &sample(),
            &park_worker,
            &p,
            jst("2026-06-02", 0, 0),
        );
        assert_eq!(report.requests, 0);
    }

    #[test]
    fn the_dashboard_counts_months_backlog_and_medians() {
        let cat = sample();
        let p = Period::parse(Some("2026-04-01"), Some("2026-06-30")).unwrap();
        let now = jst("2026-06-15", 12, 0);
        let records = vec![
            // Received in March, resolved on April 10: before the period, and resolved
            // before April's end, so in no month's backlog.
            done(
                request(1, "road-pothole", "road", jst("2026-03-30", 10, 0)),
                Status::Resolved,
                [
                    Some(jst("2026-03-30", 11, 0)),
                    Some(jst("2026-03-31", 9, 0)),
                    Some(jst("2026-04-10", 9, 0)),
                ],
            ),
            // April, resolved in May: in April's backlog.
            done(
                request(2, "road-pothole", "road", jst("2026-04-20", 10, 0)),
                Status::Closed,
                [
                    Some(jst("2026-04-20", 11, 0)),
                    Some(jst("2026-04-22", 9, 0)),
                    Some(jst("2026-05-12", 9, 0)),
                ],
            ),
            // May, open: in May's and June's backlog.
            request(3, "road-pothole", "road", jst("2026-05-15", 10, 0)),
            // June, welfare, answered in 2 working days.
            done(
                request(4, "welfare-elderly", "elderly", jst("2026-06-01", 10, 0)),
                Status::InProgress,
                [
                    Some(jst("2026-06-01", 11, 0)),
                    Some(jst("2026-06-03", 9, 0)),
                    None,
                ],
            ),
        ];
        let d = dashboard(&records, &cat, &clerk(), &p, now);
        let months: Vec<(&str, u64, u64)> = d
            .months
            .iter()
            .map(|m| (m.month.as_str(), m.received, m.open_at_end))
            .collect();
        assert_eq!(
            months,
            [("2026-04", 1, 1), ("2026-05", 1, 1), ("2026-06", 1, 2)]
        );
        assert_eq!(d.months[2].end_at, now);
        let departments: Vec<&str> = d.departments.iter().map(|x| x.code.as_str()).collect();
        assert_eq!(departments, ["kensetsu", "kosei"]);
        assert_eq!(d.months[2].received_by_department, [0, 1]);
        assert_eq!(d.months[0].received_by_department, [1, 0]);
        // Pothole: one answered in 2 working days (04-20 → 04-22), resolved in 12
        // (04-20 → 05-12 skipping 04-29, 05-03..06 and weekends).
        let pothole = &d.response_times[0];
        assert_eq!(pothole.code, "road-pothole");
        assert_eq!(pothole.requests, 2);
        assert_eq!(pothole.first_response_median_days, Some(2.0));
        assert_eq!(pothole.resolve_median_days, Some(12.0));
        assert_eq!(pothole.standard.unwrap().resolve_days, 20);
        assert_eq!(d.response_times[1].first_response_median_days, Some(2.0));
        assert_eq!(d.top_categories[0].code, "road-pothole");
        assert_eq!(d.top_categories[0].count, 2);
        assert_eq!(d.top_categories.len(), 2);
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5, 1, 3]), Some(3.0));
        assert_eq!(median(&mut [4, 1, 3, 2]), Some(2.5));
    }

    #[test]
    fn the_monthly_summary_has_counts_and_nothing_personal() {
        let cat = sample();
        let month = Period::month("2026-06").unwrap();
        let now = jst("2026-07-02", 12, 0);
        let records = vec![
            done(
                request(1, "road-pothole", "road", jst("2026-06-01", 10, 0)),
                Status::Resolved,
                [
                    Some(jst("2026-06-01", 11, 0)),
                    Some(jst("2026-06-02", 9, 0)),
                    Some(jst("2026-06-05", 9, 0)),
                ],
            ),
            request(2, "welfare-elderly", "elderly", jst("2026-06-03", 10, 0)),
            request(3, "welfare-elderly", "elderly", jst("2026-06-04", 10, 0)),
            request(4, "road-pothole", "road", jst("2026-07-01", 10, 0)),
        ];
        let admin = viewer("admin", Role::Admin, &[]);
        let s = monthly_summary(&records, &cat, &admin, &month, now);
        assert_eq!(s.month, "2026-06");
        assert_eq!((s.received, s.resolved, s.open_at_end), (3, 1, 2));
        assert_eq!(s.by_department[0].count, 1);
        assert_eq!(s.by_department[1].count, 2);
        let welfare = s
            .by_category
            .iter()
            .find(|c| c.code == "welfare-elderly")
            .unwrap();
        assert!(welfare.sensitive);
        assert_eq!(welfare.count, 2);
        assert_eq!(s.by_status.len(), Status::ALL.len());
        assert_eq!(s.by_status[0].count, 2); // 受付
        assert_eq!(s.standards[0].kept, 1);
        assert_eq!(s.standards[0].share_kept, Some(1.0));
        // Nothing personal, even for an administrator who reads everything.
        let json = serde_json::to_string(&s).unwrap();
        let csv = monthly_csv(&s);
        for secret in [
            "件名",
            "山田",
            "高津区下作延",
            "insp",
            &records[1].id.to_string(),
        ] {
            assert!(!json.contains(secret), "{secret} in the JSON");
            assert!(!csv.contains(secret), "{secret} in the CSV");
        }
        assert!(csv.starts_with('\u{FEFF}'));
        assert!(csv.contains("\r\n"));
        assert!(csv.contains(
            "分類 category,welfare-elderly,福祉／高齢者の見守り・介護,Welfare / Elderly care,2,,,"
        ));
        assert!(csv.contains("サービス基準 standard,route,担当決定,Routed,1,1,1,100.0"));
    }

    #[test]
    fn the_monthly_csv_defuses_formulas_in_names() {
        let mut cat = sample();
        cat.categories[0].name_ja = "=HYPERLINK(\"http://x\",\"y\")".into();
        cat.categories[0].group_ja = "@".into();
        cat.ward_ja = "+区".into();
        cat.categories[0].name_en = "-1+1".into();
        let month = Period::month("2026-06").unwrap();
        let records = vec![request(
            1,
            &cat.categories[0].code.clone(),
            "road",
            jst("2026-06-01", 10, 0),
        )];
        let admin = viewer("admin", Role::Admin, &[]);
        let s = monthly_summary(&records, &cat, &admin, &month, jst("2026-07-02", 12, 0));
        let csv = monthly_csv(&s);
        assert!(
            csv.contains(",\"'@／=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","),
            "{csv}"
        );
        assert!(csv.contains(",'+区 2026-06 月次報告,"), "{csv}");
        assert!(csv.contains(" / -1+1,"), "{csv}");
        for line in csv.split("\r\n") {
            for cell in line.split(',') {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@']),
                    "{cell:?} in {line}"
                );
            }
        }
    }

    /// A ward of `count` requests over March–July 2026: categories and sections in and out
    /// of the catalogue, every status, milestones early, late or missing, some without due
    /// dates, some logged by the reader. A fixed pseudo-random sequence, so reproducible.
    fn varied_ward(count: u64) -> Vec<RequestRecord> {
        let mut seed: u64 = 0x5eed;
        let mut next = move |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        let start = jst("2026-03-15", 0, 0);
        let span = jst("2026-07-10", 0, 0) - start;
        let kinds = [
            ("road-pothole", "road"),
            ("road-pothole", "road"),
            ("welfare-elderly", "elderly"),
            ("road-pothole", "elderly"),
            ("gone-category", "gone-section"),
        ];
        (0..count)
            .map(|i| {
                let (category, section) = kinds[next(kinds.len() as u64) as usize];
                let received = start + (next(span as u64) as i64);
                let mut r = request(1, category, section, received);
                r.id = Uuid::from_u128(u128::from(i) + 1);
                if next(4) == 0 {
                    r.logged_by = "clerk".into();
                }
                let after = |days: u64, next: &mut dyn FnMut(u64) -> u64| {
                    (next(3) > 0).then(|| received + (next(days * DAY_MS as u64) as i64))
                };
                let m = [
                    after(4, &mut next),
                    after(8, &mut next),
                    after(40, &mut next),
                ];
                let status = Status::ALL[next(Status::ALL.len() as u64) as usize];
                let mut r = done(r, status, m);
                if next(10) == 0 {
                    r.due = None;
                }
                r
            })
            .collect()
    }

    fn readers() -> Vec<Viewer> {
        vec![
            clerk(),
            viewer("head", Role::Supervisor, &["road"]),
            viewer("admin", Role::Admin, &[]),
            viewer("insp", Role::Field, &["elderly"]),
        ]
    }

    #[test]
    fn the_standards_fold_matches_the_whole_list_report() {
        let cat = sample();
        let records = varied_ward(3000);
        let now = jst("2026-06-20", 12, 0);
        for p in [
            Period::parse(Some("2026-04-01"), Some("2026-06-30")).unwrap(),
            Period::month("2026-05").unwrap(),
            Period::parse(Some("2026-06-25"), Some("2026-07-31")).unwrap(),
        ] {
            for reader in readers() {
                let mut whole = whole_list::standards_report(&records, &cat, &reader, &p, now);
                let folded = standards_report(&records, &cat, &reader, &p, now);
                for s in &mut whole.standards {
                    s.missed.truncate(MAX_MISSED_LISTED);
                }
                assert_eq!(folded, whole, "{p:?} {reader:?}");
            }
        }
    }

    #[test]
    fn the_standards_report_lists_at_most_500_misses_earliest_due_first() {
        let cat = sample();
        let records = varied_ward(6000);
        let p = Period::parse(Some("2026-03-01"), Some("2026-07-31")).unwrap();
        let now = jst("2026-07-20", 12, 0);
        let whole = whole_list::standards_report(&records, &cat, &clerk(), &p, now);
        let report = standards_report(&records, &cat, &clerk(), &p, now);
        assert!(report.standards[0].missed_total > MAX_MISSED_LISTED as u64);
        for (s, w) in report.standards.iter().zip(&whole.standards) {
            let listed = w.missed.len().min(MAX_MISSED_LISTED);
            assert_eq!(s.missed_total, w.missed.len() as u64);
            assert_eq!(s.missed.len(), listed);
            assert_eq!(s.missed[..], w.missed[..listed]);
            assert!(s.missed.windows(2).all(|m| m[0].due <= m[1].due));
        }
        assert_eq!(report.open.len(), MAX_OPEN_LISTED);
        assert_eq!(report.open_total, whole.open_total);
    }

    #[test]
    fn the_dashboard_and_monthly_folds_match_the_whole_list_reports() {
        let cat = sample();
        let records = varied_ward(3000);
        for now in [jst("2026-06-20", 12, 0), jst("2026-09-01", 9, 0)] {
            for reader in readers() {
                let p = Period::parse(Some("2026-04-01"), Some("2026-07-31")).unwrap();
                assert_eq!(
                    dashboard(&records, &cat, &reader, &p, now),
                    whole_list::dashboard(&records, &cat, &reader, &p, now),
                    "{reader:?}"
                );
                for month in ["2026-04", "2026-06", "2026-07"] {
                    let m = Period::month(month).unwrap();
                    assert_eq!(
                        monthly_summary(&records, &cat, &reader, &m, now),
                        whole_list::monthly_summary(&records, &cat, &reader, &m, now),
                        "{month} {reader:?}"
                    );
                }
            }
        }
    }
}
