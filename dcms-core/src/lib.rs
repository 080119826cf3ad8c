//! # dcms-core
//!
//! The core of DCMS (Digital Change Management System): a cash sale's coin
//! change becomes points on a customer's account instead of coins in their
//! hand.
//!
//! This crate holds the domain and does no I/O of its own:
//! - [`money`]: currencies and exact amounts (`Decimal` at the edges,
//!   integer minor units inside; never a float, never a silent rounding);
//! - [`change`]: the coin part of a sale's change under a vendor's policy;
//! - [`Ledger`]: the double-entry points ledger with idempotent writes.
//!   Points carry their currency: change credited at a JPY vendor is JPY
//!   points, a customer holds one balance per currency, a redemption spends
//!   the vendor's currency only, a transfer names its currency, and every
//!   transaction moves one currency (its postings sum to zero in it), so no
//!   value crosses a currency without an explicit conversion (which DCMS
//!   does not do);
//! - the ports [`LedgerStore`], [`ObjectStore`] and [`Notifier`], and
//!   [`MemoryStore`], a complete in-memory ledger store.
//!
//! ```
//! # use dcms_core::*;
//! # use rust_decimal::Decimal;
//! # use std::sync::Arc;
//! # tokio_test_block_on(async {
//! let ledger = Ledger::open(Arc::new(MemoryStore::new()), LedgerConfig::default()).await?;
//! let usd = Currency::builtin("USD")?;
//! let vendor = ledger
//!     .create_vendor(Vendor::new(VendorId::new("corner-shop")?, "Corner Shop", usd, chrono_tz::America::New_York))
//!     .await?;
//! let account = ledger.open_account("signup-1").await?;
//! let credited = ledger
//!     .credit_change(&CreditChange {
//!         key: "corner-shop/r-1001".into(),
//!         vendor: vendor.id.clone(),
//!         account: account.id,
//!         total: Decimal::new(663, 2),     // 6.63
//!         tendered: Decimal::new(1000, 2), // 10.00
//!         pos: PosRef::default(),
//!     })
//!     .await?;
//! assert_eq!(credited.quote.hand_back.to_decimal(), Decimal::new(300, 2)); // 3.00 in notes
//! assert_eq!(credited.points, 37);
//! // Points carry their currency: one balance per currency held.
//! assert_eq!(ledger.balance(account.id).await?.get(usd.code).available, 37);
//! # Ok::<(), Error>(()) }).unwrap();
//! # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
//! # }
//! ```

pub mod calendar;
pub mod change;
pub mod clock;
pub mod codes;
mod error;
pub mod ids;
pub mod ledger;
pub mod memory;
mod memory_keys;
pub mod money;
pub mod notify;
pub mod notify_log;
pub mod object;
pub mod object_local;
pub mod object_memory;
pub mod statement;
pub mod store;
pub mod transaction;
pub mod vendor;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use change::{quote_change, ChangePolicy, ChangeQuote};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{Error, Result};
pub use ids::{AccountRef, CustomerId, PosRef, TxId, VendorId};
pub use ledger::{
    ChangeCredited, CreditChange, HoldRequest, Ledger, LedgerConfig, Redeem, VerifyReport,
};
pub use memory::MemoryStore;
pub use money::{Currency, CurrencyCode, CurrencyRegistry, Money};
pub use notify::{DynNotifier, Notifier, StatementReady};
pub use object::{DynObjectStore, ObjectMeta, ObjectStore, PresignedUrl, PutOptions, Sse};
pub use object_memory::MemoryObjectStore;
pub use store::{
    Activity, Balance, Balances, Cursor, DormantBalance, DynLedgerStore, JournalQuery, LedgerStore,
    Order, Page,
};
pub use transaction::{Appended, CapScope, DailyCap, NewTransaction, Posting, Transaction, TxKind};
pub use vendor::{CustomerAccount, Vendor};
