//! Peak memory of the ward record while it answers an export of 100,000 requests (and
//! the year's reports): the real binary on a SQLite file, its `VmHWM` (peak resident
//! set, `/proc/PID/status`) read after each download, one fresh process per download.
//!
//! `cargo bench -p koe-server --bench export_memory` (Linux only). `KOE_BENCH_REQUESTS`
//! changes the count (default 100,000); `KOE_BENCH_DB` keeps the seeded SQLite file at
//! that path and reuses it on the next run (to compare two builds on the same data);
//! `KOE_SERVER_BIN` runs another build of the binary (default: this one's).
//!
//! The requests are written through `Store::apply` (the push's write path), received over
//! the past year, with coordinates, as the office clerk reads them.

mod support;

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Instant;

use koe_core::calendar::{iso_date, jst_day, DAY_MS};
use koe_core::sync::Outcome;
use koe_core::{NewRequest, Place, Urgency};
use koe_server::auth::Passwords;
use koe_server::store::{Origin, Verdict};
use koe_server::{SqlStore, Store};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use uuid::Uuid;

#[tokio::main]
async fn main() {
    sqlx::any::install_default_drivers();
    let count: usize = std::env::var("KOE_BENCH_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let db = std::env::var("KOE_BENCH_DB").map_or_else(
        |_| std::env::temp_dir().join(format!("koe-export-{}.db", Uuid::new_v4().simple())),
        PathBuf::from,
    );
    let url = format!("sqlite://{}", db.display());
    if !db.exists() {
        let started = Instant::now();
        seed(&url, count).await;
        println!(
            "seeded {count} requests into {} in {:.0} s",
            db.display(),
            started.elapsed().as_secs_f64()
        );
    }
    let bin = std::env::var("KOE_SERVER_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_koe-server").to_string());
    let now = koe_server::now_ms();
    let from = iso_date(jst_day(now - 365 * DAY_MS));
    let to = iso_date(jst_day(now));
    let month = &iso_date(jst_day(now - 30 * DAY_MS))[..7];
    println!("{bin}, {} (peak RSS in MiB)", db.display());
    println!(
        "{:<40} {:>10} {:>12} {:>10} {:>8}",
        "download", "idle peak", "after peak", "bytes", "seconds"
    );
    for path in [
        "/api/exports/requests.csv".to_string(),
        "/api/exports/requests.geojson".to_string(),
        format!("/api/reports/standards?from={from}&to={to}"),
        format!("/api/reports/dashboard?from={from}&to={to}"),
        format!("/api/reports/monthly.csv?month={month}"),
    ] {
        measure(&bin, &url, &path).await;
    }
}

/// One fresh server, signed in as the clerk, then one download: the peak before and after.
async fn measure(bin: &str, url: &str, path: &str) {
    let mut child = tokio::process::Command::new(bin)
        .env("DATABASE_URL", url)
        .env("KOE_ADDR", "127.0.0.1:0")
        .env("KOE_DIST", std::env::temp_dir().join("koe-bench-no-dist"))
        .env("KOE_DATA", std::env::temp_dir().join("koe-bench-data"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the ward record");
    let pid = child.id().expect("pid");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let addr = loop {
        let line = lines.next_line().await.expect("stdout").expect("started");
        if let Some(rest) = line.strip_prefix("Koe ward record: http://") {
            break rest.trim_end_matches('/').to_string();
        }
    };
    let body = r#"{"staff_id":"clerk01","password":"bench-pass"}"#;
    let (head, _) = http(&addr, "POST", "/api/session", "", body).await;
    let cookie = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .starts_with("set-cookie:")
                .then(|| l[11..].trim().to_string())
        })
        .and_then(|c| c.split(';').next().map(str::to_string))
        .expect("signed in");
    let idle = vm_hwm(pid);
    let started = Instant::now();
    let (head, bytes) = http(&addr, "GET", path, &cookie, "").await;
    let took = started.elapsed().as_secs_f64();
    assert!(head.starts_with("HTTP/1.1 200"), "{path}: {head}");
    let peak = vm_hwm(pid);
    let short: String = path.chars().take(40).collect();
    println!("{short:<40} {idle:>10.1} {peak:>12.1} {bytes:>10} {took:>8.1}");
    let _ = child.kill().await;
}

/// `VmHWM` of a process, in MiB.
fn vm_hwm(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM");
    kb / 1024.0
}

/// One HTTP/1.1 call on a fresh connection: the head, and how many body bytes came (the
/// body is read and counted, not kept).
async fn http(addr: &str, method: &str, path: &str, cookie: &str, body: &str) -> (String, usize) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let cookie = if cookie.is_empty() {
        String::new()
    } else {
        format!("Cookie: {cookie}\r\n")
    };
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{cookie}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut head = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0;
    let mut in_body = false;
    loop {
        let n = stream.read(&mut buf).await.expect("read");
        if n == 0 {
            break;
        }
        if in_body {
            total += n;
            continue;
        }
        head.extend_from_slice(&buf[..n]);
        if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            total += head.len() - end - 4;
            head.truncate(end);
            in_body = true;
        }
    }
    (String::from_utf8_lossy(&head).into_owned(), total)
}

/// The demo ward and `count` requests over the past year, four writers at once.
async fn seed(url: &str, count: usize) {
    let store: Arc<dyn Store> = Arc::new(SqlStore::connect(url).await.expect("connect"));
    let passwords = Passwords::for_tests();
    support::seed(store.as_ref(), &passwords).await;
    let catalogue = Arc::new(store.catalogue().await.expect("catalogue"));
    let now = koe_server::now_ms();
    let writers = 4;
    let mut tasks = Vec::new();
    for w in 0..writers {
        let (store, catalogue) = (store.clone(), catalogue.clone());
        tasks.push(tokio::spawn(async move {
            let staff = ["road01", "park01", "welfare01", "welfare02"];
            let client = Uuid::new_v4();
            let who = staff[w];
            store
                .register_device(client, who, now)
                .await
                .expect("device");
            let categories: Vec<&koe_core::Category> = catalogue
                .categories
                .iter()
                .filter(|c| c.sensitive == (w >= 2))
                .filter(|c| w >= 2 || c.code.starts_with("park") == (w == 1))
                .collect();
            let year = 365 * DAY_MS;
            for (n, i) in (w..count).step_by(writers).enumerate() {
                let received = now - year + (i as i64 * year) / count as i64;
                let category = categories[i % categories.len()];
                let mut random = [0u8; 10];
                random[..8].copy_from_slice(&(i as u64).to_le_bytes());
                let request = NewRequest {
                    id: koe_core::id::request_id(received as u64, random),
                    category: category.code.clone(),
                    title: format!("件名 {i}（{}丁目）", i % 9 + 1),
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
                let origin = Origin {
                    staff_id: who,
                    client_id: client,
                    mutation_id: n as u64 + 1,
                    fingerprint: "",
                    now: received,
                };
                let verdict = Verdict::Create {
                    request: &request,
                    section: &category.default_section,
                    catalogue: &catalogue,
                };
                match store.apply(origin, verdict).await.expect("create") {
                    Outcome::Applied { .. } => {}
                    other => panic!("create: {other:?}"),
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("writer");
    }
}
