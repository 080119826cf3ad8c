//! Points keep their currency: spends use the vendor's currency only,
//! transfers name theirs, and reads show each currency apart.

use chrono::Duration;
use rust_decimal::Decimal;

use super::{jpy, usd, Fixture};
use crate::calendar::Month;
use crate::error::Error;
use crate::ids::{AccountRef, PosRef};
use crate::ledger::{new_tx, CreditChange, HoldRequest, Redeem};
use crate::statement::{customer_statements, vendor_statement};
use crate::transaction::{NewTransaction, Posting, TxKind};

/// Credits 370 yen of change (JPY 5000 tendered for 1630) to `f.b`.
async fn credit_yen(f: &Fixture, key: &str) {
    let done = f
        .ledger
        .credit_change(&CreditChange {
            key: key.into(),
            vendor: f.jpy.clone(),
            account: f.b,
            total: Decimal::from(1630),
            tendered: Decimal::from(5000),
            pos: PosRef::default(),
        })
        .await
        .unwrap();
    assert_eq!(done.points, 370);
}

/// The example: yen points are not spent as dollars.
pub(super) async fn cross_currency_spend_refused(f: Fixture) {
    credit_yen(&f, "tokyo/1").await;
    let before = f.ledger.store().all_balances().await.unwrap();
    let spend = f
        .ledger
        .redeem(&Redeem {
            key: "nyc/1".into(),
            vendor: f.usd.clone(),
            account: f.b,
            points: 370,
            pos: PosRef::default(),
        })
        .await;
    match spend {
        Err(Error::InsufficientPoints {
            account,
            currency,
            available,
            requested,
        }) => {
            assert_eq!(
                (account, currency, available, requested),
                (f.b, usd(), 0, 370)
            );
        }
        other => panic!("a yen balance paid a dollar redemption: {other:?}"),
    }
    let message = f
        .ledger
        .hold(&HoldRequest {
            key: "nyc/hold".into(),
            vendor: f.usd.clone(),
            account: f.b,
            points: 1,
            ttl: None,
            pos: PosRef::default(),
        })
        .await
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("USD") && message.contains("no points in this currency"),
        "{message}"
    );
    let transfer = f.ledger.transfer("gift-usd", f.b, f.a, usd(), 10).await;
    assert!(
        matches!(transfer, Err(Error::InsufficientPoints { currency, .. }) if currency == usd()),
        "{transfer:?}"
    );
    assert_eq!(f.ledger.store().all_balances().await.unwrap(), before);
    // The New York shop owes and is owed nothing.
    assert_eq!(f.ledger.vendor_liability(&f.usd).await.unwrap(), 0);
    let nyc = vendor_statement(&f.ledger, &f.usd, Month::new(2026, 3).unwrap())
        .await
        .unwrap();
    assert_eq!(nyc.settlement.map(|s| s.points), Some(0));
    assert_eq!(nyc.currency, usd());

    // Spent where they were earned, they work; a transfer names its currency.
    f.ledger
        .redeem(&Redeem {
            key: "tokyo/spend".into(),
            vendor: f.jpy.clone(),
            account: f.b,
            points: 70,
            pos: PosRef::default(),
        })
        .await
        .unwrap();
    let gift = f
        .ledger
        .transfer("gift-jpy", f.b, f.a, jpy(), 100)
        .await
        .unwrap();
    assert_eq!(gift.tx.currency(), Some(jpy()));
    f.credit_usd("usd-shop/a1", f.a, 663, 1000).await.unwrap();

    let a = f.ledger.balance(f.a).await.unwrap();
    let codes: Vec<String> = a.currencies().map(|c| c.to_string()).collect();
    assert_eq!(codes, ["JPY", "USD"]);
    assert_eq!((a.get(jpy()).available, a.get(usd()).available), (100, 37));
    let b = f.ledger.balance(f.b).await.unwrap();
    assert_eq!(b.get(jpy()).available, 200);
    assert_eq!(b.get(usd()).available, 0);
    assert_eq!(f.ledger.vendor_liability(&f.jpy).await.unwrap(), 300);
    assert_eq!(f.ledger.vendor_liability(&f.usd).await.unwrap(), 37);

    // History in every currency, newest first, each line with its own.
    let all = f.ledger.history(f.a, None, None, 10).await.unwrap();
    let seen: Vec<(TxKind, String)> = all
        .items
        .iter()
        .map(|t| (t.kind, t.currency().unwrap().to_string()))
        .collect();
    assert_eq!(
        seen,
        [
            (TxKind::ChangeCredit, "USD".to_string()),
            (TxKind::Transfer, "JPY".to_string())
        ]
    );
    let one = f.ledger.history(f.a, None, None, 1).await.unwrap();
    let next = f
        .ledger
        .history(f.a, None, one.next.clone(), 1)
        .await
        .unwrap();
    assert_eq!(
        (one.items[0].id, next.items[0].id, next.next.is_none()),
        (all.items[0].id, all.items[1].id, true)
    );
    let yen_only = f.ledger.history(f.a, Some(jpy()), None, 10).await.unwrap();
    assert_eq!(yen_only.items.len(), 1);

    // A customer statement has one section per currency.
    let sections =
        customer_statements(&f.ledger, f.a, Month::new(2026, 3).unwrap(), chrono_tz::UTC)
            .await
            .unwrap();
    let summary: Vec<(String, i64)> = sections
        .iter()
        .map(|s| (s.currency.to_string(), s.closing))
        .collect();
    assert_eq!(summary, [("JPY".to_string(), 100), ("USD".to_string(), 37)]);
    assert!(sections[0].object_key("csv").ends_with("2026-03-JPY.csv"));

    // Program accounts are per currency too.
    assert_eq!(
        f.ledger
            .store()
            .account_balance(&AccountRef::Vendor(f.jpy.clone(), jpy()))
            .await
            .unwrap(),
        -300
    );
    f.assert_verified().await;
}

/// An expired hold's points are available at once, before any release.
pub(super) async fn expired_holds_free_themselves(f: Fixture) {
    f.fund(f.a, 300).await;
    let hold = f
        .ledger
        .hold(&HoldRequest {
            key: "h1".into(),
            vendor: f.usd.clone(),
            account: f.a,
            points: 100,
            ttl: Some(Duration::minutes(10)),
            pos: PosRef::default(),
        })
        .await
        .unwrap();
    let b = f.ledger.balance_in(f.a, usd()).await.unwrap();
    assert_eq!((b.available, b.held), (200, 100));
    f.clock.advance(Duration::minutes(11));
    // Nothing released yet, but the balance already counts the points.
    assert!(f
        .ledger
        .store()
        .closed_by(hold.tx.id)
        .await
        .unwrap()
        .is_none());
    let b = f.ledger.balance_in(f.a, usd()).await.unwrap();
    assert_eq!((b.available, b.held), (300, 0));
    // And a spend of all of it succeeds (releasing the hold first).
    f.ledger
        .redeem(&Redeem {
            key: "all".into(),
            vendor: f.usd.clone(),
            account: f.a,
            points: 300,
            pos: PosRef::default(),
        })
        .await
        .unwrap();
    let b = f.ledger.balance_in(f.a, usd()).await.unwrap();
    assert_eq!((b.available, b.held), (0, 0));
    assert!(f
        .ledger
        .store()
        .closed_by(hold.tx.id)
        .await
        .unwrap()
        .is_some());
    // A hold in another currency is not released for a dollar spend.
    credit_yen(&f, "tokyo/h").await;
    f.ledger
        .hold(&HoldRequest {
            key: "h2".into(),
            vendor: f.jpy.clone(),
            account: f.b,
            points: 370,
            ttl: Some(Duration::minutes(1)),
            pos: PosRef::default(),
        })
        .await
        .unwrap();
    f.clock.advance(Duration::minutes(2));
    assert!(matches!(
        f.ledger.transfer("t-usd", f.b, f.a, usd(), 1).await,
        Err(Error::InsufficientPoints { .. })
    ));
    assert_eq!(
        f.ledger.balance_in(f.b, jpy()).await.unwrap().available,
        370
    );
    f.assert_verified().await;
}

/// A transaction appended to the store directly, with the legs given.
fn raw_transaction(f: &Fixture, key: &str, postings: Vec<Posting>) -> NewTransaction {
    let mut tx = new_tx(
        key,
        format!("raw/{key}"),
        TxKind::Adjustment,
        f.now(),
        postings,
    );
    tx.memo = Some("conformance".into());
    tx
}

/// The store itself refuses legs that mix currencies or do not sum to zero,
/// whoever calls it (the ledger leaves this check to the store), and writes
/// nothing.
pub(super) async fn store_refuses_bad_legs(f: Fixture) {
    f.fund(f.a, 50).await;
    let store = f.ledger.store();
    let sorted_balances = || async {
        let mut all = store.all_balances().await.unwrap();
        all.sort_by_key(|(account, _)| account.to_string());
        all
    };
    let balances = sorted_balances().await;
    let leg = |account, points| Posting { account, points };
    let bad: Vec<(&str, Vec<Posting>)> = vec![
        (
            "mixed currencies",
            vec![
                leg(AccountRef::Customer(f.a, usd()), -10),
                leg(AccountRef::Adjustments(jpy()), 10),
            ],
        ),
        (
            "not summing to zero",
            vec![
                leg(AccountRef::Customer(f.a, usd()), 10),
                leg(AccountRef::Adjustments(usd()), -9),
            ],
        ),
        (
            "one account twice",
            vec![
                leg(AccountRef::Customer(f.a, usd()), 10),
                leg(AccountRef::Customer(f.a, usd()), -10),
            ],
        ),
        ("no legs", vec![]),
    ];
    for (what, postings) in bad {
        let key = format!("raw/{what}");
        let refused = store.append(raw_transaction(&f, &key, postings)).await;
        assert!(
            matches!(refused, Err(Error::InvalidInput { .. })),
            "the store took legs with {what}: {refused:?}"
        );
        let written = store.transaction_by_key(&key).await.unwrap();
        assert!(written.is_none(), "a refused append ({what}) was written");
    }
    assert_eq!(sorted_balances().await, balances);
    // The same legs in one currency, summing to zero, are taken.
    store
        .append(raw_transaction(
            &f,
            "raw/good",
            vec![
                leg(AccountRef::Customer(f.a, usd()), -10),
                leg(AccountRef::Adjustments(usd()), 10),
            ],
        ))
        .await
        .unwrap();
    f.assert_verified().await;
}
