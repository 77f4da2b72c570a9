//! The fault-injection run: simulated devices (koe-sim, the app's own rules) work seeded
//! office days, several at once, against the real `koe-server` binary behind a proxy
//! that loses requests, cuts answers after the ward record committed and delays the
//! rest, while the ward record is killed with SIGKILL and restarted. Then the network
//! heals, every device syncs until nothing waits, and the oracle checks every device's
//! books against the ward record's. Exit 1 if anything was lost, doubled, hidden,
//! misattributed, stuck or seen wrongly.
//!
//!   faults [--db sqlite|postgres|both] [--kills N] [--seed N] [--devices-at-once N]
//!          [--steps N]
//!
//! CI runs a short form (`--kills 8`); the long form is `--kills 100` on both databases.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use koe_faults::http::{Client, LostKind, Method};
use koe_faults::proxy::{Faults, Proxy};
use koe_faults::ward::{self, Database, Ward, WardConfig};
use koe_server::{SqlStore, Store};
use koe_sim::workload::{self, Day};
use koe_sim::{check, Answer, Findings, Lost, NetFaults, RunConfig, Transport};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::Mutex;

const PASSWORD: &str = "faults-pass-123";

struct Options {
    databases: Vec<&'static str>,
    kills: u32,
    seed: u64,
    at_once: u64,
    steps: usize,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        databases: vec!["sqlite", "postgres"],
        kills: 8,
        seed: 1,
        at_once: 4,
        steps: 30,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args
            .get(i + 1)
            .ok_or(format!("{} needs a value", args[i]))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("{} {value}: not a number", args[i]))
        };
        match args[i].as_str() {
            "--db" => {
                o.databases = match value.as_str() {
                    "sqlite" => vec!["sqlite"],
                    "postgres" => vec!["postgres"],
                    "both" => vec!["sqlite", "postgres"],
                    other => return Err(format!("--db {other}: sqlite, postgres or both")),
                }
            }
            "--kills" => o.kills = number()? as u32,
            "--seed" => o.seed = number()?,
            "--devices-at-once" => o.at_once = number()?.max(1),
            "--steps" => o.steps = number()? as usize,
            other => return Err(format!("unknown option {other}")),
        }
        i += 2;
    }
    Ok(o)
}

/// A device's network: through the proxy while the day goes on, straight to the ward
/// record once it has healed.
struct Net {
    proxied: Client,
    direct: Client,
    healed: bool,
}

impl Transport for Net {
    async fn call(
        &mut self,
        method: &'static str,
        path: &str,
        cookie: Option<&str>,
        content_type: Option<&'static str>,
        body: Vec<u8>,
    ) -> Result<Answer, Lost> {
        let client = if self.healed {
            &self.direct
        } else {
            &self.proxied
        };
        let method = Method::from_bytes(method.as_bytes()).map_err(|e| Lost(e.to_string()))?;
        let a = match client.send(method, path, cookie, content_type, body).await {
            Ok(a) => a,
            Err(l) => {
                // The app waits before it tries again (backoff); so does the device here,
                // or a dead ward record would see a flood of days that reach nothing.
                if !self.healed {
                    let wait = if l.kind == LostKind::Connect {
                        300
                    } else {
                        100
                    };
                    tokio::time::sleep(Duration::from_millis(wait)).await;
                }
                return Err(Lost(format!("{:?}: {}", l.kind, l.reason)));
            }
        };
        Ok(Answer {
            status: a.status,
            set_cookie: a.set_cookie,
            body: a.body,
        })
    }

    fn heal(&mut self) {
        self.healed = true;
    }
}

struct Figures {
    kills: u32,
    days: usize,
    findings: Findings,
    proxy: String,
    /// Until the network healed, and in all.
    worked: f64,
    seconds: f64,
}

async fn run_on(db: &'static str, o: &Options) -> Result<Figures, String> {
    let started = Instant::now();
    let dir = ward::scratch_dir(&format!("run-{db}"));
    let pg_name = format!("koe_faults_run_{}", std::process::id());
    let database = match db {
        "sqlite" => Database::Sqlite,
        _ => Database::Postgres {
            url: ward::fresh_postgres_db(&pg_name).await?,
        },
    };
    let config = WardConfig::new(ward::server_bin(), database.clone(), &dir, PASSWORD);
    let store_url = match &database {
        Database::Sqlite => format!("sqlite://{}", config.data_dir.join("koe.db").display()),
        Database::Postgres { url } => url.clone(),
    };
    let mut w = Ward::start(config).map_err(|e| e.0)?;
    w.wait_ready().await.map_err(|e| e.0)?;
    let addr = w.addr();
    let store = SqlStore::connect(&store_url)
        .await
        .map_err(|e| format!("the oracle cannot open {store_url}: {e}"))?;
    let store: Arc<dyn Store> = Arc::new(store);
    let faults = Faults {
        pass: 0.55,
        delay: 0.15,
        cut_before_upstream: 0.1,
        cut_answer: 0.15,
        cut_mid_answer: 0.05,
        max_delay_ms: 150,
    };
    let proxy = Proxy::start(0, addr, faults, o.seed)
        .await
        .map_err(|e| format!("proxy: {e}"))?;
    let proxy_addr = proxy.addr();
    let w = Arc::new(Mutex::new(w));

    // The killer: SIGKILL at random moments, down for a random while, then up again.
    let done = Arc::new(AtomicBool::new(false));
    let killer = {
        let (w, done, kills, seed) = (w.clone(), done.clone(), o.kills, o.seed);
        tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(seed ^ 0x6b696c6c);
            let mut made = 0;
            for _ in 0..kills {
                tokio::time::sleep(Duration::from_millis(rng.gen_range(150..900))).await;
                let mut w = w.lock().await;
                if w.kill9().await.is_err() {
                    break;
                }
                made += 1;
                tokio::time::sleep(Duration::from_millis(rng.gen_range(0..300))).await;
                if w.restart().is_err() || w.wait_ready().await.is_err() {
                    break;
                }
            }
            done.store(true, Ordering::SeqCst);
            made
        })
    };

    // Devices at work, several days at once, until the killer has done its rounds.
    let mut workers = Vec::new();
    for lane in 0..o.at_once {
        let (done, store) = (done.clone(), store.clone());
        let (first, lanes, steps) = (o.seed * 100_000 + lane, o.at_once, o.steps);
        workers.push(tokio::spawn(async move {
            let mut net = Net {
                proxied: Client::new(proxy_addr),
                direct: Client::new(addr),
                healed: false,
            };
            let mut days: Vec<Day> = Vec::new();
            let mut seed = first;
            // Bounded: at most 10,000 days a lane.
            while !done.load(Ordering::SeqCst) && days.len() < 10_000 {
                let cursor = store.server_order().await.unwrap_or(0);
                let config = RunConfig {
                    seed,
                    steps,
                    faults: NetFaults::NONE,
                    cursor,
                };
                days.push(workload::work_day(&mut net, config, PASSWORD).await);
                seed += lanes;
            }
            (net, days)
        }));
    }
    let kills = killer.await.map_err(|e| e.to_string())?;
    let mut lanes = Vec::new();
    for worker in workers {
        lanes.push(worker.await.map_err(|e| e.to_string())?);
    }
    {
        let mut w = w.lock().await;
        if !w.is_running() {
            w.restart().map_err(|e| e.0)?;
        }
        w.wait_ready().await.map_err(|e| e.0)?;
    }
    let worked = started.elapsed().as_secs_f64();
    let proxy_counts = format!("{:?}", proxy.counts());
    proxy.stop().await;

    // The network heals; every device syncs until nothing waits; the oracle reads.
    let mut findings = Findings::default();
    let mut days = 0;
    for (mut net, lane) in lanes {
        net.heal();
        for day in lane {
            days += 1;
            let run = workload::settle(&mut net, day).await;
            let found = check(store.as_ref(), &run).await;
            if !run.quiet {
                findings
                    .problems
                    .push(format!("a day did not settle: {:?}", run.unquiet));
                findings.stuck += 1;
            }
            findings.add(&found);
        }
    }
    let mut w = w.lock().await;
    let _ = w.stop().await;
    if let Database::Postgres { .. } = database {
        let _ = ward::drop_postgres_db(&pg_name).await;
    }
    if findings.ok() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        eprintln!("kept the run's files in {}", dir.display());
    }
    Ok(Figures {
        kills,
        days,
        findings,
        proxy: proxy_counts,
        worked,
        seconds: started.elapsed().as_secs_f64(),
    })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> std::process::ExitCode {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("faults: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let mut failed = false;
    for db in &o.databases {
        match run_on(db, &o).await {
            Ok(f) => {
                println!(
                    "faults {db}: seed {} kills {} days {} in {:.0} s ({:.0} s until healed): {}",
                    o.seed,
                    f.kills,
                    f.days,
                    f.seconds,
                    f.worked,
                    f.findings.summary()
                );
                println!("  proxy: {}", f.proxy);
                if !f.findings.ok() || f.kills < o.kills {
                    failed = true;
                    for p in &f.findings.problems {
                        println!("  {p}");
                    }
                }
            }
            Err(e) => {
                eprintln!("faults {db}: {e}");
                failed = true;
            }
        }
    }
    if failed {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
