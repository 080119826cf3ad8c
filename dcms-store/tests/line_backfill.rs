//! Migration `20261126000004_posting_lines` copies a statement line's
//! fields (the transaction it closes, memo, point of sale) from each
//! journal row onto its postings. A database written before it must give
//! the same statement lines after it as one written since: here the rows of
//! a ledger written by today's store are copied, in the columns the old
//! schema had, into a database migrated only up to the migration before,
//! which the store then opens (applying the backfill).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{all_lines, journal_lines, options, usd_vendor, Kind, TestDb};
use dcms_core::{AccountRef, CreditChange, DynLedgerStore, Ledger, LedgerConfig, PosRef, Redeem};
use rust_decimal::Decimal;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Connection, Row};

/// The last migration before the one under test.
const BEFORE_LINES: i64 = 20261125000003;

/// The tables a ledger's lines come from, in foreign-key order, with the
/// columns the schema had before the migration (true: an integer column).
const TABLES: [(&str, &[(&str, bool)]); 4] = [
    ("dcms_vendors", &[("id", false), ("body", false)]),
    ("dcms_accounts", &[("account", false)]),
    (
        "dcms_journal",
        &[
            ("id", true),
            ("idem_key", false),
            ("fingerprint", false),
            ("kind", false),
            ("vendor", false),
            ("closes", true),
            ("expires_at_ns", true),
            ("at_ns", true),
            ("memo", false),
            ("body", false),
        ],
    ),
    (
        "dcms_postings",
        &[
            ("tx_id", true),
            ("leg", true),
            ("account", false),
            ("points", true),
            ("kind", false),
            ("vendor", false),
            ("at_ns", true),
        ],
    ),
];

/// Applies the engine's migrations up to `BEFORE_LINES`.
async fn migrate_before_lines(kind: Kind, conn: &mut AnyConnection) {
    let migrator = match kind {
        Kind::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        Kind::Postgres => sqlx::migrate!("./migrations/postgres"),
        Kind::Mysql => sqlx::migrate!("./migrations/mysql"),
    };
    migrator.run_to(BEFORE_LINES, conn).await.unwrap();
}

/// A ledger with every kind of line field: full, partial and empty points
/// of sale, a reversal (closes) with a memo that needs quoting, a transfer.
async fn write_ledger(store: DynLedgerStore) -> Vec<AccountRef> {
    let ledger = Ledger::open(store, LedgerConfig::default()).await.unwrap();
    let vendor = usd_vendor(&ledger, "v-1").await;
    let a = ledger.open_account("a").await.unwrap().id;
    let b = ledger.open_account("b").await.unwrap().id;
    let credit = |key: &str, pos: PosRef| CreditChange {
        key: key.into(),
        vendor: vendor.clone(),
        account: a,
        total: Decimal::new(663, 2),
        tendered: Decimal::new(1000, 2),
        pos,
    };
    let full = PosRef {
        store_id: Some("s-1".into()),
        terminal_id: Some("t.2".into()),
        receipt_no: Some("r_3".into()),
    };
    let first = ledger.credit_change(&credit("c1", full)).await.unwrap();
    ledger
        .credit_change(&credit("c2", PosRef::default()))
        .await
        .unwrap();
    ledger
        .redeem(&Redeem {
            key: "spend".into(),
            vendor: vendor.clone(),
            account: a,
            points: 5,
            pos: PosRef {
                store_id: None,
                terminal_id: Some("t-9".into()),
                receipt_no: None,
            },
        })
        .await
        .unwrap();
    ledger
        .reverse(
            "undo",
            first.tx.unwrap().id,
            "till error, \"voided\"\nsecond line",
        )
        .await
        .unwrap();
    ledger.transfer("gift", a, b, 3).await.unwrap();
    vec![
        AccountRef::Vendor(vendor),
        AccountRef::Customer(a),
        AccountRef::Customer(b),
    ]
}

fn placeholders(kind: Kind, n: usize) -> String {
    (1..=n)
        .map(|i| match kind {
            Kind::Postgres => format!("${i}"),
            _ => "?".to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Copies `table`'s old columns row by row (the program accounts exist in
/// both databases already).
async fn copy_table(
    kind: Kind,
    table: &str,
    columns: &[(&str, bool)],
    from: &mut AnyConnection,
    to: &mut AnyConnection,
) -> usize {
    let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
    let names = names.join(", ");
    let skip = if table == "dcms_accounts" {
        " WHERE account NOT LIKE 'program:%'"
    } else {
        ""
    };
    let order = if table == "dcms_journal" {
        " ORDER BY id"
    } else {
        ""
    };
    let rows: Vec<AnyRow> = sqlx::query(AssertSqlSafe(format!(
        "SELECT {names} FROM {table}{skip}{order}"
    )))
    .fetch_all(&mut *from)
    .await
    .unwrap();
    // The journal's id is generated on PostgreSQL; copied ids are kept.
    let overriding = if kind == Kind::Postgres && table == "dcms_journal" {
        " OVERRIDING SYSTEM VALUE"
    } else {
        ""
    };
    let insert = format!(
        "INSERT INTO {table} ({names}){overriding} VALUES ({})",
        placeholders(kind, columns.len())
    );
    for row in &rows {
        let mut q = sqlx::query(AssertSqlSafe(insert.clone()));
        for (i, (_, integer)) in columns.iter().enumerate() {
            q = if *integer {
                q.bind(row.try_get::<Option<i64>, _>(i).unwrap())
            } else {
                q.bind(row.try_get::<Option<String>, _>(i).unwrap())
            };
        }
        q.execute(&mut *to).await.unwrap();
    }
    rows.len()
}

async fn backfilled(kind: Kind) {
    let Some(written) = TestDb::create(kind).await else {
        return;
    };
    let Some(old) = TestDb::create(kind).await else {
        return;
    };
    let source = written.open(options(false)).await;
    let accounts = write_ledger(source.clone()).await;

    // The store registered sqlx's drivers when it opened.
    let mut from = AnyConnection::connect(&written.url).await.unwrap();
    let mut to = AnyConnection::connect(&old.url).await.unwrap();
    migrate_before_lines(kind, &mut to).await;
    for (table, columns) in TABLES {
        let n = copy_table(kind, table, columns, &mut from, &mut to).await;
        assert!(n > 0, "{kind:?}: {table} copied no rows");
    }
    let _ = from.close().await;
    let _ = to.close().await;

    // Opening the store applies the migration under test.
    let migrated = old.open(options(false)).await;
    for account in &accounts {
        let expected = all_lines(&source, account).await.0;
        assert_eq!(
            expected,
            journal_lines(&source, account).await,
            "{kind:?} {account}: today's lines = journal"
        );
        assert_eq!(
            all_lines(&migrated, account).await.0,
            expected,
            "{kind:?} {account}: backfilled lines = lines written today"
        );
    }
    let vendor_lines = all_lines(&migrated, &accounts[0]).await.0;
    assert_eq!(
        vendor_lines.len(),
        4,
        "two credits, a redemption, a reversal"
    );
    assert_eq!(vendor_lines[0].pos.receipt_no.as_deref(), Some("r_3"));
    assert_eq!(vendor_lines[1].pos, PosRef::default());
    assert_eq!(vendor_lines[2].pos.terminal_id.as_deref(), Some("t-9"));
    assert_eq!(vendor_lines[2].pos.store_id, None);
    assert_eq!(vendor_lines[3].closes, Some(vendor_lines[0].tx));
    assert_eq!(
        vendor_lines[3].memo.as_deref(),
        Some("till error, \"voided\"\nsecond line")
    );
    drop((source, migrated));
    written.remove().await;
    old.remove().await;
}

#[tokio::test]
async fn sqlite_lines_are_backfilled() {
    backfilled(Kind::Sqlite).await;
}

#[tokio::test]
async fn postgres_lines_are_backfilled() {
    backfilled(Kind::Postgres).await;
}

#[tokio::test]
async fn mysql_lines_are_backfilled() {
    backfilled(Kind::Mysql).await;
}
