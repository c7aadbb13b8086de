//! The workflow steps of a booking (approve, decline, cancel, check in and
//! out at the gate, turn away), and the mail that tells the requester.

use jiff::Timestamp;

use super::command::{Transition, checked_at};
use super::layout::{self, audit_op, commit, release_ops};
use super::model::{Booking, BookingStatus, SCHEDULE};
use super::{pass, permissions};
use crate::domain::actor::Actor;
use crate::domain::error::DomainError;
use crate::domain::ids::{BookingId, ProjectId, UserId};
use crate::domain::opt_in;
use crate::domain::passes::PassKey;
use crate::domain::projects::Project;
use crate::domain::record::Record;
use crate::domain::retry::{Attempt, retry_on_precondition};
use crate::domain::roles::Action;
use crate::store::DocumentStore;

impl Transition {
    fn name(&self) -> &'static str {
        match self {
            Transition::Approve => "approved",
            Transition::Decline { .. } => "declined",
            Transition::Cancel { .. } => "cancelled",
            Transition::CheckIn { .. } => "checked-in",
            Transition::CheckOut { .. } => "checked-out",
            Transition::TurnAway { .. } => "turned-away",
        }
    }

    /// Who may take the step, the states it leaves and the state it reaches.
    fn rule(&self) -> (Action, &'static [BookingStatus], BookingStatus) {
        use BookingStatus::*;
        match self {
            Transition::Approve => (Action::ManageBookings, &[Requested], Approved),
            Transition::Decline { .. } => (Action::ManageBookings, &[Requested], Declined),
            Transition::Cancel { .. } => (Action::CreateBooking, &[Requested, Approved], Cancelled),
            Transition::CheckIn { .. } => (Action::GateCheck, &[Approved], CheckedIn),
            Transition::CheckOut { .. } => (Action::GateCheck, &[CheckedIn], CheckedOut),
            Transition::TurnAway { .. } => (Action::GateCheck, &[Requested, Approved], TurnedAway),
        }
    }

    /// The booking after the step, with the fields the step changed.
    fn apply(
        &self,
        old: &Booking,
        reason: Option<&String>,
    ) -> Result<(Booking, Vec<&'static str>), DomainError> {
        let (_, _, to) = self.rule();
        let mut new = old.clone();
        new.status = to;
        new.updated_at = Timestamp::now();
        let mut changed = vec!["status"];
        if let Some(r) = reason {
            new.reason = Some(r.clone());
            changed.push("reason");
        }
        match self {
            Transition::CheckIn { at } => {
                new.actual_arrival = Some(checked_at(*at)?);
                changed.push("actualArrival");
            }
            Transition::CheckOut { at } => {
                new.actual_departure = Some(checked_at(*at)?);
                changed.push("actualDeparture");
            }
            _ => {}
        }
        Ok((new, changed))
    }
}

/// Take a workflow step. Illegal steps are conflicts; steps that end a
/// booking free its time.
pub async fn transition(
    store: &dyn DocumentStore,
    key: &PassKey,
    project: &Project,
    actor: &Actor,
    id: &BookingId,
    step: Transition,
) -> Result<Booking, DomainError> {
    actor.require(Action::ViewBookings)?;
    let (action, from, to) = step.rule();
    let reason = step.reason()?;
    let (step, reason, pid) = (&step, &reason, &project.project_id);
    let (new, old_pass, changed_now) = retry_on_precondition(SCHEDULE, || async move {
        let (old, etag) = layout::require(store, pid, id).await?;
        match step {
            Transition::Cancel { .. } => permissions::require_owner_or_manager(actor, &old)?,
            _ => actor.require(action)?,
        }
        // A retried scan at the gate: already in the state the step reaches,
        // so nothing is written, audited or sent again.
        if old.status == to
            && matches!(
                step,
                Transition::CheckIn { .. } | Transition::CheckOut { .. }
            )
        {
            return Ok(Attempt::Done((old, None, false)));
        }
        if !from.contains(&old.status) {
            return Err(DomainError::Conflict(format!(
                "a {} booking cannot be {}",
                old.status.as_str(),
                step.name()
            )));
        }
        let (mut new, changed) = step.apply(&old, reason.as_ref())?;
        pass::issue_if_due(key, &mut new);
        let mut ops = Vec::new();
        if old.status.occupies() && !to.occupies() {
            ops.extend(release_ops(&old));
        }
        ops.push(new.replace_op(pid, etag)?);
        let audit = format!("booking.{}", step.name());
        let target = id.as_string();
        ops.push(audit_op(
            pid,
            &actor.user_id,
            &audit,
            "booking",
            &target,
            &changed,
        )?);
        let old_pass = old.pass.clone();
        Attempt::of_write(commit(store, pid, ops).await, (new, old_pass, true))
    })
    .await?;
    if changed_now {
        pass::publish(store, pid, old_pass.as_ref(), &new).await;
        notify(store, pid, &actor.user_id, &new).await;
    }
    Ok(new)
}

/// Tell the requester about a status change someone else made, if they
/// opted in to notifications (P6). The change is committed already, so a
/// failure to queue the mail is logged, not reported as the change failing.
pub(super) async fn notify(
    store: &dyn DocumentStore,
    project: &ProjectId,
    actor: &UserId,
    b: &Booking,
) {
    if &b.user_id == actor {
        return;
    }
    // The mail names ids and the status only; it is rendered at send time.
    let params = serde_json::json!({
        "projectId": project,
        "bookingId": b.booking_id,
        "status": b.status.as_str(),
    });
    let queued =
        opt_in::enqueue_for_user(store, &b.user_id, project, "booking-status", params).await;
    if let Err(e) = queued {
        tracing::warn!(error = %e, "booking status mail not queued");
    }
}
