//! Acknowledged means durable: a child process credits in a loop and prints
//! each acknowledged key; it is killed (SIGKILL) mid-load; the store is
//! reopened and every acknowledged credit must be there exactly once, with
//! `verify()` finding nothing wrong.
//!
//! The child is this test binary run again with `DCMS_DURABILITY_CHILD`
//! set: the `child_writer` test below is the writer, and does nothing in a
//! normal run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

use common::{options, usd, usd_vendor, Kind, TestDb};
use dcms_core::store::{JournalQuery, Order, MAX_PAGE};
use dcms_core::{CreditChange, CustomerId, Ledger, LedgerConfig, PosRef, VendorId};
use rust_decimal::Decimal;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

const CHILD_ENV: &str = "DCMS_DURABILITY_CHILD";
const WRITERS: usize = 8;

fn credit(vendor: &VendorId, account: CustomerId, key: String) -> CreditChange {
    CreditChange {
        key,
        vendor: vendor.clone(),
        account,
        total: Decimal::new(63, 2),
        tendered: Decimal::new(100, 2),
        pos: PosRef::default(),
    }
}

/// The child: credits from several tasks until killed, printing
/// `ACK <key>` once each credit is acknowledged.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn child_writer() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut parts = spec.splitn(3, ' ');
    let (account, vendor, url) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let account = CustomerId::parse(account).unwrap();
    let vendor = VendorId::new(vendor).unwrap();
    // Group commit on: acknowledgements come from batches.
    let store = dcms_store::open_with(url, options(true)).await.unwrap();
    let ledger = Ledger::open(store, LedgerConfig::default()).await.unwrap();
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let (ledger, vendor) = (ledger.clone(), vendor.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0.. {
                let key = format!("dur-{w}-{i}");
                ledger
                    .credit_change(&credit(&vendor, account, key.clone()))
                    .await
                    .unwrap();
                // One locked write per line, flushed: the parent sees it at once.
                let mut out = std::io::stdout().lock();
                writeln!(out, "ACK {key}").unwrap();
                out.flush().unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

async fn survives_kill(kind: Kind) {
    let Some(db) = TestDb::create(kind).await else {
        return;
    };
    let (account, vendor) = {
        let ledger = Ledger::open(db.open(options(false)).await, LedgerConfig::default())
            .await
            .unwrap();
        let vendor = usd_vendor(&ledger, "till").await;
        (ledger.open_account("durable").await.unwrap().id, vendor)
    };

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["child_writer", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, format!("{account} {vendor} {}", db.url))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acked = Vec::new();
    // Let it run until well into the load, then kill it without warning.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while acked.len() < 300 && tokio::time::Instant::now() < deadline {
        match tokio::time::timeout_at(deadline, lines.next_line()).await {
            Ok(Ok(Some(line))) => acked.extend(line.strip_prefix("ACK ").map(str::to_string)),
            _ => break,
        }
    }
    child.start_kill().unwrap();
    // What was acknowledged before the kill is still in the pipe.
    while let Ok(Some(line)) = lines.next_line().await {
        acked.extend(line.strip_prefix("ACK ").map(str::to_string));
    }
    let status = child.wait().await.unwrap();
    assert!(!status.success(), "the child should have been killed");
    assert!(
        acked.len() >= 100,
        "the child acknowledged only {} credits",
        acked.len()
    );

    let ledger = Ledger::open(db.open(options(false)).await, LedgerConfig::default())
        .await
        .unwrap();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut query = JournalQuery {
        order: Order::OldestFirst,
        limit: MAX_PAGE,
        ..JournalQuery::default()
    };
    loop {
        let page = ledger.store().journal(&query).await.unwrap();
        for tx in &page.items {
            *seen.entry(tx.key.clone()).or_default() += 1;
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    for key in &acked {
        assert_eq!(
            seen.get(key),
            Some(&1),
            "acknowledged credit {key} is missing or doubled"
        );
    }
    let report = ledger.verify().await.unwrap();
    assert!(
        report.is_ok(),
        "verify found problems: {:?}",
        report.problems
    );
    // Every credit on the journal (acknowledged or not) is 37 points.
    let credits = seen.keys().filter(|k| k.starts_with("dur-")).count() as i64;
    assert_eq!(
        ledger.balance(account).await.unwrap().get(usd()).available,
        37 * credits
    );
    eprintln!(
        "{kind:?}: {} acknowledged, {credits} on the journal after SIGKILL",
        acked.len()
    );
    db.remove().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_survives_kill() {
    survives_kill(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_survives_kill() {
    survives_kill(Kind::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_survives_kill() {
    survives_kill(Kind::Mysql).await;
}
