//! Project membership records: who is in a project with which role. The
//! member record in the project's partition is the authority that every
//! request checks; a copy in the user's partition lists the user's
//! projects. This module owns both records; the rules for changing them
//! live in `member_changes`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::audit;
use super::error::DomainError;
use super::ids::{ProjectId, UserId};
use super::record::{self, Record};
use super::roles::Role;
use crate::store::containers::{PROJECTS, USERS};
use crate::store::{BatchOp, Container, DocumentStore, ETag, NewDocument, StoreError, query_all};

/// A member of a project, in the project's partition: the authority.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub user_id: UserId,
    pub role: Role,
    #[serde(with = "crate::domain::time::fixed")]
    pub at: Timestamp,
    /// Opted in to the daily briefing of this project (P6); it ends with
    /// the membership.
    #[serde(default)]
    pub briefing: bool,
}

impl Record for Member {
    const CONTAINER: Container = PROJECTS;
    const KIND: &'static str = "member";
    type Owner = ProjectId;
    fn partition_key(project: &ProjectId) -> String {
        project.as_string()
    }
    fn id(&self) -> String {
        member_id(&self.user_id)
    }
}

/// The copy of a membership in the member's own partition.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MembershipCopy {
    pub project_id: ProjectId,
    pub role: Role,
}

impl Record for MembershipCopy {
    const CONTAINER: Container = USERS;
    const KIND: &'static str = "membership";
    type Owner = UserId;
    fn partition_key(user: &UserId) -> String {
        user.as_string()
    }
    fn id(&self) -> String {
        copy_id(&self.project_id)
    }
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
    Member {
        user_id: user.clone(),
        role,
        at: Timestamp::now(),
        briefing: false,
    }
    .document(project)
}

pub async fn write_membership_copy(
    store: &dyn DocumentStore,
    project: &ProjectId,
    user: &UserId,
    role: Role,
) -> Result<(), StoreError> {
    let copy = MembershipCopy {
        project_id: project.clone(),
        role,
    };
    store.upsert(USERS, copy.document(user)?).await.map(|_| ())
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

/// One page of the copies in the user's partition: the user's projects.
pub async fn copies_page(
    store: &dyn DocumentStore,
    user: &UserId,
    limit: u32,
    next: Option<String>,
) -> Result<(Vec<MembershipCopy>, Option<String>), DomainError> {
    let page = store
        .query(
            USERS,
            &user.as_string(),
            MembershipCopy::of_kind().limit(limit).continuation(next),
        )
        .await?;
    let copies = page
        .items
        .iter()
        .map(|d| d.parse())
        .collect::<Result<_, _>>()?;
    Ok((copies, page.continuation))
}

/// Every copy in the user's partition.
pub async fn copies_of(
    store: &dyn DocumentStore,
    user: &UserId,
) -> Result<Vec<MembershipCopy>, DomainError> {
    let docs = query_all(store, USERS, &user.as_string(), MembershipCopy::of_kind()).await?;
    Ok(docs.iter().map(|d| d.parse()).collect::<Result<_, _>>()?)
}

pub async fn load(
    store: &dyn DocumentStore,
    project: &ProjectId,
    user: &UserId,
) -> Result<Option<(Member, ETag)>, DomainError> {
    Ok(record::load::<Member>(store, project, &member_id(user)).await?)
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
            Member::of_kind().limit(limit).continuation(next),
        )
        .await?;
    let members = page
        .items
        .iter()
        .map(|d| d.parse())
        .collect::<Result<_, _>>()?;
    Ok((members, page.continuation))
}

/// Every member of the project.
pub async fn all(
    store: &dyn DocumentStore,
    project: &ProjectId,
) -> Result<Vec<Member>, DomainError> {
    let docs = query_all(store, PROJECTS, &project.as_string(), Member::of_kind()).await?;
    Ok(docs.iter().map(|d| d.parse()).collect::<Result<_, _>>()?)
}

pub async fn owner_count(
    store: &dyn DocumentStore,
    project: &ProjectId,
) -> Result<usize, DomainError> {
    let owners = query_all(
        store,
        PROJECTS,
        &project.as_string(),
        Member::of_kind().eq("role", Role::Owner.as_str()),
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
