//! The reads a statement makes: `account_lines` (against the journal it
//! must agree with) and `activity` with one boundary (the opening balance
//! alone) or with empty days between busy ones.

use chrono::Duration;

use super::usd;
use super::Fixture;
use crate::conformance::lines;
use crate::error::Error;
use crate::ids::AccountRef;
use crate::ledger::Redeem;
use crate::store::{AccountLine, KindTotal, MAX_PAGE};
use crate::transaction::TxKind;

/// Every line of `account` in `[from, to)` through `account_lines`, with the
/// chunk sizes it used.
async fn lines_of(
    f: &Fixture,
    account: &AccountRef,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
) -> (Vec<AccountLine>, Vec<usize>) {
    lines::read_lines(f.ledger.store().as_ref(), account, from, to).await
}

/// The same lines built from `journal` pages.
async fn journal_lines(
    f: &Fixture,
    account: &AccountRef,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
) -> Vec<AccountLine> {
    lines::journal_lines(f.ledger.store().as_ref(), account, from, to).await
}

pub(super) async fn statement_reads(f: Fixture) {
    let vendor = AccountRef::Vendor(f.usd.clone(), usd());
    let customer = AccountRef::Customer(f.a, usd());
    // Before the range: 37 points (the opening balance).
    f.credit_usd("before", f.a, 663, 1000).await.unwrap();
    f.clock.advance(Duration::hours(1));
    let from = f.now();
    // At `from` exactly (included), then more than one chunk of lines.
    let first = f.credit_usd("first", f.a, 990, 1000).await.unwrap();
    let total = MAX_PAGE as usize + 7;
    let fx = &f;
    for batch in 0..(total - 1).div_ceil(50) {
        let credits = (batch * 50 + 1..(batch * 50 + 51).min(total)).map(|i| {
            let key = format!("line-{i}");
            async move { fx.credit_usd(&key, fx.a, 901 + (i % 89) as i64, 1000).await }
        });
        for r in futures::future::join_all(credits).await {
            r.unwrap();
        }
        f.clock.advance(Duration::seconds(1));
    }
    // A redemption with its own point of sale, a reversal with a memo that
    // needs quoting, and a customer's transfer (not on the vendor's account).
    f.ledger
        .redeem(&Redeem {
            key: "spend".into(),
            vendor: f.usd.clone(),
            account: f.a,
            points: 12,
            pos: crate::ids::PosRef {
                store_id: Some("s-9".into()),
                terminal_id: None,
                receipt_no: Some("r.77".into()),
            },
        })
        .await
        .unwrap();
    let first_id = first.tx.unwrap().id;
    f.ledger
        .reverse(
            "undo-first",
            first_id,
            "till error, \"voided\"\nsecond line",
        )
        .await
        .unwrap();
    f.ledger.transfer("gift", f.a, f.b, usd(), 3).await.unwrap();
    f.clock.advance(Duration::nanoseconds(123_456_789));
    let to = f.now();
    // At `to` exactly: excluded.
    f.credit_usd("after", f.a, 980, 1000).await.unwrap();

    for account in [&vendor, &customer] {
        let (lines, chunks) = lines_of(&f, account, from, to).await;
        let expected = journal_lines(&f, account, from, to).await;
        assert_eq!(lines, expected, "{account}: lines = journal");
        assert!(
            chunks.iter().all(|n| *n >= 1 && *n <= MAX_PAGE as usize),
            "{account}: chunks {chunks:?}"
        );
        assert!(lines.windows(2).all(|w| w[0].tx < w[1].tx), "oldest first");
        assert_eq!(lines.first().map(|l| l.tx), Some(first_id), "from included");
    }
    let (lines, _) = lines_of(&f, &vendor, from, to).await;
    assert_eq!(
        lines.len(),
        total + 2,
        "credits, the redemption, the reversal"
    );
    let spend = lines.iter().find(|l| l.kind == TxKind::Redemption).unwrap();
    assert_eq!(spend.points, 12, "the vendor's own leg");
    assert_eq!(spend.pos.store_id.as_deref(), Some("s-9"));
    assert_eq!(spend.pos.terminal_id, None);
    assert_eq!(spend.pos.receipt_no.as_deref(), Some("r.77"));
    let undo = lines.iter().find(|l| l.kind == TxKind::Reversal).unwrap();
    assert_eq!(undo.closes, Some(first_id));
    assert_eq!(
        undo.memo.as_deref(),
        Some("till error, \"voided\"\nsecond line")
    );
    assert_eq!(undo.points, 10, "undoing a 10-point credit");
    let credit = lines.iter().find(|l| l.tx == first_id).unwrap();
    assert_eq!(
        (
            credit.kind,
            credit.points,
            credit.pos.terminal_id.as_deref()
        ),
        (TxKind::ChangeCredit, -10, Some("t1"))
    );

    // Nothing in an empty range, and the sink is not called.
    let (none, chunks) = lines_of(&f, &vendor, to, to).await;
    assert!(none.is_empty() && chunks.is_empty());
    // A failing sink stops the read with its error.
    let mut calls = 0;
    let err = f
        .ledger
        .store()
        .account_lines(&vendor, from, to, &mut |_| {
            calls += 1;
            Err(Error::Storage("sink full".into()))
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Storage(ref m) if m == "sink full"),
        "{err}"
    );
    assert_eq!(calls, 1);

    // The opening balance alone (one boundary, no buckets).
    let store = f.ledger.store();
    let act = store.activity(&customer, &[from]).await.unwrap();
    assert_eq!((act.opening, act.buckets.len()), (37, 0));
    let act = store.activity(&vendor, &[from]).await.unwrap();
    assert_eq!((act.opening, act.buckets.len()), (-37, 0));
    // Days with nothing between busy ones; the last boundary excludes `to`.
    let empty_day = from - Duration::hours(30);
    let act = store
        .activity(&vendor, &[empty_day, from - Duration::hours(6), from, to])
        .await
        .unwrap();
    assert_eq!(act.opening, 0);
    assert_eq!(act.buckets.len(), 3);
    assert_eq!(
        act.buckets[1],
        vec![KindTotal {
            kind: TxKind::ChangeCredit,
            count: 1,
            points: -37
        }]
    );
    assert!(act.buckets[0].is_empty());
    let month: i64 = lines.iter().map(|l| l.points).sum();
    let kinds = &act.buckets[2];
    assert_eq!(
        kinds.iter().map(|k| k.kind).collect::<Vec<_>>(),
        vec![TxKind::ChangeCredit, TxKind::Redemption, TxKind::Reversal],
        "kind order"
    );
    assert_eq!(kinds.iter().map(|k| k.points).sum::<i64>(), month);
    assert_eq!(
        kinds.iter().map(|k| k.count).sum::<u64>(),
        lines.len() as u64
    );
}
