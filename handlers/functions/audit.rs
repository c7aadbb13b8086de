//! `GET /api/projects/{projectId}/audit`: the project's change log (P10).

use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::project_access::ProjectAccess;
use crate::domain::audit::{self, AuditFilter};
use crate::domain::roles::Action;
use crate::http::extract::ApiQuery;
use crate::http::paging::{MAX_LIMIT, Paged};
use crate::http::problem::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only entries by this user id.
    actor: Option<String>,
    /// Only this action, e.g. `booking.approved`.
    action: Option<String>,
    limit: Option<u32>,
    next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    id: String,
    /// Always `audit`.
    kind: String,
    #[serde(with = "crate::domain::time::fixed")]
    #[schema(value_type = String, format = DateTime)]
    at: Timestamp,
    /// The acting user; a pseudonym after that user withdrew consent.
    actor_id: Option<String>,
    /// e.g. `user.updated`, `booking.approved`.
    action: String,
    target_type: String,
    target_id: String,
    changed_fields: Vec<String>,
}

impl From<audit::AuditEntry> for AuditEntry {
    fn from(e: audit::AuditEntry) -> Self {
        AuditEntry {
            id: e.id,
            kind: e.kind,
            at: e.at,
            actor_id: e.actor_id,
            action: e.action,
            target_type: e.target_type,
            target_id: e.target_id,
            changed_fields: e.changed_fields,
        }
    }
}

/// The project's audit log, newest first.
#[utoipa::path(
    get,
    path = "/api/projects/{projectId}/audit",
    operation_id = "list-audit",
    tag = "audit",
    security(("bearer" = [])),
    params(("projectId" = String, Path), AuditParams),
    responses((status = 200, body = Paged<AuditEntry>))
)]
pub async fn list_audit(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> Result<Json<Paged<AuditEntry>>, ApiError> {
    access.require(Action::ViewAudit)?;
    let (items, next) = audit::list(
        state.stores.documents.as_ref(),
        &access.project_id,
        AuditFilter {
            actor: p.actor,
            action: p.action,
        },
        p.limit.unwrap_or(50).clamp(1, MAX_LIMIT),
        p.next,
    )
    .await?;
    Ok(Json(Paged {
        items: items.into_iter().map(Into::into).collect(),
        next,
    }))
}
