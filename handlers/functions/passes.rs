//! Driver passes: the public pass (no account; rate-limited per client
//! address; never cached, indexed or sent as a referrer), its QR code and
//! plan images; the signed-in view and regeneration of a booking's pass;
//! the gate's lookup by scanned pass or typed code. The rules are in
//! `domain::passes` and `domain::bookings::pass`.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::bookings::{BookingView, view as booking_view};
use super::resources::{Placement, ResourceKind};
use crate::auth::project_access::ProjectAccess;
use crate::domain::bookings::pass::{self as pass_store, GateQuery, LivePass, OpenPass};
use crate::domain::files;
use crate::domain::ids::BookingId;
use crate::domain::passes;
use crate::domain::projects;
use crate::domain::time;
use crate::http::client_address::ClientAddress;
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::problem::{ApiError, Problem};
use crate::http::web_app::pass_headers;
use crate::state::AppState;

/// A public pass answer: rate-limited first, then the three headers on
/// whatever comes out, errors included.
async fn public<T: IntoResponse>(
    state: &AppState,
    client: ClientAddress,
    answer: impl Future<Output = Result<T, ApiError>>,
) -> Response {
    if let ClientAddress(Some(ip)) = client
        && let Err(e) = state.pass_limiter.check(ip)
    {
        return pass_headers(e.into_response());
    }
    pass_headers(answer.await.into_response())
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PassProject {
    name: String,
    address: Option<String>,
    access_instructions: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PassResource {
    name: String,
    kind: ResourceKind,
    access_instructions: Option<String>,
    placement: Option<Placement>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PassPlan {
    id: String,
    width: Option<u32>,
    height: Option<u32>,
}

/// What a driver sees: where, when, how to get in. No person's name,
/// email or phone.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PassView {
    /// The booking code as read out, `ABC-DEF`.
    code: Option<String>,
    start: String,
    end: String,
    /// The project's time zone (IANA), in which to show the times.
    time_zone: String,
    valid_until: String,
    /// The booking was moved and waits for the site's approval again: the
    /// gate cannot check it in until then.
    awaiting_approval: bool,
    project: PassProject,
    resources: Vec<PassResource>,
    /// The plans the resources are placed on.
    plans: Vec<PassPlan>,
}

fn pass_view(p: OpenPass) -> PassView {
    let OpenPass {
        project,
        booking,
        resources,
        plans,
    } = p;
    PassView {
        code: booking.code.as_deref().map(passes::display_code),
        start: time::format(&booking.start),
        end: time::format(&booking.end),
        time_zone: project.time_zone.as_str().to_owned(),
        valid_until: time::format(&passes::valid_until(booking.end)),
        awaiting_approval: passes::awaits_approval(booking.status),
        project: PassProject {
            name: project.name,
            address: project.address,
            access_instructions: project.access_instructions,
        },
        resources: resources
            .into_iter()
            .map(|r| PassResource {
                name: r.name,
                kind: r.resource_kind.into(),
                access_instructions: r.access_instructions,
                placement: r.placement.map(Into::into),
            })
            .collect(),
        plans: plans
            .into_iter()
            .map(|pl| PassPlan {
                id: pl.file.file_id.as_string(),
                width: pl.width,
                height: pl.height,
            })
            .collect(),
    }
}

/// Open a driver pass (no account). 404 for an unknown or regenerated
/// link; 410 with `extensions.reason` (`declined`, `cancelled`,
/// `turned-away`, `expired`) for a dead one.
#[utoipa::path(
    get,
    path = "/api/passes/{token}",
    operation_id = "get-pass",
    tag = "passes",
    params(("token" = String, Path, description = "The pass link's token")),
    responses(
        (status = 200, body = PassView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The pass is dead; `extensions.reason` says why", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get_pass(
    State(state): State<AppState>,
    client: ClientAddress,
    ApiPath(token): ApiPath<String>,
) -> Response {
    public(&state, client, async {
        let p = pass_store::open(state.stores.documents.as_ref(), &token).await?;
        Ok::<_, ApiError>(Json(pass_view(p)))
    })
    .await
}

/// The QR code of a live pass's link, as SVG.
#[utoipa::path(
    get,
    path = "/api/passes/{token}/qr.svg",
    operation_id = "get-pass-qr",
    tag = "passes",
    params(("token" = String, Path)),
    responses(
        (status = 200, content_type = "image/svg+xml", body = String),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 410, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get_pass_qr(
    State(state): State<AppState>,
    client: ClientAddress,
    ApiPath(token): ApiPath<String>,
) -> Response {
    public(&state, client, async {
        pass_store::open(state.stores.documents.as_ref(), &token).await?;
        let link = passes::link(&state.config.app_url, &token);
        let svg = crate::qr::svg(&link).map_err(ApiError::internal)?;
        Ok::<_, ApiError>(([(header::CONTENT_TYPE, "image/svg+xml")], svg))
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct PlanPath {
    token: String,
    #[serde(rename = "planId")]
    plan_id: String,
}

/// A plan image of a live pass: only a plan its resources are placed on.
#[utoipa::path(
    get,
    path = "/api/passes/{token}/plans/{planId}",
    operation_id = "get-pass-plan",
    tag = "passes",
    params(("token" = String, Path), ("planId" = String, Path)),
    responses(
        (status = 200, description = "The image", content_type = "image/png"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 410, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get_pass_plan(
    State(state): State<AppState>,
    client: ClientAddress,
    ApiPath(path): ApiPath<PlanPath>,
) -> Response {
    public(&state, client, async {
        let store = state.stores.documents.as_ref();
        let (project, file) = pass_store::plan_of_pass(store, &path.token, &path.plan_id).await?;
        let blob = files::blob_name(&project, &file.file_id)?;
        let download = state.stores.blobs.get(&blob, None).await?;
        let content_type = HeaderValue::from_str(&file.content_type).map_err(ApiError::internal)?;
        let mut response = Response::new(Body::from_stream(download.body));
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type);
        Ok::<_, ApiError>(response)
    })
    .await
}

/// A booking's pass as its viewers see it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BookingPassView {
    /// The pass link to give the driver.
    link: String,
    /// The booking code, `ABC-DEF`.
    code: Option<String>,
    valid_from: String,
    valid_until: String,
}

fn booking_pass_view(state: &AppState, p: &LivePass) -> BookingPassView {
    BookingPassView {
        link: passes::link(&state.config.app_url, &p.token),
        code: p.booking.code.as_deref().map(passes::display_code),
        valid_from: time::format(&p.valid_from),
        valid_until: time::format(&passes::valid_until(p.booking.end)),
    }
}

fn booking_id(raw: &str) -> Result<BookingId, ApiError> {
    BookingId::parse(raw).ok_or(ApiError::NotFound)
}

/// The live pass of a booking, for anyone who can see the booking. 404
/// while it has none (not approved, or dead).
#[utoipa::path(
    get,
    path = "/api/projects/{projectId}/bookings/{bookingId}/pass",
    operation_id = "get-booking-pass",
    tag = "passes",
    security(("bearer" = [])),
    params(("projectId" = String, Path), ("bookingId" = String, Path)),
    responses(
        (status = 200, body = BookingPassView),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get_booking_pass(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiPath(path): ApiPath<(String, String)>,
) -> Result<Json<BookingPassView>, ApiError> {
    let id = booking_id(&path.1)?;
    let store = state.stores.documents.as_ref();
    let live = pass_store::live_pass(store, &state.pass_key, &access, &id).await?;
    Ok(Json(booking_pass_view(&state, &live)))
}

/// Regenerate a booking's pass: the old link is dead at once. Audited
/// (without the token).
#[utoipa::path(
    post,
    path = "/api/projects/{projectId}/bookings/{bookingId}/pass",
    operation_id = "regenerate-booking-pass",
    tag = "passes",
    security(("bearer" = [])),
    params(("projectId" = String, Path), ("bookingId" = String, Path)),
    responses(
        (status = 200, body = BookingPassView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The booking is not approved", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The booking's pass is dead; `extensions.reason` says why", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn regenerate_booking_pass(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiPath(path): ApiPath<(String, String)>,
) -> Result<Json<BookingPassView>, ApiError> {
    let id = booking_id(&path.1)?;
    let store = state.stores.documents.as_ref();
    let live = pass_store::regenerate(store, &state.pass_key, &access, &id).await?;
    Ok(Json(booking_pass_view(&state, &live)))
}

/// What the gate scanned (`pass`: a pass link or a bare token) or typed
/// (`code`, case and dash insensitive). Exactly one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GateLookup {
    #[serde(default)]
    pass: Option<String>,
    #[serde(default)]
    code: Option<String>,
}

/// Find the booking of a scanned pass or a typed code, for those who may
/// check in. 404 unknown; 409 `reason: other-project` for another
/// project's pass; 410 with the pass's `reason` for a dead one.
#[utoipa::path(
    post,
    path = "/api/projects/{projectId}/gate/lookup",
    operation_id = "gate-lookup",
    tag = "passes",
    security(("bearer" = [])),
    params(("projectId" = String, Path)),
    request_body = GateLookup,
    responses(
        (status = 200, body = BookingView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`extensions.reason: other-project`", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "`extensions.reason` says why the pass is dead", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many lookups from this address", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn gate_lookup(
    State(state): State<AppState>,
    client: ClientAddress,
    access: ProjectAccess,
    ApiJson(req): ApiJson<GateLookup>,
) -> Result<Json<BookingView>, ApiError> {
    if let ClientAddress(Some(ip)) = client {
        state.pass_limiter.check(ip)?;
    }
    let query = match (req.pass.as_deref(), req.code.as_deref()) {
        (Some(p), None) => GateQuery::Pass(p),
        (None, Some(c)) => GateQuery::Code(c),
        _ => return Err(ApiError::field("pass", "send either pass or code")),
    };
    let store = state.stores.documents.as_ref();
    let (b, p) = tokio::join!(
        pass_store::gate_lookup(store, &access, query),
        projects::require(store, &access.project_id)
    );
    Ok(Json(booking_view(b?, &p?.0)))
}
