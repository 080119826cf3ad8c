//! Change credits called in-process through `Ledger` on a store, with the
//! same concurrency and store options as the server: the rate the HTTP
//! figures in `benches/README.md` are compared with.
//!
//! `cargo run --release -p dcms-server --example inproc -- URL SECONDS CONCURRENCY`

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dcms_core::{CreditChange, Currency, Ledger, LedgerConfig, PosRef, Vendor, VendorId};
use dcms_store::{GroupCommit, StoreOptions};
use rust_decimal::Decimal;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .ok_or("usage: inproc URL SECONDS CONCURRENCY")?
        .clone();
    let secs: u64 = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(20);
    let conc: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(64);
    let mut options = StoreOptions::default();
    if !url.starts_with("sqlite") {
        options = options.with_group_commit(Some(GroupCommit::default()));
    }
    let store = dcms_store::open_with(&url, options).await?;
    let ledger = Ledger::open(store, LedgerConfig::default()).await?;
    let vendor = VendorId::new("inproc-shop")?;
    let v = Vendor::new(
        vendor.clone(),
        "In-process shop",
        Currency::builtin("USD")?,
        chrono_tz::UTC,
    );
    match ledger.create_vendor(v).await {
        Ok(_) | Err(dcms_core::Error::DuplicateVendor(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let account = ledger.open_account("inproc-account").await?.id;
    let done = Arc::new(AtomicU64::new(0));
    let run = format!("{}", std::process::id());
    let start = Instant::now();
    let deadline = start + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for t in 0..conc {
        let (ledger, vendor, done, run) =
            (ledger.clone(), vendor.clone(), done.clone(), run.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = 0u64;
            while Instant::now() < deadline {
                let req = CreditChange {
                    key: format!("inproc-{run}-{t}-{i}"),
                    vendor: vendor.clone(),
                    account,
                    total: Decimal::new(663, 2),
                    tendered: Decimal::new(1000, 2),
                    pos: PosRef::default(),
                };
                if ledger.credit_change(&req).await.is_ok() {
                    done.fetch_add(1, Ordering::Relaxed);
                }
                i += 1;
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let n = done.load(Ordering::Relaxed);
    let rate = n as f64 / start.elapsed().as_secs_f64();
    println!(
        "inproc {url_kind}: {n} credits in {secs} s with {conc} tasks: {rate:.0} credits/s",
        url_kind = url.split(':').next().unwrap_or("?")
    );
    Ok(())
}
