//! The `LedgerStore` conformance suite: every store runs it through a
//! factory that returns a fresh, empty store per case.
//!
//! ```ignore
//! #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
//! async fn conformance() {
//!     dcms_core::conformance::ledger::run_all(|| async { my_fresh_store().await }).await;
//! }
//! ```

mod accounts;
mod concurrency;
mod currencies;
mod holds;
mod policies;
mod reads;
mod statements;
mod writes;

use std::future::Future;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use rust_decimal::Decimal;

use crate::clock::ManualClock;
use crate::ids::{CustomerId, PosRef, VendorId};
use crate::ledger::{CreditChange, Ledger, LedgerConfig};
use crate::money::Currency;
use crate::store::DynLedgerStore;
use crate::vendor::Vendor;

/// A ledger over a fresh store with two vendors and two accounts.
pub struct Fixture {
    /// The ledger under test.
    pub ledger: Ledger,
    /// Its clock, at 2026-03-14 15:00:00 UTC to start with.
    pub clock: Arc<ManualClock>,
    /// A USD vendor in New York with the default policy.
    pub usd: VendorId,
    /// A JPY vendor in Tokyo.
    pub jpy: VendorId,
    /// Customer A.
    pub a: CustomerId,
    /// Customer B.
    pub b: CustomerId,
}

impl Fixture {
    /// Builds the fixture on `store`.
    pub async fn new(store: DynLedgerStore) -> Fixture {
        let clock = Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 3, 14, 15, 0, 0).unwrap(),
        ));
        let ledger = Ledger::open(store, LedgerConfig::default())
            .await
            .expect("open ledger")
            .with_clock(clock.clone());
        let usd = ledger
            .create_vendor(Vendor::new(
                VendorId::new("usd-shop").unwrap(),
                "USD Shop",
                Currency::builtin("USD").unwrap(),
                chrono_tz::America::New_York,
            ))
            .await
            .expect("usd vendor")
            .id;
        let jpy = ledger
            .create_vendor(Vendor::new(
                VendorId::new("jpy-shop").unwrap(),
                "JPY Shop",
                Currency::builtin("JPY").unwrap(),
                chrono_tz::Asia::Tokyo,
            ))
            .await
            .expect("jpy vendor")
            .id;
        let a = ledger.open_account("open-a").await.expect("account a").id;
        let b = ledger.open_account("open-b").await.expect("account b").id;
        Fixture {
            ledger,
            clock,
            usd,
            jpy,
            a,
            b,
        }
    }

    /// Credits the change of a USD sale (`total` and `tendered` in cents).
    pub async fn credit_usd(
        &self,
        key: &str,
        account: CustomerId,
        total: i64,
        tendered: i64,
    ) -> crate::Result<crate::ChangeCredited> {
        self.ledger
            .credit_change(&CreditChange {
                key: key.to_string(),
                vendor: self.usd.clone(),
                account,
                total: Decimal::new(total, 2),
                tendered: Decimal::new(tendered, 2),
                pos: PosRef {
                    store_id: Some("s1".into()),
                    terminal_id: Some("t1".into()),
                    receipt_no: Some(key.replace(['/', ' '], "-")),
                },
            })
            .await
    }

    /// Gives `account` exactly `points` with credits of 99 points or less.
    pub async fn fund(&self, account: CustomerId, points: i64) {
        let mut left = points;
        let mut n = 0;
        while left > 0 {
            let p = left.min(99);
            // Change of 1.00 - 0.p: credit p cents.
            self.credit_usd(&format!("fund-{account}-{n}"), account, 100 - p, 100)
                .await
                .expect("fund");
            left -= p;
            n += 1;
        }
    }

    /// The fixture clock's time.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        use crate::clock::Clock;
        self.clock.now()
    }

    /// Asserts `verify()` finds nothing wrong.
    pub async fn assert_verified(&self) {
        let report = self.ledger.verify().await.expect("verify");
        assert!(
            report.is_ok(),
            "verify found problems: {:?}",
            report.problems
        );
    }
}

/// Runs every case, each on a fresh store from `factory`. Panics naming the
/// failed case. Must run on a multi-threaded Tokio runtime.
pub async fn run_all<F, Fut>(factory: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = DynLedgerStore>,
{
    type CaseFn = fn(Fixture) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;
    let cases: Vec<(&str, CaseFn)> = vec![
        ("meta_and_vendors", |f| {
            Box::pin(accounts::meta_and_vendors(f))
        }),
        ("accounts", |f| Box::pin(accounts::accounts(f))),
        ("credit_and_replay", |f| {
            Box::pin(writes::credit_and_replay(f))
        }),
        ("refusals_change_nothing", |f| {
            Box::pin(writes::refusals_change_nothing(f))
        }),
        ("caps", |f| Box::pin(writes::caps(f))),
        ("redeem_transfer_adjust_expire", |f| {
            Box::pin(writes::redeem_transfer_adjust_expire(f))
        }),
        ("reversals", |f| Box::pin(writes::reversals(f))),
        ("holds", |f| Box::pin(holds::holds(f))),
        ("hold_expiry", |f| Box::pin(holds::hold_expiry(f))),
        ("history_pagination", |f| {
            Box::pin(reads::history_pagination(f))
        }),
        ("journal_ranges_and_activity", |f| {
            Box::pin(reads::journal_ranges_and_activity(f))
        }),
        ("statement_reads", |f| {
            Box::pin(statements::statement_reads(f))
        }),
        ("cross_currency_spend_refused", |f| {
            Box::pin(currencies::cross_currency_spend_refused(f))
        }),
        ("store_refuses_bad_legs", |f| {
            Box::pin(currencies::store_refuses_bad_legs(f))
        }),
        ("expired_holds_free_themselves", |f| {
            Box::pin(currencies::expired_holds_free_themselves(f))
        }),
        ("transfer_limits", |f| {
            Box::pin(policies::transfer_limits(f))
        }),
        ("expiry_policy", |f| Box::pin(policies::expiry_policy(f))),
        ("concurrent_writers", |f| {
            Box::pin(concurrency::concurrent_writers(f))
        }),
        ("concurrent_same_key", |f| {
            Box::pin(concurrency::concurrent_same_key(f))
        }),
        ("concurrent_overdraw", |f| {
            Box::pin(concurrency::concurrent_overdraw(f))
        }),
    ];
    for (name, case) in cases {
        let fixture = Fixture::new(factory().await).await;
        let outcome = tokio::spawn(case(fixture)).await;
        if let Err(e) = outcome {
            panic!("conformance case {name} failed: {e}");
        }
        eprintln!("ledger conformance: {name} ok");
    }
}

/// The fixture's USD code.
pub fn usd() -> crate::money::CurrencyCode {
    crate::money::CurrencyCode::new("USD").unwrap()
}

/// The fixture's JPY code.
pub fn jpy() -> crate::money::CurrencyCode {
    crate::money::CurrencyCode::new("JPY").unwrap()
}
