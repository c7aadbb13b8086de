//! Timer and blob functions: the `BACKGROUND` table names each one, its
//! trigger and the code it runs. The Functions host POSTs the invocation
//! envelope to `/<name>`; without a host the local scheduler does the same.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use futures::future::BoxFuture;
use tracing::Instrument;

use super::envelope::{InvocationRequest, InvocationResponse};
use super::table::Trigger;
use super::{notify, purge};
use crate::http::extract::ApiJson;
use crate::http::problem::ApiError;
use crate::state::AppState;

type Run =
    fn(AppState, InvocationRequest) -> BoxFuture<'static, Result<InvocationResponse, ApiError>>;

pub struct BackgroundFunction {
    pub name: &'static str,
    pub trigger: Trigger,
    pub run: Run,
}

pub const BACKGROUND: &[BackgroundFunction] = &[
    BackgroundFunction {
        name: purge::NAME,
        // Hourly, so a backlog is worked off in bounded batches.
        trigger: Trigger::Timer {
            schedule: "0 17 * * * *",
        },
        run: |state, req| Box::pin(purge::run(state, req)),
    },
    BackgroundFunction {
        name: notify::NAME,
        trigger: Trigger::Timer {
            schedule: "0 */2 * * * *",
        },
        run: |state, req| Box::pin(notify::run(state, req)),
    },
];

/// Routes `POST /<name>` for every background function.
pub fn router() -> Router<AppState> {
    BACKGROUND.iter().fold(Router::new(), |router, f| {
        let run = f.run;
        let name = f.name;
        router.route(
            &format!("/{name}"),
            post(
                move |State(state): State<AppState>, ApiJson(req): ApiJson<InvocationRequest>| async move {
                    run(state, req)
                        .instrument(tracing::info_span!("invocation", function = name))
                        .await
                        .map(Json)
                },
            ),
        )
    })
}
