//! Passes and codes of bookings in the store: the pass is issued in the
//! batch that approves a booking, and a lookup record (in `identities`,
//! keyed by the token's hash) lets the public pass page and the gate find
//! the booking from a token alone. The lookup only points; the booking's
//! own hash decides, so a lookup left by a regenerated pass finds nothing.
//! Codes are claimed by a `code-<CODE>` record in the project's partition,
//! created in the booking's batch, so two bookings never share one.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::layout::{self, audit_op, commit};
use super::model::{Booking, SCHEDULE};
use super::resources::{self, Resource};
use crate::domain::actor::Actor;
use crate::domain::error::DomainError;
use crate::domain::files::{self, FileRecord};
use crate::domain::ids::{BookingId, ProjectId, ResourceId};
use crate::domain::passes::{self, Dead, PassKey, PassRecord};
use crate::domain::projects::{self, Project};
use crate::domain::record::{self, Record};
use crate::domain::retry::{Attempt, retry_on_precondition};
use crate::domain::roles::Action;
use crate::store::containers::{IDENTITIES, PROJECTS};
use crate::store::{BatchOp, DocumentStore, StoreError};

/// Where a token leads: one document per live or dead pass.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PassLookup {
    project_id: ProjectId,
    booking_id: BookingId,
}

/// Its id: one per partition, the partition is the token's hash.
const LOOKUP_ID: &str = "pass";

impl Record for PassLookup {
    const CONTAINER: crate::store::Container = IDENTITIES;
    const KIND: &'static str = "passToken";
    /// The token's hash.
    type Owner = str;

    fn partition_key(token_hash: &str) -> String {
        format!("pass-{token_hash}")
    }

    fn id(&self) -> String {
        LOOKUP_ID.to_owned()
    }
}

/// A booking code's claim in the project.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CodeClaim {
    code: String,
    booking_id: BookingId,
}

impl Record for CodeClaim {
    const CONTAINER: crate::store::Container = PROJECTS;
    const KIND: &'static str = "bookingCode";
    type Owner = ProjectId;

    fn partition_key(project: &ProjectId) -> String {
        project.as_string()
    }

    fn id(&self) -> String {
        format!("code-{}", self.code)
    }
}

/// Give a new booking a fresh code, and the operation that claims it. A
/// taken code fails the batch with `Conflict`; the caller draws again.
pub(super) fn claim_code(project: &ProjectId, b: &mut Booking) -> Result<BatchOp, StoreError> {
    let code = passes::new_code();
    b.code = Some(code.clone());
    CodeClaim {
        code,
        booking_id: b.booking_id.clone(),
    }
    .create_op(project)
}

/// A batch that failed on a taken code is tried again with new codes.
pub(super) fn of_write_with_codes<W, T>(
    written: Result<W, StoreError>,
    done: T,
) -> Result<Attempt<T>, DomainError> {
    match written {
        Err(StoreError::Conflict) => Ok(Attempt::Retry),
        other => Attempt::of_write(other, done),
    }
}

/// Issue a pass to an approved booking that has none, valid from the
/// write that approves it.
pub(super) fn issue_if_due(key: &PassKey, b: &mut Booking) {
    if b.pass.is_none() && passes::earns_pass(b.status) {
        b.pass = Some(key.issue(&b.booking_id, b.updated_at).0);
    }
}

/// After a committed write: point the new pass's token at its booking and
/// forget the old one's. Best effort, like the mail: the booking is
/// written; a failure leaves a pass that regenerating repairs.
pub(super) async fn publish(
    store: &dyn DocumentStore,
    project: &ProjectId,
    old: Option<&PassRecord>,
    new: &Booking,
) {
    let new_hash = new.pass.as_ref().map(|p| p.token_hash.as_str());
    let old_hash = old.map(|p| p.token_hash.as_str());
    if new_hash == old_hash {
        return;
    }
    if let Some(h) = new_hash
        && let Err(e) = write_lookup(store, project, &new.booking_id, h).await
    {
        tracing::warn!(error = %e, "pass lookup not written");
    }
    if let Some(h) = old_hash
        && let Err(e) = drop_lookup(store, h).await
    {
        tracing::warn!(error = %e, "old pass lookup not removed");
    }
}

/// Commit a batch that creates bookings and, in the same round trip,
/// point their passes' tokens at them: a new booking's response waits for
/// one write, not two in a row. A failed commit takes the lookups back (a
/// lookup only points; the booking's own hash decides, so one left behind
/// by a crash finds nothing).
pub(super) async fn commit_with_lookups(
    store: &dyn DocumentStore,
    project: &ProjectId,
    ops: Vec<BatchOp>,
    created: &[&Booking],
) -> Result<Vec<Option<crate::store::ETag>>, StoreError> {
    let hashes: Vec<(&BookingId, &str)> = created
        .iter()
        .filter_map(|b| Some((&b.booking_id, b.pass.as_ref()?.token_hash.as_str())))
        .collect();
    let lookups = futures::future::join_all(
        hashes
            .iter()
            .map(|(id, h)| write_lookup(store, project, id, h)),
    );
    let (written, looked) = tokio::join!(commit(store, project, ops), lookups);
    if written.is_err() {
        for (_, h) in &hashes {
            if let Err(e) = drop_lookup(store, h).await {
                tracing::warn!(error = %e, "pass lookup of an unwritten booking not removed");
            }
        }
    } else if let Some(Err(e)) = looked.into_iter().find(Result::is_err) {
        tracing::warn!(error = %e, "pass lookup not written");
    }
    written
}

/// Make sure a booking's pass is found by its token: the lookup written
/// after the booking's batch is best effort, and a mail that hands out
/// the link must not hand out a dead one.
pub async fn ensure_findable(
    store: &dyn DocumentStore,
    project: &ProjectId,
    b: &Booking,
) -> Result<(), StoreError> {
    match &b.pass {
        Some(p) => write_lookup(store, project, &b.booking_id, &p.token_hash).await,
        None => Ok(()),
    }
}

async fn write_lookup(
    store: &dyn DocumentStore,
    project: &ProjectId,
    booking: &BookingId,
    hash: &str,
) -> Result<(), StoreError> {
    let lookup = PassLookup {
        project_id: project.clone(),
        booking_id: booking.clone(),
    };
    store
        .upsert(IDENTITIES, lookup.document(hash)?)
        .await
        .map(|_| ())
}

async fn drop_lookup(store: &dyn DocumentStore, hash: &str) -> Result<(), StoreError> {
    match store
        .delete(
            IDENTITIES,
            &PassLookup::partition_key(hash),
            LOOKUP_ID,
            None,
        )
        .await
    {
        Err(StoreError::NotFound) => Ok(()),
        other => other,
    }
}

/// What a token leads to: the booking of a pass, alive or dead.
pub enum Found {
    Live(Booking),
    Dead { booking: Booking, why: Dead },
}

/// The project and booking a token names, or `None` for a token that was
/// never issued or was regenerated.
pub async fn find_by_token(
    store: &dyn DocumentStore,
    token: &str,
) -> Result<Option<(ProjectId, Found)>, DomainError> {
    if !passes::is_token(token) {
        return Ok(None);
    }
    let hash = passes::token_hash(token);
    let Some(doc) = store
        .read(IDENTITIES, &PassLookup::partition_key(&hash), LOOKUP_ID)
        .await?
    else {
        return Ok(None);
    };
    let lookup: PassLookup = doc.parse()?;
    let Some((b, _)) = layout::load(store, &lookup.project_id, &lookup.booking_id).await? else {
        return Ok(None);
    };
    if b.pass.as_ref().map(|p| p.token_hash.as_str()) != Some(hash.as_str()) {
        return Ok(None);
    }
    Ok(Some((lookup.project_id, judge(b, Timestamp::now()))))
}

fn judge(b: Booking, now: Timestamp) -> Found {
    match passes::check(b.status, b.end, now) {
        Ok(()) => Found::Live(b),
        Err(why) => Found::Dead { booking: b, why },
    }
}

/// The refusal of a dead pass: 410 with the reason.
pub fn gone(why: Dead) -> DomainError {
    DomainError::GoneReason {
        detail: why.detail(),
        reason: why.reason(),
    }
}

/// The booking with `code` in the project, if any.
pub async fn find_by_code(
    store: &dyn DocumentStore,
    project: &ProjectId,
    code: &str,
) -> Result<Option<Booking>, DomainError> {
    let Some(code) = passes::normalize_code(code) else {
        return Ok(None);
    };
    let Some((claim, _)) =
        record::load::<CodeClaim>(store, project, &format!("code-{code}")).await?
    else {
        return Ok(None);
    };
    Ok(layout::load(store, project, &claim.booking_id)
        .await?
        .map(|(b, _)| b))
}

/// What the gate scanned or typed.
pub enum GateQuery<'a> {
    /// A pass link or a bare token.
    Pass(&'a str),
    Code(&'a str),
}

/// The booking the gate means, for someone who may check in: unknown →
/// not found; another project's pass → conflict `other-project`; a dead
/// booking → gone with the reason.
pub async fn gate_lookup(
    store: &dyn DocumentStore,
    actor: &Actor,
    query: GateQuery<'_>,
) -> Result<Booking, DomainError> {
    actor.require(Action::GateCheck)?;
    let found = match query {
        GateQuery::Pass(text) => {
            let token = passes::token_from_scan(text).ok_or(DomainError::NotFound)?;
            let (project, found) = find_by_token(store, token)
                .await?
                .ok_or(DomainError::NotFound)?;
            if project != actor.project_id {
                return Err(DomainError::ConflictReason {
                    detail: "this pass belongs to another project".into(),
                    reason: "other-project",
                });
            }
            found
        }
        GateQuery::Code(code) => {
            let b = find_by_code(store, &actor.project_id, code)
                .await?
                .ok_or(DomainError::NotFound)?;
            judge(b, Timestamp::now())
        }
    };
    match found {
        Found::Live(b) => Ok(b),
        Found::Dead { why, .. } => Err(gone(why)),
    }
}

/// A booking's live pass: the booking, when the pass was issued, and its
/// token.
pub struct LivePass {
    pub booking: Booking,
    pub valid_from: Timestamp,
    pub token: String,
}

/// A booking's live pass. `NotFound` while it has none (not approved yet,
/// or dead).
pub async fn live_pass(
    store: &dyn DocumentStore,
    key: &PassKey,
    actor: &Actor,
    id: &BookingId,
) -> Result<LivePass, DomainError> {
    actor.require(Action::ViewBookings)?;
    let (b, _) = layout::require(store, &actor.project_id, id).await?;
    let pass = b.pass.as_ref().ok_or(DomainError::NotFound)?;
    passes::check(b.status, b.end, Timestamp::now()).map_err(|_| DomainError::NotFound)?;
    let token = key
        .token_of(&b.booking_id, pass)
        .ok_or(DomainError::NotFound)?;
    Ok(LivePass {
        valid_from: pass.valid_from,
        token,
        booking: b,
    })
}

/// Draw a new nonce: the old link is dead at once. Anyone who can see the
/// booking may; audited without the token. An approved booking that has
/// no pass yet (approved before passes existed) gets its first.
pub async fn regenerate(
    store: &dyn DocumentStore,
    key: &PassKey,
    actor: &Actor,
    id: &BookingId,
) -> Result<LivePass, DomainError> {
    actor.require(Action::ViewBookings)?;
    let pid = &actor.project_id;
    let (old, new, token, valid_from) = retry_on_precondition(SCHEDULE, || async move {
        let (old, etag) = layout::require(store, pid, id).await?;
        if old.pass.is_none() && !passes::earns_pass(old.status) {
            return Err(DomainError::Conflict(format!(
                "a {} booking has no pass",
                old.status.as_str()
            )));
        }
        if let Err(why) = passes::check(old.status, old.end, Timestamp::now()) {
            return Err(gone(why));
        }
        let mut new = old.clone();
        let (pass, token) = key.issue(id, Timestamp::now());
        let valid_from = pass.valid_from;
        new.pass = Some(pass);
        let ops = vec![
            new.replace_op(pid, etag)?,
            audit_op(
                pid,
                &actor.user_id,
                "booking.pass-regenerated",
                "booking",
                &id.as_string(),
                &["pass"],
            )?,
        ];
        Attempt::of_write(commit(store, pid, ops).await, (old, new, token, valid_from))
    })
    .await?;
    publish(store, pid, old.pass.as_ref(), &new).await;
    Ok(LivePass {
        booking: new,
        valid_from,
        token,
    })
}

/// Remove the lookups of every pass of a project's bookings (P8): they live
/// outside its partition.
pub async fn drop_lookups_of_project(
    store: &dyn DocumentStore,
    project: &ProjectId,
) -> Result<(), DomainError> {
    let docs =
        crate::store::query_all(store, PROJECTS, &project.as_string(), Booking::of_kind()).await?;
    for d in docs {
        let b: Booking = d.parse()?;
        if let Some(p) = &b.pass {
            drop_lookup(store, &p.token_hash).await?;
        }
    }
    Ok(())
}

/// What a live pass shows: its booking, the project, the booked resources
/// (in the booking's order; a deleted resource is left out) and the plans
/// they are placed on.
pub struct OpenPass {
    pub project: Project,
    pub booking: Booking,
    pub resources: Vec<Resource>,
    pub plans: Vec<files::Plan>,
}

/// The site plans the resources are placed on. A restricted plan is for
/// managers only (P7), so a public pass never shows it, nor a place on it.
async fn placed_plans(
    store: &dyn DocumentStore,
    project: &ProjectId,
    resources: &mut [Resource],
) -> Result<Vec<files::Plan>, DomainError> {
    if resources.iter().all(|r| r.placement.is_none()) {
        return Ok(Vec::new());
    }
    let mut plans = files::site_plans(store, project, false).await?;
    resources::keep_placements_on(resources, &plans);
    plans.retain(|plan| {
        resources.iter().any(|r| {
            r.placement
                .as_ref()
                .is_some_and(|p| p.plan_id == plan.file.file_id.as_string())
        })
    });
    Ok(plans)
}

/// A plan image of a live pass: only a plan its resources are placed on.
pub async fn plan_of_pass(
    store: &dyn DocumentStore,
    token: &str,
    plan_id: &str,
) -> Result<(ProjectId, FileRecord), DomainError> {
    let open = open(store, token).await?;
    let plan = open
        .plans
        .into_iter()
        .find(|p| p.file.file_id.as_string() == plan_id)
        .ok_or(DomainError::NotFound)?;
    Ok((open.project.project_id, plan.file))
}

/// Open a pass by its token: not found for an unknown or regenerated
/// token, gone with the reason for a dead one.
pub async fn open(store: &dyn DocumentStore, token: &str) -> Result<OpenPass, DomainError> {
    let (project_id, found) = find_by_token(store, token)
        .await?
        .ok_or(DomainError::NotFound)?;
    let booking = match found {
        Found::Live(b) => b,
        Found::Dead { why, .. } => return Err(gone(why)),
    };
    let (project, resources) = tokio::join!(
        projects::require(store, &project_id),
        booked_resources(store, &project_id, &booking.resource_ids)
    );
    let mut resources = resources?;
    let plans = placed_plans(store, &project_id, &mut resources).await?;
    Ok(OpenPass {
        project: project?.0,
        resources,
        plans,
        booking,
    })
}

/// A booking's resources in its order, read together; a deleted one is
/// left out.
pub async fn booked_resources(
    store: &dyn DocumentStore,
    project: &ProjectId,
    ids: &[ResourceId],
) -> Result<Vec<Resource>, DomainError> {
    let reads =
        futures::future::try_join_all(ids.iter().map(|id| resources::load(store, project, id)))
            .await?;
    Ok(reads.into_iter().flatten().map(|(r, _)| r).collect())
}
