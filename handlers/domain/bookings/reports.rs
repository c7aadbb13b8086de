//! The utilization report: per resource and local day, booked against open
//! minutes, bookings, and Soll/Ist from the gate (on-time share, mean
//! delay, no-shows, turn-aways).

use jiff::Timestamp;
use jiff::civil::Date;

use super::model::{Booking, BookingStatus};
use super::rules::{self, Secs};
use crate::domain::error::{DomainError, Validator};
use crate::domain::projects::Project;
use crate::store::{DocumentStore, StoreError};

/// Arrivals up to this many minutes after the planned start are on time.
pub const ON_TIME_MINUTES: i64 = 15;
pub const MAX_DAYS: i64 = 92;
const MAX_BOOKINGS: usize = 100_000;

/// One resource on one local day.
#[derive(Debug, Clone)]
pub struct DayUtilization {
    pub resource_id: String,
    pub resource_name: String,
    /// Local date in the project's time zone.
    pub date: String,
    pub open_minutes: i64,
    pub booked_minutes: i64,
    pub capacity: u32,
    pub bookings: u32,
    pub checked_in: u32,
    /// Share of checked-in bookings that arrived on time (null: none).
    pub on_time_share: Option<f64>,
    /// Mean minutes late (negative: early) of checked-in bookings.
    pub mean_delay_minutes: Option<f64>,
    pub no_shows: u32,
    pub turned_away: u32,
}

fn day_bounds(d: Date, project: &Project) -> Result<(Secs, Secs), StoreError> {
    let tz = project.time_zone.tz();
    let at = |d: Date| {
        d.at(0, 0, 0, 0)
            .to_zoned_datetime(tz.clone())
            .map(|z| z.timestamp().as_second())
            .map_err(StoreError::internal)
    };
    Ok((at(d)?, at(d.tomorrow().map_err(StoreError::internal)?)?))
}

fn overlap(a: (Secs, Secs), b: (Secs, Secs)) -> i64 {
    (a.1.min(b.1) - a.0.max(b.0)).max(0)
}

/// The report for the local dates `from` to `to` inclusive.
pub async fn utilization(
    store: &dyn DocumentStore,
    project: &Project,
    from: Date,
    to: Date,
) -> Result<Vec<DayUtilization>, DomainError> {
    let mut v = Validator::default();
    let days = from.until(to).map(|s| s.get_days()).unwrap_or(-1);
    if !(0..MAX_DAYS).contains(&i64::from(days)) {
        v.fail(
            "to",
            format!("must be on or after from, at most {MAX_DAYS} days"),
        );
    }
    v.finish()?;
    let (start, _) = day_bounds(from, project)?;
    let (_, end) = day_bounds(to, project)?;
    let ts = |s: Secs| Timestamp::from_second(s).map_err(StoreError::internal);
    // Bookings are at most a day long: those starting a day early may reach in.
    let bookings: Vec<Booking> = super::listing::all_between(
        store,
        &project.project_id,
        ts(start - 86_400)?,
        ts(end)?,
        MAX_BOOKINGS,
    )
    .await?;
    let now = Timestamp::now();
    let grace = project.settings.no_show_grace_minutes;
    let mut out = Vec::new();
    let mut next = None;
    let mut resources = Vec::new();
    loop {
        let (items, token) = super::resources::list(store, &project.project_id, 200, next).await?;
        resources.extend(items);
        match token {
            Some(t) => next = Some(t),
            None => break,
        }
    }
    for r in &resources {
        let rr = r.rules(project);
        let mine: Vec<&Booking> = bookings
            .iter()
            .filter(|b| b.resource_ids.contains(&r.resource_id))
            .collect();
        let mut day = from;
        while day <= to {
            let bounds = day_bounds(day, project)?;
            let open_minutes = rules::open_intervals(&rr, bounds.0, bounds.1)
                .into_iter()
                .map(|i| overlap(i, bounds))
                .sum::<i64>()
                / 60;
            let mut row = DayUtilization {
                resource_id: r.resource_id.as_string(),
                resource_name: r.name.clone(),
                date: day.to_string(),
                open_minutes,
                booked_minutes: 0,
                capacity: r.capacity,
                bookings: 0,
                checked_in: 0,
                on_time_share: None,
                mean_delay_minutes: None,
                no_shows: 0,
                turned_away: 0,
            };
            let mut delays = Vec::new();
            for b in &mine {
                let (s, e) = (b.start.as_second(), b.end.as_second());
                if b.status.occupies() || b.status == BookingStatus::CheckedOut {
                    row.booked_minutes += overlap((s, e), bounds) / 60;
                }
                if !(bounds.0..bounds.1).contains(&s) {
                    continue;
                }
                if matches!(b.status, BookingStatus::Cancelled | BookingStatus::Declined) {
                    continue;
                }
                row.bookings += 1;
                if let Some(p) = b.punctuality_minutes() {
                    row.checked_in += 1;
                    delays.push(p);
                }
                if b.is_no_show(now, grace) {
                    row.no_shows += 1;
                }
                if b.status == BookingStatus::TurnedAway {
                    row.turned_away += 1;
                }
            }
            if !delays.is_empty() {
                let n = delays.len() as f64;
                let on_time = delays.iter().filter(|&&d| d <= ON_TIME_MINUTES).count();
                row.on_time_share = Some(on_time as f64 / n);
                row.mean_delay_minutes = Some(delays.iter().sum::<i64>() as f64 / n);
            }
            out.push(row);
            day = match day.tomorrow() {
                Ok(d) => d,
                Err(_) => break,
            };
        }
    }
    Ok(out)
}
