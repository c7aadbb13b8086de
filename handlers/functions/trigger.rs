//! What makes the Functions host invoke a function: an HTTP request, a
//! timer, or a new blob. Its own module, so the function table (which
//! lists every function) and the background table (which declares the
//! timer and blob ones) both name it without importing each other.

#[derive(Debug, Clone, PartialEq)]
pub enum Trigger {
    /// `route` is the whole path without its leading `/` (host.json's
    /// `routePrefix` is empty, so the app can be served at `/`).
    Http {
        methods: Vec<String>,
        route: String,
    },
    Timer {
        schedule: &'static str,
    },
    Blob {
        path: &'static str,
        connection: &'static str,
    },
}
