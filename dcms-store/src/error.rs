//! Turns driver errors into the core's [`Error`], deciding by kind and code
//! (SQLSTATE, SQLite result code, MySQL error number), never by message text.

use dcms_core::Error;
use sqlx::error::{DatabaseError, ErrorKind};

/// What a failed statement means for the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Lost a race (deadlock, serialization failure, busy database): run
    /// the whole transaction again.
    Retry,
    /// A unique key was taken by a concurrent writer: run the transaction
    /// again; its checks then see the winner's row.
    Taken,
    /// A 64-bit balance would overflow.
    Overflow,
    /// The database cannot be reached or refused the connection.
    Unavailable,
    /// Anything else: a bug, a schema mismatch, corruption.
    Other,
}

/// SQLSTATEs of lost races: serialization failure, deadlock, lock timeout.
const RACE_STATES: &[&str] = &["40001", "40P01", "55P03"];
/// SQLite's primary result codes SQLITE_BUSY and SQLITE_LOCKED.
const SQLITE_BUSY: i64 = 5;
const SQLITE_LOCKED: i64 = 6;
/// MySQL's "lock wait timeout exceeded" (SQLSTATE HY000, so by number).
#[cfg(feature = "mysql")]
const MYSQL_LOCK_WAIT_TIMEOUT: u16 = 1205;

/// Classifies a driver error.
pub(crate) fn classify(e: &sqlx::Error) -> Class {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => Class::Unavailable,
        sqlx::Error::Database(db) => classify_database(db.as_ref()),
        _ => Class::Other,
    }
}

fn classify_database(db: &dyn DatabaseError) -> Class {
    if db.kind() == ErrorKind::UniqueViolation {
        return Class::Taken;
    }
    #[cfg(feature = "mysql")]
    if let Some(my) = db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        if my.number() == MYSQL_LOCK_WAIT_TIMEOUT {
            return Class::Retry;
        }
    }
    let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
    #[cfg(feature = "sqlite")]
    if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        // SQLite reports the extended result code; the primary code is its
        // low byte.
        return match code.parse::<i64>().map(|c| c & 0xff) {
            Ok(SQLITE_BUSY | SQLITE_LOCKED) => Class::Retry,
            _ if db.kind() == ErrorKind::CheckViolation => Class::Overflow,
            _ => Class::Other,
        };
    }
    if RACE_STATES.contains(&code.as_str()) {
        Class::Retry
    } else if code == "22003" {
        // numeric_value_out_of_range (PostgreSQL), ER_DATA_OUT_OF_RANGE (MySQL).
        Class::Overflow
    } else if code.starts_with("08")
        || matches!(code.as_str(), "53300" | "57P01" | "57P02" | "57P03")
    {
        // Connection exceptions, too many connections, server shutting down.
        Class::Unavailable
    } else {
        Class::Other
    }
}

/// The core error for a driver error that was not retried (or ran out of
/// retries): `.map_err(db)?` on every driver call.
pub(crate) fn db(e: sqlx::Error) -> Error {
    match classify(&e) {
        Class::Unavailable => Error::StorageUnavailable(e.to_string()),
        Class::Retry => Error::StorageUnavailable(format!("gave up after repeated conflicts: {e}")),
        Class::Overflow => Error::InvalidAmount {
            value: "balance".into(),
            reason: "balance would overflow".into(),
        },
        Class::Taken | Class::Other => Error::Storage(e.to_string()),
    }
}

/// A value read back from the database that does not parse: corruption or
/// a schema from another version.
pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> Error {
    Error::Storage(format!("stored {what} is invalid: {detail}"))
}
