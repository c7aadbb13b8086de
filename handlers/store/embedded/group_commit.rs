//! Group commit for the embedded store's writes. One thread owns the write
//! connection. Write jobs queue up while a commit is being made durable;
//! the thread then runs every queued job in one `BEGIN IMMEDIATE`
//! transaction, each job in a savepoint of its own, and commits once: one
//! fsync for the whole group instead of one per job. A job that fails rolls
//! back to its savepoint and leaves the others alone, so each job is still
//! atomic on its own. Each caller gets its answer only after the group's
//! commit returned, that is after its data is durable (`synchronous = FULL`).

use std::panic::{AssertUnwindSafe, catch_unwind};

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use crate::store::document::StoreError;

/// At most this many jobs share one commit, so one group's latency stays
/// bounded however deep the queue is.
const GROUP_MAX: usize = 64;
/// Queued jobs before callers wait to enqueue (backpressure).
const QUEUE: usize = 1024;

/// Given the commit's outcome, answers the job's caller.
type Completion = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
/// Runs a job inside the open group transaction (`Some`) or, when the group
/// could not begin, only prepares its failure (`None`). The second value is
/// an error of the savepoint machinery itself, which fails the whole group.
type TransactionJob =
    Box<dyn FnOnce(Option<&Connection>) -> (Completion, Option<StoreError>) + Send>;

enum Job {
    Transaction(TransactionJob),
    /// Runs alone between groups, outside any transaction (a checkpoint).
    Alone(Box<dyn FnOnce(&mut Connection) + Send>),
}

/// The handle callers use; the thread stops when the last handle is gone.
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

fn stopped() -> StoreError {
    StoreError::Unavailable("the store's writer has stopped".into())
}

impl Writer {
    pub fn start(conn: Connection) -> Result<Self, StoreError> {
        let (jobs, queue) = mpsc::channel(QUEUE);
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run(conn, queue))
            .map_err(|e| StoreError::Internal(format!("cannot start the writer thread: {e}")))?;
        Ok(Writer { jobs })
    }

    /// Run `f` as one atomic write; returns once it is durable.
    pub async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: TransactionJob = Box::new(move |conn| {
            let (outcome, broken) = match conn {
                Some(conn) => match in_savepoint(conn, f) {
                    Ok(outcome) => (Some(outcome), None),
                    Err(e) => (None, Some(e)),
                },
                None => (None, None),
            };
            let completion: Completion = Box::new(move |committed| {
                let result = match (committed, outcome) {
                    (Err(e), _) => Err(e),
                    (Ok(()), Some(outcome)) => outcome,
                    (Ok(()), None) => Err(StoreError::Internal("a write job did not run".into())),
                };
                // The caller may have gone away; its write stands regardless.
                let _ = reply.send(result);
            });
            (completion, broken)
        });
        self.jobs
            .send(Job::Transaction(job))
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Run `f` on the write connection between groups, outside a transaction.
    pub async fn alone<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job = Job::Alone(Box::new(move |conn| {
            let _ = reply.send(f(conn));
        }));
        self.jobs.send(job).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn run(mut conn: Connection, mut queue: mpsc::Receiver<Job>) {
    while let Some(first) = queue.blocking_recv() {
        let mut group: Vec<TransactionJob> = Vec::new();
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Transaction(job) => group.push(job),
                Job::Alone(f) => {
                    commit_group(&conn, std::mem::take(&mut group));
                    f(&mut conn);
                }
            }
            if group.len() < GROUP_MAX {
                next = queue.try_recv().ok();
            }
        }
        commit_group(&conn, group);
    }
}

fn commit_group(conn: &Connection, group: Vec<TransactionJob>) {
    if group.is_empty() {
        return;
    }
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        let e = sql_err(e);
        for job in group {
            let (complete, _) = job(None);
            complete(Err(e.clone()));
        }
        return;
    }
    let mut completions = Vec::with_capacity(group.len());
    let mut broken = None;
    for job in group {
        let (complete, failure) = job(Some(conn));
        completions.push(complete);
        if broken.is_none() {
            broken = failure;
        }
    }
    let committed = match broken {
        Some(e) => Err(e),
        None => conn.execute_batch("COMMIT").map_err(sql_err),
    };
    if committed.is_err() {
        // Nothing of the group may stay half applied.
        let _ = conn.execute_batch("ROLLBACK");
    }
    for complete in completions {
        complete(committed.clone());
    }
}

/// The job's own outcome, or `Err` when the savepoint itself failed.
fn in_savepoint<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<Result<T, StoreError>, StoreError> {
    conn.execute_batch("SAVEPOINT write_job").map_err(sql_err)?;
    let outcome = catch_unwind(AssertUnwindSafe(|| f(conn)))
        .unwrap_or_else(|_| Err(StoreError::Internal("a write job panicked".into())));
    let end = if outcome.is_ok() {
        "RELEASE write_job"
    } else {
        "ROLLBACK TO write_job; RELEASE write_job"
    };
    conn.execute_batch(end).map_err(sql_err)?;
    Ok(outcome)
}

/// Busy and locked are passing states; everything else is a failure.
pub(super) fn sql_err(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Internal(e.to_string()),
    }
}
