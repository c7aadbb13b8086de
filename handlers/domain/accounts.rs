//! Organizations and user accounts (P1, P3, P6): registration of a company
//! with its first admin, the account record, profile changes, password
//! changes and policy acceptance. Every change writes its audit entry in
//! the same batch.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::audit;
use super::email::EmailAddress;
use super::error::{DomainError, Validator};
use super::ids::{OrganizationId, UserId};
use super::password::{NewPassword, PasswordHasher};
use super::policy::{self, PolicyVersion};
use super::text::{COMPANY_NAME_MAX, Name, PERSON_NAME_MAX};
use crate::store::containers::{IDENTITIES, ORGANIZATIONS, USERS};
use crate::store::{BatchOp, DocumentStore, ETag, NewDocument, StoreError, read_record};

/// The id of the profile document in a user's partition.
pub const PROFILE_ID: &str = "profile";

/// The account of one person.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub kind: String,
    pub user_id: UserId,
    /// The customer organization; `None` for a person invited into a
    /// project, who acts on behalf of `company_name`.
    pub organization_id: Option<OrganizationId>,
    pub company_name: Option<String>,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub password_hash: String,
    /// Whether any notification mail is wanted; kept in step with
    /// `notification_kinds` (the one flag of older accounts).
    pub email_notifications: bool,
    /// The kinds of notification mail opted into (P6); `None` on accounts
    /// from before per-kind opt-in, where the one flag means all or none.
    #[serde(default)]
    pub notification_kinds: Option<Vec<NotificationKind>>,
    pub language: Language,
    pub accepted_policy_version: PolicyVersion,
    #[serde(with = "crate::domain::time::fixed")]
    pub accepted_policy_at: Timestamp,
    #[serde(with = "crate::domain::time::fixed")]
    pub created_at: Timestamp,
    /// Platform-wide roles, e.g. `support` (granted by an operator command).
    #[serde(default)]
    pub platform_roles: Vec<String>,
}

/// The platform role of the people who answer support requests.
pub const SUPPORT_ROLE: &str = "support";

/// A kind of notification mail a user can opt into (P6), each off by
/// default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NotificationKind {
    /// A requested booking was approved or declined.
    BookingDecided,
    /// A booking was cancelled by someone else.
    BookingCancelled,
    /// The gate checked a delivery in or out, or turned it away.
    DeliveryAtGate,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 3] = [
        NotificationKind::BookingDecided,
        NotificationKind::BookingCancelled,
        NotificationKind::DeliveryAtGate,
    ];

    /// The kind of mail that announces a booking's new status; `None` for a
    /// status nobody is told about.
    pub fn of_booking_status(status: &str) -> Option<NotificationKind> {
        match status {
            "approved" | "declined" => Some(NotificationKind::BookingDecided),
            "cancelled" => Some(NotificationKind::BookingCancelled),
            "checkedIn" | "checkedOut" | "turnedAway" => Some(NotificationKind::DeliveryAtGate),
            _ => None,
        }
    }
}

impl User {
    /// The kinds of notification mail this user opted into (P6).
    pub fn notification_kinds(&self) -> Vec<NotificationKind> {
        match &self.notification_kinds {
            Some(kinds) => kinds.clone(),
            None if self.email_notifications => NotificationKind::ALL.to_vec(),
            None => Vec::new(),
        }
    }

    pub fn wants(&self, kind: NotificationKind) -> bool {
        self.notification_kinds().contains(&kind)
    }

    fn set_notification_kinds(&mut self, mut kinds: Vec<NotificationKind>) {
        kinds.sort();
        kinds.dedup();
        self.email_notifications = !kinds.is_empty();
        self.notification_kinds = Some(kinds);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    De,
    En,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub kind: String,
    pub organization_id: OrganizationId,
    pub name: String,
    pub vat_id: Option<String>,
    pub country: Option<String>,
    pub admin_ids: Vec<UserId>,
    #[serde(with = "crate::domain::time::fixed")]
    pub created_at: Timestamp,
}

/// The lookup document that makes an email address unique.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailKey {
    pub kind: String,
    pub user_id: UserId,
}

pub fn email_partition(email: &EmailAddress) -> String {
    format!("email-{}", email.key())
}
pub const EMAIL_KEY_ID: &str = "email";

/// A person's account fields, as received.
pub struct PersonInput<'a> {
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub password: &'a str,
    pub accepted_policy_version: Option<&'a str>,
}

/// A registration request, as received.
pub struct Registration<'a> {
    pub organization_name: &'a str,
    pub vat_id: Option<&'a str>,
    pub country: Option<&'a str>,
    pub admin: PersonInput<'a>,
}

/// A person's account fields, checked. Shared by registration and by
/// accepting an invitation as a new person.
pub struct NewPerson {
    pub email: EmailAddress,
    pub first_name: Name,
    pub last_name: Name,
    pub password: NewPassword,
    pub accepted: PolicyVersion,
}

/// Check a person's fields, collecting every error under `prefix`.
pub async fn check_new_person(
    store: &dyn DocumentStore,
    v: &mut Validator,
    prefix: &str,
    input: &PersonInput<'_>,
) -> Result<Option<NewPerson>, DomainError> {
    let email = v.check(&format!("{prefix}email"), EmailAddress::parse(input.email));
    let first = v.check(
        &format!("{prefix}firstName"),
        Name::parse(input.first_name, PERSON_NAME_MAX),
    );
    let last = v.check(
        &format!("{prefix}lastName"),
        Name::parse(input.last_name, PERSON_NAME_MAX),
    );
    let password = v.check(
        &format!("{prefix}password"),
        NewPassword::parse(
            input.password,
            &[input.email, input.first_name, input.last_name],
        ),
    );
    let current = policy::current_version(store).await?;
    let accepted = match input.accepted_policy_version {
        None => {
            v.fail(
                "acceptedPolicyVersion",
                "is required: accept the current privacy policy",
            );
            None
        }
        Some(a) if a != current.as_str() => {
            v.fail(
                "acceptedPolicyVersion",
                format!(
                    "must be the current privacy policy version {}",
                    current.as_str()
                ),
            );
            None
        }
        Some(_) => Some(current),
    };
    Ok(match (email, first, last, password, accepted) {
        (Some(email), Some(first_name), Some(last_name), Some(password), Some(accepted)) => {
            Some(NewPerson {
                email,
                first_name,
                last_name,
                password,
                accepted,
            })
        }
        _ => None,
    })
}

/// Whom a new account acts for (P1).
pub enum Affiliation {
    /// An admin of a customer organization.
    Organization(OrganizationId),
    /// A person invited into a project, on behalf of their own company.
    Company(String),
}

impl NewPerson {
    /// The account record of this person, with the password hashed.
    pub async fn into_user(
        self,
        hasher: &PasswordHasher,
        user_id: UserId,
        affiliation: Affiliation,
    ) -> Result<User, DomainError> {
        let password_hash = hasher
            .hash(&self.password)
            .await
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        let (organization_id, company_name) = match affiliation {
            Affiliation::Organization(o) => (Some(o), None),
            Affiliation::Company(c) => (None, Some(c)),
        };
        let now = Timestamp::now();
        Ok(User {
            kind: "user".into(),
            user_id,
            organization_id,
            company_name,
            email: self.email.as_str().to_owned(),
            first_name: self.first_name.as_str().to_owned(),
            last_name: self.last_name.as_str().to_owned(),
            password_hash,
            email_notifications: false,
            notification_kinds: Some(Vec::new()),
            language: Language::De,
            accepted_policy_version: self.accepted,
            accepted_policy_at: now,
            created_at: now,
            platform_roles: Vec::new(),
        })
    }
}

pub struct Registered {
    pub organization_id: OrganizationId,
    pub user_id: UserId,
}

fn optional_text(v: &mut Validator, field: &str, raw: Option<&str>, max: usize) -> Option<String> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    v.check(field, Name::parse(raw, max))
        .map(|n| n.as_str().to_owned())
}

/// Register a company and its first admin (P1, P3).
pub async fn register(
    store: &dyn DocumentStore,
    hasher: &PasswordHasher,
    r: Registration<'_>,
) -> Result<Registered, DomainError> {
    let mut v = Validator::default();
    let org_name = v.check(
        "organization.name",
        Name::parse(r.organization_name, COMPANY_NAME_MAX),
    );
    let vat_id = optional_text(&mut v, "organization.vatId", r.vat_id, 20);
    let country = r
        .country
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .and_then(|c| {
            if c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()) {
                Some(c.to_ascii_uppercase())
            } else {
                v.fail(
                    "organization.country",
                    "must be an ISO 3166-1 alpha-2 code, e.g. AT",
                );
                None
            }
        });
    let person = check_new_person(store, &mut v, "admin.", &r.admin).await?;
    v.finish()?;
    let (Some(org_name), Some(person)) = (org_name, person) else {
        return Err(DomainError::Validation(Vec::new()));
    };

    let organization_id = OrganizationId::generate();
    let user_id = UserId::generate();
    let email = person.email.clone();
    let user = person
        .into_user(
            hasher,
            user_id.clone(),
            Affiliation::Organization(organization_id.clone()),
        )
        .await?;
    let now = user.created_at;
    let org = Organization {
        kind: "organization".into(),
        organization_id: organization_id.clone(),
        name: org_name.as_str().to_owned(),
        vat_id,
        country,
        admin_ids: vec![user_id.clone()],
        created_at: now,
    };
    create_account(store, &email, &user).await?;
    let org_pk = organization_id.as_string();
    let batch = vec![
        BatchOp::Create(NewDocument::from_record(&org_pk, &org_pk, &org)?),
        BatchOp::Create(audit::entry(
            &org_pk,
            Some(&user_id),
            "organization.registered",
            "organization",
            &org_pk,
            &["name", "vatId", "country", "adminIds"],
        )?),
    ];
    if let Err(e) = store.batch(ORGANIZATIONS, &org_pk, batch).await {
        delete_account(store, &email, &user_id).await;
        return Err(e.into());
    }
    Ok(Registered {
        organization_id,
        user_id,
    })
}

/// Claim the email address (unique by create-if-absent), then write the
/// profile; on failure the claim is released again.
pub async fn create_account(
    store: &dyn DocumentStore,
    email: &EmailAddress,
    user: &User,
) -> Result<(), DomainError> {
    let key = EmailKey {
        kind: "emailKey".into(),
        user_id: user.user_id.clone(),
    };
    let pk = email_partition(email);
    match store
        .create(
            IDENTITIES,
            NewDocument::from_record(&pk, EMAIL_KEY_ID, &key)?,
        )
        .await
    {
        Ok(_) => {}
        Err(StoreError::Conflict) => {
            return Err(DomainError::Conflict(
                "an account with this email address exists".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let user_pk = user.user_id.as_string();
    if let Err(e) = store
        .create(USERS, NewDocument::from_record(&user_pk, PROFILE_ID, user)?)
        .await
    {
        let _ = store.delete(IDENTITIES, &pk, EMAIL_KEY_ID, None).await;
        return Err(e.into());
    }
    Ok(())
}

/// Best-effort compensation for an account creation that failed half-way.
pub async fn delete_account(store: &dyn DocumentStore, email: &EmailAddress, user: &UserId) {
    let _ = store
        .delete(USERS, &user.as_string(), PROFILE_ID, None)
        .await;
    let _ = store
        .delete(IDENTITIES, &email_partition(email), EMAIL_KEY_ID, None)
        .await;
}

/// The user id registered for an email address.
pub async fn find_by_email(
    store: &dyn DocumentStore,
    email: &EmailAddress,
) -> Result<Option<UserId>, DomainError> {
    Ok(store
        .read(IDENTITIES, &email_partition(email), EMAIL_KEY_ID)
        .await?
        .map(|d| d.parse::<EmailKey>())
        .transpose()?
        .map(|k| k.user_id))
}

/// The profile and its ETag.
pub async fn load_user(
    store: &dyn DocumentStore,
    user: &UserId,
) -> Result<Option<(User, ETag)>, DomainError> {
    Ok(read_record(store, USERS, &user.as_string(), PROFILE_ID).await?)
}

/// The profile of a signed-in user; a missing one (erased) is unauthorized.
pub async fn require_user(
    store: &dyn DocumentStore,
    user: &UserId,
) -> Result<(User, ETag), DomainError> {
    load_user(store, user)
        .await?
        .ok_or(DomainError::Unauthorized("the account no longer exists"))
}

/// A user as they see themselves: with where they stand on the privacy
/// policy and the name of their organization, if they belong to one.
pub struct Account {
    pub user: User,
    /// The user accepted an older policy version than the current one (P13).
    pub policy_update_required: bool,
    pub organization_name: Option<String>,
}

impl Account {
    fn at(user: User, current: &PolicyVersion, organization_name: Option<String>) -> Self {
        let policy_update_required = user.accepted_policy_version != *current;
        Account {
            user,
            policy_update_required,
            organization_name,
        }
    }
}

/// The user's account. `org` is the organization the caller's token names,
/// so that the user, the policy version and the organization's name are
/// read at once.
pub async fn account(
    store: &dyn DocumentStore,
    user: &UserId,
    org: Option<&OrganizationId>,
) -> Result<Account, DomainError> {
    let (user, current, org_name) = tokio::join!(
        require_user(store, user),
        policy::current_version(store),
        organization_name(store, org)
    );
    let (user, _) = user?;
    Ok(Account::at(user, &current?, org_name?))
}

/// The account of a user just read or changed.
pub async fn account_of(store: &dyn DocumentStore, user: User) -> Result<Account, DomainError> {
    let (current, org_name) = tokio::join!(
        policy::current_version(store),
        organization_name(store, user.organization_id.as_ref())
    );
    Ok(Account::at(user, &current?, org_name?))
}

pub async fn save_user(
    store: &dyn DocumentStore,
    user: &User,
    etag: &ETag,
    action: &str,
    changed_fields: &[&str],
) -> Result<(), DomainError> {
    let pk = user.user_id.as_string();
    let batch = vec![
        BatchOp::Replace {
            doc: NewDocument::from_record(&pk, PROFILE_ID, user)?,
            if_match: Some(etag.clone()),
        },
        BatchOp::Create(audit::entry(
            &pk,
            Some(&user.user_id),
            action,
            "user",
            &pk,
            changed_fields,
        )?),
    ];
    store.batch(USERS, &pk, batch).await?;
    Ok(())
}

/// A profile change request; `None` leaves a field as it is.
#[derive(Default)]
pub struct ProfileChange<'a> {
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    /// The one flag of before per-kind opt-in: all kinds or none.
    pub email_notifications: Option<bool>,
    /// Exactly these kinds; wins over `email_notifications`.
    pub notification_kinds: Option<Vec<NotificationKind>>,
    pub language: Option<Language>,
}

/// Apply a profile change (P6); returns the new profile.
pub async fn update_profile(
    store: &dyn DocumentStore,
    user_id: &UserId,
    change: ProfileChange<'_>,
) -> Result<User, DomainError> {
    let (mut user, etag) = require_user(store, user_id).await?;
    let mut v = Validator::default();
    let mut changed = Vec::new();
    if let Some(first) = change.first_name
        && let Some(n) = v.check("firstName", Name::parse(first, PERSON_NAME_MAX))
        && n.as_str() != user.first_name
    {
        user.first_name = n.as_str().to_owned();
        changed.push("firstName");
    }
    if let Some(last) = change.last_name
        && let Some(n) = v.check("lastName", Name::parse(last, PERSON_NAME_MAX))
        && n.as_str() != user.last_name
    {
        user.last_name = n.as_str().to_owned();
        changed.push("lastName");
    }
    let wanted = match (change.notification_kinds, change.email_notifications) {
        (Some(kinds), _) => Some(kinds),
        (None, Some(true)) => Some(NotificationKind::ALL.to_vec()),
        (None, Some(false)) => Some(Vec::new()),
        (None, None) => None,
    };
    if let Some(kinds) = wanted {
        let before = user.notification_kinds();
        user.set_notification_kinds(kinds);
        if user.notification_kinds() != before {
            changed.push("notificationKinds");
        }
    }
    if let Some(lang) = change.language
        && lang != user.language
    {
        user.language = lang;
        changed.push("language");
    }
    v.finish()?;
    if !changed.is_empty() {
        save_user(store, &user, &etag, "user.updated", &changed).await?;
    }
    Ok(user)
}

/// Record acceptance of the current policy version (P13).
pub async fn accept_policy(
    store: &dyn DocumentStore,
    user_id: &UserId,
    version: &str,
) -> Result<User, DomainError> {
    let current = policy::current_version(store).await?;
    if version != current.as_str() {
        return Err(DomainError::field(
            "version",
            format!(
                "must be the current privacy policy version {}",
                current.as_str()
            ),
        ));
    }
    let (mut user, etag) = require_user(store, user_id).await?;
    user.accepted_policy_version = current;
    user.accepted_policy_at = Timestamp::now();
    save_user(
        store,
        &user,
        &etag,
        "user.policy_accepted",
        &["acceptedPolicyVersion", "acceptedPolicyAt"],
    )
    .await?;
    Ok(user)
}

/// Grant the support role to the account of `email` (an operator command).
pub async fn grant_support_role(
    store: &dyn DocumentStore,
    email: &str,
) -> Result<UserId, DomainError> {
    let email =
        EmailAddress::parse(email).map_err(|e| DomainError::field("email", e.to_string()))?;
    let user_id = find_by_email(store, &email)
        .await?
        .ok_or(DomainError::NotFound)?;
    let (mut user, etag) = require_user(store, &user_id).await?;
    if !user.platform_roles.iter().any(|r| r == SUPPORT_ROLE) {
        user.platform_roles.push(SUPPORT_ROLE.to_owned());
        save_user(store, &user, &etag, "user.role_granted", &["platformRoles"]).await?;
    }
    Ok(user_id)
}

/// The organization's record, if it exists.
pub async fn load_organization(
    store: &dyn DocumentStore,
    org: &OrganizationId,
) -> Result<Option<Organization>, DomainError> {
    Ok(
        read_record(store, ORGANIZATIONS, &org.as_string(), &org.as_string())
            .await?
            .map(|(o, _): (Organization, ETag)| o),
    )
}

/// The organization's name, for the profile of its users.
pub async fn organization_name(
    store: &dyn DocumentStore,
    org: Option<&OrganizationId>,
) -> Result<Option<String>, DomainError> {
    match org {
        Some(o) => Ok(load_organization(store, o).await?.map(|o| o.name)),
        None => Ok(None),
    }
}
