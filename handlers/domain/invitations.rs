//! Invitations (P5): a manager invites a person by email into one project
//! with a role, and must confirm that the person consented; who confirmed,
//! when, and which wording they saw are stored. The token is 256 random
//! bits, stored only as a hash, single-use, and expires.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
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
use super::roles::Role;
use super::text::{COMPANY_NAME_MAX, Name};
use crate::store::containers::{IDENTITIES, PROJECTS};
use crate::store::{BatchOp, DocumentStore, NewDocument, StoreError};

/// The wording the inviter confirms; its version is stored with the consent.
pub const CONSENT_WORDING_VERSION: &str = "2026-11-01";
pub const CONSENT_WORDING: &str = "I confirm that the person I invite has agreed to be invited to this \
     project and to the processing of their data as described in the Insite LMS privacy policy.";

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
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub kind: String,
    pub invitation_id: String,
    pub project_id: ProjectId,
    /// The invitee's address while pending; cleared on acceptance, when the
    /// invitee is known by `accepted_by`.
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
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenLookup {
    kind: String,
    project_id: ProjectId,
    invitation_id: String,
}

const TOKEN_DOC_ID: &str = "invitation";

fn token_key(token: &str) -> String {
    format!("invite-{}", hex::encode(Sha256::digest(token.as_bytes())))
}

fn secs(d: SignedDuration) -> u64 {
    u64::try_from(d.as_secs()).unwrap_or(1).max(1)
}

pub struct Created {
    pub invitation: Invitation,
    /// Goes into the invitation mail only; never returned or logged.
    pub token: String,
}

/// Invite `email` into the project with `role`; needs the consent
/// confirmation. Queues the invitation mail.
pub async fn create(
    store: &dyn DocumentStore,
    project: &ProjectId,
    inviter: &UserId,
    email: &str,
    role: &str,
    consent_confirmed: Option<bool>,
    ttl: SignedDuration,
) -> Result<Created, DomainError> {
    let mut v = Validator::default();
    let email = v.check("email", EmailAddress::parse(email));
    let role = match Role::parse(role) {
        Ok(Role::Owner) => {
            v.fail(
                "role",
                "owners are the organization's admins; invite as manager, member or viewer",
            );
            None
        }
        r => v.check("role", r),
    };
    if consent_confirmed != Some(true) {
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

    let token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let key = token_key(&token);
    let now = Timestamp::now();
    let invitation = Invitation {
        kind: "invitation".into(),
        invitation_id: format!("invitation-{}", RecordId::generate()),
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
    let recipient = accounts::find_by_email(store, &email).await?;
    outbox::enqueue(
        store,
        &email,
        recipient.as_ref(),
        Some(project),
        "invitation",
        serde_json::json!({
            "projectId": project,
            "invitationId": invitation.invitation_id,
            "inviterId": inviter,
            "role": role,
            "token": token,
        }),
    )
    .await?;
    Ok(Created { invitation, token })
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
    if invitation.status != InvitationStatus::Pending {
        return Err(DomainError::Gone("this invitation was already used"));
    }
    if invitation.expires_at <= Timestamp::now() {
        return Err(DomainError::Gone("this invitation has expired"));
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
                DomainError::Store(StoreError::PreconditionFailed) => {
                    DomainError::Gone("this invitation was already used")
                }
                other => other,
            });
        }
    }
    let _ = store
        .delete(IDENTITIES, &invitation.token_key, TOKEN_DOC_ID, None)
        .await;
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
