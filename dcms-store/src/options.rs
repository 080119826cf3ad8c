//! How a store is opened: pool sizes, retries, group commit, slot rows.

use std::time::Duration;

/// Settings of a SQL store. Start from [`StoreOptions::default`] and change
/// what you need with the `with_*` methods.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreOptions {
    /// Connections in the pool (PostgreSQL, MySQL) or reader connections
    /// (SQLite, which always has exactly one writer connection).
    /// PostgreSQL also opens, while statements are being read, up to
    /// `min(max_connections, CLOSE_IN_FLIGHT)` connections of its own for
    /// statement lines (closed again after a minute idle): count them in
    /// the server's `max_connections`.
    pub max_connections: u32,
    /// How long to wait for a free connection before reporting the store
    /// unavailable.
    pub acquire_timeout: Duration,
    /// How many times a transaction that lost a race (deadlock,
    /// serialization failure, busy database, a key taken concurrently) is
    /// run again before giving up with [`dcms_core::Error::StorageUnavailable`].
    pub retries: u32,
    /// Commit concurrent appends together (see [`GroupCommit`]); None commits
    /// each append in its own database transaction.
    pub group_commit: Option<GroupCommit>,
    /// Rows each program or vendor account's balance is spread over, so that
    /// concurrent writers at one busy vendor do not queue on one row (None:
    /// 1 on SQLite, which has a single writer anyway, 16 elsewhere).
    pub balance_slots: Option<u16>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(30),
            retries: 20,
            group_commit: Some(GroupCommit::default()),
            balance_slots: None,
        }
    }
}

impl StoreOptions {
    /// Sets [`StoreOptions::max_connections`] (at least 1).
    pub fn with_max_connections(mut self, n: u32) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// Sets [`StoreOptions::acquire_timeout`].
    pub fn with_acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// Sets [`StoreOptions::retries`].
    pub fn with_retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// Sets [`StoreOptions::group_commit`].
    pub fn with_group_commit(mut self, group_commit: Option<GroupCommit>) -> Self {
        self.group_commit = group_commit;
        self
    }

    /// Sets [`StoreOptions::balance_slots`] (at least 1).
    pub fn with_balance_slots(mut self, slots: u16) -> Self {
        self.balance_slots = Some(slots.max(1));
        self
    }
}

/// Group commit: appends wait in a queue; a writer takes up to `max_batch`
/// of them and commits them in one database transaction, so one disk flush
/// serves many callers. A batch is written set-based: a fixed handful of
/// multi-row statements per thousand appends, so a big batch costs little
/// more than a small one and throughput grows with the appends in flight. Each caller still gets its own result: a refused
/// append (insufficient points, a conflict) writes nothing and does not
/// affect the others in its batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupCommit {
    /// Most appends in one database transaction (at most
    /// [`GroupCommit::MAX_BATCH`]; larger values are lowered to it).
    pub max_batch: usize,
    /// How long a writer waits for more appends once it has one. Zero takes
    /// only what is already queued, so a lone append is never delayed.
    pub max_wait: Duration,
    /// Writers committing batches in parallel (always 1 on SQLite). While one
    /// waits for its flush, another gathers the next batch.
    ///
    /// On PostgreSQL with more than one balance slot row, an append whose
    /// writer is idle (nothing queued, no batch committing) commits on its
    /// own instead, one per slot row at a time within the connections the
    /// writers leave free: callers that wait for each append before sending
    /// the next then commit side by side and share the server's flushes,
    /// instead of taking turns through the writers.
    pub writers: usize,
}

impl GroupCommit {
    /// The largest `max_batch`: a batch reads its keys and customers with
    /// one `IN (...)` list each, and twice this many values stays under
    /// SQLite's 32766 bind parameters.
    pub const MAX_BATCH: usize = 8192;

    /// Sets [`GroupCommit::max_batch`] (1 to [`GroupCommit::MAX_BATCH`]).
    pub fn with_max_batch(mut self, n: usize) -> Self {
        self.max_batch = n.clamp(1, Self::MAX_BATCH);
        self
    }

    /// Sets [`GroupCommit::max_wait`].
    pub fn with_max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }

    /// Sets [`GroupCommit::writers`] (at least 1).
    pub fn with_writers(mut self, n: usize) -> Self {
        self.writers = n.max(1);
        self
    }
}

impl Default for GroupCommit {
    fn default() -> Self {
        GroupCommit {
            // Big enough that one flush serves a busy store's whole queue
            // (each append is a few hundred bytes of statement parameters).
            max_batch: 2048,
            max_wait: Duration::ZERO,
            writers: 4,
        }
    }
}
