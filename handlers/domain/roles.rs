//! Project roles and the one permission matrix: which role may do what in a
//! project. Every check in the code asks `allows`; the README's table and
//! the permission tests are derived from `MATRIX`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The customer organization's admins.
    Owner,
    /// Logistics coordinator: resources, approvals, invitations, audit.
    Manager,
    /// Subcontractor: books, uploads, reads.
    Member,
    /// Reads.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Manager, Role::Member, Role::Viewer];

    pub fn parse(s: &str) -> Result<Self, &'static str> {
        match s {
            "owner" => Ok(Role::Owner),
            "manager" => Ok(Role::Manager),
            "member" => Ok(Role::Member),
            "viewer" => Ok(Role::Viewer),
            _ => Err("must be one of owner, manager, member, viewer"),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Manager => "manager",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }
}

/// Everything a project member may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ViewProject,
    UpdateProject,
    DeleteProject,
    ViewMembers,
    /// Change roles of and remove members below owner.
    ManageMembers,
    /// Grant, change or remove the owner role.
    ManageOwners,
    Invite,
    ViewAudit,
    ViewResources,
    ManageResources,
    ViewBookings,
    CreateBooking,
    /// Approve, decline, reschedule or cancel anyone's booking; book
    /// without approval; exempt from the booking cut-off.
    ManageBookings,
    /// Record arrivals, departures and turn-aways at the gate.
    GateCheck,
    ViewFiles,
    UploadFile,
    /// See and download files flagged `restricted`.
    ViewRestrictedFiles,
    /// Delete files uploaded by others.
    DeleteAnyFile,
}

use Action::*;
use Role::*;

/// The permission matrix: each action with the roles allowed to take it.
pub const MATRIX: &[(Action, &[Role])] = &[
    (ViewProject, &[Owner, Manager, Member, Viewer]),
    (UpdateProject, &[Owner, Manager]),
    (DeleteProject, &[Owner]),
    (ViewMembers, &[Owner, Manager, Member, Viewer]),
    (ManageMembers, &[Owner, Manager]),
    (ManageOwners, &[Owner]),
    (Invite, &[Owner, Manager]),
    (ViewAudit, &[Owner, Manager]),
    (ViewResources, &[Owner, Manager, Member, Viewer]),
    (ManageResources, &[Owner, Manager]),
    (ViewBookings, &[Owner, Manager, Member, Viewer]),
    (CreateBooking, &[Owner, Manager, Member]),
    (ManageBookings, &[Owner, Manager]),
    (GateCheck, &[Owner, Manager]),
    (ViewFiles, &[Owner, Manager, Member, Viewer]),
    (UploadFile, &[Owner, Manager, Member]),
    (ViewRestrictedFiles, &[Owner, Manager]),
    (DeleteAnyFile, &[Owner, Manager]),
];

/// Whether `role` may take `action`.
pub fn allows(role: Role, action: Action) -> bool {
    MATRIX
        .iter()
        .any(|(a, roles)| *a == action && roles.contains(&role))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_appears_once_and_owners_may_do_everything() {
        for (i, (a, _)) in MATRIX.iter().enumerate() {
            assert!(!MATRIX[i + 1..].iter().any(|(b, _)| b == a), "{a:?} twice");
            assert!(allows(Role::Owner, *a), "owner may {a:?}");
        }
        assert!(!allows(Role::Viewer, Action::CreateBooking));
        assert!(!allows(Role::Member, Action::ViewRestrictedFiles));
    }
}
