//! Group commit: appends queue up; writers commit them in batches.
//!
//! A durable commit costs a disk flush (2-4 ms on the machines we measured),
//! so committing many appends per flush is the way to more appends per
//! second. Callers wait for their own result; nothing is acknowledged before
//! its batch has committed.

use std::sync::Arc;

use dcms_core::{AccountRef, Appended, Error, NewTransaction, Result};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::options::GroupCommit;
use crate::store::Inner;

/// One append waiting for a writer.
struct Job {
    tx: NewTransaction,
    reply: oneshot::Sender<Result<Appended>>,
}

/// The queues in front of the writers, one per writer. Dropping them stops
/// the writers once their queues are empty.
#[derive(Debug)]
pub(crate) struct Queue {
    senders: Vec<mpsc::Sender<Job>>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("key", &self.tx.key).finish()
    }
}

/// Which writer takes `tx`: chosen by its first customer, so that all of a
/// customer's appends go to one writer. Batches of different writers then
/// lock different customer rows and commit in parallel instead of queueing
/// on each other's row locks (with shared customers, two big batches almost
/// always overlap somewhere and run one after the other).
fn route(tx: &NewTransaction, writers: usize) -> usize {
    let customer = tx.postings.iter().find_map(|p| match p.account {
        AccountRef::Customer(c) => Some(c.value()),
        _ => None,
    });
    let seed = match customer {
        Some(id) => id,
        // FNV-1a of the key: no customer row to keep together.
        None => tx.key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        }),
    };
    // Customer ids end in a check digit: mix before taking the remainder.
    (seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize % writers.max(1)
}

impl Queue {
    /// Starts `writers` writer tasks on the current Tokio runtime.
    pub(crate) fn start(inner: Arc<Inner>, options: GroupCommit, writers: usize) -> Result<Queue> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::Unsupported(
                "group commit needs a Tokio runtime; open the store inside one".into(),
            )
        })?;
        let max_batch = options.max_batch.clamp(1, GroupCommit::MAX_BATCH);
        let mut senders = Vec::new();
        for index in 0..writers.max(1) {
            // Room for the batch being committed and the next one.
            let (sender, receiver) = mpsc::channel(max_batch * 2);
            runtime.spawn(writer(
                inner.clone(),
                index,
                receiver,
                GroupCommit {
                    max_batch,
                    ..options
                },
            ));
            senders.push(sender);
        }
        Ok(Queue { senders })
    }

    /// Queues `tx` and waits for its batch to commit.
    pub(crate) async fn append(&self, tx: NewTransaction) -> Result<Appended> {
        let (reply, result) = oneshot::channel();
        let stopped = || Error::StorageUnavailable("the group-commit writers have stopped".into());
        let sender = self
            .senders
            .get(route(&tx, self.senders.len()))
            .ok_or_else(stopped)?;
        sender
            .send(Job { tx, reply })
            .await
            .map_err(|_| stopped())?;
        result.await.map_err(|_| {
            Error::StorageUnavailable("a group-commit writer stopped before answering".into())
        })?
    }
}

/// Takes a batch off its queue, commits it, answers each caller; until the
/// queue is closed. Writer `index` adds its batches' vendor and program
/// movements onto slot row `index` (modulo the slots), so parallel writers
/// do not wait on each other's balance rows either.
async fn writer(
    inner: Arc<Inner>,
    index: usize,
    mut queue: mpsc::Receiver<Job>,
    options: GroupCommit,
) {
    while let Some(jobs) = next_batch(&mut queue, options).await {
        let (txs, replies): (Vec<_>, Vec<_>) = jobs.into_iter().map(|j| (j.tx, j.reply)).unzip();
        let results = inner.append_batch(txs, Some(index)).await;
        for (reply, result) in replies.into_iter().zip(results) {
            // A caller that stopped waiting can retry with its key.
            let _ = reply.send(result);
        }
    }
}

/// The next batch: waits for one job, then takes what is queued, and what
/// arrives within `max_wait`, up to `max_batch`.
async fn next_batch(queue: &mut mpsc::Receiver<Job>, options: GroupCommit) -> Option<Vec<Job>> {
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
