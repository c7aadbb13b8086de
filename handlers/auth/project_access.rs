//! `ProjectAccess`: the extractor every route under
//! `/api/projects/{projectId}` takes. It has already checked that the caller
//! is a member of the project; anyone else gets 404, so a project's
//! existence never leaks (OWASP API1). Handlers then ask `require(action)`
//! of the permission matrix.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use std::collections::HashMap;

use super::AuthUser;
use crate::domain::ids::{ProjectId, UserId};
use crate::domain::members;
use crate::domain::roles::{Action, Role, allows};
use crate::http::problem::ApiError;
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct ProjectAccess {
    pub project_id: ProjectId,
    pub user_id: UserId,
    pub role: Role,
}

impl ProjectAccess {
    /// 403 unless the caller's role allows `action`.
    pub fn require(&self, action: Action) -> Result<(), ApiError> {
        if self.may(action) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "your role in this project does not allow this",
            ))
        }
    }

    pub fn may(&self, action: Action) -> bool {
        allows(self.role, action)
    }
}

impl FromRequestParts<AppState> for ProjectAccess {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = AuthUser::from_request_parts(parts, state).await?;
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        let project_id = params
            .get("projectId")
            .and_then(|p| ProjectId::parse(p))
            .ok_or(ApiError::NotFound)?;
        let (member, _) =
            members::load(state.stores.documents.as_ref(), &project_id, &user.user_id)
                .await?
                .ok_or(ApiError::NotFound)?;
        Ok(ProjectAccess {
            project_id,
            user_id: user.user_id,
            role: member.role,
        })
    }
}
