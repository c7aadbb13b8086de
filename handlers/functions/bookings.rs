//! Booking routes: book, list, read, reschedule, the workflow steps,
//! recurring series and availability. Thin: the rules are in
//! `domain::bookings`.

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
    self, Actor, Booking, BookingDetails, BookingInput, BookingPatch, BookingStatus, FreeWindow,
    ListFilter, SeriesInput, SkippedOccurrence, Transition,
};
use crate::domain::ids::{BookingId, ResourceId};
use crate::domain::projects::{self, Project};
use crate::domain::roles::Action;
use crate::domain::time;
use crate::http::conditional::json_with_etag;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::paging::{DEFAULT_LIMIT, MAX_LIMIT, Paged};
use crate::http::problem::{ApiError, Problem};
use crate::state::AppState;

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
}

fn view(b: Booking, project: &Project) -> BookingView {
    BookingView {
        id: b.booking_id.as_string(),
        resource_ids: b.resource_ids.iter().map(ResourceId::as_string).collect(),
        start: time::format(&b.start),
        end: time::format(&b.end),
        status: b.status,
        requester_id: b.user_id.as_string(),
        punctuality_minutes: b.punctuality_minutes(),
        no_show: b.is_no_show(Timestamp::now(), project.settings.no_show_grace_minutes),
        details: b.details,
        series_id: b.series_id,
        reason: b.reason,
        actual_arrival: b.actual_arrival.as_ref().map(time::format),
        actual_departure: b.actual_departure.as_ref().map(time::format),
        created_at: time::format(&b.created_at),
        updated_at: time::format(&b.updated_at),
    }
}

fn booking_id(raw: &str) -> Result<BookingId, ApiError> {
    BookingId::parse(raw).ok_or(ApiError::NotFound)
}

fn actor(access: &ProjectAccess) -> Actor<'_> {
    Actor {
        user_id: &access.user_id,
        role: access.role,
    }
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
            let (project, prefetched) = tokio::join!(
                projects::require(store, &project_id),
                bookings::prefetch(store, &project_id, &req)
            );
            Ok::<_, ApiError>((req, project, prefetched))
        })
        .await?;
    let (req, project, prefetched) = read?;
    access.require(Action::CreateBooking)?;
    let (p, _) = project?;
    let b = bookings::create_prefetched(store, &p, actor(&access), req, Some(prefetched)).await?;
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
    access: ProjectAccess,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    access.require(Action::ViewBookings)?;
    let filter = ListFilter {
        from: timestamp("from", q.from.as_deref())?,
        to: timestamp("to", q.to.as_deref())?,
        resource: q
            .resource_id
            .as_deref()
            .map(|r| {
                ResourceId::parse(r)
                    .ok_or_else(|| ApiError::field("resourceId", "is not a resource id"))
            })
            .transpose()?,
        status: q
            .status
            .as_deref()
            .map(|s| {
                BookingStatus::parse(s)
                    .ok_or_else(|| ApiError::field("status", "is not a booking status"))
            })
            .transpose()?,
    };
    // The project (for its time zone and settings) and the page: one round trip.
    let (p, page) = tokio::join!(
        project(&state, &access),
        bookings::list(
            state.stores.documents.as_ref(),
            &access.project_id,
            &filter,
            q.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT),
            q.next,
        )
    );
    let p = p?;
    let (items, next) = page?;
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
    access.require(Action::ViewBookings)?;
    let p = project(&state, &access).await?;
    let (b, _) = bookings::require(
        state.stores.documents.as_ref(),
        &access.project_id,
        &booking_id(&path.1)?,
    )
    .await?;
    Ok(Json(view(b, &p)))
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
    access.require(Action::CreateBooking)?;
    let p = project(&state, &access).await?;
    let b = bookings::reschedule(
        state.stores.documents.as_ref(),
        &p,
        actor(&access),
        &booking_id(&path.1)?,
        req,
    )
    .await?;
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
    access.require(Action::ViewBookings)?;
    let id = booking_id(raw_id)?;
    let transition = make(step_body(body)?)?;
    let p = project(state, access).await?;
    let b = bookings::transition(
        state.stores.documents.as_ref(),
        &p,
        actor(access),
        &id,
        transition,
    )
    .await?;
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
    access.require(Action::CreateBooking)?;
    let p = project(&state, &access).await?;
    let out =
        bookings::create_series(state.stores.documents.as_ref(), &p, actor(&access), req).await?;
    Ok((
        StatusCode::CREATED,
        Json(SeriesView {
            series_id: out.series_id,
            booked: out.booked.into_iter().map(|b| view(b, &p)).collect(),
            skipped: out.skipped,
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
    access.require(Action::ViewBookings)?;
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
    let windows =
        bookings::availability(state.stores.documents.as_ref(), &p, &ids, from, to, minutes)
            .await?;
    Ok(Json(AvailabilityView { windows }))
}
