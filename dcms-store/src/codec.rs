//! How domain values are stored: ids and account references as text,
//! times as i64 nanoseconds since the Unix epoch (exact round trip of a
//! `DateTime<Utc>` between 1677 and 2262), and the parts of a transaction no
//! query looks into as one JSON document.

use chrono::{DateTime, Utc};
use dcms_core::{AccountRef, ChangeQuote, CustomerId, Error, PosRef, Result, TxId};
use serde::{Deserialize, Serialize};

use crate::error::corrupt;

/// A time as stored.
pub(crate) fn nanos(at: DateTime<Utc>) -> Result<i64> {
    at.timestamp_nanos_opt().ok_or_else(|| Error::InvalidInput {
        field: "time",
        reason: format!("{at} is outside the storable range (years 1678 to 2261)"),
    })
}

/// A stored time.
pub(crate) fn time(ns: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_nanos(ns)
}

/// A customer id as stored (ids have at most 18 digits, so they fit).
pub(crate) fn customer_key(id: CustomerId) -> Result<i64> {
    i64::try_from(id.value()).map_err(|_| corrupt("customer id", id))
}

/// A stored customer id.
pub(crate) fn customer_id(value: i64) -> Result<CustomerId> {
    CustomerId::parse(&value.to_string()).map_err(|e| corrupt("customer id", e))
}

/// A transaction id as stored.
pub(crate) fn tx_key(id: TxId) -> Result<i64> {
    i64::try_from(id.0).map_err(|_| Error::UnknownTransaction(id))
}

/// A stored transaction id.
pub(crate) fn tx_id(value: i64) -> Result<TxId> {
    u64::try_from(value)
        .map(TxId)
        .map_err(|e| corrupt("transaction id", e))
}

/// A stored account reference.
pub(crate) fn account(text: &str) -> Result<AccountRef> {
    AccountRef::parse(text).map_err(|e| corrupt("account", e))
}

/// The fields of a transaction kept as one JSON column: read whole, never
/// filtered on.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Body {
    pub pos: PosRef,
    pub cash: Option<ChangeQuote>,
    pub balances_after: Vec<(CustomerId, i64)>,
}

impl Body {
    pub(crate) fn encode(&self) -> Result<String> {
        serde_json::to_string(self)
            .map_err(|e| Error::Storage(format!("cannot encode a transaction: {e}")))
    }

    pub(crate) fn decode(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| corrupt("transaction body", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_to_the_nanosecond() {
        let at = DateTime::from_timestamp(1_773_500_000, 123_456_789).unwrap();
        assert_eq!(time(nanos(at).unwrap()), at);
        assert!(nanos(DateTime::<Utc>::MAX_UTC).is_err());
    }

    #[test]
    fn customer_ids_round_trip() {
        let id = CustomerId::from_payload(48213);
        assert_eq!(customer_id(customer_key(id).unwrap()).unwrap(), id);
        assert!(customer_id(123).is_err());
    }
}
