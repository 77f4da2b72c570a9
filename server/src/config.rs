//! Configuration from the environment.
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `KOE_ADDR` | `127.0.0.1:8080` | address to listen on |
//! | `KOE_DIST` | `dist` | the built app to serve |
//! | `KOE_DATA` | `data` | directory for the SQLite database (created if missing) |
//! | `DATABASE_URL` | `sqlite://<KOE_DATA>/koe.db` | `sqlite://…` or `postgres://…` |
//! | `KOE_DEMO_PASSWORD` | unset | at first start, every demo staff member gets this password instead of a random one |
//! | `KOE_TRUST_FORWARDED` | unset | `1`: the client address is the last of `X-Forwarded-For` (`routes::session`) |
//! | `KOE_SECURE_COOKIE` | unset | `1`: HTTPS, the cookie is `__Host-koe_session; Secure` (`auth`) |
//! | `KOE_PUBLIC_ORIGIN` | unset | the app's own origin for the cross-site check; unset: the `Host` (`routes::guard`) |

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub dist: PathBuf,
    pub data: PathBuf,
    pub database_url: String,
    pub demo_password: Option<String>,
}

impl Config {
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    }

    /// Reads configuration through `get` (the environment, or a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let addr_text = get("KOE_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into());
        let addr = addr_text.parse().map_err(|e| {
            format!("KOE_ADDR={addr_text:?} is not an address like 127.0.0.1:8080 ({e})")
        })?;
        let dist = PathBuf::from(get("KOE_DIST").unwrap_or_else(|| "dist".into()));
        let data = PathBuf::from(get("KOE_DATA").unwrap_or_else(|| "data".into()));
        let database_url = match get("DATABASE_URL") {
            Some(url) => url,
            None => format!("sqlite://{}", data.join("koe.db").display()),
        };
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(format!(
                "DATABASE_URL must start with sqlite:// or postgres:// (got {database_url:?})"
            ));
        }
        Ok(Self {
            addr,
            dist,
            data,
            database_url,
            demo_password: get("KOE_DEMO_PASSWORD"),
        })
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults() {
        let c = cfg(&[]).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database_url, "sqlite://data/koe.db");
        assert!(c.is_sqlite());
        assert_eq!(c.demo_password, None);
    }

    #[test]
    fn data_dir_moves_the_default_database() {
        let c = cfg(&[("KOE_DATA", "/var/koe")]).unwrap();
        assert_eq!(c.database_url, "sqlite:///var/koe/koe.db");
    }

    #[test]
    fn bad_values_are_explained() {
        assert!(cfg(&[("KOE_ADDR", "nowhere")])
            .unwrap_err()
            .contains("KOE_ADDR"));
        assert!(cfg(&[("DATABASE_URL", "mysql://x")])
            .unwrap_err()
            .contains("DATABASE_URL"));
        assert!(!cfg(&[("DATABASE_URL", "postgres://u@h/db")])
            .unwrap()
            .is_sqlite());
    }
}
