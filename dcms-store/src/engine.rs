//! What differs between the SQL engines, in one place: placeholder syntax,
//! upserts, row locks, how an id comes back from an insert, how a write
//! transaction starts. Everything else in this crate is engine-neutral SQL.

use std::borrow::Cow;

use sqlx::any::{Any, AnyArguments};
use sqlx::query::Query;
use sqlx::AssertSqlSafe;

/// A statement ready for `bind`.
pub(crate) type Statement = Query<'static, Any, AnyArguments>;

/// The database engine behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// SQLite (one writer connection, readers in WAL mode).
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB (InnoDB).
    Mysql,
}

impl Engine {
    /// The engine a connection URL names, if this build supports it.
    pub fn from_url(url: &str) -> Option<Engine> {
        let scheme = url.split_once(':').map(|(s, _)| s)?;
        match scheme {
            #[cfg(feature = "sqlite")]
            "sqlite" => Some(Engine::Sqlite),
            #[cfg(feature = "postgres")]
            "postgres" | "postgresql" => Some(Engine::Postgres),
            #[cfg(feature = "mysql")]
            "mysql" | "mariadb" => Some(Engine::Mysql),
            _ => None,
        }
    }

    /// A short lowercase name (for messages and benchmarks).
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
            Engine::Mysql => "mysql",
        }
    }

    /// Rewrites `?` placeholders into this engine's syntax. SQL in this crate
    /// is written with `?` and never contains a literal question mark.
    pub(crate) fn sql<'a>(self, sql: &'a str) -> Cow<'a, str> {
        if self != Engine::Postgres {
            return Cow::Borrowed(sql);
        }
        let mut out = String::with_capacity(sql.len() + 16);
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(c);
            }
        }
        Cow::Owned(out)
    }

    /// A statement in this engine's syntax, prepared once per connection.
    pub(crate) fn query(self, sql: &str) -> Statement {
        sqlx::query(AssertSqlSafe(self.sql(sql).into_owned()))
    }

    /// The statement that opens a write transaction. SQLite takes the write
    /// lock at once so a read-then-write transaction never fails to upgrade.
    pub(crate) fn begin_write(self) -> &'static str {
        match self {
            Engine::Sqlite => "BEGIN IMMEDIATE",
            Engine::Postgres | Engine::Mysql => "BEGIN",
        }
    }

    /// `SUM(expr)` as a 64-bit integer (PostgreSQL and MySQL widen sums of
    /// BIGINT to NUMERIC/DECIMAL), 0 when there are no rows.
    pub(crate) fn sum(self, expr: &str) -> String {
        match self {
            Engine::Sqlite => format!("COALESCE(SUM({expr}), 0)"),
            Engine::Postgres => format!("CAST(COALESCE(SUM({expr}), 0) AS BIGINT)"),
            Engine::Mysql => format!("CAST(COALESCE(SUM({expr}), 0) AS SIGNED)"),
        }
    }

    /// `INSERT INTO table (cols) VALUES (...)` that silently keeps an existing
    /// row with the same key.
    pub(crate) fn insert_ignore(
        self,
        table: &str,
        cols: &str,
        key_col: &str,
        values: &str,
    ) -> String {
        match self {
            Engine::Sqlite | Engine::Postgres => {
                format!("INSERT INTO {table} ({cols}) VALUES {values} ON CONFLICT ({key_col}) DO NOTHING")
            }
            Engine::Mysql => {
                format!("INSERT INTO {table} ({cols}) VALUES {values} ON DUPLICATE KEY UPDATE {key_col} = {key_col}")
            }
        }
    }

    /// Adds `(account, slot, delta)` rows onto `dcms_balances`, creating the
    /// rows that do not exist yet.
    pub(crate) fn add_balances(self, rows: usize) -> String {
        let values = vec!["(?, ?, ?)"; rows].join(", ");
        match self {
            Engine::Sqlite | Engine::Postgres => format!(
                "INSERT INTO dcms_balances (account, slot, balance) VALUES {values} \
                 ON CONFLICT (account, slot) DO UPDATE SET balance = dcms_balances.balance + excluded.balance"
            ),
            Engine::Mysql => format!(
                "INSERT INTO dcms_balances (account, slot, balance) VALUES {values} \
                 ON DUPLICATE KEY UPDATE balance = balance + VALUES(balance)"
            ),
        }
    }

    /// Writes `(customer, currency, account, balance, held)` rows into
    /// `dcms_customer_balances`, replacing the balance and held points of
    /// rows that exist.
    pub(crate) fn upsert_customer_balances(self, rows: usize) -> String {
        let values = vec!["(?, ?, ?, ?, ?)"; rows].join(", ");
        let insert = format!(
            "INSERT INTO dcms_customer_balances (customer, currency, account, balance, held) VALUES {values}"
        );
        match self {
            Engine::Sqlite | Engine::Postgres => format!(
                "{insert} ON CONFLICT (customer, currency) DO UPDATE SET balance = excluded.balance, held = excluded.held"
            ),
            Engine::Mysql => format!(
                "{insert} ON DUPLICATE KEY UPDATE balance = VALUES(balance), held = VALUES(held)"
            ),
        }
    }
}

/// `?, ?, ?` for `n` values.
pub(crate) fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// The placeholders and values of an `IN (...)` list, padded with copies of
/// the last value to a power-of-two length. A dozen statement texts then
/// cover every list length, so each is prepared once per connection and
/// stays cached: closing a one-off prepared statement costs a round trip
/// (about 40 ms on MySQL, where the close waits out a delayed ACK).
pub(crate) fn in_list<T: Clone>(values: impl IntoIterator<Item = T>) -> (String, Vec<T>) {
    let mut values: Vec<T> = values.into_iter().collect();
    if let Some(last) = values.last().cloned() {
        values.resize(values.len().next_power_of_two(), last);
    }
    (marks(values.len()), values)
}

/// Splits `n` rows into power-of-two chunks (13 -> 8, 4, 1), largest first,
/// none above `max`: multi-row statements then come in a few cached shapes.
pub(crate) fn pow2_chunks(mut n: usize, max: usize) -> Vec<usize> {
    let max = max.max(1);
    let mut chunks = Vec::new();
    while n > 0 {
        let size = if n >= max {
            max
        } else {
            1 << (usize::BITS - 1 - n.leading_zeros())
        };
        chunks.push(size);
        n -= size;
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_padded_and_chunked() {
        let (sql, values) = in_list([1, 2, 3]);
        assert_eq!((sql.as_str(), values), ("?, ?, ?, ?", vec![1, 2, 3, 3]));
        assert_eq!(in_list(Vec::<i64>::new()).1, Vec::<i64>::new());
        assert_eq!(pow2_chunks(13, 64), vec![8, 4, 1]);
        assert_eq!(pow2_chunks(130, 64), vec![64, 64, 2]);
        assert_eq!(pow2_chunks(0, 64), Vec::<usize>::new());
    }

    #[test]
    fn postgres_placeholders_are_numbered() {
        assert_eq!(
            Engine::Postgres.sql("a = ? AND b IN (?, ?)"),
            "a = $1 AND b IN ($2, $3)"
        );
        assert_eq!(Engine::Mysql.sql("a = ?"), "a = ?");
        assert_eq!(Engine::Sqlite.sql("a = ?"), "a = ?");
    }
}
