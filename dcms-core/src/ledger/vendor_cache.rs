//! A short-lived cache of vendors for the hot path.
//!
//! Every change credit needs its vendor (currency, policy, caps). Reading it
//! from the store each time costs a round trip on SQL stores; vendors change
//! rarely. Entries live for [`super::LedgerConfig::vendor_cache_ttl`]: a
//! change made through this ledger applies at once, a change made by another
//! process within that time. A TTL of zero turns the cache off.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use parking_lot::RwLock;

use crate::ids::VendorId;
use crate::vendor::Vendor;

/// Seeded and faster than SipHash for short vendor ids (read on every sale).
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A vendor and when it was read from the store.
type Entry = (Arc<Vendor>, DateTime<Utc>);

#[derive(Debug, Default)]
pub(super) struct VendorCache {
    entries: RwLock<HashMap<VendorId, Entry>>,
}

impl VendorCache {
    /// The cached vendor if it was fetched less than `ttl` before `now`.
    pub(super) fn get(
        &self,
        id: &VendorId,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Option<Arc<Vendor>> {
        let entries = self.entries.read();
        let (vendor, fetched) = entries.get(id)?;
        (now >= *fetched && now - *fetched < ttl).then(|| vendor.clone())
    }

    pub(super) fn put(&self, vendor: Arc<Vendor>, now: DateTime<Utc>) {
        self.entries
            .write()
            .insert(vendor.id.clone(), (vendor, now));
    }

    pub(super) fn forget(&self, id: &VendorId) {
        self.entries.write().remove(id);
    }
}
