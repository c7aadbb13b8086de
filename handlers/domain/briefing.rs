//! The daily briefing (P6): members who opted in for a project get, on the
//! afternoon before, tomorrow's approved deliveries per resource. The
//! opt-in is a flag on the member record, so it ends with the membership,
//! the project and the account. The `send-briefings` timer queues one mail
//! per opted-in member once per project and day: a marker record created
//! if absent claims the day, so a second firing queues nothing. The mail's
//! content is read at send time, in the recipient's language.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde_json::json;

use super::accounts;
use super::audit;
use super::bookings::resources::{self, Resource};
use super::bookings::{Booking, BookingStatus};
use super::email::EmailAddress;
use super::error::DomainError;
use super::ids::{ProjectId, UserId};
use super::members::{self, Member};
use super::outbox;
use super::projects::{self, Project};
use super::record::Record;
use super::retry::{Attempt, retry_on_precondition};
use super::site;
use crate::store::containers::PROJECTS;
use crate::store::{BatchOp, DocumentStore, StoreError};

/// The outbox template of the briefing.
pub const TEMPLATE: &str = "briefing";
/// Local hour from which tomorrow's briefing goes out.
pub const SEND_HOUR: i8 = 16;
/// Markers only need to outlive their day.
const MARKER_TTL_SECONDS: u64 = 3 * 24 * 3600;
/// Opted-in members read per page of the cross-partition query.
const MEMBERS_PAGE: u32 = 500;

/// The caller's opt-in for the project.
pub async fn enabled(
    store: &dyn DocumentStore,
    project: &ProjectId,
    user: &UserId,
) -> Result<bool, DomainError> {
    let (member, _) = members::load(store, project, user)
        .await?
        .ok_or(DomainError::NotFound)?;
    Ok(member.briefing)
}

/// Opt in or out for the project, audited (P10) with the change.
pub async fn set_enabled(
    store: &dyn DocumentStore,
    project: &ProjectId,
    user: &UserId,
    enabled: bool,
) -> Result<bool, DomainError> {
    let pk = &project.as_string();
    retry_on_precondition("the membership", || async move {
        let (mut member, etag) = members::load(store, project, user)
            .await?
            .ok_or(DomainError::NotFound)?;
        if member.briefing == enabled {
            return Ok(Attempt::Done(enabled));
        }
        member.briefing = enabled;
        let ops = vec![
            member.replace_op(project, etag)?,
            BatchOp::Create(audit::entry(
                pk,
                Some(user),
                "member.briefing_changed",
                "member",
                &user.as_string(),
                &["briefing"],
            )?),
        ];
        Attempt::of_write(store.batch(PROJECTS, pk, ops).await, enabled)
    })
    .await
}

/// The local date whose briefing is due at `now` in `tz`: tomorrow, from
/// 16:00 on; nothing before.
pub fn due(now: Timestamp, tz: &TimeZone) -> Option<Date> {
    let local = now.to_zoned_datetime(tz.clone());
    if local.hour() < SEND_HOUR {
        return None;
    }
    local.date().tomorrow().ok()
}

/// One delivery in a briefing, in the project's local time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// `HH:MM`.
    pub start: String,
    pub end: String,
    pub company: Option<String>,
    pub material: Option<String>,
}

/// A resource's deliveries of the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceDay {
    pub resource: String,
    pub deliveries: Vec<Delivery>,
}

/// Tomorrow's approved bookings starting on `bounds`' day, per resource
/// (by name), by start; a booking of several resources shows under each.
/// Resources without deliveries are left out; empty: nothing to send.
pub fn compose(
    resources: &[Resource],
    bookings: &[Booking],
    bounds: (i64, i64),
    tz: &TimeZone,
) -> Vec<ResourceDay> {
    let hm = |t: Timestamp| {
        t.to_zoned_datetime(tz.clone())
            .strftime("%H:%M")
            .to_string()
    };
    let mut sorted: Vec<&Resource> = resources.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    sorted
        .into_iter()
        .filter_map(|r| {
            let mut mine: Vec<&Booking> = bookings
                .iter()
                .filter(|b| {
                    b.status == BookingStatus::Approved
                        && b.resource_ids.contains(&r.resource_id)
                        && (bounds.0..bounds.1).contains(&b.start.as_second())
                })
                .collect();
            mine.sort_by_key(|b| b.start);
            (!mine.is_empty()).then(|| ResourceDay {
                resource: r.name.clone(),
                deliveries: mine
                    .into_iter()
                    .map(|b| Delivery {
                        start: hm(b.start),
                        end: hm(b.end),
                        company: b.details.company.clone(),
                        material: b.details.material.clone(),
                    })
                    .collect(),
            })
        })
        .collect()
}

/// The briefing of `project` for `date`, read from the store.
pub async fn content(
    store: &dyn DocumentStore,
    project: &Project,
    date: Date,
) -> Result<Vec<ResourceDay>, DomainError> {
    let bounds = site::day_bounds(date, project)?;
    let bookings = site::bookings_of_day(store, &project.project_id, bounds).await?;
    if !bookings.iter().any(|b| b.status == BookingStatus::Approved) {
        return Ok(Vec::new());
    }
    let resources = resources::all(store, &project.project_id).await?;
    Ok(compose(
        &resources,
        &bookings,
        bounds,
        &project.time_zone.tz(),
    ))
}

/// Whether `user` still wants the project's briefing (checked again when
/// the mail goes out).
pub async fn wants(
    store: &dyn DocumentStore,
    project: &ProjectId,
    user: &UserId,
) -> Result<bool, DomainError> {
    Ok(members::load(store, project, user)
        .await?
        .is_some_and(|(m, _)| m.briefing))
}

#[derive(Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BriefingReport {
    /// Projects whose briefing was queued in this run.
    pub projects: u64,
    pub mails: u64,
    /// Projects whose briefing of the day was queued before.
    pub already_sent: u64,
    /// Projects whose briefing failed in this run; the next run tries
    /// them again.
    pub failed: u64,
}

/// The claim of a project's briefing for one day: whoever creates it
/// sends that day's briefing.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct BriefingSent {
    date: Date,
    #[serde(with = "crate::domain::time::fixed")]
    at: Timestamp,
}

impl Record for BriefingSent {
    const CONTAINER: crate::store::Container = PROJECTS;
    const KIND: &'static str = "briefingSent";
    type Owner = ProjectId;

    fn partition_key(project: &ProjectId) -> String {
        project.as_string()
    }

    fn id(&self) -> String {
        marker_id(self.date)
    }
}

fn marker_id(date: Date) -> String {
    format!("briefing-sent-{date}")
}

/// Queue every due briefing at `now`: per project with opted-in members,
/// at or after 16:00 local time, when tomorrow has approved deliveries,
/// once per day.
pub async fn send_due(
    store: &dyn DocumentStore,
    now: Timestamp,
) -> Result<BriefingReport, DomainError> {
    let mut report = BriefingReport::default();
    let mut by_project: Vec<(String, Vec<UserId>)> = Vec::new();
    let mut next = None;
    loop {
        let page = store
            .query_all_partitions(
                PROJECTS,
                Member::of_kind()
                    .eq("briefing", true)
                    .limit(MEMBERS_PAGE)
                    .continuation(next),
            )
            .await?;
        for d in &page.items {
            let member: Member = d.parse()?;
            match by_project.iter_mut().find(|(pk, _)| *pk == d.partition_key) {
                Some((_, users)) => users.push(member.user_id),
                None => by_project.push((d.partition_key.clone(), vec![member.user_id])),
            }
        }
        match page.continuation {
            Some(t) => next = Some(t),
            None => break,
        }
    }
    for (pk, users) in by_project {
        let Some(project_id) = ProjectId::parse(&pk) else {
            continue;
        };
        // One project's failure must not cost the others their briefing.
        match brief_project(store, &project_id, &users, now).await {
            Ok(Briefed::Queued(mails)) => {
                report.projects += 1;
                report.mails += mails;
            }
            Ok(Briefed::AlreadySent) => report.already_sent += 1,
            Ok(Briefed::Nothing) => {}
            Err(e) => {
                tracing::error!(error = %e, "briefing of a project failed");
                report.failed += 1;
            }
        }
    }
    Ok(report)
}

enum Briefed {
    Queued(u64),
    AlreadySent,
    /// No briefing now: the project is gone, its 16:00 has not come, or
    /// tomorrow has no approved delivery.
    Nothing,
}

/// One project's briefing at `now`, claimed by the day's marker.
async fn brief_project(
    store: &dyn DocumentStore,
    project_id: &ProjectId,
    users: &[UserId],
    now: Timestamp,
) -> Result<Briefed, DomainError> {
    let pk = project_id.as_string();
    let Some((project, _)) = projects::load(store, project_id).await? else {
        return Ok(Briefed::Nothing);
    };
    let Some(date) = due(now, &project.time_zone.tz()) else {
        return Ok(Briefed::Nothing);
    };
    // A point read spares the day's bookings of a project already
    // briefed; the create below is what claims the day.
    if store.read(PROJECTS, &pk, &marker_id(date)).await?.is_some() {
        return Ok(Briefed::AlreadySent);
    }
    if content(store, &project, date).await?.is_empty() {
        return Ok(Briefed::Nothing);
    }
    let marker = BriefingSent { date, at: now }
        .document(project_id)?
        .with_ttl(MARKER_TTL_SECONDS);
    match store.create(PROJECTS, marker).await {
        Ok(_) => {}
        Err(StoreError::Conflict) => return Ok(Briefed::AlreadySent),
        Err(e) => return Err(e.into()),
    }
    match queue(store, project_id, users, date).await {
        Ok(n) => Ok(Briefed::Queued(n)),
        Err(e) => {
            // The next firing tries again; mails already queued have
            // fixed ids and are not queued twice.
            if let Err(undo) = store.delete(PROJECTS, &pk, &marker_id(date), None).await {
                tracing::warn!(error = %undo, "briefing marker not removed after a failure");
            }
            Err(e)
        }
    }
}

async fn queue(
    store: &dyn DocumentStore,
    project: &ProjectId,
    users: &[UserId],
    date: Date,
) -> Result<u64, DomainError> {
    let mut n = 0;
    for user in users {
        let Some((u, _)) = accounts::load_user(store, user).await? else {
            continue;
        };
        let Ok(to) = EmailAddress::parse(&u.email) else {
            continue;
        };
        let id = format!("mail-{TEMPLATE}-{project}-{date}-{user}");
        let queued = outbox::enqueue_with_id(
            store,
            &id,
            &to,
            Some(user),
            Some(project),
            TEMPLATE,
            json!({ "date": date.to_string() }),
        )
        .await;
        match queued {
            Ok(()) => n += 1,
            Err(StoreError::Conflict) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::bookings::BookingDetails;
    use crate::domain::bookings::resources::ResourceKind;
    use crate::domain::ids::{BookingId, ResourceId};

    fn vienna() -> TimeZone {
        TimeZone::get("Europe/Vienna").expect("tz")
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn the_briefing_is_due_from_16_00_local_time_for_tomorrow() {
        let tz = vienna();
        // 15:59 in Vienna (UTC+1 in December).
        assert_eq!(due(ts("2026-12-02T14:59:59Z"), &tz), None);
        let today: Date = "2026-12-02".parse().expect("date");
        assert_eq!(
            due(ts("2026-12-02T15:00:00Z"), &tz),
            Some(today.tomorrow().expect("in range"))
        );
        assert_eq!(
            due(ts("2026-12-02T22:59:00Z"), &tz),
            Some(today.tomorrow().expect("in range"))
        );
        // Just after local midnight: a new day, not due before 16:00.
        assert_eq!(due(ts("2026-12-02T23:01:00Z"), &tz), None);
        // Summer time: 16:00 in Vienna is 14:00 UTC.
        assert!(due(ts("2026-07-01T13:59:00Z"), &tz).is_none());
        assert!(due(ts("2026-07-01T14:00:00Z"), &tz).is_some());
    }

    fn resource(name: &str) -> Resource {
        Resource {
            kind: resources::KIND.into(),
            resource_id: ResourceId::generate(),
            resource_kind: ResourceKind::Crane,
            name: name.into(),
            capacity: 1,
            opening_hours: None,
            closed_dates: Default::default(),
            buffer_minutes: 0,
            min_booking_minutes: 15,
            max_booking_minutes: 1440,
            schedule_version: 0,
            longest_booking_minutes: 0,
            created_at: Timestamp::UNIX_EPOCH,
            access_instructions: None,
            placement: None,
        }
    }

    fn booking(r: &[&Resource], start: &str, end: &str, status: BookingStatus) -> Booking {
        Booking {
            booking_id: BookingId::generate(),
            resource_ids: r.iter().map(|r| r.resource_id.clone()).collect(),
            start: ts(start),
            end: ts(end),
            status,
            user_id: UserId::generate(),
            details: BookingDetails {
                company: Some("Beton AG".into()),
                material: Some("Transportbeton".into()),
                ..Default::default()
            },
            series_id: None,
            reason: None,
            actual_arrival: None,
            actual_departure: None,
            code: None,
            pass: None,
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn the_briefing_lists_approved_deliveries_per_resource_by_start() {
        let tz = vienna();
        let crane = resource("Kran 1");
        let gate = resource("Anlieferzone A");
        let idle = resource("Lager");
        // 2026-12-03 in Vienna: 2026-12-02T23:00Z to 2026-12-03T23:00Z.
        let bounds = (
            ts("2026-12-02T23:00:00Z").as_second(),
            ts("2026-12-03T23:00:00Z").as_second(),
        );
        let bookings = vec![
            booking(
                &[&crane],
                "2026-12-03T09:00:00Z",
                "2026-12-03T10:00:00Z",
                BookingStatus::Approved,
            ),
            booking(
                &[&crane, &gate],
                "2026-12-03T06:30:00Z",
                "2026-12-03T07:00:00Z",
                BookingStatus::Approved,
            ),
            booking(
                &[&crane],
                "2026-12-03T11:00:00Z",
                "2026-12-03T12:00:00Z",
                BookingStatus::Requested,
            ),
            booking(
                &[&crane],
                "2026-12-03T12:00:00Z",
                "2026-12-03T13:00:00Z",
                BookingStatus::Cancelled,
            ),
            // The day after, and the day before.
            booking(
                &[&gate],
                "2026-12-03T23:30:00Z",
                "2026-12-04T00:30:00Z",
                BookingStatus::Approved,
            ),
            booking(
                &[&gate],
                "2026-12-02T21:00:00Z",
                "2026-12-02T22:00:00Z",
                BookingStatus::Approved,
            ),
        ];
        let days = compose(&[crane, idle, gate], &bookings, bounds, &tz);
        let names: Vec<&str> = days.iter().map(|d| d.resource.as_str()).collect();
        assert_eq!(names, ["Anlieferzone A", "Kran 1"]);
        assert_eq!(days[0].deliveries.len(), 1);
        assert_eq!(days[0].deliveries[0].start, "07:30");
        let crane_times: Vec<(&str, &str)> = days[1]
            .deliveries
            .iter()
            .map(|d| (d.start.as_str(), d.end.as_str()))
            .collect();
        assert_eq!(crane_times, [("07:30", "08:00"), ("10:00", "11:00")]);
        assert_eq!(days[1].deliveries[0].company.as_deref(), Some("Beton AG"));
        assert_eq!(
            days[1].deliveries[0].material.as_deref(),
            Some("Transportbeton")
        );
    }

    #[test]
    fn a_day_without_approved_deliveries_has_no_briefing() {
        let crane = resource("Kran 1");
        let bounds = (
            ts("2026-12-02T23:00:00Z").as_second(),
            ts("2026-12-03T23:00:00Z").as_second(),
        );
        let pending = booking(
            &[&crane],
            "2026-12-03T09:00:00Z",
            "2026-12-03T10:00:00Z",
            BookingStatus::Requested,
        );
        assert!(compose(&[crane], &[pending], bounds, &vienna()).is_empty());
    }
}
