//! Invitation routes (P5): invite with the inviter's consent confirmation,
//! and accept as a signed-in user or as a new person.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::MaybeAuthUser;
use crate::auth::project_access::ProjectAccess;
use crate::domain::accounts::PersonInput;
use crate::domain::invitations::{self, Acceptor, NewInvitee};
use crate::domain::roles::{Action, Role};
use crate::http::extract::{ApiJson, ApiPath};
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
    let created = invitations::create(
        state.stores.documents.as_ref(),
        &access.project_id,
        &access.user_id,
        &req.email,
        &req.role,
        req.consent_confirmed,
        jiff::SignedDuration::from_secs(state.config.invitation_ttl_secs),
    )
    .await?;
    let inv = created.invitation;
    Ok((
        StatusCode::CREATED,
        Json(InvitationView {
            id: inv.invitation_id,
            role: inv.role,
            expires_at: crate::domain::time::format(&inv.expires_at),
            consent_wording_version: invitations::CONSENT_WORDING_VERSION,
        }),
    ))
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
        (status = 404, description = "Unknown token", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "Used or expired", body = Problem, content_type = "application/problem+json")
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
