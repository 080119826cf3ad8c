//! Write transactions that are run again when they lose a race.
//!
//! Every write in this crate is a closure over one open database
//! transaction. A deadlock, a serialization failure, a busy SQLite file or a
//! unique key taken by a concurrent writer rolls the transaction back and
//! runs the closure again (a bounded number of times, with a short, growing,
//! jittered pause); on the next run its checks see the winner's rows.

use std::time::Duration;

use dcms_core::{Error, Result};
use futures::future::BoxFuture;
use sqlx::AnyConnection;

use crate::error::{classify, db, Class};
use crate::store::Inner;

/// Why a write transaction stopped.
#[derive(Debug)]
pub(crate) enum Abort {
    /// The database failed; maybe worth another run.
    Db(sqlx::Error),
    /// A refusal or a value that cannot be stored: rolled back, reported.
    Core(Error),
}

impl From<sqlx::Error> for Abort {
    fn from(e: sqlx::Error) -> Self {
        Abort::Db(e)
    }
}

impl From<Error> for Abort {
    fn from(e: Error) -> Self {
        Abort::Core(e)
    }
}

impl Inner {
    /// Runs `op` in a write transaction and commits, running it again after
    /// a lost race.
    pub(crate) async fn write<T, F>(&self, mut op: F) -> Result<T>
    where
        F: for<'c> FnMut(&'c mut AnyConnection) -> BoxFuture<'c, std::result::Result<T, Abort>>,
    {
        let mut attempt: u32 = 0;
        loop {
            let outcome = async {
                let mut tx = self
                    .write_pool
                    .begin_with(self.engine.begin_write())
                    .await?;
                let value = op(&mut tx).await?;
                tx.commit().await?;
                Ok::<T, Abort>(value)
            }
            .await;
            match outcome {
                Ok(value) => return Ok(value),
                Err(Abort::Core(e)) => return Err(e),
                Err(Abort::Db(e)) => {
                    let again = matches!(classify(&e), Class::Retry | Class::Taken);
                    if !again || attempt >= self.retries {
                        return Err(db(e));
                    }
                }
            }
            attempt += 1;
            tokio::time::sleep(backoff(attempt)).await;
        }
    }
}

/// A pause of up to `2^attempt` ms (at most 100 ms), jittered so that two
/// writers that collided do not collide again in lockstep.
fn backoff(attempt: u32) -> Duration {
    let cap_ms = (1u64 << attempt.min(7)).min(100);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let jitter_us = u64::from(nanos) % (cap_ms * 1000);
    Duration::from_micros(500 + jitter_us)
}
