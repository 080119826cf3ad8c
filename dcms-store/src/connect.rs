//! Opening a store: the URL picks the engine; pools are set up for it; the
//! schema is brought up to date by the embedded migrations.

use std::collections::HashSet;
use std::sync::Arc;

use dcms_core::{DynLedgerStore, Error, Result};
use parking_lot::Mutex;
use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;

use crate::engine::Engine;
use crate::error::db;
use crate::group_commit::{solo_limit, Queue};
use crate::migrate::migrate;
use crate::options::StoreOptions;
use crate::store::{Inner, SqlStore};

/// Opens the store at `url` with [`StoreOptions::default`]:
/// `sqlite://dcms.db?mode=rwc`, `postgres://user:pass@host/db` or
/// `mysql://user:pass@host/db`.
pub async fn open(url: &str) -> Result<DynLedgerStore> {
    open_with(url, StoreOptions::default()).await
}

/// Opens the store at `url` with `options`.
pub async fn open_with(url: &str, options: StoreOptions) -> Result<DynLedgerStore> {
    Ok(Arc::new(SqlStore::connect(url, options).await?))
}

impl SqlStore {
    /// Connects, creates or upgrades the schema, and starts the group-commit
    /// writers when asked to (which needs a Tokio runtime).
    pub async fn connect(url: &str, options: StoreOptions) -> Result<SqlStore> {
        install_drivers();
        let engine = Engine::from_url(url).ok_or_else(|| Error::InvalidInput {
            field: "database url",
            reason: format!(
                "{:?} names no database this build supports (features: sqlite, postgres, mysql)",
                url.split(':').next().unwrap_or_default()
            ),
        })?;
        let (read_pool, write_pool) = match engine {
            Engine::Sqlite => sqlite_pools(url, &options).await?,
            Engine::Postgres | Engine::Mysql => {
                let pool = server_pool(engine, url, &options).await?;
                (pool.clone(), pool)
            }
        };
        let inner = Arc::new(Inner {
            engine,
            read_pool,
            write_pool,
            retries: options.retries,
            slots: options
                .balance_slots
                .unwrap_or(if engine == Engine::Sqlite { 1 } else { 16 })
                .max(1),
            vendors_seen: Mutex::new(HashSet::new()),
            accounts_seen: Mutex::new(HashSet::new()),
            #[cfg(feature = "postgres")]
            pg_lines: match engine {
                Engine::Postgres => Some(line_pool(url, &options)?),
                _ => None,
            },
        });
        let queue = match options.group_commit {
            Some(group) => {
                // SQLite has one writer connection: more writers would only queue.
                let writers = if engine == Engine::Sqlite {
                    1
                } else {
                    group.writers
                };
                let solo = solo_limit(engine, inner.slots, options.max_connections, writers);
                Some(Queue::start(inner.clone(), group, writers, solo)?)
            }
            None => None,
        };
        Ok(SqlStore { inner, queue })
    }
}

/// Registers the built-in engines with sqlx's runtime-generic driver. sqlx
/// takes one registration per process: when the application made its own
/// first, that one stands, and a URL for an engine it lacks fails to connect
/// with an error.
fn install_drivers() {
    let _already_installed = sqlx::any::install_drivers(&[
        #[cfg(feature = "mysql")]
        sqlx::mysql::any::DRIVER,
        #[cfg(feature = "postgres")]
        sqlx::postgres::any::DRIVER,
        #[cfg(feature = "sqlite")]
        sqlx::sqlite::any::DRIVER,
    ]);
}

/// SQLite: one writer connection (SQLite allows one writer at a time; a
/// single connection avoids busy-waiting on the file lock) and a pool of
/// read-only readers, which WAL lets read while the writer writes. Commits
/// are durable: `synchronous = FULL` flushes the WAL on every commit.
///
/// The writer keeps up to 128 MiB of pages in memory (SQLite's default is
/// 2 MiB): a group-committed batch dirties thousands of index pages, and a
/// smaller cache writes them to the WAL twice (spilled mid-transaction,
/// then at commit) and reads them back from the file for the next batch.
/// The WAL is copied back into the database every 16,384 pages (64 MiB)
/// instead of every 1,000: with big batches nearly every commit passed the
/// smaller mark, and each checkpoint writes and flushes the database file
/// once more. Neither setting changes what a commit makes durable.
async fn sqlite_pools(url: &str, options: &StoreOptions) -> Result<(AnyPool, AnyPool)> {
    let write = AnyPoolOptions::new()
        .max_connections(1)
        // The one writer connection is kept for the store's life: an
        // in-memory database lives exactly as long as its connection.
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .acquire_timeout(options.acquire_timeout)
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::raw_sql("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -131072; PRAGMA wal_autocheckpoint = 16384")
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            })
        })
        .connect(url)
        .await
        .map_err(db)?;
    migrate(Engine::Sqlite, &write).await?;
    // An in-memory database exists once per connection: read through the writer.
    if url.contains(":memory:") || url.contains("mode=memory") {
        return Ok((write.clone(), write));
    }
    // Readers map the file (`mmap_size`): reads that visit journal rows
    // (whole transactions, journal pages) touch one or two rows per page
    // spread over the file, and through SQLite's default page cache (2 MB
    // per reader) each page was a read() system call, more time than the
    // rest of the query; mapped, a page in the OS cache costs a memory
    // access. (Statement lines no longer visit the journal; for them it
    // makes no measurable difference.) Only address space is reserved;
    // SQLite caps the size at its compile-time maximum (2 GiB in the
    // bundled build). The writer keeps plain reads and writes.
    let read = AnyPoolOptions::new()
        .max_connections(options.max_connections)
        .acquire_timeout(options.acquire_timeout)
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::raw_sql("PRAGMA query_only = ON; PRAGMA mmap_size = 2147418112")
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            })
        })
        .connect_lazy(url)
        .map_err(db)?;
    Ok((read, write))
}

/// PostgreSQL: the pool statement lines are read from, on sqlx's own
/// PostgreSQL driver. A month close reads up to `CLOSE_IN_FLIGHT` accounts
/// at once, so that many connections at most, opened when first needed and
/// closed when idle.
#[cfg(feature = "postgres")]
fn line_pool(url: &str, options: &StoreOptions) -> Result<sqlx::PgPool> {
    let in_flight = u32::try_from(dcms_core::statement::CLOSE_IN_FLIGHT).unwrap_or(u32::MAX);
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(options.max_connections.min(in_flight))
        .min_connections(0)
        .acquire_timeout(options.acquire_timeout)
        .idle_timeout(std::time::Duration::from_secs(60))
        .connect_lazy(url)
        .map_err(db)
}

/// PostgreSQL and MySQL: one pool. Transactions run at READ COMMITTED: each
/// statement sees what committed before it, so a check made after taking a
/// row lock sees the previous lock holder's writes (MySQL's default,
/// REPEATABLE READ, would show a snapshot from before the lock).
async fn server_pool(engine: Engine, url: &str, options: &StoreOptions) -> Result<AnyPool> {
    let pool = AnyPoolOptions::new()
        .max_connections(options.max_connections)
        .acquire_timeout(options.acquire_timeout)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                let setup = match engine {
                    Engine::Postgres => "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED",
                    _ => "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED; SET SESSION innodb_lock_wait_timeout = 10",
                };
                sqlx::raw_sql(setup).execute(&mut *conn).await?;
                Ok(())
            })
        })
        .connect(url)
        .await
        .map_err(db)?;
    migrate(engine, &pool).await?;
    Ok(pool)
}
