//! The actor: who acts in a project, and in which role. The extractor of
//! every project route (`auth::project_access::ProjectAccess`) yields one
//! after checking the membership; the domain checks every permission on
//! it, once, against the one matrix in `roles`.

use super::error::DomainError;
use super::ids::{ProjectId, UserId};
use super::roles::{Action, Role, allows};

#[derive(Debug, Clone)]
pub struct Actor {
    pub project_id: ProjectId,
    pub user_id: UserId,
    pub role: Role,
}

impl Actor {
    /// Forbidden unless the actor's role allows `action`.
    pub fn require(&self, action: Action) -> Result<(), DomainError> {
        if self.may(action) {
            Ok(())
        } else {
            Err(DomainError::Forbidden(
                "your role in this project does not allow this",
            ))
        }
    }

    pub fn may(&self, action: Action) -> bool {
        allows(self.role, action)
    }
}
