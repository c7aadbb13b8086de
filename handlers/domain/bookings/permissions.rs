//! Who may book and change what. The role matrix (`roles`) answers the
//! plain questions on the one `Actor`; the rules here add what depends on
//! the booking or the project: requesters change their own bookings,
//! managers anyone's; members' bookings wait for approval and respect the
//! cut-off, managers' do not.

use jiff::Timestamp;

use super::model::{Booking, BookingStatus};
use crate::domain::actor::Actor;
use crate::domain::error::DomainError;
use crate::domain::projects::Project;
use crate::domain::roles::Action;

/// An actor allowed to book (and to change bookings, within the rules
/// below). Only `booker` makes one, so a function that takes it needs no
/// check of its own, and the check comes before the request is looked at.
#[derive(Debug, Clone, Copy)]
pub struct Booker<'a> {
    actor: &'a Actor,
}

/// The actor as a booker, or Forbidden.
pub fn booker(actor: &Actor) -> Result<Booker<'_>, DomainError> {
    actor.require(Action::CreateBooking)?;
    Ok(Booker { actor })
}

impl<'a> Booker<'a> {
    pub fn actor(&self) -> &'a Actor {
        self.actor
    }
}

pub(super) fn manages(actor: &Actor) -> bool {
    actor.may(Action::ManageBookings)
}

/// Own bookings with `CreateBooking`, anyone's with `ManageBookings`.
pub(super) fn require_owner_or_manager(actor: &Actor, b: &Booking) -> Result<(), DomainError> {
    if manages(actor) || (b.user_id == actor.user_id && actor.may(Action::CreateBooking)) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "only the requester or a manager may change this booking",
        ))
    }
}

/// Managers' bookings are approved; members' wait for approval unless the
/// project auto-approves.
pub(super) fn initial_status(actor: &Actor, project: &Project) -> BookingStatus {
    if manages(actor) || !project.settings.booking_approval_required {
        BookingStatus::Approved
    } else {
        BookingStatus::Requested
    }
}

/// The booking cut-off: members may not book or change slots starting
/// sooner than the project's cut-off; managers are exempt.
pub(super) fn check_cutoff(
    actor: &Actor,
    project: &Project,
    start: Timestamp,
) -> Result<(), DomainError> {
    if manages(actor) {
        return Ok(());
    }
    let hours = project.settings.booking_cutoff_hours;
    let earliest = Timestamp::now().as_second() + i64::from(hours) * 3600;
    if start.as_second() < earliest {
        return Err(DomainError::field(
            "start",
            format!("bookings must start at least {hours} hours from now"),
        ));
    }
    Ok(())
}
