//! The ledger's vendor cache: own changes apply at once, another process's
//! within the configured time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use dcms_core::*;

#[tokio::test]
async fn vendor_changes_reach_every_ledger_within_the_ttl() {
    let store: DynLedgerStore = Arc::new(MemoryStore::new());
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0).unwrap(),
    ));
    let here = Ledger::open(store.clone(), LedgerConfig::default())
        .await
        .unwrap()
        .with_clock(clock.clone());
    let there = Ledger::open(store, LedgerConfig::default())
        .await
        .unwrap()
        .with_clock(clock.clone());
    let usd = Currency::builtin("USD").unwrap();
    let v = here
        .create_vendor(Vendor::new(
            VendorId::new("v").unwrap(),
            "V",
            usd,
            chrono_tz::UTC,
        ))
        .await
        .unwrap();
    assert_eq!(
        here.vendor(&v.id).await.unwrap().policy,
        ChangePolicy::CoinPart
    );
    assert_eq!(
        there.vendor(&v.id).await.unwrap().policy,
        ChangePolicy::CoinPart
    );

    let mut changed = v.clone();
    changed.policy = ChangePolicy::AllChange;
    there.update_vendor(changed).await.unwrap();
    // The ledger that made the change sees it at once ...
    assert_eq!(
        there.vendor(&v.id).await.unwrap().policy,
        ChangePolicy::AllChange
    );
    // ... another one within the TTL (5 s by default).
    clock.advance(Duration::seconds(6));
    assert_eq!(
        here.vendor(&v.id).await.unwrap().policy,
        ChangePolicy::AllChange
    );

    // A TTL of zero reads the store every time.
    let config = LedgerConfig {
        vendor_cache_ttl: Duration::zero(),
        ..LedgerConfig::default()
    };
    let fresh = Ledger::open(here.store().clone(), config).await.unwrap();
    let mut back = v.clone();
    back.policy = ChangePolicy::Nothing;
    there.update_vendor(back).await.unwrap();
    assert_eq!(
        fresh.vendor(&v.id).await.unwrap().policy,
        ChangePolicy::Nothing
    );
}
