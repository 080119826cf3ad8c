//! Group commit: appends queue up; writers commit them in batches.
//!
//! A durable commit costs a disk flush (2-4 ms on the machines we measured),
//! so committing many appends per flush is the way to more appends per
//! second. Callers wait for their own result; nothing is acknowledged before
//! its batch has committed.

use std::sync::Arc;

use dcms_core::{Appended, Error, NewTransaction, Result};
use tokio::sync::{mpsc, oneshot, Mutex};
use tokio::time::Instant;

use crate::options::GroupCommit;
use crate::store::Inner;

/// One append waiting for a writer.
struct Job {
    tx: NewTransaction,
    reply: oneshot::Sender<Result<Appended>>,
}

/// The queue in front of the writers. Dropping it stops them once the
/// queue is empty.
#[derive(Debug)]
pub(crate) struct Queue {
    sender: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("key", &self.tx.key).finish()
    }
}

impl Queue {
    /// Starts `options.writers` writer tasks on the current Tokio runtime.
    pub(crate) fn start(inner: Arc<Inner>, options: GroupCommit, writers: usize) -> Result<Queue> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::Unsupported(
                "group commit needs a Tokio runtime; open the store inside one".into(),
            )
        })?;
        let max_batch = options.max_batch.max(1);
        let (sender, receiver) = mpsc::channel(max_batch * writers.max(1) * 2);
        let receiver = Arc::new(Mutex::new(receiver));
        for _ in 0..writers.max(1) {
            runtime.spawn(writer(
                inner.clone(),
                receiver.clone(),
                GroupCommit {
                    max_batch,
                    ..options
                },
            ));
        }
        Ok(Queue { sender })
    }

    /// Queues `tx` and waits for its batch to commit.
    pub(crate) async fn append(&self, tx: NewTransaction) -> Result<Appended> {
        let (reply, result) = oneshot::channel();
        self.sender.send(Job { tx, reply }).await.map_err(|_| {
            Error::StorageUnavailable("the group-commit writers have stopped".into())
        })?;
        result.await.map_err(|_| {
            Error::StorageUnavailable("a group-commit writer stopped before answering".into())
        })?
    }
}

/// Takes a batch off the queue, commits it, answers each caller; until the
/// queue is closed.
async fn writer(inner: Arc<Inner>, queue: Arc<Mutex<mpsc::Receiver<Job>>>, options: GroupCommit) {
    while let Some(jobs) = next_batch(&queue, options).await {
        let (txs, replies): (Vec<_>, Vec<_>) = jobs.into_iter().map(|j| (j.tx, j.reply)).unzip();
        let results = inner.append_batch(txs).await;
        for (reply, result) in replies.into_iter().zip(results) {
            // A caller that stopped waiting can retry with its key.
            let _ = reply.send(result);
        }
    }
}

/// The next batch: waits for one job, then takes what is queued, and what
/// arrives within `max_wait`, up to `max_batch`. The queue is held only
/// while gathering, so other writers gather while this one commits.
async fn next_batch(queue: &Mutex<mpsc::Receiver<Job>>, options: GroupCommit) -> Option<Vec<Job>> {
    let mut queue = queue.lock().await;
    let first = queue.recv().await?;
    let mut jobs = vec![first];
    while jobs.len() < options.max_batch {
        match queue.try_recv() {
            Ok(job) => jobs.push(job),
            Err(_) => break,
        }
    }
    if !options.max_wait.is_zero() {
        let deadline = Instant::now() + options.max_wait;
        while jobs.len() < options.max_batch {
            match tokio::time::timeout_at(deadline, queue.recv()).await {
                Ok(Some(job)) => jobs.push(job),
                _ => break,
            }
        }
    }
    Some(jobs)
}
