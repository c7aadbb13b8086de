//! The project's bookings as an RFC 5545 iCalendar feed, and the per-user
//! feed tokens that let calendar apps (which cannot send bearer tokens)
//! read it. Only a token's SHA-256 is stored; creating a new token revokes
//! the old one, and a token stops working when its user leaves the project.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::Digest;

use super::model::{Booking, BookingStatus};
use super::resources::Resource;
use crate::domain::actor::Actor;
use crate::domain::audit;
use crate::domain::error::DomainError;
use crate::domain::ids::{ProjectId, ResourceId, UserId};
use crate::domain::members;
use crate::domain::passes::{self, PassLinks};
use crate::domain::projects::Project;
use crate::domain::roles::{Action, allows};
use crate::store::containers::PROJECTS;
use crate::store::{BatchOp, DocumentStore, NewDocument, Query, StoreError};

pub const FEED_KIND: &str = "calendarFeed";
/// How far back the feed reaches; calendar apps keep what they saw.
const PAST_DAYS: i64 = 90;
const MAX_EVENTS: usize = 5000;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Feed {
    kind: String,
    user_id: UserId,
    #[serde(with = "crate::domain::time::fixed")]
    at: Timestamp,
}

fn feed_id(token: &str) -> String {
    format!(
        "calfeed-{}",
        hex::encode(sha2::Sha256::digest(token.as_bytes()))
    )
}

async fn feeds_of(
    store: &dyn DocumentStore,
    pk: &str,
    user: &UserId,
) -> Result<Vec<String>, StoreError> {
    let page = store
        .query(
            PROJECTS,
            pk,
            Query::new()
                .eq("kind", FEED_KIND)
                .eq("userId", user.as_string())
                .limit(100),
        )
        .await?;
    Ok(page.items.into_iter().map(|d| d.id).collect())
}

/// A new feed token for the actor, replacing any earlier one.
pub async fn create_feed(store: &dyn DocumentStore, actor: &Actor) -> Result<String, DomainError> {
    actor.require(Action::ViewBookings)?;
    let user = &actor.user_id;
    let pk = actor.project_id.as_string();
    let token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let feed = Feed {
        kind: FEED_KIND.into(),
        user_id: user.clone(),
        at: Timestamp::now(),
    };
    let mut ops: Vec<BatchOp> = feeds_of(store, &pk, user)
        .await?
        .into_iter()
        .map(|id| BatchOp::Delete { id, if_match: None })
        .collect();
    ops.push(BatchOp::Create(NewDocument::from_record(
        &pk,
        feed_id(&token),
        &feed,
    )?));
    ops.push(BatchOp::Create(audit::entry(
        &pk,
        Some(user),
        "calendar-feed.created",
        "calendarFeed",
        &user.as_string(),
        &["token"],
    )?));
    store.batch(PROJECTS, &pk, ops).await?;
    Ok(token)
}

/// Revoke the actor's feed token; `NotFound` when there is none.
pub async fn revoke_feed(store: &dyn DocumentStore, actor: &Actor) -> Result<(), DomainError> {
    actor.require(Action::ViewBookings)?;
    let user = &actor.user_id;
    let pk = actor.project_id.as_string();
    let ids = feeds_of(store, &pk, user).await?;
    if ids.is_empty() {
        return Err(DomainError::NotFound);
    }
    let mut ops: Vec<BatchOp> = ids
        .into_iter()
        .map(|id| BatchOp::Delete { id, if_match: None })
        .collect();
    ops.push(BatchOp::Create(audit::entry(
        &pk,
        Some(user),
        "calendar-feed.revoked",
        "calendarFeed",
        &user.as_string(),
        &["token"],
    )?));
    store.batch(PROJECTS, &pk, ops).await?;
    Ok(())
}

/// Who may read a project's feed: the holder of a valid feed token who is
/// still a member, or else a signed-in member whose role may view bookings.
/// Anyone else is told the project does not exist (`NotFound`), as on every
/// project route.
pub async fn reader(
    store: &dyn DocumentStore,
    project: &ProjectId,
    feed_token: Option<&str>,
    signed_in: Option<&UserId>,
) -> Result<UserId, DomainError> {
    let reader = match (feed_token, signed_in) {
        (Some(token), _) => feed_user(store, project, token).await?,
        (None, Some(user)) => members::load(store, project, user)
            .await?
            .filter(|(m, _)| allows(m.role, Action::ViewBookings))
            .map(|_| user.clone()),
        (None, None) => None,
    };
    reader.ok_or(DomainError::NotFound)
}

/// The member a feed token belongs to, if it is valid and they still are one.
async fn feed_user(
    store: &dyn DocumentStore,
    project: &ProjectId,
    token: &str,
) -> Result<Option<UserId>, DomainError> {
    let Some(doc) = store
        .read(PROJECTS, &project.as_string(), &feed_id(token))
        .await?
    else {
        return Ok(None);
    };
    let feed: Feed = doc.parse()?;
    Ok(members::load(store, project, &feed.user_id)
        .await?
        .map(|_| feed.user_id))
}

/// Whether a booking appears in the feed: everything that holds or held a
/// slot; withdrawn bookings (cancelled, declined) do not.
pub fn listed(b: &Booking) -> bool {
    !matches!(b.status, BookingStatus::Cancelled | BookingStatus::Declined)
}

fn utc(ts: Timestamp) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(ts.as_second(), 0)
}

/// The feed of the project's listed bookings from `PAST_DAYS` ago on,
/// each with the site's address as its location and, in its description,
/// the access instructions and the live pass's link.
pub async fn render(
    store: &dyn DocumentStore,
    project: &Project,
    links: PassLinks<'_>,
) -> Result<String, DomainError> {
    let now = Timestamp::now().as_second();
    let from = Timestamp::from_second(now - PAST_DAYS * 86_400).map_err(StoreError::internal)?;
    let to = Timestamp::from_second(now + 10 * 366 * 86_400).map_err(StoreError::internal)?;
    let bookings =
        super::listing::all_between(store, &project.project_id, from, to, MAX_EVENTS).await?;
    let mut names: BTreeMap<ResourceId, Resource> = BTreeMap::new();
    let mut next = None;
    loop {
        let (items, token) = super::resources::list(store, &project.project_id, 200, next).await?;
        names.extend(
            items
                .into_iter()
                .map(|r: Resource| (r.resource_id.clone(), r)),
        );
        match token {
            Some(t) => next = Some(t),
            None => break,
        }
    }
    let now = Timestamp::now();
    let mut cal = Calendar::new();
    cal.name(&project.name);
    for b in bookings.iter().filter(|b| listed(b)) {
        let (Some(start), Some(end), Some(stamp)) = (utc(b.start), utc(b.end), utc(b.updated_at))
        else {
            continue;
        };
        let resources: Vec<&Resource> =
            b.resource_ids.iter().filter_map(|r| names.get(r)).collect();
        let mut summary = resources
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(" + ");
        if let Some(company) = &b.details.company {
            summary = format!("{summary}: {company}");
        }
        let mut description = format!("Status: {}", b.status.as_str());
        for (label, value) in [
            ("Material", &b.details.material),
            ("Quantity", &b.details.quantity),
            ("Supplier", &b.details.supplier),
            ("Vehicle", &b.details.vehicle_type),
        ] {
            if let Some(v) = value {
                description.push_str(&format!("\n{label}: {v}"));
            }
        }
        let link = links.live_link(&b.booking_id, b.status, b.end, b.pass.as_ref(), now);
        let access: Vec<(&str, Option<&str>)> = resources
            .iter()
            .map(|r| (r.name.as_str(), r.access_instructions.as_deref()))
            .collect();
        // The feed's labels are English (Status, Material, …); so is this one.
        let directions = passes::directions(
            project.access_instructions.as_deref(),
            &access,
            link.as_deref().map(|l| ("Driver pass", l)),
        );
        if !directions.is_empty() {
            description.push_str(&format!("\n{directions}"));
        }
        let status = match b.status {
            BookingStatus::Requested => EventStatus::Tentative,
            _ => EventStatus::Confirmed,
        };
        let mut event = Event::new();
        event
            .uid(&format!("{}@insite-lms", b.booking_id))
            .timestamp(stamp)
            .starts(start)
            .ends(end)
            .summary(&summary)
            .description(&description)
            .status(status);
        if let Some(address) = &project.address {
            event.location(address);
        }
        cal.push(event.done());
    }
    Ok(cal.done().to_string())
}
