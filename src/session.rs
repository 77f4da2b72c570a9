//! Signing in and out on a pooled device. Signing in opens the person's own sealed
//! database (`crate::store`) with their data key, unsealed from their keyring
//! (`crate::device`): online, after the ward record said yes; offline, with the password
//! alone, if they signed in here online before. An offline sign-in is confirmed with the
//! ward record at the next connection ([`renew`]): refused there (a changed password, a
//! disabled account, a retired device), the person is signed out and their data stays
//! sealed until an online sign-in.
//!
//! localStorage keeps the ward's catalogue and who signed in last (to fill in the form);
//! nothing a person wrote.

use std::cell::RefCell;

use gloo_storage::{LocalStorage, Storage};
use koe_core::api::{Me, SignedInAnswer};
use koe_core::vault::{
    self, offline_try, Keyring, OfflineTry, SealKey, KEY_BYTES, PBKDF2_ITERATIONS,
};
use koe_core::{Bilingual, Catalogue};

use crate::api::{self, ApiError};
use crate::device::{Device, Person};
use crate::i18n::Msg;
use crate::ids::now_ms;
use crate::store::sealed::random;
use crate::store::{person_db_name, Store, StoreError};

const LAST_STAFF_ID_KEY: &str = "koe.last_staff_id";
/// Kept by versions before each person had a sealed database; removed on start.
const OLD_ME_KEY: &str = "koe.me";
const CATALOGUE_KEY: &str = "koe.catalogue";
const CATALOGUE_TAG_KEY: &str = "koe.catalogue.etag";
/// Set when a sign-out could not reach the ward record: its session is ended at the
/// next connection (and by the ward record at the next sign-in on this browser).
const SIGN_OUT_PENDING_KEY: &str = "koe.sign_out_pending";

/// Who signed in last on this device (the form starts with it).
pub fn last_staff_id() -> Option<String> {
    LocalStorage::get(LAST_STAFF_ID_KEY).ok()
}

pub fn forget_old_me() {
    LocalStorage::delete(OLD_ME_KEY);
}

pub fn stored_catalogue() -> Option<Catalogue> {
    LocalStorage::get(CATALOGUE_KEY).ok()
}

pub fn store_catalogue(catalogue: &Catalogue) -> Result<(), String> {
    LocalStorage::set(CATALOGUE_KEY, catalogue).map_err(|e| e.to_string())
}

/// The kept catalogue with the ward record's tag for it (`ETag`), if both are kept.
pub fn stored_catalogue_tagged() -> Option<(Catalogue, String)> {
    let tag: String = LocalStorage::get(CATALOGUE_TAG_KEY).ok()?;
    Some((stored_catalogue()?, tag))
}

/// Keeps the catalogue and then its tag: a tag is never kept beside an older catalogue
/// (the tag goes first, so a failure between the two leaves no tag).
pub fn store_catalogue_tagged(catalogue: &Catalogue, tag: Option<&str>) -> Result<(), String> {
    LocalStorage::delete(CATALOGUE_TAG_KEY);
    store_catalogue(catalogue)?;
    if let Some(tag) = tag {
        LocalStorage::set(CATALOGUE_TAG_KEY, tag).map_err(|e| e.to_string())?;
    }
    Ok(())
}

pub fn sign_out_pending() -> bool {
    LocalStorage::get::<bool>(SIGN_OUT_PENDING_KEY).unwrap_or(false)
}

pub fn set_sign_out_pending(pending: bool) {
    if pending {
        let _ = LocalStorage::set(SIGN_OUT_PENDING_KEY, true);
    } else {
        LocalStorage::delete(SIGN_OUT_PENDING_KEY);
    }
}

/// Ends the ward record's session of whoever signed out here; until the ward record has
/// heard it (no signal now), it is tried again at every sync.
pub async fn end_server_session() {
    // Marked first: a sync that starts while this one waits for the network tries too.
    set_sign_out_pending(true);
    match crate::api::sign_out().await {
        Err(crate::api::ApiError::Unreachable) => {}
        // Done, or already gone (401): nothing left to end.
        _ => set_sign_out_pending(false),
    }
}

/// A person signed in: who, and their database, open.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub me: Me,
    pub store: Store,
    /// Signed in without the ward record: confirmed at the next connection.
    pub offline: bool,
}

thread_local! {
    /// After an offline sign-in, until the ward record confirmed it: whose, and the
    /// password to confirm it with (in memory only, dropped once confirmed).
    static TO_RENEW: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

/// Whether an offline sign-in waits to be confirmed with the ward record.
pub fn renewal_pending() -> bool {
    TO_RENEW.with(|r| r.borrow().is_some())
}

fn forget_renewal() {
    TO_RENEW.with(|r| *r.borrow_mut() = None);
}

/// Signs `staff_id` in: with the ward record when it answers, else offline.
pub async fn sign_in(
    device: &Device,
    staff_id: &str,
    password: &str,
) -> Result<SignedIn, Bilingual> {
    let client_id = device.client_id().await.map_err(|e| e.message())?;
    match api::sign_in(staff_id, password, client_id).await {
        Ok(answer) => {
            forget_renewal();
            // The ward record ended the session this browser held before: nothing of a
            // sign-out made offline is left to end (and ending it now would end this one).
            set_sign_out_pending(false);
            open_online(device, answer, password).await
        }
        // No answer, or a ward record that is down behind its proxy (5xx): as with no
        // signal, the password alone opens what the person has here.
        Err(ApiError::Unreachable) => sign_in_offline(device, staff_id, password).await,
        Err(ApiError::Refused { status, .. }) if status >= 500 => {
            sign_in_offline(device, staff_id, password).await
        }
        Err(ApiError::Unexpected(_)) => sign_in_offline(device, staff_id, password).await,
        Err(other) => Err(other.message()),
    }
}

/// After the ward record said yes: the person's keyring is made, or opened (by the
/// password, or, after a password change, by the ward record's key) and sealed again.
async fn open_online(
    device: &Device,
    answer: SignedInAnswer,
    password: &str,
) -> Result<SignedIn, Bilingual> {
    let me = answer.me;
    let ward = answer
        .device_key
        .as_deref()
        .and_then(vault::ward_key_from_base64);
    let known = device.person(&me.staff_id).await.map_err(|e| e.message())?;
    let fail = |e: StoreError| e.message();
    let (data_key, keyring) = match known {
        None => {
            let data_key: [u8; KEY_BYTES] = random().map_err(fail)?;
            let salt = random().map_err(fail)?;
            let password_key = crate::vault::password_key(password, &salt, PBKDF2_ITERATIONS)
                .await
                .map_err(fail)?;
            let ring = Keyring::new(
                &data_key,
                salt,
                PBKDF2_ITERATIONS,
                &password_key,
                ward.as_ref(),
                [random().map_err(fail)?, random().map_err(fail)?],
            );
            (data_key, ring)
        }
        Some(person) => {
            let mut ring = person.keyring;
            let password_key = crate::vault::password_key(password, &ring.salt, ring.iterations)
                .await
                .map_err(fail)?;
            let data_key = match ring.open_with_password(&password_key) {
                Ok(k) => k,
                Err(_) => {
                    // A new password (or one forgotten after a refusal): the ward
                    // record's key opens it, and the new password is sealed.
                    let k = ward
                        .as_ref()
                        .and_then(|w| ring.open_with_ward(w).ok())
                        .ok_or_else(|| Msg::LocalDataUnreadable.bilingual())?;
                    let salt = random().map_err(fail)?;
                    let new_key = crate::vault::password_key(password, &salt, PBKDF2_ITERATIONS)
                        .await
                        .map_err(fail)?;
                    ring.reseal_password(&k, salt, &new_key, random().map_err(fail)?);
                    k
                }
            };
            if let Some(w) = &ward {
                if ring.open_with_ward(w).is_err() {
                    ring.reseal_ward(&data_key, w, random().map_err(fail)?);
                }
            }
            (data_key, ring)
        }
    };
    device
        .put_person(&Person {
            me: me.clone(),
            keyring,
            failures: Vec::new(),
        })
        .await
        .map_err(fail)?;
    let store = open_store(device, &me.staff_id, data_key)
        .await
        .map_err(fail)?;
    Ok(SignedIn {
        me,
        store,
        offline: false,
    })
}

/// With no signal: the password opens the keyring of someone who signed in here before.
async fn sign_in_offline(
    device: &Device,
    staff_id: &str,
    password: &str,
) -> Result<SignedIn, Bilingual> {
    let fail = |e: StoreError| e.message();
    let Some(mut person) = device.person(staff_id).await.map_err(fail)? else {
        return Err(Msg::SignInNeedsConnection.bilingual());
    };
    let now = now_ms() as i64;
    match offline_try(&person.failures, now) {
        OfflineTry::Allowed => {}
        OfflineTry::WaitUntil(at) => {
            let minutes = ((at - now).max(0) + 59_999) / 60_000;
            return Err(Msg::OfflineWait.bilingual_with(&minutes.to_string()));
        }
        OfflineTry::NeedsConnection => return Err(Msg::OfflineTooMany.bilingual()),
    }
    if person.keyring.by_password.is_none() {
        return Err(Msg::OfflineRefusedBefore.bilingual());
    }
    let password_key =
        crate::vault::password_key(password, &person.keyring.salt, person.keyring.iterations)
            .await
            .map_err(fail)?;
    let Ok(data_key) = person.keyring.open_with_password(&password_key) else {
        person.failures.push(now);
        device.put_person(&person).await.map_err(fail)?;
        // Worded as the ward record words a wrong password.
        return Err(Msg::WrongPassword.bilingual());
    };
    if !person.failures.is_empty() {
        person.failures.clear();
        device.put_person(&person).await.map_err(fail)?;
    }
    let store = open_store(device, staff_id, data_key).await.map_err(fail)?;
    TO_RENEW.with(|r| *r.borrow_mut() = Some((staff_id.to_owned(), password.to_owned())));
    Ok(SignedIn {
        me: person.me,
        store,
        offline: true,
    })
}

/// Opens the person's database with their data key, readies it the first time, takes
/// their work left unsealed by an earlier version, and holds the key for the draft.
async fn open_store(
    device: &Device,
    staff_id: &str,
    data_key: [u8; KEY_BYTES],
) -> Result<Store, StoreError> {
    let key = SealKey::from_bytes(&data_key);
    let store = Store::open(&person_db_name(staff_id), key.clone()).await?;
    if !store.is_prepared().await? {
        let first = device.take_id_range().await?;
        store.prepare(device.client_id().await?, first).await?;
    }
    device.adopt_legacy(&store, staff_id).await?;
    store.set_author(Some(staff_id.to_owned()));
    crate::vault::hold(Some((staff_id.to_owned(), key)));
    let _ = LocalStorage::set(LAST_STAFF_ID_KEY, staff_id);
    Ok(store)
}

/// What confirming an offline sign-in came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Renewal {
    /// Nothing to confirm, or confirmed: syncing may go on.
    Done,
    /// No answer: try at the next sync.
    Later,
    /// The ward record said no: the person must be signed out, with this message.
    Refused(Bilingual),
}

/// Confirms an offline sign-in with the ward record (a new session for this device).
/// Refused, the keyring forgets the password: until an online sign-in, nothing of theirs
/// opens here.
pub async fn renew(device: &Device) -> Renewal {
    let Some((staff_id, password)) = TO_RENEW.with(|r| r.borrow().clone()) else {
        return Renewal::Done;
    };
    let Ok(client_id) = device.client_id().await else {
        return Renewal::Later;
    };
    match api::sign_in(&staff_id, &password, client_id).await {
        Ok(answer) => {
            forget_renewal();
            set_sign_out_pending(false);
            // The ward key may be new to the keyring (first sign-in since it existed).
            if let (Ok(Some(mut person)), Some(ward)) = (
                device.person(&staff_id).await,
                answer
                    .device_key
                    .as_deref()
                    .and_then(vault::ward_key_from_base64),
            ) {
                if person.keyring.open_with_ward(&ward).is_err() {
                    if let (Some(key), Ok(nonce)) =
                        (current_data_key(&person, &password).await, random())
                    {
                        person.keyring.reseal_ward(&key, &ward, nonce);
                    }
                }
                person.me = answer.me;
                let _ = device.put_person(&person).await;
            }
            Renewal::Done
        }
        Err(ApiError::Unreachable) => Renewal::Later,
        Err(ApiError::Refused { status, body })
            if status == 401 || (status == 403 && body.code == "device_retired") =>
        {
            forget_renewal();
            if let Ok(Some(mut person)) = device.person(&staff_id).await {
                person.keyring.forget_password();
                let _ = device.put_person(&person).await;
            }
            // The session this browser still holds is someone's who signed out offline.
            if sign_out_pending() {
                end_server_session().await;
            }
            Renewal::Refused(if body.code == "device_retired" {
                body.message
            } else {
                Msg::RenewalRefused.bilingual()
            })
        }
        // Too many attempts, a server fault: keep it and try later.
        Err(_) => Renewal::Later,
    }
}

async fn current_data_key(person: &Person, password: &str) -> Option<[u8; KEY_BYTES]> {
    let key = crate::vault::password_key(password, &person.keyring.salt, person.keyring.iterations)
        .await
        .ok()?;
    person.keyring.open_with_password(&key).ok()
}

/// Signs out on this device: the ward record's session ends (now, or at the next
/// connection), the data key is dropped and the person's database closed. What they
/// left (waiting work, a draft) stays sealed for them.
pub fn sign_out_here(store: Option<Store>) {
    leptos::task::spawn_local(end_server_session());
    forget_renewal();
    crate::vault::hold(None);
    if let Some(store) = store {
        store.close();
    }
}
