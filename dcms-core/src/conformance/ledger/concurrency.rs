//! Many writers at once: no lost update, no overdraft, no double credit.

use std::sync::Arc;

use super::usd;
use super::Fixture;
use crate::error::Error;
use crate::ids::PosRef;
use crate::ledger::Redeem;

pub(super) async fn concurrent_writers(f: Fixture) {
    let f = Arc::new(f);
    f.fund(f.a, 1000).await;
    f.fund(f.b, 1000).await;
    let mut tasks = Vec::new();
    for t in 0..8 {
        let f = f.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..25 {
                let (from, to) = if (t + i) % 2 == 0 {
                    (f.a, f.b)
                } else {
                    (f.b, f.a)
                };
                f.ledger
                    .transfer(&format!("tr-{t}-{i}"), from, to, usd(), 7)
                    .await
                    .unwrap();
                f.credit_usd(&format!("cr-{t}-{i}"), to, 99, 100)
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let a = f.ledger.balance_in(f.a, usd()).await.unwrap().available;
    let b = f.ledger.balance_in(f.b, usd()).await.unwrap().available;
    assert_eq!(a + b, 2000 + 8 * 25);
    assert_eq!(f.ledger.vendor_liability(&f.usd).await.unwrap(), 2200);
    f.assert_verified().await;
}

pub(super) async fn concurrent_same_key(f: Fixture) {
    let f = Arc::new(f);
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let f = f.clone();
        tasks.push(tokio::spawn(async move {
            f.credit_usd("pos-retry-1", f.a, 663, 1000).await
        }));
    }
    let mut ids = std::collections::HashSet::new();
    let mut fresh = 0;
    for t in tasks {
        let r = t.await.unwrap().unwrap();
        ids.insert(r.tx.unwrap().id);
        fresh += usize::from(!r.replayed);
    }
    assert_eq!((ids.len(), fresh), (1, 1));
    assert_eq!(f.ledger.balance_in(f.a, usd()).await.unwrap().available, 37);
    f.assert_verified().await;
}

pub(super) async fn concurrent_overdraw(f: Fixture) {
    let f = Arc::new(f);
    f.fund(f.a, 100).await;
    let mut tasks = Vec::new();
    for i in 0..10 {
        let f = f.clone();
        tasks.push(tokio::spawn(async move {
            let req = Redeem {
                key: format!("od-{i}"),
                vendor: f.usd.clone(),
                account: f.a,
                points: 30,
                pos: PosRef::default(),
            };
            f.ledger.redeem(&req).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(Error::InsufficientPoints { .. }) => {}
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!(ok, 3);
    assert_eq!(f.ledger.balance_in(f.a, usd()).await.unwrap().available, 10);
    f.assert_verified().await;
}
