//! Delivery-slot bookings: placing them without double booking, the
//! workflow (requested → approved | declined; approved → checked-in →
//! checked-out; cancel; turn-away; reschedule), recurring series, queries
//! and availability.
//!
//! Double booking is prevented by the store, not by a lock: every write
//! that claims time on a resource replaces the resource document with
//! If-Match in the same transactional batch that creates the booking and its
//! slot records. Of two writers that read the same resource version, one
//! fails with `PreconditionFailed`, re-reads (`retry`), and then sees the
//! other's slot. Within one process, new bookings on a resource take turns
//! first (`queue`), so retries are rare and fair.
//!
//! One file per job:
//! - `model`: what a booking is;
//! - `command`: the typed commands and how requests become them;
//! - `permissions`: who may book and change what, on the one `Actor`;
//! - `layout`: the document layout (ids, kinds, slot keys, claim and
//!   release batches, the queries), owned there alone;
//! - `placing`: the conflict check and the writes that claim time;
//! - `workflow`: the status steps and the mail they queue;
//! - `listing`: lists, feeds and availability;
//! - `rules`: the pure rules the conflict check and availability share.

pub mod calendar;
mod command;
pub mod conflicts;
mod layout;
mod listing;
pub mod model;
pub mod pass;
mod permissions;
mod placing;
mod queue;
pub mod reports;
pub mod resources;
pub mod rules;
mod workflow;

pub use command::{
    BookingChange, BookingRequest, MAX_OCCURRENCES, MAX_RESOURCES_PER_BOOKING, NewBooking,
    NewSeries, Transition,
};
pub use conflicts::{Blocking, ConflictRange, SkippedOccurrence};
pub use layout::{KIND, booking_docs, doc_id, load};
pub use listing::{
    FreeWindow, ListFilter, MAX_AVAILABILITY_DAYS, PrefetchedPage, all_between, availability, get,
    list, list_prefetched, prefetch_page,
};
pub use model::{Booking, BookingDetails, BookingStatus};
pub use permissions::{Booker, booker};
pub use placing::{Prefetched, SeriesOutcome, create, create_series, prefetch, reschedule};
pub use workflow::transition;
