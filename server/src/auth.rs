//! Passwords (argon2), session tokens and the `koe_session` cookie.
//!
//! The cookie carries a random token; the database keeps only its SHA-256, so a copy of
//! the database does not sign anyone in. Sessions last 30 days: a field device works
//! offline for days and needs its session only when it syncs.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use koe_core::api::Me;
use koe_core::Viewer;
use rand::rngs::OsRng;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

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

/// How passwords are hashed. Real argon2id always; tests may pick cheaper parameters.
#[derive(Clone, Debug)]
pub struct Passwords {
    params: Params,
}

impl Default for Passwords {
    /// argon2id with the crate's default (OWASP-recommended) parameters.
    fn default() -> Self {
        Self {
            params: Params::default(),
        }
    }
}

impl Passwords {
    /// Cheap parameters (still argon2id) so a test suite that seeds many databases stays
    /// quick. Never for production.
    pub fn for_tests() -> Self {
        Self {
            params: Params::new(1024, 1, 1, None).unwrap_or_default(),
        }
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// A PHC string (`$argon2id$v=19$…`) for the password.
    pub fn hash(&self, password: &str) -> Result<String, String> {
        let salt = SaltString::generate(&mut OsRng);
        self.argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| format!("hashing a password failed: {e}"))
    }

    /// Hashes on the blocking pool: argon2 is deliberately slow.
    pub async fn hash_async(&self, password: String) -> Result<String, String> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.hash(&password))
            .await
            .map_err(|e| format!("hashing task failed: {e}"))?
    }

    /// Checks a password against a stored hash (its own parameters are in the string).
    /// With no stored hash (unknown staff id) it still does the work of a check, so the
    /// answer takes as long either way.
    pub async fn verify(&self, password: String, stored: Option<String>) -> bool {
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let (hash, real) = match stored {
                Some(h) => (h, true),
                None => (this.dummy_hash(), false),
            };
            let ok = match PasswordHash::new(&hash) {
                Ok(parsed) => Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok(),
                Err(_) => false,
            };
            ok && real
        })
        .await
        .unwrap_or(false)
    }

    fn dummy_hash(&self) -> String {
        self.hash("koe-no-such-staff").unwrap_or_default()
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

/// Standard base64 (RFC 4648, with padding). Written out rather than a crate for the one
/// 32-byte key it encodes.
fn base64(bytes: &[u8]) -> String {
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

/// `Set-Cookie` for a new session.
pub fn session_cookie(token: &str) -> HeaderValue {
    let value = format!(
        "{COOKIE_NAME}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={SESSION_SECONDS}"
    );
    HeaderValue::from_str(&value)
        .unwrap_or_else(|_| HeaderValue::from_static("koe_session=; Path=/"))
}

/// `Set-Cookie` that removes the session cookie.
pub fn cleared_cookie() -> HeaderValue {
    HeaderValue::from_static("koe_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0")
}

/// The session token in the request's cookies, if any.
pub fn token_from_headers(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE_NAME && !value.is_empty())
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
        assert!(p.verify("secret".into(), Some(h.clone())).await);
        assert!(!p.verify("Secret".into(), Some(h)).await);
        assert!(!p.verify("koe-no-such-staff".into(), None).await);
        assert!(!p.verify("x".into(), Some("not a hash".into())).await);
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
