//! The real binary as a process of its own (two handlers on one data
//! folder, a handler killed mid-write): a free port to give it, and the
//! wait until it answers its health check.

use std::net::{Ipv4Addr, TcpListener};
use std::time::{Duration, Instant};

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// Whether `base` answers `GET /api/health` with 200 within `within`.
pub async fn healthy_within(client: &reqwest::Client, base: &str, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if let Ok(r) = client.get(format!("{base}/api/health")).send().await
            && r.status().is_success()
        {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
