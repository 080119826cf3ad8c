//! The journal's records: postings and transactions.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::change::ChangeQuote;
use crate::error::{Error, Result};
use crate::ids::{AccountRef, CustomerId, PosRef, TxId, VendorId};
use crate::money::CurrencyCode;

/// What a transaction did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxKind {
    /// Change of a cash sale credited to a customer.
    ChangeCredit,
    /// Points spent at a vendor in one step.
    Redemption,
    /// Points set aside for a two-phase redemption.
    Hold,
    /// A hold captured in full or in part (the rest returns to the customer).
    HoldCapture,
    /// A hold cancelled by the vendor.
    HoldVoid,
    /// A hold released because it expired before capture.
    HoldRelease,
    /// Points moved between two customers.
    Transfer,
    /// The exact opposite of an earlier transaction.
    Reversal,
    /// A manual correction against the program's adjustments account.
    Adjustment,
    /// Points removed because they expired.
    Expiry,
}

/// Every kind, in declaration order (for storage round trips and reports;
/// `kind as usize` is a kind's index here).
pub const ALL_KINDS: [TxKind; 10] = [
    TxKind::ChangeCredit,
    TxKind::Redemption,
    TxKind::Hold,
    TxKind::HoldCapture,
    TxKind::HoldVoid,
    TxKind::HoldRelease,
    TxKind::Transfer,
    TxKind::Reversal,
    TxKind::Adjustment,
    TxKind::Expiry,
];

impl TxKind {
    /// The name used in storage and in the bindings.
    pub fn as_str(self) -> &'static str {
        match self {
            TxKind::ChangeCredit => "change_credit",
            TxKind::Redemption => "redemption",
            TxKind::Hold => "hold",
            TxKind::HoldCapture => "hold_capture",
            TxKind::HoldVoid => "hold_void",
            TxKind::HoldRelease => "hold_release",
            TxKind::Transfer => "transfer",
            TxKind::Reversal => "reversal",
            TxKind::Adjustment => "adjustment",
            TxKind::Expiry => "expiry",
        }
    }

    /// Parses [`TxKind::as_str`]'s form.
    pub fn parse(text: &str) -> Result<Self> {
        ALL_KINDS
            .iter()
            .copied()
            .find(|k| k.as_str() == text)
            .ok_or_else(|| Error::Storage(format!("unknown transaction kind {text:?}")))
    }
}

/// One leg of a transaction. A transaction's postings sum to zero.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Posting {
    /// The account moved.
    pub account: AccountRef,
    /// Signed points: positive raises the account's balance.
    pub points: i64,
}

/// A transaction as the ledger asks a store to append it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTransaction {
    /// The caller's idempotency key.
    pub key: String,
    /// A canonical text of the request: same key + same fingerprint replays,
    /// same key + other fingerprint is a conflict.
    pub fingerprint: String,
    /// What it does.
    pub kind: TxKind,
    /// The legs; they sum to zero.
    pub postings: Vec<Posting>,
    /// The vendor involved, if any.
    pub vendor: Option<VendorId>,
    /// Store, till and receipt number from the POS.
    pub pos: PosRef,
    /// The cash sale behind a change credit.
    pub cash: Option<ChangeQuote>,
    /// A transaction this one reverses or settles; each transaction can be
    /// closed at most once.
    pub closes: Option<TxId>,
    /// For holds: when an uncaptured hold is released.
    pub expires_at: Option<DateTime<Utc>>,
    /// Free text (a reason for adjustments and reversals).
    pub memo: Option<String>,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// A per-day cap the store checks atomically with the append.
    pub daily_cap: Option<DailyCap>,
}

/// A per-day limit the store checks atomically with an append, against
/// what is committed: "at most `cap` points of `scope` on `account` in
/// `[from, to)`".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyCap {
    /// The customer's account (customer and currency) the limit counts on.
    pub account: AccountRef,
    /// Which movements count.
    pub scope: CapScope,
    /// Start of the day, in UTC.
    pub from: DateTime<Utc>,
    /// End of that day, in UTC.
    pub to: DateTime<Utc>,
    /// The cap in points.
    pub cap: i64,
}

/// The movements a [`DailyCap`] counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CapScope {
    /// Change credited into the account at this vendor (a vendor's per-day
    /// cap; the day is the vendor's local day).
    ChangeCredits {
        /// The vendor crediting.
        vendor: VendorId,
    },
    /// Points sent from the account by transfers (the program's per-day
    /// transfer limit; the day is the program's local day).
    TransfersOut,
}

impl DailyCap {
    /// The name of the limit in [`Error::LimitExceeded`].
    pub fn limit_name(&self) -> &'static str {
        match self.scope {
            CapScope::ChangeCredits { .. } => "per-day",
            CapScope::TransfersOut => "per-day transfer",
        }
    }

    /// The transaction kind whose postings count.
    pub fn kind(&self) -> TxKind {
        match self.scope {
            CapScope::ChangeCredits { .. } => TxKind::ChangeCredit,
            CapScope::TransfersOut => TxKind::Transfer,
        }
    }

    /// The vendor whose credits count, for a vendor's cap.
    pub fn vendor(&self) -> Option<&VendorId> {
        match &self.scope {
            CapScope::ChangeCredits { vendor } => Some(vendor),
            CapScope::TransfersOut => None,
        }
    }

    /// The sign of the postings that count: +1 for credits into the
    /// account, -1 for transfers out of it (a transfer received is not
    /// counted against the receiver's limit).
    pub fn direction(&self) -> i64 {
        match self.scope {
            CapScope::ChangeCredits { .. } => 1,
            CapScope::TransfersOut => -1,
        }
    }

    /// Whether a posting of transaction kind `kind` at `vendor` moving
    /// `points` on [`DailyCap::account`] counts against this cap, and how much.
    pub fn counted(&self, kind: TxKind, vendor: Option<&VendorId>, points: i64) -> i64 {
        let dir = self.direction();
        if kind != self.kind() || points.signum() != dir {
            return 0;
        }
        if let Some(v) = self.vendor() {
            if vendor != Some(v) {
                return 0;
            }
        }
        points.saturating_mul(dir)
    }

    /// The refusal when `used` points are already counted today and this
    /// transaction asks for `requested` more; None when within the cap.
    pub fn refusal(&self, used: i128, requested: i64) -> Option<Error> {
        if used + i128::from(requested) <= i128::from(self.cap) {
            return None;
        }
        let remaining = (i128::from(self.cap) - used).clamp(0, i128::from(i64::MAX));
        Some(Error::LimitExceeded {
            limit: self.limit_name(),
            cap: self.cap,
            requested,
            remaining: i64::try_from(remaining).unwrap_or(i64::MAX),
        })
    }
}

impl NewTransaction {
    /// The points this transaction moves on `account` (0 when not involved).
    pub fn points_for(&self, account: &AccountRef) -> i64 {
        self.postings
            .iter()
            .filter(|p| &p.account == account)
            .map(|p| p.points)
            .sum()
    }

    /// The one currency this transaction moves (None when it has no legs).
    pub fn currency(&self) -> Option<CurrencyCode> {
        self.postings.first().map(|p| p.account.currency())
    }

    /// Checks the invariants every store relies on: postings sum to zero,
    /// all in one currency (so each currency sums to zero: no value crosses
    /// a currency), no zero or duplicate legs, a key of sane length.
    pub fn check(&self) -> Result<()> {
        check_key(&self.key)?;
        self.check_legs()
    }

    /// The part of [`NewTransaction::check`] about the legs: non-empty, no
    /// zero or duplicate leg, one currency, summing to zero. What a store
    /// enforces itself at append (the key is checked by its own column).
    pub fn check_legs(&self) -> Result<()> {
        let mut sum: i128 = 0;
        let currency = self.currency();
        for (i, p) in self.postings.iter().enumerate() {
            if Some(p.account.currency()) != currency {
                return Err(Error::invalid_input(
                    "postings",
                    format!(
                        "a transaction moves one currency; {} is not in {}",
                        p.account,
                        currency.map(|c| c.to_string()).unwrap_or_default()
                    ),
                ));
            }
            if p.points == 0 {
                return Err(Error::invalid_input(
                    "points",
                    "a posting moves at least one point",
                ));
            }
            if self.postings[..i].iter().any(|q| q.account == p.account) {
                return Err(Error::invalid_input("postings", "an account appears twice"));
            }
            sum += i128::from(p.points);
        }
        if sum != 0 || self.postings.is_empty() {
            return Err(Error::invalid_input(
                "postings",
                "must be non-empty and sum to zero",
            ));
        }
        Ok(())
    }
}

/// Checks an idempotency key: 1 to 200 bytes, no control characters, no
/// leading or trailing whitespace (some databases compare text ignoring
/// trailing spaces, so such keys could collide on one engine and not another).
pub fn check_key(key: &str) -> Result<()> {
    if key.is_empty() || key.len() > 200 || !key_text_ok(key) {
        return Err(Error::invalid_input(
            "idempotency key",
            "must be 1 to 200 bytes, without control characters or surrounding spaces",
        ));
    }
    Ok(())
}

/// No control characters and no whitespace at either end. Keys are almost
/// always ASCII, and this runs on every write: ASCII is checked byte by
/// byte (a third of the cost of walking `char`s and trimming); anything
/// else takes the general rule.
fn key_text_ok(key: &str) -> bool {
    let bytes = key.as_bytes();
    if key.is_ascii() {
        let ends_spaced = |b: Option<&u8>| b.is_some_and(u8::is_ascii_whitespace);
        return !bytes.iter().any(u8::is_ascii_control)
            && !ends_spaced(bytes.first())
            && !ends_spaced(bytes.last());
    }
    !key.chars().any(char::is_control) && key.trim() == key
}

/// A transaction in the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    /// Assigned by the store in append order.
    pub id: TxId,
    /// The caller's idempotency key.
    pub key: String,
    /// What it did.
    pub kind: TxKind,
    /// The legs; they sum to zero.
    pub postings: Vec<Posting>,
    /// Customer balances right after this transaction, one per customer
    /// leg, in the transaction's currency ([`Transaction::currency`]).
    pub balances_after: Vec<(CustomerId, i64)>,
    /// The vendor involved, if any.
    pub vendor: Option<VendorId>,
    /// Store, till and receipt number from the POS.
    pub pos: PosRef,
    /// The cash sale behind a change credit.
    pub cash: Option<ChangeQuote>,
    /// The transaction this one reverses or settles.
    pub closes: Option<TxId>,
    /// For holds: when an uncaptured hold is released.
    pub expires_at: Option<DateTime<Utc>>,
    /// Free text.
    pub memo: Option<String>,
    /// When it happened.
    pub at: DateTime<Utc>,
}

impl Transaction {
    /// The one currency this transaction moved.
    pub fn currency(&self) -> Option<CurrencyCode> {
        self.postings.first().map(|p| p.account.currency())
    }

    /// The points this transaction moved on `account` (0 when not involved).
    pub fn points_for(&self, account: &AccountRef) -> i64 {
        self.postings
            .iter()
            .filter(|p| &p.account == account)
            .map(|p| p.points)
            .sum()
    }

    /// A customer's balance right after this transaction, if it moved them.
    pub fn balance_after(&self, customer: CustomerId) -> Option<i64> {
        self.balances_after
            .iter()
            .find(|(c, _)| *c == customer)
            .map(|(_, b)| *b)
    }

    /// Builds the stored form of a new transaction (for store implementations).
    pub fn from_new(id: TxId, new: NewTransaction, balances_after: Vec<(CustomerId, i64)>) -> Self {
        Transaction {
            id,
            key: new.key,
            kind: new.kind,
            postings: new.postings,
            balances_after,
            vendor: new.vendor,
            pos: new.pos,
            cash: new.cash,
            closes: new.closes,
            expires_at: new.expires_at,
            memo: new.memo,
            at: new.at,
        }
    }
}

/// What a store's append returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// The transaction as stored (the first one, for a replay). Shared, not
    /// copied: a store that keeps transactions in memory hands out the one it
    /// holds, and passing a result along never copies the record.
    pub tx: Arc<Transaction>,
    /// True when the key was seen before and nothing new was written.
    pub replayed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Per-kind tables are indexed by `kind as usize`: that only holds while
    /// `ALL_KINDS` lists every variant in declaration order. The match has
    /// no wildcard, so a new variant does not compile until it is listed.
    /// The ASCII fast path of the key rule says what the general rule says.
    #[test]
    fn key_text_fast_path_matches_the_general_rule() {
        let general = |k: &str| !k.chars().any(char::is_control) && k.trim() == k;
        for b in 0u8..=127 {
            let c = char::from(b);
            for key in [
                format!("{c}"),
                format!("{c}k"),
                format!("k{c}"),
                format!("a{c}b"),
            ] {
                assert_eq!(key_text_ok(&key), general(&key), "{key:?}");
            }
        }
        for key in [
            "k\u{a0}",
            "\u{2003}k",
            "k\u{85}x",
            "caf\u{e9}/1",
            "\u{3000}",
        ] {
            assert_eq!(key_text_ok(key), general(key), "{key:?}");
        }
    }

    #[test]
    fn all_kinds_in_declaration_order() {
        for (i, kind) in ALL_KINDS.iter().enumerate() {
            assert_eq!(*kind as usize, i, "{kind:?}");
            assert_eq!(TxKind::parse(kind.as_str()).unwrap(), *kind);
        }
        let listed = |k: TxKind| match k {
            TxKind::ChangeCredit
            | TxKind::Redemption
            | TxKind::Hold
            | TxKind::HoldCapture
            | TxKind::HoldVoid
            | TxKind::HoldRelease
            | TxKind::Transfer
            | TxKind::Reversal
            | TxKind::Adjustment
            | TxKind::Expiry => ALL_KINDS.contains(&k),
        };
        assert!(ALL_KINDS.iter().all(|k| listed(*k)));
        assert!(listed(TxKind::Expiry));
    }
}
