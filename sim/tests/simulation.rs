//! The deterministic simulation: many seeded days (devices, people, edits, photos, the
//! office re-routing requests away) through a network that loses requests and answers
//! and a ward record that dies halfway through pushes, each checked by the oracle
//! against the ward record's books. In-process (the real router and store, no sockets),
//! on SQLite and on PostgreSQL.
//!
//!   KOE_SIM_SEEDS=N  seeds on SQLite (default 1000; PostgreSQL runs a tenth)
//!   KOE_SIM_STEPS=N  actions per day before the network heals (default 30)
//!   KOE_SIM_FIRST=N  the first seed (default 1)

use std::sync::Arc;

use koe_server::auth::Passwords;
use koe_server::blob::PhotoBlobs;
use koe_server::seed::{self, DemoPasswords};
use koe_server::{app, AppState, SqlStore, Store};
use koe_sim::transport::FaultCounts;
use koe_sim::{check, workload, Findings, InProcess, NetFaults, RunConfig};
use sqlx::Connection;

/// A name no other run uses at the same time.
fn tag() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}_{nanos}", std::process::id())
}

const PASSWORD: &str = "sim-pass-123";

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const FAULTS: NetFaults = NetFaults {
    lose_request: 0.1,
    lose_answer: 0.15,
    die_mid_push: 0.1,
};

async fn simulate(url: &str, dir: &std::path::Path, seeds: u64) {
    let store = SqlStore::connect_with(url, 4).await.expect("connect");
    let store: Arc<dyn Store> = Arc::new(store);
    let passwords = Passwords::for_tests();
    seed::seed_if_empty(
        store.as_ref(),
        &passwords,
        &DemoPasswords::Fixed(PASSWORD.into()),
    )
    .await
    .expect("seed");
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).expect("dist");
    std::fs::write(dist.join("index.html"), "<!doctype html>").expect("index");
    let state = AppState {
        store: store.clone(),
        dist,
        passwords,
        photos: PhotoBlobs::new(dir.join("photos")),
    };
    let first = env("KOE_SIM_FIRST", 1);
    let steps = env("KOE_SIM_STEPS", 30) as usize;
    let mut total = Findings::default();
    let mut faults = FaultCounts::default();
    let mut failed = Vec::new();
    for seed in first..first + seeds {
        // A new router each day: the ward record restarted, nothing kept in memory.
        let mut t = InProcess::new(app(state.clone()), seed, FAULTS);
        let config = RunConfig {
            seed,
            steps,
            faults: FAULTS,
            cursor: store.server_order().await.expect("order"),
        };
        let run = workload::run(&mut t, config, PASSWORD).await;
        let found = check(store.as_ref(), &run).await;
        if !found.ok() || !run.quiet {
            failed.push((seed, run.unquiet.clone(), found.clone()));
        }
        total.add(&found);
        faults.exchanges += t.counts.exchanges;
        faults.requests_lost += t.counts.requests_lost;
        faults.answers_lost += t.counts.answers_lost;
        faults.died_mid_push += t.counts.died_mid_push;
    }
    println!(
        "{seeds} seeds from {first}, {steps} steps: {} | exchanges {} requests lost {} answers lost {} died mid-push {}",
        total.summary(),
        faults.exchanges,
        faults.requests_lost,
        faults.answers_lost,
        faults.died_mid_push
    );
    for (seed, unquiet, f) in failed.iter().take(3) {
        println!(
            "seed {seed}: {}\n  still waiting: {unquiet:?}\n  {}",
            f.summary(),
            f.problems.join("\n  ")
        );
    }
    assert!(
        failed.is_empty(),
        "{} of {seeds} seeds failed (above)",
        failed.len()
    );
    // The run did what it says: faults struck, conflicts and refusals happened.
    assert!(faults.answers_lost > 0 && faults.died_mid_push > 0);
    assert!(total.conflicts > 0 && total.rejected > 0 && total.photos > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_many_seeds_nothing_lost_doubled_or_misattributed() {
    sqlx::any::install_default_drivers();
    // On a memory file system where there is one: the simulation measures rules, not disks.
    let base = std::path::Path::new("/dev/shm");
    let base = if base.is_dir() {
        base.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("koe-sim-{}", tag()));
    std::fs::create_dir_all(&dir).expect("dir");
    let url = format!("sqlite://{}", dir.join("koe.db").display());
    simulate(&url, &dir, env("KOE_SIM_SEEDS", 1000)).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_seeds_nothing_lost_doubled_or_misattributed() {
    sqlx::any::install_default_drivers();
    let base = std::env::var("KOE_TEST_PG_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into());
    let mut conn = sqlx::AnyConnection::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL is not reachable at {base}: {e}"));
    let schema = format!("koe_sim_{}", tag());
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut conn)
        .await
        .expect("schema");
    let dir = std::env::temp_dir().join(format!("koe-sim-{schema}"));
    std::fs::create_dir_all(&dir).expect("dir");
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    let seeds = (env("KOE_SIM_SEEDS", 1000) / 10).max(1);
    let result = tokio::spawn({
        let dir = dir.clone();
        async move { simulate(&url, &dir, seeds).await }
    })
    .await;
    let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .execute(&mut conn)
        .await;
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}
