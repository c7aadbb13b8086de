//! Sessions (P4, P9): login with throttling, login records, rotating
//! refresh tokens with theft detection, logout, password change.
//!
//! A refresh token is `<userId>.<secret>`; only SHA-256 of the secret is
//! stored, as the id of a document in the user's partition, so a refresh is
//! one point read. Presenting a token that was already rotated revokes its
//! whole family.
//!
//! A session is one refresh family. Its record in the user's partition
//! (`session-<familyId>`) lives while the family does; access tokens name
//! it (`sid`), and every request checks that it still exists. Logging out,
//! a reused refresh token and a password change delete it, so the access
//! tokens of that session stop working at once, not when they expire (L1).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::accounts::{self, User, email_partition};
use super::email::EmailAddress;
use super::error::DomainError;
use super::ids::{RecordId, UserId};
use super::password::{NewPassword, PasswordHasher, Verified};
use super::record::{self, Record};
use super::retry::{Attempt, retry_on_precondition};
use crate::store::containers::{IDENTITIES, USERS};
use crate::store::{
    BatchOp, Container, Document, DocumentStore, ETag, NewDocument, Order, Page, Query, StoreError,
    query_all,
};

/// Failed logins allowed per account within the window before 429.
pub const MAX_FAILURES: usize = 5;
pub const FAILURE_WINDOW: SignedDuration = SignedDuration::from_mins(15);

#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub refresh_ttl: SignedDuration,
    pub login_retention: SignedDuration,
}

/// Recent failed logins of an address, in the address's identity
/// partition.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Throttle {
    failures: Vec<Timestamp>,
}
const THROTTLE_ID: &str = "throttle";

impl Record for Throttle {
    const CONTAINER: Container = IDENTITIES;
    const KIND: &'static str = "throttle";
    /// The address's identity partition.
    type Owner = str;
    fn partition_key(pk: &str) -> String {
        pk.to_owned()
    }
    fn id(&self) -> String {
        THROTTLE_ID.into()
    }
}

/// One successful login: its time only, no address or agent (P9).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginRecord {
    #[serde(skip)]
    id: String,
    #[serde(with = "crate::domain::time::fixed")]
    pub at: Timestamp,
}

impl Record for LoginRecord {
    type Owner = UserId;
    const CONTAINER: Container = USERS;
    const KIND: &'static str = "login";
    fn partition_key(user: &UserId) -> String {
        user.as_string()
    }
    fn id(&self) -> String {
        self.id.clone()
    }
}

/// A refresh token, stored under the hash of its secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefreshRecord {
    #[serde(skip)]
    id: String,
    family_id: String,
    #[serde(with = "crate::domain::time::fixed")]
    at: Timestamp,
    #[serde(with = "crate::domain::time::fixed")]
    expires_at: Timestamp,
    used: bool,
}

impl Record for RefreshRecord {
    type Owner = UserId;
    const CONTAINER: Container = USERS;
    const KIND: &'static str = "refresh";
    fn partition_key(user: &UserId) -> String {
        user.as_string()
    }
    fn id(&self) -> String {
        self.id.clone()
    }
}

/// The record that keeps a session (a refresh family) alive.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionRecord {
    family_id: String,
}

impl Record for SessionRecord {
    type Owner = UserId;
    const CONTAINER: Container = USERS;
    const KIND: &'static str = "session";
    fn partition_key(user: &UserId) -> String {
        user.as_string()
    }
    fn id(&self) -> String {
        session_doc_id(&self.family_id)
    }
}

/// A fresh refresh token to hand to the client, and the session that the
/// access token names.
pub struct Session {
    pub user: User,
    pub session_id: String,
    pub refresh_token: String,
}

fn session_doc_id(family_id: &str) -> String {
    format!("session-{family_id}")
}

/// The session record, valid as long as the newest refresh token.
fn session_doc(
    user: &UserId,
    family_id: &str,
    policy: &SessionPolicy,
) -> Result<NewDocument, StoreError> {
    let record = SessionRecord {
        family_id: family_id.to_owned(),
    };
    Ok(record.document(user)?.with_ttl(secs(policy.refresh_ttl)))
}

/// Whether the session an access token names has not ended. One point
/// read per authenticated request.
pub async fn is_active(
    store: &dyn DocumentStore,
    user: &UserId,
    session_id: &str,
) -> Result<bool, DomainError> {
    // Only its existence counts: the stored text is not parsed.
    Ok(store
        .read_raw(USERS, &user.as_string(), &session_doc_id(session_id))
        .await?
        .is_some())
}

fn secs(d: SignedDuration) -> u64 {
    u64::try_from(d.as_secs()).unwrap_or(0)
}

fn refresh_doc_id(secret: &str) -> String {
    format!("refresh-{}", hex::encode(Sha256::digest(secret.as_bytes())))
}

fn new_refresh(
    user: &UserId,
    family_id: &str,
    policy: &SessionPolicy,
) -> Result<(String, NewDocument), StoreError> {
    let secret = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let now = Timestamp::now();
    let record = RefreshRecord {
        id: refresh_doc_id(&secret),
        family_id: family_id.to_owned(),
        at: now,
        expires_at: now + policy.refresh_ttl,
        used: false,
    };
    let doc = record.document(user)?.with_ttl(secs(policy.refresh_ttl));
    Ok((format!("{user}.{secret}"), doc))
}

/// The refresh token stored under `id`, with its ETag.
async fn load_refresh(
    store: &dyn DocumentStore,
    user: &UserId,
    id: &str,
) -> Result<Option<(RefreshRecord, ETag)>, StoreError> {
    Ok(record::load::<RefreshRecord>(store, user, id)
        .await?
        .map(|(r, etag)| {
            (
                RefreshRecord {
                    id: id.to_owned(),
                    ..r
                },
                etag,
            )
        }))
}

fn login_record(user: &UserId, policy: &SessionPolicy) -> Result<NewDocument, StoreError> {
    let record = LoginRecord {
        id: format!("login-{}", RecordId::generate()),
        at: Timestamp::now(),
    };
    Ok(record
        .document(user)?
        .with_ttl(secs(policy.login_retention)))
}

/// Recent failed logins of an address.
enum Attempts {
    /// No failure on record: a success has nothing to clear.
    None,
    Recorded,
    /// Locked for this many seconds.
    Locked(u64),
}

async fn attempts(store: &dyn DocumentStore, pk: &str) -> Result<Attempts, DomainError> {
    let Some((t, _)) = record::load::<Throttle>(store, pk, THROTTLE_ID).await? else {
        return Ok(Attempts::None);
    };
    let now = Timestamp::now();
    let recent: Vec<Timestamp> = t
        .failures
        .into_iter()
        .filter(|f| *f + FAILURE_WINDOW > now)
        .collect();
    if recent.len() < MAX_FAILURES {
        return Ok(Attempts::Recorded);
    }
    let oldest_relevant = recent[recent.len() - MAX_FAILURES];
    let wait = (oldest_relevant + FAILURE_WINDOW)
        .duration_since(now)
        .as_secs()
        .max(1);
    Ok(Attempts::Locked(u64::try_from(wait).unwrap_or(1)))
}

/// Count a failed attempt; ETag-guarded so concurrent failures all count,
/// also across function instances.
async fn record_failure(store: &dyn DocumentStore, pk: &str) -> Result<(), DomainError> {
    retry_on_precondition("the login throttle", || async move {
        let now = Timestamp::now();
        let current = record::load::<Throttle>(store, pk, THROTTLE_ID).await?;
        let (mut failures, etag) = match current {
            Some((t, etag)) => (t.failures, Some(etag)),
            None => (Vec::new(), None),
        };
        failures.retain(|f| *f + FAILURE_WINDOW > now);
        failures.push(now);
        let keep = failures.len().saturating_sub(2 * MAX_FAILURES);
        failures.drain(..keep);
        let doc = Throttle { failures }
            .document(pk)?
            .with_ttl(secs(FAILURE_WINDOW));
        let written = match etag {
            Some(etag) => store.replace(IDENTITIES, doc, Some(&etag)).await,
            None => store.create(IDENTITIES, doc).await,
        };
        match written {
            // Another first failure created it at the same moment.
            Err(StoreError::Conflict) => Ok(Attempt::Retry),
            written => Attempt::of_write(written, ()),
        }
    })
    .await
}

const BAD_LOGIN: DomainError = DomainError::Unauthorized("email or password is wrong");

/// Log in: same answer for unknown email and wrong password; every success
/// appends a login record (time only, no address or agent).
pub async fn login(
    store: &dyn DocumentStore,
    hasher: &PasswordHasher,
    policy: &SessionPolicy,
    email: &str,
    password: &str,
) -> Result<Session, DomainError> {
    let email = EmailAddress::parse(email).ok();
    let throttle_pk = email.as_ref().map(email_partition);
    // The failure record a success clears, if there is one.
    let to_clear = match &throttle_pk {
        Some(pk) => match attempts(store, pk).await? {
            Attempts::Locked(retry_after_secs) => {
                return Err(DomainError::TooManyAttempts { retry_after_secs });
            }
            Attempts::Recorded => Some(pk),
            Attempts::None => None,
        },
        None => None,
    };
    let account = match &email {
        Some(e) => match accounts::find_by_email(store, e).await? {
            Some(id) => accounts::load_user(store, &id).await?,
            None => None,
        },
        None => None,
    };
    let stored_hash = account.as_ref().map(|(u, _)| u.password_hash.as_str());
    let verified = hasher
        .verify(password, stored_hash)
        .await
        .map_err(|e| StoreError::Internal(e.to_string()))?;
    let Some((mut user, etag)) = account.filter(|_| verified != Verified::No) else {
        if let Some(pk) = &throttle_pk {
            record_failure(store, pk).await?;
        }
        return Err(BAD_LOGIN);
    };
    if let Some(pk) = to_clear {
        match store.delete(IDENTITIES, pk, THROTTLE_ID, None).await {
            Ok(()) | Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    if verified == Verified::YesButRehash {
        // Raise the stored hash to today's cost; the login succeeds anyway.
        if let Ok(hash) = hasher.rehash(password).await {
            user.password_hash = hash;
            let doc =
                NewDocument::from_record(user.user_id.as_string(), accounts::PROFILE_ID, &user)?;
            let _ = store.replace(USERS, doc, Some(&etag)).await;
        }
    }
    let family = RecordId::generate().as_string();
    let (refresh_token, refresh_doc) = new_refresh(&user.user_id, &family, policy)?;
    let pk = user.user_id.as_string();
    store
        .batch(
            USERS,
            &pk,
            vec![
                BatchOp::Create(login_record(&user.user_id, policy)?),
                BatchOp::Create(refresh_doc),
                BatchOp::Create(session_doc(&user.user_id, &family, policy)?),
            ],
        )
        .await?;
    Ok(Session {
        user,
        session_id: family,
        refresh_token,
    })
}

fn split_refresh(token: &str) -> Option<(UserId, &str)> {
    let (user, secret) = token.split_once('.')?;
    let user = UserId::parse(user)?;
    (secret.len() >= 43).then_some((user, secret))
}

const BAD_REFRESH: DomainError =
    DomainError::Unauthorized("the refresh token is invalid or expired");

/// Exchange a refresh token for a new one (rotation). A token used twice
/// revokes its family: whoever holds the other copy is logged out too.
pub async fn refresh(
    store: &dyn DocumentStore,
    policy: &SessionPolicy,
    token: &str,
) -> Result<Session, DomainError> {
    let (user_id, secret) = split_refresh(token).ok_or(BAD_REFRESH)?;
    let id = refresh_doc_id(secret);
    let (mut record, etag) = load_refresh(store, &user_id, &id)
        .await?
        .ok_or(BAD_REFRESH)?;
    if record.used {
        end_sessions(store, &user_id, Ending::One(&record.family_id)).await?;
        return Err(BAD_REFRESH);
    }
    if record.expires_at <= Timestamp::now() {
        return Err(BAD_REFRESH);
    }
    let (user, _) = accounts::require_user(store, &user_id).await?;
    record.used = true;
    let remaining = record.expires_at.duration_since(Timestamp::now());
    let used_doc = record.document(&user_id)?.with_ttl(secs(remaining).max(1));
    let (refresh_token, next) = new_refresh(&user_id, &record.family_id, policy)?;
    let rotated = store
        .batch(
            USERS,
            &user_id.as_string(),
            vec![
                BatchOp::Replace {
                    doc: used_doc,
                    if_match: Some(etag),
                },
                BatchOp::Create(next),
                // Renewed with the family's newest token.
                BatchOp::Upsert(session_doc(&user_id, &record.family_id, policy)?),
            ],
        )
        .await;
    match rotated {
        Ok(_) => Ok(Session {
            user,
            session_id: record.family_id,
            refresh_token,
        }),
        // Someone rotated the same token at the same moment: a reuse.
        Err(StoreError::PreconditionFailed) => {
            end_sessions(store, &user_id, Ending::One(&record.family_id)).await?;
            Err(BAD_REFRESH)
        }
        Err(e) => Err(e.into()),
    }
}

/// Which sessions of a user to end.
#[derive(Debug, Clone, Copy)]
pub enum Ending<'a> {
    /// One session (refresh family).
    One(&'a str),
    /// Every session but this one (after a password change).
    AllBut(&'a str),
    /// Every session.
    All,
}

impl Ending<'_> {
    fn ends(&self, family: &str) -> bool {
        match self {
            Ending::One(f) => *f == family,
            Ending::AllBut(f) => *f != family,
            Ending::All => true,
        }
    }
}

/// End sessions: delete their records (their access tokens then fail at
/// once) and their refresh tokens. Returns the refresh tokens removed.
pub async fn end_sessions(
    store: &dyn DocumentStore,
    user: &UserId,
    ending: Ending<'_>,
) -> Result<u64, DomainError> {
    let pk = user.as_string();
    let sessions = query_all(store, USERS, &pk, SessionRecord::of_kind()).await?;
    for d in sessions {
        let s: SessionRecord = d.parse()?;
        if ending.ends(&s.family_id) {
            delete_if_there(store, &pk, &d.id).await?;
        }
    }
    let mut removed = 0;
    for d in query_all(store, USERS, &pk, RefreshRecord::of_kind()).await? {
        let r: RefreshRecord = d.parse()?;
        if ending.ends(&r.family_id) && delete_if_there(store, &pk, &d.id).await? {
            removed += 1;
        }
    }
    Ok(removed)
}

async fn delete_if_there(
    store: &dyn DocumentStore,
    pk: &str,
    id: &str,
) -> Result<bool, StoreError> {
    match store.delete(USERS, pk, id, None).await {
        Ok(()) => Ok(true),
        Err(StoreError::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Log out: revoke the token's family. Unknown tokens are ignored, so the
/// answer tells nothing.
pub async fn logout(store: &dyn DocumentStore, token: &str) -> Result<(), DomainError> {
    let Some((user_id, secret)) = split_refresh(token) else {
        return Ok(());
    };
    if let Some((record, _)) = load_refresh(store, &user_id, &refresh_doc_id(secret)).await? {
        end_sessions(store, &user_id, Ending::One(&record.family_id)).await?;
    }
    Ok(())
}

/// Change the password (current one required) and end every other session
/// at once (ASVS 3.3.3); `session_id` is the session that asks, which goes
/// on.
pub async fn change_password(
    store: &dyn DocumentStore,
    hasher: &PasswordHasher,
    user_id: &UserId,
    session_id: &str,
    current: &str,
    new: &str,
) -> Result<(), DomainError> {
    let (mut user, etag) = accounts::require_user(store, user_id).await?;
    let new = NewPassword::parse(new, &[&user.email, &user.first_name, &user.last_name])
        .map_err(|e| DomainError::field("newPassword", e.to_string()))?;
    let ok = hasher
        .verify(current, Some(&user.password_hash))
        .await
        .map_err(|e| StoreError::Internal(e.to_string()))?;
    if ok == Verified::No {
        return Err(DomainError::Forbidden("the current password is wrong"));
    }
    user.password_hash = hasher
        .hash(&new)
        .await
        .map_err(|e| StoreError::Internal(e.to_string()))?;
    accounts::save_user(store, &user, &etag, "user.password_changed", &["password"]).await?;
    end_sessions(store, user_id, Ending::AllBut(session_id)).await?;
    Ok(())
}

/// The user's own login history, newest first (P9).
pub async fn login_history(
    store: &dyn DocumentStore,
    user: &UserId,
    limit: u32,
    next: Option<String>,
) -> Result<(Vec<LoginRecord>, Option<String>), DomainError> {
    let Page {
        items,
        continuation,
    } = store
        .query(
            USERS,
            &user.as_string(),
            LoginRecord::of_kind()
                .order_by("at", Order::Desc)
                .limit(limit)
                .continuation(next),
        )
        .await?;
    let records = items
        .iter()
        .map(|d| d.parse::<LoginRecord>())
        .collect::<Result<Vec<_>, _>>()?;
    Ok((records, continuation))
}

/// Every login record of the user, as stored (for the export, P11).
pub async fn login_records_of(
    store: &dyn DocumentStore,
    user: &UserId,
) -> Result<Vec<Document>, StoreError> {
    query_all(store, USERS, &user.as_string(), LoginRecord::of_kind()).await
}

/// Refresh tokens past their expiry, across users (for the purge job).
pub fn expired_refresh_tokens(now: &str, batch: u32) -> (Container, Query) {
    (
        RefreshRecord::CONTAINER,
        RefreshRecord::of_kind().lt("expiresAt", now).limit(batch),
    )
}

/// Login records older than `before`, across users (for the purge job).
pub fn old_login_records(before: &str, batch: u32) -> (Container, Query) {
    (
        LoginRecord::CONTAINER,
        LoginRecord::of_kind().lt("at", before).limit(batch),
    )
}
