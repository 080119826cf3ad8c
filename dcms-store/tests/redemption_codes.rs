//! One-time redemption codes kept by the SQL store (`CodeStore` on
//! `SqlStore`): the core's rules on SQLite, PostgreSQL and MySQL, and codes
//! that outlive the store they were issued through.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::sync::Arc;

use common::{Kind, TestDb};
use dcms_core::codes::{CodeRequest, CodeRules, RedemptionCodes};
use dcms_core::{CreditChange, Currency, Ledger, LedgerConfig, PosRef, Redeem, Vendor, VendorId};
use dcms_store::{SqlStore, StoreOptions};
use rust_decimal::Decimal;

async fn open(db: &TestDb) -> (Ledger, RedemptionCodes) {
    let sql = Arc::new(
        SqlStore::connect(&db.url, StoreOptions::default())
            .await
            .unwrap(),
    );
    let ledger = Ledger::open(sql.clone(), LedgerConfig::default())
        .await
        .unwrap();
    let codes = RedemptionCodes::open(&ledger, sql, CodeRules::default())
        .await
        .unwrap();
    (ledger, codes)
}

fn redeem(key: &str, account: dcms_core::CustomerId, points: i64) -> Redeem {
    Redeem {
        key: key.into(),
        vendor: VendorId::new("shop").unwrap(),
        account,
        points,
        pos: PosRef::default(),
    }
}

async fn rules_hold(kind: Kind) {
    let Some(db) = TestDb::create(kind).await else {
        return;
    };
    let (ledger, codes) = open(&db).await;
    let usd = Currency::builtin("USD").unwrap();
    ledger
        .create_vendor(Vendor::new(
            VendorId::new("shop").unwrap(),
            "Shop",
            usd,
            chrono_tz::UTC,
        ))
        .await
        .unwrap();
    let account = ledger.open_account("a").await.unwrap().id;
    ledger
        .credit_change(&CreditChange {
            key: "c1".into(),
            vendor: VendorId::new("shop").unwrap(),
            account,
            total: Decimal::new(101, 2),
            tendered: Decimal::new(200, 2),
            pos: PosRef::default(),
        })
        .await
        .unwrap();
    let req = |key: &str, max: i64| CodeRequest {
        key: key.into(),
        account,
        currency: usd.code,
        max_points: max,
    };
    let first = codes.issue(&ledger, &req("k1", 50)).await.unwrap();
    assert_eq!(
        codes.issue(&ledger, &req("k1", 50)).await.unwrap(),
        first,
        "a replay gives the same code"
    );
    assert_eq!(
        codes
            .issue(&ledger, &req("k1", 60))
            .await
            .unwrap_err()
            .code(),
        "idempotency_conflict"
    );

    // The code outlives the store it was issued through (a restart).
    let (ledger2, codes2) = open(&db).await;
    let spent = codes2
        .redeem(&ledger2, &redeem("r1", account, 30), &first.code)
        .await
        .unwrap();
    let replay = codes2
        .redeem(&ledger2, &redeem("r1", account, 30), &first.code)
        .await
        .unwrap();
    assert!(replay.replayed && replay.tx.id == spent.tx.id);
    let reuse = codes
        .redeem(&ledger, &redeem("r2", account, 1), &first.code)
        .await
        .unwrap_err();
    assert_eq!(reuse.code(), "code_refused");

    // A new code; five wrong tries kill it, even across stores.
    let second = codes.issue(&ledger, &req("k2", 50)).await.unwrap();
    let wrong: Vec<String> = (0..50u32)
        .map(|n| format!("{:08}", n * 104_729))
        .filter(|g| *g != second.code)
        .take(5)
        .collect();
    for (i, g) in wrong.iter().enumerate() {
        let (l, c) = if i % 2 == 0 {
            (&ledger, &codes)
        } else {
            (&ledger2, &codes2)
        };
        assert_eq!(
            c.redeem(l, &redeem(&format!("g{i}"), account, 1), g)
                .await
                .unwrap_err()
                .code(),
            "code_refused"
        );
    }
    let dead = codes
        .redeem(&ledger, &redeem("r3", account, 1), &second.code)
        .await
        .unwrap_err();
    assert!(dead.to_string().contains("no longer valid"), "{dead}");
    // A third code kills nothing that lives, and the first key still replays its own code.
    let third = codes.issue(&ledger, &req("k3", 10)).await.unwrap();
    codes
        .redeem(&ledger, &redeem("r4", account, 10), &third.code)
        .await
        .unwrap();
    assert_eq!(
        ledger
            .balance_in(account, usd.code)
            .await
            .unwrap()
            .available,
        99 - 30 - 10
    );
    assert!(ledger.verify().await.unwrap().is_ok());
    db.remove().await;
}

#[tokio::test]
async fn codes_on_sqlite() {
    rules_hold(Kind::Sqlite).await;
}

#[tokio::test]
async fn codes_on_postgres() {
    rules_hold(Kind::Postgres).await;
}

#[tokio::test]
async fn codes_on_mysql() {
    rules_hold(Kind::Mysql).await;
}
