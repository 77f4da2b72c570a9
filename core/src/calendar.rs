//! Working days and due dates (区役所サービス基準): "route a request to its section within
//! one working day" needs the ward office's calendar, not the wall clock.
//!
//! A working day (開庁日) is a weekday that is not on the ward calendar's list of days off.
//! The list is DATA, seeded by the ward record and cached on the device: Japanese public
//! holidays (国民の祝日, 振替休日, 国民の休日) and the office's year-end closure (年末年始
//! 12/29–1/3). A ward that closes on an extra day adds a row; no release.
//!
//! Pure date arithmetic on days since the Unix epoch in Japan Standard Time (UTC+9, no
//! daylight saving), from milliseconds since the epoch: no clock, no time-zone database,
//! no external crate, the same answers on the device (wasm32) and the ward record.
//!
//! **When a due date falls.** A request is due at the *end* of its due working day
//! (23:59:59.999 JST), not at closing time (17:15): a request received after hours on a
//! working day would otherwise be due before it arrived. Day 0 is the day it was received
//! when that is a working day, else the next working day; `n` working days later is the
//! due day. So a request received Friday evening with one working day is due Monday.

use serde::{Deserialize, Serialize};

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;
/// Japan Standard Time is UTC+9 all year.
pub const JST_OFFSET_MS: i64 = 9 * 3_600_000;
/// A request not yet done is 期限間近 (due soon) within this long of its due time.
pub const DUE_SOON_MS: i64 = DAY_MS;

/// サービス基準 of one category, in working days from receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceStandard {
    /// Routed to the responsible section (担当決定) within this many working days.
    pub route_days: u32,
    /// First response to the resident (初回対応) within this many working days.
    pub first_response_days: u32,
    /// Resolved (対応済) within this many working days.
    pub resolve_days: u32,
}

/// One day the office is closed besides weekends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayOff {
    /// ISO date, `YYYY-MM-DD` (Japan).
    pub date: String,
    /// 元日, 振替休日, 年末年始休業 …
    pub name_ja: String,
    #[serde(default)]
    pub name_en: String,
}

/// The ward office's calendar: the days off besides Saturdays and Sundays.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WardCalendar {
    #[serde(default)]
    pub days_off: Vec<DayOff>,
}

impl WardCalendar {
    /// Every date reads as an ISO date.
    pub fn check(&self) -> Result<(), String> {
        for d in &self.days_off {
            if parse_iso_date(&d.date).is_none() {
                return Err(format!("calendar day off {:?} is not a date", d.date));
            }
        }
        Ok(())
    }

    /// The day off on `day` (days since the epoch, JST), if any.
    pub fn day_off(&self, day: i64) -> Option<&DayOff> {
        self.days_off
            .iter()
            .find(|d| parse_iso_date(&d.date) == Some(day))
    }

    /// Is `day` (days since the epoch, JST) a working day?
    pub fn is_working_day(&self, day: i64) -> bool {
        !is_weekend(day) && self.day_off(day).is_none()
    }

    fn lookup(&self) -> DaysOff {
        let mut days: Vec<i64> = self
            .days_off
            .iter()
            .filter_map(|d| parse_iso_date(&d.date))
            .collect();
        days.sort_unstable();
        days.dedup();
        DaysOff(days)
    }
}

/// The calendar's days off, parsed once per computation.
struct DaysOff(Vec<i64>);

impl DaysOff {
    fn is_working_day(&self, day: i64) -> bool {
        !is_weekend(day) && self.0.binary_search(&day).is_err()
    }
}

/// Days since 1970-01-01 in Japan for an instant in ms since the epoch.
pub fn jst_day(ms: i64) -> i64 {
    (ms + JST_OFFSET_MS).div_euclid(DAY_MS)
}

/// The last millisecond of `day` in Japan (23:59:59.999 JST).
pub fn end_of_jst_day(day: i64) -> i64 {
    (day + 1) * DAY_MS - JST_OFFSET_MS - 1
}

/// Day of the week: 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
pub fn weekday(day: i64) -> u32 {
    (day + 3).rem_euclid(7) as u32
}

pub fn is_weekend(day: i64) -> bool {
    weekday(day) >= 5
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of days since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Days since the epoch of an ISO date `YYYY-MM-DD`; `None` if it is not a real date.
pub fn parse_iso_date(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year: i64 = text.get(0..4)?.parse().ok()?;
    let month: u32 = text.get(5..7)?.parse().ok()?;
    let day: u32 = text.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    // Rejects 02-30 and friends: the date must come back unchanged.
    (civil_from_days(days) == (year, month, day)).then_some(days)
}

/// `YYYY-MM-DD` of days since the epoch.
pub fn iso_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The due time `n` working days after `start_ms`: the end (23:59:59.999 JST) of the
/// `n`th working day after the start day, where the start day is the day of `start_ms` if
/// it is a working day and otherwise the next working day (so `n = 0` is "the same
/// working day"). Always at or after `start_ms`, always on a working day.
pub fn add_working_days(start_ms: i64, n: u32, calendar: &WardCalendar) -> i64 {
    let days_off = calendar.lookup();
    end_of_jst_day(working_day_after(jst_day(start_ms), n, &days_off))
}

fn working_day_after(mut day: i64, n: u32, days_off: &DaysOff) -> i64 {
    while !days_off.is_working_day(day) {
        day += 1;
    }
    for _ in 0..n {
        day += 1;
        while !days_off.is_working_day(day) {
            day += 1;
        }
    }
    day
}

/// When a request must be routed, first answered and resolved (ms since the epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueDates {
    pub route_by: i64,
    pub first_response_by: i64,
    pub resolve_by: i64,
}

/// The due dates of a request received at `received_at` under `standard`.
pub fn due_dates(
    received_at: i64,
    standard: &ServiceStandard,
    calendar: &WardCalendar,
) -> DueDates {
    let days_off = calendar.lookup();
    let start = jst_day(received_at);
    let due = |n| end_of_jst_day(working_day_after(start, n, &days_off));
    DueDates {
        route_by: due(standard.route_days),
        first_response_by: due(standard.first_response_days),
        resolve_by: due(standard.resolve_days),
    }
}

/// How a request stands against one of its due dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    /// 期限内: done in time, or more than [`DUE_SOON_MS`] left.
    OnTime,
    /// 期限間近: not done, due within [`DUE_SOON_MS`].
    DueSoon,
    /// 期限超過: done late, or not done and past due.
    Overdue,
}

impl Timeliness {
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::OnTime => "期限内",
            Self::DueSoon => "期限間近",
            Self::Overdue => "期限超過",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::OnTime => "On time",
            Self::DueSoon => "Due soon",
            Self::Overdue => "Overdue",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::OnTime => "on_time",
            Self::DueSoon => "due_soon",
            Self::Overdue => "overdue",
        }
    }
}

/// Where a step stands: `due` its due time, `now` the clock, `done_at` when the step was
/// done (`None`: not yet). All ms since the epoch. Done at the due millisecond is on time.
pub fn timeliness(due: i64, now: i64, done_at: Option<i64>) -> Timeliness {
    match done_at {
        Some(at) if at <= due => Timeliness::OnTime,
        Some(_) => Timeliness::Overdue,
        None if now > due => Timeliness::Overdue,
        None if due - now <= DUE_SOON_MS => Timeliness::DueSoon,
        None => Timeliness::OnTime,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The calendar the tests use: Golden Week 2026 and the year-end closure 2026–27.
    pub fn sample_calendar() -> WardCalendar {
        let off = |date: &str, name_ja: &str| DayOff {
            date: date.into(),
            name_ja: name_ja.into(),
            name_en: String::new(),
        };
        WardCalendar {
            days_off: vec![
                off("2026-04-29", "昭和の日"),
                off("2026-05-03", "憲法記念日"),
                off("2026-05-04", "みどりの日"),
                off("2026-05-05", "こどもの日"),
                off("2026-05-06", "振替休日"),
                off("2026-12-29", "年末年始休業"),
                off("2026-12-30", "年末年始休業"),
                off("2026-12-31", "年末年始休業"),
                off("2027-01-01", "元日"),
                off("2027-01-02", "年末年始休業"),
                off("2027-01-03", "年末年始休業"),
                off("2027-01-11", "成人の日"),
            ],
        }
    }

    /// ms since the epoch of a JST wall-clock time.
    pub fn jst(date: &str, hour: i64, minute: i64) -> i64 {
        parse_iso_date(date).unwrap() * DAY_MS + (hour * 60 + minute) * 60_000 - JST_OFFSET_MS
    }

    fn due_date(start_ms: i64, n: u32) -> String {
        let due = add_working_days(start_ms, n, &sample_calendar());
        assert_eq!(due, end_of_jst_day(jst_day(due)), "due at the end of a day");
        iso_date(jst_day(due))
    }

    #[test]
    fn dates_round_trip_and_weekdays_are_right() {
        assert_eq!(parse_iso_date("1970-01-01"), Some(0));
        assert_eq!(
            iso_date(parse_iso_date("2026-05-06").unwrap()),
            "2026-05-06"
        );
        assert_eq!(
            iso_date(parse_iso_date("2028-02-29").unwrap()),
            "2028-02-29"
        );
        assert_eq!(parse_iso_date("2026-02-29"), None);
        assert_eq!(parse_iso_date("2026-13-01"), None);
        assert_eq!(parse_iso_date("2026-5-6"), None);
        // 2026-05-01 was a Friday, 2027-01-04 a Monday.
        assert_eq!(weekday(parse_iso_date("2026-05-01").unwrap()), 4);
        assert_eq!(weekday(parse_iso_date("2027-01-04").unwrap()), 0);
    }

    #[test]
    fn the_day_is_the_day_in_japan() {
        // 2026-05-01 23:30 JST is 14:30 UTC the same day; 2026-05-02 00:30 JST is still
        // 05-01 in UTC but already Saturday in Tokyo.
        assert_eq!(iso_date(jst_day(jst("2026-05-01", 23, 30))), "2026-05-01");
        assert_eq!(iso_date(jst_day(jst("2026-05-02", 0, 30))), "2026-05-02");
        assert_eq!(
            end_of_jst_day(parse_iso_date("2026-05-01").unwrap()),
            jst("2026-05-02", 0, 0) - 1
        );
    }

    #[test]
    fn friday_evening_with_one_working_day_is_due_monday() {
        // 2026-06-05 is a Friday; 19:40 is after closing.
        assert_eq!(due_date(jst("2026-06-05", 19, 40), 1), "2026-06-08");
        assert_eq!(due_date(jst("2026-06-05", 19, 40), 0), "2026-06-05");
    }

    #[test]
    fn golden_week_is_skipped() {
        // Tuesday 04-28: 04-29 (昭和の日) is off, so one working day is Thursday 04-30.
        assert_eq!(due_date(jst("2026-04-28", 10, 0), 1), "2026-04-30");
        // Thursday 04-30 + 2: Friday 05-01, then 05-02..05-06 off, Thursday 05-07.
        assert_eq!(due_date(jst("2026-04-30", 9, 0), 2), "2026-05-07");
        // Received during the holidays: day 0 is Thursday 05-07.
        assert_eq!(due_date(jst("2026-05-04", 12, 0), 0), "2026-05-07");
        assert_eq!(due_date(jst("2026-05-04", 12, 0), 1), "2026-05-08");
    }

    #[test]
    fn the_year_end_closure_is_skipped() {
        // Monday 2026-12-28 + 1: 12-29 .. 01-03 closed, Monday 2027-01-04.
        assert_eq!(due_date(jst("2026-12-28", 16, 0), 1), "2027-01-04");
        // Received on New Year's Eve: the same working day is 01-04; 5 more skip
        // the weekend and 成人の日 (01-11) to Tuesday 01-12.
        assert_eq!(due_date(jst("2026-12-31", 11, 0), 0), "2027-01-04");
        assert_eq!(due_date(jst("2026-12-31", 11, 0), 5), "2027-01-12");
    }

    #[test]
    fn zero_days_on_a_weekend_is_the_next_working_day() {
        // Saturday 2026-06-06 → Monday.
        assert_eq!(due_date(jst("2026-06-06", 10, 0), 0), "2026-06-08");
    }

    #[test]
    fn due_dates_follow_the_standard() {
        let standard = ServiceStandard {
            route_days: 1,
            first_response_days: 3,
            resolve_days: 20,
        };
        let received = jst("2026-06-05", 19, 40);
        let due = due_dates(received, &standard, &sample_calendar());
        assert_eq!(iso_date(jst_day(due.route_by)), "2026-06-08");
        assert_eq!(iso_date(jst_day(due.first_response_by)), "2026-06-10");
        // 20 working days from Friday 06-05: four whole weeks, Friday 07-03.
        assert_eq!(iso_date(jst_day(due.resolve_by)), "2026-07-03");
        assert_eq!(
            due.route_by,
            add_working_days(received, 1, &sample_calendar())
        );
    }

    #[test]
    fn timeliness_of_a_step() {
        let due = jst("2026-06-08", 0, 0) - 1;
        assert_eq!(timeliness(due, due - 3 * DAY_MS, None), Timeliness::OnTime);
        assert_eq!(timeliness(due, due - DAY_MS, None), Timeliness::DueSoon);
        assert_eq!(timeliness(due, due, None), Timeliness::DueSoon);
        assert_eq!(timeliness(due, due + 1, None), Timeliness::Overdue);
        assert_eq!(timeliness(due, due + DAY_MS, Some(due)), Timeliness::OnTime);
        assert_eq!(timeliness(due, due, Some(due + 1)), Timeliness::Overdue);
        assert_eq!(Timeliness::DueSoon.label_ja(), "期限間近");
    }

    #[test]
    fn calendar_check_finds_a_bad_date() {
        let mut c = sample_calendar();
        assert!(c.check().is_ok());
        assert!(!c.is_working_day(parse_iso_date("2026-05-06").unwrap()));
        assert!(c.is_working_day(parse_iso_date("2026-05-07").unwrap()));
        c.days_off[0].date = "2026-04-31".into();
        assert!(c.check().unwrap_err().contains("2026-04-31"));
    }

    proptest! {
        #[test]
        fn civil_dates_round_trip(days in -800_000i64..800_000) {
            let (y, m, d) = civil_from_days(days);
            prop_assert_eq!(days_from_civil(y, m, d), days);
            if (0..=9999).contains(&y) {
                prop_assert_eq!(parse_iso_date(&iso_date(days)), Some(days));
            }
        }

        #[test]
        fn due_is_never_early_nor_on_a_day_off(
            // 2025-06-01 .. 2028-06-01, any millisecond.
            start in 1_748_736_000_000i64..1_843_430_400_000,
            n in 0u32..40,
        ) {
            let calendar = sample_calendar();
            let due = add_working_days(start, n, &calendar);
            prop_assert!(due >= start);
            prop_assert!(calendar.is_working_day(jst_day(due)));
            prop_assert_eq!(due, end_of_jst_day(jst_day(due)));
            // Exactly n working days after the first working day at or after the start.
            let working = (jst_day(start)..jst_day(due))
                .filter(|d| calendar.is_working_day(*d))
                .count();
            prop_assert_eq!(working, n as usize);
            // One more working day is strictly later.
            prop_assert!(add_working_days(start, n + 1, &calendar) > due);
        }
    }
}
