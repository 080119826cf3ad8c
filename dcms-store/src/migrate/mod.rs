//! Bringing a database's schema and rows up to date when a store opens.
//!
//! The schema comes from the embedded SQL migrations (`migrations/<engine>`).
//! One change cannot be SQL alone: giving the postings of a ledger written
//! before issue 12 their currency (see [`plan`] for the rule). That is a
//! step in Rust, recorded in `dcms_meta` under [`MARKER`]:
//!
//! 1. before any migration runs, a database that has the old migrations
//!    and not the currency one is read (only read) to decide every
//!    transaction's currency. A ledger where that is ambiguous, or whose
//!    balances do not follow from its journal, is refused with an error
//!    naming the transactions, and nothing at all is changed (this must
//!    come first: on MySQL a migration's DDL commits as it runs);
//! 2. the SQL migrations run; `20261202000005_account_currency` adds the
//!    per-currency balance table and sets the marker to `pending`;
//! 3. while the marker is `pending` the rows are rewritten
//!    ([`convert`]), in one transaction with the marker set to `done`.
//!    A new database goes through the same step with nothing to rewrite.

mod convert;
mod plan;

use dcms_core::{Error, Result};
use sqlx::AnyPool;

use crate::engine::Engine;
use crate::error::db;

/// The `dcms_meta` key of the currency rewrite's state: `pending`,
/// `converting` (inside its transaction), `converted` (MySQL: rows done,
/// trigger not yet back) or `done`.
pub(crate) const MARKER: &str = "dcms_store.account_currency";

/// The migration that gives accounts a currency.
const CURRENCY_VERSION: i64 = 20261202000005;

/// Applies the engine's embedded migrations and the currency rewrite (the
/// database serializes concurrent openers).
pub(crate) async fn migrate(engine: Engine, pool: &AnyPool) -> Result<()> {
    let migrator = match engine {
        #[cfg(feature = "sqlite")]
        Engine::Sqlite => &migrations::SQLITE,
        #[cfg(feature = "postgres")]
        Engine::Postgres => &migrations::POSTGRES,
        #[cfg(feature = "mysql")]
        Engine::Mysql => &migrations::MYSQL,
        #[allow(unreachable_patterns)]
        other => {
            return Err(Error::Unsupported(format!(
                "{} support is not built in",
                other.name()
            )))
        }
    };
    if before_currency(engine, pool).await? {
        let mut conn = pool.acquire().await.map_err(db)?;
        plan::Plan::read(engine, &mut conn).await?;
    }
    migrator.run(pool).await.map_err(|e| match e {
        sqlx::migrate::MigrateError::Execute(e) => db(e),
        other => Error::Storage(format!("cannot migrate the database: {other}")),
    })?;
    convert::run(engine, pool).await
}

/// Whether the database holds a ledger from before the currency migration:
/// some migrations applied, that one not. (A new database has no
/// migration table yet.)
async fn before_currency(engine: Engine, pool: &AnyPool) -> Result<bool> {
    let applied = engine
        .query("SELECT version FROM _sqlx_migrations")
        .fetch_all(pool)
        .await;
    let Ok(rows) = applied else {
        return Ok(false);
    };
    let mut versions = Vec::with_capacity(rows.len());
    for row in &rows {
        versions.push(sqlx::Row::try_get::<i64, _>(row, 0).map_err(db)?);
    }
    Ok(!versions.is_empty() && !versions.contains(&CURRENCY_VERSION))
}

/// The schema of each engine, compiled in.
mod migrations {
    #[cfg(feature = "mysql")]
    pub(super) static MYSQL: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/mysql");
    #[cfg(feature = "postgres")]
    pub(super) static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");
    #[cfg(feature = "sqlite")]
    pub(super) static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
}
