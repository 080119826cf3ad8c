//! Per-currency program settings: points per minor unit, and a vendor's
//! currency that never changes under its points.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::Arc;

use dcms_core::calendar::Month;
use dcms_core::ledger::TransferLimits;
use dcms_core::statement::vendor_statement;
use dcms_core::{
    CreditChange, Currency, CurrencyCode, Error, Ledger, LedgerConfig, MemoryStore, PosRef, Vendor,
    VendorId,
};
use rust_decimal::Decimal;

fn code(c: &str) -> CurrencyCode {
    CurrencyCode::new(c).unwrap()
}

#[tokio::test]
async fn points_per_minor_is_set_per_currency() {
    let config = LedgerConfig {
        // Ten points per yen; dollars keep the default of one per cent.
        points_per_minor: BTreeMap::from([(code("JPY"), 10)]),
        ..LedgerConfig::default()
    };
    let ledger = Ledger::open(Arc::new(MemoryStore::new()), config)
        .await
        .unwrap();
    let tokyo = ledger
        .create_vendor(Vendor::new(
            VendorId::new("tokyo").unwrap(),
            "Tokyo",
            Currency::builtin("JPY").unwrap(),
            chrono_tz::Asia::Tokyo,
        ))
        .await
        .unwrap();
    let nyc = ledger
        .create_vendor(Vendor::new(
            VendorId::new("nyc").unwrap(),
            "NYC",
            Currency::builtin("USD").unwrap(),
            chrono_tz::America::New_York,
        ))
        .await
        .unwrap();
    let a = ledger.open_account("a").await.unwrap().id;
    let sale = |key: &str, vendor: &Vendor, total: Decimal, tendered: Decimal| CreditChange {
        key: key.into(),
        vendor: vendor.id.clone(),
        account: a,
        total,
        tendered,
        pos: PosRef::default(),
    };
    let yen = ledger
        .credit_change(&sale(
            "t1",
            &tokyo,
            Decimal::from(1630),
            Decimal::from(5000),
        ))
        .await
        .unwrap();
    assert_eq!(yen.points, 3700);
    let usd = ledger
        .credit_change(&sale(
            "n1",
            &nyc,
            Decimal::new(663, 2),
            Decimal::new(1000, 2),
        ))
        .await
        .unwrap();
    assert_eq!(usd.points, 37);
    let b = ledger.balance(a).await.unwrap();
    assert_eq!(
        (b.get(code("JPY")).available, b.get(code("USD")).available),
        (3700, 37)
    );
    // The Tokyo statement settles 3700 points as 370 yen.
    let month = Month::of(ledger.clock().now().date_naive());
    let st = vendor_statement(&ledger, &tokyo.id, month).await.unwrap();
    let settlement = st.settlement.unwrap();
    assert_eq!((settlement.points, settlement.amount.minor), (3700, 370));
    assert_eq!(settlement.amount.currency.code, code("JPY"));
}

#[tokio::test]
async fn bad_per_currency_settings_are_refused() {
    for config in [
        LedgerConfig {
            points_per_minor: BTreeMap::from([(code("USD"), 0)]),
            ..LedgerConfig::default()
        },
        LedgerConfig {
            transfer_limits: BTreeMap::from([(
                code("USD"),
                TransferLimits {
                    per_transfer: Some(-1),
                    per_day: None,
                },
            )]),
            ..LedgerConfig::default()
        },
        LedgerConfig {
            expiry: Some(dcms_core::ledger::ExpiryPolicy { inactive_months: 0 }),
            ..LedgerConfig::default()
        },
    ] {
        let opened = Ledger::open(Arc::new(MemoryStore::new()), config).await;
        assert!(
            matches!(opened, Err(Error::InvalidInput { .. })),
            "{opened:?}"
        );
    }
}

#[tokio::test]
async fn a_vendors_currency_never_changes() {
    let ledger = Ledger::open(Arc::new(MemoryStore::new()), LedgerConfig::default())
        .await
        .unwrap();
    let v = ledger
        .create_vendor(Vendor::new(
            VendorId::new("nyc").unwrap(),
            "NYC",
            Currency::builtin("USD").unwrap(),
            chrono_tz::America::New_York,
        ))
        .await
        .unwrap();
    let mut moved = v.clone();
    moved.currency = Currency::builtin("EUR").unwrap();
    let refused = ledger.update_vendor(moved).await.unwrap_err();
    assert!(refused.to_string().contains("USD"), "{refused}");
    assert_eq!(
        ledger.vendor(&v.id).await.unwrap().currency.code,
        code("USD")
    );
    // Other settings still change.
    let mut renamed = v.clone();
    renamed.name = "New York".into();
    ledger.update_vendor(renamed).await.unwrap();
    // Transfers and adjustments in a currency the program does not know.
    let a = ledger.open_account("a").await.unwrap().id;
    let b = ledger.open_account("b").await.unwrap().id;
    assert!(matches!(
        ledger.transfer("t", a, b, code("ZZZ"), 1).await,
        Err(Error::UnknownCurrency(_))
    ));
    assert!(matches!(
        ledger.adjust("j", a, code("ZZZ"), 1, "why").await,
        Err(Error::UnknownCurrency(_))
    ));
}
