//! Passwords (argon2), session tokens and the `koe_session` cookie.
//!
//! The cookie carries a random token; the database keeps only its SHA-256, so a copy of
//! the database does not sign anyone in. Sessions last 30 days: a field device works
//! offline for days and needs its session only when it syncs.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use koe_core::api::Me;
use koe_core::Viewer;
use rand::rngs::OsRng;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::error::ApiError;
use crate::AppState;

pub const COOKIE_NAME: &str = "koe_session";
pub const SESSION_DAYS: i64 = 30;
pub const SESSION_SECONDS: i64 = SESSION_DAYS * 24 * 60 * 60;
/// Failed sign-ins allowed per staff id within the window; past it sign-in answers 429
/// until the oldest counted failure leaves the window.
pub const MAX_FAILURES: usize = 5;
/// The same per client address: higher, since a ward office's desktops may share one.
pub const MAX_FAILURES_PER_ADDRESS: usize = 20;
/// The window failed sign-ins are counted in.
pub const FAILURE_WINDOW_MS: i64 = 5 * 60 * 1000;

/// How long a sign-in waits for a free password check before it is answered 503.
pub const CHECK_WAIT: Duration = Duration::from_secs(3);
/// What a 503 `busy` sign-in suggests as `Retry-After`, in seconds.
pub const BUSY_RETRY_SECONDS: u64 = 5;

/// Every password check was busy for [`CHECK_WAIT`]: the sign-in is answered 503.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// How passwords are hashed and checked. Real argon2id always; tests may pick cheaper
/// parameters.
///
/// Each argon2 run needs its memory (19 MiB with the default parameters), and the
/// allocator keeps what it was given: a burst of sign-ins used to grow the process by
/// that much per concurrent check, for good. So at most `permits` checks run at once
/// (one per core: more would not finish sooner), each on a buffer from a pool that is
/// reused, and the memory stays at `permits` buffers however many sign in.
#[derive(Clone)]
pub struct Passwords {
    inner: Arc<Inner>,
}

struct Inner {
    params: Params,
    permits: Arc<Semaphore>,
    wait: Duration,
    /// argon2's working memory, one buffer per check running (or that ran) at once.
    memory: Mutex<Vec<Vec<Block>>>,
    /// The hash an unknown or disabled staff id is checked against, made once.
    dummy: OnceLock<String>,
    /// argon2 runs for a check (`verify`) and for a new hash, for tests to count.
    verifies: AtomicU64,
    hashes: AtomicU64,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passwords")
            .field("params", &self.inner.params)
            .field("permits", &self.inner.permits.available_permits())
            .finish_non_exhaustive()
    }
}

impl Default for Passwords {
    /// argon2id with the crate's default (OWASP-recommended) parameters, as many checks
    /// at once as the machine has cores.
    fn default() -> Self {
        Self::with(Params::default(), machine_parallelism(), CHECK_WAIT)
    }
}

fn machine_parallelism() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

impl Passwords {
    /// Cheap parameters (still argon2id) so a test suite that seeds many databases stays
    /// quick. Never for production.
    pub fn for_tests() -> Self {
        Self::with(
            Params::new(1024, 1, 1, None).unwrap_or_default(),
            machine_parallelism(),
            CHECK_WAIT,
        )
    }

    /// These parameters, at most `permits` checks at once, each waiting at most `wait`
    /// for its turn.
    pub fn with(params: Params, permits: usize, wait: Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                params,
                permits: Arc::new(Semaphore::new(permits.max(1))),
                wait,
                memory: Mutex::new(Vec::new()),
                dummy: OnceLock::new(),
                verifies: AtomicU64::new(0),
                hashes: AtomicU64::new(0),
            }),
        }
    }

    /// The same hashing with another limit on checks at once (tests of the 503).
    pub fn limited(&self, permits: usize, wait: Duration) -> Self {
        Self::with(self.inner.params.clone(), permits, wait)
    }

    /// Takes every check, as a burst of sign-ins would, until the answer is dropped.
    /// For tests of the 503.
    #[doc(hidden)]
    pub async fn hold_every_check(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        let all = u32::try_from(self.inner.permits.available_permits()).ok()?;
        self.inner
            .permits
            .clone()
            .acquire_many_owned(all)
            .await
            .ok()
    }

    /// argon2 runs that checked a password, since this was made.
    pub fn verifies(&self) -> u64 {
        self.inner.verifies.load(Ordering::Relaxed)
    }

    /// argon2 runs that made a new hash (the dummy included), since this was made.
    pub fn hashes(&self) -> u64 {
        self.inner.hashes.load(Ordering::Relaxed)
    }

    /// Runs `f` on a pooled buffer of at least `blocks` blocks.
    fn with_memory<T>(&self, blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
        let mut buffer = self
            .inner
            .memory
            .lock()
            .map(|mut pool| pool.pop())
            .unwrap_or_default()
            .unwrap_or_default();
        if buffer.len() < blocks {
            buffer.resize(blocks, Block::default());
        }
        let out = f(&mut buffer[..blocks]);
        if let Ok(mut pool) = self.inner.memory.lock() {
            pool.push(buffer);
        }
        out
    }

    /// A PHC string (`$argon2id$v=19$…`) for the password.
    pub fn hash(&self, password: &str) -> Result<String, String> {
        self.inner.hashes.fetch_add(1, Ordering::Relaxed);
        let params = &self.inner.params;
        let salt = SaltString::generate(&mut OsRng);
        let mut salt_bytes = [0u8; 64];
        let failed = |e: &dyn std::fmt::Display| format!("hashing a password failed: {e}");
        let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(|e| failed(&e))?;
        let mut out = vec![0u8; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        self.with_memory(params.block_count(), |memory| {
            argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, memory)
        })
        .map_err(|e| failed(&e))?;
        let phc = PasswordHash {
            algorithm: argon2::ARGON2ID_IDENT,
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(params).map_err(|e| failed(&e))?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
        };
        Ok(phc.to_string())
    }

    /// Hashes on the blocking pool (argon2 is deliberately slow), as one of the checks
    /// at once. An administrator's change waits its turn however long it takes.
    pub async fn hash_async(&self, password: String) -> Result<String, String> {
        let permit = self
            .inner
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| format!("hashing a password failed: {e}"))?;
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            this.hash(&password)
        })
        .await
        .map_err(|e| format!("hashing task failed: {e}"))?
    }

    /// Checks a password against a stored hash (its own parameters are in the string).
    /// With no stored hash (unknown or disabled staff id) it checks against the dummy
    /// hash instead: one argon2 run either way, so the answer takes as long. `Busy` when
    /// no check was free within the wait.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, Busy> {
        let permit =
            tokio::time::timeout(self.inner.wait, self.inner.permits.clone().acquire_owned())
                .await
                .map_err(|_| Busy)?
                .map_err(|_| Busy)?;
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let real = stored.is_some();
            let hash = match stored {
                Some(h) => h,
                None => this.dummy_hash().to_string(),
            };
            this.check(password.as_bytes(), &hash) && real
        })
        .await
        .map_err(|_| Busy)
    }

    /// One argon2 run on a pooled buffer; false for a hash that does not parse.
    fn check(&self, password: &[u8], phc: &str) -> bool {
        self.inner.verifies.fetch_add(1, Ordering::Relaxed);
        let Ok(parsed) = PasswordHash::new(phc) else {
            return false;
        };
        let (Ok(algorithm), Ok(params), Some(salt), Some(expected)) = (
            Algorithm::try_from(parsed.algorithm),
            Params::try_from(&parsed),
            parsed.salt,
            parsed.hash,
        ) else {
            return false;
        };
        let version = match parsed.version.map(Version::try_from) {
            None => Version::V0x13,
            Some(Ok(v)) => v,
            Some(Err(_)) => return false,
        };
        let mut salt_bytes = [0u8; 64];
        let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
            return false;
        };
        let mut out = vec![0u8; expected.len()];
        let argon2 = Argon2::new(algorithm, version, params.clone());
        let done = self.with_memory(params.block_count(), |memory| {
            argon2.hash_password_into_with_memory(password, salt_bytes, &mut out, memory)
        });
        // Output's equality is constant-time.
        done.is_ok() && Output::new(&out).is_ok_and(|o| o == expected)
    }

    /// The dummy hash, made on first use (or by [`Passwords::warm`]).
    fn dummy_hash(&self) -> &str {
        self.inner
            .dummy
            .get_or_init(|| self.hash("koe-no-such-staff").unwrap_or_default())
    }

    /// Makes the dummy hash now, so the first unknown staff id is not slower than others.
    pub async fn warm(&self) {
        let this = self.clone();
        let _ = tokio::task::spawn_blocking(move || {
            this.dummy_hash();
        })
        .await;
    }
}

/// A readable random password: 12 characters without look-alikes (0/O, 1/l/I).
pub fn readable_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = OsRng;
    (0..12)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

/// A new session token (256 random bits, hex) for the cookie.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// A new device key for one person on one device: 32 bytes from the OS's CSPRNG, as
/// standard base64 with padding (what `koe_core::vault` decodes).
pub fn new_device_key() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    base64(&bytes)
}

/// Standard base64 (RFC 4648, with padding). Written out rather than a crate for the
/// device keys and the page's script hashes.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// What the database keeps of a token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The cookie's name when served over HTTPS: `__Host-` makes the browser take it only
/// with `Secure`, `Path=/` and no `Domain`, so another host of the city's domain can not
/// set one for Koe.
pub const SECURE_COOKIE_NAME: &str = "__Host-koe_session";

/// `KOE_SECURE_COOKIE=1`: the ward record is reached over HTTPS (itself, or behind a TLS
/// proxy). Read once.
pub fn secure_cookie() -> bool {
    static SECURE: OnceLock<bool> = OnceLock::new();
    *SECURE.get_or_init(|| {
        std::env::var("KOE_SECURE_COOKIE").is_ok_and(|v| matches!(v.trim(), "1" | "true"))
    })
}

fn cookie_attributes(secure: bool) -> (&'static str, &'static str) {
    if secure {
        (SECURE_COOKIE_NAME, "; Secure")
    } else {
        (COOKIE_NAME, "")
    }
}

/// `Set-Cookie` for a new session.
pub fn session_cookie(token: &str) -> HeaderValue {
    session_cookie_for(token, secure_cookie())
}

/// `Set-Cookie` for a new session, `Secure` and `__Host-` or not.
pub fn session_cookie_for(token: &str, secure: bool) -> HeaderValue {
    let (name, flag) = cookie_attributes(secure);
    let value = format!(
        "{name}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={SESSION_SECONDS}{flag}"
    );
    HeaderValue::from_str(&value)
        .unwrap_or_else(|_| HeaderValue::from_static("koe_session=; Path=/"))
}

/// `Set-Cookie` that removes the session cookie.
pub fn cleared_cookie() -> HeaderValue {
    cleared_cookie_for(secure_cookie())
}

pub fn cleared_cookie_for(secure: bool) -> HeaderValue {
    if secure {
        HeaderValue::from_static(
            "__Host-koe_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Secure",
        )
    } else {
        HeaderValue::from_static("koe_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0")
    }
}

/// The session token in the request's cookies, if any.
pub fn token_from_headers(headers: &HeaderMap) -> Option<String> {
    token_named(headers, cookie_attributes(secure_cookie()).0)
}

/// The token in the cookie of this name: over HTTPS only the `__Host-` one counts.
pub fn token_named(headers: &HeaderMap, cookie: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == cookie && !value.is_empty())
        .map(|(_, value)| value.to_string())
}

/// The signed-in staff member. As an extractor it answers 401 `signed_out` when the
/// cookie is missing, unknown, expired, or the account is disabled.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub me: Me,
    pub token_hash: String,
}

impl SignedIn {
    pub fn viewer(&self) -> Viewer {
        Viewer {
            staff_id: self.me.staff_id.clone(),
            role: self.me.role,
            sections: self.me.sections.clone(),
        }
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = token_from_headers(&parts.headers).ok_or_else(ApiError::signed_out)?;
        let hash = token_hash(&token);
        match state.store.session_staff(&hash, crate::now_ms()).await? {
            Some(me) => Ok(Self {
                me,
                token_hash: hash,
            }),
            None => Err(ApiError::signed_out()),
        }
    }
}

/// Adds the `Set-Cookie` header to a response's headers.
pub fn set_cookie(headers: &mut HeaderMap, value: HeaderValue) {
    headers.append(SET_COOKIE, value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_and_verify() {
        let p = Passwords::for_tests();
        let h = p.hash("secret").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert_eq!(p.verify("secret".into(), Some(h.clone())).await, Ok(true));
        assert_eq!(p.verify("Secret".into(), Some(h)).await, Ok(false));
        assert_eq!(p.verify("koe-no-such-staff".into(), None).await, Ok(false));
        assert_eq!(
            p.verify("x".into(), Some("not a hash".into())).await,
            Ok(false)
        );
        // The crate's own verifier agrees with ours, and ours with its hashes.
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let ours = p.hash("secret").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(b"secret", &parsed)
            .is_ok());
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default()
            .hash_password(b"secret", &salt)
            .unwrap()
            .to_string();
        assert_eq!(p.verify("secret".into(), Some(theirs)).await, Ok(true));
    }

    #[tokio::test]
    async fn the_dummy_is_hashed_once_and_every_check_is_one_run() {
        let p = Passwords::for_tests();
        let real = p.hash("secret").unwrap();
        assert_eq!(p.hashes(), 1);
        for _ in 0..3 {
            assert_eq!(p.verify("x".into(), None).await, Ok(false));
            assert_eq!(p.verify("x".into(), Some(real.clone())).await, Ok(false));
        }
        assert_eq!(p.verifies(), 6);
        assert_eq!(p.hashes(), 2, "the real hash and the dummy, once");
    }

    #[tokio::test]
    async fn a_check_that_cannot_start_in_time_is_busy() {
        let p = Passwords::for_tests().limited(1, Duration::from_millis(20));
        let held = p.inner.permits.clone().acquire_owned().await.unwrap();
        assert_eq!(p.verify("x".into(), None).await, Err(Busy));
        assert_eq!(p.verifies(), 0);
        drop(held);
        assert_eq!(p.verify("x".into(), None).await, Ok(false));
    }

    #[test]
    fn cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_static("a=1; koe_session=abc; b=2"),
        );
        assert_eq!(token_from_headers(&h).as_deref(), Some("abc"));
        h.insert(COOKIE, HeaderValue::from_static("koe_session="));
        assert_eq!(token_from_headers(&h), None);
    }

    #[test]
    fn over_https_the_cookie_is_secure_and_host_only() {
        let set = session_cookie_for("abc", true);
        let set = set.to_str().unwrap();
        assert!(set.starts_with("__Host-koe_session=abc;"), "{set}");
        assert!(set.contains("; Secure") && set.contains("Path=/"), "{set}");
        assert!(!set.contains("Domain"), "{set}");
        let plain = session_cookie_for("abc", false);
        assert!(!plain.to_str().unwrap().contains("Secure"));
        assert!(cleared_cookie_for(true)
            .to_str()
            .unwrap()
            .starts_with("__Host-koe_session=;"));
        // Over HTTPS a cookie without the prefix (set by another host) is not taken.
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_static("koe_session=planted"));
        assert_eq!(token_named(&h, SECURE_COOKIE_NAME), None);
        h.insert(COOKIE, HeaderValue::from_static("__Host-koe_session=real"));
        assert_eq!(token_named(&h, SECURE_COOKIE_NAME).as_deref(), Some("real"));
    }

    #[test]
    fn device_keys_are_32_bytes_of_standard_base64() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"h"), "aA==");
        assert_eq!(base64(b"hi"), "aGk=");
        assert_eq!(base64(b"hello"), "aGVsbG8=");
        assert_eq!(base64(&[0xfb, 0xff, 0xbf]), "+/+/");
        let k = new_device_key();
        assert_eq!(k.len(), 44);
        assert!(k.ends_with('=') && !k.ends_with("=="), "{k}");
        assert_ne!(k, new_device_key());
    }

    #[test]
    fn tokens_are_hashed_and_passwords_readable() {
        let t = new_token();
        assert_eq!(t.len(), 64);
        assert_eq!(token_hash(&t).len(), 64);
        assert_ne!(token_hash(&t), t);
        let p = readable_password();
        assert_eq!(p.chars().count(), 12);
        assert!(!p.contains(['0', 'O', '1', 'l', 'I']));
    }
}
