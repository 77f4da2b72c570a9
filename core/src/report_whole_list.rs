//! The reports as they were computed before they became accumulators: over the whole list
//! of records at once. Kept for the tests only, to prove the fold gives the same figures.

use super::*;

/// The requests the reader may see, as they may see them.
fn visible<'a>(
    records: &'a [RequestRecord],
    viewer: &'a Viewer,
) -> impl Iterator<Item = &'a RequestRecord> + 'a {
    records.iter().filter(move |r| viewer.sees(r))
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
    let in_period: Vec<&RequestRecord> = visible(records, viewer)
        .filter(|r| period.contains(r.received_at))
        .collect();
    let section_order: Vec<&str> = catalogue.sections.iter().map(|s| s.code.as_str()).collect();
    let category_order: Vec<&str> = catalogue
        .categories
        .iter()
        .map(|c| c.code.as_str())
        .collect();
    let standards = Standard::ALL
        .into_iter()
        .map(|standard| {
            let mut overall = Tally::default();
            let mut by_section: BTreeMap<String, Tally> = BTreeMap::new();
            let mut by_category: BTreeMap<String, Tally> = BTreeMap::new();
            let mut missed = Vec::new();
            for r in &in_period {
                let j = judge(r, standard, now);
                overall.add(j);
                by_section.entry(r.section.clone()).or_default().add(j);
                by_category.entry(r.category.clone()).or_default().add(j);
                if matches!(j, Some(Judgement::Missed | Judgement::OpenOverdue)) {
                    let seen = viewer.redact((*r).clone(), catalogue);
                    missed.push(MissedRequest {
                        id: seen.id,
                        title: seen.title,
                        redacted: seen.redacted,
                        category: seen.category,
                        section: seen.section,
                        status: seen.status,
                        received_at: seen.received_at,
                        due: r.due.map(|d| standard.due(&d)).unwrap_or_default(),
                        done_at: standard.done_at(&r.milestones),
                    });
                }
            }
            missed.sort_by_key(|m| (m.due, m.received_at, m.id));
            StandardReport {
                standard,
                overall,
                by_section: ordered_groups(by_section, &section_order, |c| {
                    section_names(catalogue, c)
                }),
                by_category: ordered_groups(by_category, &category_order, |c| {
                    category_names(catalogue, c)
                }),
                missed_total: missed.len() as u64,
                missed,
            }
        })
        .collect();
    let mut open: Vec<(&RequestRecord, DueDates)> = in_period
        .iter()
        .filter(|r| r.is_open())
        .filter_map(|r| r.due.map(|d| (*r, d)))
        .collect();
    open.sort_by_key(|(r, d)| (d.resolve_by, r.received_at, r.id));
    let open_total = open.len() as u64;
    let open = open
        .into_iter()
        .take(MAX_OPEN_LISTED)
        .map(|(r, due)| {
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
        })
        .collect();
    StandardsReport {
        from: period.from_iso(),
        to: period.to_iso(),
        generated_at: now,
        requests: in_period.len() as u64,
        standards,
        open,
        open_total,
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
    let seen: Vec<&RequestRecord> = visible(records, viewer).collect();
    let departments: Vec<Named> = catalogue
        .departments
        .iter()
        .map(|d| Named {
            code: d.code.clone(),
            name_ja: d.name_ja.clone(),
            name_en: d.name_en.clone(),
        })
        .collect();
    let department_of = |r: &RequestRecord| {
        catalogue
            .section(&r.section)
            .and_then(|s| departments.iter().position(|d| d.code == s.department))
    };
    let today = jst_day(now);
    let months = period
        .months()
        .into_iter()
        .filter(|(_, first, _)| *first <= today)
        .map(|(month, first, last)| {
            let start = first * DAY_MS - JST_OFFSET_MS;
            let end = end_of_jst_day(last);
            let mut by_department = vec![0u64; departments.len()];
            let mut received = 0;
            for r in seen
                .iter()
                .filter(|r| (start..=end).contains(&r.received_at))
            {
                received += 1;
                if let Some(i) = department_of(r) {
                    by_department[i] += 1;
                }
            }
            let end_at = end.min(now);
            DashboardMonth {
                month,
                received_by_department: by_department,
                received,
                open_at_end: seen.iter().filter(|r| open_at(r, end_at)).count() as u64,
                end_at,
            }
        })
        .collect();

    let off = days_off(catalogue);
    let mut per_category: BTreeMap<&str, (u64, Vec<u32>, Vec<u32>)> = BTreeMap::new();
    for r in seen.iter().filter(|r| period.contains(r.received_at)) {
        let entry = per_category.entry(r.category.as_str()).or_default();
        entry.0 += 1;
        if let Some(at) = r.milestones.first_response_at {
            entry.1.push(working_days_with(r.received_at, at, &off));
        }
        if let Some(at) = r.milestones.resolved_at {
            entry.2.push(working_days_with(r.received_at, at, &off));
        }
    }
    let position = |code: &str| {
        catalogue
            .categories
            .iter()
            .position(|c| c.code == code)
            .unwrap_or(usize::MAX)
    };
    let mut codes: Vec<&str> = per_category.keys().copied().collect();
    codes.sort_by(|a, b| position(a).cmp(&position(b)).then(a.cmp(b)));
    let response_times: Vec<ResponseTimes> = codes
        .iter()
        .map(|code| {
            let (requests, first, resolved) = per_category.get_mut(code).expect("a listed code");
            let (name_ja, name_en) = category_names(catalogue, code);
            ResponseTimes {
                code: code.to_string(),
                name_ja,
                name_en,
                standard: catalogue.category(code).and_then(|c| c.standard),
                requests: *requests,
                first_responded: first.len() as u64,
                first_response_median_days: median(first),
                resolved: resolved.len() as u64,
                resolve_median_days: median(resolved),
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
        from: period.from_iso(),
        to: period.to_iso(),
        generated_at: now,
        departments,
        months,
        response_times,
        top_categories: top,
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
    let seen: Vec<&RequestRecord> = visible(records, viewer).collect();
    let received: Vec<&RequestRecord> = seen
        .iter()
        .copied()
        .filter(|r| month.contains(r.received_at))
        .collect();
    let by_department = catalogue
        .departments
        .iter()
        .map(|d| CountRow {
            code: d.code.clone(),
            name_ja: d.name_ja.clone(),
            name_en: d.name_en.clone(),
            count: received
                .iter()
                .filter(|r| {
                    catalogue
                        .section(&r.section)
                        .is_some_and(|s| s.department == d.code)
                })
                .count() as u64,
        })
        .collect();
    let by_category = catalogue
        .categories
        .iter()
        .map(|c| CategoryRow {
            code: c.code.clone(),
            group_ja: c.group_ja.clone(),
            group_en: c.group_en.clone(),
            name_ja: c.name_ja.clone(),
            name_en: c.name_en.clone(),
            sensitive: c.sensitive,
            count: received.iter().filter(|r| r.category == c.code).count() as u64,
        })
        .collect();
    let by_status = Status::ALL
        .into_iter()
        .map(|s| CountRow {
            code: s.code().to_string(),
            name_ja: s.label_ja().to_string(),
            name_en: s.label_en().to_string(),
            count: received.iter().filter(|r| r.status == s).count() as u64,
        })
        .collect();
    let standards = Standard::ALL
        .into_iter()
        .map(|standard| {
            let mut t = Tally::default();
            for r in &received {
                t.add(judge(r, standard, now));
            }
            StandardSummary {
                standard,
                label_ja: standard.label_ja().to_string(),
                label_en: standard.label_en().to_string(),
                kept: t.kept,
                missed: t.missed,
                open_in_time: t.open_in_time,
                open_overdue: t.open_overdue,
                share_kept: t.share_kept,
            }
        })
        .collect();
    let end_at = month.end_ms().min(now);
    MonthlySummary {
        month: month.from_iso()[..7].to_string(),
        ward_ja: catalogue.ward_ja.clone(),
        ward_en: catalogue.ward_en.clone(),
        generated_at: now,
        received: received.len() as u64,
        resolved: seen
            .iter()
            .filter(|r| {
                r.milestones
                    .resolved_at
                    .is_some_and(|at| month.contains(at))
            })
            .count() as u64,
        open_at_end: seen.iter().filter(|r| open_at(r, end_at)).count() as u64,
        by_department,
        by_category,
        by_status,
        standards,
    }
}
