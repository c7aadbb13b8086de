//! The functions: HTTP routes (one module per resource) and the timer and
//! blob entry points. `api_routes` is the route table of every HTTP
//! function; `table` derives function.json files from it.

pub mod background;
pub mod envelope;
mod health;
mod openapi;
pub mod purge;
pub mod scheduler;
pub mod table;

use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Insite LMS API",
        description = "Logistics management for construction sites: projects, site resources, delivery-slot bookings, files."
    ),
    components(schemas(crate::http::problem::Problem, crate::http::problem::FieldError))
)]
struct ApiDoc;

/// Every HTTP function, with its OpenAPI description.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::health))
        .routes(routes!(openapi::openapi_json))
}

/// The OpenAPI document generated from the route table.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    api_routes().into_openapi()
}
