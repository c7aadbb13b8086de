//! Changing a project's members (P7): role changes and removals. They
//! touch the project record too, so two concurrent changes can never leave
//! a project without an owner. A member who leaves or loses the right to
//! invite takes their pending invitations along.

use super::audit;
use super::error::DomainError;
use super::ids::{ProjectId, UserId};
use super::invitations;
use super::members::{
    Member, delete_membership_copy, load, member_id, owner_count, write_membership_copy,
};
use super::projects::{self, PROJECT_ID};
use super::record::Record;
use super::roles::{Action, Role, allows};
use crate::store::containers::PROJECTS;
use crate::store::{BatchOp, DocumentStore, ETag, NewDocument, StoreError};

/// Whether `actor_role` may change a member from `from` to `to` (or remove
/// them, `to = None`).
fn may_change(actor_role: Role, from: Role, to: Option<Role>) -> bool {
    let touches_owner = from == Role::Owner || to == Some(Role::Owner);
    allows(actor_role, Action::ManageMembers)
        && (!touches_owner || allows(actor_role, Action::ManageOwners))
}

/// The project record's ETag joins the batch as a guard: concurrent
/// membership changes serialize on it.
async fn guarded_batch(
    store: &dyn DocumentStore,
    project: &ProjectId,
    ops: Vec<BatchOp>,
) -> Result<(), DomainError> {
    let (p, etag): (projects::Project, ETag) = projects::require(store, project).await?;
    let pk = project.as_string();
    let mut batch = vec![BatchOp::Replace {
        doc: NewDocument::from_record(&pk, PROJECT_ID, &p)?,
        if_match: Some(etag),
    }];
    batch.extend(ops);
    match store.batch(PROJECTS, &pk, batch).await {
        Ok(_) => Ok(()),
        Err(StoreError::PreconditionFailed) => Err(DomainError::Conflict(
            "the project's members changed at the same time; try again".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn change_role(
    store: &dyn DocumentStore,
    project: &ProjectId,
    actor: &UserId,
    actor_role: Role,
    target: &UserId,
    to: Role,
) -> Result<Member, DomainError> {
    let (mut member, etag) = load(store, project, target)
        .await?
        .ok_or(DomainError::NotFound)?;
    if !may_change(actor_role, member.role, Some(to)) {
        return Err(DomainError::Forbidden(
            "your role may not grant or change this role",
        ));
    }
    if member.role == to {
        return Ok(member);
    }
    if member.role == Role::Owner && owner_count(store, project).await? <= 1 {
        return Err(DomainError::Conflict(
            "the last owner cannot be demoted; make someone else owner first".into(),
        ));
    }
    member.role = to;
    let pk = project.as_string();
    guarded_batch(
        store,
        project,
        vec![
            member.replace_op(project, etag)?,
            BatchOp::Create(audit::entry(
                &pk,
                Some(actor),
                "member.role_changed",
                "member",
                &target.as_string(),
                &["role"],
            )?),
        ],
    )
    .await?;
    write_membership_copy(store, project, target, to).await?;
    if !allows(to, Action::Invite) {
        invitations::withdraw_sent_by(store, project, target).await?;
    }
    Ok(member)
}

pub async fn remove(
    store: &dyn DocumentStore,
    project: &ProjectId,
    actor: &UserId,
    actor_role: Role,
    target: &UserId,
) -> Result<(), DomainError> {
    let (member, etag) = load(store, project, target)
        .await?
        .ok_or(DomainError::NotFound)?;
    if !may_change(actor_role, member.role, None) {
        return Err(DomainError::Forbidden(
            "your role may not remove this member",
        ));
    }
    if member.role == Role::Owner && owner_count(store, project).await? <= 1 {
        return Err(DomainError::Conflict(
            "the last owner cannot be removed; make someone else owner first".into(),
        ));
    }
    end_membership(store, project, target, &etag, actor, "member.removed").await
}

/// The `reason` of the 409 that refuses the last owner, so a client can
/// say why in its own words.
pub const LAST_OWNER: &str = "last-owner";

/// A member leaves the project themselves, whatever their role; the last
/// owner cannot, as a project always keeps one. One audit entry.
pub async fn leave(
    store: &dyn DocumentStore,
    project: &ProjectId,
    user: &UserId,
) -> Result<(), DomainError> {
    let (member, etag) = load(store, project, user)
        .await?
        .ok_or(DomainError::NotFound)?;
    if member.role == Role::Owner && owner_count(store, project).await? <= 1 {
        return Err(DomainError::ConflictReason {
            detail: "you are the project's last owner and cannot leave it; make someone else owner first, or delete the project".into(),
            reason: LAST_OWNER,
        });
    }
    end_membership(store, project, user, &etag, user, "member.left").await
}

/// Ends `target`'s membership, guarded by its ETag and audited as `action`
/// in the same batch; then its copy goes and its open invitations are
/// withdrawn. Removal and leaving differ only in who acts.
async fn end_membership(
    store: &dyn DocumentStore,
    project: &ProjectId,
    target: &UserId,
    etag: &ETag,
    actor: &UserId,
    action: &str,
) -> Result<(), DomainError> {
    guarded_batch(
        store,
        project,
        vec![
            BatchOp::Delete {
                id: member_id(target),
                if_match: Some(etag.clone()),
            },
            BatchOp::Create(audit::entry(
                &project.as_string(),
                Some(actor),
                action,
                "member",
                &target.as_string(),
                &[],
            )?),
        ],
    )
    .await?;
    delete_membership_copy(store, project, target).await?;
    invitations::withdraw_sent_by(store, project, target).await?;
    Ok(())
}
