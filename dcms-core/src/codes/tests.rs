//! The code rules on the in-memory stores: consent, binding, expiry,
//! brute force and reuse.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use rust_decimal::Decimal;

use super::*;
use crate::clock::ManualClock;
use crate::ids::{PosRef, VendorId};
use crate::ledger::{CreditChange, HoldRequest, LedgerConfig, Redeem};
use crate::memory::MemoryStore;
use crate::money::Currency;
use crate::vendor::Vendor;

struct World {
    ledger: Ledger,
    codes: RedemptionCodes,
    clock: Arc<ManualClock>,
    account: CustomerId,
    other: CustomerId,
}

async fn world() -> World {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap(),
    ));
    let ledger = Ledger::open(Arc::new(MemoryStore::new()), LedgerConfig::default())
        .await
        .unwrap()
        .with_clock(clock.clone());
    let usd = Currency::builtin("USD").unwrap();
    let jpy = Currency::builtin("JPY").unwrap();
    for (id, cur) in [("shop", usd), ("tokyo", jpy)] {
        ledger
            .create_vendor(Vendor::new(
                VendorId::new(id).unwrap(),
                id,
                cur,
                chrono_tz::UTC,
            ))
            .await
            .unwrap();
    }
    let account = ledger.open_account("a").await.unwrap().id;
    let other = ledger.open_account("b").await.unwrap().id;
    for (i, acc) in [account, other].into_iter().enumerate() {
        ledger
            .credit_change(&CreditChange {
                key: format!("credit-{i}"),
                vendor: VendorId::new("shop").unwrap(),
                account: acc,
                total: Decimal::new(101, 2),
                tendered: Decimal::new(200, 2),
                pos: PosRef::default(),
            })
            .await
            .unwrap();
    }
    let codes = RedemptionCodes::open(
        &ledger,
        Arc::new(MemoryCodeStore::new()),
        CodeRules::default(),
    )
    .await
    .unwrap();
    World {
        ledger,
        codes,
        clock,
        account,
        other,
    }
}

fn usd() -> CurrencyCode {
    CurrencyCode::new("USD").unwrap()
}

fn redeem(key: &str, account: CustomerId, points: i64) -> Redeem {
    Redeem {
        key: key.into(),
        vendor: VendorId::new("shop").unwrap(),
        account,
        points,
        pos: PosRef::default(),
    }
}

async fn issue(w: &World, key: &str, account: CustomerId, max: i64) -> IssuedCode {
    w.codes
        .issue(
            &w.ledger,
            &CodeRequest {
                key: key.into(),
                account,
                currency: usd(),
                max_points: max,
            },
        )
        .await
        .unwrap()
}

fn code_of(e: Error) -> &'static str {
    e.code()
}

#[tokio::test]
async fn a_code_spends_once_and_a_retry_with_the_same_key_replays() {
    let w = world().await;
    let c = issue(&w, "c1", w.account, 50).await;
    assert_eq!(c.code.len(), CODE_DIGITS);
    let first = w
        .codes
        .redeem(&w.ledger, &redeem("r1", w.account, 40), &c.code)
        .await
        .unwrap();
    assert!(!first.replayed);
    let again = w
        .codes
        .redeem(&w.ledger, &redeem("r1", w.account, 40), &c.code)
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.tx.id, first.tx.id);
    // Reuse under another key is refused and nothing more is spent.
    let reuse = w
        .codes
        .redeem(&w.ledger, &redeem("r2", w.account, 5), &c.code)
        .await
        .unwrap_err();
    assert_eq!(code_of(reuse), "code_refused");
    assert_eq!(
        w.ledger
            .balance_in(w.account, usd())
            .await
            .unwrap()
            .available,
        99 - 40
    );
}

#[tokio::test]
async fn the_same_issuance_key_gives_the_same_code_and_other_terms_conflict() {
    let w = world().await;
    let a = issue(&w, "k", w.account, 50).await;
    let b = issue(&w, "k", w.account, 50).await;
    assert_eq!(a, b);
    let err = w
        .codes
        .issue(
            &w.ledger,
            &CodeRequest {
                key: "k".into(),
                account: w.account,
                currency: usd(),
                max_points: 60,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "idempotency_conflict");
}

#[tokio::test]
async fn a_code_is_bound_to_its_account_currency_and_maximum() {
    let w = world().await;
    let c = issue(&w, "c1", w.account, 30).await;
    // Another account: it has no code, nothing spent.
    let e = w
        .codes
        .redeem(&w.ledger, &redeem("r1", w.other, 10), &c.code)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "code_refused");
    // Above the maximum.
    let e = w
        .codes
        .redeem(&w.ledger, &redeem("r2", w.account, 31), &c.code)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("at most 30"), "{e}");
    // A JPY vendor cannot spend a USD code.
    let mut r = redeem("r3", w.account, 10);
    r.vendor = VendorId::new("tokyo").unwrap();
    let e = w.codes.redeem(&w.ledger, &r, &c.code).await.unwrap_err();
    assert_eq!(e.code(), "code_refused");
    // Still good for a proper spend.
    w.codes
        .redeem(&w.ledger, &redeem("r4", w.account, 30), &c.code)
        .await
        .unwrap();
    assert_eq!(
        w.ledger.balance_in(w.other, usd()).await.unwrap().available,
        99
    );
}

#[tokio::test]
async fn a_code_expires() {
    let w = world().await;
    let c = issue(&w, "c1", w.account, 30).await;
    w.clock.advance(Duration::minutes(5));
    let e = w
        .codes
        .redeem(&w.ledger, &redeem("r1", w.account, 10), &c.code)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("expired"), "{e}");
    assert_eq!(
        w.ledger
            .balance_in(w.account, usd())
            .await
            .unwrap()
            .available,
        99
    );
}

#[tokio::test]
async fn brute_force_kills_the_code_after_five_wrong_tries() {
    let w = world().await;
    let c = issue(&w, "c1", w.account, 30).await;
    let mut wrong = (0..100_000_000u32)
        .map(|n| format!("{n:08}"))
        .filter(|g| *g != c.code);
    for i in 1..=5 {
        let guess = wrong.next().unwrap();
        let e = w
            .codes
            .redeem(&w.ledger, &redeem(&format!("g{i}"), w.account, 10), &guess)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "code_refused");
        if i < 5 {
            assert!(
                e.to_string().contains(&format!("{} tries left", 5 - i)),
                "{e}"
            );
        }
    }
    // Now even the right code is refused.
    let e = w
        .codes
        .redeem(&w.ledger, &redeem("right", w.account, 10), &c.code)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no longer valid"), "{e}");
    assert_eq!(
        w.ledger
            .balance_in(w.account, usd())
            .await
            .unwrap()
            .available,
        99
    );
}

#[tokio::test]
async fn a_new_code_kills_the_old_one() {
    let w = world().await;
    let old = issue(&w, "c1", w.account, 30).await;
    let new = issue(&w, "c2", w.account, 30).await;
    assert_ne!(old.code, new.code);
    let e = w
        .codes
        .redeem(&w.ledger, &redeem("r1", w.account, 10), &old.code)
        .await;
    assert!(e.is_err());
    w.codes
        .redeem(&w.ledger, &redeem("r2", w.account, 10), &new.code)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_failed_write_gives_the_code_back_and_a_hold_spends_it() {
    let w = world().await;
    let c = issue(&w, "c1", w.account, 500).await;
    let e = w
        .codes
        .redeem(&w.ledger, &redeem("r1", w.account, 200), &c.code)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "insufficient_points");
    let hold = HoldRequest {
        key: "h1".into(),
        vendor: VendorId::new("shop").unwrap(),
        account: w.account,
        points: 60,
        ttl: None,
        pos: PosRef::default(),
    };
    let held = w.codes.hold(&w.ledger, &hold, &c.code).await.unwrap();
    assert_eq!(
        w.ledger.balance_in(w.account, usd()).await.unwrap().held,
        60
    );
    w.ledger.capture("cap", held.tx.id, None).await.unwrap();
    let e = w
        .codes
        .hold(
            &w.ledger,
            &HoldRequest {
                key: "h2".into(),
                ..hold
            },
            &c.code,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "code_refused");
}

#[tokio::test]
async fn codes_spread_over_the_whole_space() {
    let w = world().await;
    let mut seen = std::collections::HashSet::new();
    let mut first_digits = [0u32; 10];
    for i in 0..500 {
        let c = issue(&w, &format!("k{i}"), w.account, 10).await;
        first_digits[usize::from(c.code.as_bytes()[0] - b'0')] += 1;
        assert!(seen.insert(c.code));
    }
    // Each leading digit about 50 times out of 500; none is missing.
    assert!(
        first_digits.iter().all(|n| (15..=100).contains(n)),
        "{first_digits:?}"
    );
}

#[tokio::test]
async fn malformed_codes_are_invalid_input_and_do_not_count() {
    let w = world().await;
    let c = issue(&w, "c1", w.account, 30).await;
    for bad in ["", "1234567", "123456789", "abcdefgh", " 1234567"] {
        let e = w
            .codes
            .redeem(&w.ledger, &redeem("r", w.account, 10), bad)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "invalid_input", "{bad:?}");
    }
    w.codes
        .redeem(&w.ledger, &redeem("r", w.account, 10), &c.code)
        .await
        .unwrap();
}
