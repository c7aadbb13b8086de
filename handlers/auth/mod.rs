//! Authentication: access tokens, their keys, and the `AuthUser` extractor
//! through which a handler's signature says it needs a signed-in user.

pub mod keys;
pub mod project_access;
pub mod tokens;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::domain::ids::{OrganizationId, UserId};
use crate::domain::sessions;
use crate::http::problem::ApiError;
use crate::state::AppState;

/// A request with a valid bearer access token whose session has not ended.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user_id: UserId,
    pub org_id: Option<OrganizationId>,
    pub session_id: String,
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .ok_or(ApiError::Unauthorized("a bearer access token is required"))?;
        let verified = state
            .tokens
            .verify(token.trim())
            .map_err(|_| ApiError::Unauthorized("the access token is invalid or expired"))?;
        // A signature outlives logout and password changes; the session
        // record does not (L1).
        let active = sessions::is_active(
            state.stores.documents.as_ref(),
            &verified.user_id,
            &verified.session_id,
        )
        .await?;
        if !active {
            return Err(ApiError::Unauthorized(
                "the session has ended; sign in again",
            ));
        }
        Ok(AuthUser {
            user_id: verified.user_id,
            org_id: verified.org_id,
            session_id: verified.session_id,
        })
    }
}

/// A request that may carry a bearer token; an invalid one is still 401.
#[derive(Debug, Clone)]
pub struct MaybeAuthUser(pub Option<AuthUser>);

impl FromRequestParts<AppState> for MaybeAuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(AUTHORIZATION) {
            AuthUser::from_request_parts(parts, state)
                .await
                .map(|u| MaybeAuthUser(Some(u)))
        } else {
            Ok(MaybeAuthUser(None))
        }
    }
}
