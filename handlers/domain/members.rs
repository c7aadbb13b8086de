//! Project membership: who is in a project with which role. The member
//! record in the project's partition is the authority that every request
//! checks; a copy in the user's partition lists the user's projects. Role
//! changes and removals touch the project record too, so two concurrent
//! changes can never leave a project without an owner. A member who leaves
//! or loses the right to invite takes their pending invitations along.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::audit;
use super::error::DomainError;
use super::ids::{ProjectId, UserId};
use super::invitations;
use super::projects::{self, PROJECT_ID};
use super::roles::{Action, Role, allows};
use crate::store::containers::{PROJECTS, USERS};
use crate::store::{
    BatchOp, DocumentStore, ETag, NewDocument, Query, StoreError, query_all, read_record,
};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub kind: String,
    pub user_id: UserId,
    pub role: Role,
    #[serde(with = "crate::domain::time::fixed")]
    pub at: Timestamp,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MembershipCopy {
    #[serde(default)]
    pub kind: String,
    pub project_id: ProjectId,
    pub role: Role,
}

pub fn member_id(user: &UserId) -> String {
    format!("member-{user}")
}

fn copy_id(project: &ProjectId) -> String {
    format!("membership-{project}")
}

pub fn member_doc(
    project: &ProjectId,
    user: &UserId,
    role: Role,
) -> Result<NewDocument, StoreError> {
    let m = Member {
        kind: "member".into(),
        user_id: user.clone(),
        role,
        at: Timestamp::now(),
    };
    NewDocument::from_record(project.as_string(), member_id(user), &m)
}

pub async fn write_membership_copy(
    store: &dyn DocumentStore,
    project: &ProjectId,
    user: &UserId,
    role: Role,
) -> Result<(), StoreError> {
    let copy = MembershipCopy {
        kind: "membership".into(),
        project_id: project.clone(),
        role,
    };
    store
        .upsert(
            USERS,
            NewDocument::from_record(user.as_string(), copy_id(project), &copy)?,
        )
        .await
        .map(|_| ())
}

pub async fn delete_membership_copy(
    store: &dyn DocumentStore,
    project: &ProjectId,
    user: &UserId,
) -> Result<(), StoreError> {
    match store
        .delete(USERS, &user.as_string(), &copy_id(project), None)
        .await
    {
        Ok(()) | Err(StoreError::NotFound) => Ok(()),
        Err(e) => Err(e),
    }
}

pub async fn load(
    store: &dyn DocumentStore,
    project: &ProjectId,
    user: &UserId,
) -> Result<Option<(Member, ETag)>, DomainError> {
    Ok(read_record(store, PROJECTS, &project.as_string(), &member_id(user)).await?)
}

pub async fn list(
    store: &dyn DocumentStore,
    project: &ProjectId,
    limit: u32,
    next: Option<String>,
) -> Result<(Vec<Member>, Option<String>), DomainError> {
    let page = store
        .query(
            PROJECTS,
            &project.as_string(),
            Query::new()
                .eq("kind", "member")
                .limit(limit)
                .continuation(next),
        )
        .await?;
    let members = page
        .items
        .iter()
        .map(|d| d.parse())
        .collect::<Result<_, _>>()?;
    Ok((members, page.continuation))
}

pub async fn owner_count(
    store: &dyn DocumentStore,
    project: &ProjectId,
) -> Result<usize, DomainError> {
    let owners = query_all(
        store,
        PROJECTS,
        &project.as_string(),
        Query::new().eq("kind", "member").eq("role", "owner"),
    )
    .await?;
    Ok(owners.len())
}

/// Add a member (or change nothing if already one); used by invitations.
/// `extra` joins the same batch, e.g. the accepted invitation.
pub async fn add(
    store: &dyn DocumentStore,
    project: &ProjectId,
    actor: &UserId,
    user: &UserId,
    role: Role,
    extra: Vec<BatchOp>,
) -> Result<(), DomainError> {
    let pk = project.as_string();
    let mut batch = extra;
    if load(store, project, user).await?.is_none() {
        batch.push(BatchOp::Create(member_doc(project, user, role)?));
    }
    batch.push(BatchOp::Create(audit::entry(
        &pk,
        Some(actor),
        "member.added",
        "member",
        &user.as_string(),
        &["role"],
    )?));
    store.batch(PROJECTS, &pk, batch).await?;
    write_membership_copy(store, project, user, role).await?;
    Ok(())
}

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
            BatchOp::Replace {
                doc: NewDocument::from_record(&pk, member_id(target), &member)?,
                if_match: Some(etag),
            },
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
    let pk = project.as_string();
    guarded_batch(
        store,
        project,
        vec![
            BatchOp::Delete {
                id: member_id(target),
                if_match: Some(etag),
            },
            BatchOp::Create(audit::entry(
                &pk,
                Some(actor),
                "member.removed",
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
    let pk = project.as_string();
    guarded_batch(
        store,
        project,
        vec![
            BatchOp::Delete {
                id: member_id(user),
                if_match: Some(etag),
            },
            BatchOp::Create(audit::entry(
                &pk,
                Some(user),
                "member.left",
                "member",
                &user.as_string(),
                &[],
            )?),
        ],
    )
    .await?;
    delete_membership_copy(store, project, user).await?;
    invitations::withdraw_sent_by(store, project, user).await?;
    Ok(())
}
