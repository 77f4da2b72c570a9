//! A supervisor of the real ward record binary (`koe-server`).
//!
//! It runs the binary the release runs, on SQLite or PostgreSQL, so a crash here is a
//! crash of the real thing: [`Ward::kill9`] is SIGKILL, no shutdown code runs.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

use crate::http::Client;

/// The demo staff member the tests sign in as (server/seed/demo_ward.json).
pub const DEMO_STAFF: &str = "road01";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// Embedded SQLite at `<data_dir>/koe.db`.
    Sqlite,
    /// `postgres://…`; the server migrates and seeds an empty database on start.
    Postgres { url: String },
}

#[derive(Debug, Clone)]
pub struct WardConfig {
    pub bin: PathBuf,
    pub addr: SocketAddr,
    pub database: Database,
    /// Every demo staff member's password (`KOE_DEMO_PASSWORD`, used at first start).
    pub demo_password: String,
    /// `KOE_DATA`: the SQLite database and, on either database, the photo blobs.
    pub data_dir: PathBuf,
    /// `ward.log` goes here: the server's stdout and stderr, every start appended.
    pub log_dir: PathBuf,
    /// `KOE_DIST`; unset means a missing directory (pages answer 503, the API works).
    pub dist: Option<PathBuf>,
    pub ready_timeout: Duration,
    /// Extra environment, e.g. `RUST_LOG`.
    pub env: Vec<(String, String)>,
}

impl WardConfig {
    /// Data in `<dir>/data`, the log in `<dir>`, on a free loopback port.
    pub fn new(
        bin: impl Into<PathBuf>,
        database: Database,
        dir: &Path,
        demo_password: &str,
    ) -> Self {
        Self {
            bin: bin.into(),
            addr: SocketAddr::from(([127, 0, 0, 1], free_port())),
            database,
            demo_password: demo_password.to_string(),
            data_dir: dir.join("data"),
            log_dir: dir.to_path_buf(),
            dist: None,
            ready_timeout: Duration::from_secs(30),
            env: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WardError(pub String);

impl fmt::Display for WardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WardError {}

fn err(text: impl Into<String>) -> WardError {
    WardError(text.into())
}

pub struct Ward {
    config: WardConfig,
    log_path: PathBuf,
    child: Option<Child>,
    starts: u32,
}

impl Ward {
    /// Spawns the server (inside a tokio runtime); [`Ward::wait_ready`] waits until it
    /// answers.
    pub fn start(config: WardConfig) -> Result<Self, WardError> {
        if !config.bin.is_file() {
            return Err(err(format!(
                "no ward record binary at {} (build it: cargo build -p koe-server)",
                config.bin.display()
            )));
        }
        std::fs::create_dir_all(&config.log_dir)
            .map_err(|e| err(format!("cannot create {}: {e}", config.log_dir.display())))?;
        let log_path = config.log_dir.join("ward.log");
        let mut ward = Self {
            config,
            log_path,
            child: None,
            starts: 0,
        };
        ward.spawn()?;
        Ok(ward)
    }

    pub fn addr(&self) -> SocketAddr {
        self.config.addr
    }

    pub fn config(&self) -> &WardConfig {
        &self.config
    }

    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// How many times the binary has been spawned.
    pub fn starts(&self) -> u32 {
        self.starts
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }

    /// Whether the process is alive (reaps it if it has exited by itself).
    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut().map(Child::try_wait) {
            Some(Ok(None)) => true,
            Some(_) => {
                self.child = None;
                false
            }
            None => false,
        }
    }

    /// Polls `GET /api/catalogue` until the server answers; returns how long it took.
    ///
    /// Without a cookie the catalogue is 401, which counts: the server binds its port
    /// only after migrating and seeding, so any answer means it is ready.
    pub async fn wait_ready(&mut self) -> Result<Duration, WardError> {
        let began = Instant::now();
        let client = Client::new(self.addr()).with_timeout(Duration::from_secs(1));
        let mut last = String::from("never tried");
        while began.elapsed() < self.config.ready_timeout {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    self.child = None;
                    return Err(err(format!(
                        "the ward record exited ({status}) before it was ready; log {}:\n{}",
                        self.log_path.display(),
                        self.log_tail(20)
                    )));
                }
            } else {
                return Err(err("the ward record is not running"));
            }
            match client.get("/api/catalogue", None).await {
                Ok(a) if a.status == 200 || a.status == 401 => return Ok(began.elapsed()),
                Ok(a) => last = format!("answered {} {}", a.status, a.text()),
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        Err(err(format!(
            "the ward record at {} was not ready within {:?} (last: {last}); log {}:\n{}",
            self.addr(),
            self.config.ready_timeout,
            self.log_path.display(),
            self.log_tail(20)
        )))
    }

    /// SIGKILL, then waits for the exit.
    pub async fn kill9(&mut self) -> Result<(), WardError> {
        let Some(mut child) = self.child.take() else {
            return Err(err("the ward record is not running"));
        };
        // tokio's kill is SIGKILL on Unix and reaps the process.
        child
            .kill()
            .await
            .map_err(|e| err(format!("SIGKILL failed: {e}")))?;
        self.note("killed with SIGKILL");
        Ok(())
    }

    /// Starts it again on the same address and database (after `kill9` or `stop`).
    pub fn restart(&mut self) -> Result<(), WardError> {
        if self.is_running() {
            return Err(err(
                "the ward record is still running: kill9 or stop it first",
            ));
        }
        self.spawn()
    }

    /// SIGTERM (graceful: requests in flight finish), SIGKILL after 10 s.
    pub async fn stop(&mut self) -> Result<ExitStatus, WardError> {
        let Some(mut child) = self.child.take() else {
            return Err(err("the ward record is not running"));
        };
        if let Some(pid) = child.id() {
            // SAFETY: kill(2) with a pid we spawned and have not reaped yet.
            unsafe {
                libc::kill(pid as libc::pid_t, libc::SIGTERM);
            }
        }
        let status = match tokio::time::timeout(Duration::from_secs(10), child.wait()).await {
            Ok(status) => status.map_err(|e| err(format!("waiting for the exit: {e}")))?,
            Err(_) => {
                child
                    .kill()
                    .await
                    .map_err(|e| err(format!("SIGKILL failed: {e}")))?;
                child
                    .wait()
                    .await
                    .map_err(|e| err(format!("waiting for the exit: {e}")))?
            }
        };
        self.note(&format!("stopped: {status}"));
        Ok(status)
    }

    /// The last `lines` lines of the log.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log_path).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    fn spawn(&mut self) -> Result<(), WardError> {
        self.starts += 1;
        self.note(&format!("start {} on {}", self.starts, self.config.addr));
        let log = self.open_log()?;
        let log_err = log.try_clone().map_err(|e| err(format!("log file: {e}")))?;
        let c = &self.config;
        let mut cmd = Command::new(&c.bin);
        // Nothing from the caller's environment may pick another database or port.
        for k in [
            "KOE_ADDR",
            "KOE_DIST",
            "KOE_DATA",
            "DATABASE_URL",
            "KOE_DEMO_PASSWORD",
            "KOE_TRUST_FORWARDED",
        ] {
            cmd.env_remove(k);
        }
        cmd.env("KOE_ADDR", c.addr.to_string())
            .env("KOE_DEMO_PASSWORD", &c.demo_password)
            .env("KOE_DATA", &c.data_dir)
            // The log is a file: no colour escapes in it.
            .env("NO_COLOR", "1")
            .env(
                "KOE_DIST",
                c.dist.clone().unwrap_or_else(|| c.log_dir.join("no-dist")),
            );
        if let Database::Postgres { url } = &c.database {
            cmd.env("DATABASE_URL", url);
        }
        for (k, v) in &c.env {
            cmd.env(k, v);
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .kill_on_drop(true);
        let child = cmd
            .spawn()
            .map_err(|e| err(format!("cannot run {}: {e}", c.bin.display())))?;
        self.child = Some(child);
        Ok(())
    }

    fn open_log(&self) -> Result<File, WardError> {
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .map_err(|e| err(format!("cannot open {}: {e}", self.log_path.display())))
    }

    /// A marker line in the log, so starts and kills can be told apart.
    fn note(&self, what: &str) {
        if let Ok(mut f) = self.open_log() {
            let _ = writeln!(f, "=== koe-faults: {what} ===");
        }
    }
}

impl Drop for Ward {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.start_kill();
        }
    }
}

/// A loopback port free right now (bound and released; the kernel does not hand it
/// out again at once).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// `KOE_SERVER_BIN`, or the workspace's `target/debug/koe-server`.
pub fn server_bin() -> PathBuf {
    match std::env::var_os("KOE_SERVER_BIN") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/debug/koe-server"),
    }
}

/// A fresh, empty `/tmp/koe-faults-<name>-<pid>-<n>`.
pub fn scratch_dir(name: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("koe-faults-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// Local PostgreSQL (127.0.0.1:5432, user postgres, trust auth).
pub const POSTGRES_HOST: &str = "127.0.0.1";

/// Drops and creates database `name`; its URL, or why PostgreSQL is not usable here.
pub async fn fresh_postgres_db(name: &str) -> Result<String, String> {
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("{name:?} is not a plain database name"));
    }
    let reachable = tokio::time::timeout(
        Duration::from_secs(2),
        tokio::net::TcpStream::connect((POSTGRES_HOST, 5432)),
    )
    .await;
    if !matches!(reachable, Ok(Ok(_))) {
        return Err(format!("nothing answers at {POSTGRES_HOST}:5432"));
    }
    // FORCE: a server left over from an aborted run may still hold connections.
    for sql in [
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name}"),
    ] {
        psql(&sql).await?;
    }
    Ok(format!("postgres://postgres@{POSTGRES_HOST}:5432/{name}"))
}

/// Drops database `name` (cleanup; errors ignored by callers that do not care).
pub async fn drop_postgres_db(name: &str) -> Result<(), String> {
    psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await
}

async fn psql(sql: &str) -> Result<(), String> {
    let out = tokio::time::timeout(
        Duration::from_secs(30),
        Command::new("psql")
            .args(["-h", POSTGRES_HOST, "-U", "postgres", "-d", "test", "-v"])
            .arg("ON_ERROR_STOP=1")
            .args(["-c", sql])
            .kill_on_drop(true)
            .output(),
    )
    .await
    .map_err(|_| format!("psql took over 30 s: {sql}"))?
    .map_err(|e| format!("cannot run psql: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "psql {sql:?} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWORD: &str = "fault-pass";

    /// Signs in, kills the server with SIGKILL, restarts it, and the old cookie works.
    async fn session_survives_kill9(database: Database, dir: &Path) {
        let label = match &database {
            Database::Sqlite => "SQLite",
            Database::Postgres { .. } => "PostgreSQL",
        };
        let mut ward = Ward::start(WardConfig::new(server_bin(), database, dir, PASSWORD)).unwrap();
        let first = ward.wait_ready().await.unwrap();
        let client = Client::new(ward.addr());
        let cookie = client.sign_in(DEMO_STAFF, PASSWORD).await.unwrap();
        let a = client.get("/api/catalogue", Some(&cookie)).await.unwrap();
        assert_eq!(a.status, 200, "{}", a.text());

        let pid = ward.pid().unwrap();
        ward.kill9().await.unwrap();
        assert!(!ward.is_running());
        // Nothing listens any more: a device sees a connection error.
        let e = client
            .get("/api/catalogue", Some(&cookie))
            .await
            .unwrap_err();
        assert_eq!(e.kind, crate::http::LostKind::Connect, "{e}");

        ward.restart().unwrap();
        assert_ne!(ward.pid(), Some(pid));
        let again = ward.wait_ready().await.unwrap();
        eprintln!("{label}: ready {first:?} after the first start, {again:?} after kill -9");
        let a = client.get("/api/catalogue", Some(&cookie)).await.unwrap();
        assert_eq!(a.status, 200, "the session should survive: {}", a.text());
        assert_eq!(ward.starts(), 2);

        let status = ward.stop().await.unwrap();
        assert!(status.success(), "SIGTERM should end it cleanly: {status}");
        let log = std::fs::read_to_string(ward.log_path()).unwrap();
        assert_eq!(
            log.matches("Seeded the demo ward").count(),
            1,
            "seeded once, the restart found the same database:\n{log}"
        );
        assert!(log.contains("killed with SIGKILL"), "{log}");
    }

    #[tokio::test]
    async fn sqlite_session_survives_kill9_and_restart() {
        let dir = scratch_dir("ward-sqlite");
        session_survives_kill9(Database::Sqlite, &dir).await;
        assert!(dir.join("data/koe.db").is_file());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn postgres_session_survives_kill9_and_restart() {
        const DB: &str = "koe_faults_ward_test";
        let url = match fresh_postgres_db(DB).await {
            Ok(url) => url,
            Err(why) => {
                eprintln!("SKIPPED: PostgreSQL is not usable here: {why}");
                return;
            }
        };
        let dir = scratch_dir("ward-postgres");
        session_survives_kill9(Database::Postgres { url }, &dir).await;
        assert!(!dir.join("data/koe.db").exists(), "PostgreSQL, not SQLite");
        drop_postgres_db(DB).await.unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_missing_binary_is_explained() {
        let dir = scratch_dir("ward-missing");
        let e = Ward::start(WardConfig::new(
            dir.join("no-such-server"),
            Database::Sqlite,
            &dir,
            PASSWORD,
        ))
        .err()
        .unwrap();
        assert!(e.0.contains("cargo build -p koe-server"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_server_that_cannot_start_is_reported_with_its_log() {
        let dir = scratch_dir("ward-busy");
        // The port is taken, so the server exits at once.
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut config = WardConfig::new(server_bin(), Database::Sqlite, &dir, PASSWORD);
        config.addr = taken.local_addr().unwrap();
        let mut ward = Ward::start(config).unwrap();
        let e = ward.wait_ready().await.unwrap_err();
        assert!(e.0.contains("exited"), "{e}");
        assert!(e.0.contains("cannot listen"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
