//! A month with more lines than one read takes. On SQLite the first read
//! takes up to 4,000 lines in time order; a month with more is read again
//! in id order in pages of 8,000, 16,000, ... lines, each found after the
//! last line of the one before. 24,000 lines make the first read full and
//! fill exactly two pages after it (so a third, empty one ends the read).
//! Every engine must give the journal's lines, in id order, in chunks of at
//! most `MAX_PAGE`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{all_lines, all_time, journal_lines, options, usd, usd_vendor, Kind, TestDb};
use dcms_core::store::MAX_PAGE;
use dcms_core::{AccountRef, CreditChange, Ledger, LedgerConfig, PosRef};
use rust_decimal::Decimal;

const LINES: usize = 24_000;

async fn many_lines(kind: Kind) {
    let Some(db) = TestDb::create(kind).await else {
        return;
    };
    let store = db.open(options(true)).await;
    let ledger = Ledger::open(store.clone(), LedgerConfig::default())
        .await
        .unwrap();
    let vendor = usd_vendor(&ledger, "busy").await;
    let customers = [
        ledger.open_account("a").await.unwrap().id,
        ledger.open_account("b").await.unwrap().id,
    ];
    let ledger = &ledger;
    for batch in 0..LINES / 500 {
        let credits = (0..500).map(|i| {
            let n = batch * 500 + i;
            let credit = CreditChange {
                key: format!("sale-{n}"),
                vendor: vendor.clone(),
                account: customers[n % 2],
                total: Decimal::new(901 + (n % 99) as i64, 2),
                tendered: Decimal::new(1000, 2),
                pos: PosRef {
                    store_id: Some(format!("s{}", n % 7)),
                    terminal_id: (n % 3 == 0).then(|| "t-1".to_string()),
                    receipt_no: Some(format!("r.{n}")),
                },
            };
            async move { ledger.credit_change(&credit).await.unwrap() }
        });
        futures::future::join_all(credits).await;
    }

    let account = AccountRef::Vendor(vendor, usd());
    let (lines, chunks) = all_lines(&store, &account).await;
    assert_eq!(lines.len(), LINES, "{kind:?}: every line");
    assert!(
        chunks.iter().all(|c| (1..=MAX_PAGE as usize).contains(c)),
        "{kind:?}: chunks {chunks:?}"
    );
    assert_eq!(
        lines,
        journal_lines(&store, &account).await,
        "{kind:?}: lines = journal"
    );
    assert!(lines.windows(2).all(|w| w[0].tx < w[1].tx), "id order");

    // A sink that fails stops the read with its error.
    let (from, to) = all_time();
    let mut seen = 0;
    let stopped = store
        .account_lines(&account, from, to, &mut |chunk| {
            seen += chunk.len();
            Err(dcms_core::Error::Storage("the reader gave up".into()))
        })
        .await;
    assert!(
        matches!(&stopped, Err(dcms_core::Error::Storage(m)) if m == "the reader gave up"),
        "{kind:?}: {stopped:?}"
    );
    assert!(seen <= MAX_PAGE as usize);
    drop((ledger, store));
    db.remove().await;
}

#[tokio::test]
async fn sqlite_many_lines() {
    many_lines(Kind::Sqlite).await;
}

#[tokio::test]
async fn postgres_many_lines() {
    many_lines(Kind::Postgres).await;
}

#[tokio::test]
async fn mysql_many_lines() {
    many_lines(Kind::Mysql).await;
}
