//! The client's network address, for in-memory rate limiting only: it is
//! never stored, logged or recorded in telemetry. Behind the Functions host
//! (a loopback peer) the last `X-Forwarded-For` entry is the client: it is
//! the one Azure's front end appended, while earlier ones are whatever the
//! client chose to send.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

pub struct ClientAddress(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        let forwarded = || {
            parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|first| {
                    let first = first.trim();
                    first
                        .parse::<IpAddr>()
                        .ok()
                        .or_else(|| first.parse::<SocketAddr>().ok().map(|s| s.ip()))
                })
        };
        Ok(ClientAddress(match peer {
            Some(ip) if ip.is_loopback() => forwarded().or(Some(ip)),
            other => other,
        }))
    }
}
