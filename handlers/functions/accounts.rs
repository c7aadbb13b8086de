//! Account routes: registration (P1, P3), the signed-in user's profile
//! (P6, P13), password change, policy text and acceptance.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{AuthUser, Bearer};
use crate::domain::accounts::{
    self, Account, NotificationKind, PersonInput, ProfileChange, Registration,
};
use crate::domain::policy;
use crate::domain::sessions;
use crate::http::extract::ApiJson;
use crate::http::problem::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    De,
    En,
}

impl From<accounts::Language> for Language {
    fn from(l: accounts::Language) -> Self {
        match l {
            accounts::Language::De => Language::De,
            accounts::Language::En => Language::En,
        }
    }
}

impl From<Language> for accounts::Language {
    fn from(l: Language) -> Self {
        match l {
            Language::De => accounts::Language::De,
            Language::En => accounts::Language::En,
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationInput {
    /// The company's name (required: the service is for companies only).
    #[serde(default)]
    name: String,
    /// VAT/UID number.
    #[serde(default)]
    vat_id: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default)]
    country: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdminInput {
    #[serde(default)]
    email: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    password: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegisterRequest {
    #[serde(default)]
    organization: OrganizationInput,
    #[serde(default)]
    admin: AdminInput,
    /// Must equal the current privacy-policy version.
    #[serde(default)]
    accepted_policy_version: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Registered {
    organization_id: String,
    user_id: String,
}

/// Register a company and its first admin user.
#[utoipa::path(
    post,
    path = "/api/organizations/register",
    operation_id = "register-organization",
    tag = "accounts",
    request_body = RegisterRequest,
    responses(
        (status = 201, body = Registered),
        (status = 409, description = "Email address already registered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn register(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> Result<(StatusCode, Json<Registered>), ApiError> {
    let r = accounts::register(
        state.stores.documents.as_ref(),
        &state.passwords,
        Registration {
            organization_name: &req.organization.name,
            vat_id: req.organization.vat_id.as_deref(),
            country: req.organization.country.as_deref(),
            admin: PersonInput {
                email: &req.admin.email,
                first_name: &req.admin.first_name,
                last_name: &req.admin.last_name,
                password: &req.admin.password,
                accepted_policy_version: req.accepted_policy_version.as_deref(),
            },
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(Registered {
            organization_id: r.organization_id.as_string(),
            user_id: r.user_id.as_string(),
        }),
    ))
}

/// The signed-in user as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    id: String,
    email: String,
    first_name: String,
    last_name: String,
    organization_id: Option<String>,
    /// The person's company: their organization's name, or the company an
    /// invited person named.
    company_name: Option<String>,
    /// Opt-in; off until the user turns it on (P6). True when any kind in
    /// `notificationKinds` is on.
    email_notifications: bool,
    /// The kinds of notification mail opted into (P6).
    notification_kinds: Vec<NotificationKindView>,
    /// Platform-wide roles, e.g. `support` for the support inbox (P14).
    platform_roles: Vec<String>,
    language: Language,
    accepted_policy_version: String,
    accepted_policy_at: String,
    /// The user accepted an older policy version than the current one (P13).
    policy_update_required: bool,
}

/// A kind of notification mail (P6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum NotificationKindView {
    /// A requested booking was approved or declined.
    BookingDecided,
    /// A booking was cancelled by someone else.
    BookingCancelled,
    /// The gate checked a delivery in or out, or turned it away.
    DeliveryAtGate,
}

impl From<NotificationKind> for NotificationKindView {
    fn from(k: NotificationKind) -> Self {
        match k {
            NotificationKind::BookingDecided => NotificationKindView::BookingDecided,
            NotificationKind::BookingCancelled => NotificationKindView::BookingCancelled,
            NotificationKind::DeliveryAtGate => NotificationKindView::DeliveryAtGate,
        }
    }
}

impl From<NotificationKindView> for NotificationKind {
    fn from(k: NotificationKindView) -> Self {
        match k {
            NotificationKindView::BookingDecided => NotificationKind::BookingDecided,
            NotificationKindView::BookingCancelled => NotificationKind::BookingCancelled,
            NotificationKindView::DeliveryAtGate => NotificationKind::DeliveryAtGate,
        }
    }
}

impl From<Account> for Profile {
    fn from(a: Account) -> Self {
        let user = a.user;
        Profile {
            id: user.user_id.as_string(),
            notification_kinds: user
                .notification_kinds()
                .into_iter()
                .map(Into::into)
                .collect(),
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
            organization_id: user.organization_id.map(|o| o.as_string()),
            company_name: user.company_name.or(a.organization_name),
            email_notifications: user.email_notifications,
            platform_roles: user.platform_roles,
            language: user.language.into(),
            policy_update_required: a.policy_update_required,
            accepted_policy_version: user.accepted_policy_version.as_str().to_owned(),
            accepted_policy_at: crate::domain::time::format(&user.accepted_policy_at),
        }
    }
}

/// The signed-in user's profile.
#[utoipa::path(
    get,
    path = "/api/me",
    operation_id = "get-me",
    tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, body = Profile), (status = 401, body = Problem, content_type = "application/problem+json"))
)]
pub async fn get_me(
    State(state): State<AppState>,
    bearer: Bearer,
) -> Result<Json<Profile>, ApiError> {
    let store = state.stores.documents.as_ref();
    let user_id = bearer.user_id().clone();
    let org_id = bearer.org_id().cloned();
    // The session, the user, the policy version and the organization's
    // name: one round trip.
    let (_, account) = bearer
        .admit(store, accounts::account(store, &user_id, org_id.as_ref()))
        .await?;
    Ok(Json(account?.into()))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfilePatch {
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    /// All kinds of notification mail on or off; `notificationKinds` wins.
    #[serde(default)]
    email_notifications: Option<bool>,
    /// Exactly the kinds of notification mail wanted (P6).
    #[serde(default)]
    notification_kinds: Option<Vec<NotificationKindView>>,
    #[serde(default)]
    language: Option<Language>,
}

/// Change names, language or the email-notification opt-in per kind.
#[utoipa::path(
    patch,
    path = "/api/me",
    operation_id = "update-me",
    tag = "accounts",
    security(("bearer" = [])),
    request_body = ProfilePatch,
    responses((status = 200, body = Profile), (status = 422, body = Problem, content_type = "application/problem+json"))
)]
pub async fn update_me(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(patch): ApiJson<ProfilePatch>,
) -> Result<Json<Profile>, ApiError> {
    let user = accounts::update_profile(
        state.stores.documents.as_ref(),
        &auth.user_id,
        ProfileChange {
            first_name: patch.first_name.as_deref(),
            last_name: patch.last_name.as_deref(),
            email_notifications: patch.email_notifications,
            notification_kinds: patch
                .notification_kinds
                .map(|kinds| kinds.into_iter().map(Into::into).collect()),
            language: patch.language.map(Into::into),
        },
    )
    .await?;
    let store = state.stores.documents.as_ref();
    Ok(Json(accounts::account_of(store, user).await?.into()))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PasswordChange {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// Change the password; every other session ends at once.
#[utoipa::path(
    post,
    path = "/api/me/password",
    operation_id = "change-password",
    tag = "accounts",
    security(("bearer" = [])),
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 403, description = "Current password wrong", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn change_password(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    sessions::change_password(
        state.stores.documents.as_ref(),
        &state.passwords,
        &auth.user_id,
        &auth.session_id,
        &req.current_password,
        &req.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PrivacyPolicy {
    version: String,
    text: String,
}

/// The current privacy policy.
#[utoipa::path(
    get,
    path = "/api/privacy-policy",
    operation_id = "get-privacy-policy",
    tag = "accounts",
    responses((status = 200, body = PrivacyPolicy))
)]
pub async fn privacy_policy(
    State(state): State<AppState>,
) -> Result<Json<PrivacyPolicy>, ApiError> {
    let p = policy::current(state.stores.documents.as_ref()).await?;
    Ok(Json(PrivacyPolicy {
        version: p.version.as_str().to_owned(),
        text: p.text,
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PolicyAcceptance {
    /// The version being accepted; must be the current one.
    #[serde(default)]
    version: String,
}

/// Accept the current privacy policy.
#[utoipa::path(
    post,
    path = "/api/me/policy-acceptance",
    operation_id = "accept-privacy-policy",
    tag = "accounts",
    security(("bearer" = [])),
    request_body = PolicyAcceptance,
    responses((status = 200, body = Profile), (status = 422, body = Problem, content_type = "application/problem+json"))
)]
pub async fn accept_policy(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<PolicyAcceptance>,
) -> Result<Json<Profile>, ApiError> {
    let user =
        accounts::accept_policy(state.stores.documents.as_ref(), &auth.user_id, &req.version)
            .await?;
    let store = state.stores.documents.as_ref();
    Ok(Json(accounts::account_of(store, user).await?.into()))
}
