//! Group commit with real batches: one writer that waits for more appends,
//! so concurrent requests share a database transaction. Checks that each
//! item still sees the ones before it in its batch (caps, balances, keys)
//! and that an item that breaks its batch does not fail its neighbours.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use chrono::Utc;
use common::{usd, Kind, TestDb};
use dcms_core::{
    AccountRef, CreditChange, Currency, CustomerId, Error, Ledger, LedgerConfig, NewTransaction,
    PosRef, Posting, Redeem, TxKind, Vendor, VendorId,
};
use dcms_store::{GroupCommit, StoreOptions};
use rust_decimal::Decimal;

/// One writer that waits 30 ms for more appends. One balance slot row, so
/// that the overflow probe below overflows a row (with several slot rows
/// each item could land on its own row; see the crate docs).
fn batching() -> StoreOptions {
    let group = GroupCommit {
        max_batch: 64,
        max_wait: Duration::from_millis(30),
        writers: 1,
    };
    StoreOptions::default()
        .with_group_commit(Some(group))
        .with_balance_slots(1)
}

async fn setup(db: &TestDb) -> (Ledger, VendorId, CustomerId, CustomerId) {
    let ledger = Ledger::open(db.open(batching()).await, LedgerConfig::default())
        .await
        .unwrap();
    let mut vendor = Vendor::new(
        VendorId::new("shop").unwrap(),
        "Shop",
        Currency::builtin("USD").unwrap(),
        chrono_tz::UTC,
    );
    vendor.per_day_cap = Some(100);
    let vendor = ledger.create_vendor(vendor).await.unwrap().id;
    let a = ledger.open_account("a").await.unwrap().id;
    let b = ledger.open_account("b").await.unwrap().id;
    (ledger, vendor, a, b)
}

fn credit(vendor: &VendorId, account: CustomerId, key: String, cents: i64) -> CreditChange {
    CreditChange {
        key,
        vendor: vendor.clone(),
        account,
        total: Decimal::new(100 - cents, 2),
        tendered: Decimal::new(100, 2),
        pos: PosRef::default(),
    }
}

async fn batches_see_their_own_items(kind: Kind) {
    let Some(db) = TestDb::create(kind).await else {
        return;
    };
    let (ledger, vendor, a, b) = setup(&db).await;
    // 30 credits of 10 at once against a cap of 100 a day: exactly 10 fit.
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let (ledger, vendor) = (ledger.clone(), vendor.clone());
            tokio::spawn(async move {
                ledger
                    .credit_change(&credit(&vendor, a, format!("cap-{i}"), 10))
                    .await
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(Error::LimitExceeded {
                limit: "per-day", ..
            }) => {}
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!(ok, 10);
    assert_eq!(ledger.balance(a).await.unwrap().get(usd()).available, 100);

    // 10 redemptions of 30 from 100 at once: exactly 3; and the same key
    // sent 5 times with two different requests: one written, the same
    // request replayed, the other a conflict.
    let redeem = |key: String, points| Redeem {
        key,
        vendor: vendor.clone(),
        account: a,
        points,
        pos: PosRef::default(),
    };
    let mut tasks = Vec::new();
    for i in 0..10 {
        let (ledger, req) = (ledger.clone(), redeem(format!("rd-{i}"), 30));
        tasks.push(tokio::spawn(async move {
            ledger.redeem(&req).await.map(|r| (r.tx.id, r.replayed))
        }));
    }
    let mut same_key = Vec::new();
    for i in 0..5 {
        let (ledger, req) = (
            ledger.clone(),
            Redeem {
                account: b,
                ..redeem("same".into(), if i == 3 { 2 } else { 1 })
            },
        );
        same_key.push(tokio::spawn(async move {
            ledger.redeem(&req).await.map(|r| (r.tx.id, r.replayed))
        }));
    }
    let mut spent = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => spent += 1,
            Err(Error::InsufficientPoints { .. }) => {}
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!(spent, 3);
    let mut written = std::collections::HashSet::new();
    let (mut fresh, mut conflicts) = (0, 0);
    for t in same_key {
        match t.await.unwrap() {
            Ok((id, replayed)) => {
                written.insert(id);
                fresh += usize::from(!replayed);
            }
            Err(Error::IdempotencyConflict { .. }) | Err(Error::InsufficientPoints { .. }) => {
                conflicts += 1
            }
            Err(e) => panic!("unexpected {e}"),
        }
    }
    // b has no points: every "same" request is refused or conflicts, none written.
    assert_eq!((written.len(), fresh, conflicts), (0, 0, 5));
    assert_eq!(ledger.balance(a).await.unwrap().get(usd()).available, 10);
    let report = ledger.verify().await.unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    db.remove().await;
}

async fn a_bad_item_does_not_fail_its_batch(kind: Kind) {
    let Some(db) = TestDb::create(kind).await else {
        return;
    };
    let (ledger, vendor, a, b) = setup(&db).await;
    let store = ledger.store().clone();
    // Two adjustments whose program-side sum overflows i64 when batched;
    // alone, the first fits and the second overflows.
    let huge = i64::MAX / 2 + 2;
    let adjust = |key: &str, customer: CustomerId| NewTransaction {
        key: key.into(),
        fingerprint: key.into(),
        kind: TxKind::Adjustment,
        postings: vec![
            Posting {
                account: AccountRef::Customer(customer, usd()),
                points: huge,
            },
            Posting {
                account: AccountRef::Adjustments(usd()),
                points: -huge,
            },
        ],
        vendor: None,
        pos: PosRef::default(),
        cash: None,
        closes: None,
        expires_at: None,
        memo: Some("overflow probe".into()),
        at: Utc::now(),
        daily_cap: None,
    };
    let first = tokio::spawn({
        let store = store.clone();
        let tx = adjust("big-1", a);
        async move { store.append(tx).await }
    });
    let second = tokio::spawn({
        let store = store.clone();
        let tx = adjust("big-2", b);
        async move { store.append(tx).await }
    });
    let fine = tokio::spawn({
        let (ledger, vendor) = (ledger.clone(), vendor.clone());
        async move {
            ledger
                .credit_change(&credit(&vendor, b, "fine".into(), 37))
                .await
        }
    });
    let (first, second, fine) = (
        first.await.unwrap(),
        second.await.unwrap(),
        fine.await.unwrap(),
    );
    assert!(fine.is_ok(), "{fine:?}");
    let outcomes = [first.is_ok(), second.is_ok()];
    assert_eq!(
        outcomes.iter().filter(|ok| **ok).count(),
        1,
        "{first:?} {second:?}"
    );
    let refused = if first.is_err() { &first } else { &second };
    assert!(
        matches!(refused, Err(Error::InvalidAmount { .. })),
        "{refused:?}"
    );
    let b_adjusted = if second.is_ok() { huge } else { 0 };
    assert_eq!(
        ledger.balance(b).await.unwrap().get(usd()).available,
        37 + b_adjusted
    );
    let report = ledger.verify().await.unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    db.remove().await;
}

/// Batches of thousands: more rows than one multi-row statement takes
/// (1024) and more customers than one balance update takes (128), so every
/// chunk boundary is crossed; refused items in the middle change nothing.
async fn big_batches_cross_every_chunk(kind: Kind) {
    use futures::StreamExt;
    let Some(db) = TestDb::create(kind).await else {
        return;
    };
    let group = GroupCommit::default()
        .with_max_batch(4096)
        .with_max_wait(Duration::from_millis(300))
        .with_writers(1);
    let options = StoreOptions::default().with_group_commit(Some(group));
    let ledger = Ledger::open(db.open(options).await, LedgerConfig::default())
        .await
        .unwrap();
    let vendor = Vendor::new(
        VendorId::new("big").unwrap(),
        "Big",
        Currency::builtin("USD").unwrap(),
        chrono_tz::UTC,
    );
    let vendor = ledger.create_vendor(vendor).await.unwrap().id;
    let customers: Vec<CustomerId> = futures::stream::iter(0..300)
        .map(|i| {
            let ledger = ledger.clone();
            async move { ledger.open_account(&format!("c{i}")).await.unwrap().id }
        })
        .buffered(16)
        .collect()
        .await;
    let mut credits = Vec::new();
    let mut refusals = Vec::new();
    for i in 0..2500 {
        let (l, v) = (ledger.clone(), vendor.clone());
        let account = customers[i % customers.len()];
        credits.push(tokio::spawn(async move {
            l.credit_change(&credit(&v, account, format!("big-{i}"), 10))
                .await
        }));
        if i % 50 == 0 {
            let (ledger, vendor) = (ledger.clone(), vendor.clone());
            refusals.push(tokio::spawn(async move {
                let req = Redeem {
                    key: format!("too-much-{i}"),
                    vendor,
                    account,
                    points: 1_000_000,
                    pos: PosRef::default(),
                };
                ledger.redeem(&req).await
            }));
        }
    }
    for t in credits {
        t.await.unwrap().unwrap();
    }
    for t in refusals {
        let refused = t.await.unwrap();
        assert!(
            matches!(refused, Err(Error::InsufficientPoints { .. })),
            "{refused:?}"
        );
    }
    for (n, c) in customers.iter().enumerate() {
        let expected = 10 * (2500 / 300 + i64::from(n < 2500 % 300));
        assert_eq!(
            ledger.balance(*c).await.unwrap().get(usd()).available,
            expected
        );
    }
    let report = ledger.verify().await.unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!(report.transactions, 2500);
    db.remove().await;
}

macro_rules! on_every_engine {
    ($($name:ident => $kind:expr),*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            batches_see_their_own_items($kind).await;
            a_bad_item_does_not_fail_its_batch($kind).await;
            big_batches_cross_every_chunk($kind).await;
        }
    )*};
}

on_every_engine!(sqlite_batches => Kind::Sqlite, postgres_batches => Kind::Postgres, mysql_batches => Kind::Mysql);
