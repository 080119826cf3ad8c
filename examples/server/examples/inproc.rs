//! Change credits called in-process through `Ledger` on a store, with the
//! same concurrency and store options as the server: the rate the HTTP
//! figures in `benches/README.md` are compared with. Like the wrk script,
//! half the tasks are tills of a USD vendor and half of a JPY vendor, and
//! the credits go round ACCOUNTS customer accounts.
//!
//! `cargo run --release -p dcms-server --example inproc -- URL SECONDS CONCURRENCY ACCOUNTS`

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
        .ok_or("usage: inproc URL SECONDS CONCURRENCY ACCOUNTS")?
        .clone();
    let secs: u64 = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(20);
    let conc: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(64);
    let n_accounts: usize = args.get(4).map(|s| s.parse()).transpose()?.unwrap_or(1000);
    let mut options = StoreOptions::default();
    if !url.starts_with("sqlite") {
        options = options.with_group_commit(Some(GroupCommit::default()));
    }
    let store = dcms_store::open_with(&url, options).await?;
    let ledger = Ledger::open(store, LedgerConfig::default()).await?;
    // (vendor, total, tendered): the wrk script's two tills.
    let tills = [
        (
            "inproc-usd",
            "USD",
            Decimal::new(663, 2),
            Decimal::new(1000, 2),
        ),
        (
            "inproc-jpy",
            "JPY",
            Decimal::from(1630),
            Decimal::from(5000),
        ),
    ];
    for (id, currency, _, _) in &tills {
        let v = Vendor::new(
            VendorId::new(*id)?,
            *id,
            Currency::builtin(currency)?,
            chrono_tz::UTC,
        );
        match ledger.create_vendor(v).await {
            Ok(_) | Err(dcms_core::Error::DuplicateVendor(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let mut accounts = Vec::new();
    for i in 0..n_accounts.max(1) {
        accounts.push(
            ledger
                .open_account(&format!("inproc-account-{i}"))
                .await?
                .id,
        );
    }
    let accounts = Arc::new(accounts);
    let done = Arc::new(AtomicU64::new(0));
    let run = format!("{}", std::process::id());
    let start = Instant::now();
    let deadline = start + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for t in 0..conc {
        let (ledger, done, run, accounts) =
            (ledger.clone(), done.clone(), run.clone(), accounts.clone());
        let (id, _, total, tendered) = tills[t % tills.len()];
        let vendor = VendorId::new(id)?;
        tasks.push(tokio::spawn(async move {
            let mut i = 0usize;
            while Instant::now() < deadline {
                let req = CreditChange {
                    key: format!("inproc-{run}-{t}-{i}"),
                    vendor: vendor.clone(),
                    // Tasks start at different accounts, as wrk's threads do.
                    account: accounts[(i + t * 7919) % accounts.len()],
                    total,
                    tendered,
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
