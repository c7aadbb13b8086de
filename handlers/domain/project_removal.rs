//! Deleting a project (P8): everything of a project lives in its partition,
//! so deleting it is deleting that partition, plus the few things its
//! owners keep elsewhere (membership copies, invitation tokens, pass
//! lookups, queued mail, file blobs). It sits above projects, members and invitations
//! because it asks each of them.

use sha2::Digest;

use super::audit;
use super::bookings;
use super::error::DomainError;
use super::ids::{ProjectId, UserId};
use super::invitations;
use super::members;
use super::outbox;
use super::projects::{self, PROJECT_ID, blob_prefix, org_project_id};
use crate::store::containers::{ORGANIZATIONS, PROJECTS};
use crate::store::{BatchOp, BlobStore, DocumentStore, Query, StoreError};

/// Delete a project and everything in it (P8): members' membership copies,
/// invitation tokens, file blobs, then every document of its partition,
/// the project record last so that an interrupted delete can be repeated.
pub async fn delete_project(
    store: &dyn DocumentStore,
    blobs: &dyn BlobStore,
    actor: &UserId,
    project_id: &ProjectId,
) -> Result<(), DomainError> {
    let (project, _) = projects::require(store, project_id).await?;
    let pk = project_id.as_string();

    for m in members::all(store, project_id).await? {
        members::delete_membership_copy(store, project_id, &m.user_id).await?;
    }
    invitations::drop_tokens_of_project(store, project_id).await?;
    bookings::pass::drop_lookups_of_project(store, project_id).await?;
    outbox::drop_for_project(store, project_id).await?;
    for blob in blobs.list(&blob_prefix(project_id)).await? {
        blobs.delete(&blob.name).await?;
    }
    loop {
        let page = store.query(PROJECTS, &pk, Query::new().limit(100)).await?;
        let ids: Vec<String> = page
            .items
            .iter()
            .map(|d| d.id.clone())
            .filter(|id| id != PROJECT_ID)
            .collect();
        if ids.is_empty() {
            break;
        }
        let ops = ids
            .into_iter()
            .map(|id| BatchOp::Delete { id, if_match: None })
            .collect();
        store.batch(PROJECTS, &pk, ops).await?;
    }
    ignore_missing(store.delete(PROJECTS, &pk, PROJECT_ID, None).await)?;
    ignore_missing(
        store
            .delete(
                ORGANIZATIONS,
                &project.organization_id.as_string(),
                &org_project_id(project_id),
                None,
            )
            .await,
    )?;
    // The organization's log keeps who deleted which project when; the
    // project is named by a one-way hash, as nothing may keep its id (P8).
    let org_pk = project.organization_id.as_string();
    let reference = format!(
        "sha256:{}",
        hex::encode(sha2::Sha256::digest(pk.as_bytes()))
    );
    store
        .create(
            ORGANIZATIONS,
            audit::entry(
                &org_pk,
                Some(actor),
                "project.deleted",
                "project",
                &reference,
                &[],
            )?,
        )
        .await?;
    Ok(())
}

fn ignore_missing(r: Result<(), StoreError>) -> Result<(), StoreError> {
    match r {
        Err(StoreError::NotFound) => Ok(()),
        other => other,
    }
}
