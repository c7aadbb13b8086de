//! Writers that claim time on a resource take turns in this process, first
//! come first served, before their optimistic write (L9). Without turns,
//! every retry after a lost race competes afresh with newcomers, so under
//! tens of writers one request can lose every round and be refused as busy
//! while later ones win. Across processes the batch's If-Match still
//! decides; turns only order this process's writers. Backpressure stays: a
//! resource with `MAX_WAITING` writers already in line answers busy at once.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use super::super::ids::ResourceId;

/// Writers in line for one resource (holder included) before new ones are
/// turned away.
const MAX_WAITING: usize = 256;
/// Lines are dropped when they empty; past this many, empty ones left by
/// abandoned requests are swept.
const SWEEP_ABOVE: usize = 4096;

type Line = Arc<AsyncMutex<()>>;

static LINES: LazyLock<Mutex<HashMap<ResourceId, Line>>> = LazyLock::new(Default::default);

fn lines() -> MutexGuard<'static, HashMap<ResourceId, Line>> {
    // The map holds no invariant a panic could break.
    LINES.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The line is full.
pub struct Busy;

/// The turn on some resources; the next in line goes when it is dropped.
pub struct Turn {
    held: Vec<(ResourceId, Option<OwnedMutexGuard<()>>)>,
    waited: bool,
}

impl Turn {
    /// Whether another writer held one of the resources when this one
    /// came: then what was read of them before the turn is likely stale.
    pub fn waited(&self) -> bool {
        self.waited
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let mut map = lines();
        for (id, guard) in self.held.drain(..) {
            drop(guard);
            if map.get(&id).is_some_and(|l| Arc::strong_count(l) == 1) {
                map.remove(&id);
            }
        }
    }
}

/// Wait for the turn on every resource, in one fixed order, so that two
/// writers wanting the same resources never hold one each.
pub async fn wait_turn(ids: &[ResourceId]) -> Result<Turn, Busy> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    let mut turn = Turn {
        held: Vec::new(),
        waited: false,
    };
    for id in ids {
        let line = {
            let mut map = lines();
            if map.len() > SWEEP_ABOVE {
                map.retain(|_, l| Arc::strong_count(l) > 1);
            }
            let line = map.entry(id.clone()).or_default().clone();
            // The map's reference and ours are not writers.
            if Arc::strong_count(&line).saturating_sub(2) >= MAX_WAITING {
                return Err(Busy);
            }
            line
        };
        let guard = match line.clone().try_lock_owned() {
            Ok(guard) => guard,
            Err(_) => {
                turn.waited = true;
                line.lock_owned().await
            }
        };
        turn.held.push((id, Some(guard)));
    }
    Ok(turn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_turn_says_whether_it_waited_for_another_writer() {
        let (a, b) = (ResourceId::generate(), ResourceId::generate());
        let first = wait_turn(std::slice::from_ref(&a))
            .await
            .ok()
            .expect("turn");
        assert!(!first.waited(), "a free line");
        let both = [a.clone(), b];
        let second = tokio::spawn(async move { wait_turn(&both).await.ok().map(|t| t.waited()) });
        tokio::task::yield_now().await;
        drop(first);
        assert_eq!(second.await.expect("task"), Some(true), "behind the first");
        let third = wait_turn(&[a]).await.ok().expect("turn");
        assert!(!third.waited(), "the line is free again");
    }
}
