//! A keyed in-memory rate limiter (per client address) for anonymous
//! endpoints. Addresses live only in this process's memory, never in the
//! store or the logs; stale keys are dropped as the limiter is used.

use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use super::problem::ApiError;

pub struct AddressLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    calls: AtomicU32,
}

impl AddressLimiter {
    /// `burst` requests at once, refilled at one per `period`.
    pub fn new(burst: u32, period: Duration) -> Self {
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
            .allow_burst(burst);
        AddressLimiter {
            limiter: DefaultKeyedRateLimiter::keyed(quota),
            calls: AtomicU32::new(0),
        }
    }

    pub fn check(&self, ip: IpAddr) -> Result<(), ApiError> {
        if self
            .calls
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(1024)
        {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&key(ip)).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            ApiError::TooManyRequests {
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }
}

/// The key a client is counted under: an IPv4 address, or an IPv6
/// address's /64 network. One subscriber usually holds a whole /64, so
/// counting single IPv6 addresses would let anyone step around the limit.
fn key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(std::net::Ipv6Addr::from(network))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_of_one_ipv6_network_share_their_budget() {
        let limiter = AddressLimiter::new(2, Duration::from_secs(3600));
        let a: IpAddr = "2001:db8:1:2::1".parse().expect("address");
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("address");
        let other: IpAddr = "2001:db8:1:3::1".parse().expect("address");
        assert!(limiter.check(a).is_ok());
        assert!(limiter.check(b).is_ok());
        assert!(limiter.check(a).is_err(), "the /64 has spent its burst");
        assert!(limiter.check(other).is_ok(), "another /64 counts apart");
        let v4: IpAddr = "192.0.2.1".parse().expect("address");
        let v4_next: IpAddr = "192.0.2.2".parse().expect("address");
        assert!(limiter.check(v4).is_ok());
        assert!(limiter.check(v4).is_ok());
        assert!(
            limiter.check(v4_next).is_ok(),
            "IPv4 addresses count one by one"
        );
    }
}
