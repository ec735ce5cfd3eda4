//! What every request shares: the index (reopened on each new commit), the
//! bound on concurrent searches, and the index's figures, computed once
//! per commit.
//!
//! Searching is CPU work on memory-mapped files, so it runs on tokio's
//! blocking threads, never on the threads that serve connections; a
//! semaphore keeps at most one search per core (two at least) running, so a
//! burst of requests queues instead of thrashing, and a request that waits
//! or runs too long gets a 503 instead of hanging.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Semaphore;

use dateline::index::{IndexStats, LiveIndex, OpenIndex, index_stats};

use crate::app::serve::error::ServeError;

/// How long a request may wait for a search slot.
const QUEUE_WAIT: Duration = Duration::from_secs(10);
/// How long the library work of one request may take.
const WORK_TIME: Duration = Duration::from_secs(20);

/// The server's shared state.
pub struct AppState {
    /// The index, as of its last commit.
    pub index: LiveIndex,
    /// Whether requests must name a loopback host (the server listens on
    /// loopback only): a page of another site cannot then reach the API by
    /// pointing its own name at 127.0.0.1 (DNS rebinding).
    pub loopback_only: bool,
    searches: Arc<Semaphore>,
    stats: Mutex<Option<(Arc<OpenIndex>, Arc<IndexStats>)>>,
}

impl AppState {
    /// The state for serving `index`.
    pub fn new(index: LiveIndex, loopback_only: bool) -> AppState {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        AppState {
            index,
            loopback_only,
            searches: Arc::new(Semaphore::new(cores.max(2))),
            stats: Mutex::new(None),
        }
    }

    /// Runs `work` against the index's last commit on a blocking thread,
    /// once a search slot is free.
    pub async fn run<T, F>(self: &Arc<Self>, work: F) -> Result<T, ServeError>
    where
        T: Send + 'static,
        F: FnOnce(&AppState, &Arc<OpenIndex>) -> Result<T, ServeError> + Send + 'static,
    {
        let permit = tokio::time::timeout(QUEUE_WAIT, Arc::clone(&self.searches).acquire_owned())
            .await
            .map_err(|_| ServeError::Busy)?
            .map_err(|_| ServeError::Busy)?;
        let state = Arc::clone(self);
        let task = tokio::task::spawn_blocking(move || {
            // Held until the work ends, even when the request gave up on it.
            let _permit = permit;
            let index = state.index.current();
            work(&state, &index)
        });
        match tokio::time::timeout(WORK_TIME, task).await {
            Err(_) => Err(ServeError::TimedOut),
            Ok(Err(join)) => Err(ServeError::Internal(format!("a search stopped: {join}"))),
            Ok(Ok(result)) => result,
        }
    }

    /// The figures of `index`, computed once per commit.
    pub fn stats(&self, index: &Arc<OpenIndex>) -> Result<Arc<IndexStats>, ServeError> {
        let mut cached = self.stats.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((of, stats)) = cached.as_ref() {
            if Arc::ptr_eq(of, index) {
                return Ok(Arc::clone(stats));
            }
        }
        let stats = Arc::new(index_stats(index)?);
        *cached = Some((Arc::clone(index), Arc::clone(&stats)));
        Ok(stats)
    }
}
