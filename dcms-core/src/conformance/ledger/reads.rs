//! History pagination, journal ranges and activity aggregates.

use chrono::Duration;

use super::usd;
use super::Fixture;
use crate::error::Error;
use crate::ids::AccountRef;
use crate::store::{Cursor, JournalQuery, KindTotal, Order};
use crate::transaction::TxKind;

pub(super) async fn history_pagination(f: Fixture) {
    for i in 0..25 {
        f.credit_usd(&format!("h{i}"), f.a, 90, 100).await.unwrap();
        f.clock.advance(Duration::seconds(1));
    }
    f.credit_usd("other", f.b, 90, 100).await.unwrap();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = f.ledger.history(f.a, None, after, 10).await.unwrap();
        assert!(page.items.len() <= 10);
        seen.extend(page.items.iter().map(|t| t.id));
        match page.next {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), 25);
    assert!(seen.windows(2).all(|w| w[0] > w[1]), "newest first");
    let keys: Vec<String> = f
        .ledger
        .history(f.a, None, None, 2)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|t| t.key)
        .collect();
    assert_eq!(keys, vec!["h24", "h23"]);
    // Exactly one full page: no next cursor pointing at an empty page.
    let b = f.ledger.history(f.b, None, None, 1).await.unwrap();
    assert_eq!((b.items.len(), b.next.is_none()), (1, true));

    assert!(matches!(
        f.ledger.history(f.a, None, None, 0).await,
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        f.ledger.history(f.a, None, None, 100_000).await,
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        f.ledger
            .history(f.a, None, Some(Cursor("not-a-cursor".into())), 10)
            .await,
        Err(Error::InvalidCursor(_))
    ));
}

pub(super) async fn journal_ranges_and_activity(f: Fixture) {
    let t0 = f.now();
    f.credit_usd("d1", f.a, 90, 100).await.unwrap(); // +10 at t0
    f.clock.advance(Duration::hours(1));
    let t1 = f.now();
    f.credit_usd("d2", f.a, 80, 100).await.unwrap(); // +20 at t1
    f.ledger.transfer("d3", f.a, f.b, usd(), 5).await.unwrap(); // -5 at t1
    f.clock.advance(Duration::hours(1));
    let t2 = f.now();
    f.credit_usd("d4", f.a, 70, 100).await.unwrap(); // +30 at t2
    f.clock.advance(Duration::hours(1));
    let t3 = f.now();

    let store = f.ledger.store();
    let q = JournalQuery {
        from: Some(t1),
        to: Some(t2),
        order: Order::OldestFirst,
        limit: 100,
        ..JournalQuery::default()
    };
    let keys: Vec<String> = store
        .journal(&q)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|t| t.key)
        .collect();
    assert_eq!(keys, vec!["d2", "d3"]);
    let q = JournalQuery {
        account: Some(AccountRef::Customer(f.b, usd())),
        order: Order::OldestFirst,
        limit: 100,
        ..JournalQuery::default()
    };
    assert_eq!(store.journal(&q).await.unwrap().items.len(), 1);
    // Paging forward through everything returns each transaction once.
    let mut q = JournalQuery {
        order: Order::OldestFirst,
        limit: 1,
        ..JournalQuery::default()
    };
    let mut n = 0;
    loop {
        let page = store.journal(&q).await.unwrap();
        n += page.items.len();
        match page.next {
            Some(c) => q.after = Some(c),
            None => break,
        }
    }
    assert_eq!(n, 4);

    let account = AccountRef::Customer(f.a, usd());
    let act = store.activity(&account, &[t1, t2, t3]).await.unwrap();
    assert_eq!(act.opening, 10);
    assert_eq!(
        act.buckets,
        vec![
            vec![
                KindTotal {
                    kind: TxKind::ChangeCredit,
                    count: 1,
                    points: 20
                },
                KindTotal {
                    kind: TxKind::Transfer,
                    count: 1,
                    points: -5
                },
            ],
            vec![KindTotal {
                kind: TxKind::ChangeCredit,
                count: 1,
                points: 30
            }],
        ]
    );
    let vendor = store
        .activity(&AccountRef::Vendor(f.usd.clone(), usd()), &[t0, t3])
        .await
        .unwrap();
    assert_eq!(vendor.opening, 0);
    assert_eq!(
        vendor.buckets,
        vec![vec![KindTotal {
            kind: TxKind::ChangeCredit,
            count: 3,
            points: -60
        }]]
    );
    assert!(store.activity(&account, &[t2, t1]).await.is_err());
    assert!(store.activity(&account, &[]).await.is_err());
}
