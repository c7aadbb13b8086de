//! Timer and blob functions: the `BACKGROUND` table names each one, its
//! trigger and the code it runs. The Functions host POSTs the invocation
//! envelope to `/<name>`; without a host the local scheduler does the same.
//! Nobody else may: callers that are not on this machine get 403.

use axum::extract::{FromRequest, Request, State};
use axum::routing::post;
use axum::{Json, Router};
use futures::future::BoxFuture;
use tracing::Instrument;

use super::envelope::{self, InvocationRequest, InvocationResponse};
use super::trigger::Trigger;
use super::{briefings, index_document, notify, purge};
use crate::http::client_address::LocalCaller;
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
    BackgroundFunction {
        name: briefings::NAME,
        // Every quarter hour, so each time zone's 16:00 is met within 15
        // minutes; a marker per project and day keeps it to one briefing.
        trigger: Trigger::Timer {
            schedule: "0 */15 * * * *",
        },
        run: |state, req| Box::pin(briefings::run(state, req)),
    },
    BackgroundFunction {
        name: index_document::NAME,
        // `FilesStorage` is an identity-based connection
        // (`FilesStorage__blobServiceUri` and friends in the app settings).
        trigger: Trigger::Blob {
            path: "project-files/{name}",
            connection: "FilesStorage",
        },
        run: |state, req| Box::pin(index_document::run(state, req)),
    },
];

/// Routes `POST /<name>` for every background function.
pub fn router() -> Router<AppState> {
    BACKGROUND.iter().fold(Router::new(), |router, f| {
        let run = f.run;
        let name = f.name;
        // A blob trigger's `Data` holds the whole blob; it is skipped while
        // the body streams in instead of being buffered.
        let skip_data = matches!(f.trigger, Trigger::Blob { .. });
        router.route(
            &format!("/{name}"),
            post(
                move |_: LocalCaller, State(state): State<AppState>, request: Request| async move {
                    let req = if skip_data {
                        envelope::read_metadata_only(request.into_body()).await?
                    } else {
                        ApiJson::<InvocationRequest>::from_request(request, &state)
                            .await?
                            .0
                    };
                    run(state, req)
                        .instrument(tracing::info_span!("invocation", function = name))
                        .await
                        .map(Json)
                },
            ),
        )
    })
}
