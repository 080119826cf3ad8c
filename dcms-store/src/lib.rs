//! # dcms-store
//!
//! DCMS ledger stores on SQL databases: SQLite in a local file (the
//! embedded default), PostgreSQL, and MySQL/MariaDB. Each implements
//! [`dcms_core::LedgerStore`] and passes the core's conformance suite.
//!
//! ```no_run
//! # async fn demo() -> dcms_core::Result<()> {
//! use dcms_core::{Ledger, LedgerConfig};
//! let store = dcms_store::open("sqlite://dcms.db?mode=rwc").await?;
//! let ledger = Ledger::open(store, LedgerConfig::default()).await?;
//! # Ok(()) }
//! ```
//!
//! ## How the ledger is kept
//!
//! - Points and money are 64-bit integers on every engine; times are i64
//!   nanoseconds since the Unix epoch (UTC), so a `DateTime<Utc>` comes back
//!   exactly as stored (years 1678 to 2261).
//! - The journal and its postings are append-only: triggers refuse UPDATE
//!   and DELETE on every engine. A transaction's idempotency key is UNIQUE,
//!   and so is the transaction it closes (a reversal or settlement happens
//!   at most once). A customer's balance in each currency has
//!   `CHECK (balance >= 0)`.
//! - An append locks the customer rows it touches in id order, reads
//!   those customers' balance rows (one per currency), checks everything
//!   the [`dcms_core::LedgerStore::append`] contract lists while holding
//!   the locks, and only then writes. A customer's lock covers all of its
//!   currencies, held points and daily limits (the vendors' per-day change
//!   caps and the program's per-day transfer limit), so concurrent
//!   transfers from one account never pass its limit together. A transaction that loses a race
//!   (deadlock, serialization failure, busy file, a key taken by a
//!   concurrent writer) is run again, a bounded number of times.
//! - Vendor and program accounts are hot: every credit at a vendor moves
//!   its liability. Their balances are spread over slot rows (16 by
//!   default on servers) and summed on read, and a batch adds its
//!   movements to one slot row once.
//!   The in-memory store refuses a movement that would take an account's
//!   balance past the `i64` range; here each slot row is checked, so with
//!   several slots a program or vendor account's *total* could pass it
//!   unrefused, and reading that total then fails. Reaching it takes over
//!   9,000 operations of the largest size the ledger allows on one account.
//! - SQLite is configured for durability: WAL with `synchronous = FULL`
//!   (each commit flushes the log), one writer connection (SQLite admits
//!   one writer at a time) and a pool of read-only readers.
//! - Group commit (on by default, [`GroupCommit`]): concurrent appends are
//!   committed together, one disk flush for many callers; each caller gets
//!   its own result, and a refused append does not affect its batch.
//!   Batches are set-based (up to 2048 appends by default): a fixed handful
//!   of statements per batch (on PostgreSQL each table's rows go in as one
//!   JSON-array parameter; elsewhere as multi-row `VALUES` chunked under the
//!   engines' bind-parameter limits). Each writer has its own queue and
//!   appends go to a writer by customer, so parallel writers lock disjoint
//!   customer rows; writer `i` adds its vendor movements to slot row `i`.
//!   On PostgreSQL an append whose writer is idle commits on its own
//!   instead (one statement, at most one per slot row at a time), so callers
//!   that wait for each append (tills) commit side by side rather than
//!   taking turns through the writers.
//! - Each posting carries the fields a statement line shows (kind, vendor,
//!   time, the transaction it closes, memo, point of sale), copied from its
//!   transaction when written, so a month's statement never reads journal
//!   rows; on SQLite and PostgreSQL a covering index on (account, time)
//!   holds them all, so it is one range of that index. Statement lines
//!   are read by a task of their own while the caller renders them; on
//!   PostgreSQL through sqlx's own driver, on SQLite in pages of many
//!   lines per row.
//! - Transaction ids increase in the order appends take them. On PostgreSQL
//!   and MySQL an id taken by a transaction that rolled back is not reused
//!   (ids can have gaps), and with concurrent writers a higher id can commit
//!   a moment before a lower one.
//!
//! ## Accounts with a currency (issue 12)
//!
//! Every account name ends in its currency (`customer:123457:USD`,
//! `vendor:V1:USD`, `program:holds:JPY`). A customer's balance and held
//! points are kept per currency in `dcms_customer_balances`, one row per
//! customer and currency, created by the first movement in that currency
//! (with its `dcms_accounts` row); `dcms_customers` keeps the customer
//! itself and is the row an append locks. The program's accounts and a
//! vendor whose currency changed get their account row the same way, on
//! first use. On PostgreSQL the one-statement credit takes a credit to a
//! currency the customer already holds; a first credit in a currency goes
//! the general way.
//!
//! A ledger written before (schema up to `20261126000004`) is migrated
//! when a store opens it; the choice was a SQL migration for the schema
//! plus a step in Rust for the rows, recorded in `dcms_meta`
//! (`dcms_store.account_currency`), because deciding a transfer's
//! currency is a question about the whole ledger and a ledger where it has
//! no single answer must be refused before anything changes (MySQL commits
//! DDL as it runs, so a failing SQL migration there would leave it half
//! done). In order:
//!
//! 1. before any migration runs, the ledger is read, and only read: a
//!    transaction at a vendor moved the vendor's currency; one without (a
//!    transfer, an adjustment, an expiry) moved the one currency that its
//!    customer accounts ever held according to their vendor transactions,
//!    or, when they held none, the one currency of the whole ledger. If a
//!    transaction has several or none, or the stored balances are not the
//!    sums of the journal, opening fails with [`dcms_core::Error::Storage`]
//!    naming the transactions (or accounts), and the database is left
//!    exactly as it was;
//! 2. the migration `20261202000005_account_currency` adds the
//!    per-currency balance table and marks the rewrite as pending;
//! 3. the rows are rewritten in one transaction: every posting's account
//!    gets its transaction's currency, the program's and vendors' balances
//!    are summed again per currency (one slot row each), and each
//!    customer's balance and held points move to their currency's row. The
//!    postings' append-only trigger is lifted for that transaction only,
//!    as migration 000004 did; on MySQL it is dropped just before and
//!    created again just after (DDL cannot be part of a transaction
//!    there), and an open that finds the rows done but the trigger not yet
//!    back creates it.
//!
//! A new database goes through the same steps with nothing to rewrite.
//! Statement lines, transaction ids and times are unchanged by it.
//!
//! ## Features
//! `sqlite` (default), `postgres`, `mysql`, `all-databases`.
//!
//! On MySQL/MariaDB, text columns use the `utf8mb4_bin` collation, which
//! ignores trailing spaces when comparing: idempotency keys that differ
//! only in trailing spaces count as the same key there.

mod append;
mod catalog;
mod codec;
mod codes;
mod connect;
mod engine;
mod error;
mod group_commit;
mod lines;
mod migrate;
mod options;
mod reads;
mod store;
mod write;

pub use connect::{open, open_with};
pub use engine::Engine;
pub use options::{GroupCommit, StoreOptions};
pub use store::SqlStore;
