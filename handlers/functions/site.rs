//! Site routes: the site plan of a day with every resource's load, and
//! the caller's opt-in to the daily briefing. Plan upload, revision and
//! image bytes are file routes (`files`).

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::resources::{Placement, ResourceKind};
use crate::auth::project_access::ProjectAccess;
use crate::domain::roles::Action;
use crate::domain::site::{self, SitePlanDay};
use crate::domain::{briefing, projects};
use crate::http::extract::{ApiJson, ApiQuery};
use crate::http::problem::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SitePlanParams {
    /// Local date `YYYY-MM-DD`; default: today in the project's time zone.
    date: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlanView {
    file_id: String,
    name: String,
    /// Pixels; `null` while unknown.
    width: Option<u32>,
    height: Option<u32>,
    uploaded_at: String,
}

/// How busy a resource is on the day.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum LoadLevel {
    /// Not open at all that day.
    Closed,
    Free,
    /// Under 50 % of the open capacity booked.
    Light,
    /// Under 90 %.
    Busy,
    /// 90 % or more.
    Full,
}

impl From<site::LoadLevel> for LoadLevel {
    fn from(l: site::LoadLevel) -> Self {
        match l {
            site::LoadLevel::Closed => LoadLevel::Closed,
            site::LoadLevel::Free => LoadLevel::Free,
            site::LoadLevel::Light => LoadLevel::Light,
            site::LoadLevel::Busy => LoadLevel::Busy,
            site::LoadLevel::Full => LoadLevel::Full,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoadView {
    /// Approved and pending bookings' minutes on the day.
    booked_minutes: i64,
    open_minutes: i64,
    level: LoadLevel,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SitePlanResourceView {
    resource_id: String,
    name: String,
    kind: ResourceKind,
    access_instructions: Option<String>,
    placement: Option<Placement>,
    load: LoadView,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SitePlanView {
    /// The local date shown.
    date: String,
    plans: Vec<PlanView>,
    resources: Vec<SitePlanResourceView>,
}

/// The site plans and every resource with its placement and the day's
/// load (`closed`, `free`, `light` under 50 % of open capacity, `busy`
/// under 90 %, `full`).
#[utoipa::path(
    get,
    path = "/api/projects/{projectId}/site-plan",
    operation_id = "get-site-plan",
    tag = "site",
    security(("bearer" = [])),
    params(("projectId" = String, Path), SitePlanParams),
    responses(
        (status = 200, body = SitePlanView),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get_site_plan(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiQuery(q): ApiQuery<SitePlanParams>,
) -> Result<Json<SitePlanView>, ApiError> {
    access.require(Action::ViewResources)?;
    let store = state.stores.documents.as_ref();
    let (project, _) = projects::require(store, &access.project_id).await?;
    let date = q
        .date
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|_| ApiError::field("date", "must be a date YYYY-MM-DD"))?;
    let may_restricted = access.may(Action::ViewRestrictedFiles);
    let day = site::site_plan_day(store, &project, date, may_restricted).await?;
    Ok(Json(view(day)))
}

fn view(day: SitePlanDay) -> SitePlanView {
    SitePlanView {
        date: day.date.to_string(),
        plans: day
            .plans
            .into_iter()
            .map(|p| PlanView {
                file_id: p.file.file_id.as_string(),
                name: p.file.name.as_str().to_owned(),
                width: p.width,
                height: p.height,
                uploaded_at: crate::domain::time::format(&p.file.at),
            })
            .collect(),
        resources: day
            .resources
            .into_iter()
            .map(|(r, load)| SitePlanResourceView {
                resource_id: r.resource_id.as_string(),
                name: r.name,
                kind: r.resource_kind.into(),
                access_instructions: r.access_instructions,
                placement: r.placement.map(Into::into),
                load: LoadView {
                    booked_minutes: load.booked_minutes,
                    open_minutes: load.open_minutes,
                    level: load.level.into(),
                },
            })
            .collect(),
    }
}

/// The caller's opt-in to a project's daily briefing.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BriefingSetting {
    /// Tomorrow's approved deliveries by mail at 16:00 project time.
    enabled: bool,
}

/// Whether the caller gets the project's daily briefing (P6).
#[utoipa::path(
    get,
    path = "/api/projects/{projectId}/me/briefing",
    operation_id = "get-my-briefing",
    tag = "site",
    security(("bearer" = [])),
    params(("projectId" = String, Path)),
    responses((status = 200, body = BriefingSetting))
)]
pub async fn get_my_briefing(
    State(state): State<AppState>,
    access: ProjectAccess,
) -> Result<Json<BriefingSetting>, ApiError> {
    access.require(Action::ViewProject)?;
    let enabled = briefing::enabled(
        state.stores.documents.as_ref(),
        &access.project_id,
        &access.user_id,
    )
    .await?;
    Ok(Json(BriefingSetting { enabled }))
}

/// Opt in to or out of the project's daily briefing (P6).
#[utoipa::path(
    put,
    path = "/api/projects/{projectId}/me/briefing",
    operation_id = "set-my-briefing",
    tag = "site",
    security(("bearer" = [])),
    params(("projectId" = String, Path)),
    request_body = BriefingSetting,
    responses(
        (status = 200, body = BriefingSetting),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn set_my_briefing(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiJson(req): ApiJson<BriefingSetting>,
) -> Result<Json<BriefingSetting>, ApiError> {
    access.require(Action::ViewProject)?;
    let enabled = briefing::set_enabled(
        state.stores.documents.as_ref(),
        &access.project_id,
        &access.user_id,
        req.enabled,
    )
    .await?;
    Ok(Json(BriefingSetting { enabled }))
}
