//! The iCalendar feed of a project's bookings and its per-user feed
//! tokens. The feed answers to a bearer token (members) or to `?feed=`
//! (calendar apps); with neither it is a 404, like any project route.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::auth::project_access::ProjectAccess;
use crate::domain::bookings::calendar;
use crate::domain::ids::ProjectId;
use crate::domain::passes::PassLinks;
use crate::domain::projects;
use crate::http::extract::{ApiPath, ApiQuery};
use crate::http::problem::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// A feed token from `POST .../calendar-feed`.
    feed: Option<String>,
}

/// The project's bookings as RFC 5545 iCalendar (cancelled and declined
/// ones left out).
#[utoipa::path(
    get,
    path = "/api/projects/{projectId}/calendar.ics",
    operation_id = "get-calendar",
    tag = "bookings",
    security(("bearer" = []), ()),
    params(("projectId" = String, Path), FeedParams),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404))
)]
pub async fn calendar_ics(
    State(state): State<AppState>,
    ApiPath(project_id): ApiPath<String>,
    ApiQuery(q): ApiQuery<FeedParams>,
    auth: Result<AuthUser, ApiError>,
) -> Result<Response, ApiError> {
    let store = state.stores.documents.as_ref();
    let project_id = ProjectId::parse(&project_id).ok_or(ApiError::NotFound)?;
    let signed_in = auth.ok().map(|user| user.user_id);
    calendar::reader(store, &project_id, q.feed.as_deref(), signed_in.as_ref()).await?;
    let (project, _) = projects::require(store, &project_id).await?;
    let links = PassLinks {
        key: &state.pass_key,
        app_url: &state.config.app_url,
    };
    let body = calendar::render(store, &project, links).await?;
    let mut resp = (StatusCode::OK, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    Ok(resp)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedView {
    /// The feed URL with its token; shown once, keep it private.
    url: String,
}

/// Create (or replace) the caller's calendar feed token.
#[utoipa::path(
    post,
    path = "/api/projects/{projectId}/calendar-feed",
    operation_id = "create-calendar-feed",
    tag = "bookings",
    security(("bearer" = [])),
    params(("projectId" = String, Path)),
    responses((status = 201, body = FeedView))
)]
pub async fn create_feed(
    State(state): State<AppState>,
    access: ProjectAccess,
) -> Result<(StatusCode, Json<FeedView>), ApiError> {
    let token = calendar::create_feed(state.stores.documents.as_ref(), &access).await?;
    Ok((
        StatusCode::CREATED,
        Json(FeedView {
            url: format!(
                "/api/projects/{}/calendar.ics?feed={token}",
                access.project_id
            ),
        }),
    ))
}

/// Revoke the caller's calendar feed token.
#[utoipa::path(
    delete,
    path = "/api/projects/{projectId}/calendar-feed",
    operation_id = "revoke-calendar-feed",
    tag = "bookings",
    security(("bearer" = [])),
    params(("projectId" = String, Path)),
    responses((status = 204, description = "Revoked"), (status = 404, description = "No feed token"))
)]
pub async fn revoke_feed(
    State(state): State<AppState>,
    access: ProjectAccess,
) -> Result<StatusCode, ApiError> {
    calendar::revoke_feed(state.stores.documents.as_ref(), &access).await?;
    Ok(StatusCode::NO_CONTENT)
}
