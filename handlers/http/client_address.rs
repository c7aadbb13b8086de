//! The client's network address, for in-memory rate limiting only: it is
//! never stored, logged or recorded in telemetry. `X-Forwarded-For` counts
//! only when the peer is a trusted front end (`LMS_TRUSTED_PROXIES`; under
//! the Functions host, the host on loopback, behind Azure's front end).
//! Then the client is the right-most entry that is not itself a trusted
//! front end: entries further left are whatever the client chose to send.
//! Any other peer is the client itself, whatever headers it sends (L8).
//!
//! `LocalCaller` guards the invocation routes: only the Functions host (or
//! the local scheduler, in-process) may call them, and both are local (L10).

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use super::problem::ApiError;

/// The front ends whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<[IpNet]>);

impl TrustedProxies {
    pub fn new(nets: Vec<IpNet>) -> Self {
        TrustedProxies(nets.into())
    }

    /// The Functions host, which reaches the handler over loopback.
    pub fn loopback() -> Self {
        Self::new(vec![
            IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(127, 0, 0, 0), 8)),
            IpNet::V6(Ipv6Net::new_assert(Ipv6Addr::LOCALHOST, 128)),
        ])
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The client behind `peer`, given the `X-Forwarded-For` value.
    pub fn client(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let Some(list) = forwarded_for else {
            return peer;
        };
        let mut client = peer;
        for entry in list.rsplit(',') {
            match parse_entry(entry) {
                Some(ip) => {
                    client = ip;
                    if !self.trusts(ip) {
                        break;
                    }
                }
                // Garbage from here on was not written by a front end.
                None => break,
            }
        }
        client
    }
}

/// An IPv4 peer on a dual-stack socket arrives as `::ffff:a.b.c.d`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// An entry is an address, or address and port (Azure's front end appends
/// `ip:port`).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(canonical)
}

fn peer_of(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| canonical(addr.ip()))
}

pub struct ClientAddress(pub Option<IpAddr>);

impl<S> FromRequestParts<S> for ClientAddress
where
    S: Send + Sync,
    TrustedProxies: FromRef<S>,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let trusted = TrustedProxies::from_ref(state);
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Ok(ClientAddress(
            peer_of(parts).map(|peer| trusted.client(peer, forwarded)),
        ))
    }
}

/// A caller on this machine: a loopback peer, or a request raised
/// in-process (no peer at all, as the local scheduler sends them).
pub struct LocalCaller;

impl<S: Send + Sync> FromRequestParts<S> for LocalCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match peer_of(parts) {
            Some(ip) if !ip.is_loopback() => Err(ApiError::Forbidden(
                "only the Functions host on this machine may invoke this function",
            )),
            _ => Ok(LocalCaller),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn without_trusted_front_ends_the_peer_is_the_client() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client(ip("127.0.0.1"), Some("203.0.113.9")),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn behind_the_host_the_right_most_entry_counts() {
        let host = TrustedProxies::loopback();
        assert_eq!(
            host.client(ip("127.0.0.1"), Some("198.51.100.1, 203.0.113.9:51234")),
            ip("203.0.113.9")
        );
        assert_eq!(
            host.client(ip("::ffff:127.0.0.1"), Some("[2001:db8::7]:443")),
            ip("2001:db8::7")
        );
        assert_eq!(host.client(ip("127.0.0.2"), None), ip("127.0.0.2"));
        assert_eq!(
            host.client(ip("192.0.2.50"), Some("203.0.113.9")),
            ip("192.0.2.50"),
            "a peer that is not the host is the client"
        );
    }

    #[test]
    fn chained_front_ends_are_skipped_and_garbage_stops_the_walk() {
        let chain = TrustedProxies::new(vec![
            "10.0.0.0/8".parse().expect("net"),
            IpNet::from(ip("192.0.2.1")),
        ]);
        assert_eq!(
            chain.client(ip("192.0.2.1"), Some("1.1.1.1, 203.0.113.9, 10.2.3.4")),
            ip("203.0.113.9")
        );
        assert_eq!(
            chain.client(ip("192.0.2.1"), Some("not-an-ip, 10.2.3.4")),
            ip("10.2.3.4")
        );
    }
}
