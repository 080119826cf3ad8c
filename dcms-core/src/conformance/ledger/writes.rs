//! Credits, redemptions, transfers, adjustments, expiry, reversals, caps.

use rust_decimal::Decimal;

use super::Fixture;
use super::{jpy, usd};
use crate::error::Error;
use crate::ids::{AccountRef, CustomerId, PosRef, VendorId};
use crate::ledger::{CreditChange, Redeem};
use crate::transaction::TxKind;

fn redeem(f: &Fixture, key: &str, account: CustomerId, points: i64) -> Redeem {
    Redeem {
        key: key.into(),
        vendor: f.usd.clone(),
        account,
        points,
        pos: PosRef::default(),
    }
}

pub(super) async fn credit_and_replay(f: Fixture) {
    // USD 10.00 - 6.63: hand back 3.00, credit 0.37.
    let r = f.credit_usd("usd-shop/r1", f.a, 663, 1000).await.unwrap();
    assert_eq!(r.points, 37);
    assert!(!r.replayed);
    assert_eq!(r.quote.hand_back.minor, 300);
    let tx = r.tx.clone().unwrap();
    assert_eq!(tx.kind, TxKind::ChangeCredit);
    assert_eq!(tx.vendor.as_ref(), Some(&f.usd));
    assert_eq!(tx.pos.terminal_id.as_deref(), Some("t1"));
    assert_eq!(tx.balance_after(f.a), Some(37));
    assert_eq!(tx.postings.iter().map(|p| p.points).sum::<i64>(), 0);
    assert_eq!(tx.cash.unwrap().tendered.minor, 1000);
    assert_eq!(f.ledger.balance_in(f.a, usd()).await.unwrap().available, 37);
    assert_eq!(f.ledger.vendor_liability(&f.usd).await.unwrap(), 37);

    // The same key and request: the first result, nothing new.
    let again = f.credit_usd("usd-shop/r1", f.a, 663, 1000).await.unwrap();
    assert!(again.replayed);
    assert_eq!(again.tx.unwrap().id, tx.id);
    assert_eq!(f.ledger.balance_in(f.a, usd()).await.unwrap().available, 37);
    // The same key, another request: a conflict, nothing new.
    let conflict = f.credit_usd("usd-shop/r1", f.a, 600, 1000).await;
    assert!(
        matches!(conflict, Err(Error::IdempotencyConflict { .. })),
        "{conflict:?}"
    );
    assert_eq!(f.ledger.balance_in(f.a, usd()).await.unwrap().available, 37);
    assert_eq!(
        f.ledger
            .store()
            .transaction_by_key("usd-shop/r1")
            .await
            .unwrap()
            .unwrap()
            .id,
        tx.id
    );

    // JPY 5000 - 1630: credit 370 yen as 370 points, hand back 3000.
    let yen = f
        .ledger
        .credit_change(&CreditChange {
            key: "jpy-shop/1".into(),
            vendor: f.jpy.clone(),
            account: f.b,
            total: Decimal::from(1630),
            tendered: Decimal::from(5000),
            pos: PosRef::default(),
        })
        .await
        .unwrap();
    assert_eq!((yen.points, yen.quote.hand_back.minor), (370, 3000));
    // Yen change is yen points: none of it is in dollars.
    assert_eq!(
        f.ledger.balance_in(f.b, jpy()).await.unwrap().available,
        370
    );
    assert_eq!(f.ledger.balance_in(f.b, usd()).await.unwrap().available, 0);

    // Exact tender: nothing to credit, nothing written.
    let exact = f.credit_usd("usd-shop/r2", f.a, 500, 500).await.unwrap();
    assert_eq!((exact.points, exact.tx.is_none()), (0, true));
    f.assert_verified().await;
}

pub(super) async fn refusals_change_nothing(f: Fixture) {
    f.credit_usd("seed", f.a, 663, 1000).await.unwrap();
    let before = f.ledger.store().all_balances().await.unwrap();
    let stranger = (10000..)
        .map(CustomerId::from_payload)
        .find(|c| *c != f.a && *c != f.b)
        .unwrap();
    let errors = vec![
        f.credit_usd("x1", stranger, 663, 1000).await.map(|_| ()),
        f.credit_usd("x2", f.a, 1000, 663).await.map(|_| ()),
        f.ledger
            .credit_change(&CreditChange {
                key: "x3".into(),
                vendor: f.usd.clone(),
                account: f.a,
                total: Decimal::new(6631, 3),
                tendered: Decimal::from(10),
                pos: PosRef::default(),
            })
            .await
            .map(|_| ()),
        f.ledger
            .credit_change(&CreditChange {
                key: "x4".into(),
                vendor: VendorId::new("nobody").unwrap(),
                account: f.a,
                total: Decimal::from(1),
                tendered: Decimal::from(2),
                pos: PosRef::default(),
            })
            .await
            .map(|_| ()),
        f.ledger
            .redeem(&redeem(&f, "x5", f.a, 38))
            .await
            .map(|_| ()),
        f.ledger.redeem(&redeem(&f, "x6", f.a, 0)).await.map(|_| ()),
        f.ledger
            .redeem(&redeem(&f, "x7", f.a, -5))
            .await
            .map(|_| ()),
        f.ledger
            .transfer("x8", f.a, f.b, usd(), 1000)
            .await
            .map(|_| ()),
        f.ledger
            .transfer("x9", f.a, f.a, usd(), 1)
            .await
            .map(|_| ()),
        f.ledger
            .transfer("x10", f.a, stranger, usd(), 1)
            .await
            .map(|_| ()),
        f.ledger
            .expire("x11", f.b, usd(), 1, "old")
            .await
            .map(|_| ()),
        f.ledger.adjust("x12", f.a, usd(), 5, "").await.map(|_| ()),
        f.ledger
            .reverse("x13", crate::TxId(999_999), "typo")
            .await
            .map(|_| ()),
        f.ledger
            .transfer("x14 ", f.a, f.b, usd(), 1)
            .await
            .map(|_| ()),
        f.ledger.transfer("", f.a, f.b, usd(), 1).await.map(|_| ()),
    ];
    let codes: Vec<&str> = errors
        .iter()
        .map(|e| e.as_ref().err().map(Error::code).unwrap_or("OK"))
        .collect();
    assert_eq!(
        codes,
        vec![
            "unknown_account",
            "insufficient_cash",
            "invalid_amount",
            "unknown_vendor",
            "insufficient_points",
            "invalid_input",
            "invalid_input",
            "insufficient_points",
            "invalid_input",
            "unknown_account",
            "insufficient_points",
            "invalid_input",
            "unknown_transaction",
            "invalid_input",
            "invalid_input",
        ]
    );
    if let Err(Error::InsufficientPoints {
        available,
        requested,
        ..
    }) = &errors[4]
    {
        assert_eq!((*available, *requested), (37, 38));
    }
    assert_eq!(f.ledger.store().all_balances().await.unwrap(), before);
    for key in ["x1", "x5", "x8", "x10", "x11"] {
        assert!(
            f.ledger
                .store()
                .transaction_by_key(key)
                .await
                .unwrap()
                .is_none(),
            "{key} was written"
        );
    }
    f.assert_verified().await;
}

pub(super) async fn caps(f: Fixture) {
    let mut v = f.ledger.vendor(&f.usd).await.unwrap();
    v.per_credit_cap = Some(50);
    v.per_day_cap = Some(100);
    f.ledger.update_vendor(v).await.unwrap();
    // 0.63 > 50: refused before anything is written.
    let e = f.credit_usd("c1", f.a, 37, 100).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::LimitExceeded {
                limit: "per-credit",
                cap: 50,
                requested: 63,
                ..
            }
        ),
        "{e:?}"
    );
    f.credit_usd("c2", f.a, 60, 100).await.unwrap(); // 40
    f.credit_usd("c3", f.a, 60, 100).await.unwrap(); // 80
    let e = f.credit_usd("c4", f.a, 70, 100).await.unwrap_err(); // 30 > 20 left
    assert!(
        matches!(
            e,
            Error::LimitExceeded {
                limit: "per-day",
                remaining: 20,
                ..
            }
        ),
        "{e:?}"
    );
    // Another account has its own day.
    f.credit_usd("c5", f.b, 70, 100).await.unwrap();
    // The retry of an acknowledged credit still replays.
    assert!(f.credit_usd("c3", f.a, 60, 100).await.unwrap().replayed);
    // The vendor's next local day (New York) starts a new allowance.
    f.clock.advance(chrono::Duration::hours(24));
    f.credit_usd("c6", f.a, 70, 100).await.unwrap();
    assert_eq!(
        f.ledger.balance_in(f.a, usd()).await.unwrap().available,
        110
    );
    f.assert_verified().await;
}

pub(super) async fn redeem_transfer_adjust_expire(f: Fixture) {
    f.fund(f.a, 500).await;
    let r = f.ledger.redeem(&redeem(&f, "rd1", f.a, 120)).await.unwrap();
    assert_eq!(r.tx.kind, TxKind::Redemption);
    assert_eq!(r.tx.balance_after(f.a), Some(380));
    assert_eq!(f.ledger.vendor_liability(&f.usd).await.unwrap(), 380);
    assert!(
        f.ledger
            .redeem(&redeem(&f, "rd1", f.a, 120))
            .await
            .unwrap()
            .replayed
    );
    assert!(matches!(
        f.ledger.redeem(&redeem(&f, "rd1", f.a, 121)).await,
        Err(Error::IdempotencyConflict { .. })
    ));

    let t = f.ledger.transfer("tr1", f.a, f.b, usd(), 80).await.unwrap();
    assert_eq!(t.tx.balance_after(f.a), Some(300));
    assert_eq!(t.tx.balance_after(f.b), Some(80));
    assert!(
        f.ledger
            .transfer("tr1", f.a, f.b, usd(), 80)
            .await
            .unwrap()
            .replayed
    );
    assert_eq!(f.ledger.balance_in(f.b, usd()).await.unwrap().available, 80);

    f.ledger
        .adjust("ad1", f.b, usd(), 20, "goodwill")
        .await
        .unwrap();
    f.ledger
        .adjust("ad2", f.b, usd(), -10, "correction")
        .await
        .unwrap();
    assert!(matches!(
        f.ledger.adjust("ad3", f.b, usd(), -1000, "too much").await,
        Err(Error::InsufficientPoints { .. })
    ));
    assert_eq!(
        f.ledger
            .store()
            .account_balance(&AccountRef::Adjustments(usd()))
            .await
            .unwrap(),
        -10
    );

    f.ledger
        .expire("ex1", f.b, usd(), 30, "12 months inactive")
        .await
        .unwrap();
    assert_eq!(f.ledger.balance_in(f.b, usd()).await.unwrap().available, 60);
    assert_eq!(
        f.ledger
            .store()
            .account_balance(&AccountRef::Breakage(usd()))
            .await
            .unwrap(),
        30
    );
    f.assert_verified().await;
}

pub(super) async fn reversals(f: Fixture) {
    let credit = f
        .credit_usd("cr1", f.a, 663, 1000)
        .await
        .unwrap()
        .tx
        .unwrap();
    let rev = f
        .ledger
        .reverse("rv1", credit.id, "wrong account")
        .await
        .unwrap();
    assert_eq!(rev.tx.kind, TxKind::Reversal);
    assert_eq!(rev.tx.closes, Some(credit.id));
    assert_eq!(f.ledger.balance_in(f.a, usd()).await.unwrap().available, 0);
    assert_eq!(f.ledger.vendor_liability(&f.usd).await.unwrap(), 0);
    assert!(
        f.ledger
            .reverse("rv1", credit.id, "wrong account")
            .await
            .unwrap()
            .replayed
    );
    assert!(matches!(
        f.ledger.reverse("rv2", credit.id, "again").await,
        Err(Error::AlreadyClosed(_))
    ));
    assert!(matches!(
        f.ledger.reverse("rv3", rev.tx.id, "undo").await,
        Err(Error::NotReversible { .. })
    ));
    assert_eq!(
        f.ledger.store().closed_by(credit.id).await.unwrap(),
        Some(rev.tx.id)
    );

    // A credit whose points were spent cannot be reversed.
    let credit2 = f
        .credit_usd("cr2", f.a, 663, 1000)
        .await
        .unwrap()
        .tx
        .unwrap();
    f.ledger.transfer("sp1", f.a, f.b, usd(), 30).await.unwrap();
    let e = f
        .ledger
        .reverse("rv4", credit2.id, "late")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotReversible { .. }), "{e:?}");
    assert_eq!(f.ledger.balance_in(f.a, usd()).await.unwrap().available, 7);

    // A redemption is reversed: points back, liability back.
    f.fund(f.a, 100).await;
    let rd = f.ledger.redeem(&redeem(&f, "rd", f.a, 50)).await.unwrap();
    let before = f.ledger.balance_in(f.a, usd()).await.unwrap().available;
    f.ledger.reverse("rv5", rd.tx.id, "refund").await.unwrap();
    assert_eq!(
        f.ledger.balance_in(f.a, usd()).await.unwrap().available,
        before + 50
    );
    f.assert_verified().await;
}
