//! The schema defends the ledger even against SQL that bypasses the store:
//! the journal and postings refuse UPDATE and DELETE, a customer balance
//! cannot go negative, an idempotency key and a closed transaction are
//! unique, a posting names an existing account and transaction. Also: URLs the build does not support are refused with a typed
//! error, and an in-memory SQLite store works.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{options, usd, usd_vendor, Kind, TestDb};
use dcms_core::{CreditChange, Error, Ledger, LedgerConfig, PosRef};
use rust_decimal::Decimal;
use sqlx::{AnyConnection, AssertSqlSafe, Connection};

async fn guarded(kind: Kind) {
    let Some(db) = TestDb::create(kind).await else {
        return;
    };
    let ledger = Ledger::open(db.open(options(false)).await, LedgerConfig::default())
        .await
        .unwrap();
    let vendor = usd_vendor(&ledger, "v").await;
    let account = ledger.open_account("a").await.unwrap().id;
    let credit = CreditChange {
        key: "k1".into(),
        vendor,
        account,
        total: Decimal::new(63, 2),
        tendered: Decimal::new(100, 2),
        pos: PosRef::default(),
    };
    let tx = ledger.credit_change(&credit).await.unwrap().tx.unwrap();

    // The store registered sqlx's drivers when it opened.
    let mut c = AnyConnection::connect(&db.url).await.unwrap();
    let refused = [
        "UPDATE dcms_journal SET memo = 'edited'".to_string(),
        "DELETE FROM dcms_journal".to_string(),
        "UPDATE dcms_postings SET points = points + 1".to_string(),
        "DELETE FROM dcms_postings".to_string(),
        format!("UPDATE dcms_customer_balances SET balance = -1 WHERE customer = {account}"),
        "INSERT INTO dcms_journal (idem_key, fingerprint, kind, at_ns, body) VALUES ('k1', 'f', 'adjustment', 0, '{}')"
            .to_string(),
        format!("INSERT INTO dcms_journal (idem_key, fingerprint, kind, closes, at_ns, body) VALUES ('k2', 'f', 'reversal', {0}, 0, '{{}}'), ('k3', 'f', 'reversal', {0}, 0, '{{}}')", tx.id.0),
        // A posting to an account that does not exist.
        format!("INSERT INTO dcms_postings (tx_id, leg, account, points, kind, at_ns) VALUES ({}, 9, 'vendor:nobody:USD', 0, 'adjustment', 0)", tx.id.0),
        // A posting of a transaction that does not exist.
        "INSERT INTO dcms_postings (tx_id, leg, account, points, kind, at_ns) VALUES (987654321, 0, 'vendor:v:USD', 0, 'adjustment', 0)".to_string(),
        // Several postings at once, one of them naming no transaction
        // (PostgreSQL checks the statement's postings as a set).
        format!("INSERT INTO dcms_postings (tx_id, leg, account, points, kind, at_ns) VALUES ({0}, 90, 'vendor:v:USD', 0, 'adjustment', 0), ({0}, 91, 'vendor:v:USD', 0, 'adjustment', 0), (987654321, 0, 'vendor:v:USD', 0, 'adjustment', 0)", tx.id.0),
    ];
    for sql in refused {
        let outcome = sqlx::raw_sql(AssertSqlSafe(sql.clone()))
            .execute(&mut c)
            .await;
        assert!(outcome.is_err(), "{kind:?} accepted: {sql}");
    }
    let _ = c.close().await;
    assert!(ledger.verify().await.unwrap().is_ok());
    assert_eq!(
        ledger.balance(account).await.unwrap().get(usd()).available,
        37
    );
    db.remove().await;
}

#[tokio::test]
async fn sqlite_schema_guards() {
    guarded(Kind::Sqlite).await;
}

#[tokio::test]
async fn postgres_schema_guards() {
    guarded(Kind::Postgres).await;
}

#[tokio::test]
async fn mysql_schema_guards() {
    guarded(Kind::Mysql).await;
}

#[tokio::test]
async fn unsupported_urls_are_typed_errors() {
    for url in ["redis://localhost/0", "not a url", ""] {
        let e = dcms_store::open(url).await.unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidInput {
                    field: "database url",
                    ..
                }
            ),
            "{url}: {e:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_in_memory_store_works() {
    let store = dcms_store::open("sqlite::memory:").await.unwrap();
    let ledger = Ledger::open(store, LedgerConfig::default()).await.unwrap();
    let account = ledger.open_account("m").await.unwrap().id;
    assert_eq!(
        ledger.balance(account).await.unwrap().get(usd()).available,
        0
    );
    assert!(ledger.verify().await.unwrap().is_ok());
}
