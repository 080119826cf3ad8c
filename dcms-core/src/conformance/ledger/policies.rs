//! The program's policies: transfer limits (checked atomically by the
//! store) and expiry of points on inactive accounts.

use std::collections::BTreeMap;

use chrono::{Duration, TimeZone, Utc};
use futures::future::join_all;

use super::{jpy, usd, Fixture};
use crate::calendar::Month;
use crate::error::Error;
use crate::ledger::{ExpiryPolicy, Ledger, LedgerConfig, TransferLimits};
use crate::statement::customer_statement;
use crate::transaction::TxKind;

/// The fixture's store and clock under another program configuration.
async fn ledger_with(f: &Fixture, config: LedgerConfig) -> Ledger {
    Ledger::open(f.ledger.store().clone(), config)
        .await
        .unwrap()
        .with_clock(f.clock.clone())
}

/// Per transfer 50 USD points, per day 100; 16 concurrent transfers of 10
/// from one account pass the daily limit by no point.
pub(super) async fn transfer_limits(f: Fixture) {
    let config = LedgerConfig {
        transfer_limits: BTreeMap::from([(
            usd(),
            TransferLimits {
                per_transfer: Some(50),
                per_day: Some(100),
            },
        )]),
        time_zone: chrono_tz::America::New_York,
        ..LedgerConfig::default()
    };
    let ledger = ledger_with(&f, config).await;
    f.fund(f.a, 500).await;
    f.fund(f.b, 100).await;
    let before = ledger.store().all_balances().await.unwrap();
    match ledger.transfer("big", f.a, f.b, usd(), 51).await {
        Err(Error::LimitExceeded { limit, cap, .. }) => {
            assert_eq!((limit, cap), ("per-transfer", 50))
        }
        other => panic!("a transfer above the per-transfer limit: {other:?}"),
    }
    assert_eq!(ledger.store().all_balances().await.unwrap(), before);

    let ledger = &ledger;
    let attempts = join_all((0..16).map(|i| {
        let (a, b) = (f.a, f.b);
        async move { ledger.transfer(&format!("c-{i}"), a, b, usd(), 10).await }
    }))
    .await;
    let passed = attempts.iter().filter(|r| r.is_ok()).count();
    for r in &attempts {
        if let Err(e) = r {
            assert!(
                matches!(
                    e,
                    Error::LimitExceeded {
                        limit: "per-day transfer",
                        ..
                    }
                ),
                "{e}"
            );
        }
    }
    assert_eq!(
        passed, 10,
        "16 concurrent transfers of 10 under a daily limit of 100"
    );
    assert_eq!(ledger.balance_in(f.a, usd()).await.unwrap().available, 400);
    // Points received do not count against the receiver's own limit.
    ledger.transfer("back", f.b, f.a, usd(), 50).await.unwrap();
    // A retry of an acknowledged transfer replays, limit or not.
    assert!(ledger.transfer("c-0", f.a, f.b, usd(), 10).await.is_ok() || passed < 16);
    // Limits are per currency: yen transfers have none here.
    assert!(matches!(
        ledger.transfer("more", f.a, f.b, usd(), 1).await,
        Err(Error::LimitExceeded { remaining: 0, .. })
    ));
    // The next day in New York, the limit starts again.
    f.clock.advance(Duration::days(1));
    ledger
        .transfer("tomorrow", f.a, f.b, usd(), 50)
        .await
        .unwrap();
    f.assert_verified().await;
}

/// Points expire after 12 months without activity, once, per currency.
pub(super) async fn expiry_policy(f: Fixture) {
    let config = LedgerConfig {
        expiry: Some(ExpiryPolicy {
            inactive_months: 12,
        }),
        ..LedgerConfig::default()
    };
    let ledger = ledger_with(&f, config).await;
    // 2026-03-14: A earns dollars, B yen.
    f.fund(f.a, 120).await;
    f.ledger
        .credit_change(&crate::ledger::CreditChange {
            key: "tokyo/1".into(),
            vendor: f.jpy.clone(),
            account: f.b,
            total: rust_decimal::Decimal::from(1630),
            tendered: rust_decimal::Decimal::from(5000),
            pos: crate::ids::PosRef::default(),
        })
        .await
        .unwrap();
    // Eleven months later B moves (a small transfer out of its yen).
    f.clock.advance(Duration::days(330));
    ledger
        .transfer("b-active", f.b, f.a, jpy(), 70)
        .await
        .unwrap();

    let as_of = Utc.with_ymd_and_hms(2027, 3, 20, 12, 0, 0).unwrap();
    let soon = ledger
        .expiring_within(as_of - Duration::days(30), Duration::days(30))
        .await
        .unwrap();
    let listed: Vec<(crate::ids::CustomerId, String, i64)> = soon
        .iter()
        .map(|e| (e.customer, e.currency.to_string(), e.points))
        .collect();
    assert_eq!(listed, [(f.a, "USD".to_string(), 120)]);
    assert_eq!(
        soon[0].expires_at,
        Utc.with_ymd_and_hms(2027, 3, 14, 15, 0, 0).unwrap()
    );

    // The run writes at the ledger's clock: move it to `as_of`.
    f.clock.advance(as_of - f.now());
    // Two runs at once, then a third: A's dollars expire exactly once. Its
    // yen (received 11 months in) and B's yen are recent.
    let (one, two) = tokio::join!(ledger.expire_inactive(as_of), ledger.expire_inactive(as_of));
    let (one, two) = (one.unwrap(), two.unwrap());
    assert_eq!(one.expired + two.expired, 1, "{one:?} {two:?}");
    let three = ledger.expire_inactive(as_of).await.unwrap();
    assert_eq!(three.expired, 0);
    let a = ledger.balance(f.a).await.unwrap();
    assert_eq!((a.get(usd()).available, a.get(jpy()).available), (0, 70));
    assert_eq!(ledger.balance_in(f.b, jpy()).await.unwrap().available, 300);
    assert_eq!(
        ledger
            .store()
            .account_balance(&crate::ids::AccountRef::Breakage(usd()))
            .await
            .unwrap(),
        120
    );
    // The statement of March 2027 shows the expiry.
    let march = customer_statement(
        &ledger,
        f.a,
        usd(),
        Month::new(2027, 3).unwrap(),
        chrono_tz::UTC,
    )
    .await
    .unwrap();
    let expired: Vec<(TxKind, i64)> = march.totals.iter().map(|t| (t.kind, t.points)).collect();
    assert_eq!(expired, [(TxKind::Expiry, -120)]);
    // Without a policy nothing ever expires.
    assert_eq!(
        f.ledger
            .expire_inactive(as_of + Duration::days(3650))
            .await
            .unwrap()
            .expired,
        0
    );
    f.assert_verified().await;
}
