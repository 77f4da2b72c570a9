//! Each person's data on a pooled device is readable only while that person is signed
//! in there. Their requests, outbox, photos and draft are sealed with AES-256-GCM under a
//! random data key made on the device; the data key is kept only sealed, in a
//! [`Keyring`]: once under a key derived from the person's password (PBKDF2-HMAC-SHA256,
//! a salt per person and device; the derivation itself is WebCrypto's, in the app), so
//! that they can sign in with no signal, and once under the ward record's key for this
//! person on this device, so that an online sign-in after a password change still opens
//! what they left there. The unsealed data key lives in memory only while they are
//! signed in.
//!
//! Also the rule for signing in offline: a few wrong passwords make the person wait, and
//! many send them to a connection ([`offline_try`]).

use aes_gcm::aead::Aead;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use serde::{Deserialize, Serialize};

pub const KEY_BYTES: usize = 32;
pub const NONCE_BYTES: usize = 12;
pub const SALT_BYTES: usize = 16;
/// PBKDF2-HMAC-SHA256 iterations for the password key (OWASP's figure for 2023).
pub const PBKDF2_ITERATIONS: u32 = 600_000;

/// Wrong passwords in [`OFFLINE_FAILURE_WINDOW_MS`] after which an offline sign-in waits.
pub const OFFLINE_MAX_FAILURES: usize = 5;
pub const OFFLINE_FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;
/// Wrong passwords in a row after which only an online sign-in (the ward record's own
/// limit, and its word on whether the account is still enabled) lets the person in.
pub const OFFLINE_FAILURES_BEFORE_ONLINE: usize = 10;

/// A seal that does not open: another key, or bytes that were changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("sealed data does not open with this key")]
pub struct Unsealable;

/// An AES-256-GCM key: the data key, the password key or the ward key.
#[derive(Clone)]
pub struct SealKey {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for SealKey {
    // Never the key itself, not even in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(..)")
    }
}

impl SealKey {
    pub fn from_bytes(bytes: &[u8; KEY_BYTES]) -> Self {
        Self {
            cipher: Aes256Gcm::new(bytes.into()),
        }
    }

    /// `nonce ‖ ciphertext ‖ tag`. The nonce must never repeat under one key: the caller
    /// draws it from the platform's random source.
    pub fn seal(&self, nonce: [u8; NONCE_BYTES], plaintext: &[u8]) -> Vec<u8> {
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext)
            // AES-GCM fails only past 64 GiB in one message.
            .unwrap_or_default();
        let mut out = Vec::with_capacity(NONCE_BYTES + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, Unsealable> {
        if sealed.len() < NONCE_BYTES + 16 {
            return Err(Unsealable);
        }
        let (nonce, body) = sealed.split_at(NONCE_BYTES);
        self.cipher
            .decrypt(Nonce::from_slice(nonce), body)
            .map_err(|_| Unsealable)
    }

    /// Seals a value as JSON.
    pub fn seal_json<T: Serialize>(&self, nonce: [u8; NONCE_BYTES], value: &T) -> Vec<u8> {
        // Serializing the domain's own types does not fail.
        self.seal(nonce, &serde_json::to_vec(value).unwrap_or_default())
    }

    pub fn open_json<T: serde::de::DeserializeOwned>(
        &self,
        sealed: &[u8],
    ) -> Result<T, Unsealable> {
        serde_json::from_slice(&self.open(sealed)?).map_err(|_| Unsealable)
    }
}

/// A person's data key on one device, sealed under their password key and, when the
/// ward record gave one, under its key for them on this device. Kept in the clear on the
/// device: without the password or the ward record it opens nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keyring {
    #[serde(with = "hex")]
    pub salt: Vec<u8>,
    pub iterations: u32,
    /// The data key under the password key (`None` once the ward record refused the
    /// person: an offline sign-in can then open nothing).
    #[serde(with = "hex_option", default)]
    pub by_password: Option<Vec<u8>>,
    /// The data key under the ward record's key for this person and device.
    #[serde(with = "hex_option", default)]
    pub by_ward: Option<Vec<u8>>,
}

impl Keyring {
    /// A keyring for a new data key.
    pub fn new(
        data_key: &[u8; KEY_BYTES],
        salt: [u8; SALT_BYTES],
        iterations: u32,
        password_key: &SealKey,
        ward_key: Option<&SealKey>,
        nonces: [[u8; NONCE_BYTES]; 2],
    ) -> Self {
        Self {
            salt: salt.to_vec(),
            iterations,
            by_password: Some(password_key.seal(nonces[0], data_key)),
            by_ward: ward_key.map(|k| k.seal(nonces[1], data_key)),
        }
    }

    /// The data key, if the password key opens it (a wrong password does not).
    pub fn open_with_password(
        &self,
        password_key: &SealKey,
    ) -> Result<[u8; KEY_BYTES], Unsealable> {
        key_of(password_key.open(self.by_password.as_deref().ok_or(Unsealable)?)?)
    }

    pub fn open_with_ward(&self, ward_key: &SealKey) -> Result<[u8; KEY_BYTES], Unsealable> {
        key_of(ward_key.open(self.by_ward.as_deref().ok_or(Unsealable)?)?)
    }

    /// Seals the data key under a new password key (a changed password, a new salt).
    pub fn reseal_password(
        &mut self,
        data_key: &[u8; KEY_BYTES],
        salt: [u8; SALT_BYTES],
        password_key: &SealKey,
        nonce: [u8; NONCE_BYTES],
    ) {
        self.salt = salt.to_vec();
        self.iterations = PBKDF2_ITERATIONS;
        self.by_password = Some(password_key.seal(nonce, data_key));
    }

    pub fn reseal_ward(
        &mut self,
        data_key: &[u8; KEY_BYTES],
        ward_key: &SealKey,
        nonce: [u8; NONCE_BYTES],
    ) {
        self.by_ward = Some(ward_key.seal(nonce, data_key));
    }

    /// After the ward record refused the person (a changed password or a disabled
    /// account): nothing opens offline any more; an online sign-in opens it again.
    pub fn forget_password(&mut self) {
        self.by_password = None;
    }
}

fn key_of(bytes: Vec<u8>) -> Result<[u8; KEY_BYTES], Unsealable> {
    bytes.try_into().map_err(|_| Unsealable)
}

/// Whether an offline sign-in may be tried now, given the wrong passwords typed since the
/// last right one (times in ms, oldest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfflineTry {
    Allowed,
    /// Too many wrong passwords lately: not before this time.
    WaitUntil(i64),
    /// Too many in a row: only an online sign-in.
    NeedsConnection,
}

pub fn offline_try(failures: &[i64], now: i64) -> OfflineTry {
    if failures.len() >= OFFLINE_FAILURES_BEFORE_ONLINE {
        return OfflineTry::NeedsConnection;
    }
    let recent: Vec<i64> = failures
        .iter()
        .copied()
        .filter(|t| now - t < OFFLINE_FAILURE_WINDOW_MS)
        .collect();
    match recent.len().checked_sub(OFFLINE_MAX_FAILURES) {
        Some(i) => OfflineTry::WaitUntil(recent[i] + OFFLINE_FAILURE_WINDOW_MS),
        None => OfflineTry::Allowed,
    }
}

mod hex {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn encode(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn decode(text: &str) -> Option<Vec<u8>> {
        if !text.len().is_multiple_of(2) {
            return None;
        }
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
            .collect()
    }

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        decode(&text).ok_or_else(|| serde::de::Error::custom("not hex"))
    }
}

mod hex_option {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(b) => s.serialize_some(&super::hex::encode(b)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|t| super::hex::decode(&t).ok_or_else(|| serde::de::Error::custom("not hex")))
            .transpose()
    }
}

/// Decodes the ward record's device key (base64 of [`KEY_BYTES`] bytes).
pub fn ward_key_from_base64(text: &str) -> Option<SealKey> {
    let bytes = base64_decode(text.trim())?;
    let bytes: [u8; KEY_BYTES] = bytes.try_into().ok()?;
    Some(SealKey::from_bytes(&bytes))
}

/// Standard base64 with padding (what the ward record sends); `None` for anything else.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if !text.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    for chunk in text.as_bytes().chunks(4) {
        let mut n: u32 = 0;
        let mut pad = 0;
        for (i, &c) in chunk.iter().enumerate() {
            let v = if c == b'=' && i >= 2 {
                pad += 1;
                0
            } else if pad > 0 {
                return None;
            } else {
                ALPHABET.iter().position(|&a| a == c)? as u32
            };
            n = (n << 6) | v;
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - pad]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA: [u8; KEY_BYTES] = [7; KEY_BYTES];

    fn key(b: u8) -> SealKey {
        SealKey::from_bytes(&[b; KEY_BYTES])
    }

    #[test]
    fn a_seal_opens_with_its_key_only_and_not_once_changed() {
        let k = key(1);
        let sealed = k.seal([3; NONCE_BYTES], "介護の相談 82歳".as_bytes());
        assert_eq!(k.open(&sealed).unwrap(), "介護の相談 82歳".as_bytes());
        // The text is not in the sealed bytes.
        let needle = "介護".as_bytes();
        assert!(!sealed.windows(needle.len()).any(|w| w == needle));
        assert_eq!(key(2).open(&sealed), Err(Unsealable));
        let mut changed = sealed.clone();
        *changed.last_mut().unwrap() ^= 1;
        assert_eq!(k.open(&changed), Err(Unsealable));
        assert_eq!(k.open(&sealed[..10]), Err(Unsealable));
        assert_eq!(k.open(&[]), Err(Unsealable));
    }

    #[test]
    fn json_round_trips() {
        let k = key(1);
        let sealed = k.seal_json([0; NONCE_BYTES], &vec!["a".to_owned(), "相談".to_owned()]);
        let back: Vec<String> = k.open_json(&sealed).unwrap();
        assert_eq!(back, ["a", "相談"]);
        assert!(key(9).open_json::<Vec<String>>(&sealed).is_err());
    }

    #[test]
    fn the_keyring_opens_with_the_password_or_the_ward_and_survives_a_new_password() {
        let password = key(10);
        let ward = key(20);
        let mut ring = Keyring::new(
            &DATA,
            [1; SALT_BYTES],
            PBKDF2_ITERATIONS,
            &password,
            Some(&ward),
            [[1; NONCE_BYTES], [2; NONCE_BYTES]],
        );
        assert_eq!(ring.open_with_password(&password), Ok(DATA));
        assert_eq!(ring.open_with_ward(&ward), Ok(DATA));
        assert_eq!(ring.open_with_password(&key(11)), Err(Unsealable));
        assert_eq!(ring.open_with_ward(&password), Err(Unsealable));

        // Kept as JSON on the device and read back.
        let json = serde_json::to_string(&ring).unwrap();
        let back: Keyring = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ring);

        // The password changed: the ward opens it, and the new password is sealed.
        let new_password = key(12);
        let data = ring.open_with_ward(&ward).unwrap();
        ring.reseal_password(&data, [2; SALT_BYTES], &new_password, [3; NONCE_BYTES]);
        assert_eq!(ring.open_with_password(&new_password), Ok(DATA));
        assert_eq!(ring.open_with_password(&password), Err(Unsealable));

        // Refused by the ward record: nothing opens offline.
        ring.forget_password();
        assert_eq!(ring.open_with_password(&new_password), Err(Unsealable));
        assert_eq!(ring.open_with_ward(&ward), Ok(DATA));
    }

    #[test]
    fn without_the_ward_the_password_alone_opens_it() {
        let password = key(10);
        let mut ring = Keyring::new(
            &DATA,
            [1; SALT_BYTES],
            1,
            &password,
            None,
            [[1; NONCE_BYTES], [2; NONCE_BYTES]],
        );
        assert_eq!(ring.open_with_ward(&key(20)), Err(Unsealable));
        ring.reseal_ward(&DATA, &key(20), [4; NONCE_BYTES]);
        assert_eq!(ring.open_with_ward(&key(20)), Ok(DATA));
    }

    #[test]
    fn offline_attempts_wait_then_need_a_connection() {
        let min = 60_000;
        assert_eq!(offline_try(&[], 0), OfflineTry::Allowed);
        let four: Vec<i64> = (0..4).map(|i| i * min).collect();
        assert_eq!(offline_try(&four, 5 * min), OfflineTry::Allowed);
        let five: Vec<i64> = (0..5).map(|i| i * min).collect();
        assert_eq!(
            offline_try(&five, 5 * min),
            OfflineTry::WaitUntil(OFFLINE_FAILURE_WINDOW_MS)
        );
        // Once the oldest leaves the window, one more try.
        assert_eq!(
            offline_try(&five, OFFLINE_FAILURE_WINDOW_MS),
            OfflineTry::Allowed
        );
        let ten: Vec<i64> = (0..10).map(|i| i * OFFLINE_FAILURE_WINDOW_MS).collect();
        assert_eq!(offline_try(&ten, 1_000 * min), OfflineTry::NeedsConnection);
    }

    #[test]
    fn the_ward_key_is_32_bytes_of_base64() {
        let text = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        let k = ward_key_from_base64(text).expect("decodes");
        let sealed = k.seal([0; NONCE_BYTES], b"x");
        let bytes: [u8; 32] = core::array::from_fn(|i| i as u8);
        assert_eq!(SealKey::from_bytes(&bytes).open(&sealed).unwrap(), b"x");
        assert!(ward_key_from_base64("AAEC").is_none());
        assert!(ward_key_from_base64("not base64!").is_none());
        assert!(ward_key_from_base64("").is_none());
        assert_eq!(base64_decode("aGk=").unwrap(), b"hi");
        assert_eq!(base64_decode("aGVsbG8=").unwrap(), b"hello");
        assert!(base64_decode("a=Gk").is_none());
    }
}
