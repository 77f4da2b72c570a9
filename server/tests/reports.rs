//! The service standards and the committee's reports, through the router, on SQLite and
//! PostgreSQL: milestones recorded by real pushes, the standards report against the
//! seeded ward calendar, who may read reports, and what they may see in them.

mod common;

use axum::http::{header, StatusCode};
use koe_core::calendar::{iso_date, jst_day, DAY_MS};
use koe_core::report::{Dashboard, MonthlySummary, Standard, StandardsReport};
use koe_core::{
    Catalogue, FieldEdit, FieldValue, Milestones, Mutation, MutationKind, NewRequest, Status,
    Urgency,
};
use koe_server::{Backend, SqlStore};
use uuid::Uuid;

use common::{applied, both, create, jst, set_fields, TestApp};

both!(
    milestones_are_recorded_by_real_pushes,
    the_standards_report_counts_by_the_ward_calendar,
    field_staff_may_not_read_reports,
    bad_periods_are_refused_with_reasons,
    a_section_head_sees_no_welfare_details_in_reports,
    the_monthly_summary_has_no_personal_data,
);

// ---------------------------------------------------------------------------------
// Helpers

impl TestApp {
    /// Logs a request from a new device of `cookie`'s owner; its version.
    async fn log(&self, cookie: &str, request: &NewRequest) -> i64 {
        let r = self
            .push(cookie, Uuid::new_v4(), &[create(1, request.clone())])
            .await;
        applied(&r.outcomes[0].outcome)
    }

    /// Sets fields from the office device `client`; the new version.
    async fn set(
        &self,
        cookie: &str,
        client: Uuid,
        mutation_id: u64,
        request_id: Uuid,
        base: i64,
        values: Vec<FieldValue>,
    ) -> i64 {
        let r = self
            .push(
                cookie,
                client,
                &[Mutation {
                    author: None,
                    id: mutation_id,
                    kind: set_fields(request_id, base, values),
                }],
            )
            .await;
        applied(&r.outcomes[0].outcome)
    }

    async fn catalogue(&self, cookie: &str) -> Catalogue {
        let a = self.get("/api/catalogue", Some(cookie)).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        serde_json::from_slice(&a.body).expect("Catalogue")
    }

    /// A second connection to the test's own database, to move requests back in time:
    /// the API always receives at the ward record's clock. The scratch database is the
    /// SQLite file beside `dist/`, or the PostgreSQL schema named after the folder (see
    /// `common::scratch`).
    async fn database(&self) -> SqlStore {
        let dir = self.dist.parent().expect("scratch folder");
        let url = match self.store.backend() {
            Backend::Sqlite => format!("sqlite://{}", dir.join("koe.db").display()),
            Backend::Postgres => {
                let name = dir.file_name().expect("name").to_string_lossy();
                let tag = name.strip_prefix("koe-test-").expect("a scratch folder");
                let base = common::scratch::pg_base_url();
                let sep = if base.contains('?') { '&' } else { '?' };
                format!("{base}{sep}options=-c%20search_path%3Dkoe_t_{tag}")
            }
        };
        SqlStore::connect_with(&url, 1).await.expect("connect")
    }
}

/// `common::new_request` with an email too: every personal detail filled in, for the
/// reports to leave out.
fn new_request(category: &str, title: &str) -> NewRequest {
    let mut request = common::new_request(category, title);
    request.contact.email = Some("hanako@example.jp".into());
    request
}

fn day(ms: i64) -> String {
    iso_date(jst_day(ms))
}

/// Moves a request back in time: received at `received_at` (due dates from its
/// category's standard and the ward calendar, as at receipt), with these milestones.
async fn backdate(
    db: &SqlStore,
    catalogue: &Catalogue,
    id: Uuid,
    category: &str,
    received_at: i64,
    m: Milestones,
) {
    let due = catalogue
        .due_dates(category, received_at)
        .expect("a standard");
    let done = sqlx::query(
        "UPDATE requests SET received_at = $1, route_by = $2, first_response_by = $3,
           resolve_by = $4, routed_at = $5, first_response_at = $6, resolved_at = $7
         WHERE id = $8",
    )
    .bind(received_at)
    .bind(due.route_by)
    .bind(due.first_response_by)
    .bind(due.resolve_by)
    .bind(m.routed_at)
    .bind(m.first_response_at)
    .bind(m.resolved_at)
    .bind(id.to_string())
    .execute(db.pool())
    .await
    .expect("backdate");
    assert_eq!(done.rows_affected(), 1);
}

fn milestones(routed: Option<i64>, first: Option<i64>, resolved: Option<i64>) -> Milestones {
    Milestones {
        routed_at: routed,
        first_response_at: first,
        resolved_at: resolved,
    }
}

async fn standards(t: &TestApp, cookie: &str, from: &str, to: &str) -> StandardsReport {
    let a = t
        .get(
            &format!("/api/reports/standards?from={from}&to={to}"),
            Some(cookie),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    serde_json::from_slice(&a.body).expect("StandardsReport")
}

// ---------------------------------------------------------------------------------
// Tests

async fn milestones_are_recorded_by_real_pushes(t: TestApp) {
    let road = t.sign_in("road01").await;
    let clerk = t.sign_in("clerk01").await;
    let office = Uuid::new_v4();
    let req = new_request("road-pothole", "段差");
    let v1 = t.log(&road, &req).await;
    assert_eq!(
        t.detail(&clerk, req.id).await.request.milestones,
        Milestones::default()
    );

    // A field edit by the inspector is no milestone.
    let inspector = Uuid::new_v4();
    let r = t
        .push(
            &road,
            inspector,
            &[Mutation {
                author: None,
                id: 1,
                kind: MutationKind::SetFields {
                    request_id: req.id,
                    edits: vec![FieldEdit {
                        value: FieldValue::Urgency(Urgency::Urgent),
                        base_version: v1,
                    }],
                },
            }],
        )
        .await;
    let v2 = applied(&r.outcomes[0].outcome);
    assert_eq!(
        t.detail(&clerk, req.id).await.request.milestones,
        Milestones::default()
    );

    // Routed by the office.
    let before = koe_server::now_ms();
    let v3 = t
        .set(
            &clerk,
            office,
            1,
            req.id,
            v2,
            vec![FieldValue::Status(Status::Routed)],
        )
        .await;
    let after = koe_server::now_ms();
    let m = t.detail(&clerk, req.id).await.request.milestones;
    let routed = m.routed_at.expect("routed");
    assert!((before..=after).contains(&routed), "{m:?}");
    assert_eq!((m.first_response_at, m.resolved_at), (None, None));

    // A response written is the first response; the routing time stays.
    let v4 = t
        .set(
            &clerk,
            office,
            2,
            req.id,
            v3,
            vec![FieldValue::Response("明日現地を確認します。".into())],
        )
        .await;
    let m = t.detail(&clerk, req.id).await.request.milestones;
    assert_eq!(m.routed_at, Some(routed));
    let first = m.first_response_at.expect("first response");
    assert!(first >= routed);
    assert_eq!(m.resolved_at, None);

    // In progress, then resolved: only the resolution is new.
    let v5 = t
        .set(
            &clerk,
            office,
            3,
            req.id,
            v4,
            vec![FieldValue::Status(Status::InProgress)],
        )
        .await;
    let v6 = t
        .set(
            &clerk,
            office,
            4,
            req.id,
            v5,
            vec![
                FieldValue::Response("補修しました。".into()),
                FieldValue::Status(Status::Resolved),
            ],
        )
        .await;
    let detail = t.detail(&clerk, req.id).await;
    let m = detail.request.milestones;
    assert_eq!(
        (m.routed_at, m.first_response_at),
        (Some(routed), Some(first))
    );
    let resolved = m.resolved_at.expect("resolved");
    assert!(resolved >= first);
    assert_eq!(detail.request.version, v6);
    // The record's own timeliness now judges the resolution, not the clock.
    assert_eq!(
        detail.request.resolve_timeliness(resolved + 400 * DAY_MS),
        Some(koe_core::Timeliness::OnTime)
    );

    // Reopened: the first resolution stays on the record.
    t.set(
        &clerk,
        office,
        5,
        req.id,
        v6,
        vec![FieldValue::Status(Status::InProgress)],
    )
    .await;
    assert_eq!(t.detail(&clerk, req.id).await.request.milestones, m);

    // The inspector's device gets the milestones with its next pull.
    let a = t.get("/api/sync/pull?cursor=0", Some(&road)).await;
    let pulled: koe_core::PullResponse = serde_json::from_slice(&a.body).expect("pull");
    let mine = pulled
        .requests
        .iter()
        .find(|r| r.id == req.id)
        .expect("pulled");
    assert_eq!(mine.milestones, m);

    // A re-route of the section alone is a routing.
    let other = new_request("road-drain", "側溝");
    let w1 = t.log(&road, &other).await;
    t.set(
        &clerk,
        office,
        6,
        other.id,
        w1,
        vec![FieldValue::Section("park".into())],
    )
    .await;
    let d = t.detail(&clerk, other.id).await.request;
    assert_eq!(d.status, Status::New);
    assert!(d.milestones.routed_at.is_some());
    assert_eq!(d.milestones.first_response_at, None);
}

async fn the_standards_report_counts_by_the_ward_calendar(t: TestApp) {
    let road = t.sign_in("road01").await;
    let clerk = t.sign_in("clerk01").await;
    let catalogue = t.catalogue(&clerk).await;
    let pothole = catalogue
        .category("road-pothole")
        .and_then(|c| c.standard)
        .expect("pothole standard");
    assert_eq!(
        (
            pothole.route_days,
            pothole.first_response_days,
            pothole.resolve_days
        ),
        (1, 2, 10)
    );
    // Thursday 2026-04-30 18:00: routed by Friday 05-01; answered (2 working days) by
    // Thursday 05-07, because 05-02 … 05-06 are the weekend, 憲法記念日, みどりの日, こどもの日
    // and 振替休日 in the seeded calendar; resolved (10) by Tuesday 05-19.
    let thursday = jst("2026-04-30", 18, 0);
    let due = catalogue
        .due_dates("road-pothole", thursday)
        .expect("due dates");
    assert_eq!(day(due.route_by), "2026-05-01");
    assert_eq!(day(due.first_response_by), "2026-05-07");
    assert_eq!(day(due.resolve_by), "2026-05-19");

    let db = t.database().await;
    let mut ids = Vec::new();
    for (title, m) in [
        // Kept all three: answered on 05-07 is in time only thanks to the holidays.
        (
            "全部守った",
            milestones(
                Some(jst("2026-05-01", 9, 0)),
                Some(jst("2026-05-07", 16, 0)),
                Some(jst("2026-05-19", 16, 0)),
            ),
        ),
        // Routed late (after the holidays), answered late, resolved late.
        (
            "遅れた",
            milestones(
                Some(jst("2026-05-07", 9, 0)),
                Some(jst("2026-05-08", 9, 0)),
                Some(jst("2026-05-20", 9, 0)),
            ),
        ),
        // Never touched: all three open and overdue by now.
        ("手つかず", milestones(None, None, None)),
    ] {
        let req = new_request("road-pothole", title);
        t.log(&road, &req).await;
        backdate(&db, &catalogue, req.id, "road-pothole", thursday, m).await;
        ids.push(req.id);
    }
    // Received in the period, but a status to match the milestones.
    for (i, status) in [Status::Resolved, Status::Resolved].into_iter().enumerate() {
        sqlx::query("UPDATE requests SET status = $1, response = 'done' WHERE id = $2")
            .bind(status.code())
            .bind(ids[i].to_string())
            .execute(db.pool())
            .await
            .expect("status");
    }
    // Outside the period: not counted.
    let outside = new_request("road-pothole", "期間外");
    t.log(&road, &outside).await;
    backdate(
        &db,
        &catalogue,
        outside.id,
        "road-pothole",
        jst("2026-06-01", 10, 0),
        milestones(None, None, None),
    )
    .await;
    db.close().await;

    let report = standards(&t, &clerk, "2026-04-01", "2026-05-31").await;
    assert_eq!(report.requests, 3);
    assert_eq!(
        (report.from.as_str(), report.to.as_str()),
        ("2026-04-01", "2026-05-31")
    );
    for s in &report.standards {
        let o = &s.overall;
        assert_eq!(
            (
                o.kept,
                o.missed,
                o.open_in_time,
                o.open_overdue,
                o.unmeasured
            ),
            (1, 1, 0, 1, 0),
            "{:?}",
            s.standard
        );
        assert_eq!(o.share_kept, Some(1.0 / 3.0));
        let missed: Vec<Uuid> = s.missed.iter().map(|m| m.id).collect();
        assert_eq!(missed, [ids[1], ids[2]], "{:?}", s.standard);
        assert_eq!(s.missed_total, 2);
        assert_eq!(s.missed[1].done_at, None);
        assert_eq!(s.by_section.len(), 1);
        assert_eq!(s.by_section[0].code, "road");
        assert_eq!(s.by_section[0].tally.kept, 1);
        assert_eq!(s.by_category[0].code, "road-pothole");
    }
    let first = &report.standards[1];
    assert_eq!(first.standard, Standard::FirstResponse);
    assert_eq!(day(first.missed[0].due), "2026-05-07");
    assert_eq!(first.missed[0].done_at, Some(jst("2026-05-08", 9, 0)));
    assert_eq!(first.missed[0].title.as_deref(), Some("遅れた"));
    // The untouched one is the only one open: every step overdue.
    assert_eq!(report.open_total, 1);
    assert_eq!(report.open[0].id, ids[2]);
    assert_eq!(
        (
            report.open[0].route,
            report.open[0].first_response,
            report.open[0].resolve
        ),
        (
            Some(koe_core::Timeliness::Overdue),
            Some(koe_core::Timeliness::Overdue),
            Some(koe_core::Timeliness::Overdue)
        )
    );

    // The dashboard over the same months: April's received count includes the three,
    // June's backlog also the request outside the report's period.
    let a = t
        .get(
            "/api/reports/dashboard?from=2026-04-01&to=2026-06-30",
            Some(&clerk),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let d: Dashboard = serde_json::from_slice(&a.body).expect("Dashboard");
    let months: Vec<(&str, u64, u64)> = d
        .months
        .iter()
        .map(|m| (m.month.as_str(), m.received, m.open_at_end))
        .collect();
    // April's end: all three open. May's end: only the untouched one. June: it and the
    // June request.
    assert_eq!(
        months,
        [("2026-04", 3, 3), ("2026-05", 0, 1), ("2026-06", 1, 2)]
    );
    let kensetsu = d
        .departments
        .iter()
        .position(|x| x.code == "kensetsu")
        .expect("department");
    assert_eq!(d.months[0].received_by_department[kensetsu], 3);
    let times = &d.response_times[0];
    assert_eq!(times.code, "road-pothole");
    assert_eq!(times.requests, 4);
    // First responses after 2 and 3 working days (05-07 and 05-08 from 04-30).
    assert_eq!(times.first_response_median_days, Some(2.5));
    assert_eq!(times.first_responded, 2);
    assert_eq!(d.top_categories[0].count, 4);
}

async fn field_staff_may_not_read_reports(t: TestApp) {
    let road = t.sign_in("road01").await;
    for path in [
        "/api/reports/standards?from=2026-04-01&to=2026-04-30",
        "/api/reports/dashboard?from=2026-04-01&to=2026-04-30",
        "/api/reports/monthly?month=2026-04",
        "/api/reports/monthly.csv?month=2026-04",
    ] {
        t.get(path, Some(&road))
            .await
            .assert_error(StatusCode::FORBIDDEN, "office_only");
        t.get(path, None)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
    }
    for staff in ["clerk01", "head01", "admin01"] {
        let cookie = t.sign_in(staff).await;
        let a = t
            .get("/api/reports/monthly?month=2026-04", Some(&cookie))
            .await;
        assert_eq!(a.status, StatusCode::OK, "{staff}: {}", a.text());
    }
}

async fn bad_periods_are_refused_with_reasons(t: TestApp) {
    let clerk = t.sign_in("clerk01").await;
    for (path, code) in [
        ("/api/reports/standards?to=2026-04-30", "missing_date"),
        (
            "/api/reports/standards?from=2026-04-31&to=2026-05-30",
            "bad_date",
        ),
        (
            "/api/reports/dashboard?from=2026-05-01&to=2026-04-01",
            "bad_period",
        ),
        (
            "/api/reports/dashboard?from=2010-01-01&to=2026-04-01",
            "period_too_long",
        ),
        ("/api/reports/monthly?month=2026-13", "bad_month"),
        ("/api/reports/monthly.csv", "bad_month"),
    ] {
        t.get(path, Some(&clerk))
            .await
            .assert_error(StatusCode::BAD_REQUEST, code);
    }
}

async fn a_section_head_sees_no_welfare_details_in_reports(t: TestApp) {
    let welfare = t.sign_in("welfare01").await;
    let head = t.sign_in("parkhead01").await;
    let admin = t.sign_in("admin01").await;
    let catalogue = t.catalogue(&admin).await;
    let secret = "見守り 鈴木様宅 玄関先で転倒";
    let req = new_request("welfare-elderly", secret);
    t.log(&welfare, &req).await;
    let db = t.database().await;
    backdate(
        &db,
        &catalogue,
        req.id,
        "welfare-elderly",
        jst("2026-04-06", 10, 0),
        milestones(None, None, None),
    )
    .await;
    db.close().await;

    let report = standards(&t, &head, "2026-04-01", "2026-04-30").await;
    assert_eq!(report.requests, 1);
    let missed = &report.standards[0].missed[0];
    assert_eq!(missed.id, req.id);
    assert!(missed.redacted);
    assert_eq!(missed.title, None);
    assert!(report.open[0].redacted && report.open[0].title.is_none());
    assert_eq!(report.standards[0].by_section[0].code, "elderly-disability");
    for path in [
        "/api/reports/standards?from=2026-04-01&to=2026-04-30",
        "/api/reports/dashboard?from=2026-04-01&to=2026-04-30",
        "/api/reports/monthly?month=2026-04",
        "/api/reports/monthly.csv?month=2026-04",
    ] {
        let text = t.get(path, Some(&head)).await.text();
        for detail in [secret, "山田", "044-000-0000", "下作延", "郵便局"] {
            assert!(!text.contains(detail), "{path} shows {detail}: {text}");
        }
    }
    // The administrator (who may read welfare details) gets the title.
    let report = standards(&t, &admin, "2026-04-01", "2026-04-30").await;
    assert_eq!(report.standards[0].missed[0].title.as_deref(), Some(secret));
}

async fn the_monthly_summary_has_no_personal_data(t: TestApp) {
    let road = t.sign_in("road01").await;
    let welfare = t.sign_in("welfare01").await;
    let admin = t.sign_in("admin01").await;
    let office = Uuid::new_v4();
    let a = new_request("road-pothole", "歩道の穴 三丁目");
    let b = new_request("welfare-elderly", "一人暮らしの佐々木様の見守り");
    let c = new_request("welfare-elderly", "介護の相談 中村様");
    let va = t.log(&road, &a).await;
    t.log(&welfare, &b).await;
    t.log(&welfare, &c).await;
    t.set(
        &admin,
        office,
        1,
        a.id,
        va,
        vec![
            FieldValue::Response("補修しました".into()),
            FieldValue::Status(Status::InProgress),
        ],
    )
    .await;
    let month = day(koe_server::now_ms())[..7].to_string();

    let ans = t
        .get(&format!("/api/reports/monthly?month={month}"), Some(&admin))
        .await;
    assert_eq!(ans.status, StatusCode::OK, "{}", ans.text());
    let s: MonthlySummary = serde_json::from_slice(&ans.body).expect("MonthlySummary");
    assert_eq!(s.month, month);
    assert_eq!((s.received, s.resolved, s.open_at_end), (3, 0, 3));
    let count = |code: &str| {
        s.by_category
            .iter()
            .find(|c| c.code == code)
            .map(|c| (c.count, c.sensitive))
    };
    assert_eq!(count("welfare-elderly"), Some((2, true)));
    assert_eq!(count("road-pothole"), Some((1, false)));
    let status = |code: &str| s.by_status.iter().find(|x| x.code == code).map(|x| x.count);
    assert_eq!(status("new"), Some(2));
    assert_eq!(status("in_progress"), Some(1));
    assert_eq!(
        s.by_category.len(),
        t.catalogue(&admin).await.categories.len()
    );

    let csv = t
        .get(
            &format!("/api/reports/monthly.csv?month={month}"),
            Some(&admin),
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.text());
    assert_eq!(csv.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let disposition = csv.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("ascii");
    assert!(disposition.contains(&format!("koe-monthly-{month}.csv")));
    assert_eq!(&csv.body[..3], b"\xEF\xBB\xBF", "UTF-8 byte-order mark");
    let text = csv.text();
    assert!(text.contains("welfare-elderly"));
    assert!(text.contains(",2,"), "{text}");

    // Nothing personal in either, even for an administrator who may read it all.
    let json = ans.text();
    for request in [&a, &b, &c] {
        for detail in [
            request.title.as_str(),
            &request.id.to_string(),
            "山田 花子",
            "044-000-0000",
            "hanako@example.jp",
            "下作延",
            "郵便局",
            "区民の方から",
            "補修しました",
        ] {
            assert!(!json.contains(detail), "JSON shows {detail}");
            assert!(!text.contains(detail), "CSV shows {detail}");
        }
    }
    for staff in ["road01", "welfare01", "admin01"] {
        assert!(!json.contains(staff) && !text.contains(staff), "{staff}");
    }
}

// ---------------------------------------------------------------------------------
// The OpenAPI document's report examples are the real types (server/tests/openapi.rs
// checks the others).

const OPENAPI: &str = include_str!("../openapi.json");

/// Every key of `value` is a documented property of `schema`, all the way down.
fn documented(doc: &serde_json::Value, schema: &serde_json::Value, value: &serde_json::Value) {
    let mut schema = schema;
    while let Some(r) = schema["$ref"].as_str() {
        schema = doc.pointer(&r[1..]).expect("$ref resolves");
    }
    if let Some(branches) = schema["oneOf"].as_array() {
        if !value.is_null() {
            let branch = branches
                .iter()
                .find(|b| b["type"] != "null")
                .expect("a branch");
            documented(doc, branch, value);
        }
        return;
    }
    if let (Some(items), Some(values)) = (schema.get("items"), value.as_array()) {
        values.iter().for_each(|v| documented(doc, items, v));
    }
    if let Some(map) = value.as_object() {
        let props = schema["properties"].as_object().expect("properties");
        for required in schema["required"].as_array().into_iter().flatten() {
            assert!(map.contains_key(required.as_str().unwrap()), "{required}");
        }
        for (key, v) in map {
            let prop = props
                .get(key)
                .unwrap_or_else(|| panic!("{key} is not documented"));
            documented(doc, prop, v);
        }
    }
}

fn examples_are<T: serde::de::DeserializeOwned + serde::Serialize>(name: &str) {
    let doc: serde_json::Value = serde_json::from_str(OPENAPI).expect("openapi.json");
    let schema = &doc["components"]["schemas"][name];
    let examples = schema["examples"].as_array().expect("examples");
    assert!(!examples.is_empty());
    for example in examples {
        let typed: T = serde_json::from_value(example.clone())
            .unwrap_or_else(|e| panic!("{name} example: {e}"));
        let back = serde_json::to_value(&typed).expect("serialize");
        assert_eq!(&back, example, "{name} example round-trips");
        documented(&doc, schema, &back);
    }
}

#[test]
fn the_report_examples_are_the_core_types() {
    examples_are::<StandardsReport>("StandardsReport");
    examples_are::<Dashboard>("Dashboard");
    examples_are::<MonthlySummary>("MonthlySummary");
    examples_are::<koe_core::RequestRecord>("RequestRecord");
}
