//! The ledger engine: business rules over a [`LedgerStore`](crate::store::LedgerStore).
//!
//! Every write builds a balanced [`NewTransaction`](crate::transaction::NewTransaction) and hands it to the store,
//! which appends it atomically. The rules that must hold under concurrency
//! (idempotency, no negative customer balance, close-once, daily caps) are
//! enforced inside the store's append; the rest is checked here first.

mod account_ids;
mod expiry;
mod fingerprint;
mod policy;
mod reads;
mod requests;
mod vendor_cache;
mod verify;
mod writes;

pub(crate) use writes::new_tx;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

pub use account_ids::AccountIdPermutation;
pub use expiry::{ExpiringPoints, ExpiryReport};
pub use policy::{ExpiryPolicy, TransferLimits};
pub use requests::{CreditChange, HoldRequest, Redeem};
pub use verify::VerifyReport;
pub use writes::ChangeCredited;

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::ids::{CustomerId, VendorId};
use crate::money::{CurrencyCode, CurrencyRegistry};
use crate::store::{DynLedgerStore, OpenOutcome};
use crate::vendor::{CustomerAccount, Vendor};

/// Largest number of points one operation may move (keeps every sum far
/// from `i64` overflow).
pub const MAX_POINTS: i64 = 1_000_000_000_000_000;

/// A program's settings.
#[derive(Debug, Clone)]
pub struct LedgerConfig {
    /// Points credited per minor unit of change, per currency: a point is
    /// always a point of one currency, so a rate is set for each. A currency
    /// not listed earns 1 point per minor unit (per cent, per yen).
    pub points_per_minor: BTreeMap<CurrencyCode, i64>,
    /// Digits of a customer account id, check digit included (default 6).
    pub account_id_width: u8,
    /// How long a two-phase hold stays open unless the request says otherwise.
    pub hold_ttl: Duration,
    /// The currencies vendors may use.
    pub currencies: CurrencyRegistry,
    /// How long a vendor read from the store is reused (default 5 s; zero
    /// reads it for every operation). Changes made through this ledger apply
    /// at once; changes made by another process within this time.
    pub vendor_cache_ttl: Duration,
    /// The program's time zone: the day of the per-day transfer limit and
    /// the date in expiry keys (default UTC).
    pub time_zone: Tz,
    /// Transfer limits per currency, in that currency's points; a currency
    /// not listed has none.
    pub transfer_limits: BTreeMap<CurrencyCode, TransferLimits>,
    /// Expiry of points on inactive accounts (default: never; many places
    /// regulate stored value).
    pub expiry: Option<ExpiryPolicy>,
}

impl LedgerConfig {
    /// Points per minor unit of `currency` (1 unless configured).
    pub fn points_per_minor_in(&self, currency: CurrencyCode) -> i64 {
        self.points_per_minor.get(&currency).copied().unwrap_or(1)
    }

    /// The transfer limits of `currency` (none unless configured).
    pub fn transfer_limits_in(&self, currency: CurrencyCode) -> TransferLimits {
        self.transfer_limits
            .get(&currency)
            .copied()
            .unwrap_or_default()
    }

    fn validate(&self) -> Result<()> {
        for (code, rate) in &self.points_per_minor {
            if !(1..=1_000_000).contains(rate) {
                return Err(Error::invalid_input(
                    "points per minor unit",
                    format!("{code}: must be 1 to 1,000,000, got {rate}"),
                ));
            }
        }
        for (code, limits) in &self.transfer_limits {
            limits.validate(*code)?;
        }
        if let Some(expiry) = &self.expiry {
            expiry.validate()?;
        }
        if self.hold_ttl <= Duration::zero() {
            return Err(Error::invalid_input("hold ttl", "must be positive"));
        }
        Ok(())
    }
}

impl Default for LedgerConfig {
    fn default() -> Self {
        LedgerConfig {
            points_per_minor: BTreeMap::new(),
            account_id_width: 6,
            hold_ttl: Duration::minutes(15),
            currencies: CurrencyRegistry::default(),
            vendor_cache_ttl: Duration::seconds(5),
            time_zone: Tz::UTC,
            transfer_limits: BTreeMap::new(),
            expiry: None,
        }
    }
}

/// The points ledger of one program.
#[derive(Debug, Clone)]
pub struct Ledger {
    store: DynLedgerStore,
    config: Arc<LedgerConfig>,
    clock: Arc<dyn Clock>,
    ids: AccountIdPermutation,
    vendors: Arc<vendor_cache::VendorCache>,
}

impl Ledger {
    /// Opens the ledger kept in `store`. The account-id key is created on
    /// first open and kept in the store.
    pub async fn open(store: DynLedgerStore, config: LedgerConfig) -> Result<Self> {
        config.validate()?;
        let mut fresh = [0u8; 8];
        getrandom::fill(&mut fresh)
            .map_err(|e| Error::Storage(format!("no randomness for the account-id key: {e}")))?;
        let stored = store
            .meta_get_or_insert("account_id_key", &u64::from_le_bytes(fresh).to_string())
            .await?;
        let key: u64 = stored
            .parse()
            .map_err(|_| Error::Storage("stored account_id_key is not a number".into()))?;
        let ids = AccountIdPermutation::new(key, config.account_id_width)?;
        Ok(Ledger {
            store,
            config: Arc::new(config),
            clock: Arc::new(SystemClock),
            ids,
            vendors: Arc::default(),
        })
    }

    /// Uses another clock (tests, simulations).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The store behind this ledger.
    pub fn store(&self) -> &DynLedgerStore {
        &self.store
    }

    /// The program's settings.
    pub fn config(&self) -> &LedgerConfig {
        &self.config
    }

    /// The clock in use.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Adds a vendor. Creating the same vendor again with identical settings
    /// returns it (a safe retry); different settings are
    /// [`Error::DuplicateVendor`].
    pub async fn create_vendor(&self, vendor: Vendor) -> Result<Vendor> {
        vendor.validate()?;
        self.config.currencies.get(vendor.currency.code.as_str())?;
        match self.store.insert_vendor(&vendor).await {
            Ok(()) => Ok(vendor),
            Err(Error::DuplicateVendor(id)) => match self.store.vendor(&id).await? {
                Some(existing) if existing == vendor => Ok(existing),
                _ => Err(Error::DuplicateVendor(id)),
            },
            Err(e) => Err(e),
        }
    }

    /// Changes a vendor's settings (name, policy, caps, zone). The currency
    /// cannot change: the vendor's points and liability are in it.
    pub async fn update_vendor(&self, vendor: Vendor) -> Result<Vendor> {
        vendor.validate()?;
        self.config.currencies.get(vendor.currency.code.as_str())?;
        let existing = self
            .store
            .vendor(&vendor.id)
            .await?
            .ok_or_else(|| Error::UnknownVendor(vendor.id.clone()))?;
        if existing.currency.code != vendor.currency.code {
            return Err(Error::invalid_input(
                "currency",
                format!(
                    "vendor {} keeps its points in {}; a vendor's currency cannot change (register a new vendor)",
                    vendor.id, existing.currency.code
                ),
            ));
        }
        self.vendors.forget(&vendor.id);
        let result = self.store.update_vendor(&vendor).await;
        // Forget again: a concurrent read may have cached the old settings.
        self.vendors.forget(&vendor.id);
        result?;
        Ok(vendor)
    }

    /// A vendor by id.
    pub async fn vendor(&self, id: &VendorId) -> Result<Vendor> {
        Ok(self.cached_vendor(id).await?.as_ref().clone())
    }

    /// A vendor through the cache (see [`LedgerConfig::vendor_cache_ttl`]).
    pub(crate) async fn cached_vendor(&self, id: &VendorId) -> Result<Arc<Vendor>> {
        self.cached_vendor_at(id, self.clock.now()).await
    }

    /// [`Ledger::cached_vendor`] for a caller that has already read the clock
    /// (one reading less on the path of every sale).
    pub(crate) async fn cached_vendor_at(
        &self,
        id: &VendorId,
        now: DateTime<Utc>,
    ) -> Result<Arc<Vendor>> {
        let ttl = self.config.vendor_cache_ttl;
        if let Some(v) = self.vendors.get(id, now, ttl) {
            return Ok(v);
        }
        let vendor = Arc::new(
            self.store
                .vendor(id)
                .await?
                .ok_or_else(|| Error::UnknownVendor(id.clone()))?,
        );
        if ttl > Duration::zero() {
            self.vendors.put(vendor.clone(), now);
        }
        Ok(vendor)
    }

    /// Every vendor.
    pub async fn vendors(&self) -> Result<Vec<Vendor>> {
        self.store.vendors().await
    }

    /// Opens a customer account with a fresh, non-sequential id. The same key
    /// returns the same account.
    pub async fn open_account(&self, key: &str) -> Result<CustomerAccount> {
        if key.is_empty() || key.len() > 200 {
            return Err(Error::invalid_input(
                "idempotency key",
                "must be 1 to 200 bytes",
            ));
        }
        // A taken candidate only happens when the program changed its id
        // width or key; a bounded number of further candidates settles it.
        for _ in 0..64 {
            let seq = self.store.next_account_sequence().await?;
            let id = CustomerId::from_payload(self.ids.payload(seq)?);
            let account = CustomerAccount {
                id,
                opened_at: self.clock.now(),
            };
            match self.store.open_customer(key, &account).await? {
                OpenOutcome::Opened(a) | OpenOutcome::Replayed(a) => return Ok(a),
                OpenOutcome::IdTaken => continue,
            }
        }
        Err(Error::Storage(
            "no free account id after 64 candidates".into(),
        ))
    }

    /// Parses an account id typed at a till: digits, width and check digit.
    pub fn parse_account_id(&self, text: &str) -> Result<CustomerId> {
        let id = CustomerId::parse(text)?;
        if id.width() != self.ids.width() {
            return Err(Error::InvalidAccountId {
                id: text.to_string(),
                reason: format!("account ids have {} digits", self.ids.width()),
            });
        }
        Ok(id)
    }

    /// A customer account by id.
    pub async fn account(&self, id: CustomerId) -> Result<CustomerAccount> {
        self.store
            .customer(id)
            .await?
            .ok_or(Error::UnknownAccount(id))
    }

    /// The currency of the program's registry with this code (refuses
    /// codes the program does not use).
    pub fn currency(&self, code: &str) -> Result<crate::money::Currency> {
        self.config.currencies.get(code)
    }
}
