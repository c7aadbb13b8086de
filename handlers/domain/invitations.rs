//! Invitations (P5): a manager invites a person by email into one project
//! with a role, and must confirm that the person consented; who confirmed,
//! when, and which wording they saw are stored. The token is single-use,
//! expires, and is stored only as a hash; the queued mail holds no token
//! either (L6): `InvitationLinks` derives it again at send time from the
//! invitation's id and a key that lives outside the store.
//!
//! Owners and managers list and withdraw pending invitations (M1). An
//! inviter who leaves the project or loses the right to invite takes their
//! pending invitations along; a withdrawn or used link answers 410.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::accounts::{self, Affiliation, NewPerson, PersonInput, User};
use super::audit;
use super::email::EmailAddress;
use super::error::{DomainError, Validator};
use super::ids::{ProjectId, RecordId, UserId};
use super::members;
use super::outbox;
use super::password::PasswordHasher;
use super::projects;
use super::roles::{Action, Role, allows};
use super::text::{COMPANY_NAME_MAX, Name};
use crate::store::containers::{IDENTITIES, PROJECTS};
use crate::store::{BatchOp, DocumentStore, ETag, NewDocument, Query, StoreError, query_all};

/// The wording the inviter confirms; its version is stored with the consent.
pub const CONSENT_WORDING_VERSION: &str = "2026-11-01";
pub const CONSENT_WORDING: &str = "I confirm that the person I invite has agreed to be invited to this \
     project and to the processing of their data as described in the Insite LMS privacy policy.";
/// The same wording in German, the product's first language; the inviter
/// sees it in their language, and either is this version.
pub const CONSENT_WORDING_DE: &str = "Ich bestätige, dass die eingeladene Person damit einverstanden ist, \
     zu diesem Projekt eingeladen zu werden, und mit der Verarbeitung ihrer Daten wie in der \
     Datenschutzerklärung von Insite LMS beschrieben.";

/// The consent wording an inviter confirms, as stored with each invitation
/// by its version (P5).
pub struct ConsentWording {
    pub version: &'static str,
    pub de: &'static str,
    pub en: &'static str,
}

pub fn consent_wording() -> ConsentWording {
    ConsentWording {
        version: CONSENT_WORDING_VERSION,
        de: CONSENT_WORDING_DE,
        en: CONSENT_WORDING,
    }
}

/// How soon a pending invitation's mail may be sent again.
pub const RESEND_INTERVAL: SignedDuration = SignedDuration::from_mins(5);

/// How long an expired invitation still answers 410 before it is purged.
const EXPIRED_GRACE: SignedDuration = SignedDuration::from_hours(24 * 7);

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    pub confirmed_by: UserId,
    #[serde(with = "crate::domain::time::fixed")]
    pub confirmed_at: Timestamp,
    pub wording_version: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    /// Withdrawn by an owner or manager, or with its inviter's right to
    /// invite.
    Withdrawn,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub kind: String,
    pub invitation_id: String,
    pub project_id: ProjectId,
    /// The invitee's address while pending; cleared on acceptance (the
    /// invitee is then known by `accepted_by`) and on withdrawal.
    pub email: Option<String>,
    /// Hash of the address while pending, so erasure (P11) finds it.
    pub email_key: Option<String>,
    pub role: Role,
    pub invited_by: UserId,
    pub consent: Consent,
    #[serde(with = "crate::domain::time::fixed")]
    pub expires_at: Timestamp,
    pub status: InvitationStatus,
    pub accepted_by: Option<UserId>,
    /// Partition of the token lookup document, for cleanup.
    pub token_key: String,
    #[serde(with = "crate::domain::time::fixed")]
    pub at: Timestamp,
    /// When its mail was last sent again, if ever.
    #[serde(default, with = "crate::domain::time::fixed_option")]
    pub resent_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenLookup {
    kind: String,
    project_id: ProjectId,
    invitation_id: String,
}

const TOKEN_DOC_ID: &str = "invitation";
pub const KIND: &str = "invitation";

const USED: DomainError = DomainError::Gone("this invitation was already used");
const WITHDRAWN: DomainError = DomainError::Gone(
    "this invitation was withdrawn; ask the project's owners or managers for a new one",
);

fn token_key(token: &str) -> String {
    format!("invite-{}", hex::encode(Sha256::digest(token.as_bytes())))
}

fn secs(d: SignedDuration) -> u64 {
    u64::try_from(d.as_secs()).unwrap_or(1).max(1)
}

/// Derives an invitation's token from its id with a key kept outside the
/// store (the token signing key: Key Vault in Azure, a key file locally),
/// so neither the invitation nor its queued mail holds the token (L6): the
/// mail job rebuilds the link when it sends. The token is an HMAC, not a
/// random value; it is as unguessable as the key is secret. Retired keys
/// still rebuild the links of mails queued before a rotation.
pub struct InvitationLinks {
    current: String,
    keys: HashMap<String, Vec<u8>>,
}

/// Keeps the invitation tokens apart from anything else the key signs.
const LINK_LABEL: &[u8] = b"insite-lms invitation link v1\0";

impl InvitationLinks {
    /// `current`: (key id, secret) that new invitations use; `retired`:
    /// keys that still rebuild links of queued mails.
    pub fn new(
        current: (String, Vec<u8>),
        retired: impl IntoIterator<Item = (String, Vec<u8>)>,
    ) -> Self {
        let mut keys: HashMap<String, Vec<u8>> = retired.into_iter().collect();
        let kid = current.0.clone();
        keys.insert(current.0, current.1);
        InvitationLinks { current: kid, keys }
    }

    /// The token of an invitation under key `kid`, if that key is known.
    pub fn token(&self, kid: &str, invitation_id: &str) -> Option<String> {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.keys.get(kid)?).ok()?;
        mac.update(LINK_LABEL);
        mac.update(invitation_id.as_bytes());
        Some(URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
    }

    /// The current key's id and the invitation's token under it.
    fn issue(&self, invitation_id: &str) -> Result<(String, String), StoreError> {
        let token = self
            .token(&self.current, invitation_id)
            .ok_or_else(|| StoreError::Internal("the invitation key is unusable".into()))?;
        Ok((self.current.clone(), token))
    }
}

/// What the inviter asks for, as sent.
pub struct InviteRequest<'a> {
    pub email: &'a str,
    pub role: &'a str,
    pub consent_confirmed: Option<bool>,
}

/// Invite a person into the project; needs the consent confirmation.
/// Queues the invitation mail.
pub async fn create(
    store: &dyn DocumentStore,
    links: &InvitationLinks,
    project: &ProjectId,
    inviter: &UserId,
    req: InviteRequest<'_>,
    ttl: SignedDuration,
) -> Result<Invitation, DomainError> {
    let mut v = Validator::default();
    let email = v.check("email", EmailAddress::parse(req.email));
    let role = match Role::parse(req.role) {
        Ok(Role::Owner) => {
            v.fail(
                "role",
                "owners are the organization's admins; invite as manager, member or viewer",
            );
            None
        }
        r => v.check("role", r),
    };
    if req.consent_confirmed != Some(true) {
        v.fail(
            "consentConfirmed",
            format!("must be true: confirm that the invitee consented ({CONSENT_WORDING})"),
        );
    }
    v.finish()?;
    let (Some(email), Some(role)) = (email, role) else {
        return Err(DomainError::Validation(Vec::new()));
    };
    projects::require(store, project).await?;

    let invitation_id = format!("invitation-{}", RecordId::generate());
    let (key_id, token) = links.issue(&invitation_id)?;
    let key = token_key(&token);
    let now = Timestamp::now();
    let invitation = Invitation {
        kind: KIND.into(),
        invitation_id,
        project_id: project.clone(),
        email: Some(email.as_str().to_owned()),
        email_key: Some(email.key()),
        role,
        invited_by: inviter.clone(),
        consent: Consent {
            confirmed_by: inviter.clone(),
            confirmed_at: now,
            wording_version: CONSENT_WORDING_VERSION.into(),
        },
        expires_at: now + ttl,
        status: InvitationStatus::Pending,
        accepted_by: None,
        token_key: key.clone(),
        at: now,
        resent_at: None,
    };
    let keep = secs(ttl + EXPIRED_GRACE);
    let pk = project.as_string();
    store
        .create(
            IDENTITIES,
            NewDocument::from_record(
                &key,
                TOKEN_DOC_ID,
                &TokenLookup {
                    kind: "invitationToken".into(),
                    project_id: project.clone(),
                    invitation_id: invitation.invitation_id.clone(),
                },
            )?
            .with_ttl(keep),
        )
        .await?;
    let batch = vec![
        BatchOp::Create(
            NewDocument::from_record(&pk, &invitation.invitation_id, &invitation)?.with_ttl(keep),
        ),
        BatchOp::Create(audit::entry(
            &pk,
            Some(inviter),
            "invitation.created",
            "invitation",
            &invitation.invitation_id,
            &["email", "role", "consent"],
        )?),
    ];
    if let Err(e) = store.batch(PROJECTS, &pk, batch).await {
        let _ = store.delete(IDENTITIES, &key, TOKEN_DOC_ID, None).await;
        return Err(e.into());
    }
    queue_mail(store, &email, &invitation, &key_id).await?;
    Ok(invitation)
}

/// Queue the invitation's mail; it names ids only, the link is rebuilt at
/// send time (L6).
async fn queue_mail(
    store: &dyn DocumentStore,
    email: &EmailAddress,
    invitation: &Invitation,
    key_id: &str,
) -> Result<(), DomainError> {
    let recipient = accounts::find_by_email(store, email).await?;
    outbox::enqueue(
        store,
        email,
        recipient.as_ref(),
        Some(&invitation.project_id),
        "invitation",
        serde_json::json!({
            "projectId": invitation.project_id,
            "invitationId": invitation.invitation_id,
            "inviterId": invitation.invited_by,
            "role": invitation.role,
            "keyId": key_id,
        }),
    )
    .await?;
    Ok(())
}

/// Send a pending invitation's mail again (owners and managers): the same
/// link and expiry, one audit entry; a resend waits `RESEND_INTERVAL`
/// after the previous one.
pub async fn resend(
    store: &dyn DocumentStore,
    links: &InvitationLinks,
    project: &ProjectId,
    actor: &UserId,
    invitation_id: &str,
) -> Result<Invitation, DomainError> {
    let now = Timestamp::now();
    let (mut inv, etag) = load(store, project, invitation_id)
        .await?
        .filter(|(inv, _)| inv.status == InvitationStatus::Pending && inv.expires_at > now)
        .ok_or(DomainError::NotFound)?;
    // The first resend may follow at once (a typo fixed in the mailbox,
    // a mail in spam); later ones wait, so nobody floods an inbox.
    if let Some(last) = inv.resent_at {
        let wait = (last + RESEND_INTERVAL).duration_since(now).as_secs();
        if wait > 0 {
            return Err(DomainError::TooManyAttempts {
                retry_after_secs: u64::try_from(wait).unwrap_or(1),
            });
        }
    }
    let email = EmailAddress::parse(inv.email.as_deref().unwrap_or_default())
        .map_err(|_| StoreError::Internal("invitation without address".into()))?;
    inv.resent_at = Some(now);
    let pk = project.as_string();
    let keep = secs(inv.expires_at.duration_since(now) + EXPIRED_GRACE);
    let batch = vec![
        BatchOp::Replace {
            doc: NewDocument::from_record(&pk, &inv.invitation_id, &inv)?.with_ttl(keep),
            if_match: Some(etag),
        },
        BatchOp::Create(audit::entry(
            &pk,
            Some(actor),
            "invitation.resent",
            "invitation",
            invitation_id,
            &["resentAt"],
        )?),
    ];
    match store.batch(PROJECTS, &pk, batch).await {
        Ok(_) => {}
        Err(StoreError::PreconditionFailed) => {
            return Err(DomainError::Conflict(
                "the invitation changed at the same time; reload and try again".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    // One mail in the queue per invitation: a still-queued one is replaced.
    drop_queued_mail(store, &inv).await?;
    let (key_id, _) = links.issue(&inv.invitation_id)?;
    queue_mail(store, &email, &inv, &key_id).await?;
    Ok(inv)
}

/// Read an invitation of the project; `None` for any other id.
async fn load(
    store: &dyn DocumentStore,
    project: &ProjectId,
    invitation_id: &str,
) -> Result<Option<(Invitation, ETag)>, DomainError> {
    let Some(doc) = store
        .read(PROJECTS, &project.as_string(), invitation_id)
        .await?
    else {
        return Ok(None);
    };
    if doc.body.get("kind").and_then(serde_json::Value::as_str) != Some(KIND) {
        return Ok(None);
    }
    Ok(Some((doc.parse()?, doc.etag)))
}

/// The project's pending, unexpired invitations, a page at a time.
pub async fn pending(
    store: &dyn DocumentStore,
    project: &ProjectId,
    limit: u32,
    next: Option<String>,
) -> Result<(Vec<Invitation>, Option<String>), DomainError> {
    let page = store
        .query(
            PROJECTS,
            &project.as_string(),
            Query::new()
                .eq("kind", KIND)
                .eq("status", "pending")
                .limit(limit)
                .continuation(next),
        )
        .await?;
    let now = Timestamp::now();
    let mut items = Vec::with_capacity(page.items.len());
    for d in &page.items {
        let inv: Invitation = d.parse()?;
        if inv.expires_at > now {
            items.push(inv);
        }
    }
    Ok((items, page.continuation))
}

/// Drop the invitation's mail if it is still queued.
async fn drop_queued_mail(store: &dyn DocumentStore, inv: &Invitation) -> Result<(), StoreError> {
    match inv.email.as_deref().map(EmailAddress::parse) {
        Some(Ok(to)) => outbox::drop_invitation_mail(store, &to, &inv.invitation_id).await,
        _ => Ok(()),
    }
}

/// The withdrawn form of a pending invitation: the address goes (it is no
/// longer needed), the record stays until the link would have lapsed, so
/// the link answers 410.
fn withdrawn(mut inv: Invitation) -> Result<NewDocument, StoreError> {
    inv.status = InvitationStatus::Withdrawn;
    inv.email = None;
    inv.email_key = None;
    let keep = secs(inv.expires_at.duration_since(Timestamp::now()) + EXPIRED_GRACE);
    Ok(
        NewDocument::from_record(inv.project_id.as_string(), &inv.invitation_id, &inv)?
            .with_ttl(keep),
    )
}

/// Withdraw a pending invitation (owners and managers); one audit entry.
pub async fn withdraw(
    store: &dyn DocumentStore,
    project: &ProjectId,
    actor: &UserId,
    invitation_id: &str,
) -> Result<(), DomainError> {
    let (inv, etag) = load(store, project, invitation_id)
        .await?
        .filter(|(inv, _)| inv.status == InvitationStatus::Pending)
        .ok_or(DomainError::NotFound)?;
    let pk = project.as_string();
    let batch = vec![
        BatchOp::Replace {
            doc: withdrawn(inv.clone())?,
            if_match: Some(etag),
        },
        BatchOp::Create(audit::entry(
            &pk,
            Some(actor),
            "invitation.withdrawn",
            "invitation",
            invitation_id,
            &["status"],
        )?),
    ];
    match store.batch(PROJECTS, &pk, batch).await {
        Ok(_) => Ok(drop_queued_mail(store, &inv).await?),
        Err(StoreError::PreconditionFailed) => Err(DomainError::Conflict(
            "the invitation was accepted or withdrawn at the same time".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Withdraw every pending invitation that `inviter` sent in the project,
/// once they have left it or lost the right to invite. Part of that
/// membership change, so it writes no audit entry of its own (P10: one per
/// change). One that was accepted meanwhile is left alone.
pub async fn withdraw_sent_by(
    store: &dyn DocumentStore,
    project: &ProjectId,
    inviter: &UserId,
) -> Result<(), DomainError> {
    let pk = project.as_string();
    let sent = query_all(
        store,
        PROJECTS,
        &pk,
        Query::new().eq("kind", KIND).eq("status", "pending"),
    )
    .await?;
    for doc in sent {
        let inv: Invitation = doc.parse()?;
        if inv.invited_by != *inviter {
            continue;
        }
        match store
            .replace(PROJECTS, withdrawn(inv.clone())?, Some(&doc.etag))
            .await
        {
            Ok(_) => drop_queued_mail(store, &inv).await?,
            Err(StoreError::PreconditionFailed | StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Whether the inviter may still invite into the project. Checked again on
/// acceptance: an invitation created while its inviter was being removed
/// escapes `withdraw_sent_by`.
async fn inviter_may_invite(
    store: &dyn DocumentStore,
    project: &ProjectId,
    inviter: &UserId,
) -> Result<bool, DomainError> {
    Ok(members::load(store, project, inviter)
        .await?
        .is_some_and(|(m, _)| allows(m.role, Action::Invite)))
}

/// A new person's details when accepting without an account.
pub struct NewInvitee<'a> {
    pub person: PersonInput<'a>,
    pub company_name: &'a str,
}

/// Who accepts: a signed-in user, or a new person creating an account.
pub enum Acceptor<'a> {
    Existing(UserId),
    New(NewInvitee<'a>),
}

/// Accept an invitation: the signed-in user (whose address must match) or a
/// new person joins the project with the invited role.
pub async fn accept(
    store: &dyn DocumentStore,
    hasher: &PasswordHasher,
    token: &str,
    who: Acceptor<'_>,
) -> Result<(ProjectId, UserId), DomainError> {
    let lookup: TokenLookup = store
        .read(IDENTITIES, &token_key(token), TOKEN_DOC_ID)
        .await?
        .ok_or(DomainError::NotFound)?
        .parse()?;
    let pk = lookup.project_id.as_string();
    let doc = store
        .read(PROJECTS, &pk, &lookup.invitation_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let mut invitation: Invitation = doc.parse()?;
    match invitation.status {
        InvitationStatus::Pending => {}
        InvitationStatus::Accepted => return Err(USED),
        InvitationStatus::Withdrawn => return Err(WITHDRAWN),
    }
    if invitation.expires_at <= Timestamp::now() {
        return Err(DomainError::Gone("this invitation has expired"));
    }
    if !inviter_may_invite(store, &lookup.project_id, &invitation.invited_by).await? {
        return Err(WITHDRAWN);
    }
    let invited = EmailAddress::parse(invitation.email.as_deref().unwrap_or_default())
        .map_err(|_| StoreError::Internal("invitation without address".into()))?;

    let (user_id, created) = match who {
        Acceptor::Existing(user_id) => {
            let (user, _) = accounts::require_user(store, &user_id).await?;
            if user.email != invited.as_str() {
                return Err(DomainError::Forbidden(
                    "this invitation was sent to another email address",
                ));
            }
            (user_id, None)
        }
        Acceptor::New(invitee) => {
            let user = new_account(store, hasher, &invited, invitee).await?;
            (user.user_id.clone(), Some(user))
        }
    };

    invitation.status = InvitationStatus::Accepted;
    invitation.accepted_by = Some(user_id.clone());
    invitation.email = None;
    invitation.email_key = None;
    let accepted = BatchOp::Replace {
        doc: NewDocument::from_record(&pk, &invitation.invitation_id, &invitation)?,
        if_match: Some(doc.etag),
    };
    let joined = members::add(
        store,
        &lookup.project_id,
        &user_id,
        &user_id,
        invitation.role,
        vec![accepted],
    )
    .await;
    match joined {
        Ok(()) => {}
        Err(e) => {
            if let Some(user) = created {
                accounts::delete_account(store, &invited, &user.user_id).await;
            }
            return Err(match e {
                DomainError::Store(StoreError::PreconditionFailed) => USED,
                other => other,
            });
        }
    }
    // The token's lookup stays until it lapses, so a used link answers 410
    // (not 404, which means "no such link").
    Ok((lookup.project_id, user_id))
}

async fn new_account(
    store: &dyn DocumentStore,
    hasher: &PasswordHasher,
    invited: &EmailAddress,
    invitee: NewInvitee<'_>,
) -> Result<User, DomainError> {
    let mut v = Validator::default();
    let input = PersonInput {
        email: invited.as_str(),
        ..invitee.person
    };
    let person: Option<NewPerson> = accounts::check_new_person(store, &mut v, "", &input).await?;
    let company = v.check(
        "companyName",
        Name::parse(invitee.company_name, COMPANY_NAME_MAX),
    );
    v.finish()?;
    let (Some(person), Some(company)) = (person, company) else {
        return Err(DomainError::Validation(Vec::new()));
    };
    if accounts::find_by_email(store, invited).await?.is_some() {
        return Err(DomainError::Conflict(
            "an account with this email address exists: sign in and accept again".into(),
        ));
    }
    let user = person
        .into_user(
            hasher,
            UserId::generate(),
            Affiliation::Company(company.as_str().to_owned()),
        )
        .await?;
    accounts::create_account(store, invited, &user).await?;
    Ok(user)
}
