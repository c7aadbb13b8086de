//! The one retry loop of every optimistic-concurrency write. A writer reads
//! a document with its ETag, decides, and writes with If-Match (or
//! create-if-absent); when another writer got there first the store answers
//! `PreconditionFailed`, and the writer starts over from a fresh read. The
//! attempt says which outcome means "start over" with [`Attempt::Retry`],
//! so a precondition failing deeper down is never retried by accident.
//! After [`MAX_ATTEMPTS`] lost races the caller gets
//! [`DomainError::Contended`], which the HTTP layer answers with 503 and
//! `Retry-After`.

use std::future::Future;
use std::time::Duration;

use super::error::DomainError;
use crate::store::StoreError;

/// Attempts of an optimistic write before answering "busy, retry".
pub const MAX_ATTEMPTS: usize = 64;

/// What one attempt of an optimistic write came to.
#[derive(Debug)]
pub enum Attempt<T> {
    /// Written (or nothing to write): the result.
    Done(T),
    /// Another writer changed what this attempt read; read again.
    Retry,
}

impl<T> Attempt<T> {
    /// The outcome of a conditional write: `done` when it was written,
    /// `Retry` when its precondition failed, any other failure as an error.
    pub fn of_write<W>(written: Result<W, StoreError>, done: T) -> Result<Self, DomainError> {
        match written {
            Ok(_) => Ok(Attempt::Done(done)),
            Err(StoreError::PreconditionFailed) => Ok(Attempt::Retry),
            Err(e) => Err(e.into()),
        }
    }
}

/// Run `attempt` until it is done, fails, or has lost [`MAX_ATTEMPTS`]
/// races; `what` names the contended thing in the error. Each retry waits
/// a few random milliseconds so that writers that lost a race spread out.
///
/// The closure is called once per attempt and must read afresh each time:
/// `|| async move { ... }` over references.
pub async fn retry_on_precondition<T, F, Fut>(
    what: &'static str,
    mut attempt: F,
) -> Result<T, DomainError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Attempt<T>, DomainError>>,
{
    for _ in 0..MAX_ATTEMPTS {
        match attempt().await? {
            Attempt::Done(t) => return Ok(t),
            Attempt::Retry => backoff().await,
        }
    }
    Err(DomainError::Contended(what))
}

async fn backoff() {
    let ms = rand::random_range(1..=8u64);
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn a_lost_race_is_tried_again_until_it_is_won() {
        let calls = AtomicUsize::new(0);
        let calls = &calls;
        let r = retry_on_precondition("thing", || async move {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            let written = if n < 2 {
                Err(StoreError::PreconditionFailed)
            } else {
                Ok(())
            };
            Attempt::of_write(written, n)
        })
        .await;
        assert_eq!(r.ok(), Some(2));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn other_failures_end_the_loop_at_once() {
        let calls = AtomicUsize::new(0);
        let calls = &calls;
        let r: Result<(), _> = retry_on_precondition("thing", || async move {
            calls.fetch_add(1, Ordering::SeqCst);
            Attempt::of_write(Err::<(), _>(StoreError::Conflict), ())
        })
        .await;
        assert!(
            matches!(r, Err(DomainError::Store(StoreError::Conflict))),
            "{r:?}"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn endless_contention_is_a_contended_error_not_a_store_error() {
        let calls = AtomicUsize::new(0);
        let calls = &calls;
        let r: Result<(), _> = retry_on_precondition("the schedule", || async move {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(Attempt::Retry)
        })
        .await;
        assert!(
            matches!(r, Err(DomainError::Contended("the schedule"))),
            "{r:?}"
        );
        assert_eq!(calls.load(Ordering::SeqCst), MAX_ATTEMPTS);
    }
}
