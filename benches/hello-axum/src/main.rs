//! A bare axum hello-world: `GET /` answers "Hello, World!" on
//! `127.0.0.1:$PORT` (default 7072), on tokio's default multi-threaded
//! runtime like the handler.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse::<u16>().ok())
        .unwrap_or(7072);
    tokio::runtime::Runtime::new()?.block_on(async move {
        let app = axum::Router::new().route("/", axum::routing::get(|| async { "Hello, World!" }));
        let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port);
        let listener = tokio::net::TcpListener::bind(addr).await?;
        axum::serve(listener, app).await
    })
}
