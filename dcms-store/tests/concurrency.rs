//! Many writers for a while: no lost update, no overdraft, no double
//! credit. Two store instances share one database (one group-committed, one
//! committing each append alone), as two processes would, and 16 tasks
//! credit, transfer, redeem and retry at random. Afterwards `verify()` must
//! find nothing wrong, and customer points must equal credited minus
//! redeemed. Duration per engine: `DCMS_STRESS_SECS` (default 10).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{options, usd, Kind, TestDb};
use dcms_core::{
    Currency, CustomerId, Error, Ledger, LedgerConfig, PosRef, Redeem, Vendor, VendorId,
};
use rust_decimal::Decimal;

const TASKS: usize = 16;
const CUSTOMERS: usize = 24;

/// xorshift64*: enough randomness for choosing operations, no dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

#[derive(Default)]
struct Totals {
    credited: AtomicI64,
    redeemed: AtomicI64,
    ops: AtomicU64,
    refused: AtomicU64,
    replays: AtomicU64,
}

fn credit(
    vendor: &VendorId,
    account: CustomerId,
    key: String,
    cents: i64,
) -> dcms_core::CreditChange {
    // Change of 1.00 - (1.00 - cents): credit `cents` points.
    dcms_core::CreditChange {
        key,
        vendor: vendor.clone(),
        account,
        total: Decimal::new(100 - cents, 2),
        tendered: Decimal::new(100, 2),
        pos: PosRef::default(),
    }
}

async fn worker(
    t: usize,
    ledger: Ledger,
    vendor: VendorId,
    customers: Arc<Vec<CustomerId>>,
    totals: Arc<Totals>,
    until: Instant,
) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (t as u64 + 1).wrapping_mul(0x1234_5678_9abc_def1));
    let pick = |rng: &mut Rng| customers[rng.below(customers.len() as u64) as usize];
    let mut last_credit: Option<(dcms_core::CreditChange, dcms_core::TxId)> = None;
    let mut i = 0u64;
    while Instant::now() < until {
        i += 1;
        totals.ops.fetch_add(1, Ordering::Relaxed);
        match rng.below(10) {
            0..=2 => {
                let cents = 1 + rng.below(99) as i64;
                let req = credit(&vendor, pick(&mut rng), format!("cr-{t}-{i}"), cents);
                let r = ledger.credit_change(&req).await.unwrap();
                assert!(!r.replayed);
                totals.credited.fetch_add(r.points, Ordering::Relaxed);
                last_credit = r.tx.map(|tx| (req, tx.id));
            }
            3 => {
                // A POS retrying an acknowledged credit: the first result.
                if let Some((req, id)) = &last_credit {
                    let r = ledger.credit_change(req).await.unwrap();
                    assert!(r.replayed, "retry of {} credited again", req.key);
                    assert_eq!(r.tx.unwrap().id, *id);
                    totals.replays.fetch_add(1, Ordering::Relaxed);
                }
            }
            4..=6 => {
                let (from, to) = (pick(&mut rng), pick(&mut rng));
                if from == to {
                    continue;
                }
                let points = 1 + rng.below(150) as i64;
                match ledger
                    .transfer(&format!("tr-{t}-{i}"), from, to, usd(), points)
                    .await
                {
                    Ok(_) => {}
                    Err(Error::InsufficientPoints { .. }) => {
                        totals.refused.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => panic!("transfer failed: {e}"),
                }
            }
            _ => {
                let req = Redeem {
                    key: format!("rd-{t}-{i}"),
                    vendor: vendor.clone(),
                    account: pick(&mut rng),
                    points: 1 + rng.below(200) as i64,
                    pos: PosRef::default(),
                };
                match ledger.redeem(&req).await {
                    Ok(a) => {
                        assert!(!a.replayed);
                        totals.redeemed.fetch_add(req.points, Ordering::Relaxed);
                    }
                    Err(Error::InsufficientPoints { .. }) => {
                        totals.refused.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => panic!("redeem failed: {e}"),
                }
            }
        }
    }
}

async fn stress(kind: Kind) {
    let Some(db) = TestDb::create(kind).await else {
        return;
    };
    let secs = std::env::var("DCMS_STRESS_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let batched = Ledger::open(db.open(options(true)).await, LedgerConfig::default())
        .await
        .unwrap();
    let direct = Ledger::open(db.open(options(false)).await, LedgerConfig::default())
        .await
        .unwrap();
    let vendor = batched
        .create_vendor(Vendor::new(
            VendorId::new("busy-shop").unwrap(),
            "Busy Shop",
            Currency::builtin("USD").unwrap(),
            chrono_tz::America::New_York,
        ))
        .await
        .unwrap()
        .id;
    let totals = Arc::new(Totals::default());
    let mut customers = Vec::new();
    for c in 0..CUSTOMERS {
        let id = batched.open_account(&format!("open-{c}")).await.unwrap().id;
        for n in 0..5 {
            let r = batched
                .credit_change(&credit(&vendor, id, format!("seed-{c}-{n}"), 99))
                .await
                .unwrap();
            totals.credited.fetch_add(r.points, Ordering::Relaxed);
        }
        customers.push(id);
    }
    let customers = Arc::new(customers);
    let until = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let ledger = if t % 2 == 0 {
                batched.clone()
            } else {
                direct.clone()
            };
            tokio::spawn(worker(
                t,
                ledger,
                vendor.clone(),
                customers.clone(),
                totals.clone(),
                until,
            ))
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();

    let report = direct.verify().await.unwrap();
    assert!(
        report.is_ok(),
        "verify found problems: {:?}",
        report.problems
    );
    let mut held_points = 0;
    let mut customer_points = 0;
    for c in customers.iter() {
        let b = direct.balance(*c).await.unwrap().get(usd());
        assert!(b.available >= 0);
        customer_points += b.available;
        held_points += b.held;
    }
    let credited = totals.credited.load(Ordering::Relaxed);
    let redeemed = totals.redeemed.load(Ordering::Relaxed);
    assert_eq!(held_points, 0);
    assert_eq!(
        customer_points,
        credited - redeemed,
        "points lost or made up"
    );
    assert_eq!(
        direct.vendor_liability(&vendor).await.unwrap(),
        credited - redeemed
    );
    eprintln!(
        "{kind:?}: {} operations in {elapsed:.1} s ({:.0}/s), {} refused for insufficient points, {} retries replayed, {} transactions verified",
        totals.ops.load(Ordering::Relaxed),
        totals.ops.load(Ordering::Relaxed) as f64 / elapsed,
        totals.refused.load(Ordering::Relaxed),
        totals.replays.load(Ordering::Relaxed),
        report.transactions,
    );
    db.remove().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_under_concurrent_writers() {
    stress(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_under_concurrent_writers() {
    stress(Kind::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mysql_under_concurrent_writers() {
    stress(Kind::Mysql).await;
}
