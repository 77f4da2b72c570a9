//! The ward record's executable: configuration from the environment, then serve.

use std::process::ExitCode;
use std::sync::Arc;

use koe_server::auth::Passwords;
use koe_server::seed::{self, DemoPasswords};
use koe_server::{app, AppState, Config, SqlStore, Store};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Koe ward record could not start: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let config = Config::from_env()?;
    if config.is_sqlite() {
        std::fs::create_dir_all(&config.data).map_err(|e| {
            format!(
                "cannot create the data directory {}: {e}",
                config.data.display()
            )
        })?;
    }
    let store = SqlStore::connect(&config.database_url).await.map_err(|e| {
        format!(
            "cannot open the database {}: {e}",
            redact_url(&config.database_url)
        )
    })?;
    let store: Arc<dyn Store> = Arc::new(store);
    let passwords = Passwords::default();
    // The dummy hash for unknown ids, made now rather than by the first one's sign-in.
    passwords.warm().await;

    let choice = match &config.demo_password {
        Some(p) => DemoPasswords::Fixed(p.clone()),
        None => DemoPasswords::Random,
    };
    if let Some(staff) = seed::seed_if_empty(store.as_ref(), &passwords, &choice)
        .await
        .map_err(|e| format!("seeding the demo ward failed: {e}"))?
    {
        let catalogue = store.catalogue().await.map_err(|e| e.to_string())?;
        println!(
            "{}",
            seed::sign_in_table(&catalogue, &staff, config.demo_password.is_some())
        );
    }
    if !config.dist.join("index.html").exists() {
        tracing::warn!(
            dist = %config.dist.display(),
            "the app is not built: pages answer 503 until KOE_DIST holds Trunk's dist/"
        );
    }

    let state = AppState {
        store,
        dist: config.dist.clone(),
        passwords,
        photos: koe_server::blob::PhotoBlobs::new(config.data.join("photos")),
    };
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("Koe ward record: http://{addr}/");
    // Expired sessions and old sign-in failures go every ten minutes (any instance may
    // do it; the deletes are idempotent).
    let purging = state.store.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            let now = koe_server::now_ms();
            let window = koe_server::auth::FAILURE_WINDOW_MS;
            if let Err(e) = purging.purge_expired(now, now - window).await {
                tracing::warn!(error = %e, "purging expired sessions failed");
            }
        }
    });
    // Connect info: the sign-in rate limit counts failures per address too.
    let service = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
    println!("Koe ward record stopped.");
    Ok(())
}

/// The URL without a password, for messages.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…{}", &url[..scheme], &url[at..]),
        _ => url.to_string(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    println!("Shutting down: finishing the requests in flight…");
}
