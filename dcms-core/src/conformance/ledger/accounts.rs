//! Vendors, metadata and customer accounts.

use super::usd;
use super::Fixture;
use crate::change::ChangePolicy;
use crate::error::Error;
use crate::ids::{AccountRef, CustomerId, VendorId};
use crate::money::Currency;
use crate::store::OpenOutcome;
use crate::vendor::{CustomerAccount, Vendor};

pub(super) async fn meta_and_vendors(f: Fixture) {
    let store = f.ledger.store();
    assert_eq!(
        store.meta_get_or_insert("k", "first").await.unwrap(),
        "first"
    );
    assert_eq!(
        store.meta_get_or_insert("k", "second").await.unwrap(),
        "first"
    );

    let mut v = f.ledger.vendor(&f.usd).await.unwrap();
    assert_eq!(v.currency, Currency::builtin("USD").unwrap());
    assert_eq!(v.time_zone, chrono_tz::America::New_York);
    // Same vendor again: a safe retry. Different settings: a duplicate.
    assert_eq!(f.ledger.create_vendor(v.clone()).await.unwrap(), v);
    let mut other = v.clone();
    other.name = "Someone Else".into();
    assert!(matches!(
        f.ledger.create_vendor(other).await,
        Err(Error::DuplicateVendor(_))
    ));

    v.policy = ChangePolicy::AllChange;
    v.per_credit_cap = Some(500);
    v.per_day_cap = Some(2000);
    f.ledger.update_vendor(v.clone()).await.unwrap();
    assert_eq!(f.ledger.vendor(&f.usd).await.unwrap(), v);

    let ghost = Vendor::new(
        VendorId::new("ghost").unwrap(),
        "Ghost",
        v.currency,
        v.time_zone,
    );
    assert!(matches!(
        f.ledger.update_vendor(ghost.clone()).await,
        Err(Error::UnknownVendor(_))
    ));
    assert!(matches!(
        f.ledger.vendor(&ghost.id).await,
        Err(Error::UnknownVendor(_))
    ));
    let ids: Vec<String> = f
        .ledger
        .vendors()
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.id.to_string())
        .collect();
    assert_eq!(ids, vec!["jpy-shop", "usd-shop"]);
}

pub(super) async fn accounts(f: Fixture) {
    let store = f.ledger.store();
    assert_eq!(store.customer_count().await.unwrap(), 2);
    assert_ne!(f.a, f.b);
    assert_eq!(f.a.width(), 6);
    // The same key opens nothing new.
    assert_eq!(f.ledger.open_account("open-a").await.unwrap().id, f.a);
    assert_eq!(store.customer_count().await.unwrap(), 2);

    let s1 = store.next_account_sequence().await.unwrap();
    let s2 = store.next_account_sequence().await.unwrap();
    assert!(s2 > s1);

    // A taken id is reported, not overwritten.
    let taken = CustomerAccount {
        id: f.a,
        opened_at: f.now(),
    };
    assert_eq!(
        store.open_customer("another-key", &taken).await.unwrap(),
        OpenOutcome::IdTaken
    );

    let got = f.ledger.account(f.a).await.unwrap();
    assert_eq!(got.id, f.a);
    let stranger = CustomerId::from_payload(99999);
    if stranger != f.a && stranger != f.b {
        assert!(matches!(
            f.ledger.account(stranger).await,
            Err(Error::UnknownAccount(_))
        ));
        assert!(matches!(
            f.ledger.balance(stranger).await,
            Err(Error::UnknownAccount(_))
        ));
    }
    let b = f.ledger.balance_in(f.a, usd()).await.unwrap();
    assert_eq!((b.available, b.held), (0, 0));
    assert_eq!(
        store
            .account_balance(&AccountRef::Breakage(usd()))
            .await
            .unwrap(),
        0
    );

    // Many accounts: unique, valid, well spread.
    let mut ids = std::collections::HashSet::new();
    for i in 0..200 {
        let id = f
            .ledger
            .open_account(&format!("bulk-{i}"))
            .await
            .unwrap()
            .id;
        assert!(f.ledger.parse_account_id(&id.to_string()).is_ok());
        assert!(ids.insert(id));
    }
    assert!(f.ledger.parse_account_id("1234").is_err());
}
