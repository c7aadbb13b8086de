//! Invitation routes (P5): invite with the inviter's consent confirmation,
//! list and withdraw pending invitations (M1), and accept as a signed-in
//! user or as a new person.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::MaybeAuthUser;
use crate::auth::project_access::ProjectAccess;
use crate::domain::accounts::PersonInput;
use crate::domain::invitations::{self, Acceptor, InviteRequest, NewInvitee};
use crate::domain::roles::Action;
use crate::functions::members::Role;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::paging::{PageParams, Paged};
use crate::http::problem::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewInvitation {
    #[serde(default)]
    email: String,
    /// `manager`, `member` or `viewer`.
    #[serde(default)]
    role: String,
    /// The inviter confirms the invitee consented; must be `true`.
    #[serde(default)]
    consent_confirmed: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationView {
    id: String,
    role: Role,
    expires_at: String,
    consent_wording_version: &'static str,
}

/// Invite a person by email into this project.
#[utoipa::path(
    post,
    path = "/api/projects/{projectId}/invitations",
    operation_id = "create-invitation",
    tag = "invitations",
    security(("bearer" = [])),
    params(("projectId" = String, Path)),
    request_body = NewInvitation,
    responses(
        (status = 201, body = InvitationView),
        (status = 422, description = "Missing consent confirmation or invalid fields", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create_invitation(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiJson(req): ApiJson<NewInvitation>,
) -> Result<(StatusCode, Json<InvitationView>), ApiError> {
    access.require(Action::Invite)?;
    let inv = invitations::create(
        state.stores.documents.as_ref(),
        &state.invitation_links,
        &access.project_id,
        &access.user_id,
        InviteRequest {
            email: &req.email,
            role: &req.role,
            consent_confirmed: req.consent_confirmed,
        },
        jiff::SignedDuration::from_secs(state.config.invitation_ttl_secs),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(InvitationView {
            id: inv.invitation_id,
            role: inv.role.into(),
            expires_at: crate::domain::time::format(&inv.expires_at),
            consent_wording_version: invitations::CONSENT_WORDING_VERSION,
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PendingInvitationView {
    id: String,
    /// The invitee's address.
    email: String,
    role: Role,
    /// The user who sent the invitation.
    invited_by: String,
    created_at: String,
    expires_at: String,
}

/// The project's pending invitations (owners and managers).
#[utoipa::path(
    get,
    path = "/api/projects/{projectId}/invitations",
    operation_id = "list-invitations",
    tag = "invitations",
    security(("bearer" = [])),
    params(("projectId" = String, Path), PageParams),
    responses(
        (status = 200, body = Paged<PendingInvitationView>),
        (status = 403, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list_invitations(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Paged<PendingInvitationView>>, ApiError> {
    access.require(Action::Invite)?;
    let (items, next) = invitations::pending(
        state.stores.documents.as_ref(),
        &access.project_id,
        page.limit(),
        page.next,
    )
    .await?;
    let items = items
        .into_iter()
        .map(|inv| PendingInvitationView {
            id: inv.invitation_id,
            email: inv.email.unwrap_or_default(),
            role: inv.role.into(),
            invited_by: inv.invited_by.as_string(),
            created_at: crate::domain::time::format(&inv.at),
            expires_at: crate::domain::time::format(&inv.expires_at),
        })
        .collect();
    Ok(Json(Paged { items, next }))
}

/// Withdraw a pending invitation: its link then answers 410.
#[utoipa::path(
    delete,
    path = "/api/projects/{projectId}/invitations/{invitationId}",
    operation_id = "withdraw-invitation",
    tag = "invitations",
    security(("bearer" = [])),
    params(("projectId" = String, Path), ("invitationId" = String, Path)),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No pending invitation with this id", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn withdraw_invitation(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiPath(path): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    access.require(Action::Invite)?;
    invitations::withdraw(
        state.stores.documents.as_ref(),
        &access.project_id,
        &access.user_id,
        &path.1,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Acceptance {
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    password: Option<String>,
    /// The company the new person works for.
    #[serde(default)]
    company_name: Option<String>,
    #[serde(default)]
    accepted_policy_version: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Accepted {
    project_id: String,
    user_id: String,
}

/// Accept an invitation: signed in (body `{}`), or as a new person.
#[utoipa::path(
    post,
    path = "/api/invitations/{token}/accept",
    operation_id = "accept-invitation",
    tag = "invitations",
    params(("token" = String, Path)),
    request_body = Acceptance,
    responses(
        (status = 200, body = Accepted),
        (status = 401, description = "An Authorization header was sent and is not a valid session", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown token", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "Used, withdrawn or expired; the detail says which", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn accept_invitation(
    State(state): State<AppState>,
    MaybeAuthUser(auth): MaybeAuthUser,
    ApiPath(token): ApiPath<String>,
    ApiJson(req): ApiJson<Acceptance>,
) -> Result<Json<Accepted>, ApiError> {
    let who = match auth {
        Some(user) => Acceptor::Existing(user.user_id),
        None => Acceptor::New(NewInvitee {
            person: PersonInput {
                email: "",
                first_name: req.first_name.as_deref().unwrap_or_default(),
                last_name: req.last_name.as_deref().unwrap_or_default(),
                password: req.password.as_deref().unwrap_or_default(),
                accepted_policy_version: req.accepted_policy_version.as_deref(),
            },
            company_name: req.company_name.as_deref().unwrap_or_default(),
        }),
    };
    let (project_id, user_id) = invitations::accept(
        state.stores.documents.as_ref(),
        &state.passwords,
        &token,
        who,
    )
    .await?;
    Ok(Json(Accepted {
        project_id: project_id.as_string(),
        user_id: user_id.as_string(),
    }))
}

/// The consent wording an inviter confirms (P5), in German and English;
/// the invitation stores its version.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentWordingView {
    version: &'static str,
    de: &'static str,
    en: &'static str,
}

/// The consent wording to show beside the confirmation box (P5).
#[utoipa::path(
    get,
    path = "/api/invitations/consent-wording",
    operation_id = "get-consent-wording",
    tag = "invitations",
    responses((status = 200, body = ConsentWordingView))
)]
pub async fn consent_wording() -> Json<ConsentWordingView> {
    let w = invitations::consent_wording();
    Json(ConsentWordingView {
        version: w.version,
        de: w.de,
        en: w.en,
    })
}

/// Send a pending invitation's mail again, with the same link and expiry
/// (owners and managers; at most once per five minutes).
#[utoipa::path(
    post,
    path = "/api/projects/{projectId}/invitations/{invitationId}/resend",
    operation_id = "resend-invitation",
    tag = "invitations",
    security(("bearer" = [])),
    params(("projectId" = String, Path), ("invitationId" = String, Path)),
    responses(
        (status = 204, description = "The mail is queued again"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No pending invitation with this id", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Sent too recently; see Retry-After", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn resend_invitation(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiPath(path): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    access.require(Action::Invite)?;
    invitations::resend(
        state.stores.documents.as_ref(),
        &state.invitation_links,
        &access.project_id,
        &access.user_id,
        &path.1,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
