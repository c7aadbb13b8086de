//! Session routes: login (P4, P9), refresh-token rotation, logout, and the
//! user's own login history.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::domain::sessions::{self, LoginRecord, Session};
use crate::http::extract::{ApiJson, ApiQuery};
use crate::http::paging::{PageParams, Paged};
use crate::http::problem::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct LoginRequest {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenResponse {
    access_token: String,
    refresh_token: String,
    /// Always `Bearer`.
    token_type: &'static str,
    /// Seconds until the access token expires.
    expires_in: i64,
}

fn tokens(state: &AppState, session: Session) -> Result<Json<TokenResponse>, ApiError> {
    let access = state
        .tokens
        .issue(
            &session.user.user_id,
            session.user.organization_id.as_ref(),
            &session.session_id,
        )
        .map_err(ApiError::internal)?;
    Ok(Json(TokenResponse {
        access_token: access,
        refresh_token: session.refresh_token,
        token_type: "Bearer",
        expires_in: state.tokens.access_ttl_secs(),
    }))
}

/// Log in with email and password.
#[utoipa::path(
    post,
    path = "/api/auth/login",
    operation_id = "login",
    tag = "sessions",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Email or password wrong", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let session = sessions::login(
        state.stores.documents.as_ref(),
        &state.passwords,
        &state.session_policy(),
        &req.email,
        &req.password,
    )
    .await?;
    tokens(&state, session)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefreshRequest {
    #[serde(default)]
    refresh_token: String,
}

/// Exchange a refresh token for new tokens (the old one is spent).
#[utoipa::path(
    post,
    path = "/api/auth/refresh",
    operation_id = "refresh-token",
    tag = "sessions",
    request_body = RefreshRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let session = sessions::refresh(
        state.stores.documents.as_ref(),
        &state.session_policy(),
        &req.refresh_token,
    )
    .await?;
    tokens(&state, session)
}

/// Log out: the session ends: its refresh tokens and access tokens stop
/// working at once.
#[utoipa::path(
    post,
    path = "/api/auth/logout",
    operation_id = "logout",
    tag = "sessions",
    request_body = RefreshRequest,
    responses((status = 204, description = "Logged out"))
)]
pub async fn logout(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> Result<StatusCode, ApiError> {
    sessions::logout(state.stores.documents.as_ref(), &req.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user's own login history, newest first (P9).
#[utoipa::path(
    get,
    path = "/api/me/logins",
    operation_id = "list-my-logins",
    tag = "sessions",
    security(("bearer" = [])),
    params(PageParams),
    responses((status = 200, body = Paged<LoginRecord>))
)]
pub async fn my_logins(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Paged<LoginRecord>>, ApiError> {
    let (items, next) = sessions::login_history(
        state.stores.documents.as_ref(),
        &auth.user_id,
        page.limit(),
        page.next,
    )
    .await?;
    Ok(Json(Paged { items, next }))
}

/// Sign out everywhere: every session of the caller ends, this one too;
/// their refresh and access tokens stop working at once.
#[utoipa::path(
    delete,
    path = "/api/me/sessions",
    operation_id = "end-my-sessions",
    tag = "sessions",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Every session ended"),
        (status = 401, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn end_my_sessions(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<StatusCode, ApiError> {
    sessions::end_sessions(
        state.stores.documents.as_ref(),
        &auth.user_id,
        sessions::Ending::All,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
