//! A database of its own for one test or benchmark run: a SQLite file in a fresh folder,
//! or a fresh PostgreSQL schema (`KOE_TEST_PG_URL`, else the local `test` database),
//! dropped by [`Scratch::drop`]. Shared by the API tests and the benchmarks.

use std::path::PathBuf;

use koe_server::Backend;
use sqlx::Connection;
use uuid::Uuid;

pub struct Scratch {
    /// The database URL to connect to.
    pub url: String,
    /// A fresh folder for the run's files (the SQLite file, photos, a dist/).
    pub dir: PathBuf,
    /// The PostgreSQL server and schema to drop afterwards.
    schema: Option<(String, String)>,
}

pub fn pg_base_url() -> String {
    std::env::var("KOE_TEST_PG_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into())
}

impl Scratch {
    pub async fn new(backend: Backend) -> Self {
        sqlx::any::install_default_drivers();
        let tag = Uuid::new_v4().simple().to_string();
        let dir = std::env::temp_dir().join(format!("koe-test-{tag}"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        match backend {
            Backend::Sqlite => Scratch {
                url: format!("sqlite://{}", dir.join("koe.db").display()),
                dir,
                schema: None,
            },
            Backend::Postgres => {
                let base = pg_base_url();
                let mut conn = sqlx::AnyConnection::connect(&base)
                    .await
                    .unwrap_or_else(|e| {
                        panic!(
                            "PostgreSQL is not reachable at {base}: {e}\n\
                             Start it (pg_ctlcluster --skip-systemctl-redirect 15 main start) \
                             or set KOE_TEST_PG_URL. The PostgreSQL half does not skip itself."
                        )
                    });
                let schema = format!("koe_t_{tag}");
                sqlx::query(&format!("CREATE SCHEMA {schema}"))
                    .execute(&mut conn)
                    .await
                    .expect("create scratch schema");
                let _ = conn.close().await;
                let sep = if base.contains('?') { '&' } else { '?' };
                Scratch {
                    url: format!("{base}{sep}options=-c%20search_path%3D{schema}"),
                    dir,
                    schema: Some((base, schema)),
                }
            }
        }
    }

    pub async fn drop(self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((base, schema)) = self.schema {
            if let Ok(mut conn) = sqlx::AnyConnection::connect(&base).await {
                let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                    .execute(&mut conn)
                    .await;
                let _ = conn.close().await;
            }
        }
    }
}
