//! The office list with a year of requests, on SQLite and PostgreSQL: the median and
//! 95th-percentile time of the common filters, through the real router (session lookup,
//! filter parsing, SQL, redaction, JSON), as the office clerk and as a section head.
//!
//! `cargo bench -p koe-server --bench list` (PostgreSQL from `KOE_TEST_PG_URL`, else
//! `postgres://postgres@127.0.0.1:5432/test`, in a scratch schema dropped afterwards).
//! `KOE_BENCH_REQUESTS` changes the count (default 100,000), `KOE_BENCH_RUNS` the timed
//! runs per filter (default 30, after 3 untimed), `KOE_BENCH_BACKENDS` which databases
//! (`sqlite,postgres`, the default); `KOE_BENCH_ANALYZE=1` runs `VACUUM ANALYZE` on
//! PostgreSQL after loading, as autovacuum would soon after.
//!
//! The requests are written through the store's real write path (`Store::apply`, the
//! same transaction a push runs: server order, due dates, history rows), with the ward
//! record's clock set back so they arrive over the past year; the office then routes,
//! assigns, shares, answers and closes most of them, again through `Store::apply`, so
//! statuses, assignees, shares, milestones and history are as a real year leaves them.

#[path = "../tests/common/scratch.rs"]
mod scratch;
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use koe_core::api::RequestPage;
use koe_core::calendar::{iso_date, jst_day, DAY_MS};
use koe_core::sync::Outcome;
use koe_core::{
    Catalogue, FieldEdit, FieldValue, NewRequest, Place, Role, Status, Urgency, Viewer,
};
use koe_server::auth::Passwords;
use koe_server::store::{Origin, Verdict};
use koe_server::{Backend, SqlStore, Store};
use scratch::Scratch;
use support::{call, sign_in};
use uuid::Uuid;

/// Writers at once (each its own devices); SQLite still writes one at a time.
const WRITERS: usize = 4;

#[tokio::main]
async fn main() {
    sqlx::any::install_default_drivers();
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(default)
    };
    let count = env("KOE_BENCH_REQUESTS", 100_000);
    let runs = env("KOE_BENCH_RUNS", 30).max(1);
    println!("Koe list benchmark: {count} requests, {runs} timed runs per filter (ms)");
    let backends = std::env::var("KOE_BENCH_BACKENDS").unwrap_or_default();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let name = format!("{backend:?}").to_lowercase();
        if !backends.is_empty() && !backends.split(',').any(|b| b.trim() == name) {
            continue;
        }
        let scratch = Scratch::new(backend).await;
        run(backend, &scratch.url, count, runs).await;
        scratch.drop().await;
    }
}

/// The list's common filters; `{from}`/`{to}` are a month four months back.
const FILTERS: [(&str, &str); 8] = [
    ("no filter, page 1", ""),
    ("open statuses", "status=new,routed,in_progress"),
    ("section", "section=road"),
    ("category", "category=road-streetlight"),
    ("overdue", "overdue=true"),
    ("date range (a month)", "from={from}&to={to}"),
    ("q= Japanese word", "q=%E8%A1%97%E8%B7%AF%E7%81%AF"),
    ("deep page (offset 5000)", "offset=5000"),
];

async fn run(backend: Backend, url: &str, count: usize, runs: usize) {
    // Loading is set-up, not what is measured: on PostgreSQL it commits without waiting
    // for the WAL flush (`synchronous_commit=off`, this session only), as SQLite's
    // `synchronous=NORMAL` in WAL mode already does. The reads are the same either way.
    let url = match backend {
        Backend::Postgres if url.contains("options=") => {
            format!("{url}%20-c%20synchronous_commit%3Doff")
        }
        _ => url.to_string(),
    };
    let sql = Arc::new(SqlStore::connect(&url).await.expect("connect and migrate"));
    let store: Arc<dyn Store> = sql.clone();
    let passwords = Passwords::for_tests();
    support::seed(store.as_ref(), &passwords).await;
    let catalogue = Arc::new(store.catalogue().await.expect("catalogue"));

    let start = Instant::now();
    let now = koe_server::now_ms();
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let (store, catalogue) = (store.clone(), catalogue.clone());
        tasks.push(tokio::spawn(async move {
            write_share(store.as_ref(), &catalogue, w, count, now).await
        }));
    }
    let mut edits = 0;
    for t in tasks {
        edits += t.await.expect("writer");
    }
    let loaded = start.elapsed();
    assert_eq!(
        store.request_count().await.expect("count") as usize,
        count,
        "every request stored"
    );
    println!(
        "\n{backend:?}: wrote {count} requests and {edits} office edits through Store::apply in {:.0} s",
        loaded.as_secs_f64()
    );

    if backend == Backend::Postgres && std::env::var("KOE_BENCH_ANALYZE").is_ok_and(|v| v == "1") {
        // What autovacuum does on its own minutes after a bulk load: the figures are then
        // those of the steady state rather than of the first minute after an import.
        sqlx::query("VACUUM ANALYZE requests")
            .execute(sql.pool())
            .await
            .expect("vacuum analyze");
        println!("(after VACUUM ANALYZE requests)");
    }
    let router = support::router(store, passwords);
    let from = iso_date(jst_day(now - 120 * DAY_MS));
    let to = iso_date(jst_day(now - 90 * DAY_MS));
    println!(
        "{:<26} {:<10} {:>9} {:>9} {:>9}",
        "filter", "reader", "median", "p95", "total"
    );
    for (staff, label) in [("clerk01", "clerk"), ("head01", "head")] {
        let cookie = sign_in(&router, staff).await;
        for (name, query) in FILTERS {
            let query = query.replace("{from}", &from).replace("{to}", &to);
            let uri = format!("/api/requests?{query}");
            let mut times = Vec::with_capacity(runs);
            let mut total = 0;
            for i in 0..runs + 3 {
                let started = Instant::now();
                let page: RequestPage = call(&router, "GET", &uri, &cookie, "").await;
                let took = started.elapsed();
                total = page.total;
                if i >= 3 {
                    times.push(took);
                }
            }
            times.sort();
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            let p95 = times[((times.len() * 95).div_ceil(100)).saturating_sub(1)];
            println!(
                "{:<26} {:<10} {:>9.1} {:>9.1} {:>9}",
                name,
                label,
                ms(times[times.len() / 2]),
                ms(p95),
                total
            );
        }
    }
}

/// Titles by category, so a search word finds a realistic share.
fn title(category: &str, i: usize) -> String {
    let base = match category {
        "road-pothole" => "歩道の穴・段差",
        "road-streetlight" => "街路灯が点かない",
        "road-sign-mirror" => "カーブミラーの向きがずれている",
        "road-drain" => "側溝のふたが外れている",
        "road-obstruction" => "道路に放置物",
        "road-tree" => "街路樹の枝が伸びて標識が見えない",
        "park-equipment" => "ブランコの鎖が傷んでいる",
        "park-trees-grass" => "公園の草が伸びている",
        "park-cleaning" => "公園にごみが散乱",
        "park-toilet-water" => "公園のトイレの水が止まらない",
        "park-lighting" => "公園灯が消えている",
        "env-dumping" => "不法投棄",
        "env-noise" => "夜間の騒音",
        c if c.starts_with("welfare") => "見守りの相談",
        _ => "その他の要望",
    };
    format!("{base}（{}丁目）", i % 9 + 1)
}

/// Writer `w` stores every `WRITERS`th request of `count`, received over the year before
/// `now`, then the office works on them. Returns the number of office edits.
async fn write_share(
    store: &dyn Store,
    catalogue: &Catalogue,
    w: usize,
    count: usize,
    now: i64,
) -> usize {
    let staff = ["road01", "park01", "welfare01", "welfare02"];
    // The administrator does the office's work here: the only reader who may write the
    // response on every request (welfare ones included).
    let office = Viewer {
        staff_id: "admin01".into(),
        role: Role::Admin,
        sections: vec!["residents".into()],
    };
    let mut devices = Vec::new();
    for s in staff.iter().chain(["admin01"].iter()) {
        let id = Uuid::new_v4();
        store.register_device(id, s, now).await.expect("device");
        devices.push((s.to_string(), id, 0u64));
    }
    let categories: Vec<&koe_core::Category> = catalogue.categories.iter().collect();
    let year = 365 * DAY_MS;
    let mut edits = 0;
    for i in (w..count).step_by(WRITERS) {
        // Oldest first, evenly over the year, a little jitter.
        let received = now - year + (i as i64 * year) / count as i64 + (i as i64 * 7919) % 60_000;
        let category = categories[(i * 7) % categories.len()];
        let author = if category.sensitive {
            2 + i % 2
        } else if category.code.starts_with("park") {
            1
        } else {
            0
        };
        let mut random = [0u8; 10];
        random[..8].copy_from_slice(&(i as u64).to_le_bytes());
        let request = NewRequest {
            id: koe_core::id::request_id(received as u64, random),
            category: category.code.clone(),
            title: title(&category.code, i),
            description: "区民の方から電話で連絡あり。現地を確認のうえ対応を検討。".into(),
            place: Place {
                lat: Some(35.58 + (i % 400) as f64 * 1e-4),
                lon: Some(139.60 + (i % 300) as f64 * 1e-4),
                accuracy_m: Some(8.0),
                address: format!("高津区下作延{}丁目{}番", i % 9 + 1, i % 30 + 1),
                landmark: String::new(),
            },
            urgency: Urgency::ALL[i % 4],
            logged_at: received,
            contact: Default::default(),
        };
        let section = category.default_section.clone();
        let version = {
            let (who, client, last) = &mut devices[author];
            *last += 1;
            let origin = Origin {
                staff_id: who,
                client_id: *client,
                mutation_id: *last,
                fingerprint: "",
                now: received,
            };
            let verdict = Verdict::Create {
                request: &request,
                section: &section,
                catalogue,
            };
            match store.apply(origin, verdict).await.expect("create") {
                Outcome::Applied { version } => version,
                other => panic!("create: {other:?}"),
            }
        };
        // The office's work: 15 % stay new, 15 % routed, 20 % in progress, 5 % referred
        // and 45 % resolved or closed, except the newest 15 % of those, still in progress:
        // about 57 % open in all.
        let fate = (i * 31 + i / 7) % 20;
        let age_done = (i * 100 / count.max(1)) < 85;
        let assignee = FieldValue::Assignee(Some(staff[author].to_string()));
        let steps: Vec<Vec<FieldValue>> = match fate {
            0..=2 => vec![],
            3..=5 => vec![vec![FieldValue::Status(Status::Routed), assignee]],
            6..=9 => vec![vec![
                FieldValue::Status(Status::InProgress),
                assignee,
                FieldValue::SharedWith(if i % 5 == 0 {
                    vec!["park".into()]
                } else {
                    vec![]
                }),
            ]],
            10 => vec![vec![FieldValue::Status(Status::Referred)]],
            _ if !age_done => vec![vec![FieldValue::Status(Status::InProgress), assignee]],
            11..=14 => vec![
                vec![FieldValue::Status(Status::InProgress), assignee],
                vec![
                    FieldValue::Response("現地を確認し、補修しました。".into()),
                    FieldValue::Status(Status::Resolved),
                ],
            ],
            _ => vec![
                vec![FieldValue::Status(Status::InProgress), assignee],
                vec![
                    FieldValue::Response("現地を確認し、補修しました。".into()),
                    FieldValue::Status(Status::Resolved),
                ],
                vec![FieldValue::Status(Status::Closed)],
            ],
        };
        let mut base = version;
        for (n, values) in steps.into_iter().enumerate() {
            let edits_now: Vec<FieldEdit> = values
                .into_iter()
                .map(|value| FieldEdit {
                    value,
                    base_version: base,
                })
                .collect();
            let (who, client, last) = &mut devices[4];
            *last += 1;
            let origin = Origin {
                staff_id: who,
                client_id: *client,
                mutation_id: *last,
                fingerprint: "",
                // A working day or so per step after it arrived.
                now: received + (n as i64 + 1) * DAY_MS,
            };
            let verdict = Verdict::SetFields {
                request_id: request.id,
                edits: &edits_now,
                editor: &office,
                catalogue,
            };
            base = match store.apply(origin, verdict).await.expect("edit") {
                Outcome::Applied { version } => version,
                other => panic!("office edit: {other:?}"),
            };
            edits += 1;
        }
    }
    edits
}
