//! The one error type of the core. Every variant is something a caller can act
//! on; its message is written for the cashier or developer who reads it, and
//! [`Error::code`] gives a stable machine-readable code the bindings expose.

use crate::ids::{CustomerId, TxId, VendorId};
use crate::money::CurrencyCode;

/// Said when a spend finds no points at all in its currency.
fn no_balance_note(available: &i64) -> &'static str {
    if *available == 0 {
        " (the account holds no points in this currency)"
    } else {
        ""
    }
}

/// Result alias used throughout DCMS.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in DCMS.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An amount of money that DCMS refuses rather than round.
    #[error("invalid amount {value:?}: {reason}")]
    InvalidAmount {
        /// The amount as given.
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// A currency code this program does not know.
    #[error("unknown currency {0:?}: register it with CurrencyRegistry::register")]
    UnknownCurrency(String),
    /// An argument that is not a money amount but is still invalid.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// Which argument.
        field: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// The customer handed over less cash than the (rounded) total.
    #[error("insufficient cash: tendered {tendered} is less than the cash total {total}")]
    InsufficientCash {
        /// The cash total due, after cash rounding.
        total: String,
        /// The cash tendered.
        tendered: String,
    },
    /// A customer account id that fails its check digit or has the wrong width:
    /// most likely a typing mistake at the till.
    #[error("invalid account id {id:?}: {reason}; check the number and type it again")]
    InvalidAccountId {
        /// The id as given.
        id: String,
        /// Why it was refused.
        reason: String,
    },
    /// A well-formed customer account id that no account has.
    #[error("unknown account {0}")]
    UnknownAccount(CustomerId),
    /// A vendor id that no vendor has.
    #[error("unknown vendor {0}")]
    UnknownVendor(VendorId),
    /// A vendor with this id exists already.
    #[error("vendor {0} already exists")]
    DuplicateVendor(VendorId),
    /// Every customer account id of the configured width has been allocated.
    #[error(
        "all {capacity} customer account ids of width {width} are allocated; configure a wider id"
    )]
    AccountIdsExhausted {
        /// Digits per id, check digit included.
        width: u8,
        /// How many ids that width allows.
        capacity: u64,
    },
    /// The account does not hold enough available points in the currency
    /// the operation spends (points of another currency never count).
    #[error(
        "insufficient {currency} points on account {account}: {available} available, {requested} requested{}",
        no_balance_note(.available)
    )]
    InsufficientPoints {
        /// The account that would go negative.
        account: CustomerId,
        /// The currency spent.
        currency: CurrencyCode,
        /// Points available now.
        available: i64,
        /// Points the operation needs.
        requested: i64,
    },
    /// A vendor's or the program's limit would be exceeded. For a change
    /// credit the cashier hands the change back in coins.
    #[error(
        "{limit} limit of {cap} points exceeded: {requested} requested, {remaining} remaining"
    )]
    LimitExceeded {
        /// Which limit: "per-credit" or "per-day" (a vendor's change caps),
        /// "per-transfer" or "per-day transfer" (the program's transfer limits).
        limit: &'static str,
        /// The cap in points.
        cap: i64,
        /// Points this credit asked for.
        requested: i64,
        /// Points still allowed under the cap.
        remaining: i64,
    },
    /// The idempotency key was used before for a different request.
    #[error("idempotency key {key:?} was already used for a different request; use a new key for a new request")]
    IdempotencyConflict {
        /// The key.
        key: String,
    },
    /// No transaction has this id.
    #[error("unknown transaction {0}")]
    UnknownTransaction(TxId),
    /// The transaction was already reversed (or the hold already settled).
    #[error("transaction {0} was already reversed or settled")]
    AlreadyClosed(TxId),
    /// The transaction cannot be reversed.
    #[error("transaction {tx} cannot be reversed: {reason}")]
    NotReversible {
        /// The transaction.
        tx: TxId,
        /// Why not.
        reason: String,
    },
    /// The hold is not open: captured, voided, released or expired.
    #[error("hold {hold} is not open: {state}")]
    HoldNotOpen {
        /// The hold transaction.
        hold: TxId,
        /// What happened to it.
        state: String,
    },
    /// A one-time redemption code was refused: wrong, expired, used, dead
    /// after too many wrong tries, or not valid for this spend.
    #[error("redemption code refused: {reason}")]
    CodeRefused {
        /// Why, in words a cashier can pass on.
        reason: String,
    },
    /// No object is stored under this key.
    #[error("no object stored under {0:?}")]
    ObjectNotFound(String),
    /// The backend cannot do what was asked (e.g. an encryption it lacks).
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// A notification could not be delivered.
    #[error("notification failed: {0}")]
    NotifyFailed(String),
    /// A pagination cursor that this store did not issue.
    #[error("invalid cursor {0:?}")]
    InvalidCursor(String),
    /// The storage backend cannot be reached or timed out; the operation may be
    /// retried with the same idempotency key.
    #[error("storage unavailable: {0}; retry with the same idempotency key")]
    StorageUnavailable(String),
    /// The storage backend reported something unexpected (a bug or corruption).
    #[error("storage error: {0}")]
    Storage(String),
}

impl Error {
    /// A stable, machine-readable code for this error, shared by every binding.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidAmount { .. } => "invalid_amount",
            Error::UnknownCurrency(_) => "unknown_currency",
            Error::InvalidInput { .. } => "invalid_input",
            Error::InsufficientCash { .. } => "insufficient_cash",
            Error::InvalidAccountId { .. } => "invalid_account_id",
            Error::UnknownAccount(_) => "unknown_account",
            Error::UnknownVendor(_) => "unknown_vendor",
            Error::DuplicateVendor(_) => "duplicate_vendor",
            Error::AccountIdsExhausted { .. } => "account_ids_exhausted",
            Error::InsufficientPoints { .. } => "insufficient_points",
            Error::LimitExceeded { .. } => "limit_exceeded",
            Error::IdempotencyConflict { .. } => "idempotency_conflict",
            Error::UnknownTransaction(_) => "unknown_transaction",
            Error::AlreadyClosed(_) => "already_closed",
            Error::NotReversible { .. } => "not_reversible",
            Error::HoldNotOpen { .. } => "hold_not_open",
            Error::CodeRefused { .. } => "code_refused",
            Error::ObjectNotFound(_) => "object_not_found",
            Error::Unsupported(_) => "unsupported",
            Error::NotifyFailed(_) => "notify_failed",
            Error::InvalidCursor(_) => "invalid_cursor",
            Error::StorageUnavailable(_) => "storage_unavailable",
            Error::Storage(_) => "storage",
        }
    }

    /// Whether retrying the same request (same idempotency key) may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::StorageUnavailable(_))
    }

    pub(crate) fn invalid_input(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field,
            reason: reason.into(),
        }
    }
}
