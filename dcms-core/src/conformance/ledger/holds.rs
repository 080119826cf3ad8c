//! Two-phase redemption: hold, capture in full or in part, void, expiry.

use chrono::Duration;

use super::usd;
use super::Fixture;
use crate::error::Error;
use crate::ids::{AccountRef, PosRef};
use crate::ledger::HoldRequest;
use crate::transaction::TxKind;

fn hold(f: &Fixture, key: &str, points: i64, ttl_minutes: i64) -> HoldRequest {
    HoldRequest {
        key: key.into(),
        vendor: f.usd.clone(),
        account: f.a,
        points,
        ttl: Some(Duration::minutes(ttl_minutes)),
        pos: PosRef {
            store_id: Some("s1".into()),
            terminal_id: Some("t2".into()),
            receipt_no: None,
        },
    }
}

pub(super) async fn holds(f: Fixture) {
    f.fund(f.a, 300).await;
    let h = f.ledger.hold(&hold(&f, "h1", 100, 10)).await.unwrap();
    assert_eq!(h.tx.kind, TxKind::Hold);
    let b = f.ledger.balance_in(f.a, usd()).await.unwrap();
    assert_eq!((b.available, b.held), (200, 100));
    // More than is available cannot be held.
    assert!(matches!(
        f.ledger.hold(&hold(&f, "h2", 201, 10)).await,
        Err(Error::InsufficientPoints { .. })
    ));
    assert!(
        f.ledger
            .hold(&hold(&f, "h1", 100, 10))
            .await
            .unwrap()
            .replayed
    );

    // Capture 60 of 100: 60 to the vendor, 40 back.
    let c = f.ledger.capture("cap1", h.tx.id, Some(60)).await.unwrap();
    assert_eq!(c.tx.kind, TxKind::HoldCapture);
    assert_eq!(c.tx.closes, Some(h.tx.id));
    let b = f.ledger.balance_in(f.a, usd()).await.unwrap();
    assert_eq!((b.available, b.held), (240, 0));
    assert_eq!(f.ledger.vendor_liability(&f.usd).await.unwrap(), 240);
    assert!(
        f.ledger
            .capture("cap1", h.tx.id, Some(60))
            .await
            .unwrap()
            .replayed
    );
    let again = f.ledger.capture("cap2", h.tx.id, Some(10)).await;
    assert!(matches!(again, Err(Error::HoldNotOpen { .. })), "{again:?}");
    assert!(matches!(
        f.ledger.void_hold("v0", h.tx.id).await,
        Err(Error::HoldNotOpen { .. })
    ));

    // A capture can be refunded by reversal.
    f.ledger
        .reverse("rvc", c.tx.id, "returned goods")
        .await
        .unwrap();
    assert_eq!(
        f.ledger.balance_in(f.a, usd()).await.unwrap().available,
        300
    );

    // Capture more than held is refused; a full capture takes all.
    let h3 = f.ledger.hold(&hold(&f, "h3", 50, 10)).await.unwrap();
    assert!(matches!(
        f.ledger.capture("cap3", h3.tx.id, Some(51)).await,
        Err(Error::InvalidInput { .. })
    ));
    f.ledger.capture("cap4", h3.tx.id, None).await.unwrap();
    assert_eq!(
        f.ledger.balance_in(f.a, usd()).await.unwrap().available,
        250
    );
    f.ledger
        .reverse(
            "rvc2",
            f.ledger
                .store()
                .transaction_by_key("cap4")
                .await
                .unwrap()
                .unwrap()
                .id,
            "refund",
        )
        .await
        .unwrap();
    assert_eq!(
        f.ledger.balance_in(f.a, usd()).await.unwrap().available,
        300
    );

    // Void returns everything.
    let h4 = f.ledger.hold(&hold(&f, "h4", 70, 10)).await.unwrap();
    f.ledger.void_hold("void4", h4.tx.id).await.unwrap();
    let b = f.ledger.balance_in(f.a, usd()).await.unwrap();
    assert_eq!((b.available, b.held), (300, 0));
    // A hold is settled, not reversed; a non-hold cannot be captured.
    assert!(matches!(
        f.ledger.reverse("rvh", h4.tx.id, "x").await,
        Err(Error::NotReversible { .. })
    ));
    let any_credit = f.credit_usd("c-x", f.a, 90, 100).await.unwrap().tx.unwrap();
    assert!(matches!(
        f.ledger.capture("cap5", any_credit.id, None).await,
        Err(Error::HoldNotOpen { .. })
    ));
    assert_eq!(
        f.ledger
            .store()
            .account_balance(&AccountRef::Holds(usd()))
            .await
            .unwrap(),
        0
    );
    f.assert_verified().await;
}

pub(super) async fn hold_expiry(f: Fixture) {
    f.fund(f.a, 100).await;
    let h1 = f.ledger.hold(&hold(&f, "e1", 40, 5)).await.unwrap();
    let h2 = f.ledger.hold(&hold(&f, "e2", 30, 60)).await.unwrap();
    assert_eq!(f.ledger.balance_in(f.a, usd()).await.unwrap().held, 70);
    f.clock.advance(Duration::minutes(6));
    let now = f.now();
    let expired = f.ledger.store().expired_holds(now, 10).await.unwrap();
    assert_eq!(
        expired.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![h1.tx.id]
    );
    // A capture after expiry is refused and releases the hold.
    let e = f.ledger.capture("late", h1.tx.id, None).await.unwrap_err();
    assert!(
        matches!(&e, Error::HoldNotOpen { state, .. } if state == "expired"),
        "{e:?}"
    );
    assert_eq!(f.ledger.balance_in(f.a, usd()).await.unwrap().held, 30);
    assert_eq!(f.ledger.release_expired_holds().await.unwrap(), 0);
    // Spending more than is available releases expired holds first.
    f.clock.advance(Duration::minutes(60));
    // The expired hold counts as available before its release is written.
    let b = f.ledger.balance_in(f.a, usd()).await.unwrap();
    assert_eq!((b.available, b.held), (100, 0));
    let stored = f.ledger.store().balance(f.a).await.unwrap().get(usd());
    assert_eq!((stored.available, stored.held), (70, 30));
    f.ledger
        .transfer("t-all", f.a, f.b, usd(), 100)
        .await
        .unwrap();
    let b = f.ledger.balance_in(f.a, usd()).await.unwrap();
    assert_eq!((b.available, b.held), (0, 0));
    let release = f.ledger.store().closed_by(h2.tx.id).await.unwrap().unwrap();
    assert_eq!(
        f.ledger.transaction(release).await.unwrap().kind,
        TxKind::HoldRelease
    );
    assert!(f
        .ledger
        .store()
        .expired_holds(f.now(), 10)
        .await
        .unwrap()
        .is_empty());
    f.assert_verified().await;
}
