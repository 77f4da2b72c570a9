//! Exports of the office list (`/api/exports/requests.csv`, `.geojson`), on SQLite and
//! PostgreSQL: the list's filters apply, Excel-ready CSV, and an export hides what the
//! reader may not see (a park section head exports no welfare details).

mod common;
mod listing_support;

use axum::http::{header, StatusCode};
use koe_core::{FieldValue, Status};
use serde_json::Value;
use uuid::Uuid;

use common::{both, jst, Answer, TestApp};
use listing_support::{request, Writer};

both!(
    csv_is_excel_ready_and_filtered,
    an_export_hides_what_the_reader_may_not_see,
    geojson_has_only_located_requests_without_contact,
    welfare_export_is_on_the_access_log,
    exports_need_a_session_and_good_filters,
);

struct Ward {
    pothole: Uuid,
    swing: Uuid,
    welfare: Uuid,
}

async fn ward(t: &TestApp) -> Ward {
    let mut w = Writer::new();
    let mut tricky = request(
        "road-pothole",
        "穴, \"深い\"",
        "=HYPERLINK(\"http://example.com\")\n二行目",
        0,
    );
    tricky.place.address = "高津区溝口1-2".into();
    let pothole = w
        .create(t, "road01", &tricky, jst("2026-05-01", 9, 30))
        .await;
    let welfare = w
        .create(
            t,
            "welfare01",
            &request("welfare-elderly", "独居の方の安否確認", "認知症の疑い", 0),
            jst("2026-05-03", 11, 0),
        )
        .await;
    w.edit(
        t,
        welfare,
        vec![
            FieldValue::Status(Status::InProgress),
            FieldValue::Response("訪問して状況を確認".into()),
        ],
        jst("2026-05-07", 9, 0),
    )
    .await;
    // Written last: on PostgreSQL a create without coordinates must not come before one
    // with them on the same connection (see the report on `SqlStore::apply`'s create).
    let mut swing_req = request("park-equipment", "ブランコ", "鎖が切れそう", 0);
    swing_req.place.lat = None;
    swing_req.place.lon = None;
    let swing = w
        .create(t, "park01", &swing_req, jst("2026-05-02", 10, 0))
        .await;
    Ward {
        pothole,
        swing,
        welfare,
    }
}

/// The CSV's rows (after the BOM), split on CRLF outside quotes, each into fields.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let text = text
        .strip_prefix('\u{FEFF}')
        .expect("a byte order mark first");
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CRLF line ends");
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, '\n') => panic!("a bare LF outside quotes"),
            (false, c) => field.push(c),
        }
    }
    assert!(
        field.is_empty() && row.is_empty(),
        "the last row ends in CRLF"
    );
    rows
}

fn column(rows: &[Vec<String>], header_start: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| h.starts_with(header_start))
        .unwrap_or_else(|| panic!("no column {header_start}: {:?}", rows[0]))
}

fn row_of(rows: &[Vec<String>], id: Uuid) -> Option<&Vec<String>> {
    rows.iter().find(|r| r[0] == id.to_string())
}

async fn csv(t: &TestApp, cookie: &str, query: &str) -> (Answer, Vec<Vec<String>>) {
    let a = t
        .get(&format!("/api/exports/requests.csv?{query}"), Some(cookie))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let rows = parse_csv(&String::from_utf8(a.body.clone()).expect("UTF-8"));
    (a, rows)
}

async fn csv_is_excel_ready_and_filtered(t: TestApp) {
    let w = ward(&t).await;
    let clerk = t.sign_in("clerk01").await;
    let (a, rows) = csv(&t, &clerk, "").await;
    assert_eq!(a.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let disposition = a.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    let today = koe_core::calendar::iso_date(koe_core::calendar::jst_day(koe_server::now_ms()));
    assert_eq!(
        disposition,
        format!("attachment; filename=\"koe-requests-{today}.csv\"")
    );
    assert!(a.body.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 BOM");
    assert_eq!(rows[0][0], "受付番号 (id)");
    assert_eq!(rows.len(), 4, "a header and three requests");
    assert!(rows.iter().all(|r| r.len() == rows[0].len()));
    // Quoted fields come back whole; a formula is defused.
    let pothole = row_of(&rows, w.pothole).expect("pothole row");
    assert_eq!(pothole[column(&rows, "件名")], "穴, \"深い\"");
    assert_eq!(
        pothole[column(&rows, "内容")],
        "'=HYPERLINK(\"http://example.com\")\n二行目"
    );
    assert_eq!(pothole[column(&rows, "受付日時")], "2026-05-01 09:30");
    assert_eq!(pothole[column(&rows, "状態")], "受付");
    assert_eq!(pothole[column(&rows, "分類")], "路面の穴・段差");
    // No contact of the resident in any export.
    let text = a.text();
    for personal in ["山田 花子", "044-000-0000", "hanako@"] {
        assert!(!text.contains(personal), "{personal}");
    }
    // The list's filters apply; paging does not (an export is the whole filtered list).
    let (_, rows) = csv(&t, &clerk, "section=park&limit=1&offset=5").await;
    assert_eq!(rows.len(), 2);
    assert!(row_of(&rows, w.swing).is_some());
    // A date range looks at when a request arrived, which a redacted one does not tell:
    // the consultation the clerk may not read is not in it.
    let (_, rows) = csv(&t, &clerk, "from=2026-05-02&to=2026-05-03").await;
    let ids: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, [w.swing.to_string()]);
}

async fn an_export_hides_what_the_reader_may_not_see(t: TestApp) {
    let w = ward(&t).await;
    let head = t.sign_in("parkhead01").await;
    let (a, rows) = csv(&t, &head, "").await;
    let welfare = row_of(&rows, w.welfare).expect("the request is listed");
    for header in [
        "件名",
        "内容",
        "住所",
        "目印",
        "緯度",
        "経度",
        "対応内容",
        "受付日時",
        "緊急度",
        "担当者",
        "連携先",
        "解決期限",
        "期限状況",
        "記録者",
        "要確認",
    ] {
        assert_eq!(welfare[column(&rows, header)], "", "{header} is redacted");
    }
    // Its category's group, not the category (`koe_core::access::redacted`).
    assert_eq!(welfare[column(&rows, "分類")], "福祉");
    assert_eq!(welfare[column(&rows, "非表示")], "非表示");
    assert_eq!(
        welfare[column(&rows, "状態")],
        "対応中",
        "its status is not a detail"
    );
    let text = a.text();
    for detail in ["安否確認", "認知症", "訪問して"] {
        assert!(!text.contains(detail), "{detail} in the park head's export");
    }
    // Nor by searching for it.
    let (_, rows) = csv(&t, &head, "q=安否確認").await;
    assert_eq!(rows.len(), 1, "only the header");
    let a = t.get("/api/exports/requests.geojson", Some(&head)).await;
    assert!(!a.text().contains(&w.welfare.to_string()));
    assert!(!a.text().contains("安否確認"));
    // A field worker exports only what they see.
    let road = t.sign_in("road01").await;
    let (_, rows) = csv(&t, &road, "").await;
    let ids: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, [w.pothole.to_string()]);
    // The welfare section reads it in full.
    let welfare_worker = t.sign_in("welfare02").await;
    let (_, rows) = csv(&t, &welfare_worker, "").await;
    let row = row_of(&rows, w.welfare).expect("welfare row");
    assert_eq!(row[column(&rows, "件名")], "独居の方の安否確認");
    assert_eq!(row[column(&rows, "対応内容")], "訪問して状況を確認");
}

async fn geojson_has_only_located_requests_without_contact(t: TestApp) {
    let w = ward(&t).await;
    let clerk = t.sign_in("clerk01").await;
    let a = t.get("/api/exports/requests.geojson", Some(&clerk)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.headers[header::CONTENT_TYPE], "application/geo+json");
    assert!(a.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .ends_with(".geojson\""));
    let doc: Value = a.json();
    assert_eq!(doc["type"], "FeatureCollection");
    let features = doc["features"].as_array().unwrap();
    // The swing has no coordinates, the welfare request's place is redacted for the clerk.
    assert_eq!(features.len(), 1);
    let f = &features[0];
    assert_eq!(f["id"], w.pothole.to_string());
    assert_eq!(f["geometry"]["type"], "Point");
    assert_eq!(
        f["geometry"]["coordinates"],
        serde_json::json!([139.61, 35.6])
    );
    assert_eq!(f["properties"]["status"], "new");
    assert_eq!(f["properties"]["address"], "高津区溝口1-2");
    let text = a.text();
    for personal in ["山田", "044-000-0000", "hanako", "HYPERLINK", "road01"] {
        assert!(!text.contains(personal), "{personal} in the GeoJSON");
    }
    let _ = w.swing;
    // Filters apply here too.
    let a = t
        .get("/api/exports/requests.geojson?section=park", Some(&clerk))
        .await;
    assert_eq!(a.json()["features"].as_array().unwrap().len(), 0);
}

async fn welfare_export_is_on_the_access_log(t: TestApp) {
    let w = ward(&t).await;
    let admin = t.sign_in("admin01").await;
    csv(&t, &admin, "").await;
    let log = t.store.access_log(w.welfare).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].staff_id, "admin01");
    assert_eq!(log[0].path, "/api/exports/requests.csv");
    // The author reading their own is not logged; a redacted export reads nothing.
    let author = t.sign_in("welfare01").await;
    csv(&t, &author, "").await;
    let head = t.sign_in("parkhead01").await;
    csv(&t, &head, "").await;
    assert_eq!(t.store.access_log(w.welfare).await.unwrap().len(), 1);
    assert!(t.store.access_log(w.pothole).await.unwrap().is_empty());
}

async fn exports_need_a_session_and_good_filters(t: TestApp) {
    for path in ["/api/exports/requests.csv", "/api/exports/requests.geojson"] {
        t.get(path, None)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
    }
    let clerk = t.sign_in("clerk01").await;
    t.get("/api/exports/requests.csv?status=done", Some(&clerk))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_status");
    t.get("/api/exports/requests.geojson?section=x", Some(&clerk))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "unknown_section");
}
