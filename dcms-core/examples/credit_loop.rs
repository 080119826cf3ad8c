//! Quick timing loop (not a benchmark of record; see benches/).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use dcms_core::*;
use rust_decimal::Decimal;
use std::sync::Arc;
fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let ledger = Ledger::open(Arc::new(MemoryStore::new()), LedgerConfig::default())
            .await
            .unwrap();
        let v = ledger
            .create_vendor(Vendor::new(
                VendorId::new("b").unwrap(),
                "B",
                Currency::builtin("USD").unwrap(),
                chrono_tz::UTC,
            ))
            .await
            .unwrap()
            .id;
        let a = ledger.open_account("a").await.unwrap().id;
        let n: u64 = std::env::var("N")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(300_000);
        let t = std::time::Instant::now();
        for i in 0..n {
            let req = CreditChange {
                key: format!("k/{i}"),
                vendor: v.clone(),
                account: a,
                total: Decimal::new(663, 2),
                tendered: Decimal::new(1000, 2),
                pos: PosRef::default(),
            };
            ledger.credit_change(&req).await.unwrap();
        }
        let e = t.elapsed();
        println!(
            "{:.0} ns/credit, {:.0}/s",
            e.as_nanos() as f64 / n as f64,
            n as f64 / e.as_secs_f64()
        );
    });
}
