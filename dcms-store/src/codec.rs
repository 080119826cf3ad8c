//! How domain values are stored: ids and account references as text,
//! times as i64 nanoseconds since the Unix epoch (exact round trip of a
//! `DateTime<Utc>` between 1677 and 2262), and the parts of a transaction no
//! query looks into as one JSON document.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use dcms_core::{
    AccountRef, ChangeQuote, Currency, CurrencyCode, CustomerId, Error, Money, PosRef, Result, TxId,
};
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

/// A stored currency code.
pub(crate) fn currency(text: &str) -> Result<CurrencyCode> {
    CurrencyCode::new(text).map_err(|e| corrupt("currency", e))
}

/// The fields of a transaction kept as one JSON column: read whole, never
/// filtered on.
#[derive(Debug)]
pub(crate) struct Body {
    pub pos: PosRef,
    pub cash: Option<ChangeQuote>,
    pub balances_after: Vec<(CustomerId, i64)>,
}

/// A change quote's seven amounts with their one currency, as stored since
/// session 4. Written out in full, each amount repeated the currency: a
/// change credit's body was about 840 bytes, most of it seven copies of
/// the same currency; this way it is about 240 (the demo's ledger), so a
/// batch writes fewer pages and appends went about 20% faster on SQLite
/// and PostgreSQL (benches/README.md). Bodies written before keep the full
/// form (`cash`), and both are read.
#[derive(Debug, Serialize, Deserialize)]
struct Quote {
    currency: Currency,
    /// total, cash_total, tendered, change, coin_part, hand_back, credit.
    minor: [i64; 7],
}

impl Quote {
    /// The compact form, or None when the amounts are not all in one
    /// currency (a quote never mixes them; such a one is kept in full).
    fn of(q: &ChangeQuote) -> Option<Quote> {
        let amounts = [
            q.total,
            q.cash_total,
            q.tendered,
            q.change,
            q.coin_part,
            q.hand_back,
            q.credit,
        ];
        let currency = q.total.currency;
        amounts
            .iter()
            .all(|m| m.currency == currency)
            .then(|| Quote {
                currency,
                minor: amounts.map(|m| m.minor),
            })
    }

    fn quote(&self) -> ChangeQuote {
        let [total, cash_total, tendered, change, coin_part, hand_back, credit] =
            self.minor.map(|minor| Money {
                minor,
                currency: self.currency,
            });
        ChangeQuote {
            total,
            cash_total,
            tendered,
            change,
            coin_part,
            hand_back,
            credit,
        }
    }
}

/// A body as stored: `quote` (compact) or `cash` (in full, older rows).
/// `balances_after` stays last: the one-statement credit
/// ([`crate::append`]) splits the encoded text at the balance.
/// Borrowed when encoding, owned when decoding.
#[derive(Debug, Serialize, Deserialize)]
struct Stored<'a> {
    pos: Cow<'a, PosRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    quote: Option<Quote>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cash: Option<ChangeQuote>,
    balances_after: Cow<'a, [(CustomerId, i64)]>,
}

impl Body {
    pub(crate) fn encode(&self) -> Result<String> {
        let quote = self.cash.as_ref().and_then(Quote::of);
        let stored = Stored {
            pos: Cow::Borrowed(&self.pos),
            cash: if quote.is_some() { None } else { self.cash },
            quote,
            balances_after: Cow::Borrowed(&self.balances_after),
        };
        serde_json::to_string(&stored)
            .map_err(|e| Error::Storage(format!("cannot encode a transaction: {e}")))
    }

    pub(crate) fn decode(text: &str) -> Result<Self> {
        let stored: Stored =
            serde_json::from_str(text).map_err(|e| corrupt("transaction body", e))?;
        Ok(Body {
            pos: stored.pos.into_owned(),
            cash: stored.quote.map(|q| q.quote()).or(stored.cash),
            balances_after: stored.balances_after.into_owned(),
        })
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

    /// A change credit's body as written before the compact quote.
    const LEGACY: &str = r#"{"pos":{"store_id":"main","terminal_id":"till-0","receipt_no":"2026-01-01-0"},"cash":{"total":{"minor":2180,"currency":{"code":"USD","exponent":2,"smallest_note":100,"cash_rounding":1}},"cash_total":{"minor":2180,"currency":{"code":"USD","exponent":2,"smallest_note":100,"cash_rounding":1}},"tendered":{"minor":4000,"currency":{"code":"USD","exponent":2,"smallest_note":100,"cash_rounding":1}},"change":{"minor":1820,"currency":{"code":"USD","exponent":2,"smallest_note":100,"cash_rounding":1}},"coin_part":{"minor":20,"currency":{"code":"USD","exponent":2,"smallest_note":100,"cash_rounding":1}},"hand_back":{"minor":1800,"currency":{"code":"USD","exponent":2,"smallest_note":100,"cash_rounding":1}},"credit":{"minor":20,"currency":{"code":"USD","exponent":2,"smallest_note":100,"cash_rounding":1}}},"balances_after":[["366654",20]]}"#;

    #[test]
    fn legacy_bodies_read_as_before_and_new_ones_are_compact() {
        let legacy = Body::decode(LEGACY).unwrap();
        let quote = legacy.cash.unwrap();
        assert_eq!(quote.tendered.minor, 4000);
        assert_eq!(quote.credit.minor, 20);
        assert_eq!(quote.credit.currency.code.as_str(), "USD");
        assert_eq!(legacy.pos.receipt_no.as_deref(), Some("2026-01-01-0"));

        let text = legacy.encode().unwrap();
        assert!(
            text.contains(r#""quote":{"currency":{"code":"USD""#),
            "{text}"
        );
        assert!(!text.contains(r#""cash""#), "{text}");
        assert!(text.len() * 2 < LEGACY.len(), "{} bytes", text.len());
        // balances_after stays last (the one-statement credit splits there).
        assert!(
            text.ends_with(r#""balances_after":[["366654",20]]}"#),
            "{text}"
        );
        let again = Body::decode(&text).unwrap();
        assert_eq!(again.cash, legacy.cash);
        assert_eq!(again.pos, legacy.pos);
        assert_eq!(again.balances_after, legacy.balances_after);
    }

    #[test]
    fn bodies_without_a_quote_or_with_mixed_currencies_round_trip() {
        let mut body = Body::decode(LEGACY).unwrap();
        body.cash = None;
        let text = body.encode().unwrap();
        assert!(!text.contains("quote") && !text.contains("cash"), "{text}");
        assert_eq!(Body::decode(&text).unwrap().cash, None);

        let mut mixed = Body::decode(LEGACY).unwrap();
        if let Some(q) = mixed.cash.as_mut() {
            q.credit.currency = dcms_core::Currency::builtin("CAD").unwrap();
        }
        let text = mixed.encode().unwrap();
        assert!(
            text.contains(r#""cash""#) && !text.contains("quote"),
            "{text}"
        );
        assert_eq!(Body::decode(&text).unwrap().cash, mixed.cash);
    }

    #[test]
    fn customer_ids_round_trip() {
        let id = CustomerId::from_payload(48213);
        assert_eq!(customer_id(customer_key(id).unwrap()).unwrap(), id);
        assert!(customer_id(123).is_err());
    }
}
