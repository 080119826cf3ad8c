//! Migration `20261126000004_posting_lines` copies a statement line's
//! fields (the transaction it closes, memo, point of sale) from each
//! journal row onto its postings. A database written before it must give
//! the same statement lines after it as the store of that time did: here
//! a ledger written by an earlier store (a fixture, see
//! `common::fixture`) is loaded, in the columns postings had before the
//! migration, into a database migrated only up to the migration before,
//! which today's store then opens (applying the backfill and the
//! migrations after it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::fixture::{migrate_to, Fixture, LINE_COLUMNS};
use common::{all_lines, journal_lines, options, usd, Kind, TestDb};
use dcms_core::{AccountRef, CurrencyCode, PosRef, TxId};
use sqlx::{AnyConnection, Connection};

/// The last migration before the one under test.
const BEFORE_LINES: i64 = 20261125000003;

async fn backfilled(kind: Kind) {
    let fixture = Fixture::read("pre_currency_ledger.json");
    let Some(db) = TestDb::create(kind).await else {
        return;
    };
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(&db.url).await.unwrap();
    migrate_to(kind, &mut conn, BEFORE_LINES).await;
    fixture.load(kind, &mut conn, &LINE_COLUMNS).await;
    let _ = conn.close().await;

    // Opening the store applies the migration under test.
    let migrated = db.open(options(false)).await;
    let jpy = CurrencyCode::new("JPY").unwrap();
    let customer = |who| format!("customer:{}", fixture.customer(who));
    for (old, currency) in [
        ("vendor:v-usd".to_string(), usd()),
        ("vendor:v-jpy".to_string(), jpy),
        ("program:breakage".to_string(), usd()),
        (customer("a"), usd()),
        (customer("b"), usd()),
        (customer("j"), jpy),
    ] {
        let account = AccountRef::parse(&format!("{old}:{currency}")).unwrap();
        let lines = all_lines(&migrated, &account).await.0;
        assert_eq!(
            lines,
            journal_lines(&migrated, &account).await,
            "{kind:?} {account}: backfilled lines = journal"
        );
        assert_eq!(
            lines,
            fixture.lines(&old),
            "{kind:?} {account}: backfilled lines = lines the old store gave"
        );
    }
    let usd_vendor = AccountRef::parse("vendor:v-usd:USD").unwrap();
    let vendor_lines = all_lines(&migrated, &usd_vendor).await.0;
    assert_eq!(
        vendor_lines.len(),
        5,
        "three credits, a redemption, a reversal"
    );
    assert_eq!(vendor_lines[0].pos.receipt_no.as_deref(), Some("c1"));
    assert_eq!(vendor_lines[0].pos.store_id.as_deref(), Some("s1"));
    assert_eq!(vendor_lines[3].pos, PosRef::default());
    assert_eq!(vendor_lines[4].closes, Some(TxId(1)));
    assert_eq!(vendor_lines[4].memo.as_deref(), Some("till error"));
    let b = AccountRef::parse(&format!("{}:USD", customer("b"))).unwrap();
    let memo = all_lines(&migrated, &b).await.0;
    assert!(memo
        .iter()
        .any(|l| l.memo.as_deref() == Some("goodwill, \"sorry\"")));
    drop(migrated);
    db.remove().await;
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
