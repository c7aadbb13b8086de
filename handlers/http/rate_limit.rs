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
        self.limiter.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            ApiError::TooManyRequests {
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }
}
