//! Booking routes: book, list, read, reschedule, the workflow steps,
//! recurring series and availability, with their wire types (request and
//! response bodies). Thin: the rules are in `domain::bookings`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::project_access::{ProjectAccess, ProjectCaller};
use crate::domain::bookings::{
    self, Blocking, Booking, BookingChange, BookingRequest, ListFilter, NewBooking, NewSeries,
    Transition,
};
use crate::domain::error::DomainError;
use crate::domain::ids::{BookingId, ResourceId};
use crate::domain::projects::{self, Project};
use crate::domain::time;
use crate::http::conditional::json_with_etag;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::paging::{DEFAULT_LIMIT, MAX_LIMIT, Paged};
use crate::http::problem::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum BookingStatus {
    Requested,
    Approved,
    Declined,
    Cancelled,
    CheckedIn,
    CheckedOut,
    TurnedAway,
}

impl From<bookings::BookingStatus> for BookingStatus {
    fn from(s: bookings::BookingStatus) -> Self {
        use bookings::BookingStatus as S;
        match s {
            S::Requested => BookingStatus::Requested,
            S::Approved => BookingStatus::Approved,
            S::Declined => BookingStatus::Declined,
            S::Cancelled => BookingStatus::Cancelled,
            S::CheckedIn => BookingStatus::CheckedIn,
            S::CheckedOut => BookingStatus::CheckedOut,
            S::TurnedAway => BookingStatus::TurnedAway,
        }
    }
}

/// What a booking carries besides its time and resources.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BookingDetails {
    /// The requesting company.
    pub company: Option<String>,
    pub supplier: Option<String>,
    pub vehicle_type: Option<String>,
    pub licence_plate: Option<String>,
    pub material: Option<String>,
    pub quantity: Option<String>,
    pub notes: Option<String>,
}

impl From<BookingDetails> for bookings::BookingDetails {
    fn from(d: BookingDetails) -> Self {
        bookings::BookingDetails {
            company: d.company,
            supplier: d.supplier,
            vehicle_type: d.vehicle_type,
            licence_plate: d.licence_plate,
            material: d.material,
            quantity: d.quantity,
            notes: d.notes,
        }
    }
}

impl From<bookings::BookingDetails> for BookingDetails {
    fn from(d: bookings::BookingDetails) -> Self {
        BookingDetails {
            company: d.company,
            supplier: d.supplier,
            vehicle_type: d.vehicle_type,
            licence_plate: d.licence_plate,
            material: d.material,
            quantity: d.quantity,
            notes: d.notes,
        }
    }
}

/// A booking request as received.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BookingInput {
    #[serde(default)]
    pub resource_ids: Vec<String>,
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub end: Option<String>,
    #[serde(flatten)]
    pub details: BookingDetails,
}

impl From<BookingInput> for BookingRequest {
    fn from(b: BookingInput) -> Self {
        BookingRequest {
            resource_ids: b.resource_ids,
            start: b.start,
            end: b.end,
            details: b.details.into(),
        }
    }
}

/// A change of a booking: new time and/or resources, or new details.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BookingPatch {
    #[serde(default)]
    pub resource_ids: Option<Vec<String>>,
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub end: Option<String>,
    #[serde(flatten)]
    pub details: BookingDetails,
}

impl From<BookingPatch> for BookingChange {
    fn from(p: BookingPatch) -> Self {
        BookingChange {
            resource_ids: p.resource_ids,
            start: p.start,
            end: p.end,
            details: p.details.into(),
        }
    }
}

/// A recurring booking: the same slot every `interval_weeks` weeks.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeriesInput {
    #[serde(flatten)]
    pub booking: BookingInput,
    /// Number of occurrences, 2 to 16.
    pub occurrences: u32,
    /// Weeks between occurrences (default 1).
    #[serde(default)]
    pub interval_weeks: Option<u32>,
    /// Book the free occurrences even if others conflict.
    #[serde(default)]
    pub skip_conflicts: bool,
}

/// A time range in the way of a request.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConflictRange {
    pub resource_id: String,
    pub booking_id: String,
    pub start: String,
    pub end: String,
}

impl From<bookings::ConflictRange> for ConflictRange {
    fn from(c: bookings::ConflictRange) -> Self {
        ConflictRange {
            resource_id: c.resource_id.as_string(),
            booking_id: c.booking_id,
            start: time::format(&c.start),
            end: time::format(&c.end),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SkippedOccurrence {
    pub start: String,
    pub end: String,
    pub conflicts: Vec<ConflictRange>,
}

impl From<bookings::SkippedOccurrence> for SkippedOccurrence {
    fn from(o: bookings::SkippedOccurrence) -> Self {
        SkippedOccurrence {
            start: time::format(&o.slot.start()),
            end: time::format(&o.slot.end()),
            conflicts: o.conflicts.into_iter().map(Into::into).collect(),
        }
    }
}

/// A free window: any booking of the asked length inside it fits.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FreeWindow {
    pub start: String,
    pub end: String,
}

/// The domain's refusals, with the bookings in the way as the problem's
/// extensions.
fn refused(e: DomainError) -> ApiError {
    match e {
        DomainError::Blocked { detail, blocking } => {
            let extensions = match blocking {
                Blocking::Bookings(b) => {
                    let conflicts: Vec<ConflictRange> = b.into_iter().map(Into::into).collect();
                    serde_json::json!({ "conflicts": conflicts })
                }
                Blocking::Occurrences(o) => {
                    let skipped: Vec<SkippedOccurrence> = o.into_iter().map(Into::into).collect();
                    serde_json::json!({ "occurrences": skipped })
                }
            };
            ApiError::Conflict {
                detail,
                extensions: Some(extensions),
            }
        }
        e => e.into(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BookingView {
    id: String,
    resource_ids: Vec<String>,
    start: String,
    end: String,
    status: BookingStatus,
    requester_id: String,
    #[serde(flatten)]
    details: BookingDetails,
    series_id: Option<String>,
    /// Why it was declined, cancelled or turned away.
    reason: Option<String>,
    actual_arrival: Option<String>,
    actual_departure: Option<String>,
    /// Minutes between planned start and arrival (negative: early).
    punctuality_minutes: Option<i64>,
    /// Approved, not checked in by its end plus the project's grace period.
    no_show: bool,
    created_at: String,
    updated_at: String,
    /// The short code read out at the gate, `ABC-DEF` (null only for
    /// bookings made before codes existed).
    code: Option<String>,
}

pub(super) fn view(b: Booking, project: &Project) -> BookingView {
    BookingView {
        id: b.booking_id.as_string(),
        resource_ids: b.resource_ids.iter().map(ResourceId::as_string).collect(),
        start: time::format(&b.start),
        end: time::format(&b.end),
        status: b.status.into(),
        requester_id: b.user_id.as_string(),
        punctuality_minutes: b.punctuality_minutes(),
        no_show: b.is_no_show(Timestamp::now(), project.settings.no_show_grace_minutes),
        details: b.details.into(),
        series_id: b.series_id,
        reason: b.reason,
        actual_arrival: b.actual_arrival.as_ref().map(time::format),
        actual_departure: b.actual_departure.as_ref().map(time::format),
        created_at: time::format(&b.created_at),
        updated_at: time::format(&b.updated_at),
        code: b.code.as_deref().map(crate::domain::passes::display_code),
    }
}

fn booking_id(raw: &str) -> Result<BookingId, ApiError> {
    BookingId::parse(raw).ok_or(ApiError::NotFound)
}

async fn project(state: &AppState, access: &ProjectAccess) -> Result<Project, ApiError> {
    Ok(
        projects::require(state.stores.documents.as_ref(), &access.project_id)
            .await?
            .0,
    )
}

/// Book one or more resources at once (all or none). Members' bookings
/// start `requested` unless the project auto-approves; managers' are
/// `approved`.
#[utoipa::path(
    post,
    path = "/api/projects/{projectId}/bookings",
    operation_id = "create-booking",
    tag = "bookings",
    security(("bearer" = [])),
    params(("projectId" = String, Path)),
    request_body = BookingInput,
    responses(
        (status = 201, body = BookingView),
        (status = 409, description = "Conflicts with existing bookings; `extensions.conflicts` lists them", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create_booking(
    State(state): State<AppState>,
    caller: ProjectCaller,
    body: Result<ApiJson<BookingInput>, ApiError>,
) -> Result<(StatusCode, Json<BookingView>), ApiError> {
    let store = state.stores.documents.as_ref();
    let project_id = caller.project_id().clone();
    // The project and the booked resources are read together with the
    // session and the membership: one round trip. A malformed body still
    // answers only after those checks passed, as with `ProjectAccess`.
    let (access, read) = caller
        .admit(store, async {
            let ApiJson(req) = body?;
            let cmd = NewBooking::parse(req.into());
            let prefetch = async {
                match &cmd {
                    Ok(cmd) => Some(bookings::prefetch(store, &project_id, cmd).await),
                    Err(_) => None,
                }
            };
            let (project, prefetched) =
                tokio::join!(projects::require(store, &project_id), prefetch);
            Ok::<_, ApiError>((cmd, project, prefetched))
        })
        .await?;
    let (cmd, project, prefetched) = read?;
    let booker = bookings::booker(&access)?;
    let (p, _) = project?;
    let b = bookings::create(store, &state.pass_key, &p, booker, cmd?, prefetched)
        .await
        .map_err(refused)?;
    Ok((StatusCode::CREATED, Json(view(b, &p))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    /// Bookings starting at or after (RFC 3339).
    from: Option<String>,
    /// Bookings starting before (RFC 3339).
    to: Option<String>,
    #[serde(rename = "resourceId")]
    resource_id: Option<String>,
    status: Option<String>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<u32>,
    next: Option<String>,
}

impl ListParams {
    fn filter(&self) -> Result<ListFilter, ApiError> {
        Ok(ListFilter {
            from: timestamp("from", self.from.as_deref())?,
            to: timestamp("to", self.to.as_deref())?,
            resource: self
                .resource_id
                .as_deref()
                .map(|r| {
                    ResourceId::parse(r)
                        .ok_or_else(|| ApiError::field("resourceId", "is not a resource id"))
                })
                .transpose()?,
            status: self
                .status
                .as_deref()
                .map(|s| {
                    bookings::BookingStatus::parse(s)
                        .ok_or_else(|| ApiError::field("status", "is not a booking status"))
                })
                .transpose()?,
        })
    }
}

fn timestamp(field: &str, raw: Option<&str>) -> Result<Option<Timestamp>, ApiError> {
    raw.map(|s| time::parse(s).map_err(|e| ApiError::field(field, e)))
        .transpose()
}

/// Bookings by start time, filtered by time range, resource and status.
/// Carries an ETag; with `If-None-Match` naming it, 304 (clients poll this).
#[utoipa::path(
    get,
    path = "/api/projects/{projectId}/bookings",
    operation_id = "list-bookings",
    tag = "bookings",
    security(("bearer" = [])),
    params(
        ("projectId" = String, Path),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the page the client holds"),
        ListParams
    ),
    responses(
        (status = 200, body = Paged<BookingView>, headers(("ETag" = String, description = "Tag of this page"))),
        (status = 304, description = "Not modified since the ETag in If-None-Match", headers(("ETag" = String)))
    )
)]
pub async fn list_bookings(
    State(state): State<AppState>,
    caller: ProjectCaller,
    headers: HeaderMap,
    query: Result<ApiQuery<ListParams>, ApiError>,
) -> Result<Response, ApiError> {
    let store = state.stores.documents.as_ref();
    let project_id = caller.project_id().clone();
    // The project and the page are read together with the session and the
    // membership: one round trip. A malformed query still answers only
    // after those checks passed, as with `ProjectAccess`.
    let (access, read) = caller
        .admit(store, async {
            let ApiQuery(q) = query?;
            let filter = q.filter()?;
            let limit = q.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
            Ok::<_, ApiError>(tokio::join!(
                projects::require(store, &project_id),
                bookings::prefetch_page(store, &project_id, &filter, limit, q.next),
            ))
        })
        .await?;
    let (p, page) = read?;
    let (p, _) = p?;
    let (items, next) = bookings::list_prefetched(&access, page)?;
    json_with_etag(
        &headers,
        &Paged {
            items: items.into_iter().map(|b| view(b, &p)).collect(),
            next,
        },
    )
}

/// One booking.
#[utoipa::path(
    get,
    path = "/api/projects/{projectId}/bookings/{bookingId}",
    operation_id = "get-booking",
    tag = "bookings",
    security(("bearer" = [])),
    params(("projectId" = String, Path), ("bookingId" = String, Path)),
    responses((status = 200, body = BookingView))
)]
pub async fn get_booking(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiPath(path): ApiPath<(String, String)>,
) -> Result<Json<BookingView>, ApiError> {
    let id = booking_id(&path.1)?;
    let (p, b) = tokio::join!(
        project(&state, &access),
        bookings::get(state.stores.documents.as_ref(), &access, &id)
    );
    Ok(Json(view(b?, &p?)))
}

/// Reschedule (new time or resources) or edit details. A member's
/// reschedule needs approval again.
#[utoipa::path(
    patch,
    path = "/api/projects/{projectId}/bookings/{bookingId}",
    operation_id = "update-booking",
    tag = "bookings",
    security(("bearer" = [])),
    params(("projectId" = String, Path), ("bookingId" = String, Path)),
    request_body = BookingPatch,
    responses(
        (status = 200, body = BookingView),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update_booking(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiPath(path): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<BookingPatch>,
) -> Result<Json<BookingView>, ApiError> {
    let booker = bookings::booker(&access)?;
    let p = project(&state, &access).await?;
    let id = booking_id(&path.1)?;
    let store = state.stores.documents.as_ref();
    let b = bookings::reschedule(store, &state.pass_key, &p, booker, &id, req.into())
        .await
        .map_err(refused)?;
    Ok(Json(view(b, &p)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StepBody {
    /// Required to decline, cancel or turn away.
    #[serde(default)]
    reason: Option<String>,
    /// Check-in/out time if not now (RFC 3339, not in the future).
    #[serde(default)]
    at: Option<String>,
}

/// The optional JSON body of a workflow step; an empty body is `{}`.
fn step_body(body: &Bytes) -> Result<StepBody, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(StepBody::default());
    }
    serde_json::from_slice(body).map_err(|e| ApiError::BadRequest(e.to_string()))
}

async fn step(
    state: &AppState,
    access: &ProjectAccess,
    raw_id: &str,
    make: impl FnOnce(StepBody) -> Result<Transition, ApiError>,
    body: &Bytes,
) -> Result<Json<BookingView>, ApiError> {
    let id = booking_id(raw_id)?;
    let transition = make(step_body(body)?)?;
    let p = project(state, access).await?;
    let store = state.stores.documents.as_ref();
    let b = bookings::transition(store, &state.pass_key, &p, access, &id, transition).await?;
    Ok(Json(view(b, &p)))
}

fn reason(body: StepBody) -> Result<String, ApiError> {
    body.reason
        .ok_or_else(|| ApiError::field("reason", "is required"))
}

fn at(body: &StepBody) -> Result<Option<Timestamp>, ApiError> {
    timestamp("at", body.at.as_deref())
}

macro_rules! step_route {
    ($fn:ident, $verb:literal, $op:literal, $doc:literal, $make:expr) => {
        #[doc = $doc]
        #[utoipa::path(
            post,
            path = concat!("/api/projects/{projectId}/bookings/{bookingId}/", $verb),
            operation_id = $op,
            tag = "bookings",
            security(("bearer" = [])),
            params(("projectId" = String, Path), ("bookingId" = String, Path)),
            request_body(content = Option<StepBody>, content_type = "application/json"),
            responses(
                (status = 200, body = BookingView),
                (status = 409, description = "Not allowed from the booking's status", body = Problem, content_type = "application/problem+json")
            )
        )]
        pub async fn $fn(
            State(state): State<AppState>,
            access: ProjectAccess,
            ApiPath(path): ApiPath<(String, String)>,
            body: Bytes,
        ) -> Result<Json<BookingView>, ApiError> {
            step(&state, &access, &path.1, $make, &body).await
        }
    };
}

step_route!(
    approve_booking,
    "approve",
    "approve-booking",
    "Approve a requested booking (managers).",
    |_| Ok(Transition::Approve)
);
step_route!(
    decline_booking,
    "decline",
    "decline-booking",
    "Decline a requested booking with a reason (managers).",
    |b| Ok(Transition::Decline { reason: reason(b)? })
);
step_route!(
    cancel_booking,
    "cancel",
    "cancel-booking",
    "Cancel a requested or approved booking with a reason (requester or managers).",
    |b| Ok(Transition::Cancel { reason: reason(b)? })
);
step_route!(
    check_in_booking,
    "check-in",
    "check-in-booking",
    "Record the actual arrival of an approved booking at the gate.",
    |b| Ok(Transition::CheckIn { at: at(&b)? })
);
step_route!(
    check_out_booking,
    "check-out",
    "check-out-booking",
    "Record the actual departure; frees the rest of the slot.",
    |b| Ok(Transition::CheckOut { at: at(&b)? })
);
step_route!(
    turn_away_booking,
    "turn-away",
    "turn-away-booking",
    "Record that the gate turned the delivery away, with a reason.",
    |b| Ok(Transition::TurnAway { reason: reason(b)? })
);

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeriesView {
    series_id: String,
    booked: Vec<BookingView>,
    /// Occurrences not booked because they conflict.
    skipped: Vec<SkippedOccurrence>,
}

/// Book a recurring series (e.g. a weekly concrete delivery) at once.
/// Conflicting occurrences are listed in a 409, or skipped with
/// `skipConflicts: true`.
#[utoipa::path(
    post,
    path = "/api/projects/{projectId}/booking-series",
    operation_id = "create-booking-series",
    tag = "bookings",
    security(("bearer" = [])),
    params(("projectId" = String, Path)),
    request_body = SeriesInput,
    responses(
        (status = 201, body = SeriesView),
        (status = 409, description = "`extensions.occurrences` lists the conflicting ones", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create_booking_series(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiJson(req): ApiJson<SeriesInput>,
) -> Result<(StatusCode, Json<SeriesView>), ApiError> {
    let booker = bookings::booker(&access)?;
    let p = project(&state, &access).await?;
    let cmd = NewSeries::parse(
        req.booking.into(),
        req.occurrences,
        req.interval_weeks,
        req.skip_conflicts,
    )?;
    let store = state.stores.documents.as_ref();
    let out = bookings::create_series(store, &state.pass_key, &p, booker, cmd)
        .await
        .map_err(refused)?;
    Ok((
        StatusCode::CREATED,
        Json(SeriesView {
            series_id: out.series_id,
            booked: out.booked.into_iter().map(|b| view(b, &p)).collect(),
            skipped: out.skipped.into_iter().map(Into::into).collect(),
        }),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct AvailabilityParams {
    /// Comma-separated resource ids; the window must fit on all of them.
    resource_ids: Option<String>,
    /// RFC 3339.
    from: Option<String>,
    /// RFC 3339; at most 31 days after `from`.
    to: Option<String>,
    /// ISO 8601 duration, e.g. `PT45M`.
    duration: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AvailabilityView {
    /// Any booking of `duration` that lies inside one of these fits.
    windows: Vec<FreeWindow>,
}

fn duration_minutes(raw: &str) -> Result<u32, ApiError> {
    let bad = || {
        ApiError::field(
            "duration",
            "must be an ISO 8601 duration in whole minutes, e.g. PT45M",
        )
    };
    let d: jiff::SignedDuration = raw.parse().map_err(|_| bad())?;
    let secs = d.as_secs();
    if secs <= 0 || secs % 60 != 0 || d.subsec_nanos() != 0 {
        return Err(bad());
    }
    u32::try_from(secs / 60).map_err(|_| bad())
}

/// Free windows for a booking of the given length on all given resources.
#[utoipa::path(
    get,
    path = "/api/projects/{projectId}/availability",
    operation_id = "get-availability",
    tag = "bookings",
    security(("bearer" = [])),
    params(("projectId" = String, Path), AvailabilityParams),
    responses(
        (status = 200, body = AvailabilityView),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn availability(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiQuery(q): ApiQuery<AvailabilityParams>,
) -> Result<Json<AvailabilityView>, ApiError> {
    let from = timestamp("from", q.from.as_deref())?
        .ok_or_else(|| ApiError::field("from", "is required"))?;
    let to =
        timestamp("to", q.to.as_deref())?.ok_or_else(|| ApiError::field("to", "is required"))?;
    let minutes = duration_minutes(q.duration.as_deref().unwrap_or_default())?;
    let ids: Vec<String> = q
        .resource_ids
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let p = project(&state, &access).await?;
    let store = state.stores.documents.as_ref();
    let windows = bookings::availability(store, &p, &access, &ids, (from, to), minutes).await?;
    Ok(Json(AvailabilityView {
        windows: windows
            .into_iter()
            .map(|w| FreeWindow {
                start: time::format(&w.start),
                end: time::format(&w.end),
            })
            .collect(),
    }))
}
