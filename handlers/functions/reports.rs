//! Reports over a project's bookings.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::project_access::ProjectAccess;
use crate::domain::bookings::reports;
use crate::domain::projects;
use crate::domain::roles::Action;
use crate::http::extract::ApiQuery;
use crate::http::problem::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UtilizationParams {
    /// First local date, `YYYY-MM-DD`.
    from: Option<String>,
    /// Last local date (inclusive), at most 92 days after `from`.
    to: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
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

impl From<reports::DayUtilization> for DayUtilization {
    fn from(d: reports::DayUtilization) -> Self {
        DayUtilization {
            resource_id: d.resource_id,
            resource_name: d.resource_name,
            date: d.date,
            open_minutes: d.open_minutes,
            booked_minutes: d.booked_minutes,
            capacity: d.capacity,
            bookings: d.bookings,
            checked_in: d.checked_in,
            on_time_share: d.on_time_share,
            mean_delay_minutes: d.mean_delay_minutes,
            no_shows: d.no_shows,
            turned_away: d.turned_away,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UtilizationView {
    items: Vec<DayUtilization>,
}

fn date(field: &str, raw: Option<&str>) -> Result<jiff::civil::Date, ApiError> {
    raw.ok_or_else(|| ApiError::field(field, "is required"))?
        .parse()
        .map_err(|_| ApiError::field(field, "must be a date YYYY-MM-DD"))
}

/// Per resource and local day: booked vs open minutes, bookings, on-time
/// share, mean delay, no-shows, turn-aways.
#[utoipa::path(
    get,
    path = "/api/projects/{projectId}/reports/utilization",
    operation_id = "get-utilization-report",
    tag = "reports",
    security(("bearer" = [])),
    params(("projectId" = String, Path), UtilizationParams),
    responses(
        (status = 200, body = UtilizationView),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn utilization(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiQuery(q): ApiQuery<UtilizationParams>,
) -> Result<Json<UtilizationView>, ApiError> {
    access.require(Action::ViewBookings)?;
    let from = date("from", q.from.as_deref())?;
    let to = date("to", q.to.as_deref())?;
    let (project, _) =
        projects::require(state.stores.documents.as_ref(), &access.project_id).await?;
    let items = reports::utilization(state.stores.documents.as_ref(), &project, from, to).await?;
    Ok(Json(UtilizationView {
        items: items.into_iter().map(Into::into).collect(),
    }))
}
