//! Criterion benches of the core ledger on the in-memory store: change
//! credits per second (single thread, idempotency keys on, every call a new
//! key) and transfers per second. Run with `cargo bench -p dcms-core --bench ledger`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dcms_core::{
    CreditChange, Currency, CustomerId, Ledger, LedgerConfig, MemoryStore, PosRef, Vendor, VendorId,
};
use rust_decimal::Decimal;

fn setup(rt: &tokio::runtime::Runtime) -> (Ledger, VendorId, CustomerId, CustomerId) {
    rt.block_on(async {
        let ledger = Ledger::open(Arc::new(MemoryStore::new()), LedgerConfig::default())
            .await
            .unwrap();
        let vendor = Vendor::new(
            VendorId::new("bench").unwrap(),
            "Bench",
            Currency::builtin("USD").unwrap(),
            chrono_tz::UTC,
        );
        let vendor = ledger.create_vendor(vendor).await.unwrap().id;
        let a = ledger.open_account("a").await.unwrap().id;
        let b = ledger.open_account("b").await.unwrap().id;
        (ledger, vendor, a, b)
    })
}

fn change_credits(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let n = AtomicU64::new(0);
    let mut group = c.benchmark_group("ledger");
    group.throughput(Throughput::Elements(1));
    // Each sample starts from a fresh ledger (set up outside the timing) and
    // runs its credits inside one `block_on`: what is measured is the ledger
    // at the size of a sample, not the runtime's entry per call nor a store
    // grown to the hundreds of millions of rows criterion would accumulate.
    group.bench_function("change_credit", |bench| {
        bench.iter_custom(|iters| {
            let (ledger, vendor, a, _) = setup(&rt);
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    let i = n.fetch_add(1, Ordering::Relaxed);
                    let req = CreditChange {
                        key: format!("bench/{i}"),
                        vendor: vendor.clone(),
                        account: a,
                        total: Decimal::new(663, 2),
                        tendered: Decimal::new(1000, 2),
                        pos: PosRef::default(),
                    };
                    black_box(ledger.credit_change(&req).await.unwrap());
                }
                start.elapsed()
            })
        })
    });
    group.finish();
}

/// The bench vendor's currency.
fn usd() -> dcms_core::CurrencyCode {
    dcms_core::CurrencyCode::new("USD").unwrap()
}

fn transfers(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let n = AtomicU64::new(0);
    let mut group = c.benchmark_group("ledger");
    group.throughput(Throughput::Elements(1));
    group.bench_function("transfer", |bench| {
        bench.iter_custom(|iters| {
            let (ledger, _, a, b) = setup(&rt);
            rt.block_on(async {
                ledger
                    .adjust("seed-a", a, usd(), 1_000_000_000, "bench seed")
                    .await
                    .unwrap();
                ledger
                    .adjust("seed-b", b, usd(), 1_000_000_000, "bench seed")
                    .await
                    .unwrap();
                let start = Instant::now();
                for _ in 0..iters {
                    let i = n.fetch_add(1, Ordering::Relaxed);
                    let (from, to) = if i % 2 == 0 { (a, b) } else { (b, a) };
                    black_box(
                        ledger
                            .transfer(&format!("t/{i}"), from, to, usd(), 1)
                            .await
                            .unwrap(),
                    );
                }
                start.elapsed()
            })
        })
    });
    group.finish();
}

criterion_group!(benches, change_credits, transfers);
criterion_main!(benches);
