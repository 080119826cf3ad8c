//! Ledgers written by an earlier version of DCMS, kept as JSON under
//! `tests/fixtures/`: every row of every table, as that version's SQLite
//! store wrote it, with the balances and statement lines that version
//! reported. A test loads one into a fresh database migrated up to that
//! version's last migration and opens it with today's store, which then
//! applies the migrations since.

use dcms_core::store::AccountLine;
use dcms_core::CustomerId;
use serde_json::Value;
use sqlx::{AnyConnection, AssertSqlSafe};

use super::Kind;

/// Tables in foreign-key order.
const TABLES: [&str; 9] = [
    "dcms_meta",
    "dcms_counters",
    "dcms_vendors",
    "dcms_accounts",
    "dcms_customers",
    "dcms_balances",
    "dcms_journal",
    "dcms_postings",
    "dcms_open_holds",
];

/// Columns that migration 20261126000004 added to postings.
pub const LINE_COLUMNS: [&str; 5] = ["closes", "memo", "store_id", "terminal_id", "receipt_no"];

/// Integer columns that can be NULL, so a NULL is bound with its type (the
/// other values are bound as the JSON has them).
const INTEGER_COLUMNS: [&str; 13] = [
    "id",
    "tx_id",
    "leg",
    "points",
    "at_ns",
    "closes",
    "expires_at_ns",
    "opened_at_ns",
    "balance",
    "held",
    "slot",
    "value",
    "customer",
];

/// A stored ledger.
pub struct Fixture(pub Value);

impl Fixture {
    /// Reads `tests/fixtures/<name>`.
    pub fn read(name: &str) -> Fixture {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("read the fixture");
        Fixture(serde_json::from_str(&text).expect("parse the fixture"))
    }

    /// The customer the writer called `who`.
    pub fn customer(&self, who: &str) -> CustomerId {
        let id = self.0["customers"][who].as_str().expect("customer");
        CustomerId::parse(id).expect("customer id")
    }

    /// (available, held) that version reported for customer `who`.
    pub fn balance(&self, who: &str) -> (i64, i64) {
        let id = self.customer(who).to_string();
        let pair = &self.0["balances"][id.as_str()];
        (pair[0].as_i64().unwrap(), pair[1].as_i64().unwrap())
    }

    /// The statement lines that version gave `account` (its name then).
    pub fn lines(&self, account: &str) -> Vec<AccountLine> {
        serde_json::from_value(self.0["lines"][account].clone()).expect("lines")
    }

    /// The rows of `table`: column names and values.
    pub fn rows(&self, table: &str) -> (Vec<String>, Vec<Vec<Value>>) {
        let t = &self.0["tables"][table];
        let columns = t["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        let rows = t["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_array().unwrap().clone())
            .collect();
        (columns, rows)
    }

    /// Inserts every row, leaving out the columns in `skip` (columns a
    /// later migration added) and the program accounts the first
    /// migration made already.
    pub async fn load(&self, kind: Kind, conn: &mut AnyConnection, skip: &[&str]) {
        for table in TABLES {
            let (columns, rows) = self.rows(table);
            let keep: Vec<usize> = (0..columns.len())
                .filter(|i| !(table == "dcms_postings" && skip.contains(&columns[*i].as_str())))
                .collect();
            let names: Vec<&str> = keep.iter().map(|i| columns[*i].as_str()).collect();
            let marks: Vec<String> = (1..=keep.len())
                .map(|i| match kind {
                    Kind::Postgres => format!("${i}"),
                    _ => "?".into(),
                })
                .collect();
            let overriding = if kind == Kind::Postgres && table == "dcms_journal" {
                " OVERRIDING SYSTEM VALUE"
            } else {
                ""
            };
            let insert = format!(
                "INSERT INTO {table} ({}){overriding} VALUES ({})",
                names.join(", "),
                marks.join(", ")
            );
            if table == "dcms_counters" {
                let sql = AssertSqlSafe("DELETE FROM dcms_counters".to_string());
                sqlx::query(sql).execute(&mut *conn).await.unwrap();
            }
            for row in &rows {
                if table == "dcms_accounts" && row[0].as_str().unwrap().starts_with("program:") {
                    continue;
                }
                let mut q = sqlx::query(AssertSqlSafe(insert.clone()));
                for i in &keep {
                    let integer = match &row[*i] {
                        Value::Null => INTEGER_COLUMNS.contains(&columns[*i].as_str()),
                        value => value.is_i64(),
                    };
                    q = if integer {
                        q.bind(row[*i].as_i64())
                    } else {
                        q.bind(row[*i].as_str().map(str::to_string))
                    };
                }
                q.execute(&mut *conn).await.unwrap();
            }
        }
        if kind == Kind::Postgres {
            // Ids were given explicitly: the identity goes on after them.
            let sql = "SELECT setval(pg_get_serial_sequence('dcms_journal', 'id'), \
                       (SELECT MAX(id) FROM dcms_journal))";
            sqlx::query(AssertSqlSafe(sql.to_string()))
                .execute(&mut *conn)
                .await
                .unwrap();
        }
    }
}

/// Applies the engine's migrations up to and including `version`.
pub async fn migrate_to(kind: Kind, conn: &mut AnyConnection, version: i64) {
    let migrator = match kind {
        Kind::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        Kind::Postgres => sqlx::migrate!("./migrations/postgres"),
        Kind::Mysql => sqlx::migrate!("./migrations/mysql"),
    };
    migrator.run_to(version, conn).await.unwrap();
}
