//! `ProjectAccess`: the extractor every route under
//! `/api/projects/{projectId}` takes. It has already checked that the caller
//! is a member of the project; anyone else gets 404, so a project's
//! existence never leaks (OWASP API1). What it yields is the domain's
//! `Actor`: the domain checks permissions on it, once.
//!
//! `ProjectCaller` is the same check for handlers that read more of the
//! project anyway: its `admit` runs the session and membership reads
//! together with theirs, one round trip for all.

use axum::extract::{FromRef, FromRequestParts, Path};
use axum::http::request::Parts;
use std::collections::HashMap;
use std::sync::Arc;

use super::Bearer;
use super::tokens::TokenKeys;
use crate::domain::ids::ProjectId;
use crate::domain::members;
use crate::http::problem::ApiError;
use crate::store::DocumentStore;

/// A member of the project, as the domain sees them.
pub use crate::domain::actor::Actor as ProjectAccess;

/// A signed-in caller naming a project, before the session and the
/// membership are checked (see `admit`).
#[derive(Debug, Clone)]
pub struct ProjectCaller {
    bearer: Bearer,
    project_id: ProjectId,
}

impl ProjectCaller {
    pub fn project_id(&self) -> &ProjectId {
        &self.project_id
    }

    /// Check the session and the membership while `alongside` runs: 401 if
    /// the session has ended, else 404 for a non-member, whatever
    /// `alongside` returned.
    pub async fn admit<T>(
        self,
        store: &dyn DocumentStore,
        alongside: impl Future<Output = T>,
    ) -> Result<(ProjectAccess, T), ApiError> {
        let ProjectCaller { bearer, project_id } = self;
        let user_id = bearer.user_id().clone();
        let (user, (member, out)) = bearer
            .admit(store, async {
                tokio::join!(members::load(store, &project_id, &user_id), alongside)
            })
            .await?;
        let (member, _) = member?.ok_or(ApiError::NotFound)?;
        Ok((
            ProjectAccess {
                project_id,
                user_id: user.user_id,
                role: member.role,
            },
            out,
        ))
    }
}

impl<S> FromRequestParts<S> for ProjectCaller
where
    S: Send + Sync,
    Arc<TokenKeys>: FromRef<S>,
    Arc<dyn DocumentStore>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let bearer = Bearer::from_request_parts(parts, state).await?;
        let project_id = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|Path(params)| params.get("projectId").and_then(|p| ProjectId::parse(p)));
        match project_id {
            Some(project_id) => Ok(ProjectCaller { bearer, project_id }),
            // An ended session is 401 before an unknown project is 404.
            None => {
                let documents = Arc::<dyn DocumentStore>::from_ref(state);
                bearer.admit(documents.as_ref(), async {}).await?;
                Err(ApiError::NotFound)
            }
        }
    }
}

impl<S> FromRequestParts<S> for ProjectAccess
where
    S: Send + Sync,
    Arc<TokenKeys>: FromRef<S>,
    Arc<dyn DocumentStore>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let caller = ProjectCaller::from_request_parts(parts, state).await?;
        let documents = Arc::<dyn DocumentStore>::from_ref(state);
        let (access, ()) = caller.admit(documents.as_ref(), async {}).await?;
        Ok(access)
    }
}
