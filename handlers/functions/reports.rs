//! Reports over a project's bookings.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::project_access::ProjectAccess;
use crate::domain::bookings::reports::{self, DayUtilization};
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
    Ok(Json(UtilizationView { items }))
}
