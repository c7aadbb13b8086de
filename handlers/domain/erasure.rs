//! Consent withdrawal (P11): erase a person's personal data. The account's
//! email key, profile, login records, refresh tokens, settings, queued
//! mails, support requests and project memberships are deleted; audit
//! entries, bookings and files keep only the user id, which no longer leads
//! to a person and so is a stable pseudonym. Whatever must be found across
//! partitions (pending invitations to the address) is finished by the purge
//! job from an erasure marker that holds only the address's hash.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::accounts::{self, Organization, User, email_partition};
use super::audit;
use super::email::EmailAddress;
use super::error::DomainError;
use super::ids::{OrganizationId, UserId};
use super::invitations;
use super::members;
use super::outbox;
use super::password::{PasswordHasher, Verified};
use super::roles::Role;
use super::support;
use crate::mail::Mailer;
use crate::store::containers::{IDENTITIES, ORGANIZATIONS, OUTBOX, PROJECTS, SYSTEM, USERS};
use crate::store::{BatchOp, DocumentStore, NewDocument, Query, StoreError, query_all};

pub const MARKER_PARTITION: &str = "erasures";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErasureMarker {
    pub kind: String,
    pub user_id: UserId,
    pub email_key: String,
    #[serde(with = "crate::domain::time::fixed")]
    pub at: Timestamp,
}

/// Why a user cannot withdraw yet, or `Ok` when nothing blocks it.
pub async fn check_can_withdraw(store: &dyn DocumentStore, user: &User) -> Result<(), DomainError> {
    if let Some(org_id) = &user.organization_id
        && let Some(doc) = store
            .read(ORGANIZATIONS, &org_id.as_string(), &org_id.as_string())
            .await?
    {
        let org: Organization = doc.parse()?;
        if org.admin_ids.iter().all(|a| a == &user.user_id) {
            return Err(DomainError::Conflict(format!(
                "you are the only admin of your organization; delete it first with DELETE /api/organizations/{org_id}"
            )));
        }
    }
    for copy in members::copies_of(store, &user.user_id).await? {
        if copy.role == Role::Owner && members::owner_count(store, &copy.project_id).await? <= 1 {
            return Err(DomainError::Conflict(format!(
                "you are the last owner of project {}; make someone else owner or delete the project first",
                copy.project_id
            )));
        }
    }
    Ok(())
}

fn ignore_missing(r: Result<(), StoreError>) -> Result<(), StoreError> {
    match r {
        Err(StoreError::NotFound) => Ok(()),
        other => other,
    }
}

/// Delete every document of a partition for which `keep` is false.
pub async fn clear_partition(
    store: &dyn DocumentStore,
    c: crate::store::Container,
    pk: &str,
    keep: impl Fn(&serde_json::Value) -> bool,
) -> Result<u64, StoreError> {
    let mut removed = 0;
    for d in query_all(store, c, pk, Query::new()).await? {
        if !keep(&d.body) {
            ignore_missing(store.delete(c, pk, &d.id, None).await)?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Withdraw consent (P11): the user confirms with their password; unless
/// something blocks it, their personal data is erased and the mailer
/// forgets every copy it keeps of mail to or about them.
pub async fn withdraw(
    store: &dyn DocumentStore,
    passwords: &PasswordHasher,
    mailer: &dyn Mailer,
    user_id: &UserId,
    password: &str,
) -> Result<(), DomainError> {
    let (user, _) = accounts::require_user(store, user_id).await?;
    let verified = passwords
        .verify(password, Some(&user.password_hash))
        .await
        .map_err(|e| StoreError::Internal(e.to_string()))?;
    if verified == Verified::No {
        return Err(DomainError::Forbidden("the password is wrong"));
    }
    check_can_withdraw(store, &user).await?;
    erase_user(store, &user).await?;
    forget_mail(mailer, &user).await
}

async fn forget_mail(mailer: &dyn Mailer, user: &User) -> Result<(), DomainError> {
    mailer
        .forget(&user.email, &user.user_id.as_string())
        .await
        .map_err(|e| StoreError::Internal(e.to_string()).into())
}

/// Erase the user's personal data now. Callers check `check_can_withdraw`
/// first unless the whole organization goes.
pub async fn erase_user(store: &dyn DocumentStore, user: &User) -> Result<(), DomainError> {
    let user_id = &user.user_id;
    let email = EmailAddress::parse(&user.email)
        .map_err(|_| StoreError::Internal("stored email invalid".into()))?;

    // Leave every project; each removal is audited under the pseudonym.
    for copy in members::copies_of(store, user_id).await? {
        let pk = copy.project_id.as_string();
        let removal = store
            .batch(
                PROJECTS,
                &pk,
                vec![
                    BatchOp::Delete {
                        id: members::member_id(user_id),
                        if_match: None,
                    },
                    BatchOp::Create(audit::entry(
                        &pk,
                        Some(user_id),
                        "member.consent_withdrawn",
                        "member",
                        &user_id.as_string(),
                        &[],
                    )?),
                ],
            )
            .await;
        match removal {
            Ok(_) | Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    // The marker first: if anything below fails, the purge job finishes.
    let marker = ErasureMarker {
        kind: "erasure".into(),
        user_id: user_id.clone(),
        email_key: email.key(),
        at: Timestamp::now(),
    };
    store
        .upsert(
            SYSTEM,
            NewDocument::from_record(MARKER_PARTITION, format!("erasure-{user_id}"), &marker)?,
        )
        .await?;
    // The user's partition: everything but the audit entries, which hold
    // only ids.
    clear_partition(store, USERS, &user_id.as_string(), |b| {
        b["kind"] == audit::KIND
    })
    .await?;
    clear_partition(store, IDENTITIES, &email_partition(&email), |_| false).await?;
    clear_partition(store, OUTBOX, &outbox::partition(&email), |_| false).await?;
    support::erase_requests_of(store, &email.key()).await?;
    Ok(())
}

/// Finish erasures across partitions (run by the purge job): pending
/// invitations to the address anywhere, then forget the marker. Returns how
/// many markers were completed.
pub async fn finish_pending(store: &dyn DocumentStore, batch: u32) -> Result<u64, StoreError> {
    let page = store
        .query(
            SYSTEM,
            MARKER_PARTITION,
            Query::new().eq("kind", "erasure").limit(batch),
        )
        .await?;
    let mut done = 0;
    for d in page.items {
        let marker: ErasureMarker = d.parse()?;
        invitations::erase_to_address(store, &marker.email_key).await?;
        support::erase_requests_of(store, &marker.email_key).await?;
        ignore_missing(store.delete(SYSTEM, MARKER_PARTITION, &d.id, None).await)?;
        done += 1;
    }
    Ok(done)
}

/// The customer deletes everything it has (P8, P11): every project with all
/// its data, then its users' personal data, then the organization itself.
/// Only an admin of the organization may; anyone else learns nothing.
pub async fn delete_organization(
    store: &dyn DocumentStore,
    blobs: &dyn crate::store::BlobStore,
    mailer: &dyn Mailer,
    actor: &UserId,
    org_id: &OrganizationId,
) -> Result<(), DomainError> {
    let org_pk = org_id.as_string();
    let org: Organization = store
        .read(ORGANIZATIONS, &org_pk, &org_pk)
        .await?
        .ok_or(DomainError::NotFound)?
        .parse()?;
    if !org.admin_ids.contains(actor) {
        return Err(DomainError::NotFound);
    }
    for project in super::projects::of_organization(store, org_id).await? {
        match super::project_removal::delete_project(store, blobs, actor, &project).await {
            Ok(()) | Err(DomainError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    let mut erased = Vec::new();
    for admin in &org.admin_ids {
        if let Some((user, _)) = accounts::load_user(store, admin).await? {
            erase_user(store, &user).await?;
            erased.push(user);
        }
    }
    clear_partition(store, ORGANIZATIONS, &org_pk, |_| false).await?;
    // What remains is who deleted an organization when, under a hash.
    let reference = format!(
        "sha256:{}",
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(org_pk.as_bytes()))
    );
    store
        .create(
            SYSTEM,
            audit::entry(
                "organizations",
                Some(actor),
                "organization.deleted",
                "organization",
                &reference,
                &[],
            )?,
        )
        .await?;
    // Kept mail goes last, once the store holds nothing of them: a failure
    // above leaves it for the repeated deletion.
    for user in &erased {
        forget_mail(mailer, user).await?;
    }
    Ok(())
}
