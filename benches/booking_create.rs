//! The booking scale curve: booking-create, day-view and resource-list
//! p50/p99 with 10^3, 10^4, 10^5 and 10^6 existing bookings in one project,
//! on the embedded store in a temporary folder. Measures the domain
//! functions `bookings::create` (conflict check + transactional batch, fsync
//! included), `bookings::list` (one day, first page of 50 as the API's
//! default) and `resources::list` (a list beside the bookings), not HTTP. Run: `cargo bench --bench booking_create`; other sizes with
//! `BENCH_SIZES=1000,100000 cargo bench --bench booking_create`.
//!
//! Seeding: the first booking of each resource goes through
//! `bookings::create`; the rest are written in batches of the very
//! documents `create` writes (`bookings::booking_docs`), which is faster.
//!
//! Every size is seeded first; then the sizes are measured side by side,
//! round-robin one create (then one day view) per size at a time, so the
//! noise of a shared machine falls on every size alike.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use insite_lms::domain::actor::Actor;
use insite_lms::domain::bookings::{
    self, Booking, BookingDetails, BookingRequest, BookingStatus, ListFilter, NewBooking, resources,
};
use insite_lms::domain::ids::{BookingId, OrganizationId, ProjectId, ResourceId, UserId};
use insite_lms::domain::projects::{PROJECT_ID, Project, ProjectSettings, TimeZoneName};
use insite_lms::domain::roles::Role;
use insite_lms::store::containers::PROJECTS;
use insite_lms::store::embedded::{SqliteDocumentStore, database_path};
use insite_lms::store::{BatchOp, DocumentStore, NewDocument};
use jiff::Timestamp;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const RESOURCES: usize = 40;
/// Fits the 1 000 free half hours of the smallest size (10^3).
const MEASURED: usize = 900;
/// Day views measured per size (after the creates).
const DAY_VIEWS: usize = 2000;
/// Resource lists measured per size (after the day views).
const RESOURCE_LISTS: usize = 500;
/// Creates run first and not counted: caches, prepared statements.
const WARM_UP: usize = 20;
/// 2027-01-01T00:00:00Z: seeded bookings fill :00-:30 of every hour from here.
const EPOCH: i64 = 1_798_761_600;

fn ts(s: i64) -> Timestamp {
    Timestamp::from_second(s).expect("in range")
}

struct Row {
    seed: Duration,
    /// Database file size after seeding, MiB.
    db_mib: f64,
    create: (Duration, Duration),
    day_view: (Duration, Duration),
    /// Day views within the last seeded week only (where a site looks).
    week_view: (Duration, Duration),
    /// `GET .../resources`: a list that must not walk the bookings.
    resource_list: (Duration, Duration),
    day_items: usize,
}

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    (pct(0.50), pct(0.99))
}

/// One size, seeded: the store lives as long as its folder.
struct Seeded {
    _dir: tempfile::TempDir,
    store: SqliteDocumentStore,
    project: Project,
    user: UserId,
    rids: Vec<ResourceId>,
    per_resource: usize,
    seed: Duration,
    db_mib: f64,
    /// Half hours already booked by the measured creates.
    used: HashSet<(i64, usize)>,
}

impl Seeded {
    fn actor(&self) -> Actor {
        owner(&self.project, &self.user)
    }
}

fn owner(project: &Project, user: &UserId) -> Actor {
    Actor {
        project_id: project.project_id.clone(),
        user_id: user.clone(),
        role: Role::Owner,
    }
}

fn input(rid: &ResourceId, s: i64, e: i64) -> NewBooking {
    NewBooking::parse(BookingRequest {
        resource_ids: vec![rid.as_string()],
        start: Some(ts(s).to_string()),
        end: Some(ts(e).to_string()),
        details: BookingDetails::default(),
    })
    .expect("a valid booking")
}

async fn seed(existing: usize) -> Seeded {
    let seeding = Instant::now();
    let dir = tempfile::tempdir().expect("tmp");
    let store = SqliteDocumentStore::open(&database_path(dir.path())).expect("store");
    let user = UserId::generate();
    let project = Project {
        kind: "project".into(),
        project_id: ProjectId::generate(),
        organization_id: OrganizationId::generate(),
        name: "Benchmark".into(),
        address: None,
        time_zone: TimeZoneName::parse("Europe/Vienna").expect("tz"),
        settings: ProjectSettings::default(),
        created_at: Timestamp::now(),
        created_by: user.clone(),
        access_instructions: None,
    };
    let pk = project.project_id.as_string();
    store
        .create(
            PROJECTS,
            NewDocument::from_record(&pk, PROJECT_ID, &project).expect("doc"),
        )
        .await
        .expect("project");
    let actor = owner(&project, &user);
    let mut rids = Vec::new();
    for i in 0..RESOURCES {
        let r = resources::create(
            &store,
            &project.project_id,
            &user,
            resources::ResourceInput {
                kind: Some(resources::ResourceKind::UnloadingZone),
                name: Some(format!("Zone {i}")),
                ..Default::default()
            },
        )
        .await
        .expect("resource");
        bookings::create(
            &store,
            &pass_key(),
            &project,
            bookings::booker(&actor).expect("an owner books"),
            input(&r.resource_id, EPOCH, EPOCH + 1800),
            None,
        )
        .await
        .expect("first booking");
        rids.push(r.resource_id);
    }
    let per_resource = existing / RESOURCES;
    assert!(
        MEASURED + WARM_UP <= per_resource * RESOURCES,
        "{existing} bookings leave too few free half hours for {MEASURED} creates"
    );
    let mut ops = Vec::new();
    for hour in 1..per_resource as i64 {
        for rid in &rids {
            let s = EPOCH + hour * 3600;
            let b = Booking {
                booking_id: BookingId::generate(),
                resource_ids: vec![rid.clone()],
                start: ts(s),
                end: ts(s + 1800),
                status: BookingStatus::Approved,
                user_id: user.clone(),
                details: BookingDetails::default(),
                series_id: None,
                reason: None,
                actual_arrival: None,
                actual_departure: None,
                created_at: Timestamp::now(),
                updated_at: Timestamp::now(),
                code: None,
                pass: None,
            };
            ops.extend(
                bookings::booking_docs(&project.project_id, &b)
                    .expect("docs")
                    .into_iter()
                    .map(BatchOp::Create),
            );
            if ops.len() >= 100 {
                store
                    .batch(PROJECTS, &pk, std::mem::take(&mut ops))
                    .await
                    .expect("seed");
            }
        }
    }
    if !ops.is_empty() {
        store.batch(PROJECTS, &pk, ops).await.expect("seed");
    }
    // Measure the steady state, not the seeding's write-ahead log.
    store.checkpoint().await.expect("checkpoint");
    let db_bytes = std::fs::metadata(database_path(dir.path()))
        .expect("database file")
        .len();
    Seeded {
        _dir: dir,
        store,
        project,
        user,
        rids,
        per_resource,
        seed: seeding.elapsed(),
        db_mib: db_bytes as f64 / (1024.0 * 1024.0),
        used: HashSet::new(),
    }
}

/// One create into a random free half hour between seeded bookings.
async fn create_one(s: &mut Seeded, rng: &mut StdRng) -> Duration {
    let (hour, r) = loop {
        let slot = (
            rng.random_range(0..s.per_resource as i64),
            rng.random_range(0..RESOURCES),
        );
        if s.used.insert(slot) {
            break slot;
        }
    };
    let start = EPOCH + hour * 3600 + 1800;
    let actor = s.actor();
    let started = Instant::now();
    let b = bookings::create(
        &s.store,
        &pass_key(),
        &s.project,
        bookings::booker(&actor).expect("an owner books"),
        input(&s.rids[r], start, start + 1800),
        None,
    )
    .await
    .expect("free slot books");
    let took = started.elapsed();
    assert_eq!(b.status, BookingStatus::Approved);
    took
}

/// How far back day views reach.
#[derive(Clone, Copy)]
enum Reach {
    /// Any day of the seeded range: mostly pages no view has read yet.
    AnyDay,
    /// One of the last seven seeded days.
    LastWeek,
}

/// One random whole day, as `GET .../bookings?from&to` reads it (first
/// page, 50 items); the time and the items shown.
async fn day_view(s: &Seeded, rng: &mut StdRng, reach: Reach) -> (Duration, usize) {
    let days = (s.per_resource as i64 / 24).max(1);
    let first = match reach {
        Reach::AnyDay => 0,
        Reach::LastWeek => (days - 7).max(0),
    };
    let day = EPOCH + rng.random_range(first..days) * 86_400;
    let filter = ListFilter {
        from: Some(ts(day)),
        to: Some(ts(day + 86_400)),
        ..ListFilter::default()
    };
    let actor = s.actor();
    let started = Instant::now();
    let (items, _next) = bookings::list(&s.store, &actor, &filter, 50, None)
        .await
        .expect("day view");
    (started.elapsed(), items.len())
}

async fn measure(sizes: &[usize]) -> Vec<Row> {
    let mut seeded = Vec::new();
    for &n in sizes {
        seeded.push(seed(n).await);
    }
    let mut rng = StdRng::seed_from_u64(7);
    let mut creates = vec![Vec::with_capacity(MEASURED); sizes.len()];
    for round in 0..WARM_UP + MEASURED {
        for (i, s) in seeded.iter_mut().enumerate() {
            let took = create_one(s, &mut rng).await;
            if round >= WARM_UP {
                creates[i].push(took);
            }
        }
    }
    let mut day_items = vec![0; sizes.len()];
    let mut views = Vec::new();
    for reach in [Reach::AnyDay, Reach::LastWeek] {
        let mut samples = vec![Vec::with_capacity(DAY_VIEWS); sizes.len()];
        for round in 0..WARM_UP + DAY_VIEWS {
            for (i, s) in seeded.iter().enumerate() {
                let (took, items) = day_view(s, &mut rng, reach).await;
                if round >= WARM_UP {
                    samples[i].push(took);
                }
                day_items[i] = day_items[i].max(items);
            }
        }
        views.push(samples);
    }
    let mut lists = vec![Vec::with_capacity(RESOURCE_LISTS); sizes.len()];
    for round in 0..WARM_UP + RESOURCE_LISTS {
        for (i, s) in seeded.iter().enumerate() {
            let started = Instant::now();
            let (items, _next) = resources::list(&s.store, &s.project.project_id, 50, None)
                .await
                .expect("resource list");
            let took = started.elapsed();
            assert_eq!(items.len(), RESOURCES);
            if round >= WARM_UP {
                lists[i].push(took);
            }
        }
    }
    let week = views.pop().unwrap_or_default();
    let any = views.pop().unwrap_or_default();
    seeded
        .iter()
        .zip(creates)
        .zip(any.into_iter().zip(week))
        .zip(day_items.into_iter().zip(lists))
        .map(|(((s, create), (any, week)), (day_items, list))| Row {
            seed: s.seed,
            db_mib: s.db_mib,
            create: percentiles(create),
            day_view: percentiles(any),
            week_view: percentiles(week),
            resource_list: percentiles(list),
            day_items,
        })
        .collect()
}

fn main() {
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .unwrap_or_else(|_| "1000,10000,100000,1000000".into())
        .split(',')
        .map(|n| {
            n.trim()
                .parse()
                .expect("BENCH_SIZES: comma-separated counts")
        })
        .collect();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let rows: Vec<(usize, Row)> = sizes
        .iter()
        .copied()
        .zip(rt.block_on(measure(&sizes)))
        .collect();
    println!(
        "existing | seeding s | db MiB | create p50 ms | create p99 ms | day view p50 ms | day view p99 ms | last-week view p50 ms | last-week view p99 ms | resource list p50 ms | resource list p99 ms | day items"
    );
    for (n, r) in &rows {
        println!(
            "{n:>8} | {:>9.1} | {:>6.1} | {:>13.3} | {:>13.3} | {:>15.3} | {:>15.3} | {:>21.3} | {:>21.3} | {:>20.3} | {:>20.3} | {:>9}",
            r.seed.as_secs_f64(),
            r.db_mib,
            ms(r.create.0),
            ms(r.create.1),
            ms(r.day_view.0),
            ms(r.day_view.1),
            ms(r.week_view.0),
            ms(r.week_view.1),
            ms(r.resource_list.0),
            ms(r.resource_list.1),
            r.day_items
        );
    }
    if let (Some((n0, first)), Some((n1, last))) = (rows.first(), rows.last()) {
        println!(
            "ratio {n1} / {n0}: create p50 {:.2}x  create p99 {:.2}x  day view p50 {:.2}x  day view p99 {:.2}x  last-week view p50 {:.2}x  last-week view p99 {:.2}x  resource list p50 {:.2}x  resource list p99 {:.2}x",
            ms(last.create.0) / ms(first.create.0),
            ms(last.create.1) / ms(first.create.1),
            ms(last.day_view.0) / ms(first.day_view.0),
            ms(last.day_view.1) / ms(first.day_view.1),
            ms(last.week_view.0) / ms(first.week_view.0),
            ms(last.week_view.1) / ms(first.week_view.1),
            ms(last.resource_list.0) / ms(first.resource_list.0),
            ms(last.resource_list.1) / ms(first.resource_list.1)
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A fixed key: the benchmark measures the writes, not the key's source.
fn pass_key() -> insite_lms::domain::passes::PassKey {
    insite_lms::domain::passes::PassKey::new(&[7; 32]).expect("HMAC takes any key")
}
