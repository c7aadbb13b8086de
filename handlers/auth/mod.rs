//! Authentication: access tokens, their keys, and the `AuthUser` extractor
//! through which a handler's signature says it needs a signed-in user.
//! The extractors work on any application state that hands out the token
//! keys and the document store (`FromRef`), so this layer never names it.

pub mod keys;
pub mod project_access;
pub mod tokens;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use std::sync::Arc;

use crate::domain::ids::{OrganizationId, UserId};
use crate::domain::sessions;
use crate::http::problem::ApiError;
use crate::store::DocumentStore;
use tokens::TokenKeys;

/// A request with a valid bearer access token whose session has not ended.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user_id: UserId,
    pub org_id: Option<OrganizationId>,
    pub session_id: String,
}

/// A request whose bearer access token verified, before its session is
/// checked: `admit` checks it together with the reads the handler needs
/// anyway, so that the check costs no round trip of its own.
#[derive(Debug, Clone)]
pub struct Bearer(AuthUser);

impl Bearer {
    pub fn user_id(&self) -> &UserId {
        &self.0.user_id
    }

    pub fn org_id(&self) -> Option<&OrganizationId> {
        self.0.org_id.as_ref()
    }

    /// Check the session while `alongside` runs; 401 if it has ended,
    /// whatever `alongside` returned.
    pub async fn admit<T>(
        self,
        store: &dyn DocumentStore,
        alongside: impl Future<Output = T>,
    ) -> Result<(AuthUser, T), ApiError> {
        let user = self.0;
        // A signature outlives logout and password changes; the session
        // record does not (L1).
        let (active, out) = tokio::join!(
            sessions::is_active(store, &user.user_id, &user.session_id),
            alongside
        );
        if !active? {
            return Err(ApiError::Unauthorized(
                "the session has ended; sign in again",
            ));
        }
        Ok((user, out))
    }
}

impl<S> FromRequestParts<S> for Bearer
where
    S: Send + Sync,
    Arc<TokenKeys>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .ok_or(ApiError::Unauthorized("a bearer access token is required"))?;
        let verified = Arc::<TokenKeys>::from_ref(state)
            .verify(token.trim())
            .map_err(|_| ApiError::Unauthorized("the access token is invalid or expired"))?;
        Ok(Bearer(AuthUser {
            user_id: verified.user_id,
            org_id: verified.org_id,
            session_id: verified.session_id,
        }))
    }
}

impl<S> FromRequestParts<S> for AuthUser
where
    S: Send + Sync,
    Arc<TokenKeys>: FromRef<S>,
    Arc<dyn DocumentStore>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let bearer = Bearer::from_request_parts(parts, state).await?;
        let documents = Arc::<dyn DocumentStore>::from_ref(state);
        let (user, ()) = bearer.admit(documents.as_ref(), async {}).await?;
        Ok(user)
    }
}

/// A request that may carry a bearer token; an invalid one is still 401.
#[derive(Debug, Clone)]
pub struct MaybeAuthUser(pub Option<AuthUser>);

impl<S> FromRequestParts<S> for MaybeAuthUser
where
    S: Send + Sync,
    Arc<TokenKeys>: FromRef<S>,
    Arc<dyn DocumentStore>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(AUTHORIZATION) {
            AuthUser::from_request_parts(parts, state)
                .await
                .map(|u| MaybeAuthUser(Some(u)))
        } else {
            Ok(MaybeAuthUser(None))
        }
    }
}
