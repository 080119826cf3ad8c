//! Group commit: appends queue up; writers commit them in batches.
//!
//! A durable commit costs a disk flush (2-4 ms on the disks our targets assume;
//! about 90 us on the virtual disk of our benchmark machine, see
//! benches/README.md) and the per-transaction work around it, so committing
//! many appends per flush and per statement is the way to more appends per
//! second. Callers wait for their own result; nothing is acknowledged before
//! its batch has committed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use dcms_core::{AccountRef, Appended, Error, NewTransaction, Result};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::engine::Engine;
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
    /// Permits for appends committed on their own instead of queueing.
    solo: Arc<tokio::sync::Semaphore>,
    /// Per writer: whether it is committing a batch.
    busy: Vec<Arc<AtomicBool>>,
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
        AccountRef::Customer(c, _) => Some(c.value()),
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

/// How many appends may commit on their own at once ([`Queue::append`]).
///
/// PostgreSQL: one per balance slot row (two on one row would wait for each
/// other's flush), within the connections the writers leave free. None
/// elsewhere: SQLite has one writer connection, and on MySQL an append on
/// its own takes the general path, eight round trips, which measured slower
/// than the writers' batches for waiting callers.
pub(crate) fn solo_limit(engine: Engine, slots: u16, connections: u32, writers: usize) -> usize {
    if engine != Engine::Postgres || slots < 2 {
        return 0;
    }
    let free = usize::try_from(connections)
        .unwrap_or(usize::MAX)
        .saturating_sub(writers);
    free.min(usize::from(slots))
}

impl Queue {
    /// Starts `writers` writer tasks on the current Tokio runtime.
    pub(crate) fn start(
        inner: Arc<Inner>,
        options: GroupCommit,
        writers: usize,
        solo: usize,
    ) -> Result<Queue> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::Unsupported(
                "group commit needs a Tokio runtime; open the store inside one".into(),
            )
        })?;
        let max_batch = options.max_batch.clamp(1, GroupCommit::MAX_BATCH);
        let mut senders = Vec::new();
        let mut busy = Vec::new();
        for index in 0..writers.max(1) {
            let flag = Arc::new(AtomicBool::new(false));
            busy.push(flag.clone());
            // Room for the batch being committed and the next one.
            let (sender, receiver) = mpsc::channel(max_batch * 2);
            runtime.spawn(writer(
                inner.clone(),
                index,
                flag,
                receiver,
                GroupCommit {
                    max_batch,
                    ..options
                },
            ));
            senders.push(sender);
        }
        Ok(Queue {
            senders,
            solo: Arc::new(tokio::sync::Semaphore::new(solo)),
            busy,
        })
    }

    /// Queues `tx` and waits for its batch to commit; or commits it on its
    /// own, in the caller's task, when its writer is idle (nothing queued,
    /// no batch committing) and a solo permit is free.
    ///
    /// An append that finds its writer idle would be a batch of one. Tills
    /// that each wait for their credit before sending the next make nothing
    /// but such batches, and then took turns through the few writers: on
    /// PostgreSQL with a 3 ms flush, 16 tills made about 1,100 credits/s
    /// through the writers against 2,100/s committing on their own, side by
    /// side, where the server shares one flush among the commits waiting
    /// for it (benches/README.md). Under load the writers are busy, so
    /// appends queue and batch as before.
    pub(crate) async fn append(&self, inner: &Arc<Inner>, tx: NewTransaction) -> Result<Appended> {
        let (reply, result) = oneshot::channel();
        let stopped = || Error::StorageUnavailable("the group-commit writers have stopped".into());
        let index = route(&tx, self.senders.len());
        let sender = self.senders.get(index).ok_or_else(stopped)?;
        let idle = sender.capacity() == sender.max_capacity()
            && self
                .busy
                .get(index)
                .is_some_and(|b| !b.load(Ordering::Acquire));
        if idle {
            if let Ok(_permit) = self.solo.try_acquire() {
                return inner.append_one(tx).await;
            }
        }
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
    busy: Arc<AtomicBool>,
    mut queue: mpsc::Receiver<Job>,
    options: GroupCommit,
) {
    while let Some(jobs) = next_batch(&mut queue, options).await {
        busy.store(true, Ordering::Release);
        let (txs, replies): (Vec<_>, Vec<_>) = jobs.into_iter().map(|j| (j.tx, j.reply)).unzip();
        let results = inner.append_batch(txs, Some(index)).await;
        for (reply, result) in replies.into_iter().zip(results) {
            // A caller that stopped waiting can retry with its key.
            let _ = reply.send(result);
        }
        busy.store(false, Ordering::Release);
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

#[cfg(test)]
mod tests {
    use super::solo_limit;
    use crate::engine::Engine;

    #[test]
    fn solo_appends_only_on_postgres_with_slot_rows_and_free_connections() {
        assert_eq!(solo_limit(Engine::Postgres, 16, 16, 4), 12);
        assert_eq!(solo_limit(Engine::Postgres, 8, 64, 4), 8);
        assert_eq!(solo_limit(Engine::Postgres, 16, 4, 4), 0);
        assert_eq!(solo_limit(Engine::Postgres, 1, 64, 4), 0);
        assert_eq!(solo_limit(Engine::Sqlite, 16, 16, 1), 0);
        assert_eq!(solo_limit(Engine::Mysql, 16, 16, 4), 0);
    }
}
