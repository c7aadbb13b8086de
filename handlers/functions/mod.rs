//! The functions: HTTP routes (one module per resource) and the timer and
//! blob entry points. `api_routes` is the route table of every HTTP
//! function; `table` derives function.json files from it.

mod accounts;
mod audit;
pub mod background;
mod bookings;
pub mod briefings;
mod calendar;
pub mod envelope;
mod files;
mod health;
pub mod index_document;
mod invitations;
mod members;
pub mod notify;
mod openapi;
mod organizations;
mod passes;
mod privacy;
mod projects;
pub mod purge;
mod reports;
mod resources;
pub mod scheduler;
mod sessions;
mod site;
mod support;
pub mod table;
pub mod trigger;

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
    components(schemas(crate::http::problem::Problem, crate::http::problem::FieldError)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

/// Declares the `bearer` security scheme that authenticated routes name.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Every HTTP function, with its OpenAPI description.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::health))
        .routes(routes!(openapi::openapi_json))
        .routes(routes!(accounts::register))
        .routes(routes!(
            accounts::get_me,
            accounts::update_me,
            privacy::delete_me
        ))
        .routes(routes!(privacy::export_me))
        .routes(routes!(
            privacy::delete_organization,
            organizations::get_organization
        ))
        .routes(routes!(
            support::create_support_request,
            support::list_support_requests
        ))
        .routes(routes!(support::update_support_request))
        .routes(routes!(accounts::change_password))
        .routes(routes!(accounts::privacy_policy))
        .routes(routes!(accounts::accept_policy))
        .routes(routes!(sessions::login))
        .routes(routes!(sessions::refresh))
        .routes(routes!(sessions::logout))
        .routes(routes!(sessions::my_logins))
        .routes(routes!(sessions::end_my_sessions))
        .routes(routes!(projects::create_project, projects::list_projects))
        .routes(routes!(
            projects::get_project,
            projects::update_project,
            projects::delete_project
        ))
        .routes(routes!(members::list_members))
        .routes(routes!(members::update_member, members::remove_member))
        .routes(routes!(members::leave_project))
        .routes(routes!(
            invitations::create_invitation,
            invitations::list_invitations
        ))
        .routes(routes!(invitations::withdraw_invitation))
        .routes(routes!(invitations::resend_invitation))
        .routes(routes!(invitations::consent_wording))
        .routes(routes!(invitations::accept_invitation))
        .routes(routes!(audit::list_audit))
        .routes(routes!(files::upload_file, files::list_files))
        .routes(routes!(files::get_file, files::delete_file))
        .routes(routes!(files::download_file))
        .routes(routes!(files::revise_site_plan))
        .routes(routes!(site::get_site_plan))
        .routes(routes!(site::get_my_briefing, site::set_my_briefing))
        .routes(routes!(
            resources::create_resource,
            resources::list_resources
        ))
        .routes(routes!(
            resources::get_resource,
            resources::update_resource,
            resources::delete_resource
        ))
        .routes(routes!(bookings::create_booking, bookings::list_bookings))
        .routes(routes!(bookings::get_booking, bookings::update_booking))
        .routes(routes!(bookings::approve_booking))
        .routes(routes!(bookings::decline_booking))
        .routes(routes!(bookings::cancel_booking))
        .routes(routes!(bookings::check_in_booking))
        .routes(routes!(bookings::check_out_booking))
        .routes(routes!(bookings::turn_away_booking))
        .routes(routes!(bookings::create_booking_series))
        .routes(routes!(bookings::availability))
        .routes(routes!(calendar::calendar_ics))
        .routes(routes!(calendar::create_feed, calendar::revoke_feed))
        .routes(routes!(reports::utilization))
        .routes(routes!(passes::get_pass))
        .routes(routes!(passes::get_pass_qr))
        .routes(routes!(passes::get_pass_plan))
        .routes(routes!(
            passes::get_booking_pass,
            passes::regenerate_booking_pass
        ))
        .routes(routes!(passes::gate_lookup))
}

/// The OpenAPI document generated from the route table.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let mut doc = api_routes().into_openapi();
    crate::http::extract::document_rejections(&mut doc);
    doc
}
