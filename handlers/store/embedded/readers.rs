//! The embedded store's reads. They run on tokio's blocking pool, each on
//! one of a few reader connections, never on the async workers. A read
//! that arrives while a drainer is running joins that drainer's queue
//! instead of starting a blocking task of its own, so under load one
//! blocking task serves many reads in a row: a read costs a queue push and
//! the wake of its caller, not a hand-off to a blocking thread and back
//! (thread hand-offs were a quarter of the day view's time in its profile).
//! When reads queue up faster than the drainers serve them (a slow read
//! from disk), more drainers start, one per connection at most.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use tokio::sync::oneshot;

use crate::store::document::StoreError;

type Job = Box<dyn FnOnce(&Connection) + Send>;

pub struct Readers {
    connections: Vec<Mutex<Connection>>,
    state: Mutex<State>,
}

struct State {
    queue: VecDeque<Job>,
    /// Connections no drainer holds.
    idle: Vec<usize>,
}

fn poisoned() -> StoreError {
    StoreError::Internal("store reader lock poisoned".into())
}

impl Readers {
    pub fn new(connections: Vec<Connection>) -> Arc<Self> {
        let idle = (0..connections.len()).rev().collect();
        Arc::new(Readers {
            connections: connections.into_iter().map(Mutex::new).collect(),
            state: Mutex::new(State {
                queue: VecDeque::new(),
                idle,
            }),
        })
    }

    /// Run `f` on a reader connection.
    pub async fn read<T, F>(self: &Arc<Self>, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            // The caller may have gone away.
            let _ = reply.send(f(conn));
        });
        let start = {
            let mut state = self.state.lock().map_err(|_| poisoned())?;
            state.queue.push_back(job);
            let running = self.connections.len() - state.idle.len();
            // A first drainer, or one more while the queue outgrows them.
            if running == 0 || state.queue.len() > 2 * running {
                state.idle.pop()
            } else {
                None
            }
        };
        if let Some(i) = start {
            let readers = self.clone();
            tokio::task::spawn_blocking(move || readers.drain(i));
        }
        answer
            .await
            .map_err(|_| StoreError::Internal("a store read failed to finish".into()))?
    }

    /// Serve queued reads on connection `i` until the queue is empty.
    fn drain(&self, i: usize) {
        let Ok(conn) = self.connections[i].lock() else {
            return self.give_up();
        };
        loop {
            let job = {
                let Ok(mut state) = self.state.lock() else {
                    return;
                };
                match state.queue.pop_front() {
                    Some(job) => job,
                    None => {
                        // Under the lock, so a read queued from now on
                        // sees this connection idle and starts a drainer.
                        state.idle.push(i);
                        return;
                    }
                }
            };
            // A panicking read drops its reply (its caller gets an error);
            // the drainer goes on with the others.
            let _ = catch_unwind(AssertUnwindSafe(|| job(&conn)));
        }
    }

    /// A connection whose lock is poisoned: fail what is queued rather than
    /// leave it waiting, and keep the connection out of use.
    fn give_up(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.queue.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn readers(n: usize) -> Arc<Readers> {
        Readers::new(
            (0..n)
                .map(|_| Connection::open_in_memory().expect("in-memory database"))
                .collect(),
        )
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_read_of_a_burst_is_answered_and_the_connections_come_back() {
        let r = readers(4);
        let reads = (0..500_i64).map(|i| {
            let r = r.clone();
            tokio::spawn(async move {
                r.read(move |c| {
                    c.query_row("SELECT ?1 * 2", [i], |row| row.get::<_, i64>(0))
                        .map_err(StoreError::internal)
                })
                .await
            })
        });
        let answers = futures::future::join_all(reads).await;
        for (i, a) in answers.into_iter().enumerate() {
            assert_eq!(a.expect("task").expect("read"), 2 * i as i64);
        }
        assert!(
            idle_soon(&r, 4).await,
            "every drainer gave its connection back"
        );
        assert!(r.state.lock().expect("state").queue.is_empty());
    }

    /// Whether `n` connections are idle within a second: a drainer hands
    /// its connection back just after answering its last read.
    async fn idle_soon(r: &Readers, n: usize) -> bool {
        for _ in 0..100 {
            if r.state.lock().expect("state").idle.len() == n {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        false
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panicking_read_fails_alone() {
        let r = readers(1);
        let bad = r.read::<(), _>(|_| panic!("a read that panics"));
        let good = r.read(|c| {
            c.query_row("SELECT 7", [], |row| row.get::<_, i64>(0))
                .map_err(StoreError::internal)
        });
        let (bad, good) = tokio::join!(bad, good);
        assert!(matches!(bad, Err(StoreError::Internal(_))));
        assert_eq!(good.expect("the other read"), 7);
        assert!(idle_soon(&r, 1).await);
    }
}
