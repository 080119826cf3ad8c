//! The native side of `benches/python/credit_rate.py`: the same change-credit
//! loop as the Python benchmark, calling the Rust core directly.
//!
//! `native_credit_rate <memory|SQLITE_PATH> <N>` opens a fresh ledger (the
//! in-memory store, or a SQLite file through `dcms_store::open` exactly as
//! `dcms.open(path)` does), credits N sales one after another with a new
//! idempotency key each, and prints one JSON line with the rate (and, on
//! Linux, the CPU seconds all the process's threads spent in the loop,
//! `cpu_seconds`, or null). The loop runs inside one `block_on` on a
//! multi-thread Tokio runtime, as a Rust service would.

#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::Instant;

use dcms_core::{
    CreditChange, Currency, DynLedgerStore, Ledger, LedgerConfig, MemoryStore, PosRef, Vendor,
    VendorId,
};
use rust_decimal::Decimal;

/// CPU time of every thread of this process so far, in seconds, from
/// `/proc/self/task/*/schedstat` (nanoseconds on the CPU); None off Linux.
fn process_cpu() -> Option<f64> {
    let mut ns = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        ns += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(ns as f64 / 1e9)
}

async fn run(target: &str, n: u64) -> dcms_core::Result<(f64, Option<f64>)> {
    let store: DynLedgerStore = if target == "memory" {
        Arc::new(MemoryStore::new())
    } else {
        dcms_store::open(&format!("sqlite://{target}?mode=rwc")).await?
    };
    let ledger = Ledger::open(store, LedgerConfig::default()).await?;
    let vendor = Vendor::new(
        VendorId::new("bench")?,
        "Bench",
        Currency::builtin("USD")?,
        chrono_tz::UTC,
    );
    let vendor = ledger.create_vendor(vendor).await?.id;
    let account = ledger.open_account("bench-account").await?.id;
    let total = Decimal::new(663, 2);
    let tendered = Decimal::new(1000, 2);
    let cpu_start = process_cpu();
    let start = Instant::now();
    for i in 0..n {
        let req = CreditChange {
            key: format!("bench/{i}"),
            vendor: vendor.clone(),
            account,
            total,
            tendered,
            pos: PosRef::default(),
        };
        ledger.credit_change(&req).await?;
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    let cpu = process_cpu().zip(cpu_start).map(|(end, begin)| end - begin);
    Ok((rate, cpu))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let target = args.next().unwrap_or_else(|| "memory".into());
    let n: u64 = args.next().map_or(Ok(100_000), |s| s.parse())?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (rate, cpu) = rt.block_on(run(&target, n))?;
    let cpu = cpu.map_or("null".to_string(), |c| format!("{c:.6}"));
    println!(
        "{{\"target\": {target:?}, \"n\": {n}, \"per_second\": {rate:.1}, \"cpu_seconds\": {cpu}}}"
    );
    Ok(())
}
