//! Sync throughput of the ward record, through the real router, on SQLite and PostgreSQL:
//! how many pushed mutations it applies per second (10,000 new requests in batches of 200,
//! and the same batches again as retries), and how fast a reader pulls all of them.
//!
//! `cargo bench -p koe-server --bench sync` (PostgreSQL from `KOE_TEST_PG_URL`, else
//! `postgres://postgres@127.0.0.1:5432/test`, in a scratch schema dropped afterwards).
//! `KOE_BENCH_REQUESTS` changes the count.

#[path = "../tests/common/scratch.rs"]
mod scratch;
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use koe_core::{Mutation, MutationKind, NewRequest, Place, PullResponse, PushResponse, Urgency};
use koe_server::auth::Passwords;
use koe_server::{Backend, SqlStore, Store};
use scratch::Scratch;
use support::{call, sign_in};
use uuid::Uuid;

const BATCH: usize = 200;
const PULL_PAGE: usize = 1000;

#[tokio::main]
async fn main() {
    sqlx::any::install_default_drivers();
    let count: usize = std::env::var("KOE_BENCH_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    println!(
        "Koe sync benchmark: {count} requests, push batches of {BATCH}, pull pages of {PULL_PAGE}"
    );
    println!(
        "{:<10} {:>18} {:>18} {:>18}",
        "database", "push (mut/s)", "retry (mut/s)", "pull (req/s)"
    );
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let scratch = Scratch::new(backend).await;
        let figures = run(&scratch.url, count).await;
        scratch.drop().await;
        let rate = |d: Duration| count as f64 / d.as_secs_f64();
        println!(
            "{:<10} {:>18.0} {:>18.0} {:>18.0}",
            format!("{backend:?}"),
            rate(figures.push),
            rate(figures.retry),
            rate(figures.pull)
        );
    }
}

struct Figures {
    push: Duration,
    retry: Duration,
    pull: Duration,
}

async fn run(url: &str, count: usize) -> Figures {
    let store = SqlStore::connect(url).await.expect("connect and migrate");
    let store: Arc<dyn Store> = Arc::new(store);
    let passwords = Passwords::for_tests();
    support::seed(store.as_ref(), &passwords).await;
    let router = support::router(store, passwords);

    let inspector = sign_in(&router, "road01").await;
    let client_id = Uuid::new_v4();
    let batches: Vec<String> = (0..count)
        .collect::<Vec<_>>()
        .chunks(BATCH)
        .map(|ids| {
            let mutations: Vec<Mutation> = ids.iter().map(|&i| create(i)).collect();
            serde_json::json!({ "client_id": client_id, "mutations": mutations }).to_string()
        })
        .collect();

    let timed_push = || async {
        let start = Instant::now();
        for body in &batches {
            let answer: PushResponse =
                call(&router, "POST", "/api/sync/push", &inspector, body).await;
            assert_eq!(
                answer.outcomes.len(),
                body.matches("\"create_request\"").count()
            );
        }
        start.elapsed()
    };
    let push = timed_push().await;
    // The same batches again, as a device that never heard back would send them.
    let retry = timed_push().await;

    let clerk = sign_in(&router, "clerk01").await;
    let start = Instant::now();
    let (mut cursor, mut pulled) = (0, 0);
    loop {
        let page: PullResponse = call(
            &router,
            "GET",
            &format!("/api/sync/pull?cursor={cursor}&limit={PULL_PAGE}"),
            &clerk,
            "",
        )
        .await;
        pulled += page.requests.len();
        cursor = page.cursor;
        if !page.has_more {
            break;
        }
    }
    let pull = start.elapsed();
    assert_eq!(pulled, count, "the clerk pulls every request once");
    Figures { push, retry, pull }
}

fn create(i: usize) -> Mutation {
    let now = 1_763_700_000_000 + i as u64;
    let mut random = [0u8; 10];
    random[..8].copy_from_slice(&(i as u64).to_le_bytes());
    Mutation {
        author: None,
        id: i as u64 + 1,
        kind: MutationKind::CreateRequest {
            request: NewRequest {
                id: koe_core::id::request_id(now, random),
                category: if i.is_multiple_of(2) {
                    "road-pothole"
                } else {
                    "park-equipment"
                }
                .into(),
                title: format!("歩道の段差 {i}"),
                description: "高齢の方がつまずいたとのこと。早めの補修を希望。".into(),
                place: Place {
                    lat: Some(35.6 + (i % 100) as f64 * 1e-4),
                    lon: Some(139.6),
                    accuracy_m: Some(8.0),
                    address: "高津区下作延二丁目8番".into(),
                    landmark: String::new(),
                },
                urgency: Urgency::High,
                logged_at: now as i64,
                contact: Default::default(),
            },
        },
    }
}
