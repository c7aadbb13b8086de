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
use super::roles::Role;
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
            Query::new()
                .eq("kind", "membership")
                .limit(limit)
                .continuation(next),
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
    let docs = query_all(
        store,
        USERS,
        &user.as_string(),
        Query::new().eq("kind", "membership"),
    )
    .await?;
    Ok(docs.iter().map(|d| d.parse()).collect::<Result<_, _>>()?)
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
